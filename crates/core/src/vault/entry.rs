//! A vault entry in the clear: what the data key seals, one entry per sealed blob.
//!
//! The whole entry (title included) is sealed as one document (binary, see
//! [`Entry::encode`]); the store sees only its id, its times and the ciphertext. The plaintext lives in zeroizing buffers and is wiped
//! when dropped.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The most characters a single-line field may hold.
pub const MAX_LINE_CHARS: usize = 1024;
/// The most characters the notes may hold.
pub const MAX_NOTES_CHARS: usize = 64 * 1024;

/// One entry's fields. Empty strings mean "not set".
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub url: String,
    /// Multi-line.
    #[serde(default)]
    pub notes: String,
    /// An `otpauth://totp/...` URI or a bare base32 seed; empty: no TOTP.
    #[serde(default)]
    pub totp: String,
    /// A folder or group name from an import (Bitwarden folder, KeePassXC group); may be empty.
    #[serde(default)]
    pub folder: String,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Entry(<redacted>)")
    }
}

/// Which field of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryField {
    Title,
    Username,
    Password,
    Url,
    Notes,
    Totp,
    Folder,
}

impl EntryField {
    pub fn name(self) -> &'static str {
        match self {
            EntryField::Title => "title",
            EntryField::Username => "username",
            EntryField::Password => "password",
            EntryField::Url => "url",
            EntryField::Notes => "notes",
            EntryField::Totp => "totp",
            EntryField::Folder => "folder",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            EntryField::Title,
            EntryField::Username,
            EntryField::Password,
            EntryField::Url,
            EntryField::Notes,
            EntryField::Totp,
            EntryField::Folder,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }
}

/// Why an entry's fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct EntryProblem {
    pub field: &'static str,
    pub problem: String,
}

impl Entry {
    pub fn get(&self, field: EntryField) -> &str {
        match field {
            EntryField::Title => &self.title,
            EntryField::Username => &self.username,
            EntryField::Password => &self.password,
            EntryField::Url => &self.url,
            EntryField::Notes => &self.notes,
            EntryField::Totp => &self.totp,
            EntryField::Folder => &self.folder,
        }
    }

    pub fn get_mut(&mut self, field: EntryField) -> &mut String {
        match field {
            EntryField::Title => &mut self.title,
            EntryField::Username => &mut self.username,
            EntryField::Password => &mut self.password,
            EntryField::Url => &mut self.url,
            EntryField::Notes => &mut self.notes,
            EntryField::Totp => &mut self.totp,
            EntryField::Folder => &mut self.folder,
        }
    }

    /// Checks the fields: a title is required; single-line fields hold no line breaks or
    /// other control characters and at most [`MAX_LINE_CHARS`]; notes may hold line breaks
    /// and tabs and at most [`MAX_NOTES_CHARS`]. Text is drawn sanitized anyway; this keeps
    /// what is stored what the user meant.
    pub fn check(&self) -> Result<(), EntryProblem> {
        let problem = |field: &'static str, problem: String| EntryProblem { field, problem };
        if self.title.trim().is_empty() {
            return Err(problem("title", "is required.".into()));
        }
        for field in [
            EntryField::Title,
            EntryField::Username,
            EntryField::Password,
            EntryField::Url,
            EntryField::Totp,
            EntryField::Folder,
        ] {
            let v = self.get(field);
            let n = v.chars().count();
            if n > MAX_LINE_CHARS {
                return Err(problem(
                    field.name(),
                    format!("is too long ({n} characters; at most {MAX_LINE_CHARS})."),
                ));
            }
            if v.chars().any(char::is_control) {
                return Err(problem(
                    field.name(),
                    "holds a line break or another control character.".into(),
                ));
            }
        }
        let n = self.notes.chars().count();
        if n > MAX_NOTES_CHARS {
            return Err(problem(
                "notes",
                format!("are too long ({n} characters; at most {MAX_NOTES_CHARS})."),
            ));
        }
        if self
            .notes
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err(problem(
                "notes",
                "hold a control character other than a line break or a tab.".into(),
            ));
        }
        Ok(())
    }

    /// The fields in their encoded order.
    fn fields(&self) -> [&str; 7] {
        [
            &self.title,
            &self.username,
            &self.password,
            &self.url,
            &self.notes,
            &self.totp,
            &self.folder,
        ]
    }

    /// The bytes the data key seals: [`BINARY`], then the seven fields in postcard's encoding
    /// (each a varint length and its UTF-8 bytes).
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let fields = self.fields();
        // Sized up front and never grown (a reallocation would leave a copy of the plaintext
        // behind, unwiped): a varint length takes at most 10 bytes.
        let size = 1 + fields.iter().map(|s| s.len() + 10).sum::<usize>();
        let mut out = Zeroizing::new(vec![0u8; size]);
        out[0] = BINARY;
        let used = postcard::to_slice(&fields, &mut out[1..])
            .expect("the buffer is sized for the fields")
            .len();
        out.truncate(1 + used);
        out
    }

    /// An entry from what [`Entry::encode`] wrote, or from the JSON document entries were
    /// sealed as before; `None` if the bytes are neither.
    pub fn decode(bytes: &[u8]) -> Option<Entry> {
        match *bytes.first()? {
            BINARY => {
                type Fields = (String, String, String, String, String, String, String);
                let (f, rest): (Fields, _) = postcard::take_from_bytes(&bytes[1..]).ok()?;
                if !rest.is_empty() {
                    return None;
                }
                let (title, username, password, url, notes, totp, folder) = f;
                Some(Entry {
                    title,
                    username,
                    password,
                    url,
                    notes,
                    totp,
                    folder,
                })
            }
            b'{' => serde_json::from_slice(bytes).ok(),
            _ => None,
        }
    }
}

/// The first byte of an entry's binary encoding. Entries sealed before it are JSON documents,
/// which start with `{`, and still open.
const BINARY: u8 = 2;

/// An entry with its place in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    pub id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub entry: Entry,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            title: "Mail".into(),
            username: "ada@example.org".into(),
            password: "correct horse battery staple".into(),
            url: "https://mail.example.org".into(),
            notes: "line one\nline two\tand a tab".into(),
            totp: "JBSWY3DPEHPK3PXP".into(),
            folder: "Work".into(),
        }
    }

    #[test]
    fn encode_decode_round_trip() {
        let e = sample();
        assert_eq!(Entry::decode(&e.encode()), Some(e.clone()));
        let mut odd = sample();
        odd.notes = "two\nlines\tand \u{1F512} – ünïcode".into();
        odd.title = String::new();
        assert_eq!(Entry::decode(&odd.encode()), Some(odd));
        assert_eq!(
            Entry::decode(&Entry::default().encode()),
            Some(Entry::default())
        );
    }

    #[test]
    fn entries_sealed_as_json_still_decode_and_bad_bytes_do_not() {
        // What entries were sealed as before the binary encoding.
        let json = serde_json::to_vec(&sample()).unwrap();
        assert_eq!(json[0], b'{');
        assert_eq!(Entry::decode(&json), Some(sample()));
        let bytes = sample().encode();
        assert!(
            bytes.len() < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );
        for bad in [
            &bytes[..bytes.len() - 1],                // cut short
            &[&bytes[..], b"x"].concat(),             // trailing bytes
            &[9, 1, b'a'][..],                        // an unknown first byte
            &[BINARY, 0xff, 0xff][..],                // a length past the end
            &[BINARY, 1, 0xc3, 0, 0, 0, 0, 0, 0][..], // not UTF-8
            &[][..],
        ] {
            assert_eq!(Entry::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_no_field() {
        let shown = format!("{:?}", sample());
        assert!(
            !shown.contains("horse") && !shown.contains("Mail"),
            "{shown}"
        );
    }

    #[test]
    fn check_refuses_what_it_should() {
        assert!(sample().check().is_ok());
        let mut e = sample();
        e.title = "  ".into();
        assert_eq!(e.check().unwrap_err().field, "title");
        let mut e = sample();
        e.username = "a\nb".into();
        assert_eq!(e.check().unwrap_err().field, "username");
        let mut e = sample();
        e.notes = "a\x1b[2Jb".into();
        assert_eq!(e.check().unwrap_err().field, "notes");
        let mut e = sample();
        e.url = "x".repeat(MAX_LINE_CHARS + 1);
        assert_eq!(e.check().unwrap_err().field, "url");
    }

    #[test]
    fn fields_by_name() {
        let e = sample();
        for name in [
            "title", "username", "password", "url", "notes", "totp", "folder",
        ] {
            let f = EntryField::from_name(name).unwrap();
            assert_eq!(f.name(), name);
            assert!(!e.get(f).is_empty());
        }
        assert_eq!(EntryField::from_name("secret"), None);
    }

    #[test]
    fn decode_refuses_other_documents() {
        assert_eq!(Entry::decode(b"not json"), None);
        assert_eq!(Entry::decode(br#"{"title":"x","extra":1}"#), None);
    }
}

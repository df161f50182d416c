//! Secret values: zeroized on drop, redacted in `Debug`, never `Display`.

use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// A password as typed (or read from stdin). Its buffer is wiped when dropped.
#[derive(Clone, Default)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(s: Zeroizing<String>) -> Self {
        Self(s)
    }
    /// The password text. Callers must not copy it into a non-zeroizing buffer.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Self(Zeroizing::new(s))
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Self(Zeroizing::new(s.to_owned()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        use subtle_eq::ct_eq;
        ct_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

mod subtle_eq {
    /// Compares without an early exit on the first differing byte.
    pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Overwrites the stack below the caller's frame: the frames of a call that just returned
/// (Argon2, the strength estimator) held pieces of a password, and a thread that then waits
/// would keep them there. Call it right after such work, from the frame that made the call.
#[inline(never)]
pub fn wipe_stack_below() {
    // A zeroed array that must exist in memory (black_box) is one memset over the stack below.
    let mut area = [0u8; 256 * 1024];
    std::hint::black_box(&mut area);
}

/// A 256-bit session token from the OS CSPRNG. Only its SHA-256 is stored in the database;
/// the token itself lives in the session file.
#[derive(Clone)]
pub struct SessionToken(Zeroizing<[u8; 32]>);

impl SessionToken {
    pub const LEN: usize = 32;

    /// Draws a new token from the operating system's random source.
    pub fn generate() -> std::io::Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(std::io::Error::other)?;
        Ok(Self(bytes))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut b = bytes;
        let t = Self(Zeroizing::new(b));
        b.zeroize();
        t
    }

    /// Parses the hex form kept in the session file.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(s.trim(), bytes.as_mut()).ok()?;
        Some(Self(bytes))
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SHA-256 of the token: the only form the database ever sees.
    pub fn digest(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.0.as_ref()).into()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A reset or first-login code: 136 bits from the OS random source (17 bytes), shown as 28
/// Crockford base32 characters in groups of 4 for reading aloud (no I, L, O or U to mistake).
/// Only its SHA-256 is stored.
#[derive(Clone)]
pub struct ResetCode(Zeroizing<[u8; ResetCode::LEN]>);

impl ResetCode {
    pub const LEN: usize = 17;
    /// Characters without the separators.
    pub const CHARS: usize = 28;

    /// Crockford's base32: reading accepts lower case, I and L for 1 and O for 0, and ignores
    /// dashes and spaces.
    fn encoding() -> data_encoding::Encoding {
        let mut spec = data_encoding::Specification::new();
        spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
        spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzIiLlOo");
        spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ111100");
        spec.ignore.push_str("- ");
        spec.check_trailing_bits = false;
        // A fixed, valid specification: it cannot fail.
        spec.encoding()
            .unwrap_or_else(|_| data_encoding::BASE32_NOPAD.clone())
    }

    pub fn generate() -> std::io::Result<Self> {
        let mut bytes = Zeroizing::new([0u8; Self::LEN]);
        getrandom::fill(bytes.as_mut()).map_err(std::io::Error::other)?;
        Ok(Self(bytes))
    }

    /// Reads a code as a person typed it; `None` if it cannot be one (wrong length or a
    /// character that is not in the alphabet).
    pub fn parse(text: &str) -> Option<Self> {
        let enc = Self::encoding();
        let text = Zeroizing::new(text.trim().to_owned());
        let len = enc.decode_len(text.len()).ok()?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        let n = enc.decode_mut(text.as_bytes(), &mut out).ok()?;
        if n != Self::LEN {
            return None;
        }
        let mut bytes = Zeroizing::new([0u8; Self::LEN]);
        bytes.copy_from_slice(&out[..n]);
        Some(Self(bytes))
    }

    /// The code as shown: `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub fn grouped(&self) -> Zeroizing<String> {
        let plain = Zeroizing::new(Self::encoding().encode(self.0.as_ref()));
        let mut out = Zeroizing::new(String::with_capacity(Self::CHARS + 6));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// The code's random bytes (a recovery code's key is derived from them).
    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_ref()
    }

    /// SHA-256 of the code: the only form the store keeps.
    pub fn digest(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.0.as_ref()).into()
    }
}

impl fmt::Debug for ResetCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tm_04_debug_is_redacted() {
        let p = Password::from("correct horse battery staple");
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        let t = SessionToken::generate().unwrap();
        let dbg = format!("{t:?}");
        assert!(!dbg.contains(t.to_hex().as_str()));
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn se_01_tokens_are_unique_and_32_bytes() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let t = SessionToken::generate().unwrap();
            assert_eq!(t.as_bytes().len(), 32);
            assert!(seen.insert(*t.as_bytes()));
        }
    }

    #[test]
    fn token_hex_round_trip() {
        let t = SessionToken::generate().unwrap();
        let back = SessionToken::from_hex(&t.to_hex()).unwrap();
        assert_eq!(t.as_bytes(), back.as_bytes());
        assert!(SessionToken::from_hex("zz").is_none());
        assert!(SessionToken::from_hex(&"ab".repeat(31)).is_none());
    }

    #[test]
    fn reset_codes_are_grouped_for_reading_and_read_back_as_typed() {
        let c = ResetCode::generate().unwrap();
        let shown = c.grouped();
        assert_eq!(shown.len(), 28 + 6, "{}", shown.as_str());
        assert!(shown.split('-').all(|g| g.len() == 4));
        assert!(!shown.contains(['I', 'L', 'O', 'U']));
        let back = ResetCode::parse(&shown).unwrap();
        assert_eq!(back.digest(), c.digest());
        // Typed in lower case, without dashes, with O for 0 and l for 1: the same code.
        let typed: String = shown
            .chars()
            .filter(|ch| *ch != '-')
            .map(|ch| match ch {
                '0' => 'O',
                '1' => 'l',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        assert_eq!(ResetCode::parse(&typed).unwrap().digest(), c.digest());
        assert!(ResetCode::parse(&shown[..30]).is_none());
        assert!(ResetCode::parse("not a code").is_none());
        assert!(ResetCode::parse("").is_none());
        assert!(!format!("{c:?}").contains(&shown[..4]));
    }

    #[test]
    fn reset_codes_carry_136_random_bits() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            assert!(seen.insert(ResetCode::generate().unwrap().digest()));
        }
    }

    #[test]
    fn tm_06_password_is_a_zeroizing_buffer() {
        fn assert_zeroizing(_: &Zeroizing<String>) {}
        let p = Password::from("x".repeat(20));
        assert_zeroizing(&p.0);
    }
}

//! The session file `<data dir>/session`: JSON holding the session token, 0600, written to a
//! temp file and renamed into place. It is never the source of identity: only the token in it
//! counts, and only while the database has a live row for the token's SHA-256.

use crate::paths::euid;
use crate::secret::SessionToken;
use crate::{Error, Result};
use serde::Deserialize;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Largest session file we read; anything bigger is not ours.
const MAX_LEN: u64 = 4096;
const VERSION: u32 = 1;

/// What was found at the session file's path.
#[derive(Debug)]
pub enum Loaded {
    /// No file: logged out.
    Absent,
    /// A well-formed file of ours with this token (still to be checked against the store).
    Token(SessionToken),
    /// A file that must not be trusted (symlink, wrong owner or mode, not a regular file,
    /// damaged). The reason is for messages and never contains the file's content.
    Rejected(&'static str),
}

#[derive(Deserialize)]
struct OnDisk {
    version: u32,
    token: Zeroizing<String>,
}

/// Parses the content of a session file: `{"version":1,"token":"<64 hex digits>"}`. Other
/// members are ignored (the file is never the source of identity). The error is a reason for
/// messages and never contains the input.
pub fn parse(bytes: &[u8]) -> std::result::Result<SessionToken, &'static str> {
    let disk = serde_json::from_slice::<OnDisk>(bytes).map_err(|_| "is damaged")?;
    if disk.version != VERSION {
        return Err("has an unknown version");
    }
    SessionToken::from_hex(&disk.token).ok_or("is damaged")
}

/// The session file at a path.
#[derive(Debug, Clone)]
pub struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file without following symlinks or blocking on a FIFO, and checks that it is a
    /// regular file, ours, and not readable or writable by anyone else.
    pub fn load(&self) -> Result<Loaded> {
        let file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&self.path);
        let mut file = match file {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Absent),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Ok(Loaded::Rejected("is a symbolic link"));
            }
            Err(e) => {
                return Err(Error::storage(
                    &self.path,
                    format!("cannot read the session file: {e}"),
                ));
            }
        };
        let meta = file.metadata().map_err(|e| {
            Error::storage(&self.path, format!("cannot read the session file: {e}"))
        })?;
        if !meta.file_type().is_file() {
            return Ok(Loaded::Rejected("is not a regular file"));
        }
        if meta.uid() != euid() {
            return Ok(Loaded::Rejected("belongs to another user"));
        }
        if meta.mode() & 0o077 != 0 {
            return Ok(Loaded::Rejected(
                "is accessible to other users (mode is not 0600)",
            ));
        }
        if meta.len() > MAX_LEN {
            return Ok(Loaded::Rejected("is too large to be a session file"));
        }
        let mut buf = Zeroizing::new(Vec::with_capacity(meta.len() as usize));
        (&mut file)
            .take(MAX_LEN)
            .read_to_end(&mut buf)
            .map_err(|e| {
                Error::storage(&self.path, format!("cannot read the session file: {e}"))
            })?;
        match parse(&buf) {
            Ok(t) => Ok(Loaded::Token(t)),
            Err(why) => Ok(Loaded::Rejected(why)),
        }
    }

    /// Fails unless a new session file can be renamed into place: nothing there, or a file
    /// (or symlink) that the rename replaces. A directory, say, is reported, and left alone.
    pub fn check_replaceable(&self) -> Result<()> {
        match fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::storage(
                &self.path,
                format!("cannot read the session file: {e}"),
            )),
            Ok(m) if m.is_dir() => Err(Error::storage(
                &self.path,
                "is a directory where the session file belongs; it was left alone. Move it \
                 aside and try again.",
            )),
            Ok(_) => Ok(()),
        }
    }

    /// Writes the token atomically: a 0600 temp file in the same directory, synced, renamed
    /// over the old file (a symlink there is replaced, never followed).
    ///
    /// The directory is not synced: the login that writes the file commits with
    /// `synchronous = NORMAL`, so after a power loss the login may be rolled back anyway, and
    /// either file is then harmless (the new token without its row reads as logged out; the
    /// old one is valid exactly if its row is back). The data sync before the rename is what
    /// keeps the file whole.
    pub fn save(&self, token: &SessionToken) -> Result<()> {
        let staged = self.stage(token)?;
        staged.sync()?;
        staged.install()
    }

    /// The first half of [`TokenFile::save`]: the token written to a 0600 temp file beside
    /// the session file, not yet synced ([`Staged::sync`]) nor in place. [`Staged::install`]
    /// renames it over the session file; dropping it removes the temp file and leaves the
    /// session file as it was. A login stages its file before taking the store's write lock,
    /// syncs it while the password is checked and installs it inside the transaction, so the
    /// write lock is not held while the disk syncs.
    pub fn stage(&self, token: &SessionToken) -> Result<Staged> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".session.")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(|e| self.write_error(e))?;
        let body = Zeroizing::new(format!(
            "{{\"version\":{VERSION},\"token\":\"{}\"}}\n",
            token.to_hex().as_str()
        ));
        tmp.write_all(body.as_bytes())
            .map_err(|e| self.write_error(e))?;
        Ok(Staged {
            tmp,
            file: self.clone(),
        })
    }

    fn write_error(&self, e: std::io::Error) -> Error {
        Error::storage(&self.path, format!("cannot write the session file: {e}"))
    }

    /// Removes the file (or whatever is at its path; a symlink itself, not its target).
    pub fn remove(&self) -> Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::storage(
                &self.path,
                format!("cannot remove the session file: {e}"),
            )),
        }
    }
}

/// A session file written and synced beside its place, see [`TokenFile::stage`].
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    file: TokenFile,
}

impl Staged {
    /// Syncs the staged file's data to disk (what keeps it whole after a power loss): before
    /// [`Staged::install`].
    pub fn sync(&self) -> Result<()> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| self.file.write_error(e))
    }

    /// Renames the staged file over the session file (a symlink there is replaced, never
    /// followed).
    pub fn install(self) -> Result<()> {
        let Staged { tmp, file } = self;
        tmp.persist(&file.path)
            .map_err(|e| file.write_error(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn setup() -> (tempfile::TempDir, TokenFile) {
        let d = tempfile::tempdir().unwrap();
        let f = TokenFile::new(d.path().join("session"));
        (d, f)
    }

    #[test]
    fn round_trip_with_mode_0600() {
        let (_d, f) = setup();
        assert!(matches!(f.load().unwrap(), Loaded::Absent));
        let t = SessionToken::generate().unwrap();
        f.save(&t).unwrap();
        let mode = fs::metadata(f.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        match f.load().unwrap() {
            Loaded::Token(back) => assert_eq!(back.as_bytes(), t.as_bytes()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fs_02_symlink_is_rejected_and_not_written_through() {
        let (d, f) = setup();
        let target = d.path().join("target");
        fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, f.path()).unwrap();
        assert!(matches!(
            f.load().unwrap(),
            Loaded::Rejected("is a symbolic link")
        ));
        f.save(&SessionToken::generate().unwrap()).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
        assert!(
            !fs::symlink_metadata(f.path())
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn fs_02_wide_mode_and_garbage_rejected() {
        let (_d, f) = setup();
        f.save(&SessionToken::generate().unwrap()).unwrap();
        fs::set_permissions(f.path(), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(f.load().unwrap(), Loaded::Rejected(_)));
        fs::set_permissions(f.path(), fs::Permissions::from_mode(0o600)).unwrap();
        for junk in [
            "",
            "{",
            "{\"version\":1,\"token\":\"xyz\"}",
            "\u{0}\u{1}",
            "{\"version\":2,\"token\":\"00\"}",
        ] {
            fs::write(f.path(), junk).unwrap();
            assert!(matches!(f.load().unwrap(), Loaded::Rejected(_)), "{junk:?}");
        }
    }

    #[test]
    fn fifo_does_not_block() {
        let (_d, f) = setup();
        let c = std::ffi::CString::new(f.path().as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            f.load().unwrap(),
            Loaded::Rejected("is not a regular file")
        ));
        f.remove().unwrap();
        assert!(matches!(f.load().unwrap(), Loaded::Absent));
    }
}

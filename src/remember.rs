//! The last email, for `ui.remember_email`: kept in `<data dir>/last_email` (0600, written
//! atomically, read without following symlinks) after each successful login while the setting
//! is on, and removed after one while it is off. Only the UI reads it, once, at launch.

use std::io::{Read as _, Write as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::Path;

/// The file, in the data dir.
pub const FILE: &str = "last_email";

/// Longer than any allowed email: a larger file is not ours.
const MAX_LEN: u64 = 1024;

/// After a successful login: remembers `email` when `on`, forgets any email otherwise.
/// Best effort: the login is done whatever happens here.
pub fn after_login(dir: &Path, email: &str, on: bool) {
    if on {
        let _ = save(dir, email);
    } else {
        let _ = std::fs::remove_file(dir.join(FILE));
    }
}

fn save(dir: &Path, email: &str) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".last_email.")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)?;
    tmp.write_all(email.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(FILE)).map_err(|e| e.error)?;
    Ok(())
}

/// The remembered email, if there is one that can be trusted: a regular 0600 file of ours,
/// small, UTF-8. Anything else reads as none.
pub fn load(dir: &Path) -> Option<String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(dir.join(FILE))
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.file_type().is_file()
        || meta.uid() != vaultty_core::paths::euid()
        || meta.mode() & 0o077 != 0
        || meta.len() > MAX_LEN
    {
        return None;
    }
    let mut text = String::new();
    (&mut file).take(MAX_LEN).read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_only_while_on_and_only_from_a_private_file_of_ours() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(load(d.path()), None);
        after_login(d.path(), "ada@example.com", true);
        assert_eq!(load(d.path()).as_deref(), Some("ada@example.com"));
        let mode = std::fs::metadata(d.path().join(FILE)).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        after_login(d.path(), "ada@example.com", false);
        assert_eq!(load(d.path()), None, "turning it off forgets");
        // A file others can read, or a symlink, is not trusted.
        after_login(d.path(), "ada@example.com", true);
        std::fs::set_permissions(
            d.path().join(FILE),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )
        .unwrap();
        assert_eq!(load(d.path()), None);
        std::fs::remove_file(d.path().join(FILE)).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", d.path().join(FILE)).unwrap();
        assert_eq!(load(d.path()), None);
    }
}

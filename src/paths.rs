//! Where vaultty keeps its files, and making sure that place is private.
//!
//! Resolution order: `--data-dir` > `VAULTTY_DATA_DIR` > the platform data dir for "vaultty".

use crate::{Error, Result};
use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The environment variable that names the data dir when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "VAULTTY_DATA_DIR";
/// File name of the SQLite store inside the data dir.
pub const DB_FILE: &str = "vaultty.db";
/// File name of the session file inside the data dir.
pub const SESSION_FILE: &str = "session";

/// Picks the data dir: the flag, else the environment, else the platform default.
pub fn resolve_data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(v) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(v));
    }
    directories::ProjectDirs::from("", "", "vaultty")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::Internal(format!(
                "cannot find a home directory for the data dir; pass --data-dir or set {DATA_DIR_ENV}"
            ))
        })
}

/// The effective user id of this process.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Creates `dir` (and parents) as 0700 if missing; if it exists, checks that it is a directory
/// owned by us and removes any group/other permission bits (never adds any: a directory the
/// user made read-only stays read-only).
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| Error::storage(dir, format!("cannot create the data dir: {e}")))?;
            // DirBuilder's mode is filtered by the umask; make sure.
            set_mode(dir, 0o700)
        }
        Err(e) => Err(Error::storage(
            dir,
            format!("cannot read the data dir: {e}"),
        )),
        Ok(_) => {
            let meta = fs::metadata(dir)
                .map_err(|e| Error::storage(dir, format!("cannot read the data dir: {e}")))?;
            if !meta.is_dir() {
                return Err(Error::storage(
                    dir,
                    "the data dir exists but is not a directory; pass another --data-dir",
                ));
            }
            if meta.uid() != euid() {
                return Err(Error::storage(
                    dir,
                    "the data dir belongs to another user; refusing to use it",
                ));
            }
            if meta.mode() & 0o077 != 0 {
                set_mode(dir, meta.mode() & 0o700)?;
            }
            Ok(())
        }
    }
}

/// Sets the permission bits of `path`.
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| Error::storage(path, format!("cannot set permissions to {mode:o}: {e}")))
}

/// Creates `path` as an empty 0600 file if it does not exist; removes group/other permission
/// bits from an existing file we own (never adds any).
pub fn ensure_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map(drop)
                .or_else(|e| {
                    // another process created it first: fine
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| Error::storage(path, format!("cannot create: {e}")))?;
            set_mode(path, 0o600)
        }
        Err(e) => Err(Error::storage(path, format!("cannot read: {e}"))),
        Ok(meta) => {
            if !meta.file_type().is_file() {
                return Err(Error::storage(
                    path,
                    "is not a regular file (a symlink or something else); refusing to use it",
                ));
            }
            if meta.uid() != euid() {
                return Err(Error::storage(
                    path,
                    "belongs to another user; refusing to use it",
                ));
            }
            if meta.mode() & 0o077 != 0 {
                set_mode(path, meta.mode() & 0o700)?;
            }
            Ok(())
        }
    }
}

/// Whether the filesystem holding `path` (or its directory) has no room left for us.
pub fn disk_is_full(path: &Path) -> bool {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: statvfs fills the struct for a NUL-terminated path, or fails.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    // Less than 64 KiB available to unprivileged writers counts as full: SQLite needs pages.
    (st.f_bavail as u128) * (st.f_frsize as u128) < 64 * 1024
}

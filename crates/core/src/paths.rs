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
pub const TOKEN_FILE: &str = "session";

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

/// Makes sure `dir` is a private directory of ours and returns where it really is.
///
/// A missing dir is created (with its parents) as 0700. The path is resolved once, so symlinked
/// parents (`/home -> /var/home`) work; a symlink as the last component must be ours (or
/// root's), since whoever owns a link decides where it points. The directory it names is then
/// opened without following symlinks and checked through that handle, so nothing can be swapped
/// in between the check and the change: it must be ours, and not shared (no group or other
/// write bit, no setgid or sticky bit); read and search bits for others are removed with
/// `fchmod`. A refused dir is left exactly as it was. Callers use the returned path from then
/// on.
pub fn ensure_private_dir(dir: &Path) -> Result<PathBuf> {
    use rustix::fs::{Mode, OFlags};
    let read_err =
        |e: &dyn std::fmt::Display| Error::storage(dir, format!("cannot read the data dir: {e}"));
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| Error::storage(dir, format!("cannot create the data dir: {e}")))?;
        }
        Err(e) => return Err(read_err(&e)),
        Ok(m) if m.file_type().is_symlink() && m.uid() != euid() && m.uid() != 0 => {
            return Err(Error::storage(
                dir,
                "is a symbolic link that belongs to another user; refusing to follow it. Pass \
                 the directory it points to, if you trust it, or a directory of your own.",
            ));
        }
        Ok(_) => {}
    }
    let real = fs::canonicalize(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::storage(
                dir,
                "is a symbolic link to nothing; pass an existing directory",
            )
        } else {
            read_err(&e)
        }
    })?;
    let fd = rustix::fs::open(
        &real,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| {
        if e == rustix::io::Errno::NOTDIR {
            Error::storage(
                dir,
                "the data dir exists but is not a directory; pass another --data-dir",
            )
        } else {
            read_err(&e)
        }
    })?;
    let st = rustix::fs::fstat(&fd).map_err(|e| read_err(&e))?;
    if st.st_uid != euid() {
        return Err(Error::storage(
            dir,
            "the data dir belongs to another user; refusing to use it",
        ));
    }
    let mode = st.st_mode & 0o7777;
    if mode & 0o7022 != 0 {
        return Err(Error::storage(
            dir,
            format!(
                "is shared with other users (mode {mode:o}); it was left as it is. vaultty keeps \
                 its store in a private directory: pass a directory of your own."
            ),
        ));
    }
    if mode & 0o077 != 0 {
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode & 0o700))
            .map_err(|e| Error::storage(dir, format!("cannot set permissions to 700: {e}")))?;
    }
    Ok(real)
}

/// Whether `dir` holds a store, without creating anything: commands that only read
/// (`whoami`, `logout`) answer "not logged in" for a data dir that is not there.
/// Anything but "not found" (a path below a file, no permission) counts as there, so that
/// opening it reports the problem.
pub fn store_exists(dir: &Path) -> bool {
    !matches!(fs::metadata(dir.join(DB_FILE)), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// Sets the permission bits of `path`.
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| Error::storage(path, format!("cannot set permissions to {mode:o}: {e}")))
}

/// Creates `path` as an empty 0600 file if it does not exist; removes group/other permission
/// bits from an existing file we own (never adds any). The file is opened without following a
/// symlink and checked and changed through that handle.
pub fn ensure_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY;
    let open = || {
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    let file = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(flags)
            .open(path)
            .or_else(|e| match e.kind() {
                // another process created it first: fine
                std::io::ErrorKind::AlreadyExists => open(),
                _ => Err(e),
            }),
        other => other,
    };
    let file = file.map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) => Error::storage(
            path,
            "is a symbolic link, not a regular file; refusing to use it",
        ),
        Some(libc::EISDIR) | Some(libc::ENXIO) => Error::storage(
            path,
            "is not a regular file (a directory or something else); refusing to use it",
        ),
        _ => Error::storage(path, format!("cannot create: {e}")),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| Error::storage(path, format!("cannot read: {e}")))?;
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
        let mode = meta.mode() & 0o700;
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| {
                Error::storage(path, format!("cannot set permissions to {mode:o}: {e}"))
            })?;
    }
    Ok(())
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

//! The SQLite store. Every SQL statement of vaultty lives below this module, and every one of
//! them takes its values as bound parameters.

pub mod accounts;
pub mod events;
mod migrations;
mod ops;
pub mod reset_codes;
pub mod sessions;
pub mod throttle;
pub mod vault;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use vaultty_core::paths::{DB_FILE, ensure_private_file, set_mode};
use vaultty_core::{Error, Result};

/// How long a process waits for another one holding the write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The first wait for a lock another process holds; each further wait doubles, up to
/// [`BUSY_STEP_MAX`] (see [`busy_step`]).
const BUSY_STEP_FIRST: Duration = Duration::from_micros(50);
/// The longest single wait between two tries.
const BUSY_STEP_MAX: Duration = Duration::from_millis(5);

/// `PRAGMA application_id` of a vaultty store ("vtty").
pub const APPLICATION_ID: i32 = 0x7674_7479;

/// A WAL larger than this is checkpointed and truncated when the store is closed (about 12
/// logins' worth). The size balances two costs a command pays (BENCHMARKS.md): re-reading the
/// WAL at opening, which grows with it, and the truncating checkpoint's syncs, which a smaller
/// bound makes more frequent.
pub const WAL_TRUNCATE_BYTES: u64 = 512 * 1024;

/// An open connection to `<data dir>/vaultty.db`.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, which must already exist and be private.
    pub fn open_in(dir: &Path) -> Result<Self> {
        Self::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the store at `path`: file modes 0600, WAL, busy timeout,
    /// foreign keys and secure delete on, migrations applied. A file that is not a vaultty
    /// store is reported and left exactly as it was.
    pub fn open(path: &Path) -> Result<Self> {
        ensure_private_file(path)?;
        // SQLite gives -wal/-shm the mode of the database file; tighten leftovers from elsewhere.
        for suffix in ["-wal", "-shm", "-journal"] {
            let side = sidecar(path, suffix);
            if let Ok(m) = std::fs::symlink_metadata(&side)
                && m.is_file()
                && m.mode() & 0o077 != 0
            {
                set_mode(&side, m.mode() & 0o700)?;
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(path, &e))?;
        conn.busy_handler(Some(busy_wait))
            .map_err(|e| db_error(path, &e))?;
        // SQLite quietly falls back to read-only when the file is write-protected; vaultty
        // needs to write (throttling, sessions), so that is a storage error, reported now.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| db_error(path, &e))?
        {
            return Err(Error::storage(
                path,
                "is read-only; vaultty needs to write it. Check the permissions of the file \
                 and its directory.",
            ));
        }
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        migrations::apply(&store)?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        let c = &self.conn;
        // Look before writing anything: reading the schema turns "not a database" into a clear
        // error, and a database of another application is refused before WAL mode touches it.
        // One statement reads all three (each statement compiled costs a CLI command time).
        let (tables, app_id, mode): (i64, i32, String) = c
            .query_row(
                "SELECT (SELECT count(*) FROM sqlite_schema), a.application_id, j.journal_mode
                 FROM pragma_application_id AS a, pragma_journal_mode AS j",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(&e))?;
        if tables > 0 && app_id != APPLICATION_ID {
            return Err(Error::storage(
                &self.path,
                "is an SQLite database but not a vaultty store; it was left untouched",
            ));
        }
        // WAL mode is recorded in the file: only a new store (or one a tool switched back)
        // needs the switch.
        if !mode.eq_ignore_ascii_case("wal") {
            let mode: String = c
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| self.err(&e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::storage(
                    &self.path,
                    format!("cannot switch the store to WAL mode (got {mode})"),
                ));
            }
        }
        // Connection options, set without a statement to compile:
        use rusqlite::config::DbConfig;
        for (option, on) in [
            (DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, true),
            // Functions with side effects never run from the schema (a planted view or
            // trigger).
            (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
            // Defensive mode: no writable_schema, no journal_mode=OFF, no writes to shadow
            // tables, whatever a statement asks for.
            (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
            // Each CLI command is a short process: checkpointing (and deleting) the WAL on
            // every exit would cost fsyncs and a re-created WAL on the next start. Closing
            // truncates it only once it has grown past WAL_TRUNCATE_BYTES (see `Drop`).
            (DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true),
        ] {
            c.set_db_config(option, on).map_err(|e| self.err(&e))?;
        }
        // synchronous = NORMAL in WAL mode: every commit is atomic and survives a crash of the
        // process; only a power loss can roll back the last commits. Writes whose loss would
        // weaken security (signup, password change, logout) use `write_durable`, which is FULL.
        c.execute_batch(
            "PRAGMA secure_delete = ON; PRAGMA synchronous = NORMAL; PRAGMA cell_size_check = ON;",
        )
        .map_err(|e| self.err(&e))?;
        Ok(())
    }

    /// Like [`Store::write`], but the commit is flushed to disk (synchronous = FULL) before it
    /// returns, so not even a power loss can undo it: for signups, password changes and
    /// logouts.
    pub fn write_durable<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(|e| self.err(&e))?;
        let out = self.write(f);
        let reset = self
            .conn
            .execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(|e| self.err(&e));
        let out = out?;
        reset?;
        Ok(out)
    }

    /// Copies every committed page into the database file and empties the WAL, so that pages
    /// a change replaced (an old password hash, an ended session's token digest) no longer sit
    /// in `-wal`. Waits for other processes' transactions like any write.
    pub fn truncate_wal(&self) -> Result<()> {
        let (busy, _, _): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(&e))?;
        if busy != 0 {
            return Err(Error::storage(
                &self.path,
                "the store stayed busy, so its log could not be emptied; try again",
            ));
        }
        Ok(())
    }

    /// Writes a consistent copy of the store to `to`, a new file (never overwritten): safe while
    /// other processes use the store. SQLite's online backup copies one snapshot (all pages in
    /// one step, under a read lock that writers do not wait for) into a 0600 temporary file
    /// beside `to`, which is switched out of WAL mode (one self-contained file), synced, checked
    /// with `integrity_check`, and renamed into place only if nothing is there yet. Returns the
    /// number of accounts in the copy.
    pub fn backup_to(&self, to: &Path) -> Result<i64> {
        let fail = |m: String| Error::storage(to, m);
        if std::fs::symlink_metadata(to).is_ok() {
            return Err(fail(
                "already exists; vaultty never overwrites it. Choose a new file name.".into(),
            ));
        }
        let dir = match to.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".vaultty-backup.")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(|e| fail(format!("cannot create the backup: {e}")))?;
        let copy_err = |e: rusqlite::Error| fail(format!("cannot write the backup: {e}"));
        let accounts = {
            let mut dst = Connection::open(tmp.path()).map_err(copy_err)?;
            {
                let b = rusqlite::backup::Backup::new(&self.conn, &mut dst).map_err(copy_err)?;
                match b.step(-1).map_err(copy_err)? {
                    rusqlite::backup::StepResult::Done => {}
                    _ => {
                        return Err(fail(
                            "the store stayed busy; nothing was written. Try again.".into(),
                        ));
                    }
                }
            }
            dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
                .map_err(copy_err)?;
            let check: String = dst
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(copy_err)?;
            if check != "ok" {
                return Err(fail(format!(
                    "the copy failed its integrity check ({check}); nothing was written"
                )));
            }
            dst.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
                .map_err(copy_err)?
        };
        tmp.as_file()
            .sync_all()
            .map_err(|e| fail(format!("cannot write the backup: {e}")))?;
        tmp.persist_noclobber(to)
            .map_err(|e| fail(format!("cannot put the backup in place: {}", e.error)))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(accounts)
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for the store's own modules and for tests that inspect the schema.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` inside a `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so a
    /// busy store makes us wait rather than fail), committing on `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.err(&e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(out)
    }

    /// [`Store::err`] for a result.
    pub(crate) fn db<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|e| self.err(&e))
    }

    /// Maps a SQLite error to a storage error that names the file.
    pub fn err(&self, e: &rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }
}

impl Drop for Store {
    /// Keeps the WAL short. A process that opens the store while no other one has it open
    /// rebuilds the WAL index by reading every frame since the WAL was last reset, and with
    /// one short process per command the WAL is never reset by SQLite itself (each process
    /// starts from a rebuilt index that has forgotten the last checkpoint), so without this
    /// it grows without bound: measured 0.6 ms more per command at 1.6 MB. Housekeeping only:
    /// everything is committed already, so a failure is ignored, and the checkpoint does not
    /// wait for other processes (they, or a later command, will do it).
    fn drop(&mut self) {
        let wal = sidecar(&self.path, "-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_TRUNCATE_BYTES) {
            let _ = self.conn.busy_timeout(Duration::ZERO);
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

/// How long to wait before the next try for a lock another process holds, after `tries`
/// failed tries; `None` once [`BUSY_TIMEOUT`] has been spent waiting.
///
/// SQLite's own busy timeout sleeps 1, 2, 5, 10, 15, 20, 25 ms and so on: a write that waits
/// behind one of about a millisecond (every login's, every signup's) sleeps at least 1 ms,
/// often 3, while the lock is free again after a fraction of that. When logins start or end
/// together, that sleep was idle time on the cores. These waits start at 50 µs and double up
/// to 5 ms: a short wait ends soon after the lock is free, a long one polls as rarely as
/// SQLite's does. Measured with 2 logins at once, builds alternated burst by burst: 0.9–2.9%
/// more logins per second, the cores busy 97.2% instead of 96.0%; with 8 or 32 at once, no
/// measurable difference (BENCHMARKS.md, section 6).
pub fn busy_step(tries: u32) -> Option<Duration> {
    busy_plan(tries).map(|(_, step)| step)
}

/// How long the first `tries` waits took together, and the next one; `None` once
/// [`BUSY_TIMEOUT`] has been spent.
fn busy_plan(tries: u32) -> Option<(Duration, Duration)> {
    let mut waited = Duration::ZERO;
    let mut step = BUSY_STEP_FIRST;
    for _ in 0..tries {
        waited += step;
        if waited >= BUSY_TIMEOUT {
            return None;
        }
        step = (step * 2).min(BUSY_STEP_MAX);
    }
    Some((waited, step.min(BUSY_TIMEOUT - waited)))
}

/// After how long a wait for another process's lock the front end is told (see
/// [`on_long_wait`]).
pub const LONG_WAIT: Duration = Duration::from_secs(1);

static LONG_WAIT_NOTICE: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>> =
    std::sync::OnceLock::new();

/// Sets what happens when a write has waited [`LONG_WAIT`] for another process's lock (once
/// per wait): the CLI says "Waiting for another vaultty to finish…" on stderr. The store itself
/// never prints. The first call wins.
pub fn on_long_wait(notice: impl Fn() + Send + Sync + 'static) {
    let _ = LONG_WAIT_NOTICE.set(Box::new(notice));
}

/// SQLite's busy handler: sleeps [`busy_step`] and tries again, or gives up ("database is
/// locked") once [`BUSY_TIMEOUT`] is spent. The try whose sleep passes [`LONG_WAIT`] calls the
/// notice.
fn busy_wait(tries: i32) -> bool {
    match busy_plan(u32::try_from(tries).unwrap_or(0)) {
        Some((waited, d)) => {
            if waited < LONG_WAIT
                && waited + d >= LONG_WAIT
                && let Some(notice) = LONG_WAIT_NOTICE.get()
            {
                notice();
            }
            std::thread::sleep(d);
            true
        }
        None => false,
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A storage error that says what happened to which file, and what to do.
pub(crate) fn db_error(path: &Path, e: &rusqlite::Error) -> Error {
    use rusqlite::ffi::ErrorCode;
    if matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::SystemIoFailure) | Some(ErrorCode::DiskFull)
    ) && vaultty_core::paths::disk_is_full(path)
    {
        // SQLite says "disk I/O error" for a full disk in several places (growing -shm, for
        // one); the free space tells the two apart.
        return Error::storage(
            path,
            "the disk is full; nothing was changed. Free some space and try again.",
        );
    }
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "is not a vaultty store or is corrupt; it was left untouched. \
             Move it aside (or restore a backup) and run vaultty again."
                .to_owned()
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            "the store is corrupt; it was left untouched. Restore a backup.".to_owned()
        }
        Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied) => {
            format!(
                "cannot write the store ({e}); check the permissions of the file and its directory"
            )
        }
        Some(ErrorCode::DiskFull) => "the disk is full; nothing was changed".to_owned(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            "the store stayed locked by another vaultty process; try again".to_owned()
        }
        _ => format!("store error: {e}"),
    };
    Error::storage(path, message)
}

/// Is this the error SQLite gives for a UNIQUE constraint?
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_waits_start_short_grow_and_stop_at_the_timeout() {
        assert_eq!(busy_step(0), Some(Duration::from_micros(50)));
        assert_eq!(busy_step(1), Some(Duration::from_micros(100)));
        assert_eq!(busy_step(6), Some(Duration::from_micros(3200)));
        assert_eq!(busy_step(7), Some(BUSY_STEP_MAX));
        assert_eq!(busy_step(1000), Some(BUSY_STEP_MAX));
        // The waits add up to the timeout exactly, and then it gives up.
        let mut total = Duration::ZERO;
        let mut tries = 0;
        while let Some(d) = busy_step(tries) {
            assert!(
                d > Duration::ZERO && d <= BUSY_STEP_MAX,
                "{d:?} after {tries}"
            );
            total += d;
            tries += 1;
        }
        assert_eq!(total, BUSY_TIMEOUT);
        assert!(tries > 6000 && tries < 6020, "{tries} tries");
    }

    #[test]
    fn a_writer_waits_for_another_connections_write_lock() {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(
            d.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let a = Store::open_in(d.path()).unwrap();
        let probe = |c: &Connection, x: i64| {
            c.execute(
                "INSERT INTO auth_events (at, email, outcome) VALUES (?1, 'probe', 'probe')",
                [x],
            )
            .unwrap();
        };
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let dir = d.path().to_path_buf();
        let b = std::thread::spawn(move || {
            let b = Store::open_in(&dir).unwrap();
            go_rx.recv().unwrap();
            let t = std::time::Instant::now();
            b.write(|c| {
                probe(c, 2);
                Ok(())
            })
            .unwrap();
            done_tx.send(t.elapsed()).unwrap();
        });
        a.write(|c| {
            probe(c, 1);
            go_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(30));
            // b is still waiting: the lock is held until this commits
            assert!(done_rx.try_recv().is_err());
            Ok(())
        })
        .unwrap();
        b.join().unwrap();
        let waited = done_rx.recv().unwrap();
        assert!(waited >= Duration::from_millis(25), "{waited:?}");
        let xs: Vec<i64> = a
            .conn()
            .prepare("SELECT at FROM auth_events WHERE email = 'probe' ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(xs, [1, 2]);
    }
}

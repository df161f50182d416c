//! Test support for vaultty (a dev-dependency of the product; the benchmark harness uses it
//! too): sandboxes whose store is SQLite or a real PostgreSQL database, cheap Argon2 options,
//! the manual clock, the [`conformance!`] macro that runs one test against both stores, and
//! [`pty`], the terminal model that runs the real binary in a pseudo-terminal (the UI's
//! end-to-end tests and the benchmarks share it).
//!
//! Tests read what they need through the service or the stores' documented inspection API
//! ([`vaultty_core::storage::Inspect`]), never by opening the database behind the store's
//! back; tests of SQLite's own file handling use the SQLite store's API directly.

pub mod pg;
pub mod pty;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vaultty_core::storage::{Inspect, Storage};
use vaultty_core::{Accounts, HashParams, ManualClock, Options, Result};

/// A fixed start time for manual clocks (2027-01-15).
pub const T0: i64 = 1_800_000_000;

/// Argon2 parameters cheap enough for tests (never for production).
pub fn cheap_hash() -> HashParams {
    HashParams::insecure_for_tests(64, 1, 1)
}

/// Which store a sandbox uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    static CURRENT: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

/// The store sandboxes made on this thread use (see [`conformance!`]).
pub fn current_backend() -> Backend {
    CURRENT.with(Cell::get)
}

/// Makes sandboxes on this thread use `backend`.
pub fn use_backend(backend: Backend) {
    CURRENT.with(|c| c.set(backend));
}

/// Runs a test body once per store: `name::sqlite` always, `name::postgres` against the
/// server of `VAULTTY_TEST_PG_URL` (without it, the test says it was skipped and why).
#[macro_export]
macro_rules! conformance {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                $crate::use_backend($crate::Backend::Sqlite);
                $body
            }
            #[test]
            fn postgres() {
                if $crate::pg::server(concat!(module_path!(), "::postgres")).is_none() {
                    return;
                }
                $crate::use_backend($crate::Backend::Postgres);
                $body
            }
        }
    };
}

/// Where a sandbox's accounts live.
enum Place {
    /// `<data dir>/vaultty.db`.
    Sqlite,
    /// A database of its own, dropped with the sandbox.
    Postgres(pg::TestDb),
}

/// A temporary data dir (`<tmp>/data`, created on first open) with a store of the current
/// backend and a manual clock.
pub struct Sandbox {
    pub dir: PathBuf,
    pub clock: Arc<ManualClock>,
    place: Place,
    _tmp: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox on the current backend ([`current_backend`]).
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let place = match current_backend() {
            Backend::Sqlite => Place::Sqlite,
            Backend::Postgres => Place::Postgres(
                pg::server_quiet("sandbox")
                    .expect("the postgres variant runs only with VAULTTY_TEST_PG_URL")
                    .fresh_db(),
            ),
        };
        Sandbox {
            dir: tmp.path().join("data"),
            clock: Arc::new(ManualClock::new(T0)),
            place,
            _tmp: tmp,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.place {
            Place::Sqlite => Backend::Sqlite,
            Place::Postgres(_) => Backend::Postgres,
        }
    }

    /// The store setting (`--store`) of this sandbox: `None` for the data dir's SQLite file.
    pub fn store_url(&self) -> Option<String> {
        match &self.place {
            Place::Sqlite => None,
            Place::Postgres(db) => Some(db.url.clone()),
        }
    }

    /// Cheap Argon2 and this sandbox's clock.
    pub fn options(&self) -> Options {
        Options {
            hash: cheap_hash(),
            clock: self.clock.clone(),
            ..Options::default()
        }
    }

    /// A new connection to the store, as another process would open it.
    pub fn store(&self) -> Result<Box<dyn Storage>> {
        Ok(match &self.place {
            Place::Sqlite => {
                let dir = vaultty_core::paths::ensure_private_dir(&self.dir)?;
                Box::new(vaultty_store_sqlite::Store::open_in(&dir)?)
            }
            Place::Postgres(db) => Box::new(vaultty_store_postgres::PgStore::open(&db.url)?),
        })
    }

    /// The store's inspection API, on a connection of its own.
    pub fn inspect(&self) -> Box<dyn Inspect> {
        match &self.place {
            Place::Sqlite => {
                let dir = vaultty_core::paths::ensure_private_dir(&self.dir).expect("data dir");
                Box::new(vaultty_store_sqlite::Store::open_in(&dir).expect("open the store"))
            }
            Place::Postgres(db) => {
                Box::new(vaultty_store_postgres::PgStore::open(&db.url).expect("open the store"))
            }
        }
    }

    /// The service with `options`, over a new connection to the store.
    pub fn open_with(&self, options: Options) -> Result<Accounts> {
        let store = self.store()?;
        Accounts::new(&self.dir, store, options)
    }

    /// The service with cheap Argon2 and the sandbox's clock.
    pub fn open(&self) -> Accounts {
        self.open_with(self.options()).expect("open the vault")
    }

    /// The service with a session token file of its own (a second terminal on the store).
    pub fn open_terminal(&self, name: &str) -> Accounts {
        let mut o = self.options();
        o.token_file = Some(self.dir.join(name));
        self.open_with(o).expect("open the vault")
    }

    /// The path of the SQLite store file (SQLite sandboxes only).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        matches!(self.place, Place::Sqlite).then(|| self.dir.join(vaultty_core::paths::DB_FILE))
    }

    /// The data dir.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }
}

//! Opening the vault of a data dir with its store.
//!
//! The store is `sqlite:<data dir>/vaultty.db` unless the process was configured with another
//! ([`configure`]: `--store URL`, `$VAULTTY_STORE` or `store = ...` in the config file):
//! `sqlite:PATH` for a SQLite file elsewhere, or a `postgres://` URL. The data dir keeps what
//! stays with each OS user on each machine (the session token file, the Argon2 slot file).

use crate::{Accounts, Error, Options, Result};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vaultty_core::paths::{DB_FILE, ensure_private_dir, store_exists};
use vaultty_core::storage::Storage;
use vaultty_store_postgres::PgStore;
use vaultty_store_sqlite::Store;

/// How this process opens its vault, and the UI's settings: set once at start-up from the
/// configuration.
#[derive(Clone, Default)]
pub struct Setup {
    /// The store setting; `None`: the SQLite file in the data dir.
    pub store: Option<String>,
    pub options: Options,
    /// How password fields are drawn.
    pub mask: Option<vaultty_core::config::MaskStyle>,
    /// Whether the last email is remembered for the login screen (see [`crate::remember`]).
    pub remember_email: bool,
    /// `--config FILE`, which processes this one starts (the agent) are given too.
    pub config_file: Option<std::path::PathBuf>,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

/// Makes `setup` the way [`open`] and [`open_existing`] open vaults in this process (the
/// first call wins).
pub fn configure(setup: Setup) {
    let _ = SETUP.set(setup);
}

/// This process's setup (the defaults until [`configure`] ran).
pub fn setup() -> Setup {
    SETUP.get().cloned().unwrap_or_default()
}

/// Where a store setting points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreAt {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Reads a store setting (`sqlite:PATH` or `postgres://...`); `None` for the data dir's file.
pub fn store_at(dir: &Path, store: Option<&str>) -> Result<StoreAt> {
    match store {
        None => Ok(StoreAt::Sqlite(dir.join(DB_FILE))),
        Some(s) if s.starts_with("postgres://") || s.starts_with("postgresql://") => {
            Ok(StoreAt::Postgres(s.to_owned()))
        }
        Some(s) => match s.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => Ok(StoreAt::Sqlite(PathBuf::from(path))),
            _ => Err(Error::Internal(format!(
                "the store setting {:?} is not one vaultty knows: use sqlite:PATH or \
                 postgres://USER@HOST/DB",
                vaultty_core::config::without_password(s)
            ))),
        },
    }
}

/// Opens the vault in `dir` with this process's setup, creating the dir (0700) and a SQLite
/// store (0600) if needed.
pub fn open(dir: &Path) -> Result<Accounts> {
    let setup = setup();
    open_at(dir, setup.store.as_deref(), setup.options)
}

/// [`open`] with the given options (hash cost, clock, session limits, token file).
pub fn open_with(dir: &Path, options: Options) -> Result<Accounts> {
    open_at(dir, setup().store.as_deref(), options)
}

/// Opens the vault in `dir` over the store `store` (see [`store_at`]).
pub fn open_at(dir: &Path, store: Option<&str>, options: Options) -> Result<Accounts> {
    let dir = ensure_private_dir(dir)?;
    let store: Box<dyn Storage> = match store_at(&dir, store)? {
        StoreAt::Sqlite(path) => Box::new(Store::open(&path)?),
        StoreAt::Postgres(url) => Box::new(PgStore::open(&url)?),
    };
    Accounts::new(&dir, store, options)
}

/// Opens the vault in `dir` only if its store exists already: `None` (and nothing created)
/// otherwise. For commands that only read or end a session. A PostgreSQL store always exists
/// as far as this is concerned (the server says otherwise when it is reached).
pub fn open_existing(dir: &Path) -> Result<Option<Accounts>> {
    let setup = setup();
    let exists = match store_at(dir, setup.store.as_deref())? {
        // `store_exists` answers "yes" when it cannot tell (a data dir below a file, say), so
        // that opening reports the problem.
        StoreAt::Sqlite(_) if setup.store.is_none() => store_exists(dir),
        StoreAt::Sqlite(path) => !matches!(
            std::fs::metadata(&path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound
        ),
        StoreAt::Postgres(_) => true,
    };
    if !exists {
        return Ok(None);
    }
    open(dir).map(Some)
}

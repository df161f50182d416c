//! Opening the vault of a data dir with its store.

use crate::{Accounts, Options, Result};
use std::path::Path;
use vaultty_core::paths::{ensure_private_dir, store_exists};
use vaultty_store_sqlite::Store;

/// Opens the vault in `dir` with production settings, creating the dir (0700) and the store
/// (0600) if needed.
pub fn open(dir: &Path) -> Result<Accounts> {
    open_with(dir, Options::default())
}

/// [`open`] with the given options (hash cost, clock, session limits, session file).
pub fn open_with(dir: &Path, options: Options) -> Result<Accounts> {
    let dir = ensure_private_dir(dir)?;
    let store = Store::open_in(&dir)?;
    Accounts::new(&dir, Box::new(store), options)
}

/// Opens the vault in `dir` only if it holds a store already: `None` (and nothing created)
/// otherwise. For commands that only read or end a session.
pub fn open_existing(dir: &Path) -> Result<Option<Accounts>> {
    if !store_exists(dir) {
        return Ok(None);
    }
    open(dir).map(Some)
}

//! vaultty's front ends: the command line ([`cli`]) and the terminal UI ([`tui`]), both over
//! the account service of `vaultty-core`, with the store opened by [`open`]. The rules live in
//! the core crate, which has no UI and no store driver; this package adds only what a person
//! at a terminal sees and types, and the process set-up ([`process`]).

pub mod agent;
pub mod cli;
mod open;
pub mod process;
pub mod remember;
pub mod tui;

pub use open::{Setup, configure, open, open_at, open_existing, open_with, setup};

// The core's modules and types under their old paths, so the front ends (and their tests)
// name them as `vaultty::...`.
pub use vaultty_core::{
    Account, Accounts, Clock, Ended, Error, Field, HashParams, LoginReport, ManualClock, Options,
    Password, ResetCode, Result, Role, SessionInfo, SessionLimits, SessionStatus, SessionToken,
    Strength, SystemClock, Unavailable, ValidationError, admin, api, auth, clock, error,
    password_strength, paths, sanitize, secret, storage, timefmt, token_file, vault, vault_keys,
};
/// The default store: one SQLite file in the data dir.
pub use vaultty_store_sqlite as store;

//! vaultty's core: every rule of the account vault, with no user interface and no store
//! driver. Accounts, password policy and hashing, throttling, sessions and the session token
//! file live here; stores implement [`storage::Storage`] in their own crates, and the front
//! ends (the CLI and the terminal UI, in the `vaultty` package) only call [`Accounts`]. The
//! core never prints.

mod accounts;
pub mod admin;
pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod locked;
pub mod paths;
pub mod sanitize;
pub mod secret;
pub mod storage;
pub mod timefmt;
pub mod token_file;
pub mod vault;
pub mod vault_keys;

pub use accounts::{
    Account, Accounts, Ended, LoginReport, Options, Role, SessionInfo, SessionLimits, SessionStatus,
};
pub use auth::hashing::HashParams;
pub use auth::policy::{Strength, password_strength};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Field, Unavailable, ValidationError};
pub use secret::{Password, ResetCode, SessionToken};

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

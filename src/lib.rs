//! vaultty: a local account vault for the terminal.
//!
//! This library owns every rule: accounts, password policy and hashing, throttling, sessions and
//! the on-disk store. It has no UI types and never prints; the CLI and the terminal UI are thin
//! front ends over [`Vaultty`].

pub mod auth;
pub mod cli;
pub mod clock;
pub mod error;
pub mod paths;
pub mod process;
pub mod sanitize;
pub mod secret;
pub mod session;
pub mod storage;
pub mod store;
pub mod timefmt;
pub mod tui;
mod vault;

pub use auth::hashing::HashParams;
pub use auth::policy::{Strength, password_strength};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Field, ValidationError};
pub use secret::{Password, SessionToken};
pub use vault::{Account, LoginReport, Options, Role, SessionInfo, SessionLimits, Vaultty};

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.
//! - `service`: opening the vault and reading and writing entries (methods of `Accounts`).

pub mod entry;
pub(crate) mod service;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};
pub use service::VaultOpened;

//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.
//! - `service`: opening the vault and reading and writing entries (methods of `Accounts`).
//! - [`transfer`]: imports (Bitwarden JSON, KeePassXC CSV, vaultty's own) and exports
//!   (plaintext JSON, age-encrypted with a passphrase).

pub mod entry;
pub(crate) mod service;
pub mod transfer;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};
pub use service::VaultOpened;

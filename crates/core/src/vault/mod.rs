//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.
//! - `service`: opening the vault and reading and writing entries (methods of `Accounts`).
//! - [`transfer`]: imports (Bitwarden JSON, KeePassXC CSV, vaultty's own) and exports
//!   (plaintext JSON, age-encrypted with a passphrase).
//! - [`filter`]: the fuzzy filter of the entries' list.
//! - [`generator`]: new passwords: EFF-word passphrases or random characters.
//! - [`totp`]: one-time codes (RFC 6238) from an entry's `totp` field.

pub mod entry;
pub mod filter;
pub mod generator;
pub(crate) mod service;
pub mod totp;
pub mod transfer;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};
pub use filter::Filter;
pub use service::{ImportReport, VaultOpened};

//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.
//! - [`generator`]: new passwords: EFF-word passphrases or random characters.
//! - [`totp`]: one-time codes (RFC 6238) from an entry's `totp` field.

pub mod entry;
pub mod generator;
pub mod totp;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};

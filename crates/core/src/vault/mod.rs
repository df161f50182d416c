//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.
//! - [`totp`]: one-time codes (RFC 6238) from an entry's `totp` field.

pub mod entry;
pub mod totp;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};

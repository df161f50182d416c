//! The vault: end-to-end encrypted entries behind the login (issue 16).
//!
//! - [`entry`]: an entry in the clear and its sealed encoding.

pub mod entry;

pub use entry::{Entry, EntryField, EntryProblem, EntryRecord};

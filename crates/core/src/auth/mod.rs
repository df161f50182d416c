//! Authentication rules: identities (emails, names), input policy, password hashing and throttling arithmetic.

pub mod hashing;
pub mod identity;
pub mod policy;
pub mod slots;
pub mod lockout;

//! Authentication rules: identities (emails, names), input policy, password hashing and throttling arithmetic.

pub mod hashing;
pub mod identity;
pub mod lockout;
pub mod policy;
pub mod slots;

//! Authentication rules: input policy, password hashing and throttling arithmetic.

pub mod hashing;
pub mod policy;
pub mod slots;
pub mod throttle;

//! What the screens are drawn with.

pub mod field;
pub mod secret;

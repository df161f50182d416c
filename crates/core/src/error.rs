//! Typed domain errors. Front ends map them to messages and exit codes; none of them ever
//! carries a password or a session token.

use std::fmt;
use std::path::PathBuf;

/// Which input a validation message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    Name,
    Password,
    CurrentPassword,
    /// The password that replaces the current one.
    NewPassword,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Email => "Email",
            Field::Name => "Name",
            Field::Password => "Password",
            Field::CurrentPassword => "Current password",
            Field::NewPassword => "New password",
        })
    }
}

/// One refused input: what is wrong and, where useful, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: Field,
    pub message: String,
    pub hint: Option<String>,
}

impl ValidationError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A sentence: "Email is not a valid email address. Use the form name@example.com." The field
/// is named as the screens name it.
impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " {h}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more inputs were refused; nothing was written.
    #[error("{}", join(.0))]
    Invalid(Vec<ValidationError>),
    /// Unknown email or wrong password: deliberately one message for both.
    #[error("Email or password is incorrect.")]
    InvalidCredentials,
    /// Too many failed attempts for this email; the seconds to wait.
    #[error("Too many failed attempts. Try again in {}.", wait_text(*.0))]
    Throttled(u64),
    #[error("An account with this email already exists. Log in instead, or use another email.")]
    EmailTaken,
    /// `passwd` with a wrong current password.
    #[error("Current password is incorrect.")]
    CurrentPasswordIncorrect,
    #[error("Not logged in: no valid session. Run `vaultty login` first.")]
    NoSession,
    /// The store or a file in the data dir could not be used. Names the file.
    #[error("{}: {message}", path.display())]
    Storage { path: PathBuf, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// A wait as people read it: seconds up to 90, whole minutes (rounded up) above.
pub fn wait_text(secs: u64) -> String {
    if secs <= 90 {
        format!("{secs} s")
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

fn join(errs: &[ValidationError]) -> String {
    errs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn invalid(e: ValidationError) -> Self {
        Error::Invalid(vec![e])
    }

    pub fn storage(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Storage {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The documented process exit code for this error (see the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Storage { .. } | Error::Internal(_) => 1,
            Error::InvalidCredentials | Error::CurrentPasswordIncorrect | Error::NoSession => 3,
            Error::Throttled(_) => 4,
            Error::EmailTaken => 5,
            Error::Invalid(_) => 6,
        }
    }
}

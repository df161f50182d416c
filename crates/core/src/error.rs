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
    /// A reset or first-login code.
    Code,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Email => "Email",
            Field::Name => "Name",
            Field::Password => "Password",
            Field::CurrentPassword => "Current password",
            Field::NewPassword => "New password",
            Field::Code => "Code",
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
    /// The caller may not do this: not an administrator, or it would leave the store without
    /// an active one. The text says which.
    #[error("Not allowed: {0}")]
    NotAllowed(String),
    /// The password was right, but the account may not be used.
    #[error("{}", unavailable_text(*.0))]
    AccountUnavailable(Unavailable),
    /// An administrator named an email that has no account.
    #[error(
        "No account has the email {0}. Check the spelling, or list accounts with `vaultty admin users`."
    )]
    UnknownAccount(String),
    /// The action needs the password entered in the last few minutes.
    #[error("This needs your password again: it was last entered more than 5 minutes ago.")]
    ReauthRequired,
    /// A wrong, used or expired reset code: one message for the three.
    #[error("The code is wrong, used or expired. Ask an administrator for a new one.")]
    InvalidResetCode,
    /// A bad row in an import file; nothing was created.
    #[error("line {line}: {message} Nothing was imported.")]
    Import { line: u64, message: String },
    /// A vault command without an unlocked vault.
    #[error("vault locked: run `vaultty unlock`")]
    VaultLocked,
    /// The vault is sealed since a reset code set the password.
    #[error(
        "Your vault is sealed: your password was reset with a code, and your old password's key is gone. Run `vaultty vault recover` with your recovery code to open it, or `vaultty vault recover --discard` to give it up and start an empty vault."
    )]
    VaultSealed,
    /// A wrong recovery code.
    #[error(
        "The recovery code is wrong: it does not open this vault. Check it against what you wrote down."
    )]
    InvalidRecoveryCode,
    /// A stored key wrapping or entry failed its integrity check; nothing was shown or
    /// overwritten. Says which.
    #[error(
        "The vault's data failed its integrity check: {0}. It was changed outside vaultty, or the store is damaged. Nothing was shown or overwritten; restore the store from a backup."
    )]
    VaultDamaged(String),
    /// An entry's fields were refused (says which and why); nothing was written.
    #[error("The entry's {0}")]
    InvalidEntry(String),
    /// An import or export was refused (a wrong passphrase, a damaged or unknown file); says
    /// which and why. Nothing was written.
    #[error("{0}")]
    Transfer(String),
    /// No entry has this id or title.
    #[error("No entry {0}. List them with `vaultty vault list`.")]
    UnknownEntry(String),
    /// A title that names several entries.
    #[error("{count} entries are titled {title:?}: name one by id ({ids}).")]
    AmbiguousEntry {
        title: String,
        count: usize,
        ids: String,
    },
    /// The store or a file in the data dir could not be used. Names the file.
    #[error("{}: {message}", path.display())]
    Storage { path: PathBuf, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why an account whose password was right may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    Disabled,
    Expired,
}

fn unavailable_text(u: Unavailable) -> &'static str {
    match u {
        Unavailable::Disabled => "This account is disabled. Ask an administrator to enable it.",
        Unavailable::Expired => "This account has expired. Ask an administrator to extend it.",
    }
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
            Error::InvalidCredentials
            | Error::CurrentPasswordIncorrect
            | Error::NoSession
            | Error::ReauthRequired
            | Error::InvalidResetCode
            | Error::InvalidRecoveryCode => 3,
            Error::Throttled(_) => 4,
            Error::EmailTaken => 5,
            Error::Invalid(_)
            | Error::UnknownAccount(_)
            | Error::Import { .. }
            | Error::UnknownEntry(_)
            | Error::InvalidEntry(_)
            | Error::Transfer(_)
            | Error::AmbiguousEntry { .. } => 6,
            Error::NotAllowed(_) => 7,
            Error::AccountUnavailable(_) => 8,
            Error::VaultLocked | Error::VaultSealed => 9,
            Error::VaultDamaged(_) => 10,
        }
    }
}

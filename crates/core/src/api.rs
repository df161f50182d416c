//! The one request/response API both front ends speak. The CLI and the terminal UI build
//! [`Request`]s and read [`Response`]s; a [`Backend`] answers them. [`Accounts`] is the
//! in-process backend; a remote one (a fleet server in front of the database) can be added
//! without touching the screens or the commands.

use crate::{Account, Accounts, Error, LoginReport, Password, Result, SessionInfo};
use std::path::PathBuf;

/// What a front end asks for. Secrets travel in zeroizing [`Password`]s.
#[derive(Debug)]
pub enum Request {
    /// Create an account (does not log in).
    Signup {
        email: String,
        name: String,
        password: Password,
    },
    /// Log in: on success the new session's token is in this data dir's token file.
    Login { email: String, password: Password },
    /// End the session of the token file.
    Logout,
    /// The session of the token file, if valid; `refresh` counts as use (it moves the idle
    /// limit), a peek does not.
    Session { refresh: bool },
    /// Change the password in one step (the new one is checked first).
    ChangePassword { current: Password, new: Password },
    /// The first of two steps: check the current password; answered with the account, so a
    /// front end can ask for the new password knowing the current one was right.
    BeginPasswordChange { current: Password },
    /// The second step: the new password.
    FinishPasswordChange { new: Password },
    /// A consistent copy of the store in the new file `to`.
    Backup { to: PathBuf },
    /// Map Argon2's memory now: a person is typing a password.
    PrepareMemory,
    /// Wipe that memory after a run (keeping it mapped for another try).
    WipeMemory,
    /// Wipe and free it.
    ReleaseMemory,
}

/// The answer to a [`Request`], variant for variant.
#[derive(Debug)]
pub enum Response {
    Signup(Result<Account>),
    Login(Result<LoginReport>),
    Logout(Result<bool>),
    Session(Result<Option<SessionInfo>>),
    PasswordChanged(Result<usize>),
    PasswordChangeBegun(Result<Account>),
    Backup(Result<i64>),
    /// For the memory requests.
    Done,
}

/// Answers requests.
pub trait Backend {
    fn call(&self, request: Request) -> Response;
}

/// The in-process backend: the account service of this data dir and its store.
impl Backend for Accounts {
    fn call(&self, request: Request) -> Response {
        match request {
            Request::Signup {
                email,
                name,
                password,
            } => Response::Signup(self.signup(&email, &name, &password)),
            Request::Login { email, password } => Response::Login(self.login(&email, &password)),
            Request::Logout => Response::Logout(self.logout()),
            Request::Session { refresh: true } => Response::Session(self.current_session()),
            Request::Session { refresh: false } => Response::Session(self.peek_session()),
            Request::ChangePassword { current, new } => {
                Response::PasswordChanged(self.change_password(&current, &new))
            }
            Request::BeginPasswordChange { current } => {
                Response::PasswordChangeBegun(self.begin_password_change(&current))
            }
            Request::FinishPasswordChange { new } => {
                Response::PasswordChanged(self.finish_password_change(&new))
            }
            Request::Backup { to } => Response::Backup(self.backup(&to)),
            Request::PrepareMemory => {
                self.hasher().prepare();
                Response::Done
            }
            Request::WipeMemory => {
                self.hasher().wipe_prepared();
                Response::Done
            }
            Request::ReleaseMemory => {
                self.hasher().release_prepared();
                Response::Done
            }
        }
    }
}

/// The answer a front end did not expect for its request (a backend bug, never the user's).
pub fn unexpected(response: Response) -> Error {
    Error::Internal(format!("unexpected answer from the backend: {response:?}"))
}

macro_rules! expect_fn {
    ($(#[$doc:meta])* $name:ident, $variant:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $name(backend: &dyn Backend, request: Request) -> Result<$t> {
            match backend.call(request) {
                Response::$variant(r) => r,
                other => Err(unexpected(other)),
            }
        }
    };
}

expect_fn!(
    /// Sends a signup and returns its account.
    signup, Signup, Account);
expect_fn!(
    /// Sends a login and returns its report.
    login, Login, LoginReport);
expect_fn!(
    /// Sends a logout; whether a live session ended.
    logout, Logout, bool);
expect_fn!(
    /// Asks for the session.
    session, Session, Option<SessionInfo>);
expect_fn!(
    /// Sends a password change (one step or the second step); how many other sessions ended.
    password_changed, PasswordChanged, usize);
expect_fn!(
    /// Sends the first step of a password change.
    begin_password_change, PasswordChangeBegun, Account);
expect_fn!(
    /// Asks for a backup; how many accounts it holds.
    backup, Backup, i64);

//! The one request/response API both front ends speak. The CLI and the terminal UI build
//! [`Request`]s and read [`Response`]s; a [`Backend`] answers them. [`Accounts`] is the
//! in-process backend; a remote one (a fleet server in front of the database) can be added
//! without touching the screens or the commands.

use crate::admin::{AdminOp, ImportedAccount, SessionEntry, UserRow};
use crate::secret::ResetCode;
use crate::storage::{AccountCounts, AccountQuery, AccountSort, AuditEvent, Cursor};
use crate::vault::transfer::Format;
use crate::vault::{Entry, EntryRecord, ImportReport, VaultOpened};
use crate::{Account, Accounts, Error, LoginReport, Password, Result, SessionInfo, SessionStatus};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// A page of the accounts list, as a request carries it.
#[derive(Debug, Clone, Default)]
pub struct UsersQuery {
    pub filter: String,
    pub sort: AccountSort,
    pub cursor: Option<Cursor>,
    pub backward: bool,
    pub limit: usize,
}

/// Which audit events, as a request carries it.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub email: Option<String>,
    pub contains: Option<String>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

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
    /// The session's state without counting as use, or why it ended (an open UI's check).
    SessionStatus,
    /// Enter the password again, for an action that needs a recent one.
    Reauthenticate { password: Password },
    /// Set a new password with a reset or first-login code (the code is a secret too).
    ResetPassword {
        email: String,
        code: Password,
        new: Password,
    },
    /// The caller's sessions.
    Sessions,
    /// End one of the caller's sessions.
    RevokeSession { id: i64 },
    /// End every session of the caller's but this one.
    RevokeOtherSessions,
    /// The caller's recent events.
    History { limit: usize },
    /// Delete the caller's own account.
    DeleteAccount { password: Password },
    /// Administrators: a page of accounts.
    Users(UsersQuery),
    /// Administrators: every account matching a filter.
    AllUsers { filter: String },
    /// Administrators: counts for the accounts list.
    UserCounts { filter: String },
    /// Administrators: change an account.
    Admin { email: String, op: AdminOp },
    /// Administrators: a reset code for an account.
    IssueResetCode { email: String },
    /// Administrators: create accounts from a CSV file's bytes.
    Import { csv: Vec<u8> },
    /// Administrators: the audit log.
    Audit(AuditFilter),
    /// Unlock the vault with the password.
    Unlock { password: Password },
    /// Wipe the vault's key from memory.
    Lock,
    /// Every entry, decrypted.
    VaultEntries,
    /// One entry, decrypted.
    VaultEntry { id: i64 },
    /// Add entries (all or none).
    VaultAdd { entries: Vec<Entry> },
    /// Replace an entry's fields.
    VaultUpdate { id: i64, entry: Entry },
    /// Delete an entry.
    VaultDelete { id: i64 },
    /// Import a file's bytes (an age file with its passphrase).
    VaultImport {
        format: Format,
        bytes: Zeroizing<Vec<u8>>,
        passphrase: Option<Password>,
    },
    /// Every entry as vaultty's JSON export, age-sealed with the passphrase if one is given.
    VaultExport { passphrase: Option<Password> },
    /// A new recovery code (the password again); the old one stops working.
    NewRecoveryCode { password: Password },
    /// Open a sealed vault with the recovery code.
    RecoverVault { password: Password, code: Password },
    /// Give up a sealed vault: an empty one with a new recovery code.
    DiscardVault { password: Password },
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
    /// The account, and its vault's recovery code (to show once).
    Signup(Result<(Account, ResetCode)>),
    Login(Result<LoginReport>),
    Logout(Result<bool>),
    Session(Result<Option<SessionInfo>>),
    PasswordChanged(Result<usize>),
    PasswordChangeBegun(Result<Account>),
    Backup(Result<i64>),
    SessionStatus(Result<SessionStatus>),
    /// Re-authentication, a revocation of others' sessions or a deleted account: unit, or a
    /// count of sessions ended.
    Count(Result<usize>),
    Sessions(Result<Vec<SessionEntry>>),
    Events(Result<Vec<AuditEvent>>),
    Users(Result<Vec<UserRow>>),
    UserCounts(Result<AccountCounts>),
    ResetCode(Result<ResetCode>),
    Imported(Result<Vec<ImportedAccount>>),
    VaultOpened(Result<VaultOpened>),
    Entries(Result<Vec<EntryRecord>>),
    EntryIds(Result<Vec<i64>>),
    VaultImported(Result<ImportReport>),
    Bytes(Result<Zeroizing<Vec<u8>>>),
    /// For the memory requests and `Lock`.
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
            } => Response::Signup(self.signup_with_vault(&email, &name, &password)),
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
            Request::SessionStatus => Response::SessionStatus(self.session_status()),
            Request::Reauthenticate { password } => {
                Response::Count(self.reauthenticate(&password).map(|()| 0))
            }
            Request::ResetPassword { email, code, new } => {
                Response::Count(self.reset_password(&email, code.expose(), &new))
            }
            Request::Sessions => Response::Sessions(self.sessions()),
            Request::RevokeSession { id } => Response::Count(self.revoke_session(id)),
            Request::RevokeOtherSessions => Response::Count(self.revoke_other_sessions()),
            Request::History { limit } => Response::Events(self.history(limit)),
            Request::DeleteAccount { password } => {
                Response::Count(self.delete_own_account(&password).map(|()| 0))
            }
            Request::Users(q) => Response::Users(self.users_page(&AccountQuery {
                filter: &q.filter,
                sort: q.sort,
                cursor: q.cursor,
                backward: q.backward,
                limit: q.limit,
            })),
            Request::AllUsers { filter } => Response::Users(self.all_users(&filter)),
            Request::UserCounts { filter } => Response::UserCounts(self.user_counts(&filter)),
            Request::Admin { email, op } => Response::Count(self.admin(&email, op)),
            Request::IssueResetCode { email } => Response::ResetCode(self.issue_reset_code(&email)),
            Request::Import { csv } => Response::Imported(self.import_csv(&csv)),
            Request::Audit(f) => Response::Events(self.audit_log(
                f.email.as_deref(),
                f.contains.as_deref(),
                f.before_id,
                f.limit,
            )),
            Request::Unlock { password } => Response::VaultOpened(self.unlock(&password)),
            Request::Lock => {
                self.lock();
                Response::Done
            }
            Request::VaultEntries => Response::Entries(self.vault_entries()),
            Request::VaultEntry { id } => Response::Entries(self.vault_entry(id).map(|e| vec![e])),
            Request::VaultAdd { entries } => Response::EntryIds(self.vault_add(&entries)),
            Request::VaultUpdate { id, entry } => {
                Response::Count(self.vault_update(id, &entry).map(|()| 0))
            }
            Request::VaultDelete { id } => Response::Count(self.vault_delete(id).map(|()| 0)),
            Request::VaultImport {
                format,
                bytes,
                passphrase,
            } => Response::VaultImported(self.vault_import(format, &bytes, passphrase.as_ref())),
            Request::VaultExport { passphrase } => {
                Response::Bytes(self.vault_export(passphrase.as_ref()))
            }
            Request::NewRecoveryCode { password } => {
                Response::ResetCode(self.new_recovery_code(&password))
            }
            Request::RecoverVault { password, code } => Response::Count(
                match ResetCode::parse(code.expose()) {
                    Some(code) => self.recover_vault(&password, &code),
                    None => Err(Error::InvalidRecoveryCode),
                }
                .map(|()| 0),
            ),
            Request::DiscardVault { password } => {
                Response::ResetCode(self.discard_vault(&password))
            }
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
    /// Sends a signup and returns its account and its vault's recovery code.
    signup, Signup, (Account, ResetCode));
expect_fn!(
    /// Sends an unlock; how it left the vault.
    vault_opened, VaultOpened, VaultOpened);
expect_fn!(
    /// Asks for entries.
    entries, Entries, Vec<EntryRecord>);
expect_fn!(
    /// Sends new entries; their ids.
    entry_ids, EntryIds, Vec<i64>);
expect_fn!(
    /// Sends an import; what it did.
    vault_imported, VaultImported, ImportReport);
expect_fn!(
    /// Asks for an export's bytes.
    bytes, Bytes, Zeroizing<Vec<u8>>);
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
expect_fn!(
    /// Asks for the session's state without counting as use.
    session_status, SessionStatus, SessionStatus);
expect_fn!(
    /// Sends a request answered with a count (sessions ended; 0 for a plain "done").
    count, Count, usize);
expect_fn!(
    /// Asks for the caller's sessions.
    sessions, Sessions, Vec<SessionEntry>);
expect_fn!(
    /// Asks for history or audit events.
    events, Events, Vec<AuditEvent>);
expect_fn!(
    /// Asks for accounts (administrators).
    users, Users, Vec<UserRow>);
expect_fn!(
    /// Asks for the accounts list's counts (administrators).
    user_counts, UserCounts, AccountCounts);
expect_fn!(
    /// Asks for a reset code (administrators).
    reset_code, ResetCode, ResetCode);
expect_fn!(
    /// Sends an import (administrators).
    imported, Imported, Vec<ImportedAccount>);

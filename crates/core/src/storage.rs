//! The storage trait: every operation the account service needs from a store, in domain
//! types. Two backends implement it (SQLite in the data dir, PostgreSQL for a fleet). No
//! driver type crosses it, and every security invariant holds on each backend by
//! construction, not by one database's locking:
//! - the throttle gate ([`Storage::gate`]) is one atomic upsert, so parallel guesses from many
//!   processes never get more than the limit;
//! - an email's uniqueness comes from the database's constraint ([`Error::EmailTaken`]);
//! - "now" has one source per store ([`Storage::now`]): PostgreSQL's own clock, so machines
//!   with skewed clocks agree.

use crate::Result;
use std::path::Path;

/// An account as stored, with its password hash. Only the service sees this; front ends get
/// [`crate::Account`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: i64,
    pub email: String,
    /// The uniqueness key (see `auth::identity::normalize_email`).
    pub email_norm: String,
    pub name: String,
    pub password_hash: String,
    /// "user" or "admin".
    pub role: String,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub disabled: bool,
    /// When the account stops working (Unix seconds); `None`: never.
    pub expires_at: Option<i64>,
}

/// The password hash of an account that has no usable password yet (created by an import,
/// waiting for its first-login code). It is not a PHC string, so nothing ever verifies.
pub const NO_PASSWORD: &str = "!";

impl AccountRecord {
    /// Whether the account may be used at `now`: not disabled and not past its expiry.
    pub fn usable_at(&self, now: i64) -> bool {
        !self.disabled && self.expires_at.is_none_or(|t| t > now)
    }
    /// Whether the account counts as an active administrator at `now`.
    pub fn active_admin_at(&self, now: i64) -> bool {
        self.role == "admin" && self.usable_at(now)
    }
}

/// A session as stored (the token itself is never stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: i64,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// When the password was last entered in this session (login, or re-authentication).
    pub authenticated_at: i64,
}

/// What an auth event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Signup,
    SignupTaken,
    SignupThrottled,
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    Logout,
    PasswordChanged,
    PasswordChangeFailure,
    /// A reset (or first-login) code set a new password.
    ResetUsed,
    /// A wrong, used or expired reset code (one event for the three).
    ResetFailure,
    ResetThrottled,
    /// The password entered again in a session (for an action that needs a recent one).
    Reauthenticated,
    ReauthFailure,
    ReauthThrottled,
    /// A user ended one or more of their own sessions.
    SessionsRevoked,
    /// A user deleted their own account.
    AccountDeleted,
    /// An administrator's action, carried out.
    Admin(AdminAction),
    /// An administrator's action, refused (the caller is not an admin, the account is
    /// unknown, or it would leave no active admin).
    AdminDenied(AdminAction),
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    Disable,
    Enable,
    Unlock,
    Promote,
    Demote,
    Expire,
    Delete,
    ResetCode,
    Import,
}

impl AdminAction {
    /// The action's name in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::Disable => "disable",
            AdminAction::Enable => "enable",
            AdminAction::Unlock => "unlock",
            AdminAction::Promote => "promote",
            AdminAction::Demote => "demote",
            AdminAction::Expire => "expire",
            AdminAction::Delete => "delete",
            AdminAction::ResetCode => "reset_code",
            AdminAction::Import => "import",
        }
    }
    const ALL: [AdminAction; 9] = [
        AdminAction::Disable,
        AdminAction::Enable,
        AdminAction::Unlock,
        AdminAction::Promote,
        AdminAction::Demote,
        AdminAction::Expire,
        AdminAction::Delete,
        AdminAction::ResetCode,
        AdminAction::Import,
    ];
}

impl Outcome {
    /// The name stored in the event log.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Signup => "signup",
            Outcome::SignupTaken => "signup_taken",
            Outcome::SignupThrottled => "signup_throttled",
            Outcome::LoginSuccess => "login_success",
            Outcome::LoginFailure => "login_failure",
            Outcome::LoginThrottled => "login_throttled",
            Outcome::Logout => "logout",
            Outcome::PasswordChanged => "password_changed",
            Outcome::PasswordChangeFailure => "password_change_failure",
            Outcome::ResetUsed => "reset_used",
            Outcome::ResetFailure => "reset_failure",
            Outcome::ResetThrottled => "reset_throttled",
            Outcome::Reauthenticated => "reauth_success",
            Outcome::ReauthFailure => "reauth_failure",
            Outcome::ReauthThrottled => "reauth_throttled",
            Outcome::SessionsRevoked => "sessions_revoked",
            Outcome::AccountDeleted => "account_deleted",
            Outcome::Admin(a) => match a {
                AdminAction::Disable => "admin_disable",
                AdminAction::Enable => "admin_enable",
                AdminAction::Unlock => "admin_unlock",
                AdminAction::Promote => "admin_promote",
                AdminAction::Demote => "admin_demote",
                AdminAction::Expire => "admin_expire",
                AdminAction::Delete => "admin_delete",
                AdminAction::ResetCode => "admin_reset_code",
                AdminAction::Import => "admin_import",
            },
            Outcome::AdminDenied(a) => match a {
                AdminAction::Disable => "admin_disable_denied",
                AdminAction::Enable => "admin_enable_denied",
                AdminAction::Unlock => "admin_unlock_denied",
                AdminAction::Promote => "admin_promote_denied",
                AdminAction::Demote => "admin_demote_denied",
                AdminAction::Expire => "admin_expire_denied",
                AdminAction::Delete => "admin_delete_denied",
                AdminAction::ResetCode => "admin_reset_code_denied",
                AdminAction::Import => "admin_import_denied",
            },
        }
    }

    /// The audit log's `action` and `outcome` for this event: ("login", "failure"),
    /// ("disable", "success"), ("reset", "throttled")…
    pub fn parts(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Signup => ("signup", "success"),
            Outcome::SignupTaken => ("signup", "failure"),
            Outcome::SignupThrottled => ("signup", "throttled"),
            Outcome::LoginSuccess => ("login", "success"),
            Outcome::LoginFailure => ("login", "failure"),
            Outcome::LoginThrottled => ("login", "throttled"),
            Outcome::Logout => ("logout", "success"),
            Outcome::PasswordChanged => ("password_change", "success"),
            Outcome::PasswordChangeFailure => ("password_change", "failure"),
            Outcome::ResetUsed => ("reset", "success"),
            Outcome::ResetFailure => ("reset", "failure"),
            Outcome::ResetThrottled => ("reset", "throttled"),
            Outcome::Reauthenticated => ("reauthenticate", "success"),
            Outcome::ReauthFailure => ("reauthenticate", "failure"),
            Outcome::ReauthThrottled => ("reauthenticate", "throttled"),
            Outcome::SessionsRevoked => ("revoke_sessions", "success"),
            Outcome::AccountDeleted => ("delete_account", "success"),
            Outcome::Admin(a) => (a.as_str(), "success"),
            Outcome::AdminDenied(a) => (a.as_str(), "denied"),
        }
    }

    /// Every outcome, for reading the log back.
    pub fn all() -> impl Iterator<Item = Outcome> {
        [
            Outcome::Signup,
            Outcome::SignupTaken,
            Outcome::SignupThrottled,
            Outcome::LoginSuccess,
            Outcome::LoginFailure,
            Outcome::LoginThrottled,
            Outcome::Logout,
            Outcome::PasswordChanged,
            Outcome::PasswordChangeFailure,
            Outcome::ResetUsed,
            Outcome::ResetFailure,
            Outcome::ResetThrottled,
            Outcome::Reauthenticated,
            Outcome::ReauthFailure,
            Outcome::ReauthThrottled,
            Outcome::SessionsRevoked,
            Outcome::AccountDeleted,
        ]
        .into_iter()
        .chain(AdminAction::ALL.into_iter().map(Outcome::Admin))
        .chain(AdminAction::ALL.into_iter().map(Outcome::AdminDenied))
    }

    /// The outcome stored as `name` (see [`Outcome::as_str`]).
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::all().find(|o| o.as_str() == name)
    }

    /// Whether the event is a failure or a refusal (the history highlights those).
    pub fn failed(self) -> bool {
        self.parts().1 != "success"
    }
}

/// One row of the audit log, as read back. `actor` is who acted (the email they gave, or
/// the administrator's), `target` whom it was about; for a person's own action they are the
/// same. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub target: String,
    /// The stored event name ([`Outcome::as_str`]).
    pub event: String,
}

impl AuditEvent {
    /// `action` and `outcome` (see [`Outcome::parts`]); an event name this build does not
    /// know reads as its own action with outcome "unknown".
    pub fn parts(&self) -> (&str, &str) {
        match Outcome::from_name(&self.event) {
            Some(o) => o.parts(),
            None => (self.event.as_str(), "unknown"),
        }
    }
}

/// Which audit events to read, newest first.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery<'a> {
    /// Only events whose actor or target is this event email.
    pub email: Option<&'a str>,
    /// Only events whose actor or target contains this text (lowercase).
    pub contains: Option<&'a str>,
    /// Only events older than this id (the next page).
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// What [`Storage::admin_change`] does to the target account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    Disable,
    Enable,
    Unlock,
    Promote,
    Demote,
    /// Sets (or, with `None`, clears) the account's expiry.
    Expire(Option<i64>),
    Delete,
    /// Stores a reset code's digest, replacing any earlier code of the account.
    ResetCode {
        code_sha256: &'a [u8; 32],
        expires_at: i64,
    },
}

impl Change<'_> {
    pub fn action(&self) -> AdminAction {
        match self {
            Change::Disable => AdminAction::Disable,
            Change::Enable => AdminAction::Enable,
            Change::Unlock => AdminAction::Unlock,
            Change::Promote => AdminAction::Promote,
            Change::Demote => AdminAction::Demote,
            Change::Expire(_) => AdminAction::Expire,
            Change::Delete => AdminAction::Delete,
            Change::ResetCode { .. } => AdminAction::ResetCode,
        }
    }

    /// Whether, applied to the last active admin, this would leave none. (An expiry set on
    /// the last admin would end administration on that day.)
    pub fn removes_admin(&self) -> bool {
        matches!(
            self,
            Change::Disable | Change::Demote | Change::Delete | Change::Expire(Some(_))
        )
    }
}

/// An administrator's change to an account, in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct AdminChange<'a> {
    /// The administrator's account; the store checks again, inside the transaction, that it
    /// is an active admin.
    pub actor_id: i64,
    pub actor_event: &'a str,
    pub target_norm: &'a str,
    pub target_event: &'a str,
    pub change: Change<'a>,
    pub now: i64,
}

/// How an [`AdminChange`] (or a self-deletion) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// Done; this many sessions of the account ended with it.
    Done {
        sessions_ended: usize,
    },
    UnknownAccount,
    /// The actor is not (or no longer) an active admin.
    NotAdmin,
    /// It would leave the store without an active admin.
    LastAdmin,
}

/// One account of an import.
#[derive(Debug, Clone, Copy)]
pub struct ImportRow<'a> {
    pub email: &'a str,
    pub email_norm: &'a str,
    pub name: &'a str,
    pub admin: bool,
    /// The first-login code's digest.
    pub code_sha256: &'a [u8; 32],
}

/// An import, in one transaction: every account or none.
#[derive(Debug, Clone, Copy)]
pub struct Import<'a> {
    pub actor_id: i64,
    pub actor_event: &'a str,
    pub rows: &'a [ImportRow<'a>],
    pub now: i64,
    pub codes_expire_at: i64,
}

/// How an import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// This many accounts were created.
    Created(usize),
    /// Nothing was created: the row at this index has an email that has an account already.
    Taken(usize),
    NotAdmin,
}

/// A reset code being used, in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct ResetUse<'a> {
    pub email_norm: &'a str,
    pub event_email: &'a str,
    pub code_sha256: &'a [u8; 32],
    pub new_hash: &'a str,
    pub now: i64,
}

/// Which sessions of an account [`Storage::revoke_sessions`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoke {
    One(i64),
    AllBut(i64),
}

/// How the accounts table is ordered for paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountSort {
    #[default]
    Email,
    Name,
    /// Newest first.
    Newest,
}

/// Where the next page starts: after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Text(String, i64),
    Id(i64),
}

/// A page of accounts, by keyset: never an OFFSET scan.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery<'a> {
    /// Only accounts whose email or name contains this text (lowercase); empty: all.
    pub filter: &'a str,
    pub sort: AccountSort,
    /// Rows after this one (forward) or before it (`backward`).
    pub cursor: Option<Cursor>,
    pub backward: bool,
    pub limit: usize,
}

/// An account as the administration lists it: no hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: i64,
    pub email: String,
    pub email_norm: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub disabled: bool,
    pub expires_at: Option<i64>,
    /// Until when its email is locked by the throttle, if a lock was ever set.
    pub locked_until: Option<i64>,
    /// Whether it has a password (an imported account has none until its code is used).
    pub has_password: bool,
}

impl AccountSummary {
    /// The cursor that continues after this row in `sort`.
    pub fn cursor(&self, sort: AccountSort) -> Cursor {
        match sort {
            AccountSort::Email => Cursor::Text(self.email_norm.clone(), self.id),
            AccountSort::Name => Cursor::Text(self.name.clone(), self.id),
            AccountSort::Newest => Cursor::Id(self.id),
        }
    }
}

/// Counts over the accounts matching a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountCounts {
    pub matching: i64,
    pub total: i64,
    pub admins: i64,
    pub disabled: i64,
}

/// The lock schedule, as numbers a store can compute with inside its upsert: after `free`
/// consecutive failures an email is locked for `base_secs`, doubling with each further failure,
/// capped at `max_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutSchedule {
    pub free: i64,
    pub base_secs: i64,
    pub max_secs: i64,
}

impl LockoutSchedule {
    /// How long an email stays locked after its `failures`-th consecutive failure. Stores
    /// compute the same in SQL; the conformance tests hold them to this.
    pub fn lockout_secs(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).clamp(0, 32) as u32;
        self.base_secs
            .saturating_mul(1i64 << doublings)
            .min(self.max_secs)
    }
}

/// The answer of the throttle gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The attempt is counted as a failure up front (a success clears it later); the account
    /// of that email, if any.
    Open(Option<AccountRecord>),
    /// Refused unchecked: locked for this many more seconds (and the refusal is recorded).
    LockedOut(i64),
}

/// A new account.
#[derive(Clone, Copy)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub email_norm: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
    /// The email as the event log records it.
    pub event_email: &'a str,
    /// The new account's vault: its data key's wrappings for the account id the store gives
    /// it, stored in the same transaction (so an account never exists without one unless
    /// it was made before the vault).
    pub vault: Option<&'a dyn Fn(i64) -> Result<VaultWraps>>,
}

/// An account's data key, wrapped twice (see `vault_keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultWraps {
    /// By the password's key-encryption key.
    pub password: Vec<u8>,
    /// By the recovery code's key.
    pub recovery: Vec<u8>,
}

/// An account's vault keys as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultKeys {
    /// The data key wrapped by the current password's key-encryption key; `None` when the
    /// vault is sealed (a reset code set the password: only the recovery code opens it).
    pub password_wrap: Option<Vec<u8>>,
    pub recovery_wrap: Vec<u8>,
    /// Which data key: it goes up when a sealed vault is discarded, and every entry write
    /// names the generation it was sealed for, so a process still holding the old key
    /// cannot write entries nobody can read.
    pub generation: i64,
}

/// A sealed entry as stored: only its id and times are in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEntry {
    pub id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub sealed: Vec<u8>,
}

/// A change to an account's vault keys, made only if the vault is at `generation`.
#[derive(Debug, Clone, Copy)]
pub enum KeyChange<'a> {
    /// A new password wrapping (a sealed vault opened by its recovery code).
    Password(&'a [u8]),
    /// A new recovery wrapping (a regenerated recovery code).
    Recovery(&'a [u8]),
    /// Every entry deleted and a new data key (a sealed vault given up).
    Discard(&'a VaultWraps),
}

/// Everything a successful login writes, in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct LoginCommit<'a> {
    pub account: &'a AccountRecord,
    pub now: i64,
    /// The email as the event log records it.
    pub event_email: &'a str,
    /// The session that replaces `old_session` (SHA-256 of the new token).
    pub new_session: &'a [u8; 32],
    pub old_session: Option<&'a [u8; 32]>,
    pub expires_at: i64,
    /// A rehash at the current parameters, replacing the stored hash only if it is unchanged.
    pub new_hash: Option<&'a str>,
    /// With `new_hash`: the data key wrapped by the new hash's key-encryption key (`None`:
    /// the vault, if any, is sealed, since the old wrapping no longer opens).
    pub new_wrap: Option<&'a [u8]>,
}

/// What the login learned about the attempts since the previous login (or since signup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    /// Logins refused for a wrong password.
    pub failed: u64,
    /// Logins refused unchecked while locked.
    pub throttled: u64,
    /// The new session's id.
    pub session_id: i64,
}

/// Everything a password change writes, in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub account_id: i64,
    pub email_norm: &'a str,
    /// The session that stays (SHA-256 of its token); every other one of the account ends.
    pub keep_session: &'a [u8; 32],
    /// The hash that was verified; the change fails if another process replaced it meanwhile.
    pub old_hash: &'a str,
    pub new_hash: &'a str,
    /// The data key wrapped by the new password's key-encryption key, stored in the same
    /// transaction (`None`: the vault, if any, is sealed).
    pub new_wrap: Option<&'a [u8]>,
    pub now: i64,
    pub event_email: &'a str,
}

/// A store of accounts, sessions, throttling and the auth event log.
///
/// Every method is one transaction. Methods that end or weaken a credential (signup, logout,
/// password change) are durable before they return. A backend that keeps replaced data in a
/// side log (SQLite's WAL) empties it after those, so a replaced hash or an ended session's
/// token digest does not linger there.
pub trait Storage: Send {
    /// Where the store is, for messages ("sqlite:/path" or a PostgreSQL URL without its
    /// password).
    fn describe(&self) -> String;

    /// The store's own clock in Unix seconds, if it has one (PostgreSQL's); `None`: the
    /// service's clock is the one source.
    fn now(&self) -> Result<Option<i64>>;

    /// The throttle step of every password check, as one atomic upsert: unless the email is
    /// locked, counts this attempt as a failure up front (locking it when the schedule says
    /// so) and returns its account; while locked, records `refused` and returns the wait. A
    /// lock is never longer, from `now`, than the schedule gives for its failure count, and
    /// the capped deadline is written back.
    fn gate(
        &self,
        email_norm: &str,
        event_email: &str,
        now: i64,
        schedule: &LockoutSchedule,
        refused: Outcome,
    ) -> Result<Gate>;

    /// Appends an auth event.
    fn record(&self, now: i64, event_email: &str, outcome: Outcome) -> Result<()>;

    /// Forgets an email's failures.
    fn clear_throttle(&self, email_norm: &str) -> Result<()>;

    /// Creates an account, clears its email's failures and records the signup. An email key
    /// that exists already is [`crate::Error::EmailTaken`] (decided by the database's
    /// constraint, so two racing signups get one account and one "taken"). The first account
    /// of an empty store is an admin, every later one a user, decided inside the insert's
    /// transaction (two racing first signups make one admin). Returns the id and whether it is
    /// the admin.
    fn create_account(&self, new: &NewAccount<'_>) -> Result<(i64, bool)>;

    /// Writes a successful login: clears the failures, counts the attempts since the previous
    /// login, sets the last login, replaces the hash if asked, ends `old_session` and expired
    /// sessions, inserts the new session and records the success. `before_commit` runs last,
    /// inside the transaction (it puts the session file in place); if it fails, nothing is
    /// committed.
    fn commit_login(
        &self,
        login: &LoginCommit<'_>,
        before_commit: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Attempts>;

    /// The session with this token digest and its account (`None` if the account is gone).
    fn session(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<(SessionRecord, Option<AccountRecord>)>>;

    /// The account with this id.
    fn account(&self, id: i64) -> Result<Option<AccountRecord>>;

    /// Marks a session used at `now` (never moves its time back).
    fn touch_session(&self, id: i64, now: i64) -> Result<()>;

    /// Ends one session.
    fn end_session(&self, id: i64) -> Result<()>;

    /// Ends the session with this token digest, recording a logout for its account; whether
    /// there was one.
    fn logout(&self, token_sha256: &[u8; 32], now: i64) -> Result<bool>;

    /// Replaces the password hash, clears the failures, ends every other session of the
    /// account and records the change; returns how many sessions ended.
    /// [`crate::Error::NoSession`] if `keep_session` is gone.
    fn change_password(&self, change: &PasswordChange<'_>) -> Result<usize>;

    /// How many accounts there are.
    fn count_accounts(&self) -> Result<i64>;

    /// Records `outcome` with `actor` as who acted and `target` whom it was about.
    fn record_as(&self, now: i64, actor: &str, target: &str, outcome: Outcome) -> Result<()>;

    /// Marks the session's password as entered at `now` (a re-authentication).
    fn set_authenticated(&self, session_id: i64, now: i64) -> Result<()>;

    /// The sessions of an account that have not reached their absolute end at `now`, oldest
    /// first.
    fn sessions_of(&self, account_id: i64, now: i64) -> Result<Vec<SessionRecord>>;

    /// Ends sessions of `account_id` (never another account's) and, if any ended, records
    /// it; how many ended.
    fn revoke_sessions(
        &self,
        account_id: i64,
        which: Revoke,
        now: i64,
        event_email: &str,
    ) -> Result<usize>;

    /// An administrator's change, checked again inside its transaction: the actor must still
    /// be an active admin, and the change must not leave the store without one (two admins
    /// demoting each other at once leave one). Records the outcome, refused or done.
    fn admin_change(&self, change: &AdminChange<'_>) -> Result<Changed>;

    /// Deletes the account `account_id` at its own request, unless that would leave no
    /// active admin; records it.
    fn delete_own_account(&self, account_id: i64, now: i64, event_email: &str) -> Result<Changed>;

    /// Creates the accounts of an import, each without a usable password and with a
    /// first-login code, all in one transaction (none if any email is taken).
    fn import_accounts(&self, import: &Import<'_>) -> Result<Imported>;

    /// The account whose unexpired reset code has this digest, if the email has one.
    fn reset_code_account(
        &self,
        email_norm: &str,
        code_sha256: &[u8; 32],
        now: i64,
    ) -> Result<Option<AccountRecord>>;

    /// Uses a reset code: if the email's unexpired code has this digest, deletes it (single
    /// use, whoever races), sets the new hash, ends every session of the account, clears its
    /// throttling and records the reset; how many sessions ended. `None`: no such code.
    fn use_reset_code(&self, reset: &ResetUse<'_>) -> Result<Option<usize>>;

    /// A page of accounts (see [`AccountQuery`]), in the query's order.
    fn account_page(&self, query: &AccountQuery<'_>) -> Result<Vec<AccountSummary>>;

    /// Counts for the administration's status line.
    fn account_counts(&self, filter: &str) -> Result<AccountCounts>;

    /// Audit events, newest first.
    fn audit(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditEvent>>;

    /// Deletes audit events older than `before` (the retention bound); how many.
    fn prune_audit(&self, before: i64) -> Result<usize>;

    /// An account's vault keys, if it has a vault.
    fn vault_keys(&self, account_id: i64) -> Result<Option<VaultKeys>>;

    /// Creates an account's vault (generation 1) unless it has one; whether it did.
    fn create_vault(&self, account_id: i64, wraps: &VaultWraps) -> Result<bool>;

    /// Changes an account's vault keys if the vault is at `generation`; whether it did.
    fn change_keys(&self, account_id: i64, generation: i64, change: KeyChange<'_>) -> Result<bool>;

    /// Every entry of an account, oldest first.
    fn entries(&self, account_id: i64) -> Result<Vec<SealedEntry>>;

    /// One entry of an account.
    fn entry(&self, account_id: i64, id: i64) -> Result<Option<SealedEntry>>;

    /// Adds `count` entries in one transaction if the vault is at `generation`: `seal` is
    /// given each one's index and the id the store assigned, and returns its ciphertext.
    /// `times[i]`, when there, is entry `i`'s (created, updated) times (an import's), else both
    /// are `now`. The new ids, or `None` if the generation moved on.
    fn add_entries(
        &self,
        account_id: i64,
        generation: i64,
        now: i64,
        times: &[Option<(i64, i64)>],
        count: usize,
        seal: &mut dyn FnMut(usize, i64) -> Result<Vec<u8>>,
    ) -> Result<Option<Vec<i64>>>;

    /// Replaces an entry's ciphertext if the vault is at `generation`; whether it did.
    fn update_entry(
        &self,
        account_id: i64,
        generation: i64,
        id: i64,
        sealed: &[u8],
        now: i64,
    ) -> Result<bool>;

    /// Deletes an entry if the vault is at `generation`; whether it did.
    fn delete_entry(&self, account_id: i64, generation: i64, id: i64) -> Result<bool>;

    /// Writes a consistent copy of the store to the new file `to` (never overwritten), safe
    /// while other processes use the store; returns how many accounts it holds.
    fn backup_to(&self, to: &Path) -> Result<i64>;
}

/// The email as auth events record it: the key, sanitized and bounded.
pub fn event_email(email_norm: &str) -> String {
    crate::sanitize::for_display(email_norm)
        .chars()
        .take(254)
        .collect()
}

/// A table of the store, for [`Inspect::count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Accounts,
    Sessions,
    Throttle,
    AuthEvents,
    VaultKeys,
    VaultEntries,
}

/// The documented inspection API of a store: what tests (and, later, administration) read or
/// change beside the service's operations. Both stores implement it; it never returns a
/// secret other than a password hash, which is not one.
pub trait Inspect {
    /// How many rows a table has.
    fn count(&self, table: Table) -> Result<i64>;
    /// The account with this email key.
    fn account_by_email(&self, email_norm: &str) -> Result<Option<AccountRecord>>;
    /// Every account, by id.
    fn accounts(&self) -> Result<Vec<AccountRecord>>;
    /// Disables or enables an account; whether it exists.
    fn set_disabled(&self, account_id: i64, disabled: bool) -> Result<bool>;
    /// Deletes an account (its sessions go with it); whether it existed.
    fn delete_account(&self, account_id: i64) -> Result<bool>;
    /// The auth events, oldest first: (at, event email, outcome).
    fn events(&self) -> Result<Vec<(i64, String, String)>>;
    /// An email's throttle row: (failures, locked_until).
    fn throttle(&self, email_norm: &str) -> Result<Option<(i64, i64)>>;
    /// Replaces an account's stored password hash as given, unchecked (tests make accounts
    /// of earlier versions with it, e.g. a standard PHC string); whether the account exists.
    fn set_password_hash(&self, account_id: i64, hash: &str) -> Result<bool>;
    /// Writes an account's vault keys row as given, or deletes it with `None` (tests tamper
    /// with a wrapping, or make an account from before the vault); whether a row changed.
    fn set_vault_keys(&self, account_id: i64, keys: Option<&VaultKeys>) -> Result<bool>;
    /// Sets entry `id`'s account and ciphertext as given, times untouched (tests swap, move
    /// or roll back ciphertexts as an attacker with write access to the store would);
    /// whether the entry exists.
    fn set_entry(&self, id: i64, account_id: i64, sealed: &[u8]) -> Result<bool>;
}

/// An added entry's (created, updated) times: an import's own, kept in order and never after
/// `now`; else both `now`.
pub fn entry_times(times: Option<(i64, i64)>, now: i64) -> (i64, i64) {
    match times {
        Some((created, updated)) => {
            let created = created.min(now);
            (created, updated.clamp(created, now))
        }
        None => (now, now),
    }
}

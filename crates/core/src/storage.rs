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
}

/// A session as stored (the token itself is never stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: i64,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
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
        }
    }
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
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub email_norm: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
    /// The email as the event log records it.
    pub event_email: &'a str,
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
}

/// What the login learned about the attempts since the previous login (or since signup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    /// Logins refused for a wrong password.
    pub failed: u64,
    /// Logins refused unchecked while locked.
    pub throttled: u64,
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
    /// constraint, so two racing signups get one account and one "taken").
    fn create_account(&self, new: &NewAccount<'_>) -> Result<i64>;

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
}

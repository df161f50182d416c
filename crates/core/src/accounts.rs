//! [`Accounts`]: the one API both front ends use for signup, login, sessions and logout.

use crate::auth::hashing::{HashParams, Hasher, Verified};
use crate::auth::identity::validate_login_email;
use crate::auth::lockout::LOCKOUT_SCHEDULE;
use crate::auth::policy::{
    MAX_PASSWORD_CHARS, normalize_email, normalize_password, password_strength_for, validate_email,
    validate_name,
};
use crate::auth::slots::Slots;
use crate::clock::{Clock, SystemClock};
use crate::paths::{TOKEN_FILE, ensure_private_dir};
use crate::secret::{Password, ResetCode, SessionToken};
use crate::storage::{
    AccountRecord, Gate, LockoutSchedule, LoginCommit, NO_PASSWORD, NewAccount, Outcome,
    PasswordChange, SessionRecord, Storage, VaultKeys, event_email,
};
use crate::token_file::{Loaded, TokenFile};
use crate::vault::VaultOpened;
use crate::vault::service::new_vault;
use crate::vault_keys::{DataKey, Kek};
use crate::{Error, Field, Result, Unavailable, ValidationError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Absolute lifetime from login, in seconds (12 h).
    pub absolute_secs: i64,
    /// Longest time without use, in seconds (15 min).
    pub idle_secs: i64,
}

impl SessionLimits {
    /// How far ahead of this process's clock a session's times may be and still count: a
    /// clock stepped back a little (by NTP, say) must not end every session, but a row written
    /// under a clock set days ahead must not live on under the real one.
    pub const CLOCK_TOLERANCE_SECS: i64 = 5 * 60;

    /// Whether a session row's times are possible under this clock: it started no later than
    /// now (within the tolerance), was last used no later than now, and does not end more
    /// than the absolute lifetime from now. Anything else was written under a clock that was
    /// wrong (or tampered with), and the session is ended.
    fn plausible(&self, row: &SessionRecord, now: i64) -> bool {
        let latest = now.saturating_add(Self::CLOCK_TOLERANCE_SECS);
        row.created_at <= latest
            && row.last_seen_at <= latest
            && row.expires_at <= latest.saturating_add(self.absolute_secs)
            && row.expires_at <= row.created_at.saturating_add(self.absolute_secs)
    }
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            absolute_secs: 12 * 3600,
            idle_secs: 15 * 60,
        }
    }
}

/// How to open a [`Accounts`]. `Options::default()` is production.
#[derive(Clone)]
pub struct Options {
    /// Argon2id parameters for new hashes (and the dummy verification).
    pub hash: HashParams,
    pub clock: Arc<dyn Clock>,
    pub limits: SessionLimits,
    /// Where the session file lives; default `<data dir>/session`.
    pub token_file: Option<PathBuf>,
    /// When failed attempts lock an email out.
    pub lockout: LockoutSchedule,
    /// How long audit events are kept, in days.
    pub audit_retention_days: i64,
    /// After how long without use the vault agent locks; `None`: the session's idle limit.
    pub vault_lock_secs: Option<i64>,
}

impl Options {
    /// After how many seconds without use an unlocked vault agent locks: `vault_lock_secs`,
    /// never later than the session's idle limit (which ends the session and the vault).
    pub fn effective_vault_lock_secs(&self) -> i64 {
        let idle = self.limits.idle_secs;
        self.vault_lock_secs.map_or(idle, |s| s.min(idle)).max(1)
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            hash: HashParams::DEFAULT,
            clock: Arc::new(SystemClock),
            limits: SessionLimits::default(),
            token_file: None,
            lockout: LOCKOUT_SCHEDULE,
            audit_retention_days: 365,
            vault_lock_secs: None,
        }
    }
}

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

/// An account as front ends see it (no hash). Text fields are as stored: sanitize before
/// printing them (see [`crate::sanitize`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl From<AccountRecord> for Account {
    fn from(r: AccountRecord) -> Self {
        Account {
            id: r.id,
            email: r.email,
            name: r.name,
            role: if r.role == "admin" {
                Role::Admin
            } else {
                Role::User
            },
            created_at: r.created_at,
            last_login_at: r.last_login_at,
        }
    }
}

/// A live session and its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The session's id in the store (what `vaultty sessions` lists).
    pub id: i64,
    pub account: Account,
    /// When the password was last entered in this session.
    pub authenticated_at: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The absolute end of the session.
    pub absolute_expires_at: i64,
    /// When the session ends if it is not used before then.
    pub idle_expires_at: i64,
}

/// Why a session the token file named is no longer valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// There was no session (no token file, or one that could not be trusted).
    None,
    /// Its absolute or idle limit passed.
    Expired,
    /// It was ended elsewhere: a logout, a revocation, a password change or reset.
    Revoked,
    /// Its account was disabled.
    Disabled,
    /// Its account reached its expiry date.
    AccountExpired,
    /// Its account was deleted.
    Deleted,
}

/// The state of the session in the token file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStatus {
    Live(SessionInfo),
    Ended(Ended),
}

impl SessionInfo {
    /// Whichever end comes first.
    pub fn expires_at(&self) -> i64 {
        self.absolute_expires_at.min(self.idle_expires_at)
    }
}

/// What a successful login reports.
#[derive(Debug)]
pub struct LoginReport {
    pub session: SessionInfo,
    /// How the login left the vault (open, created with a recovery code to show, sealed).
    pub vault: VaultOpened,
    /// The login before this one, if any.
    pub previous_login_at: Option<i64>,
    /// Logins refused for a wrong password since the previous login (or since signup).
    pub failed_attempts: u64,
    /// Logins refused unchecked while the email was locked, over the same time.
    pub throttled_attempts: u64,
}

impl LoginReport {
    /// "2 failed login attempts and 1 attempt refused while locked", for the warnings of the
    /// CLI and the UI; `None` when there were neither.
    pub fn attempts_warning(&self) -> Option<String> {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        let (failed, throttled) = (self.failed_attempts, self.throttled_attempts);
        let failed_text = format!("{failed} failed login attempt{}", plural(failed));
        let throttled_text = format!(
            "{throttled} attempt{} refused while locked",
            plural(throttled)
        );
        match (failed, throttled) {
            (0, 0) => None,
            (_, 0) => Some(failed_text),
            (0, _) => Some(throttled_text),
            _ => Some(format!("{failed_text} and {throttled_text}")),
        }
    }
}

/// The account vault in one data dir.
pub struct Accounts {
    dir: PathBuf,
    store: Box<dyn Storage>,
    hasher: Hasher,
    clock: Arc<dyn Clock>,
    limits: SessionLimits,
    lockout: LockoutSchedule,
    audit_retention_days: i64,
    /// [`Options::effective_vault_lock_secs`].
    vault_lock_secs: i64,
    token_file: TokenFile,
    /// Every Argon2 run holds one of these while it runs (see `auth::slots`).
    slots: Slots,
    /// A password change between its two steps.
    pending_change: std::sync::Mutex<Option<PendingChange>>,
    /// The account of the last live session this process saw: when that session's row is
    /// gone, whether the account went with it says "deleted" rather than "ended elsewhere".
    last_account: std::sync::Mutex<Option<i64>>,
    /// The open vault's data key, while this process holds one (see `vault::service`).
    pub(crate) vault: std::sync::Mutex<Option<crate::vault::service::OpenVault>>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    /// The vault of the data dir `dir` (created 0700 if needed), over `store`. The data dir
    /// holds what stays on each machine and for each OS user: the session token file and the
    /// Argon2 slot lock; the store may be elsewhere (see the `vaultty` package's `open`).
    pub fn new(dir: &Path, store: Box<dyn Storage>, options: Options) -> Result<Self> {
        let dir = &ensure_private_dir(dir)?;
        let vault_lock_secs = options.effective_vault_lock_secs();
        let token_file = TokenFile::new(options.token_file.unwrap_or_else(|| dir.join(TOKEN_FILE)));
        Ok(Accounts {
            dir: dir.to_path_buf(),
            store,
            hasher: Hasher::new(options.hash),
            clock: options.clock,
            limits: options.limits,
            lockout: options.lockout,
            audit_retention_days: options.audit_retention_days,
            vault_lock_secs,
            token_file,
            slots: Slots::new(dir, options.hash.p),
            pending_change: std::sync::Mutex::new(None),
            last_account: std::sync::Mutex::new(None),
            vault: std::sync::Mutex::new(None),
        })
    }

    /// Writes a consistent backup of the store to the new file `to` (see
    /// [`Storage::backup_to`]); returns how many accounts it holds.
    pub fn backup(&self, to: &Path) -> Result<i64> {
        self.store.backup_to(to)
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }
    pub fn store(&self) -> &dyn Storage {
        self.store.as_ref()
    }
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }
    pub fn token_file(&self) -> &TokenFile {
        &self.token_file
    }
    pub fn limits(&self) -> SessionLimits {
        self.limits
    }

    /// After how many seconds without use an unlocked vault agent locks
    /// ([`Options::effective_vault_lock_secs`]).
    pub fn vault_lock_secs(&self) -> i64 {
        self.vault_lock_secs
    }
    /// Now, from the one clock of this store: the database server's when the store has one
    /// (so machines with skewed clocks agree on expiry and lockouts), else this machine's.
    pub fn now(&self) -> i64 {
        if self.clock.is_wall_clock()
            && let Ok(Some(t)) = self.store.now()
        {
            return t;
        }
        self.clock.now()
    }

    /// Deletes audit events past the retention bound. Done at signups, logouts, administrator
    /// actions and audit reads; a failure here never fails them.
    pub(crate) fn prune_audit(&self, now: i64) {
        let before = now.saturating_sub(self.audit_retention_days.saturating_mul(86_400));
        let _ = self.store.prune_audit(before);
    }

    /// Checks signup input without touching the store; returns the trimmed email and name, or
    /// every problem at once. [`Accounts::signup`] runs the same check; front ends may call it
    /// first so that refused input does not even create the data dir.
    pub fn check_signup(email: &str, name: &str, password: &Password) -> Result<(String, String)> {
        let mut errors = Vec::new();
        let email = validate_email(email).map_err(|e| errors.push(e)).ok();
        let name = validate_name(name).map_err(|e| errors.push(e)).ok();
        let strength = password_strength_for(
            Field::Password,
            password,
            email.as_deref().unwrap_or(""),
            name.as_deref().unwrap_or(""),
        );
        errors.extend(strength.problem);
        match (email, name, errors.is_empty()) {
            (Some(email), Some(name), true) => Ok((email, name)),
            _ => Err(Error::Invalid(errors)),
        }
    }

    /// Checks a signup's email and name (not the password) without touching the store: front
    /// ends call it before asking for a password. Returns them trimmed, or every problem.
    pub fn check_identity(email: &str, name: &str) -> Result<(String, String)> {
        let mut errors = Vec::new();
        let email = validate_email(email).map_err(|e| errors.push(e)).ok();
        let name = validate_name(name).map_err(|e| errors.push(e)).ok();
        match (email, name) {
            (Some(email), Some(name)) => Ok((email, name)),
            _ => Err(Error::Invalid(errors)),
        }
    }

    /// Creates an account. Does not log in. Every input is checked first and all problems are
    /// reported together; nothing is written unless all pass. (The vault's recovery code is
    /// not returned: front ends use [`Accounts::signup_with_vault`].)
    pub fn signup(&self, email: &str, name: &str, password: &Password) -> Result<Account> {
        self.signup_with_vault(email, name, password)
            .map(|(account, _)| account)
    }

    /// [`Accounts::signup`], returning the new vault's recovery code too (shown once).
    pub fn signup_with_vault(
        &self,
        email: &str,
        name: &str,
        password: &Password,
    ) -> Result<(Account, ResetCode)> {
        let (email, name) = Self::check_signup(email, name, password)?;
        let norm = normalize_email(&email);
        let now = self.now();
        // Signup tells whether an email has an account, so it is throttled like a login (per
        // email, counted up front, cleared by success) and every "taken" answer is recorded:
        // emails cannot be probed at speed or unseen. The UNIQUE constraint below decides races.
        match self.gate(&norm, now, Outcome::SignupThrottled)? {
            Gate::LockedOut(wait) => return Err(Error::Throttled(wait as u64)),
            Gate::Open(Some(_)) => {
                self.store
                    .record(now, &event_email(&norm), Outcome::SignupTaken)?;
                return Err(Error::EmailTaken);
            }
            Gate::Open(None) => {}
        }
        let pw = normalize_password(password);
        let (hash, kek) = self.argon2(|h| h.enroll(&pw)).map_err(Error::Internal)?;
        // The vault is made in the account's own transaction: its wrappings bind the id the
        // store gives the account.
        let code = std::cell::RefCell::new(None);
        let vault = |id: i64| {
            let (wraps, c) = new_vault(&kek, id)?;
            *code.borrow_mut() = Some(c);
            Ok(wraps)
        };
        let (id, admin) = self.store.create_account(&NewAccount {
            email: &email,
            email_norm: &norm,
            name: &name,
            password_hash: &hash,
            now,
            event_email: &event_email(&norm),
            vault: Some(&vault),
        })?;
        self.prune_audit(now);
        let code = code
            .into_inner()
            .ok_or_else(|| Error::Internal("the store made no vault".into()))?;
        Ok((
            Account {
                id,
                email,
                name,
                role: if admin { Role::Admin } else { Role::User },
                created_at: now,
                last_login_at: None,
            },
            code,
        ))
    }

    /// Logs in: on success a new session replaces the one in the session file (if any) and
    /// the new token is written there. Unknown email and wrong password fail identically,
    /// after the same work.
    pub fn login(&self, email: &str, password: &Password) -> Result<LoginReport> {
        let email = validate_login_email(email).map_err(Error::invalid)?;
        let norm = normalize_email(&email);
        let pw = normalize_password(password);
        check_password_length(Field::Password, &pw)?;
        // Everything this login will write outside the store is made ready before the password
        // is checked: the session file's place is usable and its new content is written. A
        // problem there is then reported the same whatever the password (no oracle), and after
        // the check only the store's commit and a rename remain.
        self.token_file.check_replaceable()?;
        let old_token = match self.token_file.load()? {
            Loaded::Token(t) => Some(t),
            _ => None,
        };
        let token = SessionToken::generate()
            .map_err(|e| Error::Internal(format!("random source failed: {e}")))?;
        let staged = self.token_file.stage(&token)?;
        let now = self.now();
        // The file's sync to disk is a wait, not work: it runs beside the gate and the
        // verification. Its outcome is looked at first, so a failed sync is reported whatever
        // the password too.
        let (checked, synced) = std::thread::scope(|s| {
            let sync = s.spawn(|| staged.sync());
            let checked = self.check_password(&norm, &pw, now);
            (checked, sync.join())
        });
        synced
            .unwrap_or_else(|_| Err(Error::Internal("the session file's sync stopped".into())))?;
        let (account, verified) = checked?;
        let (Some(account), Verified::Match { rehash, kek }) = (account, verified) else {
            self.store
                .record(now, &event_email(&norm), Outcome::LoginFailure)?;
            return Err(Error::InvalidCredentials);
        };
        // The password was right but the account may not be used: said so (the attempt stays
        // counted, so this cannot be used to test passwords at speed either).
        if let Some(why) = unusable(&account, now) {
            self.store
                .record(now, &event_email(&norm), Outcome::LoginFailure)?;
            return Err(Error::AccountUnavailable(why));
        }
        let (new_hash, new_wrap, kek) = self.rehash_at_login(&account, &pw, rehash, kek);
        let expires_at = now.saturating_add(self.limits.absolute_secs);
        // The session file was written and synced before the login's write lock is taken
        // (other processes wait for that lock; they need not wait for the disk too), and is renamed
        // into place inside the transaction, just before it commits: if either step fails,
        // nothing of this login is committed (no session, no "last login", no reset of the
        // failure count). A crash after the rename but before the commit leaves a token
        // without a row, which reads as "logged out".
        let mut staged = Some(staged);
        let old_digest = old_token.as_ref().map(|t| t.digest());
        let committed = self.store.commit_login(
            &LoginCommit {
                account: &account,
                now,
                event_email: &event_email(&norm),
                new_session: &token.digest(),
                old_session: old_digest.as_ref(),
                expires_at,
                new_hash: new_hash.as_deref(),
                new_wrap: new_wrap.as_deref(),
            },
            &mut || match staged.take() {
                Some(s) => s.install(),
                None => Ok(()),
            },
        );
        // A failure after the password was found right must not tell the caller so: it is
        // recorded (in a write of its own) and answered exactly like a wrong password.
        let Ok(attempts) = committed else {
            let _ = self
                .store
                .record(now, &event_email(&norm), Outcome::LoginFailure);
            return Err(Error::InvalidCredentials);
        };
        let vault = match &kek {
            Some(kek) => self.open_vault(account.id, token.digest(), kek),
            None => VaultOpened::Damaged("the password's key could not be derived".into()),
        };
        let previous_login_at = account.last_login_at;
        let mut acc = Account::from(account);
        acc.last_login_at = Some(now);
        Ok(LoginReport {
            session: SessionInfo {
                id: attempts.session_id,
                account: acc,
                authenticated_at: now,
                created_at: now,
                last_seen_at: now,
                absolute_expires_at: expires_at,
                idle_expires_at: now.saturating_add(self.limits.idle_secs),
            },
            vault,
            previous_login_at,
            failed_attempts: attempts.failed,
            throttled_attempts: attempts.throttled,
        })
    }

    /// After a right password: a hash from before the vault (no key) or at other parameters
    /// is replaced, which is one more Argon2 run, this login only. The new hash, the data key
    /// wrapped under its key (if the account has an open-able vault), and the key the vault
    /// opens with. A wrapping that does not open is left as it is (and reported by the
    /// vault), never re-wrapped or sealed.
    fn rehash_at_login(
        &self,
        account: &AccountRecord,
        pw: &Password,
        rehash: bool,
        kek: Option<Kek>,
    ) -> (Option<String>, Option<Vec<u8>>, Option<Kek>) {
        if !rehash && kek.is_some() {
            return (None, None, kek);
        }
        let keys = match self.store.vault_keys(account.id) {
            Ok(keys) => keys,
            Err(_) => return (None, None, kek),
        };
        let old_key = match (&keys, &kek) {
            (
                Some(VaultKeys {
                    password_wrap: Some(w),
                    ..
                }),
                Some(k),
            ) => match DataKey::unwrap(k, account.id, w) {
                Ok(key) => Some(key),
                Err(_) => return (None, None, kek),
            },
            (
                Some(VaultKeys {
                    password_wrap: Some(_),
                    ..
                }),
                None,
            ) => return (None, None, kek),
            _ => None,
        };
        let Ok((hash, new_kek)) = self.argon2(|h| h.enroll(pw)) else {
            return (None, None, kek);
        };
        let wrap = match old_key.map(|key| key.wrap(&new_kek, account.id)) {
            Some(Ok(w)) => Some(w),
            Some(Err(_)) => return (None, None, kek),
            None => None,
        };
        (Some(hash), wrap, Some(new_kek))
    }

    /// Runs `work` (one Argon2 run) once it holds Argon2 slots, on as many threads as slots
    /// (see `auth::slots`); without a slot (unusable lock file, waited too long), on the
    /// default pool.
    pub(crate) fn argon2<R: Send>(&self, work: impl FnOnce(&Hasher) -> R + Send) -> R {
        self.argon2_for(None, work)
    }

    /// A login's throttle step and Argon2 verification: the account (if the email has one)
    /// and the verdict, or the refusal of a locked-out email.
    fn check_password(
        &self,
        norm: &str,
        pw: &Password,
        now: i64,
    ) -> Result<(Option<AccountRecord>, Verified)> {
        let account = match self.gate(norm, now, Outcome::LoginThrottled)? {
            Gate::LockedOut(wait) => return Err(Error::Throttled(wait as u64)),
            Gate::Open(account) => account,
        };
        let verified =
            self.argon2_for(
                account.as_ref().map(|a| a.password_hash.as_str()),
                |h| match &account {
                    // An imported account has no password until its code is used: the same work
                    // as an unknown email, and the same answer.
                    Some(a) if a.password_hash != NO_PASSWORD => h.verify(pw, &a.password_hash),
                    _ => h.verify_dummy(pw),
                },
            );
        Ok((account, verified))
    }

    /// [`Accounts::argon2`] for a verification against the stored hash `phc`: when that hash
    /// costs more than the current parameters, the run waits for a slot however long it takes
    /// rather than going ahead without one.
    pub(crate) fn argon2_for<R: Send>(
        &self,
        phc: Option<&str>,
        work: impl FnOnce(&Hasher) -> R + Send,
    ) -> R {
        let hasher = &self.hasher;
        let costly = phc
            .and_then(Hasher::stored_params)
            .is_some_and(|p| p.costlier_than(hasher.params()));
        let slot = if costly {
            self.slots.acquire_without_bypass()
        } else {
            self.slots.acquire()
        };
        match slot {
            Some(slot) => slot.run(|| work(hasher)),
            None => work(hasher),
        }
    }

    /// The throttle step of every password check: refuses while locked (recording the refusal),
    /// otherwise counts this attempt as a failure up front, so parallel guesses cannot slip
    /// past the limit, and returns the account (if any). A success clears the count later.
    pub(crate) fn gate(&self, norm: &str, now: i64, refused: Outcome) -> Result<Gate> {
        self.store
            .gate(norm, &event_email(norm), now, &self.lockout, refused)
    }

    /// The session named by the session file, if it is valid; using it refreshes its idle
    /// timer. A file that cannot be trusted, or whose session is unknown or expired, is removed.
    pub fn current_session(&self) -> Result<Option<SessionInfo>> {
        self.session(true)
    }

    /// Like [`Accounts::current_session`] but without counting as use (for expiry checks).
    pub fn peek_session(&self) -> Result<Option<SessionInfo>> {
        self.session(false)
    }

    fn session(&self, refresh: bool) -> Result<Option<SessionInfo>> {
        Ok(match self.session_status_of(refresh)? {
            SessionStatus::Live(info) => Some(info),
            SessionStatus::Ended(_) => None,
        })
    }

    /// The session in the token file, or why there is none, without counting as use: what
    /// an open UI checks every few seconds, to notice a revocation, a disabled or deleted
    /// account or a role change made elsewhere (on this machine or another).
    pub fn session_status(&self) -> Result<SessionStatus> {
        self.session_status_of(false)
    }

    fn session_status_of(&self, refresh: bool) -> Result<SessionStatus> {
        let token = match self.token_file.load()? {
            Loaded::Absent => {
                self.lock();
                return Ok(SessionStatus::Ended(Ended::None));
            }
            Loaded::Rejected(_) => {
                self.lock();
                self.token_file.remove()?;
                return Ok(SessionStatus::Ended(Ended::None));
            }
            Loaded::Token(t) => t,
        };
        let status = self.validate(&token, refresh)?;
        if let SessionStatus::Ended(_) = status {
            self.lock();
            self.token_file.remove()?;
        }
        Ok(status)
    }

    fn validate(&self, token: &SessionToken, refresh: bool) -> Result<SessionStatus> {
        let now = self.now();
        let digest = token.digest();
        let Some((row, account)) = self.store.session(&digest)? else {
            let known = *self.last_account.lock().unwrap_or_else(|e| e.into_inner());
            return Ok(SessionStatus::Ended(match known {
                Some(id) if self.store.account(id)?.is_none() => Ended::Deleted,
                _ => Ended::Revoked,
            }));
        };
        let ended = if now >= row.expires_at
            || now.saturating_sub(row.last_seen_at) > self.limits.idle_secs
            || !self.limits.plausible(&row, now)
        {
            Some(Ended::Expired)
        } else {
            match &account {
                None => Some(Ended::Deleted),
                Some(a) => unusable(a, now).map(|u| match u {
                    Unavailable::Disabled => Ended::Disabled,
                    Unavailable::Expired => Ended::AccountExpired,
                }),
            }
        };
        if let Some(why) = ended {
            self.store.end_session(row.id)?;
            return Ok(SessionStatus::Ended(why));
        }
        let last_seen_at = if refresh {
            self.store.touch_session(row.id, now)?;
            now.max(row.last_seen_at)
        } else {
            row.last_seen_at
        };
        let Some(account) = account.map(Account::from) else {
            return Ok(SessionStatus::Ended(Ended::Deleted));
        };
        *self.last_account.lock().unwrap_or_else(|e| e.into_inner()) = Some(account.id);
        Ok(SessionStatus::Live(SessionInfo {
            id: row.id,
            account,
            authenticated_at: row.authenticated_at,
            created_at: row.created_at,
            last_seen_at,
            absolute_expires_at: row.expires_at,
            idle_expires_at: last_seen_at.saturating_add(self.limits.idle_secs),
        }))
    }

    /// Ends the session in the session file: its database row first, then the file.
    /// Returns whether a live session was ended.
    pub fn logout(&self) -> Result<bool> {
        let now = self.now();
        let ended = match self.token_file.load()? {
            Loaded::Token(token) => self.store.logout(&token.digest(), now)?,
            Loaded::Absent | Loaded::Rejected(_) => false,
        };
        self.lock();
        self.token_file.remove()?;
        self.prune_audit(now);
        Ok(ended)
    }

    /// Changes the password of the logged-in account. The current password is checked (and
    /// throttled like a login); the new one must pass the policy. Every other session of the
    /// account ends; this one stays. Returns how many other sessions ended.
    pub fn change_password(&self, current: &Password, new: &Password) -> Result<usize> {
        let Some(info) = self.current_session()? else {
            return Err(Error::NoSession);
        };
        // Checked before the current password is, as input: a refused new password costs no
        // Argon2 run and no attempt.
        Self::check_new_password(&info.account, current, new)?;
        self.begin_password_change(current)?;
        self.finish(new, true)
    }

    /// Whether `new` may replace `current` for `account`: the policy, and not the same.
    pub fn check_new_password(account: &Account, current: &Password, new: &Password) -> Result<()> {
        let strength =
            password_strength_for(Field::NewPassword, new, &account.email, &account.name);
        if let Some(p) = strength.problem {
            return Err(Error::invalid(p));
        }
        if normalize_password(current) == normalize_password(new) {
            return Err(Error::invalid(
                ValidationError::new(Field::NewPassword, "is the same as your current password.")
                    .with_hint("Choose a new one."),
            ));
        }
        Ok(())
    }

    /// The first step of a password change in two (for a front end that asks for the new
    /// password only once the current one was found right): checks the current password,
    /// throttled like a login, and returns the account. A refused new password after that is
    /// not a failed attempt. [`Accounts::finish_password_change`] completes it.
    pub fn begin_password_change(&self, current: &Password) -> Result<Account> {
        let Some(info) = self.current_session()? else {
            return Err(Error::NoSession);
        };
        let acc = info.account;
        let cur = normalize_password(current);
        check_password_length(Field::CurrentPassword, &cur)?;
        let norm = normalize_email(&acc.email);
        let now = self.now();
        let row = match self.gate(&norm, now, Outcome::PasswordChangeFailure)? {
            Gate::LockedOut(wait) => return Err(Error::Throttled(wait as u64)),
            Gate::Open(Some(row)) if row.id == acc.id => row,
            Gate::Open(_) => return Err(Error::NoSession),
        };
        let verified = self.argon2_for(Some(&row.password_hash), |h| {
            h.verify(&cur, &row.password_hash)
        });
        let Verified::Match { kek, .. } = verified else {
            self.store
                .record(now, &event_email(&norm), Outcome::PasswordChangeFailure)?;
            return Err(Error::CurrentPasswordIncorrect);
        };
        // The current password was right: whatever happens to the new one, this was no failed
        // attempt.
        self.store.clear_throttle(&norm)?;
        *self
            .pending_change
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(PendingChange {
            account: acc.clone(),
            row,
            norm,
            current: cur,
            kek,
        });
        Ok(acc)
    }

    /// The second step: replaces the password checked by
    /// [`Accounts::begin_password_change`] with `new`, which must pass the policy. Every other
    /// session of the account ends; this one stays. Returns how many ended.
    pub fn finish_password_change(&self, new: &Password) -> Result<usize> {
        self.finish(new, false)
    }

    fn finish(&self, new: &Password, checked: bool) -> Result<usize> {
        let Some(pending) = self
            .pending_change
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return Err(Error::Internal(
                "no password change was begun: give the current password first".into(),
            ));
        };
        if !checked {
            Self::check_new_password(&pending.account, &pending.current, new)?;
        }
        let new = normalize_password(new);
        // The data key is re-wrapped under the new password in the same transaction that
        // stores it; entries are untouched. A wrapping that does not open stops the change.
        let id = pending.row.id;
        let old_key = match (self.store.vault_keys(id)?, &pending.kek) {
            (
                Some(VaultKeys {
                    password_wrap: Some(w),
                    ..
                }),
                Some(kek),
            ) => Some(DataKey::unwrap(kek, id, &w).map_err(|e| {
                Error::VaultDamaged(format!("the data key's password wrapping {e}"))
            })?),
            _ => None,
        };
        let (hash, new_kek) = self.argon2(|h| h.enroll(&new)).map_err(Error::Internal)?;
        let new_wrap = old_key
            .map(|k| k.wrap(&new_kek, id))
            .transpose()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let token = match self.token_file.load()? {
            Loaded::Token(t) => t,
            _ => return Err(Error::NoSession),
        };
        let norm = &pending.norm;
        self.store.change_password(&PasswordChange {
            account_id: pending.row.id,
            email_norm: norm,
            keep_session: &token.digest(),
            old_hash: &pending.row.password_hash,
            new_hash: &hash,
            new_wrap: new_wrap.as_deref(),
            now: self.now(),
            event_email: &event_email(norm),
        })
    }
}

/// A password change whose current password was found right (see
/// [`Accounts::begin_password_change`]).
struct PendingChange {
    account: Account,
    row: AccountRecord,
    norm: String,
    /// The current password, normalized, to refuse it as the new one.
    current: Password,
    /// The current password's key-encryption key (`None`: a hash from before the vault).
    kek: Option<Kek>,
}

/// Why an account whose password was right may not be used at `now`, if it may not.
pub(crate) fn unusable(account: &AccountRecord, now: i64) -> Option<Unavailable> {
    if account.disabled {
        Some(Unavailable::Disabled)
    } else if account.expires_at.is_some_and(|t| t <= now) {
        Some(Unavailable::Expired)
    } else {
        None
    }
}

/// Refuses over-long passwords at login without hashing them (no account can have one).
/// An empty one is refused too: a stray Enter is not an attempt, so it never reaches the store
/// or the throttle.
pub(crate) fn check_password_length(field: Field, pw: &Password) -> Result<()> {
    let n = pw.expose().chars().count();
    if n == 0 {
        return Err(Error::invalid(
            ValidationError::new(field, "is required.").with_hint("Type your password."),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Error::invalid(ValidationError::new(
            field,
            format!("is too long ({n} characters; at most {MAX_PASSWORD_CHARS})."),
        )));
    }
    Ok(())
}

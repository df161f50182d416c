//! Administration and recovery on [`Accounts`]: the accounts list and what an administrator
//! does to an account, reset and first-login codes, imports, the audit log, and what every
//! user does with their own sessions, history and account.
//!
//! Authorization lives here: every administrator operation checks the caller's session and
//! role before it asks the store, and the store checks the role again inside the change's
//! transaction (so a demotion racing an action, or two admins demoting each other, never
//! leaves the store without an active admin). Deleting an account and issuing a reset code
//! need the caller's password entered in the last [`REAUTH_SECS`] (ASVS 7.5).

use crate::accounts::{Ended, check_password_length};
use crate::auth::hashing::Verified;
use crate::auth::identity::validate_login_email;
use crate::auth::policy::{
    normalize_email, normalize_password, password_strength_for, validate_email, validate_name,
};
use crate::secret::ResetCode;
use crate::storage::{
    AccountCounts, AccountQuery, AccountSummary, AdminChange, AuditEvent, AuditQuery, Change,
    Changed, Gate, Import, ImportRow, Imported, NO_PASSWORD, Outcome, ResetUse, Revoke,
    event_email,
};
use crate::vault_keys::Kek;
use crate::{Accounts, Error, Field, Password, Result, Role, SessionInfo, ValidationError};
use std::collections::HashMap;

/// How recently the password must have been entered for a delete or a reset code.
pub const REAUTH_SECS: i64 = 5 * 60;
/// How long a reset or first-login code stays valid.
pub const RESET_CODE_SECS: i64 = 24 * 3600;
/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 100_000;
/// History's default length.
pub const HISTORY_DEFAULT: usize = 20;

/// An account's state, as `admin users` shows it. The first that applies: disabled, expired,
/// throttled (its email is locked by failed attempts), active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    Disabled,
    Expired,
    Throttled,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Disabled => "disabled",
            AccountState::Expired => "expired",
            AccountState::Throttled => "throttled",
        }
    }

    fn of(a: &AccountSummary, now: i64) -> Self {
        if a.disabled {
            AccountState::Disabled
        } else if a.expires_at.is_some_and(|t| t <= now) {
            AccountState::Expired
        } else if a.locked_until.is_some_and(|t| t > now) {
            AccountState::Throttled
        } else {
            AccountState::Active
        }
    }
}

/// One account of the administration's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub account: AccountSummary,
    pub state: AccountState,
    /// The throttle's lock, only while it holds.
    pub locked_until: Option<i64>,
}

/// What an administrator does to an account (a reset code is [`Accounts::issue_reset_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    Disable,
    Enable,
    /// Clears the account's throttling.
    Unlock,
    Promote,
    Demote,
    /// Sets the account's expiry (Unix seconds), or clears it.
    Expire(Option<i64>),
    /// Needs a recent password.
    Delete,
}

/// One of the caller's own sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEntry {
    pub id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Whichever end comes first: the absolute one, or the idle one if unused till then.
    pub expires_at: i64,
    /// The session of this data dir's token file.
    pub current: bool,
}

/// An imported account and its first-login code.
#[derive(Debug)]
pub struct ImportedAccount {
    pub email: String,
    pub code: ResetCode,
}

impl Accounts {
    /// The caller's live session (counts as use).
    fn caller(&self) -> Result<SessionInfo> {
        self.current_session()?.ok_or(Error::NoSession)
    }

    /// The caller's session if it is an administrator's; a user's attempt is recorded and
    /// refused with exit 7.
    fn admin_caller(
        &self,
        action: crate::storage::AdminAction,
        target: &str,
    ) -> Result<SessionInfo> {
        let me = self.caller()?;
        if me.account.role != Role::Admin {
            let actor = event_email(&normalize_email(&me.account.email));
            let target = event_email(&normalize_email(target));
            self.store()
                .record_as(self.now(), &actor, &target, Outcome::AdminDenied(action))?;
            return Err(Error::NotAllowed(
                "this needs an administrator, and you are not one.".into(),
            ));
        }
        Ok(me)
    }

    fn require_recent_password(&self, me: &SessionInfo) -> Result<()> {
        if self.now().saturating_sub(me.authenticated_at) > REAUTH_SECS {
            return Err(Error::ReauthRequired);
        }
        Ok(())
    }

    /// Checks the caller's password again (throttled like a login) and marks it entered now
    /// in this session, for the actions that need a recent one.
    pub fn reauthenticate(&self, password: &Password) -> Result<()> {
        let me = self.caller()?;
        self.verify_own_password(
            &me,
            password,
            Outcome::ReauthFailure,
            Outcome::ReauthThrottled,
        )?;
        self.store().record(
            self.now(),
            &event_email(&normalize_email(&me.account.email)),
            Outcome::Reauthenticated,
        )?;
        self.store().set_authenticated(me.id, self.now())
    }

    /// Verifies the caller's own password through the throttle; a wrong one is recorded as
    /// `failure` and answered "Current password is incorrect". The key-encryption key it
    /// derives (`None` for a hash from before the vault).
    pub(crate) fn verify_own_password(
        &self,
        me: &SessionInfo,
        password: &Password,
        failure: Outcome,
        throttled: Outcome,
    ) -> Result<Option<Kek>> {
        let pw = normalize_password(password);
        check_password_length(Field::CurrentPassword, &pw)?;
        let norm = normalize_email(&me.account.email);
        let now = self.now();
        let row = match self.gate(&norm, now, throttled)? {
            Gate::LockedOut(wait) => return Err(Error::Throttled(wait as u64)),
            Gate::Open(Some(row)) if row.id == me.account.id => row,
            Gate::Open(_) => return Err(Error::NoSession),
        };
        let verified = self.argon2_for(Some(&row.password_hash), |h| {
            h.verify(&pw, &row.password_hash)
        });
        let Verified::Match { kek, .. } = verified else {
            self.store().record(now, &event_email(&norm), failure)?;
            return Err(Error::CurrentPasswordIncorrect);
        };
        self.store().clear_throttle(&norm)?;
        Ok(kek)
    }

    /// A page of the accounts list (administrators only).
    pub fn users_page(&self, query: &AccountQuery<'_>) -> Result<Vec<UserRow>> {
        self.list_check()?;
        let now = self.now();
        let filter = query.filter.to_lowercase();
        let rows = self.store().account_page(&AccountQuery {
            filter: &filter,
            ..query.clone()
        })?;
        Ok(rows.into_iter().map(|a| user_row(a, now)).collect())
    }

    /// Every account matching `filter`, by email (administrators only). Read page by page, so
    /// memory grows with the answer, not with a query's buffers.
    pub fn all_users(&self, filter: &str) -> Result<Vec<UserRow>> {
        self.list_check()?;
        let now = self.now();
        let filter = filter.to_lowercase();
        let mut out: Vec<UserRow> = Vec::new();
        loop {
            let page = self.store().account_page(&AccountQuery {
                filter: &filter,
                cursor: out.last().map(|r| r.account.cursor(Default::default())),
                limit: 1000,
                ..Default::default()
            })?;
            let n = page.len();
            out.extend(page.into_iter().map(|a| user_row(a, now)));
            if n < 1000 {
                return Ok(out);
            }
        }
    }

    /// Counts for the accounts list's status line (administrators only).
    pub fn user_counts(&self, filter: &str) -> Result<AccountCounts> {
        self.list_check()?;
        self.store().account_counts(&filter.to_lowercase())
    }

    /// Reading the list needs an admin; a refused read is not an action on anyone, so it is
    /// not recorded.
    fn list_check(&self) -> Result<()> {
        if self.caller()?.account.role != Role::Admin {
            return Err(Error::NotAllowed(
                "this needs an administrator, and you are not one.".into(),
            ));
        }
        Ok(())
    }

    /// An administrator's change to the account of `email`; how many of its sessions ended.
    pub fn admin(&self, email: &str, op: AdminOp) -> Result<usize> {
        let change = match op {
            AdminOp::Disable => Change::Disable,
            AdminOp::Enable => Change::Enable,
            AdminOp::Unlock => Change::Unlock,
            AdminOp::Promote => Change::Promote,
            AdminOp::Demote => Change::Demote,
            AdminOp::Expire(at) => Change::Expire(at),
            AdminOp::Delete => Change::Delete,
        };
        let me = self.admin_caller(change.action(), email)?;
        if op == AdminOp::Delete {
            self.require_recent_password(&me)?;
        }
        self.apply(&me, email, change)
    }

    fn apply(&self, me: &SessionInfo, email: &str, change: Change<'_>) -> Result<usize> {
        let now = self.now();
        let target_norm = normalize_email(email.trim());
        let changed = self.store().admin_change(&AdminChange {
            actor_id: me.account.id,
            actor_event: &event_email(&normalize_email(&me.account.email)),
            target_norm: &target_norm,
            target_event: &event_email(&target_norm),
            change,
            now,
        })?;
        self.prune_audit(now);
        match changed {
            Changed::Done { sessions_ended } => Ok(sessions_ended),
            Changed::UnknownAccount => Err(Error::UnknownAccount(crate::sanitize::for_display(
                email.trim(),
            ))),
            Changed::NotAdmin => Err(Error::NotAllowed(
                "this needs an administrator, and you are no longer one.".into(),
            )),
            Changed::LastAdmin => Err(Error::NotAllowed(
                "this would leave no active administrator. Promote another account first.".into(),
            )),
        }
    }

    /// Issues a one-time reset code for the account of `email` (administrators only, with a
    /// recent password). It replaces the account's earlier code and is valid for 24 h.
    pub fn issue_reset_code(&self, email: &str) -> Result<ResetCode> {
        let me = self.admin_caller(crate::storage::AdminAction::ResetCode, email)?;
        self.require_recent_password(&me)?;
        let code = ResetCode::generate()
            .map_err(|e| Error::Internal(format!("random source failed: {e}")))?;
        let digest = code.digest();
        self.apply(
            &me,
            email,
            Change::ResetCode {
                code_sha256: &digest,
                expires_at: self.now().saturating_add(RESET_CODE_SECS),
            },
        )?;
        Ok(code)
    }

    /// Creates the accounts of a CSV file (`email,name[,role]`, an optional header row),
    /// each without a usable password and with a first-login code (administrators only).
    /// All or nothing: a bad row is reported with its line number and nothing is created.
    pub fn import_csv(&self, data: &[u8]) -> Result<Vec<ImportedAccount>> {
        let me = self.admin_caller(crate::storage::AdminAction::Import, "")?;
        let rows = parse_import(data)?;
        let codes = rows
            .iter()
            .map(|_| ResetCode::generate())
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::Internal(format!("random source failed: {e}")))?;
        let digests: Vec<[u8; 32]> = codes.iter().map(ResetCode::digest).collect();
        let import_rows: Vec<ImportRow<'_>> = rows
            .iter()
            .zip(&digests)
            .map(|(r, d)| ImportRow {
                email: &r.email,
                email_norm: &r.norm,
                name: &r.name,
                admin: r.admin,
                code_sha256: d,
            })
            .collect();
        let now = self.now();
        let done = self.store().import_accounts(&Import {
            actor_id: me.account.id,
            actor_event: &event_email(&normalize_email(&me.account.email)),
            rows: &import_rows,
            now,
            codes_expire_at: now.saturating_add(RESET_CODE_SECS),
        })?;
        match done {
            Imported::Created(_) => Ok(rows
                .into_iter()
                .zip(codes)
                .map(|(r, code)| ImportedAccount {
                    email: r.email,
                    code,
                })
                .collect()),
            Imported::Taken(i) => Err(Error::Import {
                line: rows[i].line,
                message: format!(
                    "an account with the email {} exists already.",
                    crate::sanitize::for_display(&rows[i].email)
                ),
            }),
            Imported::NotAdmin => Err(Error::NotAllowed(
                "this needs an administrator, and you are no longer one.".into(),
            )),
        }
    }

    /// The audit log, newest first (administrators only): every event, or those whose actor
    /// or target is `email`, or whose actor or target contains `contains`.
    pub fn audit_log(
        &self,
        email: Option<&str>,
        contains: Option<&str>,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
        self.list_check()?;
        self.prune_audit(self.now());
        let email = email.map(|e| event_email(&normalize_email(e.trim())));
        let contains = contains.map(str::to_lowercase).filter(|c| !c.is_empty());
        self.store().audit(&AuditQuery {
            email: email.as_deref(),
            contains: contains.as_deref(),
            before_id,
            limit,
        })
    }

    /// The caller's own recent events, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<AuditEvent>> {
        let me = self.caller()?;
        let email = event_email(&normalize_email(&me.account.email));
        self.store().audit(&AuditQuery {
            email: Some(&email),
            limit,
            ..Default::default()
        })
    }

    /// The caller's live sessions, the current one marked.
    pub fn sessions(&self) -> Result<Vec<SessionEntry>> {
        let me = self.caller()?;
        let now = self.now();
        let idle = self.limits().idle_secs;
        Ok(self
            .store()
            .sessions_of(me.account.id, now)?
            .into_iter()
            .filter(|s| now.saturating_sub(s.last_seen_at) <= idle)
            .map(|s| SessionEntry {
                current: s.id == me.id,
                expires_at: s.expires_at.min(s.last_seen_at.saturating_add(idle)),
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    /// Ends one of the caller's sessions (the current one is a logout); how many ended (0 or
    /// 1). An id that is not one of the caller's sessions is refused.
    pub fn revoke_session(&self, id: i64) -> Result<usize> {
        let me = self.caller()?;
        if id == me.id {
            return Ok(usize::from(self.logout()?));
        }
        let email = event_email(&normalize_email(&me.account.email));
        match self
            .store()
            .revoke_sessions(me.account.id, Revoke::One(id), self.now(), &email)?
        {
            0 => Err(Error::invalid(
                ValidationError::new(Field::Code, format!("{id} is not one of your sessions."))
                    .with_hint("List them with `vaultty sessions`."),
            )),
            n => Ok(n),
        }
    }

    /// Ends every session of the caller's but this one; how many.
    pub fn revoke_other_sessions(&self) -> Result<usize> {
        let me = self.caller()?;
        let email = event_email(&normalize_email(&me.account.email));
        self.store()
            .revoke_sessions(me.account.id, Revoke::AllBut(me.id), self.now(), &email)
    }

    /// Deletes the caller's own account after checking the password; refused for the last
    /// active administrator. The session file goes with it.
    pub fn delete_own_account(&self, password: &Password) -> Result<()> {
        let me = self.caller()?;
        self.verify_own_password(
            &me,
            password,
            Outcome::ReauthFailure,
            Outcome::ReauthThrottled,
        )?;
        let email = event_email(&normalize_email(&me.account.email));
        match self
            .store()
            .delete_own_account(me.account.id, self.now(), &email)?
        {
            Changed::Done { .. } => {
                self.token_file().remove()?;
                Ok(())
            }
            Changed::LastAdmin => Err(Error::NotAllowed(
                "you are the last active administrator. Promote another account first.".into(),
            )),
            Changed::UnknownAccount | Changed::NotAdmin => Err(Error::NoSession),
        }
    }

    /// Sets a new password with a reset or first-login code. A wrong, used or expired code
    /// (or an email without an account) gets one answer after the same work, and counts
    /// against the email's throttle like a failed login. Using the code ends every session of
    /// the account and clears its throttling; returns how many sessions ended.
    pub fn reset_password(&self, email: &str, code: &str, new: &Password) -> Result<usize> {
        let email = validate_login_email(email).map_err(Error::invalid)?;
        let Some(code) = ResetCode::parse(code) else {
            return Err(Error::invalid(
                ValidationError::new(
                    Field::Code,
                    format!(
                        "is not a code: a code has {} letters and digits, like XXXX-XXXX-….",
                        ResetCode::CHARS
                    ),
                )
                .with_hint("Type it as the administrator gave it; dashes and spaces are optional."),
            ));
        };
        let norm = normalize_email(&email);
        // The policy with what the caller gave (the email): checked before anything is
        // looked up, so a refused password says nothing about the account.
        if let Some(p) = password_strength_for(Field::NewPassword, new, &email, "").problem {
            return Err(Error::invalid(p));
        }
        let now = self.now();
        let ev = event_email(&norm);
        if let Gate::LockedOut(wait) = self.gate(&norm, now, Outcome::ResetThrottled)? {
            return Err(Error::Throttled(wait as u64));
        }
        let digest = code.digest();
        let Some(account) = self.store().reset_code_account(&norm, &digest, now)? else {
            self.store().record(now, &ev, Outcome::ResetFailure)?;
            return Err(Error::InvalidResetCode);
        };
        // The code is right: the rest of the policy (not like the account's name) may now be
        // checked, and a refusal here is no failed attempt.
        if let Some(p) =
            password_strength_for(Field::NewPassword, new, &account.email, &account.name).problem
        {
            self.store().clear_throttle(&norm)?;
            return Err(Error::invalid(p));
        }
        let pw = normalize_password(new);
        let hash = self.argon2(|h| h.hash(&pw)).map_err(Error::Internal)?;
        debug_assert_ne!(hash, NO_PASSWORD);
        match self.store().use_reset_code(&ResetUse {
            email_norm: &norm,
            event_email: &ev,
            code_sha256: &digest,
            new_hash: &hash,
            now,
        })? {
            Some(ended) => Ok(ended),
            // Another process used it first.
            None => {
                self.store().record(now, &ev, Outcome::ResetFailure)?;
                Err(Error::InvalidResetCode)
            }
        }
    }

    /// Why the UI's session ended, for its message (see [`Accounts::session_status`]).
    pub fn ended_text(why: Ended) -> &'static str {
        match why {
            Ended::None | Ended::Revoked => "Your session was ended elsewhere. Log in again.",
            Ended::Expired => "Your session expired. Log in again.",
            Ended::Disabled => "Your account was disabled by an administrator.",
            Ended::AccountExpired => "Your account has expired. Ask an administrator.",
            Ended::Deleted => "Your account was deleted.",
        }
    }
}

fn user_row(account: AccountSummary, now: i64) -> UserRow {
    UserRow {
        state: AccountState::of(&account, now),
        locked_until: account.locked_until.filter(|t| *t > now),
        account,
    }
}

/// One checked row of an import file.
#[derive(Debug)]
struct ImportLine {
    line: u64,
    email: String,
    norm: String,
    name: String,
    admin: bool,
}

/// Reads an import file with a real CSV parser (quotes, embedded commas and newlines, a
/// UTF-8 byte-order mark, CRLF), checking every row; the first bad one is the error.
fn parse_import(data: &[u8]) -> Result<Vec<ImportLine>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    // The line a record starts on, counted here (the parser's own count lags behind line
    // ends and blank lines), as it goes: records come in order, so each count starts where
    // the last one stopped and the file is scanned once.
    let mut counted = (0usize, 1u64);
    let mut line_at = |byte: u64| {
        let mut at = (byte as usize).min(data.len());
        while at < data.len() && matches!(data[at], b'\r' | b'\n') {
            at += 1;
        }
        let (from, lines) = if at >= counted.0 { counted } else { (0, 1) };
        let lines = lines + data[from..at].iter().filter(|b| **b == b'\n').count() as u64;
        counted = (at, lines);
        lines
    };
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| Error::Import {
                line: e.position().map_or(1, |p| line_at(p.byte())),
                message: "is not valid CSV.".into(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(1, |p| line_at(p.byte()));
        let bad = |message: String| Error::Import { line, message };
        let fields: Vec<&str> = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad("is not UTF-8 text.".into()))?;
        if fields.iter().any(|f| f.contains(['\n', '\r'])) {
            return Err(bad(
                "has a line break inside a quoted field (a quote left open?).".into(),
            ));
        }
        if std::mem::take(&mut first)
            && fields
                .first()
                .is_some_and(|f| f.trim().eq_ignore_ascii_case("email"))
        {
            continue; // the header row
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if !(2..=3).contains(&fields.len()) {
            return Err(bad(format!(
                "has {} columns; expected email,name or email,name,role.",
                fields.len()
            )));
        }
        let email = validate_email(fields[0]).map_err(|e| bad(format!("{e}")))?;
        let name = validate_name(fields[1]).map_err(|e| bad(format!("{e}")))?;
        let admin = match fields
            .get(2)
            .map(|r| r.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("") | Some("user") => false,
            Some("admin") => true,
            Some(_) => {
                return Err(bad("Role must be user or admin (or empty for user).".into()));
            }
        };
        let norm = normalize_email(&email);
        if let Some(earlier) = seen.insert(norm.clone(), line) {
            return Err(bad(format!(
                "the email {} is also on line {earlier}.",
                crate::sanitize::for_display(&email)
            )));
        }
        if rows.len() == MAX_IMPORT_ROWS {
            return Err(bad(format!(
                "too many rows: one import takes at most {MAX_IMPORT_ROWS}."
            )));
        }
        rows.push(ImportLine {
            line,
            email,
            norm,
            name,
            admin,
        });
    }
    if rows.is_empty() {
        return Err(Error::Import {
            line: 1,
            message: "the file has no accounts (expected rows of email,name[,role]).".into(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(csv: &str) -> Result<Vec<(u64, String, String, bool)>> {
        parse_import(csv.as_bytes()).map(|v| {
            v.into_iter()
                .map(|l| (l.line, l.email, l.name, l.admin))
                .collect()
        })
    }

    #[test]
    fn import_reads_quotes_commas_bom_and_crlf() {
        let csv = "\u{feff}email,name,role\r\n\
                   ada@example.com,\"Lovelace, Ada\",admin\r\n\
                   \"bob@example.com\",\"Bob \"\"the builder\"\"\"\r\n\
                   \r\n\
                   cy@example.com,Cy,\r\n";
        let rows = lines(csv).unwrap();
        assert_eq!(
            rows,
            vec![
                (2, "ada@example.com".into(), "Lovelace, Ada".into(), true),
                (
                    3,
                    "bob@example.com".into(),
                    "Bob \"the builder\"".into(),
                    false
                ),
                (5, "cy@example.com".into(), "Cy".into(), false),
            ]
        );
    }

    #[test]
    fn import_reports_the_first_bad_line() {
        let err = |csv: &str| match lines(csv) {
            Err(Error::Import { line, message }) => (line, message),
            other => panic!("expected an import error, got {other:?}"),
        };
        let (line, msg) = err("a@example.com,A\nnot-an-email,B\n");
        assert_eq!(line, 2);
        assert!(msg.contains("Email"), "{msg}");
        let (line, msg) = err("a@example.com,A\nb@example.com,B,root\n");
        assert_eq!(line, 2);
        assert!(msg.contains("Role"), "{msg}");
        let (line, msg) = err("a@example.com,A\nb@example.com\n");
        assert_eq!((line, msg.contains("1 columns")), (2, true));
        let (line, msg) = err("a@example.com,A\nA@Example.com,B\n");
        assert_eq!(line, 2);
        assert!(msg.contains("line 1"), "{msg}");
        let (line, msg) = err("email,name\n");
        assert_eq!(line, 1);
        assert!(msg.contains("no accounts"), "{msg}");
        let (line, msg) = err("a@example.com,A\nb@example.com,\"unterminated\nc@example.com,C\n");
        assert_eq!(line, 2);
        assert!(msg.contains("quote"), "{msg}");
        let (line, msg) = err("a@example.com,A\nb@example.com,\u{0}\n");
        assert_eq!(line, 2, "{msg}");
    }

    #[test]
    fn import_of_100_000_rows_reads_in_linear_time() {
        let csv: String = (0..100_000)
            .map(|i| format!("p{i:06}@example.com,Person {i:06}\r\n"))
            .collect();
        let rows = parse_import(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 100_000);
        assert_eq!(rows[99_999].line, 100_000);
        // A bad row at the end still names its line.
        let bad = format!("{csv}not-an-email,X\r\n");
        match parse_import(bad.as_bytes()) {
            Err(Error::Import { line, .. }) => assert_eq!(line, 100_001),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn import_refuses_a_name_with_a_newline_inside_quotes_on_its_line() {
        match lines("a@example.com,A\nb@example.com,\"B\nC\"\n") {
            Err(Error::Import { line, message }) => {
                assert_eq!(line, 2);
                assert!(message.contains("line break"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

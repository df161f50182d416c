//! [`Storage`] on SQLite: each operation one transaction over the table modules.

use crate::{Store, accounts, events, is_unique_violation, sessions, throttle};
use std::path::Path;
use vaultty_core::storage::{
    AccountRecord, Attempts, Gate, LockoutSchedule, LoginCommit, NewAccount, Outcome,
    PasswordChange, SessionRecord, Storage,
};
use vaultty_core::{Error, Result};

impl Storage for Store {
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path().display())
    }

    fn now(&self) -> Result<Option<i64>> {
        // One file on one machine: the machine's clock is the only one.
        Ok(None)
    }

    fn gate(
        &self,
        email_norm: &str,
        event_email: &str,
        now: i64,
        schedule: &LockoutSchedule,
        refused: Outcome,
    ) -> Result<Gate> {
        self.write(|tx| {
            let row = self.db(throttle::gate(tx, email_norm, now, schedule))?;
            if row.refused {
                self.db(events::record(tx, now, event_email, refused))?;
                return Ok(Gate::LockedOut(row.locked_until - now));
            }
            Ok(Gate::Open(
                self.db(accounts::by_email_norm(tx, email_norm))?,
            ))
        })
    }

    fn record(&self, now: i64, event_email: &str, outcome: Outcome) -> Result<()> {
        self.write(|tx| self.db(events::record(tx, now, event_email, outcome)))
    }

    fn clear_throttle(&self, email_norm: &str) -> Result<()> {
        self.write(|tx| self.db(throttle::clear(tx, email_norm)))
    }

    fn create_account(&self, new: &NewAccount<'_>) -> Result<i64> {
        let id = self.write_durable(|tx| {
            let id = match accounts::insert(
                tx,
                new.email,
                new.email_norm,
                new.name,
                new.password_hash,
                new.now,
            ) {
                Ok(id) => id,
                Err(e) if is_unique_violation(&e) => return Err(Error::EmailTaken),
                Err(e) => return Err(self.err(&e)),
            };
            self.db(throttle::clear(tx, new.email_norm))?;
            self.db(events::record(
                tx,
                new.now,
                new.event_email,
                Outcome::Signup,
            ))?;
            Ok(id)
        })?;
        // Accounts reach the database file itself, not only the WAL: a copy of vaultty.db
        // then holds every account (logins, which are many, leave their rows in the WAL).
        // Done is done: a busy store only postpones this.
        let _ = self.truncate_wal();
        Ok(id)
    }

    fn commit_login(
        &self,
        login: &LoginCommit<'_>,
        before_commit: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Attempts> {
        let account = login.account;
        let attempts = self.write(|tx| {
            self.db(throttle::clear(tx, &account.email_norm))?;
            let since = account.last_login_at.unwrap_or(account.created_at);
            let count = |outcome| events::count_since(tx, login.event_email, since, outcome);
            let attempts = Attempts {
                failed: self.db(count(Outcome::LoginFailure))?,
                throttled: self.db(count(Outcome::LoginThrottled))?,
            };
            self.db(accounts::set_last_login(tx, account.id, login.now))?;
            if let Some(h) = login.new_hash {
                self.db(accounts::replace_hash(
                    tx,
                    account.id,
                    &account.password_hash,
                    h,
                ))?;
            }
            if let Some(old) = login.old_session {
                self.db(sessions::delete_by_token(tx, old))?;
            }
            self.db(sessions::delete_expired(tx, login.now))?;
            self.db(sessions::insert(
                tx,
                account.id,
                login.new_session,
                login.now,
                login.expires_at,
            ))?;
            self.db(events::record(
                tx,
                login.now,
                login.event_email,
                Outcome::LoginSuccess,
            ))?;
            before_commit()?;
            Ok(attempts)
        })?;
        if login.new_hash.is_some() {
            // As after a password change: the replaced hash must not stay in the WAL. The
            // login itself is done, so a busy store only postpones this to a later change.
            let _ = self.truncate_wal();
        }
        Ok(attempts)
    }

    fn session(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<(SessionRecord, Option<AccountRecord>)>> {
        let c = self.conn();
        let Some(row) = self.db(sessions::by_token(c, token_sha256))? else {
            return Ok(None);
        };
        let account = self.db(accounts::by_id(c, row.account_id))?;
        Ok(Some((row, account)))
    }

    fn touch_session(&self, id: i64, now: i64) -> Result<()> {
        self.write(|tx| self.db(sessions::touch(tx, id, now)))
    }

    fn end_session(&self, id: i64) -> Result<()> {
        self.write(|tx| self.db(sessions::delete(tx, id)))
    }

    fn logout(&self, token_sha256: &[u8; 32], now: i64) -> Result<bool> {
        let ended = self.write_durable(|tx| {
            let email = match self.db(sessions::by_token(tx, token_sha256))? {
                Some(row) => self
                    .db(accounts::by_id(tx, row.account_id))?
                    .map(|a| a.email_norm),
                None => None,
            };
            let ended = self.db(sessions::delete_by_token(tx, token_sha256))?;
            if let (true, Some(email)) = (ended, email) {
                self.db(events::record(
                    tx,
                    now,
                    &vaultty_core::storage::event_email(&email),
                    Outcome::Logout,
                ))?;
            }
            Ok(ended)
        })?;
        if ended {
            // The ended session's token digest should not stay in the WAL. The logout is
            // committed whatever happens here: a store kept busy by other processes only
            // postpones this to a later checkpoint, and must not turn a done logout into an
            // error.
            let _ = self.truncate_wal();
        }
        Ok(ended)
    }

    fn change_password(&self, change: &PasswordChange<'_>) -> Result<usize> {
        let ended = self.write_durable(|tx| {
            let keep = self
                .db(sessions::by_token(tx, change.keep_session))?
                .ok_or(Error::NoSession)?;
            if !self.db(accounts::replace_hash(
                tx,
                change.account_id,
                change.old_hash,
                change.new_hash,
            ))? {
                return Err(Error::Internal(
                    "the password was changed by another process meanwhile; try again".into(),
                ));
            }
            self.db(throttle::clear(tx, change.email_norm))?;
            let ended = self.db(sessions::delete_others(tx, change.account_id, keep.id))?;
            self.db(events::record(
                tx,
                change.now,
                change.event_email,
                Outcome::PasswordChanged,
            ))?;
            Ok(ended)
        })?;
        // The old hash should not outlive the change in the WAL. The change is committed:
        // a store kept busy by other processes only postpones this (see `logout`).
        let _ = self.truncate_wal();
        Ok(ended)
    }

    fn count_accounts(&self) -> Result<i64> {
        self.db(accounts::count(self.conn()))
    }

    fn backup_to(&self, to: &Path) -> Result<i64> {
        Store::backup_to(self, to)
    }
}

impl vaultty_core::storage::Inspect for Store {
    fn count(&self, table: vaultty_core::storage::Table) -> Result<i64> {
        use vaultty_core::storage::Table;
        // A fixed table name per variant: never text from outside.
        let sql = match table {
            Table::Accounts => "SELECT count(*) FROM accounts",
            Table::Sessions => "SELECT count(*) FROM sessions",
            Table::Throttle => "SELECT count(*) FROM throttle",
            Table::AuthEvents => "SELECT count(*) FROM auth_events",
        };
        self.db(self.conn().query_row(sql, [], |r| r.get(0)))
    }

    fn account_by_email(&self, email_norm: &str) -> Result<Option<AccountRecord>> {
        self.db(accounts::by_email_norm(self.conn(), email_norm))
    }

    fn accounts(&self) -> Result<Vec<AccountRecord>> {
        self.db(accounts::all(self.conn()))
    }

    fn set_disabled(&self, account_id: i64, disabled: bool) -> Result<bool> {
        self.write(|tx| self.db(accounts::set_disabled(tx, account_id, disabled)))
    }

    fn delete_account(&self, account_id: i64) -> Result<bool> {
        self.write(|tx| self.db(accounts::delete(tx, account_id)))
    }

    fn events(&self) -> Result<Vec<(i64, String, String)>> {
        self.db(self
            .conn()
            .prepare("SELECT at, email, outcome FROM auth_events ORDER BY id")
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            }))
    }

    fn throttle(&self, email_norm: &str) -> Result<Option<(i64, i64)>> {
        self.db(throttle::get(self.conn(), email_norm))
            .map(|r| r.map(|r| (r.failures, r.locked_until)))
    }
}

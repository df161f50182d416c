//! [`Storage`] on SQLite: each operation one transaction over the table modules.

use crate::{Store, accounts, events, is_unique_violation, reset_codes, sessions, throttle, vault};
use std::path::Path;
use vaultty_core::storage::entry_times;
use vaultty_core::storage::{
    AccountCounts, AccountQuery, AccountRecord, AccountSummary, AdminChange, Attempts, AuditEvent,
    AuditQuery, Change, Changed, Gate, Import, Imported, KeyChange, LockoutSchedule, LoginCommit,
    NewAccount, Outcome, PasswordChange, ResetUse, Revoke, SealedEntry, SessionRecord, Storage,
    VaultKeys, VaultWraps,
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

    fn create_account(&self, new: &NewAccount<'_>) -> Result<(i64, bool)> {
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
            if let Some(make) = new.vault {
                self.db(vault::create(tx, id.0, &make(id.0)?))?;
            }
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
            let (failed, throttled) =
                self.db(events::refusals_since(tx, login.event_email, since))?;
            let mut attempts = Attempts {
                failed,
                throttled,
                session_id: 0,
            };
            self.db(accounts::set_last_login(tx, account.id, login.now))?;
            if let Some(h) = login.new_hash
                && self.db(accounts::replace_hash(
                    tx,
                    account.id,
                    &account.password_hash,
                    h,
                ))?
            {
                self.db(vault::set_password_wrap(tx, account.id, login.new_wrap))?;
            }
            self.db(sessions::delete_ended(tx, login.now, login.old_session))?;
            attempts.session_id = self.db(sessions::insert(
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

    fn account(&self, id: i64) -> Result<Option<AccountRecord>> {
        self.db(accounts::by_id(self.conn(), id))
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
            self.db(vault::set_password_wrap(
                tx,
                change.account_id,
                change.new_wrap,
            ))?;
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

    fn record_as(&self, now: i64, actor: &str, target: &str, outcome: Outcome) -> Result<()> {
        self.write(|tx| self.db(events::record_as(tx, now, actor, target, outcome)))
    }

    fn set_authenticated(&self, session_id: i64, now: i64) -> Result<()> {
        self.write(|tx| self.db(sessions::set_authenticated(tx, session_id, now)))
    }

    fn sessions_of(&self, account_id: i64, now: i64) -> Result<Vec<SessionRecord>> {
        self.db(sessions::of_account(self.conn(), account_id, now))
    }

    fn revoke_sessions(
        &self,
        account_id: i64,
        which: Revoke,
        now: i64,
        event_email: &str,
    ) -> Result<usize> {
        let ended = self.write_durable(|tx| {
            let ended = match which {
                Revoke::One(id) => self.db(sessions::delete_of(tx, account_id, id))?,
                Revoke::AllBut(keep) => self.db(sessions::delete_others(tx, account_id, keep))?,
            };
            if ended > 0 {
                self.db(events::record(
                    tx,
                    now,
                    event_email,
                    Outcome::SessionsRevoked,
                ))?;
            }
            Ok(ended)
        })?;
        if ended > 0 {
            let _ = self.truncate_wal();
        }
        Ok(ended)
    }

    fn admin_change(&self, c: &AdminChange<'_>) -> Result<Changed> {
        let now = c.now;
        let changed = self.write_durable(|tx| {
            let refuse = |why: Changed| -> Result<Changed> {
                self.db(events::record_as(
                    tx,
                    now,
                    c.actor_event,
                    c.target_event,
                    Outcome::AdminDenied(c.change.action()),
                ))?;
                Ok(why)
            };
            let actor_ok = self
                .db(accounts::by_id(tx, c.actor_id))?
                .is_some_and(|a| a.active_admin_at(now));
            if !actor_ok {
                return refuse(Changed::NotAdmin);
            }
            let Some(target) = self.db(accounts::by_email_norm(tx, c.target_norm))? else {
                return refuse(Changed::UnknownAccount);
            };
            if c.change.removes_admin()
                && target.active_admin_at(now)
                && self.db(accounts::other_active_admins(tx, target.id, now))? == 0
            {
                return refuse(Changed::LastAdmin);
            }
            let mut ended = 0;
            match c.change {
                // The sessions a disable or an expiry ends keep their rows until their next
                // check: every check reads the account, refuses it from then on, and can then
                // say why the session ended.
                Change::Disable => {
                    self.db(accounts::set_disabled(tx, target.id, true))?;
                    ended = self.db(sessions::of_account(tx, target.id, now))?.len();
                }
                Change::Enable => {
                    self.db(accounts::set_disabled(tx, target.id, false))?;
                }
                Change::Unlock => self.db(throttle::clear(tx, &target.email_norm))?,
                Change::Promote => self.db(accounts::set_role(tx, target.id, true))?,
                Change::Demote => self.db(accounts::set_role(tx, target.id, false))?,
                Change::Expire(at) => {
                    self.db(accounts::set_expiry(tx, target.id, at))?;
                    if at.is_some_and(|t| t <= now) {
                        ended = self.db(sessions::of_account(tx, target.id, now))?.len();
                    }
                }
                Change::Delete => {
                    ended = self.db(sessions::delete_all(tx, target.id))?;
                    self.db(accounts::delete(tx, target.id))?;
                    self.db(throttle::clear(tx, &target.email_norm))?;
                }
                Change::ResetCode {
                    code_sha256,
                    expires_at,
                } => {
                    self.db(reset_codes::delete_expired(tx, now))?;
                    self.db(reset_codes::put(
                        tx,
                        target.id,
                        code_sha256,
                        now,
                        expires_at,
                    ))?;
                }
            }
            self.db(events::record_as(
                tx,
                now,
                c.actor_event,
                c.target_event,
                Outcome::Admin(c.change.action()),
            ))?;
            Ok(Changed::Done {
                sessions_ended: ended,
            })
        })?;
        if matches!(changed, Changed::Done { .. }) {
            let _ = self.truncate_wal();
        }
        Ok(changed)
    }

    fn delete_own_account(&self, account_id: i64, now: i64, event_email: &str) -> Result<Changed> {
        let changed = self.write_durable(|tx| {
            let Some(account) = self.db(accounts::by_id(tx, account_id))? else {
                return Ok(Changed::UnknownAccount);
            };
            if account.active_admin_at(now)
                && self.db(accounts::other_active_admins(tx, account.id, now))? == 0
            {
                return Ok(Changed::LastAdmin);
            }
            let ended = self.db(sessions::delete_all(tx, account.id))?;
            self.db(accounts::delete(tx, account.id))?;
            self.db(throttle::clear(tx, &account.email_norm))?;
            self.db(events::record(
                tx,
                now,
                event_email,
                Outcome::AccountDeleted,
            ))?;
            Ok(Changed::Done {
                sessions_ended: ended,
            })
        })?;
        if matches!(changed, Changed::Done { .. }) {
            let _ = self.truncate_wal();
        }
        Ok(changed)
    }

    fn import_accounts(&self, import: &Import<'_>) -> Result<Imported> {
        // Which row's email was taken: the error that rolls the transaction back carries no
        // index, so it is kept here.
        let taken = std::cell::Cell::new(None);
        let done = self.write_durable(|tx| {
            let actor_ok = self
                .db(accounts::by_id(tx, import.actor_id))?
                .is_some_and(|a| a.active_admin_at(import.now));
            if !actor_ok {
                self.db(events::record_as(
                    tx,
                    import.now,
                    import.actor_event,
                    import.actor_event,
                    Outcome::AdminDenied(vaultty_core::storage::AdminAction::Import),
                ))?;
                return Ok(Imported::NotAdmin);
            }
            for (i, row) in import.rows.iter().enumerate() {
                let id = match accounts::insert_imported(
                    tx,
                    row.email,
                    row.email_norm,
                    row.name,
                    row.admin,
                    import.now,
                ) {
                    Ok(id) => id,
                    // Nothing of the import stays: the transaction is rolled back.
                    Err(e) if is_unique_violation(&e) => {
                        taken.set(Some(i));
                        return Err(Error::EmailTaken);
                    }
                    Err(e) => return Err(self.err(&e)),
                };
                self.db(reset_codes::put(
                    tx,
                    id,
                    row.code_sha256,
                    import.now,
                    import.codes_expire_at,
                ))?;
                self.db(events::record_as(
                    tx,
                    import.now,
                    import.actor_event,
                    &vaultty_core::storage::event_email(row.email_norm),
                    Outcome::Admin(vaultty_core::storage::AdminAction::Import),
                ))?;
            }
            Ok(Imported::Created(import.rows.len()))
        });
        match done {
            Err(Error::EmailTaken) if taken.get().is_some() => {
                Ok(Imported::Taken(taken.get().unwrap_or(0)))
            }
            Err(e) => Err(e),
            Ok(done) => {
                let _ = self.truncate_wal();
                Ok(done)
            }
        }
    }

    fn reset_code_account(
        &self,
        email_norm: &str,
        code_sha256: &[u8; 32],
        now: i64,
    ) -> Result<Option<AccountRecord>> {
        self.db(reset_codes::account(
            self.conn(),
            email_norm,
            code_sha256,
            now,
        ))
    }

    fn use_reset_code(&self, reset: &ResetUse<'_>) -> Result<Option<usize>> {
        let ended = self.write_durable(|tx| {
            let Some(id) = self.db(reset_codes::take(
                tx,
                reset.email_norm,
                reset.code_sha256,
                reset.now,
            ))?
            else {
                return Ok(None);
            };
            self.db(accounts::set_hash(tx, id, reset.new_hash))?;
            // The old password's key is gone: the vault is sealed until the recovery code
            // opens it.
            self.db(vault::set_password_wrap(tx, id, None))?;
            let ended = self.db(sessions::delete_all(tx, id))?;
            self.db(throttle::clear(tx, reset.email_norm))?;
            self.db(events::record(
                tx,
                reset.now,
                reset.event_email,
                Outcome::ResetUsed,
            ))?;
            Ok(Some(ended))
        })?;
        if ended.is_some() {
            let _ = self.truncate_wal();
        }
        Ok(ended)
    }

    fn vault_keys(&self, account_id: i64) -> Result<Option<VaultKeys>> {
        self.db(vault::keys(self.conn(), account_id))
    }

    fn create_vault(&self, account_id: i64, wraps: &VaultWraps) -> Result<bool> {
        self.write_durable(|tx| self.db(vault::create(tx, account_id, wraps)))
    }

    fn change_keys(&self, account_id: i64, generation: i64, change: KeyChange<'_>) -> Result<bool> {
        self.write_durable(|tx| {
            self.db(match change {
                KeyChange::Password(w) => vault::set_wrap_at(tx, account_id, generation, false, w),
                KeyChange::Recovery(w) => vault::set_wrap_at(tx, account_id, generation, true, w),
                KeyChange::Discard(wraps) => vault::discard(tx, account_id, generation, wraps),
            })
        })
    }

    fn entries(&self, account_id: i64) -> Result<Vec<SealedEntry>> {
        self.db(vault::entries(self.conn(), account_id))
    }

    fn entry(&self, account_id: i64, id: i64) -> Result<Option<SealedEntry>> {
        self.db(vault::entry(self.conn(), account_id, id))
    }

    fn add_entries(
        &self,
        account_id: i64,
        generation: i64,
        now: i64,
        times: &[Option<(i64, i64)>],
        count: usize,
        seal: &mut dyn FnMut(usize, i64) -> Result<Vec<u8>>,
    ) -> Result<Option<Vec<i64>>> {
        self.write_durable(|tx| {
            if !self.db(vault::at(tx, account_id, generation))? {
                return Ok(None);
            }
            let mut ids = Vec::with_capacity(count);
            for i in 0..count {
                let (created, updated) = entry_times(times.get(i).copied().flatten(), now);
                let id = self.db(vault::reserve(tx, account_id, created))?;
                self.db(vault::set_sealed(
                    tx,
                    account_id,
                    id,
                    &seal(i, id)?,
                    updated,
                ))?;
                ids.push(id);
            }
            Ok(Some(ids))
        })
    }

    fn update_entry(
        &self,
        account_id: i64,
        generation: i64,
        id: i64,
        sealed: &[u8],
        now: i64,
    ) -> Result<bool> {
        self.write_durable(|tx| {
            Ok(self.db(vault::at(tx, account_id, generation))?
                && self.db(vault::set_sealed(tx, account_id, id, sealed, now))?)
        })
    }

    fn delete_entry(&self, account_id: i64, generation: i64, id: i64) -> Result<bool> {
        let deleted = self.write_durable(|tx| {
            Ok(self.db(vault::at(tx, account_id, generation))?
                && self.db(vault::delete(tx, account_id, id))?)
        })?;
        if deleted {
            let _ = self.truncate_wal();
        }
        Ok(deleted)
    }

    fn account_page(&self, query: &AccountQuery<'_>) -> Result<Vec<AccountSummary>> {
        self.db(accounts::page(self.conn(), query))
    }

    fn account_counts(&self, filter: &str) -> Result<AccountCounts> {
        self.db(accounts::counts(self.conn(), filter))
    }

    fn audit(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditEvent>> {
        self.db(events::audit(self.conn(), query))
    }

    fn prune_audit(&self, before: i64) -> Result<usize> {
        self.write(|tx| self.db(events::prune(tx, before)))
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
            Table::VaultKeys => "SELECT count(*) FROM vault_keys",
            Table::VaultEntries => "SELECT count(*) FROM vault_entries",
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

    fn set_password_hash(&self, account_id: i64, hash: &str) -> Result<bool> {
        self.write(|tx| {
            self.db(tx
                .execute(
                    "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
                    rusqlite::params![account_id, hash],
                )
                .map(|n| n == 1))
        })
    }

    fn set_vault_keys(&self, account_id: i64, keys: Option<&VaultKeys>) -> Result<bool> {
        self.write(|tx| {
            self.db(match keys {
                Some(k) => tx.execute(
                    "INSERT INTO vault_keys (account_id, password_wrap, recovery_wrap, generation)
                         VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (account_id) DO UPDATE SET password_wrap = ?2,
                             recovery_wrap = ?3, generation = ?4",
                    rusqlite::params![account_id, k.password_wrap, k.recovery_wrap, k.generation],
                ),
                None => tx.execute(
                    "DELETE FROM vault_keys WHERE account_id = ?1",
                    rusqlite::params![account_id],
                ),
            }
            .map(|n| n == 1))
        })
    }

    fn set_entry(&self, id: i64, account_id: i64, sealed: &[u8]) -> Result<bool> {
        self.write(|tx| {
            self.db(tx
                .execute(
                    "UPDATE vault_entries SET account_id = ?2, sealed = ?3 WHERE id = ?1",
                    rusqlite::params![id, account_id, sealed],
                )
                .map(|n| n == 1))
        })
    }
}

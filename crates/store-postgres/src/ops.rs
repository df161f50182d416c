//! [`Storage`] on PostgreSQL: each operation one transaction, with the semantics of the SQLite
//! store (`src/store/ops.rs` in vaultty), method by method.
//!
//! Transactions that lock rows take them in one order, accounts, then throttle, then
//! sessions, so that two of them never wait for each other in a cycle.
//!
//! Statements go with their parameters' types (`query_typed`, `execute_typed`): the driver
//! then sends Parse, Bind and Execute at once, one round trip, where a statement prepared
//! first takes two. The server parses and plans each statement either way.

use crate::{PgStore, error, throttle, vault};
use postgres::Transaction;
use postgres::types::{ToSql, Type};
use std::path::Path;
// The core (moves to the core crate).
use vaultty_core::storage::entry_times;
use vaultty_core::storage::{
    AccountCounts, AccountQuery, AccountRecord, AccountSummary, AdminChange, Attempts, AuditEvent,
    AuditQuery, Changed, Gate, Import, Imported, KeyChange, LockoutSchedule, LoginCommit,
    NewAccount, Outcome, PasswordChange, ResetUse, Revoke, SealedEntry, SessionRecord, Storage,
    VaultKeys, VaultWraps, event_email,
};
use vaultty_core::{Error, Result};

/// A column that makes the commit of its statement's transaction return without waiting for
/// the server's disk (`synchronous_commit` off for this transaction alone): for the two
/// writes of a login (the gate and the login's commit) and a session's last use. They are
/// then as durable as on SQLite, where they commit with `synchronous = NORMAL`: atomic, and
/// lost only if the server's machine or the server itself goes down in the moment after (the
/// WAL writer flushes within three `wal_writer_delay`s, 0.6 s by default), which costs at
/// most the throttle count and session of that moment, or makes a session end earlier. Every
/// other write keeps the connection's `synchronous_commit = on` (see `settle`): signups,
/// logouts, password changes and revocations are on disk before they return.
pub(crate) const NO_FLUSH_WAIT: &str =
    "pg_catalog.set_config('synchronous_commit', 'off', true) AS no_flush_wait";

pub(crate) const ACCOUNT_COLUMNS: &str = "id, email, email_norm, name, password_hash, role, \
     created_at, last_login_at, disabled, expires_at";

/// The account in the columns of `r` from `at` on ([`ACCOUNT_COLUMNS`] order).
pub(crate) fn account_from(r: &postgres::Row, at: usize) -> Result<AccountRecord, postgres::Error> {
    Ok(AccountRecord {
        id: r.try_get(at)?,
        email: r.try_get(at + 1)?,
        email_norm: r.try_get(at + 2)?,
        name: r.try_get(at + 3)?,
        password_hash: r.try_get(at + 4)?,
        role: r.try_get(at + 5)?,
        created_at: r.try_get(at + 6)?,
        last_login_at: r.try_get(at + 7)?,
        disabled: r.try_get(at + 8)?,
        expires_at: r.try_get(at + 9)?,
    })
}

pub(crate) fn account_where(
    tx: &mut Transaction<'_>,
    condition: &str,
    value: (&(dyn ToSql + Sync), Type),
) -> Result<Option<AccountRecord>, postgres::Error> {
    tx.query_typed_opt(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {condition}"),
        &[value],
    )?
    .map(|r| account_from(&r, 0))
    .transpose()
}

pub(crate) fn account_by_id(
    tx: &mut Transaction<'_>,
    id: i64,
) -> Result<Option<AccountRecord>, postgres::Error> {
    account_where(tx, "id = $1", (&id, Type::INT8))
}

pub(crate) fn record(
    tx: &mut Transaction<'_>,
    at: i64,
    email: &str,
    outcome: Outcome,
) -> Result<(), postgres::Error> {
    tx.execute_typed(
        "INSERT INTO auth_events (at, email, outcome) VALUES ($1, $2, $3)",
        &[
            (&at, Type::INT8),
            (&email, Type::TEXT),
            (&outcome.as_str(), Type::TEXT),
        ],
    )?;
    Ok(())
}

pub(crate) fn clear_throttle(
    tx: &mut Transaction<'_>,
    email_norm: &str,
) -> Result<(), postgres::Error> {
    tx.execute_typed(
        "DELETE FROM throttle WHERE email_norm = $1",
        &[(&email_norm, Type::TEXT)],
    )?;
    Ok(())
}

/// Replaces the hash only if it is still `old`: a concurrent password change wins over a
/// rehash. Whether a row changed.
fn replace_hash(
    tx: &mut Transaction<'_>,
    id: i64,
    old: &str,
    new: &str,
) -> Result<bool, postgres::Error> {
    Ok(tx.execute_typed(
        "UPDATE accounts SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
        &[(&id, Type::INT8), (&old, Type::TEXT), (&new, Type::TEXT)],
    )? == 1)
}

impl Storage for PgStore {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn now(&self) -> Result<Option<i64>> {
        // The server's clock: every machine of a fleet reads the same one.
        self.server_now().map(Some)
    }

    fn gate(
        &self,
        email_norm: &str,
        event_email: &str,
        now: i64,
        schedule: &LockoutSchedule,
        refused: Outcome,
    ) -> Result<Gate> {
        let (row, account) =
            self.single(|c| throttle::gate(c, email_norm, now, schedule, (event_email, refused)))?;
        Ok(if row.refused {
            Gate::LockedOut(row.locked_until - now)
        } else {
            Gate::Open(account)
        })
    }

    fn record(&self, now: i64, event_email: &str, outcome: Outcome) -> Result<()> {
        self.single(|c| {
            c.execute_typed(
                "INSERT INTO auth_events (at, email, outcome) VALUES ($1, $2, $3)",
                &[
                    (&now, Type::INT8),
                    (&event_email, Type::TEXT),
                    (&outcome.as_str(), Type::TEXT),
                ],
            )
        })
        .map(drop)
    }

    fn clear_throttle(&self, email_norm: &str) -> Result<()> {
        self.single(|c| {
            c.execute_typed(
                "DELETE FROM throttle WHERE email_norm = $1",
                &[(&email_norm, Type::TEXT)],
            )
        })
        .map(drop)
    }

    fn create_account(&self, new: &NewAccount<'_>) -> Result<(i64, bool)> {
        self.write(|tx| {
            // Roles are decided one transaction at a time (see `crate::admin::ROLE_LOCK`): two
            // racing first signups cannot both find the store empty.
            self.db(crate::admin::lock_roles(tx))?;
            let inserted = tx.query_typed_one(
                "INSERT INTO accounts (email, email_norm, name, password_hash, created_at, role)
                 VALUES ($1, $2, $3, $4, $5,
                         CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 'user' ELSE 'admin' END)
                 RETURNING id, role = 'admin'",
                &[
                    (&new.email, Type::TEXT),
                    (&new.email_norm, Type::TEXT),
                    (&new.name, Type::TEXT),
                    (&new.password_hash, Type::TEXT),
                    (&new.now, Type::INT8),
                ],
            );
            let (id, admin): (i64, bool) = match inserted {
                Ok(row) => (self.db(row.try_get(0))?, self.db(row.try_get(1))?),
                // Decided by the UNIQUE constraint: of two racing signups, the second waits
                // for the first to commit and then gets this.
                Err(e) if error::is_email_taken(&e) => return Err(Error::EmailTaken),
                Err(e) => return Err(self.err(&e)),
            };
            if let Some(make) = new.vault {
                self.db(vault::create(tx, id, &make(id)?))?;
            }
            self.db(clear_throttle(tx, new.email_norm))?;
            self.db(record(tx, new.now, new.event_email, Outcome::Signup))?;
            Ok((id, admin))
        })
    }

    fn commit_login(
        &self,
        login: &LoginCommit<'_>,
        before_commit: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Attempts> {
        let account = login.account;
        self.write(|tx| {
            if let Some(h) = login.new_hash
                && self.db(replace_hash(tx, account.id, &account.password_hash, h))?
            {
                self.db(vault::set_password_wrap(tx, account.id, login.new_wrap))?;
            }
            // The rest is one statement, so one round trip to the server. Its parts all see
            // the snapshot from before it, so the counts leave out this login's own event.
            let since = account.last_login_at.unwrap_or(account.created_at);
            let row = self.db(tx.query_typed_one(
                &format!(
                    "WITH seen AS (
                     UPDATE accounts SET last_login_at = $2 WHERE id = $1
                 ), unthrottled AS (
                     DELETE FROM throttle WHERE email_norm = $3
                 ), ended AS (
                     -- the session this login replaces, and those past their absolute
                     -- expiry, so the table does not grow without bound
                     DELETE FROM sessions WHERE token_sha256 = $4 OR expires_at <= $2
                 ), started AS (
                     INSERT INTO sessions (account_id, token_sha256, created_at, last_seen_at,
                                           expires_at, authenticated_at)
                     VALUES ($1, $5, $2, $2, $6, $2) RETURNING id
                 ), event AS (
                     INSERT INTO auth_events (at, email, outcome) VALUES ($2, $7, $8)
                 )
                 SELECT (SELECT id FROM started),
                        count(*) FILTER (WHERE outcome = $10),
                        count(*) FILTER (WHERE outcome = $11),
                        {NO_FLUSH_WAIT}
                   FROM auth_events WHERE email = $7 AND at >= $9"
                ),
                &[
                    (&account.id, Type::INT8),
                    (&login.now, Type::INT8),
                    (&account.email_norm, Type::TEXT),
                    (&login.old_session.map(|t| &t[..]), Type::BYTEA),
                    (&&login.new_session[..], Type::BYTEA),
                    (&login.expires_at, Type::INT8),
                    (&login.event_email, Type::TEXT),
                    (&Outcome::LoginSuccess.as_str(), Type::TEXT),
                    (&since, Type::INT8),
                    (&Outcome::LoginFailure.as_str(), Type::TEXT),
                    (&Outcome::LoginThrottled.as_str(), Type::TEXT),
                ],
            ))?;
            let count = |i| -> Result<u64> { Ok(self.db(row.try_get::<_, i64>(i))?.max(0) as u64) };
            let attempts = Attempts {
                session_id: self.db(row.try_get(0))?,
                failed: count(1)?,
                throttled: count(2)?,
            };
            before_commit()?;
            Ok(attempts)
        })
    }

    fn session(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<(SessionRecord, Option<AccountRecord>)>> {
        // One statement: the session and its account from one snapshot.
        self.single(|c| {
            let Some(r) = c.query_typed_opt(
                "SELECT s.id, s.account_id, s.created_at, s.last_seen_at, s.expires_at,
                        s.authenticated_at,
                        a.id, a.email, a.email_norm, a.name, a.password_hash, a.role,
                        a.created_at, a.last_login_at, a.disabled, a.expires_at
                   FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id
                  WHERE s.token_sha256 = $1",
                &[(&&token_sha256[..], Type::BYTEA)],
            )?
            else {
                return Ok(None);
            };
            let session = SessionRecord {
                id: r.try_get(0)?,
                account_id: r.try_get(1)?,
                created_at: r.try_get(2)?,
                last_seen_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
                authenticated_at: r.try_get(5)?,
            };
            let account = match r.try_get::<_, Option<i64>>(6)? {
                Some(_) => Some(account_from(&r, 6)?),
                None => None,
            };
            Ok(Some((session, account)))
        })
    }

    fn account(&self, id: i64) -> Result<Option<AccountRecord>> {
        self.single(|c| {
            c.query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
                &[&id],
            )?
            .map(|r| account_from(&r, 0))
            .transpose()
        })
    }

    fn touch_session(&self, id: i64, now: i64) -> Result<()> {
        self.single(|c| {
            c.query_typed(
                &format!(
                    "WITH touched AS (
                         UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2
                     )
                     SELECT {NO_FLUSH_WAIT}"
                ),
                &[(&id, Type::INT8), (&now, Type::INT8)],
            )
        })
        .map(drop)
    }

    fn end_session(&self, id: i64) -> Result<()> {
        self.single(|c| c.execute_typed("DELETE FROM sessions WHERE id = $1", &[(&id, Type::INT8)]))
            .map(drop)
    }

    fn logout(&self, token_sha256: &[u8; 32], now: i64) -> Result<bool> {
        self.write(|tx| {
            // Of two racing logouts of one session, only the one whose DELETE found it records.
            let Some(row) = self.db(tx.query_typed_opt(
                "DELETE FROM sessions WHERE token_sha256 = $1 RETURNING account_id",
                &[(&&token_sha256[..], Type::BYTEA)],
            ))?
            else {
                return Ok(false);
            };
            let account_id: i64 = self.db(row.try_get(0))?;
            if let Some(account) = self.db(account_by_id(tx, account_id))? {
                self.db(record(
                    tx,
                    now,
                    &event_email(&account.email_norm),
                    Outcome::Logout,
                ))?;
            }
            Ok(true)
        })
    }

    fn change_password(&self, change: &PasswordChange<'_>) -> Result<usize> {
        self.write(|tx| {
            let keep: i64 = match self.db(tx.query_typed_opt(
                "SELECT id FROM sessions WHERE token_sha256 = $1",
                &[(&&change.keep_session[..], Type::BYTEA)],
            ))? {
                Some(r) => self.db(r.try_get(0))?,
                None => return Err(Error::NoSession),
            };
            if !self.db(replace_hash(
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
            self.db(clear_throttle(tx, change.email_norm))?;
            let ended = self.db(tx.execute_typed(
                "DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
                &[(&change.account_id, Type::INT8), (&keep, Type::INT8)],
            ))?;
            self.db(record(
                tx,
                change.now,
                change.event_email,
                Outcome::PasswordChanged,
            ))?;
            Ok(ended as usize)
        })
    }

    fn count_accounts(&self) -> Result<i64> {
        self.single(|c| {
            c.query_typed_one("SELECT count(*) FROM accounts", &[])?
                .try_get(0)
        })
    }

    fn record_as(&self, now: i64, actor: &str, target: &str, outcome: Outcome) -> Result<()> {
        self.write(|tx| self.db(crate::admin::record_as(tx, now, actor, target, outcome)))
    }

    fn set_authenticated(&self, session_id: i64, now: i64) -> Result<()> {
        self.single(|c| {
            c.execute(
                "UPDATE sessions SET authenticated_at = $2 WHERE id = $1",
                &[&session_id, &now],
            )
        })
        .map(drop)
    }

    fn sessions_of(&self, account_id: i64, now: i64) -> Result<Vec<SessionRecord>> {
        self.single(|c| crate::admin::sessions_of(c, account_id, now))
    }

    fn revoke_sessions(
        &self,
        account_id: i64,
        which: Revoke,
        now: i64,
        event_email: &str,
    ) -> Result<usize> {
        self.write(|tx| {
            self.db(crate::admin::revoke(
                tx,
                account_id,
                which,
                now,
                event_email,
            ))
        })
    }

    fn admin_change(&self, change: &AdminChange<'_>) -> Result<Changed> {
        self.write(|tx| self.db(crate::admin::change(tx, change)))
    }

    fn delete_own_account(&self, account_id: i64, now: i64, event_email: &str) -> Result<Changed> {
        self.write(|tx| self.db(crate::admin::delete_own(tx, account_id, now, event_email)))
    }

    fn import_accounts(&self, import: &Import<'_>) -> Result<Imported> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        // A taken email ends the transaction without a commit: nothing of the import stays.
        let done = self.db(crate::admin::import(&mut tx, import))?;
        if let Imported::Created(_) = done {
            tx.commit().map_err(|e| self.err(&e))?;
        }
        Ok(done)
    }

    fn reset_code_account(
        &self,
        email_norm: &str,
        code_sha256: &[u8; 32],
        now: i64,
    ) -> Result<Option<AccountRecord>> {
        self.single(|c| crate::admin::reset_code_account(c, email_norm, code_sha256, now))
    }

    fn use_reset_code(&self, reset: &ResetUse<'_>) -> Result<Option<usize>> {
        self.write(|tx| self.db(crate::admin::use_reset_code(tx, reset)))
    }

    fn vault_keys(&self, account_id: i64) -> Result<Option<VaultKeys>> {
        self.single(|c| vault::keys(c, account_id))
    }

    fn create_vault(&self, account_id: i64, wraps: &VaultWraps) -> Result<bool> {
        self.write(|tx| self.db(vault::create(tx, account_id, wraps)))
    }

    fn change_keys(&self, account_id: i64, generation: i64, change: KeyChange<'_>) -> Result<bool> {
        self.write(|tx| {
            self.db(match change {
                KeyChange::Password(w) => vault::set_wrap_at(tx, account_id, generation, false, w),
                KeyChange::Recovery(w) => vault::set_wrap_at(tx, account_id, generation, true, w),
                KeyChange::Discard(wraps) => vault::discard(tx, account_id, generation, wraps),
            })
        })
    }

    fn entries(&self, account_id: i64) -> Result<Vec<SealedEntry>> {
        self.single(|c| vault::entries(c, account_id))
    }

    fn entry(&self, account_id: i64, id: i64) -> Result<Option<SealedEntry>> {
        self.single(|c| vault::entry(c, account_id, id))
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
        self.write(|tx| {
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
        self.write(|tx| {
            Ok(self.db(vault::at(tx, account_id, generation))?
                && self.db(vault::set_sealed(tx, account_id, id, sealed, now))?)
        })
    }

    fn delete_entry(&self, account_id: i64, generation: i64, id: i64) -> Result<bool> {
        self.write(|tx| {
            Ok(self.db(vault::at(tx, account_id, generation))?
                && self.db(vault::delete(tx, account_id, id))?)
        })
    }

    fn account_page(&self, query: &AccountQuery<'_>) -> Result<Vec<AccountSummary>> {
        self.single(|c| crate::admin::page(c, query))
    }

    fn account_counts(&self, filter: &str) -> Result<AccountCounts> {
        self.single(|c| crate::admin::counts(c, filter))
    }

    fn audit(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditEvent>> {
        self.single(|c| crate::admin::audit(c, query))
    }

    fn prune_audit(&self, before: i64) -> Result<usize> {
        self.single(|c| c.execute("DELETE FROM auth_events WHERE at < $1", &[&before]))
            .map(|n| n as usize)
    }

    fn backup_to(&self, to: &Path) -> Result<i64> {
        Err(Error::storage(
            &self.shown,
            format!(
                "is a PostgreSQL store: back it up with pg_dump (pg_dump --format=custom \
                 --file=FILE DATABASE) and restore it with pg_restore; vaultty's own backup \
                 copies SQLite stores only. Nothing was written to {}.",
                to.display()
            ),
        ))
    }
}

impl vaultty_core::storage::Inspect for PgStore {
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
        self.single(|c| c.query_one(sql, &[])?.try_get(0))
    }

    fn account_by_email(&self, email_norm: &str) -> Result<Option<AccountRecord>> {
        let email_norm = email_norm.to_owned();
        self.single(move |c| {
            let mut tx = c.transaction()?;
            let a = account_where(&mut tx, "email_norm = $1", (&email_norm, Type::TEXT))?;
            tx.commit()?;
            Ok(a)
        })
    }

    fn accounts(&self) -> Result<Vec<AccountRecord>> {
        self.single(|c| {
            c.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id"),
                &[],
            )?
            .iter()
            .map(|r| account_from(r, 0))
            .collect()
        })
    }

    fn set_disabled(&self, account_id: i64, disabled: bool) -> Result<bool> {
        self.single(|c| {
            Ok(c.execute(
                "UPDATE accounts SET disabled = $2 WHERE id = $1",
                &[&account_id, &disabled],
            )? == 1)
        })
    }

    fn delete_account(&self, account_id: i64) -> Result<bool> {
        self.single(|c| Ok(c.execute("DELETE FROM accounts WHERE id = $1", &[&account_id])? == 1))
    }

    fn events(&self) -> Result<Vec<(i64, String, String)>> {
        self.single(|c| {
            c.query(
                "SELECT at, email, outcome FROM auth_events ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
        })
    }

    fn throttle(&self, email_norm: &str) -> Result<Option<(i64, i64)>> {
        self.single(|c| {
            c.query_opt(
                "SELECT failures, locked_until FROM throttle WHERE email_norm = $1",
                &[&email_norm],
            )?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
        })
    }

    fn set_password_hash(&self, account_id: i64, hash: &str) -> Result<bool> {
        self.single(|c| {
            Ok(c.execute(
                "UPDATE accounts SET password_hash = $2 WHERE id = $1",
                &[&account_id, &hash],
            )? == 1)
        })
    }

    fn set_vault_keys(&self, account_id: i64, keys: Option<&VaultKeys>) -> Result<bool> {
        self.single(|c| {
            Ok(match keys {
                Some(k) => c.execute(
                    "INSERT INTO vault_keys (account_id, password_wrap, recovery_wrap, generation)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (account_id) DO UPDATE SET password_wrap = $2,
                         recovery_wrap = $3, generation = $4",
                    &[
                        &account_id,
                        &k.password_wrap,
                        &k.recovery_wrap,
                        &k.generation,
                    ],
                )?,
                None => c.execute(
                    "DELETE FROM vault_keys WHERE account_id = $1",
                    &[&account_id],
                )?,
            } == 1)
        })
    }

    fn set_entry(&self, id: i64, account_id: i64, sealed: &[u8]) -> Result<bool> {
        self.single(|c| {
            Ok(c.execute(
                "UPDATE vault_entries SET account_id = $2, sealed = $3 WHERE id = $1",
                &[&id, &account_id, &sealed],
            )? == 1)
        })
    }
}

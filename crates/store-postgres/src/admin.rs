//! Administration on PostgreSQL: the same operations and rules as the SQLite store's, in one
//! transaction each.
//!
//! Roles are decided one transaction at a time: every transaction that can create an admin or
//! take one away (a signup, an administrator's change, a self-deletion, an import) first takes
//! the transaction-level advisory lock [`ROLE_LOCK`]. Under READ COMMITTED two of them could
//! otherwise both see "another active admin remains" and leave none (SQLite has one writer, so
//! there the same holds by itself).

use crate::ops::{
    ACCOUNT_COLUMNS, account_by_id, account_from, account_where, clear_throttle, record,
};
use postgres::types::Type;
use postgres::{Client, Transaction};
use vaultty_core::storage::{
    AccountCounts, AccountQuery, AccountRecord, AccountSort, AccountSummary, AdminAction,
    AdminChange, AuditEvent, AuditQuery, Change, Changed, Cursor, Import, Imported, NO_PASSWORD,
    Outcome, ResetUse, Revoke, SessionRecord, event_email,
};

/// The advisory lock key of role decisions ("vaultty\x02").
const ROLE_LOCK: i64 = 0x7661_756c_7474_7902;

pub(crate) fn lock_roles(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    tx.execute("SELECT pg_catalog.pg_advisory_xact_lock($1)", &[&ROLE_LOCK])
        .map(drop)
}

pub(crate) fn record_as(
    tx: &mut Transaction<'_>,
    at: i64,
    actor: &str,
    target: &str,
    outcome: Outcome,
) -> Result<(), postgres::Error> {
    let actor = (actor != target).then_some(actor);
    tx.execute(
        "INSERT INTO auth_events (at, email, outcome, actor) VALUES ($1, $2, $3, $4)",
        &[&at, &target, &outcome.as_str(), &actor],
    )
    .map(drop)
}

const SESSION_COLUMNS: &str =
    "id, account_id, created_at, last_seen_at, expires_at, authenticated_at";

pub(crate) fn sessions_of(
    c: &mut Client,
    account_id: i64,
    now: i64,
) -> Result<Vec<SessionRecord>, postgres::Error> {
    c.query(
        &format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE account_id = $1 AND expires_at > $2
              ORDER BY id"
        ),
        &[&account_id, &now],
    )?
    .iter()
    .map(|r| {
        Ok(SessionRecord {
            id: r.try_get(0)?,
            account_id: r.try_get(1)?,
            created_at: r.try_get(2)?,
            last_seen_at: r.try_get(3)?,
            expires_at: r.try_get(4)?,
            authenticated_at: r.try_get(5)?,
        })
    })
    .collect()
}

pub(crate) fn revoke(
    tx: &mut Transaction<'_>,
    account_id: i64,
    which: Revoke,
    now: i64,
    event_email: &str,
) -> Result<usize, postgres::Error> {
    let ended = match which {
        Revoke::One(id) => tx.execute(
            "DELETE FROM sessions WHERE account_id = $1 AND id = $2",
            &[&account_id, &id],
        )?,
        Revoke::AllBut(keep) => tx.execute(
            "DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
            &[&account_id, &keep],
        )?,
    };
    if ended > 0 {
        record(tx, now, event_email, Outcome::SessionsRevoked)?;
    }
    Ok(ended as usize)
}

fn other_active_admins(
    tx: &mut Transaction<'_>,
    except: i64,
    now: i64,
) -> Result<i64, postgres::Error> {
    tx.query_one(
        "SELECT count(*) FROM accounts WHERE role = 'admin' AND id <> $1 AND NOT disabled
           AND (expires_at IS NULL OR expires_at > $2)",
        &[&except, &now],
    )?
    .try_get(0)
}

/// The sessions a disable or an expiry ends. Their rows stay until their next check: every
/// check reads the account, refuses it from then on, and can then say why the session ended.
fn live_sessions(
    tx: &mut Transaction<'_>,
    account_id: i64,
    now: i64,
) -> Result<usize, postgres::Error> {
    let n: i64 = tx
        .query_one(
            "SELECT count(*) FROM sessions WHERE account_id = $1 AND expires_at > $2",
            &[&account_id, &now],
        )?
        .try_get(0)?;
    Ok(n as usize)
}

fn end_all_sessions(tx: &mut Transaction<'_>, account_id: i64) -> Result<usize, postgres::Error> {
    Ok(tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&account_id])? as usize)
}

pub(crate) fn change(
    tx: &mut Transaction<'_>,
    c: &AdminChange<'_>,
) -> Result<Changed, postgres::Error> {
    lock_roles(tx)?;
    let now = c.now;
    let action = c.change.action();
    let refuse = |tx: &mut Transaction<'_>, why: Changed| {
        record_as(
            tx,
            now,
            c.actor_event,
            c.target_event,
            Outcome::AdminDenied(action),
        )?;
        Ok(why)
    };
    let actor_ok = account_by_id(tx, c.actor_id)?.is_some_and(|a| a.active_admin_at(now));
    if !actor_ok {
        return refuse(tx, Changed::NotAdmin);
    }
    let Some(target) = account_where(tx, "email_norm = $1", (&c.target_norm, Type::TEXT))? else {
        return refuse(tx, Changed::UnknownAccount);
    };
    if c.change.removes_admin()
        && target.active_admin_at(now)
        && other_active_admins(tx, target.id, now)? == 0
    {
        return refuse(tx, Changed::LastAdmin);
    }
    let id = target.id;
    let mut ended = 0;
    match c.change {
        Change::Disable => {
            tx.execute("UPDATE accounts SET disabled = true WHERE id = $1", &[&id])?;
            ended = live_sessions(tx, id, now)?;
        }
        Change::Enable => {
            tx.execute("UPDATE accounts SET disabled = false WHERE id = $1", &[&id])?;
        }
        Change::Unlock => clear_throttle(tx, &target.email_norm)?,
        Change::Promote | Change::Demote => {
            let role = if c.change == Change::Promote {
                "admin"
            } else {
                "user"
            };
            tx.execute("UPDATE accounts SET role = $2 WHERE id = $1", &[&id, &role])?;
        }
        Change::Expire(at) => {
            tx.execute(
                "UPDATE accounts SET expires_at = $2 WHERE id = $1",
                &[&id, &at],
            )?;
            if at.is_some_and(|t| t <= now) {
                ended = live_sessions(tx, id, now)?;
            }
        }
        Change::Delete => {
            ended = end_all_sessions(tx, id)?;
            tx.execute("DELETE FROM accounts WHERE id = $1", &[&id])?;
            clear_throttle(tx, &target.email_norm)?;
        }
        Change::ResetCode {
            code_sha256,
            expires_at,
        } => {
            tx.execute("DELETE FROM reset_codes WHERE expires_at <= $1", &[&now])?;
            tx.execute(
                "INSERT INTO reset_codes (account_id, code_sha256, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (account_id) DO UPDATE SET code_sha256 = excluded.code_sha256,
                     created_at = excluded.created_at, expires_at = excluded.expires_at",
                &[&id, &&code_sha256[..], &now, &expires_at],
            )?;
        }
    }
    record_as(
        tx,
        now,
        c.actor_event,
        c.target_event,
        Outcome::Admin(action),
    )?;
    Ok(Changed::Done {
        sessions_ended: ended,
    })
}

pub(crate) fn delete_own(
    tx: &mut Transaction<'_>,
    account_id: i64,
    now: i64,
    event_email: &str,
) -> Result<Changed, postgres::Error> {
    lock_roles(tx)?;
    let Some(account) = account_by_id(tx, account_id)? else {
        return Ok(Changed::UnknownAccount);
    };
    if account.active_admin_at(now) && other_active_admins(tx, account.id, now)? == 0 {
        return Ok(Changed::LastAdmin);
    }
    let ended = end_all_sessions(tx, account.id)?;
    tx.execute("DELETE FROM accounts WHERE id = $1", &[&account.id])?;
    clear_throttle(tx, &account.email_norm)?;
    record(tx, now, event_email, Outcome::AccountDeleted)?;
    Ok(Changed::Done {
        sessions_ended: ended,
    })
}

/// Creates the import's accounts; the caller commits only on [`Imported::Created`].
pub(crate) fn import(
    tx: &mut Transaction<'_>,
    import: &Import<'_>,
) -> Result<Imported, postgres::Error> {
    lock_roles(tx)?;
    let actor_ok =
        account_by_id(tx, import.actor_id)?.is_some_and(|a| a.active_admin_at(import.now));
    if !actor_ok {
        return Ok(Imported::NotAdmin);
    }
    // Taken emails first, in one query: a failed INSERT would end the transaction.
    let norms: Vec<&str> = import.rows.iter().map(|r| r.email_norm).collect();
    let taken: Vec<String> = tx
        .query(
            "SELECT email_norm FROM accounts WHERE email_norm = ANY($1)",
            &[&norms],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    if let Some(i) = import
        .rows
        .iter()
        .position(|r| taken.iter().any(|t| t == r.email_norm))
    {
        return Ok(Imported::Taken(i));
    }
    let insert = tx.prepare(
        "INSERT INTO accounts (email, email_norm, name, password_hash, created_at, role)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )?;
    let code = tx.prepare(
        "INSERT INTO reset_codes (account_id, code_sha256, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )?;
    let event =
        tx.prepare("INSERT INTO auth_events (at, email, outcome, actor) VALUES ($1, $2, $3, $4)")?;
    for row in import.rows {
        let role = if row.admin { "admin" } else { "user" };
        let id: i64 = tx
            .query_one(
                &insert,
                &[
                    &row.email,
                    &row.email_norm,
                    &row.name,
                    &NO_PASSWORD,
                    &import.now,
                    &role,
                ],
            )?
            .try_get(0)?;
        tx.execute(
            &code,
            &[
                &id,
                &&row.code_sha256[..],
                &import.now,
                &import.codes_expire_at,
            ],
        )?;
        tx.execute(
            &event,
            &[
                &import.now,
                &event_email(row.email_norm),
                &Outcome::Admin(AdminAction::Import).as_str(),
                &import.actor_event,
            ],
        )?;
    }
    Ok(Imported::Created(import.rows.len()))
}

pub(crate) fn reset_code_account(
    c: &mut Client,
    email_norm: &str,
    code_sha256: &[u8; 32],
    now: i64,
) -> Result<Option<AccountRecord>, postgres::Error> {
    let cols = ACCOUNT_COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    c.query_opt(
        &format!(
            "SELECT {cols} FROM reset_codes r JOIN accounts a ON a.id = r.account_id
              WHERE a.email_norm = $1 AND r.code_sha256 = $2 AND r.expires_at > $3"
        ),
        &[&email_norm, &&code_sha256[..], &now],
    )?
    .map(|r| account_from(&r, 0))
    .transpose()
}

pub(crate) fn use_reset_code(
    tx: &mut Transaction<'_>,
    reset: &ResetUse<'_>,
) -> Result<Option<usize>, postgres::Error> {
    // Whoever deletes the code used it: of two racing uses, the second finds nothing.
    let Some(row) = tx.query_opt(
        "DELETE FROM reset_codes
          WHERE account_id = (SELECT id FROM accounts WHERE email_norm = $1)
            AND code_sha256 = $2 AND expires_at > $3
         RETURNING account_id",
        &[&reset.email_norm, &&reset.code_sha256[..], &reset.now],
    )?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get(0)?;
    tx.execute(
        "UPDATE accounts SET password_hash = $2 WHERE id = $1",
        &[&id, &reset.new_hash],
    )?;
    // The old password's key is gone: the vault is sealed until the recovery code opens it.
    crate::vault::set_password_wrap(tx, id, None)?;
    clear_throttle(tx, reset.email_norm)?;
    let ended = end_all_sessions(tx, id)?;
    record(tx, reset.now, reset.event_email, Outcome::ResetUsed)?;
    Ok(Some(ended))
}

const SUMMARY: &str = "a.id, a.email, a.email_norm, a.name, a.role, a.created_at, \
     a.last_login_at, a.disabled, a.expires_at, t.locked_until, a.password_hash <> '!' \
     FROM accounts a LEFT JOIN throttle t ON t.email_norm = a.email_norm";

/// The list's filter: the email key or the lowercased name contains `$1`; empty: every one.
const MATCHES: &str = "($1 = '' OR strpos(a.email_norm, $1) > 0 OR strpos(lower(a.name), $1) > 0)";

pub(crate) fn page(
    c: &mut Client,
    q: &AccountQuery<'_>,
) -> Result<Vec<AccountSummary>, postgres::Error> {
    // Fixed SQL per (sort, direction): no text from outside is ever part of it. Names compare
    // byte by byte, as in the SQLite store and the `accounts_name` index.
    let (after, order) = match (q.sort, q.backward) {
        (AccountSort::Email, false) => ("a.email_norm > $2", "a.email_norm"),
        (AccountSort::Email, true) => ("a.email_norm < $2", "a.email_norm DESC"),
        (AccountSort::Name, false) => (
            r#"(a.name COLLATE "C", a.id) > ($2 COLLATE "C", $3)"#,
            r#"a.name COLLATE "C", a.id"#,
        ),
        (AccountSort::Name, true) => (
            r#"(a.name COLLATE "C", a.id) < ($2 COLLATE "C", $3)"#,
            r#"a.name COLLATE "C" DESC, a.id DESC"#,
        ),
        (AccountSort::Newest, false) => ("a.id < $3", "a.id DESC"),
        (AccountSort::Newest, true) => ("a.id > $3", "a.id"),
    };
    let (key, id): (Option<&str>, Option<i64>) = match &q.cursor {
        None => (None, None),
        Some(Cursor::Text(k, id)) => (Some(k.as_str()), Some(*id)),
        Some(Cursor::Id(id)) => (None, Some(*id)),
    };
    let sql = format!(
        "SELECT {SUMMARY} WHERE {MATCHES} AND (NOT $4 OR {after}) ORDER BY {order} LIMIT $5"
    );
    // Typed: a sort uses only some of the parameters, so the server cannot infer the rest.
    use postgres::types::Type;
    let statement = c.prepare_typed(
        &sql,
        &[Type::TEXT, Type::TEXT, Type::INT8, Type::BOOL, Type::INT8],
    )?;
    let mut rows: Vec<AccountSummary> = c
        .query(
            &statement,
            &[&q.filter, &key, &id, &q.cursor.is_some(), &(q.limit as i64)],
        )?
        .iter()
        .map(|r| {
            Ok(AccountSummary {
                id: r.try_get(0)?,
                email: r.try_get(1)?,
                email_norm: r.try_get(2)?,
                name: r.try_get(3)?,
                role: r.try_get(4)?,
                created_at: r.try_get(5)?,
                last_login_at: r.try_get(6)?,
                disabled: r.try_get(7)?,
                expires_at: r.try_get(8)?,
                locked_until: r.try_get(9)?,
                has_password: r.try_get(10)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    if q.backward {
        rows.reverse();
    }
    Ok(rows)
}

pub(crate) fn counts(c: &mut Client, filter: &str) -> Result<AccountCounts, postgres::Error> {
    let r = c.query_one(
        &format!(
            "SELECT count(*) FILTER (WHERE {MATCHES}), count(*),
                    count(*) FILTER (WHERE a.role = 'admin'), count(*) FILTER (WHERE a.disabled)
               FROM accounts a"
        ),
        &[&filter],
    )?;
    Ok(AccountCounts {
        matching: r.try_get(0)?,
        total: r.try_get(1)?,
        admins: r.try_get(2)?,
        disabled: r.try_get(3)?,
    })
}

pub(crate) fn audit(
    c: &mut Client,
    q: &AuditQuery<'_>,
) -> Result<Vec<AuditEvent>, postgres::Error> {
    c.query(
        "SELECT id, at, coalesce(actor, email), email, outcome FROM auth_events
          WHERE ($1::text IS NULL OR email = $1 OR actor = $1)
            AND ($2::text IS NULL OR strpos(email, $2) > 0 OR strpos(coalesce(actor, ''), $2) > 0)
            AND ($3::bigint IS NULL OR id < $3)
          ORDER BY id DESC LIMIT $4",
        &[&q.email, &q.contains, &q.before_id, &(q.limit as i64)],
    )?
    .iter()
    .map(|r| {
        Ok(AuditEvent {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            target: r.try_get(3)?,
            event: r.try_get(4)?,
        })
    })
    .collect()
}

//! The `accounts` table.

use rusqlite::{Connection, OptionalExtension, Row, params};
use vaultty_core::storage::{
    AccountCounts, AccountQuery, AccountRecord, AccountSort, AccountSummary, Cursor,
};

const COLUMNS: &str = "id, email, email_norm, name, password_hash, role, created_at, last_login_at, \
     disabled, expires_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        id: r.get(0)?,
        email: r.get(1)?,
        email_norm: r.get(2)?,
        name: r.get(3)?,
        password_hash: r.get(4)?,
        role: r.get(5)?,
        created_at: r.get(6)?,
        last_login_at: r.get(7)?,
        disabled: r.get(8)?,
        expires_at: r.get(9)?,
    })
}

/// Inserts an account; a duplicate `email_norm` fails with SQLite's UNIQUE constraint error.
/// The first account of an empty store is the admin (one writer at a time: the check and the
/// insert are one statement in the caller's write transaction). Returns the id and whether it
/// is the admin.
pub fn insert(
    c: &Connection,
    email: &str,
    email_norm: &str,
    name: &str,
    password_hash: &str,
    created_at: i64,
) -> rusqlite::Result<(i64, bool)> {
    c.query_row(
        "INSERT INTO accounts (email, email_norm, name, password_hash, created_at, role)
         VALUES (?1, ?2, ?3, ?4, ?5,
                 CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 'user' ELSE 'admin' END)
         RETURNING id, role = 'admin'",
        params![email, email_norm, name, password_hash, created_at],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Inserts an imported account (no usable password) with the given role.
pub fn insert_imported(
    c: &Connection,
    email: &str,
    email_norm: &str,
    name: &str,
    admin: bool,
    created_at: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO accounts (email, email_norm, name, password_hash, created_at, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        email,
        email_norm,
        name,
        vaultty_core::storage::NO_PASSWORD,
        created_at,
        if admin { "admin" } else { "user" }
    ])?;
    Ok(c.last_insert_rowid())
}

/// Active admins other than `except` at `now`.
pub fn other_active_admins(c: &Connection, except: i64, now: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT count(*) FROM accounts WHERE role = 'admin' AND id <> ?1 AND disabled = 0
           AND (expires_at IS NULL OR expires_at > ?2)",
        params![except, now],
        |r| r.get(0),
    )
}

pub fn set_role(c: &Connection, id: i64, admin: bool) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE accounts SET role = ?2 WHERE id = ?1",
        params![id, if admin { "admin" } else { "user" }],
    )?;
    Ok(())
}

pub fn set_expiry(c: &Connection, id: i64, at: Option<i64>) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE accounts SET expires_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Sets a new password hash whatever the old one was (a reset).
pub fn set_hash(c: &Connection, id: i64, hash: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
        params![id, hash],
    )?;
    Ok(())
}

pub fn by_email_norm(c: &Connection, email_norm: &str) -> rusqlite::Result<Option<AccountRecord>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM accounts WHERE email_norm = ?1"),
        params![email_norm],
        from_row,
    )
    .optional()
}

/// Every account, by id.
pub fn all(c: &Connection) -> rusqlite::Result<Vec<AccountRecord>> {
    c.prepare(&format!("SELECT {COLUMNS} FROM accounts ORDER BY id"))?
        .query_map([], from_row)?
        .collect()
}

pub fn by_id(c: &Connection, id: i64) -> rusqlite::Result<Option<AccountRecord>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
        params![id],
        from_row,
    )
    .optional()
}

pub fn set_last_login(c: &Connection, id: i64, at: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE accounts SET last_login_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Replaces the hash only if it is still `old`: a concurrent password change wins over a
/// rehash. Returns whether a row changed.
pub fn replace_hash(c: &Connection, id: i64, old: &str, new: &str) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "UPDATE accounts SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
        params![id, old, new],
    )? == 1)
}

pub fn set_disabled(c: &Connection, id: i64, disabled: bool) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "UPDATE accounts SET disabled = ?2 WHERE id = ?1",
        params![id, disabled],
    )? == 1)
}

/// Deletes an account; its sessions go with it (ON DELETE CASCADE).
pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(c.execute("DELETE FROM accounts WHERE id = ?1", params![id])? == 1)
}

pub fn count(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
}

const SUMMARY: &str = "a.id, a.email, a.email_norm, a.name, a.role, a.created_at, a.last_login_at, \
     a.disabled, a.expires_at, t.locked_until, a.password_hash <> '!' \
     FROM accounts a LEFT JOIN throttle t ON t.email_norm = a.email_norm";

/// The filter of the administration's list: the email key or the name (lowercased) contains
/// `?1`; an empty filter matches every account.
const MATCHES: &str = "(?1 = '' OR instr(a.email_norm, ?1) > 0 OR instr(lower(a.name), ?1) > 0)";

/// A page of accounts by keyset (see [`AccountQuery`]): the WHERE clause starts after the
/// cursor in the sort's index order, so a page costs the same wherever it is.
pub fn page(c: &Connection, q: &AccountQuery<'_>) -> rusqlite::Result<Vec<AccountSummary>> {
    // Fixed SQL per (sort, direction): no text from outside is ever part of it.
    let (after, order) = match (q.sort, q.backward) {
        (AccountSort::Email, false) => ("a.email_norm > ?2", "a.email_norm"),
        (AccountSort::Email, true) => ("a.email_norm < ?2", "a.email_norm DESC"),
        (AccountSort::Name, false) => ("(a.name, a.id) > (?2, ?3)", "a.name, a.id"),
        (AccountSort::Name, true) => ("(a.name, a.id) < (?2, ?3)", "a.name DESC, a.id DESC"),
        (AccountSort::Newest, false) => ("a.id < ?3", "a.id DESC"),
        (AccountSort::Newest, true) => ("a.id > ?3", "a.id"),
    };
    let (key, id) = match &q.cursor {
        None => (None, None),
        Some(Cursor::Text(k, id)) => (Some(k.as_str()), Some(*id)),
        Some(Cursor::Id(id)) => (None, Some(*id)),
    };
    let sql = format!(
        "SELECT {SUMMARY} WHERE {MATCHES} AND (?4 = 0 OR {after}) ORDER BY {order} LIMIT ?5"
    );
    let mut rows: Vec<AccountSummary> = c
        .prepare_cached(&sql)?
        .query_map(
            params![q.filter, key, id, q.cursor.is_some(), q.limit as i64],
            summary_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    if q.backward {
        rows.reverse();
    }
    Ok(rows)
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<AccountSummary> {
    Ok(AccountSummary {
        id: r.get(0)?,
        email: r.get(1)?,
        email_norm: r.get(2)?,
        name: r.get(3)?,
        role: r.get(4)?,
        created_at: r.get(5)?,
        last_login_at: r.get(6)?,
        disabled: r.get(7)?,
        expires_at: r.get(8)?,
        locked_until: r.get(9)?,
        has_password: r.get(10)?,
    })
}

/// Counts for the administration's status line, in one pass.
pub fn counts(c: &Connection, filter: &str) -> rusqlite::Result<AccountCounts> {
    c.prepare_cached(&format!(
        "SELECT coalesce(sum({MATCHES}), 0), count(*), coalesce(sum(a.role = 'admin'), 0),
                coalesce(sum(a.disabled), 0)
         FROM accounts a"
    ))?
    .query_row(params![filter], |r| {
        Ok(AccountCounts {
            matching: r.get(0)?,
            total: r.get(1)?,
            admins: r.get(2)?,
            disabled: r.get(3)?,
        })
    })
}

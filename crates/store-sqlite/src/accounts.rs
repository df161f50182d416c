//! The `accounts` table.

use rusqlite::{Connection, OptionalExtension, Row, params};
use vaultty_core::storage::AccountRecord;

const COLUMNS: &str =
    "id, email, email_norm, name, password_hash, role, created_at, last_login_at, disabled";

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
    })
}

/// Inserts an account; a duplicate `email_norm` fails with SQLite's UNIQUE constraint error.
pub fn insert(
    c: &Connection,
    email: &str,
    email_norm: &str,
    name: &str,
    password_hash: &str,
    created_at: i64,
) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO accounts (email, email_norm, name, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![email, email_norm, name, password_hash, created_at],
    )?;
    Ok(c.last_insert_rowid())
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

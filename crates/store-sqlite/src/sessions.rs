//! The `sessions` table: only the SHA-256 of a token is ever stored.

use rusqlite::{Connection, OptionalExtension, params};
use vaultty_core::storage::SessionRecord;

pub fn insert(
    c: &Connection,
    account_id: i64,
    token_sha256: &[u8; 32],
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO sessions (account_id, token_sha256, created_at, last_seen_at, expires_at,
                               authenticated_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?3)",
        params![account_id, &token_sha256[..], now, expires_at],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn by_token(
    c: &Connection,
    token_sha256: &[u8; 32],
) -> rusqlite::Result<Option<SessionRecord>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM sessions WHERE token_sha256 = ?1"),
        params![&token_sha256[..]],
        from_row,
    )
    .optional()
}

const COLUMNS: &str = "id, account_id, created_at, last_seen_at, expires_at, authenticated_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.get(0)?,
        account_id: r.get(1)?,
        created_at: r.get(2)?,
        last_seen_at: r.get(3)?,
        expires_at: r.get(4)?,
        authenticated_at: r.get(5)?,
    })
}

/// The sessions of an account not past their absolute end, oldest first.
pub fn of_account(
    c: &Connection,
    account_id: i64,
    now: i64,
) -> rusqlite::Result<Vec<SessionRecord>> {
    c.prepare(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE account_id = ?1 AND expires_at > ?2 ORDER BY id"
    ))?
    .query_map(params![account_id, now], from_row)?
    .collect()
}

pub fn set_authenticated(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE sessions SET authenticated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Ends one session of `account_id`; whether it was one.
pub fn delete_of(c: &Connection, account_id: i64, id: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND id = ?2",
        params![account_id, id],
    )
}

/// Ends every session of an account; how many.
pub fn delete_all(c: &Connection, account_id: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE account_id = ?1",
        params![account_id],
    )
}

pub fn touch(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2",
        params![id, now],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM sessions WHERE id = ?1", params![id])?;
    Ok(())
}

pub fn delete_by_token(c: &Connection, token_sha256: &[u8; 32]) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "DELETE FROM sessions WHERE token_sha256 = ?1",
        params![&token_sha256[..]],
    )? == 1)
}

/// Ends every session of `account_id` except `keep`. Returns how many ended.
pub fn delete_others(c: &Connection, account_id: i64, keep: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND id <> ?2",
        params![account_id, keep],
    )
}

/// Drops sessions past their absolute expiry, so the table does not grow without bound, and
/// the session of `token_sha256` if one is given (the one a login replaces).
pub fn delete_ended(
    c: &Connection,
    now: i64,
    token_sha256: Option<&[u8; 32]>,
) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1 OR token_sha256 = ?2",
        params![now, token_sha256.map(|t| &t[..])],
    )
}

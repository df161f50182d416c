//! The `reset_codes` table: one reset or first-login code per account, as a SHA-256 digest
//! (the code is 128 random bits, so the digest cannot be searched back to it).

use crate::accounts;
use rusqlite::{Connection, OptionalExtension, params};
use vaultty_core::storage::AccountRecord;

/// Stores an account's code, replacing the one it had.
pub fn put(
    c: &Connection,
    account_id: i64,
    code_sha256: &[u8; 32],
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO reset_codes (account_id, code_sha256, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id) DO UPDATE SET code_sha256 = excluded.code_sha256,
             created_at = excluded.created_at, expires_at = excluded.expires_at",
    )?
    .execute(params![account_id, &code_sha256[..], now, expires_at])?;
    Ok(())
}

/// The account of `email_norm` if its unexpired code has this digest.
pub fn account(
    c: &Connection,
    email_norm: &str,
    code_sha256: &[u8; 32],
    now: i64,
) -> rusqlite::Result<Option<AccountRecord>> {
    let id: Option<i64> = c
        .query_row(
            "SELECT r.account_id FROM reset_codes r JOIN accounts a ON a.id = r.account_id
             WHERE a.email_norm = ?1 AND r.code_sha256 = ?2 AND r.expires_at > ?3",
            params![email_norm, &code_sha256[..], now],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => accounts::by_id(c, id),
        None => Ok(None),
    }
}

/// Deletes the code if it matches and is unexpired: whoever deletes it used it. The
/// account's id, if so.
pub fn take(
    c: &Connection,
    email_norm: &str,
    code_sha256: &[u8; 32],
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "DELETE FROM reset_codes
         WHERE account_id = (SELECT id FROM accounts WHERE email_norm = ?1)
           AND code_sha256 = ?2 AND expires_at > ?3
         RETURNING account_id",
        params![email_norm, &code_sha256[..], now],
        |r| r.get(0),
    )
    .optional()
}

/// Drops expired codes.
pub fn delete_expired(c: &Connection, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM reset_codes WHERE expires_at <= ?1",
        params![now],
    )
}

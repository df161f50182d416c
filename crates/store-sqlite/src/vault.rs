//! The `vault_keys` and `vault_entries` tables: each account's wrapped data key, and its
//! entries as ciphertexts (see `vaultty_core::vault_keys`). Nothing here is readable without
//! the password or the recovery code.

use rusqlite::{Connection, OptionalExtension, params};
use vaultty_core::storage::{SealedEntry, VaultKeys, VaultWraps};

pub fn keys(c: &Connection, account_id: i64) -> rusqlite::Result<Option<VaultKeys>> {
    c.prepare_cached(
        "SELECT password_wrap, recovery_wrap, generation FROM vault_keys WHERE account_id = ?1",
    )?
    .query_row(params![account_id], |r| {
        Ok(VaultKeys {
            password_wrap: r.get(0)?,
            recovery_wrap: r.get(1)?,
            generation: r.get(2)?,
        })
    })
    .optional()
}

/// Creates the vault unless the account has one; whether it did.
pub fn create(c: &Connection, account_id: i64, wraps: &VaultWraps) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached(
        "INSERT INTO vault_keys (account_id, password_wrap, recovery_wrap, generation)
         VALUES (?1, ?2, ?3, 1) ON CONFLICT (account_id) DO NOTHING",
    )?
    .execute(params![account_id, wraps.password, wraps.recovery])?
        == 1)
}

/// Sets (or, with `None`, drops: the vault is then sealed) the password wrapping.
pub fn set_password_wrap(
    c: &Connection,
    account_id: i64,
    wrap: Option<&[u8]>,
) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE vault_keys SET password_wrap = ?2 WHERE account_id = ?1")?
        .execute(params![account_id, wrap])?;
    Ok(())
}

/// Whether the account's vault is at `generation`.
pub fn at(c: &Connection, account_id: i64, generation: i64) -> rusqlite::Result<bool> {
    Ok(keys(c, account_id)?.is_some_and(|k| k.generation == generation))
}

/// Sets one column of the keys at `generation`; whether it did.
pub fn set_wrap_at(
    c: &Connection,
    account_id: i64,
    generation: i64,
    recovery: bool,
    wrap: &[u8],
) -> rusqlite::Result<bool> {
    let sql = if recovery {
        "UPDATE vault_keys SET recovery_wrap = ?3 WHERE account_id = ?1 AND generation = ?2"
    } else {
        "UPDATE vault_keys SET password_wrap = ?3 WHERE account_id = ?1 AND generation = ?2"
    };
    Ok(c.prepare_cached(sql)?
        .execute(params![account_id, generation, wrap])?
        == 1)
}

/// Deletes every entry and sets new wrappings at the next generation; whether it did.
pub fn discard(
    c: &Connection,
    account_id: i64,
    generation: i64,
    wraps: &VaultWraps,
) -> rusqlite::Result<bool> {
    if c.prepare_cached(
        "UPDATE vault_keys SET password_wrap = ?3, recovery_wrap = ?4, generation = generation + 1
         WHERE account_id = ?1 AND generation = ?2",
    )?
    .execute(params![
        account_id,
        generation,
        wraps.password,
        wraps.recovery
    ])? != 1
    {
        return Ok(false);
    }
    c.prepare_cached("DELETE FROM vault_entries WHERE account_id = ?1")?
        .execute(params![account_id])?;
    Ok(true)
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SealedEntry> {
    Ok(SealedEntry {
        id: r.get(0)?,
        created_at: r.get(1)?,
        updated_at: r.get(2)?,
        sealed: r.get(3)?,
    })
}

pub fn entries(c: &Connection, account_id: i64) -> rusqlite::Result<Vec<SealedEntry>> {
    c.prepare_cached(
        "SELECT id, created_at, updated_at, sealed FROM vault_entries
         WHERE account_id = ?1 ORDER BY id",
    )?
    .query_map(params![account_id], entry_row)?
    .collect()
}

pub fn entry(c: &Connection, account_id: i64, id: i64) -> rusqlite::Result<Option<SealedEntry>> {
    c.prepare_cached(
        "SELECT id, created_at, updated_at, sealed FROM vault_entries
         WHERE account_id = ?1 AND id = ?2",
    )?
    .query_row(params![account_id, id], entry_row)
    .optional()
}

/// Inserts an entry with an empty ciphertext (sealed next, once its id is known); its id.
pub fn reserve(c: &Connection, account_id: i64, now: i64) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO vault_entries (account_id, sealed, created_at, updated_at)
         VALUES (?1, X'', ?2, ?2) RETURNING id",
    )?
    .query_row(params![account_id, now], |r| r.get(0))
}

/// Sets an entry's ciphertext; whether the entry exists.
pub fn set_sealed(
    c: &Connection,
    account_id: i64,
    id: i64,
    sealed: &[u8],
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached(
        "UPDATE vault_entries SET sealed = ?3, updated_at = max(updated_at, ?4)
         WHERE account_id = ?1 AND id = ?2",
    )?
    .execute(params![account_id, id, sealed, now])?
        == 1)
}

pub fn delete(c: &Connection, account_id: i64, id: i64) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM vault_entries WHERE account_id = ?1 AND id = ?2")?
            .execute(params![account_id, id])?
            == 1,
    )
}

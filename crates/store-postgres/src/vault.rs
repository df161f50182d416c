//! The `vault_keys` and `vault_entries` tables, as in the SQLite store: each account's
//! wrapped data key and its entries as ciphertexts. Nothing here is readable without the
//! password or the recovery code.

use postgres::GenericClient;
use vaultty_core::storage::{SealedEntry, VaultKeys, VaultWraps};

type R<T> = Result<T, postgres::Error>;

pub(crate) fn keys(c: &mut impl GenericClient, account_id: i64) -> R<Option<VaultKeys>> {
    // Typed: one round trip, without preparing a statement first.
    c.query_typed_opt(
        "SELECT password_wrap, recovery_wrap, generation FROM vault_keys WHERE account_id = $1",
        &[(&account_id, postgres::types::Type::INT8)],
    )?
    .map(|r| {
        Ok(VaultKeys {
            password_wrap: r.try_get(0)?,
            recovery_wrap: r.try_get(1)?,
            generation: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Creates the vault unless the account has one; whether it did.
pub(crate) fn create(c: &mut impl GenericClient, account_id: i64, wraps: &VaultWraps) -> R<bool> {
    Ok(c.execute(
        "INSERT INTO vault_keys (account_id, password_wrap, recovery_wrap, generation)
         VALUES ($1, $2, $3, 1) ON CONFLICT (account_id) DO NOTHING",
        &[&account_id, &wraps.password, &wraps.recovery],
    )? == 1)
}

/// Sets (or, with `None`, drops: the vault is then sealed) the password wrapping.
pub(crate) fn set_password_wrap(
    c: &mut impl GenericClient,
    account_id: i64,
    wrap: Option<&[u8]>,
) -> R<()> {
    c.execute(
        "UPDATE vault_keys SET password_wrap = $2 WHERE account_id = $1",
        &[&account_id, &wrap],
    )?;
    Ok(())
}

/// Locks the account's keys row and says whether the vault is at `generation` (a discard
/// waits for entry writes in flight, and they for it).
pub(crate) fn at(c: &mut impl GenericClient, account_id: i64, generation: i64) -> R<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM vault_keys WHERE account_id = $1 AND generation = $2 FOR SHARE",
        &[&account_id, &generation],
    )?
    .is_some())
}

/// Sets one wrapping at `generation`; whether it did.
pub(crate) fn set_wrap_at(
    c: &mut impl GenericClient,
    account_id: i64,
    generation: i64,
    recovery: bool,
    wrap: &[u8],
) -> R<bool> {
    let sql = if recovery {
        "UPDATE vault_keys SET recovery_wrap = $3 WHERE account_id = $1 AND generation = $2"
    } else {
        "UPDATE vault_keys SET password_wrap = $3 WHERE account_id = $1 AND generation = $2"
    };
    Ok(c.execute(sql, &[&account_id, &generation, &wrap])? == 1)
}

/// Deletes every entry and sets new wrappings at the next generation; whether it did.
pub(crate) fn discard(
    c: &mut impl GenericClient,
    account_id: i64,
    generation: i64,
    wraps: &VaultWraps,
) -> R<bool> {
    if c.execute(
        "UPDATE vault_keys SET password_wrap = $3, recovery_wrap = $4, generation = generation + 1
         WHERE account_id = $1 AND generation = $2",
        &[&account_id, &generation, &wraps.password, &wraps.recovery],
    )? != 1
    {
        return Ok(false);
    }
    c.execute(
        "DELETE FROM vault_entries WHERE account_id = $1",
        &[&account_id],
    )?;
    Ok(true)
}

fn entry_row(r: &postgres::Row) -> R<SealedEntry> {
    Ok(SealedEntry {
        id: r.try_get(0)?,
        created_at: r.try_get(1)?,
        updated_at: r.try_get(2)?,
        sealed: r.try_get(3)?,
    })
}

pub(crate) fn entries(c: &mut impl GenericClient, account_id: i64) -> R<Vec<SealedEntry>> {
    c.query(
        "SELECT id, created_at, updated_at, sealed FROM vault_entries
         WHERE account_id = $1 ORDER BY id",
        &[&account_id],
    )?
    .iter()
    .map(entry_row)
    .collect()
}

pub(crate) fn entry(
    c: &mut impl GenericClient,
    account_id: i64,
    id: i64,
) -> R<Option<SealedEntry>> {
    c.query_opt(
        "SELECT id, created_at, updated_at, sealed FROM vault_entries
         WHERE account_id = $1 AND id = $2",
        &[&account_id, &id],
    )?
    .map(|r| entry_row(&r))
    .transpose()
}

/// Inserts an entry with an empty ciphertext (sealed next, once its id is known); its id.
pub(crate) fn reserve(c: &mut impl GenericClient, account_id: i64, now: i64) -> R<i64> {
    c.query_one(
        "INSERT INTO vault_entries (account_id, sealed, created_at, updated_at)
         VALUES ($1, ''::bytea, $2, $2) RETURNING id",
        &[&account_id, &now],
    )?
    .try_get(0)
}

/// Sets an entry's ciphertext; whether the entry exists.
pub(crate) fn set_sealed(
    c: &mut impl GenericClient,
    account_id: i64,
    id: i64,
    sealed: &[u8],
    now: i64,
) -> R<bool> {
    Ok(c.execute(
        "UPDATE vault_entries SET sealed = $3, updated_at = greatest(updated_at, $4)
         WHERE account_id = $1 AND id = $2",
        &[&account_id, &id, &sealed, &now],
    )? == 1)
}

pub(crate) fn delete(c: &mut impl GenericClient, account_id: i64, id: i64) -> R<bool> {
    Ok(c.execute(
        "DELETE FROM vault_entries WHERE account_id = $1 AND id = $2",
        &[&account_id, &id],
    )? == 1)
}

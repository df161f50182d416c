//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
//! Never edit a shipped migration: add a new one.

use crate::{APPLICATION_ID, Store};
use rusqlite::{Connection, params};
use std::collections::HashMap;
use vaultty_core::auth::identity::normalize_email;
use vaultty_core::sanitize::for_display;
use vaultty_core::{Error, Result};

/// One migration: SQL, or a step that needs code (it runs in the same transaction).
enum Migration {
    Sql(&'static str),
    Code(fn(&Store, &Connection) -> Result<()>),
}
use Migration::{Code, Sql};

const MIGRATIONS: &[Migration] = &[
    // 1: accounts, sessions, throttling, auth events.
    Sql("CREATE TABLE accounts (
        id            INTEGER PRIMARY KEY,
        email         TEXT NOT NULL,
        email_norm    TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        created_at    INTEGER NOT NULL,
        last_login_at INTEGER,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
    ) STRICT;
    CREATE TABLE sessions (
        id           INTEGER PRIMARY KEY,
        account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_account ON sessions(account_id);
    CREATE TABLE throttle (
        email_norm   TEXT PRIMARY KEY,
        failures     INTEGER NOT NULL,
        locked_until INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE auth_events (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        email   TEXT NOT NULL,
        outcome TEXT NOT NULL
    ) STRICT;
    CREATE INDEX auth_events_email_at ON auth_events(email, at);"),
    // 2: the uniqueness key of issue 12 (full-width forms, quoted local parts, IDN domains).
    Code(recompute_email_keys),
    // 3: whether the latest attempt was refused while locked, so that the throttle gate is one
    // upsert whose RETURNING says which way it went.
    Sql(
        "ALTER TABLE throttle ADD COLUMN refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1));",
    ),
    // 4: administration (issue 15). Account expiry; when a session last had its password
    // entered (re-authentication); who acted in an audit event (NULL: the target itself);
    // reset and first-login codes (a digest only, one per account); an index for paging by
    // name and one for the retention bound. A store from before roles gets its oldest account
    // as its admin, so that someone can administer it.
    Sql("ALTER TABLE accounts ADD COLUMN expires_at INTEGER;
    ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET authenticated_at = created_at;
    ALTER TABLE auth_events ADD COLUMN actor TEXT;
    CREATE INDEX auth_events_actor_at ON auth_events(actor, at) WHERE actor IS NOT NULL;
    CREATE INDEX auth_events_at ON auth_events(at);
    CREATE INDEX accounts_name ON accounts(name);
    CREATE TABLE reset_codes (
        account_id  INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        code_sha256 BLOB NOT NULL CHECK (length(code_sha256) = 32),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
    ) STRICT;
    UPDATE accounts SET role = 'admin'
     WHERE id = (SELECT min(id) FROM accounts)
       AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin');"),
    // 5: the vault (issue 16). Each account's data key, wrapped by the password's key (NULL:
    // sealed by a reset code) and by the recovery code's, with the generation entry writes
    // must name; entries as ciphertexts with their times.
    Sql("CREATE TABLE vault_keys (
        account_id    INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        password_wrap BLOB,
        recovery_wrap BLOB NOT NULL,
        generation    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE vault_entries (
        id         INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES vault_keys(account_id) ON DELETE CASCADE,
        sealed     BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX vault_entries_account ON vault_entries(account_id, id);"),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub(super) fn apply(store: &Store) -> Result<()> {
    // The version and the schema from one snapshot (one statement): another process may be
    // migrating.
    let (version, actual) = version_and_schema(store.conn()).map_err(|e| store.err(&e))?;
    if version > LATEST {
        return Err(newer(store, version));
    }
    check_schema(store, version, &actual)?;
    if version == LATEST {
        return Ok(());
    }
    store.write(|tx| {
        // Re-read under the write lock: another process may have migrated meanwhile.
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.err(&e))?;
        if version > LATEST {
            return Err(newer(store, version));
        }
        if version == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| store.err(&e))?;
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            match step {
                Sql(sql) => tx.execute_batch(sql).map_err(|e| store.err(&e))?,
                Code(run) => run(store, tx)?,
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(|e| store.err(&e))?;
        }
        Ok(())
    })
}

fn newer(store: &Store, v: i64) -> Error {
    Error::storage(
        store.path(),
        format!(
            "was written by a newer vaultty (schema {v}, this one knows {LATEST}); upgrade vaultty"
        ),
    )
}

/// Recomputes `accounts.email_norm` and the throttle's keys with the current
/// [`normalize_email`], from the address as stored. Two accounts that become one mailbox are
/// not merged: the migration is refused (and nothing changes) until one of them is removed.
/// Throttle rows that become one key keep the stricter count and lock.
fn recompute_email_keys(store: &Store, tx: &Connection) -> Result<()> {
    let db = |e: rusqlite::Error| store.err(&e);
    let rows: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, email, email_norm FROM accounts ORDER BY id")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(db)?;
    let mut owner: HashMap<String, (i64, &str)> = HashMap::new();
    let mut changed = Vec::new();
    for (id, email, old) in &rows {
        let key = normalize_email(email);
        if let Some((first, first_email)) = owner.insert(key.clone(), (*id, email)) {
            return Err(Error::storage(
                store.path(),
                format!(
                    "has two accounts for one mailbox under vaultty's current email rules: \
                     {first} ({}) and {id} ({}). Nothing was changed. Remove one of them \
                     (sqlite3 on this file: DELETE FROM accounts WHERE id = ...), then run \
                     vaultty again.",
                    for_display(first_email),
                    for_display(email),
                ),
            ));
        }
        if key != *old {
            changed.push((*id, key));
        }
    }
    // Through a temporary key first, so that no intermediate state breaks UNIQUE.
    for (id, _) in &changed {
        tx.execute(
            "UPDATE accounts SET email_norm = printf('migrating %d', id) WHERE id = ?1",
            params![id],
        )
        .map_err(db)?;
    }
    for (id, key) in &changed {
        tx.execute(
            "UPDATE accounts SET email_norm = ?1 WHERE id = ?2",
            params![key, id],
        )
        .map_err(db)?;
    }
    let throttled: Vec<(String, i64, i64, i64)> = tx
        .prepare("SELECT email_norm, failures, locked_until, updated_at FROM throttle")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .map_err(db)?;
    for (old, failures, locked_until, updated_at) in throttled {
        let key = normalize_email(&old);
        if key == old {
            continue;
        }
        tx.execute("DELETE FROM throttle WHERE email_norm = ?1", params![old])
            .map_err(db)?;
        tx.execute(
            "INSERT INTO throttle (email_norm, failures, locked_until, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (email_norm) DO UPDATE SET
                 failures = max(failures, excluded.failures),
                 locked_until = max(locked_until, excluded.locked_until),
                 updated_at = max(updated_at, excluded.updated_at)",
            params![key, failures, locked_until, updated_at],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// One object of a schema as SQLite lists it: type, name, table, and the SQL that made it.
type SchemaRow = (String, String, String, Option<String>);

/// The recorded version and [`schema_of`] the store, read by one statement (so from one
/// snapshot, without a transaction of its own).
fn version_and_schema(c: &Connection) -> rusqlite::Result<(i64, Vec<SchemaRow>)> {
    let mut version = 0;
    let mut rows = Vec::new();
    let mut stmt = c.prepare(
        "SELECT v.user_version, s.type, s.name, s.tbl_name, s.sql
         FROM pragma_user_version AS v
         LEFT JOIN sqlite_schema AS s ON s.name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'
         ORDER BY s.type, s.name",
    )?;
    let mut it = stmt.query([])?;
    while let Some(r) = it.next()? {
        version = r.get(0)?;
        // An empty schema is one row of NULLs.
        if let Some(kind) = r.get::<_, Option<String>>(1)? {
            rows.push((kind, r.get(2)?, r.get(3)?, r.get(4)?));
        }
    }
    Ok((version, rows))
}

fn schema_of(c: &Connection) -> rusqlite::Result<Vec<SchemaRow>> {
    // sqlite_stat* tables are SQLite's own statistics (ANALYZE), not part of our design.
    c.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
         WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY type, name",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
    .collect()
}

/// [`schema_digest`] of the schema all migrations make. `latest_schema_digest_is_current`
/// checks it against the schema built in memory: a new migration must update it.
const LATEST_SCHEMA_SHA256: &str =
    "aa504f926579c32489a140bb3259f67fe9aa48844a228d3e6686e1eb2adeed2e";

/// SHA-256 over every field of every object, each field ended by a NUL (a missing SQL text by
/// a 0x01 instead).
fn schema_digest(rows: &[SchemaRow]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (kind, name, table, sql) in rows {
        for field in [kind, name, table] {
            h.update(field.as_bytes());
            h.update([0]);
        }
        match sql {
            Some(sql) => {
                h.update(sql.as_bytes());
                h.update([0]);
            }
            None => h.update([1]),
        }
    }
    hex::encode(h.finalize())
}

/// The schema the first `version` migrations make, built in an in-memory database.
fn expected_schema(version: i64) -> rusqlite::Result<Vec<SchemaRow>> {
    let c = Connection::open_in_memory()?;
    for step in MIGRATIONS.iter().take(version as usize) {
        // Steps in code change data, never the schema.
        if let Sql(sql) = step {
            c.execute_batch(sql)?;
        }
    }
    schema_of(&c)
}

/// Refuses a store whose schema is not exactly what its migrations made: an extra trigger or
/// view (a trigger that deletes throttle rows gives unlimited silent guessing), a missing or
/// altered table or index. Nothing is changed: the store is reported, never repaired.
fn check_schema(store: &Store, version: i64, actual: &[SchemaRow]) -> Result<()> {
    // The usual case without building a database in memory (which costs a command like
    // `whoami` a sixth of its time): the latest schema, known by its digest.
    if version == LATEST && schema_digest(actual) == LATEST_SCHEMA_SHA256 {
        return Ok(());
    }
    let expected = expected_schema(version).map_err(|e| store.err(&e))?;
    if actual == expected {
        return Ok(());
    }
    let what = match actual.iter().find(|o| !expected.contains(o)) {
        Some((kind, name, ..)) if expected.iter().any(|e| &e.1 == name) => {
            format!("its {kind} \"{name}\" was altered")
        }
        Some((kind, name, ..)) => format!("it has an unexpected {kind} \"{name}\""),
        None => match expected.iter().find(|o| !actual.contains(o)) {
            Some((kind, name, ..)) => format!("its {kind} \"{name}\" is missing"),
            None => "its objects are not the expected ones".to_owned(),
        },
    };
    Err(Error::storage(
        store.path(),
        format!(
            "the store was changed outside vaultty: {what}. It was left untouched and will not \
             be used. Whoever can write this file can change accounts and throttling: restore a \
             backup you trust (or remove the object with sqlite3 if you added it yourself)."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_schema_digest_is_current() {
        let digest = schema_digest(&expected_schema(LATEST).unwrap());
        assert_eq!(
            digest, LATEST_SCHEMA_SHA256,
            "a migration changed the schema: set LATEST_SCHEMA_SHA256 to {digest}"
        );
    }
}

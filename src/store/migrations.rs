//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
//! Never edit a shipped migration: add a new one.

use super::{APPLICATION_ID, Store};
use crate::{Error, Result};
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, throttling, auth events.
    "CREATE TABLE accounts (
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
    CREATE INDEX auth_events_email_at ON auth_events(email, at);",
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub(super) fn apply(store: &Store) -> Result<()> {
    let version = user_version(store)?;
    check_schema(store, version)?;
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
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| store.err(&e))?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(|e| store.err(&e))?;
        }
        Ok(())
    })
}

fn user_version(store: &Store) -> Result<i64> {
    let v: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| store.err(&e))?;
    if v > LATEST {
        return Err(newer(store, v));
    }
    Ok(v)
}

fn newer(store: &Store, v: i64) -> Error {
    Error::storage(
        store.path(),
        format!(
            "was written by a newer vaultty (schema {v}, this one knows {LATEST}); upgrade vaultty"
        ),
    )
}

/// One object of a schema as SQLite lists it: type, name, table, and the SQL that made it.
type SchemaRow = (String, String, String, Option<String>);

fn schema_of(c: &Connection) -> rusqlite::Result<Vec<SchemaRow>> {
    // sqlite_stat* tables are SQLite's own statistics (ANALYZE), not part of our design.
    c.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
         WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY type, name",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
    .collect()
}

/// The schema the first `version` migrations make, built in an in-memory database.
fn expected_schema(version: i64) -> rusqlite::Result<Vec<SchemaRow>> {
    let c = Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version as usize) {
        c.execute_batch(sql)?;
    }
    schema_of(&c)
}

/// Refuses a store whose schema is not exactly what its migrations made: an extra trigger or
/// view (a trigger that deletes throttle rows gives unlimited silent guessing), a missing or
/// altered table or index. Nothing is changed: the store is reported, never repaired.
fn check_schema(store: &Store, version: i64) -> Result<()> {
    let actual = schema_of(store.conn()).map_err(|e| store.err(&e))?;
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

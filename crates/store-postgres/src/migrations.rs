//! Schema migrations, applied in order under a transaction-level advisory lock; the table
//! `vaultty_schema` records how many ran. Never edit a shipped migration: add a new one (and
//! update [`LATEST_OBJECTS`]).
//!
//! vaultty's tables live in the connection's current schema (the first one of `search_path`
//! that exists, `public` by default). A schema that holds anything else is refused untouched,
//! and so is one whose vaultty tables were changed behind vaultty's back.

use postgres::{Client, IsolationLevel, Transaction};
// The core (moves to the core crate).
use vaultty_core::sanitize::for_display;
use vaultty_core::{Error, Result};

/// The UNIQUE constraint that decides an email's uniqueness (see `Storage::create_account`).
pub(crate) const EMAIL_KEY_CONSTRAINT: &str = "accounts_email_norm_key";

const MIGRATIONS: &[&str] = &[
    // 1: the version table, accounts, sessions, throttling, auth events. Times are Unix
    // seconds, as in the SQLite store; keys compare byte by byte (COLLATE "C") as there.
    r#"CREATE TABLE vaultty_schema (
        singleton boolean NOT NULL DEFAULT true
                  CONSTRAINT vaultty_schema_pkey PRIMARY KEY
                  CONSTRAINT vaultty_schema_singleton_check CHECK (singleton),
        version   bigint NOT NULL
    );
    INSERT INTO vaultty_schema (version) VALUES (0);
    CREATE TABLE accounts (
        id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT accounts_pkey PRIMARY KEY,
        email         text NOT NULL,
        email_norm    text COLLATE "C" NOT NULL CONSTRAINT accounts_email_norm_key UNIQUE,
        name          text NOT NULL,
        password_hash text NOT NULL,
        role          text NOT NULL DEFAULT 'user'
                      CONSTRAINT accounts_role_check CHECK (role IN ('user', 'admin')),
        created_at    bigint NOT NULL,
        last_login_at bigint,
        disabled      boolean NOT NULL DEFAULT false
    );
    CREATE TABLE sessions (
        id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT sessions_pkey PRIMARY KEY,
        account_id   bigint NOT NULL CONSTRAINT sessions_account_id_fkey
                     REFERENCES accounts (id) ON DELETE CASCADE,
        token_sha256 bytea NOT NULL CONSTRAINT sessions_token_sha256_key UNIQUE
                     CONSTRAINT sessions_token_sha256_check CHECK (length(token_sha256) = 32),
        created_at   bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        expires_at   bigint NOT NULL
    );
    CREATE INDEX sessions_account ON sessions (account_id);
    CREATE INDEX sessions_expires ON sessions (expires_at);
    CREATE TABLE throttle (
        email_norm   text COLLATE "C" CONSTRAINT throttle_pkey PRIMARY KEY,
        failures     bigint NOT NULL,
        locked_until bigint NOT NULL,
        updated_at   bigint NOT NULL,
        refused      boolean NOT NULL DEFAULT false
    );
    CREATE TABLE auth_events (
        id      bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT auth_events_pkey PRIMARY KEY,
        at      bigint NOT NULL,
        email   text COLLATE "C" NOT NULL,
        outcome text NOT NULL
    );
    CREATE INDEX auth_events_email_at ON auth_events (email, at);"#,
    // 2: administration (issue 15), as the SQLite store's migration 4: account expiry; when
    // a session last had its password entered; who acted in an audit event (NULL: the target
    // itself); reset and first-login codes (a digest, one per account); indexes for paging by
    // name and for the retention bound. A store from before roles gets its oldest account as
    // its admin.
    r#"ALTER TABLE accounts ADD COLUMN expires_at bigint;
    ALTER TABLE sessions ADD COLUMN authenticated_at bigint NOT NULL DEFAULT 0;
    UPDATE sessions SET authenticated_at = created_at;
    ALTER TABLE auth_events ADD COLUMN actor text COLLATE "C";
    CREATE INDEX auth_events_actor_at ON auth_events (actor, at) WHERE actor IS NOT NULL;
    CREATE INDEX auth_events_at ON auth_events (at);
    CREATE INDEX accounts_name ON accounts ((name COLLATE "C"), id);
    CREATE TABLE reset_codes (
        account_id  bigint CONSTRAINT reset_codes_pkey PRIMARY KEY
                    CONSTRAINT reset_codes_account_id_fkey
                    REFERENCES accounts (id) ON DELETE CASCADE,
        code_sha256 bytea NOT NULL
                    CONSTRAINT reset_codes_code_sha256_check CHECK (length(code_sha256) = 32),
        created_at  bigint NOT NULL,
        expires_at  bigint NOT NULL
    );
    UPDATE accounts SET role = 'admin'
     WHERE id = (SELECT min(id) FROM accounts)
       AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin');"#,
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Every table any version of the schema had: any other table in the schema is not vaultty's.
const KNOWN_TABLES: &[&str] = &[
    "accounts",
    "auth_events",
    "reset_codes",
    "sessions",
    "throttle",
    "vaultty_schema",
];

/// The key of the advisory lock taken around migrating ("vaultty\x01").
const MIGRATION_LOCK: i64 = 0x7661_756c_7474_7901;

/// Every object of the schema all migrations make, as [`OBJECTS_SQL`] lists them: kind, table,
/// and what is compared (a column's type and nullability, a constraint's kind).
const LATEST_OBJECTS: &[(&str, &str, &str)] = &[
    ("column", "accounts", "created_at bigint not null"),
    ("column", "accounts", "disabled boolean not null"),
    ("column", "accounts", "email text not null"),
    ("column", "accounts", "email_norm text not null"),
    ("column", "accounts", "expires_at bigint null"),
    ("column", "accounts", "id bigint not null"),
    ("column", "accounts", "last_login_at bigint null"),
    ("column", "accounts", "name text not null"),
    ("column", "accounts", "password_hash text not null"),
    ("column", "accounts", "role text not null"),
    ("column", "auth_events", "actor text null"),
    ("column", "auth_events", "at bigint not null"),
    ("column", "auth_events", "email text not null"),
    ("column", "auth_events", "id bigint not null"),
    ("column", "auth_events", "outcome text not null"),
    ("column", "reset_codes", "account_id bigint not null"),
    ("column", "reset_codes", "code_sha256 bytea not null"),
    ("column", "reset_codes", "created_at bigint not null"),
    ("column", "reset_codes", "expires_at bigint not null"),
    ("column", "sessions", "account_id bigint not null"),
    ("column", "sessions", "authenticated_at bigint not null"),
    ("column", "sessions", "created_at bigint not null"),
    ("column", "sessions", "expires_at bigint not null"),
    ("column", "sessions", "id bigint not null"),
    ("column", "sessions", "last_seen_at bigint not null"),
    ("column", "sessions", "token_sha256 bytea not null"),
    ("column", "throttle", "email_norm text not null"),
    ("column", "throttle", "failures bigint not null"),
    ("column", "throttle", "locked_until bigint not null"),
    ("column", "throttle", "refused boolean not null"),
    ("column", "throttle", "updated_at bigint not null"),
    ("column", "vaultty_schema", "singleton boolean not null"),
    ("column", "vaultty_schema", "version bigint not null"),
    ("constraint", "accounts", "accounts_email_norm_key u"),
    ("constraint", "accounts", "accounts_pkey p"),
    ("constraint", "accounts", "accounts_role_check c"),
    ("constraint", "reset_codes", "reset_codes_account_id_fkey f"),
    (
        "constraint",
        "reset_codes",
        "reset_codes_code_sha256_check c",
    ),
    ("constraint", "reset_codes", "reset_codes_pkey p"),
    ("constraint", "sessions", "sessions_account_id_fkey f"),
    ("constraint", "sessions", "sessions_pkey p"),
    ("constraint", "sessions", "sessions_token_sha256_check c"),
    ("constraint", "sessions", "sessions_token_sha256_key u"),
    ("constraint", "throttle", "throttle_pkey p"),
    ("constraint", "auth_events", "auth_events_pkey p"),
    ("constraint", "vaultty_schema", "vaultty_schema_pkey p"),
    (
        "constraint",
        "vaultty_schema",
        "vaultty_schema_singleton_check c",
    ),
    ("index", "accounts", "accounts_email_norm_key"),
    ("index", "accounts", "accounts_name"),
    ("index", "accounts", "accounts_pkey"),
    ("index", "auth_events", "auth_events_actor_at"),
    ("index", "auth_events", "auth_events_at"),
    ("index", "auth_events", "auth_events_email_at"),
    ("index", "auth_events", "auth_events_pkey"),
    ("index", "reset_codes", "reset_codes_pkey"),
    ("index", "sessions", "sessions_account"),
    ("index", "sessions", "sessions_expires"),
    ("index", "sessions", "sessions_pkey"),
    ("index", "sessions", "sessions_token_sha256_key"),
    ("index", "throttle", "throttle_pkey"),
    ("index", "vaultty_schema", "vaultty_schema_pkey"),
    ("table", "accounts", ""),
    ("table", "auth_events", ""),
    ("table", "reset_codes", ""),
    ("table", "sessions", ""),
    ("table", "throttle", ""),
    ("table", "vaultty_schema", ""),
];

/// Every object in the current schema that [`LATEST_OBJECTS`] describes, and every trigger,
/// rule and row-level policy (vaultty makes none: a trigger that deletes throttle rows would
/// give unlimited silent guessing). NOT NULL constraints (listed from PostgreSQL 18 on) are
/// compared as the columns' nullability instead.
const OBJECTS_SQL: &str = "
    WITH s AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
    SELECT 'table', c.relname::text, ''
      FROM pg_catalog.pg_class c JOIN s ON c.relnamespace = s.oid
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    UNION ALL
    SELECT 'column', c.relname::text, a.attname::text || ' '
           || pg_catalog.format_type(a.atttypid, NULL)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN s ON c.relnamespace = s.oid
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint', c.relname::text, co.conname::text || ' ' || co.contype::text
      FROM pg_catalog.pg_constraint co
      JOIN pg_catalog.pg_class c ON c.oid = co.conrelid JOIN s ON c.relnamespace = s.oid
     WHERE co.contype <> 'n'
    UNION ALL
    SELECT 'index', t.relname::text, i.relname::text
      FROM pg_catalog.pg_index x
      JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
      JOIN pg_catalog.pg_class t ON t.oid = x.indrelid JOIN s ON t.relnamespace = s.oid
    UNION ALL
    SELECT 'trigger', c.relname::text, g.tgname::text
      FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid JOIN s ON c.relnamespace = s.oid
     WHERE NOT g.tgisinternal
    UNION ALL
    SELECT 'rule', c.relname::text, r.rulename::text
      FROM pg_catalog.pg_rewrite r
      JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN s ON c.relnamespace = s.oid
     WHERE r.rulename <> '_RETURN'
    UNION ALL
    SELECT 'policy', c.relname::text, p.polname::text
      FROM pg_catalog.pg_policy p
      JOIN pg_catalog.pg_class c ON c.oid = p.polrelid JOIN s ON c.relnamespace = s.oid
    ORDER BY 1, 2, 3";

/// What a first look at the schema found.
struct Found {
    /// The tables in the current schema.
    tables: Vec<String>,
    /// The recorded schema version (`None`: no `vaultty_schema` table).
    version: Option<i64>,
}

/// Checks the schema and brings it to [`LATEST`]. A database that holds other tables, was
/// written by a newer vaultty or was changed outside vaultty is refused, and nothing in it
/// is created or changed.
pub(crate) fn apply(
    client: &mut Client,
    fail: &dyn Fn(&postgres::Error) -> Error,
    shown: &str,
) -> Result<()> {
    // The usual case, without the lock: one snapshot says the schema is current and intact.
    {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| fail(&e))?;
        let found = inspect(&mut tx, fail, shown)?;
        let version = judge(&found, shown)?;
        if version == LATEST {
            check_objects(&mut tx, fail, shown)?;
            tx.commit().map_err(|e| fail(&e))?;
            return Ok(());
        }
    }
    // Migrate under the lock: another process may be migrating the same schema right now; it
    // holds the lock until it commits, and then this one finds the schema current.
    let mut tx = client.transaction().map_err(|e| fail(&e))?;
    tx.execute(
        "SELECT pg_catalog.pg_advisory_xact_lock($1)",
        &[&MIGRATION_LOCK],
    )
    .map_err(|e| fail(&e))?;
    let found = inspect(&mut tx, fail, shown)?;
    let version = judge(&found, shown)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(|e| fail(&e))?;
        tx.execute("UPDATE vaultty_schema SET version = $1", &[&(i as i64 + 1)])
            .map_err(|e| fail(&e))?;
    }
    check_objects(&mut tx, fail, shown)?;
    tx.commit().map_err(|e| fail(&e))
}

fn inspect(
    tx: &mut Transaction<'_>,
    fail: &dyn Fn(&postgres::Error) -> Error,
    shown: &str,
) -> Result<Found> {
    let row = tx
        .query_one(
            "SELECT current_schema()::text, pg_catalog.current_setting('server_encoding')",
            &[],
        )
        .map_err(|e| fail(&e))?;
    let schema: Option<String> = row.get(0);
    let encoding: String = row.get(1);
    if schema.is_none() {
        return Err(Error::storage(
            shown,
            "has no schema for vaultty's tables: no schema of the search_path exists. Create \
             one (CREATE SCHEMA vaultty AUTHORIZATION USER) and name it in the URL \
             (options=-csearch_path%3Dvaultty), or fix the user's search_path.",
        ));
    }
    if encoding != "UTF8" {
        return Err(Error::storage(
            shown,
            format!(
                "is a database in the {} encoding; vaultty needs UTF8 and left it untouched. \
                 Create one with createdb -E UTF8 -T template0.",
                for_display(&encoding)
            ),
        ));
    }
    let tables: Vec<String> = tx
        .query(
            "SELECT c.relname::text FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              ORDER BY 1",
            &[],
        )
        .map_err(|e| fail(&e))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let version = if tables.iter().any(|t| t == "vaultty_schema") {
        let rows = tx
            .query("SELECT version FROM vaultty_schema", &[])
            .map_err(|e| fail(&e))?;
        match rows.as_slice() {
            [row] => Some(row.get(0)),
            _ => {
                return Err(changed(
                    shown,
                    "its table \"vaultty_schema\" has no version",
                ));
            }
        }
    } else {
        None
    };
    Ok(Found { tables, version })
}

/// The version to migrate from, or why the schema is refused.
fn judge(found: &Found, shown: &str) -> Result<i64> {
    if let Some(v) = found.version
        && v > LATEST
    {
        return Err(Error::storage(
            shown,
            format!(
                "was written by a newer vaultty (schema {v}, this one knows {LATEST}); upgrade \
                 vaultty"
            ),
        ));
    }
    let foreign: Vec<&String> = found
        .tables
        .iter()
        .filter(|t| found.version.is_none() || !KNOWN_TABLES.contains(&t.as_str()))
        .collect();
    if !foreign.is_empty() {
        let mut names: Vec<String> = foreign
            .iter()
            .take(5)
            .map(|t| format!("\"{}\"", for_display(t)))
            .collect();
        if foreign.len() > 5 {
            names.push(format!("and {} more", foreign.len() - 5));
        }
        return Err(Error::storage(
            shown,
            format!(
                "holds tables that are not vaultty's ({}); it was left untouched. Give vaultty a \
                 database of its own (createdb -E UTF8 -O USER vaultty), or a schema of its own \
                 (CREATE SCHEMA vaultty AUTHORIZATION USER, then add \
                 ?options=-csearch_path%3Dvaultty to the URL).",
                names.join(", ")
            ),
        ));
    }
    Ok(found.version.unwrap_or(0))
}

/// Refuses a schema whose objects are not exactly what the migrations made. Nothing is
/// changed: the store is reported, never repaired.
fn check_objects(
    tx: &mut Transaction<'_>,
    fail: &dyn Fn(&postgres::Error) -> Error,
    shown: &str,
) -> Result<()> {
    let actual: Vec<(String, String, String)> = tx
        .query(OBJECTS_SQL, &[])
        .map_err(|e| fail(&e))?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let expected: Vec<(String, String, String)> = LATEST_OBJECTS
        .iter()
        .map(|(k, t, d)| (k.to_string(), t.to_string(), d.to_string()))
        .collect();
    let name = |(kind, table, detail): &(String, String, String)| match kind.as_str() {
        "table" => format!("table \"{}\"", for_display(table)),
        "column" | "constraint" | "index" => format!(
            "{kind} \"{}\" of table \"{}\"",
            for_display(detail.split(' ').next().unwrap_or("")),
            for_display(table)
        ),
        _ => format!(
            "{kind} \"{}\" on table \"{}\"",
            for_display(detail),
            for_display(table)
        ),
    };
    let key = |o: &(String, String, String)| {
        (
            o.0.clone(),
            o.1.clone(),
            o.2.split(' ').next().unwrap_or("").to_owned(),
        )
    };
    let what = if let Some(o) = actual.iter().find(|o| !expected.contains(o)) {
        if expected.iter().any(|e| key(e) == key(o)) {
            format!("its {} was altered", name(o))
        } else {
            format!("it has an unexpected {}", name(o))
        }
    } else if let Some(o) = expected.iter().find(|o| !actual.contains(o)) {
        format!("its {} is missing", name(o))
    } else {
        return Ok(());
    };
    Err(changed(shown, &what))
}

fn changed(shown: &str, what: &str) -> Error {
    Error::storage(
        shown,
        format!(
            "was changed outside vaultty: {what}. It was left untouched and will not be used. \
             Whoever can write this database can change accounts and throttling: restore a \
             backup you trust (pg_restore), or undo the change if you made it yourself."
        ),
    )
}

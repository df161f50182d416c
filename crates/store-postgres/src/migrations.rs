//! Schema migrations, applied in order under a transaction-level advisory lock; the table
//! `vaultty_schema` records how many ran. Never edit a shipped migration: add a new one (and
//! update [`LATEST_OBJECTS`]).
//!
//! vaultty's tables live in the connection's current schema (the first one of `search_path`
//! that exists, `public` by default). A schema that holds anything else is refused untouched,
//! and so is one whose vaultty tables were changed behind vaultty's back.
//!
//! Every CLI command opens a new connection, so the check comes in two steps:
//! - The quick check, every time: one statement ([`QUICK_SQL`]) reads the recorded version,
//!   the encoding and the server's clock together with each table and index of the schema:
//!   its name and kind, columns (name, type, nullability), CHECK constraints, triggers,
//!   rules and row-level security. If that is exactly what [`LATEST_OBJECTS`] describes, the
//!   store is used. It reads only catalogs that a new backend opens for vaultty's first
//!   statements anyway, and costs a new connection a fraction of what the full check does.
//! - The full check ([`OBJECTS_SQL`]: every column, constraint, index, trigger, rule and
//!   policy, named in a refusal), whenever the quick check disagrees or fails, before and
//!   after every migration.
//!
//! What the quick check sees covers what could make vaultty run something planted or lose
//! an invariant silently: another table or view (the refusal of foreign tables holds on every
//! opening, not only when migrating), a trigger on any table, a rule, row-level security, a
//! missing or extra index (the UNIQUE and primary keys are indexes), an added, dropped or
//! altered column, an added or dropped CHECK constraint. What only the full check sees, so
//! only when vaultty next migrates or something above changes too: a constraint renamed or
//! changed to another kind while its index (if any) keeps its name, a dropped foreign key
//! (sessions of a deleted account then stay, and read as ended), an index dropped and made
//! again on another table under the same name, and a policy while row-level security is off (it has no
//! effect then). Neither check compares defaults or the text of CHECK constraints. Whoever
//! can make such changes holds the store's credentials and can change the rows themselves
//! anyway (README, "Who to trust with PostgreSQL").
//!
//! Adding a migration means appending it to [`MIGRATIONS`] and updating [`KNOWN_TABLES`] and
//! [`LATEST_OBJECTS`]: the quick check's expectations are derived from the latter.

use postgres::types::Type;
use postgres::{Client, IsolationLevel, Transaction};
use std::sync::LazyLock;
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
    // 3: the vault (issue 16), as the SQLite store's migration 5: each account's data key,
    // wrapped by the password's key (NULL: sealed by a reset code) and by the recovery
    // code's, with the generation entry writes must name; entries as ciphertexts.
    r#"CREATE TABLE vault_keys (
        account_id    bigint CONSTRAINT vault_keys_pkey PRIMARY KEY
                      CONSTRAINT vault_keys_account_id_fkey
                      REFERENCES accounts (id) ON DELETE CASCADE,
        password_wrap bytea,
        recovery_wrap bytea NOT NULL,
        generation    bigint NOT NULL
    );
    CREATE TABLE vault_entries (
        id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT vault_entries_pkey PRIMARY KEY,
        account_id bigint NOT NULL CONSTRAINT vault_entries_account_id_fkey
                   REFERENCES vault_keys (account_id) ON DELETE CASCADE,
        sealed     bytea NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
    );
    CREATE INDEX vault_entries_account ON vault_entries (account_id, id);"#,
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
    "vault_entries",
    "vault_keys",
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
    ("column", "vault_entries", "account_id bigint not null"),
    ("column", "vault_entries", "created_at bigint not null"),
    ("column", "vault_entries", "id bigint not null"),
    ("column", "vault_entries", "sealed bytea not null"),
    ("column", "vault_entries", "updated_at bigint not null"),
    ("column", "vault_keys", "account_id bigint not null"),
    ("column", "vault_keys", "generation bigint not null"),
    ("column", "vault_keys", "password_wrap bytea null"),
    ("column", "vault_keys", "recovery_wrap bytea not null"),
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
    (
        "constraint",
        "vault_entries",
        "vault_entries_account_id_fkey f",
    ),
    ("constraint", "vault_entries", "vault_entries_pkey p"),
    ("constraint", "vault_keys", "vault_keys_account_id_fkey f"),
    ("constraint", "vault_keys", "vault_keys_pkey p"),
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
    ("index", "vault_entries", "vault_entries_account"),
    ("index", "vault_entries", "vault_entries_pkey"),
    ("index", "vault_keys", "vault_keys_pkey"),
    ("index", "vaultty_schema", "vaultty_schema_pkey"),
    ("table", "accounts", ""),
    ("table", "auth_events", ""),
    ("table", "reset_codes", ""),
    ("table", "sessions", ""),
    ("table", "throttle", ""),
    ("table", "vault_entries", ""),
    ("table", "vault_keys", ""),
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
/// is created or changed. Returns the server's clock (Unix microseconds) when the quick
/// check read it.
pub(crate) fn apply(
    client: &mut Client,
    fail: &dyn Fn(&postgres::Error) -> Error,
    shown: &str,
) -> Result<Option<i64>> {
    // The usual case: one statement finds the schema current and as this build expects it,
    // and settles the connection.
    if let Some(clock) = quick_check(client) {
        return Ok(Some(clock));
    }
    crate::settle(client).map_err(|e| fail(&e))?;
    full_check(client, fail, shown).map(|()| None)
}

/// The whole check, and the migrations: for a schema the quick check did not pass.
fn full_check(
    client: &mut Client,
    fail: &dyn Fn(&postgres::Error) -> Error,
    shown: &str,
) -> Result<()> {
    // Without the lock first: one snapshot says the schema is current and intact.
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

/// The quick check's statement: the recorded version, the encoding and the server's clock,
/// with one row per table and index of the current schema (the first schema of the
/// search_path that exists), giving its kind, how many CHECK constraints and user triggers
/// it has, whether it has rules or row-level security, and its columns as [`LATEST_OBJECTS`]
/// writes them. It reads `pg_class`, `pg_attribute` and `pg_trigger`, which a new backend
/// opens anyway for vaultty's first statements, and none of the catalogs that only the full
/// check needs ([`OBJECTS_SQL`]): that is what makes it cheap on a new connection.
///
/// Without a `vaultty_schema` table in the search_path it fails (undefined table); the full
/// check then says what the schema is.
///
/// Its last column applies the connection's settings (`crate::SETTINGS_SQL`, `$1`), once,
/// whatever the number of rows: a subquery that refers to nothing outside is evaluated once.
static QUICK_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{QUICK_SELECT},
           (SELECT {}) {QUICK_FROM}",
        crate::SETTINGS_SQL
    )
});

const QUICK_SELECT: &str = "
    SELECT (SELECT version FROM vaultty_schema),
           pg_catalog.current_setting('server_encoding'),
           floor(extract(epoch FROM pg_catalog.clock_timestamp()) * 1000000)::bigint,
           c.relname::text, c.relkind::text, c.relchecks,
           c.relhasrules OR c.relrowsecurity OR c.relforcerowsecurity,
           (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = c.oid AND NOT g.tgisinternal),
           ARRAY(SELECT a.attname::text || ' ' || pg_catalog.format_type(a.atttypid, NULL)
                        || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
                   FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = c.oid AND c.relkind <> 'i' AND a.attnum > 0
                    AND NOT a.attisdropped)";

const QUICK_FROM: &str = "
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace =
           (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = current_schema())
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'i', 'I')";

/// A table or index of the current schema, as the quick check sees it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Relation {
    name: String,
    /// `pg_class.relkind`: "r" a table, "i" an index.
    kind: String,
    /// CHECK constraints.
    checks: i16,
    /// Rules, or row-level security enabled or forced.
    rules_or_policies: bool,
    /// Triggers, other than those PostgreSQL makes for foreign keys.
    triggers: i64,
    /// Sorted, as "name type null" / "name type not null" (none for an index).
    columns: Vec<String>,
}

/// The relations [`LATEST_OBJECTS`] describes, as the quick check must find them: its tables
/// (plain tables), their columns, CHECK constraints, triggers, rules and policies, and its
/// indexes. Derived, so that a migration only updates [`LATEST_OBJECTS`].
fn expected_relations() -> Vec<Relation> {
    fn of<'a>(kind: &'a str, table: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        LATEST_OBJECTS
            .iter()
            .filter(move |(k, t, _)| *k == kind && *t == table)
            .map(|(_, _, detail)| *detail)
    }
    let mut expected: Vec<Relation> = LATEST_OBJECTS
        .iter()
        .filter(|(kind, _, _)| *kind == "table")
        .map(|(_, table, _)| {
            let mut columns: Vec<String> = of("column", table).map(str::to_owned).collect();
            columns.sort();
            Relation {
                name: table.to_string(),
                kind: "r".to_owned(),
                checks: of("constraint", table)
                    .filter(|d| d.ends_with(" c"))
                    .count() as i16,
                rules_or_policies: of("rule", table)
                    .chain(of("policy", table))
                    .next()
                    .is_some(),
                triggers: of("trigger", table).count() as i64,
                columns,
            }
        })
        .chain(
            LATEST_OBJECTS
                .iter()
                .filter(|(kind, _, _)| *kind == "index")
                .map(|(_, _, index)| Relation {
                    name: index.to_string(),
                    kind: "i".to_owned(),
                    checks: 0,
                    rules_or_policies: false,
                    triggers: 0,
                    columns: Vec::new(),
                }),
        )
        .collect();
    expected.sort();
    expected
}

/// One statement ([`QUICK_SQL`]): the schema is at [`LATEST`], in UTF8, and its tables and
/// indexes are exactly those of [`expected_relations`]. Returns the server's clock (Unix
/// microseconds) if so, `None` for anything else, an error included: the full check then
/// decides, and reports.
fn quick_check(client: &mut Client) -> Option<i64> {
    let rows = client
        .query_typed(&QUICK_SQL, &[(&crate::lock_timeout_ms(), Type::TEXT)])
        .ok()?;
    let first = rows.first()?;
    let version: Option<i64> = first.try_get(0).ok()?;
    let encoding: String = first.try_get(1).ok()?;
    let clock: i64 = first.try_get(2).ok()?;
    if version != Some(LATEST) || encoding != "UTF8" {
        return None;
    }
    let mut found = rows
        .iter()
        .map(|r| {
            let mut columns: Vec<String> = r.try_get(8)?;
            columns.sort();
            Ok(Relation {
                name: r.try_get(3)?,
                kind: r.try_get(4)?,
                checks: r.try_get(5)?,
                rules_or_policies: r.try_get(6)?,
                triggers: r.try_get(7)?,
                columns,
            })
        })
        .collect::<Result<Vec<Relation>, postgres::Error>>()
        .ok()?;
    found.sort();
    (found == expected_relations()).then_some(clock)
}

//! The PostgreSQL store against a real server (see `common`): the storage trait's semantics,
//! the security invariants under concurrency, migrations and refusals, and messages.

use std::sync::{Arc, Barrier};
use std::thread;
use vaultty_core::Error;
use vaultty_core::storage::{
    Gate, LockoutSchedule, LoginCommit, NewAccount, Outcome, PasswordChange, Storage,
};
use vaultty_store_postgres::{PgStore, SCHEMA_VERSION, ThrottleRow};
use vaultty_testkit::pg::{self as common, server, with_param};

const SCHEDULE: LockoutSchedule = LockoutSchedule {
    free: 5,
    base_secs: 60,
    max_secs: 3600,
};

fn new_account<'a>(email_norm: &'a str, now: i64) -> NewAccount<'a> {
    NewAccount {
        email: email_norm,
        email_norm,
        name: "Alice",
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        now,
        event_email: email_norm,
        vault: None,
    }
}

/// The gate's rule written in Rust (as the service computed it before the upsert): the row
/// after an attempt at `now`, and whether it was refused.
fn model(row: ThrottleRow, now: i64, s: &LockoutSchedule) -> ThrottleRow {
    let capped = row.locked_until.min(now + s.lockout_secs(row.failures));
    if capped > now {
        return ThrottleRow {
            locked_until: capped,
            refused: true,
            ..row
        };
    }
    let failures = row.failures + 1;
    let lock = s.lockout_secs(failures);
    ThrottleRow {
        failures,
        locked_until: if lock > 0 { now + lock } else { 0 },
        refused: false,
    }
}

/// The gate's upsert against the Rust model over many random steps: attempts, clears and
/// clock jumps (a lock written under a clock far ahead is capped), for the product's schedule
/// and two whose numbers would overflow a plain `base << doublings`.
#[test]
fn the_gate_upsert_follows_the_lock_schedule() {
    let Some(server) = server("the_gate_upsert_follows_the_lock_schedule") else {
        return;
    };
    let db = server.fresh_db();
    let store = PgStore::open(&db.url).unwrap();
    let schedules = [
        (SCHEDULE, 2000),
        (
            LockoutSchedule {
                free: 1,
                base_secs: 1,
                max_secs: i64::MAX / 4,
            },
            400,
        ),
        (
            LockoutSchedule {
                free: 3,
                base_secs: 1 << 40,
                max_secs: i64::MAX / 4,
            },
            400,
        ),
    ];
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    for (k, (schedule, steps)) in schedules.iter().enumerate() {
        let email = format!("gate{k}@example.com");
        let mut now = 1_700_000_000_i64;
        let mut expected = ThrottleRow {
            failures: 0,
            locked_until: 0,
            refused: false,
        };
        let mut refusals = 0;
        for step in 0..*steps {
            now += match next(10) {
                0 => 86_400 * 12,  // a clock far ahead
                1 => -86_400 * 12, // and back
                2..=4 => next(120) as i64,
                _ => 0,
            };
            if next(25) == 0 {
                store.clear_throttle(&email).unwrap();
                expected.failures = 0;
                expected.locked_until = 0;
            }
            let got = store
                .gate(&email, &email, now, schedule, Outcome::LoginThrottled)
                .unwrap();
            let want = model(expected, now, schedule);
            let want_gate = if want.refused {
                refusals += 1;
                Gate::LockedOut(want.locked_until - now)
            } else {
                Gate::Open(None)
            };
            assert_eq!(got, want_gate, "schedule {k} step {step} at {now}");
            assert_eq!(
                store.throttle_row(&email).unwrap(),
                Some(want),
                "schedule {k} step {step} at {now}"
            );
            expected = want;
        }
        // Every refusal, and nothing else, is in the event log.
        let events = store.events(&email).unwrap();
        assert_eq!(events.len(), refusals, "schedule {k}");
        assert!(events.iter().all(|(_, o)| o == "login_throttled"));
        assert!(refusals > 0, "schedule {k} never locked");
    }
}

/// 16 connections (as 16 processes or machines would have) race wrong guesses on one email
/// at one instant: no more attempts than the schedule's free ones are ever counted, and every
/// other one is refused and recorded.
#[test]
fn sixteen_connections_racing_wrong_guesses_never_get_more_than_the_limit() {
    let Some(server) = server("sixteen_connections_racing_wrong_guesses") else {
        return;
    };
    let db = server.fresh_db();
    let first = PgStore::open(&db.url).unwrap();
    let now = first.now().unwrap().unwrap();
    const THREADS: usize = 16;
    const GUESSES: usize = 4;
    for round in 0..3 {
        let email = format!("target{round}@example.com");
        first.create_account(&new_account(&email, now)).unwrap();
        let barrier = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (url, email, barrier) = (db.url.clone(), email.clone(), barrier.clone());
                thread::spawn(move || {
                    let store = PgStore::open(&url).unwrap();
                    barrier.wait();
                    (0..GUESSES)
                        .filter(|_| {
                            match store
                                .gate(&email, &email, now, &SCHEDULE, Outcome::LoginThrottled)
                                .unwrap()
                            {
                                Gate::Open(account) => {
                                    assert!(account.is_some());
                                    true
                                }
                                Gate::LockedOut(wait) => {
                                    assert_eq!(wait, SCHEDULE.base_secs);
                                    false
                                }
                            }
                        })
                        .count()
                })
            })
            .collect();
        let counted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(counted, SCHEDULE.free as usize, "round {round}");
        let row = first.throttle_row(&email).unwrap().unwrap();
        assert_eq!(row.failures, SCHEDULE.free);
        assert_eq!(row.locked_until, now + SCHEDULE.base_secs);
        let refused = first.events(&email).unwrap();
        let refused = refused
            .iter()
            .filter(|(_, o)| o == "login_throttled")
            .count();
        assert_eq!(refused, THREADS * GUESSES - counted);
    }
}

/// Two connections sign up one email at the same instant: one account, and the other one is
/// told the email is taken (the database's UNIQUE constraint decides).
#[test]
fn two_racing_signups_of_one_email_give_one_account_and_one_taken() {
    let Some(server) = server("two_racing_signups_of_one_email") else {
        return;
    };
    let db = server.fresh_db();
    let stores: Vec<Arc<PgStore>> = (0..2)
        .map(|_| Arc::new(PgStore::open(&db.url).unwrap()))
        .collect();
    const ROUNDS: usize = 20;
    for round in 0..ROUNDS {
        let email = format!("racer{round}@example.com");
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<_> = stores
            .iter()
            .map(|store| {
                let (store, email, barrier) = (store.clone(), email.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    store.create_account(&new_account(&email, 1_700_000_000))
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let created = results.iter().filter(|r| r.is_ok()).count();
        let taken = results
            .iter()
            .filter(|r| matches!(r, Err(Error::EmailTaken)))
            .count();
        assert_eq!((created, taken), (1, 1), "round {round}: {results:?}");
        let signups = stores[0].events(&email).unwrap();
        assert_eq!(signups, [(1_700_000_000, "signup".to_owned())]);
    }
    assert_eq!(stores[0].count_accounts().unwrap(), ROUNDS as i64);
}

/// Processes that open an empty database at the same moment all succeed: the one that
/// migrates holds the advisory lock, the others then find the schema current.
#[test]
fn opening_an_empty_database_from_two_processes_at_once_migrates_it_once() {
    let Some(server) = server("opening_an_empty_database_at_once") else {
        return;
    };
    for round in 0..3 {
        let db = server.fresh_db();
        let barrier = Arc::new(Barrier::new(4));
        let opened: Vec<_> = (0..4)
            .map(|_| {
                let (url, barrier) = (db.url.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    PgStore::open(&url).map(drop)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(
            opened.iter().all(Result::is_ok),
            "round {round}: {opened:?}"
        );
        let version: i64 = db
            .raw()
            .query_one("SELECT version FROM vaultty_schema", &[])
            .unwrap()
            .get(0);
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(
            db.tables("public"),
            [
                "accounts",
                "auth_events",
                "reset_codes",
                "sessions",
                "throttle",
                "vault_entries",
                "vault_keys",
                "vaultty_schema"
            ]
        );
        // And once more, as every later command does: by the quick check alone.
        assert!(PgStore::open(&db.url).unwrap().opened_by_quick_check());
    }
}

/// A schema as the migrations left it passes the quick check (one statement); every kind of
/// change that the quick check sees sends the opening to the full check, which refuses it and
/// names what changed, and the schema is left untouched. (The full check alone sees the rest:
/// constraints' names and kinds, policies while row-level security is off; it runs whenever
/// vaultty migrates or the quick check disagrees.)
#[test]
fn the_quick_check_sends_any_change_it_sees_to_the_full_check() {
    let Some(server) = server("the_quick_check_sends_any_change") else {
        return;
    };
    let db = server.fresh_db();
    let first = PgStore::open(&db.url).unwrap();
    assert!(!first.opened_by_quick_check(), "the first opening migrates");
    drop(first);
    assert!(PgStore::open(&db.url).unwrap().opened_by_quick_check());
    let mut raw = db.raw();
    let objects = |raw: &mut postgres::Client| -> i64 {
        raw.query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public'",
            &[],
        )
        .unwrap()
        .get(0)
    };
    for (change, undo, what) in [
        (
            // On a table that has PostgreSQL's own foreign-key triggers already.
            "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN NEW.expires_at := 9223372036854775807; RETURN NEW; END $$;
             CREATE TRIGGER keep BEFORE INSERT ON sessions
                 FOR EACH ROW EXECUTE FUNCTION keep();",
            "DROP TRIGGER keep ON sessions; DROP FUNCTION keep();",
            "unexpected trigger \"keep\" on table \"sessions\"",
        ),
        (
            "CREATE TABLE invoices (id bigint)",
            "DROP TABLE invoices",
            "not vaultty's (\"invoices\")",
        ),
        (
            "CREATE VIEW v AS SELECT 1 AS one",
            "DROP VIEW v",
            "not vaultty's (\"v\")",
        ),
        (
            "CREATE INDEX extra ON accounts (name)",
            "DROP INDEX extra",
            "unexpected index \"extra\" of table \"accounts\"",
        ),
        (
            "DROP INDEX sessions_expires",
            "CREATE INDEX sessions_expires ON sessions (expires_at)",
            "index \"sessions_expires\" of table \"sessions\" is missing",
        ),
        (
            "ALTER TABLE accounts ADD COLUMN hint text",
            "ALTER TABLE accounts DROP COLUMN hint",
            "unexpected column \"hint\" of table \"accounts\"",
        ),
        (
            "ALTER TABLE throttle ALTER COLUMN failures TYPE numeric",
            "ALTER TABLE throttle ALTER COLUMN failures TYPE bigint",
            "column \"failures\" of table \"throttle\" was altered",
        ),
        (
            "ALTER TABLE throttle ADD CONSTRAINT never CHECK (failures < 0) NOT VALID",
            "ALTER TABLE throttle DROP CONSTRAINT never",
            "unexpected constraint \"never\" of table \"throttle\"",
        ),
        (
            "CREATE RULE forget AS ON INSERT TO auth_events DO INSTEAD NOTHING",
            "DROP RULE forget ON auth_events",
            "unexpected rule \"forget\" on table \"auth_events\"",
        ),
        (
            "CREATE POLICY hide ON throttle USING (false);
             ALTER TABLE throttle ENABLE ROW LEVEL SECURITY",
            "DROP POLICY hide ON throttle; ALTER TABLE throttle DISABLE ROW LEVEL SECURITY",
            "unexpected policy \"hide\" on table \"throttle\"",
        ),
    ] {
        raw.batch_execute(change).unwrap();
        let before = objects(&mut raw);
        let err = PgStore::open(&db.url).unwrap_err().to_string();
        assert!(err.contains(what), "{what}: {err}");
        assert_eq!(objects(&mut raw), before, "{what}: left untouched");
        raw.batch_execute(undo).unwrap();
        PgStore::open(&db.url).unwrap_or_else(|e| panic!("after undoing {what}: {e}"));
    }
    // A trigger once dropped may leave its table flagged until VACUUM clears the flag: the
    // full check answers meanwhile, and the quick check again after.
    raw.batch_execute("VACUUM").unwrap();
    assert!(PgStore::open(&db.url).unwrap().opened_by_quick_check());
}

/// "Now" is the database server's clock, read with the schema check when the store opens and
/// then again once that reading is a second old.
#[test]
fn now_is_the_servers_clock() {
    let Some(server) = server("now_is_the_servers_clock") else {
        return;
    };
    let db = server.fresh_db();
    drop(PgStore::open(&db.url).unwrap());
    let store = PgStore::open(&db.url).unwrap();
    assert!(store.opened_by_quick_check());
    let mut raw = db.raw();
    let server_now = |raw: &mut postgres::Client| -> i64 {
        raw.query_one(
            "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint",
            &[],
        )
        .unwrap()
        .get(0)
    };
    for pause in [0, 1200, 300] {
        thread::sleep(std::time::Duration::from_millis(pause));
        let before = server_now(&mut raw);
        let now = store.now().unwrap().expect("PostgreSQL has a clock");
        let after = server_now(&mut raw);
        // A reading moved on from when its answer arrived trails the server's clock by that
        // answer's latency, so it may still show the second before `before`.
        assert!(
            before - 1 <= now && now <= after,
            "{before} - 1 <= {now} <= {after}"
        );
    }
}

/// A database that holds another application's tables is refused, and nothing is created in
/// it. A schema of vaultty's own in that database (named in the URL, as the message says)
/// works.
#[test]
fn a_database_with_foreign_tables_is_refused_and_left_untouched() {
    let Some(server) = server("a_database_with_foreign_tables") else {
        return;
    };
    let db = server.fresh_db();
    db.raw()
        .batch_execute("CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric)")
        .unwrap();
    let objects = |db: &common::TestDb| -> i64 {
        db.raw()
            .query_one(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let before = objects(&db);
    let err = PgStore::open(&db.url).unwrap_err().to_string();
    assert!(
        err.contains("holds tables that are not vaultty's")
            && err.contains("it was left untouched")
            && err.contains("\"invoices\""),
        "{err}"
    );
    assert_eq!(db.tables("public"), ["invoices"]);
    assert_eq!(objects(&db), before);

    // A table that only has one of vaultty's names is not vaultty's either.
    let other = server.fresh_db();
    other
        .raw()
        .batch_execute("CREATE TABLE accounts (id int)")
        .unwrap();
    let err = PgStore::open(&other.url).unwrap_err().to_string();
    assert!(
        err.contains("not vaultty's") && err.contains("\"accounts\""),
        "{err}"
    );
    assert_eq!(other.tables("public"), ["accounts"]);

    // The way out the message gives: a schema of vaultty's own.
    db.raw().batch_execute("CREATE SCHEMA vaultty").unwrap();
    let url = with_param(&db.url, "options=-csearch_path%3Dvaultty");
    let store = PgStore::open(&url).unwrap();
    store
        .create_account(&new_account("own@example.com", 1))
        .unwrap();
    assert_eq!(store.count_accounts().unwrap(), 1);
    assert_eq!(db.tables("public"), ["invoices"]);
    assert_eq!(
        db.tables("vaultty"),
        [
            "accounts",
            "auth_events",
            "reset_codes",
            "sessions",
            "throttle",
            "vault_entries",
            "vault_keys",
            "vaultty_schema"
        ]
    );
}

/// A schema a newer vaultty wrote is refused (with what to do), and left as it was.
#[test]
fn a_schema_from_a_newer_vaultty_is_refused() {
    let Some(server) = server("a_schema_from_a_newer_vaultty") else {
        return;
    };
    let db = server.fresh_db();
    drop(PgStore::open(&db.url).unwrap());
    db.raw()
        .execute(
            "UPDATE vaultty_schema SET version = $1",
            &[&(SCHEMA_VERSION + 1)],
        )
        .unwrap();
    let err = PgStore::open(&db.url).unwrap_err().to_string();
    assert!(
        err.contains("written by a newer vaultty") && err.contains("upgrade"),
        "{err}"
    );
    let version: i64 = db
        .raw()
        .query_one("SELECT version FROM vaultty_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, SCHEMA_VERSION + 1);
}

/// vaultty's tables changed behind its back (a trigger that forgives failures, a dropped
/// uniqueness constraint, an altered column) are refused, not used.
#[test]
fn a_store_changed_outside_vaultty_is_refused() {
    let Some(server) = server("a_store_changed_outside_vaultty") else {
        return;
    };
    let db = server.fresh_db();
    drop(PgStore::open(&db.url).unwrap());
    let mut raw = db.raw();
    for (change, undo, what) in [
        (
            "CREATE FUNCTION forgive() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN NEW.failures := 0; RETURN NEW; END $$;
             CREATE TRIGGER forgive BEFORE UPDATE ON throttle
                 FOR EACH ROW EXECUTE FUNCTION forgive();",
            "DROP TRIGGER forgive ON throttle; DROP FUNCTION forgive();",
            "unexpected trigger \"forgive\" on table \"throttle\"",
        ),
        (
            "ALTER TABLE accounts DROP CONSTRAINT accounts_email_norm_key",
            "ALTER TABLE accounts ADD CONSTRAINT accounts_email_norm_key UNIQUE (email_norm)",
            "constraint \"accounts_email_norm_key\" of table \"accounts\" is missing",
        ),
        (
            "ALTER TABLE sessions ALTER COLUMN expires_at DROP NOT NULL",
            "ALTER TABLE sessions ALTER COLUMN expires_at SET NOT NULL",
            "column \"expires_at\" of table \"sessions\" was altered",
        ),
    ] {
        raw.batch_execute(change).unwrap();
        let err = PgStore::open(&db.url).unwrap_err().to_string();
        assert!(
            err.contains("was changed outside vaultty") && err.contains(what),
            "{what}: {err}"
        );
        raw.batch_execute(undo).unwrap();
        PgStore::open(&db.url).unwrap_or_else(|e| panic!("after undoing {what}: {e}"));
    }
}

/// The store names itself by its URL without the password, and no message shows it: not a
/// refused login, a missing database, a server that is not there, or a refused TLS request.
#[test]
fn describe_and_errors_never_show_the_password() {
    let Some(server) = server("describe_and_errors_never_show_the_password") else {
        return;
    };
    let password = server.password();
    let db = server.fresh_db();
    let store = PgStore::open(&db.url).unwrap();
    let shown = store.describe();
    assert_eq!(shown, db.url.replace(&format!(":{password}@"), "@"));
    assert!(
        !shown.contains(&password) && shown.starts_with("postgres"),
        "{shown}"
    );
    assert!(!format!("{store:?}").contains(&password));

    let wrong = db
        .url
        .replace(&format!(":{password}@"), ":not-the-password-x7@");
    let err = PgStore::open(&wrong).unwrap_err().to_string();
    assert!(
        err.contains("cannot connect to the PostgreSQL server at localhost:5432")
            && err.contains(&format!("database \"{}\"", db.name))
            && err.contains("Check the user and password"),
        "{err}"
    );
    assert!(!err.contains("not-the-password-x7"), "{err}");

    let missing = common::with_dbname(&db.url, "vaultty_no_such_database");
    let err = PgStore::open(&missing).unwrap_err().to_string();
    assert!(
        err.contains("does not exist") && err.contains("createdb"),
        "{err}"
    );
    assert!(!err.contains(&password), "{err}");

    let nobody = db.url.replace("localhost:5432", "localhost:9");
    let err = PgStore::open(&nobody).unwrap_err().to_string();
    assert!(
        err.contains("localhost:9") && err.contains("Check that the server is running"),
        "{err}"
    );
    assert!(!err.contains(&password), "{err}");

    let tls = with_param(&db.url, "sslmode=require");
    let err = PgStore::open(&tls).unwrap_err().to_string();
    assert!(
        err.contains("sslmode=require") && !err.contains(&password),
        "{err}"
    );
}

/// The server closing the connection (a restart) fails one call with a message that says so;
/// the next call reconnects.
#[test]
fn a_lost_connection_is_reported_then_reopened() {
    let Some(server) = server("a_lost_connection_is_reported_then_reopened") else {
        return;
    };
    let password = server.password();
    let db = server.fresh_db();
    let store = PgStore::open(&db.url).unwrap();
    let ended: i64 = db
        .raw()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'vaultty'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(ended, 1);
    // The driver may or may not have noticed the close before the next call: that call
    // either fails with a message naming the store, or reconnects at once.
    if let Err(e) = store.count_accounts() {
        let err = e.to_string();
        assert!(!err.contains(&password), "{err}");
        assert!(err.starts_with(&store.describe()), "{err}");
        common::say(&format!("a_lost_connection: the first call said: {err}"));
    }
    assert_eq!(store.count_accounts().unwrap(), 0);
}

/// The service's whole path, through the trait: signup, the gate, a login whose session file
/// cannot be written (nothing committed), logins, session use, a password change and logout.
#[test]
fn the_service_path_through_the_trait() {
    let Some(server) = server("the_service_path_through_the_trait") else {
        return;
    };
    let db = server.fresh_db();
    let store = PgStore::open(&db.url).unwrap();
    let t0 = store.now().unwrap().expect("PostgreSQL has a clock");
    let local = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((t0 - local).abs() <= 5, "{t0} vs {local}");

    // Signup, and the same email again.
    let email = "alice@example.com";
    let (id, admin) = store.create_account(&new_account(email, t0)).unwrap();
    assert!(admin, "the first account of an empty store is its admin");
    assert!(matches!(
        store.create_account(&new_account(email, t0)),
        Err(Error::EmailTaken)
    ));
    assert_eq!(store.count_accounts().unwrap(), 1);

    // Two wrong passwords lock the email (a schedule with 2 free attempts); a third try is
    // refused unchecked; after the lock, the right password.
    let schedule = LockoutSchedule {
        free: 2,
        base_secs: 60,
        max_secs: 3600,
    };
    let mut now = t0 + 10;
    for _ in 0..2 {
        let Gate::Open(Some(account)) = store
            .gate(email, email, now, &schedule, Outcome::LoginThrottled)
            .unwrap()
        else {
            panic!("the gate should be open")
        };
        assert_eq!(account.id, id);
        store.record(now, email, Outcome::LoginFailure).unwrap();
    }
    assert_eq!(
        store
            .gate(email, email, now, &schedule, Outcome::LoginThrottled)
            .unwrap(),
        Gate::LockedOut(60)
    );
    now += 61;
    let Gate::Open(Some(account)) = store
        .gate(email, email, now, &schedule, Outcome::LoginThrottled)
        .unwrap()
    else {
        panic!("the lock should be over")
    };
    assert_eq!(
        (
            account.email.as_str(),
            account.role.as_str(),
            account.created_at,
            account.last_login_at,
            account.disabled
        ),
        (email, "admin", t0, None, false)
    );

    // The session file cannot be written: the login's transaction is not committed.
    let s1 = [1u8; 32];
    let login = |session: &[u8; 32], old: Option<&[u8; 32]>, now: i64, expires: i64| {
        let account = store.account(id).unwrap().unwrap();
        let commit = LoginCommit {
            account: &account,
            now,
            event_email: email,
            new_session: session,
            old_session: old,
            expires_at: expires,
            new_hash: Some("$argon2id$rehashed"),
            new_wrap: None,
        };
        store.commit_login(&commit, &mut || Ok(()))
    };
    let failed = store.commit_login(
        &LoginCommit {
            account: &account,
            now,
            event_email: email,
            new_session: &s1,
            old_session: None,
            expires_at: now + 100,
            new_hash: Some("$argon2id$rehashed"),
            new_wrap: None,
        },
        &mut || Err(Error::storage("session", "cannot write the session file")),
    );
    assert!(
        matches!(&failed, Err(Error::Storage { message, .. }) if message.contains("session file")),
        "{failed:?}"
    );
    assert_eq!(store.session_count(id).unwrap(), 0);
    assert_eq!(store.account(id).unwrap().unwrap(), account);
    assert_eq!(store.throttle_row(email).unwrap().unwrap().failures, 3);
    assert!(store.session(&s1).unwrap().is_none());

    // Now it works: the attempts since signup are reported, the failures forgotten, the hash
    // replaced, the session stored.
    let attempts = login(&s1, None, now, now + 100).unwrap();
    assert_eq!((attempts.failed, attempts.throttled), (2, 1));
    assert_eq!(store.throttle_row(email).unwrap(), None);
    // The gate and the login commit without waiting for the disk, by a setting of their own
    // transactions: the connection's durable commits, for the writes that follow, are intact.
    assert_eq!(
        store.session_settings().unwrap(),
        (String::from("30s"), String::from("on"))
    );
    let stored = store.account(id).unwrap().unwrap();
    assert_eq!(stored.last_login_at, Some(now));
    assert_eq!(stored.password_hash, "$argon2id$rehashed");
    let (session1, owner) = store.session(&s1).unwrap().unwrap();
    assert_eq!(owner, Some(stored.clone()));
    assert_eq!(
        (
            session1.account_id,
            session1.created_at,
            session1.last_seen_at,
            session1.expires_at
        ),
        (id, now, now, now + 100)
    );

    // Later logins: nothing new to report; one replaces s2 by s3, and one ends the expired s1.
    let (s2, s3, s4) = ([2u8; 32], [3u8; 32], [4u8; 32]);
    let a = login(&s2, None, now + 10, now + 1000).unwrap();
    assert_eq!((a.failed, a.throttled), (0, 0));
    assert_eq!(store.session(&s2).unwrap().unwrap().0.id, a.session_id);
    login(&s3, Some(&s2), now + 20, now + 1000).unwrap();
    assert!(store.session(&s2).unwrap().is_none());
    assert!(store.session(&s1).unwrap().is_some());
    login(&s4, None, now + 200, now + 1000).unwrap();
    assert!(store.session(&s1).unwrap().is_none(), "s1 expired");
    assert_eq!(store.session_count(id).unwrap(), 2);

    // Use moves last_seen forward, never back.
    let (session3, _) = store.session(&s3).unwrap().unwrap();
    store.touch_session(session3.id, now + 300).unwrap();
    store.touch_session(session3.id, now + 250).unwrap();
    assert_eq!(
        store.session(&s3).unwrap().unwrap().0.last_seen_at,
        now + 300
    );
    // Without waiting for the disk, as a login, and without changing the connection's setting.
    assert_eq!(
        store.session_settings().unwrap(),
        (String::from("30s"), String::from("on"))
    );

    // A password change keeps s4 and ends the others.
    let change = |keep: &[u8; 32], old_hash: &str| {
        store.change_password(&PasswordChange {
            account_id: id,
            email_norm: email,
            keep_session: keep,
            old_hash,
            new_hash: "$argon2id$new",
            new_wrap: None,
            now: now + 400,
            event_email: email,
        })
    };
    store
        .gate(email, email, now + 390, &schedule, Outcome::LoginThrottled)
        .unwrap();
    assert!(matches!(
        change(&[9u8; 32], "$argon2id$rehashed"),
        Err(Error::NoSession)
    ));
    assert!(matches!(
        change(&s4, "$argon2id$stale"),
        Err(Error::Internal(_))
    ));
    assert_eq!(store.throttle_row(email).unwrap().unwrap().failures, 1);
    assert_eq!(change(&s4, "$argon2id$rehashed").unwrap(), 1);
    assert_eq!(
        store.account(id).unwrap().unwrap().password_hash,
        "$argon2id$new"
    );
    assert_eq!(store.throttle_row(email).unwrap(), None);
    assert!(store.session(&s3).unwrap().is_none());

    // Logout ends the session once and records it once; end_session ends one quietly.
    assert!(store.logout(&s4, now + 500).unwrap());
    assert!(!store.logout(&s4, now + 501).unwrap());
    login(&s1, None, now + 600, now + 2000).unwrap();
    let (session, _) = store.session(&s1).unwrap().unwrap();
    store.end_session(session.id).unwrap();
    assert!(store.session(&s1).unwrap().is_none());

    let outcomes: Vec<String> = store
        .events(email)
        .unwrap()
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(
        outcomes,
        [
            "signup",
            "login_failure",
            "login_failure",
            "login_throttled",
            "login_success",
            "login_success",
            "login_success",
            "login_success",
            "password_changed",
            "logout",
            "login_success"
        ]
    );

    // A PostgreSQL store is backed up with pg_dump; nothing is written.
    let dir = std::env::temp_dir().join(format!("vaultty-pg-backup-{}", std::process::id()));
    let err = store.backup_to(&dir).unwrap_err().to_string();
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.exists());
}

/// Behind PgBouncer in session mode (what a fleet puts in front of the server so that each
/// command's connection is a warm one rather than a new server process): the store migrates,
/// signs up, gates and logs in through it, a direct connection sees the same rows, and every
/// connection has the store's own settings, including one that PgBouncer handed on after an
/// earlier client (it resets a server connection with `DISCARD ALL`). Before they were set by
/// a statement, they went as startup options, which PgBouncer refuses outright.
#[test]
fn the_store_works_behind_pgbouncer_with_its_settings_on_every_connection() {
    let test = "the_store_works_behind_pgbouncer";
    let Some(server) = server(test) else {
        return;
    };
    let db = server.fresh_db();
    let Some(pooled_url) = db.via_pgbouncer(test) else {
        return;
    };
    let settings = (String::from("30s"), String::from("on"));
    let pooled = PgStore::open(&pooled_url).unwrap();
    assert_eq!(pooled.session_settings().unwrap(), settings);
    let now = pooled.now().unwrap().expect("the server's clock");
    let (id, first) = pooled
        .create_account(&new_account("ada@example.com", now))
        .unwrap();
    assert!(first, "the first account of the store");
    let Gate::Open(Some(account)) = pooled
        .gate(
            "ada@example.com",
            "ada@example.com",
            now,
            &SCHEDULE,
            Outcome::LoginThrottled,
        )
        .unwrap()
    else {
        panic!("the gate refused, or found no account");
    };
    assert_eq!(account.id, id);
    let token = [7u8; 32];
    pooled
        .commit_login(
            &LoginCommit {
                account: &account,
                now,
                event_email: "ada@example.com",
                new_session: &token,
                old_session: None,
                expires_at: now + 900,
                new_hash: None,
                new_wrap: None,
            },
            &mut || Ok(()),
        )
        .unwrap();
    drop(pooled);
    let direct = PgStore::open(&db.url).unwrap();
    assert_eq!(direct.session_settings().unwrap(), settings);
    let (session, owner) = direct.session(&token).unwrap().expect("the session");
    assert_eq!((session.account_id, owner.map(|a| a.id)), (id, Some(id)));
    // A second client gets the server connection the first left (PgBouncer's pool has one
    // by now) and sees the same.
    let again = PgStore::open(&pooled_url).unwrap();
    assert_eq!(again.session_settings().unwrap(), settings);
    assert!(again.session(&token).unwrap().is_some());
    assert!(again.opened_by_quick_check());
}

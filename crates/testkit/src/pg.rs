//! A real PostgreSQL server for the tests: the URL of a role that may create databases comes
//! from `VAULTTY_TEST_PG_URL` (`bash .ci/run` starts the server and sets it). Each test makes
//! databases of its own, dropped at the end, so tests run in parallel.
//!
//! Without the URL a test says it was skipped and returns: it never passes silently. The
//! notices go straight to stderr, past the test harness's capture, so that they show in every
//! run (and `.ci/run` counts them).

use postgres::{Client, NoTls};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

pub const URL_VAR: &str = "VAULTTY_TEST_PG_URL";
/// A PgBouncer (session pooling) in front of that server, any database name passed on:
/// `bash .ci/run` starts one and sets it.
pub const PGBOUNCER_VAR: &str = "VAULTTY_TEST_PGBOUNCER_URL";

/// Says something in the test log, whatever the capture.
pub fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// The server without a notice (for sandboxes of a test that has said it runs).
pub fn server_quiet(test: &str) -> Option<Server> {
    let url = std::env::var(URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    Some(Server {
        admin_url: url,
        test: test
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect(),
    })
}

/// The server, or `None` (and the notice) when no URL is set.
pub fn server(test: &str) -> Option<Server> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => {
            say(&format!("postgres test ran: {test}"));
            Some(Server {
                admin_url: url,
                test: test
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(20)
                    .collect(),
            })
        }
        _ => {
            say(&format!(
                "{test}: skipped: VAULTTY_TEST_PG_URL is not set (bash .ci/run starts PostgreSQL and sets it)"
            ));
            None
        }
    }
}

pub struct Server {
    pub admin_url: String,
    test: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Server {
    /// A new, empty database, dropped when the result is.
    pub fn fresh_db(&self) -> TestDb {
        let name = format!(
            "vaultty_t_{}_{}_{}",
            self.test.to_ascii_lowercase(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = self.admin();
        // An identifier cannot be a bound parameter; the name is made of [a-z0-9_] only.
        admin
            .batch_execute(&format!(
                "CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"
            ))
            .expect("CREATE DATABASE (the role in VAULTTY_TEST_PG_URL needs CREATEDB)");
        TestDb {
            url: with_dbname(&self.admin_url, &name),
            admin_url: self.admin_url.clone(),
            name,
        }
    }

    pub fn admin(&self) -> Client {
        Client::connect(&self.admin_url, NoTls).expect("connect to VAULTTY_TEST_PG_URL")
    }

    /// The password in the URL (the tests check that no message shows it).
    pub fn password(&self) -> String {
        let rest = self.admin_url.split_once("://").unwrap().1;
        let creds = rest.split_once('@').expect("a URL with user:password@").0;
        creds
            .split_once(':')
            .expect("a URL with a password")
            .1
            .to_owned()
    }
}

/// A database of one test.
pub struct TestDb {
    /// Its URL, with the password.
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl TestDb {
    /// Its URL through the PgBouncer of [`PGBOUNCER_VAR`], or `None` (and the notice) when
    /// that is not set.
    pub fn via_pgbouncer(&self, test: &str) -> Option<String> {
        match std::env::var(PGBOUNCER_VAR) {
            Ok(url) if !url.trim().is_empty() => {
                say(&format!("pgbouncer test ran: {test}"));
                Some(with_dbname(&url, &self.name))
            }
            _ => {
                say(&format!(
                    "{test}: skipped: VAULTTY_TEST_PGBOUNCER_URL is not set (bash .ci/run starts PgBouncer and sets it)"
                ));
                None
            }
        }
    }

    /// A connection of its own, behind the store's back: for tests that tamper with the
    /// database as an outsider would.
    pub fn raw(&self) -> Client {
        Client::connect(&self.url, NoTls).expect("connect to the test database")
    }

    /// The tables of a schema, sorted.
    pub fn tables(&self, schema: &str) -> Vec<String> {
        self.raw()
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
                &[&schema],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database replaced.
pub fn with_dbname(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").expect("a postgres:// URL") + 3;
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    format!("{}/{db}{query}", &base[..end])
}

/// `url` with a query parameter added.
pub fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

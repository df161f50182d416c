//! vaultty's PostgreSQL store: the [`Storage`] trait over the synchronous `postgres` crate,
//! for lab fleets where many machines share one account store.
//!
//! Every security invariant holds by construction, as on SQLite, whatever number of
//! processes and machines use the store at once:
//! - the throttle gate is one atomic `INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING`
//!   whose lock schedule is computed in SQL, so parallel guesses never get more than the limit;
//! - an email's uniqueness comes from a UNIQUE constraint (a violation is
//!   [`Error::EmailTaken`]);
//! - "now" is the database server's clock ([`Storage::now`]), so machines with skewed clocks
//!   agree on session expiry.
//!
//! Every method is one transaction (a single statement, or `BEGIN ... COMMIT`), and every
//! value goes to the server as a bound parameter. Messages name the store by its URL without
//! the password ([`Storage::describe`]).
//!
//! The connection is not encrypted (there is no TLS support yet): vaultty connects over a Unix
//! socket or to this machine, and to another machine only if the URL says `sslmode=disable`.
//! A URL that asks for TLS (`sslmode=require`) is refused.

mod admin;
mod error;
mod migrations;
mod ops;
mod throttle;
mod url;
mod vault;

use postgres::types::Type;
use postgres::{Client, Config, NoTls, Transaction};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
// The core (moves to the core crate).
use vaultty_core::storage::Storage;
use vaultty_core::{Error, Result};

pub use migrations::LATEST as SCHEMA_VERSION;
#[cfg(feature = "test-util")]
pub use throttle::ThrottleRow;

/// How long a reading of the server's clock answers [`Storage::now`], moved on by the
/// monotonic clock: long enough for a CLI command's calls, short enough that a step of the
/// server's clock is followed within a second.
const CLOCK_REUSE: Duration = Duration::from_secs(1);

/// An open connection to a vaultty store in a PostgreSQL database.
pub struct PgStore {
    /// One connection; a method holds it for its whole transaction.
    client: Mutex<Client>,
    config: Config,
    /// For a URL naming `localhost`: the settings for ::1, tried when 127.0.0.1 does not
    /// answer (see `url::targets`).
    ipv6: Option<Config>,
    /// The URL without its password, for messages.
    shown: String,
    /// The last call failed below SQL (the connection was reset, say): the next call opens a
    /// new connection, whether or not the driver has noticed the old one is gone.
    broken: std::sync::atomic::AtomicBool,
    /// The server's clock as the schema check read it (Unix microseconds), and when the
    /// answer came: [`Storage::now`] needs no statement of its own for a while after opening.
    clock: Mutex<Option<(i64, Instant)>>,
    /// Whether opening found the schema by the quick check.
    #[cfg(feature = "test-util")]
    quick: bool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.shown).finish()
    }
}

impl PgStore {
    /// Connects to the store at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`, or a
    /// key=value connection string) and brings its schema up to date. A database that holds
    /// tables that are not vaultty's, or that a newer vaultty wrote, or whose vaultty tables
    /// were changed outside vaultty, is refused and left untouched. Two processes opening an
    /// empty database at once both succeed (migrating takes an advisory lock).
    pub fn open(url: &str) -> Result<PgStore> {
        let shown = url::redact(url);
        let (config, ipv6) = url::targets(url, &shown)?;
        // Settled by the schema check (see `settle`).
        let mut client =
            reach(&config, ipv6.as_ref()).map_err(|e| error::connect_error(&shown, &config, &e))?;
        let fail = |e: &postgres::Error| error::db_error(&shown, &config, e);
        let clock = migrations::apply(&mut client, &fail, &shown)?;
        let read_at = Instant::now();
        Ok(PgStore {
            client: Mutex::new(client),
            config,
            ipv6,
            shown,
            broken: std::sync::atomic::AtomicBool::new(false),
            clock: Mutex::new(clock.map(|us| (us, read_at))),
            #[cfg(feature = "test-util")]
            quick: clock.is_some(),
        })
    }

    /// The server's clock in Unix seconds: a reading less than [`CLOCK_REUSE`] old, moved on
    /// by this process's monotonic clock (never its wall clock), else a new reading.
    fn server_now(&self) -> Result<i64> {
        let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((us, at)) = *clock {
            let elapsed = at.elapsed();
            if elapsed < CLOCK_REUSE {
                return Ok((us + elapsed.as_micros() as i64).div_euclid(1_000_000));
            }
        }
        let us: i64 = self.single(|c| {
            c.query_typed_one(
                "SELECT floor(extract(epoch FROM pg_catalog.clock_timestamp()) * 1000000)::bigint",
                &[],
            )?
            .try_get(0)
        })?;
        *clock = Some((us, Instant::now()));
        Ok(us.div_euclid(1_000_000))
    }

    /// The connection, reconnected first if the server closed it (a restart, say).
    fn client(&self) -> Result<MutexGuard<'_, Client>> {
        let mut client = self.client.lock().unwrap_or_else(|e| e.into_inner());
        if client.is_closed() || self.broken.load(std::sync::atomic::Ordering::Relaxed) {
            *client = connect(&self.config, self.ipv6.as_ref(), &self.shown)?;
            self.broken
                .store(false, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(client)
    }

    /// Runs `f` in one transaction, committing on `Ok` (an `Err` or a panic rolls it back).
    fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        let out = f(&mut tx)?;
        tx.commit().map_err(|e| self.err(&e))?;
        Ok(out)
    }

    /// Runs `f` on the connection outside an explicit transaction: for one statement, which
    /// is a transaction of its own.
    fn single<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>) -> Result<T> {
        let mut client = self.client()?;
        f(&mut client).map_err(|e| self.err(&e))
    }

    /// A driver error as a storage error naming the store. An error without a SQLSTATE, a
    /// connection exception (class 08) or an operator's intervention (class 57: the backend
    /// was terminated, the server shuts down) is the connection's, not the statement's: the
    /// next call reconnects.
    fn err(&self, e: &postgres::Error) -> Error {
        let connection_lost = e.code().is_none_or(|c| {
            let class = &c.code()[..2.min(c.code().len())];
            class == "08" || class == "57"
        });
        if connection_lost {
            self.broken
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        error::db_error(&self.shown, &self.config, e)
    }

    fn db<T>(&self, r: Result<T, postgres::Error>) -> Result<T> {
        r.map_err(|e| self.err(&e))
    }
}

/// Connects with `config`; if nothing answered there (no SQLSTATE: refused, unreachable,
/// timed out) and the URL named `localhost`, with `ipv6`. A failure names the first answer
/// from a server if there was one (a wrong password), else the first failure.
fn connect(config: &Config, ipv6: Option<&Config>, shown: &str) -> Result<Client> {
    let mut client = reach(config, ipv6).map_err(|e| error::connect_error(shown, config, &e))?;
    settle(&mut client).map_err(|e| error::connect_error(shown, config, &e))?;
    Ok(client)
}

/// A connection to `config`'s server, else to `ipv6` (localhost's other address) when the
/// first could not be reached at all.
fn reach(config: &Config, ipv6: Option<&Config>) -> Result<Client, postgres::Error> {
    let first = match config.connect(NoTls) {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    Err(match ipv6 {
        Some(ipv6) if first.code().is_none() => match ipv6.connect(NoTls) {
            Ok(client) => return Ok(client),
            Err(second) if second.code().is_some() => second,
            Err(_) => first,
        },
        _ => first,
    })
}

/// The connection's own settings, as on SQLite (its busy timeout): a row or the migration
/// lock held elsewhere is waited for, but not forever; and every commit is durable before it
/// returns (the trait's promise for signups, logouts and password changes), whatever the
/// server's default. Set by a statement after connecting, not as startup options, which a
/// pooler such as PgBouncer refuses ("unsupported startup parameter: options"); a pooler in
/// session mode resets them (`DISCARD ALL`) before it hands the server connection on.
///
/// Opening a store sets them in the quick schema check's statement instead
/// ([`SETTINGS_SQL`] is one of its columns), which saves a round trip.
fn settle(client: &mut Client) -> Result<(), postgres::Error> {
    client.query_typed(
        &format!("SELECT {SETTINGS_SQL}"),
        &[(&lock_timeout_ms(), Type::TEXT)],
    )?;
    Ok(())
}

/// An expression that applies [`settle`]'s settings, `$1` being [`lock_timeout_ms`].
pub(crate) const SETTINGS_SQL: &str = "pg_catalog.set_config('lock_timeout', $1, false) \
     || pg_catalog.set_config('synchronous_commit', 'on', false)";

/// The `lock_timeout` of [`SETTINGS_SQL`], in milliseconds.
pub(crate) fn lock_timeout_ms() -> String {
    url::LOCK_TIMEOUT.as_millis().to_string()
}

/// Probes for tests: what the store holds, read through its own connection.
#[cfg(feature = "test-util")]
impl PgStore {
    /// Whether opening found the schema current by the quick check alone, without the full
    /// catalog check.
    pub fn opened_by_quick_check(&self) -> bool {
        self.quick
    }

    /// The connection's `lock_timeout` and `synchronous_commit`, as the server reports them.
    pub fn session_settings(&self) -> Result<(String, String)> {
        self.single(|c| {
            let r = c.query_one(
                "SELECT pg_catalog.current_setting('lock_timeout'), \
                        pg_catalog.current_setting('synchronous_commit')",
                &[],
            )?;
            Ok((r.try_get(0)?, r.try_get(1)?))
        })
    }

    /// The throttle row of an email key.
    pub fn throttle_row(&self, email_norm: &str) -> Result<Option<ThrottleRow>> {
        self.single(|c| {
            c.query_opt(
                "SELECT failures, locked_until, refused FROM throttle WHERE email_norm = $1",
                &[&email_norm],
            )?
            .map(|r| {
                Ok(ThrottleRow {
                    failures: r.try_get(0)?,
                    locked_until: r.try_get(1)?,
                    refused: r.try_get(2)?,
                })
            })
            .transpose()
        })
    }

    /// The auth events recorded for an event email, oldest first: (at, outcome).
    pub fn events(&self, email: &str) -> Result<Vec<(i64, String)>> {
        self.single(|c| {
            c.query(
                "SELECT at, outcome FROM auth_events WHERE email = $1 ORDER BY id",
                &[&email],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
        })
    }

    /// An account by id.
    pub fn account(&self, id: i64) -> Result<Option<vaultty_core::storage::AccountRecord>> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(|e| self.err(&e))?;
        self.db(ops::account_by_id(&mut tx, id))
    }

    /// How many sessions an account has.
    pub fn session_count(&self, account_id: i64) -> Result<i64> {
        self.single(|c| {
            c.query_one(
                "SELECT count(*) FROM sessions WHERE account_id = $1",
                &[&account_id],
            )?
            .try_get(0)
        })
    }
}

// `Storage` must stay implementable: the service holds stores as `Box<dyn Storage>`.
const _: fn(PgStore) -> Box<dyn Storage> = |s| Box::new(s);

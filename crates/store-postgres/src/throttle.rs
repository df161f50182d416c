//! The throttle gate as one atomic upsert: the row is read and written by one statement, so
//! no second writer, in this process or on another machine, can slip between the read and the
//! write. The same statement records a refusal or reads the account, so the whole gate is one
//! round trip to the server.

use postgres::Client;
use postgres::types::Type;
use std::sync::LazyLock;
// The core (moves to the core crate).
use vaultty_core::storage::{AccountRecord, LockoutSchedule, Outcome};

use crate::ops::{ACCOUNT_COLUMNS, NO_FLUSH_WAIT, account_from};

/// A throttle row: what the gate's upsert left in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRow {
    pub failures: i64,
    pub locked_until: i64,
    /// This attempt was refused (locked); otherwise it was counted.
    pub refused: bool,
}

/// The lock (seconds) after `f` consecutive failures, as SQL over `f` and the parameters $3
/// (free attempts), $4 (first lock) and $5 (longest lock): see [`LockoutSchedule::lockout_secs`].
/// `$4 << d` would wrap past 63 bits where Rust saturates, so a first lock above `$5 >> d`
/// gives `$5` straight away (the same number, without the overflow).
fn lockout_sql(f: &str) -> String {
    let d = format!("LEAST({f} - $3::bigint, 32)::integer");
    format!(
        "(CASE WHEN {f} < $3::bigint THEN 0::bigint
               WHEN $4::bigint > ($5::bigint >> {d}) THEN $5::bigint
               ELSE $4::bigint << {d} END)"
    )
}

/// The gate's statement: $1 the email key, $2 now, $3..$5 the schedule (see `Storage::gate`),
/// $6 the event email and $7 the outcome recorded when the attempt is refused. It returns the
/// upsert's row and, when the attempt was counted, the account (NULLs if there is none). Its
/// commit does not wait for the disk ([`NO_FLUSH_WAIT`]).
static GATE_SQL: LazyLock<String> = LazyLock::new(gate_sql);

fn gate_sql() -> String {
    // The stored lock, capped at what the schedule gives for its count from now.
    let capped = format!(
        "LEAST(t.locked_until, $2::bigint + {})",
        lockout_sql("t.failures")
    );
    let next = lockout_sql("(t.failures + 1)");
    let first = lockout_sql("1::bigint");
    format!(
        "WITH gate AS (
             INSERT INTO throttle AS t (email_norm, failures, locked_until, updated_at, refused)
             VALUES ($1::text, 1,
                     CASE WHEN {first} > 0 THEN $2::bigint + {first} ELSE 0 END,
                     $2::bigint, false)
             ON CONFLICT (email_norm) DO UPDATE SET
                 failures = CASE WHEN {capped} > $2::bigint THEN t.failures
                                 ELSE t.failures + 1 END,
                 locked_until = CASE WHEN {capped} > $2::bigint THEN {capped}
                                     WHEN {next} > 0 THEN $2::bigint + {next} ELSE 0 END,
                 refused = ({capped} > $2::bigint),
                 updated_at = $2::bigint
             RETURNING failures, locked_until, refused
         ), refusal AS (
             INSERT INTO auth_events (at, email, outcome)
             SELECT $2::bigint, $6::text, $7::text FROM gate WHERE gate.refused
         )
         SELECT gate.failures, gate.locked_until, gate.refused, {ACCOUNT_COLUMNS},
                {NO_FLUSH_WAIT}
           FROM gate LEFT JOIN accounts ON NOT gate.refused AND accounts.email_norm = $1::text"
    )
}

/// Runs the gate (one statement, so one transaction): the row it left and, unless the
/// attempt was refused, the account of the email key if there is one.
pub(crate) fn gate(
    c: &mut Client,
    email_norm: &str,
    now: i64,
    schedule: &LockoutSchedule,
    (event_email, refused): (&str, Outcome),
) -> Result<(ThrottleRow, Option<AccountRecord>), postgres::Error> {
    let row = c.query_typed_one(
        GATE_SQL.as_str(),
        &[
            (&email_norm, Type::TEXT),
            (&now, Type::INT8),
            (&schedule.free, Type::INT8),
            (&schedule.base_secs, Type::INT8),
            (&schedule.max_secs, Type::INT8),
            (&event_email, Type::TEXT),
            (&refused.as_str(), Type::TEXT),
        ],
    )?;
    let account = match row.try_get::<_, Option<i64>>(3)? {
        Some(_) => Some(account_from(&row, 3)?),
        None => None,
    };
    Ok((
        ThrottleRow {
            failures: row.try_get(0)?,
            locked_until: row.try_get(1)?,
            refused: row.try_get(2)?,
        },
        account,
    ))
}

//! The `auth_events` table, the audit log: who did what to whom and how it ended. Never a
//! secret. `email` is the target; `actor` is who acted, NULL when it is the target itself.

use rusqlite::{Connection, params};
pub use vaultty_core::storage::Outcome;
use vaultty_core::storage::{AuditEvent, AuditQuery};

/// Records an event that `actor` caused about `target` (both event emails).
pub fn record_as(
    c: &Connection,
    at: i64,
    actor: &str,
    target: &str,
    outcome: Outcome,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO auth_events (at, email, outcome, actor) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        at,
        target,
        outcome.as_str(),
        (actor != target).then_some(actor)
    ])?;
    Ok(())
}

/// Audit events, newest first.
pub fn audit(c: &Connection, q: &AuditQuery<'_>) -> rusqlite::Result<Vec<AuditEvent>> {
    // The email filter is two indexed lookups (as target, as actor); the text filter a scan
    // from the newest down, stopped by the limit.
    let sql = "SELECT id, at, coalesce(actor, email), email, outcome FROM auth_events
         WHERE (?1 IS NULL OR id IN (SELECT id FROM auth_events WHERE email = ?1
                                     UNION ALL SELECT id FROM auth_events WHERE actor = ?1))
           AND (?2 IS NULL OR instr(email, ?2) > 0 OR instr(coalesce(actor, ''), ?2) > 0)
           AND (?3 IS NULL OR id < ?3)
         ORDER BY id DESC LIMIT ?4";
    c.prepare_cached(sql)?
        .query_map(
            params![q.email, q.contains, q.before_id, q.limit as i64],
            |r| {
                Ok(AuditEvent {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    target: r.get(3)?,
                    event: r.get(4)?,
                })
            },
        )?
        .collect()
}

/// Deletes events older than `before`; how many.
pub fn prune(c: &Connection, before: i64) -> rusqlite::Result<usize> {
    c.execute("DELETE FROM auth_events WHERE at < ?1", params![before])
}

/// Records an event. `email` must already be normalized and sanitized by the caller.
pub fn record(c: &Connection, at: i64, email: &str, outcome: Outcome) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO auth_events (at, email, outcome) VALUES (?1, ?2, ?3)",
        params![at, email, outcome.as_str()],
    )?;
    Ok(())
}

/// How many failed and how many throttled logins `email` had at or after `since` (Unix
/// seconds).
pub fn refusals_since(c: &Connection, email: &str, since: i64) -> rusqlite::Result<(u64, u64)> {
    c.query_row(
        "SELECT count(*) FILTER (WHERE outcome = ?3), count(*) FILTER (WHERE outcome = ?4)
         FROM auth_events WHERE email = ?1 AND at >= ?2",
        params![
            email,
            since,
            Outcome::LoginFailure.as_str(),
            Outcome::LoginThrottled.as_str()
        ],
        |r| {
            Ok((
                r.get::<_, i64>(0)?.max(0) as u64,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        },
    )
}

//! The `auth_events` table: who tried what and how it ended. Never a secret.

use rusqlite::{Connection, params};
pub use vaultty_core::storage::Outcome;

/// Records an event. `email` must already be normalized and sanitized by the caller.
pub fn record(c: &Connection, at: i64, email: &str, outcome: Outcome) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO auth_events (at, email, outcome) VALUES (?1, ?2, ?3)",
        params![at, email, outcome.as_str()],
    )?;
    Ok(())
}

/// Events of one `outcome` for `email` at or after `since` (Unix seconds).
pub fn count_since(
    c: &Connection,
    email: &str,
    since: i64,
    outcome: Outcome,
) -> rusqlite::Result<u64> {
    c.query_row(
        "SELECT count(*) FROM auth_events WHERE email = ?1 AND at >= ?2 AND outcome = ?3",
        params![email, since, outcome.as_str()],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

//! The `throttle` table: consecutive failures per normalized email (known or not).

use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThrottleRow {
    pub failures: i64,
    pub locked_until: i64,
}

pub fn get(c: &Connection, email_norm: &str) -> rusqlite::Result<Option<ThrottleRow>> {
    c.query_row(
        "SELECT failures, locked_until FROM throttle WHERE email_norm = ?1",
        params![email_norm],
        |r| {
            Ok(ThrottleRow {
                failures: r.get(0)?,
                locked_until: r.get(1)?,
            })
        },
    )
    .optional()
}

pub fn put(c: &Connection, email_norm: &str, row: ThrottleRow, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO throttle (email_norm, failures, locked_until, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (email_norm) DO UPDATE
         SET failures = excluded.failures, locked_until = excluded.locked_until,
             updated_at = excluded.updated_at",
        params![email_norm, row.failures, row.locked_until, now],
    )?;
    Ok(())
}

pub fn clear(c: &Connection, email_norm: &str) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM throttle WHERE email_norm = ?1",
        params![email_norm],
    )?;
    Ok(())
}

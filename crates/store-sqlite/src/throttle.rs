//! The `throttle` table: consecutive failures per normalized email (known or not).

use rusqlite::{Connection, OptionalExtension, params};
use vaultty_core::storage::LockoutSchedule;

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

pub fn clear(c: &Connection, email_norm: &str) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM throttle WHERE email_norm = ?1",
        params![email_norm],
    )?;
    Ok(())
}

/// What the gate's upsert left in the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateRow {
    pub failures: i64,
    pub locked_until: i64,
    /// This attempt was refused (locked); otherwise it was counted.
    pub refused: bool,
}

/// The lock (seconds) after `f` consecutive failures, as SQL over `f` and the parameters ?3
/// (free attempts), ?4 (first lock) and ?5 (longest lock): see [`LockoutSchedule::lockout_secs`].
fn lockout_sql(f: &str) -> String {
    format!("(CASE WHEN {f} < ?3 THEN 0 ELSE min(?5, ?4 << min({f} - ?3, 32)) END)")
}

/// The throttle gate as one upsert (see `Storage::gate`): the row is read and written by one
/// statement, so no second writer can slip between the read and the write on any backend.
/// ?1 the email key, ?2 now.
pub fn gate(
    c: &Connection,
    email_norm: &str,
    now: i64,
    schedule: &LockoutSchedule,
) -> rusqlite::Result<GateRow> {
    // The stored lock, capped at what the schedule gives for its count from now.
    let capped = format!("min(locked_until, ?2 + {})", lockout_sql("failures"));
    let next = lockout_sql("failures + 1");
    let first = lockout_sql("1");
    let sql = format!(
        "INSERT INTO throttle (email_norm, failures, locked_until, updated_at, refused)
         VALUES (?1, 1, CASE WHEN {first} > 0 THEN ?2 + {first} ELSE 0 END, ?2, 0)
         ON CONFLICT (email_norm) DO UPDATE SET
             failures = CASE WHEN {capped} > ?2 THEN failures ELSE failures + 1 END,
             locked_until = CASE WHEN {capped} > ?2 THEN {capped}
                                 WHEN {next} > 0 THEN ?2 + {next} ELSE 0 END,
             refused = CASE WHEN {capped} > ?2 THEN 1 ELSE 0 END,
             updated_at = ?2
         RETURNING failures, locked_until, refused"
    );
    c.prepare_cached(&sql)?.query_row(
        params![
            email_norm,
            now,
            schedule.free,
            schedule.base_secs,
            schedule.max_secs
        ],
        |r| {
            Ok(GateRow {
                failures: r.get(0)?,
                locked_until: r.get(1)?,
                refused: r.get(2)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    /// The gate's upsert against the rule written in Rust (the code it replaced): the same
    /// answers and the same rows for a run of attempts, failures and clock jumps, including a
    /// lock written under a clock far ahead.
    #[test]
    fn the_gate_upsert_follows_the_lock_schedule() {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(
            d.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let store = Store::open_in(d.path()).unwrap();
        let schedule = LockoutSchedule {
            free: 5,
            base_secs: 60,
            max_secs: 3600,
        };
        // The model: (failures, locked_until) and the refusal, as vault.rs computed them.
        let model = |row: ThrottleRow, now: i64| -> (ThrottleRow, bool) {
            let capped = row
                .locked_until
                .min(now + schedule.lockout_secs(row.failures));
            if capped > now {
                return (
                    ThrottleRow {
                        locked_until: capped,
                        ..row
                    },
                    true,
                );
            }
            let failures = row.failures + 1;
            let lock = schedule.lockout_secs(failures);
            let locked_until = if lock > 0 { now + lock } else { 0 };
            (
                ThrottleRow {
                    failures,
                    locked_until,
                },
                false,
            )
        };
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut now = 1_700_000_000_i64;
        let mut expected = ThrottleRow::default();
        for step in 0..2000 {
            now += match next(10) {
                0 => 86_400 * 12,  // a clock far ahead
                1 => -86_400 * 12, // and back
                2..=4 => next(120) as i64,
                _ => 0,
            };
            if next(25) == 0 {
                clear(store.conn(), "a@example.com").unwrap();
                expected = ThrottleRow::default();
            }
            let got = gate(store.conn(), "a@example.com", now, &schedule).unwrap();
            let (want, refused) = model(expected, now);
            assert_eq!(
                (got.failures, got.locked_until, got.refused),
                (want.failures, want.locked_until, refused),
                "step {step} at {now}"
            );
            assert_eq!(get(store.conn(), "a@example.com").unwrap(), Some(want));
            expected = want;
        }
    }
}

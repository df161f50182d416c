//! Throttling (SECURITY.md "Decisions"): after 5 consecutive failures an email is locked for
//! 60 s, doubling with each further failure, capped at one hour; a success resets. The same
//! rule applies to emails that have no account. The stores apply it inside their gate upsert.

use crate::storage::LockoutSchedule;

/// vaultty's lock schedule.
pub const LOCKOUT_SCHEDULE: LockoutSchedule = LockoutSchedule {
    free: 5,
    base_secs: 60,
    max_secs: 3600,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_schedule() {
        let lockout_secs = |f| LOCKOUT_SCHEDULE.lockout_secs(f);
        assert_eq!(lockout_secs(0), 0);
        assert_eq!(lockout_secs(4), 0);
        assert_eq!(lockout_secs(5), 60);
        assert_eq!(lockout_secs(6), 120);
        assert_eq!(lockout_secs(7), 240);
        assert_eq!(lockout_secs(10), 1920);
        assert_eq!(lockout_secs(11), 3600);
        assert_eq!(lockout_secs(1000), 3600);
        assert_eq!(lockout_secs(i64::MAX), 3600);
        assert_eq!(lockout_secs(-3), 0);
    }
}

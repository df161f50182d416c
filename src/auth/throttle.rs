//! Throttling arithmetic (SECURITY.md "Decisions"): after 5 consecutive failures an email is
//! locked for 60 s, doubling with each further failure, capped at one hour; a success resets.
//! The same rule applies to emails that have no account.

/// Failures allowed before the first lock.
pub const FREE_ATTEMPTS: i64 = 5;
/// The first lock, in seconds.
pub const BASE_LOCK_SECS: i64 = 60;
/// The longest lock, in seconds.
pub const MAX_LOCK_SECS: i64 = 3600;

/// How long an email stays locked after its `failures`-th consecutive failure.
pub fn lock_secs(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(32) as u32;
    BASE_LOCK_SECS
        .saturating_mul(1i64 << doublings.min(62))
        .min(MAX_LOCK_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_schedule() {
        assert_eq!(lock_secs(0), 0);
        assert_eq!(lock_secs(4), 0);
        assert_eq!(lock_secs(5), 60);
        assert_eq!(lock_secs(6), 120);
        assert_eq!(lock_secs(7), 240);
        assert_eq!(lock_secs(10), 1920);
        assert_eq!(lock_secs(11), 3600);
        assert_eq!(lock_secs(1000), 3600);
        assert_eq!(lock_secs(i64::MAX), 3600);
    }
}

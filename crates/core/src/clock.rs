//! Time as Unix seconds (UTC), injectable so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in Unix seconds (UTC).
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;

    /// Whether this is the machine's real clock, which a store with a clock of its own
    /// (PostgreSQL's, shared by every machine) overrides. A test's clock is never overridden.
    fn is_wall_clock(&self) -> bool {
        false
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn is_wall_clock(&self) -> bool {
        true
    }

    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to: for tests of throttling and session expiry.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(now: i64) -> Self {
        Self(AtomicI64::new(now))
    }
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    /// The current value (same as [`Clock::now`], without importing the trait).
    pub fn now_for_test(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> i64 {
        (**self).now()
    }

    // Forwarded like `now`: without it an `Arc<dyn Clock>` (how `Options` holds the clock)
    // took the default `false`, and the service never asked a store for its clock.
    fn is_wall_clock(&self) -> bool {
        (**self).is_wall_clock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_shared_clock_says_whether_it_is_the_wall_clock() {
        let wall: Arc<dyn Clock> = Arc::new(SystemClock);
        assert!(wall.is_wall_clock());
        let manual: Arc<dyn Clock> = Arc::new(ManualClock::new(1));
        assert!(!manual.is_wall_clock());
    }
}

//! Formatting stored times (UTC Unix seconds) for people and for scripts.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// RFC 3339 in UTC, e.g. `2026-11-24T09:00:00Z`.
pub fn rfc3339(t: i64) -> String {
    Timestamp::from_second(t)
        .map(|ts| ts.to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// Date and time in `tz`, e.g. `2026-11-24 10:00 CET`.
pub fn local(t: i64, tz: &TimeZone) -> String {
    format_in(t, tz, "%Y-%m-%d %H:%M %Z")
}

/// Time of day in `tz`, e.g. `10:15 CET`.
pub fn local_time(t: i64, tz: &TimeZone) -> String {
    format_in(t, tz, "%H:%M %Z")
}

/// `t` in `tz` with a strftime format; the raw number if `t` is out of range.
fn format_in(t: i64, tz: &TimeZone, fmt: &str) -> String {
    match Timestamp::from_second(t) {
        Ok(ts) => ts.to_zoned_datetime(tz.clone()).strftime(fmt).to_string(),
        Err(_) => t.to_string(),
    }
}

/// The machine's time zone (UTC when it cannot be found).
pub fn system_tz() -> TimeZone {
    TimeZone::system()
}

/// A duration in words, rounded down: `2 h 5 min`, `14 min`, `40 s`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s >= 3600 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(local(0, &TimeZone::UTC), "1970-01-01 00:00 UTC");
        assert_eq!(local_time(3600, &TimeZone::UTC), "01:00 UTC");
        assert_eq!(local(i64::MAX, &TimeZone::UTC), i64::MAX.to_string());
        assert_eq!(duration(3725), "1 h 2 min");
        assert_eq!(duration(840), "14 min");
        assert_eq!(duration(-5), "0 s");
    }
}

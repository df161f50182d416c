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
///
/// With `TZ` unset, `/etc/localtime` is read directly and named after its symlink target
/// below `zoneinfo/`: jiff's own lookup first lists the whole zoneinfo tree to learn which
/// names exist (about 100 system calls, for every command that prints a time). `TZ`, and an
/// `/etc/localtime` that is not such a link, are left to jiff.
pub fn system_tz() -> TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Some(tz) = zone_of_link("/etc/localtime")
    {
        return tz;
    }
    TimeZone::system()
}

fn zone_of_link(path: &str) -> Option<TimeZone> {
    let target = std::fs::read_link(path).ok()?;
    let target = target.to_str()?;
    let name = &target[target.rfind("zoneinfo/")? + "zoneinfo/".len()..];
    let data = std::fs::read(path).ok()?;
    TimeZone::tzif(name, &data).ok()
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
    fn system_zone_is_the_one_jiff_finds() {
        let ours = system_tz();
        let jiffs = TimeZone::system();
        assert_eq!(ours.iana_name(), jiffs.iana_name());
        for t in [
            0,
            1_000_000_000,
            1_795_000_000,
            1_800_000_000,
            4_000_000_000,
        ] {
            assert_eq!(local(t, &ours), local(t, &jiffs), "at {t}");
        }
    }

    #[test]
    fn a_link_into_zoneinfo_names_the_zone() {
        let d = tempfile::tempdir().unwrap();
        let link = d.path().join("localtime");
        // Any real zone file will do; UTC is present wherever zoneinfo is.
        let Ok(_) = std::fs::metadata("/usr/share/zoneinfo/Etc/UTC") else {
            assert!(zone_of_link(link.to_str().unwrap()).is_none());
            return;
        };
        std::os::unix::fs::symlink("/usr/share/zoneinfo/Etc/UTC", &link).unwrap();
        let tz = zone_of_link(link.to_str().unwrap()).unwrap();
        assert_eq!(tz.iana_name(), Some("Etc/UTC"));
        assert_eq!(local(0, &tz), "1970-01-01 00:00 UTC");
        // not a link: left to jiff
        let plain = d.path().join("plain");
        std::fs::copy("/usr/share/zoneinfo/Etc/UTC", &plain).unwrap();
        assert!(zone_of_link(plain.to_str().unwrap()).is_none());
    }

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

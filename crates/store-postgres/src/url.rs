//! The store URL: parsing it into the driver's settings, the form messages show (never with
//! its password), and which connections vaultty makes without TLS.

use postgres::Config;
use postgres::config::{Host, SslMode};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;
// The core (moves to the core crate).
use vaultty_core::{Error, Result};

/// How long a connection attempt may take when the URL does not say (`connect_timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a statement waits for a lock another connection holds before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// Where libpq looks for the server's Unix socket when the URL names no host (Debian's
/// directory first, then the upstream default).
const SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

/// The store URL as messages show it: the URL as given, without any password (in the user
/// part or as a `password` parameter). A key=value connection string is shown as a URL rebuilt
/// from its settings.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = split_scheme(url) else {
        return match url.parse::<Config>() {
            Ok(c) => rebuild(&c),
            // Unreadable: show nothing of it, it may hold a password.
            Err(_) => "the PostgreSQL store URL".to_owned(),
        };
    };
    // As the driver reads it: the credentials are everything before the first '@', the
    // password everything after the first ':' in them.
    let (creds, rest) = match rest.find('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let mut out = String::from(scheme);
    if let Some(creds) = creds {
        out.push_str(creds.split(':').next().unwrap_or(""));
        out.push('@');
    }
    match rest.split_once('?') {
        None => out.push_str(rest),
        Some((base, query)) => {
            out.push_str(base);
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| {
                    let key = p.split('=').next().unwrap_or("");
                    percent_decode(key) != "password"
                })
                .collect();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
    }
    out
}

fn split_scheme(url: &str) -> Option<(&str, &str)> {
    ["postgres://", "postgresql://"]
        .into_iter()
        .find_map(|p| url.strip_prefix(p).map(|rest| (p, rest)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL from parsed settings, without the password.
fn rebuild(c: &Config) -> String {
    let mut out = String::from("postgres://");
    if let Some(u) = c.get_user() {
        out.push_str(u);
        out.push('@');
    }
    out.push_str(&hosts_text(c));
    out.push('/');
    out.push_str(c.get_dbname().unwrap_or(""));
    out
}

/// "localhost:5432", "/var/run/postgresql" or a comma-separated list of them.
pub fn hosts_text(c: &Config) -> String {
    let ports = c.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let hosts: Vec<String> = if c.get_hosts().is_empty() {
        c.get_hostaddrs()
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{a}:{}", port(i)))
            .collect()
    } else {
        c.get_hosts()
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                Host::Tcp(name) => format!("{name}:{}", port(i)),
                Host::Unix(dir) => format!("{} (port {})", dir.display(), port(i)),
            })
            .collect()
    };
    hosts.join(",")
}

/// The connection settings of the store URL (see [`targets`]).
#[cfg(test)]
pub fn config(url: &str, shown: &str) -> Result<Config> {
    targets(url, shown).map(|(c, _)| c)
}

/// Parses the store URL into connection settings, refusing what vaultty cannot honour: TLS
/// (`sslmode=require`) and, unless the URL says `sslmode=disable`, an unencrypted connection to
/// another machine. Fills in what libpq would: the Unix socket when no host is named, and a
/// connect timeout. For `localhost`, the settings for 127.0.0.1 and those for ::1 (see
/// [`pin_localhost`]). Errors name the URL without its password (`shown`).
pub fn targets(url: &str, shown: &str) -> Result<(Config, Option<Config>)> {
    let mut c: Config = url.parse().map_err(|e| {
        let hint = if url.contains("sslmode=verify") {
            "vaultty does not support TLS yet (sslmode=verify-ca/verify-full). Connect over a \
             Unix socket or to localhost (an SSH tunnel to the server, for one)."
        } else {
            "Write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special \
             characters in the password)."
        };
        Error::storage(
            shown,
            format!(
                "is not a valid PostgreSQL store URL ({}). {hint}",
                error_text(&e)
            ),
        )
    })?;
    if c.get_ssl_mode() == SslMode::Require {
        return Err(Error::storage(
            shown,
            "asks for TLS (sslmode=require), which vaultty does not support yet; nothing was \
             connected. Connect over a Unix socket or to localhost (an SSH tunnel to the server, \
             for one), or remove sslmode=require on a network you trust.",
        ));
    }
    if c.get_hosts().is_empty() && c.get_hostaddrs().is_empty() {
        let dir = SOCKET_DIRS
            .into_iter()
            .find(|d| Path::new(d).is_dir())
            .unwrap_or(SOCKET_DIRS[0]);
        c.host_path(dir);
    }
    if c.get_ssl_mode() != SslMode::Disable
        && let Some(remote) = remote_host(&c)
    {
        return Err(Error::storage(
            shown,
            format!(
                "names {remote}, another machine, and vaultty does not support TLS yet: the \
                 connection would not be encrypted, so vaultty did not connect. Use a Unix \
                 socket or localhost (an SSH tunnel to the server, for one), or add \
                 sslmode=disable to the URL to accept an unencrypted connection on a network \
                 you trust."
            ),
        ));
    }
    if c.get_connect_timeout().is_none() {
        c.connect_timeout(CONNECT_TIMEOUT);
    }
    if c.get_application_name().is_none() {
        c.application_name("vaultty");
    }
    // No TLS is attempted (there is no TLS connector); say so rather than "prefer".
    c.ssl_mode(SslMode::Disable);
    let ipv6 = pin_localhost(&mut c);
    Ok((c, ipv6))
}

/// A URL naming `localhost` (one host, one port at most, no `hostaddr`) connects to the
/// loopback address itself, without asking the resolver: these settings with `hostaddr`
/// 127.0.0.1, and the same with ::1, which [`crate::PgStore`] tries when 127.0.0.1 does not
/// answer at all. The TLS check takes `localhost` for this machine by its name, and this makes
/// it so: a resolver could answer with another machine (no `localhost` line in /etc/hosts, a
/// DNS search domain). It also spares every command a resolver thread and NSS's files
/// (0.4 ms of a `whoami`).
fn pin_localhost(c: &mut Config) -> Option<Config> {
    let localhost =
        matches!(c.get_hosts(), [Host::Tcp(name)] if name.eq_ignore_ascii_case("localhost"));
    if !localhost || !c.get_hostaddrs().is_empty() || c.get_ports().len() > 1 {
        return None;
    }
    let mut ipv6 = c.clone();
    ipv6.hostaddr(IpAddr::from(std::net::Ipv6Addr::LOCALHOST));
    c.hostaddr(IpAddr::from([127, 0, 0, 1]));
    Some(ipv6)
}

/// The first host that is neither a Unix socket nor this machine (by name or loopback
/// address).
fn remote_host(c: &Config) -> Option<String> {
    let local_name = |name: &str| {
        name.eq_ignore_ascii_case("localhost")
            || name
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|a| a.is_loopback())
    };
    if !c.get_hostaddrs().is_empty() {
        // hostaddr is where the connection goes; host is only a name then.
        return c
            .get_hostaddrs()
            .iter()
            .find(|a| !a.is_loopback())
            .map(ToString::to_string);
    }
    c.get_hosts().iter().find_map(|h| match h {
        Host::Tcp(name) if !local_name(name) => Some(name.clone()),
        _ => None,
    })
}

/// A driver error as text: the server's message for a database error (the message only: a
/// DETAIL can quote row values), otherwise the driver's category and its causes.
pub fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_owned();
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_drops_the_password_and_keeps_the_rest() {
        for (url, want) in [
            (
                "postgres://vaultty:s3cret@localhost/vaultty",
                "postgres://vaultty@localhost/vaultty",
            ),
            (
                "postgresql://vaultty:p%40ss:word@db.example:5433/v?sslmode=disable",
                "postgresql://vaultty@db.example:5433/v?sslmode=disable",
            ),
            (
                "postgres://vaultty@localhost/v?password=s3cret&application_name=x",
                "postgres://vaultty@localhost/v?application_name=x",
            ),
            (
                "postgres://localhost/v?pass%77ord=s3cret",
                "postgres://localhost/v",
            ),
            ("postgres:///vaultty", "postgres:///vaultty"),
            (
                "host=localhost user=vaultty password='s3 cret' dbname=v",
                "postgres://vaultty@localhost:5432/v",
            ),
            (
                "host=localhost password='unterminated",
                "the PostgreSQL store URL",
            ),
        ] {
            let got = redact(url);
            assert_eq!(got, want, "{url}");
            assert!(!got.contains("s3") && !got.contains("word"), "{got}");
        }
    }

    #[test]
    fn tls_and_remote_hosts_are_refused_with_a_reason() {
        let err = |url: &str| config(url, &redact(url)).unwrap_err().to_string();
        let e = err("postgres://u:s3cret@localhost/v?sslmode=require");
        assert!(
            e.contains("sslmode=require") && !e.contains("s3cret"),
            "{e}"
        );
        let e = err("postgres://u:s3cret@localhost/v?sslmode=verify-full");
        assert!(
            e.contains("does not support TLS") && !e.contains("s3cret"),
            "{e}"
        );
        let e = err("postgres://u:s3cret@db.example/v");
        assert!(
            e.contains("db.example") && e.contains("sslmode=disable"),
            "{e}"
        );
        assert!(!e.contains("s3cret"), "{e}");
        let e = err("postgres://u:s3cret@localhost:notaport/v");
        assert!(e.contains("not a valid PostgreSQL store URL"), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
        // localhost goes to the loopback addresses, without the resolver; other hosts as given.
        let (c, ipv6) = targets("postgres://u:p@LocalHost:5433/v", "shown").unwrap();
        assert_eq!(c.get_hostaddrs(), [IpAddr::from([127, 0, 0, 1])]);
        let ipv6 = ipv6.expect("::1 after 127.0.0.1");
        assert_eq!(ipv6.get_hostaddrs(), ["::1".parse::<IpAddr>().unwrap()]);
        for c in [&c, &ipv6] {
            assert_eq!(c.get_ports(), [5433]);
            assert_eq!(hosts_text(c), "LocalHost:5433");
            assert_eq!(c.get_options(), None);
        }
        for unpinned in [
            "postgres://u:p@127.0.0.1/v",
            "host=localhost hostaddr=127.0.0.2 user=u dbname=v",
            "postgres://u:p@localhost:5432,localhost:5433/v",
            "postgres://u@%2Fvar%2Frun%2Fpostgresql/v",
        ] {
            let (c, ipv6) = targets(unpinned, "shown").unwrap();
            assert!(ipv6.is_none(), "{unpinned}");
            assert!(
                !c.get_hostaddrs().contains(&IpAddr::from([127, 0, 0, 1])),
                "{unpinned}"
            );
        }
        for ok in [
            "postgres://u:p@localhost/v",
            "postgres://u:p@127.0.0.1:5433/v",
            "postgres://u:p@[::1]/v",
            "postgres://u@%2Fvar%2Frun%2Fpostgresql/v",
            "postgres:///v",
            "postgres://u:p@db.example/v?sslmode=disable",
        ] {
            let c = config(ok, &redact(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!c.get_hosts().is_empty(), "{ok}");
            assert_eq!(c.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
            assert_eq!(c.get_options(), None);
        }
        let c = config(
            "postgres://u@localhost/v?options=-csearch_path%3Dvaultty",
            "shown",
        )
        .unwrap();
        assert_eq!(c.get_options(), Some("-csearch_path=vaultty"));
    }
}

//! The store-dependent part of a login, timed without Argon2's run-to-run noise, alternating
//! between two stores (figure 4a); formerly `examples/login_overhead.rs`.
//!
//! A CLI login is process start + store work + one Argon2 verification + output. Only the store
//! work can depend on how many accounts the store holds, and at the default parameters the
//! verification's noise (several ms) buries it. So this times, in one process, exactly what a
//! `vaultty login` does with the store: open (WAL index, migrations check), `login` (throttle
//! transaction, account lookup, verification, session transaction, session file written and
//! synced), and the close. The verification uses an account signed up here with
//! `HashParams::insecure_for_tests(8, 1, 1)` (8 KiB, about 20 µs), so what remains is the
//! overhead; the account and its session file (`overhead-session`, not the CLI's `session`)
//! are this tool's own.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vaultty::{Error, HashParams, Options, Password};

const EMAIL: &str = "overhead@bench.example";
const PASSWORD: &str = "quartz lantern mosaic oyster 9";

fn options(dir: &Path) -> Options {
    Options {
        hash: HashParams::insecure_for_tests(8, 1, 1),
        token_file: Some(dir.join("overhead-session")),
        ..Options::default()
    }
}

fn login_once(dir: &Path) -> Result<Duration, String> {
    let t0 = Instant::now();
    let v = vaultty::open_at(dir, None, options(dir)).map_err(|e| e.to_string())?;
    v.login(EMAIL, &Password::from(PASSWORD))
        .map_err(|e| e.to_string())?;
    drop(v);
    Ok(t0.elapsed())
}

/// `rounds` pairs (time on store A, time on store B), each round in alternating order.
pub fn run(rounds: usize, dirs: &[PathBuf; 2]) -> Result<Vec<(Duration, Duration)>, String> {
    for d in dirs {
        let v = vaultty::open_at(d, None, options(d)).map_err(|e| e.to_string())?;
        match v.signup(EMAIL, "Overhead Bench", &Password::from(PASSWORD)) {
            Ok(_) | Err(Error::EmailTaken) => {}
            Err(e) => return Err(format!("{}: {e}", d.display())),
        }
        login_once(d)?; // warm-up
    }
    let mut out = Vec::with_capacity(rounds);
    for r in 0..rounds {
        out.push(if r % 2 == 0 {
            let a = login_once(&dirs[0])?;
            (a, login_once(&dirs[1])?)
        } else {
            let b = login_once(&dirs[1])?;
            (login_once(&dirs[0])?, b)
        });
    }
    Ok(out)
}

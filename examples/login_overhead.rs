//! Benchmark tool (not part of the product): the store-dependent part of a login, timed
//! without Argon2's run-to-run noise, alternating between two stores.
//!
//! A CLI login is process start + store work + one Argon2 verification + output. Only the store
//! work can depend on how many accounts the store holds, and at the default parameters the
//! verification's noise (several ms) buries it. So this tool times, in one process, exactly
//! what a `vaultty login` does with the store: `Accounts::open_with` (open, WAL index,
//! migrations check), `login` (throttle transaction, account lookup, verification, session
//! transaction, session file written and synced), and the close. The verification uses an
//! account signed up by this tool with `HashParams::insecure_for_tests(8, 1, 1)` (8 KiB, about
//! 20 µs), so what remains is the overhead; the account and its session file
//! (`overhead-session`, not the CLI's `session`) are the tool's own.
//!
//! Usage: `login_overhead --rounds N DIR_A DIR_B`. Each round logs in once on each store, in
//! alternating order, and prints `<ns on A> <ns on B>`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
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

fn login_once(dir: &Path) -> Result<u128, String> {
    let t0 = Instant::now();
    let v = vaultty::open_with(dir, options(dir)).map_err(|e| e.to_string())?;
    v.login(EMAIL, &Password::from(PASSWORD))
        .map_err(|e| e.to_string())?;
    drop(v);
    Ok(t0.elapsed().as_nanos())
}

fn run(rounds: u32, dirs: &[PathBuf; 2]) -> Result<(), String> {
    for d in dirs {
        let v = vaultty::open_with(d, options(d)).map_err(|e| e.to_string())?;
        match v.signup(EMAIL, "Overhead Bench", &Password::from(PASSWORD)) {
            Ok(_) | Err(Error::EmailTaken) => {}
            Err(e) => return Err(format!("{}: {e}", d.display())),
        }
        login_once(d)?; // warm-up
    }
    for r in 0..rounds {
        let (a, b) = if r % 2 == 0 {
            let a = login_once(&dirs[0])?;
            (a, login_once(&dirs[1])?)
        } else {
            let b = login_once(&dirs[1])?;
            (login_once(&dirs[0])?, b)
        };
        println!("{a} {b}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut rounds = None;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()),
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    let (Some(rounds), Ok(dirs)) = (rounds, <[PathBuf; 2]>::try_from(dirs)) else {
        eprintln!("usage: login_overhead --rounds N DIR_A DIR_B");
        return ExitCode::from(2);
    };
    match run(rounds, &dirs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("login_overhead: {e}");
            ExitCode::from(1)
        }
    }
}

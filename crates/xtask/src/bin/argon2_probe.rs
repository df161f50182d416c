//! Benchmark probe (not part of the product), formerly `examples/argon2_probe.rs`: vaultty's
//! Argon2id verification in a process of its own, for the bench's references.
//!
//! - `argon2_probe --once PHC`: one `Hasher::verify` (fresh memory, as the CLI runs it) of the
//!   probe password against PHC in a new process, printing `<wall ns> <process CPU ns>` of the
//!   verification alone: what a CLI login's verification costs, with the first-verification
//!   costs of a new process (thread pool start, cold caches) and nothing else. Figure 3
//!   subtracts it from a login; figure 6's reference runs two of these side by side.
//! - `argon2_probe --hash M T P`: prints the PHC string of the probe password at m = M KiB,
//!   t = T, p = P (for `--once`).
//!
//! The pre-refactor commit's `examples/argon2_probe` speaks the same `--once` protocol, so
//! the bench runs each build's own probe. Its long-running modes (`verify_in`, the 4 KiB-page
//! `verify_mmap` experiment) served research whose results BENCHMARKS.md records; they are in
//! commit `f8363d7`.

use std::process::ExitCode;
use std::time::Instant;
use vaultty::auth::hashing::{Hasher, Verified};
use vaultty::{HashParams, Password};

/// The probe's password (the bench signs its accounts up with the same one).
const PASSWORD: &str = "correct horse battery staple lamp";

/// CPU time of the whole process (every thread, user + system), in nanoseconds.
fn process_cpu_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_PROCESS_CPUTIME_ID is always available
    // on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

fn once(phc: &str) -> Result<String, String> {
    let hasher = Hasher::new(HashParams::DEFAULT);
    let pw = Password::from(PASSWORD);
    let (cpu0, t0) = (process_cpu_ns(), Instant::now());
    let v = hasher.verify(&pw, phc);
    let (wall, cpu) = (t0.elapsed().as_nanos(), process_cpu_ns() - cpu0);
    match v {
        Verified::Match { .. } => Ok(format!("{wall} {cpu}")),
        Verified::NoMatch => Err("verification did not match".to_owned()),
    }
}

fn hash(m: &str, t: &str, p: &str) -> Result<String, String> {
    let num = |s: &str| {
        s.parse::<u32>()
            .map_err(|e| format!("bad number {s:?}: {e}"))
    };
    let params = HashParams::new(num(m)?, num(t)?, num(p)?)
        .ok_or_else(|| "parameters below vaultty's floor".to_owned())?;
    Hasher::new(params).hash(&Password::from(PASSWORD))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--once", phc] => once(phc),
        ["--hash", m, t, p] => hash(m, t, p),
        _ => Err("usage: argon2_probe --once PHC | --hash M T P".to_owned()),
    };
    match r {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("argon2_probe: {e}");
            ExitCode::from(1)
        }
    }
}

//! Benchmark probe (not part of the product): a long-running process that times one
//! vaultty Argon2id verification per command, so a driver (scripts/bench/*.py) can alternate
//! vaultty with other implementations without process-spawn noise.
//!
//! Protocol, one command per line on stdin, one answer line on stdout:
//!
//! - `params M T P`: hash the probe password at m = M KiB, t = T, p = P with
//!   `Hasher::new(HashParams::new(..))` (falling back to `HashParams::insecure_for_tests` only
//!   when `HashParams::new` refuses the parameters) and prepare memory for them.
//!   Answer: `ok <phc> <new|insecure_for_tests>`.
//! - `verify`: one `Hasher::verify` (fresh memory, as the CLI runs it).
//!   Answer: `<wall ns> <process CPU ns>`.
//! - `verify_in`: one `Hasher::verify` with memory prepared by `Hasher::prepare` (as the UI runs it); the
//!   workspace is wiped afterwards, outside the timed region (the UI also wipes after
//!   answering). Answer: `<wall ns> <process CPU ns>`.
//! - `verify_mmap`: **not vaultty's current code**: the same verification with the argon2
//!   crate directly, in memory from a fresh anonymous `mmap` of ordinary 4 KiB pages (zero
//!   pages mapped lazily, faulted in during Argon2's parallel fill, `munmap`ped afterwards).
//!   It began as the experiment that led to `MappedBlocks`; `MappedBlocks` now also aligns
//!   the area to 2 MiB and asks for transparent huge pages, so this is the same path without
//!   huge pages, kept to show what they gain. Same answer format.
//! - `quit` (or end of input): exit.
//!
//! Every verification must match; a mismatch is answered `err ...`.
//!
//! One-shot mode, `argon2_probe --once PHC`: one `Hasher::verify` (fresh memory) of the probe
//! password against PHC in a fresh process, printing `<wall ns> <process CPU ns>`: the same
//! verification as in the loop above, but paying what a first verification in a new process
//! pays (thread pool start, cold caches), as the CLI's does.
//!
//! Build: `cargo build --release --example argon2_probe`

use std::io::{self, BufRead, Write};
use std::time::Instant;
use vaultty::auth::hashing::{Hasher, Verified};
use vaultty::{HashParams, Password};

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

struct Setup {
    hasher: Hasher,
    phc: String,
    /// The same parameters, with memory prepared ahead (as the UI runs it).
    prepared: Hasher,
}

fn setup(words: &[&str]) -> Result<(Setup, &'static str), String> {
    let num = |i: usize| -> Result<u32, String> {
        words
            .get(i)
            .ok_or_else(|| "usage: params M T P".to_owned())?
            .parse::<u32>()
            .map_err(|e| format!("bad number: {e}"))
    };
    let (m, t, p) = (num(1)?, num(2)?, num(3)?);
    let (params, how) = match HashParams::new(m, t, p) {
        Some(hp) => (hp, "new"),
        None => (
            HashParams::insecure_for_tests(m, t, p),
            "insecure_for_tests",
        ),
    };
    let hasher = Hasher::new(params);
    if hasher.params() != params {
        return Err(format!("Hasher refused {params:?}"));
    }
    let phc = hasher.hash(&Password::from(PASSWORD))?;
    let prepared = Hasher::new(params);
    prepared.prepare();
    Ok((
        Setup {
            hasher,
            phc,
            prepared,
        },
        how,
    ))
}

fn time_one(s: &mut Setup, prepared: bool) -> Result<String, String> {
    let pw = Password::from(PASSWORD);
    let (cpu0, t0) = (process_cpu_ns(), Instant::now());
    let v = if prepared {
        s.prepared.verify(&pw, &s.phc)
    } else {
        s.hasher.verify(&pw, &s.phc)
    };
    let (wall, cpu) = (t0.elapsed().as_nanos(), process_cpu_ns() - cpu0);
    s.prepared.wipe_prepared();
    match v {
        Verified::Match { .. } => Ok(format!("{wall} {cpu}")),
        Verified::NoMatch => Err("verification did not match".to_owned()),
    }
}

/// The `verify_mmap` experiment (see the module comment): Argon2id of the probe password with
/// the PHC string's salt and parameters, in freshly mmapped memory.
fn verify_mmap(phc: &str) -> Result<String, String> {
    use argon2::password_hash::phc::{Output, PasswordHash};
    use argon2::{Algorithm, Argon2, Block, Params, Version};

    let (cpu0, t0) = (process_cpu_ns(), Instant::now());
    let parsed = PasswordHash::new(phc).map_err(|e| e.to_string())?;
    let params = Params::try_from(&parsed).map_err(|e| e.to_string())?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err("PHC string without salt or hash".to_owned());
    };
    let n = params.block_count();
    let bytes = n * std::mem::size_of::<Block>();
    // SAFETY: a private anonymous mapping of `bytes` bytes; checked for MAP_FAILED below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err("mmap failed".to_owned());
    }
    // SAFETY: the mapping is page-aligned (Block needs 64), `bytes` long, zero-filled (a valid
    // Block is any bit pattern) and exclusively ours until the munmap below.
    let memory = unsafe { std::slice::from_raw_parts_mut(p.cast::<Block>(), n) };
    let mut out = vec![0u8; expected.len()];
    let r = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(PASSWORD.as_bytes(), salt.as_ref(), &mut out, memory);
    // SAFETY: unmaps exactly the mapping made above; `memory` is not used after this.
    unsafe { libc::munmap(p, bytes) };
    let ok = r.is_ok() && Output::new(&out).is_ok_and(|o| &o == expected);
    let (wall, cpu) = (t0.elapsed().as_nanos(), process_cpu_ns() - cpu0);
    if ok {
        Ok(format!("{wall} {cpu}"))
    } else {
        Err("verification did not match".to_owned())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, phc] = args.as_slice()
        && flag == "--once"
    {
        let mut s = Setup {
            hasher: Hasher::new(HashParams::DEFAULT),
            phc: phc.clone(),
            prepared: Hasher::new(HashParams::insecure_for_tests(8, 1, 1)),
        };
        match time_one(&mut s, false) {
            Ok(a) => println!("{a}"),
            Err(e) => {
                eprintln!("argon2_probe: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    let mut current: Option<Setup> = None;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.first().copied() {
            Some("quit") => break,
            Some("params") => match setup(&words) {
                Ok((s, how)) => {
                    let a = format!("ok {} {how}", s.phc);
                    current = Some(s);
                    Ok(a)
                }
                Err(e) => Err(e),
            },
            Some("verify_mmap") => match current.as_ref() {
                Some(s) => verify_mmap(&s.phc),
                None => Err("send `params M T P` first".to_owned()),
            },
            Some(cmd @ ("verify" | "verify_in")) => match current.as_mut() {
                Some(s) => time_one(s, cmd == "verify_in"),
                None => Err("send `params M T P` first".to_owned()),
            },
            _ => Err(format!("unknown command: {line}")),
        };
        let text = answer.unwrap_or_else(|e| format!("err {e}"));
        if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
}

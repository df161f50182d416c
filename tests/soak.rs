//! Soak: 16 worker threads spawn the real binary over and over for `VAULTTY_SOAK_SECS`
//! (default 10; the documented full run is 60), doing a random mix of signup (unique emails,
//! plus case variants of taken ones), login, whoami, passwd, logout and deliberate
//! wrong-password logins on one dedicated email, all against ONE data dir.
//!
//! The data dir has one session file, so the workers keep replacing each other's sessions:
//! that is the realistic hostile case, and the expectations allow for it (`whoami` may be 0
//! or 3; `passwd` may find another worker's session and then fails with 3, counted against
//! that account's throttle, which may then answer 4).
//!
//! Every password is unique to its account and generation, so a `passwd` can only succeed
//! on the session of the account whose password it was given: the worker that owns an
//! account always knows its current password.
//!
//! Asserted: no stderr line mentions "database is locked", "locked", "busy" or "panicked";
//! every exit code is in {0, 3, 4, 5, 6} and matches what the command can legitimately
//! answer (a login with the right password never answers 3); no lost account (every signup
//! that exited 0 logs in at the end with its latest password); `PRAGMA integrity_check` is
//! "ok" (SQLite). A summary (operations per command, exit code histograms, duration) is
//! printed. It runs once on SQLite (the data dir's file) and once on a PostgreSQL database of
//! its own (`soak_..::postgres`, skipped with a notice without `VAULTTY_TEST_PG_URL`).
//!
//! The final logins may meet a lock left by the workers' wrong guesses and mismatched
//! passwd (the throttle is doing its job); only then is that email's throttle row cleared
//! through the store, and the login retried, so the check is about the password, not the lock.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vaultty::storage::{Storage, Table};
use vaultty_testkit::{Backend, Sandbox, conformance};

const WORKERS: u64 = 16;
const TARGET_EMAIL: &str = "target@example.com";
const TARGET_NAME: &str = "Target Account";
const WRONG_PW: &str = "wrong horse battery staple lamp";
const FORBIDDEN_IN_STDERR: [&str; 4] = ["database is locked", "locked", "busy", "panicked"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Signup,
    SignupTaken,
    Login,
    Whoami,
    Passwd,
    Logout,
    WrongLogin,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Signup => "signup",
            Op::SignupTaken => "signup (taken email)",
            Op::Login => "login (right password)",
            Op::Whoami => "whoami",
            Op::Passwd => "passwd",
            Op::Logout => "logout",
            Op::WrongLogin => "login (wrong password)",
        }
    }
    /// The exit codes this command may legitimately give in this test.
    fn allowed(self) -> &'static [i32] {
        match self {
            Op::Signup => &[EXIT_OK],
            Op::SignupTaken => &[EXIT_TAKEN],
            // Right password: ok, or locked by other workers' failed passwd on our session.
            Op::Login => &[EXIT_OK, EXIT_THROTTLED],
            Op::Whoami => &[EXIT_OK, EXIT_AUTH],
            // Our session (0), another worker's session or none (3), or that one is locked (4).
            Op::Passwd => &[EXIT_OK, EXIT_AUTH, EXIT_THROTTLED],
            Op::Logout => &[EXIT_OK],
            Op::WrongLogin => &[EXIT_AUTH, EXIT_THROTTLED],
        }
    }
}

#[derive(Debug, Default)]
struct Record {
    /// (op, exit code) -> count.
    codes: BTreeMap<(Op, i32), u64>,
    /// op -> (count, total time, slowest).
    times: BTreeMap<Op, (u64, Duration, Duration)>,
    problems: Vec<String>,
}

impl Record {
    fn add(&mut self, op: Op, o: &Out, worker: u64) {
        let code = o.code().unwrap_or(-1);
        *self.codes.entry((op, code)).or_default() += 1;
        let t = self.times.entry(op).or_default();
        t.0 += 1;
        t.1 += o.elapsed;
        t.2 = t.2.max(o.elapsed);
        if !op.allowed().contains(&code) || ![0, 3, 4, 5, 6].contains(&code) {
            self.problems.push(format!(
                "worker {worker}: {}: exit status {:?} (allowed {:?})\nstderr: {}",
                op.name(),
                o.status,
                op.allowed(),
                o.err()
            ));
        }
        let err = o.err();
        for line in err.lines() {
            let lower = line.to_lowercase();
            if let Some(bad) = FORBIDDEN_IN_STDERR.iter().find(|b| lower.contains(*b)) {
                self.problems.push(format!(
                    "worker {worker}: {}: stderr mentions {bad:?}: {line}",
                    op.name()
                ));
            }
        }
    }
}

struct Worker {
    id: u64,
    dir: PathBuf,
    rng: Rng,
    /// (email, current password) of the accounts this worker created.
    accounts: Vec<(String, String)>,
    /// The account this worker logged in last (index into `accounts`).
    logged_in: Option<usize>,
    serial: u64,
    record: Record,
}

impl Worker {
    /// A password nobody else has: a good passphrase plus a tag unique to this worker and
    /// generation.
    fn fresh_password(&mut self) -> String {
        self.serial += 1;
        let base = *self.rng.pick(&GOOD_PASSWORDS);
        format!("{base} {}q{}", self.id, self.serial)
    }

    fn step(&mut self) {
        let roll = self.rng.below(100);
        let op = match roll {
            _ if self.accounts.is_empty() => Op::Signup,
            0..=11 => Op::Signup,
            12..=15 => Op::SignupTaken,
            16..=35 => Op::Login,
            36..=55 => Op::Whoami,
            56..=69 => Op::Passwd,
            70..=84 => Op::Logout,
            _ => Op::WrongLogin,
        };
        let dir = self.dir.clone();
        let o = match op {
            Op::Signup => {
                self.serial += 1;
                let email = format!("soak{}-{}@example.com", self.id, self.serial);
                let pw = self.fresh_password();
                let o = signup(&dir, &email, &format!("Soak Worker {}", self.id), &pw);
                if o.code() == Some(EXIT_OK) {
                    self.accounts.push((email, pw));
                }
                o
            }
            Op::SignupTaken => {
                let (email, _) = self.rng.pick(&self.accounts).clone();
                let pw = self.fresh_password();
                signup(&dir, &email.to_uppercase(), "Someone Else", &pw)
            }
            Op::Login => {
                let i = self.rng.below(self.accounts.len() as u64) as usize;
                let (email, pw) = self.accounts[i].clone();
                let o = login(&dir, &email, &pw);
                if o.code() == Some(EXIT_OK) {
                    self.logged_in = Some(i);
                }
                o
            }
            Op::Whoami => whoami(&dir),
            Op::Passwd => {
                // Log in first half of the time, so that some changes win the race for the
                // shared session file.
                if self.rng.percent(50) {
                    let i = self.rng.below(self.accounts.len() as u64) as usize;
                    let (email, pw) = self.accounts[i].clone();
                    let o = login(&dir, &email, &pw);
                    if o.code() == Some(EXIT_OK) {
                        self.logged_in = Some(i);
                    }
                    self.record.add(Op::Login, &o, self.id);
                }
                let i = self.logged_in.unwrap_or(0);
                let current = self.accounts[i].1.clone();
                let new = self.fresh_password();
                let o = passwd(&dir, &current, &new);
                if o.code() == Some(EXIT_OK) {
                    self.accounts[i].1 = new;
                }
                o
            }
            Op::Logout => logout(&dir),
            Op::WrongLogin => login(&dir, TARGET_EMAIL, WRONG_PW),
        };
        self.record.add(op, &o, self.id);
    }
}

fn final_login(
    dir: &Path,
    store: &dyn Storage,
    email: &str,
    pw: &str,
    lifted: &mut Vec<String>,
) -> Result<(), String> {
    let o = login(dir, email, pw);
    let o = if o.code() == Some(EXIT_THROTTLED) {
        lifted.push(email.to_owned());
        store.clear_throttle(&email.to_lowercase()).unwrap();
        login(dir, email, pw)
    } else {
        o
    };
    match o.code() {
        Some(EXIT_OK) => Ok(()),
        _ => Err(format!(
            "{email}: cannot log in with its latest password: exit status {:?}: {}",
            o.status,
            o.err().trim()
        )),
    }
}

conformance! {
    fn soak_sixteen_workers_share_one_store_without_lock_errors_or_lost_accounts() {
        soak(&Sandbox::new());
    }
}

fn soak(sb: &Sandbox) {
    let secs = env_u64("VAULTTY_SOAK_SECS", 10);
    let seed = seed_from_env("VAULTTY_SOAK_SEED");
    eprintln!(
        "soak: {WORKERS} workers for {secs} s, seed {seed:#x} (VAULTTY_SOAK_SEED to replay the \
         choices)"
    );
    let dir = sb.dir.clone();
    if let Some(url) = sb.store_url() {
        use_store(&dir, &url);
    }
    signup(&dir, TARGET_EMAIL, TARGET_NAME, PW1).expect(EXIT_OK, "signup of the target");

    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let results = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..WORKERS)
        .map(|id| {
            let dir = dir.clone();
            let results = results.clone();
            let mut rng = Rng::new(seed ^ (id + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            rng.next_u64();
            std::thread::spawn(move || {
                let mut w = Worker {
                    id,
                    dir,
                    rng,
                    accounts: Vec::new(),
                    logged_in: None,
                    serial: 0,
                    record: Record::default(),
                };
                while Instant::now() < deadline {
                    w.step();
                }
                results.lock().unwrap().push((w.accounts, w.record));
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a worker thread panicked");
    }
    let soak_time = started.elapsed();

    let mut record = Record::default();
    let mut accounts: Vec<(String, String)> = vec![(TARGET_EMAIL.to_owned(), PW1.to_owned())];
    for (acc, r) in results.lock().unwrap().drain(..) {
        accounts.extend(acc);
        for (k, v) in r.codes {
            *record.codes.entry(k).or_default() += v;
        }
        for (k, (n, total, max)) in r.times {
            let t = record.times.entry(k).or_default();
            t.0 += n;
            t.1 += total;
            t.2 = t.2.max(max);
        }
        record.problems.extend(r.problems);
    }

    // The store, then every account.
    let check_started = Instant::now();
    let ic = match sb.backend() {
        Backend::Sqlite => integrity_check(&open_db(&dir)),
        // PostgreSQL checks its constraints on every commit; there is no file to check.
        Backend::Postgres => "ok".to_owned(),
    };
    let stored = sb.inspect().count(Table::Accounts).unwrap();
    let store = sb.store().unwrap();
    let mut lifted = Vec::new();
    let lost: Vec<String> = accounts
        .iter()
        .filter_map(|(email, pw)| final_login(&dir, store.as_ref(), email, pw, &mut lifted).err())
        .collect();
    let check_time = check_started.elapsed();

    // Summary.
    eprintln!("soak: ---- summary ----");
    eprintln!(
        "soak: {WORKERS} workers, {secs} s requested, ran {soak_time:.1?}; final checks \
         {check_time:.1?}"
    );
    let total: u64 = record.codes.values().sum();
    eprintln!("soak: {total} commands");
    let mut by_op: BTreeMap<Op, Vec<String>> = BTreeMap::new();
    for ((op, code), n) in &record.codes {
        by_op
            .entry(*op)
            .or_default()
            .push(format!("exit {code}: {n}"));
    }
    for (op, v) in &by_op {
        let (n, t, max) = record.times[op];
        eprintln!(
            "soak:   {:<24} {n:>5} ops  [{}]  mean {:.0?}, max {:.0?}",
            op.name(),
            v.join(", "),
            t / n.max(1) as u32,
            max
        );
    }
    let mut hist: BTreeMap<i32, u64> = BTreeMap::new();
    for ((_, code), n) in &record.codes {
        *hist.entry(*code).or_default() += n;
    }
    eprintln!("soak: exit code histogram: {hist:?}");
    eprintln!(
        "soak: accounts: {} signed up (store has {stored}); all checked by login, {} of them \
         after lifting a throttle lock {lifted:?}",
        accounts.len(),
        lifted.len()
    );

    assert!(
        record.problems.is_empty(),
        "{} problems:\n{}",
        record.problems.len(),
        record.problems.join("\n")
    );
    assert_eq!(ic, "ok", "PRAGMA integrity_check");
    assert!(lost.is_empty(), "lost accounts:\n{}", lost.join("\n"));
    assert_eq!(
        stored as usize,
        accounts.len(),
        "every successful signup is one account, and nothing else is"
    );
    let ok = |op: Op| record.codes.get(&(op, EXIT_OK)).copied().unwrap_or(0);
    assert!(
        ok(Op::Signup) > 0 && ok(Op::Login) > 0 && ok(Op::Logout) > 0,
        "the soak did too little to prove anything: {:?}",
        record.codes
    );
}

//! Crash safety: the real binary is killed (SIGKILL) at random moments during `signup`,
//! `login`, `passwd` and `logout`, and the data dir must stay consistent.
//!
//! Each iteration spawns one command against one shared data dir, sleeps a random 0–300 ms
//! (0–600 ms for `passwd`, which hashes twice) and kills it. Argon2id at production cost takes
//! ~100–250 ms, so kills land before, during and after the hash and around the SQLite
//! transactions; a command that finishes first is simply recorded. Half of the delays are
//! instead aimed at the last 15 % of the command's typical run time (learnt from the runs
//! that completed), where the transaction commits and the session file is renamed: uniform
//! delays alone almost never hit that narrow window. A ledger keeps what every command that
//! *completed* with exit 0 did (and, for killed ones, what they may have done):
//!
//! - a completed signup must exist; a killed one may or may not (the store decides, later
//!   checks resolve it), but never half-way;
//! - a completed passwd sets the password; a killed one leaves either the old or the new one
//!   working (both are accepted). Every account has a vault, which passwd re-wraps in the same
//!   transaction: right after each passwd, killed or not, exactly one of the two passwords
//!   verifies against the stored hash and its key-encryption key opens the stored password
//!   wrapping of the data key (checked in-process through the inspection API, which also
//!   settles which password is now in effect), and every login the checks make must report
//!   the vault open (never damaged, sealed or created anew);
//! - every login or passwd attempt is counted by the throttle before the password is checked
//!   (by design), so a killed one may leave a failure counted. The ledger keeps an upper
//!   bound per email and logs in cleanly before the bound could reach the lock (5), so the
//!   run never locks itself out.
//!
//! Every iteration checks the session file (absent or whole JSON); every 25 iterations, and
//! at the end, the store is checked: `PRAGMA integrity_check` is "ok", no foreign-key
//! violations, no half-created account, no account the run never tried to create, every
//! completed signup present and (a sample every 25, all at the end) able to log in with the
//! password the ledger says; `whoami` exits 0 or 3. Leftover `.session.*` temp files (a
//! login killed between creating and renaming its temp file) are counted and reported.
//!
//! It runs on both stores (`crash_..::sqlite` on the data dir's file, `crash_..::postgres` on a
//! database of its own; the SQLite file checks apply to the first). `VAULTTY_CRASH_ITERATIONS`
//! (default 200) sets N; `VAULTTY_CRASH_SEED` replays a run (the
//! seed is printed; the operations and delays repeat, the exact kill moments depend on the
//! machine's load).

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use vaultty::auth::hashing::{Hasher, Verified};
use vaultty::storage::{Inspect, Storage};
use vaultty::vault_keys::DataKey;
use vaultty_testkit::{Backend, Sandbox, cheap_hash, conformance};

const CHECK_EVERY: u64 = 25;
/// Accounts verified by logging in at each intermediate check (all are at the end).
const SAMPLE_PER_CHECK: usize = 4;
/// Clean up the throttle count with a successful login once the upper bound reaches this:
/// the settling login (and one retry with the other candidate password) are then attempts
/// 4 and 5, both still let through (the 6th would be locked).
const SETTLE_AT: u32 = 3;
/// Kills land 0–300 ms after the spawn: one Argon2id run takes ~100–250 ms here, so that
/// spans before, during and after the hash and the transaction that follows it.
const MAX_DELAY_MS: u64 = 300;

/// The kill window for a command: `passwd` runs Argon2id twice (verify the current password,
/// hash the new one) before its transaction, so its window is twice as long; with 300 ms no
/// kill could ever land after its write.
fn max_delay_ms(cmd: &str) -> u64 {
    if cmd == "passwd" {
        2 * MAX_DELAY_MS
    } else {
        MAX_DELAY_MS
    }
}

#[derive(Debug, Clone)]
enum Pw {
    Known(&'static str),
    /// A passwd was killed: `old` or `new` (both accepted).
    Either {
        old: &'static str,
        new: &'static str,
        old_hash: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exists {
    /// Signup completed (exit 0), or the store showed the row after a killed signup.
    Yes,
    /// Signup was killed and nobody has looked yet.
    Maybe,
    /// Signup was killed before committing: the store has no row.
    No,
}

#[derive(Debug)]
struct Account {
    email: String,
    exists: Exists,
    signup_reported_ok: bool,
    pw: Pw,
    /// Upper bound of consecutive failures the throttle may have counted for this email.
    strikes: u32,
    /// Touched since it was last proven to log in.
    dirty: bool,
}

#[derive(Debug, Default)]
struct Stats {
    /// (command, outcome) -> count; outcome is "exit N" or "killed".
    outcomes: BTreeMap<(&'static str, String), u64>,
    /// Kills by delay bucket of 100 ms.
    kills_by_delay: BTreeMap<u64, u64>,
    /// Delays aimed at the end of the command (see `pick_delay`).
    aimed_delays: u64,
    /// command -> moving average of how long it takes when it completes.
    typical: BTreeMap<&'static str, Duration>,
    killed_signups_committed: u64,
    killed_signups_absent: u64,
    killed_passwd_took_effect: u64,
    /// Killed logins that had already renamed their new session file into place.
    killed_logins_wrote_session: u64,
    killed_passwd_kept_old: u64,
    /// Passwd runs after which the vault's wrapping was checked against the hash.
    vault_checks: u64,
    setup_runs: u64,
    verify_logins: u64,
    checks: u64,
    max_temp_files: usize,
}

struct Crash {
    dir: PathBuf,
    rng: Rng,
    /// A new connection to the store's inspection API (a fresh one per look, as before).
    inspect: Box<dyn Fn() -> Box<dyn Inspect>>,
    /// A new connection to the store (for the vault's keys).
    store: Box<dyn Fn() -> Box<dyn Storage>>,
    /// Verifies stored hashes at the parameters they name (its own are not used).
    hasher: Hasher,
    /// Whether the store is the data dir's SQLite file (its file-level checks apply).
    sqlite: bool,
    accounts: Vec<Account>,
    attempted: BTreeSet<String>,
    next_email: u64,
    stats: Stats,
}

impl Crash {
    fn new(
        dir: PathBuf,
        seed: u64,
        inspect: Box<dyn Fn() -> Box<dyn Inspect>>,
        store: Box<dyn Fn() -> Box<dyn Storage>>,
        sqlite: bool,
    ) -> Self {
        Crash {
            dir,
            inspect,
            store,
            hasher: Hasher::new(cheap_hash()),
            sqlite,
            rng: Rng::new(seed),
            accounts: Vec::new(),
            attempted: BTreeSet::new(),
            next_email: 0,
            stats: Stats::default(),
        }
    }

    fn note(&mut self, cmd: &'static str, o: &Out) {
        let outcome = match o.code() {
            Some(c) => format!("exit {c}"),
            None if o.killed() => "killed".to_owned(),
            None => format!("{:?}", o.status),
        };
        *self.stats.outcomes.entry((cmd, outcome)).or_default() += 1;
    }

    /// Spawns `args`, writes `stdin`, waits a random delay (see [`Crash::pick_delay`]) from
    /// the spawn and sends SIGKILL, unless the process finished first.
    fn spawn_and_kill(&mut self, cmd: &'static str, args: &[&str], stdin: &str) -> Out {
        let delay = self.pick_delay(cmd);
        let start = Instant::now();
        let mut child = vaultty(&self.dir, args).spawn().expect("spawn vaultty");
        if let Some(mut pipe) = child.stdin.take() {
            // A few bytes fit in the pipe buffer; EPIPE if it died first is fine.
            let _ = pipe.write_all(stdin.as_bytes());
        }
        // Poll until the delay is over (to learn when a command that finishes first did so);
        // std never signals a child it has already reaped, so no recycled pid is hit.
        let mut finished_after = None;
        while start.elapsed() < delay {
            if let Ok(Some(_)) = child.try_wait() {
                finished_after = Some(start.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill();
        let o = child.wait_with_output().expect("wait for vaultty");
        let out = Out {
            status: o.status,
            stdout: o.stdout,
            stderr: o.stderr,
            elapsed: finished_after.unwrap_or_else(|| start.elapsed()),
        };
        self.note(cmd, &out);
        if let (Some(_), Some(took)) = (out.code(), finished_after) {
            self.learn(cmd, took);
        }
        if out.killed() {
            *self
                .stats
                .kills_by_delay
                .entry(delay.as_millis() as u64 / 100 * 100)
                .or_default() += 1;
        }
        assert_clean_output(&out, cmd);
        out
    }

    /// How long to wait before the kill. Half of the time uniform in the command's window
    /// (see [`max_delay_ms`]); the other half aimed at the last 15 % of the command's typical
    /// run time (once one is known), where its transaction commits and the session file is
    /// renamed into place: uniform delays alone almost never land in that narrow window.
    fn pick_delay(&mut self, cmd: &'static str) -> Duration {
        if let Some(t) = self.stats.typical.get(cmd).copied()
            && self.rng.percent(50)
        {
            let t = t.as_millis() as u64;
            let from = t * 85 / 100;
            let to = t * 105 / 100;
            self.stats.aimed_delays += 1;
            return Duration::from_millis(from + self.rng.below(to - from + 1));
        }
        Duration::from_millis(self.rng.below(max_delay_ms(cmd) + 1))
    }

    /// Feeds the moving average of a command's run time with a completed run.
    fn learn(&mut self, cmd: &'static str, took: Duration) {
        let t = self.stats.typical.entry(cmd).or_insert(took);
        *t = (*t * 3 + took) / 4;
    }

    /// A command run to completion for setup or checking (not killed).
    fn clean(&mut self, o: Out) -> Out {
        self.stats.setup_runs += 1;
        assert_clean_output(&o, "setup/check command");
        o
    }

    fn hash_of(&self, email: &str) -> Option<String> {
        (self.inspect)()
            .account_by_email(&email.to_lowercase())
            .unwrap()
            .map(|a| a.password_hash)
    }

    // ---- resolving what killed commands did --------------------------------------------------

    /// Turns a `Maybe` into `Yes`/`No` by looking at the store.
    fn resolve_exists(&mut self, i: usize) {
        if self.accounts[i].exists != Exists::Maybe {
            return;
        }
        let found = self.hash_of(&self.accounts[i].email).is_some();
        let a = &mut self.accounts[i];
        if found {
            a.exists = Exists::Yes;
            a.dirty = true;
            self.stats.killed_signups_committed += 1;
        } else {
            a.exists = Exists::No;
            self.stats.killed_signups_absent += 1;
        }
    }

    /// Proves the account logs in with the ledger's password (either candidate after a
    /// killed passwd, the one the store's hash implies first) and resets its strikes. The
    /// session is then this account's.
    fn verify_login(&mut self, i: usize, why: &str) {
        let (email, candidates) = {
            let a = &self.accounts[i];
            let c = match &a.pw {
                Pw::Known(p) => vec![*p],
                Pw::Either { old, new, old_hash } => {
                    let changed = self.hash_of(&a.email).as_deref() != Some(old_hash.as_str());
                    if changed {
                        vec![*new, *old]
                    } else {
                        vec![*old, *new]
                    }
                }
            };
            (a.email.clone(), c)
        };
        let mut tried = Vec::new();
        for pw in &candidates {
            self.stats.verify_logins += 1;
            let o = login(&self.dir, &email, pw);
            let o = self.clean(o);
            match o.code() {
                Some(EXIT_OK) => {
                    let err = o.err();
                    for (said, what) in [
                        ("The vault's data failed its integrity check", "damaged"),
                        ("Your vault is sealed", "sealed"),
                        (
                            "Your vault was created",
                            "created anew (its old one was lost)",
                        ),
                    ] {
                        assert!(
                            !err.contains(said),
                            "{why}: login {email} succeeded but its vault is {what}\n\
                             stderr: {err}\nledger: {:?}",
                            self.accounts[i]
                        );
                    }
                    let a = &mut self.accounts[i];
                    if let Pw::Either { new, .. } = a.pw {
                        if *pw == new {
                            self.stats.killed_passwd_took_effect += 1;
                        } else {
                            self.stats.killed_passwd_kept_old += 1;
                        }
                    }
                    a.pw = Pw::Known(pw);
                    a.strikes = 0;
                    a.dirty = false;
                    return;
                }
                Some(EXIT_AUTH) => {
                    self.accounts[i].strikes += 1;
                    tried.push(format!("{pw:?}: exit 3: {}", o.err().trim()));
                }
                _ => panic!(
                    "{why}: login {email} exited {:?} (expected 0, or 3 for the wrong one of \
                     two candidates)\nstderr: {}\nledger: {:?}",
                    o.status,
                    o.err(),
                    self.accounts[i]
                ),
            }
        }
        panic!(
            "{why}: account {email} is lost: it cannot log in with any password it should \
             have.\nledger: {:?}\ntried: {tried:#?}",
            self.accounts[i]
        );
    }

    /// Makes account `i` ready for the next operation: resolved, a known password, and few
    /// enough strikes. Returns false when it turned out not to exist.
    fn settle(&mut self, i: usize) -> bool {
        self.resolve_exists(i);
        if self.accounts[i].exists == Exists::No {
            return false;
        }
        if matches!(self.accounts[i].pw, Pw::Either { .. }) || self.accounts[i].strikes >= SETTLE_AT
        {
            self.verify_login(i, "settling before the next operation");
        }
        true
    }

    fn known_pw(&self, i: usize) -> &'static str {
        match self.accounts[i].pw {
            Pw::Known(p) => p,
            Pw::Either { .. } => unreachable!("settle() resolves passwords first"),
        }
    }

    /// A random account that exists (settled), if any.
    fn pick_account(&mut self) -> Option<usize> {
        for _ in 0..8 {
            let live: Vec<usize> = (0..self.accounts.len())
                .filter(|&i| self.accounts[i].exists != Exists::No)
                .collect();
            if live.is_empty() {
                return None;
            }
            let i = *self.rng.pick(&live);
            if self.settle(i) {
                return Some(i);
            }
        }
        None
    }

    // ---- the killed operations ---------------------------------------------------------------

    fn op_signup(&mut self) {
        let n = self.next_email;
        self.next_email += 1;
        let email = format!("crash{n}@example.com");
        let name = format!("Crash Tester {n}");
        let pw = *self.rng.pick(&GOOD_PASSWORDS);
        self.attempted.insert(email.clone());
        let o = self.spawn_and_kill(
            "signup",
            &[
                "signup",
                "--email",
                &email,
                "--name",
                &name,
                "--password-stdin",
            ],
            &format!("{pw}\n"),
        );
        let exists = match o.code() {
            Some(EXIT_OK) => Exists::Yes,
            None if o.killed() => Exists::Maybe,
            _ => panic!(
                "signup {email}: exit status {:?}, expected 0 or killed\nstderr: {}",
                o.status,
                o.err()
            ),
        };
        self.accounts.push(Account {
            email,
            exists,
            signup_reported_ok: exists == Exists::Yes,
            pw: Pw::Known(pw),
            strikes: 0,
            dirty: true,
        });
    }

    fn op_login(&mut self) {
        let Some(i) = self.pick_account() else {
            return self.op_signup();
        };
        let email = self.accounts[i].email.clone();
        let pw = self.known_pw(i);
        let file_before = session_file_state(&self.dir);
        let o = self.spawn_and_kill(
            "login",
            &["login", "--email", &email, "--password-stdin"],
            &format!("{pw}\n"),
        );
        let a = &mut self.accounts[i];
        match o.code() {
            Some(EXIT_OK) => a.strikes = 0,
            None if o.killed() => {
                a.strikes += 1;
                a.dirty = true;
                let file_after = session_file_state(&self.dir);
                if file_after.is_ok() && file_after != file_before {
                    self.stats.killed_logins_wrote_session += 1;
                }
            }
            _ => panic!(
                "login {email} with its current password: exit status {:?}, expected 0 or \
                 killed\nstderr: {}\nledger: {a:?}",
                o.status,
                o.err()
            ),
        }
    }

    fn op_passwd(&mut self) {
        // Who is logged in? Use that account if the ledger can vouch for its password,
        // otherwise log one in cleanly.
        let who = whoami_email(&self.dir);
        self.stats.setup_runs += 1;
        let owner = who.and_then(|e| {
            self.accounts
                .iter()
                .position(|a| a.email.eq_ignore_ascii_case(&e))
        });
        let i = match owner {
            Some(i) => {
                if !self.settle(i) {
                    return;
                }
                i
            }
            None => {
                let Some(i) = self.pick_account() else {
                    return self.op_signup();
                };
                self.verify_login(i, "logging in before passwd");
                i
            }
        };
        // The session may have been replaced by settle()'s login: it is this account's then.
        let old = self.known_pw(i);
        let choices: Vec<&'static str> = GOOD_PASSWORDS
            .iter()
            .copied()
            .filter(|p| *p != old)
            .collect();
        let new = *self.rng.pick(&choices);
        let email = self.accounts[i].email.clone();
        let old_hash = self.hash_of(&email).expect("the account exists");
        let o = self.spawn_and_kill(
            "passwd",
            &["passwd", "--password-stdin"],
            &format!("{old}\n{new}\n"),
        );
        let completed = o.code() == Some(EXIT_OK);
        let a = &mut self.accounts[i];
        match o.code() {
            Some(EXIT_OK) => {
                a.pw = Pw::Known(new);
                a.strikes = 0;
                a.dirty = true;
            }
            None if o.killed() => {
                a.pw = Pw::Either { old, new, old_hash };
                a.strikes += 1;
                a.dirty = true;
            }
            _ => panic!(
                "passwd for {email} (logged in, right current password): exit status {:?}, \
                 expected 0 or killed\nstderr: {}\nledger: {a:?}",
                o.status,
                o.err()
            ),
        }
        self.check_vault_wrap(i, old, new, completed);
    }

    /// After a passwd of account `i` from `old` to `new` (`completed`: it exited 0): exactly
    /// one of the two verifies against the stored hash, and the key-encryption key it derives
    /// opens the stored password wrapping of the data key. A killed passwd is settled here:
    /// no process is left to change the outcome.
    fn check_vault_wrap(
        &mut self,
        i: usize,
        old: &'static str,
        new: &'static str,
        completed: bool,
    ) {
        self.stats.vault_checks += 1;
        let email = self.accounts[i].email.clone();
        let row = (self.inspect)()
            .account_by_email(&email.to_lowercase())
            .unwrap()
            .expect("the account exists");
        let keys = (self.store)()
            .vault_keys(row.id)
            .unwrap()
            .unwrap_or_else(|| panic!("passwd of {email}: the account has no vault"));
        let wrap = keys
            .password_wrap
            .unwrap_or_else(|| panic!("passwd of {email}: the vault was sealed"));
        let mut opens = Vec::new();
        for candidate in [old, new] {
            if let Verified::Match { kek, .. } = self
                .hasher
                .verify(&vaultty::Password::from(candidate), &row.password_hash)
            {
                let kek = kek.unwrap_or_else(|| {
                    panic!("passwd of {email}: the stored hash is not in the vault format")
                });
                assert!(
                    DataKey::unwrap(&kek, row.id, &wrap).is_ok(),
                    "passwd of {email} ({}): the password that verifies does not open the \
                     vault's wrapping: the hash and the wrapping were written apart",
                    if completed { "completed" } else { "killed" }
                );
                opens.push(candidate);
            }
        }
        let which = match opens.as_slice() {
            [one] => *one,
            _ => panic!(
                "passwd of {email} ({}): {} of the old and new passwords verify, expected \
                 exactly one",
                if completed { "completed" } else { "killed" },
                opens.len()
            ),
        };
        assert!(
            !completed || which == new,
            "passwd of {email} exited 0 but the old password is still the one in effect"
        );
        let a = &mut self.accounts[i];
        if !completed {
            if which == new {
                self.stats.killed_passwd_took_effect += 1;
            } else {
                self.stats.killed_passwd_kept_old += 1;
            }
        }
        a.pw = Pw::Known(which);
    }

    fn op_logout(&mut self) {
        let o = self.spawn_and_kill("logout", &["logout"], "");
        match o.code() {
            Some(EXIT_OK) => {}
            None if o.killed() => {}
            _ => panic!(
                "logout: exit status {:?}, expected 0 or killed\nstderr: {}",
                o.status,
                o.err()
            ),
        }
    }

    // ---- checks --------------------------------------------------------------------------

    fn check_session_file(&mut self, when: &str) {
        if let Err(e) = session_file_state(&self.dir) {
            panic!("{when}: the session file is not whole: {e}");
        }
        let temps = session_temp_files(&self.dir);
        assert!(
            !temps.iter().any(|t| t == "session"),
            "{when}: a temp file is named session"
        );
        self.stats.max_temp_files = self.stats.max_temp_files.max(temps.len());
    }

    fn check(&mut self, when: &str, all: bool) {
        self.stats.checks += 1;
        let started = Instant::now();
        self.check_session_file(when);
        {
            if self.sqlite {
                let c = open_db(&self.dir);
                let ic = integrity_check(&c);
                assert_eq!(ic, "ok", "{when}: PRAGMA integrity_check");
                assert_eq!(
                    foreign_key_violations(&c),
                    0,
                    "{when}: foreign key violations"
                );
                let half = half_created_accounts(&c);
                assert!(half.is_empty(), "{when}: half-created accounts: {half:#?}");
            }
            // PostgreSQL enforces its constraints at every commit: a killed client leaves a
            // rolled-back transaction, never half of one.
            let rows = (self.inspect)().accounts().unwrap();
            for r in &rows {
                assert!(
                    self.attempted.contains(&r.email_norm),
                    "{when}: an account nobody signed up: {r:?}"
                );
                assert_eq!(
                    r.email, r.email_norm,
                    "{when}: emails are stored as entered"
                );
                assert!(
                    common::is_stored_hash(&r.password_hash),
                    "{when}: a half-created account: {r:?}"
                );
            }
            let in_store: BTreeSet<&str> = rows.iter().map(|r| r.email_norm.as_str()).collect();
            for a in &self.accounts {
                if a.signup_reported_ok {
                    assert!(
                        in_store.contains(a.email.as_str()),
                        "{when}: signup of {} reported success but the account is gone",
                        a.email
                    );
                }
            }
        }
        for i in 0..self.accounts.len() {
            self.resolve_exists(i);
        }
        let mut targets: Vec<usize> = (0..self.accounts.len())
            .filter(|&i| self.accounts[i].exists == Exists::Yes)
            .filter(|&i| all || self.accounts[i].dirty)
            .collect();
        if !all {
            // A random sample keeps the intermediate checks cheap (each login is a hash).
            while targets.len() > SAMPLE_PER_CHECK {
                let k = self.rng.below(targets.len() as u64) as usize;
                targets.swap_remove(k);
            }
        }
        for i in targets.iter().copied() {
            self.verify_login(i, when);
        }
        let o = whoami(&self.dir);
        let o = self.clean(o);
        assert!(
            matches!(o.code(), Some(EXIT_OK | EXIT_AUTH)),
            "{when}: whoami exit status {:?}: {}",
            o.status,
            o.err()
        );
        self.check_session_file(when);
        eprintln!(
            "crash: {when}: store ok, {} accounts, {} verified by login in {:.1?}",
            self.accounts
                .iter()
                .filter(|a| a.exists == Exists::Yes)
                .count(),
            targets.len(),
            started.elapsed()
        );
    }

    fn summary(&self, iterations: u64, seed: u64, took: Duration) {
        eprintln!("crash: ---- summary ----");
        eprintln!("crash: seed {seed:#x} (VAULTTY_CRASH_SEED={seed:#x} replays the operations)");
        eprintln!("crash: {iterations} iterations in {took:.1?}");
        let mut per_cmd: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for ((cmd, outcome), n) in &self.stats.outcomes {
            per_cmd
                .entry(cmd)
                .or_default()
                .push(format!("{outcome}: {n}"));
        }
        for (cmd, v) in per_cmd {
            eprintln!("crash:   {cmd:<7} {}", v.join(", "));
        }
        let buckets: Vec<String> = self
            .stats
            .kills_by_delay
            .iter()
            .map(|(b, n)| format!("{b}-{}ms: {n}", b + 99))
            .collect();
        eprintln!(
            "crash: kills by delay: {} ({} of all delays were aimed at the end of a command)",
            buckets.join(", "),
            self.stats.aimed_delays
        );
        let typical: Vec<String> = self
            .stats
            .typical
            .iter()
            .map(|(c, t)| format!("{c} {t:.0?}"))
            .collect();
        eprintln!("crash: typical run times: {}", typical.join(", "));
        eprintln!(
            "crash: killed signups: {} committed, {} left no account; killed passwd: {} took \
             effect, {} kept the old password; killed logins that had written the session \
             file: {}; vault wrappings checked after {} passwd runs",
            self.stats.killed_signups_committed,
            self.stats.killed_signups_absent,
            self.stats.killed_passwd_took_effect,
            self.stats.killed_passwd_kept_old,
            self.stats.killed_logins_wrote_session,
            self.stats.vault_checks
        );
        eprintln!(
            "crash: accounts: {} signed up ({} reported ok); {} verification logins, {} \
             other setup/check runs, {} store checks",
            self.accounts
                .iter()
                .filter(|a| a.exists == Exists::Yes)
                .count(),
            self.accounts
                .iter()
                .filter(|a| a.signup_reported_ok)
                .count(),
            self.stats.verify_logins,
            self.stats.setup_runs,
            self.stats.checks
        );
        eprintln!(
            "crash: leftover .session.* temp files: {} at the end (max {} seen)",
            session_temp_files(&self.dir).len(),
            self.stats.max_temp_files
        );
    }
}

conformance! {
    fn crash_sigkill_at_random_moments_keeps_the_store_consistent() {
        crash(Sandbox::new());
    }
}

fn crash(sb: Sandbox) {
    let iterations = env_u64("VAULTTY_CRASH_ITERATIONS", 200);
    let seed = seed_from_env("VAULTTY_CRASH_SEED");
    eprintln!("crash: seed {seed:#x}, {iterations} iterations (VAULTTY_CRASH_SEED to replay)");
    let dir = sb.dir.clone();
    if let Some(url) = sb.store_url() {
        use_store(&dir, &url);
    }
    let sqlite = sb.backend() == Backend::Sqlite;
    let sb = std::sync::Arc::new(sb);
    let inspector = sb.clone();
    let opener = sb.clone();
    let mut t = Crash::new(
        dir.clone(),
        seed,
        Box::new(move || inspector.inspect()),
        Box::new(move || opener.store().expect("open the store")),
        sqlite,
    );
    let started = Instant::now();

    // Create the store up front: store creation racing a kill is not what this test is about
    // (it is covered by the first signups of the concurrency tests).
    create_store(&dir);

    for it in 1..=iterations {
        let roll = t.rng.below(100);
        let no_accounts = !t.accounts.iter().any(|a| a.exists != Exists::No);
        match roll {
            _ if no_accounts => t.op_signup(),
            0..=24 => t.op_signup(),
            25..=54 => t.op_login(),
            55..=79 => t.op_passwd(),
            _ => t.op_logout(),
        }
        t.check_session_file(&format!("after iteration {it}"));
        if it % CHECK_EVERY == 0 && it != iterations {
            t.check(&format!("check after {it} iterations"), false);
        }
    }
    t.check("final check", true);

    let took = started.elapsed();
    t.summary(iterations, seed, took);
    let killed_logins = t
        .stats
        .outcomes
        .get(&("login", "killed".to_owned()))
        .copied()
        .unwrap_or(0);
    let temps = session_temp_files(&dir).len() as u64;
    assert!(
        temps <= killed_logins,
        "{temps} leftover temp files but only {killed_logins} killed logins could leave one"
    );
    let kills: u64 = t.stats.kills_by_delay.values().sum();
    assert!(
        iterations < 20 || kills > 0,
        "no command was ever killed: the test did not test anything"
    );
}

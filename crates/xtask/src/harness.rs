//! What every part of the bench shares: the builds under test, processes timed from spawn to
//! reaped exit, the wait for a quiet machine, the conditions beside each figure, statistics,
//! and the results on disk.

use serde_json::{Value, json};
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The password of every account the bench signs up (and of the probe).
pub const PASSWORD: &str = "correct horse battery staple lamp";
pub const WRONG_PASSWORD: &str = "violet tractor sings under amber rain";
pub const NEW_PASSWORD: &str = "violet tractor lantern quietly seven";
pub const REAL_NAME: &str = "Real Person";
pub const EMAIL: &str = "real@example.com";

pub type Res<T> = Result<T, String>;

/// One build of vaultty under test.
#[derive(Clone, Debug)]
pub struct Build {
    /// "before" or "after".
    pub label: &'static str,
    /// The commit it was built from (short).
    pub rev: String,
    pub vaultty: PathBuf,
    pub probe: PathBuf,
}

/// Settings from the environment (BENCHMARKS.md lists them).
#[derive(Clone, Debug)]
pub struct Config {
    pub load_limit: f64,
    pub load_poll: Duration,
    pub load_max_wait: Duration,
}

impl Config {
    pub fn from_env() -> Self {
        Config {
            load_limit: env_f64("BENCH_LOAD_LIMIT", 0.7),
            load_poll: Duration::from_secs_f64(env_f64("BENCH_LOAD_POLL", 15.0)),
            load_max_wait: Duration::from_secs_f64(env_f64("BENCH_LOAD_MAX_WAIT", 1200.0)),
        }
    }
}

pub fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Everything a part needs.
pub struct Ctx {
    pub root: PathBuf,
    /// `target/bench` (or $BENCH_OUT): results, summary, data dirs.
    pub out: PathBuf,
    pub after: Build,
    pub before: Option<Build>,
    pub cfg: Config,
    /// The command line that produced this run (for the report).
    pub command: String,
}

impl Ctx {
    /// The builds under test, the pre-refactor one first.
    pub fn builds(&self) -> Vec<&Build> {
        self.before.iter().chain([&self.after]).collect()
    }
    pub fn data(&self) -> PathBuf {
        self.out.join("data")
    }
    /// An empty directory `name` under the bench's data dir.
    pub fn fresh_dir(&self, name: &str) -> Res<PathBuf> {
        let d = self.data().join(name);
        if d.exists() {
            fs::remove_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        Ok(d)
    }
    /// A home for the processes the bench starts (no user config file applies).
    pub fn home(&self) -> PathBuf {
        self.out.join("home")
    }
}

pub fn log(msg: &str) {
    let now = jiff_free_clock();
    eprintln!("[{now}] {msg}");
}

/// HH:MM:SS (UTC) without a time zone crate.
fn jiff_free_clock() -> String {
    let s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{:02}:{:02}:{:02}", s / 3600 % 24, s / 60 % 60, s % 60)
}

pub fn utc_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M:%S UTC"])
        .output();
    match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        Err(_) => jiff_free_clock(),
    }
}

// ------------------------------------------------------------------------------- processes

/// One finished process: exit code, wall time from just before the spawn to the reaped exit,
/// and its CPU time (user + system, from wait4's rusage).
#[derive(Debug)]
pub struct Run {
    pub rc: i32,
    pub wall: Duration,
    pub cpu: Duration,
    pub stdout: String,
    pub stderr: String,
}

/// The environment of the processes under test: no data dir, store or config from the
/// caller's environment, a home of the bench's own, no glibc tunables.
pub fn clean_command(ctx: &Ctx, program: &Path) -> Command {
    let mut c = Command::new(program);
    for var in [
        "VAULTTY_DATA_DIR",
        "VAULTTY_STORE",
        "VAULTTY_CONFIG",
        "VAULTTY_TEST_CRASH",
        "GLIBC_TUNABLES",
        "RAYON_NUM_THREADS",
    ] {
        c.env_remove(var);
    }
    let home = ctx.home();
    let _ = fs::create_dir_all(&home);
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("TERM", "xterm-256color");
    c
}

fn rusage_cpu(ru: &libc::rusage) -> Duration {
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Waits for `pid` with wait4: (exit code or 128 + signal, CPU time).
pub fn wait4(pid: u32) -> (i32, Duration) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not reaped yet; both pointers are valid.
    let r = unsafe { libc::wait4(pid as i32, &mut status, 0, &mut ru) };
    assert_eq!(r, pid as i32, "wait4({pid})");
    let st = std::process::ExitStatus::from_raw(status);
    let rc = st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
    (rc, rusage_cpu(&ru))
}

/// A file holding `bytes`, for a child's standard input (each child opens it afresh).
pub fn stdin_file(bytes: &[u8]) -> Res<tempfile::NamedTempFile> {
    let mut f = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    f.write_all(bytes).map_err(|e| e.to_string())?;
    f.flush().map_err(|e| e.to_string())?;
    Ok(f)
}

/// Runs `program args` once with `stdin` as its standard input; see [`Run`].
pub fn run<S: AsRef<OsStr>>(ctx: &Ctx, program: &Path, args: &[S], stdin: &[u8]) -> Res<Run> {
    let input = stdin_file(stdin)?;
    let out = tempfile::tempfile().map_err(|e| e.to_string())?;
    let err = tempfile::tempfile().map_err(|e| e.to_string())?;
    let mut cmd = clean_command(ctx, program);
    cmd.args(args)
        .stdin(Stdio::from(
            fs::File::open(input.path()).map_err(|e| e.to_string())?,
        ))
        .stdout(Stdio::from(out.try_clone().map_err(|e| e.to_string())?))
        .stderr(Stdio::from(err.try_clone().map_err(|e| e.to_string())?));
    let t0 = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let (rc, cpu) = wait4(child.id());
    let wall = t0.elapsed();
    Ok(Run {
        rc,
        wall,
        cpu,
        stdout: read_back(out),
        stderr: read_back(err),
    })
}

fn read_back(mut f: fs::File) -> String {
    use std::io::{Read, Seek};
    let mut s = String::new();
    let _ = f.rewind();
    let _ = f.read_to_string(&mut s);
    s
}

/// Runs and insists on exit code `want`.
pub fn run_ok<S: AsRef<OsStr>>(
    ctx: &Ctx,
    program: &Path,
    args: &[S],
    stdin: &[u8],
    want: i32,
) -> Res<Run> {
    let r = run(ctx, program, args, stdin)?;
    if r.rc != want {
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        return Err(format!(
            "{} {}: exit {} (wanted {want}): {}",
            program.display(),
            shown.join(" "),
            r.rc,
            r.stderr.trim()
        ));
    }
    Ok(r)
}

/// `vaultty --data-dir DATA_DIR [--store STORE] ARGS` of `build`, given the bench password on
/// stdin, expected to exit 0.
fn cli_with_password(
    ctx: &Ctx,
    build: &Build,
    data_dir: &Path,
    store: Option<&str>,
    args: &[&str],
) -> Res<Run> {
    let mut all: Vec<String> = vec!["--data-dir".into(), data_dir.display().to_string()];
    if let Some(s) = store {
        all.extend(["--store".into(), s.to_owned()]);
    }
    all.extend(args.iter().map(|a| (*a).to_owned()));
    run_ok(
        ctx,
        &build.vaultty,
        &all,
        format!("{PASSWORD}\n").as_bytes(),
        0,
    )
}

/// Signs `email` up with the CLI of `build` in `data_dir` (over `store`, if given).
pub fn signup(
    ctx: &Ctx,
    build: &Build,
    data_dir: &Path,
    store: Option<&str>,
    email: &str,
    name: &str,
) -> Res<Run> {
    let args = [
        "signup",
        "--email",
        email,
        "--name",
        name,
        "--password-stdin",
    ];
    cli_with_password(ctx, build, data_dir, store, &args)
}

/// Logs `email` in with the CLI of `build` in `data_dir` (over `store`, if given).
pub fn login(
    ctx: &Ctx,
    build: &Build,
    data_dir: &Path,
    store: Option<&str>,
    email: &str,
) -> Res<Run> {
    let args = ["login", "--email", email, "--password-stdin"];
    cli_with_password(ctx, build, data_dir, store, &args)
}

/// A PHC string of the probe password at vaultty's default parameters: the vault format the
/// current build stores, or, with a `--before` build (whose probe, from before the vault, does
/// not read that format), a standard `$argon2id$` string, which every build verifies at the
/// same cost (the vault format adds only an HKDF split and a SHA-256, microseconds).
pub fn probe_phc(ctx: &Ctx) -> Res<String> {
    let p = vaultty::HashParams::DEFAULT;
    if ctx.before.is_some() {
        return vaultty::auth::hashing::Hasher::new(p).hash_phc(&vaultty::Password::from(PASSWORD));
    }
    let r = run_ok(
        ctx,
        &ctx.after.probe,
        &[
            "--hash".to_owned(),
            p.m_kib.to_string(),
            p.t.to_string(),
            p.p.to_string(),
        ],
        b"",
        0,
    )?;
    Ok(r.stdout.trim().to_owned())
}

/// One verification in a new process (`argon2_probe --once PHC`): (the whole process's run,
/// the verification's wall time measured inside it).
pub fn probe_once(ctx: &Ctx, build: &Build, phc: &str) -> Res<(Run, Duration)> {
    let r = run_ok(ctx, &build.probe, &["--once", phc], b"", 0)?;
    let inner: u64 = r
        .stdout
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("probe answered {:?}", r.stdout))?;
    Ok((r, Duration::from_nanos(inner)))
}

// ------------------------------------------------------------------------------- the machine

pub fn loadavg() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// Waits until the 1-minute load average is below the limit; what happened, for the report.
pub fn wait_for_quiet(ctx: &Ctx, part: &str) -> Value {
    let t0 = Instant::now();
    let first = loadavg();
    loop {
        let la = loadavg();
        let waited = t0.elapsed();
        if la < ctx.cfg.load_limit {
            log(&format!(
                "{part}: load {la:.2} < {} after {} s; measuring",
                ctx.cfg.load_limit,
                waited.as_secs()
            ));
            return json!({"load_before_wait": first, "load_at_start": la,
                          "waited_s": waited.as_secs(), "quiet": true});
        }
        if waited >= ctx.cfg.load_max_wait {
            log(&format!(
                "{part}: load still {la:.2} after {} s; measuring anyway (NOT quiet)",
                waited.as_secs()
            ));
            return json!({"load_before_wait": first, "load_at_start": la,
                          "waited_s": waited.as_secs(), "quiet": false});
        }
        log(&format!(
            "{part}: load {la:.2} >= {}; waiting ({} s so far)",
            ctx.cfg.load_limit,
            waited.as_secs()
        ));
        std::thread::sleep(ctx.cfg.load_poll);
    }
}

fn clk_tck() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

pub fn ncpu() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// utime + stime of a live process (all its threads).
pub fn proc_cpu(pid: u32) -> Option<Duration> {
    let raw = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &raw[raw.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(Duration::from_secs_f64(ticks / clk_tck()))
}

/// A line of /proc/PID/status, in kB (VmRSS, VmHWM).
pub fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(&format!("{key}:")))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Voluntary + involuntary context switches of all threads of `pid`.
pub fn ctx_switches(pid: u32) -> u64 {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    let mut n = 0;
    for t in tasks.flatten() {
        if let Ok(s) = fs::read_to_string(t.path().join("status")) {
            for l in s.lines() {
                if l.starts_with("voluntary_ctxt_switches")
                    || l.starts_with("nonvoluntary_ctxt_switches")
                {
                    n += l
                        .split_whitespace()
                        .nth(1)
                        .and_then(|x| x.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
    }
    n
}

/// How much CPU the rest of the machine used while we measured: system-wide busy time from
/// /proc/stat minus the CPU of this process, its reaped children and the live processes
/// named (the UIs). Reported as a share of all cores, with the load average and steal.
pub struct CpuMeter {
    t0: Instant,
    sys0: (f64, f64),
    mine0: Duration,
    load0: f64,
    pids: Vec<u32>,
}

fn system_jiffies() -> (f64, f64) {
    let s = fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = s
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if f.len() < 8 {
        return (0.0, 0.0);
    }
    (f[0] + f[1] + f[2] + f[5] + f[6], f[7])
}

fn own_cpu(pids: &[u32]) -> Duration {
    let mut total = Duration::ZERO;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: an all-zero rusage is valid; getrusage fills it.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer, valid `who`.
        unsafe { libc::getrusage(who, &mut ru) };
        total += rusage_cpu(&ru);
    }
    for &p in pids {
        total += proc_cpu(p).unwrap_or_default();
    }
    total
}

impl CpuMeter {
    pub fn start(pids: &[u32]) -> Self {
        CpuMeter {
            t0: Instant::now(),
            sys0: system_jiffies(),
            mine0: own_cpu(pids),
            load0: loadavg(),
            pids: pids.to_vec(),
        }
    }

    pub fn stop(&self) -> Conditions {
        let sys1 = system_jiffies();
        let mine = own_cpu(&self.pids).saturating_sub(self.mine0).as_secs_f64();
        let wall = self.t0.elapsed().as_secs_f64();
        let hz = clk_tck();
        let busy = (sys1.0 - self.sys0.0) / hz;
        let steal = (sys1.1 - self.sys0.1) / hz;
        let cap = wall * ncpu() as f64;
        Conditions {
            load_start: self.load0,
            load_end: loadavg(),
            others_pct: if cap > 0.0 {
                100.0 * (busy - mine).max(0.0) / cap
            } else {
                0.0
            },
            steal_pct: if cap > 0.0 { 100.0 * steal / cap } else { 0.0 },
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Conditions {
    pub load_start: f64,
    pub load_end: f64,
    pub others_pct: f64,
    pub steal_pct: f64,
}

impl Conditions {
    pub fn text(&self) -> String {
        let mut s = format!(
            "load {:.2}→{:.2}; others {:.1}% CPU",
            self.load_start, self.load_end, self.others_pct
        );
        if self.steal_pct >= 0.05 {
            s += &format!(", steal {:.1}%", self.steal_pct);
        }
        s
    }
}

// ------------------------------------------------------------------------------- statistics

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn median(xs: &[f64]) -> f64 {
    quantile(xs, 0.5)
}

/// Linear interpolation between closest ranks (p in 0..=1).
pub fn quantile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let pos = p * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// A small deterministic generator (xorshift64*), for shuffles and the bootstrap.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// The order of `n` things in round `r`: a shuffle seeded by the round, so each runs equally
/// often at each position and after each other one.
pub fn round_order(n: usize, r: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    Rng::new(r as u64 + 1).shuffle(&mut v);
    v
}

/// 95% bootstrap interval of median(a) - median(b).
pub fn bootstrap_diff(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut rng = Rng::new(7);
    let mut stats = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let ra: Vec<f64> = (0..a.len()).map(|_| a[rng.below(a.len())]).collect();
        let rb: Vec<f64> = (0..b.len()).map(|_| b[rng.below(b.len())]).collect();
        stats.push(median(&ra) - median(&rb));
    }
    (quantile(&stats, 0.025), quantile(&stats, 0.975))
}

// ------------------------------------------------------------------------------- results

/// One row of the report.
#[derive(Clone, Debug)]
pub struct Figure {
    pub id: String,
    pub name: String,
    /// The pre-refactor build's value ("–" when it has no such thing).
    pub before: String,
    pub after: String,
    pub target: String,
    /// Whether the current build meets the target (None: reported only).
    pub met: Option<bool>,
    pub conditions: String,
    pub note: String,
}

impl Figure {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "before": self.before, "after": self.after,
               "target": self.target, "met": self.met, "conditions": self.conditions,
               "note": self.note})
    }
}

/// Writes `results/<part>.json`.
pub fn save(ctx: &Ctx, part: &str, wait: &Value, figures: &[Figure], data: Value) -> Res<()> {
    let dir = ctx.out.join("results");
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let builds: Vec<Value> = ctx
        .builds()
        .iter()
        .map(|b| json!({"label": b.label, "rev": b.rev, "vaultty": b.vaultty, "probe": b.probe}))
        .collect();
    let payload = json!({
        "part": part, "when": utc_now(), "command": ctx.command, "builds": builds,
        "wait": wait, "figures": figures.iter().map(Figure::json).collect::<Vec<_>>(),
        "data": data,
    });
    let p = dir.join(format!("{part}.json"));
    fs::write(
        &p,
        serde_json::to_string_pretty(&payload).map_err(|e| e.to_string())? + "\n",
    )
    .map_err(|e| format!("{}: {e}", p.display()))?;
    log(&format!("wrote {}", p.display()));
    Ok(())
}

pub const PARTS: [&str; 8] = [
    "cli",
    "latency",
    "ui",
    "login",
    "concurrency",
    "scale",
    "admin",
    "vault",
];

/// Prints the summary of the results on disk and writes it as `summary.md`.
pub fn report(out: &Path) -> Res<()> {
    let mut found = Vec::new();
    for part in PARTS {
        let p = out.join("results").join(format!("{part}.json"));
        if let Ok(s) = fs::read_to_string(&p) {
            found.push(serde_json::from_str::<Value>(&s).map_err(|e| e.to_string())?);
        }
    }
    if found.is_empty() {
        return Err("no results yet: run `cargo run --release -p xtask -- bench` first".into());
    }
    let rev = |label: &str| {
        found
            .iter()
            .flat_map(|r| r["builds"].as_array().cloned().unwrap_or_default())
            .find(|b| b["label"] == label)
            .and_then(|b| b["rev"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "–".into())
    };
    let mut md = vec![
        format!(
            "| # | figure | before (`{}`) | after (`{}`) | target | met | conditions (1-min load start→end; others' share of the CPUs) |",
            rev("before"),
            rev("after")
        ),
        "| --- | --- | --- | --- | --- | --- | --- |".to_owned(),
    ];
    let mut notes = Vec::new();
    let mut waits = Vec::new();
    for r in &found {
        let w = &r["wait"];
        waits.push(format!(
            "{} ({}): waited {} s, load {:.2} at start{}",
            r["part"].as_str().unwrap_or("?"),
            r["when"].as_str().unwrap_or("?"),
            w["waited_s"],
            w["load_at_start"].as_f64().unwrap_or(f64::NAN),
            if w["quiet"] == false {
                " (NOT quiet)"
            } else {
                ""
            }
        ));
        for f in r["figures"].as_array().into_iter().flatten() {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            let met = match f["met"].as_bool() {
                Some(true) => "yes",
                Some(false) => "**NO**",
                None => "–",
            };
            md.push(format!(
                "| {} | {} | {} | **{}** | {} | {} | {} |",
                s("id"),
                s("name"),
                s("before"),
                s("after"),
                s("target"),
                met,
                s("conditions")
            ));
            if !s("note").is_empty() {
                notes.push(format!("- {}: {}", s("id"), s("note")));
            }
        }
    }
    let command = found
        .last()
        .and_then(|r| r["command"].as_str())
        .unwrap_or("")
        .to_owned();
    let text = format!(
        "{}\n\n{}\n\nLoad wait: {}.\n\nCommand: `{command}`\n",
        md.join("\n"),
        notes.join("\n"),
        waits.join("; ")
    );
    println!("{text}");
    let p = out.join("summary.md");
    fs::write(&p, &text).map_err(|e| format!("{}: {e}", p.display()))?;
    eprintln!("(Markdown: {})", p.display());
    Ok(())
}

// ------------------------------------------------------------------------------- the UI

/// What a build's UI shows once logged in: the dashboard ("Welcome, NAME") before the vault
/// (issue 16), the vault's list, read, since (the bench accounts' vaults are empty).
pub const DASHBOARD: &str = "Welcome,";
pub const VAULT_LISTED: &str = " 0 entries";

/// Waits for the screen a login lands on, either build's; which it is.
pub fn wait_landed(ui: &vaultty_testkit::pty::Pty) -> &'static str {
    let s = ui.wait_until("the dashboard or the vault", |s| {
        s.contains(DASHBOARD) || s.contains(VAULT_LISTED)
    });
    if s.contains(DASHBOARD) {
        DASHBOARD
    } else {
        VAULT_LISTED
    }
}

/// The key that logs out from the screen a login landed on: `l` on the dashboard of builds
/// before the vault, Ctrl-O on the vault.
pub fn logout_key(landed: &str) -> &'static str {
    if landed == DASHBOARD { "l" } else { "\x0f" }
}

/// From the screen a login landed on to the dashboard (the account panel): Tab on the vault.
pub fn to_dashboard(ui: &vaultty_testkit::pty::Pty, landed: &str) {
    if landed != DASHBOARD {
        ui.quiet_for(Duration::from_millis(50), Duration::from_secs(2));
        ui.send("\t");
        ui.wait_for(DASHBOARD);
    }
}

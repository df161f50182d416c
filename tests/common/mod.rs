//! Shared harness of the CLI tests and the robustness suites (`tests/cli.rs`,
//! `tests/crash.rs`, `tests/soak.rs`, `tests/hostile.rs`): running the real binary with a timeout, reading the store behind its
//! back, snapshots of a data dir, output hygiene checks and a small seeded PRNG.
//!
//! Every run gets `--data-dir` explicitly and has `VAULTTY_DATA_DIR` removed from its
//! environment, so nothing here ever touches the real user's files. Each suite uses only part
//! of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary under test (debug or release, whichever profile `cargo test` builds).
pub const BIN: &str = env!("CARGO_BIN_EXE_vaultty");

/// Passwords that pass vaultty's policy for any of the emails and names used in the suites.
pub const PW1: &str = "correct horse battery staple lamp";
pub const PW2: &str = "violet tractor sings under amber rain";
pub const PW3: &str = "quiet amber lanterns drift over the harbour";
pub const GOOD_PASSWORDS: [&str; 3] = [PW1, PW2, PW3];

pub const EXIT_OK: i32 = 0;
pub const EXIT_STORAGE: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_AUTH: i32 = 3;
pub const EXIT_THROTTLED: i32 = 4;
pub const EXIT_TAKEN: i32 = 5;
pub const EXIT_INVALID: i32 = 6;

/// No single command may take longer than this: a hang is a failure, not a stuck test run.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// What a finished (or killed) `vaultty` process left behind.
#[derive(Debug)]
pub struct Out {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Out {
    /// The exit code; `None` when a signal ended the process.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
    /// Whether SIGKILL ended the process (it had not finished when the test killed it).
    pub fn killed(&self) -> bool {
        self.status.signal() == Some(libc::SIGKILL)
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// Asserts the exit code, showing both streams when it is wrong.
    #[track_caller]
    pub fn expect(self, code: i32, what: &str) -> Self {
        assert_eq!(
            self.code(),
            Some(code),
            "{what}: exit status {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.status,
            self.out(),
            self.err()
        );
        self
    }
}

impl From<std::process::Output> for Out {
    /// A process collected by other means (`wait_with_output`, assert_cmd); `elapsed` is not
    /// measured then and stays zero.
    fn from(o: std::process::Output) -> Self {
        Out {
            status: o.status,
            stdout: o.stdout,
            stderr: o.stderr,
            elapsed: Duration::ZERO,
        }
    }
}

/// The store of each data dir whose accounts are not in its own SQLite file (see
/// [`use_store`]); keyed by the (unique, temporary) data dir, so parallel tests never meet.
static STORES: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());

/// Makes every command this harness runs on `dir` use `store` (`--store`), e.g. a PostgreSQL
/// database of the test's own.
#[allow(dead_code)]
pub fn use_store(dir: &Path, store: &str) {
    STORES
        .lock()
        .unwrap()
        .push((dir.to_path_buf(), store.to_owned()));
}

fn store_of(dir: &Path) -> Option<String> {
    STORES
        .lock()
        .unwrap()
        .iter()
        .find(|(d, _)| d == dir)
        .map(|(_, s)| s.clone())
}

/// `vaultty --data-dir DIR <args>` with all three standard streams piped and a clean
/// environment for the data dir (and `--store` when the test gave the dir one).
pub fn vaultty(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("VAULTTY_DATA_DIR")
        .env_remove("VAULTTY_STORE")
        .env_remove("VAULTTY_CONFIG")
        .env("NO_COLOR", "1")
        .arg("--data-dir")
        .arg(dir);
    if let Some(store) = store_of(dir) {
        c.arg("--store").arg(store);
    }
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Spawns `cmd`, feeds `stdin` (then closes it; `None` closes it at once), and waits at most
/// `timeout`. A process still running then is killed and the test fails.
#[track_caller]
pub fn run_cmd(mut cmd: Command, stdin: Option<&[u8]>, timeout: Duration) -> Out {
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn vaultty");
    let writer = feed(&mut child, stdin);
    let out_reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for vaultty") {
            break s;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vaultty did not finish within {timeout:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Out {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}

/// Writes `input` to the child's stdin on a thread (a child that exits without reading it
/// all must not block the test), then closes it.
fn feed(child: &mut Child, input: Option<&[u8]>) -> Option<std::thread::JoinHandle<()>> {
    let mut pipe = child.stdin.take()?;
    let data = input?.to_vec();
    Some(std::thread::spawn(move || {
        // EPIPE when the child exits first is fine.
        let _ = pipe.write_all(&data);
    }))
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Runs `vaultty --data-dir DIR <args>` to completion (see [`run_cmd`]).
#[track_caller]
pub fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    run_cmd(vaultty(dir, args), stdin, TIMEOUT)
}

pub fn signup(dir: &Path, email: &str, name: &str, pw: &str) -> Out {
    signup_raw(dir, email, name, format!("{pw}\n").as_bytes())
}

/// `signup --password-stdin` with exactly `stdin` on standard input.
pub fn signup_raw(dir: &Path, email: &str, name: &str, stdin: &[u8]) -> Out {
    run(
        dir,
        &[
            "signup",
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
        ],
        Some(stdin),
    )
}

pub fn login(dir: &Path, email: &str, pw: &str) -> Out {
    login_raw(dir, email, format!("{pw}\n").as_bytes())
}

/// `login --password-stdin` with exactly `stdin` on standard input.
pub fn login_raw(dir: &Path, email: &str, stdin: &[u8]) -> Out {
    run(
        dir,
        &["login", "--email", email, "--password-stdin"],
        Some(stdin),
    )
}

pub fn passwd(dir: &Path, current: &str, new: &str) -> Out {
    run(
        dir,
        &["passwd", "--password-stdin"],
        Some(format!("{current}\n{new}\n").as_bytes()),
    )
}

pub fn whoami(dir: &Path) -> Out {
    run(dir, &["whoami", "--json"], None)
}

pub fn logout(dir: &Path) -> Out {
    run(dir, &["logout"], None)
}

/// The email of the session `whoami --json` reports, or `None` (exit 3).
#[track_caller]
pub fn whoami_email(dir: &Path) -> Option<String> {
    let o = whoami(dir);
    match o.code() {
        Some(EXIT_OK) => {
            let j: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("whoami --json printed no JSON ({e}): {}", o.out()));
            Some(
                j["email"]
                    .as_str()
                    .expect("email in whoami --json")
                    .to_owned(),
            )
        }
        Some(EXIT_AUTH) => None,
        _ => panic!(
            "whoami: exit status {:?}\n--- stderr:\n{}",
            o.status,
            o.err()
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Output hygiene
// ---------------------------------------------------------------------------------------------

/// Characters that must never reach a terminal from vaultty: C0 controls other than line
/// feed and tab, DEL, C1 controls (U+0080..U+009F, e.g. U+009B CSI), bidi controls and
/// invisible formatting characters.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Asserts that neither stream of `o` shows a panic, a raw ESC / CSI (0x1B, 0x9B) / BEL byte
/// or any other character that could drive or deceive a terminal.
#[track_caller]
pub fn assert_clean_output(o: &Out, what: &str) {
    for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("panicked"),
            "{what}: {stream} shows a panic:\n{text}"
        );
        for bad in [0x1b_u8, 0x9b, 0x07] {
            assert!(
                !bytes.contains(&bad),
                "{what}: {stream} contains raw byte {bad:#04x}: {text:?}"
            );
        }
        if let Some(c) = text.chars().find(|&c| is_forbidden_char(c)) {
            panic!(
                "{what}: {stream} contains {c:?} (U+{:04X}): {text:?}",
                c as u32
            );
        }
    }
}

/// Asserts exit `code`, a non-empty message on stderr and clean output: the contract for every
/// refusal of hostile input.
#[track_caller]
pub fn assert_refused(o: &Out, code: i32, what: &str) {
    assert_eq!(
        o.code(),
        Some(code),
        "{what}: exit status {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
        o.status,
        o.out(),
        o.err()
    );
    assert!(!o.err().trim().is_empty(), "{what}: no message on stderr");
    assert_clean_output(o, what);
}

// ---------------------------------------------------------------------------------------------
// The store and the session file, read behind vaultty's back
// ---------------------------------------------------------------------------------------------

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join("vaultty.db")
}

pub fn session_path(dir: &Path) -> PathBuf {
    dir.join("session")
}

/// A read-write connection to an existing store (never creates one), with a busy timeout.
pub fn open_db(dir: &Path) -> Connection {
    let c = Connection::open_with_flags(
        db_path(dir),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("open {}: {e}", db_path(dir).display()));
    c.busy_timeout(Duration::from_secs(30)).unwrap();
    c
}

/// `PRAGMA integrity_check` as one string ("ok" when healthy).
pub fn integrity_check(c: &Connection) -> String {
    let rows: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.join("\n")
}

/// Rows reported by `PRAGMA foreign_key_check` (should be none).
pub fn foreign_key_violations(c: &Connection) -> usize {
    c.prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count()
}

pub fn count(c: &Connection, table: &str) -> i64 {
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// One row of `accounts` as the suites need it.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub email: String,
    pub email_norm: String,
    pub name: String,
    pub password_hash: String,
}

pub fn accounts(c: &Connection) -> Vec<AccountRow> {
    c.prepare("SELECT email, email_norm, name, password_hash FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok(AccountRow {
                email: r.get(0)?,
                email_norm: r.get(1)?,
                name: r.get(2)?,
                password_hash: r.get(3)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Problems with rows of `accounts` that a half-finished signup could leave: an empty
/// name, email or normalized email, or a hash in neither stored format.
pub fn half_created_accounts(c: &Connection) -> Vec<String> {
    accounts(c)
        .into_iter()
        .filter(|a| {
            a.email.is_empty()
                || a.email_norm.is_empty()
                || a.name.is_empty()
                || !is_stored_hash(&a.password_hash)
        })
        .map(|a| format!("{a:?}"))
        .collect()
}

/// Whether `h` has the shape of a stored password hash: the vault format, or a standard
/// Argon2id PHC string from before the vault.
pub fn is_stored_hash(h: &str) -> bool {
    h.starts_with("$vaultty-argon2id-v1$v=19$") || h.starts_with("$argon2id$v=19$")
}

pub fn password_hash(c: &Connection, email_norm: &str) -> Option<String> {
    c.query_row(
        "SELECT password_hash FROM accounts WHERE email_norm = ?1",
        [email_norm],
        |r| r.get(0),
    )
    .ok()
}

/// What is at the session path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionFileState {
    Absent,
    /// A whole, valid session file holding this token (hex).
    Valid(String),
}

/// Checks the session file: either absent or exactly `{"version":1,"token":"<64 hex>"}`
/// (one trailing newline allowed), a regular 0600 file. Anything else is an error message.
pub fn session_file_state(dir: &Path) -> Result<SessionFileState, String> {
    let p = session_path(dir);
    let meta = match fs::symlink_metadata(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SessionFileState::Absent),
        Err(e) => return Err(format!("cannot stat the session file: {e}")),
        Ok(m) => m,
    };
    if !meta.file_type().is_file() {
        return Err(format!("session path is a {:?}", meta.file_type()));
    }
    if meta.mode() & 0o777 != 0o600 {
        return Err(format!("session file mode is {:o}", meta.mode() & 0o777));
    }
    let bytes = fs::read(&p).map_err(|e| format!("cannot read the session file: {e}"))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| format!("session file is not UTF-8: {bytes:?}"))?;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| format!("session file is not whole JSON ({e}): {text:?}"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("session file is not a JSON object: {text:?}"))?;
    let token = obj.get("token").and_then(|t| t.as_str()).unwrap_or("");
    let well_formed = obj.len() == 2
        && obj.get("version") == Some(&serde_json::json!(1))
        && token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return Err(format!("session file has unexpected content: {text:?}"));
    }
    Ok(SessionFileState::Valid(token.to_owned()))
}

/// Leftover temporary files of the atomic session write (`.session.*`).
pub fn session_temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".session."))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Snapshots: "nothing on disk changed"
// ---------------------------------------------------------------------------------------------

/// What one directory entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File { mode: u32, bytes: Vec<u8> },
    Symlink(PathBuf),
    Fifo,
    Dir(BTreeMap<String, Entry>),
    Other,
}

/// The store's content, table by table, as text rows in rowid order, plus its schema and
/// header pragmas. `sessions.last_seen_at` is kept apart (see [`Snapshot::take`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreDump {
    pub tables: BTreeMap<String, Vec<String>>,
    pub session_last_seen: Vec<String>,
}

/// A data dir at one moment: every entry except the store's files byte for byte, and the
/// store logically.
///
/// Why the store is compared logically: a command that opens the store (even one that is then
/// refused) may create `vaultty.db-wal`/`-shm` and, as the last connection closes, checkpoint
/// and delete them again, so their presence and bytes (and, after a checkpoint, the main
/// file's bytes) legitimately change without any row changing. Comparing every table's rows,
/// the schema and `user_version`/`application_id` is exact for what vaultty stores and
/// insensitive to that bookkeeping. `sessions.last_seen_at` is kept in a separate field:
/// any command run with a valid session refreshes it (README: "using it refreshes it"),
/// including a `passwd` refused afterwards; a suite decides whether to compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub exists: bool,
    pub entries: BTreeMap<String, Entry>,
    pub store: Option<StoreDump>,
}

const STORE_FILES: [&str; 3] = ["vaultty.db", "vaultty.db-wal", "vaultty.db-shm"];

impl Snapshot {
    pub fn take(dir: &Path) -> Snapshot {
        let exists = fs::symlink_metadata(dir).is_ok();
        let mut entries = if exists {
            read_tree(dir)
        } else {
            BTreeMap::new()
        };
        entries.retain(|name, _| !STORE_FILES.contains(&name.as_str()));
        let store = (exists && db_path(dir).is_file()).then(|| dump_store(dir));
        Snapshot {
            exists,
            entries,
            store,
        }
    }

    /// Asserts nothing changed since `self`, except `sessions.last_seen_at`.
    #[track_caller]
    pub fn assert_unchanged(&self, dir: &Path, what: &str) {
        self.compare(dir, what, false);
    }

    /// Asserts nothing changed since `self`, `sessions.last_seen_at` included.
    #[track_caller]
    pub fn assert_unchanged_strict(&self, dir: &Path, what: &str) {
        self.compare(dir, what, true);
    }

    #[track_caller]
    fn compare(&self, dir: &Path, what: &str, last_seen: bool) {
        let now = Snapshot::take(dir);
        assert_eq!(
            self.exists, now.exists,
            "{what}: the data dir appeared or vanished"
        );
        assert_eq!(
            self.entries.keys().collect::<Vec<_>>(),
            now.entries.keys().collect::<Vec<_>>(),
            "{what}: files in the data dir changed"
        );
        for (name, before) in &self.entries {
            assert!(
                now.entries.get(name) == Some(before),
                "{what}: {name} changed"
            );
        }
        match (&self.store, &now.store) {
            (Some(a), Some(b)) => {
                for (table, rows) in &a.tables {
                    assert_eq!(
                        Some(rows),
                        b.tables.get(table),
                        "{what}: store table/pragma {table} changed"
                    );
                }
                assert_eq!(a.tables.len(), b.tables.len(), "{what}: tables added");
                if last_seen {
                    assert_eq!(
                        a.session_last_seen, b.session_last_seen,
                        "{what}: sessions.last_seen_at changed"
                    );
                }
            }
            (a, b) => assert_eq!(
                a.is_some(),
                b.is_some(),
                "{what}: the store appeared or vanished"
            ),
        }
    }
}

pub fn read_tree(dir: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return out;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(m) = fs::symlink_metadata(&p) else {
            continue;
        };
        let ft = m.file_type();
        let entry = if ft.is_symlink() {
            Entry::Symlink(fs::read_link(&p).unwrap_or_default())
        } else if ft.is_fifo() {
            Entry::Fifo
        } else if ft.is_dir() {
            Entry::Dir(read_tree(&p))
        } else if ft.is_file() {
            Entry::File {
                mode: m.mode() & 0o7777,
                bytes: fs::read(&p).unwrap_or_default(),
            }
        } else {
            Entry::Other
        };
        out.insert(name, entry);
    }
    out
}

/// Every table's rows (all columns, `quote()`d so blobs and NULLs are exact), the schema and
/// the header pragmas.
pub fn dump_store(dir: &Path) -> StoreDump {
    let c = open_db(dir);
    let mut tables = BTreeMap::new();
    let schema: Vec<(String, String)> = c
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.insert(
        "<schema>".to_owned(),
        schema.iter().map(|(n, s)| format!("{n}: {s}")).collect(),
    );
    for pragma in ["user_version", "application_id"] {
        let v: i64 = c
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .unwrap();
        tables.insert(format!("<{pragma}>"), vec![v.to_string()]);
    }
    let mut session_last_seen = Vec::new();
    for (name, sql) in &schema {
        if !sql.starts_with("CREATE TABLE") {
            continue;
        }
        let cols: Vec<String> = c
            .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let (kept, apart): (Vec<&String>, Vec<&String>) = cols
            .iter()
            .partition(|col| !(name == "sessions" && *col == "last_seen_at"));
        let select = |cols: &[&String]| -> Vec<String> {
            if cols.is_empty() {
                return Vec::new();
            }
            let expr = cols
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            c.prepare(&format!("SELECT {expr} FROM \"{name}\" ORDER BY rowid"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        tables.insert(name.clone(), select(&kept));
        if !apart.is_empty() {
            session_last_seen = select(&apart);
        }
    }
    StoreDump {
        tables,
        session_last_seen,
    }
}

// ---------------------------------------------------------------------------------------------
// Misc
// ---------------------------------------------------------------------------------------------

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Creates a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(
        rc,
        0,
        "mkfifo {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
}

/// A number from the environment, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

/// SplitMix64: tiny, seedable, good enough to pick operations and delays reproducibly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A seed from `VAULTTY_<SUITE>_SEED`, else from the clock and pid (printed by the suites).
pub fn seed_from_env(var: &str) -> u64 {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => {
            let v = v.trim();
            v.strip_prefix("0x")
                .map(|h| u64::from_str_radix(h, 16))
                .unwrap_or_else(|| v.parse())
                .unwrap_or_else(|_| panic!("{var}={v:?} is not a number"))
        }
        _ => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32)
        }
    }
}

/// Creates an empty store in `dir` (through the library: `whoami` no longer creates anything).
pub fn create_store(dir: &Path) {
    match store_of(dir) {
        Some(store) => vaultty::open_at(dir, Some(&store), vaultty::Options::default()),
        None => vaultty::open(dir),
    }
    .expect("create the store");
}

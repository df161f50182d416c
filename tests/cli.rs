//! End-to-end tests of the `vaultty` binary: exit codes, messages, files at rest, sessions,
//! throttling and concurrency. Every test works in its own temporary data dir (always passed
//! with `--data-dir`, with `VAULTTY_DATA_DIR` removed from the environment), never in $HOME.
//!
//! Each signup, login and `passwd` runs Argon2id at production cost, so the number of those
//! is kept small: helpers share the setup and throttled or refused attempts (which skip the
//! hash) are used where they prove the same point.

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;
use tempfile::TempDir;
use vaultty::storage::Table;
use vaultty_testkit::{Sandbox, conformance};

const EMAIL: &str = "alice@example.com";
const NAME: &str = "Alice Liddell";
const PW: &str = "correct horse battery staple lamp";
const PW2: &str = "violet tractor sings under amber rain";
const OTHER_EMAIL: &str = "other@example.com";

mod common;

use common::{
    BIN, EXIT_AUTH, EXIT_INVALID, EXIT_OK, EXIT_STORAGE, EXIT_TAKEN, EXIT_THROTTLED, EXIT_USAGE,
    Out, TIMEOUT, is_root,
};

/// A temporary data dir (`<tempdir>/data`, created by vaultty itself on first use).
struct Vault {
    tmp: TempDir,
    dir: PathBuf,
}

impl Vault {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        Vault { tmp, dir }
    }

    /// A vault with alice signed up and logged in (two Argon2 runs).
    fn alice() -> Self {
        let v = Vault::new();
        v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
        v.login(EMAIL, PW).expect(EXIT_OK, "login");
        v
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// `vaultty --data-dir <dir> <args>`, with a clean environment for the data dir.
    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        common::run(&self.dir, args, stdin)
    }

    /// Like [`Vault::run`] but through `sh` with the given umask.
    fn run_with_umask(&self, umask: &str, args: &[&str], stdin: Option<&[u8]>) -> Out {
        let mut c = std::process::Command::new("sh");
        c.env_remove("VAULTTY_DATA_DIR")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(BIN)
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        common::run_cmd(c, stdin, TIMEOUT)
    }

    fn signup(&self, email: &str, name: &str, pw: &str) -> Out {
        common::signup(&self.dir, email, name, pw)
    }

    fn login(&self, email: &str, pw: &str) -> Out {
        common::login(&self.dir, email, pw)
    }

    fn whoami(&self) -> Out {
        self.run(&["whoami"], None)
    }

    fn whoami_json(&self) -> Out {
        common::whoami(&self.dir)
    }

    fn passwd(&self, current: &str, new: &str) -> Out {
        common::passwd(&self.dir, current, new)
    }

    fn db_path(&self) -> PathBuf {
        self.dir.join("vaultty.db")
    }

    fn db(&self) -> Connection {
        let c = Connection::open(self.db_path()).unwrap();
        c.busy_timeout(Duration::from_secs(30)).unwrap();
        c
    }

    fn count(&self, table: &str) -> i64 {
        self.db()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn password_hash(&self, email_norm: &str) -> String {
        self.db()
            .query_row(
                "SELECT password_hash FROM accounts WHERE email_norm = ?1",
                [email_norm],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn session_path(&self) -> PathBuf {
        self.dir.join("session")
    }

    fn session_bytes(&self) -> Vec<u8> {
        fs::read(self.session_path()).unwrap()
    }

    fn session_exists(&self) -> bool {
        fs::symlink_metadata(self.session_path()).is_ok()
    }

    /// Puts `bytes` at the session path as a fresh 0600 file (what a copy kept aside would be).
    fn put_session(&self, bytes: &[u8]) {
        let _ = fs::remove_file(self.session_path());
        write_private(&self.session_path(), bytes);
    }

    /// The token in the session file, as hex.
    fn token_hex(&self) -> String {
        let v: serde_json::Value = serde_json::from_slice(&self.session_bytes()).unwrap();
        v["token"].as_str().unwrap().to_owned()
    }
}

fn write_private(path: &Path, bytes: &[u8]) {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_0_signup_login_whoami_logout() {
    let v = Vault::new();
    let s = v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    assert!(s.err().contains("Account created"), "{}", s.err());
    // stdout holds only the vault's recovery code, after a line that says what it is
    // (issue 16); messages go to stderr.
    let out = s.out();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    assert_eq!(
        lines[0],
        "Your vault's recovery code (shown only this once):"
    );
    assert!(vaultty::ResetCode::parse(lines[1]).is_some(), "{out:?}");
    assert!(!v.session_exists(), "signup does not log in");
    v.whoami().expect(EXIT_AUTH, "whoami before login");

    let l = v.login(EMAIL, PW).expect(EXIT_OK, "login");
    assert!(l.stdout.is_empty(), "login prints messages on stderr only");
    assert!(l.err().contains("Logged in as"), "{}", l.err());
    assert!(l.err().contains(EMAIL), "{}", l.err());

    let w = v.whoami().expect(EXIT_OK, "whoami");
    assert!(
        w.out().contains(NAME) && w.out().contains(EMAIL),
        "{}",
        w.out()
    );
    assert!(w.out().contains("role:"), "{}", w.out());
    assert!(
        w.stderr.is_empty(),
        "whoami result goes to stdout: {}",
        w.err()
    );

    let j = v.whoami_json().expect(EXIT_OK, "whoami --json");
    let json: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let obj = json.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "email",
            "last_login_at",
            "name",
            "role",
            "session_expires_at"
        ]
    );
    assert_eq!(obj["email"], EMAIL);
    assert_eq!(obj["name"], NAME);
    // The first account of an empty store is its administrator.
    assert_eq!(obj["role"], "admin");
    let ts = |k: &str| -> jiff::Timestamp {
        obj[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} is not a string: {json}"))
            .parse()
            .unwrap_or_else(|e| panic!("{k} is not RFC 3339: {e}: {json}"))
    };
    let created = ts("created_at");
    let last_login = ts("last_login_at");
    let expires = ts("session_expires_at");
    assert!(created <= last_login && last_login < expires, "{json}");

    let o = v.run(&["logout"], None).expect(EXIT_OK, "logout");
    assert!(o.err().contains("Logged out"), "{}", o.err());
    assert!(!v.session_exists(), "logout removes the session file");
    let w = v.whoami().expect(EXIT_AUTH, "whoami when logged out");
    assert!(w.stdout.is_empty());
    assert!(w.err().contains("Not logged in"), "{}", w.err());
    let o = v.run(&["logout"], None).expect(EXIT_OK, "second logout");
    assert!(o.err().contains("No session"), "{}", o.err());
}

#[test]
fn tm_05_usage_errors_exit_2_and_no_password_flag() {
    let v = Vault::new();
    let o = v
        .run(&["login", "--email", EMAIL, "--bogus"], None)
        .expect(EXIT_USAGE, "unknown flag");
    assert!(o.err().contains("--bogus"), "{}", o.err());
    v.run(&["login", "--password-stdin"], Some(b"x\n"))
        .expect(EXIT_USAGE, "missing --email");
    v.run(
        &["signup", "--email", EMAIL, "--password-stdin"],
        Some(b"x\n"),
    )
    .expect(EXIT_USAGE, "missing --name");
    v.run(&["frobnicate"], None)
        .expect(EXIT_USAGE, "unknown command");

    // TM-05: a password is never accepted as an argument, in either spelling, and the value
    // is not echoed back.
    let secret = "hunter2-argument-secret-value";
    for args in [
        vec!["login", "--email", EMAIL, "--password", secret],
        vec!["login", "--email", EMAIL, &format!("--password={secret}")],
        vec![
            "signup",
            "--email",
            EMAIL,
            "--name",
            NAME,
            "--password",
            secret,
        ],
    ] {
        let o = v.run(&args, None).expect(EXIT_USAGE, "--password rejected");
        assert!(!o.err().contains(secret), "value echoed: {}", o.err());
        assert!(!o.out().contains(secret), "value echoed: {}", o.out());
    }
    assert!(!v.dir.exists(), "usage errors touch no files");

    // Help: the stdin option is documented; there is no `--password <VALUE>` option.
    for args in [
        vec!["--help"],
        vec!["login", "--help"],
        vec!["signup", "--help"],
        vec!["passwd", "--help"],
    ] {
        let o = v.run(&args, None).expect(EXIT_OK, "--help");
        let help = o.out();
        assert!(help.contains("--password-stdin"), "{args:?}: {help}");
        assert!(!help.contains("--password <"), "{args:?}: {help}");
        assert!(!help.contains("--password="), "{args:?}: {help}");
    }
}

/// A command whose process may not use transparent huge pages (`PR_SET_THP_DISABLE`, set in
/// the child before `exec` and inherited from there).
fn without_huge_pages(mut c: std::process::Command) -> std::process::Command {
    // SAFETY: prctl only sets a flag of the forked child; it is async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            if libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    c
}

/// Argon2's memory asks for transparent huge pages; without them (THP off, or no huge page
/// free under memory pressure) it runs in 4 KiB pages and must give the same answer. A hash
/// made with huge pages verifies in a process that may not use them, and the other way
/// round; a wrong password still fails there.
#[test]
fn argon2_gives_the_same_answer_without_huge_pages() {
    let v = Vault::new();
    // The flag really reaches the child (the kernel reports it from 5.0 on).
    let status = common::run_cmd(
        without_huge_pages({
            let mut c = std::process::Command::new("cat");
            c.arg("/proc/self/status")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            c
        }),
        None,
        TIMEOUT,
    );
    let status = status.out();
    if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
        assert!(
            line.ends_with('0'),
            "PR_SET_THP_DISABLE did not take: {line}"
        );
    }
    let no_thp = |args: &[&str], pw: &str| {
        common::run_cmd(
            without_huge_pages(common::vaultty(&v.dir, args)),
            Some(format!("{pw}\n").as_bytes()),
            TIMEOUT,
        )
    };
    let login = ["login", "--email", EMAIL, "--password-stdin"];
    v.signup(EMAIL, NAME, PW)
        .expect(EXIT_OK, "signup with huge pages");
    no_thp(&login, PW).expect(EXIT_OK, "login without them");
    no_thp(&login, PW2).expect(EXIT_AUTH, "a wrong password without them");
    let signup = [
        "signup",
        "--email",
        OTHER_EMAIL,
        "--name",
        NAME,
        "--password-stdin",
    ];
    no_thp(&signup, PW2).expect(EXIT_OK, "signup without huge pages");
    v.login(OTHER_EMAIL, PW2).expect(EXIT_OK, "login with them");
}

#[test]
fn exit_5_duplicate_email_any_case() {
    let v = Vault::new();
    v.signup("ALICE@example.com", NAME, PW)
        .expect(EXIT_OK, "first signup");
    let o = v
        .signup("alice@Example.com", "Another Alice", PW2)
        .expect(EXIT_TAKEN, "case variant of a taken email");
    assert!(o.err().contains("already exists"), "{}", o.err());
    v.signup("  ALICE@example.com ", NAME, PW2)
        .expect(EXIT_TAKEN, "same email with spaces around");
    assert_eq!(v.count("accounts"), 1);
}

#[test]
fn exit_6_refused_input_writes_nothing() {
    let v = Vault::new();
    // ("tooshort" happens to be on the common list too; either refusal is exit 6.)
    let cases: [(&str, &str, &[u8], &str); 6] = [
        (
            "not-an-email",
            NAME,
            b"correct horse battery staple lamp\n",
            "Email",
        ),
        (EMAIL, NAME, b"tooshort\n", "Password"),
        (EMAIL, NAME, b"qz7 vex plumb\n", "too short"),
        (EMAIL, NAME, b"password123456\n", "too common"),
        (
            EMAIL,
            "Eve\u{202e}gnp.exe",
            b"correct horse battery staple lamp\n",
            "Name",
        ),
        (
            EMAIL,
            NAME,
            b"correct horse \xff\xfe battery staple\n",
            "UTF-8",
        ),
    ];
    for (email, name, stdin, why) in cases {
        let o = common::signup_raw(&v.dir, email, name, stdin).expect(EXIT_INVALID, why);
        assert!(o.err().contains(why), "{why}: {}", o.err());
        assert!(
            !o.err().contains('\u{202e}'),
            "the refused name is not echoed raw"
        );
    }
    // A 1 MB password line is refused (not cut, not hashed), for signup and login alike.
    let mut huge = vec![b'a'; 1 << 20];
    huge.push(b'\n');
    for args in [
        vec![
            "signup",
            "--email",
            EMAIL,
            "--name",
            NAME,
            "--password-stdin",
        ],
        vec!["login", "--email", EMAIL, "--password-stdin"],
    ] {
        let o = v
            .run(&args, Some(&huge))
            .expect(EXIT_INVALID, "1 MB password line");
        assert!(o.err().contains("too long"), "{}", o.err());
    }
    v.run(
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(b"\xc3\x28 not utf-8\n"),
    )
    .expect(EXIT_INVALID, "login with invalid UTF-8");
    // Refused input is turned away before the store is opened: not even the data dir exists.
    assert!(!v.dir.exists(), "refused input created the data dir");
    // And on an existing store, a refusal writes nothing either.
    common::create_store(&v.dir);
    common::signup_raw(&v.dir, EMAIL, NAME, b"password123456\n")
        .expect(EXIT_INVALID, "common password on an existing store");
    assert_eq!(v.count("accounts"), 0);
    assert_eq!(v.count("sessions"), 0);
    assert!(!v.session_exists());
}

/// Signup reports every refused input at once; each refusal must stay readable on its own
/// line (not be glued together by replacement characters).
#[test]
fn exit_6_several_refusals_are_reported_one_per_line() {
    let v = Vault::new();
    let o = common::signup_raw(&v.dir, "bad", " ", b"tooshort\n")
        .expect(EXIT_INVALID, "three refused inputs");
    let err = o.err();
    // Each a sentence that starts with the field's name (issue 13, item 15).
    for field in [
        "vaultty: Email is",
        "vaultty: Name is",
        "vaultty: Password is",
    ] {
        assert!(err.contains(field), "{field} missing: {err}");
    }
    assert!(!err.contains("Email:"), "not a sentence: {err}");
    assert!(
        !err.contains('\u{FFFD}'),
        "refusals joined by U+FFFD instead of newlines: {err:?}"
    );
    assert!(err.lines().count() >= 3, "one refusal per line: {err:?}");
}

/// A deterministic 4 KiB of noise that is certainly not an SQLite header.
fn garbage() -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn exit_1_corrupt_store_is_named_and_left_untouched() {
    let v = Vault::new();
    fs::DirBuilder::new().mode(0o700).create(&v.dir).unwrap();
    let junk = garbage();
    write_private(&v.db_path(), &junk);

    let stdin = format!("{PW}\n");
    let runs: [(&[&str], Option<&[u8]>); 4] = [
        (
            &["login", "--email", EMAIL, "--password-stdin"],
            Some(stdin.as_bytes()),
        ),
        (
            &[
                "signup",
                "--email",
                EMAIL,
                "--name",
                NAME,
                "--password-stdin",
            ],
            Some(stdin.as_bytes()),
        ),
        (&["whoami"], None),
        (&["logout"], None),
    ];
    for (args, input) in runs {
        let o = v.run(args, input).expect(EXIT_STORAGE, args[0]);
        assert!(o.err().contains("vaultty.db"), "{}: {}", args[0], o.err());
        assert!(o.stdout.is_empty());
        assert_eq!(
            fs::read(v.db_path()).unwrap(),
            junk,
            "{} changed it",
            args[0]
        );
    }
    assert!(!v.dir.join("vaultty.db-wal").exists());
    assert!(!v.session_exists());
}

/// A store the user made read-only (`chmod u-w` on the dir and the file) must be reported
/// (exit 1, naming the store) and left as it is, not silently made writable again.
///
/// Root bypasses permission bits, so as root the commands run as `nobody` (uid 65534)
/// instead; if that is impossible here (no privilege to switch, binary not reachable by
/// that user) this part is skipped with a note.
#[test]
fn exit_1_read_only_data_dir() {
    const NOBODY: u32 = 65534;
    let v = Vault::new();
    let as_user = |args: &[&str]| -> std::io::Result<Out> {
        let mut c = std::process::Command::new(BIN);
        c.env_remove("VAULTTY_DATA_DIR")
            .arg("--data-dir")
            .arg(&v.dir)
            .args(args);
        if is_root() {
            c.uid(NOBODY).gid(NOBODY);
        }
        let mut c = assert_cmd::Command::from_std(c);
        c.timeout(TIMEOUT);
        c.output().map(Out::from)
    };
    fs::DirBuilder::new().mode(0o700).create(&v.dir).unwrap();
    if is_root() {
        fs::set_permissions(v.root(), fs::Permissions::from_mode(0o711)).unwrap();
        if let Err(e) = std::os::unix::fs::chown(&v.dir, Some(NOBODY), Some(NOBODY)) {
            eprintln!("skipped: cannot hand the data dir to uid {NOBODY}: {e}");
            return;
        }
    }
    // Signup as that user creates the store (whoami creates nothing).
    let signup_as_user = || -> std::io::Result<Out> {
        let mut c = std::process::Command::new(BIN);
        c.env_remove("VAULTTY_DATA_DIR")
            .arg("--data-dir")
            .arg(&v.dir)
            .args([
                "signup",
                "--email",
                EMAIL,
                "--name",
                NAME,
                "--password-stdin",
            ]);
        if is_root() {
            c.uid(NOBODY).gid(NOBODY);
        }
        let mut c = assert_cmd::Command::from_std(c);
        c.timeout(TIMEOUT).write_stdin(format!("{PW}\n"));
        c.output().map(Out::from)
    };
    match signup_as_user() {
        Ok(o) if o.code() == Some(EXIT_OK) => {}
        Ok(o) => {
            eprintln!(
                "skipped: cannot run vaultty as an unprivileged user here (exit {:?}: {})",
                o.code(),
                o.err()
            );
            return;
        }
        Err(e) => {
            eprintln!("skipped: cannot run vaultty as an unprivileged user here: {e}");
            return;
        }
    }
    assert!(v.db_path().exists());
    fs::set_permissions(v.db_path(), fs::Permissions::from_mode(0o400)).unwrap();
    fs::set_permissions(&v.dir, fs::Permissions::from_mode(0o500)).unwrap();
    let before = fs::read(v.db_path()).unwrap();

    let o = as_user(&["whoami"]).unwrap();
    let dir_mode = mode(&v.dir);
    let db_mode = mode(&v.db_path());
    // Let the tempdir be cleaned up whatever happens below.
    fs::set_permissions(&v.dir, fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(
        (o.code(), dir_mode, db_mode),
        (Some(EXIT_STORAGE), 0o500, 0o400),
        "a read-only store must fail with exit 1 and keep its modes; got exit {:?}, dir {:o}, \
         vaultty.db {:o}\nstderr: {}",
        o.code(),
        dir_mode,
        db_mode,
        o.err()
    );
    assert!(o.err().contains("vaultty.db"), "{}", o.err());
    assert_eq!(fs::read(v.db_path()).unwrap(), before);
}

// ---------------------------------------------------------------------------------------------
// Authentication and throttling
// ---------------------------------------------------------------------------------------------

/// AU-01: an unknown email and a wrong password are indistinguishable, before and after the
/// lockout. Also the throttle itself: five failures lock the email (known or not); the sixth
/// attempt exits 4, even with the right password.
#[test]
fn au_01_unknown_email_and_wrong_password_fail_identically() {
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let unknown = "nobody-here@example.com";
    let wrong = "wrong horse battery staple lamp";

    let a = v.login(EMAIL, wrong).expect(EXIT_AUTH, "wrong password");
    let b = v.login(unknown, wrong).expect(EXIT_AUTH, "unknown email");
    assert_eq!(a.stderr, b.stderr, "byte-identical messages");
    assert_eq!(a.stdout, b.stdout);
    assert!(
        a.err().contains("Email or password is incorrect"),
        "{}",
        a.err()
    );

    for i in 2..=5 {
        let a = v
            .login(EMAIL, wrong)
            .expect(EXIT_AUTH, &format!("wrong #{i}"));
        let b = v
            .login(unknown, wrong)
            .expect(EXIT_AUTH, &format!("unknown #{i}"));
        assert_eq!(a.stderr, b.stderr);
    }
    // Sixth attempt: locked, whether the password is right or wrong, known email or not.
    let a = v
        .login(EMAIL, PW)
        .expect(EXIT_THROTTLED, "6th attempt, right password");
    let b = v
        .login(unknown, wrong)
        .expect(EXIT_THROTTLED, "6th attempt, unknown email");
    assert!(a.err().contains("Try again in"), "{}", a.err());
    assert!(!v.session_exists(), "a locked login creates no session");
    // The remaining wait may differ by a second between the two: compare with digits removed.
    let strip = |s: &str| s.replace(|c: char| c.is_ascii_digit(), "#");
    assert_eq!(strip(&a.err()), strip(&b.err()));
    assert_eq!(
        strip(&a.err()),
        "vaultty: Too many failed attempts. Try again in ## s.\n"
    );
    // The lock is per normalized email: a case variant is locked too.
    v.login("Alice@EXAMPLE.com", PW)
        .expect(EXIT_THROTTLED, "case variant of the locked email");
    assert_eq!(v.count("sessions"), 0);
}

/// AU-06: a fresh store has no accounts, so no default credentials work.
#[test]
fn au_06_no_default_accounts() {
    let v = Vault::new();
    common::create_store(&v.dir);
    v.whoami().expect(EXIT_AUTH, "whoami on a fresh store");
    assert_eq!(v.count("accounts"), 0);
    for (email, pw) in [
        ("admin@example.com", "admin"),
        ("admin@example.com", "password"),
        ("root@example.com", "root"),
        ("root@example.com", "toor"),
    ] {
        let o = v.login(email, pw);
        assert_ne!(o.code(), Some(EXIT_OK), "{email} / {pw} logged in");
        assert!(
            matches!(o.code(), Some(EXIT_AUTH | EXIT_INVALID)),
            "{email}: exit {:?} {}",
            o.code(),
            o.err()
        );
    }
    assert!(!v.session_exists());
    assert_eq!(v.count("accounts"), 0);
    assert_eq!(v.count("sessions"), 0);
}

/// AU-08: SQL in the email field is data, never code.
#[test]
fn au_08_sql_injection_in_email() {
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let injection = "' OR '1'='1' --";
    let o = v.login(injection, PW);
    assert_ne!(o.code(), Some(EXIT_OK), "injection logged in: {}", o.err());
    assert!(!v.session_exists());
    v.signup(injection, NAME, PW2)
        .expect(EXIT_INVALID, "signup with an injection email");
    // Quotes are legal in the local part of an address: such an email is just unknown.
    v.login("x'or'1'='1@example.com", PW)
        .expect(EXIT_AUTH, "quoted but valid email");
    assert!(!v.session_exists());
    assert_eq!(v.count("accounts"), 1);
    assert_eq!(v.count("sessions"), 0);
}

// ---------------------------------------------------------------------------------------------
// Files at rest
// ---------------------------------------------------------------------------------------------

/// FS-01: the data dir is 0700 and every file in it 0600 even under umask 022; leftover
/// wide `-wal`/`-shm` files and a wide existing dir or store are tightened.
#[test]
fn fs_01_modes_with_umask_022() {
    let v = Vault::new();
    let stdin = format!("{PW}\n");
    v.run_with_umask(
        "022",
        &[
            "signup",
            "--email",
            EMAIL,
            "--name",
            NAME,
            "--password-stdin",
        ],
        Some(stdin.as_bytes()),
    )
    .expect(EXIT_OK, "signup under umask 022");
    v.run_with_umask(
        "022",
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(stdin.as_bytes()),
    )
    .expect(EXIT_OK, "login under umask 022");

    assert_eq!(mode(&v.dir), 0o700, "data dir");
    assert_eq!(mode(&v.db_path()), 0o600, "vaultty.db");
    assert_eq!(mode(&v.session_path()), 0o600, "session");
    let check_all = |when: &str| {
        for e in fs::read_dir(&v.dir).unwrap() {
            let p = e.unwrap().path();
            assert_eq!(
                mode(&p) & 0o077,
                0,
                "{when}: {} is {:o}",
                p.display(),
                mode(&p)
            );
        }
    };
    check_all("after login");

    // Keep a connection open so the WAL files stay; make them wide as if left by something
    // else, and check that the next vaultty run tightens them.
    let conn = v.db();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let wal = v.dir.join("vaultty.db-wal");
    let shm = v.dir.join("vaultty.db-shm");
    assert!(wal.exists() && shm.exists(), "WAL mode with an open reader");
    for p in [&wal, &shm, &v.db_path()] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o644)).unwrap();
    }
    fs::set_permissions(&v.dir, fs::Permissions::from_mode(0o755)).unwrap();
    v.run_with_umask("000", &["whoami"], None)
        .expect(EXIT_OK, "whoami under umask 000");
    assert_eq!(mode(&v.dir), 0o700, "data dir tightened");
    for p in [&wal, &shm, &v.db_path()] {
        if p.exists() {
            assert_eq!(mode(p), 0o600, "{} tightened", p.display());
        }
    }
    check_all("after whoami under umask 000");
    drop(conn);
}

/// SE-01: neither the password nor the session token is stored anywhere in the data dir
/// except the token in the session file; the store keeps only SHA-256 of the token.
#[test]
fn se_01_no_secrets_at_rest() {
    let v = Vault::new();
    let s = v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    // A reader that stays open keeps the WAL (with the login's pages) on disk for the scan.
    let conn = v.db();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    let l = v.login(EMAIL, PW).expect(EXIT_OK, "login");

    let raw = v.session_bytes();
    let text = String::from_utf8(raw.clone()).unwrap();
    let token_hex = v.token_hex();
    assert_eq!(
        text.trim_end(),
        format!("{{\"version\":1,\"token\":\"{token_hex}\"}}")
    );
    assert_eq!(token_hex.len(), 64);
    assert!(
        token_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let token = hex::decode(&token_hex).unwrap();

    let needles: [(&str, Vec<u8>); 4] = [
        ("password", PW.as_bytes().to_vec()),
        ("token hex", token_hex.as_bytes().to_vec()),
        ("token HEX", token_hex.to_uppercase().into_bytes()),
        ("raw token", token.clone()),
    ];
    let mut scanned = Vec::new();
    for e in fs::read_dir(&v.dir).unwrap() {
        let p = e.unwrap().path();
        if p == v.session_path() {
            continue;
        }
        let bytes = fs::read(&p).unwrap();
        for (what, needle) in &needles {
            assert!(!contains(&bytes, needle), "{what} found in {}", p.display());
        }
        scanned.push(p.file_name().unwrap().to_string_lossy().into_owned());
    }
    scanned.sort();
    assert!(scanned.contains(&"vaultty.db".to_owned()), "{scanned:?}");
    assert!(
        scanned.contains(&"vaultty.db-wal".to_owned()),
        "{scanned:?}"
    );
    for o in [&s, &l] {
        for (what, needle) in &needles {
            assert!(!contains(&o.stdout, needle), "{what} printed");
            assert!(!contains(&o.stderr, needle), "{what} printed");
        }
    }

    let digests: Vec<Vec<u8>> = conn
        .prepare("SELECT token_sha256 FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: [u8; 32] = Sha256::digest(&token).into();
    assert_eq!(digests, vec![expected.to_vec()]);
    let hash = v.password_hash(EMAIL);
    assert!(hash.starts_with("$vaultty-argon2id-v1$v=19$"), "{hash}");
    drop(conn);
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/// SE-02: a new login replaces the session in the session file; the old token is dead.
#[test]
fn se_02_second_login_revokes_the_first_session() {
    let v = Vault::alice();
    let first = v.session_bytes();
    v.login(EMAIL, PW).expect(EXIT_OK, "second login");
    let second = v.session_bytes();
    assert_ne!(first, second, "a new token");
    assert_eq!(v.count("sessions"), 1);

    v.put_session(&first);
    v.whoami().expect(EXIT_AUTH, "old session file");
    assert!(!v.session_exists(), "a dead session file is removed");
    v.put_session(&second);
    v.whoami().expect(EXIT_OK, "current session file");
}

/// SE-03: logout ends the session in the store, so a copy of the file is worthless.
#[test]
fn se_03_logout_revokes_copies_of_the_session_file() {
    let v = Vault::alice();
    let copy = v.session_bytes();
    v.run(&["logout"], None).expect(EXIT_OK, "logout");
    assert!(!v.session_exists());
    assert_eq!(v.count("sessions"), 0);

    v.put_session(&copy);
    v.whoami().expect(EXIT_AUTH, "restored copy after logout");
    assert_eq!(v.count("sessions"), 0);
    assert!(!v.session_exists(), "the restored file was removed");
}

/// SE-08 / FS-02: the session file is not a source of identity, and one that cannot be
/// trusted (wide mode, symlink) is rejected and removed without touching anything else.
#[test]
fn se_08_tampered_session_file_never_grants_another_account() {
    let v = Vault::alice();
    v.signup(OTHER_EMAIL, "Mallory Other", PW2)
        .expect(EXIT_OK, "second account");
    let good = v.session_bytes();
    let token = v.token_hex();

    // Claiming another identity in the file: ignored (or refused), never honoured.
    let forged = format!(
        "{{\"version\":1,\"token\":\"{token}\",\"email\":\"{OTHER_EMAIL}\",\"account_id\":2}}\n"
    );
    v.put_session(forged.as_bytes());
    let o = v.whoami_json();
    match o.code() {
        Some(EXIT_OK) => {
            let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(j["email"], EMAIL, "{j}");
        }
        Some(EXIT_AUTH) => {}
        c => panic!("forged session file: exit {c:?}: {}", o.err()),
    }
    assert!(!o.out().contains(OTHER_EMAIL));

    // One hex digit changed: no such session.
    let flipped = if token.starts_with('0') { "1" } else { "0" };
    let bad = format!("{{\"version\":1,\"token\":\"{flipped}{}\"}}\n", &token[1..]);
    v.put_session(bad.as_bytes());
    let o = v.whoami_json().expect(EXIT_AUTH, "token off by one digit");
    assert!(!o.out().contains(OTHER_EMAIL));
    assert!(!v.session_exists());

    // Readable by others: rejected and removed.
    v.put_session(&good);
    fs::set_permissions(v.session_path(), fs::Permissions::from_mode(0o644)).unwrap();
    v.whoami().expect(EXIT_AUTH, "session file 0644");
    assert!(!v.session_exists(), "the 0644 file is removed");

    // A symlink at the session path: rejected, the link (not the target) removed.
    let elsewhere = v.root().join("elsewhere");
    write_private(&elsewhere, &good);
    std::os::unix::fs::symlink(&elsewhere, v.session_path()).unwrap();
    v.whoami().expect(EXIT_AUTH, "session path is a symlink");
    assert!(!v.session_exists(), "the symlink is removed");
    assert_eq!(fs::read(&elsewhere).unwrap(), good, "target unchanged");

    // Login with a symlink planted there replaces the link, never writes through it.
    std::os::unix::fs::symlink(&elsewhere, v.session_path()).unwrap();
    v.login(EMAIL, PW).expect(EXIT_OK, "login over a symlink");
    assert_eq!(
        fs::read(&elsewhere).unwrap(),
        good,
        "target unchanged by login"
    );
    let meta = fs::symlink_metadata(v.session_path()).unwrap();
    assert!(meta.file_type().is_file(), "a regular file again");
    assert_eq!(meta.mode() & 0o777, 0o600);
    let o = v.whoami_json().expect(EXIT_OK, "after login");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["email"], EMAIL);
}

// ---------------------------------------------------------------------------------------------
// passwd
// ---------------------------------------------------------------------------------------------

#[test]
fn passwd_checks_current_refuses_weak_and_changes_the_password() {
    let v = Vault::new();
    v.passwd(PW, PW2)
        .expect(EXIT_AUTH, "passwd when logged out");
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    v.login(EMAIL, PW).expect(EXIT_OK, "login");
    let hash = v.password_hash(EMAIL);

    let o = v
        .passwd("wrong horse battery staple lamp", PW2)
        .expect(EXIT_AUTH, "wrong current password");
    assert!(
        o.err().contains("Current password is incorrect"),
        "{}",
        o.err()
    );
    let o = v
        .passwd(PW, "tooshort")
        .expect(EXIT_INVALID, "weak new password");
    // Named as the prompt names it (issue 13, item 15).
    assert!(o.err().contains("New password is"), "{}", o.err());
    v.passwd(PW, "qz7 vex plumb")
        .expect(EXIT_INVALID, "short new password");
    v.passwd(PW, PW).expect(EXIT_INVALID, "new equals current");
    v.run(
        &["passwd", "--password-stdin"],
        Some(format!("{PW}\n").as_bytes()),
    )
    .expect(EXIT_USAGE, "only one line on stdin");
    assert_eq!(
        v.password_hash(EMAIL),
        hash,
        "refused changes leave the hash"
    );

    let o = v.passwd(PW, PW2).expect(EXIT_OK, "passwd");
    assert!(o.err().contains("Password changed"), "{}", o.err());
    assert_ne!(v.password_hash(EMAIL), hash);
    v.whoami().expect(EXIT_OK, "this session stays");
    v.login(EMAIL, PW).expect(EXIT_AUTH, "old password");
    v.login(EMAIL, PW2).expect(EXIT_OK, "new password");
}

/// SE-06: changing the password ends every other session of the account; this one stays.
#[test]
fn se_06_passwd_ends_other_sessions() {
    let v = Vault::alice();
    let s1 = v.session_bytes();
    // A second terminal: remove the file by hand (not logout), so S1 stays live in the store.
    fs::remove_file(v.session_path()).unwrap();
    v.login(EMAIL, PW).expect(EXIT_OK, "second login");
    let s2 = v.session_bytes();
    assert_eq!(v.count("sessions"), 2);

    let o = v.passwd(PW, PW2).expect(EXIT_OK, "passwd from S2");
    assert!(o.err().contains("1 other session ended"), "{}", o.err());
    assert_eq!(v.count("sessions"), 1);

    v.put_session(&s1);
    v.whoami().expect(EXIT_AUTH, "S1 after passwd");
    v.put_session(&s2);
    v.whoami().expect(EXIT_OK, "S2 after passwd");
}

// ---------------------------------------------------------------------------------------------
// Terminal output
// ---------------------------------------------------------------------------------------------

/// TM-01: a hostile name in the store (written behind vaultty's back) cannot reach the
/// terminal as escape sequences, on any print path.
#[test]
fn tm_01_hostile_name_is_neutralised_on_every_print_path() {
    let hostile = "\x1b]52;c;ZWNobw==\x07\x1b[2J\u{9b}31m\u{202e}Eve";
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let changed = v
        .db()
        .execute(
            "UPDATE accounts SET name = ?1 WHERE email_norm = ?2",
            [hostile, EMAIL],
        )
        .unwrap();
    assert_eq!(changed, 1);

    let outs = [
        ("login", v.login(EMAIL, PW).expect(EXIT_OK, "login")),
        ("whoami", v.whoami().expect(EXIT_OK, "whoami")),
        (
            "whoami --json",
            v.whoami_json().expect(EXIT_OK, "whoami --json"),
        ),
    ];
    for (what, o) in &outs {
        for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            for bad in [0x1b_u8, 0x9b, 0x07] {
                assert!(
                    !bytes.contains(&bad),
                    "{what} {stream} contains byte {bad:#04x}: {:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
            assert!(
                !String::from_utf8_lossy(bytes).contains('\u{202e}'),
                "{what} {stream} contains U+202E"
            );
        }
    }
    // The harmless text around the controls is still shown.
    assert!(outs[0].1.err().contains("Eve"), "{}", outs[0].1.err());
    assert!(outs[1].1.out().contains("Eve"), "{}", outs[1].1.out());
    let j: serde_json::Value = serde_json::from_slice(&outs[2].1.stdout).unwrap();
    let name = j["name"].as_str().unwrap();
    assert!(
        name.ends_with("Eve") && name.contains("ZWNobw=="),
        "{name:?}"
    );
    assert!(!name.chars().any(|c| c.is_control()), "{name:?}");
}

/// TM-01: a name planted in the store with line and paragraph separators (U+2028, U+2029)
/// cannot forge a line such as "role: admin" in `whoami`'s text output.
#[test]
fn tm_01_line_separators_in_a_stored_name_cannot_forge_a_line() {
    let forged = "Eve\u{2028}role: admin\u{2029}email: root@example.com";
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let changed = v
        .db()
        .execute(
            "UPDATE accounts SET name = ?1 WHERE email_norm = ?2",
            [forged, EMAIL],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let login = v.login(EMAIL, PW).expect(EXIT_OK, "login");
    let whoami = v.whoami().expect(EXIT_OK, "whoami");
    let json = v.whoami_json().expect(EXIT_OK, "whoami --json");
    for (what, o) in [
        ("login", &login),
        ("whoami", &whoami),
        ("whoami --json", &json),
    ] {
        for (stream, text) in [("stdout", o.out()), ("stderr", o.err())] {
            assert!(
                !text.contains(['\u{2028}', '\u{2029}']),
                "{what} {stream} has a line separator: {text:?}"
            );
            for line in text.lines() {
                let line = line.trim_start();
                assert!(
                    !line.starts_with("role: admin") && !line.starts_with("email: root"),
                    "{what} {stream} has a forged line: {text:?}"
                );
            }
        }
    }
    assert!(whoami.out().contains("role: admin"), "{}", whoami.out());
}

/// ID-01: a name of filler characters alone is refused at signup, with the code point named.
#[test]
fn id_01_filler_name_refused_at_signup() {
    let v = Vault::new();
    for name in ["\u{3164}", "\u{2800}\u{2800}", "\u{115F}\u{1160}"] {
        let o = v
            .signup(EMAIL, name, PW)
            .expect(EXIT_INVALID, "filler name");
        assert!(
            o.err().contains("Name") && o.err().contains("U+"),
            "{}",
            o.err()
        );
    }
    assert!(!v.db_path().exists() || v.count("accounts") == 0);
}

/// ID-02: one mailbox cannot become several accounts: case, full-width forms and an IDN
/// domain in Punycode are the same account, and log in to it.
#[test]
fn id_02_one_mailbox_cannot_become_several_accounts() {
    let v = Vault::new();
    v.signup("ada@bücher.de", "Ada", PW)
        .expect(EXIT_OK, "signup");
    for other in [
        "ada@xn--bcher-kva.de",
        "ADA@XN--BCHER-KVA.DE",
        "ａｄａ@bücher.de",
        "ada@ｂüｃｈｅｒ.ｄｅ",
    ] {
        v.signup(other, "Mallory", PW2)
            .expect(EXIT_TAKEN, &format!("second account for {other:?}"));
    }
    assert_eq!(v.count("accounts"), 1);
    v.login("ada@xn--bcher-kva.de", PW)
        .expect(EXIT_OK, "login through the Punycode form");
}

/// What migrations 5 (the vault) and 4 (administration) added, taken away again: with the
/// statements above, a store as vaultty wrote it before issue 12.
const UNDO_MIGRATION_4: &str = "DROP TABLE vault_entries;
    DROP TABLE vault_keys;
    DROP TABLE reset_codes;
    DROP INDEX accounts_name;
    DROP INDEX auth_events_at;
    DROP INDEX auth_events_actor_at;
    ALTER TABLE auth_events DROP COLUMN actor;
    ALTER TABLE sessions DROP COLUMN authenticated_at;
    ALTER TABLE accounts DROP COLUMN expires_at;";

/// ID-02: a store written under the previous key (trimmed, NFC, lowercase) is migrated: old
/// keys are recomputed, so the account logs in under every form of its address, and throttle
/// rows follow their key.
#[test]
fn id_02_old_email_keys_are_migrated() {
    let v = Vault::new();
    v.signup("ada@xn--bcher-kva.de", "Ada", PW)
        .expect(EXIT_OK, "signup");
    let db = v.db();
    // What vaultty before issue 12 stored: the key was the address, lowercased.
    db.execute_batch(
        "UPDATE accounts SET email_norm = 'ada@xn--bcher-kva.de';
         INSERT INTO throttle (email_norm, failures, locked_until, updated_at)
             VALUES ('bob@xn--bcher-kva.de', 3, 0, 0);
         ALTER TABLE throttle DROP COLUMN refused;
         PRAGMA user_version = 1;",
    )
    .unwrap();
    db.execute_batch(UNDO_MIGRATION_4).unwrap();
    drop(db);
    v.login("ada@bücher.de", PW)
        .expect(EXIT_OK, "login with the Unicode form");
    let db = v.db();
    let norm: String = db
        .query_row("SELECT email_norm FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(norm, "ada@bücher.de");
    let failures: i64 = db
        .query_row(
            "SELECT failures FROM throttle WHERE email_norm = 'bob@bücher.de'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        failures, 3,
        "the throttle row kept its count under the new key"
    );
    v.login("ada@xn--bcher-kva.de", PW)
        .expect(EXIT_OK, "login with the Punycode form");
}

/// ID-02: two stored accounts that the new key makes one mailbox are not merged: the
/// migration is refused with a message naming both, and the store is left as it was.
#[test]
fn id_02_migration_refuses_two_accounts_for_one_mailbox() {
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let db = v.db();
    db.execute_batch(
        "INSERT INTO accounts (email, email_norm, name, password_hash, created_at)
             SELECT 'ａｌｉｃｅ@example.com', 'ａｌｉｃｅ@example.com', 'Twin', password_hash, 0
             FROM accounts;
         ALTER TABLE throttle DROP COLUMN refused;
         PRAGMA user_version = 1;",
    )
    .unwrap();
    db.execute_batch(UNDO_MIGRATION_4).unwrap();
    drop(db);
    let o = v
        .login(EMAIL, PW)
        .expect(EXIT_STORAGE, "login on a colliding store");
    assert!(
        o.err().contains("one mailbox") && o.err().contains("ａｌｉｃｅ@example.com"),
        "{}",
        o.err()
    );
    let db = v.db();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1, "the migration was rolled back");
    let norms: Vec<String> = db
        .prepare("SELECT email_norm FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(norms, [EMAIL, "ａｌｉｃｅ@example.com"]);
    assert!(!v.session_exists());
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

/// A signup of `email` started at once on the data dir `dir` (over `store`, if given).
fn spawn_signup(dir: &Path, store: Option<&str>, email: &str) -> Child {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_remove("VAULTTY_DATA_DIR")
        .env_remove("VAULTTY_STORE")
        .arg("--data-dir")
        .arg(dir);
    if let Some(store) = store {
        cmd.arg("--store").arg(store);
    }
    let mut child = cmd
        .args([
            "signup",
            "--email",
            email,
            "--name",
            NAME,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PW}\n").as_bytes())
        .unwrap();
    child
}

fn wait_all(children: Vec<Child>) -> Vec<Out> {
    children
        .into_iter()
        .map(|c| Out::from(c.wait_with_output().unwrap()))
        .collect()
}

fn assert_no_lock_errors(outs: &[Out]) {
    for o in outs {
        let e = o.err();
        assert!(!e.contains("database is locked"), "{e}");
        assert!(!e.contains("stayed locked"), "{e}");
    }
}

conformance! {
    /// Eight first-time signups at once, on a data dir that does not exist yet: every one
    /// succeeds (store creation and migration race too).
    fn concurrent_signups_of_distinct_emails_all_succeed() {
        let sb = Sandbox::new();
        let store = sb.store_url();
        let children: Vec<Child> = (0..8)
            .map(|i| spawn_signup(&sb.dir, store.as_deref(), &format!("user{i}@example.com")))
            .collect();
        let outs = wait_all(children);
        assert_no_lock_errors(&outs);
        for (i, o) in outs.iter().enumerate() {
            assert_eq!(o.code(), Some(EXIT_OK), "signup #{i}: {}", o.err());
        }
        assert_eq!(sb.inspect().count(Table::Accounts).unwrap(), 8);
    }
}

conformance! {
    /// Six signups racing for one email: exactly one wins, the rest are told it is taken (or,
    /// since signups are throttled per email like logins, the ones after the fifth try may be
    /// told to wait). The database's uniqueness constraint decides, on either store.
    fn concurrent_signups_of_one_email_exactly_one_wins() {
        let sb = Sandbox::new();
        let store = sb.store_url();
        drop(sb.store().unwrap()); // the store exists (migrated) before the race
        let children: Vec<Child> = (0..6)
            .map(|i| {
                let email = if i % 2 == 0 {
                    "race@example.com"
                } else {
                    "RACE@Example.com"
                };
                spawn_signup(&sb.dir, store.as_deref(), email)
            })
            .collect();
        let outs = wait_all(children);
        assert_no_lock_errors(&outs);
        let mut codes: Vec<i32> = outs
            .iter()
            .map(|o| match o.code().unwrap_or(-1) {
                EXIT_THROTTLED => EXIT_TAKEN,
                c => c,
            })
            .collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            [
                EXIT_OK, EXIT_TAKEN, EXIT_TAKEN, EXIT_TAKEN, EXIT_TAKEN, EXIT_TAKEN
            ],
            "{:?}",
            outs.iter().map(Out::err).collect::<Vec<_>>()
        );
        assert_eq!(sb.inspect().count(Table::Accounts).unwrap(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Data dir resolution
// ---------------------------------------------------------------------------------------------

#[test]
fn data_dir_from_env_and_flag_wins() {
    // Signup creates the store, so where it appears shows which data dir was used.
    let tmp = tempfile::tempdir().unwrap();
    let from_env = tmp.path().join("env");
    let from_flag = tmp.path().join("flag");
    let signup = |env: Option<&Path>, flag: Option<(&Path, bool)>, what: &str| {
        let mut c = assert_cmd::Command::new(BIN);
        c.env_remove("VAULTTY_DATA_DIR").timeout(TIMEOUT);
        if let Some(e) = env {
            c.env("VAULTTY_DATA_DIR", e);
        }
        let args = [
            "signup",
            "--email",
            EMAIL,
            "--name",
            NAME,
            "--password-stdin",
        ];
        match flag {
            // The flag may also come after the command.
            Some((dir, true)) => c.args(args).arg("--data-dir").arg(dir),
            Some((dir, false)) => c.arg("--data-dir").arg(dir).args(args),
            None => c.args(args),
        };
        c.write_stdin(format!("{PW}\n"));
        Out::from(c.output().unwrap()).expect(EXIT_OK, what);
    };
    signup(Some(&from_env), None, "signup via env");
    assert!(from_env.join("vaultty.db").exists());
    signup(
        Some(&from_env),
        Some((&from_flag, false)),
        "signup via flag",
    );
    assert!(from_flag.join("vaultty.db").exists());
    let later = tmp.path().join("later");
    signup(None, Some((&later, true)), "signup, flag after command");
    assert!(later.join("vaultty.db").exists());
}

/// Issue 13, item 16: a command that waits more than a second for another process's write lock
/// says so on stderr, then goes on when the lock is free.
#[test]
fn cli_16_a_wait_on_a_busy_store_says_so() {
    let v = Vault::new();
    v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let db = v.db();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1800));
        db.execute_batch("COMMIT").unwrap();
    });
    let o = v.login(EMAIL, PW);
    release.join().unwrap();
    let o = o.expect(EXIT_OK, "login behind a busy store");
    assert!(
        o.err().contains("Waiting for another vaultty to finish…"),
        "{}",
        o.err()
    );
    // A store that is not busy says nothing of the kind.
    let o = v.login(EMAIL, PW).expect(EXIT_OK, "login");
    assert!(!o.err().contains("Waiting"), "{}", o.err());
}

/// Issue 13, item 14: hints that work as printed and say what they mean.
#[test]
fn cli_14_hints_are_complete_and_true() {
    let v = Vault::new();
    let o = v.signup(EMAIL, NAME, PW).expect(EXIT_OK, "signup");
    let hint = format!(
        "vaultty --data-dir {} login --email {EMAIL}",
        v.dir.display()
    );
    assert!(
        o.err().contains(&hint),
        "the hint names the data dir: {}",
        o.err()
    );
    v.login(EMAIL, PW).expect(EXIT_OK, "login");
    let o = v.whoami().expect(EXIT_OK, "whoami");
    assert!(o.out().contains("logged in:"), "{}", o.out());
    assert!(!o.out().contains("last login:"), "ambiguous: {}", o.out());
    // Every flag of every command has help text.
    for cmd in ["signup", "login", "logout", "whoami", "passwd"] {
        let o = v.run(&[cmd, "--help"], None).expect(EXIT_OK, "help");
        for line in o.out().lines().filter(|l| l.trim_start().starts_with("--")) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let described = words.len() > 1 && !words[1].starts_with('<') || words.len() > 2;
            assert!(described, "{cmd}: a flag without help: {line:?}");
        }
    }
    // A wait of more than 90 s is given in minutes.
    assert_eq!(vaultty::error::wait_text(90), "90 s");
    assert_eq!(vaultty::error::wait_text(3600), "60 min");
    assert_eq!(vaultty::error::wait_text(961), "17 min");
}

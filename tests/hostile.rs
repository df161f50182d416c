//! Hostile input corpus, fed to the real binary (and to the library where the binary cannot
//! be reached: arguments cannot carry NUL bytes, and the kernel refuses a single argument of
//! 128 KiB or more with E2BIG before vaultty ever runs).
//!
//! For every input: the exact documented exit code, a message on stderr, no panic, and no
//! raw ESC (0x1B), CSI (0x9B) or BEL byte, nor any other control, bidi or invisible
//! formatting character, on stdout or stderr; and, when the input is refused, nothing on disk
//! changed.
//!
//! "Nothing changed" is checked with [`Snapshot`]: every file of the data dir other than the
//! store byte for byte (names, modes, bytes, symlink targets, FIFOs), and the store
//! logically: schema, `user_version`, `application_id` and every row of every table. Byte
//! comparison of the store is too strict: any command that opens it may create and, on
//! closing, checkpoint and delete `-wal`/`-shm`, which changes bytes but no row. Two
//! deliberate exceptions, stated where they apply: `sessions.last_seen_at` (any command run
//! with a valid session refreshes it before it reads its input: "using it refreshes it"), and
//! the throttle and `auth_events` rows of a wrong-password login (exit 3 is not a refusal of
//! the input: the attempt is counted, by design). Where no process can have written at all
//! (read-only data dir, full disk) the comparison is strict.
//!
//! Full disk: a small tmpfs is mounted on a temp dir when this process may mount (root in
//! CI); otherwise every write is made to fail with `RLIMIT_FSIZE` = 0 set in the child
//! (SIGXFSZ ignored, so writes fail with EFBIG instead of killing it). Each full-disk test
//! prints which one ran. `VAULTTY_TEST_NO_MOUNT=1` forces the fallback.
//!
//! Two tests here fail on purpose: they document bugs in src/ (see their doc comments).

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const EMAIL: &str = "alice@example.com";
const NAME: &str = "Alice Liddell";
const NEW_EMAIL: &str = "mallory@example.com";

/// A temporary data dir (`<tempdir>/data`).
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
    /// An empty store (no hash computed).
    fn empty_store() -> Self {
        let v = Vault::new();
        create_store(&v.dir);
        v
    }
    /// Alice signed up (one Argon2 run).
    fn alice() -> Self {
        let v = Vault::new();
        signup(&v.dir, EMAIL, NAME, PW1).expect(EXIT_OK, "signup");
        v
    }
    /// Alice signed up and logged in (two Argon2 runs).
    fn alice_logged_in() -> Self {
        let v = Vault::alice();
        login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "login");
        v
    }
    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        run(&self.dir, args, stdin)
    }
    fn signup_raw(&self, email: &str, name: &str, stdin: &[u8]) -> Out {
        signup_raw(&self.dir, email, name, stdin)
    }
    fn login_raw(&self, email: &str, stdin: &[u8]) -> Out {
        login_raw(&self.dir, email, stdin)
    }
    fn passwd_raw(&self, stdin: &[u8]) -> Out {
        self.run(&["passwd", "--password-stdin"], Some(stdin))
    }
    fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.dir)
    }
    fn db(&self) -> rusqlite::Connection {
        open_db(&self.dir)
    }
    fn session(&self) -> PathBuf {
        session_path(&self.dir)
    }
    fn session_exists(&self) -> bool {
        fs::symlink_metadata(self.session()).is_ok()
    }
    fn hash(&self) -> String {
        password_hash(&self.db(), EMAIL).expect("alice exists")
    }
}

fn line(pw: &str) -> Vec<u8> {
    format!("{pw}\n").into_bytes()
}

/// `current\nnew\n` as bytes, either part possibly not UTF-8.
fn two_lines(current: &[u8], new: &[u8]) -> Vec<u8> {
    let mut v = current.to_vec();
    v.push(b'\n');
    v.extend_from_slice(new);
    v.push(b'\n');
    v
}

// ---------------------------------------------------------------------------------------------
// SQL injection (AU-08)
// ---------------------------------------------------------------------------------------------

const SQL_INJECTIONS: [&str; 5] = [
    "' OR '1'='1' --",
    "\"; DROP TABLE accounts; --",
    "a@b.c' --",
    "alice@example.com' --",
    "x@example.com';DROP/**/TABLE/**/accounts;--",
];

/// SQL in the email argument is refused by the email rules (exit 6) at signup and login, and
/// nothing changes; SQL as a password is just a wrong password (exit 3, no session).
#[test]
fn au_08_hostile_sql_injection_in_email() {
    let v = Vault::alice();
    let before = v.snapshot();
    for email in SQL_INJECTIONS {
        let o = v.signup_raw(email, NAME, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("signup --email {email:?}"));
        assert!(o.err().contains("Email"), "{}", o.err());
        let o = v.login_raw(email, &line(PW1));
        assert_refused(&o, EXIT_INVALID, &format!("login --email {email:?}"));
    }
    before.assert_unchanged(&v.dir, "refused SQL-injection emails");

    // As a password: an ordinary wrong password.
    for pw in ["' OR '1'='1' --", "x' OR 1=1; DROP TABLE accounts; --"] {
        let o = v.login_raw(EMAIL, &line(pw));
        assert_refused(&o, EXIT_AUTH, &format!("login with password {pw:?}"));
    }
    assert!(!v.session_exists(), "no session from an injected password");
    let after = v.snapshot();
    let (b, a) = (before.store.unwrap(), after.store.unwrap());
    for table in ["accounts", "sessions", "<schema>"] {
        assert_eq!(b.tables[table], a.tables[table], "{table} changed");
    }
}

/// Quotes and SQL comment markers are legal in an email's local part and in a name: such an
/// account is stored literally (data, never code), and every table survives.
#[test]
fn au_08_hostile_sql_injection_in_valid_email_and_name_is_stored_as_data() {
    let v = Vault::empty_store();
    let email = "o'hara'--@example.com";
    let name = "Robert'); DROP TABLE accounts;--";
    let o = signup(&v.dir, email, name, PW2).expect(EXIT_OK, "signup");
    assert_clean_output(&o, "signup");
    let rows = accounts(&v.db());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].email, email);
    assert_eq!(rows[0].name, name);
    let tables: i64 = v
        .db()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
             ('accounts', 'sessions', 'throttle', 'auth_events')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 4, "every table survives");
    let o = login(&v.dir, email, PW2).expect(EXIT_OK, "login");
    assert_clean_output(&o, "login");
    let o = whoami(&v.dir).expect(EXIT_OK, "whoami --json");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["email"], email);
    assert_eq!(j["name"], name);
}

// ---------------------------------------------------------------------------------------------
// Terminal escapes, bidi overrides, zero-width characters (TM-01, TM-02)
// ---------------------------------------------------------------------------------------------

const ESCAPES: [(&str, &str); 5] = [
    ("CSI clear screen", "\x1b[2J"),
    ("OSC 52 clipboard", "\x1b]52;c;ZWNobw==\x07"),
    ("OSC 8 hyperlink", "\x1b]8;;http://x\x1b\\"),
    ("C1 CSI", "\u{9b}31m"),
    ("DEL", "\x7f"),
];

#[test]
fn tm_02_hostile_terminal_escapes_in_name() {
    let v = Vault::empty_store();
    let before = v.snapshot();
    for (what, esc) in ESCAPES {
        for name in [
            format!("Eve{esc}"),
            format!("{esc}Eve"),
            format!("E{esc}ve"),
        ] {
            let o = v.signup_raw(NEW_EMAIL, &name, &line(PW2));
            assert_refused(&o, EXIT_INVALID, &format!("name with {what}"));
            assert!(o.err().contains("Name"), "{what}: {}", o.err());
        }
    }
    before.assert_unchanged(&v.dir, "names with terminal escapes");
}

#[test]
fn tm_02_hostile_terminal_escapes_in_email() {
    let v = Vault::empty_store();
    let before = v.snapshot();
    for (what, esc) in ESCAPES {
        for email in [
            format!("eve{esc}@example.com"),
            format!("eve@example.com{esc}"),
            format!("{esc}eve@example.com"),
        ] {
            let o = v.signup_raw(&email, NAME, &line(PW2));
            assert_refused(&o, EXIT_INVALID, &format!("signup, email with {what}"));
            assert!(o.err().contains("Email"), "{what}: {}", o.err());
            let o = v.login_raw(&email, &line(PW2));
            assert_refused(&o, EXIT_INVALID, &format!("login, email with {what}"));
        }
    }
    before.assert_unchanged(&v.dir, "emails with terminal escapes");
}

#[test]
fn tm_02_hostile_bidi_override_in_name_and_email() {
    let v = Vault::empty_store();
    let before = v.snapshot();
    for bidi in ['\u{202e}', '\u{202d}', '\u{2066}', '\u{200f}'] {
        let name = format!("Eve{bidi}gnp.exe");
        let o = v.signup_raw(NEW_EMAIL, &name, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("name with {bidi:?}"));
        assert!(o.err().contains("Name"), "{}", o.err());
        let email = format!("eve{bidi}moc@example.com");
        let o = v.signup_raw(&email, NAME, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("email with {bidi:?}"));
        let o = v.login_raw(&email, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("login, email with {bidi:?}"));
    }
    before.assert_unchanged(&v.dir, "bidi overrides");
}

#[test]
fn tm_02_hostile_zero_width_characters_in_name_and_email() {
    let v = Vault::empty_store();
    let before = v.snapshot();
    for zw in ['\u{200b}', '\u{feff}', '\u{2060}'] {
        for name in [format!("Al{zw}ice"), format!("{zw}Alice"), zw.to_string()] {
            let o = v.signup_raw(NEW_EMAIL, &name, &line(PW2));
            assert_refused(&o, EXIT_INVALID, &format!("name with {zw:?}"));
        }
        // An invisible character would make a look-alike of an existing address.
        let email = format!("ali{zw}ce@example.com");
        let o = v.signup_raw(&email, NAME, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("email with {zw:?}"));
        let o = v.login_raw(&email, &line(PW2));
        assert_refused(&o, EXIT_INVALID, &format!("login, email with {zw:?}"));
    }
    before.assert_unchanged(&v.dir, "zero-width characters");
}

/// Escapes in a password line: refused for a new password (control characters), a plain
/// wrong password at login; never echoed.
#[test]
fn tm_01_hostile_terminal_escapes_in_password_line() {
    let v = Vault::alice();
    let before = v.snapshot();
    for (what, esc) in ESCAPES {
        let pw = format!("violet tractor {esc} sings under amber rain");
        let o = v.signup_raw(NEW_EMAIL, "Mallory", &line(&pw));
        assert_refused(&o, EXIT_INVALID, &format!("signup, password with {what}"));
        assert!(o.err().contains("Password"), "{}", o.err());
    }
    before.assert_unchanged(&v.dir, "new passwords with terminal escapes");
    let o = v.login_raw(EMAIL, &line(&format!("{PW1}{}", ESCAPES[1].1)));
    assert_refused(&o, EXIT_AUTH, "login, password with OSC 52");
    assert!(!v.session_exists());
}

/// A name and an email full of escapes written into the store behind vaultty's back (TM-01:
/// vaultty must sanitize again on output): login, whoami, whoami --json and logout print
/// them neutralised.
#[test]
fn tm_01_hostile_email_and_name_in_the_store_are_neutralised() {
    let v = Vault::alice();
    let hostile_email = "a\x1b]8;;http://evil\x1b\\\u{202e}@example.com\u{9b}2J\u{200b}";
    let hostile_name = "\x1b]52;c;ZWNobw==\x07Eve\x1b[2J\u{feff}";
    let n = v
        .db()
        .execute(
            "UPDATE accounts SET email = ?1, name = ?2 WHERE email_norm = ?3",
            [hostile_email, hostile_name, EMAIL],
        )
        .unwrap();
    assert_eq!(n, 1);
    // The normalized email is unchanged, so alice still logs in with her address.
    let o = login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "login");
    assert_clean_output(&o, "login");
    assert!(o.err().contains("Eve"), "{}", o.err());
    let o = v.run(&["whoami"], None).expect(EXIT_OK, "whoami");
    assert_clean_output(&o, "whoami");
    assert!(o.out().contains("example.com"), "{}", o.out());
    let o = whoami(&v.dir).expect(EXIT_OK, "whoami --json");
    assert_clean_output(&o, "whoami --json");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["email", "name"] {
        let s = j[key].as_str().unwrap();
        assert!(!s.chars().any(is_forbidden_char), "{key}: {s:?}");
    }
    let o = logout(&v.dir).expect(EXIT_OK, "logout");
    assert_clean_output(&o, "logout");
}

/// Escapes (and invalid UTF-8) in the data dir's path reach messages through "the message
/// names the file": they must be neutralised there too.
#[test]
fn tm_01_escape_sequences_in_data_dir_path_are_neutralised() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let mut raw = b"evil\x1b]52;c;ZWNobw==\x07\x1b[2J".to_vec();
    raw.extend_from_slice("\u{9b}31m\u{202e}\u{200b}".as_bytes());
    raw.extend_from_slice(b"\xff-dir");
    let dir = tmp.path().join(std::ffi::OsStr::from_bytes(&raw));
    // A corrupt store: exit 1 with the path in the message.
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 13) as u8).collect();
    fs::write(dir.join("vaultty.db"), &junk).unwrap();
    fs::set_permissions(dir.join("vaultty.db"), fs::Permissions::from_mode(0o600)).unwrap();
    for args in [&["whoami"][..], &["logout"][..]] {
        let o = run(&dir, args, None);
        assert_refused(&o, EXIT_STORAGE, &format!("{args:?} in a hostile path"));
        assert!(o.err().contains("vaultty.db"), "{}", o.err());
        assert!(
            o.err().contains("ZWNobw=="),
            "the path is still shown: {}",
            o.err()
        );
    }
    assert_eq!(fs::read(dir.join("vaultty.db")).unwrap(), junk);
    // A data dir below a regular file: cannot be created.
    let file = tmp
        .path()
        .join(std::ffi::OsStr::from_bytes(b"plain\x1b[2Jfile"));
    fs::write(&file, b"x").unwrap();
    let o = run(&file.join("data"), &["whoami"], None);
    assert_refused(&o, EXIT_STORAGE, "data dir below a file");
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8
// ---------------------------------------------------------------------------------------------

const BAD_UTF8: [(&str, &[u8]); 6] = [
    ("0xFF 0xFE", b"correct horse \xff\xfe battery staple"),
    ("overlong '/'", b"correct horse \xc0\xaf battery staple"),
    (
        "UTF-16 surrogate",
        b"correct horse \xed\xa0\x80 battery staple",
    ),
    (
        "lone continuation byte",
        b"\x80correct horse battery staple",
    ),
    ("Latin-1 text", b"caf\xe9 correct horse battery staple"),
    (
        "truncated sequence at EOF",
        b"correct horse battery staple \xe2\x82",
    ),
];

#[test]
fn hostile_invalid_utf8_on_stdin() {
    let v = Vault::alice_logged_in();
    let hash = v.hash();
    let before = v.snapshot();
    for (what, bytes) in BAD_UTF8 {
        // With and without the final newline.
        for input in [bytes.to_vec(), [bytes, b"\n"].concat()] {
            let o = v.signup_raw(NEW_EMAIL, "Mallory", &input);
            assert_refused(&o, EXIT_INVALID, &format!("signup, {what}"));
            assert!(o.err().contains("UTF-8"), "{what}: {}", o.err());
            let o = v.login_raw(EMAIL, &input);
            assert_refused(&o, EXIT_INVALID, &format!("login, {what}"));
        }
        let o = v.passwd_raw(&two_lines(bytes, PW2.as_bytes()));
        assert_refused(
            &o,
            EXIT_INVALID,
            &format!("passwd, current password {what}"),
        );
        assert!(o.err().contains("Current password"), "{}", o.err());
        let o = v.passwd_raw(&two_lines(PW1.as_bytes(), bytes));
        assert_refused(&o, EXIT_INVALID, &format!("passwd, new password {what}"));
    }
    // sessions.last_seen_at excepted: passwd refreshes the session before reading stdin.
    before.assert_unchanged(&v.dir, "invalid UTF-8 on stdin");
    assert_eq!(v.hash(), hash);
    whoami(&v.dir).expect(EXIT_OK, "the session survives");
}

/// Arguments are not text either: clap refuses invalid UTF-8 as a usage error, before
/// anything is created.
#[test]
fn hostile_invalid_utf8_in_arguments() {
    use std::os::unix::ffi::OsStrExt;
    let v = Vault::new();
    let bad = std::ffi::OsStr::from_bytes(b"al\xffice@example.com");
    for (what, args) in [
        (
            "email",
            vec![
                "signup".as_ref(),
                "--email".as_ref(),
                bad,
                "--name".as_ref(),
                NAME.as_ref(),
                "--password-stdin".as_ref(),
            ],
        ),
        (
            "name",
            vec![
                "signup".as_ref(),
                "--email".as_ref(),
                EMAIL.as_ref(),
                "--name".as_ref(),
                std::ffi::OsStr::from_bytes(b"Al\xc0\xafice"),
                "--password-stdin".as_ref(),
            ],
        ),
        (
            "login email",
            vec![
                "login".as_ref(),
                "--email".as_ref(),
                bad,
                "--password-stdin".as_ref(),
            ],
        ),
    ] {
        let mut c = vaultty(&v.dir, &[]);
        c.args(args);
        let o = run_cmd(c, Some(&line(PW1)), TIMEOUT);
        assert_refused(
            &o,
            EXIT_USAGE,
            &format!("invalid UTF-8 in the {what} argument"),
        );
    }
    assert!(!v.dir.exists(), "usage errors create nothing");
}

// ---------------------------------------------------------------------------------------------
// 1 MB fields
// ---------------------------------------------------------------------------------------------

const MB: usize = 1 << 20;
/// The longest single argument Linux passes to exec (MAX_ARG_STRLEN, NUL included).
const MAX_ARG: usize = 32 * 4096 - 1;

/// A 1 MB argument never reaches vaultty (E2BIG from exec); the longest argument that does
/// is refused as an email and as a name, without echoing it.
#[test]
fn hostile_1mb_email_and_name_arguments() {
    let v = Vault::empty_store();
    let huge_email = format!("{}@example.com", "a".repeat(MB));
    let err = vaultty(&v.dir, &["signup", "--email", &huge_email, "--name", NAME])
        .spawn()
        .expect_err("the kernel passes a 1 MB argument?");
    assert_eq!(err.raw_os_error(), Some(libc::E2BIG), "{err}");

    let before = v.snapshot();
    let email = format!("{}@example.com", "a".repeat(MAX_ARG - "@example.com".len()));
    let name = "N".repeat(MAX_ARG);
    assert_eq!(email.len(), MAX_ARG);
    for (what, o) in [
        ("signup, huge email", v.signup_raw(&email, NAME, &line(PW2))),
        (
            "signup, huge name",
            v.signup_raw(NEW_EMAIL, &name, &line(PW2)),
        ),
        ("login, huge email", v.login_raw(&email, &line(PW2))),
    ] {
        assert_refused(&o, EXIT_INVALID, what);
        assert!(o.err().contains("too long"), "{what}: {}", o.err());
        assert!(o.stderr.len() < 1000, "{what}: the value was echoed");
    }
    before.assert_unchanged(&v.dir, "huge arguments");
}

/// Through the library, where 1 MB fields (and NUL bytes, which no argument can carry) do
/// arrive: refused as invalid, nothing stored.
#[test]
fn hostile_1mb_and_nul_email_and_name_through_the_library() {
    use vaultty::{Error, Field, HashParams, Options, Password};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = vaultty::open_with(
        &dir,
        Options {
            hash: HashParams::insecure_for_tests(64, 1, 1),
            ..Options::default()
        },
    )
    .unwrap();
    let pw = Password::from(PW1);
    let huge_local = format!("{}@example.com", "a".repeat(MB));
    let huge_name = "N".repeat(MB);
    let fields = |e: Error| -> Vec<(Field, String)> {
        match e {
            Error::Invalid(v) => v.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    };
    let cases: [(&str, &str, &str, Field); 5] = [
        ("1 MB email", &huge_local, NAME, Field::Email),
        ("1 MB name", EMAIL, &huge_name, Field::Name),
        ("NUL in email", "ali\0ce@example.com", NAME, Field::Email),
        ("NUL in name", EMAIL, "Ali\0ce", Field::Name),
        ("NUL-only name", EMAIL, "\0", Field::Name),
    ];
    for (what, email, name, field) in cases {
        let errs = fields(v.signup(email, name, &pw).unwrap_err());
        assert!(errs.iter().any(|(f, _)| *f == field), "{what}: {errs:?}");
        for (_, m) in &errs {
            assert!(m.len() < 200 && !m.contains('\0'), "{what}: echoed: {m:?}");
        }
    }
    for email in [huge_local.as_str(), "ali\0ce@example.com"] {
        let errs = fields(v.login(email, &pw).unwrap_err());
        assert_eq!(errs[0].0, Field::Email);
    }
    assert_eq!(v.store().count_accounts().unwrap(), 0);
}

/// 1 MB password lines for passwd (signup and login are covered in tests/cli.rs), with and
/// without a newline: refused, never cut.
#[test]
fn hostile_1mb_password_lines_for_passwd() {
    let v = Vault::alice_logged_in();
    let hash = v.hash();
    let before = v.snapshot();
    let huge = "a".repeat(MB);
    for (what, input) in [
        ("1 MB current", two_lines(huge.as_bytes(), PW2.as_bytes())),
        ("1 MB new", two_lines(PW1.as_bytes(), huge.as_bytes())),
        (
            "1 MB new, no newline",
            [line(PW1), huge.clone().into_bytes()].concat(),
        ),
        ("1 MB of newlines", vec![b'\n'; MB]),
    ] {
        // (1 MB of newlines: two empty lines, and an empty new password is refused.)
        let o = v.passwd_raw(&input);
        assert_refused(&o, EXIT_INVALID, &format!("passwd, {what}"));
    }
    let o = v.signup_raw(NEW_EMAIL, "Mallory", huge.as_bytes());
    assert_refused(&o, EXIT_INVALID, "signup, 1 MB without newline");
    assert!(o.err().contains("too long"), "{}", o.err());
    before.assert_unchanged(&v.dir, "1 MB password lines");
    assert_eq!(v.hash(), hash);
}

// ---------------------------------------------------------------------------------------------
// NUL bytes
// ---------------------------------------------------------------------------------------------

#[test]
fn hostile_nul_bytes_in_password_lines() {
    let v = Vault::alice_logged_in();
    let hash = v.hash();
    let nul_pw = "violet tractor\0sings under amber rain";
    let before = v.snapshot();
    let o = v.signup_raw(NEW_EMAIL, "Mallory", &line(nul_pw));
    assert_refused(&o, EXIT_INVALID, "signup, NUL in the password");
    assert!(o.err().contains("control characters"), "{}", o.err());
    let o = v.passwd_raw(&two_lines(PW1.as_bytes(), nul_pw.as_bytes()));
    assert_refused(&o, EXIT_INVALID, "passwd, NUL in the new password");
    before.assert_unchanged(&v.dir, "NUL in new passwords");

    // Not a new password: just a wrong one (exit 3), counted like any failure.
    let o = v.login_raw(EMAIL, &line(&format!("{PW1}\0")));
    assert_refused(&o, EXIT_AUTH, "login, password with a NUL appended");
    login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "login again");
    let o = v.passwd_raw(&two_lines(format!("{PW1}\0").as_bytes(), PW2.as_bytes()));
    assert_refused(&o, EXIT_AUTH, "passwd, NUL in the current password");
    assert_eq!(v.hash(), hash, "the password did not change");
    login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "the old password still works");
}

// ---------------------------------------------------------------------------------------------
// The session file (FS-02)
// ---------------------------------------------------------------------------------------------

/// A FIFO at the session path: no command blocks on it; it is never trusted, removed by
/// whoami/logout/passwd and replaced by a regular file at login.
#[test]
fn fs_02_session_file_is_a_fifo() {
    let v = Vault::alice();
    mkfifo(&v.session());
    let o = v.run(&["whoami"], None);
    assert_refused(&o, EXIT_AUTH, "whoami with a FIFO");
    assert!(!v.session_exists(), "whoami removed the FIFO");

    mkfifo(&v.session());
    let o = logout(&v.dir).expect(EXIT_OK, "logout with a FIFO");
    assert_clean_output(&o, "logout");
    assert!(o.err().contains("No session"), "{}", o.err());
    assert!(!v.session_exists(), "logout removed the FIFO");

    mkfifo(&v.session());
    let before = v.snapshot();
    let o = v.passwd_raw(&two_lines(PW1.as_bytes(), PW2.as_bytes()));
    assert_refused(&o, EXIT_AUTH, "passwd with a FIFO");
    assert!(!v.session_exists(), "passwd removed the FIFO");
    let after = v.snapshot();
    assert_eq!(before.store, after.store, "passwd changed the store");

    mkfifo(&v.session());
    let o = login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "login over a FIFO");
    assert_clean_output(&o, "login");
    assert!(matches!(
        session_file_state(&v.dir),
        Ok(SessionFileState::Valid(_))
    ));
    whoami(&v.dir).expect(EXIT_OK, "whoami after login");
}

/// Symlinks at the session path for logout and passwd (whoami and login are in tests/cli.rs):
/// never followed, never written through, removed; the token they point to is not used.
#[test]
fn fs_02_session_file_is_a_symlink() {
    let v = Vault::alice_logged_in();
    let elsewhere = v.tmp.path().join("elsewhere");
    fs::rename(v.session(), &elsewhere).unwrap();
    let good = fs::read(&elsewhere).unwrap();
    let hash = v.hash();

    std::os::unix::fs::symlink(&elsewhere, v.session()).unwrap();
    let o = logout(&v.dir).expect(EXIT_OK, "logout through a symlink");
    assert_clean_output(&o, "logout");
    assert!(o.err().contains("No session"), "{}", o.err());
    assert!(!v.session_exists(), "the symlink is removed");
    assert_eq!(fs::read(&elsewhere).unwrap(), good, "target untouched");
    assert_eq!(
        count(&v.db(), "sessions"),
        1,
        "the linked token was not used"
    );

    std::os::unix::fs::symlink(&elsewhere, v.session()).unwrap();
    let o = v.passwd_raw(&two_lines(PW1.as_bytes(), PW2.as_bytes()));
    assert_refused(&o, EXIT_AUTH, "passwd through a symlink");
    assert!(!v.session_exists(), "the symlink is removed");
    assert_eq!(fs::read(&elsewhere).unwrap(), good, "target untouched");
    assert_eq!(v.hash(), hash, "the password did not change");

    // A link to the store itself, and a dangling link.
    std::os::unix::fs::symlink("vaultty.db", v.session()).unwrap();
    let o = v.run(&["whoami"], None);
    assert_refused(&o, EXIT_AUTH, "whoami, session -> vaultty.db");
    assert!(!v.session_exists());
    assert!(fs::symlink_metadata(db_path(&v.dir)).unwrap().is_file());
    assert_eq!(integrity_check(&v.db()), "ok");
    assert_eq!(count(&v.db(), "accounts"), 1);
    std::os::unix::fs::symlink(v.tmp.path().join("nowhere"), v.session()).unwrap();
    logout(&v.dir).expect(EXIT_OK, "logout, dangling link");
    assert!(!v.session_exists());
    assert!(
        !v.tmp.path().join("nowhere").exists(),
        "nothing created at the target"
    );

    // The real token, put back as a proper file, is still valid: nothing above used it.
    fs::rename(&elsewhere, v.session()).unwrap();
    whoami(&v.dir).expect(EXIT_OK, "the original session");
}

/// A directory at the session path cannot be removed without deleting what is in it:
/// vaultty fails closed (exit 1, naming the path), leaves it alone, and a login creates no
/// session that nobody holds.
#[test]
fn fs_02_session_path_is_a_directory_fails_closed() {
    let v = Vault::alice();
    fs::create_dir(v.session()).unwrap();
    fs::write(v.session().join("keep"), b"precious").unwrap();
    let before = v.snapshot();
    for args in [&["whoami"][..], &["logout"][..]] {
        let o = v.run(args, None);
        assert_refused(
            &o,
            EXIT_STORAGE,
            &format!("{args:?}, session is a directory"),
        );
        assert!(o.err().contains("session"), "{}", o.err());
    }
    before.assert_unchanged(&v.dir, "session path is a directory");
    let o = login(&v.dir, EMAIL, PW1);
    assert_refused(&o, EXIT_STORAGE, "login, session is a directory");
    assert!(o.err().contains("session"), "{}", o.err());
    assert_eq!(
        count(&v.db(), "sessions"),
        0,
        "no session nobody holds a token for"
    );
    assert_eq!(
        fs::read(v.session().join("keep")).unwrap(),
        b"precious",
        "the directory is left alone"
    );
    assert!(session_temp_files(&v.dir).is_empty(), "no temp file left");
}

/// Session files with hostile content (huge, escapes, NUL, invalid UTF-8): never trusted,
/// never echoed, removed.
#[test]
fn fs_02_session_file_with_hostile_content() {
    let v = Vault::empty_store();
    let bodies: [(&str, Vec<u8>); 6] = [
        ("1 MB", vec![b'a'; MB]),
        (
            "JSON escapes in the token",
            br#"{"version":1,"token":"\u001b]52;c;ZWNobw==\u0007\u009b2J"}"#.to_vec(),
        ),
        (
            "raw escapes",
            b"{\"version\":1,\"token\":\"\x1b[2J\x1b]52;c;eA==\x07\"}".to_vec(),
        ),
        (
            "NUL bytes",
            b"{\"version\":1,\0\"token\":\"00\"}\0".to_vec(),
        ),
        (
            "invalid UTF-8",
            b"{\"version\":1,\"token\":\"\xff\xfe\"}".to_vec(),
        ),
        (
            "64 hex digits of a token nobody issued",
            format!("{{\"version\":1,\"token\":\"{}\"}}\n", "ab".repeat(32)).into_bytes(),
        ),
    ];
    for (what, body) in bodies {
        fs::write(v.session(), &body).unwrap();
        fs::set_permissions(v.session(), fs::Permissions::from_mode(0o600)).unwrap();
        let o = v.run(&["whoami"], None);
        assert_refused(&o, EXIT_AUTH, &format!("whoami, session file: {what}"));
        assert!(!v.session_exists(), "{what}: the file is removed");
    }
    assert_eq!(count(&v.db(), "sessions"), 0);
}

// ---------------------------------------------------------------------------------------------
// Read-only data dir (TM-07)
// ---------------------------------------------------------------------------------------------

const NOBODY: u32 = 65534;

/// Signup, login and passwd with valid input: each must write to the store. The read-only
/// and full-disk tests feed them (plus a few more) to a store that cannot be written.
type Run = (&'static str, &'static [&'static str], Vec<u8>);
fn commands_that_write() -> Vec<Run> {
    vec![
        (
            "signup",
            &[
                "signup",
                "--email",
                NEW_EMAIL,
                "--name",
                "Mallory",
                "--password-stdin",
            ],
            line(PW2),
        ),
        (
            "login",
            &["login", "--email", EMAIL, "--password-stdin"],
            line(PW1),
        ),
        (
            "passwd",
            &["passwd", "--password-stdin"],
            two_lines(PW1.as_bytes(), PW2.as_bytes()),
        ),
    ]
}

/// signup, login, passwd and logout in a data dir the user made read-only (`whoami` is in
/// tests/cli.rs): each fails with exit 1 naming the store, and not one byte changes.
/// As root the binary runs as uid/gid 65534 (root ignores permission bits), after the tree
/// is handed to that user.
#[test]
fn tm_07_read_only_data_dir_refuses_every_command() {
    let v = Vault::alice_logged_in();
    let as_user = |args: &[&str], stdin: Option<&[u8]>| -> Out {
        let mut c = vaultty(&v.dir, args);
        if is_root() {
            c.uid(NOBODY).gid(NOBODY);
        }
        run_cmd(c, stdin, TIMEOUT)
    };
    if is_root() {
        fs::set_permissions(v.tmp.path(), fs::Permissions::from_mode(0o711)).unwrap();
        // the dir and everything in it (the WAL and its index persist between commands)
        std::os::unix::fs::chown(&v.dir, Some(NOBODY), Some(NOBODY)).unwrap();
        for entry in fs::read_dir(&v.dir).unwrap() {
            let p = entry.unwrap().path();
            std::os::unix::fs::chown(&p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        let probe = as_user(&["whoami"], None);
        if probe.code() != Some(EXIT_OK) {
            // The binary is not reachable by uid 65534 here (e.g. a private target dir).
            eprintln!(
                "hostile: SKIPPED tm_07_read_only_data_dir: cannot run vaultty as uid {NOBODY}: \
                 {:?} {}",
                probe.status,
                probe.err()
            );
            return;
        }
    }
    fs::set_permissions(db_path(&v.dir), fs::Permissions::from_mode(0o400)).unwrap();
    fs::set_permissions(v.session(), fs::Permissions::from_mode(0o400)).unwrap();
    fs::set_permissions(&v.dir, fs::Permissions::from_mode(0o500)).unwrap();
    let before = read_tree(&v.dir);

    let mut runs = commands_that_write();
    runs.push(("logout", &["logout"], Vec::new()));
    let mut outs = Vec::new();
    for (what, args, stdin) in runs {
        outs.push((what, as_user(args, Some(&stdin))));
    }
    let after = read_tree(&v.dir);
    let modes = (
        fs::metadata(&v.dir).unwrap().mode() & 0o777,
        fs::metadata(db_path(&v.dir)).unwrap().mode() & 0o777,
    );
    fs::set_permissions(&v.dir, fs::Permissions::from_mode(0o700)).unwrap();
    for (what, o) in &outs {
        assert_refused(o, EXIT_STORAGE, &format!("{what} in a read-only data dir"));
        assert!(o.err().contains("vaultty.db"), "{what}: {}", o.err());
    }
    assert_eq!(modes, (0o500, 0o400), "modes were changed");
    assert!(before == after, "files in the read-only data dir changed");
}

// ---------------------------------------------------------------------------------------------
// Full disk (TM-07)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiskMode {
    /// A tmpfs of a few hundred KiB, filled up with a filler file.
    Tmpfs,
    /// RLIMIT_FSIZE = 0 in the child (writes fail with EFBIG).
    Rlimit,
}

/// A data dir on a disk the test can fill.
struct SmallDisk {
    mnt: PathBuf,
    mode: DiskMode,
    full: bool,
    // Dropped last (after the unmount in `Drop`).
    _tmp: TempDir,
}

impl SmallDisk {
    fn new(test: &str) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let mnt = tmp.path().join("mnt");
        fs::create_dir(&mnt).unwrap();
        let forced = std::env::var_os("VAULTTY_TEST_NO_MOUNT").is_some_and(|v| v != "0");
        let mode = if !forced && mount_tmpfs(&mnt, "size=1m,mode=0700") {
            DiskMode::Tmpfs
        } else {
            DiskMode::Rlimit
        };
        eprintln!(
            "hostile: {test}: full disk simulated with {}",
            match mode {
                DiskMode::Tmpfs => "a 1 MiB tmpfs filled up (ENOSPC)",
                DiskMode::Rlimit =>
                    "RLIMIT_FSIZE=0 in the child (EFBIG): mounting a tmpfs was not permitted or VAULTTY_TEST_NO_MOUNT is set",
            }
        );
        SmallDisk {
            mnt,
            mode,
            full: false,
            _tmp: tmp,
        }
    }

    fn dir(&self) -> PathBuf {
        self.mnt.join("data")
    }

    fn filler(&self) -> PathBuf {
        self.mnt.join("filler")
    }

    fn fill(&mut self) {
        self.full = true;
        if self.mode == DiskMode::Tmpfs {
            use std::io::Write;
            let mut f = fs::File::create(self.filler()).unwrap();
            let block = vec![0u8; 4096];
            while f.write_all(&block).is_ok() {}
            while f.write_all(&[0]).is_ok() {}
            let _ = f.sync_all();
        }
    }

    fn free(&mut self) {
        self.full = false;
        let _ = fs::remove_file(self.filler());
    }

    /// Signs up the test account (EMAIL, NAME, PW1) on this disk.
    fn signup(&self) -> Out {
        self.run(
            &[
                "signup",
                "--email",
                EMAIL,
                "--name",
                NAME,
                "--password-stdin",
            ],
            Some(&line(PW1)),
        )
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        let mut c = vaultty(&self.dir(), args);
        if self.mode == DiskMode::Rlimit && self.full {
            // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
            unsafe {
                c.pre_exec(|| {
                    let lim = libc::rlimit {
                        rlim_cur: 0,
                        rlim_max: libc::RLIM_INFINITY,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    Ok(())
                });
            }
        }
        run_cmd(c, stdin, TIMEOUT)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if self.mode == DiskMode::Tmpfs {
            let c = std::ffi::CString::new(self.mnt.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: valid NUL-terminated path.
            unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
        }
    }
}

fn mount_tmpfs(at: &Path, options: &str) -> bool {
    let target = std::ffi::CString::new(at.as_os_str().as_encoded_bytes()).unwrap();
    let data = std::ffi::CString::new(options).unwrap();
    // SAFETY: valid NUL-terminated strings; a failure is reported through the return value.
    let rc = unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            data.as_ptr().cast(),
        )
    };
    rc == 0
}

/// Every command on a full disk fails with exit 1 naming a file of the data dir, changes
/// nothing (strictly: not even a session's last-use time), and everything works again once
/// there is space.
#[test]
fn tm_07_full_disk_fails_closed() {
    let mut disk = SmallDisk::new("tm_07_full_disk_fails_closed");
    let dir = disk.dir();
    disk.signup().expect(EXIT_OK, "signup");
    disk.run(
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(&line(PW1)),
    )
    .expect(EXIT_OK, "login");
    let before = Snapshot::take(&dir);

    disk.fill();
    let mut runs = commands_that_write();
    runs.push(("whoami", &["whoami"], Vec::new()));
    runs.push(("whoami --json", &["whoami", "--json"], Vec::new()));
    runs.push(("logout", &["logout"], Vec::new()));
    let dir_text = dir.display().to_string();
    for (what, args, stdin) in runs {
        let o = disk.run(args, Some(&stdin));
        assert_refused(&o, EXIT_STORAGE, &format!("{what} on a full disk"));
        assert!(
            o.err().contains(&dir_text),
            "{what}: names no file: {}",
            o.err()
        );
    }
    disk.free();

    before.assert_unchanged_strict(&dir, "commands on a full disk");
    assert_eq!(integrity_check(&open_db(&dir)), "ok");
    let o = disk
        .run(&["whoami"], None)
        .expect(EXIT_OK, "whoami with space again");
    assert!(o.out().contains(EMAIL), "{}", o.out());
}

/// BUG (src/store/mod.rs, `db_error`): on a full disk vaultty says "store error: disk I/O
/// error", which reads like failing hardware, instead of its own "the disk is full; nothing
/// was changed". Opening the store first grows `vaultty.db-shm`; ENOSPC there is
/// SQLITE_IOERR_SHMSIZE (an I/O error code), and `db_error` only recognises SQLITE_FULL.
/// Only observable with a real ENOSPC (tmpfs), not with the RLIMIT_FSIZE fallback (EFBIG).
#[test]
fn tm_07_full_disk_is_reported_as_disk_full() {
    let mut disk = SmallDisk::new("tm_07_full_disk_is_reported_as_disk_full");
    disk.signup()
        .expect(EXIT_OK, "signup before the disk fills");
    if disk.mode != DiskMode::Tmpfs {
        eprintln!("hostile: SKIPPED tm_07_full_disk_is_reported_as_disk_full: needs ENOSPC");
        return;
    }
    disk.fill();
    // A question that needs no write is still answered truthfully.
    let who = disk.run(&["whoami"], None);
    // A command that must write fails closed, and says why.
    let o = disk.run(
        &[
            "signup",
            "--email",
            "b@example.com",
            "--name",
            NAME,
            "--password-stdin",
        ],
        Some(&line(PW2)),
    );
    disk.free();
    assert_eq!(
        who.code(),
        Some(EXIT_AUTH),
        "whoami on a full disk: {}",
        who.err()
    );
    assert_refused(&o, EXIT_STORAGE, "signup on a full disk");
    let err = o.err().to_lowercase();
    assert!(
        err.contains("full") || err.contains("no space"),
        "a full disk must be reported as such, got: {}",
        o.err()
    );
}

/// The store has room (its WAL is preallocated) but the session file cannot be written:
/// login fails with exit 1 naming the session file, and the session it had just created in
/// the store is removed again (nobody holds its token). No temp file is left behind.
/// Needs the tmpfs (with RLIMIT_FSIZE every write fails, the store's too): in the fallback a
/// directory at the session path makes the session write fail instead (same code path).
#[test]
fn tm_07_full_disk_login_fails_closed_without_a_session() {
    let mut disk = SmallDisk::new("tm_07_full_disk_login_fails_closed_without_a_session");
    let dir = disk.dir();
    disk.signup().expect(EXIT_OK, "signup");
    // Keep a connection open (so the WAL is not deleted), grow the WAL with a committed
    // insert and delete of padding rows, and make the next writer reuse it from the start:
    // the login's transactions then need no new disk blocks.
    let keep = open_db(&dir);
    let sessions_before = count(&keep, "sessions");
    if disk.mode == DiskMode::Tmpfs {
        keep.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO auth_events (at, email, outcome) SELECT 0, 'padding', 'padding' FROM n;
             DELETE FROM auth_events WHERE outcome = 'padding';",
        )
        .unwrap();
        let (busy, _, _): (i64, i64, i64) = keep
            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(busy, 0, "checkpoint");
        disk.fill();
    } else {
        fs::create_dir(session_path(&dir)).unwrap();
    }
    let o = disk.run(
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(&line(PW1)),
    );
    disk.free();
    let _ = fs::remove_dir(session_path(&dir));
    assert_refused(
        &o,
        EXIT_STORAGE,
        "login when the session file cannot be written",
    );
    assert!(
        o.err().contains(&session_path(&dir).display().to_string()),
        "the message names the session file: {}",
        o.err()
    );
    assert_eq!(
        count(&keep, "sessions"),
        sessions_before,
        "a session nobody holds a token for was left in the store"
    );
    assert!(!session_path(&dir).exists(), "no session file");
    assert!(
        session_temp_files(&dir).is_empty(),
        "a temp file was left behind"
    );
    assert_eq!(integrity_check(&keep), "ok");
    drop(keep);
    disk.run(
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(&line(PW1)),
    )
    .expect(EXIT_OK, "login with space again");
}

/// BUG (src/vault.rs, `Accounts::login`): when the session file cannot be written after the
/// login transaction committed (full disk, or anything else at the session path), the
/// cleanup only deletes the new session row. `accounts.last_login_at`, the cleared throttle
/// count and a `login_success` auth event stay, although the login failed (exit 1). The next
/// successful login then reports the failed attempt as the "previous login" and counts failed
/// attempts only since then, so a warning about earlier wrong guesses is silently lost
/// (README: login "says when you last logged in and how many failed attempts there were
/// since"). Expected: a login that exits 1 leaves `last_login_at` (and the failure count)
/// as they were.
#[test]
fn tm_07_failed_session_write_must_not_hide_earlier_failed_attempts() {
    let v = Vault::alice();
    for _ in 0..2 {
        login(&v.dir, EMAIL, "wrong horse battery staple lamp").expect(EXIT_AUTH, "wrong guess");
    }
    // One second later (the store counts in whole seconds), the login that cannot write
    // its session file.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fs::create_dir(v.session()).unwrap();
    let o = login(&v.dir, EMAIL, PW1);
    fs::remove_dir(v.session()).unwrap();
    assert_refused(&o, EXIT_STORAGE, "login with an unwritable session file");
    let last_login: Option<i64> = v
        .db()
        .query_row(
            "SELECT last_login_at FROM accounts WHERE email_norm = ?1",
            [EMAIL],
            |r| r.get(0),
        )
        .unwrap();
    let o = login(&v.dir, EMAIL, PW1).expect(EXIT_OK, "the next login");
    assert_clean_output(&o, "login");
    assert!(
        last_login.is_none() && o.err().contains("failed login attempt"),
        "a login that failed (exit 1) was recorded as the last login (last_login_at = \
         {last_login:?}) and the warning about the 2 earlier wrong guesses is gone:\n{}",
        o.err()
    );
}

/// Issue 12, finding 7: with a directory planted at the session file's path, a right and a
/// wrong password used to answer differently (exit 1 against exit 3), and the attempt never
/// reached `auth_events`. The session path is now checked before the password is: both answer
/// alike, and no password is checked at all.
#[test]
fn au_10_no_password_oracle_through_an_unusable_session_path() {
    let v = Vault::alice();
    fs::create_dir(v.session()).unwrap();
    let events = |v: &Vault| count(&v.db(), "auth_events");
    let before = events(&v);
    let right = login(&v.dir, EMAIL, PW1);
    let wrong = login(&v.dir, EMAIL, "wrong horse battery staple lamp");
    assert_eq!(
        right.code(),
        wrong.code(),
        "right: {}\nwrong: {}",
        right.err(),
        wrong.err()
    );
    assert_eq!(right.err(), wrong.err());
    assert_refused(
        &right,
        EXIT_STORAGE,
        "login with a directory at the session path",
    );
    assert!(right.err().contains("is a directory"), "{}", right.err());
    assert_eq!(
        events(&v),
        before,
        "no password was checked, so no attempt to record"
    );
    assert_eq!(count(&v.db(), "throttle"), 0, "nor one counted");
}

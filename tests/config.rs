//! The configuration file and the store setting, through the real binary (issue 14 items 3
//! and 5). Each run names both config layers itself (`VAULTTY_TEST_SYSTEM_CONFIG`,
//! `VAULTTY_TEST_USER_CONFIG`, honoured only by test builds), so this machine's
//! /etc/vaultty and ~/.config/vaultty are never read.

mod common;

use common::{BIN, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Out, PW1, TIMEOUT};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const EMAIL: &str = "ada@example.com";
/// 10 characters, unrelated words: refused by the default policy (15), accepted at 10.
const SHORT: &str = "zebu plank";

struct Lab {
    tmp: tempfile::TempDir,
}

impl Lab {
    fn new() -> Self {
        Lab {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `vaultty --data-dir <dir> args` with the given environment, the layers pointed into
    /// this lab (absent unless written).
    fn run(&self, dir: &str, env: &[(&str, &Path)], args: &[&str], stdin: Option<&str>) -> Out {
        let mut c = Command::new(BIN);
        c.env_remove("VAULTTY_DATA_DIR")
            .env_remove("VAULTTY_CONFIG")
            .env_remove("VAULTTY_STORE")
            .env("VAULTTY_TEST_SYSTEM_CONFIG", self.path("system.toml"))
            .env("VAULTTY_TEST_USER_CONFIG", self.path("user.toml"))
            .env("NO_COLOR", "1")
            .arg("--data-dir")
            .arg(self.path(dir))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        common::run_cmd(c, stdin.map(str::as_bytes), TIMEOUT)
    }
}

/// CF-01: `config show` prints every knob with where it came from; the system layer's
/// security knobs apply, and numbers in messages follow the policy in force.
#[test]
fn cf_01_config_show_names_each_source_and_the_policy_in_force_is_used() {
    let lab = Lab::new();
    lab.write(
        "system.toml",
        "[password]\nmin_length = 10\n[session]\nidle_minutes = 5\n",
    );
    lab.write("user.toml", "[ui]\nmask = \"stars\"\n");
    let o = lab.run("d", &[], &["config", "show"], None);
    let o = o.expect(EXIT_OK, "config show");
    let out = o.out();
    let system = lab.path("system.toml");
    let user = lab.path("user.toml");
    for (key, source) in [
        (
            "min_length = 10",
            format!("system config {}", system.display()),
        ),
        (
            "idle_minutes = 5",
            format!("system config {}", system.display()),
        ),
        (
            "mask = \"stars\"",
            format!("user config {}", user.display()),
        ),
        ("memory_kib = 65536", "default".to_owned()),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key}:\n{out}"));
        assert!(line.ends_with(&format!("# {source}")), "{line}");
    }
    // The policy in force: a 10-character passphrase is accepted...
    lab.run(
        "d",
        &[],
        &[
            "signup",
            "--email",
            EMAIL,
            "--name",
            "Ada",
            "--password-stdin",
        ],
        Some(&format!("{SHORT}\n")),
    )
    .expect(EXIT_OK, "signup at the system layer's minimum");
    // ...and the refusal of a shorter one names that minimum, not the default.
    let o = lab.run(
        "d",
        &[],
        &[
            "signup",
            "--email",
            "bob@example.com",
            "--name",
            "Bob",
            "--password-stdin",
        ],
        Some("zebu pla\n"),
    );
    let o = o.expect(EXIT_INVALID, "too short");
    assert!(o.err().contains("at least 10"), "{}", o.err());
}

/// CF-02: a user-layer file ($VAULTTY_CONFIG or the config dir) cannot weaken a security knob;
/// `config show` says it was ignored. An explicit --config is honoured.
#[test]
fn cf_02_a_user_file_cannot_weaken_security_knobs() {
    let lab = Lab::new();
    let weak = lab.write("weak.toml", "[password]\nmin_length = 10\n");
    let signup = |dir: &str, env: &[(&str, &Path)], extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend([
            "signup",
            "--email",
            EMAIL,
            "--name",
            "Ada",
            "--password-stdin",
        ]);
        lab.run(dir, env, &args, Some(&format!("{SHORT}\n")))
    };
    let o = signup("a", &[("VAULTTY_CONFIG", &weak)], &[]);
    let o = o.expect(EXIT_INVALID, "$VAULTTY_CONFIG cannot lower the minimum");
    assert!(o.err().contains("at least 15"), "{}", o.err());
    lab.write("user.toml", "[password]\nmin_length = 10\n");
    signup("b", &[], &[]).expect(EXIT_INVALID, "nor can the config dir's file");
    let o = lab.run("b", &[], &["config", "show"], None);
    assert!(
        o.out().contains("# ignored: password.min_length"),
        "{}",
        o.out()
    );
    signup("c", &[], &["--config", weak.to_str().unwrap()])
        .expect(EXIT_OK, "an explicit --config is honoured");
}

/// CF-03: an invalid file exits 2 with the file, the line, the key and what is allowed, and
/// nothing is created.
#[test]
fn cf_03_an_invalid_config_exits_2_naming_file_line_and_key() {
    let lab = Lab::new();
    let sys = lab.write(
        "system.toml",
        "# lab machines\n[argon2]\nmemory_kib = 1024\n",
    );
    let o = lab.run("d", &[], &["whoami"], None);
    let o = o.expect(EXIT_USAGE, "invalid system config");
    let err = o.err();
    assert!(
        err.contains(&format!("{}:3: argon2:", sys.display())),
        "{err}"
    );
    assert!(err.contains("OWASP's floor"), "{err}");
    assert!(!lab.path("d").exists(), "nothing created");
    std::fs::remove_file(&sys).unwrap();
    lab.write("user.toml", "[ui]\nmask = \"blur\"\n");
    let o = lab.run("d", &[], &["config", "show"], None);
    let o = o.expect(EXIT_USAGE, "invalid user config");
    assert!(
        o.err().contains(":2: ui.mask = \"blur\": allowed"),
        "{}",
        o.err()
    );
    let o = lab.run(
        "d",
        &[],
        &["--config", "/nonexistent/vaultty.toml", "whoami"],
        None,
    );
    let o = o.expect(EXIT_USAGE, "missing --config file");
    assert!(o.err().contains("cannot read it"), "{}", o.err());
    std::fs::remove_file(lab.path("user.toml")).unwrap();
    let o = lab.run("d", &[], &["--store", "mysql://lab/db", "whoami"], None);
    let o = o.expect(EXIT_USAGE, "unknown store");
    assert!(
        o.err().contains("sqlite:PATH or postgres://"),
        "{}",
        o.err()
    );
}

/// CF-04: `--store sqlite:PATH` (or $VAULTTY_STORE, or `store =` in a file) puts the accounts
/// in one file that several data dirs share, each keeping its own session.
#[test]
fn cf_04_two_data_dirs_share_one_sqlite_store() {
    let lab = Lab::new();
    std::fs::create_dir(lab.path("shared")).unwrap();
    let store = format!("sqlite:{}", lab.path("shared/kiosk.db").display());
    lab.run(
        "one",
        &[],
        &[
            "--store",
            &store,
            "signup",
            "--email",
            EMAIL,
            "--name",
            "Ada",
            "--password-stdin",
        ],
        Some(&format!("{PW1}\n")),
    )
    .expect(EXIT_OK, "signup on one");
    let via_env = [("VAULTTY_STORE", Path::new(&store))];
    lab.run(
        "two",
        &via_env,
        &["login", "--email", EMAIL, "--password-stdin"],
        Some(&format!("{PW1}\n")),
    )
    .expect(EXIT_OK, "login on two");
    lab.run("two", &via_env, &["whoami"], None)
        .expect(EXIT_OK, "two is logged in");
    assert!(!lab.path("one/vaultty.db").exists() && !lab.path("two/vaultty.db").exists());
    assert!(
        lab.path("two/session").exists(),
        "the session stays in the data dir"
    );
    lab.run("one", &[], &["whoami"], None).expect(
        common::EXIT_AUTH,
        "one has no session (and its own default store)",
    );
    lab.write("system.toml", &format!("store = \"{store}\"\n"));
    lab.run("two", &[], &["whoami"], None)
        .expect(EXIT_OK, "the store from the config file");
}

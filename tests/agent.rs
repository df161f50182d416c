//! The vault agent and the vault commands, end to end with the real binary (issue 16):
//! `unlock` starts the agent and vault commands go through it; without it (or locked) they
//! exit 9; `lock`, `logout` and the end of the session stop it; it answers only its own uid
//! (checked with SO_PEERCRED, whatever the socket's mode); after it locks, an image of its
//! memory holds neither the password, the data key, the recovery code nor an entry's secret.

mod common;

use common::{EXIT_OK, PW1, PW2, run, signup};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EMAIL: &str = "ada@example.com";
const EXIT_LOCKED: i32 = 9;
const SECRET: &str = "entry-secret-Zq8v3Kp1";

fn socket(dir: &Path) -> PathBuf {
    dir.join("agent").join("socket")
}

fn agent_up(dir: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket(dir)).is_ok()
}

/// Waits up to `secs` for `cond`.
fn eventually(secs: u64, cond: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// Ada signed up and logged in; returns her recovery code (the last line signup printed).
fn ada(dir: &Path) -> String {
    let out = signup(dir, EMAIL, "Ada", PW1).expect(EXIT_OK, "signup");
    let code = out.out().lines().last().unwrap_or_default().to_owned();
    assert_eq!(
        code.len(),
        34,
        "a grouped recovery code on stdout: {:?}",
        out.out()
    );
    common::login(dir, EMAIL, PW1).expect(EXIT_OK, "login");
    code
}

fn unlock(dir: &Path) {
    run(
        dir,
        &["unlock", "--password-stdin"],
        Some(format!("{PW1}\n").as_bytes()),
    )
    .expect(EXIT_OK, "unlock");
    assert!(agent_up(dir), "unlock leaves the agent running");
}

fn add_secret(dir: &Path) -> String {
    let out = run(
        dir,
        &[
            "vault",
            "add",
            "--title",
            "Mail",
            "--username",
            "ada",
            "--secret-stdin",
        ],
        Some(format!("{SECRET}\n").as_bytes()),
    )
    .expect(EXIT_OK, "vault add");
    out.out().trim().to_owned()
}

#[test]
fn vt_09_vault_commands_go_through_the_agent_and_stop_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ada(&dir);
    // Locked, without a terminal: exit 9 and the documented message.
    let o = run(&dir, &["vault", "list"], None).expect(EXIT_LOCKED, "list while locked");
    assert!(
        o.err().contains("vault locked: run `vaultty unlock`"),
        "{}",
        o.err()
    );
    unlock(&dir);
    let id = add_secret(&dir);
    let o = run(&dir, &["vault", "get", &id], None).expect(EXIT_OK, "get by id");
    assert_eq!(o.out().trim_end(), SECRET);
    let o = run(&dir, &["vault", "get", "mail", "--field", "username"], None)
        .expect(EXIT_OK, "get by title");
    assert_eq!(o.out().trim_end(), "ada");
    let o = run(&dir, &["vault", "list", "--json"], None).expect(EXIT_OK, "list --json");
    assert!(
        !o.out().contains(SECRET),
        "list shows no secret: {}",
        o.out()
    );
    let rows: serde_json::Value = serde_json::from_str(&o.out()).unwrap();
    assert_eq!(rows[0]["title"], "Mail");
    assert_eq!(rows[0]["has_totp"], false);
    // `lock` wipes the key: the agent exits, and commands are locked again.
    run(&dir, &["lock"], None).expect(EXIT_OK, "lock");
    assert!(eventually(5, || !agent_up(&dir)), "the agent exits on lock");
    run(&dir, &["vault", "list"], None).expect(EXIT_LOCKED, "list after lock");
    // `logout` stops it too.
    unlock(&dir);
    common::logout(&dir).expect(EXIT_OK, "logout");
    assert!(
        eventually(5, || !agent_up(&dir)),
        "the agent exits on logout"
    );
}

#[test]
fn vt_09_the_agent_ends_with_its_session() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let other = tmp.path().join("other");
    ada(&dir);
    unlock(&dir);
    add_secret(&dir);
    // A second data dir on the same store logs in and revokes every other session.
    common::use_store(
        &other,
        &format!("sqlite:{}", common::db_path(&dir).display()),
    );
    common::login(&other, EMAIL, PW1).expect(EXIT_OK, "login elsewhere");
    run(&other, &["sessions", "revoke", "--others"], None).expect(EXIT_OK, "revoke others");
    assert!(
        eventually(10, || !agent_up(&dir)),
        "the agent of a revoked session exits (and its key with it)"
    );
    // Unlocking would not help now: the command says so.
    let o = run(&dir, &["vault", "list"], None).expect(common::EXIT_AUTH, "list after revocation");
    assert!(o.err().contains("Not logged in"), "{}", o.err());
}

#[test]
fn vt_07_the_agent_locks_after_vault_lock_minutes_of_its_config() {
    // A minute is the shortest setting, so this test waits a minute.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let config = tmp.path().join("lab.toml");
    std::fs::write(&config, "[vault]\nlock_minutes = 1\n").unwrap();
    let config = config.display().to_string();
    ada(&dir);
    // `--config` is given to `unlock` only: the agent it starts must run with it too.
    let o = run(
        &dir,
        &["--config", &config, "unlock", "--password-stdin"],
        Some(format!("{PW1}\n").as_bytes()),
    )
    .expect(EXIT_OK, "unlock");
    assert!(o.err().contains("locks after 1 min"), "{}", o.err());
    add_secret(&dir);
    run(&dir, &["vault", "list"], None).expect(EXIT_OK, "list while unlocked");
    // Any request is a use (polling would keep it open): wait out the minute, and the poll
    // of the agent's loop (1 s), once.
    std::thread::sleep(Duration::from_secs(63));
    // Locked, and unused for a minute: the agent has exited too, with its key.
    assert!(eventually(5, || !agent_up(&dir)), "the locked agent exits");
    let o = run(&dir, &["vault", "list"], None).expect(EXIT_LOCKED, "list after a minute unused");
    assert!(o.err().contains("vault locked"), "{}", o.err());
}

#[test]
fn vt_09_a_new_login_does_not_inherit_a_running_agent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ada(&dir);
    unlock(&dir);
    add_secret(&dir);
    // Log in again in the same data dir: a new session, which must unlock for itself.
    common::login(&dir, EMAIL, PW1).expect(EXIT_OK, "second login");
    run(&dir, &["vault", "list"], None).expect(EXIT_LOCKED, "the old unlock does not carry over");
    run(&dir, &["lock"], None);
}

#[test]
fn vt_10_export_import_and_the_plaintext_guard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ada(&dir);
    unlock(&dir);
    add_secret(&dir);
    let json = tmp.path().join("export.json");
    let o = run(
        &dir,
        &[
            "vault",
            "export",
            "--format",
            "json",
            json.to_str().unwrap(),
        ],
        None,
    )
    .expect(common::EXIT_USAGE, "json without --plaintext");
    assert!(o.err().contains("--plaintext"), "{}", o.err());
    assert!(!json.exists());
    run(
        &dir,
        &[
            "vault",
            "export",
            "--format",
            "json",
            "--plaintext",
            json.to_str().unwrap(),
        ],
        None,
    )
    .expect(EXIT_OK, "plaintext export");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&json).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Never over an existing file.
    run(
        &dir,
        &[
            "vault",
            "export",
            "--format",
            "json",
            "--plaintext",
            json.to_str().unwrap(),
        ],
        None,
    )
    .expect(1, "an export does not replace a file");
    // Importing it back adds nothing (it is all there); an age export round-trips too.
    let o = run(
        &dir,
        &[
            "vault",
            "import",
            "--format",
            "vaultty-json",
            json.to_str().unwrap(),
        ],
        None,
    )
    .expect(EXIT_OK, "import the export");
    assert!(
        o.err()
            .contains("Imported 0 entries; 1 already in the vault"),
        "{}",
        o.err()
    );
    let age = tmp.path().join("export.age");
    run(
        &dir,
        &[
            "vault",
            "export",
            "--format",
            "age",
            age.to_str().unwrap(),
            "--passphrase-stdin",
        ],
        Some(b"a long export passphrase\n"),
    )
    .expect(EXIT_OK, "age export");
    let raw = std::fs::read(&age).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1"), "an age file");
    assert!(!raw.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    run(&dir, &["lock"], None);
}

/// A raw client: connects, sends a request for every entry, prints how many bytes came back.
const CLIENT: &str = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect("SOCKET")
d = b""
try:
    s.sendall(b'"Entries"')
    s.shutdown(socket.SHUT_WR)
    while True:
        c = s.recv(65536)
        if not c:
            break
        d += c
except (BrokenPipeError, ConnectionResetError):
    pass
sys.stdout.write(str(len(d)))
"#;

/// Runs `cmd` as the user `nobody` (needs root); `None` when this test cannot switch users.
fn as_nobody(args: &[&str]) -> Option<std::process::Output> {
    if !rustix::process::geteuid().is_root() {
        return None;
    }
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(args);
    cmd.output().ok()
}

#[test]
fn vt_08_the_agent_answers_only_its_own_uid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ada(&dir);
    unlock(&dir);
    add_secret(&dir);
    // Open every door a wrong mode could open: the socket itself is then reachable by anyone.
    use std::os::unix::fs::PermissionsExt;
    for p in [tmp.path(), &dir, &dir.join("agent")] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(socket(&dir), std::fs::Permissions::from_mode(0o777)).unwrap();
    // A raw client: connect, send a request for every entry, read the answer.
    let client = CLIENT.replace("SOCKET", socket(&dir).to_str().unwrap());
    let Some(out) = as_nobody(&["/usr/bin/python3", "-c", &client]) else {
        eprintln!(
            "agent::vt_08_the_agent_answers_only_its_own_uid: SKIPPED: needs root to run a client as nobody"
        );
        run(&dir, &["lock"], None);
        return;
    };
    assert!(out.status.success(), "nobody could connect: {out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0",
        "the agent sends nothing to another uid"
    );
    // The same client as ourselves gets the entries: the refusal was the uid, not the request.
    let own = std::process::Command::new("/usr/bin/python3")
        .args(["-c", &client])
        .output()
        .unwrap();
    let n: usize = String::from_utf8_lossy(&own.stdout).parse().unwrap();
    assert!(n > 0, "the owner gets an answer");
    run(&dir, &["lock"], None);
}

#[test]
fn vt_07_the_agents_memory_holds_no_secret_after_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let code = ada(&dir);
    let dump = tmp.path().join("agent.image");
    // The agent inherits the hook's variable from `unlock`, and writes its memory image when
    // it exits, after `lock` wiped the key and dropped everything.
    let mut cmd = common::vaultty(&dir, &["unlock", "--password-stdin"]);
    cmd.env("VAULTTY_TEST_MEMORY_DUMP", &dump);
    common::run_cmd(cmd, Some(format!("{PW1}\n").as_bytes()), common::TIMEOUT)
        .expect(EXIT_OK, "unlock");
    // The CLI's own image at its exit, and its index: the agent's index appears only once its
    // image is whole.
    let _ = std::fs::remove_file(&dump);
    let _ = std::fs::remove_file(dump.with_extension("maps"));
    add_secret(&dir);
    run(&dir, &["vault", "get", "Mail"], None).expect(EXIT_OK, "get");
    // The data key, derived here the way only the password holder can.
    let key = data_key(&dir);
    run(&dir, &["lock"], None).expect(EXIT_OK, "lock");
    assert!(eventually(10, || dump.with_extension("maps").exists()
        && !agent_up(&dir)));
    let image = std::fs::read(&dump).unwrap();
    assert!(
        image.len() > 100_000,
        "a real image ({} bytes)",
        image.len()
    );
    let holds = |needle: &[u8]| image.windows(needle.len()).any(|w| w == needle);
    assert!(!holds(PW1.as_bytes()), "the password");
    assert!(!holds(SECRET.as_bytes()), "the entry's secret");
    assert!(!holds(code.as_bytes()), "the recovery code");
    assert!(
        !holds(&code.replace('-', "").into_bytes()),
        "the recovery code"
    );
    assert!(!holds(&key), "the data key");
    assert!(holds(b"vaultty"), "the image is searchable at all");
    let _ = PW2;
}

/// Ada's data key, unwrapped from the store with the key her password derives.
fn data_key(dir: &Path) -> [u8; 32] {
    use vaultty::auth::hashing::{Hasher, Verified};
    use vaultty::storage::{Inspect, Storage};
    let store = vaultty::store::Store::open(&common::db_path(dir)).unwrap();
    let account = store.account_by_email(EMAIL).unwrap().unwrap();
    let keys = store.vault_keys(account.id).unwrap().unwrap();
    let Verified::Match { kek: Some(kek), .. } = Hasher::new(vaultty::HashParams::DEFAULT)
        .verify(&vaultty::Password::from(PW1), &account.password_hash)
    else {
        panic!("the password verifies");
    };
    let key = vaultty::vault_keys::DataKey::unwrap(&kek, account.id, &keys.password_wrap.unwrap())
        .unwrap();
    key.bytes_for_tests()
}

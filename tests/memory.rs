//! Secrets in memory (issue 12, finding 1): after signup, login and a password change, in the
//! CLI and in the UI, an image of the process's writable memory holds no copy of the password,
//! and the process can be neither dumped nor attached to by another process of its user.
//!
//! The image is taken by the binary itself through a test-only hook (the `test-hooks` feature,
//! which `cargo test` turns on): `VAULTTY_TEST_MEMORY_DUMP=FILE` makes the CLI write every
//! readable and writable mapping (heap, stacks, anonymous memory) to FILE just before it exits,
//! and the UI do so on SIGUSR1. That is what a core dump would hold.

mod common;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vaultty");
const DUMP_ENV: &str = "VAULTTY_TEST_MEMORY_DUMP";

/// Passwords made of tokens found in no dictionary, so that a hit in memory can only be a copy
/// of the password (zxcvbn keeps its word lists on the heap: ordinary words would be found).
const PW: &str = "zqvx plorbnik vemtrasque 9kw";
const NEW_PW: &str = "gruntvald oxiphrane 4ty kelsmor";
const EMAIL: &str = "ada@example.com";

/// The password and its longer fragments (pieces copied by a strength estimator).
fn needles(pw: &str) -> Vec<String> {
    let mut v = vec![pw.to_owned()];
    v.extend(pw.split(' ').filter(|w| w.len() >= 5).map(str::to_owned));
    v
}

/// Which of the password's pieces the memory image at `dump` holds, and in which mapping
/// (the hook writes `DUMP.maps`: each mapping's offset in the image and its /proc line).
fn found_in(dump: &Path, pw: &str) -> Vec<String> {
    let image = std::fs::read(dump).unwrap_or_else(|e| panic!("{}: {e}", dump.display()));
    assert!(image.len() > 100_000, "the image is too small to be real");
    let index = std::fs::read_to_string(dump.with_extension("maps")).unwrap_or_default();
    let mapping = |at: usize| -> String {
        index
            .lines()
            .filter_map(|l| l.split_once(' '))
            .rfind(|(o, _)| o.parse::<usize>().is_ok_and(|o| o <= at))
            .map(|(_, l)| l.to_owned())
            .unwrap_or_default()
    };
    needles(pw)
        .into_iter()
        .filter_map(|n| {
            memchr::memmem::find(&image, n.as_bytes()).map(|at| format!("{n:?} in {}", mapping(at)))
        })
        .collect()
}

fn assert_clean(dump: &Path, what: &str) {
    for pw in [PW, NEW_PW] {
        let found = found_in(dump, pw);
        if !found.is_empty() {
            let _ = std::fs::copy(dump, "/tmp/failed-image");
        }
        assert!(found.is_empty(), "{what}: the memory image holds {found:?}");
    }
}

/// Runs the CLI with `stdin` (the shared harness), taking the memory image at exit.
fn cli(dir: &Path, dump: &Path, args: &[&str], stdin: &str) {
    let mut cmd = common::vaultty(dir, args);
    cmd.env(DUMP_ENV, dump);
    common::run_cmd(cmd, Some(stdin.as_bytes()), common::TIMEOUT)
        .expect(common::EXIT_OK, &format!("{args:?}"));
}

/// Signs Ada up with `PW` in `dir`, taking the memory image at exit into `dump`.
fn signup_ada(dir: &Path, dump: &Path) {
    cli(
        dir,
        dump,
        &[
            "signup",
            "--email",
            EMAIL,
            "--name",
            "Ada",
            "--password-stdin",
        ],
        &format!("{PW}\n"),
    );
}

#[test]
fn tm_06_no_password_in_cli_memory_after_signup_login_and_passwd() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dump = |n: &str| tmp.path().join(n);
    let line = |p: &str| format!("{p}\n");
    signup_ada(&dir, &dump("signup"));
    assert_clean(&dump("signup"), "CLI signup");
    cli(
        &dir,
        &dump("login"),
        &["login", "--email", EMAIL, "--password-stdin"],
        &line(PW),
    );
    assert_clean(&dump("login"), "CLI login");
    cli(
        &dir,
        &dump("passwd"),
        &["passwd", "--password-stdin"],
        &format!("{PW}\n{NEW_PW}\n"),
    );
    assert_clean(&dump("passwd"), "CLI passwd");
}

/// A program in a pseudo-terminal, its screen as a terminal shows it.
struct Pty {
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    fn spawn(args: &[&str], env: &[(&str, &Path)], home: &Path) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env_remove("VAULTTY_DATA_DIR");
        cmd.env("HOME", home);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(24).unwrap(),
            std::num::NonZeroU16::new(80).unwrap(),
            0,
        )));
        let s = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
            }
        });
        Pty {
            writer: pair.master.take_writer().unwrap(),
            child,
            screen,
            _master: pair.master,
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Each key sequence is read as one burst; the next must not be glued to it.
        std::thread::sleep(Duration::from_millis(50));
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen.lock().unwrap().screen().contents();
            if screen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the status line shows no spinner: the UI ignores keys while busy.
    fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen.lock().unwrap().screen().contents();
            if !screen.contains(['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'])
            {
                return;
            }
            assert!(Instant::now() < deadline, "still busy:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Asks the UI for its memory image (SIGUSR1) and waits until it is written.
    fn dump(&self, to: &Path) -> PathBuf {
        let done = to.with_extension("done");
        let _ = std::fs::remove_file(&done);
        let pid = self.child.process_id().unwrap();
        // SAFETY: kill with a valid signal number.
        assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGUSR1) }, 0);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done.exists() {
            assert!(Instant::now() < deadline, "no memory image from the UI");
            std::thread::sleep(Duration::from_millis(20));
        }
        to.to_path_buf()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn tm_06_no_password_in_ui_memory_after_signup_login_and_password_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let image = tmp.path().join("image");
    let dir_arg = dir.to_str().unwrap();
    let mut ui = Pty::spawn(&["--data-dir", dir_arg], &[(DUMP_ENV, &image)], tmp.path());
    ui.wait_for("[ Log in ]");
    // Sign up: Ctrl-N, then Name, Email, Password, Confirm password, Enter.
    ui.send("\x0e");
    ui.wait_for("[ Create account ]");
    for (text, then) in [("Ada", "\t"), (EMAIL, "\t"), (PW, "\t"), (PW, "\r")] {
        ui.send(text);
        ui.send(then);
    }
    // The vault's recovery code is shown first, until it is acknowledged.
    ui.wait_for("I have written it down");
    ui.send("\r");
    ui.wait_for("Account created");
    assert_clean(&ui.dump(&image), "UI signup");
    // Log in (the email is filled in and the password focused after a signup): the vault
    // opens; the account panel is a Tab away.
    ui.send(PW);
    ui.send("\r");
    ui.wait_for("entries");
    assert_clean(&ui.dump(&image), "UI login");
    ui.wait_idle();
    ui.send("\t");
    ui.wait_for("Welcome, Ada");
    // Change the password: p, then Current, New, Confirm, Enter.
    ui.send("p");
    ui.wait_for("Current password");
    for (text, then) in [(PW, "\t"), (NEW_PW, "\t"), (NEW_PW, "\r")] {
        ui.send(text);
        ui.send(then);
    }
    ui.wait_for("Password changed");
    assert_clean(&ui.dump(&image), "UI password change");
}

/// Notes typed into the entry form, in words found in no dictionary, on several lines (long
/// enough that the notes' buffer grows and moves more than once).
const NOTE: [&str; 3] = [
    "qorvexna blintharp 77zk",
    "mendrilof yastuqex 4kq",
    "drumvalisk 9pq xentorbly",
];

/// The entry form's notes: typed on several lines, then thrown away (Esc, then y to the
/// question), they leave no copy in the UI's memory: the notes' buffer is wiped as it grows
/// and when the form closes.
#[test]
fn tm_06_no_copy_of_discarded_notes_in_ui_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let image = tmp.path().join("image");
    signup_ada(&dir, &tmp.path().join("signup"));
    cli(
        &dir,
        &tmp.path().join("login"),
        &["login", "--email", EMAIL, "--password-stdin"],
        &format!("{PW}\n"),
    );
    let dir_arg = dir.to_str().unwrap();
    let mut ui = Pty::spawn(&["--data-dir", dir_arg], &[(DUMP_ENV, &image)], tmp.path());
    // A resumed session opens on the vault's unlock form.
    ui.wait_for("Vault locked");
    ui.wait_idle();
    ui.send(PW);
    ui.send("\r");
    ui.wait_for("0 entries");
    ui.wait_idle();
    ui.send("n");
    ui.wait_for("New entry");
    ui.send("Door");
    ui.send("\t\t\t\t");
    for (i, line) in NOTE.iter().enumerate() {
        if i > 0 {
            ui.send("\r");
        }
        ui.send(line);
    }
    ui.wait_for(NOTE[2]);
    ui.send("\x1b");
    std::thread::sleep(Duration::from_millis(100));
    ui.wait_for("Discard");
    ui.send("y");
    ui.wait_for("No entries yet");
    // What the terminal was sent goes through a buffer that later frames write over: the
    // help over the whole body, then a full redraw.
    ui.send("?");
    ui.wait_for("Esc, q or F1 closes this help");
    ui.send("\x1b");
    std::thread::sleep(Duration::from_millis(100));
    ui.send("\x0c");
    ui.wait_for("No entries yet");
    let dump = ui.dump(&image);
    assert_clean(&dump, "UI after discarded notes");
    for line in NOTE {
        let found = found_in(&dump, line);
        if !found.is_empty() {
            let _ = std::fs::copy(&dump, "/tmp/failed-image");
        }
        assert!(found.is_empty(), "the memory image holds {found:?}");
    }
}

#[test]
fn tm_06_no_password_in_memory_after_a_prompted_login() {
    // The terminal prompt (rpassword) reads through buffers of its own.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let image = tmp.path().join("image");
    signup_ada(&dir, &tmp.path().join("signup"));
    let dir_arg = dir.to_str().unwrap();
    let mut p = Pty::spawn(
        &["--data-dir", dir_arg, "login", "--email", EMAIL],
        &[(DUMP_ENV, &image)],
        tmp.path(),
    );
    p.wait_for("Password:");
    p.send(PW);
    p.send("\r");
    p.wait_for("Logged in");
    let deadline = Instant::now() + Duration::from_secs(30);
    while p.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "login did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_clean(&image, "prompted CLI login");
}

/// The owner of `/proc/PID`'s files: the kernel gives them to root while a process is not
/// dumpable (and to the process's own user otherwise).
fn proc_owner(pid: u32) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/status"))
        .unwrap()
        .uid()
}

#[test]
fn tm_09_the_process_cannot_be_dumped_or_attached_to() {
    // A vaultty waiting for its password on stdin, as another process of the same user sees
    // it. As root the test runs it as uid 65534, since root's own processes are root's anyway.
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = Command::new(BIN);
    cmd.env_remove("VAULTTY_DATA_DIR")
        .args(["--data-dir", "/nonexistent/vaultty-test"])
        .args(["login", "--email", EMAIL, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if root {
        use std::os::unix::process::CommandExt;
        cmd.uid(65534).gid(65534);
    }
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    // Wait until it has started (its limits are set first thing).
    std::thread::sleep(Duration::from_millis(300));
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_owned();
    let owner = proc_owner(pid);
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        core.split_whitespace().skip(4).take(2).all(|v| v == "0"),
        "a crash or SIGQUIT could write a core: {core}"
    );
    assert_eq!(
        owner, 0,
        "the process is dumpable: /proc/{pid} belongs to its user, who could gcore it"
    );
}

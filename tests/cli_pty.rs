//! The command line on a real terminal (issue 12, finding 5): clap strips escapes from its
//! messages only when stderr is not a terminal, which is why the pipe-based CLI tests could not
//! see that an argument carrying OSC 52, OSC 0, CSI 2J or a C1 control reached the terminal
//! raw. Here the real binary runs with stdin, stdout and stderr on a pseudo-terminal, and every
//! byte it writes is checked.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vaultty");

/// Runs `vaultty ARGS` on a fresh pty (80×24, TERM=xterm-256color, colours allowed) and
/// returns its exit code and everything it wrote.
fn run_on_a_tty(args: &[&str]) -> (u32, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    Session::spawn(args.iter().map(Into::into).collect(), tmp.path(), true).exit()
}

/// Arguments whose text is hostile, as the review tried them: each starts with `--`, so clap
/// reports it as an unexpected argument and echoes it.
const HOSTILE: [(&str, &str); 5] = [
    ("OSC 52 (sets the clipboard)", "--\x1b]52;c;ZWNobw==\x07"),
    ("OSC 0 (sets the title)", "--\x1b]0;owned\x07"),
    ("CSI 2J (clears the screen)", "--x\x1b[2J"),
    ("C1 CSI", "--x\u{9b}31m"),
    ("bidi override", "--x\u{202e}gnp.exe"),
];

fn assert_no_controls(what: &str, out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            matches!(c, '\x1b' | '\x07' | '\u{9b}' | '\u{9d}' | '\u{202e}')
                || (c.is_control() && !matches!(c, '\r' | '\n'))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: {bad:?} reached the terminal:\n{text:?}"
    );
}

#[test]
fn tm_01_usage_errors_on_a_terminal_carry_no_escapes() {
    for (what, arg) in HOSTILE {
        for args in [
            vec!["login", "--email", arg],
            vec![arg],
            vec!["signup", "--email", "a@example.com", "--name", arg],
        ] {
            let (code, out) = run_on_a_tty(&args);
            assert_eq!(
                code,
                2,
                "{what} {args:?}: {}",
                String::from_utf8_lossy(&out)
            );
            assert_no_controls(&format!("{what} {args:?}"), &out);
            let text = String::from_utf8_lossy(&out);
            assert!(text.contains("unexpected argument '--"), "{what}: {text}");
        }
    }
}

#[test]
fn tm_01_help_on_a_terminal_is_plain_text() {
    let (code, out) = run_on_a_tty(&["--help"]);
    assert_eq!(code, 0);
    assert_no_controls("--help", &out);
    assert!(String::from_utf8_lossy(&out).contains("Exit codes"));
}

/// A CLI command on a pseudo-terminal that is answered at its prompts, as a person would.
struct Session {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn std::io::Write + Send>,
    out: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    /// Set once everything the program wrote has been read (it exited, the pty closed).
    eof: std::sync::Arc<std::sync::atomic::AtomicBool>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    /// `vaultty --data-dir DIR ARGS` on a fresh pty, `NO_COLOR` set.
    fn start(dir: &std::path::Path, args: &[&str]) -> Session {
        let mut all: Vec<std::ffi::OsString> = vec!["--data-dir".into(), dir.into()];
        all.extend(args.iter().map(Into::into));
        Session::spawn(all, dir.parent().unwrap(), false)
    }

    /// `vaultty ARGS` on a fresh pty (80×24, TERM=xterm-256color) with HOME and the working
    /// directory at `home`; with `colour`, colours are allowed (and forced where a program
    /// asks CLICOLOR_FORCE), else `NO_COLOR` is set.
    fn spawn(args: Vec<std::ffi::OsString>, home: &std::path::Path, colour: bool) -> Session {
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
        cmd.env("TERM", "xterm-256color");
        if colour {
            cmd.env_remove("NO_COLOR");
            cmd.env("CLICOLOR_FORCE", "1");
        } else {
            cmd.env("NO_COLOR", "1");
        }
        cmd.env("HOME", home);
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let eof = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (o, e) = (out.clone(), eof.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                o.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            e.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Session {
            child,
            writer: pair.master.take_writer().unwrap(),
            out,
            eof,
            _master: pair.master,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Waits until `n` lines in all start with `text` (a prompt starts its line; messages
    /// start with "vaultty: ").
    fn wait_for(&self, text: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let count = |t: String| {
            t.split(['\r', '\n'])
                .filter(|l| l.starts_with(text))
                .count()
        };
        while count(self.text()) < n {
            assert!(
                Instant::now() < deadline,
                "waited for {n} × {text:?}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn type_line(&mut self, line: &str) {
        use std::io::Write;
        self.writer.write_all(line.as_bytes()).unwrap();
        self.writer.write_all(b"\r").unwrap();
        self.writer.flush().unwrap();
    }

    fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the exit; its code and everything written.
    fn exit(mut self) -> (u32, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // What the program wrote last may still be on its way through the pty.
                while !self.eof.load(std::sync::atomic::Ordering::SeqCst)
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                let out = self.out.lock().unwrap().clone();
                return (s.exit_code(), out);
            }
            assert!(Instant::now() < deadline, "did not exit:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn exit_code(self) -> (u32, String) {
        let (code, out) = self.exit();
        (code, String::from_utf8_lossy(&out).into_owned())
    }
}

const PW: &str = "correct horse battery staple lamp";

/// A data dir with Ada signed up (and, if asked, logged in), through stdin.
fn ada(logged_in: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let run = |args: &[&str]| {
        let mut c = assert_cmd::Command::new(BIN);
        c.env_remove("VAULTTY_DATA_DIR")
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .write_stdin(format!("{PW}\n"))
            .assert()
            .success();
    };
    run(&[
        "signup",
        "--email",
        "ada@example.com",
        "--name",
        "Ada",
        "--password-stdin",
    ]);
    if logged_in {
        run(&["login", "--email", "ada@example.com", "--password-stdin"]);
    }
    (tmp, dir)
}

#[test]
fn cli_12_email_and_name_are_checked_before_the_password_is_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    for args in [
        &["signup", "--email", "not-an-email", "--name", "Ada"][..],
        &["signup", "--email", "ada@example.com", "--name", "\u{3164}"][..],
        &["login", "--email", "not-an-email"][..],
    ] {
        let (code, out) = Session::start(&dir, args).exit_code();
        assert_eq!(code, 6, "{args:?}: {out}");
        assert!(
            !out.contains("Password:"),
            "{args:?} asked for a password first:\n{out}"
        );
    }
    assert!(!dir.exists(), "refused input created the data dir");
}

#[test]
fn cli_12_a_refused_or_mismatched_new_password_is_asked_for_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut s = Session::start(
        &dir,
        &["signup", "--email", "ada@example.com", "--name", "Ada"],
    );
    s.wait_for("Password:", 1);
    s.type_line("password123456");
    s.wait_for("Password:", 2);
    assert!(s.text().contains("too common"), "{}", s.text());
    assert!(s.text().contains("Try again."), "{}", s.text());
    s.type_line(PW);
    s.wait_for("Repeat password:", 1);
    s.type_line("correct horse battery staple lump");
    s.wait_for("Password:", 3);
    assert!(s.text().contains("do not match"), "{}", s.text());
    s.type_line(PW);
    s.wait_for("Repeat password:", 2);
    s.type_line(PW);
    let (code, out) = s.exit_code();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Account created"), "{out}");

    // Three refusals in a row end it: exit 6, nothing created.
    let dir2 = tmp.path().join("data2");
    let mut s = Session::start(
        &dir2,
        &["signup", "--email", "bob@example.com", "--name", "Bob"],
    );
    for i in 1..=3 {
        s.wait_for("Password:", i);
        s.type_line("password123456");
    }
    let (code, out) = s.exit_code();
    assert_eq!(code, 6, "{out}");
    assert!(!dir2.exists());
}

#[test]
fn cli_12_passwd_checks_the_current_password_before_asking_for_a_new_one() {
    let (_tmp, dir) = ada(true);
    let mut s = Session::start(&dir, &["passwd"]);
    s.wait_for("Current password:", 1);
    s.type_line("wrong horse battery staple lamp");
    let (code, out) = s.exit_code();
    assert_eq!(code, 3, "{out}");
    assert!(
        !out.contains("New password:"),
        "asked for a new password first:\n{out}"
    );
    // With the right one, a refused new password is asked for again, and it was no failed
    // attempt.
    let mut s = Session::start(&dir, &["passwd"]);
    s.wait_for("Current password:", 1);
    s.type_line(PW);
    s.wait_for("New password:", 1);
    s.type_line("password123456");
    s.wait_for("New password:", 2);
    s.type_line("violet tractor sings under amber rain");
    s.wait_for("Repeat new password:", 1);
    s.type_line("violet tractor sings under amber rain");
    let (code, out) = s.exit_code();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Password changed"), "{out}");
}

#[test]
fn cli_13_ctrl_d_at_a_prompt_cancels_with_exit_2() {
    let (_tmp, dir) = ada(false);
    for args in [
        &["login", "--email", "ada@example.com"][..],
        &["signup", "--email", "bob@example.com", "--name", "Bob"][..],
    ] {
        let mut s = Session::start(&dir, args);
        s.wait_for("Password:", 1);
        s.send(b"\x04");
        let (code, out) = s.exit_code();
        assert_eq!(code, 2, "{args:?}: {out}");
        let last = out.trim_end().lines().last().unwrap_or("");
        assert_eq!(last.trim(), "vaultty: cancelled.", "{args:?}:\n{out}");
        assert!(!out.contains("cannot prompt"), "{out}");
    }
}

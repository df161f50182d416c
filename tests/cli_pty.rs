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
    cmd.env_remove("NO_COLOR");
    cmd.env("TERM", "xterm-256color");
    cmd.env("CLICOLOR_FORCE", "1");
    cmd.env("HOME", tmp.path());
    cmd.cwd(tmp.path());
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let drain = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "vaultty {args:?} did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(pair.master);
    (status.exit_code(), drain.join().unwrap())
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

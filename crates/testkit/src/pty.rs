//! The one terminal model of the project: a program (the real `vaultty` binary) in a
//! pseudo-terminal (portable-pty), its output fed to a terminal emulator (vt100), so a caller
//! sees the screen a user would see and types the bytes a user's terminal would send.
//!
//! `tests/tui_pty.rs` drives the UI with it, and so does the benchmark harness
//! (`cargo run --release -p xtask -- bench`), which also reads the *timeline*: every read from
//! the pty is stamped with the moment it returned, so [`Pty::wait_shown`] can say at which
//! read a text first stood on the screen, whatever the polling interval.
//!
//! A [`Sandbox`] is a temporary home with a data dir inside it: the data dir is always given
//! with `--data-dir`, `VAULTTY_DATA_DIR` is removed from the environment and `HOME` points into
//! the temporary directory, so nothing touches the real user's files.

use portable_pty::{CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use vaultty_core::storage::{Inspect, Table};

/// How long any one thing may take to show up (Argon2 at production cost, a loaded machine).
pub const WAIT: Duration = Duration::from_secs(20);
/// How often the screen is sampled.
pub const POLL: Duration = Duration::from_millis(20);
/// The pty's size unless the caller resizes it.
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;

/// How a secret is masked in a form field.
pub const MASK: char = '•';
/// The login form's button (src/tui/strings.rs).
pub const LOGIN_BUTTON: &str = "[ Log in ]";

/// The `vaultty` binary of this build, for tests that do not name one: `$VAULTTY_BIN`, else
/// `vaultty` in the profile directory of the running test executable (`target/<profile>/` for
/// `target/<profile>/deps/<test>-<hash>`), which Cargo builds before it runs the root
/// package's integration tests.
pub fn vaultty_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("VAULTTY_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe.parent().expect("the test executable's directory");
    let profile = if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().expect("the profile directory")
    } else {
        dir
    };
    let bin = profile.join("vaultty");
    assert!(
        bin.is_file(),
        "no vaultty binary at {} (set VAULTTY_BIN)",
        bin.display()
    );
    bin
}

/// Sandboxes of one test binary share the machine, except a test that times the UI: it runs
/// alone ([`Sandbox::alone`]), so that a 100 ms bound measures the UI and not the sibling
/// tests' processes on the same cores. (A counter rather than an `RwLock`: a test may hold
/// two shared sandboxes at once, and a second read lock behind a waiting writer would
/// deadlock.)
static MACHINE: (Mutex<Users>, Condvar) = (
    Mutex::new(Users {
        shared: 0,
        alone: false,
    }),
    Condvar::new(),
);

struct Users {
    shared: usize,
    alone: bool,
}

/// A sandbox's turn on the machine (see [`MACHINE`]), given back on drop.
struct Turn {
    alone: bool,
}

impl Turn {
    fn take(alone: bool) -> Turn {
        let (users, freed) = &MACHINE;
        let mut u = users.lock().unwrap_or_else(|e| e.into_inner());
        while u.alone || (alone && u.shared > 0) {
            u = freed.wait(u).unwrap_or_else(|e| e.into_inner());
        }
        if alone {
            u.alone = true;
        } else {
            u.shared += 1;
        }
        Turn { alone }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (users, freed) = &MACHINE;
        let mut u = users.lock().unwrap_or_else(|e| e.into_inner());
        if self.alone {
            u.alone = false;
        } else {
            u.shared -= 1;
        }
        freed.notify_all();
    }
}

/// A temporary home with a data dir inside it, and the binary to run there.
pub struct Sandbox {
    tmp: TempDir,
    bin: PathBuf,
    _turn: Turn,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox for the `vaultty` of this build ([`vaultty_bin`]).
    pub fn new() -> Self {
        Self::with_binary(vaultty_bin())
    }

    /// A sandbox that runs `bin` (the benchmarks run two builds side by side).
    pub fn with_binary(bin: impl Into<PathBuf>) -> Self {
        Self::with_turn(bin.into(), Turn::take(false))
    }

    /// A sandbox for a test that times the UI: it waits until no other sandbox of this test
    /// binary exists, and no other is made until it is dropped (make no second one beside
    /// it).
    pub fn alone() -> Self {
        Self::with_turn(vaultty_bin(), Turn::take(true))
    }

    fn with_turn(bin: PathBuf, turn: Turn) -> Self {
        Sandbox {
            tmp: tempfile::tempdir().expect("temp dir"),
            bin,
            _turn: turn,
        }
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }
    pub fn home(&self) -> &Path {
        self.tmp.path()
    }
    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// `vaultty --data-dir <data> <args>` as a plain (non-terminal) process.
    pub fn cli(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(&self.bin);
        c.arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env_remove("VAULTTY_DATA_DIR")
            .env_remove("VAULTTY_TEST_CRASH")
            .env("HOME", self.home())
            .current_dir(self.home())
            .timeout(Duration::from_secs(60));
        c
    }

    /// Creates an account with the CLI.
    pub fn signup(&self, email: &str, name: &str, password: &str) {
        self.cli(&[
            "signup",
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
        ])
        .write_stdin(format!("{password}\n"))
        .assert()
        .success();
    }

    /// Logs in with the CLI (starts a session in the data dir).
    pub fn login(&self, email: &str, password: &str) {
        self.cli(&["login", "--email", email, "--password-stdin"])
            .write_stdin(format!("{password}\n"))
            .assert()
            .success();
    }

    /// The exit code and standard output of `vaultty whoami`.
    pub fn whoami(&self) -> (i32, String) {
        let out = self.cli(&["whoami"]).output().expect("run whoami");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// How many accounts the data dir's store holds (through the store's inspection API).
    pub fn account_count(&self) -> i64 {
        let store = vaultty_store_sqlite::Store::open_in(&self.data()).expect("open the store");
        store.count(Table::Accounts).expect("count accounts")
    }

    /// `vaultty --data-dir <data>` (the UI) in a fresh pty, with `env` added.
    pub fn ui(&self, env: &[(&str, &str)]) -> Pty {
        let mut cmd = CommandBuilder::new(&self.bin);
        cmd.arg("--data-dir");
        cmd.arg(self.data());
        self.spawn(cmd, env)
    }

    /// Runs `program` in a pty of 80×24 with a clean, test-only environment.
    pub fn spawn(&self, mut cmd: CommandBuilder, env: &[(&str, &str)]) -> Pty {
        cmd.env_remove("VAULTTY_DATA_DIR");
        cmd.env_remove("VAULTTY_TEST_CRASH");
        cmd.env_remove("COLUMNS");
        cmd.env_remove("LINES");
        cmd.env("HOME", self.home());
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(self.home());
        Pty::spawn(cmd)
    }
}

/// What the program wrote, and when each read returned.
#[derive(Default)]
struct Output {
    /// Everything the program wrote so far.
    log: Vec<u8>,
    /// Per read (or resize of the model): when it happened and where it ends in `log`.
    timeline: Vec<Event>,
}

enum Event {
    Read { at: Instant, end: usize },
    Resize { at: Instant, rows: u16, cols: u16 },
}

/// A program running in a pseudo-terminal, its screen as a terminal would show it, and
/// everything it wrote.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Mutex<Box<dyn Write + Send>>,
    pub child: Mutex<Box<dyn portable_pty::Child + Send + Sync>>,
    parser: Arc<Mutex<vt100::Parser>>,
    out: Arc<Mutex<Output>>,
    /// Notified after every read.
    read: Arc<Condvar>,
    eof: Arc<AtomicBool>,
    /// Taken just before the program was started.
    pub spawned_at: Instant,
}

impl Pty {
    pub fn spawn(cmd: CommandBuilder) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(ROWS), nz(COLS), 0)));
        let out = Arc::new(Mutex::new(Output::default()));
        let read = Arc::new(Condvar::new());
        let eof = Arc::new(AtomicBool::new(false));
        {
            let (parser, out, read, eof) = (parser.clone(), out.clone(), read.clone(), eof.clone());
            // Drain continuously: a full pty buffer would block the program.
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let at = Instant::now();
                            let mut p = parser.lock().unwrap();
                            p.process(&buf[..n]);
                            let mut o = out.lock().unwrap();
                            o.log.extend_from_slice(&buf[..n]);
                            let end = o.log.len();
                            o.timeline.push(Event::Read { at, end });
                            read.notify_all();
                        }
                    }
                }
                eof.store(true, Ordering::SeqCst);
                read.notify_all();
            });
        }
        let spawned_at = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        // Only the child keeps the slave open: the reader then sees EOF when it exits.
        drop(pair.slave);
        Pty {
            master: pair.master,
            writer: Mutex::new(writer),
            child: Mutex::new(child),
            parser,
            out,
            read,
            eof,
            spawned_at,
        }
    }

    /// The program's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.lock().unwrap().process_id()
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the program wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.out.lock().unwrap().log.clone()
    }

    /// How many bytes the program wrote so far.
    pub fn raw_len(&self) -> usize {
        self.out.lock().unwrap().log.len()
    }

    /// Polls the screen until `ok` holds; returns that screen. Panics after `WAIT` with the
    /// screen and `what` was expected.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for {what}\n--- screen ---\n{screen}\n\
                     --------------"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// The screen once nothing has been drawn for 200 ms.
    pub fn settled(&self) -> String {
        self.quiet_for(Duration::from_millis(200), WAIT);
        self.screen()
    }

    /// Returns once nothing has been drawn for `quiet`, or after `limit` in any case.
    pub fn quiet_for(&self, quiet: Duration, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut out = self.out.lock().unwrap();
        loop {
            let seen = out.timeline.len();
            let now = Instant::now();
            if now >= deadline || self.eof.load(Ordering::SeqCst) {
                return;
            }
            let (o, timeout) = self
                .read
                .wait_timeout_while(out, quiet.min(deadline - now), |o| o.timeline.len() == seen)
                .unwrap();
            out = o;
            if timeout.timed_out() && out.timeline.len() == seen {
                return;
            }
        }
    }

    /// Waits until the next read (or `limit`); whether one came.
    fn wait_read(&self, seen: usize, limit: Duration) -> bool {
        let out = self.out.lock().unwrap();
        let (out, _) = self
            .read
            .wait_timeout_while(out, limit, |o| {
                o.timeline.len() == seen && !self.eof.load(Ordering::SeqCst)
            })
            .unwrap();
        out.timeline.len() != seen
    }

    /// Waits until the screen contains `text`; returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until the screen no longer contains `text`; returns that screen.
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to disappear"), |s| !s.contains(text))
    }

    /// Waits until the screen contains `text` (checked every millisecond) and returns the
    /// moment of the read that put it there, the first at or after `after` (`after` itself if
    /// it was already on the screen then). Panics after `WAIT`.
    pub fn wait_shown(&self, text: &str, after: Instant) -> Instant {
        let deadline = Instant::now() + WAIT;
        loop {
            // The reader updates the model before it records the read: a read recorded after
            // `seen` was counted is either in this screen or wakes the wait below.
            let seen = self.out.lock().unwrap().timeline.len();
            if self.screen().contains(text) {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for {text:?}\n--- screen ---\n{}\n\
                     --------------",
                    self.screen()
                );
            }
            self.wait_read(seen, deadline - now);
        }
        self.shown_at(text, after)
            .expect("the text is on the screen, so some read put it there")
    }

    /// The moment of the first read at or after `after` that left `text` on the screen
    /// (`after` if it was on the screen already), replaying the timeline through a model of
    /// its own.
    pub fn shown_at(&self, text: &str, after: Instant) -> Option<Instant> {
        let out = self.out.lock().unwrap();
        let mut model = vt100::Parser::new(nz(ROWS), nz(COLS), 0);
        let mut start = 0;
        let mut checked_before = false;
        for ev in &out.timeline {
            match *ev {
                Event::Resize { at, rows, cols } => {
                    if at >= after && !checked_before {
                        checked_before = true;
                        if model.screen().contents().contains(text) {
                            return Some(after);
                        }
                    }
                    model.set_size(nz(rows), nz(cols));
                    model.process(b"\x1b[H\x1b[2J");
                }
                Event::Read { at, end } => {
                    if at >= after && !checked_before {
                        checked_before = true;
                        if model.screen().contents().contains(text) {
                            return Some(after);
                        }
                    }
                    model.process(&out.log[start..end]);
                    start = end;
                    if at >= after && model.screen().contents().contains(text) {
                        return Some(at);
                    }
                }
            }
        }
        (!checked_before && model.screen().contents().contains(text)).then_some(after)
    }

    /// Samples the screen for `dur`; panics as soon as `ok` does not hold.
    pub fn assert_stays(&self, dur: Duration, what: &str, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + dur;
        while Instant::now() < deadline {
            let screen = self.screen();
            assert!(
                ok(&screen),
                "expected {what} to hold for {dur:?}\n--- screen ---\n{screen}\n--------------"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Writes bytes to the terminal, as keys typed by the user.
    pub fn send(&self, bytes: impl AsRef<[u8]>) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(bytes.as_ref()).expect("write to the pty");
        w.flush().expect("flush the pty");
    }

    /// Esc, alone, then a pause so the next key is not read as Alt-<key>.
    pub fn esc(&self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(100));
    }

    /// A bracketed paste of `text`.
    pub fn paste(&self, text: &str) {
        self.send(format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Resizes the terminal. The model is resized and blanked first (under the lock the
    /// reader needs), so nothing drawn for the new size is parsed at the old one and what is
    /// on the model's screen afterwards was drawn after the resize: waiting for a full form
    /// is waiting for the program's repaint.
    pub fn resize(&self, rows: u16, cols: u16) {
        let mut p = self.parser.lock().unwrap();
        p.set_size(nz(rows), nz(cols));
        p.process(b"\x1b[H\x1b[2J");
        self.out.lock().unwrap().timeline.push(Event::Resize {
            at: Instant::now(),
            rows,
            cols,
        });
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Waits for the program to exit and for its last output to be read.
    pub fn wait_exit(&self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(st) = self.child.lock().unwrap().try_wait().expect("try_wait") {
                break st;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the program did not exit within {WAIT:?}\n--- screen ---\n{}\n\
                     --------------",
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        };
        while !self.eof.load(Ordering::SeqCst) {
            assert!(
                Instant::now() < deadline,
                "the pty was not closed after the program exited"
            );
            std::thread::sleep(POLL);
        }
        status
    }

    /// How long after `since` the program exited (polled every millisecond, so the figure is
    /// close to the truth). Panics if it is still running `WAIT` after `since`.
    pub fn exited_after(&self, since: Instant) -> Duration {
        loop {
            if self
                .child
                .lock()
                .unwrap()
                .try_wait()
                .expect("try_wait")
                .is_some()
            {
                return since.elapsed();
            }
            if since.elapsed() >= WAIT {
                panic!(
                    "the program did not exit within {WAIT:?}\n--- screen ---\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Waits for the program to exit and returns its exit code (panics on a signal).
    pub fn exit_code(&self) -> u32 {
        let st = self.wait_exit();
        assert!(
            st.signal().is_none(),
            "killed by a signal: {st}\n--- screen ---\n{}",
            self.screen()
        );
        st.exit_code()
    }

    /// Waits for the login form (the first session check is done, keys are taken).
    pub fn wait_login(&self) -> String {
        self.wait_until("the login form", |s| {
            s.contains(LOGIN_BUTTON) && field_row(s, "Email").is_some()
        })
    }

    /// Types a secret into the focused field `label` and waits until it shows as `n` masks;
    /// checks that neither the screen nor anything written to the terminal shows it.
    pub fn type_secret(&self, label: &str, secret: &str) -> String {
        self.send(secret);
        let n = secret.chars().count();
        let screen = self.wait_until(&format!("{n} masks in the {label:?} field"), |s| {
            field_row(s, label).is_some_and(|r| masks(r) == n)
        });
        self.assert_secret_hidden(secret);
        screen
    }

    /// Neither the screen nor the raw output contains `secret`.
    pub fn assert_secret_hidden(&self, secret: &str) {
        let screen = self.screen();
        assert!(
            !screen.contains(secret),
            "the password is on the screen:\n{screen}"
        );
        assert!(
            !contains(&self.raw(), secret.as_bytes()),
            "the password was written to the terminal"
        );
    }

    /// Types plain text into the focused field `label` and waits until it shows there.
    pub fn type_text(&self, label: &str, text: &str) -> String {
        self.send(text);
        self.wait_until(&format!("{text:?} in the {label:?} field"), |s| {
            field_row(s, label).is_some_and(|r| r.contains(text))
        })
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // Never leave a process behind, whatever the caller did.
        if let Ok(child) = self.child.get_mut() {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal size is not zero")
}

/// The row of the form field labelled `label` ("▸ Label" when focused, "  Label" otherwise,
/// then the input), if it is on the screen.
pub fn field_row<'a>(screen: &'a str, label: &str) -> Option<&'a str> {
    screen.lines().find(|row| {
        let inner = row.trim_start_matches(['│', ' ']);
        let inner = inner.strip_prefix('▸').unwrap_or(inner).trim_start();
        inner
            .strip_prefix(label)
            .is_some_and(|rest| rest.starts_with("  "))
    })
}

/// The field row, or a panic that shows the screen.
pub fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    field_row(screen, label).unwrap_or_else(|| panic!("no {label:?} field on the screen\n{screen}"))
}

pub fn focused(screen: &str, label: &str) -> bool {
    row(screen, label).contains(&format!("▸ {label}"))
}

pub fn masks(row: &str) -> usize {
    row.chars().filter(|&c| c == MASK).count()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

//! The terminal UI, built from screens ([`screens`]) and the widgets they are drawn with
//! ([`widgets`]). Data flows one way: a key goes through the keymap ([`keys`]) to an action,
//! the update ([`app`]) applies it, maybe sends a request of the core's API to the backend on
//! the worker thread ([`worker`]), whose response comes back as a message; [`view`] draws the
//! model and only reads it. Every user-facing string is in [`strings`].
//!
//! This module is the runtime: the terminal guard, the input thread ([`input`]), the signal
//! and data-dir watcher threads, and the event loop. The main thread blocks on one channel of
//! messages: it wakes only for an event, an answer or a deadline the model asks for (spinner,
//! fading message, session expiry). Nothing it does grows with what was typed or pasted beyond
//! a field's limit, so Ctrl-C is always handled at once.

pub mod app;
pub mod input;
pub mod keys;
pub mod screens;
pub mod strings;
pub mod view;
pub mod widgets;
pub mod worker;

use crate::clock::{Clock, SystemClock};
use crate::{Accounts, timefmt};
use anyhow::Context as _;
use app::{Effect, Model, Msg, update};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};

/// Exit code when stdout is not a terminal (a usage problem).
pub const EXIT_NOT_A_TERMINAL: u8 = 2;

/// Test hook (only with the `test-hooks` feature, which `cargo test` turns on):
/// `VAULTTY_TEST_CRASH=panic` panics and `=error` returns an error right after the first frame,
/// so tests can check that the terminal is restored on both paths.
#[cfg(feature = "test-hooks")]
const CRASH_ENV: &str = "VAULTTY_TEST_CRASH";

/// Runs the UI on the data dir `dir`.
pub fn run(dir: &Path) -> ExitCode {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        eprintln!("{}: {}", strings::APP, strings::NOT_A_TERMINAL);
        return ExitCode::from(EXIT_NOT_A_TERMINAL);
    }
    // Open the store before touching the terminal, so a storage error is a plain message.
    let accounts = match crate::open(dir) {
        Ok(v) => v,
        Err(e) => return crate::cli::fail(&e.into()),
    };
    match run_app(accounts, Arc::new(SystemClock)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!(
                "{}: {}",
                strings::APP,
                crate::sanitize::for_display(&format!("{e:#}"))
            );
            ExitCode::from(1)
        }
    }
}

/// Puts the terminal back as it was: everything `enter` turned on, turned off again.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Raw mode, alternate screen and bracketed paste for as long as it lives; restored on drop
/// (normal exit and early error return) and by the panic hook.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            prev(info);
        }));
        enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT quit as Ctrl-C does, but with the exit code shells
/// expect for a process a signal ended (128 + the signal), and never with the signal's default
/// action, which would leave the terminal raw. The event loop restores the terminal. Returns
/// where the exit code is put.
fn spawn_signals(tx: Sender<Msg>) -> anyhow::Result<Arc<AtomicU8>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])
        .context(strings::ERR_SIGNALS)?;
    let code = Arc::new(AtomicU8::new(0));
    let set = code.clone();
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            // 128 + the signal, as shells report a process ended by it (SIGTERM 143, SIGHUP
            // 129, SIGINT 130, SIGQUIT 131), once the terminal is restored.
            set.store(128 + sig as u8, Ordering::SeqCst);
            let _ = tx.send(Msg::Quit);
        }
    });
    Ok(code)
}

/// Watches the data dir (inotify) and sends [`Msg::StoreChanged`] when another process changes
/// the store or the session file there, so a session ended elsewhere (a logout in another
/// terminal, a password change) is noticed at once, without polling. Without inotify the UI
/// still notices at the session's next use or expiry.
///
/// `store`, a SQLite file outside the data dir (`--store sqlite:PATH`, shared
/// with other data dirs), is watched too: its directory, for events about that file and its
/// journals only. Returns whether every change of the store is seen so (then the UI needs no
/// timer to notice what others did); a PostgreSQL store is never seen.
fn spawn_watcher(dir: &Path, store: Option<&Path>, tx: Sender<Msg>) -> bool {
    use rustix::fs::inotify;
    let Ok(fd) = inotify::init(inotify::CreateFlags::CLOEXEC) else {
        return false;
    };
    let events = inotify::WatchFlags::MODIFY
        | inotify::WatchFlags::CLOSE_WRITE
        | inotify::WatchFlags::CREATE
        | inotify::WatchFlags::DELETE
        | inotify::WatchFlags::MOVED_TO;
    if inotify::add_watch(&fd, dir, events).is_err() {
        return false;
    }
    // The store's own directory, unless it is the data dir: which watch it is, and the name
    // its events must start with (the file, or its -wal, -shm, -journal).
    let mut store_watch: Option<(i32, std::ffi::OsString)> = None;
    let sees_store = match store {
        None => false,
        Some(file) => match (file.parent(), file.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                let same = std::fs::canonicalize(parent).ok() == std::fs::canonicalize(dir).ok();
                if same {
                    true
                } else if let Ok(wd) = inotify::add_watch(&fd, parent, events) {
                    store_watch = Some((wd, name.to_owned()));
                    true
                } else {
                    false
                }
            }
            _ => false,
        },
    };
    std::thread::spawn(move || {
        use std::os::unix::ffi::OsStrExt;
        let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 4096];
        let mut events = inotify::Reader::new(&fd, &mut buf);
        // An event of the store's directory about another file is not news
        let news = |e: &inotify::Event| match &store_watch {
            Some((wd, name)) if e.wd() == *wd => e
                .file_name()
                .is_some_and(|f| f.to_bytes().starts_with(name.as_bytes())),
            _ => true,
        };
        loop {
            match events.next() {
                Ok(e) => {
                    // One message for a burst: the rest of what this read returned is the
                    // same news.
                    let mut changed = news(&e);
                    while !events.is_buffer_empty() {
                        if let Ok(e) = events.next() {
                            changed |= news(&e);
                        }
                    }
                    if changed && tx.send(Msg::StoreChanged).is_err() {
                        return;
                    }
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => return,
            }
        }
    });
    sees_store
}

/// Puts `text` on the clipboard of the terminal (and of the terminal beyond an SSH session or
/// tmux with `set-clipboard on`) with OSC 52, as `vault copy` does. Empty text clears it (see
/// `cli::vault::clear_sequence`). Terminals that do not support it ignore the sequence.
fn osc52(text: &str) -> io::Result<()> {
    use std::io::Write as _;
    let seq = if text.is_empty() {
        zeroize::Zeroizing::new(crate::cli::vault::clear_sequence())
    } else {
        crate::cli::vault::osc52(text)
    };
    let mut out = io::stdout().lock();
    out.write_all(seq.as_bytes())?;
    out.flush()
}

/// Runs the UI until it quits; returns the exit code.
fn run_app(accounts: Accounts, clock: Arc<dyn Clock>) -> anyhow::Result<u8> {
    #[cfg(feature = "test-hooks")]
    let crash = std::env::var(CRASH_ENV).ok();
    let guard = TerminalGuard::enter().context(strings::ERR_TERMINAL)?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(io::stdout())).context(strings::ERR_DRAW)?;
    let (tx, rx): (Sender<Msg>, Receiver<Msg>) = mpsc::channel();
    let ctrl_c = input::spawn(tx.clone());
    let exit_code = spawn_signals(tx.clone())?;
    let meter = worker::Meter::spawn(tx.clone());
    // The store, when it is a SQLite file, is watched too; otherwise (a
    // PostgreSQL server) the UI checks its session on a timer.
    let setup = crate::setup();
    let store_file = match crate::open::store_at(accounts.data_dir(), setup.store.as_deref()) {
        Ok(crate::open::StoreAt::Sqlite(file)) => Some(file),
        _ => None,
    };
    let sees_store = spawn_watcher(accounts.data_dir(), store_file.as_deref(), tx.clone());
    let busy_tx = tx.clone();
    crate::store::on_long_wait(move || {
        let _ = busy_tx.send(Msg::StoreBusy);
    });
    if let Some(mask) = setup.mask {
        widgets::form::set_mask(mask);
    }
    let dir = accounts.data_dir().to_path_buf();
    let remember = setup.remember_email;
    let launch_email = if remember {
        crate::remember::load(&dir)
    } else {
        None
    };
    let worker = worker::spawn_worker(accounts, tx, move |report| {
        crate::remember::after_login(&dir, &report.session.account.email, remember);
    });
    let size = terminal.size().context(strings::ERR_SIZE)?;
    let mut model = Model::new(clock, timefmt::system_tz(), (size.width, size.height));
    model.launch_email = launch_email;
    model.vault_lock_secs = setup.options.vault_lock_secs;
    if sees_store {
        model.watch_secs = None;
    }
    let mut pending = model.init();
    let mut first = true;
    loop {
        pending.extend(app::refresh(&mut model));
        for effect in pending.drain(..) {
            match effect {
                Effect::Meter(check) => meter.request(check),
                Effect::Backend(request) => worker.send(request).context(strings::ERR_WORKER)?,
                Effect::Clipboard(text) => osc52(&text)?,
            }
        }
        if model.quit {
            break;
        }
        if std::mem::take(&mut model.clear_screen) {
            // Wipe what the last user's screen showed. Not `Terminal::clear`: it asks the
            // terminal for the cursor position, which races the input thread for stdin.
            execute!(io::stdout(), Clear(ClearType::All))?;
            terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
            model.redraw = true;
        }
        // The timer's checks of the session wake the loop but redraw only
        // when they changed something.
        if std::mem::take(&mut model.redraw) {
            terminal.draw(|f| view::view(&model, f))?;
        }
        if std::mem::take(&mut first) {
            #[cfg(feature = "test-hooks")]
            match crash.as_deref() {
                Some("panic") => panic!("test panic requested by {CRASH_ENV}"),
                Some("error") => anyhow::bail!("test error requested by {CRASH_ENV}"),
                _ => {}
            }
        }
        // Block until something happens (or the model's next deadline).
        let msg = match model.next_wake() {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(d) => rx.recv_timeout(d),
        };
        let msg = match msg {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => Msg::Tick,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        pending.extend(update(&mut model, msg));
        // Coalesce bursts (resizes, pasted keys) into one redraw; a Ctrl-C read meanwhile
        // skips whatever is still queued.
        while !model.quit {
            if ctrl_c.load(Ordering::SeqCst) {
                model.quit = true;
                break;
            }
            let Ok(msg) = rx.try_recv() else {
                break;
            };
            pending.extend(update(&mut model, msg));
        }
    }
    // What was copied does not outlive the UI by more than it would have.
    if model.clipboard_clear_at.is_some() {
        let _ = osc52("");
    }
    drop(terminal);
    drop(guard);
    Ok(exit_code.load(Ordering::SeqCst))
}

//! Reading passwords: from the terminal with rpassword, or from standard input.

use super::CliError;
use crate::{Error, Field, Password, ValidationError};
use std::io::Read;
use zeroize::{Zeroize, Zeroizing};

/// The most bytes one password line may have on stdin (256 code points of up to 4 bytes,
/// plus a newline). A longer line is refused, never cut.
const MAX_LINE_BYTES: usize = 256 * 4 + 2;

/// Reads `n` passwords, one per line, from standard input. Only the line ending is stripped.
///
/// std's `Stdin` keeps what it reads in a process-wide buffer that is never wiped, so the
/// lines are read straight from file descriptor 0, a byte at a time (a password is at most a
/// kilobyte, and nothing past the last line is consumed), into zeroizing buffers of our own.
pub fn stdin_passwords(n: usize) -> Result<Vec<Password>, CliError> {
    let fields: &[Field] = match n {
        2 => &[Field::CurrentPassword, Field::NewPassword],
        _ => &[Field::Password],
    };
    stdin_secrets(fields)
}

/// Reads one secret line per field from standard input (see [`stdin_passwords`]); errors name
/// the field.
pub fn stdin_secrets(fields: &[Field]) -> Result<Vec<Password>, CliError> {
    use std::os::fd::BorrowedFd;
    // SAFETY: descriptor 0 stays open for the life of the process; it is only borrowed here.
    let fd = unsafe { BorrowedFd::borrow_raw(0) };
    let mut stdin = std::fs::File::from(
        fd.try_clone_to_owned()
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?,
    );
    read_secrets(&mut stdin, fields)
}

/// Reads one line (up to `limit` bytes, the newline included) into `line`, which must have room
/// for it already, so that it is never reallocated (a reallocation would leave a copy behind).
fn read_line(r: &mut impl Read, line: &mut Vec<u8>, limit: usize) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    while line.len() < limit {
        match r.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    byte.zeroize();
    Ok(())
}

#[cfg(test)]
pub(crate) fn read_passwords(r: &mut impl Read, n: usize) -> Result<Vec<Password>, CliError> {
    let fields: &[Field] = match n {
        2 => &[Field::CurrentPassword, Field::NewPassword],
        _ => &[Field::Password],
    };
    read_secrets(r, fields)
}

fn read_secrets(r: &mut impl Read, fields: &[Field]) -> Result<Vec<Password>, CliError> {
    let n = fields.len();
    let field = |i: usize| fields[i];
    let names = fields
        .iter()
        .map(|f| f.to_string().to_lowercase())
        .collect::<Vec<_>>()
        .join(", then ");
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE_BYTES + 1));
        read_line(r, &mut line, MAX_LINE_BYTES + 1)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        if line.len() > MAX_LINE_BYTES {
            return Err(Error::invalid(
                ValidationError::new(field(i), "is too long (at most 256 characters).")
                    .with_hint("Use a shorter passphrase."),
            )
            .into());
        }
        if line.is_empty() && i > 0 {
            return Err(CliError::Usage(format!(
                "expected {n} lines on standard input ({names})"
            )));
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        let text = match std::str::from_utf8(&line) {
            Ok(s) => Zeroizing::new(s.to_owned()),
            Err(_) => {
                return Err(Error::invalid(
                    ValidationError::new(field(i), "is not valid UTF-8 text.")
                        .with_hint("Check the encoding of what you piped in."),
                )
                .into());
            }
        };
        out.push(Password::new(text));
    }
    Ok(out)
}

/// Runs `f` (which turns terminal echo off) so that a signal arriving meanwhile (Ctrl-C at the
/// prompt, SIGTERM, SIGHUP) cannot leave the terminal without echo: the terminal's settings are
/// saved first and put back by the signal handler before the signal's default action runs.
fn with_tty_restored_on_signal<T>(f: impl FnOnce() -> T) -> T {
    use std::os::fd::AsRawFd;
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return f();
    };
    let fd = tty.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
        return f();
    }
    let signals = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];
    let ids: Vec<_> = signals
        .iter()
        .filter_map(|&sig| {
            // SAFETY: the handler only calls tcsetattr (async-signal-safe) and then hands the
            // signal to its default action.
            unsafe {
                signal_hook::low_level::register(sig, move || {
                    libc::tcsetattr(fd, libc::TCSANOW, &saved);
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                })
            }
            .ok()
        })
        .collect();
    let out = f();
    for id in ids {
        signal_hook::low_level::unregister(id);
    }
    drop(tty);
    out
}

/// Asks for a password on the terminal, without echo. Ctrl-D on an empty line cancels.
pub fn prompt(label: &str) -> Result<Password, CliError> {
    with_tty_restored_on_signal(|| rpassword::prompt_password(label))
        .map(|s| Password::new(Zeroizing::new(s)))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                // The prompt's line was left open: end it, so "cancelled" has a line of its own.
                eprintln!();
                CliError::Cancelled
            }
            _ => CliError::Usage(format!(
                "cannot prompt for the password on a terminal ({e}); \
                 pipe it in with --password-stdin"
            )),
        })
}

/// How many times a new password is asked for on a terminal before giving up, as passwd(1).
pub const NEW_PASSWORD_TRIES: usize = 3;

/// Asks for a new password and its repetition. A password `check` refuses, or two entries that
/// differ, are explained and asked for again, up to [`NEW_PASSWORD_TRIES`] times; the last
/// refusal is the error.
pub fn prompt_new(
    field: Field,
    label: &str,
    again: &str,
    check: impl Fn(&Password) -> Option<ValidationError>,
) -> Result<Password, CliError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let last = tries >= NEW_PASSWORD_TRIES;
        let first = prompt(label)?;
        let refusal = match check(&first) {
            Some(problem) => problem,
            None => {
                let second = prompt(again)?;
                if first == second {
                    return Ok(first);
                }
                ValidationError::new(field, "and its repetition do not match.")
                    .with_hint("Type the same password twice.")
            }
        };
        if last {
            return Err(Error::invalid(refusal).into());
        }
        eprintln!(
            "vaultty: {} Try again.",
            crate::sanitize::for_display(&refusal.to_string())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_line_ending() {
        let mut r = std::io::Cursor::new(b"  spaced pass  \r\nsecond\n".to_vec());
        let v = read_passwords(&mut r, 2).unwrap();
        assert_eq!(v[0].expose(), "  spaced pass  ");
        assert_eq!(v[1].expose(), "second");
        let mut r = std::io::Cursor::new(b"no newline".to_vec());
        assert_eq!(read_passwords(&mut r, 1).unwrap()[0].expose(), "no newline");
    }

    #[test]
    fn refuses_bad_input() {
        let mut r = std::io::Cursor::new(vec![0xff, 0xfe, b'\n']);
        assert_eq!(read_passwords(&mut r, 1).unwrap_err().exit_code(), 6);
        let mut r = std::io::Cursor::new(vec![b'a'; 1 << 20]);
        assert_eq!(read_passwords(&mut r, 1).unwrap_err().exit_code(), 6);
        let mut r = std::io::Cursor::new(b"only one\n".to_vec());
        assert_eq!(read_passwords(&mut r, 2).unwrap_err().exit_code(), 2);
    }
}

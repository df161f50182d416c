//! Reading the terminal's keys ourselves, so that no copy of what was typed outlives its use.
//!
//! crossterm's reader keeps the bytes it reads in a buffer of its own that lives as long as the
//! process and is only ever partly overwritten: a pasted password was still there after the
//! login (the memory tests found it). Here every byte read from the terminal passes through a
//! buffer that is wiped after each read; vte (alacritty's parser) splits the bytes into
//! characters, controls and escape sequences, and [`Decoder`] turns them into the same crossterm
//! events crossterm's own parser gives, so the rest of the UI does not change. Resizes come
//! from SIGWINCH.

use super::app::Msg;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use zeroize::{Zeroize, Zeroizing};

/// Turns the bytes a terminal sends into key and paste events, as crossterm would.
#[derive(Default)]
pub struct Decoder {
    parser: vte::Parser,
    keys: Keys,
}

#[derive(Default)]
struct Keys {
    events: Vec<Event>,
    /// The text of a bracketed paste under way.
    paste: Option<Zeroizing<String>>,
    /// An SS3 introducer (ESC O) came last: the next character names the key.
    ss3: bool,
}

impl Decoder {
    /// The events in `bytes`, one read's worth. An ESC that ends a read is the Esc key (a
    /// sequence's bytes arrive together), as crossterm decides.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.parser.advance(&mut self.keys, bytes);
        if bytes.last() == Some(&0x1b) && self.keys.paste.is_none() {
            self.parser = vte::Parser::new();
            self.keys.ss3 = false;
            self.keys.key(KeyCode::Esc, KeyModifiers::NONE);
        }
        std::mem::take(&mut self.keys.events)
    }
}

impl Keys {
    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.events.push(Event::Key(KeyEvent::new_with_kind(
            code,
            modifiers,
            KeyEventKind::Press,
        )));
    }

    fn char(&mut self, c: char, modifiers: KeyModifiers) {
        let shift = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.key(KeyCode::Char(c), modifiers | shift);
    }
}

/// The modifiers of an xterm sequence's second parameter (1 + a bit each for Shift, Alt, Ctrl).
fn modifiers(param: Option<u16>) -> KeyModifiers {
    let bits = param.unwrap_or(1).saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    for (bit, flag) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
    ] {
        if bits & bit != 0 {
            m |= flag;
        }
    }
    m
}

/// The key an SS3 sequence or a CSI sequence's final letter names.
fn letter_key(c: char) -> Option<KeyCode> {
    Some(match c {
        'A' => KeyCode::Up,
        'B' => KeyCode::Down,
        'C' => KeyCode::Right,
        'D' => KeyCode::Left,
        'H' => KeyCode::Home,
        'F' => KeyCode::End,
        'P' => KeyCode::F(1),
        'Q' => KeyCode::F(2),
        'R' => KeyCode::F(3),
        'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// The key of a `CSI n ~` sequence.
fn tilde_key(n: u16) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F((n - 10) as u8),
        17..=21 => KeyCode::F((n - 11) as u8),
        23..=26 => KeyCode::F((n - 12) as u8),
        28 | 29 => KeyCode::F((n - 15) as u8),
        31..=34 => KeyCode::F((n - 17) as u8),
        _ => return None,
    })
}

impl vte::Perform for Keys {
    fn print(&mut self, c: char) {
        if let Some(p) = self.paste.as_mut() {
            p.push(c);
            return;
        }
        if std::mem::take(&mut self.ss3) {
            if let Some(code) = letter_key(c) {
                self.key(code, KeyModifiers::NONE);
            }
            return;
        }
        match c {
            '\x7f' => self.key(KeyCode::Backspace, KeyModifiers::NONE),
            c => self.char(c, KeyModifiers::NONE),
        }
    }

    fn execute(&mut self, byte: u8) {
        if let Some(p) = self.paste.as_mut() {
            // Pasted as it came, as crossterm gives it; the fields strip line breaks.
            p.push(char::from(byte));
            return;
        }
        self.ss3 = false;
        match byte {
            b'\r' | b'\n' => self.key(KeyCode::Enter, KeyModifiers::NONE),
            b'\t' => self.key(KeyCode::Tab, KeyModifiers::NONE),
            // ^H is what many terminals send for the Backspace key (as DEL is for others).
            0x08 => self.key(KeyCode::Backspace, KeyModifiers::NONE),
            0x01..=0x1a => self.key(
                KeyCode::Char((byte - 0x01 + b'a') as char),
                KeyModifiers::CONTROL,
            ),
            0x1c..=0x1f => self.key(
                KeyCode::Char((byte - 0x1c + b'4') as char),
                KeyModifiers::CONTROL,
            ),
            0x00 => self.key(KeyCode::Char(' '), KeyModifiers::CONTROL),
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &vte::Params, _: &[u8], ignore: bool, action: char) {
        let p: Vec<u16> = params
            .iter()
            .map(|s| s.first().copied().unwrap_or(0))
            .collect();
        if action == '~' && p.first() == Some(&200) {
            self.paste = Some(Zeroizing::new(String::new()));
            return;
        }
        if action == '~' && p.first() == Some(&201) {
            if let Some(mut text) = self.paste.take() {
                // The text moves out whole (no copy); the emptied buffer is wiped on drop.
                self.events.push(Event::Paste(std::mem::take(&mut *text)));
            }
            return;
        }
        if self.paste.is_some() || ignore {
            return;
        }
        let m = modifiers(p.get(1).copied());
        match action {
            'Z' => self.key(KeyCode::BackTab, KeyModifiers::SHIFT),
            '~' => {
                if let Some(code) = p.first().copied().and_then(tilde_key) {
                    self.key(code, m);
                }
            }
            c => {
                if let Some(code) = letter_key(c) {
                    self.key(code, m);
                }
            }
        }
    }

    fn esc_dispatch(&mut self, intermediates: &[u8], _: bool, byte: u8) {
        if self.paste.is_some() || !intermediates.is_empty() {
            return;
        }
        match byte {
            b'O' => self.ss3 = true,
            0x20..=0x7e => self.char(byte as char, KeyModifiers::ALT),
            _ => {}
        }
    }
}

/// Reads the terminal (`/dev/tty`, else standard input) on a thread of its own and sends each
/// key, paste and resize to `tx`; [`Msg::Quit`] when the terminal is gone. Ctrl-C also raises
/// the returned flag, so the event loop quits without first working through keys queued before
/// it (a paste into a terminal without bracketed paste arrives as one key per character).
pub fn spawn(tx: Sender<Msg>) -> Arc<AtomicBool> {
    let quit = Arc::new(AtomicBool::new(false));
    let raise = quit.clone();
    let resize_tx = tx.clone();
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGWINCH]) {
        std::thread::spawn(move || {
            for _ in signals.forever() {
                if let Ok((w, h)) = ratatui::crossterm::terminal::size()
                    && resize_tx.send(Msg::Resize(w, h)).is_err()
                {
                    return;
                }
            }
        });
    }
    std::thread::spawn(move || {
        let mut tty: Box<dyn Read> = match std::fs::File::open("/dev/tty") {
            Ok(f) => Box::new(f),
            Err(_) => Box::new(std::io::stdin()),
        };
        let mut decoder = Decoder::default();
        let mut buf = Zeroizing::new([0u8; 256]);
        loop {
            let n = match tty.read(&mut buf[..]) {
                Ok(0) => 0,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => 0,
            };
            if n == 0 {
                let _ = tx.send(Msg::Quit);
                return;
            }
            let events = decoder.feed(&buf[..n]);
            buf[..n].zeroize();
            for event in events {
                let msg = match event {
                    Event::Key(k) => {
                        if super::app::is_quit_key(&k) {
                            raise.store(true, Ordering::SeqCst);
                        }
                        Msg::Key(k)
                    }
                    Event::Paste(p) => Msg::Paste(p),
                    _ => continue,
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        }
    });
    quit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new_with_kind(code, m, KeyEventKind::Press))
    }
    const NONE: KeyModifiers = KeyModifiers::NONE;

    fn decode(bytes: &[u8]) -> Vec<Event> {
        Decoder::default().feed(bytes)
    }

    #[test]
    fn the_keys_the_ui_uses_decode_as_crossterm_decodes_them() {
        let c = |ch| key(KeyCode::Char(ch), NONE);
        let ctrl = |ch| key(KeyCode::Char(ch), KeyModifiers::CONTROL);
        for (bytes, want) in [
            (&b"ab"[..], vec![c('a'), c('b')]),
            (b"A", vec![key(KeyCode::Char('A'), KeyModifiers::SHIFT)]),
            ("é李🦊".as_bytes(), vec![c('é'), c('李'), c('🦊')]),
            (
                b"\r\t\x7f\x08",
                vec![
                    key(KeyCode::Enter, NONE),
                    key(KeyCode::Tab, NONE),
                    key(KeyCode::Backspace, NONE),
                    key(KeyCode::Backspace, NONE),
                ],
            ),
            (
                b"\x03\x0e\x17\x0b\x0c",
                vec![ctrl('c'), ctrl('n'), ctrl('w'), ctrl('k'), ctrl('l')],
            ),
            (b"\x1b", vec![key(KeyCode::Esc, NONE)]),
            (b"\x1b[Z", vec![key(KeyCode::BackTab, KeyModifiers::SHIFT)]),
            (
                b"\x1b[A\x1b[B\x1b[C\x1b[D",
                vec![
                    key(KeyCode::Up, NONE),
                    key(KeyCode::Down, NONE),
                    key(KeyCode::Right, NONE),
                    key(KeyCode::Left, NONE),
                ],
            ),
            (
                b"\x1bOA\x1bOH\x1bOF",
                vec![
                    key(KeyCode::Up, NONE),
                    key(KeyCode::Home, NONE),
                    key(KeyCode::End, NONE),
                ],
            ),
            (
                b"\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~",
                vec![
                    key(KeyCode::Home, NONE),
                    key(KeyCode::End, NONE),
                    key(KeyCode::Home, NONE),
                    key(KeyCode::End, NONE),
                    key(KeyCode::Delete, NONE),
                ],
            ),
            (
                b"\x1bOP\x1bOQ\x1b[15~",
                vec![
                    key(KeyCode::F(1), NONE),
                    key(KeyCode::F(2), NONE),
                    key(KeyCode::F(5), NONE),
                ],
            ),
            (
                b"\x1b[1;5C\x1b[1;5D",
                vec![
                    key(KeyCode::Right, KeyModifiers::CONTROL),
                    key(KeyCode::Left, KeyModifiers::CONTROL),
                ],
            ),
            (b"\x1bb", vec![key(KeyCode::Char('b'), KeyModifiers::ALT)]),
        ] {
            assert_eq!(decode(bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn a_bracketed_paste_is_one_event() {
        let got = decode(b"x\x1b[200~pass word\r\nline two\x1b[201~y");
        assert_eq!(
            got,
            vec![
                key(KeyCode::Char('x'), NONE),
                Event::Paste("pass word\r\nline two".to_owned()),
                key(KeyCode::Char('y'), NONE),
            ]
        );
        // A paste that spans several reads (a long one does), with an ESC inside it.
        let mut d = Decoder::default();
        assert!(d.feed(b"\x1b[200~abc").is_empty());
        assert!(d.feed(b"def\x1b").is_empty());
        assert_eq!(d.feed(b"[201~"), vec![Event::Paste("abcdef".to_owned())]);
    }

    #[test]
    fn a_sequence_split_across_reads_still_decodes() {
        let mut d = Decoder::default();
        assert!(d.feed(b"\x1b[1;").is_empty());
        assert_eq!(
            d.feed(b"5C"),
            vec![key(KeyCode::Right, KeyModifiers::CONTROL)]
        );
        // Garbage never panics.
        for bytes in [
            &b"\x1b[999999999999~"[..],
            b"\x1b[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;A",
            b"\xff\xfe\x80",
            b"\x1bP\x1b\\",
        ] {
            let _ = Decoder::default().feed(bytes);
        }
    }
}

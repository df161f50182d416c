//! A password being typed: [`SecretInput`], a zeroizing buffer of fixed capacity.
//!
//! tui-input keeps its text in a growable `String` and a yank buffer, neither of which can be
//! wiped, so passwords get their own input: the same editing requests (tui-input's
//! `InputRequest`, so the keymap's editing keys do the same in every field), no yank buffer, a
//! buffer allocated once with room for the longest password (no reallocation leaves copies
//! behind) and wiped on clear and on drop.

use crate::Password;
use crate::auth::policy::MAX_PASSWORD_CHARS;
use tui_input::InputRequest;
use unicode_segmentation::UnicodeSegmentation;
use zeroize::{Zeroize, Zeroizing};

/// Bytes reserved for a secret: the longest password at 4 bytes per character.
pub(super) const SECRET_CAPACITY: usize = MAX_PASSWORD_CHARS * 4;

/// A password being typed.
pub struct SecretInput {
    buf: Zeroizing<String>,
    /// Cursor position in characters.
    cursor: usize,
    /// Set when a character was refused because the field is full.
    pub overflowed: bool,
}

impl Default for SecretInput {
    fn default() -> Self {
        Self {
            buf: Zeroizing::new(String::with_capacity(SECRET_CAPACITY)),
            cursor: 0,
            overflowed: false,
        }
    }
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretInput(<{} chars redacted>)", self.chars())
    }
}

impl SecretInput {
    pub fn chars(&self) -> usize {
        self.buf.chars().count()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
    /// The text, for the strength meter and for comparing with a confirmation.
    pub fn expose(&self) -> &str {
        &self.buf
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.buf
            .char_indices()
            .nth(char_idx)
            .map_or(self.buf.len(), |(i, _)| i)
    }

    /// Inserts one character at the cursor; refused (and `overflowed` set) when the field is
    /// full, so the buffer never grows past its first allocation.
    pub fn insert(&mut self, c: char) -> bool {
        if self.chars() >= MAX_PASSWORD_CHARS || self.buf.len() + c.len_utf8() > SECRET_CAPACITY {
            self.overflowed = true;
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.buf.insert(at, c);
        self.cursor += 1;
        true
    }

    /// Inserts pasted text without its line breaks in one step, then wipes the pasted copy.
    /// A paste that would not fit is refused whole (nothing inserted, `overflowed` set).
    pub fn paste(&mut self, mut text: String) -> bool {
        let clean = Zeroizing::new(without_line_breaks(&text));
        text.zeroize();
        let n = clean.chars().count();
        if self.chars() + n > MAX_PASSWORD_CHARS || self.buf.len() + clean.len() > SECRET_CAPACITY {
            self.overflowed = true;
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.buf.insert_str(at, &clean);
        self.cursor += n;
        n > 0
    }

    fn char_at_byte(&self, byte: usize) -> usize {
        self.buf[..byte].chars().count()
    }

    /// Where a word move to the left from `pos` lands: the start of the word before it, as
    /// tui-input moves in text fields (Unicode word bounds; punctuation is not a word).
    fn word_start_before(&self, pos: usize) -> usize {
        let byte = self.byte_at(pos);
        let start = self
            .buf
            .split_word_bound_indices()
            .rev()
            .find(|&(i, w)| i < byte && is_word(w))
            .map_or(0, |(i, _)| i);
        self.char_at_byte(start)
    }

    /// Where a word move to the right from `pos` lands: the start of the next word, or the
    /// end (as in tui-input).
    fn word_end_after(&self, pos: usize) -> usize {
        let byte = self.byte_at(pos);
        let next = self
            .buf
            .split_word_bound_indices()
            .find(|&(i, w)| i > byte && is_word(w))
            .map_or(self.buf.len(), |(i, _)| i);
        self.char_at_byte(next)
    }

    fn delete_chars(&mut self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        let (a, b) = (self.byte_at(from), self.byte_at(to));
        // Shifts the tail left inside the same allocation (no reallocation); the bytes left
        // in the spare capacity are wiped by `clear` and on drop, which zero the whole capacity.
        self.buf.replace_range(a..b, "");
        self.cursor = from;
        true
    }

    /// Applies an editing request. Returns whether anything changed.
    pub fn handle(&mut self, req: InputRequest) -> bool {
        use InputRequest::*;
        let n = self.chars();
        let moved = |s: &mut Self, to: usize| {
            let changed = s.cursor != to;
            s.cursor = to;
            changed
        };
        match req {
            InsertChar(c) => self.insert(c),
            SetCursor(p) => moved(self, p.min(n)),
            GoToPrevChar => moved(self, self.cursor.saturating_sub(1)),
            GoToNextChar => moved(self, (self.cursor + 1).min(n)),
            GoToStart => moved(self, 0),
            GoToEnd => moved(self, n),
            GoToPrevWord => moved(self, self.word_start_before(self.cursor)),
            GoToNextWord => moved(self, self.word_end_after(self.cursor)),
            DeletePrevChar if self.cursor > 0 => self.delete_chars(self.cursor - 1, self.cursor),
            DeleteNextChar if self.cursor < n => self.delete_chars(self.cursor, self.cursor + 1),
            DeletePrevWord => self.delete_chars(self.word_start_before(self.cursor), self.cursor),
            DeleteNextWord => self.delete_chars(self.cursor, self.word_end_after(self.cursor)),
            DeleteLine => {
                let changed = !self.buf.is_empty();
                self.clear();
                changed
            }
            DeleteTillEnd => self.delete_chars(self.cursor, n),
            DeleteFromStart => self.delete_chars(0, self.cursor),
            // no yank buffer for secrets
            _ => false,
        }
    }

    /// Wipes the text; the allocation is kept (and now zeroed).
    pub fn clear(&mut self) {
        self.buf.zeroize();
        self.cursor = 0;
        self.overflowed = false;
    }

    /// Moves the text out as a [`Password`] and wipes the field.
    pub fn take(&mut self) -> Password {
        let p = Password::new(Zeroizing::new(self.buf.as_str().to_owned()));
        self.clear();
        p
    }

    /// A copy as a [`Password`], leaving the field as it is (for the strength meter).
    pub fn to_password(&self) -> Password {
        Password::new(Zeroizing::new(self.buf.as_str().to_owned()))
    }
}

/// Whether a segment between word bounds is a word (as tui-input decides).
fn is_word(s: &str) -> bool {
    s.chars()
        .any(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
}

/// `text` without its line breaks (a paste never submits and fields are one line).
pub(super) fn without_line_breaks(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use InputRequest::*;

    fn typed(s: &str) -> SecretInput {
        let mut f = SecretInput::default();
        for c in s.chars() {
            f.handle(InsertChar(c));
        }
        f
    }

    #[test]
    fn editing() {
        let mut f = typed("hello world");
        f.handle(DeletePrevWord);
        assert_eq!(f.expose(), "hello ");
        f.handle(GoToStart);
        f.handle(InsertChar('>'));
        assert_eq!(f.expose(), ">hello ");
        f.handle(GoToEnd);
        f.handle(DeletePrevChar);
        assert_eq!(f.expose(), ">hello");
        f.handle(GoToPrevChar);
        f.handle(DeleteNextChar);
        assert_eq!(f.expose(), ">hell");
        f.handle(DeleteLine);
        assert!(f.is_empty());
        let mut f = typed("ünï cödé");
        f.handle(GoToPrevWord);
        assert_eq!(f.cursor(), 4);
        f.handle(DeleteTillEnd);
        assert_eq!(f.expose(), "ünï ");
    }

    #[test]
    fn tm_06_clearing_wipes_without_reallocating() {
        let mut f = typed(&"é".repeat(MAX_PASSWORD_CHARS));
        let cap = f.capacity();
        assert_eq!(cap, SECRET_CAPACITY.max(cap));
        assert!(!f.insert('x'), "a full field refuses more");
        assert!(f.overflowed);
        f.clear();
        assert_eq!(f.expose().len(), 0);
        assert_eq!(f.capacity(), cap, "no reallocation");
        let p = typed("secret value here").take();
        assert_eq!(p.expose(), "secret value here");
    }

    #[test]
    fn debug_is_redacted() {
        assert!(!format!("{:?}", typed("hunter2hunter2")).contains("hunter"));
    }
}

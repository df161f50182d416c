//! Form fields: one labelled input, plain text (tui-input), a password ([`SecretInput`]) or
//! several lines ([`MultiLine`]), with a limit on its length and an optional error shown under
//! it.

use super::multiline::MultiLine;
use super::secret::{SecretInput, without_line_breaks};
use crate::auth::policy::MAX_PASSWORD_CHARS;
use tui_input::{Input, InputRequest};

/// What a field holds.
#[derive(Debug)]
pub enum FieldKind {
    Text(Input),
    Secret(SecretInput),
    /// Several lines (an entry's notes): Enter breaks the line, a paste keeps its breaks.
    Lines(MultiLine),
}

/// What an edit did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    Unchanged,
    Changed,
    /// Refused whole: the text would pass the field's limit.
    TooLong,
}

/// One labelled input with an optional error shown under it.
#[derive(Debug)]
pub struct FormField {
    pub label: &'static str,
    pub kind: FieldKind,
    pub error: Option<String>,
    /// The most characters the field takes (the policy's limit for what it holds).
    pub max_chars: usize,
}

impl FormField {
    pub fn text(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            kind: FieldKind::Text(Input::default()),
            error: None,
            max_chars,
        }
    }
    pub fn secret(label: &'static str) -> Self {
        Self {
            label,
            kind: FieldKind::Secret(SecretInput::default()),
            error: None,
            max_chars: MAX_PASSWORD_CHARS,
        }
    }
    /// A field of several lines (Enter breaks the line).
    pub fn lines(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            kind: FieldKind::Lines(MultiLine::new(max_chars)),
            error: None,
            max_chars,
        }
    }
    pub fn is_secret(&self) -> bool {
        matches!(self.kind, FieldKind::Secret(_))
    }
    /// The text of a plain or multi-line field ("" for a secret).
    pub fn value(&self) -> &str {
        match &self.kind {
            FieldKind::Text(i) => i.value(),
            FieldKind::Lines(m) => m.value(),
            FieldKind::Secret(_) => "",
        }
    }
    pub fn secret_ref(&self) -> Option<&SecretInput> {
        match &self.kind {
            FieldKind::Secret(s) => Some(s),
            _ => None,
        }
    }
    pub fn secret_mut(&mut self) -> Option<&mut SecretInput> {
        match &mut self.kind {
            FieldKind::Secret(s) => Some(s),
            _ => None,
        }
    }
    pub fn lines_ref(&self) -> Option<&MultiLine> {
        match &self.kind {
            FieldKind::Lines(m) => Some(m),
            _ => None,
        }
    }
    pub fn lines_mut(&mut self) -> Option<&mut MultiLine> {
        match &mut self.kind {
            FieldKind::Lines(m) => Some(m),
            _ => None,
        }
    }
    /// Sets a plain or multi-line field's text (callers pass text within the field's limit).
    pub fn set_text(&mut self, value: &str) {
        match &mut self.kind {
            FieldKind::Text(i) => *i = Input::new(value.to_owned()),
            FieldKind::Lines(m) => m.set_text(value),
            FieldKind::Secret(_) => {}
        }
    }
    pub fn clear(&mut self) {
        match &mut self.kind {
            FieldKind::Text(i) => i.reset(),
            FieldKind::Secret(s) => s.clear(),
            FieldKind::Lines(m) => m.clear(),
        }
    }
    /// Applies an editing request; one that would pass the field's limit is refused.
    pub fn handle(&mut self, req: InputRequest) -> Edited {
        match &mut self.kind {
            FieldKind::Text(i) => {
                let grows = matches!(req, InputRequest::InsertChar(_) | InputRequest::Yank);
                let before = grows.then(|| i.clone());
                let changed = i.handle(req).is_some_and(|c| c.value);
                match before {
                    Some(b) if i.value().chars().count() > self.max_chars => {
                        *i = b;
                        Edited::TooLong
                    }
                    _ if changed => Edited::Changed,
                    _ => Edited::Unchanged,
                }
            }
            FieldKind::Secret(s) => {
                s.overflowed = false;
                match s.handle(req) {
                    _ if s.overflowed => Edited::TooLong,
                    true => Edited::Changed,
                    false => Edited::Unchanged,
                }
            }
            FieldKind::Lines(m) => m.handle(req),
        }
    }
    /// A line break at the cursor of a multi-line field (nothing in the others).
    pub fn new_line(&mut self) -> Edited {
        match &mut self.kind {
            FieldKind::Lines(m) => m.new_line(),
            _ => Edited::Unchanged,
        }
    }
    /// Inserts pasted text in one step, with line breaks removed (kept in a multi-line
    /// field); a paste that would pass the field's limit is refused whole. Never submits.
    pub fn paste(&mut self, text: String) -> Edited {
        match &mut self.kind {
            FieldKind::Text(i) => {
                let clean = without_line_breaks(&text);
                let n = clean.chars().count();
                if i.value().chars().count() + n > self.max_chars {
                    return Edited::TooLong;
                }
                if n == 0 {
                    return Edited::Unchanged;
                }
                let (value, cursor) = (i.value(), i.cursor());
                let at = value
                    .char_indices()
                    .nth(cursor)
                    .map_or(value.len(), |(b, _)| b);
                let joined = [&value[..at], &clean, &value[at..]].concat();
                *i = std::mem::take(i).with_value(joined).with_cursor(cursor + n);
                Edited::Changed
            }
            FieldKind::Secret(s) => {
                s.overflowed = false;
                match s.paste(text) {
                    _ if s.overflowed => Edited::TooLong,
                    true => Edited::Changed,
                    false => Edited::Unchanged,
                }
            }
            FieldKind::Lines(m) => m.paste(text),
        }
    }
    /// Cursor column (in cells from the field's start) for drawing a one-line field.
    pub fn cursor_col(&self) -> usize {
        match &self.kind {
            FieldKind::Text(i) => i.visual_cursor(),
            FieldKind::Secret(s) => s.cursor(),
            FieldKind::Lines(m) => m.cursor_at(&m.rows(u16::MAX)).1,
        }
    }
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
    fn paste_strips_newlines() {
        let mut f = SecretInput::default();
        f.paste("line one\nline two\r\n".to_owned());
        assert_eq!(f.expose(), "line oneline two");
        let mut t = FormField::text("Email", 254);
        t.paste("a@b.c\n".to_owned());
        assert_eq!(t.value(), "a@b.c");
    }

    #[test]
    fn ui_01_paste_goes_in_at_the_cursor_in_one_step() {
        let mut t = FormField::text("Name", 100);
        t.paste("Ada Lovelace".to_owned());
        t.handle(GoToStart);
        assert_eq!(t.paste("Countess ".to_owned()), Edited::Changed);
        assert_eq!(t.value(), "Countess Ada Lovelace");
        assert_eq!(t.cursor_col(), "Countess ".len());
        let mut f = typed("ab");
        f.handle(GoToPrevChar);
        f.paste("XY".to_owned());
        assert_eq!((f.expose(), f.cursor()), ("aXYb", 3));
    }

    #[test]
    fn ui_01_fields_refuse_text_past_their_limit_whole() {
        let mut t = FormField::text("Name", 5);
        assert_eq!(t.paste("abcdef".to_owned()), Edited::TooLong);
        assert_eq!(t.value(), "", "a paste that does not fit is not cut");
        assert_eq!(t.paste("abc\n".to_owned()), Edited::Changed);
        assert_eq!(t.paste("def".to_owned()), Edited::TooLong);
        assert_eq!(t.handle(InsertChar('d')), Edited::Changed);
        assert_eq!(t.handle(InsertChar('e')), Edited::Changed);
        assert_eq!(t.handle(InsertChar('f')), Edited::TooLong);
        assert_eq!(t.value(), "abcde");
        // the yank buffer cannot grow it either
        t.handle(DeletePrevWord);
        t.handle(Yank);
        assert_eq!(t.handle(Yank), Edited::TooLong);
        assert_eq!(t.value(), "abcde");
        let mut s = FormField::secret("Password");
        let long = "x".repeat(MAX_PASSWORD_CHARS + 1);
        assert_eq!(s.paste(long), Edited::TooLong);
        assert!(s.secret_ref().unwrap().is_empty());
        assert_eq!(s.paste("x".repeat(MAX_PASSWORD_CHARS)), Edited::Changed);
        assert_eq!(s.handle(InsertChar('y')), Edited::TooLong);
        assert_eq!(s.secret_ref().unwrap().chars(), MAX_PASSWORD_CHARS);
    }
}

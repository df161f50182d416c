//! A multi-line text being typed (an entry's notes): [`MultiLine`], one zeroizing buffer with
//! a cursor, wrapped into rows for drawing.
//!
//! Why not a crate: tui-textarea (and its ratatui 0.30 fork, ratatui-textarea) keeps its lines
//! in a `Vec<String>` that grows by reallocating, an undo history of edits and a yank buffer,
//! none of which can be wiped from outside; it draws the text as it is (no sanitizing) and
//! brings a key mapping of its own beside the keymap. This is a small editor on the model of
//! [`super::secret::SecretInput`]: the same editing requests (tui-input's `InputRequest`, so
//! the keymap's editing keys do the same here as in every field), no undo and no yank buffer,
//! a buffer that grows only by moving into a bigger one and wiping the old, wiped whole on
//! clear and on drop.
//!
//! Lines: Enter breaks the line (the keymap's `Lines` layer); Home / End go to the start / end
//! of the line; Backspace at a line's start and Delete at its end join two lines; Ctrl-U
//! deletes the line's text and Ctrl-K the rest of it (at its end, the line break); word moves
//! cross lines. ↑ / ↓ move by the rows drawn (a long line wraps at a word), keeping the column.
//! Tabs: the Tab key moves between fields, so a tab only comes from a paste or a stored entry;
//! it is kept as it is and drawn as four spaces, as the entry pane draws it. A paste keeps its
//! line breaks (CR LF and lone CR become LF, as the entry's check wants).

use super::field::Edited;
use crate::sanitize::{for_display, is_unsafe_char};
use tui_input::InputRequest;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use zeroize::{Zeroize, Zeroizing};

/// Columns a tab is drawn as (as the entry pane draws it).
pub const TAB_W: usize = 4;

/// One row as drawn: a byte range of the text without its line break. `last`: the row ends
/// its line (the cursor may sit at its end); otherwise the line goes on in the next row, which
/// starts where this one ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    pub last: bool,
}

/// A multi-line text being typed.
pub struct MultiLine {
    buf: Zeroizing<String>,
    /// Byte offset of the cursor (always on a character boundary).
    cursor: usize,
    /// Characters in `buf` (the limit counts characters).
    chars: usize,
    /// The column ↑ / ↓ keep, set by the first of a run of them.
    goal: Option<usize>,
    /// The first row shown (kept by [`MultiLine::follow`]; the drawing keeps the cursor in
    /// view whatever it says).
    top: usize,
    max_chars: usize,
}

impl std::fmt::Debug for MultiLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MultiLine(<{} chars redacted>)", self.chars)
    }
}

impl MultiLine {
    /// An empty text of at most `max_chars` characters.
    pub fn new(max_chars: usize) -> Self {
        Self {
            buf: Zeroizing::new(String::new()),
            cursor: 0,
            chars: 0,
            goal: None,
            top: 0,
            max_chars,
        }
    }

    pub fn value(&self) -> &str {
        &self.buf
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub fn chars(&self) -> usize {
        self.chars
    }
    /// The cursor as a byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    pub fn top(&self) -> usize {
        self.top
    }
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Replaces the text (line breaks made LF), wiping the old; the cursor at the start. Text
    /// over the limit is kept whole (a stored entry is never cut): saving says it is too long.
    pub fn set_text(&mut self, text: &str) {
        self.clear();
        let clean = normalized(text);
        self.reserve(clean.len());
        self.buf.push_str(&clean);
        self.chars = self.buf.chars().count();
    }

    /// Wipes the text; the allocation is kept (and now zeroed).
    pub fn clear(&mut self) {
        self.buf.zeroize();
        self.cursor = 0;
        self.chars = 0;
        self.goal = None;
        self.top = 0;
    }

    /// Room for `extra` more bytes. A `String` that grows leaves its old block to the
    /// allocator unwiped: the text moves into a bigger buffer here and the old one is wiped.
    fn reserve(&mut self, extra: usize) {
        let need = self.buf.len().saturating_add(extra);
        if need <= self.buf.capacity() {
            return;
        }
        let cap = need.max(self.buf.capacity().saturating_mul(2)).max(64);
        let mut bigger = Zeroizing::new(String::with_capacity(cap));
        bigger.push_str(&self.buf);
        // The old buffer is wiped (its whole capacity) as it drops.
        self.buf = bigger;
    }

    /// Inserts `text` (already without CR) at the cursor, whole or not at all.
    fn insert(&mut self, text: &str) -> Edited {
        let n = text.chars().count();
        if n == 0 {
            return Edited::Unchanged;
        }
        if self.chars.saturating_add(n) > self.max_chars {
            return Edited::TooLong;
        }
        self.reserve(text.len());
        self.buf.insert_str(self.cursor, text);
        self.cursor += text.len();
        self.chars += n;
        Edited::Changed
    }

    /// A line break at the cursor.
    pub fn new_line(&mut self) -> Edited {
        self.goal = None;
        self.insert("\n")
    }

    /// Inserts pasted text in one step, its line breaks kept (CR LF and CR become LF), then
    /// wipes the pasted copy. A paste that would pass the limit is refused whole.
    pub fn paste(&mut self, mut text: String) -> Edited {
        self.goal = None;
        let clean = normalized(&text);
        text.zeroize();
        self.insert(&clean)
    }

    /// Deletes the bytes `from..to` (character boundaries) and puts the cursor at `from`.
    fn delete(&mut self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        self.chars -= self.buf[from..to].chars().count();
        // The tail shifts left inside the same allocation; what is left past the end is
        // wiped with the rest of the capacity on clear and on drop.
        self.buf.replace_range(from..to, "");
        self.cursor = from;
        true
    }

    fn moved(&mut self, to: usize) -> bool {
        let changed = self.cursor != to;
        self.cursor = to;
        changed
    }

    /// The start of the grapheme before `at` (0 at the start).
    fn prev_grapheme(&self, at: usize) -> usize {
        self.buf[..at]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    /// The end of the grapheme at `at` (the end of the text at the end).
    fn next_grapheme(&self, at: usize) -> usize {
        self.buf[at..]
            .graphemes(true)
            .next()
            .map_or(at, |g| at + g.len())
    }

    /// Where a word move to the left lands: the start of the word before `at` (as tui-input
    /// and the password field move; a line break is no word).
    fn word_start_before(&self, at: usize) -> usize {
        self.buf
            .split_word_bound_indices()
            .rev()
            .find(|&(i, w)| i < at && is_word(w))
            .map_or(0, |(i, _)| i)
    }

    /// Where a word move to the right lands: the start of the next word, or the end.
    fn word_end_after(&self, at: usize) -> usize {
        self.buf
            .split_word_bound_indices()
            .find(|&(i, w)| i > at && is_word(w))
            .map_or(self.buf.len(), |(i, _)| i)
    }

    /// The start of the line the cursor is on.
    fn line_start(&self) -> usize {
        self.buf[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The end of the line the cursor is on (before its line break).
    fn line_end(&self) -> usize {
        self.buf[self.cursor..]
            .find('\n')
            .map_or(self.buf.len(), |i| self.cursor + i)
    }

    /// Applies an editing request of the keymap's field keys.
    pub fn handle(&mut self, req: InputRequest) -> Edited {
        use InputRequest::*;
        self.goal = None;
        let at = self.cursor;
        let edits = matches!(
            req,
            DeletePrevChar
                | DeleteNextChar
                | DeletePrevWord
                | DeleteNextWord
                | DeleteLine
                | DeleteTillEnd
                | DeleteFromStart
        );
        let changed = match req {
            InsertChar(c) => {
                let c = if c == '\r' { '\n' } else { c };
                return self.insert(c.encode_utf8(&mut [0; 4]));
            }
            SetCursor(p) => {
                let to = self
                    .buf
                    .char_indices()
                    .nth(p)
                    .map_or(self.buf.len(), |(i, _)| i);
                self.moved(to)
            }
            GoToPrevChar => self.moved(self.prev_grapheme(at)),
            GoToNextChar => self.moved(self.next_grapheme(at)),
            GoToPrevWord => self.moved(self.word_start_before(at)),
            GoToNextWord => self.moved(self.word_end_after(at)),
            GoToStart => self.moved(self.line_start()),
            GoToEnd => self.moved(self.line_end()),
            DeletePrevChar => self.delete(self.prev_grapheme(at), at),
            DeleteNextChar => self.delete(at, self.next_grapheme(at)),
            DeletePrevWord => self.delete(self.word_start_before(at), at),
            DeleteNextWord => self.delete(at, self.word_end_after(at)),
            DeleteLine => self.delete(self.line_start(), self.line_end()),
            DeleteTillEnd => match self.line_end() {
                // At the end of a line: the line break goes, the next line joins this one.
                end if end == at => self.delete(at, self.next_grapheme(at)),
                end => self.delete(at, end),
            },
            DeleteFromStart => self.delete(self.line_start(), at),
            // no yank buffer (nothing typed is kept aside)
            _ => false,
        };
        // A move changes nothing the form keeps.
        if edits && changed {
            Edited::Changed
        } else {
            Edited::Unchanged
        }
    }

    /// The rows of the text wrapped into `width` columns (see [`rows`]).
    pub fn rows(&self, width: u16) -> Vec<Row> {
        rows(&self.buf, width)
    }

    /// Where the cursor is drawn: its row (in `rows`) and column.
    pub fn cursor_at(&self, rows: &[Row]) -> (usize, usize) {
        let r = rows
            .partition_point(|r| r.start <= self.cursor)
            .saturating_sub(1);
        let Some(row) = rows.get(r) else {
            return (0, 0);
        };
        let to = self.cursor.clamp(row.start, row.end);
        (r, str_width(&self.buf[row.start..to]))
    }

    /// Moves the cursor one row up or down in the text wrapped at `width`, keeping its column
    /// over a run of such moves. Returns false (and stays) on the first row going up or the
    /// last going down.
    pub fn move_vertical(&mut self, down: bool, width: u16) -> bool {
        let rows = self.rows(width);
        let (r, col) = self.cursor_at(&rows);
        let target = if down {
            r + 1
        } else {
            match r.checked_sub(1) {
                Some(t) => t,
                None => return false,
            }
        };
        let Some(&row) = rows.get(target) else {
            return false;
        };
        let goal = *self.goal.get_or_insert(col);
        // The last place on the row whose column is at most the goal; a row that goes on in
        // the next one ends before its last grapheme (its end is drawn on the next row).
        let mut at = row.start;
        let mut x = 0;
        for (i, g) in self.buf[row.start..row.end].grapheme_indices(true) {
            let w = cell_width(g);
            let next = row.start + i + g.len();
            if x + w > goal || (!row.last && next == row.end) {
                break;
            }
            x += w;
            at = next;
        }
        self.cursor = at;
        true
    }

    /// Keeps the cursor within `height` rows shown from `top`, scrolling as little as it can.
    pub fn follow(&mut self, width: u16, height: u16) {
        let rows = self.rows(width);
        let (r, _) = self.cursor_at(&rows);
        self.top = scrolled(self.top, r, rows.len(), height);
    }

    /// The line the cursor is on and how many there are (1-based).
    pub fn line_of(&self) -> (usize, usize) {
        let line = self.buf[..self.cursor].matches('\n').count() + 1;
        let lines = line + self.buf[self.cursor..].matches('\n').count();
        (line, lines)
    }
}

/// The first row to show so that row `cursor` is among the `height` shown, moving `top` as
/// little as possible, and no blank rows after the text when it could fill them.
pub fn scrolled(top: usize, cursor: usize, rows: usize, height: u16) -> usize {
    let h = usize::from(height.max(1));
    let top = top.min(rows.saturating_sub(h));
    top.clamp(cursor.saturating_sub(h - 1), cursor)
}

/// `text` with CR LF and lone CR made LF.
fn normalized(text: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                continue;
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a segment between word bounds is a word (as tui-input decides).
fn is_word(s: &str) -> bool {
    s.chars()
        .any(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
}

/// Columns a grapheme takes as drawn: a tab four, a character drawn as U+FFFD one.
pub fn cell_width(g: &str) -> usize {
    if g == "\t" {
        return TAB_W;
    }
    if g.chars().any(is_unsafe_char) {
        return g
            .chars()
            .map(|c| {
                if is_unsafe_char(c) {
                    1
                } else {
                    c.width().unwrap_or(0)
                }
            })
            .sum();
    }
    g.width()
}

/// Columns `text` (one row's) takes as drawn.
fn str_width(text: &str) -> usize {
    text.graphemes(true).map(cell_width).sum()
}

/// A row's text as drawn: tabs as spaces (as the entry pane draws them), then sanitized as
/// everything from the store is ([`for_display`]: anything unsafe to print becomes U+FFFD).
pub fn shown(text: &str) -> String {
    for_display(&text.replace('\t', &" ".repeat(TAB_W)))
}

/// `text` wrapped into rows of `width` columns, keeping the last column free for the cursor:
/// at the last space that fits, else (a word longer than the row) at the last grapheme that
/// fits. Every row holds at least one grapheme, so a grapheme wider than the row has a row of
/// its own (the drawing cuts it). An empty text is one empty row.
pub fn rows(text: &str, width: u16) -> Vec<Row> {
    let wrap = usize::from(width.saturating_sub(1)).max(1);
    let mut rows = Vec::new();
    let (mut start, mut col) = (0, 0);
    // The end of the last whitespace in the row, and the column there.
    let mut space: Option<(usize, usize)> = None;
    for (i, g) in text.grapheme_indices(true) {
        if g == "\n" {
            rows.push(Row {
                start,
                end: i,
                last: true,
            });
            (start, col, space) = (i + 1, 0, None);
            continue;
        }
        let w = cell_width(g);
        while col + w > wrap && i > start {
            match space.take() {
                Some((at, at_col)) if at > start && at <= i => {
                    rows.push(Row {
                        start,
                        end: at,
                        last: false,
                    });
                    start = at;
                    col -= at_col;
                }
                _ => {
                    rows.push(Row {
                        start,
                        end: i,
                        last: false,
                    });
                    (start, col) = (i, 0);
                }
            }
        }
        col += w;
        if g.chars().all(char::is_whitespace) {
            space = Some((i + g.len(), col));
        }
    }
    rows.push(Row {
        start,
        end: text.len(),
        last: true,
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use InputRequest::*;

    fn typed(s: &str) -> MultiLine {
        let mut m = MultiLine::new(1000);
        for c in s.chars() {
            if c == '\n' {
                m.new_line();
            } else {
                m.handle(InsertChar(c));
            }
        }
        m
    }

    /// The text with the cursor drawn as `|`.
    fn at(m: &MultiLine) -> String {
        let mut s = m.value().to_owned();
        s.insert(m.cursor(), '|');
        s
    }

    fn texts(text: &str, width: u16) -> Vec<&str> {
        rows(text, width)
            .iter()
            .map(|r| &text[r.start..r.end])
            .collect()
    }

    #[test]
    fn enter_breaks_the_line_and_backspace_or_delete_join_lines() {
        let mut m = typed("line one\nline two");
        assert_eq!(m.value(), "line one\nline two");
        assert_eq!(m.line_of(), (2, 2));
        m.handle(GoToStart);
        assert_eq!(at(&m), "line one\n|line two");
        assert_eq!(m.handle(DeletePrevChar), Edited::Changed);
        assert_eq!(at(&m), "line one|line two");
        assert_eq!(m.new_line(), Edited::Changed);
        m.handle(GoToPrevChar);
        assert_eq!(at(&m), "line one|\nline two");
        assert_eq!(m.handle(DeleteNextChar), Edited::Changed);
        assert_eq!(at(&m), "line one|line two");
        assert_eq!(m.chars(), "line oneline two".len());
    }

    #[test]
    fn home_and_end_go_to_the_ends_of_the_line() {
        let mut m = typed("first\nsecond line\nthird");
        m.handle(GoToPrevWord);
        m.handle(GoToPrevChar);
        m.handle(GoToPrevChar);
        assert_eq!(at(&m), "first\nsecond lin|e\nthird");
        assert_eq!(m.handle(GoToStart), Edited::Unchanged);
        assert_eq!(at(&m), "first\n|second line\nthird");
        m.handle(GoToEnd);
        assert_eq!(at(&m), "first\nsecond line|\nthird");
        m.handle(SetCursor(0));
        assert_eq!(at(&m), "|first\nsecond line\nthird");
        m.handle(SetCursor(100));
        assert_eq!(at(&m), "first\nsecond line\nthird|");
    }

    #[test]
    fn word_moves_and_deletes_cross_lines() {
        let mut m = typed("alpha beta\ngamma");
        m.handle(GoToPrevWord);
        assert_eq!(at(&m), "alpha beta\n|gamma");
        m.handle(GoToPrevWord);
        assert_eq!(at(&m), "alpha |beta\ngamma");
        m.handle(GoToNextWord);
        assert_eq!(at(&m), "alpha beta\n|gamma");
        m.handle(GoToNextWord);
        assert_eq!(at(&m), "alpha beta\ngamma|");
        m.handle(DeletePrevWord);
        assert_eq!(at(&m), "alpha beta\n|");
        m.handle(DeletePrevWord);
        assert_eq!(at(&m), "alpha |");
        m.handle(GoToStart);
        m.handle(DeleteNextWord);
        assert_eq!(at(&m), "|");
    }

    #[test]
    fn ctrl_u_deletes_the_line_and_ctrl_k_the_rest_then_the_line_break() {
        let mut m = typed("one\ntwo words\nthree");
        m.handle(GoToPrevWord);
        m.handle(GoToPrevChar);
        m.handle(GoToPrevWord);
        assert_eq!(at(&m), "one\ntwo |words\nthree");
        assert_eq!(m.handle(DeleteTillEnd), Edited::Changed);
        assert_eq!(at(&m), "one\ntwo |\nthree");
        assert_eq!(m.handle(DeleteTillEnd), Edited::Changed);
        assert_eq!(at(&m), "one\ntwo |three");
        assert_eq!(m.handle(DeleteLine), Edited::Changed);
        assert_eq!(at(&m), "one\n|");
        assert_eq!(m.handle(DeleteLine), Edited::Unchanged);
        m.handle(DeletePrevChar);
        m.handle(DeleteFromStart);
        assert_eq!(at(&m), "|");
        assert_eq!(m.chars(), 0);
        // Nothing is kept aside to paste back.
        assert_eq!(m.handle(Yank), Edited::Unchanged);
        assert!(m.is_empty());
    }

    #[test]
    fn moves_and_deletes_go_by_grapheme() {
        let mut m = typed("e\u{301}x👩\u{200d}🔬");
        m.handle(GoToPrevChar);
        assert_eq!(at(&m), "e\u{301}x|👩\u{200d}🔬");
        m.handle(GoToPrevChar);
        m.handle(GoToPrevChar);
        assert_eq!(at(&m), "|e\u{301}x👩\u{200d}🔬");
        m.handle(DeleteNextChar);
        assert_eq!(at(&m), "|x👩\u{200d}🔬");
        m.handle(GoToEnd);
        m.handle(DeletePrevChar);
        assert_eq!(at(&m), "x|");
        assert_eq!(m.chars(), 1);
    }

    #[test]
    fn paste_keeps_line_breaks_and_makes_them_lf() {
        let mut m = typed("ab");
        m.handle(GoToPrevChar);
        assert_eq!(
            m.paste("one\r\ntwo\rthree\n\tfour".to_owned()),
            Edited::Changed
        );
        assert_eq!(at(&m), "aone\ntwo\nthree\n\tfour|b");
        assert_eq!(m.paste(String::new()), Edited::Unchanged);
    }

    #[test]
    fn the_limit_refuses_keys_line_breaks_and_pastes_whole() {
        let mut m = MultiLine::new(5);
        assert_eq!(m.paste("abcdef".to_owned()), Edited::TooLong);
        assert!(m.is_empty(), "a paste that does not fit is not cut");
        assert_eq!(m.paste("ab\r\nc".to_owned()), Edited::Changed);
        assert_eq!(m.chars(), 4, "a line break counts as one character");
        assert_eq!(m.handle(InsertChar('d')), Edited::Changed);
        assert_eq!(m.handle(InsertChar('e')), Edited::TooLong);
        assert_eq!(m.new_line(), Edited::TooLong);
        assert_eq!(m.value(), "ab\ncd");
        // a stored text is never cut
        m.set_text("0123456789");
        assert_eq!(m.value(), "0123456789");
        assert_eq!(m.handle(InsertChar('x')), Edited::TooLong);
    }

    #[test]
    fn tm_06_growing_moves_the_text_and_clearing_wipes_without_reallocating() {
        let mut m = MultiLine::new(100_000);
        m.set_text(&"note ".repeat(1000));
        let cap = m.capacity();
        assert!(cap >= 5000);
        m.handle(SetCursor(usize::MAX));
        assert_eq!(m.paste("x".repeat(cap)), Edited::Changed);
        assert!(m.capacity() > cap);
        assert!(m.value().starts_with("note note") && m.value().ends_with("xxx"));
        let cap = m.capacity();
        m.clear();
        assert_eq!((m.value(), m.capacity(), m.cursor()), ("", cap, 0));
        // set_text wipes what was there
        m.set_text("a\r\nb");
        assert_eq!((m.value(), m.cursor()), ("a\nb", 0));
    }

    #[test]
    fn debug_is_redacted() {
        assert!(!format!("{:?}", typed("my pin is 4711")).contains("4711"));
    }

    #[test]
    fn rows_wrap_at_a_space_or_inside_a_long_word() {
        // 10 columns: 9 for text, the last for the cursor.
        assert_eq!(texts("", 10), vec![""]);
        assert_eq!(texts("a\n\nb\n", 10), vec!["a", "", "b", ""]);
        assert_eq!(
            texts("the quick brown fox", 10),
            vec!["the ", "quick ", "brown fox"]
        );
        assert_eq!(texts("abcdefghijklmnop", 10), vec!["abcdefghi", "jklmnop"]);
        assert_eq!(
            texts("ab cdefghijklmnop", 10),
            vec!["ab ", "cdefghijk", "lmnop"]
        );
        // wide characters, tabs
        assert_eq!(
            texts("日本語のテキスト", 7),
            vec!["日本語", "のテキ", "スト"]
        );
        assert_eq!(texts("\tx\ty", 6), vec!["\t", "x\t", "y"]);
        // wider than the row: a row of its own, no endless loop
        assert_eq!(texts("日日", 2), vec!["日", "日"]);
        assert_eq!(texts("a\tb", 0), vec!["a", "\t", "b"]);
        let r = rows("ab cd", 4);
        assert_eq!(
            r,
            vec![
                Row {
                    start: 0,
                    end: 3,
                    last: false
                },
                Row {
                    start: 3,
                    end: 5,
                    last: true
                }
            ]
        );
    }

    #[test]
    fn the_cursor_is_drawn_on_its_row_and_column() {
        let mut m = typed("the quick brown fox");
        let r = m.rows(10);
        assert_eq!(m.cursor_at(&r), (2, 9));
        m.handle(SetCursor(10));
        // at a wrap: the start of the next row
        assert_eq!(m.cursor_at(&r), (2, 0));
        m.handle(SetCursor(9));
        assert_eq!(m.cursor_at(&r), (1, 5));
        let mut m = typed("a\tb\n日本");
        let r = m.rows(20);
        assert_eq!(m.cursor_at(&r), (1, 4));
        m.handle(GoToStart);
        m.handle(GoToPrevChar);
        assert_eq!(m.cursor_at(&r), (0, 6));
    }

    #[test]
    fn up_and_down_move_by_row_keeping_the_column() {
        let mut m = typed("a long first line\nab\nthird line here");
        let w = 40;
        m.handle(GoToStart);
        m.handle(GoToNextWord);
        assert_eq!(at(&m), "a long first line\nab\nthird |line here");
        assert!(m.move_vertical(false, w));
        assert_eq!(at(&m), "a long first line\nab|\nthird line here");
        assert!(m.move_vertical(false, w));
        assert_eq!(at(&m), "a long| first line\nab\nthird line here");
        assert!(!m.move_vertical(false, w), "the first row: nowhere up");
        assert!(m.move_vertical(true, w));
        assert!(m.move_vertical(true, w));
        assert_eq!(
            at(&m),
            "a long first line\nab\nthird |line here",
            "column kept"
        );
        assert!(!m.move_vertical(true, w), "the last row: nowhere down");
        // by rows drawn, within a wrapped line; a wrapped row ends before its last grapheme
        let mut m = typed("the quick brown fox");
        assert!(m.move_vertical(false, 10));
        assert_eq!(at(&m), "the quick| brown fox");
        assert!(m.move_vertical(false, 10));
        assert_eq!(at(&m), "the| quick brown fox");
        // wide characters: the column at or before the goal
        let mut m = typed("日本語\nabcde");
        m.handle(GoToStart);
        m.handle(GoToNextChar);
        assert!(m.move_vertical(false, 20));
        assert_eq!(at(&m), "|日本語\nabcde");
        // any other key forgets the column
        let mut m = typed("abcdef\nab\nabcdef");
        assert!(m.move_vertical(false, 20));
        m.handle(GoToPrevChar);
        assert!(m.move_vertical(false, 20));
        assert_eq!(at(&m), "a|bcdef\nab\nabcdef");
    }

    #[test]
    fn follow_scrolls_as_little_as_it_can() {
        assert_eq!(scrolled(0, 0, 10, 4), 0);
        assert_eq!(scrolled(0, 3, 10, 4), 0);
        assert_eq!(scrolled(0, 4, 10, 4), 1);
        assert_eq!(scrolled(5, 6, 10, 4), 5);
        assert_eq!(scrolled(5, 2, 10, 4), 2);
        assert_eq!(scrolled(8, 9, 10, 4), 6, "no blank rows after the text");
        assert_eq!(scrolled(3, 9, 10, 0), 9, "one row at least");
        let mut m = typed("1\n2\n3\n4\n5\n6\n7");
        m.follow(20, 5);
        assert_eq!(m.top(), 2);
        m.handle(SetCursor(0));
        m.follow(20, 5);
        assert_eq!(m.top(), 0);
    }

    #[test]
    fn shown_text_is_safe_to_print() {
        assert_eq!(shown("a\tb\u{1b}[2J\u{202e}"), "a    b\u{FFFD}[2J\u{FFFD}");
        assert_eq!(cell_width("\u{1b}"), 1);
        assert_eq!(cell_width("\t"), TAB_W);
        assert_eq!(cell_width("日"), 2);
        assert_eq!(str_width("a\tb\u{9b}"), 7);
    }

    /// Any text, any sequence of keys, pastes and ↑ / ↓ at any width: no panic, the cursor on
    /// a character boundary, the count right, the rows covering the text in order, the cursor
    /// on one of them and in view.
    mod props {
        use super::*;
        use proptest::prelude::*;

        fn request(op: u8, c: char) -> InputRequest {
            match op {
                0 => GoToPrevChar,
                1 => GoToNextChar,
                2 => GoToPrevWord,
                3 => GoToNextWord,
                4 => GoToStart,
                5 => GoToEnd,
                6 => DeletePrevChar,
                7 => DeleteNextChar,
                8 => DeletePrevWord,
                9 => DeleteNextWord,
                10 => DeleteLine,
                11 => DeleteTillEnd,
                12 => DeleteFromStart,
                13 => SetCursor(c as usize % 80),
                _ => InsertChar(c),
            }
        }

        proptest! {
            #[test]
            fn never_panics_and_keeps_its_invariants(
                text in "(?s).{0,60}",
                ops in prop::collection::vec((0u8..20, any::<char>(), "(?s).{0,8}"), 0..60),
                width in 0u16..30,
                height in 0u16..6,
            ) {
                let mut m = MultiLine::new(50);
                m.set_text(&text);
                for (op, c, paste) in ops {
                    let before = m.chars();
                    let edited = match op {
                        15 => m.new_line(),
                        16 => m.paste(paste),
                        17 => {
                            m.move_vertical((c as u32).is_multiple_of(2), width);
                            Edited::Unchanged
                        }
                        _ => m.handle(request(op, c)),
                    };
                    let v = m.value();
                    prop_assert!(m.cursor() <= v.len() && v.is_char_boundary(m.cursor()));
                    prop_assert_eq!(m.chars(), v.chars().count());
                    prop_assert!(!v.contains('\r'));
                    if edited == Edited::Changed && m.chars() > before {
                        prop_assert!(m.chars() <= 50);
                    }
                    let rows = m.rows(width);
                    prop_assert_eq!(rows[0].start, 0);
                    prop_assert_eq!(rows.last().unwrap().end, v.len());
                    for pair in rows.windows(2) {
                        let (a, b) = (pair[0], pair[1]);
                        prop_assert!(a.start <= a.end);
                        if a.last {
                            prop_assert_eq!(&v[a.end..b.start], "\n");
                        } else {
                            prop_assert!(a.start < a.end && a.end == b.start);
                        }
                    }
                    let (r, _) = m.cursor_at(&rows);
                    prop_assert!(r < rows.len());
                    m.follow(width, height);
                    let top = scrolled(m.top(), r, rows.len(), height);
                    prop_assert!(top <= r && r < top + usize::from(height.max(1)));
                }
            }
        }
    }
}

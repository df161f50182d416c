//! A dialog drawn over the screen: a titled box with a message, maybe one field (drawn as
//! forms draw theirs), and its buttons or the keys that answer it. On a short terminal the
//! blank rows go first, then the message is cut; the field and the buttons always show.

use super::field::FormField;
use super::form::{LABEL_W, draw_field};
use super::text::{fit_rows, text_rows};
use super::{bold, error_style, focus_style};
use crate::sanitize::for_display;
use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// The widest a dialog gets.
pub const DIALOG_W: u16 = 66;

/// What a dialog shows.
pub struct DialogView<'a> {
    pub title: &'a str,
    /// The message: paragraphs, wrapped; an empty line is a blank row between them (the first
    /// to go when rows are short).
    pub text: Vec<Line<'a>>,
    /// The field: it, whether it has the focus, whether a password shows in clear.
    pub field: Option<(&'a FormField, bool, bool)>,
    /// The buttons: each label and whether it has the focus.
    pub buttons: Vec<(&'a str, bool)>,
    /// The keys that answer it, on its last row ("Enter deletes · Esc cancels").
    pub keys: Option<Line<'a>>,
}

/// The plain text of a line, for measuring it.
fn plain(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Draws `d` centred over `area`; returns where the cursor goes (in a focused field).
pub fn draw(f: &mut Frame, area: Rect, d: &DialogView) -> Option<Position> {
    let w = DIALOG_W.min(area.width.saturating_sub(4)).max(10);
    let text_w = w.saturating_sub(4);
    let input_w = text_w.saturating_sub(LABEL_W);
    let error = d
        .field
        .and_then(|(field, _, _)| field.error.as_deref())
        .map(|e| format!("✗ {}", for_display(e)));
    let error_rows = error
        .as_ref()
        .map_or(0, |e| text_rows(e, input_w, u16::MAX));
    // What must show: the field (and its error), the buttons, the keys.
    let field_rows = d.field.map_or(0, |_| 1 + error_rows);
    let fixed = field_rows + u16::from(!d.buttons.is_empty()) + u16::from(d.keys.is_some());
    let sections = u16::from(d.field.is_some())
        + u16::from(!d.buttons.is_empty())
        + u16::from(d.keys.is_some());
    let rows_of = |lines: &[&Line]| -> u16 {
        lines
            .iter()
            .map(|l| text_rows(&plain(l), text_w, u16::MAX))
            .sum()
    };
    let all: Vec<&Line> = d.text.iter().collect();
    let packed: Vec<&Line> = d.text.iter().filter(|l| !plain(l).is_empty()).collect();
    let avail = area.height.saturating_sub(2);
    // Roomy: a blank row above, below and between the parts; then without the message's
    // blank rows; then without any blank row.
    let (text, pad) = if rows_of(&all) + fixed + sections + 2 <= avail {
        (all, true)
    } else if rows_of(&packed) + fixed + sections + 2 <= avail {
        (packed, true)
    } else {
        (packed, false)
    };
    let text_rows_wanted = rows_of(&text);
    let gaps = if pad { sections + 2 } else { 0 };
    let text_room = avail.saturating_sub(fixed + gaps).min(text_rows_wanted);
    let h = (text_room + fixed + gaps + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(format!(" {} ", d.title), bold()));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let put = |f: &mut Frame, p: Paragraph, r: Rect| {
        let r = r.intersection(inner);
        if !r.is_empty() {
            f.render_widget(p, r);
        }
    };
    let mut y = inner.y + u16::from(pad);
    // The message: the lines that fit whole, the last one cut at a word.
    let mut left = text_room;
    for line in text {
        if left == 0 {
            break;
        }
        let n = text_rows(&plain(line), text_w, u16::MAX).min(left);
        let shown = if n < text_rows(&plain(line), text_w, u16::MAX) {
            let cut = fit_rows(&plain(line), text_w, n);
            Line::from(Span::styled(cut, line.style))
                .alignment(line.alignment.unwrap_or(Alignment::Left))
        } else {
            line.clone()
        };
        put(
            f,
            Paragraph::new(shown).wrap(Wrap { trim: false }),
            Rect::new(inner.x, y, inner.width, n),
        );
        y += n;
        left -= n;
    }
    let mut cursor = None;
    if let Some((field, focused, reveal)) = d.field {
        y += u16::from(pad);
        if y < inner.bottom() {
            cursor = draw_field(f, inner, y, field, focused, reveal);
        }
        y += 1;
        if let Some(e) = &error {
            put(
                f,
                Paragraph::new(Span::styled(
                    fit_rows(e, input_w, error_rows),
                    error_style(),
                ))
                .wrap(Wrap { trim: true }),
                Rect::new(inner.x + LABEL_W, y, input_w, error_rows),
            );
            y += error_rows;
        }
    }
    if !d.buttons.is_empty() {
        y += u16::from(pad);
        let mut spans = vec![];
        for (i, &(label, on)) in d.buttons.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("   "));
            }
            let label = format!("[ {label} ]");
            if on {
                spans.push(Span::raw("▸ "));
                spans.push(Span::styled(
                    label,
                    focus_style().add_modifier(Modifier::REVERSED),
                ));
                spans.push(Span::raw(" ◂"));
            } else {
                spans.push(Span::styled(label, bold()));
            }
        }
        put(
            f,
            Paragraph::new(Line::from(spans)).alignment(Alignment::Center),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    if let Some(keys) = &d.keys {
        y += u16::from(pad);
        put(
            f,
            Paragraph::new(keys.clone()).alignment(Alignment::Center),
            Rect::new(inner.x, y, inner.width, 1),
        );
    }
    cursor
}

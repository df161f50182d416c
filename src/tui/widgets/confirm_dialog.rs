//! A dialog drawn over the screen it belongs to: a box with a title, its text, and its buttons
//! in a row. The focused button is marked `▸ … ◂` and reversed, so it shows without colour.
//! Destructive choices open one with the focus on Cancel ([`Button::Cancel`], the default).

use super::text::text_rows;
use super::{bold, focus_style};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// The widest a dialog gets.
pub const DIALOG_W: u16 = 64;

/// Which of a dialog's two buttons has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Button {
    /// The safe choice, focused when the dialog opens.
    #[default]
    Cancel,
    /// The action the dialog asks about.
    Confirm,
}

impl Button {
    /// The other button (two buttons: next and previous are the same move).
    pub fn toggled(self) -> Self {
        match self {
            Button::Cancel => Button::Confirm,
            Button::Confirm => Button::Cancel,
        }
    }
}

/// The width of a dialog in `area`.
pub fn width(area: Rect) -> u16 {
    DIALOG_W.min(area.width.saturating_sub(4))
}

/// The width a dialog leaves for its text (borders and a column of padding each side).
pub fn text_width(area: Rect) -> u16 {
    width(area).saturating_sub(4)
}

/// Rows `text` takes in a dialog in `area`.
pub fn rows_of(area: Rect, text: &str) -> u16 {
    text_rows(text, text_width(area), u16::MAX)
}

/// Clears a box of `height` inner rows centred in `area`, frames it with `title`, and returns
/// the rect inside it for text.
pub fn frame(f: &mut Frame, area: Rect, title: &str, height: u16) -> Rect {
    let w = width(area);
    let h = (height + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .title(Span::styled(format!(" {title} "), bold()));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    )
}

/// One button as drawn: `[ Cancel ]`, or `▸ [ Cancel ] ◂` when focused.
pub fn button(label: &str, focused: bool) -> Vec<Span<'static>> {
    let text = format!("[ {label} ]");
    if focused {
        vec![
            Span::styled("▸ ", focus_style()),
            Span::styled(text, focus_style().add_modifier(Modifier::REVERSED)),
            Span::styled(" ◂", focus_style()),
        ]
    } else {
        vec![Span::raw("  "), Span::styled(text, bold()), Span::raw("  ")]
    }
}

/// The labels of a dialog's two buttons.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    pub cancel: &'a str,
    pub confirm: &'a str,
}

/// Draws a dialog over `area`: `text` (each a paragraph, wrapped), a blank row, then the
/// Cancel button and the confirm one, `focus` marked.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    title: &str,
    text: &[String],
    labels: Labels,
    focus: Button,
) {
    let text_h: u16 = text.iter().map(|t| rows_of(area, t)).sum();
    // A blank row above the text, one between it and the buttons, one below them.
    let inner = frame(f, area, title, text_h + 4);
    let mut y = inner.y + 1;
    for t in text {
        let n = rows_of(area, t).min(inner.bottom().saturating_sub(y));
        if n == 0 {
            break;
        }
        f.render_widget(
            Paragraph::new(t.as_str()).wrap(Wrap { trim: true }),
            Rect::new(inner.x, y, inner.width, n),
        );
        y += n;
    }
    let y = (y + 1).min(inner.bottom().saturating_sub(2).max(inner.y));
    let mut spans = button(labels.cancel, focus == Button::Cancel);
    spans.push(Span::raw(" "));
    spans.extend(button(labels.confirm, focus == Button::Confirm));
    f.render_widget(
        Paragraph::new(Line::from(spans)).alignment(Alignment::Center),
        Rect::new(inner.x, y, inner.width, 1).intersection(inner),
    );
}

//! The status line above the footer: the question asked, else what the worker is doing (with a
//! spinner), else the flash message. A text too long for one row wraps under its own start, up
//! to three rows, then is cut at a word with "…".

use super::super::app::Model;
use super::text::{fit_rows, text_rows};
use super::{bold, error_style};
use crate::sanitize::for_display;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

/// How long success and info messages stay, in seconds.
pub const FLASH_SECS: i64 = 4;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Most rows the status line takes; beyond them its text is shortened with "…".
const STATUS_MAX_ROWS: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

/// A flash message: success and info fade at `until`; errors stay until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
    pub until: Option<i64>,
    /// For "Too many failed attempts": when the lock ends. The text counts down to it.
    pub lockout_ends: Option<i64>,
}

impl Flash {
    /// A message shown from `now`: an error stays, the others fade after [`FLASH_SECS`].
    pub fn new(kind: FlashKind, text: impl Into<String>, now: i64) -> Self {
        let until = match kind {
            FlashKind::Error => None,
            _ => Some(now + FLASH_SECS),
        };
        Flash {
            kind,
            text: text.into(),
            until,
            lockout_ends: None,
        }
    }
}

/// The status line: as a mark (" ✗ "), the text and its style.
fn status(m: &Model) -> Option<(String, String, Style)> {
    if let Some(question) = &m.confirm {
        return Some((" ".into(), question.text(), bold()));
    }
    if let Some(busy) = m.busy {
        let spin = SPINNER[m.spinner % SPINNER.len()];
        return Some((format!(" {spin} "), busy.into(), bold()));
    }
    let flash = m.flash.as_ref()?;
    let (mark, style) = match flash.kind {
        FlashKind::Success => (
            "✓",
            Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
        ),
        FlashKind::Info => ("ℹ", bold()),
        FlashKind::Error => ("✗", error_style()),
    };
    Some((format!(" {mark} "), for_display(&flash.text), style))
}

/// Rows the status line takes at width `w`: one, or what its text needs wrapped.
pub fn rows(m: &Model, w: u16) -> u16 {
    status(m).map_or(1, |(mark, text, _)| {
        let w = w.saturating_sub(Span::raw(mark).width() as u16);
        text_rows(&text, w, STATUS_MAX_ROWS)
    })
}

/// Draws the status line; a text too long for one row wraps under its own start.
pub fn draw(m: &Model, f: &mut Frame, area: Rect) {
    let Some((mark, text, style)) = status(m) else {
        return;
    };
    let mark = Span::styled(mark, style);
    let mark_w = (mark.width() as u16).min(area.width);
    f.render_widget(Paragraph::new(mark), Rect::new(area.x, area.y, mark_w, 1));
    let w = area.width - mark_w;
    f.render_widget(
        Paragraph::new(Span::styled(fit_rows(&text, w, area.height), style))
            .wrap(Wrap { trim: true }),
        Rect::new(area.x + mark_w, area.y, w, area.height),
    );
}

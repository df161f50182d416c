//! What the screens are drawn with: forms and their fields (one line or several), the
//! strength meter, the header, the status line, the footer, the help overlay, the confirm
//! question, the "too small" message; and the styles and the text fitting they share. Widgets
//! draw from what they are given and never change state.

pub mod confirm;
pub mod confirm_dialog;
pub mod dialog;
pub mod field;
pub mod footer;
pub mod form;
pub mod header;
pub mod help;
pub mod listing;
pub mod meter;
pub mod multiline;
pub mod secret;
pub mod status;
pub mod text;
pub mod too_small;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

/// The widest a card (and the help) gets.
pub const CARD_W: u16 = 76;

pub fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}
pub fn error_style() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::default().add_modifier(Modifier::DIM)
}
pub fn focus_style() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// A card of `height` inner rows centred in `area`; returns the rect inside it for text (a
/// column of padding each side).
pub fn card(f: &mut Frame, area: Rect, title: &str, height: u16) -> Rect {
    let w = CARD_W.min(area.width.saturating_sub(2));
    let h = (height + 2).min(area.height);
    let x = area.x + (area.width - w) / 2;
    let y = area.y + (area.height - h) / 2;
    let rect = Rect::new(x, y, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
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

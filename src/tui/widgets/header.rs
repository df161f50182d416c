//! The top row: the app's name, the screen's title, and on screens behind a login the email
//! of the account, shortened with "…" rather than drawn over the title.

use super::super::strings as s;
use super::text::ellipsize;
use super::{bold, dim};
use crate::sanitize::for_display;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the header; `email` is the logged-in account's.
pub fn draw(f: &mut Frame, area: Rect, title: &str, email: Option<&str>) {
    let mut left = vec![Span::styled(
        format!(" {} ", s::APP),
        bold().add_modifier(Modifier::REVERSED),
    )];
    if !title.is_empty() {
        left.push(Span::raw(format!(" {title}")));
    }
    f.render_widget(Paragraph::new(Line::from(left.clone())), area);
    if let Some(email) = email {
        // The email takes what the title leaves, shortened with "…" rather than drawn over it.
        let used = Line::from(left).width() as u16 + 2;
        let room = area.width.saturating_sub(used);
        let who = format!(
            "{} ",
            ellipsize(&for_display(email), room.saturating_sub(1))
        );
        if room > 1 {
            f.render_widget(
                Paragraph::new(who).alignment(Alignment::Right).style(dim()),
                area,
            );
        }
    }
}

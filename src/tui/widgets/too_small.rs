//! Below the smallest size the UI draws in, only "Terminal too small: need 60×20, have w×h"
//! shows, whatever the screen (and the app lets no key but Ctrl-C and Ctrl-L act).

use super::super::strings as s;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Paragraph, Wrap};

/// Smallest terminal the UI draws in.
pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 20;

/// Whether `w`×`h` is below the minimum.
pub fn is_too_small(w: u16, h: u16) -> bool {
    w < MIN_W || h < MIN_H
}

/// The message, centred in `area`.
pub fn draw(f: &mut Frame, area: Rect) {
    let msg = s::too_small(MIN_W, MIN_H, area.width, area.height);
    let y = area.height / 2;
    f.render_widget(
        Paragraph::new(msg)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect::new(
            area.x,
            area.y + y.saturating_sub(1),
            area.width,
            area.height - y + 1,
        ),
    );
}

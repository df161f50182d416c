//! The help overlay (F1): every key of the screen, each once, as [`keys::Row`]s show them.
//! What a key does wraps in its own column; when the rows run out, the longest texts are
//! shortened with "…".

use super::super::keys;
use super::super::strings as s;
use super::text::{fit_rows, shrink_longest, text_rows};
use super::{CARD_W, bold, dim};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// Columns of the help's key column (a space, then the key, padded).
const HELP_KEY_W: u16 = 21;

/// Draws the help of the screen titled `title` over `area`, its `rows` as shown.
pub fn draw(f: &mut Frame, area: Rect, title: &str, rows: &[(String, String)]) {
    // As wide as the cards, so the overlay covers what it hides instead of cutting words.
    let w = CARD_W.min(area.width.saturating_sub(2));
    let what_w = w.saturating_sub(2 + HELP_KEY_W);
    let mut heights: Vec<u16> = rows
        .iter()
        .map(|(_, what)| text_rows(what, what_w, u16::MAX))
        .collect();
    let over = heights
        .iter()
        .sum::<u16>()
        .saturating_sub(area.height.saturating_sub(2));
    shrink_longest(heights.iter_mut().collect(), over);
    let h = (heights.iter().sum::<u16>() + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} — {title} ", s::HELP_TITLE),
            bold(),
        ))
        .title_bottom(
            Line::from(Span::styled(format!(" {} ", keys::help_close()), dim())).centered(),
        );
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let mut y = inner.y;
    for ((k, what), n) in rows.iter().zip(heights) {
        let n = n.min(inner.bottom().saturating_sub(y));
        if n == 0 {
            break;
        }
        f.render_widget(
            Paragraph::new(Span::styled(
                format!(" {k:<pad$}", pad = usize::from(HELP_KEY_W - 1)),
                bold(),
            )),
            Rect::new(inner.x, y, HELP_KEY_W.min(inner.width), 1),
        );
        f.render_widget(
            Paragraph::new(fit_rows(what, what_w, n)).wrap(Wrap { trim: true }),
            Rect::new(inner.x + HELP_KEY_W, y, what_w, n),
        );
        y += n;
    }
}

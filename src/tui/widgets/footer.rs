//! The footer: the screen's key hints on one row. A row too narrow for all of them drops hints
//! by priority ([`keys::FOOTER_PRIORITY`]), so the way out stays on every screen at every
//! size.

use super::super::keys::{self, Action, Hint, Layer};
use super::super::strings as s;
use super::{bold, dim};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const FOOTER_SEP: &str = " · ";

/// Draws `hints`; `reveal` says whether the passwords are shown (F2's hint then says "hide").
pub fn draw(f: &mut Frame, area: Rect, hints: &[Hint], reveal: bool) {
    // F2's hint says what it will do.
    let shown: Vec<(String, &str, usize)> = hints
        .iter()
        .map(|h| {
            let what = if h.key == (Layer::Form, Action::Reveal) && reveal {
                s::FOOT_HIDE
            } else {
                h.what
            };
            (keys::label(&[h.key]), what, keys::footer_rank(h))
        })
        .collect();
    // Drop hints until the line fits, the least important first (the later one of equals).
    let width = |ks: &[&(String, &str, usize)]| -> usize {
        1 + ks
            .iter()
            .map(|(k, w, _)| k.chars().count() + 1 + w.chars().count())
            .sum::<usize>()
            + FOOTER_SEP.chars().count() * ks.len().saturating_sub(1)
    };
    let mut kept: Vec<&(String, &str, usize)> = shown.iter().collect();
    while width(&kept) > usize::from(area.width) && kept.len() > 1 {
        let least = (0..kept.len())
            .max_by_key(|&i| kept[i].2)
            .expect("two hints or more");
        kept.remove(least);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what, _)) in kept.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(FOOTER_SEP, dim()));
        }
        spans.push(Span::styled(k.as_str(), bold()));
        spans.push(Span::raw(format!(" {what}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

//! Drawing: a pure function of the model. The header, the screen's body (its own view), the
//! status line, the footer, and the help over the body; below the minimum size only "Terminal
//! too small". Every string from the store is sanitized where it is drawn, whatever signup
//! allowed.

use super::app::Model;
use super::widgets::{footer, header, help, status, too_small};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

/// Draws the whole UI.
pub fn view(m: &Model, f: &mut Frame) {
    let area = f.area();
    if too_small::is_too_small(area.width, area.height) {
        too_small::draw(f, area);
        return;
    }
    let [header_area, body, status_area, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status::rows(m, area.width)),
        Constraint::Length(1),
    ])
    .areas(area);
    let info = m.info();
    let email = m
        .session
        .as_ref()
        .filter(|_| info.authenticated)
        .map(|s| s.account.email.as_str());
    header::draw(f, header_area, info.title, email);
    let cursor = m.screen.page().view(m, f, body);
    status::draw(m, f, status_area);
    let reveal = m.form().is_some_and(|form| form.reveal());
    match &m.confirm {
        Some(question) => footer::draw(f, footer_area, &question.footer(), reveal),
        None => footer::draw(f, footer_area, info.footer, reveal),
    }
    if m.help {
        help::draw(f, body, info.title, &info.help_shown(m.typing()));
    } else if let (Some(pos), None) = (cursor, m.busy) {
        f.set_cursor_position(pos);
    }
}

//! Drawing the vault: the list (only the rows that fit), the selected entry beside it, and
//! the dialogs over them. Everything from the store goes through `for_display`.

use super::{Dialog, State, Vault, list_rows};
use crate::sanitize::for_display;
use crate::tui::app::Model;
use crate::tui::keys::{self, Action, CopyWhat, Layer};
use crate::tui::screens::admin::Choice;
use crate::tui::strings as s;
use crate::tui::widgets::dialog::{self, DialogView};
use crate::tui::widgets::form;
use crate::tui::widgets::listing::first_shown;
use crate::tui::widgets::text::ellipsize;
use crate::tui::widgets::{bold, dim, error_style, focus_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

pub fn draw(v: &Vault, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
    match &v.state {
        State::Damaged(why) => {
            let lines = vec![
                Line::from(Span::styled(s::DAMAGED_TITLE, error_style())),
                Line::raw(""),
                Line::from(s::DAMAGED_WHAT),
                Line::raw(""),
                Line::from(s::DAMAGED_ADVICE),
                Line::from(Span::styled(for_display(why), dim())),
            ];
            let inner = crate::tui::widgets::card(f, area, s::DAMAGED_TITLE, 9);
            f.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }),
                Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1)),
            );
            return None;
        }
        State::Loading => return None,
        State::Ready => {}
    }
    if let Some(Dialog::Form(ef)) = &v.dialog {
        let title = if ef.id.is_some() {
            s::EDIT_ENTRY_TITLE
        } else {
            s::NEW_ENTRY_TITLE
        };
        let gen_key = keys::first((Layer::EntryForm, Action::Generate));
        return form::draw(
            f,
            area,
            title,
            &ef.form,
            None,
            m.help,
            vec![Line::from(vec![
                Span::styled(gen_key, bold()),
                Span::styled(format!(" {}", s::HELP_GENERATE), dim()),
            ])],
        );
    }
    let list_w = (area.width * 2 / 5).clamp(24.min(area.width), 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_w), Constraint::Min(1)]).areas(area);
    let cursor = draw_list(v, m, f, left);
    draw_entry(v, m, f, right);
    if let Some(Dialog::Delete { title, focus, .. }) = &v.dialog {
        let view = DialogView {
            title: s::DELETE_ENTRY_TITLE,
            text: vec![Line::from(s::delete_entry_question(&for_display(title)))],
            field: None,
            buttons: vec![
                (s::BUTTON_CANCEL, *focus == Choice::Cancel && !m.help),
                (s::BUTTON_DELETE, *focus == Choice::Confirm && !m.help),
            ],
            keys: None,
        };
        dialog::draw(f, area, &view);
        return None;
    }
    cursor
}

/// The filter, the column names, the rows that fit, and the count.
fn draw_list(v: &Vault, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
    let w = area.width;
    let [filter_area, head, rows_area, count_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    // The filter: its text while typed or kept, else how to start it.
    let key = keys::first((Layer::Vault, Action::Filter));
    let mut cursor = None;
    let filter_text = for_display(v.filter.value());
    let line = if v.filtering || !filter_text.is_empty() {
        let label = format!(" {} ", key);
        let room = w.saturating_sub(label.chars().count() as u16 + 1);
        // The end of a long filter shows, where the cursor is.
        let chars: Vec<char> = filter_text.chars().collect();
        let skip = chars.len().saturating_sub(room as usize);
        let shown: String = chars[skip..].iter().collect();
        if v.filtering && !m.help {
            let col = (v.filter.cursor_col().saturating_sub(skip)) as u16;
            cursor = Some(Position::new(
                filter_area.x + label.chars().count() as u16 + col.min(room),
                filter_area.y,
            ));
        }
        let style = if v.filtering { focus_style() } else { bold() };
        Line::from(vec![Span::styled(label, style), Span::raw(shown)])
    } else {
        Line::from(vec![
            Span::styled(format!(" {key} "), bold()),
            Span::styled(s::FILTER_PROMPT, dim()),
        ])
    };
    f.render_widget(Paragraph::new(line), filter_area);
    let title_w = (w.saturating_sub(3)) * 11 / 20;
    let user_w = w.saturating_sub(3 + title_w);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{:<1$}", s::COL_TITLE, title_w as usize), dim()),
            Span::raw(" "),
            Span::styled(ellipsize(s::COL_USERNAME, user_w), dim()),
        ])),
        head,
    );
    // Only the rows that fit: a window around the selection.
    let visible = (rows_area.height as usize).min(list_rows(m.size)).max(1);
    let first = first_shown(v.selected, visible);
    let mut lines = Vec::with_capacity(visible);
    for (n, &i) in v.shown.iter().enumerate().skip(first).take(visible) {
        let e = &v.items[i as usize].rec.entry;
        let sel = n == v.selected;
        let title = ellipsize(&for_display(&e.title), title_w);
        let user = ellipsize(&for_display(&e.username), user_w);
        let text = format!("{title:<tw$} {user}", tw = title_w as usize);
        let line = if sel {
            Line::from(vec![
                Span::styled("▸ ", focus_style()),
                Span::styled(
                    format!("{text:<0$}", w.saturating_sub(2) as usize),
                    Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                ),
            ])
        } else {
            Line::from(vec![Span::raw("  "), Span::raw(text)])
        };
        lines.push(line);
    }
    if v.shown.is_empty() {
        let text = if v.items.is_empty() {
            s::NO_ENTRIES
        } else {
            s::NO_MATCHES
        };
        lines.push(Line::from(Span::styled(format!("  {text}"), dim())));
    }
    f.render_widget(Paragraph::new(lines), rows_area);
    f.render_widget(
        Paragraph::new(Span::styled(
            format!(" {}", s::entry_count(v.shown.len(), v.items.len())),
            dim(),
        )),
        count_area,
    );
    cursor
}

/// The selected entry: every field sanitized; the password hidden unless shown; the TOTP code
/// with the seconds it has left.
fn draw_entry(v: &Vault, m: &Model, f: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let Some(rec) = v.current() else {
        return;
    };
    let e = &rec.entry;
    const LW: usize = 10;
    let row = |k: &str, v: Span<'static>| {
        Line::from(vec![Span::styled(format!("{k:<LW$}"), dim()), v])
    };
    let key_hint = |a: Action| {
        Span::styled(
            format!("  {}", keys::first((Layer::Vault, a))),
            dim(),
        )
    };
    let mut lines = vec![
        Line::from(Span::styled(for_display(&e.title), bold())),
        Line::raw(""),
        row(s::ROW_USERNAME, Span::raw(for_display(&e.username))),
    ];
    let password = if e.password.is_empty() {
        Span::raw("")
    } else if v.revealed() {
        Span::styled(for_display(&e.password), bold())
    } else {
        Span::raw(s::HIDDEN)
    };
    let mut pw = row(s::ROW_PASSWORD, password);
    if !e.password.is_empty() && !v.revealed() {
        pw.spans.push(key_hint(Action::RevealEntry));
        pw.spans.push(key_hint(Action::Copy(CopyWhat::Password)));
    }
    lines.push(pw);
    if !e.url.is_empty() {
        lines.push(row(s::ROW_URL, Span::raw(for_display(&e.url))));
    }
    match &v.totp {
        Some(Ok(t)) => {
            let now = m.now();
            let code = t.code_at(now);
            let mut l = row(
                s::ROW_TOTP,
                Span::styled(s::totp_code(&code, t.remaining_secs(now)), bold()),
            );
            l.spans.push(key_hint(Action::Copy(CopyWhat::Totp)));
            lines.push(l);
        }
        Some(Err(why)) => lines.push(row(
            s::ROW_TOTP,
            Span::styled(format!("{} {}", s::TOTP_BAD, for_display(why)), error_style()),
        )),
        None => {}
    }
    if !e.folder.is_empty() {
        lines.push(row(s::ROW_FOLDER, Span::raw(for_display(&e.folder))));
    }
    if !e.notes.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(s::ROW_NOTES, dim())));
        // Line by line: a line break is no control character to show.
        for l in e.notes.lines() {
            lines.push(Line::raw(for_display(&l.replace('\t', "    "))));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

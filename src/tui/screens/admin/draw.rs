//! Drawing the administration: the tabs, the filter, the window of the table showing (only
//! the rows that fit), the counts, the keys of the selected row, and a dialog over it all.
//! Text from the store is sanitized here; the selection, the focus and failures show without
//! colour too (reverse, `▸`, bold, `✗`).

use super::{Admin, AdminOp, Choice, Dialog, Tab, row_hints, AUDIT_HINTS};
use crate::cli::output::shell_word;
use crate::sanitize::for_display;
use crate::storage::AccountSort;
use crate::tui::app::Model;
use crate::tui::keys::{self, Action, Layer};
use crate::tui::strings as s;
use crate::tui::widgets::dialog::{self, DialogView};
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::text::ellipsize;
use crate::tui::widgets::{bold, dim, focus_style, footer};
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

/// Columns of the filter's label.
const FILTER_LABEL_W: u16 = 10;
/// The selection's mark, before the selected row.
const MARK: &str = "▸ ";

pub fn draw(a: &Admin, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
    let [tabs, filter, table, counts, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(a, f, tabs);
    let mut cursor = draw_filter(a, m, f, filter);
    match a.tab {
        Tab::Accounts => draw_accounts(a, m, f, table, counts, keys),
        Tab::Audit => draw_audit(a, m, f, table, counts, keys),
    }
    if let Some(d) = &a.dialog {
        cursor = draw_dialog(d, m, f, area);
    }
    cursor
}

fn draw_tabs(a: &Admin, f: &mut Frame, area: Rect) {
    let tab = |name: &'static str, on: bool| {
        if on {
            Span::styled(format!(" {name} "), bold().add_modifier(Modifier::REVERSED))
        } else {
            Span::styled(format!(" {name} "), dim())
        }
    };
    let left = Line::from(vec![
        Span::raw(" "),
        tab(s::TAB_ACCOUNTS, a.tab == Tab::Accounts),
        Span::styled(" │ ", dim()),
        tab(s::TAB_AUDIT, a.tab == Tab::Audit),
    ]);
    let right = match a.tab {
        Tab::Accounts => Line::from(vec![
            Span::styled(keys::first((Layer::AdminAccounts, Action::Sort)), bold()),
            Span::styled(format!(" {}", s::SORT_PREFIX), dim()),
            Span::raw(match a.accounts.sort {
                AccountSort::Email => s::SORT_EMAIL,
                AccountSort::Name => s::SORT_NAME,
                AccountSort::Newest => s::SORT_NEWEST,
            }),
            Span::raw(" "),
        ]),
        Tab::Audit => Line::from(Span::styled(format!("{} ", s::AUDIT_ORDER), dim())),
    };
    let fits = left.width() + right.width() < usize::from(area.width);
    f.render_widget(Paragraph::new(left), area);
    if fits {
        f.render_widget(Paragraph::new(right).alignment(Alignment::Right), area);
    }
}

/// The filter of the tab showing; returns where the cursor goes while it is typed.
fn draw_filter(a: &Admin, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
    let (field, placeholder) = match a.tab {
        Tab::Accounts => (&a.accounts.filter, s::FILTER_ACCOUNTS_PLACEHOLDER),
        Tab::Audit => (&a.audit.filter, s::FILTER_AUDIT_PLACEHOLDER),
    };
    let focused = a.filtering && a.dialog.is_none() && !m.help;
    let (marker, style) = if focused {
        ("▸ ", focus_style())
    } else {
        ("  ", Style::default())
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(marker, style),
            Span::styled(field.label, style),
        ])),
        Rect::new(area.x, area.y, FILTER_LABEL_W.min(area.width), 1),
    );
    let w = area.width.saturating_sub(FILTER_LABEL_W + 1);
    if w == 0 {
        return None;
    }
    let input = Rect::new(area.x + FILTER_LABEL_W, area.y, w, 1);
    if !focused && field.value().is_empty() {
        let hint = placeholder.replacen(
            '/',
            &keys::first((Layer::Admin, Action::Filter)),
            1,
        );
        f.render_widget(Paragraph::new(Span::styled(hint, dim())), input);
        return None;
    }
    draw_input(f, input, field, focused)
}

/// A plain field's text in `area`, scrolled to show the cursor.
fn draw_input(f: &mut Frame, area: Rect, field: &FormField, focused: bool) -> Option<Position> {
    let w = usize::from(area.width);
    let cursor = field.cursor_col();
    let scroll = cursor.saturating_sub(w.saturating_sub(1));
    let shown: String = for_display(field.value())
        .chars()
        .skip(scroll)
        .take(w)
        .collect();
    let pad = w.saturating_sub(shown.chars().count());
    let mut style = Style::default().add_modifier(Modifier::UNDERLINED);
    if focused {
        style = style.add_modifier(Modifier::BOLD);
    }
    f.render_widget(
        Paragraph::new(Span::styled(format!("{shown}{}", " ".repeat(pad)), style)),
        area,
    );
    focused.then(|| Position::new(area.x + (cursor - scroll) as u16, area.y))
}

/// The rows of a window that fit in `n` rows, keeping the selected one in sight: the first
/// shown, and the selection's place among those shown.
fn visible(len: usize, selected: usize, n: usize) -> (usize, usize) {
    let n = n.max(1);
    let first = if selected >= n { selected + 1 - n } else { 0 };
    let first = first.min(len.saturating_sub(n.min(len)));
    (first, selected.saturating_sub(first))
}

/// A time in the table: `2027-01-15 08:00`, or the date alone when columns are short.
fn when(t: i64, tz: &TimeZone, fmt: &str) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.to_zoned_datetime(tz.clone()).strftime(fmt).to_string())
        .unwrap_or_else(|_| t.to_string())
}

fn empty_message(f: &mut Frame, area: Rect, loaded: bool, empty: &str) {
    let text = if loaded { empty } else { s::LOADING_ROWS };
    if area.height > 1 {
        f.render_widget(
            Paragraph::new(Span::styled(format!("  {text}"), dim())),
            Rect::new(area.x, area.y + 1, area.width, 1),
        );
    }
}

/// A table of `widths`, its header, and the rows shown, the selected one reversed and marked.
fn table(f: &mut Frame, area: Rect, header: Vec<&str>, widths: Vec<u16>, rows: Vec<Row>, selected: usize) {
    let header = Row::new(header.into_iter().map(|h| Cell::from(Span::styled(h, bold()))))
        .style(Style::default().add_modifier(Modifier::UNDERLINED));
    let table = Table::new(rows, widths.into_iter().map(Constraint::Length))
        .header(header)
        .column_spacing(1)
        .highlight_symbol(MARK)
        .highlight_spacing(HighlightSpacing::Always)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD));
    let mut state = TableState::default().with_selected(Some(selected));
    f.render_stateful_widget(table, area, &mut state);
}

fn draw_accounts(a: &Admin, m: &Model, f: &mut Frame, area: Rect, counts: Rect, keys_area: Rect) {
    let t = &a.accounts;
    let w = area.width;
    let last_w: u16 = if w >= 76 { 16 } else { 10 };
    let fmt = if w >= 76 { "%Y-%m-%d %H:%M" } else { "%Y-%m-%d" };
    let (role_w, state_w) = (5u16, 9u16);
    let rest = w.saturating_sub(MARK.chars().count() as u16 + role_w + state_w + last_w + 4);
    // Emails are the longer: two thirds of what is left (three fifths when it is little).
    let email_w = if w >= 76 { rest * 2 / 3 } else { rest * 3 / 5 };
    let name_w = rest - email_w;
    let n = usize::from(area.height.saturating_sub(1));
    let win = &t.window;
    let (first, sel) = visible(win.rows.len(), win.selected, n);
    let rows: Vec<Row> = win
        .rows
        .iter()
        .skip(first)
        .take(n)
        .map(|r| {
            let acc = &r.account;
            let state = r.state.as_str();
            let flagged = state != "active";
            let state_style = if flagged {
                Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let role_style = if acc.role == "admin" { bold() } else { Style::default() };
            let last = acc
                .last_login_at
                .map_or_else(|| s::NEVER.to_owned(), |t| when(t, &m.tz, fmt));
            Row::new(vec![
                Cell::from(ellipsize(&for_display(&acc.email), email_w)),
                Cell::from(ellipsize(&for_display(&acc.name), name_w)),
                Cell::from(Span::styled(for_display(&acc.role), role_style)),
                Cell::from(Span::styled(state, state_style)),
                Cell::from(last),
            ])
        })
        .collect();
    table(
        f,
        area,
        vec![s::COL_EMAIL, s::COL_NAME, s::COL_ROLE, s::COL_STATE, s::COL_LAST_LOGIN],
        vec![email_w, name_w, role_w, state_w, last_w],
        rows,
        sel,
    );
    if win.rows.is_empty() {
        empty_message(f, area, win.loaded, s::NO_ACCOUNTS);
    }
    if let Some(c) = &t.counts {
        let text = s::account_counts(
            c.matching,
            c.total,
            c.admins,
            c.disabled,
            !t.filter.value().trim().is_empty(),
        );
        f.render_widget(Paragraph::new(format!(" {text}")), counts);
    }
    if let Some(row) = win.selected_row() {
        footer::draw(f, keys_area, &row_hints(row), false);
    }
}

fn draw_audit(a: &Admin, m: &Model, f: &mut Frame, area: Rect, legend: Rect, keys_area: Rect) {
    let win = &a.audit.window;
    let w = area.width;
    let (at_w, fmt): (u16, &str) = if w >= 76 {
        (16, "%Y-%m-%d %H:%M")
    } else {
        (11, "%m-%d %H:%M")
    };
    // "password_change" and "✗ throttled" whole where there is room.
    let (action_w, outcome_w) = if w >= 76 { (15u16, 11u16) } else { (12, 10) };
    let rest = w.saturating_sub(MARK.chars().count() as u16 + at_w + action_w + outcome_w + 4);
    let actor_w = rest / 2;
    let target_w = rest - actor_w;
    let n = usize::from(area.height.saturating_sub(1));
    let (first, sel) = visible(win.rows.len(), win.selected, n);
    let rows: Vec<Row> = win
        .rows
        .iter()
        .skip(first)
        .take(n)
        .map(|e| {
            let (action, outcome) = e.parts();
            let failed = outcome != "success";
            let (outcome, style) = if failed {
                (
                    format!("✗ {}", for_display(outcome)),
                    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                )
            } else {
                (for_display(outcome), Style::default())
            };
            Row::new(vec![
                Cell::from(when(e.at, &m.tz, fmt)),
                Cell::from(ellipsize(&for_display(&e.actor), actor_w)),
                Cell::from(ellipsize(&for_display(action), action_w)),
                Cell::from(ellipsize(&for_display(&e.target), target_w)),
                Cell::from(outcome),
            ])
            .style(style)
        })
        .collect();
    table(
        f,
        area,
        vec![s::COL_AT, s::COL_ACTOR, s::COL_ACTION, s::COL_TARGET, s::COL_OUTCOME],
        vec![at_w, actor_w, action_w, target_w, outcome_w],
        rows,
        sel,
    );
    if win.rows.is_empty() {
        empty_message(f, area, win.loaded, s::NO_AUDIT_EVENTS);
    }
    f.render_widget(Paragraph::new(Span::styled(format!(" {}", s::AUDIT_LEGEND), dim())), legend);
    footer::draw(f, keys_area, AUDIT_HINTS, false);
}

/// "Enter deletes · Esc cancels": the keys that answer a dialog, named from the keymap.
fn answer_keys(enter: (Layer, Action), does: &'static str) -> Line<'static> {
    Line::from(vec![
        Span::styled(keys::first(enter), bold()),
        Span::raw(format!(" {does} · ")),
        Span::styled(keys::first((Layer::Back, Action::Back)), bold()),
        Span::raw(format!(" {}", s::IN_DIALOG_CANCELS)),
    ])
}

fn draw_dialog(d: &Dialog, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
    let covered = m.help;
    let para = |t: String| Line::from(for_display(&t));
    let view = match d {
        Dialog::Confirm { op, email, focus } => {
            let email = for_display(email);
            let (title, text, yes) = match op {
                AdminOp::Disable => (s::DISABLE_TITLE, s::confirm_disable(&email), s::BUTTON_DISABLE),
                AdminOp::Demote => (s::DEMOTE_TITLE, s::confirm_demote(&email), s::BUTTON_DEMOTE),
                AdminOp::Expire(Some(t)) => (
                    s::EXPIRE_TITLE,
                    s::confirm_expire(&email, &super::day(*t)),
                    s::BUTTON_EXPIRE,
                ),
                // Never asked: only the actions above are.
                _ => (s::ADMIN_TITLE, String::new(), s::BUTTON_CONFIRM),
            };
            DialogView {
                title,
                text: vec![Line::from(text)],
                field: None,
                buttons: vec![
                    (s::BUTTON_CANCEL, *focus == Choice::Cancel && !covered),
                    (yes, *focus == Choice::Confirm && !covered),
                ],
                keys: None,
            }
        }
        Dialog::Delete { email, field } => DialogView {
            title: s::ADMIN_DELETE_TITLE,
            text: vec![para(s::delete_question(email))],
            field: Some((field, !covered, false)),
            buttons: vec![],
            keys: Some(answer_keys((Layer::Dialog, Action::Submit), s::IN_DIALOG_DELETES)),
        },
        Dialog::Expire { email, field, now } => DialogView {
            title: s::EXPIRE_TITLE,
            text: vec![para(s::expire_question(email, now))],
            field: Some((field, !covered, false)),
            buttons: vec![],
            keys: Some(answer_keys((Layer::Dialog, Action::Submit), s::IN_DIALOG_SETS)),
        },
        Dialog::Reauth { form, then, .. } => DialogView {
            title: s::REAUTH_TITLE,
            text: vec![Line::from(then.reauth_reason())],
            field: Some((&form.password, !form.on_button() && !covered, form.reveal)),
            buttons: vec![(form.button, form.on_button() && !covered)],
            keys: Some(Line::from(vec![
                Span::styled(keys::first((Layer::Back, Action::Back)), bold()),
                Span::raw(format!(" {}", s::IN_DIALOG_CANCELS)),
            ])),
        },
        Dialog::Code { email, code } => DialogView {
            title: s::CODE_TITLE,
            text: vec![
                para(s::code_for(email)),
                Line::raw(""),
                Line::from(Span::styled(code.expose().to_owned(), bold())).centered(),
                Line::raw(""),
                Line::from(s::CODE_HANDOVER),
                Line::raw(""),
                Line::from(s::code_use(&shell_word(email))),
                Line::raw(""),
                Line::from(Span::styled(s::CODE_ONCE, bold())),
            ],
            field: None,
            buttons: vec![(s::BUTTON_DONE, !covered)],
            keys: None,
        },
    };
    dialog::draw(f, area, &view)
}

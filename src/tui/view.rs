//! Drawing: a pure function of the model. Every string from the store is sanitized here
//! again, whatever signup allowed.

use super::app::{FlashKind, Form, MIN_H, MIN_W, Model, Screen};
use super::field::Field;
use super::strings::{self as s, KeyHint};
use crate::sanitize::for_display;
use crate::timefmt::{duration, local, local_time};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

const CARD_W: u16 = 76;
const LABEL_W: u16 = 20;
const MASK: char = '•';
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}
fn error_style() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}
fn dim() -> Style {
    Style::default().add_modifier(Modifier::DIM)
}
fn focus_style() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// Draws the whole UI.
pub fn view(m: &Model, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
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
        return;
    }
    let [header, body, flash, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(m, f, header);
    let keys = screen_keys(m);
    let cursor = match &m.screen {
        Screen::Starting => None,
        Screen::Login(form) => draw_form(f, body, s::LOGIN_TITLE, form, m, login_extra()),
        Screen::Signup(form) => draw_form(f, body, s::SIGNUP_TITLE, form, m, vec![]),
        Screen::ChangePassword(form) => draw_form(f, body, s::PASSWORD_TITLE, form, m, vec![]),
        Screen::Dashboard => {
            draw_dashboard(m, f, body);
            None
        }
    };
    draw_flash(m, f, flash);
    draw_footer(f, footer, keys.0);
    if m.help {
        draw_help(f, body, keys.1, keys.2);
    } else if let (Some(pos), None) = (cursor, m.busy) {
        f.set_cursor_position(pos);
    }
}

/// The footer's keys, the help's title, and every key of the screen.
fn screen_keys(m: &Model) -> (&'static [KeyHint], &'static str, Vec<KeyHint>) {
    match &m.screen {
        Screen::Starting | Screen::Login(_) => (
            s::LOGIN_KEYS,
            s::LOGIN_TITLE,
            s::all_keys(s::LOGIN_KEYS, &[], true),
        ),
        Screen::Signup(_) => (
            s::SIGNUP_KEYS,
            s::SIGNUP_TITLE,
            s::all_keys(s::SIGNUP_KEYS, &[], true),
        ),
        Screen::ChangePassword(_) => (
            s::PASSWORD_KEYS,
            s::PASSWORD_TITLE,
            s::all_keys(s::PASSWORD_KEYS, s::PASSWORD_EXTRA, true),
        ),
        Screen::Dashboard => (
            s::DASHBOARD_KEYS,
            s::DASHBOARD_TITLE,
            s::all_keys(s::DASHBOARD_KEYS, s::DASHBOARD_EXTRA, false),
        ),
    }
}

fn draw_header(m: &Model, f: &mut Frame, area: Rect) {
    let title = match &m.screen {
        Screen::Starting => "",
        Screen::Login(_) => s::LOGIN_TITLE,
        Screen::Signup(_) => s::SIGNUP_TITLE,
        Screen::Dashboard => s::DASHBOARD_TITLE,
        Screen::ChangePassword(_) => s::PASSWORD_TITLE,
    };
    let mut left = vec![Span::styled(
        format!(" {} ", s::APP),
        bold().add_modifier(Modifier::REVERSED),
    )];
    if !title.is_empty() {
        left.push(Span::raw(format!(" {title}")));
    }
    f.render_widget(Paragraph::new(Line::from(left)), area);
    if m.authenticated()
        && let Some(info) = &m.session
    {
        let who = format!("{} ", for_display(&info.account.email));
        f.render_widget(
            Paragraph::new(who).alignment(Alignment::Right).style(dim()),
            area,
        );
    }
}

fn draw_footer(f: &mut Frame, area: Rect, keys: &[KeyHint]) {
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ·  ", dim()));
        }
        spans.push(Span::styled(*k, bold()));
        spans.push(Span::raw(format!(" {what}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_flash(m: &Model, f: &mut Frame, area: Rect) {
    let line = if let Some(busy) = m.busy {
        let spin = SPINNER[m.spinner % SPINNER.len()];
        Line::from(Span::styled(format!(" {spin} {busy}"), bold()))
    } else if let Some(flash) = &m.flash {
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
        Line::from(Span::styled(
            format!(" {mark} {}", for_display(&flash.text)),
            style,
        ))
    } else {
        return;
    };
    f.render_widget(Paragraph::new(line), area);
}

/// A card of `height` inner rows centred in `area`.
fn card(f: &mut Frame, area: Rect, title: &str, height: u16) -> Rect {
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

fn login_extra() -> Vec<Line<'static>> {
    vec![Line::from(vec![
        Span::styled("New here? ", dim()),
        Span::styled("Ctrl-N", bold()),
        Span::styled(" creates an account.", dim()),
    ])]
}

/// Rows a wrapped message needs at width `w` (with slack for word breaks), at most `max`.
fn text_rows(text: &str, w: u16, max: u16) -> u16 {
    let w = usize::from(w.max(1));
    let len = text.chars().count() + 2;
    let rows = (len + len / 8).div_ceil(w);
    (rows as u16).clamp(1, max)
}

/// Rows an error needs under a field of width `w`: one, or two when it is long.
fn error_rows(text: &str, w: u16) -> u16 {
    text_rows(text, w, 2)
}

/// The strength meter's explanation line(s).
fn meter_text(form: &Form) -> Option<String> {
    let p = form.strength.as_ref()?.problem.as_ref()?;
    Some(super::app::describe("Password", p))
}

/// Rows of the strength meter: the bar, then its explanation.
fn meter_rows(form: &Form, w: u16) -> u16 {
    1 + meter_text(form).map_or(1, |t| text_rows(&t, w, 3))
}

/// Which field the strength meter follows, if the form has one.
fn meter_field(m: &Model) -> Option<usize> {
    match &m.screen {
        Screen::Signup(_) => Some(2),
        Screen::ChangePassword(_) => Some(1),
        _ => None,
    }
}

/// Draws a form; returns where the terminal cursor goes.
fn draw_form(
    f: &mut Frame,
    area: Rect,
    title: &str,
    form: &Form,
    m: &Model,
    extra: Vec<Line<'static>>,
) -> Option<Position> {
    let card_w = CARD_W.min(area.width.saturating_sub(2));
    let input_w = card_w.saturating_sub(4 + LABEL_W);
    let meter = meter_field(m);
    // The meter already explains a refused password; its field's error line would repeat it.
    let covered = |i: usize| {
        meter == Some(i)
            && form
                .strength
                .as_ref()
                .is_some_and(|st| st.problem.is_some())
    };
    let err_rows = |i: usize, fl: &Field| match &fl.error {
        Some(e) if !covered(i) => error_rows(e, input_w),
        _ => 1,
    };
    let rows: u16 = 1
        + form
            .fields
            .iter()
            .enumerate()
            .map(|(i, fl)| 1 + err_rows(i, fl))
            .sum::<u16>()
        + if meter.is_some() {
            meter_rows(form, input_w)
        } else {
            0
        }
        + 2
        + extra.len() as u16;
    let inner = card(f, area, title, rows);
    let mut y = inner.y + 1;
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        if y + 1 >= inner.bottom() {
            break;
        }
        let focused = form.focus == i && !m.help;
        if let Some(pos) = draw_field(f, inner, y, field, focused, form.reveal) {
            cursor = Some(pos);
        }
        y += 1;
        let n = err_rows(i, field);
        if let (Some(err), false) = (&field.error, covered(i)) {
            let line = Line::from(Span::styled(
                format!("✗ {}", for_display(err)),
                error_style(),
            ));
            f.render_widget(
                Paragraph::new(line).wrap(Wrap { trim: true }),
                Rect::new(inner.x + LABEL_W, y, input_w, n),
            );
        }
        y += n;
        if meter == Some(i) {
            let n = meter_rows(form, input_w);
            draw_meter(f, Rect::new(inner.x, y, inner.width, n), form);
            y += n;
        }
    }
    // the button
    let on = form.on_button() && !m.help;
    let label = format!("[ {} ]", form.button);
    let style = if on {
        focus_style().add_modifier(Modifier::REVERSED)
    } else {
        bold()
    };
    let text = if on {
        Line::from(vec![
            Span::raw("▸ "),
            Span::styled(label, style),
            Span::raw(" ◂"),
        ])
    } else {
        Line::from(Span::styled(label, style))
    };
    if y < inner.bottom() {
        f.render_widget(
            Paragraph::new(text).alignment(Alignment::Center),
            Rect::new(inner.x, y, inner.width, 1),
        );
    }
    y += 2;
    for line in extra {
        if y < inner.bottom() {
            f.render_widget(
                Paragraph::new(line).alignment(Alignment::Center),
                Rect::new(inner.x, y, inner.width, 1),
            );
        }
        y += 1;
    }
    cursor
}

/// One field row: marker, label, then the input drawn over an underlined area.
fn draw_field(
    f: &mut Frame,
    inner: Rect,
    y: u16,
    field: &Field,
    focused: bool,
    reveal: bool,
) -> Option<Position> {
    let marker = if focused { "▸ " } else { "  " };
    let label_style = if focused {
        focus_style()
    } else {
        Style::default()
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(marker, label_style),
            Span::styled(field.label, label_style),
        ])),
        Rect::new(inner.x, y, LABEL_W, 1),
    );
    let w = inner.width.saturating_sub(LABEL_W) as usize;
    if w == 0 {
        return None;
    }
    let cursor = field.cursor_col();
    let scroll = cursor.saturating_sub(w.saturating_sub(1));
    let shown: String = match field.secret_ref() {
        Some(secret) if reveal => secret.expose().chars().skip(scroll).take(w).collect(),
        Some(secret) => {
            std::iter::repeat_n(MASK, secret.chars().saturating_sub(scroll).min(w)).collect()
        }
        None => for_display(field.value())
            .chars()
            .skip(scroll)
            .take(w)
            .collect(),
    };
    let pad = w.saturating_sub(shown.chars().count());
    let mut style = Style::default().add_modifier(Modifier::UNDERLINED);
    if focused {
        style = style.add_modifier(Modifier::BOLD);
    }
    f.render_widget(
        Paragraph::new(Span::styled(format!("{shown}{}", " ".repeat(pad)), style)),
        Rect::new(inner.x + LABEL_W, y, w as u16, 1),
    );
    focused.then(|| Position::new(inner.x + LABEL_W + (cursor - scroll) as u16, y))
}

fn draw_meter(f: &mut Frame, area: Rect, form: &Form) {
    let Some(st) = &form.strength else {
        f.render_widget(
            Paragraph::new(Span::styled(
                "Strength: type a passphrase of 15+ characters",
                dim(),
            )),
            Rect::new(
                area.x + LABEL_W,
                area.y,
                area.width.saturating_sub(LABEL_W),
                1,
            ),
        );
        return;
    };
    let score = st.score.min(4) as usize;
    let (word, color) = match (st.acceptable(), score) {
        (false, _) => ("too weak", Color::Red),
        (true, 3) => ("good", Color::Yellow),
        _ => ("strong", Color::Green),
    };
    let filled = if st.acceptable() {
        score + 1
    } else {
        score.min(2) + 1
    };
    let bar: String = "■".repeat(filled) + &"□".repeat(5 - filled);
    let first = Line::from(vec![
        Span::raw("Strength "),
        Span::styled(bar, Style::default().fg(color)),
        Span::styled(
            format!(" {word}"),
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        ),
    ]);
    let second = Line::from(Span::styled(
        meter_text(form).unwrap_or_else(|| "Acceptable.".to_owned()),
        dim(),
    ));
    let x = area.x + LABEL_W;
    let w = area.width.saturating_sub(LABEL_W);
    f.render_widget(Paragraph::new(first), Rect::new(x, area.y, w, 1));
    f.render_widget(
        Paragraph::new(second).wrap(Wrap { trim: true }),
        Rect::new(x, area.y + 1, w, area.height.saturating_sub(1)),
    );
}

fn draw_dashboard(m: &Model, f: &mut Frame, area: Rect) {
    let Some(info) = &m.session else {
        return;
    };
    let a = &info.account;
    let row = |k: &str, v: String| {
        Line::from(vec![Span::styled(format!("{k:<17}"), dim()), Span::raw(v)])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!("Welcome, {}", for_display(&a.name)),
            bold(),
        )),
        Line::raw(""),
        row("Email", for_display(&a.email)),
        row("Role", a.role.as_str().to_owned()),
        row("Member since", local(a.created_at, &m.tz)),
    ];
    match &m.report {
        Some(r) => lines.push(row(
            "Previous login",
            r.previous_login_at.map_or_else(
                || "none: this is your first login".to_owned(),
                |t| local(t, &m.tz),
            ),
        )),
        None => lines.push(row("Logged in at", local(info.created_at, &m.tz))),
    }
    // Absolute times: they stay true without redrawing every minute.
    lines.push(row(
        "Session ends",
        format!(
            "{} if idle ({} from last use)",
            local_time(info.idle_expires_at, &m.tz),
            duration(m.idle_secs())
        ),
    ));
    lines.push(row(
        "",
        format!("{} at the latest", local(info.absolute_expires_at, &m.tz)),
    ));
    if let Some(r) = m.report.as_ref().filter(|r| r.failed_attempts > 0) {
        let n = r.failed_attempts;
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ {n} failed login attempt{} since your {}.",
                if n == 1 { "" } else { "s" },
                if r.previous_login_at.is_some() {
                    "previous login"
                } else {
                    "signup"
                }
            ),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )));
        lines.push(Line::from(Span::styled(
            "  If that was not you, change your password now (p).",
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        )));
    }
    let inner = card(f, area, s::DASHBOARD_TITLE, lines.len() as u16 + 2);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        Rect::new(
            inner.x,
            inner.y + 1,
            inner.width,
            inner.height.saturating_sub(1),
        ),
    );
}

fn draw_help(f: &mut Frame, area: Rect, title: &str, keys: Vec<KeyHint>) {
    // As wide as the cards, so the overlay covers what it hides instead of cutting words.
    let w = CARD_W.min(area.width.saturating_sub(2));
    let h = (keys.len() as u16 + 4).min(area.height);
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
        ));
    let lines: Vec<Line> = keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<18}"), bold()),
                Span::raw(*what),
            ])
        })
        .collect();
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    f.render_widget(
        Paragraph::new(lines),
        Rect::new(
            inner.x,
            inner.y + 1,
            inner.width,
            inner.height.saturating_sub(1),
        ),
    );
}

//! Drawing: a pure function of the model. Every string from the store is sanitized here
//! again, whatever signup allowed.

use super::app::{FlashKind, Form, MIN_H, MIN_W, Model, Screen};
use super::strings::{self as s, KeyHint, Keys};
use super::widgets::field::FormField;
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
        Constraint::Length(status_rows(m, area.width)),
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
    let reveal = m.form().is_some_and(|form| form.reveal);
    let footer_keys = if m.confirm_discard {
        s::DISCARD_FOOTER
    } else {
        keys.footer()
    };
    draw_footer(f, footer, footer_keys, reveal);
    if m.help {
        draw_help(f, body, screen_title(m), keys.help());
    } else if let (Some(pos), None) = (cursor, m.busy) {
        f.set_cursor_position(pos);
    }
}

/// The keys of the screen showing.
pub fn screen_keys(m: &Model) -> Keys {
    match &m.screen {
        Screen::Starting | Screen::Login(_) => Keys::Login,
        Screen::Signup(_) => Keys::Signup,
        Screen::ChangePassword(_) => Keys::ChangePassword,
        Screen::Dashboard => Keys::Dashboard,
    }
}

fn screen_title(m: &Model) -> &'static str {
    match &m.screen {
        Screen::Starting | Screen::Login(_) => s::LOGIN_TITLE,
        Screen::Signup(_) => s::SIGNUP_TITLE,
        Screen::ChangePassword(_) => s::PASSWORD_TITLE,
        Screen::Dashboard => s::DASHBOARD_TITLE,
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
    f.render_widget(Paragraph::new(Line::from(left.clone())), area);
    if m.authenticated()
        && let Some(info) = &m.session
    {
        // The email takes what the title leaves, shortened with "…" rather than drawn over it.
        let used = Line::from(left).width() as u16 + 2;
        let room = area.width.saturating_sub(used);
        let who = format!(
            "{} ",
            ellipsize(&for_display(&info.account.email), room.saturating_sub(1))
        );
        if room > 1 {
            f.render_widget(
                Paragraph::new(who).alignment(Alignment::Right).style(dim()),
                area,
            );
        }
    }
}

const FOOTER_SEP: &str = " · ";

fn draw_footer(f: &mut Frame, area: Rect, keys: &[KeyHint], reveal: bool) {
    // F2's hint says what it will do.
    let keys: Vec<KeyHint> = keys
        .iter()
        .map(|&(k, w)| {
            if k == s::KEY_REVEAL && reveal {
                (k, "hide")
            } else {
                (k, w)
            }
        })
        .collect();
    // Drop hints until the line fits, the least important first (by `s::FOOTER_PRIORITY`,
    // the later one of equals), so the way out stays on every screen at every size.
    let width = |ks: &[&KeyHint]| -> usize {
        1 + ks
            .iter()
            .map(|(k, w)| k.chars().count() + 1 + w.chars().count())
            .sum::<usize>()
            + FOOTER_SEP.chars().count() * ks.len().saturating_sub(1)
    };
    let rank = |k: &str| {
        s::FOOTER_PRIORITY
            .iter()
            .position(|p| *p == k)
            .unwrap_or(usize::MAX)
    };
    let mut shown: Vec<&KeyHint> = keys.iter().collect();
    while width(&shown) > usize::from(area.width) && shown.len() > 1 {
        let least = (0..shown.len())
            .max_by_key(|&i| rank(shown[i].0))
            .expect("two hints or more");
        shown.remove(least);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in shown.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(FOOTER_SEP, dim()));
        }
        spans.push(Span::styled(*k, bold()));
        spans.push(Span::raw(format!(" {what}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line: the question asked, what the worker is doing, or the flash; as a mark
/// (" ✗ "), the text and its style.
fn status(m: &Model) -> Option<(String, String, Style)> {
    if m.confirm_discard {
        return Some((" ".into(), s::DISCARD_QUESTION.into(), bold()));
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

/// Most rows the status line takes; beyond them its text is shortened with "…".
const STATUS_MAX_ROWS: u16 = 3;

/// Rows the status line takes at width `w`: one, or what its text needs wrapped.
fn status_rows(m: &Model, w: u16) -> u16 {
    status(m).map_or(1, |(mark, text, _)| {
        let w = w.saturating_sub(Span::raw(mark).width() as u16);
        text_rows(&text, w, STATUS_MAX_ROWS)
    })
}

/// The status line; a text too long for one row wraps under its own start.
fn draw_flash(m: &Model, f: &mut Frame, area: Rect) {
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

/// Rows `text` takes when word-wrapped at width `w` (greedy, as ratatui wraps), at most `max`.
fn text_rows(text: &str, w: u16, max: u16) -> u16 {
    let w = usize::from(w.max(1));
    let (mut rows, mut col) = (1usize, 0usize);
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let need = if col == 0 { len } else { col + 1 + len };
        if need <= w {
            col = need;
        } else {
            rows += if col == 0 { 0 } else { 1 };
            // a word longer than the line is broken over several rows
            rows += len.saturating_sub(1) / w;
            col = len % w;
            if col == 0 {
                col = w;
            }
        }
    }
    (rows.min(usize::from(max)) as u16).max(1)
}

/// `text` as it fits in `rows` rows of `w` columns, word-wrapped: whole when it fits, else cut
/// after the last whole word that fits, with "…" (mid-word only when the first word alone is
/// too long), never cut without saying so.
fn fit_rows(text: &str, w: u16, rows: u16) -> String {
    if text_rows(text, w, u16::MAX) <= rows {
        return text.to_owned();
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..words.len())
        .rev()
        .map(|n| format!("{}…", words[..n].join(" ")))
        .find(|t| text_rows(t, w, u16::MAX) <= rows)
        .unwrap_or_else(|| ellipsize(text, w))
}

/// `text` cut to `w` columns, with an ellipsis when something was cut.
fn ellipsize(text: &str, w: u16) -> String {
    let w = usize::from(w);
    if text.chars().count() <= w {
        return text.to_owned();
    }
    let mut t: String = text.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The strength meter's explanation.
/// The meter's explanation, naming the field it follows as the screen names it ("New
/// password" on the change form).
fn meter_text(form: &Form, meter: usize) -> Option<String> {
    let p = form.strength.as_ref()?.problem.as_ref()?;
    Some(super::app::describe(form.fields.get(meter)?.label, p))
}

/// Which field the strength meter follows, if the form has one.
fn meter_field(m: &Model) -> Option<usize> {
    match &m.screen {
        Screen::Signup(_) => Some(2),
        Screen::ChangePassword(_) => Some(1),
        _ => None,
    }
}

/// Rows given to each part of a form. Built roomy first; when the terminal is short, blank rows
/// go before any message is shortened (see [`plan_form`]).
struct FormPlan {
    top: u16,
    /// Rows under each field: its error (or a blank spacer).
    under: Vec<u16>,
    /// Rows of the meter's explanation (the meter's bar takes one more).
    meter_text: u16,
    /// Whether the lines after the button (and the gap before them) are drawn.
    extra: bool,
}

impl FormPlan {
    fn rows(&self, has_meter: bool, extra_lines: u16) -> u16 {
        self.top
            + self.under.iter().map(|u| 1 + u).sum::<u16>()
            + if has_meter { 1 + self.meter_text } else { 0 }
            + 1
            + if self.extra { 1 + extra_lines } else { 0 }
    }
}

/// Whether field `i`'s error is left out because the meter under it explains the problem
/// (not while the meter is checking: it shows no explanation then; never a refused key or
/// paste, which the meter does not explain).
fn meter_covers(form: &Form, meter: Option<usize>, i: usize) -> bool {
    let refused = form.fields.get(i).is_some_and(|f| {
        f.error
            .as_deref()
            .is_some_and(|e| e.ends_with(&s::too_long(f.label, f.max_chars)))
    });
    meter == Some(i)
        && !refused
        && form.strength_pending.is_none()
        && form
            .strength
            .as_ref()
            .is_some_and(|st| st.problem.is_some())
}

/// The message shown under field `i`, if any.
fn field_message(form: &Form, meter: Option<usize>, i: usize) -> Option<String> {
    let e = form.fields[i].error.as_deref()?;
    (!meter_covers(form, meter, i)).then(|| format!("✗ {}", for_display(e)))
}

/// Fits the form into `avail` rows. Every message first gets all the rows it needs, wrapped.
/// When that is too tall, blank rows go first: the one on top and the gap and the lines after
/// the button, then the spacers under fields (all of them, so the fields stay evenly spaced;
/// the others come back if that leaves room). Only when no blank row is left are messages
/// shortened, the longest first, one row at a time, down to one row each.
fn plan_form(form: &Form, m: &Model, input_w: u16, avail: u16, extra_lines: u16) -> FormPlan {
    let meter = meter_field(m);
    let messages: Vec<Option<u16>> = (0..form.fields.len())
        .map(|i| field_message(form, meter, i).map(|t| text_rows(&t, input_w, u16::MAX)))
        .collect();
    let meter_rows = meter
        .and_then(|i| meter_text(form, i))
        .map_or(1, |t| text_rows(&t, input_w, u16::MAX));
    let fits = |p: &FormPlan| p.rows(meter.is_some(), extra_lines) <= avail;
    // Without lines after the button, the gap after it goes before the row on top, so the
    // card stays balanced.
    let blanks = if extra_lines > 0 {
        [(1, true), (0, true), (0, false)]
    } else {
        [(1, true), (1, false), (0, false)]
    };
    for spacers in [true, false] {
        for (top, extra) in blanks {
            let plan = FormPlan {
                top,
                under: messages
                    .iter()
                    .map(|n| n.unwrap_or(u16::from(spacers)))
                    .collect(),
                meter_text: meter_rows,
                extra,
            };
            if fits(&plan) {
                return plan;
            }
        }
    }
    let mut plan = FormPlan {
        top: 0,
        under: messages.iter().map(|n| n.unwrap_or(0)).collect(),
        meter_text: meter_rows,
        extra: false,
    };
    let over = plan
        .rows(meter.is_some(), extra_lines)
        .saturating_sub(avail);
    let FormPlan {
        under, meter_text, ..
    } = &mut plan;
    // Of equals, the meter's advice gives up a row first, then the error of the lowest field.
    shrink_longest(under.iter_mut().chain([meter_text]).collect(), over);
    plan
}

/// Takes `over` rows from texts given `rows` rows each, one row at a time from the longest (of
/// equals, the last), never below one row each. Each text then shows what its rows hold, cut
/// at a word with "…" ([`fit_rows`]).
fn shrink_longest(mut rows: Vec<&mut u16>, mut over: u16) {
    while over > 0 {
        match rows.iter_mut().max_by_key(|n| ***n) {
            Some(n) if **n > 1 => {
                **n -= 1;
                over -= 1;
            }
            _ => break,
        }
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
    let avail = area.height.saturating_sub(2);
    let plan = plan_form(form, m, input_w, avail, extra.len() as u16);
    let inner = card(
        f,
        area,
        title,
        plan.rows(meter.is_some(), extra.len() as u16),
    );
    // Nothing is ever drawn outside the card, whatever the plan says.
    let put = |f: &mut Frame, w: Paragraph, r: Rect| {
        let r = r.intersection(inner);
        if !r.is_empty() {
            f.render_widget(w, r);
        }
    };
    let mut y = inner.y + plan.top;
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        if y >= inner.bottom() {
            break;
        }
        let focused = form.focus == i && !m.help;
        if let Some(pos) = draw_field(f, inner, y, field, focused, form.reveal) {
            cursor = Some(pos);
        }
        y += 1;
        let n = plan.under[i];
        if let (Some(message), true) = (field_message(form, meter, i), n > 0) {
            let text = fit_rows(&message, input_w, n);
            put(
                f,
                Paragraph::new(Span::styled(text, error_style())).wrap(Wrap { trim: true }),
                Rect::new(inner.x + LABEL_W, y, input_w, n),
            );
        }
        y += n;
        if meter == Some(i) {
            let r = Rect::new(inner.x, y, inner.width, 1 + plan.meter_text).intersection(inner);
            if !r.is_empty() {
                draw_meter(f, r, form, i, input_w);
            }
            y += 1 + plan.meter_text;
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
    put(
        f,
        Paragraph::new(text).alignment(Alignment::Center),
        Rect::new(inner.x, y, inner.width, 1),
    );
    y += 2;
    if plan.extra {
        for line in extra {
            put(
                f,
                Paragraph::new(line).alignment(Alignment::Center),
                Rect::new(inner.x, y, inner.width, 1),
            );
            y += 1;
        }
    }
    cursor
}

/// One field row: marker, label, then the input drawn over an underlined area.
fn draw_field(
    f: &mut Frame,
    inner: Rect,
    y: u16,
    field: &FormField,
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

fn draw_meter(f: &mut Frame, area: Rect, form: &Form, meter: usize, w: u16) {
    let x = area.x + LABEL_W;
    if form.strength_pending.is_some() {
        // The rows keep the last verdict's height, so the form does not jump while checking.
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::raw("Strength "),
                Span::styled(s::CHECKING, dim()),
            ])),
            Rect::new(x, area.y, w, 1),
        );
        return;
    }
    let Some(st) = &form.strength else {
        f.render_widget(
            Paragraph::new(Span::styled(
                ellipsize("Strength: type a passphrase of 15+ characters", w),
                dim(),
            )),
            Rect::new(x, area.y, w, 1),
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
    f.render_widget(Paragraph::new(first), Rect::new(x, area.y, w, 1));
    let rows = area.height.saturating_sub(1);
    if rows == 0 {
        return;
    }
    let text = meter_text(form, meter).unwrap_or_else(|| "Acceptable.".to_owned());
    let text = fit_rows(&text, w, rows);
    f.render_widget(
        Paragraph::new(Span::styled(text, dim())).wrap(Wrap { trim: true }),
        Rect::new(x, area.y + 1, w, rows),
    );
}

fn draw_dashboard(m: &Model, f: &mut Frame, area: Rect) {
    // The width `card` leaves for text: its borders and a column of padding on each side.
    let inner_w = CARD_W.min(area.width.saturating_sub(2)).saturating_sub(4);
    // Long names and emails wrap and the card grows; when even that does not fit, they are
    // shortened to one row each with "…".
    let full = dashboard_lines(m, None);
    let rows = |lines: &[Line]| -> u16 {
        lines
            .iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                text_rows(&text, inner_w, u16::MAX)
            })
            .sum()
    };
    // A blank row above and below the text, and the borders.
    let lines = if rows(&full) + 4 <= area.height {
        full
    } else {
        dashboard_lines(m, Some(inner_w))
    };
    let inner = card(f, area, s::DASHBOARD_TITLE, rows(&lines) + 2);
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

/// The dashboard's rows; with `shorten`, the name and the email are cut to fit that width.
fn dashboard_lines(m: &Model, shorten: Option<u16>) -> Vec<Line<'static>> {
    let Some(info) = &m.session else {
        return vec![];
    };
    let a = &info.account;
    let row = |k: &str, v: String| {
        Line::from(vec![Span::styled(format!("{k:<17}"), dim()), Span::raw(v)])
    };
    let fit = |text: String, used: u16| match shorten {
        Some(w) => ellipsize(&text, w.saturating_sub(used)),
        None => text,
    };
    let mut lines = vec![
        Line::from(Span::styled(
            fit(format!("Welcome, {}", for_display(&a.name)), 0),
            bold(),
        )),
        Line::raw(""),
        row("Email", fit(for_display(&a.email), 17)),
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
            "{} if idle ({} limit)",
            local_time(info.idle_expires_at, &m.tz),
            duration(m.idle_secs())
        ),
    ));
    lines.push(row(
        "",
        format!("{} at the latest", local(info.absolute_expires_at, &m.tz)),
    ));
    if let Some(r) = &m.report {
        lines.extend(attempts_warning(r, m.password_changed));
    }
    lines
}

/// The dashboard's warning about failed logins (and refusals while locked) since the previous
/// login, with advice to change the password unless that was done since.
fn attempts_warning(r: &crate::LoginReport, changed: bool) -> Vec<Line<'static>> {
    let (failed, throttled) = (r.failed_attempts, r.throttled_attempts);
    if failed == 0 && throttled == 0 {
        return vec![];
    }
    let since = if r.previous_login_at.is_some() {
        "previous login"
    } else {
        "signup"
    };
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let locked = |n: u64| format!("{n} attempt{} refused while locked", plural(n));
    let warn = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    let mut texts = vec![if failed > 0 {
        format!(
            "⚠ {failed} failed login attempt{} since your {since}.",
            plural(failed)
        )
    } else {
        format!("⚠ {} since your {since}.", locked(throttled))
    }];
    if failed > 0 && throttled > 0 {
        texts.push(format!("  Also {}.", locked(throttled)));
    }
    if !changed {
        texts.push("  If that was not you, change your password now (p).".to_owned());
    }
    let mut lines = vec![Line::raw("")];
    for (i, t) in texts.into_iter().enumerate() {
        let style = if i == 0 {
            warn.add_modifier(Modifier::REVERSED)
        } else {
            warn
        };
        lines.push(Line::from(Span::styled(t, style)));
    }
    lines
}

/// Columns of the help's key column (a space, then the key, padded).
const HELP_KEY_W: u16 = 21;

fn draw_help(f: &mut Frame, area: Rect, title: &str, keys: Vec<KeyHint>) {
    // As wide as the cards, so the overlay covers what it hides instead of cutting words.
    let w = CARD_W.min(area.width.saturating_sub(2));
    // What a key does wraps in its own column; when the rows run out, the longest texts are
    // shortened with "…".
    let what_w = w.saturating_sub(2 + HELP_KEY_W);
    let mut rows: Vec<u16> = keys
        .iter()
        .map(|(_, what)| text_rows(what, what_w, u16::MAX))
        .collect();
    let over = rows
        .iter()
        .sum::<u16>()
        .saturating_sub(area.height.saturating_sub(2));
    shrink_longest(rows.iter_mut().collect(), over);
    let h = (rows.iter().sum::<u16>() + 2).min(area.height);
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
        .title_bottom(Line::from(Span::styled(format!(" {} ", s::HELP_CLOSE), dim())).centered());
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let mut y = inner.y;
    for ((k, what), n) in keys.iter().zip(rows) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rows() {
        assert_eq!(text_rows("", 10, 5), 1);
        assert_eq!(text_rows("abc def", 7, 5), 1);
        assert_eq!(text_rows("abc defg", 7, 5), 2);
        assert_eq!(text_rows("abcdefghijkl", 5, 5), 3);
        assert_eq!(text_rows("a b c d e f g h i j", 3, 2), 2);
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abc", 4), "abc");
    }

    #[test]
    fn ui_07_text_that_does_not_fit_is_cut_at_a_word_with_an_ellipsis() {
        let text = "Password is too short (5 characters; at least 15): add a word or two.";
        assert_eq!(fit_rows(text, 40, 2), text, "fits in two rows");
        let cut = fit_rows(text, 30, 2);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_rows(&cut, 30, 9) <= 2, "{cut}");
        let kept = cut.trim_end_matches('…');
        assert!(text.starts_with(kept), "{cut}");
        assert!(
            text[kept.len()..].starts_with(' '),
            "cut at a word boundary, not mid-word: {cut}"
        );
        assert_eq!(fit_rows("unbreakablewordthatislong", 10, 1), "unbreakab…");
    }
}

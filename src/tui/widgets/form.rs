//! Forms: named fields in tab order, a focus, a button, and F2 to show the passwords. A field
//! of several lines (the notes) shows [`LINES_ROWS`] rows when there is room, fewer when not.
//!
//! A screen declares its fields with [`form_fields!`]: a struct with one [`FormField`] per
//! name (`signup.form.email`), and an enum of the names (`SignupField::Email`). [`Form`] adds
//! what every form has and turns the keymap's form and field actions into [`FormEvent`]s
//! about named fields; only drawing walks the fields by position.

use super::super::keys::Action;
use super::super::strings as s;
use super::field::{Edited, FormField};
use super::meter::{self, MeterState};
use super::multiline::{self, MultiLine};
use super::text::{fit_rows, shrink_longest, text_rows};
use super::{CARD_W, bold, card, dim, error_style, focus_style};
use crate::sanitize::for_display;
use crate::{ValidationError, error};
use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::ops::{Deref, DerefMut};
use unicode_width::UnicodeWidthStr;

/// Columns of the label column.
pub const LABEL_W: u16 = 20;
/// Rows a field of several lines shows when there is room.
pub const LINES_ROWS: u16 = 5;
/// The fewest rows it shows before the blank rows between fields go.
const LINES_ROWS_SPACED: u16 = 3;

/// Columns of a form's inputs in a body `area_width` wide (the card, its border and padding,
/// the label column).
pub fn input_width(area_width: u16) -> u16 {
    CARD_W
        .min(area_width.saturating_sub(2))
        .saturating_sub(4 + LABEL_W)
}
/// How password fields are drawn (`ui.mask`), for this process: 0 dots, 1 stars, 2 hidden.
static MASK_STYLE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets how password fields are drawn (once, at start, from the configuration).
pub fn set_mask(style: vaultty_core::config::MaskStyle) {
    use vaultty_core::config::MaskStyle;
    let v = match style {
        MaskStyle::Dots => 0,
        MaskStyle::Stars => 1,
        MaskStyle::Hidden => 2,
    };
    MASK_STYLE.store(v, std::sync::atomic::Ordering::Relaxed);
}

/// The glyph per character of a password field; `None`: nothing is drawn, not even the
/// length.
fn mask() -> Option<char> {
    match MASK_STYLE.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Some('*'),
        2 => None,
        _ => Some('•'),
    }
}

/// The fields of one form, by name, in tab order.
pub trait Fields {
    type Name: Copy + Eq + std::fmt::Debug + 'static;
    /// Every name, in tab order.
    const ORDER: &'static [Self::Name];
    fn get(&self, name: Self::Name) -> &FormField;
    fn get_mut(&mut self, name: Self::Name) -> &mut FormField;
}

/// Declares a form's fields: `struct Fields / Name { field: Variant, … }` gives the struct of
/// [`FormField`]s, the enum of their names, and the [`Fields`] impl, in the order written.
macro_rules! form_fields {
    ($(#[$doc:meta])* pub struct $fields:ident / $name:ident {
        $($(#[$fdoc:meta])* $field:ident: $variant:ident),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $fields {
            $($(#[$fdoc])* pub $field: $crate::tui::widgets::field::FormField),+
        }

        /// The names of the fields, in tab order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant),+
        }

        impl $crate::tui::widgets::form::Fields for $fields {
            type Name = $name;
            const ORDER: &'static [$name] = &[$($name::$variant),+];
            fn get(&self, name: $name) -> &$crate::tui::widgets::field::FormField {
                match name {
                    $($name::$variant => &self.$field),+
                }
            }
            fn get_mut(&mut self, name: $name) -> &mut $crate::tui::widgets::field::FormField {
                match name {
                    $($name::$variant => &mut self.$field),+
                }
            }
        }
    };
}
pub(crate) use form_fields;

/// Where the focus is: a field, or the button after the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus<N> {
    Field(N),
    Button,
}

/// What a key did to a form, for the screen to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent<N> {
    Nothing,
    /// The field's text changed (its error is gone).
    Changed(N),
    /// The focus left the field.
    Left(N),
    /// Enter.
    Submit,
}

/// A form: its fields, the focus, the button, and whether passwords are shown.
#[derive(Debug)]
pub struct Form<F: Fields> {
    pub fields: F,
    pub focus: Focus<F::Name>,
    pub button: &'static str,
    /// Whether password fields are shown in clear (F2; off by default).
    pub reveal: bool,
}

/// `form.email` for `form.fields.email`.
impl<F: Fields> Deref for Form<F> {
    type Target = F;
    fn deref(&self) -> &F {
        &self.fields
    }
}

impl<F: Fields> DerefMut for Form<F> {
    fn deref_mut(&mut self) -> &mut F {
        &mut self.fields
    }
}

impl<F: Fields> Form<F> {
    /// A form with the focus on its first field.
    pub fn new(fields: F, button: &'static str) -> Self {
        Form {
            fields,
            focus: Focus::Field(F::ORDER[0]),
            button,
            reveal: false,
        }
    }

    pub fn focused(&self) -> Option<F::Name> {
        match self.focus {
            Focus::Field(n) => Some(n),
            Focus::Button => None,
        }
    }

    pub fn on_button(&self) -> bool {
        self.focus == Focus::Button
    }

    /// The focus's position in tab order (the button last).
    pub fn focus_index(&self) -> usize {
        self.focused()
            .and_then(|n| F::ORDER.iter().position(|&o| o == n))
            .unwrap_or(F::ORDER.len())
    }

    fn focus_at(&mut self, i: usize) {
        self.focus = F::ORDER.get(i).map_or(Focus::Button, |&n| Focus::Field(n));
    }

    /// The fields in tab order, with their names.
    pub fn iter(&self) -> impl Iterator<Item = (F::Name, &FormField)> {
        F::ORDER.iter().map(|&n| (n, self.fields.get(n)))
    }

    /// The first field (in tab order) with an error.
    pub fn first_error(&self) -> Option<F::Name> {
        self.iter().find(|(_, f)| f.error.is_some()).map(|(n, _)| n)
    }

    /// Puts the focus on the first field in error; whether there was one.
    pub fn focus_first_error(&mut self) -> bool {
        match self.first_error() {
            Some(n) => {
                self.focus = Focus::Field(n);
                true
            }
            None => false,
        }
    }

    /// Whether anything was typed in any field.
    pub fn has_input(&self) -> bool {
        self.iter()
            .any(|(_, f)| !f.value().is_empty() || f.secret_ref().is_some_and(|p| !p.is_empty()))
    }

    /// Wipes every password field.
    pub fn clear_secrets(&mut self) {
        for &n in F::ORDER {
            let f = self.fields.get_mut(n);
            if f.is_secret() {
                f.clear();
            }
        }
    }

    /// Puts the core's validation errors under the fields they are about (`map` says which),
    /// and the focus on the first of them.
    pub fn place_errors(
        &mut self,
        errors: &[ValidationError],
        map: impl Fn(error::Field) -> F::Name,
    ) {
        for e in errors {
            let f = self.fields.get_mut(map(e.field));
            f.error = Some(s::describe(f.label, e));
        }
        self.focus_first_error();
    }

    /// Applies a form or field action of the keymap.
    pub fn handle(&mut self, action: Action) -> FormEvent<F::Name> {
        let n = F::ORDER.len() + 1;
        let left = self.focused();
        let moved = |n: Option<F::Name>| n.map_or(FormEvent::Nothing, FormEvent::Left);
        match action {
            Action::NextField => {
                self.focus_at((self.focus_index() + 1) % n);
                moved(left)
            }
            Action::PrevField => {
                self.focus_at((self.focus_index() + n - 1) % n);
                moved(left)
            }
            Action::Submit => FormEvent::Submit,
            Action::Reveal => {
                self.reveal = !self.reveal;
                FormEvent::Nothing
            }
            Action::Edit(req) => self.edit(|field| field.handle(req)),
            Action::NewLine => self.edit(FormField::new_line),
            _ => FormEvent::Nothing,
        }
    }

    /// An edit of the focused field: its error goes when it changed; a refused one says why.
    fn edit(&mut self, how: impl FnOnce(&mut FormField) -> Edited) -> FormEvent<F::Name> {
        let Some(name) = self.focused() else {
            return FormEvent::Nothing;
        };
        let field = self.fields.get_mut(name);
        match how(field) {
            Edited::Changed => {
                field.error = None;
                FormEvent::Changed(name)
            }
            Edited::TooLong => {
                field.error = Some(s::too_long(field.label, field.max_chars));
                FormEvent::Nothing
            }
            Edited::Unchanged => FormEvent::Nothing,
        }
    }

    /// Applies an action as [`Form::handle`] does, and ↑ / ↓ in a field of several lines
    /// wrapped at `width` columns ([`input_width`]): a row up or down (from its first / last
    /// row, to the field above / below); then keeps its cursor in view.
    pub fn handle_at(&mut self, action: Action, width: u16) -> FormEvent<F::Name> {
        let lines = self
            .focused()
            .and_then(|n| self.fields.get_mut(n).lines_mut());
        let event = match (action, lines) {
            (Action::LineUp | Action::LineDown, Some(m)) => {
                let down = action == Action::LineDown;
                if m.move_vertical(down, width) {
                    FormEvent::Nothing
                } else {
                    self.handle(if down {
                        Action::NextField
                    } else {
                        Action::PrevField
                    })
                }
            }
            (Action::LineUp, None) => self.handle(Action::PrevField),
            (Action::LineDown, None) => self.handle(Action::NextField),
            (action, _) => self.handle(action),
        };
        self.follow(width);
        event
    }

    /// Keeps the cursor of each field of several lines in view (scrolled as little as can be),
    /// as drawn `width` columns wide with room for all its rows.
    pub fn follow(&mut self, width: u16) {
        for &n in F::ORDER {
            if let Some(m) = self.fields.get_mut(n).lines_mut() {
                m.follow(width, LINES_ROWS);
            }
        }
    }

    /// Pastes into the focused field: in one step, without line breaks (kept in a field of
    /// several lines), never submitting; a paste past the field's limit is refused whole,
    /// with a message under it.
    pub fn paste(&mut self, text: String) -> FormEvent<F::Name> {
        let Some(name) = self.focused() else {
            return FormEvent::Nothing;
        };
        let field = self.fields.get_mut(name);
        match field.paste(text) {
            Edited::Changed => {
                field.error = None;
                FormEvent::Changed(name)
            }
            Edited::TooLong => {
                field.error = Some(format!(
                    "{} {}",
                    s::PASTE_REFUSED,
                    s::too_long(field.label, field.max_chars)
                ));
                FormEvent::Nothing
            }
            Edited::Unchanged => FormEvent::Nothing,
        }
    }
}

/// Any form, whatever its fields, by position: for what walks every form alike (the app,
/// the fuzz checks, tests).
pub trait AnyForm {
    /// The fields in tab order.
    fn fields(&self) -> Vec<&FormField>;
    /// The focus's position in tab order (the button is `fields().len()`).
    fn focus_index(&self) -> usize;
    fn on_button(&self) -> bool;
    fn reveal(&self) -> bool;
}

impl<F: Fields + std::fmt::Debug> AnyForm for Form<F> {
    fn fields(&self) -> Vec<&FormField> {
        self.iter().map(|(_, f)| f).collect()
    }
    fn focus_index(&self) -> usize {
        Form::focus_index(self)
    }
    fn on_button(&self) -> bool {
        Form::on_button(self)
    }
    fn reveal(&self) -> bool {
        self.reveal
    }
}

/// The error under the confirmation of a password: it must match the password above.
pub fn confirm_problem(
    password: &FormField,
    confirm: &FormField,
    submitting: bool,
) -> Option<String> {
    let (a, b) = (password.secret_ref()?, confirm.secret_ref()?);
    if b.is_empty() && !submitting {
        return None;
    }
    (a.expose() != b.expose()).then(|| format!("{} {}", confirm.label, s::PASSWORDS_DIFFER))
}

// ---- drawing ------------------------------------------------------------------------------

/// A form as drawn: its fields by position, and the meter under one of them.
struct Drawn<'a> {
    fields: Vec<&'a FormField>,
    /// Which fields have several lines.
    tall: Vec<bool>,
    meter: Option<(usize, &'a MeterState)>,
}

impl Drawn<'_> {
    /// Whether field `i`'s error is left out because the meter under it explains the problem
    /// (not while the meter is checking: it shows no explanation then; never a refused key or
    /// paste, which the meter does not explain).
    fn meter_covers(&self, i: usize) -> bool {
        let f = self.fields[i];
        let refused = f
            .error
            .as_deref()
            .is_some_and(|e| e.ends_with(&s::too_long(f.label, f.max_chars)));
        matches!(self.meter, Some((m, meter)) if m == i && !refused && meter.explains())
    }

    /// The message shown under field `i`, if any.
    fn message(&self, i: usize) -> Option<String> {
        let e = self.fields[i].error.as_deref()?;
        (!self.meter_covers(i)).then(|| format!("✗ {}", for_display(e)))
    }

    fn meter_text(&self) -> Option<String> {
        let (i, meter) = self.meter?;
        meter.text(self.fields[i].label)
    }
}

/// Rows given to each part of a form. Built roomy first; when the terminal is short, blank rows
/// go before any message is shortened (see [`plan`]).
struct Plan {
    top: u16,
    /// Rows of each field (more than one for a field of several lines).
    heights: Vec<u16>,
    /// Rows under each field: its error (or a blank spacer).
    under: Vec<u16>,
    /// Rows of the meter's explanation (the meter's bar takes one more).
    meter_text: u16,
    /// Whether the lines after the button (and the gap before them) are drawn.
    extra: bool,
}

impl Plan {
    fn rows(&self, has_meter: bool, extra_lines: u16) -> u16 {
        self.top
            + self.heights.iter().sum::<u16>()
            + self.under.iter().sum::<u16>()
            + if has_meter { 1 + self.meter_text } else { 0 }
            + 1
            + if self.extra { 1 + extra_lines } else { 0 }
    }
}

/// Fits the form into `avail` rows. Every message first gets all the rows it needs, wrapped.
/// When that is too tall, blank rows go first: the one on top and the gap and the lines after
/// the button; then a field of several lines gives up rows, down to [`LINES_ROWS_SPACED`];
/// then the spacers under fields go (all of them, so the fields stay evenly spaced; the others
/// come back if that leaves room), and the field of several lines shrinks again, down to one
/// row. Only when no blank row is left are messages shortened, the longest first, one row at
/// a time, down to one row each.
fn plan(form: &Drawn, input_w: u16, avail: u16, extra_lines: u16) -> Plan {
    let has_meter = form.meter.is_some();
    let messages: Vec<Option<u16>> = (0..form.fields.len())
        .map(|i| form.message(i).map(|t| text_rows(&t, input_w, u16::MAX)))
        .collect();
    let meter_rows = form
        .meter_text()
        .map_or(1, |t| text_rows(&t, input_w, u16::MAX));
    let fits = |p: &Plan| p.rows(has_meter, extra_lines) <= avail;
    // Without lines after the button, the gap after it goes before the row on top, so the
    // card stays balanced.
    let blanks = if extra_lines > 0 {
        [(1, true), (0, true), (0, false)]
    } else {
        [(1, true), (1, false), (0, false)]
    };
    let heights = |tall: u16| -> Vec<u16> {
        form.tall
            .iter()
            .map(|&t| if t { tall } else { 1 })
            .collect()
    };
    let has_tall = form.tall.contains(&true);
    for spacers in [true, false] {
        let fewest = match (has_tall, spacers) {
            (false, _) => LINES_ROWS,
            (true, true) => LINES_ROWS_SPACED,
            (true, false) => 1,
        };
        for tall in (fewest..=LINES_ROWS).rev() {
            for (top, extra) in blanks {
                let plan = Plan {
                    top,
                    heights: heights(tall),
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
    }
    let mut plan = Plan {
        top: 0,
        heights: heights(1),
        under: messages.iter().map(|n| n.unwrap_or(0)).collect(),
        meter_text: meter_rows,
        extra: false,
    };
    let over = plan.rows(has_meter, extra_lines).saturating_sub(avail);
    let Plan {
        under, meter_text, ..
    } = &mut plan;
    // Of equals, the meter's advice gives up a row first, then the error of the lowest field.
    shrink_longest(under.iter_mut().chain([meter_text]).collect(), over);
    plan
}

/// Draws a form in a card titled `title`, the strength meter under the field `meter` names,
/// and `extra` lines after the button. `covered` says the help is drawn over it (no field
/// shows focus). Returns where the terminal cursor goes.
pub fn draw<F: Fields>(
    f: &mut Frame,
    area: Rect,
    title: &str,
    form: &Form<F>,
    meter: Option<(F::Name, &MeterState)>,
    covered: bool,
    extra: Vec<Line<'static>>,
) -> Option<Position> {
    let fields: Vec<&FormField> = form.iter().map(|(_, f)| f).collect();
    let drawn = Drawn {
        tall: fields.iter().map(|f| f.lines_ref().is_some()).collect(),
        fields,
        meter: meter.and_then(|(name, m)| Some((F::ORDER.iter().position(|&n| n == name)?, m))),
    };
    let has_meter = drawn.meter.is_some();
    let input_w = input_width(area.width);
    let avail = area.height.saturating_sub(2);
    let plan = plan(&drawn, input_w, avail, extra.len() as u16);
    let inner = card(f, area, title, plan.rows(has_meter, extra.len() as u16));
    // Nothing is ever drawn outside the card, whatever the plan says.
    let put = |f: &mut Frame, w: Paragraph, r: Rect| {
        let r = r.intersection(inner);
        if !r.is_empty() {
            f.render_widget(w, r);
        }
    };
    let mut y = inner.y + plan.top;
    let mut cursor = None;
    let focus = form.focus_index();
    for (i, field) in drawn.fields.iter().enumerate() {
        if y >= inner.bottom() {
            break;
        }
        let focused = focus == i && !covered;
        let height = plan.heights[i];
        let pos = match field.lines_ref() {
            Some(m) => draw_lines(f, inner, y, field.label, m, height, focused),
            None => draw_field(f, inner, y, field, focused, form.reveal),
        };
        if pos.is_some() {
            cursor = pos;
        }
        y += height;
        let n = plan.under[i];
        if let (Some(message), true) = (drawn.message(i), n > 0) {
            let text = fit_rows(&message, input_w, n);
            put(
                f,
                Paragraph::new(Span::styled(text, error_style())).wrap(Wrap { trim: true }),
                Rect::new(inner.x + LABEL_W, y, input_w, n),
            );
        }
        y += n;
        if let Some((m, state)) = drawn.meter
            && m == i
        {
            let r = Rect::new(inner.x, y, inner.width, 1 + plan.meter_text).intersection(inner);
            if !r.is_empty() {
                meter::draw(f, r, state, field.label, input_w);
            }
            y += 1 + plan.meter_text;
        }
    }
    // the button
    let on = form.on_button() && !covered;
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

/// One field row: marker, label, then the input drawn over an underlined area. Returns where
/// the cursor goes when it has focus. (Public for dialogs that hold a field.)
pub fn draw_field(
    f: &mut Frame,
    inner: Rect,
    y: u16,
    field: &FormField,
    focused: bool,
    reveal: bool,
) -> Option<Position> {
    draw_label(f, inner, y, field.label, focused);
    let w = inner.width.saturating_sub(LABEL_W) as usize;
    if w == 0 {
        return None;
    }
    let hidden = field.secret_ref().is_some() && !reveal && mask().is_none();
    // A hidden password shows nothing, its cursor included: the length does not show.
    let cursor = if hidden { 0 } else { field.cursor_col() };
    let scroll = cursor.saturating_sub(w.saturating_sub(1));
    let shown: String = match field.secret_ref() {
        Some(secret) if reveal => secret.expose().chars().skip(scroll).take(w).collect(),
        Some(secret) => match mask() {
            Some(glyph) => {
                std::iter::repeat_n(glyph, secret.chars().saturating_sub(scroll).min(w)).collect()
            }
            None => String::new(),
        },
        None => for_display(field.value())
            .chars()
            .skip(scroll)
            .take(w)
            .collect(),
    };
    let pad = w.saturating_sub(shown.chars().count());
    f.render_widget(
        Paragraph::new(Span::styled(
            format!("{shown}{}", " ".repeat(pad)),
            input_style(focused),
        )),
        Rect::new(inner.x + LABEL_W, y, w as u16, 1),
    );
    focused.then(|| Position::new(inner.x + LABEL_W + (cursor - scroll) as u16, y))
}

/// A field's marker and label, at the start of its first row.
fn draw_label(f: &mut Frame, inner: Rect, y: u16, label: &str, focused: bool) {
    let marker = if focused { "▸ " } else { "  " };
    let label_style = if focused {
        focus_style()
    } else {
        Style::default()
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(marker, label_style),
            Span::styled(label, label_style),
        ])),
        Rect::new(inner.x, y, LABEL_W, 1).intersection(inner),
    );
}

/// How an input's area is drawn: underlined, bold when focused.
fn input_style(focused: bool) -> Style {
    let style = Style::default().add_modifier(Modifier::UNDERLINED);
    if focused {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
    }
}

/// A field of several lines: the label, then `height` rows of its text wrapped at the input's
/// width, scrolled to keep the cursor in view, each row sanitized (tabs as spaces); under the
/// label, which line the cursor is on when not every row shows. Nothing is drawn outside
/// `inner`. Returns where the cursor goes when it has focus.
fn draw_lines(
    f: &mut Frame,
    inner: Rect,
    y: u16,
    label: &str,
    m: &MultiLine,
    height: u16,
    focused: bool,
) -> Option<Position> {
    draw_label(f, inner, y, label, focused);
    let w = inner.width.saturating_sub(LABEL_W);
    let height = height.min(inner.bottom().saturating_sub(y));
    if w == 0 || height == 0 {
        return None;
    }
    let rows = m.rows(w);
    let (row, col) = m.cursor_at(&rows);
    let top = multiline::scrolled(m.top(), row, rows.len(), height);
    let text = m.value();
    for k in 0..height {
        let shown = rows
            .get(top + usize::from(k))
            .map_or_else(String::new, |r| multiline::shown(&text[r.start..r.end]));
        let pad = usize::from(w).saturating_sub(shown.width());
        f.render_widget(
            Paragraph::new(Span::styled(
                format!("{shown}{}", " ".repeat(pad)),
                input_style(focused),
            )),
            Rect::new(inner.x + LABEL_W, y + k, w, 1),
        );
    }
    if height >= 2 && rows.len() > usize::from(height) {
        let (line, lines) = m.line_of();
        f.render_widget(
            Paragraph::new(Span::styled(
                format!("  {}", s::line_of(line, lines)),
                dim(),
            )),
            Rect::new(inner.x, y + height - 1, LABEL_W, 1),
        );
    }
    let col = (col as u16).min(w - 1);
    focused.then(|| Position::new(inner.x + LABEL_W + col, y + (row - top) as u16))
}

//! The password strength meter: its state on a form that chooses a password, the check it asks
//! for, and its rows under the password field. zxcvbn can take most of a second on crafted
//! input, so the check never runs on the UI thread: [`StrengthCheck`] goes to the meter's
//! thread, and only the answer to the latest request is shown ("checking…" meanwhile).

use super::super::app::Msg;
use super::super::strings as s;
use super::field::FormField;
use super::text::{ellipsize, fit_rows};
use super::{dim, form::LABEL_W};
use crate::auth::policy::password_strength;
use crate::{Password, Strength};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// A request for the strength meter's thread. The password stays in its zeroizing buffer.
#[derive(Debug)]
pub struct StrengthCheck {
    /// Tells the answer to the latest request from stale ones.
    pub id: u64,
    pub password: Password,
    pub email: String,
    pub name: String,
}

impl StrengthCheck {
    /// Runs the check (on the meter's thread); the answer as a message for the UI.
    pub fn run(self) -> Msg {
        Msg::Strength {
            id: self.id,
            strength: password_strength(&self.password, &self.email, &self.name),
        }
    }
}

/// The meter of a form that chooses a password.
#[derive(Debug, Default)]
pub struct MeterState {
    /// The last verdict.
    pub strength: Option<Strength>,
    /// Set by edits; the screen's refresh asks again (once per frame, not once per key).
    pub stale: bool,
    /// The request whose answer is awaited ("checking…"); answers to any other are stale.
    pub pending: Option<u64>,
}

impl MeterState {
    /// The check to ask for before the next frame, if the form changed since the last one:
    /// `password` judged against the account's `email` and `name`. `next_id` numbers it.
    pub fn refresh(
        &mut self,
        password: &FormField,
        email: String,
        name: String,
        next_id: impl FnOnce() -> u64,
    ) -> Option<StrengthCheck> {
        if !std::mem::take(&mut self.stale) {
            return None;
        }
        let password = match password.secret_ref() {
            Some(p) if !p.is_empty() => p.to_password(),
            _ => {
                self.strength = None;
                self.pending = None;
                return None;
            }
        };
        let id = next_id();
        self.pending = Some(id);
        Some(StrengthCheck {
            id,
            password,
            email,
            name,
        })
    }

    /// Applies the answer to request `id` if it is the latest; when the password field
    /// (`field`) has been left meanwhile, its verdict also goes under the field, as leaving it
    /// with a current verdict would have done.
    pub fn answer(&mut self, id: u64, strength: Strength, field: &mut FormField, focused: bool) {
        if self.pending != Some(id) {
            return;
        }
        self.pending = None;
        if !focused {
            field.error = strength
                .problem
                .as_ref()
                .map(|e| s::describe(field.label, e));
        }
        self.strength = Some(strength);
    }

    /// The policy's verdict on `field`'s password, as the meter last gave it. An empty field is
    /// skipped unless submitting. While the meter is still checking there is no verdict yet: it
    /// goes under the field when it comes, and a submit goes ahead (the worker checks the
    /// password again before anything is written).
    pub fn problem(&self, field: &FormField, submitting: bool) -> Option<String> {
        let p = field.secret_ref()?;
        if p.is_empty() {
            // Cheap: an empty password is refused before zxcvbn runs.
            return submitting
                .then(|| password_strength(&p.to_password(), "", ""))
                .and_then(|st| st.problem)
                .map(|e| s::describe(field.label, &e));
        }
        if self.stale || self.pending.is_some() {
            return None;
        }
        let problem = self.strength.as_ref()?.problem.as_ref()?;
        Some(s::describe(field.label, problem))
    }

    /// The meter's explanation, naming the field it follows as the screen names it ("New
    /// password" on the change form).
    pub fn text(&self, label: &str) -> Option<String> {
        let p = self.strength.as_ref()?.problem.as_ref()?;
        Some(s::describe(label, p))
    }

    /// Whether the meter shows an explanation (which then stands for the field's own error).
    pub fn explains(&self) -> bool {
        self.pending.is_none()
            && self
                .strength
                .as_ref()
                .is_some_and(|st| st.problem.is_some())
    }
}

/// Draws the meter in `area` (its bar, then its explanation in the rows left), following the
/// field labelled `label`; `w` is the width of the input column.
pub fn draw(f: &mut Frame, area: Rect, meter: &MeterState, label: &str, w: u16) {
    let x = area.x + LABEL_W;
    if meter.pending.is_some() {
        // The rows keep the last verdict's height, so the form does not jump while checking.
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::raw(format!("{} ", s::STRENGTH)),
                Span::styled(s::CHECKING, dim()),
            ])),
            Rect::new(x, area.y, w, 1),
        );
        return;
    }
    let Some(st) = &meter.strength else {
        f.render_widget(
            Paragraph::new(Span::styled(ellipsize(&s::strength_prompt(), w), dim())),
            Rect::new(x, area.y, w, 1),
        );
        return;
    };
    let score = st.score.min(4) as usize;
    let (word, color) = match (st.acceptable(), score) {
        (false, _) => (s::TOO_WEAK, Color::Red),
        (true, 3) => (s::GOOD, Color::Yellow),
        _ => (s::STRONG, Color::Green),
    };
    let filled = if st.acceptable() {
        score + 1
    } else {
        score.min(2) + 1
    };
    let bar: String = "■".repeat(filled) + &"□".repeat(5 - filled);
    let first = Line::from(vec![
        Span::raw(format!("{} ", s::STRENGTH)),
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
    let text = meter
        .text(label)
        .unwrap_or_else(|| s::ACCEPTABLE.to_owned());
    let text = fit_rows(&text, w, rows);
    f.render_widget(
        Paragraph::new(Span::styled(text, dim())).wrap(Wrap { trim: true }),
        Rect::new(x, area.y + 1, w, rows),
    );
}

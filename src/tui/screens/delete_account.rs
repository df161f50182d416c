//! The dialog that deletes one's own account, drawn over the dashboard: it says what goes and
//! that it cannot be undone, and asks for the password. Enter deletes (if the password is
//! right); Esc cancels. The last active administrator is refused ("Not allowed"). Once the
//! account is deleted the app wipes the screen and goes back to the login form.

use super::dashboard::Dashboard;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::confirm_dialog;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{self, AnyForm, Focus, Form, FormEvent, LABEL_W, form_fields};
use crate::tui::widgets::status::FlashKind;
use crate::tui::widgets::text::fit_rows;
use crate::tui::widgets::{bold, error_style, focus_style};
use crate::sanitize::for_display;
use crate::{Error, Field};
use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

form_fields! {
    /// The dialog's one field.
    pub struct DeleteFields / DeleteField {
        password: Password,
    }
}

#[derive(Debug)]
pub struct DeleteAccount {
    pub form: Form<DeleteFields>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_DELETE_SUBMIT,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_DELETE_BACK,
    },
    Row {
        keys: &[(Layer::Session, Action::Logout)],
        what: s::HELP_LOG_OUT,
    },
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT_STAY,
    },
];

pub const INFO: Info = Info {
    title: s::DELETE_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_DELETE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_BACK,
        },
        LOGOUT_HINT,
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

impl Default for DeleteAccount {
    fn default() -> Self {
        Self::new()
    }
}

impl DeleteAccount {
    pub fn new() -> Self {
        DeleteAccount {
            form: Form::new(
                DeleteFields {
                    password: FormField::secret(s::LABEL_PASSWORD),
                },
                s::DELETE_BUTTON,
            ),
        }
    }

    fn submit(&mut self, cx: &mut Ctx) {
        let field = &mut self.form.password;
        if field.secret_ref().is_some_and(|p| p.is_empty()) {
            field.error = Some(s::required(s::LABEL_PASSWORD));
            self.form.focus = Focus::Field(DeleteField::Password);
            return;
        }
        // Taken out of the field: the dialog holds no copy while the worker checks it.
        let password = field.secret_mut().map(|p| p.take()).unwrap_or_default();
        cx.send(s::DELETING, Request::DeleteAccount { password });
    }

    /// The warning's paragraphs.
    fn warning(m: &Model) -> [String; 2] {
        let email = m
            .session
            .as_ref()
            .map(|i| for_display(&i.account.email))
            .unwrap_or_default();
        [s::delete_warning(&email), s::DELETE_ASK_PASSWORD.to_owned()]
    }
}

impl Page for DeleteAccount {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        if action == Action::Back {
            cx.go(Dashboard);
            return;
        }
        if self.form.handle(action) == FormEvent::Submit {
            self.submit(cx);
        }
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        self.form.paste(text);
    }

    /// A refused deletion (the app takes a success).
    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let Response::Count(Err(e)) = response else {
            return;
        };
        self.form.password.clear();
        self.form.focus = Focus::Field(DeleteField::Password);
        match e {
            Error::CurrentPasswordIncorrect => {
                self.form.password.error = Some(format!("{e} {}", s::CAPS_HINT));
            }
            Error::Invalid(errs) => self.form.place_errors(&errs, |_: Field| DeleteField::Password),
            Error::Throttled(wait) => {
                let text = Error::Throttled(wait).to_string();
                cx.lockout(text, Some(cx.now.saturating_add(wait as i64)));
            }
            // The last administrator: nothing to retry here.
            e @ Error::NotAllowed(_) => {
                cx.go(Dashboard);
                cx.flash(FlashKind::Error, e.to_string());
            }
            other => cx.flash(FlashKind::Error, other.to_string()),
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        Dashboard.view(m, f, area);
        let warning = Self::warning(m);
        let text_w = confirm_dialog::text_width(area);
        let input_w = text_w.saturating_sub(LABEL_W);
        let error = self
            .form
            .password
            .error
            .as_deref()
            .map(|e| format!("✗ {}", for_display(e)));
        let error_rows = error
            .as_deref()
            .map_or(0, |e| crate::tui::widgets::text::text_rows(e, input_w, 3));
        let warning_rows: u16 = warning
            .iter()
            .map(|t| confirm_dialog::rows_of(area, t))
            .sum();
        // blank, warning (a blank row between its paragraphs), blank, field, its error,
        // blank, button, blank
        let height = 1 + warning_rows + 1 + 1 + 1 + error_rows + 1 + 1 + 1;
        let inner = confirm_dialog::frame(f, area, s::DELETE_TITLE, height);
        let mut y = inner.y + 1;
        for (i, t) in warning.iter().enumerate() {
            let n = confirm_dialog::rows_of(area, t).min(inner.bottom().saturating_sub(y));
            let style = if i == 0 { bold() } else { Default::default() };
            f.render_widget(
                Paragraph::new(Span::styled(t.clone(), style)).wrap(Wrap { trim: true }),
                Rect::new(inner.x, y, inner.width, n),
            );
            y += n + 1;
        }
        let mut cursor = None;
        if y < inner.bottom() {
            let focused = !self.form.on_button() && !m.help;
            cursor = form::draw_field(f, inner, y, &self.form.password, focused, self.form.reveal);
            y += 1;
        }
        if let Some(e) = error {
            let n = error_rows.min(inner.bottom().saturating_sub(y));
            if n > 0 {
                f.render_widget(
                    Paragraph::new(Span::styled(fit_rows(&e, input_w, n), error_style()))
                        .wrap(Wrap { trim: true }),
                    Rect::new(inner.x + LABEL_W, y, input_w, n),
                );
            }
            y += n;
        }
        y += 1;
        if y < inner.bottom() {
            let on = self.form.on_button() && !m.help;
            let label = format!("[ {} ]", s::DELETE_BUTTON);
            let line = if on {
                Line::from(vec![
                    Span::raw("▸ "),
                    Span::styled(label, focus_style().add_modifier(Modifier::REVERSED)),
                    Span::raw(" ◂"),
                ])
            } else {
                Line::from(Span::styled(label, bold()))
            };
            f.render_widget(
                Paragraph::new(line).alignment(Alignment::Center),
                Rect::new(inner.x, y, inner.width, 1),
            );
        }
        cursor
    }
}

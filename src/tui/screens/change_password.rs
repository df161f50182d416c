//! The change-password screen: the current password, the new one with the strength meter
//! (judged against the account's email and name), and its confirmation. Esc goes back to the
//! dashboard.

use super::dashboard::Dashboard;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{
    self, AnyForm, Fields, Focus, Form, FormEvent, confirm_problem, form_fields,
};
use crate::tui::widgets::meter::MeterState;
use crate::tui::widgets::status::FlashKind;
use crate::{Error, Field, Strength};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

form_fields! {
    /// The change-password form's fields.
    pub struct PasswordFields / PasswordField {
        current: Current,
        new: New,
        confirm: Confirm,
    }
}

#[derive(Debug)]
pub struct ChangePassword {
    pub form: Form<PasswordFields>,
    pub meter: MeterState,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_PASSWORD_SUBMIT,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_PASSWORD_BACK,
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
    title: s::PASSWORD_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_CHANGE,
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

impl Default for ChangePassword {
    fn default() -> Self {
        Self::new()
    }
}

impl ChangePassword {
    pub fn new() -> Self {
        ChangePassword {
            form: Form::new(
                PasswordFields {
                    current: FormField::secret(s::LABEL_CURRENT),
                    new: FormField::secret(s::LABEL_NEW),
                    confirm: FormField::secret(s::LABEL_CONFIRM),
                },
                s::PASSWORD_BUTTON,
            ),
            meter: MeterState::default(),
        }
    }

    /// Checks one field; `submitting` also refuses what is still empty.
    fn validate(&mut self, field: PasswordField, submitting: bool) {
        let f = &self.form;
        let error = match field {
            PasswordField::Current => (submitting
                && f.current.secret_ref().is_some_and(|p| p.is_empty()))
            .then(|| s::required(s::LABEL_CURRENT)),
            PasswordField::New => self.meter.problem(&f.new, submitting),
            PasswordField::Confirm => confirm_problem(&f.new, &f.confirm, submitting),
        };
        self.form.get_mut(field).error = error;
    }

    fn submit(&mut self, cx: &mut Ctx) {
        for &field in PasswordFields::ORDER {
            self.validate(field, true);
        }
        if self.form.focus_first_error() {
            return;
        }
        let take = |f: &FormField| f.secret_ref().map(|p| p.to_password()).unwrap_or_default();
        let (current, new) = (take(&self.form.current), take(&self.form.new));
        cx.send(s::CHANGING, Request::ChangePassword { current, new });
    }
}

impl Page for ChangePassword {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        if action == Action::Back {
            cx.go(Dashboard);
            return;
        }
        match self.form.handle(action) {
            FormEvent::Changed(_) => self.meter.stale = true,
            FormEvent::Left(field) => self.validate(field, false),
            FormEvent::Submit => self.submit(cx),
            FormEvent::Nothing => {}
        }
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        if let FormEvent::Changed(_) = self.form.paste(text) {
            self.meter.stale = true;
        }
    }

    /// A failed change (the app takes a success, and an ended session).
    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let Response::PasswordChanged(Err(e)) = response else {
            return;
        };
        match e {
            Error::Invalid(errs) => self.form.place_errors(&errs, |f| match f {
                Field::CurrentPassword => PasswordField::Current,
                _ => PasswordField::New,
            }),
            Error::CurrentPasswordIncorrect => {
                let current = &mut self.form.current;
                current.clear();
                current.error = Some(format!("{e} {}", s::CAPS_HINT));
                self.form.focus = Focus::Field(PasswordField::Current);
            }
            other => cx.flash(FlashKind::Error, other.to_string()),
        }
    }

    fn refresh(&mut self, cx: &mut Ctx) {
        if !self.meter.stale {
            return;
        }
        // Judged against the account it is for.
        let (email, name) = cx
            .session
            .map(|i| (i.account.email.clone(), i.account.name.clone()))
            .unwrap_or_default();
        if let Some(check) = self
            .meter
            .refresh(&self.form.new, email, name, || cx.next_strength_id())
        {
            cx.check_strength(check);
        }
    }

    fn on_strength(&mut self, id: u64, strength: Strength) {
        let focused = self.form.focus == Focus::Field(PasswordField::New);
        self.meter
            .answer(id, strength, &mut self.form.fields.new, focused);
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        form::draw(
            f,
            area,
            s::PASSWORD_TITLE,
            &self.form,
            Some((PasswordField::New, &self.meter)),
            m.help,
            vec![],
        )
    }
}

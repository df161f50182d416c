//! The signup screen: name, email, password and its confirmation, with the strength meter
//! under the password. Fields are checked as they are left and all again on submit; nothing
//! is written until every one is right. Esc goes back to the login form as it was left,
//! asking first when something was typed here.

use super::login::Login;
use super::recovery_code::RecoveryCode;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::auth::policy::{MAX_EMAIL_CHARS, MAX_NAME_CHARS, validate_email, validate_name};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::confirm::Confirm;
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
    /// The signup form's fields.
    pub struct SignupFields / SignupField {
        name: Name,
        email: Email,
        password: Password,
        confirm: Confirm,
    }
}

#[derive(Debug)]
pub struct Signup {
    pub form: Form<SignupFields>,
    pub meter: MeterState,
    /// The login form this screen came from (without its password), back on Esc.
    back: Option<Box<Login>>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_SIGNUP_SUBMIT,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_SIGNUP_BACK,
    },
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT,
    },
];

pub const INFO: Info = Info {
    title: s::SIGNUP_TITLE,
    authenticated: false,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_CREATE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_BACK,
        },
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

impl Signup {
    /// A blank form; Esc goes back to `back` (the login form it came from).
    pub fn from_login(back: Login) -> Self {
        Signup {
            form: Form::new(
                SignupFields {
                    name: FormField::text(s::LABEL_NAME, MAX_NAME_CHARS),
                    email: FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
                    password: FormField::secret(s::LABEL_PASSWORD),
                    confirm: FormField::secret(s::LABEL_CONFIRM),
                },
                s::SIGNUP_BUTTON,
            ),
            meter: MeterState::default(),
            back: Some(Box::new(back)),
        }
    }

    fn back(&mut self, cx: &mut Ctx) {
        cx.go(self.back.take().map_or_else(Login::new, |b| *b));
    }

    /// Checks one field; `submitting` also refuses what is still empty.
    fn validate(&mut self, field: SignupField, submitting: bool) {
        let f = &self.form;
        let error = match field {
            SignupField::Name => validate_name(f.name.value())
                .err()
                .map(|e| s::describe(s::LABEL_NAME, &e)),
            SignupField::Email => validate_email(f.email.value())
                .err()
                .map(|e| s::describe(s::LABEL_EMAIL, &e)),
            SignupField::Password => self.meter.problem(&f.password, submitting),
            SignupField::Confirm => confirm_problem(&f.password, &f.confirm, submitting),
        };
        self.form.get_mut(field).error = error;
    }

    fn submit(&mut self, cx: &mut Ctx) {
        for &field in SignupFields::ORDER {
            self.validate(field, true);
        }
        if self.form.focus_first_error() {
            return;
        }
        let f = &self.form;
        let request = Request::Signup {
            email: f.email.value().to_owned(),
            name: f.name.value().to_owned(),
            password: f
                .password
                .secret_ref()
                .map(|p| p.to_password())
                .unwrap_or_default(),
        };
        cx.send(s::CREATING, request);
    }
}

impl Page for Signup {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Back if self.form.has_input() => cx.ask(Confirm::DISCARD),
            Action::Back | Action::Yes => self.back(cx),
            action => match self.form.handle(action) {
                // Every edit asks the meter again (the name and the email are its context).
                FormEvent::Changed(_) => self.meter.stale = true,
                FormEvent::Left(field) => self.validate(field, false),
                FormEvent::Submit => self.submit(cx),
                FormEvent::Nothing => {}
            },
        }
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        if let FormEvent::Changed(_) = self.form.paste(text) {
            self.meter.stale = true;
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        match response {
            Response::Signup(Ok((account, code))) => {
                // The vault's recovery code first, acknowledged; then the login form.
                cx.go(RecoveryCode::after_signup(&code, &account.email));
            }
            Response::Signup(Err(Error::Invalid(errs))) => {
                self.form.place_errors(&errs, |f| match f {
                    Field::Name => SignupField::Name,
                    Field::Email => SignupField::Email,
                    _ => SignupField::Password,
                })
            }
            Response::Signup(Err(e @ Error::EmailTaken)) => {
                // A sentence of its own ("An account with this email already exists…").
                self.form.email.error = Some(e.to_string());
                self.form.focus = Focus::Field(SignupField::Email);
            }
            Response::Signup(Err(other)) => cx.flash(FlashKind::Error, other.to_string()),
            _ => {}
        }
    }

    fn refresh(&mut self, cx: &mut Ctx) {
        if !self.meter.stale {
            return;
        }
        let f = &self.form;
        let (email, name) = (f.email.value().to_owned(), f.name.value().to_owned());
        if let Some(check) = self
            .meter
            .refresh(&f.password, email, name, || cx.next_strength_id())
        {
            cx.check_strength(check);
        }
    }

    fn on_strength(&mut self, id: u64, strength: Strength) {
        let focused = self.form.focus == Focus::Field(SignupField::Password);
        self.meter
            .answer(id, strength, &mut self.form.fields.password, focused);
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        form::draw(
            f,
            area,
            s::SIGNUP_TITLE,
            &self.form,
            Some((SignupField::Password, &self.meter)),
            m.help,
            vec![],
        )
    }
}

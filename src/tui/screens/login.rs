//! The login screen: email and password. Enter in Email goes on to Password (a stray Enter is
//! no attempt); an empty field is refused on the form, so the store and the throttle never see
//! it. Ctrl-N goes to signup, keeping the email typed so far (not the password).

use super::reset::Reset;
use super::signup::Signup;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::auth::policy::MAX_EMAIL_CHARS;
use crate::tui::app::Model;
use crate::tui::keys::{self, Action, FORM_ROWS, COMMON_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{self, AnyForm, Focus, Form, FormEvent, form_fields};
use crate::tui::widgets::{bold, dim};
use crate::{Error, Field};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

form_fields! {
    /// The login form's fields.
    pub struct LoginFields / LoginField {
        email: Email,
        password: Password,
    }
}

#[derive(Debug)]
pub struct Login {
    pub form: Form<LoginFields>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_LOGIN_SUBMIT,
    },
    Row {
        keys: &[(Layer::Login, Action::Signup)],
        what: s::HELP_SIGNUP,
    },
    Row {
        keys: &[(Layer::Login, Action::Reset)],
        what: s::HELP_RESET,
    },
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT,
    },
];

pub const INFO: Info = Info {
    title: s::LOGIN_TITLE,
    authenticated: false,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Login, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_LOG_IN,
        },
        Hint {
            key: (Layer::Login, Action::Signup),
            what: s::FOOT_SIGN_UP,
        },
        Hint {
            key: (Layer::Login, Action::Reset),
            what: s::FOOT_RESET,
        },
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

impl Default for Login {
    fn default() -> Self {
        Self::new()
    }
}

impl Login {
    /// A blank form, focus on Email: what the next person finds after a logout or an expiry.
    pub fn new() -> Self {
        Login {
            form: Form::new(
                LoginFields {
                    email: FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
                    password: FormField::secret(s::LABEL_PASSWORD),
                },
                s::LOGIN_BUTTON,
            ),
        }
    }

    /// The form with `email` filled in (a new account's), focus on Password.
    pub fn with_email(email: &str) -> Self {
        let mut login = Self::new();
        login.form.email.set_text(email);
        login.form.focus = Focus::Field(LoginField::Password);
        login
    }

    fn submit(&mut self, cx: &mut Ctx) {
        let form = &mut self.form;
        // Enter in Email goes on to Password (as ly and tuigreet do): a stray Enter is no
        // attempt.
        if form.focus == Focus::Field(LoginField::Email) {
            form.focus = Focus::Field(LoginField::Password);
            return;
        }
        let email = form.email.value().trim().to_owned();
        if email.is_empty() {
            form.email.error = Some(s::required(s::LABEL_EMAIL));
        }
        if form.password.secret_ref().is_some_and(|p| p.is_empty()) {
            // Refused here: the worker, the store and the throttle never see it.
            form.password.error = Some(s::required(s::LABEL_PASSWORD));
        }
        if form.focus_first_error() {
            return;
        }
        let password = form
            .password
            .secret_mut()
            .map(|p| p.take())
            .unwrap_or_default();
        cx.send(s::VERIFYING, Request::Login { email, password });
    }
}

impl Page for Login {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        if action == Action::Signup {
            // The email typed so far comes back with Esc; the password does not wait meanwhile.
            let mut login = std::mem::take(self);
            login.form.clear_secrets();
            cx.go(Signup::from_login(login));
            return;
        }
        if action == Action::Reset {
            // As for signup: the email typed so far goes along and comes back with Esc.
            let mut login = std::mem::take(self);
            login.form.clear_secrets();
            cx.go(Reset::from_login(login));
            return;
        }
        if self.form.handle(action) == FormEvent::Submit {
            self.submit(cx);
        }
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        self.form.paste(text);
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let Response::Login(Err(e)) = response else {
            return;
        };
        self.form.clear_secrets();
        self.form.focus = Focus::Field(LoginField::Password);
        if let Error::Invalid(errs) = &e {
            self.form.place_errors(errs, |f| match f {
                Field::Email => LoginField::Email,
                _ => LoginField::Password,
            });
            return;
        }
        let ends = match &e {
            Error::Throttled(wait) => Some(cx.now.saturating_add(*wait as i64)),
            _ => None,
        };
        let text = match e {
            Error::InvalidCredentials => format!("{e} {}", s::CAPS_HINT),
            other => other.to_string(),
        };
        cx.lockout(text, ends);
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let new_here = Line::from(vec![
            Span::styled(s::NEW_HERE, dim()),
            Span::styled(keys::first((Layer::Login, Action::Signup)), bold()),
            Span::styled(s::CREATES_AN_ACCOUNT, dim()),
        ]);
        let forgot = Line::from(vec![
            Span::styled(s::FORGOT, dim()),
            Span::styled(keys::first((Layer::Login, Action::Reset)), bold()),
        ]);
        form::draw(
            f,
            area,
            s::LOGIN_TITLE,
            &self.form,
            None,
            m.help,
            vec![new_here, forgot],
        )
    }
}

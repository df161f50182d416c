//! The reset form, for a forgotten password or a first login: the email, the one-time code an
//! administrator gave, and the new password with its confirmation, with the strength meter
//! (judged against the email typed) under the new password. The code is a secret: masked like
//! a password, held in a zeroizing buffer and wiped with the form. Success goes back to the
//! login form with the email filled in; a wrong, used or expired code gets one message, under
//! the code. Esc goes back to the login form as it was left, asking first when something was
//! typed here.

use super::login::Login;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::auth::policy::MAX_EMAIL_CHARS;
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::dim;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{
    self, AnyForm, Fields, Focus, Form, FormEvent, confirm_problem, form_fields,
};
use crate::tui::widgets::meter::MeterState;
use crate::tui::widgets::status::FlashKind;
use crate::{Error, Field, Strength};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

/// The most characters the code field takes: a code is 28 letters and digits, and people may
/// type it with dashes or spaces between its groups.
pub const MAX_CODE_CHARS: usize = 64;

form_fields! {
    /// The reset form's fields.
    pub struct ResetFields / ResetField {
        email: Email,
        code: Code,
        new: New,
        confirm: Confirm,
    }
}

#[derive(Debug)]
pub struct Reset {
    pub form: Form<ResetFields>,
    pub meter: MeterState,
    /// The login form this screen came from (without its password), back on Esc.
    back: Option<Box<Login>>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_RESET_SUBMIT,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_RESET_BACK,
    },
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT,
    },
];

pub const INFO: Info = Info {
    title: s::RESET_TITLE,
    authenticated: false,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_SET_PASSWORD,
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

impl Reset {
    /// The form with the email typed on the login form (focus on Code if there is one); Esc
    /// goes back to `back`.
    pub fn from_login(back: Login) -> Self {
        let mut code = FormField::secret(s::LABEL_CODE);
        code.max_chars = MAX_CODE_CHARS;
        let mut form = Form::new(
            ResetFields {
                email: FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
                code,
                new: FormField::secret(s::LABEL_NEW),
                confirm: FormField::secret(s::LABEL_CONFIRM),
            },
            s::RESET_BUTTON,
        );
        let email = back.form.email.value().trim().to_owned();
        if !email.is_empty() {
            form.email.set_text(&email);
            form.focus = Focus::Field(ResetField::Code);
        }
        Reset {
            form,
            meter: MeterState::default(),
            back: Some(Box::new(back)),
        }
    }

    fn back(&mut self, cx: &mut Ctx) {
        cx.go(self.back.take().map_or_else(Login::new, |b| *b));
    }

    /// Checks one field; `submitting` also refuses what is still empty.
    fn validate(&mut self, field: ResetField, submitting: bool) {
        let f = &self.form;
        let empty = |field: &FormField| {
            field.value().trim().is_empty() && field.secret_ref().is_none_or(|p| p.is_empty())
        };
        let error = match field {
            ResetField::Email => {
                (submitting && empty(&f.email)).then(|| s::required(s::LABEL_EMAIL))
            }
            ResetField::Code => (submitting && empty(&f.code)).then(|| s::required(s::LABEL_CODE)),
            ResetField::New => self.meter.problem(&f.new, submitting),
            ResetField::Confirm => confirm_problem(&f.new, &f.confirm, submitting),
        };
        self.form.get_mut(field).error = error;
    }

    fn submit(&mut self, cx: &mut Ctx) {
        for &field in ResetFields::ORDER {
            self.validate(field, true);
        }
        if self.form.focus_first_error() {
            return;
        }
        let f = &self.form;
        let take = |f: &FormField| f.secret_ref().map(|p| p.to_password()).unwrap_or_default();
        let request = Request::ResetPassword {
            email: f.email.value().trim().to_owned(),
            code: take(&f.code),
            new: take(&f.new),
        };
        cx.send(s::SETTING_PASSWORD, request);
    }
}

impl Page for Reset {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Back if self.form.has_input() => cx.ask(Confirm::DISCARD),
            Action::Back | Action::Yes => self.back(cx),
            action => match self.form.handle(action) {
                // The email is the meter's context: every edit asks it again.
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
        let Response::Count(result) = response else {
            return;
        };
        match result {
            Ok(ended) => {
                let email = self.form.email.value().trim().to_owned();
                cx.go(Login::with_email(&email));
                cx.flash(FlashKind::Success, s::password_set(ended));
            }
            Err(Error::Invalid(errs)) => self.form.place_errors(&errs, |f| match f {
                Field::Email => ResetField::Email,
                Field::Code => ResetField::Code,
                _ => ResetField::New,
            }),
            Err(e @ Error::InvalidResetCode) => {
                // One message for a wrong, used or expired code; the code is wiped, the new
                // password kept for the next try.
                let code = &mut self.form.code;
                code.clear();
                code.error = Some(e.to_string());
                self.form.focus = Focus::Field(ResetField::Code);
            }
            Err(Error::Throttled(wait)) => {
                let text = Error::Throttled(wait).to_string();
                cx.lockout(text, Some(cx.now.saturating_add(wait as i64)));
            }
            Err(other) => cx.flash(FlashKind::Error, other.to_string()),
        }
    }

    fn refresh(&mut self, cx: &mut Ctx) {
        if !self.meter.stale {
            return;
        }
        // Judged against the email typed: the account's name is not known before the code is
        // checked (the core checks it then).
        let email = self.form.email.value().to_owned();
        if let Some(check) =
            self.meter
                .refresh(&self.form.new, email, String::new(), || cx.next_strength_id())
        {
            cx.check_strength(check);
        }
    }

    fn on_strength(&mut self, id: u64, strength: Strength) {
        let focused = self.form.focus == Focus::Field(ResetField::New);
        self.meter
            .answer(id, strength, &mut self.form.fields.new, focused);
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let ask = Line::from(Span::styled(s::RESET_ASK, dim()));
        let seals = Line::from(Span::styled(s::RESET_SEALS, dim()));
        form::draw(
            f,
            area,
            s::RESET_TITLE,
            &self.form,
            Some((ResetField::New, &self.meter)),
            m.help,
            vec![ask, seals],
        )
    }
}

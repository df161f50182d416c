//! The vault locked (`L` on the vault, or a session from an earlier run, whose key this
//! process never held): the password unlocks it, one Argon2 run. Esc goes to the account
//! panel; the session stays.

use super::dashboard::Dashboard;
use super::recovery_code::RecoveryCode;
use super::sealed::Sealed;
use super::vault::Vault;
use super::{Ctx, Info, Page};
use crate::Error;
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{self, AnyForm, Focus, Form, FormEvent, form_fields};
use crate::tui::widgets::status::FlashKind;
use crate::vault::VaultOpened;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;

form_fields! {
    /// The password that unlocks the vault.
    pub struct UnlockFields / UnlockField {
        password: Password,
    }
}

#[derive(Debug)]
pub struct Unlock {
    pub form: Form<UnlockFields>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_UNLOCK_SUBMIT,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_TO_ACCOUNT,
    },
    Row {
        keys: &[(Layer::Session, Action::Logout)],
        what: s::HELP_LOG_OUT,
    },
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT_AT_ONCE,
    },
];

pub const INFO: Info = Info {
    title: s::UNLOCK_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_UNLOCK,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_ACCOUNT,
        },
        LOGOUT_HINT,
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

impl Default for Unlock {
    fn default() -> Self {
        Self::new()
    }
}

impl Unlock {
    pub fn new() -> Self {
        Unlock {
            form: Form::new(
                UnlockFields {
                    password: FormField::secret(s::LABEL_PASSWORD),
                },
                s::UNLOCK_BUTTON,
            ),
        }
    }
}

impl Page for Unlock {
    fn form(&self) -> Option<&dyn AnyForm> {
        Some(&self.form)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        if action == Action::Back {
            self.form.clear_secrets();
            cx.go(Dashboard);
            return;
        }
        if self.form.handle(action) != FormEvent::Submit {
            return;
        }
        let Some(p) = self.form.password.secret_mut() else {
            return;
        };
        if p.is_empty() {
            self.form.password.error = Some(s::required(s::LABEL_PASSWORD));
            self.form.focus = Focus::Field(UnlockField::Password);
            return;
        }
        let password = p.take();
        cx.send(s::UNLOCKING, Request::Unlock { password });
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        self.form.paste(text);
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let Response::VaultOpened(r) = response else {
            return;
        };
        match r {
            Ok(VaultOpened::Open) => {
                cx.go(Vault::new());
                cx.send(s::LOADING_ENTRIES, Request::VaultEntries);
            }
            Ok(VaultOpened::Created(code)) => cx.go(RecoveryCode::for_vault(&code)),
            Ok(VaultOpened::Sealed) => cx.go(Sealed::new()),
            Ok(VaultOpened::Damaged(why)) | Err(Error::VaultDamaged(why)) => {
                cx.go(Vault::damaged(why))
            }
            Err(e @ (Error::CurrentPasswordIncorrect | Error::InvalidCredentials)) => {
                let _ = e;
                self.form.password.error = Some(format!("{} {}", s::PASSWORD_WRONG, s::CAPS_HINT));
                self.form.focus = Focus::Field(UnlockField::Password);
            }
            Err(e @ (Error::Throttled(_) | Error::Invalid(_))) => {
                self.form.password.error = Some(e.to_string());
                self.form.focus = Focus::Field(UnlockField::Password);
            }
            Err(e) => cx.flash(FlashKind::Error, e.to_string()),
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        form::draw(
            f,
            area,
            s::UNLOCK_TITLE,
            &self.form,
            None,
            m.help,
            vec![Line::raw(""), Line::from(s::UNLOCK_WHAT)],
        )
    }
}

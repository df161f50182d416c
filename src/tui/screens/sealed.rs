//! A sealed vault: the password was reset with a code, so the password no longer opens the
//! vault's key. Two forms, switched with Ctrl-D: the recovery code and the password open it
//! (`RecoverVault`); or the password and the word DISCARD typed give it up (`DiscardVault`),
//! after which the new vault's recovery code is shown. Esc goes to the account panel.

use super::dashboard::Dashboard;
use super::recovery_code::RecoveryCode;
use super::vault::Vault;
use super::{Ctx, Info, Page};
use crate::Error;
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, FORM_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{self, AnyForm, Focus, Form, FormEvent, form_fields};
use crate::tui::widgets::status::FlashKind;
use crate::tui::widgets::{bold, dim};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

form_fields! {
    /// Opening with the recovery code.
    pub struct RecoverFields / RecoverField {
        code: Code,
        password: Password,
    }
}

form_fields! {
    /// Giving the vault up.
    pub struct DiscardFields / DiscardField {
        password: Password,
        word: Word,
    }
}

#[derive(Debug)]
pub struct Sealed {
    pub recover: Form<RecoverFields>,
    pub discard: Form<DiscardFields>,
    /// Whether the discard form shows.
    pub discarding: bool,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Form, Action::Submit)],
        what: s::HELP_SEALED_SUBMIT,
    },
    Row {
        keys: &[(Layer::Sealed, Action::SwitchForm)],
        what: s::HELP_SEALED_SWITCH,
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
    title: s::SEALED_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: true,
    layers: &[Layer::Sealed, Layer::Back, Layer::Form, Layer::Field],
    help: &[HELP, FORM_ROWS, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_RECOVER,
        },
        Hint {
            key: (Layer::Sealed, Action::SwitchForm),
            what: s::FOOT_DISCARD_MODE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_ACCOUNT,
        },
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

/// The discard form's footer.
pub const DISCARD_INFO: Info = Info {
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_DISCARD_VAULT,
        },
        Hint {
            key: (Layer::Sealed, Action::SwitchForm),
            what: s::FOOT_RECOVER_MODE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_ACCOUNT,
        },
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

impl Default for Sealed {
    fn default() -> Self {
        Self::new()
    }
}

impl Sealed {
    pub fn new() -> Self {
        Sealed {
            recover: Form::new(
                RecoverFields {
                    code: FormField::text(s::LABEL_RECOVERY_CODE, 64),
                    password: FormField::secret(s::LABEL_PASSWORD),
                },
                s::BUTTON_RECOVER,
            ),
            discard: Form::new(
                DiscardFields {
                    password: FormField::secret(s::LABEL_PASSWORD),
                    word: FormField::text(s::LABEL_TYPE_DISCARD, 16),
                },
                s::BUTTON_DISCARD,
            ),
            discarding: false,
        }
    }

    fn submit_recover(&mut self, cx: &mut Ctx) {
        let f = &mut self.recover;
        if f.code.value().trim().is_empty() {
            f.code.error = Some(s::required(s::LABEL_RECOVERY_CODE));
        }
        if f.password.secret_ref().is_some_and(|p| p.is_empty()) {
            f.password.error = Some(s::required(s::LABEL_PASSWORD));
        }
        if f.focus_first_error() {
            return;
        }
        let code = crate::Password::from(f.code.value().trim());
        let password = f
            .password
            .secret_mut()
            .map(|p| p.take())
            .unwrap_or_default();
        cx.send(s::RECOVERING, Request::RecoverVault { password, code });
    }

    fn submit_discard(&mut self, cx: &mut Ctx) {
        let f = &mut self.discard;
        if f.password.secret_ref().is_some_and(|p| p.is_empty()) {
            f.password.error = Some(s::required(s::LABEL_PASSWORD));
        }
        if f.word.value().trim() != s::DISCARD_WORD {
            f.word.error = Some(s::TYPE_DISCARD.to_owned());
        }
        if f.focus_first_error() {
            return;
        }
        let password = f
            .password
            .secret_mut()
            .map(|p| p.take())
            .unwrap_or_default();
        cx.send(s::DISCARDING, Request::DiscardVault { password });
    }

    /// A wrong password, or another refusal, under the password field of the form showing.
    fn refused(&mut self, e: Error, cx: &mut Ctx) {
        let text = match &e {
            Error::CurrentPasswordIncorrect | Error::InvalidCredentials => {
                format!("{} {}", s::PASSWORD_WRONG, s::CAPS_HINT)
            }
            Error::Throttled(_) | Error::Invalid(_) => e.to_string(),
            _ => return cx.flash(FlashKind::Error, e.to_string()),
        };
        if self.discarding {
            self.discard.password.error = Some(text);
            self.discard.focus = Focus::Field(DiscardField::Password);
        } else {
            self.recover.password.error = Some(text);
            self.recover.focus = Focus::Field(RecoverField::Password);
        }
    }
}

impl Page for Sealed {
    fn form(&self) -> Option<&dyn AnyForm> {
        if self.discarding {
            Some(&self.discard)
        } else {
            Some(&self.recover)
        }
    }

    fn info_now(&self, _: Option<&crate::SessionInfo>) -> Option<&'static Info> {
        self.discarding.then_some(&DISCARD_INFO)
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::SwitchForm => {
                self.recover.clear_secrets();
                self.discard.clear_secrets();
                self.discarding = !self.discarding;
            }
            Action::Back => {
                self.recover.clear_secrets();
                self.discard.clear_secrets();
                cx.go(Dashboard);
            }
            action if self.discarding => {
                if self.discard.handle(action) == FormEvent::Submit {
                    self.submit_discard(cx);
                }
            }
            action => {
                if self.recover.handle(action) == FormEvent::Submit {
                    self.submit_recover(cx);
                }
            }
        }
    }

    fn on_paste(&mut self, text: String, _: &mut Ctx) {
        if self.discarding {
            self.discard.paste(text);
        } else {
            self.recover.paste(text);
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        match response {
            Response::Count(Ok(_)) => {
                cx.go(Vault::new());
                cx.send(s::LOADING_ENTRIES, Request::VaultEntries);
                cx.flash(FlashKind::Success, s::VAULT_RECOVERED);
            }
            Response::Count(Err(Error::InvalidRecoveryCode)) => {
                self.recover.code.error = Some(s::RECOVERY_CODE_WRONG.to_owned());
                self.recover.focus = Focus::Field(RecoverField::Code);
            }
            Response::Count(Err(e)) | Response::ResetCode(Err(e)) => self.refused(e, cx),
            Response::ResetCode(Ok(code)) => cx.go(RecoveryCode::after_discard(&code)),
            _ => {}
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let key = |a| crate::tui::keys::first((Layer::Sealed, a));
        let mut extra = vec![
            Line::raw(""),
            Line::from(Span::styled(s::SEALED_WHAT, bold())),
        ];
        if self.discarding {
            extra.push(Line::from(s::SEALED_DISCARD_WHAT));
            extra.push(Line::from(s::SEALED_DISCARD_LOST));
            extra.push(Line::from(vec![
                Span::styled(key(Action::SwitchForm), bold()),
                Span::styled(format!(" {}", s::FOOT_RECOVER_MODE), dim()),
            ]));
            form::draw(f, area, s::SEALED_TITLE, &self.discard, None, m.help, extra)
        } else {
            extra.push(Line::from(s::SEALED_RECOVER));
            extra.push(Line::from(vec![
                Span::styled(key(Action::SwitchForm), bold()),
                Span::styled(format!(": {}", s::SEALED_DISCARD_WHAT), dim()),
            ]));
            form::draw(f, area, s::SEALED_TITLE, &self.recover, None, m.help, extra)
        }
    }
}

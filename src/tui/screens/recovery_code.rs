//! The vault's recovery code, shown once: after a signup, after the login that created the
//! vault (an account from before the vault), and after a sealed vault is discarded. It must be
//! acknowledged with Enter on "I have written it down"; Esc does not close it but says how.
//! The code's text lives only here and is wiped in place when the dialog closes (and when the
//! screen is dropped: a session ending meanwhile).

use super::admin::ShownCode;
use super::login::Login;
use super::vault::Vault;
use super::{Ctx, Info, Page};
use crate::SessionInfo;
use crate::ResetCode;
use crate::api::Request;
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, Hint, Layer, QUESTION_MARK_ROW, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::dialog::{self, DialogView};
use crate::tui::widgets::bold;
use crate::tui::widgets::status::FlashKind;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

/// Where the acknowledged dialog goes.
#[derive(Debug)]
enum Next {
    /// After a signup: the login form with the new account's email.
    Login { email: String },
    /// After a login or a discard: the vault (its entries loaded).
    Vault { flash: Option<&'static str> },
}

#[derive(Debug)]
pub struct RecoveryCode {
    code: ShownCode,
    next: Next,
}

impl Drop for RecoveryCode {
    fn drop(&mut self) {
        self.code.wipe();
    }
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Dialog, Action::Submit)],
        what: s::HELP_RECOVERY_DONE,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_RECOVERY_ESC,
    },
    QUESTION_MARK_ROW,
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT_AT_ONCE,
    },
];

/// After a signup (no session yet).
pub const INFO: Info = Info {
    title: s::RECOVERY_TITLE,
    authenticated: false,
    admin: false,
    hashes_password: false,
    layers: &[Layer::Dialog, Layer::Back],
    help: &[HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Dialog, Action::Submit),
            what: s::FOOT_WRITTEN,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
};

/// Behind a login (Ctrl-O logs out).
pub const AUTH_INFO: Info = Info {
    authenticated: true,
    help: &[
        HELP,
        &[Row {
            keys: &[(Layer::Session, Action::Logout)],
            what: s::HELP_LOG_OUT,
        }],
        COMMON_ROWS,
    ],
    ..INFO
};

impl RecoveryCode {
    /// After a signup of `email`.
    pub fn after_signup(code: &ResetCode, email: &str) -> Self {
        RecoveryCode {
            code: ShownCode::new(code.grouped()),
            next: Next::Login {
                email: email.to_owned(),
            },
        }
    }

    /// After the login that created the vault.
    pub fn for_vault(code: &ResetCode) -> Self {
        RecoveryCode {
            code: ShownCode::new(code.grouped()),
            next: Next::Vault { flash: None },
        }
    }

    /// After a sealed vault was discarded.
    pub fn after_discard(code: &ResetCode) -> Self {
        RecoveryCode {
            code: ShownCode::new(code.grouped()),
            next: Next::Vault {
                flash: Some(s::VAULT_DISCARDED),
            },
        }
    }

    /// Whether the code is still held (not wiped).
    pub fn holds_code(&self) -> bool {
        !self.code.is_empty()
    }

    /// The code as shown (tests check it is the one that opens the vault).
    pub fn shown(&self) -> &str {
        self.code.expose()
    }
}

impl Page for RecoveryCode {
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Submit => {
                self.code.wipe();
                match &self.next {
                    Next::Login { email } => {
                        cx.go(Login::with_email(email));
                        cx.flash(FlashKind::Success, s::ACCOUNT_CREATED);
                    }
                    Next::Vault { flash } => {
                        cx.go(Vault::new());
                        cx.send(s::LOADING_ENTRIES, Request::VaultEntries);
                        if let Some(text) = flash {
                            cx.flash(FlashKind::Success, *text);
                        }
                    }
                }
            }
            // Not silently: the code would be lost for good.
            Action::Back => cx.flash(FlashKind::Error, s::RECOVERY_ESC),
            _ => {}
        }
    }

    fn info_now(&self, _: Option<&SessionInfo>) -> Option<&'static Info> {
        Some(match self.next {
            Next::Login { .. } => &INFO,
            Next::Vault { .. } => &AUTH_INFO,
        })
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let view = DialogView {
            title: s::RECOVERY_TITLE,
            text: vec![
                Line::from(s::RECOVERY_WHAT),
                Line::raw(""),
                Line::from(Span::styled(self.code.expose().to_owned(), bold())).centered(),
                Line::raw(""),
                Line::from(s::RECOVERY_WRITE),
                Line::raw(""),
                Line::from(Span::styled(s::RECOVERY_ONCE, bold())),
            ],
            field: None,
            buttons: vec![(s::BUTTON_WRITTEN, !m.help)],
            keys: None,
        };
        dialog::draw(f, area, &view)
    }
}

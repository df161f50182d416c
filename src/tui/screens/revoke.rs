//! The dialog that asks before ending sessions, drawn over the sessions list: one session (the
//! selected one), or every other one. The focus starts on Cancel; Tab / ← → move it, Enter
//! chooses, Esc cancels. Ending this terminal's own session is a logout.

use super::sessions::Sessions;
use super::{Ctx, Info, Page};
use crate::admin::SessionEntry;
use crate::api::Request;
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, Hint, Layer, QUESTION_MARK_ROW, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::confirm_dialog::{self, Button, Labels};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

/// What the dialog asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// One session; `current`: this terminal's.
    One { id: i64, current: bool },
    /// Every session but this one (how many there are).
    Others(usize),
}

#[derive(Debug)]
pub struct Revoke {
    pub ending: Ending,
    pub focus: Button,
    /// The list it was opened from, back on Esc, Cancel or once the request is sent.
    back: Option<Box<Sessions>>,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Choice, Action::NextField), (Layer::Choice, Action::PrevField)],
        what: s::HELP_DIALOG_MOVE,
    },
    Row {
        keys: &[(Layer::Dialog, Action::Submit)],
        what: s::HELP_DIALOG_CHOOSE,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_DIALOG_CANCEL,
    },
    Row {
        keys: &[(Layer::Session, Action::Logout)],
        what: s::HELP_LOG_OUT,
    },
    QUESTION_MARK_ROW,
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT_STAY,
    },
];

pub const INFO: Info = Info {
    title: s::SESSIONS_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: false,
    layers: &[Layer::Back, Layer::Choice, Layer::Dialog],
    help: &[HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Dialog, Action::Submit),
            what: s::FOOT_CHOOSE,
        },
        Hint {
            key: (Layer::Choice, Action::NextField),
            what: s::FOOT_MOVE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_CANCEL,
        },
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

impl Revoke {
    /// Asks before ending `entry`.
    pub fn one(back: Sessions, entry: &SessionEntry) -> Self {
        Self::new(
            back,
            Ending::One {
                id: entry.id,
                current: entry.current,
            },
        )
    }

    /// Asks before ending the `n` other sessions.
    pub fn others(back: Sessions, n: usize) -> Self {
        Self::new(back, Ending::Others(n))
    }

    fn new(back: Sessions, ending: Ending) -> Self {
        Revoke {
            ending,
            focus: Button::Cancel,
            back: Some(Box::new(back)),
        }
    }

    fn back(&mut self, cx: &mut Ctx) {
        cx.go(*self.back.take().unwrap_or_default());
    }

    /// The dialog's title, its text and its confirm button.
    fn texts(&self) -> (&'static str, String, &'static str) {
        match self.ending {
            Ending::One { current: true, .. } => (
                s::REVOKE_TITLE,
                s::REVOKE_CURRENT_QUESTION.to_owned(),
                s::REVOKE_CURRENT_BUTTON,
            ),
            Ending::One { id, .. } => (s::REVOKE_TITLE, s::revoke_question(id), s::REVOKE_BUTTON),
            Ending::Others(n) => (
                s::REVOKE_OTHERS_TITLE,
                s::revoke_others_question(n),
                s::REVOKE_OTHERS_BUTTON,
            ),
        }
    }
}

impl Page for Revoke {
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::NextField | Action::PrevField => self.focus = self.focus.toggled(),
            Action::Back => self.back(cx),
            Action::Submit if self.focus == Button::Cancel => self.back(cx),
            Action::Submit => {
                // Back to the list, which gets the answer (and lists again).
                self.back(cx);
                match self.ending {
                    // This terminal's session: a logout, which the app takes.
                    Ending::One { current: true, .. } => cx.send(s::LOGGING_OUT, Request::Logout),
                    Ending::One { id, .. } => cx.send(s::REVOKING, Request::RevokeSession { id }),
                    Ending::Others(_) => cx.send(s::REVOKING, Request::RevokeOtherSessions),
                }
            }
            _ => {}
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        if let Some(list) = &self.back {
            list.view(m, f, area);
        }
        let (title, text, confirm) = self.texts();
        let labels = Labels {
            cancel: s::CANCEL,
            confirm,
        };
        confirm_dialog::draw(f, area, title, &[text], labels, self.focus);
        None
    }
}

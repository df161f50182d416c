//! A yes/no question in the status line (the footer then shows only its answers and the way
//! out). The screen that asked gets [`Action::Yes`](super::super::keys::Action::Yes); no
//! closes the question.

use super::super::keys::{self, Action, Hint, Layer};
use super::super::strings as s;
use crate::tui::keys::QUIT_HINT;

/// A question being asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirm {
    pub question: &'static str,
    /// What yes and no do, in the footer.
    pub yes: &'static str,
    pub no: &'static str,
}

impl Confirm {
    /// Esc on a form with something typed: "Discard what you typed?"
    pub const DISCARD: Confirm = Confirm {
        question: s::DISCARD_QUESTION,
        yes: s::FOOT_DISCARD,
        no: s::FOOT_KEEP_TYPING,
    };

    /// The question with its answers' keys: "Discard what you typed? y / n".
    pub fn text(&self) -> String {
        s::question(
            self.question,
            &keys::first((Layer::Confirm, Action::Yes)),
            &keys::first((Layer::Confirm, Action::No)),
        )
    }

    /// The footer while it is asked.
    pub fn footer(&self) -> [Hint; 3] {
        [
            Hint {
                key: (Layer::Confirm, Action::Yes),
                what: self.yes,
            },
            Hint {
                key: (Layer::Confirm, Action::No),
                what: self.no,
            },
            QUIT_HINT,
        ]
    }
}

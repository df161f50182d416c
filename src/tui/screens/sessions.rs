//! The sessions list: every live session of the account, with its id, when it started, when
//! it was last used and when it ends, the session of this terminal marked. `r` ends the
//! selected one and `o` all others, each after a dialog whose focus is on Cancel
//! ([`super::revoke`]). Esc goes back to the dashboard.

use super::dashboard::Dashboard;
use super::revoke::Revoke;
use super::{Ctx, Info, Page};
use crate::admin::SessionEntry;
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, Hint, Layer, QUESTION_MARK_ROW, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::listing::{self, Column, ListRow, Listing, PAGE};
use crate::tui::widgets::status::FlashKind;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

#[derive(Debug, Default)]
pub struct Sessions {
    /// The sessions, once the store answered.
    pub list: Vec<SessionEntry>,
    pub selected: usize,
}

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::List, Action::RowDown), (Layer::List, Action::RowUp)],
        what: s::HELP_LIST_MOVE,
    },
    Row {
        keys: &[(Layer::List, Action::PageDown), (Layer::List, Action::PageUp)],
        what: s::HELP_LIST_PAGE,
    },
    Row {
        keys: &[(Layer::Sessions, Action::Revoke)],
        what: s::HELP_REVOKE,
    },
    Row {
        keys: &[(Layer::Sessions, Action::RevokeOthers)],
        what: s::HELP_REVOKE_OTHERS,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_BACK_DASHBOARD,
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
    layers: &[Layer::Back, Layer::Sessions, Layer::List],
    help: &[HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Sessions, Action::Revoke),
            what: s::FOOT_REVOKE,
        },
        Hint {
            key: (Layer::Sessions, Action::RevokeOthers),
            what: s::FOOT_REVOKE_OTHERS,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_BACK,
        },
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

const COLUMNS: &[Column] = &[
    Column {
        title: s::COL_ID,
        width: 7,
    },
    Column {
        title: s::COL_STARTED,
        width: 12,
    },
    Column {
        title: s::COL_LAST_USED,
        width: 12,
    },
    Column {
        title: s::COL_EXPIRES,
        width: 12,
    },
    Column {
        title: "",
        width: 0,
    },
];

impl Sessions {
    /// Opens the list and asks the store for it.
    pub fn open(cx: &mut Ctx) {
        cx.go(Sessions::default());
        cx.send(s::LOADING_SESSIONS, Request::Sessions);
    }

    pub fn selected_entry(&self) -> Option<&SessionEntry> {
        self.list.get(self.selected)
    }

    /// How many sessions `o` would end.
    pub fn others(&self) -> usize {
        self.list.iter().filter(|e| !e.current).count()
    }

    fn select(&mut self, by: isize) {
        self.selected = listing::moved(self.selected, by, self.list.len());
    }
}

impl Page for Sessions {
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Back => cx.go(Dashboard),
            Action::RowDown => self.select(1),
            Action::RowUp => self.select(-1),
            Action::PageDown => self.select(PAGE as isize),
            Action::PageUp => self.select(-(PAGE as isize)),
            Action::Revoke => {
                if let Some(entry) = self.selected_entry().cloned() {
                    cx.go(Revoke::one(std::mem::take(self), &entry));
                }
            }
            Action::RevokeOthers => match self.others() {
                0 => cx.flash(FlashKind::Info, s::NO_OTHER_SESSIONS),
                n => cx.go(Revoke::others(std::mem::take(self), n)),
            },
            _ => {}
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        match response {
            Response::Sessions(Ok(list)) => {
                // The selection stays on the same session when it is still there.
                let id = self.selected_entry().map(|e| e.id);
                self.selected = id
                    .and_then(|id| list.iter().position(|e| e.id == id))
                    .unwrap_or(0)
                    .min(list.len().saturating_sub(1));
                self.list = list;
            }
            Response::Sessions(Err(e)) => cx.flash(FlashKind::Error, e.to_string()),
            // A revocation (sent from the dialog): say how many ended, and list again.
            Response::Count(r) => {
                match r {
                    Ok(n) => cx.flash(FlashKind::Success, s::sessions_ended(n)),
                    Err(e) => cx.flash(FlashKind::Error, e.to_string()),
                }
                cx.send(s::LOADING_SESSIONS, Request::Sessions);
            }
            _ => {}
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let rows: Vec<ListRow> = self
            .list
            .iter()
            .map(|e| ListRow {
                cells: vec![
                    e.id.to_string(),
                    listing::short_time(e.created_at, &m.tz),
                    listing::short_time(e.last_seen_at, &m.tz),
                    listing::short_time(e.expires_at, &m.tz),
                    if e.current {
                        s::CURRENT_SESSION.to_owned()
                    } else {
                        String::new()
                    },
                ],
                style: Style::default(),
            })
            .collect();
        let caption = s::sessions_caption(self.list.len(), &listing::zone_name(m.now(), &m.tz));
        listing::draw(
            f,
            area,
            &Listing {
                title: s::SESSIONS_TITLE,
                columns: COLUMNS,
                rows: &rows,
                selected: self.selected,
                empty: s::NO_SESSIONS,
                caption: &caption,
            },
        );
        None
    }
}

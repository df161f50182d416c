//! The history: the account's recent security events, newest first, each with its time,
//! action and outcome, and who acted when it was not the user (an administrator) or whom the
//! user's action was about. Failed and refused events are highlighted: marked `✗` and drawn in
//! the error style, so they stand out without colour too. Esc goes back to the dashboard.

use super::dashboard::Dashboard;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::auth::policy::normalize_email;
use crate::storage::{AuditEvent, event_email};
use crate::tui::app::Model;
use crate::tui::keys::{Action, COMMON_ROWS, Hint, Layer, QUESTION_MARK_ROW, Row};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::error_style;
use crate::tui::widgets::listing::{self, Column, ListRow, Listing, PAGE};
use crate::tui::widgets::status::FlashKind;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

/// How many events the history asks for.
pub const HISTORY_LIMIT: usize = 50;

#[derive(Debug, Default)]
pub struct History {
    /// The events, newest first, once the store answered.
    pub events: Vec<AuditEvent>,
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
    title: s::HISTORY_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: false,
    layers: &[Layer::Back, Layer::List],
    help: &[HELP, COMMON_ROWS],
    footer: &[
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
        title: "",
        width: 2,
    },
    Column {
        title: s::COL_TIME,
        width: 17,
    },
    Column {
        title: s::COL_ACTION,
        width: 16,
    },
    Column {
        title: s::COL_OUTCOME,
        width: 10,
    },
    Column {
        title: s::COL_WHO,
        width: 0,
    },
];

impl History {
    /// Opens the history and asks the store for it.
    pub fn open(cx: &mut Ctx) {
        cx.go(History::default());
        cx.send(
            s::LOADING_HISTORY,
            Request::History {
                limit: HISTORY_LIMIT,
            },
        );
    }

    fn select(&mut self, by: isize) {
        self.selected = listing::moved(self.selected, by, self.events.len());
    }
}

/// Whether the event failed or was refused (everything but "success").
pub fn failed(e: &AuditEvent) -> bool {
    e.parts().1 != "success"
}

/// The "by / on" cell: who acted when it was not `me` (an event email), else whom my action
/// was about when it was not me; empty for my own actions on my account.
pub fn who(e: &AuditEvent, me: &str) -> String {
    if e.actor != me && !e.actor.is_empty() {
        s::by_other(&e.actor)
    } else if e.target != me && !e.target.is_empty() {
        s::on_other(&e.target)
    } else {
        String::new()
    }
}

impl Page for History {
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Back => cx.go(Dashboard),
            Action::RowDown => self.select(1),
            Action::RowUp => self.select(-1),
            Action::PageDown => self.select(PAGE as isize),
            Action::PageUp => self.select(-(PAGE as isize)),
            _ => {}
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        match response {
            Response::Events(Ok(events)) => {
                self.selected = 0;
                self.events = events;
            }
            Response::Events(Err(e)) => cx.flash(FlashKind::Error, e.to_string()),
            _ => {}
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        let me = m
            .session
            .as_ref()
            .map(|i| event_email(&normalize_email(&i.account.email)))
            .unwrap_or_default();
        let rows: Vec<ListRow> = self
            .events
            .iter()
            .map(|e| {
                let (action, outcome) = e.parts();
                let bad = failed(e);
                ListRow {
                    cells: vec![
                        if bad { "✗" } else { "" }.to_owned(),
                        listing::date_time(e.at, &m.tz),
                        action.to_owned(),
                        outcome.to_owned(),
                        who(e, &me),
                    ],
                    style: if bad { error_style() } else { Style::default() },
                }
            })
            .collect();
        let failures = self.events.iter().filter(|e| failed(e)).count();
        let caption = s::history_caption(
            self.events.len(),
            failures,
            &listing::zone_name(m.now(), &m.tz),
        );
        listing::draw(
            f,
            area,
            &Listing {
                title: s::HISTORY_TITLE,
                columns: COLUMNS,
                rows: &rows,
                selected: self.selected,
                empty: s::NO_EVENTS,
                caption: &caption,
            },
        );
        None
    }
}

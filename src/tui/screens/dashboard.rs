//! The dashboard: who is logged in, since when, until when the session lasts, and a warning
//! when someone failed to log in as this account since the last login. `p` changes the
//! password, `l` logs out, `q` quits (the session stays).

use super::admin::Admin;
use super::change_password::ChangePassword;
use super::delete_account::DeleteAccount;
use super::history::History;
use super::sessions::Sessions;
use super::vault::Vault;
use super::{Ctx, Info, Page};
use crate::LoginReport;
use crate::{Role, SessionInfo};
use crate::sanitize::for_display;
use crate::timefmt::{duration, local, local_time};
use crate::tui::app::Model;
use crate::tui::keys::{self, Action, COMMON_ROWS, Hint, Layer, Row};
use crate::tui::keys::{HELP_HINT, QUIT_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::text::{ellipsize, text_rows};
use crate::tui::widgets::{CARD_W, bold, card, dim};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The dashboard has no state of its own: it shows the session the app holds.
#[derive(Debug)]
pub struct Dashboard;

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Dashboard, Action::ToVault)],
        what: s::HELP_TO_VAULT,
    },
    Row {
        keys: &[(Layer::Dashboard, Action::ChangePassword)],
        what: s::HELP_CHANGE_PASSWORD,
    },
    Row {
        keys: &[
            (Layer::Dashboard, Action::Logout),
            (Layer::Session, Action::Logout),
        ],
        what: s::HELP_LOG_OUT,
    },
    Row {
        keys: &[(Layer::Dashboard, Action::Sessions)],
        what: s::HELP_SESSIONS,
    },
    Row {
        keys: &[(Layer::Dashboard, Action::History)],
        what: s::HELP_HISTORY,
    },
    Row {
        keys: &[(Layer::Dashboard, Action::DeleteAccount)],
        what: s::HELP_DELETE_ACCOUNT,
    },
    Row {
        keys: &[(Layer::Dashboard, Action::Quit)],
        what: s::HELP_QUIT_STAY,
    },
    keys::QUESTION_MARK_ROW,
    Row {
        keys: &[(Layer::Always, Action::Quit)],
        what: s::HELP_QUIT_AT_ONCE,
    },
];

pub const INFO: Info = Info {
    title: s::DASHBOARD_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: false,
    layers: &[Layer::Dashboard],
    help: &[HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Dashboard, Action::ToVault),
            what: s::FOOT_TO_VAULT,
        },
        Hint {
            key: (Layer::Dashboard, Action::Sessions),
            what: s::FOOT_SESSIONS,
        },
        Hint {
            key: (Layer::Dashboard, Action::History),
            what: s::FOOT_HISTORY,
        },
        Hint {
            key: (Layer::Dashboard, Action::ChangePassword),
            what: s::FOOT_CHANGE_PASSWORD,
        },
        Hint {
            key: (Layer::Dashboard, Action::Logout),
            what: s::FOOT_LOG_OUT,
        },
        Hint {
            key: (Layer::Dashboard, Action::Quit),
            what: s::FOOT_QUIT_STAY,
        },
        Hint {
            key: (Layer::Dashboard, Action::DeleteAccount),
            what: s::FOOT_DELETE_ACCOUNT,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
};

const ADMIN_HELP: &[Row] = &[Row {
    keys: &[(Layer::DashboardAdmin, Action::OpenAdmin)],
    what: s::HELP_OPEN_ADMIN,
}];

/// The dashboard of an administrator: `a` opens the administration (its key and its hint
/// exist only there).
pub const ADMIN_INFO: Info = Info {
    layers: &[Layer::DashboardAdmin, Layer::Dashboard],
    help: &[ADMIN_HELP, HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Dashboard, Action::ToVault),
            what: s::FOOT_TO_VAULT,
        },
        Hint {
            key: (Layer::DashboardAdmin, Action::OpenAdmin),
            what: s::FOOT_OPEN_ADMIN,
        },
        Hint {
            key: (Layer::Dashboard, Action::ChangePassword),
            what: s::FOOT_CHANGE_PASSWORD,
        },
        Hint {
            key: (Layer::Dashboard, Action::Logout),
            what: s::FOOT_LOG_OUT,
        },
        Hint {
            key: (Layer::Dashboard, Action::Quit),
            what: s::FOOT_QUIT_STAY,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

fn is_admin(session: Option<&SessionInfo>) -> bool {
    session.is_some_and(|i| i.account.role == Role::Admin)
}

impl Page for Dashboard {
    /// Logging out and quitting are the app's; the rest opens the dashboard's screens.
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::ChangePassword => cx.go(ChangePassword::new()),
            Action::Sessions => Sessions::open(cx),
            Action::History => History::open(cx),
            Action::DeleteAccount => cx.go(DeleteAccount::new()),
            Action::ToVault => {
                cx.go(Vault::new());
                cx.send(s::LOADING_ENTRIES, crate::api::Request::VaultEntries);
            }
            _ => {}
        }
        if action == Action::OpenAdmin && is_admin(cx.session) {
            let admin = Admin::open(cx);
            cx.go(admin);
        }
    }

    fn info_now(&self, session: Option<&SessionInfo>) -> Option<&'static Info> {
        is_admin(session).then_some(&ADMIN_INFO)
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        // The width `card` leaves for text: its borders and a column of padding on each side.
        let inner_w = CARD_W.min(area.width.saturating_sub(2)).saturating_sub(4);
        // Long names and emails wrap and the card grows; when even that does not fit, they are
        // shortened to one row each with "…".
        let full = lines(m, None);
        let rows = |lines: &[Line]| -> u16 {
            lines
                .iter()
                .map(|l| {
                    let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    text_rows(&text, inner_w, u16::MAX)
                })
                .sum()
        };
        // A blank row above and below the text, and the borders.
        let lines = if rows(&full) + 4 <= area.height {
            full
        } else {
            lines(m, Some(inner_w))
        };
        let inner = card(f, area, s::DASHBOARD_TITLE, rows(&lines) + 2);
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect::new(
                inner.x,
                inner.y + 1,
                inner.width,
                inner.height.saturating_sub(1),
            ),
        );
        None
    }
}

/// The dashboard's rows; with `shorten`, the name and the email are cut to fit that width.
fn lines(m: &Model, shorten: Option<u16>) -> Vec<Line<'static>> {
    let Some(info) = &m.session else {
        return vec![];
    };
    let a = &info.account;
    let row = |k: &str, v: String| {
        Line::from(vec![Span::styled(format!("{k:<17}"), dim()), Span::raw(v)])
    };
    let fit = |text: String, used: u16| match shorten {
        Some(w) => ellipsize(&text, w.saturating_sub(used)),
        None => text,
    };
    let mut lines = vec![
        Line::from(Span::styled(fit(s::welcome(&for_display(&a.name)), 0), bold())),
        Line::raw(""),
        row(s::ROW_EMAIL, fit(for_display(&a.email), 17)),
        row(s::ROW_ROLE, a.role.as_str().to_owned()),
        row(s::ROW_MEMBER_SINCE, local(a.created_at, &m.tz)),
    ];
    match &m.report {
        Some(r) => lines.push(row(
            s::ROW_PREVIOUS_LOGIN,
            r.previous_login_at.map_or_else(
                || s::FIRST_LOGIN.to_owned(),
                |t| local(t, &m.tz),
            ),
        )),
        None => lines.push(row(s::ROW_LOGGED_IN_AT, local(info.created_at, &m.tz))),
    }
    // Absolute times: they stay true without redrawing every minute.
    lines.push(row(
        s::ROW_SESSION_ENDS,
        s::ends_if_idle(
            &local_time(info.idle_expires_at, &m.tz),
            &duration(m.idle_secs()),
        ),
    ));
    lines.push(row("", s::at_the_latest(&local(info.absolute_expires_at, &m.tz))));
    if let Some(r) = &m.report {
        lines.extend(attempts_warning(r, m.password_changed));
    }
    lines
}

/// The warning about failed logins (and refusals while locked) since the previous login, with
/// advice to change the password unless that was done since.
fn attempts_warning(r: &LoginReport, changed: bool) -> Vec<Line<'static>> {
    let (failed, throttled) = (r.failed_attempts, r.throttled_attempts);
    if failed == 0 && throttled == 0 {
        return vec![];
    }
    let advice = (!changed).then(|| keys::first((Layer::Dashboard, Action::ChangePassword)));
    let texts = s::attempts_warning(
        failed,
        throttled,
        r.previous_login_at.is_none(),
        advice.as_deref(),
    );
    let warn = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::raw("")];
    for (i, t) in texts.into_iter().enumerate() {
        let style = if i == 0 {
            warn.add_modifier(Modifier::REVERSED)
        } else {
            warn
        };
        lines.push(Line::from(Span::styled(t, style)));
    }
    lines
}

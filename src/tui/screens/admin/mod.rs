//! The administration (issue 15), for administrators: `a` on the dashboard opens it.
//!
//! Two tabs (Tab / Shift-Tab): the accounts and the audit log. Each is a window of as many rows
//! as fit ([`window`]), loaded with keyset queries, so a store of 100,000 accounts costs what
//! one screenful does. `/` filters as you type: every change asks for the first page and the
//! counts again, without locking the screen, and an answer to a request that a newer one
//! replaced is dropped (the worker answers in order, so answers are counted per kind).
//!
//! Actions on the selected account go through the keymap (`d`, `e`, `u`, `+`, `-`, `x`, `r`,
//! Delete). The destructive ones ask first in a dialog with the focus on Cancel; a delete asks
//! to type the email. When the core wants the password again (a delete, a reset code), a
//! dialog asks for it and the action is retried. A reset code is shown once and wiped when
//! its dialog closes. What the screen declares (keys, help, footer) follows what it shows:
//! the table, the filter being typed, or a dialog ([`Page::info_now`]).

mod dialog;
mod draw;
pub mod window;

pub use dialog::{Choice, Dialog, ReauthField, ReauthFields, ShownCode, day, parse_expiry};

use super::dashboard::Dashboard;
use super::{Ctx, Info, Page};
use crate::admin::AdminOp;
use crate::api::{Request, Response};
use crate::auth::policy::{MAX_EMAIL_CHARS, normalize_email};
use crate::storage::{AccountCounts, AccountSort};
use crate::tui::app::Model;
use crate::tui::keys::{Action, CHOICE_ROW, CHOOSE_HINT, COMMON_ROWS, FORM_ROWS, Hint, Layer, PRESS_ROW, QUESTION_MARK_ROW, Row, RowAction, SWITCH_HINT};
use crate::tui::keys::{HELP_HINT, LOGOUT_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::field::{Edited, FormField};
use crate::tui::widgets::form::{AnyForm, Focus, FormEvent};
use crate::tui::widgets::status::FlashKind;
use crate::{Error, SessionInfo};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use std::collections::VecDeque;
use tui_input::InputRequest;
use window::{AccountsWindow, AuditWindow, Load, Step};

/// The most moves kept while a page loads (a key held down).
const MAX_QUEUED: usize = 64;

/// Rows of the body that are not the table's: the tabs, the filter, the column names, the
/// counts and the keys of the selected row.
pub const CHROME_ROWS: u16 = 5;

/// How many rows a window holds in a terminal of `size` (the header, a one-row status line
/// and the footer take three).
pub fn table_rows(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(3 + CHROME_ROWS)).max(1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Accounts,
    Audit,
}

/// An action sent to the core, waiting for its answer (the screen is locked meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Op { email: String, op: AdminOp },
    ResetCode { email: String },
}

impl Pending {
    fn request(&self) -> (&'static str, Request) {
        match self {
            Pending::Op { email, op } => (
                doing(*op),
                Request::Admin {
                    email: email.clone(),
                    op: *op,
                },
            ),
            Pending::ResetCode { email } => (
                s::ISSUING_CODE,
                Request::IssueResetCode {
                    email: email.clone(),
                },
            ),
        }
    }

    /// Why the password is asked again for it.
    pub fn reauth_reason(&self) -> String {
        s::reauth_reason(match self {
            Pending::Op { .. } => s::REAUTH_FOR_DELETE,
            Pending::ResetCode { .. } => s::REAUTH_FOR_CODE,
        })
    }
}

fn doing(op: AdminOp) -> &'static str {
    match op {
        AdminOp::Disable => s::DISABLING,
        AdminOp::Enable => s::ENABLING,
        AdminOp::Unlock => s::UNLOCKING,
        AdminOp::Promote => s::PROMOTING,
        AdminOp::Demote => s::DEMOTING,
        AdminOp::Expire(_) => s::SETTING_EXPIRY,
        AdminOp::Delete => s::ADMIN_DELETING,
    }
}

/// What an action did, for the flash: "is disabled", "expires on 2027-01-31".
fn done(op: AdminOp) -> String {
    match op {
        AdminOp::Disable => s::DONE_DISABLED.into(),
        AdminOp::Enable => s::DONE_ENABLED.into(),
        AdminOp::Unlock => s::DONE_UNLOCKED.into(),
        AdminOp::Promote => s::DONE_PROMOTED.into(),
        AdminOp::Demote => s::DONE_DEMOTED.into(),
        AdminOp::Expire(Some(t)) => s::done_expires(&day(t)),
        AdminOp::Expire(None) => s::DONE_NEVER_EXPIRES.into(),
        AdminOp::Delete => s::DONE_DELETED.into(),
    }
}

/// Answers of one kind, counted: the worker answers in order, so the n-th answer of a kind is
/// to the n-th request of it, and only the answer to the latest one is used.
#[derive(Debug, Default)]
struct Seq {
    sent: u64,
    answered: u64,
}

impl Seq {
    fn send(&mut self) {
        self.sent += 1;
    }
    /// An answer came: whether it is to the latest request.
    fn answer(&mut self) -> bool {
        self.answered += 1;
        self.answered == self.sent
    }
    fn waiting(&self) -> bool {
        self.answered < self.sent
    }
}

/// Keeps a move made while a page loads, up to [`MAX_QUEUED`].
fn queue(queued: &mut VecDeque<Action>, action: Action) {
    if queued.len() < MAX_QUEUED {
        queued.push_back(action);
    }
}

/// Where a move goes in a window of `len` rows with `selected` in it: within the window
/// (`None`, done), or the load that moves the window.
fn step(selected: &mut usize, len: usize, at_start: bool, action: Action) -> Option<Load> {
    match action {
        Action::RowDown if *selected + 1 < len => {
            *selected += 1;
            None
        }
        Action::RowDown => Some(Load::Next(Step::Row)),
        Action::RowUp if *selected > 0 => {
            *selected -= 1;
            None
        }
        Action::RowUp if at_start => None,
        Action::RowUp => Some(Load::Prev(Step::Row)),
        Action::PageDown => Some(Load::Next(Step::Page)),
        Action::PageUp if at_start => {
            *selected = 0;
            None
        }
        Action::PageUp => Some(Load::Prev(Step::Page)),
        Action::FirstPage => Some(Load::First),
        Action::LastPage => Some(Load::Last),
        _ => None,
    }
}

/// The accounts tab.
#[derive(Debug)]
pub struct AccountsTab {
    pub filter: FormField,
    pub sort: AccountSort,
    pub window: AccountsWindow,
    pub counts: Option<AccountCounts>,
    users: Seq,
    counts_seq: Seq,
    /// What the latest page asked for is for.
    load: Option<Load>,
    /// Moves asked while a page was on its way (keys typed fast, or held): made in order
    /// when it comes.
    queued: VecDeque<Action>,
}

/// The audit tab.
#[derive(Debug)]
pub struct AuditTab {
    pub filter: FormField,
    pub window: AuditWindow,
    events: Seq,
    load: Option<Load>,
    queued: VecDeque<Action>,
}

#[derive(Debug)]
pub struct Admin {
    pub tab: Tab,
    /// The filter of the tab showing has the focus.
    pub filtering: bool,
    pub dialog: Option<Dialog>,
    /// Boxed: the screen is one of the app's screens, and they are kept small.
    pub accounts: Box<AccountsTab>,
    pub audit: Box<AuditTab>,
    /// The action the screen is locked for.
    action: Option<Pending>,
    /// Esc came while answers were on their way: back to the dashboard once they are in (an
    /// answer must not reach a screen opened after this one).
    leaving: bool,
    /// Rows a window holds.
    h: usize,
    /// The administrator's own email, normalized: an action on oneself may end one's rights.
    me: String,
}

impl Admin {
    /// The administration, its first page and counts asked for.
    pub fn open(cx: &mut Ctx) -> Self {
        let mut a = Admin {
            tab: Tab::Accounts,
            filtering: false,
            dialog: None,
            accounts: Box::new(AccountsTab {
                filter: FormField::text(s::LABEL_FILTER, MAX_EMAIL_CHARS),
                sort: AccountSort::Email,
                window: AccountsWindow::default(),
                counts: None,
                users: Seq::default(),
                counts_seq: Seq::default(),
                load: None,
                queued: VecDeque::new(),
            }),
            audit: Box::new(AuditTab {
                filter: FormField::text(s::LABEL_FILTER, MAX_EMAIL_CHARS),
                window: AuditWindow::default(),
                events: Seq::default(),
                load: None,
                queued: VecDeque::new(),
            }),
            action: None,
            leaving: false,
            h: table_rows(cx.size),
            me: cx
                .session
                .map(|i| normalize_email(&i.account.email))
                .unwrap_or_default(),
        };
        a.load_accounts(Load::First, cx);
        a.count_accounts(cx);
        a
    }

    /// Rows a window holds now.
    pub fn window_rows(&self) -> usize {
        self.h
    }

    /// Whether an answer is still on its way.
    fn waiting(&self) -> bool {
        self.accounts.users.waiting()
            || self.accounts.counts_seq.waiting()
            || self.audit.events.waiting()
            || self.action.is_some()
            || self.checking_password()
    }

    fn checking_password(&self) -> bool {
        matches!(self.dialog, Some(Dialog::Reauth { checking: true, .. }))
    }

    /// Whether a one-time code is held (shown in its dialog).
    pub fn holds_code(&self) -> bool {
        matches!(&self.dialog, Some(Dialog::Code { code, .. }) if !code.is_empty())
    }

    fn load_accounts(&mut self, load: Load, cx: &mut Ctx) {
        let t = &mut self.accounts;
        let Some(q) = t.window.query(load, t.filter.value().trim(), t.sort, self.h) else {
            return;
        };
        t.users.send();
        t.load = Some(load);
        cx.query(Request::Users(q));
    }

    fn count_accounts(&mut self, cx: &mut Ctx) {
        let t = &mut self.accounts;
        t.counts_seq.send();
        cx.query(Request::UserCounts {
            filter: t.filter.value().trim().to_owned(),
        });
    }

    fn load_audit(&mut self, load: Load, cx: &mut Ctx) {
        let t = &mut self.audit;
        let Some(q) = t.window.query(load, t.filter.value(), self.h) else {
            return;
        };
        t.events.send();
        t.load = Some(load);
        cx.query(Request::Audit(q));
    }

    /// The filter changed: the first page (and for accounts the counts) again.
    fn filter_changed(&mut self, cx: &mut Ctx) {
        match self.tab {
            Tab::Accounts => {
                self.accounts.queued.clear();
                self.load_accounts(Load::First, cx);
                self.count_accounts(cx);
            }
            Tab::Audit => {
                self.audit.queued.clear();
                self.load_audit(Load::First, cx);
            }
        }
    }

    /// The rows of the tab showing again, where they are.
    fn reload(&mut self, cx: &mut Ctx) {
        match self.tab {
            Tab::Accounts if self.accounts.window.loaded => self.load_accounts(Load::Reload, cx),
            Tab::Accounts => self.load_accounts(Load::First, cx),
            Tab::Audit if self.audit.window.loaded => self.load_audit(Load::Reload, cx),
            Tab::Audit => self.load_audit(Load::First, cx),
        }
    }

    fn leave(&mut self, cx: &mut Ctx) {
        if self.waiting() {
            self.leaving = true;
        } else {
            cx.go(Dashboard);
        }
    }

    /// After each answer: leave if that was the last one awaited, and keep the screen locked
    /// while the action it waits for is still on its way.
    fn after_answer(&mut self, cx: &mut Ctx) {
        if self.leaving && !self.waiting() {
            cx.go(Dashboard);
            return;
        }
        if let Some(p) = &self.action {
            cx.still_busy(p.request().0);
        } else if self.checking_password() {
            cx.still_busy(s::CHECKING_PASSWORD);
        }
    }

    /// Moves in the table showing: in the window, or by loading the next or previous rows.
    /// A move made while a page loads waits its turn.
    fn nav(&mut self, action: Action, cx: &mut Ctx) {
        match self.tab {
            Tab::Accounts => {
                let t = &mut self.accounts;
                if t.users.waiting() {
                    queue(&mut t.queued, action);
                    return;
                }
                let w = &mut t.window;
                let (len, start) = (w.rows.len(), w.at_start());
                if let Some(load) = step(&mut w.selected, len, start, action) {
                    self.load_accounts(load, cx);
                }
            }
            Tab::Audit => {
                let t = &mut self.audit;
                if t.events.waiting() {
                    queue(&mut t.queued, action);
                    return;
                }
                let w = &mut t.window;
                let (len, start) = (w.rows.len(), w.at_start());
                // The audit log is read from the newest: it has no last page.
                if action == Action::LastPage {
                    return;
                }
                if let Some(load) = step(&mut w.selected, len, start, action) {
                    self.load_audit(load, cx);
                }
            }
        }
    }

    /// Makes the moves asked while a page loaded, in order, until one needs another page.
    fn replay(&mut self, cx: &mut Ctx) {
        loop {
            let (queued, waiting) = match self.tab {
                Tab::Accounts => (&mut self.accounts.queued, self.accounts.users.waiting()),
                Tab::Audit => (&mut self.audit.queued, self.audit.events.waiting()),
            };
            if waiting {
                return;
            }
            let Some(action) = queued.pop_front() else {
                return;
            };
            self.nav(action, cx);
        }
    }

    fn switch_tab(&mut self, cx: &mut Ctx) {
        self.tab = match self.tab {
            Tab::Accounts => Tab::Audit,
            Tab::Audit => Tab::Accounts,
        };
        self.accounts.queued.clear();
        self.audit.queued.clear();
        // What happened meanwhile (an action just taken) shows.
        self.reload(cx);
        if self.tab == Tab::Accounts {
            self.count_accounts(cx);
        }
    }

    fn sort(&mut self, cx: &mut Ctx) {
        let t = &mut self.accounts;
        t.sort = match t.sort {
            AccountSort::Email => AccountSort::Name,
            AccountSort::Name => AccountSort::Newest,
            AccountSort::Newest => AccountSort::Email,
        };
        t.queued.clear();
        self.load_accounts(Load::First, cx);
    }

    /// An action on the selected account: at once, or after a dialog.
    fn on_row(&mut self, act: RowAction, cx: &mut Ctx) {
        if self.tab != Tab::Accounts {
            return;
        }
        let Some(row) = self.accounts.window.selected_row() else {
            return;
        };
        let email = row.account.email.clone();
        let op = |op| Pending::Op {
            email: email.clone(),
            op,
        };
        match act {
            RowAction::Disable => self.dialog = Some(Dialog::confirm(AdminOp::Disable, email)),
            RowAction::Demote => self.dialog = Some(Dialog::confirm(AdminOp::Demote, email)),
            RowAction::Enable => self.run(op(AdminOp::Enable), cx),
            RowAction::Unlock => self.run(op(AdminOp::Unlock), cx),
            RowAction::Promote => self.run(op(AdminOp::Promote), cx),
            RowAction::Expire => {
                let now = row.account.expires_at.map(day);
                self.dialog = Some(Dialog::expire(email, now));
            }
            RowAction::ResetCode => self.run(Pending::ResetCode { email }, cx),
            RowAction::Delete => self.dialog = Some(Dialog::delete(email)),
        }
    }

    /// Sends an action; the screen is locked until its answer.
    fn run(&mut self, p: Pending, cx: &mut Ctx) {
        let (doing, request) = p.request();
        self.action = Some(p);
        cx.send(doing, request);
    }

    fn on_filter(&mut self, action: Action, cx: &mut Ctx) {
        let field = match self.tab {
            Tab::Accounts => &mut self.accounts.filter,
            Tab::Audit => &mut self.audit.filter,
        };
        match action {
            Action::Submit => self.filtering = false,
            Action::Back => {
                self.filtering = false;
                if !field.value().is_empty() {
                    field.clear();
                    self.filter_changed(cx);
                }
            }
            Action::Edit(req) if edit(field, req) => self.filter_changed(cx),
            _ => {}
        }
    }

    fn on_dialog(&mut self, action: Action, cx: &mut Ctx) {
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        if action == Action::Back {
            // Cancel: nothing is done; a code or a password typed is wiped.
            dialog.wipe();
            self.dialog = None;
            return;
        }
        match dialog {
            Dialog::Confirm { op, email, focus } => match action {
                Action::NextField | Action::PrevField => {
                    *focus = match focus {
                        Choice::Cancel => Choice::Confirm,
                        Choice::Confirm => Choice::Cancel,
                    };
                }
                Action::Submit => {
                    let go = *focus == Choice::Confirm;
                    let p = Pending::Op {
                        email: std::mem::take(email),
                        op: *op,
                    };
                    self.dialog = None;
                    if go {
                        self.run(p, cx);
                    }
                }
                _ => {}
            },
            Dialog::Delete { email, field } => match action {
                Action::Edit(req) => {
                    edit(field, req);
                }
                Action::Submit => {
                    if normalize_email(field.value().trim()) == normalize_email(email.trim()) {
                        let p = Pending::Op {
                            email: std::mem::take(email),
                            op: AdminOp::Delete,
                        };
                        self.dialog = None;
                        self.run(p, cx);
                    } else {
                        field.error = Some(s::email_mismatch(email));
                    }
                }
                _ => {}
            },
            Dialog::Expire { email, field, .. } => match action {
                Action::Edit(req) => {
                    edit(field, req);
                }
                Action::Submit => match parse_expiry(field.value()) {
                    // Clearing an expiry takes nothing away: no question.
                    Some(None) => {
                        let p = Pending::Op {
                            email: std::mem::take(email),
                            op: AdminOp::Expire(None),
                        };
                        self.dialog = None;
                        self.run(p, cx);
                    }
                    Some(at) => {
                        self.dialog =
                            Some(Dialog::confirm(AdminOp::Expire(at), std::mem::take(email)));
                    }
                    None => field.error = Some(s::EXPIRE_BAD_DAY.into()),
                },
                _ => {}
            },
            Dialog::Reauth { form, checking, .. } => {
                if form.handle(action) != FormEvent::Submit {
                    return;
                }
                let Some(p) = form.password.secret_mut() else {
                    return;
                };
                if p.is_empty() {
                    form.password.error = Some(s::required(s::LABEL_PASSWORD));
                    form.focus = Focus::Field(ReauthField::Password);
                    return;
                }
                let password = p.take();
                *checking = true;
                cx.send(s::CHECKING_PASSWORD, Request::Reauthenticate { password });
            }
            Dialog::Code { code, .. } => {
                if action == Action::Submit {
                    code.wipe();
                    self.dialog = None;
                }
            }
        }
    }

    /// The answer to an action: a flash, and the page and counts again; an action that
    /// ends the administrator's own rights or session goes back to the dashboard instead.
    fn on_done(&mut self, p: Pending, r: Result<usize, Error>, cx: &mut Ctx) {
        let Pending::Op { email, op } = p else {
            return;
        };
        let ended = match r {
            Err(Error::ReauthRequired) => {
                self.dialog = Some(Dialog::reauth(Pending::Op { email, op }));
                return;
            }
            Err(e) => {
                cx.flash(FlashKind::Error, e.to_string());
                None
            }
            Ok(n) => Some(n),
        };
        let mine = normalize_email(email.trim()) == self.me;
        let ends_mine = ended.is_some()
            && mine
            && match op {
                AdminOp::Demote | AdminOp::Disable | AdminOp::Delete => true,
                AdminOp::Expire(Some(t)) => t <= cx.now,
                _ => false,
            };
        if ends_mine {
            // The lists would now be refused: the app asks the store what is left of the
            // session (its answer goes to the app: the role, or the login screen).
            cx.query(Request::Session { refresh: false });
            self.leave(cx);
        } else {
            self.reload(cx);
            self.count_accounts(cx);
        }
        if let Some(n) = ended {
            let mut text = s::admin_done(&email, &done(op), n);
            if ends_mine && op == AdminOp::Demote {
                text = format!("{text}. {}", s::DEMOTED);
            }
            cx.flash(FlashKind::Success, text);
        }
    }

    /// The answer to the password asked again.
    fn on_reauth(&mut self, r: Result<usize, Error>, cx: &mut Ctx) {
        let Some(Dialog::Reauth {
            form,
            then,
            checking,
        }) = self.dialog.as_mut()
        else {
            return;
        };
        *checking = false;
        let field = &mut form.password;
        match r {
            Ok(_) => {
                let then = then.clone();
                self.dialog = None;
                self.run(then, cx);
            }
            Err(Error::CurrentPasswordIncorrect) => {
                field.clear();
                field.error = Some(format!("{} {}", s::REAUTH_WRONG, s::CAPS_HINT));
                form.focus = Focus::Field(ReauthField::Password);
            }
            Err(e @ (Error::Throttled(_) | Error::Invalid(_))) => {
                field.clear();
                field.error = Some(e.to_string());
                form.focus = Focus::Field(ReauthField::Password);
            }
            Err(e) => {
                self.dialog = None;
                cx.flash(FlashKind::Error, e.to_string());
            }
        }
    }

    /// A list could not be read: not an administrator any more (back to the dashboard), the
    /// session gone (the app is asked), or the store.
    fn list_error(&mut self, e: Error, cx: &mut Ctx) {
        let text = e.to_string();
        match e {
            Error::NotAllowed(_) => {
                cx.query(Request::Session { refresh: false });
                self.leave(cx);
            }
            Error::NoSession => cx.query(Request::Session { refresh: false }),
            _ => {}
        }
        cx.flash(FlashKind::Error, text);
    }
}

/// Applies an editing key to a plain field; whether its text changed.
fn edit(field: &mut FormField, req: InputRequest) -> bool {
    match field.handle(req) {
        Edited::Changed => {
            field.error = None;
            true
        }
        Edited::TooLong => {
            field.error = Some(s::too_long(field.label, field.max_chars));
            false
        }
        Edited::Unchanged => false,
    }
}

impl Page for Admin {
    fn form(&self) -> Option<&dyn AnyForm> {
        match &self.dialog {
            Some(Dialog::Reauth { form, .. }) => Some(form),
            _ => None,
        }
    }

    fn text_focus(&self) -> bool {
        match &self.dialog {
            Some(Dialog::Delete { .. } | Dialog::Expire { .. }) => true,
            Some(Dialog::Reauth { form, .. }) => !form.on_button(),
            Some(_) => false,
            None => self.filtering,
        }
    }

    fn info_now(&self, _: Option<&SessionInfo>) -> Option<&'static Info> {
        Some(match (&self.dialog, self.filtering, self.tab) {
            (Some(d), _, _) => d.info(),
            (None, true, _) => &FILTER_INFO,
            (None, false, Tab::Accounts) => &INFO,
            (None, false, Tab::Audit) => &AUDIT_INFO,
        })
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        if self.leaving {
            return;
        }
        if self.dialog.is_some() {
            return self.on_dialog(action, cx);
        }
        if self.filtering {
            return self.on_filter(action, cx);
        }
        match action {
            Action::Back => self.leave(cx),
            Action::NextTab | Action::PrevTab => self.switch_tab(cx),
            Action::Filter => self.filtering = true,
            Action::Sort if self.tab == Tab::Accounts => self.sort(cx),
            Action::RowUp
            | Action::RowDown
            | Action::PageUp
            | Action::PageDown
            | Action::FirstPage
            | Action::LastPage => self.nav(action, cx),
            Action::OnRow(act) => self.on_row(act, cx),
            _ => {}
        }
    }

    fn on_paste(&mut self, text: String, cx: &mut Ctx) {
        let field = match self.dialog.as_mut() {
            Some(Dialog::Reauth { form, .. }) => {
                form.paste(text);
                return;
            }
            Some(d) => match d.field_mut() {
                Some(f) => f,
                None => return,
            },
            None if self.filtering => match self.tab {
                Tab::Accounts => &mut self.accounts.filter,
                Tab::Audit => &mut self.audit.filter,
            },
            None => return,
        };
        let changed = match field.paste(text) {
            Edited::Changed => {
                field.error = None;
                true
            }
            Edited::TooLong => {
                field.error = Some(format!(
                    "{} {}",
                    s::PASTE_REFUSED,
                    s::too_long(field.label, field.max_chars)
                ));
                false
            }
            Edited::Unchanged => false,
        };
        if changed && self.dialog.is_none() {
            self.filter_changed(cx);
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        match response {
            Response::Users(r) => {
                let t = &mut self.accounts;
                if t.users.answer() {
                    let load = t.load.take().unwrap_or(Load::Reload);
                    match r {
                        Ok(rows) => {
                            let more = t.window.apply(load, rows, t.sort, self.h);
                            if let Some(next) = more {
                                self.load_accounts(next, cx);
                            } else {
                                self.replay(cx);
                            }
                        }
                        Err(e) => self.list_error(e, cx),
                    }
                }
            }
            Response::UserCounts(r) => {
                if self.accounts.counts_seq.answer() {
                    match r {
                        Ok(c) => self.accounts.counts = Some(c),
                        Err(e) => self.list_error(e, cx),
                    }
                }
            }
            Response::Events(r) => {
                let t = &mut self.audit;
                if t.events.answer() {
                    let load = t.load.take().unwrap_or(Load::Reload);
                    match r {
                        Ok(rows) => {
                            t.window.apply(load, rows, self.h);
                            self.replay(cx);
                        }
                        Err(e) => self.list_error(e, cx),
                    }
                }
            }
            Response::Count(r) => {
                if self.checking_password() {
                    self.on_reauth(r, cx);
                } else if let Some(p) = self.action.take() {
                    self.on_done(p, r, cx);
                }
            }
            Response::ResetCode(r) => match self.action.take() {
                Some(Pending::ResetCode { email }) => match r {
                    Ok(code) => {
                        // The code's bytes are wiped when `code` drops, here; its text lives
                        // only in the dialog, until it closes.
                        let shown = ShownCode::new(code.grouped());
                        self.dialog = Some(Dialog::Code { email, code: shown });
                    }
                    Err(Error::ReauthRequired) => {
                        self.dialog = Some(Dialog::reauth(Pending::ResetCode { email }));
                    }
                    Err(e) => cx.flash(FlashKind::Error, e.to_string()),
                },
                other => self.action = other,
            },
            _ => return,
        }
        self.after_answer(cx);
    }

    /// A resize changes how many rows fit: the window is asked for again at its new height.
    fn refresh(&mut self, cx: &mut Ctx) {
        let h = table_rows(cx.size);
        if h != self.h && !self.leaving {
            self.h = h;
            self.reload(cx);
        }
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        draw::draw(self, m, f, area)
    }
}

// ---- what each part of the screen declares ---------------------------------------------------

/// Moving, and the way out, on both tabs.
const BACK_ROW: Row = Row {
    keys: &[(Layer::Back, Action::Back), (Layer::Session, Action::Logout)],
    what: s::HELP_ADMIN_BACK,
};
const QUIT_ROW: Row = Row {
    keys: &[(Layer::Always, Action::Quit)],
    what: s::HELP_QUIT_AT_ONCE,
};
const LOGOUT_ROW: Row = Row {
    keys: &[(Layer::Session, Action::Logout)],
    what: s::HELP_LOG_OUT,
};
const CANCEL_ROW: Row = Row {
    keys: &[(Layer::Back, Action::Back)],
    what: s::HELP_CANCEL,
};

const ACCOUNTS_HELP: &[Row] = &[
    Row {
        keys: &[
            (Layer::Admin, Action::RowDown),
            (Layer::Admin, Action::RowUp),
            (Layer::Admin, Action::PageDown),
            (Layer::Admin, Action::PageUp),
        ],
        what: s::HELP_ADMIN_MOVE,
    },
    Row {
        keys: &[
            (Layer::Admin, Action::FirstPage),
            (Layer::AdminAccounts, Action::LastPage),
        ],
        what: s::HELP_FIRST_LAST,
    },
    Row {
        keys: &[(Layer::Admin, Action::NextTab), (Layer::Admin, Action::PrevTab)],
        what: s::HELP_TO_AUDIT,
    },
    Row {
        keys: &[(Layer::Admin, Action::Filter)],
        what: s::HELP_FILTER_ACCOUNTS,
    },
    Row {
        keys: &[(Layer::AdminAccounts, Action::Sort)],
        what: s::HELP_SORT,
    },
    Row {
        keys: &[
            (Layer::AdminAccounts, Action::OnRow(RowAction::Disable)),
            (Layer::AdminAccounts, Action::OnRow(RowAction::Enable)),
        ],
        what: s::HELP_DISABLE_ENABLE,
    },
    Row {
        keys: &[
            (Layer::AdminAccounts, Action::OnRow(RowAction::Promote)),
            (Layer::AdminAccounts, Action::OnRow(RowAction::Demote)),
        ],
        what: s::HELP_PROMOTE_DEMOTE,
    },
    Row {
        keys: &[(Layer::AdminAccounts, Action::OnRow(RowAction::Unlock))],
        what: s::HELP_UNLOCK,
    },
    Row {
        keys: &[(Layer::AdminAccounts, Action::OnRow(RowAction::Expire))],
        what: s::HELP_EXPIRE,
    },
    Row {
        keys: &[(Layer::AdminAccounts, Action::OnRow(RowAction::ResetCode))],
        what: s::HELP_RESET_CODE,
    },
    Row {
        keys: &[(Layer::AdminAccounts, Action::OnRow(RowAction::Delete))],
        what: s::HELP_DELETE,
    },
    BACK_ROW,
    QUESTION_MARK_ROW,
    QUIT_ROW,
];

const FILTER_HINT: Hint = Hint {
    key: (Layer::Admin, Action::Filter),
    what: s::FOOT_FILTER,
};
const BACK_HINT: Hint = Hint {
    key: (Layer::Back, Action::Back),
    what: s::FOOT_BACK,
};
const CANCEL_HINT: Hint = Hint {
    key: (Layer::Back, Action::Back),
    what: s::FOOT_CANCEL,
};

/// The accounts table (what the screen declares when it opens).
pub const INFO: Info = Info {
    title: s::ADMIN_TITLE,
    authenticated: true,
    admin: true,
    hashes_password: false,
    layers: &[Layer::Admin, Layer::AdminAccounts, Layer::Back],
    help: &[ACCOUNTS_HELP, COMMON_ROWS],
    footer: &[
        FILTER_HINT,
        Hint {
            key: (Layer::Admin, Action::NextTab),
            what: s::FOOT_AUDIT_TAB,
        },
        BACK_HINT,
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

/// The keys of the selected account, on the row above the status line: the ones that change
/// something for it (enable for a disabled account, demote for an administrator…).
pub fn row_hints(row: &crate::admin::UserRow) -> Vec<Hint> {
    use crate::admin::AccountState;
    let hint = |a: RowAction, what| Hint {
        key: (Layer::AdminAccounts, Action::OnRow(a)),
        what,
    };
    let mut hints = vec![if row.account.disabled {
        hint(RowAction::Enable, s::FOOT_ENABLE)
    } else {
        hint(RowAction::Disable, s::FOOT_DISABLE)
    }];
    if row.state == AccountState::Throttled {
        hints.push(hint(RowAction::Unlock, s::FOOT_UNLOCK));
    }
    hints.push(hint(RowAction::ResetCode, s::FOOT_RESET_CODE));
    hints.push(if row.account.role == "admin" {
        hint(RowAction::Demote, s::FOOT_DEMOTE)
    } else {
        hint(RowAction::Promote, s::FOOT_PROMOTE)
    });
    hints.push(hint(RowAction::Expire, s::FOOT_EXPIRE));
    hints.push(hint(RowAction::Delete, s::FOOT_DELETE));
    hints
}

/// The audit log's paging keys, on the row above the status line.
pub const AUDIT_HINTS: &[Hint] = &[
    Hint {
        key: (Layer::Admin, Action::PageDown),
        what: s::FOOT_OLDER,
    },
    Hint {
        key: (Layer::Admin, Action::PageUp),
        what: s::FOOT_NEWER,
    },
    Hint {
        key: (Layer::Admin, Action::FirstPage),
        what: s::FOOT_NEWEST,
    },
];

const AUDIT_HELP: &[Row] = &[
    Row {
        keys: &[
            (Layer::Admin, Action::RowDown),
            (Layer::Admin, Action::RowUp),
            (Layer::Admin, Action::PageDown),
            (Layer::Admin, Action::PageUp),
        ],
        what: s::HELP_AUDIT_MOVE,
    },
    Row {
        keys: &[(Layer::Admin, Action::FirstPage)],
        what: s::HELP_NEWEST,
    },
    Row {
        keys: &[(Layer::Admin, Action::NextTab), (Layer::Admin, Action::PrevTab)],
        what: s::HELP_TO_ACCOUNTS,
    },
    Row {
        keys: &[(Layer::Admin, Action::Filter)],
        what: s::HELP_FILTER_AUDIT,
    },
    BACK_ROW,
    QUESTION_MARK_ROW,
    QUIT_ROW,
];

pub const AUDIT_INFO: Info = Info {
    layers: &[Layer::Admin, Layer::Back],
    help: &[AUDIT_HELP, COMMON_ROWS],
    footer: &[
        FILTER_HINT,
        Hint {
            key: (Layer::Admin, Action::NextTab),
            what: s::FOOT_ACCOUNTS_TAB,
        },
        BACK_HINT,
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// A filter being typed.
pub const FILTER_INFO: Info = Info {
    layers: &[Layer::Dialog, Layer::Back, Layer::Field],
    help: &[
        &[
            Row {
                keys: &[(Layer::Dialog, Action::Submit)],
                what: s::HELP_FILTER_DONE,
            },
            Row {
                keys: &[(Layer::Back, Action::Back)],
                what: s::HELP_FILTER_CLEAR,
            },
            LOGOUT_ROW,
            QUIT_ROW,
        ],
        FORM_ROWS,
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Dialog, Action::Submit),
            what: s::FOOT_DONE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_CLEAR,
        },
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// A question, the focus on Cancel.
pub const CONFIRM_INFO: Info = Info {
    layers: &[Layer::Choice, Layer::Dialog, Layer::Back],
    help: &[
        &[
            CHOICE_ROW,
            PRESS_ROW,
            CANCEL_ROW,
            LOGOUT_ROW,
            QUESTION_MARK_ROW,
            QUIT_ROW,
        ],
        COMMON_ROWS,
    ],
    footer: &[
        CHOOSE_HINT,
        SWITCH_HINT,
        CANCEL_HINT,
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// Help and footer of a dialog with one text field: Enter does `what`, Esc cancels.
macro_rules! field_dialog {
    ($help:expr, $foot:expr) => {
        Info {
            layers: &[Layer::Dialog, Layer::Back, Layer::Field],
            help: &[
                &[
                    Row {
                        keys: &[(Layer::Dialog, Action::Submit)],
                        what: $help,
                    },
                    CANCEL_ROW,
                    LOGOUT_ROW,
                    QUIT_ROW,
                ],
                FORM_ROWS,
                COMMON_ROWS,
            ],
            footer: &[
                Hint {
                    key: (Layer::Dialog, Action::Submit),
                    what: $foot,
                },
                CANCEL_HINT,
                LOGOUT_HINT,
                HELP_HINT,
                QUIT_HINT,
            ],
            ..INFO
        }
    };
}

/// A delete: the email typed again.
pub const DELETE_INFO: Info = field_dialog!(s::HELP_ADMIN_DELETE_SUBMIT, s::FOOT_DELETE);
/// The expiry date.
pub const EXPIRE_INFO: Info = field_dialog!(s::HELP_EXPIRE_SUBMIT, s::FOOT_SET);

/// The password asked again: a form like the other password forms.
pub const REAUTH_INFO: Info = Info {
    hashes_password: true,
    layers: &[Layer::Back, Layer::Form, Layer::Field],
    help: &[
        &[
            Row {
                keys: &[(Layer::Form, Action::Submit)],
                what: s::HELP_REAUTH_SUBMIT,
            },
            CANCEL_ROW,
            LOGOUT_ROW,
            QUIT_ROW,
        ],
        FORM_ROWS,
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_CONFIRM,
        },
        CANCEL_HINT,
        LOGOUT_HINT,
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// The one-time code, shown once.
pub const CODE_INFO: Info = Info {
    layers: &[Layer::Dialog, Layer::Back],
    help: &[
        &[
            Row {
                keys: &[(Layer::Dialog, Action::Submit), (Layer::Back, Action::Back)],
                what: s::HELP_CODE_CLOSE,
            },
            LOGOUT_ROW,
            QUESTION_MARK_ROW,
            QUIT_ROW,
        ],
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Dialog, Action::Submit),
            what: s::FOOT_CLOSE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_CLOSE,
        },
        LOGOUT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// Every part of the screen, as it declares itself: for the keymap checks.
pub const ALL_INFOS: &[(&str, &Info)] = &[
    ("accounts", &INFO),
    ("audit", &AUDIT_INFO),
    ("filter", &FILTER_INFO),
    ("confirm", &CONFIRM_INFO),
    ("delete", &DELETE_INFO),
    ("expire", &EXPIRE_INFO),
    ("reauth", &REAUTH_INFO),
    ("code", &CODE_INFO),
];

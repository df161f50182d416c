//! The UI's model and its update function: messages in, state changes and [`Effect`]s out (the
//! core's requests for the worker, password checks for the meter). No terminal I/O here, so
//! every behaviour can be driven from tests.
//!
//! A key goes through the keymap ([`super::keys`]) to an [`Action`]. What every screen shares
//! is handled here: quitting, redrawing, the help, the question asked, logging out, the
//! session (its refresh, its expiry, its end elsewhere), the status line, and the Argon2
//! memory prepared while a password form is typed on. The rest goes to the screen showing
//! ([`super::screens`]), which answers through a [`Ctx`].

use super::keys::{self, Action, Layer};
use super::screens::ScreenId;
use super::screens::dashboard::Dashboard;
use super::screens::login::Login;
use super::screens::recovery_code::RecoveryCode;
use super::screens::sealed::Sealed;
use super::screens::starting::Starting;
use super::screens::unlock::Unlock;
use super::screens::vault::Vault;
use super::screens::{Ctx, Info, Out, Page, Screen};
use super::strings as s;
use super::widgets::confirm::Confirm;
use super::widgets::form::AnyForm;
use super::widgets::meter::StrengthCheck;
use super::widgets::status::{Flash, FlashKind};
use super::widgets::too_small::is_too_small;
use crate::api::{self, Request, Response};
use crate::clock::Clock;
use crate::vault::VaultOpened;
use crate::{Accounts, Ended, Role, SessionStatus};
use crate::{Error, LoginReport, SessionInfo, Strength};
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::Arc;
use std::time::Duration;
use tui_input::InputRequest;
use zeroize::Zeroizing;

/// Activity on an authenticated screen refreshes the session at most this often (seconds).
pub const TOUCH_EVERY: i64 = 30;
/// Spinner frame interval while the worker is busy.
pub const SPIN: Duration = Duration::from_millis(100);
/// How long the Argon2 memory prepared for a login, signup or password change is kept after the
/// last key typed on those forms (it is prepared again on the next key).
pub const PREPARED_IDLE_SECS: i64 = 60;
/// How often an open UI on an authenticated screen asks the store whether its session is
/// still live (revoked, account disabled, expired or deleted, role changed), in seconds, when
/// nothing tells it of the store's changes: a PostgreSQL server shared by several machines,
/// which no inotify watch sees. The event loop's timeout wakes for it, so a change elsewhere
/// shows within `WATCH_SECS` + 1 s (the clock counts whole seconds). A SQLite store on this
/// machine needs no timer: the runtime watches its directory ([`Model::watch_secs`]).
pub const WATCH_SECS: i64 = 3;

/// Everything that can happen to the UI.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Time passed (spinner, flash fading, session expiry).
    Tick,
    /// The backend's answer to a request.
    Response(Response),
    /// The strength meter's verdict on the check numbered `id`.
    Strength {
        id: u64,
        strength: Strength,
    },
    /// SIGTERM / SIGHUP / SIGINT / SIGQUIT: leave now.
    Quit,
    /// The worker has waited a second for another process's write lock on the store.
    StoreBusy,
    /// Something in the data dir changed (another process wrote the store or the session
    /// file): the session may have ended elsewhere.
    StoreChanged,
}

/// How long what was copied stays on the clipboard (seconds) before it is cleared.
pub const CLIPBOARD_SECS: i64 = 30;

/// Work the update asks for, off the UI thread.
#[derive(Debug)]
pub enum Effect {
    /// Put this text on the terminal's clipboard with OSC 52 (empty: clear it). The runtime
    /// writes it through the terminal writer; it goes to no thread.
    Clipboard(Zeroizing<String>),
    /// A request for the backend, on the worker thread (Argon2 and the store never run on the
    /// UI thread). The memory requests have no answer.
    Backend(Request),
    /// A check for the strength meter's thread: only the latest one is run.
    Meter(StrengthCheck),
}

/// The whole UI state.
pub struct Model {
    pub screen: Screen,
    pub help: bool,
    /// The question asked in the status line (y / n), if any.
    pub confirm: Option<Confirm>,
    pub flash: Option<Flash>,
    /// What the worker is doing, while the screen is locked.
    pub busy: Option<&'static str>,
    pub spinner: usize,
    pub size: (u16, u16),
    pub quit: bool,
    /// The runtime clears the terminal once when this is set (after logout or expiry).
    pub clear_screen: bool,
    pub session: Option<SessionInfo>,
    /// The report of the login that started this session, if it started in this run.
    pub report: Option<LoginReport>,
    /// The password was changed in this session: the advice to change it is done.
    pub password_changed: bool,
    pub clock: Arc<dyn Clock>,
    pub tz: TimeZone,
    last_touch: i64,
    checking_expiry: bool,
    /// Whether the worker was asked to prepare memory for the next Argon2 run.
    memory_prepared: bool,
    /// When a key was last typed on a password form.
    form_typed_at: i64,
    /// Numbers strength meter requests.
    strength_seq: u64,
    /// The email to pre-fill on the login screen at launch (`ui.remember_email`); used once,
    /// never after a logout or an expiry.
    pub launch_email: Option<String>,
    /// When the store last said the session was live: the next check is due `watch_secs`
    /// later.
    confirmed_at: i64,
    /// How often the session is checked by the timer, in seconds; `None` when the runtime
    /// hears of every change of the store (a local SQLite file under inotify) and an idle UI
    /// must not wake at all. [`WATCH_SECS`] unless the runtime says otherwise.
    pub watch_secs: Option<i64>,
    /// The store changed while a check was on its way (it may have read the store before the
    /// change): check again once it answers.
    check_again: bool,
    /// Whether a message since the last frame may have changed what is drawn. A tick or a
    /// check of the session that changed nothing leaves it unset, so the timer's checks do
    /// not redraw (the runtime clears it after each frame).
    pub redraw: bool,
    /// When what was copied is to be cleared from the clipboard.
    pub clipboard_clear_at: Option<i64>,
    /// The session ended: the worker is asked to wipe the vault's key too.
    lock_vault: bool,
    /// `vault.lock_minutes` in seconds, when configured: the vault locks after that long
    /// without a key, if that is sooner than the session's idle limit (which ends it anyway).
    pub vault_lock_secs: Option<i64>,
    /// When a key was last pressed or text pasted.
    last_input: i64,
    /// The vault was locked for want of use since the last key (so the timer is not armed).
    idle_locked: bool,
}

impl Model {
    pub fn new(clock: Arc<dyn Clock>, tz: TimeZone, size: (u16, u16)) -> Self {
        let now = clock.now();
        Model {
            screen: Starting.into(),
            help: false,
            confirm: None,
            flash: None,
            busy: Some(s::LOADING),
            spinner: 0,
            size,
            quit: false,
            clear_screen: false,
            session: None,
            report: None,
            password_changed: false,
            clock,
            tz,
            last_touch: i64::MIN / 2,
            checking_expiry: false,
            memory_prepared: false,
            form_typed_at: i64::MIN / 2,
            strength_seq: 0,
            launch_email: None,
            confirmed_at: i64::MIN / 2,
            watch_secs: Some(WATCH_SECS),
            check_again: false,
            redraw: true,
            clipboard_clear_at: None,
            lock_vault: false,
            vault_lock_secs: None,
            last_input: now,
            idle_locked: false,
        }
    }

    /// When the vault locks for want of use (`vault.lock_minutes`), if that comes before the
    /// session's own idle expiry.
    fn vault_lock_at(&self) -> Option<i64> {
        let secs = self.vault_lock_secs?;
        (self.authenticated() && !self.idle_locked && secs < self.idle_secs())
            .then_some(self.last_input + secs)
    }

    /// What to ask for when the UI starts.
    pub fn init(&mut self) -> Vec<Effect> {
        vec![Effect::Backend(Request::Session { refresh: true })]
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// What the screen showing declares about itself.
    pub fn info(&self) -> &'static Info {
        // Some screens change what they declare as they go
        if let Some(info) = self.screen.page().info_now(self.session.as_ref()) {
            return info;
        }
        self.screen.id().info()
    }

    /// The session's idle limit in seconds, as the session itself shows it.
    pub fn idle_secs(&self) -> i64 {
        self.session
            .as_ref()
            .map_or(0, |i| i.idle_expires_at - i.last_seen_at)
    }

    /// The form of the screen showing, if it is one.
    pub fn form(&self) -> Option<&dyn AnyForm> {
        self.screen.page().form()
    }

    /// Whether the terminal is below the smallest size the UI draws in: only the "Terminal
    /// too small" message shows, so keys (but Ctrl-C and Ctrl-L) do nothing.
    pub fn too_small(&self) -> bool {
        is_too_small(self.size.0, self.size.1)
    }

    /// Whether a text field has focus (printable keys then type into it).
    pub fn typing(&self) -> bool {
        // The screen says (a filter being typed is no form's field)
        self.screen.page().text_focus()
    }

    pub fn authenticated(&self) -> bool {
        self.info().authenticated
    }

    fn flash(&mut self, kind: FlashKind, text: impl Into<String>) {
        self.flash = Some(Flash::new(kind, text, self.now()));
    }

    /// How long the runtime may sleep before it must send a [`Msg::Tick`]; `None` means
    /// "until the next event" (nothing animates, nothing is due).
    pub fn next_wake(&self) -> Option<Duration> {
        let now = self.now();
        let secs = |t: i64| Duration::from_secs(t.saturating_sub(now).max(0) as u64);
        let mut wake: Option<Duration> = self.busy.map(|_| SPIN);
        let mut consider = |d: Duration| wake = Some(wake.map_or(d, |w| w.min(d)));
        if let Some(until) = self.flash.as_ref().and_then(|f| f.until) {
            consider(secs(until) + Duration::from_millis(50));
        }
        if self
            .flash
            .as_ref()
            .is_some_and(|f| f.lockout_ends.is_some())
        {
            consider(Duration::from_secs(1));
        }
        if self.authenticated()
            && !self.checking_expiry
            && let Some(info) = &self.session
        {
            // The expiry, or the next check of the session, whichever is first
            let due = info.expires_at().min(self.check_due());
            consider(secs(due) + Duration::from_millis(50));
        }
        if self.memory_prepared {
            consider(secs(self.form_typed_at + PREPARED_IDLE_SECS) + Duration::from_millis(50));
        }
        if let Some(at) = self.clipboard_clear_at {
            consider(secs(at) + Duration::from_millis(50));
        }
        if let Some(at) = self.vault_lock_at() {
            consider(secs(at) + Duration::from_millis(50));
        }
        // A TOTP code counting down, a password shown until it hides again: only while shown.
        if !self.too_small()
            && let Some(at) = self.screen.page().next_tick(now)
        {
            consider(secs(at) + Duration::from_millis(50));
        }
        wake
    }

    /// A blank login form (no email of the last user, focus on Email), and no session.
    fn go_login(&mut self) {
        self.screen = Login::new().into();
        self.session = None;
        self.report = None;
        self.checking_expiry = false;
        self.confirm = None;
        self.password_changed = false;
    }

    /// Walk-away safety: the next person finds a blank login form.
    fn expire(&mut self) {
        self.end_session(s::SESSION_EXPIRED);
    }

    /// The store no longer has our session although its time is not up: another terminal
    /// logged out, or a password change elsewhere ended it.
    fn ended_elsewhere(&mut self) {
        self.end_session(Accounts::ended_text(Ended::Revoked));
    }

    fn end_session(&mut self, why: &str) {
        self.end_session_as(FlashKind::Error, why);
    }

    /// Back at a blank login form, the screen wiped, saying `why`. What the worker was doing
    /// for the screen left no longer locks the form (its answer goes to the login screen,
    /// which drops it); the help closes.
    fn end_session_as(&mut self, kind: FlashKind, why: &str) {
        self.lock_vault = true;
        self.go_login();
        self.clear_screen = true;
        self.help = false;
        self.busy = None;
        self.flash(kind, why.to_owned());
    }

    /// What a tick or a session check can change of what is drawn (the screen showing, its
    /// session, the status line, the help, a question), to compare before and after.
    fn drawn_state(&self) -> impl PartialEq + use<> {
        (
            self.screen.id(),
            self.session.clone(),
            self.flash.clone(),
            (
                self.busy,
                self.spinner,
                self.help,
                self.confirm,
                self.clear_screen,
            ),
        )
    }

    /// When the next check of the session is due (never without a timer).
    pub fn check_due(&self) -> i64 {
        self.watch_secs
            .map_or(i64::MAX, |every| self.confirmed_at.saturating_add(every))
    }

    /// Asks the store for the session's state (without counting as use), unless a check is
    /// on its way already.
    fn check_session(&mut self) -> Vec<Effect> {
        if self.checking_expiry {
            return vec![];
        }
        self.checking_expiry = true;
        vec![Effect::Backend(Request::SessionStatus)]
    }

    /// Takes a live session from the store. A role changed elsewhere says so; a demotion
    /// closes a screen for administrators only, back to the dashboard.
    fn adopt(&mut self, info: SessionInfo) {
        let now = self.now();
        self.confirmed_at = now;
        let was = self.session.as_ref().map(|i| i.account.role);
        let role = info.account.role;
        self.session = Some(info);
        match (was, role) {
            (Some(Role::Admin), Role::User) if self.info().admin => {
                self.screen = Dashboard.into();
                self.confirm = None;
                self.help = false;
                self.clear_screen = true;
                self.flash(FlashKind::Error, s::DEMOTED_CLOSED);
            }
            // Unless it was this UI's own doing, which said so already.
            (Some(Role::Admin), Role::User)
                if !self
                    .flash
                    .as_ref()
                    .is_some_and(|f| f.text.contains(s::DEMOTED)) =>
            {
                self.flash(FlashKind::Info, s::DEMOTED)
            }
            (Some(Role::User), Role::Admin) => self.flash(FlashKind::Info, s::PROMOTED),
            _ => {}
        }
    }

    /// Runs `f` on the screen showing, then applies what it asked for.
    fn with_page(&mut self, f: impl FnOnce(&mut dyn Page, &mut Ctx)) -> Vec<Effect> {
        let now = self.clock.now();
        let mut cx = Ctx::new(now, self.session.as_ref(), &mut self.strength_seq);
        cx.size = self.size;
        cx.help = self.help;
        f(self.screen.page_mut(), &mut cx);
        let out = cx.out;
        self.apply(out)
    }

    fn apply(&mut self, out: Out) -> Vec<Effect> {
        // A request behind a login asks the session's state first. The core
        // ends a session it finds revoked, disabled or expired while serving the request,
        // and the request then only says "no session"; the state says why.
        let mut effects = vec![];
        if self.authenticated()
            && out.effects.iter().any(|e| {
                matches!(e, Effect::Backend(r) if !matches!(
                    r,
                    Request::PrepareMemory
                        | Request::WipeMemory
                        | Request::ReleaseMemory
                        | Request::Session { .. }
                        | Request::SessionStatus
                ))
            })
        {
            effects = self.check_session();
        }
        if out.busy.is_some() {
            self.busy = out.busy;
        }
        if out.flash.is_some() {
            self.flash = out.flash;
        }
        if out.confirm.is_some() {
            self.confirm = out.confirm;
        }
        if let Some(next) = out.next {
            self.screen = *next;
        }
        if out.redraw {
            self.redraw = true;
        }
        if out.copied {
            self.clipboard_clear_at = Some(self.now() + CLIPBOARD_SECS);
        }
        effects.extend(out.effects);
        effects
    }
}

/// Applies one message; returns the effects it asks for.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    // The Argon2 memory for the next login, signup or password change is prepared on the
    // first character typed or pasted on one of those forms, not when the form appears: an
    // idle form then holds no 64 MiB, and typing takes far longer than the preparation
    // (milliseconds with huge pages). The Argon2 run after Enter then finds its pages mapped.
    let typed = match &msg {
        Msg::Paste(_) => true,
        Msg::Key(k) => {
            matches!(k.code, KeyCode::Char(_))
                && !k
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        }
        _ => false,
    };
    let typed_on_form = typed && m.info().hashes_password && !m.too_small();
    if typed_on_form {
        m.form_typed_at = m.now();
    }
    // What a tick or a session check may change, to tell whether it did
    let quiet = matches!(
        msg,
        Msg::Tick | Msg::Response(Response::SessionStatus(_)) | Msg::StoreChanged
    );
    let before = quiet.then(|| m.drawn_state());
    let mut effects = on_msg(m, msg);
    m.redraw |= before.is_none_or(|b| b != m.drawn_state());
    if std::mem::take(&mut m.lock_vault) {
        effects.push(Effect::Backend(Request::Lock));
    }
    if typed_on_form && m.info().hashes_password && !m.memory_prepared && !m.quit {
        m.memory_prepared = true;
        // First, so that a login submitted by this very key verifies in the prepared memory.
        effects.insert(0, Effect::Backend(Request::PrepareMemory));
    }
    effects
}

fn on_msg(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Quit => {
            m.quit = true;
            vec![]
        }
        Msg::Resize(w, h) => {
            m.size = (w, h);
            vec![]
        }
        Msg::Tick => on_tick(m),
        Msg::StoreBusy => {
            // Said where the spinner is, until the worker's answer clears it.
            if m.busy.is_some() {
                m.busy = Some(s::WAITING_FOR_STORE);
            }
            vec![]
        }
        Msg::StoreChanged => {
            // Ask the store whether our session is still there, and why not. (Even while the
            // worker works for a screen: the answer is told apart, and with a local SQLite
            // store no timer would ask later.)
            if !m.authenticated() {
                return vec![];
            }
            let mut effects = m.with_page(|page, cx| page.on_store_changed(cx));
            if m.checking_expiry {
                m.check_again = true;
            } else {
                effects.extend(m.check_session());
            }
            effects
        }
        Msg::Response(r) => on_response(m, r),
        Msg::Strength { id, strength } => {
            // Not the worker's answer: whatever the worker is doing, it still is.
            m.screen.page_mut().on_strength(id, strength);
            vec![]
        }
        Msg::Paste(text) => on_paste(m, text),
        Msg::Key(k) => on_key(m, k),
    }
}

fn on_tick(m: &mut Model) -> Vec<Effect> {
    let now = m.now();
    let mut effects = vec![];
    // The lock message counts down, and says when it is over.
    if let Some(flash) = m.flash.as_mut()
        && let Some(end) = flash.lockout_ends
    {
        if end > now {
            flash.text = Error::Throttled((end - now) as u64).to_string();
        } else {
            flash.text = s::TRY_AGAIN_NOW.to_owned();
            flash.lockout_ends = None;
        }
    }
    if m.busy.is_some() {
        m.spinner = m.spinner.wrapping_add(1);
    } else if m.memory_prepared && now >= m.form_typed_at + PREPARED_IDLE_SECS {
        // Typed on, then left: the 64 MiB are not kept for a login that may never come. The
        // next key prepares them again.
        m.memory_prepared = false;
        effects.push(Effect::Backend(Request::ReleaseMemory));
    }
    if m.flash
        .as_ref()
        .and_then(|f| f.until)
        .is_some_and(|t| t <= now)
    {
        m.flash = None;
    }
    // Unused for `vault.lock_minutes`: the worker wipes the key (whatever screen shows), and
    // the vault's screen gives way to the unlock form, an open entry form with it.
    if m.vault_lock_at().is_some_and(|t| t <= now) {
        m.idle_locked = true;
        effects.push(Effect::Backend(Request::Lock));
        if m.screen.id() == ScreenId::Vault {
            m.screen = Unlock::new().into();
            m.flash(FlashKind::Info, s::LOCKED_UNUSED);
        }
    }
    // Cleared unconditionally: terminals do not say whether the clipboard still holds it.
    if m.clipboard_clear_at.is_some_and(|t| t <= now) {
        m.clipboard_clear_at = None;
        effects.push(Effect::Clipboard(Zeroizing::new(String::new())));
    }
    // The screen asked for time to pass (a TOTP counting down: its deadline moves with the
    // clock, so any tick while it shows is one it asked for).
    if m.screen.page().next_tick(now).is_some() {
        effects.extend(m.with_page(|page, cx| page.on_tick(cx)));
    }
    // The session's expiry, and its check every few seconds
    if m.authenticated()
        && m.session
            .as_ref()
            .is_some_and(|i| i.expires_at() <= now || m.check_due() <= now)
    {
        // Ask the store rather than trust our copy: another terminal may have used it, or
        // ended it, or an administrator changed the account.
        effects.extend(m.check_session());
    }
    effects
}

fn on_paste(m: &mut Model, text: String) -> Vec<Effect> {
    m.last_input = m.now();
    m.idle_locked = false;
    if m.busy.is_some() || m.help || m.confirm.is_some() || m.too_small() {
        return vec![];
    }
    if !m.info().layers.iter().any(|&l| keys::takes_paste(l)) {
        return vec![];
    }
    m.with_page(|page, cx| page.on_paste(text, cx))
}

/// Whether `key` quits (Ctrl-C): the input thread tells the event loop at once, so whatever is
/// still queued is skipped.
pub fn is_quit_key(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press && keys::action(Layer::Always, key) == Some(Action::Quit)
}

fn on_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return vec![];
    }
    m.last_input = m.now();
    m.idle_locked = false;
    if let Some(action) = keys::action(Layer::Always, &key) {
        return act(m, action);
    }
    // Below the minimum size nothing but "Terminal too small" shows: no key acts unseen.
    if m.busy.is_some() || m.too_small() {
        return vec![];
    }
    if m.flash.as_ref().is_some_and(|f| f.kind == FlashKind::Error) {
        m.flash = None;
    }
    if m.confirm.is_some() {
        return match keys::action(Layer::Confirm, &key) {
            Some(action) => act(m, action),
            None => vec![],
        };
    }
    let help = keys::action(Layer::Common, &key).or_else(|| {
        (!m.typing())
            .then(|| keys::action(Layer::NoTextFocus, &key))
            .flatten()
    });
    if let Some(action) = help {
        return act(m, action);
    }
    if m.help {
        return match keys::action(Layer::Help, &key) {
            Some(action) => act(m, action),
            None => vec![],
        };
    }
    let info = m.info();
    if info.authenticated
        && let Some(action) = keys::action(Layer::Session, &key)
    {
        return act(m, action);
    }
    let mut effects = touch(m);
    let mut action = None;
    for &layer in info.layers {
        action = keys::action(layer, &key);
        if action.is_some() {
            break;
        }
    }
    if action.is_none()
        && info.layers.contains(&Layer::Field)
        && let Some(c) = keys::typed_char(&key)
    {
        // Text for the focused field.
        action = Some(Action::Edit(InputRequest::InsertChar(c)));
    }
    if let Some(action) = action {
        effects.extend(act(m, action));
    }
    effects
}

/// Does what an action asks: the app's own actions here, the others on the screen showing.
fn act(m: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => m.quit = true,
        // The runtime clears the terminal and repaints everything.
        Action::Redraw => m.clear_screen = true,
        Action::Help => m.help = !m.help,
        Action::CloseHelp => m.help = false,
        Action::No => m.confirm = None,
        Action::Yes => {
            m.confirm = None;
            return m.with_page(|page, cx| page.on_action(Action::Yes, cx));
        }
        Action::Logout => return logout(m),
        action => return m.with_page(|page, cx| page.on_action(action, cx)),
    }
    vec![]
}

fn logout(m: &mut Model) -> Vec<Effect> {
    m.busy = Some(s::LOGGING_OUT);
    vec![Effect::Backend(Request::Logout)]
}

/// Activity on an authenticated screen keeps the session alive (at most every 30 s).
fn touch(m: &mut Model) -> Vec<Effect> {
    let now = m.now();
    if m.authenticated() && now - m.last_touch >= TOUCH_EVERY {
        m.last_touch = now;
        // The state first: a refresh of an ended session would not say why
        let mut effects = m.check_session();
        effects.push(Effect::Backend(Request::Session { refresh: true }));
        return effects;
    }
    vec![]
}

/// Brings derived state up to date before drawing: when a password (or its context) changed,
/// the strength meter is asked again, once per frame however many keys came.
pub fn refresh(m: &mut Model) -> Vec<Effect> {
    m.with_page(|page, cx| page.refresh(cx))
}

/// The answers that start, change or end a session are the app's; the rest go to the screen
/// that asked.
fn on_response(m: &mut Model, response: Response) -> Vec<Effect> {
    // The session's checks are asked beside what a screen waits for (the
    // watcher's timer, a refresh on activity): their answers leave its spinner alone.
    let starting = matches!(m.screen, Screen::Starting(_));
    let response = match response {
        Response::SessionStatus(r) => return on_status(m, r),
        Response::Session(r) if !starting => {
            on_session(m, r);
            return vec![];
        }
        other => other,
    };
    m.busy = None;
    match response {
        Response::Session(r) => {
            on_session(m, r);
            // A session from an earlier run: this process holds no vault key yet; the vault
            // screen asks, and shows the unlock form (or what else the vault needs).
            if starting && m.authenticated() {
                return open_vault(m, VaultOpened::Open);
            }
        }
        Response::Login(Ok(mut report)) => {
            // The worker frees the prepared memory after a successful login.
            m.memory_prepared = false;
            m.password_changed = false;
            m.session = Some(report.session.clone());
            // The recovery code is not kept in the report: only its dialog holds it.
            let vault = std::mem::replace(&mut report.vault, VaultOpened::Open);
            m.report = Some(report);
            m.last_touch = m.now();
            m.confirmed_at = m.now();
            m.flash = None;
            return open_vault(m, vault);
        }
        Response::Logout(Ok(_)) => {
            m.go_login();
            m.clear_screen = true;
            m.flash(FlashKind::Info, s::LOGGED_OUT);
        }
        Response::Logout(Err(e)) => m.flash(FlashKind::Error, e.to_string()),
        Response::PasswordChanged(Ok(ended)) => {
            // The worker frees the prepared memory after a password change.
            m.memory_prepared = false;
            m.screen = Dashboard.into();
            m.password_changed = true;
            m.flash(FlashKind::Success, s::password_changed(ended));
        }
        Response::PasswordChanged(Err(Error::NoSession)) => m.expire(),
        Response::Count(Ok(_)) if m.screen.id() == ScreenId::DeleteAccount => {
            // The worker frees the prepared memory after a deletion.
            m.memory_prepared = false;
            m.end_session_as(FlashKind::Success, s::ACCOUNT_DELETED);
        }
        // A screen's request found no session: ask the store why, and say it.
        Response::Sessions(Err(Error::NoSession))
        | Response::Events(Err(Error::NoSession))
        | Response::Count(Err(Error::NoSession))
        | Response::Entries(Err(Error::NoSession))
        | Response::EntryIds(Err(Error::NoSession))
        | Response::VaultOpened(Err(Error::NoSession))
        | Response::ResetCode(Err(Error::NoSession))
            if m.authenticated() =>
        {
            return m.check_session();
        }
        r @ (Response::PasswordChangeBegun(_) | Response::Backup(_) | Response::Done) => {
            // Never asked for by the UI: a backend bug, taken as a store we cannot read.
            on_session(m, Err(api::unexpected(r)))
        }
        r => return m.with_page(|page, cx| page.on_response(r, cx)),
    }
    vec![]
}

/// After a login (or at start with a session): the vault as the login left it. Open: its
/// entries are loaded; created: its recovery code first; sealed: the sealed screen; damaged:
/// the vault screen says so and shows nothing.
fn open_vault(m: &mut Model, how: VaultOpened) -> Vec<Effect> {
    match how {
        VaultOpened::Open => {
            m.busy = Some(s::LOADING_ENTRIES);
            m.screen = Vault::new().into();
            vec![Effect::Backend(Request::VaultEntries)]
        }
        VaultOpened::Created(code) => {
            m.screen = RecoveryCode::for_vault(&code).into();
            vec![]
        }
        VaultOpened::Sealed => {
            m.screen = Sealed::new().into();
            vec![]
        }
        VaultOpened::Damaged(why) => {
            m.screen = Vault::damaged(why).into();
            vec![]
        }
    }
}

fn on_session(m: &mut Model, r: Result<Option<SessionInfo>, Error>) {
    let starting = matches!(m.screen, Screen::Starting(_));
    // Offered once, at launch: never after a logout or an expiry.
    let launch_email = m.launch_email.take();
    m.checking_expiry = false;
    match r {
        Ok(Some(info)) => {
            if starting {
                m.screen = Dashboard.into();
                m.last_touch = m.now();
            }
            if m.authenticated() {
                m.adopt(info);
            }
        }
        Ok(None) if m.authenticated() => {
            let now = m.now();
            if m.session.as_ref().is_some_and(|i| i.expires_at() > now) {
                m.ended_elsewhere();
            } else {
                m.expire();
            }
        }
        Ok(None) => {
            if starting {
                m.go_login();
                if let Some(email) = launch_email {
                    m.screen = Login::with_email(&email).into();
                }
            }
        }
        Err(e) => {
            if starting {
                m.go_login();
            } else if m.authenticated() {
                // Fail closed: a store we cannot read does not keep a session open.
                m.expire();
            }
            m.flash(FlashKind::Error, e.to_string());
        }
    }
}

/// The answer to a check of the session: live (maybe with another role), or ended, and why.
/// An expiry reads as before ("Session expired"); the other ends say what happened
/// ([`Accounts::ended_text`]). A store that cannot answer does not keep the session open.
fn on_status(m: &mut Model, r: Result<SessionStatus, Error>) -> Vec<Effect> {
    m.checking_expiry = false;
    let again = std::mem::take(&mut m.check_again);
    if !m.authenticated() {
        // Logged out (or never in) meanwhile: nothing to watch.
        return vec![];
    }
    let now = m.now();
    let past_expiry = m.session.as_ref().is_none_or(|i| i.expires_at() <= now);
    match r {
        Ok(SessionStatus::Live(info)) => m.adopt(info),
        Ok(SessionStatus::Ended(Ended::Expired)) => m.expire(),
        // Gone from the store after its time was up (another process ended it then).
        Ok(SessionStatus::Ended(Ended::None | Ended::Revoked)) if past_expiry => m.expire(),
        Ok(SessionStatus::Ended(why)) => m.end_session(Accounts::ended_text(why)),
        Err(e) => {
            m.expire();
            m.flash(FlashKind::Error, e.to_string());
        }
    }
    if again && m.authenticated() {
        return m.check_session();
    }
    vec![]
}

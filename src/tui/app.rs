//! The UI's model and its update function: messages in, state changes and [`Effect`]s out (the
//! core's requests for the worker, password checks for the meter). No terminal I/O here, so
//! every behaviour can be driven from tests.

use super::strings as s;
use super::widgets::field::{Edited, FormField, edit_request};
use crate::api::{self, Request, Response};
use crate::auth::policy::{
    MAX_EMAIL_CHARS, MAX_NAME_CHARS, password_strength, validate_email, validate_name,
};
use crate::clock::Clock;
use crate::{Error, Field, LoginReport, Password, SessionInfo, Strength};
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::Arc;
use std::time::Duration;

/// Smallest terminal the UI draws in.
pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 20;
/// How long success and info messages stay, in seconds.
pub const FLASH_SECS: i64 = 4;
/// Activity on an authenticated screen refreshes the session at most this often (seconds).
pub const TOUCH_EVERY: i64 = 30;
/// Spinner frame interval while the worker is busy.
pub const SPIN: Duration = Duration::from_millis(100);
/// How long the Argon2 memory prepared for a login, signup or password change is kept after the
/// last key typed on those forms (it is prepared again on the next key).
pub const PREPARED_IDLE_SECS: i64 = 60;

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

/// A request for the strength meter (zxcvbn can take most of a second on crafted input, so
/// it never runs on the UI thread). The password stays in its zeroizing buffer.
#[derive(Debug)]
pub struct StrengthCheck {
    /// Tells the answer to the latest request from stale ones.
    pub id: u64,
    pub password: Password,
    pub email: String,
    pub name: String,
}

impl StrengthCheck {
    /// Runs the check (on the meter's thread); the answer as a message for the UI.
    pub fn run(self) -> Msg {
        Msg::Strength {
            id: self.id,
            strength: password_strength(&self.password, &self.email, &self.name),
        }
    }
}

/// Work the update asks for, off the UI thread.
#[derive(Debug)]
pub enum Effect {
    /// A request for the backend, on the worker thread (Argon2 and the store never run on the
    /// UI thread). The memory requests have no answer.
    Backend(Request),
    /// A check for the strength meter's thread: only the latest one is run.
    Meter(StrengthCheck),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

/// A flash message: success and info fade at `until`; errors stay until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
    pub until: Option<i64>,
    /// For "Too many failed attempts": when the lock ends. The text counts down to it.
    pub lockout_ends: Option<i64>,
}

/// A form: fields, then a button (focus == fields.len()).
#[derive(Debug)]
pub struct Form {
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub button: &'static str,
    /// The strength meter's last verdict, for forms that choose a password.
    pub strength: Option<Strength>,
    /// Set by edits; [`refresh`] asks the meter again.
    pub strength_stale: bool,
    /// The meter request whose answer is awaited ("checking…"); answers to any other are stale.
    pub strength_pending: Option<u64>,
    /// Whether password fields are shown in clear (F2; off by default).
    pub reveal: bool,
}

impl Form {
    fn new(fields: Vec<FormField>, button: &'static str) -> Self {
        Self {
            fields,
            focus: 0,
            button,
            strength: None,
            strength_stale: false,
            strength_pending: None,
            reveal: false,
        }
    }
    pub fn login() -> Self {
        Self::new(
            vec![
                FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
                FormField::secret(s::LABEL_PASSWORD),
            ],
            s::LOGIN_BUTTON,
        )
    }
    pub fn signup() -> Self {
        Self::new(
            vec![
                FormField::text(s::LABEL_NAME, MAX_NAME_CHARS),
                FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
                FormField::secret(s::LABEL_PASSWORD),
                FormField::secret(s::LABEL_CONFIRM),
            ],
            s::SIGNUP_BUTTON,
        )
    }
    pub fn change_password() -> Self {
        Self::new(
            vec![
                FormField::secret(s::LABEL_CURRENT),
                FormField::secret(s::LABEL_NEW),
                FormField::secret(s::LABEL_CONFIRM),
            ],
            s::PASSWORD_BUTTON,
        )
    }
    pub fn on_button(&self) -> bool {
        self.focus == self.fields.len()
    }
    pub fn first_error(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.error.is_some())
    }
    fn clear_secrets(&mut self) {
        for f in &mut self.fields {
            if f.is_secret() {
                f.clear();
            }
        }
    }
}

/// Which screen is showing.
#[derive(Debug)]
pub enum Screen {
    /// Waiting for the first session check.
    Starting,
    Login(Form),
    Signup(Form),
    Dashboard,
    ChangePassword(Form),
}

/// The whole UI state.
pub struct Model {
    pub screen: Screen,
    pub help: bool,
    pub flash: Option<Flash>,
    /// What the worker is doing, while the form is locked.
    pub busy: Option<&'static str>,
    pub spinner: usize,
    pub size: (u16, u16),
    pub quit: bool,
    /// The runtime clears the terminal once when this is set (after logout or expiry).
    pub clear_screen: bool,
    pub session: Option<SessionInfo>,
    /// The report of the login that started this session, if it started in this run.
    pub report: Option<LoginReport>,
    pub clock: Arc<dyn Clock>,
    pub tz: TimeZone,
    last_touch: i64,
    checking_expiry: bool,
    /// Whether the worker was asked to prepare memory for the next login.
    memory_prepared: bool,
    /// When a key was last typed on the login screen.
    form_typed_at: i64,
    /// Numbers strength meter requests.
    strength_seq: u64,
    /// Esc on a signup form with content asked "Discard what you typed?": y or n answers.
    pub confirm_discard: bool,
    /// The login form left for signup (Ctrl-N), without its password, restored by Esc.
    saved_login: Option<Form>,
    /// The password was changed in this session: the advice to change it is done.
    pub password_changed: bool,
}

impl Model {
    pub fn new(clock: Arc<dyn Clock>, tz: TimeZone, size: (u16, u16)) -> Self {
        Model {
            screen: Screen::Starting,
            help: false,
            flash: None,
            busy: Some(s::LOADING),
            spinner: 0,
            size,
            quit: false,
            clear_screen: false,
            session: None,
            report: None,
            clock,
            tz,
            last_touch: i64::MIN / 2,
            checking_expiry: false,
            memory_prepared: false,
            form_typed_at: i64::MIN / 2,
            strength_seq: 0,
            confirm_discard: false,
            saved_login: None,
            password_changed: false,
        }
    }

    /// What to ask for when the UI starts.
    pub fn init(&mut self) -> Vec<Effect> {
        vec![Effect::Backend(Request::Session { refresh: true })]
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The session's idle limit in seconds, as the session itself shows it.
    pub fn idle_secs(&self) -> i64 {
        self.session
            .as_ref()
            .map_or(0, |i| i.idle_expires_at - i.last_seen_at)
    }

    pub fn form(&self) -> Option<&Form> {
        match &self.screen {
            Screen::Login(f) | Screen::Signup(f) | Screen::ChangePassword(f) => Some(f),
            _ => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.screen {
            Screen::Login(f) | Screen::Signup(f) | Screen::ChangePassword(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the terminal is below the smallest size the UI draws in: only the "Terminal
    /// too small" message shows, so keys (but Ctrl-C and Ctrl-L) do nothing.
    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_W || self.size.1 < MIN_H
    }

    /// Whether a text field has focus (printable keys then type into it).
    pub fn typing(&self) -> bool {
        self.form().is_some_and(|f| !f.on_button())
    }

    pub fn authenticated(&self) -> bool {
        matches!(self.screen, Screen::Dashboard | Screen::ChangePassword(_))
    }

    fn flash(&mut self, kind: FlashKind, text: impl Into<String>) {
        let until = match kind {
            FlashKind::Error => None,
            _ => Some(self.now() + FLASH_SECS),
        };
        self.flash = Some(Flash {
            kind,
            text: text.into(),
            until,
            lockout_ends: None,
        });
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
            consider(secs(info.expires_at()) + Duration::from_millis(50));
        }
        if self.memory_prepared {
            consider(secs(self.form_typed_at + PREPARED_IDLE_SECS) + Duration::from_millis(50));
        }
        wake
    }

    /// Whether a form that runs Argon2 on submit (login, signup, password change) is shown.
    fn on_password_form(&self) -> bool {
        matches!(
            self.screen,
            Screen::Login(_) | Screen::Signup(_) | Screen::ChangePassword(_)
        )
    }

    fn go_login(&mut self, email: Option<&str>) {
        let mut form = Form::login();
        if let Some(e) = email {
            form.fields[0].set_text(e);
            form.focus = 1;
        }
        self.screen = Screen::Login(form);
        self.session = None;
        self.report = None;
        self.checking_expiry = false;
        self.confirm_discard = false;
        self.saved_login = None;
        self.password_changed = false;
    }

    /// Back from signup to the login form as it was left (its email kept).
    fn back_to_login(&mut self) {
        let form = self.saved_login.take().unwrap_or_else(Form::login);
        self.screen = Screen::Login(form);
        self.confirm_discard = false;
    }

    /// Walk-away safety: the next person finds a blank login form (no email of the last
    /// user), focus on Email.
    fn expire(&mut self) {
        self.end_session(s::SESSION_EXPIRED);
    }

    /// The store no longer has our session although its time is not up: another terminal
    /// logged out, or a password change elsewhere ended it.
    fn ended_elsewhere(&mut self) {
        self.end_session(s::LOGGED_OUT_ELSEWHERE);
    }

    fn end_session(&mut self, why: &str) {
        self.go_login(None);
        self.clear_screen = true;
        self.flash(FlashKind::Error, why.to_owned());
    }
}

/// Applies one message; returns the commands for the worker.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    // The Argon2 memory for the next login, signup or password change is prepared on the
    // first character typed or pasted on one of those forms, not when the form appears: an idle form then
    // holds no 64 MiB, and typing takes far longer than the preparation (milliseconds with
    // huge pages). The Argon2 run after Enter then finds its pages mapped.
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
    let typed_on_form = typed && m.on_password_form() && !m.too_small();
    if typed_on_form {
        m.form_typed_at = m.now();
    }
    let mut cmds = apply(m, msg);
    if typed_on_form && m.on_password_form() && !m.memory_prepared && !m.quit {
        m.memory_prepared = true;
        // First, so that a login submitted by this very key verifies in the prepared memory.
        cmds.insert(0, Effect::Backend(Request::PrepareMemory));
    }
    cmds
}

fn apply(m: &mut Model, msg: Msg) -> Vec<Effect> {
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
            // Ask the store whether our session is still there (not while the worker works
            // for a form: its answer must not be taken for this one).
            if m.authenticated() && !m.checking_expiry && m.busy.is_none() {
                m.checking_expiry = true;
                vec![Effect::Backend(Request::Session { refresh: false })]
            } else {
                vec![]
            }
        }
        Msg::Response(r) => on_response(m, r),
        Msg::Strength { id, strength } => {
            // Not the worker's answer: whatever the worker is doing, it still is.
            on_strength(m, id, strength);
            vec![]
        }
        Msg::Paste(text) => on_paste(m, text),
        Msg::Key(k) => on_key(m, k),
    }
}

fn on_tick(m: &mut Model) -> Vec<Effect> {
    let now = m.now();
    let mut cmds = vec![];
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
        cmds.push(Effect::Backend(Request::ReleaseMemory));
    }
    if m.flash
        .as_ref()
        .and_then(|f| f.until)
        .is_some_and(|t| t <= now)
    {
        m.flash = None;
    }
    if m.authenticated()
        && !m.checking_expiry
        && m.session.as_ref().is_some_and(|i| i.expires_at() <= now)
    {
        // Ask the store rather than trust our copy: another terminal may have used it.
        m.checking_expiry = true;
        cmds.push(Effect::Backend(Request::Session { refresh: false }));
    }
    cmds
}

fn on_paste(m: &mut Model, text: String) -> Vec<Effect> {
    if m.busy.is_some() || m.help || m.confirm_discard || m.too_small() {
        return vec![];
    }
    let Some(form) = m.form_mut() else {
        return vec![];
    };
    let i = form.focus;
    let Some(field) = form.fields.get_mut(i) else {
        return vec![];
    };
    match field.paste(text) {
        Edited::Changed => field_changed(m, i),
        Edited::TooLong => {
            field.error = Some(format!(
                "{} {}",
                s::PASTE_REFUSED,
                s::too_long(field.label, field.max_chars)
            ));
        }
        Edited::Unchanged => {}
    }
    vec![]
}

/// Ctrl-C: quits from anywhere, at once.
pub fn is_quit_key(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && key.code == KeyCode::Char('c')
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers == KeyModifiers::CONTROL && key.code == KeyCode::Char(c)
}

fn on_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return vec![];
    }
    if is_quit_key(&key) {
        m.quit = true;
        return vec![];
    }
    if is_ctrl(&key, 'l') {
        // Redraw: the runtime clears the terminal and repaints everything.
        m.clear_screen = true;
        return vec![];
    }
    // Below the minimum size nothing but "Terminal too small" shows: no key acts unseen.
    if m.busy.is_some() || m.too_small() {
        return vec![];
    }
    if m.flash.as_ref().is_some_and(|f| f.kind == FlashKind::Error) {
        m.flash = None;
    }
    let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
    if m.confirm_discard {
        match key.code {
            KeyCode::Char('y' | 'Y') if plain => m.back_to_login(),
            KeyCode::Char('n' | 'N') | KeyCode::Esc if plain => m.confirm_discard = false,
            _ => {}
        }
        return vec![];
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && plain && !m.typing()) {
        m.help = !m.help;
        return vec![];
    }
    if m.help {
        if matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) && plain {
            m.help = false;
        }
        return vec![];
    }
    if m.authenticated() && is_ctrl(&key, 'o') {
        m.busy = Some(s::LOGGING_OUT);
        return vec![Effect::Backend(Request::Logout)];
    }
    let mut cmds = touch(m);
    cmds.extend(match &m.screen {
        Screen::Starting => vec![],
        Screen::Dashboard => dashboard_key(m, key),
        Screen::Login(_) => login_key(m, key),
        Screen::Signup(_) => signup_key(m, key),
        Screen::ChangePassword(_) => password_key(m, key),
    });
    cmds
}

/// Activity on an authenticated screen keeps the session alive (at most every 30 s).
fn touch(m: &mut Model) -> Vec<Effect> {
    let now = m.now();
    if m.authenticated() && now - m.last_touch >= TOUCH_EVERY {
        m.last_touch = now;
        return vec![Effect::Backend(Request::Session { refresh: true })];
    }
    vec![]
}

fn dashboard_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
        return vec![];
    }
    match key.code {
        KeyCode::Char('p') => {
            m.screen = Screen::ChangePassword(Form::change_password());
            vec![]
        }
        KeyCode::Char('l') => {
            m.busy = Some(s::LOGGING_OUT);
            vec![Effect::Backend(Request::Logout)]
        }
        KeyCode::Char('q') => {
            m.quit = true;
            vec![]
        }
        _ => vec![],
    }
}

/// What a key did to a form.
enum FormAction {
    Nothing,
    Changed(usize),
    /// A character refused: the field is at its limit (the field says so).
    Refused,
    Left(usize),
    Submit,
}

fn form_key(form: &mut Form, key: KeyEvent) -> FormAction {
    let n = form.fields.len() + 1;
    let left = form.focus;
    match key.code {
        KeyCode::Tab | KeyCode::Down => {
            form.focus = (form.focus + 1) % n;
            FormAction::Left(left)
        }
        KeyCode::BackTab | KeyCode::Up => {
            form.focus = (form.focus + n - 1) % n;
            FormAction::Left(left)
        }
        KeyCode::Enter => FormAction::Submit,
        KeyCode::F(2) => {
            form.reveal = !form.reveal;
            FormAction::Nothing
        }
        _ => {
            let Some(field) = form.fields.get_mut(form.focus) else {
                return FormAction::Nothing;
            };
            match edit_request(key).map(|req| field.handle(req)) {
                Some(Edited::Changed) => FormAction::Changed(form.focus),
                Some(Edited::TooLong) => {
                    field.error = Some(s::too_long(field.label, field.max_chars));
                    FormAction::Refused
                }
                _ => FormAction::Nothing,
            }
        }
    }
}

fn login_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if is_ctrl(&key, 'n') {
        // The email typed so far comes back with Esc; the password does not wait meanwhile.
        let screen = std::mem::replace(&mut m.screen, Screen::Signup(Form::signup()));
        if let Screen::Login(mut form) = screen {
            form.clear_secrets();
            m.saved_login = Some(form);
        }
        return vec![];
    }
    let Screen::Login(form) = &mut m.screen else {
        return vec![];
    };
    match form_key(form, key) {
        FormAction::Changed(i) => {
            form.fields[i].error = None;
            vec![]
        }
        // Enter in Email goes on to Password (as ly and tuigreet do): a stray Enter is no
        // attempt.
        FormAction::Submit if form.focus == 0 => {
            form.focus = 1;
            vec![]
        }
        FormAction::Submit => {
            let email = form.fields[0].value().trim().to_owned();
            if email.is_empty() {
                form.fields[0].error = Some(s::required(s::LABEL_EMAIL));
            }
            if form.fields[1].secret_ref().is_some_and(|p| p.is_empty()) {
                // Refused here: the worker, the store and the throttle never see it.
                form.fields[1].error = Some(s::required(s::LABEL_PASSWORD));
            }
            if let Some(i) = form.first_error() {
                form.focus = i;
                return vec![];
            }
            let password = form.fields[1]
                .secret_mut()
                .map(|p| p.take())
                .unwrap_or_default();
            m.busy = Some(s::VERIFYING);
            vec![Effect::Backend(Request::Login { email, password })]
        }
        FormAction::Nothing | FormAction::Refused | FormAction::Left(_) => vec![],
    }
}

fn signup_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Screen::Signup(form) = &mut m.screen else {
        return vec![];
    };
    if key.code == KeyCode::Esc {
        let typed = form
            .fields
            .iter()
            .any(|f| !f.value().is_empty() || f.secret_ref().is_some_and(|p| !p.is_empty()));
        if typed {
            m.confirm_discard = true;
        } else {
            m.back_to_login();
        }
        return vec![];
    }
    match form_key(form, key) {
        FormAction::Changed(i) => {
            field_changed(m, i);
            vec![]
        }
        FormAction::Left(i) => {
            validate_signup_field(form, i, false);
            vec![]
        }
        FormAction::Submit => {
            for i in 0..form.fields.len() {
                validate_signup_field(form, i, true);
            }
            if let Some(i) = form.first_error() {
                form.focus = i;
                return vec![];
            }
            let name = form.fields[0].value().to_owned();
            let email = form.fields[1].value().to_owned();
            let password = form.fields[2]
                .secret_ref()
                .map(|p| p.to_password())
                .unwrap_or_default();
            m.busy = Some(s::CREATING);
            vec![Effect::Backend(Request::Signup {
                email,
                name,
                password,
            })]
        }
        FormAction::Nothing | FormAction::Refused => vec![],
    }
}

fn password_key(m: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        m.screen = Screen::Dashboard;
        return vec![];
    }
    let Screen::ChangePassword(form) = &mut m.screen else {
        return vec![];
    };
    match form_key(form, key) {
        FormAction::Changed(i) => {
            field_changed(m, i);
            vec![]
        }
        FormAction::Left(i) => {
            validate_password_field(form, i, false);
            vec![]
        }
        FormAction::Submit => {
            for i in 0..form.fields.len() {
                validate_password_field(form, i, true);
            }
            if let Some(i) = form.first_error() {
                form.focus = i;
                return vec![];
            }
            let take = |f: &FormField| f.secret_ref().map(|p| p.to_password()).unwrap_or_default();
            let (current, new) = (take(&form.fields[0]), take(&form.fields[1]));
            m.busy = Some(s::CHANGING);
            vec![Effect::Backend(Request::ChangePassword { current, new })]
        }
        FormAction::Nothing | FormAction::Refused => vec![],
    }
}

fn account_context(info: Option<&SessionInfo>) -> (String, String) {
    info.map(|i| (i.account.email.clone(), i.account.name.clone()))
        .unwrap_or_default()
}

/// After an edit: clear that field's error and mark the strength meter stale (it is asked
/// again once per frame by [`refresh`], not once per key).
fn field_changed(m: &mut Model, i: usize) {
    let Some(form) = m.form_mut() else {
        return;
    };
    form.fields[i].error = None;
    form.strength_stale = true;
}

/// The strength meter's password field on this screen, and where its context (email, name)
/// comes from: fields of the form, or the session's account when out of range.
fn meter_fields(screen: &Screen) -> Option<(usize, usize, usize)> {
    match screen {
        Screen::Signup(_) => Some((2, 1, 0)),
        Screen::ChangePassword(_) => Some((1, usize::MAX, usize::MAX)),
        _ => None,
    }
}

/// Brings derived state up to date before drawing: when the password (or its context) changed,
/// asks the strength meter again, once per frame however many keys came. The check runs on
/// the meter's thread ([`Effect::Meter`]); the meter shows "checking…" until it answers.
pub fn refresh(m: &mut Model) -> Vec<Effect> {
    let (email, name) = account_context(m.session.as_ref());
    let Some((pw_idx, email_idx, name_idx)) = meter_fields(&m.screen) else {
        return vec![];
    };
    let id = m.strength_seq + 1;
    let Some(form) = m.form_mut() else {
        return vec![];
    };
    if !std::mem::take(&mut form.strength_stale) {
        return vec![];
    }
    let email = form
        .fields
        .get(email_idx)
        .map_or(email, |f| f.value().to_owned());
    let name = form
        .fields
        .get(name_idx)
        .map_or(name, |f| f.value().to_owned());
    let password = match form.fields[pw_idx].secret_ref() {
        Some(p) if !p.is_empty() => p.to_password(),
        _ => {
            form.strength = None;
            form.strength_pending = None;
            return vec![];
        }
    };
    form.strength_pending = Some(id);
    m.strength_seq = id;
    vec![Effect::Meter(StrengthCheck {
        id,
        password,
        email,
        name,
    })]
}

/// Applies the meter's answer if it is for the latest request of the form on screen. When
/// the password field has been left meanwhile, its verdict also goes under the field, as
/// leaving it with a current verdict would have done.
fn on_strength(m: &mut Model, id: u64, strength: Strength) {
    let Some((pw_idx, _, _)) = meter_fields(&m.screen) else {
        return;
    };
    let Some(form) = m.form_mut() else {
        return;
    };
    if form.strength_pending != Some(id) {
        return;
    }
    form.strength_pending = None;
    if form.focus != pw_idx {
        let field = &mut form.fields[pw_idx];
        field.error = strength.problem.as_ref().map(|e| describe(field.label, e));
    }
    form.strength = Some(strength);
}

fn validate_signup_field(form: &mut Form, i: usize, submitting: bool) {
    let name = form.fields[0].value().to_owned();
    let email = form.fields[1].value().to_owned();
    let error = match i {
        0 => validate_name(&name)
            .err()
            .map(|e| describe(s::LABEL_NAME, &e)),
        1 => validate_email(&email)
            .err()
            .map(|e| describe(s::LABEL_EMAIL, &e)),
        2 => secret_problem(form, 2, submitting),
        3 => confirm_problem(form, 2, 3, submitting),
        _ => None,
    };
    if i < form.fields.len() {
        form.fields[i].error = error;
    }
}

fn validate_password_field(form: &mut Form, i: usize, submitting: bool) {
    let error = match i {
        0 => (submitting && form.fields[0].secret_ref().is_some_and(|p| p.is_empty()))
            .then(|| s::required(s::LABEL_CURRENT)),
        1 => secret_problem(form, 1, submitting),
        2 => confirm_problem(form, 1, 2, submitting),
        _ => None,
    };
    if i < form.fields.len() {
        form.fields[i].error = error;
    }
}

/// The policy's verdict on the password in field `i` (the meter's field), as the meter last
/// gave it. An empty field is skipped unless submitting. While the meter is still checking
/// there is no verdict yet: it goes under the field when it comes, and a submit goes ahead
/// (the worker checks the password again before anything is written).
fn secret_problem(form: &Form, i: usize, submitting: bool) -> Option<String> {
    let p = form.fields[i].secret_ref()?;
    if p.is_empty() {
        // Cheap: an empty password is refused before zxcvbn runs.
        return submitting
            .then(|| password_strength(&p.to_password(), "", ""))
            .and_then(|st| st.problem)
            .map(|e| describe(form.fields[i].label, &e));
    }
    if form.strength_stale || form.strength_pending.is_some() {
        return None;
    }
    let problem = form.strength.as_ref()?.problem.as_ref()?;
    Some(describe(form.fields[i].label, problem))
}

fn confirm_problem(form: &Form, pw: usize, confirm: usize, submitting: bool) -> Option<String> {
    let (a, b) = (
        form.fields[pw].secret_ref()?,
        form.fields[confirm].secret_ref()?,
    );
    if b.is_empty() && !submitting {
        return None;
    }
    (a.expose() != b.expose())
        .then(|| format!("{} {}", form.fields[confirm].label, s::PASSWORDS_DIFFER))
}

/// The text shown under a field for a validation error: "Email is not a valid email address.
/// Use the form name@example.com."
pub fn describe(label: &str, e: &crate::ValidationError) -> String {
    let mut text = format!("{label} {}", e.message);
    if let Some(h) = &e.hint {
        text.push(' ');
        text.push_str(h);
    }
    text
}

/// Puts the library's validation errors under the fields they are about.
fn place_errors(form: &mut Form, errors: &[crate::ValidationError], map: impl Fn(Field) -> usize) {
    for e in errors {
        let i = map(e.field);
        if let Some(f) = form.fields.get_mut(i) {
            f.error = Some(describe(f.label, e));
        }
    }
    if let Some(i) = form.first_error() {
        form.focus = i;
    }
}

fn on_response(m: &mut Model, response: Response) -> Vec<Effect> {
    m.busy = None;
    match response {
        // Never asked for by the UI: a backend bug, taken as a store we cannot read.
        r @ (Response::PasswordChangeBegun(_) | Response::Backup(_) | Response::Done) => {
            return on_response(m, Response::Session(Err(api::unexpected(r))));
        }
        Response::Session(r) => {
            m.checking_expiry = false;
            match r {
                Ok(Some(info)) => {
                    if matches!(m.screen, Screen::Starting) {
                        m.screen = Screen::Dashboard;
                        m.last_touch = m.now();
                    }
                    if m.authenticated() {
                        m.session = Some(info);
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
                    if matches!(m.screen, Screen::Starting) {
                        m.go_login(None);
                    }
                }
                Err(e) => {
                    if matches!(m.screen, Screen::Starting) {
                        m.go_login(None);
                    } else if m.authenticated() {
                        // Fail closed: a store we cannot read does not keep a session open.
                        m.expire();
                    }
                    m.flash(FlashKind::Error, e.to_string());
                }
            }
        }
        Response::Login(Ok(report)) => {
            // The worker frees the prepared memory after a successful login.
            m.memory_prepared = false;
            m.password_changed = false;
            m.session = Some(report.session.clone());
            m.report = Some(report);
            m.screen = Screen::Dashboard;
            m.last_touch = m.now();
            m.flash = None;
        }
        Response::Login(Err(e)) => {
            if let Screen::Login(form) = &mut m.screen {
                form.clear_secrets();
                form.focus = 1;
                if let Error::Invalid(errs) = &e {
                    place_errors(form, errs, |f| usize::from(f != Field::Email));
                    return vec![];
                }
            }
            let lockout_ends = match &e {
                Error::Throttled(wait) => Some(m.now().saturating_add(*wait as i64)),
                _ => None,
            };
            let text = match e {
                Error::InvalidCredentials => format!("{e} {}", s::CAPS_HINT),
                other => other.to_string(),
            };
            m.flash(FlashKind::Error, text);
            if let Some(flash) = m.flash.as_mut() {
                flash.lockout_ends = lockout_ends;
            }
        }
        Response::Signup(Ok(account)) => {
            m.go_login(Some(&account.email));
            m.flash(FlashKind::Success, s::ACCOUNT_CREATED);
        }
        Response::Signup(Err(e)) => {
            let Screen::Signup(form) = &mut m.screen else {
                return vec![];
            };
            match e {
                Error::Invalid(errs) => place_errors(form, &errs, |f| match f {
                    Field::Name => 0,
                    Field::Email => 1,
                    _ => 2,
                }),
                Error::EmailTaken => {
                    // A sentence of its own ("An account with this email already exists…").
                    form.fields[1].error = Some(e.to_string());
                    form.focus = 1;
                }
                other => m.flash(FlashKind::Error, other.to_string()),
            }
        }
        Response::Logout(Ok(_)) => {
            m.go_login(None);
            m.clear_screen = true;
            m.flash(FlashKind::Info, s::LOGGED_OUT);
        }
        Response::Logout(Err(e)) => m.flash(FlashKind::Error, e.to_string()),
        Response::PasswordChanged(Ok(ended)) => {
            // The worker frees the prepared memory after a password change.
            m.memory_prepared = false;
            m.screen = Screen::Dashboard;
            m.password_changed = true;
            m.flash(FlashKind::Success, s::password_changed(ended));
        }
        Response::PasswordChanged(Err(e)) => match e {
            Error::NoSession => m.expire(),
            e => {
                let Screen::ChangePassword(form) = &mut m.screen else {
                    return vec![];
                };
                match e {
                    Error::Invalid(errs) => place_errors(form, &errs, |f| match f {
                        Field::CurrentPassword => 0,
                        _ => 1,
                    }),
                    Error::CurrentPasswordIncorrect => {
                        form.fields[0].clear();
                        form.fields[0].error = Some(format!("{e} {}", s::CAPS_HINT));
                        form.focus = 0;
                    }
                    other => m.flash(FlashKind::Error, other.to_string()),
                }
            }
        },
    }
    vec![]
}

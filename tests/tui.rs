//! The terminal UI in-process: key sequences into `update`, worker commands executed against a
//! real store (cheap Argon2, manual clock), and every screen rendered into ratatui's TestBackend
//! and compared with an insta snapshot.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::PathBuf;
use std::sync::Arc;
use vaultty::api::{Request, Response};
use vaultty::tui::app::{Effect, Model, Msg, update};
use vaultty::tui::screens::login::{LoginField, LoginFields};
use vaultty::tui::screens::signup::{Signup, SignupField};
use vaultty::tui::screens::{Screen, ScreenId};
use vaultty::tui::widgets::form::{Fields, Focus, Form};
use vaultty::tui::widgets::status::{FLASH_SECS, FlashKind};
use vaultty::tui::{view::view, worker::execute};
use vaultty::{Accounts, HashParams, ManualClock, Options, Password};

const T0: i64 = 1_800_000_000; // 2027-01-15 08:00:00 UTC
const PW: &str = "correct horse battery staple lamp";
const EMAIL: &str = "ada@example.com";

struct Ui {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    clock: Arc<ManualClock>,
    vault: Accounts,
    model: Model,
}

impl Ui {
    fn options(clock: &Arc<ManualClock>) -> Options {
        Options {
            hash: HashParams::insecure_for_tests(64, 1, 1),
            clock: clock.clone(),
            ..Options::default()
        }
    }

    /// A started UI on a fresh store (on the login screen).
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let clock = Arc::new(ManualClock::new(T0));
        let vault = vaultty::open_with(&dir, Self::options(&clock)).unwrap();
        let model = Model::new(clock.clone(), jiff::tz::TimeZone::UTC, (80, 24));
        let mut ui = Ui {
            _tmp: tmp,
            dir,
            clock,
            vault,
            model,
        };
        let cmds = ui.model.init();
        ui.run(cmds);
        ui
    }

    fn with_account() -> Self {
        let ui = Self::new();
        ui.vault
            .signup(EMAIL, "Ada Lovelace", &Password::from(PW))
            .unwrap();
        ui
    }

    /// Executes the effects synchronously and feeds the answers back, until none remain.
    fn run(&mut self, mut cmds: Vec<Effect>) {
        while !cmds.is_empty() {
            let next: Vec<Effect> = cmds
                .drain(..)
                .filter_map(|c| execute(&self.vault, c))
                .flat_map(|reply| update(&mut self.model, reply))
                .collect();
            cmds = next;
        }
    }

    /// Sends a message, runs what it asks of the worker, and refreshes derived state as the
    /// runtime does before each frame (running the strength check it asks for at once).
    fn send(&mut self, msg: Msg) {
        let cmds = update(&mut self.model, msg);
        self.run(cmds);
        let cmds = vaultty::tui::app::refresh(&mut self.model);
        self.run(cmds);
    }

    /// Sends a message without running the commands it produces.
    fn send_only(&mut self, msg: Msg) -> Vec<Effect> {
        update(&mut self.model, msg)
    }

    fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    fn ctrl(&mut self, c: char) {
        self.key_mod(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Logs in (the vault opens), then Tab to the account panel (the former dashboard), where
    /// most of these tests start.
    fn login(&mut self) {
        self.login_vault();
        self.key(KeyCode::Tab);
        assert!(
            matches!(self.model.screen, Screen::Dashboard(_)),
            "on the account panel"
        );
    }

    /// From the vault just opened to the account panel.
    fn open_account(&mut self) {
        assert!(
            matches!(self.model.screen, Screen::Vault(_)),
            "on the vault"
        );
        self.key(KeyCode::Tab);
        assert!(matches!(self.model.screen, Screen::Dashboard(_)));
    }

    /// Logs in: the vault shows, its entries loaded.
    fn login_vault(&mut self) {
        self.type_str(EMAIL);
        self.key(KeyCode::Tab);
        self.type_str(PW);
        self.key(KeyCode::Enter);
        assert!(matches!(self.model.screen, Screen::Vault(_)), "logged in");
        assert!(self.model.busy.is_none(), "entries loaded");
    }

    fn focus_password(&mut self) {
        self.focus_field(1);
    }

    fn focus_field(&mut self, i: usize) {
        while self.form_focus() != i {
            self.key(KeyCode::Tab);
        }
    }

    /// One failed login through the form.
    fn fail_login(&mut self) {
        if self.login_form().email.value().is_empty() {
            self.type_str(EMAIL);
        }
        self.focus_password();
        self.type_str("wrong password entirely");
        self.key(KeyCode::Enter);
    }

    fn render(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view(&self.model, f)).unwrap();
        t
    }

    fn screen_text(&self) -> String {
        let t = self.render(80, 24);
        let buf = t.backend().buffer();
        let mut s = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    /// The focus's position in tab order (the button last).
    fn form_focus(&self) -> usize {
        self.model.form().expect("a form").focus_index()
    }

    /// The error under the field at position `i` in tab order.
    fn field_error(&self, i: usize) -> Option<String> {
        self.model.form().unwrap().fields()[i].error.clone()
    }

    /// The login form (the login screen must show).
    fn login_form(&self) -> &Form<LoginFields> {
        match &self.model.screen {
            Screen::Login(login) => &login.form,
            _ => panic!("not on the login screen"),
        }
    }

    /// The signup screen (it must show).
    fn signup(&self) -> &Signup {
        match &self.model.screen {
            Screen::Signup(signup) => signup,
            _ => panic!("not on the signup screen"),
        }
    }

    /// The store as vaultty opens it, for what the service does not offer.
    fn store(&self) -> vaultty::store::Store {
        vaultty::store::Store::open_in(&self.dir).unwrap()
    }

    fn accounts(&self) -> i64 {
        vaultty::store::accounts::count(self.store().conn()).unwrap()
    }

    /// The service on the same store and clock with a session file of its own: another
    /// terminal (or, with a shared store, another machine).
    fn terminal(&self, name: &str) -> Accounts {
        let mut o = Self::options(&self.clock);
        o.token_file = Some(self.dir.join(name));
        vaultty::open_with(&self.dir, o).unwrap()
    }
}

// ---- state --------------------------------------------------------------------------------

#[test]
fn starts_on_login_without_a_session_and_on_dashboard_with_one() {
    let mut ui = Ui::with_account();
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    ui.login();
    // a second UI on the same data dir opens the vault directly, asking for its entries
    let mut model = Model::new(ui.clock.clone(), jiff::tz::TimeZone::UTC, (80, 24));
    let mut asked = vec![];
    for c in model.init() {
        if let Some(r) = execute(&ui.vault, c) {
            asked.extend(update(&mut model, r));
        }
    }
    assert!(matches!(model.screen, Screen::Vault(_)));
    assert!(matches!(
        asked.as_slice(),
        [Effect::Backend(Request::VaultEntries)]
    ));
    // In another process (which never held the vault's key) the answer is "locked": the
    // password unlocks it.
    let other = vaultty::open_with(&ui.dir, Ui::options(&ui.clock)).unwrap();
    for c in asked {
        if let Some(r) = execute(&other, c) {
            update(&mut model, r);
        }
    }
    assert!(matches!(model.screen, Screen::Unlock(_)));
}

#[test]
fn focus_moves_with_tab_arrows_and_wraps() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    assert!(matches!(ui.model.screen, Screen::Signup(_)));
    assert_eq!(ui.form_focus(), 0);
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Down);
    assert_eq!(ui.form_focus(), 2);
    ui.key(KeyCode::Up);
    assert_eq!(ui.form_focus(), 1);
    ui.key(KeyCode::BackTab);
    ui.key(KeyCode::BackTab);
    assert_eq!(ui.form_focus(), 4, "wraps to the button");
    ui.key(KeyCode::Tab);
    assert_eq!(ui.form_focus(), 0);
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
}

#[test]
fn printable_keys_never_act_as_shortcuts_in_a_field() {
    let mut ui = Ui::with_account();
    ui.type_str("qlp?");
    assert!(!ui.model.quit);
    assert_eq!(ui.login_form().email.value(), "qlp?");
    ui.ctrl('u');
    assert_eq!(ui.login_form().email.value(), "");
    ui.login();
    ui.key(KeyCode::Char('p'));
    assert!(matches!(ui.model.screen, Screen::ChangePassword(_)));
    ui.type_str("lq");
    assert!(matches!(ui.model.screen, Screen::ChangePassword(_)));
    assert!(!ui.model.quit);
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('q'));
    assert!(ui.model.quit, "q quits from the dashboard");
    assert!(
        ui.vault.peek_session().unwrap().is_some(),
        "quitting keeps the session"
    );
}

#[test]
fn ctrl_c_quits_from_anywhere_even_while_busy() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    let cmds = ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(matches!(
        cmds.as_slice(),
        [Effect::Backend(Request::Login { .. })]
    ));
    assert!(
        ui.model.busy.is_some(),
        "the form is locked while verifying"
    );
    // keys are ignored while busy, except Ctrl-C
    ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('x'),
        KeyModifiers::NONE,
    )));
    assert_eq!(ui.login_form().email.value(), EMAIL);
    ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(ui.model.quit);
}

#[test]
fn key_release_events_are_ignored() {
    let mut ui = Ui::new();
    let mut k = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
    k.kind = KeyEventKind::Release;
    ui.send(Msg::Key(k));
    assert_eq!(ui.login_form().email.value(), "");
}

#[test]
fn signup_validates_on_leave_and_on_submit_and_writes_nothing() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada");
    ui.key(KeyCode::Tab);
    ui.type_str("not-an-email");
    ui.key(KeyCode::Tab);
    assert!(ui.field_error(1).unwrap().contains("not a valid email"));
    ui.type_str("short");
    ui.key(KeyCode::Tab);
    assert!(ui.field_error(2).is_some());
    ui.type_str("different");
    ui.key(KeyCode::Enter);
    assert!(
        matches!(ui.model.screen, Screen::Signup(_)),
        "still on signup"
    );
    assert_eq!(ui.form_focus(), 1, "focus on the first field in error");
    assert!(ui.field_error(3).unwrap().contains("does not match"));
    let form = &ui.signup().form;
    assert_eq!(form.name.value(), "Ada", "what was typed is kept");
    assert_eq!(form.password.secret_ref().unwrap().expose(), "short");
    assert_eq!(ui.accounts(), 0);
}

#[test]
fn signup_success_returns_to_login_with_email_and_flash() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada Lovelace");
    ui.key(KeyCode::Tab);
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::RecoveryCode(_)));
    ui.key(KeyCode::Enter);
    let Screen::Login(login) = &ui.model.screen else {
        panic!("expected the login screen");
    };
    assert_eq!(login.form.email.value(), EMAIL);
    assert_eq!(login.form.focus, Focus::Field(LoginField::Password));
    let flash = ui.model.flash.clone().unwrap();
    assert_eq!(
        (flash.kind, flash.text.as_str()),
        (FlashKind::Success, "Account created: log in")
    );
    assert_eq!(ui.accounts(), 1);
}

#[test]
fn duplicate_email_error_lands_under_email() {
    let mut ui = Ui::with_account();
    ui.ctrl('n');
    ui.type_str("Ada Again");
    ui.key(KeyCode::Tab);
    ui.type_str("ADA@example.com");
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    // A sentence of its own, not "Email An account …" (issue 13, item 15).
    assert_eq!(
        ui.field_error(1).unwrap(),
        "An account with this email already exists. Log in instead, or use another email."
    );
    assert_eq!(ui.form_focus(), 1);
}

#[test]
fn strength_meter_follows_typing() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada");
    ui.key(KeyCode::Tab);
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str("password");
    let st = ui.signup().meter.strength.clone().unwrap();
    assert!(st.problem.unwrap().message.contains("too common"));
    ui.ctrl('u');
    ui.type_str(PW);
    let st = ui.signup().meter.strength.clone().unwrap();
    assert!(st.acceptable());
    assert!(st.score >= 3);
}

#[test]
fn strength_is_computed_once_per_frame_not_per_key() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Tab);
    for c in PW.chars() {
        ui.send_only(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let meter = &ui.signup().meter;
    assert!(
        meter.stale && meter.strength.is_none(),
        "no zxcvbn run per key"
    );
    let cmds = vaultty::tui::app::refresh(&mut ui.model);
    assert!(
        matches!(cmds.as_slice(), [Effect::Meter(_)]),
        "one check for the whole burst: {cmds:?}"
    );
    let meter = &ui.signup().meter;
    assert!(!meter.stale);
    ui.run(cmds);
    assert!(ui.signup().meter.strength.as_ref().unwrap().acceptable());
}

/// Finding 9 of issue 12: zxcvbn took up to a second on the UI thread. The check is now a
/// request for the meter's thread; the meter shows "checking…" until the answer to the
/// latest request comes, and answers to older requests are dropped.
#[test]
fn ui_01_strength_check_leaves_the_ui_thread_and_the_latest_request_wins() {
    use vaultty::tui::app::refresh;
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada");
    ui.key(KeyCode::Tab);
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    let type_only = |ui: &mut Ui, text: &str| {
        for c in text.chars() {
            let cmds = ui.send_only(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
            assert!(cmds.is_empty(), "nothing for the worker while typing");
        }
    };
    type_only(&mut ui, "password");
    let first = refresh(&mut ui.model);
    assert!(matches!(first.as_slice(), [Effect::Meter(_)]), "{first:?}");
    let meter = &ui.signup().meter;
    assert!(meter.strength.is_none() && meter.pending.is_some());
    assert!(
        ui.screen_text().contains("Strength checking…"),
        "{}",
        ui.screen_text()
    );
    assert!(refresh(&mut ui.model).is_empty(), "asked once per change");

    type_only(&mut ui, " lamp violet tractor");
    let second = refresh(&mut ui.model);
    assert!(matches!(second.as_slice(), [Effect::Meter(_)]));
    // The answer about "password" comes late: it is stale and dropped.
    ui.run(first);
    let meter = &ui.signup().meter;
    assert!(meter.strength.is_none(), "a stale verdict was shown");
    assert!(ui.screen_text().contains("Strength checking…"));
    ui.run(second);
    let meter = &ui.signup().meter;
    assert_eq!(meter.pending, None);
    assert!(meter.strength.as_ref().unwrap().acceptable());
    assert!(!ui.screen_text().contains("checking…"));

    // Leaving the field before the verdict: no error yet, then the verdict lands under it.
    ui.ctrl('u');
    type_only(&mut ui, "password");
    let check = refresh(&mut ui.model);
    ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    assert_eq!(ui.form_focus(), 3);
    assert_eq!(
        ui.field_error(2),
        None,
        "no verdict before the meter answers"
    );
    ui.run(check);
    assert!(ui.field_error(2).unwrap().contains("too common"));
    // A meter answer never unlocks a form the worker is busy with.
    ui.key(KeyCode::BackTab);
    type_only(&mut ui, "x");
    let late = refresh(&mut ui.model);
    ui.model.busy = Some("Creating account…");
    ui.run(late);
    assert_eq!(ui.signup().meter.pending, None, "applied");
    assert!(ui.model.busy.is_some(), "the form stays locked");
}

/// Finding 9: every field takes at most its policy length (email 254, name 100, passwords
/// 256). A key past it is refused and a paste that would pass it is refused whole, each with
/// a message on the field; nothing is silently cut.
#[test]
fn ui_01_fields_refuse_input_past_their_policy_length() {
    use vaultty::auth::policy::{MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_PASSWORD_CHARS};
    let mut ui = Ui::new();
    // a 300 KB paste into Email: refused whole, in one step
    let started = std::time::Instant::now();
    ui.send(Msg::Paste("a".repeat(300_000)));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "the paste took {:?}",
        started.elapsed()
    );
    assert_eq!(ui.login_form().email.value(), "");
    assert_eq!(
        ui.field_error(0).as_deref(),
        Some("Paste refused: Email takes at most 254 characters.")
    );
    assert!(ui.screen_text().contains("at most 254 characters"));
    // a paste that fits goes in; one more key is refused with a message
    let fits = "a".repeat(MAX_EMAIL_CHARS - 12) + "@example.com";
    ui.send(Msg::Paste(fits.clone()));
    assert_eq!(ui.login_form().email.value(), fits);
    assert_eq!(ui.field_error(0), None, "a good paste clears the message");
    ui.key(KeyCode::Char('x'));
    assert_eq!(ui.login_form().email.value(), fits);
    assert_eq!(
        ui.field_error(0).as_deref(),
        Some("Email takes at most 254 characters.")
    );
    ui.key(KeyCode::Backspace);
    assert_eq!(ui.field_error(0), None, "editing clears it");

    // signup: name and both password fields
    ui.ctrl('n');
    ui.type_str(&"n".repeat(MAX_NAME_CHARS));
    ui.key(KeyCode::Char('n'));
    assert_eq!(
        ui.signup().form.name.value().chars().count(),
        MAX_NAME_CHARS
    );
    assert!(
        ui.field_error(0)
            .unwrap()
            .contains("at most 100 characters")
    );
    for field in [SignupField::Password, SignupField::Confirm] {
        while ui.signup().form.focus != Focus::Field(field) {
            ui.key(KeyCode::Tab);
        }
        ui.send(Msg::Paste("p".repeat(MAX_PASSWORD_CHARS + 1)));
        let secret = |ui: &Ui| ui.signup().form.get(field).secret_ref().unwrap().chars();
        let error = |ui: &Ui| ui.signup().form.get(field).error.clone();
        assert_eq!(secret(&ui), 0, "refused whole, never cut");
        assert!(error(&ui).unwrap().contains("at most 256 characters"));
        ui.send(Msg::Paste("é".repeat(MAX_PASSWORD_CHARS)));
        assert_eq!(secret(&ui), MAX_PASSWORD_CHARS);
        ui.key(KeyCode::Char('z'));
        assert_eq!(secret(&ui), MAX_PASSWORD_CHARS);
        assert!(error(&ui).unwrap().contains("at most 256 characters"));
        ui.ctrl('u');
    }
    // The refusal shows even where the meter explains a weak password under the field.
    ui.key(KeyCode::BackTab);
    ui.type_str("password");
    assert!(ui.screen_text().contains("too common"));
    ui.send(Msg::Paste("p".repeat(MAX_PASSWORD_CHARS)));
    let text = ui.screen_text();
    assert!(
        text.contains("Paste refused: Password takes at most 256"),
        "{text}"
    );
}

#[test]
fn failed_login_clears_password_and_says_caps_lock() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str("wrong password entirely");
    ui.key(KeyCode::Enter);
    let form = ui.login_form();
    assert!(form.password.secret_ref().unwrap().is_empty());
    assert_eq!(form.focus, Focus::Field(LoginField::Password));
    let flash = ui.model.flash.clone().unwrap();
    assert_eq!(flash.kind, FlashKind::Error);
    assert_eq!(
        flash.text,
        "Email or password is incorrect. Caps Lock or keyboard layout?"
    );
    // the error stays across time, and goes with the next key
    ui.clock.advance(60);
    ui.send(Msg::Tick);
    assert!(ui.model.flash.is_some());
    ui.type_str("c");
    assert!(ui.model.flash.is_none());
}

#[test]
fn success_flash_fades() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::Char('l'));
    assert_eq!(ui.model.flash.as_ref().unwrap().kind, FlashKind::Info);
    ui.clock.advance(FLASH_SECS - 1);
    ui.send(Msg::Tick);
    assert!(ui.model.flash.is_some());
    ui.clock.advance(1);
    ui.send(Msg::Tick);
    assert!(ui.model.flash.is_none());
}

#[test]
fn throttled_login_says_how_long_to_wait() {
    let mut ui = Ui::with_account();
    for _ in 0..5 {
        ui.fail_login();
    }
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    let flash = ui.model.flash.clone().unwrap();
    assert_eq!(flash.text, "Too many failed attempts. Try again in 60 s.");
}

#[test]
fn pw_10_paste_into_password_then_submit() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.send(Msg::Paste(format!("{PW}\n")));
    assert!(
        matches!(ui.model.screen, Screen::Login(_)),
        "a paste never submits"
    );
    assert!(ui.model.busy.is_none());
    assert!(!ui.screen_text().contains(PW));
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Vault(_)));
}

#[test]
fn pw_10_password_never_reaches_the_screen_buffer() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    for (i, c) in PW.chars().enumerate() {
        ui.key(KeyCode::Char(c));
        let text = ui.screen_text();
        // no run of 4+ password characters appears anywhere
        let typed: String = PW.chars().take(i + 1).collect();
        for w in typed.as_bytes().windows(4) {
            assert!(!text.contains(std::str::from_utf8(w).unwrap()), "{text}");
        }
        assert_eq!(text.matches('•').count(), i + 1);
    }
    // F2 reveals on request, and hides again
    ui.key(KeyCode::F(2));
    assert!(ui.screen_text().contains(PW));
    ui.key(KeyCode::F(2));
    assert!(!ui.screen_text().contains(PW));
}

#[test]
fn se_04_idle_expiry_returns_to_login() {
    let mut ui = Ui::with_account();
    ui.login();
    let expires = ui.model.session.as_ref().unwrap().expires_at();
    assert_eq!(expires, T0 + 15 * 60);
    let wake = ui.model.next_wake().expect("a wake-up at the expiry");
    assert!(wake.as_secs() <= 15 * 60 + 1);
    ui.clock.advance(15 * 60 + 1);
    ui.send(Msg::Tick);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "Session expired: log in again"
    );
    assert!(
        ui.model.clear_screen,
        "the dashboard is wiped from the terminal"
    );
    assert!(ui.vault.peek_session().unwrap().is_none());
}

/// Walk-away safety (finding 10 of issue 12): after the session expires, and after logout,
/// the next person finds a blank login form with focus on Email, not the last user's email.
#[test]
fn se_04_login_form_is_blank_after_idle_expiry_and_logout() {
    let blank = |ui: &Ui, case: &str| {
        let Screen::Login(login) = &ui.model.screen else {
            panic!("{case}: expected the login screen");
        };
        let form = &login.form;
        assert_eq!(form.email.value(), "", "{case}: the email is filled in");
        assert!(form.password.secret_ref().unwrap().is_empty(), "{case}");
        assert_eq!(
            form.focus,
            Focus::Field(LoginField::Email),
            "{case}: focus is not on Email"
        );
        assert!(
            !ui.screen_text().contains(EMAIL),
            "{case}: the email is on screen"
        );
    };
    let mut ui = Ui::with_account();
    ui.login();
    ui.clock.advance(15 * 60 + 1);
    ui.send(Msg::Tick);
    blank(&ui, "idle expiry");
    ui.login();
    ui.key(KeyCode::Char('l'));
    blank(&ui, "logout");
}

#[test]
fn se_04_activity_keeps_the_session_until_the_absolute_limit() {
    let mut ui = Ui::with_account();
    ui.login();
    for _ in 0..(12 * 6 - 1) {
        ui.clock.advance(10 * 60);
        ui.send(Msg::Tick);
        ui.key(KeyCode::Char('x')); // any key on the dashboard counts as use
        assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    }
    ui.clock.advance(10 * 60 + 1);
    ui.send(Msg::Tick);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
}

#[test]
fn login_screen_prepares_argon2_memory_on_the_first_key() {
    let mut ui = Ui::with_account();
    assert!(
        !ui.vault.hasher().is_prepared(),
        "an idle login screen holds no Argon2 memory"
    );
    ui.send(Msg::Tick);
    ui.send(Msg::Resize(80, 24));
    assert!(!ui.vault.hasher().is_prepared(), "only typing asks for it");
    ui.key(KeyCode::Char('a'));
    assert!(ui.vault.hasher().is_prepared(), "prepared on the first key");
    let cmds = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('b'),
        KeyModifiers::NONE,
    )));
    assert!(cmds.is_empty(), "asked for once, not per key");
    ui.ctrl('u');
    ui.login();
    // the runtime's worker releases it after a successful login; here we do it by hand
    ui.vault.hasher().release_prepared();
    ui.key(KeyCode::Char('l'));
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert!(
        !ui.vault.hasher().is_prepared(),
        "not before a key on the new login screen"
    );
    let cmds = ui.send_only(Msg::Paste("ada".into()));
    assert!(
        matches!(cmds.first(), Some(Effect::Backend(Request::PrepareMemory))),
        "prepared again after logout, on the first paste or key"
    );
}

#[test]
fn signup_and_password_change_forms_prepare_argon2_memory_on_the_first_key() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    assert!(
        !ui.vault.hasher().is_prepared(),
        "not for an untouched form"
    );
    let cmds = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('A'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(cmds.first(), Some(Effect::Backend(Request::PrepareMemory))),
        "the signup's hash gets prepared memory: {cmds:?}"
    );
    ui.run(cmds);
    assert!(ui.vault.hasher().is_prepared());
    ui.type_str("da Lovelace");
    ui.key(KeyCode::Tab);
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.accounts(), 1, "signed up in prepared memory");
    assert!(
        ui.vault.hasher().is_prepared(),
        "kept for the login that follows"
    );
    ui.key(KeyCode::Enter); // the recovery code, written down
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Vault(_)));
    // the runtime's worker frees it after a successful login; here we do it by hand
    ui.vault.hasher().release_prepared();
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Char('p'));
    assert!(matches!(ui.model.screen, Screen::ChangePassword(_)));
    let cmds = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('x'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(cmds.first(), Some(Effect::Backend(Request::PrepareMemory))),
        "the change form prepares it too: {cmds:?}"
    );
}

#[test]
fn prepared_memory_is_freed_a_minute_after_the_last_key_and_prepared_again_on_the_next() {
    use vaultty::tui::app::PREPARED_IDLE_SECS;
    let mut ui = Ui::with_account();
    ui.type_str("ada@");
    assert!(ui.vault.hasher().is_prepared(), "prepared on the first key");
    // Keys keep it: the minute counts from the last one.
    ui.clock.advance(PREPARED_IDLE_SECS - 10);
    ui.key(KeyCode::Char('x'));
    ui.clock.advance(PREPARED_IDLE_SECS - 1);
    let wake = ui.model.next_wake().expect("a wake-up to free the memory");
    assert!(wake <= std::time::Duration::from_secs(2), "{wake:?}");
    ui.send(Msg::Tick);
    assert!(
        ui.vault.hasher().is_prepared(),
        "kept until a minute after the last key"
    );
    ui.clock.advance(1);
    let cmds = ui.send_only(Msg::Tick);
    assert!(
        matches!(cmds.as_slice(), [Effect::Backend(Request::ReleaseMemory)]),
        "freed a minute after the last key: {cmds:?}"
    );
    ui.run(cmds);
    assert!(!ui.vault.hasher().is_prepared(), "the worker freed it");
    assert_eq!(ui.model.next_wake(), None, "and then nothing wakes the UI");
    // The next key prepares it again, so the login that follows still verifies in prepared
    // memory; what was typed stays.
    ui.key(KeyCode::Char('y'));
    assert!(
        ui.vault.hasher().is_prepared(),
        "prepared again on the next key"
    );
    assert_eq!(ui.login_form().email.value(), "ada@xy");
}

#[test]
fn idle_ui_has_no_wake_ups() {
    let ui = Ui::new();
    assert_eq!(
        ui.model.next_wake(),
        None,
        "nothing animates on an idle login screen"
    );
}

#[test]
fn logout_ends_the_session_and_clears_the_screen() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::Char('l'));
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert!(ui.model.clear_screen);
    assert!(ui.vault.peek_session().unwrap().is_none());
    assert!(!ui.dir.join("session").exists());
}

#[test]
fn change_password_from_the_dashboard() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::Char('p'));
    ui.type_str("not my password at all");
    ui.key(KeyCode::Tab);
    let new = "violet tractor sings under amber rain";
    ui.type_str(new);
    ui.key(KeyCode::Tab);
    ui.type_str(new);
    ui.key(KeyCode::Enter);
    assert!(
        ui.field_error(0)
            .unwrap()
            .contains("Current password is incorrect")
    );
    assert_eq!(ui.form_focus(), 0);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    assert_eq!(ui.model.flash.as_ref().unwrap().text, "Password changed");
    ui.vault.logout().unwrap();
    ui.vault.login(EMAIL, &Password::from(new)).unwrap();
}

#[test]
fn au_07_ui_and_cli_share_one_throttle() {
    let mut ui = Ui::with_account();
    // the CLI runs on the real clock: put the UI's clock there too
    ui.clock.set(vaultty::Clock::now(&vaultty::SystemClock));
    for _ in 0..3 {
        ui.fail_login();
    }
    // two failures through the real CLI on the same store
    for _ in 0..2 {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vaultty"))
            .arg("--data-dir")
            .arg(&ui.dir)
            .args(["login", "--email", EMAIL, "--password-stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin
                    .take()
                    .unwrap()
                    .write_all(b"wrong password entirely\n")?;
                c.wait()
            })
            .unwrap();
        assert_eq!(out.code(), Some(3));
    }
    ui.focus_password();
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(
        ui.model
            .flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("Too many failed attempts")
    );
}

#[test]
fn storage_error_at_session_check_fails_closed() {
    let mut ui = Ui::with_account();
    ui.login();
    let cmds = ui.send_only(Msg::Tick);
    assert!(cmds.is_empty());
    ui.send(Msg::Response(Response::Session(Err(
        vaultty::Error::storage("/x/vaultty.db", "is corrupt"),
    ))));
    assert!(matches!(ui.model.screen, Screen::Login(_)));
}

// ---- rendering ----------------------------------------------------------------------------

fn snapshot(ui: &Ui) -> String {
    format!("{}", ui.render(80, 24).backend())
}

#[test]
fn render_login_empty() {
    insta::assert_snapshot!(snapshot(&Ui::new()));
}

#[test]
fn render_login_error() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str("wrong password entirely");
    ui.key(KeyCode::Enter);
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_login_throttled() {
    let mut ui = Ui::with_account();
    for _ in 0..6 {
        ui.fail_login();
    }
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_signup_empty() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_signup_errors_and_meter() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.key(KeyCode::Tab);
    ui.type_str("ada@example");
    ui.key(KeyCode::Tab);
    ui.type_str("ada lovelace 1");
    ui.key(KeyCode::Enter);
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_dashboard_plain() {
    let mut ui = Ui::with_account();
    ui.login();
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_dashboard_failed_attempts_warning() {
    let mut ui = Ui::with_account();
    for _ in 0..2 {
        let _ = ui
            .vault
            .login(EMAIL, &Password::from("wrong password entirely"));
    }
    ui.login();
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_change_password() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::Char('p'));
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_help_overlay() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::F(1));
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_login_password_required() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Enter);
    ui.key(KeyCode::Enter);
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_login_help() {
    let mut ui = Ui::new();
    ui.key(KeyCode::F(1));
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_signup_discard_question() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada Lovelace");
    ui.key(KeyCode::Esc);
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_dashboard_failed_attempts_and_refusals() {
    let mut ui = Ui::with_account();
    for _ in 0..7 {
        let _ = ui
            .vault
            .login(EMAIL, &Password::from("wrong password entirely"));
    }
    ui.clock.advance(3600);
    ui.login();
    insta::assert_snapshot!(snapshot(&ui));
}

#[test]
fn render_too_small() {
    let ui = Ui::new();
    insta::assert_snapshot!(format!("{}", ui.render(50, 12).backend()));
}

#[test]
fn pw_07_signup_screen_has_no_hint_or_question_field() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    let labels: Vec<&str> = ui.signup().form.iter().map(|(_, f)| f.label).collect();
    assert_eq!(labels, ["Name", "Email", "Password", "Confirm password"]);
    let text = ui.screen_text().to_lowercase();
    for word in ["hint", "question", "answer", "reminder"] {
        assert!(!text.contains(word), "{word} on the signup screen");
    }
}

#[test]
fn se_07_logout_key_on_every_authenticated_screen() {
    let mut ui = Ui::with_account();
    ui.login();
    let footer = |ui: &Ui| ui.screen_text().lines().last().unwrap().to_owned();
    assert!(footer(&ui).contains("l log out"), "{}", footer(&ui));
    ui.key(KeyCode::Char('p'));
    assert!(footer(&ui).contains("Ctrl-O log out"), "{}", footer(&ui));
    ui.ctrl('o');
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert!(ui.vault.peek_session().unwrap().is_none());
    // and Ctrl-O on the dashboard too, beside l
    ui.login();
    ui.ctrl('o');
    assert!(matches!(ui.model.screen, Screen::Login(_)));
}

#[test]
fn tm_01_hostile_stored_name_is_neutralised_on_screen() {
    let mut ui = Ui::with_account();
    ui.store()
        .conn()
        .execute(
            "UPDATE accounts SET name = ?1",
            ["\x1b]52;c;ZWNobw==\x07\x1b[2J\u{9b}31m\u{202e}Eve"],
        )
        .unwrap();
    ui.login();
    let t = ui.render(80, 24);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        for c in cell.symbol().chars() {
            assert!(
                !vaultty::sanitize::is_unsafe_char(c),
                "{c:?} reached the screen"
            );
        }
    }
    assert!(ui.screen_text().contains("Eve"));
}

/// The key events a help or footer label names ("Ctrl-←" → Ctrl+Left); `None` for "paste",
/// which is not a key.
fn key_events(label: &str) -> Vec<Option<KeyEvent>> {
    let k = |code| Some(KeyEvent::new(code, KeyModifiers::NONE));
    let c = |code| Some(KeyEvent::new(code, KeyModifiers::CONTROL));
    label
        .split(" / ")
        .map(|name| match name {
            "paste" => None,
            "Enter" => k(KeyCode::Enter),
            "Esc" => k(KeyCode::Esc),
            "Tab" => k(KeyCode::Tab),
            "Shift-Tab" => Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            "←" => k(KeyCode::Left),
            "→" => k(KeyCode::Right),
            "Ctrl-←" => c(KeyCode::Left),
            "Ctrl-→" => c(KeyCode::Right),
            "Home" => k(KeyCode::Home),
            "End" => k(KeyCode::End),
            "Backspace" => k(KeyCode::Backspace),
            "Delete" => k(KeyCode::Delete),
            "↑" => k(KeyCode::Up),
            "↓" => k(KeyCode::Down),
            "PgUp" => k(KeyCode::PageUp),
            "PgDn" => k(KeyCode::PageDown),
            "F1" => k(KeyCode::F(1)),
            "F2" => k(KeyCode::F(2)),
            n if n.starts_with("Ctrl-") && n.chars().count() == 6 => c(KeyCode::Char(
                n.chars().last().unwrap().to_ascii_lowercase(),
            )),
            n if n.chars().count() == 1 => k(KeyCode::Char(n.chars().next().unwrap())),
            n => panic!("a key name the tests do not know: {n:?} (in {label:?})"),
        })
        .collect()
}

/// What a key can change, as one comparable string.
fn fingerprint(ui: &Ui, cmds: usize) -> String {
    let m = &ui.model;
    let form = m.form().map(|f| {
        let field = f.fields().get(f.focus_index()).copied();
        let secret = field
            .and_then(|x| x.secret_ref())
            .map(|p| p.expose().to_owned());
        (
            f.focus_index(),
            f.reveal(),
            field.map(|x| x.cursor_col()),
            secret,
        )
    });
    format!(
        "{}|{}|{}|{}|{}|{cmds}|{form:?}",
        ui.screen_text(),
        m.quit,
        m.clear_screen,
        m.help,
        m.confirm.is_some()
    )
}

/// A UI on each screen, with text in the focused field and the cursor inside it.
fn on_screen(keys: ScreenId) -> Ui {
    let mut ui = Ui::with_account();
    match keys {
        ScreenId::Login => {}
        ScreenId::Signup => ui.ctrl('n'),
        ScreenId::Dashboard => ui.login(),
        ScreenId::ChangePassword => {
            ui.login();
            ui.key(KeyCode::Char('p'));
        }
        ScreenId::Reset => ui.ctrl('r'),
        ScreenId::Sessions | ScreenId::Revoke => {
            // Three sessions, the middle one selected: every move changes the selection.
            for t in ["t2", "t3"] {
                ui.terminal(t).login(EMAIL, &Password::from(PW)).unwrap();
            }
            ui.login();
            ui.key(KeyCode::Char('s'));
            ui.key(KeyCode::Down);
            if keys == ScreenId::Revoke {
                ui.key(KeyCode::Char('r'));
            }
        }
        ScreenId::History => {
            for _ in 0..2 {
                let _ = ui
                    .vault
                    .login(EMAIL, &Password::from("wrong password entirely"));
            }
            ui.login();
            ui.key(KeyCode::Char('h'));
            ui.key(KeyCode::Down);
        }
        ScreenId::DeleteAccount => {
            ui.login();
            ui.key(KeyCode::Char('d'));
        }
        other => unreachable!("{other:?}: not a screen these tests drive"),
    }
    assert_eq!(
        ui.model.screen.id(),
        keys,
        "on_screen reached another screen"
    );
    if ui.model.form().is_some() {
        ui.send(Msg::Paste("ab cd ef".into()));
        ui.key(KeyCode::Left);
        ui.key(KeyCode::Left);
    }
    ui.model.clear_screen = false;
    ui
}

const ALL_KEYS: [ScreenId; 9] = [
    ScreenId::Login,
    ScreenId::Signup,
    ScreenId::ChangePassword,
    ScreenId::Dashboard,
    ScreenId::Reset,
    ScreenId::Sessions,
    ScreenId::Revoke,
    ScreenId::History,
    ScreenId::DeleteAccount,
];

/// Issue 13, item 9: help lists each key once, every key it and the footer name does
/// something on that screen, every footer has Ctrl-C and F1, and F2 is in the footer of every
/// form with a password.
#[test]
fn ui_02_every_key_in_help_and_footer_is_handled_and_listed_once() {
    for keys in ALL_KEYS {
        let help = keys.help();
        let mut names: Vec<&str> = help.iter().flat_map(|(k, _)| k.split(" / ")).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            n,
            "a key listed twice in the help of {keys:?}: {help:?}"
        );
        let footer = keys.footer();
        for (k, _) in &footer {
            for name in k.split(" / ") {
                assert!(
                    names.contains(&name),
                    "{name} in the footer of {keys:?} but not in help"
                );
            }
        }
        for must in ["Ctrl-C", "F1"] {
            assert!(
                footer.iter().any(|(k, _)| *k == must),
                "{must} not in {keys:?}'s footer"
            );
        }
        // at the smallest size too, the footer keeps F1, Ctrl-C and F2
        let ui = on_screen(keys);
        let t = ui.render(60, 20);
        let small: String = (0..60)
            .map(|x| t.backend().buffer()[(x, 19)].symbol().to_owned())
            .collect();
        for must in ["Ctrl-C quit", "F1 help"] {
            assert!(
                small.contains(must),
                "{must} not in {keys:?}'s footer at 60×20: {small}"
            );
        }
        let has_password = ui.model.form().is_some();
        assert_eq!(
            small.contains("F2 "),
            has_password,
            "{keys:?} at 60×20: {small}"
        );
        assert_eq!(
            footer.iter().any(|(k, _)| *k == "F2"),
            has_password,
            "{keys:?}"
        );
        for (label, _) in &help {
            for (name, key) in label.split(" / ").zip(key_events(label)) {
                let mut ui = on_screen(keys);
                let before = fingerprint(&ui, 0);
                let cmds = match key {
                    Some(k) => ui.send_only(Msg::Key(k)),
                    None => ui.send_only(Msg::Paste("x".into())),
                };
                assert_ne!(
                    fingerprint(&ui, cmds.len()),
                    before,
                    "{name} ({label}) does nothing on {keys:?}"
                );
            }
        }
    }
}

/// Issue 14, item 6: one keymap (`keys::BINDINGS`) drives key handling, the footer and the
/// help, so they cannot disagree. On every screen, with a text field focused and without,
/// every binding the screen answers is in the help it shows (in the key column, or named in
/// the row's text for another key doing the same), each key once; every key the help and the
/// footer name is bound on that screen. The help names the keys that close it, and the
/// question's footer its answers. (While the vault opens the UI is busy: no key but Ctrl-C
/// and Ctrl-L works, and the footer shows the login's keys to come.)
#[test]
fn ui_02_every_binding_is_in_the_help_and_every_hint_is_bound() {
    use vaultty::tui::keys::{self, BINDINGS, Layer};
    use vaultty::tui::widgets::confirm::Confirm;
    for &id in ScreenId::ALL {
        if id == ScreenId::Starting {
            continue;
        }
        assert_keymap_consistent(&format!("{id:?}"), id.info());
    }
    let close = keys::help_close();
    for b in BINDINGS.iter().filter(|b| b.layer == Layer::Help) {
        assert!(close.contains(&b.on.name()), "{close:?}");
    }
    let answers = Confirm::DISCARD.footer();
    for b in BINDINGS.iter().filter(|b| b.layer == Layer::Confirm) {
        assert!(
            answers.iter().any(|h| h.key == (b.layer, b.action)),
            "{} ({:?}) answers the question but is not in its footer",
            b.on.name(),
            b.action
        );
    }
    // `?` on a form's button opens the help, and that help lists it.
    let mut ui = Ui::new();
    ui.key(KeyCode::BackTab);
    ui.key(KeyCode::Char('?'));
    assert!(ui.model.help);
    let text = ui.screen_text();
    assert!(
        text.contains("?                   this help (as F1)"),
        "{text}"
    );
}

/// Every binding of the layers `info` declares is in its help (an alias named in the row's
/// text), each key once, and every key its help and footer name is bound there.
fn assert_keymap_consistent(name: &str, info: &vaultty::tui::screens::Info) {
    use vaultty::tui::keys::{Action, BINDINGS, Layer};
    let bound = |layers: &[Layer], key: (Layer, Action)| {
        layers.contains(&key.0)
            && BINDINGS
                .iter()
                .any(|b| (b.layer, b.action) == key && !b.alias)
    };
    let states: &[bool] = if info.starts_in_text() {
        &[true, false]
    } else {
        &[false]
    };
    for &text_focus in states {
        let active = info.active_layers(text_focus);
        let rows = info.help_rows(text_focus);
        let shown = info.help_shown(text_focus);
        let case = format!("{name} (a text field focused: {text_focus})");
        for b in BINDINGS.iter().filter(|b| active.contains(&b.layer)) {
            let name = b.on.name();
            let Some((_, (label, what))) = rows
                .iter()
                .zip(&shown)
                .find(|(row, _)| row.keys.contains(&(b.layer, b.action)))
            else {
                panic!(
                    "{case}: {name} ({:?}) works but is not in the help",
                    b.action
                );
            };
            if b.alias {
                assert!(what.contains(&name), "{case}: {name} not named in {what:?}");
            } else {
                assert!(
                    label.split(" / ").any(|k| k == name),
                    "{case}: {name} not in {label:?}"
                );
            }
        }
        for (row, (label, _)) in rows.iter().zip(&shown) {
            for &key in row.keys {
                assert!(
                    bound(&active, key),
                    "{case}: {label} ({key:?}) is bound nowhere"
                );
            }
        }
        let mut names: Vec<&str> = shown.iter().flat_map(|(k, _)| k.split(" / ")).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "{case}: a key listed twice: {shown:?}");
    }
    let active = info.active_layers(info.starts_in_text());
    for hint in info.footer {
        assert!(
            bound(&active, hint.key),
            "{name}: {hint:?} is bound nowhere"
        );
    }
}

/// Issue 13, item 9: `?` opens help where no text field has focus (the dashboard, a form's
/// button) and types a `?` in a field; q and Esc close it.
#[test]
fn ui_02_question_mark_opens_help_where_nothing_is_typed_and_q_or_esc_close_it() {
    let mut ui = Ui::with_account();
    ui.key(KeyCode::Char('?'));
    assert!(!ui.model.help);
    assert_eq!(ui.login_form().email.value(), "?");
    ui.ctrl('u');
    ui.key(KeyCode::BackTab);
    assert!(ui.model.form().unwrap().on_button());
    ui.key(KeyCode::Char('?'));
    assert!(ui.model.help, "? on the button opens help");
    ui.key(KeyCode::Char('q'));
    assert!(
        !ui.model.help && !ui.model.quit,
        "q closes help, and only that"
    );
    ui.key(KeyCode::Tab);
    ui.login();
    for close in [KeyCode::Char('q'), KeyCode::Esc] {
        ui.key(KeyCode::Char('?'));
        assert!(ui.model.help);
        let text = ui.screen_text();
        assert!(text.contains("Esc, q or F1 closes this help"), "{text}");
        ui.key(close);
        assert!(!ui.model.help && !ui.model.quit, "{close:?} closes help");
        assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    }
}

/// Issue 13, item 9: a word jump (Ctrl-←/→) and Ctrl-W do the same in a password field as in
/// a text field; password fields used to stop only at spaces.
#[test]
fn ui_02_word_jumps_behave_the_same_in_every_field() {
    let text = "ada.love-lace@ex ample";
    let mut ui = Ui::new();
    let mut seen = vec![];
    for field in 0..2 {
        ui.focus_field(field);
        ui.send(Msg::Paste(text.into()));
        let mut trace = vec![];
        let col = |ui: &Ui| ui.model.form().unwrap().fields()[field].cursor_col();
        for _ in 0..5 {
            ui.key_mod(KeyCode::Left, KeyModifiers::CONTROL);
            trace.push(col(&ui));
        }
        for _ in 0..3 {
            ui.key_mod(KeyCode::Right, KeyModifiers::CONTROL);
            trace.push(col(&ui));
        }
        ui.ctrl('w');
        trace.push(col(&ui));
        seen.push(trace);
    }
    assert_eq!(seen[0], seen[1], "Email, then Password");
    ui.key(KeyCode::F(2));
    let f = ui.login_form();
    assert_eq!(f.password.secret_ref().unwrap().expose(), f.email.value());
}

/// Issue 13, item 3: while "Terminal too small" shows, Esc and `l` used to log the user out
/// unseen. Only Ctrl-C (and Ctrl-L, which redraws) do anything there.
#[test]
fn ui_02_too_small_screen_ignores_every_key_but_ctrl_c() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.send(Msg::Resize(59, 24));
    let session = ui.vault.peek_session().unwrap();
    assert!(session.is_some());
    let keys = [
        KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL),
        KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    ];
    for k in keys {
        let cmds = ui.send_only(Msg::Key(k));
        assert!(cmds.is_empty(), "{k:?} asked the worker for {cmds:?}");
        assert!(matches!(ui.model.screen, Screen::Dashboard(_)), "{k:?}");
        assert!(!ui.model.quit && !ui.model.help, "{k:?}");
    }
    assert_eq!(ui.vault.peek_session().unwrap(), session, "still logged in");
    // on the login form, nothing is typed and no memory is prepared
    ui.send(Msg::Resize(80, 24));
    ui.key(KeyCode::Char('l'));
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    ui.send(Msg::Resize(80, 19));
    for msg in [
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)),
        Msg::Paste("ada".into()),
        Msg::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
    ] {
        assert!(ui.send_only(msg).is_empty());
    }
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(ui.login_form().email.value(), "");
    ui.ctrl('c');
    assert!(ui.model.quit, "Ctrl-C still quits");
}

/// Issue 13, item 6: Ctrl-L redraws (clears and repaints) on every screen, and logs out
/// nowhere; logging out is `l` on the dashboard and Ctrl-O on both authenticated screens.
#[test]
fn ui_02_ctrl_l_redraws_and_never_logs_out() {
    let mut ui = Ui::with_account();
    ui.type_str("ada");
    ui.ctrl('l');
    assert!(ui.model.clear_screen, "the runtime clears and repaints");
    assert_eq!(ui.login_form().email.value(), "ada");
    ui.model.clear_screen = false;
    ui.ctrl('u');
    ui.login();
    for screen in ["dashboard", "change password"] {
        if screen == "change password" {
            ui.key(KeyCode::Char('p'));
        }
        let cmds = ui.send_only(Msg::Key(KeyEvent::new(
            KeyCode::Char('l'),
            KeyModifiers::CONTROL,
        )));
        assert!(cmds.is_empty(), "{screen}: {cmds:?}");
        assert!(
            ui.model.clear_screen && ui.model.authenticated(),
            "{screen}"
        );
        ui.model.clear_screen = false;
    }
    assert!(ui.vault.peek_session().unwrap().is_some());
}

/// Issue 13, item 4: Enter in Email moves to Password, and an empty password is refused on the
/// form ("Password is required."), like an empty email: the worker gets nothing, so neither
/// the store nor the throttle sees an attempt.
#[test]
fn au_12_enter_in_email_moves_on_and_an_empty_password_sends_nothing() {
    let mut ui = Ui::with_account();
    let events = |ui: &Ui| -> i64 {
        ui.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM auth_events WHERE outcome LIKE 'login%'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    ui.type_str(EMAIL);
    let enter = || Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let cmds = ui.send_only(enter());
    assert!(cmds.is_empty(), "Enter in Email sent {cmds:?}");
    assert_eq!(ui.form_focus(), 1, "Enter in Email goes to Password");
    assert_eq!(ui.field_error(1), None);
    for _ in 0..3 {
        let cmds = ui.send_only(enter());
        assert!(cmds.is_empty(), "an empty password was sent: {cmds:?}");
    }
    assert_eq!(ui.field_error(1).as_deref(), Some("Password is required."));
    assert_eq!(ui.form_focus(), 1);
    assert!(ui.model.busy.is_none());
    let text = ui.screen_text();
    assert!(text.contains("✗ Password is required."), "{text}");
    assert_eq!(events(&ui), 0, "no attempt recorded");
    // an empty email and password: both say so, focus on the first
    ui.key(KeyCode::BackTab);
    ui.ctrl('u');
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Tab);
    assert!(ui.send_only(enter()).is_empty());
    assert_eq!(ui.field_error(0).as_deref(), Some("Email is required."));
    assert_eq!(ui.field_error(1).as_deref(), Some("Password is required."));
    assert_eq!(ui.form_focus(), 0);
    // typing clears the message; a real attempt still goes through
    ui.type_str(EMAIL);
    ui.key(KeyCode::Enter);
    ui.type_str(PW);
    assert_eq!(ui.field_error(1), None);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Vault(_)));
    assert_eq!(ui.model.report.as_ref().unwrap().failed_attempts, 0);
    assert_eq!(events(&ui), 1);
}

/// Issue 13, item 5: the warning counts failed logins only, says apart how many attempts were
/// refused while locked, and drops its advice once the password has been changed.
#[test]
fn lg_02_dashboard_warning_counts_failed_logins_and_refusals_apart() {
    let mut ui = Ui::with_account();
    for _ in 0..5 {
        ui.fail_login();
    }
    ui.fail_login(); // refused while locked
    assert!(
        ui.model
            .flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("Too many")
    );
    ui.clock.advance(3600);
    ui.focus_field(1);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    ui.open_account();
    let text = ui.screen_text();
    assert!(
        text.contains("⚠ 5 failed login attempts since your signup."),
        "{text}"
    );
    assert!(
        text.contains("Also 1 attempt refused while locked."),
        "{text}"
    );
    assert!(text.contains("change your password now"), "{text}");
    ui.key(KeyCode::Char('p'));
    ui.type_str(PW);
    ui.key(KeyCode::Tab);
    let new = "violet tractor sings under amber rain";
    ui.type_str(new);
    ui.key(KeyCode::Tab);
    ui.type_str(new);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    let text = ui.screen_text();
    assert!(text.contains("5 failed login attempts"), "{text}");
    assert!(
        !text.contains("change your password now"),
        "advice after the change:\n{text}"
    );
}

/// Issue 13, item 10: the email typed on the login form survives Ctrl-N then Esc (its
/// password does not wait meanwhile).
#[test]
fn ui_03_login_email_survives_a_visit_to_signup() {
    let mut ui = Ui::with_account();
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str("half a passw");
    ui.ctrl('n');
    assert!(matches!(ui.model.screen, Screen::Signup(_)));
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    let f = ui.login_form();
    assert_eq!(f.email.value(), EMAIL);
    assert!(f.password.secret_ref().unwrap().is_empty());
    // after logout the form is blank again (walk-away safety)
    ui.focus_field(1);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    ui.ctrl('o');
    assert_eq!(ui.login_form().email.value(), "");
    ui.ctrl('n');
    ui.key(KeyCode::Esc);
    assert_eq!(ui.login_form().email.value(), "");
}

/// Issue 13, item 10: Esc on a signup form with something typed asks before discarding it;
/// n (or Esc) keeps typing, y discards. An empty form goes back at once.
#[test]
fn ui_03_esc_on_a_signup_form_with_content_asks_first() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada");
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::Signup(_)));
    assert!(ui.model.confirm.is_some());
    let text = ui.screen_text();
    assert!(text.contains("Discard what you typed? y / n"), "{text}");
    let footer = text.lines().last().unwrap();
    for k in ["y discard", "n / Esc keep typing", "Ctrl-C quit"] {
        assert!(footer.contains(k), "{k} not in the footer: {footer}");
    }
    ui.type_str("x");
    assert_eq!(
        ui.signup().form.name.value(),
        "Ada",
        "other keys do nothing"
    );
    ui.key(KeyCode::Char('n'));
    assert!(ui.model.confirm.is_none());
    ui.type_str("!");
    assert_eq!(ui.signup().form.name.value(), "Ada!");
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::Signup(_)) && ui.model.confirm.is_none());
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('y'));
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    ui.ctrl('n');
    ui.key(KeyCode::Esc);
    assert!(
        matches!(ui.model.screen, Screen::Login(_)),
        "an empty form goes back at once"
    );
}

#[test]
fn help_lists_every_key_of_the_screen() {
    let mut ui = Ui::new();
    ui.key(KeyCode::F(1));
    let text = ui.screen_text();
    for k in [
        "Ctrl-N",
        "Enter",
        "Tab",
        "Shift-Tab",
        "F2",
        "Ctrl-U",
        "F1",
        "Esc, q or F1 closes this help",
    ] {
        assert!(text.contains(k), "{k} missing from help:\n{text}");
    }
    ui.key(KeyCode::Esc);
    assert!(!ui.model.help);
}

/// Issue 13, item 14: the lock message counts down while it is shown, and says when the lock is
/// over, waking once a second only while it does.
#[test]
fn ui_05_the_lock_message_counts_down() {
    let mut ui = Ui::with_account();
    for _ in 0..5 {
        ui.fail_login();
    }
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "Too many failed attempts. Try again in 60 s."
    );
    assert_eq!(
        ui.model.next_wake(),
        Some(std::time::Duration::from_secs(1))
    );
    ui.clock.advance(25);
    ui.send(Msg::Tick);
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "Too many failed attempts. Try again in 35 s."
    );
    ui.clock.advance(35);
    ui.send(Msg::Tick);
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "The lock is over: you can try again."
    );
    assert_eq!(ui.model.next_wake(), None, "nothing left to count");
}

/// The longest email (254 octets) and name (100 characters) the rules allow.
fn longest_identity() -> (String, String) {
    let email = format!(
        "{}@{}.{}.{}.com",
        "a".repeat(64),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(57)
    );
    assert_eq!(email.len(), 254);
    let name: String = "Maximiliana Wolkenstein "
        .repeat(5)
        .chars()
        .take(100)
        .collect();
    (email, name.trim_end().to_owned())
}

/// Issue 13, item 8: a 254-character email and a 100-character name used to overwrite the
/// header and push lines out of the dashboard card. At 80×24 and at 60×20 the header keeps its
/// title, and every row of the card stays inside it.
#[test]
fn ui_06_longest_values_fit_the_dashboard_at_every_size() {
    let (email, name) = longest_identity();
    let mut ui = Ui::new();
    ui.vault.signup(&email, &name, &Password::from(PW)).unwrap();
    ui.type_str(&email);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    ui.open_account();
    for (w, h) in [(80, 24), (60, 20)] {
        ui.send(Msg::Resize(w, h));
        let t = ui.render(w, h);
        let buf = t.backend().buffer();
        let row = |y: u16| -> String { (0..w).map(|x| buf[(x, y)].symbol()).collect() };
        let screen: Vec<String> = (0..h).map(row).collect();
        let all = screen.join("\n");
        assert!(
            screen[0].contains("Dashboard"),
            "the header lost its title at {w}×{h}:\n{all}"
        );
        for must in [
            "Welcome,",
            "Email",
            "Role",
            "Member since",
            "Session ends",
            "at the latest",
        ] {
            assert!(
                all.contains(must),
                "{must:?} pushed out of the card at {w}×{h}:\n{all}"
            );
        }
        assert!(
            all.contains("Ctrl-C"),
            "the footer lost its way out at {w}×{h}:\n{all}"
        );
        // The card closes below its last row.
        let bottom = screen
            .iter()
            .position(|l| l.contains('╰'))
            .expect("card bottom");
        let latest = screen
            .iter()
            .position(|l| l.contains("at the latest"))
            .unwrap();
        assert!(
            latest < bottom,
            "a row is drawn over the border at {w}×{h}:\n{all}"
        );
        insta::assert_snapshot!(
            format!("longest_dashboard_{w}x{h}"),
            format!("{}", t.backend())
        );
    }
}

// ---- the minimum size (issue 13, item 8) ---------------------------------------------------

/// The screen at `w`×`h` as rows of text.
fn screen_rows(ui: &Ui, w: u16, h: u16) -> Vec<String> {
    let t = ui.render(w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// Issue 13, item 8: the footer dropped hints from its end until it fitted, so at 60 columns
/// signup lost "Esc back" and the change-password form "Ctrl-O log out". It drops by
/// priority: the way out stays on every screen at every size, the screen's own keys go first.
#[test]
fn ui_09_footer_keeps_its_way_out_on_every_screen_at_every_size() {
    let mut cases: Vec<(String, Ui, Vec<&str>)> = vec![];
    for keys in ALL_KEYS {
        let ways_out = match keys {
            ScreenId::Login => vec!["Ctrl-C quit"],
            ScreenId::Signup => vec!["Ctrl-C quit", "Esc back"],
            ScreenId::ChangePassword => vec!["Ctrl-C quit", "Esc back", "Ctrl-O log out"],
            ScreenId::Dashboard => vec!["Ctrl-C quit", "l log out"],
            ScreenId::Reset => vec!["Ctrl-C quit", "Esc back"],
            ScreenId::Sessions | ScreenId::History => {
                vec!["Ctrl-C quit", "Esc back", "Ctrl-O log out"]
            }
            ScreenId::Revoke => vec!["Ctrl-C quit", "Esc cancel", "Ctrl-O log out"],
            ScreenId::DeleteAccount => vec!["Ctrl-C quit", "Esc back", "Ctrl-O log out"],
            other => unreachable!("{other:?}: not a screen these tests drive"),
        };
        cases.push((format!("{keys:?}"), on_screen(keys), ways_out.clone()));
        let mut revealed = on_screen(keys);
        revealed.key(KeyCode::F(2));
        cases.push((format!("{keys:?} after F2"), revealed, ways_out));
    }
    let mut asking = on_screen(ScreenId::Signup);
    asking.key(KeyCode::Esc);
    assert!(asking.model.confirm.is_some());
    cases.push((
        "the discard question".into(),
        asking,
        vec!["Ctrl-C quit", "n / Esc keep typing", "y discard"],
    ));
    for (what, mut ui, ways_out) in cases {
        for (w, h) in [(80, 24), (60, 20)] {
            ui.send(Msg::Resize(w, h));
            let screen = screen_rows(&ui, w, h);
            let footer = &screen[usize::from(h) - 1];
            for way in &ways_out {
                assert!(
                    footer.contains(way),
                    "{way:?} missing from the footer of {what} at {w}×{h}: {footer}"
                );
            }
        }
    }
}

/// `text` with every run of whitespace (and the borders of cards and the help, and the
/// line breaks of wrapping) as one space, so a wrapped message reads as one line.
fn flat(text: &str) -> String {
    text.replace(['│', '║'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is wrong with each field in error, without the field's name: the error under the
/// field reads "Confirm password does not match…", the strength meter's explanation
/// "Password is too short…" for the field "New password".
fn error_texts(ui: &Ui) -> Vec<String> {
    ui.model
        .form()
        .unwrap()
        .fields()
        .into_iter()
        .filter_map(|f| {
            let e = f.error.as_deref()?;
            Some(e.strip_prefix(f.label).unwrap_or(e).trim().to_owned())
        })
        .collect()
}

/// The rows of the card, borders included.
fn card_rows(screen: &[String]) -> &[String] {
    let top = screen
        .iter()
        .position(|l| l.contains('╭'))
        .expect("card top");
    let bottom = screen
        .iter()
        .position(|l| l.contains('╰'))
        .expect("card bottom");
    &screen[top..=bottom]
}

/// Every error of the form shows whole on screen at `w`×`h` (wrapped, not shortened).
fn assert_errors_whole(ui: &Ui, w: u16, h: u16) {
    let screen = screen_rows(ui, w, h);
    let all = screen.join("\n");
    let card = flat(&card_rows(&screen).join("\n"));
    let errors = error_texts(ui);
    assert!(!errors.is_empty(), "no error to show at {w}×{h}:\n{all}");
    for e in errors {
        assert!(
            card.contains(&flat(&e)),
            "{e:?} is not whole at {w}×{h}:\n{all}"
        );
    }
}

/// Signup filled with the longest name and email the rules allow (pasted, as a user would).
fn signup_filled(name: &str, email: &str, password: &str, confirm: &str) -> Ui {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.send(Msg::Paste(name.into()));
    ui.key(KeyCode::Tab);
    ui.send(Msg::Paste(email.into()));
    ui.key(KeyCode::Tab);
    ui.type_str(password);
    ui.key(KeyCode::Tab);
    ui.type_str(confirm);
    ui
}

/// 13 characters: too short, and nothing else wrong with it.
const SHORT_PW: &str = "tangerine-ott";

/// The longest values, a too-short password and a confirmation that differs, submitted.
fn signup_longest_with_errors() -> Ui {
    let (email, name) = longest_identity();
    let mut ui = signup_filled(&name, &email, SHORT_PW, "tangerine-otx");
    ui.key(KeyCode::Enter);
    assert!(ui.field_error(2).unwrap().contains("too short"));
    assert!(ui.field_error(3).unwrap().contains("does not match"));
    ui
}

/// The longest values, taken already: the store's error lands under Email.
fn signup_longest_email_taken() -> Ui {
    let (email, name) = longest_identity();
    let mut ui = signup_filled(&name, &email, PW, PW);
    ui.vault.signup(&email, &name, &Password::from(PW)).unwrap();
    ui.key(KeyCode::Enter);
    assert!(ui.field_error(1).unwrap().contains("already exists"));
    ui
}

/// Logged in with the longest values, on the change-password form.
fn change_password_longest() -> Ui {
    let (email, name) = longest_identity();
    let mut ui = Ui::new();
    ui.vault.signup(&email, &name, &Password::from(PW)).unwrap();
    ui.send(Msg::Paste(email));
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    ui.open_account();
    ui.key(KeyCode::Char('p'));
    ui
}

/// Issue 13, item 8: at 60×20 a signup error was cut ("…") or hidden while the form kept blank
/// spacer rows. Blank rows now go first: every message shows whole, wrapped, whenever the rows
/// allow. When even without a blank row it cannot all show, messages are shortened, each cut
/// at a word with "…", and the card fills the screen, not a blank row left in it.
#[test]
fn ui_08_signup_errors_use_the_empty_rows_at_60x20() {
    let mut ui = signup_longest_with_errors();
    ui.send(Msg::Resize(60, 20));
    assert_errors_whole(&ui, 60, 20);

    // Every field wrong at once, at 60×20: more than the screen holds.
    let mut ui = Ui::new();
    ui.send(Msg::Resize(60, 20));
    ui.ctrl('n');
    ui.key(KeyCode::Tab);
    ui.type_str("ada@example");
    ui.key(KeyCode::Tab);
    ui.type_str(SHORT_PW);
    ui.key(KeyCode::Tab);
    ui.type_str("different");
    ui.key(KeyCode::Enter);
    assert!((0..4).all(|i| ui.field_error(i).is_some()));
    let screen = screen_rows(&ui, 60, 20);
    let all = screen.join("\n");
    let card = card_rows(&screen);
    assert!(
        card[1..card.len() - 1]
            .iter()
            .all(|row| !row.replace(['│', ' '], "").is_empty()),
        "a blank row left in the card while a message is shortened:\n{all}"
    );
    let text = flat(&card.join("\n"));
    for e in error_texts(&ui) {
        // Whole, or its start up to a word and "…".
        let e = flat(&e);
        let shown = e
            .char_indices()
            .filter(|&(i, c)| c == ' ' && text.contains(&format!("{}…", &e[..i])))
            .count()
            > 0;
        assert!(
            text.contains(&e) || shown,
            "{e:?} neither whole nor cut at a word with '…':\n{all}"
        );
    }
    assert_eq!(
        screen.iter().filter(|l| l.contains('╭')).count(),
        1,
        "{all}"
    );
    assert!(
        screen[1].contains('╭') && screen[17].contains('╰'),
        "the card takes every row of the body:\n{all}"
    );
}

/// Issue 13, item 8: the signup form with the longest values and errors, at 80×24 and 60×20.
#[test]
fn ui_08_signup_with_the_longest_values_and_errors_at_every_size() {
    for (case, mut ui) in [
        ("errors", signup_longest_with_errors()),
        ("email_taken", signup_longest_email_taken()),
    ] {
        for (w, h) in [(80, 24), (60, 20)] {
            ui.send(Msg::Resize(w, h));
            assert_errors_whole(&ui, w, h);
            insta::assert_snapshot!(
                format!("signup_longest_{case}_{w}x{h}"),
                format!("{}", ui.render(w, h).backend())
            );
        }
    }
}

/// Issue 13, item 8: the change-password form with the longest values (the longest email in
/// the header, passwords of the longest length) and errors, at 80×24 and 60×20.
#[test]
fn ui_08_change_password_with_the_longest_values_and_errors_at_every_size() {
    let mut short = change_password_longest();
    short.type_str(PW);
    short.key(KeyCode::Tab);
    short.type_str(SHORT_PW);
    short.key(KeyCode::Tab);
    short.type_str("tangerine-otx");
    short.key(KeyCode::Enter);
    assert!(short.field_error(1).unwrap().contains("too short"));
    assert!(short.field_error(2).unwrap().contains("does not match"));

    let longest: String = "orbit lantern quietly fox "
        .repeat(10)
        .chars()
        .take(256)
        .collect();
    let mut wrong = change_password_longest();
    wrong.type_str(&"wrong password entirely ".repeat(11)[..256]);
    wrong.key(KeyCode::Tab);
    wrong.type_str(&longest);
    wrong.key(KeyCode::Tab);
    wrong.type_str(&longest);
    wrong.key(KeyCode::Enter);
    assert!(wrong.field_error(0).unwrap().contains("incorrect"));

    for (case, mut ui) in [("errors", short), ("wrong_current", wrong)] {
        for (w, h) in [(80, 24), (60, 20)] {
            ui.send(Msg::Resize(w, h));
            assert_errors_whole(&ui, w, h);
            insta::assert_snapshot!(
                format!("change_password_longest_{case}_{w}x{h}"),
                format!("{}", ui.render(w, h).backend())
            );
        }
    }
}

/// Issue 13, item 8: at 60×20 the status line and the help were cut mid-word without a sign
/// ("…Caps Lock or keyboard lay"). The status line wraps under its own start; in the help,
/// what a key does wraps in its column, and only what no row is left for is cut at a word
/// with "…".
#[test]
fn ui_08_status_line_and_help_stay_readable_at_60x20() {
    let mut ui = Ui::with_account();
    ui.send(Msg::Resize(60, 20));
    ui.fail_login();
    let flash = ui.model.flash.clone().unwrap().text;
    assert!(flash.chars().count() > 56, "{flash}");
    let screen = screen_rows(&ui, 60, 20);
    let all = screen.join("\n");
    assert!(
        flat(&screen[15..19].join("\n")).contains(&flash),
        "{flash:?} is not whole at 60×20:\n{all}"
    );
    assert!(screen[19].contains("Ctrl-C quit"), "{all}");
    assert!(
        screen.iter().any(|l| l.contains('╰')),
        "the card still shows:\n{all}"
    );

    for keys in ALL_KEYS {
        let mut ui = on_screen(keys);
        ui.send(Msg::Resize(60, 20));
        ui.key(KeyCode::F(1));
        let screen = screen_rows(&ui, 60, 20);
        let all = screen.join("\n");
        let help = flat(&screen.join("\n"));
        for (k, what) in keys.help() {
            let whole = help.contains(&flat(&format!("{k} {what}")));
            let cut = what
                .char_indices()
                .any(|(i, c)| c == ' ' && help.contains(&flat(&format!("{k} {}…", &what[..i]))));
            assert!(
                whole || cut,
                "{k}: {what:?} neither whole nor cut at a word with '…' in {keys:?}'s help:\n{all}"
            );
        }
    }
}

// ---- Reset codes, sessions, history, deleting one's account, the session watcher --------

const ROOT: &str = "root@example.com";
const NEW_PW: &str = "violet kettles hum beside quiet rivers";

impl Ui {
    /// A store whose first account (the administrator) is root, logged in on a terminal of
    /// its own (returned); ada is a user. The UI is on the login screen.
    fn lab() -> (Self, Accounts) {
        let ui = Self::new();
        let setup = ui.terminal("setup");
        setup.signup(ROOT, "Root", &Password::from(PW)).unwrap();
        setup
            .signup(EMAIL, "Ada Lovelace", &Password::from(PW))
            .unwrap();
        let admin = ui.terminal("t-admin");
        admin.login(ROOT, &Password::from(PW)).unwrap();
        (ui, admin)
    }

    /// The flash message's text.
    fn flash_text(&self) -> String {
        self.model
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default()
    }

    /// Lets the watcher's timer run out and sends the tick the runtime would.
    fn next_check(&mut self) {
        use vaultty::tui::app::WATCH_SECS;
        let wake = self
            .model
            .next_wake()
            .expect("a wake-up for the next check");
        assert!(
            wake <= std::time::Duration::from_secs(WATCH_SECS as u64 + 1),
            "the next check is {wake:?} away"
        );
        self.clock.advance(WATCH_SECS);
        self.send(Msg::Tick);
    }
}

/// Both sizes the UI promises, with the name of each for the snapshots.
const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

fn snapshot_at(ui: &mut Ui, name: &str) {
    for (w, h) in SIZES {
        ui.send(Msg::Resize(w, h));
        insta::assert_snapshot!(
            format!("{name}_{w}x{h}"),
            format!("{}", ui.render(w, h).backend())
        );
    }
    ui.send(Msg::Resize(80, 24));
}

/// The reset form (issue 15): Ctrl-R from the login screen, the email typed there carried
/// along; the code masked; errors under their fields, one message for a wrong, used or
/// expired code; success back at the login form with the email and a flash.
#[test]
fn reset_form_errors_land_under_their_fields_and_success_returns_to_login() {
    use vaultty::tui::screens::reset::ResetField;
    let (mut ui, admin) = Ui::lab();
    let code = admin.issue_reset_code(EMAIL).unwrap();
    let code = code.grouped().as_str().to_owned();

    ui.type_str(EMAIL);
    ui.ctrl('r');
    let Screen::Reset(reset) = &ui.model.screen else {
        panic!("Ctrl-R opens the reset form");
    };
    assert_eq!(reset.form.email.value(), EMAIL, "the email comes along");
    assert_eq!(reset.form.focus, Focus::Field(ResetField::Code));
    // Esc goes back to the login form as it was left (asking first: something was typed).
    ui.key(KeyCode::Esc);
    assert!(ui.model.confirm.is_some(), "asks before discarding");
    ui.key(KeyCode::Char('y'));
    assert_eq!(ui.login_form().email.value(), EMAIL);
    ui.ctrl('r');

    // A code that is not one, a password too weak, a confirmation that differs.
    ui.type_str("not-a-code");
    ui.key(KeyCode::Tab);
    ui.type_str("short one");
    ui.key(KeyCode::Tab);
    ui.type_str("short two");
    ui.key(KeyCode::Enter);
    assert!(
        ui.field_error(2).unwrap().contains("too short"),
        "{:?}",
        ui.field_error(2)
    );
    assert!(ui.field_error(3).unwrap().contains("does not match"));
    assert!(
        ui.field_error(1).is_none(),
        "the code is checked by the core, on submit"
    );
    let text = ui.screen_text();
    assert!(!text.contains("not-a-code"), "the code is masked:\n{text}");
    snapshot_at(&mut ui, "reset_errors");

    // A good password: the malformed code comes back from the core, under Code.
    ui.focus_field(2);
    ui.ctrl('u');
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Tab);
    ui.ctrl('u');
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert!(
        ui.field_error(1).unwrap().contains("is not a code"),
        "{:?}",
        ui.field_error(1)
    );
    assert_eq!(ui.form_focus(), 1);

    // A well-formed but wrong code: one message, the code wiped.
    let wrong = code.replace(|c: char| c.is_ascii_digit(), "7");
    let wrong = if wrong == code {
        code.replacen('A', "B", 1)
    } else {
        wrong
    };
    ui.ctrl('u');
    ui.type_str(&wrong);
    ui.key(KeyCode::Enter);
    let err = ui.field_error(1).unwrap();
    assert_eq!(
        err,
        "The code is wrong, used or expired. Ask an administrator for a new one."
    );
    let Screen::Reset(reset) = &ui.model.screen else {
        panic!("still on the reset form");
    };
    assert!(
        reset.form.code.secret_ref().unwrap().is_empty(),
        "the wrong code is wiped"
    );
    snapshot_at(&mut ui, "reset_wrong_code");

    // The right code: back at the login form with the email, and a flash.
    ui.type_str(&code);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Login(_)), "back at login");
    assert_eq!(ui.login_form().email.value(), EMAIL);
    assert_eq!(ui.login_form().focus, Focus::Field(LoginField::Password));
    assert!(
        ui.flash_text().starts_with("Password set"),
        "{}",
        ui.flash_text()
    );
    // Used once: the same code is refused the next time, with the same message.
    ui.ctrl('r');
    ui.type_str(&code);
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert_eq!(
        ui.field_error(1).unwrap(),
        err,
        "a used code reads as a wrong one"
    );
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('y'));
    // The new password logs in.
    ui.focus_password();
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert!(
        matches!(ui.model.screen, Screen::Sealed(_)),
        "{}",
        ui.flash_text()
    );
}

/// The code field is a secret: never drawn, held in the zeroizing buffer of a password field.
#[test]
fn reset_code_is_masked_and_typed_into_a_secret_field() {
    let mut ui = Ui::new();
    ui.ctrl('r');
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str("ABCD-EFGH");
    assert!(ui.model.form().unwrap().fields()[1].is_secret());
    assert!(!ui.screen_text().contains("ABCD"));
    ui.key(KeyCode::F(2));
    assert!(
        ui.screen_text().contains("ABCD-EFGH"),
        "F2 shows it, as a password"
    );
}

/// Sessions: the list (the current one marked), `r` and `o` each open a dialog whose focus is
/// on Cancel; Enter there ends nothing; moving to the other button and Enter ends them.
#[test]
fn sessions_list_revokes_after_a_dialog_focused_on_cancel() {
    use vaultty::tui::screens::revoke::Ending;
    use vaultty::tui::widgets::confirm_dialog::Button;
    let mut ui = Ui::with_account();
    let others: Vec<Accounts> = ["t2", "t3"]
        .iter()
        .map(|t| {
            let v = ui.terminal(t);
            v.login(EMAIL, &Password::from(PW)).unwrap();
            v
        })
        .collect();
    ui.clock.advance(60);
    ui.login();
    ui.key(KeyCode::Char('s'));
    let Screen::Sessions(list) = &ui.model.screen else {
        panic!("s opens the sessions");
    };
    assert_eq!(list.list.len(), 3);
    let current = list.list.iter().filter(|e| e.current).count();
    assert_eq!(current, 1, "one current session");
    let other_id = list.list.iter().find(|e| !e.current).unwrap().id;
    let text = ui.screen_text();
    assert!(text.contains("this one"), "{text}");
    assert!(text.contains("3 sessions · times in UTC"), "{text}");
    snapshot_at(&mut ui, "sessions_list");

    // r on an other session: the dialog, on Cancel.
    while ui.model.screen_sessions_selected() != Some(other_id) {
        ui.key(KeyCode::Down);
    }
    ui.key(KeyCode::Char('r'));
    let Screen::Revoke(dialog) = &ui.model.screen else {
        panic!("r asks first");
    };
    assert_eq!(dialog.focus, Button::Cancel, "the focus starts on Cancel");
    assert_eq!(
        dialog.ending,
        Ending::One {
            id: other_id,
            current: false
        }
    );
    snapshot_at(&mut ui, "sessions_revoke_dialog");
    ui.key(KeyCode::Enter);
    assert!(
        matches!(ui.model.screen, Screen::Sessions(_)),
        "Cancel goes back"
    );
    assert_eq!(
        ui.vault.sessions().unwrap().len(),
        3,
        "Enter on Cancel ends nothing"
    );
    ui.key(KeyCode::Char('r'));
    ui.key(KeyCode::Esc);
    assert_eq!(ui.vault.sessions().unwrap().len(), 3, "Esc ends nothing");

    ui.key(KeyCode::Char('r'));
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Sessions(_)));
    assert_eq!(ui.flash_text(), "1 session ended");
    assert_eq!(ui.vault.sessions().unwrap().len(), 2);
    let Screen::Sessions(list) = &ui.model.screen else {
        unreachable!()
    };
    assert_eq!(list.list.len(), 2, "listed again");
    assert!(list.list.iter().all(|e| e.id != other_id));

    // o: all others, after the dialog.
    ui.key(KeyCode::Char('o'));
    let Screen::Revoke(dialog) = &ui.model.screen else {
        panic!("o asks first");
    };
    assert_eq!(dialog.ending, Ending::Others(1));
    assert_eq!(dialog.focus, Button::Cancel);
    snapshot_at(&mut ui, "sessions_revoke_others_dialog");
    ui.key(KeyCode::Right);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.flash_text(), "1 session ended");
    assert_eq!(ui.vault.sessions().unwrap().len(), 1);
    for t in &others {
        assert!(t.peek_session().unwrap().is_none(), "the others are ended");
    }
    ui.key(KeyCode::Char('o'));
    assert!(
        matches!(ui.model.screen, Screen::Sessions(_)),
        "nothing to ask"
    );
    assert_eq!(ui.flash_text(), "No other session to end.");

    // r on this terminal's own session: a logout.
    ui.key(KeyCode::Char('r'));
    ui.key(KeyCode::BackTab);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(ui.flash_text(), "Logged out");
    assert!(ui.vault.peek_session().unwrap().is_none());
    ui.key(KeyCode::Esc);
}

trait SelectedSession {
    fn screen_sessions_selected(&self) -> Option<i64>;
}

impl SelectedSession for Model {
    fn screen_sessions_selected(&self) -> Option<i64> {
        match &self.screen {
            Screen::Sessions(s) => s.selected_entry().map(|e| e.id),
            _ => None,
        }
    }
}

/// History: recent events newest first; failed ones are marked ✗ and drawn bold in the error
/// style (so they stand out with NO_COLOR too); who acted when it was not the user.
#[test]
fn history_highlights_failed_events_and_names_other_actors() {
    use ratatui::style::Modifier;
    let (mut ui, admin) = Ui::lab();
    let _ = ui
        .vault
        .login(EMAIL, &Password::from("wrong password entirely"));
    admin.issue_reset_code(EMAIL).unwrap();
    ui.clock.advance(60);
    ui.login();
    ui.key(KeyCode::Char('h'));
    let Screen::History(h) = &ui.model.screen else {
        panic!("h opens the history");
    };
    let events: Vec<(String, String)> = h
        .events
        .iter()
        .map(|e| {
            let (a, o) = e.parts();
            (a.to_owned(), o.to_owned())
        })
        .collect();
    assert_eq!(
        events.first().map(|(a, o)| (a.as_str(), o.as_str())),
        Some(("login", "success")),
        "newest first: {events:?}"
    );
    assert!(events.iter().any(|(a, o)| a == "login" && o == "failure"));
    let t = ui.render(80, 24);
    let buf = t.backend().buffer();
    let rows: Vec<String> = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    let failed_y = rows
        .iter()
        .position(|r| r.contains("failure"))
        .expect("the failed login is listed");
    let failed = &rows[failed_y];
    assert!(failed.contains('✗'), "marked: {failed}");
    let x = failed.chars().position(|c| c == 'f').unwrap() as u16;
    assert!(
        buf[(x, failed_y as u16)].modifier.contains(Modifier::BOLD),
        "highlighted without colour too"
    );
    // A successful event that is not selected (the selection is on the newest) is plain.
    let ok_y = rows
        .iter()
        .rposition(|r| r.contains("success") && !r.contains('▸'))
        .unwrap();
    let x = rows[ok_y]
        .find("success")
        .map(|b| rows[ok_y][..b].chars().count())
        .unwrap() as u16;
    assert!(
        !buf[(x, ok_y as u16)].modifier.contains(Modifier::BOLD),
        "{}",
        rows[ok_y]
    );
    let all = rows.join("\n");
    assert!(
        all.contains("by root@example.com"),
        "the admin's act is named:\n{all}"
    );
    assert!(!rows[ok_y].contains("✗"), "{}", rows[ok_y]);
    snapshot_at(&mut ui, "history");
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
}

/// Deleting one's own account: a dialog over the dashboard that says it cannot be undone and
/// asks for the password; a wrong one is said under the field; the right one deletes the
/// account and wipes the screen back to login.
#[test]
fn delete_account_asks_for_the_password_and_cannot_be_undone() {
    let (mut ui, _admin) = Ui::lab();
    ui.login();
    ui.key(KeyCode::Char('d'));
    assert!(matches!(ui.model.screen, Screen::DeleteAccount(_)));
    let text = ui.screen_text();
    assert!(
        flat(&text.replace('┃', " ")).contains("This cannot be undone."),
        "{text}"
    );
    assert!(text.contains(EMAIL), "{text}");
    ui.type_str("wrong password entirely");
    assert!(!ui.screen_text().contains("wrong password"), "masked");
    ui.key(KeyCode::Enter);
    assert!(
        ui.field_error(0)
            .unwrap()
            .starts_with("Current password is incorrect."),
        "{:?}",
        ui.field_error(0)
    );
    assert!(
        ui.model.form().unwrap().fields()[0]
            .secret_ref()
            .unwrap()
            .is_empty()
    );
    snapshot_at(&mut ui, "delete_account_wrong_password");
    ui.key(KeyCode::Esc);
    assert!(
        matches!(ui.model.screen, Screen::Dashboard(_)),
        "Esc cancels"
    );
    assert_eq!(ui.accounts(), 2);

    ui.key(KeyCode::Char('d'));
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(ui.flash_text(), "Your account was deleted.");
    assert!(ui.model.clear_screen, "the screen is wiped");
    assert!(!ui.screen_text().contains("Welcome"));
    assert_eq!(ui.accounts(), 1);
    assert!(ui.vault.peek_session().unwrap().is_none());
}

/// The last administrator cannot delete their account: "Not allowed", back on the dashboard.
#[test]
fn delete_account_of_the_last_admin_is_not_allowed() {
    let mut ui = Ui::with_account();
    ui.login();
    ui.key(KeyCode::Char('d'));
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    assert!(
        ui.flash_text().starts_with("Not allowed:"),
        "{}",
        ui.flash_text()
    );
    assert!(ui.screen_text().contains("Not allowed"));
    assert_eq!(ui.accounts(), 1);
}

/// Issue 15: an open UI notices, on its next timer tick, that its session was revoked or its
/// account disabled, expired or deleted elsewhere (another terminal on the same store): it
/// wipes the screen and goes back to login, saying why. Nothing but the timer tells it here
/// (a shared store on another machine gives no inotify event).
#[test]
fn watcher_notices_an_ended_session_on_the_next_tick_and_says_why() {
    use vaultty::admin::AdminOp;
    type Act = fn(&Accounts, &Accounts);
    let cases: [(&str, Act, &str); 4] = [
        (
            "revoked",
            |_admin, mine| {
                mine.revoke_other_sessions().unwrap();
            },
            "Your session was ended elsewhere. Log in again.",
        ),
        (
            "disabled",
            |admin, _| {
                admin.admin(EMAIL, AdminOp::Disable).unwrap();
            },
            "Your account was disabled by an administrator.",
        ),
        (
            "expired",
            |admin, _| {
                let now = admin.now();
                admin.admin(EMAIL, AdminOp::Expire(Some(now))).unwrap();
            },
            "Your account has expired. Ask an administrator.",
        ),
        (
            "deleted",
            // The session's row goes with the account; the UI's service remembers whose
            // session it was and finds that account gone.
            |admin, _| {
                admin.admin(EMAIL, AdminOp::Delete).unwrap();
            },
            "Your account was deleted.",
        ),
    ];
    for (case, act, says) in cases {
        let (mut ui, admin) = Ui::lab();
        let mine = ui.terminal("t-mine");
        mine.login(EMAIL, &Password::from(PW)).unwrap();
        ui.login();
        ui.key(KeyCode::Char('s'));
        ui.key(KeyCode::Esc);
        assert!(ui.screen_text().contains("Welcome, Ada"), "{case}");
        act(&admin, &mine);
        // Nothing happens until the timer runs out.
        ui.send(Msg::Tick);
        assert!(matches!(ui.model.screen, Screen::Dashboard(_)), "{case}");
        ui.next_check();
        assert!(
            matches!(ui.model.screen, Screen::Login(_)),
            "{case}: back at login"
        );
        assert_eq!(ui.flash_text(), says, "{case}");
        assert!(ui.model.clear_screen, "{case}: the screen is wiped");
        let text = ui.screen_text();
        assert!(
            !text.contains("Welcome") && !text.contains("Dashboard"),
            "{case}:\n{text}"
        );
        assert!(text.contains(says), "{case}:\n{text}");
        assert_eq!(ui.login_form().email.value(), "", "{case}: a blank form");
        assert_eq!(ui.model.next_wake(), None, "{case}: nothing left to watch");
    }
}

/// The watcher sees the session ended while a list is open too, and a screen's request that
/// finds no session asks why instead of showing the core's command-line advice.
#[test]
fn watcher_works_on_every_authenticated_screen() {
    let (mut ui, admin) = Ui::lab();
    ui.login();
    ui.key(KeyCode::Char('h'));
    admin
        .admin(EMAIL, vaultty::admin::AdminOp::Disable)
        .unwrap();
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('s'));
    assert!(
        matches!(ui.model.screen, Screen::Login(_)),
        "{}",
        ui.flash_text()
    );
    assert_eq!(
        ui.flash_text(),
        "Your account was disabled by an administrator."
    );
}

/// A role changed elsewhere: a promotion and a demotion are said; the dashboard shows the new
/// role; a screen for everyone (the sessions) stays open on a demotion. (Screens for
/// administrators only, `INFO.admin`, close and go back to the dashboard.)
#[test]
fn watcher_notices_a_role_change() {
    use vaultty::admin::AdminOp;
    let (mut ui, admin) = Ui::lab();
    ui.login();
    assert!(ui.screen_text().contains("Role             user"));
    admin.admin(EMAIL, AdminOp::Promote).unwrap();
    ui.next_check();
    assert_eq!(ui.flash_text(), "You are now an administrator.");
    assert!(ui.screen_text().contains("Role             admin"));
    ui.key(KeyCode::Char('s'));
    admin.admin(EMAIL, AdminOp::Demote).unwrap();
    ui.next_check();
    assert!(
        matches!(ui.model.screen, Screen::Sessions(_)),
        "not an admin screen"
    );
    assert_eq!(ui.flash_text(), "You are no longer an administrator.");
    ui.key(KeyCode::Esc);
    assert!(ui.screen_text().contains("Role             user"));
}

/// The watcher costs nothing on screens without a session, and on the dashboard wakes only
/// every few seconds; the existing expiry still reads "Session expired".
#[test]
fn watcher_wakes_only_behind_a_login_and_keeps_the_expiry_message() {
    use vaultty::tui::app::WATCH_SECS;
    let mut ui = Ui::with_account();
    assert_eq!(ui.model.next_wake(), None);
    ui.login();
    let cmds = ui.send_only(Msg::Tick);
    assert!(
        cmds.is_empty(),
        "nothing is due right after login: {cmds:?}"
    );
    let wake = ui.model.next_wake().unwrap();
    assert!(wake.as_secs() <= WATCH_SECS as u64 + 1, "{wake:?}");
    ui.clock.advance(WATCH_SECS);
    let cmds = ui.send_only(Msg::Tick);
    assert!(
        matches!(cmds.as_slice(), [Effect::Backend(Request::SessionStatus)]),
        "one check, not counted as use: {cmds:?}"
    );
    let cmds2 = ui.send_only(Msg::Tick);
    assert!(cmds2.is_empty(), "one check at a time: {cmds2:?}");
    assert_eq!(
        ui.model.next_wake(),
        None,
        "no wake-up while the check is out"
    );
    ui.run(cmds);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    let last_seen = ui.model.session.as_ref().unwrap().last_seen_at;
    assert_eq!(last_seen, T0, "the checks do not move the idle limit");
    // The idle limit still ends the session, with its own message.
    for _ in 0..(15 * 60 / WATCH_SECS) {
        ui.clock.advance(WATCH_SECS);
        ui.send(Msg::Tick);
    }
    ui.clock.advance(1);
    ui.send(Msg::Tick);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(ui.flash_text(), "Session expired: log in again");
}

/// A check's answer that comes while a screen waits for its own leaves the spinner alone: the
/// sessions list asks the state first, then the list; the state's answer does not unlock it.
#[test]
fn watcher_answers_do_not_unlock_a_busy_screen() {
    let mut ui = Ui::with_account();
    ui.login();
    let cmds = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(
            cmds.as_slice(),
            [
                Effect::Backend(Request::SessionStatus),
                Effect::Backend(Request::Sessions)
            ]
        ),
        "the state first, then the list: {cmds:?}"
    );
    assert!(ui.model.busy.is_some());
    let mut answers = cmds.into_iter().filter_map(|c| execute(&ui.vault, c));
    let status = answers.next().unwrap();
    let list = answers.next().unwrap();
    assert!(update(&mut ui.model, status).is_empty());
    assert!(
        ui.model.busy.is_some(),
        "the check's answer leaves the spinner"
    );
    update(&mut ui.model, list);
    assert!(ui.model.busy.is_none(), "the list's answer clears it");
    let Screen::Sessions(list) = &ui.model.screen else {
        panic!("on the sessions");
    };
    assert_eq!(list.list.len(), 1);
}

/// Another process's write in the data dir (inotify) asks the state too, and says why.
#[test]
fn store_changed_asks_the_session_state() {
    let (mut ui, admin) = Ui::lab();
    ui.login();
    admin
        .admin(EMAIL, vaultty::admin::AdminOp::Disable)
        .unwrap();
    let cmds = ui.send_only(Msg::StoreChanged);
    assert!(
        matches!(cmds.as_slice(), [Effect::Backend(Request::SessionStatus)]),
        "{cmds:?}"
    );
    ui.run(cmds);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(
        ui.flash_text(),
        "Your account was disabled by an administrator."
    );
}

/// With a local SQLite store the runtime hears of every change (inotify on the store's
/// directory) and turns the timer off: an idle dashboard then wakes only for the session's
/// expiry. A change heard while a check is on its way is checked again after it.
#[test]
fn watcher_without_a_timer_wakes_for_nothing_and_checks_again_after_a_late_change() {
    let (mut ui, admin) = Ui::lab();
    ui.model.watch_secs = None;
    ui.login();
    let wake = ui.model.next_wake().expect("the expiry");
    assert!(
        wake.as_secs() >= 15 * 60 - 1,
        "only the idle limit: {wake:?}"
    );
    ui.clock.advance(60);
    assert!(ui.send_only(Msg::Tick).is_empty(), "no timer");
    // A change: the check goes out; a second change before its answer is remembered.
    let first = ui.send_only(Msg::StoreChanged);
    assert!(matches!(
        first.as_slice(),
        [Effect::Backend(Request::SessionStatus)]
    ));
    let answer: Vec<Msg> = first
        .into_iter()
        .filter_map(|c| execute(&ui.vault, c))
        .collect();
    admin
        .admin(EMAIL, vaultty::admin::AdminOp::Disable)
        .unwrap();
    assert!(
        ui.send_only(Msg::StoreChanged).is_empty(),
        "one check at a time"
    );
    let mut again = vec![];
    for msg in answer {
        again.extend(update(&mut ui.model, msg));
    }
    assert!(
        matches!(ui.model.screen, Screen::Dashboard(_)),
        "the first answer predates the change"
    );
    assert!(
        matches!(again.as_slice(), [Effect::Backend(Request::SessionStatus)]),
        "checked again: {again:?}"
    );
    ui.run(again);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert_eq!(
        ui.flash_text(),
        "Your account was disabled by an administrator."
    );
}

/// The timer's checks wake the event loop but do not redraw when nothing changed; a change
/// they find does.
#[test]
fn watcher_checks_redraw_only_when_something_changed() {
    let (mut ui, admin) = Ui::lab();
    ui.login();
    for _ in 0..3 {
        ui.model.redraw = false;
        ui.next_check();
        assert!(!ui.model.redraw, "a check that found nothing new redrew");
    }
    ui.model.redraw = false;
    ui.send(Msg::Resize(80, 24));
    assert!(ui.model.redraw, "other messages redraw");
    ui.model.redraw = false;
    admin
        .admin(EMAIL, vaultty::admin::AdminOp::Promote)
        .unwrap();
    ui.next_check();
    assert!(ui.model.redraw, "a promotion is drawn");
}

// ---- Administration (issue 15) ----------------------------------------------------------

use vaultty::tui::screens::admin::{self, Admin, Choice, Dialog, Tab};

impl Ui {
    /// The administrator (the first account) logged in on the dashboard, and `n` imported
    /// accounts `u000@example.com`… ("User 000"…), the second one disabled.
    fn admin_with(n: usize) -> Self {
        let mut ui = Self::with_account();
        ui.login();
        if n > 0 {
            let mut csv = String::from("email,name\n");
            for i in 0..n {
                csv.push_str(&format!("u{i:03}@example.com,User {i:03}\n"));
            }
            ui.vault.import_csv(csv.as_bytes()).unwrap();
        }
        if n > 1 {
            ui.vault
                .admin("u001@example.com", vaultty::admin::AdminOp::Disable)
                .unwrap();
        }
        ui
    }

    /// The administrator on the administration's accounts tab.
    fn admin_open(n: usize) -> Self {
        let mut ui = Self::admin_with(n);
        ui.key(KeyCode::Char('a'));
        assert!(matches!(ui.model.screen, Screen::Admin(_)), "a opens it");
        ui
    }

    fn admin(&self) -> &Admin {
        match &self.model.screen {
            Screen::Admin(a) => a,
            other => panic!("not on the administration: {:?}", other.id()),
        }
    }

    fn selected_email(&self) -> String {
        self.admin()
            .accounts
            .window
            .selected_row()
            .expect("a row selected")
            .account
            .email
            .clone()
    }

    fn account_state(&self, email: &str) -> String {
        let rows = vaultty::api::users(
            &self.vault,
            Request::AllUsers {
                filter: email.into(),
            },
        )
        .unwrap();
        rows[0].state.as_str().to_owned()
    }

    /// Selects the row of `email` (moving down from the top).
    fn select(&mut self, email: &str) {
        self.key(KeyCode::Home);
        for _ in 0..200 {
            if self.selected_email() == email {
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("{email} not found");
    }

    fn rendered(&self, w: u16, h: u16) -> String {
        format!("{}", self.render(w, h).backend())
    }
}

/// The backend requests among `effects`, but the session check every request behind a
/// login starts with.
fn requests(effects: &[Effect]) -> Vec<&Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Backend(Request::SessionStatus) => None,
            Effect::Backend(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn admin_a_opens_the_administration_only_for_administrators() {
    let mut ui = Ui::admin_with(0);
    let text = ui.screen_text();
    assert!(text.contains("a administration"), "{text}");
    ui.key(KeyCode::F(1));
    assert!(ui.screen_text().contains("administration: accounts"));
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('a'));
    assert!(matches!(ui.model.screen, Screen::Admin(_)));
    ui.key(KeyCode::Esc);
    assert!(
        matches!(ui.model.screen, Screen::Dashboard(_)),
        "Esc goes back"
    );

    // A user has neither the key nor its hint nor its help row.
    let mut ui = Ui::with_account();
    ui.vault
        .signup("bob@example.com", "Bob Builder", &Password::from(PW))
        .unwrap();
    ui.type_str("bob@example.com");
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    ui.open_account();
    let text = ui.screen_text();
    assert!(text.contains("Role             user"), "{text}");
    assert!(!text.contains("administration"), "{text}");
    let effects = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::NONE,
    )));
    assert!(requests(&effects).is_empty(), "{effects:?}");
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    ui.key(KeyCode::F(1));
    assert!(!ui.screen_text().contains("administration"));
    assert_eq!(
        ScreenId::Dashboard.info().layers,
        &[vaultty::tui::keys::Layer::Dashboard]
    );
}

#[test]
fn render_admin_accounts_80x24() {
    let mut ui = Ui::admin_open(30);
    ui.key(KeyCode::Down);
    ui.key(KeyCode::Down);
    insta::assert_snapshot!(ui.rendered(80, 24));
}

#[test]
fn render_admin_accounts_60x20() {
    let mut ui = Ui::admin_open(30);
    ui.send(Msg::Resize(60, 20));
    ui.key(KeyCode::Down);
    ui.key(KeyCode::Down);
    insta::assert_snapshot!(ui.rendered(60, 20));
    assert_eq!(
        ui.admin().accounts.window.rows.len(),
        12,
        "the window shrank"
    );
}

/// Issue 15: the table renders only what fits and pages with keyset queries, never asking
/// for more than a window (and its anchor) at a time.
#[test]
fn admin_table_pages_with_keyset_queries_of_one_window() {
    let mut ui = Ui::admin_open(40);
    let h = ui.admin().window_rows();
    assert_eq!(h, 16, "80×24 shows 16 rows");
    let emails = |ui: &Ui| -> Vec<String> {
        ui.admin()
            .accounts
            .window
            .rows
            .iter()
            .map(|r| r.account.email.clone())
            .collect()
    };
    assert_eq!(emails(&ui).len(), h);
    assert_eq!(emails(&ui)[0], EMAIL, "sorted by email: ada first");
    // Moving inside the window asks nothing.
    for _ in 0..h - 1 {
        let effects = ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
        assert!(requests(&effects).is_empty());
    }
    assert_eq!(ui.selected_email(), "u014@example.com");
    // Past the last row: one keyset query after it.
    let effects = ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    let reqs = requests(&effects);
    let [Request::Users(q)] = reqs.as_slice() else {
        panic!("{reqs:?}");
    };
    assert!(
        q.cursor.is_some() && !q.backward && q.limit <= h + 1,
        "{q:?}"
    );
    ui.run(effects);
    assert_eq!(ui.selected_email(), "u015@example.com", "the next row");
    assert_eq!(emails(&ui)[0], "u015@example.com", "the next page");
    assert_eq!(emails(&ui).len(), h);
    ui.key(KeyCode::PageDown);
    assert_eq!(emails(&ui).last().unwrap(), "u039@example.com");
    assert_eq!(emails(&ui).len(), h, "the last page stays full");
    ui.key(KeyCode::End);
    assert_eq!(ui.selected_email(), "u039@example.com");
    ui.key(KeyCode::PageUp);
    ui.key(KeyCode::Home);
    assert_eq!(ui.selected_email(), EMAIL);
    // ↑ on the first row of the second page loads the row before it.
    ui.key(KeyCode::PageDown);
    let first = emails(&ui)[0].clone();
    ui.key(KeyCode::Home);
    ui.key(KeyCode::PageDown);
    for _ in 0..h {
        ui.key(KeyCode::Up);
    }
    assert!(emails(&ui)[0] < first, "the previous page");
    assert!(ui.admin().accounts.window.rows.len() <= h);
}

/// Keys typed faster than pages load (a held ↓) are made in order when the page comes, not
/// lost.
#[test]
fn admin_moves_typed_while_a_page_loads_are_not_lost() {
    let mut ui = Ui::admin_open(60);
    let mut effects = vec![];
    for _ in 0..40 {
        effects.extend(ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE))));
    }
    assert_eq!(
        requests(&effects).len(),
        1,
        "one page asked for, the rest waits"
    );
    ui.run(effects);
    assert_eq!(
        ui.selected_email(),
        "u039@example.com",
        "40 rows down from ada"
    );
    let mut effects = vec![];
    for _ in 0..40 {
        effects.extend(ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE))));
    }
    ui.run(effects);
    assert_eq!(ui.selected_email(), EMAIL, "and back up");
}

/// Issue 15: every keystroke of the filter asks for the first page and the counts again, and
/// an answer to an older keystroke is dropped when it comes after a newer one was asked.
#[test]
fn admin_filter_as_you_type_drops_stale_answers() {
    let mut ui = Ui::admin_open(30);
    ui.key(KeyCode::Char('/'));
    assert!(ui.admin().filtering);
    ui.key(KeyCode::Char('u'));
    let first = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('0'),
        KeyModifiers::NONE,
    )));
    let second = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('2'),
        KeyModifiers::NONE,
    )));
    for effects in [&first, &second] {
        let reqs = requests(effects);
        assert!(
            matches!(
                reqs.as_slice(),
                [Request::Users(_), Request::UserCounts { .. }]
            ),
            "{reqs:?}"
        );
    }
    assert!(
        ui.screen_text().contains("Filter  u02"),
        "the filter shows what is typed"
    );
    // The answers come in order: the first keystroke's are stale.
    let before: Vec<i64> = ui
        .admin()
        .accounts
        .window
        .rows
        .iter()
        .map(|r| r.account.id)
        .collect();
    for effect in first {
        if let Some(reply) = execute(&ui.vault, effect) {
            let more = update(&mut ui.model, reply);
            assert!(more.is_empty());
        }
    }
    let now: Vec<i64> = ui
        .admin()
        .accounts
        .window
        .rows
        .iter()
        .map(|r| r.account.id)
        .collect();
    assert_eq!(now, before, "a stale page is dropped");
    assert!(ui.admin().accounts.counts.unwrap().matching > 10);
    ui.run(second);
    let rows = &ui.admin().accounts.window.rows;
    assert_eq!(rows.len(), 10, "u020…u029");
    assert!(rows.iter().all(|r| r.account.email.starts_with("u02")));
    let counts = ui.admin().accounts.counts.unwrap();
    assert_eq!((counts.matching, counts.total), (10, 31));
    let text = ui.screen_text();
    assert!(
        text.contains("10 of 31 accounts · 1 admin · 1 disabled"),
        "{text}"
    );
    // Enter keeps the filter; Esc in the filter clears it.
    ui.key(KeyCode::Enter);
    assert!(!ui.admin().filtering);
    ui.key(KeyCode::Char('/'));
    ui.key(KeyCode::Esc);
    assert_eq!(ui.admin().accounts.filter.value(), "");
    assert_eq!(ui.admin().accounts.window.rows.len(), 16);
    assert!(
        ui.screen_text()
            .contains("31 accounts · 1 admin · 1 disabled")
    );
}

#[test]
fn admin_sort_key_cycles_and_the_header_says_which() {
    let mut ui = Ui::admin_open(5);
    assert!(ui.screen_text().contains("o sort: email"));
    ui.key(KeyCode::Char('o'));
    assert!(ui.screen_text().contains("o sort: name"));
    assert_eq!(ui.selected_email(), EMAIL, "Ada Lovelace before User 000");
    ui.key(KeyCode::Char('o'));
    assert!(ui.screen_text().contains("o sort: newest first"));
    assert_eq!(ui.selected_email(), "u004@example.com");
    ui.key(KeyCode::Char('o'));
    assert!(ui.screen_text().contains("o sort: email"));
}

/// Issue 15: destructive actions ask first, with the focus on Cancel: Enter right away does
/// nothing.
#[test]
fn render_admin_confirm_dialog_focus_on_cancel() {
    let mut ui = Ui::admin_open(5);
    ui.select("u002@example.com");
    ui.key(KeyCode::Char('d'));
    let Some(Dialog::Confirm { focus, .. }) = &ui.admin().dialog else {
        panic!("a question");
    };
    assert_eq!(*focus, Choice::Cancel);
    insta::assert_snapshot!(ui.rendered(80, 24));
    ui.key(KeyCode::Enter);
    assert!(ui.admin().dialog.is_none());
    assert_eq!(
        ui.account_state("u002@example.com"),
        "active",
        "Cancel did nothing"
    );
    // Tab to Disable, Enter: done, the row refreshed, and a flash says so.
    ui.key(KeyCode::Char('d'));
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.account_state("u002@example.com"), "disabled");
    let flash = ui.model.flash.clone().unwrap();
    assert_eq!(flash.kind, FlashKind::Success);
    assert_eq!(flash.text, "u002@example.com is disabled");
    let row = ui.admin().accounts.window.selected_row().unwrap();
    assert_eq!(row.state.as_str(), "disabled");
    let text = ui.screen_text();
    assert!(text.contains("2 disabled"), "{text}");
    assert!(
        text.contains("e enable"),
        "the row's keys follow its state:\n{text}"
    );
    // Enable needs no question; demote asks, Esc cancels.
    ui.key(KeyCode::Char('e'));
    assert_eq!(ui.account_state("u002@example.com"), "active");
    ui.key(KeyCode::Char('+'));
    assert!(
        ui.model
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("is now an administrator")
    );
    ui.key(KeyCode::Char('-'));
    assert!(matches!(ui.admin().dialog, Some(Dialog::Confirm { .. })));
    ui.key(KeyCode::Esc);
    assert!(ui.admin().dialog.is_none());
    assert!(ui.screen_text().contains("2 admins"));
}

/// Demoting oneself (another administrator remains) closes the administration: the app
/// learns the new role, and the dashboard no longer offers `a`.
#[test]
fn admin_demoting_oneself_goes_back_to_a_users_dashboard() {
    let mut ui = Ui::admin_open(3);
    ui.vault
        .admin("u000@example.com", vaultty::admin::AdminOp::Promote)
        .unwrap();
    ui.select(EMAIL);
    ui.key(KeyCode::Char('-'));
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
    let flash = ui.model.flash.clone().unwrap();
    assert_eq!(flash.kind, FlashKind::Success, "{flash:?}");
    assert_eq!(
        flash.text,
        "ada@example.com is now a user. You are no longer an administrator."
    );
    let text = ui.screen_text();
    assert!(text.contains("Role             user"), "{text}");
    assert!(!text.contains("a administration"), "{text}");
    ui.key(KeyCode::Char('a'));
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
}

#[test]
fn admin_expire_asks_a_day_then_confirms() {
    let mut ui = Ui::admin_open(5);
    ui.select("u003@example.com");
    ui.key(KeyCode::Char('x'));
    assert!(ui.screen_text().contains("Now: never."));
    ui.type_str("31/01/2027");
    ui.key(KeyCode::Enter);
    assert!(
        ui.screen_text()
            .contains("Expires on takes a day as YYYY-MM-DD")
    );
    ui.ctrl('u');
    ui.type_str("2027-01-10");
    ui.key(KeyCode::Enter);
    let Some(Dialog::Confirm { focus, .. }) = &ui.admin().dialog else {
        panic!("a question");
    };
    assert_eq!(*focus, Choice::Cancel);
    assert!(
        ui.screen_text()
            .contains("Expire u003@example.com on 2027-01-10")
    );
    ui.key(KeyCode::Right);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.account_state("u003@example.com"), "expired");
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "u003@example.com expires on 2027-01-10"
    );
    ui.key(KeyCode::Char('x'));
    ui.type_str("never");
    ui.key(KeyCode::Enter);
    assert!(
        ui.admin().dialog.is_none(),
        "clearing the expiry asks nothing more"
    );
    assert_eq!(ui.account_state("u003@example.com"), "active");
}

/// Issue 15: a delete asks to type the email; when the password is older than 5 minutes it
/// is asked again (a wrong one says so), then the delete goes through.
#[test]
fn render_admin_delete_asks_for_the_email_then_the_password() {
    let mut ui = Ui::admin_open(5);
    ui.select("u004@example.com");
    ui.key(KeyCode::Delete);
    assert!(matches!(ui.admin().dialog, Some(Dialog::Delete { .. })));
    assert!(ui.model.typing(), "the email field has the focus");
    insta::assert_snapshot!("render_admin_delete_dialog", ui.rendered(80, 24));
    ui.type_str("u003@example.com");
    ui.key(KeyCode::Enter);
    assert!(ui.screen_text().contains("does not match u004@example.com"));
    assert!(ui.accounts() == 6, "nothing deleted");
    ui.ctrl('u');
    ui.type_str("u004@example.com");
    // Six minutes since the password was entered: it is asked again.
    ui.clock.advance(6 * 60);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.admin().dialog, Some(Dialog::Reauth { .. })));
    assert_eq!(ui.accounts(), 6);
    ui.type_str("not my password at all");
    insta::assert_snapshot!("render_admin_reauth_dialog", ui.rendered(80, 24));
    let text = ui.screen_text();
    assert!(!text.contains("not my password"), "masked");
    ui.key(KeyCode::Enter);
    let text = ui.screen_text();
    assert!(text.contains("Password is incorrect."), "{text}");
    assert!(matches!(ui.admin().dialog, Some(Dialog::Reauth { .. })));
    assert_eq!(ui.accounts(), 6);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert!(ui.admin().dialog.is_none());
    assert_eq!(ui.accounts(), 5, "deleted after the password");
    assert_eq!(
        ui.model.flash.as_ref().unwrap().text,
        "u004@example.com is deleted"
    );
    let rows = &ui.admin().accounts.window.rows;
    assert!(
        rows.iter().all(|r| r.account.email != "u004@example.com"),
        "the page was refreshed"
    );
    assert!(ui.screen_text().contains("5 accounts"));
}

/// Issue 15: a reset code shows once, in a dialog saying how to hand it over; closing it
/// wipes it from the screen and from the model.
#[test]
fn render_admin_reset_code_dialog_and_its_wipe() {
    let mut ui = Ui::admin_open(5);
    ui.select("u000@example.com");
    ui.key(KeyCode::Char('r'));
    let code = match &ui.admin().dialog {
        Some(Dialog::Code { code, .. }) => code.expose().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(code.len(), 34, "{code}");
    assert!(ui.admin().holds_code());
    let screen = ui.rendered(80, 24);
    assert!(screen.contains(&code), "{screen}");
    for words in [
        "in person or by phone",
        "valid for 24 h",
        "Ctrl-R",
        "vaultty reset --email u000@example.com",
    ] {
        assert!(
            flat(&screen.replace('"', " ")).contains(words),
            "{words}:\n{screen}"
        );
    }
    assert!(
        !format!("{:?}", ui.model.screen).contains(&code),
        "never in Debug output"
    );
    insta::assert_snapshot!(screen.replace(&code, "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"));
    // The code works (it is the one issued).
    ui.key(KeyCode::Enter);
    assert!(!ui.admin().holds_code());
    assert!(ui.admin().dialog.is_none());
    assert!(!ui.screen_text().contains(&code), "gone from the screen");
    assert!(!format!("{:?}", ui.model.screen).contains("ShownCode"));
    ui.vault
        .reset_password(
            "u000@example.com",
            &code,
            &Password::from("a brand new passphrase here"),
        )
        .expect("the code shown is the code issued");
}

#[test]
fn admin_reset_code_after_five_minutes_asks_for_the_password() {
    let mut ui = Ui::admin_open(3);
    ui.select("u000@example.com");
    ui.clock.advance(6 * 60);
    ui.key(KeyCode::Char('r'));
    assert!(matches!(ui.admin().dialog, Some(Dialog::Reauth { .. })));
    assert!(
        ui.screen_text()
            .contains("Issuing a reset code needs your password again")
    );
    ui.send(Msg::Paste(PW.into()));
    ui.key(KeyCode::Enter);
    assert!(ui.admin().holds_code(), "retried after the password");
    ui.key(KeyCode::Esc);
    assert!(!ui.admin().holds_code());
}

#[test]
fn render_admin_audit_tab() {
    let mut ui = Ui::admin_with(3);
    let _ = ui.vault.login(
        "u000@example.com",
        &Password::from("wrong password entirely"),
    );
    ui.key(KeyCode::Char('a'));
    ui.key(KeyCode::Tab);
    assert_eq!(ui.admin().tab, Tab::Audit);
    let text = ui.screen_text();
    assert!(text.contains("✗ failure"), "failures highlighted:\n{text}");
    insta::assert_snapshot!(ui.rendered(80, 24));
    insta::assert_snapshot!("render_admin_audit_tab_60x20", ui.rendered(60, 20));
    // The filter: events about one email.
    ui.key(KeyCode::Char('/'));
    ui.type_str("u000");
    let rows = &ui.admin().audit.window.rows;
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|e| e.actor.contains("u000") || e.target.contains("u000"))
    );
    ui.key(KeyCode::Enter);
    ui.key(KeyCode::BackTab);
    assert_eq!(ui.admin().tab, Tab::Accounts);
}

#[test]
fn admin_audit_pages_older_and_back() {
    let mut ui = Ui::admin_with(0);
    for _ in 0..40 {
        let _ = ui.vault.login(
            "nobody@example.com",
            &Password::from("wrong password entirely"),
        );
    }
    ui.key(KeyCode::Char('a'));
    ui.key(KeyCode::Tab);
    let top = ui.admin().audit.window.rows[0].id;
    let h = ui.admin().window_rows();
    ui.key(KeyCode::PageDown);
    let rows = &ui.admin().audit.window.rows;
    assert!(rows.len() <= h);
    assert!(rows[0].id < top, "older events");
    ui.key(KeyCode::PageUp);
    assert_eq!(ui.admin().audit.window.rows[0].id, top);
}

/// Each part of the administration (the tabs, the filter, each dialog) declares keys that are
/// all in its help and all bound, and so does the administrator's dashboard; the keys shown
/// for the selected row are bound and listed.
#[test]
fn admin_every_binding_is_in_the_help_and_every_hint_is_bound() {
    for (name, info) in admin::ALL_INFOS {
        assert!(info.admin, "{name} is an administrator's screen");
        assert!(info.authenticated, "{name}");
        assert_keymap_consistent(name, info);
    }
    assert_keymap_consistent(
        "the administrator's dashboard",
        &vaultty::tui::screens::dashboard::ADMIN_INFO,
    );
    let ui = Ui::admin_open(3);
    let rows: Vec<String> = ScreenId::Admin.help().into_iter().map(|(k, _)| k).collect();
    for row in &ui.admin().accounts.window.rows {
        for hint in admin::row_hints(row) {
            let k = vaultty::tui::keys::label(&[hint.key]);
            assert!(admin::INFO.layers.contains(&hint.key.0), "{k}");
            assert!(
                rows.iter().any(|r| r.split(" / ").any(|n| n == k)),
                "{k} not in {rows:?}"
            );
        }
    }
}

/// Every key the help of each part names does something there.
#[test]
fn admin_every_key_in_the_help_does_something() {
    fn in_mode(mode: &str) -> Ui {
        let mut ui = Ui::admin_open(20);
        ui.key(KeyCode::Down);
        match mode {
            "accounts" => {}
            "audit" => {
                ui.key(KeyCode::Tab);
                ui.key(KeyCode::Down);
            }
            "filter" => {
                ui.key(KeyCode::Char('/'));
                ui.type_str("u0");
                ui.key(KeyCode::Left);
            }
            "confirm" => ui.key(KeyCode::Char('d')),
            "delete" => {
                ui.key(KeyCode::Delete);
                ui.type_str("u0");
                ui.key(KeyCode::Left);
            }
            "expire" => {
                ui.key(KeyCode::Char('x'));
                ui.type_str("20");
                ui.key(KeyCode::Left);
            }
            "reauth" => {
                ui.clock.advance(6 * 60);
                ui.key(KeyCode::Char('r'));
                ui.type_str("ab");
                ui.key(KeyCode::Left);
            }
            "code" => ui.key(KeyCode::Char('r')),
            _ => unreachable!(),
        }
        ui.model.clear_screen = false;
        ui
    }
    for (mode, info) in admin::ALL_INFOS {
        let probe = in_mode(mode);
        assert_eq!(
            format!("{:?}", probe.model.info()),
            format!("{info:?}"),
            "{mode}"
        );
        for (label, _) in info.help_shown(probe.model.typing()) {
            for (name, key) in label.split(" / ").zip(key_events(&label)) {
                // What a key changes, the terminal cursor too (the filter is no form).
                let print = |ui: &Ui, cmds: usize| {
                    use ratatui::backend::Backend;
                    let mut t = ui.render(80, 24);
                    let cursor = t.backend_mut().get_cursor_position().unwrap();
                    format!("{}|{cursor:?}", fingerprint(ui, cmds))
                };
                let mut ui = in_mode(mode);
                let before = print(&ui, 0);
                let cmds = match key {
                    Some(k) => ui.send_only(Msg::Key(k)),
                    None => ui.send_only(Msg::Paste("x".into())),
                };
                assert_ne!(
                    print(&ui, cmds.len()),
                    before,
                    "{name} ({label}) does nothing in {mode}"
                );
            }
        }
    }
}

/// At both supported sizes each part keeps its way out in the footer.
#[test]
fn admin_footer_keeps_its_way_out_at_every_size() {
    let mut cases: Vec<(&str, Ui, Vec<&str>)> = vec![];
    let ui = Ui::admin_open(5);
    cases.push((
        "accounts",
        ui,
        vec!["Ctrl-C quit", "Esc back", "Ctrl-O log out", "F1 help"],
    ));
    let mut ui = Ui::admin_open(5);
    ui.key(KeyCode::Tab);
    cases.push((
        "audit",
        ui,
        vec!["Ctrl-C quit", "Esc back", "Ctrl-O log out", "F1 help"],
    ));
    let mut ui = Ui::admin_open(5);
    ui.key(KeyCode::Char('d'));
    cases.push((
        "confirm",
        ui,
        vec!["Ctrl-C quit", "Esc cancel", "Ctrl-O log out"],
    ));
    let mut ui = Ui::admin_open(5);
    ui.key(KeyCode::Char('r'));
    cases.push((
        "code",
        ui,
        vec!["Ctrl-C quit", "Esc close", "Ctrl-O log out"],
    ));
    for (what, mut ui, ways_out) in cases {
        for (w, h) in [(80, 24), (60, 20)] {
            ui.send(Msg::Resize(w, h));
            let screen = screen_rows(&ui, w, h);
            let footer = &screen[usize::from(h) - 1];
            for way in &ways_out {
                assert!(
                    footer.contains(way),
                    "{way:?} missing from {what} at {w}×{h}: {footer}"
                );
            }
            let all = screen.join("\n");
            if what == "code" {
                let code = match &ui.admin().dialog {
                    Some(Dialog::Code { code, .. }) => code.expose().to_owned(),
                    _ => unreachable!(),
                };
                assert!(
                    all.contains(&code),
                    "the code shows whole at {w}×{h}:\n{all}"
                );
                assert!(all.contains("Done"), "{all}");
            }
        }
    }
}

#[test]
fn admin_screen_is_idle_and_names_are_neutralised() {
    let mut ui = Ui::admin_with(2);
    ui.store()
        .conn()
        .execute(
            "UPDATE accounts SET name = ?1 WHERE email = 'u000@example.com'",
            ["\u{202e}Eve\x1b]52;c;ZWNobw==\x07\x1b[2J\u{9b}31m"],
        )
        .unwrap();
    // A SQLite store is watched, not polled (the UI then runs without the session timer).
    ui.model.watch_secs = None;
    ui.key(KeyCode::Char('a'));
    // Nothing animates, nothing polls: the only deadline is the session's end, as on the
    // dashboard.
    let expiry = ui.model.session.as_ref().unwrap().expires_at() - ui.clock.now_for_test();
    let wake = ui.model.next_wake().expect("the session's end");
    assert!(
        wake >= std::time::Duration::from_secs(expiry as u64),
        "{wake:?}"
    );
    let t = ui.render(80, 24);
    for cell in t.backend().buffer().content() {
        for c in cell.symbol().chars() {
            assert!(
                !vaultty::sanitize::is_unsafe_char(c),
                "{c:?} reached the screen"
            );
        }
    }
    assert!(ui.screen_text().contains("Eve"));
}

/// Esc while answers are on their way waits for them, so none reaches the next screen.
#[test]
fn admin_esc_waits_for_answers_on_their_way() {
    let mut ui = Ui::admin_open(20);
    ui.key(KeyCode::Char('/'));
    let pending = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::NONE,
    )));
    ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let more = ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(more.is_empty());
    assert!(matches!(ui.model.screen, Screen::Admin(_)), "still waiting");
    ui.run(pending);
    assert!(matches!(ui.model.screen, Screen::Dashboard(_)));
}

/// At 60×20 the help of the accounts tab (its longest) shows every row: whole, or cut at a
/// word with "…".
#[test]
fn admin_help_stays_readable_at_60x20() {
    let mut ui = Ui::admin_open(5);
    ui.send(Msg::Resize(60, 20));
    for tab in ["accounts", "audit"] {
        if tab == "audit" {
            ui.key(KeyCode::Tab);
        }
        ui.key(KeyCode::F(1));
        let screen = screen_rows(&ui, 60, 20);
        let all = screen.join("\n");
        let help = flat(&all);
        for (k, what) in ui.model.info().help_shown(false) {
            let whole = help.contains(&flat(&format!("{k} {what}")));
            let cut = what
                .char_indices()
                .any(|(i, c)| c == ' ' && help.contains(&flat(&format!("{k} {}…", &what[..i]))));
            assert!(whole || cut, "{k}: {what:?} in the {tab} help:\n{all}");
        }
        ui.key(KeyCode::F(1));
    }
}

// ---- the vault ------------------------------------------------------------------------------

/// An entry with the fields `set` sets (an entry wipes itself on drop: no struct update).
fn entry(set: impl FnOnce(&mut vaultty::vault::Entry)) -> vaultty::vault::Entry {
    let mut e = vaultty::vault::Entry::default();
    set(&mut e);
    e
}

impl Ui {
    /// The vault screen (it must show).
    fn vault_screen(&self) -> &vaultty::tui::screens::vault::Vault {
        match &self.model.screen {
            Screen::Vault(v) => v,
            other => panic!("not on the vault: {:?}", other.id()),
        }
    }

    /// Adds entries through the service (the session's process holds the vault open).
    fn add_entries(&self, entries: &[(&str, &str, &str)]) {
        let entries: Vec<vaultty::vault::Entry> = entries
            .iter()
            .map(|(title, username, password)| {
                entry(|e| {
                    e.title = title.to_string();
                    e.username = username.to_string();
                    e.password = password.to_string();
                })
            })
            .collect();
        self.vault.vault_add(&entries).unwrap();
    }

    /// The vault loaded again, as the account panel's Tab does.
    fn reload_vault(&mut self) {
        self.key(KeyCode::Tab);
        assert!(matches!(self.model.screen, Screen::Dashboard(_)));
        self.key(KeyCode::Tab);
        assert!(self.model.busy.is_none());
    }
}

#[test]
fn vault_recovery_code_after_signup_must_be_acknowledged_and_is_wiped() {
    let mut ui = Ui::new();
    ui.ctrl('n');
    ui.type_str("Ada Lovelace");
    ui.key(KeyCode::Tab);
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Tab);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    let Screen::RecoveryCode(dialog) = &ui.model.screen else {
        panic!("the recovery code shows after the signup");
    };
    let code = dialog.shown().to_owned();
    assert!(
        vaultty::ResetCode::parse(&code).is_some(),
        "a real code, grouped: {code}"
    );
    assert_eq!(code.split('-').count(), 7, "{code}");
    let text = ui.screen_text();
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("I have written it down"), "{text}");
    // Esc does not close it: it says how.
    ui.key(KeyCode::Esc);
    assert!(matches!(ui.model.screen, Screen::RecoveryCode(_)));
    assert!(
        ui.flash_text().contains("write it down"),
        "{}",
        ui.flash_text()
    );
    // Nor does typing.
    ui.type_str("q");
    assert!(matches!(ui.model.screen, Screen::RecoveryCode(_)));
    ui.key(KeyCode::Enter);
    assert_eq!(ui.login_form().email.value(), EMAIL);
    assert!(!ui.screen_text().contains(&code));
    assert_eq!(ui.flash_text(), "Account created: log in");
}

#[test]
fn vault_sealed_after_a_reset_opens_with_the_recovery_code() {
    let ui = Ui::new();
    let setup = ui.terminal("setup");
    setup
        .signup("root@example.com", "Root", &Password::from(PW))
        .unwrap();
    let (_, recovery) = setup
        .signup_with_vault(EMAIL, "Ada Lovelace", &Password::from(PW))
        .unwrap();
    let ada = ui.terminal("t-ada");
    ada.login(EMAIL, &Password::from(PW)).unwrap();
    ada.vault_add(&[entry(|e| {
        e.title = "Kept".into();
    })])
    .unwrap();
    let admin = ui.terminal("t-admin");
    admin
        .login("root@example.com", &Password::from(PW))
        .unwrap();
    let reset = admin.issue_reset_code(EMAIL).unwrap();
    const NEW_PW: &str = "a brand new passphrase for ada";
    ada.reset_password(EMAIL, reset.grouped().as_str(), &Password::from(NEW_PW))
        .unwrap();
    let mut ui = ui;
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Sealed(_)));
    let text = ui.screen_text();
    assert!(text.contains("sealed"), "{text}");
    // A wrong code is refused under its field.
    ui.type_str("0000-0000-0000-0000-0000-0000-0000");
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Sealed(_)));
    assert_eq!(
        ui.field_error(0).as_deref(),
        Some("is not this vault's recovery code.")
    );
    // The right one opens it, entries intact.
    ui.ctrl('u');
    ui.type_str(recovery.grouped().as_str());
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Kept"]);
}

#[test]
fn vault_sealed_can_be_discarded_only_by_typing_discard_then_shows_a_new_code() {
    let ui = Ui::new();
    let setup = ui.terminal("setup");
    setup
        .signup("root@example.com", "Root", &Password::from(PW))
        .unwrap();
    setup
        .signup(EMAIL, "Ada Lovelace", &Password::from(PW))
        .unwrap();
    let admin = ui.terminal("t-admin");
    admin
        .login("root@example.com", &Password::from(PW))
        .unwrap();
    let reset = admin.issue_reset_code(EMAIL).unwrap();
    const NEW_PW: &str = "a brand new passphrase for ada";
    setup
        .reset_password(EMAIL, reset.grouped().as_str(), &Password::from(NEW_PW))
        .unwrap();
    let mut ui = ui;
    ui.type_str(EMAIL);
    ui.key(KeyCode::Tab);
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Sealed(_)));
    ui.ctrl('d');
    ui.type_str(NEW_PW);
    ui.key(KeyCode::Tab);
    ui.type_str("discard");
    ui.key(KeyCode::Enter);
    assert!(
        matches!(ui.model.screen, Screen::Sealed(_)),
        "lower case is not DISCARD"
    );
    assert!(ui.field_error(1).unwrap().contains("DISCARD"));
    ui.ctrl('u');
    ui.type_str("DISCARD");
    ui.focus_field(0);
    // The password typed stays (only the word was wrong).
    assert_eq!(ui.field_error(0), None);
    ui.key(KeyCode::Enter);
    let Screen::RecoveryCode(d) = &ui.model.screen else {
        panic!("the new vault's recovery code shows");
    };
    assert!(d.holds_code());
    ui.key(KeyCode::Enter);
    assert!(ui.vault_screen().is_empty());
}

#[test]
fn vault_lists_entries_and_the_filter_narrows_fuzzily() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[
        ("GitHub", "ada", "pw-gh"),
        ("Gmail", "ada.lovelace", "pw-gm"),
        ("Bank", "ada-l", "pw-bank"),
    ]);
    ui.reload_vault();
    assert_eq!(
        ui.vault_screen().shown_titles(),
        vec!["Bank", "GitHub", "Gmail"]
    );
    ui.key(KeyCode::Char('/'));
    ui.type_str("gthb");
    assert_eq!(ui.vault_screen().shown_titles(), vec!["GitHub"]);
    // Shortcuts do not fire while the filter is typed: `n` is text.
    ui.key(KeyCode::Backspace);
    ui.key(KeyCode::Backspace);
    ui.key(KeyCode::Backspace);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["GitHub", "Gmail"]);
    ui.type_str("n");
    assert!(ui.vault_screen().dialog.is_none());
    assert_eq!(ui.vault_screen().shown_titles(), Vec::<&str>::new());
    assert!(ui.screen_text().contains("No entry matches."));
    // Esc clears it.
    ui.key(KeyCode::Esc);
    assert_eq!(ui.vault_screen().shown_titles().len(), 3);
    assert!(!ui.vault_screen().filtering);
}

#[test]
fn vault_password_shows_on_v_and_hides_on_navigation_and_after_15_s() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[
        ("Alpha", "a", "secret-alpha-pw"),
        ("Beta", "b", "secret-beta-pw"),
    ]);
    ui.reload_vault();
    assert!(!ui.screen_text().contains("secret-alpha-pw"));
    assert!(ui.screen_text().contains("••••"));
    // Idle: nothing to animate, no wake-up but the session's.
    assert_eq!(
        ui.model.screen.page().next_tick(ui.clock.now_for_test()),
        None
    );
    ui.key(KeyCode::Char('v'));
    assert!(ui.vault_screen().revealed());
    assert!(ui.screen_text().contains("secret-alpha-pw"));
    // Any move hides it.
    ui.key(KeyCode::Down);
    assert!(!ui.vault_screen().revealed());
    let text = ui.screen_text();
    assert!(!text.contains("secret-alpha-pw") && !text.contains("secret-beta-pw"));
    // Shown again, it hides by itself after 15 s.
    ui.key(KeyCode::Char('v'));
    assert!(ui.screen_text().contains("secret-beta-pw"));
    let due = ui.model.screen.page().next_tick(ui.clock.now_for_test());
    assert_eq!(due, Some(ui.clock.now_for_test() + 15));
    ui.clock.advance(15);
    ui.send(Msg::Tick);
    assert!(!ui.vault_screen().revealed());
    assert!(!ui.screen_text().contains("secret-beta-pw"));
    assert!(ui.model.redraw, "the hiding is drawn");
}

#[test]
fn vault_totp_entry_counts_down_and_only_then_ticks() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.vault
        .vault_add(&[entry(|e| {
            e.title = "With TOTP".into();
            e.totp = "JBSWY3DPEHPK3PXP".into();
        })])
        .unwrap();
    ui.reload_vault();
    let now = ui.clock.now_for_test();
    let totp = vaultty::vault::totp::Totp::parse("JBSWY3DPEHPK3PXP").unwrap();
    let text = ui.screen_text();
    assert!(
        text.contains(&format!(
            "{}  ({} s)",
            totp.code_at(now).as_str(),
            totp.remaining_secs(now)
        )),
        "{text}"
    );
    assert_eq!(ui.model.screen.page().next_tick(now), Some(now + 1));
    // A second later the tick redraws the countdown.
    ui.model.redraw = false;
    ui.clock.advance(1);
    ui.send(Msg::Tick);
    assert!(ui.model.redraw, "the countdown is drawn again");
    let later = now + 1;
    assert!(ui.screen_text().contains(&format!(
        "{}  ({} s)",
        totp.code_at(later).as_str(),
        totp.remaining_secs(later)
    )));
    let now = later;
    // `t` copies the code.
    let effects = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('t'),
        KeyModifiers::NONE,
    )));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Clipboard(t) if t.as_str() == totp.code_at(now).as_str()))
    );
}

#[test]
fn vault_copy_uses_osc52_and_clears_the_clipboard_after_30_s() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[("Alpha", "ada", "secret-alpha-pw")]);
    ui.reload_vault();
    let effects = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::NONE,
    )));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Clipboard(t) if t.as_str() == "secret-alpha-pw"))
    );
    assert_eq!(ui.flash_text(), "Copied; clears in 30 s");
    let effects = ui.send_only(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::NONE,
    )));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Clipboard(t) if t.as_str() == "ada"))
    );
    // The runtime wakes for the clear.
    let wake = ui.model.next_wake().unwrap();
    assert!(wake <= std::time::Duration::from_secs(31), "{wake:?}");
    ui.clock.advance(30);
    let effects = ui.send_only(Msg::Tick);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Clipboard(t) if t.is_empty())),
        "an empty OSC 52 clears it: {effects:?}"
    );
    assert_eq!(ui.model.clipboard_clear_at, None);
}

#[test]
fn vault_delete_asks_with_the_focus_on_cancel() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[("Alpha", "a", "x"), ("Beta", "b", "y")]);
    ui.reload_vault();
    ui.key(KeyCode::Delete);
    assert!(ui.screen_text().contains("Delete “Alpha”?"));
    // Enter on Cancel deletes nothing.
    ui.key(KeyCode::Enter);
    assert!(ui.vault_screen().dialog.is_none());
    assert_eq!(ui.vault.vault_entries().unwrap().len(), 2);
    // Tab to Delete, Enter: gone, from the store and the list.
    ui.key(KeyCode::Delete);
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.vault.vault_entries().unwrap().len(), 1);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Beta"]);
    assert_eq!(ui.flash_text(), "Entry deleted");
}

#[test]
fn vault_add_and_edit_through_the_form_with_the_generator() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.key(KeyCode::Char('n'));
    assert!(ui.model.form().is_some());
    // A title is required.
    ui.key(KeyCode::Enter);
    assert!(ui.field_error(0).is_some());
    ui.type_str("Forum");
    ui.key(KeyCode::Tab);
    ui.type_str("ada");
    ui.key(KeyCode::Tab);
    ui.ctrl('g');
    ui.focus_field(4);
    // Enter in the notes breaks the line; from the next field it saves.
    ui.type_str("line one");
    ui.key(KeyCode::Enter);
    ui.type_str("line two");
    assert!(
        ui.model.form().is_some(),
        "Enter in the notes does not save"
    );
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.flash_text(), "Entry added");
    let stored = ui.vault.vault_entries().unwrap();
    assert_eq!(stored.len(), 1);
    let e = &stored[0].entry;
    assert_eq!((e.title.as_str(), e.username.as_str()), ("Forum", "ada"));
    assert_eq!(e.notes, "line one\nline two");
    assert_eq!(e.password.split('-').count(), 6, "a 6-word passphrase");
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Forum"]);
    // Notes show line by line.
    let text = ui.screen_text();
    assert!(
        text.contains("line one") && text.contains("line two"),
        "{text}"
    );
    // Edit: the fields come filled in; the password kept.
    let old_pw = e.password.clone();
    ui.key(KeyCode::Char('e'));
    ui.key(KeyCode::End);
    ui.type_str(" 2");
    ui.key(KeyCode::Enter);
    let stored = ui.vault.vault_entries().unwrap();
    assert_eq!(stored[0].entry.title, "Forum 2");
    assert_eq!(stored[0].entry.password, old_pw);
    assert_eq!(stored[0].entry.notes, "line one\nline two");
}

impl Ui {
    /// The entry form's notes, as typed.
    fn notes(&self) -> String {
        self.model.form().unwrap().fields()[4].value().to_owned()
    }

    /// Where the terminal cursor is at 80×24.
    fn cursor_at(&self) -> (u16, u16) {
        let mut t = self.render(80, 24);
        let p = t.get_cursor_position().unwrap();
        (p.x, p.y)
    }

    /// The row of the screen (80×24) that holds `text`.
    fn row_of(&self, text: &str) -> Option<u16> {
        self.screen_text()
            .lines()
            .position(|l| l.contains(text))
            .map(|y| y as u16)
    }
}

/// The notes are edited on several lines: Enter breaks the line in the notes (and saves from
/// the other fields), ↑ / ↓ move between lines and leave the field past its first or last
/// line, a paste keeps its line breaks, and the footer says so.
#[test]
fn vault_generator_gives_a_passphrase_then_longer_character_passwords() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.key(KeyCode::Char('n'));
    ui.type_str("Router");
    ui.ctrl('g');
    assert_eq!(
        ui.flash_text(),
        "New 6-word passphrase in the field; Ctrl-G: 16 characters"
    );
    ui.ctrl('g');
    assert_eq!(
        ui.flash_text(),
        "New 16-character password in the field; Ctrl-G: 24 characters"
    );
    for n in [24, 32, 48] {
        ui.ctrl('g');
        assert!(
            ui.flash_text().starts_with(&format!("New {n}-character")),
            "{}",
            ui.flash_text()
        );
    }
    ui.ctrl('g');
    assert_eq!(
        ui.flash_text(),
        "New 64-character password in the field; Ctrl-G: a passphrase"
    );
    ui.ctrl('g');
    assert!(
        ui.flash_text().starts_with("New 6-word passphrase"),
        "{}",
        ui.flash_text()
    );
    ui.ctrl('g');
    // Typed on, the field starts the turn again.
    ui.type_str("x");
    ui.ctrl('g');
    assert!(
        ui.flash_text().starts_with("New 6-word passphrase"),
        "{}",
        ui.flash_text()
    );
    ui.ctrl('g');
    ui.focus_field(5);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.flash_text(), "Entry added");
    let stored = ui.vault.vault_entries().unwrap();
    let pw = &stored[0].entry.password;
    assert_eq!(pw.chars().count(), 16, "{pw:?}");
    assert!(
        pw.chars().any(|c| c.is_ascii_lowercase())
            && pw.chars().any(|c| c.is_ascii_uppercase())
            && pw.chars().any(|c| c.is_ascii_digit())
            && pw.chars().any(|c| c.is_ascii_punctuation()),
        "every kind of character: {pw:?}"
    );
}

#[test]
fn vault_notes_are_edited_on_several_lines() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.key(KeyCode::Char('n'));
    ui.type_str("Door");
    assert!(ui.screen_text().contains("Enter save"));
    ui.focus_field(4);
    let text = ui.screen_text();
    assert!(
        text.contains("Enter new line") && text.contains("Tab next field"),
        "{text}"
    );
    assert!(!text.contains("Enter save"), "{text}");
    ui.type_str("alpha");
    ui.key(KeyCode::Enter);
    ui.type_str("beta");
    assert_eq!(ui.notes(), "alpha\nbeta");
    // Both lines show, one under the other, and the cursor is at the end of the second.
    let (first, second) = (ui.row_of("alpha").unwrap(), ui.row_of("beta").unwrap());
    assert_eq!(second, first + 1);
    assert_eq!(ui.cursor_at().1, second);
    // ↑ keeps the column; ↓ from the last line goes on to the next field, ↑ comes back.
    ui.key(KeyCode::Up);
    ui.type_str("X");
    assert_eq!(ui.notes(), "alphXa\nbeta");
    assert_eq!(ui.cursor_at().1, first);
    ui.key(KeyCode::Down);
    assert_eq!(ui.form_focus(), 4);
    ui.key(KeyCode::Down);
    assert_eq!(ui.form_focus(), 5, "past the last line: the next field");
    ui.key(KeyCode::Up);
    assert_eq!(ui.form_focus(), 4);
    ui.key(KeyCode::Up);
    ui.key(KeyCode::Up);
    assert_eq!(ui.form_focus(), 3, "past the first line: the field above");
    ui.key(KeyCode::Tab);
    // Home / End, Backspace across a line break, a paste with its line breaks.
    ui.key(KeyCode::End);
    ui.key(KeyCode::Delete);
    assert_eq!(ui.notes(), "alphXabeta");
    ui.key(KeyCode::Home);
    ui.send(Msg::Paste("one\r\ntwo\r".into()));
    assert_eq!(ui.notes(), "one\ntwo\nalphXabeta");
    ui.key(KeyCode::Backspace);
    assert_eq!(ui.notes(), "one\ntwoalphXabeta");
    // From the next field Enter saves.
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.flash_text(), "Entry added");
    let stored = ui.vault.vault_entries().unwrap();
    assert_eq!(stored[0].entry.notes, "one\ntwoalphXabeta");
    // The edit form shows the lines as they are.
    ui.key(KeyCode::Char('e'));
    assert_eq!(ui.notes(), "one\ntwoalphXabeta");
    let (one, two) = (
        ui.row_of("one").unwrap(),
        ui.row_of("twoalphXabeta").unwrap(),
    );
    assert_eq!(two, one + 1);
}

/// In the notes the help lists the keys of a field of several lines, each once and bound
/// (vault_keys_are_all_in_the_help… checks that), and at the smallest size every row still
/// shows, whole or cut at a word.
#[test]
fn vault_notes_help_fits_at_60x20() {
    use vaultty::tui::screens::vault::NOTES_INFO;
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.send(Msg::Resize(60, 20));
    ui.key(KeyCode::Char('n'));
    ui.focus_field(4);
    ui.key(KeyCode::F(1));
    let screen = screen_rows(&ui, 60, 20);
    let all = screen.join("\n");
    let help = flat(&all);
    let rows = NOTES_INFO.help_shown(true);
    assert!(rows.iter().any(|(k, _)| k == "Enter / ↑ / ↓"), "{rows:?}");
    for (k, what) in rows {
        let whole = help.contains(&flat(&format!("{k} {what}")));
        let cut = what
            .char_indices()
            .any(|(i, c)| c == ' ' && help.contains(&flat(&format!("{k} {}…", &what[..i]))));
        assert!(whole || cut, "{k}: {what:?} not in the notes' help:\n{all}");
    }
}

/// The notes take at most MAX_NOTES_CHARS characters (a line break counts as one): a key or
/// a paste past that is refused whole, with the form's message under the field.
#[test]
fn vault_notes_refuse_text_past_their_limit_with_a_message() {
    use vaultty::vault::entry::MAX_NOTES_CHARS;
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.key(KeyCode::Char('n'));
    ui.focus_field(4);
    ui.send(Msg::Paste("x".repeat(MAX_NOTES_CHARS + 1)));
    assert_eq!(ui.notes(), "", "a paste that does not fit is not cut");
    let error = ui.field_error(4).unwrap();
    assert!(
        error.starts_with("Paste refused:") && error.contains(&MAX_NOTES_CHARS.to_string()),
        "{error}"
    );
    ui.send(Msg::Paste(format!("{}\n", "x".repeat(MAX_NOTES_CHARS - 2))));
    assert!(ui.field_error(4).is_none());
    ui.type_str("y");
    ui.key(KeyCode::Enter);
    assert_eq!(ui.notes().chars().count(), MAX_NOTES_CHARS);
    assert_eq!(
        ui.field_error(4).unwrap(),
        format!("Notes takes at most {MAX_NOTES_CHARS} characters.")
    );
    // The last row is in view, the cursor on it.
    assert!(ui.screen_text().contains("line 2/2"));
    let text = ui.screen_text();
    let y = ui.cursor_at().1;
    assert!(
        text.lines().nth(y as usize).unwrap().contains("y"),
        "{text}"
    );
}

#[test]
fn render_vault_entry_form_with_notes_on_several_lines() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.vault
        .vault_add(&[entry(|e| {
            e.title = "Door".into();
            e.notes = "Front door: 4711\n\tBack door: 0815\nThe alarm code is on the card in \
                       the drawer under the phone, behind the old manuals.\nKeys: ask Ada\n\
                       Last line 日本"
                .into();
        })])
        .unwrap();
    ui.reload_vault();
    ui.key(KeyCode::Char('e'));
    ui.focus_field(4);
    // Down to the last line: the field scrolls, says which line, the cursor at its end.
    for _ in 0..5 {
        ui.key(KeyCode::Down);
    }
    assert_eq!(ui.form_focus(), 4);
    ui.key(KeyCode::End);
    insta::assert_snapshot!("render_vault_entry_form_notes_80x24", snapshot(&ui));
    // "Last line " and two wide characters, from the input's first column (24)
    assert_eq!(
        ui.cursor_at(),
        (24 + 10 + 4, ui.row_of("Last line").unwrap())
    );
    let t = ui.render(60, 20);
    insta::assert_snapshot!("render_vault_entry_form_notes_60x20", t.backend());
}

#[test]
fn vault_reads_again_when_the_store_changed_during_a_read() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[("Alpha", "a", "x")]);
    ui.reload_vault();
    // A change elsewhere: the vault asks for its entries, and the worker reads them...
    let asked = ui.send_only(Msg::StoreChanged);
    let answers: Vec<Msg> = asked
        .into_iter()
        .filter_map(|c| execute(&ui.vault, c))
        .collect();
    // ...before a second change lands, heard while that answer is on its way.
    ui.add_entries(&[("Beta", "b", "y")]);
    let asked_again = ui.send_only(Msg::StoreChanged);
    for answer in answers {
        let effects = update(&mut ui.model, answer);
        ui.run(effects);
    }
    ui.run(asked_again);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Alpha", "Beta"]);
}

#[test]
fn vault_lock_shows_the_unlock_form_and_the_password_opens_it_again() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[("Alpha", "a", "x")]);
    ui.reload_vault();
    ui.key(KeyCode::Char('L'));
    assert!(matches!(ui.model.screen, Screen::Unlock(_)));
    assert!(!ui.vault.is_unlocked(), "the key is wiped");
    assert!(ui.vault.vault_entries().is_err());
    assert!(!ui.screen_text().contains("Alpha"));
    ui.type_str("wrong password entirely");
    ui.key(KeyCode::Enter);
    assert!(matches!(ui.model.screen, Screen::Unlock(_)));
    assert!(ui.field_error(0).unwrap().contains("not your password"));
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Alpha"]);
}

#[test]
fn vault_locks_after_vault_lock_minutes_without_a_key_and_wakes_for_it() {
    let mut ui = Ui::with_account();
    ui.model.vault_lock_secs = Some(120);
    ui.login_vault();
    ui.add_entries(&[("Alpha", "a", "x")]);
    ui.reload_vault();
    // The runtime is told to wake for the lock, and nothing sooner is due on an idle vault.
    let wake = ui.model.next_wake().unwrap();
    assert!(wake <= std::time::Duration::from_secs(121), "{wake:?}");
    // A key before the time puts the lock off.
    ui.clock.advance(100);
    ui.send(Msg::Tick);
    ui.key(KeyCode::Down);
    ui.clock.advance(100);
    ui.send(Msg::Tick);
    assert!(
        matches!(ui.model.screen, Screen::Vault(_)),
        "a key 100 s ago"
    );
    assert!(ui.vault.is_unlocked());
    ui.clock.advance(20);
    let effects = ui.send_only(Msg::Tick);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Backend(vaultty::api::Request::Lock))),
        "the worker is asked to wipe the key: {effects:?}"
    );
    ui.run(effects);
    assert!(matches!(ui.model.screen, Screen::Unlock(_)));
    assert!(!ui.vault.is_unlocked(), "the key is wiped");
    assert!(!ui.screen_text().contains("Alpha"));
    assert!(
        ui.flash_text().contains("Vault locked"),
        "{}",
        ui.flash_text()
    );
    // Locked, the lock is not asked again until a key.
    ui.clock.advance(200);
    let effects = ui.send_only(Msg::Tick);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Backend(vaultty::api::Request::Lock))),
        "{effects:?}"
    );
    ui.run(effects);
    ui.type_str(PW);
    ui.key(KeyCode::Enter);
    assert_eq!(ui.vault_screen().shown_titles(), vec!["Alpha"]);
}

#[test]
fn vault_lock_minutes_no_shorter_than_the_session_changes_nothing() {
    let mut ui = Ui::with_account();
    ui.model.vault_lock_secs = Some(ui.model.idle_secs().max(900));
    ui.login_vault();
    ui.clock.advance(300);
    ui.send(Msg::Tick);
    assert!(matches!(ui.model.screen, Screen::Vault(_)));
    assert!(ui.vault.is_unlocked());
}

#[test]
fn vault_locks_when_the_session_ends_elsewhere() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    assert!(ui.vault.is_unlocked());
    ui.clock.advance(100_000);
    ui.send(Msg::Tick);
    assert!(matches!(ui.model.screen, Screen::Login(_)));
    assert!(!ui.vault.is_unlocked());
}

#[test]
fn vault_entry_text_is_sanitized_before_drawing() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    // What a tampered store could hold (the service refuses control characters on the way
    // in): the answer to the vault's load, given directly.
    ui.key(KeyCode::Tab);
    let _ = ui.send_only(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    let hostile = vaultty::vault::EntryRecord {
        id: 1,
        created_at: T0,
        updated_at: T0,
        entry: entry(|e| {
            e.title = "Evil\u{1b}[2J".into();
            e.username = "u\u{7}".into();
            e.password = "p\u{1b}]52;c;eA==\u{7}".into();
            e.url = "https://x\u{202e}".into();
            e.notes = "a\u{1b}[31m\nb\u{9b}".into();
        }),
    };
    ui.send(Msg::Response(Response::Entries(Ok(vec![hostile]))));
    ui.key(KeyCode::Char('v'));
    assert!(ui.vault_screen().revealed());
    let text = ui.screen_text();
    assert!(text.contains("Evil"), "{text}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(bad), "{bad:?} drawn: {text:?}");
    }
    // The edit form draws them sanitized too, the notes on their two lines.
    ui.key(KeyCode::Char('e'));
    ui.focus_field(4);
    let text = ui.screen_text();
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(bad), "{bad:?} drawn in the form: {text:?}");
    }
    assert!(text.contains("a\u{FFFD}[31m"), "{text}");
    assert_eq!(
        ui.row_of("b\u{FFFD}"),
        ui.row_of("a\u{FFFD}[31m").map(|y| y + 1)
    );
}

#[test]
fn vault_keys_are_all_in_the_help_and_the_footer_keys_are_bound() {
    use vaultty::tui::screens::{recovery_code, sealed, vault};
    for (name, info) in vault::ALL_INFOS {
        assert_keymap_consistent(name, info);
    }
    assert_keymap_consistent("recovery (logged in)", &recovery_code::AUTH_INFO);
    assert_keymap_consistent("sealed (discard)", &sealed::DISCARD_INFO);
}

#[test]
fn vault_of_10000_entries_filters_and_draws_quickly() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    let entries: Vec<vaultty::vault::Entry> = (0..10_000)
        .map(|i| {
            entry(|e| {
                e.title = format!("Site {i:05}");
                e.username = format!("user{i}");
            })
        })
        .collect();
    ui.vault.vault_add(&entries).unwrap();
    ui.reload_vault();
    assert_eq!(ui.vault_screen().len(), 10_000);
    let start = std::time::Instant::now();
    ui.key(KeyCode::Char('/'));
    ui.type_str("site 0999");
    let typed = start.elapsed();
    assert_eq!(
        ui.vault_screen().shown_titles().first(),
        Some(&"Site 09990")
    );
    ui.key(KeyCode::Enter);
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let _ = ui.render(80, 24);
    }
    let drawn = start.elapsed() / 20;
    // Esc on the list clears the filter.
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::End);
    assert_eq!(
        ui.vault_screen().current().unwrap().entry.title,
        "Site 09999"
    );
    // Generous bounds (a debug build, a shared machine): what matters is no cost per entry
    // drawn, and a filter that does not slow typing down.
    assert!(
        typed < std::time::Duration::from_secs(2),
        "{typed:?} for 9 keys"
    );
    assert!(
        drawn < std::time::Duration::from_millis(50),
        "{drawn:?} a frame"
    );
}

#[test]
fn render_vault_list_and_delete_dialog() {
    let mut ui = Ui::with_account();
    ui.login_vault();
    ui.add_entries(&[
        ("GitHub", "ada", "pw-gh-secret"),
        ("Gmail", "ada.lovelace", "pw-gm-secret"),
        ("Bank of England", "alovelace", "pw-bank-secret"),
    ]);
    ui.reload_vault();
    ui.key(KeyCode::Down);
    insta::assert_snapshot!("render_vault_list_80x24", snapshot(&ui));
    assert!(!ui.screen_text().contains("pw-gh-secret"));
    ui.key(KeyCode::Delete);
    insta::assert_snapshot!("render_vault_delete_dialog_80x24", snapshot(&ui));
    ui.key(KeyCode::Esc);
    ui.key(KeyCode::Char('n'));
    let t = ui.render(60, 20);
    insta::assert_snapshot!("render_vault_new_entry_60x20", t.backend());
}

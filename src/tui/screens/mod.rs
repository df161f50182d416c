//! The screens. Each module holds one screen: its state, what it does with the actions of
//! its keys and with the answers to its requests ([`Page`]), how it is drawn, and its keys
//! ([`Info`]: the layers of the keymap it answers, its help and its footer).
//!
//! Adding a screen is one new module here and one line in the [`screens!`] list below; the
//! app reaches every screen through [`Screen`], [`ScreenId`] and [`Page`].

use super::app::{Effect, Model};
use super::keys::{self, Action, Hint, Layer, Row};
use super::widgets::confirm::Confirm;
use super::widgets::form::AnyForm;
use super::widgets::meter::StrengthCheck;
use super::widgets::status::{Flash, FlashKind};
use crate::api::{Request, Response};
use crate::{SessionInfo, Strength};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

/// Lists the screens: `module::Type`, one a line. Declares the modules, [`Screen`] (which one
/// is showing, with its state) and [`ScreenId`] (its name, for what is known without one).
macro_rules! screens {
    ($($module:ident::$name:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Which screen is showing, with its state.
        #[derive(Debug)]
        pub enum Screen {
            $($name($module::$name)),+
        }

        /// A screen's name. Non-exhaustive: code outside the UI that matches on it keeps a
        /// wildcard arm, so adding a screen stays one file and one line.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ScreenId {
            $($name),+
        }

        impl Screen {
            pub fn id(&self) -> ScreenId {
                match self {
                    $(Screen::$name(_) => ScreenId::$name),+
                }
            }
            pub fn page(&self) -> &dyn Page {
                match self {
                    $(Screen::$name(s) => s),+
                }
            }
            pub fn page_mut(&mut self) -> &mut dyn Page {
                match self {
                    $(Screen::$name(s) => s),+
                }
            }
        }

        impl ScreenId {
            /// Every screen.
            pub const ALL: &[ScreenId] = &[$(ScreenId::$name),+];

            pub fn info(self) -> &'static Info {
                match self {
                    $(ScreenId::$name => &$module::INFO),+
                }
            }
        }

        $(impl From<$module::$name> for Screen {
            fn from(s: $module::$name) -> Self {
                Screen::$name(s)
            }
        })+
    };
}

screens! {
    starting::Starting,
    login::Login,
    signup::Signup,
    dashboard::Dashboard,
    change_password::ChangePassword,
    reset::Reset,
    sessions::Sessions,
    revoke::Revoke,
    history::History,
    delete_account::DeleteAccount,
    admin::Admin,
    vault::Vault,
    recovery_code::RecoveryCode,
    sealed::Sealed,
    unlock::Unlock,
}

/// What a screen declares about itself, beside its state.
#[derive(Debug)]
pub struct Info {
    /// Its name in the header and in the help's title ("" for none).
    pub title: &'static str,
    /// Behind a login: Ctrl-O logs out, activity refreshes the session, its expiry is watched.
    pub authenticated: bool,
    /// For administrators only: when the session's account is no longer one (demoted
    /// elsewhere), the app closes it and goes back to the dashboard.
    pub admin: bool,
    /// Submitting runs Argon2: the first key typed prepares its memory.
    pub hashes_password: bool,
    /// The layers of the keymap it answers, in the order they are asked (after the app's own:
    /// `Always`, `Common`, `NoTextFocus`, and `Session` when authenticated).
    pub layers: &'static [Layer],
    /// Its help, in groups of rows.
    pub help: &'static [&'static [Row]],
    pub footer: &'static [Hint],
}

impl Info {
    /// The layers a key may go through on this screen, with or without a text field focused.
    pub fn active_layers(&self, text_focus: bool) -> Vec<Layer> {
        let mut layers = vec![Layer::Always, Layer::Common];
        if !text_focus {
            layers.push(Layer::NoTextFocus);
        }
        if self.authenticated {
            layers.push(Layer::Session);
        }
        layers.extend_from_slice(self.layers);
        layers
    }

    /// Whether the screen opens with a text field focused (a form).
    pub fn starts_in_text(&self) -> bool {
        self.layers.contains(&Layer::Field)
    }

    /// The help rows that apply: a row is left out where its keys do nothing (`?` while a
    /// text field has focus).
    pub fn help_rows(&self, text_focus: bool) -> Vec<&'static Row> {
        let active = self.active_layers(text_focus);
        self.help
            .iter()
            .flat_map(|rows| rows.iter())
            .filter(|row| row.keys.iter().all(|(layer, _)| active.contains(layer)))
            .collect()
    }

    /// The help as shown: each row's keys and what they do.
    pub fn help_shown(&self, text_focus: bool) -> Vec<(String, String)> {
        self.help_rows(text_focus)
            .into_iter()
            .map(Row::shown)
            .collect()
    }
}

impl ScreenId {
    /// Every key of the screen, each once, as its help shows them when it opens (a form's
    /// focus on its first field).
    pub fn help(self) -> Vec<(String, String)> {
        let info = self.info();
        info.help_shown(info.starts_in_text())
    }

    /// The footer's hints: the keys and what they do.
    pub fn footer(self) -> Vec<(String, &'static str)> {
        self.info()
            .footer
            .iter()
            .map(|h| (keys::label(&[h.key]), h.what))
            .collect()
    }
}

/// A screen's behaviour. Everything has a default but [`Page::view`].
pub trait Page {
    /// Its form, if it is one.
    fn form(&self) -> Option<&dyn AnyForm> {
        None
    }

    /// An action of one of its layers (and [`Action::Yes`] to a question it asked).
    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        let _ = (action, cx);
    }

    /// Pasted text (where its layers take a paste).
    fn on_paste(&mut self, text: String, cx: &mut Ctx) {
        let _ = (text, cx);
    }

    /// The answer to a request it sent. The app takes the answers that start, change or end a
    /// session; an answer the screen does not expect is dropped.
    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let _ = (response, cx);
    }

    /// Before each frame: brings derived state up to date (the strength meter asks again).
    fn refresh(&mut self, cx: &mut Ctx) {
        let _ = cx;
    }

    /// The strength meter's answer to request `id`.
    fn on_strength(&mut self, id: u64, strength: Strength) {
        let _ = (id, strength);
    }

    /// Draws the screen's body in `area` (views only read); returns where the cursor goes.
    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position>;

    /// What it declares now, when that changes with what it shows (a table, a filter being
    /// typed, a dialog) or with who is logged in (`session`); `None`: its [`Info`].
    fn info_now(&self, session: Option<&SessionInfo>) -> Option<&'static Info> {
        let _ = session;
        None
    }

    /// Whether a text field has focus (printable keys then type into it): by default, a field
    /// of its form.
    fn text_focus(&self) -> bool {
        self.form().is_some_and(|f| !f.on_button())
    }

    /// When it next needs a [`Page::on_tick`] (clock seconds): only while something it shows
    /// changes with time (a TOTP code, a password shown until it hides). `None`: never, so an
    /// idle screen does not wake.
    fn next_tick(&self, now: i64) -> Option<i64> {
        let _ = now;
        None
    }

    /// Time passed its [`Page::next_tick`].
    fn on_tick(&mut self, cx: &mut Ctx) {
        let _ = cx;
    }

    /// Another process changed the store (a local SQLite store under inotify): a screen that
    /// shows what is in the store may read it again.
    fn on_store_changed(&mut self, cx: &mut Ctx) {
        let _ = cx;
    }
}

/// What a screen's update may read and ask for beyond its own state. The app applies what was
/// asked once the screen returns.
pub struct Ctx<'a> {
    pub now: i64,
    /// The session, on screens behind a login.
    pub session: Option<&'a SessionInfo>,
    /// The terminal's size (a table loads as many rows as it shows).
    pub size: (u16, u16),
    /// Whether the help is open.
    pub help: bool,
    strength_seq: &'a mut u64,
    pub(crate) out: Out,
}

/// What a screen asked for.
#[derive(Default)]
pub(crate) struct Out {
    pub effects: Vec<Effect>,
    pub busy: Option<&'static str>,
    pub flash: Option<Flash>,
    /// Boxed: every key makes an `Out`, few change the screen.
    pub next: Option<Box<Screen>>,
    pub confirm: Option<Confirm>,
    /// The screen's own state changed on a tick: draw again.
    pub redraw: bool,
    /// Something was put on the clipboard: clear it later.
    pub copied: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        now: i64,
        session: Option<&'a SessionInfo>,
        strength_seq: &'a mut u64,
    ) -> Self {
        Ctx {
            now,
            session,
            size: (0, 0),
            help: false,
            strength_seq,
            out: Out::default(),
        }
    }

    /// Sends `request` to the backend; the screen is locked meanwhile, the status line says
    /// `doing`.
    pub fn send(&mut self, doing: &'static str, request: Request) {
        self.out.busy = Some(doing);
        self.out.effects.push(Effect::Backend(request));
    }

    /// Shows `screen` next.
    pub fn go(&mut self, screen: impl Into<Screen>) {
        self.out.next = Some(Box::new(screen.into()));
    }

    /// A flash message.
    pub fn flash(&mut self, kind: FlashKind, text: impl Into<String>) {
        self.out.flash = Some(Flash::new(kind, text, self.now));
    }

    /// An error that counts down to the end of a lock (`ends`).
    pub fn lockout(&mut self, text: impl Into<String>, ends: Option<i64>) {
        let mut flash = Flash::new(FlashKind::Error, text, self.now);
        flash.lockout_ends = ends;
        self.out.flash = Some(flash);
    }

    /// Asks a question; yes comes back as [`Action::Yes`].
    pub fn ask(&mut self, question: Confirm) {
        self.out.confirm = Some(question);
    }

    /// A number for the next strength check (answers to older ones are stale).
    pub fn next_strength_id(&mut self) -> u64 {
        *self.strength_seq += 1;
        *self.strength_seq
    }

    /// Asks the meter's thread to check a password.
    pub fn check_strength(&mut self, check: StrengthCheck) {
        self.out.effects.push(Effect::Meter(check));
    }

    /// Sends `request` without locking the screen: a query typed on (a filter, a page), whose
    /// answer the screen drops when a newer one was asked meanwhile.
    pub fn query(&mut self, request: Request) {
        self.out.effects.push(Effect::Backend(request));
    }

    /// Its state changed on a tick: the frame is drawn again.
    pub fn redraw(&mut self) {
        self.out.redraw = true;
    }

    /// Puts `text` on the clipboard (OSC 52); it is cleared after
    /// [`CLIPBOARD_SECS`](super::app::CLIPBOARD_SECS).
    pub fn copy(&mut self, text: zeroize::Zeroizing<String>) {
        self.out.effects.push(Effect::Clipboard(text));
        self.out.copied = true;
    }

    /// Keeps the screen locked with `doing` in the status line: the answer that came (which
    /// unlocks it) was not the one the screen waits for.
    pub fn still_busy(&mut self, doing: &'static str) {
        self.out.busy = Some(doing);
    }
}

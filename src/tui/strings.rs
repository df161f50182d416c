//! Every user-facing string of the terminal UI, and each screen's keys (the footer and the
//! help overlay are both built from these lists).

pub const APP: &str = "vaultty";
pub const LOGIN_TITLE: &str = "Log in";
pub const SIGNUP_TITLE: &str = "Create an account";
pub const DASHBOARD_TITLE: &str = "Dashboard";
pub const PASSWORD_TITLE: &str = "Change password";
pub const HELP_TITLE: &str = "Keys";

pub const LOGIN_BUTTON: &str = "Log in";
pub const SIGNUP_BUTTON: &str = "Create account";
pub const PASSWORD_BUTTON: &str = "Change password";

pub const VERIFYING: &str = "Verifying…";
pub const CREATING: &str = "Creating account…";
pub const CHANGING: &str = "Changing password…";
pub const LOGGING_OUT: &str = "Logging out…";
pub const LOADING: &str = "Opening the vault…";
pub const WAITING_FOR_STORE: &str = "Waiting for another vaultty to finish…";

pub const CAPS_HINT: &str = "Caps Lock or keyboard layout?";
pub const ACCOUNT_CREATED: &str = "Account created: log in";
pub const LOGGED_OUT: &str = "Logged out";
pub const SESSION_EXPIRED: &str = "Session expired: log in again";
pub const TRY_AGAIN_NOW: &str = "The lock is over: you can try again.";
pub const LOGGED_OUT_ELSEWHERE: &str = "Logged out elsewhere: log in again";
pub const PASSWORDS_DIFFER: &str = "does not match the password above.";
pub const PASTE_REFUSED: &str = "Paste refused:";
pub const CHECKING: &str = "checking…";

pub const LABEL_EMAIL: &str = "Email";
pub const LABEL_PASSWORD: &str = "Password";
pub const LABEL_NAME: &str = "Name";
pub const LABEL_CONFIRM: &str = "Confirm password";
pub const LABEL_CURRENT: &str = "Current password";
pub const LABEL_NEW: &str = "New password";

pub fn too_small(need_w: u16, need_h: u16, w: u16, h: u16) -> String {
    format!("Terminal too small: need {need_w}×{need_h}, have {w}×{h}")
}

/// Under a field that refused a character or a paste: "Email takes at most 254 characters."
pub fn too_long(label: &str, max: usize) -> String {
    format!("{label} takes at most {max} characters.")
}

/// Under a field left empty on submit: "Password is required."
pub fn required(label: &str) -> String {
    format!("{label} is required.")
}

pub fn password_changed(ended: usize) -> String {
    match ended {
        0 => "Password changed".to_owned(),
        1 => "Password changed; 1 other session ended".to_owned(),
        n => format!("Password changed; {n} other sessions ended"),
    }
}

/// A key and what it does.
pub type KeyHint = (&'static str, &'static str);

/// Key names, so that the footer, the help and the tests agree on them.
pub const KEY_HELP: &str = "F1";
pub const KEY_QUIT: &str = "Ctrl-C";
pub const KEY_REVEAL: &str = "F2";
pub const KEY_BACK: &str = "Esc";
pub const KEY_LOGOUT: &str = "Ctrl-O";

/// What a footer too narrow for all its hints keeps, most important first; hints not listed
/// go first. The way out (quit, then back and log out, and the answers to a question) before
/// the help (which lists everything else) and F2 (passwords typed blind are the likeliest
/// mistake), then the screen's own keys, and last `q`, which quits as Ctrl-C does.
pub const FOOTER_PRIORITY: &[&str] = &[
    KEY_QUIT, KEY_BACK, "n / Esc", "y", KEY_LOGOUT, "l", KEY_HELP, KEY_REVEAL, "Enter", "p",
    "Ctrl-N", "q",
];

/// Editing keys of every field (text and password alike).
const FIELD_KEYS: &[KeyHint] = &[
    ("Tab / Shift-Tab", "next / previous field (↓ / ↑ too)"),
    ("F2", "show / hide passwords"),
    ("← / →", "move one character"),
    ("Ctrl-← / Ctrl-→", "move one word"),
    (
        "Home / End",
        "start / end of the field (Ctrl-A / Ctrl-E too)",
    ),
    (
        "Backspace / Delete",
        "delete the character before / at the cursor",
    ),
    ("Ctrl-W", "delete the word before the cursor"),
    ("Ctrl-U / Ctrl-K", "delete the whole field / to its end"),
    ("paste", "goes in at the cursor, without line breaks"),
];
/// Keys of every screen.
const COMMON_KEYS: &[KeyHint] = &[("F1 / Ctrl-L", "this help / redraw the screen")];

pub const LOGIN_FOOTER: &[KeyHint] = &[
    ("Enter", "log in"),
    ("Ctrl-N", "sign up"),
    (KEY_REVEAL, "show"),
    (KEY_HELP, "help"),
    (KEY_QUIT, "quit"),
];
const LOGIN_HELP: &[KeyHint] = &[
    ("Enter", "in Email: go to Password; then log in"),
    ("Ctrl-N", "create an account"),
    ("Ctrl-C", "quit"),
];
pub const SIGNUP_FOOTER: &[KeyHint] = &[
    ("Enter", "create account"),
    (KEY_BACK, "back"),
    (KEY_REVEAL, "show"),
    (KEY_HELP, "help"),
    (KEY_QUIT, "quit"),
];
const SIGNUP_HELP: &[KeyHint] = &[
    ("Enter", "create the account"),
    ("Esc", "back to log in (asks first if you typed something)"),
    ("Ctrl-C", "quit"),
];
/// The footer while "Discard what you typed?" is asked.
pub const DISCARD_FOOTER: &[KeyHint] = &[
    ("y", "discard"),
    ("n / Esc", "keep typing"),
    (KEY_QUIT, "quit"),
];
pub const PASSWORD_FOOTER: &[KeyHint] = &[
    ("Enter", "change"),
    (KEY_BACK, "back"),
    (KEY_LOGOUT, "log out"),
    (KEY_REVEAL, "show"),
    (KEY_HELP, "help"),
    (KEY_QUIT, "quit"),
];
const PASSWORD_HELP: &[KeyHint] = &[
    ("Enter", "change the password"),
    ("Esc", "back to the dashboard"),
    ("Ctrl-O", "log out"),
    ("Ctrl-C", "quit (stay logged in)"),
];
pub const DASHBOARD_FOOTER: &[KeyHint] = &[
    ("p", "change password"),
    ("l", "log out"),
    ("q", "quit (stay logged in)"),
    (KEY_HELP, "help"),
    (KEY_QUIT, "quit"),
];
const DASHBOARD_HELP: &[KeyHint] = &[
    ("p", "change password"),
    ("l / Ctrl-O", "log out"),
    ("q", "quit (stay logged in)"),
    ("?", "this help (as F1)"),
    ("Ctrl-C", "quit at once (stay logged in)"),
];

/// Which keys a screen has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    Login,
    Signup,
    ChangePassword,
    Dashboard,
}

impl Keys {
    pub fn footer(self) -> &'static [KeyHint] {
        match self {
            Keys::Login => LOGIN_FOOTER,
            Keys::Signup => SIGNUP_FOOTER,
            Keys::ChangePassword => PASSWORD_FOOTER,
            Keys::Dashboard => DASHBOARD_FOOTER,
        }
    }

    /// Every key of the screen, each once, for the help overlay.
    pub fn help(self) -> Vec<KeyHint> {
        let (own, form) = match self {
            Keys::Login => (LOGIN_HELP, true),
            Keys::Signup => (SIGNUP_HELP, true),
            Keys::ChangePassword => (PASSWORD_HELP, true),
            Keys::Dashboard => (DASHBOARD_HELP, false),
        };
        let mut v: Vec<KeyHint> = own.to_vec();
        if form {
            v.extend_from_slice(FIELD_KEYS);
        }
        v.extend_from_slice(COMMON_KEYS);
        v
    }
}

pub const HELP_CLOSE: &str = "Esc, q or F1 closes this help";
pub const DISCARD_QUESTION: &str = "Discard what you typed? y / n";

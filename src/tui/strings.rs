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

pub const CAPS_HINT: &str = "Caps Lock or keyboard layout?";
pub const ACCOUNT_CREATED: &str = "Account created: log in";
pub const LOGGED_OUT: &str = "Logged out";
pub const SESSION_EXPIRED: &str = "Session expired: log in again";
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

pub fn password_changed(ended: usize) -> String {
    match ended {
        0 => "Password changed".to_owned(),
        1 => "Password changed; 1 other session ended".to_owned(),
        n => format!("Password changed; {n} other sessions ended"),
    }
}

/// A key and what it does.
pub type KeyHint = (&'static str, &'static str);

const FORM_KEYS: &[KeyHint] = &[
    ("Tab / ↓", "next field"),
    ("Shift-Tab / ↑", "previous field"),
    ("Enter", "submit"),
    ("F2", "show / hide passwords"),
    ("←/→ Home/End", "move in the field (also Ctrl-A / Ctrl-E)"),
    ("Ctrl-U / Ctrl-W", "delete line / word"),
];

pub const LOGIN_KEYS: &[KeyHint] = &[
    ("Enter", "log in"),
    ("Ctrl-N", "create an account"),
    ("F1", "help"),
    ("Ctrl-C", "quit"),
];
pub const SIGNUP_KEYS: &[KeyHint] = &[
    ("Enter", "create account"),
    ("Esc", "back to log in"),
    ("F1", "help"),
    ("Ctrl-C", "quit"),
];
pub const PASSWORD_KEYS: &[KeyHint] = &[
    ("Enter", "change password"),
    ("Esc", "back"),
    ("Ctrl-L", "log out"),
    ("F1", "help"),
];
pub const DASHBOARD_KEYS: &[KeyHint] = &[
    ("p", "change password"),
    ("l", "log out"),
    ("q", "quit (stay logged in)"),
    ("F1", "help"),
];
pub const DASHBOARD_EXTRA: &[KeyHint] =
    &[("Ctrl-L", "log out"), ("Ctrl-C", "quit (stay logged in)")];
pub const PASSWORD_EXTRA: &[KeyHint] = &[("Ctrl-C", "quit (stay logged in)")];
pub const HELP_KEYS: &[KeyHint] = &[("Esc / F1", "close help")];

/// Every key of a screen, for the help overlay: its footer keys, `extra` ones, the form
/// editing keys when it is a form, and how to close the help.
pub fn all_keys(main: &[KeyHint], extra: &[KeyHint], form: bool) -> Vec<KeyHint> {
    let mut v: Vec<KeyHint> = main.to_vec();
    v.extend_from_slice(extra);
    if form {
        v.extend_from_slice(FORM_KEYS);
    }
    v.extend_from_slice(HELP_KEYS);
    v
}

//! Every user-facing string of the terminal UI: titles, labels, messages, the texts of the
//! footer and the help, and the names of keys. Which key does what is not here but in
//! [`super::keys`]; the footer and the help put the two together.

use crate::ValidationError;
use crate::auth::policy::min_password_chars;

pub const APP: &str = "vaultty";

// On stderr, when the UI cannot run.
pub const NOT_A_TERMINAL: &str =
    "the terminal UI needs a terminal; for scripts use the commands (vaultty --help)";
pub const ERR_SIGNALS: &str = "cannot install signal handlers";
pub const ERR_TERMINAL: &str = "cannot set up the terminal";
pub const ERR_DRAW: &str = "cannot draw";
pub const ERR_SIZE: &str = "cannot read the terminal size";
pub const ERR_WORKER: &str = "the worker thread stopped";
pub const LOGIN_TITLE: &str = "Log in";
pub const SIGNUP_TITLE: &str = "Create an account";
pub const DASHBOARD_TITLE: &str = "Dashboard";
pub const PASSWORD_TITLE: &str = "Change password";
pub const HELP_TITLE: &str = "Keys";

pub const LOGIN_BUTTON: &str = "Log in";
pub const SIGNUP_BUTTON: &str = "Create account";
pub const PASSWORD_BUTTON: &str = "Change password";

// What the worker is doing, in the status line.
pub const VERIFYING: &str = "Verifying…";
pub const CREATING: &str = "Creating account…";
pub const CHANGING: &str = "Changing password…";
pub const LOGGING_OUT: &str = "Logging out…";
pub const LOADING: &str = "Opening the vault…";
pub const WAITING_FOR_STORE: &str = "Waiting for another vaultty to finish…";

// Flash messages.
pub const CAPS_HINT: &str = "Caps Lock or keyboard layout?";
pub const ACCOUNT_CREATED: &str = "Account created: log in";
pub const LOGGED_OUT: &str = "Logged out";
pub const SESSION_EXPIRED: &str = "Session expired: log in again";
pub const TRY_AGAIN_NOW: &str = "The lock is over: you can try again.";

// Under fields.
pub const PASSWORDS_DIFFER: &str = "does not match the password above.";
pub const PASTE_REFUSED: &str = "Paste refused:";

pub const LABEL_EMAIL: &str = "Email";
pub const LABEL_PASSWORD: &str = "Password";
pub const LABEL_NAME: &str = "Name";
pub const LABEL_CONFIRM: &str = "Confirm password";
pub const LABEL_CURRENT: &str = "Current password";
pub const LABEL_NEW: &str = "New password";

// The strength meter.
pub const STRENGTH: &str = "Strength";
pub const CHECKING: &str = "checking…";
pub const TOO_WEAK: &str = "too weak";
pub const GOOD: &str = "good";
pub const STRONG: &str = "strong";
pub const ACCEPTABLE: &str = "Acceptable.";

/// The meter before anything is typed: "Strength: type a passphrase of 15+ characters" (the
/// minimum in force).
pub fn strength_prompt() -> String {
    format!(
        "{STRENGTH}: type a passphrase of {}+ characters",
        min_password_chars()
    )
}

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

/// The text shown under a field for a validation error: "Email is not a valid email address.
/// Use the form name@example.com."
pub fn describe(label: &str, e: &ValidationError) -> String {
    let mut text = format!("{label} {}", e.message);
    if let Some(h) = &e.hint {
        text.push(' ');
        text.push_str(h);
    }
    text
}

pub fn password_changed(ended: usize) -> String {
    match ended {
        0 => "Password changed".to_owned(),
        1 => "Password changed; 1 other session ended".to_owned(),
        n => format!("Password changed; {n} other sessions ended"),
    }
}

// The login card's last line: "New here? Ctrl-N creates an account."
pub const NEW_HERE: &str = "New here? ";
pub const CREATES_AN_ACCOUNT: &str = " creates an account.";

// The dashboard.
pub fn welcome(name: &str) -> String {
    format!("Welcome, {name}")
}
pub const ROW_EMAIL: &str = "Email";
pub const ROW_ROLE: &str = "Role";
pub const ROW_MEMBER_SINCE: &str = "Member since";
pub const ROW_PREVIOUS_LOGIN: &str = "Previous login";
pub const FIRST_LOGIN: &str = "none: this is your first login";
pub const ROW_LOGGED_IN_AT: &str = "Logged in at";
pub const ROW_SESSION_ENDS: &str = "Session ends";
pub fn ends_if_idle(at: &str, limit: &str) -> String {
    format!("{at} if idle ({limit} limit)")
}
pub fn at_the_latest(at: &str) -> String {
    format!("{at} at the latest")
}

/// The dashboard's warning about failed logins and refusals while locked since the previous
/// login (or the signup): its lines, the first one the headline.
pub fn attempts_warning(
    failed: u64,
    throttled: u64,
    since_signup: bool,
    advice_key: Option<&str>,
) -> Vec<String> {
    let since = if since_signup {
        "signup"
    } else {
        "previous login"
    };
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let locked = |n: u64| format!("{n} attempt{} refused while locked", plural(n));
    let mut texts = vec![if failed > 0 {
        format!(
            "⚠ {failed} failed login attempt{} since your {since}.",
            plural(failed)
        )
    } else {
        format!("⚠ {} since your {since}.", locked(throttled))
    }];
    if failed > 0 && throttled > 0 {
        texts.push(format!("  Also {}.", locked(throttled)));
    }
    if let Some(key) = advice_key {
        texts.push(format!(
            "  If that was not you, change your password now ({key})."
        ));
    }
    texts
}

// ---- the footer: what a key does, in a word or two --------------------------------------

pub const FOOT_LOG_IN: &str = "log in";
pub const FOOT_SIGN_UP: &str = "sign up";
pub const FOOT_SHOW: &str = "show";
/// F2's hint while the passwords are shown.
pub const FOOT_HIDE: &str = "hide";
pub const FOOT_HELP: &str = "help";
pub const FOOT_QUIT: &str = "quit";
pub const FOOT_CREATE: &str = "create account";
pub const FOOT_BACK: &str = "back";
pub const FOOT_CHANGE: &str = "change";
pub const FOOT_LOG_OUT: &str = "log out";
pub const FOOT_CHANGE_PASSWORD: &str = "change password";
pub const FOOT_QUIT_STAY: &str = "quit (stay logged in)";
pub const FOOT_DISCARD: &str = "discard";
pub const FOOT_KEEP_TYPING: &str = "keep typing";

// ---- the help: what a key does, in a sentence -------------------------------------------

pub const HELP_LOGIN_SUBMIT: &str = "in Email: go to Password; then log in";
pub const HELP_SIGNUP: &str = "create an account";
pub const HELP_QUIT: &str = "quit";
pub const HELP_SIGNUP_SUBMIT: &str = "create the account";
pub const HELP_SIGNUP_BACK: &str = "back to log in (asks first if you typed something)";
pub const HELP_PASSWORD_SUBMIT: &str = "change the password";
pub const HELP_PASSWORD_BACK: &str = "back to the dashboard";
pub const HELP_LOG_OUT: &str = "log out";
pub const HELP_QUIT_STAY: &str = "quit (stay logged in)";
pub const HELP_CHANGE_PASSWORD: &str = "change password";
pub const HELP_QUESTION_MARK: &str = "this help (as F1)";
pub const HELP_QUIT_AT_ONCE: &str = "quit at once (stay logged in)";
pub const HELP_FIELDS: &str = "next / previous field";
pub const HELP_REVEAL: &str = "show / hide passwords";
pub const HELP_MOVE_CHAR: &str = "move one character";
pub const HELP_MOVE_WORD: &str = "move one word";
pub const HELP_START_END: &str = "start / end of the field";
pub const HELP_DELETE_CHAR: &str = "delete the character before / at the cursor";
pub const HELP_DELETE_WORD: &str = "delete the word before the cursor";
pub const HELP_DELETE_FIELD: &str = "delete the whole field / to its end";
pub const HELP_PASTE: &str = "goes in at the cursor, without line breaks";
// A field of several lines (the entry's notes)
pub const HELP_LINES_FIELDS: &str = "next / previous field (Enter saves from the others)";
pub const HELP_LINE_BREAK_UP_DOWN: &str =
    "a line break / the line above / below (past the first / last: the field above / below)";
pub const HELP_LINE_START_END: &str = "start / end of the line";
pub const HELP_LINES_DELETE_CHAR: &str = "delete before / at the cursor (line breaks too)";
pub const HELP_LINES_DELETE_LINE: &str = "delete the line / to its end (or the line break)";
pub const HELP_LINES_PASTE: &str = "goes in at the cursor, with its line breaks";
/// Where the cursor is in a field of several lines taller than it shows: "line 3/12".
pub fn line_of(line: usize, lines: usize) -> String {
    format!("line {line}/{lines}")
}
pub const HELP_COMMON: &str = "this help / redraw the screen";

/// What a help row adds for the keys that do the same as its own: " (↓ / ↑ too)".
pub fn also(keys: &str) -> String {
    format!(" ({keys} too)")
}

/// The help's bottom line: "Esc, q or F1 closes this help".
pub fn help_close(keys: &[String]) -> String {
    let keys = match keys {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    format!("{keys} closes this help")
}

pub const DISCARD_QUESTION: &str = "Discard what you typed?";

/// A question in the status line with its answers: "Discard what you typed? y / n".
pub fn question(text: &str, yes: &str, no: &str) -> String {
    format!("{text} {yes} / {no}")
}

// ---- key names, as the footer and the help show them -----------------------------------

pub const KEY_CTRL: &str = "Ctrl-";
pub const KEY_ALT: &str = "Alt-";
pub const KEY_SHIFT: &str = "Shift-";
pub const KEY_ENTER: &str = "Enter";
pub const KEY_ESC: &str = "Esc";
pub const KEY_TAB: &str = "Tab";
pub const KEY_BACKTAB: &str = "Shift-Tab";
pub const KEY_LEFT: &str = "←";
pub const KEY_RIGHT: &str = "→";
pub const KEY_UP: &str = "↑";
pub const KEY_DOWN: &str = "↓";
pub const KEY_HOME: &str = "Home";
pub const KEY_END: &str = "End";
pub const KEY_BACKSPACE: &str = "Backspace";
pub const KEY_DELETE: &str = "Delete";
/// Not a key: a paste (bracketed paste) has a row of its own in the help.
pub const KEY_PASTE: &str = "paste";
/// A key separator in the footer and the help: "Tab / Shift-Tab".
pub const KEY_OR: &str = " / ";

// ---- Reset codes, sessions, history, deleting one's account, the session watcher --------

pub const KEY_PAGE_UP: &str = "PgUp";
pub const KEY_PAGE_DOWN: &str = "PgDn";

// The login card's second line: "Forgot your password, or first login? Ctrl-R"
pub const FORGOT: &str = "Forgot your password, or first login? ";

// The reset form.
pub const RESET_TITLE: &str = "Set a password with a code";
pub const RESET_BUTTON: &str = "Set password";
pub const LABEL_CODE: &str = "Code";
pub const SETTING_PASSWORD: &str = "Setting the password…";
pub const PASSWORD_SET: &str = "Password set: log in with it";
pub const RESET_ASK: &str = "An administrator gives you the code.";
/// Said before a reset is done: what it does to the vault.
pub const RESET_SEALS: &str = "It seals your vault until you enter your recovery code.";

/// The flash after a reset that ended sessions elsewhere.
pub fn password_set(ended: usize) -> String {
    match ended {
        0 => PASSWORD_SET.to_owned(),
        1 => format!("{PASSWORD_SET} (1 session ended)"),
        n => format!("{PASSWORD_SET} ({n} sessions ended)"),
    }
}

// The sessions list.
pub const SESSIONS_TITLE: &str = "Sessions";
pub const LOADING_SESSIONS: &str = "Loading sessions…";
pub const COL_ID: &str = "ID";
pub const COL_STARTED: &str = "Started";
pub const COL_LAST_USED: &str = "Last used";
pub const COL_EXPIRES: &str = "Expires";
pub const CURRENT_SESSION: &str = "this one";
pub const NO_SESSIONS: &str = "No sessions.";
pub const NO_OTHER_SESSIONS: &str = "No other session to end.";
pub const REVOKING: &str = "Ending sessions…";

/// The line under the sessions list: "3 sessions · times in UTC".
pub fn sessions_caption(n: usize, tz: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} session{plural} · times in {tz}")
}

/// After a revocation: "1 session ended".
pub fn sessions_ended(n: usize) -> String {
    match n {
        0 => "No session ended (already gone)".to_owned(),
        1 => "1 session ended".to_owned(),
        n => format!("{n} sessions ended"),
    }
}

// The revoke dialogs (focus on Cancel).
pub const CANCEL: &str = "Cancel";
pub const REVOKE_TITLE: &str = "End a session";
pub const REVOKE_BUTTON: &str = "End session";
pub const REVOKE_OTHERS_TITLE: &str = "End other sessions";
pub const REVOKE_OTHERS_BUTTON: &str = "End them";
pub const REVOKE_CURRENT_BUTTON: &str = "Log out";
pub fn revoke_question(id: i64) -> String {
    format!("End session {id}? Whoever uses it is logged out within seconds.")
}
pub const REVOKE_CURRENT_QUESTION: &str =
    "This is the session of this terminal: ending it logs you out here.";
pub fn revoke_others_question(n: usize) -> String {
    let (them, it) = if n == 1 {
        ("your other session".to_owned(), "it")
    } else {
        (format!("your {n} other sessions"), "them")
    };
    format!("End {them}? Whoever uses {it} is logged out within seconds; this one stays.")
}

// The history.
pub const HISTORY_TITLE: &str = "History";
pub const LOADING_HISTORY: &str = "Loading history…";
pub const COL_TIME: &str = "Time";
pub const COL_ACTION: &str = "Action";
pub const COL_OUTCOME: &str = "Outcome";
pub const COL_WHO: &str = "By / on";
pub const NO_EVENTS: &str = "No events yet.";
/// Who acted, when it was not the user: "by root@example.com".
pub fn by_other(actor: &str) -> String {
    format!("by {actor}")
}
/// Whom the user's action was about, when not themselves: "on bob@example.com".
pub fn on_other(target: &str) -> String {
    format!("on {target}")
}
/// The line under the history: "20 recent events, 2 failed (✗) · times in UTC" (refused
/// ones count as failed).
pub fn history_caption(n: usize, failed: usize, tz: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} recent event{plural}, {failed} failed (✗) · times in {tz}")
}

// Deleting one's account.
pub const DELETE_TITLE: &str = "Delete your account";
pub const DELETE_BUTTON: &str = "Delete my account";
pub const DELETING: &str = "Deleting the account…";
pub const ACCOUNT_DELETED: &str = "Your account was deleted.";
/// The dialog's warning: "Delete ada@example.com and end all its sessions? This cannot be
/// undone."
pub fn delete_warning(email: &str) -> String {
    format!("Delete {email} and end all its sessions? This cannot be undone.")
}
pub const DELETE_ASK_PASSWORD: &str = "Enter your password to confirm.";

// The session watcher.
pub const DEMOTED: &str = "You are no longer an administrator.";
pub const DEMOTED_CLOSED: &str = "You are no longer an administrator: administration is closed.";
pub const PROMOTED: &str = "You are now an administrator.";

// Footer.
pub const FOOT_SESSIONS: &str = "sessions";
pub const FOOT_HISTORY: &str = "history";
pub const FOOT_DELETE_ACCOUNT: &str = "delete account";
pub const FOOT_RESET: &str = "reset";
pub const FOOT_SET_PASSWORD: &str = "set password";
pub const FOOT_REVOKE: &str = "end one";
pub const FOOT_REVOKE_OTHERS: &str = "end others";
pub const FOOT_MOVE: &str = "move";
pub const FOOT_CHOOSE: &str = "choose";
pub const FOOT_CANCEL: &str = "cancel";
pub const FOOT_DELETE: &str = "delete";

// Help.
pub const HELP_RESET: &str = "set a password with a code from an administrator";
pub const HELP_RESET_SUBMIT: &str = "set the password";
pub const HELP_RESET_BACK: &str = "back to log in (asks first if you typed something)";
pub const HELP_SESSIONS: &str = "your sessions (end one, or all others)";
pub const HELP_HISTORY: &str = "your recent events (failed ones marked ✗)";
pub const HELP_DELETE_ACCOUNT: &str = "delete your account (asks for your password)";
pub const HELP_BACK_DASHBOARD: &str = "back to the dashboard";
pub const HELP_LIST_MOVE: &str = "select the next / previous row";
pub const HELP_LIST_PAGE: &str = "a page down / up";
pub const HELP_REVOKE: &str = "end the selected session (asks first)";
pub const HELP_REVOKE_OTHERS: &str = "end every session but this one (asks first)";
pub const HELP_DIALOG_MOVE: &str = "move between the buttons";
pub const HELP_DIALOG_CHOOSE: &str = "choose the focused button";
pub const HELP_DIALOG_CANCEL: &str = "cancel";
pub const HELP_DELETE_SUBMIT: &str = "delete the account, if the password is right";
pub const HELP_DELETE_BACK: &str = "cancel: back to the dashboard";
// ---- Administration (issue 15) ----------------------------------------------------------

pub const ADMIN_TITLE: &str = "Administration";
pub const TAB_ACCOUNTS: &str = "Accounts";
pub const TAB_AUDIT: &str = "Audit log";

// The tables' columns.
pub const COL_EMAIL: &str = "Email";
pub const COL_NAME: &str = "Name";
pub const COL_ROLE: &str = "Role";
pub const COL_STATE: &str = "State";
pub const COL_LAST_LOGIN: &str = "Last login";
pub const COL_AT: &str = "At";
pub const COL_ACTOR: &str = "Actor";
pub const COL_TARGET: &str = "Target";
/// The last login of an account that never logged in.
pub const NEVER: &str = "never";

pub const LABEL_FILTER: &str = "Filter";
pub const FILTER_ACCOUNTS_PLACEHOLDER: &str = "type / to filter by email or name";
pub const FILTER_AUDIT_PLACEHOLDER: &str = "type / to filter by email";
pub const SORT_PREFIX: &str = "sort: ";
pub const SORT_EMAIL: &str = "email";
pub const SORT_NAME: &str = "name";
pub const SORT_NEWEST: &str = "newest first";
pub const AUDIT_ORDER: &str = "newest first";
pub const LOADING_ROWS: &str = "Loading…";
pub const NO_ACCOUNTS: &str = "No account matches the filter.";
pub const NO_AUDIT_EVENTS: &str = "No event matches the filter.";
pub const AUDIT_LEGEND: &str = "✗ marks failures and refusals";

/// Thousands grouped with commas: 100000 → "100,000".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The accounts table's status line: "12 of 100,000 accounts · 3 admins · 5 disabled" (the
/// first number only while a filter is typed).
pub fn account_counts(
    matching: i64,
    total: i64,
    admins: i64,
    disabled: i64,
    filtered: bool,
) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    let accounts = if filtered {
        format!(
            "{} of {} account{}",
            grouped(matching),
            grouped(total),
            plural(total)
        )
    } else {
        format!("{} account{}", grouped(total), plural(total))
    };
    format!(
        "{accounts} · {} admin{} · {} disabled",
        grouped(admins),
        plural(admins),
        grouped(disabled)
    )
}

// What the worker is doing for the administration, in the status line.
pub const DISABLING: &str = "Disabling…";
pub const ENABLING: &str = "Enabling…";
pub const UNLOCKING: &str = "Unlocking…";
pub const PROMOTING: &str = "Promoting…";
pub const DEMOTING: &str = "Demoting…";
pub const SETTING_EXPIRY: &str = "Setting the expiry…";
pub const ADMIN_DELETING: &str = "Deleting…";
pub const ISSUING_CODE: &str = "Issuing a reset code…";
pub const CHECKING_PASSWORD: &str = "Checking your password…";

/// What an action did: "bob@example.com is disabled; 1 session ended".
pub fn admin_done(email: &str, done: &str, ended: usize) -> String {
    match ended {
        0 => format!("{email} {done}"),
        1 => format!("{email} {done}; 1 session ended"),
        n => format!("{email} {done}; {n} sessions ended"),
    }
}
pub const DONE_DISABLED: &str = "is disabled";
pub const DONE_ENABLED: &str = "is enabled";
pub const DONE_UNLOCKED: &str = "is unlocked";
pub const DONE_PROMOTED: &str = "is now an administrator";
pub const DONE_DEMOTED: &str = "is now a user";
pub const DONE_NEVER_EXPIRES: &str = "never expires";
pub const DONE_DELETED: &str = "is deleted";
pub fn done_expires(day: &str) -> String {
    format!("expires on {day}")
}

// The dialogs.
pub const BUTTON_CANCEL: &str = "Cancel";
pub const BUTTON_DISABLE: &str = "Disable";
pub const BUTTON_DEMOTE: &str = "Demote";
pub const BUTTON_EXPIRE: &str = "Expire";
pub const BUTTON_CONFIRM: &str = "Confirm";
pub const BUTTON_DONE: &str = "Done";
pub const DISABLE_TITLE: &str = "Disable account";
pub const DEMOTE_TITLE: &str = "Demote administrator";
pub const EXPIRE_TITLE: &str = "Account expiry";
pub const ADMIN_DELETE_TITLE: &str = "Delete account";
pub const REAUTH_TITLE: &str = "Password needed";
pub const CODE_TITLE: &str = "One-time reset code";
pub fn confirm_disable(email: &str) -> String {
    format!(
        "Disable {email}? Their sessions end at once, and they cannot log in until the account \
         is enabled again."
    )
}
pub fn confirm_demote(email: &str) -> String {
    format!("Demote {email} to user? They lose administration at once.")
}
pub fn confirm_expire(email: &str, day: &str) -> String {
    format!("Expire {email} on {day} (00:00 UTC)? From then on they cannot log in.")
}
pub fn expire_question(email: &str, now: &str) -> String {
    format!(
        "When does {email} expire? A day as YYYY-MM-DD (from 00:00 UTC), or \"never\". Now: \
         {now}."
    )
}
pub const LABEL_EXPIRES_ON: &str = "Expires on";
pub const EXPIRES_NEVER: &str = "never";
pub const EXPIRE_BAD_DAY: &str =
    "Expires on takes a day as YYYY-MM-DD (like 2027-01-31), or \"never\".";
pub fn delete_question(email: &str) -> String {
    format!("Delete {email} and its sessions? This cannot be undone. Type the email to confirm.")
}
pub fn email_mismatch(email: &str) -> String {
    format!("Email does not match {email}: nothing is deleted.")
}
/// Why the password is asked for again.
pub fn reauth_reason(what: &str) -> String {
    format!("{what} needs your password again: it was last entered more than 5 minutes ago.")
}
pub const REAUTH_FOR_DELETE: &str = "Deleting an account";
pub const REAUTH_FOR_CODE: &str = "Issuing a reset code";
pub const LABEL_YOUR_PASSWORD: &str = "Your password";
pub const REAUTH_WRONG: &str = "Password is incorrect.";
pub fn code_for(email: &str) -> String {
    format!("A one-time code for {email}:")
}
pub const CODE_HANDOVER: &str = "Hand it over in person or by phone, never by email or chat. It \
    is valid for 24 h, works once, and replaces any earlier code. Using it seals their vault: \
    only their own recovery code opens its entries again.";
pub fn code_use(email_word: &str) -> String {
    format!(
        "They choose \"Forgot your password, or first login? Ctrl-R\" on the login screen, or \
         run: vaultty reset --email {email_word}"
    )
}
pub const CODE_ONCE: &str = "It is shown only now, and wiped when this closes.";
/// A key and what it does, inside a dialog: "Enter deletes", "Esc cancels".
pub const IN_DIALOG_DELETES: &str = "deletes";
pub const IN_DIALOG_SETS: &str = "sets the expiry";
pub const IN_DIALOG_CANCELS: &str = "cancels";

// The footer.
pub const FOOT_OPEN_ADMIN: &str = "administration";
pub const FOOT_FILTER: &str = "filter";
pub const FOOT_AUDIT_TAB: &str = "audit log";
pub const FOOT_ACCOUNTS_TAB: &str = "accounts";
pub const FOOT_DISABLE: &str = "disable";
pub const FOOT_ENABLE: &str = "enable";
pub const FOOT_UNLOCK: &str = "unlock";
pub const FOOT_PROMOTE: &str = "promote";
pub const FOOT_DEMOTE: &str = "demote";
pub const FOOT_EXPIRE: &str = "expire";
pub const FOOT_RESET_CODE: &str = "reset code";
pub const FOOT_OLDER: &str = "older";
pub const FOOT_NEWER: &str = "newer";
pub const FOOT_NEWEST: &str = "newest";
pub const FOOT_DONE: &str = "done";
pub const FOOT_CLEAR: &str = "clear";
pub const FOOT_SWITCH: &str = "switch";
pub const FOOT_SET: &str = "set";
pub const FOOT_CONFIRM: &str = "confirm";
pub const FOOT_CLOSE: &str = "close";

// The help.
pub const HELP_OPEN_ADMIN: &str = "administration: accounts and the audit log";
pub const HELP_ADMIN_MOVE: &str = "move a row / a page (loads the next or previous page)";
pub const HELP_AUDIT_MOVE: &str = "move a row / a page (PgDn: older events)";
pub const HELP_FIRST_LAST: &str = "first / last page";
pub const HELP_NEWEST: &str = "the newest events";
pub const HELP_TO_AUDIT: &str = "the audit log";
pub const HELP_TO_ACCOUNTS: &str = "the accounts";
pub const HELP_FILTER_ACCOUNTS: &str = "filter by email or name as you type";
pub const HELP_FILTER_AUDIT: &str = "filter by email (who acted, or on whom) as you type";
pub const HELP_SORT: &str = "sort by email, by name, or newest first";
pub const HELP_DISABLE_ENABLE: &str = "disable (asks first, ends sessions) / enable";
pub const HELP_PROMOTE_DEMOTE: &str = "promote to admin / demote to user (asks first)";
pub const HELP_UNLOCK: &str = "unlock: clear the lock after failed logins";
pub const HELP_EXPIRE: &str = "set or clear the expiry date (asks first)";
pub const HELP_RESET_CODE: &str = "issue a one-time reset code (shown once)";
pub const HELP_DELETE: &str = "delete the account (type its email to confirm)";
pub const HELP_ADMIN_BACK: &str = "back to the dashboard / log out";
pub const HELP_FILTER_DONE: &str = "keep the filter, back to the table";
pub const HELP_FILTER_CLEAR: &str = "clear the filter, back to the table";
pub const HELP_CHOICE: &str = "Cancel or the action";
pub const HELP_PRESS: &str = "press the focused button (Cancel at first)";
pub const HELP_CANCEL: &str = "cancel";
pub const HELP_ADMIN_DELETE_SUBMIT: &str = "delete, once the email typed matches";
pub const HELP_EXPIRE_SUBMIT: &str = "set the expiry (a day asks first)";
pub const HELP_REAUTH_SUBMIT: &str = "check the password, then do what was asked";
pub const HELP_CODE_CLOSE: &str = "close: the code is wiped from the screen and from memory";

// ---- The vault ------------------------------------------------------------------------------

pub const VAULT_TITLE: &str = "Vault";
pub const ACCOUNT_TAB: &str = "Account";

// The recovery code, shown once after a signup or the login that created the vault.
pub const RECOVERY_TITLE: &str = "Your vault's recovery code";
pub const RECOVERY_WHAT: &str = "This code opens your vault if your password is ever reset by \
     an administrator. Without it, a reset leaves your entries sealed for good.";
pub const RECOVERY_WRITE: &str =
    "Write it down now and keep it somewhere safe, away from this computer.";
pub const RECOVERY_ONCE: &str = "It is shown only now, and wiped when this closes.";
pub const BUTTON_WRITTEN: &str = "I have written it down";
pub const RECOVERY_ESC: &str =
    "The code is not shown again: write it down, then press Enter on \"I have written it down\".";
pub const FOOT_WRITTEN: &str = "I have written it down";
pub const HELP_RECOVERY_DONE: &str = "close, once the code is written down (it is then wiped)";
pub const HELP_RECOVERY_ESC: &str = "says how to close (Esc does not close it)";
pub const FOOT_WHY_NOT: &str = "why not";
pub const VAULT_DISCARDED: &str = "Vault discarded: a new, empty vault is open";

// A sealed vault.
pub const SEALED_TITLE: &str = "Vault sealed";
pub const SEALED_WHAT: &str = "Your password was reset, so your vault is sealed.";
pub const SEALED_RECOVER: &str = "Enter its recovery code and your password to open it.";
pub const SEALED_DISCARD_WHAT: &str = "Without the code, you can only discard the vault:";
pub const SEALED_DISCARD_LOST: &str = "every entry is deleted for good, and a new one made.";
pub const LABEL_RECOVERY_CODE: &str = "Recovery code";
pub const LABEL_TYPE_DISCARD: &str = "Type DISCARD";
pub const DISCARD_WORD: &str = "DISCARD";
pub const BUTTON_RECOVER: &str = "Open vault";
pub const BUTTON_DISCARD: &str = "Discard vault";
pub const TYPE_DISCARD: &str = "type DISCARD (in capitals) to discard the vault.";
pub const RECOVERY_CODE_WRONG: &str = "is not this vault's recovery code.";
pub const RECOVERING: &str = "Opening the vault…";
pub const DISCARDING: &str = "Discarding the vault…";
pub const VAULT_RECOVERED: &str = "Vault opened with its recovery code";
pub const FOOT_RECOVER: &str = "open";
pub const FOOT_DISCARD_MODE: &str = "discard instead";
pub const FOOT_RECOVER_MODE: &str = "use the code";
pub const FOOT_ACCOUNT: &str = "account";
pub const HELP_SEALED_SUBMIT: &str = "open the vault (or discard it, in the discard form)";
pub const HELP_SEALED_SWITCH: &str = "switch between the recovery form and the discard form";
pub const HELP_TO_ACCOUNT: &str = "to your account (sessions, history, password)";

// A damaged vault.
pub const DAMAGED_TITLE: &str = "Vault damaged";
pub const DAMAGED_WHAT: &str = "Your vault's key failed its integrity check: the store was \
     changed or corrupted. Nothing is shown, and nothing can be added.";
pub const DAMAGED_ADVICE: &str =
    "Restore the store from a backup, or ask an administrator. The check said:";

// Unlocking.
pub const UNLOCK_TITLE: &str = "Vault locked";
pub const UNLOCK_BUTTON: &str = "Unlock";
pub const UNLOCK_WHAT: &str = "Enter your password to unlock the vault.";
pub const LOCKED: &str = "Vault locked";
pub const LOCKED_UNUSED: &str = "Vault locked: unused for vault.lock_minutes";
pub const HELP_UNLOCK_SUBMIT: &str = "unlock the vault";
pub const PASSWORD_WRONG: &str = "is not your password.";

// The list and the entry.
pub const LOADING_ENTRIES: &str = "Decrypting entries…";
pub const SAVING_ENTRY: &str = "Saving…";
pub const DELETING_ENTRY: &str = "Deleting…";
pub const NO_ENTRIES: &str = "No entries yet.";
pub const NO_MATCHES: &str = "No entry matches.";
pub const FILTER_LABEL: &str = "Filter";
pub const FILTER_PROMPT: &str = "to filter";
pub const COL_TITLE: &str = "Title";
pub const COL_USERNAME: &str = "Username";
pub const ROW_TITLE: &str = "Title";
pub const ROW_USERNAME: &str = "Username";
pub const ROW_PASSWORD: &str = "Password";
pub const ROW_URL: &str = "URL";
pub const ROW_NOTES: &str = "Notes";
pub const ROW_TOTP: &str = "TOTP";
pub const ROW_FOLDER: &str = "Folder";
pub const HIDDEN: &str = "••••••••";
pub const TOTP_BAD: &str = "(not a valid TOTP seed)";
pub const ENTRY_ADDED: &str = "Entry added";
pub const ENTRY_SAVED: &str = "Entry saved";
pub const ENTRY_DELETED: &str = "Entry deleted";
pub const NOTHING_SELECTED: &str = "No entry is selected.";
pub const NOTHING_TO_COPY: &str = "That field is empty: nothing copied.";
pub const NO_TOTP: &str = "This entry has no TOTP code.";
pub const COPIED: &str = "Copied; clears in 30 s";

/// "3 / 10,000 entries", "1 entry"
pub fn entry_count(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "entry" } else { "entries" };
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} / {total} {noun}")
    }
}

/// "123456  (17 s)"
pub fn totp_code(code: &str, secs: u32) -> String {
    format!("{code}  ({secs} s)")
}

/// "Delete “title”? This cannot be undone."
pub fn delete_entry_question(title: &str) -> String {
    format!("Delete \u{201c}{title}\u{201d}? This cannot be undone.")
}
pub const DELETE_ENTRY_TITLE: &str = "Delete entry";
pub const BUTTON_DELETE: &str = "Delete";

// The entry form.
pub const NEW_ENTRY_TITLE: &str = "New entry";
pub const EDIT_ENTRY_TITLE: &str = "Edit entry";
pub const BUTTON_SAVE: &str = "Save";
pub const LABEL_TITLE: &str = "Title";
pub const LABEL_USERNAME: &str = "Username";
pub const LABEL_URL: &str = "URL";
pub const LABEL_NOTES: &str = "Notes";
pub const LABEL_TOTP: &str = "TOTP";
pub const LABEL_FOLDER: &str = "Folder";
pub const TOTP_HINT: &str = "TOTP: an otpauth:// URI or a base32 seed; empty for none.";
/// "New 6-word passphrase in the field; Ctrl-G: 16 characters"
pub fn generated(made: &str, next: &str) -> String {
    format!("New {made} in the field; Ctrl-G: {next}")
}
pub const TOTP_INVALID: &str = "is not a TOTP seed:";

// The vault's footer and help.
pub const FOOT_NEW: &str = "new";
pub const FOOT_EDIT: &str = "edit";
pub const FOOT_DELETE_ENTRY: &str = "delete";
pub const FOOT_REVEAL: &str = "show";
pub const FOOT_COPY_PASSWORD: &str = "copy pw";
pub const FOOT_COPY_USERNAME: &str = "copy user";
pub const FOOT_COPY_TOTP: &str = "copy code";
pub const FOOT_LOCK: &str = "lock";
pub const FOOT_SAVE: &str = "save";
pub const FOOT_NEW_LINE: &str = "new line";
pub const FOOT_NEXT_FIELD: &str = "next field";
pub const FOOT_GENERATE: &str = "generate";
pub const FOOT_TO_VAULT: &str = "vault";
pub const HELP_VAULT_MOVE: &str = "select the entry above / below";
pub const HELP_VAULT_PAGE: &str = "a page up / down";
pub const HELP_VAULT_ENDS: &str = "the first / the last entry";
pub const HELP_VAULT_FILTER: &str = "filter as you type (fuzzy: title, username, site, folder)";
pub const HELP_VAULT_NEW: &str = "add an entry";
pub const HELP_VAULT_EDIT: &str = "edit the selected entry";
pub const HELP_VAULT_DELETE: &str = "delete the selected entry (asks first, Cancel focused)";
pub const HELP_VAULT_REVEAL: &str = "show / hide the password (hides again after 15 s)";
pub const HELP_VAULT_COPY: &str =
    "copy the password / the username / the TOTP code (OSC 52; cleared after 30 s)";
pub const HELP_VAULT_LOCK: &str = "lock the vault (the password unlocks it)";
pub const HELP_VAULT_ACCOUNT: &str = "your account: sessions, history, password, administration";
pub const HELP_VAULT_FILTER_DONE: &str = "keep the filter and go back to the list";
pub const HELP_VAULT_FILTER_CLEAR: &str = "clear the filter";
pub const HELP_ENTRY_SUBMIT: &str = "save the entry";
pub const HELP_ENTRY_BACK: &str = "back to the list (asks first if something was changed)";
pub const HELP_GENERATE: &str = "a passphrase; again: 16 to 64 characters";
pub const HELP_TO_VAULT: &str = "back to the vault";
pub const FOOT_DISCARD_VAULT: &str = "discard the vault";

//! How the CLI prints accounts and sessions. Every store string is sanitized.

use crate::sanitize::for_display;
use crate::{LoginReport, SessionInfo};
use std::fmt::Write as _;

pub fn clean(s: &str) -> String {
    for_display(s)
}

pub use crate::timefmt::rfc3339;

/// `s` as one word a POSIX shell reads back unchanged: as it is when it holds only safe
/// characters, else in single quotes. Sanitized for the terminal first.
pub fn shell_word(s: &str) -> String {
    let s = clean(s);
    let safe = |c: char| c.is_alphanumeric() || "@%+=:,./_-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Local time for people, e.g. `2026-11-24 10:00 CET`. The time zone is read once per
/// command (a login prints two times, `sessions` one per session).
pub fn local(t: i64) -> String {
    static TZ: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    crate::timefmt::local(t, TZ.get_or_init(crate::timefmt::system_tz))
}

pub fn session_json(info: &SessionInfo) -> String {
    let a = &info.account;
    serde_json::json!({
        "email": clean(&a.email),
        "name": clean(&a.name),
        "role": a.role.as_str(),
        "created_at": rfc3339(a.created_at),
        "last_login_at": a.last_login_at.map(rfc3339),
        "session_expires_at": rfc3339(info.expires_at()),
    })
    .to_string()
}

pub fn session_text(info: &SessionInfo) -> String {
    let a = &info.account;
    let mut s = String::new();
    let _ = writeln!(s, "{} <{}>", clean(&a.name), clean(&a.email));
    let _ = writeln!(s, "role:             {}", a.role.as_str());
    let _ = writeln!(s, "member since:     {}", local(a.created_at));
    // This session's login, and the account's latest one only when another login came since
    // (in another terminal or data dir).
    let _ = writeln!(s, "logged in:        {}", local(info.created_at));
    if let Some(t) = a.last_login_at.filter(|&t| t > info.created_at) {
        let _ = writeln!(s, "latest login:     {} (another session)", local(t));
    }
    let _ = writeln!(s, "session expires:  {}", local(info.expires_at()));
    s
}

/// A new recovery code, on stdout after a line that says what it is (a script takes the last
/// line); what to do with it, on stderr.
pub fn recovery_code(code: &crate::ResetCode) {
    println!("Your vault's recovery code (shown only this once):");
    println!("{}", code.grouped().as_str());
    eprintln!(
        "Write the recovery code down and keep it away from this machine. If an administrator \
         ever resets your password, it is the only way back into your vault's entries: \
         nobody, not even the administrator, can open them without it."
    );
}

/// What a login did to the vault, when there is something to say.
pub fn vault_opened(v: &crate::vault::VaultOpened) {
    use crate::vault::VaultOpened;
    match v {
        VaultOpened::Open => {}
        VaultOpened::Created(code) => {
            eprintln!("Your vault was created.");
            recovery_code(code);
        }
        VaultOpened::Sealed => eprintln!("Note: {}", crate::Error::VaultSealed),
        VaultOpened::Damaged(e) => eprintln!("Warning: {}", crate::Error::VaultDamaged(e.clone())),
    }
}

pub fn login_report(r: &LoginReport) {
    let a = &r.session.account;
    eprintln!("Logged in as {} <{}>.", clean(&a.name), clean(&a.email));
    let since = match r.previous_login_at {
        Some(t) => {
            eprintln!("Previous login: {}.", local(t));
            "your previous login"
        }
        None => {
            eprintln!("This is your first login.");
            "the account was created"
        }
    };
    if let Some(warning) = r.attempts_warning() {
        eprintln!(
            "Warning: {warning} since {since}. If that was not you, change your password \
             with `vaultty passwd`."
        );
    }
    eprintln!("Session expires {}.", local(r.session.expires_at()));
}

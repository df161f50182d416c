//! The commands of administration and recovery: `admin …`, `reset`, `sessions`, `history`
//! and `delete-account`. Results go to stdout (text, or JSON with `--json`), messages to
//! stderr; every string from the store is sanitized.

use super::{CliError, input, output};
use crate::admin::{AdminOp, RESET_CODE_SECS, SessionEntry, UserRow};
use crate::api::{self, AuditFilter, Request};
use crate::storage::AuditEvent;
use crate::{Accounts, Error, Field, Password};
use clap::Subcommand;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// List accounts: email, name, role, state, last login
    Users {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
        /// Only accounts whose email or name contains TEXT
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
    },
    /// Disable an account; its sessions end at once
    Disable { email: String },
    /// Enable a disabled account
    Enable { email: String },
    /// Clear an account's throttling (failed attempts and lock)
    Unlock { email: String },
    /// Make an account an administrator
    Promote { email: String },
    /// Make an administrator a user again
    Demote { email: String },
    /// Set the day an account stops working (00:00 UTC), or clear it
    Expire {
        email: String,
        /// The day, as YYYY-MM-DD
        #[arg(
            long,
            value_name = "YYYY-MM-DD",
            conflicts_with = "never",
            required_unless_present = "never"
        )]
        on: Option<String>,
        /// The account never expires
        #[arg(long)]
        never: bool,
    },
    /// Delete an account and its sessions (asks to type the email again)
    Delete {
        email: String,
        /// Do not ask to type the email again
        #[arg(long)]
        yes: bool,
        /// If your password is needed again, read it from standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a one-time reset code for an account (valid 24 h; replaces an earlier one)
    ResetCode {
        email: String,
        /// If your password is needed again, read it from standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create accounts from a CSV file (email,name[,role]); prints email,code CSV
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// The audit log, newest first
    Audit {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
        /// Only events by or about this email
        #[arg(long)]
        email: Option<String>,
        /// At most N events
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// End one of your sessions (by ID), or all but this one (--others)
    Revoke {
        #[arg(
            value_name = "ID",
            required_unless_present = "others",
            conflicts_with = "others"
        )]
        id: Option<i64>,
        #[arg(long)]
        others: bool,
    },
}

/// The service of an existing store; no store means nobody is logged in.
fn logged_in(dir: &Path) -> Result<Accounts, CliError> {
    Ok(crate::open_existing(dir)?.ok_or(Error::NoSession)?)
}

pub fn admin(dir: &Path, command: AdminCommand) -> Result<(), CliError> {
    let v = logged_in(dir)?;
    let simple = |email: &str, op: AdminOp, done: &str| -> Result<(), CliError> {
        let ended = api::count(
            &v,
            Request::Admin {
                email: email.to_owned(),
                op,
            },
        )?;
        let sessions = if ended > 0 {
            format!(" {ended} session{} ended.", plural(ended))
        } else {
            String::new()
        };
        eprintln!("{} {done}.{sessions}", output::clean(email.trim()));
        Ok(())
    };
    match command {
        AdminCommand::Users { json, filter } => {
            let filter = filter.unwrap_or_default();
            if json {
                return users_json(&v, filter);
            }
            let rows = api::users(&v, Request::AllUsers { filter })?;
            let _ = write!(std::io::stdout().lock(), "{}", users_table(&rows));
            Ok(())
        }
        AdminCommand::Disable { email } => simple(&email, AdminOp::Disable, "is disabled"),
        AdminCommand::Enable { email } => simple(&email, AdminOp::Enable, "is enabled"),
        AdminCommand::Unlock { email } => simple(&email, AdminOp::Unlock, "is unlocked"),
        AdminCommand::Promote { email } => {
            simple(&email, AdminOp::Promote, "is now an administrator")
        }
        AdminCommand::Demote { email } => simple(&email, AdminOp::Demote, "is now a user"),
        AdminCommand::Expire { email, on, never } => {
            let at = match (on, never) {
                (_, true) => None,
                (Some(day), false) => Some(parse_day(&day)?),
                (None, false) => {
                    return Err(CliError::Usage("give --on YYYY-MM-DD or --never".into()));
                }
            };
            let done = match at {
                Some(t) => format!("expires {}", crate::timefmt::rfc3339(t)),
                None => "never expires".into(),
            };
            simple(&email, AdminOp::Expire(at), &done)
        }
        AdminCommand::Delete {
            email,
            yes,
            password_stdin,
        } => {
            if !yes {
                confirm_email(&email)?;
            }
            with_recent_password(&v, password_stdin, || {
                simple(&email, AdminOp::Delete, "is deleted")
            })
        }
        AdminCommand::ResetCode {
            email,
            password_stdin,
        } => with_recent_password(&v, password_stdin, || {
            let code = api::reset_code(
                &v,
                Request::IssueResetCode {
                    email: email.clone(),
                },
            )?;
            println!("{}", code.grouped().as_str());
            eprintln!(
                "One-time code for {} (above), valid {} h; it replaces any earlier one. Hand it \
                 over in person or by phone, not by email. They run: vaultty reset --email {}\n\
                 Using it seals their vault: only their own recovery code opens its entries again.",
                output::clean(email.trim()),
                RESET_CODE_SECS / 3600,
                output::shell_word(email.trim())
            );
            Ok(())
        }),
        AdminCommand::Import { file } => {
            let csv = read_import(&file)?;
            let created = api::imported(&v, Request::Import { csv })?;
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            let written = w
                .write_record(["email", "code"])
                .and_then(|()| {
                    created.iter().try_for_each(|a| {
                        w.write_record([a.email.as_str(), a.code.grouped().as_str()])
                    })
                })
                .and_then(|()| w.flush().map_err(csv::Error::from));
            if let Err(e) = written {
                return Err(CliError::Usage(format!(
                    "cannot write to standard output: {e}"
                )));
            }
            eprintln!(
                "Created {} account{} without passwords. Each first-login code (the CSV above) is \
                 valid {} h: hand each person theirs; they run vaultty reset --email EMAIL.",
                created.len(),
                plural(created.len()),
                RESET_CODE_SECS / 3600
            );
            Ok(())
        }
        AdminCommand::Audit { json, email, limit } => {
            let events = api::events(
                &v,
                Request::Audit(AuditFilter {
                    email,
                    limit,
                    ..Default::default()
                }),
            )?;
            print_events(&events, json);
            Ok(())
        }
    }
}

/// Runs `f`; if it needs the password entered recently, asks for it (or reads it from stdin
/// with `--password-stdin`), re-authenticates and runs `f` again.
fn with_recent_password(
    v: &Accounts,
    password_stdin: bool,
    f: impl Fn() -> Result<(), CliError>,
) -> Result<(), CliError> {
    match f() {
        Err(CliError::Core(Error::ReauthRequired)) => {
            let password = if password_stdin {
                input::stdin_passwords(1)?.remove(0)
            } else if std::io::stdin().is_terminal() {
                eprintln!("This needs your password again (last entered over 5 minutes ago).");
                input::prompt("Your password: ")?
            } else {
                return Err(Error::ReauthRequired.into());
            };
            api::count(v, Request::Reauthenticate { password })?;
            f()
        }
        other => other,
    }
}

/// Asks to type the email again before a delete; refuses without a terminal.
fn confirm_email(email: &str) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "deleting an account asks to type its email again on a terminal; give --yes to \
             delete without asking"
                .into(),
        ));
    }
    eprint!(
        "Delete {} and its sessions? This cannot be undone. Type the email again to confirm: ",
        output::clean(email.trim())
    );
    let mut typed = String::new();
    std::io::stdin()
        .read_line(&mut typed)
        .map_err(|e| CliError::Usage(format!("cannot read the confirmation: {e}")))?;
    if typed.trim() != email.trim() {
        return Err(CliError::Usage(
            "the email typed does not match; nothing was deleted".into(),
        ));
    }
    Ok(())
}

fn read_import(file: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let shown = output::clean(&file.to_string_lossy());
    let f = std::fs::File::open(file)
        .map_err(|e| CliError::Usage(format!("cannot read {shown}: {e}")))?;
    // At most 64 MiB: far more than any class list, and a bound on memory.
    let mut data = Vec::new();
    f.take(64 << 20)
        .read_to_end(&mut data)
        .map_err(|e| CliError::Usage(format!("cannot read {shown}: {e}")))?;
    Ok(data)
}

/// `YYYY-MM-DD` as the Unix time of 00:00 UTC that day.
fn parse_day(day: &str) -> Result<i64, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "--on takes a day as YYYY-MM-DD (like 2027-01-31), not {}",
            output::clean(day)
        ))
    };
    let date: jiff::civil::Date = day.trim().parse().map_err(|_| bad())?;
    let ts = date
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_err(|_| bad())?
        .timestamp();
    Ok(ts.as_second())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn opt_time(t: Option<i64>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| {
        serde_json::Value::String(crate::timefmt::rfc3339(t))
    })
}

fn user_json(r: &UserRow) -> serde_json::Value {
    let a = &r.account;
    serde_json::json!({
        "email": output::clean(&a.email),
        "name": output::clean(&a.name),
        "role": a.role,
        "state": r.state.as_str(),
        "created_at": crate::timefmt::rfc3339(a.created_at),
        "last_login_at": opt_time(a.last_login_at),
        "locked_until": opt_time(r.locked_until),
        "expires_at": opt_time(a.expires_at),
    })
}

/// `admin users --json`: the array written a page of 1,000 accounts at a time, so memory
/// stays that of one page however large the store.
fn users_json(v: &Accounts, filter: String) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut cursor = None;
    let mut first = true;
    let _ = out.write_all(b"[");
    loop {
        let page = api::users(
            v,
            Request::Users(api::UsersQuery {
                filter: filter.clone(),
                cursor: cursor.take(),
                limit: 1000,
                ..Default::default()
            }),
        )?;
        for row in &page {
            if !std::mem::take(&mut first) {
                let _ = out.write_all(b",");
            }
            let _ = serde_json::to_writer(&mut out, &user_json(row));
        }
        match page.last() {
            Some(last) if page.len() == 1000 => {
                cursor = Some(last.account.cursor(Default::default()));
            }
            _ => break,
        }
    }
    let _ = out.write_all(b"]\n");
    out.flush()
        .map_err(|e| CliError::Usage(format!("cannot write to standard output: {e}")))
}

fn users_table(rows: &[UserRow]) -> String {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                output::clean(&r.account.email),
                output::clean(&r.account.name),
                r.account.role.clone(),
                r.state.as_str().to_owned(),
                r.account
                    .last_login_at
                    .map_or_else(|| "never".to_owned(), output::local),
            ]
        })
        .collect();
    table(&["EMAIL", "NAME", "ROLE", "STATE", "LAST LOGIN"], &cells)
}

/// Columns padded to their widest cell (counted in characters), the last one unpadded.
fn table<const N: usize>(head: &[&str; N], rows: &[[String; N]]) -> String {
    let mut width = head.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; N]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == N {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(width[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(*head);
    for r in rows {
        out += &line(r.each_ref().map(String::as_str));
    }
    out
}

fn event_json(e: &AuditEvent) -> serde_json::Value {
    let (action, outcome) = e.parts();
    serde_json::json!({
        "at": crate::timefmt::rfc3339(e.at),
        "actor": output::clean(&e.actor),
        "action": action,
        "target": output::clean(&e.target),
        "outcome": outcome,
    })
}

fn print_events(events: &[AuditEvent], json: bool) {
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<_> = events.iter().map(event_json).collect();
        let _ = writeln!(out, "{}", serde_json::Value::Array(list));
        return;
    }
    let cells: Vec<[String; 5]> = events
        .iter()
        .map(|e| {
            let (action, outcome) = e.parts();
            [
                output::local(e.at),
                output::clean(&e.actor),
                action.to_owned(),
                output::clean(&e.target),
                outcome.to_owned(),
            ]
        })
        .collect();
    let _ = write!(
        out,
        "{}",
        table(&["AT", "ACTOR", "ACTION", "TARGET", "OUTCOME"], &cells)
    );
}

pub fn reset(dir: &Path, email: String, stdin: bool) -> Result<(), CliError> {
    crate::auth::identity::validate_login_email(&email).map_err(Error::invalid)?;
    let (code, new) = if stdin {
        let mut two = input::stdin_secrets(&[Field::Code, Field::NewPassword])?;
        let new = two.pop().unwrap_or_default();
        (two.pop().unwrap_or_default(), new)
    } else {
        eprintln!(
            "Type the code your administrator gave you, then your new password. Your vault's \
             entries stay sealed until you enter your recovery code (`vaultty vault recover`)."
        );
        let code = input::prompt("Code: ")?;
        let new = input::prompt_new(
            Field::NewPassword,
            "New password: ",
            "Repeat new password: ",
            |pw| crate::password_strength(pw, &email, "").problem,
        )?;
        (code, new)
    };
    let v = crate::open(dir)?;
    let ended = api::count(
        &v,
        Request::ResetPassword {
            email: email.clone(),
            code,
            new,
        },
    )?;
    eprintln!(
        "Password set for {}. {ended} session{} ended. Log in with: vaultty login --email {}",
        output::clean(&email),
        plural(ended),
        output::shell_word(&email)
    );
    Ok(())
}

pub fn sessions(dir: &Path, json: bool, command: Option<SessionsCommand>) -> Result<(), CliError> {
    let v = logged_in(dir)?;
    match command {
        None => {
            let list = api::sessions(&v, Request::Sessions)?;
            let mut out = std::io::stdout().lock();
            if json {
                let items: Vec<_> = list.iter().map(session_json).collect();
                let _ = writeln!(out, "{}", serde_json::Value::Array(items));
            } else {
                let cells: Vec<[String; 5]> = list
                    .iter()
                    .map(|s| {
                        [
                            s.id.to_string(),
                            output::local(s.created_at),
                            output::local(s.last_seen_at),
                            output::local(s.expires_at),
                            if s.current {
                                "this one".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                let _ = write!(
                    out,
                    "{}",
                    table(&["ID", "STARTED", "LAST USED", "EXPIRES", ""], &cells)
                );
            }
            Ok(())
        }
        Some(SessionsCommand::Revoke { id, others }) => {
            let request = match (id, others) {
                (_, true) => Request::RevokeOtherSessions,
                (Some(id), false) => Request::RevokeSession { id },
                (None, false) => {
                    return Err(CliError::Usage("give a session ID or --others".into()));
                }
            };
            let n = api::count(&v, request)?;
            eprintln!("{n} session{} ended.", plural(n));
            Ok(())
        }
    }
}

fn session_json(s: &SessionEntry) -> serde_json::Value {
    serde_json::json!({
        "id": s.id,
        "created_at": crate::timefmt::rfc3339(s.created_at),
        "last_seen_at": crate::timefmt::rfc3339(s.last_seen_at),
        "expires_at": crate::timefmt::rfc3339(s.expires_at),
        "current": s.current,
    })
}

pub fn history(dir: &Path, json: bool, limit: usize) -> Result<(), CliError> {
    let v = logged_in(dir)?;
    let events = api::events(&v, Request::History { limit })?;
    print_events(&events, json);
    Ok(())
}

pub fn delete_account(dir: &Path, password_stdin: bool) -> Result<(), CliError> {
    let v = logged_in(dir)?;
    let me = api::session(&v, Request::Session { refresh: true })?.ok_or(Error::NoSession)?;
    let password: Password = if password_stdin {
        input::stdin_passwords(1)?.remove(0)
    } else {
        eprintln!(
            "This deletes the account {} and ends its sessions. It cannot be undone.",
            output::clean(&me.account.email)
        );
        input::prompt("Password to confirm: ")?
    };
    api::count(&v, Request::DeleteAccount { password })?;
    eprintln!("Account {} deleted.", output::clean(&me.account.email));
    Ok(())
}

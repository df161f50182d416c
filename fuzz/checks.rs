//! Invariants that must hold for any input. Shared, unchanged, by the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` (long coverage-guided runs) and by `tests/props.rs` (proptest, in CI).
//! Each function panics when an invariant breaks.

use std::sync::Arc;
use vaultty::admin::SessionEntry;
use vaultty::api::{Request, Response};
use vaultty::auth::identity::{FILLERS, is_invisible, is_visible};
use vaultty::auth::policy::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, is_common, normalize_email, normalize_password,
    password_strength, validate_email, validate_name,
};
use vaultty::sanitize::{for_display, is_unsafe_char};
use vaultty::storage::AuditEvent;
use vaultty::tui::app::{Effect, Model, Msg, update};
use vaultty::{Account, Error, LoginReport, ManualClock, Password, Role, SessionInfo};
use vaultty::{Ended, SessionStatus};

/// Email, name and password rules, and their normalizers, on arbitrary text.
pub fn validators(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(e) = validate_email(&s) {
        assert!(e.chars().count() <= 254);
        assert_eq!(e, e.trim());
        assert!(!e.chars().any(|c| c.is_whitespace() || is_unsafe_char(c)));
        assert!(e.len() <= 254, "254 octets at most");
        assert!(
            !e.chars().any(is_invisible),
            "no invisible or filler character"
        );
        let n = normalize_email(&e);
        assert_eq!(
            normalize_email(&n),
            n,
            "normalizing an email twice changes nothing"
        );
    }
    if let Ok(n) = validate_name(&s) {
        assert!(!n.is_empty() && n.chars().count() <= 100);
        assert_eq!(n, n.trim());
        assert!(!n.chars().any(is_unsafe_char));
        assert!(n.chars().any(is_visible), "a name shows something");
        assert!(!n.chars().any(|c| FILLERS.contains(&c)));
    }
    let p = Password::from(s.as_ref());
    let once = normalize_password(&p);
    assert_eq!(
        normalize_password(&once).expose(),
        once.expose(),
        "NFKC is idempotent"
    );
    let st = password_strength(&p, "ada@example.com", "Ada Lovelace");
    assert!(st.score <= 4);
    if st.acceptable() {
        let n = once.expose().chars().count();
        assert!((MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n));
        assert!(!once.expose().chars().any(char::is_control));
        assert!(!is_common(once.expose()));
        assert!(st.score >= 3);
    } else {
        let why = st.problem.expect("a refusal has a reason");
        assert!(!why.message.is_empty());
        // A refusal never quotes the password back. (Only checked for passwords with a
        // character no message uses: "vaultty" is legitimately named in its own refusal.)
        let plain = |c: char| c.is_ascii_alphanumeric() || " .,;:()\"'-!?@".contains(c);
        if once.expose().chars().any(|c| !plain(c)) {
            assert!(!why.message.contains(once.expose()));
            assert!(why.hint.is_none_or(|h| !h.contains(once.expose())));
        }
    }
    let shown = for_display(&s);
    assert!(!shown.chars().any(is_unsafe_char));
    assert!(!shown.bytes().any(|b| b == 0x1b || b == 0x07));
}

/// The session-file parser: never panics; whatever it accepts round-trips.
pub fn token_file(data: &[u8]) {
    if let Ok(token) = vaultty::token_file::parse(data) {
        let again = format!(r#"{{"version":1,"token":"{}"}}"#, token.to_hex().as_str());
        let back = vaultty::token_file::parse(again.as_bytes()).expect("own output parses");
        assert_eq!(back.as_bytes(), token.as_bytes());
    }
}

const MARK: char = 'Ω';

/// A key (or other message) decoded from one or two fuzz bytes.
fn message(b: u8, arg: u8, clock: &ManualClock) -> Msg {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    match b {
        0 => key(KeyCode::Tab),
        1 => key(KeyCode::BackTab),
        2 => key(KeyCode::Up),
        3 => key(KeyCode::Down),
        4 => key(KeyCode::Enter),
        5 => key(KeyCode::Esc),
        6 => key(KeyCode::Backspace),
        7 => key(KeyCode::Delete),
        8 => key(KeyCode::Left),
        9 => key(KeyCode::Right),
        10 => key(KeyCode::Home),
        11 => key(KeyCode::End),
        12 => key(KeyCode::F(1)),
        13 => key(KeyCode::F(2)),
        14 => ctrl('n'),
        15 => ctrl('u'),
        16 => ctrl('w'),
        17 => ctrl('l'),
        18 => ctrl('a'),
        19 => ctrl('e'),
        20 => Msg::Resize(u16::from(arg % 120) + 1, u16::from(arg / 4 % 50) + 1),
        21 => Msg::Paste(format!("{MARK}pasted\n{}\r", arg as char)),
        22 => {
            clock.advance(i64::from(arg) * 10);
            Msg::Tick
        }
        23 => key(KeyCode::Char(MARK)),
        24 => key(KeyCode::Char('é')),
        25 => key(KeyCode::Char('\u{202e}')),
        26..=29 => key(KeyCode::Char(['p', 'l', 'q', '@'][usize::from(b - 26)])),
        // The reset form (s, h, d, r and o are printable: the last arm)
        30 => ctrl('r'),
        // The administration's tables page
        31 => key(KeyCode::PageDown),
        32 => key(KeyCode::PageUp),
        _ => key(KeyCode::Char(char::from(b' ' + (b % 95)))),
    }
}

/// A stand-in for the worker and the meter: a plausible answer to each effect, chosen by `pick`.
fn reply(effect: Effect, pick: u8, now: i64) -> Option<Msg> {
    let account = Account {
        id: 1,
        email: "ada@example.com".into(),
        name: "Ada \u{1b}[2J Lovelace".into(),
        // Sometimes an administrator (and `a` opens the administration)
        role: if pick.is_multiple_of(5) {
            Role::Admin
        } else {
            Role::User
        },
        created_at: now - 100,
        last_login_at: Some(now),
    };
    let info = SessionInfo {
        id: 1,
        account: account.clone(),
        authenticated_at: now,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + 43_200,
        idle_expires_at: now + 900,
    };
    let ok = pick.is_multiple_of(2);
    let request = match effect {
        // The meter's answer, or none (a request superseded before it ran).
        Effect::Meter(check) if !pick.is_multiple_of(3) => return Some(check.run()),
        Effect::Meter(_) => return None,
        // The terminal's clipboard: no answer.
        Effect::Clipboard(_) => return None,
        Effect::Backend(request) => request,
    };
    Some(Msg::Response(match request {
        Request::PrepareMemory | Request::WipeMemory | Request::ReleaseMemory => return None,
        Request::Session { .. } => Response::Session(Ok(ok.then_some(info))),
        Request::Login { .. } if ok => Response::Login(Ok(LoginReport {
            session: info,
            vault: vaultty::vault::VaultOpened::Open,
            previous_login_at: None,
            failed_attempts: u64::from(pick),
            throttled_attempts: u64::from(pick / 3),
        })),
        Request::Login { .. } => Response::Login(Err(if pick % 4 == 1 {
            Error::InvalidCredentials
        } else {
            Error::Throttled(60)
        })),
        Request::Signup { .. } if ok => Response::Signup(Ok((
            account,
            vaultty::ResetCode::generate().expect("random source"),
        ))),
        Request::Signup { .. } => Response::Signup(Err(Error::EmailTaken)),
        Request::Logout => Response::Logout(Ok(true)),
        Request::ChangePassword { .. } if ok => Response::PasswordChanged(Ok(1)),
        Request::ChangePassword { .. } => {
            Response::PasswordChanged(Err(Error::CurrentPasswordIncorrect))
        }
        // The session's state: live (the role flips with `pick`, as a promotion or a
        // demotion elsewhere would), or ended for each reason.
        Request::SessionStatus => Response::SessionStatus(match pick % 8 {
            0..=2 => Ok(SessionStatus::Live(SessionInfo {
                account: Account {
                    role: if pick % 16 < 8 {
                        Role::User
                    } else {
                        Role::Admin
                    },
                    ..info.account.clone()
                },
                ..info
            })),
            3 => Ok(SessionStatus::Ended(Ended::Revoked)),
            4 => Ok(SessionStatus::Ended(Ended::Disabled)),
            5 => Ok(SessionStatus::Ended(
                [
                    Ended::Expired,
                    Ended::AccountExpired,
                    Ended::Deleted,
                    Ended::None,
                ][usize::from(pick / 8 % 4)],
            )),
            6 => Err(Error::NoSession),
            _ => Err(Error::storage("/x/vaultty.db", "is \u{1b}[2J corrupt")),
        }),
        Request::Sessions if ok => Response::Sessions(Ok((0..i64::from(pick % 5))
            .map(|i| SessionEntry {
                id: i + 1,
                created_at: now - 60 * i,
                last_seen_at: now,
                expires_at: now + 900,
                current: i == 0,
            })
            .collect())),
        Request::Sessions => Response::Sessions(Err(Error::NoSession)),
        Request::History { .. } if ok => Response::Events(Ok((0..i64::from(pick % 7))
            .map(|i| AuditEvent {
                id: i,
                at: now - i,
                actor: if i % 3 == 0 {
                    "root@example.com\u{202e}".into()
                } else {
                    "ada@example.com".into()
                },
                target: "ada@example.com".into(),
                event: [
                    "login_success",
                    "login_failure",
                    "unknown \u{1b}[31m",
                    "disable",
                ][(i % 4) as usize]
                    .into(),
            })
            .collect())),
        Request::History { .. } => Response::Events(Err(Error::NoSession)),
        Request::RevokeSession { .. } | Request::RevokeOtherSessions if ok => {
            Response::Count(Ok(usize::from(pick % 3)))
        }
        Request::RevokeSession { .. } | Request::RevokeOtherSessions => {
            Response::Count(Err(Error::NoSession))
        }
        Request::DeleteAccount { .. } => Response::Count(match pick % 5 {
            0 => Ok(0),
            1 => Err(Error::CurrentPasswordIncorrect),
            2 => Err(Error::NotAllowed(
                "you are the last active administrator.".into(),
            )),
            3 => Err(Error::Throttled(60)),
            _ => Err(Error::NoSession),
        }),
        Request::ResetPassword { .. } => Response::Count(match pick % 5 {
            0 => Ok(usize::from(pick % 3)),
            1 => Err(Error::InvalidResetCode),
            2 => Err(Error::Throttled(60)),
            3 => Err(Error::invalid(vaultty::ValidationError::new(
                vaultty::Field::Code,
                "is not a code.",
            ))),
            _ => Err(Error::invalid(vaultty::ValidationError::new(
                vaultty::Field::NewPassword,
                "is too short.",
            ))),
        }),
        // The UI sends none of these; the administration's requests get no answer here (the
        // UI's screens for them are driven by tests/tui.rs).
        // Pages of hostile rows, counts, each action's answers
        Request::Users(q) if ok => Response::Users(Ok((0..q.limit.min(usize::from(pick) % 40))
            .map(|i| admin::user_row(i as i64, now))
            .collect())),
        Request::Users(_) => Response::Users(Err(Error::NotAllowed("not an admin".into()))),
        Request::UserCounts { .. } => Response::UserCounts(Ok(vaultty::storage::AccountCounts {
            matching: i64::from(pick),
            total: 100_000,
            admins: 3,
            disabled: 5,
        })),
        Request::Admin { .. } => Response::Count(match pick % 4 {
            0 => Ok(usize::from(pick % 3)),
            1 => Err(Error::ReauthRequired),
            2 => Err(Error::NotAllowed(
                "this would leave no active administrator.".into(),
            )),
            _ => Err(Error::UnknownAccount("x\u{1b}[2J@example.com".into())),
        }),
        Request::IssueResetCode { .. } if ok => {
            Response::ResetCode(Ok(vaultty::ResetCode::generate().expect("random source")))
        }
        Request::IssueResetCode { .. } => Response::ResetCode(Err(Error::ReauthRequired)),
        Request::Audit(f) => Response::Events(Ok((0..f.limit.min(usize::from(pick) % 30))
            .map(|i| admin::event(i as i64, now))
            .collect())),
        Request::Reauthenticate { .. } if ok => Response::Count(Ok(0)),
        Request::Reauthenticate { .. } => Response::Count(Err(Error::CurrentPasswordIncorrect)),
        // The UI sends none of these (the screens of the other requests are driven by
        // tests/tui.rs).
        Request::BeginPasswordChange { .. }
        | Request::FinishPasswordChange { .. }
        | Request::Backup { .. } => return None,
        _ => return None,
    }))
}

/// Rows of the administration as a hostile store could hold them.
mod admin {
    use vaultty::admin::{AccountState, UserRow};
    use vaultty::storage::{AccountSummary, AuditEvent};

    pub fn user_row(i: i64, now: i64) -> UserRow {
        UserRow {
            account: AccountSummary {
                id: i + 2,
                email: format!("u{i}\u{202e}@example.com"),
                email_norm: format!("u{i}@example.com"),
                name: format!("\u{1b}]52;c;ZWNobw==\u{7}User {i} \u{9b}31m"),
                role: if i % 7 == 0 { "admin" } else { "user" }.into(),
                created_at: now - i,
                last_login_at: (i % 2 == 0).then_some(now - 60 * i),
                disabled: i % 3 == 0,
                expires_at: (i % 5 == 0).then_some(now + i),
                locked_until: (i % 4 == 0).then_some(now + 60),
                has_password: i % 6 != 0,
            },
            state: [
                AccountState::Active,
                AccountState::Disabled,
                AccountState::Expired,
                AccountState::Throttled,
            ][(i % 4) as usize],
            locked_until: None,
        }
    }

    pub fn event(i: i64, now: i64) -> AuditEvent {
        AuditEvent {
            id: 1000 - i,
            at: now - i,
            actor: format!("a{i}\u{1b}[2J@example.com"),
            target: "t\u{202e}@example.com".into(),
            // A known event, a refusal, and one this build does not know.
            event: [
                "login_failure",
                "admin_disable_denied",
                "\u{1b}[31mnew_event",
            ][(i % 3) as usize]
                .into(),
        }
    }
}

/// The UI's update and view under arbitrary key sequences: no panic, focus in range, and a
/// secret never drawn in clear unless revealed.
pub fn form_keys(data: &[u8]) {
    let clock = Arc::new(ManualClock::new(1_800_000_000));
    let mut m = Model::new(clock.clone(), jiff::tz::TimeZone::UTC, (80, 24));
    let mut pending = m.init();
    let mut bytes = data.iter().copied();
    while let Some(b) = bytes.next() {
        for effect in std::mem::take(&mut pending) {
            if let Some(r) = reply(effect, b, clock.as_ref().now_for_test()) {
                pending.extend(update(&mut m, r));
            }
        }
        let arg = if matches!(b, 20..=22) {
            bytes.next().unwrap_or(0)
        } else {
            0
        };
        pending.extend(update(&mut m, message(b, arg, &clock)));
        if m.quit {
            return;
        }
        pending.extend(vaultty::tui::app::refresh(&mut m));
        check_model(&m);
    }
}

fn check_model(m: &Model) {
    use ratatui::{Terminal, backend::TestBackend};
    let (w, h) = m.size;
    let mut t = Terminal::new(TestBackend::new(w.clamp(1, 200), h.clamp(1, 60))).unwrap();
    t.draw(|f| vaultty::tui::view::view(m, f)).unwrap();
    let cells: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        !cells.chars().any(is_unsafe_char),
        "a control character reached the screen"
    );
    let Some(form) = m.form() else {
        return;
    };
    let fields = form.fields();
    assert!(form.focus_index() <= fields.len(), "focus out of range");
    let clear_text = fields.iter().any(|f| f.value().contains(MARK));
    let secret_mark = fields
        .iter()
        .filter_map(|f| f.secret_ref())
        .any(|s| s.expose().contains(MARK));
    if secret_mark && !clear_text && !form.reveal() {
        assert!(
            !cells.contains(MARK),
            "a password character reached the screen"
        );
    }
}

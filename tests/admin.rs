//! Administration and recovery (issue 15), in-process on both stores: roles, the
//! authorization matrix, the last-admin rules under races, reset and first-login codes (single
//! use under races, one answer and the same work for unknown emails), imports, sessions,
//! history and the audit log. SECURITY.md rows AD-01…AD-12.

use std::sync::{Arc, Barrier};
use vaultty::admin::{AccountState, AdminOp, REAUTH_SECS, RESET_CODE_SECS};
use vaultty::storage::{AccountQuery, AccountSort, Outcome};
use vaultty::{Accounts, Clock, Ended, Error, Password, Role, SessionStatus, Unavailable};
use vaultty_testkit::conformance;

const ADMIN: &str = "root@example.com";
const USER: &str = "ada@example.com";
const OTHER: &str = "bob@example.com";
const PW: &str = "correct horse battery staple lamp";
const NEW_PW: &str = "violet kettles hum beside quiet rivers";

type Env = vaultty_testkit::Sandbox;

fn pw(s: &str) -> Password {
    Password::from(s)
}

/// A store with an admin (the first signup) and two users, each logged in on a terminal of
/// their own.
struct Lab {
    env: Env,
    admin: Accounts,
    user: Accounts,
    other: Accounts,
}

impl Lab {
    fn new() -> Self {
        let env = Env::new();
        let setup = env.open();
        assert_eq!(
            setup.signup(ADMIN, "Root", &pw(PW)).unwrap().role,
            Role::Admin
        );
        assert_eq!(setup.signup(USER, "Ada", &pw(PW)).unwrap().role, Role::User);
        assert_eq!(
            setup.signup(OTHER, "Bob", &pw(PW)).unwrap().role,
            Role::User
        );
        let term = |name: &str, email: &str| {
            let t = env.open_terminal(name);
            t.login(email, &pw(PW)).unwrap();
            t
        };
        let admin = term("t-admin", ADMIN);
        let user = term("t-user", USER);
        let other = term("t-other", OTHER);
        Lab {
            env,
            admin,
            user,
            other,
        }
    }

    fn role_of(&self, email: &str) -> String {
        self.env
            .inspect()
            .account_by_email(email)
            .unwrap()
            .map(|a| a.role)
            .unwrap_or_default()
    }

    fn events(&self) -> Vec<String> {
        self.env
            .inspect()
            .events()
            .unwrap()
            .into_iter()
            .map(|e| e.2)
            .collect()
    }
}

/// One administrator operation, as the authorization matrix calls it.
type Op = dyn Fn(&Accounts) -> Result<(), Error>;

fn not_allowed(r: Result<impl std::fmt::Debug, Error>) -> String {
    match r {
        Err(e @ Error::NotAllowed(_)) => {
            assert_eq!(e.exit_code(), 7);
            e.to_string()
        }
        other => panic!("expected exit 7 (not allowed), got {other:?}"),
    }
}

conformance! {
    fn ad_01_the_first_account_is_the_admin_and_later_ones_users() {
        let lab = Lab::new();
        assert_eq!(lab.role_of(ADMIN), "admin");
        assert_eq!(lab.role_of(USER), "user");
        // Still true after every account is gone and one comes back? No: the rule is the
        // first account of an *empty* store.
        assert_eq!(
            lab.env.open().signup("late@example.com", "Late", &pw(PW)).unwrap().role,
            Role::User
        );
    }
}

conformance! {
    fn ad_02_racing_first_signups_make_exactly_one_admin() {
        for _round in 0..3 {
            let env = Env::new();
            let n = 6;
            let barrier = Arc::new(Barrier::new(n));
            let roles: Vec<Role> = std::thread::scope(|s| {
                let hs: Vec<_> = (0..n)
                    .map(|i| {
                        let v = env.open_terminal(&format!("t{i}"));
                        let b = barrier.clone();
                        s.spawn(move || {
                            b.wait();
                            v.signup(&format!("u{i}@example.com"), "U", &pw(PW))
                                .unwrap()
                                .role
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(roles.iter().filter(|r| **r == Role::Admin).count(), 1, "{roles:?}");
            let admins = env
                .inspect()
                .accounts()
                .unwrap()
                .into_iter()
                .filter(|a| a.role == "admin")
                .count();
            assert_eq!(admins, 1);
        }
    }
}

conformance! {
    fn ad_03_every_admin_operation_checks_session_and_role_in_the_service() {
        let lab = Lab::new();
        let logged_out = lab.env.open_terminal("t-nobody");
        let ops: Vec<(&str, Box<Op>)> = vec![
            ("users", Box::new(|v| v.all_users("").map(drop))),
            ("page", Box::new(|v| {
                v.users_page(&AccountQuery { limit: 10, ..Default::default() }).map(drop)
            })),
            ("counts", Box::new(|v| v.user_counts("").map(drop))),
            ("audit", Box::new(|v| v.audit_log(None, None, None, 10).map(drop))),
            ("disable", Box::new(|v| v.admin(OTHER, AdminOp::Disable).map(drop))),
            ("enable", Box::new(|v| v.admin(OTHER, AdminOp::Enable).map(drop))),
            ("unlock", Box::new(|v| v.admin(OTHER, AdminOp::Unlock).map(drop))),
            ("promote", Box::new(|v| v.admin(OTHER, AdminOp::Promote).map(drop))),
            ("demote", Box::new(|v| v.admin(OTHER, AdminOp::Demote).map(drop))),
            ("expire", Box::new(|v| v.admin(OTHER, AdminOp::Expire(None)).map(drop))),
            ("reset-code", Box::new(|v| v.issue_reset_code(OTHER).map(drop))),
            ("import", Box::new(|v| v.import_csv(b"new@example.com,New\n").map(drop))),
            ("delete", Box::new(|v| v.admin(OTHER, AdminOp::Delete).map(drop))),
        ];
        for (name, op) in &ops {
            match op(&logged_out) {
                Err(e @ Error::NoSession) => assert_eq!(e.exit_code(), 3),
                other => panic!("{name} logged out: {other:?}"),
            }
            let msg = not_allowed(op(&lab.user));
            assert!(msg.contains("administrator"), "{name}: {msg}");
        }
        // Nothing changed for the user's attempts, and each mutation was recorded as denied.
        assert_eq!(lab.role_of(OTHER), "user");
        assert!(lab.env.inspect().account_by_email("new@example.com").unwrap().is_none());
        let denied = lab.events().iter().filter(|e| e.ends_with("_denied")).count();
        assert_eq!(denied, 9, "{:?}", lab.events());
        for (name, op) in &ops {
            op(&lab.admin).unwrap_or_else(|e| panic!("{name} as admin: {e}"));
        }
        assert!(lab.env.inspect().account_by_email(OTHER).unwrap().is_none(), "deleted");
        assert!(lab.env.inspect().account_by_email("new@example.com").unwrap().is_some());
    }
}

conformance! {
    fn ad_04_the_last_active_admin_cannot_be_removed() {
        let lab = Lab::new();
        for op in [AdminOp::Demote, AdminOp::Disable, AdminOp::Expire(Some(2_000_000_000)), AdminOp::Delete] {
            let msg = not_allowed(lab.admin.admin(ADMIN, op));
            assert!(msg.contains("no active administrator"), "{op:?}: {msg}");
        }
        not_allowed(lab.admin.delete_own_account(&pw(PW)));
        assert_eq!(lab.role_of(ADMIN), "admin");
        // With a second admin, the first may step down, and the second may not then.
        lab.admin.admin(USER, AdminOp::Promote).unwrap();
        lab.admin.admin(ADMIN, AdminOp::Demote).unwrap();
        not_allowed(lab.user.admin(USER, AdminOp::Demote));
        // A demoted admin's session can no longer administer.
        not_allowed(lab.admin.admin(OTHER, AdminOp::Disable));
        // A disabled admin does not count as active.
        lab.user.admin(ADMIN, AdminOp::Promote).unwrap();
        lab.user.admin(ADMIN, AdminOp::Disable).unwrap();
        not_allowed(lab.user.admin(USER, AdminOp::Demote));
        // An expired one neither.
        lab.user.admin(ADMIN, AdminOp::Enable).unwrap();
        lab.user.admin(ADMIN, AdminOp::Expire(Some(lab.env.clock.now() - 1))).unwrap();
        not_allowed(lab.user.admin(USER, AdminOp::Demote));
    }
}

conformance! {
    fn ad_05_two_admins_demoting_each_other_at_once_leave_one() {
        for _round in 0..4 {
            let lab = Lab::new();
            lab.admin.admin(USER, AdminOp::Promote).unwrap();
            let barrier = Arc::new(Barrier::new(2));
            // Each side on a connection of its own, in its own terminal's session.
            let admin = lab.env.open_terminal("t-admin");
            let user = lab.env.open_terminal("t-user");
            let (a, b) = std::thread::scope(|s| {
                let b1 = barrier.clone();
                let b2 = barrier.clone();
                let h1 = s.spawn(move || {
                    b1.wait();
                    admin.admin(USER, AdminOp::Demote)
                });
                let h2 = s.spawn(move || {
                    b2.wait();
                    user.admin(ADMIN, AdminOp::Demote)
                });
                (h1.join().unwrap(), h2.join().unwrap())
            });
            assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
            let admins = [ADMIN, USER].iter().filter(|e| lab.role_of(e) == "admin").count();
            assert_eq!(admins, 1);
        }
    }
}

conformance! {
    fn ad_06_disabled_or_expired_accounts_say_so_only_to_the_right_password() {
        let lab = Lab::new();
        assert_eq!(lab.admin.admin(USER, AdminOp::Disable).unwrap(), 1, "its session ended");
        assert_eq!(lab.user.session_status().unwrap(), SessionStatus::Ended(Ended::Disabled));
        let e = lab.user.login(USER, &pw(PW)).unwrap_err();
        assert!(matches!(e, Error::AccountUnavailable(Unavailable::Disabled)), "{e:?}");
        assert_eq!(e.exit_code(), 8);
        assert!(e.to_string().contains("Ask an administrator"), "{e}");
        let wrong = lab.user.login(USER, &pw("wrong password entirely")).unwrap_err();
        assert!(matches!(wrong, Error::InvalidCredentials));
        lab.admin.admin(USER, AdminOp::Enable).unwrap();
        lab.user.login(USER, &pw(PW)).unwrap();
        // Expiry: the session lives until the day comes, then ends.
        let now = lab.env.clock.now();
        assert_eq!(lab.admin.admin(USER, AdminOp::Expire(Some(now + 60))).unwrap(), 0);
        assert!(lab.user.current_session().unwrap().is_some());
        lab.env.clock.advance(61);
        assert_eq!(
            lab.user.session_status().unwrap(),
            SessionStatus::Ended(Ended::AccountExpired)
        );
        let e = lab.user.login(USER, &pw(PW)).unwrap_err();
        assert!(matches!(e, Error::AccountUnavailable(Unavailable::Expired)), "{e:?}");
        lab.admin.login(ADMIN, &pw(PW)).unwrap();
        lab.admin.admin(USER, AdminOp::Expire(None)).unwrap();
        lab.user.login(USER, &pw(PW)).unwrap();
        let rows = lab.admin.all_users("ada").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, AccountState::Active);
    }
}

conformance! {
    fn ad_07_reset_codes_are_single_use_replaced_and_expire() {
        let lab = Lab::new();
        let first = lab.admin.issue_reset_code(USER).unwrap();
        let code = lab.admin.issue_reset_code(USER).unwrap();
        // The newer code replaced the first.
        let e = lab.user.reset_password(USER, &first.grouped(), &pw(NEW_PW)).unwrap_err();
        assert!(matches!(e, Error::InvalidResetCode), "{e:?}");
        // Failures so far: one. The right code then works, ends every session and clears the
        // throttle.
        assert_eq!(lab.user.reset_password(USER, &code.grouped(), &pw(NEW_PW)).unwrap(), 1);
        assert_eq!(lab.user.session_status().unwrap(), SessionStatus::Ended(Ended::Revoked));
        assert_eq!(lab.env.inspect().throttle(USER).unwrap(), None);
        assert!(matches!(lab.user.login(USER, &pw(PW)), Err(Error::InvalidCredentials)));
        lab.user.login(USER, &pw(NEW_PW)).unwrap();
        // Used once: never again.
        let e = lab.user.reset_password(USER, &code.grouped(), &pw(PW)).unwrap_err();
        assert!(matches!(e, Error::InvalidResetCode));
        assert_eq!(e.exit_code(), 3);
        // Valid 24 h, not longer.
        let late = lab.admin.issue_reset_code(OTHER).unwrap();
        lab.env.clock.advance(RESET_CODE_SECS);
        let e = lab.other.reset_password(OTHER, &late.grouped(), &pw(NEW_PW)).unwrap_err();
        assert!(matches!(e, Error::InvalidResetCode));
        // The new password meets the full policy: not even a right code takes a weak one, and
        // that refusal does not use the code up.
        lab.env.clock.advance(-RESET_CODE_SECS);
        lab.admin.login(ADMIN, &pw(PW)).unwrap();
        let c = lab.admin.issue_reset_code(OTHER).unwrap();
        let weak = lab.other.reset_password(OTHER, &c.grouped(), &pw("short")).unwrap_err();
        assert!(matches!(weak, Error::Invalid(_)), "{weak:?}");
        lab.other.reset_password(OTHER, &c.grouped(), &pw(NEW_PW)).unwrap();
        // Only the code's digest was ever stored; events hold no code.
        let evs = lab.events();
        assert!(evs.contains(&"admin_reset_code".to_owned()));
        assert!(evs.contains(&"reset_used".to_owned()));
    }
}

conformance! {
    fn ad_08_one_code_used_at_once_by_many_works_once() {
        let lab = Lab::new();
        let code = lab.admin.issue_reset_code(USER).unwrap();
        let shown = code.grouped();
        // Five at once: each counts as a failure up front until one succeeds, and a sixth
        // would meet the lock (a refusal, as for logins).
        let n = 5;
        let barrier = Arc::new(Barrier::new(n));
        let wins = std::thread::scope(|s| {
            let hs: Vec<_> = (0..n)
                .map(|i| {
                    let v = lab.env.open_terminal(&format!("r{i}"));
                    let b = barrier.clone();
                    let shown = shown.clone();
                    s.spawn(move || {
                        b.wait();
                        v.reset_password(USER, &shown, &pw(&format!("{NEW_PW} {i}")))
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect::<Vec<_>>()
        });
        let ok: Vec<usize> = wins.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
        assert_eq!(ok.len(), 1, "{wins:?}");
        for r in &wins {
            if let Err(e) = r {
                assert!(matches!(e, Error::InvalidResetCode), "{e:?}");
            }
        }
        lab.user.login(USER, &pw(&format!("{NEW_PW} {}", ok[0]))).unwrap();
    }
}

conformance! {
    fn ad_09_wrong_codes_are_throttled_and_unknown_emails_answer_the_same_after_the_same_work() {
        let lab = Lab::new();
        let _ = lab.admin.issue_reset_code(USER).unwrap();
        let wrong = vaultty::ResetCode::generate().unwrap().grouped();
        let v = &lab.other;
        let n0 = v.hasher().verifications();
        let unknown = v.reset_password("nobody@example.com", &wrong, &pw(NEW_PW)).unwrap_err();
        let known = v.reset_password(USER, &wrong, &pw(NEW_PW)).unwrap_err();
        assert_eq!(unknown.to_string(), known.to_string());
        assert_eq!(unknown.exit_code(), 3);
        assert_eq!(v.hasher().verifications(), n0, "no Argon2 run on either path");
        // Both were counted by the same throttle, and recorded alike.
        let ins = lab.env.inspect();
        assert_eq!(ins.throttle(USER).unwrap().map(|t| t.0), Some(1));
        assert_eq!(ins.throttle("nobody@example.com").unwrap().map(|t| t.0), Some(1));
        let failures = lab.events().iter().filter(|e| *e == "reset_failure").count();
        assert_eq!(failures, 2);
        // The same per-email limit as logins: after 5 failures, locked.
        for _ in 0..4 {
            let _ = v.reset_password(USER, &wrong, &pw(NEW_PW));
        }
        let e = v.reset_password(USER, &wrong, &pw(NEW_PW)).unwrap_err();
        assert!(matches!(e, Error::Throttled(_)), "{e:?}");
        // A failed login counts toward the same limit, and an unlock clears it.
        lab.admin.admin(USER, AdminOp::Unlock).unwrap();
        assert_eq!(lab.env.inspect().throttle(USER).unwrap(), None);
    }
}

conformance! {
    fn ad_10_reset_takes_the_same_time_for_unknown_and_known_emails() {
        // Imported accounts have codes without Argon2: 120 of them, each tried once with a
        // wrong code, interleaved with 120 unknown emails (each email fresh, so no lock).
        let lab = Lab::new();
        let n = 120;
        let csv: String = (0..n).map(|i| format!("k{i}@example.com,K{i}\n")).collect();
        lab.admin.import_csv(csv.as_bytes()).unwrap();
        let wrong = vaultty::ResetCode::generate().unwrap().grouped();
        let v = &lab.other;
        let time = |email: &str| {
            let t = std::time::Instant::now();
            let e = v.reset_password(email, &wrong, &pw(NEW_PW)).unwrap_err();
            assert!(matches!(e, Error::InvalidResetCode));
            t.elapsed().as_secs_f64()
        };
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        for i in 0..n {
            known.push(time(&format!("k{i}@example.com")));
            unknown.push(time(&format!("u{i}@example.com")));
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        let (k, u) = (median(&mut known), median(&mut unknown));
        // The same statements on both paths: the medians differ by noise only. (A path with
        // one Argon2 run more would differ by a factor; here the bound is generous.)
        assert!(
            (k / u) < 1.5 && (u / k) < 1.5,
            "known {:.3} ms vs unknown {:.3} ms",
            k * 1e3,
            u * 1e3
        );
    }
}

conformance! {
    fn ad_11_imported_accounts_log_in_only_after_their_first_login_code() {
        let lab = Lab::new();
        let csv = "\u{feff}email,name,role\r\nnew@example.com,\"Doe, Jane\",\r\nboss@example.com,Boss,admin\r\n";
        let out = lab.admin.import_csv(csv.as_bytes()).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].email, "new@example.com");
        assert_eq!(lab.role_of("boss@example.com"), "admin");
        let v = lab.env.open_terminal("t-new");
        // No usable password until the code is used: the usual answer, after the usual work.
        let n0 = v.hasher().verifications();
        assert!(matches!(v.login("new@example.com", &pw(PW)), Err(Error::InvalidCredentials)));
        assert!(matches!(v.login("new@example.com", &pw("!")), Err(Error::InvalidCredentials)));
        assert_eq!(v.hasher().verifications(), n0 + 2);
        let rows = lab.admin.all_users("doe").unwrap();
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].account.has_password);
        v.reset_password("new@example.com", &out[0].code.grouped(), &pw(NEW_PW)).unwrap();
        v.login("new@example.com", &pw(NEW_PW)).unwrap();
        // A taken email or a bad row creates nothing, and names the line.
        let before = lab.env.inspect().accounts().unwrap().len();
        match lab.admin.import_csv(b"fresh@example.com,F\nnew@example.com,Again\n") {
            Err(e @ Error::Import { line: 2, .. }) => {
                assert_eq!(e.exit_code(), 6);
                assert!(e.to_string().contains("exists already"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lab.env.inspect().accounts().unwrap().len(), before);
        assert!(lab.env.inspect().account_by_email("fresh@example.com").unwrap().is_none());
    }
}

conformance! {
    fn ad_12_sessions_history_and_own_deletion() {
        let lab = Lab::new();
        let second = lab.env.open_terminal("t-user-2");
        second.login(USER, &pw(PW)).unwrap();
        let list = lab.user.sessions().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|s| s.current).count(), 1);
        // Another user's session id is not one of mine.
        let theirs = lab.other.sessions().unwrap()[0].id;
        assert!(matches!(lab.user.revoke_session(theirs), Err(Error::Invalid(_))));
        assert!(lab.other.current_session().unwrap().is_some());
        assert_eq!(lab.user.revoke_other_sessions().unwrap(), 1);
        assert_eq!(second.session_status().unwrap(), SessionStatus::Ended(Ended::Revoked));
        // History: the caller's own events, newest first; failures among them.
        let _ = lab.env.open().login(USER, &pw("wrong password entirely"));
        let h = lab.user.history(20).unwrap();
        assert!(h.len() >= 4, "{h:?}");
        assert_eq!(h[0].parts(), ("login", "failure"));
        assert!(h.iter().all(|e| e.target == USER || e.actor == USER));
        assert!(h.windows(2).all(|w| w[0].id > w[1].id));
        // The admin's actions on me are in my history, with the admin as actor.
        lab.admin.admin(USER, AdminOp::Unlock).unwrap();
        let h = lab.user.history(1).unwrap();
        assert_eq!((h[0].actor.as_str(), h[0].parts()), (ADMIN, ("unlock", "success")));
        // Own deletion needs the password.
        assert!(matches!(
            lab.user.delete_own_account(&pw("wrong password entirely")),
            Err(Error::CurrentPasswordIncorrect)
        ));
        lab.user.delete_own_account(&pw(PW)).unwrap();
        assert!(lab.env.inspect().account_by_email(USER).unwrap().is_none());
        assert_eq!(lab.user.session_status().unwrap(), SessionStatus::Ended(Ended::None));
        assert!(lab.events().contains(&Outcome::AccountDeleted.as_str().to_owned()));
    }
}

conformance! {
    fn ad_13_deletion_and_reset_codes_need_a_recent_password() {
        let lab = Lab::new();
        lab.env.clock.advance(REAUTH_SECS + 1);
        // (The session is still live: its idle limit is longer.)
        let e = lab.admin.issue_reset_code(USER).unwrap_err();
        assert!(matches!(e, Error::ReauthRequired), "{e:?}");
        let e = lab.admin.admin(USER, AdminOp::Delete).unwrap_err();
        assert!(matches!(e, Error::ReauthRequired), "{e:?}");
        // Other actions do not.
        lab.admin.admin(USER, AdminOp::Disable).unwrap();
        assert!(matches!(
            lab.admin.reauthenticate(&pw("wrong password entirely")),
            Err(Error::CurrentPasswordIncorrect)
        ));
        lab.admin.reauthenticate(&pw(PW)).unwrap();
        lab.admin.issue_reset_code(USER).unwrap();
        lab.admin.admin(USER, AdminOp::Delete).unwrap();
    }
}

conformance! {
    fn ad_14_the_accounts_list_pages_by_keyset_filters_and_counts() {
        let lab = Lab::new();
        let csv: String = (0..250).map(|i| format!("p{i:03}@example.com,Person {i:03}\n")).collect();
        lab.admin.import_csv(csv.as_bytes()).unwrap();
        for sort in [AccountSort::Email, AccountSort::Name, AccountSort::Newest] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = lab
                    .admin
                    .users_page(&AccountQuery { filter: "", sort, cursor: cursor.clone(), backward: false, limit: 40 })
                    .unwrap();
                if page.is_empty() {
                    break;
                }
                cursor = Some(page.last().unwrap().account.cursor(sort));
                seen.extend(page.into_iter().map(|r| r.account.id));
            }
            assert_eq!(seen.len(), 253, "{sort:?}");
            let mut uniq = seen.clone();
            uniq.sort();
            uniq.dedup();
            assert_eq!(uniq.len(), 253, "{sort:?}: no row twice");
            // Backward from the last row: the 40 rows before it, in order.
            let back = lab
                .admin
                .users_page(&AccountQuery { filter: "", sort, cursor, backward: true, limit: 40 })
                .unwrap();
            let back_ids: Vec<i64> = back.iter().map(|r| r.account.id).collect();
            assert_eq!(back_ids[..], seen[seen.len() - 41..seen.len() - 1][..]);
        }
        let filtered = lab.admin.all_users("PERSON 1").unwrap();
        assert_eq!(filtered.len(), 100);
        let c = lab.admin.user_counts("person 1").unwrap();
        assert_eq!((c.matching, c.total, c.admins), (100, 253, 1));
    }
}

conformance! {
    fn ad_15_audit_events_are_kept_for_the_retention_bound_only() {
        let lab = Lab::new();
        let mut o = lab.env.options();
        o.audit_retention_days = 2;
        o.token_file = Some(lab.env.dir.join("t-admin"));
        let admin = Accounts::new(&lab.env.dir, lab.env.store().unwrap(), o).unwrap();
        let before = lab.env.inspect().events().unwrap().len();
        assert!(before >= 6);
        lab.env.clock.advance(2 * 86_400 + 1);
        admin.login(ADMIN, &pw(PW)).unwrap();
        // Pruned at the next audit read: only the login just made is left.
        let events = admin.audit_log(None, None, None, 100).unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].parts(), ("login", "success"));
        assert_eq!(lab.env.inspect().events().unwrap().len(), 1);
    }
}

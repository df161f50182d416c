//! The library's security requirements (SECURITY.md rows), tested in-process on real SQLite
//! files in temp dirs. Cheap Argon2 parameters and a manual clock come through the public API.

use rusqlite::Connection;
use std::os::unix::fs::PermissionsExt;
use vaultty::storage::Table;
use vaultty::store::accounts;
use vaultty::vault::VaultOpened;
use vaultty::{Error, HashParams, Password};
use vaultty_testkit::conformance;

const EMAIL: &str = "ada@example.com";
const NAME: &str = "Ada Lovelace";
const PW: &str = "correct horse battery staple lamp";
const T0: i64 = 1_800_000_000;

/// A sandbox on the backend of the running test (see `vaultty_testkit::conformance!`).
type Env = vaultty_testkit::Sandbox;

/// What these tests add to a sandbox.
trait EnvExt: Sized {
    fn with_account(self) -> Self;
    /// Rows in a table, through the store's inspection API.
    fn count(&self, table: &str) -> i64;
    /// Ada's password hash as stored.
    fn stored_hash(&self) -> String;
    /// The SQLite file itself, for tests of SQLite's own file handling (SQLite only).
    fn db(&self) -> Connection;
    /// The SQLite store as vaultty opens it (foreign keys, defensive mode), SQLite only.
    fn sqlite_store(&self) -> vaultty::store::Store;
}

impl EnvExt for Env {
    fn with_account(self) -> Self {
        self.open().signup(EMAIL, NAME, &pw(PW)).unwrap();
        self
    }
    fn count(&self, table: &str) -> i64 {
        let table = match table {
            "accounts" => Table::Accounts,
            "sessions" => Table::Sessions,
            "throttle" => Table::Throttle,
            "auth_events" => Table::AuthEvents,
            other => panic!("no table {other}"),
        };
        self.inspect().count(table).unwrap()
    }
    fn stored_hash(&self) -> String {
        self.inspect()
            .account_by_email(EMAIL)
            .unwrap()
            .expect("ada's account")
            .password_hash
    }
    fn db(&self) -> Connection {
        Connection::open(self.sqlite_path().expect("a SQLite sandbox")).unwrap()
    }
    fn sqlite_store(&self) -> vaultty::store::Store {
        assert!(self.sqlite_path().is_some(), "a SQLite sandbox");
        vaultty::store::Store::open_in(&self.dir).unwrap()
    }
}

fn pw(s: &str) -> Password {
    Password::from(s)
}

fn validation_message(e: Error) -> String {
    match e {
        Error::Invalid(v) => v.iter().map(|e| e.message.clone()).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

// ---- passwords ----------------------------------------------------------------------------

conformance! {
    fn pw_01_length_counted_in_code_points() {
        let env = Env::new();
        let v = env.open();
        for (i, bad) in ["zq8vx!m", "tangerine-otte"].iter().enumerate() {
            let e = v
                .signup(&format!("u{i}@example.com"), "U", &pw(bad))
                .unwrap_err();
            assert!(validation_message(e).contains("too short"), "{bad}");
        }
        v.signup("ok15@example.com", "U", &pw("tangerine-otter"))
            .unwrap();
        v.signup("emoji@example.com", "U", &pw("🦊🐙🌵🎻🚲quixoticzm"))
            .unwrap();
        assert_eq!(env.count("accounts"), 2);
    }
}

conformance! {
    fn pw_02_no_truncation_and_a_cap() {
        let env = Env::new();
        let v = env.open();
        let long: String = "quiet amber lanterns drift over the sleeping harbour at dawn while \
                            seven grey gulls argue loudly about breakfast"
            .into();
        assert!(long.chars().count() >= 100);
        v.signup(EMAIL, NAME, &pw(&long)).unwrap();
        let first64: String = long.chars().take(64).collect();
        assert!(matches!(
            v.login(EMAIL, &pw(&first64)),
            Err(Error::InvalidCredentials)
        ));
        v.login(EMAIL, &pw(&long)).unwrap();
        let over = "ab".repeat(129);
        let e = v.signup("cap@example.com", "Cap", &pw(&over)).unwrap_err();
        assert!(validation_message(e).contains("too long"));
        assert_eq!(
            env.count("accounts"),
            1,
            "the refused account was not stored"
        );
    }
}

conformance! {
    fn pw_03_no_composition_rules() {
        let env = Env::new();
        env.open()
            .signup(EMAIL, NAME, &pw("correct horse battery staple lamp"))
            .unwrap();
    }
}

conformance! {
    fn pw_04_common_passwords_refused_with_reason() {
        let env = Env::new();
        let v = env.open();
        for bad in [
            "password123456",
            "PassWord123456",
            "QWERTYUIOP",
            "Sunshine2020!!!",
        ] {
            let e = v.signup(EMAIL, NAME, &pw(bad)).unwrap_err();
            assert!(validation_message(e).contains("too common"), "{bad}");
        }
        v.signup(EMAIL, NAME, &pw("my password is a sunny meadow"))
            .unwrap();
    }
}

conformance! {
    fn pw_05_context_words_refused() {
        let env = Env::new();
        let v = env.open();
        for bad in [
            "ada@example.com",
            "AdaLovelace2024!",
            "vaulttyvaultty99",
            "lovelace ada ada",
        ] {
            let e = v.signup(EMAIL, NAME, &pw(bad)).unwrap_err();
            assert!(validation_message(e).contains("built from"), "{bad}");
        }
    }
}

conformance! {
    fn pw_06_nfkc_fullwidth_and_odd_input() {
        let env = Env::new();
        let v = env.open();
        v.signup(
            EMAIL,
            NAME,
            &pw("ｖｉｏｌｅｔ ｔｒａｃｔｏｒ ｓｉｎｇｓ ａｔ ｄａｗｎ"),
        )
        .unwrap();
        v.login(EMAIL, &pw("violet tractor sings at dawn")).unwrap();
        let e = v
            .signup("nul@example.com", "N", &pw("violet\0tractor sings at dawn"))
            .unwrap_err();
        assert!(validation_message(e).contains("control"));
        v.signup(
            "emoji@example.com",
            "E",
            &pw("🦊 violet tractor 🎻 sings 🚲"),
        )
        .unwrap();
    }
}

#[test]
fn pw_07_no_hint_or_question_columns() {
    let env = Env::new();
    env.open();
    let db = env.db();
    let mut stmt = db
        .prepare("SELECT name FROM pragma_table_info('accounts')")
        .unwrap();
    let cols: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(cols.contains(&"password_hash".to_string()));
    for c in &cols {
        assert!(
            !c.contains("hint") && !c.contains("question") && !c.contains("answer"),
            "{c}"
        );
    }
}

conformance! {
    fn pw_08_no_periodic_expiry() {
        let env = Env::new().with_account();
        env.clock.advance(3 * 365 * 24 * 3600);
        env.open().login(EMAIL, &pw(PW)).unwrap();
    }
}

conformance! {
    fn pw_09_change_requires_current_password() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        let before = env.stored_hash();
        let new = "violet tractor sings under amber rain";
        assert!(matches!(
            v.change_password(&pw("wrong current password"), &pw(new)),
            Err(Error::CurrentPasswordIncorrect)
        ));
        assert_eq!(env.stored_hash(), before);
        let e = v.change_password(&pw(PW), &pw("zq8vx!mk")).unwrap_err();
        assert!(validation_message(e).contains("too short"));
        assert_eq!(env.stored_hash(), before);
        v.change_password(&pw(PW), &pw(new)).unwrap();
        assert_ne!(env.stored_hash(), before);
        assert!(matches!(
            v.login(EMAIL, &pw(PW)),
            Err(Error::InvalidCredentials)
        ));
        v.login(EMAIL, &pw(new)).unwrap();
    }
}

conformance! {
    fn change_password_without_session_is_refused() {
        let env = Env::new().with_account();
        assert!(matches!(
            env.open()
                .change_password(&pw(PW), &pw("violet tractor sings under amber rain")),
            Err(Error::NoSession)
        ));
    }
}

// ---- hashing ------------------------------------------------------------------------------

conformance! {
    fn hs_01_production_hash_meets_the_floor() {
        let env = Env::new();
        let mut o = env.options();
        o.hash = HashParams::default();
        env.open_with(o)
            .unwrap()
            .signup(EMAIL, NAME, &pw(PW))
            .unwrap();
        let phc = env.stored_hash();
        let parsed = argon2::password_hash::phc::PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "vaultty-argon2id-v1");
        assert_eq!(parsed.version, Some(19));
        let p = argon2::Params::try_from(&parsed).unwrap();
        let (m, t) = (p.m_cost(), p.t_cost());
        assert!((t == 1 && m >= 47104) || (t == 2 && m >= 19456) || (t >= 3 && m >= 12288));
        assert_eq!((m, t, p.p_cost()), (65536, 3, 4), "the documented default");
        assert!(parsed.salt.unwrap().as_ref().len() >= 16);
    }
}

#[test]
fn hs_02_same_password_different_salts() {
    let env = Env::new();
    let v = env.open();
    v.signup("a@example.com", "A", &pw(PW)).unwrap();
    v.signup("b@example.com", "B", &pw(PW)).unwrap();
    let db = env.db();
    let mut stmt = db.prepare("SELECT password_hash FROM accounts").unwrap();
    let hashes: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(hashes.len(), 2);
    assert_ne!(hashes[0], hashes[1]);
    let salt = |h: &str| h.split('$').nth(4).unwrap().to_owned();
    assert_ne!(salt(&hashes[0]), salt(&hashes[1]));
}

#[test]
fn hs_03_rehash_on_login_when_parameters_change() {
    // An account made at m=8192, t=1, p=1, then used where the current parameters differ.
    let env = Env::new();
    let mut o = env.options();
    o.hash = HashParams::insecure_for_tests(8192, 1, 1);
    env.open_with(o)
        .unwrap()
        .signup(EMAIL, NAME, &pw(PW))
        .unwrap();
    let old = env.stored_hash();
    assert!(
        old.starts_with("$vaultty-argon2id-v1$v=19$m=8192,t=1,p=1$"),
        "{old}"
    );
    let mut o = env.options();
    o.hash = HashParams::OWASP_FLOOR;
    let v = env.open_with(o).unwrap();
    assert!(v.login(EMAIL, &pw("wrong password entirely")).is_err());
    assert_eq!(env.stored_hash(), old, "a failed login does not rehash");
    let report = v.login(EMAIL, &pw(PW)).unwrap();
    assert!(
        matches!(report.vault, VaultOpened::Open),
        "{:?}",
        report.vault
    );
    let new = env.stored_hash();
    assert!(
        new.starts_with("$vaultty-argon2id-v1$v=19$m=19456,t=2,p=1$"),
        "{new}"
    );
    // The data key was wrapped again under the new hash's key: the vault still opens.
    v.logout().unwrap();
    let report = v.login(EMAIL, &pw(PW)).unwrap();
    assert!(
        matches!(report.vault, VaultOpened::Open),
        "{:?}",
        report.vault
    );
}

#[test]
fn hs_04_hash_over_the_ceiling_is_refused_before_verifying() {
    let env = Env::new().with_account();
    env.db()
        .execute(
            "UPDATE accounts SET password_hash = ?1",
            ["$argon2id$v=19$m=4194304,t=3,p=4$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
        )
        .unwrap();
    let v = env.open();
    assert!(matches!(
        v.login(EMAIL, &pw(PW)),
        Err(Error::InvalidCredentials)
    ));
    assert_eq!(
        v.hasher().verifications(),
        0,
        "no 4 GiB Argon2 run was started"
    );
}

// ---- authentication -----------------------------------------------------------------------

conformance! {
    fn au_01_unknown_email_and_wrong_password_look_the_same() {
        let env = Env::new().with_account();
        let v = env.open();
        let unknown = v.login("nobody@example.com", &pw(PW)).unwrap_err();
        let wrong = v.login(EMAIL, &pw("wrong password entirely")).unwrap_err();
        assert_eq!(unknown.to_string(), wrong.to_string());
        assert_eq!(unknown.exit_code(), wrong.exit_code());
        assert_eq!(unknown.exit_code(), 3);
    }
}

conformance! {
    fn au_02_one_verification_on_both_failure_paths() {
        let env = Env::new().with_account();
        let v = env.open();
        let n0 = v.hasher().verifications();
        let _ = v.login("nobody@example.com", &pw(PW));
        assert_eq!(v.hasher().verifications(), n0 + 1);
        let _ = v.login(EMAIL, &pw("wrong password entirely"));
        assert_eq!(v.hasher().verifications(), n0 + 2);
    }
}

conformance! {
    fn au_03_throttle_persists_and_resets() {
        let env = Env::new().with_account();
        {
            let v = env.open();
            for _ in 0..5 {
                assert!(matches!(
                    v.login(EMAIL, &pw("wrong password entirely")),
                    Err(Error::InvalidCredentials)
                ));
            }
            let n = v.hasher().verifications();
            assert!(matches!(v.login(EMAIL, &pw(PW)), Err(Error::Throttled(60))));
            assert_eq!(
                v.hasher().verifications(),
                n,
                "no verification while locked"
            );
        }
        // a new process (new connection) still sees the lock
        let v = env.open();
        env.clock.advance(30);
        assert!(matches!(v.login(EMAIL, &pw(PW)), Err(Error::Throttled(30))));
        env.clock.advance(31);
        let report = v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(
            (report.failed_attempts, report.throttled_attempts),
            (5, 2),
            "5 failures and 2 refusals since signup, counted apart"
        );
        assert_eq!(env.count("throttle"), 0, "success resets the counter");
        // after the reset, 4 failures do not lock
        for _ in 0..4 {
            assert!(matches!(
                v.login(EMAIL, &pw("wrong password entirely")),
                Err(Error::InvalidCredentials)
            ));
        }
        v.login(EMAIL, &pw(PW)).unwrap();
    }
}

conformance! {
    fn au_03_lock_doubles_per_further_failure() {
        let env = Env::new().with_account();
        let v = env.open();
        for _ in 0..5 {
            let _ = v.login(EMAIL, &pw("wrong password entirely"));
        }
        env.clock.advance(60);
        let _ = v.login(EMAIL, &pw("wrong password entirely"));
        assert!(matches!(
            v.login(EMAIL, &pw(PW)),
            Err(Error::Throttled(120))
        ));
    }
}

conformance! {
    fn au_04_far_fewer_than_100_attempts_per_hour() {
        let env = Env::new();
        let v = env.open();
        let end = T0 + 3600;
        while env.clock.now_for_test() < end {
            let _ = v.login("target@example.com", &pw("guess guess guess guess"));
            env.clock.advance(1);
        }
        let evaluated = v.hasher().verifications();
        assert!(
            evaluated < 100,
            "{evaluated} attempts evaluated in one hour"
        );
        assert!(evaluated >= 5);
    }
}

conformance! {
    fn au_05_unknown_email_locks_like_a_real_account() {
        let env = Env::new().with_account();
        let v = env.open();
        for _ in 0..5 {
            let _ = v.login(EMAIL, &pw("wrong password entirely"));
            let _ = v.login("ghost@example.com", &pw("wrong password entirely"));
        }
        let real = v.login(EMAIL, &pw(PW)).unwrap_err();
        let ghost = v.login("ghost@example.com", &pw(PW)).unwrap_err();
        assert!(matches!(real, Error::Throttled(_)));
        assert_eq!(real.to_string(), ghost.to_string());
        assert_eq!(real.exit_code(), ghost.exit_code());
    }
}

#[test]
fn au_06_no_default_accounts() {
    let env = Env::new();
    let v = env.open();
    assert_eq!(accounts::count(env.sqlite_store().conn()).unwrap(), 0);
    for (e, p) in [("admin@example.com", "admin"), ("root@example.com", "root")] {
        assert!(matches!(v.login(e, &pw(p)), Err(Error::InvalidCredentials)));
    }
}

conformance! {
    fn au_07_every_front_end_shares_one_throttle() {
        // The TUI and the CLI both call Accounts::login; two handles stand for the two front ends.
        let env = Env::new().with_account();
        let tui = env.open_terminal("tui-session");
        let cli = env.open();
        for _ in 0..3 {
            let _ = tui.login(EMAIL, &pw("wrong password entirely"));
        }
        for _ in 0..2 {
            let _ = cli.login(EMAIL, &pw("wrong password entirely"));
        }
        assert!(matches!(
            tui.login(EMAIL, &pw(PW)),
            Err(Error::Throttled(_))
        ));
        assert!(matches!(
            cli.login(EMAIL, &pw(PW)),
            Err(Error::Throttled(_))
        ));
    }
}

conformance! {
    fn au_08_sql_injection_is_inert() {
        let env = Env::new().with_account();
        let v = env.open();
        let evil = "' OR '1'='1' --";
        assert!(v.login(evil, &pw(PW)).is_err());
        assert!(matches!(
            v.signup(evil, NAME, &pw(PW)),
            Err(Error::Invalid(_))
        ));
        // a quoted name is stored literally
        v.signup(
            "bobby@example.com",
            "Robert'); DROP TABLE accounts;--",
            &pw(PW),
        )
        .unwrap();
        let name = env
            .inspect()
            .account_by_email("bobby@example.com")
            .unwrap()
            .unwrap()
            .name;
        assert_eq!(name, "Robert'); DROP TABLE accounts;--");
        assert_eq!(env.count("accounts"), 2);
    }
}

conformance! {
    fn duplicate_emails_refused_in_any_case() {
        let env = Env::new().with_account();
        let v = env.open();
        for dup in ["ADA@example.com", " ada@EXAMPLE.com "] {
            assert!(matches!(
                v.signup(dup, NAME, &pw(PW)),
                Err(Error::EmailTaken)
            ));
        }
        assert_eq!(env.count("accounts"), 1);
    }
}

// ---- sessions -----------------------------------------------------------------------------

fn token_hex(env: &Env, file: &str) -> String {
    let s = std::fs::read_to_string(env.dir.join(file)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    v["token"].as_str().unwrap().to_owned()
}

conformance! {
    fn se_01_only_the_token_digest_is_stored() {
        use sha2::Digest;
        let env = Env::new().with_account();
        env.open().login(EMAIL, &pw(PW)).unwrap();
        let token = hex::decode(token_hex(&env, "session")).unwrap();
        assert_eq!(token.len(), 32);
        // The store finds the session by the token's SHA-256, and not by the token itself.
        let store = env.store().unwrap();
        let digest: [u8; 32] = sha2::Sha256::digest(&token).into();
        assert!(store.session(&digest).unwrap().is_some());
        let raw: [u8; 32] = token.as_slice().try_into().unwrap();
        assert!(store.session(&raw).unwrap().is_none());
        assert_eq!(env.count("sessions"), 1);
    }
}

conformance! {
    fn se_02_new_token_on_every_login() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        let first = std::fs::read(env.dir.join("session")).unwrap();
        v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(env.count("sessions"), 1, "the first session's row is gone");
        std::fs::write(env.dir.join("session"), &first).unwrap();
        assert_eq!(env.open().current_session().unwrap(), None);
    }
}

conformance! {
    fn se_03_logout_invalidates_server_side() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        let copy = std::fs::read(env.dir.join("session")).unwrap();
        assert!(v.logout().unwrap());
        assert!(!env.dir.join("session").exists());
        assert_eq!(env.count("sessions"), 0);
        std::fs::write(env.dir.join("session"), &copy).unwrap();
        std::fs::set_permissions(
            env.dir.join("session"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert_eq!(env.open().current_session().unwrap(), None);
        assert!(
            !env.dir.join("session").exists(),
            "the stale file is removed"
        );
    }
}

conformance! {
    fn se_04_idle_and_absolute_timeouts() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        // idle: 15 min + 1 s without use ends it
        env.clock.advance(15 * 60 + 1);
        assert_eq!(v.current_session().unwrap(), None);
        // activity keeps it alive until the absolute limit
        v.login(EMAIL, &pw(PW)).unwrap();
        for _ in 0..(12 * 4 - 1) {
            env.clock.advance(15 * 60);
            assert!(v.current_session().unwrap().is_some());
        }
        let info = v.peek_session().unwrap().unwrap();
        assert_eq!(info.absolute_expires_at, T0 + 15 * 60 + 1 + 12 * 3600);
        env.clock.set(info.absolute_expires_at);
        assert_eq!(v.current_session().unwrap(), None);
        assert_eq!(env.count("sessions"), 0);
    }
}

conformance! {
    fn se_04_peek_does_not_refresh() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        env.clock.advance(10 * 60);
        assert!(v.peek_session().unwrap().is_some());
        env.clock.advance(5 * 60 + 1);
        assert_eq!(v.peek_session().unwrap(), None);
    }
}

conformance! {
    fn se_05_foreign_keys_cascade_and_disable() {
        let env = Env::new().with_account();
        let v = env.open();
        let id = v.login(EMAIL, &pw(PW)).unwrap().session.account.id;
        let store = env.inspect();
        assert!(store.set_disabled(id, true).unwrap());
        assert_eq!(
            v.current_session().unwrap(),
            None,
            "disabled account: session ends"
        );
        // The right password on a disabled account says so (exit 8); a wrong one does not.
        assert!(matches!(
            v.login(EMAIL, &pw(PW)),
            Err(Error::AccountUnavailable(vaultty::Unavailable::Disabled))
        ));
        assert!(matches!(
            v.login(EMAIL, &pw("wrong password entirely")),
            Err(Error::InvalidCredentials)
        ));
        store.set_disabled(id, false).unwrap();
        v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(env.count("sessions"), 1);
        assert!(store.delete_account(id).unwrap());
        assert_eq!(
            env.count("sessions"),
            0,
            "deleting the account removed its sessions"
        );
    }
}

#[test]
fn se_05_sqlite_connections_enforce_foreign_keys() {
    let env = Env::new().with_account();
    let fk: i64 = env
        .sqlite_store()
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

conformance! {
    fn se_06_password_change_ends_other_sessions() {
        let env = Env::new().with_account();
        let a = env.open_terminal("session-a");
        let b = env.open_terminal("session-b");
        a.login(EMAIL, &pw(PW)).unwrap();
        b.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(env.count("sessions"), 2);
        let ended = a
            .change_password(&pw(PW), &pw("violet tractor sings under amber rain"))
            .unwrap();
        assert_eq!(ended, 1);
        assert!(a.current_session().unwrap().is_some(), "this session stays");
        assert_eq!(b.current_session().unwrap(), None);
    }
}

conformance! {
    fn se_08_session_file_is_not_the_source_of_identity() {
        let env = Env::new().with_account();
        let v = env.open();
        v.signup(
            "mallory@example.com",
            "Mallory",
            &pw("violet tractor sings under amber rain"),
        )
        .unwrap();
        v.login(EMAIL, &pw(PW)).unwrap();
        let path = env.dir.join("session");
        let token = token_hex(&env, "session");
        std::fs::write(
            &path,
            format!(
                r#"{{"version":1,"token":"{token}","email":"mallory@example.com","expires_at":9999999999}}"#
            ),
        )
        .unwrap();
        let info = v.current_session().unwrap().unwrap();
        assert_eq!(info.account.email, EMAIL);
        assert!(info.absolute_expires_at < 9_999_999_999);
        // a token changed by one digit is just unknown
        let mut bad = token.clone();
        bad.replace_range(0..1, if &token[0..1] == "0" { "1" } else { "0" });
        std::fs::write(&path, format!(r#"{{"version":1,"token":"{bad}"}}"#)).unwrap();
        assert_eq!(v.current_session().unwrap(), None);
    }
}

// ---- files --------------------------------------------------------------------------------

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn fs_01_private_modes_even_with_umask_022() {
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe { libc::umask(0o022) };
    let env = Env::new().with_account();
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    assert_eq!(mode(&env.dir), 0o700);
    assert_eq!(mode(&env.dir.join("vaultty.db")), 0o600);
    assert_eq!(mode(&env.dir.join("session")), 0o600);
    // while a connection is open, WAL side files exist and share the database's mode
    for side in ["vaultty.db-wal", "vaultty.db-shm"] {
        let p = env.dir.join(side);
        assert!(p.exists(), "{side}");
        assert_eq!(mode(&p), 0o600, "{side}");
    }
}

conformance! {
    fn fs_01_existing_wide_dir_is_tightened() {
        let env = Env::new();
        std::fs::create_dir_all(&env.dir).unwrap();
        std::fs::set_permissions(&env.dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        env.open();
        assert_eq!(mode(&env.dir), 0o700);
    }
}

#[test]
fn wal_stays_short_across_many_short_lived_handles() {
    // One handle per command, as the CLI runs: each process rebuilds the WAL index from every
    // frame since the last reset, so closing must keep the WAL from growing without bound.
    let env = Env::new().with_account();
    let wal = env.dir.join("vaultty.db-wal");
    let bound = vaultty::store::WAL_TRUNCATE_BYTES + 64 * 1024;
    let mut largest = 0;
    for i in 0..150 {
        env.clock.advance(1);
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        drop(v);
        let len = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert!(len <= bound, "after login {i}: WAL is {len} bytes");
        largest = largest.max(len);
    }
    assert!(largest > 0, "the WAL is kept between commands");
    // every login is there: nothing was lost to a checkpoint
    assert_eq!(env.count("sessions"), 1, "each login replaces the session");
    let logins: i64 = env
        .db()
        .query_row(
            "SELECT count(*) FROM auth_events WHERE outcome = 'login_success'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logins, 150);
}

conformance! {
    fn argon2_runs_wait_for_a_free_slot() {
        // Known and unknown emails alike wait while another process holds every Argon2 slot, and
        // go ahead once one is free.
        let env = Env::new().with_account();
        login_waits_for_a_slot(&env, EMAIL, true);
        login_waits_for_a_slot(&env, "nobody@example.com", false);
    }
}

fn login_waits_for_a_slot(env: &Env, email: &str, succeeds: bool) {
    use std::time::Duration;
    use vaultty::auth::slots::{Slots, slots_for};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = slots_for(cores);
    let take_all = |wait: Duration| -> Vec<_> {
        (0..count)
            .map(|_| Slots::with_count(&env.dir, count).acquire_within(wait))
            .collect()
    };
    let held = take_all(Duration::from_secs(5));
    assert!(held.iter().all(Option::is_some), "{email}: slots were free");
    let (tx, rx) = std::sync::mpsc::channel();
    let v = env.open();
    let e = email.to_owned();
    let t = std::thread::spawn(move || tx.send(v.login(&e, &pw(PW)).is_ok()).unwrap());
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "{email}: the verification did not wait for a slot"
    );
    drop(held);
    let ok = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("login finished once a slot was free");
    assert_eq!(ok, succeeds, "{email}");
    t.join().unwrap();
    // the login gave its slot back
    assert!(
        take_all(Duration::from_secs(5)).iter().all(Option::is_some),
        "{email}: every slot was released"
    );
}

// ---- secrets and failures -----------------------------------------------------------------

#[test]
fn tm_04_no_secret_in_errors() {
    let env = Env::new().with_account();
    let v = env.open();
    let secret = "violet tractor sings under amber rain";
    let mut errors = vec![
        v.login(EMAIL, &pw(secret)).unwrap_err(),
        v.signup("x@example.com", NAME, &pw(&format!("{secret}\0")))
            .unwrap_err(),
        v.signup(EMAIL, NAME, &pw(secret)).unwrap_err(),
    ];
    v.login(EMAIL, &pw(PW)).unwrap();
    let token = token_hex(&env, "session");
    errors.push(v.change_password(&pw(secret), &pw(PW)).unwrap_err());
    // a forced storage error
    drop(v);
    std::fs::write(env.dir.join("vaultty.db"), vec![0x42u8; 8192]).unwrap();
    for f in ["vaultty.db-wal", "vaultty.db-shm"] {
        let _ = std::fs::remove_file(env.dir.join(f));
    }
    errors.push(env.open_with(env.options()).unwrap_err());
    for e in &errors {
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains(PW), "{text}");
            assert!(!text.contains(&token), "{text}");
        }
    }
    assert!(format!("{:?}", pw(secret)).contains("redacted"));
}

#[test]
fn tm_07_corrupt_store_fails_closed_and_is_left_alone() {
    let env = Env::new().with_account();
    let db = env.dir.join("vaultty.db");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    for f in ["vaultty.db-wal", "vaultty.db-shm"] {
        let _ = std::fs::remove_file(env.dir.join(f));
    }
    let e = env.open_with(env.options()).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("vaultty.db"), "{e}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "nothing was repaired or changed"
    );
    assert!(!env.dir.join("session").exists());
}

#[test]
fn tm_07_foreign_sqlite_database_is_refused_untouched() {
    let env = Env::new();
    std::fs::create_dir_all(&env.dir).unwrap();
    let db = env.dir.join("vaultty.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let e = env.open_with(env.options()).unwrap_err();
    assert!(e.to_string().contains("not a vaultty store"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

conformance! {
    fn tm_07_corrupt_session_file_means_logged_out() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        std::fs::write(env.dir.join("session"), b"\x00\xffnot json").unwrap();
        assert_eq!(v.current_session().unwrap(), None);
        assert!(!env.dir.join("session").exists());
    }
}

#[test]
fn lg_01_auth_events_without_secrets() {
    let env = Env::new().with_account();
    let v = env.open();
    let _ = v.login(" ADA@example.com", &pw("wrong password entirely"));
    v.login(EMAIL, &pw(PW)).unwrap();
    let db = env.db();
    let mut stmt = db
        .prepare(
            "SELECT at, email, outcome FROM auth_events WHERE outcome LIKE 'login_%' ORDER BY id",
        )
        .unwrap();
    let rows: Vec<(i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        vec![
            (T0, EMAIL.to_owned(), "login_failure".to_owned()),
            (T0, EMAIL.to_owned(), "login_success".to_owned()),
        ]
    );
    let mut stmt = db
        .prepare("SELECT name FROM pragma_table_info('auth_events')")
        .unwrap();
    let cols: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // `actor` is who acted when not the account itself (an administrator): an email too.
    assert_eq!(cols, ["id", "at", "email", "outcome", "actor"]);
}

conformance! {
    fn login_report_counts_failures_since_previous_login() {
        let env = Env::new().with_account();
        let v = env.open();
        let first = v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(first.previous_login_at, None);
        assert_eq!(first.failed_attempts, 0);
        env.clock.advance(100);
        for _ in 0..2 {
            let _ = v.login(EMAIL, &pw("wrong password entirely"));
        }
        env.clock.advance(100);
        let second = v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(second.previous_login_at, Some(T0));
        assert_eq!(second.failed_attempts, 2);
    }
}

conformance! {
    /// Issue 13, item 5: 7 wrong passwords were reported as 12, because the warning also
    /// counted wrong current passwords on the change form and refusals while locked. Only failed
    /// logins count; refusals while locked are reported apart.
    fn lg_02_login_warning_counts_only_failed_logins() {
        let env = Env::new().with_account();
        let v = env.open();
        v.login(EMAIL, &pw(PW)).unwrap();
        env.clock.advance(10);
        let new = "violet tractor sings under amber rain";
        for _ in 0..2 {
            assert!(matches!(
                v.change_password(&pw("wrong current password"), &pw(new)),
                Err(Error::CurrentPasswordIncorrect)
            ));
        }
        v.logout().unwrap();
        // the change form's failures count towards the lock, so the third wrong login locks
        for _ in 0..3 {
            assert!(matches!(
                v.login(EMAIL, &pw("wrong password entirely")),
                Err(Error::InvalidCredentials)
            ));
        }
        for _ in 0..2 {
            assert!(matches!(v.login(EMAIL, &pw(PW)), Err(Error::Throttled(_))));
        }
        env.clock.advance(3600);
        let report = v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(
            (report.failed_attempts, report.throttled_attempts),
            (3, 2),
            "3 failed logins, 2 refusals while locked; the change form's failures are not logins"
        );
        assert_eq!(
            report.attempts_warning().as_deref(),
            Some("3 failed login attempts and 2 attempts refused while locked")
        );
    }
}

conformance! {
    fn prepared_memory_gives_the_same_answers() {
        let env = Env::new().with_account();
        let v = env.open();
        v.hasher().prepare();
        assert!(v.hasher().is_prepared());
        assert!(matches!(
            v.login(EMAIL, &pw("wrong password entirely")),
            Err(Error::InvalidCredentials)
        ));
        assert!(matches!(
            v.login("nobody@example.com", &pw(PW)),
            Err(Error::InvalidCredentials)
        ));
        v.hasher().wipe_prepared();
        v.login(EMAIL, &pw(PW)).unwrap();
        assert_eq!(v.hasher().verifications(), 3, "one Argon2 run per attempt");
        v.hasher().release_prepared();
        assert!(!v.hasher().is_prepared());
    }
}

#[test]
fn durable_writes_restore_normal_sync_and_wal_survives_close() {
    let env = Env::new().with_account();
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    v.logout().unwrap();
    drop(v);
    let store = vaultty::store::Store::open_in(&env.dir).unwrap();
    store.write_durable(|_| Ok(())).unwrap();
    let sync: i64 = store
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "back to NORMAL after a durable write");
    drop(store);
    // no checkpoint-and-delete on close: the next process reuses the WAL
    let wal = env.dir.join("vaultty.db-wal");
    assert!(wal.exists());
    assert_eq!(mode(&wal), 0o600);
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
}

// ---- a clock that cannot be trusted (issue 12, finding 2) ---------------------------------

conformance! {
    fn au_09_a_lock_written_under_a_clock_days_ahead_never_exceeds_the_policy() {
        let env = Env::new().with_account();
        let v = env.open();
        // The attacker's process runs 12 days ahead and fails 11 times: its own clock gives the
        // longest lock, an hour past its "now".
        env.clock.set(T0 + 12 * 86_400);
        for _ in 0..11 {
            let _ = v.login(EMAIL, &pw("wrong password entirely"));
        }
        // Under the real clock the victim waits at most the policy's maximum, not 12 days.
        env.clock.set(T0);
        match v.login(EMAIL, &pw(PW)) {
            Err(Error::Throttled(wait)) => assert!(wait <= 3600, "locked for {wait} s"),
            other => panic!("expected a lock, got {other:?}"),
        }
        env.clock.set(T0 + 3600);
        v.login(EMAIL, &pw(PW)).unwrap();
    }
}

conformance! {
    fn au_09_a_clock_that_goes_back_keeps_the_lock_it_had() {
        let env = Env::new().with_account();
        let v = env.open();
        for _ in 0..5 {
            let _ = v.login(EMAIL, &pw("wrong password entirely"));
        }
        // The clock steps back ten minutes: still locked, for no more than the policy's 60 s
        // counted from the clock's new "now".
        env.clock.set(T0 - 600);
        match v.login(EMAIL, &pw(PW)) {
            Err(Error::Throttled(wait)) => assert!(wait > 0 && wait <= 60, "locked for {wait} s"),
            other => panic!("expected a lock, got {other:?}"),
        }
    }
}

conformance! {
    fn se_09_a_session_from_a_clock_a_year_ahead_is_not_valid_now() {
        let env = Env::new().with_account();
        let v = env.open();
        env.clock.set(T0 + 365 * 86_400);
        v.login(EMAIL, &pw(PW)).unwrap();
        assert!(v.current_session().unwrap().is_some());
        env.clock.set(T0);
        assert_eq!(v.current_session().unwrap(), None, "future created_at");
        assert_eq!(env.count("sessions"), 0, "and its row is gone");
    }
}

#[test]
fn se_09_a_session_never_outlives_12_hours_from_now() {
    let env = Env::new().with_account();
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    // A tampered (or mis-clocked) row that ends in a year, stamped as if created now.
    env.db()
        .execute("UPDATE sessions SET expires_at = ?1", [T0 + 365 * 86_400])
        .unwrap();
    assert_eq!(v.current_session().unwrap(), None);
    // Within the tolerance a clock stepped back a little keeps the session.
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    env.clock.set(T0 - 60);
    assert!(v.current_session().unwrap().is_some(), "60 s back is fine");
}

#[test]
fn hs_05_a_costlier_stored_hash_never_runs_outside_the_queue() {
    // A stored hash dearer than the current parameters (here 128 KiB against the tests' 64)
    // waits for a slot however long that takes; cheaper runs give up waiting (after MAX_WAIT
    // in the queue and up to MAX_WAIT more for a slot) and go ahead.
    use std::time::Duration;
    use vaultty::auth::hashing::Hasher;
    use vaultty::auth::slots::{MAX_WAIT, Slots, slots_for};
    let env = Env::new().with_account();
    let dear = Hasher::new(HashParams::insecure_for_tests(128, 1, 1))
        .hash(&pw(PW))
        .unwrap();
    env.db()
        .execute("UPDATE accounts SET password_hash = ?1", [&dear])
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = slots_for(cores);
    let held: Vec<_> = (0..count)
        .map(|_| Slots::with_count(&env.dir, count).acquire_within(Duration::from_secs(5)))
        .collect();
    assert!(held.iter().all(Option::is_some), "slots were free");
    let (tx, rx) = std::sync::mpsc::channel();
    let v = env.open();
    let t = std::thread::spawn(move || tx.send(v.login(EMAIL, &pw(PW)).is_ok()).unwrap());
    assert!(
        rx.recv_timeout(MAX_WAIT * 2 + Duration::from_secs(2))
            .is_err(),
        "the costly verification went ahead without a slot"
    );
    drop(held);
    let ok = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("login finished once a slot was free");
    assert!(ok);
    t.join().unwrap();
}

// ---- a tampered store (issue 12, finding 3) -----------------------------------------------

#[test]
fn st_01_a_planted_trigger_is_refused_and_left_alone() {
    let env = Env::new().with_account();
    // What the review planted: a trigger that wipes throttling and failure events, for
    // unlimited silent guessing.
    env.db()
        .execute_batch(
            "CREATE TRIGGER forget AFTER INSERT ON throttle BEGIN
                 DELETE FROM throttle; DELETE FROM auth_events;
             END;",
        )
        .unwrap();
    let before = std::fs::read(env.dir.join("vaultty.db")).unwrap();
    let err = env.open_with(env.options()).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.exit_code(), 1);
    assert!(msg.contains("unexpected trigger \"forget\""), "{msg}");
    assert!(msg.contains("changed outside vaultty"), "{msg}");
    assert_eq!(
        std::fs::read(env.dir.join("vaultty.db")).unwrap(),
        before,
        "reported, not repaired"
    );
}

#[test]
fn st_01_extra_views_indexes_and_altered_tables_are_refused() {
    for (sql, expect) in [
        ("CREATE VIEW v AS SELECT 1", "unexpected view \"v\""),
        (
            "CREATE INDEX extra ON accounts(name)",
            "unexpected index \"extra\"",
        ),
        (
            "ALTER TABLE accounts ADD COLUMN hint TEXT",
            "table \"accounts\" was altered",
        ),
        (
            "DROP INDEX sessions_account",
            "index \"sessions_account\" is missing",
        ),
    ] {
        let env = Env::new().with_account();
        env.db().execute_batch(sql).unwrap();
        let msg = env.open_with(env.options()).unwrap_err().to_string();
        assert!(msg.contains(expect), "{sql}: {msg}");
    }
    // ANALYZE's statistics are SQLite's own, not a change of design.
    let env = Env::new().with_account();
    env.db().execute_batch("ANALYZE").unwrap();
    env.open();
}

#[test]
fn st_02_connections_are_defensive() {
    let env = Env::new();
    let _v = env.open();
    let store = env.sqlite_store();
    let c = store.conn();
    let pragma = |p: &str| -> i64 {
        c.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(pragma("trusted_schema"), 0);
    assert_eq!(pragma("cell_size_check"), 1);
    assert!(
        c.db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE)
            .unwrap()
    );
    // Defensive mode refuses writable_schema, the usual way to plant objects unseen.
    c.execute_batch("PRAGMA writable_schema = ON").unwrap();
    assert_eq!(pragma("writable_schema"), 0);
}

#[test]
fn au_10_a_failure_after_the_password_was_found_right_looks_like_a_wrong_one() {
    // The login waits for an Argon2 slot after its session file is staged; meanwhile a
    // directory appears at the session path, so the rename after the verification fails.
    use std::time::Duration;
    use vaultty::auth::slots::{Slots, slots_for};
    let env = Env::new().with_account();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = slots_for(cores);
    let held: Vec<_> = (0..count)
        .map(|_| Slots::with_count(&env.dir, count).acquire_within(Duration::from_secs(5)))
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    let v = env.open();
    let t = std::thread::spawn(move || tx.send(v.login(EMAIL, &pw(PW))).unwrap());
    std::thread::sleep(Duration::from_millis(300));
    std::fs::create_dir(env.dir.join("session")).unwrap();
    drop(held);
    let result = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    t.join().unwrap();
    assert!(
        matches!(result, Err(Error::InvalidCredentials)),
        "{result:?}"
    );
    let outcomes: Vec<String> = env
        .db()
        .prepare("SELECT outcome FROM auth_events ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        outcomes,
        ["signup", "login_failure"],
        "the attempt is recorded"
    );
    assert_eq!(env.count("sessions"), 0);
}

// ---- what the store files keep (issue 12, finding 8) ---------------------------------------

/// Whether any file in the data dir (the database, `-wal`, `-shm`) holds `needle`.
fn store_files_contain(env: &Env, needle: &[u8]) -> Vec<String> {
    std::fs::read_dir(&env.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("vaultty.db"))
        })
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle)
        })
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn fs_03_the_old_hash_is_gone_from_every_store_file_after_a_password_change() {
    let env = Env::new().with_account();
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    let old = env.stored_hash();
    assert!(
        !store_files_contain(&env, old.as_bytes()).is_empty(),
        "the probe finds it before"
    );
    v.change_password(&pw(PW), &pw("a brand new passphrase for ada"))
        .unwrap();
    assert_ne!(env.stored_hash(), old);
    assert_eq!(
        store_files_contain(&env, old.as_bytes()),
        Vec::<String>::new()
    );
}

#[test]
fn fs_03_an_ended_session_is_gone_from_every_store_file_after_logout() {
    use sha2::Digest as _;
    let env = Env::new().with_account();
    let v = env.open();
    v.login(EMAIL, &pw(PW)).unwrap();
    let token = hex::decode(token_hex(&env, "session")).unwrap();
    let digest = sha2::Sha256::digest(&token);
    assert!(
        !store_files_contain(&env, &digest).is_empty(),
        "the probe finds it before"
    );
    assert!(v.logout().unwrap());
    assert_eq!(store_files_contain(&env, &digest), Vec::<String>::new());
}

conformance! {
    fn au_11_signup_probes_for_taken_emails_are_throttled_and_recorded() {
        // The review asked "already registered?" 50 times in 1.8 s, unthrottled and unlogged.
        let env = Env::new().with_account();
        let v = env.open();
        let mut answers = Vec::new();
        for _ in 0..8 {
            answers.push(match v.signup(EMAIL, "Probe", &pw(PW)) {
                Err(Error::EmailTaken) => "taken",
                Err(Error::Throttled(_)) => "throttled",
                other => panic!("{other:?}"),
            });
        }
        assert_eq!(answers[..5], ["taken"; 5]);
        assert_eq!(answers[5..], ["throttled"; 3], "{answers:?}");
        let recorded = env
            .inspect()
            .events()
            .unwrap()
            .into_iter()
            .filter(|(_, _, outcome)| outcome == "signup_taken" || outcome == "signup_throttled")
            .count();
        assert_eq!(recorded, 8, "every probe is in auth_events");
        // A signup of a new email is not slowed by this, and leaves no throttle row behind.
        v.signup("grace@example.com", "Grace", &pw(PW)).unwrap();
        assert_eq!(env.inspect().throttle("grace@example.com").unwrap(), None);
    }
}

conformance! {
    fn au_12_an_empty_password_is_refused_without_touching_the_store() {
        // Issue 13, item 4: a stray Enter is not a failed attempt.
        let env = Env::new().with_account();
        let v = env.open();
        let events = env.count("auth_events");
        for _ in 0..10 {
            let e = v.login(EMAIL, &pw("")).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{e}");
            assert!(e.to_string().contains("Password is required"), "{e}");
        }
        assert_eq!(env.count("throttle"), 0, "the throttle never saw it");
        assert_eq!(env.count("auth_events"), events, "nothing recorded");
        assert_eq!(v.hasher().verifications(), 0, "no Argon2 run");
        v.login(EMAIL, &pw(PW)).unwrap();
        let e = v
            .change_password(&pw(""), &pw("a brand new passphrase for ada"))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e}");
        assert_eq!(env.count("throttle"), 0);
    }
}

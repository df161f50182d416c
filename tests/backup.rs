//! `vaultty backup FILE` (issue 13, item 19): a consistent, private copy of the store, safe
//! while other processes run, that restores by copying it back.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn backup(dir: &Path, to: &Path) -> Out {
    run(dir, &["backup", to.to_str().unwrap()], None)
}

fn emails_in(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let mut v: Vec<String> = c
        .prepare("SELECT email FROM accounts ORDER BY email")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    v.sort();
    v
}

#[test]
fn bk_01_a_backup_is_private_whole_and_restores() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    for who in ["ada", "grace", "edsger"] {
        signup(&dir, &format!("{who}@example.com"), who, PW1).expect(EXIT_OK, "signup");
    }
    login(&dir, "ada@example.com", PW1).expect(EXIT_OK, "login");
    let file = tmp.path().join("vaultty-backup.db");
    let o = backup(&dir, &file).expect(EXIT_OK, "backup");
    assert!(o.err().contains("Backup of 3 accounts"), "{}", o.err());
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let c = rusqlite::Connection::open(&file).unwrap();
    assert_eq!(integrity_check(&c), "ok");
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "one self-contained file");
    drop(c);
    assert_eq!(emails_in(&file).len(), 3);
    // Restore: copy it in as the store of a new data dir; the accounts log in.
    let restored = tmp.path().join("restored");
    fs::create_dir(&restored).unwrap();
    fs::set_permissions(&restored, fs::Permissions::from_mode(0o700)).unwrap();
    fs::copy(&file, restored.join("vaultty.db")).unwrap();
    login(&restored, "grace@example.com", PW1).expect(EXIT_OK, "login from the backup");
    // Nothing is ever overwritten, and no temporary file is left behind.
    let before = fs::read(&file).unwrap();
    let o = backup(&dir, &file);
    assert_refused(&o, EXIT_STORAGE, "backup over an existing file");
    assert!(o.err().contains("already exists"), "{}", o.err());
    assert_eq!(fs::read(&file).unwrap(), before);
    let link = tmp.path().join("link.db");
    std::os::unix::fs::symlink(tmp.path().join("elsewhere.db"), &link).unwrap();
    assert_refused(&backup(&dir, &link), EXIT_STORAGE, "backup over a symlink");
    assert!(!tmp.path().join("elsewhere.db").exists());
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".vaultty-backup")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bk_01_no_store_no_backup_and_nothing_created() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("missing");
    let file = tmp.path().join("b.db");
    let o = backup(&dir, &file);
    assert_refused(&o, EXIT_STORAGE, "backup of no store");
    assert!(!dir.exists() && !file.exists());
}

#[test]
fn bk_02_a_backup_taken_while_others_write_holds_everything_before_it() {
    // A small soak: two processes sign up and log in one account after another while the
    // backup is taken.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    signup(&dir, "first@example.com", "First", PW1).expect(EXIT_OK, "signup");
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (dir, stop) = (dir.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let email = format!("w{w}n{i}@example.com");
                    signup(&dir, &email, "Soak", PW1).expect(EXIT_OK, "signup");
                    login(&dir, &email, PW1).expect(EXIT_OK, "login");
                    i += 1;
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while emails_in(&dir.join("vaultty.db")).len() < 4 {
        assert!(Instant::now() < deadline, "the soak made no accounts");
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = emails_in(&dir.join("vaultty.db"));
    let file = tmp.path().join("during.db");
    backup(&dir, &file).expect(EXIT_OK, "backup during the soak");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let c = rusqlite::Connection::open(&file).unwrap();
    assert_eq!(integrity_check(&c), "ok");
    drop(c);
    let copied = emails_in(&file);
    for e in &before {
        assert!(
            copied.contains(e),
            "{e} existed before the backup and is missing"
        );
    }
    assert!(
        emails_in(&dir.join("vaultty.db")).len() > copied.len(),
        "the soak went on after the backup"
    );
}

#[test]
fn bk_03_a_copy_of_vaultty_db_alone_holds_every_account() {
    // Issue 13, item 19: the WAL stayed after every process exited, and a copied vaultty.db
    // alone had no accounts.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    signup(&dir, "ada@example.com", "Ada", PW1).expect(EXIT_OK, "signup");
    login(&dir, "ada@example.com", PW1).expect(EXIT_OK, "login");
    signup(&dir, "grace@example.com", "Grace", PW1).expect(EXIT_OK, "signup");
    let alone = tmp.path().join("alone.db");
    fs::copy(dir.join("vaultty.db"), &alone).unwrap();
    assert_eq!(
        emails_in(&alone),
        ["ada@example.com", "grace@example.com"],
        "the copy lacks accounts that were only in the WAL"
    );
}

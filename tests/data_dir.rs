//! Where the data dir really is (issue 12, finding 6): the path is resolved once, benign
//! symlinked parents work, a shared or foreign directory is refused without being touched, and
//! commands that only read never create the data dir. Runs the real binary.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().mode() & 0o7777
}

/// Every entry below `root`, for "nothing was created or changed" checks.
fn listing(root: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            out.push((p.display().to_string(), m.mode()));
            if m.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn sign_up_and_log_in(dir: &Path) {
    signup(dir, "ada@example.com", "Ada", PW1).expect(EXIT_OK, "signup");
    login(dir, "ada@example.com", PW1).expect(EXIT_OK, "login");
    assert_eq!(whoami_email(dir).as_deref(), Some("ada@example.com"));
}

#[test]
fn fs_04_symlinked_parents_work() {
    // As on systems where /home is a symlink to /var/home.
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("var-home")).unwrap();
    symlink(tmp.path().join("var-home"), tmp.path().join("home")).unwrap();
    let dir = tmp.path().join("home").join("ada").join("vaultty");
    sign_up_and_log_in(&dir);
    let real = tmp.path().join("var-home").join("ada").join("vaultty");
    assert!(real.join("vaultty.db").is_file());
    assert_eq!(mode(&real), 0o700);
}

#[test]
fn fs_04_a_symlink_of_ours_to_a_private_dir_of_ours_works() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("elsewhere");
    fs::create_dir(&target).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o700)).unwrap();
    let link = tmp.path().join("data");
    symlink(&target, &link).unwrap();
    sign_up_and_log_in(&link);
    assert!(target.join("vaultty.db").is_file());
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn fs_04_a_shared_group_dir_behind_a_symlink_is_refused_untouched() {
    // What the review did: --data-dir pointing at a symlink to a group directory. It used to
    // chmod the target to 0700 (losing its setgid bit) and create an empty vaultty.db.
    let tmp = tempfile::tempdir().unwrap();
    let group = tmp.path().join("group");
    fs::create_dir(&group).unwrap();
    fs::set_permissions(&group, fs::Permissions::from_mode(0o2770)).unwrap();
    let link = tmp.path().join("data");
    symlink(&group, &link).unwrap();
    let before = listing(tmp.path());
    let o = signup(&link, "ada@example.com", "Ada", PW1);
    assert_refused(&o, EXIT_STORAGE, "signup into a shared dir");
    assert!(o.err().contains("shared with other users"), "{}", o.err());
    assert_eq!(mode(&group), 0o2770, "the setgid bit and group access stay");
    assert_eq!(listing(tmp.path()), before, "nothing created or changed");
}

#[test]
fn fs_04_a_directory_or_link_of_another_user_is_refused_untouched() {
    if !is_root() {
        eprintln!("skipped: needs root to give files to another user (uid 65534)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // A directory of another user, reached through a link of ours.
    let theirs = tmp.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::set_permissions(&theirs, fs::Permissions::from_mode(0o777)).unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    let link = tmp.path().join("link-to-theirs");
    symlink(&theirs, &link).unwrap();
    // A link another user planted, to a directory of ours.
    let ours = tmp.path().join("ours");
    fs::create_dir(&ours).unwrap();
    fs::set_permissions(&ours, fs::Permissions::from_mode(0o700)).unwrap();
    let planted = tmp.path().join("planted");
    symlink(&ours, &planted).unwrap();
    std::os::unix::fs::lchown(&planted, Some(65534), Some(65534)).unwrap();
    let before = listing(tmp.path());
    for (dir, why) in [
        (&link, "another user"),
        (&planted, "belongs to another user"),
    ] {
        let o = signup(dir, "ada@example.com", "Ada", PW1);
        assert_refused(&o, EXIT_STORAGE, &format!("signup via {}", dir.display()));
        assert!(o.err().contains(why), "{}", o.err());
    }
    assert_eq!(listing(tmp.path()), before, "nothing created or changed");
}

#[test]
fn fs_04_whoami_logout_and_passwd_never_create_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("not-yet");
    let o = whoami(&dir);
    assert_refused(&o, EXIT_AUTH, "whoami on a missing data dir");
    logout(&dir).expect(EXIT_OK, "logout on a missing data dir");
    let o = run(&dir, &["passwd", "--password-stdin"], Some(b"a\nb\n"));
    assert_refused(&o, EXIT_AUTH, "passwd on a missing data dir");
    assert!(!dir.exists(), "the data dir was created");
    // An existing, empty data dir gets no store either.
    fs::create_dir(&dir).unwrap();
    whoami(&dir).expect(EXIT_AUTH, "whoami on an empty data dir");
    logout(&dir).expect(EXIT_OK, "logout on an empty data dir");
    assert_eq!(listing(&dir), Vec::<(String, u32)>::new());
}

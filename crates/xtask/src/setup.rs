//! What the bench needs before it measures: Debian packages, the release builds (this tree's
//! and, with `--before REV`, the pre-refactor commit's in a git worktree of its own), and
//! PostgreSQL databases of the bench's own.

use crate::harness::{Build, Res, log};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Debian packages the bench uses: the `argon2` CLI (figure 1's reference) and Debian's
/// libargon2 (the library of that package).
const DEB_PACKAGES: [&str; 2] = ["argon2", "libargon2-1"];

fn sh(cmd: &mut Command) -> Res<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} {:?}: {}{}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn run_visible(cmd: &mut Command) -> Res<()> {
    let st = cmd
        .status()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} {:?} failed: {st}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>()
        ))
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn as_root(args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        c
    } else {
        let mut c = Command::new("sudo");
        c.args(args);
        c
    }
}

/// Installs the Debian packages that are missing (apt-get only then).
pub fn install_deps() -> Res<()> {
    let missing: Vec<&str> = DEB_PACKAGES
        .into_iter()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    log(&format!("installing {}", missing.join(" ")));
    run_visible(&mut as_root(&["apt-get", "update"]))?;
    let mut args = vec![
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
    ];
    args.extend(missing);
    run_visible(&mut as_root(&args))
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// This tree's release build: the binary and the probe.
pub fn build_current(root: &Path) -> Res<Build> {
    log("cargo build --release (vaultty, argon2_probe)");
    run_visible(cargo().current_dir(root).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "vaultty",
        "--bin",
        "vaultty",
        "-p",
        "xtask",
        "--bin",
        "argon2_probe",
    ]))?;
    let release = target_dir(root).join("release");
    let rev = sh(Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short", "HEAD"]))?;
    let dirty = sh(Command::new("git").current_dir(root).args([
        "status",
        "--short",
        "--untracked-files=no",
    ]))?;
    Ok(Build {
        label: "after",
        rev: if dirty.is_empty() {
            rev
        } else {
            format!("{rev} + uncommitted changes")
        },
        vaultty: release.join("vaultty"),
        probe: release.join("argon2_probe"),
    })
}

/// The release build of `rev` in a worktree of its own (created if missing; reused when it is
/// at `rev`), with its own target dir: the binary and its `examples/argon2_probe`.
pub fn build_before(
    root: &Path,
    rev: &str,
    worktree: Option<PathBuf>,
    target: Option<PathBuf>,
) -> Res<Build> {
    let full = sh(Command::new("git").current_dir(root).args([
        "rev-parse",
        "--verify",
        &format!("{rev}^{{commit}}"),
    ]))?;
    let short = sh(Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short", &full]))?;
    let wt = worktree.unwrap_or_else(|| {
        target_dir(root)
            .join("bench")
            .join(format!("before-{short}"))
    });
    if wt.join(".git").exists() {
        let head = sh(Command::new("git")
            .current_dir(&wt)
            .args(["rev-parse", "HEAD"]))?;
        if head != full {
            return Err(format!(
                "{} is at {head}, not {full}: give another --before-worktree",
                wt.display()
            ));
        }
    } else {
        log(&format!("git worktree add {} {short}", wt.display()));
        run_visible(Command::new("git").current_dir(root).args([
            "worktree",
            "add",
            "--detach",
            &wt.display().to_string(),
            &full,
        ]))?;
    }
    let target = target.unwrap_or_else(|| wt.join("target"));
    let release = target.join("release");
    // Before the workspace (issue 14) the probe was an example of the root package; since,
    // it is a binary of this xtask.
    let (what, probe) = if wt.join("crates/xtask/src/bin/argon2_probe.rs").exists() {
        (
            &["--workspace", "--bin", "vaultty", "--bin", "argon2_probe"][..],
            release.join("argon2_probe"),
        )
    } else {
        (
            &["--bin", "vaultty", "--example", "argon2_probe"][..],
            release.join("examples").join("argon2_probe"),
        )
    };
    log(&format!(
        "cargo build --release {} at {short} in {}",
        what.join(" "),
        target.display()
    ));
    run_visible(
        cargo()
            .current_dir(&wt)
            .env("CARGO_TARGET_DIR", &target)
            .args(["build", "--release", "--locked"])
            .args(what),
    )?;
    Ok(Build {
        label: "before",
        rev: short,
        vaultty: release.join("vaultty"),
        probe,
    })
}

/// The PostgreSQL stores of the bench: the same server reached over its Unix socket, over
/// TCP on localhost, and through a PgBouncer of the bench's own (session pooling, on a Unix
/// socket), or why not.
pub struct PgStores {
    pub socket_url: String,
    pub tcp_url: String,
    pub pgbouncer_url: Result<String, String>,
}

/// The bench's PgBouncer: its directory (socket, configuration, log) and port, apart from the
/// one `.ci/run` starts.
const PGBOUNCER_DIR: &str = "/tmp/vaultty-bench-pgbouncer";
const PGBOUNCER_PORT: u16 = 6433;

const PG_VERSION: &str = "15";
/// The role `.ci/run` creates (TCP, password authentication).
const TCP_ROLE: &str = "vaultty_test";
const TCP_PASSWORD: &str = "vaultty_test_local_only";
const SOCKET_DIR: &str = "/var/run/postgresql";

fn psql(sql: &str) -> Res<String> {
    sh(Command::new("runuser").current_dir("/").args([
        "-u",
        "postgres",
        "--",
        "psql",
        "--quiet",
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
    ]))
}

/// Starts the server if it is not running, makes sure of the roles, and creates the bench's
/// two databases afresh: `vaultty_bench_tcp` (owner `vaultty_test`, password over TCP, as
/// `.ci/run` sets it up) and `vaultty_bench_socket` (owner: a role named after this OS user,
/// because Debian's server authenticates Unix-socket connections by peer).
pub fn postgres() -> Res<PgStores> {
    let ready = || {
        Command::new("pg_isready")
            .args(["--quiet", "--host=localhost", "--port=5432"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready() {
        log("starting PostgreSQL");
        let _ = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", PG_VERSION, "main", "start"])
            .status();
        for _ in 0..60 {
            if ready() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        if !ready() {
            return Err("PostgreSQL did not start (see /var/log/postgresql/)".into());
        }
    }
    let os_user = sh(Command::new("id").arg("-un"))?;
    if !os_user
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!("OS user {os_user:?} is not a plain role name"));
    }
    let role_exists = |r: &str| -> Res<bool> {
        Ok(psql(&format!("SELECT 1 FROM pg_roles WHERE rolname = '{r}'"))? == "1")
    };
    if !role_exists(TCP_ROLE)? {
        psql(&format!(
            "CREATE ROLE {TCP_ROLE} LOGIN CREATEDB PASSWORD '{TCP_PASSWORD}'"
        ))?;
    }
    if !role_exists(&os_user)? {
        psql(&format!("CREATE ROLE \"{os_user}\" LOGIN"))?;
    }
    stop_pgbouncer();
    for (db, owner) in [
        ("vaultty_bench_tcp", TCP_ROLE),
        ("vaultty_bench_socket", os_user.as_str()),
        ("vaultty_bench_pgbouncer", TCP_ROLE),
    ] {
        psql(&format!("DROP DATABASE IF EXISTS {db}"))?;
        psql(&format!(
            "CREATE DATABASE {db} OWNER \"{owner}\" ENCODING 'UTF8' TEMPLATE template0"
        ))?;
    }
    Ok(PgStores {
        socket_url: format!(
            "postgres://{os_user}@{}/vaultty_bench_socket",
            SOCKET_DIR.replace('/', "%2F")
        ),
        tcp_url: format!("postgres://{TCP_ROLE}:{TCP_PASSWORD}@localhost:5432/vaultty_bench_tcp"),
        pgbouncer_url: pgbouncer(),
    })
}

/// `.ci/pgbouncer`, the script `.ci/run` starts its PgBouncer with.
fn pgbouncer_script() -> Command {
    let mut c = Command::new("bash");
    c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/pgbouncer"));
    c
}

/// Stops the PgBouncer an earlier run left: it holds server connections to its database,
/// which could then not be dropped.
fn stop_pgbouncer() {
    let _ = pgbouncer_script().args(["stop", PGBOUNCER_DIR]).status();
}

/// Starts the bench's PgBouncer afresh (after [`stop_pgbouncer`]), in front of the server
/// over TCP as `vaultty_test`: the URL of `vaultty_bench_pgbouncer` through it.
fn pgbouncer() -> Result<String, String> {
    if Command::new("pgbouncer").arg("--version").output().is_err() {
        return Err("pgbouncer is not installed (apt-get install pgbouncer)".into());
    }
    sh(pgbouncer_script().args([
        "start",
        PGBOUNCER_DIR,
        &PGBOUNCER_PORT.to_string(),
        TCP_ROLE,
        TCP_PASSWORD,
    ]))?;
    Ok(format!(
        "postgres://{TCP_ROLE}@{}:{PGBOUNCER_PORT}/vaultty_bench_pgbouncer",
        PGBOUNCER_DIR.replace('/', "%2F")
    ))
}

//! vaultty's benchmark harness (not part of the product). BENCHMARKS.md says what each part
//! measures and how to read the figures.
//!
//! ```text
//! cargo run --release -p xtask -- bench [--before REV] [part...]
//! cargo run --release -p xtask -- report
//! cargo run --release -p xtask -- seed --data-dir DIR --count N
//! ```
//!
//! Parts: `cli` (figure 1), `latency` (2), `login` (3, on SQLite and PostgreSQL), `scale`
//! (4), `ui` (5), `concurrency` (6), `admin` (8), `vault` (9); `all` (the default) runs every
//! one. With `--before REV` every product figure is measured side by side with the release
//! build of REV (a git worktree of its own, `--before-worktree PATH`, with its own target dir,
//! `--before-target PATH`), alternating within one run. The bench installs the Debian
//! packages it needs, builds what it runs, waits for a quiet machine before each part, and
//! writes `target/bench/results/<part>.json` and `target/bench/summary.md`.

mod admin;
mod cli;
mod concurrency;
mod copt;
mod harness;
mod login;
mod login_overhead;
mod scale;
mod seed;
mod setup;
mod ui;
mod vault;

use harness::*;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  xtask bench [--before REV] [--before-worktree PATH] [--before-target PATH] [part...]
        parts: all (default) | cli | latency | ui | login | concurrency | scale | admin | vault
  xtask report
  xtask seed --data-dir DIR --count N";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

fn out_dir(root: &std::path::Path) -> PathBuf {
    std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| setup::target_dir(root).join("bench"))
}

fn bench(args: &[String]) -> Res<()> {
    let mut before_rev = None;
    let mut before_wt = None;
    let mut before_target = None;
    let mut parts = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--before" => before_rev = Some(value()?),
            "--before-worktree" => before_wt = Some(PathBuf::from(value()?)),
            "--before-target" => before_target = Some(PathBuf::from(value()?)),
            "all" => parts.extend(PARTS.iter().map(|p| p.to_string())),
            p if PARTS.contains(&p) => parts.push(p.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if parts.is_empty() {
        parts.extend(PARTS.iter().map(|p| p.to_string()));
    }
    let root = root();
    let out = out_dir(&root);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    setup::install_deps()?;
    let after = setup::build_current(&root)?;
    let before = match &before_rev {
        Some(rev) => Some(setup::build_before(&root, rev, before_wt, before_target)?),
        None => None,
    };
    let mut command = String::from("cargo run --release -p xtask -- bench");
    if let Some(rev) = &before_rev {
        command += &format!(" --before {rev}");
    }
    command += &format!(" {}", parts.join(" "));
    let ctx = Ctx {
        root,
        out: out.clone(),
        after,
        before,
        cfg: Config::from_env(),
        command,
    };
    log(&format!(
        "builds: {}",
        ctx.builds()
            .iter()
            .map(|b| format!("{} = {} ({})", b.label, b.rev, b.vaultty.display()))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    let t0 = std::time::Instant::now();
    for part in &parts {
        log(&format!("== {part}"));
        match part.as_str() {
            "cli" => cli::run(&ctx)?,
            "latency" => ui::latency(&ctx)?,
            "ui" => ui::ui(&ctx)?,
            "login" => {
                let pg = setup::postgres();
                if let Err(e) = &pg {
                    log(&format!("PostgreSQL rows skipped: {e}"));
                }
                login::run(&ctx, pg.as_ref().map_err(String::as_str))?
            }
            "concurrency" => concurrency::run(&ctx)?,
            "scale" => scale::run(&ctx)?,
            "admin" => admin::run(&ctx)?,
            "vault" => vault::run(&ctx)?,
            _ => unreachable!(),
        };
    }
    log(&format!(
        "done in {} s (root {})",
        t0.elapsed().as_secs(),
        ctx.root.display()
    ));
    report(&out)
}

fn seed_cmd(args: &[String]) -> Res<()> {
    let (mut dir, mut count) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data-dir" => dir = it.next().map(PathBuf::from),
            "--count" => count = it.next().and_then(|n| n.replace('_', "").parse().ok()),
            _ => return Err(USAGE.into()),
        }
    }
    let (Some(dir), Some(count)) = (dir, count) else {
        return Err(USAGE.into());
    };
    println!("{}", seed::seed(&dir, count)?);
    Ok(())
}

fn main() -> ExitCode {
    // The processes under test get a clean environment (harness::clean_command); so does this
    // one, whose own library calls (seeding, figure 4a) would otherwise follow a store or
    // config from the caller's shell.
    for var in ["VAULTTY_STORE", "VAULTTY_CONFIG", "VAULTTY_DATA_DIR"] {
        // SAFETY: nothing else runs yet: no other thread reads the environment.
        unsafe { std::env::remove_var(var) };
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("bench") => bench(&args[1..]),
        Some("report") => report(&out_dir(&root())),
        Some("seed") => seed_cmd(&args[1..]),
        _ => Err(USAGE.into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(1)
        }
    }
}

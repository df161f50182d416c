//! Figure 1: a failed CLI login (wrong password) against the Debian `argon2` CLI's bare hash
//! at the parameters vaultty stores, both as whole processes.
//!
//! Each build gets a data dir with one account signed up through its own CLI. Each round
//! runs, in an order shuffled per round: `vaultty login --password-stdin` with a wrong
//! password for each build (wall time from spawn to reaped exit; it must exit 3), and
//! `argon2 SALT -id -t T -m log2(M) -p P -l 32` with the password on standard input. After
//! the round, one untimed successful login per build resets the throttle (a success resets
//! it, SECURITY.md), so no timed attempt ever meets a lock and every one does the same work.
//! The figure is median(failed login) / median(argon2 CLI), per build.

use crate::harness::*;
use serde_json::json;

pub fn run(ctx: &Ctx) -> Res<Vec<Figure>> {
    let rounds = env_usize("BENCH_CLI_ROUNDS", 31);
    let hp = vaultty::HashParams::DEFAULT;
    if !hp.m_kib.is_power_of_two() {
        return Err(format!(
            "the argon2 CLI takes memory as a power of two; m = {}",
            hp.m_kib
        ));
    }
    let log2m = hp.m_kib.trailing_zeros();
    let argon2 = std::path::PathBuf::from("/usr/bin/argon2");
    let argon2_args: Vec<String> = vec![
        "vaultty-bench-salt".into(),
        "-id".into(),
        "-t".into(),
        hp.t.to_string(),
        "-m".into(),
        log2m.to_string(),
        "-p".into(),
        hp.p.to_string(),
        "-l".into(),
        "32".into(),
    ];
    let builds = ctx.builds();
    let mut dirs = Vec::new();
    for b in &builds {
        let d = ctx.fresh_dir(&format!("cli-{}", b.label))?;
        signup(ctx, b, &d, None, EMAIL, REAL_NAME)?;
        dirs.push(d);
    }
    let login_args = |d: &std::path::Path| -> Vec<String> {
        vec![
            "--data-dir".into(),
            d.display().to_string(),
            "login".into(),
            "--email".into(),
            EMAIL.into(),
            "--password-stdin".into(),
        ]
    };
    let wrong = format!("{WRONG_PASSWORD}\n");
    let right = format!("{PASSWORD}\n");
    let wait = wait_for_quiet(ctx, "cli");
    // warm-up: page cache, the dynamic loader
    for (b, d) in builds.iter().zip(&dirs) {
        run_ok(ctx, &b.vaultty, &login_args(d), wrong.as_bytes(), 3)?;
        run_ok(ctx, &b.vaultty, &login_args(d), right.as_bytes(), 0)?;
    }
    run_ok(ctx, &argon2, &argon2_args, PASSWORD.as_bytes(), 0)?;
    let n = builds.len() + 1;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n];
    let meter = CpuMeter::start(&[]);
    for r in 0..rounds {
        for i in round_order(n, r) {
            let run = if i < builds.len() {
                run_ok(
                    ctx,
                    &builds[i].vaultty,
                    &login_args(&dirs[i]),
                    wrong.as_bytes(),
                    3,
                )?
            } else {
                run_ok(ctx, &argon2, &argon2_args, PASSWORD.as_bytes(), 0)?
            };
            samples[i].push(ms(run.wall));
        }
        for (b, d) in builds.iter().zip(&dirs) {
            run_ok(ctx, &b.vaultty, &login_args(d), right.as_bytes(), 0)?;
        }
    }
    let cond = meter.stop();
    let c_ms = median(&samples[n - 1]);
    let ratio = |i: usize| median(&samples[i]) / c_ms;
    let value = |i: usize| {
        format!(
            "{:.3}× ({:.1} vs {:.1} ms)",
            ratio(i),
            median(&samples[i]),
            c_ms
        )
    };
    let after_i = builds.len() - 1;
    let fig = Figure {
        id: "1".into(),
        name: format!(
            "failed CLI login (wrong password, exit 3) / Debian `argon2` CLI's bare hash, m={} t={} p={}, whole processes",
            hp.m_kib, hp.t, hp.p
        ),
        before: if ctx.before.is_some() {
            value(0)
        } else {
            "–".into()
        },
        after: value(after_i),
        target: "≤ 1.0×".into(),
        met: Some(ratio(after_i) <= 1.0),
        conditions: cond.text(),
        note: format!(
            "medians of {rounds} rounds; p10–p90: {}; argon2 CLI {:.1}–{:.1} ms",
            builds
                .iter()
                .enumerate()
                .map(|(i, b)| format!(
                    "{} {:.1}–{:.1} ms",
                    b.label,
                    quantile(&samples[i], 0.1),
                    quantile(&samples[i], 0.9)
                ))
                .collect::<Vec<_>>()
                .join(", "),
            quantile(&samples[n - 1], 0.1),
            quantile(&samples[n - 1], 0.9)
        ),
    };
    let figures = vec![fig];
    save(
        ctx,
        "cli",
        &wait,
        &figures,
        json!({"rounds": rounds, "argon2_args": argon2_args,
               "ms": builds.iter().enumerate().map(|(i, b)| (b.label, samples[i].clone()))
                   .chain([("argon2_cli", samples[n - 1].clone())])
                   .collect::<std::collections::BTreeMap<_, _>>()}),
    )?;
    Ok(figures)
}

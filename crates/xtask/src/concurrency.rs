//! Figure 6: N CLI logins at once against one store, judged against a reference measured in
//! the same run.
//!
//! Each build gets a data dir with 32 accounts signed up through its CLI, one account per
//! process (the throttle counts every attempt before verifying, so 32 logins to one account
//! would lock it). A burst starts N `vaultty login --password-stdin` processes back to back
//! and waits for all of them; throughput = N / (first spawn → last exit). Every login must
//! exit 0. The reference (`6.ref`) is a burst of two bare verification processes
//! (`argon2_probe --once PHC`: start, one verification in fresh memory, exit; no store, no
//! queue, no session file), of the same build.
//!
//! Each repetition runs, in an order shuffled per repetition, for each build: the reference
//! burst and the login bursts at N = 2, 8 and 32, with a 0.1 s pause before each. The figures
//! are medians over the repetitions of ratios taken within one repetition (so the machine's
//! drift cancels): N = 2 logins over the reference, N = 8 and N = 32 over N = 2.

use crate::harness::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const NS: [usize; 3] = [2, 8, 32];

struct Burst {
    per_s: f64,
    cpu_per_process_ms: f64,
    busy_pct: f64,
}

/// Starts every command back to back and waits for all; each must exit 0.
fn burst(ctx: &Ctx, commands: &[(PathBuf, Vec<String>)], stdin: Option<&Path>) -> Res<Burst> {
    let n = commands.len();
    let mut children = Vec::with_capacity(n);
    let t0 = Instant::now();
    for (program, args) in commands {
        let mut c = clean_command(ctx, program);
        c.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        c.stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).map_err(|e| e.to_string())?),
            None => Stdio::null(),
        });
        children.push(c.spawn().map_err(|e| e.to_string())?);
    }
    let mut cpu = Duration::ZERO;
    let mut bad = Vec::new();
    for (i, ch) in children.iter().enumerate() {
        let (rc, c) = wait4(ch.id());
        cpu += c;
        if rc != 0 {
            bad.push((i, rc));
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    if let Some(&(i, rc)) = bad.first() {
        let mut err = String::new();
        if let Some(e) = children[i].stderr.as_mut() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        return Err(format!(
            "N={n}: {} processes failed, e.g. {} {}: exit {rc}: {}",
            bad.len(),
            commands[i].0.display(),
            commands[i].1.join(" "),
            err.trim()
        ));
    }
    Ok(Burst {
        per_s: n as f64 / wall,
        cpu_per_process_ms: cpu.as_secs_f64() * 1e3 / n as f64,
        busy_pct: cpu.as_secs_f64() / (ncpu() as f64 * wall) * 100.0,
    })
}

pub fn run(ctx: &Ctx) -> Res<Vec<Figure>> {
    let reps = env_usize("BENCH_CONC_REPS", 24);
    let builds = ctx.builds();
    let phc = probe_phc(ctx)?;
    let pwfile = stdin_file(format!("{PASSWORD}\n").as_bytes())?;
    let mut dirs = Vec::new();
    for b in &builds {
        let d = ctx.fresh_dir(&format!("concurrency-{}", b.label))?;
        log(&format!("{}: signing up 32 accounts", b.label));
        for i in 0..32 {
            signup(
                ctx,
                b,
                &d,
                None,
                &format!("user{i:02}@example.com"),
                &format!("Bench User {i:02}"),
            )?;
        }
        dirs.push(d);
    }
    let logins = |b: usize, n: usize| -> Vec<(PathBuf, Vec<String>)> {
        (0..n)
            .map(|i| {
                (
                    builds[b].vaultty.clone(),
                    vec![
                        "--data-dir".into(),
                        dirs[b].display().to_string(),
                        "login".into(),
                        "--email".into(),
                        format!("user{i:02}@example.com"),
                        "--password-stdin".into(),
                    ],
                )
            })
            .collect()
    };
    let bare = |b: usize| -> Vec<(PathBuf, Vec<String>)> {
        (0..2)
            .map(|_| (builds[b].probe.clone(), vec!["--once".into(), phc.clone()]))
            .collect()
    };
    let wait = wait_for_quiet(ctx, "concurrency");
    for b in 0..builds.len() {
        burst(ctx, &logins(b, 2), Some(pwfile.path()))?;
        burst(ctx, &bare(b), None)?;
    }
    // kinds per build: 0 = reference, 1..=3 = N = 2, 8, 32
    let kinds = 1 + NS.len();
    let mut results: Vec<Vec<Vec<Burst>>> = (0..builds.len())
        .map(|_| (0..kinds).map(|_| Vec::new()).collect())
        .collect();
    let meter = CpuMeter::start(&[]);
    for rep in 0..reps {
        for k in round_order(builds.len() * kinds, rep) {
            let (b, kind) = (k / kinds, k % kinds);
            std::thread::sleep(Duration::from_millis(100));
            let r = if kind == 0 {
                burst(ctx, &bare(b), None)?
            } else {
                burst(ctx, &logins(b, NS[kind - 1]), Some(pwfile.path()))?
            };
            results[b][kind].push(r);
        }
        log(&format!("concurrency: repetition {}/{reps}", rep + 1));
    }
    let cond = meter.stop();
    let after = builds.len() - 1;
    let per_s =
        |b: usize, kind: usize| -> Vec<f64> { results[b][kind].iter().map(|r| r.per_s).collect() };
    // median over repetitions of the ratio kind / base within each repetition
    let ratio = |b: usize, kind: usize, base: usize| -> f64 {
        let xs: Vec<f64> = per_s(b, kind)
            .iter()
            .zip(per_s(b, base))
            .map(|(x, y)| x / y)
            .collect();
        median(&xs)
    };
    let col = |b: Option<usize>, f: &dyn Fn(usize) -> String| match b {
        Some(b) => f(b),
        None => "–".into(),
    };
    let before = ctx.before.as_ref().map(|_| 0);
    let mut figures = Vec::new();
    let detail = |b: usize, kind: usize| {
        let rs = &results[b][kind];
        format!(
            "CPU per process {:.0} ms, cores busy {:.1}%",
            median(&rs.iter().map(|r| r.cpu_per_process_ms).collect::<Vec<_>>()),
            median(&rs.iter().map(|r| r.busy_pct).collect::<Vec<_>>())
        )
    };
    figures.push(Figure {
        id: "6.ref".into(),
        name: "reference: 2 bare verification processes side by side (`argon2_probe --once`)"
            .into(),
        before: col(before, &|b| {
            format!("{:.2} verifications/s", median(&per_s(b, 0)))
        }),
        after: format!("{:.2} verifications/s", median(&per_s(after, 0))),
        target: "(reference)".into(),
        met: None,
        conditions: cond.text(),
        note: format!(
            "{reps} repetitions; after: {}; each build's own probe",
            detail(after, 0)
        ),
    });
    figures.push(Figure {
        id: "6.N=2".into(),
        name: "2 concurrent CLI logins: throughput, and its share of 6.ref's (median of per-repetition ratios)".into(),
        before: col(before, &|b| {
            format!("{:.2} logins/s = {:.1}%", median(&per_s(b, 1)), 100.0 * ratio(b, 1, 0))
        }),
        after: format!(
            "{:.2} logins/s = {:.1}%",
            median(&per_s(after, 1)),
            100.0 * ratio(after, 1, 0)
        ),
        target: "≥ 97% of 6.ref".into(),
        met: Some(ratio(after, 1, 0) >= 0.97),
        conditions: cond.text(),
        note: format!("after: {}; every login exited 0", detail(after, 1)),
    });
    for (kind, n) in NS.iter().enumerate().skip(1).map(|(i, n)| (i + 1, n)) {
        figures.push(Figure {
            id: format!("6.N={n}"),
            name: format!("{n} concurrent CLI logins: throughput, and its share of N = 2's (median of per-repetition ratios)"),
            before: col(before, &|b| {
                format!("{:.2} logins/s = {:.1}%", median(&per_s(b, kind)), 100.0 * ratio(b, kind, 1))
            }),
            after: format!(
                "{:.2} logins/s = {:.1}%",
                median(&per_s(after, kind)),
                100.0 * ratio(after, kind, 1)
            ),
            target: "≥ 97% of N = 2".into(),
            met: Some(ratio(after, kind, 1) >= 0.97),
            conditions: cond.text(),
            note: format!("after: {}; every login exited 0", detail(after, kind)),
        });
    }
    let data: serde_json::Map<String, serde_json::Value> = builds
        .iter()
        .enumerate()
        .map(|(b, build)| {
            (
                build.label.to_owned(),
                json!({"ref_per_s": per_s(b, 0), "n2_per_s": per_s(b, 1),
                       "n8_per_s": per_s(b, 2), "n32_per_s": per_s(b, 3)}),
            )
        })
        .collect();
    save(
        ctx,
        "concurrency",
        &wait,
        &figures,
        json!({"reps": reps, "bursts": data}),
    )?;
    Ok(figures)
}

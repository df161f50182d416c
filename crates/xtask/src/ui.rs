//! The terminal UI in a pseudo-terminal (the testkit's `pty` module: portable-pty + vt100,
//! the same terminal model as tests/tui_pty.rs): figure 2, perceived login latency, and
//! figure 5, start-up, memory, idle CPU and the signup / password-change forms.
//!
//! Every time is taken from the reads of the pty: the moment a text first stands on the
//! screen is the moment of the read that put it there (`Pty::wait_shown`).

use crate::harness::*;
use serde_json::json;
use std::time::{Duration, Instant};
use vaultty_testkit::pty::{Pty, Sandbox};

const LOGIN_SCREEN: &str = "New here?";
const FIRST_FRAME: &str = " vaultty ";
const CTRL_N: &str = "\x0e";
const CTRL_C: &str = "\x03";

/// Types like a (fast) person: one key per write, each after the UI has gone quiet.
fn type_keys(ui: &Pty, text: &str) {
    for ch in text.chars() {
        ui.send(ch.to_string());
        ui.quiet_for(Duration::from_millis(4), Duration::from_secs(1));
    }
}

fn close(ui: &Pty) -> Res<()> {
    ui.send(CTRL_C);
    let code = ui.exit_code();
    if code != 0 {
        return Err(format!("the UI exited {code} after Ctrl-C"));
    }
    Ok(())
}

/// A sandbox for `build` with the bench's account signed up through its CLI.
fn sandbox(build: &Build) -> Res<Sandbox> {
    let sb = Sandbox::with_binary(&build.vaultty);
    sb.signup(EMAIL, REAL_NAME, PASSWORD);
    Ok(sb)
}

/// On the login screen: look at the form for 0.5 s, type the email and the password one key
/// per write, wait until the screen settles; the time from the write of Enter to the read
/// that shows the dashboard.
/// Logs in through the form, timing Enter → `landed` (the dashboard, or the vault's list).
fn login_prepared(ui: &Pty, landed: &str) -> Res<Duration> {
    ui.quiet_for(Duration::from_millis(500), Duration::from_secs(2));
    type_keys(ui, EMAIL);
    type_keys(ui, "\t");
    type_keys(ui, PASSWORD);
    ui.quiet_for(Duration::from_millis(50), Duration::from_secs(2));
    if ui.screen().contains(landed) {
        return Err(format!("{landed:?} is on the screen before Enter"));
    }
    let t0 = Instant::now();
    ui.send("\r");
    Ok(ui.wait_shown(landed, t0) - t0)
}

/// The first login of a UI, untimed: which screen its build lands on.
fn login_first(ui: &Pty) -> &'static str {
    ui.quiet_for(Duration::from_millis(500), Duration::from_secs(2));
    type_keys(ui, EMAIL);
    type_keys(ui, "\t");
    type_keys(ui, PASSWORD);
    ui.send("\r");
    wait_landed(ui)
}

fn logout(ui: &Pty, landed: &str) {
    ui.quiet_for(Duration::from_millis(50), Duration::from_secs(2));
    ui.send(logout_key(landed));
    ui.wait_for(LOGIN_SCREEN);
}

/// Figure 2: Enter → dashboard in the UI, each build, against one bare Argon2id hash of the
/// optimized C build at the same parameters; each after 0.5 s idle, in an order shuffled per
/// round.
pub fn latency(ctx: &Ctx) -> Res<Vec<Figure>> {
    let rounds = env_usize("BENCH_LATENCY_ROUNDS", 21);
    let hp = vaultty::HashParams::DEFAULT;
    let builds = ctx.builds();
    let sandboxes: Vec<Sandbox> = builds.iter().map(|b| sandbox(b)).collect::<Res<_>>()?;
    let wait = wait_for_quiet(ctx, "latency");
    let uis: Vec<Pty> = sandboxes.iter().map(|sb| sb.ui(&[])).collect();
    let mut landed = Vec::new();
    for ui in &uis {
        ui.wait_for(LOGIN_SCREEN);
        let l = login_first(ui); // warm-up
        logout(ui, l);
        landed.push(l);
    }
    crate::copt::hash(hp.m_kib, hp.t, hp.p, PASSWORD.as_bytes())?;
    let n = builds.len() + 1;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n];
    let pids: Vec<u32> = uis.iter().filter_map(Pty::pid).collect();
    let meter = CpuMeter::start(&pids);
    for r in 0..rounds {
        for i in round_order(n, r) {
            if i < builds.len() {
                samples[i].push(ms(login_prepared(&uis[i], landed[i])?));
                logout(&uis[i], landed[i]);
            } else {
                std::thread::sleep(Duration::from_millis(500));
                samples[i].push(ms(crate::copt::hash(
                    hp.m_kib,
                    hp.t,
                    hp.p,
                    PASSWORD.as_bytes(),
                )?));
            }
        }
        log(&format!(
            "latency round {}/{rounds}: {}",
            r + 1,
            samples
                .iter()
                .map(|s| format!("{:.1}", s.last().copied().unwrap_or(f64::NAN)))
                .collect::<Vec<_>>()
                .join(" / ")
        ));
    }
    let cond = meter.stop();
    for ui in &uis {
        close(ui)?;
    }
    let c_ms = median(&samples[n - 1]);
    let after = builds.len() - 1;
    let cell = |i: usize| {
        format!(
            "{:.1} ms (p10 {:.1}, p90 {:.1})",
            median(&samples[i]),
            quantile(&samples[i], 0.1),
            quantile(&samples[i], 0.9)
        )
    };
    let figures = vec![Figure {
        id: "2".into(),
        name: "perceived login latency in the UI: Enter → dashboard drawn".into(),
        before: if ctx.before.is_some() {
            cell(0)
        } else {
            "–".into()
        },
        after: cell(after),
        target: format!(
            "< the optimized C build's bare hash, fresh memory: {c_ms:.1} ms (p10 {:.1}, p90 {:.1})",
            quantile(&samples[n - 1], 0.1),
            quantile(&samples[n - 1], 0.9)
        ),
        met: Some(median(&samples[after]) < c_ms),
        conditions: cond.text(),
        note: format!(
            "medians of {rounds} rounds, each measurement after 0.5 s idle; C reference: libargon2 opt.c (SSE2) through FFI, argon2id_hash_raw m={} t={} p={}",
            hp.m_kib, hp.t, hp.p
        ),
    }];
    save(
        ctx,
        "latency",
        &wait,
        &figures,
        json!({"rounds": rounds, "ms": builds.iter().enumerate()
            .map(|(i, b)| (b.label, samples[i].clone()))
            .chain([("c_opt_hash", samples[n - 1].clone())])
            .collect::<std::collections::BTreeMap<_, _>>()}),
    )?;
    Ok(figures)
}

struct Idle {
    cpu: Duration,
    switches: u64,
    drawn: usize,
}

/// Figure 5: launch → first frame and → login screen; resident memory; CPU while idle on the
/// dashboard; the forms against the CLI.
pub fn ui(ctx: &Ctx) -> Res<Vec<Figure>> {
    let launches = env_usize("BENCH_UI_LAUNCHES", 20);
    let idle_s = env_f64("BENCH_UI_IDLE", 10.0);
    let builds = ctx.builds();
    let after = builds.len() - 1;
    let sandboxes: Vec<Sandbox> = builds.iter().map(|b| sandbox(b)).collect::<Res<_>>()?;
    let wait = wait_for_quiet(ctx, "ui");

    // 5a: launch → first frame, → login screen; the builds alternate, one warm-up each
    let mut first: Vec<Vec<f64>> = vec![Vec::new(); builds.len()];
    let mut login: Vec<Vec<f64>> = vec![Vec::new(); builds.len()];
    let launch_meter = CpuMeter::start(&[]);
    for r in 0..=launches {
        for b in round_order(builds.len(), r) {
            let ui = sandboxes[b].ui(&[]);
            let t_first = ui.wait_shown(FIRST_FRAME, ui.spawned_at);
            let t_login = ui.wait_shown(LOGIN_SCREEN, ui.spawned_at);
            close(&ui)?;
            if r > 0 {
                first[b].push(ms(t_first - ui.spawned_at));
                login[b].push(ms(t_login - ui.spawned_at));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let launch_cond = launch_meter.stop();

    // 5b / 5c: memory on the login screen and on the dashboard; idle CPU on the dashboard,
    // both builds idle at the same time
    let uis: Vec<Pty> = sandboxes.iter().map(|sb| sb.ui(&[])).collect();
    let mut rss_login = Vec::new();
    let mut rss_dash = Vec::new();
    let mut hwm = Vec::new();
    for ui in &uis {
        ui.wait_for(LOGIN_SCREEN);
        ui.quiet_for(Duration::from_millis(2000), Duration::from_millis(2500));
        let pid = ui.pid().ok_or("no pid")?;
        rss_login.push(proc_status_kib(pid, "VmRSS").unwrap_or(0));
        type_keys(ui, EMAIL);
        type_keys(ui, "\t");
        type_keys(ui, PASSWORD);
        ui.send("\r");
        wait_landed(ui);
    }
    for ui in &uis {
        ui.quiet_for(Duration::from_millis(2000), Duration::from_millis(2500));
        let pid = ui.pid().ok_or("no pid")?;
        rss_dash.push(proc_status_kib(pid, "VmRSS").unwrap_or(0));
        hwm.push(proc_status_kib(pid, "VmHWM").unwrap_or(0));
    }
    let pids: Vec<u32> = uis.iter().filter_map(Pty::pid).collect();
    let idle_meter = CpuMeter::start(&pids);
    let start: Vec<(Duration, u64, usize)> = uis
        .iter()
        .zip(&pids)
        .map(|(ui, &p)| {
            (
                proc_cpu(p).unwrap_or_default(),
                ctx_switches(p),
                ui.raw_len(),
            )
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(idle_s));
    let idle: Vec<Idle> = uis
        .iter()
        .zip(&pids)
        .zip(&start)
        .map(|((ui, &p), (c0, s0, d0))| Idle {
            cpu: proc_cpu(p).unwrap_or_default().saturating_sub(*c0),
            switches: ctx_switches(p) - s0,
            drawn: ui.raw_len() - d0,
        })
        .collect();
    let idle_cond = idle_meter.stop();
    for ui in &uis {
        close(ui)?;
    }
    drop(uis);

    // 5d: the forms
    let forms = forms(ctx, &builds)?;

    let col = |f: &dyn Fn(usize) -> String| -> (String, String) {
        (
            if ctx.before.is_some() {
                f(0)
            } else {
                "–".into()
            },
            f(after),
        )
    };
    let mut figures = Vec::new();
    let (b, a) = col(&|i| {
        format!(
            "{:.1} ms (p90 {:.1})",
            median(&first[i]),
            quantile(&first[i], 0.9)
        )
    });
    figures.push(Figure {
        id: "5a".into(),
        name: "UI launch → first frame drawn".into(),
        before: b,
        after: a,
        target: "< 30 ms".into(),
        met: Some(median(&first[after]) < 30.0),
        conditions: launch_cond.text(),
        note: format!("medians of {launches} launches per build, alternating, one warm-up each"),
    });
    let (b, a) = col(&|i| {
        format!(
            "{:.1} ms (p90 {:.1})",
            median(&login[i]),
            quantile(&login[i], 0.9)
        )
    });
    figures.push(Figure {
        id: "5a′".into(),
        name: "UI launch → login screen drawn".into(),
        before: b,
        after: a,
        target: "< 30 ms".into(),
        met: Some(median(&login[after]) < 30.0),
        conditions: launch_cond.text(),
        note: String::new(),
    });
    let (b, a) = col(&|i| {
        format!(
            "{:.1} / {:.1} MiB (peak {:.1})",
            rss_login[i] as f64 / 1024.0,
            rss_dash[i] as f64 / 1024.0,
            hwm[i] as f64 / 1024.0
        )
    });
    figures.push(Figure {
        id: "5b".into(),
        name: "resident memory, idle on the login screen / on the dashboard".into(),
        before: b,
        after: a,
        target: "(reported)".into(),
        met: None,
        conditions: String::new(),
        note: String::new(),
    });
    let (b, a) = col(&|i| {
        format!(
            "{:.1}% ({} ms CPU, {} context switches, {} bytes drawn)",
            100.0 * idle[i].cpu.as_secs_f64() / idle_s,
            idle[i].cpu.as_millis(),
            idle[i].switches,
            idle[i].drawn
        )
    });
    figures.push(Figure {
        id: "5c".into(),
        name: format!("CPU while idle {idle_s:.0} s on the dashboard"),
        before: b,
        after: a,
        target: "0.0%".into(),
        met: Some(idle[after].cpu.is_zero()),
        conditions: idle_cond.text(),
        note: "utime + stime of all threads from /proc (clock tick 10 ms); both builds idle at the same time".into(),
    });
    let (b, a) = col(&|i| {
        let (s, p) = (&forms.pairs[i].0, &forms.pairs[i].1);
        format!(
            "{:.2}× / {:.2}× (signup {:.1} vs {:.1} ms; password change {:.1} vs {:.1} ms)",
            s.ratio(),
            p.ratio(),
            median(&s.ui),
            median(&s.cli),
            median(&p.ui),
            median(&p.cli)
        )
    });
    let (s, p) = (&forms.pairs[after].0, &forms.pairs[after].1);
    figures.push(Figure {
        id: "5d".into(),
        name: "UI signup / password change (Enter → answer drawn) against the CLI's whole `--password-stdin` run, same passwords, same idle pause before each".into(),
        before: b,
        after: a,
        target: "≤ 1.10×".into(),
        met: Some(s.ratio() <= 1.10 && p.ratio() <= 1.10),
        conditions: forms.cond.text(),
        note: format!(
            "medians of {} rounds, {:.1} s idle before each timed step",
            forms.rounds, forms.pause
        ),
    });
    let per_build = |v: &[Vec<f64>]| {
        builds
            .iter()
            .enumerate()
            .map(|(i, b)| (b.label, v[i].clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    save(
        ctx,
        "ui",
        &wait,
        &figures,
        json!({"first_frame_ms": per_build(&first), "login_screen_ms": per_build(&login),
               "rss_login_kib": rss_login, "rss_dashboard_kib": rss_dash, "hwm_kib": hwm,
               "forms": builds.iter().enumerate().map(|(i, b)| (b.label, json!({
                   "signup_cli_ms": forms.pairs[i].0.cli, "signup_ui_ms": forms.pairs[i].0.ui,
                   "passwd_cli_ms": forms.pairs[i].1.cli, "passwd_ui_ms": forms.pairs[i].1.ui,
               }))).collect::<std::collections::BTreeMap<_, _>>()}),
    )?;
    Ok(figures)
}

#[derive(Default)]
struct Pair {
    cli: Vec<f64>,
    ui: Vec<f64>,
}

impl Pair {
    fn ratio(&self) -> f64 {
        median(&self.ui) / median(&self.cli)
    }
}

struct Forms {
    /// Per build: (signup, password change).
    pairs: Vec<(Pair, Pair)>,
    rounds: usize,
    pause: f64,
    cond: Conditions,
}

/// 5d: each round, for each build (shuffled): the CLI's `signup --password-stdin` in a new
/// data dir, `login`, `passwd --password-stdin` (spawn to exit), then the UI's signup and
/// password change (Enter to the read that shows "Account created" / "Password changed"),
/// with the same passwords, each timed step after the same idle pause.
fn forms(ctx: &Ctx, builds: &[&Build]) -> Res<Forms> {
    let rounds = env_usize("BENCH_FORMS_ROUNDS", 11);
    let pause = env_f64("BENCH_FORMS_IDLE", 1.5);
    let idle = Duration::from_secs_f64(pause);
    let mut pairs: Vec<(Pair, Pair)> = builds.iter().map(|_| Default::default()).collect();
    let meter = CpuMeter::start(&[]);
    for r in 0..rounds {
        for b in round_order(builds.len(), r) {
            let build = builds[b];
            let d = ctx.fresh_dir(&format!("forms-cli-{}", build.label))?;
            let dir = d.display().to_string();
            std::thread::sleep(idle);
            let cli = signup(ctx, build, &d, None, EMAIL, REAL_NAME)?;
            login(ctx, build, &d, None, EMAIL)?;
            std::thread::sleep(idle);
            let cli_pw = run_ok(
                ctx,
                &build.vaultty,
                &["--data-dir", &dir, "passwd", "--password-stdin"],
                format!("{PASSWORD}\n{NEW_PASSWORD}\n").as_bytes(),
                0,
            )?;

            let sb = Sandbox::with_binary(&build.vaultty);
            let ui = sb.ui(&[]);
            ui.wait_for(LOGIN_SCREEN);
            ui.send(CTRL_N);
            ui.wait_for("Confirm password");
            for text in [REAL_NAME, "\t", EMAIL, "\t", PASSWORD, "\t", PASSWORD] {
                type_keys(&ui, text);
            }
            ui.quiet_for(idle, idle);
            let t0 = Instant::now();
            ui.send("\r");
            // Since the vault, the new account's recovery code comes first, in a dialog that
            // must be acknowledged: the sign-up is timed to whichever shows.
            const CODE_DIALOG: &str = "I have written it down";
            let s = ui.wait_until("the recovery code or \"Account created\"", |s| {
                s.contains(CODE_DIALOG) || s.contains("Account created")
            });
            let shown = if s.contains(CODE_DIALOG) {
                CODE_DIALOG
            } else {
                "Account created"
            };
            let signup = ui
                .shown_at(shown, t0)
                .ok_or("no read showed the sign-up's end")?
                - t0;
            if shown == CODE_DIALOG {
                ui.send("\r");
                ui.wait_for("Account created");
            }
            type_keys(&ui, PASSWORD);
            ui.send("\r");
            let landed = wait_landed(&ui);
            to_dashboard(&ui, landed);
            ui.send("p");
            ui.wait_for("Current password");
            for text in [PASSWORD, "\t", NEW_PASSWORD, "\t", NEW_PASSWORD] {
                type_keys(&ui, text);
            }
            ui.quiet_for(idle, idle);
            let t0 = Instant::now();
            ui.send("\r");
            let passwd = ui.wait_shown("Password changed", t0) - t0;
            close(&ui)?;
            pairs[b].0.cli.push(ms(cli.wall));
            pairs[b].0.ui.push(ms(signup));
            pairs[b].1.cli.push(ms(cli_pw.wall));
            pairs[b].1.ui.push(ms(passwd));
        }
        log(&format!("forms round {}/{rounds}", r + 1));
    }
    Ok(Forms {
        pairs,
        rounds,
        pause,
        cond: meter.stop(),
    })
}

//! Figure 8: administration on a store of 100,000 accounts (issue 15). The current build only.
//!
//! The store: the bench's account signed up through the CLI (the first account, so the
//! administrator), then 100,000 accounts created through the store API in imports of 10,000
//! (`Storage::import_accounts`, the path `vaultty admin import` takes, without its CSV), so no
//! row is written behind the store's back. Emails `p000000@lab.example` …, names
//! `Person 000000` ….
//!
//! - 8a: `admin users --json` over the whole store, wall time from spawn to exit.
//! - 8b: the UI, logged in on the dashboard: `a` → the accounts table drawn with its counts.
//! - 8c: the filter, typed one key at a time (`p`, `0`, `1`, `2`, `3`, `4`): each key → the
//!   filter's new text drawn (the redraw), and each key → the table's counts for it drawn
//!   (the answer, after the store's filtered query and count).
//!
//! Times come from the pty's reads (`Pty::wait_shown`), as in figures 2 and 5.

use crate::harness::*;
use serde_json::json;
use std::time::{Duration, Instant};
use vaultty::storage::{Import, ImportRow, Imported, Storage};
use vaultty_testkit::pty::{Pty, Sandbox};

const LOGIN_SCREEN: &str = "New here?";

/// Creates `n` accounts through the store API, as imports of 10,000 by the administrator.
fn seed(dir: &std::path::Path, n: usize) -> Res<()> {
    let store = vaultty::store::Store::open_in(dir).map_err(|e| e.to_string())?;
    let admin = vaultty::storage::Inspect::account_by_email(&store, EMAIL)
        .map_err(|e| e.to_string())?
        .ok_or("the administrator's account is missing")?;
    let digest = [7u8; 32];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    for start in (0..n).step_by(10_000) {
        let emails: Vec<(String, String)> = (start..(start + 10_000).min(n))
            .map(|i| (format!("p{i:06}@lab.example"), format!("Person {i:06}")))
            .collect();
        let rows: Vec<ImportRow<'_>> = emails
            .iter()
            .map(|(e, name)| ImportRow {
                email: e,
                email_norm: e,
                name,
                admin: false,
                code_sha256: &digest,
            })
            .collect();
        let done = store
            .import_accounts(&Import {
                actor_id: admin.id,
                actor_event: EMAIL,
                rows: &rows,
                now,
                codes_expire_at: now + 86_400,
            })
            .map_err(|e| e.to_string())?;
        if done != Imported::Created(rows.len()) {
            return Err(format!("import at {start}: {done:?}"));
        }
    }
    Ok(())
}

fn type_key(ui: &Pty, ch: &str) {
    ui.send(ch);
}

pub fn run(ctx: &Ctx) -> Res<Vec<Figure>> {
    let n = env_usize("BENCH_ADMIN_N", 100_000);
    let rounds = env_usize("BENCH_ADMIN_ROUNDS", 15);
    let build = &ctx.after;
    let sb = Sandbox::with_binary(&build.vaultty);
    sb.signup(EMAIL, REAL_NAME, PASSWORD);
    let t = Instant::now();
    seed(&sb.data(), n)?;
    log(&format!(
        "admin: {n} accounts imported through the store API in {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    sb.login(EMAIL, PASSWORD);
    let total = n + 1;
    let grouped = |x: usize| {
        let s = x.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    // SAFETY: sync has no preconditions; the seeding's writes reach the disk first.
    unsafe { libc::sync() };
    let wait = wait_for_quiet(ctx, "admin");

    // 8a: admin users --json
    let data = sb.data().display().to_string();
    let meter = CpuMeter::start(&[]);
    let mut json_ms = Vec::new();
    let mut json_len = 0;
    for r in 0..=rounds.min(9) {
        let out = run_ok(
            ctx,
            &build.vaultty,
            &["--data-dir", &data, "admin", "users", "--json"],
            b"",
            0,
        )?;
        json_len = out.stdout.len();
        if r > 0 {
            json_ms.push(ms(out.wall));
        }
    }
    let json_cond = meter.stop();
    let listed: serde_json::Value = {
        let out = run_ok(
            ctx,
            &build.vaultty,
            &["--data-dir", &data, "admin", "users", "--json"],
            b"",
            0,
        )?;
        serde_json::from_str(&out.stdout).map_err(|e| e.to_string())?
    };
    if listed.as_array().map(Vec::len) != Some(total) {
        return Err(format!(
            "admin users --json listed {:?} accounts, not {total}",
            listed.as_array().map(Vec::len)
        ));
    }

    // 8b, 8c: the UI
    // The session the CLI started is this data dir's: the UI opens on the dashboard.
    let ui = sb.ui(&[]);
    // (Since the vault, a resumed session opens on the vault's unlock form, whose Esc is the
    // account panel, the dashboard.)
    const UNLOCK_FORM: &str = "Enter your password to unlock the vault.";
    let s = ui.wait_until("the dashboard, the unlock form or the login screen", |s| {
        s.contains(DASHBOARD) || s.contains(UNLOCK_FORM) || s.contains(LOGIN_SCREEN)
    });
    if s.contains(UNLOCK_FORM) {
        ui.esc();
        ui.wait_for(DASHBOARD);
    } else if !s.contains(DASHBOARD) {
        for ch in EMAIL.chars() {
            ui.send(ch.to_string());
        }
        ui.send("\t");
        for ch in PASSWORD.chars() {
            ui.send(ch.to_string());
        }
        ui.send("\r");
        let landed = wait_landed(&ui);
        to_dashboard(&ui, landed);
    }
    let pid = ui.pid().ok_or("no pid")?;
    let opened_text = format!("{} accounts ·", grouped(total));
    let meter = CpuMeter::start(&[pid]);
    let mut open_ms = Vec::new();
    for _ in 0..rounds {
        ui.quiet_for(Duration::from_millis(200), Duration::from_secs(2));
        let t0 = Instant::now();
        type_key(&ui, "a");
        let shown = ui.wait_shown(&opened_text, t0);
        ui.wait_for("p000000@lab.example");
        open_ms.push(ms(shown - t0));
        ui.quiet_for(Duration::from_millis(100), Duration::from_secs(2));
        ui.esc();
        ui.wait_for(DASHBOARD);
    }
    let open_cond = meter.stop();

    // The filter: each key's redraw and each key's answer.
    let typed = ["p", "0", "1", "2", "3", "4"];
    // How many accounts each filter keeps: its email or its lowercased name contains it.
    let keeps = |f: &str| {
        let real = EMAIL.contains(f) || REAL_NAME.to_lowercase().contains(f);
        usize::from(real)
            + (0..n)
                .filter(|i| {
                    format!("p{i:06}@lab.example").contains(f)
                        || format!("person {i:06}").contains(f)
                })
                .count()
    };
    let mut prefix = String::new();
    let expect: Vec<usize> = typed
        .iter()
        .map(|k| {
            prefix.push_str(k);
            keeps(&prefix)
        })
        .collect();
    let mut redraw_ms = Vec::new();
    let mut answer_ms = Vec::new();
    let meter = CpuMeter::start(&[pid]);
    for _ in 0..rounds {
        ui.quiet_for(Duration::from_millis(200), Duration::from_secs(2));
        type_key(&ui, "a");
        ui.wait_for(&opened_text);
        ui.quiet_for(Duration::from_millis(100), Duration::from_secs(2));
        type_key(&ui, "/");
        ui.quiet_for(Duration::from_millis(100), Duration::from_secs(2));
        let mut so_far = String::new();
        for (k, &want) in typed.iter().zip(&expect) {
            so_far.push_str(k);
            let t0 = Instant::now();
            type_key(&ui, k);
            let drawn = ui.wait_shown(&so_far, t0);
            let counts = format!("{} of {} accounts", grouped(want), grouped(total));
            let answered = ui.wait_shown(&counts, t0);
            redraw_ms.push(ms(drawn - t0));
            answer_ms.push(ms(answered - t0));
            ui.quiet_for(Duration::from_millis(30), Duration::from_secs(2));
        }
        ui.esc();
        ui.quiet_for(Duration::from_millis(50), Duration::from_secs(2));
        ui.esc();
        ui.wait_for(DASHBOARD);
    }
    let filter_cond = meter.stop();
    ui.send("\x03");
    let _ = ui.exit_code();

    let p90 = |v: &[f64]| quantile(v, 0.9);
    let figures = vec![
        Figure {
            id: "8a".into(),
            name: format!("`admin users --json` on a {total}-account store, whole process"),
            before: "–".into(),
            after: format!(
                "{:.0} ms (p90 {:.0}; {} MB of JSON)",
                median(&json_ms),
                p90(&json_ms),
                json_len / 1_000_000
            ),
            target: "< 1 s".into(),
            met: Some(median(&json_ms) < 1000.0),
            conditions: json_cond.text(),
            note: String::new(),
        },
        Figure {
            id: "8b".into(),
            name: format!(
                "UI: `a` on the dashboard → the accounts table and its counts drawn ({total} accounts)"
            ),
            before: "–".into(),
            after: format!("{:.1} ms (p90 {:.1})", median(&open_ms), p90(&open_ms)),
            target: "< 100 ms".into(),
            met: Some(median(&open_ms) < 100.0),
            conditions: open_cond.text(),
            note: String::new(),
        },
        Figure {
            id: "8c".into(),
            name: "UI: each filter key → the filter redrawn (6 keys a round)".into(),
            before: "–".into(),
            after: format!(
                "{:.1} ms (p90 {:.1}, max {:.1})",
                median(&redraw_ms),
                p90(&redraw_ms),
                redraw_ms.iter().cloned().fold(0.0, f64::max)
            ),
            target: "< 16 ms".into(),
            met: Some(p90(&redraw_ms) < 16.0),
            conditions: filter_cond.text(),
            note: String::new(),
        },
        Figure {
            id: "8c′".into(),
            name: "UI: each filter key → that filter's rows and counts drawn".into(),
            before: "–".into(),
            after: format!(
                "{:.1} ms (p90 {:.1}, max {:.1})",
                median(&answer_ms),
                p90(&answer_ms),
                answer_ms.iter().cloned().fold(0.0, f64::max)
            ),
            target: "(reported)".into(),
            met: None,
            conditions: filter_cond.text(),
            note: String::new(),
        },
    ];
    save(
        ctx,
        "admin",
        &wait,
        &figures,
        json!({"accounts": total, "json_ms": json_ms, "open_ms": open_ms,
               "redraw_ms": redraw_ms, "answer_ms": answer_ms, "keys": typed}),
    )?;
    Ok(figures)
}

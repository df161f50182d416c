//! Figure 4: does the number of accounts matter? (The current build only: it is not one of
//! the figures compared with the pre-refactor commit.)
//!
//! Two SQLite stores, made by the seeding module (accounts written straight into a store the
//! library created, one cheap shared hash, one transaction) plus one real account signed up
//! through the CLI: 1,000,000 seeded accounts and 10. 4a times the store work of a login
//! in-process, alternating between the stores (`login_overhead`), so that Argon2's noise is
//! not in it; 4b alternates `whoami` on the two stores through the CLI; 4c is the store's
//! size per account. The stores are in the page cache (just written), as on a machine that
//! uses vaultty daily.

use crate::harness::*;
use serde_json::json;

pub fn run(ctx: &Ctx) -> Res<Vec<Figure>> {
    let big = env_usize("BENCH_SCALE_N", 1_000_000) as u64;
    let rounds = env_usize("BENCH_SCALE_ROUNDS", 40);
    let ov_rounds = env_usize("BENCH_SCALE_OVERHEAD_ROUNDS", 2000);
    let build = &ctx.after;
    let mut dirs = Vec::new();
    let mut sizes = Vec::new();
    for (name, n) in [("scale-big", big), ("scale-small", 10)] {
        let d = ctx.fresh_dir(name)?;
        let said = crate::seed::seed(&d, n)?;
        signup(ctx, build, &d, None, EMAIL, REAL_NAME)?;
        let size = std::fs::metadata(d.join("vaultty.db"))
            .map_err(|e| e.to_string())?
            .len();
        log(&format!("{name}: {said}; +1 real account"));
        sizes.push(size);
        dirs.push(d);
    }
    // SAFETY: sync has no preconditions; the seeding's writes reach the disk before anything
    // is timed.
    unsafe { libc::sync() };
    let wait = wait_for_quiet(ctx, "scale");
    let whoami = |d: &std::path::Path| -> Res<f64> {
        let dir = d.display().to_string();
        Ok(ms(run_ok(
            ctx,
            &build.vaultty,
            &["--data-dir", &dir, "whoami"],
            b"",
            0,
        )?
        .wall))
    };
    // One login and one whoami on each store before anything is timed.
    for d in &dirs {
        login(ctx, build, d, None, EMAIL)?;
        whoami(d)?;
    }
    let mut who: [Vec<f64>; 2] = Default::default();
    let meter = CpuMeter::start(&[]);
    for r in 0..rounds {
        for i in round_order(2, r) {
            who[i].push(whoami(&dirs[i])?);
        }
    }
    let who_cond = meter.stop();
    let ov_meter = CpuMeter::start(&[]);
    let pairs = crate::login_overhead::run(ov_rounds, &[dirs[0].clone(), dirs[1].clone()])?;
    let ov_cond = ov_meter.stop();
    let a: Vec<f64> = pairs.iter().map(|p| ms(p.0)).collect();
    let b: Vec<f64> = pairs.iter().map(|p| ms(p.1)).collect();
    let apart = |x: f64, y: f64| (x - y).abs() / x.min(y) * 100.0;
    let (ov_a, ov_b) = (median(&a), median(&b));
    let paired: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let (wa, wb) = (median(&who[0]), median(&who[1]));
    let figures = vec![
        Figure {
            id: "4a".into(),
            name: format!(
                "login overhead (the store's part), {big}-account store vs 10-account store"
            ),
            before: "–".into(),
            after: format!(
                "{:.1}% apart ({ov_a:.3} vs {ov_b:.3} ms)",
                apart(ov_a, ov_b)
            ),
            target: "within 10%".into(),
            met: Some(apart(ov_a, ov_b) <= 10.0),
            conditions: ov_cond.text(),
            note: format!(
                "in-process, {ov_rounds} alternated logins per store; median paired difference {:.3} ms",
                median(&paired)
            ),
        },
        Figure {
            id: "4b".into(),
            name: format!("`whoami`, {big}-account store vs 10-account store"),
            before: "–".into(),
            after: format!("{:.1}% apart ({wa:.2} vs {wb:.2} ms)", apart(wa, wb)),
            target: "within 10%".into(),
            met: Some(apart(wa, wb) <= 10.0),
            conditions: who_cond.text(),
            note: format!("{rounds} shuffled rounds"),
        },
        Figure {
            id: "4c".into(),
            name: "store size per account".into(),
            before: "–".into(),
            after: format!("{:.1} B", sizes[0] as f64 / (big + 1) as f64),
            target: "(reported)".into(),
            met: None,
            conditions: String::new(),
            note: format!("{} B for {} accounts", sizes[0], big + 1),
        },
    ];
    save(
        ctx,
        "scale",
        &wait,
        &figures,
        json!({"accounts": big, "db_bytes": sizes, "whoami_ms": who,
               "overhead_ms": {"big": a, "small": b}}),
    )?;
    Ok(figures)
}

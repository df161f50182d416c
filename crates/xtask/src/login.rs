//! Figure 3: what a CLI login adds to its one Argon2 verification, on each store, and
//! `whoami` on each.
//!
//! Stores: SQLite in the data dir (both builds), and, for the current build, PostgreSQL over
//! its Unix socket and over TCP on localhost (`--store URL`; the pre-refactor build has no
//! PostgreSQL store). Each store holds one account signed up through the CLI. Each round
//! runs, in an order shuffled per round: `login --password-stdin` on every store (wall time
//! from spawn to reaped exit), one verification in a new process per build (`argon2_probe
//! --once PHC`, timed inside that process), and `whoami` on every store.
//!
//! Overhead = median(login) − median(the first verification of a new process, of the same
//! build): a login is a new process, so what is subtracted is exactly such a verification,
//! and the login's own process start counts as overhead.

use crate::harness::*;
use crate::setup::PgStores;
use serde_json::json;
use std::path::PathBuf;

struct Store {
    /// "SQLite", "PostgreSQL (Unix socket)", "PostgreSQL (TCP localhost)".
    name: &'static str,
    build: usize,
    dir: PathBuf,
    url: Option<String>,
}

impl Store {
    fn args(&self, cmd: &[&str]) -> Vec<String> {
        let mut a = vec!["--data-dir".to_owned(), self.dir.display().to_string()];
        if let Some(u) = &self.url {
            a.extend(["--store".to_owned(), u.clone()]);
        }
        a.extend(cmd.iter().map(|s| s.to_string()));
        a
    }
}

pub fn run(ctx: &Ctx, pg: Result<&PgStores, &str>) -> Res<Vec<Figure>> {
    let rounds = env_usize("BENCH_LOGIN_ROUNDS", 60);
    let builds = ctx.builds();
    let after = builds.len() - 1;
    let mut stores = Vec::new();
    for (i, b) in builds.iter().enumerate() {
        stores.push(Store {
            name: "SQLite",
            build: i,
            dir: ctx.fresh_dir(&format!("login-sqlite-{}", b.label))?,
            url: None,
        });
    }
    if let Ok(pg) = pg {
        for (name, url, tag) in [
            ("PostgreSQL, Unix socket", &pg.socket_url, "pg-socket"),
            ("PostgreSQL, TCP localhost", &pg.tcp_url, "pg-tcp"),
        ] {
            stores.push(Store {
                name,
                build: after,
                dir: ctx.fresh_dir(&format!("login-{tag}"))?,
                url: Some(url.clone()),
            });
        }
    }
    for s in &stores {
        signup(
            ctx,
            builds[s.build],
            &s.dir,
            s.url.as_deref(),
            EMAIL,
            REAL_NAME,
        )?;
    }
    let phc = probe_phc(ctx)?;
    let pw = format!("{PASSWORD}\n");
    let login = |s: &Store| -> Res<Run> {
        run_ok(
            ctx,
            &builds[s.build].vaultty,
            &s.args(&["login", "--email", EMAIL, "--password-stdin"]),
            pw.as_bytes(),
            0,
        )
    };
    let whoami = |s: &Store| -> Res<Run> {
        run_ok(ctx, &builds[s.build].vaultty, &s.args(&["whoami"]), b"", 0)
    };
    let wait = wait_for_quiet(ctx, "login");
    for s in &stores {
        login(s)?;
        whoami(s)?;
    }
    for b in &builds {
        probe_once(ctx, b, &phc)?;
    }
    // calls: logins (one per store), probes (one per build), whoamis (one per store)
    let n_calls = stores.len() * 2 + builds.len();
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); n_calls];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); n_calls];
    let mut inner: Vec<Vec<f64>> = vec![Vec::new(); builds.len()];
    let meter = CpuMeter::start(&[]);
    for r in 0..rounds {
        for i in round_order(n_calls, r) {
            let run = if i < stores.len() {
                login(&stores[i])?
            } else if i < stores.len() + builds.len() {
                let b = i - stores.len();
                let (run, verification) = probe_once(ctx, builds[b], &phc)?;
                inner[b].push(ms(verification));
                run
            } else {
                whoami(&stores[i - stores.len() - builds.len()])?
            };
            wall[i].push(ms(run.wall));
            cpu[i].push(ms(run.cpu));
        }
    }
    let cond = meter.stop();
    let mut figures = Vec::new();
    let mut data = serde_json::Map::new();
    let store_names: Vec<&str> = {
        let mut v: Vec<&str> = stores.iter().map(|s| s.name).collect();
        v.dedup();
        v
    };
    for (k, name) in store_names.iter().enumerate() {
        let mut cells = [String::from("–"), String::from("–")];
        let mut whoami_cells = [String::from("–"), String::from("–")];
        let mut met = None;
        let mut notes = Vec::new();
        for (si, s) in stores.iter().enumerate().filter(|(_, s)| s.name == *name) {
            let b = s.build;
            let login_ms = median(&wall[si]);
            let verify_ms = median(&inner[b]);
            let overhead = login_ms - verify_ms;
            let (lo, hi) = bootstrap_diff(&wall[si], &inner[b]);
            let col = if b == after { 1 } else { 0 };
            cells[col] = format!("{overhead:.2} ms ({lo:.1} … {hi:.1})");
            let w = stores.len() + builds.len() + si;
            whoami_cells[col] = format!("{:.2} ms", median(&wall[w]));
            if b == after {
                met = Some(overhead < 5.0);
            }
            notes.push(format!(
                "{}: login {login_ms:.2} ms (CPU {:.1} ms) − first verification of a new process {verify_ms:.2} ms (probe process CPU {:.1} ms)",
                builds[b].label,
                median(&cpu[si]),
                median(&cpu[stores.len() + b]),
            ));
            data.insert(
                format!("{}:{}", builds[b].label, name),
                json!({"login_ms": wall[si], "login_cpu_ms": cpu[si],
                       "verification_ms": inner[b], "whoami_ms": wall[w]}),
            );
        }
        figures.push(Figure {
            id: format!("3.{}", k + 1),
            name: format!(
                "CLI login overhead on {name}: `login --password-stdin` wall − one bare verification (95% interval)"
            ),
            before: cells[0].clone(),
            after: cells[1].clone(),
            target: "< 5 ms".into(),
            met,
            conditions: cond.text(),
            note: format!("medians of {rounds} shuffled rounds; {}", notes.join("; ")),
        });
        figures.push(Figure {
            id: format!("3.{}w", k + 1),
            name: format!("`whoami` on {name}"),
            before: whoami_cells[0].clone(),
            after: whoami_cells[1].clone(),
            target: "(reported)".into(),
            met: None,
            conditions: cond.text(),
            note: String::new(),
        });
    }
    if let Err(why) = pg {
        figures.push(Figure {
            id: "3.pg".into(),
            name: "CLI login overhead on PostgreSQL".into(),
            before: "–".into(),
            after: "not measured".into(),
            target: "< 5 ms".into(),
            met: Some(false),
            conditions: String::new(),
            note: format!("PostgreSQL was not available: {why}"),
        });
    }
    save(
        ctx,
        "login",
        &wait,
        &figures,
        json!({"rounds": rounds, "samples": data}),
    )?;
    Ok(figures)
}

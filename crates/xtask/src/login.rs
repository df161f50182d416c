//! Figure 3: what a CLI login adds to its one Argon2 verification, on each store, and
//! `whoami` on each.
//!
//! Stores: SQLite in the data dir (both builds), and PostgreSQL over its Unix socket, over TCP
//! on localhost and through PgBouncer (`--store URL`) for the current build and for a
//! `--before` build that has a PostgreSQL store (the pre-refactor build has none). Each store holds one account signed up through the CLI. The SQLite
//! stores and the PostgreSQL stores are two groups, measured one after the other, so that
//! the server's work after a client has gone (the backend's exit, its WAL writer) does not
//! land in a SQLite login. Each round of a group runs, in an order shuffled per round:
//! `login --password-stdin` on each of its stores (wall time from spawn to reaped exit), one
//! verification in a new process per build of the group (`argon2_probe --once PHC`, timed
//! inside that process), and `whoami` on each of its stores.
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

/// Whether `build`'s CLI takes `--store URL` (builds since issue 14's restructuring).
fn has_store_option(build: &Build) -> Res<bool> {
    let out = std::process::Command::new(&build.vaultty)
        .arg("--help")
        .output()
        .map_err(|e| format!("{} --help: {e}", build.vaultty.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout).contains("--store"))
}

pub fn run(ctx: &Ctx, pg: Result<&PgStores, &str>) -> Res<Vec<Figure>> {
    let rounds = env_usize("BENCH_LOGIN_ROUNDS", 240);
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
        let mut pg_stores = vec![
            ("PostgreSQL, Unix socket", &pg.socket_url, "pg-socket"),
            ("PostgreSQL, TCP localhost", &pg.tcp_url, "pg-tcp"),
        ];
        match &pg.pgbouncer_url {
            Ok(url) => pg_stores.push((
                "PostgreSQL through PgBouncer (session pooling, Unix socket)",
                url,
                "pg-pgbouncer",
            )),
            Err(why) => log(&format!("no PgBouncer row: {why}")),
        }
        // Every build that has a PostgreSQL store (`--store`): the builds share each
        // database (one account, signed up once), each in a data dir of its own.
        let mut pg_builds = Vec::new();
        for (i, b) in builds.iter().enumerate() {
            if i == after || has_store_option(b)? {
                pg_builds.push(i);
            }
        }
        for (name, url, tag) in pg_stores {
            for &i in &pg_builds {
                stores.push(Store {
                    name,
                    build: i,
                    dir: ctx.fresh_dir(&format!("login-{tag}-{}", builds[i].label))?,
                    url: Some(url.clone()),
                });
            }
        }
    }
    for (i, s) in stores.iter().enumerate() {
        if s.url.is_some() && stores[..i].iter().any(|t| t.url == s.url) {
            continue;
        }
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
    // Two groups, each alternated on its own: the SQLite stores of every build, then the
    // PostgreSQL stores. PostgreSQL keeps working after a client is gone (the backend's exit,
    // the WAL writer), so a SQLite login right after a PostgreSQL one would pay for some of
    // it. Each group has its own bare verifications, of the builds in it. (Measured: this
    // isolates the groups, but it was not what made the SQLite figure vary from run to run;
    // BENCHMARKS.md, 3.1.)
    let ns = stores.len();
    let mut login_ms: Vec<Vec<f64>> = vec![Vec::new(); ns];
    let mut login_cpu: Vec<Vec<f64>> = vec![Vec::new(); ns];
    let mut whoami_ms: Vec<Vec<f64>> = vec![Vec::new(); ns];
    // per store: the verifications (inside the probe) and the probe processes' CPU of its
    // group and build
    let mut verify_ms: Vec<Vec<f64>> = vec![Vec::new(); ns];
    let mut probe_cpu: Vec<Vec<f64>> = vec![Vec::new(); ns];
    let mut conds = vec![Conditions::default(); ns];
    for pg_group in [false, true] {
        let members: Vec<usize> = (0..ns)
            .filter(|&i| stores[i].url.is_some() == pg_group)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut group_builds: Vec<usize> = members.iter().map(|&i| stores[i].build).collect();
        group_builds.sort_unstable();
        group_builds.dedup();
        // calls: a login per store, a probe per build, a whoami per store
        let (m, nb) = (members.len(), group_builds.len());
        let n_calls = 2 * m + nb;
        let mut inner: Vec<Vec<f64>> = vec![Vec::new(); nb];
        let mut pcpu: Vec<Vec<f64>> = vec![Vec::new(); nb];
        let meter = CpuMeter::start(&[]);
        for r in 0..rounds {
            for i in round_order(n_calls, r) {
                if i < m {
                    let run = login(&stores[members[i]])?;
                    login_ms[members[i]].push(ms(run.wall));
                    login_cpu[members[i]].push(ms(run.cpu));
                } else if i < m + nb {
                    let (run, verification) = probe_once(ctx, builds[group_builds[i - m]], &phc)?;
                    inner[i - m].push(ms(verification));
                    pcpu[i - m].push(ms(run.cpu));
                } else {
                    let si = members[i - m - nb];
                    whoami_ms[si].push(ms(whoami(&stores[si])?.wall));
                }
            }
        }
        let cond = meter.stop();
        for &si in &members {
            let k = group_builds
                .iter()
                .position(|&b| b == stores[si].build)
                .expect("the store's build is in its group");
            verify_ms[si] = inner[k].clone();
            probe_cpu[si] = pcpu[k].clone();
            conds[si] = cond;
        }
    }
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
        let mut cond = Conditions::default();
        for (si, s) in stores.iter().enumerate().filter(|(_, s)| s.name == *name) {
            let b = s.build;
            let login = median(&login_ms[si]);
            let verify = median(&verify_ms[si]);
            let overhead = login - verify;
            let (lo, hi) = bootstrap_diff(&login_ms[si], &verify_ms[si]);
            let col = if b == after { 1 } else { 0 };
            cells[col] = format!("{overhead:.2} ms ({lo:.1} … {hi:.1})");
            whoami_cells[col] = format!("{:.2} ms", median(&whoami_ms[si]));
            if b == after {
                met = Some(overhead < 5.0);
            }
            cond = conds[si];
            notes.push(format!(
                "{}: login {login:.2} ms (CPU {:.1} ms) − first verification of a new process {verify:.2} ms (probe process CPU {:.1} ms)",
                builds[b].label,
                median(&login_cpu[si]),
                median(&probe_cpu[si]),
            ));
            data.insert(
                format!("{}:{}", builds[b].label, name),
                json!({"login_ms": login_ms[si], "login_cpu_ms": login_cpu[si],
                       "verification_ms": verify_ms[si], "whoami_ms": whoami_ms[si]}),
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

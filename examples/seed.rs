//! Benchmark seeding tool (not part of the product): writes N accounts straight into a store,
//! to measure how vaultty behaves with many accounts.
//!
//! **Not the product path.** Every seeded account shares one PHC string computed once with
//! `HashParams::insecure_for_tests(8, 1, 1)` (8 KiB, 1 pass, 1 lane), so seeding a million
//! accounts takes seconds instead of a day; nobody can log in to a seeded account in a useful
//! way. The store itself is created by the library (`Accounts::open`: directory 0700, file
//! 0600, migrations), and rows are written with the store's own `accounts::insert`, inside
//! one `BEGIN IMMEDIATE` transaction. Real accounts for measurements are signed up with the
//! CLI afterwards (scripts/bench.sh does that).
//!
//! Usage: `cargo run --release --example seed -- --data-dir DIR --count N`
//! Emails are `seed0000000@seed.example`, `seed0000001@seed.example`, ...; the tool refuses
//! a store that already holds accounts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use vaultty::auth::hashing::Hasher;
use vaultty::auth::policy::normalize_email;
use vaultty::store::accounts;
use vaultty::{HashParams, Password};

fn usage() -> ExitCode {
    eprintln!("usage: seed --data-dir DIR --count N");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut count: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data-dir" => dir = args.next().map(PathBuf::from),
            "--count" => count = args.next().and_then(|n| n.replace('_', "").parse().ok()),
            _ => return usage(),
        }
    }
    let (Some(dir), Some(count)) = (dir, count) else {
        return usage();
    };
    match seed(&dir, count) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seed: {e}");
            ExitCode::from(1)
        }
    }
}

fn seed(dir: &std::path::Path, count: u64) -> Result<(), String> {
    // The store as vaultty opens it (migrations applied), written directly: a bulk seed is not
    // a service operation.
    let v = vaultty::open(dir).map_err(|e| e.to_string())?;
    let store = vaultty::store::Store::open_in(v.data_dir()).map_err(|e| e.to_string())?;
    let existing = accounts::count(store.conn()).map_err(|e| store.err(&e).to_string())?;
    if existing != 0 {
        return Err(format!(
            "{} already holds {existing} accounts; seed an empty store",
            store.path().display()
        ));
    }
    // One cheap hash, reused for every row (see the module comment).
    let cheap = Hasher::new(HashParams::insecure_for_tests(8, 1, 1));
    let phc = cheap.hash(&Password::from("seeded account, not for logging in"))?;
    let now = v.now();
    let t0 = Instant::now();
    store
        .write(|tx| {
            for i in 0..count {
                let email = format!("seed{i:07}@seed.example");
                let name = format!("Seeded Account {i}");
                accounts::insert(tx, &email, &normalize_email(&email), &name, &phc, now)
                    .map_err(|e| store.err(&e))?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let inserted = t0.elapsed();
    // Fold the write-ahead log into the database file so its size is the store's size.
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(|e| store.err(&e).to_string())?;
    let size = std::fs::metadata(store.path())
        .map_err(|e| format!("{}: {e}", store.path().display()))?
        .len();
    println!(
        "seeded {count} accounts in {:.1} s (+{:.1} s checkpoint); {} is {size} bytes",
        inserted.as_secs_f64(),
        (t0.elapsed() - inserted).as_secs_f64(),
        store.path().display()
    );
    Ok(())
}

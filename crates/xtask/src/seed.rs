//! Bench seeding (not part of the product), formerly `examples/seed.rs`: writes N accounts
//! straight into a SQLite store, to measure how vaultty behaves with many accounts (figure 4).
//!
//! **Not the product path.** Every seeded account shares one PHC string computed once with
//! `HashParams::insecure_for_tests(8, 1, 1)` (8 KiB, 1 pass, 1 lane), so seeding a million
//! accounts takes seconds instead of a day; nobody can log in to a seeded account in a useful
//! way. The store is created by the library (directory 0700, file 0600, migrations), and rows
//! are written with the SQLite store's own `accounts::insert`, inside one transaction. Real
//! accounts for measurements are signed up with the CLI afterwards.
//!
//! Also `cargo run --release -p xtask -- seed --data-dir DIR --count N`. Emails are
//! `seed0000000@seed.example`, `seed0000001@seed.example`, ...; a store that already holds
//! accounts is refused.

use std::path::Path;
use std::time::Instant;
use vaultty::auth::hashing::Hasher;
use vaultty::auth::identity::normalize_email;
use vaultty::store::{Store, accounts};
use vaultty::{HashParams, Options, Password};

/// Seeds `count` accounts into the SQLite store of `dir`; a line saying what was done.
pub fn seed(dir: &Path, count: u64) -> Result<String, String> {
    // The store as vaultty opens it (migrations applied), written directly: a bulk seed is not
    // a service operation.
    let v = vaultty::open_at(dir, None, Options::default()).map_err(|e| e.to_string())?;
    let store = Store::open_in(v.data_dir()).map_err(|e| e.to_string())?;
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
    store.truncate_wal().map_err(|e| e.to_string())?;
    let size = std::fs::metadata(store.path())
        .map_err(|e| format!("{}: {e}", store.path().display()))?
        .len();
    Ok(format!(
        "seeded {count} accounts in {:.1} s (+{:.1} s checkpoint); {} is {size} bytes",
        inserted.as_secs_f64(),
        (t0.elapsed() - inserted).as_secs_f64(),
        store.path().display()
    ))
}

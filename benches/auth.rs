//! Argon2id at vaultty's default parameters, and the two login failure paths, which must cost
//! the same (SECURITY.md AU-02: medians within 10%).
//!
//! Run: `cargo bench --bench auth`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use vaultty::auth::hashing::Hasher;
use vaultty::{Error, HashParams, Password};

fn hashing(c: &mut Criterion) {
    let hasher = Hasher::new(HashParams::DEFAULT);
    let pw = Password::from("correct horse battery staple lamp");
    let phc = hasher.hash(&pw).unwrap();
    let mut g = c.benchmark_group("argon2id m=65536 t=3 p=4");
    g.sample_size(20);
    g.bench_function("hash", |b| b.iter(|| black_box(hasher.hash(&pw).unwrap())));
    g.bench_function("verify", |b| b.iter(|| black_box(hasher.verify(&pw, &phc))));
    g.finish();
}

fn login_failures(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let v = vaultty::open(&tmp.path().join("data")).unwrap();
    let email = "ada@example.com";
    v.signup(
        email,
        "Ada",
        &Password::from("correct horse battery staple lamp"),
    )
    .unwrap();
    let wrong = Password::from("violet tractor sings under amber rain");
    // Keep the throttle out of the way: clear the counters between attempts, as a benchmark
    // of the work per attempt (the lock itself is tested elsewhere).
    let reset = |e: &str| v.store().clear_throttle(e).unwrap();
    let mut g = c.benchmark_group("login failure at default parameters");
    g.sample_size(30);
    g.bench_function("unknown email", |b| {
        b.iter(|| {
            reset("nobody@example.com");
            let r = v.login("nobody@example.com", &wrong);
            assert!(matches!(r, Err(Error::InvalidCredentials)));
        })
    });
    g.bench_function("wrong password", |b| {
        b.iter(|| {
            reset(email);
            let r = v.login(email, &wrong);
            assert!(matches!(r, Err(Error::InvalidCredentials)));
        })
    });
    g.finish();
}

criterion_group!(benches, hashing, login_failures);
criterion_main!(benches);

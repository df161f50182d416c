//! Property tests: the fuzz targets' invariants (fuzz/checks.rs) on random inputs, in CI.
//! The long coverage-guided runs use cargo-fuzz (see fuzz/README.md).

#[path = "../fuzz/checks.rs"]
mod checks;

use proptest::prelude::*;

/// `cases` random inputs per property (scaled by PROPTEST_SCALE for longer local runs).
fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("PROPTEST_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    ProptestConfig {
        cases: cases.saturating_mul(scale),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn validators_hold_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        checks::validators(&data);
    }

    #[test]
    fn session_parser_holds(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        checks::token_file(&data);
    }


    #[test]
    fn session_parser_holds_near_valid_json(
        version in 0u32..3,
        token in "[0-9a-fA-F]{0,70}",
        extra in "[ -~]{0,20}",
    ) {
        let doc = format!(r#"{{"version":{version},"token":"{token}"{extra}}}"#);
        checks::token_file(doc.as_bytes());
    }

}

// zxcvbn and full renders are slower: fewer cases here.
proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn validators_hold_on_random_text(s in "\\PC{0,300}") {
        checks::validators(s.as_bytes());
    }

    #[test]
    fn form_keys_hold(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        checks::form_keys(&data);
    }
}

/// Inputs the fuzzers found, kept as regression cases.
#[test]
fn fuzz_findings() {
    // A refusal may name the word "vaultty" itself: not an echo of the password.
    checks::validators(b"vaultty");
    // ---- administration: an administrator opens it (a), pages (PgDn PgUp ↑ ↓), asks to
    // disable (d Tab Enter), is asked the password again, types it (A), confirms, gets a
    // reset code (r) and closes it (Enter); then the audit tab (Tab), its filter (/ u
    // Enter), and back (Esc). (Each byte also picks the answers to what the one before it
    // asked: see `reply`.)
    checks::form_keys(&[
        0, 65, 30, 100, 31, 2, 3, 68, 0, 4, 33, 4, 82, 40, 82, 0, 4, 0, 15, 110, 85, 4, 5, 5,
    ]);
}

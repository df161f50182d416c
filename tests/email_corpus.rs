//! ID-04: vaultty's email rules measured against Python's `email-validator` (the validator of
//! the classic web version) on the addresses of its own test suite.
//!
//! `tests/data/email_validator_corpus.json` holds each address with email-validator 2.4.0's
//! verdict (default options, no DNS), recorded by `tests/data/email_corpus.py` from the
//! package's `tests/test_syntax.py` (Unlicense). The first test needs only that file; the second
//! re-checks the recorded verdicts against the live Python package when it is installed, and
//! says that it skipped otherwise.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use vaultty::auth::policy::validate_email;

const CORPUS: &str = include_str!("data/email_validator_corpus.json");
const EMAIL_VALIDATOR_VERSION: &str = "2.4.0";

/// Addresses on which vaultty agrees with email-validator, of the corpus's 315. Raise it
/// when a change brings the two closer; it must never fall.
const AGREEING: usize = 285;

struct Case {
    email: String,
    valid: bool,
}

fn corpus() -> Vec<Case> {
    let doc: Value = serde_json::from_str(CORPUS).expect("the corpus is JSON");
    doc["cases"]
        .as_array()
        .expect("a list of cases")
        .iter()
        .map(|c| Case {
            email: c["email"].as_str().expect("an address").to_owned(),
            valid: c["valid"].as_bool().expect("a verdict"),
        })
        .collect()
}

/// A deliberate difference: why vaultty differs, and which disagreements that explains.
type Deliberate = (&'static str, fn(&Case) -> bool);

/// The deliberate differences (README "Input rules").
const DELIBERATE: [Deliberate; 2] = [
    (
        "vaultty trims whitespace around the address (a pasted line end, a stray space); \
         email-validator refuses it",
        |c| !c.valid && c.email.trim() != c.email,
    ),
    (
        "vaultty enforces RFC 5321's limit of 64 octets before the @; email-validator checks \
         it only with strict=True",
        |c| c.valid && c.email.split_once('@').is_some_and(|(l, _)| l.len() > 64),
    ),
];

#[test]
fn id_04_agreement_with_email_validator() {
    let cases = corpus();
    assert_eq!(cases.len(), 315, "the corpus changed: update AGREEING");
    let mut unexplained = Vec::new();
    let mut explained = [0usize; DELIBERATE.len()];
    let mut agree = 0;
    for c in &cases {
        let ours = validate_email(&c.email).is_ok();
        if ours == c.valid {
            agree += 1;
            continue;
        }
        match DELIBERATE.iter().position(|(_, applies)| applies(c)) {
            Some(i) => explained[i] += 1,
            None => unexplained.push(format!(
                "{:?}: email-validator {}, vaultty {}",
                c.email,
                if c.valid { "accepts" } else { "refuses" },
                if ours { "accepts" } else { "refuses" },
            )),
        }
    }
    println!(
        "vaultty agrees with email-validator on {agree} of {}",
        cases.len()
    );
    for ((why, _), n) in DELIBERATE.iter().zip(explained) {
        println!("{n} deliberate: {why}");
    }
    assert!(
        unexplained.is_empty(),
        "disagreements that are not deliberate:\n{}",
        unexplained.join("\n")
    );
    assert!(
        agree >= AGREEING,
        "agreement fell to {agree} of {} (was {AGREEING})",
        cases.len()
    );
}

#[test]
fn id_04_recorded_verdicts_match_the_live_email_validator() {
    let version = Command::new("python3")
        .args([
            "-c",
            "import email_validator; print(email_validator.__version__)",
        ])
        .output();
    let installed = match &version {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => {
            println!("skipped: python3 with email-validator is not installed");
            return;
        }
    };
    if installed != EMAIL_VALIDATOR_VERSION {
        println!(
            "skipped: email-validator {installed} is installed; the corpus is of \
             {EMAIL_VALIDATOR_VERSION}"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/email_corpus.py");
    let o = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
        .expect("python3 runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "the live email-validator disagrees with the recorded verdicts:\n{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("315 agree, 0 differ"), "{out}");
}

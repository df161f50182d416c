//! Input policy: emails, names and passwords (SECURITY.md "Decisions").
//!
//! Passwords: NFKC is the only transformation (no trimming, no case folding); 15 to 256 code
//! points; no composition rules; refused when common, built from the email, the name or the
//! word "vaultty", or scored below 3 by zxcvbn. Every refusal says why and how to do better.

use crate::secret::Password;
use crate::{Field, ValidationError};
use std::collections::HashSet;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

// The email and name rules moved to `identity`; these names keep working.
pub use super::identity::{normalize_email, validate_email, validate_name};

/// Shortest password accepted, in code points after NFKC.
pub const MIN_PASSWORD_CHARS: usize = 15;

/// The minimum in force in this process: [`MIN_PASSWORD_CHARS`] unless the configuration set
/// another ([`set_min_password_chars`]). Every check and every message reads it, so a number
/// shown to the user is always the policy in force.
static MIN_CHARS_IN_FORCE: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(MIN_PASSWORD_CHARS);

/// Sets the minimum password length for this process (never below [`MIN_PASSWORD_FLOOR`]).
/// Front ends call it once at start-up, from the configuration.
pub fn set_min_password_chars(n: usize) {
    MIN_CHARS_IN_FORCE.store(
        n.max(MIN_PASSWORD_FLOOR),
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// The minimum password length in force.
pub fn min_password_chars() -> usize {
    MIN_CHARS_IN_FORCE.load(std::sync::atomic::Ordering::Relaxed)
}
/// The floor below which [`MIN_PASSWORD_CHARS`] may never be configured.
pub const MIN_PASSWORD_FLOOR: usize = 8;
/// Longest password accepted, in code points after NFKC. Longer ones are refused, never cut.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest email accepted, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest name accepted, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 100;
/// Lowest zxcvbn score accepted (0..=4).
pub const MIN_ZXCVBN_SCORE: u8 = 3;

const _: () = assert!(MIN_PASSWORD_CHARS >= MIN_PASSWORD_FLOOR);

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/common-passwords.txt"
    ))
    .lines()
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .collect()
});

/// Is `password` (any case) on the bundled list of common passwords, or such an entry with
/// only digits and symbols added at its ends ("password123456", "!!dragon2024")? The match is
/// on the whole string: a passphrase that merely contains a listed word is not common.
pub fn is_common(password: &str) -> bool {
    let lower = Zeroizing::new(password.to_lowercase());
    if COMMON.contains(lower.as_str()) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    core.len() != lower.len()
        && core.chars().count() >= 4
        && lower.chars().count() - core.chars().count() <= 12
        && COMMON.contains(core)
}

static PASSPHRASES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/known-passphrases.txt"
    ))
    .lines()
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .collect()
});

/// Is `password` a famous example passphrase ("Correct Horse Battery Staple")? Compared by its
/// letters alone, so case, spaces, digits and punctuation do not hide it.
pub fn is_known_passphrase(password: &str) -> bool {
    let letters: Zeroizing<String> = Zeroizing::new(
        password
            .chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect(),
    );
    PASSPHRASES.contains(letters.as_str())
}

/// Lines of keys on a US keyboard, as walks are typed: the rows, and the columns read top to
/// bottom (and bottom to top) one after another. Both directions count.
const KEY_LINES: [&str; 7] = [
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
];

/// The key a character is typed with (shifted symbols map to their key, letters to lowercase).
fn key_of(c: char) -> char {
    const SHIFTED: &str = "~!@#$%^&*()_+{}|:\"<>?";
    const PLAIN: &str = "`1234567890-=[]\\;',./";
    match SHIFTED.chars().position(|s| s == c) {
        Some(i) => PLAIN.chars().nth(i).unwrap_or(c),
        None => c.to_ascii_lowercase(),
    }
}

/// Is `password` nothing but keyboard walks, each a run of at least 3 neighbouring keys along a
/// row or a column ("!QAZ2wsx#EDC4rfv", "zxcvbnm,./asdfghjkl")? Lists cannot hold every walk
/// with every shift pattern; the keys can be followed instead.
pub fn is_keyboard_walk(password: &str) -> bool {
    static LINES: LazyLock<Vec<Vec<char>>> = LazyLock::new(|| {
        KEY_LINES
            .iter()
            .flat_map(|l| [l.chars().collect(), l.chars().rev().collect()])
            .collect()
    });
    let keys: Zeroizing<Vec<char>> = Zeroizing::new(password.chars().map(key_of).collect());
    let run_at = |i: usize| -> usize {
        let mut best = 0;
        for line in LINES.iter() {
            for start in (0..line.len()).filter(|&s| line[s] == keys[i]) {
                let n = line[start..]
                    .iter()
                    .zip(&keys[i..])
                    .take_while(|(a, b)| a == b)
                    .count();
                best = best.max(n);
            }
        }
        best
    };
    let mut i = 0;
    while i < keys.len() {
        match run_at(i) {
            n if n >= 3 => i += n,
            _ => return false,
        }
    }
    !keys.is_empty()
}

/// zxcvbn's guesses for `entropy`, with every date and year counted as the cheapest one: the
/// crate measures a year by its distance from the current year, so the same password (a date
/// plus a word) could pass this year and fail the next. An attacker tries every date anyway;
/// counted this way the verdict does not depend on the clock.
fn clock_free_guesses(entropy: &zxcvbn::Entropy) -> f64 {
    use zxcvbn::matching::patterns::MatchPattern;
    /// The crate's smallest year distance (MIN_YEAR_SPACE in its scoring).
    const MIN_YEAR_SPACE: i32 = 20;
    let this_year = i32::from(
        jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .year(),
    );
    let mut guesses = entropy.guesses() as f64;
    for m in entropy.sequence() {
        let year = match &m.pattern {
            MatchPattern::Date(d) => Some(d.year),
            MatchPattern::Regex(r) if r.regex_name == "recent_year" => m.token.parse().ok(),
            _ => None,
        };
        if let Some(year) = year {
            let space = (year - this_year).abs().max(MIN_YEAR_SPACE);
            guesses = guesses * f64::from(MIN_YEAR_SPACE) / f64::from(space);
        }
    }
    guesses
}

/// zxcvbn's score (0..=4) for a number of guesses (the crate's own thresholds).
fn score_for(guesses: f64) -> u8 {
    const DELTA: f64 = 5.0;
    [1e3, 1e6, 1e8, 1e10]
        .iter()
        .take_while(|&&t| guesses >= t + DELTA)
        .count() as u8
}

/// Applies NFKC: the only transformation a password ever gets.
pub fn normalize_password(p: &Password) -> Password {
    Password::new(Zeroizing::new(p.expose().nfkc().collect()))
}

/// How strong a password is, for a meter and for the signup decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    /// zxcvbn's score, 0 (weakest) to 4; 0 when the password was refused before scoring.
    pub score: u8,
    /// Why the password would be refused, if it would be.
    pub problem: Option<ValidationError>,
}

impl Strength {
    pub fn acceptable(&self) -> bool {
        self.problem.is_none()
    }
}

/// Judges a candidate password for an account with this email and name. The password is
/// normalized (NFKC) first, exactly as it will be hashed.
pub fn password_strength(password: &Password, email: &str, name: &str) -> Strength {
    password_strength_for(Field::Password, password, email, name)
}

pub(crate) fn password_strength_for(
    field: Field,
    password: &Password,
    email: &str,
    name: &str,
) -> Strength {
    let pw = normalize_password(password);
    let refuse = |score: u8, message: &str, hint: &str| Strength {
        score,
        problem: Some(ValidationError::new(field, message).with_hint(hint)),
    };
    let chars = pw.expose().chars().count();
    if chars == 0 {
        return refuse(
            0,
            "is required.",
            &format!(
                "Choose a passphrase of at least {} characters.",
                min_password_chars()
            ),
        );
    }
    if chars > MAX_PASSWORD_CHARS {
        return refuse(
            0,
            &format!("is too long ({chars} characters; at most {MAX_PASSWORD_CHARS})."),
            "Use a shorter passphrase.",
        );
    }
    if pw.expose().chars().any(char::is_control) {
        return refuse(
            0,
            "must not contain control characters (such as NUL, tab or escape).",
            "Use letters, digits, spaces and symbols.",
        );
    }
    if is_common(pw.expose()) {
        return refuse(
            0,
            "is too common: it is on a list of passwords attackers try first.",
            "Pick several unrelated words, e.g. four random words with spaces.",
        );
    }
    if is_known_passphrase(pw.expose()) {
        return refuse(
            0,
            "is a famous example passphrase: attackers try those first.",
            "Pick your own words, e.g. four random words with spaces.",
        );
    }
    if is_keyboard_walk(pw.expose()) {
        return refuse(
            0,
            "is a keyboard pattern: attackers try those first.",
            "Pick several unrelated words instead, e.g. four random words with spaces.",
        );
    }
    let context = context_words(email, name);
    if built_from_context(pw.expose(), &context) {
        return refuse(
            0,
            "is built from your email, your name or the word \"vaultty\".",
            "Use words that have nothing to do with you or this app.",
        );
    }
    let min = min_password_chars();
    if chars < min {
        return refuse(
            0,
            &format!("is too short ({chars} characters; at least {min}): add a word or two."),
            "A passphrase of a few unrelated words is long and easy to remember.",
        );
    }
    let inputs: Vec<&str> = context.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(pw.expose(), &inputs);
    let score = score_for(clock_free_guesses(&entropy));
    if score < MIN_ZXCVBN_SCORE {
        let fb = entropy.feedback();
        let dated = || {
            use zxcvbn::matching::patterns::MatchPattern;
            entropy
                .sequence()
                .iter()
                .any(|m| matches!(m.pattern, MatchPattern::Date(_) | MatchPattern::Regex(_)))
        };
        let warning = fb
            .and_then(|f| f.warning())
            .map(|w| format!("is too easy to guess: {w}"))
            .unwrap_or_else(|| {
                if dated() {
                    "is too easy to guess: dates and years are easy to guess.".to_owned()
                } else {
                    "is too easy to guess.".to_owned()
                }
            });
        let hint = fb
            .map(|f| {
                f.suggestions()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Add another unrelated word or two.".to_owned());
        return refuse(score, &warning, &hint);
    }
    Strength {
        score,
        problem: None,
    }
}

/// Words a password must not be built from: the email, its parts, the name, its words, and
/// "vaultty". All lowercase.
fn context_words(email: &str, name: &str) -> Vec<String> {
    let mut words = vec!["vaultty".to_owned()];
    let email = normalize_email(email);
    if !email.is_empty() {
        if let Some((local, domain)) = email.rsplit_once('@') {
            words.push(local.to_owned());
            words.extend(local.split(['.', '_', '-', '+']).map(str::to_owned));
            words.extend(domain.split('.').map(str::to_owned));
        }
        words.push(email);
    }
    let name = name.trim().nfkc().collect::<String>().to_lowercase();
    if !name.is_empty() {
        words.extend(name.split_whitespace().map(str::to_owned));
        words.push(name.split_whitespace().collect::<String>());
        words.push(name);
    }
    words.retain(|w| w.chars().count() >= 3);
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words
}

/// True when removing the context words leaves fewer than five letters: "alice2024!!!",
/// "vaulttyvaultty", "Alice Smith 1234".
fn built_from_context(password: &str, context: &[String]) -> bool {
    let mut rest = Zeroizing::new(password.to_lowercase());
    let mut matched = false;
    for w in context {
        if rest.contains(w.as_str()) {
            matched = true;
            // A new zeroizing buffer each time: assigning through the old one would drop its
            // String without wiping it.
            rest = Zeroizing::new(rest.replace(w.as_str(), ""));
        }
    }
    matched && rest.chars().filter(|c| c.is_alphabetic()).count() < 5
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "alice@example.com";
    const NAME: &str = "Alice Liddell";

    fn problem(pw: &str) -> Option<String> {
        password_strength(&Password::from(pw), EMAIL, NAME)
            .problem
            .map(|e| e.message)
    }

    #[test]
    fn pw_01_length_in_code_points() {
        assert!(problem("tangerine-otter").is_none(), "15 chars accepted");
        assert!(problem("tangerine-otte").unwrap().contains("too short"));
        assert!(problem("tangerine-ott").unwrap().contains("too short"));
        // 5 emoji + 10 letters = 15 code points
        assert!(problem("🦊🐙🌵🎻🚲quixoticzm").is_none());
        assert!(
            problem("🦊🐙🌵🎻🚲quixoticz")
                .unwrap()
                .contains("too short")
        );
        const { assert!(MIN_PASSWORD_CHARS >= MIN_PASSWORD_FLOOR) };
    }

    #[test]
    fn pw_02_long_passwords_accepted_up_to_cap() {
        let long: String = "correct horse battery staple lamp ".repeat(3);
        assert!(long.chars().count() > 64);
        assert!(problem(&long).is_none());
        let too_long = "xq".repeat(129);
        assert!(problem(&too_long).unwrap().contains("too long"));
    }

    #[test]
    fn pw_03_no_composition_rules() {
        assert!(problem("correct horse battery staple lamp").is_none());
    }

    #[test]
    fn pw_04_common_passwords_whole_string_any_case() {
        for pw in [
            "password123456",
            "PASSWORD123456",
            "Qwertyuiop",
            "iloveyou",
            "!!Dragon2024!!",
            "SUNSHINE1234567",
        ] {
            assert!(problem(pw).unwrap().contains("too common"), "{pw}");
        }
        // contains a list word but is not equal to one
        assert!(problem("my password is a sunny meadow").is_none());
    }

    #[test]
    fn pw_05_context_words_refused() {
        for pw in [
            "alice@example.com",
            "alice@example.com2024!",
            "AliceLiddell12345",
            "alice liddell alice",
            "vaulttyvaultty123",
            "Vaultty Vaultty Vaultty",
            "example.com.example!",
        ] {
            assert!(problem(pw).unwrap().contains("built from"), "{pw}");
        }
        // mentioning a context word inside a real passphrase is fine
        assert!(problem("alice walked through seven copper doors").is_none());
    }

    #[test]
    fn pw_04_famous_passphrases_and_keyboard_walks_refused() {
        for pw in [
            "correcthorsebatterystaple",
            "Correct Horse Battery Staple",
            "correct-horse-battery-staple-2024",
            "The quick brown fox jumps over the lazy dog",
        ] {
            assert!(problem(pw).unwrap().contains("famous"), "{pw}");
        }
        for pw in [
            "!QAZ2wsx#EDC4rfv",
            "1qaz2wsx3edc4rfv5tgb",
            "zaq12wsxcde34rfv",
            "zxcvbnm,./asdfghjkl;'",
            "qwertyuiopasdfghjkl",
            "=-0987654321][poiuy",
            "asdfghjkl;'zxcvbnm,./",
        ] {
            assert!(problem(pw).unwrap().contains("keyboard"), "{pw}");
        }
        // Ordinary passphrases (that happen to contain a short run) are not walks.
        for pw in [
            "correct horse battery staple lamp",
            "qwerty lemonade harbour sunrise",
            "asdf copper violin meadow",
        ] {
            assert!(problem(pw).is_none(), "{pw}: {:?}", problem(pw));
        }
    }

    #[test]
    fn pw_04_a_dates_strength_does_not_depend_on_the_year_now() {
        // zxcvbn alone rates a date by its distance from the current year: a far one looks
        // stronger, and gets weaker as the years pass. Every date now counts as a near one.
        let verdict = |pw: &str| password_strength(&Password::from(pw), EMAIL, NAME);
        for (near, far) in [
            ("poem 12/11/2026", "poem 12/11/1950"),
            ("12/11/2026.poem", "12/11/1950.poem"),
        ] {
            let (a, b) = (verdict(near), verdict(far));
            assert_eq!(a.score, b.score, "{near} / {far}");
            assert_eq!(a.acceptable(), b.acceptable(), "{near} / {far}");
        }
        assert!(score_for(1e10 + 5.0) == 4 && score_for(1e10) == 3 && score_for(0.0) == 0);
    }

    #[test]
    fn weak_passwords_get_a_reason_and_hint() {
        let s = password_strength(&Password::from("aaaaaaaaaaaaaaaaaaaa"), EMAIL, NAME);
        let p = s.problem.unwrap();
        assert!(p.message.contains("too easy to guess"), "{}", p.message);
        assert!(p.hint.is_some());
        assert!(s.score < MIN_ZXCVBN_SCORE);
    }

    #[test]
    fn pw_06_nfkc_and_odd_characters() {
        let full = Password::from("ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ");
        assert_eq!(normalize_password(&full).expose(), "correct horse battery");
        assert!(
            problem("nul\0inside the passphrase here")
                .unwrap()
                .contains("control")
        );
        // emoji-only and NUL-bearing inputs are judged without panicking
        let s = password_strength(
            &Password::from("🦊🐙🌵🎻🚲".repeat(4).as_str()),
            EMAIL,
            NAME,
        );
        assert!(s.score <= 4);
    }
}

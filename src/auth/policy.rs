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
    include_str!("../../assets/common-passwords.txt")
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
            "Choose a passphrase of at least 15 characters.",
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
    let context = context_words(email, name);
    if built_from_context(pw.expose(), &context) {
        return refuse(
            0,
            "is built from your email, your name or the word \"vaultty\".",
            "Use words that have nothing to do with you or this app.",
        );
    }
    if chars < MIN_PASSWORD_CHARS {
        return refuse(
            0,
            &format!("is too short ({chars} characters; at least {MIN_PASSWORD_CHARS})."),
            "A passphrase of a few unrelated words is long and easy to remember.",
        );
    }
    let inputs: Vec<&str> = context.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(pw.expose(), &inputs);
    let score = u8::from(entropy.score());
    if score < MIN_ZXCVBN_SCORE {
        let fb = entropy.feedback();
        let warning = fb
            .and_then(|f| f.warning())
            .map(|w| format!("is too easy to guess: {w}"))
            .unwrap_or_else(|| "is too easy to guess.".to_owned());
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

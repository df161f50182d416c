//! Identities: the rules for email addresses and display names, and the uniqueness key of an
//! email (README "Input rules", SECURITY.md TM-02, TM-08, ID-01..ID-03).
//!
//! Emails follow Python's `email-validator` (the validator of the classic web version) with its
//! default options, measured on its own test corpus by `tests/email_corpus.rs`; the deliberate
//! differences are listed there and in the README. In short: NFC first, then the syntax of
//! RFC 5321/6531 for the part before the @ (no quoting, no display name, no IP literal) and IDNA
//! (UTS 46, the `idna` crate) for the domain, lengths counted in UTF-8 octets, and no invisible,
//! filler or mixed-script look-alikes.
//!
//! The uniqueness key ([`normalize_email`]) is stored in `accounts.email_norm` and keys the
//! throttle. Changing it needs a migration that recomputes the stored keys (see
//! `store::migrations`), or old accounts stop matching their own address.

use crate::sanitize::is_unsafe_char;
use crate::{Field, ValidationError};
use icu_properties::CodePointSetData;
use icu_properties::props::DefaultIgnorableCodePoint;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_security::mixed_script::AugmentedScriptSet;

pub use super::policy::MAX_NAME_CHARS;

/// Longest email accepted, in UTF-8 octets (RFC 5321 4.5.3.1.3 with errata 1690), counted on
/// the address as typed, after NFC and with its domain in ASCII (Punycode).
pub const MAX_EMAIL_OCTETS: usize = 254;
/// Longest part before the @, in UTF-8 octets (RFC 5321 4.5.3.1.1).
pub const MAX_LOCAL_OCTETS: usize = 64;
/// Longest domain, in octets (RFC 1035 2.3.4, less the root label).
const MAX_DOMAIN_OCTETS: usize = 253;
/// Longest domain label, in octets (RFC 1035 2.3.1).
const MAX_LABEL_OCTETS: usize = 63;

/// Characters that draw as blank space although they are letters or symbols. The Hangul
/// fillers are also Default_Ignorable_Code_Point; Braille blank and the null notehead are not.
pub const FILLERS: [char; 6] = [
    '\u{115F}',  // HANGUL CHOSEONG FILLER
    '\u{1160}',  // HANGUL JUNGSEONG FILLER
    '\u{3164}',  // HANGUL FILLER
    '\u{FFA0}',  // HALFWIDTH HANGUL FILLER
    '\u{2800}',  // BRAILLE PATTERN BLANK
    '\u{1D159}', // MUSICAL SYMBOL NULL NOTEHEAD
];

/// Special-use and reserved domains (RFC 6761, 6762, 7686; `email-validator`'s list): no
/// mailbox there can receive mail.
const SPECIAL_USE_DOMAINS: [&str; 6] = ["arpa", "invalid", "local", "localhost", "onion", "test"];

/// True for Default_Ignorable_Code_Point characters (Unicode's "draw nothing" set: zero-width
/// characters, joiners, variation selectors, Hangul fillers, tags, ...).
pub fn is_default_ignorable(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// True for characters that show nothing: Default_Ignorable_Code_Point and [`FILLERS`].
pub fn is_invisible(c: char) -> bool {
    is_default_ignorable(c) || FILLERS.contains(&c)
}

/// True for a character that leaves a visible mark: a letter, digit, punctuation or symbol
/// that is neither invisible nor a filler.
pub fn is_visible(c: char) -> bool {
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    ) && !is_invisible(c)
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Private use and unassigned code points: nothing to show, or something that may change.
fn is_unassigned_or_private(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Unassigned | GeneralCategory::PrivateUse | GeneralCategory::Surrogate
    )
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Does `s` mix scripts beyond what UTS 39 calls "highly restrictive"? One script is fine, and
/// so is Latin with the scripts of Chinese, Japanese or Korean (`jeff葉`); Latin with Cyrillic
/// (`pаypal` with a Cyrillic а) or Greek is not. Digits and punctuation belong to every script.
pub fn mixes_scripts(s: &str) -> bool {
    let latin = AugmentedScriptSet::for_char('a').base;
    let mut all = AugmentedScriptSet::default();
    let mut beside_latin = AugmentedScriptSet::default();
    for c in s.chars() {
        let set = AugmentedScriptSet::for_char(c);
        all.intersect_with(set);
        let mut with_latin = set.base;
        with_latin.intersect_with(latin);
        if with_latin.is_empty() {
            beside_latin.intersect_with(set);
        }
    }
    all.is_empty() && !(beside_latin.jpan || beside_latin.hanb || beside_latin.kore)
}

/// RFC 5322 atext in ASCII; RFC 6531 adds every non-ASCII character.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// A dot-atom: atext runs separated by single dots.
fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|a| !a.is_empty() && a.chars().all(is_atext))
}

fn email_err(message: impl Into<String>) -> ValidationError {
    ValidationError::new(Field::Email, message)
}

fn invalid(detail: &str) -> ValidationError {
    email_err(format!("is not a valid email address: {detail}"))
        .with_hint("Use the form name@example.com.")
}

fn generic_invalid() -> ValidationError {
    email_err("is not a valid email address.").with_hint("Use the form name@example.com.")
}

/// The first character of `s` that no identity may contain, with the reason.
fn forbidden_char(s: &str) -> Option<String> {
    for c in s.chars() {
        let why = if is_line_separator(c) {
            "line or paragraph separators"
        } else if c.is_whitespace() || c.is_control() {
            "spaces or control characters"
        } else if is_unsafe_char(c) || is_invisible(c) {
            "invisible, formatting or filler characters"
        } else if is_unassigned_or_private(c) {
            "unassigned or private-use characters"
        } else {
            continue;
        };
        return Some(format!("must not contain {why} (found {}).", code_point(c)));
    }
    None
}

/// Checks an email address as entered; returns it trimmed and in NFC, the form that is stored.
pub fn validate_email(raw: &str) -> Result<String, ValidationError> {
    let typed = raw.trim();
    if typed.is_empty() {
        return Err(email_err("is required.").with_hint("Enter an address like name@example.com."));
    }
    // Counted before normalizing too, which also bounds the work below.
    check_length(typed.len())?;
    let email: String = typed.nfc().collect();
    check_length(email.len())?;
    // Before NFC as well: "<" followed by U+0338 composes into "≮".
    if typed.contains(['<', '>']) || email.contains(['<', '>']) {
        return Err(
            email_err("must be the address alone, without a name or angle brackets.")
                .with_hint("Enter just name@example.com."),
        );
    }
    if let Some(why) = forbidden_char(&email) {
        return Err(email_err(why));
    }
    if email.starts_with('"') {
        return Err(email_err("must not put the part before the @ in quotes.")
            .with_hint("Remove the quotation marks."));
    }
    let Some((local, domain)) = email.split_once('@') else {
        if email.contains(['＠', '﹫']) {
            return Err(email_err("has a full-width or small at-sign instead of @."));
        }
        return Err(generic_invalid());
    };
    if local.is_empty() {
        return Err(invalid("there must be something before the @."));
    }
    if domain.is_empty() {
        return Err(invalid("there must be something after the @."));
    }
    if domain.contains('@') {
        return Err(invalid("it must have exactly one @."));
    }
    check_local(local)?;
    if domain.starts_with('[') {
        return Err(
            email_err("must have a domain name after the @, not an IP address.")
                .with_hint("Use the form name@example.com."),
        );
    }
    let ascii_domain = check_domain(domain)?;
    let ascii_len = local.len() + 1 + ascii_domain.len();
    if ascii_len > MAX_EMAIL_OCTETS {
        return Err(email_err(format!(
            "is too long once its domain is converted to ASCII ({ascii_len} bytes; at most \
             {MAX_EMAIL_OCTETS})."
        )));
    }
    Ok(email)
}

fn check_length(octets: usize) -> Result<(), ValidationError> {
    if octets > MAX_EMAIL_OCTETS {
        return Err(email_err(format!(
            "is too long ({octets} bytes in UTF-8; at most {MAX_EMAIL_OCTETS})."
        ))
        .with_hint("Use a shorter address."));
    }
    Ok(())
}

fn check_local(local: &str) -> Result<(), ValidationError> {
    if let Some(c) = local.chars().find(|&c| c != '.' && !is_atext(c)) {
        return Err(invalid(&format!(
            "the part before the @ must not contain '{c}'."
        )));
    }
    if local.starts_with('.') {
        return Err(invalid("it must not start with a period."));
    }
    if local.ends_with('.') {
        return Err(invalid("it must not have a period just before the @."));
    }
    if local.contains("..") {
        return Err(invalid("it must not have two periods in a row."));
    }
    if local
        .chars()
        .next()
        .is_some_and(|c| c.general_category_group() == GeneralCategoryGroup::Mark)
    {
        return Err(invalid("it must not start with a combining mark."));
    }
    if local.len() > MAX_LOCAL_OCTETS {
        return Err(email_err(format!(
            "has too long a part before the @ ({} bytes in UTF-8; at most {MAX_LOCAL_OCTETS}).",
            local.len()
        ))
        .with_hint("Use a shorter address."));
    }
    if mixes_scripts(local) {
        return Err(mixed_scripts("the part before the @"));
    }
    Ok(())
}

fn mixed_scripts(part: &str) -> ValidationError {
    email_err(format!(
        "mixes letters of different alphabets (such as Latin and Cyrillic) in {part}, so it \
         could imitate another address."
    ))
    .with_hint("Type each part of the address in one alphabet.")
}

/// Checks the domain; returns its ASCII (Punycode) form.
fn check_domain(domain: &str) -> Result<String, ValidationError> {
    let bad_char = |c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii());
    if domain.len() > MAX_DOMAIN_OCTETS {
        return Err(email_err(format!(
            "has too long a domain after the @ ({} bytes; at most {MAX_DOMAIN_OCTETS}).",
            domain.len()
        )));
    }
    if let Some(c) = domain.chars().find(|&c| bad_char(c)) {
        return Err(domain_chars(c));
    }
    if domain
        .chars()
        .next()
        .is_some_and(|c| c.general_category_group() == GeneralCategoryGroup::Mark)
    {
        return Err(invalid("the domain must not start with a combining mark."));
    }
    // The label separators and the mapping of UTS 46 (full-width forms, case).
    let (mapped, _) =
        Uts46::new().to_unicode(domain.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    if let Some(c) = mapped.chars().find(|&c| bad_char(c) && c != '\u{FFFD}') {
        return Err(domain_chars(c));
    }
    let labels: Vec<&str> = mapped.split('.').collect();
    if mapped.starts_with('.') || mapped.ends_with('.') || mapped.contains("..") {
        return Err(invalid(
            "the domain must not start or end with a period, or have two in a row.",
        ));
    }
    if labels
        .iter()
        .any(|l| l.starts_with('-') || l.ends_with('-'))
    {
        return Err(invalid(
            "no part of the domain may start or end with a hyphen.",
        ));
    }
    // RFC 5891: "ab--" labels are reserved, except Punycode's "xn--".
    if domain_labels_nfkc(domain).iter().any(|l| {
        let b = l.as_bytes();
        b.len() >= 4 && &b[2..4] == b"--" && !l[..2].eq_ignore_ascii_case("xn")
    }) {
        return Err(invalid(
            "no part of the domain may have two hyphens after its first two characters, \
             except Punycode (xn--).",
        ));
    }
    let ascii = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .map_err(|_| {
            email_err("has a domain that is not a valid internationalized domain name (IDNA).")
                .with_hint("Check the part after the @.")
        })?
        .into_owned();
    if ascii.len() > MAX_DOMAIN_OCTETS {
        return Err(email_err(format!(
            "has too long a domain after the @ ({} bytes in ASCII; at most {MAX_DOMAIN_OCTETS}).",
            ascii.len()
        )));
    }
    if ascii.split('.').any(|l| l.len() > MAX_LABEL_OCTETS) {
        return Err(invalid(&format!(
            "a part of the domain is longer than {MAX_LABEL_OCTETS} bytes."
        )));
    }
    if !ascii.contains('.') {
        return Err(generic_invalid());
    }
    if !ascii.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(email_err(
            "must end in a real top-level domain (such as .com or .org), not digits or an IP \
             address.",
        )
        .with_hint("Use the form name@example.com."));
    }
    if SPECIAL_USE_DOMAINS
        .iter()
        .any(|d| ascii == *d || ascii.ends_with(&format!(".{d}")))
    {
        return Err(email_err(
            "has a reserved domain (such as .localhost, .local or .test) that cannot receive mail.",
        ));
    }
    let (unicode, _) =
        Uts46::new().to_unicode(ascii.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    if unicode.split('.').any(mixes_scripts) {
        return Err(mixed_scripts("a part of the domain"));
    }
    Ok(ascii)
}

/// The labels of a domain as typed, with full-width and ideographic full stops as dots.
fn domain_labels_nfkc(domain: &str) -> Vec<String> {
    let s: String = domain
        .nfkc()
        .map(|c| if matches!(c, '。' | '｡') { '.' } else { c })
        .collect();
    s.split('.').map(str::to_owned).collect()
}

fn domain_chars(c: char) -> ValidationError {
    let shown = if c.is_ascii_graphic() {
        format!("'{c}'")
    } else {
        code_point(c)
    };
    invalid(&format!("the domain after the @ must not contain {shown}."))
        .with_hint("A domain name has letters, digits, hyphens and dots, like example.com.")
}

/// Did vaultty before the identity rules of issue 12 accept this address? Such an address may
/// be stored, so login still accepts it (an unknown one then fails like any unknown email).
fn accepted_by_earlier_rules(raw: &str) -> bool {
    let email = raw.trim();
    // Built with the crate's own builder: a struct literal breaks when a compatible release
    // adds a field (it did: `cargo install` without --locked failed to compile).
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    !email.is_empty()
        && email.chars().count() <= MAX_EMAIL_OCTETS
        && !email
            .chars()
            .any(|c| c.is_whitespace() || is_unsafe_char(c))
        && email_address::EmailAddress::parse_with_options(email, options).is_ok()
}

/// Checks an email typed to log in: the current rules, or those of earlier versions, under
/// which an account may have been created. Returns it trimmed and in NFC.
pub fn validate_login_email(raw: &str) -> Result<String, ValidationError> {
    validate_email(raw).or_else(|e| {
        if accepted_by_earlier_rules(raw) {
            Ok(raw.trim().nfc().collect())
        } else {
            Err(e)
        }
    })
}

/// The uniqueness key of an email, for `accounts.email_norm` and throttling: NFKC on the
/// whole address (full-width forms), simple quoted local parts unquoted (`"ada"` is `ada`),
/// the local part lowercased, and the domain mapped by UTS 46 to its Unicode form (case,
/// full-width dots, and Punycode: `xn--bcher-kva.de` is `bücher.de`). Total: any string has
/// a key.
pub fn normalize_email(email: &str) -> String {
    let email: String = email.trim().nfkc().collect();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return fold_case(&email);
    };
    let local = match local
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .map(unescape_quoted)
    {
        Some(inner) if is_dot_atom(&inner) => inner,
        _ => local.to_owned(),
    };
    let (mapped, result) =
        Uts46::new().to_unicode(domain.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    let domain = if result.is_ok() {
        mapped.nfc().collect()
    } else {
        fold_case(domain)
    };
    format!("{}@{domain}", fold_case(&local))
}

fn fold_case(s: &str) -> String {
    s.to_lowercase().nfkc().collect()
}

/// The content of a quoted string: a backslash keeps the next character as it is.
fn unescape_quoted(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks a display name; returns it trimmed.
pub fn validate_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw.trim();
    let err = |m: &str| ValidationError::new(Field::Name, m);
    if name.is_empty() {
        return Err(err("is required.").with_hint("Enter the name to greet you by."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(err(&format!(
            "is too long (at most {MAX_NAME_CHARS} characters)."
        )));
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let after_text = prev.is_some_and(|p| !p.is_whitespace());
        // Joiners between two characters (Persian, Indic scripts, emoji sequences) and
        // variation selectors after one (emoji presentation) are part of the text.
        if matches!(c, '\u{200C}' | '\u{200D}')
            && after_text
            && next.is_some_and(|n| !n.is_whitespace())
            || is_variation_selector(c) && after_text
        {
            continue;
        }
        let why = if is_line_separator(c) {
            "must not contain line or paragraph separators"
        } else if is_unsafe_char(c) || c.is_control() {
            "must not contain control characters or invisible formatting (such as bidi overrides)"
        } else if is_invisible(c) {
            "must not contain invisible or filler characters"
        } else if is_unassigned_or_private(c) {
            "must not contain unassigned or private-use characters"
        } else {
            continue;
        };
        return Err(err(&format!("{why} (found {}).", code_point(c))));
    }
    if !chars.iter().copied().any(is_visible) {
        return Err(err("must contain at least one visible character.")
            .with_hint("Enter the name to greet you by."));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            validate_email("  Bob@Example.com ").unwrap(),
            "Bob@Example.com"
        );
        assert_eq!(normalize_email("  Bob@Example.COM "), "bob@example.com");
        for bad in [
            "",
            "bob",
            "bob@",
            "@example.com",
            "bob@localhost",
            "Bob <bob@example.com>",
            "' OR '1'='1' --",
            "bo b@example.com",
            "bob\x1b[2J@example.com",
            "a@b@example.com",
            ".bob@example.com",
            "bob.@example.com",
            "bo..b@example.com",
            "bob@-example.com",
            "bob@example-.com",
            "bob@exa..mple.com",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(validate_email(&long).is_err());
    }

    #[test]
    fn id_03_scripts_per_part() {
        assert!(!mixes_scripts("ada"));
        assert!(!mixes_scripts("ada.lovelace+2"));
        assert!(!mixes_scripts("иван"));
        assert!(!mixes_scripts("jeff葉"));
        assert!(!mixes_scripts("tanaka田中たなか"));
        assert!(!mixes_scripts("kim김"));
        assert!(mixes_scripts("p\u{0430}ypal"));
        assert!(mixes_scripts("\u{03BF}mega"));
        assert!(mixes_scripts("иванκ"));
    }

    #[test]
    fn id_01_visible_characters() {
        for c in ['a', 'é', '1', '!', '€', '李', '🦊'] {
            assert!(is_visible(c), "{c:?}");
        }
        for c in [
            ' ', '\u{3164}', '\u{2800}', '\u{115F}', '\u{FFA0}', '\u{200B}', '\u{0301}',
            '\u{FE0F}', '\u{00AD}',
        ] {
            assert!(!is_visible(c), "{c:?}");
        }
    }

    #[test]
    fn id_02_login_accepts_addresses_earlier_rules_stored() {
        // An underscore in a domain was accepted before; such an account must still log in.
        let old = "ada@mail_server.example.com";
        assert!(validate_email(old).is_err());
        assert_eq!(validate_login_email(old).unwrap(), old);
        // Invisible characters were refused then too.
        assert!(validate_login_email("ada\u{200B}@example.com").is_err());
        assert!(validate_login_email("not-an-email").is_err());
    }
}

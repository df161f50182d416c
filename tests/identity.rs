//! Identities that look alike or look empty (issue 12, finding 4): the email and name rules
//! and the uniqueness key, through the library's public API. Rows TM-01, TM-02 and ID-01..ID-04
//! of SECURITY.md; the comparison with Python's email-validator is in `email_corpus.rs`.

use vaultty::Field;
use vaultty::auth::policy::{normalize_email, validate_email, validate_name};
use vaultty::sanitize::for_display;

#[track_caller]
fn name_refused(name: &str, why: &str) {
    match validate_name(name) {
        Ok(n) => panic!("name {name:?} accepted as {n:?}"),
        Err(e) => {
            assert_eq!(e.field, Field::Name);
            assert!(e.message.contains(why), "{name:?}: {}", e.message);
        }
    }
}

#[track_caller]
fn email_refused(email: &str, why: &str) {
    match validate_email(email) {
        Ok(e) => panic!("email {email:?} accepted as {e:?}"),
        Err(e) => {
            assert_eq!(e.field, Field::Email);
            assert!(e.message.contains(why), "{email:?}: {}", e.message);
        }
    }
}

#[track_caller]
fn email_accepted(email: &str) -> String {
    validate_email(email).unwrap_or_else(|e| panic!("{email:?} refused: {e}"))
}

/// ID-01: a name made only of invisible or filler characters shows as nothing; fillers and
/// Default_Ignorable_Code_Point characters are refused anywhere, with the code point named.
#[test]
fn id_01_invisible_and_filler_names_refused() {
    for (name, cp) in [
        ("\u{3164}", "U+3164"),         // HANGUL FILLER
        ("\u{2800}", "U+2800"),         // BRAILLE PATTERN BLANK
        ("\u{115F}\u{1160}", "U+115F"), // HANGUL CHOSEONG / JUNGSEONG FILLER
        ("\u{FFA0}", "U+FFA0"),         // HALFWIDTH HANGUL FILLER
        ("Ada\u{3164}", "U+3164"),
        ("\u{3164}Ada", "U+3164"),
        ("Ada \u{2800} Lovelace", "U+2800"),
        ("\u{034F}", "U+034F"),    // COMBINING GRAPHEME JOINER
        ("Ada\u{17B4}", "U+17B4"), // KHMER VOWEL INHERENT AQ
        ("\u{200D}", "U+200D"),    // a joiner alone
        ("\u{FE0F}", "U+FE0F"),    // a variation selector alone
    ] {
        name_refused(name, cp);
    }
    // Only marks: nothing visible to greet.
    name_refused("\u{0301}\u{0301}", "visible");
}

/// ID-01: emails with invisible or filler characters are refused, with the code point named.
#[test]
fn id_01_invisible_and_filler_emails_refused() {
    for (email, cp) in [
        ("\u{3164}@example.com", "U+3164"),
        ("ada\u{3164}@example.com", "U+3164"),
        ("\u{2800}@example.com", "U+2800"),
        ("ada@exam\u{3164}ple.com", "U+3164"),
        ("ada\u{FFA0}@example.com", "U+FFA0"),
        ("ada\u{034F}@example.com", "U+034F"),
        ("ada\u{FE0F}@example.com", "U+FE0F"),
        ("ada\u{200D}x@example.com", "U+200D"),
    ] {
        email_refused(email, cp);
    }
}

/// ID-01: what real names need still works: joiners inside words (Persian, Devanagari,
/// emoji sequences) and emoji presentation selectors after a character.
#[test]
fn id_01_joiners_and_variation_selectors_inside_names_accepted() {
    for name in [
        "Zoë Ångström",
        "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0645}",
        "\u{0915}\u{094D}\u{200D}\u{0937}",
        "👩\u{200D}🔬 Ada",
        "I \u{2764}\u{FE0F} Rust",
        "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308} Pride",
        "李小龙",
    ] {
        assert_eq!(validate_name(name).as_deref(), Ok(name), "{name:?}");
    }
}

/// TM-02: line and paragraph separators cannot start a line of their own in a name or an
/// email; TM-01: the display sanitizer strips them from whatever is stored.
#[test]
fn tm_02_line_separators_refused_in_names_and_emails() {
    for sep in ['\u{2028}', '\u{2029}'] {
        name_refused(&format!("Eve{sep}role: admin"), "separator");
        email_refused(&format!("eve{sep}x@example.com"), "separator");
        email_refused(&format!("eve@exa{sep}mple.com"), "separator");
        let shown = for_display(&format!("Eve{sep}role: admin"));
        assert!(!shown.contains(sep), "{shown:?}");
        assert!(shown.contains("role: admin"), "{shown:?}");
    }
}

/// ID-02: one mailbox, one uniqueness key: case, full-width forms (NFKC), a quoted simple
/// local part, an IDN domain and its Punycode, NFD and NFC.
#[test]
fn id_02_one_mailbox_one_key() {
    let same = [
        ("ada@example.com", "ada@example.com"),
        ("  Ada@Example.COM ", "ada@example.com"),
        ("ａｄａ@ｅｘａｍｐｌｅ．ｃｏｍ", "ada@example.com"),
        ("\"ada\"@example.com", "ada@example.com"),
        ("\"a\\da\"@example.com", "ada@example.com"),
        ("\"ada.l\"@example.com", "ada.l@example.com"),
        ("ada@bücher.de", "ada@bücher.de"),
        ("ada@xn--bcher-kva.de", "ada@bücher.de"),
        ("ADA@XN--BCHER-KVA.DE", "ada@bücher.de"),
        ("ada@BÜCHER.de", "ada@bücher.de"),
        ("ada@bu\u{0308}cher.de", "ada@bücher.de"),
        ("re\u{0301}my@example.com", "rémy@example.com"),
        ("rémy@example.com", "rémy@example.com"),
    ];
    for (email, key) in same {
        let norm = normalize_email(email);
        assert_eq!(norm, key, "{email:?}");
        assert_eq!(normalize_email(&norm), norm, "idempotent for {email:?}");
    }
    // Quoting that changes the mailbox stays.
    assert_ne!(
        normalize_email("\"a b\"@example.com"),
        normalize_email("ab@example.com")
    );
    assert_ne!(
        normalize_email("\"a..b\"@example.com"),
        normalize_email("a.b@example.com")
    );
}

/// ID-02: the address is stored as typed, but in NFC (what was normalized before validating).
#[test]
fn id_02_emails_are_stored_trimmed_and_in_nfc() {
    assert_eq!(
        email_accepted("  Bob@Example.com "),
        "Bob@Example.com",
        "case kept as typed"
    );
    assert_eq!(
        email_accepted("re\u{0301}my@example.com"),
        "rémy@example.com"
    );
    // Quoted local parts are refused (email-validator refuses them by default too).
    email_refused("\"ada\"@example.com", "quotes");
}

/// ID-03: a local part or a domain label mixing scripts beyond UTS 39's "highly restrictive"
/// level is refused: Latin with Cyrillic or Greek look-alikes. One script per part, and Latin
/// with Chinese, Japanese or Korean, are fine.
#[test]
fn id_03_mixed_script_lookalikes_refused() {
    for email in [
        "p\u{0430}ypal@example.com",    // Cyrillic а in a Latin local part
        "ada@p\u{0430}ypal.com",        // ... in a domain label
        "ada@xn--pypal-4ve.com",        // ... the same label in Punycode
        "\u{03BF}mega.ada@example.com", // Greek ο
        "ada@g\u{043E}\u{043E}gle.com", // Cyrillic о о
    ] {
        email_refused(email, "alphabets");
    }
    for email in [
        "иван@пример.рф",
        "ivan@пример.рф",
        "иван@example.com",
        "jeff葉@臺網中心.tw",
        "田中たなか@例え.jp",
        "θσερ@εχαμπλε.ψομ",
        "ada.lovelace+2@mail-1.example.co.uk",
    ] {
        email_accepted(email);
    }
}

/// ID-04: what RFC 6531 allows is accepted: NFD input, nonspacing marks in the local part
/// (Devanagari virama, Thai tone marks), IDN domains.
#[test]
fn id_04_rfc_6531_addresses_accepted() {
    for email in [
        "e\u{0301}@example.com",
        "उदाहरण.परीक्ष@domain.with.idn.tld",
        "राम@मोहन.ईन्फो",
        "\u{0E1C}\u{0E39}\u{0E49}\u{0E43}\u{0E0A}\u{0E49}@example.com",
        "ñoñó@example.tld",
        "jeff@臺網中心.tw",
        "ada@xn--bcher-kva.de",
    ] {
        email_accepted(email);
    }
}

/// ID-04: IP addresses, all-numeric TLDs, invalid IDNA labels and underscores in domains are
/// refused, each with a message that says what to fix.
#[test]
fn id_04_ip_numeric_tld_idna_and_underscore_refused() {
    email_refused("me@127.0.0.1", "top-level domain");
    email_refused("me@example.123", "top-level domain");
    email_refused("me@[127.0.0.1]", "IP address");
    email_refused("me@xn--0.tld", "IDNA");
    email_refused("me@1.xn--4dbc.com", "IDNA");
    email_refused("me@yy--0.tld", "hyphens");
    email_refused("me@under_score.example.com", "'_'");
    email_refused("me@localhost", "not a valid email address");
    email_refused("me@host.localhost", "reserved");
    email_refused("Ada <ada@example.com>", "angle brackets");
    email_refused("ada＠example.com", "at-sign");
}

/// ID-04: lengths are counted in UTF-8 octets: 254 for the address, 64 before the @, with a
/// message that says which.
#[test]
fn id_04_lengths_in_octets() {
    // 32 é are 64 octets: the most before the @.
    email_accepted(&format!("{}@example.com", "é".repeat(32)));
    let e = validate_email(&format!("{}@example.com", "é".repeat(33))).unwrap_err();
    assert!(
        e.message.contains("before the @") && e.message.contains("64"),
        "{}",
        e.message
    );
    // Under 254 characters but over 254 octets.
    let domain = format!("{0}.{0}.{0}.com", "a".repeat(62));
    let email = format!("{}@{domain}", "é".repeat(32));
    assert!(email.chars().count() <= 254 && email.len() > 254);
    let e = validate_email(&email).unwrap_err();
    assert!(
        e.message.contains("too long") && e.message.contains("bytes"),
        "{}",
        e.message
    );
    // Exactly 254 octets is fine.
    let domain = format!("{0}.{0}.{0}.com", "a".repeat(62));
    let local = "a".repeat(254 - 1 - domain.len());
    email_accepted(&format!("{local}@{domain}"));
}

/// The names of the previous rules still hold.
#[test]
fn tm_02_names_with_controls_bidi_or_overlength_refused() {
    assert_eq!(validate_name("  Zoë Ångström ").unwrap(), "Zoë Ångström");
    assert!(validate_name("   ").is_err());
    assert!(validate_name(&"n".repeat(101)).is_err());
    assert!(validate_name(&"n".repeat(100)).is_ok());
    for bad in [
        "evil\u{202e}txt",
        "a\x1b[2Jb",
        "x\u{9b}31m",
        "tab\there",
        "zw\u{200b}sp",
    ] {
        assert_eq!(
            validate_name(bad).unwrap_err().field,
            Field::Name,
            "{bad:?}"
        );
    }
}

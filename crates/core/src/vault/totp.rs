//! Time-based one-time passwords (RFC 6238) from an entry's `totp` field.
//!
//! The field holds either an `otpauth://totp/...` URI (the key-URI format of Google
//! Authenticator, which most sites show as a QR code) or a bare base32 seed. [`Totp::parse`]
//! reads either one, refusing what it cannot honour with a [`TotpError`] that says what to fix;
//! [`Totp::code_at`] computes the code for a time and [`Totp::remaining_secs`] the countdown.
//!
//! The seed lives in a zeroizing buffer, and neither `Debug` nor an error ever shows it.

use hmac::{Hmac, KeyInit, Mac, digest::block_api::EagerHash};
use percent_encoding::percent_decode_str;
use std::fmt;
use std::sync::LazyLock;
use zeroize::Zeroizing;

/// The longest period accepted, in seconds: one day.
pub const MAX_PERIOD_SECS: u32 = 24 * 60 * 60;
/// The period when none is given, in seconds.
pub const DEFAULT_PERIOD_SECS: u32 = 30;
/// The number of digits when none is given.
pub const DEFAULT_DIGITS: u8 = 6;

/// The HMAC hash of a TOTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The name an otpauth URI uses.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

/// Why a `totp` field is refused. The messages read after "The TOTP ..." and never hold the
/// seed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("is empty: paste an otpauth://totp/ URI or the base32 seed the site shows.")]
    Empty,
    #[error("is a counter-based (HOTP) URI: vaultty only does time-based codes (otpauth://totp/).")]
    Hotp,
    #[error("is not an otpauth://totp/ URI ({0}).")]
    BadUri(&'static str),
    #[error("URI has no secret= parameter: add the site's base32 seed as secret=...")]
    MissingSecret,
    #[error("URI gives the {0} parameter twice: keep one.")]
    Repeated(&'static str),
    #[error("seed is not valid base32: use the letters A-Z and digits 2-7 the site shows.")]
    InvalidSecret,
    #[error("algorithm {0:?} is not supported: use SHA1, SHA256 or SHA512.")]
    UnknownAlgorithm(String),
    #[error("digits {0:?} is not supported: use 6 or 8.")]
    BadDigits(String),
    #[error("period {0:?} is not supported: use a number of seconds from 1 to {MAX_PERIOD_SECS}.")]
    BadPeriod(String),
}

/// A parsed TOTP: the seed and how codes are made from it.
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    secret: Zeroizing<Vec<u8>>,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    issuer: Option<String>,
    account: Option<String>,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("secret", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

/// Base32 (RFC 4648) as people paste it: any case, spaces and dashes between groups, padding
/// or none, and trailing bits that are not zero.
static BASE32: LazyLock<data_encoding::Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.ignore.push_str(" -=");
    spec.check_trailing_bits = false;
    // A fixed, valid specification: it cannot fail.
    spec.encoding()
        .unwrap_or_else(|_| data_encoding::BASE32_NOPAD.clone())
});

fn decode_seed(seed: &str) -> Result<Zeroizing<Vec<u8>>, TotpError> {
    let input = seed.trim().as_bytes();
    let len = BASE32
        .decode_len(input.len())
        .map_err(|_| TotpError::InvalidSecret)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let n = BASE32
        .decode_mut(input, &mut out)
        .map_err(|_| TotpError::InvalidSecret)?;
    out.truncate(n);
    if out.is_empty() {
        return Err(TotpError::InvalidSecret);
    }
    Ok(out)
}

/// A query value or label part, percent-decoded (`+` is a space in query values, as many
/// generators write it).
fn decode_part(raw: &str, plus_is_space: bool) -> Result<String, TotpError> {
    let raw = if plus_is_space {
        raw.replace('+', " ")
    } else {
        raw.to_owned()
    };
    percent_decode_str(&raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| TotpError::BadUri("a part is not valid UTF-8 once percent-decoded"))
}

/// At most a few characters of a refused value, to show in an error.
fn shown(value: &str) -> String {
    value.chars().take(16).collect()
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl Totp {
    /// Reads an entry's `totp` field: an `otpauth://totp/...` URI or a bare base32 seed.
    pub fn parse(field: &str) -> Result<Totp, TotpError> {
        let field = field.trim();
        if field.is_empty() {
            return Err(TotpError::Empty);
        }
        match field.get(..8) {
            Some(scheme) if scheme.eq_ignore_ascii_case("otpauth:") => Self::parse_uri(&field[8..]),
            _ => Ok(Totp {
                secret: decode_seed(field)?,
                algorithm: Algorithm::Sha1,
                digits: DEFAULT_DIGITS,
                period: DEFAULT_PERIOD_SECS,
                issuer: None,
                account: None,
            }),
        }
    }

    /// The URI after `otpauth:`.
    fn parse_uri(rest: &str) -> Result<Totp, TotpError> {
        let rest = rest
            .strip_prefix("//")
            .ok_or(TotpError::BadUri("expected otpauth:// at the start"))?;
        let rest = rest.split('#').next().unwrap_or_default();
        let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if kind.eq_ignore_ascii_case("hotp") {
            return Err(TotpError::Hotp);
        }
        if !kind.eq_ignore_ascii_case("totp") {
            return Err(TotpError::BadUri("the type after otpauth:// must be totp"));
        }
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));

        let mut secret: Option<Zeroizing<String>> = None;
        let mut algorithm: Option<String> = None;
        let mut digits: Option<String> = None;
        let mut period: Option<String> = None;
        let mut issuer: Option<String> = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (slot, name) = match key.to_ascii_lowercase().as_str() {
                "secret" => {
                    if secret.is_some() {
                        return Err(TotpError::Repeated("secret"));
                    }
                    secret = Some(Zeroizing::new(decode_part(value, false)?));
                    continue;
                }
                "algorithm" => (&mut algorithm, "algorithm"),
                "digits" => (&mut digits, "digits"),
                "period" => (&mut period, "period"),
                "issuer" => (&mut issuer, "issuer"),
                // Other parameters (image, counter, ...) do not change a TOTP's codes.
                _ => continue,
            };
            if slot.is_some() {
                return Err(TotpError::Repeated(name));
            }
            *slot = Some(decode_part(value, true)?);
        }

        let secret = decode_seed(secret.ok_or(TotpError::MissingSecret)?.as_str())?;
        let algorithm = match algorithm {
            None => Algorithm::Sha1,
            Some(a) => match a.trim().to_ascii_uppercase().as_str() {
                "SHA1" => Algorithm::Sha1,
                "SHA256" => Algorithm::Sha256,
                "SHA512" => Algorithm::Sha512,
                _ => return Err(TotpError::UnknownAlgorithm(shown(&a))),
            },
        };
        let digits = match digits {
            None => DEFAULT_DIGITS,
            Some(d) => match d.trim().parse::<u8>() {
                Ok(n @ (6 | 8)) => n,
                _ => return Err(TotpError::BadDigits(shown(&d))),
            },
        };
        let period = match period {
            None => DEFAULT_PERIOD_SECS,
            Some(p) => match p.trim().parse::<u32>() {
                Ok(n @ 1..=MAX_PERIOD_SECS) => n,
                _ => return Err(TotpError::BadPeriod(shown(&p))),
            },
        };

        // The label is "Issuer:account" or "account"; the issuer parameter wins over the prefix.
        let label = decode_part(label, false)?;
        let (prefix, account) = match label.split_once(':') {
            Some((prefix, account)) => (non_empty(prefix), non_empty(account)),
            None => (None, non_empty(&label)),
        };
        Ok(Totp {
            secret,
            algorithm,
            digits,
            period,
            issuer: issuer.as_deref().and_then(non_empty).or(prefix),
            account,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// 6 or 8.
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Seconds each code is valid for.
    pub fn period(&self) -> u32 {
        self.period
    }

    /// Who issued the seed (the issuer parameter, or the label's prefix), if the URI says.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name from the URI's label, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The time step of `unix_secs`; times before 1970 count as 1970.
    fn counter(&self, unix_secs: i64) -> u64 {
        u64::try_from(unix_secs).unwrap_or(0) / u64::from(self.period)
    }

    /// The code at `unix_secs` (Unix time, UTC), zero-padded to [`Totp::digits`].
    pub fn code_at(&self, unix_secs: i64) -> Zeroizing<String> {
        let msg = self.counter(unix_secs).to_be_bytes();
        let mac = match self.algorithm {
            Algorithm::Sha1 => hmac::<sha1::Sha1>(&self.secret, &msg),
            Algorithm::Sha256 => hmac::<sha2::Sha256>(&self.secret, &msg),
            Algorithm::Sha512 => hmac::<sha2::Sha512>(&self.secret, &msg),
        };
        // RFC 4226 section 5.3, dynamic truncation.
        let offset = usize::from(mac[mac.len() - 1] & 0x0f);
        let word = [
            mac[offset],
            mac[offset + 1],
            mac[offset + 2],
            mac[offset + 3],
        ];
        let value = u32::from_be_bytes(word) & 0x7fff_ffff;
        let code = value % 10u32.pow(u32::from(self.digits));
        Zeroizing::new(format!("{code:0width$}", width = usize::from(self.digits)))
    }

    /// Seconds until the code of `unix_secs` changes: from the period down to 1.
    pub fn remaining_secs(&self, unix_secs: i64) -> u32 {
        let period = u64::from(self.period);
        let into = u64::try_from(unix_secs).unwrap_or(0) % period;
        // `into < period <= MAX_PERIOD_SECS`, so this fits.
        u32::try_from(period - into).unwrap_or(self.period)
    }
}

/// HMAC-`D` of `msg` under `key`, in a zeroizing buffer.
fn hmac<D: EagerHash>(key: &[u8], msg: &[u8]) -> Zeroizing<Vec<u8>>
where
    Hmac<D>: KeyInit + Mac,
{
    let mut mac =
        <Hmac<D> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(msg);
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    fn uri(seed: &[u8], algorithm: &str) -> String {
        format!(
            "otpauth://totp/RFC:6238?secret={}&algorithm={algorithm}&digits=8",
            data_encoding::BASE32_NOPAD.encode(seed)
        )
    }

    /// RFC 6238 Appendix B: every time and mode of the table.
    #[test]
    fn vt_11_rfc6238_appendix_b() {
        let table: [(i64, [&str; 3]); 6] = [
            (59, ["94287082", "46119246", "90693936"]),
            (1111111109, ["07081804", "68084774", "25091201"]),
            (1111111111, ["14050471", "67062674", "99943326"]),
            (1234567890, ["89005924", "91819424", "93441116"]),
            (2000000000, ["69279037", "90698825", "38618901"]),
            (20000000000, ["65353130", "77737706", "47863826"]),
        ];
        let totps = [
            Totp::parse(&uri(SEED_SHA1, "SHA1")).unwrap(),
            Totp::parse(&uri(SEED_SHA256, "SHA256")).unwrap(),
            Totp::parse(&uri(SEED_SHA512, "SHA512")).unwrap(),
        ];
        assert_eq!(
            totps.each_ref().map(Totp::algorithm),
            [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
        );
        for (time, codes) in table {
            for (totp, code) in totps.iter().zip(codes) {
                assert_eq!(
                    totp.code_at(time).as_str(),
                    code,
                    "{:?} at {time}",
                    totp.algorithm()
                );
            }
        }
    }

    #[test]
    fn six_digits_are_the_low_digits_zero_padded() {
        // 1111111109 gives 07081804 in eight digits: six are 081804, the leading 0 kept.
        let t = Totp::parse(&data_encoding::BASE32.encode(SEED_SHA1)).unwrap();
        assert_eq!(t.digits(), 6);
        assert_eq!(t.code_at(1111111109).as_str(), "081804");
        assert_eq!(t.code_at(59).as_str(), "287082");
    }

    #[test]
    fn google_authenticator_uri() {
        let t = Totp::parse(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        )
        .unwrap();
        assert_eq!(t.issuer(), Some("Example"));
        assert_eq!(t.account(), Some("alice@google.com"));
        assert_eq!(
            (t.algorithm(), t.digits(), t.period()),
            (Algorithm::Sha1, 6, 30)
        );
        assert_eq!(*t.secret, b"Hello!\xde\xad\xbe\xef".to_vec());
    }

    #[test]
    fn issuer_from_the_label_prefix_percent_decoded() {
        let t =
            Totp::parse("otpauth://totp/ACME%20Co:john.doe%40email.com?secret=JBSWY3DPEHPK3PXP")
                .unwrap();
        assert_eq!(t.issuer(), Some("ACME Co"));
        assert_eq!(t.account(), Some("john.doe@email.com"));
        // An encoded colon separates too, and a space after it is dropped.
        let t = Totp::parse("otpauth://totp/Big%20Bank%3A%20ada?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!((t.issuer(), t.account()), (Some("Big Bank"), Some("ada")));
        // The issuer parameter wins over the prefix; `+` in a query value is a space.
        let t =
            Totp::parse("otpauth://totp/Old:ada?issuer=New+Name&secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(t.issuer(), Some("New Name"));
        // No label at all.
        let t = Totp::parse("otpauth://totp/?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!((t.issuer(), t.account()), (None, None));
    }

    #[test]
    fn uri_options_in_any_case() {
        let t = Totp::parse(
            "OTPAUTH://TOTP/x?SECRET=jbswy3dpehpk3pxp&Algorithm=sha512&digits=8&period=60&image=https://x/y.png",
        )
        .unwrap();
        assert_eq!(
            (t.algorithm(), t.digits(), t.period()),
            (Algorithm::Sha512, 8, 60)
        );
        assert_eq!(t.code_at(0).len(), 8);
    }

    #[test]
    fn bare_seed_in_any_case_with_spaces_dashes_and_padding() {
        let reference = Totp::parse("JBSWY3DPEHPK3PXP").unwrap();
        for written in [
            "jbsw y3dp ehpk 3pxp",
            "  JBSW-Y3DP-EHPK-3PXP  ",
            "JBSWY3DPEHPK3PXP======",
            "jBsWy3DpEhPk3PxP",
        ] {
            let t = Totp::parse(written).unwrap();
            assert_eq!(t, reference, "{written}");
        }
        assert_eq!(reference.issuer(), None);
        // A percent-encoded padded secret in a URI.
        let t = Totp::parse("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP%3D%3D%3D%3D%3D%3D").unwrap();
        assert_eq!(t.secret, reference.secret);
    }

    #[test]
    fn refusals() {
        use TotpError::*;
        let cases: &[(&str, TotpError)] = &[
            ("", Empty),
            ("   ", Empty),
            ("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=0", Hotp),
            (
                "otpauth://foo/x?secret=JBSWY3DPEHPK3PXP",
                BadUri("the type after otpauth:// must be totp"),
            ),
            (
                "otpauth:totp/x?secret=JBSWY3DPEHPK3PXP",
                BadUri("expected otpauth:// at the start"),
            ),
            ("otpauth://totp/x?issuer=Example", MissingSecret),
            ("otpauth://totp/x?secret=", InvalidSecret),
            (
                "otpauth://totp/x?secret=JBSWY3DP&secret=EHPK3PXP",
                Repeated("secret"),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=6&digits=8",
                Repeated("digits"),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
                UnknownAlgorithm("MD5".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=",
                UnknownAlgorithm(String::new()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=7",
                BadDigits("7".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10",
                BadDigits("10".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=six",
                BadDigits("six".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0",
                BadPeriod("0".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=86401",
                BadPeriod("86401".into()),
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=-30",
                BadPeriod("-30".into()),
            ),
            (
                "otpauth://totp/%FF?secret=JBSWY3DPEHPK3PXP",
                BadUri("a part is not valid UTF-8 once percent-decoded"),
            ),
            ("JBSWY3DPEHPK3PX1", InvalidSecret),
            ("JBSWY3DPEHPK3P", InvalidSecret),
            ("https://example.org", InvalidSecret),
            ("----", InvalidSecret),
        ];
        for (field, expected) in cases {
            assert_eq!(Totp::parse(field).unwrap_err(), *expected, "{field:?}");
        }
    }

    #[test]
    fn a_day_long_period_is_accepted() {
        let t = Totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=86400").unwrap();
        assert_eq!(t.period(), MAX_PERIOD_SECS);
    }

    #[test]
    fn errors_say_what_to_fix_and_hold_no_seed() {
        let e = Totp::parse("otpauth://totp/x?secret=SEEDSEEDSEEDSEED&algorithm=MD5").unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("SHA1, SHA256 or SHA512"), "{shown}");
        assert!(!shown.contains("SEEDSEED"), "{shown}");
        let e = Totp::parse("SEEDSEEDSEEDSEE1").unwrap_err();
        assert!(!e.to_string().contains("SEED") && !format!("{e:?}").contains("SEED"));
        assert!(TotpError::Hotp.to_string().contains("otpauth://totp/"));
        // A long refused value is clipped.
        let e = Totp::parse(&format!(
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits={}",
            "9".repeat(100)
        ))
        .unwrap_err();
        assert!(e.to_string().len() < 100, "{e}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let t = Totp::parse("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP").unwrap();
        let shown = format!("{t:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        for secret in ["JBSWY3DPEHPK3PXP", "Hello", "72, 101", "[72", "48656c6c6f"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn countdown() {
        let t = Totp::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(t.remaining_secs(0), 30);
        assert_eq!(t.remaining_secs(1), 29);
        assert_eq!(t.remaining_secs(29), 1);
        assert_eq!(t.remaining_secs(30), 30);
        assert_eq!(t.remaining_secs(1111111109), 1);
        // The code holds for the whole step and changes when the countdown restarts.
        assert_eq!(t.code_at(30), t.code_at(59));
        assert_ne!(t.code_at(59), t.code_at(60));
        // Before 1970: as at 1970.
        assert_eq!(t.code_at(-5), t.code_at(0));
        assert_eq!(t.remaining_secs(-5), 30);
        let day = Totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=86400").unwrap();
        assert_eq!(day.remaining_secs(86_399), 1);
        assert_eq!(
            day.remaining_secs(i64::MAX),
            86_400 - (i64::MAX as u64 % 86_400) as u32
        );
    }
}

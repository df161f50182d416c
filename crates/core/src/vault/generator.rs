//! The password generator: passphrases of words from the EFF large word list, or random
//! characters from chosen classes.
//!
//! Every choice is uniform: draws from the OS random source are mapped onto a range by
//! rejection sampling, never by a bare modulo. A character password is drawn whole from the
//! union of the chosen classes and drawn again until it holds each class, so it is uniform over
//! the passwords that do, and [`Generator::entropy_bits`] counts exactly those. Output is a
//! zeroizing string.

use std::ops::RangeInclusive;
use std::sync::LazyLock;
use zeroize::Zeroizing;

/// The EFF large word list (7,776 words, one per line; see README.md for its source).
const WORDLIST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/eff_large_wordlist.txt"
));

static WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| WORDLIST.lines().collect());

/// How many words a passphrase may have.
pub const PASSPHRASE_WORDS: RangeInclusive<usize> = 4..=20;
/// How many characters a character password may have.
pub const PASSWORD_LENGTH: RangeInclusive<usize> = 8..=128;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
/// ASCII punctuation without quotes, backslash and backtick, which need escaping in shells,
/// CSV and JSON.
const SYMBOLS: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
/// Characters easily mistaken for one another, left out on request.
const AMBIGUOUS: &str = "0Oo1Il|";

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Passphrase(Passphrase),
    Characters(Characters),
}

impl Default for Generator {
    fn default() -> Self {
        Generator::Passphrase(Passphrase::default())
    }
}

/// Words from the EFF large list joined by a separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passphrase {
    /// [`PASSPHRASE_WORDS`]; default 6.
    pub words: usize,
    /// Default `-`; any character but a control character.
    pub separator: char,
    /// Each word's first letter in upper case.
    pub capitalize: bool,
}

impl Default for Passphrase {
    fn default() -> Self {
        Passphrase {
            words: 6,
            separator: '-',
            capitalize: false,
        }
    }
}

/// Random characters, at least one of each chosen class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Characters {
    /// [`PASSWORD_LENGTH`]; default 24.
    pub length: usize,
    pub classes: Classes,
    /// Leave out characters easily mistaken for one another (`0Oo1Il|`).
    pub avoid_ambiguous: bool,
}

impl Default for Characters {
    fn default() -> Self {
        Characters {
            length: 24,
            classes: Classes::default(),
            avoid_ambiguous: false,
        }
    }
}

/// Which kinds of character a password holds; all by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digits: bool,
    pub symbols: bool,
}

impl Default for Classes {
    fn default() -> Self {
        Classes {
            lower: true,
            upper: true,
            digits: true,
            symbols: true,
        }
    }
}

/// Why options are refused, or generation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    #[error("A passphrase needs 4 to 20 words (not {0}).")]
    Words(usize),
    #[error("A password needs 8 to 128 characters (not {0}).")]
    Length(usize),
    #[error("Choose at least one kind of character: lowercase, uppercase, digits or symbols.")]
    NoClass,
    #[error("The separator cannot be a control character: use a visible character or a space.")]
    Separator,
    #[error("The random source failed.")]
    Random,
}

impl Characters {
    /// The chosen classes' characters, each class on its own.
    fn sets(&self) -> Vec<Vec<char>> {
        let c = self.classes;
        [
            (c.lower, LOWER),
            (c.upper, UPPER),
            (c.digits, DIGITS),
            (c.symbols, SYMBOLS),
        ]
        .into_iter()
        .filter(|(chosen, _)| *chosen)
        .map(|(_, set)| {
            set.chars()
                .filter(|ch| !(self.avoid_ambiguous && AMBIGUOUS.contains(*ch)))
                .collect()
        })
        .collect()
    }
}

impl Generator {
    /// Whether the options are in range.
    pub fn check(&self) -> Result<(), GeneratorError> {
        match self {
            Generator::Passphrase(p) => {
                if !PASSPHRASE_WORDS.contains(&p.words) {
                    return Err(GeneratorError::Words(p.words));
                }
                if p.separator.is_control() {
                    return Err(GeneratorError::Separator);
                }
            }
            Generator::Characters(c) => {
                if !PASSWORD_LENGTH.contains(&c.length) {
                    return Err(GeneratorError::Length(c.length));
                }
                if c.sets().is_empty() {
                    return Err(GeneratorError::NoClass);
                }
            }
        }
        Ok(())
    }

    /// A new password or passphrase.
    pub fn generate(&self) -> Result<Zeroizing<String>, GeneratorError> {
        self.check()?;
        match self {
            Generator::Passphrase(p) => passphrase(p, &mut os_u32),
            Generator::Characters(c) => characters(c, &mut os_u32),
        }
    }

    /// The entropy of what [`Generator::generate`] returns, in bits: the base-2 logarithm of
    /// the number of equally likely outputs (for options that pass [`Generator::check`]).
    pub fn entropy_bits(&self) -> f64 {
        match self {
            Generator::Passphrase(p) => p.words as f64 * (WORDS.len() as f64).log2(),
            Generator::Characters(c) => {
                let sizes: Vec<usize> = c.sets().iter().map(Vec::len).collect();
                log2_strings_with_every_class(&sizes, c.length)
            }
        }
    }
}

/// log2 of the number of strings of `length` over the union of disjoint classes of `sizes`
/// that hold at least one character of each class (inclusion-exclusion, in a form that
/// stays within f64 for long strings).
fn log2_strings_with_every_class(sizes: &[usize], length: usize) -> f64 {
    let n: usize = sizes.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let mut share = 0.0;
    for mask in 0u32..(1 << sizes.len()) {
        let left_out: usize = (0..sizes.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| sizes[i])
            .sum();
        let term = (1.0 - left_out as f64 / n as f64).powi(length as i32);
        share += if mask.count_ones() % 2 == 0 {
            term
        } else {
            -term
        };
    }
    length as f64 * (n as f64).log2() + share.log2()
}

fn os_u32() -> Result<u32, GeneratorError> {
    getrandom::u32().map_err(|_| GeneratorError::Random)
}

/// A uniform number below `n` (> 0) from uniform 32-bit draws: draws below 2^32 mod n are
/// rejected, so the accepted range is a whole number of copies of 0..n.
fn below(
    n: usize,
    draw: &mut impl FnMut() -> Result<u32, GeneratorError>,
) -> Result<usize, GeneratorError> {
    let n = u32::try_from(n).expect("ranges here are small");
    let reject_below = n.wrapping_neg() % n;
    loop {
        let x = draw()?;
        if x >= reject_below {
            return Ok((x % n) as usize);
        }
    }
}

fn passphrase(
    p: &Passphrase,
    draw: &mut impl FnMut() -> Result<u32, GeneratorError>,
) -> Result<Zeroizing<String>, GeneratorError> {
    let words = &*WORDS;
    let longest = words.iter().map(|w| w.len()).max().unwrap_or(0);
    // Sized up front so the buffer never reallocates and leaves an unwiped copy behind.
    let mut out = Zeroizing::new(String::with_capacity(
        p.words * (longest + p.separator.len_utf8()),
    ));
    for i in 0..p.words {
        if i > 0 {
            out.push(p.separator);
        }
        let word = words[below(words.len(), draw)?];
        if p.capitalize {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        } else {
            out.push_str(word);
        }
    }
    Ok(out)
}

fn characters(
    c: &Characters,
    draw: &mut impl FnMut() -> Result<u32, GeneratorError>,
) -> Result<Zeroizing<String>, GeneratorError> {
    let sets = c.sets();
    let alphabet: Vec<char> = sets.concat();
    loop {
        // ASCII only: one byte a character, so the buffer never reallocates.
        let mut out = Zeroizing::new(String::with_capacity(c.length));
        for _ in 0..c.length {
            out.push(alphabet[below(alphabet.len(), draw)?]);
        }
        if sets
            .iter()
            .all(|set| out.chars().any(|ch| set.contains(&ch)))
        {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::collections::HashSet;

    fn chars(length: usize, classes: Classes, avoid_ambiguous: bool) -> Generator {
        Generator::Characters(Characters {
            length,
            classes,
            avoid_ambiguous,
        })
    }

    const NONE: Classes = Classes {
        lower: false,
        upper: false,
        digits: false,
        symbols: false,
    };

    #[test]
    fn word_list_is_the_eff_large_list() {
        let words = &*WORDS;
        assert_eq!(words.len(), 7776);
        assert_eq!(words.iter().collect::<HashSet<_>>().len(), 7776);
        assert!(
            words
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        // Put back in the published file's form (dice numbers 11111..66666, a tab, the word),
        // it hashes to the SHA-256 of eff_large_wordlist.txt as published.
        let mut published = String::new();
        for (i, word) in words.iter().enumerate() {
            let dice: String = (0..5)
                .rev()
                .map(|k| char::from(b'1' + (i / 6usize.pow(k) % 6) as u8))
                .collect();
            published.push_str(&format!("{dice}\t{word}\n"));
        }
        assert!(published.starts_with("11111\tabacus\n") && published.ends_with("66666\tzoom\n"));
        assert_eq!(
            hex::encode(Sha256::digest(published.as_bytes())),
            "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e"
        );
    }

    #[test]
    fn hyphenated_words_read_back_one_way() {
        // With the default `-` separator a phrase still splits into its words in one way only:
        // where two readings first part, one would take a hyphenated word's first half as a
        // word of its own, and none is one.
        let words: HashSet<&str> = WORDS.iter().copied().collect();
        let hyphenated: Vec<&str> = WORDS.iter().copied().filter(|w| w.contains('-')).collect();
        assert_eq!(hyphenated, ["drop-down", "felt-tip", "t-shirt", "yo-yo"]);
        for w in hyphenated {
            let (head, tail) = w.split_once('-').unwrap();
            assert!(!words.contains(head) && !tail.contains('-'), "{w}");
        }
    }

    #[test]
    fn default_passphrase() {
        let g = Generator::default();
        assert_eq!(
            g,
            Generator::Passphrase(Passphrase {
                words: 6,
                separator: '-',
                capitalize: false
            })
        );
        let p = g.generate().unwrap();
        assert!(p.split('-').count() >= 6, "{}", p.as_str());
        assert!(p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
    }

    #[test]
    fn passphrase_words_separator_and_capitals() {
        let words: HashSet<&str> = WORDS.iter().copied().collect();
        for (n, separator, capitalize) in [(4, ' ', false), (20, '.', true), (7, 'é', true)] {
            let g = Generator::Passphrase(Passphrase {
                words: n,
                separator,
                capitalize,
            });
            for _ in 0..20 {
                let p = g.generate().unwrap();
                let parts: Vec<&str> = p.split(separator).collect();
                assert_eq!(parts.len(), n, "{}", p.as_str());
                for part in parts {
                    let first = part.chars().next().unwrap();
                    assert_eq!(first.is_ascii_uppercase(), capitalize, "{part}");
                    assert!(words.contains(part.to_ascii_lowercase().as_str()), "{part}");
                }
            }
        }
    }

    #[test]
    fn default_characters() {
        let g = Generator::Characters(Characters::default());
        assert_eq!(g, chars(24, Classes::default(), false));
        assert_eq!(g.generate().unwrap().len(), 24);
    }

    #[test]
    fn characters_hold_each_chosen_class_and_nothing_else() {
        let all = Classes::default();
        let options = [
            chars(8, all, false),
            chars(128, all, true),
            chars(
                8,
                Classes {
                    digits: true,
                    ..NONE
                },
                true,
            ),
            chars(
                8,
                Classes {
                    lower: true,
                    symbols: true,
                    ..NONE
                },
                false,
            ),
            chars(
                9,
                Classes {
                    upper: true,
                    digits: true,
                    ..NONE
                },
                true,
            ),
        ];
        for g in options {
            let Generator::Characters(c) = g else {
                unreachable!()
            };
            let kinds = [
                (c.classes.lower, LOWER),
                (c.classes.upper, UPPER),
                (c.classes.digits, DIGITS),
                (c.classes.symbols, SYMBOLS),
            ];
            for _ in 0..200 {
                let p = g.generate().unwrap();
                assert_eq!(p.chars().count(), c.length);
                for (chosen, set) in kinds {
                    let present = p.chars().any(|ch| set.contains(ch));
                    assert_eq!(present, chosen, "{g:?}");
                }
                if c.avoid_ambiguous {
                    assert!(!p.chars().any(|ch| AMBIGUOUS.contains(ch)), "{g:?}");
                }
            }
        }
    }

    #[test]
    fn out_of_range_options_are_refused_clearly() {
        let words = |n| {
            Generator::Passphrase(Passphrase {
                words: n,
                ..Passphrase::default()
            })
        };
        for n in [0, 3, 21] {
            let e = words(n).generate().unwrap_err();
            assert_eq!(e, GeneratorError::Words(n));
            assert!(e.to_string().contains("4 to 20 words"), "{e}");
        }
        assert!(words(4).check().is_ok() && words(20).check().is_ok());

        for n in [0, 7, 129] {
            let e = chars(n, Classes::default(), false).generate().unwrap_err();
            assert_eq!(e, GeneratorError::Length(n));
            assert!(e.to_string().contains("8 to 128 characters"), "{e}");
        }
        let e = chars(24, NONE, false).generate().unwrap_err();
        assert_eq!(e, GeneratorError::NoClass);
        assert!(e.to_string().contains("at least one kind"), "{e}");

        for separator in ['\n', '\t', '\u{1b}', '\u{85}'] {
            let g = Generator::Passphrase(Passphrase {
                separator,
                ..Passphrase::default()
            });
            assert_eq!(g.generate().unwrap_err(), GeneratorError::Separator);
        }
    }

    #[test]
    fn every_index_of_a_small_range_is_drawn_evenly() {
        let mut counts = [0usize; 7];
        for _ in 0..7000 {
            counts[below(7, &mut os_u32).unwrap()] += 1;
        }
        // Each expected 1000 times; 700 is over 9 standard deviations away.
        assert!(counts.iter().all(|&c| c > 700 && c < 1300), "{counts:?}");
        assert_eq!(below(1, &mut os_u32).unwrap(), 0);
    }

    #[test]
    fn draws_that_would_bias_are_rejected() {
        // 2^32 mod 3 = 1: the draw 0 is rejected, 1 maps to 1, 2^32-1 (a multiple of 3) to 0.
        let mut script = [0u32, 0, 1, u32::MAX].into_iter();
        let mut draw = || Ok(script.next().unwrap());
        assert_eq!(below(3, &mut draw).unwrap(), 1);
        assert_eq!(below(3, &mut draw).unwrap(), 0);
        // 2^32 mod 7776 = 2560: everything below is rejected.
        let mut script = [0u32, 2559, 2560].into_iter();
        let mut draw = || Ok(script.next().unwrap());
        assert_eq!(below(7776, &mut draw).unwrap(), 2560);
        // A failing source is an error, not a panic or a loop.
        let mut failing = || Err(GeneratorError::Random);
        assert_eq!(below(10, &mut failing), Err(GeneratorError::Random));
    }

    #[test]
    fn a_scripted_source_picks_the_words_it_names() {
        // Draws of 2560 + i (all accepted) pick word (2560 + i) mod 7776.
        let mut script = [0u32, 1, 7775].into_iter().map(|i| 2560 + i);
        let mut draw = || Ok(script.next().unwrap());
        let p = Passphrase {
            words: 3,
            separator: ' ',
            capitalize: true,
        };
        let expected: Vec<String> = [2560usize, 2561, (2560 + 7775) % 7776]
            .iter()
            .map(|&i| {
                let w = WORDS[i];
                w[..1].to_ascii_uppercase() + &w[1..]
            })
            .collect();
        assert_eq!(
            passphrase(&p, &mut draw).unwrap().as_str(),
            expected.join(" ")
        );
    }

    #[test]
    fn entropy_figures() {
        let six = Generator::default().entropy_bits();
        assert!((six - 77.55).abs() < 0.01, "{six}");
        assert!((six - 6.0 * 7776f64.log2()).abs() < 1e-9);
        // One class: every string counts.
        let digits = chars(
            8,
            Classes {
                digits: true,
                ..NONE
            },
            false,
        );
        assert!((digits.entropy_bits() - 8.0 * 10f64.log2()).abs() < 1e-9);
        // All four classes, 24 characters over 90: a little under 24 * log2(90), for the
        // strings that miss a class.
        let all = chars(24, Classes::default(), false).entropy_bits();
        let upper_bound = 24.0 * 90f64.log2();
        assert!(all < upper_bound && all > upper_bound - 1.0, "{all}");
        // Leaving out the ambiguous characters costs entropy.
        assert!(chars(24, Classes::default(), true).entropy_bits() < all);
        assert!(
            chars(128, Classes::default(), false)
                .entropy_bits()
                .is_finite()
        );
    }

    #[test]
    fn entropy_counts_match_enumeration() {
        // Brute force over tiny alphabets: classes of 2 and 3 symbols (and 1, 1, 2).
        for (sizes, length) in [(vec![2usize, 3], 3usize), (vec![1, 1, 2], 4), (vec![4], 2)] {
            let n: usize = sizes.iter().sum();
            let class_of = |symbol: usize| {
                let mut start = 0;
                sizes
                    .iter()
                    .position(|&s| {
                        start += s;
                        symbol < start
                    })
                    .unwrap()
            };
            let mut count = 0usize;
            for code in 0..n.pow(length as u32) {
                let seen: HashSet<usize> = (0..length)
                    .map(|k| class_of(code / n.pow(k as u32) % n))
                    .collect();
                if seen.len() == sizes.len() {
                    count += 1;
                }
            }
            let bits = log2_strings_with_every_class(&sizes, length);
            assert!((bits - (count as f64).log2()).abs() < 1e-9, "{sizes:?}");
        }
    }
}

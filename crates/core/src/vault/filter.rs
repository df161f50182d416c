//! The vault's fuzzy filter (nucleo-matcher, Helix's matcher): which entries match a query,
//! best first. The UI's list uses it on every key, and the benchmark times this same code.
//!
//! - Incremental: a query that only adds characters to the last one (without the pattern
//!   syntax that could widen it, such as `!`) searches only what matched before.
//! - A search over many entries is scored on every core (rayon), each worker with its own
//!   matcher; the order of the result does not depend on how the work was split.
//! - What is searched: the title, the username, the URL's host (not its scheme or path, which
//!   would match nearly any query) and the folder, converted once for the matcher. That text
//!   is wiped when the filter is dropped; the matchers' own scratch space, which nucleo does
//!   not expose, is not.

use super::entry::EntryRecord;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use rayon::prelude::*;
use zeroize::Zeroize;

thread_local! {
    /// Each scoring thread's matcher: about 130 KiB of score matrix and scratch, made once
    /// per thread rather than on every key.
    static MATCHER: std::cell::RefCell<Matcher> =
        std::cell::RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Below this many candidates one thread scores them faster than handing them out.
const PARALLEL_FROM: usize = 2048;

/// One entry's searched text, in the form the matcher reads: bytes when it is ASCII, else
/// code points (converted once, not on every key).
enum Hay {
    Ascii(String),
    Unicode(Vec<char>),
}

impl Hay {
    fn new(text: String) -> Hay {
        if text.is_ascii() {
            Hay::Ascii(text)
        } else {
            let mut text = text;
            let chars = text.chars().collect();
            text.zeroize();
            Hay::Unicode(chars)
        }
    }

    fn as_utf32(&self) -> Utf32Str<'_> {
        match self {
            Hay::Ascii(s) => Utf32Str::Ascii(s.as_bytes()),
            Hay::Unicode(c) => Utf32Str::Unicode(c),
        }
    }
}

impl Drop for Hay {
    fn drop(&mut self) {
        match self {
            Hay::Ascii(s) => s.zeroize(),
            Hay::Unicode(c) => c.zeroize(),
        }
    }
}

pub struct Filter {
    /// What is searched, per entry, in the order of the records given.
    hays: Vec<Hay>,
    /// The query the last answer was for.
    query: String,
    matcher: Matcher,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("entries", &self.hays.len())
            .finish_non_exhaustive()
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter::new(&[])
    }
}

impl Drop for Filter {
    fn drop(&mut self) {
        self.query.zeroize();
    }
}

/// The host of a URL (`https://accounts.example.com/signin?x` → `accounts.example.com`), or
/// the text as it is when it has no scheme: what a person types to find an entry by its site,
/// without every `https` and path matching every query.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// Characters of the pattern syntax after which a longer query may match more.
const WIDENING: &[char] = &['!', '^', '$', '\'', '\\'];

impl Filter {
    /// A filter over `records`' title, username, URL and folder; indices are into `records`.
    pub fn new(records: &[EntryRecord]) -> Filter {
        let hays = records
            .iter()
            .map(|r| {
                let e = &r.entry;
                let mut hay = String::with_capacity(
                    e.title.len() + e.username.len() + e.url.len() + e.folder.len() + 3,
                );
                for (i, part) in [e.title.as_str(), &e.username, host(&e.url), &e.folder]
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        hay.push(' ');
                    }
                    hay.push_str(part);
                }
                Hay::new(hay)
            })
            .collect();
        Filter {
            hays,
            query: String::new(),
            matcher: Matcher::new(Config::DEFAULT),
        }
    }

    /// How many entries it searches.
    pub fn len(&self) -> usize {
        self.hays.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hays.is_empty()
    }

    /// The indices of the entries that match `query`, best first (equal scores in the
    /// records' order), given `shown`, this filter's previous answer. An empty query is
    /// every entry in order.
    pub fn apply(&mut self, query: &str, shown: &[u32]) -> Vec<u32> {
        let query = query.trim_start();
        let narrows = !self.query.is_empty()
            && query.starts_with(self.query.as_str())
            && !query.contains(WIDENING);
        self.query.zeroize();
        self.query.push_str(query);
        if query.trim().is_empty() {
            return (0..self.hays.len() as u32).collect();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let hays = &self.hays;
        let score = |m: &mut Matcher, i: u32| {
            pattern
                .score(hays[i as usize].as_utf32(), m)
                .map(|s| (s, i))
        };
        let count = if narrows { shown.len() } else { hays.len() };
        let mut scored: Vec<(u32, u32)> = if count < PARALLEL_FROM {
            let m = &mut self.matcher;
            if narrows {
                shown.iter().filter_map(|&i| score(m, i)).collect()
            } else {
                (0..count as u32).filter_map(|i| score(m, i)).collect()
            }
        } else {
            let each = |i: u32| MATCHER.with_borrow_mut(|m| score(m, i));
            if narrows {
                shown.par_iter().filter_map(|&i| each(i)).collect()
            } else {
                (0..count as u32).into_par_iter().filter_map(each).collect()
            }
        };
        // Best first; equal scores in the records' order. Indices are unique, so an unstable
        // sort gives the same order every time.
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Entry;

    fn records(titles: &[&str]) -> Vec<EntryRecord> {
        titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (title, username) = t.split_once(' ').unwrap_or((t, ""));
                EntryRecord {
                    id: i as i64 + 1,
                    created_at: 0,
                    updated_at: 0,
                    entry: {
                        let mut e = Entry::default();
                        e.title = title.into();
                        e.username = username.into();
                        e
                    },
                }
            })
            .collect()
    }

    #[test]
    fn narrows_fuzzily_and_best_first() {
        let mut f = Filter::new(&records(&[
            "GitHub octocat",
            "Gmail ada",
            "Bank of Git",
            "Hub",
        ]));
        let all = f.apply("", &[]);
        assert_eq!(all, vec![0, 1, 2, 3]);
        let g = f.apply("g", &all);
        assert_eq!(g.len(), 3);
        let git = f.apply("git", &g);
        assert!(git.contains(&0) && git.contains(&2) && !git.contains(&1));
        let gh = f.apply("gthb", &all);
        assert_eq!(gh, vec![0]);
        // A negation widens: searched from scratch.
        let not = f.apply("!git", &gh);
        assert_eq!(not, vec![1, 3]);
    }

    #[test]
    fn a_url_is_searched_by_its_host() {
        assert_eq!(
            host("https://accounts.example.com/signin?x=1"),
            "accounts.example.com"
        );
        assert_eq!(
            host("https://ada@git.example.org:8443#top"),
            "git.example.org:8443"
        );
        assert_eq!(host("example.com/login"), "example.com");
        assert_eq!(host(""), "");
        let mut recs = records(&["Mail ada", "Forge bob"]);
        recs[0].entry.url = "https://mail.example.com/login?continue=%2Fgithub".into();
        recs[1].entry.url = "https://github.com/".into();
        let mut f = Filter::new(&recs);
        assert_eq!(f.apply("github", &[]), vec![1]);
        // "https" is in every URL and in no host.
        assert_eq!(f.apply("https", &[]), Vec::<u32>::new());
    }

    #[test]
    fn many_entries_give_the_same_answer_on_every_core_as_on_one() {
        // Enough entries for the parallel path, with ties (repeated titles) and non-ASCII.
        let names: Vec<String> = (0..3 * PARALLEL_FROM)
            .map(|i| match i % 5 {
                0 => format!("GitHub – work{} user{i}", i % 7),
                1 => format!("gitlab user{i}"),
                2 => format!("Gmail ada{}", i % 3),
                3 => "GitHub octocat".to_string(),
                _ => format!("Bank{i} teller"),
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let recs = records(&refs);
        for q in ["g", "gi", "git", "githb", "ada", "–", "zzz"] {
            let mut par = Filter::new(&recs);
            let got = par.apply(q, &[]);
            // The serial path's answer, over the same entries in chunks under the threshold.
            let mut one = Filter::new(&recs);
            let pattern = Pattern::parse(q, CaseMatching::Smart, Normalization::Smart);
            let mut expected: Vec<(u32, u32)> = (0..recs.len() as u32)
                .filter_map(|i| {
                    pattern
                        .score(one.hays[i as usize].as_utf32(), &mut one.matcher)
                        .map(|s| (s, i))
                })
                .collect();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let expected: Vec<u32> = expected.into_iter().map(|(_, i)| i).collect();
            assert_eq!(got, expected, "{q}");
            // Narrowing from the previous answer gives what scoring all gives.
            let all = par.apply("", &[]);
            let wider = par.apply(&q[..q.chars().next().unwrap().len_utf8()], &all);
            let narrowed = par.apply(q, &wider);
            assert_eq!(narrowed, expected, "narrowed {q}");
        }
    }
}

//! The vault's fuzzy filter (nucleo-matcher, Helix's matcher): which entries match a query,
//! best first. Incremental: a query that only adds characters to the last one (without the
//! pattern syntax that could widen it, such as `!`) searches only what matched before, so
//! typing on a 10,000-entry vault costs less with every key.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

pub struct Filter {
    matcher: Matcher,
    /// The query `shown` answers.
    query: String,
    buf: Vec<char>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter")
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            matcher: Matcher::new(Config::DEFAULT),
            query: String::new(),
            buf: Vec::new(),
        }
    }
}

/// Characters of the pattern syntax after which a longer query may match more.
const WIDENING: &[char] = &['!', '^', '$', '\'', '\\'];

impl Filter {
    /// The indices into `hays` that match `query`, best first (ties keep their order), given
    /// `shown`, what matched the previous query. `None` is "every entry in order".
    pub fn apply(&mut self, query: &str, hays: &[String], shown: &[u32]) -> Vec<u32> {
        let query = query.trim_start();
        let narrows = !self.query.is_empty()
            && query.starts_with(self.query.as_str())
            && !query.contains(WIDENING);
        self.query = query.to_owned();
        if query.trim().is_empty() {
            return (0..hays.len() as u32).collect();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let from: Box<dyn Iterator<Item = u32> + '_> = if narrows {
            Box::new(shown.iter().copied())
        } else {
            Box::new(0..hays.len() as u32)
        };
        let mut scored: Vec<(u32, u32)> = Vec::new();
        for i in from {
            let hay = Utf32Str::new(&hays[i as usize], &mut self.buf);
            if let Some(score) = pattern.score(hay, &mut self.matcher) {
                scored.push((score, i));
            }
        }
        // Best first; equal scores in the list's order (by title).
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }

    /// Forgets the last query (the entries changed): the next one searches them all.
    pub fn reset(&mut self) {
        self.query.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrows_fuzzily_and_best_first() {
        let hays: Vec<String> = ["GitHub octocat", "Gmail ada", "Bank of Git", "Hub"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut f = Filter::default();
        let all = f.apply("", &hays, &[]);
        assert_eq!(all, vec![0, 1, 2, 3]);
        let g = f.apply("g", &hays, &all);
        assert_eq!(g.len(), 3);
        let git = f.apply("git", &hays, &g);
        assert!(git.contains(&0) && git.contains(&2) && !git.contains(&1));
        let gh = f.apply("gthb", &hays, &all);
        assert_eq!(gh, vec![0]);
        // A negation widens: searched from scratch.
        let not = f.apply("!git", &hays, &gh);
        assert_eq!(not, vec![1, 3]);
    }
}

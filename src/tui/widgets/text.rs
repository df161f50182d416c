//! Fitting text into rows: how many rows a wrapped text takes, and cutting it at a word with
//! "…" when it does not fit, never without saying so.

/// Rows `text` takes when word-wrapped at width `w` (greedy, as ratatui wraps), at most `max`.
pub fn text_rows(text: &str, w: u16, max: u16) -> u16 {
    let w = usize::from(w.max(1));
    let (mut rows, mut col) = (1usize, 0usize);
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let need = if col == 0 { len } else { col + 1 + len };
        if need <= w {
            col = need;
        } else {
            rows += if col == 0 { 0 } else { 1 };
            // a word longer than the line is broken over several rows
            rows += len.saturating_sub(1) / w;
            col = len % w;
            if col == 0 {
                col = w;
            }
        }
    }
    (rows.min(usize::from(max)) as u16).max(1)
}

/// `text` as it fits in `rows` rows of `w` columns, word-wrapped: whole when it fits, else cut
/// after the last whole word that fits, with "…" (mid-word only when the first word alone is
/// too long), never cut without saying so.
pub fn fit_rows(text: &str, w: u16, rows: u16) -> String {
    if text_rows(text, w, u16::MAX) <= rows {
        return text.to_owned();
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..words.len())
        .rev()
        .map(|n| format!("{}…", words[..n].join(" ")))
        .find(|t| text_rows(t, w, u16::MAX) <= rows)
        .unwrap_or_else(|| ellipsize(text, w))
}

/// `text` cut to `w` columns, with an ellipsis when something was cut.
pub fn ellipsize(text: &str, w: u16) -> String {
    let w = usize::from(w);
    if text.chars().count() <= w {
        return text.to_owned();
    }
    let mut t: String = text.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Takes `over` rows from texts given `rows` rows each, one row at a time from the longest (of
/// equals, the last), never below one row each. Each text then shows what its rows hold, cut
/// at a word with "…" ([`fit_rows`]).
pub fn shrink_longest(mut rows: Vec<&mut u16>, mut over: u16) {
    while over > 0 {
        match rows.iter_mut().max_by_key(|n| ***n) {
            Some(n) if **n > 1 => {
                **n -= 1;
                over -= 1;
            }
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rows() {
        assert_eq!(text_rows("", 10, 5), 1);
        assert_eq!(text_rows("abc def", 7, 5), 1);
        assert_eq!(text_rows("abc defg", 7, 5), 2);
        assert_eq!(text_rows("abcdefghijkl", 5, 5), 3);
        assert_eq!(text_rows("a b c d e f g h i j", 3, 2), 2);
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abc", 4), "abc");
    }

    #[test]
    fn ui_07_text_that_does_not_fit_is_cut_at_a_word_with_an_ellipsis() {
        let text = "Password is too short (5 characters; at least 15): add a word or two.";
        assert_eq!(fit_rows(text, 40, 2), text, "fits in two rows");
        let cut = fit_rows(text, 30, 2);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_rows(&cut, 30, 9) <= 2, "{cut}");
        let kept = cut.trim_end_matches('…');
        assert!(text.starts_with(kept), "{cut}");
        assert!(
            text[kept.len()..].starts_with(' '),
            "cut at a word boundary, not mid-word: {cut}"
        );
        assert_eq!(fit_rows("unbreakablewordthatislong", 10, 1), "unbreakab…");
    }
}

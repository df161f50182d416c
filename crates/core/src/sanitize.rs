//! Neutralising text from the store before it reaches a terminal or a script.
//!
//! Control characters (Cc: C0, DEL, C1 such as U+009B CSI), format characters (Cf: bidi
//! overrides, zero-width characters, ...) and the line and paragraph separators (Zl, Zp:
//! U+2028, U+2029) are replaced by U+FFFD, so a hostile name cannot move the cursor, set the
//! clipboard (OSC 52), reorder what is shown or start a line of its own.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// True for characters that must never be drawn: Cc, Cf, Zl and Zp, except the zero-width
/// joiner and non-joiner (U+200D, U+200C), which emoji sequences and several scripts need and
/// which cannot move the cursor or reorder text.
pub fn is_unsafe_char(c: char) -> bool {
    !matches!(c, '\u{200C}' | '\u{200D}')
        && matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// A copy of `s` safe to print: every Cc/Cf/Zl/Zp character becomes U+FFFD.
pub fn for_display(s: &str) -> String {
    s.chars()
        .map(|c| if is_unsafe_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tm_01_escape_sequences_are_neutralised() {
        let hostile = "A\x1b]52;c;ZWNobw==\x07B\x1b[2JC\u{9b}31mD\u{202e}E\u{200b}F";
        let out = for_display(hostile);
        assert!(!out.bytes().any(|b| b == 0x1b || b == 0x9b || b == 0x07));
        assert!(!out.chars().any(is_unsafe_char));
        assert!(
            out.contains("ZWNobw=="),
            "text around the controls survives"
        );
    }

    #[test]
    fn tm_01_line_and_paragraph_separators_are_neutralised() {
        let forged = "Ada\u{2028}role: admin\u{2029}x";
        let out = for_display(forged);
        assert_eq!(out, "Ada\u{FFFD}role: admin\u{FFFD}x");
        assert!(!out.contains(['\u{2028}', '\u{2029}']), "{out:?}");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for s in [
            "Zoë Ångström",
            "李小龙",
            "👩\u{200d}🔬 lab",
            "O'Brien-Smith",
        ] {
            assert_eq!(for_display(s), s);
        }
    }
}

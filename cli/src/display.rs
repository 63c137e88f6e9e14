//! Capture text made safe and aligned for a terminal.
//!
//! A capture is untrusted: its strings must not drive the terminal (escape sequences), reorder
//! what is shown (bidi controls, as in "Trojan Source"), or hide text (format characters such
//! as zero-width spaces). [`clean`] writes each such character as a visible `\u{…}` escape.
//! Columns are measured in terminal cells ([`unicode_width`]), so wide (CJK) text aligns.

use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The characters of general category Cf (format), as ranges (Unicode 15/16: `DerivedGeneralCategory.txt`).
/// They include the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
/// the marks U+200E, U+200F and U+061C, zero-width (non-)joiners and the BOM.
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

fn is_format(c: char) -> bool {
    let c = u32::from(c);
    FORMAT
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether `c` must not reach a terminal as it is: controls (Cc: C0, DEL, C1), format
/// characters (Cf, bidi controls among them) and the line and paragraph separators.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control() || is_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with every [unsafe](is_unsafe) character written as `\u{XXXX}` (hex code point).
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Shortens every UUID in `text` to its first 8 digits and `…`.
pub(crate) fn shorten_uuids(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 36 <= bytes.len() {
        if is_uuid(&bytes[i..i + 36]) {
            out.push_str(&text[copied..i + 8]);
            out.push('…');
            i += 36;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Text for people: cleaned and UUIDs shortened.
pub(crate) fn show(text: &str) -> String {
    shorten_uuids(&clean(text))
}

/// How many terminal cells `text` takes (it is [cleaned](clean): no control characters).
pub(crate) fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to `cells` terminal cells (the last one `…`) or padded with spaces to them.
pub(crate) fn fit(text: &str, cells: usize) -> String {
    let used = width(text);
    if used <= cells {
        return format!("{text}{}", " ".repeat(cells - used));
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cells.saturating_sub(1) {
            break;
        }
        cut.push(c);
        used += w;
    }
    cut.push('…');
    used += 1;
    // A wide character that did not fit leaves a cell to fill.
    cut.push_str(&" ".repeat(cells.saturating_sub(used)));
    cut
}

/// `text` broken after `, ` so that lines stay within `cells` terminal cells; continuation
/// lines are indented by `indent`.
pub(crate) fn wrap(text: &str, cells: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut column = indent;
    for (i, part) in text.split(", ").enumerate() {
        let len = width(part);
        if i > 0 {
            if column + 2 + len > cells {
                out.push_str(",\n");
                out.push_str(&" ".repeat(indent));
                column = indent;
            } else {
                out.push_str(", ");
                column += 2;
            }
        }
        out.push_str(part);
        column += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_table_is_sorted_and_disjoint() {
        assert!(FORMAT.iter().all(|&(lo, hi)| lo <= hi));
        assert!(FORMAT.windows(2).all(|w| w[0].1 < w[1].0));
    }

    #[test]
    fn controls_bidi_and_format_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\x1b[31mb\n"), "a\\u{1B}[31mb\\u{A}");
        for c in [
            '\u{0}',
            '\u{7f}',
            '\u{9b}',
            '\u{61c}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2028}',
            '\u{2029}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{feff}',
            '\u{e0001}',
        ] {
            let cleaned = clean(&format!("x{c}y"));
            assert!(!cleaned.contains(c), "{c:?}");
            assert_eq!(cleaned, format!("x\\u{{{:X}}}y", u32::from(c)));
        }
        assert_eq!(clean("日本語 é ü"), "日本語 é ü");
    }

    #[test]
    fn shortens_uuids_anywhere_in_a_string() {
        assert_eq!(
            shorten_uuids("conversation:lobby:5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6a"),
            "conversation:lobby:5c9b0e1a…"
        );
        assert_eq!(shorten_uuids("user:7"), "user:7");
        assert_eq!(
            shorten_uuids("é5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6aé"),
            "é5c9b0e1a…é"
        );
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_in_terminal_cells() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab  ");
        // Two cells a character.
        assert_eq!(fit("房间", 6), "房间  ");
        assert_eq!(fit("房间房间", 6), "房间… ");
        assert_eq!(width(&fit("房间房间房间", 7)), 7);
    }

    #[test]
    fn summary_lines_wrap_between_items() {
        assert_eq!(
            wrap("aaa 1, bbb 2, ccc 3", 12, 2),
            "aaa 1,\n  bbb 2,\n  ccc 3"
        );
        assert_eq!(wrap("aaa 1, bbb 2", 40, 2), "aaa 1, bbb 2");
        assert_eq!(wrap("房间 1, 房间 2", 12, 2), "房间 1,\n  房间 2");
    }
}

//! YAML scalars that read back as exactly the text they were made from, under YAML 1.1
//! and 1.2: plain where no parser can misread them, else double-quoted with every
//! character a parser would reject or fold escaped.
//!
//! Below `render`, `plan` and `node`: every place that writes a YAML value goes through
//! these functions.

/// A YAML double-quoted scalar that any YAML 1.1 or 1.2 parser reads back as `text`.
#[must_use]
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    write_quoted(&mut out, text);
    out
}

/// A YAML single-quoted scalar (readable for text full of `"`, such as `PromQL`), or
/// double-quoted when `text` holds anything a single-quoted scalar cannot carry as is.
#[must_use]
pub(crate) fn single_quote(text: &str) -> String {
    if text.is_empty()
        || text
            .chars()
            .any(|c| c == '\n' || c == '\t' || needs_escape(c) || is_bidi_control(c))
    {
        return quote(text);
    }
    format!("'{}'", text.replace('\'', "''"))
}

/// A string as the formatter writes it: plain when safe, else double-quoted.
pub(crate) fn write_scalar(out: &mut String, text: &str) {
    if is_plain_safe(text) {
        out.push_str(text);
    } else {
        write_quoted(out, text);
    }
}

/// Whether `text` can be written as a plain scalar that every YAML 1.1 and 1.2 parser
/// reads back as the same string: a letter, then letters, digits, `.`, `_`, `/` or `-`,
/// and not one of the words YAML 1.1 reads as a boolean or null. Anything else (numbers,
/// `1000m`, text with spaces, `:` or `#`) is double-quoted.
#[must_use]
pub(crate) fn is_plain_safe(text: &str) -> bool {
    const SPECIAL: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    // Every character allowed is ASCII, so bytes are looked at (a byte of a longer
    // character is never alphanumeric); the words are at most 5 long.
    let bytes = text.as_bytes();
    bytes.len() <= 128
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && plain_bytes(&bytes[1..])
        && (bytes.len() > 5 || !SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(text)))
}

/// The bytes a plain scalar may hold after its first: ASCII letters, digits, `.`, `_`,
/// `/` and `-` (a table: every object's name and namespace are looked at, byte by byte).
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-');
        b += 1;
    }
    table
};

/// Whether every byte is in [`PLAIN`]: eight lookups at a time, one branch per eight.
fn plain_bytes(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let whole = words.by_ref().all(|word| {
        <[u8; 8]>::try_from(word)
            .is_ok_and(|word| word.iter().fold(true, |ok, &b| ok & PLAIN[usize::from(b)]))
    });
    whole && words.remainder().iter().all(|&b| PLAIN[usize::from(b)])
}

/// Whether every byte of `bytes` is printable ASCII (a space to `~`), eight at a time.
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // A byte below 0x20 (its high bit set after subtracting 0x20 from it, and not
        // before), or one at 0x7f or above (its high bit set after adding 1, or before).
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let del_or_above = (w.wrapping_add(ONES) | w) & HIGH;
        if below_space | del_or_above != 0 {
            return false;
        }
    }
    words.remainder().iter().all(|b| (b' '..=b'~').contains(b))
}

/// Write `text` as a YAML double-quoted scalar.
///
/// Escapes what JSON escapes (`"`, `\`, C0 controls) plus what YAML does not allow raw
/// or treats as a line break: DEL, C1 controls, NEL, U+2028, U+2029, and the BOM.
pub(crate) fn write_quoted(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) || is_noncharacter(c) || is_bidi_control(c) => {
                // `\uXXXX` holds four hex digits: beyond U+FFFF, `\UXXXXXXXX`.
                if u32::from(c) > 0xffff {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                } else {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The Unicode controls that reorder how text is shown (bidirectional embeddings,
/// overrides, isolates and marks): written escaped in a quoted scalar and never in a
/// literal block, so a review of the output sees them (the "Trojan Source" trick,
/// CVE-2021-42574). Read back, the value is the same.
#[must_use]
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[must_use]
pub(crate) fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Append `text` to a comment line: a character that would end the line for a YAML 1.1
/// or 1.2 parser (LF, CR, NEL, U+2028, U+2029) or that YAML forbids in a stream (C0 and
/// C1 controls, DEL, the BOM inside a stream, non-characters) is written as its escape
/// (`\u{2028}`), so a comment never becomes YAML and never makes a stream unreadable.
pub(crate) fn write_comment_text(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    // Most names are printable ASCII (every `# Source:` line): copied whole. (A tab is
    // written as it is too, by the loop below.)
    if printable_ascii(text.as_bytes()) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        if c == '\t' || !(needs_escape(c) || is_noncharacter(c)) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

/// Unicode non-characters (U+FDD0 to U+FDEF and every U+xxFFFE and U+xxFFFF).
#[must_use]
pub(crate) fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{fdd0}'..='\u{fdef}') || (c as u32) & 0xfffe == 0xfffe
}

/// A literal block keeps text as is unless: it is empty, it starts with a space (the
/// indentation would be misread), it ends in more than one newline or in blanks, a line
/// holds only blanks, or it has characters that must be escaped.
#[must_use]
pub(crate) fn fits_literal_block(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([' ', '\n'])
        && !text.ends_with("\n\n")
        && !text.trim_end_matches('\n').ends_with([' ', '\t'])
        && !text
            .chars()
            .any(|c| c != '\n' && (c == '\t' || needs_escape(c) || is_bidi_control(c)))
        && text
            .split('\n')
            .all(|line| line.is_empty() || !line.trim().is_empty())
}

/// A literal block scalar indented by `indent_by` when the text can be one without
/// changing, else a double-quoted scalar.
#[must_use]
pub(crate) fn block(text: &str, indent_by: usize) -> String {
    if !text.contains('\n') || !fits_literal_block(text) {
        return quote(text);
    }
    // `fits_literal_block` refused text ending in more than one newline, so `indent`
    // (which drops the final newlines) drops exactly the one the `|` indicator keeps.
    let header = if text.ends_with('\n') { "|\n" } else { "|-\n" };
    format!("{header}{}", indent(text, indent_by))
}

/// Indent every non-empty line of a YAML fragment by `by` spaces, dropping the final
/// newlines (blank lines stay empty: no trailing blanks).
#[must_use]
pub(crate) fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + by * 32);
    for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-lookups-at-a-time check of a plain scalar's bytes is the byte-by-byte one.
    #[test]
    fn plain_bytes_is_exact() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        };
        for len in [1, 7, 8, 9, 16, 17] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    assert_eq!(plain_bytes(&text), naive(&text), "{text:?}");
                }
            }
        }
    }

    /// The eight-at-a-time check says what the byte-by-byte one says, for every byte at
    /// every place of a word and of the remainder, next to every other byte.
    #[test]
    fn printable_ascii_is_exact() {
        let naive = |bytes: &[u8]| bytes.iter().all(|b| (b' '..=b'~').contains(b));
        for len in [1, 7, 8, 9, 16, 17] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    for other in [b'a', b'~', b' ', 0x7f, 0x1f, 0xff, 0x80] {
                        let mut text = vec![other; len];
                        text[at] = byte;
                        assert_eq!(printable_ascii(&text), naive(&text), "{text:?}");
                    }
                }
            }
        }
        assert!(printable_ascii(b""));
    }

    #[test]
    fn comments_never_end_their_line() {
        let mut out = String::from("# ");
        write_comment_text(
            &mut out,
            "x\n---\nkind: X\r\u{85}\u{2028}\u{2029}\u{7f}\u{9b}\u{feff}\u{fffe}\u{10ffff}\0",
        );
        assert_eq!(
            out,
            "# x\\u{000a}---\\u{000a}kind: X\\u{000d}\\u{0085}\\u{2028}\\u{2029}\\u{007f}\\u{009b}\\u{feff}\\u{fffe}\\u{10ffff}\\u{0000}"
        );
    }

    #[test]
    fn single_quotes_only_what_it_carries_as_is() {
        assert_eq!(single_quote("a{b!=\"\"}"), "'a{b!=\"\"}'");
        assert_eq!(single_quote("a'b"), "'a''b'");
        assert_eq!(single_quote("a\nb"), "\"a\\nb\"");
        assert_eq!(single_quote(""), "\"\"");
    }

    #[test]
    fn indent_leaves_blank_lines_empty() {
        assert_eq!(indent("a:\n\n  b: 1\n", 2), "  a:\n\n    b: 1");
    }

    #[test]
    fn quoted_scalars_escape_what_yaml_needs() {
        let q = |t: &str| {
            let mut s = String::new();
            write_quoted(&mut s, t);
            s
        };
        assert_eq!(q("plain"), "\"plain\"");
        assert_eq!(q("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(
            q("\u{7f}\u{85}\u{2028}\u{feff}"),
            "\"\\u007f\\u0085\\u2028\\ufeff\""
        );
        assert_eq!(q("ünï ☃ 🎉"), "\"ünï ☃ 🎉\"");
        // Bidirectional controls are seen in a review; beyond U+FFFF, eight hex digits.
        assert_eq!(q("a\u{202e}b\u{2066}"), "\"a\\u202eb\\u2066\"");
        assert_eq!(q("\u{1fffe}"), "\"\\U0001fffe\"");
        assert_eq!(single_quote("x\u{200f}"), "\"x\\u200f\"");
        assert!(!fits_literal_block("a\u{202e}\nb\n"));
        for text in ["a\u{202e}b", "\u{1fffe}\u{10ffff}x", "\u{61c}\u{2069}"] {
            let read: String = serde_saphyr::from_str(&q(text)).unwrap();
            assert_eq!(read, text);
        }
    }

    #[test]
    fn plain_only_where_no_parser_reads_anything_else() {
        for plain in [
            "mplp-core",
            "us-east-1",
            "Service",
            "apps/v1",
            "a.b_c",
            "Off1",
        ] {
            assert!(is_plain_safe(plain), "{plain}");
        }
        for quoted in [
            "", "yes", "No", "ON", "off", "y", "N", "true", "Null", "1000m", "0x1", "1e3", ".inf",
            "~", "a b", "a:b", "a#b", "-a", "ü", "a\"b",
        ] {
            assert!(!is_plain_safe(quoted), "{quoted}");
        }
    }
}

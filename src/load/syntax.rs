//! Where a syntax error is, said for the person fixing the file: the field path of the
//! line it is on (a duplicate key is `regions.us-east-1.weight`, not `(root)`), and a tab
//! used for indentation found on its own line, whatever line the parser stopped on.

use crate::diagnostic::FieldPath;
use crate::source::Span;

/// The span and message of a parse error, moved to where the mistake is when the parser
/// stopped elsewhere.
#[must_use]
pub(crate) fn refine(text: &str, span: Span, message: String) -> (Span, String) {
    if message.contains("found a tab") || message.starts_with("a tab is used") {
        // The parser reports the scalar before the tab; the tab is in the indentation of
        // a line at or after it.
        let start = span.line.saturating_sub(1) as usize;
        if let Some((i, line)) = text
            .lines()
            .enumerate()
            .skip(start)
            .find(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
        {
            let col = line.find('\t').map_or(1, |c| c + 1);
            return (
                Span {
                    line: (i + 1) as u32,
                    col: col as u32,
                    ..span
                },
                "a tab is used for indentation: YAML indents with spaces only".to_owned(),
            );
        }
    }
    (span, message)
}

/// The field path of the block-style key on line `line` (1-based), from the keys of the
/// lines above it that are less indented; the root when the line holds no `key:` or the
/// text is written in flow style.
#[must_use]
pub(crate) fn path_at(text: &str, line: u32) -> FieldPath {
    let lines: Vec<&str> = text.lines().collect();
    let Some(here) = lines.get(line.saturating_sub(1) as usize) else {
        return FieldPath::root();
    };
    let Some((mut indent, key)) = block_key(here) else {
        return FieldPath::root();
    };
    let mut keys = vec![key];
    for above in lines[..line.saturating_sub(1) as usize].iter().rev() {
        if indent == 0 {
            break;
        }
        if let Some((i, k)) = block_key(above)
            && i < indent
        {
            keys.push(k);
            indent = i;
        }
    }
    if indent != 0 {
        return FieldPath::root();
    }
    let mut path = FieldPath::root();
    for key in keys.into_iter().rev() {
        path = path.key(key);
    }
    path
}

/// A line's indentation and its plain block-mapping key (`  weight: 40` → `(2, "weight")`;
/// a list item `- name: x` has none).
fn block_key(line: &str) -> Option<(usize, &str)> {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    if body.starts_with(['#', '-', '"', '\'', '{', '[', '?']) {
        return None;
    }
    let (key, _) = body.split_once(':')?;
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then_some((indent, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_path_of_its_keys() {
        let text = "version: 1\nregions:\n  us-east-1:\n    primary: true\n    weight: 50\n    weight: 100\n";
        assert_eq!(path_at(text, 6).to_string(), "regions.us-east-1.weight");
        assert_eq!(path_at(text, 1).to_string(), "version");
        assert_eq!(path_at("a: {b: 1, b: 2}\n", 1).to_string(), "a");
        assert_eq!(path_at("- x\n", 1).to_string(), "(root)");
    }

    #[test]
    fn a_tab_is_found_on_its_own_line() {
        let text = "regions:\n  us-east-1:\n    primary: true\n  \tweight: 100\n";
        let span = Span {
            file: 0,
            line: 3,
            col: 14,
        };
        let (at, message) = refine(
            text,
            span,
            "while scanning a plain scalar, found a tab".into(),
        );
        assert_eq!((at.line, at.col), (4, 3));
        assert!(
            message.starts_with("a tab is used for indentation"),
            "{message}"
        );
    }
}

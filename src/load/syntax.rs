//! Where a syntax error is, said for the person fixing the file: a tab used for
//! indentation found on its own line, whatever line the parser stopped on. (A duplicate
//! key's field path comes from the walker that found it: `ParseError::path`.)

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_has_the_path_of_its_keys() {
        let path = |text: &str| crate::node::parse(0, text).unwrap_err().path.to_string();
        let text = "version: 1\nregions:\n  us-east-1:\n    primary: true\n    weight: 50\n    weight: 100\n";
        assert_eq!(path(text), "regions.us-east-1.weight");
        assert_eq!(path("version: 1\nversion: 2\n"), "version");
        assert_eq!(path("a: {b: 1, b: 2}\n"), "a.b");
        assert_eq!(path("- {x: 1, x: 2}\n"), "[0].x");
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

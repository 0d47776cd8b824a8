//! The figures the docs state are the code's: the parser's budgets.

use mplp_scale::node::{MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES};

fn read(doc: &str) -> String {
    std::fs::read_to_string(crate::common::root().join(doc)).unwrap()
}

/// `100000` as the docs write it: `100,000`.
fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every figure written right before `unit` (`16 MiB`, `100,000 nodes`).
fn figures_before<'a>(text: &'a str, unit: &str) -> Vec<&'a str> {
    text.match_indices(unit)
        .filter_map(|(at, _)| {
            let before = &text[..at];
            let start = before
                .rfind(|c: char| !(c.is_ascii_digit() || c == ','))
                .map_or(0, |i| i + 1);
            let figure = before[start..].trim_start_matches(',');
            (!figure.is_empty()).then_some(figure)
        })
        .collect()
}

/// Every figure written right after `word` (`depth 64`).
fn figures_after<'a>(text: &'a str, word: &str) -> Vec<&'a str> {
    text.match_indices(word)
        .filter_map(|(at, _)| {
            let after = &text[at + word.len()..];
            let end = after
                .find(|c: char| !(c.is_ascii_digit() || c == ','))
                .unwrap_or(after.len());
            let figure = after[..end].trim_end_matches(',');
            (!figure.is_empty()).then_some(figure)
        })
        .collect()
}

/// docs/architecture.md and docs/diagnostics.md state the budgets of `src/node.rs`:
/// every "N nodes", "N MiB", "depth N" and "N levels" they write is the constant's value,
/// and each doc states each budget at least once.
#[test]
fn the_docs_state_the_parsers_budgets() {
    let nodes = with_commas(MAX_NODES);
    let mib = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
    let depth = MAX_DEPTH.to_string();
    for doc in ["docs/architecture.md", "docs/diagnostics.md"] {
        let text = read(doc);
        let stated = [
            ("nodes", figures_before(&text, " nodes"), &nodes),
            ("MiB", figures_before(&text, " MiB"), &mib),
            (
                "depth",
                [
                    figures_after(&text, "depth "),
                    figures_before(&text, " levels"),
                ]
                .concat(),
                &depth,
            ),
        ];
        for (what, figures, expected) in stated {
            assert!(
                !figures.is_empty(),
                "{doc} does not state the {what} budget"
            );
            for figure in figures {
                assert_eq!(
                    figure, expected,
                    "{doc} states a {what} budget of {figure}; the code's is {expected}"
                );
            }
        }
    }
}

#[test]
fn figures_are_found_where_they_are_written() {
    let text = "budgets (16 MiB, depth 64, 100,000 nodes); deeper than 64 levels";
    assert_eq!(figures_before(text, " nodes"), ["100,000"]);
    assert_eq!(figures_before(text, " MiB"), ["16"]);
    assert_eq!(figures_after(text, "depth "), ["64"]);
    assert_eq!(figures_before(text, " levels"), ["64"]);
    assert_eq!(with_commas(1_000_000), "1,000,000");
    assert_eq!(with_commas(64), "64");
}

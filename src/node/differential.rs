//! The event walker against the serde-saphyr path it replaced, on every YAML file of the
//! repository and on generated YAML: the same tree, positions and texts included, or
//! both refuse. (The fuzz target `parse_differential` runs the same comparison on
//! arbitrary bytes.)
#![allow(clippy::format_push_string, clippy::format_collect)]

use proptest::prelude::*;

use super::{Node, legacy, parse};

/// Both parsers on `text`: equal trees, or both errors (syntax errors at the same place).
/// In a thread of its own: serde's recursion in a debug build needs more than a test
/// thread's stack for 64 levels.
pub(crate) fn same(text: &str) -> Result<(), String> {
    let text = text.to_owned();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || compare(&text))
        .expect("spawns")
        .join()
        .expect("no panic")
}

fn compare(text: &str) -> Result<(), String> {
    let new = parse(0, text);
    let old = if text.len() > super::MAX_FILE_BYTES || text.contains('\0') {
        return Ok(());
    } else {
        legacy::parse(0, text)
    };
    match (&new, &old) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (shape(a), shape(b));
            if a == b {
                Ok(())
            } else {
                Err(format!("trees differ on {text:?}:\nnew {a}\nold {b}"))
            }
        }
        (Err(a), Err(b)) if a.budget == b.budget && (a.budget || a == b) => Ok(()),
        (Err(_), Err(_)) if !old.as_ref().is_err_and(|e| e.budget) => Ok(()),
        // The one difference on purpose: `1: a` beside `"1": b` is a duplicate key (the
        // old path kept the second value under the first key's place, silently).
        (Err(a), Ok(_)) if a.message.starts_with("duplicate key") => Ok(()),
        _ => Err(format!(
            "outcomes differ on {text:?}:\nnew {new:?}\nold {old:?}"
        )),
    }
}

/// The tree with positions, comparable through `NaN`.
fn shape(node: &Node) -> String {
    format!("{node:?}")
}

#[test]
fn every_yaml_file_of_the_repository_reads_the_same() {
    let mut files = Vec::new();
    let mut dirs =
        vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    dirs.push(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("profiles"));
    dirs.push(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus"));
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "{}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if let Err(e) = same(&text) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hand_picked_inputs_read_the_same() {
    let cases = [
        "a: yes\nb: Off\nc: 1.10\nd: 0x1F\ne: 0o17\nf: -0\ng: +5\nh: 1_000\ni: 00\nj: -012\n",
        "k: 1e3\nl: ~\nm: null\nn:\no: \"q\"\np: 'r'\nq: 9223372036854775808\nr: -9223372036854775809\n",
        "s: 18446744073709551616\nt: !!str 5\nu: !!int \"7\"\nv: !!float 1\nw: !!bool yes\nx: ! 5\n",
        "a: &a {b: 1, c: [x, y]}\nd: *a\ne: &e 5\nf: [*e, *e]\n",
        // Integers beyond i64 through aliases, and without source text (quoted, tagged).
        "a: &a0\n  a: 9223372036854775808\nref0: *a0\n",
        "a: &a 0x8000000000000000\nb: *a\nc: &c +18446744073709551615\nd: *c\ne: &e 1e19\nf: *e\n",
        "g: !!int \"9223372036854775808\"\nh: !!float \"9223372036854775808\"\n",
        "base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\n",
        "m: {<<: [{a: 1}, {a: 2, b: 3}], c: 4}\n",
        "a: 1\na: 2\n",
        "\"a\": 1\na: 2\n",
        "~: x\n",
        "? [a]\n: b\n",
        "a: .inf\n",
        "a: -.nan\n",
        "a: 1e999\n",
        "a: |\n  text\n  more\nb: >-\n  folded\n",
        "- a\n- - b\n  - c\n- {d: e}\n",
        "a: b: c\n",
        "a: [1, 2\n",
        "---\na: 1\n---\nb: 2\n",
        "a: *nope\n",
        "a:\n\t- b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: &x 1\nb: &x 2\nc: *x\n",
        "a: !custom 5\nb: !!timestamp 2001-12-14\n",
        "a: !custom 5\n",
        "b: !!binary aGk=\n",
        "c: !!seq x\n",
        "d: !int 5\ne: !str 5\nf: !!merge x\n",
        "a: 'it''s'\nb: \"\\t\\u00e9\"\n",
        "key with spaces: value # comment\n",
        "",
        "# only\n",
        "&E0mpty \n",
        "  ~\n",
        "[1, 2, 3]\n",
        "plain\n",
        "a: 0b101\nb: 0B101\nc: 0xff\nd: 0XFF\ne: 1__0\nf: _1\ng: 1.\nh: .5\ni: +.5\n",
        "a: y\nb: N\nc: ON\nd: True\ne: nO\n",
    ];
    for text in cases {
        same(text).unwrap();
    }
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "yes",
            "Off",
            "1.10",
            "0x1F",
            "0o17",
            "-0",
            "+5",
            "1_000",
            "00",
            "-012",
            "1e3",
            "~",
            "null",
            "\"q\"",
            "'r'",
            "9223372036854775808",
            "-9223372036854775809",
            "!!str 5",
            "!!int \"7\"",
            "!!float 1",
            "!!bool yes",
            "y",
            "n",
            "TRUE",
            "3.0",
            "-1.5e-3",
            ".5",
            "x y",
            "\"a\\tb\"",
            "'it''s'",
            "!custom v",
            "12:30",
            "a#b",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,6}",
        (-1000i64..1000).prop_map(|i| i.to_string()),
    ]
}

/// A YAML text: nested block maps and lists, flow collections, anchors and aliases.
fn document() -> impl Strategy<Value = String> {
    let leaf = scalar().prop_map(|s| (s, false));
    let tree = leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(("[a-e]", inner.clone()), 1..5).prop_map(|entries| {
                let mut out = String::new();
                for (key, (value, block)) in entries {
                    if block {
                        out.push_str(&format!("{key}:\n{}", indent(&value)));
                    } else {
                        out.push_str(&format!("{key}: {value}\n"));
                    }
                }
                (out, true)
            }),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| {
                let mut out = String::new();
                for (value, block) in items {
                    if block {
                        out.push_str(&format!("-\n{}", indent(&value)));
                    } else {
                        out.push_str(&format!("- {value}\n"));
                    }
                }
                (out, true)
            }),
            prop::collection::vec(scalar(), 0..4)
                .prop_map(|items| (format!("[{}]", items.join(", ")), false)),
            prop::collection::vec(("[a-e]", scalar()), 0..4).prop_map(|entries| {
                let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                (format!("{{{}}}", inner.join(", ")), false)
            }),
        ]
    });
    (tree, prop::collection::vec(0..6usize, 0..3)).prop_map(|((text, block), anchors)| {
        let body = if block {
            text
        } else {
            format!("root: {text}\n")
        };
        // Anchor a few values and refer to them afterwards.
        let mut out = String::new();
        for (n, line) in body.lines().enumerate() {
            if anchors.contains(&(n % 6)) && line.ends_with(':') && n < 20 {
                out.push_str(&format!("{line} &a{n}\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        for &n in &anchors {
            out.push_str(&format!("ref{n}: *a{n}\n"));
        }
        out
    })
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn a_number_key_beside_its_quoted_twin_is_a_duplicate() {
    let err = parse(0, "1: a\n\"1\": b\n").unwrap_err();
    assert_eq!((err.span.line, err.span.col), (2, 1));
    assert!(err.message.starts_with("duplicate key `1`"), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn generated_yaml_reads_the_same(text in document()) {
        prop_assert!(same(&text).is_ok(), "{}", same(&text).unwrap_err());
    }
}

//! The figures the docs state are the code's: the parser's budgets.

use crate::common::root;
use mplp_scale::{MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES};
use std::collections::BTreeMap;

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

/// Every path in the profile at which the schema's `$defs/<name>` is found (`<name>`
/// for a map's entries; a list's items keep the list's path), walking from the root.
fn def_paths(schema: &serde_json::Value) -> BTreeMap<String, Vec<String>> {
    fn walk(
        schema: &serde_json::Value,
        node: &serde_json::Value,
        path: &str,
        seen: &mut Vec<String>,
        out: &mut BTreeMap<String, Vec<String>>,
    ) {
        if !node.is_object() {
            return;
        }
        let join = |key: &str| {
            if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            }
        };
        if let Some(name) = node["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            out.entry(name.to_owned())
                .or_default()
                .push(path.to_owned());
            if !seen.iter().any(|s| s == name) {
                seen.push(name.to_owned());
                walk(schema, &schema["$defs"][name], path, seen, out);
                seen.pop();
            }
        }
        if let Some(props) = node["properties"].as_object() {
            for (key, prop) in props {
                walk(schema, prop, &join(key), seen, out);
            }
        }
        if node["additionalProperties"].is_object() {
            walk(
                schema,
                &node["additionalProperties"],
                &join("<name>"),
                seen,
                out,
            );
        }
        walk(schema, &node["items"], path, seen, out);
        for key in ["allOf", "anyOf", "oneOf"] {
            for item in node[key].as_array().into_iter().flatten() {
                walk(schema, item, path, seen, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(schema, schema, "", &mut Vec::new(), &mut out);
    out
}

/// Where docs/profile.md documents the field at `path` (`a.b.c`), and the default it
/// gives there: the row `b.c` of the section `` `a` `` (or `c` of `` `a.b` ``), or the
/// sentence "`b.c` defaults to …".
fn documented_at<'a>(doc: &'a str, path: &str) -> Option<&'a str> {
    let segs: Vec<&str> = path.split('.').collect();
    (1..segs.len())
        .find_map(|i| documented_default(doc, &segs[..i].join("."), &segs[i..].join(".")))
        .or_else(|| (0..segs.len()).find_map(|i| documented_default(doc, "", &segs[i..].join("."))))
}

/// The default column of `field`'s row in the table of the doc's section `section`, or
/// (no section) the value of the sentence "`field` defaults to `value`".
fn documented_default<'a>(doc: &'a str, section: &str, field: &str) -> Option<&'a str> {
    if section.is_empty() {
        let after = doc.split_once(&format!("`{field}` defaults to "))?.1;
        let end = after[1..].find('`')? + 2;
        return Some(&after[..end]);
    }
    let start = doc.find(&format!("\n## `{section}`\n"))? + 1;
    let body = &doc[start..];
    let body = &body[..body[1..].find("\n## ").map_or(body.len(), |i| i + 1)];
    body.lines().find_map(|line| {
        let cells: Vec<&str> = line.split(" | ").collect();
        (cells.len() >= 4 && cells[0] == format!("| `{field}`")).then(|| cells[2])
    })
}

/// Every `default` in the profile's JSON Schema is in docs/profile.md, where the field
/// is (found from the field's path in the profile), with the same value (the schema's
/// defaults are the reader's: both come from the field's `#[profile(default = …)]`).
#[test]
fn the_profile_docs_state_the_schemas_defaults() {
    let schema = mplp_scale::profile_schema();
    let doc = read("docs/profile.md");
    let paths = def_paths(&schema);
    let mut problems = Vec::new();
    for (name, def) in schema["$defs"].as_object().unwrap() {
        for (key, prop) in def["properties"].as_object().into_iter().flatten() {
            let Some(default) = prop.get("default") else {
                continue;
            };
            let expected = match default {
                serde_json::Value::String(s) => format!("`{s}`"),
                other => format!("`{other}`"),
            };
            let at = paths.get(name).into_iter().flatten().find_map(|p| {
                let path = format!("{p}.{key}");
                documented_at(&doc, &path).map(|cell| (path, cell))
            });
            match at {
                Some((_, cell)) if cell == expected => {}
                Some((path, cell)) => problems.push(format!(
                    "docs/profile.md `{path}`: default {cell}, the schema's is {expected}"
                )),
                None => problems.push(format!(
                    "docs/profile.md has no row for `{name}.{key}` (at {:?})",
                    paths.get(name)
                )),
            }
        }
    }
    assert!(
        schema["properties"]
            .as_object()
            .unwrap()
            .values()
            .all(|p| p.get("default").is_none())
    );
    assert_eq!(problems, Vec::<String>::new());
}

/// Issue 14, item 10: the README states the Rust version `Cargo.toml` requires, and
/// installs with the locked versions.
#[test]
fn the_readme_states_the_prerequisites() {
    let manifest = read("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml has a rust-version");
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("Rust {version} or newer")),
        "README does not state Rust {version}"
    );
    assert!(readme.contains("Python 3 with `venv`"));
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(
        !readme.contains("cargo install --path"),
        "every install is --locked"
    );
}

/// The docs this test reads for shell examples.
const DOCS_WITH_EXAMPLES: &[&str] = &[
    "README.md",
    "docs/argocd.md",
    "docs/ci.md",
    "docs/cloud-resources.md",
    "docs/diagnostics.md",
    "docs/keda.md",
    "docs/performance.md",
    "docs/profile.md",
    "docs/seed-deviations.md",
    "docs/simulate.md",
    "docs/testing.md",
    "docs/traffic.md",
    "docs/versions.md",
    "docs/architecture.md",
    "docs/dependencies.md",
    "docs/metrics-adapter.md",
    "docs/postgres-switchover.md",
];

/// Issue 14, item 8: every shell example in the README and docs says whether it runs
/// as written (```` ```sh runnable ````) or not (```` ```sh not-runnable ````: it builds
/// the project, needs a cluster, writes outside the folder); every runnable one runs,
/// in a fresh folder holding `profiles/`, with `mplp-scale` on PATH, and exits 0; where
/// a ```` ```text ```` block follows it, that is what it prints.
#[test]
fn runnable_shell_examples_run() {
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_mplp-scale"),
        bin.path().join("mplp-scale"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (mut ran, mut compared) = (0, 0);
    for doc in DOCS_WITH_EXAMPLES {
        let text = read(doc);
        let mut lines = text.lines().enumerate();
        while let Some((n, line)) = lines.next() {
            let Some(info) = line.strip_prefix("```sh") else {
                continue;
            };
            let block: Vec<&str> = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| *l != "```")
                .collect();
            match info.trim() {
                "not-runnable" => continue,
                "runnable" => {}
                other => panic!(
                    "{doc}:{}: a ```sh block is marked `{other}`: mark it `runnable` or `not-runnable`",
                    n + 1
                ),
            }
            let dir = tempfile::tempdir().unwrap();
            let profiles = dir.path().join("profiles");
            std::fs::create_dir(&profiles).unwrap();
            for name in ["production.yaml", "minimal.yaml"] {
                std::fs::copy(root().join("profiles").join(name), profiles.join(name)).unwrap();
            }
            // Standard output is a file, as in `… > out.txt`, not a pipe.
            let stdout = tempfile::tempfile().unwrap();
            let mut reader = stdout.try_clone().unwrap();
            let out = std::process::Command::new("bash")
                .args(["--norc", "--noprofile", "-euo", "pipefail", "-c"])
                .arg(block.join("\n"))
                .current_dir(dir.path())
                .env("PATH", &path)
                .stdin(std::process::Stdio::null())
                .stdout(stdout)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{doc}:{}: the example fails:\n{}\n{}",
                n + 1,
                block.join("\n"),
                String::from_utf8_lossy(&out.stderr)
            );
            // Output shown: a ```text block right after the example is what it prints.
            let rest: Vec<&str> = text.lines().skip(n + block.len() + 2).collect();
            let mut after = rest.iter().skip_while(|l| l.trim().is_empty());
            if after.next() == Some(&"```text") {
                let shown: Vec<&str> = after.take_while(|l| **l != "```").copied().collect();
                let mut printed = String::new();
                std::io::Seek::rewind(&mut reader).unwrap();
                std::io::Read::read_to_string(&mut reader, &mut printed).unwrap();
                printed.push_str(&String::from_utf8_lossy(&out.stderr));
                assert!(
                    printed.contains(&shown.join("\n")),
                    "{doc}:{}: the example does not print what the doc shows:\n{}\n--- printed:\n{printed}",
                    n + 1,
                    shown.join("\n")
                );
                compared += 1;
            }
            ran += 1;
        }
    }
    assert!(ran >= 4, "only {ran} runnable examples found");
    assert!(compared >= 2, "only {compared} examples show their output");
}

/// Every doc with a shell example is one the test above reads.
#[test]
fn every_doc_with_shell_examples_is_read() {
    let mut docs = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        docs.push(entry.unwrap().path());
    }
    for doc in docs {
        let name = doc
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        if std::fs::read_to_string(&doc).unwrap().contains("```sh") {
            assert!(
                DOCS_WITH_EXAMPLES.contains(&name.as_str()),
                "{name} has shell examples: add it to DOCS_WITH_EXAMPLES"
            );
        }
    }
}

/// The backquoted repository paths docs/architecture.md names (`src/…`, `templates/…`,
/// `tests/…`, …).
fn architecture_paths(text: &str) -> Vec<&str> {
    const ROOTS: [&str; 9] = [
        "src/",
        "templates/",
        "tests/",
        "schemas/",
        "snapshots/",
        "docs/",
        "profiles/",
        "deploy/",
        "benches/",
    ];
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| ROOTS.iter().any(|root| quoted.starts_with(root)))
        .filter(|quoted| !quoted.contains(' '))
        .collect()
}

/// The recipes stay true: every path docs/architecture.md names exists (a file the
/// recipe creates is written with a placeholder, `src/kinds/<kind>.rs`, whose folder must
/// exist), and every kind module is named.
#[test]
fn the_architecture_names_files_that_exist() {
    let text = read("docs/architecture.md");
    let paths = architecture_paths(&text);
    assert!(paths.contains(&"src/kinds/mod.rs"), "{paths:?}");
    let mut missing = Vec::new();
    for path in &paths {
        let existing = match path.find('<') {
            Some(at) => &path[..=path[..at].rfind('/').unwrap_or(0)],
            None => path,
        };
        if !root().join(existing).exists() {
            missing.push(*path);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/architecture.md names paths that do not exist: {missing:?}"
    );
    let mut unnamed = Vec::new();
    for entry in std::fs::read_dir(root().join("src/kinds")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let stem = name.trim_end_matches(".rs");
        if stem != "mod"
            && !text.contains(&format!("`{stem}`"))
            && !text.contains(&format!("`{name}`"))
        {
            unnamed.push(name);
        }
    }
    assert!(
        unnamed.is_empty(),
        "docs/architecture.md does not name these src/kinds/ modules: {unnamed:?}"
    );
}

/// The kind recipe gives the visibility every kind has: each entry of `KINDS` is a
/// `pub(crate) static …: KindInfo` of a `pub(crate) mod` of `src/kinds/mod.rs` (a `pub`
/// one fails CI through clippy's `unreachable_pub`).
#[test]
fn the_kind_recipe_gives_the_kinds_visibility() {
    let text = read("docs/architecture.md");
    assert!(text.contains("`pub(crate) static INFO: KindInfo`"));
    assert!(text.contains("`pub(crate) mod <kind>;`"));
    let kinds = read("src/kinds/mod.rs");
    let table = kinds
        .split("static KINDS: &[&KindInfo] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("src/kinds/mod.rs has `KINDS`");
    let entries: Vec<(&str, &str)> = table
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix('&')?
                .strip_suffix(',')?
                .split_once("::")
        })
        .collect();
    assert!(entries.len() >= 20, "only {} kinds in KINDS", entries.len());
    for (module, info) in entries {
        assert!(
            kinds.contains(&format!("\npub(crate) mod {module};\n")),
            "src/kinds/mod.rs does not declare `pub(crate) mod {module};`"
        );
        let source = read(&format!("src/kinds/{module}.rs"));
        assert!(
            source.contains(&format!("\npub(crate) static {info}: KindInfo")),
            "src/kinds/{module}.rs does not declare `pub(crate) static {info}: KindInfo`"
        );
    }
}

/// No source file over 700 lines (issue 10; clippy's `too_many_lines` holds the 100-line
/// limit of a function): a file that grows past it is split where its parts are.
#[test]
fn no_source_file_is_over_700_lines() {
    fn walk(dir: &std::path::Path, long: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, long);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path).unwrap().lines().count();
                if lines > 700 {
                    long.push(format!("{}: {lines} lines", path.display()));
                }
            }
        }
    }
    let mut long = Vec::new();
    for dir in ["src", "derive/src"] {
        walk(&root().join(dir), &mut long);
    }
    assert_eq!(long, Vec::<String>::new());
}

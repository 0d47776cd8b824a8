//! Issue 21, items 4 and 10: the machine formats. SARIF validates against the official
//! schema; an input that cannot be read is reported in every format's own way; `explain`
//! prints JSON.

use crate::common::{Test, assert_cli_snapshot, root};

/// The official SARIF 2.1.0 schema (tests/fixtures/sarif/README.md says where it is from).
fn sarif_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every error of `log` against the schema: as the schema declares itself (draft 4, whose
/// formats include `uri`), and again under draft 7, which also checks `uri-reference`
/// (the artifact locations).
fn sarif_errors(log: &serde_json::Value) -> Vec<String> {
    let schema = sarif_schema();
    let mut found = Vec::new();
    for draft in [jsonschema::Draft::Draft4, jsonschema::Draft::Draft7] {
        let validator = jsonschema::options()
            .with_draft(draft)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        found.extend(
            validator
                .iter_errors(log)
                .map(|e| format!("{draft:?} {}: {e}", e.instance_path())),
        );
    }
    found
}

#[test]
fn the_validator_catches_what_the_schema_refuses() {
    // The checks bite: a relative helpUri (`uri`) and a space in an artifact URI
    // (`uri-reference`) are refused.
    let log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "x", "rules": [{"id": "E1", "helpUri": "docs/d.md#e1"}]}},
            "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "a b.yaml"}}}]}],
        }],
    });
    let errors = sarif_errors(&log);
    assert!(errors.iter().any(|e| e.contains("helpUri")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("/uri")), "{errors:#?}");
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let dir = tempfile::tempdir().unwrap();
    let spaced = dir.path().join("team profiles");
    std::fs::create_dir(&spaced).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/invalid/replicas-max.yaml"),
        spaced.join("a b.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("profiles/production.yaml"),
        dir.path().join("production.yaml"),
    )
    .unwrap();
    // Clean, with problems, and with a file that cannot be read.
    for (args, code) in [
        (vec!["production.yaml"], 0),
        (vec!["team profiles/a b.yaml", "production.yaml"], 1),
        (vec!["missing.yaml", "team profiles/a b.yaml"], 2),
        (vec!["missing.yaml"], 2),
    ] {
        let out = Test::new(
            ["lint", "--format", "sarif"]
                .into_iter()
                .chain(args.clone()),
        )
        .current_dir(dir.path())
        .run();
        assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
        let log: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {:?}", out.stdout));
        let errors = sarif_errors(&log);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        let run = &log["runs"][0];
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            let uri = rule["helpUri"].as_str().unwrap();
            assert!(
                uri.starts_with(
                    "https://github.com/mplp/mplp-scale/blob/main/docs/diagnostics.md#"
                ),
                "{uri}"
            );
        }
        assert_eq!(
            run["invocations"][0]["executionSuccessful"],
            code != 2,
            "{args:?}"
        );
        let uris: Vec<&str> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()
            })
            .collect();
        if args.contains(&"team profiles/a b.yaml") {
            assert!(uris.contains(&"team%20profiles/a%20b.yaml"), "{uris:?}");
        }
        if args.contains(&"missing.yaml") {
            let results = run["results"].as_array().unwrap();
            assert!(
                results
                    .iter()
                    .any(|r| r["ruleId"] == "E0010" && r["level"] == "error"),
                "{results:#?}"
            );
            let notes = &run["invocations"][0]["toolExecutionNotifications"];
            assert_eq!(notes[0]["descriptor"]["id"], "E0010", "{notes:#?}");
        }
    }
}

/// The anchor of every rule's `helpUri` is a heading of docs/diagnostics.md, as GitHub
/// makes anchors (lower case, punctuation dropped, spaces to `-`).
#[test]
fn sarif_help_uris_point_at_the_codes_sections() {
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let anchors: Vec<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|h| {
            h.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let out = Test::new(["lint", "--format", "sarif", "profiles/minimal.yaml"])
        .current_dir(&root())
        .run();
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), mplp_scale::CODES.len());
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let anchor = uri.split_once('#').unwrap().1;
        assert!(anchors.iter().any(|a| a == anchor), "{uri}");
    }
}

/// Every machine format reports a file it cannot read (E0010) among the others; the exit
/// status is 2.
#[test]
fn machine_formats_report_an_unreadable_input() {
    let run = |format: &str| {
        Test::new([
            "lint",
            "--format",
            format,
            "tests/fixtures/invalid/replicas-max.yaml",
            "missing.yaml",
        ])
        .current_dir(&root())
        .run()
    };
    let out = run("json");
    assert_eq!(out.code, 2, "{}", out.stderr);
    let records: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let missing = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "E0010")
        .unwrap();
    assert_eq!(
        (missing["file"].as_str(), missing["severity"].as_str()),
        (Some("missing.yaml"), Some("error"))
    );
    assert_cli_snapshot("lint-github-an-unreadable-file", &run("github"), None);

    let out = run("junit");
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("missing.yaml"))
        .unwrap();
    let error = case.children().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(error.attribute("type"), Some("E0010"));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        (
            suite.attribute("tests"),
            suite.attribute("failures"),
            suite.attribute("errors")
        ),
        (Some("2"), Some("1"), Some("1"))
    );
}

/// `explain --format json`: one object, a record per region with its modules.
#[test]
fn explain_prints_json() {
    let out = Test::new([
        "explain",
        "--format",
        "json",
        "-f",
        "profiles/production.yaml",
    ])
    .current_dir(&root())
    .run();
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let regions = report["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 3);
    let us = &regions[0];
    assert_eq!(
        (us["name"].as_str(), us["primary"].as_bool()),
        (Some("us-east-1"), Some(true))
    );
    let modules = us["modules"].as_array().unwrap();
    assert_eq!(us["pods"]["hpas"].as_u64(), Some(modules.len() as u64));
    let min: i64 = modules.iter().map(|m| m["min"].as_i64().unwrap()).sum();
    assert_eq!(us["pods"]["atMinimum"].as_i64(), Some(min));
    for m in modules {
        assert!(
            m["minToMaxSeconds"].is_i64() || m["minToMaxSeconds"].is_null(),
            "{m}"
        );
    }
    // The text form says the same numbers.
    let text = Test::new(["explain", "-f", "profiles/production.yaml"])
        .current_dir(&root())
        .run();
    let first = &modules[0];
    let row = format!(
        "  {:<12} {:>4} {:>4}  {:>8}",
        first["name"].as_str().unwrap(),
        first["min"].as_i64().unwrap(),
        first["max"].as_i64().unwrap(),
        format!("{}s", first["minToMaxSeconds"].as_i64().unwrap())
    );
    assert!(text.stdout.contains(&row), "{row}\n{}", text.stdout);
    let out = Test::new(["explain", "--format", "json", "--region", "eu-west-1"]).run();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["regions"].as_array().unwrap().len(), 1);
}

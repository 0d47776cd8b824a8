//! The reproductions of issue 17, each a regression test: what an attacker's profile did
//! before, and what it does now (refused by lint, or rendered as a value only). The
//! property test over every string field is `structure.rs`; the `--out-dir` jail's cases
//! are `out_dir.rs`.

use std::fmt::Write as _;

use crate::common::{Test, documents, parse};

/// `render` with one `--set`: the exit code, stdout and stderr.
fn render_with(set: &str) -> crate::common::Output {
    Test::new(["render", "--set", set]).run()
}

/// Refused by lint with `code`: exit 1, nothing on stdout.
fn refused(set: &str, code: &str) {
    let out = render_with(set);
    assert_eq!(out.code, 1, "{set}: {}", out.stderr);
    assert_eq!(out.stdout, "", "{set}: nothing is rendered");
    assert!(
        out.stderr.contains(&format!("[{code}]")),
        "{set}: {}",
        out.stderr
    );
}

#[test]
fn a_line_break_in_a_name_cannot_add_a_document() {
    // Before: the `# Source:` comment ended at the newline and a ClusterRoleBinding to
    // cluster-admin followed as an object of the stream.
    refused(
        r#"metricsAdapter.name="x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: pwned}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}""#,
        "E0107",
    );
    // YAML 1.1 line breaks (PyYAML, go-yaml) and characters every parser refuses.
    for value in [
        r"x\u0085y",
        r"x\u2028y",
        r"x\u2029y",
        r"x\u007fy",
        r"x\u009by",
        r"x\ufffey",
        r"x\uffffy",
    ] {
        refused(&format!(r#"metricsAdapter.name="{value}""#), "E0107");
        refused(
            &format!(r#"platform.network.consistencyLevel="{value}""#),
            "E0107",
        );
    }
}

#[test]
fn a_name_cannot_leave_the_output_folder() {
    refused("metricsAdapter.name=x/../../..../victim/pwned", "E0101");
}

#[test]
fn argo_cd_never_runs_a_profile_value() {
    // Accepted values that hold Go template actions are written as Go literals.
    for (set, written) in [
        (
            "platform.targetRevision=v1{{.cluster}}",
            r#"targetRevision: "v1{{"{{"}}.cluster}}""#,
        ),
        (
            "platform.manifests.targetRevision=v2{{7*7}}",
            r#"targetRevision: "v2{{"{{"}}7*7}}""#,
        ),
    ] {
        let out = render_with(set);
        assert_eq!(out.code, 0, "{set}: {}", out.stderr);
        let appset = documents(&out.stdout)
            .into_iter()
            .map(parse)
            .find(|d| d["kind"] == "ApplicationSet")
            .unwrap();
        let patch = appset["spec"]["templatePatch"].as_str().unwrap();
        assert!(patch.contains(written), "{set}:\n{patch}");
    }
    // What would write a bare quote and a newline (a second source) cannot be written.
    refused(
        "platform.path=\"{{ printf \\\"%c\\\" 34 }}\\n    - repoURL: https://evil.example.com\"",
        "E0107",
    );
}

#[test]
fn a_header_name_stays_a_key_yaml_reads() {
    refused(
        &format!("traffic.regionHeader={}", "a".repeat(300)),
        "E0905",
    );
    refused(
        &format!("traffic.regionHeader={}", "a".repeat(1100)),
        "E0108",
    );
}

#[test]
fn a_deep_set_path_is_refused_not_a_stack_overflow() {
    let path = vec!["a"; 10_000].join(".");
    let out = render_with(&format!("{path}=1"));
    assert!(matches!(out.code, 1 | 2), "{}", out.stderr);
    assert!(
        out.stderr.contains("levels deep, over the limit of 64"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_profile_with_thousands_of_regions_is_one_error() {
    let mut profile = String::from("regions:\n");
    for i in 0..2_000 {
        let _ = writeln!(profile, "  r{i}: {{weight: 0}}");
    }
    let out = Test::new(["lint", "-f", "profiles/production.yaml", "-f", "-"])
        .stdin(profile)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("the profile has 2003 regions, over the limit of 500"),
        "{}",
        out.stdout
    );
}

#[test]
fn redis_loads_no_code_and_case_does_not_escape_a_check() {
    refused("redis.config.loadmodule=/tmp/evil.so", "E0803");
    refused("redis.config.include=/etc/passwd", "E0803");
    refused("redis.config.rename-command=CONFIG", "E0803");
    refused("redis.config.MAXMEMORY=100gb", "E0803");
}

#[test]
fn an_alias_or_a_tag_renders_its_value_not_its_source() {
    let overlay = "modules:\n  core:\n    policy:\n      - {metric: a, threshold: &p 200}\n      - {metric: b, threshold: *p}\n      - {metric: c, threshold: !!int \"300\"}\n";
    let out = Test::new(["render", "-f", "profiles/production.yaml", "-f", "-"])
        .stdin(overlay.to_owned())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let policies = documents(&out.stdout)
        .into_iter()
        .map(parse)
        .find(|d| d["metadata"]["name"] == "mplp-scaling-policies")
        .unwrap();
    let text = policies["data"]["scaling-policy.yaml"].as_str().unwrap();
    assert!(!text.contains("*p") && !text.contains("!!int"), "{text}");
    let inner = parse(text);
    let core = inner["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "core-module")
        .unwrap();
    let thresholds: Vec<String> = core["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["threshold"].to_string())
        .collect();
    assert_eq!(thresholds, ["200", "200", "300"]);

    // `--show-profile` writes YAML that reads back.
    let shown = Test::new([
        "render",
        "--show-profile",
        "-f",
        "profiles/production.yaml",
        "-f",
        "-",
    ])
    .stdin(overlay.to_owned())
    .run();
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let back = parse(&shown.stdout);
    assert_eq!(back["modules"]["core"]["policy"][1]["threshold"], 200);
}

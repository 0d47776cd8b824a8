//! `simulate` and `explain`: hand-worked vectors through the controller's algorithm.

use crate::common::{Test, assert_cli_snapshot, root};

/// Run `simulate --format csv` on the default profile with overrides; return the rows.
fn simulate(sets: &[&str], module: &str, replicas: &str, trace: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, trace).unwrap();
    let mut args = vec![
        "simulate",
        "--module",
        module,
        "--region",
        "us-east-1",
        "--replicas",
        replicas,
        "--format",
        "csv",
        "--trace",
    ];
    let path_text = path.to_str().unwrap().to_owned();
    args.push(&path_text);
    for set in sets {
        args.push("--set");
        args.push(set);
    }
    let out = Test::new(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("t,desired,replicas,reason")
    );
    lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], i: usize) -> Vec<String> {
    rows.iter().map(|r| r[i].clone()).collect()
}

/// `extension` scales on cpu at 70 %: a total of 70 × N % is demand for N pods.
fn cpu_trace(totals: &[(i64, i64)]) -> String {
    let rows: Vec<String> = totals
        .iter()
        .map(|(t, pods)| format!("{t},{}\n", pods * 70))
        .collect();
    format!("t,cpu\n{}", rows.concat())
}

#[test]
fn scale_up_rate_limits_with_the_default_rules() {
    // Demand for 40 pods from 3, one sync every 15 s, the API server's default scale-up
    // rules (4 pods or 100 % per 15 s, Max, no window): 7, 14, 28, 40.
    let rows = simulate(
        &[
            "modules.extension.replicas={min: 1, max: 50}",
            "modules.extension.behavior={scaleUp: {stabilizationWindowSeconds: 0, selectPolicy: Max, policies: [{type: Pods, value: 4, periodSeconds: 15}, {type: Percent, value: 100, periodSeconds: 15}]}}",
        ],
        "extension",
        "3",
        &cpu_trace(&[(0, 40), (15, 40), (30, 40), (45, 40)]),
    );
    assert_eq!(column(&rows, 1), ["40", "40", "40", "40"]);
    assert_eq!(column(&rows, 2), ["7", "14", "28", "40"]);
    assert_eq!(
        column(&rows, 3),
        [
            "ScaleUpLimit",
            "ScaleUpLimit",
            "ScaleUpLimit",
            "DesiredWithinRange"
        ]
    );
}

#[test]
fn scale_down_percent_limits_over_a_60s_period() {
    // 10 % per 60 s from 20, demand for 1: int(20 × 0.9) = 18, held while the first
    // event is inside the period, int(18 × 0.9) = 16 once it leaves it, then 14.
    let rows = simulate(
        &[
            "modules.extension.replicas={min: 1, max: 20}",
            "modules.extension.behavior={scaleDown: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 10, periodSeconds: 60}]}}",
        ],
        "extension",
        "20",
        &cpu_trace(&(0..9).map(|i| (i * 15, 1)).collect::<Vec<_>>()),
    );
    assert_eq!(
        column(&rows, 2),
        ["18", "18", "18", "18", "16", "16", "16", "16", "14"]
    );
    assert_eq!(rows[0][3], "ScaleDownLimit");
}

#[test]
fn a_300s_scale_down_stabilization_window() {
    // Demand for 10 at t=0, then for 2: the highest recommendation of the last 300 s
    // holds 10 until the t=0 one leaves the window at t=300.
    let mut trace = vec![(0, 10)];
    trace.extend((1..=21).map(|i| (i * 15, 2)));
    let rows = simulate(
        &[
            "modules.extension.replicas={min: 1, max: 20}",
            "modules.extension.behavior={scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: Percent, value: 100, periodSeconds: 15}]}}",
        ],
        "extension",
        "10",
        &cpu_trace(&trace),
    );
    for row in &rows[1..20] {
        assert_eq!(
            (row[2].as_str(), row[3].as_str()),
            ("10", "ScaleDownStabilized"),
            "{row:?}"
        );
    }
    assert_eq!(rows[20][0], "300");
    assert_eq!((rows[20][1].as_str(), rows[20][2].as_str()), ("2", "2"));
}

#[test]
fn without_behavior_the_legacy_path_doubles() {
    let rows = simulate(
        &[
            "modules.extension.replicas={min: 1, max: 50}",
            "defaults.behavior=null",
        ],
        "extension",
        "3",
        &cpu_trace(&[(0, 40), (15, 40), (30, 40), (45, 40)]),
    );
    assert_eq!(column(&rows, 2), ["6", "12", "24", "40"]);
}

#[test]
fn the_seed_rule_beside_the_hpa() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, "t,cpu\n0,140\n15,7000\n").unwrap();
    let out = Test::new([
        "simulate",
        "--module",
        "extension",
        "--trace",
        path.to_str().unwrap(),
        "--controller",
        "seed",
        "--format",
        "csv",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "t,desired,replicas,reason,desired_cpu,seed");
    // 140 % at a 70 % target is 2 pods' worth: the HPA keeps 1 → 2, the seed says 140/70 + 1 = 3.
    assert!(lines[1].ends_with(",3"), "{}", lines[1]);
    // 7000 %: the seed's rule caps at 20.
    assert!(lines[2].ends_with(",20"), "{}", lines[2]);
}

#[test]
fn the_svg_chart_parses_as_svg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, "t,cpu\n0,140\n15,700\n30,700\n45,70\n").unwrap();
    let out = Test::new([
        "simulate",
        "--module",
        "extension",
        "--trace",
        path.to_str().unwrap(),
        "--format",
        "svg",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = roxmltree::Document::parse(&out.stdout).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(
        root.descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count()
            >= 2
    );
    assert!(out.stdout.contains(">min 1<") && out.stdout.contains(">max 5<"));
}

#[test]
fn bad_traces_and_names_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, "t,gpu\n0,1\n").unwrap();
    let out = Test::new([
        "simulate",
        "--module",
        "extension",
        "--trace",
        path.to_str().unwrap(),
    ])
    .run();
    assert_cli_snapshot("simulate-a-trace-without-cpu", &out, Some(dir.path()));
    let out = Test::new([
        "simulate",
        "--module",
        "nope",
        "--trace",
        path.to_str().unwrap(),
    ])
    .run();
    assert_cli_snapshot("simulate-an-unknown-module", &out, Some(dir.path()));
}

#[test]
fn explain_the_default_profile() {
    let out = Test::new(["explain"]).current_dir(&root()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout;
    assert!(
        text.contains("region us-east-1 (primary, 50% of the default route)"),
        "{text}"
    );
    assert!(
        text.contains("  module pods: 21 at minimum, 109 at maximum (10 HPAs)"),
        "{text}"
    );
    assert!(
        text.contains(
            "core pods at maximum  20 × (cpu 1000m, memory 2Gi) = 20 cpu, 40Gi / 80 cpu, 160Gi"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "behavior: up window 60s, Max(100%/15s, 4 pods/15s); down window 300s, Min(10%/60s)"
        ),
        "{text}"
    );
    assert!(
        text.contains("postgres through the pooler: 2000 client connections (2 PgBouncer pods × max_client_conn 1000) for up to 109 module pods"),
        "{text}"
    );
    assert!(
        text.contains("region ap-southeast-1 (replica, 20% of the default route)"),
        "{text}"
    );
    crate::common::snapshot_settings().bind(|| insta::assert_snapshot!("explain@production", text));
}

//! `simulate` and `explain`: hand-worked vectors through the controller's algorithm.

use std::fmt::Write as _;

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

/// Run `simulate --format csv` on the default profile, no overrides.
fn simulate_default(args: &[&str], trace: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, trace).unwrap();
    let path_text = path.to_str().unwrap().to_owned();
    let mut all = vec!["simulate", "--format", "csv", "--trace", &path_text];
    all.extend(args);
    let out = Test::new(all).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn plan_holds_its_count_for_the_scale_down_window() {
    // Issue 13 (a): `recordInitialRecommendation` (horizontal.go) stores the count of
    // the first sync; `simulate --module plan --replicas 5` on a low trace holds 5 until
    // that recommendation leaves the 300 s window, then Min(10 %/60 s) gives int(4.5) = 4.
    // 140 % is 2 pods' worth at the 70 % target.
    let trace: String = (0..=20).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "{},140", i * 15);
        s
    });
    let rows = simulate_default(
        &["--module", "plan", "--replicas", "5"],
        &format!("t,cpu\n{trace}"),
    );
    assert_eq!(rows[0][..4], ["0", "2", "5", "ScaleDownStabilized"]);
    assert!(rows[..20].iter().all(|r| r[2] == "5"), "{rows:?}");
    assert_eq!(rows[20][..4], ["300", "2", "4", "ScaleDownLimit"]);
}

#[test]
fn an_empty_cell_blocks_a_scale_down() {
    // Issue 13 (b): `computeReplicasForMetrics` (horizontal.go) returns -1 when a metric
    // is missing and the rest would scale down; `reconcileAutoscaler` then changes
    // nothing. `role` scales on cpu and mplp_auth_requests_per_second.
    let rows = simulate_default(
        &["--module", "role", "--replicas", "10"],
        "t,cpu,mplp_auth_requests_per_second\n0,60,\n15,1200,\n",
    );
    assert_eq!(rows[0][..4], ["0", "1", "10", "FailedGetPodsMetric"]);
    assert_eq!(rows[0][4..], ["1", ""]);
    // A scale-up on the metrics that were read goes ahead (held by the 60 s window here).
    assert_eq!(rows[1][..3], ["15", "20", "10"]);
    assert_eq!(rows[1][3], "ScaleUpStabilized");
}

#[test]
fn desired_is_the_raw_recommendation_above_max() {
    // Issue 13 (d): above max, `reconcileAutoscaler` goes to max without the metrics;
    // `desired` says what the only metric asks for (2), not the bound (8).
    let rows = simulate_default(
        &["--module", "plan", "--replicas", "99"],
        "t,cpu\n0,140\n15,140\n",
    );
    assert_eq!(rows[0][..4], ["0", "2", "8", "TooManyReplicas"]);
    assert_eq!(rows[1][..4], ["15", "2", "8", "ScaleDownStabilized"]);
}

/// `min→max` and `max→min` of one module in `explain --region R`.
fn explain_timings(region: &str, module: &str) -> (String, String) {
    let out = Test::new(["explain", "--region", region]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{module} ")))
        .unwrap_or_else(|| panic!("no line for {module}:\n{}", out.stdout));
    let cells: Vec<&str> = line.split_whitespace().collect();
    (cells[3].to_owned(), cells[4].to_owned())
}

#[test]
fn explain_and_simulate_agree_on_the_step() {
    // Issue 13 (c): explain's timings are simulate's on the step trace (twice max's
    // demand for an hour, then half min's). `context` in eu-west-1: cpu at 70 %, 2..10.
    // Up: the initial recommendation (2) holds for the 60 s up window, then
    // Max(100 %, 4 pods) gives 6 at 60 s and 10 at 75 s. Down: the 300 s window holds 10
    // while the last up-phase recommendation (3585 s) is after the cutoff, so until
    // 3885 s (285 s), then Min(10 %/60 s): 9, 8, 7, 6, 5, 4, 3, 2, the last at 705 s.
    let mut trace = String::from("t,cpu\n");
    for i in 0..480 {
        let total = if i < 240 { 20 * 70 } else { 70 };
        let _ = writeln!(trace, "{},{total}", i * 15);
    }
    let rows = simulate_default(&["--module", "context", "--region", "eu-west-1"], &trace);
    let first = |from: usize, goal: &str| {
        rows[from..]
            .iter()
            .find(|r| r[2] == goal)
            .map(|r| r[0].parse::<i64>().unwrap() - (from as i64) * 15)
            .unwrap()
    };
    let (up, down) = (first(0, "10"), first(240, "2"));
    assert_eq!((up, down), (75, 705));
    assert_eq!(
        explain_timings("eu-west-1", "context"),
        (format!("{up}s"), format!("{down}s"))
    );
}

#[test]
fn the_svg_axis_is_round_and_its_labels_apart() {
    // Issue 13 (e): demand far above max (1,400 pods on a 1..5 module) clips at twice
    // the max; the axis ends on a round value with round ticks; min 1 and max 5 are
    // labelled without overlapping.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    std::fs::write(&path, "t,cpu\n0,70\n15,98000\n30,98000\n45,70\n").unwrap();
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
    let texts: Vec<(f64, f64, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let num = |a| n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            (num("x"), num("y"), n.text().unwrap_or("").to_owned())
        })
        .collect();
    // The y ticks: right-aligned numbers left of the plot.
    let ticks: Vec<f64> = texts
        .iter()
        .filter(|(x, _, t)| *x < 56.0 && t.parse::<f64>().is_ok())
        .map(|(_, _, t)| t.parse().unwrap())
        .collect();
    assert_eq!(ticks, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
    let label = |prefix: &str| {
        texts
            .iter()
            .find(|(_, _, t)| t.starts_with(prefix))
            .unwrap()
            .1
    };
    assert!(label("min 1") - label("max 5") >= 14.0);
    assert!(out.stdout.contains("(clipped at 10; peak 1400)"));
}

#[test]
fn a_value_target_on_a_backlog_ratchets_and_average_value_does_not() {
    // Issue 13 item 2: the same draining backlog (150, 140, 130, 120 items; target 50)
    // through `GetObjectMetricReplicas` (`value`: ceil(value ÷ 50 × current), again at
    // every sync, here only held back by the legacy limit max(2 × current, 4)) and
    // `GetObjectPerPodMetricReplicas` (`averageValue`: ceil(value ÷ 50) = 3 throughout).
    let trace = "t,mplp_plan_execution_backlog\n0,150\n15,140\n30,130\n45,120\n";
    let run = |target: &str| {
        let metrics = format!(
            "modules.plan.metrics=[{{object: mplp_plan_execution_backlog, describedObject: {{kind: Service, name: mplp-plan-service}}, {target}: \"50\"}}]"
        );
        let rows = simulate_default(
            &[
                "--module",
                "plan",
                "--replicas",
                "2",
                "--set",
                &metrics,
                "--set",
                "modules.plan.replicas={min: 1, max: 50}",
                "--set",
                "defaults.behavior=null",
            ],
            trace,
        );
        column(&rows, 2)
    };
    assert_eq!(run("value"), ["4", "8", "16", "32"]);
    assert_eq!(run("averageValue"), ["3", "3", "3", "3"]);
}

/// A trace is read whole, so it has a profile's bound (16 MiB): beyond it, exit 2 before
/// any row is parsed (an attacker's review: 53 MB took 1.2 GB).
#[test]
fn an_oversized_trace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("big.csv");
    let rows = "t,cpu\n".to_owned() + &"15,50\n".repeat(17 * 1024 * 1024 / 6);
    // The cut one byte past the limit inside a character: still too large, not "not UTF-8".
    let mut cut = String::from("t,cpu\n");
    cut.push_str(&"x".repeat(16 * 1024 * 1024 - cut.len()));
    cut.push_str(&"é".repeat(8));
    for text in [rows, cut] {
        std::fs::write(&trace, text).unwrap();
        let t = trace.to_str().unwrap();
        let out = Test::new(["simulate", "--module", "core", "--trace", t]).run();
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr
                .contains("is larger than the limit of 16777216 bytes (16 MiB)"),
            "{}",
            out.stderr
        );
    }
}

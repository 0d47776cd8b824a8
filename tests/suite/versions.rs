//! KEDA as the backend and the target versions (docs/keda.md, docs/versions.md): the
//! renders pass validate-manifests for the Kubernetes they target.

use crate::common::{Test, documents, parse, validate_manifests};

/// The default profile rendered with `args`, which must succeed.
fn render(args: &[&str]) -> String {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    let out = Test::new(all).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

fn kinds_named(stream: &str, kind: &str) -> Vec<serde_json::Value> {
    documents(stream)
        .into_iter()
        .map(parse)
        .filter(|d| d["kind"] == kind)
        .collect()
}

fn passes(stream: &str, kube: &str) {
    let version = format!("{kube}.0");
    let args = [
        "--topology",
        "--warnings-as-errors",
        "--quiet",
        "--kube-version",
        version.as_str(),
    ];
    if let Some((code, out)) = validate_manifests(stream, &args) {
        assert_eq!(
            code, 0,
            "Kubernetes {kube}: validate-manifests found:\n{out}"
        );
    }
}

#[test]
fn keda_replaces_the_hpas_and_the_adapter_rules() {
    let stream = render(&["--set", "autoscaling.backend=keda"]);
    assert!(kinds_named(&stream, "HorizontalPodAutoscaler").is_empty());
    assert!(!stream.contains("seriesQuery"), "an adapter rule is left");
    // 3 regions × 10 modules.
    assert_eq!(kinds_named(&stream, "ScaledObject").len(), 30);
    passes(&stream, "1.37");
}

#[test]
fn one_module_on_keda_keeps_the_rules_the_hpas_use() {
    let stream = render(&["--set", "modules.core.backend=keda"]);
    let hpas = kinds_named(&stream, "HorizontalPodAutoscaler");
    assert!(
        hpas.iter()
            .all(|h| h["metadata"]["name"] != "mplp-core-hpa")
    );
    assert_eq!(hpas.len(), 27);
    let adapter = kinds_named(&stream, "ConfigMap")
        .into_iter()
        .find(|c| c["metadata"]["name"] == "mplp-metrics-adapter")
        .unwrap();
    let rules = adapter["data"]["config.yaml"].as_str().unwrap();
    // Only core uses these: KEDA serves them now.
    for only_core in [
        "mplp_requests_total",
        "mplp_context_queue_length",
        "mplp_request_duration_seconds_bucket",
    ] {
        assert!(!rules.contains(only_core), "{only_core}:\n{rules}");
    }
    assert!(rules.contains("mplp_auth_requests_total"), "{rules}");
    passes(&stream, "1.37");
}

/// One module of each kind of metric: `confirm` (cpu only), `role` (cpu and a Pods
/// metric), `core` (cpu, memory, a Pods metric, Object `averageValue` and `value`), with
/// Prometheus credentials (the `TriggerAuthentication`).
#[test]
fn scaled_objects_of_each_kind_of_metric() {
    let stream = render(&[
        "--set",
        "autoscaling={backend: keda, prometheus: {auth: {mode: bearer, secret: prometheus-token}}}",
        "--set",
        "metrics.mplp_auth_requests_per_second.activationThreshold=2",
    ]);
    let picked: Vec<&str> = documents(&stream)
        .into_iter()
        .filter(|d| d.contains("topology.mplp.io/region: eu-west-1\n"))
        .filter(|d| {
            d.contains("kind: TriggerAuthentication")
                || ["mplp-confirm", "mplp-role", "mplp-core"].iter().any(|n| {
                    d.contains("kind: ScaledObject") && d.contains(&format!("  name: {n}\n"))
                })
        })
        .collect();
    assert_eq!(picked.len(), 4);
    crate::common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("versions@keda-scaled-objects", picked.join("---\n"));
    });
    passes(&stream, "1.37");
}

/// Both backends, a tolerance set, for the Kubernetes releases users run: each render is
/// valid for its release (the tolerance only where it is served).
#[test]
fn renders_for_kubernetes_1_30_1_33_and_1_37() {
    for backend in ["hpa", "keda"] {
        for kube in ["1.30", "1.33", "1.37"] {
            let backend_set = format!("autoscaling.backend={backend}");
            let stream = render(&[
                "--kube-version",
                kube,
                "--set",
                &backend_set,
                "--set",
                "defaults.behavior.scaleDown.tolerance=\"0.05\"",
                "--set",
                "postgres.vpa={updateMode: InPlaceOrRecreate}",
            ]);
            let tolerance = stream.contains("tolerance: \"0.05\"");
            assert_eq!(tolerance, kube == "1.37", "{backend} {kube}");
            let in_place = stream.contains("    updateMode: InPlaceOrRecreate\n");
            assert_eq!(in_place, kube != "1.30", "{backend} {kube}");
            passes(&stream, kube);
        }
    }
}

#[test]
fn an_old_target_is_refused_naming_the_minimum() {
    let out = Test::new(["render", "--kube-version", "1.22"]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("needs Kubernetes 1.23 or later"),
        "{}",
        out.stderr
    );
    // A flag's value that is not a version is a bad flag (exit 2); the same text in the
    // profile is E1101.
    let out = Test::new(["lint", "--kube-version", "1.x"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not a Kubernetes version"),
        "{}",
        out.stderr
    );
    let out = Test::new(["lint", "--set", "platform.kubernetesVersion=1.x"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("E1101"), "{}", out.stdout);
}

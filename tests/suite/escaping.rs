//! Output is well-formed by construction: hostile strings in a profile come back exactly.

use std::fmt::Write as _;

use crate::common::{Test, documents, parse, validate_manifests};

/// Strings that break naive YAML templating and that a free-text field takes: quotes,
/// `: `, `#`, a document separator, YAML 1.1 booleans, hex, unicode, template syntax.
/// (Line breaks and control characters are refused in every field but a query: E0107,
/// tests/suite/structure.rs.)
const HOSTILE: &[&str] = &[
    "a \"quoted\": value # not a comment",
    "---",
    "yes",
    "0x1",
    "{{ not a template }} {% neither %}",
    "ünïcödé ☃ 🎉 中文",
    "'single' and \\backslash\\",
    "- not a list",
    "*not_an_alias &nor_an_anchor !tag",
    "~",
    "null",
    "",
];

fn hostile_profile() -> String {
    let base = mplp_scale::DEFAULT_PROFILE;
    // A YAML double-quoted scalar: JSON's escapes, plus those JSON leaves raw but YAML forbids.
    let q = |s: &str| {
        serde_json::to_string(s)
            .unwrap()
            .replace('\u{7f}', "\\u007f")
            .replace('\u{85}', "\\u0085")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    };
    let mut policy = String::from("    policy:\n");
    for (i, s) in HOSTILE.iter().enumerate() {
        let _ = writeln!(
            policy,
            "      - {{metric: {}, threshold: {}}}",
            q(s),
            q(HOSTILE[HOSTILE.len() - 1 - i])
        );
    }
    base.replacen(
        "crossRegionLatency: 100ms",
        &format!("crossRegionLatency: {}", q(HOSTILE[0])),
        1,
    )
    .replacen(
        "consistencyLevel: eventual",
        &format!("consistencyLevel: {}", q(HOSTILE[1])),
        1,
    )
    .replacen(
        "  trace:\n    replicas: {min: 2, max: 8}\n",
        &format!("  trace:\n    replicas: {{min: 2, max: 8}}\n{policy}"),
        1,
    )
    // A metricsQuery is text inside the adapter's config.yaml inside a ConfigMap value.
    .replacen(
        "mplp_network_connections_active: {kind: gauge}",
        &format!(
            "mplp_network_connections_active: {{kind: gauge, query: {}}}",
            q(&HOSTILE.concat())
        ),
        1,
    )
    .replacen("work_mem: 4MB", &format!("work_mem: {}", q(HOSTILE[5])), 1)
    .replacen(
        "targetRevision: v1.0.0",
        &format!("targetRevision: {}", q("v1#2:x")),
        1,
    )
}

#[test]
fn hostile_strings_round_trip() {
    let profile = hostile_profile();
    let out = Test::new(["render", "-f", "-"])
        .stdin(profile.clone())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs: Vec<serde_json::Value> = documents(&out.stdout).into_iter().map(parse).collect();
    assert_eq!(
        docs.len(),
        141,
        "every document parses and none was split or merged"
    );

    let app = &docs[0];
    let values = &app["spec"]["generators"][0]["list"]["elements"][0]["values"];
    assert_eq!(
        values["network"]["multiRegion"]["crossRegionLatency"],
        HOSTILE[0]
    );
    assert_eq!(
        values["network"]["multiRegion"]["consistencyLevel"],
        HOSTILE[1]
    );
    let patch = app["spec"]["templatePatch"].as_str().unwrap();
    assert!(patch.contains("targetRevision: \"v1#2:x\"\n"), "{patch}");

    let policies = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "mplp-scaling-policies")
        .unwrap();
    let inner = parse(policies["data"]["scaling-policy.yaml"].as_str().unwrap());
    let trace = inner["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "trace-module")
        .unwrap();
    let metrics = trace["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), HOSTILE.len());
    for (i, m) in metrics.iter().enumerate() {
        assert_eq!(m["name"], HOSTILE[i], "metric {i}");
        assert_eq!(
            m["threshold"],
            HOSTILE[HOSTILE.len() - 1 - i],
            "threshold {i}"
        );
    }

    let cluster = docs.iter().find(|d| d["kind"] == "Cluster").unwrap();
    assert_eq!(
        cluster["spec"]["postgresql"]["parameters"]["work_mem"],
        HOSTILE[5]
    );

    // The same stream read by PyYAML (YAML 1.1) in the validator: still valid objects.
    if let Some((code, text)) = validate_manifests(&out.stdout, &["--quiet"]) {
        assert_eq!(code, 0, "{text}");
    }
}

#[test]
fn the_values_string_option_round_trips_too() {
    let profile = hostile_profile()
        .replacen(
            "    selfHeal: true\n",
            "    selfHeal: true\n    valuesFormat: string\n",
            1,
        )
        .replacen("delivery: applicationSet", "delivery: application", 1);
    let out = Test::new(["render", "-f", "-", "--global"])
        .stdin(profile)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let app = parse(documents(&out.stdout)[0]);
    let values = parse(app["spec"]["source"]["helm"]["values"].as_str().unwrap());
    assert_eq!(
        values["network"]["multiRegion"]["crossRegionLatency"],
        HOSTILE[0]
    );
    assert_eq!(
        values["network"]["multiRegion"]["consistencyLevel"],
        HOSTILE[1]
    );
    assert_eq!(
        values["global"]["multiRegion"]["regions"][1]["name"],
        "eu-west-1"
    );
}

/// Region names that YAML 1.1 reads as booleans are valid DNS labels: wherever the
/// region is written (labels, the policies ConfigMap, shared specs stamped per region)
/// it must come back as the string.
#[test]
fn region_names_that_look_like_booleans_stay_strings() {
    let profile = mplp_scale::DEFAULT_PROFILE
        .replacen("  eu-west-1:\n", "  no:\n", 1)
        .replacen("  ap-southeast-1:\n", "  on:\n", 1)
        .replacen(
            "    postgres: {instances: 2}\n\ndefaults:",
            "    postgres: {instances: 2}\n    modules: {network: {replicas: {min: 2, max: 8}}}\n\ndefaults:",
            1,
        );
    let out = Test::new(["render", "-f", "-"]).stdin(profile).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("topology.mplp.io/region: \"no\"\n"),
        "{}",
        out.stdout
    );
    let docs: Vec<serde_json::Value> = documents(&out.stdout).into_iter().map(parse).collect();
    let mut seen = std::collections::BTreeMap::new();
    for doc in &docs {
        if let Some(region) = doc["metadata"]["labels"].get("topology.mplp.io/region") {
            assert!(region.is_string(), "{doc}");
            *seen.entry(region.as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
        if doc["metadata"]["name"] == "mplp-scaling-policies" {
            assert_eq!(
                doc["data"]["region"],
                doc["metadata"]["labels"]["topology.mplp.io/region"]
            );
        }
    }
    assert_eq!(seen.get("no"), Some(&46));
    assert_eq!(seen.get("on"), Some(&46));
    // The region override reaches that region's HPA only.
    let network: Vec<(String, i64)> = docs
        .iter()
        .filter(|d| d["metadata"]["name"] == "mplp-network-hpa")
        .map(|d| {
            (
                d["metadata"]["labels"]["topology.mplp.io/region"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                d["spec"]["maxReplicas"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        network,
        vec![
            ("us-east-1".into(), 15),
            ("no".into(), 15),
            ("on".into(), 8)
        ]
    );
}

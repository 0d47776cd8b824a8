//! The string rules on small profiles: each field's grammar, lengths, controls.

use super::super::test::{lint, one};
use super::*;

#[test]
fn control_characters_and_line_breaks_are_refused_everywhere() {
    for (patch, expected) in [
        (
            "metricsAdapter: {name: \"x\\n---\\nkind: ClusterRoleBinding\"}\n",
            "error[E0107] metricsAdapter.name: the value holds a line break (`\\n`) at character 2",
        ),
        (
            "platform: {network: {consistencyLevel: \"a\\u0085b\"}}\n",
            "error[E0107] platform.network.consistencyLevel: the value holds a line break (U+0085)",
        ),
        (
            "modules: {core: {policy: [{metric: \"a\\u2028b\", threshold: x}]}}\n",
            "U+2028",
        ),
        (
            "postgres: {parameters: {work_mem: \"4MB\\u007f\"}}\n",
            "U+007F",
        ),
        ("redis: {version: \"v7\\uFFFE\"}\n", "U+FFFE"),
    ] {
        let out = lint(patch);
        assert!(
            out.iter().any(|d| d.contains(expected)),
            "{patch}: expected `{expected}` in {out:#?}"
        );
    }
}

#[test]
fn a_query_may_span_lines_but_not_hold_controls() {
    assert_eq!(
        lint("metrics: {mplp_network_connections_active: {kind: gauge, query: \"sum(\\n  x)\"}}\n"),
        Vec::<String>::new()
    );
    one(
        "metrics: {mplp_network_connections_active: {kind: gauge, query: \"a\\u001bb\"}}\n",
        "error[E0107]",
    );
}

#[test]
fn lengths() {
    one(
        &format!(
            "modules: {{core: {{policy: [{{metric: {}, threshold: 1}}]}}}}\n",
            "x".repeat(1025)
        ),
        "error[E0108] modules.core.policy[0].metric: the value is 1025 characters long, over the limit of 1024",
    );
}

#[test]
fn each_field_has_its_grammar() {
    for (patch, expected) in [
        (
            "metricsAdapter: {name: x/../../victim}\n",
            "error[E0101] metricsAdapter.name",
        ),
        (
            "metricsAdapter: {rateInterval: 5 minutes}\n",
            "error[E0109] metricsAdapter.rateInterval",
        ),
        (
            "podLabels: {\"app kubernetes\": x}\n",
            "error[E0109] podLabels[\"app kubernetes\"]",
        ),
        ("podLabels: {app: \"a b\"}\n", "error[E0109] podLabels.app"),
        // `{module}` is filled in only in `podLabels` values: elsewhere it would reach
        // the API server as written, which refuses `{`.
        (
            "namespaceLabels: {team: \"x-{module}\"}\n",
            "(`{module}` is filled in only in the values of the top-level `podLabels`)",
        ),
        (
            "podLabels: {\"a{module}\": x}\n",
            "error[E0109] podLabels[\"a{module}\"]",
        ),
        (
            "modules: {core: {podLabels: {app: \"x-{module}\"}}}\n",
            "error[E0109] modules.core.podLabels.app",
        ),
        // 56 + `-` + `context` (the longest module of the base profile): 64 > 63.
        (
            "podLabels: {team: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-{module}\"}\n",
            "error[E0109] podLabels.team",
        ),
        (
            "redis: {monitoring: {labels: {a: \"{module}\"}}}\n",
            "error[E0109] redis.monitoring.labels.a",
        ),
        (
            "platform: {manifests: {path: ../../etc}}\n",
            "error[E0109] platform.manifests.path",
        ),
        (
            "postgres: {backup: {schedule: \"0 0 0 * * $(id)\"}}\n",
            "error[E0109] postgres.backup.schedule",
        ),
        (
            "postgres: {imageName: \"Ghcr.io/x:\"}\n",
            "error[E0101] postgres.imageName",
        ),
        (
            "redis: {auth: {secret: s, key: \"a b\"}}\n",
            "error[E0109] redis.auth.key",
        ),
    ] {
        let out = lint(patch);
        assert!(
            out.iter().any(|d| d.contains(expected)),
            "{patch}: expected `{expected}` in {out:#?}"
        );
    }
}

#[test]
fn grammars() {
    assert_eq!(label_key_problem("app.kubernetes.io/name"), None);
    assert!(label_key_problem("a/b/c").is_some());
    assert_eq!(label_value_problem(""), None);
    assert!(label_value_problem("-a").is_some());
    assert_eq!(duration_problem("1h30m"), None);
    assert!(duration_problem("1.5m").is_some());
    assert_eq!(cron_problem("0 0 0 * * *"), None);
    assert_eq!(
        image_problem("ghcr.io/cloudnative-pg/postgresql:16.4"),
        None
    );
    assert_eq!(
        image_problem("localhost:5000/redis:v7@sha256:0123456789abcdef0123456789abcdef"),
        None
    );
    assert!(image_problem("redis:latest\nfoo").is_some());
    for bad in [
        "---",
        "a/../../b",
        "a/-b",
        "a_/b",
        "a..b",
        "a___b",
        "quay.io/.x",
    ] {
        assert!(image_problem(bad).is_some(), "{bad}");
    }
    for bad in ["-bad.io/r:1", "bad..io/r:1", "a.b:5000:6000/r:1", "a.b:/r"] {
        assert!(image_problem(bad).is_some(), "{bad}");
    }
    for good in [
        "x/a__b/c--d",
        "quay.io/opstree/redis:v7.0.15",
        "a.b_c-d",
        "my_org/redis:1",
        "localhost:5000/redis",
        "ghcr.io/cloudnative-pg/postgresql:16.4",
        "docker.io/library/redis:7.2",
    ] {
        assert_eq!(image_problem(good), None, "{good}");
    }
    assert_eq!(relative_path_problem("deploy/regions"), None);
    assert!(relative_path_problem("a/{{ .cluster }}").is_some());
}

//! The multi-cluster topology once applied, checked by `validate-manifests --topology`:
//! for the default profile, each phase of a switchover and with the primary moved to
//! another region, no finding about Redis or CloudNativePG (base backups, shared
//! archives, primary agreement, standalone replicas, where the operator reads its
//! config) but the one the demote phase is. Findings about Istio, Argo CD delivery and
//! the metrics adapter belong to other work and are not asserted here. Then what each
//! phase changes, as `diff` snapshots (issue 19).

use crate::common::{Test, snapshot_settings, validate_manifests};

/// A demotion token as CloudNativePG writes it (`status.demotionToken`): base64 of the
/// JSON of its six fields.
pub(crate) const TOKEN: &str = "eyJsYXRlc3RDaGVja3BvaW50VGltZWxpbmVJRCI6IjEiLCJyZWRvV2FsRmlsZSI6IjAwMDAwMDAxMDAwMDAwMDAwMDAwMDAwMyIsImRhdGFiYXNlU3lzdGVtSWRlbnRpZmllciI6Ijc0MDAwMDAwMDAwMDAwMDAwMDAiLCJsYXRlc3RDaGVja3BvaW50UkVET0xvY2F0aW9uIjoiMC8zMDAwMDI4IiwidGltZU9mTGF0ZXN0Q2hlY2twb2ludCI6Ik1vbiAwMSBKdW4gMjAyNiAxMjowMDowMCBQTSBVVEMiLCJvcGVyYXRvclZlcnNpb24iOiIxLjMwLjAifQ==";

/// Phase 1: demote us-east-1, which then follows eu-west-1.
const DEMOTE: [&str; 2] = ["--set", "postgres.switchover.to=eu-west-1"];

fn promote() -> Vec<String> {
    vec![
        "--set".to_owned(),
        "postgres.switchover.to=eu-west-1".to_owned(),
        "--set".to_owned(),
        format!("postgres.switchover.promotionToken={TOKEN}"),
    ]
}

/// `--set` arguments that move the primary from us-east-1 to eu-west-1.
const MOVE_PRIMARY: [&str; 4] = [
    "--set",
    "regions.us-east-1.primary=false",
    "--set",
    "regions.eu-west-1.primary=true",
];

/// Kinds whose findings this check owns.
const KINDS: [&str; 7] = [
    "Cluster/",
    "ScheduledBackup/",
    "Backup/",
    "ObjectStore/",
    "Pooler/",
    "RedisCluster/",
    "PodMonitor/",
];

fn render<S: AsRef<str>>(extra: &[S]) -> String {
    let mut args = vec!["render".to_owned()];
    args.extend(extra.iter().map(|s| s.as_ref().to_owned()));
    let out = Test::new(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

/// The findings of `validate-manifests --topology --warnings-as-errors` about the
/// database and the cache (`None` when the validator is not there).
fn database_and_cache_findings(stream: &str) -> Option<Vec<String>> {
    let (_, out) = validate_manifests(stream, &["--topology", "--warnings-as-errors", "--quiet"])?;
    Some(
        out.lines()
            .filter(|line| {
                KINDS.iter().any(|k| line.contains(k))
                    || line.contains("Redis")
                    || line.contains("CloudNativePG")
                    || line.contains("cloudnative-pg")
            })
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn the_default_topology_has_no_database_or_cache_finding() {
    if let Some(findings) = database_and_cache_findings(&render::<&str>(&[])) {
        assert_eq!(findings, Vec::<String>::new());
    }
}

#[test]
fn the_topology_with_the_primary_moved_has_no_database_or_cache_finding() {
    if let Some(findings) = database_and_cache_findings(&render(&MOVE_PRIMARY)) {
        assert_eq!(findings, Vec::<String>::new());
    }
}

#[test]
fn the_promote_phase_has_no_database_or_cache_finding() {
    if let Some(findings) = database_and_cache_findings(&render(&promote())) {
        assert_eq!(findings, Vec::<String>::new());
    }
}

/// The demote phase is, by design, the one moment the clusters disagree on the primary:
/// the former primary follows the target, the target still replays from it until it is
/// promoted with the token (cloudnative-pg v1.30.0 `docs/src/replica_cluster.md`,
/// "Demoting a Primary to a Replica Cluster"). Naming the target in the target itself
/// without the token is the failover the phases exist to avoid, so the validator's
/// "exactly one value" rule reports this state and nothing else does.
#[test]
fn the_demote_phase_has_only_the_disagreement_it_is() {
    if let Some(findings) = database_and_cache_findings(&render(&DEMOTE)) {
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert!(
            findings[0].contains("spec.replica.primary")
                && findings[0].contains("the clusters disagree on the primary")
                && findings[0].contains("postgresql-cluster-eu-west-1")
                && findings[0].contains("postgresql-cluster-us-east-1"),
            "{findings:#?}"
        );
    }
}

/// `diff OLD NEW` of two renders: standard output, then standard error.
fn diff(old: &str, new: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.yaml");
    std::fs::write(&path, old).unwrap();
    let out = Test::new(["diff", path.to_str().unwrap(), "-"])
        .stdin(new.to_owned())
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    format!("{}--- stderr\n{}", out.stdout, out.stderr)
}

/// Each phase of a switchover changes only what it must: phase 1 only the primary's
/// cluster (it follows the target); phase 2 the target (primary, with the token), the
/// other clusters (they follow it), the writer pooler and the chart values; the last
/// step (`primary` moved, `switchover` removed) nothing the operator acts on but the
/// token's removal and the new primary's `source`. No step warns.
#[test]
fn each_switchover_phase_changes_only_what_it_must() {
    let steady = render::<&str>(&[]);
    let demote = render(&DEMOTE);
    let promote = render(&promote());
    let done = render(&MOVE_PRIMARY);
    for (name, old, new) in [
        ("switchover-1-demote", &steady, &demote),
        ("switchover-2-promote", &demote, &promote),
        ("switchover-3-finish", &promote, &done),
    ] {
        let text = diff(old, new);
        assert!(!text.contains("warning["), "{name}: {text}");
        snapshot_settings().bind(|| insta::assert_snapshot!(name, text));
    }
}

/// Moving `primary` in one change is the unplanned failover: `diff` says so (W0711).
#[test]
fn moving_the_primary_in_one_change_is_a_warned_failover() {
    let text = diff(&render::<&str>(&[]), &render(&MOVE_PRIMARY));
    assert!(
        text.contains("warning[W0711]: postgresql.cnpg.io/v1 Cluster mplp-production/postgresql-cluster (region eu-west-1) becomes the primary without a promotion token"),
        "{text}"
    );
    assert_eq!(text.matches("warning[W0711]").count(), 1, "{text}");
}

/// Removing a region or renaming the database warns for every data holder (W0712).
#[test]
fn removing_or_renaming_a_data_holder_is_warned() {
    let renamed = render(&["--set", "postgres.name=pg-main"]);
    let text = diff(&render::<&str>(&[]), &renamed);
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        for object in [
            "postgresql.cnpg.io/v1 Cluster mplp-production/postgresql-cluster",
            "barmancloud.cnpg.io/v1 ObjectStore mplp-production/postgresql-cluster-backup",
        ] {
            assert!(
                text.contains(&format!(
                    "warning[W0712]: {object} (region {region}) is removed or renamed"
                )),
                "{object} in {region}: {text}"
            );
        }
    }
    // A change that keeps every data holder warns about none.
    let text = diff(
        &render::<&str>(&[]),
        &render(&["--set", "postgres.pooler.instances=3"]),
    );
    assert!(!text.contains("W0712"), "{text}");
}

/// The day-2 settings of the default render, each where the operator reads it (issue 19).
#[test]
fn the_default_render_holds_every_day_two_setting() {
    let stream = render::<&str>(&[]);
    let docs: Vec<serde_json::Value> = stream
        .split("\n---\n")
        .filter_map(|d| serde_saphyr::from_str::<serde_json::Value>(d).ok())
        .filter(|d| d.get("kind").is_some())
        .collect();
    let of = |kind: &str, region: &str| -> Vec<&serde_json::Value> {
        docs.iter()
            .filter(|d| {
                d["kind"] == kind
                    && d["metadata"]["labels"]["topology.mplp.io/region"]
                        .as_str()
                        .unwrap_or("")
                        == region
            })
            .collect()
    };
    let appset = of("ApplicationSet", "")[0];
    assert_eq!(
        appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"],
        true
    );
    assert_eq!(
        appset["spec"]["ignoreApplicationDifferences"][0]["jsonPointers"][0],
        "/spec/syncPolicy"
    );
    assert_eq!(appset["spec"]["strategy"]["type"], "RollingSync");
    let steps = &appset["spec"]["strategy"]["rollingSync"]["steps"];
    assert_eq!(
        steps[0]["matchExpressions"][0]["values"],
        serde_json::json!(["us-east-1"])
    );
    assert_eq!(
        steps[1]["matchExpressions"][0]["values"],
        serde_json::json!(["eu-west-1", "ap-southeast-1"])
    );
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let ns = of("Namespace", region)[0];
        assert_eq!(ns["metadata"]["labels"]["istio-injection"], "enabled");
        assert!(ns["metadata"].get("namespace").is_none());
        for kind in ["Namespace", "Cluster", "ObjectStore", "RedisCluster"] {
            assert_eq!(
                of(kind, region)[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
                "Prune=false,Delete=false",
                "{kind} in {region}"
            );
        }
        let cluster = of("Cluster", region)[0];
        let boot = &cluster["spec"]["bootstrap"];
        let method = if region == "us-east-1" {
            "initdb"
        } else {
            "recovery"
        };
        assert_eq!(boot[method]["secret"]["name"], "postgres-app", "{region}");
        let store = of("ObjectStore", region)[0];
        assert_eq!(store["spec"]["retentionPolicy"], "30d", "{region}");
        let sidecar = &store["spec"]["instanceSidecarConfiguration"]["resources"];
        assert_eq!(sidecar["requests"], sidecar["limits"], "{region}");
        assert_eq!(of("ScheduledBackup", region).len(), 1, "{region}");
        for monitor in of("PodMonitor", region) {
            assert_eq!(
                monitor["metadata"]["labels"]["release"],
                "kube-prometheus-stack"
            );
        }
        let redis = of("RedisCluster", region)[0];
        for role in ["redisLeader", "redisFollower"] {
            assert_eq!(
                redis["spec"][role]["topologySpreadConstraints"][0]["topologyKey"],
                "kubernetes.io/hostname"
            );
        }
        let budgets = of("PodDisruptionBudget", region);
        assert!(
            budgets
                .iter()
                .any(|b| b["metadata"]["name"] == "postgresql-cluster-pooler-ro"
                    && b["spec"]["selector"]["matchLabels"]["cnpg.io/poolerName"]
                        == "postgresql-cluster-pooler-ro")
        );
    }
    // A rebuild's generation moves the region's serverName and every entry for it.
    let rebuilt = render(&["--set", "regions.eu-west-1.postgres.archiveGeneration=2"]);
    assert_eq!(
        rebuilt
            .matches("serverName: postgresql-cluster-eu-west-1-g2")
            .count(),
        4
    );
    assert_eq!(
        rebuilt
            .matches("name: postgresql-cluster-eu-west-1\n")
            .count(),
        3
    );
}

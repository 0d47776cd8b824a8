//! The multi-cluster topology once applied, checked by `validate-manifests --topology`:
//! for the default profile and with the primary moved to another region, no finding
//! about Redis or CloudNativePG (base backups, shared archives, primary agreement,
//! standalone replicas, where the operator reads its config). Findings about Istio, Argo
//! CD delivery and the metrics adapter belong to other work and are not asserted here.

use crate::common::{Test, validate_manifests};

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

fn render(extra: &[&str]) -> String {
    let mut args = vec!["render"];
    args.extend_from_slice(extra);
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
    if let Some(findings) = database_and_cache_findings(&render(&[])) {
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
fn a_switchover_changes_only_the_replica_fields_the_backup_and_the_poolers() {
    let moved = render(&MOVE_PRIMARY);
    let out = Test::new(["diff", "profiles/production.yaml", "-"])
        .stdin(moved)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The ApplicationSet's per-region chart values name the primary region; in each
    // region's cluster only `replica.primary` (and a replica's `source`) change, the
    // bootstrap section follows the primary (read only when a cluster is created:
    // docs/postgres-switchover.md), the base backup and the retention move, and the
    // poolers swap `rw` and `ro`.
    let expected = r#"~ changed: argoproj.io/v1alpha1 ApplicationSet argocd/mplp-regions (global)
    ~ spec.generators[0].list.elements[0].values.global.primary: true → false
    ~ spec.generators[0].list.elements[0].values.postgresql.role: "primary" → "replica"
    ~ spec.generators[0].list.elements[0].values.postgresql.primaryRegion: "us-east-1" → "eu-west-1"
    ~ spec.generators[0].list.elements[1].values.global.primary: false → true
    ~ spec.generators[0].list.elements[1].values.postgresql.role: "replica" → "primary"
    ~ spec.generators[0].list.elements[1].values.postgresql.primaryRegion: "us-east-1" → "eu-west-1"
    ~ spec.generators[0].list.elements[2].values.postgresql.primaryRegion: "us-east-1" → "eu-west-1"
~ changed: barmancloud.cnpg.io/v1 ObjectStore mplp-production/postgresql-cluster-backup (region us-east-1)
    - spec.retentionPolicy: "30d"
~ changed: postgresql.cnpg.io/v1 Cluster mplp-production/postgresql-cluster (region us-east-1)
    - spec.bootstrap.initdb: {"database":"app","owner":"app"}
    + spec.bootstrap.recovery: {"source":"postgresql-cluster-eu-west-1"}
    ~ spec.replica.primary: "postgresql-cluster-us-east-1" → "postgresql-cluster-eu-west-1"
- removed: postgresql.cnpg.io/v1 ScheduledBackup mplp-production/postgresql-cluster-scheduled-backup (region us-east-1)
- removed: postgresql.cnpg.io/v1 Pooler mplp-production/postgresql-cluster-pooler-rw (region us-east-1)
~ changed: barmancloud.cnpg.io/v1 ObjectStore mplp-production/postgresql-cluster-backup (region eu-west-1)
    + spec.retentionPolicy: "30d"
~ changed: postgresql.cnpg.io/v1 Cluster mplp-production/postgresql-cluster (region eu-west-1)
    - spec.bootstrap.recovery: {"source":"postgresql-cluster-us-east-1"}
    + spec.bootstrap.initdb: {"database":"app","owner":"app"}
    ~ spec.replica.primary: "postgresql-cluster-us-east-1" → "postgresql-cluster-eu-west-1"
~ changed: postgresql.cnpg.io/v1 Cluster mplp-production/postgresql-cluster (region ap-southeast-1)
    ~ spec.bootstrap.recovery.source: "postgresql-cluster-us-east-1" → "postgresql-cluster-eu-west-1"
    ~ spec.replica.primary: "postgresql-cluster-us-east-1" → "postgresql-cluster-eu-west-1"
    ~ spec.replica.source: "postgresql-cluster-us-east-1" → "postgresql-cluster-eu-west-1"
+ added: postgresql.cnpg.io/v1 ScheduledBackup mplp-production/postgresql-cluster-scheduled-backup (region eu-west-1)
+ added: postgresql.cnpg.io/v1 Pooler mplp-production/postgresql-cluster-pooler-rw (region eu-west-1)
"#;
    assert_eq!(out.stdout, expected);
}

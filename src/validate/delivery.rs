//! Delivery to the regions' clusters: each region's cluster name and Istio cluster ID
//! (E0907) and locality (E0101), one cluster (E0203) and one Istio cluster ID (E0204) per
//! region, and pinned revisions in a production profile (W0908).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::Profile;

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    cluster_names(r, profile);
    mesh_names(r, profile);
    one_cluster_per_region(r, profile);
    one_mesh_cluster_id_per_region(r, profile);
    pinned_revisions(r, profile);
}

/// E0907: a `cluster` that is empty, or holds blanks or control characters (Argo CD
/// matches `destination.name` exactly, and it is also the kube context in commands).
fn cluster_names(r: &mut Reporter, profile: &Profile) {
    for (name, region) in &profile.regions {
        let Some(cluster) = &region.cluster else {
            continue;
        };
        if cluster.is_empty()
            || cluster.len() > 253
            || cluster.chars().any(|c| c.is_whitespace() || c.is_control())
            || cluster.contains("{{")
        {
            let path = FieldPath::root().key("regions").key(name).key("cluster");
            r.push(
                r.at_value(
                    Code::InvalidCluster,
                    &path,
                    format!(
                        "`{}` is not a cluster name: expected the cluster's name in Argo CD (also its kube context), without blanks",
                        crate::load::shorten(cluster)
                    ),
                )
                .help(format!("leave `cluster` out to use the region's name `{name}`")),
            );
        }
    }
}

/// E0907 (`meshClusterID`), E0101 (`locality`): values Istio writes into endpoint labels
/// (`topology.istio.io/cluster`, `topology.kubernetes.io/region`), so label values: at
/// most 63 characters, alphanumerics with `-`, `_` or `.` inside.
fn mesh_names(r: &mut Reporter, profile: &Profile) {
    for (name, region) in &profile.regions {
        let path = FieldPath::root().key("regions").key(name);
        let fields = [
            (
                &region.mesh_cluster_id,
                "meshClusterID",
                Code::InvalidCluster,
                "an Istio cluster ID",
                "the `global.multiCluster.clusterName` of the region's istiod",
                "leave `meshClusterID` out to use the region's cluster".to_owned(),
            ),
            (
                &region.locality,
                "locality",
                Code::InvalidName,
                "a locality region",
                "the `topology.kubernetes.io/region` of the region's nodes",
                format!("leave `locality` out to use the region's name `{name}`"),
            ),
        ];
        for (value, key, code, what, source, help) in fields {
            if let Some(value) = value
                && !is_label_value(value)
            {
                let message = format!(
                    "`{}` is not {what}: expected a label value (at most 63 alphanumerics, `-`, `_`, `.`), {source}",
                    crate::load::shorten(value)
                );
                r.push(r.at_value(code, &path.key(key), message).help(help));
            }
        }
    }
}

/// A Kubernetes label value, not empty.
fn is_label_value(value: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    !value.is_empty()
        && value.len() <= 63
        && value.starts_with(alnum)
        && value.ends_with(alnum)
        && value
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// E0203: two regions that name the same cluster.
fn one_cluster_per_region(r: &mut Reporter, profile: &Profile) {
    // Hashed by cluster: one look-up per region, not a scan of the regions before it.
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for (name, region) in &profile.regions {
        let cluster = region.cluster(name);
        if let Some(other) = seen.get(cluster) {
            let path = FieldPath::root().key("regions").key(name);
            let at = if region.cluster.is_some() {
                path.key("cluster")
            } else {
                path.clone()
            };
            r.push(
                r.at_value(
                    Code::DuplicateCluster,
                    &at,
                    format!(
                        "regions `{other}` and `{name}` are both on cluster `{cluster}`: their objects have the same names and would overwrite each other"
                    ),
                )
                .help("give each region its own cluster (`regions.<region>.cluster`)"),
            );
        } else {
            seen.insert(cluster, name);
        }
    }
}

/// E0204: two regions with the same Istio cluster ID (`meshClusterID`, by default the
/// cluster). Istio labels each cluster's endpoints `topology.istio.io/cluster: <ID>`, and
/// the entry DestinationRule's subset for a region selects that label: with one ID, both
/// regions' subsets select both clusters' endpoints, so neither pinning a region nor its
/// failover holds, and istiod keys a remote cluster by its ID. Two IDs that are both
/// defaults are two equal clusters: E0203 says so, once.
fn one_mesh_cluster_id_per_region(r: &mut Reporter, profile: &Profile) {
    let mut seen: std::collections::HashMap<&str, (&str, bool)> = std::collections::HashMap::new();
    for (name, region) in &profile.regions {
        let id = region.mesh_cluster_id(name);
        let written = region.mesh_cluster_id.is_some();
        match seen.get(id) {
            Some(&(other, other_written)) if written || other_written => {
                let path = FieldPath::root().key("regions").key(name);
                let at = if written {
                    path.key("meshClusterID")
                } else if region.cluster.is_some() {
                    path.key("cluster")
                } else {
                    path
                };
                r.push(
                    r.at_value(
                        Code::DuplicateMeshClusterId,
                        &at,
                        format!(
                            "regions `{other}` and `{name}` have the same Istio cluster ID `{id}`: the subsets that pin traffic to each region select `topology.istio.io/cluster: {id}`, so each would send to both clusters",
                            id = crate::load::shorten(id)
                        ),
                    )
                    .help("give each region its own `meshClusterID`: the `global.multiCluster.clusterName` of its istiod (`render --mesh-config` writes it)"),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(id, (name, written));
            }
        }
    }
}

/// W0908: `HEAD` or a branch as the revision a production profile deploys.
fn pinned_revisions(r: &mut Reporter, profile: &Profile) {
    if !is_production(&profile.name) {
        return;
    }
    let platform = FieldPath::root().key("platform");
    let mut check = |revision: &str, path: FieldPath| {
        if !is_pinned(revision) {
            r.push(
                r.at_value(
                    Code::UnpinnedRevision,
                    &path,
                    format!(
                        "the production profile `{}` deploys `{}`, which moves: every commit to it reaches every region's cluster",
                        crate::load::shorten(&profile.name),
                        crate::load::shorten(revision)
                    ),
                )
                .help("pin a release tag such as `v1.4.0` or a commit SHA"),
            );
        }
    };
    check(
        &profile.platform.target_revision,
        platform.key("targetRevision"),
    );
    if let Some(revision) = &profile.platform.manifests.target_revision {
        check(revision, platform.key("manifests").key("targetRevision"));
    }
}

/// A profile for production: its `name` says `prod` (`production`, `prod-eu`, ...).
fn is_production(name: &str) -> bool {
    name.to_ascii_lowercase().contains("prod")
}

/// A revision that does not move: a commit SHA (7 to 40 hex digits) or a version tag
/// (`v1.4.0`, `1.4`, `v2.0.0-rc.1`).
fn is_pinned(revision: &str) -> bool {
    let sha = (7..=40).contains(&revision.len()) && revision.chars().all(|c| c.is_ascii_hexdigit());
    let version = revision.strip_prefix('v').unwrap_or(revision);
    let tag = version.chars().next().is_some_and(|c| c.is_ascii_digit())
        && version.contains('.')
        && version.split(['-', '+']).next().is_some_and(|core| {
            core.split('.')
                .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        });
    sha || tag
}

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};
    use super::is_pinned;

    #[test]
    fn cluster_names() {
        one(
            "regions: {eu-west-1: {cluster: \"prod eu\"}}\n",
            "error[E0907] regions.eu-west-1.cluster: `prod eu` is not a cluster name",
        );
    }

    #[test]
    fn mesh_names() {
        one(
            "regions: {eu-west-1: {meshClusterID: \"eu west\"}}\n",
            "error[E0907] regions.eu-west-1.meshClusterID: `eu west` is not an Istio cluster ID",
        );
        one(
            "regions: {eu-west-1: {locality: eu-west-1/a}}\n",
            "error[E0101] regions.eu-west-1.locality: `eu-west-1/a` is not a locality region",
        );
        assert!(
            lint("regions: {eu-west-1: {meshClusterID: cluster2, locality: europe-west1}}\n")
                .is_empty()
        );
    }

    #[test]
    fn one_cluster_per_region() {
        one(
            "regions: {eu-west-1: {cluster: us-east-1}}\n",
            "error[E0203] regions.eu-west-1.cluster: regions `us-east-1` and `eu-west-1` are both on cluster `us-east-1`",
        );
        assert!(lint("regions: {eu-west-1: {cluster: prod-eu}}\n").is_empty());
    }

    #[test]
    fn one_mesh_cluster_id_per_region() {
        // Written in the second region, or defaulted there to the first's ID.
        one(
            "regions: {eu-west-1: {meshClusterID: us-east-1}}\n",
            "error[E0204] regions.eu-west-1.meshClusterID: regions `us-east-1` and `eu-west-1` have the same Istio cluster ID `us-east-1`",
        );
        one(
            "regions: {us-east-1: {meshClusterID: eu-west-1}}\n",
            "error[E0204] regions.eu-west-1: regions `us-east-1` and `eu-west-1` have the same Istio cluster ID `eu-west-1`",
        );
        one(
            "regions: {us-east-1: {meshClusterID: mesh-a}, eu-west-1: {cluster: prod-eu, meshClusterID: mesh-a}}\n",
            "error[E0204] regions.eu-west-1.meshClusterID: regions `us-east-1` and `eu-west-1` have the same Istio cluster ID `mesh-a`",
        );
        // One cluster for two regions: E0203 alone.
        one(
            "regions: {eu-west-1: {cluster: us-east-1}}\n",
            "error[E0203] regions.eu-west-1.cluster",
        );
        assert!(lint("regions: {eu-west-1: {meshClusterID: mesh-eu}}\n").is_empty());
    }

    #[test]
    fn pinned_revisions_in_production() {
        one(
            "name: production\nplatform: {targetRevision: main}\n",
            "warning[W0908] platform.targetRevision: the production profile `production` deploys `main`",
        );
        assert!(lint("name: production\nplatform: {targetRevision: v1.4.0}\n").is_empty());
        assert!(lint("name: staging\nplatform: {targetRevision: HEAD}\n").is_empty());
    }

    #[test]
    fn what_counts_as_pinned() {
        for pinned in [
            "v1.4.0",
            "1.4",
            "v2.0.0-rc.1",
            "0123abc",
            "a".repeat(40).as_str(),
        ] {
            assert!(is_pinned(pinned), "{pinned}");
        }
        for moving in ["HEAD", "main", "release/1.4", "v1", "stable", "v1.x"] {
            assert!(!is_pinned(moving), "{moving}");
        }
    }
}

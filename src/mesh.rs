//! What each region's istiod must be told before the rendered topology works: the Helm
//! values of the `istio/istiod` chart (`render --mesh-config`, and
//! `mesh/<region>/istiod-values.yaml` under `render --out-dir`).
//!
//! Mesh config is not a namespaced object, so no rendered object can carry it:
//!
//! - `global.multiCluster.clusterName`: the region's `meshClusterID`, the cluster ID
//!   istiod writes into `topology.istio.io/cluster` of every endpoint, which the
//!   `DestinationRule` subsets select;
//! - `meshConfig.serviceSettings` with `clusterLocal: true` for exactly the stateful hosts
//!   the profile creates with the same name in every region (CloudNativePG's `-rw`, `-ro`,
//!   `-r` Services, the reader pooler, the Redis Services): without it a multi-primary
//!   mesh merges each of them across regions (istio.io docs
//!   `ops/configuration/traffic-management/multicluster`); the writer pooler exists in
//!   the primary region only and stays reachable from every region;
//! - `meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE`: Istio's DNS proxy,
//!   so that the writer pooler's name, a Service of the primary region's cluster only,
//!   resolves in the other regions' pods (Kubernetes DNS answers for local Services only).

use crate::profile::Profile;

/// The file of each region's values, under `mesh/<region>/` in the `--out-dir` tree.
pub(crate) const FILE: &str = "istiod-values.yaml";

/// The folder of a region's values in the `--out-dir` tree.
#[must_use]
pub(crate) fn dir(region: &str) -> String {
    format!("mesh/{region}")
}

/// Every host that must stay in its region, in a fixed order: the database's, then the
/// cache's.
#[must_use]
pub(crate) fn cluster_local_hosts(profile: &Profile) -> Vec<String> {
    let host = |service: String| format!("{service}.{}.svc.cluster.local", profile.namespace);
    let mut hosts = Vec::new();
    if let Some(pg) = &profile.postgres {
        // cloudnative-pg `pkg/specs`: `-rw` (the primary, or a replica cluster's
        // designated primary), `-ro` (replicas), `-r` (any instance).
        for suffix in ["rw", "ro", "r"] {
            hosts.push(host(format!("{}-{suffix}", pg.name)));
        }
        if pg.pooler.enabled {
            hosts.push(host(crate::kinds::pooler::reader(pg)));
        }
    }
    if let Some(redis) = &profile.redis {
        // redis-operator `pkg/k8sutils/redis-cluster.go`: per role, a Service, its
        // headless twin and the additional one.
        for role in ["leader", "follower"] {
            for suffix in ["", "-headless", "-additional"] {
                hosts.push(host(format!("{}-{role}{suffix}", redis.name)));
            }
        }
    }
    hosts
}

/// The istiod Helm values of one region.
#[must_use]
pub(crate) fn istiod_values(profile: &Profile, region: &str) -> String {
    let cluster_id = profile
        .regions
        .get(region)
        .map_or(region, |r| r.mesh_cluster_id(region));
    let mut out = String::new();
    out.push_str("# istiod Helm values (chart istio/istiod) for region ");
    out.push_str(region);
    out.push_str(", written by mplp-scale: give them to this\n");
    out.push_str("# region's istiod before applying its objects, e.g.\n");
    out.push_str("#   helm upgrade istiod istio/istiod -n istio-system --reuse-values -f istiod-values.yaml\n");
    out.push_str("# (docs/traffic.md, \"Prerequisites\").\n");
    out.push_str("global:\n  multiCluster:\n    clusterName: ");
    crate::yaml::write_scalar(&mut out, cluster_id);
    out.push_str("\nmeshConfig:\n  defaultConfig:\n    proxyMetadata:\n");
    out.push_str("      ISTIO_META_DNS_CAPTURE: \"true\"\n");
    let hosts = cluster_local_hosts(profile);
    if !hosts.is_empty() {
        out.push_str(
            "  serviceSettings:\n    - settings:\n        clusterLocal: true\n      hosts:\n",
        );
        for host in &hosts {
            out.push_str("        - ");
            crate::yaml::write_scalar(&mut out, host);
            out.push('\n');
        }
    }
    out
}

/// `(path under the --out-dir tree, text)` of the given regions' values.
#[must_use]
pub(crate) fn files<'a>(
    profile: &Profile,
    regions: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, String)> {
    regions
        .into_iter()
        .map(|r| (format!("{}/{FILE}", dir(r)), istiod_values(profile, r)))
        .collect()
}

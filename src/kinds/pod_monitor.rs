//! Prometheus operator `PodMonitor` (monitoring.coreos.com/v1): one for each region's
//! CNPG `Cluster` (pods labelled `cnpg.io/cluster`, port `metrics`; cloudnative-pg docs
//! `monitoring.md`, which replaces the deprecated `monitoring.enablePodMonitor`), and one
//! for the Redis exporter sidecars (redis-operator v0.26.0 labels every pod of a
//! cluster `cluster: <name>` and `redis_setup_type: cluster`, and names the exporter's
//! port `redis-exporter`: `internal/k8sutils/redis-cluster.go` `CreateRedisClusterSetup`,
//! `internal/k8sutils/statefulset.go` `enableRedisMonitoring`).

use indexmap::IndexMap;
use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;
use crate::profile::Profile;

/// What both `PodMonitor` kinds share.
const BASE: KindInfo = KindInfo {
    api_version: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    placement: Placement::Regional,
    templates: &[(
        "podmonitor.yaml.j2",
        include_str!("../../templates/podmonitor.yaml.j2"),
    )],
    check: Check::Crd,
    plan: plan_database,
    context: super::as_planned,
};

/// The database's `PodMonitor`, `<postgres.name>`, after the CNPG objects.
pub(crate) static DATABASE: KindInfo = KindInfo {
    plan: plan_database,
    ..BASE
};

/// The cache's `PodMonitor`, `<redis.name>`, after the `RedisCluster`.
pub(crate) static CACHE: KindInfo = KindInfo {
    plan: plan_cache,
    ..BASE
};

fn plan_database(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    plan(p, &DATABASE, at, database(p.profile), out);
}

fn plan_cache(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    plan(p, &CACHE, at, cache(p.profile), out);
}

/// What a `PodMonitor` watches: its spec, the name of the cluster (also the monitor's),
/// the component and the profile's extra labels.
struct Watched<'a> {
    spec: PodMonitor,
    name: &'a str,
    component: &'static str,
    labels: &'a IndexMap<String, String>,
}

/// The database's pods, where its `PodMonitor` is on.
fn database(profile: &Profile) -> Option<Watched<'_>> {
    let pg = profile.postgres.as_ref()?;
    if !pg.monitoring.pod_monitor {
        return None;
    }
    Some(Watched {
        spec: PodMonitor {
            selector: vec![("cnpg.io/cluster", pg.name.clone())],
            port: "metrics",
        },
        name: &pg.name,
        component: "database",
        labels: &pg.monitoring.labels,
    })
}

/// The cache's exporter sidecars, where there are some and its `PodMonitor` is on.
fn cache(profile: &Profile) -> Option<Watched<'_>> {
    let redis = profile.redis.as_ref()?;
    let exporter = redis.exporter.as_ref().is_some_and(|e| e.enabled);
    if !exporter || !redis.monitoring.pod_monitor {
        return None;
    }
    Some(Watched {
        spec: PodMonitor {
            selector: vec![
                ("cluster", redis.name.clone()),
                ("redis_setup_type", "cluster".to_owned()),
            ],
            port: "redis-exporter",
        },
        name: &redis.name,
        component: "cache",
        labels: &redis.monitoring.labels,
    })
}

fn plan(
    p: &Planner<'_>,
    kind: &'static KindInfo,
    at: &At<'_>,
    watched: Option<Watched<'_>>,
    out: &mut Vec<PlannedObject>,
) {
    let Some(watched) = watched else { return };
    let mut object = p.planned(kind, at, watched.name, watched.component, &watched.spec);
    object.labels = super::namespace::with_labels(&object.labels, watched.labels);
    out.push(object);
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PodMonitor {
    /// `selector.matchLabels`.
    pub selector: Vec<(&'static str, String)>,
    /// The container port scraped.
    pub port: &'static str,
}

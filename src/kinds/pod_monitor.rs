//! Prometheus operator `PodMonitor` (monitoring.coreos.com/v1): one for each region's
//! CNPG `Cluster` (pods labelled `cnpg.io/cluster`, port `metrics`; cloudnative-pg docs
//! `monitoring.md`, which replaces the deprecated `monitoring.enablePodMonitor`), and one
//! for the Redis exporter sidecars (redis-operator v0.26.0 labels every pod of a
//! cluster `cluster: <name>` and `redis_setup_type: cluster`, and names the exporter's
//! port `redis-exporter`: `internal/k8sutils/redis-cluster.go` `CreateRedisClusterSetup`,
//! `internal/k8sutils/statefulset.go` `enableRedisMonitoring`).

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;

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
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    if !pg.monitoring.pod_monitor {
        return;
    }
    let spec = PodMonitor {
        selector: vec![("cnpg.io/cluster", pg.name.clone())],
        port: "metrics",
    };
    let name: Arc<str> = Arc::from(pg.name.as_str());
    let body = p.body(&DATABASE, &name, &spec);
    let mut object = p.object(&DATABASE, at, name, "database", body);
    object.labels = super::namespace::with_labels(&object.labels, &pg.monitoring.labels);
    out.push(object);
}

fn plan_cache(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(redis) = &p.profile.redis else {
        return;
    };
    let exporter = redis.exporter.as_ref().is_some_and(|e| e.enabled);
    if !exporter || !redis.monitoring.pod_monitor {
        return;
    }
    let spec = PodMonitor {
        selector: vec![
            ("cluster", redis.name.clone()),
            ("redis_setup_type", "cluster".to_owned()),
        ],
        port: "redis-exporter",
    };
    let name: Arc<str> = Arc::from(redis.name.as_str());
    let body = p.body(&CACHE, &name, &spec);
    let mut object = p.object(&CACHE, at, name, "cache", body);
    object.labels = super::namespace::with_labels(&object.labels, &redis.monitoring.labels);
    out.push(object);
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PodMonitor {
    /// `selector.matchLabels`.
    pub selector: Vec<(&'static str, String)>,
    /// The container port scraped.
    pub port: &'static str,
}

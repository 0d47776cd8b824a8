//! opstree `RedisCluster` (redis.redis.opstreelabs.in/v1beta2), `<redis.name>`: leader
//! shards and their followers, image, resources and the password Secret under
//! `kubernetesConfig`. Everything per role is written under `redisLeader` and
//! `redisFollower`, where redis-operator v0.26.0 reads it
//! (`internal/k8sutils/redis-cluster.go` `CreateRedisLeader`, `CreateRedisFollower`):
//! the redis.conf ConfigMap (`redisConfig.additionalRedisConfig`), the
//! PodDisruptionBudget (`pdb`, `internal/k8sutils/poddisruption.go`) and the
//! anti-affinity that keeps leaders off the nodes (or zones) of followers, and the
//! `topologySpreadConstraints` that spread each role's own pods over nodes (and zones).

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner, ResourcesCtx};
use crate::plan::PlannedObject;
use crate::profile::{AffinityMode, Redis};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "redis.redis.opstreelabs.in/v1beta2",
    kind: "RedisCluster",
    placement: Placement::Regional,
    templates: &[(
        "rediscluster.yaml.j2",
        include_str!("../../templates/rediscluster.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(redis) = &p.profile.redis else {
        return;
    };
    let pod_security_context = redis
        .pod_security_context
        .as_ref()
        .map(|p| {
            [
                ("runAsUser", p.run_as_user),
                ("runAsGroup", p.run_as_group),
                ("fsGroup", p.fs_group),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect()
        })
        .unwrap_or_default();
    let spec = RedisCluster {
        cluster_size: redis.cluster_size,
        version: redis.version.clone(),
        image: redis.image.clone(),
        persistence: redis.persistence,
        exporter: redis
            .exporter
            .as_ref()
            .map(|e| (e.enabled, e.image.clone())),
        resources: redis.resources.as_ref().and_then(ResourcesCtx::new),
        storage_size: redis.storage.size.as_str().to_owned(),
        storage_class: redis.storage.storage_class.clone(),
        pod_security_context,
        config_map: super::redis_config::name(redis),
        secret: redis
            .auth
            .as_ref()
            .map(|a| (a.secret.clone(), a.key.clone())),
        pdb: pdb(redis),
        leader: role(redis, "follower"),
        follower: role(redis, "leader"),
        spread: spread(redis),
    };
    out.push(p.planned(&INFO, at, redis.name.as_str(), "cache", &spec));
}

/// `(field, value)` of each role's PodDisruptionBudget: `maxUnavailable` wins, as in the
/// operator (`generatePodDisruptionBudgetDef`); 1 when the profile gives neither.
fn pdb(redis: &Redis) -> Option<(&'static str, i64)> {
    let pdb = &redis.pdb;
    if !pdb.enabled {
        return None;
    }
    Some(match (pdb.max_unavailable, pdb.min_available) {
        (Some(n), _) => ("maxUnavailable", n),
        (None, Some(n)) => ("minAvailable", n),
        (None, None) => ("maxUnavailable", 1),
    })
}

/// One role's anti-affinity: stay off the topology (node, zone) of the other role's pods.
fn role(redis: &Redis, other: &str) -> Option<Role> {
    let required = match redis.anti_affinity.mode {
        AffinityMode::Off => return None,
        AffinityMode::Required => true,
        AffinityMode::Preferred => false,
    };
    Some(Role {
        required,
        avoid: format!("{}-{other}", redis.name),
        topology_key: redis.anti_affinity.topology_key.clone(),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RedisCluster {
    pub cluster_size: i64,
    pub version: String,
    pub image: String,
    pub persistence: bool,
    pub exporter: Option<(bool, String)>,
    pub resources: Option<ResourcesCtx>,
    pub storage_size: String,
    pub storage_class: Option<String>,
    pub pod_security_context: Vec<(&'static str, i64)>,
    pub config_map: Option<String>,
    /// `kubernetesConfig.redisSecret`: the Secret's name and key.
    pub secret: Option<(String, String)>,
    /// Each role's `pdb`: `maxUnavailable` or `minAvailable`, and how many.
    pub pdb: Option<(&'static str, i64)>,
    pub leader: Option<Role>,
    pub follower: Option<Role>,
    /// Each role's `topologySpreadConstraints`: the topology keys its own pods spread
    /// over, and the `app` label of each role's pods.
    pub spread: Spread,
}

/// How each role spreads its own pods: one per node (and zone) before any gets two, so
/// one node's loss takes at most one leader and the cluster keeps a failover quorum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Spread {
    pub keys: Vec<&'static str>,
    pub leader: String,
    pub follower: String,
}

fn spread(redis: &Redis) -> Spread {
    let mut keys = vec!["kubernetes.io/hostname"];
    if redis.spread_across_zones {
        keys.push("topology.kubernetes.io/zone");
    }
    Spread {
        keys,
        leader: format!("{}-leader", redis.name),
        follower: format!("{}-follower", redis.name),
    }
}

/// A role's pod anti-affinity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Role {
    /// Required (a pod waits) or preferred (weight 100).
    pub required: bool,
    /// The `app` label of the other role's pods (`<name>-leader`, `<name>-follower`).
    pub avoid: String,
    pub topology_key: String,
}

//! opstree `RedisCluster` (redis.redis.opstreelabs.in/v1beta2), `<redis.name>`: leader
//! shards and their followers, image and resources under `kubernetesConfig`.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner, ResourcesCtx};
use crate::plan::PlannedObject;

pub static INFO: KindInfo = KindInfo {
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
    };
    let name: Arc<str> = Arc::from(redis.name.as_str());
    let body = p.body(&INFO, &name, &spec);
    out.push(p.object(&INFO, at, name, "cache", body));
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedisCluster {
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
}

//! CloudNativePG `Cluster` (postgresql.cnpg.io/v1), `<postgres.name>`: the primary in the
//! primary region, and in every other region a replica cluster of it, bootstrapped from
//! and following the primary's archive.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner, ResourcesCtx};
use crate::plan::PlannedObject;

pub static INFO: KindInfo = KindInfo {
    api_version: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    placement: Placement::Regional,
    templates: &[(
        "cluster.yaml.j2",
        include_str!("../../templates/cluster.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    let Some(region) = at.settings() else { return };
    let store = super::object_store::name(&pg.name);
    let replica_of = match (at.is_primary(), p.primary, &pg.backup) {
        (false, Some(primary), Some(_)) => Some(ReplicaOf {
            source: format!("{}-{primary}", pg.name),
            server_name: pg.name.clone(),
        }),
        _ => None,
    };
    let spec = Cluster {
        instances: region
            .postgres
            .as_ref()
            .and_then(|p| p.instances)
            .unwrap_or(pg.instances),
        image_name: pg.image_name.clone(),
        parameters: pg
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        resources: pg.resources.as_ref().and_then(ResourcesCtx::new),
        storage_size: pg.storage.size.as_str().to_owned(),
        storage_class: pg.storage.storage_class.clone(),
        object_store: pg.backup.as_ref().map(|_| store),
        replica_of,
    };
    let name: Arc<str> = Arc::from(pg.name.as_str());
    let body = p.body(&INFO, &name, &spec);
    out.push(p.object(&INFO, at, name, "database", body));
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub instances: i64,
    pub image_name: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub resources: Option<ResourcesCtx>,
    pub storage_size: String,
    pub storage_class: Option<String>,
    /// The `ObjectStore` of this region (archiving on the primary, reading on replicas).
    pub object_store: Option<String>,
    /// For a replica cluster: the external cluster's name and the primary's server name.
    pub replica_of: Option<ReplicaOf>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaOf {
    pub source: String,
    pub server_name: String,
}

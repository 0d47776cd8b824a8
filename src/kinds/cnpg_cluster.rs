//! CloudNativePG `Cluster` (postgresql.cnpg.io/v1), `<postgres.name>`, in every region,
//! as one distributed topology (cloudnative-pg docs `replica_cluster.md`, "Distributed
//! Topology"): every region's cluster lists every region in `externalClusters` (Barman
//! Cloud plugin, `serverName` `<name>-<region>`), names the primary region's entry in
//! `replica.primary` and its own in `replica.self`, and archives WAL under its own
//! `serverName`. Moving the primary is a change of `replica.primary` (and `source`).

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner, ResourcesCtx};
use crate::plan::PlannedObject;
use crate::profile::Postgres;

pub(crate) static INFO: KindInfo = KindInfo {
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

/// The name of a region's entry in `externalClusters`, also its `serverName` in the archive.
#[must_use]
pub(crate) fn member(pg: &Postgres, region: &str) -> String {
    format!("{}-{region}", pg.name)
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    let Some(region) = at.settings() else { return };
    let store = super::object_store::name(&pg.name);
    let topology = match (p.primary, &pg.backup) {
        (Some(primary), Some(_)) => Some(topology(p, pg, at, primary, &store)),
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
        topology,
    };
    let name: Arc<str> = Arc::from(pg.name.as_str());
    // Each region's Cluster names itself (`replica.self`, its own `serverName`): no two
    // are equal, so none is shared (and none is compared with the others).
    let body = super::Body::new(&spec);
    out.push(p.object(&INFO, at, name, "database", body));
}

/// The region's place in the distributed topology.
fn topology(p: &Planner<'_>, pg: &Postgres, at: &At<'_>, primary: &str, store: &str) -> Topology {
    let members: Vec<String> = p.profile.regions.keys().map(|r| member(pg, r)).collect();
    let this = member(pg, at.name());
    let primary_member = member(pg, primary);
    // A replica follows the primary. The primary names the cluster it follows once
    // demoted: the first other region, as in the CNPG documentation's example.
    let source = if at.is_primary() {
        p.profile
            .regions
            .keys()
            .find(|r| r.as_str() != primary)
            .map_or_else(|| this.clone(), |r| member(pg, r))
    } else {
        primary_member.clone()
    };
    Topology {
        primary: primary_member.clone(),
        this: this.clone(),
        source,
        promotion_token: at
            .settings()
            .and_then(|r| r.postgres.as_ref())
            .and_then(|r| r.promotion_token.clone()),
        recover_from: (!at.is_primary()).then_some(primary_member),
        members,
        store: store.to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Cluster {
    pub instances: i64,
    pub image_name: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub resources: Option<ResourcesCtx>,
    pub storage_size: String,
    pub storage_class: Option<String>,
    /// The `ObjectStore` of this region (WAL archive and base backups).
    pub object_store: Option<String>,
    /// The distributed topology, when there is an archive to replicate through.
    pub topology: Option<Topology>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Topology {
    /// `replica.primary`: the primary region's entry.
    pub primary: String,
    /// `replica.self` and this cluster's `serverName`.
    pub this: String,
    /// `replica.source`: the entry this cluster replicates from (or would, once demoted).
    pub source: String,
    /// `replica.promotionToken`, set for a switchover.
    pub promotion_token: Option<String>,
    /// The entry a replica bootstraps from (`bootstrap.recovery.source`); `None` on the
    /// primary, which is created with `initdb`.
    pub recover_from: Option<String>,
    /// Every region's entry, in profile order.
    pub members: Vec<String>,
    /// The `ObjectStore` every entry reads.
    pub store: String,
}

//! CloudNativePG `Cluster` (postgresql.cnpg.io/v1), `<postgres.name>`, in every region,
//! as one distributed topology (cloudnative-pg docs `replica_cluster.md`, "Distributed
//! Topology"): every region's cluster lists every region in `externalClusters` (Barman
//! Cloud plugin, `serverName` `<name>-<region>`), names the primary region's entry in
//! `replica.primary` and its own in `replica.self`, and archives WAL under its own
//! `serverName`. Moving the primary is the two-phase switchover of `postgres.switchover`
//! (docs/postgres-switchover.md); both bootstrap methods name `postgres.appSecret`.

use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Phase, Placement, Planner, ResourcesCtx};
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

/// The name of a region's entry in `externalClusters` (and its `replica.self`).
#[must_use]
pub(crate) fn member(pg: &Postgres, region: &str) -> String {
    format!("{}-{region}", pg.name)
}

/// A region's `serverName` in the archive: its entry's name, and `-g<N>` from archive
/// generation 1 on (`regions.<r>.postgres.archiveGeneration`), so a rebuilt cluster
/// archives into an empty folder (plugin-barman-cloud v0.14.0 refuses a non-empty one:
/// `internal/cnpgi/common/check.go` `CheckBackupDestination`).
#[must_use]
pub(crate) fn server_name(p: &Planner<'_>, pg: &Postgres, region: &str) -> String {
    let generation = p
        .profile
        .regions
        .get(region)
        .and_then(|r| r.postgres.as_ref())
        .and_then(|r| r.archive_generation)
        .unwrap_or(0);
    if generation > 0 {
        format!("{}-g{generation}", member(pg, region))
    } else {
        member(pg, region)
    }
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    let Some(region) = at.settings() else { return };
    let store = super::object_store::name(&pg.name);
    let topology = match (p.primary, &pg.backup) {
        (Some(_), Some(_)) => Some(topology(p, pg, at, &store)),
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
        app_secret: pg.app_secret.clone(),
        topology,
    };
    let name: Arc<str> = Arc::from(pg.name.as_str());
    // Each region's Cluster names itself (`replica.self`, its own `serverName`): no two
    // are equal, so none is shared (and none is compared with the others).
    let body = super::Body::new(&spec);
    out.push(p.object(&INFO, at, name, "database", body));
}

/// The region's place in the distributed topology, in the switchover phase rendered
/// (`kinds::Phase`): in the demote phase only the primary's cluster follows the target;
/// in the promote phase the target is primary, with the token, and every other cluster
/// follows it.
fn topology(p: &Planner<'_>, pg: &Postgres, at: &At<'_>, store: &str) -> Topology {
    let regions = &p.profile.regions;
    let here = at.name();
    let primary = p.primary.unwrap_or_default();
    // The region every cluster here names in `replica.primary`.
    let leader = match p.phase {
        Phase::Steady => primary,
        Phase::Demote { to } => {
            if here == primary {
                to
            } else {
                primary
            }
        }
        Phase::Promote { to, .. } => to,
    };
    let source = if here == leader {
        // A primary names the cluster it follows once demoted: the former primary it has
        // just replayed from (promote phase), else the first other region, as in the
        // CNPG documentation's example.
        match p.phase {
            Phase::Promote { .. } => primary,
            _ => regions
                .keys()
                .map(String::as_str)
                .find(|r| *r != here)
                .unwrap_or(here),
        }
    } else {
        leader
    };
    Topology {
        primary: member(pg, leader),
        this: member(pg, here),
        server_name: server_name(p, pg, here),
        source: member(pg, source),
        promotion_token: match p.phase {
            Phase::Promote { to, token } if to == here => Some(token.to_owned()),
            _ => None,
        },
        recover_from: (here != leader).then(|| member(pg, source)),
        members: p
            .memo("postgres members", || {
                regions
                    .keys()
                    .map(|r| (member(pg, r), server_name(p, pg, r)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
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
    /// The application user's Secret, the same in every region (`postgres.appSecret`).
    pub app_secret: String,
    /// The distributed topology, when there is an archive to replicate through.
    pub topology: Option<Topology>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Topology {
    /// `replica.primary`: the primary region's entry.
    pub primary: String,
    /// `replica.self`: this cluster's entry.
    pub this: String,
    /// This cluster's `serverName` in the archive (its entry's name and generation).
    pub server_name: String,
    /// `replica.source`: the entry this cluster replicates from (or would, once demoted).
    pub source: String,
    /// `replica.promotionToken`, set for a switchover.
    pub promotion_token: Option<String>,
    /// The entry a replica bootstraps from (`bootstrap.recovery.source`); `None` on the
    /// primary, which is created with `initdb`.
    pub recover_from: Option<String>,
    /// Every region's entry and `serverName`, in profile order.
    pub members: Rc<Vec<(String, String)>>,
    /// The `ObjectStore` every entry reads.
    pub store: String,
}

//! CloudNativePG `Pooler`s (postgresql.cnpg.io/v1), PgBouncer in front of each region's
//! cluster (cloudnative-pg docs `connection_pooling.md`):
//!
//! - the writer `<postgres.name>-pooler-rw` (`type: rw`), in the primary region only. Its
//!   Service exists in one cluster, so the mesh never merges it with another region's:
//!   every region's writes reach the current primary through it, and the name moves with
//!   a switchover (a change of the primary region in the profile);
//! - the reader `<postgres.name>-pooler-ro` (`type: ro`, the region's replicas), in every
//!   region, cluster-local through the istiod values `crate::mesh` writes.

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;
use crate::profile::Postgres;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "postgresql.cnpg.io/v1",
    kind: "Pooler",
    placement: Placement::Regional,
    templates: &[(
        "pooler.yaml.j2",
        include_str!("../../templates/pooler.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

/// The writer `Pooler` (and its Service): in the primary region only.
#[must_use]
pub(crate) fn writer(pg: &Postgres) -> String {
    format!("{}-pooler-rw", pg.name)
}

/// The reader `Pooler` (and its Service): in every region, cluster-local.
#[must_use]
pub(crate) fn reader(pg: &Postgres) -> String {
    format!("{}-pooler-ro", pg.name)
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    if !pg.pooler.enabled || at.settings().is_none() {
        return;
    }
    let pooler = |name: String, kind: &'static str| {
        let spec = Pooler {
            cluster: pg.name.clone(),
            instances: pg.pooler.instances,
            kind,
            pool_mode: pg.pooler.pool_mode.as_str(),
            max_client_conn: pg.pooler.max_client_conn.to_string(),
            default_pool_size: pg.pooler.default_pool_size.to_string(),
        };
        p.planned(&INFO, at, name, "database", &spec)
    };
    if p.is_acting_primary(at.name()) {
        out.push(pooler(writer(pg), "rw"));
    }
    // `r`: every instance of the region's cluster (a replica region's are all read-only),
    // so a drain of one instance's node leaves the reader a backend.
    out.push(pooler(reader(pg), "r"));
}

/// A `PodDisruptionBudget` for each `Pooler` of the region, `<pooler>`, selecting its
/// PgBouncer pods by `cnpg.io/poolerName` (cloudnative-pg v1.30.0
/// `pkg/utils/labels_annotations.go` `PgbouncerNameLabel`): a drain takes one at a time.
pub(crate) static BUDGET: KindInfo = KindInfo {
    plan: plan_budgets,
    ..super::pdb::BUDGET
};

fn plan_budgets(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    if !pg.pooler.enabled || at.settings().is_none() {
        return;
    }
    let mut names = Vec::with_capacity(2);
    if p.is_acting_primary(at.name()) {
        names.push(writer(pg));
    }
    names.push(reader(pg));
    for name in names {
        let spec = super::pdb::PdbCtx {
            min_available: None,
            max_unavailable: Some(super::pdb::Count::Pods(1)),
            labels: vec![("cnpg.io/poolerName".to_owned(), name.clone())],
            unhealthy_pod_eviction_policy: p
                .target
                .supports(&crate::target::PDB_EVICTION_POLICY)
                .then_some("AlwaysAllow"),
        };
        out.push(p.planned(&BUDGET, at, name, "database", &spec));
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Pooler {
    pub cluster: String,
    pub instances: i64,
    /// `rw` or `ro`.
    pub kind: &'static str,
    pub pool_mode: &'static str,
    pub max_client_conn: String,
    pub default_pool_size: String,
}

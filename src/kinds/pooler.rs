//! CloudNativePG `Pooler` (postgresql.cnpg.io/v1), `<postgres.name>-pooler`: PgBouncer in
//! front of each region's cluster, `rw` (the primary) in the primary region and `ro`
//! (the replicas) elsewhere (cloudnative-pg docs `connection_pooling.md`). One name in
//! every region, so applications connect to the same Service wherever they run.

use std::sync::Arc;

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

/// The name of the `Pooler` (and of the Service applications connect to).
#[must_use]
pub(crate) fn name(pg: &Postgres) -> String {
    format!("{}-pooler", pg.name)
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    if !pg.pooler.enabled || at.settings().is_none() {
        return;
    }
    let name: Arc<str> = Arc::from(name(pg));
    let spec = Pooler {
        cluster: pg.name.clone(),
        instances: pg.pooler.instances,
        kind: if at.is_primary() { "rw" } else { "ro" },
        pool_mode: pg.pooler.pool_mode.as_str(),
        max_client_conn: pg.pooler.max_client_conn.to_string(),
        default_pool_size: pg.pooler.default_pool_size.to_string(),
    };
    let body = p.body(&INFO, &name, &spec);
    out.push(p.object(&INFO, at, name, "database", body));
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

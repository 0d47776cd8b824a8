//! Barman Cloud `ObjectStore` (barmancloud.cnpg.io/v1), `<postgres.name>-backup`: where a
//! region's CNPG `Cluster` archives WAL and keeps base backups (secret references only).

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    placement: Placement::Regional,
    templates: &[(
        "objectstore.yaml.j2",
        include_str!("../../templates/objectstore.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

/// The name of the `ObjectStore` of a CNPG cluster.
#[must_use]
pub(crate) fn name(cluster: &str) -> String {
    format!("{cluster}-backup")
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    let Some(backup) = &pg.backup else { return };
    let spec = ObjectStore {
        destination_path: backup.destination_path.clone(),
        endpoint_url: backup.endpoint_url.clone(),
        secret: backup.credentials_secret.clone(),
        access_key_id_key: backup.access_key_id_key.clone(),
        secret_access_key_key: backup.secret_access_key_key.clone(),
        // Every region archives and backs up under its own serverName: retention on
        // every region's store, so no archive grows without bound.
        retention: backup.retention.clone(),
        sidecar: super::list(&backup.sidecar_resources),
    };
    out.push(p.planned(&INFO, at, name(&pg.name), "database", &spec));
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ObjectStore {
    pub destination_path: String,
    pub endpoint_url: Option<String>,
    pub secret: String,
    pub access_key_id_key: String,
    pub secret_access_key_key: String,
    pub retention: Option<String>,
    /// The plugin sidecar's cpu and memory, its requests and its limits alike.
    pub sidecar: Vec<(&'static str, String)>,
}

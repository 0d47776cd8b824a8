//! CloudNativePG `ScheduledBackup` (postgresql.cnpg.io/v1), `<postgres.name>-scheduled-backup`:
//! base backups of every region's cluster through the Barman Cloud plugin, the first one
//! as soon as it is created (`immediate: true`), so replicas have a base backup to
//! bootstrap from. Every region has one (a replica cluster backs up from its designated
//! primary: cloudnative-pg v1.30.0 `docs/src/replica_cluster.md`, "Backup and Symmetric
//! Architectures"), so a switchover changes nothing about backups.

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    placement: Placement::Regional,
    templates: &[(
        "scheduledbackup.yaml.j2",
        include_str!("../../templates/scheduledbackup.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(pg) = &p.profile.postgres else {
        return;
    };
    let Some(backup) = &pg.backup else { return };
    if at.settings().is_none() {
        return;
    }
    let name = format!("{}-scheduled-backup", pg.name);
    let spec = ScheduledBackup {
        schedule: backup.schedule.clone(),
        cluster: pg.name.clone(),
    };
    out.push(p.planned(&INFO, at, name, "database", &spec));
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ScheduledBackup {
    /// Six-field cron, seconds first.
    pub schedule: String,
    /// The `Cluster` it backs up.
    pub cluster: String,
}

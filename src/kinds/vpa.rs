//! `VerticalPodAutoscaler` (autoscaling.k8s.io/v1): `mplp-<module>-vpa` for every module
//! that asks for one, then `<postgres.name>-vpa` on the CNPG `Cluster` (container
//! `postgres`), where the profile asks for it.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner, list};
use crate::effective::{EffectiveModule, effective_module};
use crate::plan::PlannedObject;
use crate::profile::{Region, UpdateMode, Vpa};
use crate::target::{Target, VPA_IN_PLACE, VPA_IN_PLACE_KUBE};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    placement: Placement::Regional,
    templates: &[(
        "verticalpodautoscaler.yaml.j2",
        include_str!("../../templates/verticalpodautoscaler.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    p.per_module(&INFO, at, "autoscaling", out, |region: &Region, module| {
        let module = effective_module(p.profile, region, module).expect("a module of the profile");
        let spec = module_spec(&module, module.vpa?, &p.target);
        Some((
            Arc::from(format!("mplp-{}-vpa", module.name)),
            p.new_body(&spec),
        ))
    });
    if let Some(pg) = &p.profile.postgres
        && let Some(vpa) = &pg.vpa
    {
        let name = format!("{}-vpa", pg.name);
        let spec = spec(
            vpa,
            ("postgresql.cnpg.io/v1", "Cluster", pg.name.clone()),
            "postgres".to_owned(),
            &p.target,
        );
        out.push(p.planned(&INFO, at, name, "database", &spec));
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct VpaSpec {
    pub target_api_version: &'static str,
    pub target_kind: &'static str,
    pub target_name: String,
    pub update_mode: &'static str,
    pub container: String,
    pub min_allowed: Vec<(&'static str, String)>,
    pub max_allowed: Vec<(&'static str, String)>,
    pub controlled_resources: Vec<&'static str>,
    pub controlled_values: Option<&'static str>,
}

fn module_spec(module: &EffectiveModule<'_>, vpa: &Vpa, versions: &Target) -> VpaSpec {
    spec(
        vpa,
        ("apps/v1", "Deployment", module.deployment.clone()),
        vpa.container_name
            .clone()
            .unwrap_or_else(|| module.deployment.clone()),
        versions,
    )
}

/// The update mode the target serves: `InPlaceOrRecreate` needs VPA 1.4 and Kubernetes
/// 1.33; before, its older form `Recreate`.
#[must_use]
pub(crate) fn update_mode(mode: UpdateMode, versions: &Target) -> UpdateMode {
    if mode == UpdateMode::InPlaceOrRecreate
        && !(versions.supports(&VPA_IN_PLACE) && versions.supports(&VPA_IN_PLACE_KUBE))
    {
        UpdateMode::Recreate
    } else {
        mode
    }
}

fn spec(
    vpa: &Vpa,
    target: (&'static str, &'static str, String),
    container: String,
    versions: &Target,
) -> VpaSpec {
    VpaSpec {
        target_api_version: target.0,
        target_kind: target.1,
        target_name: target.2,
        update_mode: update_mode(vpa.update_mode, versions).as_str(),
        container,
        min_allowed: list(&vpa.min_allowed),
        max_allowed: list(&vpa.max_allowed),
        controlled_resources: vpa
            .controlled()
            .into_iter()
            .map(crate::profile::ResourceName::as_str)
            .collect(),
        controlled_values: vpa
            .controlled_values
            .map(crate::profile::ControlledValues::as_str),
    }
}

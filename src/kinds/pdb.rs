//! `PodDisruptionBudget` (policy/v1): one per module per region, `mplp-<module>-pdb`,
//! selecting the module's pods by the profile's pod-label convention (`podLabels`), so
//! that a node drain takes at most `maxUnavailable` (default 1) of them at a time.
//! `validate` refuses a budget that would block every drain at the HPA's minimum.

use std::sync::Arc;

use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use serde::Serialize;

use super::{At, Check, KindInfo, Neutral, Placement, Planner};
use crate::effective::{effective_module, effective_pdb, pod_labels};
use crate::plan::PlannedObject;
use crate::profile::{EvictionPolicy, IntOrPercent, Region};
use crate::target::PDB_EVICTION_POLICY;

pub(crate) static INFO: KindInfo = KindInfo { plan, ..BUDGET };

/// A `PodDisruptionBudget` kind planned by nothing: what every kind of budget shares
/// (the modules' here, the poolers' in `pooler.rs`), with its own `plan`.
pub(crate) const BUDGET: KindInfo = KindInfo {
    api_version: "policy/v1",
    kind: "PodDisruptionBudget",
    placement: Placement::Regional,
    templates: &[(
        "poddisruptionbudget.yaml.j2",
        include_str!("../../templates/poddisruptionbudget.yaml.j2"),
    )],
    check: Check::Builtin(crate::crds::builtin::<PodDisruptionBudget>),
    plan: |_, _, _| {},
    context: super::as_planned,
};

/// The name of a module's budget.
#[must_use]
pub(crate) fn name(module: &str) -> String {
    format!("mplp-{module}-pdb")
}

/// A count of pods or a percentage, as the template writes it (`1` or `"25%"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Count {
    Pods(i64),
    Percent(String),
}

impl From<IntOrPercent> for Count {
    fn from(value: IntOrPercent) -> Self {
        match value {
            IntOrPercent::Int(n) => Count::Pods(n),
            IntOrPercent::Percent(_) => Count::Percent(value.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PdbCtx {
    pub min_available: Option<Count>,
    pub max_unavailable: Option<Count>,
    pub labels: Vec<(String, String)>,
    /// `None` where the target does not serve it (Kubernetes before 1.27).
    pub unhealthy_pod_eviction_policy: Option<&'static str>,
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    p.per_module(&INFO, at, "availability", out, |region, module| {
        build(p, region, module)
    });
}

/// The name and body of a module's budget in `region` (`None`: it has none there).
fn build(p: &Planner<'_>, region: &Region, module: &str) -> Neutral {
    effective_module(p.profile, region, module)?;
    let pdb = effective_pdb(p.profile, region, module)?;
    let spec = PdbCtx {
        // Both set is refused by `validate`; maxUnavailable wins here.
        min_available: pdb
            .min_available
            .filter(|_| pdb.max_unavailable.is_none())
            .map(Count::from),
        max_unavailable: pdb.max_unavailable.map(Count::from),
        labels: pod_labels(p.profile, module),
        unhealthy_pod_eviction_policy: p.target.supports(&PDB_EVICTION_POLICY).then(|| {
            pdb.unhealthy_pod_eviction_policy
                .unwrap_or(EvictionPolicy::AlwaysAllow)
                .as_str()
        }),
    };
    let name: Arc<str> = Arc::from(name(module));
    let body = p.body(&INFO, &name, &spec);
    Some((name, body))
}

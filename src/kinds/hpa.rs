//! `HorizontalPodAutoscaler` (autoscaling/v2): one per module per region, `mplp-<module>-hpa`,
//! with all the module's metrics (resource, pods, object) and its behavior; none for a
//! module that KEDA scales (`backend: keda`, see `scaled_object`).

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::effective::EffectiveModule;
use crate::plan::PlannedObject;
use crate::profile::{Backend, Metric, ObjectTarget, ResourceTarget, ScalingRules};
use crate::target::{HPA_TOLERANCE, Target};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    placement: Placement::Regional,
    templates: &[(
        "horizontalpodautoscaler.yaml.j2",
        include_str!("../../templates/horizontalpodautoscaler.yaml.j2"),
    )],
    check: Check::Builtin(crate::crds::builtin::<HorizontalPodAutoscaler>),
    plan,
    context: super::as_planned,
};

/// The name of a module's HPA.
#[must_use]
pub(crate) fn name(module: &str) -> String {
    format!("mplp-{module}-hpa")
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    p.per_scaled_module(&INFO, at, Backend::Hpa, out, name, |module| {
        spec(module, &p.target)
    });
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Hpa {
    pub scaled: Scaled,
    pub metrics: Vec<MetricCtx>,
}

/// What both scalers of a module (its HPA or its `ScaledObject`) say alike: the
/// Deployment, the replica range and the behavior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Scaled {
    pub deployment: String,
    pub min: i64,
    pub max: i64,
    pub behavior: Option<BehaviorCtx>,
}

impl Scaled {
    /// The module's, with its effective settings, for `target`.
    #[must_use]
    pub(crate) fn of(module: &EffectiveModule<'_>, target: &Target) -> Self {
        Self {
            deployment: module.deployment.clone(),
            min: module.replicas.min,
            max: module.replicas.max,
            behavior: behavior(module, target),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MetricCtx {
    /// `Resource`, `Pods` or `Object`.
    pub source: &'static str,
    pub name: String,
    /// `Utilization`, `AverageValue` or `Value`.
    pub target_type: &'static str,
    pub utilization: Option<i64>,
    pub value: Option<String>,
    pub described_object: Option<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BehaviorCtx {
    pub scale_up: Option<RulesCtx>,
    pub scale_down: Option<RulesCtx>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RulesCtx {
    pub stabilization_window_seconds: Option<i64>,
    pub select_policy: Option<&'static str>,
    /// (type, value, periodSeconds)
    pub policies: Vec<(&'static str, i64, i64)>,
    /// The quantity's text, where the target serves it.
    pub tolerance: Option<String>,
}

/// The HPA of one module, with its effective settings, for `target`.
#[must_use]
pub(crate) fn spec(module: &EffectiveModule<'_>, target: &Target) -> Hpa {
    Hpa {
        scaled: Scaled::of(module, target),
        metrics: module.metrics.iter().map(metric).collect(),
    }
}

/// The behavior as the HPA (or KEDA's `horizontalPodAutoscalerConfig`) takes it.
#[must_use]
pub(crate) fn behavior(module: &EffectiveModule<'_>, target: &Target) -> Option<BehaviorCtx> {
    let tolerance = target.supports(&HPA_TOLERANCE);
    module.behavior.as_ref().map(|b| BehaviorCtx {
        scale_up: b.scale_up.as_ref().map(|r| rules(r, tolerance)),
        scale_down: b.scale_down.as_ref().map(|r| rules(r, tolerance)),
    })
}

fn metric(metric: &Metric) -> MetricCtx {
    match metric {
        Metric::Resource { name, target } => {
            let (target_type, utilization, value) = match target {
                ResourceTarget::Utilization(u) => ("Utilization", Some(*u), None),
                ResourceTarget::AverageValue(q) => {
                    ("AverageValue", None, Some(q.as_str().to_owned()))
                }
            };
            MetricCtx {
                source: "Resource",
                name: name.as_str().to_owned(),
                target_type,
                utilization,
                value,
                described_object: None,
            }
        }
        Metric::Pods {
            name,
            average_value,
        } => MetricCtx {
            source: "Pods",
            name: name.clone(),
            target_type: "AverageValue",
            utilization: None,
            value: Some(average_value.as_str().to_owned()),
            described_object: None,
        },
        Metric::Object {
            name,
            described_object,
            target,
        } => {
            let (target_type, q) = match target {
                ObjectTarget::Value(q) => ("Value", q),
                ObjectTarget::AverageValue(q) => ("AverageValue", q),
            };
            MetricCtx {
                source: "Object",
                name: name.clone(),
                target_type,
                utilization: None,
                value: Some(q.as_str().to_owned()),
                described_object: Some((
                    described_object.api_version.clone(),
                    described_object.kind.clone(),
                    described_object.name.clone(),
                )),
            }
        }
    }
}

fn rules(r: &ScalingRules, tolerance: bool) -> RulesCtx {
    RulesCtx {
        stabilization_window_seconds: r.stabilization_window_seconds,
        select_policy: r.select_policy.map(crate::profile::SelectPolicy::as_str),
        policies: r
            .policies
            .iter()
            .map(|p| (p.kind.as_str(), p.value, p.period_seconds))
            .collect(),
        tolerance: r
            .tolerance
            .as_ref()
            .filter(|_| tolerance)
            .map(|q| q.as_str().to_owned()),
    }
}

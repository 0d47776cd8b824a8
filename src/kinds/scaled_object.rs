//! KEDA `ScaledObject` (keda.sh/v1alpha1): one per module that KEDA scales (`backend:
//! keda`), per region, `mplp-<module>`, in place of its HPA. KEDA creates and owns the
//! HPA itself (`keda-hpa-mplp-<module>`), with the module's range, its behavior
//! (`advanced.horizontalPodAutoscalerConfig.behavior`) and one external metric per
//! trigger (<https://keda.sh/docs/2.20/reference/scaledobject-spec/>).
//!
//! Triggers: `cpu` or `memory` for a resource metric (`metricType: Utilization` or
//! `AverageValue`), `prometheus` for a custom metric, whose query fills in the template
//! that builds the metric's prometheus-adapter rule (`metrics_adapter::metrics_query`)
//! with the same series, namespace and object, summed over the module's pods for a Pods
//! metric: the HPA then divides it by the replicas (`AverageValue`) as it averages a Pods
//! metric, and an Object metric keeps its `Value` or `AverageValue`
//! (<https://keda.sh/docs/2.20/scalers/prometheus/>).

use serde::Serialize;

use super::hpa::Scaled;
use super::{At, Check, KindInfo, Placement, Planner};
use crate::effective::EffectiveModule;
use crate::plan::PlannedObject;
use crate::profile::{Backend, Metric, MetricSource, ObjectTarget, Profile, ResourceTarget};
use crate::target::{KEDA_ACTIVATION, Target};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    placement: Placement::Regional,
    templates: &[(
        "scaledobject.yaml.j2",
        include_str!("../../templates/scaledobject.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

/// The name of a module's `ScaledObject` (KEDA names its HPA `keda-hpa-<this>`).
#[must_use]
pub(crate) fn name(module: &str) -> String {
    format!("mplp-{module}")
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    p.per_scaled_module(&INFO, at, Backend::Keda, out, name, |module| {
        spec(p.profile, module, &p.target)
    });
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ScaledObject {
    pub scaled: Scaled,
    pub triggers: Vec<Trigger>,
}

/// One trigger: its type, `metricType`, `metadata` (strings, in order) and the
/// `TriggerAuthentication` it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Trigger {
    pub kind: &'static str,
    pub metric_type: &'static str,
    pub metadata: Vec<(&'static str, String)>,
    pub auth: Option<&'static str>,
}

/// The `ScaledObject` of one module, with its effective settings, for `target`.
#[must_use]
pub(crate) fn spec(
    profile: &Profile,
    module: &EffectiveModule<'_>,
    target: &Target,
) -> ScaledObject {
    ScaledObject {
        scaled: Scaled::of(module, target),
        triggers: module
            .metrics
            .iter()
            .map(|m| trigger(profile, module, m, target))
            .collect(),
    }
}

fn trigger(
    profile: &Profile,
    module: &EffectiveModule<'_>,
    metric: &Metric,
    target: &Target,
) -> Trigger {
    let (name, described, metric_type, threshold) = match metric {
        Metric::Resource { name, target } => {
            let (metric_type, value) = match target {
                ResourceTarget::Utilization(u) => ("Utilization", u.to_string()),
                ResourceTarget::AverageValue(q) => ("AverageValue", q.as_str().to_owned()),
            };
            return Trigger {
                kind: name.as_str(),
                metric_type,
                metadata: vec![("value", value)],
                auth: None,
            };
        }
        Metric::Pods {
            name,
            average_value,
        } => (name, None, "AverageValue", average_value.value()),
        Metric::Object {
            name,
            described_object,
            target,
        } => {
            let (metric_type, q) = match target {
                ObjectTarget::Value(q) => ("Value", q),
                ObjectTarget::AverageValue(q) => ("AverageValue", q),
            };
            (name, Some(described_object), metric_type, q.value())
        }
    };
    let fallback = MetricSource::default();
    let source = profile.metrics.get(name).unwrap_or(&fallback);
    let query = match described {
        None => format!(
            "sum({})",
            fill(
                profile,
                source,
                name,
                &format!(
                    "pod=~\"{}-[a-z0-9]+-[a-z0-9]+\"",
                    module.deployment.replace('.', "\\\\.")
                ),
                "pod",
            )
        ),
        Some(object) => {
            let label = object.kind.to_ascii_lowercase();
            fill(
                profile,
                source,
                name,
                &format!("{label}=\"{}\"", object.name),
                &label,
            )
        }
    };
    let prometheus = &profile.autoscaling.prometheus;
    let mut metadata = vec![
        ("serverAddress", prometheus.server_address.clone()),
        ("query", query),
        ("threshold", number(threshold)),
    ];
    if let Some(activation) = source.activation_threshold
        && target.supports(&KEDA_ACTIVATION)
    {
        metadata.push(("activationThreshold", number(activation)));
    }
    if let Some(auth) = &prometheus.auth {
        metadata.push(("authModes", auth.mode.as_str().to_owned()));
    }
    Trigger {
        kind: "prometheus",
        metric_type,
        metadata,
        auth: prometheus
            .auth
            .as_ref()
            .map(|_| super::trigger_authentication::NAME),
    }
}

/// The adapter rule's query for this metric, filled in as prometheus-adapter fills it for
/// one object: the series, the namespace and the object's label, grouped by that label.
fn fill(
    profile: &Profile,
    source: &MetricSource,
    metric: &str,
    matcher: &str,
    group_by: &str,
) -> String {
    let template =
        super::metrics_adapter::metrics_query(source, &profile.metrics_adapter.rate_interval);
    template
        .replace("<<.Series>>", source.series(metric))
        .replace(
            "<<.LabelMatchers>>",
            &format!("namespace=\"{}\",{matcher}", profile.namespace),
        )
        .replace("<<.GroupBy>>", group_by)
}

/// A number as KEDA parses it (`strconv.ParseFloat`): `100`, `0.5`, never `500m`.
fn number(value: f64) -> String {
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effective::effective_module;

    #[test]
    fn triggers_mean_what_the_adapter_rules_mean() {
        let profile = crate::load::load(&[], &[]).unwrap().profile.unwrap();
        let region = &profile.regions["eu-west-1"];
        let core = effective_module(&profile, region, "core").unwrap();
        let so = spec(&profile, &core, &Target::default());
        assert_eq!(so.triggers[0].kind, "cpu");
        assert_eq!(so.triggers[0].metadata, vec![("value", "70".to_owned())]);
        let pods = &so.triggers[2];
        assert_eq!(pods.metric_type, "AverageValue");
        assert_eq!(
            pods.metadata[1].1,
            "sum(sum(rate(mplp_requests_total{namespace=\"mplp-production\",pod=~\"mplp-core-[a-z0-9]+-[a-z0-9]+\"}[2m])) by (pod))"
        );
        assert_eq!(pods.metadata[2], ("threshold", "100".to_owned()));
        let queue = &so.triggers[3];
        assert_eq!(queue.metric_type, "AverageValue");
        assert_eq!(
            queue.metadata[1].1,
            "sum(mplp_context_queue_length{namespace=\"mplp-production\",service=\"mplp-core-service\"}) by (service)"
        );
        let p95 = &so.triggers[5];
        assert_eq!(p95.metric_type, "Value");
        assert_eq!(p95.metadata[2], ("threshold", "0.5".to_owned()));
        assert!(p95.metadata[1].1.starts_with("histogram_quantile(0.95, sum(rate(mplp_request_duration_seconds_bucket{namespace=\"mplp-production\",service=\"mplp-core-service\"}[2m])) by (le, service))"));
    }
}

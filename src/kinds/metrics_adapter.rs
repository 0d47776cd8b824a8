//! `ConfigMap` of prometheus-adapter rules (`metricsAdapter.name`, default
//! `mplp-metrics-adapter`, in `metricsAdapter.namespace`, default `monitoring`): one rule
//! per custom metric that an HPA of the region uses and `metrics:` gives a source for (a
//! metric only modules scaled by KEDA use has none: KEDA queries Prometheus itself), so
//! that `custom.metrics.k8s.io` serves it (kubernetes-sigs/prometheus-adapter
//! `docs/config.md`: `seriesQuery`, `resources.overrides`, `name.matches`/`as`,
//! `metricsQuery`). The adapter mounts it as its `config.yaml` (the Helm chart's
//! `rules.existing`); `docs/metrics-adapter.md` says how.

use std::sync::Arc;

use indexmap::IndexMap;
use minijinja::Value;
use serde::Serialize;

use super::document::Document;
use super::{At, KindInfo, Neutral, Planner};
use crate::effective::{ModuleField, Origin, effective_module, origin};
use crate::plan::PlannedObject;
use crate::profile::autoscaling::SeriesKind;
use crate::profile::{Backend, Metric, MetricSource, Profile, Region};

pub(crate) static INFO: KindInfo = super::config_map(
    plan,
    &[
        super::CONFIG_MAP,
        (
            TEMPLATE,
            include_str!("../../templates/adapter-rules.yaml.j2"),
        ),
    ],
);

/// The rules' template.
const TEMPLATE: &str = "adapter-rules.yaml.j2";

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(region) = at.settings() else { return };
    // Only a region's own metrics change the rules: the others share one body.
    let own_metrics = region.modules.keys().any(|module| {
        origin(p.profile, region, module, ModuleField::Metrics) == Some(Origin::Region)
    });
    let planned = if own_metrics {
        build(p, region)
    } else {
        p.shared.get(&INFO, 0, || build(p, &p.neutral))
    };
    let Some((name, body)) = planned else { return };
    let namespace = Arc::from(p.profile.metrics_adapter.namespace.as_str());
    out.push(p.object_in(&INFO, at, name, namespace, "autoscaling", body));
}

/// The name and body of the rules `ConfigMap` in `region` (`None`: it has no rule).
fn build(p: &Planner<'_>, region: &Region) -> Neutral {
    let config = config(p.profile, region)?;
    let name: Arc<str> = Arc::from(p.profile.metrics_adapter.name.as_str());
    let body = p.body(
        &INFO,
        &name,
        &minijinja::context! { data => vec![vec![Value::from("config.yaml"), config]] },
    );
    Some((name, body))
}

/// The Kubernetes resources a metric's series must be labelled with: `pod` for a Pods
/// metric, the described object's kind for an Object metric, as `(label, group, resource)`.
type Resources = Vec<(String, Option<String>, String)>;

/// The custom metrics the region's HPAs use, in first-use order, with their resources.
#[must_use]
pub(crate) fn used_metrics(profile: &Profile, region: &Region) -> IndexMap<String, Resources> {
    let mut used: IndexMap<String, Resources> = IndexMap::new();
    for module in profile.modules.keys() {
        let Some(m) = effective_module(profile, region, module) else {
            continue;
        };
        if m.backend != Backend::Hpa {
            continue;
        }
        for metric in m.metrics {
            let (name, resource) = match metric {
                Metric::Resource { .. } => continue,
                Metric::Pods { name, .. } => (name, ("pod".to_owned(), None, "pod".to_owned())),
                Metric::Object {
                    name,
                    described_object,
                    ..
                } => {
                    let kind = described_object.kind.to_ascii_lowercase();
                    let group = described_object
                        .api_version
                        .split_once('/')
                        .map(|(g, _)| g.to_owned());
                    (name, (kind.clone(), group, kind))
                }
            };
            let resources = used.entry(name.clone()).or_default();
            if !resources.contains(&resource) {
                resources.push(resource);
            }
        }
    }
    used
}

/// The adapter's `config.yaml` for one region (`None`: no HPA uses a metric with a source).
#[must_use]
pub(crate) fn config(profile: &Profile, region: &Region) -> Option<Value> {
    let rules: Vec<Rule> = used_metrics(profile, region)
        .into_iter()
        .filter_map(|(metric, resources)| {
            let source = profile.metrics.get(&metric)?;
            Some(Rule::new(
                metric,
                source,
                resources,
                &profile.metrics_adapter.rate_interval,
            ))
        })
        .collect();
    (!rules.is_empty()).then(|| {
        Document::value(
            TEMPLATE,
            &minijinja::context! { rules => minijinja::value::Serde(rules) },
        )
    })
}

/// One rule: discover the series with the labels every use needs, associate the labels
/// with their resources, expose the series under the HPA's metric name, and query it as
/// a rate (counter) or as is (gauge).
#[derive(Debug, Serialize)]
struct Rule {
    series_query: String,
    resources: Resources,
    matches: String,
    name: String,
    metrics_query: String,
}

impl Rule {
    fn new(metric: String, source: &MetricSource, resources: Resources, rate: &str) -> Self {
        let series = source.series(&metric);
        // A label every use needs must be on the series; with uses of several kinds, only
        // the namespace is common.
        let mut required = vec!["namespace".to_owned()];
        if let [(label, _, _)] = resources.as_slice() {
            required.push(label.clone());
        }
        let selector: Vec<String> = required.iter().map(|l| format!("{l}!=\"\"")).collect();
        Self {
            series_query: format!("{series}{{{}}}", selector.join(",")),
            resources,
            matches: format!("^{series}$"),
            name: metric,
            metrics_query: metrics_query(source, rate),
        }
    }
}

/// A metric's `metricsQuery` (prometheus-adapter's template: `<<.Series>>`,
/// `<<.LabelMatchers>>`, `<<.GroupBy>>`): `query`, or the per-second rate of a counter
/// over `rate`, or a gauge as is, summed by the described resource. KEDA's triggers
/// fill in the same template (`scaled_object`), so both backends mean the same value.
#[must_use]
pub(crate) fn metrics_query(source: &MetricSource, rate: &str) -> String {
    match (&source.query, source.kind) {
        (Some(query), _) => query.clone(),
        (None, SeriesKind::Counter) => {
            format!("sum(rate(<<.Series>>{{<<.LabelMatchers>>}}[{rate}])) by (<<.GroupBy>>)")
        }
        (None, SeriesKind::Gauge) => {
            "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_per_metric_with_its_resources() {
        let object = crate::kinds::document::first_rendered(&INFO);
        let (_, config) = object.split_once("config.yaml: |\n").unwrap();
        assert!(
            config.starts_with(
                "    rules:\n      - seriesQuery: 'mplp_auth_requests_total{namespace!=\"\",pod!=\"\"}'\n"
            ),
            "{config}"
        );
        assert!(
            config.contains("          as: mplp_context_queue_length\n"),
            "{config}"
        );
        assert!(
            config.contains("'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'"),
            "{config}"
        );
        assert!(config.contains("            service:\n              resource: service\n"));
        // Read back, it is the adapter's shape.
        let doc: serde_json::Value = serde_saphyr::from_str(&object).unwrap();
        let rules: serde_json::Value =
            serde_saphyr::from_str(doc["data"]["config.yaml"].as_str().unwrap()).unwrap();
        assert_eq!(rules["rules"].as_array().unwrap().len(), 6);
        assert_eq!(
            rules["rules"][0]["resources"]["overrides"]["pod"]["resource"],
            "pod"
        );
    }
}

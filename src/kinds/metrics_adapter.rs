//! `ConfigMap` of prometheus-adapter rules (`metricsAdapter.name`, default
//! `mplp-metrics-adapter`, in `metricsAdapter.namespace`, default `monitoring`): one rule
//! per custom metric that an HPA of the region uses and `metrics:` gives a source for (a
//! metric only modules scaled by KEDA use has none: KEDA queries Prometheus itself), so
//! that `custom.metrics.k8s.io` serves it (kubernetes-sigs/prometheus-adapter
//! `docs/config.md`: `seriesQuery`, `resources.overrides`, `name.matches`/`as`,
//! `metricsQuery`). The adapter mounts it as its `config.yaml` (the Helm chart's
//! `rules.existing`); `docs/metrics-adapter.md` says how.

use std::fmt::Write as _;
use std::sync::Arc;

use indexmap::IndexMap;

use super::{At, ConfigMap, KindInfo, Neutral, Planner};
use crate::effective::effective_module;
use crate::plan::PlannedObject;
use crate::profile::autoscaling::SeriesKind;
use crate::profile::{Backend, Metric, MetricSource, Profile, Region};
use crate::yaml::quote;

pub(crate) static INFO: KindInfo = super::config_map(plan);

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(region) = at.settings() else { return };
    // Only a region's own metrics change the rules: the others share one body.
    let own_metrics = region.modules.values().any(|o| o.metrics.is_some());
    let planned = if own_metrics {
        build(p, region)
    } else {
        p.neutral(&INFO, 0, || build(p, &p.neutral))
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
        &ConfigMap {
            data: vec![("config.yaml".to_owned(), config)],
        },
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
pub(crate) fn config(profile: &Profile, region: &Region) -> Option<String> {
    let mut out = String::from("rules:\n");
    let mut any = false;
    for (metric, resources) in used_metrics(profile, region) {
        let Some(source) = profile.metrics.get(&metric) else {
            continue;
        };
        any = true;
        rule(
            &mut out,
            &metric,
            source,
            &resources,
            &profile.metrics_adapter.rate_interval,
        );
    }
    any.then_some(out)
}

/// One rule: discover the series with the labels every use needs, associate the labels
/// with their resources, expose the series under the HPA's metric name, and query it as
/// a rate (counter) or as is (gauge).
fn rule(out: &mut String, metric: &str, source: &MetricSource, resources: &Resources, rate: &str) {
    let series = source.series(metric);
    // A label every use needs must be on the series; with uses of several kinds, only the
    // namespace is common.
    let mut required = vec!["namespace".to_owned()];
    if let [(label, _, _)] = resources.as_slice() {
        required.push(label.clone());
    }
    let selector: Vec<String> = required.iter().map(|l| format!("{l}!=\"\"")).collect();
    let _ = writeln!(
        out,
        "  - seriesQuery: {}",
        promql(&format!("{series}{{{}}}", selector.join(",")))
    );
    out.push_str(
        "    resources:\n      overrides:\n        namespace:\n          resource: namespace\n",
    );
    for (label, group, resource) in resources {
        let _ = writeln!(out, "        {}:", scalar(label));
        if let Some(group) = group {
            let _ = writeln!(out, "          group: {}", scalar(group));
        }
        let _ = writeln!(out, "          resource: {}", scalar(resource));
    }
    let _ = writeln!(out, "    name:");
    let _ = writeln!(out, "      matches: {}", quote(&format!("^{series}$")));
    let _ = writeln!(out, "      as: {}", scalar(metric));
    let query = metrics_query(source, rate);
    let _ = writeln!(out, "    metricsQuery: {}", promql(&query));
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

/// A YAML scalar: plain when no parser can misread it, else double-quoted.
fn scalar(text: &str) -> String {
    let mut out = String::new();
    crate::yaml::write_scalar(&mut out, text);
    out
}

/// `PromQL` as a YAML single-quoted scalar (readable: its `"` stay as they are), or
/// double-quoted when it holds anything a single-quoted scalar cannot carry as is.
fn promql(text: &str) -> String {
    if text.is_empty()
        || text
            .chars()
            .any(|c| c == '\n' || c == '\t' || crate::yaml::needs_escape(c))
    {
        return quote(text);
    }
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_per_metric_with_its_resources() {
        let profile = crate::load::load(&[], &[]).unwrap().profile.unwrap();
        let config = config(&profile, &profile.regions["eu-west-1"]).unwrap();
        assert!(
            config.starts_with(
                "rules:\n  - seriesQuery: 'mplp_auth_requests_total{namespace!=\"\",pod!=\"\"}'\n"
            ),
            "{config}"
        );
        assert!(
            config.contains("      as: mplp_context_queue_length\n"),
            "{config}"
        );
        assert!(
            config.contains("'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'"),
            "{config}"
        );
        assert!(config.contains("        service:\n          resource: service\n"));
        // Read back, it is the adapter's shape.
        let doc: serde_json::Value = serde_saphyr::from_str(&config).unwrap();
        assert_eq!(doc["rules"].as_array().unwrap().len(), 6);
        assert_eq!(
            doc["rules"][0]["resources"]["overrides"]["pod"]["resource"],
            "pod"
        );
        assert_eq!(promql("a'b"), "'a''b'");
        assert_eq!(promql("a\nb"), "\"a\\nb\"");
    }
}

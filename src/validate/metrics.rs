//! A list of HPA metrics, wherever it is written (defaults, a module, a region's
//! override): at least one (E0502), targets their source accepts (E0501), valid names
//! (E0101), and no source twice (E0502).

use super::{Reporter, Rule};
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Metric, ObjectTarget, ResourceTarget};

pub(super) fn check(r: &mut Reporter, metrics: &[Metric], path: &FieldPath) {
    empty_metrics(r, metrics, path);
    for (i, metric) in metrics.iter().enumerate() {
        let mpath = path.index(i);
        metric_target(r, metric, &mpath);
        metric_names(r, metric, &mpath);
    }
    duplicate_metric(r, metrics, path);
}

/// E0502: an empty list of metrics (not one whose items only failed to load).
fn empty_metrics(r: &mut Reporter, metrics: &[Metric], path: &FieldPath) {
    if metrics.is_empty() && !r.failed().any_child(path) {
        r.report(Code::Metrics, path, "no metrics: an HPA needs at least one");
    }
}

/// E0501: a target of 0 or less (utilization, average value or value).
fn metric_target(r: &mut Reporter, metric: &Metric, path: &FieldPath) {
    match metric {
        Metric::Resource {
            target: ResourceTarget::Utilization(u),
            ..
        } if *u < 1 => r.report(
            Code::MetricTarget,
            &path.key("utilization"),
            format!("utilization `{u}` must be greater than 0 (percent of the pods' request)"),
        ),
        Metric::Resource {
            target: ResourceTarget::AverageValue(q),
            ..
        }
        | Metric::Pods {
            average_value: q, ..
        } if !q.is_positive() => r.report(
            Code::MetricTarget,
            &path.key("averageValue"),
            format!("averageValue `{q}` must be positive"),
        ),
        Metric::Object { target, .. } => {
            let (key, q) = match target {
                ObjectTarget::Value(q) => ("value", q),
                ObjectTarget::AverageValue(q) => ("averageValue", q),
            };
            if !q.is_positive() {
                r.report(
                    Code::MetricTarget,
                    &path.key(key),
                    format!("{key} `{q}` must be positive"),
                );
            }
        }
        _ => {}
    }
}

/// E0101: a metric name, described object name or kind Kubernetes would refuse.
fn metric_names(r: &mut Reporter, metric: &Metric, path: &FieldPath) {
    match metric {
        Metric::Resource { .. } => {}
        Metric::Pods { name, .. } => METRIC_NAME.check(r, name, &path.key("pods")),
        Metric::Object {
            name,
            described_object,
            ..
        } => {
            METRIC_NAME.check(r, name, &path.key("object"));
            let dpath = path.key("describedObject");
            super::names::subdomain(r, &described_object.name, &dpath.key("name"), "object");
            KIND.check(r, &described_object.kind, &dpath.key("kind"));
        }
    }
}

/// E0101: a described object's kind that is not a Kubernetes kind.
const KIND: Rule = Rule {
    code: Code::InvalidName,
    not_a: "a Kubernetes kind: expected a name such as `Service`",
    ok: is_kind,
};

/// E0101: a metric name with characters Prometheus adapters do not take.
const METRIC_NAME: Rule = Rule {
    code: Code::InvalidName,
    not_a: "a metric name: expected letters, digits, `_`, `:`, `.`, `-`, starting with a letter",
    ok: |name| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && name.len() <= 253
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-' | '/'))
    },
};

/// E0502: the same metric source listed twice.
fn duplicate_metric(r: &mut Reporter, metrics: &[Metric], path: &FieldPath) {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, metric) in metrics.iter().enumerate() {
        let identity = identity(metric);
        if let Some((_, first)) = seen.iter().find(|(id, _)| *id == identity) {
            r.report(
                Code::Metrics,
                &path.index(i),
                format!("the same metric ({identity}) is listed twice, first at index `{first}`"),
            );
        } else {
            seen.push((identity, i));
        }
    }
}

/// What makes two metrics the same for the HPA: their source.
fn identity(metric: &Metric) -> String {
    match metric {
        Metric::Resource { name, .. } => format!("resource {}", name.as_str()),
        Metric::Pods { name, .. } => format!("pods {name}"),
        Metric::Object {
            name,
            described_object,
            ..
        } => format!(
            "object {name} {}/{}",
            described_object.kind, described_object.name
        ),
    }
}

fn is_kind(kind: &str) -> bool {
    kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric())
        && kind.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::super::test::{each, lint, one};

    #[test]
    fn metric_targets() {
        one(
            "modules: {context: {metrics: [{resource: cpu, utilization: 0}]}}\n",
            "p.yaml:1:60: error[E0501] modules.context.metrics[0].utilization: utilization `0` must be greater than 0",
        );
        one(
            "modules: {context: {metrics: [{pods: mplp_requests_per_second, averageValue: \"0\"}]}}\n",
            "error[E0501] modules.context.metrics[0].averageValue: averageValue `0` must be positive",
        );
    }

    #[test]
    fn loading_reports_the_wrong_shape_of_a_metric() {
        let out = lint("modules: {context: {metrics: [{resource: cpu, value: 60}]}}\n");
        assert!(
            out.iter()
                .any(|d| d.contains("error[E0003] modules.context.metrics[0].value")),
            "{out:#?}"
        );
        // The metric that failed to load does not leave an empty list behind.
        assert!(!out.iter().any(|d| d.contains("E0502")), "{out:#?}");
        let out = lint("modules: {context: {metrics: [{pods: rps, utilization: 50}]}}\n");
        assert!(
            out.iter()
                .any(|d| d.contains("E0005") && d.contains("averageValue")),
            "{out:#?}"
        );
    }

    #[test]
    fn metrics_are_listed_once_and_not_empty() {
        one(
            "modules: {context: {metrics: [{resource: cpu, utilization: 60}, {resource: cpu, utilization: 50}]}}\n",
            "error[E0502] modules.context.metrics[1]: the same metric (resource cpu) is listed twice, first at index `0`",
        );
        one(
            "modules: {context: {metrics: []}}\n",
            "error[E0502] modules.context.metrics: no metrics: an HPA needs at least one",
        );
    }

    #[test]
    fn metric_and_object_names() {
        // The name is also not a source's (W0503, `autoscaling.rs`).
        each(
            "modules: {context: {metrics: [{pods: \"rps per second\", averageValue: \"5\"}]}}\n",
            &[
                "error[E0101] modules.context.metrics[0].pods: `rps per second` is not a metric name",
                "warning[W0503]",
            ],
        );
    }
}

//! How the modules read themselves: replicas, metrics, behavior, VPAs and policy rules.

use crate::diagnostic::Code;
use crate::load::{Cx, Fields, FromNode};
use indexmap::IndexMap;

use crate::node::{Entry, Node, Value};
use crate::profile::{Metric, ObjectTarget, ResourceTarget, Scalar};

/// Keys written the way the scaling guide or a raw HPA writes them.
pub(in crate::profile) const MODULE_HINTS: &[(&str, &str)] = &[
    (
        "minReplicas",
        "write the range as `replicas: {min: N, max: M}`",
    ),
    (
        "maxReplicas",
        "write the range as `replicas: {min: N, max: M}`",
    ),
    (
        "scaleTargetRef",
        "the HPA scales `Deployment/mplp-<module>`; set `deployment: NAME` to scale another Deployment",
    ),
];

pub(in crate::profile) const VPA_HINTS: &[(&str, &str)] = &[
    (
        "updatePolicy",
        "write `updateMode: \"Off\"` directly under `vpa`",
    ),
    (
        "resourcePolicy",
        "write `minAllowed`, `maxAllowed`, `controlledResources` and `controlledValues` directly under `vpa`",
    ),
];

impl Metric {
    /// Without a source, the usual keys are known so the only complaint is the missing source.
    const NO_SOURCE_KEYS: &[&str] = &["utilization", "averageValue", "value", "describedObject"];
}

impl FromNode for Metric {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(map) = &node.value else {
            cx.wrong_type(node, "a metric such as `{resource: cpu, utilization: 70}`");
            return None;
        };
        let sources: Vec<&'static str> = ["resource", "pods", "object"]
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        let mut f = Fields::new(node, cx, "a metric")?;
        let metric = match sources.as_slice() {
            ["resource"] => resource_metric(&mut f, cx, node, map),
            ["pods"] => {
                let name = f.req(cx, "pods", "the metric's name");
                let average_value = f.req(cx, "averageValue", "the per-pod target, e.g. `\"100\"`");
                name.zip(average_value)
                    .map(|(name, average_value)| Metric::Pods {
                        name,
                        average_value,
                    })
            }
            ["object"] => object_metric(&mut f, cx, node, map),
            [] => {
                // Mark the usual keys known so the only complaint is the missing source.
                for key in Metric::NO_SOURCE_KEYS {
                    f.node(key);
                }
                cx.error(
                    Code::MetricTarget,
                    node,
                    "a metric needs a source: `resource: cpu|memory`, `pods: NAME` or `object: NAME`",
                );
                None
            }
            several => {
                for key in several {
                    f.node(key);
                }
                cx.error(
                    Code::MetricTarget,
                    node,
                    format!(
                        "a metric has exactly one source, found {}",
                        several
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                );
                None
            }
        };
        f.finish(cx)?;
        metric
    }
}

/// A resource metric's fields: its name and one target.
fn resource_metric(
    f: &mut Fields<'_>,
    cx: &mut Cx,
    node: &Node,
    map: &IndexMap<String, Entry>,
) -> Option<Metric> {
    let name = f.req(cx, "resource", "`cpu` or `memory`");
    let utilization = f.opt(cx, "utilization");
    let average_value = f.opt(cx, "averageValue");
    let target = match (utilization, average_value) {
        (Some(u), None) => Some(ResourceTarget::Utilization(u)),
        (None, Some(v)) => Some(ResourceTarget::AverageValue(v)),
        (Some(_), Some(_)) => {
            cx.error(
                Code::MetricTarget,
                node,
                "a resource metric takes `utilization` or `averageValue`, not both",
            );
            None
        }
        (None, None) => {
            if !map.contains_key("utilization") && !map.contains_key("averageValue") {
                cx.error(
                        Code::MetricTarget,
                        node,
                        "a resource metric needs a target: `utilization` (percent of the request) or `averageValue`",
                    );
            }
            None
        }
    };
    name.zip(target)
        .map(|(name, target)| Metric::Resource { name, target })
}

/// An object metric's fields: its name, the object it describes and one target.
fn object_metric(
    f: &mut Fields<'_>,
    cx: &mut Cx,
    node: &Node,
    map: &IndexMap<String, Entry>,
) -> Option<Metric> {
    let name = f.req(cx, "object", "the metric's name");
    let described_object = f.req(
        cx,
        "describedObject",
        "the object the metric describes, e.g. `{kind: Service, name: mplp-core-service}`",
    );
    let value = f.opt(cx, "value");
    let average_value = f.opt(cx, "averageValue");
    let target = match (value, average_value) {
        (Some(v), None) => Some(ObjectTarget::Value(v)),
        (None, Some(v)) => Some(ObjectTarget::AverageValue(v)),
        (Some(_), Some(_)) => {
            cx.error(
                Code::MetricTarget,
                node,
                "an object metric takes `value` or `averageValue`, not both",
            );
            None
        }
        (None, None) => {
            if !map.contains_key("value") && !map.contains_key("averageValue") {
                cx.error(
                    Code::MetricTarget,
                    node,
                    "an object metric needs a target: `value` or `averageValue`",
                );
            }
            None
        }
    };
    match (name, described_object, target) {
        (Some(name), Some(described_object), Some(target)) => Some(Metric::Object {
            name,
            described_object,
            target,
        }),
        _ => None,
    }
}

impl FromNode for Scalar {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Int(i, _) => Some(Scalar::Number(i.to_string())),
            Value::Float(x, raw) if x.is_finite() => Some(Scalar::Number(
                if raw
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                {
                    raw.clone()
                } else {
                    x.to_string()
                },
            )),
            Value::Str(s) => Some(Scalar::Text(s.clone())),
            Value::Bool(_, raw) => Some(Scalar::Text(raw.clone())),
            _ => {
                cx.wrong_type(node, "a number or a string");
                None
            }
        }
    }
}

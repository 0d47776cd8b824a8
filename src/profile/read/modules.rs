//! How the modules read themselves: replicas, metrics, behavior, VPAs and policy rules.

use crate::diagnostic::Code;
use crate::load::{Cx, Fields, FromNode};
use crate::node::{Node, Value};
use crate::profile::{Metric, ObjectTarget, ResourceTarget, Scalar};
use crate::quantity::Quantity;

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
            ["resource"] => resource_metric(&mut f, cx, node),
            ["pods"] => {
                let name = f.req(cx, "pods", "the metric's name");
                let average_value = f.req(cx, "averageValue", "the per-pod target, e.g. `\"100\"`");
                name.zip(average_value)
                    .map(|(name, average_value)| Metric::Pods {
                        name,
                        average_value,
                    })
            }
            ["object"] => object_metric(&mut f, cx, node),
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

/// A metric's one target, written under one of two keys (`a` or `b`), each wrapped in
/// its variant of `T`.
struct Targets<A, B, T> {
    a: (&'static str, fn(A) -> T),
    b: (&'static str, fn(B) -> T),
    /// The metric, in messages.
    metric: &'static str,
    /// What a metric without a target needs.
    needs: &'static str,
}

const RESOURCE_TARGETS: Targets<i64, Quantity, ResourceTarget> = Targets {
    a: ("utilization", ResourceTarget::Utilization),
    b: ("averageValue", ResourceTarget::AverageValue),
    metric: "a resource metric",
    needs: "`utilization` (percent of the request) or `averageValue`",
};

const OBJECT_TARGETS: Targets<Quantity, Quantity, ObjectTarget> = Targets {
    a: ("value", ObjectTarget::Value),
    b: ("averageValue", ObjectTarget::AverageValue),
    metric: "an object metric",
    needs: "`value` or `averageValue`",
};

/// The target: E0602 when both keys are written or neither (a target that is written
/// but does not load is reported where it is).
fn one_target<A: FromNode, B: FromNode, T>(
    f: &mut Fields<'_>,
    cx: &mut Cx,
    node: &Node,
    targets: &Targets<A, B, T>,
) -> Option<T> {
    let Targets {
        a: (a, into_a),
        b: (b, into_b),
        metric,
        needs,
    } = targets;
    match (f.opt(cx, a), f.opt(cx, b)) {
        (Some(v), None) => Some(into_a(v)),
        (None, Some(v)) => Some(into_b(v)),
        (Some(_), Some(_)) => {
            let message = format!("{metric} takes `{a}` or `{b}`, not both");
            cx.error(Code::MetricTarget, node, message);
            None
        }
        (None, None) => {
            let written =
                |key: &str| matches!(&node.value, Value::Map(map) if map.contains_key(key));
            if !written(a) && !written(b) {
                cx.error(
                    Code::MetricTarget,
                    node,
                    format!("{metric} needs a target: {needs}"),
                );
            }
            None
        }
    }
}

/// A resource metric's fields: its name and one target.
fn resource_metric(f: &mut Fields<'_>, cx: &mut Cx, node: &Node) -> Option<Metric> {
    let name = f.req(cx, "resource", "`cpu` or `memory`");
    let target = one_target(f, cx, node, &RESOURCE_TARGETS);
    name.zip(target)
        .map(|(name, target)| Metric::Resource { name, target })
}

/// An object metric's fields: its name, the object it describes and one target.
fn object_metric(f: &mut Fields<'_>, cx: &mut Cx, node: &Node) -> Option<Metric> {
    let name = f.req(cx, "object", "the metric's name");
    let described_object = f.req(
        cx,
        "describedObject",
        "the object the metric describes, e.g. `{kind: Service, name: mplp-core-service}`",
    );
    let target = one_target(f, cx, node, &OBJECT_TARGETS);
    match (name, described_object, target) {
        (Some(name), Some(described_object), Some(target)) => Some(Metric::Object {
            name,
            described_object,
            target,
        }),
        _ => None,
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`: a decimal that YAML 1.1 and 1.2 read alike (no
/// leading zero, which 1.1 reads as octal, no exponent, sign or `_`).
fn is_plain_decimal(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(all_digits)
}

impl FromNode for Scalar {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Int(i, _) => Some(Scalar::Number(i.to_string())),
            // The text as written when every YAML reader reads it as this number (`2.50`);
            // else the number (`010` is 8 to a YAML 1.1 reader, `08` a string: written 10, 8).
            Value::Float(x, raw) if x.is_finite() => {
                Some(Scalar::Number(if is_plain_decimal(raw) {
                    raw.clone()
                } else {
                    x.to_string()
                }))
            }
            Value::Str(s) => Some(Scalar::Text(s.clone())),
            Value::Bool(_, raw) => Some(Scalar::Text(raw.clone())),
            _ => {
                cx.wrong_type(node, "a number or a string");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_decimal;

    /// A policy number is written as typed only when YAML 1.1 and 1.2 read it alike.
    #[test]
    fn only_plain_decimals_keep_their_text() {
        for plain in ["0", "10", "2.50", "-1.5", "0.95"] {
            assert!(is_plain_decimal(plain), "{plain}");
        }
        for other in [
            "010", "08", "00.5", "1e3", "+1", ".5", "1.", "1_000", "0x1F", "",
        ] {
            assert!(!is_plain_decimal(other), "{other}");
        }
    }

    /// `threshold: 010` is the number 10 in the profile; the policy document says `10`
    /// (a YAML 1.1 reader takes `010` for 8, and `08` for a string).
    #[test]
    fn octal_looking_policy_numbers_are_written_as_read() {
        let sets =
            ["modules.plan.policy=[{metric: q, threshold: 010, scaleUpFactor: 08}]".to_owned()];
        let checked = crate::commands::check(&[crate::load::Input::Default], &sets).unwrap();
        assert_eq!(checked.errors(), 0, "{:#?}", checked.diagnostics);
        let profile = checked.profile.unwrap();
        let objects = crate::plan::plan(&profile, &crate::plan::Selection::all());
        let renderer = crate::render::Renderer::new().unwrap();
        let policies = (objects.iter())
            .find(|o| o.name.as_ref() == "mplp-scaling-policies")
            .unwrap();
        let mut text = String::new();
        renderer.render(policies, &mut text).unwrap();
        assert!(text.contains("threshold: 10\n"), "{text}");
        assert!(text.contains("scaleUpFactor: 8\n"), "{text}");
        assert!(!text.contains("010") && !text.contains(" 08"), "{text}");
    }
}

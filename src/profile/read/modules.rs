//! How the modules read themselves: replicas, metrics, behavior, VPAs and policy rules.

use super::KnownFields;
use crate::diagnostic::Code;
use crate::load::{Cx, FromNode};
use indexmap::IndexMap;

use crate::node::{Entry, Node, Value};
use crate::profile::{
    Behavior, ControlledValues, Defaults, DescribedObject, Metric, Module, ModuleOverride,
    ObjectTarget, PolicyRule, PolicyType, ResourceTarget, Scalar, ScalingPolicy, ScalingRules,
    SelectPolicy, UpdateMode, Vpa, default,
};

impl SelectPolicy {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, SelectPolicy)] = &[
        ("Max", SelectPolicy::Max),
        ("Min", SelectPolicy::Min),
        ("Disabled", SelectPolicy::Disabled),
    ];
}

impl PolicyType {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, PolicyType)] =
        &[("Pods", PolicyType::Pods), ("Percent", PolicyType::Percent)];
}

impl UpdateMode {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, UpdateMode)] = &[
        ("Off", UpdateMode::Off),
        ("Initial", UpdateMode::Initial),
        ("Recreate", UpdateMode::Recreate),
        ("InPlaceOrRecreate", UpdateMode::InPlaceOrRecreate),
        ("Auto", UpdateMode::Auto),
    ];
}

impl ControlledValues {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, ControlledValues)] = &[
        ("RequestsAndLimits", ControlledValues::RequestsAndLimits),
        ("RequestsOnly", ControlledValues::RequestsOnly),
    ];
}

/// Keys written the way the scaling guide or a raw HPA writes them.
const MODULE_HINTS: &[(&str, &str)] = &[
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

const VPA_HINTS: &[(&str, &str)] = &[
    (
        "updatePolicy",
        "write `updateMode: \"Off\"` directly under `vpa`",
    ),
    (
        "resourcePolicy",
        "write `minAllowed`, `maxAllowed`, `controlledResources` and `controlledValues` directly under `vpa`",
    ),
];

impl Defaults {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["metrics", "behavior", "pdb"];
}

impl FromNode for Defaults {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a map with `metrics`, `behavior` and `pdb`";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let metrics = f.opt(cx, "metrics");
        let behavior = f.opt(cx, "behavior");
        let pdb = f.opt(cx, "pdb");
        f.finish(cx)?;
        Some(Defaults {
            metrics,
            behavior,
            pdb,
        })
    }
}

impl Module {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "deployment",
        "replicas",
        "metrics",
        "behavior",
        "vpa",
        "policy",
        "podLabels",
        "pdb",
        "backend",
    ];
}

impl FromNode for Module {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a module (a map with `replicas`, ...)",
            Self::KEYS,
        )?
        .hints(MODULE_HINTS);
        let deployment = f.opt(cx, "deployment");
        let replicas = f.req(
            cx,
            "replicas",
            "the module's replica range `{min: N, max: M}`",
        );
        let metrics = f.opt(cx, "metrics");
        let behavior = f.opt(cx, "behavior");
        let vpa = f.opt(cx, "vpa");
        let policy = f.opt(cx, "policy");
        let pod_labels = f.opt(cx, "podLabels");
        let pdb = f.opt(cx, "pdb");
        let backend = f.opt_with(cx, "backend", |n, cx| {
            cx.choice(n, crate::profile::Backend::CHOICES)
        });
        f.finish(cx)?;
        Some(Module {
            deployment,
            replicas: replicas?,
            metrics,
            behavior,
            vpa,
            policy: policy.unwrap_or_default(),
            pod_labels,
            pdb,
            backend,
        })
    }
}

impl ModuleOverride {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["replicas", "metrics", "behavior", "vpa", "pdb"];
}

impl FromNode for ModuleOverride {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a module override (a map with `replicas`, `metrics`, `behavior`, `vpa` or `pdb`)",
            Self::KEYS,
        )?
        .hints(MODULE_HINTS);
        let replicas = f.opt(cx, "replicas");
        let metrics = f.opt(cx, "metrics");
        let behavior = f.opt(cx, "behavior");
        let vpa = f.opt(cx, "vpa");
        let pdb = f.opt(cx, "pdb");
        f.finish(cx)?;
        Some(ModuleOverride {
            replicas,
            metrics,
            behavior,
            vpa,
            pdb,
        })
    }
}

impl Metric {
    /// The keys of a resource metric's map (see [`KnownFields`]).
    pub(in crate::profile) const RESOURCE_KEYS: &[&str] =
        &["resource", "utilization", "averageValue"];
    /// The keys of a pods metric's map.
    pub(in crate::profile) const PODS_KEYS: &[&str] = &["pods", "averageValue"];
    /// The keys of an object metric's map.
    pub(in crate::profile) const OBJECT_KEYS: &[&str] =
        &["object", "describedObject", "value", "averageValue"];
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
        let keys = match sources.as_slice() {
            ["resource"] => Metric::RESOURCE_KEYS,
            ["pods"] => Metric::PODS_KEYS,
            ["object"] => Metric::OBJECT_KEYS,
            [] => Metric::NO_SOURCE_KEYS,
            several => several,
        };
        let mut f = KnownFields::new(node, cx, "a metric", keys)?;
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
    f: &mut KnownFields<'_, '_>,
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
    f: &mut KnownFields<'_, '_>,
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

impl DescribedObject {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["apiVersion", "kind", "name"];
}

impl FromNode for DescribedObject {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `kind` and `name` (and `apiVersion`)",
            Self::KEYS,
        )?;
        let api_version = f.opt(cx, "apiVersion");
        let kind = f.req(cx, "kind", "the object's kind, e.g. `Service`");
        let name = f.req(cx, "name", "the object's name");
        f.finish(cx)?;
        Some(DescribedObject {
            api_version: api_version.unwrap_or_else(default::described_api_version),
            kind: kind?,
            name: name?,
        })
    }
}

impl Behavior {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["scaleUp", "scaleDown"];
}

impl FromNode for Behavior {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `scaleUp` and/or `scaleDown`",
            Self::KEYS,
        )?;
        let scale_up = f.opt(cx, "scaleUp");
        let scale_down = f.opt(cx, "scaleDown");
        f.finish(cx)?;
        Some(Behavior {
            scale_up,
            scale_down,
        })
    }
}

impl ScalingRules {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "stabilizationWindowSeconds",
        "selectPolicy",
        "policies",
        "tolerance",
    ];
}

impl FromNode for ScalingRules {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `stabilizationWindowSeconds`, `selectPolicy`, `policies`",
            Self::KEYS,
        )?;
        let stabilization_window_seconds = f.opt(cx, "stabilizationWindowSeconds");
        let select_policy = f.opt_with(cx, "selectPolicy", |n, cx| {
            cx.choice(n, SelectPolicy::CHOICES)
        });
        let policies = f.opt(cx, "policies");
        let tolerance = f.opt(cx, "tolerance");
        f.finish(cx)?;
        Some(ScalingRules {
            stabilization_window_seconds,
            select_policy,
            policies: policies.unwrap_or_default(),
            tolerance,
        })
    }
}

impl ScalingPolicy {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["type", "value", "periodSeconds"];
}

impl FromNode for ScalingPolicy {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a policy `{type: Pods|Percent, value: N, periodSeconds: S}`",
            Self::KEYS,
        )?;
        let kind = f.req_with(cx, "type", "`Pods` or `Percent`", |n, cx| {
            cx.choice(n, PolicyType::CHOICES)
        });
        let value = f.req(cx, "value", "the number of pods or the percentage");
        let period_seconds = f.req(cx, "periodSeconds", "the period in seconds (1 to 1800)");
        f.finish(cx)?;
        Some(ScalingPolicy {
            kind: kind?,
            value: value?,
            period_seconds: period_seconds?,
        })
    }
}

impl Vpa {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "targetRef",
        "containerName",
        "updateMode",
        "minAllowed",
        "maxAllowed",
        "controlledResources",
        "controlledValues",
    ];
}

impl FromNode for Vpa {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a VPA `{updateMode, minAllowed, maxAllowed}`",
            Self::KEYS,
        )?
        .hints(VPA_HINTS);
        let target_ref = f.opt(cx, "targetRef");
        let container_name = f.opt(cx, "containerName");
        let update_mode = f.req_with(
            cx,
            "updateMode",
            "one of `Off`, `Initial`, `Recreate`, `InPlaceOrRecreate`",
            |n, cx| cx.choice(n, UpdateMode::CHOICES),
        );
        let min_allowed = f.opt(cx, "minAllowed");
        let max_allowed = f.opt(cx, "maxAllowed");
        let controlled_resources = f.opt(cx, "controlledResources");
        let controlled_values = f.opt_with(cx, "controlledValues", |n, cx| {
            cx.choice(n, ControlledValues::CHOICES)
        });
        f.finish(cx)?;
        Some(Vpa {
            target_ref,
            container_name,
            update_mode: update_mode?,
            min_allowed: min_allowed.unwrap_or_default(),
            max_allowed: max_allowed.unwrap_or_default(),
            controlled_resources,
            controlled_values,
        })
    }
}

impl PolicyRule {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] =
        &["metric", "threshold", "scaleUpFactor", "scaleDownFactor"];
}

impl FromNode for PolicyRule {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a policy rule `{metric, threshold, scaleUpFactor, scaleDownFactor}`",
            Self::KEYS,
        )?;
        let metric = f.req(cx, "metric", "the metric's name");
        let threshold = f.req(cx, "threshold", "a number or a value such as `200ms`");
        let scale_up_factor = f.opt(cx, "scaleUpFactor");
        let scale_down_factor = f.opt(cx, "scaleDownFactor");
        f.finish(cx)?;
        Some(PolicyRule {
            metric: metric?,
            threshold: threshold?,
            scale_up_factor,
            scale_down_factor,
        })
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

//! How each profile type reads itself from a positioned YAML node.
//!
//! Every field is read with [`Fields`]: a wrong type, a missing required field or an
//! unknown key is a diagnostic at the value's position, and the walk goes on (a failed
//! optional field is left out) so that one run reports every problem.
//!
//! Each type lists the keys of its map once, in `KEYS`, and each enum its strings once,
//! in `CHOICES`: the reader reads those and no others, the unknown-field check accepts
//! exactly those, and `agreement.rs` compares them with the JSON Schema, both ways.

//!
//! The readers are split by area: `platform` (Argo CD, Istio), `modules` (modules,
//! metrics, behavior, VPAs), `database` (CloudNativePG and Redis); this file holds
//! [`KnownFields`], the profile itself, its regions and the shared resource types.

mod autoscaling;
mod database;
mod modules;
mod platform;

use super::{Profile, Region, Replicas, ResourceList, ResourceName, Resources, VERSION};
use crate::diagnostic::Code;
use crate::load::{Cx, Fields, FromNode};
use crate::node::{Node, Value};
use crate::quantity::Quantity;

impl ResourceName {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, ResourceName)] =
        &[("cpu", ResourceName::Cpu), ("memory", ResourceName::Memory)];
}

/// [`Fields`] over a map whose keys are listed up front.
///
/// Reading a key that is not listed is a bug in the reader (a debug assertion), and so is
/// not reading every listed key before `finish` (the readers read every key, present or
/// not). `finish` marks every listed key known, so the unknown-field check accepts
/// exactly the list, whatever the reader did.
struct KnownFields<'a, 'k> {
    fields: Fields<'a>,
    keys: &'k [&'static str],
    read: Vec<&'static str>,
}

impl<'a, 'k> KnownFields<'a, 'k> {
    fn new(node: &'a Node, cx: &mut Cx, what: &str, keys: &'k [&'static str]) -> Option<Self> {
        Some(Self {
            fields: Fields::new(node, cx, what)?,
            keys,
            read: Vec::new(),
        })
    }

    fn hints(mut self, hints: &'static [(&'static str, &'static str)]) -> Self {
        self.fields = self.fields.hints(hints);
        self
    }

    fn reading(&mut self, key: &'static str) {
        debug_assert!(
            self.keys.contains(&key),
            "`{key}` is not in {:?}",
            self.keys
        );
        self.read.push(key);
    }

    /// See [`Fields::claim`]: a key that is not part of the format.
    fn claim(&mut self, key: &'static str) -> Option<&'a Node> {
        debug_assert!(!self.keys.contains(&key), "`{key}` is in {:?}", self.keys);
        self.fields.claim(key)
    }

    fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.reading(key);
        self.fields.node(key)
    }

    fn opt<T: FromNode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<T> {
        self.reading(key);
        self.fields.opt(cx, key)
    }

    fn opt_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        self.reading(key);
        self.fields.opt_with(cx, key, f)
    }

    fn req<T: FromNode>(&mut self, cx: &mut Cx, key: &'static str, what: &str) -> Option<T> {
        self.reading(key);
        self.fields.req(cx, key, what)
    }

    fn req_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        self.reading(key);
        self.fields.req_with(cx, key, what, f)
    }

    /// See [`Fields::finish`]; the unknown-field check accepts exactly the listed keys.
    fn finish(mut self, cx: &mut Cx) -> Option<()> {
        for key in self.keys {
            debug_assert!(self.read.contains(key), "`{key}` is listed but not read");
            self.fields.node(key);
        }
        self.fields.finish(cx)
    }
}

impl Profile {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "version",
        "name",
        "namespace",
        "namespaceLabels",
        "platform",
        "traffic",
        "regions",
        "defaults",
        "modules",
        "postgres",
        "redis",
        "metrics",
        "metricsAdapter",
        "autoscaling",
        "podLabels",
    ];
}

impl FromNode for Profile {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a profile (a map with `version`, `name`, `regions`, `modules`, ...)",
            Self::KEYS,
        )?;
        let version = f.req_with(
            cx,
            "version",
            "the profile format version `1`",
            |node, cx| {
                let v = i64::from_node(node, cx)?;
                if v == VERSION {
                    Some(v)
                } else {
                    cx.error(
                        Code::UnsupportedVersion,
                        node,
                        format!(
                            "unsupported profile version `{v}`: this tool reads version `{VERSION}`"
                        ),
                    );
                    None
                }
            },
        );
        let name = f.req(cx, "name", "the profile's name");
        let namespace = f.req(cx, "namespace", "the namespace of the regional objects");
        let namespace_labels = f.opt(cx, "namespaceLabels");
        let platform = f.req(cx, "platform", "the Argo CD Application's source");
        let traffic = f.req(cx, "traffic", "the Istio VirtualService settings");
        let regions = f.req(cx, "regions", "a map of regions");
        let defaults = f.opt(cx, "defaults");
        let modules = f.req(cx, "modules", "a map of modules");
        let postgres = f.opt(cx, "postgres");
        let redis = f.opt(cx, "redis");
        let metrics = f.opt(cx, "metrics");
        let metrics_adapter = f.opt(cx, "metricsAdapter");
        let autoscaling = f.opt(cx, "autoscaling");
        let pod_labels = f.opt(cx, "podLabels");
        f.finish(cx)?;
        Some(Profile {
            version: version?,
            name: name?,
            namespace: namespace?,
            namespace_labels: namespace_labels.unwrap_or_default(),
            platform: platform?,
            traffic: traffic?,
            regions: regions?,
            defaults: defaults.unwrap_or_default(),
            modules: modules?,
            postgres,
            redis,
            metrics: metrics.unwrap_or_default(),
            metrics_adapter: metrics_adapter.unwrap_or_default(),
            autoscaling: autoscaling.unwrap_or_default(),
            pod_labels,
        })
    }
}

impl Region {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "cluster",
        "meshClusterID",
        "locality",
        "primary",
        "weight",
        "replicas",
        "resources",
        "postgres",
        "modules",
    ];
}

impl FromNode for Region {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a region (a map with `weight`, ...)", Self::KEYS)?;
        let cluster = f.opt(cx, "cluster");
        let mesh_cluster_id = f.opt(cx, "meshClusterID");
        let locality = f.opt(cx, "locality");
        let primary = f.opt(cx, "primary");
        let weight = f.req(cx, "weight", "the region's traffic weight, an integer");
        let replicas = f.opt(cx, "replicas");
        let resources = f.opt(cx, "resources");
        let postgres = f.opt(cx, "postgres");
        let modules = f.opt(cx, "modules");
        f.finish(cx)?;
        Some(Region {
            cluster,
            mesh_cluster_id,
            locality,
            primary: primary.unwrap_or_default(),
            weight: weight?,
            replicas,
            resources,
            postgres,
            modules: modules.unwrap_or_default(),
        })
    }
}

impl Replicas {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["min", "max"];
}

impl FromNode for Replicas {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a replica range `{min: N, max: M}`", Self::KEYS)?;
        let min = f.req(cx, "min", "the minimum replica count");
        let max = f.req(cx, "max", "the maximum replica count");
        f.finish(cx)?;
        Some(Replicas {
            min: min?,
            max: max?,
        })
    }
}

impl FromNode for Quantity {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Str(s) => s.as_str(),
            Value::Int(_, raw) | Value::Float(_, raw) => raw.as_str(),
            _ => {
                cx.wrong_type(node, "a quantity such as `500m`, `2Gi` or `100`");
                return None;
            }
        };
        match Quantity::parse(text) {
            Ok(q) => Some(q),
            Err(message) => {
                cx.error(
                    Code::InvalidQuantity,
                    node,
                    format!("invalid quantity: {message}"),
                );
                None
            }
        }
    }
}

impl Resources {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["requests", "limits"];
}

impl FromNode for Resources {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `requests` and `limits`", Self::KEYS)?;
        let requests = f.opt(cx, "requests");
        let limits = f.opt(cx, "limits");
        f.finish(cx)?;
        Some(Resources {
            requests: requests.unwrap_or_default(),
            limits: limits.unwrap_or_default(),
        })
    }
}

impl ResourceList {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["cpu", "memory"];
}

impl FromNode for ResourceList {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `cpu` and `memory`", Self::KEYS)?;
        let cpu = f.opt(cx, "cpu");
        let memory = f.opt(cx, "memory");
        f.finish(cx)?;
        Some(ResourceList { cpu, memory })
    }
}

impl FromNode for ResourceName {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        cx.choice(node, ResourceName::CHOICES)
    }
}

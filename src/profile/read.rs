//! How each profile type reads itself from a positioned YAML node.
//!
//! Every field is read with [`Fields`]: a wrong type, a missing required field or an
//! unknown key is a diagnostic at the value's position, and the walk goes on (a failed
//! optional field is left out) so that one run reports every problem.
//!
//! Each type lists the keys of its map once, in `KEYS`, and each enum its strings once,
//! in `CHOICES`: the reader reads those and no others, the unknown-field check accepts
//! exactly those, and `agreement.rs` compares them with the JSON Schema, both ways.

mod autoscaling;

use indexmap::IndexMap;

use super::default;
use super::{
    ArgoCd, Backup, Behavior, ControlledValues, Defaults, Delivery, DescribedObject, Exporter,
    Ingress, IstioVersion, ManifestSource, Manifests, Metric, Module, ModuleOverride, Network,
    ObjectTarget, Platform, PodSecurityContext, PolicyRule, PolicyType, Postgres, Profile, Redis,
    Region, RegionPostgres, Replicas, ResourceList, ResourceName, ResourceTarget, Resources,
    Scalar, ScalingPolicy, ScalingRules, SelectPolicy, Storage, Traffic, TrafficMode, UpdateMode,
    VERSION, ValuesFormat, Vpa,
};
use crate::diagnostic::Code;
use crate::load::{Cx, Fields, FromNode};
use crate::node::{Entry, Node, Value};
use crate::quantity::Quantity;

impl Delivery {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, Delivery)] = &[
        ("applicationSet", Delivery::ApplicationSet),
        ("application", Delivery::Application),
    ];
}

impl ManifestSource {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, ManifestSource)] = &[
        ("rendered", ManifestSource::Rendered),
        ("plugin", ManifestSource::Plugin),
    ];
}

impl TrafficMode {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, TrafficMode)] = &[
        ("weighted", TrafficMode::Weighted),
        ("localFirst", TrafficMode::LocalFirst),
    ];
}

impl Manifests {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["repoURL", "targetRevision", "path", "source", "profile"];
}

impl FromNode for Manifests {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = Manifests::default();
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `repoURL`, `path`, `source`, ...",
            Self::KEYS,
        )?;
        let repo_url = f.opt(cx, "repoURL");
        let target_revision = f.opt(cx, "targetRevision");
        let path = f.opt(cx, "path");
        let source = f.opt_with(cx, "source", |n, cx| cx.choice(n, ManifestSource::CHOICES));
        let profile = f.opt(cx, "profile");
        f.finish(cx)?;
        Some(Manifests {
            repo_url,
            target_revision,
            path: path.unwrap_or(d.path),
            source: source.unwrap_or(d.source),
            profile: profile.unwrap_or(d.profile),
        })
    }
}

impl Ingress {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["selector", "credentialName"];
}

impl FromNode for Ingress {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = Ingress::default();
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `selector`, `credentialName`",
            Self::KEYS,
        )?;
        let selector = f.opt(cx, "selector");
        let credential_name = f.opt(cx, "credentialName");
        f.finish(cx)?;
        Some(Ingress {
            selector: selector.unwrap_or(d.selector),
            credential_name,
        })
    }
}

impl ValuesFormat {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, ValuesFormat)] = &[
        ("object", ValuesFormat::Object),
        ("string", ValuesFormat::String),
    ];
}

impl IstioVersion {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, IstioVersion)] = &[
        ("networking.istio.io/v1", IstioVersion::V1),
        ("networking.istio.io/v1beta1", IstioVersion::V1beta1),
    ];
}

impl ResourceName {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, ResourceName)] =
        &[("cpu", ResourceName::Cpu), ("memory", ResourceName::Memory)];
}

impl SelectPolicy {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, SelectPolicy)] = &[
        ("Max", SelectPolicy::Max),
        ("Min", SelectPolicy::Min),
        ("Disabled", SelectPolicy::Disabled),
    ];
}

impl PolicyType {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, PolicyType)] =
        &[("Pods", PolicyType::Pods), ("Percent", PolicyType::Percent)];
}

impl UpdateMode {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, UpdateMode)] = &[
        ("Off", UpdateMode::Off),
        ("Initial", UpdateMode::Initial),
        ("Recreate", UpdateMode::Recreate),
        ("InPlaceOrRecreate", UpdateMode::InPlaceOrRecreate),
        ("Auto", UpdateMode::Auto),
    ];
}

impl ControlledValues {
    /// The strings this enum is written as (see the module docs).
    pub(super) const CHOICES: &[(&str, ControlledValues)] = &[
        ("RequestsAndLimits", ControlledValues::RequestsAndLimits),
        ("RequestsOnly", ControlledValues::RequestsOnly),
    ];
}

/// [`Fields`] over a map whose keys are listed up front.
///
/// Reading a key that is not listed is a bug in this file (a debug assertion), and so is
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

/// What the scaling guide's CNPG manifest has that the real API does not.
const POSTGRES_HINTS: &[(&str, &str)] = &[
    (
        "monitoring",
        "CloudNativePG has no `monitoring.enabled` (and `enablePodMonitor` is deprecated): create a PodMonitor yourself",
    ),
    (
        "barmanObjectStore",
        "in-tree `barmanObjectStore` is deprecated and removed in CloudNativePG 1.31: describe backups under `backup` (rendered as a Barman Cloud plugin ObjectStore)",
    ),
    (
        "retentionPolicy",
        "write the retention as `backup.retention: 30d` (it goes to the primary's ObjectStore)",
    ),
    (
        "postgresql",
        "write the parameters directly as `parameters:`",
    ),
];

const BACKUP_HINTS: &[(&str, &str)] = &[
    (
        "wal",
        "CloudNativePG has no `wal.retention`: one `backup.retention` covers base backups and WAL",
    ),
    (
        "data",
        "CloudNativePG has no `data.retention`: one `backup.retention` covers base backups and WAL",
    ),
    ("retentionPolicy", "write it as `retention: 30d`"),
    (
        "barmanObjectStore",
        "write `destinationPath` and `credentialsSecret` directly under `backup`",
    ),
];

/// What the scaling guide's v1beta1 `RedisCluster` has that v1beta2 and this profile spell otherwise.
const REDIS_HINTS: &[(&str, &str)] = &[
    (
        "securityContext",
        "the v1beta2 field is `podSecurityContext`",
    ),
    (
        "redisConfig",
        "write redis.conf settings under `config:` (rendered into a ConfigMap for `redisConfig.additionalRedisConfig`)",
    ),
    (
        "redisExporter",
        "write it as `exporter: {enabled: true, image: …}`",
    ),
    ("clusterVersion", "write it as `version: v7`"),
    ("persistenceEnabled", "write it as `persistence: true`"),
    (
        "kubernetesConfig",
        "write `image` and `resources` directly under `redis`",
    ),
];

impl Profile {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "version",
        "name",
        "namespace",
        "platform",
        "traffic",
        "regions",
        "defaults",
        "modules",
        "postgres",
        "redis",
        "metrics",
        "metricsAdapter",
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
        let platform = f.req(cx, "platform", "the Argo CD Application's source");
        let traffic = f.req(cx, "traffic", "the Istio VirtualService settings");
        let regions = f.req(cx, "regions", "a map of regions");
        let defaults = f.opt(cx, "defaults");
        let modules = f.req(cx, "modules", "a map of modules");
        let postgres = f.opt(cx, "postgres");
        let redis = f.opt(cx, "redis");
        let metrics = f.opt(cx, "metrics");
        let metrics_adapter = f.opt(cx, "metricsAdapter");
        let pod_labels = f.opt(cx, "podLabels");
        f.finish(cx)?;
        Some(Profile {
            version: version?,
            name: name?,
            namespace: namespace?,
            platform: platform?,
            traffic: traffic?,
            regions: regions?,
            defaults: defaults.unwrap_or_default(),
            modules: modules?,
            postgres,
            redis,
            metrics: metrics.unwrap_or_default(),
            metrics_adapter: metrics_adapter.unwrap_or_default(),
            pod_labels,
        })
    }
}

impl Platform {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "repoURL",
        "path",
        "targetRevision",
        "argocd",
        "delivery",
        "manifests",
        "network",
    ];
}

impl FromNode for Platform {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `repoURL`, `path`, ...", Self::KEYS)?;
        let repo_url = f.req(cx, "repoURL", "the chart repository URL");
        let path = f.req(cx, "path", "the chart's path in the repository");
        let target_revision = f.opt(cx, "targetRevision");
        let argocd = f.opt(cx, "argocd");
        let delivery = f.opt_with(cx, "delivery", |n, cx| cx.choice(n, Delivery::CHOICES));
        let manifests = f.opt(cx, "manifests");
        let network = f.opt(cx, "network");
        f.finish(cx)?;
        Some(Platform {
            repo_url: repo_url?,
            path: path?,
            target_revision: target_revision.unwrap_or_else(default::target_revision),
            argocd: argocd.unwrap_or_default(),
            delivery: delivery.unwrap_or_default(),
            manifests: manifests.unwrap_or_default(),
            network,
        })
    }
}

impl ArgoCd {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "namespace",
        "project",
        "server",
        "prune",
        "selfHeal",
        "valuesFormat",
    ];
}

impl FromNode for ArgoCd {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = ArgoCd::default();
        let mut f = KnownFields::new(node, cx, "a map of Argo CD settings", Self::KEYS)?;
        let namespace = f.opt(cx, "namespace");
        let project = f.opt(cx, "project");
        let server = f.opt(cx, "server");
        let prune = f.opt(cx, "prune");
        let self_heal = f.opt(cx, "selfHeal");
        let values_format = f.opt_with(cx, "valuesFormat", |n, cx| {
            cx.choice(n, ValuesFormat::CHOICES)
        });
        f.finish(cx)?;
        Some(ArgoCd {
            namespace: namespace.unwrap_or(d.namespace),
            project: project.unwrap_or(d.project),
            server: server.unwrap_or(d.server),
            prune: prune.unwrap_or(d.prune),
            self_heal: self_heal.unwrap_or(d.self_heal),
            values_format: values_format.unwrap_or(d.values_format),
        })
    }
}

impl Network {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "crossRegionLatency",
        "replicationFactor",
        "consistencyLevel",
    ];
}

impl FromNode for Network {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `crossRegionLatency`, `replicationFactor`, `consistencyLevel`",
            Self::KEYS,
        )?;
        let cross_region_latency = f.req(cx, "crossRegionLatency", "a duration such as `100ms`");
        let replication_factor = f.req(cx, "replicationFactor", "an integer");
        let consistency_level = f.req(
            cx,
            "consistencyLevel",
            "a consistency level such as `eventual`",
        );
        f.finish(cx)?;
        Some(Network {
            cross_region_latency: cross_region_latency?,
            replication_factor: replication_factor?,
            consistency_level: consistency_level?,
        })
    }
}

impl Traffic {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "host",
        "gateway",
        "regionHeader",
        "service",
        "port",
        "apiVersion",
        "mode",
        "ingress",
    ];
}

impl FromNode for Traffic {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `host`, `service`, ...", Self::KEYS)?;
        let host = f.req(cx, "host", "the public host name");
        let gateway = f.opt(cx, "gateway");
        let region_header = f.opt(cx, "regionHeader");
        let service = f.req(cx, "service", "the core service's name");
        let port = f.opt(cx, "port");
        let api_version = f.opt_with(cx, "apiVersion", |n, cx| {
            cx.choice(n, IstioVersion::CHOICES)
        });
        let mode = f.opt_with(cx, "mode", |n, cx| cx.choice(n, TrafficMode::CHOICES));
        let ingress = f.opt(cx, "ingress");
        f.finish(cx)?;
        Some(Traffic {
            host: host?,
            gateway,
            region_header: region_header.unwrap_or_else(default::region_header),
            service: service?,
            port: port.unwrap_or_else(default::port),
            api_version: api_version.unwrap_or_default(),
            mode: mode.unwrap_or_default(),
            ingress: ingress.unwrap_or_default(),
        })
    }
}

impl Region {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "cluster",
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
        let primary = f.opt(cx, "primary");
        let weight = f.req(cx, "weight", "the region's traffic weight, an integer");
        let replicas = f.opt(cx, "replicas");
        let resources = f.opt(cx, "resources");
        let postgres = f.opt(cx, "postgres");
        let modules = f.opt(cx, "modules");
        f.finish(cx)?;
        Some(Region {
            cluster,
            primary: primary.unwrap_or_default(),
            weight: weight?,
            replicas,
            resources,
            postgres,
            modules: modules.unwrap_or_default(),
        })
    }
}

impl RegionPostgres {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["instances"];
}

impl FromNode for RegionPostgres {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `instances`", Self::KEYS)?;
        let instances = f.opt(cx, "instances");
        f.finish(cx)?;
        Some(RegionPostgres { instances })
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

impl Defaults {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["metrics", "behavior", "pdb"];
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
    pub(super) const KEYS: &[&str] = &[
        "deployment",
        "replicas",
        "metrics",
        "behavior",
        "vpa",
        "policy",
        "podLabels",
        "pdb",
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
        })
    }
}

impl ModuleOverride {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["replicas", "metrics", "behavior", "vpa", "pdb"];
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
    pub(super) const RESOURCE_KEYS: &[&str] = &["resource", "utilization", "averageValue"];
    /// The keys of a pods metric's map.
    pub(super) const PODS_KEYS: &[&str] = &["pods", "averageValue"];
    /// The keys of an object metric's map.
    pub(super) const OBJECT_KEYS: &[&str] = &["object", "describedObject", "value", "averageValue"];
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
    pub(super) const KEYS: &[&str] = &["apiVersion", "kind", "name"];
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
    pub(super) const KEYS: &[&str] = &["scaleUp", "scaleDown"];
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
    pub(super) const KEYS: &[&str] = &["stabilizationWindowSeconds", "selectPolicy", "policies"];
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
        f.finish(cx)?;
        Some(ScalingRules {
            stabilization_window_seconds,
            select_policy,
            policies: policies.unwrap_or_default(),
        })
    }
}

impl ScalingPolicy {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["type", "value", "periodSeconds"];
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
    pub(super) const KEYS: &[&str] = &[
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
    pub(super) const KEYS: &[&str] = &["metric", "threshold", "scaleUpFactor", "scaleDownFactor"];
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

impl Postgres {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "name",
        "instances",
        "imageName",
        "parameters",
        "resources",
        "storage",
        "backup",
        "vpa",
    ];
}

impl FromNode for Postgres {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map of CloudNativePG settings", Self::KEYS)?
            .hints(POSTGRES_HINTS);
        let name = f.opt(cx, "name");
        let instances = f.opt(cx, "instances");
        let image_name = f.opt(cx, "imageName");
        let parameters = f.opt(cx, "parameters");
        let resources = f.opt(cx, "resources");
        let storage = f.req(cx, "storage", "the volume size `{size: 100Gi}`");
        let backup = f.opt(cx, "backup");
        let vpa = f.opt(cx, "vpa");
        f.finish(cx)?;
        Some(Postgres {
            name: name.unwrap_or_else(default::postgres_name),
            instances: instances.unwrap_or_else(default::postgres_instances),
            image_name,
            parameters: parameters.unwrap_or_default(),
            resources,
            storage: storage?,
            backup,
            vpa,
        })
    }
}

impl Storage {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["size", "storageClass"];
}

impl FromNode for Storage {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `size` and `storageClass`", Self::KEYS)?;
        let size = f.req(cx, "size", "the volume size, e.g. `100Gi`");
        let storage_class = f.opt(cx, "storageClass");
        f.finish(cx)?;
        Some(Storage {
            size: size?,
            storage_class,
        })
    }
}

/// Keys that would put key material into a profile: refused with a pointer to Secrets.
const SECRET_KEYS: &[&str] = &[
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "password",
    "secret",
    "key",
    "token",
    "credentials",
    "s3Credentials",
    "connectionString",
    "storageKey",
    "storageSasToken",
    "applicationCredentials",
];

/// Whether a node holds only Secret references (`{name: …, key: …}`), no key material.
fn references_only(node: &Node) -> bool {
    let Value::Map(map) = &node.value else {
        return false;
    };
    let is_ref = !map.is_empty()
        && map.keys().all(|k| k == "name" || k == "key")
        && map.values().all(|e| matches!(e.node.value, Value::Str(_)));
    is_ref || (!map.is_empty() && map.values().all(|e| references_only(&e.node)))
}

impl Backup {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "destinationPath",
        "endpointURL",
        "credentialsSecret",
        "accessKeyIdKey",
        "secretAccessKeyKey",
        "retention",
    ];
}

impl FromNode for Backup {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `destinationPath` and `credentialsSecret`",
            Self::KEYS,
        )?
        .hints(BACKUP_HINTS);
        let mut inline = false;
        for key in SECRET_KEYS {
            let Some(value) = f.claim(key) else { continue };
            inline = true;
            cx.within(crate::diagnostic::Seg::Key((*key).to_owned()), |cx| {
                if references_only(value) {
                    // The scaling guide's `s3Credentials: {accessKeyId: {name, key}}`: no
                    // secret material, just another spelling of the reference.
                    let d = cx.diagnostic(
                        Code::UnknownField,
                        value,
                        format!("unknown field `{key}`: the Secret is referenced with `credentialsSecret`"),
                    )
                    .help("write `credentialsSecret: NAME` (and `accessKeyIdKey`/`secretAccessKeyKey` when the Secret's keys are not `ACCESS_KEY_ID`/`SECRET_ACCESS_KEY`)");
                    cx.push(d);
                } else {
                    let d = cx.diagnostic(
                        Code::InlineSecret,
                        value,
                        format!("`{key}` puts credentials into the profile: backups only take a reference to a Secret"),
                    )
                    .help(
                        "create the Secret with `kubectl create secret generic backup-credentials --from-literal=ACCESS_KEY_ID=… --from-literal=SECRET_ACCESS_KEY=…` and set `credentialsSecret: backup-credentials` (and `accessKeyIdKey`/`secretAccessKeyKey` if its keys differ)",
                    );
                    cx.push(d);
                }
            });
        }
        let destination_path = f.req(
            cx,
            "destinationPath",
            "the object store URL, e.g. `s3://bucket/path`",
        );
        let endpoint_url = f.opt(cx, "endpointURL");
        let credentials_secret = f.req(
            cx,
            "credentialsSecret",
            "the name of the Secret holding the object store credentials",
        );
        let access_key_id_key = f.opt(cx, "accessKeyIdKey");
        let secret_access_key_key = f.opt(cx, "secretAccessKeyKey");
        let retention = f.opt(cx, "retention");
        f.finish(cx)?;
        if inline {
            return None;
        }
        Some(Backup {
            destination_path: destination_path?,
            endpoint_url,
            credentials_secret: credentials_secret?,
            access_key_id_key: access_key_id_key.unwrap_or_else(default::access_key_id_key),
            secret_access_key_key: secret_access_key_key
                .unwrap_or_else(default::secret_access_key_key),
            retention,
        })
    }
}

impl Redis {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &[
        "apiVersion",
        "name",
        "clusterSize",
        "version",
        "image",
        "persistence",
        "exporter",
        "resources",
        "storage",
        "podSecurityContext",
        "config",
    ];
}

impl FromNode for Redis {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map of RedisCluster settings", Self::KEYS)?
            .hints(REDIS_HINTS);
        let api_version = f.opt(cx, "apiVersion");
        let name = f.opt(cx, "name");
        let cluster_size = f.opt(cx, "clusterSize");
        let version = f.opt(cx, "version");
        let image = f.req(
            cx,
            "image",
            "the Redis image, pinned to a tag, e.g. `quay.io/opstree/redis:v7.0.15`",
        );
        let persistence = f.opt(cx, "persistence");
        let exporter = f.opt(cx, "exporter");
        let resources = f.opt(cx, "resources");
        let storage = f.req(cx, "storage", "the volume size `{size: 20Gi}`");
        let pod_security_context = f.opt(cx, "podSecurityContext");
        let config = f.opt(cx, "config");
        // A missing image is reported above; go on so the other Redis rules still run.
        let _ = f.finish(cx);
        Some(Redis {
            api_version,
            name: name.unwrap_or_else(default::redis_name),
            cluster_size: cluster_size.unwrap_or_else(default::redis_cluster_size),
            version: version.unwrap_or_else(default::redis_version),
            // Reported when missing; the rest of the Redis settings are still checked.
            image: image.unwrap_or_default(),
            persistence: persistence.unwrap_or_else(default::redis_persistence),
            exporter,
            resources,
            storage: storage?,
            pod_security_context,
            config: config.unwrap_or_default(),
        })
    }
}

impl Exporter {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["enabled", "image"];
}

impl FromNode for Exporter {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `enabled` and `image`", Self::KEYS)?;
        let enabled = f.opt(cx, "enabled");
        let image = f.req(cx, "image", "the exporter image, pinned to a tag");
        f.finish(cx)?;
        Some(Exporter {
            enabled: enabled.unwrap_or_else(default::exporter_enabled),
            image: image?,
        })
    }
}

impl PodSecurityContext {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(super) const KEYS: &[&str] = &["runAsUser", "runAsGroup", "fsGroup"];
}

impl FromNode for PodSecurityContext {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `runAsUser`, `runAsGroup`, `fsGroup`",
            Self::KEYS,
        )?;
        let run_as_user = f.opt(cx, "runAsUser");
        let run_as_group = f.opt(cx, "runAsGroup");
        let fs_group = f.opt(cx, "fsGroup");
        f.finish(cx)?;
        Some(PodSecurityContext {
            run_as_user,
            run_as_group,
            fs_group,
        })
    }
}

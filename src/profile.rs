//! The typed topology profile, in the profile's own words.
//!
//! Each type reads itself from a positioned YAML node ([`FromNode`]): a wrong type,
//! a missing field or an unknown key becomes a diagnostic and the walk goes on.
//! The types hold what the user wrote (quantities keep their text); effective
//! values (defaults filled in, region overrides applied) are computed by `plan`,
//! and cross-field rules live in `validate`.

use indexmap::IndexMap;

use crate::diagnostic::Code;
use crate::load::{Cx, Fields, FromNode};
use crate::node::{Node, Value};
use crate::quantity::Quantity;

/// The only profile format version this tool reads.
pub const VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub version: i64,
    pub name: String,
    /// Namespace of every regional object (and of the `VirtualService`).
    pub namespace: String,
    pub platform: Platform,
    pub traffic: Traffic,
    /// In the profile's order: the first region's objects come first.
    pub regions: IndexMap<String, Region>,
    pub defaults: Defaults,
    pub modules: IndexMap<String, Module>,
    pub postgres: Option<Postgres>,
    pub redis: Option<Redis>,
}

/// What the Argo CD Application deploys, and the values it passes to the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    pub argocd: ArgoCd,
    pub network: Option<Network>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArgoCd {
    pub namespace: String,
    pub project: String,
    pub server: String,
    pub prune: bool,
    pub self_heal: bool,
    pub values_format: ValuesFormat,
}

/// How the Helm values reach Argo CD: a structured `valuesObject` or a `values` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuesFormat {
    Object,
    String,
}

/// The seed's `network.multiRegion` values, passed through to the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub cross_region_latency: String,
    pub replication_factor: i64,
    pub consistency_level: String,
}

/// The global Istio `VirtualService`.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub host: String,
    pub gateway: Option<String>,
    pub region_header: String,
    /// Each region's destination is `<service>.<region>.svc.cluster.local`.
    pub service: String,
    pub port: i64,
    pub api_version: IstioVersion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IstioVersion {
    V1,
    V1beta1,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub primary: bool,
    pub weight: i64,
    /// The region's core range: overrides `modules.core.replicas` in this region.
    pub replicas: Option<Replicas>,
    /// Pod resources of the region's core, passed to the chart.
    pub resources: Option<Resources>,
    pub postgres: Option<RegionPostgres>,
    /// Per-module overrides in this region.
    pub modules: IndexMap<String, ModuleOverride>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegionPostgres {
    pub instances: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replicas {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources {
    pub requests: ResourceList,
    pub limits: ResourceList,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceList {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
}

impl ResourceList {
    /// The quantities given, as (resource name, quantity), cpu first.
    #[must_use]
    pub fn entries(&self) -> Vec<(ResourceName, &Quantity)> {
        let mut out = Vec::new();
        if let Some(q) = &self.cpu {
            out.push((ResourceName::Cpu, q));
        }
        if let Some(q) = &self.memory {
            out.push((ResourceName::Memory, q));
        }
        out
    }

    #[must_use]
    pub fn get(&self, name: ResourceName) -> Option<&Quantity> {
        match name {
            ResourceName::Cpu => self.cpu.as_ref(),
            ResourceName::Memory => self.memory.as_ref(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceName {
    Cpu,
    Memory,
}

impl ResourceName {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceName::Cpu => "cpu",
            ResourceName::Memory => "memory",
        }
    }
}

/// Applied to every module that does not say otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Defaults {
    pub metrics: Option<Vec<Metric>>,
    pub behavior: Option<Behavior>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The Deployment the module's HPA scales; `mplp-<module>` when not given.
    pub deployment: Option<String>,
    pub replicas: Replicas,
    pub metrics: Option<Vec<Metric>>,
    pub behavior: Option<Behavior>,
    pub vpa: Option<Vpa>,
    /// The seed's scaling-policy document entries for this module.
    pub policy: Vec<PolicyRule>,
}

/// What a region may change about a module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModuleOverride {
    pub replicas: Option<Replicas>,
    pub metrics: Option<Vec<Metric>>,
    pub behavior: Option<Behavior>,
    pub vpa: Option<Vpa>,
}

/// One HPA metric, written the short way:
/// `{resource: cpu, utilization: 70}`, `{pods: NAME, averageValue: "100"}`,
/// `{object: NAME, describedObject: {kind: Service, name: X}, value: "100"}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    Resource {
        name: ResourceName,
        target: ResourceTarget,
    },
    Pods {
        name: String,
        average_value: Quantity,
    },
    Object {
        name: String,
        described_object: DescribedObject,
        target: ObjectTarget,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResourceTarget {
    Utilization(i64),
    AverageValue(Quantity),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectTarget {
    Value(Quantity),
    AverageValue(Quantity),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DescribedObject {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Behavior {
    pub scale_up: Option<ScalingRules>,
    pub scale_down: Option<ScalingRules>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window_seconds: Option<i64>,
    pub select_policy: Option<SelectPolicy>,
    pub policies: Vec<ScalingPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

impl SelectPolicy {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SelectPolicy::Max => "Max",
            SelectPolicy::Min => "Min",
            SelectPolicy::Disabled => "Disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScalingPolicy {
    pub kind: PolicyType,
    pub value: i64,
    pub period_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyType {
    Pods,
    Percent,
}

impl PolicyType {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Pods => "Pods",
            PolicyType::Percent => "Percent",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vpa {
    /// Only to check a target written the scaling guide's way: it must be the workload
    /// mplp-scale targets (the module's Deployment, or the CNPG `Cluster`).
    pub target_ref: Option<DescribedObject>,
    /// The container the policy is for; it must be the workload's container.
    pub container_name: Option<String>,
    pub update_mode: UpdateMode,
    pub min_allowed: ResourceList,
    pub max_allowed: ResourceList,
    pub controlled_resources: Option<Vec<ResourceName>>,
    pub controlled_values: Option<ControlledValues>,
}

impl Vpa {
    /// The resources this VPA controls (both when not limited).
    #[must_use]
    pub fn controlled(&self) -> Vec<ResourceName> {
        self.controlled_resources
            .clone()
            .unwrap_or_else(|| vec![ResourceName::Cpu, ResourceName::Memory])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    Off,
    Initial,
    Recreate,
    InPlaceOrRecreate,
    /// Deprecated since VPA 1.5.
    Auto,
}

impl UpdateMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateMode::Off => "Off",
            UpdateMode::Initial => "Initial",
            UpdateMode::Recreate => "Recreate",
            UpdateMode::InPlaceOrRecreate => "InPlaceOrRecreate",
            UpdateMode::Auto => "Auto",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlledValues {
    RequestsAndLimits,
    RequestsOnly,
}

impl ControlledValues {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ControlledValues::RequestsAndLimits => "RequestsAndLimits",
            ControlledValues::RequestsOnly => "RequestsOnly",
        }
    }
}

/// One entry of the seed's scaling-policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRule {
    pub metric: String,
    pub threshold: Scalar,
    pub scale_up_factor: Option<Scalar>,
    pub scale_down_factor: Option<Scalar>,
}

/// A number or a string, kept as the user wrote it (`50`, `0.95`, `200ms`).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Number(String),
    Text(String),
}

/// `CloudNativePG`: one `Cluster` per region, the primary in the primary region.
#[derive(Debug, Clone, PartialEq)]
pub struct Postgres {
    pub name: String,
    pub instances: i64,
    pub image_name: Option<String>,
    /// `postgresql.conf` parameters, as strings (the CNPG API takes strings only).
    pub parameters: IndexMap<String, String>,
    pub resources: Option<Resources>,
    pub storage: Storage,
    pub backup: Option<Backup>,
    /// The VPA of the database (container `postgres`), targeting the CNPG `Cluster`.
    pub vpa: Option<Vpa>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub size: Quantity,
    pub storage_class: Option<String>,
}

/// Barman Cloud plugin backups. Credentials are only ever a Secret reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub destination_path: String,
    pub endpoint_url: Option<String>,
    pub credentials_secret: String,
    pub access_key_id_key: String,
    pub secret_access_key_key: String,
    pub retention: Option<String>,
}

/// opstree redis-operator `RedisCluster` (v1beta2).
#[derive(Debug, Clone, PartialEq)]
pub struct Redis {
    /// Only `redis.redis.opstreelabs.in/v1beta2` is served by redis-operator 0.26.
    pub api_version: Option<String>,
    pub name: String,
    /// Leader shards; each leader gets one follower.
    pub cluster_size: i64,
    pub version: String,
    pub image: String,
    pub persistence: bool,
    pub exporter: Option<Exporter>,
    pub resources: Option<Resources>,
    pub storage: Storage,
    pub pod_security_context: Option<PodSecurityContext>,
    /// redis.conf settings, written to the `ConfigMap` named by `additionalRedisConfig`.
    pub config: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exporter {
    pub enabled: bool,
    pub image: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodSecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub fs_group: Option<i64>,
}

// ---------------------------------------------------------------------------
// Reading from YAML nodes.
// ---------------------------------------------------------------------------

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

impl FromNode for Profile {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a profile (a map with `version`, `name`, `regions`, `modules`, ...)",
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
        })
    }
}

impl FromNode for Platform {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `repoURL`, `path`, ...")?;
        let repo_url = f.req(cx, "repoURL", "the chart repository URL");
        let path = f.req(cx, "path", "the chart's path in the repository");
        let target_revision = f.opt(cx, "targetRevision");
        let argocd = f.opt(cx, "argocd");
        let network = f.opt(cx, "network");
        f.finish(cx)?;
        Some(Platform {
            repo_url: repo_url?,
            path: path?,
            target_revision: target_revision.unwrap_or_else(|| "HEAD".to_owned()),
            argocd: argocd.unwrap_or_else(ArgoCd::default_settings),
            network,
        })
    }
}

impl ArgoCd {
    fn default_settings() -> Self {
        ArgoCd {
            namespace: "argocd".to_owned(),
            project: "default".to_owned(),
            server: "https://kubernetes.default.svc".to_owned(),
            prune: true,
            self_heal: true,
            values_format: ValuesFormat::Object,
        }
    }
}

impl FromNode for ArgoCd {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = ArgoCd::default_settings();
        let mut f = Fields::new(node, cx, "a map of Argo CD settings")?;
        let namespace = f.opt(cx, "namespace");
        let project = f.opt(cx, "project");
        let server = f.opt(cx, "server");
        let prune = f.opt(cx, "prune");
        let self_heal = f.opt(cx, "selfHeal");
        let values_format = f.opt_with(cx, "valuesFormat", |n, cx| {
            cx.choice(
                n,
                &[
                    ("object", ValuesFormat::Object),
                    ("string", ValuesFormat::String),
                ],
            )
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

impl FromNode for Network {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a map with `crossRegionLatency`, `replicationFactor`, `consistencyLevel`",
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

impl FromNode for Traffic {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `host`, `service`, ...")?;
        let host = f.req(cx, "host", "the public host name");
        let gateway = f.opt(cx, "gateway");
        let region_header = f.opt(cx, "regionHeader");
        let service = f.req(cx, "service", "the core service's name");
        let port = f.opt(cx, "port");
        let api_version = f.opt_with(cx, "apiVersion", |n, cx| {
            cx.choice(
                n,
                &[
                    ("networking.istio.io/v1", IstioVersion::V1),
                    ("networking.istio.io/v1beta1", IstioVersion::V1beta1),
                ],
            )
        });
        f.finish(cx)?;
        Some(Traffic {
            host: host?,
            gateway,
            region_header: region_header.unwrap_or_else(|| "region".to_owned()),
            service: service?,
            port: port.unwrap_or(80),
            api_version: api_version.unwrap_or(IstioVersion::V1),
        })
    }
}

impl FromNode for Region {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a region (a map with `weight`, ...)")?;
        let primary = f.opt(cx, "primary");
        let weight = f.req(cx, "weight", "the region's traffic weight, an integer");
        let replicas = f.opt(cx, "replicas");
        let resources = f.opt(cx, "resources");
        let postgres = f.opt(cx, "postgres");
        let modules = f.opt(cx, "modules");
        f.finish(cx)?;
        Some(Region {
            primary: primary.unwrap_or(false),
            weight: weight?,
            replicas,
            resources,
            postgres,
            modules: modules.unwrap_or_default(),
        })
    }
}

impl FromNode for RegionPostgres {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `instances`")?;
        let instances = f.opt(cx, "instances");
        f.finish(cx)?;
        Some(RegionPostgres { instances })
    }
}

impl FromNode for Replicas {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a replica range `{min: N, max: M}`")?;
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

impl FromNode for Resources {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `requests` and `limits`")?;
        let requests = f.opt(cx, "requests");
        let limits = f.opt(cx, "limits");
        f.finish(cx)?;
        Some(Resources {
            requests: requests.unwrap_or_default(),
            limits: limits.unwrap_or_default(),
        })
    }
}

impl FromNode for ResourceList {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `cpu` and `memory`")?;
        let cpu = f.opt(cx, "cpu");
        let memory = f.opt(cx, "memory");
        f.finish(cx)?;
        Some(ResourceList { cpu, memory })
    }
}

impl FromNode for ResourceName {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        cx.choice(
            node,
            &[("cpu", ResourceName::Cpu), ("memory", ResourceName::Memory)],
        )
    }
}

impl FromNode for Defaults {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `metrics` and `behavior`")?;
        let metrics = f.opt(cx, "metrics");
        let behavior = f.opt(cx, "behavior");
        f.finish(cx)?;
        Some(Defaults { metrics, behavior })
    }
}

impl FromNode for Module {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f =
            Fields::new(node, cx, "a module (a map with `replicas`, ...)")?.hints(MODULE_HINTS);
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
        f.finish(cx)?;
        Some(Module {
            deployment,
            replicas: replicas?,
            metrics,
            behavior,
            vpa,
            policy: policy.unwrap_or_default(),
        })
    }
}

impl FromNode for ModuleOverride {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a module override (a map with `replicas`, `metrics`, `behavior` or `vpa`)",
        )?
        .hints(MODULE_HINTS);
        let replicas = f.opt(cx, "replicas");
        let metrics = f.opt(cx, "metrics");
        let behavior = f.opt(cx, "behavior");
        let vpa = f.opt(cx, "vpa");
        f.finish(cx)?;
        Some(ModuleOverride {
            replicas,
            metrics,
            behavior,
            vpa,
        })
    }
}

impl FromNode for Metric {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(map) = &node.value else {
            cx.wrong_type(node, "a metric such as `{resource: cpu, utilization: 70}`");
            return None;
        };
        let mut f = Fields::new(node, cx, "a metric")?;
        let sources: Vec<&str> = ["resource", "pods", "object"]
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        let metric = match sources.as_slice() {
            ["resource"] => {
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
            ["pods"] => {
                let name = f.req(cx, "pods", "the metric's name");
                let average_value = f.req(cx, "averageValue", "the per-pod target, e.g. `\"100\"`");
                name.zip(average_value)
                    .map(|(name, average_value)| Metric::Pods {
                        name,
                        average_value,
                    })
            }
            ["object"] => {
                let name = f.req(cx, "object", "the metric's name");
                let described_object = f.req(cx, "describedObject", "the object the metric describes, e.g. `{kind: Service, name: mplp-core-service}`");
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
            [] => {
                // Mark the usual keys known so the only complaint is the missing source.
                for key in ["utilization", "averageValue", "value", "describedObject"] {
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

impl FromNode for DescribedObject {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `kind` and `name` (and `apiVersion`)")?;
        let api_version = f.opt(cx, "apiVersion");
        let kind = f.req(cx, "kind", "the object's kind, e.g. `Service`");
        let name = f.req(cx, "name", "the object's name");
        f.finish(cx)?;
        Some(DescribedObject {
            api_version: api_version.unwrap_or_else(|| "v1".to_owned()),
            kind: kind?,
            name: name?,
        })
    }
}

impl FromNode for Behavior {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `scaleUp` and/or `scaleDown`")?;
        let scale_up = f.opt(cx, "scaleUp");
        let scale_down = f.opt(cx, "scaleDown");
        f.finish(cx)?;
        Some(Behavior {
            scale_up,
            scale_down,
        })
    }
}

impl FromNode for ScalingRules {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a map with `stabilizationWindowSeconds`, `selectPolicy`, `policies`",
        )?;
        let stabilization_window_seconds = f.opt(cx, "stabilizationWindowSeconds");
        let select_policy = f.opt_with(cx, "selectPolicy", |n, cx| {
            cx.choice(
                n,
                &[
                    ("Max", SelectPolicy::Max),
                    ("Min", SelectPolicy::Min),
                    ("Disabled", SelectPolicy::Disabled),
                ],
            )
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

impl FromNode for ScalingPolicy {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a policy `{type: Pods|Percent, value: N, periodSeconds: S}`",
        )?;
        let kind = f.req_with(cx, "type", "`Pods` or `Percent`", |n, cx| {
            cx.choice(
                n,
                &[("Pods", PolicyType::Pods), ("Percent", PolicyType::Percent)],
            )
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

impl FromNode for Vpa {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f =
            Fields::new(node, cx, "a VPA `{updateMode, minAllowed, maxAllowed}`")?.hints(VPA_HINTS);
        let target_ref = f.opt(cx, "targetRef");
        let container_name = f.opt(cx, "containerName");
        let update_mode = f.req_with(
            cx,
            "updateMode",
            "one of `Off`, `Initial`, `Recreate`, `InPlaceOrRecreate`",
            |n, cx| {
                cx.choice(
                    n,
                    &[
                        ("Off", UpdateMode::Off),
                        ("Initial", UpdateMode::Initial),
                        ("Recreate", UpdateMode::Recreate),
                        ("InPlaceOrRecreate", UpdateMode::InPlaceOrRecreate),
                        ("Auto", UpdateMode::Auto),
                    ],
                )
            },
        );
        let min_allowed = f.opt(cx, "minAllowed");
        let max_allowed = f.opt(cx, "maxAllowed");
        let controlled_resources = f.opt(cx, "controlledResources");
        let controlled_values = f.opt_with(cx, "controlledValues", |n, cx| {
            cx.choice(
                n,
                &[
                    ("RequestsAndLimits", ControlledValues::RequestsAndLimits),
                    ("RequestsOnly", ControlledValues::RequestsOnly),
                ],
            )
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

impl FromNode for PolicyRule {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a policy rule `{metric, threshold, scaleUpFactor, scaleDownFactor}`",
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

impl FromNode for Postgres {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map of CloudNativePG settings")?.hints(POSTGRES_HINTS);
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
            name: name.unwrap_or_else(|| "postgresql-cluster".to_owned()),
            instances: instances.unwrap_or(3),
            image_name,
            parameters: parameters.unwrap_or_default(),
            resources,
            storage: storage?,
            backup,
            vpa,
        })
    }
}

impl FromNode for Storage {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `size` and `storageClass`")?;
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

impl FromNode for Backup {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(
            node,
            cx,
            "a map with `destinationPath` and `credentialsSecret`",
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
                    cx.error(
                        Code::UnknownField,
                        value,
                        format!("unknown field `{key}`: the Secret is referenced with `credentialsSecret`"),
                    )
                    .help = Some("write `credentialsSecret: NAME` (and `accessKeyIdKey`/`secretAccessKeyKey` when the Secret's keys are not `ACCESS_KEY_ID`/`SECRET_ACCESS_KEY`)".to_owned());
                } else {
                    cx.error(
                        Code::InlineSecret,
                        value,
                        format!("`{key}` puts credentials into the profile: backups only take a reference to a Secret"),
                    )
                    .help = Some(
                        "create the Secret with `kubectl create secret generic backup-credentials --from-literal=ACCESS_KEY_ID=… --from-literal=SECRET_ACCESS_KEY=…` and set `credentialsSecret: backup-credentials` (and `accessKeyIdKey`/`secretAccessKeyKey` if its keys differ)".to_owned(),
                    );
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
            access_key_id_key: access_key_id_key.unwrap_or_else(|| "ACCESS_KEY_ID".to_owned()),
            secret_access_key_key: secret_access_key_key
                .unwrap_or_else(|| "SECRET_ACCESS_KEY".to_owned()),
            retention,
        })
    }
}

impl FromNode for Redis {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map of RedisCluster settings")?.hints(REDIS_HINTS);
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
            name: name.unwrap_or_else(|| "redis-cluster".to_owned()),
            cluster_size: cluster_size.unwrap_or(3),
            version: version.unwrap_or_else(|| "v7".to_owned()),
            // Reported when missing; the rest of the Redis settings are still checked.
            image: image.unwrap_or_default(),
            persistence: persistence.unwrap_or(true),
            exporter,
            resources,
            storage: storage?,
            pod_security_context,
            config: config.unwrap_or_default(),
        })
    }
}

impl FromNode for Exporter {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `enabled` and `image`")?;
        let enabled = f.opt(cx, "enabled");
        let image = f.req(cx, "image", "the exporter image, pinned to a tag");
        f.finish(cx)?;
        Some(Exporter {
            enabled: enabled.unwrap_or(true),
            image: image?,
        })
    }
}

impl FromNode for PodSecurityContext {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "a map with `runAsUser`, `runAsGroup`, `fsGroup`")?;
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

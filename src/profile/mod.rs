//! The typed topology profile, in the profile's own words.
//!
//! Each type reads itself from a positioned YAML node (`read/`, `FromNode`): a wrong
//! type, a missing field or an unknown key becomes a diagnostic and the walk goes on.
//! The types hold what the user wrote (quantities keep their text), with the fixed
//! defaults of left-out fields filled in from `default.rs`, the one place they are
//! written; effective values (defaults taken from other fields, region overrides
//! applied) are computed in `effective.rs` and `plan`, and cross-field rules live in
//! `validate`.
//!
//! The same types generate the profile's JSON Schema (`mplp-scale schema`, schemars):
//! the doc comment of every field is its description there. The `serde` attributes only
//! name fields for the schema; reading goes through `read/`, and a test keeps the two
//! in agreement (every shipped profile validates, a misspelled key does not).

#[cfg(test)]
mod agreement;
pub(crate) mod autoscaling;
mod database;
mod default;
mod platform;
mod read;
mod schema;

pub(crate) use autoscaling::{
    AuthMode, Autoscaling, Backend, EvictionPolicy, IntOrPercent, MetricSource, MetricsAdapter, Pdb,
};
pub(crate) use database::*;
pub(crate) use default::pod_labels as default_pod_labels;
pub(crate) use platform::{
    Delivery, IstioVersion, ManifestSource, Network, Platform, Traffic, TrafficMode, ValuesFormat,
};
pub use schema::profile_schema;

use indexmap::IndexMap;
use mplp_scale_derive::profile;
use schemars::JsonSchema;

use crate::quantity::Quantity;

/// The only profile format version this tool reads.
pub(crate) const VERSION: i64 = 1;

/// An MPLP topology profile: regions, modules and their scaling, databases and caches.
#[profile(expected = "a profile (a map with `version`, `name`, `regions`, `modules`, ...)")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "mplp-scale topology profile")]
pub struct Profile {
    /// The profile format version; always `1`.
    #[schemars(range(min = 1, max = 1))]
    #[profile(expected = "the profile format version `1`", with = read::format_version)]
    pub version: i64,
    /// The profile's name, for people (it is not rendered).
    #[profile(expected = "the profile's name")]
    pub name: String,
    /// Namespace of every regional object and of the VirtualService (a DNS-1123 label).
    #[profile(expected = "the namespace of the regional objects")]
    pub namespace: String,
    /// Labels on each region's `Namespace` object (rendered first in every region), e.g.
    /// `istio-injection: enabled` for the mesh's sidecars.
    #[serde(default)]
    pub namespace_labels: IndexMap<String, String>,
    /// What the Argo CD Application deploys, and the values it passes to the chart.
    #[profile(expected = "the Argo CD Application's source")]
    pub platform: Platform,
    /// Istio routing, rendered in every region: Gateway, DestinationRule, VirtualService.
    #[profile(expected = "the Istio VirtualService settings")]
    pub traffic: Traffic,
    /// The regions, by name (DNS-1123 labels), in stream order. Exactly one is primary;
    /// weights add up to 100.
    #[profile(expected = "a map of regions")]
    pub regions: IndexMap<String, Region>,
    /// Metrics and behavior for every module that does not give its own.
    #[serde(default)]
    pub defaults: Defaults,
    /// The MPLP modules, by name, in stream order: one HPA `mplp-<name>-hpa` each.
    #[profile(expected = "a map of modules")]
    pub modules: IndexMap<String, Module>,
    /// Where each custom metric of the HPAs comes from: one prometheus-adapter rule each.
    #[serde(default)]
    pub metrics: IndexMap<String, MetricSource>,
    /// The prometheus-adapter rules `ConfigMap` rendered in every region.
    #[serde(default)]
    pub metrics_adapter: MetricsAdapter,
    /// Which controller scales the modules (HPA or KEDA) and the Prometheus KEDA queries.
    #[serde(default)]
    pub autoscaling: Autoscaling,
    /// The labels of every module's pods (`{module}`: its name), which the disruption
    /// budgets select (default `app.kubernetes.io/name: mplp-{module}`).
    pub pod_labels: Option<IndexMap<String, String>>,
    /// CloudNativePG: one `Cluster` per region, the primary in the primary region.
    pub postgres: Option<Postgres>,
    /// opstree redis-operator: one `RedisCluster` per region.
    pub redis: Option<Redis>,
}

/// One region: its share of the traffic and what differs there.
#[profile(expected = "a region (a map with `weight`, ...)")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Region {
    /// The region's cluster: its name in Argo CD and its kube context (default: the
    /// region's name). Each region has its own cluster.
    pub cluster: Option<String>,
    /// The region's Istio cluster ID: the value of `global.multiCluster.clusterName` in
    /// its istiod (default: `cluster`). Istio labels every endpoint of this cluster
    /// `topology.istio.io/cluster: <meshClusterID>`, which the per-region subsets select.
    #[serde(rename = "meshClusterID")]
    pub mesh_cluster_id: Option<String>,
    /// The region's Istio locality region: the `topology.kubernetes.io/region` label of
    /// its nodes (default: the region's name). `traffic.mode: weighted` splits traffic
    /// by it (`localityLbSetting.distribute`).
    pub locality: Option<String>,
    /// Whether this region holds the primary database (exactly one region is primary).
    #[serde(default)]
    pub primary: bool,
    /// The region's share of the default route, 0 to 100; all weights add up to 100.
    #[schemars(range(min = 0, max = 100))]
    #[profile(expected = "the region's traffic weight, an integer")]
    pub weight: i64,
    /// The region's core range: overrides `modules.core.replicas` in this region.
    pub replicas: Option<Replicas>,
    /// Pod resources of the region's core, passed to the chart.
    pub resources: Option<Resources>,
    /// The region's CloudNativePG settings.
    pub postgres: Option<RegionPostgres>,
    /// Per-module overrides in this region, by module name.
    #[serde(default)]
    pub modules: IndexMap<String, ModuleOverride>,
}

impl Region {
    /// The region's cluster: `cluster`, or the region's name.
    #[must_use]
    pub fn cluster<'a>(&'a self, name: &'a str) -> &'a str {
        self.cluster.as_deref().unwrap_or(name)
    }

    /// The region's Istio cluster ID: `meshClusterID`, or its cluster.
    #[must_use]
    pub fn mesh_cluster_id<'a>(&'a self, name: &'a str) -> &'a str {
        self.mesh_cluster_id
            .as_deref()
            .unwrap_or_else(|| self.cluster(name))
    }

    /// The region's Istio locality region: `locality`, or the region's name.
    #[must_use]
    pub fn locality<'a>(&'a self, name: &'a str) -> &'a str {
        self.locality.as_deref().unwrap_or(name)
    }

    /// A region that changes nothing about any module: what a module's settings are on
    /// their own (planning and validation compute them once per module this way).
    #[must_use]
    pub fn without_overrides() -> Self {
        Region {
            cluster: None,
            mesh_cluster_id: None,
            locality: None,
            primary: false,
            weight: 0,
            replicas: None,
            resources: None,
            postgres: None,
            modules: IndexMap::new(),
        }
    }
}

/// A replica range.
#[profile(expected = "a replica range `{min: N, max: M}`")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Replicas {
    /// `minReplicas`: at least 1, or 0 for a module KEDA scales (`backend: keda`), which
    /// it scales to zero (lint checks which, E0102).
    #[schemars(range(min = 0))]
    #[profile(expected = "the minimum replica count")]
    pub min: i64,
    /// `maxReplicas`: at least `min`, at most 100000.
    #[schemars(range(min = 1, max = 100_000))]
    #[profile(expected = "the maximum replica count")]
    pub max: i64,
}

/// Pod resource requests and limits.
#[profile(expected = "a map with `requests` and `limits`")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    /// What the pod is guaranteed.
    #[serde(default)]
    pub requests: ResourceList,
    /// What the pod may use at most (each at least its request).
    #[serde(default)]
    pub limits: ResourceList,
}

/// Amounts of cpu and memory.
#[profile(expected = "a map with `cpu` and `memory`")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceList {
    /// CPU, a Kubernetes quantity such as `500m` or `2`.
    pub cpu: Option<Quantity>,
    /// Memory, a Kubernetes quantity such as `512Mi` or `2Gi`.
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

/// A compute resource.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResourceName {
    /// CPU.
    Cpu,
    /// Memory.
    Memory,
}

/// Applied to every module that does not say otherwise.
#[profile(expected = "a map with `metrics`, `behavior` and `pdb`")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Defaults {
    /// The metrics of modules that list none.
    pub metrics: Option<Vec<Metric>>,
    /// The behavior of modules that give none, one direction at a time.
    pub behavior: Option<Behavior>,
    /// The `PodDisruptionBudget` of modules that give none (default `maxUnavailable: 1`).
    pub pdb: Option<Pdb>,
}

/// One MPLP module: one Deployment scaled by one HPA.
#[profile(expected = "a module (a map with `replicas`, ...)", hints = read::MODULE_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Module {
    /// The Deployment the module's HPA scales (default `mplp-<module>`).
    pub deployment: Option<String>,
    /// `minReplicas` and `maxReplicas` of the HPA.
    #[profile(expected = "the module's replica range `{min: N, max: M}`")]
    pub replicas: Replicas,
    /// Every metric of the HPA (default `defaults.metrics`).
    pub metrics: Option<Vec<Metric>>,
    /// Scale-up and scale-down behavior (default `defaults.behavior`, per direction).
    pub behavior: Option<Behavior>,
    /// A VerticalPodAutoscaler `mplp-<module>-vpa` for the module's Deployment.
    pub vpa: Option<Vpa>,
    /// Entries of the scaling-policies document (the guide's custom controller).
    #[serde(default)]
    pub policy: Vec<PolicyRule>,
    /// The labels of the module's pods, when they do not follow `podLabels`.
    pub pod_labels: Option<IndexMap<String, String>>,
    /// The module's disruption budget `mplp-<module>-pdb` (default `defaults.pdb`).
    pub pdb: Option<Pdb>,
    /// `hpa` or `keda`: which controller scales this module (default `autoscaling.backend`).
    pub backend: Option<Backend>,
}

/// What a region may change about a module.
#[profile(expected = "a module override (a map with `replicas`, `metrics`, `behavior`, `vpa` or `pdb`)", hints = read::MODULE_HINTS)]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModuleOverride {
    /// The module's range in this region.
    pub replicas: Option<Replicas>,
    /// The module's metrics in this region.
    pub metrics: Option<Vec<Metric>>,
    /// The module's behavior in this region.
    pub behavior: Option<Behavior>,
    /// The module's VPA in this region.
    pub vpa: Option<Vpa>,
    /// The module's `PodDisruptionBudget` in this region.
    pub pdb: Option<Pdb>,
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

/// The object an Object metric describes.
#[profile(expected = "a map with `kind` and `name` (and `apiVersion`)")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribedObject {
    /// The object's API version (default `v1`).
    #[profile(default = "v1")]
    pub api_version: String,
    /// The object's kind, e.g. `Service`.
    #[profile(expected = "the object's kind, e.g. `Service`")]
    pub kind: String,
    /// The object's name.
    #[profile(expected = "the object's name")]
    pub name: String,
}

/// HPA scaling behavior.
#[profile(expected = "a map with `scaleUp` and/or `scaleDown`")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Behavior {
    /// How fast to scale up.
    pub scale_up: Option<ScalingRules>,
    /// How fast to scale down.
    pub scale_down: Option<ScalingRules>,
}

/// The rules of one scaling direction.
#[profile(expected = "a map with `stabilizationWindowSeconds`, `selectPolicy`, `policies`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalingRules {
    /// Seconds of past recommendations considered, 0 to 3600 (API default: 0 up, 300 down).
    #[schemars(range(min = 0, max = 3600))]
    pub stabilization_window_seconds: Option<i64>,
    /// Which policy wins when several allow a change (API default `Max`).
    pub select_policy: Option<SelectPolicy>,
    /// The rate limits; at least one.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub policies: Vec<ScalingPolicy>,
    /// No scaling in this direction while the usage ratio is within this fraction of 1
    /// (a quantity such as `0.05` or `50m`; the controller's default `0.1`). Rendered for
    /// Kubernetes 1.35 and later (`HPAConfigurableTolerance`, beta), left out before.
    pub tolerance: Option<Quantity>,
}

/// Which policy wins.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum SelectPolicy {
    /// The policy that allows the biggest change.
    Max,
    /// The policy that allows the smallest change.
    Min,
    /// Never scale in this direction.
    Disabled,
}

/// One rate limit.
#[profile(expected = "a policy `{type: Pods|Percent, value: N, periodSeconds: S}`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalingPolicy {
    /// `Pods` (a number of pods) or `Percent` (of the current replicas).
    #[serde(rename = "type")]
    #[profile(expected = "`Pods` or `Percent`")]
    pub kind: PolicyType,
    /// How many pods, or what percentage, at most per period; greater than 0.
    #[schemars(range(min = 1))]
    #[profile(expected = "the number of pods or the percentage")]
    pub value: i64,
    /// The period, 1 to 1800 seconds.
    #[schemars(range(min = 1, max = 1800))]
    #[profile(expected = "the period in seconds (1 to 1800)")]
    pub period_seconds: i64,
}

/// The unit of a scaling policy.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum PolicyType {
    /// A number of pods.
    Pods,
    /// A percentage of the current replicas.
    Percent,
}

/// A VerticalPodAutoscaler.
#[profile(expected = "a VPA `{updateMode, minAllowed, maxAllowed}`", hints = read::VPA_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vpa {
    /// Only to check a target written the scaling guide's way: it must be the workload
    /// mplp-scale targets (the module's Deployment, or the CNPG `Cluster`).
    pub target_ref: Option<DescribedObject>,
    /// The container the policy is for (default: the Deployment's name, or `postgres`).
    pub container_name: Option<String>,
    /// `Off` (recommendations only), `Initial`, `Recreate`, `InPlaceOrRecreate`, or the
    /// deprecated `Auto`.
    #[profile(expected = "one of `Off`, `Initial`, `Recreate`, `InPlaceOrRecreate`")]
    pub update_mode: UpdateMode,
    /// The smallest requests the VPA may set.
    #[serde(default)]
    pub min_allowed: ResourceList,
    /// The largest requests the VPA may set.
    #[serde(default)]
    pub max_allowed: ResourceList,
    /// The resources the VPA controls (default both).
    pub controlled_resources: Option<Vec<ResourceName>>,
    /// Whether the VPA sets requests only or requests and limits.
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

/// How a VPA applies its recommendations.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum UpdateMode {
    /// Recommendations only: nothing changes.
    Off,
    /// Requests are set when pods are created.
    Initial,
    /// Pods are evicted to apply new requests.
    Recreate,
    /// Requests are changed in place, or pods are evicted.
    InPlaceOrRecreate,
    /// Deprecated since VPA 1.5 (means `Recreate`).
    Auto,
}

/// What a VPA sets.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum ControlledValues {
    /// Requests, and limits in proportion.
    RequestsAndLimits,
    /// Requests only.
    RequestsOnly,
}

/// One entry of the scaling-policy document.
#[profile(expected = "a policy rule `{metric, threshold, scaleUpFactor, scaleDownFactor}`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRule {
    /// The metric's name.
    #[profile(expected = "the metric's name")]
    pub metric: String,
    /// The threshold: a number, or a value such as `200ms`.
    #[profile(expected = "a number or a value such as `200ms`")]
    pub threshold: Scalar,
    /// How much to scale up when over the threshold.
    pub scale_up_factor: Option<Scalar>,
    /// How much to scale down when under the threshold.
    pub scale_down_factor: Option<Scalar>,
}

/// A number or a string, kept as the user wrote it (`50`, `0.95`, `200ms`).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Number(String),
    Text(String),
}

/// A persistent volume.
#[profile(expected = "a map with `size` and `storageClass`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Storage {
    /// The volume size, e.g. `100Gi`.
    #[profile(expected = "the volume size, e.g. `100Gi`")]
    pub size: Quantity,
    /// The storage class (default: the cluster's default class).
    pub storage_class: Option<String>,
}

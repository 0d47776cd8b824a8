//! The profile's parts that make autoscaling work on a cluster: where each custom metric
//! comes from (rendered as prometheus-adapter rules), the pods' labels, and the modules'
//! `PodDisruptionBudgets`: the types, with their schema. They read themselves in
//! `read/autoscaling.rs`; their fixed defaults are in `default.rs`.

use std::borrow::Cow;

use mplp_scale_derive::profile;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// Where a custom metric comes from: the Prometheus series behind it.
#[profile(
    expected = "a metric source (a map with `series`, `kind`, ...)",
    default
)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricSource {
    /// The Prometheus series (default: the metric's own name), e.g. `mplp_requests_total`.
    pub series: Option<String>,
    /// `counter` (served as its per-second `rate`) or `gauge` (served as is; the default).
    #[serde(default)]
    pub kind: SeriesKind,
    /// A whole `metricsQuery` instead of the one `kind` implies (prometheus-adapter
    /// template: `<<.Series>>`, `<<.LabelMatchers>>`, `<<.GroupBy>>`).
    pub query: Option<String>,
    /// The metric is a queue length or a backlog: an Object metric on it should have an
    /// `averageValue` target (lint warns about `value`, which ratchets).
    #[serde(default)]
    pub queue: bool,
    /// KEDA only: the value above which the metric wakes a module scaled to zero (the
    /// prometheus trigger's `activationThreshold`, a plain number, default `0`). A module
    /// with `replicas.min: 0` needs it on one of its metrics.
    pub activation_threshold: Option<f64>,
}

impl MetricSource {
    /// The series: `series`, or the metric's name.
    #[must_use]
    pub fn series<'a>(&'a self, metric: &'a str) -> &'a str {
        self.series.as_deref().unwrap_or(metric)
    }
}

/// How a series counts.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeriesKind {
    /// Ever-increasing: the metric is its per-second rate.
    Counter,
    /// A level: the metric is its value.
    #[default]
    Gauge,
}

/// Which controller scales the modules: the HPA mplp-scale renders, or KEDA.
#[profile(expected = "a map with `backend` and `prometheus`")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Autoscaling {
    /// `hpa` (default: one `HorizontalPodAutoscaler` per module, custom metrics through
    /// prometheus-adapter rules) or `keda` (one KEDA `ScaledObject` per module, custom
    /// metrics queried from Prometheus by its triggers). A module's `backend` overrides it.
    #[serde(default)]
    pub backend: Backend,
    /// The Prometheus that KEDA's `prometheus` triggers query.
    #[serde(default)]
    pub prometheus: Prometheus,
}

/// Which controller scales a module.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// A `HorizontalPodAutoscaler` (autoscaling/v2), custom metrics from prometheus-adapter.
    #[default]
    Hpa,
    /// A KEDA `ScaledObject` (keda.sh/v1alpha1); KEDA creates and owns the HPA.
    Keda,
}

/// The Prometheus of every region's cluster, as KEDA reaches it.
#[profile(expected = "a map with `serverAddress` and `auth`", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prometheus {
    /// The trigger's `serverAddress` (default
    /// `http://prometheus-operated.monitoring.svc:9090`).
    #[profile(default = "http://prometheus-operated.monitoring.svc:9090")]
    pub server_address: String,
    /// Credentials for Prometheus: a `TriggerAuthentication` `mplp-prometheus-auth` that
    /// every prometheus trigger names.
    pub auth: Option<PrometheusAuth>,
}

/// Where KEDA finds the credentials for Prometheus (a Secret in the profile's namespace).
#[profile(expected = "a map with `mode` and `secret`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusAuth {
    /// `bearer` (a token) or `basic` (user name and password).
    #[profile(expected = "`bearer` or `basic`")]
    pub mode: AuthMode,
    /// The Secret's name.
    #[profile(expected = "the Secret holding the credentials")]
    pub secret: String,
    /// `bearer`: the Secret's key holding the token (default `token`).
    pub token_key: Option<String>,
    /// `basic`: the Secret's key holding the user name (default `username`).
    pub username_key: Option<String>,
    /// `basic`: the Secret's key holding the password (default `password`).
    pub password_key: Option<String>,
}

/// How KEDA authenticates to Prometheus (the trigger's `authModes`).
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// HTTP basic authentication.
    Basic,
}

/// The prometheus-adapter rules `ConfigMap` of every region.
#[profile(expected = "a map with `name`, `namespace`, `rateInterval`", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsAdapter {
    /// The `ConfigMap`'s name (default `mplp-metrics-adapter`).
    #[profile(default = "mplp-metrics-adapter")]
    pub name: String,
    /// Its namespace: the one the adapter runs in, which must mount it (default `monitoring`).
    #[profile(default = "monitoring")]
    pub namespace: String,
    /// The window of `rate()` for counters (default `2m`).
    #[profile(default = "2m")]
    pub rate_interval: String,
}

/// A module's `PodDisruptionBudget` (policy/v1). Without `minAvailable` and
/// `maxUnavailable`, `maxUnavailable: 1`.
#[profile(expected = "a disruption budget (a map with `maxUnavailable` or `minAvailable`)")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pdb {
    /// Whether the module has a budget (default `true`).
    pub enabled: Option<bool>,
    /// Pods that must stay available: a count or a percentage (`"50%"`, rounded up).
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be unavailable at once: a count or a percentage (rounded up).
    pub max_unavailable: Option<IntOrPercent>,
    /// `AlwaysAllow` (default: a pod that is not ready never blocks a drain) or `IfHealthyBudget`.
    pub unhealthy_pod_eviction_policy: Option<EvictionPolicy>,
}

/// A count of pods or a percentage of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

impl IntOrPercent {
    /// Pods out of `total`, rounded up as the disruption controller does
    /// (`GetScaledValueFromIntOrPercent(…, roundUp = true)`).
    #[must_use]
    pub fn of(self, total: i64) -> i64 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => (p * total + 99) / 100,
        }
    }
}

impl std::fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// `unhealthyPodEvictionPolicy`.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum EvictionPolicy {
    /// Pods that are not ready may always be evicted.
    AlwaysAllow,
    /// Pods that are not ready may be evicted only while the budget holds.
    IfHealthyBudget,
}

super::schema::fixed_schema!(IntOrPercent, {
    "description": "A number of pods (`1`) or a percentage of them (`\"25%\"`).",
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": "^[0-9]+%$"}
    ]
});

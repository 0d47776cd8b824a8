//! The default of every optional profile field whose default is a fixed value: the one
//! place they are written.
//!
//! `read/` fills them in when a key is left out, and the JSON Schema states them as
//! `default` (the fields' `#[serde(default = "…")]` name these functions; `ArgoCd` takes
//! its `Default`). Defaults that follow from other fields (a module's Deployment, metrics
//! and behavior from `defaults`, a region's overrides) are effective values, computed in
//! `effective.rs` and `plan.rs`. A test (`agreement.rs`) checks that a profile which
//! leaves every optional field out reads as the schema's defaults say.

use indexmap::IndexMap;

use crate::quantity::Quantity;

use super::autoscaling::{Backend, MetricSource, MetricsAdapter, Prometheus, SeriesKind};
use super::{
    AffinityMode, AntiAffinity, ArgoCd, Delivery, Ingress, IstioVersion, ManifestSource, Manifests,
    Monitoring, PoolMode, Pooler, RedisPdb, ResourceList, TrafficMode, ValuesFormat,
};

impl Default for ArgoCd {
    fn default() -> Self {
        ArgoCd {
            namespace: "argocd".to_owned(),
            project: "default".to_owned(),
            server: "https://kubernetes.default.svc".to_owned(),
            prune: true,
            self_heal: true,
            values_format: ValuesFormat::Object,
            protect_data: true,
            rolling_sync: true,
        }
    }
}

impl Default for IstioVersion {
    /// `networking.istio.io/v1`: served and stored since Istio 1.22.
    fn default() -> Self {
        IstioVersion::V1
    }
}

/// `platform.targetRevision`.
pub(super) fn target_revision() -> String {
    "HEAD".to_owned()
}

/// `traffic.regionHeader`.
pub(super) fn region_header() -> String {
    "region".to_owned()
}

/// `traffic.port`.
pub(super) fn port() -> i64 {
    80
}

/// `apiVersion` of a metric's `describedObject` and of a VPA's `targetRef`.
pub(super) fn described_api_version() -> String {
    "v1".to_owned()
}

/// `postgres.name`.
pub(super) fn postgres_name() -> String {
    "postgresql-cluster".to_owned()
}

/// `postgres.instances`.
pub(super) fn postgres_instances() -> i64 {
    3
}

/// `postgres.backup.accessKeyIdKey`.
pub(super) fn access_key_id_key() -> String {
    "ACCESS_KEY_ID".to_owned()
}

/// `postgres.backup.secretAccessKeyKey`.
pub(super) fn secret_access_key_key() -> String {
    "SECRET_ACCESS_KEY".to_owned()
}

/// `postgres.backup.schedule`: daily at midnight (six fields, seconds first).
pub(super) fn backup_schedule() -> String {
    "0 0 0 * * *".to_owned()
}

impl Default for Pooler {
    /// On, two PgBouncer pods per region.
    fn default() -> Self {
        Pooler {
            enabled: pooler_enabled(),
            instances: pooler_instances(),
            pool_mode: PoolMode::default(),
            max_client_conn: pooler_max_client_conn(),
            default_pool_size: pooler_default_pool_size(),
        }
    }
}

/// `postgres.pooler.enabled`.
pub(super) fn pooler_enabled() -> bool {
    true
}

/// `postgres.pooler.instances`.
pub(super) fn pooler_instances() -> i64 {
    2
}

/// `postgres.pooler.maxClientConn`.
pub(super) fn pooler_max_client_conn() -> i64 {
    1000
}

/// `postgres.pooler.defaultPoolSize`.
pub(super) fn pooler_default_pool_size() -> i64 {
    20
}

impl Default for PoolMode {
    /// A server connection per transaction.
    fn default() -> Self {
        PoolMode::Transaction
    }
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            pod_monitor: pod_monitor(),
            labels: IndexMap::new(),
        }
    }
}

/// `postgres.appSecret`.
pub(super) fn postgres_app_secret() -> String {
    "postgres-app".to_owned()
}

/// `postgres.backup.sidecarResources`: the plugin sidecar's cpu and memory.
pub(super) fn sidecar_resources() -> ResourceList {
    ResourceList {
        cpu: Some(Quantity::parse("100m").expect("a valid quantity")),
        memory: Some(Quantity::parse("256Mi").expect("a valid quantity")),
    }
}

/// `postgres.monitoring.podMonitor` and `redis.monitoring.podMonitor`.
pub(super) fn pod_monitor() -> bool {
    true
}

/// `redis.name`.
pub(super) fn redis_name() -> String {
    "redis-cluster".to_owned()
}

/// `redis.clusterSize`.
pub(super) fn redis_cluster_size() -> i64 {
    3
}

/// `redis.version`.
pub(super) fn redis_version() -> String {
    "v7".to_owned()
}

/// `redis.persistence`.
pub(super) fn redis_persistence() -> bool {
    true
}

/// `redis.exporter.enabled`.
pub(super) fn exporter_enabled() -> bool {
    true
}

/// `redis.auth.key`.
pub(super) fn redis_auth_key() -> String {
    "password".to_owned()
}

impl Default for RedisPdb {
    /// One per role, `maxUnavailable: 1` (see `kinds::redis_cluster`).
    fn default() -> Self {
        RedisPdb {
            enabled: redis_pdb_enabled(),
            max_unavailable: None,
            min_available: None,
        }
    }
}

/// `redis.pdb.enabled`.
pub(super) fn redis_pdb_enabled() -> bool {
    true
}

impl Default for AntiAffinity {
    fn default() -> Self {
        AntiAffinity {
            mode: AffinityMode::default(),
            topology_key: anti_affinity_topology_key(),
        }
    }
}

impl Default for AffinityMode {
    /// A pod stays pending rather than share a node with its counterpart.
    fn default() -> Self {
        AffinityMode::Required
    }
}

/// `redis.antiAffinity.topologyKey`.
pub(super) fn anti_affinity_topology_key() -> String {
    "kubernetes.io/hostname".to_owned()
}

impl Default for Delivery {
    /// One Application per region, to the region's cluster.
    fn default() -> Self {
        Delivery::ApplicationSet
    }
}

impl Default for Manifests {
    fn default() -> Self {
        Manifests {
            repo_url: None,
            target_revision: None,
            path: manifests_path(),
            source: ManifestSource::Rendered,
            profile: manifests_profile(),
        }
    }
}

/// `platform.manifests.path`.
pub(super) fn manifests_path() -> String {
    "deploy".to_owned()
}

/// `platform.manifests.profile`.
pub(super) fn manifests_profile() -> String {
    "profile.yaml".to_owned()
}

/// `traffic.ingress.selector`.
pub(super) fn ingress_selector() -> IndexMap<String, String> {
    IndexMap::from([("istio".to_owned(), "ingressgateway".to_owned())])
}

impl Default for TrafficMode {
    /// By the regions' weights, as the scaling guide routes.
    fn default() -> Self {
        TrafficMode::Weighted
    }
}

impl Default for Ingress {
    fn default() -> Self {
        Ingress {
            selector: ingress_selector(),
            credential_name: None,
        }
    }
}

impl Default for ManifestSource {
    /// The `--out-dir` tree committed to Git.
    fn default() -> Self {
        ManifestSource::Rendered
    }
}

impl Default for MetricsAdapter {
    fn default() -> Self {
        MetricsAdapter {
            name: metrics_adapter_name(),
            namespace: metrics_adapter_namespace(),
            rate_interval: rate_interval(),
        }
    }
}

/// `metricsAdapter.name`.
pub(super) fn metrics_adapter_name() -> String {
    "mplp-metrics-adapter".to_owned()
}

/// `metricsAdapter.namespace`: where prometheus-adapter runs.
pub(super) fn metrics_adapter_namespace() -> String {
    "monitoring".to_owned()
}

/// `metricsAdapter.rateInterval`.
pub(super) fn rate_interval() -> String {
    "2m".to_owned()
}

impl Default for MetricSource {
    /// A metric without a source: its own name, as a gauge.
    fn default() -> Self {
        MetricSource {
            series: None,
            kind: SeriesKind::Gauge,
            query: None,
            queue: false,
            activation_threshold: None,
        }
    }
}

impl Default for Backend {
    /// The HPA mplp-scale renders.
    fn default() -> Self {
        Backend::Hpa
    }
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus {
            server_address: prometheus_server_address(),
            auth: None,
        }
    }
}

/// `autoscaling.prometheus.serverAddress`: prometheus-operator's governing Service.
pub(super) fn prometheus_server_address() -> String {
    "http://prometheus-operated.monitoring.svc:9090".to_owned()
}

impl Default for SeriesKind {
    /// A level, served as is.
    fn default() -> Self {
        SeriesKind::Gauge
    }
}

/// `podLabels`: the labels of every module's pods (`{module}` stands for the module's
/// name), which the disruption budgets select. An effective default (`effective.rs`
/// applies it), written here with the others.
#[must_use]
pub(crate) fn pod_labels() -> IndexMap<String, String> {
    IndexMap::from([(
        "app.kubernetes.io/name".to_owned(),
        "mplp-{module}".to_owned(),
    )])
}

//! The profile's databases and caches: CloudNativePG (`postgres`) and the opstree
//! redis-operator (`redis`), and what each region says about its database.

use indexmap::IndexMap;
use schemars::JsonSchema;

use super::{ResourceList, Resources, Storage, Vpa, default, schema};

/// CloudNativePG: one `Cluster` per region, the primary in the primary region.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Postgres {
    /// The `Cluster` name in every region (default `postgresql-cluster`; at most 50 characters).
    #[serde(default = "default::postgres_name")]
    pub name: String,
    /// Instances per region, unless the region says otherwise (default 3).
    #[serde(default = "default::postgres_instances")]
    #[schemars(range(min = 1))]
    pub instances: i64,
    /// The PostgreSQL image (default: the operator's).
    pub image_name: Option<String>,
    /// `postgresql.conf` parameters; the operator's fixed parameters are refused.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, schema::ScalarText>")]
    pub parameters: IndexMap<String, String>,
    /// Pod resources; the memory request must hold `shared_buffers`.
    pub resources: Option<Resources>,
    /// The data volume.
    pub storage: Storage,
    /// Backups through the Barman Cloud plugin (one `ObjectStore` per region).
    pub backup: Option<Backup>,
    /// The database VPA (container `postgres`), targeting the CNPG `Cluster`.
    pub vpa: Option<Vpa>,
    /// PgBouncer `Pooler`s: the writer `<name>-pooler-rw` in the primary region only
    /// (every region's writes reach it through the mesh) and a cluster-local reader
    /// `<name>-pooler-ro` in every region (on unless `enabled: false`).
    #[serde(default)]
    pub pooler: Pooler,
    /// Prometheus scraping of the database pods.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// The Secret (`kubernetes.io/basic-auth`, user `app`) of the application user,
    /// `bootstrap.initdb.secret` and `bootstrap.recovery.secret` of every region's
    /// `Cluster` (default `postgres-app`). It must exist, identical, in every region:
    /// the replicas hold the primary's roles (see docs/postgres-switchover.md).
    #[serde(default = "default::postgres_app_secret")]
    pub app_secret: String,
    /// A switchover in progress: the demote phase (`to` only), then the promote phase
    /// (`to` and `promotionToken`); see docs/postgres-switchover.md.
    pub switchover: Option<Switchover>,
}

/// A controlled switchover of the primary database to another region, in two phases.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Switchover {
    /// The region that becomes the primary (not the current one).
    pub to: String,
    /// The demotion token of the current primary's `Cluster` (`status.demotionToken`),
    /// read after the demote phase: with it, the promote phase is rendered.
    pub promotion_token: Option<String>,
}

/// A CloudNativePG `Pooler` (PgBouncer) in front of each region's cluster.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pooler {
    /// Whether the `Pooler` is rendered (default `true`).
    #[serde(default = "default::pooler_enabled")]
    pub enabled: bool,
    /// PgBouncer pods per region (default 2).
    #[serde(default = "default::pooler_instances")]
    #[schemars(range(min = 1))]
    pub instances: i64,
    /// `session` or `transaction` (default `transaction`).
    #[serde(default)]
    pub pool_mode: PoolMode,
    /// PgBouncer `max_client_conn`: client connections each PgBouncer pod accepts (default 1000).
    #[serde(default = "default::pooler_max_client_conn")]
    #[schemars(range(min = 1))]
    pub max_client_conn: i64,
    /// PgBouncer `default_pool_size`: server connections each PgBouncer pod opens per
    /// user and database (default 20).
    #[serde(default = "default::pooler_default_pool_size")]
    #[schemars(range(min = 1))]
    pub default_pool_size: i64,
}

/// PgBouncer's pool mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PoolMode {
    /// A server connection per client session.
    Session,
    /// A server connection per transaction.
    Transaction,
}

impl PoolMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
        }
    }
}

/// Prometheus operator scrape objects.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Monitoring {
    /// Whether a `PodMonitor` (monitoring.coreos.com/v1) is rendered (default `true`).
    #[serde(default = "default::pod_monitor")]
    pub pod_monitor: bool,
    /// Labels on the `PodMonitor`, e.g. `release: kube-prometheus-stack`, the label the
    /// chart's Prometheus selects `PodMonitor`s by.
    #[serde(default)]
    pub labels: IndexMap<String, String>,
}

/// Barman Cloud plugin backups. Credentials are only ever a Secret reference.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Backup {
    /// The object store, e.g. `s3://mplp-backups/postgresql`.
    pub destination_path: String,
    /// An S3-compatible endpoint, e.g. `https://minio.example.com`.
    #[serde(rename = "endpointURL")]
    pub endpoint_url: Option<String>,
    /// The Secret holding the object store credentials.
    pub credentials_secret: String,
    /// The Secret's key of the access key id (default `ACCESS_KEY_ID`).
    #[serde(default = "default::access_key_id_key")]
    pub access_key_id_key: String,
    /// The Secret's key of the secret access key (default `SECRET_ACCESS_KEY`).
    #[serde(default = "default::secret_access_key_key")]
    pub secret_access_key_key: String,
    /// How long backups are kept: `30d`, `4w` or `6m` (on every region's store).
    #[schemars(regex(pattern = r"^[1-9][0-9]*[dwm]$"))]
    pub retention: Option<String>,
    /// When every region's `ScheduledBackup` takes a base backup: a six-field cron
    /// expression, seconds first (default `0 0 0 * * *`, daily at midnight).
    #[serde(default = "default::backup_schedule")]
    pub schedule: String,
    /// Cpu and memory of the plugin's sidecar in every Postgres pod, as both its requests
    /// and its limits, so the pods stay in the Guaranteed `QoS` class (default
    /// `{cpu: 100m, memory: 256Mi}`).
    #[serde(default = "default::sidecar_resources")]
    pub sidecar_resources: ResourceList,
}

/// opstree redis-operator `RedisCluster` (v1beta2).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Redis {
    /// Only `redis.redis.opstreelabs.in/v1beta2` is served by redis-operator 0.26 (the default).
    pub api_version: Option<String>,
    /// The RedisCluster's name (default `redis-cluster`).
    #[serde(default = "default::redis_name")]
    pub name: String,
    /// Leader shards (default 3, at least 3); each leader gets one follower.
    #[serde(default = "default::redis_cluster_size")]
    #[schemars(range(min = 3))]
    pub cluster_size: i64,
    /// `clusterVersion` (default `v7`).
    #[serde(default = "default::redis_version")]
    pub version: String,
    /// The Redis image, pinned to a tag or digest.
    pub image: String,
    /// `persistenceEnabled` (default `true`).
    #[serde(default = "default::redis_persistence")]
    pub persistence: bool,
    /// The Prometheus exporter sidecar.
    pub exporter: Option<Exporter>,
    /// Pod resources of every Redis pod.
    pub resources: Option<Resources>,
    /// The data volume of every Redis pod.
    pub storage: Storage,
    /// The pods' security context.
    pub pod_security_context: Option<PodSecurityContext>,
    /// redis.conf directives (one line each), rendered into the ConfigMap that
    /// `redisConfig.additionalRedisConfig` names.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, schema::ScalarText>")]
    pub config: IndexMap<String, String>,
    /// The Secret holding the Redis password (`kubernetesConfig.redisSecret`); never
    /// the password itself.
    pub auth: Option<RedisAuth>,
    /// A PodDisruptionBudget per role (`redisLeader.pdb`, `redisFollower.pdb`).
    #[serde(default)]
    pub pdb: RedisPdb,
    /// Keeps leaders and followers apart (`affinity` of each role).
    #[serde(default)]
    pub anti_affinity: AntiAffinity,
    /// Also spread each role's pods across zones (`topology.kubernetes.io/zone`); each
    /// role is always spread across nodes (default `false`).
    #[serde(default)]
    pub spread_across_zones: bool,
    /// Prometheus scraping of the exporter sidecar.
    #[serde(default)]
    pub monitoring: Monitoring,
}

/// A reference to the Secret key holding the Redis password.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedisAuth {
    /// The Secret's name.
    pub secret: String,
    /// The key in the Secret (default `password`).
    #[serde(default = "default::redis_auth_key")]
    pub key: String,
}

/// The PodDisruptionBudget the operator creates for each role.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedisPdb {
    /// Whether each role gets one (default `true`).
    #[serde(default = "default::redis_pdb_enabled")]
    pub enabled: bool,
    /// Pods of a role that may be down at once (default 1 when `minAvailable` is not set).
    #[schemars(range(min = 0))]
    pub max_unavailable: Option<i64>,
    /// Pods of a role that must stay up (the operator ignores it when `maxUnavailable` is set).
    #[schemars(range(min = 0))]
    pub min_available: Option<i64>,
}

/// Pod anti-affinity between a cluster's leaders and followers.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AntiAffinity {
    /// `required` (default), `preferred`, or `off`.
    #[serde(default)]
    pub mode: AffinityMode,
    /// The topology a leader and a follower never share (default
    /// `kubernetes.io/hostname`; `topology.kubernetes.io/zone` keeps them in different zones).
    #[serde(default = "default::anti_affinity_topology_key")]
    pub topology_key: String,
}

/// How strictly the scheduler keeps leaders and followers apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AffinityMode {
    /// `requiredDuringSchedulingIgnoredDuringExecution`: a pod stays pending rather than share.
    Required,
    /// `preferredDuringSchedulingIgnoredDuringExecution`, weight 100.
    Preferred,
    /// No anti-affinity.
    Off,
}

/// The Redis exporter sidecar.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exporter {
    /// Whether the exporter runs (default `true`).
    #[serde(default = "default::exporter_enabled")]
    pub enabled: bool,
    /// The exporter image, pinned to a tag or digest.
    pub image: String,
}

/// A pod security context.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodSecurityContext {
    /// The user id of the pods' processes.
    pub run_as_user: Option<i64>,
    /// The group id of the pods' processes.
    pub run_as_group: Option<i64>,
    /// The group that owns the volumes.
    pub fs_group: Option<i64>,
}

/// A region's CloudNativePG settings.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionPostgres {
    /// Instances of the region's cluster (default `postgres.instances`).
    #[schemars(range(min = 1))]
    pub instances: Option<i64>,
    /// The region's archive generation (default 0): raising it gives the region's
    /// cluster a new, empty `serverName` in the archive, for a rebuild (see
    /// docs/postgres-switchover.md, "Rebuilding a region").
    #[schemars(range(min = 0))]
    pub archive_generation: Option<i64>,
}

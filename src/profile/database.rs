//! The profile's databases and caches: CloudNativePG (`postgres`) and the opstree
//! redis-operator (`redis`), and what each region says about its database.

use indexmap::IndexMap;
use mplp_scale_derive::profile;
use schemars::JsonSchema;

use super::{ResourceList, Resources, Storage, Vpa, default, schema};

/// CloudNativePG: one `Cluster` per region, the primary in the primary region.
#[profile(expected = "a map of CloudNativePG settings", hints = super::read::POSTGRES_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Postgres {
    /// The `Cluster` name in every region (default `postgresql-cluster`; at most 50 characters).
    #[profile(default = "postgresql-cluster")]
    pub name: String,
    /// Instances per region, unless the region says otherwise (default 3).
    #[profile(default = 3)]
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
    #[profile(expected = "the volume size `{size: 100Gi}`")]
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
    #[profile(default = "postgres-app")]
    pub app_secret: String,
    /// A switchover in progress: the demote phase (`to` only), then the promote phase
    /// (`to` and `promotionToken`); see docs/postgres-switchover.md.
    pub switchover: Option<Switchover>,
}

/// A controlled switchover of the primary database to another region, in two phases.
#[profile(expected = "a map with `to` and `promotionToken`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Switchover {
    /// The region that becomes the primary (not the current one).
    #[profile(expected = "the region that becomes the primary")]
    pub to: String,
    /// The demotion token of the current primary's `Cluster` (`status.demotionToken`),
    /// read after the demote phase: with it, the promote phase is rendered.
    pub promotion_token: Option<String>,
}

/// A CloudNativePG `Pooler` (PgBouncer) in front of each region's cluster.
#[profile(
    expected = "a map with `enabled`, `instances`, `poolMode`, `maxClientConn`, `defaultPoolSize`",
    default
)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pooler {
    /// Whether the `Pooler` is rendered (default `true`).
    #[profile(default = true)]
    pub enabled: bool,
    /// PgBouncer pods per region (default 2).
    #[profile(default = 2)]
    #[profile(range(min = 1))]
    pub instances: i64,
    /// `session` or `transaction` (default `transaction`).
    #[serde(default)]
    pub pool_mode: PoolMode,
    /// PgBouncer `max_client_conn`: client connections each PgBouncer pod accepts (default 1000).
    #[profile(default = 1000)]
    #[profile(range(min = 1))]
    pub max_client_conn: i64,
    /// PgBouncer `default_pool_size`: server connections each PgBouncer pod opens per
    /// user and database (default 20).
    #[profile(default = 20)]
    #[profile(range(min = 1))]
    pub default_pool_size: i64,
}

/// PgBouncer's pool mode.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PoolMode {
    /// A server connection per client session.
    Session,
    /// A server connection per transaction.
    #[default]
    Transaction,
}

/// Prometheus operator scrape objects.
#[profile(expected = "a map with `podMonitor` and `labels`", hints = super::read::MONITORING_HINTS, default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Monitoring {
    /// Whether a `PodMonitor` (monitoring.coreos.com/v1) is rendered (default `true`).
    #[profile(default = true)]
    pub pod_monitor: bool,
    /// Labels on the `PodMonitor`, e.g. `release: kube-prometheus-stack`, the label the
    /// chart's Prometheus selects `PodMonitor`s by.
    #[serde(default)]
    pub labels: IndexMap<String, String>,
}

/// Barman Cloud plugin backups. Credentials are only ever a Secret reference.
#[profile(expected = "a map with `destinationPath` and `credentialsSecret`", refuse = super::read::inline_backup_secret, hints = super::read::BACKUP_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Backup {
    /// The object store, e.g. `s3://mplp-backups/postgresql`.
    #[profile(expected = "the object store URL, e.g. `s3://bucket/path`")]
    pub destination_path: String,
    /// An S3-compatible endpoint, e.g. `https://minio.example.com`.
    #[serde(rename = "endpointURL")]
    pub endpoint_url: Option<String>,
    /// The Secret holding the object store credentials.
    #[profile(expected = "the name of the Secret holding the object store credentials")]
    pub credentials_secret: String,
    /// The Secret's key of the access key id (default `ACCESS_KEY_ID`).
    #[profile(default = "ACCESS_KEY_ID")]
    pub access_key_id_key: String,
    /// The Secret's key of the secret access key (default `SECRET_ACCESS_KEY`).
    #[profile(default = "SECRET_ACCESS_KEY")]
    pub secret_access_key_key: String,
    /// How long backups are kept: `30d`, `4w` or `6m` (on every region's store).
    #[schemars(regex(pattern = r"^[1-9][0-9]*[dwm]$"))]
    pub retention: Option<String>,
    /// When every region's `ScheduledBackup` takes a base backup: a six-field cron
    /// expression, seconds first (default `0 0 0 * * *`, daily at midnight).
    #[profile(default = "0 0 0 * * *")]
    pub schedule: String,
    /// Cpu and memory of the plugin's sidecar in every Postgres pod, as both its requests
    /// and its limits, so the pods stay in the Guaranteed `QoS` class (default
    /// `{cpu: 100m, memory: 256Mi}`).
    #[serde(default = "default::sidecar_resources")]
    pub sidecar_resources: ResourceList,
}

/// opstree redis-operator `RedisCluster` (v1beta2).
#[profile(expected = "a map of RedisCluster settings", hints = super::read::REDIS_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Redis {
    /// Only `redis.redis.opstreelabs.in/v1beta2` is served by redis-operator 0.26 (the default).
    pub api_version: Option<String>,
    /// The RedisCluster's name (default `redis-cluster`).
    #[profile(default = "redis-cluster")]
    pub name: String,
    /// Leader shards (default 3, at least 3); each leader gets one follower.
    #[profile(default = 3)]
    #[schemars(range(min = 3))]
    pub cluster_size: i64,
    /// `clusterVersion` (default `v7`).
    #[profile(default = "v7")]
    pub version: String,
    /// The Redis image, pinned to a tag or digest.
    #[profile(
        expected = "the Redis image, pinned to a tag, e.g. `quay.io/opstree/redis:v7.0.15`",
        recover
    )]
    pub image: String,
    /// `persistenceEnabled` (default `true`).
    #[profile(default = true)]
    pub persistence: bool,
    /// The Prometheus exporter sidecar.
    pub exporter: Option<Exporter>,
    /// Pod resources of every Redis pod.
    pub resources: Option<Resources>,
    /// The data volume of every Redis pod.
    #[profile(expected = "the volume size `{size: 20Gi}`")]
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
#[profile(expected = "a Secret reference `{secret: NAME, key: KEY}`", refuse = super::read::inline_redis_password)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedisAuth {
    /// The Secret's name.
    #[profile(expected = "the name of the Secret holding the password")]
    pub secret: String,
    /// The key in the Secret (default `password`).
    #[profile(default = "password")]
    pub key: String,
}

/// The PodDisruptionBudget the operator creates for each role.
#[profile(
    expected = "a map with `enabled`, `maxUnavailable` or `minAvailable`",
    default
)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedisPdb {
    /// Whether each role gets one (default `true`).
    #[profile(default = true)]
    pub enabled: bool,
    /// Pods of a role that may be down at once (default 1 when `minAvailable` is not set).
    #[profile(range(min = 0))]
    pub max_unavailable: Option<i64>,
    /// Pods of a role that must stay up (the operator ignores it when `maxUnavailable` is set).
    #[profile(range(min = 0))]
    pub min_available: Option<i64>,
}

/// Pod anti-affinity between a cluster's leaders and followers.
#[profile(expected = "a map with `mode` and `topologyKey`", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AntiAffinity {
    /// `required` (default), `preferred`, or `off`.
    #[serde(default)]
    pub mode: AffinityMode,
    /// The topology a leader and a follower never share (default
    /// `kubernetes.io/hostname`; `topology.kubernetes.io/zone` keeps them in different zones).
    #[profile(default = "kubernetes.io/hostname")]
    pub topology_key: String,
}

/// How strictly the scheduler keeps leaders and followers apart.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AffinityMode {
    /// `requiredDuringSchedulingIgnoredDuringExecution`: a pod stays pending rather than share.
    #[default]
    Required,
    /// `preferredDuringSchedulingIgnoredDuringExecution`, weight 100.
    Preferred,
    /// No anti-affinity.
    Off,
}

/// The Redis exporter sidecar.
#[profile(expected = "a map with `enabled` and `image`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exporter {
    /// Whether the exporter runs (default `true`).
    #[profile(default = true)]
    pub enabled: bool,
    /// The exporter image, pinned to a tag or digest.
    #[profile(expected = "the exporter image, pinned to a tag")]
    pub image: String,
}

/// A pod security context.
#[profile(expected = "a map with `runAsUser`, `runAsGroup`, `fsGroup`")]
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
#[profile(expected = "a map with `instances` and `archiveGeneration`", hints = super::read::REGION_POSTGRES_HINTS)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionPostgres {
    /// Instances of the region's cluster (default `postgres.instances`).
    #[schemars(range(min = 1))]
    pub instances: Option<i64>,
    /// The region's archive generation (default 0): raising it gives the region's
    /// cluster a new, empty `serverName` in the archive, for a rebuild (see
    /// docs/postgres-switchover.md, "Rebuilding a region").
    #[profile(range(min = 0))]
    pub archive_generation: Option<i64>,
}

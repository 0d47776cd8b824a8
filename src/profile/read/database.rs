//! How the database and cache settings read themselves (`postgres`, `redis`, and a
//! region's `postgres`).

use super::KnownFields;
use crate::diagnostic::Code;
use crate::load::{Cx, FromNode};
use crate::node::{Node, Value};
use crate::profile::{
    AffinityMode, AntiAffinity, Backup, Exporter, Monitoring, PodSecurityContext, PoolMode, Pooler,
    Postgres, Redis, RedisAuth, RedisPdb, RegionPostgres, Storage, Switchover, default,
};

impl PoolMode {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, PoolMode)] = &[
        ("session", PoolMode::Session),
        ("transaction", PoolMode::Transaction),
    ];
}

impl AffinityMode {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, AffinityMode)] = &[
        ("required", AffinityMode::Required),
        ("preferred", AffinityMode::Preferred),
        ("off", AffinityMode::Off),
    ];
}

/// What the scaling guide's CNPG manifest has that the real API does not.
const POSTGRES_HINTS: &[(&str, &str)] = &[
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

/// The scaling guide's `monitoring` keys, which CloudNativePG does not have or deprecates.
const MONITORING_HINTS: &[(&str, &str)] = &[
    (
        "enabled",
        "CloudNativePG has no `monitoring.enabled` (and deprecates `enablePodMonitor`: create a PodMonitor instead): `podMonitor: true`, the default, renders one",
    ),
    (
        "enablePodMonitor",
        "`enablePodMonitor` is deprecated in CloudNativePG 1.30: `podMonitor: true` (the default) renders a PodMonitor",
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

/// Where a region's promotion token went.
const REGION_POSTGRES_HINTS: &[(&str, &str)] = &[(
    "promotionToken",
    "the token is written once, for the whole switchover: `postgres.switchover: {to: REGION, promotionToken: TOKEN}` (docs/postgres-switchover.md)",
)];

impl Switchover {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["to", "promotionToken"];
}

impl FromNode for Switchover {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `to` and `promotionToken`", Self::KEYS)?;
        let to = f.req(cx, "to", "the region that becomes the primary");
        let promotion_token = f.opt(cx, "promotionToken");
        f.finish(cx)?;
        Some(Switchover {
            to: to?,
            promotion_token,
        })
    }
}

impl RegionPostgres {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["instances", "archiveGeneration"];
}

impl FromNode for RegionPostgres {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `instances` and `archiveGeneration`",
            Self::KEYS,
        )?
        .hints(REGION_POSTGRES_HINTS);
        let instances = f.opt(cx, "instances");
        let archive_generation = f.opt(cx, "archiveGeneration");
        f.finish(cx)?;
        Some(RegionPostgres {
            instances,
            archive_generation,
        })
    }
}

impl Postgres {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "name",
        "instances",
        "imageName",
        "parameters",
        "resources",
        "storage",
        "backup",
        "vpa",
        "pooler",
        "monitoring",
        "appSecret",
        "switchover",
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
        let pooler = f.opt(cx, "pooler");
        let monitoring = f.opt(cx, "monitoring");
        let app_secret = f.opt(cx, "appSecret");
        let switchover = f.opt(cx, "switchover");
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
            pooler: pooler.unwrap_or_default(),
            monitoring: monitoring.unwrap_or_default(),
            app_secret: app_secret.unwrap_or_else(default::postgres_app_secret),
            switchover,
        })
    }
}

impl Storage {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["size", "storageClass"];
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
    pub(in crate::profile) const KEYS: &[&str] = &[
        "destinationPath",
        "endpointURL",
        "credentialsSecret",
        "accessKeyIdKey",
        "secretAccessKeyKey",
        "retention",
        "schedule",
        "sidecarResources",
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
        let schedule = f.opt(cx, "schedule");
        let sidecar_resources = f.opt(cx, "sidecarResources");
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
            schedule: schedule.unwrap_or_else(default::backup_schedule),
            sidecar_resources: sidecar_resources.unwrap_or_else(default::sidecar_resources),
        })
    }
}

impl Redis {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
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
        "auth",
        "pdb",
        "antiAffinity",
        "spreadAcrossZones",
        "monitoring",
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
        let auth = f.opt(cx, "auth");
        let pdb = f.opt(cx, "pdb");
        let anti_affinity = f.opt(cx, "antiAffinity");
        let spread_across_zones = f.opt(cx, "spreadAcrossZones");
        let monitoring = f.opt(cx, "monitoring");
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
            auth,
            pdb: pdb.unwrap_or_default(),
            anti_affinity: anti_affinity.unwrap_or_default(),
            spread_across_zones: spread_across_zones.unwrap_or_default(),
            monitoring: monitoring.unwrap_or_default(),
        })
    }
}

impl Exporter {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["enabled", "image"];
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
    pub(in crate::profile) const KEYS: &[&str] = &["runAsUser", "runAsGroup", "fsGroup"];
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

impl Pooler {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "enabled",
        "instances",
        "poolMode",
        "maxClientConn",
        "defaultPoolSize",
    ];
}

impl FromNode for Pooler {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `enabled`, `instances`, `poolMode`, `maxClientConn`, `defaultPoolSize`",
            Self::KEYS,
        )?;
        let enabled = f.opt(cx, "enabled");
        let instances = f.opt(cx, "instances");
        let pool_mode = f.opt_with(cx, "poolMode", |n, cx| cx.choice(n, PoolMode::CHOICES));
        let max_client_conn = f.opt(cx, "maxClientConn");
        let default_pool_size = f.opt(cx, "defaultPoolSize");
        f.finish(cx)?;
        Some(Pooler {
            enabled: enabled.unwrap_or_else(default::pooler_enabled),
            instances: instances.unwrap_or_else(default::pooler_instances),
            pool_mode: pool_mode.unwrap_or_default(),
            max_client_conn: max_client_conn.unwrap_or_else(default::pooler_max_client_conn),
            default_pool_size: default_pool_size.unwrap_or_else(default::pooler_default_pool_size),
        })
    }
}

impl Monitoring {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["podMonitor", "labels"];
}

impl FromNode for Monitoring {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `podMonitor` and `labels`", Self::KEYS)?
            .hints(MONITORING_HINTS);
        let pod_monitor = f.opt(cx, "podMonitor");
        let labels = f.opt(cx, "labels");
        f.finish(cx)?;
        Some(Monitoring {
            pod_monitor: pod_monitor.unwrap_or_else(default::pod_monitor),
            labels: labels.unwrap_or_default(),
        })
    }
}

impl RedisAuth {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["secret", "key"];
}

/// Keys that would put the Redis password itself into a profile.
const PASSWORD_KEYS: &[&str] = &["password", "requirepass", "value"];

impl FromNode for RedisAuth {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a Secret reference `{secret: NAME, key: KEY}`",
            Self::KEYS,
        )?;
        let mut inline = false;
        for key in PASSWORD_KEYS {
            let Some(value) = f.claim(key) else { continue };
            inline = true;
            cx.within(crate::diagnostic::Seg::Key((*key).to_owned()), |cx| {
                let d = cx
                    .diagnostic(
                        Code::InlineSecret,
                        value,
                        format!("`{key}` puts the Redis password into the profile: `auth` only takes a reference to a Secret"),
                    )
                    .help(
                        "create the Secret with `kubectl create secret generic redis-auth --from-literal=password=…` and set `auth: {secret: redis-auth, key: password}`",
                    );
                cx.push(d);
            });
        }
        let secret = f.req(cx, "secret", "the name of the Secret holding the password");
        let key = f.opt(cx, "key");
        f.finish(cx)?;
        if inline {
            return None;
        }
        Some(RedisAuth {
            secret: secret?,
            key: key.unwrap_or_else(default::redis_auth_key),
        })
    }
}

impl RedisPdb {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["enabled", "maxUnavailable", "minAvailable"];
}

impl FromNode for RedisPdb {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `enabled`, `maxUnavailable` or `minAvailable`",
            Self::KEYS,
        )?;
        let enabled = f.opt(cx, "enabled");
        let max_unavailable = f.opt(cx, "maxUnavailable");
        let min_available = f.opt(cx, "minAvailable");
        f.finish(cx)?;
        Some(RedisPdb {
            enabled: enabled.unwrap_or_else(default::redis_pdb_enabled),
            max_unavailable,
            min_available,
        })
    }
}

impl AntiAffinity {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["mode", "topologyKey"];
}

impl FromNode for AntiAffinity {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `mode` and `topologyKey`", Self::KEYS)?;
        let mode = f.opt_with(cx, "mode", |n, cx| cx.choice(n, AffinityMode::CHOICES));
        let topology_key = f.opt(cx, "topologyKey");
        f.finish(cx)?;
        Some(AntiAffinity {
            mode: mode.unwrap_or_default(),
            topology_key: topology_key.unwrap_or_else(default::anti_affinity_topology_key),
        })
    }
}

//! How the database and cache settings read themselves (`postgres`, `redis`, and a
//! region's `postgres`).

use crate::diagnostic::{Code, Diagnostic, Seg};
use crate::load::{Cx, Fields};
use crate::node::{Node, Value};

/// What the scaling guide's CNPG manifest has that the real API does not.
pub(in crate::profile) const POSTGRES_HINTS: &[(&str, &str)] = &[
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
pub(in crate::profile) const MONITORING_HINTS: &[(&str, &str)] = &[
    (
        "enabled",
        "CloudNativePG has no `monitoring.enabled` (and deprecates `enablePodMonitor`: create a PodMonitor instead): `podMonitor: true`, the default, renders one",
    ),
    (
        "enablePodMonitor",
        "`enablePodMonitor` is deprecated in CloudNativePG 1.30: `podMonitor: true` (the default) renders a PodMonitor",
    ),
];

pub(in crate::profile) const BACKUP_HINTS: &[(&str, &str)] = &[
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
pub(in crate::profile) const REDIS_HINTS: &[(&str, &str)] = &[
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
pub(in crate::profile) const REGION_POSTGRES_HINTS: &[(&str, &str)] = &[(
    "promotionToken",
    "the token is written once, for the whole switchover: `postgres.switchover: {to: REGION, promotionToken: TOKEN}` (docs/postgres-switchover.md)",
)];

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

/// Keys that would put the Redis password itself into a profile.
const PASSWORD_KEYS: &[&str] = &["password", "requirepass", "value"];

/// Claims each of `keys` that is written, with the diagnostic `report` makes of it (at
/// the key's path); whether any was.
fn refuse(
    f: &mut Fields<'_>,
    cx: &mut Cx,
    keys: &[&'static str],
    report: impl Fn(&Cx, &'static str, &Node) -> Diagnostic,
) -> bool {
    let mut refused = false;
    for key in keys {
        let Some(value) = f.claim(key) else { continue };
        refused = true;
        cx.within(Seg::Key((*key).to_owned()), |cx| {
            let d = report(cx, key, value);
            cx.push(d);
        });
    }
    refused
}

/// `refuse` of `postgres.backup`: key material under any of [`SECRET_KEYS`] (E0704), or a
/// reference to a Secret spelled the scaling guide's way (E0003).
pub(in crate::profile) fn inline_backup_secret(f: &mut Fields<'_>, cx: &mut Cx) -> bool {
    refuse(f, cx, SECRET_KEYS, |cx, key, value| {
        if references_only(value) {
            // The scaling guide's `s3Credentials: {accessKeyId: {name, key}}`: no secret
            // material, just another spelling of the reference.
            cx.diagnostic(
                Code::UnknownField,
                value,
                format!("unknown field `{key}`: the Secret is referenced with `credentialsSecret`"),
            )
            .help("write `credentialsSecret: NAME` (and `accessKeyIdKey`/`secretAccessKeyKey` when the Secret's keys are not `ACCESS_KEY_ID`/`SECRET_ACCESS_KEY`)")
        } else {
            cx.diagnostic(
                Code::InlineSecret,
                value,
                format!("`{key}` puts credentials into the profile: backups only take a reference to a Secret"),
            )
            .help(
                "create the Secret with `kubectl create secret generic backup-credentials --from-literal=ACCESS_KEY_ID=… --from-literal=SECRET_ACCESS_KEY=…` and set `credentialsSecret: backup-credentials` (and `accessKeyIdKey`/`secretAccessKeyKey` if its keys differ)",
            )
        }
    })
}

/// `refuse` of `redis.auth`: the password itself under any of [`PASSWORD_KEYS`] (E0704).
pub(in crate::profile) fn inline_redis_password(f: &mut Fields<'_>, cx: &mut Cx) -> bool {
    refuse(f, cx, PASSWORD_KEYS, |cx, key, value| {
        cx.diagnostic(
            Code::InlineSecret,
            value,
            format!("`{key}` puts the Redis password into the profile: `auth` only takes a reference to a Secret"),
        )
        .help(
            "create the Secret with `kubectl create secret generic redis-auth --from-literal=password=…` and set `auth: {secret: redis-auth, key: password}`",
        )
    })
}

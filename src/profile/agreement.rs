//! The profile's shape is written twice, once for the JSON Schema (the types' derives and
//! `schema.rs`) and once for reading (`read/`). These tests hold the two together: every
//! object in the schema has the keys its reader knows, every enum the strings its reader
//! accepts, both ways, and every default the schema states is what the reader fills in.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::autoscaling::{
    AuthMode, Autoscaling, Backend, EvictionPolicy, MetricSource, MetricsAdapter, Pdb, Prometheus,
    PrometheusAuth, SeriesKind,
};
use super::platform::Versions;
use super::{
    AffinityMode, AntiAffinity, ArgoCd, Backup, Behavior, ControlledValues, Defaults, Delivery,
    DescribedObject, Exporter, Ingress, IstioVersion, ManifestSource, Manifests, Metric, Module,
    ModuleOverride, Monitoring, Network, Platform, PodSecurityContext, PolicyRule, PolicyType,
    PoolMode, Pooler, Postgres, Profile, Redis, RedisAuth, RedisPdb, Region, RegionPostgres,
    Replicas, ResourceList, ResourceName, Resources, ScalingPolicy, ScalingRules, SelectPolicy,
    Storage, Switchover, Traffic, TrafficMode, UpdateMode, ValuesFormat, Vpa, profile_schema,
};
use crate::load::{Cx, FromNode};

/// Read an empty map as `T`: every reader reads each of its keys, so this runs the debug
/// assertions of `KnownFields` (the reader reads exactly its `KEYS`).
fn read_empty<T: FromNode>() {
    let node = crate::node::parse(0, "{}").expect("`{}` parses");
    let _ = T::from_node(&node, &mut Cx::new());
}

/// An object schema's JSON pointer, the keys its reader knows, and the reader.
type ObjectReader = (&'static str, &'static [&'static str], fn());

/// An enum schema's JSON pointer, the strings its reader accepts, and the strings the
/// code writes for them (`as_str`, where there is one).
type EnumReader = (&'static str, Vec<&'static str>, Option<Vec<&'static str>>);

/// Every object schema's reader.
fn objects() -> Vec<ObjectReader> {
    let platform: Vec<ObjectReader> = vec![
        ("", Profile::KEYS, read_empty::<Profile>),
        ("/$defs/Platform", Platform::KEYS, read_empty::<Platform>),
        ("/$defs/ArgoCd", ArgoCd::KEYS, read_empty::<ArgoCd>),
        ("/$defs/Manifests", Manifests::KEYS, read_empty::<Manifests>),
        ("/$defs/Ingress", Ingress::KEYS, read_empty::<Ingress>),
        ("/$defs/Network", Network::KEYS, read_empty::<Network>),
        ("/$defs/Traffic", Traffic::KEYS, read_empty::<Traffic>),
        ("/$defs/Region", Region::KEYS, read_empty::<Region>),
        (
            "/$defs/RegionPostgres",
            RegionPostgres::KEYS,
            read_empty::<RegionPostgres>,
        ),
        (
            "/$defs/Switchover",
            Switchover::KEYS,
            read_empty::<Switchover>,
        ),
        ("/$defs/Replicas", Replicas::KEYS, read_empty::<Replicas>),
        ("/$defs/Resources", Resources::KEYS, read_empty::<Resources>),
        (
            "/$defs/ResourceList",
            ResourceList::KEYS,
            read_empty::<ResourceList>,
        ),
        ("/$defs/Defaults", Defaults::KEYS, read_empty::<Defaults>),
        ("/$defs/Module", Module::KEYS, read_empty::<Module>),
        (
            "/$defs/ModuleOverride",
            ModuleOverride::KEYS,
            read_empty::<ModuleOverride>,
        ),
        (
            "/$defs/Metric/oneOf/0",
            Metric::RESOURCE_KEYS,
            read_empty::<Metric>,
        ),
        (
            "/$defs/Metric/oneOf/1",
            Metric::PODS_KEYS,
            read_empty::<Metric>,
        ),
        (
            "/$defs/Metric/oneOf/2",
            Metric::OBJECT_KEYS,
            read_empty::<Metric>,
        ),
        (
            "/$defs/DescribedObject",
            DescribedObject::KEYS,
            read_empty::<DescribedObject>,
        ),
        ("/$defs/Behavior", Behavior::KEYS, read_empty::<Behavior>),
        (
            "/$defs/ScalingRules",
            ScalingRules::KEYS,
            read_empty::<ScalingRules>,
        ),
        (
            "/$defs/ScalingPolicy",
            ScalingPolicy::KEYS,
            read_empty::<ScalingPolicy>,
        ),
        ("/$defs/Vpa", Vpa::KEYS, read_empty::<Vpa>),
        (
            "/$defs/PolicyRule",
            PolicyRule::KEYS,
            read_empty::<PolicyRule>,
        ),
    ];
    platform
        .into_iter()
        .chain(database_objects())
        .chain(autoscaling_objects())
        .collect()
}

/// The database and cache schemas' readers.
fn database_objects() -> Vec<ObjectReader> {
    vec![
        ("/$defs/Postgres", Postgres::KEYS, read_empty::<Postgres>),
        ("/$defs/Storage", Storage::KEYS, read_empty::<Storage>),
        ("/$defs/Backup", Backup::KEYS, read_empty::<Backup>),
        ("/$defs/Pooler", Pooler::KEYS, read_empty::<Pooler>),
        (
            "/$defs/Monitoring",
            Monitoring::KEYS,
            read_empty::<Monitoring>,
        ),
        ("/$defs/Redis", Redis::KEYS, read_empty::<Redis>),
        ("/$defs/RedisAuth", RedisAuth::KEYS, read_empty::<RedisAuth>),
        ("/$defs/RedisPdb", RedisPdb::KEYS, read_empty::<RedisPdb>),
        (
            "/$defs/AntiAffinity",
            AntiAffinity::KEYS,
            read_empty::<AntiAffinity>,
        ),
        ("/$defs/Exporter", Exporter::KEYS, read_empty::<Exporter>),
        (
            "/$defs/PodSecurityContext",
            PodSecurityContext::KEYS,
            read_empty::<PodSecurityContext>,
        ),
        (
            "/$defs/MetricSource",
            MetricSource::KEYS,
            read_empty::<MetricSource>,
        ),
    ]
}

/// The readers of the autoscaling parts and the target versions.
fn autoscaling_objects() -> Vec<ObjectReader> {
    vec![
        (
            "/$defs/MetricsAdapter",
            MetricsAdapter::KEYS,
            read_empty::<MetricsAdapter>,
        ),
        ("/$defs/Pdb", Pdb::KEYS, read_empty::<Pdb>),
        (
            "/$defs/Autoscaling",
            Autoscaling::KEYS,
            read_empty::<Autoscaling>,
        ),
        (
            "/$defs/Prometheus",
            Prometheus::KEYS,
            read_empty::<Prometheus>,
        ),
        (
            "/$defs/PrometheusAuth",
            PrometheusAuth::KEYS,
            read_empty::<PrometheusAuth>,
        ),
        ("/$defs/Versions", Versions::KEYS, read_empty::<Versions>),
    ]
}

fn names<T>(choices: &[(&'static str, T)]) -> Vec<&'static str> {
    choices.iter().map(|(name, _)| *name).collect()
}

/// Every enum schema's reader.
fn enums() -> Vec<EnumReader> {
    fn written<T: Copy>(choices: &[(&str, T)], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
        choices.iter().map(|(_, v)| as_str(*v)).collect()
    }
    vec![
        ("/$defs/ValuesFormat", names(ValuesFormat::CHOICES), None),
        ("/$defs/Delivery", names(Delivery::CHOICES), None),
        (
            "/$defs/ManifestSource",
            names(ManifestSource::CHOICES),
            None,
        ),
        ("/$defs/TrafficMode", names(TrafficMode::CHOICES), None),
        ("/$defs/IstioVersion", names(IstioVersion::CHOICES), None),
        (
            "/$defs/ResourceName",
            names(ResourceName::CHOICES),
            Some(written(ResourceName::CHOICES, ResourceName::as_str)),
        ),
        (
            "/$defs/Metric/oneOf/0/properties/resource",
            names(ResourceName::CHOICES),
            None,
        ),
        (
            "/$defs/SelectPolicy",
            names(SelectPolicy::CHOICES),
            Some(written(SelectPolicy::CHOICES, SelectPolicy::as_str)),
        ),
        (
            "/$defs/PolicyType",
            names(PolicyType::CHOICES),
            Some(written(PolicyType::CHOICES, PolicyType::as_str)),
        ),
        (
            "/$defs/UpdateMode",
            names(UpdateMode::CHOICES),
            Some(written(UpdateMode::CHOICES, UpdateMode::as_str)),
        ),
        (
            "/$defs/ControlledValues",
            names(ControlledValues::CHOICES),
            Some(written(ControlledValues::CHOICES, ControlledValues::as_str)),
        ),
        (
            "/$defs/PoolMode",
            names(PoolMode::CHOICES),
            Some(written(PoolMode::CHOICES, PoolMode::as_str)),
        ),
        ("/$defs/AffinityMode", names(AffinityMode::CHOICES), None),
        ("/$defs/SeriesKind", names(SeriesKind::CHOICES), None),
        (
            "/$defs/Backend",
            names(Backend::CHOICES),
            Some(written(Backend::CHOICES, Backend::as_str)),
        ),
        (
            "/$defs/AuthMode",
            names(AuthMode::CHOICES),
            Some(written(AuthMode::CHOICES, AuthMode::as_str)),
        ),
        (
            "/$defs/EvictionPolicy",
            names(EvictionPolicy::CHOICES),
            Some(written(EvictionPolicy::CHOICES, EvictionPolicy::as_str)),
        ),
    ]
}

/// What a schema node says, when it is an object with properties or an enum of strings.
enum Shape {
    Object(Vec<String>),
    Enum(Vec<String>),
}

/// Every object and enum schema under `value`, by JSON pointer.
fn shapes(value: &Value, pointer: &str, found: &mut Vec<(String, Shape)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                found.push((
                    pointer.to_owned(),
                    Shape::Object(props.keys().cloned().collect()),
                ));
            }
            let consts: Option<Vec<String>> = match (map.get("enum"), map.get("oneOf")) {
                (Some(Value::Array(items)), _) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                (None, Some(Value::Array(items))) => items
                    .iter()
                    .map(|v| v.get("const").and_then(Value::as_str).map(str::to_owned))
                    .collect(),
                _ => None,
            };
            if let Some(consts) = consts {
                found.push((pointer.to_owned(), Shape::Enum(consts)));
            }
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                shapes(child, &format!("{pointer}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                shapes(child, &format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn sorted<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(|s| s.as_ref().to_owned()).collect();
    out.sort();
    out
}

/// Every object schema's properties are the keys its reader knows, and every enum
/// schema's strings are the strings its reader accepts (and the code writes). A schema
/// object or enum without a reader listed here fails, and so does a listed reader
/// whose schema is gone.
#[test]
fn the_schema_and_the_readers_agree() {
    let mut found = Vec::new();
    shapes(&profile_schema(), "", &mut found);
    let objects = objects();
    let enums = enums();
    let mut problems = Vec::new();
    for (pointer, shape) in &found {
        match shape {
            Shape::Object(props) => match objects.iter().find(|(p, ..)| p == pointer) {
                None => problems.push(format!("{pointer}: an object without a reader listed")),
                Some((_, keys, _)) => {
                    if sorted(props) != sorted(keys) {
                        problems.push(format!(
                            "{pointer}: the schema has {:?}, the reader knows {:?}",
                            sorted(props),
                            sorted(keys)
                        ));
                    }
                }
            },
            Shape::Enum(consts) => match enums.iter().find(|(p, ..)| p == pointer) {
                None => problems.push(format!("{pointer}: an enum without a reader listed")),
                Some((_, accepted, written)) => {
                    if consts != accepted {
                        problems.push(format!(
                            "{pointer}: the schema has {consts:?}, the reader accepts {accepted:?}"
                        ));
                    }
                    if let Some(written) = written
                        && written != accepted
                    {
                        problems.push(format!(
                            "{pointer}: the reader accepts {accepted:?}, as_str writes {written:?}"
                        ));
                    }
                }
            },
        }
    }
    for (pointer, ..) in &objects {
        if !found
            .iter()
            .any(|(p, s)| p == pointer && matches!(s, Shape::Object(_)))
        {
            problems.push(format!(
                "{pointer}: listed, but not an object in the schema"
            ));
        }
    }
    for (pointer, ..) in &enums {
        if !found
            .iter()
            .any(|(p, s)| p == pointer && matches!(s, Shape::Enum(_)))
        {
            problems.push(format!("{pointer}: listed, but not an enum in the schema"));
        }
    }
    assert_eq!(problems, Vec::<String>::new());
}

/// Each reader reads exactly the keys it lists (`KnownFields` asserts it in debug builds).
#[test]
fn every_reader_reads_exactly_its_keys() {
    for (_, _, read) in objects() {
        read();
    }
}

/// Every `default` under `value`, by JSON pointer.
fn schema_defaults(value: &Value, pointer: &str, found: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(default) = map.get("default") {
                found.insert(pointer.to_owned(), default.clone());
            }
            for (key, child) in map {
                schema_defaults(child, &format!("{pointer}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                schema_defaults(child, &format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// A profile that leaves out every optional field, with every optional section that has
/// defaults (an object metric's `describedObject`, `postgres.backup`, `redis.exporter`,
/// `redis.auth`).
const SPARSE: &str = r#"
version: 1
name: sparse
namespace: sparse
platform: {repoURL: "https://example.com/charts.git", path: charts/mplp}
traffic: {host: api.example.com, service: mplp-core}
regions:
  us-east-1: {weight: 100}
modules:
  core:
    replicas: {min: 1, max: 2}
    metrics:
      - {object: requests, describedObject: {kind: Service, name: mplp-core}, value: "10"}
metrics:
  requests: {}
postgres:
  storage: {size: 1Gi}
  backup: {destinationPath: "s3://bucket/path", credentialsSecret: backup}
redis:
  image: quay.io/opstree/redis:v7.0.15
  storage: {size: 1Gi}
  exporter: {image: quay.io/opstree/redis-exporter:v1.44.0}
  auth: {secret: redis-auth}
"#;

/// Every `default` the schema states is what the reader fills in when the key is left
/// out, and every field the reader fills in with a fixed value has its `default` there.
#[allow(clippy::too_many_lines)] // one scenario, step by step
#[test]
fn the_schemas_defaults_are_the_readers() {
    let loaded = crate::load::load(
        &[crate::load::Input::Text {
            name: "sparse.yaml".to_owned(),
            text: SPARSE.to_owned(),
        }],
        &[],
    )
    .unwrap();
    assert_eq!(loaded.diagnostics, vec![]);
    let p = loaded.profile.unwrap();
    let pg = p.postgres.as_ref().unwrap();
    let backup = pg.backup.as_ref().unwrap();
    let redis = p.redis.as_ref().unwrap();
    let super::Metric::Object {
        described_object, ..
    } = &p.modules["core"].metrics.as_ref().unwrap()[0]
    else {
        panic!("an object metric")
    };
    let argocd = &p.platform.argocd;
    let read: BTreeMap<&str, Value> = [
        (
            "Platform/properties/targetRevision",
            json!(p.platform.target_revision),
        ),
        ("ArgoCd/properties/namespace", json!(argocd.namespace)),
        ("ArgoCd/properties/project", json!(argocd.project)),
        ("ArgoCd/properties/server", json!(argocd.server)),
        ("ArgoCd/properties/prune", json!(argocd.prune)),
        ("ArgoCd/properties/selfHeal", json!(argocd.self_heal)),
        ("ArgoCd/properties/protectData", json!(argocd.protect_data)),
        ("ArgoCd/properties/rollingSync", json!(argocd.rolling_sync)),
        (
            "Manifests/properties/path",
            json!(p.platform.manifests.path),
        ),
        (
            "Manifests/properties/profile",
            json!(p.platform.manifests.profile),
        ),
        (
            "Traffic/properties/regionHeader",
            json!(p.traffic.region_header),
        ),
        ("Traffic/properties/port", json!(p.traffic.port)),
        (
            "Region/properties/primary",
            json!(p.regions["us-east-1"].primary),
        ),
        (
            "DescribedObject/properties/apiVersion",
            json!(described_object.api_version),
        ),
        ("Postgres/properties/name", json!(pg.name)),
        ("Postgres/properties/appSecret", json!(pg.app_secret)),
        ("Postgres/properties/instances", json!(pg.instances)),
        (
            "Backup/properties/accessKeyIdKey",
            json!(backup.access_key_id_key),
        ),
        (
            "Backup/properties/secretAccessKeyKey",
            json!(backup.secret_access_key_key),
        ),
        ("Backup/properties/schedule", json!(backup.schedule)),
        ("Pooler/properties/enabled", json!(pg.pooler.enabled)),
        ("Pooler/properties/instances", json!(pg.pooler.instances)),
        (
            "Pooler/properties/maxClientConn",
            json!(pg.pooler.max_client_conn),
        ),
        (
            "Pooler/properties/defaultPoolSize",
            json!(pg.pooler.default_pool_size),
        ),
        (
            "Monitoring/properties/podMonitor",
            json!(pg.monitoring.pod_monitor),
        ),
        ("Redis/properties/name", json!(redis.name)),
        ("Redis/properties/clusterSize", json!(redis.cluster_size)),
        ("Redis/properties/version", json!(redis.version)),
        (
            "Redis/properties/spreadAcrossZones",
            json!(redis.spread_across_zones),
        ),
        ("Redis/properties/persistence", json!(redis.persistence)),
        (
            "Exporter/properties/enabled",
            json!(redis.exporter.as_ref().unwrap().enabled),
        ),
        (
            "RedisAuth/properties/key",
            json!(redis.auth.as_ref().unwrap().key),
        ),
        ("RedisPdb/properties/enabled", json!(redis.pdb.enabled)),
        (
            "AntiAffinity/properties/topologyKey",
            json!(redis.anti_affinity.topology_key),
        ),
        (
            "MetricsAdapter/properties/name",
            json!(p.metrics_adapter.name),
        ),
        (
            "MetricsAdapter/properties/namespace",
            json!(p.metrics_adapter.namespace),
        ),
        (
            "MetricsAdapter/properties/rateInterval",
            json!(p.metrics_adapter.rate_interval),
        ),
        (
            "MetricSource/properties/queue",
            json!(p.metrics["requests"].queue),
        ),
        (
            "Prometheus/properties/serverAddress",
            json!(p.autoscaling.prometheus.server_address),
        ),
    ]
    .into_iter()
    .collect();

    let mut stated = BTreeMap::new();
    schema_defaults(&profile_schema(), "", &mut stated);
    let stated: BTreeMap<&str, Value> = stated
        .iter()
        .map(|(pointer, v)| {
            let short = pointer.strip_prefix("/$defs/").unwrap_or(pointer);
            (short, v.clone())
        })
        .collect();
    assert_eq!(stated, read);
    // The fields whose default the schema cannot state (their types are not serialized).
    assert_eq!(argocd.values_format, ValuesFormat::Object);
    assert_eq!(p.traffic.api_version, IstioVersion::V1);
    assert_eq!(p.platform.delivery, Delivery::ApplicationSet);
    assert_eq!(p.platform.manifests, super::Manifests::default());
    assert_eq!(p.traffic.mode, TrafficMode::Weighted);
    assert_eq!(p.traffic.ingress, super::Ingress::default());
    assert_eq!(p.regions["us-east-1"].cluster, None);
    assert_eq!(pg.pooler, Pooler::default());
    assert_eq!(pg.pooler.pool_mode, PoolMode::Transaction);
    assert_eq!(redis.monitoring, Monitoring::default());
    assert_eq!(redis.pdb, RedisPdb::default());
    assert_eq!(redis.anti_affinity.mode, AffinityMode::Required);
    assert_eq!(p.metrics["requests"].kind, SeriesKind::Gauge);
    assert_eq!(p.pod_labels, None);
}

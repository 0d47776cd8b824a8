//! What `#[profile]` cannot guarantee by construction: its key and string names are
//! computed by its own code (from the same `serde` attributes schemars reads), and the
//! hand-written schema parts (`schema.rs`) and readers (`read/`) are written twice. So:
//! every object of the JSON Schema is a `#[profile]` type whose `KEYS` are the schema's
//! properties, and every enum's `CHOICES` are the schema's strings, in order. A type the
//! schema has and this list does not (or the other way round) fails.

use serde_json::Value;

use super::autoscaling::{
    AuthMode, Autoscaling, Backend, EvictionPolicy, MetricSource, MetricsAdapter, Pdb, Prometheus,
    PrometheusAuth, SeriesKind,
};
use super::platform::{ArgoCd, Ingress, Manifests, Versions};
use super::*;

/// `(name, strings)` of each type, by its schema name.
macro_rules! named {
    ($list:ident: $($ty:ident),* $(,)?) => {
        vec![$((stringify!($ty), $ty::$list.iter().map(ToString::to_string).collect::<Vec<_>>())),*]
    };
}

fn choices<T>(choices: &[(&str, T)]) -> Vec<String> {
    choices.iter().map(|(s, _)| (*s).to_owned()).collect()
}

#[test]
fn the_schema_and_the_readers_agree() {
    let schema = profile_schema();
    let mut objects = named!(KEYS:
        Platform, ArgoCd, Manifests, Network, Versions, Traffic, Ingress, Region, Replicas,
        Resources, ResourceList, RegionPostgres, ModuleOverride, DescribedObject, Behavior,
        ScalingRules, ScalingPolicy, Vpa, Pdb, Defaults, Module, PolicyRule, MetricSource,
        MetricsAdapter, Autoscaling, Prometheus, PrometheusAuth, Postgres, Storage, Backup,
        Pooler, Monitoring, Switchover, Redis, Exporter, PodSecurityContext, RedisAuth,
        RedisPdb, AntiAffinity,
    );
    objects.push(("", Profile::KEYS.iter().map(ToString::to_string).collect()));
    let mut enums = vec![
        ("ValuesFormat", choices(ValuesFormat::CHOICES)),
        ("Delivery", choices(Delivery::CHOICES)),
        ("ManifestSource", choices(ManifestSource::CHOICES)),
        ("IstioVersion", choices(IstioVersion::CHOICES)),
        ("TrafficMode", choices(TrafficMode::CHOICES)),
        ("SelectPolicy", choices(SelectPolicy::CHOICES)),
        ("PolicyType", choices(PolicyType::CHOICES)),
        ("UpdateMode", choices(UpdateMode::CHOICES)),
        ("ResourceName", choices(ResourceName::CHOICES)),
        ("ControlledValues", choices(ControlledValues::CHOICES)),
        ("EvictionPolicy", choices(EvictionPolicy::CHOICES)),
        ("Backend", choices(Backend::CHOICES)),
        ("SeriesKind", choices(SeriesKind::CHOICES)),
        ("AuthMode", choices(AuthMode::CHOICES)),
        ("PoolMode", choices(PoolMode::CHOICES)),
        ("AffinityMode", choices(AffinityMode::CHOICES)),
    ];
    // Read by hand (`read/`), with a hand-written schema (`schema.rs`).
    let by_hand = ["Quantity", "Metric", "IntOrPercent", "Scalar", "ScalarText"];

    let mut problems = Vec::new();
    let defs = schema["$defs"].as_object().expect("`$defs`");
    let shapes = defs
        .iter()
        .map(|(name, def)| (name.as_str(), def))
        .chain([("", &schema)]);
    for (name, def) in shapes {
        let strings = |key: &str| -> Option<Vec<String>> {
            match def.get(key)? {
                Value::Object(props) => Some(props.keys().cloned().collect()),
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => None,
            }
        };
        let one_of = def
            .get("oneOf")
            .and_then(Value::as_array)
            .and_then(|items| {
                items
                    .iter()
                    .map(|v| v.get("const").and_then(Value::as_str).map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
            });
        let (schema, list) = match (strings("properties"), strings("enum").or(one_of)) {
            (Some(props), _) => (props, &mut objects),
            (None, Some(consts)) => (consts, &mut enums),
            (None, None) if by_hand.contains(&name) => continue,
            (None, None) => {
                problems.push(format!(
                    "{name}: neither an object, an enum nor read by hand"
                ));
                continue;
            }
        };
        match list.iter().position(|(n, _)| *n == name) {
            None => problems.push(format!("{name}: not listed here")),
            Some(i) => {
                let (_, derived) = list.remove(i);
                if derived != schema {
                    problems.push(format!(
                        "{name}: the schema has {schema:?}, the reader {derived:?}"
                    ));
                }
            }
        }
    }
    for (name, _) in objects.iter().chain(&enums) {
        problems.push(format!("{name}: listed, but not in the schema"));
    }
    assert_eq!(problems, Vec::<String>::new());
}

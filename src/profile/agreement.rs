//! The profile's shape is written twice, once for the JSON Schema (the types' derives and
//! `schema.rs`) and once for reading (`read.rs`). These tests hold the two together: every
//! object in the schema has the keys its reader knows, every enum the strings its reader
//! accepts, both ways, and every default the schema states is what the reader fills in.

use serde_json::Value;

use super::{
    ArgoCd, Backup, Behavior, ControlledValues, Defaults, DescribedObject, Exporter, IstioVersion,
    Metric, Module, ModuleOverride, Network, Platform, PodSecurityContext, PolicyRule, PolicyType,
    Postgres, Profile, Redis, Region, RegionPostgres, Replicas, ResourceList, ResourceName,
    Resources, ScalingPolicy, ScalingRules, SelectPolicy, Storage, Traffic, UpdateMode,
    ValuesFormat, Vpa, profile_schema,
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
    vec![
        ("", Profile::KEYS, read_empty::<Profile>),
        ("/$defs/Platform", Platform::KEYS, read_empty::<Platform>),
        ("/$defs/ArgoCd", ArgoCd::KEYS, read_empty::<ArgoCd>),
        ("/$defs/Network", Network::KEYS, read_empty::<Network>),
        ("/$defs/Traffic", Traffic::KEYS, read_empty::<Traffic>),
        ("/$defs/Region", Region::KEYS, read_empty::<Region>),
        (
            "/$defs/RegionPostgres",
            RegionPostgres::KEYS,
            read_empty::<RegionPostgres>,
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
        ("/$defs/Postgres", Postgres::KEYS, read_empty::<Postgres>),
        ("/$defs/Storage", Storage::KEYS, read_empty::<Storage>),
        ("/$defs/Backup", Backup::KEYS, read_empty::<Backup>),
        ("/$defs/Redis", Redis::KEYS, read_empty::<Redis>),
        ("/$defs/Exporter", Exporter::KEYS, read_empty::<Exporter>),
        (
            "/$defs/PodSecurityContext",
            PodSecurityContext::KEYS,
            read_empty::<PodSecurityContext>,
        ),
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

//! The profile's JSON Schema: derived from the types, plus the few shapes that the
//! derive cannot see because `read/` reads them its own way (quantities, the short
//! metric forms, scalars kept as written).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use super::{DescribedObject, Metric, Profile, Scalar};
use crate::quantity::Quantity;

/// The JSON Schema of a profile (draft 2020-12), as `mplp-scale schema` prints it.
#[must_use]
pub fn profile_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Profile)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$id".to_owned(),
            json!("https://mplp.io/schemas/mplp-scale/profile.schema.json"),
        );
    }
    schema
}

/// `JsonSchema` for a type read by hand (`read/`): its schema, written out.
macro_rules! fixed_schema {
    ($ty:ident, $schema:tt) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}
pub(super) use fixed_schema;

/// A value the profile takes as text whatever its YAML type (`max_connections: 200`).
pub(super) struct ScalarText;

fixed_schema!(ScalarText, {
    "description": "A value, kept as text (`256MB`, `\"200\"`, `0.9`).",
    "type": ["string", "number", "boolean"]
});

fixed_schema!(Quantity, {
    "description": "A Kubernetes quantity: a number, then a decimal suffix (n u m k M G T P E), a binary suffix (Ki Mi Gi Ti Pi Ei) or an exponent: `500m`, `2Gi`, `100`.",
    "anyOf": [
        {
            "type": "string",
            "pattern": "^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$"
        },
        {"type": "number"}
    ]
});

fixed_schema!(Scalar, {
    "description": "A number, or a value such as `200ms`.",
    "type": ["string", "number"]
});

impl JsonSchema for Metric {
    fn schema_name() -> Cow<'static, str> {
        "Metric".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let quantity =
            serde_json::to_value(generator.subschema_for::<Quantity>()).unwrap_or_default();
        let described =
            serde_json::to_value(generator.subschema_for::<DescribedObject>()).unwrap_or_default();
        let value = json!({
            "description": "One HPA metric: `{resource: cpu|memory, utilization: N}` or `{resource: …, averageValue: Q}`, `{pods: NAME, averageValue: Q}`, or `{object: NAME, describedObject: {…}, value: Q}` (or `averageValue`).",
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "resource": {"description": "The resource: `cpu` or `memory`.", "enum": ["cpu", "memory"]},
                        "utilization": {"description": "Target average utilization, percent of the pods' request.", "type": "integer", "minimum": 1},
                        "averageValue": {"description": "Target average usage per pod.", "allOf": [quantity]}
                    },
                    "required": ["resource"],
                    "oneOf": [{"required": ["utilization"]}, {"required": ["averageValue"]}],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "pods": {"description": "The per-pod metric's name.", "type": "string"},
                        "averageValue": {"description": "Target average value per pod.", "allOf": [quantity]}
                    },
                    "required": ["pods", "averageValue"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "object": {"description": "The object metric's name.", "type": "string"},
                        "describedObject": {"description": "The object the metric describes.", "allOf": [described]},
                        "value": {"description": "Target value of the metric.", "allOf": [quantity]},
                        "averageValue": {"description": "Target value divided by the pods.", "allOf": [quantity]}
                    },
                    "required": ["object", "describedObject"],
                    "oneOf": [{"required": ["value"]}, {"required": ["averageValue"]}],
                    "additionalProperties": false
                }
            ]
        });
        Schema::try_from(value).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> jsonschema::Validator {
        jsonschema::validator_for(&profile_schema()).expect("the schema compiles")
    }

    fn as_json(yaml: &str) -> Value {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn the_default_profile_validates() {
        let v = validator();
        let doc = as_json(crate::load::DEFAULT_PROFILE);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new());
    }

    /// A module KEDA scales may scale to zero: the schema takes `replicas.min: 0` (lint
    /// decides per backend, E0102), so an editor does not flag a valid KEDA profile.
    #[test]
    fn a_keda_module_may_scale_to_zero() {
        let v = validator();
        let keda = format!(
            "{}autoscaling: {{backend: keda}}\n",
            crate::load::DEFAULT_PROFILE.replacen("replicas: {min: 2,", "replicas: {min: 0,", 1)
        );
        let errors: Vec<String> = v
            .iter_errors(&as_json(&keda))
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors, Vec::<String>::new());
        let negative = keda.replacen("replicas: {min: 0,", "replicas: {min: -1,", 1);
        assert!(!v.is_valid(&as_json(&negative)));
    }

    #[test]
    fn misspelled_keys_and_bad_enums_are_rejected() {
        let v = validator();
        let bad = crate::load::DEFAULT_PROFILE.replacen(
            "namespace: mplp-production",
            "namespce: mplp-production",
            1,
        );
        assert!(!v.is_valid(&as_json(&bad)));
        let bad =
            crate::load::DEFAULT_PROFILE.replacen("selectPolicy: Max", "selectPolicy: Maximum", 1);
        assert!(!v.is_valid(&as_json(&bad)));
        let bad = crate::load::DEFAULT_PROFILE.replacen(
            "{resource: cpu, utilization: 60}",
            "{resource: cpu, utilisation: 60}",
            1,
        );
        assert!(!v.is_valid(&as_json(&bad)));
    }

    #[test]
    fn every_field_has_a_description() {
        fn walk(value: &Value, path: &str, missing: &mut Vec<String>) {
            let Value::Object(map) = value else { return };
            if let Some(Value::Object(props)) = map.get("properties") {
                for (key, prop) in props {
                    let has = prop.get("description").is_some()
                        || prop.get("$ref").is_some() && prop.get("description").is_some();
                    if !has {
                        missing.push(format!("{path}.{key}"));
                    }
                    walk(prop, &format!("{path}.{key}"), missing);
                }
            }
            for (key, child) in map {
                if key != "properties" {
                    if let Value::Object(_) = child {
                        walk(child, &format!("{path}/{key}"), missing);
                    }
                    if let Value::Array(items) = child {
                        for item in items {
                            walk(item, &format!("{path}/{key}"), missing);
                        }
                    }
                }
            }
        }
        let mut missing = Vec::new();
        walk(&profile_schema(), "", &mut missing);
        assert_eq!(missing, Vec::<String>::new());
    }
}

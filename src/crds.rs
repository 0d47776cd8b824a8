//! `lint --crds DIR`: check what a profile renders against the real APIs.
//!
//! Custom resources are validated against the `openAPIV3Schema` of the CRD version that
//! serves their `apiVersion` and `kind`, read from `DIR/*.yaml`. The API server prunes
//! (or, with field validation, rejects) fields a structural schema does not declare, so
//! here they are errors: every object schema with `properties` gets
//! `additionalProperties: false` unless it says `x-kubernetes-preserve-unknown-fields`.
//! `nullable` and `x-kubernetes-int-or-string` are translated to JSON Schema.
//!
//! Built-in kinds (HPA, `ConfigMap`) have no CRD: they are read into their k8s-openapi
//! types (Kubernetes 1.37) and written back; a field that does not survive the round
//! trip is unknown to Kubernetes, and a value that does not read is of the wrong type.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde_json::{Map, Value};

use crate::kinds::Check;
use crate::plan::PlannedObject;

/// One served version of one CRD, ready to validate.
struct Served {
    api_version: String,
    kind: String,
    validator: jsonschema::Validator,
}

/// The CRDs of a directory.
pub(crate) struct Crds {
    served: Vec<Served>,
}

/// A rendered object the API would refuse: the object's `# Source:` name, where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub source: String,
    pub path: String,
    pub message: String,
}

impl Crds {
    /// Read every `*.yaml` in `dir` (not its subdirectories) and keep the CRDs' served versions.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("failed to read the CRD directory `{}`", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        let mut served = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("failed to read `{}`", path.display()))?;
            let docs: Vec<Value> = serde_saphyr::from_str_multiple(&text)
                .with_context(|| format!("`{}` is not YAML", path.display()))?;
            for doc in docs {
                if doc["kind"] != "CustomResourceDefinition" {
                    continue;
                }
                let group = doc["spec"]["group"].as_str().unwrap_or_default();
                let kind = doc["spec"]["names"]["kind"].as_str().unwrap_or_default();
                for version in doc["spec"]["versions"].as_array().into_iter().flatten() {
                    if version["served"] != Value::Bool(true) {
                        continue;
                    }
                    let Some(schema) = version.pointer("/schema/openAPIV3Schema") else {
                        continue;
                    };
                    let mut schema = schema.clone();
                    structural(&mut schema, true);
                    let validator = jsonschema::validator_for(&schema).map_err(|e| {
                        anyhow::anyhow!(
                            "the schema of {kind} in `{}` does not compile: {e}",
                            path.display()
                        )
                    })?;
                    served.push(Served {
                        api_version: format!(
                            "{group}/{}",
                            version["name"].as_str().unwrap_or_default()
                        ),
                        kind: kind.to_owned(),
                        validator,
                    });
                }
            }
        }
        if served.is_empty() {
            bail!("no CustomResourceDefinition found in `{}`", dir.display());
        }
        Ok(Self { served })
    }

    /// Whether the object's kind is built in, or a CRD of the directory serves it.
    #[must_use]
    pub(crate) fn serves(&self, object: &PlannedObject) -> bool {
        match object.kind.check {
            Check::Builtin(_) => true,
            Check::Crd => self
                .served
                .iter()
                .any(|s| s.api_version == object.api_version && s.kind == object.kind.kind),
        }
    }

    /// Check one rendered object (its document read back) the way its kind says.
    #[must_use]
    pub(crate) fn check(&self, object: &PlannedObject, doc: &Value) -> Vec<Problem> {
        let found = match object.kind.check {
            Check::Builtin(check) => check(doc),
            Check::Crd => match self
                .served
                .iter()
                .find(|s| s.api_version == object.api_version && s.kind == object.kind.kind)
            {
                Some(served) => served
                    .validator
                    .iter_errors(doc)
                    .map(|e| (pointer_to_path(e.instance_path().as_str()), e.to_string()))
                    .collect(),
                None => vec![(
                    "(root)".to_owned(),
                    format!(
                        "no CRD in the directory serves `{}` `{}`",
                        object.api_version, object.kind.kind
                    ),
                )],
            },
        };
        found
            .into_iter()
            .map(|(path, message)| Problem {
                source: object.source(),
                path,
                message,
            })
            .collect()
    }
}

/// Read a built-in object into its k8s-openapi type and back; report what did not survive.
#[must_use]
pub(crate) fn builtin<T: serde::de::DeserializeOwned + serde::Serialize>(
    doc: &Value,
) -> Vec<(String, String)> {
    match serde_json::from_value::<T>(doc.clone()) {
        Err(e) => vec![(
            "(root)".to_owned(),
            format!("does not read as the Kubernetes 1.37 type: {e}"),
        )],
        Ok(typed) => {
            let back = serde_json::to_value(&typed).unwrap_or(Value::Null);
            let mut out = Vec::new();
            lost_fields(doc, &back, "", &mut out);
            out
        }
    }
}

/// Fields of `original` that `back` does not have: unknown to the type.
fn lost_fields(original: &Value, back: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match (original, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match b.get(key) {
                    Some(other) => lost_fields(value, other, &here, out),
                    None if value.is_null() => {}
                    None => out.push((here, format!("unknown field `{key}`"))),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                lost_fields(x, y, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// `/spec/metrics/0/type` → `spec.metrics[0].type`.
fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        if part.bytes().all(|b| b.is_ascii_digit()) && !part.is_empty() {
            out.push('[');
            out.push_str(part);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    if out.is_empty() {
        "(root)".to_owned()
    } else {
        out
    }
}

/// Make a CRD schema say what the API server enforces, in JSON Schema terms.
fn structural(schema: &mut Value, root: bool) {
    let Value::Object(map) = schema else { return };
    if map.get("nullable") == Some(&Value::Bool(true))
        && let Some(Value::String(t)) = map.get("type").cloned()
    {
        {
            map.insert(
                "type".to_owned(),
                Value::Array(vec![Value::String(t), "null".into()]),
            );
        }
    }
    if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        map.remove("type");
        map.entry("anyOf")
            .or_insert_with(|| serde_json::json!([{"type": "integer"}, {"type": "string"}]));
    }
    let preserve = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if map.contains_key("properties") && !map.contains_key("additionalProperties") && !preserve {
        map.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    if root {
        // apiVersion, kind and metadata are the API server's, not the CRD's, to check.
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            props.insert("metadata".to_owned(), serde_json::json!({"type": "object"}));
            props.insert(
                "apiVersion".to_owned(),
                serde_json::json!({"type": "string"}),
            );
            props.insert("kind".to_owned(), serde_json::json!({"type": "string"}));
        }
    }
    for key in ["properties", "patternProperties", "definitions"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for child in children.values_mut() {
                structural(child, false);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            structural(child, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            for child in children.iter_mut() {
                structural(child, false);
            }
        }
    }
    let _: &mut Map<String, Value> = map;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_crds() -> Option<Crds> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crds");
        if !dir.is_dir() {
            // Counted by scripts/test, like tests/suite/common.rs `skipped`.
            eprintln!("SKIPPED: ../shared/crds is absent");
            if let Some(log) = std::env::var_os("MPLP_SCALE_SKIPPED") {
                use std::io::Write as _;
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(log);
                let _ = file.and_then(|mut f| f.write_all(b"../shared/crds is absent\n"));
            }
            return None;
        }
        Some(Crds::load(&dir).unwrap())
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_found() {
        let Some(crds) = shared_crds() else { return };
        let objects = crate::plan::plan(
            &crate::load::load(&[], &[]).unwrap().profile.unwrap(),
            &crate::plan::Selection::all(),
        );
        let of = |kind: &crate::kinds::KindInfo| {
            objects
                .iter()
                .find(|o| std::ptr::eq(o.kind, kind))
                .unwrap()
                .clone()
        };
        let check = |object: &PlannedObject, text: &str| {
            crds.check(object, &serde_saphyr::from_str(text).unwrap())
        };
        let redis = of(&crate::kinds::redis_cluster::INFO);
        let problems = check(
            &redis,
            "apiVersion: redis.redis.opstreelabs.in/v1beta2\nkind: RedisCluster\nmetadata: {name: r}\nspec:\n  clusterSize: \"three\"\n  kubernetesConfig: {image: x:1, imagePullPolicy: IfNotPresent}\n  redisConfig: {maxmemory: 3gb}\n",
        );
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"spec.clusterSize"), "{problems:?}");
        assert!(paths.contains(&"spec.redisConfig"), "{problems:?}");
        let hpa = of(&crate::kinds::hpa::INFO);
        let problems = check(
            &hpa,
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n  minReplica: 1\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "spec.minReplica");
        let mut old = redis.clone();
        old.api_version = "redis.redis.opstreelabs.in/v1beta1";
        assert!(
            check(&old, "metadata: {name: r}\n")[0]
                .message
                .contains("no CRD")
        );
    }

    #[test]
    fn paths_read_like_kubectl() {
        assert_eq!(
            pointer_to_path("/spec/metrics/0/type"),
            "spec.metrics[0].type"
        );
        assert_eq!(pointer_to_path(""), "(root)");
    }
}

//! `mplp-scale diff OLD NEW`: what changes between two renders, object by object.
//!
//! Each side is a rendered stream (YAML, or the JSON Lines of `render --format json`) or a
//! profile (a YAML map with `version` and `regions`, which is checked and rendered first).
//! Objects are matched by apiVersion, kind, namespace and name, and by their
//! `topology.mplp.io/region` label: the same HPA exists once per region, in different
//! clusters. Linear in the size of the sides: a document whose text the other side holds
//! too is the same object, unchanged, and is never parsed; the others are parsed and
//! matched through a hash map. Exit status like diff(1): 0 when identical, 1 when
//! different or when a side is a profile with errors (as everywhere else: profile errors
//! are 1), 2 when a side cannot be read or holds no objects.

mod read;

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Result, anyhow};
use serde_json::Value;

use crate::ExitStatus;
use crate::cli::DiffArgs;
use read::{Doc, Side};

/// The identity of an object in a stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    region: String,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scope = if self.region.is_empty() {
            "global".to_owned()
        } else {
            format!("region {}", self.region)
        };
        let ns = if self.namespace.is_empty() {
            String::new()
        } else {
            format!("{}/", self.namespace)
        };
        write!(
            f,
            "{} {} {ns}{} ({scope})",
            self.api_version, self.kind, self.name
        )
    }
}

pub(crate) fn diff(
    args: &DiffArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    if args.old == "-" && args.new == "-" {
        anyhow::bail!(
            "`diff - -` would read standard input for both sides: give at most one side as `-`"
        );
    }
    let Some(old) = Side::read(&args.old, err)? else {
        return Ok(ExitStatus::Failure);
    };
    let Some(new) = Side::read(&args.new, err)? else {
        return Ok(ExitStatus::Failure);
    };
    let (old_docs, new_docs) = (old.documents()?, new.documents()?);
    let (old_left, new_left) = unmatched_texts(&old_docs, &new_docs);

    // The documents left are parsed; the new side's are found by identity.
    let mut new_objects = Vec::with_capacity(new_left.len());
    let mut by_identity: HashMap<Identity, Vec<usize>> = HashMap::new();
    for doc in new_left.iter().map(|&i| &new_docs[i]) {
        if let Some(object) = object(&new, doc)? {
            by_identity
                .entry(object.0.clone())
                .or_default()
                .push(new_objects.len());
            new_objects.push(Some(object));
        }
    }
    for list in by_identity.values_mut() {
        list.reverse();
    }
    let (mut changed, mut added, mut removed) = (0, 0, 0);
    let mut warnings = Vec::new();
    for doc in old_left.iter().map(|&i| &old_docs[i]) {
        let Some((id, before)) = object(&old, doc)? else {
            continue;
        };
        let found = by_identity
            .get_mut(&id)
            .and_then(Vec::pop)
            .and_then(|i| new_objects[i].take());
        match found {
            None => {
                removed += 1;
                writeln!(out, "- removed: {id}")?;
                if holds_data(&id) {
                    warnings.push(data_removed(&id));
                }
            }
            Some((_, after)) if after != before => {
                changed += 1;
                if promoted_without_token(&id, &before, &after) {
                    warnings.push(promoted(&id));
                }
                writeln!(out, "~ changed: {id}")?;
                let mut lines = Vec::new();
                fields(&before, &after, "", &mut lines);
                for line in lines {
                    writeln!(out, "    {line}")?;
                }
            }
            Some(_) => {}
        }
    }
    for (id, _) in new_objects.iter().flatten() {
        added += 1;
        writeln!(out, "+ added: {id}")?;
    }
    if changed + added + removed == 0 {
        writeln!(err, "no differences ({} objects)", old_docs.len())?;
        return Ok(ExitStatus::Success);
    }
    for warning in &warnings {
        writeln!(err, "{warning}")?;
    }
    writeln!(err, "{changed} changed, {added} added, {removed} removed")?;
    Ok(ExitStatus::Failure)
}

/// Pair the documents whose text is the same on both sides (in order, each used once):
/// they are the same object, unchanged. Returns the indexes of the documents left on
/// each side, in stream order.
fn unmatched_texts(old: &[Doc<'_>], new: &[Doc<'_>]) -> (Vec<usize>, Vec<usize>) {
    let mut by_text: HashMap<&str, Vec<usize>> = HashMap::with_capacity(new.len());
    for (i, doc) in new.iter().enumerate().rev() {
        by_text.entry(doc.text).or_default().push(i);
    }
    let mut new_left = vec![true; new.len()];
    let mut old_left = Vec::new();
    for (i, doc) in old.iter().enumerate() {
        match by_text.get_mut(doc.text).and_then(Vec::pop) {
            Some(j) => new_left[j] = false,
            None => old_left.push(i),
        }
    }
    let new_left = (0..new.len()).filter(|&i| new_left[i]).collect();
    (old_left, new_left)
}

/// A document parsed, with its identity; `None` for an empty one.
fn object(side: &Side, doc: &Doc<'_>) -> Result<Option<(Identity, Value)>> {
    let Some(value) = side.parse(doc)? else {
        return Ok(None);
    };
    let get = |p: &str| {
        value
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let id = Identity {
        region: get("/metadata/labels/topology.mplp.io~1region"),
        api_version: get("/apiVersion"),
        kind: get("/kind"),
        namespace: get("/metadata/namespace"),
        name: get("/metadata/name"),
    };
    if id.kind.is_empty() || id.name.is_empty() {
        return Err(anyhow!(
            "{} holds a document without `kind` or `metadata.name`",
            side.at(doc)
        ));
    }
    Ok(Some((id, value)))
}

/// The API group of an `apiVersion` (empty for the core group).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Whether the object is of a kind that holds data (`kinds::DATA_HOLDERS`).
fn holds_data(id: &Identity) -> bool {
    crate::kinds::DATA_HOLDERS
        .iter()
        .any(|k| k.kind == id.kind && group(k.api_version) == group(&id.api_version))
}

/// W0712: a data-holding object is no longer rendered.
fn data_removed(id: &Identity) -> String {
    format!(
        "warning[W0712]: {id} is removed or renamed: it holds data (a Cluster's and a RedisCluster's volumes are deleted with it, a Namespace takes everything in it). With `platform.argocd.protectData` (the default) Argo CD leaves the live object in place, orphaned; `kubectl apply --prune` or a sync without that protection deletes it and its data (docs/postgres-switchover.md, \"Deleting and renaming\")"
    )
}

/// Whether a CNPG `Cluster` that was a replica becomes the primary of the distributed
/// topology (`replica.primary` equal to `replica.self`, or the name) without a promotion
/// token: CloudNativePG then fails over at once.
fn promoted_without_token(id: &Identity, before: &Value, after: &Value) -> bool {
    if id.kind != "Cluster" || group(&id.api_version) != "postgresql.cnpg.io" {
        return false;
    }
    let is_primary = |doc: &Value| {
        let primary = doc.pointer("/spec/replica/primary").and_then(Value::as_str);
        let this = doc
            .pointer("/spec/replica/self")
            .and_then(Value::as_str)
            .unwrap_or(&id.name);
        primary == Some(this)
    };
    let token = after
        .pointer("/spec/replica/promotionToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    !is_primary(before) && is_primary(after) && token.is_none()
}

/// W0711: the primary moves without the demote and promote phases.
fn promoted(id: &Identity) -> String {
    format!(
        "warning[W0711]: {id} becomes the primary without a promotion token: CloudNativePG fails over at once, the writes the former primary had not archived yet (up to `archive_timeout`, 5 minutes) are lost and the former primary must be rebuilt; move the primary with `postgres.switchover` (demote, then promote with the token: docs/postgres-switchover.md)"
    )
}

/// Field-level differences, one line each: `path: old → new`, `+ path: new`, `- path: old`.
fn fields(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, x) in a {
                match b.get(key) {
                    Some(y) => fields(x, y, &join(key), out),
                    None => out.push(format!("- {}: {}", join(key), short(x))),
                }
            }
            for (key, y) in b {
                if !a.contains_key(key) {
                    out.push(format!("+ {}: {}", join(key), short(y)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                fields(x, y, &format!("{path}[{i}]"), out);
            }
            for (i, x) in a.iter().enumerate().skip(b.len()) {
                out.push(format!("- {path}[{i}]: {}", short(x)));
            }
            for (i, y) in b.iter().enumerate().skip(a.len()) {
                out.push(format!("+ {path}[{i}]: {}", short(y)));
            }
        }
        (x, y) if x != y => out.push(format!("~ {path}: {} → {}", short(x), short(y))),
        _ => {}
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_differences_name_their_paths() {
        let a = json!({"spec": {"w": [50, 30, 20], "x": 1, "gone": true}});
        let b = json!({"spec": {"w": [40, 40, 20, 0], "x": 1, "new": "y"}});
        let mut out = Vec::new();
        fields(&a, &b, "", &mut out);
        assert_eq!(
            out,
            vec![
                "~ spec.w[0]: 50 → 40",
                "~ spec.w[1]: 30 → 40",
                "+ spec.w[3]: 0",
                "- spec.gone: true",
                "+ spec.new: \"y\"",
            ]
        );
    }
}

//! `mplp-scale diff OLD NEW`: what changes between two renders, object by object.
//!
//! Each side is a rendered stream or a profile (a YAML map with `version` and
//! `regions`, which is checked and rendered first). Objects are matched by apiVersion,
//! kind, namespace and name, and by their `topology.mplp.io/region` label: the same
//! HPA exists once per region, in different clusters. Exit status like diff(1): 0 when
//! identical, 1 when different or when a side is a profile with errors (as everywhere
//! else: profile errors are 1), 2 when a side cannot be read.

use std::io::Write;

use anyhow::{Context as _, Result, anyhow};
use serde_json::Value;

use crate::ExitStatus;
use crate::cli::DiffArgs;
use crate::load::Input;
use crate::node::{self, Value as NodeValue};

/// The identity of an object in a stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
    let Some(old) = objects(&args.old, err)? else {
        return Ok(ExitStatus::Failure);
    };
    let Some(new) = objects(&args.new, err)? else {
        return Ok(ExitStatus::Failure);
    };
    let (mut changed, mut added, mut removed) = (0, 0, 0);
    for (id, before) in &old {
        match new.iter().find(|(other, _)| other == id) {
            None => {
                removed += 1;
                writeln!(out, "- removed: {id}")?;
            }
            Some((_, after)) if after != before => {
                changed += 1;
                writeln!(out, "~ changed: {id}")?;
                let mut lines = Vec::new();
                fields(before, after, "", &mut lines);
                for line in lines {
                    writeln!(out, "    {line}")?;
                }
            }
            Some(_) => {}
        }
    }
    for (id, _) in &new {
        if !old.iter().any(|(other, _)| other == id) {
            added += 1;
            writeln!(out, "+ added: {id}")?;
        }
    }
    if changed + added + removed == 0 {
        writeln!(err, "no differences ({} objects)", old.len())?;
        return Ok(ExitStatus::Success);
    }
    writeln!(err, "{changed} changed, {added} added, {removed} removed")?;
    Ok(ExitStatus::Failure)
}

/// The objects of one side, in stream order; `None` (after printing why) when it is a
/// profile with errors.
fn objects(arg: &str, err: &mut dyn Write) -> Result<Option<Vec<(Identity, Value)>>> {
    let input = Input::from_arg(arg);
    let text = match &input {
        Input::Stdin => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("failed to read standard input")?;
            text
        }
        Input::Path(path) => std::fs::read_to_string(path)
            .with_context(|| format!("failed to read `{}`", path.display()))?,
        _ => unreachable!("from_arg gives a path or stdin"),
    };
    let docs: Vec<Value> = if is_profile(&text) {
        let checked = super::check(
            &[Input::Text {
                name: arg.to_owned(),
                text,
            }],
            &[],
        )?;
        let Some(profile) = checked.profile.as_ref().filter(|_| checked.errors() == 0) else {
            crate::diagnostic::print::text(&checked, err)?;
            writeln!(
                err,
                "error: `{arg}` is a profile with errors: nothing to compare"
            )?;
            return Ok(None);
        };
        let renderer = crate::render::Renderer::new()?;
        let mut docs = Vec::new();
        let objects = crate::plan::plan(profile, &crate::plan::Selection::all());
        renderer.render_and_read_back(&objects, |_, _, doc| {
            docs.push(doc);
            Ok(())
        })?;
        docs
    } else {
        let docs: Vec<Option<Value>> = serde_saphyr::from_str_multiple(&text)
            .map_err(|e| anyhow!("`{arg}` is neither a profile nor a YAML stream: {e}"))?;
        docs.into_iter()
            .flatten()
            .filter(|d| !d.is_null())
            .collect()
    };
    docs.into_iter()
        .map(|doc| {
            let get = |p: &str| {
                doc.pointer(p)
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
                    "`{arg}` has a document without `kind` or `metadata.name`"
                ));
            }
            Ok((id, doc))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A profile is a map with `version` and `regions`; a stream is anything else.
fn is_profile(text: &str) -> bool {
    match node::parse(0, text) {
        Ok(tree) => match tree.value {
            NodeValue::Map(map) => map.contains_key("version") && map.contains_key("regions"),
            _ => false,
        },
        Err(_) => false,
    }
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

    #[test]
    fn profiles_are_told_from_streams() {
        assert!(is_profile(crate::load::DEFAULT_PROFILE));
        assert!(!is_profile("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(!is_profile("---\na: 1\n---\nb: 2\n"));
    }
}

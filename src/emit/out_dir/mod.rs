//! `render --out-dir DIR`: `DIR/global/` and `DIR/regions/<name>/`, one file per object
//! and a `kustomization.yaml` in each (resources in stream order, `sortOptions: fifo`,
//! so `kubectl kustomize` keeps the order).
//!
//! DIR is a jail (docs/security.md, "--out-dir is a jail"):
//! - every path is `global/FILE` or `regions/REGION/FILE` of plain names ([`jail`]);
//! - nothing is written, read or removed through a symbolic link below DIR (DIR itself
//!   may be one: the user named it); a link on the way to a file to write stops the render
//!   before anything is written ([`survey`]);
//! - the marker ([`marker`]) lists only the files mplp-scale wrote, each with the hash of
//!   its bytes; a listed file is removed only when it still holds those bytes;
//! - one render at a time ([`lock`]); an interrupted render leaves a tree the next one
//!   takes up ([`apply`]);
//! - a file that already holds its bytes is not written again.
//!
//! DIR must be missing, empty, or hold the marker. A render of some scopes (`--region`,
//! `--global`) reports the other scopes of the tree that the profile now renders
//! differently (docs/argocd.md).

mod apply;
mod fsx;
mod jail;
mod lock;
mod marker;
mod survey;

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::plan::{PlannedObject, Selection};
use crate::render::Renderer;

/// The file `--out-dir` keeps to know which files it wrote.
pub(crate) const MARKER: &str = ".mplp-scale-files";

/// At most this many scopes are named in the warning about stale scopes.
const NAMED_SCOPES: usize = 5;

/// One file of the tree, rendered.
#[derive(Debug)]
struct OutFile {
    /// Its path under DIR: `global/<file>` or `regions/<region>/<file>`.
    relative: String,
    text: String,
    hash: u64,
    /// Whether this render writes it (its scope is selected).
    selected: bool,
}

/// `render --out-dir DIR`: write the scopes of `selection` from `objects`, the plan of the
/// whole profile (the other scopes are rendered only to tell whether the tree holds them
/// as the profile renders them). `extra` are files that are not objects (`(relative path,
/// text)`: the istiod values under `mesh/<region>/`). Warnings go to `err`.
pub(crate) fn write_out_dir(
    renderer: &Renderer,
    objects: &[PlannedObject],
    extra: &[(String, String)],
    selection: &Selection,
    dir: &Path,
    err: &mut dyn Write,
) -> Result<()> {
    // Render and check every path first: a failure leaves the directory as it was.
    let files = layout(renderer, objects, extra, selection, dir)?;
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| {
            format!("failed to create the output directory `{}`", dir.display())
        })?;
    }
    std::fs::read_dir(dir)
        .with_context(|| format!("failed to read the output directory `{}`", dir.display()))?;
    let _lock = lock::TreeLock::acquire(dir, err)?;
    let old_text = read_marker(dir)?;
    let old = old_text
        .as_deref()
        .map(marker::Marker::parse)
        .unwrap_or_default();
    let mut staging = apply::Staging::clean(dir)?;
    let survey = survey::survey(dir, &files, &old)?;
    for warning in &survey.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    warn_stale(&survey.stale, dir, err)?;
    apply::apply(
        dir,
        &files,
        &survey,
        &old,
        old_text.as_deref(),
        &mut staging,
    )
}

/// Every file of the tree, rendered, its path checked.
fn layout(
    renderer: &Renderer,
    objects: &[PlannedObject],
    extra: &[(String, String)],
    selection: &Selection,
    dir: &Path,
) -> Result<Vec<OutFile>> {
    let mut files: Vec<OutFile> = Vec::with_capacity(objects.len() + 128);
    let mut scopes: Vec<(String, bool, Vec<String>)> = Vec::new();
    // A file is `<kind>-<name>.yaml`: two objects of one kind and name in two namespaces
    // would be one file (the second replacing the first), so they are refused.
    let mut paths: std::collections::HashMap<String, &PlannedObject> =
        std::collections::HashMap::with_capacity(objects.len());
    for object in objects {
        let scope = object.scope.dir();
        let selected = selection.includes(&object.scope);
        let name = format!(
            "{}-{}.yaml",
            object.kind.kind.to_ascii_lowercase(),
            object.name
        );
        let relative = format!("{scope}/{name}");
        if let Some(first) = paths.insert(relative.clone(), object) {
            anyhow::bail!(
                "`--out-dir` would write `{relative}` twice: {kind} `{}/{}` and `{}/{}` differ only in their namespace, and a file is named by kind and name; give them different names in the profile",
                first.namespace,
                first.name,
                object.namespace,
                object.name,
                kind = object.kind.kind,
            );
        }
        let mut text = format!("# Source: {}\n", object.source());
        renderer.render(object, &mut text)?;
        files.push(OutFile {
            relative,
            hash: marker::fnv1a64(text.as_bytes()),
            text,
            selected,
        });
        match scopes.iter_mut().rev().find(|(s, _, _)| *s == scope) {
            Some((_, _, names)) => names.push(name),
            None => scopes.push((scope, selected, vec![name])),
        }
    }
    for (scope, selected, names) in scopes {
        let mut text = String::from(
            "# Written by mplp-scale: the objects of this scope, in stream order.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsortOptions:\n  order: fifo\nresources:\n",
        );
        for name in names {
            text.push_str("  - ");
            text.push_str(&name);
            text.push('\n');
        }
        files.push(OutFile {
            relative: format!("{scope}/kustomization.yaml"),
            hash: marker::fnv1a64(text.as_bytes()),
            text,
            selected,
        });
    }
    // Files that are not objects (`mesh/<region>/istiod-values.yaml`): selected with
    // their region.
    for (relative, text) in extra {
        let region = relative.split('/').nth(1).unwrap_or_default();
        files.push(OutFile {
            relative: relative.clone(),
            hash: marker::fnv1a64(text.as_bytes()),
            text: text.clone(),
            selected: selection.includes(&crate::plan::Scope::Region(region.into())),
        });
    }
    for file in &files {
        jail::check_layout(&file.relative).map_err(|why| {
            anyhow::anyhow!(
                "refusing to write `{}`: {why}; nothing was written",
                dir.join(&file.relative)
                    .display()
                    .to_string()
                    .escape_debug()
            )
        })?;
    }
    Ok(files)
}

/// The marker's text, `None` when there is none; an error for a DIR holding anything
/// else but no marker (it was not written by mplp-scale), or a marker that is not a
/// regular file.
fn read_marker(dir: &Path) -> Result<Option<String>> {
    let path = dir.join(MARKER);
    let unreadable = || format!("failed to read `{}`", path.display());
    match jail::Node::at(&path).with_context(unreadable)? {
        jail::Node::File(_) => {
            let mut buf = Vec::new();
            fsx::read_nofollow(&path, &mut buf).with_context(unreadable)?;
            let text = String::from_utf8(buf)
                .map_err(|_| anyhow::anyhow!("`{}` is not UTF-8 text", path.display()))?;
            Ok(Some(text))
        }
        jail::Node::Missing => {
            let ours = [lock::LOCK, apply::STAGING];
            for entry in std::fs::read_dir(dir).with_context(|| {
                format!("failed to read the output directory `{}`", dir.display())
            })? {
                let name = entry?.file_name();
                if !ours.iter().any(|o| name == *o) {
                    anyhow::bail!(
                        "`{}` is not empty and was not written by mplp-scale (no `{MARKER}`): refusing to write into it",
                        dir.display()
                    );
                }
            }
            Ok(None)
        }
        other => anyhow::bail!(
            "refusing to write into `{}`: its marker `{}` is {}",
            dir.display(),
            path.display(),
            other.describe()
        ),
    }
}

/// Tell about the scopes of the tree this render did not write and the profile now
/// renders differently (issue 21, item 8): the tree is not the image of one profile.
fn warn_stale(stale: &[String], dir: &Path, err: &mut dyn Write) -> Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    let mut named = stale
        .iter()
        .take(NAMED_SCOPES)
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if stale.len() > NAMED_SCOPES {
        let _ = write!(named, " and {} more", stale.len() - NAMED_SCOPES);
    }
    let (count, verb, them) = if stale.len() == 1 {
        ("1 scope".to_owned(), "was", "it")
    } else {
        (format!("{} scopes", stale.len()), "were", "them")
    };
    writeln!(
        err,
        "warning: {count} of `{}` {verb} rendered from another state of the profile, and this render did not write {them}: {named}",
        dir.display()
    )?;
    writeln!(
        err,
        "help: render the whole tree (`mplp-scale render --out-dir {}` with the same -f and --set), or add those scopes (`--global`, `--region R`)",
        dir.display()
    )?;
    Ok(())
}

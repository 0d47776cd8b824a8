//! Rendered documents → the `---` stream, to a writer or atomically to a file.
//!
//! Only this module (and `load`, for reading) touches files. `-o FILE` writes a
//! temporary file beside FILE and renames it over FILE only after every document
//! rendered, so a failed render leaves the old file byte-for-byte as it was.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::plan::PlannedObject;
use crate::render::Renderer;

/// Whether standard output is a pipe or a socket (`render | kubectl apply -f -`), where a
/// stream of several clusters' objects is refused (`render --all-clusters` allows it).
#[must_use]
pub(crate) fn stdout_is_pipe() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        // `/dev/stdout` names file descriptor 1; its metadata is the pipe's.
        std::fs::metadata("/dev/stdout")
            .is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_socket())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Render `objects` and write the stream to `out`, one document at a time, after the
/// `header` comment lines.
pub(crate) fn write_stream(
    renderer: &Renderer,
    objects: &[PlannedObject],
    header: &str,
    out: &mut dyn Write,
) -> Result<()> {
    out.write_all(header.as_bytes())?;
    let mut doc = String::with_capacity(4096);
    for object in objects {
        doc.clear();
        doc.push_str("---\n# Source: ");
        object.write_source(&mut doc);
        doc.push('\n');
        renderer.render(object, &mut doc)?;
        out.write_all(doc.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Write `-o FILE` the way a user expects each kind of FILE to be written:
///
/// - `-`: standard output;
/// - a regular file, or a path that does not exist yet: atomically, through a temporary
///   file in the same directory renamed over it once `fill` has succeeded (on failure the
///   temporary file is removed and FILE is untouched);
/// - a symbolic link: its target is replaced atomically as above; the link stays;
/// - anything else (a named pipe, a character device such as `/dev/stdout` or
///   `/dev/null`, a process substitution's `/dev/fd/N`): opened and written directly,
///   never replaced;
/// - a directory, or a path whose directory does not exist: an error naming it.
pub(crate) fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    if path == Path::new("-") {
        let stdout = io::stdout();
        let mut writer = io::BufWriter::new(stdout.lock());
        fill(&mut writer)?;
        return writer.flush().context("failed to write standard output");
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("`{}` is a directory, not a file", path.display())
        }
        Ok(meta) if !meta.is_file() => {
            // A pipe or a device: write through it, never replace it.
            let device = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("failed to open `{}`", path.display()))?;
            let mut writer = io::BufWriter::new(device);
            fill(&mut writer)?;
            return writer
                .flush()
                .with_context(|| format!("failed to write `{}`", path.display()));
        }
        _ => {}
    }
    // A symbolic link: replace what it points to, and keep the link.
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let link = std::fs::read_link(path)
                .with_context(|| format!("failed to read the link `{}`", path.display()))?;
            match path.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            }
        }
        _ => path.to_owned(),
    };
    replace_atomically(&target, fill)
}

/// Write `path` through a temporary file in its directory, renamed over it at the end.
fn replace_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write `{}`: the directory `{}` does not exist",
            path.display(),
            dir.display()
        );
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".mplp-scale-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot write `{}`: the directory `{}` is not writable",
                path.display(),
                dir.display()
            )
        })?;
    {
        let mut writer = io::BufWriter::new(temp.as_file_mut());
        fill(&mut writer)?;
        writer
            .flush()
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    temp.as_file()
        .sync_all()
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    // Keep the permissions of the file we replace (tempfile creates 0600).
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(temp.path(), meta.permissions());
    } else {
        set_default_permissions(temp.path());
    }
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("failed to replace `{}`", path.display()))?;
    Ok(())
}

#[cfg(unix)]
fn set_default_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_default_permissions(_: &Path) {}

/// Whether an error chain ends in a closed pipe (`render | head`): not a failure.
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// `render --format json`: one JSON object per line (JSON Lines), in stream order.
///
/// Each document is rendered as YAML and read back, so the JSON is exactly what a YAML
/// reader gets from the stream.
pub(crate) fn write_json_lines(
    renderer: &Renderer,
    objects: &[PlannedObject],
    out: &mut dyn Write,
) -> Result<()> {
    renderer.render_and_read_back(objects, |_, _, value| {
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

/// The file `--out-dir` keeps to know which files it wrote (one relative path a line).
pub(crate) const OUT_DIR_MARKER: &str = ".mplp-scale-files";

/// `render --out-dir DIR`: `DIR/global/` and `DIR/regions/<name>/`, one file per object
/// and a `kustomization.yaml` in each (resources in stream order, `sortOptions: fifo`,
/// so `kubectl kustomize` keeps the order).
///
/// Everything is rendered before anything is written; each file is written through a
/// temporary file and renamed. DIR must be empty, missing, or written by mplp-scale
/// before (it has the marker file): then the tree is made the exact image of the
/// profile. Files it wrote earlier and does not write again are removed when their scope
/// was rendered now or the profile no longer has that scope (`scopes`, every scope the
/// profile produces: a removed region's folder goes), and so are the folders that this
/// leaves empty. Files it did not write are never touched; the marker is replaced
/// atomically, last. `extra` are files that are not objects (`(relative path, text)`,
/// the istiod values under `mesh/`), written and kept like the objects' files.
pub(crate) fn write_out_dir(
    renderer: &Renderer,
    objects: &[PlannedObject],
    extra: &[(String, String)],
    scopes_of_profile: &[String],
    dir: &Path,
) -> Result<()> {
    let marker = dir.join(OUT_DIR_MARKER);
    let previous: Vec<String> = if dir.exists() {
        let is_empty = std::fs::read_dir(dir)
            .with_context(|| format!("failed to read the output directory `{}`", dir.display()))?
            .next()
            .is_none();
        match std::fs::read_to_string(&marker) {
            Ok(text) => text
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.is_empty())
                .collect(),
            Err(_) if is_empty => Vec::new(),
            Err(_) => anyhow::bail!(
                "`{}` is not empty and was not written by mplp-scale (no `{OUT_DIR_MARKER}`): refusing to write into it",
                dir.display()
            ),
        }
    } else {
        Vec::new()
    };

    // Render everything first: a failure leaves the directory as it was.
    let mut files: Vec<(String, String)> = Vec::with_capacity(objects.len() + 4);
    let mut scopes: Vec<(String, Vec<String>)> = Vec::new();
    for object in objects {
        let scope = object.scope.dir();
        let name = format!(
            "{}-{}.yaml",
            object.kind.kind.to_ascii_lowercase(),
            object.name
        );
        let mut text = format!("# Source: {}\n", object.source());
        renderer.render(object, &mut text)?;
        files.push((format!("{scope}/{name}"), text));
        match scopes.iter_mut().find(|(s, _)| *s == scope) {
            Some((_, names)) => names.push(name),
            None => scopes.push((scope, vec![name])),
        }
    }
    for (scope, names) in &scopes {
        let mut text = String::from(
            "# Written by mplp-scale: the objects of this scope, in stream order.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsortOptions:\n  order: fifo\nresources:\n",
        );
        for name in names {
            text.push_str("  - ");
            text.push_str(name);
            text.push('\n');
        }
        files.push((format!("{scope}/kustomization.yaml"), text));
    }
    files.extend(extra.iter().cloned());

    for (relative, text) in &files {
        let path = dir.join(relative);
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create `{}`", parent.display()))?;
        write_atomically(&path, |w| Ok(w.write_all(text.as_bytes())?))?;
    }

    // Remove what an earlier run wrote in these scopes and this run did not.
    let written: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let mut kept: Vec<String> = Vec::new();
    for old in previous {
        let in_scope = scopes
            .iter()
            .any(|(s, _)| old.starts_with(&format!("{s}/")));
        let gone = !scopes_of_profile
            .iter()
            .any(|s| old.starts_with(&format!("{s}/")));
        let safe = !old.contains("..") && !old.starts_with('/');
        if (in_scope || gone) && safe && !written.contains(&old.as_str()) {
            let path = dir.join(&old);
            match std::fs::remove_file(&path) {
                Ok(()) => remove_empty_parents(&path, dir),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("failed to remove the stale file `{}`", path.display())
                    });
                }
            }
        } else if !written.contains(&old.as_str()) {
            kept.push(old);
        }
    }
    let mut all: Vec<String> = kept;
    all.extend(written.iter().map(|s| (*s).to_owned()));
    all.sort();
    all.dedup();
    let mut text = all.join("\n");
    text.push('\n');
    write_atomically(&marker, |w| Ok(w.write_all(text.as_bytes())?))?;
    Ok(())
}

/// Remove the folders above `path`, up to (not including) `root`, that are now empty;
/// a folder holding anything else stays.
fn remove_empty_parents(path: &Path, root: &Path) {
    let mut here = path.parent();
    while let Some(folder) = here {
        if folder == root || !folder.starts_with(root) || std::fs::remove_dir(folder).is_err() {
            break;
        }
        here = folder.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.yaml");
        std::fs::write(&path, "old\n").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"partial")?;
            anyhow::bail!("render failed")
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "render failed");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        write_atomically(&path, |w| Ok(w.write_all(b"new\n")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }
}

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

/// Render `objects` and write the stream to `out`, one document at a time.
pub fn write_stream(
    renderer: &Renderer,
    objects: &[PlannedObject],
    out: &mut dyn Write,
) -> Result<()> {
    let mut doc = String::with_capacity(4096);
    for object in objects {
        doc.clear();
        doc.push_str("---\n# Source: ");
        doc.push_str(&object.source());
        doc.push('\n');
        renderer.render(object, &mut doc)?;
        out.write_all(doc.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Write a file atomically: a temporary file in the same directory, renamed over `path`
/// once `fill` has succeeded. On failure the temporary file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".mplp-scale-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
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

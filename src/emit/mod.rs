//! Rendered documents → the `---` stream, to a writer or atomically to a file.
//!
//! Only this module (and `load`, for reading) touches files. `-o FILE` writes a
//! temporary file beside FILE and renames it over FILE only after every document
//! rendered, so a failed render leaves the old file byte-for-byte as it was. `--out-dir`
//! is [`out_dir`]'s.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::plan::PlannedObject;
use crate::render::Renderer;

mod out_dir;
mod stream;

pub(crate) use out_dir::write_out_dir;
pub(crate) use stream::{LARGE_STREAM, write_stream};

/// Ask for a pipe of 256 KiB when `out` is one (Linux; the default is 64 KiB): the
/// reader then drains a chunk while the next is written, instead of each write waiting
/// for the reader to wake (measured in `docs/performance.md`: a 68 MB stream through
/// the default pipe takes twice as long). Anything else (a file, a terminal, a pipe
/// already as large, a refusal by the pipe limits) is left as it is. `render` asks only
/// for a stream of [`LARGE_STREAM`] objects or more to standard output: the larger
/// buffer counts against the user's pipe limit (`pipe-user-pages-soft`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn widen_pipe(out: impl std::os::fd::AsFd) {
    const WIDE: usize = 256 * 1024;
    if rustix::pipe::fcntl_getpipe_size(&out).is_ok_and(|size| size < WIDE) {
        let _ = rustix::pipe::fcntl_setpipe_size(&out, WIDE);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn widen_pipe<T>(_: T) {}

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
        let mut writer = io::BufWriter::new(Named::new(io::stdout().lock(), "standard output"));
        fill(&mut writer)?;
        return Ok(writer.flush()?);
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
            let mut writer = io::BufWriter::new(Named::file(device, path));
            fill(&mut writer)?;
            return Ok(writer.flush()?);
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
        // Its errors name FILE, not the temporary file.
        let mut writer = io::BufWriter::new(Named::file(temp.as_file_mut(), path));
        fill(&mut writer)?;
        writer.flush()?;
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

/// A writer whose errors say what it writes (`failed to write standard output: No space
/// left on device`, ``failed to write `out.yaml`: …``), their kind kept: a closed pipe is
/// still one (`render | head`). Named where the bytes go, so an error is named however it
/// comes back (through a render, `serde_json`, a `BufWriter`).
pub(crate) struct Named<W> {
    inner: W,
    name: std::borrow::Cow<'static, str>,
}

impl<W> Named<W> {
    pub(crate) fn new(inner: W, name: &'static str) -> Self {
        Self {
            inner,
            name: name.into(),
        }
    }

    /// A file's writer, named `` `PATH` ``.
    fn file(inner: W, path: &Path) -> Self {
        Self {
            inner,
            name: format!("`{}`", path.display()).into(),
        }
    }

    fn named(&self, err: io::Error) -> io::Error {
        if err.kind() == io::ErrorKind::BrokenPipe {
            return err;
        }
        io::Error::new(err.kind(), format!("failed to write {}: {err}", self.name))
    }
}

impl<W: Write> Write for Named<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.named(e))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe is widened to 256 KiB (where the limits allow it: an unprivileged process
    /// may go up to `/proc/sys/fs/pipe-max-size`, 1 MiB by default); a file is left alone.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_pipe_is_widened_and_a_file_left_alone() {
        let (read, write) = rustix::pipe::pipe().unwrap();
        let before = rustix::pipe::fcntl_getpipe_size(&write).unwrap();
        widen_pipe(&write);
        let max = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok());
        let after = rustix::pipe::fcntl_getpipe_size(&read).unwrap();
        if max.is_some_and(|max| max >= 256 * 1024) {
            assert_eq!(after, before.max(256 * 1024), "{before} bytes before");
        }
        let file = tempfile::tempfile().unwrap();
        widen_pipe(&file);
        assert!(rustix::pipe::fcntl_getpipe_size(&file).is_err());
    }

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

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

pub(crate) use out_dir::write_out_dir;

/// Render `objects` and write the stream to `out`, after the `header` comment lines.
///
/// A stream of [`SECOND_THREAD_FROM`] objects or more is rendered on other threads (one
/// per core but this one, up to three) while this one writes what they rendered:
/// writing to a pipe costs about as much as rendering, and the reader needs a core too
/// (on two cores, a second rendering thread made it slower: `docs/performance.md`). The
/// bytes and their order are the same for any number of threads.
/// Documents are written in groups (the objects of [`GROUP`], or a chunk of
/// [`CHUNK`] bytes); an error ends the stream at the end of a group and is reported.
pub(crate) fn write_stream(
    renderer: &Renderer,
    objects: &[PlannedObject],
    header: &str,
    out: &mut dyn Write,
) -> Result<()> {
    out.write_all(header.as_bytes())?;
    let threads = if objects.len() < SECOND_THREAD_FROM {
        0
    } else {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        cores.saturating_sub(1).clamp(1, 3)
    };
    write_documents(renderer, objects, threads, GROUP, out)?;
    out.flush()?;
    Ok(())
}

/// From how many objects a stream is rendered on other threads (below, starting them
/// costs more than it saves: the embedded profile has about 100).
const SECOND_THREAD_FROM: usize = 2_000;

/// The size a chunk of documents grows to before this thread writes it: a fourth of the
/// pipe [`widen_pipe`] asks for, so that the reader drains one while the next is written.
const CHUNK: usize = 64 * 1024;

/// How many objects a rendering thread renders into one piece of the stream.
const GROUP: usize = 128;

/// How many pieces a rendering thread renders ahead of the writer, at most: enough that
/// a slow group (the first to render a large body) does not stall the other threads.
const AHEAD: usize = 4;

/// Every object's document to `out`: rendered here (`threads` 0), or by `threads`
/// threads, each rendering every `threads`-th group of `group` objects, this one writing
/// the groups in order.
fn write_documents(
    renderer: &Renderer,
    objects: &[PlannedObject],
    threads: usize,
    group: usize,
    out: &mut dyn Write,
) -> Result<()> {
    if threads == 0 {
        let mut chunk = String::with_capacity(CHUNK + 8 * 1024);
        for object in objects {
            push_document(renderer, object, &mut chunk)?;
            if chunk.len() >= CHUNK {
                out.write_all(chunk.as_bytes())?;
                chunk.clear();
            }
        }
        out.write_all(chunk.as_bytes())?;
        return Ok(());
    }
    std::thread::scope(|scope| {
        let mut pieces = Vec::with_capacity(threads);
        let mut rendering = Vec::with_capacity(threads);
        for first in 0..threads {
            // A written group's text comes back, to be filled again.
            let (send, receive) = std::sync::mpsc::sync_channel::<String>(AHEAD);
            let (give_back, returned) = std::sync::mpsc::channel::<String>();
            let groups = objects.chunks(group).skip(first).step_by(threads);
            rendering.push(scope.spawn(move || -> Result<()> {
                for group in groups {
                    let mut text = returned.try_recv().unwrap_or_default();
                    for object in group {
                        push_document(renderer, object, &mut text)?;
                    }
                    if send.send(text).is_err() {
                        break; // the writer stopped, on its own error
                    }
                }
                Ok(())
            }));
            pieces.push((receive, give_back));
        }
        let mut written = Ok(());
        for index in 0..objects.len().div_ceil(group) {
            let (receive, give_back) = &pieces[index % threads];
            // A thread that stopped on an error: its error is reported below.
            let Ok(mut text) = receive.recv() else { break };
            if let Err(err) = out.write_all(text.as_bytes()) {
                written = Err(err);
                break;
            }
            text.clear();
            let _ = give_back.send(text);
        }
        drop(pieces);
        let results: Vec<Result<()>> = (rendering.into_iter())
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        written?;
        results.into_iter().collect()
    })
}

/// One object's document: `---`, its `# Source:` line, the object.
fn push_document(renderer: &Renderer, object: &PlannedObject, out: &mut String) -> Result<()> {
    out.push_str("---\n# Source: ");
    object.write_source(out);
    out.push('\n');
    renderer.render(object, out)
}

/// Ask for a pipe of 256 KiB when `out` is one (Linux; the default is 64 KiB): the
/// reader then drains a chunk while the next is written, instead of each write waiting
/// for the reader to wake (measured in `docs/performance.md`: a 68 MB stream through
/// the default pipe takes twice as long). Anything else (a file, a terminal, a pipe
/// already as large, a refusal by the pipe limits) is left as it is.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded profile's objects (about 100, two chunks of text).
    fn objects() -> Vec<PlannedObject> {
        let profile = crate::load::load(&[], &[]).unwrap().profile.unwrap();
        crate::plan::plan(&profile, &crate::plan::Selection::all())
    }

    /// Rendered on a second thread, the stream is the same bytes, in the same order.
    #[test]
    fn a_stream_rendered_beside_its_writer_is_the_same_stream() {
        let objects = objects();
        let mut alone = Vec::new();
        write_documents(&Renderer::new().unwrap(), &objects, 0, GROUP, &mut alone).unwrap();
        assert!(
            alone.len() > 2 * CHUNK,
            "{} bytes: one chunk only",
            alone.len()
        );
        for (threads, group) in [(1, GROUP), (1, 7), (2, 16), (3, 5)] {
            let mut beside = Vec::new();
            let renderer = Renderer::new().unwrap();
            write_documents(&renderer, &objects, threads, group, &mut beside).unwrap();
            assert!(
                alone == beside,
                "{threads} threads of {group}: the streams differ"
            );
        }
        assert_eq!(
            alone.windows(4).filter(|w| w == b"---\n").count(),
            objects.len()
        );
    }

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

    /// A writer that fails (a closed pipe) after `left` bytes.
    struct Failing {
        left: usize,
        written: Vec<u8>,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The writer's error ends the render thread too, and is the one reported; what was
    /// written is a prefix of the stream.
    #[test]
    fn a_failed_write_stops_the_render_thread() {
        let objects = objects();
        let mut whole = Vec::new();
        write_documents(&Renderer::new().unwrap(), &objects, 0, GROUP, &mut whole).unwrap();
        for threads in 0..=2 {
            let mut out = Failing {
                left: CHUNK + 10,
                written: Vec::new(),
            };
            let err = write_documents(&Renderer::new().unwrap(), &objects, threads, 16, &mut out)
                .unwrap_err();
            assert!(is_broken_pipe(&err), "{err:#}");
            assert_eq!(out.written.len(), CHUNK + 10);
            assert!(whole.starts_with(&out.written));
        }
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

//! The `---` stream: documents rendered in chunks; a large stream rendered on other
//! threads while this one writes it.

use std::io::Write;

use anyhow::Result;

use crate::plan::PlannedObject;
use crate::render::Renderer;

/// Render `objects` and write the stream to `out`, after the `header` comment lines.
///
/// A stream of [`LARGE_STREAM`] objects or more is rendered on other threads (one
/// per core but this one, up to three) while this one writes what they rendered:
/// writing to a pipe costs about as much as rendering, and the reader needs a core too
/// (on two cores, a second rendering thread made it slower: `docs/performance.md`). The
/// bytes and their order are the same for any number of threads. Rendered here, each
/// document is written as it is rendered (into `out`'s buffer); rendered on other threads,
/// in groups of [`GROUP`] objects. An error ends the stream after the last document
/// or group written, and is reported.
pub(crate) fn write_stream(
    renderer: &Renderer,
    objects: &[PlannedObject],
    header: &str,
    out: &mut dyn Write,
) -> Result<()> {
    out.write_all(header.as_bytes())?;
    let threads = if objects.len() < LARGE_STREAM {
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
/// costs more than it saves: the embedded profile has about 100), and a pipe it is
/// written to is widened ([`super::widen_pipe`]).
pub(crate) const LARGE_STREAM: usize = 2_000;

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
    if threads == 0 || !render_beside(renderer, objects, threads, group, out)? {
        // Into `out`'s buffer a document at a time: one buffer of 72 KiB for the whole
        // stream made the embedded render 0.2 ms slower (pages new to the process).
        let mut doc = String::with_capacity(4096);
        for object in objects {
            doc.clear();
            push_document(renderer, object, &mut doc)?;
            out.write_all(doc.as_bytes())?;
        }
    }
    Ok(())
}

/// [`write_documents`] on `threads` threads; `false` (nothing written) when the system
/// refuses a thread (a process limit, as in a container with `pids.max`): the threads
/// started stop at their first hand-over, and the caller renders the stream itself.
fn render_beside(
    renderer: &Renderer,
    objects: &[PlannedObject],
    threads: usize,
    group: usize,
    out: &mut dyn Write,
) -> Result<bool> {
    std::thread::scope(|scope| {
        let mut pieces = Vec::with_capacity(threads);
        let mut rendering = Vec::with_capacity(threads);
        for first in 0..threads {
            // A written group's text comes back, to be filled again.
            let (send, receive) = std::sync::mpsc::sync_channel::<String>(AHEAD);
            let (give_back, returned) = std::sync::mpsc::channel::<String>();
            let groups = objects.chunks(group).skip(first).step_by(threads);
            let started = spawn(scope, first, move || -> Result<()> {
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
            });
            let Ok(thread) = started else {
                drop(pieces);
                join(rendering);
                return Ok(false);
            };
            rendering.push(thread);
            pieces.push((receive, give_back));
        }
        let (mut written, mut stopped) = (Ok(()), None);
        for index in 0..objects.len().div_ceil(group) {
            let (receive, give_back) = &pieces[index % threads];
            // A thread that stopped on an error: its error is reported below.
            let Ok(mut text) = receive.recv() else {
                stopped = Some(index % threads);
                break;
            };
            if let Err(err) = out.write_all(text.as_bytes()) {
                written = Err(err);
                break;
            }
            text.clear();
            let _ = give_back.send(text);
        }
        drop(pieces);
        let mut results = join(rendering);
        written?;
        // The error where the stream stopped, before another thread's later one.
        if let Some(thread) = stopped {
            std::mem::replace(&mut results[thread], Ok(()))?;
        }
        results.into_iter().collect::<Result<()>>()?;
        Ok(true)
    })
}

type Rendering<'scope> = std::thread::ScopedJoinHandle<'scope, Result<()>>;

/// Start the `index`-th rendering thread (a test may have the system refuse it).
fn spawn<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    index: usize,
    work: impl FnOnce() -> Result<()> + Send + 'scope,
) -> std::io::Result<Rendering<'scope>> {
    #[cfg(test)]
    if tests::REFUSED.with(|refused| refused.get() == Some(index)) {
        return Err(std::io::Error::other("refused by the test"));
    }
    let _ = index;
    std::thread::Builder::new().spawn_scoped(scope, work)
}

/// Wait for every rendering thread; a panic in one goes on here.
fn join(threads: Vec<Rendering<'_>>) -> Vec<Result<()>> {
    (threads.into_iter())
        .map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect()
}

/// One object's document: `---`, its `# Source:` line, the object.
fn push_document(renderer: &Renderer, object: &PlannedObject, out: &mut String) -> Result<()> {
    out.push_str("---\n# Source: ");
    object.write_source(out);
    out.push('\n');
    renderer.render(object, out)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io;

    use super::*;

    std::thread_local! {
        /// Which rendering thread the system refuses in this test (as a process limit would).
        pub(super) static REFUSED: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// A refused thread: the stream is rendered here instead, whole and the same.
    #[test]
    fn a_refused_thread_leaves_the_stream_to_this_one() {
        let objects = objects();
        let mut alone = Vec::new();
        write_documents(&Renderer::new().unwrap(), &objects, 0, GROUP, &mut alone).unwrap();
        for refused in [0, 1, 2] {
            REFUSED.with(|r| r.set(Some(refused)));
            let mut out = Vec::new();
            let written = write_documents(&Renderer::new().unwrap(), &objects, 3, 16, &mut out);
            REFUSED.with(|r| r.set(None));
            written.unwrap();
            assert!(alone == out, "thread {refused} refused: the streams differ");
        }
    }

    /// Over two 64 KiB pieces of text.
    const CHUNK: usize = 64 * 1024;

    /// The embedded profile's objects (about 100, 133 KB of text).
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
            assert!(super::super::is_broken_pipe(&err), "{err:#}");
            assert_eq!(out.written.len(), CHUNK + 10);
            assert!(whole.starts_with(&out.written));
        }
    }
}

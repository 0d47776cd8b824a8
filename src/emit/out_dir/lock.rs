//! `DIR/.mplp-scale.lock`: one render at a time into a tree.
//!
//! A second render into the same DIR waits for the first (saying so on stderr once),
//! then reads the marker the first one wrote: no entry is lost and no file is written
//! twice at once. The lock is the operating system's advisory lock on the file
//! (`flock` through `File::lock`), so a render that crashes or is killed releases it.
//! The holder removes the file when done; a waiter that then holds the lock of a removed
//! file opens the file at the path again.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::fsx;
use super::jail::Node;

/// The lock file's name in DIR.
pub(super) const LOCK: &str = ".mplp-scale.lock";

/// The lock on a tree, held until dropped.
pub(super) struct TreeLock {
    path: PathBuf,
    _file: File,
}

impl TreeLock {
    /// Lock `dir` (which exists), waiting for another render that holds it.
    pub(super) fn acquire(dir: &Path, err: &mut dyn Write) -> Result<Self> {
        let path = dir.join(LOCK);
        let mut waited = false;
        loop {
            let node =
                Node::at(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
            if !matches!(node, Node::Missing | Node::File(_)) {
                anyhow::bail!(
                    "refusing to write into `{}`: its lock file `{}` is {}",
                    dir.display(),
                    path.display(),
                    node.describe()
                );
            }
            let file = fsx::open_lock(&path)
                .with_context(|| format!("failed to open the lock file `{}`", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    if !waited {
                        writeln!(
                            err,
                            "note: waiting for another mplp-scale render into `{}` to finish (it holds `{LOCK}`)",
                            dir.display()
                        )?;
                        waited = true;
                    }
                    file.lock()
                        .with_context(|| format!("failed to lock `{}`", path.display()))?;
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("failed to lock `{}`", path.display()));
                }
            }
            if fsx::is_at(&file, &path) {
                return Ok(Self { path, _file: file });
            }
        }
    }
}

impl Drop for TreeLock {
    fn drop(&mut self) {
        // Removed while still held; the lock goes with the file handle, right after.
        let _ = std::fs::remove_file(&self.path);
    }
}

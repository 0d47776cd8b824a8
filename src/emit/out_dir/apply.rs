//! Writing what the survey found, so that a render interrupted anywhere leaves a tree the
//! next render can take up.
//!
//! 1. The marker first lists every file about to be written with its new hash beside its
//!    old one (the journal), so whatever an interruption leaves in place is listed.
//! 2. New and changed files are written into `DIR/.mplp-scale-tmp/`, made durable at once
//!    (`syncfs`), then renamed into place (a rename replaces a file, and never writes
//!    through a link at the destination); each folder they went into is synced once.
//! 3. The stale files go, then the folders this leaves empty.
//! 4. The marker is replaced, last; the staging folder goes.
//!
//! The staging folder of an interrupted render is removed by the next one, under the lock.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::OutFile;
use super::fsx;
use super::jail::Node;
use super::marker::Marker;
use super::survey::Survey;

/// The staging folder's name in DIR.
pub(super) const STAGING: &str = ".mplp-scale-tmp";

/// `DIR/.mplp-scale-tmp/`: where files are written before they are renamed into place.
/// Removed when dropped (after a failure too).
pub(super) struct Staging {
    dir: PathBuf,
    made: bool,
    next: usize,
}

impl Staging {
    /// Remove what an interrupted render left in `root`'s staging folder.
    pub(super) fn clean(root: &Path) -> Result<Self> {
        let dir = root.join(STAGING);
        match Node::at(&dir).with_context(|| format!("failed to read `{}`", dir.display()))? {
            Node::Missing => {}
            Node::Dir => empty_folder(&dir).with_context(|| {
                format!(
                    "failed to remove the temporary files of an interrupted render in `{}`",
                    dir.display()
                )
            })?,
            other => bail!(
                "refusing to write into `{}`: `{}` is {}",
                root.display(),
                dir.display(),
                other.describe()
            ),
        }
        Ok(Self {
            dir,
            made: false,
            next: 0,
        })
    }

    /// Write `bytes` to a new file in the staging folder; its path.
    fn write(&mut self, bytes: &[u8]) -> io::Result<PathBuf> {
        if !self.made {
            std::fs::create_dir(&self.dir)?;
            self.made = true;
        }
        let path = self.dir.join(format!("{}.tmp", self.next));
        self.next += 1;
        let mut file = File::create_new(&path)?;
        file.write_all(bytes)?;
        Ok(path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.made {
            let _ = empty_folder(&self.dir);
        }
    }
}

/// Remove the files in `dir`, then `dir` (a folder in it is an error: not ours).
fn empty_folder(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        // `remove_file` removes a link itself, never what it points to.
        std::fs::remove_file(entry?.path())?;
    }
    std::fs::remove_dir(dir)
}

/// Carry out `survey` in `root`. `old_text` is the marker's text before the render.
pub(super) fn apply(
    root: &Path,
    files: &[OutFile],
    survey: &Survey,
    old: &Marker,
    old_text: Option<&str>,
    staging: &mut Staging,
) -> Result<()> {
    let text = survey.marker.text();
    if survey.writes.is_empty() && survey.removals.is_empty() && old_text == Some(&text) {
        return Ok(());
    }
    // Folders whose names change: synced once each ("" is DIR).
    let mut touched: BTreeSet<String> = BTreeSet::new();
    if !survey.writes.is_empty() {
        let mut journal = old.clone();
        for &index in &survey.writes {
            journal.record(&files[index].relative, files[index].hash);
        }
        replace_marker(root, &journal.text(), staging)?;
        write_files(root, files, survey, staging, &mut touched)?;
    }
    for relative in &survey.removals {
        let path = root.join(relative);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("failed to remove the stale file `{}`", path.display())
                });
            }
        }
        remove_empty_folders(root, relative, &mut touched);
    }
    for folder in &touched {
        // A folder removed since is gone with its names.
        let path = root.join(folder);
        if Node::at(&path).is_ok_and(|n| n == Node::Dir) {
            fsx::sync_dir(&path).with_context(|| format!("failed to sync `{}`", path.display()))?;
        }
    }
    replace_marker(root, &text, staging)
}

/// Create the new folders, write the new and changed files through the staging folder
/// and rename them into place; note the folders touched.
fn write_files(
    root: &Path,
    files: &[OutFile],
    survey: &Survey,
    staging: &mut Staging,
    touched: &mut BTreeSet<String>,
) -> Result<()> {
    for folder in &survey.new_folders {
        let path = root.join(folder);
        std::fs::create_dir(&path)
            .with_context(|| format!("failed to create `{}`", path.display()))?;
        touched.insert(parent(folder).to_owned());
    }
    let mut staged: Vec<(PathBuf, &str)> = Vec::with_capacity(survey.writes.len());
    for &index in &survey.writes {
        let file = &files[index];
        let temp = staging.write(file.text.as_bytes()).with_context(|| {
            format!("failed to write `{}`", root.join(&file.relative).display())
        })?;
        staged.push((temp, &file.relative));
    }
    let temps: Vec<&Path> = staged.iter().map(|(t, _)| t.as_path()).collect();
    fsx::sync_files(root, &temps)
        .with_context(|| format!("failed to sync the new files under `{}`", root.display()))?;
    for (temp, relative) in &staged {
        let path = root.join(relative);
        std::fs::rename(temp, &path)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        touched.insert(parent(relative).to_owned());
    }
    Ok(())
}

/// Replace `DIR/.mplp-scale-files` with `text`, durably.
fn replace_marker(root: &Path, text: &str, staging: &mut Staging) -> Result<()> {
    let path = root.join(super::MARKER);
    let temp = staging
        .write(text.as_bytes())
        .and_then(|temp| File::open(&temp)?.sync_all().map(|()| temp))
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    std::fs::rename(&temp, &path)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    fsx::sync_dir(root).with_context(|| format!("failed to sync `{}`", root.display()))
}

/// Remove the folders above the removed file `relative` that are now empty, up to DIR
/// (a folder holding anything else stays, and so does one that is a link).
fn remove_empty_folders(root: &Path, relative: &str, touched: &mut BTreeSet<String>) {
    let mut folder = parent(relative);
    touched.insert(folder.to_owned());
    while !folder.is_empty() {
        if std::fs::remove_dir(root.join(folder)).is_err() {
            break;
        }
        folder = parent(folder);
        touched.insert(folder.to_owned());
    }
}

/// The folder holding `relative` ("" for DIR).
fn parent(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(p, _)| p)
}

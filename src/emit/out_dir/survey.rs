//! Before anything is written: what is in the tree, looked at without following a link.
//!
//! Each file to write is new, changed, or already holds its bytes (then it is left alone,
//! its modification time too). A symbolic link, or a file where a folder goes, on the way
//! to a file to write stops the render before anything is written. Each file the marker
//! lists that this render does not write is kept (its scope was not rendered now), removed
//! (its scope was rendered now or is gone from the profile, and it still holds the bytes
//! mplp-scale wrote), or kept and reported (anything else).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::OutFile;
use super::fsx;
use super::jail::{self, Folders, Node};
use super::marker::{Marker, fnv1a64};

/// What a render changes in the tree.
#[derive(Debug, Default)]
pub(super) struct Survey {
    /// The files to write (new or changed), by index into the files.
    pub(super) writes: Vec<usize>,
    /// The folders to create, parents first.
    pub(super) new_folders: BTreeSet<String>,
    /// The files to remove, each verified to hold what mplp-scale wrote.
    pub(super) removals: Vec<String>,
    /// Listed files kept, marker lines ignored: one sentence each.
    pub(super) warnings: Vec<String>,
    /// The scopes this render did not write that differ from what the profile renders.
    pub(super) stale: Vec<String>,
    /// The marker once the render is done.
    pub(super) marker: Marker,
}

/// Look at the tree under `dir` for writing `files` (the selected ones) over what `old`
/// lists.
pub(super) fn survey(dir: &Path, files: &[OutFile], old: &Marker) -> Result<Survey> {
    let mut folders = Folders::new(dir);
    let mut survey = Survey::default();
    let mut buf = Vec::new();
    for (index, file) in files.iter().enumerate().filter(|(_, f)| f.selected) {
        let folder = jail::scope_of(&file.relative);
        let exists = folders.check(folder).map_err(|blocked| {
            anyhow::anyhow!(
                "refusing to write `{}`: `{}` is {}, not a folder{}; nothing was written",
                dir.join(&file.relative).display(),
                dir.join(&blocked.at).display(),
                blocked.what,
                why_not(blocked.symlink)
            )
        })?;
        survey.marker.record(&file.relative, file.hash);
        if !exists {
            survey.new_folders.extend(folders.missing(folder));
            survey.writes.push(index);
        } else if !holds(dir, file, old, &mut buf)? {
            survey.writes.push(index);
        }
    }
    prune(dir, files, old, &mut folders, &mut survey);
    survey.stale = stale_scopes(files, old);
    Ok(survey)
}

/// Whether the file already holds its bytes; an error when it cannot be replaced.
fn holds(dir: &Path, file: &OutFile, old: &Marker, buf: &mut Vec<u8>) -> Result<bool> {
    let path = dir.join(&file.relative);
    let node = Node::at(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let same = match node {
        Node::Missing => return Ok(false),
        Node::File(len) if len != file.text.len() as u64 => false,
        Node::File(_) => {
            fsx::read_nofollow(&path, buf)
                .with_context(|| format!("failed to read `{}`", path.display()))?;
            buf.as_slice() == file.text.as_bytes()
        }
        other => bail!(
            "refusing to write `{}`: it is {}{}; nothing was written",
            path.display(),
            other.describe(),
            why_not(other == Node::Symlink)
        ),
    };
    if !same && !old.lists(&file.relative) {
        bail!(
            "refusing to replace `{}`: mplp-scale did not write it (it is not in `{}`); move it away and render again; nothing was written",
            path.display(),
            super::MARKER
        );
    }
    Ok(same)
}

/// Why a symbolic link is refused.
fn why_not(symlink: bool) -> &'static str {
    if symlink {
        " (mplp-scale never follows a symbolic link below the output directory)"
    } else {
        ""
    }
}

/// Sort the marker's entries that this render does not write: kept as listed, removed,
/// or kept and reported.
fn prune(dir: &Path, files: &[OutFile], old: &Marker, folders: &mut Folders, survey: &mut Survey) {
    let written: HashSet<&str> = files
        .iter()
        .filter(|f| f.selected)
        .map(|f| f.relative.as_str())
        .collect();
    let rendered: HashSet<&str> = files
        .iter()
        .filter(|f| f.selected)
        .map(|f| jail::scope_of(&f.relative))
        .collect();
    let profile: HashSet<&str> = files.iter().map(|f| jail::scope_of(&f.relative)).collect();
    let mut buf = Vec::new();
    for (path, hashes) in &old.entries {
        if written.contains(path.as_str()) {
            continue;
        }
        if let Err(why) = jail::check_layout(path) {
            survey.warnings.push(format!(
                "ignored the line `{}` of `{}`: {why}, so it is no file mplp-scale writes; nothing was done to it",
                path.escape_debug(),
                dir.join(super::MARKER).display()
            ));
            continue;
        }
        let scope = jail::scope_of(path);
        if profile.contains(scope) && !rendered.contains(scope) {
            survey.marker.entries.insert(path.clone(), hashes.clone());
            continue;
        }
        match removable(dir, path, hashes, folders, &mut buf) {
            Ok(true) => survey.removals.push(path.clone()),
            Ok(false) => {}
            Err(why) => survey.warnings.push(format!(
                "kept `{}`, which mplp-scale wrote before and no longer renders: {why}; it is no longer listed in `{}`",
                dir.join(path).display(),
                super::MARKER
            )),
        }
    }
}

/// Whether the listed file at `path` is there to remove (`Ok(false)`: already gone), or
/// why it must stay.
fn removable(
    dir: &Path,
    path: &str,
    hashes: &[u64],
    folders: &mut Folders,
    buf: &mut Vec<u8>,
) -> Result<bool, String> {
    match folders.check(jail::scope_of(path)) {
        Ok(true) => {}
        Ok(false) => return Ok(false),
        Err(blocked) => {
            return Err(format!(
                "`{}` on its way is {}",
                dir.join(&blocked.at).display(),
                blocked.what
            ));
        }
    }
    let full = dir.join(path);
    match Node::at(&full) {
        Ok(Node::Missing) => Ok(false),
        Ok(Node::File(_)) if hashes.is_empty() => Err(
            "it is listed without a content hash (by an earlier mplp-scale), so it cannot be verified; remove it yourself if it is not needed".to_owned(),
        ),
        Ok(Node::File(_)) => match fsx::read_nofollow(&full, buf) {
            Ok(()) if hashes.contains(&fnv1a64(buf)) => Ok(true),
            Ok(()) => Err("its content changed since mplp-scale wrote it".to_owned()),
            Err(e) => Err(format!("it is unreadable ({e})")),
        },
        Ok(node) => Err(format!("it is {}", node.describe())),
        Err(e) => Err(format!("it is unreadable ({e})")),
    }
}

/// The scopes of the profile that this render did not write, that the tree holds, and
/// whose files the marker lists differently from what the profile renders now (another
/// state of the profile rendered them: a region removed since, a weight changed).
fn stale_scopes(files: &[OutFile], old: &Marker) -> Vec<String> {
    let mut listed: HashMap<&str, Vec<(&str, &[u64])>> = HashMap::new();
    for (path, hashes) in &old.entries {
        listed
            .entry(jail::scope_of(path))
            .or_default()
            .push((path, hashes));
    }
    let mut expected: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for file in files.iter().filter(|f| !f.selected) {
        expected
            .entry(jail::scope_of(&file.relative))
            .or_default()
            .push((&file.relative, file.hash));
    }
    let mut stale = Vec::new();
    for (scope, mut want) in expected {
        let Some(have) = listed.get(scope) else {
            continue;
        };
        want.sort_unstable();
        let same = have.len() == want.len()
            && have
                .iter()
                .zip(&want)
                .all(|((path, hashes), (p, h))| path == p && *hashes == [*h]);
        if !same {
            stale.push(scope.to_owned());
        }
    }
    stale
}

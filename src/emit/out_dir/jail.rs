//! Keeping `--out-dir` inside DIR: the shape of every path it writes or removes, and the
//! folders below DIR looked at without following a symbolic link.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// Why a path under DIR is not one `--out-dir` writes: `global/FILE`,
/// `regions/REGION/FILE` or `mesh/REGION/FILE` (the istiod values), each component a plain name (not empty, `.` or `..`, no control
/// character, at most 255 bytes), FILE ending in `.yaml`. Checked on the paths built from
/// object and region names (lint checks those names first; this is the last check, in
/// the writer) and on every path a marker lists.
pub(super) fn check_layout(relative: &str) -> Result<(), String> {
    if relative.starts_with('/') {
        return Err("it is an absolute path".to_owned());
    }
    let parts: Vec<&str> = relative.split('/').collect();
    for part in &parts {
        check_component(part)?;
    }
    let (["global", file] | ["regions" | "mesh", _, file]) = parts.as_slice() else {
        return Err(
            "it is not `global/FILE`, `regions/REGION/FILE` or `mesh/REGION/FILE` (a name holding `/`?)"
                .to_owned(),
        );
    };
    // The exact suffix mplp-scale writes: `.YAML` is no file of its own.
    if file.len() <= 5 || !file.as_bytes().ends_with(b".yaml") {
        return Err("it does not end in `.yaml`".to_owned());
    }
    Ok(())
}

fn check_component(part: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err("it has an empty path component".to_owned());
    }
    if part == "." || part == ".." {
        return Err(format!("it has the path component `{part}`"));
    }
    if part.chars().any(char::is_control) {
        return Err(format!(
            "the path component {} holds a control character",
            part.escape_debug()
        ));
    }
    if part.len() > 255 {
        return Err(format!(
            "the path component `{}…` is longer than 255 bytes",
            part.chars().take(40).collect::<String>()
        ));
    }
    Ok(())
}

/// The scope of a path that passed [`check_layout`]: `global` or `regions/REGION`.
#[must_use]
pub(super) fn scope_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(scope, _)| scope)
}

/// What is at a path, looked at without following a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    Missing,
    /// A regular file, and its length.
    File(u64),
    Dir,
    Symlink,
    /// A pipe, a socket, a device.
    Other,
}

impl Node {
    /// What is at `path` (`symlink_metadata`).
    pub(super) fn at(path: &Path) -> io::Result<Self> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) => {
                let kind = meta.file_type();
                Ok(if kind.is_symlink() {
                    Node::Symlink
                } else if kind.is_file() {
                    Node::File(meta.len())
                } else if kind.is_dir() {
                    Node::Dir
                } else {
                    Node::Other
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Node::Missing),
            Err(e) => Err(e),
        }
    }

    /// What it is, in a sentence's words.
    #[must_use]
    pub(super) fn describe(self) -> &'static str {
        match self {
            Node::Missing => "missing",
            Node::File(_) => "a file",
            Node::Dir => "a folder",
            Node::Symlink => "a symbolic link",
            Node::Other => "not a regular file or folder",
        }
    }
}

/// A folder on the way to a file that cannot be used: its path under DIR and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Blocked {
    pub(super) at: String,
    pub(super) what: String,
    pub(super) symlink: bool,
}

/// The folders below DIR (`global`, `regions`, `regions/REGION`), each looked at once.
pub(super) struct Folders {
    root: PathBuf,
    seen: HashMap<String, Result<bool, Blocked>>,
}

impl Folders {
    pub(super) fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            seen: HashMap::new(),
        }
    }

    /// Whether the folder `relative` exists (`Ok(true)`) or is missing with everything
    /// below it (`Ok(false)`), every folder from DIR down to it being a real folder; else
    /// the first one that is a symbolic link, a file, or unreadable.
    pub(super) fn check(&mut self, relative: &str) -> Result<bool, Blocked> {
        if let Some(known) = self.seen.get(relative) {
            return known.clone();
        }
        let above = match relative.rsplit_once('/') {
            Some((parent, _)) => self.check(parent),
            None => Ok(true),
        };
        let result = match above {
            Err(blocked) => Err(blocked),
            Ok(false) => Ok(false),
            Ok(true) => match Node::at(&self.root.join(relative)) {
                Ok(Node::Dir) => Ok(true),
                Ok(Node::Missing) => Ok(false),
                Ok(node) => Err(Blocked {
                    at: relative.to_owned(),
                    what: node.describe().to_owned(),
                    symlink: node == Node::Symlink,
                }),
                Err(e) => Err(Blocked {
                    at: relative.to_owned(),
                    what: format!("unreadable ({e})"),
                    symlink: false,
                }),
            },
        };
        self.seen.insert(relative.to_owned(), result.clone());
        result
    }

    /// The folders on the way to `relative` that are missing, parents first.
    pub(super) fn missing(&mut self, relative: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut here = Some(relative);
        while let Some(folder) = here {
            if self.check(folder) == Ok(true) {
                break;
            }
            out.push(folder.to_owned());
            here = folder.rsplit_once('/').map(|(p, _)| p);
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_tree_layout_passes() {
        for good in [
            "global/applicationset-x.yaml",
            "regions/eu-west-1/kustomization.yaml",
        ] {
            assert_eq!(check_layout(good), Ok(()), "{good}");
        }
        for bad in [
            "README.md",
            ".git/config",
            "../victim",
            "/etc/passwd",
            "global/../x.yaml",
            "regions/../x.yaml",
            "regions/./x.yaml",
            "regions//x.yaml",
            "regions/a/b/x.yaml",
            "global/x\n.yaml",
            "global/x.txt",
            "global",
            "",
        ] {
            assert!(check_layout(bad).is_err(), "{bad:?}");
        }
        let long = format!("global/{}.yaml", "a".repeat(300));
        assert!(check_layout(&long).unwrap_err().contains("255 bytes"));
        assert_eq!(scope_of("regions/eu-west-1/x.yaml"), "regions/eu-west-1");
        assert_eq!(scope_of("global/x.yaml"), "global");
    }
}

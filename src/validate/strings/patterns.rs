//! The [`FIELDS`] patterns, split once: `type_of` runs for every string and key of the
//! profile (splitting every row for each of them was most of `lint`'s time, issue 23).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{FIELDS, Type};
use crate::diagnostic::Seg;

/// One segment of a [`FIELDS`] pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Name(&'static str),
    /// `*` or `<key>`: any map key.
    AnyKey,
    /// `[]`: any list item.
    AnyIndex,
}

/// A [`FIELDS`] row, split once (`type_of` runs for every string of the profile).
pub(super) struct Pattern {
    parts: Vec<Part>,
    /// A leading `**`: the parts match the end of the path.
    suffix: bool,
    key: bool,
    pub(super) ty: Type,
}

pub(super) static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    FIELDS
        .iter()
        .map(|&(pattern, ty)| {
            let mut parts = Vec::new();
            let mut suffix = false;
            for part in pattern.split('.') {
                let (name, list) = match part.strip_suffix("[]") {
                    Some(name) => (name, true),
                    None => (part, false),
                };
                match name {
                    "**" => suffix = true,
                    "*" | "<key>" => parts.push(Part::AnyKey),
                    name => parts.push(Part::Name(name)),
                }
                if list {
                    parts.push(Part::AnyIndex);
                }
            }
            Pattern {
                parts,
                suffix,
                key: pattern.ends_with("<key>"),
                ty,
            }
        })
        .collect()
});

/// The rows that can match a path, by the path's last segment: a string's field type is
/// looked up among the few rows ending in its key (and those ending in any key), not
/// among every row.
struct Index {
    /// By `key` (`<key>` rows apart), then the last part's name.
    named: [HashMap<&'static str, Vec<usize>>; 2],
    /// Rows ending in any key (`*`), by `key`.
    any_key: [Vec<usize>; 2],
    /// Rows ending in `[]`, or in nothing, by `key`.
    other: [Vec<usize>; 2],
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut index = Index {
        named: [HashMap::new(), HashMap::new()],
        any_key: [Vec::new(), Vec::new()],
        other: [Vec::new(), Vec::new()],
    };
    for (i, pattern) in PATTERNS.iter().enumerate() {
        let k = usize::from(pattern.key);
        match pattern.parts.last() {
            Some(Part::Name(name)) => index.named[k].entry(name).or_default().push(i),
            Some(Part::AnyKey) => index.any_key[k].push(i),
            Some(Part::AnyIndex) | None => index.other[k].push(i),
        }
    }
    index
});

/// The first row of [`FIELDS`] that matches `path`, as a scan of every row finds it.
pub(super) fn first_match(path: &[Seg], key: bool) -> Option<&'static Pattern> {
    let index = &*INDEX;
    let k = usize::from(key);
    let lists: [&[usize]; 3] = match path.last() {
        Some(Seg::Key(name)) => [
            index.named[k].get(name.as_str()).map_or(&[], Vec::as_slice),
            &index.any_key[k],
            &index.other[k],
        ],
        _ => [&[], &[], &index.other[k]],
    };
    lists
        .iter()
        .filter_map(|list| {
            list.iter()
                .copied()
                .find(|&i| PATTERNS[i].matches(path, key))
        })
        .min()
        .map(|i| &PATTERNS[i])
}

impl Pattern {
    pub(super) fn matches(&self, path: &[Seg], key: bool) -> bool {
        if self.key != key
            || path.len() < self.parts.len()
            || (!self.suffix && path.len() != self.parts.len())
        {
            return false;
        }
        // From the end: the last segment tells most rows apart.
        self.parts
            .iter()
            .rev()
            .zip(path.iter().rev())
            .all(|(part, seg)| match (part, seg) {
                (Part::AnyIndex, Seg::Index(_)) | (Part::AnyKey, Seg::Key(_)) => true,
                (Part::Name(name), Seg::Key(k)) => name == k,
                _ => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::{FIELDS, PATTERNS, Seg, first_match};

    /// The index finds the row a scan of every row finds, for a path of every row.
    #[test]
    fn the_index_agrees_with_a_scan() {
        for (pattern, _) in FIELDS {
            let mut path = Vec::new();
            for part in pattern.split('.') {
                let (name, list) = part
                    .strip_suffix("[]")
                    .map_or((part, false), |name| (name, true));
                match name {
                    "**" => path.push(Seg::Key("spec".into())),
                    "*" | "<key>" => path.push(Seg::Key("x".into())),
                    name => path.push(Seg::Key(name.into())),
                }
                if list {
                    path.push(Seg::Index(0));
                }
            }
            let own = [pattern.ends_with("<key>")];
            assert!(
                own.iter().any(|&key| first_match(&path, key).is_some()),
                "{pattern} matches no path of its own"
            );
            for key in [false, true] {
                let scan = PATTERNS.iter().position(|p| p.matches(&path, key));
                let found = first_match(&path, key).map(std::ptr::from_ref);
                assert_eq!(
                    found,
                    scan.map(|i| std::ptr::from_ref(&PATTERNS[i])),
                    "{pattern} (key: {key})"
                );
            }
        }
    }
}

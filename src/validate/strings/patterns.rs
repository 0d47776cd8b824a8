//! The [`FIELDS`] patterns, split once: `type_of` runs for every string and key of the
//! profile (splitting every row for each of them was most of `lint`'s time, issue 23).

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

pub(super) static PATTERNS: std::sync::LazyLock<Vec<Pattern>> = std::sync::LazyLock::new(|| {
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

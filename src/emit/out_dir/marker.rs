//! `DIR/.mplp-scale-files`: the files `--out-dir` wrote, each with the hash of the bytes
//! it wrote there.
//!
//! One line per file and hash, sorted: `<path>\tfnv1a64:<16 hex digits>`. A path may be
//! listed twice while a render that replaces the file is under way (the journal: the old
//! hash and the new one). A line holding a path alone is the first format (mplp-scale
//! before content hashes): the file is listed but cannot be verified, so it is never
//! removed. The path comes first so that `cut -f1` lists the files.

use std::collections::BTreeMap;

/// The hash of a file's bytes: FNV-1a, 64 bits. It tells a file mplp-scale wrote from the
/// same file edited since; it is no defence against whoever can edit the marker, who could
/// write any hash (a cryptographic hash would not change that), so it needs no more.
#[must_use]
pub(super) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

const HASH_PREFIX: &str = "fnv1a64:";

/// The marker's entries.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Marker {
    /// A path under DIR → the hashes of the bytes mplp-scale wrote there, sorted; empty for
    /// an entry of the first format, which cannot be verified.
    pub(super) entries: BTreeMap<String, Vec<u64>>,
}

impl Marker {
    /// Read a marker of either format. A line whose hash does not parse lists its path
    /// without a hash (unverified), never with a guessed one.
    #[must_use]
    pub(super) fn parse(text: &str) -> Self {
        let mut marker = Self::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            match line.split_once('\t') {
                Some((path, hash)) => {
                    let hashes = marker.entries.entry(path.to_owned()).or_default();
                    if let Some(hash) = hash
                        .strip_prefix(HASH_PREFIX)
                        .filter(|h| h.len() == 16)
                        .and_then(|h| u64::from_str_radix(h, 16).ok())
                        && !hashes.contains(&hash)
                    {
                        hashes.push(hash);
                        hashes.sort_unstable();
                    }
                }
                None => {
                    marker.entries.entry(line.to_owned()).or_default();
                }
            }
        }
        marker
    }

    /// List `path` as written with bytes of this hash (beside any hash it has).
    pub(super) fn record(&mut self, path: &str, hash: u64) {
        let hashes = self.entries.entry(path.to_owned()).or_default();
        if !hashes.contains(&hash) {
            hashes.push(hash);
            hashes.sort_unstable();
        }
    }

    /// Whether `path` is listed.
    #[must_use]
    pub(super) fn lists(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// The marker's text.
    #[must_use]
    pub(super) fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(self.entries.len() * 96);
        for (path, hashes) in &self.entries {
            if hashes.is_empty() {
                out.push_str(path);
                out.push('\n');
            }
            for hash in hashes {
                let _ = writeln!(out, "{path}\t{HASH_PREFIX}{hash:016x}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // From the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn both_formats_read_and_the_new_one_round_trips() {
        let old = Marker::parse("global/a.yaml\nregions/x/b.yaml\n");
        assert_eq!(old.entries["global/a.yaml"], Vec::<u64>::new());
        let mut new = Marker::default();
        new.record("global/a.yaml", 2);
        new.record("global/a.yaml", 1);
        new.record("regions/x/b.yaml", 0xffff_0000_0000_0001);
        let text = new.text();
        assert_eq!(
            text,
            "global/a.yaml\tfnv1a64:0000000000000001\nglobal/a.yaml\tfnv1a64:0000000000000002\nregions/x/b.yaml\tfnv1a64:ffff000000000001\n"
        );
        assert_eq!(Marker::parse(&text), new);
        let bad = Marker::parse("global/a.yaml\tfnv1a64:xyz\n");
        assert_eq!(bad.entries["global/a.yaml"], Vec::<u64>::new());
    }
}

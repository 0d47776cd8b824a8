//! The embedded default profile's tree, prepared ahead of time (issue 23: no work the
//! input did not ask for). Every command without a profile reads the same text; parsing
//! it was a third of such a run. `src/load/default-profile.tree` holds its tree (values,
//! the text each scalar was written as, and every line and column) in a compact form
//! that [`decode`] reads back in a tenth of the parse; a test
//! (`the_prepared_default_tree_is_the_parsed_one`) holds it equal to what [`super::parse()`]
//! makes of `profiles/production.yaml` and rewrites it when asked
//! (`MPLP_SCALE_UPDATE_TREE=1`).
//!
//! The form, little-endian: the FNV-1a hash of the text it was parsed from (eight bytes:
//! a tree that is not this text's is not used, so an edited default profile is parsed
//! until the tree is rewritten), then the root node. A node is its kind (one byte), its line and column (varints),
//! then its value: nothing (null); a byte and a string (bool); a zigzag varint and a
//! string (int); eight bytes and a string (float); a string; a count and that many nodes
//! (list); a count and that many entries, each a string, the key's line and column, and
//! a node (map). A string is a varint length and UTF-8 bytes.

use indexmap::IndexMap;

use super::{Entry, MAX_DEPTH, Node, Value};
use crate::source::{FileId, Span};

/// The prepared tree of the embedded default profile.
pub(crate) const DEFAULT_TREE: &[u8] = include_bytes!("../load/default-profile.tree");

/// A node's kind: its first byte (the variant's position).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Seq,
    Map,
}

/// The kinds, by their byte.
const KINDS: [Kind; 7] = [
    Kind::Null,
    Kind::Bool,
    Kind::Int,
    Kind::Float,
    Kind::Str,
    Kind::Seq,
    Kind::Map,
];

/// The tree of `text` in `bytes`, its spans in `file`; `None` if `bytes` is not a whole
/// tree in this form, or not the tree of `text` (the caller then parses the text).
pub(crate) fn decode(file: FileId, text: &str, bytes: &[u8]) -> Option<Node> {
    let hash = bytes.get(..8)?;
    if hash != fnv1a(text).to_le_bytes() {
        return None;
    }
    let mut reader = Reader { bytes, at: 8, file };
    let node = reader.node(0)?;
    (reader.at == bytes.len()).then_some(node)
}

/// 64-bit FNV-1a: a fingerprint of the text, not a defence against a forged tree (the
/// tree is compiled into the binary with the text).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
    file: FileId,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.varint()?).ok()
    }

    fn string(&mut self) -> Option<String> {
        let len = self.count()?;
        let bytes = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn span(&mut self) -> Option<Span> {
        Some(Span {
            file: self.file,
            line: u32::try_from(self.varint()?).ok()?,
            col: u32::try_from(self.varint()?).ok()?,
        })
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = *KINDS.get(usize::from(self.byte()?))?;
        let span = self.span()?;
        let value = match kind {
            Kind::Null => Value::Null,
            Kind::Bool => Value::Bool(self.byte()? != 0, self.string()?),
            Kind::Int => {
                let z = self.varint()?;
                // Zigzag: 0, -1, 1, -2, ... as 0, 1, 2, 3, ...
                let i = ((z >> 1) as i64) ^ -((z & 1) as i64);
                Value::Int(i, self.string()?)
            }
            Kind::Float => {
                let bits = self.bytes.get(self.at..self.at + 8)?;
                self.at += 8;
                let x = f64::from_le_bytes(bits.try_into().ok()?);
                Value::Float(x, self.string()?)
            }
            Kind::Str => Value::Str(self.string()?),
            Kind::Seq => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n.min(self.bytes.len()));
                for _ in 0..n {
                    items.push(self.node(depth + 1)?);
                }
                Value::Seq(items)
            }
            Kind::Map => {
                let n = self.count()?;
                let mut map = IndexMap::with_capacity(n.min(self.bytes.len()));
                for _ in 0..n {
                    let key = self.string()?;
                    let key_span = self.span()?;
                    let node = self.node(depth + 1)?;
                    map.insert(key, Entry { key_span, node });
                }
                Value::Map(map)
            }
        };
        Some(Node { value, span })
    }
}

/// The prepared form of `tree`, parsed from `text` (see the module docs).
#[cfg(test)]
pub(crate) fn encode(text: &str, tree: &Node) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn string(out: &mut Vec<u8>, s: &str) {
        varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    fn span(out: &mut Vec<u8>, span: Span) {
        varint(out, u64::from(span.line));
        varint(out, u64::from(span.col));
    }
    fn node(out: &mut Vec<u8>, n: &Node) {
        let kind = match &n.value {
            Value::Null => Kind::Null,
            Value::Bool(..) => Kind::Bool,
            Value::Int(..) => Kind::Int,
            Value::Float(..) => Kind::Float,
            Value::Str(_) => Kind::Str,
            Value::Seq(_) => Kind::Seq,
            Value::Map(_) => Kind::Map,
        };
        out.push(kind as u8);
        span(out, n.span);
        match &n.value {
            Value::Null => {}
            Value::Bool(b, raw) => {
                out.push(u8::from(*b));
                string(out, raw);
            }
            Value::Int(i, raw) => {
                varint(out, ((*i << 1) ^ (*i >> 63)) as u64);
                string(out, raw);
            }
            Value::Float(x, raw) => {
                out.extend_from_slice(&x.to_le_bytes());
                string(out, raw);
            }
            Value::Str(s) => string(out, s),
            Value::Seq(items) => {
                varint(out, items.len() as u64);
                for item in items {
                    node(out, item);
                }
            }
            Value::Map(map) => {
                varint(out, map.len() as u64);
                for (key, entry) in map {
                    string(out, key);
                    span(out, entry.key_span);
                    node(out, &entry.node);
                }
            }
        }
    }
    let mut out = fnv1a(text).to_le_bytes().to_vec();
    node(&mut out, tree);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prepared tree is the parse of the embedded text, value for value and span for
    /// span; `MPLP_SCALE_UPDATE_TREE=1 cargo test prepared` rewrites it after the
    /// default profile changes.
    #[test]
    fn the_prepared_default_tree_is_the_parsed_one() {
        let text = crate::load::DEFAULT_PROFILE;
        let parsed = super::super::parse(0, text).expect("it parses");
        let encoded = encode(text, &parsed);
        if std::env::var_os("MPLP_SCALE_UPDATE_TREE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/load/default-profile.tree");
            std::fs::write(path, &encoded).expect("the tree is written");
            return;
        }
        assert!(
            DEFAULT_TREE == encoded.as_slice(),
            "src/load/default-profile.tree is stale: run `MPLP_SCALE_UPDATE_TREE=1 cargo test prepared`"
        );
        assert_eq!(decode(0, text, DEFAULT_TREE), Some(parsed));
        // Another text (an edited default profile) does not take this tree.
        assert_eq!(
            decode(0, &text.replacen("weight", "weight ", 1), DEFAULT_TREE),
            None
        );
    }

    /// Every kind of value, negative and large numbers and non-ASCII text come back.
    #[test]
    fn every_value_comes_back() {
        let text = "a: null\nb: [yes, -7, 9223372036854775807, -9223372036854775808, 1.5e300, -0.25]\nc: {\"ü\": 'x\\n'}\n";
        let parsed = super::super::parse(3, text).expect("it parses");
        assert_eq!(decode(3, text, &encode(text, &parsed)), Some(parsed));
    }

    /// A truncated or corrupt form is refused, never a panic.
    #[test]
    fn a_broken_form_is_refused() {
        let text = crate::load::DEFAULT_PROFILE;
        let parsed = super::super::parse(0, text).expect("it parses");
        let encoded = encode(text, &parsed);
        for cut in [0, 1, 5, 9, encoded.len() / 2, encoded.len() - 1] {
            assert_eq!(decode(0, text, &encoded[..cut]), None);
        }
        let mut extra = encoded.clone();
        extra.push(0);
        assert_eq!(decode(0, text, &extra), None);
        let header = fnv1a(text).to_le_bytes();
        for body in [
            &[9u8, 1, 1][..],
            &[
                Kind::Map as u8,
                1,
                1,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0x01,
            ],
        ] {
            assert_eq!(decode(0, text, &[&header[..], body].concat()), None);
        }
    }
}

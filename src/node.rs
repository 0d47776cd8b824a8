//! The profile as a positioned YAML tree.
//!
//! serde-saphyr parses each file into a [`Node`] tree in which every value and
//! every key keeps its file, line and column. Layering (`-f a -f b`, `--set`)
//! merges these trees (RFC 7396: maps merge deeply, lists and scalars replace,
//! `null` deletes), so a value keeps the position of the file it came from.
//! `load` then converts the merged tree into the typed [`crate::profile::Profile`]
//! and `validate` looks spans up by field path here.
//!
//! Plain scalars also keep their source text: `updateMode: Off` is a YAML 1.1
//! boolean to serde-saphyr, but a string field takes the text `Off` the user wrote,
//! and `random_page_cost: 1.10` stays `1.10` rather than becoming `1.1`.

use indexmap::IndexMap;

use crate::diagnostic::{FieldPath, Seg};
use crate::source::{FileId, Span};

#[cfg(test)]
mod differential;

/// The fuzz target's comparison of the two parsers (see `differential.rs`).
#[cfg(fuzzing)]
pub(crate) fn fuzz_compare(text: &str) {
    if text.len() > MAX_FILE_BYTES || text.contains('\0') {
        return;
    }
    let new = parse(0, text);
    let old = legacy::parse(0, text);
    match (&new, &old) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text:?}"),
        (Err(a), Ok(_)) if a.message.starts_with("duplicate key") => {}
        // Invalid input with two problems (a nesting budget and a syntax error) may be
        // reported by either first: both refusing is agreement.
        (Err(_), Err(_)) => {}
        _ => panic!("outcomes differ on {text:?}:\nnew {new:?}\nold {old:?}"),
    }
}
#[cfg(any(test, fuzzing))]
pub(crate) mod legacy;
mod parse;
pub(crate) mod prepared;
mod scalar;

/// Largest profile file accepted, checked before parsing.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting accepted (a profile needs about eight levels).
pub const MAX_DEPTH: usize = 64;
/// Most YAML nodes in one file, aliases expanded. The 100-region × 200-module benchmark
/// profile has about 12,000; a billion-laughs file stops here within milliseconds.
pub const MAX_NODES: usize = 100_000;

/// A YAML value with the position where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A map entry: the key's own position and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key_span: Span,
    pub node: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// A boolean and the text it was written as (`true`, `yes`, `Off`, ...).
    Bool(bool, String),
    /// An integer and the text it was written as.
    Int(i64, String),
    /// A float (or an integer beyond `i64`) and the text it was written as.
    Float(f64, String),
    Str(String),
    Seq(Vec<Node>),
    Map(IndexMap<String, Entry>),
}

impl Value {
    /// What a user would call this kind of value, for "expected X, found Y".
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(..) => "a boolean",
            Value::Int(..) => "an integer",
            Value::Float(..) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// The text of a scalar as written (strings as their value).
    #[must_use]
    pub fn scalar_text(&self) -> Option<&str> {
        match self {
            Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) => Some(raw),
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A YAML error that stops a file from being read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub span: Span,
    pub message: String,
    /// Whether a budget (size, depth, nodes, aliases) was exceeded, rather than the syntax.
    pub budget: bool,
    /// The field the walker was reading when it stopped (a duplicate key's own path).
    pub path: FieldPath,
}

impl ParseError {
    /// The same error, one step further out: inside `seg` of the enclosing node.
    #[must_use]
    pub(crate) fn inside(mut self, seg: Seg) -> Self {
        let mut path = FieldPath::root();
        path.push(seg);
        for s in self.path.segs() {
            path.push(s.clone());
        }
        self.path = path;
        self
    }
}

/// Parse one file. An empty file (or one holding only comments) is `null`.
pub(crate) fn parse(file: FileId, text: &str) -> Result<Node, ParseError> {
    let start = Span {
        file,
        line: 1,
        col: 1,
    };
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError {
            span: start,
            // Only the limit and one byte more are read: the size beyond is unknown.
            message: format!("file is larger than the limit of {MAX_FILE_BYTES} bytes (16 MiB)"),
            budget: true,
            path: FieldPath::root(),
        });
    }
    if text.contains('\0') {
        let (line, col) = line_col(text, text.find('\0').unwrap_or(0));
        return Err(ParseError {
            span: Span { file, line, col },
            message: "file contains a NUL byte: this is not a YAML text file".to_owned(),
            budget: false,
            path: FieldPath::root(),
        });
    }
    parse::parse(file, text)
}

/// A few parser messages, said for a person fixing the file.
fn describe_syntax(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}`: a key may appear only once in a map");
    }
    if message.starts_with("tabs disallowed") {
        return "a tab is used for indentation: YAML indents with spaces only".to_owned();
    }
    message.to_owned()
}

fn first_line(message: &str) -> String {
    // serde-saphyr appends ` at line L, column C`; we print the position ourselves.
    let line = message.lines().next().unwrap_or(message).trim();
    match line.rfind(" at line ") {
        Some(i) => line[..i].to_owned(),
        None => line.to_owned(),
    }
}

fn line_col(text: &str, byte: usize) -> (u32, u32) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, col as u32)
}

/// Whether `text` is what a plain scalar's source can be: not an alias (`*a`), an
/// anchor or tag (`&a 1`, `!!int "1"`), a quoted or block scalar, nor anything that
/// spans lines. Only such a source stands for the value as written; otherwise the value
/// is written in its canonical form (an alias's `1`, not `*a`).
fn is_plain_token(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([
            '*', '&', '!', '"', '\'', '|', '>', '[', '{', '#', '%', '@', '`',
        ])
        && !text
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}'))
        && !text.contains(" #")
        && !text.contains(": ")
}

/// Merge `overlay` over `base` (RFC 7396): maps merge deeply, anything else replaces,
/// and a `null` in a map of the overlay deletes the key.
#[must_use]
pub(crate) fn merge(base: Node, overlay: Node) -> Node {
    match (base.value, overlay.value) {
        (Value::Map(mut base_map), Value::Map(over_map)) => {
            for (key, entry) in over_map {
                if entry.node.value == Value::Null {
                    base_map.shift_remove(&key);
                    continue;
                }
                match base_map.get_mut(&key) {
                    Some(existing) => {
                        let old = std::mem::replace(
                            &mut existing.node,
                            Node {
                                value: Value::Null,
                                span: entry.node.span,
                            },
                        );
                        existing.node = merge(old, entry.node);
                        existing.key_span = entry.key_span;
                    }
                    None => {
                        base_map.insert(key, strip_nulls(entry));
                    }
                }
            }
            Node {
                value: Value::Map(base_map),
                span: base.span,
            }
        }
        (_, value) => strip_nulls_node(Node {
            value,
            span: overlay.span,
        }),
    }
}

/// A merge patch that adds a map drops the `null` members inside it (RFC 7396).
fn strip_nulls(mut entry: Entry) -> Entry {
    entry.node = strip_nulls_node(entry.node);
    entry
}

fn strip_nulls_node(node: Node) -> Node {
    match node.value {
        Value::Map(map) => Node {
            value: Value::Map(
                map.into_iter()
                    .filter(|(_, e)| e.node.value != Value::Null)
                    .map(|(k, e)| (k, strip_nulls(e)))
                    .collect(),
            ),
            span: node.span,
        },
        value => Node {
            value,
            span: node.span,
        },
    }
}

impl Node {
    /// The tree as YAML (for `render --show-profile`): block style, keys and strings
    /// plain where that is safe and double-quoted otherwise, other scalars as written.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match &self.value {
            Value::Map(map) if !map.is_empty() => write_map(map, 0, &mut out),
            Value::Seq(items) if !items.is_empty() => write_seq(items, 0, &mut out),
            _ => {
                write_scalar(&self.value, &mut out);
                out.push('\n');
            }
        }
        out
    }

    /// The tree as JSON (for `render --show-profile --format json`), keys in the profile's
    /// order. A number JSON cannot hold (`.inf`, `.nan`) is its text.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b, _) => Json::Bool(*b),
            Value::Int(i, _) => Json::from(*i),
            Value::Float(f, raw) => serde_json::Number::from_f64(*f)
                .map_or_else(|| Json::String(raw.clone()), Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(map) => Json::Object(
                map.iter()
                    .map(|(k, e)| (k.clone(), e.node.to_json()))
                    .collect(),
            ),
        }
    }

    /// The node at `path`, if the tree has one.
    #[must_use]
    pub fn get(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(map)) => &map.get(k.as_str())?.node,
                (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The best position for a diagnostic about `path`: the value there, or the
    /// nearest enclosing value that exists (for a missing key: its parent map).
    #[must_use]
    pub fn span_of(&self, path: &FieldPath) -> Span {
        let mut node = self;
        for seg in path.segs() {
            match (seg, &node.value) {
                (Seg::Key(k), Value::Map(map)) => match map.get(k.as_str()) {
                    Some(entry) => node = &entry.node,
                    None => break,
                },
                (Seg::Index(i), Value::Seq(items)) => match items.get(*i) {
                    Some(item) => node = item,
                    None => break,
                },
                _ => break,
            }
        }
        node.span
    }

    /// The position of the key at the end of `path` (for "unknown field" messages).
    #[must_use]
    pub fn key_span_of(&self, path: &FieldPath) -> Option<Span> {
        let (last, parent) = path.segs().split_last()?;
        let Seg::Key(key) = last else { return None };
        match &self.get(parent)?.value {
            Value::Map(map) => map.get(key.as_str()).map(|e| e.key_span),
            _ => None,
        }
    }
}

fn write_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) if is_plain_token(raw) => {
            out.push_str(raw);
        }
        Value::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, _) => out.push_str(&i.to_string()),
        Value::Float(x, _) => out.push_str(
            &serde_json::Number::from_f64(*x).map_or_else(|| ".nan".to_owned(), |n| n.to_string()),
        ),
        Value::Str(s) => write_string(s, out),
        Value::Map(_) => out.push_str("{}"),
        Value::Seq(_) => out.push_str("[]"),
    }
}

fn write_string(s: &str, out: &mut String) {
    if crate::yaml::is_plain_safe(s) {
        out.push_str(s);
    } else {
        crate::yaml::write_quoted(out, s);
    }
}

fn is_block(value: &Value) -> bool {
    matches!(value, Value::Map(m) if !m.is_empty())
        || matches!(value, Value::Seq(s) if !s.is_empty())
}

fn write_map(map: &IndexMap<String, Entry>, indent: usize, out: &mut String) {
    for (i, (key, entry)) in map.iter().enumerate() {
        if i > 0 || indent > 0 {
            out.push_str(&" ".repeat(indent));
        }
        write_string(key, out);
        out.push(':');
        if is_block(&entry.node.value) {
            out.push('\n');
            match &entry.node.value {
                Value::Map(m) => write_map(m, indent + 2, out),
                Value::Seq(items) => write_seq(items, indent + 2, out),
                _ => {}
            }
        } else {
            out.push(' ');
            write_scalar(&entry.node.value, out);
            out.push('\n');
        }
    }
}

fn write_seq(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match &item.value {
            Value::Map(m) if !m.is_empty() => {
                // The first key follows the dash; the rest line up under it.
                let mut first = String::new();
                write_map(m, indent + 2, &mut first);
                out.push_str(first.trim_start());
            }
            Value::Seq(s) if !s.is_empty() => {
                out.push('\n');
                write_seq(s, indent + 2, out);
            }
            other => {
                write_scalar(other, out);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_yaml_reads_back_as_the_same_tree() {
        let text = "a: {b: 1, c: [x, {d: \"y z\", e: []}], f: {}}\ng: Off\nh: \"yes\"\n\"k: 1\": [[1, 2], 3]\n";
        let node = parse_ok(text);
        let yaml = node.to_yaml();
        let again = parse_ok(&yaml);
        assert_eq!(strip(&node), strip(&again), "{yaml}");
        assert!(yaml.contains("g: Off\n"), "{yaml}");
        assert!(yaml.contains("h: \"yes\"\n"), "{yaml}");
        let production = parse_ok(crate::load::DEFAULT_PROFILE);
        assert_eq!(strip(&parse_ok(&production.to_yaml())), strip(&production));
    }

    fn parse_ok(text: &str) -> Node {
        parse(0, text).expect("parses")
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse_ok("a:\n  b: 5\n  c: [x, y]\n");
        let Value::Map(map) = &node.value else {
            panic!("map")
        };
        let a = &map["a"];
        assert_eq!((a.key_span.line, a.key_span.col), (1, 1));
        let b = node
            .get(&[Seg::Key("a".into()), Seg::Key("b".into())])
            .unwrap();
        assert_eq!(b.value, Value::Int(5, "5".into()));
        assert_eq!((b.span.line, b.span.col), (2, 6));
        let y = node
            .get(&[Seg::Key("a".into()), Seg::Key("c".into()), Seg::Index(1)])
            .unwrap();
        assert_eq!((y.span.line, y.span.col), (3, 10));
    }

    #[test]
    fn plain_scalars_keep_their_text() {
        let node = parse_ok("a: Off\nb: 1.10\nc: \"Off\"\n");
        let get = |k: &str| node.get(&[Seg::Key(k.into())]).unwrap().value.clone();
        assert_eq!(get("a"), Value::Bool(false, "Off".into()));
        assert_eq!(get("b").scalar_text(), Some("1.10"));
        assert_eq!(get("c"), Value::Str("Off".into()));
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse_ok("").value, Value::Null);
        assert_eq!(parse_ok("# only a comment\n").value, Value::Null);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse(0, "a: 1\nb: [1, 2\n").unwrap_err();
        assert!(!err.budget);
        assert!(err.span.line >= 2, "{err:?}");
        let err = parse(0, "a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.span.line, 2, "{err:?}");
    }

    #[test]
    fn budgets_stop_bombs_and_deep_nesting() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            let refs = vec![format!("*{prev}"); 10].join(", ");
            bomb.push_str(
                &[
                    cur.to_string(),
                    ": &".into(),
                    cur.to_string(),
                    " [".into(),
                    refs,
                    "]\n".into(),
                ]
                .concat(),
            );
        }
        let err = parse(0, &bomb).unwrap_err();
        assert!(err.budget, "{err:?}");
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(0, &deep).unwrap_err();
        assert!(err.message.contains("depth") || err.budget, "{err:?}");
        let err = parse(0, "a: \0").unwrap_err();
        assert!(err.message.contains("NUL"));
    }

    #[test]
    fn merge_follows_rfc_7396() {
        let base = parse(0, "a: {b: 1, c: 2}\nl: [1, 2]\nd: 4\n").unwrap();
        let over = parse(
            1,
            "a: {b: 9, c: null, e: {f: null, g: 1}}\nl: [3]\nd: null\n",
        )
        .unwrap();
        let merged = merge(base, over);
        let expected = parse(2, "a: {b: 9, e: {g: 1}}\nl: [3]\n").unwrap();
        assert_eq!(strip(&merged), strip(&expected));
        // The overriding value keeps the position in the file it came from.
        let b = merged
            .get(&[Seg::Key("a".into()), Seg::Key("b".into())])
            .unwrap();
        assert_eq!(b.span.file, 1);
    }

    /// The tree without positions, to compare shapes.
    fn strip(node: &Node) -> String {
        match &node.value {
            Value::Map(map) => {
                let inner: Vec<String> = map
                    .iter()
                    .map(|(k, e)| format!("{k}={}", strip(&e.node)))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            Value::Seq(items) => {
                format!(
                    "[{}]",
                    items.iter().map(strip).collect::<Vec<_>>().join(",")
                )
            }
            other => other.scalar_text().unwrap_or("~").to_owned(),
        }
    }
}

//! The parser the event walker replaced: serde-saphyr's `Spanned` values through serde.
//! Kept for the differential test (`node::tests` and `fuzz/fuzz_targets/parse_differential.rs`)
//! only: the walker must build the same tree, positions included, from any valid input.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};

use super::{Entry, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, Node, ParseError, Value, is_plain_token};
use crate::source::{FileId, Span};

/// Parse one file the old way (after the size and NUL checks `node::parse` makes).
pub(crate) fn parse(file: FileId, text: &str) -> Result<Node, ParseError> {
    let start = Span {
        file,
        line: 1,
        col: 1,
    };
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = 2 * MAX_NODES;
    budget.max_documents = 1;
    budget.max_reader_input_bytes = Some(MAX_FILE_BYTES);
    let mut options = Options::default();
    options.budget = Some(budget);
    match serde_saphyr::from_str_with_options::<Option<Spanned<Raw>>>(text, options) {
        Ok(Some(raw)) => Ok(convert(raw, file, text)),
        Ok(None) => Ok(Node {
            value: Value::Null,
            span: start,
        }),
        Err(err) => {
            let span = err
                .location()
                .map_or(start, |loc| to_span(file, loc.line(), loc.column()));
            let message = err.without_snippet().to_string();
            let budget = matches!(err.without_snippet(), serde_saphyr::Error::Budget { .. })
                || message.contains("budget")
                || message.contains("recursion limit");
            let message = if budget {
                describe_budget(&message)
            } else {
                super::describe_syntax(&super::first_line(&message))
            };
            Err(ParseError {
                span,
                message,
                budget,
                path: crate::diagnostic::FieldPath::root(),
            })
        }
    }
}

/// serde-saphyr's budget breaches (`budget breached: Events { events: 1000001 }`) in words.
fn describe_budget(message: &str) -> String {
    let what = message
        .split("budget breached: ")
        .nth(1)
        .and_then(|rest| rest.split([' ', '{']).next())
        .unwrap_or("");
    match what {
        "Events" | "Nodes" | "Aliases" | "AliasAnchorRatio" | "MergeKeys" => format!(
            "the file has (or expands through aliases to) more than {MAX_NODES} YAML nodes: refused (a \"billion laughs\" file?)"
        ),
        "Depth" => format!("the file nests deeper than {MAX_DEPTH} levels: refused"),
        "Documents" => {
            "the file holds more than one YAML document: a profile is one document".to_owned()
        }
        "Anchors" => "the file defines too many anchors: refused".to_owned(),
        "ScalarBytes" | "InputBytes" | "CommentBytes" => {
            format!("the file is larger than {MAX_FILE_BYTES} bytes (16 MiB): refused")
        }
        _ if message.contains("recursion limit") => {
            format!("the file nests deeper than {MAX_DEPTH} levels: refused")
        }
        _ => super::first_line(message),
    }
}

fn to_span(file: FileId, line: u64, col: u64) -> Span {
    Span {
        file,
        line: u32::try_from(line.max(1)).unwrap_or(u32::MAX),
        col: u32::try_from(col.max(1)).unwrap_or(u32::MAX),
    }
}

/// What serde-saphyr hands us: values with locations, before file ids and raw text.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::UInt(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

fn convert(raw: Spanned<Raw>, file: FileId, text: &str) -> Node {
    let loc = raw.referenced;
    let span = to_span(file, loc.line(), loc.column());
    // The source text of a plain scalar, for fields that want the characters as written.
    let source = || {
        let s = loc.span();
        s.byte_offset()
            .zip(s.byte_len())
            .and_then(|(at, len)| text.get(at as usize..(at + len) as usize))
            .map(str::trim)
            .filter(|t| is_plain_token(t))
    };
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b, source().map_or_else(|| b.to_string(), str::to_owned)),
        Raw::Int(i) => Value::Int(i, source().map_or_else(|| i.to_string(), str::to_owned)),
        Raw::UInt(u) => match i64::try_from(u) {
            Ok(i) => Value::Int(i, source().map_or_else(|| i.to_string(), str::to_owned)),
            Err(_) => Value::Float(
                u as f64,
                source().map_or_else(|| u.to_string(), str::to_owned),
            ),
        },
        Raw::Float(x) => Value::Float(x, source().map_or_else(|| x.to_string(), str::to_owned)),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|i| convert(i, file, text)).collect()),
        Raw::Map(entries) => {
            let mut map = IndexMap::with_capacity(entries.len());
            for (key, value) in entries {
                let key_span = to_span(file, key.referenced.line(), key.referenced.column());
                let node = convert(value, file, text);
                map.insert(key.value, Entry { key_span, node });
            }
            Value::Map(map)
        }
    };
    Node { value, span }
}

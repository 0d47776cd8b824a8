//! Argo CD's Go template engine for the tests: the ApplicationSet controller runs
//! `templatePatch` with `text/template`, sprig's `toJson` and `missingkey=error`; the
//! `gtmpl` crate runs Go templates, and these are the function and the data it needs.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value as Json;

/// Go's `encoding/json` as sprig's `toJson` writes it: `<`, `>`, `&`, U+2028 and U+2029
/// escaped, DEL, C1 controls and non-characters left raw, map keys sorted.
fn go_json(value: &gtmpl::Value, out: &mut String) {
    use gtmpl::Value as V;
    match value {
        V::Nil | V::NoValue | V::Function(_) => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Number(n) => out.push_str(&n.to_string()),
        V::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        V::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        V::Object(map) | V::Map(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(&V::String(key.clone()), out);
                out.push(':');
                go_json(&map[key], out);
            }
            out.push('}');
        }
    }
}

pub(crate) fn to_json(args: &[gtmpl::Value]) -> Result<gtmpl::Value, gtmpl::FuncError> {
    let [value] = args else {
        return Err(gtmpl::FuncError::ExactlyXArgs("toJson".to_owned(), 1));
    };
    let mut out = String::new();
    go_json(value, &mut out);
    Ok(gtmpl::Value::String(out))
}

/// JSON as Go template data: maps are `Object`s, so a missing key is an error, as with
/// Argo CD's `missingkey=error`.
pub(crate) fn go_value(value: &Json) -> gtmpl::Value {
    match value {
        Json::Null => gtmpl::Value::Nil,
        Json::Bool(b) => gtmpl::Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => gtmpl::Value::from(i),
            None => gtmpl::Value::from(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => gtmpl::Value::String(s.clone()),
        Json::Array(items) => gtmpl::Value::Array(items.iter().map(go_value).collect()),
        Json::Object(map) => gtmpl::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), go_value(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

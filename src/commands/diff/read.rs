//! The two sides of `diff`: read, told apart (a profile, a YAML stream, JSON Lines) and
//! split into documents without parsing them. A document is parsed only when the other
//! side has no document with the same text.
//!
//! A rendered stream has no budget but the renderer's: any number of documents, each
//! within what `render --format json` and `--verify` read back (serde-saphyr's default
//! per-document budget). A profile's budget (`node::MAX_FILE_BYTES` and the rest) is for
//! profiles only.

use std::io::Write;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

use crate::load::Input;
use crate::node::{self, Value as NodeValue};

/// How a side's documents are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A YAML stream, documents separated by `---` (what `render` writes).
    Yaml,
    /// JSON Lines, one object per line (what `render --format json` writes).
    Json,
}

/// One side of the comparison: its whole text.
pub(super) struct Side {
    /// How messages name it: `` `path` `` or `standard input`.
    pub(super) name: String,
    text: String,
    format: Format,
}

/// One document of a side, not parsed.
pub(super) struct Doc<'t> {
    /// Its text, as it is in the side (for YAML with its `---` line).
    pub(super) text: &'t str,
    /// The line of the side where it starts (1-based).
    line: usize,
}

impl Side {
    /// Read `arg` (a path, or `-` for standard input). A profile is checked and rendered
    /// (every scope, as `render` does); `None`, after printing why, when it has errors.
    pub(super) fn read(arg: &str, err: &mut dyn Write) -> Result<Option<Self>> {
        let input = Input::from_arg(arg);
        let (name, text) = if let Input::Path(path) = &input {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read `{}`", path.display()))?;
            (format!("`{arg}`"), text)
        } else {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("failed to read standard input")?;
            ("standard input".to_owned(), text)
        };
        if is_profile(&text) {
            return render_profile(arg, text, err).map(|text| {
                text.map(|text| Self {
                    name,
                    text,
                    format: Format::Yaml,
                })
            });
        }
        let format = if first_line_is_json(&text) {
            Format::Json
        } else {
            Format::Yaml
        };
        Ok(Some(Self { name, text, format }))
    }

    /// The documents that hold something (not only comments or blank lines), in order.
    /// None is an error: an empty side is a render that was refused or failed, not a
    /// stream without objects.
    pub(super) fn documents(&self) -> Result<Vec<Doc<'_>>> {
        let docs = match self.format {
            Format::Yaml => yaml_documents(&self.text),
            Format::Json => json_lines(&self.text),
        };
        if docs.is_empty() {
            bail!(
                "{} holds no objects: was the render refused? (`diff` compares two renders, or profiles; an empty side is not read as a render without objects)",
                self.name
            );
        }
        Ok(docs)
    }

    /// Parse one document; `None` for an empty (`null`) one.
    pub(super) fn parse(&self, doc: &Doc<'_>) -> Result<Option<Value>> {
        let value = match self.format {
            Format::Json => serde_json::from_str::<Value>(doc.text).map_err(|e| {
                let message = e.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m);
                anyhow!(
                    "{} line {} column {} is not JSON: {message}",
                    self.name,
                    doc.line,
                    e.column()
                )
            })?,
            Format::Yaml => serde_saphyr::from_str::<Option<Value>>(doc.text)
                .map_err(|e| yaml_error(&self.name, doc, &e))?
                .unwrap_or(Value::Null),
        };
        Ok((!value.is_null()).then_some(value))
    }

    /// Where a document is, for messages: `` `x.yaml` line 12 ``.
    pub(super) fn at(&self, doc: &Doc<'_>) -> String {
        format!("{} line {}", self.name, doc.line)
    }
}

/// A YAML error in words, at its line in the side (serde-saphyr counts from the
/// document's first line; its budget breach is a Debug value, never shown).
fn yaml_error(side: &str, doc: &Doc<'_>, err: &serde_saphyr::Error) -> anyhow::Error {
    let (line, column) = err.location().map_or((doc.line, 1), |l| {
        let line = usize::try_from(l.line()).unwrap_or(1).max(1);
        (doc.line + line - 1, l.column())
    });
    let message = match err.without_snippet() {
        serde_saphyr::Error::Budget { .. } => "the document is larger than a rendered document can be (more than 1,000,000 YAML events or 250,000 nodes, nested deeper than 64, or too many aliases)".to_owned(),
        other => {
            let text = other.to_string();
            let first = text.lines().next().unwrap_or_default();
            // serde-saphyr says where, relative to the document: said above instead.
            let first = first
                .split_once(": ")
                .filter(|(at, _)| at.starts_with("line ") || at.starts_with("error: line "))
                .map_or(first, |(_, m)| m);
            first.rsplit_once(" at line ").map_or(first, |(m, _)| m).to_owned()
        }
    };
    anyhow!("{side} line {line} column {column} is not YAML: {message}")
}

/// A profile is a map with `version` and `regions`; a stream is anything else. (A stream
/// over the profile size limit is not parsed here: `node::parse` refuses it at once.)
fn is_profile(text: &str) -> bool {
    match node::parse(0, text) {
        Ok(tree) => match tree.value {
            NodeValue::Map(map) => map.contains_key("version") && map.contains_key("regions"),
            _ => false,
        },
        Err(_) => false,
    }
}

/// Check and render a profile to its stream; `None` after printing its errors.
fn render_profile(arg: &str, text: String, err: &mut dyn Write) -> Result<Option<String>> {
    // Two objects as one (E0110) is checked below, on every object planned.
    let checked = crate::commands::check_for_full_plan(
        &[Input::Text {
            name: arg.to_owned(),
            text,
        }],
        &[],
    )?;
    let Some(profile) = checked.profile.as_ref().filter(|_| checked.errors() == 0) else {
        crate::diagnostic::print::text(&checked, err)?;
        writeln!(
            err,
            "error: `{arg}` is a profile with errors: nothing to compare"
        )?;
        return Ok(None);
    };
    let renderer = crate::render::Renderer::new()?;
    let objects = crate::plan::plan(profile, &crate::plan::Selection::all());
    // As `render` refuses it: two objects Kubernetes would take for one.
    if let Some(d) = crate::commands::same_object_in_plan(profile, &objects, &checked.tree) {
        writeln!(
            err,
            "{}\n\nerror: `{arg}` is a profile with errors: nothing to compare",
            d.full(&checked.sources)
        )?;
        return Ok(None);
    }
    let mut stream = Vec::new();
    crate::emit::write_stream(&renderer, &objects, "", &mut stream)?;
    Ok(Some(String::from_utf8(stream)?))
}

/// Whether the first line that holds something is one whole JSON object (JSON Lines).
fn first_line_is_json(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| {
            l.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok()
        })
}

/// Every line that holds something is one document.
fn json_lines(text: &str) -> Vec<Doc<'_>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Doc {
            text: l.trim_end_matches('\r'),
            line: i + 1,
        })
        .collect()
}

/// Split a YAML stream at its document markers, as the YAML spec does: a `---` or `...`
/// line at column 0 (never inside a scalar: YAML forbids it there). Directives (`%YAML`,
/// `%TAG`) go with the document they precede, so each part parses on its own.
fn yaml_documents(text: &str) -> Vec<Doc<'_>> {
    let mut docs = Vec::new();
    let (mut start, mut start_line) = (0, 1);
    let mut directives: Option<(usize, usize)> = None;
    let (mut offset, mut line) = (0, 1);
    for raw in text.split_inclusive('\n') {
        let bare = raw.trim_end_matches(['\n', '\r']);
        let next = (offset + raw.len(), line + 1);
        if marker(bare, "---").is_some() {
            let (at, at_line) = directives.take().unwrap_or((offset, line));
            push(&mut docs, &text[start..at], start_line);
            (start, start_line) = (at, at_line);
        } else if marker(bare, "...").is_some() {
            push(&mut docs, &text[start..next.0], start_line);
            (start, start_line) = next;
            directives = None;
        } else if bare.starts_with('%') {
            directives.get_or_insert((offset, line));
        }
        (offset, line) = next;
    }
    push(&mut docs, &text[start..], start_line);
    docs
}

fn push<'t>(docs: &mut Vec<Doc<'t>>, text: &'t str, line: usize) {
    if has_content(text) {
        docs.push(Doc { text, line });
    }
}

/// `line` without the marker (`---`, `...`) that opens it, when it is one.
fn marker<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    line.strip_prefix(marker)
        .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Whether a part of a stream holds more than comments, blank lines, markers and
/// directives.
fn has_content(part: &str) -> bool {
    part.lines().any(|l| {
        let l = marker(l, "---").or_else(|| marker(l, "...")).unwrap_or(l);
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#') && !l.starts_with('%')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, usize)> {
        yaml_documents(text)
            .into_iter()
            .map(|d| (d.text, d.line))
            .collect()
    }

    #[test]
    fn a_stream_splits_at_its_markers_only() {
        let stream = "# header\n---\n# Source: a\na: |\n  ---x\n  text\n---\nb: 1\n...\n%YAML 1.2\n---\nc: 2\n--- # empty\n---\n";
        assert_eq!(
            texts(stream),
            vec![
                ("---\n# Source: a\na: |\n  ---x\n  text\n", 2),
                ("---\nb: 1\n...\n", 7),
                ("%YAML 1.2\n---\nc: 2\n", 10),
            ]
        );
        assert_eq!(texts("a: 1"), vec![("a: 1", 1)]);
        assert_eq!(texts("--- {a: 1}\n"), vec![("--- {a: 1}\n", 1)]);
        assert!(texts("# only comments\n---\n\n").is_empty());
        assert!(texts("").is_empty());
    }

    #[test]
    fn profiles_are_told_from_streams() {
        assert!(is_profile(crate::load::DEFAULT_PROFILE));
        assert!(!is_profile("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(!is_profile("---\na: 1\n---\nb: 2\n"));
        assert!(first_line_is_json("\n{\"kind\": \"A\"}\n{}\n"));
        assert!(!first_line_is_json("# c\n{a: 1}\n"));
        assert!(!first_line_is_json("{\n\"a\": 1}\n"));
    }
}

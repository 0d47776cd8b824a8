//! Files → positioned YAML trees → one merged tree → the typed [`Profile`].
//!
//! This is the only module that reads profiles. It layers the files (`-f a -f b`)
//! and the `--set PATH=VALUE` overrides as RFC 7396 merge patches, then converts the
//! merged tree into the typed model. The conversion never stops at the first
//! problem: a wrong type, a missing field or an unknown key is a [`Diagnostic`]
//! and the walk goes on, so one run reports everything. Checks that need the
//! whole profile (weights, names, bounds) belong to `validate`.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, FieldPath, Seg, Severity};
use crate::node::{self, Entry, Node, Value};
use crate::profile::Profile;
use crate::source::{FileId, Sources, Span};

/// The default profile, embedded in the binary (identical to `profiles/production.yaml`).
pub const DEFAULT_PROFILE: &str = include_str!("../profiles/production.yaml");
/// How the embedded default profile is named in diagnostics.
pub const DEFAULT_PROFILE_NAME: &str = "<default profile>";

/// Where one layer of the profile comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The embedded default profile.
    Default,
    /// Standard input (`-f -`).
    Stdin,
    /// A file on disk.
    Path(PathBuf),
    /// Text already in memory, with the name to show for it (tests, fuzzing).
    Text { name: String, text: String },
}

impl Input {
    /// `-` means standard input, anything else a path.
    #[must_use]
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A profile loaded (and, through `commands::check`, validated): the sources read, the
/// merged tree (the source map of the profile), the typed profile, what failed to load,
/// and every diagnostic. What `render`, `lint` and the other commands start from.
#[derive(Debug)]
pub struct Loaded {
    pub sources: Sources,
    pub tree: Node,
    /// `None` when the profile could not be read into the typed model.
    pub profile: Option<Profile>,
    /// The values that were written but did not load (each one reported already).
    pub failed: FailedPaths,
    /// Every diagnostic of loading (and validation, once checked), sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    #[must_use]
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    #[must_use]
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// The field paths whose value was written in the profile but did not load: a field of the
/// wrong type, a list item or map entry that failed and was left out. Each was reported
/// while loading; `validate` consults this set so that it does not report, say, a list as
/// empty when its items only failed to load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedPaths(BTreeSet<FieldPath>);

impl FailedPaths {
    /// Whether the value at `path` itself failed to load.
    #[must_use]
    pub fn contains(&self, path: &FieldPath) -> bool {
        self.0.contains(path)
    }

    /// Whether an item or entry directly inside `path` failed to load (and was left out).
    #[must_use]
    pub fn any_child(&self, path: &FieldPath) -> bool {
        let depth = path.segs().len() + 1;
        self.0
            .range(path.clone()..)
            .take_while(|p| p.segs().starts_with(path.segs()))
            .any(|p| p.segs().len() == depth)
    }

    fn insert(&mut self, path: FieldPath) {
        self.0.insert(path);
    }
}

/// Read every input (no input: the embedded default), layer them and the `--set`
/// overrides, and convert. Errors are only for inputs that cannot be read at all.
pub fn load(inputs: &[Input], sets: &[String]) -> Result<Loaded> {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut tree: Option<Node> = None;
    let default = [Input::Default];
    let inputs = if inputs.is_empty() {
        &default[..]
    } else {
        inputs
    };
    for input in inputs {
        let (name, text, bad_utf8) = read(input)?;
        let file = sources.add(name, text);
        let text = &sources.get(file).expect("just added").text;
        if bad_utf8 {
            let line = text.matches('\n').count() as u32 + 1;
            let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            diagnostics.push(
                Diagnostic::new(
                    Code::Syntax,
                    FieldPath::root(),
                    "invalid UTF-8: a profile must be UTF-8 text",
                )
                .at(Span { file, line, col }),
            );
            continue;
        }
        match node::parse(file, text) {
            Ok(layer) => {
                tree = Some(match tree {
                    None => layer,
                    Some(base) => node::merge(base, layer),
                });
            }
            Err(err) => {
                let code = if err.budget {
                    Code::Budget
                } else {
                    Code::Syntax
                };
                diagnostics
                    .push(Diagnostic::new(code, FieldPath::root(), err.message).at(err.span));
            }
        }
    }
    if !diagnostics.is_empty() {
        // A file that is not YAML leaves nothing to check; report the syntax errors alone.
        return Ok(Loaded {
            sources,
            tree: Node {
                value: Value::Null,
                span: start_of(0),
            },
            profile: None,
            failed: FailedPaths::default(),
            diagnostics,
        });
    }
    let mut tree = tree.expect("at least one input");
    for set in sets {
        apply_set(&mut tree, set, &mut sources, &mut diagnostics);
    }
    if tree.value == Value::Null {
        diagnostics.push(
            Diagnostic::new(
                Code::WrongType,
                FieldPath::root(),
                "the profile is empty: expected a map with `version`, `name`, `namespace`, `platform`, `traffic`, `regions` and `modules`",
            )
            .at(tree.span)
            .help("start from `mplp-scale init` or `profiles/production.yaml`"),
        );
        return Ok(Loaded {
            sources,
            tree,
            profile: None,
            failed: FailedPaths::default(),
            diagnostics,
        });
    }
    let mut cx = Cx::new();
    // With errors, `profile` may be partial (what failed is left out): good enough to run
    // the rules on, never to render (render refuses when there is any error).
    let profile = Profile::from_node(&tree, &mut cx);
    diagnostics.extend(cx.diagnostics);
    Ok(Loaded {
        sources,
        tree,
        profile,
        failed: cx.failed,
        diagnostics,
    })
}

/// The name and text of an input, and whether its bytes were not UTF-8 (the text is
/// then the valid part, so the diagnostic can point at where it stops).
fn read(input: &Input) -> Result<(String, String, bool)> {
    let (name, bytes) = match input {
        Input::Default => {
            return Ok((
                DEFAULT_PROFILE_NAME.to_owned(),
                DEFAULT_PROFILE.to_owned(),
                false,
            ));
        }
        Input::Text { name, text } => return Ok((name.clone(), text.clone(), false)),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(node::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .context("failed to read the profile from standard input")?;
            ("<stdin>".to_owned(), bytes)
        }
        Input::Path(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("failed to read profile `{}`", path.display()))?;
            let mut bytes = Vec::new();
            file.take(node::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("failed to read profile `{}`", path.display()))?;
            (path.display().to_string(), bytes)
        }
    };
    // Invalid UTF-8 is a diagnostic (E0001), not a failure of the tool. Oversized input
    // stays oversized (we read one byte past the limit), so the parser reports the budget.
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text, false)),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let mut bytes = err.into_bytes();
            bytes.truncate(valid);
            Ok((name, String::from_utf8(bytes).unwrap_or_default(), true))
        }
    }
}

fn start_of(file: FileId) -> Span {
    Span {
        file,
        line: 1,
        col: 1,
    }
}

/// Apply one `--set PATH=VALUE`: the value is YAML (`40`, `"Off"`, `{min: 2, max: 8}`,
/// `null` deletes) and is merged at PATH like one more layer.
fn apply_set(tree: &mut Node, set: &str, sources: &mut Sources, diagnostics: &mut Vec<Diagnostic>) {
    let file = sources.add("--set", set.to_owned());
    let Some((path_text, value_text)) = set.split_once('=') else {
        diagnostics.push(
            Diagnostic::new(
                Code::Syntax,
                FieldPath::root(),
                format!("`--set {set}` has no `=`: expected PATH=VALUE"),
            )
            .at(start_of(file))
            .help("write it like `--set regions.eu-west-1.weight=40`"),
        );
        return;
    };
    let Some(path) = FieldPath::parse(path_text) else {
        diagnostics.push(
            Diagnostic::new(
                Code::Syntax,
                FieldPath::root(),
                format!("`{path_text}` is not a field path: expected keys joined by `.`, with `[N]` for list items"),
            )
            .at(start_of(file)),
        );
        return;
    };
    let value_col = path_text.chars().count() as u32 + 2;
    let mut value = match node::parse(file, value_text) {
        Ok(value) => value,
        Err(err) => {
            diagnostics.push(Diagnostic::new(Code::Syntax, path, err.message).at(Span {
                col: err.span.col + value_col - 1,
                ..err.span
            }));
            return;
        }
    };
    shift_columns(&mut value, value_col - 1);
    let span = Span {
        file,
        line: 1,
        col: value_col,
    };
    if let Err(message) = set_at(tree, path.segs(), value, span) {
        diagnostics.push(Diagnostic::new(Code::WrongType, path, message).at(span));
    }
}

/// The `--set` value was parsed on its own: move its columns behind `PATH=`.
fn shift_columns(node: &mut Node, by: u32) {
    if node.span.line == 1 {
        node.span.col += by;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift_columns(n, by)),
        Value::Map(map) => map.values_mut().for_each(|e| {
            if e.key_span.line == 1 {
                e.key_span.col += by;
            }
            shift_columns(&mut e.node, by);
        }),
        _ => {}
    }
}

fn set_at(tree: &mut Node, path: &[Seg], value: Node, span: Span) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        let old = std::mem::replace(
            tree,
            Node {
                value: Value::Null,
                span,
            },
        );
        *tree = node::merge(old, value);
        return Ok(());
    };
    if tree.value == Value::Null {
        tree.value = Value::Map(IndexMap::new());
    }
    let kind = tree.value.kind();
    match (first, &mut tree.value) {
        (Seg::Key(key), Value::Map(map)) => {
            if rest.is_empty() && value.value == Value::Null {
                map.shift_remove(key.as_str());
                return Ok(());
            }
            let entry = map.entry(key.clone()).or_insert_with(|| Entry {
                key_span: span,
                node: Node {
                    value: Value::Null,
                    span,
                },
            });
            set_at(&mut entry.node, rest, value, span)
        }
        (Seg::Index(i), Value::Seq(items)) => {
            let len = items.len();
            let item = items
                .get_mut(*i)
                .ok_or_else(|| format!("index `{i}` is past the end of a list of {len}"))?;
            set_at(item, rest, value, span)
        }
        (Seg::Key(key), _) => Err(format!("cannot set key `{key}` inside {kind}")),
        (Seg::Index(i), _) => Err(format!("cannot set index `{i}` inside {kind}")),
    }
}

/// The conversion context: where we are in the tree, and what went wrong so far.
#[derive(Debug, Default)]
pub struct Cx {
    path: FieldPath,
    pub diagnostics: Vec<Diagnostic>,
    /// The values that were written but did not convert.
    pub failed: FailedPaths,
}

impl Cx {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The path of the value being converted.
    #[must_use]
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// A diagnostic about `node` at the current path, to complete (`.help(…)`) and [`push`](Self::push).
    #[must_use]
    pub fn diagnostic(&self, code: Code, node: &Node, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.path.clone(), message).at(node.span)
    }

    /// Report a finished diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Report a problem with `node`, at the current path.
    pub fn error(&mut self, code: Code, node: &Node, message: impl Into<String>) {
        let diagnostic = self.diagnostic(code, node, message);
        self.push(diagnostic);
    }

    /// Report that `node` is not of the `expected` type.
    pub fn wrong_type(&mut self, node: &Node, expected: &str) {
        let found = match &node.value {
            Value::Str(s) => format!("the string `{}`", shorten(s)),
            other => match other.scalar_text() {
                Some(text) => format!("{} `{}`", other.kind(), shorten(text)),
                None => other.kind().to_owned(),
            },
        };
        self.error(
            Code::WrongType,
            node,
            format!("expected {expected}, found {found}"),
        );
    }

    /// Convert `node` as the value at `seg`.
    pub fn within<T>(&mut self, seg: Seg, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg);
        let out = f(self);
        self.path.pop();
        out
    }

    /// Convert the value written at `seg`; if it does not convert, record its path as failed.
    pub fn written<T>(&mut self, seg: Seg, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.within(seg, |cx| {
            let out = f(cx);
            if out.is_none() {
                cx.failed.insert(cx.path.clone());
            }
            out
        })
    }

    /// Convert `node` into a value of one of `choices`, with did-you-mean help.
    pub fn choice<T: Copy>(&mut self, node: &Node, choices: &[(&str, T)]) -> Option<T> {
        let text = match &node.value {
            Value::Str(s) => s.as_str(),
            Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) => raw.as_str(),
            _ => {
                let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
                self.wrong_type(node, &format!("one of {}", names.join(", ")));
                return None;
            }
        };
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let mut diagnostic = self.diagnostic(
            Code::UnknownValue,
            node,
            format!(
                "unknown value `{}`: expected one of {}",
                shorten(text),
                listed.join(", ")
            ),
        );
        if let Some(best) = did_you_mean(text, &names) {
            diagnostic = diagnostic.help(format!("did you mean `{best}`?"));
        }
        self.push(diagnostic);
        None
    }
}

/// Keep quoted user text short in messages.
#[must_use]
pub fn shorten(text: &str) -> String {
    let one_line = text.replace('\n', "\\n");
    if one_line.chars().count() > 40 {
        format!("{}…", one_line.chars().take(40).collect::<String>())
    } else {
        one_line
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
#[must_use]
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
        .or_else(|| {
            // `Maximum` for `Max`, `cpuLimit` for `cpu`: a candidate that starts the word.
            candidates
                .iter()
                .filter(|c| c.len() >= 3 && lower.starts_with(&c.to_ascii_lowercase()))
                .max_by_key(|c| c.len())
                .copied()
        })
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// A typed value that can be read from a positioned YAML node.
pub trait FromNode: Sized {
    /// Convert, or report why not (to `cx`) and return `None`.
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self>;
}

impl FromNode for String {
    /// Strings take any scalar as written: `updateMode: Off` is the text `Off`.
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            // NUL never belongs in a manifest (and marks the region in rendering).
            Value::Str(s) if s.contains('\0') => {
                cx.error(
                    Code::WrongType,
                    node,
                    "a NUL character (`\\0`) is not allowed in profile text",
                );
                None
            }
            Value::Str(s) => Some(s.clone()),
            Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) => Some(raw.clone()),
            _ => {
                cx.wrong_type(node, "a string");
                None
            }
        }
    }
}

impl FromNode for bool {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Bool(b, _) = node.value {
            Some(b)
        } else {
            cx.wrong_type(node, "`true` or `false`");
            None
        }
    }
}

impl FromNode for i64 {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Int(i, _) = node.value {
            Some(i)
        } else {
            cx.wrong_type(node, "an integer");
            None
        }
    }
}

impl FromNode for f64 {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match node.value {
            Value::Int(i, _) => Some(i as f64),
            Value::Float(x, _) if x.is_finite() => Some(x),
            _ => {
                cx.wrong_type(node, "a number");
                None
            }
        }
    }
}

impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Seq(items) = &node.value else {
            cx.wrong_type(node, "a list");
            return None;
        };
        // Items that fail are reported and left out; the others are still checked.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(v) = cx.written(Seg::Index(i), |cx| T::from_node(item, cx)) {
                out.push(v);
            }
        }
        Some(out)
    }
}

impl<T: FromNode> FromNode for IndexMap<String, T> {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(map) = &node.value else {
            cx.wrong_type(node, "a map");
            return None;
        };
        // Entries that fail are reported and left out; the others are still checked.
        let mut out = IndexMap::with_capacity(map.len());
        for (key, entry) in map {
            if let Some(v) = cx.written(Seg::Key(key.clone()), |cx| T::from_node(&entry.node, cx)) {
                out.insert(key.clone(), v);
            }
        }
        Some(out)
    }
}

/// Reads the fields of a map one by one, then reports the keys nobody asked for.
pub struct Fields<'a> {
    map: &'a IndexMap<String, Entry>,
    node: &'a Node,
    known: Vec<&'static str>,
    /// Keys handled on purpose (reported by the caller) but not part of the format.
    claimed: Vec<&'static str>,
    /// Keys people bring from elsewhere (the scaling guide, raw manifests), with the fix.
    hints: &'static [(&'static str, &'static str)],
    ok: bool,
}

impl<'a> Fields<'a> {
    /// Start reading `node` as a map (reports a type error otherwise).
    pub fn new(node: &'a Node, cx: &mut Cx, what: &str) -> Option<Self> {
        if let Value::Map(map) = &node.value {
            Some(Self {
                map,
                node,
                known: Vec::new(),
                claimed: Vec::new(),
                hints: &[],
                ok: true,
            })
        } else {
            cx.wrong_type(node, what);
            None
        }
    }

    /// Explain these unknown keys with a specific help line instead of a did-you-mean.
    #[must_use]
    pub fn hints(mut self, hints: &'static [(&'static str, &'static str)]) -> Self {
        self.hints = hints;
        self
    }

    /// The node of `key`, for a caller that reports it itself: the key is neither an
    /// unknown field nor listed among the expected ones.
    pub fn claim(&mut self, key: &'static str) -> Option<&'a Node> {
        self.claimed.push(key);
        self.map
            .get(key)
            .map(|e| &e.node)
            .filter(|n| n.value != Value::Null)
    }

    /// The node of `key`, if present and not null.
    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.map
            .get(key)
            .map(|e| &e.node)
            .filter(|n| n.value != Value::Null)
    }

    /// An optional field.
    ///
    /// An optional field that fails to convert is reported and left out: the rest of the
    /// profile is still checked (error recovery, so one run reports every problem).
    pub fn opt<T: FromNode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<T> {
        let node = self.node(key)?;
        cx.written(Seg::Key(key.to_owned()), |cx| T::from_node(node, cx))
    }

    /// An optional field converted by `f`.
    pub fn opt_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let node = self.node(key)?;
        cx.written(Seg::Key(key.to_owned()), |cx| f(node, cx))
    }

    /// A required field: missing (or null) is E0005 at the map.
    pub fn req<T: FromNode>(&mut self, cx: &mut Cx, key: &'static str, what: &str) -> Option<T> {
        self.req_with(cx, key, what, T::from_node)
    }

    /// A required field converted by `f`.
    pub fn req_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        if self
            .map
            .get(key)
            .is_none_or(|e| e.node.value == Value::Null)
        {
            self.known.push(key);
            self.ok = false;
            let node = self.node;
            cx.within(Seg::Key(key.to_owned()), |cx| {
                cx.error(
                    Code::MissingField,
                    node,
                    format!("missing field `{key}`: expected {what}"),
                );
            });
            return None;
        }
        let value = self.opt_with(cx, key, f);
        self.ok &= value.is_some();
        value
    }

    /// Report unknown keys (with did-you-mean help). `Some(())` when every required field converted.
    pub fn finish(self, cx: &mut Cx) -> Option<()> {
        for (key, entry) in self.map {
            if self.known.contains(&key.as_str()) || self.claimed.contains(&key.as_str()) {
                continue;
            }
            let path = cx.path().key(key);
            let mut expected: Vec<&str> = self.known.clone();
            expected.sort_unstable();
            expected.dedup();
            let listed: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
            let mut d = Diagnostic::new(
                Code::UnknownField,
                path,
                format!(
                    "unknown field `{}`: expected one of {}",
                    shorten(key),
                    listed.join(", ")
                ),
            )
            .at(entry.key_span);
            if let Some((_, help)) = self.hints.iter().find(|(k, _)| k == key) {
                d = d.help(*help);
            } else if let Some(best) = did_you_mean(key, &expected) {
                d = d.help(format!("did you mean `{best}`?"));
            }
            cx.diagnostics.push(d);
        }
        self.ok.then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Loaded {
        load(
            &[Input::Text {
                name: "t.yaml".into(),
                text: text.into(),
            }],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn the_default_profile_loads_cleanly() {
        let loaded = load(&[], &[]).unwrap();
        assert_eq!(loaded.diagnostics, vec![], "{:?}", loaded.diagnostics);
        let profile = loaded.profile.unwrap();
        assert_eq!(profile.regions.len(), 3);
        assert_eq!(profile.modules.len(), 10);
    }

    #[test]
    fn unknown_fields_and_wrong_types_have_positions() {
        let text = DEFAULT_PROFILE
            .replacen("namespace: mplp-production", "namespce: mplp-production", 1)
            .replacen("weight: 50", "weight: fifty", 1);
        let loaded = load_text(&text);
        let concise: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.concise(&loaded.sources))
            .collect();
        assert!(loaded.profile.is_none());
        assert!(
            concise
                .iter()
                .any(|c| c.contains("error[E0003] namespce: unknown field `namespce`")),
            "{concise:#?}"
        );
        assert!(
            concise
                .iter()
                .any(|c| c.contains("error[E0005] namespace: missing field")),
            "{concise:#?}"
        );
        assert!(
            concise.iter().any(|c| c.contains(
                "regions.us-east-1.weight: expected an integer, found the string `fifty`"
            )),
            "{concise:#?}"
        );
        let unknown = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::UnknownField)
            .unwrap();
        assert_eq!(unknown.help.as_deref(), Some("did you mean `namespace`?"));
        let line = DEFAULT_PROFILE
            .lines()
            .position(|l| l.starts_with("namespace:"))
            .unwrap() as u32
            + 1;
        assert_eq!(unknown.span.map(|s| (s.line, s.col)), Some((line, 1)));
    }

    #[test]
    fn layers_and_sets_merge_with_positions() {
        let overlay = Input::Text {
            name: "overlay.yaml".into(),
            text: "regions:\n  eu-west-1: {weight: 40}\n  ap-southeast-1: {weight: 10}\n".into(),
        };
        let loaded = load(
            &[Input::Default, overlay],
            &["regions.us-east-1.weight=50".into()],
        )
        .unwrap();
        assert_eq!(loaded.diagnostics, vec![]);
        let profile = loaded.profile.unwrap();
        let weights: Vec<i64> = profile.regions.values().map(|r| r.weight).collect();
        assert_eq!(weights, vec![50, 40, 10]);
        let eu = loaded
            .tree
            .get(&[
                Seg::Key("regions".into()),
                Seg::Key("eu-west-1".into()),
                Seg::Key("weight".into()),
            ])
            .unwrap();
        assert_eq!(loaded.sources.name(eu.span.file), "overlay.yaml");
        assert_eq!((eu.span.line, eu.span.col), (2, 23));
    }

    #[test]
    fn set_reports_bad_paths_and_values() {
        let loaded = load(
            &[],
            &[
                "regions.eu-west-1.weight".into(),
                "regions..x=1".into(),
                "regions.eu-west-1.weight=[1".into(),
                "name.x=1".into(),
            ],
        )
        .unwrap();
        let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![Code::Syntax, Code::Syntax, Code::Syntax, Code::WrongType]
        );
        let d = &loaded.diagnostics[3];
        assert_eq!(
            d.concise(&loaded.sources),
            "--set:1:8: error[E0004] name.x: cannot set key `x` inside a string"
        );
    }

    #[test]
    fn syntax_errors_stop_before_conversion() {
        let loaded = load_text("version: 1\nname: [\n");
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].code, Code::Syntax);
        assert!(loaded.profile.is_none());
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(
            did_you_mean("namespce", &["name", "namespace"]),
            Some("namespace")
        );
        assert_eq!(
            did_you_mean("InPlaceOrRecreat", &["Off", "InPlaceOrRecreate"]),
            Some("InPlaceOrRecreate")
        );
        assert_eq!(did_you_mean("zzzzzz", &["name", "namespace"]), None);
    }
}

//! Converting the merged tree into typed values: [`FromNode`], the conversion context
//! [`Cx`] (the current path, the diagnostics, the [`FailedPaths`]) and [`Fields`], which
//! reads a map field by field and reports the keys nobody asked for.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, FieldPath, Seg};
use crate::node::{Entry, Node, Value};

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
/// The conversion context: where we are in the tree, and what went wrong so far.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    path: FieldPath,
    pub diagnostics: Vec<Diagnostic>,
    /// The values that were written but did not convert.
    pub failed: FailedPaths,
}

impl Cx {
    #[must_use]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The path of the value being converted.
    #[must_use]
    pub(crate) fn path(&self) -> &FieldPath {
        &self.path
    }

    /// A diagnostic about `node` at the current path, to complete (`.help(…)`) and [`push`](Self::push).
    #[must_use]
    pub(crate) fn diagnostic(
        &self,
        code: Code,
        node: &Node,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, self.path.clone(), message).at(node.span)
    }

    /// Report a finished diagnostic.
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Report a problem with `node`, at the current path.
    pub(crate) fn error(&mut self, code: Code, node: &Node, message: impl Into<String>) {
        let diagnostic = self.diagnostic(code, node, message);
        self.push(diagnostic);
    }

    /// Report that `node` is not of the `expected` type.
    pub(crate) fn wrong_type(&mut self, node: &Node, expected: &str) {
        let found = match &node.value {
            Value::Str(s) => format!("the string `{}`", shorten(s)),
            // An integer beyond i64 is read as a number: say what it is.
            Value::Float(_, raw) if is_integer_text(raw) => format!(
                "`{}`, an integer outside those any field takes ({} to {})",
                shorten(raw),
                i64::MIN,
                i64::MAX
            ),
            other => match other.scalar_text() {
                Some(text) => format!("{} `{}`", other.kind(), shorten(text)),
                None => other.kind().to_owned(),
            },
        };
        let mut diagnostic = self.diagnostic(
            Code::WrongType,
            node,
            format!("expected {expected}, found {found}"),
        );
        if let Some(help) = number_in_a_string(&node.value, expected) {
            diagnostic = diagnostic.help(help);
        }
        self.push(diagnostic);
    }

    /// Convert `node` as the value at `seg`.
    pub(crate) fn within<T>(&mut self, seg: Seg, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg);
        let out = f(self);
        self.path.pop();
        out
    }

    /// Convert the value written at `seg`; if it does not convert, record its path as failed.
    pub(crate) fn written<T>(
        &mut self,
        seg: Seg,
        f: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        self.within(seg, |cx| {
            let out = f(cx);
            if out.is_none() {
                cx.failed.insert(cx.path.clone());
            }
            out
        })
    }

    /// Convert `node` into a value of one of `choices`, with did-you-mean help.
    pub(crate) fn choice<T: Copy>(&mut self, node: &Node, choices: &[(&str, T)]) -> Option<T> {
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
pub(crate) fn shorten(text: &str) -> String {
    // Line breaks and controls are shown escaped: a message stays one line, and no
    // profile text reaches the terminal as a control sequence.
    let mut one_line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || crate::yaml::needs_escape(c) {
            one_line.extend(c.escape_default());
        } else {
            one_line.push(c);
        }
    }
    if one_line.chars().count() > 40 {
        format!("{}…", one_line.chars().take(40).collect::<String>())
    } else {
        one_line
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
#[must_use]
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
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

/// Whether a number's text is an integer (YAML 1.2 or 1.1: a sign, then decimal digits,
/// or `0x`, `0o`, `0b` digits; `_` between digits), not a float like `1e30` or `1.5`.
fn is_integer_text(raw: &str) -> bool {
    let digits = raw.trim_start_matches(['-', '+']);
    let (digits, radix) = match digits.get(..2) {
        Some("0x" | "0X") => (&digits[2..], 16),
        Some("0o" | "0O") => (&digits[2..], 8),
        Some("0b" | "0B") => (&digits[2..], 2),
        _ => (digits, 10),
    };
    digits
        .bytes()
        .any(|b| b.is_ascii_digit() || b.is_ascii_hexdigit())
        && digits.chars().all(|c| c == '_' || c.is_digit(radix))
}

/// The fix for a number written as a string where a number belongs: `"70%"` (a
/// utilization is a percentage already) or `"40"`.
fn number_in_a_string(value: &Value, expected: &str) -> Option<String> {
    let Value::Str(text) = value else {
        return None;
    };
    if !(expected.contains("integer") || expected.contains("number")) {
        return None;
    }
    let bare = text.trim().trim_end_matches('%').trim_end();
    let is_number = if expected.contains("integer") {
        bare.parse::<i64>().is_ok()
    } else {
        bare.parse::<f64>().is_ok_and(f64::is_finite)
    };
    if !is_number {
        return None;
    }
    Some(if text.trim_end().ends_with('%') {
        format!("write `{bare}` (a plain number: the value is a percentage already)")
    } else {
        format!("write `{bare}` without quotes")
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
pub(crate) trait FromNode: Sized {
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
        if let Value::Bool(b, raw) = &node.value {
            if !matches!(raw.as_str(), "true" | "false") {
                let d = cx
                    .diagnostic(
                        Code::Yaml11Boolean,
                        node,
                        format!(
                            "`{}` is a boolean only in YAML 1.1: editors and other YAML 1.2 readers (the JSON Schema) take it for a string",
                            shorten(raw)
                        ),
                    )
                    .help(format!("write `{b}`"));
                cx.push(d);
            }
            Some(*b)
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

/// A number that a profile field may bound with `#[profile(range(...))]`.
pub(crate) trait Bounded: PartialOrd + std::fmt::Display + Copy {
    /// What a value of this type is, in a message.
    const WHAT: &'static str;

    /// The value of `node`, if it is one of this type.
    fn of(node: &Node) -> Option<Self>;
}

impl Bounded for i64 {
    const WHAT: &'static str = "an integer";

    fn of(node: &Node) -> Option<Self> {
        match node.value {
            Value::Int(i, _) => Some(i),
            _ => None,
        }
    }
}

impl Bounded for f64 {
    const WHAT: &'static str = "a number";

    fn of(node: &Node) -> Option<Self> {
        match node.value {
            Value::Int(i, _) => Some(i as f64),
            Value::Float(x, _) if x.is_finite() => Some(x),
            _ => None,
        }
    }
}

/// A number within `min..=max` (either may be open); a value of another type or outside
/// the range is E0004, naming the range.
pub(crate) fn in_range<T: Bounded>(
    node: &Node,
    cx: &mut Cx,
    min: Option<T>,
    max: Option<T>,
) -> Option<T> {
    let expected = match (min, max) {
        (Some(min), Some(max)) => format!("{} from {min} to {max}", T::WHAT),
        (Some(min), None) => format!("{} of at least {min}", T::WHAT),
        (None, Some(max)) => format!("{} of at most {max}", T::WHAT),
        (None, None) => T::WHAT.to_owned(),
    };
    match T::of(node) {
        Some(value)
            if !min.is_some_and(|min| value < min) && !max.is_some_and(|max| value > max) =>
        {
            Some(value)
        }
        _ => {
            cx.wrong_type(node, &expected);
            None
        }
    }
}

/// Reads the fields of a map one by one, then reports the keys nobody asked for.
pub(crate) struct Fields<'a> {
    map: &'a IndexMap<String, Entry>,
    node: &'a Node,
    known: Vec<&'static str>,
    /// Keys handled on purpose (reported by the caller) but not part of the format.
    claimed: Vec<&'static str>,
    /// Keys people bring from elsewhere (the scaling guide, raw manifests), with the fix.
    hints: &'static [(&'static str, &'static str)],
    /// Required keys that were missing (each reported as E0005 already).
    missing: Vec<&'static str>,
    ok: bool,
}

impl<'a> Fields<'a> {
    /// Start reading `node` as a map (reports a type error otherwise).
    pub(crate) fn new(node: &'a Node, cx: &mut Cx, what: &str) -> Option<Self> {
        if let Value::Map(map) = &node.value {
            Some(Self {
                map,
                node,
                known: Vec::new(),
                claimed: Vec::new(),
                hints: &[],
                missing: Vec::new(),
                ok: true,
            })
        } else {
            cx.wrong_type(node, what);
            None
        }
    }

    /// Explain these unknown keys with a specific help line instead of a did-you-mean.
    #[must_use]
    pub(crate) fn hints(mut self, hints: &'static [(&'static str, &'static str)]) -> Self {
        self.hints = hints;
        self
    }

    /// The node of `key`, for a caller that reports it itself: the key is neither an
    /// unknown field nor listed among the expected ones.
    pub(crate) fn claim(&mut self, key: &'static str) -> Option<&'a Node> {
        self.claimed.push(key);
        self.present(key)
    }

    /// The node of `key`, if present and not null.
    pub(crate) fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.present(key)
    }

    /// The node of `key`, if present and not null (`null` is a key left out).
    fn present(&self, key: &str) -> Option<&'a Node> {
        self.map
            .get(key)
            .map(|e| &e.node)
            .filter(|n| n.value != Value::Null)
    }

    /// An optional field.
    ///
    /// An optional field that fails to convert is reported and left out: the rest of the
    /// profile is still checked (error recovery, so one run reports every problem).
    pub(crate) fn opt<T: FromNode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<T> {
        let node = self.node(key)?;
        cx.written(Seg::Key(key.to_owned()), |cx| T::from_node(node, cx))
    }

    /// An optional field converted by `f`.
    pub(crate) fn opt_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let node = self.node(key)?;
        cx.written(Seg::Key(key.to_owned()), |cx| f(node, cx))
    }

    /// A required field: missing (or null) is E0005 at the map.
    pub(crate) fn req<T: FromNode>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
    ) -> Option<T> {
        self.req_with(cx, key, what, T::from_node)
    }

    /// A required field converted by `f`.
    pub(crate) fn req_with<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let entry = self.map.get(key);
        if entry.is_none_or(|e| e.node.value == Value::Null) {
            self.known.push(key);
            self.missing.push(key);
            self.ok = false;
            // Written without a value (`modules: ~`): that line, not the map's.
            let (node, message) = match entry {
                Some(entry) => (
                    &entry.node,
                    format!("field `{key}` is empty (null): expected {what}"),
                ),
                None => (self.node, format!("missing field `{key}`: expected {what}")),
            };
            cx.within(Seg::Key(key.to_owned()), |cx| {
                cx.error(Code::MissingField, node, message);
            });
            return None;
        }
        let value = self.opt_with(cx, key, f);
        self.ok &= value.is_some();
        value
    }

    /// Report unknown keys (with did-you-mean help). `Some(())` when every required field converted.
    pub(crate) fn finish(self, cx: &mut Cx) -> Option<()> {
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
                // A required key mistyped is one mistake: its E0005 ("missing field") goes,
                // this E0003 with its did-you-mean says it all (issue 14, item 10).
                if self.missing.contains(&best) {
                    let missing = cx.path().key(best);
                    cx.diagnostics
                        .retain(|m| !(m.code == Code::MissingField && m.path == missing));
                }
            }
            cx.diagnostics.push(d);
        }
        self.ok.then_some(())
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::FieldPath;
    use crate::load::{Input, load};

    #[test]
    fn failed_paths_are_the_written_values_that_did_not_load() {
        let patch = "regions: {eu-west-1: {weight: \"30\"}}\nmodules: {core: {metrics: [{resource: disk}]}}\n";
        let loaded = load(
            &[
                Input::Default,
                Input::Text {
                    name: "p.yaml".into(),
                    text: patch.into(),
                },
            ],
            &[],
        )
        .unwrap();
        let failed = &loaded.failed;
        let regions = FieldPath::root().key("regions");
        // The weight is required: the whole region is left out.
        assert!(failed.contains(&regions.key("eu-west-1").key("weight")));
        assert!(failed.contains(&regions.key("eu-west-1")));
        assert!(failed.any_child(&regions));
        let metrics = FieldPath::root().key("modules").key("core").key("metrics");
        assert!(failed.contains(&metrics.index(0)));
        assert!(failed.any_child(&metrics));
        assert!(!failed.contains(&metrics));
        // Deeper failures are not children.
        assert!(!failed.any_child(&FieldPath::root()));
        assert!(!failed.any_child(&FieldPath::root().key("platform")));
    }
}

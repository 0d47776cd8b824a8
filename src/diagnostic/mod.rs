//! Mistakes in a profile: [`Diagnostic`], its [`Code`] and [`FieldPath`], and how they print.
//!
//! A diagnostic is data: `load` and `validate` collect every one of them (never
//! stopping at the first), and the commands decide how to print them: concise
//! (`file:line:col: error[E0103] path: message`), full (with the source line and
//! a caret, through annotate-snippets), JSON or GitHub workflow commands.
//! Failures of the tool itself are `anyhow` errors, not diagnostics.

mod catalogue;
mod code;
pub(crate) mod print;

use std::fmt::{self, Write as _};

pub use catalogue::{CODES, CodeInfo};
pub(crate) use code::parse_allow;
pub use code::{Code, Severity};

use crate::source::Span;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where in the profile a value lives: `modules.core.metrics[2].averageValue`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    /// This path with one more key.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        Self(segs)
    }

    /// This path with one more list index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    pub fn push(&mut self, seg: Seg) {
        self.0.push(seg);
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Parse `a.b[2].c` (as `--set` takes it). A `.` inside a key is written `\.`, as
    /// Helm's `--set` takes it (`podLabels.app\.kubernetes\.io/team`); a key cannot
    /// contain `[`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_with_columns(text).map(|(path, _)| path)
    }

    /// [`parse`](Self::parse), with the column (from 1, in characters) where each segment
    /// starts in `text`: a key at its first character, an index at its `[` (where a
    /// `--set` places what it adds).
    #[must_use]
    pub fn parse_with_columns(text: &str) -> Option<(Self, Vec<u32>)> {
        let mut segs = Vec::new();
        let mut columns = Vec::new();
        for (raw, start) in split_unescaped_dots(text) {
            // `[` is never escaped: the key is what comes before the first one.
            let (key, mut rest) = raw.split_once('[').map_or((raw, ""), |(k, r)| (k, r));
            if key.is_empty() {
                return None;
            }
            segs.push(Seg::Key(unescape(key)));
            columns.push(start);
            if !rest.is_empty() {
                let mut col = start + key.chars().count() as u32;
                rest = rest.strip_suffix(']')?;
                for index in rest.split("][") {
                    segs.push(Seg::Index(index.parse().ok()?));
                    columns.push(col);
                    col += index.chars().count() as u32 + 2;
                }
            }
        }
        Some((Self(segs), columns))
    }
}

/// `text` split at each `.` not escaped as `\.`: each part as written, and the column
/// (from 1, in characters) where it starts.
fn split_unescaped_dots(text: &str) -> Vec<(&str, u32)> {
    let mut parts = Vec::new();
    let (mut start, mut start_col, mut col) = (0, 1, 1);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if chars.next_if(|&(_, n)| n == '.' || n == '\\').is_some() => col += 1,
            '.' => {
                parts.push((&text[start..at], start_col));
                start = at + 1;
                start_col = col + 1;
            }
            _ => {}
        }
        col += 1;
    }
    parts.push((&text[start..], start_col));
    parts
}

/// A key as written in a `--set` path: `\.` is a `.` of the key and `\\` a `\` (any
/// other `\` stays as written).
fn unescape(raw: &str) -> String {
    let mut key = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(chars.next_if(|&n| n == '.' || n == '\\').unwrap_or('\\')),
            c => key.push(c),
        }
    }
    key
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k:?}]")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// One mistake in a profile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Where the offending value was written (`None` only for the embedded default's own checks).
    pub span: Option<Span>,
    pub code: Code,
    pub path: FieldPath,
    /// What was found and what was expected, lower case, values in backticks.
    pub message: String,
    /// A concrete fix, when there is one.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            span: None,
            code,
            path,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// Sort diagnostics by file, line and column (those without a position last), then code.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.is_none(), a.span, a.code, &a.path, &a.message).cmp(&(
            b.span.is_none(),
            b.span,
            b.code,
            &b.path,
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_profile() {
        let p = FieldPath::root()
            .key("modules")
            .key("core")
            .key("metrics")
            .index(2)
            .key("averageValue");
        assert_eq!(p.to_string(), "modules.core.metrics[2].averageValue");
        assert_eq!(FieldPath::root().key("a.b").to_string(), "[\"a.b\"]");
        assert_eq!(
            FieldPath::parse("modules.core.metrics[2].averageValue"),
            Some(p)
        );
        assert_eq!(FieldPath::parse("a..b"), None);
        assert_eq!(FieldPath::parse("a[x]"), None);
    }

    /// Helm's `--set` escape: `\.` is a dot of the key, `\\` a backslash.
    #[test]
    fn escaped_dots_stay_in_the_key() {
        assert_eq!(
            FieldPath::parse(r"podLabels.app\.kubernetes\.io/team"),
            Some(
                FieldPath::root()
                    .key("podLabels")
                    .key("app.kubernetes.io/team")
            )
        );
        assert_eq!(
            FieldPath::parse(r"a\\.b"),
            Some(FieldPath::root().key(r"a\").key("b"))
        );
        assert_eq!(
            FieldPath::parse(r"a\n.b"),
            Some(FieldPath::root().key(r"a\n").key("b"))
        );
        assert_eq!(
            FieldPath::parse(r"a.\.[1]"),
            Some(FieldPath::root().key("a").key(".").index(1))
        );
        assert_eq!(FieldPath::parse(r"a\."), Some(FieldPath::root().key("a.")));
        assert_eq!(FieldPath::parse(r"a."), None);
    }
}

//! Source files and positions.
//!
//! Every profile file that is read is kept here with its display name, so a
//! [`Span`] (file, line, column) can be turned back into `file:line:col` and a
//! source line for the caret display. Nothing in this module reads the disk:
//! `load` hands it the text it read.

use std::fmt;

/// Index of a file in [`Sources`].
pub(crate) type FileId = u32;

/// A position in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

/// One profile as it was read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// What the user called it: the path as given, `<stdin>`, `<default profile>` or `--set`.
    pub name: String,
    pub text: String,
}

/// All the files a run has read, in the order they were read.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        (self.files.len() - 1) as FileId
    }

    #[must_use]
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id as usize)
    }

    /// Whether any file read holds `needle`.
    #[must_use]
    pub fn any_text_contains(&self, needle: &str) -> bool {
        self.files.iter().any(|f| f.text.contains(needle))
    }

    #[must_use]
    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map_or("<unknown>", |f| f.name.as_str())
    }

    /// The text of line `line` (1-based) of `file`, without its line break.
    #[must_use]
    pub fn line(&self, span: Span) -> Option<&str> {
        let file = self.get(span.file)?;
        file.text
            .lines()
            .nth((span.line as usize).checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'))
    }

    /// `file:line:col` for a span.
    #[must_use]
    pub fn locate(&self, span: Span) -> Location<'_> {
        Location {
            file: self.name(span.file),
            span,
        }
    }
}

/// `file:line:col`, printable.
pub struct Location<'a> {
    file: &'a str,
    span: Span,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.span.line, self.span.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_and_returns_source_lines() {
        let mut sources = Sources::new();
        let id = sources.add("p.yaml", "a: 1\r\nb: 2\n");
        let span = Span {
            file: id,
            line: 2,
            col: 4,
        };
        assert_eq!(sources.locate(span).to_string(), "p.yaml:2:4");
        assert_eq!(sources.line(span), Some("b: 2"));
        assert_eq!(sources.line(Span { line: 9, ..span }), None);
        assert_eq!(sources.line(Span { line: 0, ..span }), None);
    }
}

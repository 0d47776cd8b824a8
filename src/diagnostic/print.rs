//! How diagnostics print: the concise and full text forms, `--format json`,
//! `--format github`, `--format sarif`, `--format junit` and the summary line. The commands call these and format nothing
//! themselves.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::load::Loaded;
use crate::source::Sources;

impl Diagnostic {
    /// `file:line:col: error[E0103] modules.plan.replicas.max: message`
    #[must_use]
    pub fn concise(&self, sources: &Sources) -> String {
        let mut out = String::new();
        if let Some(span) = self.span {
            let _ = write!(out, "{}: ", sources.locate(span));
        }
        let _ = write!(
            out,
            "{}[{}] {}: {}",
            self.severity(),
            self.code,
            self.path,
            self.message
        );
        out
    }

    /// The concise line, then the source line with a caret under the value, then `help:`.
    #[must_use]
    pub fn full(&self, sources: &Sources) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

        let level = match self.severity() {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = format!("{}: {}", self.path, self.message);
        let location;
        let head = level.primary_title(&title).id(self.code.as_str());
        let group =
            if let Some((span, line)) = self.span.map(|s| (s, sources.line(s).unwrap_or(""))) {
                let start = line
                    .char_indices()
                    .nth(span.col.saturating_sub(1) as usize)
                    .map_or(line.len(), |(i, _)| i);
                let end = token_end(line, start);
                location = sources.name(span.file).to_owned();
                head.element(
                    Snippet::source(line)
                        .line_start(span.line as usize)
                        .path(&location)
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            } else {
                Group::with_title(head)
            };
        let help_group;
        let report: Vec<Group<'_>> = if let Some(help) = &self.help {
            help_group = Group::with_title(Level::HELP.secondary_title(help));
            vec![group, help_group]
        } else {
            vec![group]
        };
        Renderer::plain().render(&report).clone()
    }
}

/// The end of the YAML token starting at `start` (for the caret's width).
fn token_end(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let len = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        Some(_) => rest
            .find([',', '}', ']', '#', ':'])
            .map_or(rest.len(), |i| i.max(1)),
        None => 0,
    };
    // At least the first character, whole: a caret must not split a multi-byte character.
    let first = rest.chars().next().map_or(0, char::len_utf8);
    start + rest[..len].trim_end().len().max(first)
}

/// Print diagnostics in the full text form, a blank line after each.
pub(crate) fn text(loaded: &Loaded, out: &mut dyn Write) -> io::Result<()> {
    for d in &loaded.diagnostics {
        writeln!(out, "{}\n", d.full(&loaded.sources))?;
    }
    Ok(())
}

/// `--format concise`: one line per diagnostic (`file:line:col: error[E0104] path:
/// message`, DESIGN.md section 4; ruff's `--output-format concise`), for editors'
/// problem matchers and `grep`.
pub(crate) fn concise(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    for run in runs {
        for d in &run.diagnostics {
            writeln!(out, "{}", d.concise(&run.sources))?;
        }
    }
    Ok(())
}

/// `--format json`: one array of records for every diagnostic of every run.
pub(crate) fn json(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    let records: Vec<Record<'_>> = runs.iter().flat_map(records).collect();
    serde_json::to_writer_pretty(&mut *out, &records)?;
    writeln!(out)
}

/// `--format github`: one workflow command per diagnostic.
pub(crate) fn github(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    for r in runs.iter().flat_map(records) {
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            r.severity,
            escape_property(r.file),
            r.line,
            r.column,
            r.code,
            escape_data(&format!(
                "{}: {}{}",
                r.path,
                r.message,
                r.help.map(|h| format!(" (help: {h})")).unwrap_or_default()
            ))
        )?;
    }
    Ok(())
}

/// `--format sarif`: one SARIF 2.1.0 log (GitHub code scanning) that the official schema
/// accepts: a rule per code (its `helpUri` the code's section of `docs/diagnostics.md` in
/// the repository), a result per diagnostic. Diagnostics in standard input, `--set` or the
/// embedded default have no file to point at, so no location; a file's path is written as
/// a percent-encoded URI reference. An input that could not be read (E0010) is a result
/// too, and makes the invocation unsuccessful, with a tool notification.
pub(crate) fn sarif(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = super::CODES
        .iter()
        .map(|info| {
            json!({
                "id": info.id,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "defaultConfiguration": {"level": level(info.severity)},
                "helpUri": help_uri(info),
            })
        })
        .collect();
    let mut notifications = Vec::new();
    let results: Vec<serde_json::Value> = runs
        .iter()
        .flat_map(records)
        .map(|r| {
            let mut text = format!("{}: {}", r.path, r.message);
            if let Some(help) = r.help {
                let _ = write!(text, "\nhelp: {help}");
            }
            let mut result = json!({
                "ruleId": r.code,
                "ruleIndex": super::CODES.iter().position(|i| i.id == r.code),
                "level": level(r.severity),
                "message": {"text": text},
            });
            if r.line > 0 && !r.file.starts_with('<') && !r.file.starts_with('-') {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": file_uri(r.file)},
                        "region": {"startLine": r.line, "startColumn": r.column},
                    }
                }]);
            }
            if r.code == super::Code::Unreadable.as_str() {
                let mut notification = json!({
                    "level": "error",
                    "message": {"text": r.message},
                    "descriptor": {"id": r.code},
                });
                if let Some(locations) = result.get("locations") {
                    notification["locations"] = locations.clone();
                }
                notifications.push(notification);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mplp-scale",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "invocations": [invocation(&notifications)],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The run's one invocation: successful unless an input could not be read.
fn invocation(notifications: &[serde_json::Value]) -> serde_json::Value {
    if notifications.is_empty() {
        serde_json::json!({"executionSuccessful": true})
    } else {
        serde_json::json!({
            "executionSuccessful": false,
            "toolExecutionNotifications": notifications,
        })
    }
}

/// The absolute URL of a code's section in `docs/diagnostics.md` (GitHub's heading anchor
/// of `## E0103: replicas max` is `e0103-replicas-max`).
fn help_uri(info: &super::CodeInfo) -> String {
    let heading = format!("{} {}", info.id, info.name).to_lowercase();
    let anchor: String = heading
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    format!(
        "{}/blob/main/docs/diagnostics.md#{anchor}",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// A file name as a SARIF artifact URI: a relative path stays a relative reference, an
/// absolute one is a `file://` URI; every byte outside RFC 3986's unreserved characters
/// and `/` is percent-encoded (a space is `%20`, `:` cannot start a scheme).
fn file_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `--format junit`: `JUnit` XML for CI test reports. Each profile checked is a test case,
/// failed by its errors (one `<failure>` each); its warnings go to `<system-out>`. An
/// input that could not be read is a test case in error (`<error type="E0010">`).
pub(crate) fn junit(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    let unreadable = |r: &&Loaded| {
        r.diagnostics
            .iter()
            .any(|d| d.code == super::Code::Unreadable)
    };
    let errors = runs.iter().filter(unreadable).count();
    let failed = runs.iter().filter(|r| r.errors() > 0).count() - errors;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"mplp-scale lint\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\">",
        runs.len()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"mplp-scale lint\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"0\">",
        runs.len()
    );
    for run in runs {
        let name = run_name(run);
        let _ = writeln!(
            xml,
            "    <testcase classname=\"mplp-scale.lint\" name=\"{}\">",
            xml_escape(&name)
        );
        let mut warnings = String::new();
        for d in &run.diagnostics {
            let concise = d.concise(&run.sources);
            let help = d
                .help
                .as_deref()
                .map(|h| format!("\nhelp: {h}"))
                .unwrap_or_default();
            let element = if d.code == super::Code::Unreadable {
                "error"
            } else {
                "failure"
            };
            match d.severity() {
                Severity::Error => {
                    let _ = writeln!(
                        xml,
                        "      <{element} type=\"{}\" message=\"{}\">{}</{element}>",
                        d.code,
                        xml_escape(&format!("{}: {}", d.path, d.message)),
                        xml_escape(&format!("{concise}{help}"))
                    );
                }
                Severity::Warning => {
                    let _ = writeln!(warnings, "{concise}{help}");
                }
            }
        }
        if !warnings.is_empty() {
            let _ = writeln!(
                xml,
                "      <system-out>{}</system-out>",
                xml_escape(warnings.trim_end())
            );
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// The files of a run, as a test case's name: `base.yaml + overlay.yaml` for layers.
pub(crate) fn run_name(run: &Loaded) -> String {
    let names: Vec<&str> = (0..)
        .map_while(|id| run.sources.get(id))
        .map(|f| f.name.as_str())
        .filter(|name| *name != "--set")
        .collect();
    names.join(" + ")
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `N errors, M warnings` with the right plurals.
#[must_use]
pub(crate) fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// `lint`'s last line: `checked 2 profiles: 1 error, 0 warnings`.
pub(crate) fn checked_line(runs: &[Loaded], out: &mut dyn Write) -> io::Result<()> {
    let (errors, warnings) = runs
        .iter()
        .fold((0, 0), |(e, w), run| (e + run.errors(), w + run.warnings()));
    let what = if runs.len() == 1 {
        "profile"
    } else {
        "profiles"
    };
    writeln!(
        out,
        "checked {} {what}: {}",
        runs.len(),
        summary(errors, warnings)
    )
}

/// One diagnostic as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Record<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    code: &'static str,
    severity: Severity,
    path: String,
    message: &'a str,
    help: Option<&'a str>,
}

fn records(loaded: &Loaded) -> Vec<Record<'_>> {
    loaded
        .diagnostics
        .iter()
        .map(|d| Record {
            file: d.span.map_or("", |s| loaded.sources.name(s.file)),
            line: d.span.map_or(0, |s| s.line),
            column: d.span.map_or(0, |s| s.col),
            code: d.code.as_str(),
            severity: d.severity(),
            path: d.path.to_string(),
            message: &d.message,
            help: d.help.as_deref(),
        })
        .collect()
}

/// GitHub workflow command escaping (toolkit/core `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow command property escaping (toolkit/core `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, FieldPath};
    use crate::source::Span;

    #[test]
    fn file_uris_are_percent_encoded() {
        assert_eq!(file_uri("profiles/a b.yaml"), "profiles/a%20b.yaml");
        assert_eq!(file_uri("/tmp/é:x.yaml"), "file:///tmp/%C3%A9%3Ax.yaml");
        assert_eq!(file_uri("a%b"), "a%25b");
    }

    #[test]
    fn help_uris_are_github_heading_anchors() {
        let info = Code::ReplicasMax.info();
        assert_eq!(
            help_uri(info),
            "https://github.com/mplp/mplp-scale/blob/main/docs/diagnostics.md#e0103-replicas-max"
        );
        assert!(help_uri(Code::RedisConfig.info()).ends_with("#e0803-redisconf"));
    }

    #[test]
    fn carets_never_split_a_character() {
        // Found by mutating profiles: a value that is only U+2028 (whitespace to trim_end).
        let mut sources = Sources::new();
        let file = sources.add("p.yaml", "  instances: \u{2028}\n");
        for col in 1..=16 {
            let d = Diagnostic::new(Code::WrongType, FieldPath::root(), "x").at(Span {
                file,
                line: 1,
                col,
            });
            let _ = d.full(&sources);
        }
        assert_eq!(token_end("ü", 0), "ü".len());
        assert_eq!(token_end("\u{2028}", 0), 3);
    }

    #[test]
    fn full_form_points_at_the_value() {
        let mut sources = Sources::new();
        let file = sources.add("p.yaml", "modules:\n  plan: {replicas: {min: 3, max: 2}}\n");
        let d = Diagnostic::new(
            Code::ReplicasMax,
            FieldPath::parse("modules.plan.replicas.max").unwrap(),
            "max (`2`) is below min (`3`)",
        )
        .at(Span {
            file,
            line: 2,
            col: 34,
        })
        .help("set `max` to at least `3`");
        assert_eq!(
            d.concise(&sources),
            "p.yaml:2:34: error[E0103] modules.plan.replicas.max: max (`2`) is below min (`3`)"
        );
        let full = d.full(&sources);
        assert!(full.contains("p.yaml:2:34"), "{full}");
        assert!(full.contains('^'), "{full}");
        assert!(full.contains("help: set `max` to at least `3`"), "{full}");
    }
}

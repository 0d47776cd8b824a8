//! `mplp-scale lint`: check profiles and print every diagnostic.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::ExitStatus;
use crate::cli::{Format, LintArgs};
use crate::diagnostic::Severity;
use crate::load::Input;

use super::Checked;

/// Check each profile (or the layered `-f` files as one); diagnostics to `out`, the summary to `err`.
pub fn lint(args: &LintArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus> {
    let runs: Vec<Vec<Input>> = if !args.files.is_empty() {
        vec![args.files.iter().map(|f| Input::from_arg(f)).collect()]
    } else if args.profiles.is_empty() {
        vec![vec![Input::Default]]
    } else {
        args.profiles
            .iter()
            .map(|p| vec![Input::from_arg(p)])
            .collect()
    };
    let crds = args
        .crds
        .as_deref()
        .map(crate::crds::Crds::load)
        .transpose()?;
    let mut checked = Vec::with_capacity(runs.len());
    for inputs in &runs {
        let mut c = super::check(inputs, &args.sets)?;
        if let (Some(crds), Some(profile), 0) = (&crds, &c.profile, c.errors()) {
            c.diagnostics.extend(check_rendered(profile, crds)?);
        }
        checked.push(c);
    }
    let (errors, warnings) = checked
        .iter()
        .fold((0, 0), |(e, w), c| (e + c.errors(), w + c.warnings()));
    match args.format {
        Format::Text => {
            for c in &checked {
                super::print_text(c, out)?;
            }
            let what = if checked.len() == 1 {
                "profile"
            } else {
                "profiles"
            };
            writeln!(
                err,
                "checked {} {what}: {}",
                checked.len(),
                super::summary(errors, warnings)
            )?;
        }
        Format::Json => {
            let records: Vec<Record<'_>> = checked.iter().flat_map(records).collect();
            serde_json::to_writer_pretty(&mut *out, &records)?;
            writeln!(out)?;
        }
        Format::Github => {
            for c in &checked {
                for r in records(c) {
                    let level = match r.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    writeln!(
                        out,
                        "::{level} file={},line={},col={},title={}::{}",
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
            }
        }
    }
    out.flush()?;
    Ok(if errors > 0 || (args.strict && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Render every object and check it against the CRDs and the Kubernetes types.
fn check_rendered(
    profile: &crate::profile::Profile,
    crds: &crate::crds::Crds,
) -> Result<Vec<crate::diagnostic::Diagnostic>> {
    use crate::diagnostic::{Code, Diagnostic, FieldPath};
    let renderer = crate::render::Renderer::new()?;
    let mut out = Vec::new();
    let objects = crate::plan::plan(profile, &crate::plan::Selection::all());
    renderer.render_and_read_back(&objects, |object, _, doc| {
        for p in crds.check(object, &doc) {
            out.push(Diagnostic::new(
                Code::RenderedSchema,
                FieldPath::root(),
                format!(
                    "rendered `{}` is refused at `{}`: {}",
                    p.source, p.path, p.message
                ),
            ));
        }
        Ok(())
    })?;
    Ok(out)
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

fn records(checked: &Checked) -> Vec<Record<'_>> {
    checked
        .diagnostics
        .iter()
        .map(|d| Record {
            file: d.span.map_or("", |s| checked.sources.name(s.file)),
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

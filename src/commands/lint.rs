//! `mplp-scale lint`: check profiles and print every diagnostic.

use std::io::Write;

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::{Format, LintArgs};
use crate::diagnostic::print;
use crate::load::{Input, Loaded};

/// What one run of `lint` checks: layers read as one profile, or an input that could not
/// be read at all (its name and why).
enum Run {
    Layers(Vec<Input>),
    Unreadable(String, String),
}

/// Check each profile (or the layered `-f` files as one, or each PROFILE layered over
/// them); diagnostics to `out`, the summary to `err`.
pub(crate) fn lint(
    args: &LintArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    let stdin = args
        .profiles
        .iter()
        .chain(&args.files)
        .filter(|p| *p == "-");
    if stdin.count() > 1 {
        anyhow::bail!(
            "standard input (`-`) is given more than once: it can be read only once, so give `-` once and the other profiles as files"
        );
    }
    let runs = runs(args, err)?;
    let crds = args
        .crds
        .as_deref()
        .map(crate::crds::Crds::load)
        .transpose()?;
    // Text and concise print an unreadable input as an error line on stderr.
    let text = matches!(args.format, Format::Text | Format::Concise);
    let mut unreadable = 0;
    let mut reported = std::collections::BTreeSet::new();
    let mut checked = Vec::with_capacity(runs.len());
    for run in &runs {
        // An input that cannot be read is reported among the others (in the format asked
        // for: E0010), and the rest are still checked (exit 2 at the end), like ruff and
        // kubeconform.
        let failed = match run {
            Run::Unreadable(name, message) => Some((name.clone(), message.clone())),
            Run::Layers(inputs) => match super::check(inputs, &args.sets()) {
                Ok(mut c) => {
                    if let (Some(crds), Some(profile), 0) = (&crds, &c.profile, c.errors()) {
                        c.diagnostics.extend(check_rendered(profile, crds)?);
                    }
                    super::allow(&mut c, &args.allow);
                    checked.push(c);
                    None
                }
                Err(e) => Some((input_name(inputs.last()), format!("{e:#}"))),
            },
        };
        // A `-f` layer that cannot be read fails every run: it is reported once.
        if let Some((name, message)) = failed.filter(|(_, m)| reported.insert(m.clone())) {
            unreadable += 1;
            if text {
                writeln!(err, "error: {message}")?;
            } else {
                checked.push(unreadable_run(name, message));
            }
        }
    }
    match args.format {
        Format::Text => {
            // Overlays over a base: which overlay a diagnostic is about.
            let layered = !args.files.is_empty() && !args.profiles.is_empty();
            for c in &checked {
                if layered && !c.diagnostics.is_empty() {
                    writeln!(out, "in {}:\n", print::run_name(c))?;
                }
                print::text(c, out)?;
            }
            print::checked_line(&checked, err)?;
        }
        Format::Concise => {
            print::concise(&checked, out)?;
            print::checked_line(&checked, err)?;
        }
        Format::Json => print::json(&checked, out)?,
        Format::Github => print::github(&checked, out)?,
        Format::Sarif => print::sarif(&checked, out)?,
        Format::Junit => print::junit(&checked, out)?,
    }
    let errors: usize = checked.iter().map(Loaded::errors).sum();
    let warnings: usize = checked.iter().map(Loaded::warnings).sum();
    crate::release(checked);
    out.flush()?;
    if unreadable > 0 {
        let what = if unreadable == 1 {
            "profile or directory"
        } else {
            "profiles or directories"
        };
        let where_ = if text {
            "see above"
        } else {
            "E0010 in the report"
        };
        writeln!(
            err,
            "error: {unreadable} {what} could not be read ({where_})"
        )?;
        return Ok(ExitStatus::Error);
    }
    Ok(if errors > 0 || (args.strict && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The runs of a `lint`: each PROFILE (a directory: each file under it) on its own, or
/// layered over the `-f` files; the `-f` files alone when no PROFILE remains; with
/// neither, the profile found here or the embedded default (said on `err`).
fn runs(args: &LintArgs, err: &mut dyn Write) -> Result<Vec<Run>> {
    if args.profiles.is_empty() {
        return Ok(vec![Run::Layers(super::profile_inputs(&args.files, err)?)]);
    }
    let base: Vec<Input> = args.files.iter().map(|f| Input::from_arg(f)).collect();
    let mut runs = Vec::new();
    let overlay = |input: Input, runs: &mut Vec<Run>| {
        // A file that is one of the `-f` layers is checked in every run already.
        if !base.iter().any(|b| same_file(b, &input)) {
            runs.push(Run::Layers(base.iter().cloned().chain([input]).collect()));
        }
    };
    for arg in &args.profiles {
        let path = std::path::Path::new(arg);
        if arg == "-" || !path.is_dir() {
            overlay(Input::from_arg(arg), &mut runs);
            continue;
        }
        let (found, failed) = yaml_files(path);
        let none = found.is_empty() && failed.is_empty();
        for (dir, message) in failed {
            runs.push(Run::Unreadable(dir, message));
        }
        if none {
            runs.push(Run::Unreadable(
                arg.clone(),
                format!("the directory `{arg}` holds no `*.yaml` or `*.yml` file"),
            ));
        }
        for file in found {
            overlay(Input::Path(file), &mut runs);
        }
    }
    if runs.is_empty() && !base.is_empty() {
        runs.push(Run::Layers(base));
    }
    Ok(runs)
}

/// Whether two inputs are the same file (by path, or by what the paths point at).
fn same_file(a: &Input, b: &Input) -> bool {
    match (a, b) {
        (Input::Path(a), Input::Path(b)) => {
            a == b
                || matches!(
                    (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                    (Ok(a), Ok(b)) if a == b
                )
        }
        _ => false,
    }
}

/// How an input is named in diagnostics.
fn input_name(input: Option<&Input>) -> String {
    match input {
        Some(Input::Path(path)) => path.display().to_string(),
        Some(Input::Text { name, .. }) => name.clone(),
        Some(Input::Stdin) => "<stdin>".to_owned(),
        Some(Input::Default) | None => crate::load::DEFAULT_PROFILE_NAME.to_owned(),
    }
}

/// An input that could not be read, as a run with one diagnostic (E0010), so that every
/// machine format reports it in its own way.
fn unreadable_run(name: String, message: String) -> Loaded {
    use crate::diagnostic::{Code, Diagnostic, FieldPath};
    let mut sources = crate::source::Sources::new();
    let file = sources.add(name, String::new());
    let span = crate::source::Span {
        file,
        line: 1,
        col: 1,
    };
    Loaded {
        sources,
        tree: crate::node::Node {
            value: crate::node::Value::Null,
            span,
        },
        profile: None,
        failed: crate::load::FailedPaths::default(),
        diagnostics: vec![Diagnostic::new(Code::Unreadable, FieldPath::root(), message).at(span)],
    }
}

/// The `*.yaml` and `*.yml` files under `dir`, at any depth, sorted, and the directories
/// that could not be read, with why (reported by the caller; the rest is still linted).
fn yaml_files(dir: &std::path::Path) -> (Vec<std::path::PathBuf>, Vec<(String, String)>) {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                failed.push((
                    dir.display().to_string(),
                    format!("failed to read the directory `{}`: {e}", dir.display()),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                found.push(path);
            }
        }
    }
    found.sort();
    (found, failed)
}

/// Render every object and check it against the CRDs and the Kubernetes types. A kind
/// that no CRD in the directory serves is reported once (E0951), its objects unchecked.
fn check_rendered(
    profile: &crate::profile::Profile,
    crds: &crate::crds::Crds,
) -> Result<Vec<crate::diagnostic::Diagnostic>> {
    use crate::diagnostic::{Code, Diagnostic, FieldPath};
    let renderer = crate::render::Renderer::new()?;
    let mut out = Vec::new();
    let objects = crate::plan::plan(profile, &crate::plan::Selection::all());
    let mut missing: Vec<(&str, &str, usize)> = Vec::new();
    for object in &objects {
        if crds.serves(object) {
            continue;
        }
        let (api_version, kind) = (object.api_version, object.kind.kind);
        match missing
            .iter_mut()
            .find(|(a, k, _)| *a == api_version && *k == kind)
        {
            Some((_, _, count)) => *count += 1,
            None => missing.push((api_version, kind, 1)),
        }
    }
    for (api_version, kind, count) in &missing {
        let objects = if *count == 1 { "object" } else { "objects" };
        out.push(
            Diagnostic::new(
                Code::MissingCrd,
                FieldPath::root(),
                format!(
                    "no CRD in the directory serves `{api_version}` `{kind}`: its {count} rendered {objects} were not checked"
                ),
            )
            .help(format!(
                "add the CustomResourceDefinition of `{kind}` (the operator's release has it) to the `--crds` directory"
            )),
        );
    }
    renderer.render_and_read_back(&objects, |object, _, doc| {
        if !crds.serves(object) {
            return Ok(());
        }
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

//! `mplp-scale lint`: check profiles and print every diagnostic.

use std::io::Write;

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::{Format, LintArgs};
use crate::diagnostic::print;
use crate::load::{Input, Loaded};

/// Check each profile (or the layered `-f` files as one); diagnostics to `out`, the summary to `err`.
pub(crate) fn lint(
    args: &LintArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    if args.profiles.iter().filter(|p| *p == "-").count() > 1 {
        anyhow::bail!(
            "standard input (`-`) is given more than once: it can be read only once, so give `-` once and the other profiles as files"
        );
    }
    let mut unreadable = 0;
    let runs: Vec<Vec<Input>> = if !args.files.is_empty() {
        vec![args.files.iter().map(|f| Input::from_arg(f)).collect()]
    } else if args.profiles.is_empty() {
        super::note_default_profile(err, "mplp-scale lint FILE")?;
        vec![vec![Input::Default]]
    } else {
        let mut runs = Vec::new();
        for arg in &args.profiles {
            let path = std::path::Path::new(arg);
            if arg != "-" && path.is_dir() {
                let (found, failed) = yaml_files(path);
                for message in &failed {
                    writeln!(err, "error: {message}")?;
                }
                unreadable += failed.len();
                if found.is_empty() && failed.is_empty() {
                    writeln!(
                        err,
                        "error: the directory `{arg}` holds no `*.yaml` or `*.yml` file"
                    )?;
                    unreadable += 1;
                }
                runs.extend(found.into_iter().map(|p| vec![Input::Path(p)]));
            } else {
                runs.push(vec![Input::from_arg(arg)]);
            }
        }
        runs
    };
    let crds = args
        .crds
        .as_deref()
        .map(crate::crds::Crds::load)
        .transpose()?;
    let mut checked = Vec::with_capacity(runs.len());
    for inputs in &runs {
        // A file that cannot be read is reported among the others, and the rest are
        // still checked (exit 2 at the end), like ruff and kubeconform.
        let mut c = match super::check(inputs, &args.sets) {
            Ok(c) => c,
            Err(e) if runs.len() > 1 => {
                writeln!(err, "error: {e:#}")?;
                unreadable += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        if let (Some(crds), Some(profile), 0) = (&crds, &c.profile, c.errors()) {
            c.diagnostics.extend(check_rendered(profile, crds)?);
        }
        super::allow(&mut c, &args.allow);
        checked.push(c);
    }
    match args.format {
        Format::Text => {
            for c in &checked {
                print::text(c, out)?;
            }
            print::checked_line(&checked, err)?;
        }
        Format::Json => print::json(&checked, out)?,
        Format::Github => print::github(&checked, out)?,
        Format::Sarif => print::sarif(&checked, out)?,
        Format::Junit => print::junit(&checked, out)?,
    }
    let errors: usize = checked.iter().map(Loaded::errors).sum();
    let warnings: usize = checked.iter().map(Loaded::warnings).sum();
    out.flush()?;
    if unreadable > 0 {
        let what = if unreadable == 1 {
            "profile or directory"
        } else {
            "profiles or directories"
        };
        writeln!(
            err,
            "error: {unreadable} {what} could not be read (see above)"
        )?;
        return Ok(ExitStatus::Error);
    }
    Ok(if errors > 0 || (args.strict && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The `*.yaml` and `*.yml` files under `dir`, at any depth, sorted, and the directories
/// that could not be read (reported by the caller; the rest is still linted).
fn yaml_files(dir: &std::path::Path) -> (Vec<std::path::PathBuf>, Vec<String>) {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                failed.push(format!(
                    "failed to read the directory `{}`: {e}",
                    dir.display()
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

//! `mplp-scale lint`: check profiles and print every diagnostic.

use std::io::Write;

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::{Format, LintArgs};
use crate::diagnostic::print;
use crate::load::{Input, Loaded};

/// Check each profile (or the layered `-f` files as one); diagnostics to `out`, the summary to `err`.
pub fn lint(args: &LintArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus> {
    if args.profiles.iter().filter(|p| *p == "-").count() > 1 {
        anyhow::bail!(
            "standard input (`-`) is given more than once: it can be read only once, so give `-` once and the other profiles as files"
        );
    }
    let runs: Vec<Vec<Input>> = if !args.files.is_empty() {
        vec![args.files.iter().map(|f| Input::from_arg(f)).collect()]
    } else if args.profiles.is_empty() {
        super::note_default_profile(err, "mplp-scale lint FILE")?;
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
    match args.format {
        Format::Text => {
            for c in &checked {
                print::text(c, out)?;
            }
            print::checked_line(&checked, err)?;
        }
        Format::Json => print::json(&checked, out)?,
        Format::Github => print::github(&checked, out)?,
    }
    let errors: usize = checked.iter().map(Loaded::errors).sum();
    let warnings: usize = checked.iter().map(Loaded::warnings).sum();
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

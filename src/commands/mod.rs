//! One entry function per subcommand, each writing to the writers it is given.

pub mod diff;
pub mod explain;
pub mod init;
pub mod lint;
pub mod render;
pub mod schema;
pub mod simulate;

use std::io::Write;

use anyhow::Result;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{Input, load};
use crate::node::Node;
use crate::profile::Profile;
use crate::source::Sources;

/// A profile loaded and checked: what `render` and `lint` both start from.
#[derive(Debug)]
pub struct Checked {
    pub sources: Sources,
    pub tree: Node,
    /// `None` when the profile could not be read into the typed model.
    pub profile: Option<Profile>,
    /// Every diagnostic of loading and validation, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
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

/// Load the layers and `--set` overrides, then run every rule.
pub fn check(inputs: &[Input], sets: &[String]) -> Result<Checked> {
    let loaded = load(inputs, sets)?;
    let mut diagnostics = loaded.diagnostics;
    if let Some(profile) = &loaded.profile {
        diagnostics.extend(crate::validate::validate(profile, &loaded.tree));
    }
    crate::diagnostic::sort(&mut diagnostics);
    Ok(Checked {
        sources: loaded.sources,
        tree: loaded.tree,
        profile: loaded.profile,
        diagnostics,
    })
}

/// Load and check a profile for a command that needs a valid one: on errors, print them
/// and return `None` (the caller exits 1).
pub fn valid_profile(
    args: &crate::cli::ProfileArgs,
    err: &mut dyn Write,
) -> Result<Option<(Checked, Profile)>> {
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::from_arg(f)).collect();
    let checked = check(&inputs, &args.sets)?;
    print_text(&checked, err)?;
    match checked.profile.clone() {
        Some(profile) if checked.errors() == 0 => Ok(Some((checked, profile))),
        _ => {
            writeln!(
                err,
                "error: the profile has {}",
                summary(checked.errors(), checked.warnings())
            )?;
            Ok(None)
        }
    }
}

/// Print diagnostics in the full text form, a blank line after each.
pub fn print_text(checked: &Checked, out: &mut dyn Write) -> std::io::Result<()> {
    for d in &checked.diagnostics {
        writeln!(out, "{}\n", d.full(&checked.sources))?;
    }
    Ok(())
}

/// The error for a `--region` the profile does not have.
#[must_use]
pub fn unknown_region(profile: &Profile, region: &str) -> String {
    let known: Vec<&str> = profile.regions.keys().map(String::as_str).collect();
    format!(
        "unknown region `{region}`: the profile's regions are {}",
        known.join(", ")
    )
}

/// `N errors, M warnings` with the right plurals.
#[must_use]
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

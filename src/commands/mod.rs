//! One entry function per subcommand, each writing to the writers it is given.

pub mod completions;
pub mod diff;
pub mod explain;
pub mod init;
pub mod lint;
pub mod render;
pub mod schema;
pub mod simulate;

use std::io::Write;

use anyhow::Result;

use crate::diagnostic::print;
use crate::load::{Input, Loaded, load};
use crate::profile::Profile;

/// Load the layers and `--set` overrides, then run every rule: the diagnostics of both,
/// sorted by position.
pub fn check(inputs: &[Input], sets: &[String]) -> Result<Loaded> {
    let mut loaded = load(inputs, sets)?;
    if let Some(profile) = &loaded.profile {
        let found = crate::validate::validate(profile, &loaded.tree, &loaded.failed);
        loaded.diagnostics.extend(found);
    }
    crate::diagnostic::sort(&mut loaded.diagnostics);
    Ok(loaded)
}

/// Load and check a profile for a command that needs a valid one: on errors, print them
/// and return `None` (the caller exits 1).
pub fn valid_profile(
    args: &crate::cli::ProfileArgs,
    err: &mut dyn Write,
) -> Result<Option<(Loaded, Profile)>> {
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::from_arg(f)).collect();
    let checked = check(&inputs, &args.sets)?;
    print::text(&checked, err)?;
    match checked.profile.clone() {
        Some(profile) if checked.errors() == 0 => Ok(Some((checked, profile))),
        _ => {
            writeln!(
                err,
                "error: the profile has {}",
                print::summary(checked.errors(), checked.warnings())
            )?;
            Ok(None)
        }
    }
}

/// Read `simulate --trace FILE` (`-`: standard input, unless the profile is read from it).
pub fn read_trace(path: &std::path::Path, profile: &crate::cli::ProfileArgs) -> Result<String> {
    use anyhow::Context as _;
    if path != std::path::Path::new("-") {
        return std::fs::read_to_string(path)
            .with_context(|| format!("failed to read the trace `{}`", path.display()));
    }
    if profile.files.iter().any(|f| f == "-") {
        anyhow::bail!(
            "`-f -` and `--trace -` both read standard input: give one of them as a file"
        );
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .context("failed to read the trace from standard input")?;
    Ok(text)
}

/// Say (one line on stderr) that no profile was given, so the embedded default profile is
/// used; name a profile that `init` wrote in the current directory, which is not read
/// unless given. `give` is how to give that file to this command.
pub fn note_default_profile(err: &mut dyn Write, give: &str) -> Result<()> {
    let here = init::DEFAULT_PATH;
    write!(
        err,
        "note: no profile given: using the embedded default profile (the production topology; `mplp-scale render --show-profile` prints it)"
    )?;
    if std::path::Path::new(here).is_file() {
        write!(
            err,
            ", not `{here}` here (give it: `{}`)",
            give.replace("FILE", here)
        )?;
    }
    writeln!(err)?;
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

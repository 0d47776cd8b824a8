//! One entry function per subcommand, each writing to the writers it is given.

pub(crate) mod chart;
pub(crate) mod completions;
pub(crate) mod diff;
mod directives;
pub(crate) mod explain;
pub(crate) mod init;
pub(crate) mod lint;
pub(crate) mod render;
mod same_object;
pub(crate) mod schema;
pub(crate) mod simulate;

pub(crate) use same_object::in_plan as same_object_in_plan;

use std::io::Write;

use anyhow::Result;

use crate::diagnostic::print;
use crate::load::{Input, Loaded, load};
use crate::profile::Profile;

/// Load the layers and `--set` overrides, then run every rule: the diagnostics of both,
/// sorted by position.
///
/// The embedded default profile alone, without `--set`, is not run through the rules:
/// it is the same text in every run and has no findings (a test checks both ways agree),
/// so checking it again on every `render` would be work the input did not ask for.
pub fn check(inputs: &[Input], sets: &[String]) -> Result<Loaded> {
    let rules = !(matches!(inputs, [Input::Default]) && sets.is_empty());
    check_with(inputs, sets, rules, rules)
}

/// [`check`] without E0110 (two objects as one), for a command that plans every object
/// anyway and checks them all ([`same_object_in_plan`]: `render`, `diff`): the
/// representative regions `lint` plans for it would be planned twice.
pub(crate) fn check_for_full_plan(inputs: &[Input], sets: &[String]) -> Result<Loaded> {
    let rules = !(matches!(inputs, [Input::Default]) && sets.is_empty());
    check_with(inputs, sets, rules, false)
}

fn check_with(inputs: &[Input], sets: &[String], rules: bool, objects: bool) -> Result<Loaded> {
    let mut loaded = load(inputs, sets)?;
    if let Some(manifest) = directives::kubernetes_manifest(&loaded) {
        loaded.profile = None;
        loaded.diagnostics = vec![manifest];
        return Ok(loaded);
    }
    let comments = directives::allow_comments(&loaded);
    loaded.diagnostics.extend(comments);
    if let Some(profile) = loaded.profile.as_ref().filter(|_| rules) {
        let found = crate::validate::validate(profile, &loaded.tree, &loaded.failed);
        loaded.diagnostics.extend(found);
        // E0110 needs the planned objects: only for a profile that plans (no errors).
        if objects && loaded.errors() == 0 {
            loaded
                .diagnostics
                .extend(same_object::lint(profile, &loaded.tree));
        }
    }
    crate::diagnostic::sort(&mut loaded.diagnostics);
    allow(&mut loaded, &[]);
    Ok(loaded)
}

/// Drop the warnings that are allowed: by `--allow CODE`, or in the profile by a comment
/// `# mplp-scale: allow CODE[, CODE...]` at the end of the warning's line or alone on the
/// line above it (that one value only). Errors are never dropped.
pub(crate) fn allow(loaded: &mut Loaded, codes: &[crate::diagnostic::Code]) {
    let sources = &loaded.sources;
    // Most profiles allow nothing in a comment: then only `--allow` is looked at (a line
    // lookup per warning is linear in the file).
    let comments = sources.any_text_contains("mplp-scale: allow");
    let allowed_at = |d: &crate::diagnostic::Diagnostic| {
        let Some(span) = d.span else { return false };
        let names_code = |line: &str| {
            line.split_once('#')
                .and_then(|(_, comment)| comment.trim().strip_prefix("mplp-scale: allow"))
                .is_some_and(|list| {
                    list.split([',', ' '])
                        .any(|c| c.trim().eq_ignore_ascii_case(d.code.as_str()))
                })
        };
        let here = sources.line(span).is_some_and(names_code);
        let above = span.line > 1
            && sources
                .line(crate::source::Span {
                    line: span.line - 1,
                    ..span
                })
                .is_some_and(|l| l.trim_start().starts_with('#') && names_code(l));
        here || above
    };
    loaded.diagnostics.retain(|d| {
        d.severity() == crate::diagnostic::Severity::Error
            || !(codes.contains(&d.code) || (comments && allowed_at(d)))
    });
}

/// Load and check a profile for a command that needs a valid one: on errors, print them
/// and return `None` (the caller exits 1).
pub(crate) fn valid_profile(
    args: &crate::cli::ProfileArgs,
    err: &mut dyn Write,
) -> Result<Option<(Loaded, Profile)>> {
    let inputs = profile_inputs(&args.files, err)?;
    let mut checked = check(&inputs, &args.sets())?;
    allow(&mut checked, &args.allow);
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
pub(crate) fn read_trace(
    path: &std::path::Path,
    profile: &crate::cli::ProfileArgs,
) -> Result<String> {
    use anyhow::Context as _;
    use std::io::Read as _;
    // The same bound as a profile's: a trace is read whole (its rows, then the run).
    let limit = crate::node::MAX_FILE_BYTES as u64;
    let mut bytes = Vec::new();
    if path == std::path::Path::new("-") {
        if profile.files.iter().any(|f| f == "-") {
            anyhow::bail!(
                "`-f -` and `--trace -` both read standard input: give one of them as a file"
            );
        }
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .context("failed to read the trace from standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
            .with_context(|| format!("failed to read the trace `{}`", path.display()))?;
    }
    // The size first: the cut past the limit may fall inside a character.
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "the trace `{}` is larger than the limit of {limit} bytes (16 MiB): split it, or keep one row per HPA sync (15 s)",
            path.display()
        );
    }
    String::from_utf8(bytes)
        .with_context(|| format!("the trace `{}` is not UTF-8 text", path.display()))
}

/// The layers a command reads: its `-f` files; with none, `mplp-profile.yaml` in the
/// current directory (what `init` writes) when there is one, like ruff and just read the
/// configuration beside you, else the embedded default. Which of the two is said in one
/// line on stderr, by every command that reads a profile.
pub(crate) fn profile_inputs(files: &[String], err: &mut dyn Write) -> Result<Vec<Input>> {
    if !files.is_empty() {
        return Ok(files.iter().map(|f| Input::from_arg(f)).collect());
    }
    let here = init::DEFAULT_PATH;
    if std::path::Path::new(here).is_file() {
        writeln!(
            err,
            "note: no profile given: using `{here}` in the current directory (`-f FILE` reads another)"
        )?;
        return Ok(vec![Input::Path(here.into())]);
    }
    writeln!(
        err,
        "note: no profile given: using the embedded default profile (the production topology; `mplp-scale render --show-profile` prints it)"
    )?;
    Ok(vec![Input::Default])
}

/// A bad command line's error, with a tip for a profile given without `-f` to a command
/// that reads its profile from `-f` (`render prod.yaml`: `render -f prod.yaml`).
#[must_use]
pub fn command_line_error(mut error: clap::Error, args: &[std::ffi::OsString]) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let command = words.iter().find(|w| !w.starts_with('-')).copied();
    let arg = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => arg.clone(),
        _ => return error,
    };
    if error.kind() != ErrorKind::UnknownArgument
        || arg.starts_with('-')
        || !matches!(command, Some("render" | "explain" | "simulate"))
    {
        return error;
    }
    let command = command.unwrap_or_default();
    let tip = format!(
        "`{command}` reads its profile from `-f`: `mplp-scale {command} -f {arg}` (several `-f` layer files)"
    );
    error.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![tip.into()]),
    );
    error
}

/// `-o json` (or `-o yaml`, `-o svg`...) would write a file named after a format: refused
/// (exit 2), with `--format` as the hint; `-o ./json` writes that file.
pub(crate) fn refuse_format_as_output(
    output: Option<&std::path::Path>,
    formats: &[&str],
) -> Result<()> {
    let Some(name) = output.and_then(|o| o.to_str()) else {
        return Ok(());
    };
    if formats.contains(&name) {
        anyhow::bail!(
            "`-o {name}` would write a file named `{name}`: for {name} output, give `--format {name}` (with `-o FILE` to write a file); to write a file named `{name}`, give `-o ./{name}`"
        );
    }
    Ok(())
}

/// `-o FILE` naming a file this command reads (`render -f p.yaml -o p.yaml`, a symbolic
/// or hard link to it, or `simulate`'s trace): writing it would replace the input with the
/// output, so it is refused (exit 2) before anything is written. A FILE that does not
/// exist yet is not an input.
pub(crate) fn refuse_output_over_input<'a>(
    output: Option<&std::path::Path>,
    inputs: impl IntoIterator<Item = &'a std::path::Path>,
) -> Result<()> {
    let Some(output) = output.filter(|o| *o != std::path::Path::new("-")) else {
        return Ok(());
    };
    let Some(out) = file_identity(output) else {
        return Ok(());
    };
    for input in inputs {
        if file_identity(input).as_ref() == Some(&out) {
            let what = if input == output {
                "a file this command reads".to_owned()
            } else if input == std::path::Path::new(STDIN) {
                "the file standard input reads (`-f -`)".to_owned()
            } else {
                format!(
                    "the same file as `{}`, which this command reads",
                    input.display()
                )
            };
            anyhow::bail!(
                "`-o {}` is {what}: writing it would replace the input with the output; give another file",
                output.display()
            );
        }
    }
    Ok(())
}

/// What tells two paths to one file apart from two files: the device and inode on Unix
/// (a hard link is the same file).
#[cfg(unix)]
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.dev(), metadata.ino()))
}

/// What tells two paths to one file apart from two files: the canonical path.
#[cfg(not(unix))]
fn file_identity(path: &std::path::Path) -> Option<std::path::PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// Where standard input's file is named on Linux (`/proc/self/fd/0` behind it): a
/// profile redirected from a file (`-f - < p.yaml`) is that file.
const STDIN: &str = "/dev/stdin";

/// The files among `inputs`, standard input's as [`STDIN`] (not the embedded default).
pub(crate) fn input_paths(inputs: &[Input]) -> impl Iterator<Item = &std::path::Path> {
    inputs.iter().filter_map(|input| match input {
        Input::Path(path) => Some(path.as_path()),
        Input::Stdin => Some(std::path::Path::new(STDIN)),
        Input::Default | Input::Text { .. } => None,
    })
}

/// The error for a `--region` the profile does not have.
#[must_use]
pub(crate) fn unknown_region(profile: &Profile, region: &str) -> String {
    let known: Vec<&str> = profile.regions.keys().map(String::as_str).collect();
    format!(
        "unknown region `{region}`: the profile's regions are {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::{Input, check, check_with};

    /// `check` skips the rules for the embedded profile: they find nothing in it.
    #[test]
    fn the_embedded_profile_has_no_findings() {
        let said = |loaded: &crate::load::Loaded| -> Vec<String> {
            loaded
                .diagnostics
                .iter()
                .map(|d| format!("{} {} {}", d.code, d.path, d.message))
                .collect()
        };
        let checked = check_with(&[Input::Default], &[], true, true).unwrap();
        assert!(checked.profile.is_some());
        assert_eq!(said(&checked), Vec::<String>::new());
        let skipped = check(&[Input::Default], &[]).unwrap();
        assert_eq!(said(&skipped), said(&checked));
        // With an override, the rules run.
        let set = vec!["defaults.pdb.maxUnavailable=0".to_owned()];
        assert!(
            said(&check(&[Input::Default], &set).unwrap())
                .iter()
                .any(|d| d.starts_with("E1001")),
        );
    }
}

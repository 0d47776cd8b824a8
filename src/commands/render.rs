//! `mplp-scale render`: check the profile, then write the stream.

use std::io::Write;

use anyhow::{Result, bail};

use crate::ExitStatus;
use crate::cli::{RenderArgs, RenderFormat};
use crate::diagnostic::print;
use crate::emit;
use crate::plan::{Selection, plan};
use crate::render::Renderer;

/// Render the profile; diagnostics go to `err`, the stream to `out` (or `-o FILE`).
pub(crate) fn render(
    args: &RenderArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    super::refuse_format_as_output(args.output.as_deref(), &["json", "yaml", "yml"])?;
    if args.out_dir.as_deref() == Some(std::path::Path::new("-")) {
        bail!(
            "`--out-dir -` would create a folder named `-`: `--out-dir` writes one file per object; for standard output, leave it out (to write a folder named `-`, give `--out-dir ./-`)"
        );
    }
    let inputs = super::profile_inputs(&args.profile.files, err)?;
    super::refuse_output_over_input(args.output.as_deref(), super::input_paths(&inputs))?;
    let mut checked = super::check_for_full_plan(&inputs, &args.profile.sets())?;
    super::allow(&mut checked, &args.profile.allow);
    if args.show_profile {
        return show_profile(args, &checked, out, err);
    }
    print::text(&checked, err)?;
    let profile = match &checked.profile {
        Some(profile) if checked.errors() == 0 => profile,
        _ => {
            writeln!(
                err,
                "error: the profile has {}; nothing was rendered",
                print::summary(checked.errors(), checked.warnings())
            )?;
            return Ok(ExitStatus::Failure);
        }
    };
    for region in &args.regions {
        if !profile.regions.contains_key(region) {
            writeln!(err, "error: {}", super::unknown_region(profile, region))?;
            return Ok(ExitStatus::Error);
        }
    }
    if args.mesh_config {
        return mesh_config(args, profile, out);
    }
    let selection = if args.regions.is_empty() && !args.global {
        Selection::all()
    } else {
        Selection {
            global: args.global,
            regions: Some(args.regions.clone()),
        }
    };
    let objects = plan(profile, &selection);
    if let Some(status) = refuse_same_object(&checked, profile, &objects, err)? {
        return Ok(status);
    }
    let clusters = clusters(profile, &objects);
    let renderer = Renderer::new()?;
    if args.verify {
        verify(&renderer, &objects)?;
    }
    let json = args.format == RenderFormat::Json;
    let write = |w: &mut dyn Write| {
        if json {
            emit::write_json_lines(&renderer, &objects, w)
        } else {
            emit::write_stream(&renderer, &objects, &header(&clusters, &args.profile), w)
        }
    };
    if let Some(dir) = &args.out_dir {
        // The whole profile's plan: the scopes not selected tell whether the tree is
        // still the image of the profile.
        let everything;
        let all = if selection == Selection::all() {
            &objects
        } else {
            everything = plan(profile, &Selection::all());
            if let Some(status) = refuse_same_object(&checked, profile, &everything, err)? {
                return Ok(status);
            }
            &everything
        };
        // Every region's istiod values (`mesh/<region>/`), kept like the objects' files.
        let mesh = crate::mesh::files(profile, profile.regions.keys().map(String::as_str));
        emit::write_out_dir(&renderer, all, &mesh, &selection, dir, err)?;
    } else {
        // A large stream to standard output: a pipe there is widened (the binary only;
        // never for a small stream, `-o FILE` or `--out-dir`).
        let to_stdout = args
            .output
            .as_deref()
            .is_none_or(|p| p == std::path::Path::new("-"));
        if to_stdout && objects.len() >= emit::LARGE_STREAM && crate::run_by_the_binary() {
            emit::widen_pipe(std::io::stdout());
        }
        if let Some(path) = &args.output {
            emit::write_atomically(path, write)?;
        } else {
            let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
            write(&mut buffered)?;
            buffered.flush()?;
        }
    }
    crate::release((objects, renderer));
    crate::release(checked);
    Ok(ExitStatus::Success)
}

/// Two objects Kubernetes would take for one (E0110, as `lint` says it): said before
/// anything is written, exit 1.
fn refuse_same_object(
    checked: &crate::load::Loaded,
    profile: &crate::profile::Profile,
    objects: &[crate::plan::PlannedObject],
    err: &mut dyn Write,
) -> Result<Option<ExitStatus>> {
    let Some(d) = super::same_object_in_plan(profile, objects, &checked.tree) else {
        return Ok(None);
    };
    writeln!(
        err,
        "{}\n\nerror: the profile has {}; nothing was rendered",
        d.full(&checked.sources),
        print::summary(checked.errors() + 1, checked.warnings())
    )?;
    Ok(Some(ExitStatus::Failure))
}

/// `--show-profile`: the merged profile as mplp-scale reads it, whatever its
/// diagnostics; but a file (`-o`) is written only for a profile without errors, like a
/// render.
fn show_profile(
    args: &RenderArgs,
    checked: &crate::load::Loaded,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    let text = match args.format {
        RenderFormat::Yaml => checked.tree.to_yaml(),
        RenderFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&checked.tree.to_json())?
        ),
    };
    let clean = checked.errors() == 0;
    match args.output.as_deref() {
        Some(path) if path != std::path::Path::new("-") => {
            if clean {
                emit::write_atomically(path, |w| Ok(w.write_all(text.as_bytes())?))?;
            }
        }
        _ => {
            let mut buffered = std::io::BufWriter::new(out);
            buffered.write_all(text.as_bytes())?;
            buffered.flush()?;
        }
    }
    print::text(checked, err)?;
    Ok(if clean {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// `--mesh-config`: the istiod Helm values of the selected regions (every region without
/// `--region`, each after a `# Source:` line), to `out` or `-o FILE`.
fn mesh_config(
    args: &RenderArgs,
    profile: &crate::profile::Profile,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let regions: Vec<&str> = if args.regions.is_empty() {
        profile.regions.keys().map(String::as_str).collect()
    } else {
        args.regions.iter().map(String::as_str).collect()
    };
    let files = crate::mesh::files(profile, regions.iter().copied());
    let mut text = String::new();
    for (path, values) in &files {
        // Several regions: a stream, each file after its `# Source:` line.
        if files.len() > 1 {
            text.push_str("---\n# Source: ");
            text.push_str(path);
            text.push('\n');
        }
        text.push_str(values);
    }
    match args.output.as_deref() {
        Some(path) if path != std::path::Path::new("-") => {
            emit::write_atomically(path, |w| Ok(w.write_all(text.as_bytes())?))?;
        }
        _ => out.write_all(text.as_bytes())?,
    }
    Ok(ExitStatus::Success)
}

/// The clusters a stream's objects are for, in stream order: `(region, cluster)`, the
/// region `None` for the management cluster.
fn clusters<'p>(
    profile: &'p crate::profile::Profile,
    objects: &[crate::plan::PlannedObject],
) -> Vec<(Option<&'p str>, &'p str)> {
    let mut out: Vec<(Option<&str>, &str)> = Vec::new();
    let mut last: Option<&crate::plan::Scope> = None;
    for object in objects {
        // Objects come scope by scope: a region is looked up once per run of its objects.
        if last == Some(&object.scope) {
            continue;
        }
        last = Some(&object.scope);
        let cluster = match &object.scope {
            crate::plan::Scope::Global => (None, "the management cluster"),
            crate::plan::Scope::Region(name) => {
                let Some((name, region)) = profile.regions.get_key_value(&**name) else {
                    continue;
                };
                (Some(name.as_str()), region.cluster(name))
            }
        };
        if out.last() != Some(&cluster) {
            out.push(cluster);
        }
    }
    out
}

/// The comment lines that open a stream: which clusters its objects are for, and how to
/// apply each cluster's part (DESIGN.md section 2): the commands carry the user's `-f`
/// and `--set`, shell-quoted, so that copied as printed they render the same profile.
fn header(clusters: &[(Option<&str>, &str)], profile: &crate::cli::ProfileArgs) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut render = "mplp-scale render".to_owned();
    // A value that starts with `-` (a file named `-x.yaml`; not `-`, standard input) is
    // joined to its flag with `=`, or it would read as a flag when pasted.
    let flag = |long: &str, short: &str, value: &str| {
        if value.starts_with('-') && value != "-" {
            format!(" {long}={}", shell_word(value))
        } else {
            format!(" {short} {}", shell_word(value))
        }
    };
    for file in &profile.files {
        render.push_str(&flag("--file", "-f", file));
    }
    for set in &profile.sets() {
        render.push_str(&flag("--set", "--set", set));
    }
    let command = |region: Option<&str>, cluster: &str| match region {
        Some(region) => format!(
            "#   {render} --region {} | kubectl --context {} apply -f -",
            shell_word(region),
            shell_word(cluster)
        ),
        None => format!("#   {render} --global | kubectl --context MANAGEMENT apply -f -"),
    };
    let regions = clusters.iter().filter(|(r, _)| r.is_some()).count();
    match clusters {
        [] => {}
        [(region, cluster)] => {
            let _ = writeln!(
                out,
                "# mplp-scale: the objects of {}, for {}:",
                region.map_or_else(|| "the global scope".to_owned(), |r| format!("region {r}")),
                region.map_or_else(|| (*cluster).to_owned(), |_| format!("cluster {cluster}"))
            );
        }
        _ if regions > 1 => {
            let _ = writeln!(
                out,
                "# mplp-scale: the objects of {} clusters. Each region's objects have the same names",
                clusters.len()
            );
            out.push_str(
                "# as the other regions': never apply this whole stream to one cluster. Apply each\n# cluster's part:\n",
            );
        }
        _ => {
            out.push_str("# mplp-scale: the objects of 2 clusters, the management cluster (the global scope)\n# and a region's: never apply this whole stream to one cluster. Apply each cluster's part:\n");
        }
    }
    for (region, cluster) in clusters {
        let _ = writeln!(out, "{}", command(*region, cluster));
    }
    out
}

/// `word` as one shell word that stays on its line: as it is when it holds only safe
/// characters, else in single quotes, or, when it holds a line break or another control
/// character (which would end the comment line it is printed on), in `$'…'` with those
/// characters escaped in octal (bash, zsh, ksh and POSIX.1-2024 `sh` read `$'…'`).
fn shell_word(word: &str) -> String {
    use std::fmt::Write as _;
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    let breaks = |c: char| {
        c.is_control()
            || crate::yaml::is_bidi_control(c)
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    };
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_owned();
    }
    if !word.chars().any(breaks) {
        return format!("'{}'", word.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if breaks(c) => {
                let mut bytes = [0; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(out, "\\{b:03o}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `--verify`: parse every document back and check it names the object it should.
fn verify(renderer: &Renderer, objects: &[crate::plan::PlannedObject]) -> Result<()> {
    renderer.render_and_read_back(objects, |object, _, doc| {
        if doc["kind"].as_str() != Some(object.kind.kind)
            || doc["metadata"]["name"].as_str() != Some(&*object.name)
        {
            bail!(
                "{} does not read back as the object it should be",
                object.source()
            );
        }
        Ok(())
    })
}

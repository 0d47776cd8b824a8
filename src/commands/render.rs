//! `mplp-scale render`: check the profile, then write the stream.

use std::io::Write;

use anyhow::{Result, bail};

use crate::ExitStatus;
use crate::cli::{RenderArgs, RenderFormat};
use crate::diagnostic::print;
use crate::emit;
use crate::load::Input;
use crate::plan::{Selection, plan};
use crate::render::Renderer;

/// Render the profile; diagnostics go to `err`, the stream to `out` (or `-o FILE`).
pub(crate) fn render(
    args: &RenderArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    let inputs: Vec<Input> = args
        .profile
        .files
        .iter()
        .map(|f| Input::from_arg(f))
        .collect();
    if inputs.is_empty() {
        super::note_default_profile(err, "mplp-scale render -f FILE")?;
    }
    let mut checked = super::check(&inputs, &args.profile.sets)?;
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
    let clusters = clusters(profile, &objects);
    let to_stdout = args.out_dir.is_none()
        && args
            .output
            .as_deref()
            .is_none_or(|o| o == std::path::Path::new("-"));
    if to_stdout && args.stdout_is_pipe && clusters.len() > 1 && !args.all_clusters {
        refuse_the_pipe(profile, clusters.len(), err)?;
        return Ok(ExitStatus::Error);
    }
    let renderer = Renderer::new()?;
    if args.verify {
        verify(&renderer, &objects)?;
    }
    let json = args.format == RenderFormat::Json;
    let write = |w: &mut dyn Write| {
        if json {
            emit::write_json_lines(&renderer, &objects, w)
        } else {
            emit::write_stream(&renderer, &objects, &header(&clusters), w)
        }
    };
    if let Some(dir) = &args.out_dir {
        let scopes = scopes_of(profile);
        let regions = profile.regions.keys().map(String::as_str);
        let mesh = match &selection.regions {
            None => crate::mesh::files(profile, regions),
            Some(only) => {
                crate::mesh::files(profile, regions.filter(|r| only.iter().any(|o| o == r)))
            }
        };
        emit::write_out_dir(&renderer, &objects, &mesh, &scopes, dir)?;
    } else if let Some(path) = &args.output {
        emit::write_atomically(path, write)?;
    } else {
        let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
        write(&mut buffered)?;
    }
    Ok(ExitStatus::Success)
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

/// The guard: the objects of several clusters are not written into a pipe, where
/// `kubectl apply` would put every region's objects on one cluster.
fn refuse_the_pipe(
    profile: &crate::profile::Profile,
    clusters: usize,
    err: &mut dyn Write,
) -> Result<()> {
    let (region, cluster) = profile
        .regions
        .iter()
        .next()
        .map(|(name, r)| (name.as_str(), r.cluster(name)))
        .unwrap_or_default();
    writeln!(
        err,
        "error: refusing to write the objects of {clusters} clusters into a pipe: each region's objects have the same names, so applied to one cluster they overwrite each other"
    )?;
    writeln!(
        err,
        "help: apply one cluster at a time (`mplp-scale render --region {region} | kubectl --context {cluster} apply -f -`), write files (`-o FILE`, `--out-dir DIR`), or add `--all-clusters` when the reader is not kubectl"
    )?;
    Ok(())
}

/// Every scope the profile produces (`global`, `regions/<r>`, and `mesh/<r>`, the
/// istiod values): what `--out-dir` keeps.
fn scopes_of(profile: &crate::profile::Profile) -> Vec<String> {
    std::iter::once(crate::plan::Scope::Global)
        .chain(
            profile
                .regions
                .keys()
                .map(|r| crate::plan::Scope::Region(r.as_str().into())),
        )
        .map(|s| s.dir())
        .chain(profile.regions.keys().map(|r| crate::mesh::dir(r)))
        .collect()
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
    for object in objects {
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
/// apply each cluster's part (DESIGN.md section 2).
fn header(clusters: &[(Option<&str>, &str)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let command = |region: Option<&str>| match region {
        Some(region) => format!("mplp-scale render --region {region}"),
        None => "mplp-scale render --global".to_owned(),
    };
    let context = |region: Option<&str>, cluster: &str| match region {
        Some(_) => cluster.to_owned(),
        None => "MANAGEMENT".to_owned(),
    };
    match clusters {
        [] => {}
        [(region, cluster)] => {
            let _ = writeln!(
                out,
                "# mplp-scale: the objects of {}, for {}:",
                region.map_or_else(|| "the global scope".to_owned(), |r| format!("region {r}")),
                region.map_or_else(|| (*cluster).to_owned(), |_| format!("cluster {cluster}"))
            );
            let _ = writeln!(
                out,
                "#   {} | kubectl --context {} apply -f -",
                command(*region),
                context(*region, cluster)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "# mplp-scale: the objects of {} clusters. Each region's objects have the same names",
                clusters.len()
            );
            out.push_str(
                "# as the other regions': never apply this whole stream to one cluster. Apply each\n# cluster's part (with the same -f and --set):\n",
            );
            for (region, cluster) in clusters {
                let _ = writeln!(
                    out,
                    "#   {} | kubectl --context {} apply -f -",
                    command(*region),
                    context(*region, cluster)
                );
            }
        }
    }
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

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
pub fn render(args: &RenderArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus> {
    let inputs: Vec<Input> = args
        .profile
        .files
        .iter()
        .map(|f| Input::from_arg(f))
        .collect();
    let checked = super::check(&inputs, &args.profile.sets)?;
    if args.show_profile {
        // The merged profile as mplp-scale reads it, whatever its diagnostics.
        let mut buffered = std::io::BufWriter::new(out);
        buffered.write_all(checked.tree.to_yaml().as_bytes())?;
        buffered.flush()?;
        print::text(&checked, err)?;
        return Ok(if checked.errors() == 0 {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        });
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
    let selection = if args.regions.is_empty() && !args.global {
        Selection::all()
    } else {
        Selection {
            global: args.global,
            regions: Some(args.regions.clone()),
        }
    };
    let objects = plan(profile, &selection);
    let renderer = Renderer::new()?;
    if args.verify {
        verify(&renderer, &objects)?;
    }
    let json = args.format == RenderFormat::Json;
    let write = |w: &mut dyn Write| {
        if json {
            emit::write_json_lines(&renderer, &objects, w)
        } else {
            emit::write_stream(&renderer, &objects, w)
        }
    };
    if let Some(dir) = &args.out_dir {
        emit::write_out_dir(&renderer, &objects, dir)?;
    } else if let Some(path) = &args.output {
        emit::write_atomically(path, write)?;
    } else {
        let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
        write(&mut buffered)?;
    }
    Ok(ExitStatus::Success)
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

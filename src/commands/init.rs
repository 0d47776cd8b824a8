//! `mplp-scale init`: a commented starter profile that lints clean.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use crate::ExitStatus;
use crate::cli::InitArgs;

/// The starter profile: `profiles/minimal.yaml`, whose modeline points at the schema
/// written beside it.
const STARTER: &str = include_str!("../../profiles/minimal.yaml");
/// Where `init` writes the profile when no PATH is given.
pub(crate) const DEFAULT_PATH: &str = "mplp-profile.yaml";
/// The schema file `init` writes beside the profile (when there is none).
const SCHEMA_FILE: &str = "profile.schema.json";

pub(crate) fn init(args: &InitArgs, err: &mut dyn Write) -> Result<ExitStatus> {
    if args.path.exists() && !args.force {
        bail!(
            "`{}` exists: it was left as it is (use --force to replace it)",
            args.path.display()
        );
    }
    let text = STARTER.replacen(
        "$schema=../schemas/profile.schema.json",
        &format!("$schema=./{SCHEMA_FILE}"),
        1,
    );
    crate::emit::write_atomically(&args.path, |w| Ok(w.write_all(text.as_bytes())?))?;
    if args.path == Path::new("-") {
        // Standard output: no schema file beside it, and nothing to name as written.
        writeln!(
            err,
            "note: the profile's modeline names `./{SCHEMA_FILE}`: `mplp-scale schema -o {SCHEMA_FILE}` writes it"
        )?;
        return Ok(ExitStatus::Success);
    }
    writeln!(err, "wrote {}", args.path.display())?;
    let dir = args
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let schema = dir.join(SCHEMA_FILE);
    let text = super::schema::schema_text();
    // An existing schema is this tool's output, maybe from an older version: `--force`
    // brings it up to date; without it, a stale one is only named.
    let stale = schema.exists() && std::fs::read_to_string(&schema).map_or(true, |old| old != text);
    if !schema.exists() || (stale && args.force) {
        crate::emit::write_atomically(&schema, |w| Ok(w.write_all(text.as_bytes())?))?;
        writeln!(
            err,
            "{} {} (for editors: the profile's modeline points at it)",
            if stale { "refreshed" } else { "wrote" },
            schema.display()
        )?;
    } else if stale {
        writeln!(
            err,
            "note: `{}` is not this version's schema: it was left as it is (`init --force` refreshes it)",
            schema.display()
        )?;
    }
    writeln!(
        err,
        "next: mplp-scale lint {0} && mplp-scale render -f {0}",
        args.path.display()
    )?;
    Ok(ExitStatus::Success)
}

//! `mplp-scale schema`: the profile's JSON Schema, generated from the Rust types.

use std::io::Write;

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::SchemaArgs;

/// The schema as it is committed in `schemas/profile.schema.json`.
#[must_use]
pub(crate) fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&crate::profile::profile_schema())
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

pub(crate) fn schema(args: &SchemaArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let text = schema_text();
    match &args.output {
        Some(path) => crate::emit::write_atomically(path, |w| Ok(w.write_all(text.as_bytes())?))?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(ExitStatus::Success)
}

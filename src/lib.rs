//! mplp-scale renders every scaling manifest of a multi-region MPLP platform from one
//! declarative topology profile, as one deterministic YAML stream.
//!
//! The pipeline: `load` (files → positioned YAML → typed `profile::Profile`) →
//! `validate` (every rule, every problem) → `plan` (the kinds table, effective values,
//! names, order) → `render` (one template per kind) → `emit` (the stream, or files).
//! Profiles are read only by `load`; the other files a command reads are read by that
//! command's own code: `lint --crds` reads CRD files in `crds`, `diff` reads the two
//! rendered streams it compares (`commands::diff`) and `simulate` reads its metrics trace
//! (`commands::simulate`). Only `emit` writes files. The modules are private: the crate's
//! public items are the few the binary, the tests and the fuzz target use.

mod cli;
mod commands;
mod crds;
mod diagnostic;
mod effective;
mod emit;
mod hpa;
mod kinds;
mod load;
mod mesh;
mod node;
mod plan;
mod profile;
mod quantity;
mod render;
mod source;
mod target;
mod validate;
mod yaml;

// What the binary, the tests, the fuzz target and the benches use; everything else is
// `pub(crate)` (the `unreachable_pub` lint keeps it so).
pub use cli::Cli;
pub use commands::{check, command_line_error};
pub use diagnostic::{CODES, Code, CodeInfo, Severity};
pub use emit::is_broken_pipe;
pub use load::{DEFAULT_PROFILE, Input, Loaded};
pub use node::{MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES};
pub use plan::{PlannedObject, Selection, plan};
pub use profile::profile_schema;
pub use render::Renderer;
pub use validate::string_field_type;

/// For `fuzz/fuzz_targets/parse_differential.rs` only (built with `--cfg fuzzing`): the
/// event walker against the serde-saphyr path it replaced, on one text.
///
/// # Panics
///
/// When both accept `text` but build different trees (positions included), or only one
/// accepts it.
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_parse_differential(text: &str) {
    node::fuzz_compare(text);
}

use std::process::ExitCode;

use anyhow::Result;

use cli::Command;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: clean.
    Success,
    /// 1: the profile has errors (or warnings, with `--strict`), or `diff` found differences.
    Failure,
    /// 2: the tool could not do its work (unreadable file, bad flag, unwritable output).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Set by the binary: the process ends when [`run`] returns.
static ENDS_AFTER_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Say that the process ends when [`run`] returns (the binary does): the largest
/// structures of a run (the plan, the merged tree and profile) are then left to the
/// operating system, not freed one allocation at a time (43,000 objects at 100 regions:
/// 3 % of a render). A caller that goes on after `run` (the tests) leaves it unset.
pub fn process_ends_after_run() {
    ENDS_AFTER_RUN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the binary runs the command ([`process_ends_after_run`]): its standard output
/// is the process's, which `render` may then widen when it is a pipe.
pub(crate) fn run_by_the_binary() -> bool {
    ENDS_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed)
}

/// Free `value`, unless the process is about to end anyway ([`process_ends_after_run`]).
pub(crate) fn release<T>(value: T) {
    if run_by_the_binary() {
        std::mem::forget(value);
    }
}

/// Run one command. Diagnostics are printed by the command; `Err` is a failure of the tool.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    let stdout = &mut emit::Named::new(std::io::stdout().lock(), "standard output");
    let stderr = &mut emit::Named::new(std::io::stderr().lock(), "standard error");
    match cli.command {
        Command::Render(args) => commands::render::render(&args, stdout, stderr),
        Command::Lint(args) => commands::lint::lint(&args, stdout, stderr),
        Command::Schema(args) => commands::schema::schema(&args, stdout),
        Command::Init(args) => commands::init::init(&args, stderr),
        Command::Diff(args) => commands::diff::diff(&args, stdout, stderr),
        Command::Simulate(args) => commands::simulate::simulate(&args, stdout, stderr),
        Command::Explain(args) => commands::explain::explain(&args, stdout, stderr),
        Command::Completions(args) => commands::completions::completions(&args, stdout),
    }
}

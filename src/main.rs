use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use mplp_scale::{Cli, ExitStatus};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = Cli::try_parse_from(&args)
        .unwrap_or_else(|e| mplp_scale::command_line_error(e, &args).exit());
    mplp_scale::process_ends_after_run();
    match mplp_scale::run(cli) {
        Ok(status) => status.into(),
        Err(err) if mplp_scale::is_broken_pipe(&err) => ExitStatus::Success.into(),
        Err(err) => {
            // Not `eprintln!`: a standard error that cannot be written (a full disk) must
            // not turn a failure into a panic.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitStatus::Error.into()
        }
    }
}

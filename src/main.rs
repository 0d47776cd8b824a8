use std::process::ExitCode;

use clap::Parser as _;
use mplp_scale::{Cli, ExitStatus};

fn main() -> ExitCode {
    match mplp_scale::run(Cli::parse()) {
        Ok(status) => status.into(),
        Err(err) if mplp_scale::is_broken_pipe(&err) => ExitStatus::Success.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitStatus::Error.into()
        }
    }
}

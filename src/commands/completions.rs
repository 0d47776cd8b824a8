//! `mplp-scale completions SHELL`: `clap_complete`'s script, with the bash one repaired.
//!
//! For a binary whose name has a `-`, `clap_complete`'s bash script spells the
//! subcommands' states two ways: the loop that finds the subcommand sets
//! `cmd="mplp__scale__subcmd__render"`, the `case` that completes it matches
//! `mplp__subcmd__scale__subcmd__render)`, so nothing after the subcommand completes
//! (clap-rs/clap#6421). We rewrite the second spelling into the first. The bash, zsh
//! and fish scripts also leave out the subcommands' aliases (`validate` for `lint`): we
//! add them where each script recognizes its subcommands.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::ExitStatus;
use crate::cli::{Cli, CompletionsArgs};

/// The binary's name, as the scripts register it.
const BIN: &str = "mplp-scale";

pub(crate) fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    out.write_all(script(args.shell).as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The completion script for `shell`.
#[must_use]
pub(crate) fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match shell {
        Shell::Bash => repair_bash(&text, &cmd),
        Shell::Zsh => with_aliases(&text, &cmd, |name, aliases| {
            (
                format!("\n({name})\n"),
                format!("\n({name}|{})\n", aliases.join("|")),
            )
        }),
        Shell::Fish => with_aliases(&text, &cmd, |name, aliases| {
            (
                format!("using_subcommand {name}\""),
                format!("using_subcommand {name} {}\"", aliases.join(" ")),
            )
        }),
        _ => text,
    }
}

/// Replace, for each subcommand with aliases, every `from` by `to` (`edit(name, aliases)`).
fn with_aliases(
    text: &str,
    cmd: &clap::Command,
    edit: impl Fn(&str, &[&str]) -> (String, String),
) -> String {
    let mut text = text.to_owned();
    for sub in cmd.get_subcommands() {
        let aliases: Vec<&str> = sub.get_all_aliases().collect();
        if !aliases.is_empty() {
            let (from, to) = edit(sub.get_name(), &aliases);
            text = text.replace(&from, &to);
        }
    }
    text
}

/// See the module documentation.
fn repair_bash(text: &str, cmd: &clap::Command) -> String {
    let state = BIN.replace('-', "__");
    let wrong = BIN.replace('-', "__subcmd__");
    let mut text = text.replace(&format!("{wrong}__subcmd__"), &format!("{state}__subcmd__"));
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        let arm = format!(
            "            {state},{name})\n                cmd=\"{state}__subcmd__{}\"\n                ;;\n",
            name.replace('-', "__")
        );
        for alias in sub.get_all_aliases() {
            let alias_arm = arm.replacen(&format!(",{name})"), &format!(",{alias})"), 1);
            if !text.contains(&alias_arm) {
                text = text.replacen(&arm, &format!("{arm}{alias_arm}"), 1);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every state the `case` completes is one the loop can set, and the reverse.
    #[test]
    fn bash_states_are_spelt_one_way() {
        let text = script(Shell::Bash);
        assert!(!text.contains("mplp__subcmd__scale"), "{text}");
        for line in text.lines() {
            if let Some(state) = line.trim().strip_prefix("cmd=\"") {
                let state = state.trim_end_matches('"');
                if state.is_empty() {
                    continue;
                }
                assert!(
                    text.contains(&format!("        {state})\n")),
                    "no completions for the state `{state}`"
                );
            }
        }
        assert!(text.contains("mplp__scale,validate)\n"), "{text}");
    }
}

//! Shell completions, run in the real shells (issue 14, item 2): the completion function
//! is called the way the shell calls it on `<TAB>`, and what it offers is checked. A shell
//! that is not installed is skipped with a `SKIPPED:` notice.

use std::path::Path;
use std::process::Command;

use crate::common::Test;

/// The completion script for `shell`, written into `dir`.
fn script(shell: &str, dir: &Path) -> std::path::PathBuf {
    let out = Test::new(["completions", shell]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = dir.join(format!("mplp-scale.{shell}"));
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// Whether `shell` runs here; if not, say so.
fn installed(shell: &str) -> bool {
    let found = Command::new(shell)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::common::skipped(&format!(
            "`{shell}` is not installed; its completions were not exercised"
        ));
    }
    found
}

/// What bash's completion function offers for `line` (the words typed so far, the last
/// one being completed, possibly empty).
fn bash_complete(script: &Path, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let cword = line.len() - 1;
    let prev = if cword > 0 { line[cword - 1] } else { "" };
    let code = format!(
        "source \"$1\"\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\nCOMP_LINE='{}'\nCOMP_POINT=${{#COMP_LINE}}\n_mplp__scale mplp-scale '{}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words.join(" "),
        line.join(" "),
        line[cword],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &code, "bash"])
        .arg(script)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// See: clap-rs/clap#6421 (bash completed nothing after the subcommand).
#[test]
fn bash_completes_flags_and_values_after_the_subcommand() {
    if !installed("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = script("bash", dir.path());
    let offered = |line: &[&str]| bash_complete(&script, line);

    let subcommands = offered(&["mplp-scale", ""]);
    for sub in ["render", "lint", "diff", "completions"] {
        assert!(subcommands.iter().any(|s| s == sub), "{subcommands:?}");
    }
    let flags = offered(&["mplp-scale", "render", "--"]);
    for flag in ["--file", "--set", "--out-dir", "--show-profile", "--verify"] {
        assert!(flags.iter().any(|f| f == flag), "{flag}: {flags:?}");
    }
    assert_eq!(
        offered(&["mplp-scale", "render", "--format", ""]),
        ["yaml", "json"]
    );
    assert_eq!(
        offered(&["mplp-scale", "lint", "--format", "g"]),
        ["github"]
    );
    assert_eq!(offered(&["mplp-scale", "validate", "--st"]), ["--strict"]);
    assert_eq!(offered(&["mplp-scale", "completions", "fi"]), ["fish"]);
}

#[test]
fn fish_completes_flags_and_values_after_the_subcommand() {
    if !installed("fish") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = script("fish", dir.path());
    let offered = |line: &str| -> Vec<String> {
        let out = Command::new("fish")
            .args(["--no-config", "-c"])
            .arg(format!(
                "source '{}'; complete -C '{line}'",
                script.display()
            ))
            .output()
            .expect("fish runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_owned())
            .collect()
    };
    let flags = offered("mplp-scale render --");
    for flag in ["--file", "--set", "--out-dir", "--show-profile", "--verify"] {
        assert!(flags.iter().any(|f| f == flag), "{flag}: {flags:?}");
    }
    let mut formats = offered("mplp-scale render --format ");
    formats.sort();
    assert_eq!(formats, ["json", "yaml"]);
    assert_eq!(offered("mplp-scale lint --format g"), ["github"]);
    assert_eq!(offered("mplp-scale validate --st"), ["--strict"]);
}

/// Types `line` and `<TAB>` (no `Enter`: the line is never run) into an interactive zsh,
/// through `zpty`, whose `compadd` prints each match as `<<match>>` and whose completion
/// widget prints `<<DONE>>` when it is done: the matches, one per line.
const ZSH_CAPTURE: &str = r#"
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) || return 1; local h; for h in $__hits; do print -r -- "<<$h>>"; done; }'
zpty -w z '__capture_main () { _main_complete "$@"; print -r -- "<<DONE>>"; }'
zpty -w z 'zle -C __capture complete-word __capture_main; bindkey "^I" __capture; PROMPT=""'
zpty -n -w z "$2"$'\t'
local line
while zpty -r z line; do
  [[ $line == *print* ]] && continue
  [[ $line == *'<<DONE>>'* ]] && break
  [[ $line == *"<<"*">>"* ]] && print -r -- ${${line#*<<}%%>>*}
done
zpty -d z
"#;

#[test]
fn zsh_completes_flags_and_values_after_the_subcommand() {
    if !installed("zsh") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new(["completions", "zsh"]).run();
    std::fs::write(dir.path().join("_mplp-scale"), out.stdout).unwrap();
    let capture = dir.path().join("capture.zsh");
    std::fs::write(&capture, ZSH_CAPTURE).unwrap();
    let offered = |line: &str| -> Vec<String> {
        let out = Command::new("timeout")
            .args(["30", "zsh", "-f"])
            .arg(&capture)
            .arg(dir.path())
            .arg(line)
            .output()
            .expect("zsh runs");
        let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        found.sort();
        found
    };
    let flags = offered("mplp-scale render --");
    for flag in ["--file", "--set", "--out-dir", "--show-profile", "--verify"] {
        assert!(flags.iter().any(|f| f == flag), "{flag}: {flags:?}");
    }
    assert_eq!(offered("mplp-scale render --format "), ["json", "yaml"]);
    assert_eq!(offered("mplp-scale validate --st"), ["--strict"]);
}

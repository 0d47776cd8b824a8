//! Exit codes and the command line's edges.

use crate::common::{Test, assert_cli_snapshot};

#[test]
fn unreadable_profile_is_exit_2() {
    let out = Test::new(["render", "-f", "/nonexistent/profile.yaml"]).run();
    assert_cli_snapshot("unreadable-profile", &out, None);
}

#[test]
fn bad_flags_are_exit_2() {
    let out = Test::new(["render", "--no-such-flag"]).run();
    assert_cli_snapshot("unknown-flag", &out, None);
    let out = Test::new(["frobnicate"]).run();
    assert_cli_snapshot("unknown-subcommand", &out, None);
}

#[test]
fn syntax_errors_are_exit_1_with_a_position() {
    let out = Test::new(["lint", "-"])
        .stdin("version: 1\nname: [unclosed\n")
        .run();
    assert_cli_snapshot("syntax-error-on-stdin", &out, None);
}

#[test]
fn empty_and_binary_files_are_diagnostics() {
    let out = Test::new(["lint", "-"]).stdin("").run();
    assert_cli_snapshot("empty-stdin", &out, None);
    let out = Test::new(["lint", "-"]).stdin("\u{0}\u{1}binary").run();
    assert_cli_snapshot("binary-stdin", &out, None);
}

#[test]
fn output_file_is_replaced_only_after_success() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.yaml");
    std::fs::write(&path, "previous render\n").unwrap();
    let out = Test::new(["render", "-f", "-", "-o", path.to_str().unwrap()])
        .stdin("version: 1\nname: broken\n")
        .run();
    assert_eq!(out.code, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous render\n");
    let out = Test::new(["render", "-o", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let expected = Test::new(["render"]).run().stdout;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary files left"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mplp-scale"))
        .args(["render", "--region", "eu-west-1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, b"# mp");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        crate::common::DEFAULT_PROFILE_NOTE
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unwritable_outputs_are_exit_2_and_write_nothing() {
    let out = Test::new(["render", "-o", "/nonexistent-dir/out.yaml"]).run();
    assert_cli_snapshot("render-output-in-a-missing-dir", &out, None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "keep\n").unwrap();
    let out = Test::new(["render", "--out-dir", file.to_str().unwrap()]).run();
    assert_cli_snapshot("render-out-dir-is-a-file", &out, Some(dir.path()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep\n");
    let out = Test::new(["schema", "-o", "/nonexistent-dir/schema.json"]).run();
    assert_cli_snapshot("schema-output-in-a-missing-dir", &out, None);
}

/// A directory is walked for profiles (issue 14, item 5); one without any is exit 2.
#[test]
fn a_directory_without_profiles_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new(["lint", dir.path().to_str().unwrap()]).run();
    assert_cli_snapshot("lint-a-directory", &out, Some(dir.path()));
}

#[test]
fn oversized_files_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let mut text = String::from("version: 1\nname: \"");
    text.push_str(&"x".repeat(17 * 1024 * 1024));
    text.push_str("\"\n");
    std::fs::write(&big, text).unwrap();
    let out = Test::new(["lint", big.to_str().unwrap()]).run();
    assert_cli_snapshot("lint-an-oversized-file", &out, Some(dir.path()));
}

#[test]
fn layered_stdin_and_files_together() {
    let out = Test::new([
        "render",
        "-f",
        "profiles/production.yaml",
        "-f",
        "-",
        "--region",
        "us-east-1",
    ])
    .current_dir(&crate::common::root())
    .stdin("regions:\n  us-east-1: {weight: 40}\n  eu-west-1: {weight: 40}\n")
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        crate::common::weights_of_the_default_route(&out.stdout),
        vec![40, 40, 20]
    );
}

/// Issue 14, item 1: `-o` replaces only what it should. A symbolic link's target is
/// replaced atomically and the link stays; a named pipe and a character device are
/// written through, never replaced; `-o -` is standard output; a missing or read-only
/// directory is an error naming it, with nothing written.
#[cfg(unix)]
#[test]
fn output_writes_through_what_it_must_not_replace() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    let dir = tempfile::tempdir().unwrap();
    let render = |out: &std::path::Path| {
        Test::new([
            "render",
            "--region",
            "eu-west-1",
            "-o",
            out.to_str().unwrap(),
        ])
        .run()
    };
    let expected = Test::new(["render", "--region", "eu-west-1"]).run().stdout;

    // A symlink: the target gets the stream, the link is still a link.
    let target = dir.path().join("target.yaml");
    let link = dir.path().join("link.yaml");
    std::fs::write(&target, "old\n").unwrap();
    std::os::unix::fs::symlink("target.yaml", &link).unwrap();
    assert_eq!(render(&link).code, 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected);

    // A named pipe: the reader gets the stream, the pipe stays a pipe.
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let pipe_reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    assert_eq!(render(&fifo).code, 0);
    assert_eq!(pipe_reader.join().unwrap(), expected);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    // A character device stays one.
    assert_eq!(render(std::path::Path::new("/dev/null")).code, 0);
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // `-o -` is standard output.
    let out = Test::new(["render", "--region", "eu-west-1", "-o", "-"]).run();
    assert_eq!(out.stdout, expected);
    assert!(!std::path::Path::new("-").exists());

    // A missing directory is named; a read-only one (unless we are root, who may write
    // anywhere) leaves the file as it was.
    let out = render(&dir.path().join("missing/out.yaml"));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("the directory `"), "{}", out.stderr);
    assert!(
        out.stderr.contains("missing` does not exist"),
        "{}",
        out.stderr
    );

    // A read-only directory: root may still write there (and then only FILE changes);
    // anyone else gets exit 2 with FILE as it was. Either way nothing else is touched and
    // no temporary file is left behind.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("out.yaml"), "old\n").unwrap();
    std::fs::write(locked.join("other.txt"), "mine\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = render(&locked.join("out.yaml"));
    let written = std::fs::read_to_string(locked.join("out.yaml")).unwrap();
    if out.code == 0 {
        assert_eq!(written, expected);
    } else {
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert_eq!(written, "old\n");
        assert!(out.stderr.contains("is not writable"), "{}", out.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(locked.join("other.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 2);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Issue 14, item 6: the README's exit-status table is what the binary does. Each row's
/// example runs from the project root and exits with the row's code.
#[test]
fn exit_codes_are_the_readme_table() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Exit status\n")
        .nth(1)
        .expect("README has an `## Exit status` section");
    let mut seen = [false; 3];
    for row in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let [_, code, _, example, _] = cells[..] else {
            continue;
        };
        let (Some(code), Some(example)) = (
            code.trim_matches('`').parse::<i32>().ok(),
            example
                .trim_matches('`')
                .strip_prefix("mplp-scale ")
                .map(str::to_owned),
        ) else {
            continue;
        };
        let out = Test::new(example.split(' '))
            .current_dir(&crate::common::root())
            .run();
        assert_eq!(out.code, code, "`mplp-scale {example}`:\n{}", out.stderr);
        seen[usize::try_from(code).unwrap()] = true;
    }
    assert_eq!(seen, [true; 3], "the table has a row for each exit code");
}

/// Issue 14, item 6: a `--set` that is not `PATH=VALUE` is a bad flag (exit 2), like an
/// unknown flag, and nothing is read.
#[test]
fn a_malformed_set_is_a_bad_flag() {
    let out = Test::new(["render", "--set", "foo"]).run();
    assert_cli_snapshot("render-set-without-equals", &out, None);
    let out = Test::new(["lint", "--set", "regions..weight=1"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = Test::new(["render", "--set", "regions.eu-west-1.weight=[1"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// Issue 14, item 6: `diff` of a profile with errors is exit 1, like every profile error.
#[test]
fn diff_of_an_invalid_profile_is_exit_1() {
    let out = Test::new([
        "diff",
        "profiles/production.yaml",
        "tests/fixtures/invalid/replicas-max.yaml",
    ])
    .current_dir(&crate::common::root())
    .run();
    assert_cli_snapshot("diff-an-invalid-profile", &out, None);
}

/// Issue 14, item 3: `--show-profile` honours `-o FILE` and `--format json`; with errors
/// it writes no file.
#[test]
fn show_profile_follows_output_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("merged.yaml");
    let set = "regions.eu-west-1.weight=30";
    let printed = Test::new(["render", "--show-profile", "--set", set]).run();
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    let out = Test::new([
        "render",
        "--show-profile",
        "--set",
        set,
        "-o",
        file.to_str().unwrap(),
    ])
    .run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed.stdout);

    let json = Test::new(["render", "--show-profile", "--format", "json"]).run();
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value, crate::common::parse(&printed.stdout));
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys[..3],
        ["version", "name", "namespace"],
        "the profile's order"
    );

    // A profile with errors: printed (exit 1), but not written over the file.
    let out = Test::new([
        "render",
        "--show-profile",
        "--set",
        "regions.eu-west-1.weight=40",
        "-o",
        file.to_str().unwrap(),
    ])
    .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed.stdout);
}

/// Issue 14, item 3: a `--set` that would silently add a misspelt module (W0008) or
/// change a value every region overrides (W0009, its `pdb` too: issue 18, item 2) is said.
#[test]
fn sets_that_would_do_nothing_or_the_wrong_thing_are_said() {
    let out = Test::new(["lint", "--set", "modules.cor.replicas={min: 2, max: 8}"]).run();
    assert_cli_snapshot("lint-set-a-misspelt-module", &out, None);
    let out = Test::new(["lint", "--set", "modules.core.replicas={min: 4, max: 30}"]).run();
    assert_cli_snapshot("lint-set-overridden-in-every-region", &out, None);
    // A module's budget every region overrides (issue 18, item 2): the warning comes from
    // where each region's effective budget was written, as for the other fields.
    let lint_with = |sets: &[&str]| {
        let mut args = vec!["lint"];
        for set in sets {
            args.extend(["--set", set]);
        }
        Test::new(args).run()
    };
    let us = "regions.us-east-1.modules.core.pdb={maxUnavailable: 2}";
    let eu = "regions.eu-west-1.modules.core.pdb={enabled: false}";
    let ap = "regions.ap-southeast-1.modules.core.pdb={maxUnavailable: 1}";
    let module = "modules.core.pdb.minAvailable=1";
    let out = lint_with(&[us, eu, ap, module]);
    assert_cli_snapshot("lint-set-pdb-overridden-in-every-region", &out, None);
    // With one region left taking the module's budget, the `--set` counts.
    let out = lint_with(&[us, eu, module]);
    assert!(!out.stdout.contains("W0009"), "{}", out.stdout);
    // Regions: `eu-west1` is `eu-west-1` mistyped; `sa-east-1` is a new region.
    let out = Test::new(["lint", "--set", "regions.eu-west1.weight=30"]).run();
    assert!(out.stdout.contains("warning[W0008]"), "{}", out.stdout);
    let out = Test::new(["lint", "--set", "regions.sa-east-1={weight: 0}"]).run();
    assert!(!out.stdout.contains("W0008"), "{}", out.stdout);
    // A new name that only starts with a known one is meant, and a module's own region
    // override on one region only leaves the others using the profile-wide value.
    let out = Test::new([
        "lint",
        "--set",
        "modules.core-canary.replicas={min: 1, max: 2}",
        "--set",
        "modules.plan.replicas={min: 2, max: 9}",
        "--set",
        "regions.eu-west-1.modules.plan.replicas={min: 2, max: 4}",
    ])
    .run();
    assert!(!out.stdout.contains("W000"), "{}", out.stdout);
}

/// Issue 14, item 3: standard input is read once. `diff - -`, `-f - -f -` and `lint - -`
/// are refused (exit 2); `simulate --trace -` reads the trace from it.
#[test]
fn standard_input_is_read_once() {
    let out = Test::new(["diff", "-", "-"]).stdin("a: 1\n").run();
    assert_cli_snapshot("diff-stdin-twice", &out, None);
    let out = Test::new(["render", "-f", "-", "-f", "-"])
        .stdin("version: 1\n")
        .run();
    assert_cli_snapshot("render-stdin-twice", &out, None);
    let out = Test::new(["lint", "-", "-"]).stdin("version: 1\n").run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = Test::new(["simulate", "-f", "-", "--module", "core", "--trace", "-"])
        .stdin("version: 1\n")
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);

    let trace = "t,cpu\n0,700\n15,700\n";
    let args = ["simulate", "--module", "extension", "--format", "csv"];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.csv");
    std::fs::write(&file, trace).unwrap();
    let from_file = Test::new(
        args.iter()
            .copied()
            .chain(["--trace", file.to_str().unwrap()]),
    )
    .run();
    let from_stdin = Test::new(args.iter().copied().chain(["--trace", "-"]))
        .stdin(trace)
        .run();
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!((from_stdin.code, from_stdin.stdout), (0, from_file.stdout));
}

/// Issue 14, item 4, and issue 21, item 5: with no profile, `render` and `lint` say (one
/// line on stderr) which they use: the embedded default, or the profile `init` wrote in
/// the current directory, which is then read.
#[test]
fn the_embedded_default_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new(["render", "--region", "eu-west-1", "-o", "out.yaml"])
        .current_dir(dir.path())
        .run();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, crate::common::DEFAULT_PROFILE_NOTE)
    );
    let out = Test::new(["init"]).current_dir(dir.path()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = Test::new(["render", "--region", "eu-west-1", "-o", "out.yaml"])
        .current_dir(dir.path())
        .run();
    assert_cli_snapshot("render-default-beside-an-init-profile", &out, None);
    let out = Test::new(["lint"]).current_dir(dir.path()).run();
    assert_cli_snapshot("lint-default-beside-an-init-profile", &out, None);
    // A profile given (a file, or `-`) is not the default: nothing is said.
    let out = Test::new(["lint", "mplp-profile.yaml"])
        .current_dir(dir.path())
        .run();
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
}

/// Issue 14, item 10: every subcommand's `--help` ends with examples of it and its exit
/// statuses.
#[test]
fn every_subcommand_help_has_examples_and_exit_statuses() {
    let cli = <mplp_scale::Cli as clap::CommandFactory>::command();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        let out = Test::new([name, "--help"]).run();
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let examples = out
            .stdout
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("`{name} --help` has no Examples section"))
            .1;
        assert!(
            examples
                .lines()
                .next()
                .is_some_and(|l| l.contains(&format!("mplp-scale {name}"))),
            "`{name} --help`: the first example is not of `{name}`:\n{examples}"
        );
        assert!(
            out.stdout.contains("\nExit status: 0 "),
            "`{name} --help` states no exit status"
        );
    }
    let out = Test::new(["lint", "--help"]).run();
    assert_cli_snapshot("lint-help", &out, None);
}

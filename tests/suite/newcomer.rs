//! What a new user's walkthrough found (kubectl, helm and ruff habits): an output that is
//! one of the inputs, a bad `--kube-version` or empty `--set` value (bad flags, exit 2),
//! Helm's `\.` in `--set` keys, positions at what the user wrote (a layer's weight, a
//! `--set` key, a field left null), a number beyond any integer, `lint --format concise`,
//! `init -`, and a full device named.

use crate::common::{Test, assert_cli_snapshot, root};

/// A copy of the production profile in a fresh folder.
fn profile_in_a_folder() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.yaml");
    let text = std::fs::read_to_string(root().join("profiles/production.yaml")).unwrap();
    std::fs::write(&profile, &text).unwrap();
    (dir, profile, text)
}

/// `render -f p.yaml -o p.yaml` would replace the profile with its render: refused
/// (exit 2) and the profile kept, also through a symbolic or a hard link, and for
/// `simulate`'s trace.
#[test]
fn an_output_that_is_an_input_is_refused() {
    let (dir, profile, text) = profile_in_a_folder();
    let p = profile.to_str().unwrap();
    let out = Test::new(["render", "-f", p, "-o", p]).run();
    assert_cli_snapshot("render-output-is-its-input", &out, Some(dir.path()));
    let out = Test::new(["render", "-f", p, "--show-profile", "-o", p]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    #[cfg(unix)]
    {
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&profile, &link).unwrap();
        let hard = dir.path().join("hard.yaml");
        std::fs::hard_link(&profile, &hard).unwrap();
        for output in [&link, &hard] {
            let out = Test::new(["render", "-f", p, "-o", output.to_str().unwrap()]).run();
            assert_eq!(out.code, 2, "{}", out.stderr);
            assert!(
                out.stderr.contains("which this command reads"),
                "{}",
                out.stderr
            );
        }
    }
    // Standard input redirected from the profile (`-f - -o p.yaml < p.yaml`), on Linux.
    if std::path::Path::new("/dev/stdin").exists() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mplp-scale"))
            .args(["render", "-f", "-", "-o", p])
            .stdin(std::fs::File::open(&profile).unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("the file standard input reads"));
    }
    let trace = dir.path().join("trace.csv");
    std::fs::write(&trace, "t,cpu\n0,50\n").unwrap();
    let t = trace.to_str().unwrap();
    let out = Test::new([
        "simulate", "-f", p, "--module", "core", "--trace", t, "-o", t,
    ])
    .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&trace).unwrap(), "t,cpu\n0,50\n");
    assert_eq!(std::fs::read_to_string(&profile).unwrap(), text);
    // Another file is still written.
    let other = dir.path().join("out.yaml");
    let out = Test::new(["render", "-f", p, "-o", other.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        std::fs::read_to_string(&other)
            .unwrap()
            .contains("kind: HorizontalPodAutoscaler")
    );
}

/// A flag's value that is not a Kubernetes version, or an empty `--set` value, is a bad
/// flag (exit 2), said before any profile is read.
#[test]
fn bad_flag_values_are_exit_2() {
    let out = Test::new(["render", "--kube-version", "1.x"]).run();
    assert_cli_snapshot("render-kube-version-not-a-version", &out, None);
    let out = Test::new(["lint", "--kube-version", "latest"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = Test::new(["render", "--kube-version", "v1.33.2", "-o", "/dev/null"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = Test::new(["render", "--set", "regions.eu-west-1.weight="]).run();
    assert_cli_snapshot("render-set-empty-value", &out, None);
}

/// Helm's `--set` escape for a dot inside a key.
#[test]
fn an_escaped_dot_stays_in_the_key() {
    let out = Test::new([
        "render",
        "--show-profile",
        "--set",
        r"podLabels.app\.kubernetes\.io/team=payments",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("  app.kubernetes.io/team: payments\n"),
        "{}",
        out.stdout
    );
}

/// Positions at what the user wrote: the weight a later layer set (not the base file's
/// `regions`), the key a `--set` adds (not its value), a number beyond any integer.
#[test]
fn diagnostics_point_at_what_was_written() {
    let (dir, profile, _) = profile_in_a_folder();
    let overlay = dir.path().join("overlay.yaml");
    std::fs::write(&overlay, "regions:\n  eu-west-1:\n    weight: 40\n").unwrap();
    let out = Test::new([
        "lint",
        "--format",
        "concise",
        "-f",
        profile.to_str().unwrap(),
        overlay.to_str().unwrap(),
        "--set",
        "platform.colour=blue",
        "--set",
        "traffic.port=18446744073709551616",
    ])
    .run();
    assert_cli_snapshot("lint-concise-positions", &out, Some(dir.path()));
}

/// `init -` writes the profile to standard output and nothing beside it.
#[test]
fn init_to_standard_output_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new(["init", "-"]).current_dir(dir.path()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("# yaml-language-server: $schema=./profile.schema.json")
    );
    assert!(!out.stderr.contains("wrote"), "{}", out.stderr);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A write that fails names what was written.
#[test]
fn a_full_device_is_named() {
    if !std::path::Path::new("/dev/full").exists() {
        return crate::common::skipped("/dev/full is not on this system");
    }
    for format in ["yaml", "json"] {
        let out = Test::new(["render", "--format", format, "-o", "/dev/full"]).run();
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr
                .contains("error: failed to write `/dev/full`: No space left on device"),
            "{}",
            out.stderr
        );
    }
    // Standard output on a full device, for every command that writes it; with standard
    // error full too, still exit 2 (no panic).
    for args in [
        &["render"][..],
        &["schema"],
        &["lint", "--format", "json"],
        &["explain"],
    ] {
        for stderr_full in [false, true] {
            let full = || {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap()
            };
            let stderr = if stderr_full {
                std::process::Stdio::from(full())
            } else {
                std::process::Stdio::piped()
            };
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_mplp-scale"))
                .args(args)
                .stdout(full())
                .stderr(stderr)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
            if !stderr_full {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    stderr.contains(
                        "error: failed to write standard output: No space left on device"
                    ),
                    "{args:?}: {stderr}"
                );
            }
        }
    }
}

/// A file just over the limit whose cut (one byte past it) falls inside a character is
/// still "larger than the limit", not invalid UTF-8 (a trace: `simulate.rs`).
#[test]
fn a_cut_inside_a_character_is_still_oversized() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\nname: \"");
    text.push_str(&"x".repeat(16 * 1024 * 1024 - text.len()));
    text.push_str(&"é".repeat(8));
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, &text).unwrap();
    let out = Test::new(["lint", big.to_str().unwrap()]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("error[E0002]"), "{}", out.stdout);
    assert!(
        out.stdout.contains("larger than the limit"),
        "{}",
        out.stdout
    );
}

//! `scripts/test`: skipped checks are counted, and CI fails without the validator
//! (issue 14, item 9).

use std::process::Command;

use crate::common::root;

/// The summary `scripts/test` prints at the end, from the log the tests append to.
#[test]
fn skipped_checks_are_counted_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("skipped");
    let summary = |text: &str| {
        std::fs::write(&log, text).unwrap();
        let out = Command::new(root().join("scripts/skipped-summary"))
            .arg(&log)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(summary(""), "--- no checks skipped\n");
    assert_eq!(
        summary("kubectl is not on PATH\n"),
        "--- 1 check skipped:\n  1 × kubectl is not on PATH\n"
    );
    assert_eq!(
        summary("no validator\n`zsh` is not installed\nno validator\n"),
        "--- 3 checks skipped:\n  2 × no validator\n  1 × `zsh` is not installed\n"
    );
}

/// Under `CI=true`, a missing validator fails `scripts/test` before any test runs.
#[test]
fn ci_fails_without_the_validator() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(root().join("scripts/test"))
        .env("CI", "true")
        .env("MPLP_SCALE_SHARED", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: CI must run the manifest validator, but `"),
        "{stderr}"
    );
}

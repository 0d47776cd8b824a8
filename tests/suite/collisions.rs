//! Two objects Kubernetes would take for one (an attacker's review): a name the profile
//! gives to two objects of one kind and namespace is refused before anything is written,
//! and `--out-dir` refuses two that would share a file.

use crate::common::{Test, assert_cli_snapshot};

/// The metrics adapter's `ConfigMap` named like the scaling policies' in the same
/// namespace; `postgres.name` equal to `redis.name` (two `PodMonitor`s). Exit 1, and
/// `-o FILE` is not written.
#[test]
fn two_objects_with_one_identity_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.yaml");
    let out = Test::new([
        "render",
        "--set",
        "metricsAdapter.name=mplp-scaling-policies",
        "--set",
        "metricsAdapter.namespace=mplp-production",
        "-o",
        out_file.to_str().unwrap(),
    ])
    .run();
    assert_cli_snapshot("render-two-objects-one-identity", &out, Some(dir.path()));
    assert!(!out_file.exists());
    let out = Test::new(["render", "--set", "postgres.name=redis-cluster"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains("are PodMonitor `mplp-production/redis-cluster`"),
        "{}",
        out.stderr
    );
    // The database named like a module's Deployment: a module's VPA (per module) and the
    // database's, both `mplp-core-vpa`.
    let out = Test::new(["render", "--set", "postgres.name=mplp-core"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("are VerticalPodAutoscaler `mplp-production/mplp-core-vpa`"),
        "{}",
        out.stderr
    );
}

/// Two objects that differ only in their namespace are two objects, but one file under
/// `--out-dir` (named by kind and name): refused, nothing written.
#[test]
fn out_dir_refuses_two_objects_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let out = Test::new([
        "render",
        "--set",
        "metricsAdapter.name=mplp-scaling-policies",
        "--out-dir",
        tree.to_str().unwrap(),
    ])
    .run();
    assert_cli_snapshot("out-dir-two-objects-one-file", &out, Some(dir.path()));
    assert!(!tree.exists());
    // The stream holds both (two namespaces: two objects).
    let out = Test::new([
        "render",
        "--set",
        "metricsAdapter.name=mplp-scaling-policies",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `diff` renders both sides: a profile with two objects as one is a profile with errors
/// there too (exit 1), with the fields that make the name.
#[test]
fn diff_refuses_two_objects_with_one_identity() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::common::root().join("profiles/production.yaml"))
        .unwrap()
        .replacen("  name: postgresql-cluster\n", "  name: mplp-core\n", 1);
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, text).unwrap();
    let p = profile.to_str().unwrap();
    let out = Test::new(["diff", p, p]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "help: `postgres.name` is `mplp-core` and module `core`'s Deployment is `mplp-core`: rename one of them"
        ),
        "{}",
        out.stderr
    );
}

/// `lint` says what `render` refuses (E0110), on the field the user set: the CI gate and
/// the render agree.
#[test]
fn lint_and_render_agree_on_two_objects_as_one() {
    for set in [
        "postgres.name=mplp-core",
        "redis.name=postgresql-cluster",
        "metricsAdapter={name: mplp-scaling-policies, namespace: mplp-production}",
    ] {
        let lint = Test::new(["lint", "--format", "concise", "--set", set]).run();
        let render = Test::new(["render", "--set", set, "-o", "/dev/null"]).run();
        assert_eq!(
            (lint.code, render.code),
            (1, 1),
            "{set}: {lint:?} {render:?}"
        );
        assert!(
            lint.stdout.starts_with("--set:1:"),
            "{set}: {}",
            lint.stdout
        );
        assert!(
            lint.stdout.contains("error[E0110]"),
            "{set}: {}",
            lint.stdout
        );
        assert!(
            render.stderr.contains("error[E0110]"),
            "{set}: {}",
            render.stderr
        );
    }
    // The same names without a collision: both clean.
    let lint = Test::new(["lint", "--set", "metricsAdapter.name=mplp-scaling-policies"]).run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

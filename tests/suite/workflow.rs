//! Fitting existing workflows: schema, init, layering, -o, --out-dir, diff, JSON, completions.

use crate::common::{
    Test, assert_cli_snapshot, documents, parse, root, weights_of_the_default_route,
};

#[test]
fn the_committed_schema_is_the_commands_output() {
    let out = Test::new(["schema"]).run();
    assert_eq!(out.code, 0);
    let committed = std::fs::read_to_string(root().join("schemas/profile.schema.json")).unwrap();
    assert_eq!(
        committed, out.stdout,
        "schemas/profile.schema.json is stale: run `cargo run -- schema -o schemas/profile.schema.json`"
    );
}

#[test]
fn every_shipped_profile_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/profile.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("profiles")).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new(), "{}", path.display());
        count += 1;
    }
    assert!(count >= 2);
    let misspelled = mplp_scale::DEFAULT_PROFILE.replacen("    weight: 30", "    wieght: 30", 1);
    let doc: serde_json::Value = serde_saphyr::from_str(&misspelled).unwrap();
    assert!(
        !validator.is_valid(&doc),
        "a misspelled key must be rejected"
    );
}

#[test]
fn init_writes_a_profile_that_lints_clean_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new(["init", "team.yaml"])
        .current_dir(dir.path())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("team.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=./profile.schema.json\n"),
        "{text}"
    );
    assert!(dir.path().join("profile.schema.json").is_file());
    let lint = Test::new(["lint", "--strict", "team.yaml"])
        .current_dir(dir.path())
        .run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);

    std::fs::write(dir.path().join("team.yaml"), "mine\n").unwrap();
    let again = Test::new(["init", "team.yaml"])
        .current_dir(dir.path())
        .run();
    assert_cli_snapshot("init-never-overwrites", &again, Some(dir.path()));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("team.yaml")).unwrap(),
        "mine\n"
    );
    let forced = Test::new(["init", "team.yaml", "--force"])
        .current_dir(dir.path())
        .run();
    assert_eq!(forced.code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("team.yaml")).unwrap(),
        text
    );
}

#[test]
fn an_overlay_and_set_reach_the_virtual_service() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay.yaml");
    std::fs::write(&overlay, "regions:\n  eu-west-1: {weight: 40}\n").unwrap();
    let out = Test::new([
        "render",
        "-f",
        "profiles/production.yaml",
        "-f",
        overlay.to_str().unwrap(),
        "--set",
        "regions.us-east-1.weight=40",
    ])
    .current_dir(&root())
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(weights_of_the_default_route(&out.stdout), vec![40, 40, 20]);

    // null deletes: the exporter goes away.
    let out = Test::new([
        "render",
        "--set",
        "redis.exporter=null",
        "--region",
        "us-east-1",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("redisExporter"));

    // --show-profile prints the merged profile, which reads back as the same profile.
    let shown = Test::new([
        "render",
        "--set",
        "regions.us-east-1.weight=40",
        "--set",
        "regions.eu-west-1.weight=40",
        "--show-profile",
    ])
    .run();
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stdout
            .contains("  us-east-1:\n    cluster: us-east-1\n    primary: true\n    weight: 40\n"),
        "{}",
        shown.stdout
    );
    let again = Test::new(["render", "-f", "-"]).stdin(shown.stdout).run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        weights_of_the_default_route(&again.stdout),
        vec![40, 40, 20]
    );
}

#[test]
fn out_dir_trees_build_with_kustomize() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("deploy");
    let out = Test::new(["render", "--out-dir", out_dir.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out_dir.join("global/kustomization.yaml").is_file());
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let scope = out_dir.join("regions").join(region);
        assert!(scope.join("kustomization.yaml").is_file());
        let expected: Vec<serde_json::Value> =
            documents(&Test::new(["render", "--region", region]).run().stdout)
                .into_iter()
                .map(parse)
                .collect();
        // The files themselves, in kustomization order.
        let kustomization =
            parse(&std::fs::read_to_string(scope.join("kustomization.yaml")).unwrap());
        let files: Vec<serde_json::Value> = kustomization["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| parse(&std::fs::read_to_string(scope.join(f.as_str().unwrap())).unwrap()))
            .collect();
        assert_eq!(files, expected, "{region}");
        let kubectl = std::process::Command::new("kubectl")
            .args(["kustomize"])
            .arg(&scope)
            .output();
        match kubectl {
            Ok(result) if result.status.success() => {
                let built: Vec<serde_json::Value> =
                    documents(&String::from_utf8(result.stdout).unwrap())
                        .into_iter()
                        .map(parse)
                        .collect();
                assert_eq!(
                    built,
                    expected,
                    "kubectl kustomize {} differs from render --region {region}",
                    scope.display()
                );
            }
            Ok(result) => panic!(
                "kubectl kustomize failed: {}",
                String::from_utf8_lossy(&result.stderr)
            ),
            Err(_) => {
                crate::common::skipped("kubectl is not on PATH; kustomize builds were not checked");
            }
        }
    }
}

#[test]
fn out_dir_removes_only_its_own_stale_files_and_refuses_foreign_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("deploy");
    assert_eq!(
        Test::new(["render", "--out-dir", out_dir.to_str().unwrap()])
            .run()
            .code,
        0
    );
    let vpa = out_dir.join("regions/us-east-1/verticalpodautoscaler-mplp-core-vpa.yaml");
    assert!(vpa.is_file());
    let mine = out_dir.join("regions/us-east-1/notes.txt");
    std::fs::write(&mine, "mine\n").unwrap();
    // Without the core VPA, its file goes; the user's file stays; other regions stay.
    let out = Test::new([
        "render",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--set",
        "modules.core.vpa=null",
        "--region",
        "us-east-1",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!vpa.exists());
    assert!(
        out_dir
            .join("regions/eu-west-1/verticalpodautoscaler-mplp-core-vpa.yaml")
            .exists()
    );
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine\n");

    // Issue 11, item 6: a region removed from the profile leaves the tree, even when only
    // another region is rendered; a folder holding a file of the user's stays with it.
    let mine_in_ap = out_dir.join("regions/ap-southeast-1/notes.txt");
    std::fs::write(&mine_in_ap, "mine\n").unwrap();
    let without = [
        "--set",
        "regions.eu-west-1=null",
        "--set",
        "regions.ap-southeast-1=null",
        "--set",
        "regions.us-east-1.weight=100",
    ];
    let mut args = vec!["render", "--out-dir", out_dir.to_str().unwrap()];
    args.extend(without);
    args.extend(["--region", "us-east-1"]);
    let out = Test::new(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out_dir.join("regions/eu-west-1").exists());
    let ap: Vec<_> = std::fs::read_dir(out_dir.join("regions/ap-southeast-1"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(ap, ["notes.txt"]);
    let marker = std::fs::read_to_string(out_dir.join(".mplp-scale-files")).unwrap();
    assert!(
        marker.lines().all(|l| l.starts_with("global/")
            || l.starts_with("regions/us-east-1/")
            || l.starts_with("mesh/us-east-1/istiod-values.yaml\t")),
        "{marker}"
    );
    assert!(out_dir.join("global/kustomization.yaml").is_file());

    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("keep.yaml"), "x: 1\n").unwrap();
    let out = Test::new(["render", "--out-dir", foreign.to_str().unwrap()]).run();
    assert_cli_snapshot(
        "render-out-dir-refuses-a-foreign-dir",
        &out,
        Some(dir.path()),
    );
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
}

#[test]
fn diff_names_the_virtual_service_and_no_hpa() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, Test::new(["render"]).run().stdout).unwrap();
    std::fs::write(
        &b,
        Test::new([
            "render",
            "--set",
            "regions.us-east-1.weight=40",
            "--set",
            "regions.eu-west-1.weight=40",
        ])
        .run()
        .stdout,
    )
    .unwrap();
    let out = Test::new(["diff", a.to_str().unwrap(), b.to_str().unwrap()]).run();
    assert_cli_snapshot("diff-two-weights-changed", &out, Some(dir.path()));

    let same = Test::new(["diff", a.to_str().unwrap(), "profiles/production.yaml"])
        .current_dir(&root())
        .run();
    assert_eq!(same.code, 0, "{}", same.stdout);
    let missing = Test::new(["diff", a.to_str().unwrap(), "/nonexistent.yaml"]).run();
    assert_cli_snapshot("diff-a-missing-file", &missing, Some(dir.path()));
}

#[test]
fn json_lines_for_jq() {
    let out = Test::new(["render", "--format", "json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let yaml: Vec<serde_json::Value> = documents(&Test::new(["render"]).run().stdout)
        .into_iter()
        .map(parse)
        .collect();
    assert_eq!(lines, yaml);
}

#[test]
fn completions_cover_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Test::new(["completions", shell]).run();
        assert_eq!(out.code, 0);
        for word in ["render", "lint", "schema", "init", "diff"] {
            assert!(out.stdout.contains(word), "{shell} completions lack {word}");
        }
    }
}

/// Issue 14, item 10: `init` writes no comment pointing at a file an installed user does
/// not have, and `init --force` refreshes a stale `profile.schema.json` (without
/// `--force`, a stale schema is named and left as it is).
#[test]
fn init_points_at_nothing_missing_and_force_refreshes_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("profile.schema.json");
    std::fs::write(&schema, "{\"stale\": true}\n").unwrap();
    let out = Test::new(["init", "team.yaml"])
        .current_dir(dir.path())
        .run();
    assert_cli_snapshot("init-names-a-stale-schema", &out, Some(dir.path()));
    assert_eq!(
        std::fs::read_to_string(&schema).unwrap(),
        "{\"stale\": true}\n"
    );
    let text = std::fs::read_to_string(dir.path().join("team.yaml")).unwrap();
    for line in text.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(
            !line.contains("docs/") && !line.contains("profiles/") && !line.contains(".md"),
            "a comment points at a file an installed user lacks: {line}"
        );
    }
    let out = Test::new(["init", "team.yaml", "--force"])
        .current_dir(dir.path())
        .run();
    assert_cli_snapshot(
        "init-force-refreshes-a-stale-schema",
        &out,
        Some(dir.path()),
    );
    let expected = Test::new(["schema"]).run().stdout;
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), expected);
}

//! Loading and checking: diagnostics point at the value, and render refuses bad profiles.

use crate::common::{Test, assert_cli_snapshot, cli_snapshot};

fn broken(replacements: &[(&str, &str)]) -> String {
    let mut text = mplp_scale::DEFAULT_PROFILE.to_owned();
    for (from, to) in replacements {
        assert!(
            text.contains(from),
            "`{from}` is not in the default profile"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn render_refuses_a_broken_profile_and_writes_nothing() {
    let profile = broken(&[
        ("namespace: mplp-production", "namespce: mplp-production"),
        ("weight: 30", "weight: \"30\""),
    ]);
    let out = Test::new(["render", "-f", "-"]).stdin(profile).run();
    assert_cli_snapshot(
        "render-refuses-a-misspelled-key-and-a-quoted-weight",
        &out,
        None,
    );
}

#[test]
fn lint_reports_everything_with_positions() {
    let profile = broken(&[
        ("replicas: {min: 2, max: 8}", "replicas: {min: 3, max: 2}"),
        ("clusterSize: 3", "clusterSize: 2"),
        ("redis-exporter:v1.44.0", "redis-exporter:latest"),
    ]);
    let out = Test::new(["lint", "-", "--format", "json"])
        .stdin(profile)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let records: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let codes: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["E0103", "E0801", "W0802"]);
    let first = &records[0];
    assert_eq!(first["file"], "<stdin>");
    assert_eq!(first["path"], "modules.plan.replicas.max");
    assert_eq!(first["severity"], "error");
    assert!(first["line"].as_u64().unwrap() > 1);
}

#[test]
fn lint_github_format() {
    let profile = broken(&[("clusterSize: 3", "clusterSize: 1")]);
    let out = Test::new(["lint", "-", "--format", "github"])
        .stdin(profile.clone())
        .run();
    let line = profile
        .lines()
        .position(|l| l.contains("clusterSize: 1"))
        .unwrap()
        + 1;
    assert!(out.stdout.contains(&format!("line={line},col=16,")));
    assert_cli_snapshot("lint-github-format-cluster-size-1", &out, None);
}

#[test]
fn warnings_fail_only_with_strict() {
    let profile = broken(&[("redis-exporter:v1.44.0", "redis-exporter:latest")]);
    let out = Test::new(["lint", "-"]).stdin(profile.clone()).run();
    assert_cli_snapshot("lint-a-warning-is-exit-0", &out, None);
    let out = Test::new(["lint", "-", "--strict"])
        .stdin(profile.clone())
        .run();
    assert_cli_snapshot("lint-strict-a-warning-is-exit-1", &out, None);
    // render goes ahead on warnings, and says so on stderr (rendered to a file here, so
    // that the snapshot holds the warning and not the whole stream).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.yaml");
    let out = Test::new(["render", "-f", "-", "-o", path.to_str().unwrap()])
        .stdin(profile)
        .run();
    assert_cli_snapshot("render-goes-ahead-on-a-warning", &out, Some(dir.path()));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.starts_with("# mplp-scale: the objects of "),
        "{written}"
    );
    assert!(written.contains("\n---\n# Source: "));
}

#[test]
fn the_default_profile_lints_clean() {
    let out = Test::new(["lint"]).run();
    assert_cli_snapshot("lint-the-default-profile", &out, None);
}

/// Every fixture under `tests/fixtures/invalid/` has a snapshot of its diagnostics.
#[test]
fn every_invalid_fixture_has_a_diagnostics_snapshot() {
    crate::common::snapshot_settings().bind(|| {
        insta::glob!("../fixtures/invalid", "*.yaml", |path| {
            let name = path.file_stem().unwrap().to_str().unwrap();
            let relative = format!("tests/fixtures/invalid/{name}.yaml");
            let out = Test::new(["lint", relative.as_str()])
                .current_dir(&crate::common::root())
                .run();
            assert_eq!(
                out.code,
                i32::from(!name.starts_with("warn-") && has_error(&out.stdout)),
                "{}",
                out.stdout
            );
            insta::assert_snapshot!("lint", cli_snapshot(&out, None));
        });
    });
}

fn has_error(stdout: &str) -> bool {
    stdout.lines().any(|l| l.starts_with("error["))
}

/// The scaling guide taken literally: lint names every defect of DESIGN.md section 6.
#[test]
fn the_seed_taken_literally_is_refused_for_every_defect() {
    let out = Test::new(["lint", "tests/fixtures/seed-literal.yaml"])
        .current_dir(&crate::common::root())
        .run();
    assert_eq!(out.code, 1);
    let expect = [
        // A second HPA on Deployment/mplp-core (AmbiguousSelector).
        "error[E0106]: modules.custom-metrics.deployment",
        // VPA Auto on core's cpu and memory while its HPA scales on them; Auto is deprecated.
        "error[E0602]: modules.core.vpa.updateMode",
        "warning[W0604]: modules.core.vpa.updateMode",
        // The database VPA on a StatefulSet CNPG never creates, container `postgresql`.
        "error[E0605]: postgres.vpa.targetRef",
        "error[E0605]: postgres.vpa.containerName",
        // CNPG has no monitoring.enabled, no wal.retention / data.retention.
        "error[E0003]: postgres.monitoring",
        "error[E0003]: postgres.backup.wal",
        "error[E0003]: postgres.backup.data",
        // RedisCluster v1beta1 is no longer served; v1beta2 needs an image.
        "error[E0805]: redis.apiVersion",
        "error[E0005]: redis.image",
        // 6 leader shards are 12 pods; the exporter is on `latest`.
        "warning[W0804]: redis.clusterSize",
        "warning[W0802]: redis.exporter.image",
    ];
    for line in expect {
        assert!(
            out.stdout.contains(line),
            "missing `{line}` in:\n{}",
            out.stdout
        );
    }
    crate::common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("lint@seed-literal", out.stdout);
    });
}

/// Every diagnostic code is documented in docs/diagnostics.md and produced by a fixture.
#[test]
fn every_code_is_documented_and_exercised() {
    let docs = std::fs::read_to_string(crate::common::root().join("docs/diagnostics.md")).unwrap();
    let mut fixtures = String::new();
    for entry in std::fs::read_dir(crate::common::root().join("tests/fixtures/invalid")).unwrap() {
        let path = entry.unwrap().path();
        let out = Test::new(["lint", "--format", "json", path.to_str().unwrap()]).run();
        fixtures.push_str(&out.stdout);
    }
    // Every row of the one catalogue, so a code cannot be left out of this test.
    for info in mplp_scale::CODES {
        let id = info.id;
        assert!(
            docs.contains(&format!("\n## {id}: {}\n", info.name)),
            "{id} ({}) is not documented in docs/diagnostics.md",
            info.name
        );
        if id == "E0950" {
            // Only `lint --crds`, on an object mplp-scale rendered wrong: see the crds.rs tests.
            continue;
        }
        if id == "E0951" {
            // Only `lint --crds` with a CRD missing: see everyday::a_missing_crd_is_said_once.
            continue;
        }
        if id == "E0010" {
            // A file that cannot be read is no fixture: see
            // reports::machine_formats_report_an_unreadable_input.
            continue;
        }
        if id == "W0711" || id == "W0712" {
            // Only `diff`: see topology::moving_the_primary_in_one_change_is_a_warned_failover
            // and topology::removing_or_renaming_a_data_holder_is_warned.
            continue;
        }
        if id == "W0008" || id == "W0009" {
            // Only `--set`: see cli::sets_that_would_do_nothing_or_the_wrong_thing_are_said.
            continue;
        }
        assert!(
            fixtures.contains(&format!("\"code\": \"{id}\"")),
            "no fixture under tests/fixtures/invalid produces {id}"
        );
    }
}

/// The examples in docs/diagnostics.md are the tool's real output on the fixture they name.
#[test]
fn documented_examples_match_the_output() {
    let docs = std::fs::read_to_string(crate::common::root().join("docs/diagnostics.md")).unwrap();
    let mut checked = 0;
    for part in docs.split("Example (`").skip(1) {
        let (fixture, rest) = part.split_once("`):").unwrap();
        let block = rest
            .split("```text\n")
            .nth(1)
            .unwrap()
            .split("\n```")
            .next()
            .unwrap();
        let out = Test::new(["lint", fixture])
            .current_dir(&crate::common::root())
            .run();
        assert!(
            out.stdout.contains(block),
            "docs/diagnostics.md example for {fixture} is stale:\n{block}\n--- actual:\n{}",
            out.stdout
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} examples found");
}

/// `lint --crds`: every shipped profile renders objects the upstream CRDs accept.
#[test]
fn shipped_profiles_pass_the_upstream_crds() {
    let Some(shared) = crate::common::shared() else {
        crate::common::validator_missing("../shared is absent; lint --crds was not exercised");
        return;
    };
    let crds = shared.join("crds");
    for entry in std::fs::read_dir(crate::common::root().join("profiles")).unwrap() {
        let path = entry.unwrap().path();
        let out = Test::new([
            "lint",
            "--crds",
            crds.to_str().unwrap(),
            path.to_str().unwrap(),
        ])
        .run();
        assert_eq!(out.code, 0, "{}: {}", path.display(), out.stdout);
    }
}

#[test]
fn a_missing_crd_directory_is_exit_2() {
    let out = Test::new(["lint", "--crds", "/nonexistent"]).run();
    assert_cli_snapshot("lint-crds-missing-directory", &out, None);
}

/// A layered profile: the diagnostic names the layer and the line the value came from.
#[test]
fn layered_diagnostics_name_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay.yaml");
    std::fs::write(
        &overlay,
        "# overlay\nregions:\n  eu-west-1:\n    weight: 45\n",
    )
    .unwrap();
    let out = Test::new([
        "lint",
        "-f",
        "profiles/production.yaml",
        "-f",
        overlay.to_str().unwrap(),
        "--format",
        "json",
    ])
    .current_dir(&crate::common::root())
    .run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let records: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(records[0]["code"], "E0202");
    // The sum is wrong because of the overlay; the message is at the regions map of the base.
    assert!(
        records[0]["message"]
            .as_str()
            .unwrap()
            .contains("eu-west-1 45")
    );
    let out = Test::new([
        "lint",
        "-f",
        "profiles/production.yaml",
        "-f",
        overlay.to_str().unwrap(),
        "--set",
        "regions.us-east-1.weight=35",
        "--set",
        "modules.plan.replicas.max=1",
        "--format",
        "json",
    ])
    .current_dir(&crate::common::root())
    .run();
    let records: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let plan = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "E0103")
        .unwrap();
    assert_eq!(
        (
            plan["file"].as_str(),
            plan["line"].as_u64(),
            plan["column"].as_u64()
        ),
        (Some("--set"), Some(1), Some(27))
    );
    let overlay_bad = dir.path().join("bad.yaml");
    std::fs::write(
        &overlay_bad,
        "modules:\n  core:\n    replicas: {min: 5, max: 4}\n",
    )
    .unwrap();
    let out = Test::new([
        "lint",
        "-f",
        "profiles/production.yaml",
        "-f",
        overlay_bad.to_str().unwrap(),
    ])
    .current_dir(&crate::common::root())
    .run();
    assert_cli_snapshot("lint-names-the-overlay-layer", &out, Some(dir.path()));
}

/// Issue 14, item 10: fix hints for a quantity with a space (`4 Gi`) and a number written
/// as a string (`"70%"`, `"50"`).
#[test]
fn near_misses_of_numbers_get_a_fix() {
    let out = Test::new([
        "lint",
        "--set",
        "regions.us-east-1.resources.requests.memory=4 Gi",
        "--set",
        "defaults.metrics=[{resource: cpu, utilization: \"70%\"}]",
        "--set",
        "regions.us-east-1.weight=\"50\"",
    ])
    .run();
    assert_cli_snapshot("lint-fix-hints-for-numbers", &out, None);
}

/// Issue 14, item 5: `lint` checks every file it is given, reports one it cannot read
/// among them (exit 2 at the end, the others' diagnostics kept), and walks a directory
/// for `*.yaml` and `*.yml` files.
#[test]
fn lint_goes_on_past_an_unreadable_file_and_walks_directories() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("profiles");
    std::fs::create_dir_all(tree.join("team")).unwrap();
    let production =
        std::fs::read_to_string(crate::common::root().join("profiles/production.yaml")).unwrap();
    std::fs::write(tree.join("a.yaml"), &production).unwrap();
    std::fs::write(
        tree.join("team/b.yml"),
        production.replacen("weight: 50", "weight: 55", 1),
    )
    .unwrap();
    std::fs::write(tree.join("notes.txt"), "not a profile\n").unwrap();
    let out = Test::new(["lint", "missing.yaml", "profiles", "profiles/a.yaml"])
        .current_dir(dir.path())
        .run();
    assert_cli_snapshot(
        "lint-goes-on-past-an-unreadable-file",
        &out,
        Some(dir.path()),
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = Test::new(["lint", "empty"]).current_dir(dir.path()).run();
    assert_cli_snapshot("lint-an-empty-directory", &out, Some(dir.path()));
}

/// Issue 14, item 7: a deliberate warning can be allowed, by `--allow CODE` or in the
/// profile by a comment for that one value, so `--strict` passes; errors cannot be.
#[test]
fn warnings_can_be_allowed() {
    let fixture = "tests/fixtures/invalid/redis-pods.yaml";
    // The profile-comment cases below start from Guaranteed Postgres pods (no W0707).
    let text = std::fs::read_to_string(crate::common::root().join(fixture))
        .unwrap()
        .replacen(
            "requests: {cpu: 500m, memory: 1Gi}",
            "requests: {cpu: \"2\", memory: 4Gi}",
            1,
        );
    let out = Test::new(["lint", "--strict", fixture])
        .current_dir(&crate::common::root())
        .run();
    assert_eq!(out.code, 1, "{}", out.stdout);

    // (The fixture's Postgres pods are Burstable too: W0707, allowed as well.)
    let out = Test::new([
        "lint", "--strict", "--allow", "W0804", "--allow", "W0707", fixture,
    ])
    .current_dir(&crate::common::root())
    .run();
    assert_cli_snapshot("lint-strict-allow-a-warning", &out, None);

    let out = Test::new([
        "render",
        "-f",
        fixture,
        "--allow",
        "W0804",
        "--allow",
        "W0707",
        "-o",
        "/dev/null",
    ])
    .current_dir(&crate::common::root())
    .run();
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));

    // In the profile: a comment at the end of the value's line, or alone above it.
    let dir = tempfile::tempdir().unwrap();
    for (name, allowed) in [
        (
            "end.yaml",
            text.replacen("clusterSize: 6", "clusterSize: 6  # mplp-scale: allow W0804", 1),
        ),
        (
            "above.yaml",
            text.replacen(
                "  clusterSize: 6",
                "  # mplp-scale: allow W0804 (6 leaders and 6 followers, on purpose)\n  clusterSize: 6",
                1,
            ),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, allowed).unwrap();
        let out = Test::new(["lint", "--strict", path.to_str().unwrap()]).run();
        assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{name}: {}", out.stderr);
    }
    // Another code in the comment allows nothing here.
    let path = dir.path().join("other.yaml");
    std::fs::write(
        &path,
        text.replacen(
            "clusterSize: 6",
            "clusterSize: 6  # mplp-scale: allow W0802",
            1,
        ),
    )
    .unwrap();
    let out = Test::new(["lint", "--strict", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);

    // An error's code, or no code at all, is a bad flag.
    let out = Test::new(["lint", "--allow", "E0103"]).run();
    assert_cli_snapshot("lint-allow-an-error", &out, None);
    let out = Test::new(["lint", "--allow", "W9999"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// Issue 14, item 7: SARIF (GitHub code scanning) and `JUnit` XML (CI test reports).
#[test]
fn sarif_and_junit_reports() {
    let fixtures = [
        "tests/fixtures/invalid/replicas-max.yaml",
        "tests/fixtures/invalid/redis-pods.yaml",
        "profiles/minimal.yaml",
    ];
    let run = |format: &str| {
        Test::new(["lint", "--format", format].into_iter().chain(fixtures))
            .current_dir(&crate::common::root())
            .run()
    };
    let out = run("sarif");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "mplp-scale");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let first = &results[0];
    assert_eq!(first["ruleId"], "E0103");
    assert_eq!(first["level"], "error");
    let rule = &driver["rules"][usize::try_from(first["ruleIndex"].as_u64().unwrap()).unwrap()];
    assert_eq!(rule["id"], "E0103");
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "tests/fixtures/invalid/replicas-max.yaml"
    );
    assert_eq!(location["region"]["startLine"], 19);
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "W0804" && r["level"] == "warning")
    );

    let out = run("junit");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    let failures = |case: &roxmltree::Node| {
        case.children()
            .filter(|n| n.has_tag_name("failure"))
            .map(|n| n.attribute("type").unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(cases[0].attribute("name"), Some(fixtures[0]));
    assert_eq!(failures(&cases[0]), ["E0103", "E0103"]);
    assert!(failures(&cases[1]).is_empty(), "a warning is no failure");
    assert!(
        cases[1]
            .children()
            .any(|n| n.has_tag_name("system-out") && n.text().unwrap().contains("W0804"))
    );
    assert!(failures(&cases[2]).is_empty());
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        (suite.attribute("tests"), suite.attribute("failures")),
        (Some("3"), Some("1"))
    );
}

/// Issue 14, item 10: a region just added (last) with its weight is not told to take
/// weight 0; the help moves the difference to a region that keeps a share.
#[test]
fn the_weights_help_never_zeroes_a_new_region() {
    let out = Test::new(["lint", "--set", "regions.sa-east-1={weight: 10}"]).run();
    assert_cli_snapshot("lint-weights-help-with-a-new-region", &out, None);
    assert!(!out.stdout.contains("to `0`"), "{}", out.stdout);
}

//! Loading and checking: diagnostics point at the value, and render refuses bad profiles.

use crate::common::Test;

fn broken(replacements: &[(&str, &str)]) -> String {
    let mut text = mplp_scale::load::DEFAULT_PROFILE.to_owned();
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
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("error[E0003]: namespce: unknown field `namespce`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(" --> <stdin>:8:1"), "{}", out.stderr);
    assert!(
        out.stderr.contains("help: did you mean `namespace`?"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "error[E0004]: regions.eu-west-1.weight: expected an integer, found the string `30`"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("error: the profile has 3 errors, 0 warnings; nothing was rendered"),
        "{}",
        out.stderr
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
    assert_eq!(out.code, 1);
    let line = profile
        .lines()
        .position(|l| l.contains("clusterSize: 1"))
        .unwrap()
        + 1;
    assert_eq!(
        out.stdout,
        format!(
            "::error file=<stdin>,line={line},col=16,title=E0801::redis.clusterSize: clusterSize `1` is below 3: a Redis cluster needs at least 3 leader shards (help: set `clusterSize: 3` (3 leaders, each with one follower: 6 pods))\n"
        )
    );
}

#[test]
fn warnings_fail_only_with_strict() {
    let profile = broken(&[("redis-exporter:v1.44.0", "redis-exporter:latest")]);
    let out = Test::new(["lint", "-"]).stdin(profile.clone()).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("warning[W0802]"));
    let out = Test::new(["lint", "-", "--strict"])
        .stdin(profile.clone())
        .run();
    assert_eq!(out.code, 1);
    // render goes ahead on warnings, and says so on stderr.
    let out = Test::new(["render", "-f", "-"]).stdin(profile).run();
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("warning[W0802]"));
}

#[test]
fn the_default_profile_lints_clean() {
    let out = Test::new(["lint"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(out.stderr, "checked 1 profile: 0 errors, 0 warnings\n");
}

//! `diff` (issue 23): renders of any size, YAML or JSON Lines on either side, an empty
//! side refused, and the pre-commit hook that compares a committed render.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Output, Test, assert_cli_snapshot, documents, root, skipped};

/// Run the binary in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Test::new(args.iter().copied()).current_dir(dir).run()
}

/// `benches/gen_profile.py REGIONS MODULES` written to `dir/name`; `None` (skipped)
/// without python3.
fn generated_profile(dir: &Path, regions: u32, modules: u32) -> Option<PathBuf> {
    let out = Command::new("python3")
        .arg(root().join("benches/gen_profile.py"))
        .args([regions.to_string(), modules.to_string()])
        .output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        skipped("python3 is missing: benches/gen_profile.py could not write the large profile");
        return None;
    };
    let path = dir.join("big.yaml");
    std::fs::write(&path, out.stdout).unwrap();
    Some(path)
}

/// Issue 23, items 1, 2, 4 and 5: 40 regions x 20 modules is over 1,024 objects (the
/// YAML library's default document budget, which `diff` once applied to a whole stream);
/// the render compared with itself, with a one-field change, and as JSON Lines.
#[test]
fn renders_of_more_than_1024_objects_are_compared_in_yaml_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_) = generated_profile(dir.path(), 40, 20) else {
        return;
    };
    let render = |extra: &[&str]| {
        let mut args = vec!["render", "-f", "big.yaml"];
        args.extend(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out
    };
    render(&["-o", "old.yaml"]);
    render(&["-o", "old.json", "--format", "json"]);
    // 40 regions' weights are 3 (the first 20) and 2: move one point between two regions.
    render(&[
        "--set",
        "regions.region-000.weight=4",
        "--set",
        "regions.region-001.weight=2",
        "-o",
        "new.yaml",
    ]);
    let objects = documents(&std::fs::read_to_string(dir.path().join("old.yaml")).unwrap()).len();
    assert!(objects > 1024, "{objects} objects");

    for (old, new) in [
        ("old.yaml", "old.yaml"),
        ("old.json", "old.yaml"),
        ("old.yaml", "old.json"),
        ("old.json", "old.json"),
        ("big.yaml", "old.json"),
    ] {
        let same = run_in(dir.path(), &["diff", old, new]);
        assert_eq!(same.code, 0, "{old} {new}: {}{}", same.stdout, same.stderr);
        assert_eq!(same.stderr, format!("no differences ({objects} objects)\n"));
    }
    let changed = run_in(dir.path(), &["diff", "old.yaml", "new.yaml"]);
    assert_cli_snapshot("diff-a-large-render-with-one-weight-moved", &changed, None);
    let from_json = run_in(dir.path(), &["diff", "old.json", "new.yaml"]);
    assert_eq!(
        (from_json.code, &from_json.stdout),
        (changed.code, &changed.stdout)
    );
}

/// Issue 23, item 3: an empty side (a refused or failed render piped in, an empty file,
/// a stream of comments only) is an error, exit 2, never a render without objects.
#[test]
fn an_empty_side_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.yaml"), "").unwrap();
    let out = Test::new(["diff", "profiles/production.yaml", "-"])
        .current_dir(&root())
        .stdin("")
        .run();
    assert_cli_snapshot("diff-an-empty-standard-input", &out, None);
    let out = run_in(dir.path(), &["diff", "empty.yaml", "-"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: `empty.yaml` holds no objects: was the render refused?"),
        "{}",
        out.stderr
    );
    let comments = "# mplp-scale: the objects of 4 clusters.\n---\n\n";
    let out = Test::new(["diff", "-", "profiles/production.yaml"])
        .current_dir(&root())
        .stdin(comments)
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

/// Issue 23, item 1: what cannot be read is said in words, at its line in the side, with
/// no debug value (a YAML error, a JSON Lines error, a document that is not an object).
#[test]
fn unreadable_documents_are_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let render = Test::new(["render"]).run().stdout;
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("a.yaml", &render);
    write(
        "broken.yaml",
        &render.replacen("  name: mplp-regions\n", "  name: [mplp-regions\n", 1),
    );
    write(
        "nameless.yaml",
        &format!("{render}---\napiVersion: v1\nkind: ConfigMap\n"),
    );
    write(
        "broken.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n{\"kind\": \n",
    );
    for (name, side) in [
        ("a-broken-yaml-document", "broken.yaml"),
        ("a-document-without-a-name", "nameless.yaml"),
        ("a-broken-json-line", "broken.json"),
    ] {
        let out = run_in(dir.path(), &["diff", "a.yaml", side]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(!out.stderr.contains(" {"), "a debug value: {}", out.stderr);
        assert_cli_snapshot(&format!("diff-{name}"), &out, None);
    }
}

/// The hook `mplp-scale-render-current` of `.pre-commit-hooks.yaml`, run as pre-commit
/// runs it (its `entry` split into words and executed in the checkout's root, no file
/// names with `pass_filenames: false`), in a git checkout holding a profile and its
/// render: it passes on a current render (it once always failed: the render it piped
/// was refused) and fails on a stale or empty one.
#[test]
fn the_render_current_hook_passes_on_a_current_render_only() {
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = hooks
        .iter()
        .find(|h| h["id"] == "mplp-scale-render-current")
        .expect("the hook");
    assert_eq!(hook["pass_filenames"], false);
    let entry = hook["entry"].as_str().unwrap();
    // Without quotes, pre-commit's shlex split is a split at blanks.
    assert!(!entry.contains(['\'', '"', '\\']), "{entry}");
    let words: Vec<&str> = entry.split_whitespace().collect();

    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir.path())
            .output()
    };
    if !git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
        skipped("git is missing: the pre-commit hook was not run in a checkout");
        return;
    }
    std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
    std::fs::create_dir_all(dir.path().join("deploy")).unwrap();
    std::fs::copy(
        root().join("profiles/production.yaml"),
        dir.path().join("profiles/production.yaml"),
    )
    .unwrap();
    // How the committed render is written (docs/ci.md).
    let out = run_in(
        dir.path(),
        &[
            "render",
            "-f",
            "profiles/production.yaml",
            "-o",
            "deploy/rendered.yaml",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(git(&["add", "."]).unwrap().status.success());
    assert!(
        git(&["commit", "-q", "-m", "render"])
            .unwrap()
            .status
            .success()
    );

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_mplp-scale"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let run_hook = || {
        let out = Command::new(words[0])
            .args(&words[1..])
            .env("PATH", &path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = run_hook();
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(stderr, "no differences (141 objects)\n");

    let profile = dir.path().join("profiles/production.yaml");
    let text = std::fs::read_to_string(&profile).unwrap();
    let moved = text
        .replacen("    weight: 50", "    weight: 40", 1)
        .replacen("    weight: 30", "    weight: 40", 1);
    assert_ne!(moved, text);
    std::fs::write(&profile, moved).unwrap();
    let (code, stdout, stderr) = run_hook();
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "~ changed: networking.istio.io/v1 DestinationRule mplp-production/mplp-core-service"
        ),
        "{stdout}"
    );
    assert_eq!(stderr, "4 changed, 0 added, 0 removed\n");

    std::fs::write(dir.path().join("deploy/rendered.yaml"), "").unwrap();
    let (code, _, stderr) = run_hook();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("holds no objects"), "{stderr}");
}

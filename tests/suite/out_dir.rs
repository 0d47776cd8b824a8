//! `render --out-dir` is a jail, crash-safe and incremental (issues 17, 21 item 8, 23 item 4):
//! each test plants what an attacker, a crash or a concurrent run leaves, and checks that
//! nothing outside the tree is touched and nothing mplp-scale did not write is removed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use crate::common::{Test, assert_cli_snapshot};

const BIN: &str = env!("CARGO_BIN_EXE_mplp-scale");

/// Everything under `dir`, links not followed: a file's bytes, `-> target` for a link,
/// `/` for a folder.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(folder) = todo.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            let key = path.strip_prefix(dir).unwrap().to_owned();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(key, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                out.insert(key, b"/".to_vec());
                todo.push(path);
            } else {
                out.insert(key, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn render(dir: &Path, extra: &[&str]) -> crate::common::Output {
    let mut args = vec!["render", "--out-dir", dir.to_str().unwrap()];
    args.extend(extra);
    Test::new(args).run()
}

/// A fresh tree of the default profile in `<tmp>/deploy`.
fn rendered() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deploy");
    let out = render(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    (tmp, dir)
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every file the marker lists is there with the hash it lists, and every file under
/// `global/` and `regions/` is listed.
fn assert_marker_matches_the_tree(dir: &Path) {
    let marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for line in marker.lines() {
        let (path, hash) = line.split_once('\t').expect("a hash on every line");
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert_eq!(hash, format!("fnv1a64:{:016x}", fnv1a64(&bytes)), "{path}");
        assert!(listed.insert(PathBuf::from(path)), "{path} twice");
    }
    for (path, bytes) in tree(dir) {
        if bytes != b"/" && (path.starts_with("global") || path.starts_with("regions")) {
            assert!(listed.contains(&path), "{} is not listed", path.display());
        }
    }
    assert!(
        !dir.join(".mplp-scale-tmp").exists(),
        "temporary files left"
    );
    assert!(!dir.join(".mplp-scale.lock").exists(), "the lock file left");
}

#[test]
fn a_symlinked_file_is_refused_and_nothing_is_written() {
    let (tmp, dir) = rendered();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "victim\n").unwrap();
    let file = dir.join("regions/us-east-1/kustomization.yaml");
    std::fs::remove_file(&file).unwrap();
    symlink(&victim, &file).unwrap();
    let before = tree(tmp.path());
    let out = render(&dir, &["--set", "modules.core.vpa=null"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "refusing to write `{}`: it is a symbolic link (mplp-scale never follows",
            file.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(tree(tmp.path()), before, "something was written");
}

#[test]
fn a_symlinked_scope_folder_is_refused_and_nothing_is_written() {
    let (tmp, dir) = rendered();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(dir.join("regions/eu-west-1"), &elsewhere).unwrap();
    symlink(&elsewhere, dir.join("regions/eu-west-1")).unwrap();
    let before = tree(tmp.path());
    let out = render(&dir, &["--set", "modules.core.vpa=null"]);
    assert_cli_snapshot(
        "render-out-dir-refuses-a-symlinked-scope",
        &out,
        Some(tmp.path()),
    );
    assert_eq!(out.code, 2);
    assert_eq!(tree(tmp.path()), before, "something was written");
}

#[test]
fn a_symlink_in_a_parent_folder_is_refused_and_nothing_is_written() {
    let (tmp, dir) = rendered();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(dir.join("regions"), &elsewhere).unwrap();
    symlink(&elsewhere, dir.join("regions")).unwrap();
    let before = tree(tmp.path());
    let out = render(&dir, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "`{}` is a symbolic link, not a folder (mplp-scale never follows a symbolic link below the output directory)",
            dir.join("regions").display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(tree(tmp.path()), before, "something was written");
}

#[test]
fn a_symlinked_out_dir_is_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    symlink(&real, tmp.path().join("deploy")).unwrap();
    let out = render(&tmp.path().join("deploy"), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(real.join("global/kustomization.yaml").is_file());
    assert_marker_matches_the_tree(&real);
}

#[test]
fn a_tampered_marker_removes_nothing_mplp_scale_did_not_write() {
    let (tmp, dir) = rendered();
    let mut marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    // Files the tool never wrote, listed with the hash of their very bytes.
    std::fs::write(dir.join("README.md"), "mine\n").unwrap();
    std::fs::create_dir(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/config"), "[core]\n").unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "victim\n").unwrap();
    let absolute = tmp.path().join("absolute.yaml");
    std::fs::write(&absolute, "victim\n").unwrap();
    let hash = |b: &[u8]| format!("fnv1a64:{:016x}", fnv1a64(b));
    for (path, bytes) in [
        ("README.md".to_owned(), &b"mine\n"[..]),
        (".git/config".to_owned(), b"[core]\n"),
        ("../victim".to_owned(), b"victim\n"),
        ("regions/../../victim".to_owned(), b"victim\n"),
        (absolute.to_str().unwrap().to_owned(), b"victim\n"),
    ] {
        writeln!(marker, "{path}\t{}", hash(bytes)).unwrap();
    }
    // A file mplp-scale wrote, edited since: kept when it is no longer rendered.
    let vpa = dir.join("regions/us-east-1/verticalpodautoscaler-mplp-core-vpa.yaml");
    std::fs::write(&vpa, "# edited\n").unwrap();
    std::fs::write(dir.join(".mplp-scale-files"), marker).unwrap();

    let out = render(&dir, &["--set", "modules.core.vpa=null"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".git/config")).unwrap(),
        "[core]\n"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim\n");
    assert_eq!(std::fs::read_to_string(&absolute).unwrap(), "victim\n");
    assert_eq!(std::fs::read_to_string(&vpa).unwrap(), "# edited\n");
    // The VPAs it wrote and did not edit are gone.
    assert!(
        !dir.join("regions/eu-west-1/verticalpodautoscaler-mplp-core-vpa.yaml")
            .exists()
    );
    for named in [
        "`README.md`",
        "`.git/config`",
        "`../victim`",
        "`regions/../../victim`",
    ] {
        assert!(out.stderr.contains(named), "{named}: {}", out.stderr);
    }
    assert!(
        out.stderr.contains(&format!(
            "warning: kept `{}`, which mplp-scale wrote before and no longer renders: its content changed since mplp-scale wrote it",
            vpa.display()
        )),
        "{}",
        out.stderr
    );
    // The bad lines and the kept file are no longer listed.
    let marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    assert!(
        !marker.contains("README.md")
            && !marker.contains("victim")
            && !marker.contains("us-east-1/verticalpodautoscaler-mplp-core-vpa"),
        "{marker}"
    );
    std::fs::remove_file(&vpa).unwrap();
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn a_marker_without_hashes_is_read_and_its_files_are_never_removed_unverified() {
    let (_tmp, dir) = rendered();
    let marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    let old: String = marker
        .lines()
        .flat_map(|l| [l.split_once('\t').unwrap().0, "\n"])
        .collect();
    std::fs::write(dir.join(".mplp-scale-files"), old).unwrap();
    let vpa = dir.join("regions/us-east-1/verticalpodautoscaler-mplp-core-vpa.yaml");
    let out = render(&dir, &["--set", "modules.core.vpa=null"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(vpa.is_file(), "an unverified file was removed");
    assert!(
        out.stderr.contains("listed without a content hash"),
        "{}",
        out.stderr
    );
    // Kept, and no longer listed; every other file is listed with its hash now.
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        std::fs::remove_file(dir.join(format!(
            "regions/{region}/verticalpodautoscaler-mplp-core-vpa.yaml"
        )))
        .unwrap();
    }
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn a_second_render_waits_for_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deploy");
    std::fs::create_dir(&dir).unwrap();
    let lock_path = dir.join(".mplp-scale.lock");
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    let mut child = Command::new(BIN)
        .args(["render", "--out-dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let waiting = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the render says it waits");
        if line.contains("waiting for another mplp-scale render") {
            break line;
        }
    };
    assert!(
        waiting.contains(&format!("`{}`", dir.display())),
        "{waiting}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        tree(&dir).into_keys().collect::<Vec<_>>(),
        [PathBuf::from(".mplp-scale.lock")],
        "written while the lock was held"
    );
    // Done as a render is done: the file removed, then the lock released.
    std::fs::remove_file(&lock_path).unwrap();
    drop(lock);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success());
    assert!(dir.join("global/kustomization.yaml").is_file());
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn concurrent_renders_lose_no_marker_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deploy");
    let spawn = |region: &str| {
        Command::new(BIN)
            .args([
                "render",
                "--out-dir",
                dir.to_str().unwrap(),
                "--region",
                region,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = ["us-east-1", "eu-west-1", "ap-southeast-1"]
        .into_iter()
        .map(spawn)
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        assert!(
            marker.contains(&format!("regions/{region}/kustomization.yaml\t")),
            "{region} lost: {marker}"
        );
    }
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn a_rerun_rewrites_nothing_and_a_change_rewrites_only_its_files() {
    let (_tmp, dir) = rendered();
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let set_old = |path: &Path| {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(long_ago).unwrap();
    };
    let files: Vec<PathBuf> = tree(&dir)
        .into_iter()
        .filter(|(_, b)| b != b"/")
        .map(|(p, _)| dir.join(p))
        .collect();
    for path in &files {
        set_old(path);
    }
    let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();

    let out = render(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for path in &files {
        assert_eq!(mtime(path), long_ago, "{} was rewritten", path.display());
    }

    let out = render(&dir, &["--set", "modules.core.vpa=null"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("verticalpodautoscaler-mplp-core") {
            assert!(!path.exists());
        } else if name == "kustomization.yaml" && path.starts_with(dir.join("regions"))
            || name == ".mplp-scale-files"
        {
            assert_ne!(mtime(path), long_ago, "{} was not written", path.display());
        } else {
            assert_eq!(mtime(path), long_ago, "{} was rewritten", path.display());
        }
    }
    assert_marker_matches_the_tree(&dir);
}

/// `bash -c 'ulimit -f 4; exec mplp-scale …'`: a write past 4 KiB fails (`EFBIG`, as on a
/// full disk) or, when `SIGXFSZ` is not ignored, kills the render mid-write (a crash).
fn render_limited(dir: &Path, extra: &[&str], crash: bool) -> std::process::Output {
    let script = if crash {
        "ulimit -f 4; exec \"$0\" \"$@\""
    } else {
        "trap '' XFSZ; ulimit -f 4; exec \"$0\" \"$@\""
    };
    Command::new("bash")
        .args([
            "-c",
            script,
            BIN,
            "render",
            "--out-dir",
            dir.to_str().unwrap(),
        ])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_failed_first_write_leaves_a_folder_the_next_render_takes() {
    for extra in [&[][..], &["--global"][..]] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("deploy");
        let out = render_limited(&dir, extra, false);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains("File too large"), "{stderr}");
        let left: Vec<PathBuf> = tree(&dir).into_keys().collect();
        assert!(
            left.iter()
                .all(|p| !p.starts_with(".mplp-scale-tmp") && !p.starts_with(".mplp-scale.lock")),
            "{left:?}"
        );
        // Nothing half-written in place: only whole files.
        for path in left
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            let text = std::fs::read_to_string(dir.join(path)).unwrap();
            assert!(text.ends_with('\n'), "{}", path.display());
        }
        let out = render(&dir, &[]);
        assert_eq!(out.code, 0, "{extra:?}: {}", out.stderr);
        assert_marker_matches_the_tree(&dir);
    }
}

#[test]
fn a_render_killed_mid_write_is_taken_up_by_the_next() {
    use std::os::unix::process::ExitStatusExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deploy");
    let out = render_limited(&dir, &["--global"], true);
    assert!(out.status.signal().is_some(), "{:?}", out.status);
    assert!(
        dir.join(".mplp-scale-tmp").exists(),
        "the crash left no temporary file"
    );
    assert!(!dir.join("global/applicationset-mplp-regions.yaml").exists());
    let out = render(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn a_partial_render_names_the_scopes_another_profile_rendered() {
    let (tmp, dir) = rendered();
    // Nothing changed: no warning.
    let out = render(&dir, &["--region", "us-east-1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    // eu-west-1 removed: its folder goes; the global ApplicationSet and the other
    // regions' objects still name it until they are rendered again.
    let out = render(
        &dir,
        &[
            "--region",
            "us-east-1",
            "--set",
            "regions.eu-west-1=null",
            "--set",
            "regions.us-east-1.weight=80",
        ],
    );
    assert_cli_snapshot("render-out-dir-names-stale-scopes", &out, Some(tmp.path()));
    assert!(!dir.join("regions/eu-west-1").exists());
    let appset =
        std::fs::read_to_string(dir.join("global/applicationset-mplp-regions.yaml")).unwrap();
    assert!(
        appset.contains("eu-west-1"),
        "the partial render wrote the global scope"
    );
    let out = render(
        &dir,
        &[
            "--global",
            "--region",
            "ap-southeast-1",
            "--set",
            "regions.eu-west-1=null",
            "--set",
            "regions.us-east-1.weight=80",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert_marker_matches_the_tree(&dir);
}

#[test]
fn leftovers_of_an_interrupted_render_are_cleaned_up() {
    let (_tmp, dir) = rendered();
    std::fs::create_dir(dir.join(".mplp-scale-tmp")).unwrap();
    std::fs::write(dir.join(".mplp-scale-tmp/7.tmp"), "half a fi").unwrap();
    std::fs::write(dir.join(".mplp-scale.lock"), "").unwrap();
    let out = render(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_marker_matches_the_tree(&dir);
    // A folder holding only such leftovers is no foreign folder.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".mplp-scale-tmp")).unwrap();
    std::fs::write(tmp.path().join(".mplp-scale-tmp/0.tmp"), "x").unwrap();
    let out = render(tmp.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_marker_matches_the_tree(tmp.path());
}

#[test]
fn a_file_mplp_scale_did_not_write_is_not_replaced() {
    let (tmp, dir) = rendered();
    let marker = std::fs::read_to_string(dir.join(".mplp-scale-files")).unwrap();
    let kept: String = marker
        .lines()
        .filter(|l| !l.starts_with("global/kustomization.yaml\t"))
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(dir.join(".mplp-scale-files"), kept).unwrap();
    let mine = dir.join("global/kustomization.yaml");
    std::fs::write(&mine, "# mine\n").unwrap();
    let before = tree(tmp.path());
    let out = render(&dir, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("mplp-scale did not write it"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn a_symlinked_marker_lock_or_staging_folder_is_refused() {
    for planted in [".mplp-scale-files", ".mplp-scale.lock", ".mplp-scale-tmp"] {
        let (tmp, dir) = rendered();
        let victim = tmp.path().join("victim");
        std::fs::create_dir(&victim).unwrap();
        std::fs::write(victim.join("keep"), "victim\n").unwrap();
        let path = dir.join(planted);
        if path.is_file() {
            std::fs::remove_file(&path).unwrap();
        }
        symlink(&victim, &path).unwrap();
        let before = tree(tmp.path());
        let out = render(&dir, &["--set", "modules.core.vpa=null"]);
        assert_eq!(out.code, 2, "{planted}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("`{}` is a symbolic link", path.display())),
            "{planted}: {}",
            out.stderr
        );
        assert_eq!(tree(tmp.path()), before, "{planted}: something was written");
    }
}

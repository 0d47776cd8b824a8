//! A small builder for running the binary, and helpers shared by the tests.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The project root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the project, when it is there (it is in CI).
pub(crate) fn shared() -> Option<PathBuf> {
    let dir = root().join("..").join("shared");
    dir.join("tools")
        .join("validate-manifests")
        .is_file()
        .then_some(dir)
}

/// Whether this run is CI (`CI` set and not `false` or `0`), where a missing validator
/// fails instead of skipping.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A check that could not run here: say so on stderr (`SKIPPED: …`, shown with
/// `--nocapture`) and add a line to the file `$MPLP_SCALE_SKIPPED` names, which
/// `scripts/test` counts and prints at the end.
pub(crate) fn skipped(why: &str) {
    eprintln!("SKIPPED: {why}");
    if let Some(log) = std::env::var_os("MPLP_SCALE_SKIPPED") {
        let line = format!("{}\n", why.replace('\n', " "));
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// The validator is missing: a failure under CI, a skipped check elsewhere.
pub(crate) fn validator_missing(why: &str) {
    assert!(
        !in_ci(),
        "CI must run the validator, but {why} (scripts/test sets it up from ../shared)"
    );
    skipped(why);
}

/// What `render` and `lint` say on stderr when no profile is given (issue 14, item 4).
pub(crate) const DEFAULT_PROFILE_NOTE: &str = "note: no profile given: using the embedded default profile (the production topology; `mplp-scale render --show-profile` prints it)\n";

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Output {
    /// The arguments the binary ran with.
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `Test::new(["render"]).stdin(...).run()`.
pub(crate) struct Test {
    args: Vec<String>,
    stdin: Option<String>,
    dir: Option<PathBuf>,
}

impl Test {
    pub(crate) fn new<I: IntoIterator<Item = S>, S: Into<String>>(args: I) -> Self {
        Self {
            args: args.into_iter().map(Into::into).collect(),
            stdin: None,
            dir: None,
        }
    }

    pub(crate) fn stdin(mut self, text: impl Into<String>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    pub(crate) fn current_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    /// Run the binary. Its standard output is a file, as with `render > out.yaml` (a
    /// pipe is where `render` refuses several clusters' objects: see [`Test::run_piped`]).
    pub(crate) fn run(self) -> Output {
        let stdout = tempfile::tempfile().expect("a temporary file");
        let reader = stdout.try_clone().expect("the file again");
        self.run_with(Stdio::from(stdout), Some(reader))
    }

    /// Run the binary with its standard output a pipe (`render | kubectl apply -f -`).
    pub(crate) fn run_piped(self) -> Output {
        self.run_with(Stdio::piped(), None)
    }

    fn run_with(self, stdout: Stdio, file: Option<std::fs::File>) -> Output {
        use std::io::{Read as _, Seek as _};
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mplp-scale"));
        cmd.args(&self.args)
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(Stdio::piped());
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("the binary runs");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.unwrap_or_default();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        let out = child.wait_with_output().expect("the binary finishes");
        writer.join().expect("stdin writer");
        let stdout = match file {
            Some(mut file) => {
                let mut text = Vec::new();
                file.rewind().expect("rewind");
                file.read_to_end(&mut text).expect("read stdout");
                text
            }
            None => out.stdout,
        };
        Output {
            args: self.args,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Split a rendered stream into documents (without the `---` lines and the comment
/// lines that open the stream).
pub(crate) fn documents(stream: &str) -> Vec<&str> {
    stream
        .split("---\n")
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        })
        .collect()
}

/// The weights of the default route's split, in region order: the `distribute` weights
/// of the first (the entry) DestinationRule.
pub(crate) fn weights_of_the_default_route(stream: &str) -> Vec<i64> {
    let dr = documents(stream)
        .into_iter()
        .map(parse)
        .find(|d| d["kind"] == "DestinationRule")
        .unwrap();
    let to =
        &dr["spec"]["trafficPolicy"]["loadBalancer"]["localityLbSetting"]["distribute"][0]["to"];
    to.as_object()
        .unwrap()
        .values()
        .map(|w| w.as_i64().unwrap())
        .collect()
}

/// Parse one YAML document into JSON values (with serde-saphyr, as a YAML 1.2 reader).
pub(crate) fn parse(doc: &str) -> serde_json::Value {
    serde_saphyr::from_str(doc).unwrap_or_else(|e| panic!("document does not parse: {e}\n{doc}"))
}

/// A Python that can run `../shared/tools/validate-manifests`: the project's `.venv`
/// (which `.ci/run` creates) or a `python3` that has the packages.
pub(crate) fn validator_python() -> Option<PathBuf> {
    let venv = root().join(".venv").join("bin").join("python");
    let candidates = [venv, PathBuf::from("python3")];
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args([
                "-c",
                "import yaml, jsonschema, referencing, kubernetes_validate",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Run validate-manifests on a stream. `None` (with a printed notice) when `../shared`
/// or its Python packages are missing; under CI a missing validator is a failure.
pub(crate) fn validate_manifests(stream: &str, extra: &[&str]) -> Option<(i32, String)> {
    let Some(shared) = shared() else {
        validator_missing(
            "../shared/tools/validate-manifests is not beside the project; the manifests were not checked against the upstream CRDs",
        );
        return None;
    };
    let Some(python) = validator_python() else {
        validator_missing(
            "no Python with the validator's packages (run: python3 -m venv .venv && .venv/bin/pip install -r ../shared/tools/requirements.txt)",
        );
        return None;
    };
    let mut child = Command::new(python)
        .arg(shared.join("tools").join("validate-manifests"))
        .args(extra)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("validate-manifests starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = stream.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .expect("validate-manifests finishes");
    writer.join().expect("writer").expect("stdin written");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.code().unwrap_or(-1), text))
}

/// A run as a CLI snapshot shows it: exit code, stdout and stderr together.
///
/// Only temporary paths are filtered: `tmp`, a test's temporary directory, is written
/// `[TMP]`, and the random part of the tool's own temporary file (`.mplp-scale-XXXXXX.tmp`,
/// named in the error when it cannot be created) is written `[RANDOM]`.
pub(crate) fn cli_snapshot(out: &Output, tmp: Option<&Path>) -> String {
    let text = format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    let text = match tmp {
        Some(dir) => text.replace(dir.to_str().expect("a UTF-8 temp dir"), "[TMP]"),
        None => text,
    };
    filter_temp_file_names(&text)
}

/// `.mplp-scale-P0zoIp.tmp` → `.mplp-scale-[RANDOM].tmp`.
fn filter_temp_file_names(text: &str) -> String {
    const PREFIX: &str = ".mplp-scale-";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        let (before, after) = rest.split_at(at + PREFIX.len());
        out.push_str(before);
        match after.split_once(".tmp") {
            Some((random, tail))
                if !random.is_empty() && random.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                out.push_str("[RANDOM].tmp");
                rest = tail;
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// Assert a CLI snapshot, `snapshots/cli@<name>.snap`; its header names the command.
pub(crate) fn assert_cli_snapshot(name: &str, out: &Output, tmp: Option<&Path>) {
    let mut command = format!("mplp-scale {}", out.args.join(" "));
    if let Some(dir) = tmp {
        command = command.replace(dir.to_str().expect("a UTF-8 temp dir"), "[TMP]");
    }
    let text = cli_snapshot(out, tmp);
    let mut settings = snapshot_settings();
    settings.set_description(command);
    settings.bind(|| insta::assert_snapshot!(format!("cli@{name}"), text));
}

/// insta settings that keep every snapshot in `snapshots/`.
pub(crate) fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

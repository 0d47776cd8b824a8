//! The command line, as clap types only. No logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

/// Render every scaling manifest of a multi-region MPLP platform from one topology profile.
#[derive(Debug, Parser)]
#[command(name = "mplp-scale", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the manifests of a profile as one YAML stream.
    #[command(after_help = RENDER_HELP)]
    Render(RenderArgs),
    /// Check profiles and report every problem, with its file, line and column.
    #[command(alias = "validate", after_help = LINT_HELP)]
    Lint(LintArgs),
    /// Print the profile's JSON Schema (for editors and CI).
    #[command(after_help = SCHEMA_HELP)]
    Schema(SchemaArgs),
    /// Write a commented starter profile.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Compare two rendered streams (or two profiles) object by object.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Replay a load trace through the HPA controller's algorithm for one module.
    #[command(after_help = SIMULATE_HELP)]
    Simulate(SimulateArgs),
    /// Show what a profile means at its limits: replica and resource totals, behavior.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(ExplainArgs),
    /// Print shell completions.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
}

// The examples and exit statuses each subcommand's `--help` ends with (README "Exit status").

const RENDER_HELP: &str = "Examples:
  mplp-scale render -f prod.yaml --region eu-west-1 | kubectl --context eu-west-1 apply -f -
  mplp-scale render -f prod.yaml --global | kubectl --context MANAGEMENT apply -f -
  mplp-scale render -f base.yaml -f prod.yaml --set regions.eu-west-1.weight=40 -o out.yaml
  mplp-scale render -f prod.yaml --out-dir deploy/
  mplp-scale render -f prod.yaml --show-profile --format json

Exit status: 0 rendered; 1 the profile has errors (nothing is written); 2 the tool could not
do its work (unreadable file, bad flag, unknown region, unwritable output).";

const LINT_HELP: &str = "Examples:
  mplp-scale lint profiles/*.yaml
  mplp-scale lint profiles/
  mplp-scale lint -f base.yaml -f prod.yaml --strict
  mplp-scale lint -f base.yaml overlays/*.yaml
  mplp-scale lint --format github prod.yaml
  mplp-scale lint --crds ../shared/crds prod.yaml

Exit status: 0 clean (warnings allowed); 1 errors, or warnings with --strict; 2 the tool
could not do its work (a file it cannot read, reported after checking the others; a bad
flag; an unreadable CRD directory).";

const SCHEMA_HELP: &str = "Examples:
  mplp-scale schema -o profile.schema.json

Exit status: 0 written; 2 the output could not be written.";

const INIT_HELP: &str = "Examples:
  mplp-scale init
  mplp-scale init team.yaml --force

Exit status: 0 written; 2 PATH exists (without --force) or could not be written.";

const DIFF_HELP: &str = "Examples:
  mplp-scale diff deploy/rendered.yaml new.yaml
  mplp-scale diff old-profile.yaml new-profile.yaml
  mplp-scale diff deploy/rendered.yaml prod.yaml
  mplp-scale render -f prod.yaml --format json | mplp-scale diff deploy/rendered.yaml -

Each side is a rendered stream (YAML, or JSON Lines from `render --format json`) or a
profile, which is rendered first.

Exit status: 0 no differences; 1 differences, or a side is a profile with errors; 2 a side
could not be read, or holds no objects (a render that was refused or failed).";

const SIMULATE_HELP: &str = "Examples:
  mplp-scale simulate --module core --trace load.csv
  mplp-scale simulate -f prod.yaml --module core --region eu-west-1 --trace load.csv --format svg -o core.svg
  generate-load | mplp-scale simulate --module core --trace - --controller seed

Exit status: 0 simulated; 1 the profile has errors; 2 the tool could not do its work
(unreadable or unusable trace, unknown module or region, bad flag).";

const EXPLAIN_HELP: &str = "Examples:
  mplp-scale explain
  mplp-scale explain -f prod.yaml --region eu-west-1
  mplp-scale explain --format json | jq '.regions[].pods'

Exit status: 0 explained; 1 the profile has errors; 2 the tool could not do its work
(unreadable file, unknown region, bad flag).";

const COMPLETIONS_HELP: &str = "Examples:
  mplp-scale completions bash > /etc/bash_completion.d/mplp-scale
  mplp-scale completions zsh > \"${fpath[1]}/_mplp-scale\"
  mplp-scale completions fish > ~/.config/fish/completions/mplp-scale.fish

Exit status: 0 printed; 2 a bad flag.";

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The module whose HPA to simulate.
    #[arg(long, value_name = "M", value_hint = ValueHint::Other)]
    pub module: String,
    /// The region (default: the primary region).
    #[arg(long, value_name = "R", value_hint = ValueHint::Other)]
    pub region: Option<String>,
    /// The load trace: CSV with a header `t,<metric>...`, one row per HPA sync (`-` reads
    /// standard input).
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// Replicas at the start (default: the module's minimum in the region).
    #[arg(long, value_name = "N")]
    pub replicas: Option<i64>,
    /// `table` (for people), `csv`, or `svg` (a chart).
    #[arg(long, value_enum, default_value_t = SimulateFormat::Table)]
    pub format: SimulateFormat,
    /// Also show another controller's result beside the HPA's: `seed` is the scaling
    /// guide's `calculateReplicas` (`load / target + 1`).
    #[arg(long, value_enum)]
    pub controller: Option<OtherController>,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// Aligned columns.
    Table,
    /// `t,desired,replicas,reason,...`.
    Csv,
    /// An SVG chart of demand and replicas over time.
    Svg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OtherController {
    /// The scaling guide's `calculateReplicas`.
    Seed,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Only this region (default: every region).
    #[arg(long, value_name = "R", value_hint = ValueHint::Other)]
    pub region: Option<String>,
    /// `text` (for people) or `json` (one object, for scripts; docs/simulate.md gives its shape).
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Aligned text, a section per region.
    Text,
    /// One JSON object: `{"regions": [...]}`.
    Json,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to FILE (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the profile.
    #[arg(value_name = "PATH", default_value = crate::commands::init::DEFAULT_PATH)]
    pub path: PathBuf,
    /// Replace PATH if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old rendered stream, or a profile (`-` reads standard input).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new rendered stream, or a profile.
    #[arg(value_name = "NEW")]
    pub new: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The profile layers and overrides shared by the commands that read one profile.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// A profile file; repeat to layer files (later ones win). `-` reads standard input.
    /// Without it, `mplp-profile.yaml` in the current directory if there is one, else the
    /// embedded default profile (which one is said on stderr).
    #[arg(short = 'f', long = "file", value_name = "PROFILE")]
    pub files: Vec<String>,
    /// Override one field, e.g. `--set regions.eu-west-1.weight=40` (the value is YAML; `null` deletes).
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = crate::load::check_set)]
    pub sets: Vec<String>,
    /// Do not report this warning (repeatable), e.g. `--allow W0804`.
    #[arg(long = "allow", value_name = "CODE", value_parser = crate::diagnostic::parse_allow)]
    pub allow: Vec<crate::diagnostic::Code>,
    /// The regions' Kubernetes version, e.g. `1.33` (the same as
    /// `--set platform.kubernetesVersion=1.33`): what it cannot serve is left out.
    #[arg(long = "kube-version", value_name = "MAJOR.MINOR", value_parser = kube_version)]
    pub kube_version: Option<String>,
}

impl ProfileArgs {
    /// The `--set` overrides, with `--kube-version` as the last one.
    #[must_use]
    pub fn sets(&self) -> Vec<String> {
        with_kube_version(&self.sets, self.kube_version.as_deref())
    }
}

impl LintArgs {
    /// The `--set` overrides, with `--kube-version` as the last one.
    #[must_use]
    pub fn sets(&self) -> Vec<String> {
        with_kube_version(&self.sets, self.kube_version.as_deref())
    }
}

/// `--kube-version`'s value: a Kubernetes version as `platform.kubernetesVersion` takes
/// it (`1.33`, `1.33.2`, `v1.33`); anything else is a bad flag (exit 2), not a profile error.
fn kube_version(text: &str) -> Result<String, String> {
    match crate::target::Version::parse(text) {
        Some(_) => Ok(text.to_owned()),
        None => Err(format!(
            "`{}` is not a Kubernetes version: expected MAJOR.MINOR, like `1.33`",
            text.escape_debug()
        )),
    }
}

/// `sets`, then `platform.kubernetesVersion` set to `version` (a quoted string).
fn with_kube_version(sets: &[String], version: Option<&str>) -> Vec<String> {
    let mut sets = sets.to_vec();
    if let Some(version) = version {
        sets.push(format!(
            "platform.kubernetesVersion={}",
            crate::yaml::quote(version)
        ));
    }
    sets
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // clap flags: each bool is one switch
pub struct RenderArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Only this region's objects (repeatable).
    #[arg(long = "region", value_name = "R", value_hint = ValueHint::Other)]
    pub regions: Vec<String>,
    /// Only the global objects (with --region: the global objects and those regions).
    #[arg(long)]
    pub global: bool,
    /// Write to FILE (atomically, only after everything rendered) instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "out_dir"
    )]
    pub output: Option<PathBuf>,
    /// Write one file per object under DIR/global/ and DIR/regions/REGION/, each with a
    /// kustomization.yaml, and each region's istiod Helm values under DIR/mesh/REGION/.
    #[arg(long = "out-dir", value_name = "DIR", conflicts_with_all = ["format", "show_profile", "mesh_config"])]
    pub out_dir: Option<PathBuf>,
    /// `yaml` (a `---` stream) or `json` (one JSON object per line, for jq).
    #[arg(long, value_enum, default_value_t = RenderFormat::Yaml)]
    pub format: RenderFormat,
    /// Print the merged profile (after every -f and --set) instead of rendering: as YAML, or
    /// with `--format json` as one JSON object; `-o FILE` writes it to FILE.
    #[arg(long)]
    pub show_profile: bool,
    /// Print the istiod Helm values each region's cluster needs (its Istio cluster ID,
    /// cluster-local stateful hosts, DNS proxying) instead of rendering; with --region,
    /// that region's only (the file `helm -f` takes).
    #[arg(long, conflicts_with_all = ["show_profile", "format", "global"])]
    pub mesh_config: bool,
    /// Parse every rendered document back and check it (slower; for debugging and CI).
    #[arg(long)]
    pub verify: bool,
    /// Accepted and ignored: `render` writes every selected cluster's objects wherever its
    /// output goes (it used to refuse a pipe without this flag; scripts may still pass it).
    #[arg(long, hide = true)]
    pub all_clusters: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Profiles to check, each on its own (none: `mplp-profile.yaml` here if there is one,
    /// else the embedded default, said on stderr). `-` reads standard input; a directory,
    /// every `*.yaml` and `*.yml` file under it. With `-f`, each is an overlay checked
    /// layered over the `-f` files.
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// Layer these files into one profile and check it (like render's `-f`); with
    /// PROFILEs, check each PROFILE layered over them (overlays in context).
    #[arg(short = 'f', long = "file", value_name = "PROFILE")]
    pub files: Vec<String>,
    /// Override one field before checking (like render's `--set`).
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = crate::load::check_set)]
    pub sets: Vec<String>,
    /// The regions' Kubernetes version, e.g. `1.33` (like render's `--kube-version`).
    #[arg(long = "kube-version", value_name = "MAJOR.MINOR", value_parser = kube_version)]
    pub kube_version: Option<String>,
    /// Do not report this warning (repeatable), e.g. `--allow W0804`; `--strict` then
    /// fails only on the others.
    #[arg(long = "allow", value_name = "CODE", value_parser = crate::diagnostic::parse_allow)]
    pub allow: Vec<crate::diagnostic::Code>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Also render the profile and check every object against the CRDs in DIR
    /// (unknown fields are errors) and the Kubernetes 1.37 types.
    #[arg(long, value_name = "DIR")]
    pub crds: Option<std::path::PathBuf>,
}

/// Render output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// A YAML stream, documents separated by `---`, each after a `# Source:` line.
    Yaml,
    /// JSON Lines: one object per line, in stream order.
    Json,
}

/// Diagnostic output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The message, the source line with a caret, and help.
    Text,
    /// One line per diagnostic: `file:line:col: error[CODE] path: message`.
    Concise,
    /// A JSON array of objects with file, line, column, code, severity, path, message, help.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.
    Sarif,
    /// `JUnit` XML, for CI test reports: one test case per profile, a failure per error.
    Junit,
}

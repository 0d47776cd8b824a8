//! Rules over the whole typed profile: one file per area, one small function per rule.
//!
//! `load` has already checked shapes and types; these rules check meaning (names,
//! ranges, weights, bounds, operator constraints) and report every violation with the
//! position of the offending value. Each rule function reports one code, and its doc
//! line names the code and what it checks. Where a value failed to load, the rules ask
//! [`FailedPaths`] (recorded by `load`), never the YAML tree: the tree is only the source
//! map the `Reporter` looks positions up in. Everything here is a plain function of the
//! profile: nothing is read or written.
//!
//! - `strings`: every string's characters and length, and each string field's type
//!   (one table, [`strings::FIELDS`]);
//! - `names`: DNS labels and subdomains, and the profile's own names;
//! - `regions`: regions, the primary, weights and per-region overrides;
//! - `modules`: replicas, module metrics, HPA targets;
//! - `metrics`, `behavior`, `resources`: what modules, regions and defaults share;
//! - `vpa`: VPA bounds, modes, targets and conflicts with HPAs;
//! - `postgres`, `redis`: the database and the cache;
//! - `database`: the distributed database and the cache as the operators run them
//!   (instances, quality of service, switchover, backup schedule, PDBs, `maxmemory`);
//! - `platform`: the Istio traffic settings and the Argo CD Application;
//! - `delivery`: the regions' clusters and pinned revisions;
//! - `autoscaling`: metric sources for the adapter, queue targets, disruption budgets;
//! - `keda`: scaling to zero with KEDA;
//! - `target`: the target versions, and what they cannot serve.

mod autoscaling;
mod behavior;
mod database;
mod delivery;
mod keda;
mod metrics;
mod modules;
mod names;
mod platform;
mod postgres;
mod redis;
mod regions;
mod resources;
mod strings;

pub use strings::string_field_type;
mod switchover;
mod target;
mod vpa;

use crate::diagnostic::{Code, Diagnostic, FieldPath};
use crate::load::FailedPaths;
use crate::node::Node;
use crate::profile::Profile;

/// Check every rule; the diagnostics come back sorted by position.
#[must_use]
pub(crate) fn validate(profile: &Profile, tree: &Node, failed: &FailedPaths) -> Vec<Diagnostic> {
    let mut r = Reporter {
        tree,
        failed,
        out: Vec::new(),
    };
    if too_large(&mut r, profile) {
        return r.out;
    }
    strings::check(&mut r);
    names::check(&mut r, profile);
    regions::check(&mut r, profile);
    platform::check(&mut r, profile);
    delivery::check(&mut r, profile);
    modules::check(&mut r, profile);
    vpa::check(&mut r, profile);
    autoscaling::check(&mut r, profile);
    keda::check(&mut r, profile);
    target::check(&mut r, profile);
    postgres::check(&mut r, profile);
    if let Some(redis) = &profile.redis {
        redis::check(&mut r, redis);
    }
    database::check(&mut r, profile);
    switchover::check(&mut r, profile);
    // A string refused for its characters or length is not also reported by the rule of
    // its field (one problem, one diagnostic).
    let refused: Vec<FieldPath> = r
        .out
        .iter()
        .filter(|d| matches!(d.code, Code::ForbiddenCharacter | Code::ValueTooLong))
        .map(|d| d.path.clone())
        .collect();
    if !refused.is_empty() {
        r.out.retain(|d| {
            matches!(d.code, Code::ForbiddenCharacter | Code::ValueTooLong)
                || !refused.contains(&d.path)
        });
    }
    crate::diagnostic::sort(&mut r.out);
    r.out.dedup();
    r.out
}

/// The most regions a profile may have: the plan lists every region in each region's
/// values, so its size grows with the square of this (docs/profile.md).
pub(crate) const MAX_REGIONS: usize = 500;
/// The most modules a profile may have.
pub(crate) const MAX_MODULES: usize = 1000;
/// The most region × module pairs: each is an HPA, a PDB and maybe a VPA (the 100-region
/// × 200-module benchmark has 20,000).
pub(crate) const MAX_PAIRS: usize = 200_000;

/// E0002: a profile larger than the documented bounds; nothing else is checked, so a
/// huge profile ends in one clear error, not in minutes of work or an out-of-memory.
fn too_large(r: &mut Reporter, profile: &Profile) -> bool {
    let (regions, modules) = (profile.regions.len(), profile.modules.len());
    let root = FieldPath::root();
    let problem = if regions > MAX_REGIONS {
        Some((
            root.key("regions"),
            format!("the profile has {regions} regions, over the limit of {MAX_REGIONS}"),
        ))
    } else if modules > MAX_MODULES {
        Some((
            root.key("modules"),
            format!("the profile has {modules} modules, over the limit of {MAX_MODULES}"),
        ))
    } else if regions * modules > MAX_PAIRS {
        Some((
            root.key("modules"),
            format!(
                "{regions} regions × {modules} modules is {} pairs, over the limit of {MAX_PAIRS}",
                regions * modules
            ),
        ))
    } else {
        None
    };
    let Some((path, message)) = problem else {
        return false;
    };
    let d = r
        .at_value(Code::Budget, &path, message)
        .help("split the topology into several profiles (one per platform or per set of regions)");
    r.push(d);
    true
}

/// Collects the diagnostics of the rules, each placed at the position of its path.
struct Reporter<'a> {
    /// The merged tree, used only as the source map (field path → position).
    tree: &'a Node,
    failed: &'a FailedPaths,
    out: Vec<Diagnostic>,
}

impl Reporter<'_> {
    /// What failed to load (and was reported by `load`).
    fn failed(&self) -> &FailedPaths {
        self.failed
    }

    /// A diagnostic at the value of `path`, to complete (`.help(…)`) and [`push`](Self::push).
    fn at_value(&self, code: Code, path: &FieldPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, path.clone(), message).at(self.tree.span_of(path))
    }

    /// A diagnostic at the key of `path` (for names that are map keys).
    fn at_key(&self, code: Code, path: &FieldPath, message: impl Into<String>) -> Diagnostic {
        let span = self
            .tree
            .key_span_of(path)
            .unwrap_or_else(|| self.tree.span_of(path));
        Diagnostic::new(code, path.clone(), message).at(span)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    /// Report at the value of `path`, without help.
    fn report(&mut self, code: Code, path: &FieldPath, message: impl Into<String>) {
        self.push(self.at_value(code, path, message));
    }

    /// Report at the key of `path`, without help.
    fn report_key(&mut self, code: Code, path: &FieldPath, message: impl Into<String>) {
        self.push(self.at_key(code, path, message));
    }
}

/// A rule over one string: the code it reports, what a value that fails is not (the
/// message is "`VALUE` is not …", the value shortened) and whether a value passes.
struct Rule {
    code: Code,
    not_a: &'static str,
    ok: fn(&str) -> bool,
}

impl Rule {
    /// Report `value`, written at `path`, unless it passes.
    fn check(&self, r: &mut Reporter, value: &str, path: &FieldPath) {
        if !(self.ok)(value) {
            r.report(self.code, path, self.message(value));
        }
    }

    /// Report `value`, written as the key of `path`, unless it passes.
    fn check_key(&self, r: &mut Reporter, value: &str, path: &FieldPath) {
        if !(self.ok)(value) {
            r.report_key(self.code, path, self.message(value));
        }
    }

    fn message(&self, value: &str) -> String {
        format!("`{}` is not {}", crate::load::shorten(value), self.not_a)
    }
}

/// The rule tests: each area's tests build the profile they check from a small YAML
/// patch over a clean base profile (`profiles/minimal.yaml` plus a database and a cache).
#[cfg(test)]
mod test {
    use crate::load::{Input, load};

    /// A clean profile with every part the rules look at.
    pub(super) const BASE: &str = concat!(
        include_str!("../../profiles/minimal.yaml"),
        r#"
postgres:
  parameters: {max_connections: "200", shared_buffers: 256MB}
  resources:
    requests: {cpu: "2", memory: 4Gi}
    limits: {cpu: "2", memory: 4Gi}
  storage: {size: 10Gi, storageClass: fast-ssd}
  backup:
    destinationPath: s3://mplp-backups/postgresql
    credentialsSecret: backup-credentials
    retention: 30d
redis:
  name: redis-cluster
  clusterSize: 3
  image: quay.io/opstree/redis:v7.0.15
  exporter: {enabled: true, image: quay.io/opstree/redis-exporter:v1.44.0}
  storage: {size: 1Gi}
  config: {timeout: "300"}
"#
    );

    /// Lint [`BASE`] with `patch` layered over it (an RFC 7396 merge patch, so `key: null`
    /// removes a key); the concise diagnostics, positions in the patch (`p.yaml`).
    pub(super) fn lint(patch: &str) -> Vec<String> {
        let inputs = [
            Input::Text {
                name: "base.yaml".into(),
                text: BASE.into(),
            },
            Input::Text {
                name: "p.yaml".into(),
                text: patch.into(),
            },
        ];
        let loaded = crate::commands::check(&inputs, &[]).unwrap();
        loaded
            .diagnostics
            .iter()
            .map(|d| d.concise(&loaded.sources))
            .collect()
    }

    /// Assert that linting `patch` gives exactly one diagnostic, containing `expected`.
    pub(super) fn one(patch: &str, expected: &str) {
        each(patch, &[expected]);
    }

    /// Assert that linting `patch` gives one diagnostic per text of `expected`, in order
    /// (by position), each containing its text.
    pub(super) fn each(patch: &str, expected: &[&str]) {
        let out = lint(patch);
        assert!(
            out.len() == expected.len() && out.iter().zip(expected).all(|(d, e)| d.contains(e)),
            "expected diagnostics with {expected:#?}, found {out:#?}"
        );
    }

    /// Assert that linting `patch` gives `count` diagnostics, every one containing `expected`.
    pub(super) fn all(patch: &str, count: usize, expected: &str) {
        let out = lint(patch);
        assert!(
            out.len() == count && out.iter().all(|d| d.contains(expected)),
            "expected {count} diagnostics with `{expected}`, found {out:#?}"
        );
    }

    #[test]
    fn the_base_and_the_default_profile_are_clean() {
        assert_eq!(lint("{}"), Vec::<String>::new());
        let loaded = crate::commands::check(&[Input::Default], &[]).unwrap();
        assert_eq!(loaded.diagnostics, Vec::new());
        let loaded = load(&[Input::Default], &[]).unwrap();
        assert!(loaded.profile.is_some());
    }

    #[test]
    fn every_problem_in_one_run() {
        let out = lint(
            "regions: {eu-west-1: {weight: 45}}\nredis: {clusterSize: 1}\npostgres: {backup: {retention: \"30\"}}\n",
        );
        assert_eq!(out.len(), 3, "{out:#?}");
    }
}

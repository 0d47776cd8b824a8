//! Rules that make autoscaling work on a cluster: every custom metric has a source (or
//! no adapter serves it), queue metrics are not given a ratcheting `value` target,
//! series are Prometheus names (W0503, W0504, E0505), and no disruption budget blocks
//! every drain or gives both bounds (E1001, E1002).

use super::{Reporter, Rule};
use crate::diagnostic::{Code, FieldPath};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::effective::{
    ModuleField, effective_pdb_bounds, effective_replicas, origin, overridden_modules,
};
use crate::profile::{Backend, Metric, ObjectTarget, Pdb, Profile, Region};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    for (path, module, metrics) in written_metrics(profile) {
        // A list that lost an item while loading has shifted indices: its load error is
        // reported, and these rules wait until it reads whole.
        if r.failed().any_child(&path) {
            continue;
        }
        let backends = Backends::of(profile, module);
        for (i, metric) in metrics.iter().enumerate() {
            metric_source(r, profile, metric, backends, &path.index(i));
            queue_value_target(r, profile, metric, &path.index(i));
        }
    }
    series_name(r, profile);
    for (path, pdb) in written_pdbs(profile) {
        pdb_both_bounds(r, pdb, &path);
    }
    pdb_blocks_drain(r, profile);
}

/// Every place the profile lists metrics: `defaults`, each module, each region override;
/// with the module it is for (`None`: `defaults`, for every module without its own).
fn written_metrics(profile: &Profile) -> Vec<(FieldPath, Option<&str>, &[Metric])> {
    let root = FieldPath::root();
    let mut out = Vec::new();
    if let Some(metrics) = &profile.defaults.metrics {
        out.push((
            root.key("defaults").key("metrics"),
            None,
            metrics.as_slice(),
        ));
    }
    for (name, module) in &profile.modules {
        if let Some(metrics) = &module.metrics {
            let path = root.key("modules").key(name).key("metrics");
            out.push((path, Some(name.as_str()), metrics.as_slice()));
        }
    }
    for (region, r) in &profile.regions {
        for (name, over) in &r.modules {
            if let Some(metrics) = &over.metrics {
                let path = root.key("regions").key(region).key("modules").key(name);
                out.push((path.key("metrics"), Some(name.as_str()), metrics.as_slice()));
            }
        }
    }
    out
}

/// Which controllers read a list of metrics: the HPA controller (through the metrics
/// adapter) and KEDA (through its prometheus trigger).
#[derive(Clone, Copy)]
struct Backends {
    hpa: bool,
    keda: bool,
}

impl Backends {
    /// The backends of `module`, or (`None`) of every module `defaults.metrics` serves.
    fn of(profile: &Profile, module: Option<&str>) -> Self {
        let mut out = Self {
            hpa: false,
            keda: false,
        };
        let mut add = |name: &str| match crate::effective::backend(profile, name) {
            Backend::Hpa => out.hpa = true,
            Backend::Keda => out.keda = true,
        };
        match module {
            Some(name) => add(name),
            None => (profile.modules.iter())
                .filter(|(_, m)| m.metrics.is_none())
                .for_each(|(name, _)| add(name)),
        }
        out
    }
}

/// Every place the profile writes a disruption budget.
fn written_pdbs(profile: &Profile) -> Vec<(FieldPath, &Pdb)> {
    let root = FieldPath::root();
    let mut out = Vec::new();
    if let Some(pdb) = &profile.defaults.pdb {
        out.push((root.key("defaults").key("pdb"), pdb));
    }
    for (name, module) in &profile.modules {
        if let Some(pdb) = &module.pdb {
            out.push((root.key("modules").key(name).key("pdb"), pdb));
        }
    }
    for (region, r) in &profile.regions {
        for (name, over) in &r.modules {
            if let Some(pdb) = &over.pdb {
                let path = root.key("regions").key(region).key("modules").key(name);
                out.push((path.key("pdb"), pdb));
            }
        }
    }
    out
}

/// W0503: a custom metric that `metrics` gives no source for (not one whose source only
/// failed to load), said for the controllers that read it: no adapter rule serves it to
/// the HPA controller; KEDA's prometheus trigger queries the metric's own name as a gauge,
/// and an empty result is 0 to it (`ignoreNullValues`, true by default: kedacore/keda
/// `pkg/scalers/prometheus_scaler.go`), a counter its running total.
fn metric_source(
    r: &mut Reporter,
    profile: &Profile,
    metric: &Metric,
    backends: Backends,
    path: &FieldPath,
) {
    let (name, key, reason) = match metric {
        Metric::Resource { .. } => return,
        Metric::Pods { name, .. } => (name, "pods", "FailedGetPodsMetric"),
        Metric::Object { name, .. } => (name, "object", "FailedGetObjectMetric"),
    };
    let sources = FieldPath::root().key("metrics");
    if profile.metrics.contains_key(name)
        || r.failed().contains(&sources)
        || r.failed().contains(&sources.key(name))
    {
        return;
    }
    let hpa = format!(
        "no metrics-adapter rule serves it, so the HPA reports `{reason}` and, with a metric missing, never scales down"
    );
    let keda = format!(
        "KEDA queries the series `{name}` itself as a gauge: if there is no such series, it reads 0 and this metric never scales the module up; if `{name}` is a counter, it reads the running total and scales the module to its maximum"
    );
    let consequence = match (backends.hpa, backends.keda) {
        (false, true) => keda,
        (true, true) => format!("{hpa}; on modules on KEDA, {keda}"),
        _ => hpa,
    };
    let path = path.key(key);
    r.push(
        r.at_value(
            Code::MetricSource,
            &path,
            format!("custom metric `{name}` has no source in `metrics`: {consequence}"),
        )
        .help(format!(
            "add `metrics: {{{name}: {{series: SERIES, kind: counter}}}}` (or `kind: gauge`)"
        )),
    );
}

/// W0504: a `value` target on an Object metric that `metrics` marks as a queue or backlog.
fn queue_value_target(r: &mut Reporter, profile: &Profile, metric: &Metric, path: &FieldPath) {
    let Metric::Object {
        name,
        target: ObjectTarget::Value(target),
        ..
    } = metric
    else {
        return;
    };
    if !profile.metrics.get(name).is_some_and(|m| m.queue) {
        return;
    }
    let path = path.key("value");
    r.push(
        r.at_value(
            Code::QueueValueTarget,
            &path,
            format!(
                "queue metric `{name}` has a `value` target: the HPA proposes `ceil(value ÷ {target} × replicas)`, which compounds at every sync while the backlog drains"
            ),
        )
        .help(format!(
            "write `averageValue: \"{target}\"`: one pod per {target} queued items, `ceil(value ÷ {target})`"
        )),
    );
}

/// E0505: a metric name or series that is not a Prometheus metric name.
fn series_name(r: &mut Reporter, profile: &Profile) {
    const SERIES: Rule = Rule {
        code: Code::SeriesName,
        not_a: "a Prometheus metric name: expected letters, digits, `_` and `:`, not starting with a digit",
        ok: is_prometheus_name,
    };
    let root = FieldPath::root().key("metrics");
    for (name, source) in &profile.metrics {
        SERIES.check_key(r, name, &root.key(name));
        if let Some(series) = &source.series {
            SERIES.check(r, series, &root.key(name).key("series"));
        }
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
fn is_prometheus_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// E1002: a budget with both `minAvailable` and `maxUnavailable` (the API takes one).
fn pdb_both_bounds(r: &mut Reporter, pdb: &Pdb, path: &FieldPath) {
    if pdb.min_available.is_none() || pdb.max_unavailable.is_none() {
        return;
    }
    r.push(
        r.at_value(
            Code::PdbBothBounds,
            &path.key("maxUnavailable"),
            "`minAvailable` and `maxUnavailable` are both set: a `PodDisruptionBudget` takes one of them",
        )
        .help("keep `maxUnavailable` (it stays right when the HPA scales) and remove `minAvailable`"),
    );
}

/// E1001: a budget that lets no pod go when the HPA runs at its minimum (`minAvailable`
/// at or above the minimum, or `maxUnavailable` of 0): every node drain blocks.
///
/// Linear in the profile: a region that overrides nothing of a module has the module's
/// own verdict, computed once; per region only the modules it overrides
/// ([`overridden_modules`]) are looked at, unless some module's own budget blocks, which is
/// then reported in every region that keeps it. No effective module is built.
fn pdb_blocks_drain(r: &mut Reporter, profile: &Profile) {
    let neutral = Region::without_overrides();
    let any_blocked = profile
        .modules
        .keys()
        .any(|module| drain_verdict(profile, &neutral, module).is_some());
    let mut found = Blocked::default();
    let mut touched = Vec::new();
    for (region_name, region) in &profile.regions {
        touched.clear();
        if any_blocked {
            touched.extend(0..profile.modules.len());
        } else {
            touched.extend(overridden_modules(profile, region));
            touched.sort_unstable();
            touched.dedup();
        }
        for &i in &touched {
            let Some((module, _)) = profile.modules.get_index(i) else {
                continue;
            };
            if let Some((key, what, min)) = drain_verdict(profile, region, module)
                && let Some(path) = origin(profile, region, module, ModuleField::Pdb)
                    .and_then(|o| o.path(region_name, module, ModuleField::Pdb))
            {
                let message = format!(
                    "{what} lets no pod of `{module}` go at the HPA's minimum of `{min}`: every node drain blocks"
                );
                found.add(path.key(key), message, region_name);
            }
        }
    }
    for (path, message, regions) in found.entries {
        let regions: Vec<String> = regions.iter().map(|r| format!("`{r}`")).collect();
        r.push(
            r.at_value(
                Code::PdbBlocksDrain,
                &path,
                format!("{message} (in {})", regions.join(", ")),
            )
            .help("use `maxUnavailable: 1`, or keep `minAvailable` below the HPA's minimum"),
        );
    }
}

/// Whether a module's budget blocks every drain in a region: the bound's key, what it
/// says, and the HPA's minimum.
fn drain_verdict(
    profile: &Profile,
    region: &Region,
    module: &str,
) -> Option<(&'static str, String, i64)> {
    let min = effective_replicas(profile, region, module)?.min;
    match effective_pdb_bounds(profile, region, module)? {
        (Some(mu), _) if mu.of(min) <= 0 => {
            Some(("maxUnavailable", format!("`maxUnavailable` {mu}"), min))
        }
        (None, Some(ma)) if min - ma.of(min) <= 0 => {
            Some(("minAvailable", format!("`minAvailable` {ma}"), min))
        }
        _ => None,
    }
}

/// The budgets found blocking, each once with the regions it blocks in (in order).
#[derive(Default)]
struct Blocked<'a> {
    entries: Vec<(FieldPath, String, Vec<&'a str>)>,
    seen: HashMap<(FieldPath, String), usize>,
}

impl<'a> Blocked<'a> {
    fn add(&mut self, path: FieldPath, message: String, region: &'a str) {
        match self.seen.entry((path, message)) {
            Entry::Occupied(at) => self.entries[*at.get()].2.push(region),
            Entry::Vacant(slot) => {
                let (path, message) = slot.key().clone();
                slot.insert(self.entries.len());
                self.entries.push((path, message, vec![region]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{all, each, lint, one};

    /// A module with a Pods and an Object metric on custom series.
    const CUSTOM: &str = "modules:\n  context:\n    metrics:\n      - {pods: mplp_rps, averageValue: \"10\"}\n      - object: mplp_queue\n        describedObject: {kind: Service, name: mplp-queue}\n        value: \"100\"\n";

    #[test]
    fn a_metric_without_a_source() {
        each(
            CUSTOM,
            &[
                "p.yaml:4:16: warning[W0503] modules.context.metrics[0].pods: custom metric `mplp_rps` has no source in `metrics`: no metrics-adapter rule serves it, so the HPA reports `FailedGetPodsMetric`",
                "warning[W0503] modules.context.metrics[1].object: custom metric `mplp_queue` has no source",
            ],
        );
        // With sources, nothing to say; a source that failed to load is not reported twice.
        let sources =
            "metrics: {mplp_rps: {series: mplp_rps_total, kind: counter}, mplp_queue: {}}\n";
        assert_eq!(lint(&format!("{CUSTOM}{sources}")), Vec::<String>::new());
        one(
            &format!("{CUSTOM}metrics: {{mplp_rps: {{kind: sum}}, mplp_queue: {{}}}}\n"),
            "metrics.mplp_rps.kind",
        );
    }

    /// Said for the controller that reads the metric: KEDA reads an empty query as 0, a
    /// counter as its running total.
    #[test]
    fn a_metric_without_a_source_on_keda() {
        let keda = CUSTOM.replace("  context:\n", "  context:\n    backend: keda\n");
        each(
            &keda,
            &[
                "warning[W0503] modules.context.metrics[0].pods: custom metric `mplp_rps` has no source in `metrics`: KEDA queries the series `mplp_rps` itself as a gauge: if there is no such series, it reads 0 and this metric never scales the module up; if `mplp_rps` is a counter, it reads the running total and scales the module to its maximum",
                "warning[W0503] modules.context.metrics[1].object: custom metric `mplp_queue` has no source in `metrics`: KEDA queries",
            ],
        );
        // `defaults.metrics` serves modules on both: both are said.
        one(
            "defaults:\n  metrics: [{pods: mplp_rps, averageValue: \"10\"}]\nmodules: {plan: {replicas: {min: 2, max: 8}, backend: keda}}\n",
            "warning[W0503] defaults.metrics[0].pods: custom metric `mplp_rps` has no source in `metrics`: no metrics-adapter rule serves it, so the HPA reports `FailedGetPodsMetric` and, with a metric missing, never scales down; on modules on KEDA, KEDA queries",
        );
    }

    #[test]
    fn a_value_target_on_a_queue() {
        one(
            &format!("{CUSTOM}metrics: {{mplp_rps: {{}}, mplp_queue: {{queue: true}}}}\n"),
            "warning[W0504] modules.context.metrics[1].value: queue metric `mplp_queue` has a `value` target: the HPA proposes `ceil(value ÷ 100 × replicas)`",
        );
    }

    #[test]
    fn a_series_that_is_not_a_prometheus_name() {
        one(
            "metrics: {mplp_requests_per_second: {series: mplp-requests-total}}\n",
            "p.yaml:1:46: error[E0505] metrics.mplp_requests_per_second.series: `mplp-requests-total` is not a Prometheus metric name",
        );
        one(
            "metrics: {9lives: {}}\n",
            "p.yaml:1:11: error[E0505] metrics.9lives: `9lives` is not a Prometheus metric name",
        );
    }

    #[test]
    fn budgets_that_block_every_drain() {
        // core runs at min 2 in both regions, context at min 2: `minAvailable: 2` on
        // core blocks drains in both.
        one(
            "modules: {core: {pdb: {minAvailable: 2}}}\n",
            "error[E1001] modules.core.pdb.minAvailable: `minAvailable` 2 lets no pod of `core` go at the HPA's minimum of `2`: every node drain blocks (in `us-east-1`, `eu-west-1`)",
        );
        // Only where the region's minimum is reached: us-east-1 runs core at 3.
        one(
            "modules: {core: {pdb: {minAvailable: 2}}}\nregions: {us-east-1: {replicas: {min: 3, max: 10}}}\n",
            "(in `eu-west-1`)",
        );
        // Nothing allowed to go, written once in `defaults`: one per module.
        all(
            "defaults: {pdb: {maxUnavailable: 0}}\n",
            2,
            "error[E1001] defaults.pdb.maxUnavailable",
        );
        // A percentage rounds up: 10 % of 2 pods is 1, so drains go on.
        assert_eq!(
            lint("defaults: {pdb: {maxUnavailable: \"10%\"}}\n"),
            Vec::<String>::new()
        );
        // A region's override is reported where it is written.
        one(
            "regions: {eu-west-1: {modules: {context: {pdb: {maxUnavailable: 0}}}}}\n",
            "error[E1001] regions.eu-west-1.modules.context.pdb.maxUnavailable: `maxUnavailable` 0 lets no pod of `context` go",
        );
    }

    #[test]
    fn a_budget_with_both_bounds() {
        one(
            "defaults: {pdb: {maxUnavailable: 1, minAvailable: 1}}\n",
            "error[E1002] defaults.pdb.maxUnavailable: `minAvailable` and `maxUnavailable` are both set",
        );
    }
}

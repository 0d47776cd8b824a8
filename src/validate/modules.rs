//! Modules and their defaults: replica ranges (E0102, E0103), a metric for every module
//! (E0502), one HPA per Deployment (E0106); metrics and behavior go through their own rules.

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::effective::effective_module;
use crate::profile::{Backend, Profile, Region, Replicas};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let root = FieldPath::root();
    let defaults = root.key("defaults");
    if let Some(metrics) = &profile.defaults.metrics {
        super::metrics::check(r, metrics, &defaults.key("metrics"));
    }
    if let Some(behavior) = &profile.defaults.behavior {
        super::behavior::check(r, behavior, &defaults.key("behavior"));
    }
    for (name, module) in &profile.modules {
        let path = root.key("modules").key(name);
        replicas(
            r,
            module.replicas,
            &path.key("replicas"),
            floor(profile, name),
        );
        if let Some(metrics) = &module.metrics {
            super::metrics::check(r, metrics, &path.key("metrics"));
        }
        if let Some(behavior) = &module.behavior {
            super::behavior::check(r, behavior, &path.key("behavior"));
        }
        if let Some(given) = &module.deployment {
            super::names::subdomain(r, given, &path.key("deployment"), "deployment");
        }
        no_metrics(r, profile, name);
    }
    duplicate_target(r, profile);
}

/// Both replica rules, for a range written anywhere; `floor` is the lowest minimum
/// (see [`floor`]).
pub(super) fn replicas(r: &mut Reporter, replicas: Replicas, path: &FieldPath, floor: i64) {
    replicas_min(r, replicas, path, floor);
    replicas_max(r, replicas, path);
}

/// The lowest minimum of a module's range: 1 for an HPA, 0 for KEDA (which scales to
/// zero and back itself, keeping its HPA at 1 or more).
pub(super) fn floor(profile: &Profile, module: &str) -> i64 {
    let keda = profile.modules.contains_key(module)
        && crate::effective::backend(profile, module) == Backend::Keda;
    i64::from(!keda)
}

/// E0102: a replica minimum below 1 (below 0 for a module KEDA scales).
fn replicas_min(r: &mut Reporter, replicas: Replicas, path: &FieldPath, floor: i64) {
    if replicas.min < floor {
        let why = if floor == 0 {
            "a replica count is never negative"
        } else {
            "an HPA needs at least one replica (KEDA, `backend: keda`, scales to zero)"
        };
        let d = r
            .at_value(
                Code::ReplicasMin,
                &path.key("min"),
                format!("min (`{}`) is below {floor}: {why}", replicas.min),
            )
            .help(format!("set `min` to `{floor}` or more"));
        r.push(d);
    }
}

/// E0103: a replica maximum below the minimum, or above 100000.
fn replicas_max(r: &mut Reporter, replicas: Replicas, path: &FieldPath) {
    let path = path.key("max");
    if replicas.max < replicas.min {
        let d = r
            .at_value(
                Code::ReplicasMax,
                &path,
                format!("max (`{}`) is below min (`{}`)", replicas.max, replicas.min),
            )
            .help(format!("set `max` to at least `{}`", replicas.min.max(1)));
        r.push(d);
    } else if replicas.max > 100_000 {
        r.report(
            Code::ReplicasMax,
            &path,
            format!(
                "max (`{}`) is above 100000: expected a realistic replica count",
                replicas.max
            ),
        );
    }
}

/// E0502: a module without metrics of its own and without `defaults.metrics` (neither
/// written: one that failed to load was reported).
fn no_metrics(r: &mut Reporter, profile: &Profile, name: &str) {
    let root = FieldPath::root();
    let path = root.key("modules").key(name);
    let neutral = Region::without_overrides();
    let Some(base) = effective_module(profile, &neutral, name) else {
        return;
    };
    let written = |metrics: bool, at: FieldPath| metrics || r.failed().contains(&at);
    let module_metrics = profile
        .modules
        .get(name)
        .is_some_and(|m| m.metrics.is_some());
    if base.metrics.is_empty()
        && !written(
            profile.defaults.metrics.is_some(),
            root.key("defaults").key("metrics"),
        )
        && !written(module_metrics, path.key("metrics"))
    {
        let d = r
            .at_value(
                Code::Metrics,
                &path,
                format!("module `{name}` has no metrics and `defaults.metrics` is not set"),
            )
            .help(
                "add `metrics: [{resource: cpu, utilization: 70}]` to the module or to `defaults`",
            );
        r.push(d);
    }
}

/// E0106: two modules whose HPAs scale the same Deployment (the controller refuses both).
fn duplicate_target(r: &mut Reporter, profile: &Profile) {
    // Hashed: one look-up per module, not a scan of the modules before it.
    let mut owners: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for (name, module) in &profile.modules {
        let deployment = crate::effective::deployment_name(name, module.deployment.as_deref());
        let first = match owners.entry(deployment) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(name);
                continue;
            }
            std::collections::hash_map::Entry::Occupied(at) => *at.get(),
        };
        let deployment = crate::effective::deployment_name(name, module.deployment.as_deref());
        let path = FieldPath::root().key("modules").key(name);
        let at = if module.deployment.is_some() {
            path.key("deployment")
        } else {
            path
        };
        let d = r
            .at_value(
                Code::DuplicateTarget,
                &at,
                format!(
                    "modules `{first}` and `{name}` both scale `Deployment/{deployment}`: the HPA controller refuses both (AmbiguousSelector)"
                ),
            )
            .help(format!(
                "put all the metrics in one module: move `{name}`'s metrics into `modules.{first}.metrics` and remove `{name}`"
            ));
        r.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};

    #[test]
    fn replica_ranges() {
        assert_eq!(
            lint("modules: {context: {replicas: {min: 3, max: 2}}}\n"),
            vec![
                "p.yaml:1:45: error[E0103] modules.context.replicas.max: max (`2`) is below min (`3`)"
            ]
        );
        one(
            "modules: {context: {replicas: {min: 0, max: 5}}}\n",
            "error[E0102] modules.context.replicas.min: min (`0`) is below 1",
        );
        one(
            "regions: {eu-west-1: {replicas: {min: 16, max: 15}}}\n",
            "error[E0103] regions.eu-west-1.replicas.max",
        );
        one(
            "modules: {context: {replicas: {max: 100001}}}\n",
            "error[E0103] modules.context.replicas.max: max (`100001`) is above 100000",
        );
    }

    #[test]
    fn every_module_has_metrics() {
        one(
            "defaults: {metrics: null}\n",
            "error[E0502] modules.context: module `context` has no metrics and `defaults.metrics` is not set",
        );
        // Metrics that failed to load were reported; they are not missing.
        one(
            "defaults: {metrics: {resource: cpu}}\n",
            "error[E0004] defaults.metrics",
        );
    }

    #[test]
    fn one_hpa_per_deployment() {
        one(
            "modules: {core-extra: {deployment: mplp-core, replicas: {min: 1, max: 3}}}\n",
            "error[E0106] modules.core-extra.deployment: modules `core` and `core-extra` both scale `Deployment/mplp-core`",
        );
    }
}

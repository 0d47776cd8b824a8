//! Regions: at least one, exactly one primary, weights from 0 to 100 that add up to 100,
//! and what each region overrides (E0104, E0201, E0202, and the shared rules of what it
//! sets).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::effective::CORE_MODULE;
use crate::profile::{Profile, Region};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    if no_regions(r, profile) {
        return;
    }
    for (name, region) in &profile.regions {
        let path = FieldPath::root().key("regions").key(name);
        weight_range(r, region, &path);
        core_range_without_core(r, profile, name, region, &path);
        overrides(r, profile, name, region, &path);
    }
    // A region that failed to load was reported already; counting primaries or adding
    // weights without it would only add a misleading second error.
    if r.failed().any_child(&FieldPath::root().key("regions")) {
        return;
    }
    primary_region(r, profile);
    second_primary(r, profile);
    weights_sum(r, profile);
}

/// E0201: `regions` is empty (and not because its regions failed to load). True if so.
fn no_regions(r: &mut Reporter, profile: &Profile) -> bool {
    let path = FieldPath::root().key("regions");
    if !profile.regions.is_empty() || r.failed().any_child(&path) {
        return false;
    }
    r.report(
        Code::PrimaryRegion,
        &path,
        "no regions: expected at least one, exactly one of them `primary: true`",
    );
    true
}

/// E0201: no region is `primary: true`.
fn primary_region(r: &mut Reporter, profile: &Profile) {
    if profile.regions.values().any(|region| region.primary) {
        return;
    }
    // A `primary` that did not load (`primary: "yes"`) was reported where it was
    // written: "no primary region" would only be its echo.
    let regions = FieldPath::root().key("regions");
    if profile
        .regions
        .keys()
        .any(|name| r.failed().contains(&regions.key(name).key("primary")))
    {
        return;
    }
    let Some(first) = profile.regions.keys().next() else {
        return;
    };
    let d = r
        .at_value(
            Code::PrimaryRegion,
            &FieldPath::root().key("regions"),
            "no primary region: expected exactly one region with `primary: true`",
        )
        .help(format!(
            "add `primary: true` to the region that holds the primary database, e.g. `{first}`"
        ));
    r.push(d);
}

/// E0201: a second (third, …) region with `primary: true`.
fn second_primary(r: &mut Reporter, profile: &Profile) {
    let mut primaries = profile.regions.iter().filter(|(_, region)| region.primary);
    let Some((first, _)) = primaries.next() else {
        return;
    };
    for (name, _) in primaries {
        r.report(
            Code::PrimaryRegion,
            &FieldPath::root().key("regions").key(name).key("primary"),
            format!(
                "region `{name}` is a second primary region (`{first}` is one already): expected exactly one"
            ),
        );
    }
}

/// E0202: a weight outside 0 to 100.
fn weight_range(r: &mut Reporter, region: &Region, path: &FieldPath) {
    if !(0..=100).contains(&region.weight) {
        r.report(
            Code::Weights,
            &path.key("weight"),
            format!(
                "weight `{}` is out of range: expected an integer from 0 to 100",
                region.weight
            ),
        );
    }
}

/// E0202: weights (each from 0 to 100) that do not add up to 100.
fn weights_sum(r: &mut Reporter, profile: &Profile) {
    let weights = || profile.regions.values().map(|region| region.weight);
    let sum: i64 = weights().fold(0, i64::saturating_add);
    if sum == 100 || !weights().all(|w| (0..=100).contains(&w)) {
        return;
    }
    let listed: Vec<String> = profile
        .regions
        .iter()
        .map(|(n, region)| format!("{n} {}", region.weight))
        .collect();
    // Where the sum changed last: a weight a later layer (`-f`, `--set`) wrote, when one
    // did (the latest), else the `regions` map itself.
    let regions = FieldPath::root().key("regions");
    let base = r.tree.span_of(&regions).file;
    let latest = (profile.regions.keys())
        .map(|name| regions.key(name).key("weight"))
        .map(|path| (r.tree.span_of(&path).file, path))
        .filter(|(file, _)| *file > base)
        .max_by_key(|(file, _)| *file);
    let mut d = r.at_value(
        Code::Weights,
        latest.as_ref().map_or(&regions, |(_, path)| path),
        format!(
            "region weights add up to `{sum}` ({}): expected 100",
            listed.join(" + ")
        ),
    );
    // The last region that can take the difference and keep a share: a region just added
    // (usually last) is never told to take weight 0 (issue 14, item 10).
    let fix = profile.regions.iter().rev().find_map(|(name, region)| {
        let fixed = region.weight + 100 - sum;
        (1..=100).contains(&fixed).then_some((name, fixed))
    });
    if let Some((name, fixed)) = fix {
        d = d.help(format!("set `regions.{name}.weight` to `{fixed}`"));
    }
    r.push(d);
}

/// Whether `modules` defines `module` (counting one that failed to load: it was reported).
fn defined(r: &Reporter, profile: &Profile, module: &str) -> bool {
    profile.modules.contains_key(module)
        || r.failed()
            .contains(&FieldPath::root().key("modules").key(module))
}

/// E0104: a region's `replicas` (the core module's range) without a core module.
fn core_range_without_core(
    r: &mut Reporter,
    profile: &Profile,
    name: &str,
    region: &Region,
    path: &FieldPath,
) {
    if region.replicas.is_some() && !defined(r, profile, CORE_MODULE) {
        r.report(
            Code::UnknownModule,
            &path.key("replicas"),
            format!(
                "`regions.{name}.replicas` sets the range of module `{CORE_MODULE}`, which `modules` does not define"
            ),
        );
    }
}

/// E0104: a region override of a module `modules` does not define.
fn unknown_module(
    r: &mut Reporter,
    profile: &Profile,
    region: &str,
    module: &str,
    path: &FieldPath,
) -> bool {
    if defined(r, profile, module) {
        return false;
    }
    let names: Vec<&str> = profile.modules.keys().map(String::as_str).collect();
    let mut d = r.at_key(
        Code::UnknownModule,
        path,
        format!("region `{region}` overrides module `{module}`, which `modules` does not define"),
    );
    if let Some(best) = crate::load::did_you_mean(module, &names) {
        d = d.help(format!("did you mean `{best}`?"));
    }
    r.push(d);
    true
}

/// What a region sets runs through the rules of the same fields elsewhere.
fn overrides(r: &mut Reporter, profile: &Profile, name: &str, region: &Region, path: &FieldPath) {
    if let Some(replicas) = region.replicas {
        let floor = super::modules::floor(profile, crate::effective::CORE_MODULE);
        super::modules::replicas(r, replicas, &path.key("replicas"), floor);
    }
    if let Some(resources) = &region.resources {
        super::resources::check(r, resources, &path.key("resources"));
    }
    if let Some(instances) = region.postgres.as_ref().and_then(|p| p.instances) {
        super::postgres::instances(r, instances, &path.key("postgres").key("instances"));
    }
    for (module, over) in &region.modules {
        let mpath = path.key("modules").key(module);
        if unknown_module(r, profile, name, module, &mpath) {
            continue;
        }
        if let Some(replicas) = over.replicas {
            let floor = super::modules::floor(profile, module);
            super::modules::replicas(r, replicas, &mpath.key("replicas"), floor);
        }
        if let Some(metrics) = &over.metrics {
            super::metrics::check(r, metrics, &mpath.key("metrics"));
        }
        if let Some(behavior) = &over.behavior {
            super::behavior::check(r, behavior, &mpath.key("behavior"));
        }
        if let Some(vpa) = &over.vpa {
            super::vpa::bounds_and_mode(r, vpa, &mpath.key("vpa"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};

    #[test]
    fn a_primary_that_did_not_load_is_one_diagnostic() {
        one(
            "regions: {us-east-1: {primary: \"yes\"}}\n",
            "error[E0004] regions.us-east-1.primary",
        );
    }

    #[test]
    fn no_primary_region() {
        one(
            "regions: {us-east-1: {primary: false}}\n",
            "error[E0201] regions: no primary region",
        );
    }

    #[test]
    fn two_primary_regions() {
        one(
            "regions: {eu-west-1: {primary: true}}\n",
            "p.yaml:1:32: error[E0201] regions.eu-west-1.primary: region `eu-west-1` is a second primary region (`us-east-1` is one already)",
        );
    }

    #[test]
    fn no_regions_at_all() {
        one(
            "regions: {us-east-1: null, eu-west-1: null}\n",
            "error[E0201] regions: no regions",
        );
        // Regions that only failed to load are not missing: their error is enough.
        one(
            "regions: {us-east-1: [], eu-west-1: null}\n",
            "error[E0004]",
        );
    }

    #[test]
    fn weights_add_up_to_100() {
        let out = lint("regions: {eu-west-1: {weight: 45}}\n");
        assert_eq!(
            out,
            vec![
                // At the weight the later layer wrote: what changed the sum.
                "p.yaml:1:31: error[E0202] regions.eu-west-1.weight: region weights add up to `105` (us-east-1 60 + eu-west-1 45): expected 100"
            ]
        );
        one(
            "regions: {eu-west-1: {weight: -40}}\n",
            "p.yaml:1:31: error[E0202] regions.eu-west-1.weight: weight `-40` is out of range",
        );
    }

    #[test]
    fn overrides_must_name_modules() {
        one(
            "regions: {eu-west-1: {modules: {contxet: {replicas: {min: 1, max: 2}}}}}\n",
            "error[E0104] regions.eu-west-1.modules.contxet: region `eu-west-1` overrides module `contxet`",
        );
        let out = lint("modules: {core: null}\n");
        assert!(
            out.len() == 2
                && out[0].contains("error[E0104] regions.us-east-1.replicas: `regions.us-east-1.replicas` sets the range of module `core`"),
            "{out:#?}"
        );
    }
}

//! The VPAs of modules (and, through `postgres`, of the database): bounds
//! (E0601, E0301), the deprecated `Auto` mode (W0604), targets (E0605), and VPAs that
//! fight their module's HPA (E0602, W0603).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::effective::{EffectiveModule, ModuleField, effective_module, vpa_acts};
use crate::profile::{DescribedObject, Metric, Profile, Region, ResourceName, UpdateMode, Vpa};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    for (name, module) in &profile.modules {
        if let Some(vpa) = &module.vpa {
            bounds_and_mode(
                r,
                vpa,
                &FieldPath::root().key("modules").key(name).key("vpa"),
            );
        }
    }
    module_vpa_target(r, profile);
    let conflicts = conflicts(profile);
    vpa_hpa_conflict(r, profile, &conflicts);
    vpa_hpa_initial(r, profile, &conflicts);
}

/// The rules of a VPA on its own, wherever it is written.
pub(super) fn bounds_and_mode(r: &mut Reporter, vpa: &Vpa, path: &FieldPath) {
    auto_deprecated(r, vpa, path);
    min_above_max(r, vpa, path);
    negative_bound(r, vpa, path);
}

/// W0604: `updateMode: Auto`, deprecated since VPA 1.5.
fn auto_deprecated(r: &mut Reporter, vpa: &Vpa, path: &FieldPath) {
    if vpa.update_mode == UpdateMode::Auto {
        let d = r
            .at_value(
                Code::VpaAutoDeprecated,
                &path.key("updateMode"),
                "updateMode `Auto` is deprecated since VPA 1.5",
            )
            .help(
                "use `Recreate` (what `Auto` does today), `InPlaceOrRecreate`, `Initial` or `Off`",
            );
        r.push(d);
    }
}

/// E0601: a `minAllowed` above its `maxAllowed`.
fn min_above_max(r: &mut Reporter, vpa: &Vpa, path: &FieldPath) {
    for name in [ResourceName::Cpu, ResourceName::Memory] {
        let (Some(lo), Some(hi)) = (vpa.min_allowed.get(name), vpa.max_allowed.get(name)) else {
            continue;
        };
        if lo.value() > hi.value() {
            r.report(
                Code::VpaBounds,
                &path.key("minAllowed").key(name.as_str()),
                format!(
                    "minAllowed {} `{lo}` is above maxAllowed `{hi}`",
                    name.as_str()
                ),
            );
        }
    }
}

/// E0301: a negative `minAllowed` or `maxAllowed`.
fn negative_bound(r: &mut Reporter, vpa: &Vpa, path: &FieldPath) {
    for (section, list) in [
        ("minAllowed", &vpa.min_allowed),
        ("maxAllowed", &vpa.max_allowed),
    ] {
        for (name, q) in list.entries() {
            if q.value() < 0.0 {
                r.report(
                    Code::InvalidQuantity,
                    &path.key(section).key(name.as_str()),
                    format!("`{q}` is negative"),
                );
            }
        }
    }
}

/// E0605: a module VPA whose `targetRef` is not the module's Deployment.
fn module_vpa_target(r: &mut Reporter, profile: &Profile) {
    let root = FieldPath::root();
    for (name, module) in &profile.modules {
        let deployment = crate::effective::deployment_name(name, module.deployment.as_deref());
        // Paths are built only for the VPAs there are (regions × modules can be 20,000).
        let vpas = std::iter::once((None, module.vpa.as_ref())).chain(profile.regions.iter().map(
            |(r, region)| {
                (
                    Some(r),
                    region.modules.get(name).and_then(|o| o.vpa.as_ref()),
                )
            },
        ));
        for (in_region, vpa) in vpas {
            let Some(target) = vpa.and_then(|vpa| vpa.target_ref.as_ref()) else {
                continue;
            };
            if is_target(target, ("apps/v1", "Deployment", &deployment)) {
                continue;
            }
            let vpa_path = match in_region {
                None => root.key("modules").key(name).key("vpa"),
                Some(region) => region_vpa_path(region, name),
            };
            let message = format!(
                "the VPA of `{name}` targets {}, but the module's workload is `apps/v1/Deployment` `{deployment}`",
                target_text(target)
            );
            let d = r
                .at_value(Code::VpaTarget, &vpa_path.key("targetRef"), message)
                .help("remove `targetRef`: mplp-scale targets the module's Deployment");
            r.push(d);
        }
    }
}

/// Whether `target` is the object `(apiVersion, kind, name)`.
pub(super) fn is_target(
    target: &DescribedObject,
    (api_version, kind, name): (&str, &str, &str),
) -> bool {
    target.api_version == api_version && target.kind == kind && target.name == name
}

/// A `targetRef` as messages name it: `` `apiVersion/kind` `name` ``.
pub(super) fn target_text(target: &DescribedObject) -> String {
    format!("`{}/{}` `{}`", target.api_version, target.kind, target.name)
}

fn region_vpa_path(region: &str, module: &str) -> FieldPath {
    FieldPath::root()
        .key("regions")
        .key(region)
        .key("modules")
        .key(module)
        .key("vpa")
}

/// A VPA that fights an HPA: where the VPA was written, the module, its mode, the
/// resources both act on, and the regions where it happens.
struct Conflict<'a> {
    vpa_path: FieldPath,
    module: &'a str,
    mode: UpdateMode,
    resources: Vec<&'static str>,
    regions: Vec<&'a str>,
}

impl Conflict<'_> {
    /// What the conflict is and where, for both codes.
    fn message(&self, profile: &Profile) -> String {
        let regions = &self.regions;
        let where_ = if regions.len() == profile.regions.len() && regions.len() > 1 {
            "in every region".to_owned()
        } else if regions.len() == 1 {
            format!("in region {}", regions[0])
        } else {
            format!("in regions {}", regions.join(", "))
        };
        format!(
            "the VPA of `{}` ({}) controls {} that its HPA scales on, {where_}",
            self.module,
            self.mode.as_str(),
            self.resources.join(" and "),
        )
    }
}

const CONFLICT_HELP: &str = "set `updateMode: \"Off\"` (recommendations only), or limit `controlledResources` to resources the HPA does not scale on";

/// E0602: a VPA that acts (`Recreate`, `InPlaceOrRecreate`, `Auto`) on what its HPA scales on.
fn vpa_hpa_conflict(r: &mut Reporter, profile: &Profile, conflicts: &[Conflict]) {
    for conflict in conflicts.iter().filter(|c| vpa_acts(c.mode)) {
        let d = r
            .at_value(
                Code::VpaHpaConflict,
                &conflict.vpa_path.key("updateMode"),
                conflict.message(profile),
            )
            .help(CONFLICT_HELP);
        r.push(d);
    }
}

/// W0603: a VPA in `Initial` mode on what its HPA scales on.
fn vpa_hpa_initial(r: &mut Reporter, profile: &Profile, conflicts: &[Conflict]) {
    for conflict in conflicts.iter().filter(|c| !vpa_acts(c.mode)) {
        let d = r
            .at_value(
                Code::VpaHpaInitial,
                &conflict.vpa_path.key("updateMode"),
                format!(
                    "{}: new pods start with the VPA's requests, which moves the HPA's utilization",
                    conflict.message(profile)
                ),
            )
            .help(CONFLICT_HELP);
        r.push(d);
    }
}

/// Per region, the VPAs that change pods on what their HPA scales on. A conflict is
/// reported once where the VPA was written, naming the regions. A region without an
/// override for a module is the module's own case, computed once.
fn conflicts(profile: &Profile) -> Vec<Conflict<'_>> {
    let neutral = Region::without_overrides();
    let mut conflicts: Vec<Conflict<'_>> = Vec::new();
    for module_name in profile.modules.keys() {
        let Some(base) = effective_module(profile, &neutral, module_name) else {
            continue;
        };
        let module_vpa = FieldPath::root().key("modules").key(module_name).key("vpa");
        let base_clash = clash(&base);
        for (region_name, region) in &profile.regions {
            let (vpa_path, found) = if crate::effective::overridden(region, module_name) {
                let Some(module) = effective_module(profile, region, module_name) else {
                    continue;
                };
                let path = module
                    .origins
                    .vpa
                    .path(region_name, module_name, ModuleField::Vpa)
                    .unwrap_or_else(|| module_vpa.clone());
                (path, clash(&module))
            } else {
                match &base_clash {
                    Some(found) => (module_vpa.clone(), Some(found.clone())),
                    None => continue,
                }
            };
            let Some((mode, resources)) = found else {
                continue;
            };
            match conflicts
                .iter_mut()
                .find(|c| c.vpa_path == vpa_path && c.resources == resources)
            {
                Some(existing) => existing.regions.push(region_name),
                None => conflicts.push(Conflict {
                    vpa_path,
                    module: module_name,
                    mode,
                    resources,
                    regions: vec![region_name],
                }),
            }
        }
    }
    conflicts
}

/// A VPA that changes pods (not `Off`) on resources its HPA scales on: its mode and
/// those resources.
fn clash(module: &EffectiveModule<'_>) -> Option<(UpdateMode, Vec<&'static str>)> {
    let vpa = module.vpa?;
    if vpa.update_mode == UpdateMode::Off {
        return None;
    }
    let scaled: Vec<ResourceName> = module
        .metrics
        .iter()
        .filter_map(|m| match m {
            Metric::Resource { name, .. } => Some(*name),
            _ => None,
        })
        .collect();
    let resources: Vec<&'static str> = vpa
        .controlled()
        .into_iter()
        .filter(|r| scaled.contains(r))
        .map(ResourceName::as_str)
        .collect();
    (!resources.is_empty()).then_some((vpa.update_mode, resources))
}

#[cfg(test)]
mod tests {
    use super::super::test::{each, lint, one};

    #[test]
    fn auto_is_deprecated_and_fights_the_hpa() {
        each(
            "modules: {core: {vpa: {updateMode: Auto}}}\n",
            &[
                "error[E0602] modules.core.vpa.updateMode: the VPA of `core` (Auto) controls cpu that its HPA scales on, in every region",
                "warning[W0604] modules.core.vpa.updateMode",
            ],
        );
    }

    #[test]
    fn initial_warns_and_controlled_resources_count() {
        one(
            "modules: {core: {vpa: {updateMode: Initial}}}\n",
            "warning[W0603] modules.core.vpa.updateMode",
        );
        // The core module scales on cpu only: a VPA on memory does not fight it.
        assert_eq!(
            lint("modules: {core: {vpa: {updateMode: Recreate, controlledResources: [memory]}}}\n"),
            Vec::<String>::new()
        );
        one(
            "regions: {eu-west-1: {modules: {core: {vpa: {updateMode: Recreate}}}}}\n",
            "error[E0602] regions.eu-west-1.modules.core.vpa.updateMode: the VPA of `core` (Recreate) controls cpu that its HPA scales on, in region eu-west-1",
        );
    }

    #[test]
    fn bounds() {
        one(
            "modules: {core: {vpa: {maxAllowed: {cpu: 10m}}}}\n",
            "error[E0601] modules.core.vpa.minAllowed.cpu: minAllowed cpu `100m` is above maxAllowed `10m`",
        );
    }

    #[test]
    fn module_vpas_target_the_module_deployment() {
        one(
            "modules: {core: {vpa: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: other}}}}\n",
            "error[E0605] modules.core.vpa.targetRef",
        );
        assert_eq!(
            lint(
                "modules: {core: {vpa: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: mplp-core}}}}\n"
            ),
            Vec::<String>::new()
        );
    }
}

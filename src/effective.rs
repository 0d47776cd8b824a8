//! Effective values: what a module's settings are in one region, once defaults, the
//! module's own settings, the region's range and the region's overrides are layered.
//!
//! Below both `validate` and `plan` (and used by `load` for W0009, `explain` and
//! `simulate`), so that the rules check exactly what is rendered. This is the one place
//! that says which region fields override which module fields: each overridable field
//! is picked here from its layers, strongest first, together with the [`Origin`] of the
//! value, and every consumer (the `--set` warning W0009, the rules that say where a value
//! was written, planning's shared bodies) asks these values rather than the profile.

use crate::diagnostic::FieldPath;
use crate::profile::{
    Backend, Behavior, IntOrPercent, Metric, Module, ModuleOverride, Pdb, Profile, Region,
    Replicas, ScalingRules, UpdateMode, Vpa,
};

/// The effective settings of one module in one region.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EffectiveModule<'a> {
    pub name: &'a str,
    /// The Deployment the module's HPA scales.
    pub deployment: String,
    pub replicas: Replicas,
    pub metrics: &'a [Metric],
    pub behavior: Option<Behavior>,
    pub vpa: Option<&'a Vpa>,
    /// Which controller scales it (the same in every region).
    pub backend: Backend,
    /// Where each overridable field's value was written.
    pub origins: Origins,
}

/// The module fields a region may override (`regions.<r>.modules.<m>.<field>`: the
/// fields of `ModuleOverride`, a test holds the two together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModuleField {
    Replicas,
    Metrics,
    Behavior,
    Vpa,
    Pdb,
}

impl ModuleField {
    /// Every overridable field, in `ModuleOverride`'s order.
    pub(crate) const ALL: [ModuleField; 5] = [
        ModuleField::Replicas,
        ModuleField::Metrics,
        ModuleField::Behavior,
        ModuleField::Vpa,
        ModuleField::Pdb,
    ];

    /// The field's key in the profile.
    #[must_use]
    pub(crate) fn key(self) -> &'static str {
        match self {
            ModuleField::Replicas => "replicas",
            ModuleField::Metrics => "metrics",
            ModuleField::Behavior => "behavior",
            ModuleField::Vpa => "vpa",
            ModuleField::Pdb => "pdb",
        }
    }

    /// The field a profile key names (`None`: a module field no region overrides).
    #[must_use]
    pub(crate) fn from_key(key: &str) -> Option<ModuleField> {
        ModuleField::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// Where an effective value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The region's override, `regions.<r>.modules.<m>.<field>`.
    Region,
    /// The region's core range, `regions.<r>.replicas` (the `core` module's `replicas`).
    RegionRange,
    /// The module, `modules.<m>.<field>`.
    Module,
    /// `defaults.<field>`.
    Defaults,
    /// Nothing written: the built-in default (no metrics, the API server's behavior, no
    /// VPA, a budget of `maxUnavailable: 1`).
    BuiltIn,
}

impl Origin {
    /// Whether the region wrote the value (so a change to the module's changes nothing
    /// there).
    #[must_use]
    pub(crate) fn in_region(self) -> bool {
        matches!(self, Origin::Region | Origin::RegionRange)
    }

    /// The field path of the place that wrote `field` of `module` in `region` (`None`
    /// for the built-in default).
    #[must_use]
    pub(crate) fn path(self, region: &str, module: &str, field: ModuleField) -> Option<FieldPath> {
        let root = FieldPath::root();
        Some(match self {
            Origin::Region => root
                .key("regions")
                .key(region)
                .key("modules")
                .key(module)
                .key(field.key()),
            Origin::RegionRange => root.key("regions").key(region).key("replicas"),
            Origin::Module => root.key("modules").key(module).key(field.key()),
            Origin::Defaults => root.key("defaults").key(field.key()),
            Origin::BuiltIn => return None,
        })
    }
}

/// The [`Origin`] of each overridable field of an [`EffectiveModule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origins {
    pub replicas: Origin,
    pub metrics: Origin,
    /// Of the behavior the region or the module wrote (a direction it leaves out comes
    /// from `defaults`); `Defaults` when neither wrote one.
    pub behavior: Origin,
    pub vpa: Origin,
    /// Of the disruption budget ([`effective_pdb`]).
    pub pdb: Origin,
}

/// A module's settings in a region: region override, then (for `core`) the region's
/// range, then the module, then `defaults`.
#[must_use]
pub(crate) fn effective_module<'a>(
    profile: &'a Profile,
    region: &'a Region,
    name: &'a str,
) -> Option<EffectiveModule<'a>> {
    let module = profile.modules.get(name)?;
    let over = region.modules.get(name);
    let (replicas, replicas_from) = replicas_of(module, region, over, name);
    let (metrics, metrics_from) = metrics_of(profile, module, over);
    let (written, behavior_from) = behavior_of(profile, module, over);
    let (vpa, vpa_from) = vpa_of(module, over);
    let (_, pdb_from) = pdb_of(profile, module, over);
    Some(EffectiveModule {
        name,
        deployment: deployment_name(name, module.deployment.as_deref()),
        replicas,
        metrics,
        behavior: merge_behavior(profile.defaults.behavior.as_ref(), written),
        vpa,
        backend: backend(profile, name),
        origins: Origins {
            replicas: replicas_from,
            metrics: metrics_from,
            behavior: behavior_from,
            vpa: vpa_from,
            pdb: pdb_from,
        },
    })
}

/// Where one field of a module in a region was written, without building the effective
/// module: `None` for a module the profile does not have.
#[must_use]
pub(crate) fn origin(
    profile: &Profile,
    region: &Region,
    name: &str,
    field: ModuleField,
) -> Option<Origin> {
    let module = profile.modules.get(name)?;
    let over = region.modules.get(name);
    Some(match field {
        ModuleField::Replicas => replicas_of(module, region, over, name).1,
        ModuleField::Metrics => metrics_of(profile, module, over).1,
        ModuleField::Behavior => behavior_of(profile, module, over).1,
        ModuleField::Vpa => vpa_of(module, over).1,
        ModuleField::Pdb => pdb_of(profile, module, over).1,
    })
}

/// Where every region writes `field` of `module` itself, the path of that place in the
/// first region (`like regions.<first>.modules.<m>.<f>`): then the module's own value, and
/// `defaults`', change nothing that is rendered (W0009). `None` when some region takes
/// it from the module or below, or there is no region.
#[must_use]
pub(crate) fn overridden_everywhere(
    profile: &Profile,
    module: &str,
    field: ModuleField,
) -> Option<FieldPath> {
    let mut first = None;
    for (name, region) in &profile.regions {
        let from = origin(profile, region, module, field)?;
        if !from.in_region() {
            return None;
        }
        if first.is_none() {
            first = from.path(name, module, field);
        }
    }
    first
}

/// The first value written among `layers` (strongest first), with where it was written.
fn first<T>(layers: impl IntoIterator<Item = (Origin, Option<T>)>) -> Option<(T, Origin)> {
    layers
        .into_iter()
        .find_map(|(origin, value)| value.map(|v| (v, origin)))
}

/// The core's range a region sets (`regions.<r>.replicas`), for the module it applies to.
fn region_range(region: &Region, name: &str) -> Option<Replicas> {
    if name == CORE_MODULE {
        region.replicas
    } else {
        None
    }
}

fn replicas_of(
    module: &Module,
    region: &Region,
    over: Option<&ModuleOverride>,
    name: &str,
) -> (Replicas, Origin) {
    first([
        (Origin::Region, over.and_then(|o| o.replicas)),
        (Origin::RegionRange, region_range(region, name)),
    ])
    .unwrap_or((module.replicas, Origin::Module))
}

fn metrics_of<'a>(
    profile: &'a Profile,
    module: &'a Module,
    over: Option<&'a ModuleOverride>,
) -> (&'a [Metric], Origin) {
    first([
        (Origin::Region, over.and_then(|o| o.metrics.as_deref())),
        (Origin::Module, module.metrics.as_deref()),
        (Origin::Defaults, profile.defaults.metrics.as_deref()),
    ])
    .unwrap_or((&[], Origin::BuiltIn))
}

/// The behavior the region or the module wrote (`None`: neither), and where a module's
/// behavior comes from; `defaults` fills the directions it leaves out.
fn behavior_of<'a>(
    profile: &Profile,
    module: &'a Module,
    over: Option<&'a ModuleOverride>,
) -> (Option<&'a Behavior>, Origin) {
    match first([
        (Origin::Region, over.and_then(|o| o.behavior.as_ref())),
        (Origin::Module, module.behavior.as_ref()),
    ]) {
        Some((behavior, origin)) => (Some(behavior), origin),
        None if profile.defaults.behavior.is_some() => (None, Origin::Defaults),
        None => (None, Origin::BuiltIn),
    }
}

fn vpa_of<'a>(module: &'a Module, over: Option<&'a ModuleOverride>) -> (Option<&'a Vpa>, Origin) {
    first([
        (Origin::Region, over.and_then(|o| o.vpa.as_ref())),
        (Origin::Module, module.vpa.as_ref()),
    ])
    .map_or((None, Origin::BuiltIn), |(vpa, origin)| (Some(vpa), origin))
}

/// The budget written for a module (`None`: the built-in one) and where.
fn pdb_of<'a>(
    profile: &'a Profile,
    module: &'a Module,
    over: Option<&'a ModuleOverride>,
) -> (Option<&'a Pdb>, Origin) {
    first([
        (Origin::Region, over.and_then(|o| o.pdb.as_ref())),
        (Origin::Module, module.pdb.as_ref()),
        (Origin::Defaults, profile.defaults.pdb.as_ref()),
    ])
    .map_or((None, Origin::BuiltIn), |(pdb, origin)| (Some(pdb), origin))
}

/// Which controller scales a module: its `backend`, or `autoscaling.backend`.
#[must_use]
pub(crate) fn backend(profile: &Profile, module: &str) -> Backend {
    profile
        .modules
        .get(module)
        .and_then(|m| m.backend)
        .unwrap_or(profile.autoscaling.backend)
}

/// The module whose range `regions.<r>.replicas` sets.
pub(crate) const CORE_MODULE: &str = "core";

/// A module's behavior replaces the default one direction at a time.
fn merge_behavior(defaults: Option<&Behavior>, module: Option<&Behavior>) -> Option<Behavior> {
    let pick = |f: fn(&Behavior) -> Option<&ScalingRules>| {
        module.and_then(f).or_else(|| defaults.and_then(f)).cloned()
    };
    let behavior = Behavior {
        scale_up: pick(|b| b.scale_up.as_ref()),
        scale_down: pick(|b| b.scale_down.as_ref()),
    };
    (behavior.scale_up.is_some() || behavior.scale_down.is_some()).then_some(behavior)
}

/// Whether a region changes anything about a module: some field of the module may have
/// its [`Origin`] in the region.
#[must_use]
pub(crate) fn overridden(region: &Region, module: &str) -> bool {
    region.modules.contains_key(module) || region_range(region, module).is_some()
}

/// The indices in `profile.modules` of the modules a region changes ([`overridden`]),
/// found from the region's own settings (not a scan of every module), unsorted and
/// possibly repeated.
pub(crate) fn overridden_modules<'a>(
    profile: &'a Profile,
    region: &'a Region,
) -> impl Iterator<Item = usize> + 'a {
    let core = profile
        .modules
        .get_index_of(CORE_MODULE)
        .filter(|_| region_range(region, CORE_MODULE).is_some());
    region
        .modules
        .keys()
        .filter_map(|name| profile.modules.get_index_of(name.as_str()))
        .chain(core)
}

/// The Deployment a module scales: its `deployment`, or `mplp-<module>`.
#[must_use]
pub(crate) fn deployment_name(module: &str, deployment: Option<&str>) -> String {
    deployment.map_or_else(|| format!("mplp-{module}"), str::to_owned)
}

/// Whether a VPA in this mode changes pods (and so can fight an HPA).
#[must_use]
pub(crate) fn vpa_acts(mode: UpdateMode) -> bool {
    matches!(
        mode,
        UpdateMode::Recreate | UpdateMode::InPlaceOrRecreate | UpdateMode::Auto
    )
}

/// The labels of a module's pods, in order: the module's `podLabels`, or the profile's
/// convention (`podLabels`, default `app.kubernetes.io/name: mplp-{module}`) with
/// `{module}` replaced by the module's name.
#[must_use]
pub(crate) fn pod_labels(profile: &Profile, module: &str) -> Vec<(String, String)> {
    if let Some(own) = profile
        .modules
        .get(module)
        .and_then(|m| m.pod_labels.as_ref())
    {
        return own.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    profile
        .pod_labels
        .clone()
        .unwrap_or_else(crate::profile::default_pod_labels)
        .iter()
        .map(|(k, v)| (k.clone(), v.replace("{module}", module)))
        .collect()
}

/// A module's replica range in a region (the part of [`effective_module`] that needs
/// no allocation): `None` for a module the profile does not have.
#[must_use]
pub(crate) fn effective_replicas(
    profile: &Profile,
    region: &Region,
    name: &str,
) -> Option<Replicas> {
    let module = profile.modules.get(name)?;
    Some(replicas_of(module, region, region.modules.get(name), name).0)
}

/// The budget written for a module in a region (`None` inside: the built-in one), and
/// where; `None` for a module the profile does not have.
fn written_pdb<'a>(
    profile: &'a Profile,
    region: &'a Region,
    module: &str,
) -> Option<(Option<&'a Pdb>, Origin)> {
    let own = profile.modules.get(module)?;
    Some(pdb_of(profile, own, region.modules.get(module)))
}

/// The bounds of [`effective_pdb`], `(maxUnavailable, minAvailable)`, without cloning the
/// budget: `None` where the module has no budget.
#[must_use]
pub(crate) fn effective_pdb_bounds(
    profile: &Profile,
    region: &Region,
    module: &str,
) -> Option<(Option<IntOrPercent>, Option<IntOrPercent>)> {
    let Some(pdb) = written_pdb(profile, region, module)?.0 else {
        return Some((Some(IntOrPercent::Int(1)), None));
    };
    if pdb.enabled == Some(false) {
        return None;
    }
    if pdb.min_available.is_none() && pdb.max_unavailable.is_none() {
        return Some((Some(IntOrPercent::Int(1)), None));
    }
    Some((pdb.max_unavailable, pdb.min_available))
}

/// A module's `PodDisruptionBudget` in a region, as written where its [`Origin`] is (the
/// region's override, the module, or `defaults`), `maxUnavailable: 1` when none says how
/// many; `None` when disabled.
#[must_use]
pub(crate) fn effective_pdb(profile: &Profile, region: &Region, module: &str) -> Option<Pdb> {
    let mut pdb = written_pdb(profile, region, module)?
        .0
        .cloned()
        .unwrap_or_default();
    if pdb.enabled == Some(false) {
        return None;
    }
    if pdb.min_available.is_none() && pdb.max_unavailable.is_none() {
        pdb.max_unavailable = Some(IntOrPercent::Int(1));
    }
    Some(pdb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Input, load};

    /// The default profile with `overlay` layered on it.
    fn profile(overlay: &str) -> Profile {
        let overlay = Input::Text {
            name: "o.yaml".into(),
            text: overlay.into(),
        };
        load(&[Input::Default, overlay], &[])
            .unwrap()
            .profile
            .unwrap()
    }

    fn origins(profile: &Profile, region: &str, module: &str) -> Origins {
        effective_module(profile, &profile.regions[region], module)
            .unwrap()
            .origins
    }

    #[test]
    fn every_value_says_where_it_was_written() {
        let p = profile(
            "regions:\n  eu-west-1:\n    modules:\n      core: {replicas: {min: 4, max: 9}, pdb: {enabled: false}}\n      plan: {behavior: {scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 60}]}}}\ndefaults: {pdb: null}\n",
        );
        let core = origins(&p, "us-east-1", "core");
        assert_eq!(
            (
                core.replicas,
                core.metrics,
                core.behavior,
                core.vpa,
                core.pdb
            ),
            (
                Origin::RegionRange,
                Origin::Module,
                Origin::Defaults,
                Origin::Module,
                Origin::BuiltIn
            )
        );
        let core = origins(&p, "eu-west-1", "core");
        assert_eq!((core.replicas, core.pdb), (Origin::Region, Origin::Region));
        let plan = origins(&p, "eu-west-1", "plan");
        assert_eq!(
            (plan.replicas, plan.metrics, plan.behavior, plan.vpa),
            (
                Origin::Module,
                Origin::Defaults,
                Origin::Region,
                Origin::BuiltIn
            )
        );
        // `origin` answers as the effective module does, field by field.
        for (name, region) in &p.regions {
            for module in p.modules.keys() {
                let all = origins(&p, name, module);
                let of = [all.replicas, all.metrics, all.behavior, all.vpa, all.pdb];
                for (field, from) in ModuleField::ALL.into_iter().zip(of) {
                    assert_eq!(origin(&p, region, module, field), Some(from));
                }
            }
        }
        let path = |o: Origin, f| o.path("eu-west-1", "core", f).map(|p| p.to_string());
        assert_eq!(
            path(Origin::Region, ModuleField::Pdb).as_deref(),
            Some("regions.eu-west-1.modules.core.pdb")
        );
        assert_eq!(
            path(Origin::RegionRange, ModuleField::Replicas).as_deref(),
            Some("regions.eu-west-1.replicas")
        );
        assert_eq!(
            path(Origin::Defaults, ModuleField::Metrics).as_deref(),
            Some("defaults.metrics")
        );
        assert_eq!(path(Origin::BuiltIn, ModuleField::Vpa), None);
    }

    #[test]
    fn a_field_is_overridden_everywhere_only_when_each_region_writes_it() {
        let p = profile("{}");
        let everywhere = |p: &Profile, module, field| {
            overridden_everywhere(p, module, field).map(|path| path.to_string())
        };
        assert_eq!(
            everywhere(&p, "core", ModuleField::Replicas).as_deref(),
            Some("regions.us-east-1.replicas")
        );
        assert_eq!(everywhere(&p, "core", ModuleField::Pdb), None);
        assert_eq!(everywhere(&p, "plan", ModuleField::Replicas), None);
        let budget = "{maxUnavailable: 2}";
        let p = profile(&format!(
            "regions:\n  us-east-1: {{modules: {{core: {{pdb: {budget}}}}}}}\n  eu-west-1: {{modules: {{core: {{pdb: {budget}}}}}}}\n"
        ));
        assert_eq!(everywhere(&p, "core", ModuleField::Pdb), None);
        let p = profile(&format!(
            "regions:\n  us-east-1: {{modules: {{core: {{pdb: {budget}}}}}}}\n  eu-west-1: {{modules: {{core: {{pdb: {budget}}}}}}}\n  ap-southeast-1: {{modules: {{core: {{pdb: {{enabled: false}}}}}}}}\n"
        ));
        assert_eq!(
            everywhere(&p, "core", ModuleField::Pdb).as_deref(),
            Some("regions.us-east-1.modules.core.pdb")
        );
        assert_eq!(everywhere(&p, "nope", ModuleField::Pdb), None);
    }

    #[test]
    fn the_overridden_modules_are_those_a_region_changes() {
        let p = profile(
            "regions:\n  eu-west-1:\n    replicas: null\n    modules: {plan: {vpa: null}, role: {metrics: [{resource: cpu, utilization: 50}]}}\n",
        );
        for region in p.regions.values() {
            let mut found: Vec<usize> = overridden_modules(&p, region).collect();
            found.sort_unstable();
            found.dedup();
            let expected: Vec<usize> = (0..p.modules.len())
                .filter(|&i| overridden(region, p.modules.get_index(i).unwrap().0))
                .collect();
            assert_eq!(found, expected);
        }
        let role = p.modules.get_index_of("role").unwrap();
        let eu: Vec<usize> = overridden_modules(&p, &p.regions["eu-west-1"]).collect();
        assert!(eu.contains(&role), "{eu:?}");
    }

    /// `ModuleField` lists exactly the fields a region may override (`ModuleOverride`'s).
    #[test]
    fn the_overridable_fields_are_the_module_overrides_fields() {
        let schema = serde_json::to_value(schemars::schema_for!(ModuleOverride)).unwrap();
        let keys: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields: Vec<&str> = ModuleField::ALL.iter().map(|f| f.key()).collect();
        let mut keys = keys;
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
        assert_eq!(ModuleField::from_key("pdb"), Some(ModuleField::Pdb));
        assert_eq!(ModuleField::from_key("policy"), None);
    }
}

//! Effective values: what a module's settings are in one region, once defaults, the
//! module's own settings, the region's range and the region's overrides are layered.
//!
//! Below both `validate` and `plan` (and used by `explain` and `simulate`), so that the
//! rules check exactly what is rendered.

use crate::profile::{
    Backend, Behavior, IntOrPercent, Metric, Pdb, Profile, Region, Replicas, ScalingRules,
    UpdateMode, Vpa,
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
    let replicas = replicas_of(module, region, over, name);
    let metrics = over
        .and_then(|o| o.metrics.as_deref())
        .or(module.metrics.as_deref())
        .or(profile.defaults.metrics.as_deref())
        .unwrap_or(&[]);
    let behavior = merge_behavior(
        profile.defaults.behavior.as_ref(),
        over.and_then(|o| o.behavior.as_ref())
            .or(module.behavior.as_ref()),
    );
    let vpa = over.and_then(|o| o.vpa.as_ref()).or(module.vpa.as_ref());
    Some(EffectiveModule {
        name,
        deployment: deployment_name(name, module.deployment.as_deref()),
        replicas,
        metrics,
        behavior,
        vpa,
        backend: backend(profile, name),
    })
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

/// Whether a region changes anything about a module.
#[must_use]
pub(crate) fn overridden(region: &Region, module: &str) -> bool {
    region.modules.contains_key(module) || (module == CORE_MODULE && region.replicas.is_some())
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
    Some(replicas_of(module, region, region.modules.get(name), name))
}

fn replicas_of(
    module: &crate::profile::Module,
    region: &Region,
    over: Option<&crate::profile::ModuleOverride>,
    name: &str,
) -> Replicas {
    over.and_then(|o| o.replicas)
        .or(if name == CORE_MODULE {
            region.replicas
        } else {
            None
        })
        .unwrap_or(module.replicas)
}

/// The bounds of [`effective_pdb`], `(maxUnavailable, minAvailable)`, without cloning the
/// budget: `None` where the module has no budget.
#[must_use]
pub(crate) fn effective_pdb_bounds(
    profile: &Profile,
    region: &Region,
    module: &str,
) -> Option<(Option<IntOrPercent>, Option<IntOrPercent>)> {
    let over = region.modules.get(module).and_then(|o| o.pdb.as_ref());
    let own = profile.modules.get(module).and_then(|m| m.pdb.as_ref());
    let Some(pdb) = over.or(own).or(profile.defaults.pdb.as_ref()) else {
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

/// A module's `PodDisruptionBudget` in a region, where it was written (the region's
/// override, the module, or `defaults`), `maxUnavailable: 1` when none says how many;
/// `None` when disabled.
#[must_use]
pub(crate) fn effective_pdb(profile: &Profile, region: &Region, module: &str) -> Option<Pdb> {
    let over = region.modules.get(module).and_then(|o| o.pdb.as_ref());
    let own = profile.modules.get(module).and_then(|m| m.pdb.as_ref());
    let mut pdb = over
        .or(own)
        .or(profile.defaults.pdb.as_ref())
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

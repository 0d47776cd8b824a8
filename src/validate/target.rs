//! The target versions (`platform.kubernetesVersion`, `platform.versions`): each one
//! readable (E1101), none older than what the topology needs (E1102), and what the
//! targets cannot serve said once per feature (W1103). The table is `target::FEATURES`.

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::effective::effective_module;
use crate::profile::{Backend, Delivery, IstioVersion, Metric, Profile, Region, UpdateMode};
use crate::target::{
    ARGOCD_TEMPLATE_PATCH, Below, CNPG_DISTRIBUTED, Component, FEATURES, Feature, HPA_TOLERANCE,
    HPA_V2, ISTIO_V1, KEDA_ACTIVATION, KEDA_SCALED_OBJECT, PDB_EVICTION_POLICY, Target,
    VPA_IN_PLACE, VPA_IN_PLACE_KUBE, Version,
};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    for component in Component::ALL {
        invalid_version(r, profile, component);
    }
    let target = Target::of(profile);
    for feature in FEATURES {
        if target.supports(feature) || !used(profile, feature) {
            continue;
        }
        if feature.below == Below::Refused {
            too_old(r, &target, feature);
        } else {
            left_out(r, &target, feature);
        }
    }
}

/// The path of a component's version field.
fn path(component: Component) -> FieldPath {
    component
        .field()
        .split('.')
        .fold(FieldPath::root(), |path, key| path.key(key))
}

/// E1101: a version that is not `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`.
fn invalid_version(r: &mut Reporter, profile: &Profile, component: Component) {
    let Some(text) = component.written(profile) else {
        return;
    };
    if Version::parse(text).is_some() {
        return;
    }
    let d = r
        .at_value(
            Code::InvalidVersion,
            &path(component),
            format!(
                "`{}` is not a {} version: expected `MAJOR.MINOR` such as `{}`",
                crate::load::shorten(text),
                component.title(),
                component.default_version()
            ),
        )
        .help(
            "write it as a string, `\"1.30\"` (a patch such as `1.30.2` is accepted and ignored)",
        );
    r.push(d);
}

/// E1102: the topology needs a feature the target is too old for.
fn too_old(r: &mut Reporter, target: &Target, feature: &Feature) {
    let c = feature.component;
    let d = r
        .at_value(
            Code::TargetTooOld,
            &path(c),
            format!(
                "{} {} is too old for this topology: {} needs {} {} or later",
                c.title(),
                target.version(c),
                feature.what,
                c.title(),
                feature.min
            ),
        )
        .help(format!(
            "set `{}` to `\"{}\"` or later ({})",
            c.field(),
            feature.min,
            feature.reference
        ));
    r.push(d);
}

/// W1103: a feature the profile uses that the target cannot serve, once.
fn left_out(r: &mut Reporter, target: &Target, feature: &Feature) {
    let c = feature.component;
    let what = match feature.below {
        Below::Older(form) => format!("rendered as `{form}` instead"),
        _ => "left out of every object".to_owned(),
    };
    let d = r
        .at_value(
            Code::LeftOut,
            &path(c),
            format!(
                "{} {} cannot serve {}: {what}",
                c.title(),
                target.version(c),
                feature.what
            ),
        )
        .help(format!(
            "target {} {} or later to render it ({})",
            c.title(),
            feature.min,
            feature.reference
        ));
    r.push(d);
}

/// Whether the profile renders `feature` when the target serves it.
fn used(profile: &Profile, feature: &Feature) -> bool {
    let is = |other: &Feature| std::ptr::eq(feature, other);
    if is(&HPA_V2) {
        !profile.modules.is_empty()
    } else if is(&PDB_EVICTION_POLICY) {
        any_module(profile, |_, region, name| {
            crate::effective::effective_pdb(profile, region, name).is_some()
        })
    } else if is(&VPA_IN_PLACE) || is(&VPA_IN_PLACE_KUBE) {
        let in_place = |mode| mode == UpdateMode::InPlaceOrRecreate;
        profile
            .postgres
            .as_ref()
            .and_then(|p| p.vpa.as_ref())
            .is_some_and(|v| in_place(v.update_mode))
            || any_module(profile, |m, _, _| {
                m.vpa.is_some_and(|v| in_place(v.update_mode))
            })
    } else if is(&HPA_TOLERANCE) {
        any_module(profile, |m, _, _| {
            m.behavior.as_ref().is_some_and(|b| {
                [&b.scale_up, &b.scale_down]
                    .iter()
                    .any(|rules| rules.as_ref().is_some_and(|r| r.tolerance.is_some()))
            })
        })
    } else if is(&KEDA_SCALED_OBJECT) {
        any_module(profile, |m, _, _| m.backend == Backend::Keda)
    } else if is(&KEDA_ACTIVATION) {
        any_module(profile, |m, _, _| {
            m.backend == Backend::Keda
                && m.metrics.iter().any(|metric| {
                    custom_name(metric).is_some_and(|name| {
                        profile
                            .metrics
                            .get(name)
                            .is_some_and(|s| s.activation_threshold.is_some())
                    })
                })
        })
    } else if is(&CNPG_DISTRIBUTED) {
        profile.postgres.is_some() && profile.regions.len() > 1
    } else if is(&ISTIO_V1) {
        profile.traffic.api_version == IstioVersion::V1
    } else if is(&ARGOCD_TEMPLATE_PATCH) {
        profile.platform.delivery == Delivery::ApplicationSet
    } else {
        false
    }
}

/// A custom metric's name (`None` for a resource metric).
pub(super) fn custom_name(metric: &Metric) -> Option<&str> {
    match metric {
        Metric::Resource { .. } => None,
        Metric::Pods { name, .. } | Metric::Object { name, .. } => Some(name),
    }
}

/// Whether `test` holds for some module in some region (or with no region's overrides).
fn any_module(
    profile: &Profile,
    test: impl Fn(&crate::effective::EffectiveModule<'_>, &Region, &str) -> bool,
) -> bool {
    let neutral = Region::without_overrides();
    profile.modules.keys().any(|name| {
        std::iter::once(&neutral)
            .chain(profile.regions.values())
            .any(|region| {
                effective_module(profile, region, name).is_some_and(|m| test(&m, region, name))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::super::test::one;

    #[test]
    fn versions() {
        one(
            "platform: {kubernetesVersion: \"1.x\"}\n",
            "error[E1101] platform.kubernetesVersion: `1.x` is not a Kubernetes version",
        );
        one(
            "platform: {kubernetesVersion: \"1.22\"}\ndefaults: {pdb: {enabled: false}}\n",
            "error[E1102] platform.kubernetesVersion: Kubernetes 1.22 is too old for this topology: `autoscaling/v2` HorizontalPodAutoscaler (GA 1.23) needs Kubernetes 1.23 or later",
        );
        one(
            "platform: {kubernetesVersion: \"1.34\"}\ndefaults: {behavior: {scaleDown: {tolerance: 0.05}}}\n",
            "warning[W1103] platform.kubernetesVersion: Kubernetes 1.34 cannot serve HPA `behavior.*.tolerance`",
        );
        one(
            "platform: {versions: {vpa: \"1.3\"}}\nmodules: {core: {vpa: {updateMode: InPlaceOrRecreate, controlledResources: [memory]}}}\n",
            "warning[W1103] platform.versions.vpa: VPA 1.3 cannot serve VPA `updateMode: InPlaceOrRecreate` (else `Recreate`): rendered as `Recreate` instead",
        );
    }
}

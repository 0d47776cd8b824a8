//! KEDA `TriggerAuthentication` (keda.sh/v1alpha1) `mplp-prometheus-auth`: in every
//! region where a module scaled by KEDA has a `prometheus` trigger and
//! `autoscaling.prometheus.auth` names the Secret holding the credentials. Every
//! prometheus trigger names it (`authenticationRef`) with `authModes`
//! (<https://keda.sh/docs/2.20/scalers/prometheus/#authentication-parameters>).

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::effective::effective_module;
use crate::plan::PlannedObject;
use crate::profile::{AuthMode, Backend, Metric, Profile, Region};

/// The object's name, which the triggers name.
pub(crate) const NAME: &str = "mplp-prometheus-auth";

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "keda.sh/v1alpha1",
    kind: "TriggerAuthentication",
    placement: Placement::Regional,
    templates: &[(
        "triggerauthentication.yaml.j2",
        include_str!("../../templates/triggerauthentication.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

/// `secretTargetRef`: (parameter, Secret, key), in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TriggerAuth {
    pub refs: Vec<(&'static str, String, String)>,
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(region) = at.settings() else { return };
    let Some(auth) = &p.profile.autoscaling.prometheus.auth else {
        return;
    };
    if !prometheus_triggers(p.profile, region) {
        return;
    }
    let key =
        |given: &Option<String>, default: &str| given.clone().unwrap_or_else(|| default.to_owned());
    let refs = match auth.mode {
        AuthMode::Bearer => vec![(
            "bearerToken",
            auth.secret.clone(),
            key(&auth.token_key, "token"),
        )],
        AuthMode::Basic => vec![
            (
                "username",
                auth.secret.clone(),
                key(&auth.username_key, "username"),
            ),
            (
                "password",
                auth.secret.clone(),
                key(&auth.password_key, "password"),
            ),
        ],
    };
    out.push(p.planned(&INFO, at, NAME, "autoscaling", &TriggerAuth { refs }));
}

/// Whether a module scaled by KEDA has a custom metric (a `prometheus` trigger) in `region`.
#[must_use]
pub(crate) fn prometheus_triggers(profile: &Profile, region: &Region) -> bool {
    profile.modules.keys().any(|module| {
        effective_module(profile, region, module).is_some_and(|m| {
            m.backend == Backend::Keda
                && m.metrics
                    .iter()
                    .any(|metric| !matches!(metric, Metric::Resource { .. }))
        })
    })
}

//! The defaults that are not a literal, named by the fields that take them
//! (`#[serde(default = "default::…")]`). Every other fixed default is written on its field,
//! `#[profile(default = …)]`, or is its type's `#[default]` variant. Defaults that follow
//! from other fields (a module's Deployment, metrics and behavior from `defaults`, a
//! region's overrides) are effective values, computed in `effective.rs` and `plan.rs`.

use indexmap::IndexMap;

use crate::quantity::Quantity;

use super::ResourceList;

/// `postgres.backup.sidecarResources`: the plugin sidecar's cpu and memory.
pub(super) fn sidecar_resources() -> ResourceList {
    ResourceList {
        cpu: Some(Quantity::parse("100m").expect("a valid quantity")),
        memory: Some(Quantity::parse("256Mi").expect("a valid quantity")),
    }
}

/// `traffic.ingress.selector`.
pub(super) fn ingress_selector() -> IndexMap<String, String> {
    IndexMap::from([("istio".to_owned(), "ingressgateway".to_owned())])
}

/// `podLabels`: the labels of every module's pods (`{module}` stands for the module's
/// name), which the disruption budgets select. An effective default (`effective.rs`
/// applies it), written here with the others.
#[must_use]
pub(crate) fn pod_labels() -> IndexMap<String, String> {
    IndexMap::from([(
        "app.kubernetes.io/name".to_owned(),
        "mplp-{module}".to_owned(),
    )])
}

//! `Namespace` (v1), `<namespace>`, first in every region: `render --region R | kubectl
//! apply -f -` works on a fresh cluster, and the namespace carries the profile's
//! `namespaceLabels` (such as `istio-injection: enabled`). It holds every other regional
//! object, so it is protected from pruning like the databases (`kinds::DATA_HOLDERS`).

use std::sync::Arc;

use k8s_openapi::api::core::v1::Namespace;

use super::{At, Check, KindInfo, Labels, Placement, Planner};
use crate::plan::PlannedObject;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "v1",
    kind: "Namespace",
    placement: Placement::Regional,
    templates: &[(
        "namespace.yaml.j2",
        include_str!("../../templates/namespace.yaml.j2"),
    )],
    check: Check::Builtin(crate::crds::builtin::<Namespace>),
    plan,
    context: super::as_planned,
};

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let name: Arc<str> = Arc::from(p.profile.namespace.as_str());
    let body = p.body(&INFO, &name, &());
    // Cluster-scoped: no namespace of its own.
    let mut object = p.object_in(&INFO, at, name, Arc::from(""), "platform", body);
    object.labels = with_labels(&object.labels, &p.profile.namespace_labels);
    out.push(object);
}

/// `labels` followed by `extra` (an extra key already there is left as it is).
#[must_use]
pub(crate) fn with_labels(
    labels: &Arc<Labels>,
    extra: &indexmap::IndexMap<String, String>,
) -> Arc<Labels> {
    if extra.is_empty() {
        return Arc::clone(labels);
    }
    let mut pairs = labels.pairs().to_vec();
    for (key, value) in extra {
        if !pairs.iter().any(|(k, _)| k == key) {
            pairs.push((key.clone(), value.clone()));
        }
    }
    Arc::new(Labels::new(pairs))
}

//! Istio `Gateway` (networking.istio.io/v1): the public host on the region's ingress
//! gateway, rendered in every region when `traffic.gateway` is a bare name (a
//! `NAMESPACE/NAME` refers to a Gateway that exists already, and none is rendered).
//! Each cluster's istiod reads only its own cluster's config, so every region has its own.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Body, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "networking.istio.io/v1",
    kind: "Gateway",
    placement: Placement::Regional,
    templates: &[(
        "gateway.yaml.j2",
        include_str!("../../templates/gateway.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Gateway {
    pub selector: Vec<(String, String)>,
    pub host: String,
    pub credential_name: Option<String>,
}

/// The Gateway mplp-scale renders: `traffic.gateway` when it is a bare name.
#[must_use]
pub(crate) fn rendered(gateway: Option<&str>) -> Option<&str> {
    gateway.filter(|g| !g.contains('/'))
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let traffic = &p.profile.traffic;
    let Some(name) = rendered(traffic.gateway.as_deref()) else {
        return;
    };
    // The same in every region: planned once, shared.
    let build = || {
        let spec = Gateway {
            selector: traffic
                .ingress
                .selector
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            host: traffic.host.clone(),
            credential_name: traffic.ingress.credential_name.clone(),
        };
        let name: Arc<str> = Arc::from(name);
        Some((name, Body::new(&spec)))
    };
    let Some((name, body)) = p.shared.get(&INFO, 0, build) else {
        return;
    };
    let mut object = p.object(&INFO, at, name, "traffic", body);
    object.api_version = super::virtual_service::api_version(traffic.api_version);
    out.push(object);
}

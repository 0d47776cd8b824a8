//! Istio `VirtualService` (networking.istio.io/v1) `mplp-traffic`, in every region: a
//! header route per region pinning that region's subset, then the default route to the
//! service as a whole, where the `DestinationRule`'s locality settings split it by weight
//! (`traffic.mode: weighted`) or keep it local (`localFirst`) and fail over in both. The
//! destination is `<service>.<namespace>.svc.cluster.local`: a multi-cluster mesh merges
//! a service across clusters by name and namespace.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Body, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;
use crate::profile::{IstioVersion, Profile};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "networking.istio.io/v1",
    kind: "VirtualService",
    placement: Placement::Regional,
    templates: &[(
        "virtualservice.yaml.j2",
        include_str!("../../templates/virtualservice.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct VirtualService {
    pub host: String,
    pub gateway: Option<String>,
    pub header: String,
    pub port: i64,
    /// The core service's host.
    pub destination: String,
    /// Every region, for its header route.
    pub regions: Vec<String>,
}

/// The core service's host: the same name and namespace in every cluster.
#[must_use]
pub(crate) fn host(profile: &Profile) -> String {
    format!(
        "{}.{}.svc.cluster.local",
        profile.traffic.service, profile.namespace
    )
}

/// The served Istio API version the profile asks for.
#[must_use]
pub(crate) fn api_version(version: IstioVersion) -> &'static str {
    match version {
        IstioVersion::V1 => "networking.istio.io/v1",
        IstioVersion::V1beta1 => "networking.istio.io/v1beta1",
    }
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    let traffic = &profile.traffic;
    // The same in every region: planned once, shared.
    let build = || {
        let spec = VirtualService {
            host: traffic.host.clone(),
            gateway: traffic.gateway.clone(),
            header: traffic.region_header.clone(),
            port: traffic.port,
            destination: host(profile),
            regions: profile.regions.keys().cloned().collect(),
        };
        let name: Arc<str> = Arc::from("mplp-traffic");
        Some((name, Body::new(&spec)))
    };
    let Some((name, body)) = p.shared.get(&INFO, 0, build) else {
        return;
    };
    let mut object = p.object(&INFO, at, name, "traffic", body);
    object.api_version = api_version(traffic.api_version);
    out.push(object);
}

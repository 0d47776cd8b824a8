//! Istio `VirtualService` `mplp-global-traffic`: a header route per region and the
//! default route weighted by the regions' weights.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;
use crate::profile::IstioVersion;

pub static INFO: KindInfo = KindInfo {
    api_version: "networking.istio.io/v1",
    kind: "VirtualService",
    placement: Placement::Global,
    templates: &[(
        "virtualservice.yaml.j2",
        include_str!("../../templates/virtualservice.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VirtualService {
    pub host: String,
    pub gateway: Option<String>,
    pub header: String,
    pub port: i64,
    /// One header-matched route per region: (region, destination host).
    pub region_routes: Vec<(String, String)>,
    /// The weighted default route: (destination host, weight).
    pub default_route: Vec<(String, i64)>,
}

/// The destination host of a region's core service.
#[must_use]
pub fn region_host(service: &str, region: &str) -> String {
    format!("{service}.{region}.svc.cluster.local")
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    let traffic = &profile.traffic;
    let host = |region: &str| region_host(&traffic.service, region);
    let spec = VirtualService {
        host: traffic.host.clone(),
        gateway: traffic.gateway.clone(),
        header: traffic.region_header.clone(),
        port: traffic.port,
        region_routes: profile
            .regions
            .keys()
            .map(|name| (name.clone(), host(name)))
            .collect(),
        // A region at weight 0 keeps its header route but leaves the default route.
        default_route: profile
            .regions
            .iter()
            .filter(|(_, r)| r.weight > 0)
            .map(|(name, r)| (host(name), r.weight))
            .collect(),
    };
    let mut object = p.object(
        &INFO,
        at,
        Arc::from("mplp-global-traffic"),
        "traffic",
        super::Body::new(&spec),
    );
    object.api_version = match traffic.api_version {
        IstioVersion::V1 => "networking.istio.io/v1",
        IstioVersion::V1beta1 => "networking.istio.io/v1beta1",
    };
    out.push(object);
}

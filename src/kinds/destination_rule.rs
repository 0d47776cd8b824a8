//! Istio `DestinationRule` (networking.istio.io/v1) `<service>`: the core service's host
//! in the profile's namespace, one subset per region selecting the endpoints of that
//! region's cluster (`topology.istio.io/cluster`, the label istiod puts on every
//! endpoint), and outlier detection (which locality failover needs).

use std::sync::Arc;

use serde::Serialize;

use super::{At, Body, Check, KindInfo, Placement, Planner};
use crate::plan::PlannedObject;
use crate::profile::TrafficMode;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "networking.istio.io/v1",
    kind: "DestinationRule",
    placement: Placement::Regional,
    templates: &[(
        "destinationrule.yaml.j2",
        include_str!("../../templates/destinationrule.yaml.j2"),
    )],
    check: Check::Crd,
    plan,
    context: super::as_planned,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DestinationRule {
    pub host: String,
    /// `localFirst`: locality load balancing, failing over to other regions.
    pub locality: bool,
    /// (subset = region name, cluster)
    pub subsets: Vec<(String, String)>,
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    let traffic = &profile.traffic;
    // The same in every region: planned once, shared.
    let build = || {
        let spec = DestinationRule {
            host: super::virtual_service::host(profile),
            locality: traffic.mode == TrafficMode::LocalFirst,
            subsets: profile
                .regions
                .iter()
                .map(|(name, r)| (name.clone(), r.cluster(name).to_owned()))
                .collect(),
        };
        let name: Arc<str> = Arc::from(traffic.service.as_str());
        Some((name, Body::new(&spec)))
    };
    let Some((name, body)) = p.neutral(&INFO, 0, build) else {
        return;
    };
    let mut object = p.object(&INFO, at, name, "traffic", body);
    object.api_version = super::virtual_service::api_version(traffic.api_version);
    out.push(object);
}

//! Istio `DestinationRule`s (networking.istio.io/v1), in every region: one for the entry
//! service `<traffic.service>` and one for every other module's Service
//! (`<deployment>-service`), each with outlier detection and locality load balancing, so
//! calls stay in their region while its endpoints are healthy and fail over when they
//! are not.
//!
//! The entry rule also carries the split and the header routes' subsets:
//!
//! - `traffic.mode: weighted`: `localityLbSetting.distribute` from every locality to each
//!   region's locality by its weight. The split is one Envoy cluster's locality weights,
//!   so a region whose endpoints are ejected loses its share to the others (Envoy's
//!   locality weighted load balancing); per-region subsets would be separate clusters,
//!   where a dead region's share fails.
//! - `localFirst`: locality failover (`enabled: true`), each request staying where it
//!   entered.
//!
//! One subset per region, selecting `topology.istio.io/cluster: <meshClusterID>` (the
//! label istiod gives every endpoint from its cluster ID), for the header routes only;
//! their locality settings are off, so the split never drops the pinned region.

use std::sync::Arc;

use serde::Serialize;

use super::{At, Body, Check, KindInfo, Placement, Planner};
use crate::effective::deployment_name;
use crate::plan::PlannedObject;
use crate::profile::{Profile, TrafficMode};

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
    /// `weighted` (the entry rule): `(locality, weight)` of every region with a weight,
    /// the `distribute` split; empty: locality failover.
    pub distribute: Vec<(String, i64)>,
    /// The entry rule: `(subset = region name, meshClusterID)`; empty for a module's.
    pub subsets: Vec<(String, String)>,
}

/// The Service of every module but the entry one, by name, in the profile's order.
#[must_use]
pub(crate) fn module_services(profile: &Profile) -> Vec<String> {
    profile
        .modules
        .iter()
        .map(|(name, m)| format!("{}-service", deployment_name(name, m.deployment.as_deref())))
        .filter(|service| *service != profile.traffic.service)
        .collect()
}

/// A Service's host: the same name and namespace in every cluster.
fn host(profile: &Profile, service: &str) -> String {
    format!("{service}.{}.svc.cluster.local", profile.namespace)
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    let traffic = &profile.traffic;
    // The same in every region: planned once, shared.
    let entry = || {
        let spec = DestinationRule {
            host: super::virtual_service::host(profile),
            distribute: match traffic.mode {
                TrafficMode::Weighted => profile
                    .regions
                    .iter()
                    .filter(|(_, r)| r.weight > 0)
                    .map(|(name, r)| (r.locality(name).to_owned(), r.weight))
                    .collect(),
                TrafficMode::LocalFirst => Vec::new(),
            },
            subsets: profile
                .regions
                .iter()
                .map(|(name, r)| (name.clone(), r.mesh_cluster_id(name).to_owned()))
                .collect(),
        };
        let name: Arc<str> = Arc::from(traffic.service.as_str());
        Some((name, Body::new(&spec)))
    };
    let mut push = |index: usize, build: &dyn Fn() -> super::Neutral| {
        if let Some((name, body)) = p.shared.get(&INFO, index, build) {
            let mut object = p.object(&INFO, at, name, "traffic", body);
            object.api_version = super::virtual_service::api_version(traffic.api_version);
            // A module's rule is named after its Deployment, never the entry Service.
            object.per_module = index > 0;
            out.push(object);
        }
    };
    push(0, &entry);
    let services = p
        .memo("module services", || module_services(profile))
        .unwrap_or_default();
    for (i, service) in services.iter().enumerate() {
        push(i + 1, &|| {
            let spec = DestinationRule {
                host: host(profile, service),
                distribute: Vec::new(),
                subsets: Vec::new(),
            };
            Some((Arc::from(service.as_str()), p.new_body(&spec)))
        });
    }
}

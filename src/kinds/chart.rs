//! The platform chart's values that both delivery kinds give each region (the seed's
//! single `Application` lists them all, the `ApplicationSet` gives each region its own):
//! derived once here, laid out once by `templates/chart-region.yaml.j2`.

use minijinja::Value;
use serde::Serialize;

use super::ResourcesCtx;
use crate::effective::{CORE_MODULE, effective_module};
use crate::profile::{Profile, Region};

/// The partial both delivery kinds list in their templates.
pub(crate) const TEMPLATE: (&str, &str) = (
    "chart-region.yaml.j2",
    include_str!("../../templates/chart-region.yaml.j2"),
);

/// One region's chart values: its role, weight, the core module's replica range and its
/// resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RegionChart {
    pub name: String,
    pub primary: bool,
    pub weight: i64,
    pub min: i64,
    pub max: i64,
    pub resources: Option<ResourcesCtx>,
}

impl RegionChart {
    /// `primary`: whether the delivery calls this region the primary (the profile's flag
    /// for the `Application`, the region whose database takes writes for the
    /// `ApplicationSet`). The range is the core module's effective one (the region's
    /// `replicas` included), 0 to 0 without a core module: a region's `replicas` without
    /// one is refused (E0104).
    #[must_use]
    pub(crate) fn new(profile: &Profile, name: &str, region: &Region, primary: bool) -> Self {
        let range = effective_module(profile, region, CORE_MODULE).map(|core| core.replicas);
        Self {
            name: name.to_owned(),
            primary,
            weight: region.weight,
            min: range.map_or(0, |r| r.min),
            max: range.map_or(0, |r| r.max),
            resources: region.resources.as_ref().and_then(ResourcesCtx::new),
        }
    }
}

/// A region's chart values as YAML, indented by `by` (safe: written as they are).
pub(crate) fn render(
    env: &minijinja::Environment<'_>,
    region: &Value,
    by: usize,
) -> anyhow::Result<Value> {
    let text = env
        .get_template(TEMPLATE.0)?
        .render(minijinja::context! { region => region })?;
    Ok(Value::from_safe_string(crate::yaml::indent(&text, by)))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct NetworkValues {
    pub cross_region_latency: String,
    pub replication_factor: i64,
    pub consistency_level: String,
}

impl NetworkValues {
    #[must_use]
    pub(crate) fn new(network: &crate::profile::Network) -> Self {
        Self {
            cross_region_latency: network.cross_region_latency.clone(),
            replication_factor: network.replication_factor,
            consistency_level: network.consistency_level.clone(),
        }
    }
}

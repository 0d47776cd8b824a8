//! Argo CD `Application` (argoproj.io/v1alpha1) `mplp-global`: the seed's single delivery
//! of the platform's Helm chart, with every region's values, to one cluster
//! (`platform.delivery: application`, for one-cluster setups; the default is the
//! ApplicationSet).

use std::sync::Arc;

use minijinja::Value;
use serde::Serialize;

use super::chart::{NetworkValues, RegionChart};
use super::{At, Check, KindInfo, Placement, Planner};
use crate::effective::deployment_name;
use crate::plan::PlannedObject;
use crate::profile::{Delivery, Region, ValuesFormat};

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "argoproj.io/v1alpha1",
    kind: "Application",
    placement: Placement::Global,
    templates: &[
        (
            "application.yaml.j2",
            include_str!("../../templates/application.yaml.j2"),
        ),
        (
            "helm-values.yaml.j2",
            include_str!("../../templates/helm-values.yaml.j2"),
        ),
        super::chart::TEMPLATE,
    ],
    check: Check::Crd,
    plan,
    context,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Application {
    pub project: String,
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    pub server: String,
    pub destination_namespace: String,
    pub prune: bool,
    pub self_heal: bool,
    /// `valuesObject` when false, a `values` string when true.
    pub values_as_string: bool,
    pub values: HelmValues,
    /// Deployments whose `/spec/replicas` belong to an HPA.
    pub hpa_deployments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HelmValues {
    pub regions: Vec<RegionChart>,
    pub network: Option<NetworkValues>,
    pub postgres: Option<PostgresValues>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PostgresValues {
    pub primary_region: String,
    pub primary_instances: i64,
    pub read_replicas: Vec<(String, i64)>,
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    if profile.platform.delivery != Delivery::Application {
        return;
    }
    let platform = &profile.platform;
    let primary = profile.regions.iter().find(|(_, r)| r.primary);
    let regions = profile
        .regions
        .iter()
        .map(|(name, region)| RegionChart::new(profile, name, region, region.primary))
        .collect();
    let postgres = profile
        .postgres
        .as_ref()
        .zip(primary)
        .map(|(pg, (name, region))| {
            let instances = |r: &Region| {
                r.postgres
                    .as_ref()
                    .and_then(|p| p.instances)
                    .unwrap_or(pg.instances)
            };
            PostgresValues {
                primary_region: name.clone(),
                primary_instances: instances(region),
                read_replicas: profile
                    .regions
                    .iter()
                    .filter(|(_, r)| !r.primary)
                    .map(|(n, r)| (n.clone(), instances(r)))
                    .collect(),
            }
        });
    let network = platform.network.as_ref().map(NetworkValues::new);
    let spec = Application {
        project: platform.argocd.project.clone(),
        repo_url: platform.repo_url.clone(),
        path: platform.path.clone(),
        target_revision: platform.target_revision.clone(),
        server: platform.argocd.server.clone(),
        destination_namespace: profile.namespace.clone(),
        prune: platform.argocd.prune,
        self_heal: platform.argocd.self_heal,
        values_as_string: platform.argocd.values_format == ValuesFormat::String,
        values: HelmValues {
            regions,
            network,
            postgres,
        },
        hpa_deployments: profile
            .modules
            .iter()
            .map(|(name, m)| deployment_name(name, m.deployment.as_deref()))
            .collect(),
    };
    out.push(p.object_in(
        &INFO,
        at,
        Arc::from("mplp-global"),
        Arc::from(platform.argocd.namespace.as_str()),
        "gitops",
        super::Body::new(&spec),
    ));
}

/// The Helm values are rendered by their own template first, then embedded either as a
/// `values` string or, indented, as `valuesObject`.
fn context(env: &minijinja::Environment<'_>, body: &Value) -> anyhow::Result<Value> {
    let values = body.get_attr("values")?;
    let charts = values
        .get_attr("regions")?
        .try_iter()?
        .map(|region| super::chart::render(env, &region, 8))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let values = env
        .get_template("helm-values.yaml.j2")?
        .render(minijinja::context! { values => values, charts => charts })?;
    let nested = crate::yaml::indent(&values, 8);
    Ok(minijinja::context! {
        spec => body,
        values_text => values,
        values_nested => Value::from_safe_string(nested),
    })
}

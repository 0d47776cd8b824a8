//! Argo CD `ApplicationSet` (argoproj.io/v1alpha1) `mplp-regions`: one Application per
//! region, whose destination is the region's cluster, with two sources: the platform's
//! Helm chart with that region's values (`valuesObject`), and the region's rendered
//! objects (the `--out-dir` tree's `regions/<region>/`, or the mplp-scale Config
//! Management Plugin). The default delivery; `platform.delivery: application` renders
//! the seed's single Application instead.
//!
//! A list generator carries each region's name, cluster and values; `templatePatch` (Go
//! template, Argo CD 2.10+) writes the sources, because `valuesObject` is structured and a
//! template's fields can only hold strings. `toJson` is sprig's, which the ApplicationSet
//! controller provides (argo-cd `applicationset/utils/utils.go`, `sprig.GenericFuncMap`).

use std::fmt::Write as _;
use std::sync::Arc;

use minijinja::Value;
use serde::Serialize;

use super::chart::{NetworkValues, RegionChart};
use super::{At, Check, KindInfo, Placement, Planner};
use crate::effective::deployment_name;
use crate::plan::PlannedObject;
use crate::profile::{Delivery, ManifestSource, Profile};
use crate::yaml::quote;

pub(crate) static INFO: KindInfo = KindInfo {
    api_version: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    placement: Placement::Global,
    templates: &[
        (
            "applicationset.yaml.j2",
            include_str!("../../templates/applicationset.yaml.j2"),
        ),
        (
            "region-values.yaml.j2",
            include_str!("../../templates/region-values.yaml.j2"),
        ),
        super::chart::TEMPLATE,
    ],
    check: Check::Crd,
    plan,
    context,
};

/// The name of the Config Management Plugin as Argo CD knows it (`<name>-<version>`,
/// `contrib/argocd/mplp-scale-cmp.yaml`).
pub(crate) const PLUGIN: &str = "mplp-scale-v1";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ApplicationSet {
    /// The generated Applications' name, a Go template.
    pub name: &'static str,
    pub region: &'static str,
    pub cluster: &'static str,
    pub project: String,
    pub destination_namespace: String,
    pub prune: bool,
    pub self_heal: bool,
    pub hpa_deployments: Vec<String>,
    pub regions: Vec<RegionValues>,
    pub network: Option<NetworkValues>,
    /// The Applications' `spec.sources`, a Go template.
    pub template_patch: String,
    /// `syncPolicy.preserveResourcesOnDeletion` (`platform.argocd.protectData`).
    pub preserve: bool,
    /// `strategy: RollingSync`: the regions of each step, the acting primary's first.
    pub steps: Option<Vec<Vec<String>>>,
}

/// One region's Helm values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RegionValues {
    /// The region's name, role, weight, range and resources, as the `Application` gives them.
    pub chart: RegionChart,
    pub cluster: String,
    /// Every region's name.
    pub regions: Vec<String>,
    pub database: Option<Database>,
}

/// The region's database role, for the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Database {
    /// `primary` or `replica`.
    pub role: &'static str,
    pub instances: i64,
    pub primary_region: String,
    /// The writer pooler's host (the primary region's, reached through the mesh from
    /// every region) and the region's own reader pooler's host; `None` without poolers.
    pub hosts: Option<(String, String)>,
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let profile = p.profile;
    if profile.platform.delivery != Delivery::ApplicationSet {
        return;
    }
    let argocd = &profile.platform.argocd;
    let spec = ApplicationSet {
        name: "mplp-{{ .region }}",
        region: "{{ .region }}",
        cluster: "{{ .cluster }}",
        project: argocd.project.clone(),
        destination_namespace: profile.namespace.clone(),
        prune: argocd.prune,
        self_heal: argocd.self_heal,
        hpa_deployments: profile
            .modules
            .iter()
            .map(|(name, m)| deployment_name(name, m.deployment.as_deref()))
            .collect(),
        regions: region_values(profile, p.acting_primary()),
        network: profile.platform.network.as_ref().map(NetworkValues::new),
        template_patch: template_patch(profile),
        preserve: argocd.protect_data,
        steps: argocd
            .rolling_sync
            .then(|| steps(profile, p.acting_primary())),
    };
    out.push(p.object_in(
        &INFO,
        at,
        Arc::from("mplp-regions"),
        Arc::from(argocd.namespace.as_str()),
        "gitops",
        super::Body::new(&spec),
    ));
}

/// The `RollingSync` steps: the region whose database takes writes, then every other
/// region (one step when there is no other, or no primary).
fn steps(profile: &Profile, primary: Option<&str>) -> Vec<Vec<String>> {
    let (first, rest): (Vec<String>, Vec<String>) = profile
        .regions
        .keys()
        .cloned()
        .partition(|r| Some(r.as_str()) == primary);
    [first, rest]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
}

/// Each region's chart values; `primary` is the region whose database takes writes in
/// this render (the switchover's target in its promote phase).
fn region_values(profile: &Profile, primary: Option<&str>) -> Vec<RegionValues> {
    let names: Vec<String> = profile.regions.keys().cloned().collect();
    profile
        .regions
        .iter()
        .map(|(name, region)| {
            let writes = Some(name.as_str()) == primary;
            RegionValues {
                chart: RegionChart::new(profile, name, region, writes),
                cluster: region.cluster(name).to_owned(),
                regions: names.clone(),
                database: profile.postgres.as_ref().map(|pg| Database {
                    role: if writes { "primary" } else { "replica" },
                    instances: region
                        .postgres
                        .as_ref()
                        .and_then(|p| p.instances)
                        .unwrap_or(pg.instances),
                    primary_region: primary.unwrap_or_default().to_owned(),
                    hosts: pg.pooler.enabled.then(|| {
                        let host = |name: String| {
                            format!("{name}.{}.svc.cluster.local", profile.namespace)
                        };
                        (
                            host(super::pooler::writer(pg)),
                            host(super::pooler::reader(pg)),
                        )
                    }),
                }),
            }
        })
        .collect()
}

/// The Applications' sources: the chart with the region's values, then the region's
/// rendered objects. A Go template: `{{ .region }}` and `{{ toJson .values }}` are the
/// ApplicationSet controller's; every other value is a quoted YAML scalar.
#[must_use]
pub(crate) fn template_patch(profile: &Profile) -> String {
    let platform = &profile.platform;
    let manifests = &platform.manifests;
    let repo = manifests.repo_url.as_deref().unwrap_or(&platform.repo_url);
    let revision = manifests
        .target_revision
        .as_deref()
        .unwrap_or(&platform.target_revision);
    let mut out = String::from("spec:\n  sources:\n");
    let _ = writeln!(out, "    - repoURL: {}", go_quote(&platform.repo_url));
    let _ = writeln!(
        out,
        "      targetRevision: {}",
        go_quote(&platform.target_revision)
    );
    let _ = writeln!(out, "      path: {}", go_quote(&platform.path));
    out.push_str("      helm:\n        valuesObject: {{ toJson .values }}\n");
    let _ = writeln!(out, "    - repoURL: {}", go_quote(repo));
    let _ = writeln!(out, "      targetRevision: {}", go_quote(revision));
    let folder = manifests.path.trim_end_matches('/');
    match manifests.source {
        ManifestSource::Rendered => {
            let prefix = if folder.is_empty() || folder == "." {
                "regions/".to_owned()
            } else {
                format!("{folder}/regions/")
            };
            // The quoted prefix without its closing quote, then the region's action.
            let quoted = go_quote(&prefix);
            let open = quoted.strip_suffix('"').unwrap_or(&quoted);
            let _ = writeln!(out, "      path: {open}{{{{ .region }}}}\"");
        }
        ManifestSource::Plugin => {
            let _ = writeln!(
                out,
                "      path: {}",
                go_quote(if folder.is_empty() { "." } else { folder })
            );
            let _ = writeln!(out, "      plugin:\n        name: {PLUGIN}\n        env:");
            out.push_str("          - name: REGION\n            value: \"{{ .region }}\"\n");
            let _ = writeln!(
                out,
                "          - name: PROFILE\n            value: {}",
                go_quote(&manifests.profile)
            );
        }
    }
    out
}

/// A profile value as a quoted YAML scalar inside the Go template: any `{{` in it is
/// written as the Go template literal `{{"{{"}}`, so the ApplicationSet controller prints
/// it and never runs it (`text/template` only acts on its left delimiter; `}}` outside an
/// action is text).
fn go_quote(value: &str) -> String {
    go_text(&quote(value))
}

/// `text` with every `{{` as a Go template literal.
fn go_text(text: &str) -> String {
    text.replace("{{", "{{\"{{\"}}")
}

/// Each element's values are rendered by their own template, indented under `values:`.
fn context(env: &minijinja::Environment<'_>, body: &Value) -> anyhow::Result<Value> {
    let template = env.get_template("region-values.yaml.j2")?;
    let network = body.get_attr("network")?;
    let mut elements = Vec::new();
    for values in body.get_attr("regions")?.try_iter()? {
        let chart = super::chart::render(env, &values.get_attr("chart")?, 2)?;
        let text = template.render(minijinja::context! {
            values => values.clone(),
            network => network.clone(),
            chart => chart,
        })?;
        elements.push(minijinja::context! {
            region => values.get_attr("chart")?.get_attr("name")?,
            cluster => values.get_attr("cluster")?,
            values => Value::from_safe_string(crate::yaml::indent(&text, 14)),
        });
    }
    Ok(minijinja::context! { spec => body, elements => elements })
}

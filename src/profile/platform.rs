//! The profile's delivery and routing settings: what Argo CD deploys to each region's
//! cluster (`platform`) and the Istio routing rendered in every region (`traffic`).

use indexmap::IndexMap;
use mplp_scale_derive::profile;
use schemars::JsonSchema;

use super::default;

/// What the Argo CD Application deploys, and the values it passes to the chart.
#[profile(expected = "a map with `repoURL`, `path`, ...")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platform {
    /// The chart repository (`https://…`, `ssh://…`, `git@…` or `oci://…`).
    #[serde(rename = "repoURL")]
    #[profile(expected = "the chart repository URL")]
    pub repo_url: String,
    /// The chart's path inside the repository, e.g. `charts/mplp-global`.
    #[profile(expected = "the chart's path in the repository")]
    pub path: String,
    /// Branch, tag or commit to deploy (default `HEAD`).
    #[profile(default = "HEAD")]
    pub target_revision: String,
    /// Argo CD settings of the ApplicationSet (or Application).
    #[serde(default)]
    pub argocd: ArgoCd,
    /// How Argo CD delivers the platform: `applicationSet` (default; one Application per
    /// region, to that region's cluster) or `application` (the seed's single Application,
    /// for one-cluster setups).
    #[serde(default)]
    pub delivery: Delivery,
    /// Where each region's rendered objects come from in the ApplicationSet: the
    /// `--out-dir` tree in a Git repository, or the mplp-scale Config Management Plugin.
    #[serde(default)]
    pub manifests: Manifests,
    /// The scaling guide's `network.multiRegion` values, passed to the chart.
    pub network: Option<Network>,
    /// The Kubernetes version of the regions' clusters, `MAJOR.MINOR` (default: `1.37`,
    /// the newest the tool knows). Fields it cannot serve are left out, and lint says
    /// which (`docs/versions.md`). `--kube-version` overrides it.
    #[profile(with = super::read::version)]
    pub kubernetes_version: Option<String>,
    /// The operator versions the clusters run (default: those of the CRDs the tool is
    /// tested against, `docs/versions.md`).
    #[serde(default)]
    pub versions: Versions,
}

/// The operator versions the clusters run, each `MAJOR.MINOR` (a patch is accepted and
/// ignored).
#[profile(expected = "a map of operator versions (`keda`, `cnpg`, `vpa`, `istio`, `argocd`)")]
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Versions {
    /// KEDA (default `2.20`).
    #[profile(with = super::read::version)]
    pub keda: Option<String>,
    /// CloudNativePG (default `1.30`).
    #[profile(with = super::read::version)]
    pub cnpg: Option<String>,
    /// The Vertical Pod Autoscaler (default `1.7`).
    #[profile(with = super::read::version)]
    pub vpa: Option<String>,
    /// Istio (default `1.30`).
    #[profile(with = super::read::version)]
    pub istio: Option<String>,
    /// Argo CD (default `3.5`).
    #[profile(with = super::read::version)]
    pub argocd: Option<String>,
}

/// How Argo CD delivers the platform.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Delivery {
    /// One `ApplicationSet` on the management cluster, generating one Application per
    /// region whose destination is the region's cluster.
    #[default]
    ApplicationSet,
    /// The seed's single `Application`, to `argocd.server` (one-cluster setups).
    Application,
}

/// Where each region's rendered objects come from.
#[profile(expected = "a map with `repoURL`, `path`, `source`, ...", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifests {
    /// The repository holding the rendered tree or the profile (default `platform.repoURL`).
    #[serde(rename = "repoURL")]
    pub repo_url: Option<String>,
    /// Branch, tag or commit (default `platform.targetRevision`).
    pub target_revision: Option<String>,
    /// The folder in that repository: the `--out-dir` tree (holding `regions/<region>/`)
    /// or, for the plugin, the folder holding the profile (default `deploy`).
    #[profile(default = "deploy")]
    pub path: String,
    /// `rendered` (default: the `--out-dir` tree committed to Git, the "rendered
    /// manifests" pattern) or `plugin` (Argo CD runs `mplp-scale render --region` itself).
    #[serde(default)]
    pub source: ManifestSource,
    /// For `source: plugin`: the profile's file name in `path` (default `profile.yaml`).
    #[profile(default = "profile.yaml")]
    pub profile: String,
}

/// Where each region's rendered objects come from.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ManifestSource {
    /// The `--out-dir` tree committed to Git (`<path>/regions/<region>/`).
    #[default]
    Rendered,
    /// The mplp-scale Config Management Plugin, run by Argo CD at sync time.
    Plugin,
}

/// Argo CD settings of the Application.
#[profile(expected = "a map of Argo CD settings", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(clippy::struct_excessive_bools)] // each is one documented Argo CD switch
pub struct ArgoCd {
    /// Namespace of the Application (default `argocd`).
    #[profile(default = "argocd")]
    pub namespace: String,
    /// The Argo CD project (default `default`).
    #[profile(default = "default")]
    pub project: String,
    /// The destination cluster's API server (default `https://kubernetes.default.svc`).
    #[profile(default = "https://kubernetes.default.svc")]
    pub server: String,
    /// `syncPolicy.automated.prune` (default `true`).
    #[profile(default = true)]
    pub prune: bool,
    /// `syncPolicy.automated.selfHeal` (default `true`).
    #[profile(default = true)]
    pub self_heal: bool,
    /// Helm values as a structured `valuesObject` (default) or a `values` string.
    #[serde(default)]
    pub values_format: ValuesFormat,
    /// Deleting keeps the data (default `true`): the ApplicationSet's
    /// `preserveResourcesOnDeletion`, and `Prune=false,Delete=false` on every object
    /// that holds data (`Namespace`, `Cluster`, `ObjectStore`, `RedisCluster`).
    #[profile(default = true)]
    pub protect_data: bool,
    /// The ApplicationSet syncs the primary region first, then the others
    /// (`strategy: RollingSync`; needs the controller's progressive syncs, see
    /// docs/argocd.md) (default `true`).
    #[profile(default = true)]
    pub rolling_sync: bool,
}

/// How the Helm values reach Argo CD.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValuesFormat {
    /// `helm.valuesObject`: structured, diffable.
    #[default]
    Object,
    /// `helm.values`: one YAML string.
    String,
}

/// The scaling guide's `network.multiRegion` values, passed through to the chart.
#[profile(expected = "a map with `crossRegionLatency`, `replicationFactor`, `consistencyLevel`")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Network {
    /// Expected latency between regions, e.g. `100ms`.
    #[profile(expected = "a duration such as `100ms`")]
    pub cross_region_latency: String,
    /// How many regions hold each piece of state.
    #[profile(expected = "an integer")]
    pub replication_factor: i64,
    /// Consistency between regions, e.g. `eventual`.
    #[profile(expected = "a consistency level such as `eventual`")]
    pub consistency_level: String,
}

/// Istio routing, rendered in every region's cluster.
#[profile(expected = "a map with `host`, `service`, ...")]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Traffic {
    /// The public host, e.g. `api.mplp.example.com` (`*.` allowed).
    #[profile(expected = "the public host name")]
    pub host: String,
    /// The Istio gateway, `NAME` or `NAMESPACE/NAME` (none: mesh traffic only).
    pub gateway: Option<String>,
    /// Requests whose header of this name equals a region's name go to that region
    /// (default `region`).
    #[profile(default = "region")]
    pub region_header: String,
    /// The core service, in `namespace` in every region's cluster: the destination host is
    /// `<service>.<namespace>.svc.cluster.local`, with one subset per region.
    #[profile(expected = "the core service's name")]
    pub service: String,
    /// The destination port (default 80).
    #[profile(default = 80)]
    #[schemars(range(min = 1, max = 65535))]
    pub port: i64,
    /// The Istio API version of the Gateway, DestinationRule and VirtualService (default
    /// `networking.istio.io/v1`).
    #[serde(default)]
    pub api_version: IstioVersion,
    /// `weighted` (default: the default route splits traffic across the regions' subsets
    /// by their weights) or `localFirst` (each region serves its own traffic and fails over
    /// to the others through Istio locality load balancing).
    #[serde(default)]
    pub mode: TrafficMode,
    /// The Gateway rendered in every region when `gateway` is a bare name.
    #[serde(default)]
    pub ingress: Ingress,
}

/// How the default route spreads traffic.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TrafficMode {
    /// Across every region's subset, by the regions' weights.
    #[default]
    Weighted,
    /// To the local cluster's endpoints first, failing over to other regions.
    LocalFirst,
}

/// The Istio Gateway rendered in every region.
#[profile(expected = "a map with `selector`, `credentialName`", default)]
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ingress {
    /// The ingress gateway pods' labels (default `istio: ingressgateway`).
    #[serde(default = "default::ingress_selector")]
    pub selector: IndexMap<String, String>,
    /// The TLS Secret of the host's certificate, in the ingress gateway's namespace: when
    /// set, the Gateway serves HTTPS on 443 and redirects HTTP on 80.
    pub credential_name: Option<String>,
}

/// The Istio API version of the VirtualService.
#[profile]
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, JsonSchema)]
pub enum IstioVersion {
    /// Served and stored since Istio 1.22.
    #[serde(rename = "networking.istio.io/v1")]
    #[default]
    V1,
    /// Still served.
    #[serde(rename = "networking.istio.io/v1beta1")]
    V1beta1,
}

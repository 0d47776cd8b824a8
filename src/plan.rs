//! What to render: every object of the topology, in order, with a small typed context each.
//!
//! `plan` is where the profile's meaning is decided: defaults are filled in, region
//! overrides applied, names derived, and every choice a template would otherwise have
//! to make is made here. Templates then only lay the values out. The order of the
//! stream is fixed by [`Kind::ORDER`] within each scope: the global objects first, then
//! each region in the profile's order.

use std::sync::Arc;

use serde::Serialize;

use crate::effective::{
    CORE_MODULE, EffectiveModule, deployment_name, effective_module, overridden,
};
use crate::profile::{
    Metric, ObjectTarget, Profile, Region, ResourceList, ResourceTarget, Resources, Scalar,
    ScalingRules, ValuesFormat, Vpa,
};
use crate::yaml::quote;

/// The kinds we render, in stream order within a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Application,
    VirtualService,
    PolicyConfigMap,
    HorizontalPodAutoscaler,
    VerticalPodAutoscaler,
    ObjectStore,
    PostgresCluster,
    RedisConfigMap,
    RedisCluster,
}

impl Kind {
    /// The order of kinds in the stream (global kinds first).
    pub const ORDER: [Kind; 9] = [
        Kind::Application,
        Kind::VirtualService,
        Kind::PolicyConfigMap,
        Kind::HorizontalPodAutoscaler,
        Kind::VerticalPodAutoscaler,
        Kind::ObjectStore,
        Kind::PostgresCluster,
        Kind::RedisConfigMap,
        Kind::RedisCluster,
    ];

    /// The Kubernetes kind.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Kind::Application => "Application",
            Kind::VirtualService => "VirtualService",
            Kind::PolicyConfigMap | Kind::RedisConfigMap => "ConfigMap",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::VerticalPodAutoscaler => "VerticalPodAutoscaler",
            Kind::ObjectStore => "ObjectStore",
            Kind::PostgresCluster => "Cluster",
            Kind::RedisCluster => "RedisCluster",
        }
    }

    /// The template that lays this kind out.
    #[must_use]
    pub fn template(self) -> &'static str {
        match self {
            Kind::Application => "application.yaml.j2",
            Kind::VirtualService => "virtualservice.yaml.j2",
            Kind::PolicyConfigMap | Kind::RedisConfigMap => "configmap.yaml.j2",
            Kind::HorizontalPodAutoscaler => "horizontalpodautoscaler.yaml.j2",
            Kind::VerticalPodAutoscaler => "verticalpodautoscaler.yaml.j2",
            Kind::ObjectStore => "objectstore.yaml.j2",
            Kind::PostgresCluster => "cluster.yaml.j2",
            Kind::RedisCluster => "rediscluster.yaml.j2",
        }
    }
}

/// Which cluster an object is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The management cluster.
    Global,
    /// A region's cluster, by region name.
    Region(Arc<str>),
}

impl Scope {
    /// `global` or `regions/<name>`: the directory under `--out-dir` and the `# Source:` prefix.
    #[must_use]
    pub fn dir(&self) -> String {
        match self {
            Scope::Global => "global".to_owned(),
            Scope::Region(name) => format!("regions/{name}"),
        }
    }
}

/// One object to render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedObject {
    #[serde(skip)]
    pub scope: Scope,
    #[serde(skip)]
    pub kind: Kind,
    pub meta: Meta,
    pub spec: Spec,
}

impl PlannedObject {
    /// `<scope>/<Kind>/<name>.yaml`, as in the `# Source:` line.
    #[must_use]
    pub fn source(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write_source(&mut out);
        out
    }

    /// [`PlannedObject::source`], appended to `out` (the stream writes one per object).
    pub fn write_source(&self, out: &mut String) {
        match &self.scope {
            Scope::Global => out.push_str("global"),
            Scope::Region(name) => {
                out.push_str("regions/");
                out.push_str(name);
            }
        }
        out.push('/');
        out.push_str(self.kind.kind());
        out.push('/');
        out.push_str(&self.meta.name);
        out.push_str(".yaml");
    }
}

/// Metadata common to every object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    /// Shared by every object of a scope and component.
    pub labels: Arc<Vec<(String, String)>>,
}

/// The per-kind part of the context.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Spec {
    Application(Box<Application>),
    VirtualService(VirtualService),
    ConfigMap(Arc<ConfigMap>),
    /// Shared (the same `Arc`) by the regions where the module has no override: the
    /// renderer then renders it once and stamps the region in (see `render.rs`).
    Hpa(Arc<Hpa>),
    Vpa(Arc<VpaSpec>),
    ObjectStore(Arc<ObjectStore>),
    Cluster(Arc<Cluster>),
    RedisCluster(Arc<RedisCluster>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Application {
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
pub struct HelmValues {
    pub regions: Vec<RegionValues>,
    pub network: Option<NetworkValues>,
    pub postgres: Option<PostgresValues>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionValues {
    pub name: String,
    pub primary: bool,
    pub weight: i64,
    pub min: i64,
    pub max: i64,
    pub resources: Option<ResourcesCtx>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkValues {
    pub cross_region_latency: String,
    pub replication_factor: i64,
    pub consistency_level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostgresValues {
    pub primary_region: String,
    pub primary_instances: i64,
    pub read_replicas: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VirtualService {
    pub api_version: &'static str,
    pub host: String,
    pub gateway: Option<String>,
    pub header: String,
    pub port: i64,
    /// One header-matched route per region: (region, destination host).
    pub region_routes: Vec<(String, String)>,
    /// The weighted default route: (destination host, weight).
    pub default_route: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigMap {
    /// (key, text) pairs of `data`.
    pub data: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hpa {
    pub deployment: String,
    pub min: i64,
    pub max: i64,
    pub metrics: Vec<MetricCtx>,
    pub behavior: Option<BehaviorCtx>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricCtx {
    /// `Resource`, `Pods` or `Object`.
    pub source: &'static str,
    pub name: String,
    /// `Utilization`, `AverageValue` or `Value`.
    pub target_type: &'static str,
    pub utilization: Option<i64>,
    pub value: Option<String>,
    pub described_object: Option<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviorCtx {
    pub scale_up: Option<RulesCtx>,
    pub scale_down: Option<RulesCtx>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulesCtx {
    pub stabilization_window_seconds: Option<i64>,
    pub select_policy: Option<&'static str>,
    /// (type, value, periodSeconds)
    pub policies: Vec<(&'static str, i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpaSpec {
    pub target_api_version: &'static str,
    pub target_kind: &'static str,
    pub target_name: String,
    pub update_mode: &'static str,
    pub container: String,
    pub min_allowed: Vec<(&'static str, String)>,
    pub max_allowed: Vec<(&'static str, String)>,
    pub controlled_resources: Vec<&'static str>,
    pub controlled_values: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectStore {
    pub destination_path: String,
    pub endpoint_url: Option<String>,
    pub secret: String,
    pub access_key_id_key: String,
    pub secret_access_key_key: String,
    pub retention: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub instances: i64,
    pub image_name: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub resources: Option<ResourcesCtx>,
    pub storage_size: String,
    pub storage_class: Option<String>,
    /// The `ObjectStore` of this region (archiving on the primary, reading on replicas).
    pub object_store: Option<String>,
    /// For a replica cluster: the external cluster's name and the primary's server name.
    pub replica_of: Option<ReplicaOf>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaOf {
    pub source: String,
    pub server_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedisCluster {
    pub cluster_size: i64,
    pub version: String,
    pub image: String,
    pub persistence: bool,
    pub exporter: Option<(bool, String)>,
    pub resources: Option<ResourcesCtx>,
    pub storage_size: String,
    pub storage_class: Option<String>,
    pub pod_security_context: Vec<(&'static str, i64)>,
    pub config_map: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourcesCtx {
    pub requests: Vec<(&'static str, String)>,
    pub limits: Vec<(&'static str, String)>,
}

impl ResourcesCtx {
    fn new(resources: &Resources) -> Option<Self> {
        let ctx = Self {
            requests: list(&resources.requests),
            limits: list(&resources.limits),
        };
        (!ctx.requests.is_empty() || !ctx.limits.is_empty()).then_some(ctx)
    }
}

fn list(list: &ResourceList) -> Vec<(&'static str, String)> {
    list.entries()
        .into_iter()
        .map(|(name, q)| (name.as_str(), q.as_str().to_owned()))
        .collect()
}

/// Which objects to plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// Include the global objects.
    pub global: bool,
    /// Include these regions; `None` means every region.
    pub regions: Option<Vec<String>>,
}

impl Selection {
    /// Everything.
    #[must_use]
    pub fn all() -> Self {
        Self {
            global: true,
            regions: None,
        }
    }

    fn has_region(&self, name: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|r| r.iter().any(|x| x == name))
    }
}

/// Where a regional object names its region: the renderer writes the region's name
/// there (see `render.rs`), so that specs equal but for the region are shared. A NUL
/// cannot come from a profile (`load` refuses it in every string).
pub const REGION: &str = "\u{0}mplp-region\u{0}";

/// Plan the objects of a valid profile (validate first: plan assumes the rules hold).
#[must_use]
pub fn plan(profile: &Profile, selection: &Selection) -> Vec<PlannedObject> {
    let mut objects = Vec::new();
    if selection.global {
        objects.push(application(profile));
        objects.push(virtual_service(profile));
    }
    let primary = profile
        .regions
        .iter()
        .find(|(_, r)| r.primary)
        .map(|(name, _)| name.as_str());
    let mut shared = Shared::new(profile);
    for (region_name, region) in &profile.regions {
        if !selection.has_region(region_name) {
            continue;
        }
        plan_region(
            profile,
            &mut shared,
            region_name,
            region,
            primary,
            &mut objects,
        );
    }
    objects
}

/// The HPA and VPA of each module where no region override applies, built once and
/// shared by every such region (20,000 HPAs are 200 specs in a 100-region profile).
struct Shared {
    hpa: Vec<Arc<Hpa>>,
    vpa: Vec<Option<Arc<VpaSpec>>>,
    /// `mplp-<module>-hpa` and `mplp-<module>-vpa`.
    names: Vec<(Arc<str>, Arc<str>)>,
    /// The policy document of a region without overrides.
    policy_document: String,
    namespace: Arc<str>,
    /// The labels of regional objects, the region being [`REGION`].
    autoscaling: Arc<Vec<(String, String)>>,
    database: Arc<Vec<(String, String)>>,
    cache: Arc<Vec<(String, String)>>,
    /// Specs planned so far, to share equal ones between regions.
    config_maps: Vec<Arc<ConfigMap>>,
    vpas: Vec<Arc<VpaSpec>>,
    object_stores: Vec<Arc<ObjectStore>>,
    clusters: Vec<Arc<Cluster>>,
    redis_clusters: Vec<Arc<RedisCluster>>,
}

impl Shared {
    fn new(profile: &Profile) -> Self {
        let neutral = Region::without_overrides();
        let mut hpa = Vec::with_capacity(profile.modules.len());
        let mut vpa = Vec::with_capacity(profile.modules.len());
        for name in profile.modules.keys() {
            let module =
                effective_module(profile, &neutral, name).expect("a module of the profile");
            hpa.push(Arc::new(hpa_spec(&module)));
            vpa.push(module.vpa.map(|v| Arc::new(module_vpa_spec(&module, v))));
        }
        let names = profile
            .modules
            .keys()
            .map(|m| {
                (
                    Arc::from(format!("mplp-{m}-hpa")),
                    Arc::from(format!("mplp-{m}-vpa")),
                )
            })
            .collect();
        Self {
            hpa,
            vpa,
            names,
            policy_document: policy_document(profile, &neutral),
            namespace: Arc::from(profile.namespace.as_str()),
            autoscaling: Arc::new(labels("autoscaling", Some(REGION))),
            database: Arc::new(labels("database", Some(REGION))),
            cache: Arc::new(labels("cache", Some(REGION))),
            config_maps: Vec::new(),
            vpas: Vec::new(),
            object_stores: Vec::new(),
            clusters: Vec::new(),
            redis_clusters: Vec::new(),
        }
    }
}

fn labels(component: &str, region: Option<&str>) -> Vec<(String, String)> {
    let mut labels = vec![
        ("app.kubernetes.io/part-of".to_owned(), "mplp".to_owned()),
        (
            "app.kubernetes.io/managed-by".to_owned(),
            "mplp-scale".to_owned(),
        ),
        (
            "app.kubernetes.io/component".to_owned(),
            component.to_owned(),
        ),
    ];
    if let Some(region) = region {
        labels.push(("topology.mplp.io/region".to_owned(), region.to_owned()));
    }
    labels
}

/// The destination host of a region's core service.
#[must_use]
pub fn region_host(service: &str, region: &str) -> String {
    format!("{service}.{region}.svc.cluster.local")
}

fn application(profile: &Profile) -> PlannedObject {
    let platform = &profile.platform;
    let primary = profile.regions.iter().find(|(_, r)| r.primary);
    let regions = profile
        .regions
        .iter()
        .map(|(name, region)| {
            let core = effective_module(profile, region, CORE_MODULE);
            let range = core.map_or(region.replicas, |c| Some(c.replicas));
            RegionValues {
                name: name.clone(),
                primary: region.primary,
                weight: region.weight,
                min: range.map_or(0, |r| r.min),
                max: range.map_or(0, |r| r.max),
                resources: region.resources.as_ref().and_then(ResourcesCtx::new),
            }
        })
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
    let network = platform.network.as_ref().map(|n| NetworkValues {
        cross_region_latency: n.cross_region_latency.clone(),
        replication_factor: n.replication_factor,
        consistency_level: n.consistency_level.clone(),
    });
    PlannedObject {
        scope: Scope::Global,
        kind: Kind::Application,
        meta: Meta {
            name: Arc::from("mplp-global"),
            namespace: Arc::from(platform.argocd.namespace.as_str()),
            labels: Arc::new(labels("gitops", None)),
        },
        spec: Spec::Application(Box::new(Application {
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
        })),
    }
}

fn virtual_service(profile: &Profile) -> PlannedObject {
    let traffic = &profile.traffic;
    let host = |region: &str| region_host(&traffic.service, region);
    PlannedObject {
        scope: Scope::Global,
        kind: Kind::VirtualService,
        meta: Meta {
            name: Arc::from("mplp-global-traffic"),
            namespace: Arc::from(profile.namespace.as_str()),
            labels: Arc::new(labels("traffic", None)),
        },
        spec: Spec::VirtualService(VirtualService {
            api_version: match traffic.api_version {
                crate::profile::IstioVersion::V1 => "networking.istio.io/v1",
                crate::profile::IstioVersion::V1beta1 => "networking.istio.io/v1beta1",
            },
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
        }),
    }
}

fn plan_region(
    profile: &Profile,
    shared: &mut Shared,
    region_name: &str,
    region: &Region,
    primary: Option<&str>,
    objects: &mut Vec<PlannedObject>,
) {
    let scope = Scope::Region(Arc::from(region_name));
    let meta = |name: Arc<str>, labels: &Arc<Vec<(String, String)>>| Meta {
        name,
        namespace: Arc::clone(&shared.namespace),
        labels: Arc::clone(labels),
    };
    let policies_overridden = profile
        .modules
        .iter()
        .any(|(name, m)| !m.policy.is_empty() && overridden(region, name));
    let object = |kind: Kind, meta: Meta, spec: Spec| PlannedObject {
        scope: scope.clone(),
        kind,
        meta,
        spec,
    };

    let policies = intern(
        &mut shared.config_maps,
        ConfigMap {
            data: vec![
                ("region".to_owned(), REGION.to_owned()),
                (
                    "scaling-policy.yaml".to_owned(),
                    if policies_overridden {
                        policy_document(profile, region)
                    } else {
                        shared.policy_document.clone()
                    },
                ),
            ],
        },
    );
    objects.push(object(
        Kind::PolicyConfigMap,
        meta(Arc::from("mplp-scaling-policies"), &shared.autoscaling),
        Spec::ConfigMap(policies),
    ));

    // Each module's HPA, then each VPA: shared specs where the region changes nothing.
    let mut vpas = Vec::new();
    for (i, name) in profile.modules.keys().enumerate() {
        let (hpa, vpa) = if overridden(region, name) {
            let module = effective_module(profile, region, name).expect("a module of the profile");
            let vpa = module.vpa.map(|v| Arc::new(module_vpa_spec(&module, v)));
            (Arc::new(hpa_spec(&module)), vpa)
        } else {
            (Arc::clone(&shared.hpa[i]), shared.vpa[i].clone())
        };
        objects.push(object(
            Kind::HorizontalPodAutoscaler,
            meta(Arc::clone(&shared.names[i].0), &shared.autoscaling),
            Spec::Hpa(hpa),
        ));
        if let Some(vpa) = vpa {
            vpas.push(object(
                Kind::VerticalPodAutoscaler,
                meta(Arc::clone(&shared.names[i].1), &shared.autoscaling),
                Spec::Vpa(vpa),
            ));
        }
    }
    objects.append(&mut vpas);

    if let Some(pg) = &profile.postgres {
        if let Some(vpa) = &pg.vpa {
            let spec = intern(
                &mut shared.vpas,
                vpa_spec(
                    vpa,
                    ("postgresql.cnpg.io/v1", "Cluster", pg.name.clone()),
                    "postgres".to_owned(),
                ),
            );
            objects.push(object(
                Kind::VerticalPodAutoscaler,
                meta(Arc::from(format!("{}-vpa", pg.name)), &shared.database),
                Spec::Vpa(spec),
            ));
        }
        let store = format!("{}-backup", pg.name);
        let is_primary = region.primary;
        if let Some(backup) = &pg.backup {
            let spec = intern(
                &mut shared.object_stores,
                ObjectStore {
                    destination_path: backup.destination_path.clone(),
                    endpoint_url: backup.endpoint_url.clone(),
                    secret: backup.credentials_secret.clone(),
                    access_key_id_key: backup.access_key_id_key.clone(),
                    secret_access_key_key: backup.secret_access_key_key.clone(),
                    // Retention is enforced where the archive is written: the primary's store.
                    retention: if is_primary {
                        backup.retention.clone()
                    } else {
                        None
                    },
                },
            );
            objects.push(object(
                Kind::ObjectStore,
                meta(Arc::from(store.as_str()), &shared.database),
                Spec::ObjectStore(spec),
            ));
        }
        let replica_of = match (is_primary, primary, &pg.backup) {
            (false, Some(primary), Some(_)) => Some(ReplicaOf {
                source: format!("{}-{primary}", pg.name),
                server_name: pg.name.clone(),
            }),
            _ => None,
        };
        let spec = intern(
            &mut shared.clusters,
            Cluster {
                instances: region
                    .postgres
                    .as_ref()
                    .and_then(|p| p.instances)
                    .unwrap_or(pg.instances),
                image_name: pg.image_name.clone(),
                parameters: pg
                    .parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                resources: pg.resources.as_ref().and_then(ResourcesCtx::new),
                storage_size: pg.storage.size.as_str().to_owned(),
                storage_class: pg.storage.storage_class.clone(),
                object_store: pg.backup.as_ref().map(|_| store),
                replica_of,
            },
        );
        objects.push(object(
            Kind::PostgresCluster,
            meta(Arc::from(pg.name.as_str()), &shared.database),
            Spec::Cluster(spec),
        ));
    }
    if let Some(redis) = &profile.redis {
        let config_map = format!("{}-config", redis.name);
        if !redis.config.is_empty() {
            let mut conf = String::new();
            for (key, value) in &redis.config {
                conf.push_str(key);
                conf.push(' ');
                conf.push_str(value);
                conf.push('\n');
            }
            let spec = intern(
                &mut shared.config_maps,
                ConfigMap {
                    data: vec![("redis-additional.conf".to_owned(), conf)],
                },
            );
            objects.push(object(
                Kind::RedisConfigMap,
                meta(Arc::from(config_map.as_str()), &shared.cache),
                Spec::ConfigMap(spec),
            ));
        }
        let psc = redis
            .pod_security_context
            .as_ref()
            .map(|p| {
                [
                    ("runAsUser", p.run_as_user),
                    ("runAsGroup", p.run_as_group),
                    ("fsGroup", p.fs_group),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect()
            })
            .unwrap_or_default();
        let spec = intern(
            &mut shared.redis_clusters,
            RedisCluster {
                cluster_size: redis.cluster_size,
                version: redis.version.clone(),
                image: redis.image.clone(),
                persistence: redis.persistence,
                exporter: redis
                    .exporter
                    .as_ref()
                    .map(|e| (e.enabled, e.image.clone())),
                resources: redis.resources.as_ref().and_then(ResourcesCtx::new),
                storage_size: redis.storage.size.as_str().to_owned(),
                storage_class: redis.storage.storage_class.clone(),
                pod_security_context: psc,
                config_map: (!redis.config.is_empty()).then_some(config_map),
            },
        );
        objects.push(object(
            Kind::RedisCluster,
            meta(Arc::from(redis.name.as_str()), &shared.cache),
            Spec::RedisCluster(spec),
        ));
    }
}

/// The spec equal to `value` among those already planned, or `value`, now shared.
fn intern<T: PartialEq>(pool: &mut Vec<Arc<T>>, value: T) -> Arc<T> {
    if let Some(existing) = pool.iter().find(|p| ***p == value) {
        return Arc::clone(existing);
    }
    let new = Arc::new(value);
    pool.push(Arc::clone(&new));
    new
}

fn hpa_spec(module: &EffectiveModule<'_>) -> Hpa {
    let metrics = module
        .metrics
        .iter()
        .map(|m| match m {
            Metric::Resource { name, target } => {
                let (target_type, utilization, value) = match target {
                    ResourceTarget::Utilization(u) => ("Utilization", Some(*u), None),
                    ResourceTarget::AverageValue(q) => {
                        ("AverageValue", None, Some(q.as_str().to_owned()))
                    }
                };
                MetricCtx {
                    source: "Resource",
                    name: name.as_str().to_owned(),
                    target_type,
                    utilization,
                    value,
                    described_object: None,
                }
            }
            Metric::Pods {
                name,
                average_value,
            } => MetricCtx {
                source: "Pods",
                name: name.clone(),
                target_type: "AverageValue",
                utilization: None,
                value: Some(average_value.as_str().to_owned()),
                described_object: None,
            },
            Metric::Object {
                name,
                described_object,
                target,
            } => {
                let (target_type, q) = match target {
                    ObjectTarget::Value(q) => ("Value", q),
                    ObjectTarget::AverageValue(q) => ("AverageValue", q),
                };
                MetricCtx {
                    source: "Object",
                    name: name.clone(),
                    target_type,
                    utilization: None,
                    value: Some(q.as_str().to_owned()),
                    described_object: Some((
                        described_object.api_version.clone(),
                        described_object.kind.clone(),
                        described_object.name.clone(),
                    )),
                }
            }
        })
        .collect();
    let rules = |r: &ScalingRules| RulesCtx {
        stabilization_window_seconds: r.stabilization_window_seconds,
        select_policy: r.select_policy.map(crate::profile::SelectPolicy::as_str),
        policies: r
            .policies
            .iter()
            .map(|p| (p.kind.as_str(), p.value, p.period_seconds))
            .collect(),
    };
    Hpa {
        deployment: module.deployment.clone(),
        min: module.replicas.min,
        max: module.replicas.max,
        metrics,
        behavior: module.behavior.as_ref().map(|b| BehaviorCtx {
            scale_up: b.scale_up.as_ref().map(rules),
            scale_down: b.scale_down.as_ref().map(rules),
        }),
    }
}

fn module_vpa_spec(module: &EffectiveModule<'_>, vpa: &Vpa) -> VpaSpec {
    vpa_spec(
        vpa,
        ("apps/v1", "Deployment", module.deployment.clone()),
        vpa.container_name
            .clone()
            .unwrap_or_else(|| module.deployment.clone()),
    )
}

fn vpa_spec(vpa: &Vpa, target: (&'static str, &'static str, String), container: String) -> VpaSpec {
    VpaSpec {
        target_api_version: target.0,
        target_kind: target.1,
        target_name: target.2,
        update_mode: vpa.update_mode.as_str(),
        container,
        min_allowed: list(&vpa.min_allowed),
        max_allowed: list(&vpa.max_allowed),
        controlled_resources: vpa
            .controlled()
            .into_iter()
            .map(super::profile::ResourceName::as_str)
            .collect(),
        controlled_values: vpa
            .controlled_values
            .map(super::profile::ControlledValues::as_str),
    }
}

/// The seed's scaling-policy document for one region, as YAML text.
///
/// It is a document inside a `ConfigMap` value, so it is built here, with every scalar
/// written as a double-quoted (JSON) string or a plain number; the `ConfigMap` template
/// then embeds the whole text escaped.
fn policy_document(profile: &Profile, region: &Region) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let listed: Vec<EffectiveModule<'_>> = profile
        .modules
        .iter()
        .filter(|(_, m)| !m.policy.is_empty())
        .filter_map(|(name, _)| effective_module(profile, region, name))
        .collect();
    if listed.is_empty() {
        out.push_str("policies: []\n");
        return out;
    }
    out.push_str("policies:\n");
    for module in listed {
        let rules = &profile.modules[module.name].policy;
        let _ = writeln!(
            out,
            "  - name: {}",
            quote(&format!("{}-module", module.name))
        );
        let _ = writeln!(out, "    minReplicas: {}", module.replicas.min);
        let _ = writeln!(out, "    maxReplicas: {}", module.replicas.max);
        out.push_str("    metrics:\n");
        for rule in rules {
            let _ = writeln!(out, "      - name: {}", quote(&rule.metric));
            let _ = writeln!(out, "        threshold: {}", scalar(&rule.threshold));
            if let Some(f) = &rule.scale_up_factor {
                let _ = writeln!(out, "        scaleUpFactor: {}", scalar(f));
            }
            if let Some(f) = &rule.scale_down_factor {
                let _ = writeln!(out, "        scaleDownFactor: {}", scalar(f));
            }
        }
    }
    out
}

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Number(n) => n.clone(),
        Scalar::Text(t) => quote(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Input, load};
    use crate::profile::Replicas;

    fn default_profile() -> Profile {
        load(&[], &[]).unwrap().profile.unwrap()
    }

    #[test]
    fn the_default_profile_plans_the_whole_topology() {
        let objects = plan(&default_profile(), &Selection::all());
        let count = |k: Kind| objects.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(Kind::Application), 1);
        assert_eq!(count(Kind::VirtualService), 1);
        assert_eq!(count(Kind::HorizontalPodAutoscaler), 30);
        assert_eq!(count(Kind::PostgresCluster), 3);
        assert_eq!(count(Kind::RedisCluster), 3);
        assert_eq!(count(Kind::VerticalPodAutoscaler), 6);
        // Stream order: global first, then regions in profile order, kinds in ORDER.
        let mut last = (0usize, 0usize);
        let region_index = |s: &Scope| match s {
            Scope::Global => 0,
            Scope::Region(r) => {
                1 + ["us-east-1", "eu-west-1", "ap-southeast-1"]
                    .iter()
                    .position(|x| **x == **r)
                    .unwrap()
            }
        };
        for o in &objects {
            let key = (
                region_index(&o.scope),
                Kind::ORDER.iter().position(|k| *k == o.kind).unwrap(),
            );
            assert!(key >= last, "{} out of order", o.source());
            last = key;
        }
    }

    #[test]
    fn regions_set_the_core_range_and_overrides_win() {
        let overlay = Input::Text {
            name: "o.yaml".into(),
            text: "regions:\n  eu-west-1:\n    modules:\n      core: {replicas: {min: 4, max: 9}}\n      network: {replicas: {min: 2, max: 8}}\n".into(),
        };
        let profile = load(&[Input::Default, overlay], &[])
            .unwrap()
            .profile
            .unwrap();
        let range = |region: &str, module: &str| {
            effective_module(&profile, &profile.regions[region], module)
                .unwrap()
                .replicas
        };
        assert_eq!(range("us-east-1", "core"), Replicas { min: 3, max: 20 });
        assert_eq!(
            range("ap-southeast-1", "core"),
            Replicas { min: 2, max: 10 }
        );
        assert_eq!(range("eu-west-1", "core"), Replicas { min: 4, max: 9 });
        assert_eq!(range("eu-west-1", "network"), Replicas { min: 2, max: 8 });
        assert_eq!(range("us-east-1", "network"), Replicas { min: 2, max: 15 });
    }

    #[test]
    fn modules_without_metrics_or_behavior_take_the_defaults() {
        let profile = default_profile();
        let region = &profile.regions["us-east-1"];
        let plan_ = effective_module(&profile, region, "plan").unwrap();
        assert_eq!(plan_.metrics, profile.defaults.metrics.as_deref().unwrap());
        assert_eq!(plan_.behavior.as_ref(), profile.defaults.behavior.as_ref());
        let core = effective_module(&profile, region, "core").unwrap();
        assert_eq!(core.metrics.len(), 6);
    }

    #[test]
    fn replica_clusters_read_the_primary_archive() {
        let objects = plan(
            &default_profile(),
            &Selection {
                global: false,
                regions: Some(vec!["eu-west-1".into()]),
            },
        );
        assert!(
            objects
                .iter()
                .all(|o| o.scope == Scope::Region("eu-west-1".into()))
        );
        let cluster = objects
            .iter()
            .find_map(|o| match &o.spec {
                Spec::Cluster(c) => Some(c),
                _ => None,
            })
            .unwrap();
        assert_eq!(cluster.instances, 2);
        assert_eq!(
            cluster.replica_of,
            Some(ReplicaOf {
                source: "postgresql-cluster-us-east-1".into(),
                server_name: "postgresql-cluster".into()
            })
        );
        let store = objects
            .iter()
            .find_map(|o| match &o.spec {
                Spec::ObjectStore(s) => Some(s),
                _ => None,
            })
            .unwrap();
        assert_eq!(store.retention, None);
    }

    #[test]
    fn policy_document_quotes_text_and_keeps_numbers() {
        let profile = default_profile();
        let doc = policy_document(&profile, &profile.regions["eu-west-1"]);
        assert!(
            doc.starts_with(
                "policies:\n  - name: \"context-module\"\n    minReplicas: 2\n    maxReplicas: 10\n"
            ),
            "{doc}"
        );
        assert!(doc.contains("threshold: \"200ms\""), "{doc}");
        assert!(doc.contains("threshold: 0.95"), "{doc}");
        assert!(doc.contains("scaleDownFactor: 0.5"), "{doc}");
    }
}

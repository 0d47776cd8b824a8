//! How the platform settings read themselves: Argo CD delivery and Istio traffic.

use super::KnownFields;
use crate::load::{Cx, FromNode};
use crate::node::Node;
use crate::profile::{
    ArgoCd, Delivery, Ingress, IstioVersion, ManifestSource, Manifests, Network, Platform, Traffic,
    TrafficMode, ValuesFormat, Versions, default,
};

impl Delivery {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, Delivery)] = &[
        ("applicationSet", Delivery::ApplicationSet),
        ("application", Delivery::Application),
    ];
}

impl ManifestSource {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, ManifestSource)] = &[
        ("rendered", ManifestSource::Rendered),
        ("plugin", ManifestSource::Plugin),
    ];
}

impl TrafficMode {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, TrafficMode)] = &[
        ("weighted", TrafficMode::Weighted),
        ("localFirst", TrafficMode::LocalFirst),
    ];
}

impl Manifests {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] =
        &["repoURL", "targetRevision", "path", "source", "profile"];
}

impl FromNode for Manifests {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = Manifests::default();
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `repoURL`, `path`, `source`, ...",
            Self::KEYS,
        )?;
        let repo_url = f.opt(cx, "repoURL");
        let target_revision = f.opt(cx, "targetRevision");
        let path = f.opt(cx, "path");
        let source = f.opt_with(cx, "source", |n, cx| cx.choice(n, ManifestSource::CHOICES));
        let profile = f.opt(cx, "profile");
        f.finish(cx)?;
        Some(Manifests {
            repo_url,
            target_revision,
            path: path.unwrap_or(d.path),
            source: source.unwrap_or(d.source),
            profile: profile.unwrap_or(d.profile),
        })
    }
}

impl Ingress {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["selector", "credentialName"];
}

impl FromNode for Ingress {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = Ingress::default();
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `selector`, `credentialName`",
            Self::KEYS,
        )?;
        let selector = f.opt(cx, "selector");
        let credential_name = f.opt(cx, "credentialName");
        f.finish(cx)?;
        Some(Ingress {
            selector: selector.unwrap_or(d.selector),
            credential_name,
        })
    }
}

impl ValuesFormat {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, ValuesFormat)] = &[
        ("object", ValuesFormat::Object),
        ("string", ValuesFormat::String),
    ];
}

impl IstioVersion {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, IstioVersion)] = &[
        ("networking.istio.io/v1", IstioVersion::V1),
        ("networking.istio.io/v1beta1", IstioVersion::V1beta1),
    ];
}

impl Platform {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "repoURL",
        "path",
        "targetRevision",
        "argocd",
        "delivery",
        "manifests",
        "network",
        "kubernetesVersion",
        "versions",
    ];
}

impl Versions {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["keda", "cnpg", "vpa", "istio", "argocd"];
}

impl FromNode for Versions {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a map of operator versions (`keda`, `cnpg`, `vpa`, `istio`, `argocd`)";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let keda = f.opt_with(cx, "keda", version);
        let cnpg = f.opt_with(cx, "cnpg", version);
        let vpa = f.opt_with(cx, "vpa", version);
        let istio = f.opt_with(cx, "istio", version);
        let argocd = f.opt_with(cx, "argocd", version);
        f.finish(cx)?;
        Some(Versions {
            keda,
            cnpg,
            vpa,
            istio,
            argocd,
        })
    }
}

/// A version, written as a string (`"1.30"`) or, as YAML reads `1.30`, a number: its
/// text as written either way (`validate` checks its form).
fn version(node: &Node, cx: &mut Cx) -> Option<String> {
    match &node.value {
        crate::node::Value::Float(_, raw) | crate::node::Value::Int(_, raw) => Some(raw.clone()),
        _ => String::from_node(node, cx),
    }
}

impl FromNode for Platform {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `repoURL`, `path`, ...", Self::KEYS)?;
        let repo_url = f.req(cx, "repoURL", "the chart repository URL");
        let path = f.req(cx, "path", "the chart's path in the repository");
        let target_revision = f.opt(cx, "targetRevision");
        let argocd = f.opt(cx, "argocd");
        let delivery = f.opt_with(cx, "delivery", |n, cx| cx.choice(n, Delivery::CHOICES));
        let manifests = f.opt(cx, "manifests");
        let network = f.opt(cx, "network");
        let kubernetes_version = f.opt_with(cx, "kubernetesVersion", version);
        let versions = f.opt(cx, "versions");
        f.finish(cx)?;
        Some(Platform {
            repo_url: repo_url?,
            path: path?,
            target_revision: target_revision.unwrap_or_else(default::target_revision),
            argocd: argocd.unwrap_or_default(),
            delivery: delivery.unwrap_or_default(),
            manifests: manifests.unwrap_or_default(),
            network,
            kubernetes_version,
            versions: versions.unwrap_or_default(),
        })
    }
}

impl ArgoCd {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "namespace",
        "project",
        "server",
        "prune",
        "selfHeal",
        "valuesFormat",
        "protectData",
        "rollingSync",
    ];
}

impl FromNode for ArgoCd {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = ArgoCd::default();
        let mut f = KnownFields::new(node, cx, "a map of Argo CD settings", Self::KEYS)?;
        let namespace = f.opt(cx, "namespace");
        let project = f.opt(cx, "project");
        let server = f.opt(cx, "server");
        let prune = f.opt(cx, "prune");
        let self_heal = f.opt(cx, "selfHeal");
        let values_format = f.opt_with(cx, "valuesFormat", |n, cx| {
            cx.choice(n, ValuesFormat::CHOICES)
        });
        let protect_data = f.opt(cx, "protectData");
        let rolling_sync = f.opt(cx, "rollingSync");
        f.finish(cx)?;
        Some(ArgoCd {
            namespace: namespace.unwrap_or(d.namespace),
            project: project.unwrap_or(d.project),
            server: server.unwrap_or(d.server),
            prune: prune.unwrap_or(d.prune),
            self_heal: self_heal.unwrap_or(d.self_heal),
            values_format: values_format.unwrap_or(d.values_format),
            protect_data: protect_data.unwrap_or(d.protect_data),
            rolling_sync: rolling_sync.unwrap_or(d.rolling_sync),
        })
    }
}

impl Network {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "crossRegionLatency",
        "replicationFactor",
        "consistencyLevel",
    ];
}

impl FromNode for Network {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(
            node,
            cx,
            "a map with `crossRegionLatency`, `replicationFactor`, `consistencyLevel`",
            Self::KEYS,
        )?;
        let cross_region_latency = f.req(cx, "crossRegionLatency", "a duration such as `100ms`");
        let replication_factor = f.req(cx, "replicationFactor", "an integer");
        let consistency_level = f.req(
            cx,
            "consistencyLevel",
            "a consistency level such as `eventual`",
        );
        f.finish(cx)?;
        Some(Network {
            cross_region_latency: cross_region_latency?,
            replication_factor: replication_factor?,
            consistency_level: consistency_level?,
        })
    }
}

impl Traffic {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "host",
        "gateway",
        "regionHeader",
        "service",
        "port",
        "apiVersion",
        "mode",
        "ingress",
    ];
}

impl FromNode for Traffic {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = KnownFields::new(node, cx, "a map with `host`, `service`, ...", Self::KEYS)?;
        let host = f.req(cx, "host", "the public host name");
        let gateway = f.opt(cx, "gateway");
        let region_header = f.opt(cx, "regionHeader");
        let service = f.req(cx, "service", "the core service's name");
        let port = f.opt(cx, "port");
        let api_version = f.opt_with(cx, "apiVersion", |n, cx| {
            cx.choice(n, IstioVersion::CHOICES)
        });
        let mode = f.opt_with(cx, "mode", |n, cx| cx.choice(n, TrafficMode::CHOICES));
        let ingress = f.opt(cx, "ingress");
        f.finish(cx)?;
        Some(Traffic {
            host: host?,
            gateway,
            region_header: region_header.unwrap_or_else(default::region_header),
            service: service?,
            port: port.unwrap_or_else(default::port),
            api_version: api_version.unwrap_or_default(),
            mode: mode.unwrap_or_default(),
            ingress: ingress.unwrap_or_default(),
        })
    }
}

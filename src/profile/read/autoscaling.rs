//! How the autoscaling parts of the profile (`profile/autoscaling.rs`) read themselves:
//! metric sources, the metrics adapter, disruption budgets. Same conventions as
//! `read.rs`: each map lists its keys once (`KEYS`), each enum its strings (`CHOICES`).

use super::KnownFields;
use crate::diagnostic::Code;
use crate::load::{Cx, FromNode};
use crate::node::{Node, Value};
use crate::profile::autoscaling::{
    AuthMode, Autoscaling, Backend, EvictionPolicy, IntOrPercent, MetricSource, MetricsAdapter,
    Pdb, Prometheus, PrometheusAuth, SeriesKind,
};
use crate::profile::default;

impl Backend {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, Backend)] =
        &[("hpa", Backend::Hpa), ("keda", Backend::Keda)];
}

impl AuthMode {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, AuthMode)] =
        &[("bearer", AuthMode::Bearer), ("basic", AuthMode::Basic)];
}

impl Autoscaling {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["backend", "prometheus"];
}

impl FromNode for Autoscaling {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a map with `backend` and `prometheus`";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let backend = f.opt_with(cx, "backend", |n, cx| cx.choice(n, Backend::CHOICES));
        let prometheus = f.opt(cx, "prometheus");
        f.finish(cx)?;
        Some(Autoscaling {
            backend: backend.unwrap_or_default(),
            prometheus: prometheus.unwrap_or_default(),
        })
    }
}

impl Prometheus {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["serverAddress", "auth"];
}

impl FromNode for Prometheus {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a map with `serverAddress` and `auth`";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let server_address = f.opt(cx, "serverAddress");
        let auth = f.opt(cx, "auth");
        f.finish(cx)?;
        Some(Prometheus {
            server_address: server_address.unwrap_or_else(default::prometheus_server_address),
            auth,
        })
    }
}

impl PrometheusAuth {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] =
        &["mode", "secret", "tokenKey", "usernameKey", "passwordKey"];
}

impl FromNode for PrometheusAuth {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a map with `mode` and `secret`";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let mode = f.req_with(cx, "mode", "`bearer` or `basic`", |n, cx| {
            cx.choice(n, AuthMode::CHOICES)
        });
        let secret = f.req(cx, "secret", "the Secret holding the credentials");
        let token_key = f.opt(cx, "tokenKey");
        let username_key = f.opt(cx, "usernameKey");
        let password_key = f.opt(cx, "passwordKey");
        f.finish(cx)?;
        Some(PrometheusAuth {
            mode: mode?,
            secret: secret?,
            token_key,
            username_key,
            password_key,
        })
    }
}

impl SeriesKind {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, SeriesKind)] = &[
        ("counter", SeriesKind::Counter),
        ("gauge", SeriesKind::Gauge),
    ];
}

impl EvictionPolicy {
    /// The strings this enum is written as (see the module docs).
    pub(in crate::profile) const CHOICES: &[(&str, EvictionPolicy)] = &[
        ("AlwaysAllow", EvictionPolicy::AlwaysAllow),
        ("IfHealthyBudget", EvictionPolicy::IfHealthyBudget),
    ];
}

impl MetricSource {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] =
        &["series", "kind", "query", "queue", "activationThreshold"];
}

impl FromNode for MetricSource {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a metric source (a map with `series`, `kind`, ...)";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let series = f.opt(cx, "series");
        let kind = f.opt_with(cx, "kind", |n, cx| cx.choice(n, SeriesKind::CHOICES));
        let query = f.opt(cx, "query");
        let queue = f.opt(cx, "queue");
        let activation_threshold = f.opt(cx, "activationThreshold");
        f.finish(cx)?;
        Some(MetricSource {
            series,
            kind: kind.unwrap_or_default(),
            query,
            queue: queue.unwrap_or(false),
            activation_threshold,
        })
    }
}

impl MetricsAdapter {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &["name", "namespace", "rateInterval"];
}

impl FromNode for MetricsAdapter {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let d = MetricsAdapter::default();
        let what = "a map with `name`, `namespace`, `rateInterval`";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let name = f.opt(cx, "name");
        let namespace = f.opt(cx, "namespace");
        let rate_interval = f.opt(cx, "rateInterval");
        f.finish(cx)?;
        Some(MetricsAdapter {
            name: name.unwrap_or(d.name),
            namespace: namespace.unwrap_or(d.namespace),
            rate_interval: rate_interval.unwrap_or(d.rate_interval),
        })
    }
}

impl Pdb {
    /// The keys this type's map has (see [`KnownFields`]).
    pub(in crate::profile) const KEYS: &[&str] = &[
        "enabled",
        "minAvailable",
        "maxUnavailable",
        "unhealthyPodEvictionPolicy",
    ];
}

impl FromNode for Pdb {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let what = "a disruption budget (a map with `maxUnavailable` or `minAvailable`)";
        let mut f = KnownFields::new(node, cx, what, Self::KEYS)?;
        let enabled = f.opt(cx, "enabled");
        let min_available = f.opt(cx, "minAvailable");
        let max_unavailable = f.opt(cx, "maxUnavailable");
        let unhealthy_pod_eviction_policy =
            f.opt_with(cx, "unhealthyPodEvictionPolicy", |n, cx| {
                cx.choice(n, EvictionPolicy::CHOICES)
            });
        f.finish(cx)?;
        Some(Pdb {
            enabled,
            min_available,
            max_unavailable,
            unhealthy_pod_eviction_policy,
        })
    }
}

impl FromNode for IntOrPercent {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let expected = "a number of pods (`1`) or a percentage (`\"25%\"`)";
        match &node.value {
            Value::Int(n, _) if *n >= 0 => Some(IntOrPercent::Int(*n)),
            Value::Str(s) => {
                let number = s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok());
                match number {
                    Some(p) if (0..=100).contains(&p) => Some(IntOrPercent::Percent(p)),
                    _ => {
                        cx.error(
                            Code::WrongType,
                            node,
                            format!("`{}` is not {expected}", crate::load::shorten(s)),
                        );
                        None
                    }
                }
            }
            _ => {
                cx.wrong_type(node, expected);
                None
            }
        }
    }
}

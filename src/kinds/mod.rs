//! One module per object kind, and [`KINDS`], the table that lists them in stream order.
//!
//! A kind's module owns everything about it: its `apiVersion` and `kind`, whether its
//! objects are global or regional, its template, how `lint --crds` checks it, and how
//! its objects are planned from the profile (its [`KindInfo`]). Nothing else in the crate
//! names a kind: `plan` walks [`KINDS`], `render` registers every kind's templates and
//! `crds` follows every kind's [`Check`]. Adding a kind is its module, its template under
//! `templates/`, and one line in [`KINDS`] (`docs/architecture.md` has the recipe).
//!
//! Planning fills a [`Body`]: the template's context, built once and rendered at most
//! once. Objects that are equal but for their metadata (the same HPA in every region
//! without an override) share one `Arc<Body>`, so a 100-region profile renders each
//! module's HPA template once, not a hundred times.

pub(crate) mod application;
pub(crate) mod application_set;
mod chart;
pub(crate) mod cnpg_cluster;
pub(crate) mod destination_rule;
mod document;
pub(crate) mod gateway;
pub(crate) mod hpa;
mod labels;
pub(crate) mod metrics_adapter;
pub(crate) mod namespace;
pub(crate) mod object_store;
pub(crate) mod pdb;
pub(crate) mod pod_monitor;
pub(crate) mod policies;
pub(crate) mod pooler;
pub(crate) mod redis_cluster;
pub(crate) mod redis_config;
pub(crate) mod scaled_object;
pub(crate) mod scheduled_backup;
pub(crate) mod trigger_authentication;
pub(crate) mod virtual_service;
pub(crate) mod vpa;

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use crate::effective::{EffectiveModule, effective_module};
use crate::plan::{PlannedObject, Scope};
use crate::profile::{Backend, Profile, Region, ResourceList, Resources};
pub(crate) use labels::Labels;
use labels::labels;

/// Every kind, in stream order within a scope (global kinds first).
pub(crate) static KINDS: &[&KindInfo] = &[
    &application_set::INFO,
    &application::INFO,
    &namespace::INFO,
    &gateway::INFO,
    &destination_rule::INFO,
    &virtual_service::INFO,
    &policies::INFO,
    &hpa::INFO,
    &trigger_authentication::INFO,
    &scaled_object::INFO,
    &pdb::INFO,
    &metrics_adapter::INFO,
    &vpa::INFO,
    &object_store::INFO,
    &cnpg_cluster::INFO,
    &scheduled_backup::INFO,
    &pooler::INFO,
    &pooler::BUDGET,
    &pod_monitor::DATABASE,
    &redis_config::INFO,
    &redis_cluster::INFO,
    &pod_monitor::CACHE,
];

/// The kinds whose objects hold data: deleting one deletes the data (a `Cluster`'s
/// PVCs are owned by it, a `RedisCluster`'s too; an `ObjectStore` is the way to the
/// archive; a `Namespace` takes everything in it). With `platform.argocd.protectData`
/// they carry [`SYNC_OPTIONS`], and `diff` warns when one is removed or renamed.
pub(crate) static DATA_HOLDERS: &[&KindInfo] = &[
    &namespace::INFO,
    &object_store::INFO,
    &cnpg_cluster::INFO,
    &redis_cluster::INFO,
];

/// The `metadata.annotations` entry of a data-holding object: Argo CD neither prunes
/// nor deletes it (argo-cd `docs/user-guide/sync-options.md`, "No Prune Resources" and
/// "No Resource Deletion").
pub(crate) const SYNC_OPTIONS: &str =
    "    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n";

/// Whether objects of `kind` hold data (see [`DATA_HOLDERS`]).
#[must_use]
pub(crate) fn holds_data(kind: &KindInfo) -> bool {
    DATA_HOLDERS.iter().any(|k| std::ptr::eq(*k, kind))
}

/// What the rest of the crate knows about a kind.
#[derive(Debug)]
pub struct KindInfo {
    /// The `apiVersion` of its objects (a planner may choose another served one).
    pub api_version: &'static str,
    /// The Kubernetes `kind`.
    pub kind: &'static str,
    /// Which cluster its objects are for.
    pub placement: Placement,
    /// Its templates, `(file name under templates/, text)`: the one that lays out an
    /// object's body (everything after `metadata`) first, then any it includes.
    pub templates: &'static [(&'static str, &'static str)],
    /// How `lint --crds` checks a rendered object of this kind.
    pub check: Check,
    /// Plan this kind's objects for one scope (called only for scopes of its placement).
    pub plan: fn(&Planner<'_>, &At<'_>, &mut Vec<PlannedObject>),
    /// Turn a planned body into the template's context (most kinds: as planned).
    pub context: fn(&minijinja::Environment<'_>, &Value) -> anyhow::Result<Value>,
}

impl KindInfo {
    /// The template that lays out the body.
    #[must_use]
    pub fn template(&self) -> &'static str {
        self.templates[0].0
    }

    /// The position of this kind in [`KINDS`] (stream order).
    #[must_use]
    pub fn position(&self) -> usize {
        KINDS
            .iter()
            .position(|k| std::ptr::eq(*k, self))
            .unwrap_or(usize::MAX)
    }
}

/// A regional `ConfigMap` kind (the policies, the Redis config, the metrics-adapter
/// rules): they differ only in how they are planned and the documents their values hold
/// ([`document::Document`], each laid out by one of `templates`, after [`CONFIG_MAP`]).
pub(crate) const fn config_map(
    plan: fn(&Planner<'_>, &At<'_>, &mut Vec<PlannedObject>),
    templates: &'static [(&'static str, &'static str)],
) -> KindInfo {
    KindInfo {
        api_version: "v1",
        kind: "ConfigMap",
        placement: Placement::Regional,
        templates,
        check: Check::Builtin(crate::crds::builtin::<k8s_openapi::api::core::v1::ConfigMap>),
        plan,
        context: document::config_map_context,
    }
}

/// The template of every `ConfigMap`'s body.
pub(crate) const CONFIG_MAP: (&str, &str) = (
    "configmap.yaml.j2",
    include_str!("../../templates/configmap.yaml.j2"),
);

/// The context of most kinds: the body as planned, as `spec`.
#[allow(clippy::unnecessary_wraps)] // the signature of `KindInfo::context`
pub(crate) fn as_planned(_: &minijinja::Environment<'_>, body: &Value) -> anyhow::Result<Value> {
    Ok(minijinja::context! { spec => body.clone() })
}

/// Which cluster a kind's objects are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The management cluster, where Argo CD runs.
    Global,
    /// Each region's own cluster.
    Regional,
}

/// How `lint --crds` checks a rendered object.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Against the `openAPIV3Schema` of the CRD serving its `apiVersion` and `kind`.
    Crd,
    /// A built-in kind: read into its Kubernetes type and written back; returns
    /// `(path, message)` for every field that does not survive.
    Builtin(fn(&serde_json::Value) -> Vec<(String, String)>),
}

/// One object's body: the template context, and its text once rendered.
#[derive(Debug)]
pub struct Body {
    context: Value,
    text: OnceLock<String>,
}

impl Body {
    /// A body from a kind's typed spec.
    pub fn new(spec: &impl Serialize) -> Arc<Self> {
        Arc::new(Self {
            context: Value::from(Serde(spec)),
            text: OnceLock::new(),
        })
    }

    /// A body from a context built by hand (a kind that pre-formats a value with
    /// [`minijinja::Value::from_safe_string`]).
    #[must_use]
    pub fn from_context(context: Value) -> Arc<Self> {
        Arc::new(Self {
            context,
            text: OnceLock::new(),
        })
    }

    /// The template context (`spec` in the templates).
    #[must_use]
    pub fn context(&self) -> &Value {
        &self.context
    }

    /// The rendered text, rendering it the first time.
    pub fn text(
        &self,
        render: impl FnOnce(&Value) -> anyhow::Result<String>,
    ) -> anyhow::Result<&str> {
        if let Some(text) = self.text.get() {
            return Ok(text);
        }
        let text = render(&self.context)?;
        Ok(self.text.get_or_init(|| text))
    }
}

/// The scope being planned: the management cluster or one region.
pub struct At<'a> {
    pub scope: Scope,
    /// The region's name and settings (`None` for the global scope).
    pub region: Option<(&'a str, &'a Region)>,
    labels: RefCell<Vec<(&'static str, Arc<Labels>)>>,
}

impl<'a> At<'a> {
    /// The global scope.
    #[must_use]
    pub fn global() -> Self {
        Self {
            scope: Scope::Global,
            region: None,
            labels: RefCell::new(Vec::new()),
        }
    }

    /// One region.
    #[must_use]
    pub fn region(name: &'a str, region: &'a Region) -> Self {
        Self {
            scope: Scope::Region(Arc::from(name)),
            region: Some((name, region)),
            labels: RefCell::new(Vec::new()),
        }
    }

    /// The region's name (empty for the global scope).
    #[must_use]
    pub fn name(&self) -> &'a str {
        self.region.map_or("", |(name, _)| name)
    }

    /// The region's settings (neutral ones for the global scope).
    #[must_use]
    pub fn settings(&self) -> Option<&'a Region> {
        self.region.map(|(_, r)| r)
    }

    /// Whether this is the primary region.
    #[must_use]
    pub fn is_primary(&self) -> bool {
        self.region.is_some_and(|(_, r)| r.primary)
    }

    /// The labels of this scope's objects of one component, shared by all of them.
    fn labels(&self, component: &'static str) -> Arc<Labels> {
        let mut cache = self.labels.borrow_mut();
        if let Some((_, labels)) = cache.iter().find(|(c, _)| *c == component) {
            return Arc::clone(labels);
        }
        let labels = Arc::new(labels(component, self.region.map(|(name, _)| name)));
        cache.push((component, Arc::clone(&labels)));
        labels
    }
}

/// What every kind's planner reads: the profile, and the bodies planned so far.
pub struct Planner<'a> {
    pub profile: &'a Profile,
    /// The primary region's name (`regions.<r>.primary`).
    pub primary: Option<&'a str>,
    /// The switchover phase being rendered.
    pub phase: Phase<'a>,
    /// A region that changes nothing (the shared bodies are planned for it).
    pub neutral: Region,
    /// The versions rendered for (what a kind may render depends on them).
    pub(crate) target: crate::target::Target,
    namespace: Arc<str>,
    /// Bodies by (kind, object name): equal bodies are shared.
    bodies: RefCell<BTreeMap<(usize, Arc<str>), Bodies>>,
    /// Objects that no region changes (name and body), built once, then shared by every
    /// region (`None`: no such object).
    pub shared: Shared<Neutral>,
    /// Values that no region changes (documents), built once, then shared.
    pub shared_values: Shared<Value>,
    /// Derived lists every region's plan reads (see [`Planner::memo`]).
    memos: RefCell<Vec<(&'static str, Rc<dyn Any>)>>,
    /// Objects only for their kinds and names (`lint`'s E0110): the bodies of the
    /// objects planned per module are left empty ([`Planner::new_body`]).
    pub(crate) names_only: bool,
}

/// What no region changes, by (kind, index within the kind): built when first asked for.
pub struct Shared<T>(RefCell<BTreeMap<(usize, usize), T>>);

impl<T: Clone> Shared<T> {
    fn new() -> Self {
        Self(RefCell::new(BTreeMap::new()))
    }

    /// The `index`-th of `kind`: built by `build` the first time, then the same.
    pub fn get(&self, kind: &'static KindInfo, index: usize, build: impl FnOnce() -> T) -> T {
        let key = (kind.position(), index);
        if let Some(found) = self.0.borrow().get(&key) {
            return found.clone();
        }
        let made = build();
        self.0.borrow_mut().insert(key, made.clone());
        made
    }
}

impl<'a> Planner<'a> {
    #[must_use]
    pub fn new(profile: &'a Profile) -> Self {
        Self {
            profile,
            primary: profile
                .regions
                .iter()
                .find(|(_, r)| r.primary)
                .map(|(name, _)| name.as_str()),
            phase: Phase::of(profile),
            neutral: Region::without_overrides(),
            target: crate::target::Target::of(profile),
            namespace: Arc::from(profile.namespace.as_str()),
            bodies: RefCell::new(BTreeMap::new()),
            shared: Shared::new(),
            shared_values: Shared::new(),
            memos: RefCell::new(Vec::new()),
            names_only: false,
        }
    }

    /// A body from a kind's typed spec ([`Body::new`]); an empty one when only names are
    /// planned (never rendered).
    pub fn new_body(&self, spec: &impl Serialize) -> Arc<Body> {
        if self.names_only {
            Body::from_context(Value::UNDEFINED)
        } else {
            Body::new(spec)
        }
    }

    /// What `make` derives from the profile, made the first time `key` is asked for and
    /// then the same for every region (a list each region's objects read whole: the
    /// modules' Services, the database members). `None` only if `key` was used before
    /// for another type, a bug of the caller.
    pub(crate) fn memo<T: 'static>(
        &self,
        key: &'static str,
        make: impl FnOnce() -> T,
    ) -> Option<Rc<T>> {
        if let Some((_, found)) = self.memos.borrow().iter().find(|(k, _)| *k == key) {
            return Rc::clone(found).downcast().ok();
        }
        let value = Rc::new(make());
        self.memos
            .borrow_mut()
            .push((key, Rc::clone(&value) as Rc<dyn Any>));
        Some(value)
    }

    /// One object of `kind` per module of the profile in the region `at`, built by
    /// `build(region, module)` (`None`: the module has none there). A module no region
    /// overrides is built once, against the neutral region, and its body shared by every
    /// region; an overridden one is built with the region's settings. The loop of every
    /// per-module kind (HPA, `ScaledObject`, VPA, PDB).
    pub fn per_module(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        component: &'static str,
        out: &mut Vec<PlannedObject>,
        build: impl Fn(&Region, &str) -> Neutral,
    ) {
        self.per_module_of(kind, at, component, out, &[], build);
    }

    /// [`per_module`](Self::per_module) for the modules `wanted` marks (by index; empty:
    /// every module).
    fn per_module_of(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        component: &'static str,
        out: &mut Vec<PlannedObject>,
        wanted: &[bool],
        build: impl Fn(&Region, &str) -> Neutral,
    ) {
        let Some(region) = at.settings() else { return };
        // The modules the region changes, found from its own settings once (not a
        // lookup of every module in every region).
        let mut overridden = vec![false; self.profile.modules.len()];
        for i in crate::effective::overridden_modules(self.profile, region) {
            overridden[i] = true;
        }
        for (index, module) in self.profile.modules.keys().enumerate() {
            if !wanted.is_empty() && !wanted[index] {
                continue;
            }
            let planned = if overridden[index] {
                build(region, module)
            } else {
                self.shared
                    .get(kind, index, || build(&self.neutral, module))
            };
            if let Some((name, body)) = planned {
                let mut object = self.object(kind, at, name, component, body);
                object.per_module = true;
                out.push(object);
            }
        }
    }

    /// One object of `kind` per module that `backend` scales, in the region `at` (HPA,
    /// `ScaledObject`): named `name(module)`, its body `spec` of the module's effective
    /// settings there.
    pub(crate) fn per_scaled_module<S: Serialize>(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        backend: Backend,
        out: &mut Vec<PlannedObject>,
        name: fn(&str) -> String,
        spec: impl Fn(&EffectiveModule<'_>) -> S,
    ) {
        // Which modules `backend` scales: the same in every region, found once.
        let key = match backend {
            Backend::Hpa => "modules on the HPA",
            Backend::Keda => "modules on KEDA",
        };
        let wanted = self
            .memo(key, || {
                let profile = self.profile;
                let on = |m: &String| crate::effective::backend(profile, m) == backend;
                profile.modules.keys().map(on).collect::<Vec<bool>>()
            })
            .unwrap_or_default();
        if !wanted.contains(&true) {
            return;
        }
        self.per_module_of(kind, at, "autoscaling", out, &wanted, |region, module| {
            let module =
                effective_module(self.profile, region, module).expect("a module of the profile");
            Some((Arc::from(name(module.name)), self.new_body(&spec(&module))))
        });
    }

    /// An object of `kind` in the profile's namespace.
    #[must_use]
    pub fn object(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        name: Arc<str>,
        component: &'static str,
        body: Arc<Body>,
    ) -> PlannedObject {
        self.object_in(kind, at, name, Arc::clone(&self.namespace), component, body)
    }

    /// An object of `kind` in `namespace`.
    #[must_use]
    #[allow(clippy::unused_self)] // a planner method, like `object`, for every kind alike
    pub fn object_in(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        name: Arc<str>,
        namespace: Arc<str>,
        component: &'static str,
        body: Arc<Body>,
    ) -> PlannedObject {
        let protect = self.profile.platform.argocd.protect_data && holds_data(kind);
        PlannedObject {
            scope: at.scope.clone(),
            kind,
            api_version: kind.api_version,
            name,
            namespace,
            labels: at.labels(component),
            annotations: protect.then_some(SYNC_OPTIONS),
            body,
            per_module: false,
        }
    }

    /// An object of `kind` named `name` in the profile's namespace, with the body of
    /// `spec` (shared as [`body`](Self::body) shares it).
    #[must_use]
    pub fn planned(
        &self,
        kind: &'static KindInfo,
        at: &At<'_>,
        name: impl Into<Arc<str>>,
        component: &'static str,
        spec: &impl Serialize,
    ) -> PlannedObject {
        let name = name.into();
        let body = self.body(kind, &name, spec);
        self.object(kind, at, name, component, body)
    }

    /// The body of `spec`, shared with an equal one planned before for the same object name.
    pub fn body(
        &self,
        kind: &'static KindInfo,
        name: &Arc<str>,
        spec: &impl Serialize,
    ) -> Arc<Body> {
        if self.names_only {
            return self.new_body(spec);
        }
        let body = Body::new(spec);
        let mut bodies = self.bodies.borrow_mut();
        let bucket = bodies
            .entry((kind.position(), Arc::clone(name)))
            .or_default();
        if let Some(existing) = bucket.iter().find(|b| b.context == body.context) {
            return Arc::clone(existing);
        }
        bucket.push(Arc::clone(&body));
        body
    }
}

impl<'a> Planner<'a> {
    /// The region whose database takes writes in this render: the switchover's target
    /// in the promote phase, else the primary region.
    #[must_use]
    pub fn acting_primary(&self) -> Option<&'a str> {
        match self.phase {
            Phase::Promote { to, .. } => Some(to),
            _ => self.primary,
        }
    }

    /// Whether `region` is the acting primary (see [`Planner::acting_primary`]).
    #[must_use]
    pub fn is_acting_primary(&self, region: &str) -> bool {
        !region.is_empty() && self.acting_primary() == Some(region)
    }
}

/// Where a switchover of the primary database stands (`postgres.switchover`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase<'a> {
    /// No switchover.
    Steady,
    /// Phase 1: the primary's cluster is demoted and follows `to`; nothing else changes.
    Demote { to: &'a str },
    /// Phase 2: `to` is promoted with the demotion token; every region follows it.
    Promote { to: &'a str, token: &'a str },
}

impl<'a> Phase<'a> {
    /// The phase a (valid) profile renders.
    #[must_use]
    pub fn of(profile: &'a Profile) -> Self {
        let Some(switchover) = profile
            .postgres
            .as_ref()
            .and_then(|pg| pg.switchover.as_ref())
        else {
            return Phase::Steady;
        };
        match &switchover.promotion_token {
            Some(token) => Phase::Promote {
                to: &switchover.to,
                token,
            },
            None => Phase::Demote { to: &switchover.to },
        }
    }
}

/// The distinct bodies planned for one object name.
type Bodies = Vec<Arc<Body>>;

/// An object's name and body, shared by every region that changes nothing about it.
pub(crate) type Neutral = Option<(Arc<str>, Arc<Body>)>;

/// A `ConfigMap`'s `data`, as `(key, text)` pairs in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ConfigMap {
    pub data: Vec<(String, String)>,
}

/// Requests and limits, as the templates lay them out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ResourcesCtx {
    pub requests: Vec<(&'static str, String)>,
    pub limits: Vec<(&'static str, String)>,
}

impl ResourcesCtx {
    /// `None` when neither requests nor limits are set.
    #[must_use]
    pub(crate) fn new(resources: &Resources) -> Option<Self> {
        let ctx = Self {
            requests: list(&resources.requests),
            limits: list(&resources.limits),
        };
        (!ctx.requests.is_empty() || !ctx.limits.is_empty()).then_some(ctx)
    }
}

/// `(resource name, quantity)` pairs of a resource list.
#[must_use]
pub(crate) fn list(list: &ResourceList) -> Vec<(&'static str, String)> {
    list.entries()
        .into_iter()
        .map(|(name, q)| (name.as_str(), q.as_str().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_template_and_a_unique_place() {
        for (i, kind) in KINDS.iter().enumerate() {
            assert_eq!(kind.position(), i, "{}", kind.kind);
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("templates")
                    .join(kind.template())
                    .is_file(),
                "{}",
                kind.template()
            );
        }
        // Global kinds come first, so the stream's global part precedes every region.
        let first_regional = KINDS
            .iter()
            .position(|k| k.placement == Placement::Regional)
            .unwrap();
        assert!(
            KINDS[first_regional..]
                .iter()
                .all(|k| k.placement == Placement::Regional)
        );
    }
}

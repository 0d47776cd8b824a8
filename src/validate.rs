//! Rules over the whole typed profile: one small function per rule.
//!
//! `load` has already checked shapes and types; these rules check meaning (names,
//! ranges, weights, bounds, operator constraints) and report every violation with the
//! position of the offending value, looked up in the merged tree by field path.
//! Everything here is a plain function of the profile: nothing is read or written.

use crate::diagnostic::{Code, Diagnostic, FieldPath};
use crate::effective::{CORE_MODULE, effective_module, vpa_acts};
use crate::node::{Node, Value};
use crate::profile::{
    Behavior, Metric, ObjectTarget, Profile, Redis, Region, Replicas, ResourceName, ResourceTarget,
    Resources, ScalingRules, UpdateMode, Vpa,
};

/// Check every rule; the diagnostics come back sorted by position.
#[must_use]
pub fn validate(profile: &Profile, tree: &Node) -> Vec<Diagnostic> {
    let mut v = Validator {
        tree,
        out: Vec::new(),
    };
    let root = FieldPath::root();
    v.names(profile);
    v.regions(profile);
    v.traffic(profile);
    v.platform(profile);
    if let Some(metrics) = &profile.defaults.metrics {
        v.metrics(metrics, &root.key("defaults").key("metrics"));
    }
    if let Some(behavior) = &profile.defaults.behavior {
        v.behavior(behavior, &root.key("defaults").key("behavior"));
    }
    for (name, module) in &profile.modules {
        let path = root.key("modules").key(name);
        v.replicas(module.replicas, &path.key("replicas"));
        if let Some(metrics) = &module.metrics {
            v.metrics(metrics, &path.key("metrics"));
        }
        if let Some(behavior) = &module.behavior {
            v.behavior(behavior, &path.key("behavior"));
        }
        if let Some(vpa) = &module.vpa {
            v.vpa(vpa, &path.key("vpa"));
        }
    }
    v.workloads(profile);
    v.targets(profile);
    v.postgres(profile);
    if let Some(redis) = &profile.redis {
        v.redis(redis);
    }
    crate::diagnostic::sort(&mut v.out);
    v.out.dedup();
    v.out
}

/// A VPA that fights an HPA: where the VPA was written, the module, its mode, the
/// resources both act on, and the regions where it happens (empty: a module without metrics).
type Conflict<'a> = (
    FieldPath,
    &'a str,
    UpdateMode,
    Vec<&'static str>,
    Vec<&'a str>,
);

/// A VPA that changes pods (not `Off`) on resources its HPA scales on: its mode and
/// those resources.
fn clash(
    module: &crate::effective::EffectiveModule<'_>,
) -> Option<(UpdateMode, Vec<&'static str>)> {
    let vpa = module.vpa?;
    if vpa.update_mode == UpdateMode::Off {
        return None;
    }
    let scaled: Vec<ResourceName> = module
        .metrics
        .iter()
        .filter_map(|m| match m {
            Metric::Resource { name, .. } => Some(*name),
            _ => None,
        })
        .collect();
    let resources: Vec<&'static str> = vpa
        .controlled()
        .into_iter()
        .filter(|r| scaled.contains(r))
        .map(ResourceName::as_str)
        .collect();
    (!resources.is_empty()).then_some((vpa.update_mode, resources))
}

struct Validator<'a> {
    tree: &'a Node,
    out: Vec<Diagnostic>,
}

/// The longest name of a module: `mplp-<module>-hpa` must stay a 63-character label.
const MAX_MODULE_NAME: usize = 63 - "mplp--hpa".len();
/// CNPG derives pod, service and PVC names from the cluster name.
const MAX_CLUSTER_NAME: usize = 50;

impl Validator<'_> {
    fn report(
        &mut self,
        code: Code,
        path: &FieldPath,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let span = self.tree.span_of(path);
        self.out
            .push(Diagnostic::new(code, path.clone(), message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    /// Report at the key itself (for names that are map keys).
    fn report_key(
        &mut self,
        code: Code,
        path: &FieldPath,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let span = self
            .tree
            .key_span_of(path)
            .unwrap_or_else(|| self.tree.span_of(path));
        self.out
            .push(Diagnostic::new(code, path.clone(), message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    fn label_name(&mut self, name: &str, path: &FieldPath, what: &str, max: usize, is_key: bool) {
        if let Some(problem) = dns_label_problem(name, max) {
            let message = format!(
                "{what} `{}` is not a valid name: {problem}",
                crate::load::shorten(name)
            );
            let code = if name.len() > max && dns_label_problem(name, usize::MAX).is_none() {
                Code::NameTooLong
            } else {
                Code::InvalidName
            };
            let d = if is_key {
                self.report_key(code, path, message)
            } else {
                self.report(code, path, message)
            };
            let fixed = suggest_label(name, max);
            if !fixed.is_empty() && fixed != name {
                d.help = Some(format!("use `{fixed}`"));
            }
        }
    }

    fn subdomain_name(&mut self, name: &str, path: &FieldPath, what: &str) {
        if let Some(problem) = dns_subdomain_problem(name) {
            self.report(
                Code::InvalidName,
                path,
                format!(
                    "{what} `{}` is not a valid name: {problem}",
                    crate::load::shorten(name)
                ),
            );
        }
    }

    fn names(&mut self, profile: &Profile) {
        let root = FieldPath::root();
        self.label_name(
            &profile.namespace,
            &root.key("namespace"),
            "namespace",
            63,
            false,
        );
        for name in profile.regions.keys() {
            self.label_name(name, &root.key("regions").key(name), "region", 63, true);
        }
        for name in profile.modules.keys() {
            self.label_name(
                name,
                &root.key("modules").key(name),
                "module",
                MAX_MODULE_NAME,
                true,
            );
        }
        let argocd = &profile.platform.argocd;
        let path = root.key("platform").key("argocd");
        self.label_name(
            &argocd.namespace,
            &path.key("namespace"),
            "namespace",
            63,
            false,
        );
        self.subdomain_name(&argocd.project, &path.key("project"), "project");
        if let Some(pg) = &profile.postgres {
            let path = root.key("postgres");
            self.label_name(
                &pg.name,
                &path.key("name"),
                "cluster",
                MAX_CLUSTER_NAME,
                false,
            );
            if let Some(class) = &pg.storage.storage_class {
                self.subdomain_name(
                    class,
                    &path.key("storage").key("storageClass"),
                    "storage class",
                );
            }
            if let Some(backup) = &pg.backup {
                self.subdomain_name(
                    &backup.credentials_secret,
                    &path.key("backup").key("credentialsSecret"),
                    "secret",
                );
                for (key, value) in [
                    ("accessKeyIdKey", &backup.access_key_id_key),
                    ("secretAccessKeyKey", &backup.secret_access_key_key),
                ] {
                    if !is_config_key(value) {
                        self.report(
                            Code::InvalidName,
                            &path.key("backup").key(key),
                            format!("`{}` is not a valid Secret key: expected letters, digits, `-`, `_` or `.`", crate::load::shorten(value)),
                        );
                    }
                }
            }
        }
        if let Some(redis) = &profile.redis {
            let path = root.key("redis");
            self.label_name(
                &redis.name,
                &path.key("name"),
                "cluster",
                63 - "-follower".len(),
                false,
            );
            if let Some(class) = &redis.storage.storage_class {
                self.subdomain_name(
                    class,
                    &path.key("storage").key("storageClass"),
                    "storage class",
                );
            }
        }
    }

    fn regions(&mut self, profile: &Profile) {
        let path = FieldPath::root().key("regions");
        if profile.regions.is_empty()
            && self
                .tree
                .get(path.segs())
                .is_none_or(|n| matches!(&n.value, Value::Map(m) if m.is_empty()))
        {
            self.report(
                Code::PrimaryRegion,
                &path,
                "no regions: expected at least one, exactly one of them `primary: true`",
            );
            return;
        }
        self.region_fields(profile);
        // A region that failed to load was reported already; counting primaries or
        // adding weights without it would only add a misleading second error.
        let all_loaded = match self.tree.get(path.segs()).map(|n| &n.value) {
            Some(Value::Map(map)) => map.len() == profile.regions.len(),
            _ => true,
        };
        if !all_loaded {
            return;
        }
        let primaries: Vec<&String> = profile
            .regions
            .iter()
            .filter(|(_, r)| r.primary)
            .map(|(n, _)| n)
            .collect();
        match primaries.as_slice() {
            [] => {
                let first = profile.regions.keys().next().expect("not empty");
                self.report(
                    Code::PrimaryRegion,
                    &path,
                    "no primary region: expected exactly one region with `primary: true`",
                )
                .help = Some(format!(
                    "add `primary: true` to the region that holds the primary database, e.g. `{first}`"
                ));
            }
            [_] => {}
            [first, rest @ ..] => {
                for name in rest {
                    self.report(
                        Code::PrimaryRegion,
                        &path.key(name).key("primary"),
                        format!(
                            "region `{name}` is a second primary region (`{first}` is one already): expected exactly one"
                        ),
                    );
                }
            }
        }
        let sum: i64 = profile
            .regions
            .values()
            .map(|r| r.weight)
            .fold(0, i64::saturating_add);
        if sum != 100
            && profile
                .regions
                .values()
                .all(|r| (0..=100).contains(&r.weight))
        {
            let listed: Vec<String> = profile
                .regions
                .iter()
                .map(|(n, r)| format!("{n} {}", r.weight))
                .collect();
            let d = self.report(
                Code::Weights,
                &path,
                format!(
                    "region weights add up to `{sum}` ({}): expected 100",
                    listed.join(" + ")
                ),
            );
            if let Some((name, last)) = profile.regions.iter().last() {
                let fixed = last.weight + 100 - sum;
                if (0..=100).contains(&fixed) {
                    d.help = Some(format!("set `regions.{name}.weight` to `{fixed}`"));
                }
            }
        }
    }

    /// The checks of each region on its own.
    fn region_fields(&mut self, profile: &Profile) {
        let path = FieldPath::root().key("regions");
        let modules_path = FieldPath::root().key("modules");
        for (name, region) in &profile.regions {
            let rpath = path.key(name);
            if region.weight < 0 || region.weight > 100 {
                self.report(
                    Code::Weights,
                    &rpath.key("weight"),
                    format!(
                        "weight `{}` is out of range: expected an integer from 0 to 100",
                        region.weight
                    ),
                );
            }
            if let Some(replicas) = region.replicas {
                self.replicas(replicas, &rpath.key("replicas"));
                let core_defined = profile.modules.contains_key(CORE_MODULE)
                    || self
                        .tree
                        .get(modules_path.key(CORE_MODULE).segs())
                        .is_some();
                if !core_defined {
                    self.report(
                        Code::UnknownModule,
                        &rpath.key("replicas"),
                        format!(
                            "`regions.{name}.replicas` sets the range of module `{CORE_MODULE}`, which `modules` does not define"
                        ),
                    );
                }
            }
            if let Some(resources) = &region.resources {
                self.resources(resources, &rpath.key("resources"));
            }
            if let Some(instances) = region.postgres.as_ref().and_then(|p| p.instances) {
                self.instances(instances, &rpath.key("postgres").key("instances"));
            }
            for (module, over) in &region.modules {
                let mpath = rpath.key("modules").key(module);
                let defined = profile.modules.contains_key(module)
                    || self.tree.get(modules_path.key(module).segs()).is_some();
                if !defined {
                    let names: Vec<&str> = profile.modules.keys().map(String::as_str).collect();
                    let d = self.report_key(
                        Code::UnknownModule,
                        &mpath,
                        format!(
                            "region `{name}` overrides module `{module}`, which `modules` does not define"
                        ),
                    );
                    if let Some(best) = crate::load::did_you_mean(module, &names) {
                        d.help = Some(format!("did you mean `{best}`?"));
                    }
                    continue;
                }
                if let Some(replicas) = over.replicas {
                    self.replicas(replicas, &mpath.key("replicas"));
                }
                if let Some(metrics) = &over.metrics {
                    self.metrics(metrics, &mpath.key("metrics"));
                }
                if let Some(behavior) = &over.behavior {
                    self.behavior(behavior, &mpath.key("behavior"));
                }
                if let Some(vpa) = &over.vpa {
                    self.vpa(vpa, &mpath.key("vpa"));
                }
            }
        }
    }

    fn replicas(&mut self, replicas: Replicas, path: &FieldPath) {
        if replicas.min < 1 {
            self.report(
                Code::ReplicasMin,
                &path.key("min"),
                format!(
                    "min (`{}`) is below 1: an HPA needs at least one replica",
                    replicas.min
                ),
            )
            .help = Some("set `min` to `1` or more".to_owned());
        }
        if replicas.max < replicas.min {
            self.report(
                Code::ReplicasMax,
                &path.key("max"),
                format!("max (`{}`) is below min (`{}`)", replicas.max, replicas.min),
            )
            .help = Some(format!("set `max` to at least `{}`", replicas.min.max(1)));
        } else if replicas.max > 100_000 {
            self.report(
                Code::ReplicasMax,
                &path.key("max"),
                format!(
                    "max (`{}`) is above 100000: expected a realistic replica count",
                    replicas.max
                ),
            );
        }
    }

    fn resources(&mut self, resources: &Resources, path: &FieldPath) {
        for name in [ResourceName::Cpu, ResourceName::Memory] {
            let (Some(request), Some(limit)) =
                (resources.requests.get(name), resources.limits.get(name))
            else {
                continue;
            };
            if request.value() > limit.value() {
                self.report(
                    Code::RequestOverLimit,
                    &path.key("requests").key(name.as_str()),
                    format!(
                        "{} request `{request}` is above its limit `{limit}`",
                        name.as_str()
                    ),
                )
                .help = Some(format!(
                    "lower the request to at most `{limit}`, or raise the limit"
                ));
            }
        }
        for (section, list) in [
            ("requests", &resources.requests),
            ("limits", &resources.limits),
        ] {
            for (name, q) in list.entries() {
                if !q.is_positive() {
                    self.report(
                        Code::InvalidQuantity,
                        &path.key(section).key(name.as_str()),
                        format!("{} {section} `{q}` is not positive", name.as_str()),
                    );
                }
            }
        }
    }

    fn metrics(&mut self, metrics: &[Metric], path: &FieldPath) {
        let written = match self.tree.get(path.segs()).map(|n| &n.value) {
            Some(Value::Seq(items)) => items.len(),
            _ => metrics.len(),
        };
        if written == 0 {
            self.report(Code::Metrics, path, "no metrics: an HPA needs at least one");
        }
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, metric) in metrics.iter().enumerate() {
            let mpath = path.index(i);
            let identity = match metric {
                Metric::Resource { name, target } => {
                    match target {
                        ResourceTarget::Utilization(u) if *u < 1 => {
                            self.report(
                                Code::MetricTarget,
                                &mpath.key("utilization"),
                                format!("utilization `{u}` must be greater than 0 (percent of the pods' request)"),
                            );
                        }
                        ResourceTarget::AverageValue(q) if !q.is_positive() => {
                            self.report(
                                Code::MetricTarget,
                                &mpath.key("averageValue"),
                                format!("averageValue `{q}` must be positive"),
                            );
                        }
                        _ => {}
                    }
                    format!("resource {}", name.as_str())
                }
                Metric::Pods {
                    name,
                    average_value,
                } => {
                    if !average_value.is_positive() {
                        self.report(
                            Code::MetricTarget,
                            &mpath.key("averageValue"),
                            format!("averageValue `{average_value}` must be positive"),
                        );
                    }
                    self.metric_name(name, &mpath.key("pods"));
                    format!("pods {name}")
                }
                Metric::Object {
                    name,
                    described_object,
                    target,
                } => {
                    let (key, q) = match target {
                        ObjectTarget::Value(q) => ("value", q),
                        ObjectTarget::AverageValue(q) => ("averageValue", q),
                    };
                    if !q.is_positive() {
                        self.report(
                            Code::MetricTarget,
                            &mpath.key(key),
                            format!("{key} `{q}` must be positive"),
                        );
                    }
                    self.metric_name(name, &mpath.key("object"));
                    let dpath = mpath.key("describedObject");
                    self.subdomain_name(&described_object.name, &dpath.key("name"), "object");
                    if !is_kind(&described_object.kind) {
                        self.report(
                            Code::InvalidName,
                            &dpath.key("kind"),
                            format!(
                                "`{}` is not a Kubernetes kind: expected a name such as `Service`",
                                crate::load::shorten(&described_object.kind)
                            ),
                        );
                    }
                    format!(
                        "object {name} {}/{}",
                        described_object.kind, described_object.name
                    )
                }
            };
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == identity) {
                self.report(
                    Code::Metrics,
                    &mpath,
                    format!(
                        "the same metric ({identity}) is listed twice, first at index `{first}`"
                    ),
                );
            } else {
                seen.push((identity, i));
            }
        }
    }

    fn metric_name(&mut self, name: &str, path: &FieldPath) {
        let ok = !name.is_empty()
            && name.len() <= 253
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-' | '/'));
        if !ok {
            self.report(
                Code::InvalidName,
                path,
                format!(
                    "`{}` is not a metric name: expected letters, digits, `_`, `:`, `.`, `-`",
                    crate::load::shorten(name)
                ),
            );
        }
    }

    fn behavior(&mut self, behavior: &Behavior, path: &FieldPath) {
        for (key, rules) in [
            ("scaleUp", &behavior.scale_up),
            ("scaleDown", &behavior.scale_down),
        ] {
            if let Some(rules) = rules {
                self.rules(rules, &path.key(key));
            }
        }
    }

    fn rules(&mut self, rules: &ScalingRules, path: &FieldPath) {
        if let Some(window) = rules.stabilization_window_seconds
            && !(0..=3600).contains(&window)
        {
            self.report(
                Code::StabilizationWindow,
                &path.key("stabilizationWindowSeconds"),
                format!(
                    "stabilizationWindowSeconds `{window}` is out of range: expected 0 to 3600"
                ),
            )
            .help = Some(format!("use `{}`", window.clamp(0, 3600)));
        }
        // Policies that failed to load were reported; only an empty list is this error.
        let written = match self.tree.get(path.key("policies").segs()).map(|n| &n.value) {
            Some(Value::Seq(items)) => items.len(),
            _ => rules.policies.len(),
        };
        if written == 0 {
            self.report(
                Code::NoPolicy,
                path,
                "no `policies`: a scaling direction needs at least one policy (use `selectPolicy: Disabled` to stop scaling this way)",
            )
            .help = Some("add e.g. `policies: [{type: Percent, value: 100, periodSeconds: 15}]`".to_owned());
        }
        for (i, policy) in rules.policies.iter().enumerate() {
            let ppath = path.key("policies").index(i);
            if policy.value < 1 {
                self.report(
                    Code::PolicyValue,
                    &ppath.key("value"),
                    format!("value `{}` must be greater than 0", policy.value),
                );
            }
            if !(1..=1800).contains(&policy.period_seconds) {
                self.report(
                    Code::PolicyPeriod,
                    &ppath.key("periodSeconds"),
                    format!(
                        "periodSeconds `{}` is out of range: expected 1 to 1800",
                        policy.period_seconds
                    ),
                )
                .help = Some(format!("use `{}`", policy.period_seconds.clamp(1, 1800)));
            }
        }
    }

    fn vpa(&mut self, vpa: &Vpa, path: &FieldPath) {
        if vpa.update_mode == UpdateMode::Auto {
            self.report(
                Code::VpaAutoDeprecated,
                &path.key("updateMode"),
                "updateMode `Auto` is deprecated since VPA 1.5",
            )
            .help = Some(
                "use `Recreate` (what `Auto` does today), `InPlaceOrRecreate`, `Initial` or `Off`"
                    .to_owned(),
            );
        }
        for name in [ResourceName::Cpu, ResourceName::Memory] {
            let (Some(lo), Some(hi)) = (vpa.min_allowed.get(name), vpa.max_allowed.get(name))
            else {
                continue;
            };
            if lo.value() > hi.value() {
                self.report(
                    Code::VpaBounds,
                    &path.key("minAllowed").key(name.as_str()),
                    format!(
                        "minAllowed {} `{lo}` is above maxAllowed `{hi}`",
                        name.as_str()
                    ),
                );
            }
        }
        for (section, list) in [
            ("minAllowed", &vpa.min_allowed),
            ("maxAllowed", &vpa.max_allowed),
        ] {
            for (name, q) in list.entries() {
                if q.value() < 0.0 {
                    self.report(
                        Code::InvalidQuantity,
                        &path.key(section).key(name.as_str()),
                        format!("`{q}` is negative"),
                    );
                }
            }
        }
    }

    /// Per region: every module has metrics, and no VPA acts on what its HPA scales on.
    /// A conflict is reported once where the VPA was written, naming the regions. A
    /// region without an override for a module is the module's own case, computed once.
    fn workloads(&mut self, profile: &Profile) {
        let root = FieldPath::root();
        let defaults_metrics = self
            .tree
            .get(root.key("defaults").key("metrics").segs())
            .is_some();
        let neutral = Region::without_overrides();
        let mut conflicts: Vec<Conflict<'_>> = Vec::new();
        for module_name in profile.modules.keys() {
            let Some(base) = effective_module(profile, &neutral, module_name) else {
                continue;
            };
            let module_path = root.key("modules").key(module_name);
            if base.metrics.is_empty()
                && !defaults_metrics
                && self.tree.get(module_path.key("metrics").segs()).is_none()
            {
                self.report(
                    Code::Metrics,
                    &module_path,
                    format!("module `{module_name}` has no metrics and `defaults.metrics` is not set"),
                )
                .help = Some("add `metrics: [{resource: cpu, utilization: 70}]` to the module or to `defaults`".to_owned());
            }
            let base_clash = clash(&base);
            for (region_name, region) in &profile.regions {
                let (vpa_path, found) = if crate::effective::overridden(region, module_name) {
                    let Some(module) = effective_module(profile, region, module_name) else {
                        continue;
                    };
                    let in_region = region
                        .modules
                        .get(module_name)
                        .is_some_and(|o| o.vpa.is_some());
                    let path = if in_region {
                        root.key("regions")
                            .key(region_name)
                            .key("modules")
                            .key(module_name)
                            .key("vpa")
                    } else {
                        module_path.key("vpa")
                    };
                    (path, clash(&module))
                } else {
                    match &base_clash {
                        Some(found) => (module_path.key("vpa"), Some(found.clone())),
                        None => continue,
                    }
                };
                let Some((mode, resources)) = found else {
                    continue;
                };
                match conflicts
                    .iter_mut()
                    .find(|c| c.0 == vpa_path && c.3 == resources)
                {
                    Some(existing) => existing.4.push(region_name),
                    None => {
                        conflicts.push((vpa_path, module_name, mode, resources, vec![region_name]));
                    }
                }
            }
        }
        for (vpa_path, module_name, mode, clash, regions) in conflicts {
            let where_ = if regions.len() == profile.regions.len() && regions.len() > 1 {
                "in every region".to_owned()
            } else if regions.len() == 1 {
                format!("in region {}", regions[0])
            } else {
                format!("in regions {}", regions.join(", "))
            };
            let message = format!(
                "the VPA of `{module_name}` ({}) controls {} that its HPA scales on, {where_}",
                mode.as_str(),
                clash.join(" and "),
            );
            let help = "set `updateMode: \"Off\"` (recommendations only), or limit `controlledResources` to resources the HPA does not scale on";
            if vpa_acts(mode) {
                self.report(Code::VpaHpaConflict, &vpa_path.key("updateMode"), message)
                    .help = Some(help.to_owned());
            } else {
                self.report(
                    Code::VpaHpaInitial,
                    &vpa_path.key("updateMode"),
                    format!("{message}: new pods start with the VPA's requests, which moves the HPA's utilization"),
                )
                .help = Some(help.to_owned());
            }
        }
    }

    /// One HPA per Deployment, and VPAs that name their target must name the right one.
    fn targets(&mut self, profile: &Profile) {
        let root = FieldPath::root();
        let mut owners: Vec<(String, &str)> = Vec::new();
        for (name, module) in &profile.modules {
            let path = root.key("modules").key(name);
            let deployment = crate::effective::deployment_name(name, module.deployment.as_deref());
            if let Some(given) = &module.deployment {
                self.subdomain_name(given, &path.key("deployment"), "deployment");
            }
            if let Some((_, first)) = owners.iter().find(|(d, _)| *d == deployment) {
                let at = if module.deployment.is_some() {
                    path.key("deployment")
                } else {
                    path.clone()
                };
                self.report(
                    Code::DuplicateTarget,
                    &at,
                    format!(
                        "modules `{first}` and `{name}` both scale `Deployment/{deployment}`: the HPA controller refuses both (AmbiguousSelector)"
                    ),
                )
                .help = Some(format!(
                    "put all the metrics in one module: move `{name}`'s metrics into `modules.{first}.metrics` and remove `{name}`"
                ));
            } else {
                owners.push((deployment.clone(), name));
            }
            // Paths are built only for the VPAs there are (regions × modules can be 20,000).
            let vpas = std::iter::once((None, module.vpa.as_ref())).chain(
                profile.regions.iter().map(|(r, region)| {
                    (
                        Some(r),
                        region.modules.get(name).and_then(|o| o.vpa.as_ref()),
                    )
                }),
            );
            for (in_region, vpa) in vpas {
                let Some(vpa) = vpa else { continue };
                let vpa_path = match in_region {
                    None => path.key("vpa"),
                    Some(r) => root
                        .key("regions")
                        .key(r)
                        .key("modules")
                        .key(name)
                        .key("vpa"),
                };
                if let Some(target) = &vpa.target_ref
                    && (
                        target.api_version.as_str(),
                        target.kind.as_str(),
                        target.name.as_str(),
                    ) != ("apps/v1", "Deployment", deployment.as_str())
                {
                    self.report(
                            Code::VpaTarget,
                            &vpa_path.key("targetRef"),
                            format!(
                                "the VPA of `{name}` targets `{}/{}` `{}`, but the module's workload is `apps/v1/Deployment` `{deployment}`",
                                target.api_version, target.kind, target.name
                            ),
                        )
                        .help = Some("remove `targetRef`: mplp-scale targets the module's Deployment".to_owned());
                }
            }
        }
    }

    fn instances(&mut self, instances: i64, path: &FieldPath) {
        if instances < 1 {
            self.report(
                Code::Instances,
                path,
                format!("instances `{instances}` must be at least 1"),
            );
        } else if instances > 100 {
            self.report(
                Code::Instances,
                path,
                format!(
                    "instances `{instances}` is above 100: expected a realistic instance count"
                ),
            );
        }
    }

    fn postgres(&mut self, profile: &Profile) {
        let Some(pg) = &profile.postgres else { return };
        let path = FieldPath::root().key("postgres");
        self.instances(pg.instances, &path.key("instances"));
        for (name, value) in &pg.parameters {
            let ppath = path.key("parameters").key(name);
            if CNPG_FIXED_PARAMETERS.contains(&name.as_str()) {
                self.report_key(
                    Code::FixedParameter,
                    &ppath,
                    format!("parameter `{name}` is managed by the CloudNativePG operator and cannot be set"),
                )
                .help = Some("remove it: the operator sets it from the Cluster spec".to_owned());
            } else if !is_parameter_name(name) {
                self.report_key(
                    Code::InvalidName,
                    &ppath,
                    format!(
                        "`{}` is not a PostgreSQL parameter name",
                        crate::load::shorten(name)
                    ),
                );
            }
            if value.contains(['\n', '\r', '\0']) {
                self.report(
                    Code::InvalidName,
                    &ppath,
                    "a parameter value cannot contain line breaks",
                );
            }
        }
        if let Some(resources) = &pg.resources {
            self.resources(resources, &path.key("resources"));
        }
        if !pg.storage.size.is_positive() {
            self.report(
                Code::InvalidQuantity,
                &path.key("storage").key("size"),
                format!("storage size `{}` is not positive", pg.storage.size),
            );
        }
        if let (Some(shared), Some(request)) = (
            pg.parameters.get("shared_buffers"),
            pg.resources
                .as_ref()
                .and_then(|r| r.requests.memory.as_ref()),
        ) {
            match postgres_bytes(shared) {
                Some(bytes) if bytes > request.value() => {
                    self.report(
                        Code::SharedBuffers,
                        &path.key("resources").key("requests").key("memory"),
                        format!("memory request `{request}` is smaller than `shared_buffers` (`{shared}`)"),
                    )
                    .help = Some("raise the memory request above shared_buffers, or lower shared_buffers".to_owned());
                }
                Some(_) => {}
                None => {
                    self.report(
                        Code::SharedBuffers,
                        &path.key("parameters").key("shared_buffers"),
                        format!("`{}` is not a PostgreSQL memory size: expected e.g. `256MB` (units kB, MB, GB, TB)", crate::load::shorten(shared)),
                    );
                }
            }
        }
        if let Some(backup) = &pg.backup {
            let bpath = path.key("backup");
            if let Some(retention) = &backup.retention
                && !is_retention(retention)
            {
                self.report(
                    Code::Retention,
                    &bpath.key("retention"),
                    format!(
                        "retention `{}` does not match `^[1-9][0-9]*[dwm]$`",
                        crate::load::shorten(retention)
                    ),
                )
                .help = Some(
                    "write a count of days, weeks or months, e.g. `30d`, `4w` or `6m`".to_owned(),
                );
            }
            let scheme_ok = ["s3://", "gs://", "https://", "http://"].iter().any(|s| {
                backup.destination_path.starts_with(s) && backup.destination_path.len() > s.len()
            });
            if !scheme_ok || backup.destination_path.contains(char::is_whitespace) {
                self.report(
                    Code::InvalidHost,
                    &bpath.key("destinationPath"),
                    format!("`{}` is not an object store URL: expected `s3://`, `gs://` or `https://` (Azure)", crate::load::shorten(&backup.destination_path)),
                );
            }
            if backup.destination_path.contains('@') {
                self.report(
                    Code::InlineSecret,
                    &bpath.key("destinationPath"),
                    "the destination URL carries credentials (`user@`): reference a Secret with `credentialsSecret` instead",
                );
            }
            if let Some(url) = &backup.endpoint_url {
                self.url(url, &bpath.key("endpointURL"));
            }
        }
        if let Some(vpa) = &pg.vpa {
            let vpath = path.key("vpa");
            self.vpa(vpa, &vpath);
            if let Some(target) = &vpa.target_ref
                && (
                    target.api_version.as_str(),
                    target.kind.as_str(),
                    target.name.as_str(),
                ) != ("postgresql.cnpg.io/v1", "Cluster", pg.name.as_str())
            {
                let why = if target.kind == "StatefulSet" {
                    "CloudNativePG manages its pods directly and never creates a StatefulSet"
                } else {
                    "the database's workload is the CNPG Cluster"
                };
                self.report(
                    Code::VpaTarget,
                    &vpath.key("targetRef"),
                    format!(
                        "the database VPA targets `{}/{}` `{}`: {why}",
                        target.api_version, target.kind, target.name
                    ),
                )
                .help = Some(format!(
                    "target the Cluster (`{{apiVersion: postgresql.cnpg.io/v1, kind: Cluster, name: {}}}`), or remove `targetRef`: that is the default",
                    pg.name
                ));
            }
            if let Some(container) = &vpa.container_name
                && container != "postgres"
            {
                self.report(
                    Code::VpaTarget,
                    &vpath.key("containerName"),
                    format!(
                        "CloudNativePG's database container is `postgres`, not `{}`",
                        crate::load::shorten(container)
                    ),
                )
                .help = Some(
                    "set `containerName: postgres`, or remove it: that is the default".to_owned(),
                );
            }
        }
    }

    fn redis(&mut self, redis: &Redis) {
        let path = FieldPath::root().key("redis");
        if let Some(api_version) = &redis.api_version
            && api_version != "redis.redis.opstreelabs.in/v1beta2"
        {
            let why = if api_version == "redis.redis.opstreelabs.in/v1beta1" {
                "redis-operator stopped serving `v1beta1` in v0.20.0"
            } else {
                "redis-operator 0.26 serves only `redis.redis.opstreelabs.in/v1beta2`"
            };
            self.report(
                    Code::ApiVersion,
                    &path.key("apiVersion"),
                    format!("apiVersion `{}` is not served: {why}", crate::load::shorten(api_version)),
                )
                .help = Some("use `redis.redis.opstreelabs.in/v1beta2`, or remove `apiVersion`: that is the default".to_owned());
        }
        if redis.cluster_size > 3 && redis.cluster_size <= 1000 {
            self.report(
                Code::RedisPods,
                &path.key("clusterSize"),
                format!(
                    "clusterSize `{}` counts leader shards, each with a follower: this cluster runs {} Redis pods",
                    redis.cluster_size,
                    redis.cluster_size * 2
                ),
            )
            .help = Some(format!(
                "if you meant {} pods in all, set `clusterSize: {}`",
                redis.cluster_size,
                (redis.cluster_size / 2).max(3)
            ));
        }
        if redis.cluster_size < 3 {
            self.report(
                Code::RedisShards,
                &path.key("clusterSize"),
                format!(
                    "clusterSize `{}` is below 3: a Redis cluster needs at least 3 leader shards",
                    redis.cluster_size
                ),
            )
            .help =
                Some("set `clusterSize: 3` (3 leaders, each with one follower: 6 pods)".to_owned());
        } else if redis.cluster_size > 1000 {
            self.report(
                Code::RedisShards,
                &path.key("clusterSize"),
                format!("clusterSize `{}` is above 1000", redis.cluster_size),
            );
        }
        self.image(&redis.image, &path.key("image"));
        if let Some(exporter) = &redis.exporter {
            self.image(&exporter.image, &path.key("exporter").key("image"));
        }
        if let Some(resources) = &redis.resources {
            self.resources(resources, &path.key("resources"));
        }
        if !redis.storage.size.is_positive() {
            self.report(
                Code::InvalidQuantity,
                &path.key("storage").key("size"),
                format!("storage size `{}` is not positive", redis.storage.size),
            );
        }
        for (key, value) in &redis.config {
            let cpath = path.key("config").key(key);
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.report_key(
                    Code::RedisConfig,
                    &cpath,
                    format!(
                        "`{}` is not a redis.conf directive: expected letters, digits and `-`",
                        crate::load::shorten(key)
                    ),
                );
            }
            if value.trim().is_empty() || value.chars().any(char::is_control) {
                self.report(
                    Code::RedisConfig,
                    &cpath,
                    format!("the value of `{key}` must be one non-empty line: a line break would start another directive"),
                );
            }
        }
    }

    fn image(&mut self, image: &str, path: &FieldPath) {
        if image.is_empty() {
            return; // missing: reported while loading
        }
        if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.report(
                Code::InvalidName,
                path,
                format!(
                    "`{}` is not an image reference",
                    crate::load::shorten(image)
                ),
            );
            return;
        }
        let (name, digest) = image
            .split_once('@')
            .map_or((image, false), |(n, _)| (n, true));
        let last = name.rsplit('/').next().unwrap_or(name);
        let tag = last.split_once(':').map(|(_, t)| t);
        if !digest && tag.is_none_or(|t| t == "latest") {
            let what = if tag.is_none() {
                "has no tag, which means `latest`"
            } else {
                "uses the `latest` tag"
            };
            self.report(
                Code::UnpinnedImage,
                path,
                format!(
                    "image `{}` {what}: it changes under you",
                    crate::load::shorten(image)
                ),
            )
            .help = Some(
                "pin a version tag or a digest, e.g. `quay.io/opstree/redis-exporter:v1.44.0`"
                    .to_owned(),
            );
        }
    }

    fn traffic(&mut self, profile: &Profile) {
        let traffic = &profile.traffic;
        let path = FieldPath::root().key("traffic");
        let host = traffic.host.strip_prefix("*.").unwrap_or(&traffic.host);
        if dns_subdomain_problem(host).is_some() || host.len() > 253 {
            self.report(
                Code::InvalidHost,
                &path.key("host"),
                format!(
                    "`{}` is not a host name: expected a DNS name such as `api.mplp.example.com`",
                    crate::load::shorten(&traffic.host)
                ),
            );
        }
        self.label_name(&traffic.service, &path.key("service"), "service", 63, false);
        if let Some(gateway) = &traffic.gateway {
            let (ns, name) = gateway
                .split_once('/')
                .map_or((None, gateway.as_str()), |(n, g)| (Some(n), g));
            if ns.is_some_and(|ns| dns_label_problem(ns, 63).is_some())
                || dns_subdomain_problem(name).is_some()
            {
                self.report(
                    Code::InvalidHost,
                    &path.key("gateway"),
                    format!(
                        "`{}` is not a gateway: expected `NAME` or `NAMESPACE/NAME`",
                        crate::load::shorten(gateway)
                    ),
                );
            }
        }
        let header = &traffic.region_header;
        if header.is_empty()
            || !header
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            self.report(
                Code::InvalidHost,
                &path.key("regionHeader"),
                format!("`{}` is not a header name Istio matches: expected lower-case letters, digits and `-`", crate::load::shorten(header)),
            );
        }
        if !(1..=65535).contains(&traffic.port) {
            self.report(
                Code::InvalidHost,
                &path.key("port"),
                format!(
                    "port `{}` is out of range: expected 1 to 65535",
                    traffic.port
                ),
            );
        }
    }

    fn platform(&mut self, profile: &Profile) {
        let platform = &profile.platform;
        let path = FieldPath::root().key("platform");
        let repo = &platform.repo_url;
        let repo_ok = repo.starts_with("https://")
            || repo.starts_with("http://")
            || repo.starts_with("ssh://")
            || repo.starts_with("git@")
            || repo.starts_with("oci://");
        if !repo_ok || repo.contains(char::is_whitespace) || repo.len() < 10 {
            self.report(
                Code::InvalidHost,
                &path.key("repoURL"),
                format!("`{}` is not a repository URL: expected `https://…`, `ssh://…`, `git@…` or `oci://…`", crate::load::shorten(repo)),
            );
        }
        if platform.path.is_empty()
            || platform.path.starts_with('/')
            || platform.path.split('/').any(|p| p == "..")
        {
            self.report(
                Code::InvalidHost,
                &path.key("path"),
                format!("`{}` is not a path inside the repository: expected a relative path such as `charts/mplp-global`", crate::load::shorten(&platform.path)),
            );
        }
        if platform.target_revision.trim().is_empty()
            || platform.target_revision.contains(char::is_whitespace)
        {
            self.report(
                Code::InvalidHost,
                &path.key("targetRevision"),
                "targetRevision must be a branch, tag or commit without spaces",
            );
        }
        self.url(&platform.argocd.server, &path.key("argocd").key("server"));
    }

    fn url(&mut self, url: &str, path: &FieldPath) {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', ':']).next().unwrap_or(""));
        if host.is_none_or(|h| {
            h.is_empty()
                || dns_subdomain_problem(h).is_some()
                    && !h.chars().all(|c| c.is_ascii_digit() || c == '.')
        }) || url.contains(char::is_whitespace)
        {
            self.report(
                Code::InvalidHost,
                path,
                format!(
                    "`{}` is not a URL: expected `https://HOST[:PORT][/PATH]`",
                    crate::load::shorten(url)
                ),
            );
        }
    }
}

/// Parameters the `CloudNativePG` webhook refuses (`postgresql_conf.md`, "Fixed parameters", v1.30.0).
pub const CNPG_FIXED_PARAMETERS: &[&str] = &[
    "allow_alter_system",
    "allow_system_table_mods",
    "archive_cleanup_command",
    "archive_command",
    "archive_mode",
    "bonjour",
    "bonjour_name",
    "cluster_name",
    "config_file",
    "data_directory",
    "data_sync_retry",
    "event_source",
    "external_pid_file",
    "hba_file",
    "hot_standby",
    "ident_file",
    "jit_provider",
    "listen_addresses",
    "log_destination",
    "log_directory",
    "log_file_mode",
    "log_filename",
    "log_rotation_age",
    "log_rotation_size",
    "log_truncate_on_rotation",
    "logging_collector",
    "port",
    "primary_conninfo",
    "primary_slot_name",
    "promote_trigger_file",
    "recovery_end_command",
    "recovery_min_apply_delay",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_timeline",
    "recovery_target_xid",
    "restart_after_crash",
    "restore_command",
    "shared_preload_libraries",
    "ssl",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_crl_file",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_key_file",
    "ssl_passphrase_command",
    "ssl_passphrase_command_supports_reload",
    "ssl_prefer_server_ciphers",
    "stats_temp_directory",
    "synchronous_standby_names",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
];

/// A `PostgreSQL` memory setting in bytes, as CNPG's webhook reads it: a bare number is
/// MB; otherwise `B`, `kB`, `MB`, `GB` or `TB` (powers of 1024).
#[must_use]
pub fn postgres_bytes(text: &str) -> Option<f64> {
    let text = text.trim();
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(end);
    let n: f64 = digits.parse().ok()?;
    let mult = match unit.trim() {
        "" | "MB" => 1024.0 * 1024.0,
        "B" => 1.0,
        "kB" => 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024f64.powi(4),
        _ => return None,
    };
    Some(n * mult)
}

fn is_retention(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 2
        && matches!(bytes[0], b'1'..=b'9')
        && bytes[1..bytes.len() - 1].iter().all(u8::is_ascii_digit)
        && matches!(bytes[bytes.len() - 1], b'd' | b'w' | b'm')
}

fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
}

fn is_config_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_kind(kind: &str) -> bool {
    kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric())
        && kind.len() <= 63
}

/// Why `name` is not a DNS-1123 label of at most `max` characters, if it is not.
#[must_use]
pub fn dns_label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if name.len() > max {
        return Some(format!(
            "it is {} characters long, over the limit of {max}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{}` is not allowed: expected lower-case letters, digits and `-` (DNS-1123 label)",
            c.escape_debug()
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it must start and end with a letter or digit (DNS-1123 label)".to_owned());
    }
    None
}

/// Why `name` is not a DNS-1123 subdomain, if it is not.
#[must_use]
pub fn dns_subdomain_problem(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some(format!(
            "it is {} characters long, over the limit of 253",
            name.len()
        ));
    }
    name.split('.')
        .find_map(|part| dns_label_problem(part, 63))
        .map(|p| p.replace("DNS-1123 label", "DNS-1123 subdomain"))
}

/// The nearest valid label: lower case, other characters as `-`, trimmed.
fn suggest_label(name: &str, max: usize) -> String {
    let mapped: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed: String = mapped.trim_matches('-').chars().take(max).collect();
    trimmed.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{DEFAULT_PROFILE, Input, Loaded, load};

    /// Load the default profile with some text replaced; return the concise diagnostics.
    fn lint(replacements: &[(&str, &str)]) -> Vec<String> {
        let mut text = DEFAULT_PROFILE.to_owned();
        for (from, to) in replacements {
            assert!(
                text.contains(from),
                "fixture text `{from}` not in the default profile"
            );
            text = text.replacen(from, to, 1);
        }
        let Loaded {
            sources,
            tree,
            profile,
            diagnostics,
        } = load(
            &[Input::Text {
                name: "p.yaml".into(),
                text,
            }],
            &[],
        )
        .unwrap();
        let mut all = diagnostics;
        if let Some(profile) = profile {
            all.extend(validate(&profile, &tree));
        }
        all.iter().map(|d| d.concise(&sources)).collect()
    }

    fn line_of(needle: &str) -> usize {
        DEFAULT_PROFILE
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    }

    #[test]
    fn the_default_profile_is_clean() {
        assert_eq!(lint(&[]), Vec::<String>::new());
    }

    #[test]
    fn replica_ranges() {
        let out = lint(&[("replicas: {min: 2, max: 8}", "replicas: {min: 3, max: 2}")]);
        let line = line_of("plan:") + 1;
        assert_eq!(
            out,
            vec![format!(
                "p.yaml:{line}:29: error[E0103] modules.plan.replicas.max: max (`2`) is below min (`3`)"
            )]
        );
        let out = lint(&[("replicas: {min: 1, max: 5}", "replicas: {min: 0, max: 5}")]);
        assert!(
            out[0].contains("error[E0102] modules.extension.replicas.min: min (`0`) is below 1"),
            "{out:?}"
        );
        let out = lint(&[(
            "replicas: {min: 2, max: 15}\n    resources",
            "replicas: {min: 16, max: 15}\n    resources",
        )]);
        assert!(
            out[0].contains("error[E0103] regions.eu-west-1.replicas.max"),
            "{out:?}"
        );
    }

    #[test]
    fn names_are_dns_labels() {
        let out = lint(&[("  eu-west-1:\n", "  EU_West_1:\n")]);
        assert!(
            out.iter().any(|d| d.contains(
                "error[E0101] regions.EU_West_1: region `EU_West_1` is not a valid name"
            )),
            "{out:?}"
        );
        let out = lint(&[("namespace: mplp-production", "namespace: mplp.production")]);
        assert!(out[0].contains("error[E0101] namespace"), "{out:?}");
        let long = "x".repeat(60);
        let out = lint(&[("  trace:\n", &format!("  {long}:\n"))]);
        assert!(out[0].contains("over the limit of 54"), "{out:?}");
    }

    #[test]
    fn regions_need_one_primary_and_weights_of_100() {
        let out = lint(&[("primary: true", "primary: false")]);
        assert!(
            out[0].contains("error[E0201] regions: no primary region"),
            "{out:?}"
        );
        let out = lint(&[("weight: 30", "weight: 30\n    primary: true")]);
        assert!(
            out[0].contains("error[E0201] regions.eu-west-1.primary"),
            "{out:?}"
        );
        let out = lint(&[("weight: 20", "weight: 25")]);
        assert!(out[0].contains("error[E0202] regions: region weights add up to `105` (us-east-1 50 + eu-west-1 30 + ap-southeast-1 25): expected 100"), "{out:?}");
        let out = lint(&[("weight: 20", "weight: -20")]);
        assert!(
            out[0].contains("error[E0202] regions.ap-southeast-1.weight"),
            "{out:?}"
        );
    }

    #[test]
    fn behavior_limits() {
        let out = lint(&[
            (
                "stabilizationWindowSeconds: 60",
                "stabilizationWindowSeconds: 4000",
            ),
            (
                "{type: Pods, value: 4, periodSeconds: 15}",
                "{type: Pods, value: 0, periodSeconds: 1801}",
            ),
        ]);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(
            out[0].contains("error[E0401] defaults.behavior.scaleUp.stabilizationWindowSeconds")
        );
        assert!(out[1].contains("error[E0403] defaults.behavior.scaleUp.policies[1].value"));
        assert!(
            out[2].contains("error[E0402] defaults.behavior.scaleUp.policies[1].periodSeconds")
        );
        let out = lint(&[(
            "        - {type: Percent, value: 10, periodSeconds: 60}\n",
            "",
        )]);
        assert!(
            out.iter()
                .any(|d| d.contains("error[E0004]") || d.contains("error[E0404]")),
            "{out:?}"
        );
    }

    #[test]
    fn metric_targets() {
        let out = lint(&[(
            "{resource: cpu, utilization: 60}",
            "{resource: cpu, utilization: 0}",
        )]);
        assert!(
            out[0].contains("error[E0501] modules.role.metrics[0].utilization"),
            "{out:?}"
        );
        let out = lint(&[(
            "{resource: cpu, utilization: 60}",
            "{resource: cpu, value: 60}",
        )]);
        assert!(
            out.iter()
                .any(|d| d.contains("error[E0003] modules.role.metrics[0].value")),
            "{out:?}"
        );
        let out = lint(&[(
            "{pods: mplp_auth_requests_per_second, averageValue: \"50\"}",
            "{pods: mplp_auth_requests_per_second, utilization: 50}",
        )]);
        assert!(
            out.iter()
                .any(|d| d.contains("E0005") && d.contains("averageValue")),
            "{out:?}"
        );
        let out = lint(&[(
            "{resource: cpu, utilization: 60}",
            "{resource: cpu, utilization: 60}\n      - {resource: cpu, utilization: 50}",
        )]);
        assert!(
            out[0].contains("error[E0502] modules.role.metrics[1]"),
            "{out:?}"
        );
    }

    #[test]
    fn vpa_rules() {
        let out = lint(&[(
            "updateMode: \"Off\"\n      minAllowed: {cpu: 100m",
            "updateMode: Auto\n      minAllowed: {cpu: 100m",
        )]);
        assert!(
            out.iter()
                .any(|d| d.contains("warning[W0604] modules.core.vpa.updateMode")),
            "{out:?}"
        );
        assert_eq!(
            out.iter()
                .filter(|d| d.contains("error[E0602] modules.core.vpa.updateMode"))
                .count(),
            1,
            "{out:?}"
        );
        let out = lint(&[(
            "updateMode: \"Off\"\n      minAllowed: {cpu: 100m",
            "updateMode: Initial\n      minAllowed: {cpu: 100m",
        )]);
        assert!(out[0].contains("warning[W0603]"), "{out:?}");
        let out = lint(&[(
            "updateMode: \"Off\"\n      minAllowed: {cpu: 100m",
            "updateMode: Recreate\n      controlledResources: [memory]\n      minAllowed: {cpu: 100m",
        )]);
        assert!(
            out[0].contains("E0602") && out[0].contains("controls memory"),
            "{out:?}"
        );
        let out = lint(&[("maxAllowed: {cpu: 4000m", "maxAllowed: {cpu: 10m")]);
        assert!(
            out[0].contains("error[E0601] modules.core.vpa.minAllowed.cpu"),
            "{out:?}"
        );
    }

    #[test]
    fn postgres_rules() {
        let out = lint(&[(
            "max_connections: \"200\"",
            "max_connections: \"200\"\n    port: \"5433\"",
        )]);
        assert!(
            out[0].contains("error[E0701] postgres.parameters.port"),
            "{out:?}"
        );
        let out = lint(&[("shared_buffers: 256MB", "shared_buffers: 4GB")]);
        assert!(
            out[0].contains("error[E0702] postgres.resources.requests.memory"),
            "{out:?}"
        );
        let out = lint(&[("retention: 30d", "retention: 30days")]);
        assert!(
            out[0].contains("error[E0703] postgres.backup.retention"),
            "{out:?}"
        );
        let out = lint(&[("postgres: {instances: 2}", "postgres: {instances: 0}")]);
        assert!(
            out[0].contains("error[E0705] regions.eu-west-1.postgres.instances"),
            "{out:?}"
        );
        let out = lint(&[(
            "credentialsSecret: backup-credentials",
            "credentialsSecret: backup-credentials\n    secretAccessKey: hunter2",
        )]);
        assert!(
            out[0].contains("error[E0704] postgres.backup.secretAccessKey"),
            "{out:?}"
        );
        assert_eq!(postgres_bytes("256MB"), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(postgres_bytes("128"), Some(128.0 * 1024.0 * 1024.0));
        assert_eq!(postgres_bytes("1Gi"), None);
    }

    #[test]
    fn redis_rules() {
        let out = lint(&[("clusterSize: 3", "clusterSize: 2")]);
        assert!(out[0].contains("error[E0801] redis.clusterSize"), "{out:?}");
        let out = lint(&[("redis-exporter:v1.44.0", "redis-exporter:latest")]);
        assert!(
            out[0].contains("warning[W0802] redis.exporter.image"),
            "{out:?}"
        );
        let out = lint(&[(
            "image: quay.io/opstree/redis:v7.0.15",
            "image: quay.io/opstree/redis",
        )]);
        assert!(out[0].contains("warning[W0802] redis.image"), "{out:?}");
        let out = lint(&[(
            "timeout: \"300\"",
            "timeout: \"300\\nrename-command CONFIG \\\"\\\"\"",
        )]);
        assert!(
            out[0].contains("error[E0803] redis.config.timeout"),
            "{out:?}"
        );
    }

    #[test]
    fn traffic_and_argo_rules() {
        let out = lint(&[("host: api.mplp.example.com", "host: \"api mplp\"")]);
        assert!(out[0].contains("error[E0901] traffic.host"), "{out:?}");
        let out = lint(&[("port: 80", "port: 70000")]);
        assert!(out[0].contains("error[E0901] traffic.port"), "{out:?}");
        let out = lint(&[(
            "repoURL: https://github.com/mplp/mplp-helm",
            "repoURL: github.com/mplp",
        )]);
        assert!(out[0].contains("error[E0901] platform.repoURL"), "{out:?}");
    }

    #[test]
    fn overrides_must_name_modules() {
        let out = lint(&[(
            "postgres: {instances: 1}",
            "postgres: {instances: 1}\n    modules: {netwrok: {replicas: {min: 1, max: 2}}}",
        )]);
        assert!(
            out[0].contains("error[E0104] regions.ap-southeast-1.modules.netwrok"),
            "{out:?}"
        );
    }

    #[test]
    fn one_hpa_per_deployment() {
        let out = lint(&[(
            "  network:\n    replicas: {min: 2, max: 15}",
            "  core-extra:\n    deployment: mplp-core\n    replicas: {min: 1, max: 3}\n  network:\n    replicas: {min: 2, max: 15}",
        )]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("error[E0106] modules.core-extra.deployment: modules `core` and `core-extra` both scale `Deployment/mplp-core`"), "{out:?}");
    }

    #[test]
    fn vpa_targets_and_containers() {
        let out = lint(&[(
            "    maxAllowed: {cpu: 8000m, memory: 32Gi}",
            "    maxAllowed: {cpu: 8000m, memory: 32Gi}\n    targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: postgresql}\n    containerName: postgresql",
        )]);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            out.iter()
                .any(|d| d.contains("error[E0605] postgres.vpa.targetRef")
                    && d.contains("never creates a StatefulSet")),
            "{out:?}"
        );
        assert!(
            out.iter()
                .any(|d| d.contains("error[E0605] postgres.vpa.containerName")),
            "{out:?}"
        );
        let out = lint(&[(
            "      controlledValues: RequestsAndLimits",
            "      controlledValues: RequestsAndLimits\n      targetRef: {apiVersion: apps/v1, kind: Deployment, name: other}",
        )]);
        assert!(
            out[0].contains("error[E0605] modules.core.vpa.targetRef"),
            "{out:?}"
        );
        // The right target is accepted.
        let out = lint(&[(
            "      controlledValues: RequestsAndLimits",
            "      controlledValues: RequestsAndLimits\n      targetRef: {apiVersion: apps/v1, kind: Deployment, name: mplp-core}",
        )]);
        assert_eq!(out, Vec::<String>::new());
    }

    #[test]
    fn redis_api_version_and_pod_count() {
        let out = lint(&[(
            "  name: redis-cluster",
            "  name: redis-cluster\n  apiVersion: redis.redis.opstreelabs.in/v1beta1",
        )]);
        assert!(
            out[0].contains("error[E0805] redis.apiVersion") && out[0].contains("v0.20.0"),
            "{out:?}"
        );
        let out = lint(&[("clusterSize: 3", "clusterSize: 6")]);
        assert!(
            out[0].contains("warning[W0804] redis.clusterSize") && out[0].contains("12 Redis pods"),
            "{out:?}"
        );
    }

    #[test]
    fn requests_over_limits_and_long_names() {
        let out = lint(&[(
            "      requests: {cpu: 1000m, memory: 2Gi}\n      limits: {cpu: 4000m, memory: 8Gi}\n    postgres: {instances: 3}",
            "      requests: {cpu: 5000m, memory: 2Gi}\n      limits: {cpu: 4000m, memory: 8Gi}\n    postgres: {instances: 3}",
        )]);
        assert!(out[0].contains("error[E0302] regions.us-east-1.resources.requests.cpu: cpu request `5000m` is above its limit `4000m`"), "{out:?}");
        let out = lint(&[(
            "  name: postgresql-cluster",
            &format!("  name: {}", "p".repeat(51)),
        )]);
        assert!(out[0].contains("error[E0105] postgres.name"), "{out:?}");
    }

    #[test]
    fn hints_for_what_the_scaling_guide_writes() {
        let out = lint(&[(
            "  storage: {size: 100Gi, storageClass: fast-ssd}",
            "  storage: {size: 100Gi, storageClass: fast-ssd}\n  monitoring: {enabled: true}",
        )]);
        assert!(
            out[0].contains("error[E0003] postgres.monitoring"),
            "{out:?}"
        );
        let text = DEFAULT_PROFILE.replacen(
            "  storage: {size: 100Gi, storageClass: fast-ssd}",
            "  storage: {size: 100Gi, storageClass: fast-ssd}\n  monitoring: {enabled: true}",
            1,
        );
        let loaded = load(
            &[Input::Text {
                name: "p.yaml".into(),
                text,
            }],
            &[],
        )
        .unwrap();
        let help = loaded.diagnostics[0].help.as_deref().unwrap();
        assert!(help.contains("create a PodMonitor"), "{help}");
    }

    #[test]
    fn every_problem_in_one_run() {
        let out = lint(&[
            ("weight: 20", "weight: 25"),
            ("clusterSize: 3", "clusterSize: 1"),
            ("retention: 30d", "retention: 30"),
        ]);
        assert_eq!(out.len(), 3, "{out:?}");
    }
}

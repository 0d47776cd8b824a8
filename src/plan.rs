//! What to render: every object of the topology, in stream order.
//!
//! `plan` walks the kinds table ([`crate::kinds::KINDS`]) for the global scope, then for
//! each region in the profile's order; each kind's module plans its own objects (defaults
//! filled in, overrides applied, names derived): every choice a template would otherwise
//! have to make is made there. Templates then only lay the values out.

use std::sync::Arc;

use crate::kinds::{At, Body, KINDS, KindInfo, Labels, Placement, Planner};
use crate::profile::Profile;

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

/// One object to render: its metadata, and its body (shared between objects equal but
/// for their metadata).
#[derive(Debug, Clone)]
pub struct PlannedObject {
    pub scope: Scope,
    pub kind: &'static KindInfo,
    /// The `apiVersion` to write (the kind's, unless its planner chose another).
    pub api_version: &'static str,
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    /// Shared by every object of a scope and component.
    pub labels: Arc<Labels>,
    /// The `metadata.annotations` entries, as YAML lines indented for it (`None`: none).
    pub annotations: Option<&'static str>,
    pub body: Arc<Body>,
    /// One of its kind's objects per module, named after its module: unique among them by
    /// construction (module names are, and two modules never share a Deployment, E0106),
    /// so only the kind's other objects can share its name (`same_object`).
    pub per_module: bool,
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
    ///
    /// It is a comment line: the names in it are validated, and written escaped all the
    /// same (`yaml::write_comment_text`), so no name can end the line.
    pub fn write_source(&self, out: &mut String) {
        match &self.scope {
            Scope::Global => out.push_str("global"),
            Scope::Region(name) => {
                out.push_str("regions/");
                crate::yaml::write_comment_text(out, name);
            }
        }
        out.push('/');
        out.push_str(self.kind.kind);
        out.push('/');
        crate::yaml::write_comment_text(out, &self.name);
        out.push_str(".yaml");
    }
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

    /// Whether the objects of `scope` are selected.
    #[must_use]
    pub fn includes(&self, scope: &Scope) -> bool {
        match scope {
            Scope::Global => self.global,
            Scope::Region(name) => self.has_region(name),
        }
    }

    fn has_region(&self, name: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|r| r.iter().any(|x| x == name))
    }
}

/// Plan the objects of a valid profile (validate first: plan assumes the rules hold).
#[must_use]
pub fn plan(profile: &Profile, selection: &Selection) -> Vec<PlannedObject> {
    plan_with(&Planner::new(profile), selection)
}

/// The objects of one region of each sort ([`representative_regions`]), for their kinds
/// and names alone (`lint`'s E0110): the bodies of the objects planned per module are
/// empty, and are never rendered.
#[must_use]
pub(crate) fn plan_representative_names(profile: &Profile) -> Vec<PlannedObject> {
    let mut planner = Planner::new(profile);
    planner.names_only = true;
    let selection = Selection {
        global: false,
        regions: Some(representative_regions(&planner)),
    };
    plan_with(&planner, &selection)
}

fn plan_with(planner: &Planner<'_>, selection: &Selection) -> Vec<PlannedObject> {
    let profile = planner.profile;
    let mut objects = Vec::new();
    if selection.global {
        let at = At::global();
        for kind in KINDS.iter().filter(|k| k.placement == Placement::Global) {
            (kind.plan)(planner, &at, &mut objects);
        }
    }
    for (name, region) in &profile.regions {
        if !selection.has_region(name) {
            continue;
        }
        let at = At::region(name, region);
        for kind in KINDS.iter().filter(|k| k.placement == Placement::Regional) {
            (kind.plan)(planner, &at, &mut objects);
        }
    }
    objects
}

/// One region of each sort the plan tells apart: regions with the same settings (but for
/// their cluster, mesh cluster ID, locality and how much weight they carry beyond none)
/// and the same role (the acting primary or not) have objects of the same kinds and
/// names, so `lint` looks for two objects as one ([`same_object`]) in these alone (a
/// test holds every region's names equal to its representative's). A profile whose
/// regions differ only in weight plans two regions, not a hundred.
#[must_use]
fn representative_regions(planner: &Planner<'_>) -> Vec<String> {
    let profile = planner.profile;
    let acting = planner.acting_primary();
    let mut sorts: Vec<(bool, crate::profile::Region)> = Vec::new();
    let mut out = Vec::new();
    for (name, region) in &profile.regions {
        let mut sort = region.clone();
        sort.cluster = None;
        sort.mesh_cluster_id = None;
        sort.locality = None;
        sort.weight = i64::from(region.weight > 0);
        let key = (acting == Some(name.as_str()), sort);
        if !sorts.contains(&key) {
            sorts.push(key);
            out.push(name.clone());
        }
    }
    out
}

/// The first two objects of one scope that Kubernetes would take for one (the same kind,
/// namespace and name): a name the profile gives to two objects (`metricsAdapter.name`
/// set to the scaling policies' `ConfigMap`, `postgres.name` equal to `redis.name`), so
/// the second would replace the first once applied, and one file under `--out-dir`.
///
/// Linear: the objects planned one per module (most of them) are unique among their kind
/// by construction, so each is compared only with the few other objects of its kind in
/// its scope; those few are compared with each other.
#[must_use]
pub(crate) fn same_object(objects: &[PlannedObject]) -> Option<(&PlannedObject, &PlannedObject)> {
    let same = |a: &PlannedObject, b: &PlannedObject| {
        a.kind.kind == b.kind.kind && a.name == b.name && a.namespace == b.namespace
    };
    for scope in objects.chunk_by(|a, b| a.scope == b.scope) {
        let others: Vec<&PlannedObject> = scope.iter().filter(|o| !o.per_module).collect();
        for (i, a) in others.iter().enumerate() {
            if let Some(b) = others[i + 1..].iter().find(|b| same(a, b)) {
                return Some((a, b));
            }
        }
        for run in scope.chunk_by(|a, b| std::ptr::eq(a.kind, b.kind)) {
            let kind = run[0].kind.kind;
            let against: Vec<&PlannedObject> = others
                .iter()
                .copied()
                .filter(|o| o.kind.kind == kind)
                .collect();
            if against.is_empty() {
                continue;
            }
            for object in run.iter().filter(|o| o.per_module) {
                if let Some(first) = against.iter().find(|o| same(o, object)) {
                    return Some((first, object));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effective::effective_module;
    use crate::kinds;
    use crate::load::{Input, load};
    use crate::profile::Replicas;

    fn default_profile() -> Profile {
        load(&[], &[]).unwrap().profile.unwrap()
    }

    /// A value of a planned body, by a dotted path (`replica_of.source`).
    fn field(object: &PlannedObject, path: &str) -> String {
        let mut value = object.body.context().clone();
        for key in path.split('.') {
            value = value.get_attr(key).unwrap();
        }
        value.to_string()
    }

    /// [`same_object`] (linear, trusting that per-module objects are unique in their
    /// kind) agrees with a brute-force look at every pair of every scope.
    #[test]
    fn same_object_agrees_with_every_pair() {
        let brute = |objects: &[PlannedObject]| {
            let mut seen = std::collections::BTreeSet::new();
            objects.iter().any(|o| {
                !seen.insert((
                    o.scope.clone(),
                    o.kind.kind,
                    o.namespace.clone(),
                    o.name.clone(),
                ))
            })
        };
        let cases: &[&[&str]] = &[
            &[],
            &["metricsAdapter.name=mplp-scaling-policies"],
            &[
                "metricsAdapter.name=mplp-scaling-policies",
                "metricsAdapter.namespace=mplp-production",
            ],
            &["postgres.name=redis-cluster"],
            &["postgres.name=mplp-core"],
            &["redis.name=postgresql-cluster"],
            &["traffic.service=mplp-plan-service"],
            &["modules.core.deployment=mplp-plan"],
        ];
        let mut found = 0;
        for sets in cases {
            let sets: Vec<String> = sets.iter().map(|s| (*s).to_owned()).collect();
            // A profile with errors is never planned (render refuses it): two modules on
            // one Deployment (the last case) is E0106, and only then are two of one
            // module kind's objects one.
            let checked = crate::commands::check_for_full_plan(&[Input::Default], &sets).unwrap();
            let profile = match checked.profile {
                Some(profile) if checked.errors() == 0 => profile,
                other => {
                    assert!(brute(&plan(&other.unwrap(), &Selection::all())));
                    continue;
                }
            };
            let objects = plan(&profile, &Selection::all());
            let linear = same_object(&objects).is_some();
            assert_eq!(linear, brute(&objects), "{sets:?}");
            found += usize::from(linear);
        }
        assert!(found >= 3, "the cases find collisions: {found}");
    }

    /// `lint` looks for two objects as one in the representative regions alone: every
    /// region's objects (kinds, namespaces and names) are one of theirs.
    #[test]
    fn representative_regions_have_every_region_s_names() {
        let names_by_region = |objects: &[PlannedObject]| {
            let mut by: std::collections::BTreeMap<String, Vec<(String, String, String)>> =
                std::collections::BTreeMap::new();
            for o in objects {
                if let Scope::Region(r) = &o.scope {
                    by.entry(r.to_string()).or_default().push((
                        o.kind.kind.to_owned(),
                        o.namespace.to_string(),
                        o.name.to_string(),
                    ));
                }
            }
            by.into_values()
                .map(|mut v| {
                    v.sort();
                    v
                })
                .collect::<std::collections::BTreeSet<_>>()
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let cases: &[(&str, &[&str])] = &[
            ("profiles/production.yaml", &[]),
            ("profiles/minimal.yaml", &[]),
            (
                "profiles/production.yaml",
                &["regions.eu-west-1.modules={plan: {vpa: {updateMode: \"Off\"}}}"],
            ),
            (
                "profiles/production.yaml",
                &["regions.eu-west-1.postgres={instances: 1}"],
            ),
            (
                "profiles/production.yaml",
                &["postgres.switchover={to: eu-west-1, token: t1}"],
            ),
            (
                "profiles/production.yaml",
                &[
                    "regions.ap-southeast-1.weight=0",
                    "regions.us-east-1.weight=70",
                ],
            ),
            ("profiles/production.yaml", &["autoscaling.backend=keda"]),
        ];
        let mut checked = 0;
        for (file, sets) in cases {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let sets: Vec<String> = sets.iter().map(|s| (*s).to_owned()).collect();
            let input = Input::Text {
                name: (*file).to_owned(),
                text,
            };
            let loaded = crate::commands::check(&[input], &sets).unwrap();
            let Some(profile) = loaded.profile.filter(|_| {
                loaded
                    .diagnostics
                    .iter()
                    .all(|d| d.severity() != crate::diagnostic::Severity::Error)
            }) else {
                continue;
            };
            let every = names_by_region(&plan(&profile, &Selection::all()));
            let some = Selection {
                global: false,
                regions: Some(representative_regions(&Planner::new(&profile))),
            };
            assert_eq!(
                names_by_region(&plan(&profile, &some)),
                every,
                "{file} {sets:?}"
            );
            checked += 1;
        }
        assert!(checked >= 5, "the cases plan: {checked}");
    }

    #[test]
    fn the_default_profile_plans_the_whole_topology() {
        let objects = plan(&default_profile(), &Selection::all());
        let count = |k: &KindInfo| objects.iter().filter(|o| std::ptr::eq(o.kind, k)).count();
        assert_eq!(count(&kinds::application_set::INFO), 1);
        assert_eq!(count(&kinds::application::INFO), 0);
        // Istio in every region: each cluster's istiod reads only its own config.
        assert_eq!(count(&kinds::gateway::INFO), 3);
        // The entry rule and one per other module (core's Service is the entry one).
        assert_eq!(count(&kinds::destination_rule::INFO), 30);
        assert_eq!(count(&kinds::virtual_service::INFO), 3);
        assert_eq!(count(&kinds::hpa::INFO), 30);
        assert_eq!(count(&kinds::cnpg_cluster::INFO), 3);
        assert_eq!(count(&kinds::redis_cluster::INFO), 3);
        assert_eq!(count(&kinds::vpa::INFO), 6);
        // A base backup in every region (symmetric); a reader pooler and a scrape object
        // per region for the database and the writer pooler in the primary region, each
        // pooler with its budget; one scrape object per region for the cache; a
        // Namespace per region.
        assert_eq!(count(&kinds::scheduled_backup::INFO), 3);
        assert_eq!(count(&kinds::pooler::INFO), 4);
        assert_eq!(count(&kinds::pooler::BUDGET), 4);
        assert_eq!(count(&kinds::namespace::INFO), 3);
        assert_eq!(count(&kinds::pod_monitor::DATABASE), 3);
        assert_eq!(count(&kinds::pod_monitor::CACHE), 3);
        // Stream order: global first, then regions in profile order, kinds in table order.
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
            let key = (region_index(&o.scope), o.kind.position());
            assert!(key >= last, "{} out of order", o.source());
            last = key;
        }
    }

    #[test]
    fn regions_without_overrides_share_one_body() {
        let objects = plan(&default_profile(), &Selection::all());
        let bodies = |name: &str| -> Vec<&Arc<Body>> {
            objects
                .iter()
                .filter(|o| &*o.name == name)
                .map(|o| &o.body)
                .collect()
        };
        // `plan` is the same in every region: one body for three objects.
        let plan_hpa = bodies("mplp-plan-hpa");
        assert_eq!(plan_hpa.len(), 3);
        assert!(plan_hpa.iter().all(|b| Arc::ptr_eq(b, plan_hpa[0])));
        // `core` takes each region's range: three bodies.
        let core = bodies("mplp-core-hpa");
        assert!(!Arc::ptr_eq(core[0], core[1]) && !Arc::ptr_eq(core[1], core[2]));
        // The labels name the region, so they are not shared across regions.
        let labels: Vec<_> = objects
            .iter()
            .filter(|o| &*o.name == "mplp-plan-hpa")
            .map(|o| o.labels.pairs().last().unwrap().1.clone())
            .collect();
        assert_eq!(labels, ["us-east-1", "eu-west-1", "ap-southeast-1"]);
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
        let of = |k: &KindInfo| objects.iter().find(|o| std::ptr::eq(o.kind, k)).unwrap();
        let cluster = of(&kinds::cnpg_cluster::INFO);
        assert_eq!(field(cluster, "instances"), "2");
        assert_eq!(
            field(cluster, "topology.source"),
            "postgresql-cluster-us-east-1"
        );
        assert_eq!(
            field(cluster, "topology.recover_from"),
            "postgresql-cluster-us-east-1"
        );
        assert_eq!(
            field(cluster, "topology.this"),
            "postgresql-cluster-eu-west-1"
        );
        // Retention on every region's store: each archives under its own serverName.
        assert_eq!(field(of(&kinds::object_store::INFO), "retention"), "30d");
    }
}

//! E0110: two objects of one scope that Kubernetes would take for one (the same kind,
//! namespace and name), from names the profile gives: `lint` reports it on the objects of
//! one region of each sort (`plan::representative_regions`), `render` and `diff` refuse
//! it on every object they plan (`plan::same_object`), in the same words.

use crate::diagnostic::{Code, Diagnostic, FieldPath};
use crate::load::shorten;
use crate::node::Node;
use crate::plan::{PlannedObject, Scope};
use crate::profile::Profile;

/// What is wrong, which fields make the name, and where to place it.
struct SameObject {
    message: String,
    help: String,
    /// The field the user most likely set (`postgres.name`), else a module's key.
    path: FieldPath,
}

/// E0110 for `lint`: one region of each sort, planned for names alone.
pub(super) fn lint(profile: &Profile, tree: &Node) -> Option<Diagnostic> {
    // The regions alone: the management cluster's objects (the ApplicationSet, or one
    // Application per region, named after it) never share a name; `render` checks them.
    let objects = crate::plan::plan_representative_names(profile);
    let found = same_object_error(profile, &objects);
    crate::release(objects);
    Some(diagnostic(found?, tree))
}

/// E0110 on every object `render` or `diff` planned (the global scope's too), placed as
/// `lint` places it.
pub(crate) fn in_plan(
    profile: &Profile,
    objects: &[PlannedObject],
    tree: &Node,
) -> Option<Diagnostic> {
    Some(diagnostic(same_object_error(profile, objects)?, tree))
}

/// The diagnostic, on the field the user most likely set.
fn diagnostic(found: SameObject, tree: &Node) -> Diagnostic {
    // A module's name is its key; a field's position is its value's.
    let module_key =
        matches!(found.path.segs(), [crate::diagnostic::Seg::Key(m), _] if m == "modules");
    let span = (tree.key_span_of(&found.path))
        .filter(|_| module_key)
        .unwrap_or_else(|| tree.span_of(&found.path));
    Diagnostic::new(Code::SameObject, found.path, found.message)
        .at(span)
        .help(found.help)
}

/// The first two objects of one scope that Kubernetes would take for one
/// ([`crate::plan::same_object`]): the message, a help naming the profile's fields whose
/// values make that name (`postgres.name` is `mplp-core` and module `core`'s Deployment is
/// `mplp-core`: both name a `VerticalPodAutoscaler` `mplp-core-vpa`), and the field to
/// place it on.
#[must_use]
fn same_object_error(profile: &Profile, objects: &[PlannedObject]) -> Option<SameObject> {
    let (first, _) = crate::plan::same_object(objects)?;
    let scope = match &first.scope {
        Scope::Global => "the management cluster's objects".to_owned(),
        Scope::Region(name) => format!("region `{}`'s objects", shorten(name)),
    };
    let name: &str = &first.name;
    let mut id = String::new();
    if !first.namespace.is_empty() {
        id.push_str(&shorten(&first.namespace));
        id.push('/');
    }
    id.push_str(&shorten(name));
    let message = format!(
        "two of {scope} are {} `{id}`: Kubernetes takes them for one object, so the second would replace the first once applied",
        first.kind.kind
    );
    let named: Vec<Field> = fields(profile)
        .into_iter()
        .filter(|f| {
            name == f.value
                || (name.strip_prefix(f.value.as_str())).is_some_and(|rest| rest.starts_with('-'))
        })
        .collect();
    let help = if named.len() >= 2 {
        let said: Vec<String> = (named.iter())
            .map(|f| format!("{} is `{}`", f.label, shorten(&f.value)))
            .collect();
        let which = if named.iter().any(|f| f.path.is_none()) {
            "the other"
        } else {
            "one of them"
        };
        format!("{}: rename {which}", said.join(" and "))
    } else {
        "give the two objects different names in the profile (`metricsAdapter.name`, `postgres.name`, `redis.name`, `traffic.service` or a module's `deployment` name them)".to_owned()
    };
    // A field the user wrote before a module's default name.
    let path = (named.iter())
        .filter_map(|f| f.path.clone().map(|p| (f.written, p)))
        .max_by_key(|(written, _)| *written)
        .map_or_else(FieldPath::root, |(_, p)| p);
    Some(SameObject {
        message,
        help,
        path,
    })
}

/// A field that names objects.
struct Field {
    label: String,
    value: String,
    /// `None` for a name the profile does not set.
    path: Option<FieldPath>,
    /// Written in the profile (not a module's default Deployment name).
    written: bool,
}

/// The fields that give objects their names.
fn fields(profile: &Profile) -> Vec<Field> {
    let field = |label: &str, value: &str, path: &[&str]| Field {
        label: label.to_owned(),
        value: value.to_owned(),
        path: Some(path.iter().fold(FieldPath::root(), |p, k| p.key(k))),
        written: true,
    };
    let mut fields = vec![
        Field {
            label: "the scaling policies' `ConfigMap` (a fixed name)".to_owned(),
            value: crate::kinds::policies::NAME.to_owned(),
            path: None,
            written: false,
        },
        field(
            "`traffic.service`",
            &profile.traffic.service,
            &["traffic", "service"],
        ),
        field(
            "`metricsAdapter.name`",
            &profile.metrics_adapter.name,
            &["metricsAdapter", "name"],
        ),
    ];
    fields.extend(
        (profile.postgres.iter())
            .map(|pg| field("`postgres.name`", &pg.name, &["postgres", "name"])),
    );
    fields
        .extend((profile.redis.iter()).map(|r| field("`redis.name`", &r.name, &["redis", "name"])));
    fields.extend(profile.modules.iter().map(|(m, module)| {
        let modules = FieldPath::root().key("modules").key(m);
        Field {
            label: format!("module `{}`'s Deployment", shorten(m)),
            value: crate::effective::deployment_name(m, module.deployment.as_deref()),
            path: Some(match module.deployment {
                Some(_) => modules.key("deployment"),
                None => modules,
            }),
            written: module.deployment.is_some(),
        }
    }));
    fields
}

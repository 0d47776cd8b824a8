//! Every string of the profile has a type (E0107, E0108, E0109).
//!
//! A profile string ends up in YAML values and keys, comments, Go templates that Argo CD
//! runs, `redis.conf`, `postgresql.conf` and file names. Whatever each sink escapes, a
//! value is also checked where it is read, with the rule of the field it lands in:
//!
//! - every string and every map key, whatever its field: no control character, no line
//!   break (but in the few multi-line fields), no YAML-forbidden or non-character code
//!   point (E0107), and a length limit (E0108);
//! - each field's own grammar ([`FIELDS`]: one row per string field of the profile; a
//!   test enumerates the string fields of the JSON Schema and fails naming one without
//!   a row (`every_string_field_of_the_schema_has_a_type` in `tests/suite/structure.rs`),
//!   so a new field cannot go untyped): DNS
//!   names, label keys and values, Secret keys, images, durations, paths, cron
//!   schedules (E0101 for names, E0109 for the rest), or the area rule that already
//!   types it.

use super::Reporter;
use super::names::{dns_label_problem, dns_subdomain_problem};
use crate::diagnostic::{Code, FieldPath, Seg};
use crate::node::{Node, Value};

mod patterns;

/// The longest one-line string any field takes (YAML's implicit keys stop at 1024).
pub(crate) const MAX_STRING: usize = 1024;
/// The longest map key (Kubernetes label keys and config names are far shorter).
pub(crate) const MAX_KEY: usize = 253;
/// The longest multi-line text (a `PromQL` query).
pub(crate) const MAX_TEXT: usize = 16 * 1024;

/// What a string field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    /// A DNS-1123 label of at most this many characters (E0101).
    Label(usize),
    /// A DNS-1123 subdomain (E0101).
    Subdomain,
    /// A Kubernetes label key (`[prefix/]name`).
    LabelKey,
    /// A Kubernetes label value.
    LabelValue,
    /// A Kubernetes label value in which `{module}` stands for the module's name
    /// (`podLabels`, the only labels it is filled in for: `src/effective.rs`).
    ModuleLabelValue,
    /// A key of a Secret's data.
    SecretKey,
    /// A Prometheus duration (`1m`, `30s`, `1h30m`).
    Duration,
    /// A relative path inside a repository, without `..`.
    RelativePath,
    /// A cron schedule with seconds (six fields), as CloudNativePG reads it.
    Cron,
    /// A Kubernetes `apiVersion`: `VERSION` or `GROUP/VERSION` (E0101).
    ApiVersion,
    /// A major version as the operator compares it (`v6`, `v7`).
    MajorVersion,
    /// One line of free text (shown in a ConfigMap or Helm values).
    Text,
    /// Several lines of free text (a `PromQL` query).
    MultiLine,
    /// Typed by the area rule that reports this code.
    Checked(Code),
    /// One of a closed set, checked when the profile is read (E0006).
    Enum,
}

use Type::{
    ApiVersion, Checked, Cron, Duration, Enum, Label, LabelKey, LabelValue, MajorVersion,
    ModuleLabelValue, MultiLine, RelativePath, SecretKey, Subdomain, Text,
};

/// Every string field of the profile and its type. A pattern is a field path whose `*`
/// is any map key, `[]` any list item and a final `<key>` the map key itself; a leading
/// `**` is any prefix (for the settings that modules, regions and defaults share).
pub(crate) const FIELDS: &[(&str, Type)] = &[
    ("name", Text),
    ("namespace", Checked(Code::InvalidName)),
    ("namespaceLabels.<key>", LabelKey),
    ("namespaceLabels.*", LabelValue),
    ("platform.repoURL", Checked(Code::InvalidHost)),
    ("platform.path", Checked(Code::InvalidChartPath)),
    ("platform.targetRevision", Checked(Code::InvalidRevision)),
    ("platform.argocd.namespace", Label(63)),
    ("platform.argocd.project", Subdomain),
    ("platform.argocd.server", Checked(Code::InvalidHost)),
    ("platform.argocd.valuesFormat", Enum),
    ("platform.delivery", Enum),
    ("platform.manifests.repoURL", Checked(Code::InvalidHost)),
    (
        "platform.manifests.targetRevision",
        Checked(Code::InvalidRevision),
    ),
    ("platform.manifests.path", RelativePath),
    ("platform.manifests.source", Enum),
    ("platform.manifests.profile", RelativePath),
    ("platform.network.crossRegionLatency", Text),
    ("platform.network.consistencyLevel", Text),
    ("traffic.host", Checked(Code::InvalidHost)),
    ("traffic.gateway", Checked(Code::InvalidGateway)),
    ("traffic.regionHeader", Checked(Code::InvalidHeader)),
    ("traffic.service", Label(63)),
    ("traffic.apiVersion", Enum),
    ("traffic.mode", Enum),
    ("traffic.ingress.selector.<key>", LabelKey),
    ("traffic.ingress.selector.*", LabelValue),
    ("traffic.ingress.credentialName", Subdomain),
    ("regions.<key>", Checked(Code::InvalidName)),
    ("regions.*.cluster", Checked(Code::InvalidCluster)),
    ("regions.*.meshClusterID", Checked(Code::InvalidCluster)),
    ("regions.*.locality", Checked(Code::InvalidName)),
    ("regions.*.modules.<key>", Checked(Code::UnknownModule)),
    ("**.resources.requests.*", Checked(Code::InvalidQuantity)),
    ("**.resources.limits.*", Checked(Code::InvalidQuantity)),
    ("**.minAllowed.*", Checked(Code::InvalidQuantity)),
    (
        "postgres.backup.sidecarResources.*",
        Checked(Code::InvalidQuantity),
    ),
    ("**.maxAllowed.*", Checked(Code::InvalidQuantity)),
    ("**.storage.size", Checked(Code::InvalidQuantity)),
    ("**.metrics[].averageValue", Checked(Code::InvalidQuantity)),
    ("**.metrics[].value", Checked(Code::InvalidQuantity)),
    ("**.metrics[].pods", Checked(Code::InvalidName)),
    ("**.metrics[].object", Checked(Code::InvalidName)),
    ("**.metrics[].describedObject.apiVersion", ApiVersion),
    (
        "**.metrics[].describedObject.kind",
        Checked(Code::InvalidName),
    ),
    (
        "**.metrics[].describedObject.name",
        Checked(Code::InvalidName),
    ),
    ("**.behavior.*.selectPolicy", Enum),
    ("**.behavior.*.policies[].type", Enum),
    ("**.vpa.targetRef.apiVersion", Checked(Code::VpaTarget)),
    ("**.vpa.targetRef.kind", Checked(Code::VpaTarget)),
    ("**.vpa.targetRef.name", Subdomain),
    ("**.vpa.containerName", Label(63)),
    ("**.vpa.updateMode", Enum),
    ("**.vpa.controlledResources[]", Enum),
    ("**.vpa.controlledValues", Enum),
    ("**.pdb.minAvailable", Checked(Code::PdbBothBounds)),
    ("**.pdb.maxUnavailable", Checked(Code::PdbBothBounds)),
    ("**.pdb.unhealthyPodEvictionPolicy", Enum),
    ("modules.<key>", Checked(Code::InvalidName)),
    ("modules.*.deployment", Subdomain),
    ("modules.*.policy[].metric", Text),
    ("modules.*.policy[].threshold", Text),
    ("modules.*.policy[].scaleUpFactor", Text),
    ("modules.*.policy[].scaleDownFactor", Text),
    ("**.podLabels.<key>", LabelKey),
    // `{module}` is filled in only in the top-level `podLabels` (a module's own are
    // written as they are: `src/effective.rs` `pod_labels`).
    ("podLabels.*", ModuleLabelValue),
    ("**.podLabels.*", LabelValue),
    ("metrics.<key>", Checked(Code::SeriesName)),
    ("metrics.*.series", Checked(Code::SeriesName)),
    ("metrics.*.kind", Enum),
    ("metrics.*.query", MultiLine),
    ("metricsAdapter.name", Label(63)),
    ("metricsAdapter.namespace", Label(63)),
    ("metricsAdapter.rateInterval", Duration),
    ("autoscaling.backend", Enum),
    (
        "autoscaling.prometheus.serverAddress",
        Checked(Code::InvalidHost),
    ),
    ("autoscaling.prometheus.auth.mode", Enum),
    ("autoscaling.prometheus.auth.secret", Subdomain),
    ("autoscaling.prometheus.auth.tokenKey", SecretKey),
    ("autoscaling.prometheus.auth.usernameKey", SecretKey),
    ("autoscaling.prometheus.auth.passwordKey", SecretKey),
    ("modules.*.backend", Enum),
    ("**.behavior.*.tolerance", Checked(Code::InvalidQuantity)),
    ("platform.kubernetesVersion", Checked(Code::InvalidVersion)),
    ("platform.versions.*", Checked(Code::InvalidVersion)),
    ("postgres.name", Checked(Code::InvalidName)),
    ("postgres.imageName", Checked(Code::InvalidName)),
    ("postgres.parameters.<key>", Checked(Code::InvalidName)),
    ("postgres.parameters.*", Text),
    ("**.storage.storageClass", Subdomain),
    (
        "postgres.backup.destinationPath",
        Checked(Code::InvalidHost),
    ),
    ("postgres.backup.endpointURL", Checked(Code::InvalidHost)),
    (
        "postgres.backup.credentialsSecret",
        Checked(Code::InvalidName),
    ),
    ("postgres.backup.accessKeyIdKey", Checked(Code::InvalidName)),
    (
        "postgres.backup.secretAccessKeyKey",
        Checked(Code::InvalidName),
    ),
    ("postgres.backup.retention", Checked(Code::Retention)),
    ("postgres.backup.schedule", Cron),
    ("postgres.pooler.poolMode", Enum),
    ("postgres.appSecret", Subdomain),
    ("postgres.switchover.to", Checked(Code::SwitchoverTarget)),
    (
        "postgres.switchover.promotionToken",
        Checked(Code::PromotionToken),
    ),
    ("postgres.monitoring.labels.<key>", LabelKey),
    ("postgres.monitoring.labels.*", LabelValue),
    ("redis.monitoring.labels.<key>", LabelKey),
    ("redis.monitoring.labels.*", LabelValue),
    ("redis.apiVersion", Checked(Code::ApiVersion)),
    ("redis.name", Checked(Code::InvalidName)),
    ("redis.version", MajorVersion),
    ("redis.image", Checked(Code::InvalidName)),
    ("redis.exporter.image", Checked(Code::InvalidName)),
    ("redis.config.<key>", Checked(Code::RedisConfig)),
    ("redis.config.*", Checked(Code::RedisConfig)),
    ("redis.auth.secret", Subdomain),
    ("redis.auth.key", SecretKey),
    ("redis.antiAffinity.mode", Enum),
    ("redis.antiAffinity.topologyKey", LabelKey),
];

/// The type of the string at `path` (a map key when `key` is true), if the profile has
/// such a field.
#[must_use]
pub(crate) fn type_of(path: &[Seg], key: bool) -> Option<Type> {
    patterns::first_match(path, key).map(|p| p.ty)
}

/// The type `lint` gives the string at `path` (`None` in `path`: a list item; a map key
/// when `key` is true), written as its name: for the test that every string field of
/// the JSON Schema has a row in [`FIELDS`] (`tests/suite/structure.rs`).
#[doc(hidden)]
#[must_use]
pub fn string_field_type(path: &[Option<&str>], key: bool) -> Option<String> {
    let segs: Vec<Seg> = path
        .iter()
        .map(|s| s.map_or(Seg::Index(0), |k| Seg::Key(k.to_owned())))
        .collect();
    type_of(&segs, key).map(|ty| format!("{ty:?}"))
}

/// Check every string and key of the merged tree.
pub(super) fn check(r: &mut Reporter) {
    let tree = r.tree;
    let mut path = FieldPath::root();
    walk(r, tree, &mut path);
}

fn walk(r: &mut Reporter, node: &Node, path: &mut FieldPath) {
    match &node.value {
        Value::Map(map) => {
            for (key, entry) in map {
                path.push(Seg::Key(key.clone()));
                string(r, key, path, true);
                walk(r, &entry.node, path);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(r, item, path);
                path.pop();
            }
        }
        Value::Str(text) => string(r, text, path, false),
        Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) => {
            string(r, raw, path, false);
        }
        Value::Null => {}
    }
}

/// The checks of one string: its characters, its length, then its field's type.
fn string(r: &mut Reporter, text: &str, path: &FieldPath, key: bool) {
    let ty = type_of(path.segs(), key);
    let multi_line = ty == Some(MultiLine);
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| forbidden(c, multi_line)) {
        let message = format!(
            "{} holds {} at character {}: {}",
            if key { "the key" } else { "the value" },
            describe(c),
            text[..at].chars().count() + 1,
            if multi_line {
                "control characters and non-characters are not allowed"
            } else {
                "this field takes one line of printable text"
            }
        );
        let d = if key {
            r.at_key(Code::ForbiddenCharacter, path, message)
        } else {
            r.at_value(Code::ForbiddenCharacter, path, message)
        };
        r.push(d.help(
            "remove the character (a YAML escape such as `\\n` in a quoted string writes one too)",
        ));
        return;
    }
    let max = if key {
        MAX_KEY
    } else if multi_line {
        MAX_TEXT
    } else {
        MAX_STRING
    };
    if text.chars().count() > max {
        let message = format!(
            "{} is {} characters long, over the limit of {max}",
            if key { "the key" } else { "the value" },
            text.chars().count()
        );
        let d = if key {
            r.at_key(Code::ValueTooLong, path, message)
        } else {
            r.at_value(Code::ValueTooLong, path, message)
        };
        r.push(d);
        return;
    }
    if let Some(ty) = ty {
        typed(r, text, path, key, ty);
    }
}

/// Whether `c` may not stand in a profile string: C0 controls (but tab and line feed in
/// multi-line text), DEL, C1 controls, the line and paragraph separators, the byte order
/// mark and the non-characters (YAML forbids most of these; the rest end a line for some
/// parser or terminal).
#[must_use]
pub(crate) fn forbidden(c: char, multi_line: bool) -> bool {
    match c {
        '\n' | '\t' => !multi_line,
        // What the YAML writer must escape is what no field takes raw.
        c => crate::yaml::needs_escape(c) || crate::yaml::is_noncharacter(c),
    }
}

fn describe(c: char) -> String {
    match c {
        '\n' => "a line break (`\\n`)".to_owned(),
        '\r' => "a carriage return (`\\r`)".to_owned(),
        '\t' => "a tab".to_owned(),
        '\u{85}' | '\u{2028}' | '\u{2029}' => {
            format!("a line break (U+{:04X})", c as u32)
        }
        c => format!("the character U+{:04X}", c as u32),
    }
}

/// The field's own grammar.
fn typed(r: &mut Reporter, text: &str, path: &FieldPath, key: bool, ty: Type) {
    let problem = match ty {
        Label(max) => dns_label_problem(text, max).map(|p| (Code::InvalidName, p)),
        Subdomain => dns_subdomain_problem(text).map(|p| (Code::InvalidName, p)),
        LabelKey => label_key_problem(text).map(|p| (Code::InvalidValue, not_here(text, p))),
        LabelValue => label_value_problem(text).map(|p| (Code::InvalidValue, not_here(text, p))),
        // Checked as written for the module with the longest name (`mplp-{module}`): a
        // label value is at most 63 characters once filled in.
        ModuleLabelValue => {
            label_value_problem(&text.replace("{module}", longest_module(r))).map(|p| {
                (
                    Code::InvalidValue,
                    format!("{p} (with `{{module}}` the longest module name)"),
                )
            })
        }
        SecretKey => secret_key_problem(text).map(|p| (Code::InvalidValue, p)),
        Duration => duration_problem(text).map(|p| (Code::InvalidValue, p)),
        RelativePath => relative_path_problem(text).map(|p| (Code::InvalidValue, p)),
        Cron => cron_problem(text).map(|p| (Code::InvalidValue, p)),
        ApiVersion => api_version_problem(text).map(|p| (Code::InvalidName, p)),
        MajorVersion => {
            let ok = text.strip_prefix('v').is_some_and(|n| {
                !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit())
            });
            (!ok).then(|| {
                (
                    Code::InvalidValue,
                    "expected a major version such as `v7` (redis-operator compares `clusterVersion` with `v7`)"
                        .to_owned(),
                )
            })
        }
        Text | MultiLine | Checked(_) | Enum => None,
    };
    if let Some((code, problem)) = problem {
        let message = format!(
            "`{}` is not valid here: {problem}",
            crate::load::shorten(text)
        );
        let d = if key {
            r.at_key(code, path, message)
        } else {
            r.at_value(code, path, message)
        };
        r.push(d);
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// A Kubernetes qualified name: alphanumerics, `-`, `_`, `.`, starting and ending with
/// an alphanumeric, at most 63 characters.
fn qualified_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 63 {
        return Some("expected 1 to 63 characters".to_owned());
    }
    if !name.chars().all(is_name_char)
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Some(
            "expected letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
                .to_owned(),
        );
    }
    None
}

/// A label problem, and where `{module}` is filled in when the label holds it.
fn not_here(text: &str, problem: String) -> String {
    if text.contains("{module}") {
        format!(
            "{problem} (`{{module}}` is filled in only in the values of the top-level `podLabels`)"
        )
    } else {
        problem
    }
}

/// The longest module name of the profile (`m` without modules): what `{module}` in a
/// `podLabels` value may become.
fn longest_module<'t>(r: &Reporter<'t>) -> &'t str {
    let modules = match &r.tree.value {
        crate::node::Value::Map(map) => map.get("modules").map(|e| &e.node.value),
        _ => None,
    };
    match modules {
        Some(crate::node::Value::Map(modules)) => modules
            .keys()
            .map(String::as_str)
            .max_by_key(|name| name.chars().count())
            .unwrap_or("m"),
        _ => "m",
    }
}

/// A label key as Kubernetes validates it (`IsQualifiedName`).
#[must_use]
pub(crate) fn label_key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && let Some(p) = dns_subdomain_problem(prefix)
    {
        return Some(format!("a label key's prefix must be a DNS subdomain: {p}"));
    }
    qualified_name_problem(name).map(|p| format!("a label key's name: {p}"))
}

/// A label value as Kubernetes validates it (`IsValidLabelValue`): empty, or a qualified name.
#[must_use]
pub(crate) fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    qualified_name_problem(value).map(|p| format!("a label value: {p}"))
}

/// A Secret's data key as Kubernetes validates it (`IsConfigMapKey`): letters, digits,
/// `-`, `_` and `.`, but not `.` or `..` alone, nor starting with `..`.
fn secret_key_problem(key: &str) -> Option<String> {
    (key.is_empty()
        || key.len() > 253
        || !key.chars().all(is_name_char)
        || key == "."
        || key.starts_with(".."))
    .then(|| {
        "a Secret key has 1 to 253 letters, digits, `-`, `_` or `.`, and is not `.` or `..`"
            .to_owned()
    })
}

/// A Prometheus duration: one or more `<number><unit>` with units `ms s m h d w y`.
fn duration_problem(text: &str) -> Option<String> {
    let mut rest = text;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 9 {
            rest = "!";
            break;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        let Some(u) = unit else {
            rest = "!";
            break;
        };
        rest = &rest[u.len()..];
        parts += 1;
    }
    (rest == "!" || parts == 0)
        .then(|| "expected a Prometheus duration such as `1m`, `30s` or `1h30m`".to_owned())
}

/// A relative path inside a repository: segments of letters, digits, `-`, `_`, `.`,
/// separated by `/`, none of them `..`; not absolute.
#[must_use]
pub(crate) fn relative_path_problem(path: &str) -> Option<String> {
    let bad_char = path.chars().find(|&c| !(is_name_char(c) || c == '/'));
    if let Some(c) = bad_char {
        return Some(format!(
            "`{}` is not allowed: a path here has letters, digits, `-`, `_`, `.` and `/`",
            c.escape_debug()
        ));
    }
    if path.starts_with('/') {
        return Some("the path is absolute: expected a path relative to the repository".to_owned());
    }
    if path.split('/').any(|s| s == "..") {
        return Some("the path climbs out with `..`".to_owned());
    }
    None
}

/// The characters of a CloudNativePG schedule: digits, `*`, `/`, `,`, `-`, `?`, letters
/// (`MON`, `JAN`) and spaces, or a `@daily`-style descriptor (E0709 counts the fields).
fn cron_problem(text: &str) -> Option<String> {
    let ok = text.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, ' ' | '*' | '/' | ',' | '-' | '?' | '@' | '.')
    });
    (!ok).then(|| {
        "a cron schedule has digits, letters, spaces and `* / , - ?`, e.g. `0 0 0 * * *`".to_owned()
    })
}

/// A Kubernetes `apiVersion`: a version (`v1`, `v2beta1`), after a DNS subdomain group
/// and a `/` where there is a group.
#[must_use]
pub(crate) fn api_version_problem(text: &str) -> Option<String> {
    let (group, version) = match text.split_once('/') {
        Some((group, version)) => (Some(group), version),
        None => (None, text),
    };
    if let Some(group) = group
        && dns_subdomain_problem(group).is_some()
    {
        return Some("not an apiVersion: the group must be a DNS subdomain (`apps/v1`)".to_owned());
    }
    let ok = version.strip_prefix('v').is_some_and(|rest| {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let tail = &rest[digits..];
        digits > 0
            && (tail.is_empty()
                || ["alpha", "beta"].iter().any(|p| {
                    tail.strip_prefix(p)
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                }))
    });
    (!ok).then(|| "not an apiVersion: expected `v1`, `v2beta1` or `GROUP/VERSION`".to_owned())
}

/// An image reference: `[registry/]path[:tag][@digest]`, lower-case path components.
#[must_use]
pub(crate) fn image_problem(image: &str) -> Option<String> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        let ok = digest.split_once(':').is_some_and(|(alg, hex)| {
            !alg.is_empty()
                && alg.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '+' || c == '.' || c == '_' || c == '-'
                })
                && hex.len() >= 32
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        });
        if !ok {
            return Some("the digest is not `ALGORITHM:HEX`".to_owned());
        }
    }
    // The tag follows the last `:` after the last `/` (a registry may have a port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Some("the tag has 1 to 128 letters, digits, `_`, `.` and `-`".to_owned());
        }
    }
    let components: Vec<&str> = name.split('/').collect();
    let ok = !name.is_empty()
        && components.iter().enumerate().all(|(i, part)| {
            !part.is_empty()
                && if i == 0 && components.len() > 1 && is_domain_like(part) {
                    is_registry(part)
                } else {
                    is_path_component(part)
                }
        });
    (!ok).then(|| "expected `[REGISTRY/]PATH[:TAG][@DIGEST]` with a lower-case path".to_owned())
}

/// Whether the first of several components names a registry (distribution's
/// `reference`: it holds a `.` or a `:`, or is `localhost`); else it is a path
/// component (`my_org/redis`).
fn is_domain_like(part: &str) -> bool {
    part.contains(['.', ':']) || part == "localhost"
}

/// A registry: DNS labels (letters, digits, `-` inside) joined by `.`, then an optional
/// `:PORT` of digits.
fn is_registry(registry: &str) -> bool {
    let (name, digits) = registry
        .split_once(':')
        .map_or((registry, None), |(h, p)| (h, Some(p)));
    let label = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    name.split('.').all(label)
        && digits
            .is_none_or(|d| !d.is_empty() && d.len() <= 5 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A path component of an image name (distribution's `reference` grammar): lower-case
/// letters and digits, separated by one `.`, one or two `_`, or any number of `-`
/// (not `..`, `---` alone or `-x`).
fn is_path_component(part: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut separator = String::new();
    for (i, c) in part.chars().enumerate() {
        if alnum(c) {
            if !matches!(separator.as_str(), "" | "." | "_" | "__")
                && !separator.chars().all(|s| s == '-')
            {
                return false;
            }
            separator.clear();
        } else if i == 0 || !matches!(c, '.' | '_' | '-') {
            return false;
        } else {
            separator.push(c);
        }
    }
    !part.is_empty() && separator.is_empty()
}

#[cfg(test)]
mod tests;

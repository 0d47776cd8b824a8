//! The `--set PATH=VALUE` overrides: each one's text checked as a flag (exit 2 when it
//! cannot be read), then applied to the merged tree like one more layer, every key it
//! adds placed at its own column of the flag.

use indexmap::IndexMap;

use super::start_of;
use super::{did_you_mean, shorten};
use crate::diagnostic::{Code, Diagnostic, FieldPath, Seg};
use crate::effective::ModuleField;
use crate::node::{self, Entry, Node, Value};
use crate::profile::Profile;
use crate::source::{Sources, Span};

/// Check the shape of one `--set PATH=VALUE` (clap's value parser for `--set`): a
/// `PATH=VALUE` whose text cannot be read is a bad flag (exit 2), caught before any file
/// is read; what the value then does to the profile is for the diagnostics (exit 1).
///
/// # Errors
///
/// The reason, when there is no `=`, PATH is not a field path, or VALUE is not YAML.
pub(crate) fn check_set(set: &str) -> Result<String, String> {
    let Some((path_text, value_text)) = set.split_once('=') else {
        return Err("no `=`: expected PATH=VALUE, like `regions.eu-west-1.weight=40`".to_owned());
    };
    match FieldPath::parse(path_text) {
        None => {
            return Err(not_a_path(path_text));
        }
        Some(path) if path.segs().len() > node::MAX_DEPTH => {
            return Err(too_deep(&path));
        }
        Some(_) => {}
    }
    if value_text.trim().is_empty() {
        return Err(format!(
            "the value is empty: write `{path_text}=null` to delete the field, or `{path_text}=\"\"` for an empty string"
        ));
    }
    if let Err(err) = node::parse(0, value_text) {
        return Err(format!(
            "the value `{value_text}` is not YAML: {}",
            err.message
        ));
    }
    Ok(set.to_owned())
}

/// The message for a `--set` PATH that [`FieldPath::parse`] does not read.
fn not_a_path(path_text: &str) -> String {
    format!(
        "`{}` is not a field path: expected keys joined by `.`, with `[N]` for list items and `\\.` for a dot inside a key",
        shorten(path_text)
    )
}

/// A `--set` path deeper than a profile file may nest (the same budget as files).
fn too_deep(path: &FieldPath) -> String {
    format!(
        "the `--set` path is {} levels deep, over the limit of {} (the same as a profile file's)",
        path.segs().len(),
        node::MAX_DEPTH
    )
}

/// Apply one `--set PATH=VALUE`: the value is YAML (`40`, `"Off"`, `{min: 2, max: 8}`,
/// `null` deletes) and is merged at PATH like one more layer. Returns the path and the
/// position of the value when it was applied.
pub(super) fn apply_set(
    tree: &mut Node,
    set: &str,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    deleted: &mut Vec<(FieldPath, Span)>,
) -> Option<(FieldPath, Span)> {
    let file = sources.add("--set", set.to_owned());
    let Some((path_text, value_text)) = set.split_once('=') else {
        diagnostics.push(
            Diagnostic::new(
                Code::Syntax,
                FieldPath::root(),
                format!("`--set {set}` has no `=`: expected PATH=VALUE"),
            )
            .at(start_of(file))
            .help("write it like `--set regions.eu-west-1.weight=40`"),
        );
        return None;
    };
    let Some((path, columns)) = FieldPath::parse_with_columns(path_text) else {
        diagnostics.push(
            Diagnostic::new(Code::Syntax, FieldPath::root(), not_a_path(path_text))
                .at(start_of(file)),
        );
        return None;
    };
    if path.segs().len() > node::MAX_DEPTH {
        diagnostics.push(
            Diagnostic::new(Code::Budget, FieldPath::root(), too_deep(&path)).at(start_of(file)),
        );
        return None;
    }
    let value_col = path_text.chars().count() as u32 + 2;
    let mut value = match node::parse(file, value_text) {
        Ok(value) => value,
        Err(err) => {
            diagnostics.push(Diagnostic::new(Code::Syntax, path, err.message).at(Span {
                col: err.span.col + value_col - 1,
                ..err.span
            }));
            return None;
        }
    };
    shift_columns(&mut value, value_col - 1);
    let span = Span {
        file,
        line: 1,
        col: value_col,
    };
    if let Some(d) = new_near_miss(tree, &path, start_of(file)) {
        diagnostics.push(d);
    }
    // What the value deletes: the field itself (`PATH=null`) or the keys it sets to null.
    if value.value == Value::Null {
        deleted.push((path.clone(), span));
    } else {
        nulls_in(&value, &mut path.clone(), deleted);
    }
    if let Err(message) = set_at(tree, path.segs(), &columns, value, span) {
        diagnostics.push(Diagnostic::new(Code::WrongType, path, message).at(span));
        return None;
    }
    Some((path, span))
}

/// W0008: a `--set` into a region or module the profile does not have, whose name is a
/// near miss of one it has (`modules.cor.replicas`): merging would add a new one.
fn new_near_miss(tree: &Node, path: &FieldPath, span: Span) -> Option<Diagnostic> {
    // The maps keyed by names (a region's override of a module the profile does not
    // define is E0104 already).
    let [Seg::Key(map_key), Seg::Key(name), ..] = path.segs() else {
        return None;
    };
    let what = match map_key.as_str() {
        "modules" => "module",
        "regions" => "region",
        _ => return None,
    };
    let Value::Map(map) = &tree.get(&path.segs()[..1])?.value else {
        return None;
    };
    if map.contains_key(name.as_str()) {
        return None;
    }
    let known: Vec<&str> = map.keys().map(String::as_str).collect();
    // A near miss by spelling; not a new name that merely starts with a known one
    // (`core-canary` beside `core`).
    let near = if what == "region" {
        // Region names are alike by design (`us-east-1`, `sa-east-1`): only a name that
        // differs from a known one in its separators or case (`eu-west1`) is a near miss.
        let plain = |s: &str| s.replace(['-', '_'], "").to_ascii_lowercase();
        known.iter().copied().find(|k| plain(k) == plain(name))?
    } else {
        did_you_mean(name, &known).filter(|k| !name.starts_with(k))?
    };
    // Point at the name in `PATH`, after `modules.` or `regions.`.
    let span = Span {
        col: span.col + u32::try_from(map_key.len() + 1).unwrap_or(0),
        ..span
    };
    Some(
        Diagnostic::new(
            Code::SetNewName,
            path.clone(),
            format!("`--set` adds a new {what} `{name}` to `{map_key}`, which has `{near}`"),
        )
        .at(span)
        .help(format!("did you mean `{near}`?")),
    )
}

/// W0009: a `--set` of a module's field (`replicas`, `metrics`, `behavior`, `vpa`,
/// `pdb`, or inside one) that every region writes itself: it changes nothing that is
/// rendered. Whether the region writes it is the effective value's [`Origin`]
/// (`src/effective.rs`), on the profile as read with every `--set` applied.
///
/// [`Origin`]: crate::effective::Origin
pub(super) fn set_overridden(
    profile: &Profile,
    path: &FieldPath,
    span: Span,
) -> Option<Diagnostic> {
    let [Seg::Key(modules), Seg::Key(module), Seg::Key(key), ..] = path.segs() else {
        return None;
    };
    if modules != "modules" {
        return None;
    }
    let field = ModuleField::from_key(key)?;
    let per_region = crate::effective::overridden_everywhere(profile, module, field)?;
    let set = FieldPath::root().key(modules).key(module).key(key);
    Some(
        Diagnostic::new(
            Code::SetOverridden,
            path.clone(),
            format!(
                "`--set {set}` changes nothing: every region sets its own (like `{per_region}`)"
            ),
        )
        .at(span)
        .help(format!("set it per region, like `--set {per_region}=...`")),
    )
}

/// The `--set` value was parsed on its own: move its columns behind `PATH=`.
fn shift_columns(node: &mut Node, by: u32) {
    if node.span.line == 1 {
        node.span.col += by;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift_columns(n, by)),
        Value::Map(map) => map.values_mut().for_each(|e| {
            if e.key_span.line == 1 {
                e.key_span.col += by;
            }
            shift_columns(&mut e.node, by);
        }),
        _ => {}
    }
}

fn set_at(
    tree: &mut Node,
    path: &[Seg],
    columns: &[u32],
    value: Node,
    span: Span,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        let old = std::mem::replace(
            tree,
            Node {
                value: Value::Null,
                span,
            },
        );
        *tree = node::merge(old, value);
        return Ok(());
    };
    if tree.value == Value::Null {
        tree.value = Value::Map(IndexMap::new());
    }
    let kind = tree.value.kind();
    match (first, &mut tree.value) {
        (Seg::Key(key), Value::Map(map)) => {
            if rest.is_empty() && value.value == Value::Null {
                map.shift_remove(key.as_str());
                return Ok(());
            }
            // A key the `--set` adds is placed at its own column of the path.
            let key_span = columns.first().map_or(span, |&col| Span { col, ..span });
            let entry = map.entry(key.clone()).or_insert_with(|| Entry {
                key_span,
                node: Node {
                    value: Value::Null,
                    span: key_span,
                },
            });
            set_at(&mut entry.node, rest, rest_of(columns), value, span)
        }
        (Seg::Index(i), Value::Seq(items)) => {
            let len = items.len();
            let item = items
                .get_mut(*i)
                .ok_or_else(|| format!("index `{i}` is past the end of a list of {len}"))?;
            set_at(item, rest, rest_of(columns), value, span)
        }
        (Seg::Key(key), _) => Err(format!("cannot set key `{key}` inside {kind}")),
        (Seg::Index(i), _) => Err(format!("cannot set index `{i}` inside {kind}")),
    }
}

/// The columns after the first.
fn rest_of(columns: &[u32]) -> &[u32] {
    columns.get(1..).unwrap_or_default()
}

/// The keys a layer sets to `null` (RFC 7396: it deletes them), each with the path it
/// deletes and the position of its `null`. Lists are replaced whole, so only maps count.
pub(super) fn nulls_in(node: &Node, path: &mut FieldPath, out: &mut Vec<(FieldPath, Span)>) {
    if let Value::Map(map) = &node.value {
        for (key, entry) in map {
            path.push(Seg::Key(key.clone()));
            if entry.node.value == Value::Null {
                out.push((path.clone(), entry.node.span));
            } else {
                nulls_in(&entry.node, path, out);
            }
            path.pop();
        }
    }
}

/// A required field that a later layer's `null` deleted (an `-f` overlay's `host: ~`, a
/// `--set PATH=null`; E0005 at its path) is placed on that `null` (the last one at that
/// path), not at the map it was deleted from.
pub(super) fn place_deleted(diagnostics: &mut [Diagnostic], deleted: &[(FieldPath, Span)]) {
    for d in diagnostics {
        let by = (d.code == Code::MissingField)
            .then(|| deleted.iter().rev().find(|(path, _)| *path == d.path))
            .flatten();
        if let Some((_, span)) = by {
            d.span = Some(*span);
            d.help.get_or_insert_with(|| {
                "this `null` deletes it (in a later layer or a `--set`, `null` removes a field)"
                    .to_owned()
            });
        }
    }
}

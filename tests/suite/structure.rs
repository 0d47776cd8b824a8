//! No profile value ever becomes structure (issue 17): for every string field of the
//! profile, enumerated from its JSON Schema, hostile values are either refused by `lint`
//! or rendered as nothing but the value of their field, in the YAML stream, in
//! `--format json`, in the `--out-dir` tree and in the ApplicationSet's `templatePatch`
//! once Argo CD's Go template engine has run it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value as Json;

use crate::common::{Test, documents, parse, root};
use crate::gotemplate::{go_value, to_json};

/// Values that break naive templating in some sink: line breaks of YAML 1.1 and 1.2, a
/// document separator, mapping and comment syntax, Go template actions (Argo CD runs
/// `templatePatch`), quotes and backslashes, NUL, the BOM, non-characters, C1 controls,
/// and a long string.
fn hostile() -> Vec<String> {
    [
        "x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding",
        "a\r\nb",
        "nel\u{85}line",
        "ls\u{2028}ps\u{2029}",
        "---",
        "key: value # comment",
        "#",
        "{{ .cluster }}",
        "{{ printf \"%c\" 34 }}\n    - repoURL: https://evil.example.com",
        "{{ 7*7 }}",
        "\"'\\",
        "nul\0",
        "\u{feff}bom",
        "non\u{fffe}char\u{ffff}",
        "del\u{7f}csi\u{9b}",
        "*alias &anchor !tag",
        "../../../../tmp/pwned",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(std::iter::once("x".repeat(2000)))
    .collect()
}

/// Fields that exclude another one in the same map, so that one profile cannot write
/// both: `defaults.pdb` writes `maxUnavailable`; its `minAvailable` has the same type as
/// the modules' and regions' `pdb.minAvailable`, which the base writes.
const EXCLUSIVE: &[&str] = &["defaults.pdb.minAvailable"];

/// The values tried in the `n`th field: every value that could be structure (separators,
/// mapping and comment syntax, Go template actions, quotes, aliases, paths) and, in turn,
/// three of the others (line breaks, controls, non-characters, the long string), which
/// one character-and-length check refuses whatever the field, so that each is still
/// tried in many fields.
fn values_for(values: &[String], n: usize) -> Vec<&String> {
    let (structural, characters): (Vec<&String>, Vec<&String>) = values
        .iter()
        .partition(|v| v.len() < 100 && !v.chars().any(|c| c.is_control() || c as u32 > 0x7e));
    let mut out = structural;
    for k in 0..3 {
        out.push(characters[(n * 3 + k) % characters.len()]);
    }
    out
}

fn pattern_text(pattern: &[Step]) -> String {
    pattern
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::AnyKey => "*",
            Step::AnyItem => "[]",
            Step::TheKey => "<key>",
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// One step of a field pattern from the schema.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    AnyKey,
    AnyItem,
    /// The map key itself (the last step).
    TheKey,
}

/// Every string field of the profile's JSON Schema, as patterns.
fn string_fields(schema: &Json) -> Vec<Vec<Step>> {
    fn walk(
        node: &Json,
        defs: &Json,
        path: &mut Vec<Step>,
        seen: &mut Vec<String>,
        out: &mut Vec<Vec<Step>>,
    ) {
        if let Some(name) = node["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            if seen.iter().any(|s| s == name) {
                return;
            }
            seen.push(name.to_owned());
            walk(&defs[name], defs, path, seen, out);
            seen.pop();
            return;
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for sub in node[key].as_array().into_iter().flatten() {
                walk(sub, defs, path, seen, out);
            }
        }
        let is_string = match &node["type"] {
            Json::String(t) => t == "string",
            Json::Array(ts) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && !out.contains(path) {
            out.push(path.clone());
        }
        for (key, sub) in node["properties"].as_object().into_iter().flatten() {
            path.push(Step::Key(key.clone()));
            walk(sub, defs, path, seen, out);
            path.pop();
        }
        if node["additionalProperties"].is_object() {
            path.push(Step::TheKey);
            if !out.contains(path) {
                out.push(path.clone());
            }
            path.pop();
            path.push(Step::AnyKey);
            walk(&node["additionalProperties"], defs, path, seen, out);
            path.pop();
        }
        if node["items"].is_object() {
            path.push(Step::AnyItem);
            walk(&node["items"], defs, path, seen, out);
            path.pop();
        }
    }
    let defs = &schema["$defs"];
    let mut out = Vec::new();
    walk(schema, defs, &mut Vec::new(), &mut Vec::new(), &mut out);
    out
}

/// Every string field of the JSON Schema (values and map keys, enums included) has a type
/// in `FIELDS` (src/validate/strings.rs): a field added to the profile without one fails
/// here, naming it.
#[test]
fn every_string_field_of_the_schema_has_a_type() {
    let schema = mplp_scale::profile_schema();
    let mut untyped = Vec::new();
    for pattern in string_fields(&schema) {
        let key = pattern.last() == Some(&Step::TheKey);
        let path: Vec<Option<&str>> = pattern
            .iter()
            .map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::AnyKey | Step::TheKey => Some("x"),
                Step::AnyItem => None,
            })
            .collect();
        if mplp_scale::string_field_type(&path, key).is_none() {
            untyped.push(pattern_text(&pattern));
        }
    }
    assert!(
        untyped.is_empty(),
        "string fields without a type: add a row to `FIELDS` in src/validate/strings.rs for each of {untyped:?}"
    );
}

/// Where a pattern stands in `profile`: the concrete JSON path of its first match.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn locate(value: &Json, pattern: &[Step], path: &mut Vec<Seg>) -> Option<(Vec<Seg>, bool)> {
    let Some((step, rest)) = pattern.split_first() else {
        return Some((path.clone(), false));
    };
    match (step, value) {
        (Step::TheKey, Json::Object(map)) => {
            let key = map.keys().next()?;
            path.push(Seg::Key(key.clone()));
            let found = Some((path.clone(), true));
            path.pop();
            found
        }
        (Step::Key(key), Json::Object(map)) => {
            let sub = map.get(key)?;
            path.push(Seg::Key(key.clone()));
            let found = locate(sub, rest, path);
            path.pop();
            found
        }
        (Step::AnyKey, Json::Object(map)) => map.iter().find_map(|(key, sub)| {
            path.push(Seg::Key(key.clone()));
            let found = locate(sub, rest, path);
            path.pop();
            found
        }),
        (Step::AnyItem, Json::Array(items)) => items.iter().enumerate().find_map(|(i, sub)| {
            path.push(Seg::Index(i));
            let found = locate(sub, rest, path);
            path.pop();
            found
        }),
        _ => None,
    }
}

/// `profile` with `value` at `path` (or, for a key, the key renamed to `value`).
fn with_value(profile: &Json, path: &[Seg], is_key: bool, value: &str) -> Json {
    let mut out = profile.clone();
    let (last, parent) = path.split_last().unwrap();
    let mut node = &mut out;
    for seg in parent {
        node = match seg {
            Seg::Key(k) => &mut node[k.as_str()],
            Seg::Index(i) => &mut node[*i],
        };
    }
    match (last, is_key) {
        (Seg::Key(k), true) => {
            let map = node
                .as_object_mut()
                .unwrap_or_else(|| panic!("{} is not a map", show(path)));
            let old: Vec<(String, Json)> = std::mem::take(map).into_iter().collect();
            for (key, v) in old {
                map.insert(if key == *k { value.to_owned() } else { key }, v);
            }
        }
        (Seg::Key(k), false) => node[k.as_str()] = Json::String(value.to_owned()),
        (Seg::Index(i), _) => node[*i] = Json::String(value.to_owned()),
    }
    out
}

/// The concrete path that [`show`] printed, found again in `profile`.
fn located(profile: &Json, shown: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut node = profile;
    let mut rest = shown;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (index, tail) = after.split_once(']').unwrap();
            let i: usize = index.parse().unwrap();
            out.push(Seg::Index(i));
            node = &node[i];
            rest = tail.strip_prefix('.').unwrap_or(tail);
            continue;
        }
        // Keys may hold dots (`app.kubernetes.io/name`): take the longest key that exists.
        let map = node.as_object().unwrap();
        let key = map
            .keys()
            .filter(|k| {
                rest.starts_with(k.as_str())
                    && matches!(rest.as_bytes().get(k.len()), None | Some(b'.' | b'['))
            })
            .max_by_key(|k| k.len())
            .unwrap_or_else(|| panic!("no key of {shown} at {rest}"))
            .clone();
        rest = &rest[key.len()..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
        node = &node[key.as_str()];
        out.push(Seg::Key(key));
    }
    out
}

fn show(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// A profile as the text `-f -` reads: JSON, which is YAML, with every character that
/// YAML does not take raw escaped.
fn profile_text(profile: &Json) -> String {
    serde_json::to_string_pretty(profile)
        .unwrap()
        .chars()
        .map(|c| match c {
            '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}' => {
                format!("\\u{:04x}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

/// The structure of a value: every string leaf emptied, but a string that holds a YAML
/// document (a ConfigMap's `*.yaml` data) is replaced by that document's structure, and a
/// multi-line one by its line count (`redis.conf`: one directive a line).
fn shape(value: &Json, key: &str) -> Json {
    match value {
        Json::Object(map) if key == "<embedded>" => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape(v, "<embedded>")))
                .collect(),
        ),
        Json::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), shape(v, k))).collect())
        }
        Json::Array(items) => Json::Array(items.iter().map(|v| shape(v, key)).collect()),
        Json::String(text)
            if Path::new(key).extension().is_some_and(|e| {
                e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml")
            }) =>
        {
            match serde_saphyr::from_str::<Json>(text) {
                // Inside the document, its strings are values (a query may span lines).
                Ok(doc) => shape(&doc, "<embedded>"),
                Err(e) => Json::String(format!("{key} does not parse: {e}")),
            }
        }
        Json::String(_) if key == "templatePatch" => Json::Null,
        Json::String(text) if text.contains('\n') && key != "<embedded>" => {
            Json::String(format!("{} lines", text.lines().count()))
        }
        // A scalar's type and text are the value, not the structure.
        _ => Json::Null,
    }
}

/// What a rendered stream is made of: each document's kind, namespace, name and shape.
fn stream_shape(stream: &str) -> Vec<(String, String, String, Json)> {
    documents(stream)
        .into_iter()
        .map(parse)
        .map(|doc| {
            (
                doc["kind"].as_str().unwrap_or_default().to_owned(),
                doc["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                doc["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                shape(&doc, ""),
            )
        })
        .collect()
}

fn render(profile: &str, extra: &[&str]) -> crate::common::Output {
    let mut args = vec!["render", "-f", "-", "--all-clusters"];
    args.extend_from_slice(extra);
    Test::new(args).stdin(profile.to_owned()).run()
}

/// Every file of an `--out-dir` tree, by relative path, parsed.
fn out_dir_shape(dir: &Path) -> BTreeMap<String, Json> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, shape(&parse(&text), ""));
            }
        }
    }
    out
}

/// Run the ApplicationSet's `templatePatch` for each generator element as the
/// ApplicationSet controller does, and check the sources are exactly the profile's.
fn check_template_patch(stream: &str, profile: &Json, what: &str) {
    let Some(appset) = documents(stream)
        .into_iter()
        .map(parse)
        .find(|d| d["kind"] == "ApplicationSet")
    else {
        return;
    };
    let patch = appset["spec"]["templatePatch"].as_str().unwrap();
    let platform = &profile["platform"];
    let manifests = &platform["manifests"];
    for element in appset["spec"]["generators"][0]["list"]["elements"]
        .as_array()
        .unwrap()
    {
        let mut template = gtmpl::Template::default();
        template.add_func("toJson", to_json);
        template.parse(patch).unwrap_or_else(|e| {
            panic!("{what}: templatePatch does not parse as a Go template: {e}\n{patch}")
        });
        let text = template
            .render(&gtmpl::Context::from(go_value(element)))
            .unwrap_or_else(|e| panic!("{what}: templatePatch fails for {element}: {e}\n{patch}"));
        let spec = parse(&text);
        assert_eq!(
            spec.as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["spec".to_owned()]),
            "{what}: {text}"
        );
        let sources = spec["spec"]["sources"].as_array().unwrap();
        assert_eq!(
            sources.len(),
            2,
            "{what}: the sources are the chart and the region's objects\n{text}"
        );
        let region = element["region"].as_str().unwrap();
        assert_eq!(sources[0]["repoURL"], platform["repoURL"], "{what}\n{text}");
        assert_eq!(
            sources[0]["targetRevision"], platform["targetRevision"],
            "{what}\n{text}"
        );
        assert_eq!(sources[0]["path"], platform["path"], "{what}\n{text}");
        assert_eq!(
            sources[0]["helm"]["valuesObject"], element["values"],
            "{what}\n{text}"
        );
        let or_platform = |key: &str| {
            manifests
                .get(key)
                .filter(|v| !v.is_null())
                .unwrap_or(&platform[key])
                .clone()
        };
        assert_eq!(
            sources[1]["repoURL"],
            or_platform("repoURL"),
            "{what}\n{text}"
        );
        assert_eq!(
            sources[1]["targetRevision"],
            or_platform("targetRevision"),
            "{what}\n{text}"
        );
        let folder = manifests["path"].as_str().unwrap().trim_end_matches('/');
        assert_eq!(
            sources[1]["path"],
            Json::String(format!("{folder}/regions/{region}")),
            "{what}\n{text}"
        );
    }
}

/// The base: the default profile with every string field the schema has written.
fn base_profile() -> Json {
    let out = Test::new([
        "render",
        "--show-profile",
        "--format",
        "json",
        "-f",
        "profiles/production.yaml",
        "-f",
        "tests/fixtures/structure/every-string.yaml",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn refused(profile: &Json) -> bool {
    let loaded = mplp_scale::check(
        &[mplp_scale::Input::Text {
            name: "p.json".into(),
            text: profile_text(profile),
        }],
        &[],
    )
    .unwrap();
    loaded.errors() > 0
}

/// Check an accepted profile's every sink against the base's.
fn check_sinks(profile: &Json, base: &Baseline, what: &str) {
    let text = profile_text(profile);
    let out = render(&text, &[]);
    assert_eq!(
        out.code, 0,
        "{what}: lint accepts it, render refuses: {}",
        out.stderr
    );
    let shape = stream_shape(&out.stdout);
    if let Some((now, before)) = shape.iter().zip(&base.stream).find(|(a, b)| a != b) {
        panic!(
            "{what}: the structure of {} {} changed:\n{}\nwas\n{}",
            before.0,
            before.2,
            serde_json::to_string(&now.3).unwrap(),
            serde_json::to_string(&before.3).unwrap()
        );
    }
    assert_eq!(
        shape.len(),
        base.stream.len(),
        "{what}: the number of documents changed"
    );
    check_template_patch(&out.stdout, profile, what);
    let json = render(&text, &["--format", "json"]);
    assert_eq!(json.code, 0, "{what}: {}", json.stderr);
    let lines: Vec<Json> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {e}: {l}")))
        .collect();
    assert_eq!(lines.len(), base.stream.len(), "{what}: --format json");
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("out");
    let out = Test::new(["render", "-f", "-", "--out-dir", tree.to_str().unwrap()])
        .stdin(text)
        .run();
    assert_eq!(out.code, 0, "{what}: {}", out.stderr);
    assert!(
        out_dir_shape(&tree) == base.out_dir,
        "{what}: the --out-dir tree's files or structure changed"
    );
}

struct Baseline {
    stream: Vec<(String, String, String, Json)>,
    out_dir: BTreeMap<String, Json>,
}

#[test]
fn no_profile_string_becomes_structure() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/profile.schema.json")).unwrap(),
    )
    .unwrap();
    let base = base_profile();
    let base_text = profile_text(&base);
    assert!(!refused(&base), "the base profile lints clean");
    let out = render(&base_text, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("out");
    let made = Test::new(["render", "-f", "-", "--out-dir", tree.to_str().unwrap()])
        .stdin(base_text)
        .run();
    assert_eq!(made.code, 0, "{}", made.stderr);
    let baseline = Baseline {
        stream: stream_shape(&out.stdout),
        out_dir: out_dir_shape(&tree),
    };
    check_template_patch(&out.stdout, &base, "the base profile");

    let fields: Vec<Vec<Step>> = string_fields(&schema)
        .into_iter()
        .filter(|f| !EXCLUSIVE.contains(&pattern_text(f).as_str()))
        .collect();
    assert!(fields.len() > 100, "{} string fields", fields.len());
    let mut missing = Vec::new();
    let mut cases = Vec::new();
    let values = hostile();
    for (n, pattern) in fields.iter().enumerate() {
        let Some((path, is_key)) = locate(&base, pattern, &mut Vec::new()) else {
            missing.push(pattern_text(pattern));
            continue;
        };
        for value in values_for(&values, n) {
            cases.push((path.clone(), is_key, value.clone()));
        }
    }
    // Lint every case, on both cores.
    let half = cases.len() / 2;
    let (first, second) = cases.split_at(half);
    let lint_cases = |cases: &[(Vec<Seg>, bool, String)]| -> Vec<(String, bool, String, Json)> {
        cases
            .iter()
            .filter_map(|(path, is_key, value)| {
                let profile = with_value(&base, path, *is_key, value);
                (!refused(&profile)).then(|| (show(path), *is_key, value.clone(), profile))
            })
            .collect()
    };
    let mut accepted = std::thread::scope(|s| {
        let other = s.spawn(|| lint_cases(second));
        let mut mine = lint_cases(first);
        mine.extend(other.join().unwrap());
        mine
    });
    accepted.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    let refusals = cases.len() - accepted.len();
    let cases = cases.len();
    assert!(
        missing.is_empty(),
        "string fields of the schema that neither the default profile nor tests/fixtures/structure/every-string.yaml writes (add them there): {missing:#?}"
    );
    eprintln!(
        "structure: {} fields, {cases} cases, {refusals} refused by lint, {} rendered and checked",
        fields.len(),
        accepted.len()
    );
    // Values that no field may take are refused everywhere.
    for (path, _, value, _) in &accepted {
        assert!(
            !value.chars().any(|c| c.is_control() && c != '\n'),
            "{path}: a control character was accepted: {value:?}"
        );
    }
    // Each value in every field that took it, in one profile (one render of each sink
    // per value); a combination that lint refuses is checked field by field instead.
    let mut by_value: BTreeMap<&String, Vec<&(String, bool, String, Json)>> = BTreeMap::new();
    for case in &accepted {
        by_value.entry(&case.2).or_default().push(case);
    }
    for (value, cases) in by_value {
        let mut profile = base.clone();
        for (path, is_key, _, _) in &cases {
            let path = located(&base, path);
            profile = with_value(&profile, &path, *is_key, value);
        }
        let fields: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
        if refused(&profile) {
            for (path, is_key, value, profile) in cases {
                let what = format!("{path}{} = {value:?}", if *is_key { " (key)" } else { "" });
                check_sinks(profile, &baseline, &what);
            }
        } else {
            check_sinks(&profile, &baseline, &format!("{value:?} in {fields:?}"));
        }
    }
}

/// The JSON Schema and the lint agree on `replicas.max`: the schema's `maximum` is the
/// largest value the lint accepts (E0103 above it).
#[test]
fn the_schema_and_the_lint_agree_on_the_replica_maximum() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/profile.schema.json")).unwrap(),
    )
    .unwrap();
    let maximum = schema["$defs"]["Replicas"]["properties"]["max"]["maximum"]
        .as_i64()
        .expect("the schema states a maximum for replicas.max");
    let lint = |max: i64| {
        Test::new([
            "lint".to_owned(),
            "--set".to_owned(),
            format!("modules.context.replicas.max={max}"),
        ])
        .run()
    };
    let at_most = lint(maximum);
    assert!(!at_most.stdout.contains("E0103"), "{}", at_most.stdout);
    let above = lint(maximum + 1);
    assert_eq!(above.code, 1, "{}", above.stdout);
    assert!(above.stdout.contains("E0103"), "{}", above.stdout);
}

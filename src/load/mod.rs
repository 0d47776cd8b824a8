//! Files → positioned YAML trees → one merged tree → the typed [`Profile`].
//!
//! This is the only module that reads profiles. It layers the files (`-f a -f b`)
//! and the `--set PATH=VALUE` overrides as RFC 7396 merge patches, then converts the
//! merged tree into the typed model. The conversion never stops at the first
//! problem: a wrong type, a missing field or an unknown key is a [`Diagnostic`]
//! and the walk goes on, so one run reports everything. Checks that need the
//! whole profile (weights, names, bounds) belong to `validate`.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

mod convert;
mod set;
mod syntax;

pub(crate) use convert::{Cx, FailedPaths, Fields, FromNode, did_you_mean, in_range, shorten};
pub(crate) use set::check_set;
use set::{apply_set, set_overridden};

use crate::diagnostic::{Code, Diagnostic, FieldPath, Severity};
use crate::node::{self, Node, Value};
use crate::profile::Profile;
use crate::source::{FileId, Sources, Span};

/// The default profile, embedded in the binary (identical to `profiles/production.yaml`).
pub const DEFAULT_PROFILE: &str = include_str!("../../profiles/production.yaml");
/// How the embedded default profile is named in diagnostics.
pub(crate) const DEFAULT_PROFILE_NAME: &str = "<default profile>";

/// Where one layer of the profile comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The embedded default profile.
    Default,
    /// Standard input (`-f -`).
    Stdin,
    /// A file on disk.
    Path(PathBuf),
    /// Text already in memory, with the name to show for it (tests, fuzzing).
    Text { name: String, text: String },
}

impl Input {
    /// `-` means standard input, anything else a path.
    #[must_use]
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A profile loaded (and, through `commands::check`, validated): the sources read, the
/// merged tree (the source map of the profile), the typed profile, what failed to load,
/// and every diagnostic. What `render`, `lint` and the other commands start from.
#[derive(Debug)]
pub struct Loaded {
    pub sources: Sources,
    pub tree: Node,
    /// `None` when the profile could not be read into the typed model.
    pub profile: Option<Profile>,
    /// The values that were written but did not load (each one reported already).
    pub failed: FailedPaths,
    /// Every diagnostic of loading (and validation, once checked), sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    #[must_use]
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    #[must_use]
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}
/// Read every input (no input: the embedded default), layer them and the `--set`
/// overrides, and convert. Errors are only for inputs that cannot be read at all.
pub(crate) fn load(inputs: &[Input], sets: &[String]) -> Result<Loaded> {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut tree: Option<Node> = None;
    // What later layers and `--set`s delete with `null` (`set::place_deleted`).
    let mut deleted = Vec::new();
    let default = [Input::Default];
    let inputs = if inputs.is_empty() {
        &default[..]
    } else {
        inputs
    };
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        anyhow::bail!(
            "standard input (`-`) is given more than once: it can be read only once, so give `-f -` once and the other layers as files"
        );
    }
    for input in inputs {
        let (name, text, bad_utf8) = read(input)?;
        let file = sources.add(name, text);
        let text = &sources.get(file).expect("just added").text;
        if bad_utf8 {
            diagnostics.push(invalid_utf8(file, text));
            continue;
        }
        match tree_of(input, file, text) {
            Ok(layer) => {
                tree = Some(match tree {
                    None => layer,
                    Some(base) => {
                        set::nulls_in(&layer, &mut FieldPath::root(), &mut deleted);
                        node::merge(base, layer)
                    }
                });
            }
            Err(err) => {
                let code = if err.budget {
                    Code::Budget
                } else {
                    Code::Syntax
                };
                let (span, message) = syntax::refine(text, err.span, err.message);
                // The walker knows the path of a duplicate key; other syntax errors are
                // the scanner's, about the text rather than a field.
                let path = if message.starts_with("duplicate key") {
                    err.path
                } else {
                    FieldPath::root()
                };
                diagnostics.push(Diagnostic::new(code, path, message).at(span));
            }
        }
    }
    if !diagnostics.is_empty() {
        // A file that is not YAML leaves nothing to check; report the syntax errors alone.
        return Ok(Loaded {
            sources,
            tree: Node {
                value: Value::Null,
                span: start_of(0),
            },
            profile: None,
            failed: FailedPaths::default(),
            diagnostics,
        });
    }
    let mut tree = tree.expect("at least one input");
    let mut applied = Vec::new();
    for set in sets {
        if let Some(done) = apply_set(&mut tree, set, &mut sources, &mut diagnostics, &mut deleted)
        {
            applied.push(done);
        }
    }
    if tree.value == Value::Null {
        return Ok(empty_profile(sources, tree, diagnostics));
    }
    let mut cx = Cx::new();
    // With errors, `profile` may be partial (what failed is left out): good enough to run
    // the rules on, never to render (render refuses when there is any error).
    let profile = Profile::from_node(&tree, &mut cx);
    set::place_deleted(&mut cx.diagnostics, &deleted);
    diagnostics.extend(cx.diagnostics);
    if let Some(profile) = &profile {
        diagnostics.extend(
            applied
                .iter()
                .filter_map(|(path, span)| set_overridden(profile, path, *span)),
        );
    }
    Ok(Loaded {
        sources,
        tree,
        profile,
        failed: cx.failed,
        diagnostics,
    })
}

/// A profile that is empty (or only comments): one error, nothing to convert.
fn empty_profile(sources: Sources, tree: Node, mut diagnostics: Vec<Diagnostic>) -> Loaded {
    diagnostics.push(
        Diagnostic::new(
            Code::WrongType,
            FieldPath::root(),
            "the profile is empty: expected a map with `version`, `name`, `namespace`, `platform`, `traffic`, `regions` and `modules`",
        )
        .at(tree.span)
        .help("start from `mplp-scale init` or `profiles/production.yaml`"),
    );
    Loaded {
        sources,
        tree,
        profile: None,
        failed: FailedPaths::default(),
        diagnostics,
    }
}

/// The tree of one input: for the embedded profile, its tree prepared ahead (the parse of
/// its text, held equal by a test), else the parse of the text.
fn tree_of(input: &Input, file: FileId, text: &str) -> Result<Node, node::ParseError> {
    if *input == Input::Default
        && let Some(tree) = node::prepared::decode(file, text, node::prepared::DEFAULT_TREE)
    {
        return Ok(tree);
    }
    node::parse(file, text)
}

/// E0001 at the end of the valid part of a file whose bytes are not UTF-8.
fn invalid_utf8(file: crate::source::FileId, text: &str) -> Diagnostic {
    let line = text.matches('\n').count() as u32 + 1;
    let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Diagnostic::new(
        Code::Syntax,
        FieldPath::root(),
        "invalid UTF-8: a profile must be UTF-8 text",
    )
    .at(Span { file, line, col })
}

/// The name and text of an input, and whether its bytes were not UTF-8 (the text is
/// then the valid part, so the diagnostic can point at where it stops).
fn read(input: &Input) -> Result<(String, String, bool)> {
    let (name, bytes) = match input {
        Input::Default => {
            return Ok((
                DEFAULT_PROFILE_NAME.to_owned(),
                DEFAULT_PROFILE.to_owned(),
                false,
            ));
        }
        Input::Text { name, text } => return Ok((name.clone(), text.clone(), false)),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(node::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .context("failed to read the profile from standard input")?;
            ("<stdin>".to_owned(), bytes)
        }
        Input::Path(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("failed to read profile `{}`", path.display()))?;
            let mut bytes = Vec::new();
            file.take(node::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("failed to read profile `{}`", path.display()))?;
            (path.display().to_string(), bytes)
        }
    };
    // Invalid UTF-8 is a diagnostic (E0001), not a failure of the tool. Oversized input
    // stays oversized (we read one byte past the limit), so the parser reports the budget.
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text, false)),
        // The cut one byte past the limit fell inside a character: still oversized (the
        // partial character becomes U+FFFD, no shorter), not invalid UTF-8.
        Err(err)
            if err.as_bytes().len() > node::MAX_FILE_BYTES
                && err.utf8_error().error_len().is_none() =>
        {
            Ok((
                name,
                String::from_utf8_lossy(err.as_bytes()).into_owned(),
                false,
            ))
        }
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let mut bytes = err.into_bytes();
            bytes.truncate(valid);
            Ok((name, String::from_utf8(bytes).unwrap_or_default(), true))
        }
    }
}

fn start_of(file: FileId) -> Span {
    Span {
        file,
        line: 1,
        col: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Seg;

    /// Every diagnostic, one line each.
    fn concise(loaded: &Loaded) -> Vec<String> {
        (loaded.diagnostics.iter())
            .map(|d| d.concise(&loaded.sources))
            .collect()
    }

    fn load_text(text: &str) -> Loaded {
        load(
            &[Input::Text {
                name: "t.yaml".into(),
                text: text.into(),
            }],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn the_default_profile_loads_cleanly() {
        let loaded = load(&[], &[]).unwrap();
        assert_eq!(loaded.diagnostics, vec![], "{:?}", loaded.diagnostics);
        let profile = loaded.profile.unwrap();
        assert_eq!(profile.regions.len(), 3);
        assert_eq!(profile.modules.len(), 10);
    }

    #[test]
    fn unknown_fields_and_wrong_types_have_positions() {
        let text = DEFAULT_PROFILE
            .replacen("namespace: mplp-production", "namespce: mplp-production", 1)
            .replacen("weight: 50", "weight: fifty", 1);
        let loaded = load_text(&text);
        let concise: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.concise(&loaded.sources))
            .collect();
        assert!(loaded.profile.is_none());
        assert!(
            concise
                .iter()
                .any(|c| c.contains("error[E0003] namespce: unknown field `namespce`")),
            "{concise:#?}"
        );
        // The mistyped required key is one diagnostic (E0003 with a did-you-mean), not
        // also E0005 for the key it should have been (issue 14, item 10).
        assert!(
            !concise.iter().any(|c| c.contains("error[E0005] namespace")),
            "{concise:#?}"
        );
        assert!(
            concise.iter().any(|c| c.contains(
                "regions.us-east-1.weight: expected an integer, found the string `fifty`"
            )),
            "{concise:#?}"
        );
        let unknown = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::UnknownField)
            .unwrap();
        assert_eq!(unknown.help.as_deref(), Some("did you mean `namespace`?"));
        let line = DEFAULT_PROFILE
            .lines()
            .position(|l| l.starts_with("namespace:"))
            .unwrap() as u32
            + 1;
        assert_eq!(unknown.span.map(|s| (s.line, s.col)), Some((line, 1)));
    }

    #[test]
    fn layers_and_sets_merge_with_positions() {
        let overlay = Input::Text {
            name: "overlay.yaml".into(),
            text: "regions:\n  eu-west-1: {weight: 40}\n  ap-southeast-1: {weight: 10}\n".into(),
        };
        let loaded = load(
            &[Input::Default, overlay],
            &["regions.us-east-1.weight=50".into()],
        )
        .unwrap();
        assert_eq!(loaded.diagnostics, vec![]);
        let profile = loaded.profile.unwrap();
        let weights: Vec<i64> = profile.regions.values().map(|r| r.weight).collect();
        assert_eq!(weights, vec![50, 40, 10]);
        let eu = loaded
            .tree
            .get(&[
                Seg::Key("regions".into()),
                Seg::Key("eu-west-1".into()),
                Seg::Key("weight".into()),
            ])
            .unwrap();
        assert_eq!(loaded.sources.name(eu.span.file), "overlay.yaml");
        assert_eq!((eu.span.line, eu.span.col), (2, 23));
    }

    #[test]
    fn set_reports_bad_paths_and_values() {
        let loaded = load(
            &[],
            &[
                "regions.eu-west-1.weight".into(),
                "regions..x=1".into(),
                "regions.eu-west-1.weight=[1".into(),
                "name.x=1".into(),
            ],
        )
        .unwrap();
        let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![Code::Syntax, Code::Syntax, Code::Syntax, Code::WrongType]
        );
        let d = &loaded.diagnostics[3];
        assert_eq!(
            d.concise(&loaded.sources),
            "--set:1:8: error[E0004] name.x: cannot set key `x` inside a string"
        );
    }

    /// A key a `--set` adds is placed at its own column: an unknown key's caret is under
    /// the key, not the value; an escaped dot stays in the key.
    #[test]
    fn set_keys_are_placed_at_their_columns() {
        let columns = |text: &str| FieldPath::parse_with_columns(text).unwrap().1;
        assert_eq!(columns("a.bc[2][10].d"), vec![1, 3, 5, 8, 13]);
        assert_eq!(columns(r"podLabels.app\.io/x"), vec![1, 11]);
        // `\[` is no escape: the `[` opens an index, as `FieldPath::parse` reads it.
        assert_eq!(columns(r"x\[0].y"), vec![1, 3, 7]);
        assert_eq!(FieldPath::parse(r"x\[0].y").unwrap().segs().len(), 3);
        let loaded = load(&[], &["platform.colour=blue".into()]).unwrap();
        let concise: Vec<String> = (loaded.diagnostics.iter())
            .map(|d| d.concise(&loaded.sources))
            .collect();
        assert!(
            concise
                .iter()
                .any(|c| c.starts_with("--set:1:10: error[E0003] platform.colour")),
            "{concise:#?}"
        );
        let loaded = load(&[], &[r"podLabels.app\.kubernetes\.io/team=x".into()]).unwrap();
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        let profile = loaded.profile.unwrap();
        assert_eq!(profile.pod_labels.unwrap()["app.kubernetes.io/team"], "x");
    }

    /// A required field a `--set` deleted is reported at that `--set`.
    #[test]
    fn a_required_field_a_set_deleted_is_placed_at_the_set() {
        let loaded = load(&[], &["regions.eu-west-1.weight=null".into()]).unwrap();
        let lines = concise(&loaded);
        assert_eq!(
            lines,
            vec![
                "--set:1:26: error[E0005] regions.eu-west-1.weight: missing field `weight`: expected the region's traffic weight, an integer"
            ]
        );
        assert_eq!(
            loaded.diagnostics[0].help.as_deref(),
            Some("this `null` deletes it (in a later layer or a `--set`, `null` removes a field)")
        );
    }

    /// A required field an overlay's `null` deleted (or a `null` inside a `--set` map) is
    /// reported at that `null`.
    #[test]
    fn a_required_field_a_layer_deleted_is_placed_at_its_null() {
        let inputs = [
            Input::Default,
            Input::Text {
                name: "o.yaml".into(),
                text: "traffic: {host: ~}\n".into(),
            },
        ];
        let loaded = load(&inputs, &[]).unwrap();
        let lines = concise(&loaded);
        assert_eq!(
            lines,
            vec![
                "o.yaml:1:17: error[E0005] traffic.host: missing field `host`: expected the public host name"
            ]
        );
        let loaded = load(&[], &["traffic={host: null}".into()]).unwrap();
        assert_eq!(
            loaded.diagnostics[0].concise(&loaded.sources),
            "--set:1:16: error[E0005] traffic.host: missing field `host`: expected the public host name"
        );
    }

    /// A required field written without a value is reported at that value.
    #[test]
    fn a_null_required_field_is_placed_at_its_value() {
        let text = crate::load::DEFAULT_PROFILE;
        let cut = text.find("\nmodules:").unwrap();
        let loaded = load_text(&format!("{}\nmodules: ~\n", &text[..cut]));
        let lines = concise(&loaded);
        let line = text[..cut].matches('\n').count() + 2;
        assert_eq!(
            lines,
            vec![format!(
                "t.yaml:{line}:10: error[E0005] modules: field `modules` is empty (null): expected a map of modules"
            )]
        );
    }

    #[test]
    fn syntax_errors_stop_before_conversion() {
        let loaded = load_text("version: 1\nname: [\n");
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].code, Code::Syntax);
        assert!(loaded.profile.is_none());
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(
            did_you_mean("namespce", &["name", "namespace"]),
            Some("namespace")
        );
        assert_eq!(
            did_you_mean("InPlaceOrRecreat", &["Off", "InPlaceOrRecreate"]),
            Some("InPlaceOrRecreate")
        );
        assert_eq!(did_you_mean("zzzzzz", &["name", "namespace"]), None);
    }
}

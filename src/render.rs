//! Planned objects → YAML text, through one minijinja template per kind.
//!
//! The templates under `templates/` are embedded in the binary. They only lay values
//! out: every value is written by `format_value`, which emits strings as
//! double-quoted YAML scalars that read back as exactly the same text under YAML 1.1
//! and 1.2 (so `yes`, `0x1`, `: `, `#`, quotes and newlines cannot change a document's
//! shape or type). Keys and indentation come only from the templates, and undefined
//! variables are errors (strict mode), so a typo in a template fails loudly.
//!
//! minijinja's own JSON auto-escaping (its `json` feature, on for `.yaml.j2`) is the
//! fallback for non-string values; strings get [`write_quoted`] instead, because JSON
//! leaves DEL, C1 controls and U+2028/U+2029 unescaped, which YAML parsers reject or
//! fold.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use crate::plan::{Kind, PlannedObject, REGION, Scope, Spec};
use crate::yaml::{fits_literal_block, write_quoted, write_scalar};

/// [`REGION`] where the value must be double-quoted (a one-line `block`).
const REGION_QUOTED: &str = "\u{0}mplp-region-quoted\u{0}";

/// A regional object's rendering is shared by: its kind, the address of its (shared)
/// spec, and its name.
type StampKey = (Kind, usize, Arc<str>);

/// A piece of a regional object's YAML.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    /// The region's name, formatted like any value.
    Region,
    /// The region's name, double-quoted.
    RegionQuoted,
}

/// Split rendered text at the region sentinels.
fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('\0') {
        let (sentinel, piece) = if rest[at..].starts_with(REGION) {
            (REGION, Piece::Region)
        } else if rest[at..].starts_with(REGION_QUOTED) {
            (REGION_QUOTED, Piece::RegionQuoted)
        } else {
            // Not ours (cannot happen: NUL is escaped everywhere else): keep it as text.
            out.push(Piece::Text(rest[..=at].to_owned()));
            rest = &rest[at + 1..];
            continue;
        };
        out.push(Piece::Text(rest[..at].to_owned()));
        out.push(piece);
        rest = &rest[at + sentinel.len()..];
    }
    out.push(Piece::Text(rest.to_owned()));
    out
}

thread_local! {
    /// Whether [`REGION`] may be written raw: only while rendering a regional object.
    static STAMPING: Cell<bool> = const { Cell::new(false) };
}

/// The templates, embedded at build time.
const TEMPLATES: &[(&str, &str)] = &[
    ("_meta.yaml.j2", include_str!("../templates/_meta.yaml.j2")),
    (
        "application.yaml.j2",
        include_str!("../templates/application.yaml.j2"),
    ),
    (
        "helm-values.yaml.j2",
        include_str!("../templates/helm-values.yaml.j2"),
    ),
    (
        "virtualservice.yaml.j2",
        include_str!("../templates/virtualservice.yaml.j2"),
    ),
    (
        "configmap.yaml.j2",
        include_str!("../templates/configmap.yaml.j2"),
    ),
    (
        "horizontalpodautoscaler.yaml.j2",
        include_str!("../templates/horizontalpodautoscaler.yaml.j2"),
    ),
    (
        "verticalpodautoscaler.yaml.j2",
        include_str!("../templates/verticalpodautoscaler.yaml.j2"),
    ),
    (
        "objectstore.yaml.j2",
        include_str!("../templates/objectstore.yaml.j2"),
    ),
    (
        "cluster.yaml.j2",
        include_str!("../templates/cluster.yaml.j2"),
    ),
    (
        "rediscluster.yaml.j2",
        include_str!("../templates/rediscluster.yaml.j2"),
    ),
];

/// The template environment, built once per run, and the shared specs rendered so far.
pub struct Renderer {
    env: Environment<'static>,
    /// (kind, address of the shared spec, name) → its YAML split where the region goes.
    stamps: RefCell<HashMap<StampKey, Vec<Piece>>>,
}

impl Renderer {
    pub fn new() -> Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .context("invalid template syntax configuration")?,
        );
        env.set_formatter(format_value);
        env.add_filter("block", block);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .with_context(|| format!("template `{name}` does not compile"))?;
        }
        Ok(Self {
            env,
            stamps: RefCell::new(HashMap::new()),
        })
    }

    /// Render one object's YAML (without the `---` and `# Source:` lines) onto `out`.
    ///
    /// A regional object is planned with [`REGION`] where its region's name goes (its
    /// labels, a ConfigMap's `region` key), so that regions share equal specs. It is
    /// rendered once per shared spec, split at those places, and stamped with each
    /// region's name formatted like any other value: the same bytes as rendering every
    /// object, at a fraction of the cost (a 100-region profile renders ~200 HPA templates
    /// for 20,000 HPAs).
    pub fn render(&self, object: &PlannedObject, out: &mut String) -> Result<()> {
        let Scope::Region(region) = &object.scope else {
            return self.render_fresh(object, out);
        };
        let address = match &object.spec {
            Spec::Hpa(spec) => Arc::as_ptr(spec) as usize,
            Spec::Vpa(spec) => Arc::as_ptr(spec) as usize,
            Spec::ConfigMap(spec) => Arc::as_ptr(spec) as usize,
            Spec::ObjectStore(spec) => Arc::as_ptr(spec) as usize,
            Spec::Cluster(spec) => Arc::as_ptr(spec).cast::<u8>() as usize,
            Spec::RedisCluster(spec) => Arc::as_ptr(spec).cast::<u8>() as usize,
            Spec::Application(_) | Spec::VirtualService(_) => 0,
        };
        let mut stamps = self.stamps.borrow_mut();
        let key = (object.kind, address, object.meta.name.clone());
        if !stamps.contains_key(&key) {
            let mut text = String::new();
            STAMPING.set(true);
            let rendered = self.render_fresh(object, &mut text);
            STAMPING.set(false);
            rendered?;
            stamps.insert(key.clone(), pieces(&text));
        }
        for piece in &stamps[&key] {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Region => write_scalar(out, region),
                Piece::RegionQuoted => write_quoted(out, region),
            }
        }
        Ok(())
    }

    fn render_fresh(&self, object: &PlannedObject, out: &mut String) -> Result<()> {
        let template = self.env.get_template(object.kind.template())?;
        let ctx = Value::from(Serde(object));
        let text = if let (Kind::Application, Spec::Application(app)) = (object.kind, &object.spec)
        {
            let values = self
                .env
                .get_template("helm-values.yaml.j2")?
                .render(minijinja::context! { values => Value::from(Serde(&app.values)) })
                .context("failed to render the Helm values")?;
            let nested = indent(&values, 8);
            template.render(minijinja::context! {
                values_text => values,
                values_nested => Value::from_safe_string(nested),
                ..ctx
            })
        } else {
            template.render(ctx)
        }
        .with_context(|| format!("failed to render {}", object.source()))?;
        out.push_str(&text);
        Ok(())
    }
}

/// Indent every non-empty line of a rendered YAML fragment, dropping the final newline.
fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + by * 32);
    for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// How every `{{ value }}` is written.
fn format_value(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Json) && !value.is_safe() {
        if let Some(text) = value.as_str() {
            if text == REGION && STAMPING.get() {
                return out.write_str(text).map_err(Error::from);
            }
            let mut formatted = String::with_capacity(text.len() + 2);
            write_scalar(&mut formatted, text);
            return out.write_str(&formatted).map_err(Error::from);
        }
        if value.is_undefined() || value.is_none() {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "a template wrote an empty value",
            ));
        }
    }
    minijinja::escape_formatter(out, state, value)
}

/// `{{ text|block(n) }}`: a literal block scalar indented by `n` when the text can be
/// one without changing, else a double-quoted scalar.
fn block(value: &Value, indent: usize) -> Value {
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    if text == REGION && STAMPING.get() {
        return Value::from_safe_string(REGION_QUOTED.to_owned());
    }
    if !text.contains('\n') || !fits_literal_block(text) {
        let mut quoted = String::with_capacity(text.len() + 2);
        write_quoted(&mut quoted, text);
        return Value::from_safe_string(quoted);
    }
    let pad = " ".repeat(indent);
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + 8 + indent * 16);
    out.push_str(if text.ends_with('\n') { "|" } else { "|-" });
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Value::from_safe_string(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_only_where_the_text_survives() {
        let b = |t: &str| block(&Value::from(t), 4).as_str().unwrap().to_owned();
        assert_eq!(b("a: 1\nb: 2\n"), "|\n    a: 1\n    b: 2");
        assert_eq!(b("one line"), "\"one line\"");
        let policy = "policies:\n  - name: \"context-module\"\n    minReplicas: 2\n";
        assert!(b(policy).starts_with('|'), "{}", b(policy));
        assert_eq!(b("a\n\nb"), "|-\n    a\n\n    b");
        for fallback in [
            "",
            " lead",
            "x  \n",
            "a\n\n",
            "a\n  \nb",
            "tab\there",
            "\u{2028}",
        ] {
            assert!(
                b(fallback).starts_with('"'),
                "{fallback:?} -> {}",
                b(fallback)
            );
        }
    }

    #[test]
    fn pieces_split_at_both_sentinels() {
        let text = format!("a: {REGION}\nb: {REGION_QUOTED}\nc");
        let p = pieces(&text);
        assert_eq!(p.len(), 5);
        assert!(matches!(&p[0], Piece::Text(t) if t == "a: "));
        assert!(matches!(p[1], Piece::Region));
        assert!(matches!(p[3], Piece::RegionQuoted));
        assert!(matches!(&p[4], Piece::Text(t) if t == "\nc"));
    }

    #[test]
    fn indent_leaves_blank_lines_empty() {
        assert_eq!(indent("a:\n\n  b: 1\n", 2), "  a:\n\n    b: 1");
    }
}

//! Planned objects → YAML text: the metadata written here, the body through one
//! minijinja template per kind.
//!
//! The templates (each kind's, listed in its [`crate::kinds::KindInfo`]) are embedded in
//! the binary. They only lay values out: every value is written by `format_value`, which
//! emits strings through [`crate::yaml`] (plain where no YAML 1.1 or 1.2 parser can misread
//! them, else double-quoted), so `yes`, `0x1`, `: `, `#`, quotes and newlines cannot change
//! a document's shape or type. Keys and indentation come only from the templates, and
//! undefined variables are errors (strict mode), so a typo in a template fails loudly.
//!
//! An object is its header (`apiVersion`, `kind`, `metadata`: written here, per object)
//! and its body (rendered once per [`Body`], which objects equal but for their metadata
//! share): a 100-region profile renders each module's HPA template once, not 100 times.

use anyhow::{Context as _, Result};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use std::sync::{PoisonError, RwLock};

use crate::kinds::{Body, KindInfo};
use crate::plan::PlannedObject;
use crate::yaml::write_scalar;

/// The template environment, built once per run; each kind's templates are compiled the
/// first time one of its objects is rendered (a profile without KEDA modules never
/// compiles the `ScaledObject` template), and a template two kinds share once. Compiled
/// templates render on several threads at once (a large stream is rendered on two).
pub struct Renderer {
    env: RwLock<Templates>,
}

/// The environment and which templates it holds.
struct Templates {
    env: Environment<'static>,
    added: Vec<&'static str>,
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
        env.add_filter("quote", |v: &Value| scalar_filter(v, crate::yaml::quote));
        env.add_filter("single_quote", |v: &Value| {
            scalar_filter(v, crate::yaml::single_quote)
        });
        Ok(Self {
            env: RwLock::new(Templates {
                env,
                added: Vec::new(),
            }),
        })
    }

    /// Render one object's YAML (without the `---` and `# Source:` lines) onto `out`.
    pub fn render(&self, object: &PlannedObject, out: &mut String) -> Result<()> {
        out.push_str("apiVersion: ");
        out.push_str(object.api_version);
        out.push_str("\nkind: ");
        out.push_str(object.kind.kind);
        out.push_str("\nmetadata:\n  name: ");
        write_scalar(out, &object.name);
        // A cluster-scoped object (the `Namespace`) has no namespace.
        if !object.namespace.is_empty() {
            out.push_str("\n  namespace: ");
            write_scalar(out, &object.namespace);
        }
        out.push_str("\n  labels:\n");
        out.push_str(object.labels.yaml());
        if let Some(annotations) = object.annotations {
            out.push_str("  annotations:\n");
            out.push_str(annotations);
        }
        out.push_str(self.body(object)?);
        Ok(())
    }

    /// The text of an object's body, rendered the first time it is asked for.
    fn body<'o>(&self, object: &'o PlannedObject) -> Result<&'o str> {
        let body: &Body = &object.body;
        body.text(|context| {
            let compiled = |templates: &Templates| {
                (object.kind.templates.iter()).all(|(name, _)| templates.added.contains(name))
            };
            if !compiled(&self.env.read().unwrap_or_else(PoisonError::into_inner)) {
                let mut templates = self.env.write().unwrap_or_else(PoisonError::into_inner);
                templates.add(object.kind)?;
            }
            let templates = self.env.read().unwrap_or_else(PoisonError::into_inner);
            let env = &templates.env;
            let template = env.get_template(object.kind.template())?;
            let context = (object.kind.context)(env, context).and_then(|c| Ok(template.render(c)?));
            context.with_context(|| format!("failed to render {}", object.source()))
        })
    }

    /// Render every object and read it back as YAML: what `--verify`, `lint --crds`, `diff`
    /// and `--format json` check or compare. Calls `each` with the object, its text and
    /// the document read back.
    pub fn render_and_read_back(
        &self,
        objects: &[PlannedObject],
        mut each: impl FnMut(&PlannedObject, &str, serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        let mut text = String::with_capacity(4096);
        for object in objects {
            text.clear();
            self.render(object, &mut text)?;
            let doc: serde_json::Value = serde_saphyr::from_str(&text)
                .with_context(|| format!("{} does not read back as YAML", object.source()))?;
            each(object, &text, doc)?;
        }
        Ok(())
    }
}

impl Templates {
    /// Compile a kind's templates, those not compiled yet.
    fn add(&mut self, kind: &KindInfo) -> Result<()> {
        for &(name, source) in kind.templates {
            if self.added.contains(&name) {
                continue;
            }
            self.env
                .add_template(name, source)
                .with_context(|| format!("template `{name}` does not compile"))?;
            self.added.push(name);
        }
        Ok(())
    }
}

/// How every `{{ value }}` is written.
fn format_value(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Json) && !value.is_safe() {
        if let Some(text) = value.as_str() {
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

/// `{{ text|block(n) }}`: [`crate::yaml::block`]; a safe string (already YAML, from a
/// kind that formats a large value once for many objects) is written as it is.
fn block(value: &Value, indent: usize) -> Value {
    if value.is_safe() {
        return value.clone();
    }
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    Value::from_safe_string(crate::yaml::block(text, indent))
}

/// `{{ text|quote }}` (always double-quoted) and `{{ text|single_quote }}`
/// ([`crate::yaml::single_quote`]): a string in that style; a safe string (a number as the
/// profile wrote it) is written as it is.
fn scalar_filter(value: &Value, style: fn(&str) -> String) -> Value {
    match value.as_str() {
        Some(text) if !value.is_safe() => Value::from_safe_string(style(text)),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates compile when first used: every kind's must compile.
    #[test]
    fn every_template_compiles() {
        let renderer = Renderer::new().unwrap();
        let mut templates = renderer.env.write().unwrap();
        for kind in crate::kinds::KINDS {
            templates.add(kind).unwrap();
        }
        for kind in crate::kinds::KINDS {
            for (name, _) in kind.templates {
                assert!(templates.env.get_template(name).is_ok(), "{name}");
            }
        }
        // One compilation per file, even where two kinds share it.
        let mut names = templates.added.clone();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), templates.added.len());
    }

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
}

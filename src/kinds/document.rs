//! A YAML document carried in a `ConfigMap` value (the scaling policies, the
//! prometheus-adapter rules): laid out by its own template, every value written by the
//! formatter like every body, and rendered once however many objects hold it.

use std::cmp::Ordering;
use std::fmt;
use std::sync::{Arc, OnceLock};

use minijinja::Value;
use minijinja::value::{DynObject, Object, Serde};
use serde::Serialize;

/// A document to render: its template (one of the kind's), its context, and its text as
/// a block scalar once rendered.
pub(crate) struct Document {
    template: &'static str,
    context: Value,
    text: OnceLock<String>,
}

impl Document {
    /// A document as a template value, to put in a `ConfigMap`'s `data`.
    #[must_use]
    pub(crate) fn value(template: &'static str, context: &impl Serialize) -> Value {
        Value::from_object(Self {
            template,
            context: Value::from(Serde(context)),
            text: OnceLock::new(),
        })
    }

    /// The document as a block scalar indented by 4 (a `data` value's), rendered the
    /// first time it is asked for.
    fn block(&self, env: &minijinja::Environment<'_>) -> anyhow::Result<&str> {
        if let Some(text) = self.text.get() {
            return Ok(text);
        }
        let text = env
            .get_template(self.template)?
            .render(minijinja::context! { doc => self.context.clone() })?;
        Ok(self.text.get_or_init(|| crate::yaml::block(&text, 4)))
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

/// Equal documents are equal values, so that equal bodies are still shared.
impl Object for Document {
    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?;
        Some((self.template, &self.context).cmp(&(other.template, &other.context)))
    }
}

/// The context of a `ConfigMap` kind: its `data` as planned, each [`Document`] in it
/// rendered (once) as a block scalar.
pub(crate) fn config_map_context(
    env: &minijinja::Environment<'_>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut data = Vec::new();
    for pair in body.get_attr("data")?.try_iter()? {
        let key = pair.get_item(&Value::from(0))?;
        let value = pair.get_item(&Value::from(1))?;
        let value = match value.downcast_object_ref::<Document>() {
            Some(document) => Value::from_safe_string(document.block(env)?.to_owned()),
            None => value,
        };
        data.push(vec![key, value]);
    }
    Ok(minijinja::context! { spec => minijinja::context! { data => data } })
}

/// The first object of `kind` the default profile renders, as YAML (for the kinds' tests).
#[cfg(test)]
pub(crate) fn first_rendered(kind: &'static super::KindInfo) -> String {
    let profile = crate::load::load(&[], &[]).unwrap().profile.unwrap();
    let objects = crate::plan::plan(&profile, &crate::plan::Selection::all());
    let object = objects
        .iter()
        .find(|o| std::ptr::eq(o.kind, kind))
        .expect("an object of the kind");
    let mut text = String::new();
    crate::render::Renderer::new()
        .unwrap()
        .render(object, &mut text)
        .unwrap();
    text
}

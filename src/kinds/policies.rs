//! `ConfigMap` `mplp-scaling-policies`: the scaling guide's policy document of a region,
//! derived from every module's `policy` rules and its effective replica range.

use std::sync::Arc;

use minijinja::Value;

use super::document::Document;
use super::{At, KindInfo, Planner};
use crate::effective::{effective_module, overridden};
use crate::plan::PlannedObject;
use crate::profile::{Profile, Region, Scalar};

/// The scaling policies' `ConfigMap`, in every region (a name the profile does not set).
pub(crate) const NAME: &str = "mplp-scaling-policies";

pub(crate) static INFO: KindInfo = super::config_map(
    plan,
    &[
        super::CONFIG_MAP,
        (
            TEMPLATE,
            include_str!("../../templates/scaling-policies.yaml.j2"),
        ),
    ],
);

/// The document's template.
const TEMPLATE: &str = "scaling-policies.yaml.j2";

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(region) = at.settings() else { return };
    let name: Arc<str> = Arc::from(NAME);
    let policies_overridden = p
        .profile
        .modules
        .iter()
        .any(|(name, m)| !m.policy.is_empty() && overridden(region, name));
    // The document, rendered once for the regions that change nothing about it; the
    // region's name is in the data, so each region has its body.
    let document = if policies_overridden {
        document(p.profile, region)
    } else {
        p.shared_values
            .get(&INFO, 0, || document(p.profile, &p.neutral))
    };
    let body = super::Body::from_context(minijinja::context! {
        data => vec![
            vec![Value::from("region"), Value::from(at.name())],
            vec![Value::from("scaling-policy.yaml"), document],
        ],
    });
    out.push(p.object(&INFO, at, name, "autoscaling", body));
}

/// The seed's scaling-policy document for one region: every module with `policy` rules,
/// its effective range and its rules (a number as written, as a safe string: the
/// template quotes only text).
#[must_use]
pub(crate) fn document(profile: &Profile, region: &Region) -> Value {
    let policies: Vec<Value> = profile
        .modules
        .iter()
        .filter(|(_, m)| !m.policy.is_empty())
        .filter_map(|(name, _)| effective_module(profile, region, name))
        .map(|module| {
            let rules: Vec<Value> = profile.modules[module.name]
                .policy
                .iter()
                .map(|rule| {
                    minijinja::context! {
                        metric => rule.metric.as_str(),
                        threshold => scalar(&rule.threshold),
                        scale_up_factor => rule.scale_up_factor.as_ref().map_or(Value::from(()), scalar),
                        scale_down_factor => rule.scale_down_factor.as_ref().map_or(Value::from(()), scalar),
                    }
                })
                .collect();
            minijinja::context! {
                name => format!("{}-module", module.name),
                min => module.replicas.min,
                max => module.replicas.max,
                rules => rules,
            }
        })
        .collect();
    Document::value(TEMPLATE, &minijinja::context! { policies => policies })
}

/// A number as written (safe: the template writes it as it is), text as a string.
fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Number(n) => Value::from_safe_string(n.clone()),
        Scalar::Text(t) => Value::from(t.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_document_quotes_text_and_keeps_numbers() {
        let object = crate::kinds::document::first_rendered(&INFO);
        let doc = object
            .split("scaling-policy.yaml: |")
            .nth(1)
            .expect("a policy document");
        assert!(
            doc.starts_with(
                "\n    policies:\n      - name: \"context-module\"\n        minReplicas: 2\n        maxReplicas: 10\n"
            ),
            "{doc}"
        );
        assert!(doc.contains("threshold: \"200ms\""), "{doc}");
        assert!(doc.contains("threshold: 0.95"), "{doc}");
        assert!(doc.contains("scaleDownFactor: 0.5"), "{doc}");
    }
}

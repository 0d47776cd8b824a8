//! `ConfigMap` `mplp-scaling-policies`: the scaling guide's policy document of a region,
//! derived from every module's `policy` rules and its effective replica range.

use std::sync::Arc;

use minijinja::Value;

use super::{At, KindInfo, Planner};
use crate::effective::{EffectiveModule, effective_module, overridden};
use crate::plan::PlannedObject;
use crate::profile::{Profile, Region, Scalar};
use crate::yaml::quote;

pub(crate) static INFO: KindInfo = super::config_map(plan);

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(region) = at.settings() else { return };
    let name: Arc<str> = Arc::from("mplp-scaling-policies");
    let policies_overridden = p
        .profile
        .modules
        .iter()
        .any(|(name, m)| !m.policy.is_empty() && overridden(region, name));
    // The document as a YAML block scalar, formatted once for the regions that change
    // nothing about it; the region's name is in the data, so each region has its body.
    let document: Arc<str> = if policies_overridden {
        Arc::from(crate::yaml::block(&document(p.profile, region), 4))
    } else {
        p.neutral_text(&INFO, 0, || {
            crate::yaml::block(&document(p.profile, &p.neutral), 4)
        })
    };
    let body = super::Body::from_context(minijinja::context! {
        data => vec![
            vec![Value::from("region"), Value::from(at.name())],
            vec![
                Value::from("scaling-policy.yaml"),
                Value::from_safe_string(document.to_string()),
            ],
        ],
    });
    out.push(p.object(&INFO, at, name, "autoscaling", body));
}

/// The seed's scaling-policy document for one region, as YAML text.
///
/// It is a document inside a `ConfigMap` value, so it is built here, with every scalar
/// written as a double-quoted (JSON) string or a plain number; the `ConfigMap` template
/// then embeds the whole text escaped.
#[must_use]
pub(crate) fn document(profile: &Profile, region: &Region) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let listed: Vec<EffectiveModule<'_>> = profile
        .modules
        .iter()
        .filter(|(_, m)| !m.policy.is_empty())
        .filter_map(|(name, _)| effective_module(profile, region, name))
        .collect();
    if listed.is_empty() {
        out.push_str("policies: []\n");
        return out;
    }
    out.push_str("policies:\n");
    for module in listed {
        let rules = &profile.modules[module.name].policy;
        let _ = writeln!(
            out,
            "  - name: {}",
            quote(&format!("{}-module", module.name))
        );
        let _ = writeln!(out, "    minReplicas: {}", module.replicas.min);
        let _ = writeln!(out, "    maxReplicas: {}", module.replicas.max);
        out.push_str("    metrics:\n");
        for rule in rules {
            let _ = writeln!(out, "      - name: {}", quote(&rule.metric));
            let _ = writeln!(out, "        threshold: {}", scalar(&rule.threshold));
            if let Some(f) = &rule.scale_up_factor {
                let _ = writeln!(out, "        scaleUpFactor: {}", scalar(f));
            }
            if let Some(f) = &rule.scale_down_factor {
                let _ = writeln!(out, "        scaleDownFactor: {}", scalar(f));
            }
        }
    }
    out
}

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Number(n) => n.clone(),
        Scalar::Text(t) => quote(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_document_quotes_text_and_keeps_numbers() {
        let profile = crate::load::load(&[], &[]).unwrap().profile.unwrap();
        let doc = document(&profile, &profile.regions["eu-west-1"]);
        assert!(
            doc.starts_with(
                "policies:\n  - name: \"context-module\"\n    minReplicas: 2\n    maxReplicas: 10\n"
            ),
            "{doc}"
        );
        assert!(doc.contains("threshold: \"200ms\""), "{doc}");
        assert!(doc.contains("threshold: 0.95"), "{doc}");
        assert!(doc.contains("scaleDownFactor: 0.5"), "{doc}");
    }
}

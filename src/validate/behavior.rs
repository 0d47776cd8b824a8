//! HPA scaling behavior, wherever it is written: the stabilization window (E0401), at
//! least one policy per direction (E0404), and each policy's period and value (E0402, E0403).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Behavior, ScalingRules};

pub(super) fn check(r: &mut Reporter, behavior: &Behavior, path: &FieldPath) {
    for (key, rules) in [
        ("scaleUp", &behavior.scale_up),
        ("scaleDown", &behavior.scale_down),
    ] {
        if let Some(rules) = rules {
            let path = path.key(key);
            stabilization_window(r, rules, &path);
            no_policy(r, rules, &path);
            policy_value(r, rules, &path);
            policy_period(r, rules, &path);
        }
    }
}

/// E0401: `stabilizationWindowSeconds` outside 0 to 3600.
fn stabilization_window(r: &mut Reporter, rules: &ScalingRules, path: &FieldPath) {
    if let Some(window) = rules.stabilization_window_seconds
        && !(0..=3600).contains(&window)
    {
        let d = r
            .at_value(
                Code::StabilizationWindow,
                &path.key("stabilizationWindowSeconds"),
                format!(
                    "stabilizationWindowSeconds `{window}` is out of range: expected 0 to 3600"
                ),
            )
            .help(format!("use `{}`", window.clamp(0, 3600)));
        r.push(d);
    }
}

/// E0404: a direction without policies (not one whose policies only failed to load).
fn no_policy(r: &mut Reporter, rules: &ScalingRules, path: &FieldPath) {
    if rules.policies.is_empty() && !r.failed().any_child(&path.key("policies")) {
        let d = r
            .at_value(
                Code::NoPolicy,
                path,
                "no `policies`: a scaling direction needs at least one policy (use `selectPolicy: Disabled` to stop scaling this way)",
            )
            .help("add e.g. `policies: [{type: Percent, value: 100, periodSeconds: 15}]`");
        r.push(d);
    }
}

/// E0403: a policy's `value` of 0 or less.
fn policy_value(r: &mut Reporter, rules: &ScalingRules, path: &FieldPath) {
    for (i, policy) in rules.policies.iter().enumerate() {
        if policy.value < 1 {
            r.report(
                Code::PolicyValue,
                &path.key("policies").index(i).key("value"),
                format!("value `{}` must be greater than 0", policy.value),
            );
        }
    }
}

/// E0402: a policy's `periodSeconds` outside 1 to 1800.
fn policy_period(r: &mut Reporter, rules: &ScalingRules, path: &FieldPath) {
    for (i, policy) in rules.policies.iter().enumerate() {
        if !(1..=1800).contains(&policy.period_seconds) {
            let d = r
                .at_value(
                    Code::PolicyPeriod,
                    &path.key("policies").index(i).key("periodSeconds"),
                    format!(
                        "periodSeconds `{}` is out of range: expected 1 to 1800",
                        policy.period_seconds
                    ),
                )
                .help(format!("use `{}`", policy.period_seconds.clamp(1, 1800)));
            r.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{each, lint, one};

    #[test]
    fn behavior_limits() {
        each(
            concat!(
                "defaults: {behavior: {scaleUp: {stabilizationWindowSeconds: 4000, policies: [\n",
                "  {type: Pods, value: 0, periodSeconds: 1801}]}}}\n",
            ),
            &[
                "p.yaml:1:61: error[E0401] defaults.behavior.scaleUp.stabilizationWindowSeconds",
                "error[E0403] defaults.behavior.scaleUp.policies[0].value",
                "error[E0402] defaults.behavior.scaleUp.policies[0].periodSeconds",
            ],
        );
    }

    #[test]
    fn every_direction_has_a_policy() {
        one(
            "defaults: {behavior: {scaleDown: {policies: []}}}\n",
            "error[E0404] defaults.behavior.scaleDown: no `policies`",
        );
        // A policy that failed to load was reported; the list is not empty.
        let out = lint("defaults: {behavior: {scaleDown: {policies: [{type: Bytes}]}}}\n");
        assert!(!out.iter().any(|d| d.contains("E0404")), "{out:#?}");
        // A list of the wrong type is both.
        let out = lint("defaults: {behavior: {scaleDown: {policies: none}}}\n");
        assert!(
            out.iter().any(|d| d.contains("E0004")) && out.iter().any(|d| d.contains("E0404")),
            "{out:#?}"
        );
    }
}

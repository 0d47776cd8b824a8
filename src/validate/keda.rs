//! The rules KEDA adds for a module it scales (`backend: keda`) with `replicas.min: 0`:
//! KEDA deactivates the Deployment at zero and activates it when a trigger's value rises
//! above its `activationThreshold` (W1104 without one), and the cpu and memory triggers
//! cannot wake a Deployment at zero, having no pods to measure (E1105). See
//! <https://keda.sh/docs/2.20/concepts/scaling-deployments/#activating-and-scaling-thresholds>
//! and <https://keda.sh/docs/2.20/scalers/cpu/>. And the Prometheus every prometheus
//! trigger queries: an `http(s)://` URL (E0901).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::effective::{EffectiveModule, ModuleField, effective_module, origin};
use crate::profile::{Backend, Profile, Region};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let root = FieldPath::root();
    let server = root
        .key("autoscaling")
        .key("prometheus")
        .key("serverAddress");
    super::platform::URL.check(r, &profile.autoscaling.prometheus.server_address, &server);
    let neutral = Region::without_overrides();
    for name in profile.modules.keys() {
        if let Some(m) = effective_module(profile, &neutral, name) {
            to_zero(
                r,
                profile,
                &m,
                &root.key("modules").key(name).key("replicas"),
            );
        }
        // A region's own range (its override, or the core's range) is checked where
        // it is written; the others are the module's, checked above. The backend is the
        // same in every region: a module on the HPA has nothing to check there.
        if crate::effective::backend(profile, name) != Backend::Keda {
            continue;
        }
        for (region_name, region) in &profile.regions {
            if !crate::effective::overridden(region, name) {
                continue;
            }
            let replicas = ModuleField::Replicas;
            let Some(path) = origin(profile, region, name, replicas)
                .filter(|o| o.in_region())
                .and_then(|o| o.path(region_name, name, replicas))
            else {
                continue;
            };
            if let Some(m) = effective_module(profile, region, name) {
                to_zero(r, profile, &m, &path);
            }
        }
    }
}

/// W1104 and E1105 for one module's range (`path`: where it is written).
fn to_zero(r: &mut Reporter, profile: &Profile, m: &EffectiveModule<'_>, path: &FieldPath) {
    if m.backend != Backend::Keda || m.replicas.min != 0 {
        return;
    }
    let custom: Vec<&str> = m
        .metrics
        .iter()
        .filter_map(super::target::custom_name)
        .collect();
    let at = path.key("min");
    if custom.is_empty() && !m.metrics.is_empty() {
        // E1105: only cpu and memory triggers, which cannot wake a Deployment at zero.
        let d = r
            .at_value(
                Code::KedaResourceToZero,
                &at,
                format!(
                    "module `{}` scales to zero on cpu or memory only: KEDA's cpu and memory triggers cannot activate a Deployment that has no pods, so it would stay at zero",
                    m.name
                ),
            )
            .help("add a custom metric (a prometheus trigger) with an `activationThreshold`, or set `min` to `1`");
        r.push(d);
        return;
    }
    let activated = custom.iter().any(|name| {
        profile
            .metrics
            .get(*name)
            .is_some_and(|s| s.activation_threshold.is_some())
    });
    if !custom.is_empty() && !activated {
        let d = r
            .at_value(
                Code::KedaNoActivation,
                &at,
                format!(
                    "module `{}` scales to zero but none of its metrics ({}) has an `activationThreshold`: KEDA wakes it at any value above 0",
                    m.name,
                    custom.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .help(format!(
                "set `metrics.{}.activationThreshold` to the value that should wake the module",
                custom[0]
            ));
        r.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};

    /// KEDA's prometheus trigger reads `serverAddress` as an `http(s)://` URL.
    #[test]
    fn the_prometheus_address_is_a_url() {
        one(
            "autoscaling: {prometheus: {serverAddress: prometheus-operated:9090}}\n",
            "error[E0901] autoscaling.prometheus.serverAddress: `prometheus-operated:9090` is not a URL",
        );
        assert!(
            lint("autoscaling: {prometheus: {serverAddress: \"https://prom.example.com/select/0/prometheus\"}}\n")
                .is_empty()
        );
    }

    #[test]
    fn scale_to_zero() {
        one(
            "autoscaling: {backend: keda}\nmodules: {context: {replicas: {min: 0, max: 10}}}\n",
            "error[E1105] modules.context.replicas.min: module `context` scales to zero on cpu or memory only",
        );
        one(
            "autoscaling: {backend: keda}\nmodules: {role: {replicas: {min: 0, max: 15}, metrics: [{pods: mplp_auth_requests_per_second, averageValue: \"50\"}]}}\nmetrics: {mplp_auth_requests_per_second: {kind: gauge}}\n",
            "warning[W1104] modules.role.replicas.min: module `role` scales to zero but none of its metrics (`mplp_auth_requests_per_second`) has an `activationThreshold`",
        );
        assert_eq!(
            lint(
                "autoscaling: {backend: keda}\nmodules: {role: {replicas: {min: 0, max: 15}, metrics: [{pods: mplp_auth_requests_per_second, averageValue: \"50\"}]}}\nmetrics: {mplp_auth_requests_per_second: {series: mplp_auth_requests_total, kind: counter, activationThreshold: 1}}\n"
            ),
            Vec::<String>::new()
        );
        one(
            "modules: {role: {replicas: {min: 0, max: 15}}}\n",
            "error[E0102] modules.role.replicas.min: min (`0`) is below 1",
        );
    }
}

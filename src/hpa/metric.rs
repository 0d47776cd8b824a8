//! One metric's proposal (`replica_calculator.go`): what replica count one observed
//! metric asks for at the current count.

/// The controller's default tolerance (`--horizontal-pod-autoscaler-tolerance`): no
/// scaling while `0.9 <= ratio <= 1.1`.
pub(crate) const TOLERANCE: f64 = 0.1;

/// The tolerances of one HPA, per direction (`replica_calculator.go`, `Tolerances`):
/// `behavior.scaleDown.tolerance` and `behavior.scaleUp.tolerance` where the cluster
/// serves them (Kubernetes 1.35, `HPAConfigurableTolerance`), else the default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tolerances {
    pub scale_down: f64,
    pub scale_up: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Self {
            scale_down: TOLERANCE,
            scale_up: TOLERANCE,
        }
    }
}

impl Tolerances {
    /// `Tolerances.isWithin`: `(1 - scaleDown) <= ratio && ratio <= (1 + scaleUp)`.
    #[must_use]
    pub(crate) fn is_within(self, ratio: f64) -> bool {
        1.0 - self.scale_down <= ratio && ratio <= 1.0 + self.scale_up
    }
}

/// Where a metric comes from (it names the condition when the metric is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Resource,
    Pods,
    Object,
}

impl Source {
    /// The `ScalingActive` reason the controller sets when this metric cannot be read
    /// (`computeReplicasForMetric` → `getUnableComputeReplicaCountCondition`).
    #[must_use]
    pub(crate) fn failed_reason(self) -> &'static str {
        match self {
            Source::Resource => "FailedGetResourceMetric",
            Source::Pods => "FailedGetPodsMetric",
            Source::Object => "FailedGetObjectMetric",
        }
    }
}

/// What a metric's target is, in the units the trace gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    /// Resource metric, percent of the pods' request (`averageUtilization`).
    Utilization(i64),
    /// Resource or pods metric: average value per pod.
    AverageValue(f64),
    /// Object metric: the object's value.
    Value(f64),
    /// Object metric: the object's value divided by the pods.
    ObjectAverageValue(f64),
}

/// One metric at one sync: its source, its target, and what the trace gives (`None`:
/// the metric could not be read). For utilization the value is the total usage of all
/// pods in percent of one pod's request; for average values the total over all pods;
/// for object metrics the object's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Observation {
    pub source: Source,
    pub target: Target,
    pub value: Option<f64>,
}

fn milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

/// The replica count one metric value asks for at `current` replicas.
///
/// `GetResourceReplicas` (utilization), `GetMetricReplicas` (average values),
/// `GetObjectMetricReplicas` (object `Value`: `ceil(value ÷ target × current)`, so it
/// compounds while the value stays above target) and `GetObjectPerPodMetricReplicas`
/// (object `AverageValue`: `ceil(value ÷ target)`, whatever the current count).
#[must_use]
pub(crate) fn metric_replicas(
    current: i64,
    target: Target,
    value: f64,
    tolerances: Tolerances,
) -> i64 {
    if current <= 0 {
        return 0;
    }
    let within = |ratio: f64| tolerances.is_within(ratio);
    let scale = |ratio: f64| (ratio * current as f64).ceil() as i64;
    match target {
        Target::Utilization(target) => {
            // GetResourceUtilizationRatio: int32(metricsTotal * 100 / requestsTotal).
            let utilization = (value / current as f64).floor() as i64;
            let ratio = utilization as f64 / target as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::AverageValue(target) => {
            // GetMetricUsageRatio: integer average of milli-values.
            let average = milli(value) / current;
            let ratio = average as f64 / milli(target) as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::Value(target) => {
            let ratio = milli(value) as f64 / milli(target) as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::ObjectAverageValue(target) => {
            let usage = milli(value) as f64;
            let target = milli(target) as f64;
            let ratio = usage / (target * current as f64);
            if within(ratio) {
                current
            } else {
                (usage / target).ceil() as i64
            }
        }
    }
}

/// The demand a metric value means, in pods at the target, at `current` replicas
/// (for the chart and for building step traces).
#[must_use]
pub(crate) fn demand_in_pods(target: Target, value: f64, current: i64) -> f64 {
    match target {
        Target::Utilization(u) => value / u as f64,
        Target::AverageValue(t) | Target::ObjectAverageValue(t) => value / t,
        Target::Value(t) => value / t * current as f64,
    }
}

/// The metric value that means `pods` pods' worth of demand when the HPA runs
/// `current` replicas (the inverse of [`demand_in_pods`]).
#[must_use]
pub(crate) fn value_for_demand(target: Target, pods: f64, current: i64) -> f64 {
    match target {
        Target::Utilization(u) => pods * u as f64,
        Target::AverageValue(t) | Target::ObjectAverageValue(t) => pods * t,
        Target::Value(t) => t * pods / current.max(1) as f64,
    }
}

/// The scaling guide's `calculateReplicas`: `load / target + 1` (integer division),
/// clamped to 2..20.
#[must_use]
pub(crate) fn seed_replicas(load: f64, target: f64) -> i64 {
    if target <= 0.0 {
        return 2;
    }
    ((load / target).floor() as i64 + 1).clamp(2, 20)
}

impl Observation {
    /// The same metric with another value.
    #[must_use]
    #[cfg(test)]
    pub(crate) fn with(self, value: Option<f64>) -> Self {
        Self { value, ..self }
    }
}

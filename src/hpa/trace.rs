//! A load trace through the controller: the one engine behind `simulate` and `explain`.
//!
//! `simulate` reads the trace from a CSV file; `explain` builds a step trace (minimum
//! demand to maximum demand and back) with [`step_trace`]. Both run it with [`run`], so
//! the timings `explain` prints are what `simulate` shows on that trace.

use super::metric::{demand_in_pods, value_for_demand};
use super::{Behavior, Controller, Observation, Source, Target};
use crate::effective::EffectiveModule;
use crate::profile::{Metric, ObjectTarget, ResourceTarget};

/// The controller's default sync period (`--horizontal-pod-autoscaler-sync-period`).
pub(crate) const SYNC_SECONDS: i64 = 15;

/// One metric column of a trace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub source: Source,
    pub target: Target,
}

/// One row of a trace: the sync's time and one value per column (`None`: missing).
pub(crate) type TraceRow = (i64, Vec<Option<f64>>);

/// One simulated sync.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub t: i64,
    /// What each metric proposes at the count before the sync.
    pub per_metric: Vec<Option<i64>>,
    /// The raw recommendation (the largest proposal), `None` when no metric was read.
    pub desired: Option<i64>,
    /// The count after the sync.
    pub replicas: i64,
    pub reason: &'static str,
    /// The demand, in pods at the target (the largest over the metrics read).
    pub demand: Option<f64>,
}

/// The columns of a module's metrics, in order.
#[must_use]
pub(crate) fn columns(metrics: &[Metric]) -> Vec<Column> {
    metrics
        .iter()
        .map(|m| match m {
            Metric::Resource { name, target } => Column {
                name: name.as_str().to_owned(),
                source: Source::Resource,
                target: match target {
                    ResourceTarget::Utilization(u) => Target::Utilization(*u),
                    ResourceTarget::AverageValue(q) => Target::AverageValue(q.value()),
                },
            },
            Metric::Pods {
                name,
                average_value,
            } => Column {
                name: name.clone(),
                source: Source::Pods,
                target: Target::AverageValue(average_value.value()),
            },
            Metric::Object { name, target, .. } => Column {
                name: name.clone(),
                source: Source::Object,
                target: match target {
                    ObjectTarget::Value(q) => Target::Value(q.value()),
                    ObjectTarget::AverageValue(q) => Target::ObjectAverageValue(q.value()),
                },
            },
        })
        .collect()
}

/// The controller of a module's HPA, starting at `replicas`, on a cluster of `target`.
///
/// A module KEDA scales has the same HPA (`keda-hpa-<name>`, KEDA's
/// `pkg/scaling/resolver` and `controllers/keda/hpa.go` copy the range and the behavior),
/// run by the same controller; below one replica KEDA itself deactivates the Deployment,
/// so its HPA's minimum is at least 1.
#[must_use]
pub(crate) fn controller(
    module: &EffectiveModule<'_>,
    replicas: i64,
    target: &crate::target::Target,
) -> Controller {
    let mut controller = Controller::new(
        module.replicas.min.max(1),
        module.replicas.max,
        module.behavior.as_ref().map(Behavior::with_defaults),
        replicas,
    );
    controller.tolerances = tolerances(module, target);
    controller
}

/// A module's tolerances: `behavior.*.tolerance` where `target` serves them, else 0.1.
#[must_use]
pub(crate) fn tolerances(
    module: &EffectiveModule<'_>,
    target: &crate::target::Target,
) -> super::Tolerances {
    let mut out = super::Tolerances::default();
    if !target.supports(&crate::target::HPA_TOLERANCE) {
        return out;
    }
    let given = |rules: Option<&crate::profile::ScalingRules>| {
        rules
            .and_then(|r| r.tolerance.as_ref())
            .map(crate::quantity::Quantity::value)
    };
    if let Some(b) = &module.behavior {
        if let Some(t) = given(b.scale_up.as_ref()) {
            out.scale_up = t;
        }
        if let Some(t) = given(b.scale_down.as_ref()) {
            out.scale_down = t;
        }
    }
    out
}

/// Run every row of `trace` through `controller`, one sync per row.
pub(crate) fn run(controller: &mut Controller, columns: &[Column], trace: &[TraceRow]) -> Vec<Row> {
    trace
        .iter()
        .map(|(t, values)| {
            let current = controller.replicas;
            let observations: Vec<Observation> = columns
                .iter()
                .zip(values)
                .map(|(c, v)| Observation {
                    source: c.source,
                    target: c.target,
                    value: *v,
                })
                .collect();
            let per_metric = controller.proposals(&observations).collect();
            let demand = observations
                .iter()
                .filter_map(|o| o.value.map(|v| demand_in_pods(o.target, v, current)))
                .reduce(f64::max);
            let step = controller.sync(*t, &observations);
            Row {
                t: *t,
                per_metric,
                desired: step.desired,
                replicas: step.replicas,
                reason: step.reason,
                demand,
            }
        })
        .collect()
}

/// How long each phase of [`step_trace`] lasts at most.
pub(crate) const STEP_PHASE_SECONDS: i64 = 3600;

/// The step `explain` measures: from `t = 0`, every metric at twice `max` pods' worth
/// of demand for an hour, then at half `min` pods' worth for an hour, a sync every
/// 15 s. Demand for exactly `max` pods may never reach it (at `max - 1` pods the ratio
/// can be inside the tolerance band), so the step goes beyond both bounds. A `Value`
/// target on an object metric gets the value that asks for that demand from the count
/// before the step (`target × 2·max ÷ min` up, `target × (min ÷ 2) ÷ max` down). The
/// HPA starts at `min`, which the controller records as its first recommendation.
#[must_use]
pub(crate) fn step_trace(columns: &[Column], min: i64, max: i64) -> Vec<TraceRow> {
    let syncs = STEP_PHASE_SECONDS / SYNC_SECONDS;
    let values = |pods: f64, from: i64| -> Vec<Option<f64>> {
        columns
            .iter()
            .map(|c| Some(value_for_demand(c.target, pods, from)))
            .collect()
    };
    let up = values(2.0 * max as f64, min);
    let down = values(min as f64 / 2.0, max);
    (0..2 * syncs)
        .map(|i| {
            let row = if i < syncs { &up } else { &down };
            (i * SYNC_SECONDS, row.clone())
        })
        .collect()
}

/// The timings of a step trace's run: seconds from the first sync at maximum demand to
/// the sync that reaches `max`, and from the first sync at minimum demand to the sync
/// that reaches `min` (`None`: not within the hour).
#[must_use]
pub(crate) fn step_timings(rows: &[Row], min: i64, max: i64) -> (Option<i64>, Option<i64>) {
    let down_from = STEP_PHASE_SECONDS;
    let up = rows
        .iter()
        .take_while(|r| r.t < down_from)
        .find(|r| r.replicas == max)
        .map(|r| r.t);
    let down = rows
        .iter()
        .skip_while(|r| r.t < down_from)
        .find(|r| r.replicas == min)
        .map(|r| r.t - down_from);
    (up, down)
}

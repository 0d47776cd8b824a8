use super::*;

fn cpu(total: f64) -> Observation {
    Observation {
        source: Source::Resource,
        target: Target::Utilization(50),
        value: Some(total),
    }
}

fn run(c: &mut Controller, load: impl Fn(i64, i64) -> f64, syncs: i64, every: i64) -> Vec<i64> {
    (0..syncs)
        .map(|i| {
            let current = c.replicas;
            c.sync(i * every, &[cpu(load(i, current))]).replicas
        })
        .collect()
}

/// The controller's default behavior (both directions as Kubernetes defaults them).
fn defaults() -> Behavior {
    Behavior {
        scale_up: default_scale_up(),
        scale_down: default_scale_down(),
    }
}

/// A policy of `value` percent per `period_seconds`.
fn percent(value: i64, period_seconds: i64) -> Policy {
    Policy {
        percent: true,
        value,
        period_seconds,
    }
}

/// The default scale-up, and a scale-down by `policy` alone with no stabilization window.
fn scale_down_by(policy: Policy) -> Behavior {
    Behavior {
        scale_down: Rules {
            stabilization_window_seconds: 0,
            select: Select::Max,
            policies: vec![policy],
        },
        ..defaults()
    }
}

/// Assert `metric_replicas` over cases of (current, target, metric total, tolerances,
/// the replicas expected).
fn replicas_are(cases: &[(i64, Target, f64, Tolerances, i64)]) {
    for &(current, target, total, tolerances, expected) in cases {
        assert_eq!(
            metric_replicas(current, target, total, tolerances),
            expected,
            "{current} replicas, {target:?}, total {total}, {tolerances:?}"
        );
    }
}

#[test]
fn tolerance_is_inclusive() {
    let d = Tolerances::default();
    replicas_are(&[
        // 10 pods at 45 % of a 50 % target: ratio 0.9, inside the band (inclusive).
        (10, Target::Utilization(50), 450.0, d, 10),
        // 44 %: outside: ceil(0.88 × 10) = 9.
        (10, Target::Utilization(50), 440.0, d, 9),
        // Utilization is truncated to a whole percent: 449 / 10 = 44.9 → 44.
        (10, Target::Utilization(50), 449.0, d, 9),
        // `Tolerances.isWithin` (Kubernetes 1.33 on) compares the ratio with 1 ± tolerance:
        // in float64 55/50 equals 1.0 + 0.1, so 55 % is inside and 3 pods stay 3 (the older
        // `|1 - ratio| <= 0.1` found 1 - 55/50 just above 0.1 and scaled to 4); 56 % scales.
        (3, Target::Utilization(50), 165.0, d, 3),
        (3, Target::Utilization(50), 168.0, d, 4),
        (4, Target::ObjectAverageValue(10.0), 100.0, d, 10),
        (4, Target::Value(100.0), 150.0, d, 6),
        (4, Target::AverageValue(100.0), 1000.0, d, 10),
    ]);
}

/// kubernetes/kubernetes `pkg/controller/podautoscaler/replica_calculator_test.go`
/// (`TestReplicaCalcConfigurableTolerance*`, Kubernetes 1.33): the same inputs give the
/// same counts. Upstream's `Tolerances{scaleDown, scaleUp}`; levels in milli-units.
#[test]
fn configurable_tolerances_as_upstream() {
    let t = |scale_down, scale_up| Tolerances {
        scale_down,
        scale_up,
    };
    replicas_are(&[
        // "Outside of a 0% tolerance": requests 0.9/1.0/1.1, usage 909/1010/1111 m:
        // utilization 101 % of a 100 % target, 3 → 4.
        (3, Target::Utilization(100), 303.0, t(0.0, 0.0), 4),
        // "Within a 36% scale-down tolerance": 65 % of 100 %, 3 stays 3.
        (3, Target::Utilization(100), 195.0, t(0.36, 0.1), 3),
        // "Outside a 34% scale-down tolerance": 3 → 2.
        (3, Target::Utilization(100), 195.0, t(0.34, 0.1), 2),
        // `TestReplicaCalcConfigurableToleranceCM`: pods at 20, 21, 21 of a 20 target, 1 %
        // scale-up tolerance: 3 → 4.
        (3, Target::AverageValue(20.0), 62.0, t(0.1, 0.01), 4),
        // `…CMObject`: an object at 20.666 of a 20 value target: 3 → 4.
        (3, Target::Value(20.0), 20.666, t(0.1, 0.01), 4),
        // `…PerPodCMObject`: 20.208 over 4 pods of a 5 per-pod target: 4 → 5.
        (4, Target::ObjectAverageValue(5.0), 20.208, t(0.1, 0.01), 5),
        // With the default 10 %, the same inputs stay where they are.
        (
            3,
            Target::AverageValue(20.0),
            62.0,
            Tolerances::default(),
            3,
        ),
    ]);
}

#[test]
fn default_scale_up_rules_from_3_to_40() {
    // The vector: demand for 40 replicas, one sync every 15 s: 7, 14, 28, 40.
    let mut c = Controller::new(1, 50, Some(defaults()), 3);
    // 40 pods' worth of load at the 50 % target: total 2000 %.
    let out = run(&mut c, |_, _| 2000.0, 4, 15);
    assert_eq!(out, vec![7, 14, 28, 40]);
}

#[test]
fn legacy_scale_up_doubles() {
    let mut c = Controller::new(1, 50, None, 3);
    assert_eq!(run(&mut c, |_, _| 2000.0, 4, 15), vec![6, 12, 24, 40]);
}

#[test]
fn scale_down_percent_truncates_over_a_60s_period() {
    // 10 % per 60 s, no stabilization: from 20 with demand for 1.
    let mut c = Controller::new(1, 20, Some(scale_down_by(percent(10, 60))), 20);
    let out = run(&mut c, |_, _| 10.0, 9, 15);
    // t=0: int(20 × 0.9) = 18; within the next 60 s the period starts at 20 again,
    // so no further step until t=60 (event at 0 leaves the window): int(18 × 0.9) = 16.
    assert_eq!(out, vec![18, 18, 18, 18, 16, 16, 16, 16, 14]);
}

#[test]
fn scale_down_stabilization_keeps_the_highest_recent_recommendation() {
    // The default scale-down: 300 s window, 100 % per 15 s.
    let mut c = Controller::new(1, 20, Some(defaults()), 10);
    // Demand for 10 at t=0, then for 2: held at 10 until the t=0 recommendation is
    // older than 300 s (strictly after the cutoff counts).
    let mut out = Vec::new();
    for i in 0..23 {
        let total = if i == 0 { 500.0 } else { 100.0 };
        let step = c.sync(i * 15, &[cpu(total)]);
        out.push((i * 15, step.replicas, step.reason));
    }
    assert_eq!(out[1], (15, 10, "ScaleDownStabilized"));
    assert_eq!(out[19], (285, 10, "ScaleDownStabilized"));
    assert_eq!(out[20], (300, 2, "DesiredWithinRange"));
}

#[test]
fn disabled_and_min_select_policies() {
    let scale_up_by = |select| {
        let mut behavior = defaults();
        behavior.scale_up.select = select;
        Controller::new(1, 50, Some(behavior), 3).sync(0, &[cpu(2000.0)])
    };
    let step = scale_up_by(Select::Disabled);
    assert_eq!((step.replicas, step.reason), (3, "ScaleUpLimit"));
    assert_eq!(scale_up_by(Select::Min).replicas, 6);
}

#[test]
fn the_seed_rule_is_not_ceil() {
    assert_eq!(seed_replicas(100.0, 50.0), 3);
    assert_eq!(seed_replicas(10.0, 50.0), 2);
    assert_eq!(seed_replicas(5000.0, 50.0), 20);
}

/// The default profile's behavior: up 60 s window, Max(100 %/15 s, 4 pods/15 s); down
/// 300 s window, Min(10 %/60 s).
fn production() -> Behavior {
    Behavior {
        scale_up: Rules {
            stabilization_window_seconds: 60,
            select: Select::Max,
            policies: vec![
                percent(100, 15),
                Policy {
                    percent: false,
                    value: 4,
                    period_seconds: 15,
                },
            ],
        },
        scale_down: Rules {
            stabilization_window_seconds: 300,
            select: Select::Min,
            policies: vec![percent(10, 60)],
        },
    }
}

fn pods(value: Option<f64>) -> Observation {
    Observation {
        source: Source::Pods,
        target: Target::AverageValue(100.0),
        value,
    }
}

#[test]
fn the_first_sync_records_the_current_count() {
    // Issue 13 (a), `recordInitialRecommendation` (horizontal.go): the first sync stores
    // {current, now}, so `simulate --module plan --replicas 5` on a low trace holds 5
    // for the 300 s scale-down window (the t=0 recommendation is inside it until
    // t=300, where `rec.timestamp.After(downCutoff)` is false), then
    // `calculateScaleDownLimitWithBehaviors` allows int(5 × 0.9) = 4.
    let mut c = Controller::new(2, 8, Some(production()), 5);
    let steps: Vec<Step> = (0..=20).map(|i| c.sync(i * 15, &[cpu(100.0)])).collect();
    assert_eq!(steps[0].desired, Some(2));
    assert_eq!(
        (steps[0].replicas, steps[0].reason),
        (5, "ScaleDownStabilized")
    );
    assert!(steps[..20].iter().all(|s| s.replicas == 5));
    assert_eq!(
        (steps[20].replicas, steps[20].reason),
        (4, "ScaleDownLimit")
    );
}

#[test]
fn the_first_sync_also_holds_a_scale_up_for_the_up_window() {
    // `recordInitialRecommendation` with a 60 s scale-up window: the lowest
    // recommendation of the window is the initial 2 until t=60
    // (`stabilizeRecommendationWithBehaviors`); then Max(100 %, 4 pods) from 2 is 6,
    // and 12 → max 10 one period later.
    let mut c = Controller::new(2, 10, Some(production()), 2);
    let out: Vec<i64> = (0..6)
        .map(|i| c.sync(i * 15, &[cpu(500.0)]).replicas)
        .collect();
    assert_eq!(out, vec![2, 2, 2, 2, 6, 10]);
}

#[test]
fn a_missing_metric_blocks_a_scale_down_but_not_a_scale_up() {
    // Issue 13 (b), `computeReplicasForMetrics` (horizontal.go): with a metric invalid
    // and the valid ones proposing fewer replicas (`invalidMetricsCount > 0 && replicas
    // < specReplicas`), it returns -1 and `reconcileAutoscaler` returns before
    // normalizing: nothing changes and no recommendation is recorded.
    let mut c = Controller::new(1, 20, Some(scale_down_by(percent(100, 15))), 10);
    let step = c.sync(0, &[cpu(100.0), pods(None)]);
    assert_eq!(
        (step.desired, step.replicas, step.reason),
        (Some(2), 10, "FailedGetPodsMetric")
    );
    // Every metric missing: the same.
    let step = c.sync(15, &[cpu(0.0).with(None), pods(None)]);
    assert_eq!(
        (step.desired, step.replicas, step.reason),
        (None, 10, "FailedGetResourceMetric")
    );
    // A scale-up from the metrics that were read goes ahead.
    let step = c.sync(30, &[cpu(1500.0), pods(None)]);
    assert_eq!((step.desired, step.replicas), (Some(30), 20));
    // Once both are read again, the scale-down happens.
    let step = c.sync(45, &[cpu(100.0), pods(Some(100.0))]);
    assert_eq!(step.replicas, 2);
}

#[test]
fn above_max_goes_to_max_and_desired_is_what_the_metrics_say() {
    // Issue 13 (d), `reconcileAutoscaler` (horizontal.go): `currentReplicas >
    // hpa.Spec.MaxReplicas` sets desiredReplicas = MaxReplicas without consulting the
    // metrics; the `desired` column reports the raw recommendation (here 2), not 8.
    // The initial recommendation (99, `recordInitialRecommendation`) then holds 8 for
    // the scale-down window: `stabilizeRecommendationWithBehaviors` takes the highest
    // recommendation of the last 300 s.
    let mut c = Controller::new(2, 8, Some(production()), 99);
    let steps: Vec<Step> = (0..=20).map(|i| c.sync(i * 15, &[cpu(100.0)])).collect();
    assert_eq!(
        (steps[0].desired, steps[0].replicas, steps[0].reason),
        (Some(2), 8, "TooManyReplicas")
    );
    assert!(
        steps[1..20]
            .iter()
            .all(|s| (s.desired, s.replicas, s.reason) == (Some(2), 8, "ScaleDownStabilized"))
    );
    assert_eq!(
        (steps[20].replicas, steps[20].reason),
        (7, "ScaleDownLimit")
    );
}

#[test]
fn queue_length_value_targets_ratchet_and_average_value_does_not() {
    // Issue 13 item 2, `GetObjectMetricReplicas` vs `GetObjectPerPodMetricReplicas`
    // (replica_calculator.go): a backlog of 150 against a target of 100 proposes
    // ceil(1.5 × current) with `Value`, again at every sync, but ceil(150 ÷ 100) = 2
    // (one pod per 100 items) with `AverageValue`.
    let backlog = |target| Observation {
        source: Source::Object,
        target,
        value: Some(150.0),
    };
    let run = |target| {
        let mut c = Controller::new(1, 50, None, 2);
        (0..4)
            .map(|i| c.sync(i * 15, &[backlog(target)]).replicas)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(Target::Value(100.0)), vec![3, 5, 8, 12]);
    assert_eq!(run(Target::ObjectAverageValue(100.0)), vec![2, 2, 2, 2]);
}

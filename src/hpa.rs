//! The HPA controller's replica algorithm, for `simulate` and `explain`.
//!
//! A transcription of kubernetes/kubernetes `pkg/controller/podautoscaler`
//! (`horizontal.go`, `replica_calculator.go`): per metric `ceil(ratio × current)` unless
//! the ratio is within the inclusive 0.1 tolerance band, the maximum over metrics, then
//! either the legacy normalization (no `behavior`: 300 s downscale stabilization and a
//! scale-up limit of `max(2 × current, 4)`) or the behavior one (stabilization windows,
//! per-period rate limits from past scale events, `selectPolicy`), then min/max. Metric
//! values are handled in milli-units as the controller does (`int64` milli-values,
//! integer averages). Kept apart from rendering: nothing here knows about YAML.

/// The controller's tolerance: no scaling while `|1 - ratio| <= 0.1`.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-downscale-stabilization` default.
pub const DOWNSCALE_STABILIZATION_SECONDS: i64 = 300;

/// What a metric's target is, in the units the trace gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Resource metric, percent of the pods' request (`averageUtilization`).
    Utilization(i64),
    /// Resource or pods metric: average value per pod.
    AverageValue(f64),
    /// Object metric: the object's value.
    Value(f64),
    /// Object metric: the object's value divided by the pods.
    ObjectAverageValue(f64),
}

/// One observation of one metric at a sync, as the trace gives it: for utilization the
/// total usage of all pods in percent of one pod's request; for average values the total
/// over all pods; for object metrics the object's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub target: Target,
    pub value: f64,
}

fn milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

/// The replica count one metric asks for (`replica_calculator.go`).
#[must_use]
pub fn metric_replicas(current: i64, obs: Observation) -> i64 {
    if current <= 0 {
        return 0;
    }
    let within = |ratio: f64| (1.0 - ratio).abs() <= TOLERANCE;
    let scale = |ratio: f64| (ratio * current as f64).ceil() as i64;
    match obs.target {
        Target::Utilization(target) => {
            // GetResourceUtilizationRatio: int32(metricsTotal * 100 / requestsTotal).
            let utilization = (obs.value / current as f64).floor() as i64;
            let ratio = utilization as f64 / target as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::AverageValue(target) => {
            // GetMetricUsageRatio: integer average of milli-values.
            let average = milli(obs.value) / current;
            let ratio = average as f64 / milli(target) as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::Value(target) => {
            let ratio = milli(obs.value) as f64 / milli(target) as f64;
            if within(ratio) { current } else { scale(ratio) }
        }
        Target::ObjectAverageValue(target) => {
            // GetObjectPerPodMetricReplicas.
            let usage = milli(obs.value) as f64;
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

/// A scaling policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub percent: bool,
    pub value: i64,
    pub period_seconds: i64,
}

/// How policies combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    Max,
    Min,
    Disabled,
}

/// One direction's rules, with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub stabilization_window_seconds: i64,
    pub select: Select,
    pub policies: Vec<Policy>,
}

/// The behavior as the API server stores it (`SetDefaults_HorizontalPodAutoscalerBehavior`)
/// and the controller completes it (`maybeInitScaleDownStabilizationWindow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behavior {
    pub scale_up: Rules,
    pub scale_down: Rules,
}

impl Behavior {
    /// Fill a profile behavior field by field: `GenerateHPAScaleUpRules` /
    /// `GenerateHPAScaleDownRules` (`copyHPAScalingRules`).
    #[must_use]
    pub fn with_defaults(b: &crate::profile::Behavior) -> Self {
        let fill = |rules: Option<&crate::profile::ScalingRules>, default: Rules| {
            let Some(r) = rules else { return default };
            Rules {
                stabilization_window_seconds: r
                    .stabilization_window_seconds
                    .unwrap_or(default.stabilization_window_seconds),
                select: r.select_policy.map_or(default.select, |s| match s {
                    crate::profile::SelectPolicy::Max => Select::Max,
                    crate::profile::SelectPolicy::Min => Select::Min,
                    crate::profile::SelectPolicy::Disabled => Select::Disabled,
                }),
                policies: if r.policies.is_empty() {
                    default.policies
                } else {
                    r.policies
                        .iter()
                        .map(|p| Policy {
                            percent: p.kind == crate::profile::PolicyType::Percent,
                            value: p.value,
                            period_seconds: p.period_seconds,
                        })
                        .collect()
                },
            }
        };
        Behavior {
            scale_up: fill(b.scale_up.as_ref(), default_scale_up()),
            scale_down: fill(b.scale_down.as_ref(), default_scale_down()),
        }
    }
}

/// Scale-up defaults: no stabilization, `Max` of 4 pods or 100 % per 15 s.
#[must_use]
pub fn default_scale_up() -> Rules {
    Rules {
        stabilization_window_seconds: 0,
        select: Select::Max,
        policies: vec![
            Policy {
                percent: false,
                value: 4,
                period_seconds: 15,
            },
            Policy {
                percent: true,
                value: 100,
                period_seconds: 15,
            },
        ],
    }
}

/// Scale-down defaults: the controller's 300 s window, `Max` of 100 % per 15 s.
#[must_use]
pub fn default_scale_down() -> Rules {
    Rules {
        stabilization_window_seconds: DOWNSCALE_STABILIZATION_SECONDS,
        select: Select::Max,
        policies: vec![Policy {
            percent: true,
            value: 100,
            period_seconds: 15,
        }],
    }
}

/// The result of one sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The raw recommendation: the maximum over metrics, before stabilization and limits.
    pub desired: i64,
    /// After stabilization, before rate limits and min/max.
    pub stabilized: i64,
    /// The replica count after the sync.
    pub replicas: i64,
    /// The controller's condition reason.
    pub reason: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct Recommendation {
    at: i64,
    replicas: i64,
}

#[derive(Debug, Clone, Copy)]
struct ScaleEvent {
    at: i64,
    change: i64,
    outdated: bool,
}

/// One HPA's controller state across syncs.
#[derive(Debug, Clone)]
pub struct Controller {
    pub min: i64,
    pub max: i64,
    /// `None`: the HPA has no `behavior` (legacy normalization).
    pub behavior: Option<Behavior>,
    pub replicas: i64,
    recommendations: Vec<Recommendation>,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
}

impl Controller {
    #[must_use]
    pub fn new(min: i64, max: i64, behavior: Option<Behavior>, replicas: i64) -> Self {
        Self {
            min,
            max,
            behavior,
            replicas,
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
        }
    }

    /// One sync at time `now` (seconds) with the metrics observed then
    /// (`reconcileAutoscaler`).
    pub fn sync(&mut self, now: i64, observations: &[Observation]) -> Step {
        let current = self.replicas;
        if current > self.max || current < self.min {
            let target = current.clamp(self.min, self.max);
            let reason = if current > self.max {
                "TooManyReplicas"
            } else {
                "TooFewReplicas"
            };
            self.scale_to(now, current, target);
            return Step {
                desired: target,
                stabilized: target,
                replicas: target,
                reason,
            };
        }
        let desired = observations
            .iter()
            .map(|o| metric_replicas(current, *o))
            .max()
            .unwrap_or(current);
        let (stabilized, replicas, reason) = match self.behavior.clone() {
            None => self.normalize_legacy(now, current, desired),
            Some(behavior) => self.normalize_with_behavior(now, current, desired, &behavior),
        };
        self.scale_to(now, current, replicas);
        Step {
            desired,
            stabilized,
            replicas,
            reason,
        }
    }

    fn scale_to(&mut self, now: i64, current: i64, replicas: i64) {
        if replicas != current {
            self.store_scale_event(now, current, replicas);
        }
        self.replicas = replicas;
    }

    /// `normalizeDesiredReplicas` + `stabilizeRecommendation` + `convertDesiredReplicasWithRules`.
    fn normalize_legacy(
        &mut self,
        now: i64,
        current: i64,
        desired: i64,
    ) -> (i64, i64, &'static str) {
        let cutoff = now - DOWNSCALE_STABILIZATION_SECONDS;
        let mut stabilized = desired;
        let mut old = None;
        for (i, rec) in self.recommendations.iter().enumerate() {
            if rec.at < cutoff {
                old = Some(i);
            } else if rec.replicas > stabilized {
                stabilized = rec.replicas;
            }
        }
        let rec = Recommendation {
            at: now,
            replicas: desired,
        };
        match old {
            Some(i) => self.recommendations[i] = rec,
            None => self.recommendations.push(rec),
        }
        let scale_up_limit = (2 * current).max(4);
        let (maximum, limit_reason) = if self.max > scale_up_limit {
            (scale_up_limit, "ScaleUpLimit")
        } else {
            (self.max, "TooManyReplicas")
        };
        let (replicas, limited_reason) = if stabilized < self.min {
            (self.min, "TooFewReplicas")
        } else if stabilized > maximum {
            (maximum, limit_reason)
        } else {
            (stabilized, "DesiredWithinRange")
        };
        let reason = if replicas != stabilized {
            limited_reason
        } else if stabilized != desired {
            "ScaleDownStabilized"
        } else {
            "DesiredWithinRange"
        };
        (stabilized, replicas, reason)
    }

    /// `normalizeDesiredReplicasWithBehaviors`.
    #[allow(clippy::comparison_chain)] // mirrors the controller's if / else if
    fn normalize_with_behavior(
        &mut self,
        now: i64,
        current: i64,
        desired: i64,
        behavior: &Behavior,
    ) -> (i64, i64, &'static str) {
        // stabilizeRecommendationWithBehaviors
        let up_cutoff = now - behavior.scale_up.stabilization_window_seconds;
        let down_cutoff = now - behavior.scale_down.stabilization_window_seconds;
        let mut up = desired;
        let mut down = desired;
        let mut old = None;
        for (i, rec) in self.recommendations.iter().enumerate() {
            if rec.at > up_cutoff {
                up = up.min(rec.replicas);
            }
            if rec.at > down_cutoff {
                down = down.max(rec.replicas);
            }
            if rec.at < up_cutoff && rec.at < down_cutoff {
                old = Some(i);
            }
        }
        let stabilized = current.max(up).min(down);
        let rec = Recommendation {
            at: now,
            replicas: desired,
        };
        match old {
            Some(i) => self.recommendations[i] = rec,
            None => self.recommendations.push(rec),
        }
        let stabilized_reason = if desired >= current {
            "ScaleUpStabilized"
        } else {
            "ScaleDownStabilized"
        };

        // convertDesiredReplicasWithBehaviorRate
        let (replicas, limited_reason) = if stabilized > current {
            let limit = self
                .rate_limit(now, current, &behavior.scale_up, true)
                .max(current);
            let (maximum, reason) = if self.max > limit {
                (limit, "ScaleUpLimit")
            } else {
                (self.max, "TooManyReplicas")
            };
            if stabilized > maximum {
                (maximum, reason)
            } else {
                (stabilized, "DesiredWithinRange")
            }
        } else if stabilized < current {
            let limit = self
                .rate_limit(now, current, &behavior.scale_down, false)
                .min(current);
            let (minimum, reason) = if self.min < limit {
                (limit, "ScaleDownLimit")
            } else {
                (self.min, "TooFewReplicas")
            };
            if stabilized < minimum {
                (minimum, reason)
            } else {
                (stabilized, "DesiredWithinRange")
            }
        } else {
            (stabilized, "DesiredWithinRange")
        };
        let reason = if replicas != stabilized {
            limited_reason
        } else if stabilized != desired {
            stabilized_reason
        } else {
            "DesiredWithinRange"
        };
        (stabilized, replicas, reason)
    }

    /// Replicas added (or removed) by events newer than `period` seconds.
    fn change_in_period(events: &[ScaleEvent], now: i64, period: i64) -> i64 {
        let cutoff = now - period;
        events
            .iter()
            .filter(|e| e.at > cutoff)
            .map(|e| e.change)
            .sum()
    }

    /// `calculateScaleUpLimitWithScalingRules` (`up`) and
    /// `calculateScaleDownLimitWithBehaviors`: each policy proposes a limit from the
    /// replicas at the start of its period; `Max` picks the biggest change, `Min` the
    /// smallest, `Disabled` allows none.
    fn rate_limit(&self, now: i64, current: i64, rules: &Rules, up: bool) -> i64 {
        if rules.select == Select::Disabled {
            return current;
        }
        // The biggest change is the highest limit going up and the lowest going down.
        let biggest = (rules.select == Select::Max) == up;
        let mut result: Option<i64> = None;
        for p in &rules.policies {
            let added = Self::change_in_period(&self.up_events, now, p.period_seconds);
            let deleted = Self::change_in_period(&self.down_events, now, p.period_seconds);
            let start = current - added + deleted;
            let factor = p.value as f64 / 100.0;
            let proposed = match (p.percent, up) {
                // Rounded up, or a small count would never grow.
                (true, true) => (start as f64 * (1.0 + factor)).ceil() as i64,
                // Truncated: int32(float64(start) * (1 - value/100)).
                (true, false) => (start as f64 * (1.0 - factor)) as i64,
                (false, true) => start + p.value,
                (false, false) => start - p.value,
            };
            result = Some(result.map_or(proposed, |r| {
                if biggest {
                    r.max(proposed)
                } else {
                    r.min(proposed)
                }
            }));
        }
        result.unwrap_or(current)
    }

    /// `storeScaleEvent`: only with behavior; outdated events (older than the longest
    /// policy period) are reused.
    fn store_scale_event(&mut self, now: i64, previous: i64, new: i64) {
        let Some(behavior) = &self.behavior else {
            return;
        };
        let (events, rules, change) = if new > previous {
            (&mut self.up_events, &behavior.scale_up, new - previous)
        } else {
            (&mut self.down_events, &behavior.scale_down, previous - new)
        };
        let longest = rules
            .policies
            .iter()
            .map(|p| p.period_seconds)
            .max()
            .unwrap_or(0);
        for e in events.iter_mut() {
            if e.at <= now - longest {
                e.outdated = true;
            }
        }
        let event = ScaleEvent {
            at: now,
            change,
            outdated: false,
        };
        match events.iter_mut().find(|e| e.outdated) {
            Some(slot) => *slot = event,
            None => events.push(event),
        }
    }
}

/// The scaling guide's `calculateReplicas`: `load / target + 1` (integer division),
/// clamped to 2..20.
#[must_use]
pub fn seed_replicas(load: f64, target: f64) -> i64 {
    if target <= 0.0 {
        return 2;
    }
    ((load / target).floor() as i64 + 1).clamp(2, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(total: f64) -> Observation {
        Observation {
            target: Target::Utilization(50),
            value: total,
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

    #[test]
    fn tolerance_is_inclusive() {
        // 10 pods at 45 % of a 50 % target: ratio 0.9, inside the band (inclusive).
        assert_eq!(metric_replicas(10, cpu(450.0)), 10);
        // 44 %: outside: ceil(0.88 × 10) = 9.
        assert_eq!(metric_replicas(10, cpu(440.0)), 9);
        // Utilization is truncated to a whole percent: 449 / 10 = 44.9 → 44.
        assert_eq!(metric_replicas(10, cpu(449.0)), 9);
        // As in Go's float64, 1 - 55/50 is just above 0.1: 55 % scales 3 pods to 4.
        assert_eq!(metric_replicas(3, cpu(165.0)), 4);
        assert_eq!(
            metric_replicas(
                4,
                Observation {
                    target: Target::ObjectAverageValue(10.0),
                    value: 100.0
                }
            ),
            10
        );
        assert_eq!(
            metric_replicas(
                4,
                Observation {
                    target: Target::Value(100.0),
                    value: 150.0
                }
            ),
            6
        );
        assert_eq!(
            metric_replicas(
                4,
                Observation {
                    target: Target::AverageValue(100.0),
                    value: 1000.0
                }
            ),
            10
        );
    }

    #[test]
    fn default_scale_up_rules_from_3_to_40() {
        // The vector: demand for 40 replicas, one sync every 15 s: 7, 14, 28, 40.
        let behavior = Behavior {
            scale_up: default_scale_up(),
            scale_down: default_scale_down(),
        };
        let mut c = Controller::new(1, 50, Some(behavior), 3);
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
        let behavior = Behavior {
            scale_up: default_scale_up(),
            scale_down: Rules {
                stabilization_window_seconds: 0,
                select: Select::Max,
                policies: vec![Policy {
                    percent: true,
                    value: 10,
                    period_seconds: 60,
                }],
            },
        };
        let mut c = Controller::new(1, 20, Some(behavior), 20);
        let out = run(&mut c, |_, _| 10.0, 9, 15);
        // t=0: int(20 × 0.9) = 18; within the next 60 s the period starts at 20 again,
        // so no further step until t=60 (event at 0 leaves the window): int(18 × 0.9) = 16.
        assert_eq!(out, vec![18, 18, 18, 18, 16, 16, 16, 16, 14]);
    }

    #[test]
    fn scale_down_stabilization_keeps_the_highest_recent_recommendation() {
        let behavior = Behavior {
            scale_up: default_scale_up(),
            scale_down: default_scale_down(), // 300 s window, 100 % per 15 s
        };
        let mut c = Controller::new(1, 20, Some(behavior), 10);
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
        let mut up = default_scale_up();
        up.select = Select::Disabled;
        let mut c = Controller::new(
            1,
            50,
            Some(Behavior {
                scale_up: up,
                scale_down: default_scale_down(),
            }),
            3,
        );
        let step = c.sync(0, &[cpu(2000.0)]);
        assert_eq!((step.replicas, step.reason), (3, "ScaleUpLimit"));
        let mut up = default_scale_up();
        up.select = Select::Min;
        let mut c = Controller::new(
            1,
            50,
            Some(Behavior {
                scale_up: up,
                scale_down: default_scale_down(),
            }),
            3,
        );
        assert_eq!(c.sync(0, &[cpu(2000.0)]).replicas, 6);
    }

    #[test]
    fn the_seed_rule_is_not_ceil() {
        assert_eq!(seed_replicas(100.0, 50.0), 3);
        assert_eq!(seed_replicas(10.0, 50.0), 2);
        assert_eq!(seed_replicas(5000.0, 50.0), 20);
    }
}

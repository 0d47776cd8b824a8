//! The HPA controller's replica algorithm, for `simulate` and `explain`.
//!
//! A transcription of kubernetes/kubernetes `pkg/controller/podautoscaler`
//! (`horizontal.go`, `replica_calculator.go`). Each rule names the upstream function it
//! follows; `docs/simulate.md` lists them:
//!
//! - `recordInitialRecommendation`: the first sync records the current count as a
//!   recommendation, so a scale-down waits for the stabilization window;
//! - `metric::metric_replicas`: per metric `ceil(ratio × current)` unless the ratio is
//!   within the inclusive tolerance band, `behavior.*.tolerance` or 0.1 by default
//!   (`replica_calculator.go`, `Tolerances.isWithin`);
//! - `computeReplicasForMetrics`: the maximum over the metrics that could be read; with
//!   every metric missing, or some missing and a scale-down proposed, nothing changes;
//! - `reconcileAutoscaler`: outside min/max the count goes straight to the bound;
//! - `normalizeDesiredReplicas` (no `behavior`: 300 s downscale stabilization and a
//!   scale-up limit of `max(2 × current, 4)`) or `normalizeDesiredReplicasWithBehaviors`
//!   (stabilization windows, per-period rate limits from past scale events, `selectPolicy`).
//!
//! Metric values are handled in milli-units as the controller does (`int64`
//! milli-values, integer averages). `trace` runs a whole trace through it, for both
//! commands. Kept apart from rendering: nothing here knows about YAML.

pub(crate) mod metric;
pub(crate) mod trace;

#[cfg(test)]
use metric::seed_replicas;
pub(crate) use metric::{Observation, Source, Target, Tolerances, metric_replicas};

/// `--horizontal-pod-autoscaler-downscale-stabilization` default.
pub(crate) const DOWNSCALE_STABILIZATION_SECONDS: i64 = 300;

/// A scaling policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub percent: bool,
    pub value: i64,
    pub period_seconds: i64,
}

/// How policies combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Select {
    Max,
    Min,
    Disabled,
}

/// One direction's rules, with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rules {
    pub stabilization_window_seconds: i64,
    pub select: Select,
    pub policies: Vec<Policy>,
}

/// The behavior as the API server stores it (`SetDefaults_HorizontalPodAutoscalerBehavior`)
/// and the controller completes it (`maybeInitScaleDownStabilizationWindow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Behavior {
    pub scale_up: Rules,
    pub scale_down: Rules,
}

impl Behavior {
    /// Fill a profile behavior field by field: `GenerateHPAScaleUpRules` /
    /// `GenerateHPAScaleDownRules` (`copyHPAScalingRules`).
    #[must_use]
    pub(crate) fn with_defaults(b: &crate::profile::Behavior) -> Self {
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
pub(crate) fn default_scale_up() -> Rules {
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
pub(crate) fn default_scale_down() -> Rules {
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
pub(crate) struct Step {
    /// The raw recommendation: the maximum over the metrics that could be read, before
    /// stabilization and limits (`None`: none could be read).
    pub desired: Option<i64>,
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
pub(crate) struct Controller {
    pub min: i64,
    pub max: i64,
    /// `None`: the HPA has no `behavior` (legacy normalization).
    pub behavior: Option<Behavior>,
    pub replicas: i64,
    /// The HPA's tolerances (default 0.1 both ways).
    pub tolerances: Tolerances,
    /// Whether the controller has seen this HPA (`recordInitialRecommendation`).
    seen: bool,
    recommendations: Vec<Recommendation>,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
}

impl Controller {
    /// Record this sync's recommendation, in the slot of one that fell out of every
    /// window (`old`) or appended (horizontal.go reuses the oldest expired entry).
    fn record(&mut self, old: Option<usize>, now: i64, desired: i64) {
        let rec = Recommendation {
            at: now,
            replicas: desired,
        };
        match old {
            Some(i) => self.recommendations[i] = rec,
            None => self.recommendations.push(rec),
        }
    }

    #[must_use]
    pub(crate) fn new(min: i64, max: i64, behavior: Option<Behavior>, replicas: i64) -> Self {
        Self {
            min,
            max,
            behavior,
            replicas,
            tolerances: Tolerances::default(),
            seen: false,
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
        }
    }

    /// What each metric proposes at the current count (`None`: the metric was not read).
    pub(crate) fn proposals<'o>(
        &self,
        observations: &'o [Observation],
    ) -> impl Iterator<Item = Option<i64>> + 'o {
        let (current, tolerances) = (self.replicas, self.tolerances);
        observations.iter().map(move |o| {
            o.value
                .map(|v| metric_replicas(current, o.target, v, tolerances))
        })
    }

    /// One sync at time `now` (seconds) with the metrics observed then
    /// (`reconcileAutoscaler`).
    pub(crate) fn sync(&mut self, now: i64, observations: &[Observation]) -> Step {
        let current = self.replicas;
        // recordInitialRecommendation: the first time the controller sees the HPA, the
        // current count is a recommendation (of "now"), inside every window.
        if !self.seen {
            self.seen = true;
            self.recommendations.push(Recommendation {
                at: now,
                replicas: current,
            });
        }
        // computeReplicasForMetrics: the largest proposal over the metrics read.
        let desired = self.proposals(observations).flatten().max();
        if current > self.max || current < self.min {
            // reconcileAutoscaler: straight to the bound; the metrics are not consulted
            // (`desired` only reports what they say).
            let target = current.clamp(self.min, self.max);
            let reason = if current > self.max {
                "TooManyReplicas"
            } else {
                "TooFewReplicas"
            };
            self.scale_to(now, current, target);
            return Step {
                desired,
                stabilized: target,
                replicas: target,
                reason,
            };
        }
        let missing = observations.iter().find(|o| o.value.is_none());
        let hold = match (desired, missing) {
            // Every metric missing.
            (None, _) => true,
            // Some missing and the rest propose a scale-down: the controller returns -1
            // and reconcileAutoscaler stops before normalizing (no recommendation is
            // recorded, nothing is scaled).
            (Some(d), Some(_)) => d < current,
            (Some(_), None) => false,
        };
        if hold {
            let reason = missing.map_or("FailedGetResourceMetric", |o| o.source.failed_reason());
            return Step {
                desired,
                stabilized: current,
                replicas: current,
                reason,
            };
        }
        let wanted = desired.unwrap_or(current);
        let (stabilized, replicas, reason) = match self.behavior.clone() {
            None => self.normalize_legacy(now, current, wanted),
            Some(behavior) => self.normalize_with_behavior(now, current, wanted, &behavior),
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
        self.record(old, now, desired);
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
        self.record(old, now, desired);
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

#[cfg(test)]
mod tests;

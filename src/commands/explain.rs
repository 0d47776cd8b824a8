//! `mplp-scale explain`: what a profile means at its limits.
//!
//! For each region: the replica totals at minimum and at maximum, the cpu and memory
//! they imply wherever the profile gives pod resources (the region's core pods, the
//! Postgres instances, the Redis pods), each module's effective HPA behavior with the
//! API server's defaults filled in, how long the HPA takes from minimum to maximum on a
//! step of demand and back (`hpa::trace`, the engine `simulate` runs, synced every
//! 15 s), and the warnings that matter at capacity.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::ExitStatus;
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::effective::{CORE_MODULE, EffectiveModule, effective_module};
use crate::hpa::trace::{self, SYNC_SECONDS};
use crate::hpa::{Behavior, Rules, Select};
use crate::profile::{Metric, ObjectTarget, Pooler, Profile, Region, ResourceList, ResourceTarget};
use crate::target::Target;

/// The connection check: module pods at maximum scale against `max_connections`,
/// directly or through the CNPG `Pooler` (PgBouncer) when the profile renders one.
fn connections(
    pooler: &Pooler,
    max_connections: i64,
    pods: i64,
    out: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    if pooler.enabled {
        let clients = pooler.instances * pooler.max_client_conn;
        let servers = pooler.instances * pooler.default_pool_size;
        let per_pod = clients as f64 / pods.max(1) as f64;
        let line = format!(
            "postgres through the pooler: {clients} client connections ({} PgBouncer pods × max_client_conn {}) for up to {pods} module pods at maximum scale: {per_pod:.1} per pod; {servers} server connections per user and database of max_connections {max_connections}",
            pooler.instances, pooler.max_client_conn
        );
        if servers > max_connections - RESERVED_CONNECTIONS {
            warnings.push(format!("{line}: the pooler opens more server connections than PostgreSQL accepts; lower defaultPoolSize or raise max_connections"));
        } else if per_pod < 5.0 {
            warnings.push(format!("{line}: a connection pool of 5 or more per pod will exhaust it; raise maxClientConn or the pooler's instances"));
        } else {
            out.push(line);
        }
        return;
    }
    let per_pod = max_connections as f64 / pods.max(1) as f64;
    let line = format!(
        "postgres max_connections {max_connections} for up to {pods} module pods at maximum scale: {per_pod:.1} connections per pod"
    );
    if pods > max_connections {
        warnings.push(format!("{line}: fewer than one each; raise max_connections or enable the pooler (`postgres.pooler`)"));
    } else if per_pod < 5.0 {
        warnings.push(format!("{line}: a connection pool of 5 or more per pod will exhaust it; size pools accordingly or enable the pooler (`postgres.pooler`)"));
    } else {
        out.push(line);
    }
}

/// `superuser_reserved_connections`, PostgreSQL's default: not for the pooler.
const RESERVED_CONNECTIONS: i64 = 3;

pub(crate) fn explain(
    args: &ExplainArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    let Some((_, profile)) = super::valid_profile(&args.profile, err)? else {
        return Ok(ExitStatus::Failure);
    };
    if let Some(r) = &args.region
        && !profile.regions.contains_key(r)
    {
        bail!(super::unknown_region(&profile, r));
    }
    let regions: Vec<RegionReport<'_>> = profile
        .regions
        .iter()
        .filter(|(name, _)| args.region.as_ref().is_none_or(|r| r == *name))
        .map(|(name, region)| region_report(&profile, name, region))
        .collect();
    match args.format {
        ExplainFormat::Text => {
            let mut text = String::new();
            for region in &regions {
                write_region(region, &mut text);
            }
            out.write_all(text.as_bytes())?;
        }
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "regions": regions }))?;
            writeln!(out)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// What `explain` says about one region: `--format json` prints it as it is (its shape is
/// documented in docs/simulate.md), the text form lays it out.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionReport<'p> {
    name: &'p str,
    primary: bool,
    /// The region's percent of the default route.
    weight: i64,
    pods: Pods,
    modules: Vec<ModuleReport<'p>>,
    resources: Vec<ResourceReport>,
    /// The connection checks that passed (those that did not are warnings).
    connections: Vec<String>,
    warnings: Vec<String>,
}

/// The region's module pods (one HPA each) at minimum and at maximum.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Pods {
    at_minimum: i64,
    at_maximum: i64,
    hpas: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModuleReport<'p> {
    name: &'p str,
    min: i64,
    max: i64,
    /// Seconds from min to max on a step of demand (`null`: never).
    min_to_max_seconds: Option<i64>,
    /// Seconds from max back to min (`null`: never).
    max_to_min_seconds: Option<i64>,
    metrics: String,
    behavior: String,
}

/// `count` pods of `requests` each: the totals of requests and limits.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceReport {
    what: String,
    count: i64,
    requests: String,
    total_requests: String,
    total_limits: String,
}

fn region_report<'p>(profile: &'p Profile, name: &'p str, region: &'p Region) -> RegionReport<'p> {
    let modules: Vec<EffectiveModule<'_>> = profile
        .modules
        .keys()
        .filter_map(|m| effective_module(profile, region, m))
        .collect();
    let min: i64 = modules.iter().map(|m| m.replicas.min).sum();
    let max: i64 = modules.iter().map(|m| m.replicas.max).sum();
    let mut resources = Vec::new();
    let mut connections_ok = Vec::new();
    let mut warnings = Vec::new();
    if let (Some(r), Some(core)) = (
        &region.resources,
        modules.iter().find(|m| m.name == CORE_MODULE),
    ) {
        for (label, count) in [
            ("at minimum", core.replicas.min),
            ("at maximum", core.replicas.max),
        ] {
            resources.push(resource(&format!("core pods {label}"), count, r));
        }
    }
    if let Some(pg) = &profile.postgres {
        let instances = region
            .postgres
            .as_ref()
            .and_then(|p| p.instances)
            .unwrap_or(pg.instances);
        if let Some(r) = &pg.resources {
            resources.push(resource("postgres", instances, r));
        }
        if let Some(max_connections) = pg
            .parameters
            .get("max_connections")
            .and_then(|v| v.parse::<i64>().ok())
        {
            connections(
                &pg.pooler,
                max_connections,
                max,
                &mut connections_ok,
                &mut warnings,
            );
        }
    }
    if let Some(redis) = &profile.redis
        && let Some(r) = &redis.resources
    {
        resources.push(resource("redis", redis.cluster_size * 2, r));
        if let (Some(maxmemory), Some(limit)) = (
            redis.config.get("maxmemory").and_then(|m| redis_bytes(m)),
            r.limits.memory.as_ref(),
        ) && maxmemory > limit.value()
        {
            warnings.push(format!(
                "redis maxmemory {} is above the memory limit {limit}: pods are OOM-killed before Redis evicts",
                redis.config["maxmemory"]
            ));
        }
    }
    RegionReport {
        name,
        primary: region.primary,
        weight: region.weight,
        pods: Pods {
            at_minimum: min,
            at_maximum: max,
            hpas: modules.len(),
        },
        modules: modules
            .iter()
            .map(|m| module_report(m, &Target::of(profile)))
            .collect(),
        resources,
        connections: connections_ok,
        warnings,
    }
}

/// One region as text: its pods, a row per module, the resources, the warnings.
fn write_region(report: &RegionReport<'_>, out: &mut String) {
    let role = if report.primary { "primary" } else { "replica" };
    let _ = writeln!(
        out,
        "region {} ({role}, {}% of the default route)",
        report.name, report.weight
    );
    let _ = writeln!(
        out,
        "  module pods: {} at minimum, {} at maximum ({} HPAs)",
        report.pods.at_minimum, report.pods.at_maximum, report.pods.hpas
    );
    module_table(&report.modules, out);
    let _ = writeln!(out);
    let _ = writeln!(out, "  resources (requests / limits):");
    // The connection checks follow the database's line, before the cache's.
    let (redis, others): (Vec<&ResourceReport>, Vec<&ResourceReport>) =
        report.resources.iter().partition(|r| r.what == "redis");
    for r in others {
        resource_line(out, r);
    }
    for line in &report.connections {
        let _ = writeln!(out, "    {line}");
    }
    for r in redis {
        resource_line(out, r);
    }
    if report.warnings.is_empty() {
        let _ = writeln!(out, "  no warnings at capacity");
    } else {
        let _ = writeln!(out, "  warnings at capacity:");
        for w in &report.warnings {
            let _ = writeln!(out, "    - {w}");
        }
    }
    let _ = writeln!(out);
}

fn module_report<'p>(m: &EffectiveModule<'p>, target: &Target) -> ModuleReport<'p> {
    let (up, down) = envelope(m, target);
    ModuleReport {
        name: m.name,
        min: m.replicas.min,
        max: m.replicas.max,
        min_to_max_seconds: up,
        max_to_min_seconds: down,
        metrics: metrics(m.metrics),
        behavior: behavior(m, target),
    }
}

/// One row per module: its bounds, how long the HPA takes from min to max and back, its
/// metrics and behavior.
fn module_table(modules: &[ModuleReport<'_>], out: &mut String) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<12} {:>4} {:>4}  {:>8}  {:>8}   (a step to 2 × max pods of demand, then to min ÷ 2; a sync every {SYNC_SECONDS}s, as `simulate` runs it)",
        "module", "min", "max", "min→max", "max→min"
    );
    let fmt = |s: Option<i64>| s.map_or("never".to_owned(), |s| format!("{s}s"));
    for m in modules {
        let (up, down) = (fmt(m.min_to_max_seconds), fmt(m.max_to_min_seconds));
        let _ = writeln!(
            out,
            "  {:<12} {:>4} {:>4}  {up:>8}  {down:>8}",
            m.name, m.min, m.max
        );
        let _ = writeln!(out, "      metrics:  {}", m.metrics);
        let _ = writeln!(out, "      behavior: {}", m.behavior);
    }
}

/// How long the HPA takes from min to max and back on the step trace: the same engine
/// and trace `simulate` would run (`hpa::trace`), so the two never disagree.
fn envelope(m: &EffectiveModule<'_>, target: &Target) -> (Option<i64>, Option<i64>) {
    let columns = trace::columns(m.metrics);
    let (min, max) = (m.replicas.min.max(1), m.replicas.max);
    let rows = trace::run(
        &mut trace::controller(m, min, target),
        &columns,
        &trace::step_trace(&columns, min, max),
    );
    trace::step_timings(&rows, min, max)
}

fn metrics(metrics: &[Metric]) -> String {
    metrics
        .iter()
        .map(|m| match m {
            Metric::Resource { name, target } => match target {
                ResourceTarget::Utilization(u) => format!("{} {u}%", name.as_str()),
                ResourceTarget::AverageValue(q) => format!("{} {q}/pod", name.as_str()),
            },
            Metric::Pods {
                name,
                average_value,
            } => format!("{name} {average_value}/pod"),
            Metric::Object { name, target, .. } => match target {
                ObjectTarget::Value(q) => format!("{name} = {q}"),
                ObjectTarget::AverageValue(q) => format!("{name} {q}/pod"),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn behavior(m: &EffectiveModule<'_>, target: &Target) -> String {
    // KEDA's HPA runs the same controller (`hpa::trace::controller`).
    let keda = if m.backend == crate::profile::Backend::Keda {
        format!(
            " (KEDA: ScaledObject {0}, its HPA keda-hpa-{0})",
            crate::kinds::scaled_object::name(m.name)
        )
    } else {
        String::new()
    };
    let Some(b) = m.behavior.as_ref().map(Behavior::with_defaults) else {
        return format!(
            "none: legacy (up to max(2×, 4) per sync, 300s downscale stabilization){keda}"
        );
    };
    let t = trace::tolerances(m, target);
    let tolerance = |x: f64| {
        if (x - crate::hpa::metric::TOLERANCE).abs() < f64::EPSILON {
            String::new()
        } else {
            format!(", tolerance {x}")
        }
    };
    format!(
        "up {}{}; down {}{}{keda}",
        rules(&b.scale_up),
        tolerance(t.scale_up),
        rules(&b.scale_down),
        tolerance(t.scale_down)
    )
}

fn rules(r: &Rules) -> String {
    let select = match r.select {
        Select::Max => "Max",
        Select::Min => "Min",
        Select::Disabled => {
            return format!("disabled (window {}s)", r.stabilization_window_seconds);
        }
    };
    let policies: Vec<String> = r
        .policies
        .iter()
        .map(|p| {
            if p.percent {
                format!("{}%/{}s", p.value, p.period_seconds)
            } else {
                format!("{} pods/{}s", p.value, p.period_seconds)
            }
        })
        .collect();
    format!(
        "window {}s, {select}({})",
        r.stabilization_window_seconds,
        policies.join(", ")
    )
}

/// `count` pods of `resources` each.
fn resource(what: &str, count: i64, resources: &crate::profile::Resources) -> ResourceReport {
    ResourceReport {
        what: what.to_owned(),
        count,
        requests: list(&resources.requests),
        total_requests: total(&resources.requests, count),
        total_limits: total(&resources.limits, count),
    }
}

/// `    <what> <count> × (<requests>) = <total requests> / <total limits>`
fn resource_line(out: &mut String, r: &ResourceReport) {
    let _ = writeln!(
        out,
        "    {:<21}{:>3} × ({}) = {} / {}",
        r.what, r.count, r.requests, r.total_requests, r.total_limits
    );
}

fn list(l: &ResourceList) -> String {
    l.entries()
        .iter()
        .map(|(n, q)| format!("{} {q}", n.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `count ×` a resource list, in cores and GiB.
fn total(l: &ResourceList, count: i64) -> String {
    let mut parts = Vec::new();
    if let Some(cpu) = &l.cpu {
        parts.push(format!("{} cpu", trim(cpu.value() * count as f64)));
    }
    if let Some(memory) = &l.memory {
        parts.push(format!(
            "{}Gi",
            trim(memory.value() * count as f64 / 1024f64.powi(3))
        ));
    }
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(", ")
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// redis.conf memory units: `3gb` = 3 × 1024³ (Redis reads `gb` as GiB, `g` as 10⁹).
pub(crate) fn redis_bytes(text: &str) -> Option<f64> {
    let lower = text.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (n, unit) = lower.split_at(split);
    let n: f64 = n.parse().ok()?;
    let mult = match unit {
        "" | "b" => 1.0,
        "k" => 1e3,
        "kb" => 1024.0,
        "m" => 1e6,
        "mb" => 1024.0 * 1024.0,
        "g" => 1e9,
        "gb" => 1024f64.powi(3),
        _ => return None,
    };
    Some(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_units_follow_redis_conf() {
        assert_eq!(redis_bytes("3gb"), Some(3.0 * 1024f64.powi(3)));
        assert_eq!(redis_bytes("100mb"), Some(100.0 * 1024.0 * 1024.0));
        assert_eq!(redis_bytes("1g"), Some(1e9));
        assert_eq!(redis_bytes("lots"), None);
    }

    #[test]
    fn totals_in_cores_and_gib() {
        let l = ResourceList {
            cpu: Some(crate::quantity::Quantity::parse("500m").unwrap()),
            memory: Some(crate::quantity::Quantity::parse("1Gi").unwrap()),
        };
        assert_eq!(total(&l, 3), "1.5 cpu, 3Gi");
        assert_eq!(total(&ResourceList::default(), 3), "-");
    }
}

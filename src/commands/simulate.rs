//! `mplp-scale simulate`: replay a load trace through the HPA controller's algorithm.
//!
//! The trace is CSV: a header whose first column is `t`, then one column per metric of
//! the module (`cpu`/`memory` for resource metrics, the metric's name for pods and
//! object metrics). Each row is one HPA sync at `t` seconds. A resource column is the
//! total usage of all pods in percent of one pod's request; a pods column the total over
//! all pods; an object column the object's value. Cells are numbers or quantities
//! (`500m`); an empty cell means the metric was not available at that sync.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context as _, Result, bail};

use crate::ExitStatus;
use crate::cli::{OtherController, SimulateArgs, SimulateFormat};
use crate::effective::effective_module;
use crate::hpa::{Behavior, Controller, Observation, Target, seed_replicas};
use crate::profile::{Metric, ObjectTarget, ResourceTarget};
use crate::quantity::Quantity;

/// One metric column of the trace.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    target: Target,
}

/// One simulated sync.
#[derive(Debug, Clone)]
struct Row {
    t: i64,
    per_metric: Vec<Option<i64>>,
    desired: i64,
    replicas: i64,
    reason: &'static str,
    demand: f64,
    seed: Option<i64>,
}

pub fn simulate(
    args: &SimulateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    let trace_text = super::read_trace(&args.trace, &args.profile)?;
    let Some((_, profile)) = super::valid_profile(&args.profile, err)? else {
        return Ok(ExitStatus::Failure);
    };
    let region_name = match &args.region {
        Some(r) if profile.regions.contains_key(r) => r.clone(),
        Some(r) => bail!(super::unknown_region(&profile, r)),
        None => profile
            .regions
            .iter()
            .find(|(_, r)| r.primary)
            .map(|(n, _)| n.clone())
            .context("the profile has no primary region")?,
    };
    let region = &profile.regions[&region_name];
    let Some(module) = effective_module(&profile, region, &args.module) else {
        bail!(
            "unknown module `{}`: the profile's modules are {}",
            args.module,
            profile
                .modules
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let columns: Vec<Column> = module
        .metrics
        .iter()
        .map(|m| match m {
            Metric::Resource { name, target } => Column {
                name: name.as_str().to_owned(),
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
                target: Target::AverageValue(average_value.value()),
            },
            Metric::Object { name, target, .. } => Column {
                name: name.clone(),
                target: match target {
                    ObjectTarget::Value(q) => Target::Value(q.value()),
                    ObjectTarget::AverageValue(q) => Target::ObjectAverageValue(q.value()),
                },
            },
        })
        .collect();
    let trace = parse_trace(&trace_text, &columns)
        .with_context(|| format!("`{}` is not a usable trace", args.trace.display()))?;

    let start = args.replicas.unwrap_or(module.replicas.min);
    if start < 1 {
        bail!("--replicas must be at least 1");
    }
    let behavior = module.behavior.as_ref().map(Behavior::with_defaults);
    let mut controller = Controller::new(module.replicas.min, module.replicas.max, behavior, start);
    let mut rows = Vec::with_capacity(trace.len());
    for (t, values) in &trace {
        let current = controller.replicas;
        let observations: Vec<Observation> = columns
            .iter()
            .zip(values)
            .filter_map(|(c, v)| {
                v.map(|value| Observation {
                    target: c.target,
                    value,
                })
            })
            .collect();
        let per_metric = columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                v.map(|value| {
                    crate::hpa::metric_replicas(
                        current,
                        Observation {
                            target: c.target,
                            value,
                        },
                    )
                })
            })
            .collect();
        let demand = columns
            .iter()
            .zip(values)
            .filter_map(|(c, v)| v.map(|value| demand_in_pods(c.target, value, current)))
            .fold(0.0, f64::max);
        let seed = (args.controller == Some(OtherController::Seed)).then(|| {
            columns
                .iter()
                .zip(values)
                .filter_map(|(c, v)| {
                    v.map(|value| seed_replicas(value, target_per_replica(c.target)))
                })
                .max()
                .unwrap_or(2)
        });
        let step = controller.sync(*t, &observations);
        rows.push(Row {
            t: *t,
            per_metric,
            desired: step.desired,
            replicas: step.replicas,
            reason: step.reason,
            demand,
            seed,
        });
    }

    let output = match args.format {
        SimulateFormat::Csv => csv(&columns, &rows),
        SimulateFormat::Table => table(&columns, &rows),
        SimulateFormat::Svg => svg(
            &rows,
            module.replicas.min,
            module.replicas.max,
            &args.module,
            &region_name,
        ),
    };
    match &args.output {
        Some(path) => crate::emit::write_atomically(path, |w| Ok(w.write_all(output.as_bytes())?))?,
        None => out.write_all(output.as_bytes())?,
    }
    Ok(ExitStatus::Success)
}

/// Rows of (t, one value per column): checks the header names every metric.
fn parse_trace(text: &str, columns: &[Column]) -> Result<Vec<(i64, Vec<Option<f64>>)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((_, header)) = lines.next() else {
        bail!("it is empty: expected a header `t,{}`", names(columns));
    };
    let header: Vec<&str> = header.split(',').map(str::trim).collect();
    if header.first() != Some(&"t") {
        bail!(
            "line 1: the first column must be `t` (seconds), found `{}`",
            header.first().unwrap_or(&"")
        );
    }
    let mut index = Vec::with_capacity(columns.len());
    for c in columns {
        match header.iter().position(|h| *h == c.name) {
            Some(i) => index.push(i),
            None => bail!(
                "line 1: no column `{}`: expected the header `t,{}`",
                c.name,
                names(columns)
            ),
        }
    }
    for h in &header[1..] {
        if !columns.iter().any(|c| c.name == *h) {
            bail!(
                "line 1: column `{h}` is not a metric of this module: expected `t,{}`",
                names(columns)
            );
        }
    }
    let mut rows = Vec::new();
    let mut last = i64::MIN;
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            bail!(
                "line {}: {} cells, expected {}",
                n + 1,
                cells.len(),
                header.len()
            );
        }
        let t: i64 = cells[0].parse().with_context(|| {
            format!(
                "line {}: `t` is `{}`, expected whole seconds",
                n + 1,
                cells[0]
            )
        })?;
        if t <= last {
            bail!(
                "line {}: t = {t} is not after the previous row's {last}",
                n + 1
            );
        }
        last = t;
        let mut values = Vec::with_capacity(columns.len());
        for (c, &i) in columns.iter().zip(&index) {
            let cell = cells[i];
            if cell.is_empty() {
                values.push(None);
                continue;
            }
            let value = Quantity::parse(cell)
                .map_err(|e| anyhow::anyhow!("line {}, column `{}`: {e}", n + 1, c.name))?
                .value();
            if value < 0.0 || !value.is_finite() {
                bail!("line {}, column `{}`: `{cell}` is negative", n + 1, c.name);
            }
            values.push(Some(value));
        }
        rows.push((t, values));
    }
    if rows.is_empty() {
        bail!("no rows after the header");
    }
    Ok(rows)
}

fn names(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The demand a metric value means, in pods at the target (for the chart).
fn demand_in_pods(target: Target, value: f64, current: i64) -> f64 {
    match target {
        Target::Utilization(u) => value / u as f64,
        Target::AverageValue(t) | Target::ObjectAverageValue(t) => value / t,
        Target::Value(t) => value / t * current as f64,
    }
}

/// What one replica is meant to carry, for the seed's `load / target + 1`.
fn target_per_replica(target: Target) -> f64 {
    match target {
        Target::Utilization(u) => u as f64,
        Target::AverageValue(t) | Target::Value(t) | Target::ObjectAverageValue(t) => t,
    }
}

fn csv(columns: &[Column], rows: &[Row]) -> String {
    let mut out = String::from("t,desired,replicas,reason");
    for c in columns {
        let _ = write!(out, ",desired_{}", c.name);
    }
    if rows.first().is_some_and(|r| r.seed.is_some()) {
        out.push_str(",seed");
    }
    out.push('\n');
    for r in rows {
        let _ = write!(out, "{},{},{},{}", r.t, r.desired, r.replicas, r.reason);
        for m in &r.per_metric {
            let _ = write!(out, ",{}", m.map(|v| v.to_string()).unwrap_or_default());
        }
        if let Some(seed) = r.seed {
            let _ = write!(out, ",{seed}");
        }
        out.push('\n');
    }
    out
}

fn table(columns: &[Column], rows: &[Row]) -> String {
    let mut header: Vec<String> = ["t", "desired", "replicas", "reason"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(columns.iter().map(|c| format!("by {}", c.name)));
    let with_seed = rows.first().is_some_and(|r| r.seed.is_some());
    if with_seed {
        header.push("seed rule".to_owned());
    }
    let mut cells: Vec<Vec<String>> = vec![header];
    for r in rows {
        let mut line = vec![
            format!("{}s", r.t),
            r.desired.to_string(),
            r.replicas.to_string(),
            r.reason.to_owned(),
        ];
        line.extend(
            r.per_metric
                .iter()
                .map(|m| m.map_or("-".to_owned(), |v| v.to_string())),
        );
        if let Some(seed) = r.seed {
            line.push(seed.to_string());
        }
        cells.push(line);
    }
    let widths: Vec<usize> = (0..cells[0].len())
        .map(|i| {
            cells
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &cells {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            if i == 3 {
                let _ = write!(text, "{cell:<width$}", width = widths[i]);
            } else {
                let _ = write!(text, "{cell:>width$}", width = widths[i]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// A chart: demand (in pods at the target) and replicas over time, min and max marked.
#[allow(clippy::many_single_char_names)] // w, h, x, y: the chart's geometry
fn svg(rows: &[Row], min: i64, max: i64, module: &str, region: &str) -> String {
    let (w, h) = (900.0_f64, 420.0_f64);
    let (left, right, top, bottom) = (60.0, 20.0, 40.0, 50.0);
    let t0 = rows.first().map_or(0, |r| r.t) as f64;
    let t1 = (rows.last().map_or(1, |r| r.t) as f64).max(t0 + 1.0);
    let y_max = rows
        .iter()
        .map(|r| r.demand.max(r.replicas as f64).max(r.desired as f64))
        .fold(max as f64, f64::max)
        * 1.1;
    let x = |t: f64| left + (t - t0) / (t1 - t0) * (w - left - right);
    let y = |v: f64| top + (1.0 - v / y_max) * (h - top - bottom);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{left}" y="22" font-size="15">HPA mplp-{}-hpa in {}: demand and replicas</text>"#,
        xml(module),
        xml(region)
    );
    // Axes and gridlines.
    let ticks = 5;
    for i in 0..=ticks {
        let v = y_max / f64::from(ticks) * f64::from(i);
        let _ = writeln!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#eee"/><text x="{}" y="{:.1}" text-anchor="end">{v:.0}</text>"##,
            w - right,
            left - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    let _ = writeln!(
        out,
        r##"<line x1="{left}" x2="{left}" y1="{top}" y2="{}" stroke="#333"/><line x1="{left}" x2="{}" y1="{}" y2="{}" stroke="#333"/>"##,
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">time (s)</text>"#,
        (left + w - right) / 2.0,
        h - 12.0
    );
    for (i, r) in rows.iter().enumerate() {
        if rows.len() <= 12 || i % (rows.len() / 10).max(1) == 0 {
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x(r.t as f64),
                h - bottom + 16.0,
                r.t
            );
        }
    }
    // Min and max.
    for (v, label, colour) in [(min, "min", "#2a7"), (max, "max", "#c33")] {
        let _ = writeln!(
            out,
            r#"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="{colour}" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" fill="{colour}" text-anchor="end">{label} {v}</text>"#,
            w - right,
            w - right - 4.0,
            y(v as f64) - 4.0,
            yy = y(v as f64)
        );
    }
    // Demand (a line) and replicas (a step line).
    let demand: Vec<String> = rows
        .iter()
        .map(|r| format!("{:.1},{:.1}", x(r.t as f64), y(r.demand)))
        .collect();
    let _ = writeln!(
        out,
        r##"<polyline fill="none" stroke="#888" stroke-width="2" points="{}"/>"##,
        demand.join(" ")
    );
    let mut steps = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let yy = y(r.replicas as f64);
        steps.push(format!("{:.1},{yy:.1}", x(r.t as f64)));
        let next = rows.get(i + 1).map_or(r.t as f64, |n| n.t as f64);
        steps.push(format!("{:.1},{yy:.1}", x(next)));
    }
    let _ = writeln!(
        out,
        r##"<polyline fill="none" stroke="#1f5fbf" stroke-width="3" points="{}"/>"##,
        steps.join(" ")
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="{top}" fill="#1f5fbf">— replicas</text><text x="{}" y="{}" fill="#888">— demand (pods at the target)</text>"##,
        left + 10.0,
        left + 10.0,
        top + 16.0
    );
    out.push_str("</svg>\n");
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        vec![
            Column {
                name: "cpu".into(),
                target: Target::Utilization(70),
            },
            Column {
                name: "rps".into(),
                target: Target::AverageValue(100.0),
            },
        ]
    }

    #[test]
    fn traces_are_checked_with_line_numbers() {
        let rows = parse_trace("t,rps,cpu\n0,300,210\n15,,500m\n", &cols()).unwrap();
        assert_eq!(
            rows,
            vec![
                (0, vec![Some(210.0), Some(300.0)]),
                (15, vec![Some(0.5), None])
            ]
        );
        let err = |text: &str| format!("{:#}", parse_trace(text, &cols()).unwrap_err());
        assert!(err("").contains("empty"));
        assert!(err("time,cpu,rps\n").contains("first column must be `t`"));
        assert!(err("t,cpu\n0,1\n").contains("no column `rps`"));
        assert!(err("t,cpu,rps,mem\n").contains("column `mem` is not a metric"));
        assert!(err("t,cpu,rps\n0,1\n").contains("line 2: 2 cells"));
        assert!(err("t,cpu,rps\n15,1,1\n15,1,1\n").contains("line 3: t = 15 is not after"));
        assert!(err("t,cpu,rps\n0,lots,1\n").contains("line 2, column `cpu`"));
        assert!(err("t,cpu,rps\n").contains("no rows"));
    }
}

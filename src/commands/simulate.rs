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
use crate::hpa::Target;
use crate::hpa::metric::seed_replicas;
use crate::hpa::trace::{Column, Row, TraceRow, columns, controller, run};
use crate::quantity::Quantity;

pub(crate) fn simulate(
    args: &SimulateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus> {
    super::refuse_format_as_output(args.output.as_deref(), &["table", "csv", "svg"])?;
    // Every file read: the profiles (standard input's too), the trace.
    let mut inputs: Vec<crate::load::Input> = (args.profile.files.iter())
        .map(|f| crate::load::Input::from_arg(f))
        .collect();
    if args.profile.files.is_empty() {
        inputs.push(crate::load::Input::Path(super::init::DEFAULT_PATH.into()));
    }
    inputs.push(crate::load::Input::from_arg(&args.trace.to_string_lossy()));
    super::refuse_output_over_input(args.output.as_deref(), super::input_paths(&inputs))?;
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
    let columns = columns(module.metrics);
    let trace = parse_trace(&trace_text, &columns)
        .with_context(|| format!("`{}` is not a usable trace", args.trace.display()))?;

    // A module KEDA scales to zero starts at 1, where its HPA takes over.
    let start = args.replicas.unwrap_or(module.replicas.min.max(1));
    if start < 1 {
        bail!("--replicas must be at least 1");
    }
    let target = crate::target::Target::of(&profile);
    let rows = run(&mut controller(&module, start, &target), &columns, &trace);
    // The scaling guide's rule beside the HPA: `load / target + 1` over the metrics read.
    let seed: Option<Vec<i64>> = (args.controller == Some(OtherController::Seed)).then(|| {
        trace
            .iter()
            .map(|(_, values)| {
                columns
                    .iter()
                    .zip(values)
                    .filter_map(|(c, v)| {
                        v.map(|value| seed_replicas(value, target_per_replica(c.target)))
                    })
                    .max()
                    .unwrap_or(2)
            })
            .collect()
    });

    let output = match args.format {
        SimulateFormat::Csv => csv(&columns, &rows, seed.as_deref()),
        SimulateFormat::Table => table(&columns, &rows, seed.as_deref()),
        SimulateFormat::Svg => super::chart::svg(
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
fn parse_trace(text: &str, columns: &[Column]) -> Result<Vec<TraceRow>> {
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

/// What one replica is meant to carry, for the seed's `load / target + 1`.
fn target_per_replica(target: Target) -> f64 {
    match target {
        Target::Utilization(u) => u as f64,
        Target::AverageValue(t) | Target::Value(t) | Target::ObjectAverageValue(t) => t,
    }
}

fn csv(columns: &[Column], rows: &[Row], seed: Option<&[i64]>) -> String {
    let mut out = String::from("t,desired,replicas,reason");
    for c in columns {
        let _ = write!(out, ",desired_{}", c.name);
    }
    if seed.is_some() {
        out.push_str(",seed");
    }
    out.push('\n');
    for (i, r) in rows.iter().enumerate() {
        let desired = r.desired.map(|d| d.to_string()).unwrap_or_default();
        let _ = write!(out, "{},{desired},{},{}", r.t, r.replicas, r.reason);
        for m in &r.per_metric {
            let _ = write!(out, ",{}", m.map(|v| v.to_string()).unwrap_or_default());
        }
        if let Some(seed) = seed.and_then(|s| s.get(i)) {
            let _ = write!(out, ",{seed}");
        }
        out.push('\n');
    }
    out
}

fn table(columns: &[Column], rows: &[Row], seed: Option<&[i64]>) -> String {
    let mut header: Vec<String> = ["t", "desired", "replicas", "reason"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(columns.iter().map(|c| format!("by {}", c.name)));
    if seed.is_some() {
        header.push("seed rule".to_owned());
    }
    let mut cells: Vec<Vec<String>> = vec![header];
    for (i, r) in rows.iter().enumerate() {
        let mut line = vec![
            format!("{}s", r.t),
            r.desired.map_or("-".to_owned(), |d| d.to_string()),
            r.replicas.to_string(),
            r.reason.to_owned(),
        ];
        line.extend(
            r.per_metric
                .iter()
                .map(|m| m.map_or("-".to_owned(), |v| v.to_string())),
        );
        if let Some(seed) = seed.and_then(|s| s.get(i)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        vec![
            Column {
                name: "cpu".into(),
                source: crate::hpa::Source::Resource,
                target: Target::Utilization(70),
            },
            Column {
                name: "rps".into(),
                source: crate::hpa::Source::Pods,
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

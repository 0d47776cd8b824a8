//! `simulate --format svg`: demand and replicas over time, as a chart a person can read.
//!
//! The y axis runs from 0 to a round value at or above the module's maximum, the
//! replicas shown and the demand, where demand is clipped at twice the maximum (the
//! chart is about what the HPA does; a spike to 150 pods on a 10-pod module would
//! flatten everything else): the clipped part is drawn along the top edge and the
//! legend gives the peak. Ticks are round (1, 2 or 5 × 10ⁿ pods; 15 s to hours), and
//! the min and max labels sit right of the plot, moved apart when they would touch.

use std::fmt::Write as _;

use crate::hpa::trace::Row;

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 84.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 50.0;
/// Label height in pixels: two labels closer than this overlap.
const LINE: f64 = 14.0;

/// A round step (1, 2 or 5 × 10ⁿ, at least 1) that cuts `span` into at most `ticks` parts.
fn round_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A round time step, in seconds, that cuts `span` into at most ten parts.
fn time_step(span: f64) -> f64 {
    const STEPS: &[f64] = &[
        15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0,
        86400.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= 10.0)
        .unwrap_or_else(|| round_step(span, 10.0))
}

/// The y axis: its top and its step.
fn y_axis(rows: &[Row], max: i64) -> (f64, f64, f64) {
    let replicas = rows.iter().map(|r| r.replicas).max().unwrap_or(0);
    let demand = rows.iter().filter_map(|r| r.demand).fold(0.0, f64::max);
    let clip = (2 * max).max(replicas) as f64;
    let highest = (max.max(replicas) as f64).max(demand.min(clip)).max(1.0);
    let step = round_step(highest, 6.0);
    ((highest / step).ceil() * step, step, demand)
}

/// The chart of one simulation.
#[must_use]
#[allow(clippy::many_single_char_names)] // x, y: the chart's geometry
pub(crate) fn svg(rows: &[Row], min: i64, max: i64, module: &str, region: &str) -> String {
    let (w, h) = (WIDTH, HEIGHT);
    let (plot_right, plot_bottom) = (w - RIGHT, h - BOTTOM);
    let t0 = rows.first().map_or(0, |r| r.t) as f64;
    let t1 = (rows.last().map_or(1, |r| r.t) as f64).max(t0 + 1.0);
    let (top, step, peak) = y_axis(rows, max);
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (plot_right - LEFT);
    let y = |v: f64| TOP + (1.0 - v.min(top) / top) * (plot_bottom - TOP);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="22" font-size="15">HPA mplp-{}-hpa in {}: demand and replicas</text>"#,
        xml(module),
        xml(region)
    );
    // Horizontal gridlines at round pod counts.
    let mut v = 0.0;
    while v <= top + 0.5 {
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" x2="{plot_right}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e6e6e6"/><text x="{}" y="{:.1}" text-anchor="end">{v}</text>"##,
            LEFT - 6.0,
            y(v) + 4.0,
            yy = y(v)
        );
        v += step;
    }
    // Time ticks at round seconds.
    let t_step = time_step(t1 - t0);
    let mut t = (t0 / t_step).ceil() * t_step;
    while t <= t1 + 0.5 {
        let _ = writeln!(
            out,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{plot_bottom}" y2="{}" stroke="#333"/><text x="{xx:.1}" y="{}" text-anchor="middle">{t}</text>"##,
            plot_bottom + 4.0,
            plot_bottom + 17.0,
            xx = x(t)
        );
        t += t_step;
    }
    let _ = writeln!(
        out,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{plot_bottom}" stroke="#333"/><line x1="{LEFT}" x2="{plot_right}" y1="{plot_bottom}" y2="{plot_bottom}" stroke="#333"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">time (s)</text><text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">pods</text>"#,
        f64::midpoint(LEFT, plot_right),
        h - 12.0,
        f64::midpoint(TOP, plot_bottom),
        f64::midpoint(TOP, plot_bottom)
    );
    bounds(&mut out, min, max, &y, plot_right);
    lines(&mut out, rows, &x, &y);
    legend(&mut out, peak, top);
    out.push_str("</svg>\n");
    out
}

/// The min and max lines, labelled right of the plot, apart when they would touch.
fn bounds(out: &mut String, min: i64, max: i64, y: &dyn Fn(f64) -> f64, plot_right: f64) {
    let (y_min, y_max) = (y(min as f64), y(max as f64));
    let (mut label_min, mut label_max) = (y_min + 4.0, y_max + 4.0);
    if label_min - label_max < LINE {
        let middle = f64::midpoint(label_min, label_max);
        label_min = middle + LINE / 2.0;
        label_max = middle - LINE / 2.0;
    }
    for (v, yy, label_y, label, colour) in [
        (min, y_min, label_min, "min", "#2a7"),
        (max, y_max, label_max, "max", "#c33"),
    ] {
        let _ = writeln!(
            out,
            r#"<line x1="{LEFT}" x2="{plot_right}" y1="{yy:.1}" y2="{yy:.1}" stroke="{colour}" stroke-dasharray="6 4"/><text x="{}" y="{label_y:.1}" fill="{colour}">{label} {v}</text>"#,
            plot_right + 6.0,
        );
    }
}

/// Demand (a line, broken where no metric was read) and replicas (a step line).
fn lines(out: &mut String, rows: &[Row], x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) {
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for r in rows {
        match r.demand {
            Some(d) => segments.last_mut().expect("never empty").push(format!(
                "{:.1},{:.1}",
                x(r.t as f64),
                y(d)
            )),
            None => segments.push(Vec::new()),
        }
    }
    for points in segments.iter().filter(|s| !s.is_empty()) {
        let _ = writeln!(
            out,
            r##"<polyline fill="none" stroke="#888" stroke-width="2" points="{}"/>"##,
            points.join(" ")
        );
    }
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
}

/// The legend, above the plot; it says when demand was clipped, and its peak.
fn legend(out: &mut String, peak: f64, top: f64) {
    let clipped = if peak > top {
        format!(" (clipped at {top}; peak {peak:.0})")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="40" y2="40" stroke="#1f5fbf" stroke-width="3"/><text x="{}" y="44">replicas</text><line x1="{}" x2="{}" y1="40" y2="40" stroke="#888" stroke-width="2"/><text x="{}" y="44">demand, in pods at the target{clipped}</text>"##,
        LEFT + 20.0,
        LEFT + 26.0,
        LEFT + 100.0,
        LEFT + 120.0,
        LEFT + 126.0,
    );
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

    #[test]
    #[allow(clippy::float_cmp)] // round steps are exact
    fn steps_are_round() {
        assert_eq!(round_step(10.0, 6.0), 2.0);
        assert_eq!(round_step(20.0, 6.0), 5.0);
        assert_eq!(round_step(1572.0, 6.0), 500.0);
        assert_eq!(round_step(3.0, 6.0), 1.0);
        assert_eq!(time_step(60.0), 15.0);
        assert_eq!(time_step(705.0), 120.0);
        assert_eq!(time_step(7200.0), 900.0);
    }
}

//! Time series as lines, or stacked as filled areas (for cumulative shares).

use super::frame::{
    category_axis, check_size, no_data, title_and_legend, value_axis, LegendSwatch, PlotArea,
};
use crate::axis::{datetime_ticks, duration_ticks, format_value, value_ticks, LinearScale};
use crate::colour::series_colour;
use crate::error::DrawingError;
use crate::svg::{escape, open_root, push_number};
use std::fmt::Write;

/// What the horizontal axis of a line chart measures.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum XAxis {
    /// Plain numbers, ticked at nice steps.
    #[default]
    Number,
    /// Seconds from the start of a simulation, labelled `hours:minutes`.
    SimulationTime,
    /// Seconds since 1970-01-01 00:00 in local time, labelled by calendar.
    DateTime,
}

/// One named line of (x, y) points; a non-finite y leaves a gap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// Points in the caller's units, in increasing x.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series from a name and its points.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// A chart of one or more series against x.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Id of the root element (unique on the page); prefixes inner ids.
    pub id: String,
    /// Title, shown above the chart and read by screen readers.
    pub title: String,
    /// Longer description for screen readers.
    pub description: Option<String>,
    /// Width in SVG user units (pixels at 100 %).
    pub width: f64,
    /// Height in SVG user units.
    pub height: f64,
    /// What x measures.
    pub x_axis: XAxis,
    /// Label under the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis, with its unit (for example `Pressure (m)`).
    pub y_label: String,
    /// Unit written after values in tooltips (for example `m`).
    pub unit: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Stack the series on one another as filled areas; every series must then have the
    /// same x values as the first.
    pub stacked: bool,
    /// Start the vertical axis at zero even if every value is far above it.
    pub y_from_zero: bool,
    /// Horizontal reference lines (a limit, a plan): value and label.
    pub thresholds: Vec<(f64, String)>,
    /// A vertical marker (the time a map shows): x and label.
    pub marker: Option<(f64, String)>,
    /// Text in an empty plot.
    pub empty_note: String,
}

impl LineChart {
    /// A chart with this id and title, 640 × 320, no series yet.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> LineChart {
        LineChart {
            id: id.into(),
            title: title.into(),
            description: None,
            width: 640.0,
            height: 320.0,
            x_axis: XAxis::Number,
            x_label: String::new(),
            y_label: String::new(),
            unit: String::new(),
            series: Vec::new(),
            stacked: false,
            y_from_zero: false,
            thresholds: Vec::new(),
            marker: None,
            empty_note: "no data".to_string(),
        }
    }
}

/// Most points drawn with their own hover circle; longer series are drawn as a line only.
const MAX_POINT_MARKS: usize = 120;

/// Draws a line chart (or stacked area chart) as an SVG string.
pub fn line_chart(chart: &LineChart) -> Result<String, DrawingError> {
    check_size(chart.width, chart.height)?;
    // Stacked areas add the series up point by point.
    let mut layers: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    if chart.stacked {
        let base = chart.series.first().map(|s| s.points.len()).unwrap_or(0);
        let mut running = vec![0.0; base];
        for series in &chart.series {
            if series.points.len() != base {
                return Err(DrawingError::LengthMismatch {
                    what: format!("series \"{}\"", series.name),
                    expected: base,
                    found: series.points.len(),
                });
            }
            let layer = series
                .points
                .iter()
                .zip(running.iter_mut())
                .map(|(&(x, y), sum)| {
                    let low = *sum;
                    if y.is_finite() {
                        *sum += y;
                    }
                    (x, low, *sum)
                })
                .collect();
            layers.push(layer);
        }
    }

    let mut x_low = f64::INFINITY;
    let mut x_high = f64::NEG_INFINITY;
    let mut y_low = f64::INFINITY;
    let mut y_high = f64::NEG_INFINITY;
    for series in &chart.series {
        for &(x, y) in &series.points {
            if x.is_finite() {
                x_low = x_low.min(x);
                x_high = x_high.max(x);
            }
            if y.is_finite() && !chart.stacked {
                y_low = y_low.min(y);
                y_high = y_high.max(y);
            }
        }
    }
    for layer in &layers {
        for &(_, low, high) in layer {
            y_low = y_low.min(low);
            y_high = y_high.max(high);
        }
    }
    for (value, _) in &chart.thresholds {
        if value.is_finite() {
            y_low = y_low.min(*value);
            y_high = y_high.max(*value);
        }
    }
    let has_data = x_low.is_finite() && y_low.is_finite();
    if !has_data {
        (x_low, x_high, y_low, y_high) = (0.0, 1.0, 0.0, 1.0);
    }
    if chart.y_from_zero || chart.stacked {
        y_low = y_low.min(0.0);
        y_high = y_high.max(0.0);
    }

    let mut out = String::with_capacity(4096);
    open_root(
        &mut out,
        &chart.id,
        "dj-chart dj-line-chart",
        chart.width,
        chart.height,
        &chart.title,
        chart.description.as_deref(),
    );
    let entries: Vec<(String, String, String)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.name.clone(),
                format!("dj-series-{i}"),
                series_colour(i).to_string(),
            )
        })
        .collect();
    let swatch = if chart.stacked {
        LegendSwatch::Block
    } else {
        LegendSwatch::Line
    };
    let top = title_and_legend(&mut out, chart.width, &chart.title, &entries, swatch);
    let vertical_ticks = ((chart.height - top - 40.0) / 40.0).clamp(2.0, 10.0) as usize;
    let (y_start, y_end, y_ticks) = value_ticks(y_low, y_high, vertical_ticks);
    let widest_label = y_ticks
        .iter()
        .map(|t| super::text_width(&t.label, 12.0))
        .fold(0.0, f64::max);
    let area = PlotArea {
        left: (widest_label + 34.0).max(48.0),
        top: top + 4.0,
        right: chart.width - 16.0,
        bottom: chart.height - if chart.x_label.is_empty() { 26.0 } else { 42.0 },
    };
    let x_scale = LinearScale {
        domain_start: x_low,
        domain_end: x_high,
        range_start: area.left,
        range_end: area.right,
    };
    let y_scale = LinearScale {
        domain_start: y_start,
        domain_end: y_end,
        range_start: area.bottom,
        range_end: area.top,
    };
    value_axis(&mut out, area, &y_ticks, |v| y_scale.map(v), &chart.y_label);
    let horizontal_ticks = ((area.right - area.left) / 90.0).clamp(2.0, 12.0) as usize;
    let x_ticks: Vec<(f64, String)> = match chart.x_axis {
        XAxis::Number => value_ticks(x_low, x_high, horizontal_ticks)
            .2
            .into_iter()
            .filter(|t| t.value >= x_low - 1e-9 && t.value <= x_high + 1e-9)
            .map(|t| (x_scale.map(t.value), t.label))
            .collect(),
        XAxis::SimulationTime => duration_ticks(x_low, x_high, horizontal_ticks)
            .into_iter()
            .map(|t| (x_scale.map(t.value), t.label))
            .collect(),
        XAxis::DateTime => datetime_ticks(x_low, x_high, horizontal_ticks)
            .into_iter()
            .map(|t| (x_scale.map(t.value), t.label))
            .collect(),
    };
    category_axis(&mut out, area, &x_ticks, &chart.x_label);

    if !has_data {
        no_data(&mut out, area, &chart.empty_note);
    }

    let _ = write!(out, "<g class=\"dj-plot\">");
    if chart.stacked {
        for (i, (layer, series)) in layers.iter().zip(&chart.series).enumerate() {
            if layer.is_empty() {
                continue;
            }
            let mut d = String::with_capacity(layer.len() * 24);
            for (k, &(x, _, high)) in layer.iter().enumerate() {
                d.push(if k == 0 { 'M' } else { 'L' });
                push_number(&mut d, x_scale.map(x), 1);
                d.push(' ');
                push_number(&mut d, y_scale.map(high), 1);
            }
            for &(x, low, _) in layer.iter().rev() {
                d.push('L');
                push_number(&mut d, x_scale.map(x), 1);
                d.push(' ');
                push_number(&mut d, y_scale.map(low), 1);
            }
            d.push('Z');
            let last = layer.last().map(|p| p.2 - p.1).unwrap_or(0.0);
            let _ = write!(
                out,
                "<path class=\"dj-area dj-series-{i}\" d=\"{d}\" fill=\"{}\" fill-opacity=\"0.85\">\
                 <title>{}: {} {}</title></path>",
                series_colour(i),
                escape(&series.name),
                format_value(last, value_decimals(last)),
                escape(&chart.unit)
            );
        }
    } else {
        for (i, series) in chart.series.iter().enumerate() {
            let mut d = String::with_capacity(series.points.len() * 16);
            let mut pen_down = false;
            for &(x, y) in &series.points {
                if !(x.is_finite() && y.is_finite()) {
                    pen_down = false;
                    continue;
                }
                d.push(if pen_down { 'L' } else { 'M' });
                push_number(&mut d, x_scale.map(x), 1);
                d.push(' ');
                push_number(&mut d, y_scale.map(y), 1);
                pen_down = true;
            }
            let colour = series_colour(i);
            let _ = write!(
                out,
                "<g class=\"dj-series dj-series-{i}\"><path class=\"dj-line\" d=\"{d}\" fill=\"none\" \
                 stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>"
            );
            if series.points.len() <= MAX_POINT_MARKS {
                for &(x, y) in series
                    .points
                    .iter()
                    .filter(|p| p.0.is_finite() && p.1.is_finite())
                {
                    let _ = write!(
                        out,
                        "<circle class=\"dj-point\" cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{colour}\">\
                         <title>{}: {} {}</title></circle>",
                        crate::svg::number(x_scale.map(x), 1),
                        crate::svg::number(y_scale.map(y), 1),
                        escape(&series.name),
                        format_value(y, value_decimals(y)),
                        escape(&chart.unit)
                    );
                }
            }
            out.push_str("</g>");
        }
    }
    for (value, label) in &chart.thresholds {
        if !value.is_finite() {
            continue;
        }
        let y = y_scale.map(*value);
        let _ = write!(
            out,
            "<g class=\"dj-threshold\"><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#c00\" \
             stroke-dasharray=\"6 3\"/>",
            crate::svg::number(area.left, 1),
            crate::svg::number(area.right, 1),
            y = crate::svg::number(y, 1)
        );
        crate::svg::text(
            &mut out,
            area.right - 4.0,
            y - 4.0,
            "dj-threshold-label",
            "end",
            label,
        );
        out.push_str("</g>");
    }
    if let Some((x, label)) = &chart.marker {
        if x.is_finite() {
            let px = x_scale.map(*x);
            let _ = write!(
                out,
                "<g class=\"dj-marker\"><line x1=\"{px}\" y1=\"{}\" x2=\"{px}\" y2=\"{}\" stroke=\"#333\" \
                 stroke-dasharray=\"3 3\"/>",
                crate::svg::number(area.top, 1),
                crate::svg::number(area.bottom, 1),
                px = crate::svg::number(px, 1)
            );
            crate::svg::text(
                &mut out,
                px + 4.0,
                area.top + 12.0,
                "dj-marker-label",
                "start",
                label,
            );
            out.push_str("</g>");
        }
    }
    out.push_str("</g></svg>");
    Ok(out)
}

/// Decimals for a value in a tooltip: about three significant digits, none for large values.
pub(crate) fn value_decimals(value: f64) -> usize {
    let magnitude = value.abs();
    if !(magnitude.is_finite()) || magnitude >= 100.0 || magnitude == 0.0 {
        0
    } else {
        (2.0 - magnitude.log10().floor()).clamp(0.0, 6.0) as usize
    }
}

//! Bars per category (months, plants), side by side or stacked, with an optional plan drawn
//! as a mark across each category.

use super::frame::{
    category_axis, check_size, no_data, title_and_legend, value_axis, LegendSwatch, PlotArea,
};
use super::line::value_decimals;
use crate::axis::{format_value, value_ticks, LinearScale};
use crate::colour::series_colour;
use crate::error::DrawingError;
use crate::svg::{escape, number, open_root};
use std::fmt::Write;

/// How several series share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarMode {
    /// Side by side.
    #[default]
    Grouped,
    /// On top of one another (negative values stack downwards).
    Stacked,
}

/// One named set of bars, a value per category (non-finite: no bar).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarSeries {
    /// Shown in the legend.
    pub name: String,
    /// One value per category, in the chart's unit.
    pub values: Vec<f64>,
}

impl BarSeries {
    /// A series from a name and its values.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> BarSeries {
        BarSeries {
            name: name.into(),
            values,
        }
    }
}

/// A bar chart over named categories.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Id of the root element (unique on the page).
    pub id: String,
    /// Title, shown and read by screen readers.
    pub title: String,
    /// Longer description for screen readers.
    pub description: Option<String>,
    /// Width in SVG user units.
    pub width: f64,
    /// Height in SVG user units.
    pub height: f64,
    /// Category labels along the bottom (for example `2020-01`).
    pub categories: Vec<String>,
    /// The bars.
    pub series: Vec<BarSeries>,
    /// Side by side or stacked.
    pub mode: BarMode,
    /// A plan to compare against: its name and one value per category (non-finite: none).
    pub plan: Option<BarSeries>,
    /// Label under the categories.
    pub x_label: String,
    /// Label of the value axis with its unit.
    pub y_label: String,
    /// Unit written after values in tooltips.
    pub unit: String,
    /// Text in an empty plot.
    pub empty_note: String,
}

impl BarChart {
    /// A chart with this id and title, 640 × 320, no data yet.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> BarChart {
        BarChart {
            id: id.into(),
            title: title.into(),
            description: None,
            width: 640.0,
            height: 320.0,
            categories: Vec::new(),
            series: Vec::new(),
            mode: BarMode::Grouped,
            plan: None,
            x_label: String::new(),
            y_label: String::new(),
            unit: String::new(),
            empty_note: "no data".to_string(),
        }
    }
}

/// Draws a bar chart as an SVG string.
pub fn bar_chart(chart: &BarChart) -> Result<String, DrawingError> {
    check_size(chart.width, chart.height)?;
    let n = chart.categories.len();
    for series in chart.series.iter().chain(chart.plan.iter()) {
        if series.values.len() != n {
            return Err(DrawingError::LengthMismatch {
                what: format!("series \"{}\"", series.name),
                expected: n,
                found: series.values.len(),
            });
        }
    }
    // Extent of the bars (stacks add up) and of the plan.
    let mut low: f64 = 0.0;
    let mut high: f64 = 0.0;
    let mut any = false;
    for c in 0..n {
        let mut up = 0.0;
        let mut down = 0.0;
        for series in &chart.series {
            let v = series.values[c];
            if !v.is_finite() {
                continue;
            }
            any = true;
            match chart.mode {
                BarMode::Stacked if v >= 0.0 => up += v,
                BarMode::Stacked => down += v,
                BarMode::Grouped => {
                    up = f64::max(up, v);
                    down = f64::min(down, v);
                }
            }
        }
        if let Some(plan) = &chart.plan {
            let v = plan.values[c];
            if v.is_finite() {
                any = true;
                up = f64::max(up, v);
                down = f64::min(down, v);
            }
        }
        high = high.max(up);
        low = low.min(down);
    }
    if !any {
        high = 1.0;
    }

    let mut out = String::with_capacity(4096);
    open_root(
        &mut out,
        &chart.id,
        "dj-chart dj-bar-chart",
        chart.width,
        chart.height,
        &chart.title,
        chart.description.as_deref(),
    );
    let mut entries: Vec<(String, String, String)> = chart
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
    if let Some(plan) = &chart.plan {
        entries.push((plan.name.clone(), "dj-plan".to_string(), "#222".to_string()));
    }
    let top = title_and_legend(
        &mut out,
        chart.width,
        &chart.title,
        &entries,
        LegendSwatch::Block,
    );
    let vertical_ticks = ((chart.height - top - 40.0) / 40.0).clamp(2.0, 10.0) as usize;
    let (y_start, y_end, ticks) = value_ticks(low, high, vertical_ticks);
    let widest_label = ticks
        .iter()
        .map(|t| super::text_width(&t.label, 12.0))
        .fold(0.0, f64::max);
    let area = PlotArea {
        left: (widest_label + 34.0).max(48.0),
        top: top + 4.0,
        right: chart.width - 16.0,
        bottom: chart.height - if chart.x_label.is_empty() { 26.0 } else { 42.0 },
    };
    let y = LinearScale {
        domain_start: y_start,
        domain_end: y_end,
        range_start: area.bottom,
        range_end: area.top,
    };
    value_axis(&mut out, area, &ticks, |v| y.map(v), &chart.y_label);
    let band = (area.right - area.left) / n.max(1) as f64;
    let centres: Vec<(f64, String)> = chart
        .categories
        .iter()
        .enumerate()
        .map(|(c, label)| (area.left + band * (c as f64 + 0.5), label.clone()))
        .collect();
    category_axis(&mut out, area, &centres, &chart.x_label);
    if !any {
        no_data(&mut out, area, &chart.empty_note);
    }

    out.push_str("<g class=\"dj-plot\">");
    let inner = band * 0.8;
    let slots = match chart.mode {
        BarMode::Grouped => chart.series.len().max(1),
        BarMode::Stacked => 1,
    };
    let bar_width = inner / slots as f64;
    for (i, series) in chart.series.iter().enumerate() {
        let _ = write!(
            out,
            "<g class=\"dj-series dj-series-{i}\" fill=\"{}\">",
            series_colour(i)
        );
        for c in 0..n {
            let v = series.values[c];
            if !v.is_finite() {
                continue;
            }
            let (x, base) = match chart.mode {
                BarMode::Grouped => (
                    area.left + band * c as f64 + band * 0.1 + bar_width * i as f64,
                    0.0,
                ),
                BarMode::Stacked => {
                    // Start where the earlier series of this category ended, on the same side.
                    let base: f64 = chart.series[..i]
                        .iter()
                        .map(|s| s.values[c])
                        .filter(|w| w.is_finite() && (*w >= 0.0) == (v >= 0.0))
                        .sum();
                    (area.left + band * c as f64 + band * 0.1, base)
                }
            };
            let y0 = y.map(base);
            let y1 = y.map(base + v);
            let _ = write!(
                out,
                "<rect class=\"dj-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\
                 <title>{} {}: {} {}</title></rect>",
                number(x, 1),
                number(y0.min(y1), 1),
                number(bar_width.max(0.5), 1),
                number((y0 - y1).abs(), 1),
                escape(&series.name),
                escape(&chart.categories[c]),
                format_value(v, value_decimals(v)),
                escape(&chart.unit)
            );
        }
        out.push_str("</g>");
    }
    if let Some(plan) = &chart.plan {
        out.push_str("<g class=\"dj-plan\" stroke=\"#222\" stroke-width=\"2.5\">");
        for c in 0..n {
            let v = plan.values[c];
            if !v.is_finite() {
                continue;
            }
            let py = number(y.map(v), 1);
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{py}\" x2=\"{}\" y2=\"{py}\"><title>{} {}: {} {}</title></line>",
                number(area.left + band * c as f64 + band * 0.04, 1),
                number(area.left + band * (c as f64 + 1.0) - band * 0.04, 1),
                escape(&plan.name),
                escape(&chart.categories[c]),
                format_value(v, value_decimals(v)),
                escape(&chart.unit)
            );
        }
        out.push_str("</g>");
    }
    if y_start < 0.0 {
        let zero = number(y.map(0.0), 1);
        let _ = write!(
            out,
            "<line class=\"dj-zero\" x1=\"{}\" y1=\"{zero}\" x2=\"{}\" y2=\"{zero}\" stroke=\"#666\"/>",
            number(area.left, 1),
            number(area.right, 1)
        );
    }
    out.push_str("</g></svg>");
    Ok(out)
}

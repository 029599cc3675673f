//! Shares of a whole as a ring (for example cumulative supply: domestic against ecological).

use super::frame::check_size;
use super::line::value_decimals;
use crate::axis::format_value;
use crate::colour::series_colour;
use crate::error::DrawingError;
use crate::svg::{escape, number, open_root, text};
use std::f64::consts::PI;
use std::fmt::Write;

/// One part of the whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Slice {
    /// Shown in the legend.
    pub name: String,
    /// Its amount, in the chart's unit; zero, negative and non-finite amounts get no arc.
    pub value: f64,
}

impl Slice {
    /// A slice from a name and its amount.
    pub fn new(name: impl Into<String>, value: f64) -> Slice {
        Slice {
            name: name.into(),
            value,
        }
    }
}

/// A donut chart: slices around a ring, the total in the middle, a legend with shares.
#[derive(Debug, Clone, PartialEq)]
pub struct DonutChart {
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
    /// The parts.
    pub slices: Vec<Slice>,
    /// Unit of the amounts (for example `亿 m³`).
    pub unit: String,
    /// Label under the total in the middle (for example `total`).
    pub total_label: String,
}

impl DonutChart {
    /// A chart with this id and title, 360 × 240, no slices yet.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> DonutChart {
        DonutChart {
            id: id.into(),
            title: title.into(),
            description: None,
            width: 360.0,
            height: 240.0,
            slices: Vec::new(),
            unit: String::new(),
            total_label: "total".to_string(),
        }
    }
}

/// Draws a donut chart as an SVG string.
pub fn donut_chart(chart: &DonutChart) -> Result<String, DrawingError> {
    check_size(chart.width, chart.height)?;
    let amount = |s: &Slice| {
        if s.value.is_finite() && s.value > 0.0 {
            s.value
        } else {
            0.0
        }
    };
    let total: f64 = chart.slices.iter().map(amount).sum();
    let mut out = String::with_capacity(2048);
    open_root(
        &mut out,
        &chart.id,
        "dj-chart dj-donut-chart",
        chart.width,
        chart.height,
        &chart.title,
        chart.description.as_deref(),
    );
    text(
        &mut out,
        chart.width / 2.0,
        16.0,
        "dj-chart-title",
        "middle",
        &chart.title,
    );
    // The ring on the left two thirds, the legend on the right.
    let radius = ((chart.height - 36.0) / 2.0)
        .min(chart.width * 0.3)
        .max(10.0);
    let cx = 12.0 + radius;
    let cy = 26.0 + (chart.height - 26.0) / 2.0;
    let hole = radius * 0.58;
    out.push_str("<g class=\"dj-plot\">");
    if total <= 0.0 {
        let _ = write!(
            out,
            "<circle class=\"dj-empty-ring\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"#ddd\" stroke-width=\"{}\"/>",
            number(cx, 1),
            number(cy, 1),
            number((radius + hole) / 2.0, 1),
            number(radius - hole, 1)
        );
    }
    let mut angle = -PI / 2.0;
    for (i, slice) in chart.slices.iter().enumerate() {
        let value = amount(slice);
        if value <= 0.0 || total <= 0.0 {
            continue;
        }
        let share = value / total;
        let colour = series_colour(i);
        let label = format!(
            "{}: {} {} ({:.1} %)",
            slice.name,
            format_value(value, value_decimals(value)),
            chart.unit,
            share * 100.0
        );
        if share >= 0.999_999 {
            // A full ring cannot be one arc: draw it as a circle with a thick stroke.
            let _ = write!(
                out,
                "<circle class=\"dj-slice dj-series-{i}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" \
                 stroke=\"{colour}\" stroke-width=\"{}\"><title>{}</title></circle>",
                number(cx, 1),
                number(cy, 1),
                number((radius + hole) / 2.0, 1),
                number(radius - hole, 1),
                escape(&label)
            );
            angle += 2.0 * PI;
            continue;
        }
        let end = angle + share * 2.0 * PI;
        let large = if share > 0.5 { 1 } else { 0 };
        let point = |r: f64, a: f64| (cx + r * a.cos(), cy + r * a.sin());
        let (x0, y0) = point(radius, angle);
        let (x1, y1) = point(radius, end);
        let (x2, y2) = point(hole, end);
        let (x3, y3) = point(hole, angle);
        let _ = write!(
            out,
            "<path class=\"dj-slice dj-series-{i}\" fill=\"{colour}\" d=\"M{} {}A{r} {r} 0 {large} 1 {} {}L{} {}A{h} {h} 0 {large} 0 {} {}Z\">\
             <title>{}</title></path>",
            number(x0, 2),
            number(y0, 2),
            number(x1, 2),
            number(y1, 2),
            number(x2, 2),
            number(y2, 2),
            number(x3, 2),
            number(y3, 2),
            escape(&label),
            r = number(radius, 2),
            h = number(hole, 2),
        );
        angle = end;
    }
    text(
        &mut out,
        cx,
        cy + 2.0,
        "dj-donut-total",
        "middle",
        &format!(
            "{} {}",
            format_value(total, value_decimals(total)),
            chart.unit
        ),
    );
    text(
        &mut out,
        cx,
        cy + 18.0,
        "dj-donut-total-label",
        "middle",
        &chart.total_label,
    );
    out.push_str("</g><g class=\"dj-legend\">");
    let legend_x = cx + radius + 20.0;
    for (i, slice) in chart.slices.iter().enumerate() {
        let y = 48.0 + i as f64 * 22.0;
        let share = if total > 0.0 {
            amount(slice) / total * 100.0
        } else {
            0.0
        };
        let _ = write!(
            out,
            "<g class=\"dj-legend-item dj-series-{i}\"><rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>",
            number(legend_x, 1),
            number(y - 10.0, 1),
            series_colour(i)
        );
        text(
            &mut out,
            legend_x + 18.0,
            y,
            "dj-legend-label",
            "start",
            &format!("{} {:.1} %", slice.name, share),
        );
        out.push_str("</g>");
    }
    out.push_str("</g></svg>");
    Ok(out)
}

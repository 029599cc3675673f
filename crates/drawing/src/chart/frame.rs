//! What every chart with axes shares: size checks, the plot area, the legend row, the axes.

use super::text_width;
use crate::axis::Tick;
use crate::error::DrawingError;
use crate::svg::{escape, number, text};
use std::fmt::Write;

/// The plot area inside a chart, in SVG user units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlotArea {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

pub(crate) fn check_size(width: f64, height: f64) -> Result<(), DrawingError> {
    if width.is_finite() && height.is_finite() && width >= 60.0 && height >= 60.0 {
        Ok(())
    } else {
        Err(DrawingError::BadSize { width, height })
    }
}

/// Draws the visible title and the legend (one swatch per entry, wrapping to new rows),
/// and returns where the plot may start.
pub(crate) fn title_and_legend(
    out: &mut String,
    width: f64,
    title: &str,
    entries: &[(String, String, String)],
    swatch: LegendSwatch,
) -> f64 {
    text(out, width / 2.0, 16.0, "dj-chart-title", "middle", title);
    let mut y = 24.0;
    if entries.is_empty() {
        return y + 8.0;
    }
    out.push_str("<g class=\"dj-legend\">");
    let mut x = 12.0;
    y += 12.0;
    for (name, class, colour) in entries {
        let item_width = 18.0 + text_width(name, 12.0) + 14.0;
        if x + item_width > width - 8.0 && x > 12.0 {
            x = 12.0;
            y += 16.0;
        }
        let _ = write!(out, "<g class=\"dj-legend-item {}\">", escape(class));
        match swatch {
            LegendSwatch::Line => {
                let _ = write!(
                    out,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
                    number(x, 1),
                    number(y - 4.0, 1),
                    number(x + 14.0, 1),
                    number(y - 4.0, 1)
                );
            }
            LegendSwatch::Block => {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"{colour}\"/>",
                    number(x, 1),
                    number(y - 9.0, 1)
                );
            }
        }
        text(out, x + 18.0, y, "dj-legend-label", "start", name);
        out.push_str("</g>");
        x += item_width;
    }
    out.push_str("</g>");
    y + 10.0
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LegendSwatch {
    Line,
    Block,
}

/// Draws the value axis on the left: grid lines, tick labels and the rotated axis label.
pub(crate) fn value_axis(
    out: &mut String,
    area: PlotArea,
    ticks: &[Tick],
    map: impl Fn(f64) -> f64,
    label: &str,
) {
    out.push_str("<g class=\"dj-axis dj-axis-y\">");
    for tick in ticks {
        let y = map(tick.value);
        let _ = write!(
            out,
            "<line class=\"dj-grid\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ddd\"/>",
            number(area.left, 1),
            number(area.right, 1),
            y = number(y, 1)
        );
        text(
            out,
            area.left - 6.0,
            y + 4.0,
            "dj-tick-label",
            "end",
            &tick.label,
        );
    }
    if !label.is_empty() {
        let cx = 14.0;
        let cy = (area.top + area.bottom) / 2.0;
        let _ = write!(
            out,
            "<text class=\"dj-axis-label\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 {cx} {})\">{}</text>",
            number(cy, 1),
            number(cy, 1),
            escape(label)
        );
    }
    out.push_str("</g>");
}

/// Draws the horizontal axis line at the bottom of the plot, its tick labels and its label.
pub(crate) fn category_axis(
    out: &mut String,
    area: PlotArea,
    ticks: &[(f64, String)],
    label: &str,
) {
    out.push_str("<g class=\"dj-axis dj-axis-x\">");
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"#666\"/>",
        number(area.left, 1),
        number(area.right, 1),
        b = number(area.bottom, 1)
    );
    // Thin the labels so they do not overlap: keep every k-th.
    let widest = ticks
        .iter()
        .map(|(_, l)| text_width(l, 12.0))
        .fold(0.0, f64::max);
    let room = if ticks.len() > 1 {
        (area.right - area.left) / ticks.len() as f64
    } else {
        f64::INFINITY
    };
    let every = ((widest + 8.0) / room).ceil().max(1.0) as usize;
    for (i, (x, label)) in ticks.iter().enumerate() {
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#666\"/>",
            number(area.bottom, 1),
            number(area.bottom + 4.0, 1),
            x = number(*x, 1)
        );
        if i % every == 0 {
            text(
                out,
                *x,
                area.bottom + 17.0,
                "dj-tick-label",
                "middle",
                label,
            );
        }
    }
    if !label.is_empty() {
        text(
            out,
            (area.left + area.right) / 2.0,
            area.bottom + 33.0,
            "dj-axis-label",
            "middle",
            label,
        );
    }
    out.push_str("</g>");
}

/// The "no data" note drawn in an empty plot, so an empty chart says why it is empty.
pub(crate) fn no_data(out: &mut String, area: PlotArea, note: &str) {
    text(
        out,
        (area.left + area.right) / 2.0,
        (area.top + area.bottom) / 2.0,
        "dj-no-data",
        "middle",
        note,
    );
}

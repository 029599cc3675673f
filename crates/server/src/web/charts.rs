//! The pages' charts, drawn by danjiang-drawing: volumes against plan as bars, the
//! cumulative split by use as a ring, series over calendar time as lines, and sparklines.
//! This module only turns page data into chart data.

use danjiang_drawing::chart::{
    bar_chart, donut_chart, line_chart, BarChart, BarSeries, DonutChart, LineChart, Series, Slice,
    XAxis,
};
use maud::{html, Markup, PreEscaped};

use crate::web::error::Result;

/// One bar: a label, a value and an optional plan drawn as a mark across the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Value, in the chart's unit.
    pub value: f64,
    /// Plan, in the chart's unit.
    pub plan: Option<f64>,
}

/// Words of a bar chart in the page's language.
#[derive(Debug, Clone, Copy)]
pub struct BarWords<'a> {
    /// Title (also read by screen readers).
    pub title: &'a str,
    /// Unit of the values (for example `万 m³`).
    pub unit: &'a str,
    /// Name of the bars in the legend.
    pub value_name: &'a str,
    /// Name of the plan marks in the legend.
    pub plan_name: &'a str,
    /// Text of a chart without data.
    pub empty: &'a str,
}

/// Bars with their plan marks; `id` must be unique on the page.
pub fn bars(id: &str, words: BarWords<'_>, bars: &[Bar]) -> Result<Markup> {
    let mut chart = BarChart::new(id, words.title);
    chart.width = 720.0;
    chart.height = 300.0;
    chart.categories = bars.iter().map(|b| b.label.clone()).collect();
    chart.series = vec![BarSeries::new(
        words.value_name,
        bars.iter().map(|b| b.value).collect(),
    )];
    if bars.iter().any(|b| b.plan.is_some()) {
        chart.plan = Some(BarSeries::new(
            words.plan_name,
            bars.iter().map(|b| b.plan.unwrap_or(f64::NAN)).collect(),
        ));
    }
    chart.y_label = words.unit.to_string();
    chart.unit = words.unit.to_string();
    chart.empty_note = words.empty.to_string();
    Ok(PreEscaped(bar_chart(&chart)?))
}

/// One part of a whole: its name and amount.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Name in the legend.
    pub label: String,
    /// Amount, in the chart's unit.
    pub value: f64,
}

/// The parts of a whole as a ring with the total in the middle and each part's share.
pub fn shares(
    id: &str,
    title: &str,
    unit: &str,
    total_label: &str,
    parts: &[Part],
) -> Result<Markup> {
    let mut chart = DonutChart::new(id, title);
    chart.width = 420.0;
    chart.height = 260.0;
    chart.unit = unit.to_string();
    chart.total_label = total_label.to_string();
    chart.slices = parts
        .iter()
        .map(|p| Slice::new(p.label.clone(), p.value))
        .collect();
    Ok(PreEscaped(donut_chart(&chart)?))
}

/// Words of a chart over calendar time in the page's language.
#[derive(Debug, Clone, Copy)]
pub struct TimeWords<'a> {
    /// Title (also read by screen readers).
    pub title: &'a str,
    /// Label of the vertical axis, with its unit.
    pub y_label: &'a str,
    /// Unit written after values.
    pub unit: &'a str,
    /// Text of a chart without data.
    pub empty: &'a str,
}

/// Named series of (station time s, value) as lines over calendar time; `id` must be unique
/// on the page.
pub fn timeline(id: &str, words: TimeWords<'_>, series: Vec<Series>) -> Result<Markup> {
    let mut chart = LineChart::new(id, words.title);
    chart.width = 900.0;
    chart.height = 340.0;
    chart.x_axis = XAxis::DateTime;
    chart.y_label = words.y_label.to_string();
    chart.unit = words.unit.to_string();
    chart.empty_note = words.empty.to_string();
    chart.series = series;
    Ok(PreEscaped(line_chart(&chart)?))
}

/// A small line without axes of `values` (x, y) in increasing x, scaled to its own range;
/// `label` is read by screen readers. Nothing is drawn for fewer than two finite points.
pub fn sparkline(label: &str, values: &[(f64, f64)]) -> Markup {
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 24.0;
    let finite: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let range = |pick: fn(&(f64, f64)) -> f64| {
        finite
            .iter()
            .map(pick)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x0, x1) = range(|p| p.0);
    let (y0, y1) = range(|p| p.1);
    let scale = |v: f64, lo: f64, hi: f64, size: f64| {
        if hi > lo {
            (v - lo) / (hi - lo) * size
        } else {
            size / 2.0
        }
    };
    let path: Vec<String> = finite
        .iter()
        .map(|(x, y)| {
            format!(
                "{:.1},{:.1}",
                scale(*x, x0, x1, WIDTH),
                HEIGHT - 1.0 - scale(*y, y0, y1, HEIGHT - 2.0)
            )
        })
        .collect();
    html! {
        svg.sparkline width=(WIDTH) height=(HEIGHT) viewBox={ "0 0 " (WIDTH) " " (HEIGHT) }
            role="img" aria-label=(label) {
            title { (label) }
            @if path.len() >= 2 {
                polyline points=(path.join(" ")) fill="none" stroke="currentColor" stroke-width="1.5";
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_draw_one_bar_per_value_a_plan_mark_and_escape_labels() {
        let words = BarWords {
            title: "t<itle>",
            unit: "10⁴ m³",
            value_name: "delivered",
            plan_name: "plan",
            empty: "no data",
        };
        let svg = bars(
            "chart",
            words,
            &[
                Bar {
                    label: "a&b".into(),
                    value: 3.0,
                    plan: Some(4.0),
                },
                Bar {
                    label: "c".into(),
                    value: 7.5,
                    plan: None,
                },
            ],
        )
        .unwrap()
        .into_string();
        assert_eq!(svg.matches("class=\"dj-bar\"").count(), 2);
        assert!(svg.contains("dj-plan"));
        assert!(svg.contains("a&amp;b") && svg.contains("t&lt;itle&gt;"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn shares_draw_a_slice_per_part() {
        let svg = shares(
            "split",
            "split",
            "亿 m³",
            "total",
            &[
                Part {
                    label: "domestic".into(),
                    value: 4.86,
                },
                Part {
                    label: "ecological".into(),
                    value: 1.2,
                },
            ],
        )
        .unwrap()
        .into_string();
        assert_eq!(svg.matches("dj-slice").count(), 2, "{svg}");
        assert!(svg.contains("domestic") && svg.contains("ecological"));
    }

    #[test]
    fn a_sparkline_spans_its_box_and_escapes_its_label() {
        let svg = sparkline(
            "a<b",
            &[(0.0, 1.0), (1.0, 3.0), (2.0, f64::NAN), (3.0, 2.0)],
        )
        .into_string();
        assert!(
            svg.contains("points=\"0.0,23.0 40.0,1.0 120.0,12.0\""),
            "{svg}"
        );
        assert!(svg.contains("a&lt;b") && !svg.contains("a<b"));
        let flat = sparkline("one", &[(0.0, 1.0)]).into_string();
        assert!(!flat.contains("polyline"), "{flat}");
    }

    #[test]
    fn a_timeline_draws_its_series_over_calendar_time() {
        let words = TimeWords {
            title: "flow",
            y_label: "m3/s",
            unit: "m3/s",
            empty: "nothing",
        };
        let day = 20_000.0 * 86_400.0;
        let svg = timeline(
            "flow",
            words,
            vec![Series::new("mean", vec![(day, 1.0), (day + 3600.0, 2.0)])],
        )
        .unwrap()
        .into_string();
        assert!(svg.starts_with("<svg") && svg.contains("mean"), "{svg}");
    }
}

//! The pages' charts, drawn by danjiang-drawing: volumes against plan as bars, and the
//! cumulative split by use as a ring. This module only turns page data into chart data.

use danjiang_drawing::chart::{bar_chart, donut_chart, BarChart, BarSeries, DonutChart, Slice};
use maud::{Markup, PreEscaped};

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
}

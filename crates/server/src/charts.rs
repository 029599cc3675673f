//! Small SVG charts for the pages (bars against plan, a share bar), drawn on the server. Text is
//! escaped by maud; every data mark has the class `mark` so tests can find them.

use maud::{html, Markup};

/// One bar: a label, a value and an optional plan drawn as a tick over the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Value, in the chart's unit.
    pub value: f64,
    /// Plan, in the chart's unit.
    pub plan: Option<f64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 48.0;

/// A step of 1, 2 or 5 × 10ⁿ giving about `target` ticks up to `high`.
fn tick_step(high: f64, target: f64) -> f64 {
    if !high.is_finite() || high <= 0.0 {
        return 1.0;
    }
    let raw = high / target;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn label_number(value: f64) -> String {
    if value.abs() >= 100.0 || value == value.round() {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// A bar chart with plan ticks; `unit` labels the value axis.
pub fn bars(title: &str, unit: &str, bars: &[Bar], value_name: &str, plan_name: &str) -> Markup {
    let high = bars
        .iter()
        .flat_map(|b| [b.value, b.plan.unwrap_or(0.0)])
        .fold(0.0f64, f64::max);
    let step = tick_step(high, 5.0);
    let top_value = if high > 0.0 {
        (high / step).ceil() * step
    } else {
        1.0
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top_value);
    let slot = plot_w / bars.len().max(1) as f64;
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    let label_every = (bars.len() / 12).max(1);
    html! {
        svg.chart.bar-chart xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (WIDTH) " " (HEIGHT)}
            role="img" aria-label=(title) {
            title { (title) }
            text.axis-unit x="4" y="16" { (unit) }
            @for tick in &ticks {
                line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(*tick)) y2=(y(*tick)) {}
                text.tick x=(LEFT - 6.0) y=(y(*tick) + 4.0) text-anchor="end" { (label_number(*tick)) }
            }
            @for (i, bar) in bars.iter().enumerate() {
                @let x = LEFT + slot * i as f64 + slot * 0.15;
                @let w = slot * 0.7;
                rect.mark.delivered x=(x) y=(y(bar.value.max(0.0))) width=(w)
                    height=(plot_h * bar.value.max(0.0) / top_value) {
                    title { (bar.label) ": " (label_number(bar.value)) " " (unit) }
                }
                @if let Some(plan) = bar.plan {
                    line.plan x1=(x - slot * 0.05) x2=(x + w + slot * 0.05) y1=(y(plan)) y2=(y(plan)) {
                        title { (bar.label) " " (plan_name) ": " (label_number(plan)) " " (unit) }
                    }
                }
                @if i % label_every == 0 {
                    text.label x=(x + w / 2.0) y=(HEIGHT - BOTTOM + 16.0) text-anchor="middle" { (bar.label) }
                }
            }
            rect.legend-delivered x=(LEFT) y=(HEIGHT - 18.0) width="12" height="10" {}
            text.legend x=(LEFT + 16.0) y=(HEIGHT - 9.0) { (value_name) }
            line.plan x1=(LEFT + 140.0) x2=(LEFT + 156.0) y1=(HEIGHT - 13.0) y2=(HEIGHT - 13.0) {}
            text.legend x=(LEFT + 160.0) y=(HEIGHT - 9.0) { (plan_name) }
        }
    }
}

/// One part of a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Label in the legend.
    pub label: String,
    /// Value (any unit; shares are computed).
    pub value: f64,
    /// A CSS class naming the part's colour (`use-domestic`).
    pub class: String,
}

/// A horizontal bar split into the parts' shares, with a legend.
pub fn shares(title: &str, unit: &str, parts: &[Part]) -> Markup {
    let total: f64 = parts.iter().map(|p| p.value.max(0.0)).sum();
    let plot_w = WIDTH - 32.0;
    let mut x = 16.0;
    let mut spans = Vec::new();
    for part in parts {
        let w = if total > 0.0 {
            plot_w * part.value.max(0.0) / total
        } else {
            0.0
        };
        spans.push((x, w, part));
        x += w;
    }
    let height = 48.0 + 24.0 * parts.len() as f64;
    html! {
        svg.chart.share-chart xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (WIDTH) " " (height)}
            role="img" aria-label=(title) {
            title { (title) }
            @for (x, w, part) in &spans {
                rect class={"mark " (part.class)} x=(x) y="8" width=(w) height="28" {
                    title { (part.label) }
                }
            }
            @for (i, (_, _, part)) in spans.iter().enumerate() {
                @let share = if total > 0.0 { 100.0 * part.value / total } else { 0.0 };
                rect class=(part.class) x="16" y=(52.0 + 24.0 * i as f64) width="14" height="14" {}
                text.legend x="36" y=(64.0 + 24.0 * i as f64) {
                    (part.label) ": " (label_number(part.value)) " " (unit) " (" (format!("{share:.1}")) "%)"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_draw_one_mark_per_value_and_escape_labels() {
        let svg = bars(
            "t<itle>",
            "10⁴ m³",
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
            "delivered",
            "plan",
        )
        .into_string();
        assert_eq!(svg.matches("class=\"mark delivered\"").count(), 2);
        assert!(svg.contains("a&amp;b") && svg.contains("t&lt;itle&gt;"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(10.0, 5.0), 2.0);
        assert_eq!(tick_step(0.0, 5.0), 1.0);
        assert_eq!(tick_step(930.0, 5.0), 200.0);
    }
}

//! Charts: time series and stacked areas ([`line_chart`]), grouped and stacked bars against a
//! plan ([`bar_chart`]), and shares of a whole ([`donut_chart`]).
//!
//! Each chart is a plain struct of data and labels turned into one SVG string. Elements carry
//! classes (`dj-chart`, `dj-axis`, `dj-series-N`, `dj-legend`, …) for page styles, and data
//! elements carry a `<title>` so a pointer or a screen reader tells their value.

mod bar;
mod donut;
mod frame;
mod line;

pub use bar::{bar_chart, BarChart, BarMode, BarSeries};
pub use donut::{donut_chart, DonutChart, Slice};
pub use line::{line_chart, LineChart, Series, XAxis};

/// Width a label takes, roughly, at the charts' 12-unit font: wide (CJK) characters count
/// about twice a Latin letter. Used to lay out legends and thin crowded labels.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                1.0
            } else if c.is_ascii_uppercase() || c.is_ascii_digit() {
                0.62
            } else {
                0.55
            }
        })
        .sum::<f64>()
        * font_size
}

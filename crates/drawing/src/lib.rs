//! SVG drawings for Danjiang's pages: charts (time series, bars, stacked areas, donuts) and
//! the network map coloured by results, as pure functions from data to an SVG string.
//!
//! Nothing here knows HTTP or storage. Every piece of text is escaped, every element carries
//! CSS classes (prefix `dj-`) so pages can style it, and the root element names a font stack
//! with CJK fallbacks so Chinese labels render. Numbers are written in the caller's units.

pub mod axis;
pub mod chart;
pub mod colour;
pub mod error;
pub mod map;
pub mod svg;

pub use chart::{
    bar_chart, donut_chart, line_chart, BarChart, BarMode, BarSeries, DonutChart, LineChart,
    Series, Slice, XAxis,
};
pub use colour::{ColourScale, Palette};
pub use error::DrawingError;
pub use map::{
    locate, network_map, MapDetail, MapElement, MapOptions, MapProjection, MapWords, MarkTarget,
    MarkedSet, MarkerShape, ValueLayer,
};

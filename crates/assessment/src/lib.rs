//! Surface-water quality assessment by GB 3838-2002 and the 2011 evaluation method:
//! item and site classes, exceedances, main pollutants, aggregation, river grades, alerts and trends.

pub mod aggregate;
pub mod alerts;
pub mod error;
pub mod method;
pub mod river;
pub mod samples;
pub mod single_factor;
pub mod standard;
pub mod trend;
pub mod units;

pub use aggregate::{aggregate, Period};
pub use alerts::{alerts, Alert};
pub use error::AssessmentError;
pub use method::{EvaluationMethod, Grade};
pub use river::{grade_river, grade_river_periods, RiverGrade, RiverGrading, RiverPeriodGrade};
pub use samples::{read_samples_csv, Measurement, SampleSet};
pub use single_factor::{assess, AssessOptions, ItemResult, SiteAssessment};
pub use standard::{ItemKind, ItemStandard, Standard, WaterBody, WaterClass};
pub use trend::{
    label_to_years, mann_kendall, sen_slope, site_trends, spearman, trend, MannKendall, SenSlope,
    SiteTrend, Spearman, Trend, TrendDirection,
};

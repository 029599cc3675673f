//! Telemetry: the tag register (what each tag measures, in which unit, on which asset and model
//! element), time-series points with a quality flag, rollups over 1 min, 15 min and 1 h kept up to
//! date as points arrive, each tag's latest point, and retention of raw points per tag.
//!
//! Invariants: a batch of points is checked whole before the write transaction opens and stored
//! all-or-nothing; a point already stored (same tag and time) is ignored, so a batch sent twice
//! changes nothing; rollups count each stored point once whatever order points arrive in; points
//! of bad quality are stored and shown but not rolled up. Alarm limits and rates are evaluated in
//! the same transaction ([`alarms`]).

pub mod alarms;
pub mod ingest;
pub mod register;
pub mod series;
pub mod tokens;

pub use ingest::{
    check_points, check_points_within, ingest, store_points_in, BatchFormat, CheckedPoints,
    IngestSummary,
};
pub use register::{tags, Tag, TAG_COLUMNS};
pub use series::{
    extent, latest, prune, rollups_of_every_tag, series, Latest, Series, SeriesPoint, SeriesQuery,
};
pub use tokens::{create_token, list_tokens, revoke_token, token_source, IngestToken};

/// How far a point can be trusted, as SCADA systems flag it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// A sound measurement.
    Good,
    /// Measured, but the instrument doubts it (out of calibration, substituted).
    Uncertain,
    /// Not a measurement to use (instrument fault, communication lost).
    Bad,
}

impl Quality {
    /// The stored code.
    pub fn code(self) -> i64 {
        match self {
            Quality::Good => 0,
            Quality::Uncertain => 1,
            Quality::Bad => 2,
        }
    }

    /// The quality of a stored code (unknown codes are bad).
    pub fn of_code(code: i64) -> Quality {
        match code {
            0 => Quality::Good,
            1 => Quality::Uncertain,
            _ => Quality::Bad,
        }
    }

    /// Reads `good`, `uncertain`, `bad` (any case) or the codes 0, 1, 2.
    pub fn parse(text: &str) -> Option<Quality> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "good" | "0" => Some(Quality::Good),
            "uncertain" | "1" => Some(Quality::Uncertain),
            "bad" | "2" => Some(Quality::Bad),
            _ => None,
        }
    }
}

/// The rollup steps, s: 1 min, 15 min, 1 h.
pub const ROLLUP_STEPS: [i64; 3] = [60, 900, 3600];

/// What each quantity is measured in and the values it can take.
pub struct QuantityKind {
    /// The quantity's name in the register.
    pub name: &'static str,
    /// The units a tag of it may be kept in.
    pub units: &'static [&'static str],
    /// Smallest and largest plausible value, in any of its units.
    pub range: (f64, f64),
}

/// The quantities a tag may measure.
pub const QUANTITIES: [QuantityKind; 16] = [
    QuantityKind {
        name: "flow",
        units: &["m3/s", "m3/h", "L/s"],
        range: (-1e6, 1e6),
    },
    QuantityKind {
        name: "level",
        units: &["m"],
        range: (-1e4, 1e4),
    },
    QuantityKind {
        name: "head",
        units: &["m"],
        range: (-1e4, 1e4),
    },
    QuantityKind {
        name: "opening",
        units: &["m", "%"],
        range: (0.0, 100.0),
    },
    QuantityKind {
        name: "pressure",
        units: &["m", "kPa", "MPa"],
        range: (-1e3, 1e5),
    },
    QuantityKind {
        name: "volume",
        units: &["m3"],
        range: (0.0, 1e12),
    },
    QuantityKind {
        name: "turbidity",
        units: &["NTU"],
        range: (0.0, 1e4),
    },
    QuantityKind {
        name: "ph",
        units: &["pH"],
        range: (0.0, 14.0),
    },
    QuantityKind {
        name: "dissolved_oxygen",
        units: &["mg/L"],
        range: (0.0, 50.0),
    },
    QuantityKind {
        name: "conductivity",
        units: &["uS/cm"],
        range: (0.0, 1e5),
    },
    QuantityKind {
        name: "ammonia",
        units: &["mg/L"],
        range: (0.0, 1e3),
    },
    QuantityKind {
        name: "permanganate_index",
        units: &["mg/L"],
        range: (0.0, 1e3),
    },
    QuantityKind {
        name: "chlorine",
        units: &["mg/L"],
        range: (0.0, 100.0),
    },
    QuantityKind {
        name: "temperature",
        units: &["degC"],
        range: (-50.0, 100.0),
    },
    QuantityKind {
        name: "speed",
        units: &["rpm", "%"],
        range: (0.0, 1e5),
    },
    QuantityKind {
        name: "status",
        units: &["state"],
        range: (0.0, 1e3),
    },
];

/// The kind of a quantity by its name.
pub fn quantity(name: &str) -> Option<&'static QuantityKind> {
    QUANTITIES.iter().find(|q| q.name == name)
}

//! Units of measure and their conversion to the SI units used inside a [`crate::Network`].
//!
//! The conversion constants are EPANET's own (for example 1 ft³/s = 28.317 L/s, not
//! 28.3168...), so that a network read from a US-unit file and solved in SI gives the
//! same numbers EPANET reports. Inside the model:
//!
//! | quantity | unit |
//! | --- | --- |
//! | length, elevation, head, pressure head, tank level | m |
//! | pipe diameter | m |
//! | flow, demand | m³/s |
//! | volume | m³ |
//! | power | kW |
//! | time | s |
//! | velocity | m/s |

use serde::{Deserialize, Serialize};

/// Metres per foot.
pub const METRES_PER_FOOT: f64 = 0.3048;
/// Cubic metres per cubic foot, as EPANET rounds it.
pub const CUBIC_METRES_PER_CUBIC_FOOT: f64 = 0.028317;
/// Pounds per square inch per foot of water head, as EPANET rounds it.
pub const PSI_PER_FOOT: f64 = 0.4333;
/// Kilopascals per pound per square inch, as EPANET rounds it.
pub const KPA_PER_PSI: f64 = 6.895;
/// Kilowatts per horsepower, as EPANET rounds it.
pub const KW_PER_HP: f64 = 0.7457;
/// Seconds per day.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// The eleven flow units EPANET 2.3 accepts in `[OPTIONS] UNITS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FlowUnits {
    /// Cubic feet per second.
    Cfs,
    /// US gallons per minute.
    Gpm,
    /// Million US gallons per day.
    Mgd,
    /// Million imperial gallons per day.
    Imgd,
    /// Acre-feet per day.
    Afd,
    /// Litres per second.
    Lps,
    /// Litres per minute.
    Lpm,
    /// Million litres per day.
    Mld,
    /// Cubic metres per hour.
    Cmh,
    /// Cubic metres per day.
    Cmd,
    /// Cubic metres per second.
    Cms,
}

/// US customary or SI, decided by the flow units as EPANET decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitSystem {
    /// Feet, inches, psi, horsepower.
    Us,
    /// Metres, millimetres, metres of head, kilowatts.
    Si,
}

impl FlowUnits {
    /// Every flow unit, in EPANET's order.
    pub const ALL: [FlowUnits; 11] = [
        FlowUnits::Cfs,
        FlowUnits::Gpm,
        FlowUnits::Mgd,
        FlowUnits::Imgd,
        FlowUnits::Afd,
        FlowUnits::Lps,
        FlowUnits::Lpm,
        FlowUnits::Mld,
        FlowUnits::Cmh,
        FlowUnits::Cmd,
        FlowUnits::Cms,
    ];

    /// The keyword used in an .inp file (`GPM`, `LPS`, ...).
    pub fn keyword(self) -> &'static str {
        match self {
            FlowUnits::Cfs => "CFS",
            FlowUnits::Gpm => "GPM",
            FlowUnits::Mgd => "MGD",
            FlowUnits::Imgd => "IMGD",
            FlowUnits::Afd => "AFD",
            FlowUnits::Lps => "LPS",
            FlowUnits::Lpm => "LPM",
            FlowUnits::Mld => "MLD",
            FlowUnits::Cmh => "CMH",
            FlowUnits::Cmd => "CMD",
            FlowUnits::Cms => "CMS",
        }
    }

    /// Parses a keyword, ignoring case.
    pub fn from_keyword(word: &str) -> Option<FlowUnits> {
        FlowUnits::ALL
            .into_iter()
            .find(|unit| unit.keyword().eq_ignore_ascii_case(word))
    }

    /// How many of this unit make one cubic foot per second (EPANET's constants).
    pub fn per_cfs(self) -> f64 {
        match self {
            FlowUnits::Cfs => 1.0,
            FlowUnits::Gpm => 448.831,
            FlowUnits::Mgd => 0.64632,
            FlowUnits::Imgd => 0.5382,
            FlowUnits::Afd => 1.9837,
            FlowUnits::Lps => 28.317,
            FlowUnits::Lpm => 1699.0,
            FlowUnits::Mld => 2.4466,
            FlowUnits::Cmh => 101.94,
            FlowUnits::Cmd => 2446.6,
            FlowUnits::Cms => 0.028317,
        }
    }

    /// How many of this unit make one cubic metre per second.
    pub fn per_cubic_metre_per_second(self) -> f64 {
        self.per_cfs() / CUBIC_METRES_PER_CUBIC_FOOT
    }

    /// Converts a flow in this unit to m³/s.
    pub fn to_si(self, flow: f64) -> f64 {
        flow / self.per_cubic_metre_per_second()
    }

    /// Converts a flow in m³/s to this unit.
    pub fn from_si(self, flow: f64) -> f64 {
        flow * self.per_cubic_metre_per_second()
    }

    /// The unit system this flow unit implies.
    pub fn system(self) -> UnitSystem {
        match self {
            FlowUnits::Cfs | FlowUnits::Gpm | FlowUnits::Mgd | FlowUnits::Imgd | FlowUnits::Afd => {
                UnitSystem::Us
            }
            _ => UnitSystem::Si,
        }
    }
}

/// Units of pressure in `[OPTIONS] PRESSURE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PressureUnits {
    /// Pounds per square inch (US default).
    Psi,
    /// Kilopascals.
    Kpa,
    /// Metres of water (SI default).
    Meters,
    /// Bar (EPANET 2.3).
    Bar,
    /// Feet of water (EPANET 2.3).
    Feet,
}

impl PressureUnits {
    /// The keyword used in an .inp file.
    pub fn keyword(self) -> &'static str {
        match self {
            PressureUnits::Psi => "PSI",
            PressureUnits::Kpa => "KPA",
            PressureUnits::Meters => "METERS",
            PressureUnits::Bar => "BAR",
            PressureUnits::Feet => "FEET",
        }
    }

    /// How many of this unit one metre of water head makes, for water of the given
    /// specific gravity (EPANET's constants).
    pub fn per_metre_of_head(self, specific_gravity: f64) -> f64 {
        let psi_per_metre = PSI_PER_FOOT / METRES_PER_FOOT;
        match self {
            PressureUnits::Psi => psi_per_metre * specific_gravity,
            PressureUnits::Kpa => psi_per_metre * KPA_PER_PSI * specific_gravity,
            // EPANET's bar per psi (0.068948), not a hundredth of its kPa per psi.
            PressureUnits::Bar => psi_per_metre * 0.068948 * specific_gravity,
            // EPANET converts metres and feet of head without the specific gravity.
            PressureUnits::Meters => 1.0,
            PressureUnits::Feet => 1.0 / METRES_PER_FOOT,
        }
    }

    /// The default pressure unit for a unit system.
    pub fn default_for(system: UnitSystem) -> PressureUnits {
        match system {
            UnitSystem::Us => PressureUnits::Psi,
            UnitSystem::Si => PressureUnits::Meters,
        }
    }
}

/// Conversion factors between a file's units and the model's SI units, one per quantity.
/// Each factor is "file units per SI unit": `file_value = si_value * factor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitFactors {
    /// Elevation, head, length, tank level: ft or m per m.
    pub length: f64,
    /// Pipe and valve diameters: in or mm per m (tank diameters use `length`).
    pub pipe_diameter: f64,
    /// Flow and demand per m³/s.
    pub flow: f64,
    /// Pressure per metre of head.
    pub pressure: f64,
    /// Volume: ft³ or m³ per m³.
    pub volume: f64,
    /// Power: hp or kW per kW.
    pub power: f64,
    /// Velocity: ft/s or m/s per m/s.
    pub velocity: f64,
}

impl UnitFactors {
    /// Factors for a file in the given flow and pressure units.
    pub fn new(flow: FlowUnits, pressure: PressureUnits, specific_gravity: f64) -> UnitFactors {
        match flow.system() {
            UnitSystem::Us => UnitFactors {
                length: 1.0 / METRES_PER_FOOT,
                pipe_diameter: 12.0 / METRES_PER_FOOT,
                flow: flow.per_cubic_metre_per_second(),
                pressure: pressure.per_metre_of_head(specific_gravity),
                volume: 1.0 / CUBIC_METRES_PER_CUBIC_FOOT,
                power: 1.0 / KW_PER_HP,
                velocity: 1.0 / METRES_PER_FOOT,
            },
            UnitSystem::Si => UnitFactors {
                length: 1.0,
                pipe_diameter: 1000.0,
                flow: flow.per_cubic_metre_per_second(),
                pressure: pressure.per_metre_of_head(specific_gravity),
                volume: 1.0,
                power: 1.0,
                velocity: 1.0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for unit in FlowUnits::ALL {
            assert_eq!(FlowUnits::from_keyword(unit.keyword()), Some(unit));
            assert_eq!(
                FlowUnits::from_keyword(&unit.keyword().to_lowercase()),
                Some(unit)
            );
        }
        assert_eq!(FlowUnits::from_keyword("GALLONS"), None);
    }

    #[test]
    fn litres_per_second_is_a_thousandth_of_a_cubic_metre() {
        let si = FlowUnits::Lps.to_si(1000.0);
        assert!((si - 1.0).abs() < 1e-12);
        assert!((FlowUnits::Cms.to_si(2.5) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn psi_per_metre_matches_epanet() {
        let psi = PressureUnits::Psi.per_metre_of_head(1.0);
        assert!((psi * METRES_PER_FOOT - PSI_PER_FOOT).abs() < 1e-12);
    }
}

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
/// Bar per pound per square inch, as EPANET rounds it (not a hundredth of its kPa per psi).
pub const BAR_PER_PSI: f64 = 0.068948;
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

/// The number a file held, recovered from the SI value the reader made of it: the double
/// with the shortest decimal text that `to_si` (the reader's own file-to-SI arithmetic)
/// turns into exactly `si`. `guess` is `si` in file units, found by the inverse arithmetic.
///
/// A value read as `925` ft and stored as metres comes back from metres as
/// 925.0000000000001 ft; this returns 925, the double EPANET itself holds. Decimals with
/// few digits after the point are tried first (the common case, cheap); failing those,
/// the doubles a few units in the last place around `guess` are searched, the shortest
/// text winning (the nearest to `guess` on a tie). When nothing converts back exactly,
/// `guess` is returned: it is then within an ulp or two.
pub fn file_value(si: f64, guess: f64, to_si: impl Fn(f64) -> f64) -> f64 {
    if !si.is_finite() || !guess.is_finite() {
        return guess;
    }
    // m / 10^k is the correctly rounded double of the decimal m·10^-k whenever m and
    // 10^k are exact doubles, so it is the double a file's text of k decimals parses to.
    let mut scale = 1.0_f64;
    for _ in 0..=15 {
        let digits = (guess * scale).round();
        if digits.abs() >= 9.0e15 {
            break;
        }
        for candidate_digits in [digits, digits - 1.0, digits + 1.0] {
            let candidate = candidate_digits / scale;
            if to_si(candidate) == si {
                return candidate;
            }
        }
        scale *= 10.0;
    }
    const REACH: i64 = 8;
    let mut best: Option<(usize, i64, f64)> = None;
    for offset in -REACH..=REACH {
        let candidate = neighbour_by(guess, offset);
        if to_si(candidate) != si {
            continue;
        }
        let length = shortest_text_length(candidate);
        let better = match best {
            None => true,
            Some((best_length, best_offset, _)) => {
                length < best_length || (length == best_length && offset.abs() < best_offset.abs())
            }
        };
        if better {
            best = Some((length, offset, candidate));
        }
    }
    best.map_or(guess, |(_, _, candidate)| candidate)
}

/// Length of the shortest text that reads back as `value` (plain or with an exponent, as
/// the input-file writer prints it).
fn shortest_text_length(value: f64) -> usize {
    let magnitude = value.abs();
    if value == 0.0 {
        1
    } else if (1e-5..1e16).contains(&magnitude) {
        format!("{value}").len()
    } else {
        format!("{value:e}").len()
    }
}

/// The double `offset` units in the last place away from `value` (towards +infinity for a
/// positive offset).
pub fn neighbour_by(value: f64, offset: i64) -> f64 {
    let mut result = value;
    let step = offset.signum();
    for _ in 0..offset.abs() {
        result = neighbour(result, step);
    }
    result
}

/// The double next to `value` in the direction of `step` (+1 or -1).
fn neighbour(value: f64, step: i64) -> f64 {
    if value == 0.0 {
        let tiny = f64::from_bits(1);
        return if step > 0 { tiny } else { -tiny };
    }
    let bits = value.to_bits() as i64;
    // For negative numbers the bit pattern grows away from zero.
    let moved = if value > 0.0 {
        bits + step
    } else {
        bits - step
    };
    f64::from_bits(moved as u64)
}

/// The factors between a file's units, the model's SI units and EPANET's internal units
/// (ft, ft³/s, hp), with which a value reaches EPANET's internal units the way EPANET
/// reaches it: from the number written in the file, divided by EPANET's own factor for the
/// quantity (input1.c, `initunits` and `convertunits`).
///
/// Converting metres back to feet can land one unit in the last place away from what
/// EPANET divides out of the file (925 ft comes back as 925.0000000000001); those ulps
/// decide which way a stagnant pipe's flow rounds. So each SI value is first turned back
/// into the file's number with [`file_value`], inverting the reader's own arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpanetUnits {
    /// File units per SI unit, exactly as the input-file reader divides by them
    /// (`inp/reader/mod.rs`, `FileUnits::new`).
    read_length: f64,
    read_diameter: f64,
    read_flow: f64,
    read_pressure: f64,
    read_emitter_pressure: f64,
    read_volume: f64,
    read_power: f64,
    /// EPANET's `Ucf[ELEV]` (= HEAD, LENGTH): file length units per ft.
    pub head: f64,
    /// EPANET's `Ucf[DIAM]`: inches or millimetres per ft.
    pub diameter: f64,
    /// EPANET's `Ucf[FLOW]` (= DEMAND): flow units per ft³/s.
    pub flow: f64,
    /// EPANET's `Ucf[PRESSURE]`: pressure units per ft of head.
    pub pressure: f64,
    /// EPANET's `Ucf[POWER]`: hp or kW per hp.
    pub power: f64,
    /// EPANET's `Ucf[VOLUME]`: ft³ or m³ per ft³.
    pub volume: f64,
    /// Pressure per ft in EPANET's emitter formula: psi (US files) or m (SI files).
    pub emitter_pressure: f64,
}

impl EpanetUnits {
    /// The factors for a network's options (flow units, pressure units, specific gravity).
    pub fn new(options: &crate::Options) -> EpanetUnits {
        let flow_units: FlowUnits = options.flow_units;
        let system = flow_units.system();
        let gravity = options.specific_gravity;

        // The reader's factors, computed in the reader's order.
        let psi_per_metre = PSI_PER_FOOT / METRES_PER_FOOT * gravity;
        let read_pressure = match options.pressure_units {
            PressureUnits::Psi => psi_per_metre,
            PressureUnits::Kpa => psi_per_metre * KPA_PER_PSI,
            PressureUnits::Bar => psi_per_metre * BAR_PER_PSI,
            PressureUnits::Meters => 1.0,
            PressureUnits::Feet => 1.0 / METRES_PER_FOOT,
        };
        let (read_length, read_diameter, read_emitter_pressure, read_volume, read_power) =
            match system {
                UnitSystem::Us => (
                    1.0 / METRES_PER_FOOT,
                    12.0 / METRES_PER_FOOT,
                    psi_per_metre,
                    1.0 / CUBIC_METRES_PER_CUBIC_FOOT,
                    1.0 / KW_PER_HP,
                ),
                UnitSystem::Si => (1.0, 1000.0, 1.0, 1.0, 1.0),
            };

        // EPANET's factors (initunits), in its order.
        let (head, diameter, power) = match system {
            UnitSystem::Us => (1.0, 12.0, 1.0),
            UnitSystem::Si => (METRES_PER_FOOT, 1000.0 * METRES_PER_FOOT, KW_PER_HP),
        };
        let pressure = match options.pressure_units {
            PressureUnits::Psi => PSI_PER_FOOT * gravity,
            PressureUnits::Meters => METRES_PER_FOOT,
            PressureUnits::Kpa => KPA_PER_PSI * PSI_PER_FOOT * gravity,
            PressureUnits::Bar => BAR_PER_PSI * PSI_PER_FOOT * gravity,
            PressureUnits::Feet => 1.0,
        };
        let emitter_pressure = match system {
            UnitSystem::Us => PSI_PER_FOOT * gravity,
            UnitSystem::Si => METRES_PER_FOOT,
        };
        EpanetUnits {
            read_length,
            read_diameter,
            read_flow: flow_units.per_cubic_metre_per_second(),
            read_pressure,
            read_emitter_pressure,
            read_volume,
            read_power,
            head,
            diameter,
            flow: flow_units.per_cfs(),
            pressure,
            power,
            volume: head * head * head,
            emitter_pressure,
        }
    }

    /// The file's number for an SI value the reader made by dividing by `factor`.
    #[inline]
    fn file_number(si: f64, factor: f64) -> f64 {
        if factor == 1.0 {
            return si;
        }
        file_value(si, si * factor, |file| file / factor)
    }

    /// A length, elevation, head or level (m) as written in the file (ft or m).
    pub fn file_length(&self, metres: f64) -> f64 {
        Self::file_number(metres, self.read_length)
    }

    /// A flow (m³/s) as written in the file, in its flow units.
    pub fn file_flow(&self, cubic_metres_per_second: f64) -> f64 {
        Self::file_number(cubic_metres_per_second, self.read_flow)
    }

    /// A volume (m³) as written in the file (ft³ or m³).
    pub fn file_volume(&self, cubic_metres: f64) -> f64 {
        Self::file_number(cubic_metres, self.read_volume)
    }

    /// A pressure given as metres of head in the model, as written in the file in its
    /// pressure units.
    pub fn file_pressure(&self, metres: f64) -> f64 {
        Self::file_number(metres, self.read_pressure)
    }

    /// A length, elevation or level, ft.
    pub fn feet(&self, metres: f64) -> f64 {
        self.file_length(metres) / self.head
    }

    /// A pipe or valve diameter, ft.
    pub fn diameter_feet(&self, metres: f64) -> f64 {
        Self::file_number(metres, self.read_diameter) / self.diameter
    }

    /// A flow, ft³/s.
    pub fn cfs(&self, cubic_metres_per_second: f64) -> f64 {
        self.file_flow(cubic_metres_per_second) / self.flow
    }

    /// A pressure given as metres of head in the model (a valve setting, a pressure
    /// limit), ft of head as EPANET has it from the file's pressure units.
    pub fn pressure_feet(&self, metres: f64) -> f64 {
        self.file_pressure(metres) / self.pressure
    }

    /// Darcy-Weisbach roughness (m), ft: the file's millifeet or millimetres over
    /// 1000 `Ucf[ELEV]`.
    pub fn darcy_roughness_feet(&self, metres: f64) -> f64 {
        Self::file_number(metres, 1000.0 * self.read_length) / (1000.0 * self.head)
    }

    /// A pump's power (kW) as written in the file (hp or kW).
    pub fn file_power(&self, kilowatts: f64) -> f64 {
        Self::file_number(kilowatts, self.read_power)
    }

    /// An emitter coefficient (m³/s per m^exponent) as written in the file.
    pub fn file_emitter_coefficient(&self, si: f64, exponent: f64) -> f64 {
        let scale = self.read_emitter_pressure.powf(exponent);
        let flow = self.read_flow;
        file_value(si, si * flow / scale, |file| file * scale / flow)
    }

    /// EPANET's emitter head loss coefficient Ke from the file's discharge coefficient:
    /// head loss (ft) = Ke q^qexp with q in ft³/s.
    pub fn emitter_head_loss(&self, file_coefficient: f64, qexp: f64) -> f64 {
        let factor = self.flow.powf(qexp) / self.emitter_pressure;
        factor / file_coefficient.powf(qexp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LinkKind, Network, NodeKind};

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

    #[test]
    fn file_values_come_back_from_si_as_written() {
        let feet = 1.0 / METRES_PER_FOOT;
        for text in [
            "925",
            "0.3",
            "1234.5678",
            "-12.75",
            "0.0001",
            "1e-7",
            "3.14159265",
            "0",
        ] {
            let file: f64 = text.parse().unwrap(); // ok: literal
            let si = file / feet;
            assert_eq!(file_value(si, si * feet, |v| v / feet), file, "{text}");
        }
        // Flow in L/s stored as m³/s.
        let lps = FlowUnits::Lps.per_cubic_metre_per_second();
        for file in [0.07, 12.5, 1000.0, 0.123456789] {
            let si = file / lps;
            assert_eq!(file_value(si, si * lps, |v| v / lps), file);
        }
    }

    #[test]
    fn a_value_off_by_an_ulp_is_found_by_the_search() {
        // 17 significant digits: no short decimal converts to it, the ulp search does.
        let feet = 1.0 / METRES_PER_FOOT;
        let file = 0.123_456_789_012_345_68_f64;
        let si = file / feet;
        let found = file_value(si, si * feet, |v| v / feet);
        assert_eq!(found / feet, si);
    }

    fn network(text: &str) -> Network {
        crate::inp::read_str(text, "units.inp")
            .expect("test network reads") // ok: test input
            .network
    }

    /// Every number below is written in the file as given; each must come back exactly,
    /// whatever the units.
    fn check(units: &str, pressure: &str) {
        let text = format!(
            "[JUNCTIONS]\nJ1 925.3 0.07\nJ2 -12.75 12.5\nJ3 10 0\n[RESERVOIRS]\nR 1001.1\n[TANKS]\n\
             T 880.2 3.3 1.1 10.7 52.9\n[PIPES]\nP1 R J1 1234.5 12.3 0.0015\nP2 J1 J2 100 300 0.26\n\
             P3 J1 T 10 8 0.1\nP4 J3 T 10 8 0.1\n[VALVES]\nV J2 J3 250 PRV 43.7\n[EMITTERS]\nJ2 0.37\n\
             [OPTIONS]\nUNITS {units}\nPRESSURE {pressure}\nHEADLOSS D-W\nSPECIFIC GRAVITY 1.02\n"
        );
        let net = network(&text);
        let u = EpanetUnits::new(&net.options);
        let node = |id: &str| &net.nodes[net.node_idx(id).unwrap().index()]; // ok: test
        assert_eq!(u.file_length(node("J1").elevation), 925.3, "{units}");
        assert_eq!(u.file_length(node("J2").elevation), -12.75, "{units}");
        let NodeKind::Junction(j1) = &node("J1").kind else {
            panic!("J1 is a junction")
        };
        assert_eq!(u.file_flow(j1.demands[0].base), 0.07, "{units}");
        let NodeKind::Tank(tank) = &node("T").kind else {
            panic!("T is a tank")
        };
        assert_eq!(u.file_length(tank.initial_level), 3.3);
        assert_eq!(u.file_length(tank.diameter), 52.9);
        let link = |id: &str| &net.links[net.link_idx(id).unwrap().index()]; // ok: test
        let LinkKind::Pipe(p1) = &link("P1").kind else {
            panic!("P1 is a pipe")
        };
        assert_eq!(u.feet(p1.length), 1234.5 / u.head, "{units}");
        assert_eq!(u.diameter_feet(p1.diameter), 12.3 / u.diameter, "{units}");
        assert_eq!(
            u.darcy_roughness_feet(p1.roughness),
            0.0015 / (1000.0 * u.head),
            "{units}"
        );
        let LinkKind::Valve(valve) = &link("V").kind else {
            panic!("V is a valve")
        };
        assert_eq!(
            u.pressure_feet(valve.setting),
            43.7 / u.pressure,
            "{units} {pressure}"
        );
        let NodeKind::Junction(j2) = &node("J2").kind else {
            panic!("J2 is a junction")
        };
        let exponent = net.options.emitter_exponent;
        assert_eq!(
            u.file_emitter_coefficient(j2.emitter_coefficient, exponent),
            0.37,
            "{units}"
        );
    }

    #[test]
    fn file_numbers_come_back_exactly_in_every_unit() {
        for units in [
            "GPM", "CFS", "MGD", "IMGD", "AFD", "LPS", "LPM", "MLD", "CMH", "CMD", "CMS",
        ] {
            for pressure in ["PSI", "KPA", "METERS", "BAR", "FEET"] {
                check(units, pressure);
            }
        }
    }
}

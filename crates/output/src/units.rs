//! Report units: converting the model's SI values to the units EPANET reports in, the way
//! EPANET converts them, and the names it gives those units.
//!
//! EPANET computes in feet and cubic feet per second and multiplies by one factor per
//! quantity when it reports. To land on the same numbers we go through the same internal
//! units: SI values are first turned into feet and ft³/s (with EPANET's own constants from
//! [`danjiang_network::units`]), then multiplied by EPANET's report factors.

use danjiang_network::units::{
    FlowUnits, PressureUnits, UnitSystem, CUBIC_METRES_PER_CUBIC_FOOT, KPA_PER_PSI, KW_PER_HP,
    METRES_PER_FOOT, PSI_PER_FOOT,
};
use danjiang_network::{Network, QualityAnalysis};

/// Bar per psi, as EPANET rounds it (its own constant, not `KPA_PER_PSI / 100`).
pub const BAR_PER_PSI: f64 = 0.068948;
/// Litres per cubic foot, as EPANET rounds it.
pub const LITRES_PER_CUBIC_FOOT: f64 = 28.317;

/// The units a network's results are reported in, with EPANET's conversion factors from
/// its internal units (ft, ft³/s) to report units.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportUnits {
    /// Flow units of the network.
    pub flow_units: FlowUnits,
    /// Pressure units of the network.
    pub pressure_units: PressureUnits,
    /// US or SI, from the flow units.
    pub system: UnitSystem,
    /// Report flow per ft³/s.
    pub flow: f64,
    /// Report length (ft or m) per ft; also head, elevation, velocity and pump head.
    pub length: f64,
    /// Report diameter (in or mm) per ft.
    pub diameter: f64,
    /// Report pressure per ft of head.
    pub pressure: f64,
    /// Report power (hp or kW) per hp.
    pub power: f64,
}

impl ReportUnits {
    /// The report units of a network.
    pub fn of(network: &Network) -> ReportUnits {
        ReportUnits::new(
            network.options.flow_units,
            network.options.pressure_units,
            network.options.specific_gravity,
        )
    }

    /// Report units for these flow and pressure units and fluid specific gravity.
    pub fn new(
        flow_units: FlowUnits,
        pressure_units: PressureUnits,
        specific_gravity: f64,
    ) -> Self {
        let system = flow_units.system();
        let (length, diameter, power) = match system {
            UnitSystem::Si => (METRES_PER_FOOT, 1000.0 * METRES_PER_FOOT, KW_PER_HP),
            UnitSystem::Us => (1.0, 12.0, 1.0),
        };
        // As EPANET: metres and feet of pressure head are taken as head of the fluid itself,
        // psi, kPa and bar scale with its specific gravity.
        let pressure = match pressure_units {
            PressureUnits::Psi => PSI_PER_FOOT * specific_gravity,
            PressureUnits::Kpa => KPA_PER_PSI * PSI_PER_FOOT * specific_gravity,
            PressureUnits::Bar => BAR_PER_PSI * PSI_PER_FOOT * specific_gravity,
            PressureUnits::Meters => METRES_PER_FOOT,
            PressureUnits::Feet => 1.0,
        };
        ReportUnits {
            flow_units,
            pressure_units,
            system,
            flow: flow_units.per_cfs(),
            length,
            diameter,
            pressure,
            power,
        }
    }

    /// Report units from the codes of a binary output file's prolog.
    pub fn from_codes(flow_code: i32, pressure_code: i32) -> Option<ReportUnits> {
        let flow_units = *FlowUnits::ALL.get(usize::try_from(flow_code).ok()?)?;
        let pressure_units = pressure_units_from_code(pressure_code)?;
        Some(ReportUnits::new(flow_units, pressure_units, 1.0))
    }

    /// Name of the flow unit as EPANET's report prints it (`gpm`, `L/s`, ...).
    pub fn flow_label(&self) -> &'static str {
        flow_label(self.flow_units)
    }

    /// Name of the length unit (`ft` or `m`).
    pub fn length_label(&self) -> &'static str {
        match self.system {
            UnitSystem::Us => "ft",
            UnitSystem::Si => "m",
        }
    }

    /// Name of the diameter unit (`in` or `mm`).
    pub fn diameter_label(&self) -> &'static str {
        match self.system {
            UnitSystem::Us => "in",
            UnitSystem::Si => "mm",
        }
    }

    /// Name of the velocity unit (`fps` or `m/s`).
    pub fn velocity_label(&self) -> &'static str {
        match self.system {
            UnitSystem::Us => "fps",
            UnitSystem::Si => "m/s",
        }
    }

    /// Name of the unit head loss (`/1000ft` or `/1000m`).
    pub fn headloss_label(&self) -> &'static str {
        match self.system {
            UnitSystem::Us => "/1000ft",
            UnitSystem::Si => "/1000m",
        }
    }

    /// Name of the power unit (`hp` or `kw`).
    pub fn power_label(&self) -> &'static str {
        match self.system {
            UnitSystem::Us => "hp",
            UnitSystem::Si => "kw",
        }
    }

    /// Name of the pressure unit (`psi`, `kPa`, `m`, `bar`, `ft`).
    pub fn pressure_label(&self) -> &'static str {
        match self.pressure_units {
            PressureUnits::Psi => "psi",
            PressureUnits::Kpa => "kPa",
            PressureUnits::Meters => "m",
            PressureUnits::Bar => "bar",
            PressureUnits::Feet => "ft",
        }
    }

    /// A length in m as EPANET's internal feet.
    pub fn feet(metres: f64) -> f64 {
        metres / METRES_PER_FOOT
    }

    /// A flow in m³/s as EPANET's internal ft³/s.
    pub fn cubic_feet_per_second(flow: f64) -> f64 {
        flow / CUBIC_METRES_PER_CUBIC_FOOT
    }

    /// A flow in m³/s in report units.
    pub fn report_flow(&self, flow: f64) -> f64 {
        ReportUnits::cubic_feet_per_second(flow) * self.flow
    }

    /// A length in m in report units.
    pub fn report_length(&self, metres: f64) -> f64 {
        ReportUnits::feet(metres) * self.length
    }

    /// A pressure head in m in report pressure units.
    pub fn report_pressure(&self, metres: f64) -> f64 {
        ReportUnits::feet(metres) * self.pressure
    }

    /// A power in kW in report units.
    pub fn report_power(&self, kilowatts: f64) -> f64 {
        kilowatts / KW_PER_HP * self.power
    }
}

/// EPANET's code of a pressure unit in the binary output file.
pub fn pressure_units_code(units: PressureUnits) -> i32 {
    match units {
        PressureUnits::Psi => 0,
        PressureUnits::Kpa => 1,
        PressureUnits::Meters => 2,
        PressureUnits::Bar => 3,
        PressureUnits::Feet => 4,
    }
}

/// The pressure unit of an output file's code.
pub fn pressure_units_from_code(code: i32) -> Option<PressureUnits> {
    Some(match code {
        0 => PressureUnits::Psi,
        1 => PressureUnits::Kpa,
        2 => PressureUnits::Meters,
        3 => PressureUnits::Bar,
        4 => PressureUnits::Feet,
        _ => return None,
    })
}

/// EPANET's code of a flow unit in the binary output file (its position in EPANET's list).
pub fn flow_units_code(units: FlowUnits) -> i32 {
    FlowUnits::ALL.iter().position(|&u| u == units).unwrap_or(0) as i32 // ok: ALL lists every variant
}

/// Name of a flow unit as EPANET's report prints it.
pub fn flow_label(units: FlowUnits) -> &'static str {
    match units {
        FlowUnits::Cfs => "cfs",
        FlowUnits::Gpm => "gpm",
        FlowUnits::Mgd => "mgd",
        FlowUnits::Imgd => "Imgd",
        FlowUnits::Afd => "a-f/d",
        FlowUnits::Lps => "L/s",
        FlowUnits::Lpm => "Lpm",
        FlowUnits::Mld => "ML/d",
        FlowUnits::Cmh => "m3/h",
        FlowUnits::Cmd => "m3/d",
        FlowUnits::Cms => "m3/s",
    }
}

/// Units of the quality results for an analysis (`mg/L`, `hrs`, `%`, or empty).
pub fn quality_label(quality: &QualityAnalysis) -> String {
    match quality {
        QualityAnalysis::None => String::new(),
        QualityAnalysis::Chemical { units, .. } => units.clone(),
        QualityAnalysis::Age => "hrs".to_string(),
        QualityAnalysis::Trace { .. } => "%".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_flows_go_through_cubic_feet() {
        let units = ReportUnits::new(FlowUnits::Lps, PressureUnits::Meters, 1.0);
        // 1 m³/s is 1/0.028317 ft³/s, times 28.317 L/s per ft³/s: exactly 1000 L/s.
        assert!((units.report_flow(1.0) - 1000.0).abs() < 1e-9);
        assert!((units.report_length(10.0) - 10.0).abs() < 1e-12);
        assert!((units.report_pressure(10.0) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn psi_scales_with_specific_gravity_metres_do_not() {
        let water = ReportUnits::new(FlowUnits::Gpm, PressureUnits::Psi, 1.0);
        let brine = ReportUnits::new(FlowUnits::Gpm, PressureUnits::Psi, 1.2);
        assert!((brine.pressure / water.pressure - 1.2).abs() < 1e-12);
        let metres = ReportUnits::new(FlowUnits::Lps, PressureUnits::Meters, 1.2);
        assert!((metres.report_pressure(5.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn codes_follow_epanet() {
        assert_eq!(flow_units_code(FlowUnits::Cfs), 0);
        assert_eq!(flow_units_code(FlowUnits::Gpm), 1);
        assert_eq!(flow_units_code(FlowUnits::Cms), 10);
        assert_eq!(pressure_units_code(PressureUnits::Meters), 2);
        let units = ReportUnits::from_codes(5, 2).unwrap();
        assert_eq!(units.flow_label(), "L/s");
        assert_eq!(units.pressure_label(), "m");
        assert!(ReportUnits::from_codes(11, 0).is_none());
    }
}

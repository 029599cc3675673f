//! Solver options in EPANET's units.

use danjiang_network::units::{EpanetUnits, UnitSystem, METRES_PER_FOOT};
use danjiang_network::{DemandModel, HeadlossFormula, Network, Options, Unbalanced};

/// Kinematic viscosity of water at 20 °C, ft²/s.
const VISCOSITY_OF_WATER: f64 = 1.1e-5;

/// Solver options in EPANET's units (ft, ft³/s, s).
#[derive(Debug, Clone)]
pub(crate) struct SolverOptions {
    /// Pipe head loss formula.
    pub formula: HeadlossFormula,
    /// Exponent of flow in the pipe head loss formula (EPANET's Hexp): 1.852 for
    /// Hazen-Williams, 2 otherwise.
    pub headloss_exponent: f64,
    /// Exponent of flow in an emitter's head loss (EPANET's Qexp): the reciprocal of the
    /// file's emitter exponent.
    pub emitter_flow_exponent: f64,
    /// Kinematic viscosity, ft²/s.
    pub viscosity: f64,
    /// Head difference under which a status check treats heads as equal, ft (EPANET's Htol).
    pub head_tolerance: f64,
    /// Flow under which a status check treats a flow as zero, ft³/s (EPANET's Qtol).
    pub flow_tolerance: f64,
    /// Smallest head loss gradient a link or emitter is given, ft per ft³/s (EPANET's
    /// RQtol).
    pub relative_flow_tolerance: f64,
    /// Convergence limit on the sum of flow changes over the sum of flows (EPANET's Hacc).
    pub accuracy: f64,
    /// Most trials of one solution.
    pub max_trials: u32,
    /// -1 for UNBALANCED STOP, else the extra trials of CONTINUE n.
    pub extra_trials: i64,
    /// Trials between status checks.
    pub check_frequency: u32,
    /// Last trial at which links' status is checked every `check_frequency` trials before
    /// convergence.
    pub max_check: u32,
    /// Relative error under which flow changes are damped (by 0.6) and pressure valves
    /// checked; 0 checks them every trial, undamped.
    pub damp_limit: f64,
    /// Largest head error allowed at convergence, ft (0: not checked).
    pub head_error_limit: f64,
    /// Largest flow change allowed at convergence, ft³/s (0: not checked).
    pub flow_change_limit: f64,
    /// Demand-driven or pressure-driven demands.
    pub demand_model: DemandModel,
    /// Pressure under which a pressure-driven demand is zero, ft.
    pub minimum_pressure: f64,
    /// Pressure at which a pressure-driven demand is met in full, ft.
    pub required_pressure: f64,
    /// Exponent of pressure in the pressure-driven demand function.
    pub pressure_exponent: f64,
    /// Whether emitters may take flow back into the network.
    pub emitter_backflow: bool,
    /// Multiplier of every demand.
    pub demand_multiplier: f64,
    /// Specific gravity of the fluid.
    pub specific_gravity: f64,
    /// Pump efficiency without an efficiency curve, percent.
    pub global_efficiency: f64,
    /// Energy price per kWh.
    pub global_price: f64,
    /// Pattern of the energy price.
    pub global_price_pattern: Option<usize>,
    /// Charge per maximum kW used.
    pub demand_charge: f64,
}

/// EPANET's Qexp: the exponent of flow in an emitter's head loss.
pub(crate) fn emitter_flow_exponent(options: &Options) -> f64 {
    if options.emitter_exponent > 0.0 {
        1.0 / options.emitter_exponent
    } else {
        2.0
    }
}

impl SolverOptions {
    /// The options of `network` in EPANET's units.
    pub(crate) fn new(network: &Network, units: &EpanetUnits) -> SolverOptions {
        let options = &network.options;
        let global_price_pattern = network
            .energy
            .global_pattern
            .as_deref()
            .and_then(|id| network.pattern_idx(id).map(|p| p.index()));
        SolverOptions {
            formula: options.headloss,
            headloss_exponent: if options.headloss == HeadlossFormula::HazenWilliams {
                1.852
            } else {
                2.0
            },
            emitter_flow_exponent: emitter_flow_exponent(options),
            viscosity: viscosity(options),
            head_tolerance: 0.0005,
            flow_tolerance: 0.0001,
            relative_flow_tolerance: 1e-7,
            accuracy: options.accuracy,
            max_trials: options.trials,
            extra_trials: match options.unbalanced {
                Unbalanced::Stop => -1,
                Unbalanced::Continue(n) => i64::from(n),
            },
            check_frequency: options.check_frequency,
            max_check: options.max_check,
            damp_limit: options.damp_limit,
            head_error_limit: units.feet(options.head_error),
            flow_change_limit: units.cfs(options.flow_change),
            demand_model: options.demand_model,
            minimum_pressure: units.pressure_feet(options.minimum_pressure),
            required_pressure: units.pressure_feet(options.required_pressure),
            pressure_exponent: options.pressure_exponent,
            emitter_backflow: options.emitter_backflow,
            demand_multiplier: options.demand_multiplier,
            specific_gravity: options.specific_gravity,
            global_efficiency: network.energy.global_efficiency,
            global_price: network.energy.global_price,
            global_price_pattern,
            demand_charge: network.energy.demand_charge,
        }
    }
}

/// Kinematic viscosity in ft²/s: the file's value is relative to water's when above
/// 10⁻³, else absolute (m²/s in an SI file).
fn viscosity(options: &Options) -> f64 {
    if options.viscosity > 1.0e-3 {
        options.viscosity * VISCOSITY_OF_WATER
    } else if options.flow_units.system() == UnitSystem::Si {
        options.viscosity / (METRES_PER_FOOT * METRES_PER_FOOT)
    } else {
        options.viscosity
    }
}

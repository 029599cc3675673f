//! Contamination sweeps: one injection per scenario, hydraulics solved once and shared, and
//! for each scenario when, how strongly and to whom the contaminant arrives.

mod receptors;
mod scenario;
mod sweep;

pub use receptors::{
    population_by_demand, read_node_list, read_population, Receptor, ReceptorRole, Receptors,
};
pub use scenario::{
    every_node, parse_kind, parse_scenarios, parse_time, read_scenarios, Injection,
    InjectionDefaults,
};
pub use sweep::{
    receptor_schema, receptor_table, scenario_schema, scenario_table, summary_text,
    ContaminationSweep, ReceptorOutcome, ScenarioOutcome, ScenarioResults, SweepOptions,
};

//! A whole quality run over stored hydraulics, with its results per reporting period.

use crate::hydraulics::StoredHydraulics;
use crate::simulation::{MassBalance, QualitySimulation, ReactionSummary};
use crate::QualityError;
use danjiang_network::Network;
use serde::Serialize;

/// Quality at one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityPeriod {
    /// Time since the start of the run, s.
    pub time: u64,
    /// Quality at each node, in the analysis' unit.
    pub node_quality: Vec<f64>,
    /// Average quality in each link, in the analysis' unit.
    pub link_quality: Vec<f64>,
    /// Average reaction rate in each link, quality unit per day.
    pub link_reaction_rate: Vec<f64>,
}

/// Results of a whole quality run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityResults {
    /// Every reporting period, in time order.
    pub periods: Vec<QualityPeriod>,
    /// The mass balance at the end of the run.
    pub mass_balance: MassBalance,
    /// Average reaction rates over the run.
    pub reactions: ReactionSummary,
}

/// Runs the network's quality analysis over stored hydraulics, as EPANET does after a
/// hydraulic run: results equal a run made beside the hydraulic solver, except that, like
/// EPANET, FIFO and LIFO tanks test fullness against the tank volumes at the end of the run.
pub fn run_over_stored(
    network: &Network,
    hydraulics: &StoredHydraulics,
) -> Result<QualityResults, QualityError> {
    let mut simulation = QualitySimulation::new(network)?;
    simulation.use_final_tank_volumes(hydraulics);
    let mut periods = Vec::new();
    for snapshot in hydraulics.snapshots() {
        if simulation.load_hydraulics(snapshot)? {
            periods.push(QualityPeriod {
                time: snapshot.time,
                node_quality: simulation.node_quality().to_vec(),
                link_quality: simulation.link_quality(),
                link_reaction_rate: simulation.link_reaction_rates().to_vec(),
            });
        }
        if simulation.advance()? == 0 {
            break;
        }
    }
    Ok(QualityResults {
        periods,
        mass_balance: simulation.mass_balance(),
        reactions: simulation.reaction_summary(),
    })
}

//! The quality simulation a caller drives one hydraulic snapshot at a time.

use crate::hydraulics::{HydraulicSnapshot, StoredHydraulics};
use crate::parameters::{Analysis, NodeRole, Parameters};
use crate::parcels::{volume_and_mass, Parcel, ParcelQueue};
use crate::QualityError;
use danjiang_network::units::CUBIC_METRES_PER_CUBIC_FOOT;
use danjiang_network::{MixingModel, Network};
use serde::Serialize;

/// EPANET's mass balance of the constituent over the run so far. Masses are in EPANET's
/// units: mg (or µg) for a chemical, hours × ft³ for age, percent × ft³ for trace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MassBalance {
    /// Mass in pipes and tanks at the start.
    pub initial: f64,
    /// Mass that entered from reservoirs and sources.
    pub inflow: f64,
    /// Mass that left with demands, into reservoirs and over tank tops.
    pub outflow: f64,
    /// Mass lost to reactions (negative for growth).
    pub reacted: f64,
    /// Mass in pipes and tanks now.
    pub final_mass: f64,
    /// (outflow + final + reacted losses) / (initial + inflow + reacted gains).
    pub ratio: f64,
    /// Parcels created less parcels flushed out of links (EPANET's "Total Segments").
    pub parcel_count: i64,
}

/// EPANET's reaction report: average reaction rates over the run, mass per hour (mg/h or
/// µg/h), counted from the report start time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ReactionSummary {
    /// Bulk reactions in pipes.
    pub bulk_rate: f64,
    /// Wall reactions in pipes.
    pub wall_rate: f64,
    /// Reactions in tanks.
    pub tank_rate: f64,
    /// Mass added by sources.
    pub source_rate: f64,
}

/// Running totals behind [`MassBalance`] and [`ReactionSummary`], in quality unit × m³.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    pub initial: f64,
    pub inflow: f64,
    pub outflow: f64,
    pub reacted: f64,
    pub final_mass: f64,
    pub ratio: f64,
    pub bulk: f64,
    pub wall: f64,
    pub tank: f64,
    pub source: f64,
}

/// A water-quality simulation over a sequence of hydraulic snapshots.
///
/// Call [`load_hydraulics`](Self::load_hydraulics) with the snapshot for the current time,
/// read the results (they are the state at that time, as EPANET reports it), then
/// [`advance`](Self::advance) to route water to the next hydraulic time.
#[derive(Debug, Clone)]
pub struct QualitySimulation {
    pub(crate) p: Parameters,
    /// Quality at each node, quality unit.
    pub(crate) node_quality: Vec<f64>,
    /// Quality of the water leaving each tank (EPANET's tank concentration).
    pub(crate) tank_quality: Vec<f64>,
    /// Parcels of each link, then of each tank.
    pub(crate) parcels: Vec<ParcelQueue>,
    /// -1, 0 (stagnant) or +1 per link.
    pub(crate) flow_direction: Vec<i8>,
    pub(crate) link_flow: Vec<f64>,
    pub(crate) node_demand: Vec<f64>,
    /// Whether the hydraulics say each tank is full (FIFO and LIFO tanks then spill).
    pub(crate) tank_full: Vec<bool>,
    /// Whether each tank is full at the end of the hydraulic run: EPANET tests fullness with
    /// the tank volumes left by the hydraulic run when it routes quality over a saved
    /// hydraulics file.
    pub(crate) final_tank_full: Option<Vec<bool>>,
    /// Wall rate coefficient per link for the current flows (1/s first order, m/s zero order).
    pub(crate) wall_rate: Vec<f64>,
    /// Average reaction rate per link over the last quality step, quality unit per day.
    pub(crate) link_reaction_rate: Vec<f64>,
    pub(crate) sorted_nodes: Vec<usize>,
    pub(crate) indegree: Vec<u32>,
    pub(crate) stack: Vec<usize>,
    /// Quality the current node's source adds to its outflow (scratch during routing).
    pub(crate) source_quality: f64,
    /// Mass added by each node's source so far, quality unit × m³.
    pub(crate) source_mass: Vec<f64>,
    pub(crate) totals: Totals,
    pub(crate) parcel_count: i64,
    /// Current quality time, s.
    pub(crate) time: u64,
    /// Time of the next hydraulic solution, s.
    pub(crate) hydraulic_time: u64,
    next_report: u64,
    loaded: bool,
}

/// A flow in m³/s rounded as EPANET's hydraulics file stores it (float32 ft³/s).
fn as_epanet_stores_it(flow: f64) -> f64 {
    let cubic_feet_per_second = (flow / CUBIC_METRES_PER_CUBIC_FOOT) as f32;
    f64::from(cubic_feet_per_second) * CUBIC_METRES_PER_CUBIC_FOOT
}

impl QualitySimulation {
    /// Sets up a quality run of the network's `[OPTIONS] QUALITY` analysis.
    pub fn new(network: &Network) -> Result<QualitySimulation, QualityError> {
        let p = Parameters::from_network(network)?;
        let node_count = p.roles.len();
        let link_count = p.links.len();
        let tank_count = p.tanks.len();

        let mut node_quality: Vec<f64> = match p.analysis {
            Analysis::Trace(_) => vec![0.0; node_count],
            _ => p.initial_quality.clone(),
        };
        let tank_quality = p.tanks.iter().map(|t| node_quality[t.node]).collect();
        if let Analysis::Trace(node) = p.analysis {
            node_quality[node] = 100.0;
        }

        let mut parcels = vec![ParcelQueue::new(); link_count + tank_count];
        if p.analysis != Analysis::None {
            for (k, link) in p.links.iter().enumerate() {
                if link.holds_water {
                    parcels[k].push_back(Parcel {
                        volume: link.volume,
                        quality: node_quality[link.to],
                    });
                }
            }
            for (i, tank) in p.tanks.iter().enumerate() {
                // Tanks start with their initial quality even in a trace.
                let quality = p.initial_quality[tank.node];
                let queue = &mut parcels[link_count + i];
                if tank.mixing == MixingModel::TwoCompartment {
                    let mixing_zone = tank.mixing_fraction * tank.max_volume;
                    let stagnant = (tank.initial_volume - mixing_zone).max(0.0);
                    queue.push_back(Parcel {
                        volume: stagnant,
                        quality,
                    });
                    queue.push_back(Parcel {
                        volume: tank.initial_volume - stagnant,
                        quality,
                    });
                } else {
                    queue.push_back(Parcel {
                        volume: tank.initial_volume,
                        quality,
                    });
                }
            }
        }

        let tank_full = p
            .tanks
            .iter()
            .map(|t| t.initial_volume >= t.max_volume)
            .collect();
        let mut simulation = QualitySimulation {
            node_quality,
            tank_quality,
            parcels,
            flow_direction: vec![0; link_count],
            link_flow: vec![0.0; link_count],
            node_demand: vec![0.0; node_count],
            tank_full,
            final_tank_full: None,
            wall_rate: vec![0.0; link_count],
            link_reaction_rate: vec![0.0; link_count],
            // Until flows first change direction nothing is sorted, and EPANET routes no node:
            // in a network whose flows all stay stagnant only reactions change quality.
            sorted_nodes: Vec::with_capacity(node_count),
            indegree: vec![0; node_count],
            stack: Vec::with_capacity(node_count),
            source_quality: 0.0,
            source_mass: vec![0.0; node_count],
            totals: Totals::default(),
            parcel_count: 0,
            time: 0,
            hydraulic_time: 0,
            next_report: p.report_start,
            loaded: false,
            p,
        };
        simulation.totals.initial = simulation.stored_mass();
        Ok(simulation)
    }

    /// Tests tank fullness against the tank volumes at the end of a stored hydraulic run,
    /// as EPANET does when it routes quality over its hydraulics file. [`run_over_stored`]
    /// does this; a caller stepping beside a live hydraulic run should not.
    ///
    /// [`run_over_stored`]: crate::run_over_stored
    pub fn use_final_tank_volumes(&mut self, hydraulics: &StoredHydraulics) {
        if let Some(last) = hydraulics.snapshots().last() {
            if last.node_head.len() == self.p.roles.len() {
                self.final_tank_full = Some(
                    self.p
                        .tanks
                        .iter()
                        .map(|t| t.is_full_at(last.node_head[t.node]))
                        .collect(),
                );
            }
        }
    }

    /// Loads the hydraulic solution for the current quality time. Returns whether this time
    /// is a reporting period (at or after the report start, on the report step); the
    /// quality read now is what EPANET writes for that period.
    pub fn load_hydraulics(&mut self, snapshot: &HydraulicSnapshot) -> Result<bool, QualityError> {
        if snapshot.time != self.time {
            return Err(QualityError::HydraulicsMismatch(format!(
                "quality is at {} s but the hydraulic snapshot is for {} s",
                self.time, snapshot.time
            )));
        }
        if snapshot.node_demand.len() != self.p.roles.len()
            || snapshot.node_head.len() != self.p.roles.len()
            || snapshot.link_flow.len() != self.p.links.len()
        {
            return Err(QualityError::HydraulicsMismatch(format!(
                "snapshot at {} s has {} demands, {} heads and {} flows for a network of {} nodes and {} links",
                snapshot.time,
                snapshot.node_demand.len(),
                snapshot.node_head.len(),
                snapshot.link_flow.len(),
                self.p.roles.len(),
                self.p.links.len()
            )));
        }
        if let Some(bad) = snapshot
            .link_flow
            .iter()
            .chain(&snapshot.node_demand)
            .find(|v| !v.is_finite())
        {
            return Err(QualityError::HydraulicsMismatch(format!(
                "snapshot at {} s holds a flow or demand that is not a number ({bad})",
                snapshot.time
            )));
        }
        // EPANET routes quality over hydraulics it stored as float32 in cubic feet per second;
        // rounding the same way gives the quality routing exactly EPANET's flows whenever the
        // hydraulics agree to float32 precision.
        for (ours, &flow) in self.link_flow.iter_mut().zip(&snapshot.link_flow) {
            *ours = as_epanet_stores_it(flow);
        }
        for (ours, &demand) in self.node_demand.iter_mut().zip(&snapshot.node_demand) {
            *ours = as_epanet_stores_it(demand);
        }
        for (full, tank) in self.tank_full.iter_mut().zip(&self.p.tanks) {
            *full = tank.is_full_at(snapshot.node_head[tank.node]);
        }
        self.hydraulic_time = snapshot.time.saturating_add(snapshot.step_length);
        self.loaded = true;
        let report = snapshot.time >= self.next_report;
        if report {
            self.next_report = self.next_report.saturating_add(self.p.report_step);
        }
        Ok(report)
    }

    /// Routes water from the current time to the next hydraulic time (or not at all past the
    /// run's duration). Returns the seconds advanced; zero means the run is over.
    pub fn advance(&mut self) -> Result<u64, QualityError> {
        if !self.loaded {
            return Err(QualityError::NoHydraulics(self.time));
        }
        self.loaded = false;
        let step = if self.hydraulic_time <= self.p.duration {
            self.hydraulic_time - self.time
        } else {
            0
        };
        if self.p.analysis != Analysis::None && self.time < self.p.duration {
            if self.p.reactive && self.p.analysis != Analysis::Age {
                self.update_wall_rates();
            }
            if self.update_flow_directions() {
                self.sort_nodes()?;
            }
        }
        if self.p.analysis != Analysis::None && step > 0 {
            let mut done = 0;
            while done < step {
                let dt = self.p.quality_step.min(step - done);
                done += dt;
                self.route(dt);
            }
        }
        self.evaluate_mass_balance();
        self.time += step;
        Ok(step)
    }

    /// Current quality time, s.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Quality at each node (for a tank, of the water it releases), in the analysis' unit.
    pub fn node_quality(&self) -> &[f64] {
        &self.node_quality
    }

    /// Average quality in each link, in the analysis' unit: the volume-weighted mean of its
    /// parcels, or the mean of its end nodes when it holds no water.
    pub fn link_quality(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.p.links.len()];
        self.link_quality_into(&mut out);
        out
    }

    /// [`link_quality`](Self::link_quality) written into a caller's buffer (one per link).
    pub fn link_quality_into(&self, out: &mut [f64]) {
        for (k, value) in out.iter_mut().enumerate().take(self.p.links.len()) {
            *value = if self.p.analysis == Analysis::None {
                0.0
            } else {
                let (volume, mass) = volume_and_mass(&self.parcels[k]);
                if volume > 0.0 {
                    mass / volume
                } else {
                    let link = &self.p.links[k];
                    (self.node_quality[link.from] + self.node_quality[link.to]) / 2.0
                }
            };
        }
    }

    /// Average reaction rate in each link over the last quality step, quality unit per day
    /// (EPANET's link "reaction rate"; zero for age and trace).
    pub fn link_reaction_rates(&self) -> &[f64] {
        &self.link_reaction_rate
    }

    /// The mass balance so far (EPANET's units, see [`MassBalance`]).
    pub fn mass_balance(&self) -> MassBalance {
        let f = self.p.mass_unit_factor;
        MassBalance {
            initial: self.totals.initial * f,
            inflow: self.totals.inflow * f,
            outflow: self.totals.outflow * f,
            reacted: self.totals.reacted * f,
            final_mass: self.totals.final_mass * f,
            ratio: self.totals.ratio,
            parcel_count: self.parcel_count,
        }
    }

    /// Average reaction rates over the run (EPANET's reaction report), mass per hour.
    pub fn reaction_summary(&self) -> ReactionSummary {
        let hours = if self.p.duration > 0 {
            self.p.duration as f64 / 3600.0
        } else {
            1.0
        };
        let f = self.p.mass_unit_factor / hours;
        ReactionSummary {
            bulk_rate: self.totals.bulk * f,
            wall_rate: self.totals.wall * f,
            tank_rate: self.totals.tank * f,
            source_rate: self.totals.source * f,
        }
    }

    /// Mass each node's source has added so far (EPANET's units, as [`MassBalance`]).
    pub fn source_mass(&self) -> Vec<f64> {
        self.source_mass
            .iter()
            .map(|m| m * self.p.mass_unit_factor)
            .collect()
    }

    /// Mass held in pipes and tanks, quality unit × m³.
    pub(crate) fn stored_mass(&self) -> f64 {
        self.parcels.iter().map(|q| volume_and_mass(q).1).sum()
    }

    fn evaluate_mass_balance(&mut self) {
        let t = &mut self.totals;
        if self.p.analysis == Analysis::None {
            t.ratio = 1.0;
            return;
        }
        t.final_mass = self.parcels.iter().map(|q| volume_and_mass(q).1).sum();
        let mut mass_in = t.initial + t.inflow;
        let mut mass_out = t.outflow + t.final_mass;
        if t.reacted > 0.0 {
            mass_out += t.reacted;
        } else {
            mass_in -= t.reacted;
        }
        t.ratio = if mass_in == 0.0 {
            1.0
        } else {
            mass_out / mass_in
        };
    }

    /// The role of a node.
    #[inline]
    pub(crate) fn role(&self, node: usize) -> NodeRole {
        self.p.roles[node]
    }
}

//! Pump energy: power and efficiency at each time and the totals of EPANET's energy
//! report (utilisation, average efficiency, kWh per unit volume, average and peak kW,
//! cost per day, demand charge).

use crate::network_view::{interpolate, LinkType, NetworkView, QZERO};
use crate::solver::state::SolverState;
use danjiang_network::units::{CUBIC_METRES_PER_CUBIC_FOOT, KW_PER_HP};
use serde::{Deserialize, Serialize};

/// Energy use of one pump over a run, as EPANET's energy report gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PumpEnergy {
    /// Index of the pump's link in the model.
    pub link: usize,
    /// Percent of the run the pump was on.
    pub utilisation: f64,
    /// Average efficiency while on, percent.
    pub average_efficiency: f64,
    /// Energy per volume pumped, kWh per m³.
    pub kwh_per_cubic_metre: f64,
    /// Average power while on, kW.
    pub average_kw: f64,
    /// Peak power, kW.
    pub peak_kw: f64,
    /// Cost per day.
    pub cost_per_day: f64,
}

/// The energy report: every pump and the network's demand charge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnergyReport {
    /// One entry per pump, in link order.
    pub pumps: Vec<PumpEnergy>,
    /// Demand charge: price per peak kW times the peak of total pumping power.
    pub demand_charge: f64,
    /// Peak of total pumping power, kW.
    pub peak_total_kw: f64,
}

/// Running totals of one pump (EPANET's `Energy` record), hours and kW.
#[derive(Debug, Clone, Default)]
pub(crate) struct PumpTotals {
    pub time_online: f64,
    pub efficiency: f64,
    pub kwh_per_flow: f64,
    pub kwh: f64,
    pub max_kw: f64,
    pub cost: f64,
    pub current_power: f64,
    pub current_efficiency: f64,
}

/// Power (kW) and efficiency (fraction) of pump link `k` at the current solution.
pub(crate) fn pump_power(view: &NetworkView, state: &SolverState, k: usize) -> (f64, f64) {
    if state.status[k].is_closed() {
        return (0.0, 0.0);
    }
    let q = state.flow[k].abs();
    let dh = (state.head[view.links.from[k]] - state.head[view.links.to[k]]).abs();
    let mut e = view.options.global_efficiency;
    if view.links.kind[k] == LinkType::Pump {
        if let Some(p) = view.links.pump_of_link[k] {
            let speed = state.setting[k];
            if let Some(curve) = &view.pumps[p].efficiency_curve {
                // The curve is in the file's flow units, as EPANET keeps it.
                let q_nominal = q / speed * view.units.flow;
                e = interpolate(curve, q_nominal);
                // Sarbu and Borza's correction of efficiency for speed.
                e = 100.0 - (100.0 - e) * (1.0 / speed).powf(0.1);
            }
        }
        e = e.clamp(1.0, 100.0) / 100.0;
    } else {
        e = 1.0;
    }
    let kw = dh * q * view.options.specific_gravity / 8.814 / e * KW_PER_HP;
    (kw, e)
}

/// Records every pump's current power and efficiency.
pub(crate) fn update_current_power(
    view: &NetworkView,
    state: &SolverState,
    totals: &mut [PumpTotals],
) {
    for (p, pump) in view.pumps.iter().enumerate() {
        let (kw, e) = pump_power(view, state, pump.link);
        totals[p].current_power = kw;
        totals[p].current_efficiency = e;
    }
}

/// Adds the energy of a step of `step` seconds at time `time` (EPANET's `addenergy`);
/// returns the total power of all pumps, kW.
pub(crate) fn add_energy(
    view: &NetworkView,
    state: &SolverState,
    totals: &mut [PumpTotals],
    time: u64,
    step: u64,
    peak_total: &mut f64,
) {
    let dt = if view.times.duration == 0 {
        1.0
    } else if time < view.times.duration {
        step as f64 / 3600.0
    } else {
        0.0
    };
    if dt == 0.0 {
        return;
    }
    let period = (time + view.times.pattern_start) / view.times.pattern_step;
    let base_price = view.options.global_price;
    let base_factor = match view.options.global_price_pattern {
        Some(pattern) => view.pattern_value(pattern, period),
        None => 1.0,
    };
    let mut total = 0.0;
    for (p, pump) in view.pumps.iter().enumerate() {
        let t = &mut totals[p];
        if t.current_efficiency == 0.0 {
            continue;
        }
        let q = state.flow[pump.link].abs().max(QZERO);
        let mut price = if pump.price > 0.0 {
            pump.price
        } else {
            base_price
        };
        match pump.price_pattern {
            Some(pattern) => price *= view.pattern_value(pattern, period),
            None => price *= base_factor,
        }
        let kw = t.current_power;
        let e = t.current_efficiency;
        total += kw;
        t.time_online += dt;
        t.efficiency += e * dt;
        t.kwh_per_flow += kw / q * dt;
        t.kwh += kw * dt;
        t.max_kw = t.max_kw.max(kw);
        t.cost += price * kw * dt;
    }
    *peak_total = peak_total.max(total);
}

/// The energy report from the running totals of a run of `duration` seconds.
pub(crate) fn energy_report(
    view: &NetworkView,
    totals: &[PumpTotals],
    peak_total: f64,
) -> EnergyReport {
    let hours = if view.times.duration == 0 {
        24.0
    } else {
        view.times.duration as f64 / 3600.0
    };
    let mut pumps = Vec::with_capacity(totals.len());
    for (p, t) in totals.iter().enumerate() {
        let on = t.time_online;
        let mut entry = PumpEnergy {
            link: view.pumps[p].link,
            peak_kw: t.max_kw,
            ..PumpEnergy::default()
        };
        if on > 0.0 {
            entry.utilisation = on / hours * 100.0;
            entry.average_efficiency = t.efficiency / on * 100.0;
            // kWh per ft³/s-hour of flow, to kWh per m³.
            entry.kwh_per_cubic_metre = t.kwh_per_flow / on / 3600.0 / CUBIC_METRES_PER_CUBIC_FOOT;
            entry.average_kw = t.kwh / on;
            entry.cost_per_day = t.cost * 24.0 / hours;
        }
        pumps.push(entry);
    }
    EnergyReport {
        pumps,
        demand_charge: view.options.demand_charge * peak_total,
        peak_total_kw: peak_total,
    }
}

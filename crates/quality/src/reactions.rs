//! Bulk and wall reactions in pipes and bulk reactions in tanks, with EPANET's rate laws:
//! bulk reactions of order n with a limiting concentration (Michaelis-Menten for negative
//! orders), wall reactions of order zero or one limited by mass transfer to the wall.

use crate::parameters::{Analysis, Parameters};
use crate::simulation::QualitySimulation;
use danjiang_network::units::SECONDS_PER_DAY;

/// Mass-transfer coefficient standing in for "no limit" when mass transfer is switched off.
const UNLIMITED_TRANSFER: f64 = 1e10;
/// Smallest magnitude of a Michaelis-Menten denominator.
const TINY: f64 = 1e-6;

impl QualitySimulation {
    /// Recomputes each pipe's wall rate coefficient for the current flows and clears the
    /// reported reaction rates.
    pub(crate) fn update_wall_rates(&mut self) {
        for k in 0..self.p.links.len() {
            let wall = self.p.links[k].wall;
            self.wall_rate[k] = if wall != 0.0 {
                wall_rate_coefficient(&self.p, k, self.link_flow[k])
            } else {
                0.0
            };
            self.link_reaction_rate[k] = 0.0;
        }
    }

    /// Reacts the water in every pipe over `dt` seconds.
    pub(crate) fn react_pipes(&mut self, dt: u64) {
        let dt_s = dt as f64;
        let age_step = dt_s / 3600.0;
        let counts = self.hydraulic_time >= self.p.report_start;
        let chemical = self.p.analysis == Analysis::Chemical;
        for k in 0..self.p.links.len() {
            let link = &self.p.links[k];
            if !link.holds_water {
                continue;
            }
            let (bulk, wall, diameter, wall_rate) =
                (link.bulk, link.wall, link.diameter, self.wall_rate[k]);
            let (mut rate_sum, mut volume_sum) = (0.0, 0.0);
            for parcel in self.parcels[k].iter_mut() {
                let before = parcel.quality;
                if self.p.analysis == Analysis::Age {
                    parcel.quality = (before + age_step).max(0.0);
                } else {
                    let bulk_change = bulk_rate(&self.p, before, bulk, self.p.bulk_order) * dt_s;
                    let wall_change =
                        wall_reaction_rate(&self.p, before, diameter, wall, wall_rate) * dt_s;
                    if counts {
                        self.totals.bulk += bulk_change.abs() * parcel.volume;
                        self.totals.wall += wall_change.abs() * parcel.volume;
                    }
                    parcel.quality = (before + bulk_change + wall_change).max(0.0);
                }
                self.totals.reacted += (before - parcel.quality) * parcel.volume;
                if chemical {
                    rate_sum += (parcel.quality - before).abs() * parcel.volume;
                    volume_sum += parcel.volume;
                }
            }
            self.link_reaction_rate[k] = if volume_sum > 0.0 {
                rate_sum / volume_sum / dt_s * SECONDS_PER_DAY
            } else {
                0.0
            };
        }
    }

    /// Reacts the water in every tank over `dt` seconds.
    pub(crate) fn react_tanks(&mut self, dt: u64) {
        let dt_s = dt as f64;
        let counts = self.hydraulic_time >= self.p.report_start;
        let link_count = self.p.links.len();
        for i in 0..self.p.tanks.len() {
            let bulk = self.p.tanks[i].bulk;
            for parcel in self.parcels[link_count + i].iter_mut() {
                let before = parcel.quality;
                let change = if self.p.analysis == Analysis::Age {
                    dt_s / 3600.0
                } else {
                    let change = bulk_rate(&self.p, before, bulk, self.p.tank_order) * dt_s;
                    if counts {
                        self.totals.tank += change.abs() * parcel.volume;
                    }
                    change
                };
                parcel.quality = (before + change).max(0.0);
                self.totals.reacted += (before - parcel.quality) * parcel.volume;
            }
        }
    }
}

/// Wall rate coefficient of a pipe at a flow: the apparent first-order coefficient (1/s),
/// or for zero order the mass-transfer coefficient (m/s).
fn wall_rate_coefficient(p: &Parameters, k: usize, flow: f64) -> f64 {
    let link = &p.links[k];
    let d = link.diameter;
    // A pipe without a bore has no wall to react with (EPANET's wall rate is zero there too).
    if d.is_nan() || d <= 0.0 || link.length.is_nan() || link.length <= 0.0 {
        return 0.0;
    }
    if p.schmidt == 0.0 {
        return if p.wall_order_zero {
            UNLIMITED_TRANSFER
        } else {
            link.wall * 4.0 / d
        };
    }
    let area = std::f64::consts::PI * d * d / 4.0;
    let velocity = flow.abs() / area;
    let reynolds = velocity * d / p.viscosity;
    let sherwood = if reynolds < 1.0 {
        // Stagnant water: diffusion over the radius.
        2.0
    } else if reynolds >= 2300.0 {
        // Turbulent: Notter-Sleicher.
        0.0149 * reynolds.powf(0.88) * p.schmidt.powf(0.333)
    } else {
        // Laminar: Graetz solution.
        let y = d / link.length * reynolds * p.schmidt;
        3.65 + 0.0668 * y / (1.0 + 0.04 * y.powf(0.667))
    };
    let transfer = sherwood * p.diffusivity / d;
    if p.wall_order_zero {
        transfer
    } else {
        let wall = link.wall;
        4.0 / d * wall * transfer / (transfer + wall.abs())
    }
}

/// Bulk reaction rate, quality unit per second.
fn bulk_rate(p: &Parameters, c: f64, coefficient: f64, order: f64) -> f64 {
    let potential = if order == 0.0 {
        1.0
    } else if order < 0.0 {
        let mut denominator = p.limiting_concentration + sign(coefficient) * c;
        if denominator.abs() < TINY {
            denominator = sign(denominator) * TINY;
        }
        c / denominator
    } else {
        let driving = if p.limiting_concentration == 0.0 {
            c
        } else {
            (sign(coefficient) * (p.limiting_concentration - c)).max(0.0)
        };
        if order == 1.0 {
            driving
        } else if order == 2.0 {
            driving * c
        } else {
            driving * c.max(0.0).powf(order - 1.0)
        }
    };
    coefficient * potential.max(0.0)
}

/// Wall reaction rate, quality unit per second.
fn wall_reaction_rate(p: &Parameters, c: f64, diameter: f64, wall: f64, rate: f64) -> f64 {
    if wall == 0.0 || diameter == 0.0 {
        return 0.0;
    }
    if p.wall_order_zero {
        // The reaction runs at its own rate unless mass transfer to the wall is slower.
        let transfer_limited = sign(wall) * c * rate;
        let limited = if transfer_limited.abs() < wall.abs() {
            transfer_limited
        } else {
            wall
        };
        limited * 4.0 / diameter
    } else {
        c * rate
    }
}

/// EPANET's sign: -1 below zero, otherwise +1 (zero counts as positive).
fn sign(x: f64) -> f64 {
    if x < 0.0 {
        -1.0
    } else {
        1.0
    }
}

//! Tank mixing models: complete mixing, two compartments, first-in first-out and
//! last-in first-out plug flow, as EPANET 2.3 models them.
//!
//! Each returns the quality of the water the tank releases. Overflow from a full tank leaves
//! the network and is counted as outflow in the mass balance.

use crate::parcels::{emptied_by, reverse, Parcel, ParcelQueue};
use crate::simulation::QualitySimulation;
use danjiang_network::MixingModel;

impl QualitySimulation {
    /// Mixes a step's inflow (`volume_in` at `mass_in`) into tank `i` while `volume_out`
    /// leaves; returns the tank's new outflow quality.
    pub(crate) fn mix_tank(
        &mut self,
        i: usize,
        volume_in: f64,
        mass_in: f64,
        volume_out: f64,
    ) -> f64 {
        let net = volume_in - volume_out;
        match self.p.tanks[i].mixing {
            MixingModel::Mixed => self.mix_complete(i, volume_in, mass_in, net),
            MixingModel::TwoCompartment => self.mix_two_compartments(i, volume_in, mass_in, net),
            MixingModel::Fifo => self.mix_first_in_first_out(i, volume_in, mass_in, net),
            MixingModel::Lifo => self.mix_last_in_first_out(i, volume_in, mass_in, net),
        }
        self.tank_quality[i]
    }

    fn tank_queue(&mut self, i: usize) -> &mut ParcelQueue {
        let k = self.p.links.len() + i;
        &mut self.parcels[k]
    }

    /// Whether the hydraulics say the tank is full.
    fn tank_is_full(&self, i: usize) -> bool {
        match &self.final_tank_full {
            Some(full) => full[i],
            None => self.tank_full[i],
        }
    }

    fn mix_complete(&mut self, i: usize, volume_in: f64, mass_in: f64, net: f64) {
        let max_volume = self.p.tanks[i].max_volume;
        let mut overflow = 0.0;
        let Some(zone) = self.tank_queue(i).front_mut() else {
            return;
        };
        let mixed_volume = zone.volume + volume_in;
        if mixed_volume > 0.0 {
            zone.quality = (zone.quality * zone.volume + mass_in) / mixed_volume;
        }
        zone.volume = (zone.volume + net).max(0.0);
        let quality = zone.quality;
        if zone.volume > max_volume {
            overflow = (zone.volume - max_volume) * quality;
            zone.volume = max_volume;
        }
        self.tank_quality[i] = quality;
        self.totals.outflow += overflow;
    }

    fn mix_two_compartments(&mut self, i: usize, volume_in: f64, mass_in: f64, net: f64) {
        let tank = &self.p.tanks[i];
        let mixing_full = tank.mixing_fraction * tank.max_volume;
        let stagnant_full = tank.max_volume - mixing_full;
        let k = self.p.links.len() + i;
        let queue = &mut self.parcels[k];
        if queue.len() < 2 {
            return;
        }
        // The stagnant zone is the first parcel, the mixing zone the last.
        let (mut stagnant, mut mixing) = (queue[0], queue[queue.len() - 1]);
        let mut transferred = 0.0;
        let mut overflow = 0.0;
        if net > 0.0 {
            transferred = (mixing.volume + net - mixing_full).max(0.0);
            if volume_in > 0.0 {
                mixing.quality =
                    (mixing.quality * mixing.volume + mass_in) / (mixing.volume + volume_in);
            }
            if transferred > 0.0 {
                stagnant.quality = (stagnant.quality * stagnant.volume
                    + mixing.quality * transferred)
                    / (stagnant.volume + transferred);
            }
        } else if net < 0.0 {
            if stagnant.volume > 0.0 {
                transferred = stagnant.volume.min(-net);
            }
            if volume_in + transferred > 0.0 {
                mixing.quality =
                    (mixing.quality * mixing.volume + mass_in + stagnant.quality * transferred)
                        / (mixing.volume + volume_in + transferred);
            }
        }
        if transferred > 0.0 {
            if net > 0.0 {
                mixing.volume = mixing_full;
                stagnant.volume += transferred;
                if stagnant.volume > stagnant_full {
                    overflow = (stagnant.volume - stagnant_full) * stagnant.quality;
                    stagnant.volume = stagnant_full;
                }
            } else {
                stagnant.volume = (stagnant.volume - transferred).max(0.0);
                mixing.volume = mixing_full + transferred + net;
            }
        } else {
            mixing.volume = (mixing.volume + net).min(mixing_full).max(0.0);
            if mixing_full - mixing.volume > 0.0 {
                stagnant.volume = 0.0;
            }
        }
        let last = queue.len() - 1;
        queue[0] = stagnant;
        queue[last] = mixing;
        self.tank_quality[i] = mixing.quality;
        self.totals.outflow += overflow;
    }

    fn mix_first_in_first_out(&mut self, i: usize, volume_in: f64, mass_in: f64, net: f64) {
        let tolerance = self.p.tolerance;
        let full = self.tank_is_full(i);
        if self.tank_queue(i).is_empty() {
            return;
        }
        if volume_in > 0.0 {
            let quality_in = mass_in / volume_in;
            let queue = self.tank_queue(i);
            match queue.back_mut() {
                Some(last) if (last.quality - quality_in).abs() < tolerance => {
                    last.volume += volume_in
                }
                _ => {
                    queue.push_back(Parcel {
                        volume: volume_in,
                        quality: quality_in,
                    });
                    self.parcel_count += 1;
                }
            }
        }
        // A full tank passes its inflow straight out of the top.
        let mut remaining = if full && net > 0.0 {
            volume_in
        } else {
            volume_in - net
        };
        let (mut volume, mut mass) = (0.0, 0.0);
        let queue = self.tank_queue(i);
        while remaining > 0.0 {
            let only = queue.len() == 1;
            let Some(first) = queue.front_mut() else {
                break;
            };
            // The last parcel gives whatever is asked of it.
            let taken = if only {
                remaining
            } else {
                first.volume.min(remaining)
            };
            volume += taken;
            mass += first.quality * taken;
            remaining -= taken;
            if emptied_by(taken, first.volume) {
                if !only {
                    queue.pop_front();
                }
            } else {
                first.volume -= taken;
            }
        }
        let quality = if volume > 0.0 {
            mass / volume
        } else {
            queue.front().map_or(0.0, |p| p.quality)
        };
        self.tank_quality[i] = quality;
        if full && net > 0.0 {
            self.totals.outflow += net * quality;
        }
    }

    fn mix_last_in_first_out(&mut self, i: usize, volume_in: f64, mass_in: f64, net: f64) {
        let tolerance = self.p.tolerance;
        let full = self.tank_is_full(i);
        if self.tank_queue(i).is_empty() {
            return;
        }
        let quality_in = if volume_in > 0.0 {
            mass_in / volume_in
        } else {
            0.0
        };
        let mut added = 0i64;
        let mut overflow = 0.0;
        let queue = self.tank_queue(i);
        let mut quality = queue.back().map_or(0.0, |p| p.quality);
        if net > 0.0 {
            match queue.back_mut() {
                Some(last) if (last.quality - quality_in).abs() < tolerance => last.volume += net,
                _ => {
                    queue.push_back(Parcel {
                        volume: net,
                        quality: quality_in,
                    });
                    added += 1;
                }
            }
            quality = queue.back().map_or(0.0, |p| p.quality);
            if full {
                // The oldest water, at the bottom of the stack, spills over.
                let mut remaining = net;
                while remaining > 0.0 {
                    let only = queue.len() == 1;
                    let Some(first) = queue.front_mut() else {
                        break;
                    };
                    let taken = if only {
                        remaining
                    } else {
                        first.volume.min(remaining)
                    };
                    overflow += first.quality * taken;
                    remaining -= taken;
                    if emptied_by(taken, first.volume) {
                        if !only {
                            queue.pop_front();
                        }
                    } else {
                        first.volume -= taken;
                    }
                }
            }
        } else if net < 0.0 {
            // Draw from the top of the stack: the latest water first.
            let mut remaining = -net;
            let (mut volume, mut mass) = (0.0, 0.0);
            reverse(queue);
            while remaining > 0.0 {
                let only = queue.len() == 1;
                let Some(top) = queue.front_mut() else { break };
                let taken = if only {
                    remaining
                } else {
                    top.volume.min(remaining)
                };
                volume += taken;
                mass += top.quality * taken;
                remaining -= taken;
                if emptied_by(taken, top.volume) {
                    if !only {
                        queue.pop_front();
                    }
                } else {
                    top.volume -= taken;
                }
            }
            reverse(queue);
            quality = (mass + mass_in) / (volume + volume_in);
        }
        self.parcel_count += added;
        self.tank_quality[i] = quality;
        self.totals.outflow += overflow;
    }
}

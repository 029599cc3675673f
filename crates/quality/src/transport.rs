//! Moving water parcels through links and mixing them at nodes over one quality step.

use crate::parameters::{Analysis, NodeRole, LITRES_PER_CUBIC_METRE, STAGNANT_FLOW};
use crate::parcels::{emptied_by, reverse, Parcel};
use crate::simulation::QualitySimulation;
use crate::QualityError;
use danjiang_network::SourceKind;

impl QualitySimulation {
    /// Takes the new flow directions; reverses the parcels of links whose flow turned round.
    /// Returns whether any direction changed (then nodes must be sorted again).
    pub(crate) fn update_flow_directions(&mut self) -> bool {
        let mut changed = false;
        for k in 0..self.p.links.len() {
            let flow = self.link_flow[k];
            let new = if flow.abs() < STAGNANT_FLOW {
                0
            } else if flow > 0.0 {
                1
            } else {
                -1
            };
            let old = self.flow_direction[k];
            if new * old < 0 {
                reverse(&mut self.parcels[k]);
            }
            if new != old {
                changed = true;
            }
            self.flow_direction[k] = new;
        }
        changed
    }

    /// Downstream node of a link for its current flow direction.
    #[inline]
    fn downstream(&self, k: usize) -> usize {
        let link = &self.p.links[k];
        if self.flow_direction[k] < 0 {
            link.from
        } else {
            link.to
        }
    }

    /// Upstream node of a link for its current flow direction.
    #[inline]
    fn upstream(&self, k: usize) -> usize {
        let link = &self.p.links[k];
        if self.flow_direction[k] < 0 {
            link.to
        } else {
            link.from
        }
    }

    /// Orders nodes from upstream to downstream, ignoring stagnant links. Where flow runs in
    /// a loop, the sort is broken open where EPANET breaks it, so loops route the same way.
    pub(crate) fn sort_nodes(&mut self) -> Result<(), QualityError> {
        let node_count = self.p.roles.len();
        self.indegree.iter_mut().for_each(|d| *d = 0);
        for k in 0..self.p.links.len() {
            if self.flow_direction[k] != 0 {
                let n = self.downstream(k);
                self.indegree[n] += 1;
            }
        }
        self.stack.clear();
        self.stack
            .extend((0..node_count).filter(|&n| self.indegree[n] == 0));
        self.sorted_nodes.resize(node_count, 0);
        let mut sorted = 0;
        while sorted < node_count {
            if self.stack.is_empty() {
                match self.node_to_break_loop(sorted) {
                    Some(n) => {
                        self.indegree[n] = 0;
                        self.stack.push(n);
                    }
                    None => break,
                }
            }
            let Some(node) = self.stack.pop() else { break };
            self.sorted_nodes[sorted] = node;
            sorted += 1;
            let range = self.p.adjacency_start[node]..self.p.adjacency_start[node + 1];
            for entry in range {
                let k = self.p.adjacency[entry].0;
                if self.flow_direction[k] == 0 {
                    continue;
                }
                let n = self.downstream(k);
                if n != node && self.indegree[n] > 0 {
                    self.indegree[n] -= 1;
                    if self.indegree[n] == 0 {
                        self.stack.push(n);
                    }
                }
            }
        }
        if sorted < node_count {
            return Err(QualityError::HydraulicsMismatch(format!(
                "flow directions at {} s leave {} nodes that cannot be ordered for routing",
                self.time,
                node_count - sorted
            )));
        }
        Ok(())
    }

    /// A node still waiting for inflow that neighbours the most recently sorted nodes.
    fn node_to_break_loop(&self, sorted: usize) -> Option<usize> {
        for &m in self.sorted_nodes[..sorted].iter().rev() {
            for &(_, n) in self.p.adjacent(m) {
                if self.indegree[n] > 0 {
                    return Some(n);
                }
            }
        }
        (0..self.p.roles.len()).find(|&n| self.indegree[n] > 0)
    }

    /// One quality step of `dt` seconds: react, then route node by node downstream.
    pub(crate) fn route(&mut self, dt: u64) {
        if self.p.reactive {
            self.react_pipes(dt);
            self.react_tanks(dt);
        }
        let dt_s = dt as f64;
        for j in 0..self.sorted_nodes.len() {
            let n = self.sorted_nodes[j];
            let mut volume_in = 0.0;
            let mut mass_in = 0.0;
            let mut volume_out = 0.0;
            let range = self.p.adjacency_start[n]..self.p.adjacency_start[n + 1];
            for entry in range.clone() {
                let k = self.p.adjacency[entry].0;
                if self.downstream(k) == n {
                    let (v, m) = self.release_from_link(k, dt_s);
                    volume_in += v;
                    mass_in += m;
                } else {
                    volume_out += self.link_flow[k].abs();
                }
            }
            if self.role(n) == NodeRole::Junction {
                volume_out += self.node_demand[n].max(0.0);
            }
            volume_out *= dt_s;
            let quality = self.node_outflow_quality(n, volume_in, mass_in, volume_out, dt_s);
            for entry in range {
                let k = self.p.adjacency[entry].0;
                if self.upstream(k) == n {
                    self.send_into_link(k, quality, dt_s);
                }
            }
            self.update_mass_balance(n, mass_in, volume_out, dt_s);
        }
    }

    /// Takes a step's flow volume out of the downstream end of a link; returns the volume
    /// and mass delivered to its downstream node.
    fn release_from_link(&mut self, k: usize, dt: f64) -> (f64, f64) {
        let mut remaining = self.link_flow[k].abs() * dt;
        let (mut volume, mut mass) = (0.0, 0.0);
        let queue = &mut self.parcels[k];
        while remaining > 0.0 {
            let Some(front) = queue.front_mut() else {
                break;
            };
            let taken = front.volume.min(remaining);
            volume += taken;
            mass += taken * front.quality;
            remaining -= taken;
            if emptied_by(taken, front.volume) {
                queue.pop_front();
                self.parcel_count -= 1;
            } else {
                front.volume -= taken;
            }
        }
        (volume, mass)
    }

    /// Puts a step's flow volume at the node's outflow quality into the upstream end of a
    /// link, joining the last parcel when the qualities are within the tolerance.
    fn send_into_link(&mut self, k: usize, quality: f64, dt: f64) {
        let volume = self.link_flow[k].abs() * dt;
        if volume == 0.0 {
            return;
        }
        let tolerance = self.p.tolerance;
        let queue = &mut self.parcels[k];
        match queue.back_mut() {
            Some(last) if (last.quality - quality).abs() < tolerance => {
                last.quality =
                    (last.quality * last.volume + quality * volume) / (last.volume + volume);
                last.volume += volume;
            }
            _ => {
                queue.push_back(Parcel { volume, quality });
                self.parcel_count += 1;
            }
        }
    }

    /// The quality of the water leaving a node, after mixing its inflows, its tank (if any)
    /// and its source (if any). Also updates the node's own quality.
    fn node_outflow_quality(
        &mut self,
        n: usize,
        volume_in: f64,
        mass_in: f64,
        volume_out: f64,
        dt: f64,
    ) -> f64 {
        match self.role(n) {
            NodeRole::Junction => {
                // An external inflow (negative demand) dilutes the mixture.
                let volume_in = volume_in - self.node_demand[n].min(0.0) * dt;
                if volume_in > 0.0 {
                    self.node_quality[n] = mass_in / volume_in;
                } else if self.p.reactive {
                    self.node_quality[n] = self.stagnant_node_quality(n);
                }
            }
            NodeRole::Tank(i) => {
                self.node_quality[n] = self.mix_tank(i, volume_in, mass_in, volume_out);
            }
            NodeRole::Reservoir => {}
        }
        self.source_quality = 0.0;
        if let Analysis::Trace(trace) = self.p.analysis {
            if n == trace {
                self.source_quality = if self.role(n) == NodeRole::Reservoir {
                    100.0
                } else {
                    (100.0 - self.node_quality[n]).max(0.0)
                };
                self.node_quality[n] = 100.0;
            }
            return self.node_quality[n];
        }
        self.source_quality = self.source_added_quality(n, volume_out, dt);
        if self.source_quality == 0.0 {
            return self.node_quality[n];
        }
        match self.role(n) {
            NodeRole::Junction => {
                self.node_quality[n] += self.source_quality;
                self.node_quality[n]
            }
            NodeRole::Tank(_) => self.node_quality[n] + self.source_quality,
            NodeRole::Reservoir => {
                // A reservoir's quality becomes its source's and stays so until the source
                // adds something again.
                self.node_quality[n] = self.source_quality;
                self.source_quality
            }
        }
    }

    /// Quality of a junction with no inflow: the mean of the water next to it in its links.
    fn stagnant_node_quality(&self, n: usize) -> f64 {
        let (mut sum, mut count) = (0.0, 0usize);
        for &(k, _) in self.p.adjacent(n) {
            let link = &self.p.links[k];
            let direction = self.flow_direction[k];
            let inflow = (link.to == n && direction >= 0) || (link.from == n && direction < 0);
            let parcel = if inflow {
                self.parcels[k].front()
            } else {
                self.parcels[k].back()
            };
            if let Some(parcel) = parcel {
                sum += parcel.quality;
                count += 1;
            }
        }
        if count > 0 {
            sum / count as f64
        } else {
            0.0
        }
    }

    /// Concentration a chemical source adds to a node's outflow over a step of `dt` s.
    fn source_added_quality(&mut self, n: usize, volume_out: f64, dt: f64) -> f64 {
        if self.p.analysis != Analysis::Chemical {
            return 0.0;
        }
        let Some(source) = &self.p.sources[n] else {
            return 0.0;
        };
        // A source acts only while its node sends water on.
        if source.strength == 0.0 || volume_out / dt <= STAGNANT_FLOW {
            return 0.0;
        }
        let mut strength = source.strength;
        if !source.pattern.is_empty() {
            let period = self.time.saturating_add(self.p.pattern_start) / self.p.pattern_step;
            strength *= source.pattern[(period % source.pattern.len() as u64) as usize];
        }
        let added = match source.kind {
            SourceKind::Concen => {
                if self.role(n) == NodeRole::Junction {
                    // Only the external inflow carries the concentration.
                    let demand = self.node_demand[n];
                    if demand < 0.0 {
                        -strength * demand * dt / volume_out
                    } else {
                        0.0
                    }
                } else {
                    strength
                }
            }
            SourceKind::Mass => strength * dt / volume_out / LITRES_PER_CUBIC_METRE,
            SourceKind::Setpoint => (strength - self.node_quality[n]).max(0.0),
            SourceKind::Flowpaced => strength,
        };
        let mass = added * volume_out;
        self.source_mass[n] += mass;
        if self.hydraulic_time >= self.p.report_start {
            self.totals.source += mass;
        }
        added
    }

    /// Adds a node's exchange of mass with the outside over a step to the mass balance.
    fn update_mass_balance(&mut self, n: usize, mass_in: f64, volume_out: f64, dt: f64) {
        let (lost, added) = match self.role(n) {
            NodeRole::Junction => (
                self.node_demand[n].max(0.0) * dt * self.node_quality[n],
                self.source_quality * volume_out,
            ),
            NodeRole::Reservoir => (
                mass_in,
                if self.source_quality > 0.0 {
                    self.source_quality * volume_out
                } else {
                    self.node_quality[n] * volume_out
                },
            ),
            NodeRole::Tank(_) => (0.0, self.source_quality * volume_out),
        };
        self.totals.outflow += lost;
        self.totals.inflow += added;
    }
}

//! A spill on the canal: a mass put in at once or at a rate over a duration at a chainage,
//! carried by the hydraulics; results at each outlet, gate, the outfall and chosen chainages
//! (arrival above a threshold, peak and its time, time above the threshold, mass passed), the
//! mass balance, and the latest time each outlet gate can start closing so that nothing above
//! the threshold enters it.

use crate::canal::Canal;
use crate::error::{CanalError, Result};
use crate::hydraulics::Simulation;
use crate::model::LinkKind;
use crate::steady::initial_state;
use crate::transport::{Dispersion, MassBalance, Transport};
use serde::Serialize;

/// Where the spill enters.
#[derive(Debug, Clone, Serialize)]
pub enum SpillAt {
    /// At a node of the main line.
    Node(String),
    /// At a chainage, m.
    Chainage(f64),
}

/// When a closure starts.
#[derive(Debug, Clone, Serialize)]
pub enum CloseWhen {
    /// At this time, s.
    At(f64),
    /// When the concentration arriving at the link first exceeds this, mg/L.
    Above(f64),
}

/// Closing a gate or outlet during the spill.
#[derive(Debug, Clone, Serialize)]
pub struct Closure {
    /// The link's ID.
    pub link: String,
    /// When.
    pub when: CloseWhen,
}

/// What to simulate.
#[derive(Debug, Clone, Serialize)]
pub struct SpillSpec {
    /// Where.
    pub at: SpillAt,
    /// Mass spilled, kg.
    pub mass_kg: f64,
    /// Start, s after the simulation's start.
    pub start_s: f64,
    /// Duration, s (0: all at once).
    pub duration_s: f64,
    /// Dispersion.
    pub dispersion: Dispersion,
    /// First-order decay, 1/s.
    pub decay_per_s: f64,
    /// Threshold, mg/L.
    pub threshold_mg_l: f64,
    /// Chainages to report, m.
    pub chainages: Vec<f64>,
    /// Gate and outlet closures.
    pub closures: Vec<Closure>,
}

/// What a spill did at one place.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceResult {
    /// The element's ID (or "km X.XXX").
    pub id: String,
    /// "outlet", "gate", "outfall" or "chainage".
    pub kind: String,
    /// Chainage, m.
    pub chainage_m: f64,
    /// First time above the threshold, s (None: never).
    pub arrival_s: Option<f64>,
    /// Peak concentration, mg/L.
    pub peak_mg_l: f64,
    /// Time of the peak, s.
    pub peak_time_s: f64,
    /// Total time above the threshold, s.
    pub above_threshold_s: f64,
    /// Mass passed, kg (None for a chainage).
    pub mass_kg: Option<f64>,
    /// For an outlet: the latest time its gate can start closing so that nothing above the
    /// threshold enters it (arrival less its closing time), s.
    pub latest_close_s: Option<f64>,
    /// Concentration at every step, mg/L.
    #[serde(skip)]
    pub series_mg_l: Vec<f64>,
}

/// A spill's results.
#[derive(Debug, Clone, Serialize)]
pub struct SpillResults {
    /// Chainage of the spill, m.
    pub spill_chainage_m: f64,
    /// Time of every step, s.
    pub times_s: Vec<f64>,
    /// Per place.
    pub places: Vec<PlaceResult>,
    /// Mass accounts, kg.
    pub mass_balance: MassBalance,
    /// Closures that happened: (link ID, time s).
    pub closures_made: Vec<(String, f64)>,
}

enum Probe {
    Side(usize),
    Face(usize),
    Chainage(f64),
}

/// Refuses figures of a spill that cannot be: a mass that is not positive, negative times or
/// rates, a threshold that is not positive, a start after the end of the simulation.
fn check_spec(canal: &Canal, spec: &SpillSpec) -> Result<()> {
    let refuse = |message: String| Err(CanalError::Request(message));
    if !(spec.mass_kg.is_finite() && spec.mass_kg > 0.0) {
        return refuse(format!(
            "spill mass {} kg: expected a positive mass",
            spec.mass_kg
        ));
    }
    if !(spec.threshold_mg_l.is_finite() && spec.threshold_mg_l > 0.0) {
        return refuse(format!(
            "threshold {} mg/L: expected a positive concentration",
            spec.threshold_mg_l
        ));
    }
    if !(spec.decay_per_s.is_finite() && spec.decay_per_s >= 0.0) {
        return refuse(format!(
            "decay {} per s: expected a rate of zero or more",
            spec.decay_per_s
        ));
    }
    if !(spec.duration_s.is_finite() && spec.duration_s >= 0.0) {
        return refuse(format!(
            "spill duration {} s: expected zero or more",
            spec.duration_s
        ));
    }
    let dispersion_ok = match spec.dispersion {
        Dispersion::Constant(d) => d.is_finite() && d >= 0.0,
        Dispersion::Power { a, b } => a.is_finite() && a >= 0.0 && b.is_finite(),
        Dispersion::Fischer => true,
    };
    if !dispersion_ok {
        return refuse(format!(
            "dispersion {:?}: expected a coefficient of zero or more (m²/s), or a·V^b with a ≥ 0",
            spec.dispersion
        ));
    }
    let end = canal.model.options.duration_s;
    if !(spec.start_s.is_finite() && spec.start_s >= 0.0 && spec.start_s < end) {
        return refuse(format!(
            "spill start {} s: expected a time from 0 to the end of the simulation ({end} s)",
            spec.start_s
        ));
    }
    Ok(())
}

/// Runs the canal with the spill.
pub fn run_spill(canal: &Canal, spec: &SpillSpec) -> Result<SpillResults> {
    let chainage = spill_chainage(canal, &spec.at)?;
    check_spec(canal, spec)?;
    let closures = resolve_closures(canal, &spec.closures)?;
    let mut simulation = Simulation::new(canal, initial_state(canal)?);
    let mut transport = Transport::new(canal, &simulation.state, spec.dispersion, spec.decay_per_s);
    let cell = transport.cell_at(chainage).ok_or_else(|| {
        CanalError::Request(format!(
            "spill at {chainage} m lies outside the canal (0 to {} m)",
            canal.length()
        ))
    })?;
    let (mut places, probes) = places(canal, &transport, spec);
    let mut times = Vec::new();
    let mut done: Vec<Option<f64>> = vec![None; closures.len()];
    let mut injected_at_once = false;
    while {
        let time = simulation.state.time_s;
        for (index, (link, when)) in closures.iter().enumerate() {
            let due = match when {
                CloseWhen::At(t) => time >= *t,
                CloseWhen::Above(limit) => {
                    link_concentration(canal, &transport, *link) * 1000.0 > *limit
                }
            };
            if due && done[index].is_none() {
                simulation.force_setting(*link, 0.0);
                done[index] = Some(time);
            }
        }
        simulation.step()?
    } {
        let (old, new) = (&simulation.previous, &simulation.state);
        let rate = if spec.duration_s > 0.0 {
            let overlap = (new.time_s.min(spec.start_s + spec.duration_s)
                - old.time_s.max(spec.start_s))
            .max(0.0);
            (overlap > 0.0).then(|| {
                (
                    cell,
                    spec.mass_kg / spec.duration_s * overlap / (new.time_s - old.time_s),
                )
            })
        } else {
            None
        };
        if spec.duration_s <= 0.0 && !injected_at_once && new.time_s > spec.start_s {
            transport.inject(cell, spec.mass_kg);
            injected_at_once = true;
        }
        transport.advance(old, new, rate);
        times.push(new.time_s);
        for (place, probe) in places.iter_mut().zip(&probes) {
            let value = match probe {
                Probe::Side(side) => transport.side_concentration[*side],
                Probe::Face(face) => transport.face_concentration[*face],
                Probe::Chainage(at) => transport.concentration_at(*at),
            };
            place.series_mg_l.push(value.max(0.0) * 1000.0);
        }
    }
    let step = simulation.step_s();
    for (place, probe) in places.iter_mut().zip(&probes) {
        summarise(place, &times, step, spec.threshold_mg_l);
        place.mass_kg = match probe {
            Probe::Side(side) => Some(transport.balance.withdrawn[*side]),
            Probe::Face(_) if place.kind == "outfall" => Some(transport.balance.outflow),
            Probe::Face(_) => transport
                .balance
                .passed
                .iter()
                .find(|e| canal.model.links[e.0].id == place.id)
                .map(|e| e.1),
            Probe::Chainage(_) => None,
        };
        if let Probe::Side(side) = probe {
            let link = canal.sides[*side].link;
            let closing = closing_time(
                canal,
                link,
                simulation.state.settings[link].max(canal.model.links[link].initial_setting),
            );
            place.latest_close_s = place.arrival_s.map(|a| (a - step - closing).max(0.0));
        }
    }
    Ok(SpillResults {
        spill_chainage_m: chainage,
        times_s: times,
        places,
        mass_balance: transport.balance.clone(),
        closures_made: closures
            .iter()
            .zip(&done)
            .filter_map(|((link, _), time)| time.map(|t| (canal.model.links[*link].id.clone(), t)))
            .collect(),
    })
}

fn spill_chainage(canal: &Canal, at: &SpillAt) -> Result<f64> {
    match at {
        SpillAt::Chainage(chainage) => {
            if !chainage.is_finite() || *chainage < 0.0 || *chainage > canal.length() {
                return Err(CanalError::Request(format!(
                    "spill at km {:.3} lies outside the canal: expected a chainage from 0 to {:.3} km",
                    chainage / 1000.0,
                    canal.length() / 1000.0
                )));
            }
            Ok(*chainage)
        }
        SpillAt::Node(id) => {
            let node = canal.model.node_index(id).ok_or_else(|| {
                CanalError::Request(format!("spill at node '{id}': no such node"))
            })?;
            let point = canal.node_points[node].ok_or_else(|| {
                CanalError::Request(format!(
                    "spill at node '{id}': expected a node on the canal's main line"
                ))
            })?;
            Ok(canal.points[point].chainage)
        }
    }
}

fn resolve_closures(canal: &Canal, closures: &[Closure]) -> Result<Vec<(usize, CloseWhen)>> {
    closures
        .iter()
        .map(|c| {
            let link = canal.model.link_index(&c.link).ok_or_else(|| {
                CanalError::Request(format!("closure of '{}': no such link", c.link))
            })?;
            if matches!(canal.model.links[link].kind, LinkKind::Conduit { .. }) {
                return Err(CanalError::Request(format!(
                    "closure of '{}': expected a gate, weir or outlet, not a conduit",
                    c.link
                )));
            }
            Ok((link, c.when.clone()))
        })
        .collect()
}

/// Time a link takes to close from setting `from`, s.
fn closing_time(canal: &Canal, link: usize, from: f64) -> f64 {
    match canal.model.links[link].kind {
        LinkKind::Orifice { full_travel_s, .. } => full_travel_s * from,
        _ => 0.0,
    }
}

/// Concentration arriving at a link (upstream of a gate, at an outlet's node), kg/m³.
fn link_concentration(canal: &Canal, transport: &Transport, link: usize) -> f64 {
    let point = match canal.link_points[link] {
        Some((first, _)) => first,
        None => canal
            .sides
            .iter()
            .find(|s| s.link == link)
            .map_or(0, |s| s.point),
    };
    transport.concentration_at(canal.points[point].chainage)
}

fn places(
    canal: &Canal,
    transport: &Transport,
    spec: &SpillSpec,
) -> (Vec<PlaceResult>, Vec<Probe>) {
    let mut places = Vec::new();
    let mut probes = Vec::new();
    let mut add = |id: String, kind: &str, chainage: f64, probe: Probe| {
        places.push(PlaceResult {
            id,
            kind: kind.to_string(),
            chainage_m: chainage,
            arrival_s: None,
            peak_mg_l: 0.0,
            peak_time_s: 0.0,
            above_threshold_s: 0.0,
            mass_kg: None,
            latest_close_s: None,
            series_mg_l: Vec::new(),
        });
        probes.push(probe);
    };
    for (index, side) in canal.sides.iter().enumerate() {
        add(
            canal.model.links[side.link].id.clone(),
            "outlet",
            canal.points[side.point].chainage,
            Probe::Side(index),
        );
    }
    let faces = transport_faces_with_structures(canal, transport);
    for (link, face) in faces {
        let chainage =
            canal.link_points[link].map_or(0.0, |(first, _)| canal.points[first].chainage);
        add(
            canal.model.links[link].id.clone(),
            "gate",
            chainage,
            Probe::Face(face),
        );
    }
    let last_face = transport.face_concentration.len() - 1;
    add(
        canal.model.nodes[canal.downstream_node].id.clone(),
        "outfall",
        canal.length(),
        Probe::Face(last_face),
    );
    for &chainage in &spec.chainages {
        add(
            format!("km {:.3}", chainage / 1000.0),
            "chainage",
            chainage,
            Probe::Chainage(chainage),
        );
    }
    (places, probes)
}

/// (structure link, face index) for every structure on the main line.
fn transport_faces_with_structures(canal: &Canal, transport: &Transport) -> Vec<(usize, usize)> {
    // Faces are numbered one per reach start plus the last; a structure lies on the face that
    // follows the reach cell before it.
    let mut result = Vec::new();
    let mut face = 0;
    for (j, segment) in canal.segments.iter().enumerate() {
        match segment {
            crate::canal::Segment::Reach { .. } => {
                if transport.cell_of_segment(j).is_some() {
                    face += 1;
                }
            }
            crate::canal::Segment::Structure { link } => result.push((*link, face)),
            crate::canal::Segment::Junction { .. } => {}
        }
    }
    result
}

fn summarise(place: &mut PlaceResult, times: &[f64], step: f64, threshold: f64) {
    for (time, value) in times.iter().zip(&place.series_mg_l) {
        if *value > place.peak_mg_l {
            place.peak_mg_l = *value;
            place.peak_time_s = *time;
        }
        if *value > threshold {
            place.above_threshold_s += step;
            if place.arrival_s.is_none() {
                place.arrival_s = Some(*time);
            }
        }
    }
}

//! Writes a [`Network`] as an EPANET 2.3 input file, in the file's own units.
//!
//! Every section EPANET 2.3 reads is written, so that EPANET runs the written file exactly
//! as it runs the original and our reader gives back the same model. Numbers are written in
//! the units the network's options name (flow units, pressure units, specific gravity): each
//! SI value is converted to file units and printed as the shortest decimal that converts back
//! to the very same SI value, so a file value of `0.3` is written `0.3` again, not
//! `0.30000000000000004`.
//!
//! Layout follows EPANET's own `ENsaveinpfile`: sections in its order, a junction's first
//! demand on its `[JUNCTIONS]` line and, when it has several demands or named categories,
//! every demand in `[DEMANDS]` (whose first line replaces the `[JUNCTIONS]` demand).

use crate::model::{
    Control, ControlCondition, CurveIdx, CurveKind, DemandModel, HeadlossFormula,
    HydraulicsFileMode, InitialStatus, Junction, Link, LinkAction, LinkIdx, LinkKind, MixingModel,
    Network, Node, NodeIdx, NodeKind, PatternIdx, Pipe, PremiseLogic, PremiseValue, Pump,
    QualityAnalysis, Relation, ReportSelection, Reservoir, Rule, RuleAttribute, RuleObject,
    SourceKind, Statistic, StatusReport, Tank, Unbalanced, Valve, ValveType,
};
use crate::units::{
    FlowUnits, PressureUnits, UnitSystem, CUBIC_METRES_PER_CUBIC_FOOT, KPA_PER_PSI, KW_PER_HP,
    METRES_PER_FOOT, PSI_PER_FOOT,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What can stop a network being written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// An element refers to a node, link, pattern or curve index that the network lacks.
    #[error("{owner} refers to {kind} number {index}, but the network has only {count}")]
    DanglingReference {
        /// The element holding the reference, e.g. `junction "J1"`.
        owner: String,
        /// `node`, `link`, `pattern` or `curve`.
        kind: &'static str,
        /// The missing index.
        index: usize,
        /// How many elements of that kind the network has.
        count: usize,
    },
    /// Something the model holds that the EPANET format cannot express.
    #[error("{owner}: {message}")]
    Inexpressible {
        /// The element concerned.
        owner: String,
        /// What cannot be written and why.
        message: String,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The network as the text of an EPANET 2.3 input file.
pub fn write(network: &Network) -> Result<String, WriteError> {
    let mut writer = InpWriter::new(network);
    writer.write_all()?;
    Ok(writer.out)
}

/// Writes the network as an EPANET 2.3 input file at `path`.
pub fn write_file(network: &Network, path: impl AsRef<Path>) -> Result<(), WriteError> {
    let path = path.as_ref();
    let text = write(network)?;
    std::fs::write(path, text).map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The quantities whose file units differ from SI, each with its own conversion.
#[derive(Debug, Clone, Copy)]
enum Quantity {
    /// Elevation, head, length, tank level and tank diameter: ft or m.
    Length,
    /// Pipe and valve diameter: in or mm.
    PipeDiameter,
    /// Flow and demand, in the flow units.
    Flow,
    /// Pressure, in the pressure units (with specific gravity).
    Pressure,
    /// Volume: ft³ or m³.
    Volume,
    /// Power: hp or kW.
    Power,
    /// Darcy-Weisbach roughness: millifeet or mm.
    DarcyRoughness,
    /// Wall reaction coefficient, by the wall reaction order.
    WallCoefficient,
    /// No conversion.
    Unitless,
}

/// File units per SI unit, computed exactly as the reader computes them (EPANET 2.3's
/// `initunits`), so that the reader's division gives back the very same double.
#[derive(Debug, Clone, Copy)]
struct FileUnits {
    length: f64,
    pipe_diameter: f64,
    flow: f64,
    /// Pressure: psi, kPa and bar scale with specific gravity; metres and feet of head do not.
    pressure: f64,
    /// Pressure in the emitter formula: psi (US) or metres (SI), whatever the pressure units.
    emitter_pressure: f64,
    volume: f64,
    power: f64,
}

impl FileUnits {
    fn new(flow: FlowUnits, pressure: PressureUnits, specific_gravity: f64) -> FileUnits {
        let system = flow.system();
        let psi_per_metre = PSI_PER_FOOT / METRES_PER_FOOT * specific_gravity;
        let pressure = match pressure {
            PressureUnits::Psi => psi_per_metre,
            PressureUnits::Kpa => psi_per_metre * KPA_PER_PSI,
            PressureUnits::Bar => psi_per_metre * 0.068948,
            PressureUnits::Meters => 1.0,
            PressureUnits::Feet => 1.0 / METRES_PER_FOOT,
        };
        match system {
            UnitSystem::Us => FileUnits {
                length: 1.0 / METRES_PER_FOOT,
                pipe_diameter: 12.0 / METRES_PER_FOOT,
                flow: flow.per_cubic_metre_per_second(),
                pressure,
                emitter_pressure: psi_per_metre,
                volume: 1.0 / CUBIC_METRES_PER_CUBIC_FOOT,
                power: 1.0 / KW_PER_HP,
            },
            UnitSystem::Si => FileUnits {
                length: 1.0,
                pipe_diameter: 1000.0,
                flow: flow.per_cubic_metre_per_second(),
                pressure,
                emitter_pressure: 1.0,
                volume: 1.0,
                power: 1.0,
            },
        }
    }
}

struct InpWriter<'a> {
    network: &'a Network,
    units: FileUnits,
    out: String,
}

impl<'a> InpWriter<'a> {
    fn new(network: &'a Network) -> InpWriter<'a> {
        let options = &network.options;
        InpWriter {
            network,
            units: FileUnits::new(
                options.flow_units,
                options.pressure_units,
                options.specific_gravity,
            ),
            out: String::with_capacity(64 * (network.nodes.len() + network.links.len()) + 4096),
        }
    }

    /// The text of an SI value in file units: the file value is what the reader divides
    /// (or, for wall coefficients, multiplies) by the unit factor to get the SI value.
    fn value(&self, si: f64, quantity: Quantity) -> String {
        let u = &self.units;
        let divisor = match quantity {
            Quantity::Length => u.length,
            Quantity::PipeDiameter => u.pipe_diameter,
            Quantity::Flow => u.flow,
            Quantity::Pressure => u.pressure,
            Quantity::Volume => u.volume,
            Quantity::Power => u.power,
            Quantity::DarcyRoughness => 1000.0 * u.length,
            Quantity::WallCoefficient => {
                // First order: length per day; zero order: mass per area per day.
                let multiplier = if self.network.reactions.wall_order == 0.0 {
                    u.length * u.length
                } else {
                    1.0 / u.length
                };
                return exact_text(si, si / multiplier, |file| file * multiplier);
            }
            Quantity::Unitless => return number_text(si),
        };
        if divisor == 1.0 {
            return number_text(si);
        }
        exact_text(si, si * divisor, |file| file / divisor)
    }

    /// The text of an emitter coefficient: flow units per (pressure)^exponent.
    fn emitter_value(&self, si: f64) -> String {
        let exponent = self.network.options.emitter_exponent;
        let flow = self.units.flow;
        let scale = self.units.emitter_pressure.powf(exponent);
        exact_text(si, si * flow / scale, |file| file * scale / flow)
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn section(&mut self, name: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push('[');
        self.out.push_str(name);
        self.out.push_str("]\n");
    }

    // ----- references -------------------------------------------------------------------

    fn node_id(&self, idx: NodeIdx, owner: impl FnOnce() -> String) -> Result<&'a str, WriteError> {
        let network: &'a Network = self.network;
        network
            .nodes
            .get(idx.index())
            .map(|n| n.id.as_str())
            .ok_or_else(|| WriteError::DanglingReference {
                owner: owner(),
                kind: "node",
                index: idx.index(),
                count: network.nodes.len(),
            })
    }

    fn link_id(&self, idx: LinkIdx, owner: impl FnOnce() -> String) -> Result<&'a str, WriteError> {
        let network: &'a Network = self.network;
        network
            .links
            .get(idx.index())
            .map(|l| l.id.as_str())
            .ok_or_else(|| WriteError::DanglingReference {
                owner: owner(),
                kind: "link",
                index: idx.index(),
                count: network.links.len(),
            })
    }

    fn pattern_id(
        &self,
        idx: PatternIdx,
        owner: impl FnOnce() -> String,
    ) -> Result<&'a str, WriteError> {
        let network: &'a Network = self.network;
        network
            .patterns
            .get(idx.index())
            .map(|p| p.id.as_str())
            .ok_or_else(|| WriteError::DanglingReference {
                owner: owner(),
                kind: "pattern",
                index: idx.index(),
                count: network.patterns.len(),
            })
    }

    fn curve_id(
        &self,
        idx: CurveIdx,
        owner: impl FnOnce() -> String,
    ) -> Result<&'a str, WriteError> {
        let network: &'a Network = self.network;
        network
            .curves
            .get(idx.index())
            .map(|c| c.id.as_str())
            .ok_or_else(|| WriteError::DanglingReference {
                owner: owner(),
                kind: "curve",
                index: idx.index(),
                count: network.curves.len(),
            })
    }

    // ----- sections ---------------------------------------------------------------------

    fn write_all(&mut self) -> Result<(), WriteError> {
        self.title();
        self.nodes()?;
        self.links()?;
        self.demands()?;
        self.emitters();
        self.leakage();
        self.status();
        self.patterns();
        self.curves();
        self.controls()?;
        self.rules()?;
        self.quality();
        self.sources()?;
        self.mixing();
        self.reactions();
        self.energy()?;
        self.times();
        self.options()?;
        self.report();
        self.tags();
        self.coordinates();
        self.vertices();
        self.labels();
        self.backdrop();
        self.out.push_str("\n[END]\n");
        Ok(())
    }

    fn title(&mut self) {
        self.section("TITLE");
        for line in &self.network.title {
            // A title line that looked like a section heading would end the title.
            let text = if line.trim_start().starts_with('[') {
                format!(" {line}")
            } else {
                line.clone()
            };
            self.line(&text);
        }
    }

    /// Nodes in runs of one kind, each run under its own section heading, so that the
    /// file defines them in the model's order (EPANET numbers junctions first, then
    /// reservoirs and tanks in the order the file gives them).
    fn nodes(&mut self) -> Result<(), WriteError> {
        let network: &'a Network = self.network;
        let mut current = None;
        for node in &network.nodes {
            let (section, heading) = match node.kind {
                NodeKind::Junction(_) => ("JUNCTIONS", JUNCTION_HEADING),
                NodeKind::Reservoir(_) => ("RESERVOIRS", RESERVOIR_HEADING),
                NodeKind::Tank(_) => ("TANKS", TANK_HEADING),
            };
            if current != Some(section) {
                self.section(section);
                self.line(heading);
                current = Some(section);
            }
            let mut text = match &node.kind {
                NodeKind::Junction(junction) => self.junction_text(node, junction)?,
                NodeKind::Reservoir(reservoir) => self.reservoir_text(node, reservoir)?,
                NodeKind::Tank(tank) => self.tank_text(node, tank)?,
            };
            push_comment(&mut text, node.comment.as_deref());
            self.line(text.trim_end());
        }
        // Every file has the three sections, even when empty.
        for (section, heading) in [
            ("JUNCTIONS", JUNCTION_HEADING),
            ("RESERVOIRS", RESERVOIR_HEADING),
            ("TANKS", TANK_HEADING),
        ] {
            let present = network.nodes.iter().any(|n| {
                matches!(
                    (&n.kind, section),
                    (NodeKind::Junction(_), "JUNCTIONS")
                        | (NodeKind::Reservoir(_), "RESERVOIRS")
                        | (NodeKind::Tank(_), "TANKS")
                )
            });
            if !present {
                self.section(section);
                self.line(heading);
            }
        }
        Ok(())
    }

    fn junction_text(&self, node: &Node, junction: &Junction) -> Result<String, WriteError> {
        let mut text = format!(
            " {:<31} {:<15}",
            node.id,
            self.value(node.elevation, Quantity::Length)
        );
        if let Some(first) = junction.demands.first() {
            let _ = write!(text, " {:<15}", self.value(first.base, Quantity::Flow));
            if let Some(pattern) = first.pattern {
                let id = self.pattern_id(pattern, || format!("junction \"{}\"", node.id))?;
                let _ = write!(text, " {id}");
            }
        }
        Ok(text)
    }

    fn reservoir_text(&self, node: &Node, reservoir: &Reservoir) -> Result<String, WriteError> {
        let mut text = format!(
            " {:<31} {:<15}",
            node.id,
            self.value(node.elevation, Quantity::Length)
        );
        if let Some(pattern) = reservoir.head_pattern {
            let id = self.pattern_id(pattern, || format!("reservoir \"{}\"", node.id))?;
            let _ = write!(text, " {id}");
        } else if reservoir.level != 0.0 {
            // A fixed level is written as EPANET reads it: tank levels with zero diameter.
            let level = self.value(reservoir.level, Quantity::Length);
            let _ = write!(text, " {level:<15} {level:<15} {level:<15} 0");
        }
        Ok(text)
    }

    fn tank_text(&self, node: &Node, tank: &Tank) -> Result<String, WriteError> {
        let mut text = format!(" {:<31}", node.id);
        for (value, quantity) in [
            (node.elevation, Quantity::Length),
            (tank.initial_level, Quantity::Length),
            (tank.min_level, Quantity::Length),
            (tank.max_level, Quantity::Length),
            (tank.diameter, Quantity::Length),
            (tank.min_volume, Quantity::Volume),
        ] {
            let _ = write!(text, " {:<15}", self.value(value, quantity));
        }
        // The curve column is a placeholder `*` when only the overflow flag follows.
        match tank.volume_curve {
            Some(curve) => {
                let id = self.curve_id(curve, || format!("tank \"{}\"", node.id))?;
                let _ = write!(text, " {id:<15}");
            }
            None if tank.can_overflow => text.push_str(" *              "),
            None => {}
        }
        if tank.can_overflow {
            text.push_str(" YES");
        }
        Ok(text)
    }

    /// Links in runs of one kind, each under its own heading, keeping the model's order
    /// (EPANET numbers links in the order the file gives them, whatever their kind).
    fn links(&mut self) -> Result<(), WriteError> {
        let network: &'a Network = self.network;
        let mut current = None;
        for (i, link) in network.links.iter().enumerate() {
            let (section, heading) = match link.kind {
                LinkKind::Pipe(_) => ("PIPES", PIPE_HEADING),
                LinkKind::Pump(_) => ("PUMPS", PUMP_HEADING),
                LinkKind::Valve(_) => ("VALVES", VALVE_HEADING),
            };
            if current != Some(section) {
                self.section(section);
                self.line(heading);
                current = Some(section);
            }
            let (from, to) = self.link_ends(link)?;
            let mut text = format!(" {:<31} {:<31} {:<31}", link.id, from, to);
            let idx = LinkIdx::from_index(i);
            match &link.kind {
                LinkKind::Pipe(pipe) => self.pipe_fields(&mut text, pipe),
                LinkKind::Pump(pump) => self.pump_fields(&mut text, link, pump)?,
                LinkKind::Valve(valve) => self.valve_fields(&mut text, link, idx, valve)?,
            }
            push_comment(&mut text, link.comment.as_deref());
            self.line(text.trim_end());
        }
        for (section, heading) in [
            ("PIPES", PIPE_HEADING),
            ("PUMPS", PUMP_HEADING),
            ("VALVES", VALVE_HEADING),
        ] {
            let present = network.links.iter().any(|l| {
                matches!(
                    (&l.kind, section),
                    (LinkKind::Pipe(_), "PIPES")
                        | (LinkKind::Pump(_), "PUMPS")
                        | (LinkKind::Valve(_), "VALVES")
                )
            });
            if !present {
                self.section(section);
                self.line(heading);
            }
        }
        Ok(())
    }

    fn link_ends(&self, link: &Link) -> Result<(&'a str, &'a str), WriteError> {
        let owner = || format!("link \"{}\"", link.id);
        Ok((
            self.node_id(link.from, owner)?,
            self.node_id(link.to, owner)?,
        ))
    }

    fn pipe_fields(&self, text: &mut String, pipe: &Pipe) {
        let roughness_quantity = match self.network.options.headloss {
            HeadlossFormula::DarcyWeisbach => Quantity::DarcyRoughness,
            _ => Quantity::Unitless,
        };
        for (value, quantity) in [
            (pipe.length, Quantity::Length),
            (pipe.diameter, Quantity::PipeDiameter),
            (pipe.roughness, roughness_quantity),
            (pipe.minor_loss, Quantity::Unitless),
        ] {
            let _ = write!(text, " {:<15}", self.value(value, quantity));
        }
        // Open and closed go to [STATUS]; a check valve is a property of the pipe.
        if pipe.check_valve {
            text.push_str(" CV");
        }
    }

    fn pump_fields(&self, text: &mut String, link: &Link, pump: &Pump) -> Result<(), WriteError> {
        let owner = || format!("pump \"{}\"", link.id);
        if let Some(curve) = pump.head_curve {
            let _ = write!(text, " HEAD {}", self.curve_id(curve, owner)?);
        }
        if let Some(power) = pump.power {
            let _ = write!(text, " POWER {}", self.value(power, Quantity::Power));
        }
        if pump.speed != 1.0 {
            let _ = write!(text, " SPEED {}", number_text(pump.speed));
        }
        if let Some(pattern) = pump.speed_pattern {
            let _ = write!(text, " PATTERN {}", self.pattern_id(pattern, owner)?);
        }
        Ok(())
    }

    /// The file text of a valve setting or a control/rule setting on a link.
    fn link_setting(&self, link: LinkIdx, si: f64) -> String {
        let quantity = match self.network.links.get(link.index()).map(|l| &l.kind) {
            Some(LinkKind::Valve(valve)) => valve_setting_quantity(valve.valve_type),
            _ => Quantity::Unitless,
        };
        self.value(si, quantity)
    }

    fn valve_fields(
        &self,
        text: &mut String,
        link: &Link,
        idx: LinkIdx,
        valve: &Valve,
    ) -> Result<(), WriteError> {
        let owner = || format!("valve \"{}\"", link.id);
        let _ = write!(
            text,
            " {:<15} {:<6}",
            self.value(valve.diameter, Quantity::PipeDiameter),
            valve.valve_type.keyword()
        );
        // A GPV's setting column holds its headloss curve.
        let setting = match (valve.valve_type, valve.curve) {
            (ValveType::Gpv, Some(curve)) => self.curve_id(curve, owner)?.to_string(),
            (ValveType::Gpv, None) => {
                return Err(WriteError::Inexpressible {
                    owner: owner(),
                    message: "a GPV needs a headloss curve to be written".to_string(),
                })
            }
            _ => self.link_setting(idx, valve.setting),
        };
        let _ = write!(
            text,
            " {:<15} {:<15}",
            setting,
            number_text(valve.minor_loss)
        );
        if valve.valve_type == ValveType::Pcv {
            if let Some(curve) = valve.curve {
                let _ = write!(text, " {}", self.curve_id(curve, owner)?);
            }
        }
        Ok(())
    }

    fn demands(&mut self) -> Result<(), WriteError> {
        self.section("DEMANDS");
        self.line(";Junction                        Demand          Pattern         Category");
        for node in &self.network.nodes {
            let NodeKind::Junction(junction) = &node.kind else {
                continue;
            };
            // One unnamed demand is all on the [JUNCTIONS] line; anything more goes here,
            // the first line replacing the [JUNCTIONS] demand as EPANET 2.3 does.
            let needs_section =
                junction.demands.len() > 1 || junction.demands.iter().any(|d| d.category.is_some());
            if !needs_section {
                continue;
            }
            for demand in &junction.demands {
                let mut text = format!(
                    " {:<31} {:<15}",
                    node.id,
                    self.value(demand.base, Quantity::Flow)
                );
                if let Some(pattern) = demand.pattern {
                    let id = self.pattern_id(pattern, || format!("junction \"{}\"", node.id))?;
                    let _ = write!(text, " {id:<15}");
                }
                push_comment(&mut text, demand.category.as_deref());
                self.line(text.trim_end());
            }
        }
        Ok(())
    }

    fn emitters(&mut self) {
        self.section("EMITTERS");
        self.line(";Junction                        Coefficient");
        for node in &self.network.nodes {
            let NodeKind::Junction(junction) = &node.kind else {
                continue;
            };
            if junction.emitter_coefficient != 0.0 {
                let text = format!(
                    " {:<31} {}",
                    node.id,
                    self.emitter_value(junction.emitter_coefficient)
                );
                self.line(&text);
            }
        }
    }

    fn leakage(&mut self) {
        self.section("LEAKAGE");
        self.line(";Pipe                            LeakArea        LeakExpansion");
        for link in &self.network.links {
            let LinkKind::Pipe(pipe) = &link.kind else {
                continue;
            };
            if pipe.leak_area != 0.0 || pipe.leak_expansion != 0.0 {
                // Kept in the file's units in the model (see `Pipe::leak_area`).
                let text = format!(
                    " {:<31} {:<15} {}",
                    link.id,
                    number_text(pipe.leak_area),
                    number_text(pipe.leak_expansion)
                );
                self.line(&text);
            }
        }
    }

    fn status(&mut self) {
        self.section("STATUS");
        self.line(";ID                              Status/Setting");
        for (i, link) in self.network.links.iter().enumerate() {
            let word = match (&link.kind, link.initial_status) {
                (_, InitialStatus::Default) => continue,
                // EPANET refuses a status for a check-valve pipe.
                (LinkKind::Pipe(pipe), _) if pipe.check_valve => continue,
                // EPANET opens a pump at full speed; another speed is given as a number.
                (LinkKind::Pump(pump), InitialStatus::Open)
                    if pump.speed != 1.0 && pump.speed > 0.0 =>
                {
                    number_text(pump.speed)
                }
                (_, InitialStatus::Open) => "OPEN".to_string(),
                (_, InitialStatus::Closed) => "CLOSED".to_string(),
                // A valve made active at its setting: EPANET's [STATUS] takes the number.
                (LinkKind::Valve(valve), InitialStatus::Active)
                    if valve.valve_type != ValveType::Gpv =>
                {
                    self.link_setting(LinkIdx::from_index(i), valve.setting)
                }
                (_, InitialStatus::Active) => continue,
            };
            let text = format!(" {:<31} {}", link.id, word);
            self.line(&text);
        }
    }

    fn patterns(&mut self) {
        self.section("PATTERNS");
        self.line(";ID                              Multipliers");
        for pattern in &self.network.patterns {
            if pattern.multipliers.is_empty() {
                // EPANET gives a pattern without factors the single factor 1.
                let text = format!(" {:<31} 1", pattern.id);
                self.line(&text);
                continue;
            }
            for chunk in pattern.multipliers.chunks(8) {
                let mut text = format!(" {:<31}", pattern.id);
                for multiplier in chunk {
                    let _ = write!(text, " {:<11}", number_text(*multiplier));
                }
                self.line(text.trim_end());
            }
        }
    }

    fn curves(&mut self) {
        self.section("CURVES");
        self.line(";ID                              X-Value         Y-Value");
        for curve in &self.network.curves {
            let (x_quantity, y_quantity, keyword) = match curve.kind {
                CurveKind::Pump => (Quantity::Flow, Quantity::Length, "PUMP"),
                CurveKind::Efficiency => (Quantity::Flow, Quantity::Unitless, "EFFICIENCY"),
                CurveKind::Volume => (Quantity::Length, Quantity::Volume, "VOLUME"),
                CurveKind::Headloss => (Quantity::Flow, Quantity::Length, "HEADLOSS"),
                CurveKind::Valve => (Quantity::Unitless, Quantity::Unitless, "VALVE"),
                CurveKind::Generic => (Quantity::Unitless, Quantity::Unitless, "GENERIC"),
            };
            // The kind keyword on the first point is EPANET 2.3's own curve-type field.
            for (i, &(x, y)) in curve.points.iter().enumerate() {
                let mut text = format!(
                    " {:<31} {:<15} {:<15}",
                    curve.id,
                    self.value(x, x_quantity),
                    self.value(y, y_quantity)
                );
                if i == 0 {
                    text.push(' ');
                    text.push_str(keyword);
                }
                self.line(text.trim_end());
            }
        }
    }

    fn action_word(&self, link: LinkIdx, action: LinkAction) -> Option<String> {
        match action {
            LinkAction::Open => Some("OPEN".to_string()),
            LinkAction::Closed => Some("CLOSED".to_string()),
            LinkAction::Active => None,
            LinkAction::Setting(value) => Some(self.link_setting(link, value)),
        }
    }

    /// The file value of a level or pressure threshold on a node: tank and reservoir
    /// levels in length units, junction pressures in pressure units.
    fn node_threshold(&self, node: NodeIdx, si: f64) -> String {
        let is_junction = self
            .network
            .nodes
            .get(node.index())
            .is_some_and(|n| matches!(n.kind, NodeKind::Junction(_)));
        if is_junction {
            self.value(si, Quantity::Pressure)
        } else {
            self.value(si, Quantity::Length)
        }
    }

    fn controls(&mut self) -> Result<(), WriteError> {
        self.section("CONTROLS");
        for (number, control) in self.network.controls.iter().enumerate() {
            let text = self.control_text(number + 1, control)?;
            self.line(&text);
        }
        Ok(())
    }

    fn control_text(&self, number: usize, control: &Control) -> Result<String, WriteError> {
        let owner = || format!("control {number}");
        let link = self.link_id(control.link, owner)?;
        let action = self
            .action_word(control.link, control.action)
            .ok_or_else(|| WriteError::Inexpressible {
                owner: owner(),
                message: "a simple control cannot make a link ACTIVE (only a rule can)".to_string(),
            })?;
        let mut text = format!(" LINK {link} {action}");
        match control.condition {
            ControlCondition::NodeAbove { node, value } => {
                let id = self.node_id(node, owner)?;
                let _ = write!(
                    text,
                    " IF NODE {id} ABOVE {}",
                    self.node_threshold(node, value)
                );
            }
            ControlCondition::NodeBelow { node, value } => {
                let id = self.node_id(node, owner)?;
                let _ = write!(
                    text,
                    " IF NODE {id} BELOW {}",
                    self.node_threshold(node, value)
                );
            }
            ControlCondition::AtTime { seconds } => {
                let _ = write!(text, " AT TIME {}", control_hours(seconds));
            }
            ControlCondition::AtClockTime { seconds } => {
                let _ = write!(text, " AT CLOCKTIME {}", control_hours(seconds % 86_400));
            }
        }
        if !control.enabled {
            text.push_str(" DISABLED");
        }
        Ok(text)
    }

    fn rules(&mut self) -> Result<(), WriteError> {
        self.section("RULES");
        for rule in &self.network.rules {
            let text = self.rule_text(rule)?;
            self.out.push_str(&text);
            self.out.push('\n');
        }
        Ok(())
    }

    fn rule_text(&self, rule: &Rule) -> Result<String, WriteError> {
        let owner = || format!("rule \"{}\"", rule.id);
        let mut text = format!("RULE {}\n", rule.id);
        for (i, premise) in rule.premises.iter().enumerate() {
            let logic = match (i, premise.logic) {
                (0, _) | (_, PremiseLogic::If) => "IF  ",
                (_, PremiseLogic::And) => "AND ",
                (_, PremiseLogic::Or) => "OR  ",
            };
            let (object, id) = match premise.object {
                RuleObject::Node(node) => {
                    let kind = match self.network.nodes.get(node.index()).map(|n| &n.kind) {
                        Some(NodeKind::Junction(_)) => "JUNCTION",
                        Some(NodeKind::Reservoir(_)) => "RESERVOIR",
                        Some(NodeKind::Tank(_)) => "TANK",
                        None => "NODE",
                    };
                    (kind, Some(self.node_id(node, owner)?))
                }
                RuleObject::Link(link) => {
                    (self.link_kind_word(link), Some(self.link_id(link, owner)?))
                }
                RuleObject::System => ("SYSTEM", None),
            };
            let value = match premise.value {
                PremiseValue::Status(action) => match action {
                    LinkAction::Open => "OPEN".to_string(),
                    LinkAction::Closed => "CLOSED".to_string(),
                    LinkAction::Active => "ACTIVE".to_string(),
                    LinkAction::Setting(v) => number_text(v),
                },
                PremiseValue::Number(v) => {
                    self.premise_number(premise.object, premise.attribute, v)
                }
            };
            let is_status = matches!(premise.value, PremiseValue::Status(_));
            let relation = relation_word(premise.relation, is_status);
            text.push_str(logic);
            text.push_str(object);
            if let Some(id) = id {
                text.push(' ');
                text.push_str(id);
            }
            let _ = writeln!(
                text,
                " {} {} {}",
                attribute_word(premise.attribute),
                relation,
                value
            );
        }
        for (clause, actions) in [("THEN", &rule.then_actions), ("ELSE", &rule.else_actions)] {
            for (i, action) in actions.iter().enumerate() {
                let word = if i == 0 { clause } else { "AND " };
                let id = self.link_id(action.link, owner)?;
                let (attribute, value) = match action.action {
                    LinkAction::Open => ("STATUS", "OPEN".to_string()),
                    LinkAction::Closed => ("STATUS", "CLOSED".to_string()),
                    LinkAction::Active => ("STATUS", "ACTIVE".to_string()),
                    LinkAction::Setting(v) => ("SETTING", self.link_setting(action.link, v)),
                };
                let _ = writeln!(
                    text,
                    "{word} {} {id} {attribute} = {value}",
                    self.link_kind_word(action.link)
                );
            }
        }
        if let Some(priority) = rule.priority {
            let _ = writeln!(text, "PRIORITY {}", number_text(priority));
        }
        if !rule.enabled {
            text.push_str("DISABLED\n");
        }
        Ok(text)
    }

    fn link_kind_word(&self, link: LinkIdx) -> &'static str {
        match self.network.links.get(link.index()).map(|l| &l.kind) {
            Some(LinkKind::Pipe(_)) => "PIPE",
            Some(LinkKind::Pump(_)) => "PUMP",
            Some(LinkKind::Valve(_)) => "VALVE",
            None => "LINK",
        }
    }

    fn premise_number(&self, object: RuleObject, attribute: RuleAttribute, si: f64) -> String {
        match attribute {
            RuleAttribute::Demand | RuleAttribute::Flow => self.value(si, Quantity::Flow),
            RuleAttribute::Head | RuleAttribute::Grade | RuleAttribute::Level => {
                self.value(si, Quantity::Length)
            }
            RuleAttribute::Pressure => self.value(si, Quantity::Pressure),
            RuleAttribute::Power => self.value(si, Quantity::Power),
            RuleAttribute::Setting => match object {
                RuleObject::Link(link) => self.link_setting(link, si),
                _ => number_text(si),
            },
            RuleAttribute::Status => number_text(si),
            // Times are written in decimal hours, which EPANET reads with or without units.
            RuleAttribute::Time
            | RuleAttribute::ClockTime
            | RuleAttribute::FillTime
            | RuleAttribute::DrainTime => exact_text(si, si / 3600.0, |hours| hours * 3600.0),
        }
    }

    fn quality(&mut self) {
        self.section("QUALITY");
        self.line(";Node                            InitQual");
        for node in &self.network.nodes {
            if node.initial_quality != 0.0 {
                let text = format!(" {:<31} {}", node.id, number_text(node.initial_quality));
                self.line(&text);
            }
        }
    }

    fn sources(&mut self) -> Result<(), WriteError> {
        self.section("SOURCES");
        self.line(";Node                            Type       Quality         Pattern");
        for node in &self.network.nodes {
            let Some(source) = &node.source else {
                continue;
            };
            let kind = match source.kind {
                SourceKind::Concen => "CONCEN",
                SourceKind::Mass => "MASS",
                SourceKind::Setpoint => "SETPOINT",
                SourceKind::Flowpaced => "FLOWPACED",
            };
            let mut text = format!(
                " {:<31} {:<10} {:<15}",
                node.id,
                kind,
                number_text(source.strength)
            );
            if let Some(pattern) = source.pattern {
                let id = self.pattern_id(pattern, || format!("source at \"{}\"", node.id))?;
                text.push(' ');
                text.push_str(id);
            }
            self.line(text.trim_end());
        }
        Ok(())
    }

    fn mixing(&mut self) {
        self.section("MIXING");
        self.line(";Tank                            Model      Fraction");
        for node in &self.network.nodes {
            let NodeKind::Tank(tank) = &node.kind else {
                continue;
            };
            // EPANET reads the compartment fraction only for 2COMP.
            let text = match tank.mixing_model {
                MixingModel::Mixed => continue,
                MixingModel::TwoCompartment => format!(
                    " {:<31} 2COMP      {}",
                    node.id,
                    number_text(tank.mixing_fraction)
                ),
                MixingModel::Fifo => format!(" {:<31} FIFO", node.id),
                MixingModel::Lifo => format!(" {:<31} LIFO", node.id),
            };
            self.line(&text);
        }
    }

    fn reactions(&mut self) {
        let reactions = &self.network.reactions;
        self.section("REACTIONS");
        let lines = [
            format!(
                " ORDER BULK            {}",
                number_text(reactions.bulk_order)
            ),
            format!(
                " ORDER WALL            {}",
                number_text(reactions.wall_order)
            ),
            format!(
                " ORDER TANK            {}",
                number_text(reactions.tank_order)
            ),
            format!(
                " GLOBAL BULK           {}",
                number_text(reactions.global_bulk)
            ),
            format!(
                " GLOBAL WALL           {}",
                self.value(reactions.global_wall, Quantity::WallCoefficient)
            ),
            format!(
                " LIMITING POTENTIAL    {}",
                number_text(reactions.limiting_potential)
            ),
            format!(
                " ROUGHNESS CORRELATION {}",
                number_text(reactions.roughness_correlation)
            ),
        ];
        for line in &lines {
            self.line(line);
        }
        for link in &self.network.links {
            let LinkKind::Pipe(pipe) = &link.kind else {
                continue;
            };
            if let Some(bulk) = pipe.bulk_coefficient {
                let text = format!(" BULK {:<31} {}", link.id, number_text(bulk));
                self.line(&text);
            }
            if let Some(wall) = pipe.wall_coefficient {
                let text = format!(
                    " WALL {:<31} {}",
                    link.id,
                    self.value(wall, Quantity::WallCoefficient)
                );
                self.line(&text);
            }
        }
        for node in &self.network.nodes {
            if let NodeKind::Tank(tank) = &node.kind {
                if let Some(bulk) = tank.bulk_coefficient {
                    let text = format!(" TANK {:<31} {}", node.id, number_text(bulk));
                    self.line(&text);
                }
            }
        }
    }

    fn energy(&mut self) -> Result<(), WriteError> {
        let energy = &self.network.energy;
        self.section("ENERGY");
        let mut lines = vec![
            format!(
                " GLOBAL EFFICIENCY     {}",
                number_text(energy.global_efficiency)
            ),
            format!(
                " GLOBAL PRICE          {}",
                number_text(energy.global_price)
            ),
        ];
        if let Some(pattern) = &energy.global_pattern {
            lines.push(format!(" GLOBAL PATTERN        {pattern}"));
        }
        lines.push(format!(
            " DEMAND CHARGE         {}",
            number_text(energy.demand_charge)
        ));
        for link in &self.network.links {
            let LinkKind::Pump(pump) = &link.kind else {
                continue;
            };
            let owner = || format!("pump \"{}\"", link.id);
            if let Some(curve) = pump.efficiency_curve {
                lines.push(format!(
                    " PUMP {:<31} EFFICIENCY {}",
                    link.id,
                    self.curve_id(curve, owner)?
                ));
            }
            if let Some(price) = pump.energy_price {
                lines.push(format!(
                    " PUMP {:<31} PRICE {}",
                    link.id,
                    number_text(price)
                ));
            }
            if let Some(pattern) = pump.price_pattern {
                lines.push(format!(
                    " PUMP {:<31} PATTERN {}",
                    link.id,
                    self.pattern_id(pattern, owner)?
                ));
            }
        }
        for line in &lines {
            self.line(line);
        }
        Ok(())
    }

    fn times(&mut self) {
        let times = &self.network.times;
        self.section("TIMES");
        let mut lines = vec![
            format!(" DURATION            {}", clock_text(times.duration)),
            format!(" HYDRAULIC TIMESTEP  {}", clock_text(times.hydraulic_step)),
        ];
        if let Some(step) = times.quality_step {
            lines.push(format!(" QUALITY TIMESTEP    {}", clock_text(step)));
        }
        lines.push(format!(
            " PATTERN TIMESTEP    {}",
            clock_text(times.pattern_step)
        ));
        lines.push(format!(
            " PATTERN START       {}",
            clock_text(times.pattern_start)
        ));
        lines.push(format!(
            " REPORT TIMESTEP     {}",
            clock_text(times.report_step)
        ));
        lines.push(format!(
            " REPORT START        {}",
            clock_text(times.report_start)
        ));
        if let Some(step) = times.rule_step {
            lines.push(format!(" RULE TIMESTEP       {}", clock_text(step)));
        }
        lines.push(format!(
            " START CLOCKTIME     {}",
            clock_text(times.start_clocktime % 86_400)
        ));
        let statistic = match times.statistic {
            Statistic::None => "NONE",
            Statistic::Average => "AVERAGE",
            Statistic::Minimum => "MINIMUM",
            Statistic::Maximum => "MAXIMUM",
            Statistic::Range => "RANGE",
        };
        lines.push(format!(" STATISTIC           {statistic}"));
        for line in &lines {
            self.line(line);
        }
    }

    fn options(&mut self) -> Result<(), WriteError> {
        let options = &self.network.options;
        self.section("OPTIONS");
        let mut lines = vec![
            format!(" UNITS               {}", options.flow_units.keyword()),
            format!(" PRESSURE            {}", options.pressure_units.keyword()),
            format!(" HEADLOSS            {}", options.headloss.keyword()),
            format!(
                " SPECIFIC GRAVITY    {}",
                number_text(options.specific_gravity)
            ),
            format!(" VISCOSITY           {}", number_text(options.viscosity)),
            format!(" TRIALS              {}", options.trials),
            format!(" ACCURACY            {}", number_text(options.accuracy)),
            format!(
                " HEADERROR           {}",
                self.value(options.head_error, Quantity::Length)
            ),
            format!(
                " FLOWCHANGE          {}",
                self.value(options.flow_change, Quantity::Flow)
            ),
            format!(" CHECKFREQ           {}", options.check_frequency),
            format!(" MAXCHECK            {}", options.max_check),
            format!(" DAMPLIMIT           {}", number_text(options.damp_limit)),
        ];
        lines.push(match options.unbalanced {
            Unbalanced::Stop => " UNBALANCED          STOP".to_string(),
            Unbalanced::Continue(trials) => format!(" UNBALANCED          CONTINUE {trials}"),
        });
        if let Some(pattern) = &options.default_pattern {
            lines.push(format!(" PATTERN             {pattern}"));
        }
        lines.push(format!(
            " DEMAND MULTIPLIER   {}",
            number_text(options.demand_multiplier)
        ));
        lines.push(format!(
            " EMITTER EXPONENT    {}",
            number_text(options.emitter_exponent)
        ));
        lines.push(format!(
            " BACKFLOW ALLOWED    {}",
            if options.emitter_backflow {
                "YES"
            } else {
                "NO"
            }
        ));
        lines.push(format!(
            " DEMAND MODEL        {}",
            match options.demand_model {
                DemandModel::DemandDriven => "DDA",
                DemandModel::PressureDriven => "PDA",
            }
        ));
        // EPANET checks the required pressure against the minimum as it reads them, so the
        // minimum comes first.
        lines.push(format!(
            " MINIMUM PRESSURE    {}",
            self.value(options.minimum_pressure, Quantity::Pressure)
        ));
        lines.push(format!(
            " REQUIRED PRESSURE   {}",
            self.value(options.required_pressure, Quantity::Pressure)
        ));
        lines.push(format!(
            " PRESSURE EXPONENT   {}",
            number_text(options.pressure_exponent)
        ));
        lines.push(match &options.quality {
            QualityAnalysis::None => " QUALITY             NONE".to_string(),
            QualityAnalysis::Age => " QUALITY             AGE".to_string(),
            QualityAnalysis::Chemical { name, units } => {
                // EPANET reads a name starting with a QUALITY keyword as that keyword, and
                // CHEMICAL always means "Chemical" in mg/L.
                let upper = name.to_ascii_uppercase();
                let keyword = ["NONE", "CHEM", "AGE", "TRACE"]
                    .into_iter()
                    .find(|keyword| upper.starts_with(keyword));
                match keyword {
                    None => format!(" QUALITY             {} {}", quoted(name), quoted(units)),
                    Some("CHEM") if name == "Chemical" && units == "mg/L" => {
                        " QUALITY             CHEMICAL".to_string()
                    }
                    Some(keyword) => {
                        return Err(WriteError::Inexpressible {
                            owner: "the quality option".to_string(),
                            message: format!(
                                "EPANET reads a chemical named \"{name}\" as the keyword \
                                 {keyword}{}; rename the chemical",
                                if keyword == "CHEM" {
                                    " (Chemical, mg/L)"
                                } else {
                                    ""
                                }
                            ),
                        })
                    }
                }
            }
            QualityAnalysis::Trace { node } => {
                let id = self.node_id(*node, || "the trace option".to_string())?;
                format!(" QUALITY             TRACE {id}")
            }
        });
        lines.push(format!(
            " DIFFUSIVITY         {}",
            number_text(options.diffusivity)
        ));
        lines.push(format!(
            " TOLERANCE           {}",
            number_text(options.quality_tolerance)
        ));
        if let Some((mode, file)) = &options.hydraulics_file {
            let mode = match mode {
                HydraulicsFileMode::Use => "USE",
                HydraulicsFileMode::Save => "SAVE",
            };
            lines.push(format!(" HYDRAULICS          {mode} {}", quoted(file)));
        }
        if let Some(file) = &options.map_file {
            lines.push(format!(" MAP                 {}", quoted(file)));
        }
        for line in &lines {
            self.line(line);
        }
        Ok(())
    }

    fn report(&mut self) {
        let report = &self.network.report;
        self.section("REPORT");
        let yes_no = |flag: bool| if flag { "YES" } else { "NO" };
        let mut lines = vec![format!(" PAGESIZE            {}", report.page_size)];
        if let Some(file) = &report.file {
            lines.push(format!(" FILE                {}", quoted(file)));
        }
        lines.push(format!(
            " STATUS              {}",
            match report.status {
                StatusReport::No => "NO",
                StatusReport::Yes => "YES",
                StatusReport::Full => "FULL",
            }
        ));
        if let Some(flag) = report.summary {
            lines.push(format!(" SUMMARY             {}", yes_no(flag)));
        }
        if let Some(flag) = report.energy {
            lines.push(format!(" ENERGY              {}", yes_no(flag)));
        }
        if let Some(flag) = report.messages {
            lines.push(format!(" MESSAGES            {}", yes_no(flag)));
        }
        for (keyword, selection) in [("NODES", &report.nodes), ("LINKS", &report.links)] {
            match selection {
                ReportSelection::None => lines.push(format!(" {keyword:<19} NONE")),
                ReportSelection::All => lines.push(format!(" {keyword:<19} ALL")),
                ReportSelection::Some(ids) => {
                    for chunk in ids.chunks(8) {
                        lines.push(format!(" {keyword:<19} {}", chunk.join(" ")));
                    }
                }
            }
        }
        for field in &report.fields {
            // PRECISION turns a field on, so an explicit YES or NO comes after it.
            if let Some(precision) = field.precision {
                lines.push(format!(" {:<19} PRECISION {precision}", field.name));
            }
            if let Some(enabled) = field.enabled {
                lines.push(format!(" {:<19} {}", field.name, yes_no(enabled)));
            }
            if let Some(below) = field.below {
                lines.push(format!(" {:<19} BELOW {}", field.name, number_text(below)));
            }
            if let Some(above) = field.above {
                lines.push(format!(" {:<19} ABOVE {}", field.name, number_text(above)));
            }
        }
        for line in &lines {
            self.line(line);
        }
    }

    fn tags(&mut self) {
        self.section("TAGS");
        let mut lines = Vec::new();
        for node in &self.network.nodes {
            if let Some(tag) = &node.tag {
                lines.push(format!(" NODE {:<31} {}", node.id, quoted(tag)));
            }
        }
        for link in &self.network.links {
            if let Some(tag) = &link.tag {
                lines.push(format!(" LINK {:<31} {}", link.id, quoted(tag)));
            }
        }
        for line in &lines {
            self.line(line);
        }
    }

    fn coordinates(&mut self) {
        self.section("COORDINATES");
        self.line(";Node                            X-Coord         Y-Coord");
        for node in &self.network.nodes {
            if let Some((x, y)) = node.coordinates {
                let text = format!(" {:<31} {:<15} {}", node.id, number_text(x), number_text(y));
                self.line(&text);
            }
        }
    }

    fn vertices(&mut self) {
        self.section("VERTICES");
        self.line(";Link                            X-Coord         Y-Coord");
        for link in &self.network.links {
            for &(x, y) in &link.vertices {
                let text = format!(" {:<31} {:<15} {}", link.id, number_text(x), number_text(y));
                self.line(&text);
            }
        }
    }

    fn labels(&mut self) {
        self.section("LABELS");
        self.line(";X-Coord         Y-Coord         Label & Anchor Node");
        for label in &self.network.labels {
            let mut text = format!(
                " {:<15} {:<15} \"{}\"",
                number_text(label.x),
                number_text(label.y),
                label.text
            );
            if let Some(anchor) = &label.anchor_node {
                text.push(' ');
                text.push_str(anchor);
            }
            self.line(&text);
        }
    }

    fn backdrop(&mut self) {
        let backdrop = &self.network.backdrop;
        self.section("BACKDROP");
        let mut lines = Vec::new();
        if let Some([x1, y1, x2, y2]) = backdrop.dimensions {
            lines.push(format!(
                " DIMENSIONS {} {} {} {}",
                number_text(x1),
                number_text(y1),
                number_text(x2),
                number_text(y2)
            ));
        }
        if let Some(units) = &backdrop.units {
            lines.push(format!(" UNITS {units}"));
        }
        if let Some(file) = &backdrop.file {
            lines.push(format!(" FILE {}", quoted(file)));
        }
        if let Some([x, y]) = backdrop.offset {
            lines.push(format!(" OFFSET {} {}", number_text(x), number_text(y)));
        }
        for line in &lines {
            self.line(line);
        }
    }
}

const JUNCTION_HEADING: &str =
    ";ID                              Elevation       Demand          Pattern";
const RESERVOIR_HEADING: &str = ";ID                              Head            Pattern";
const TANK_HEADING: &str = ";ID                              Elevation       InitLevel       \
     MinLevel        MaxLevel        Diameter        MinVol          VolCurve        Overflow";
const PIPE_HEADING: &str = ";ID                              Node1                           \
     Node2                           Length          Diameter        Roughness       \
     MinorLoss       Status";
const PUMP_HEADING: &str = ";ID                              Node1                           \
     Node2                           Parameters";
const VALVE_HEADING: &str = ";ID                              Node1                           \
     Node2                           Diameter        Type   Setting         MinorLoss       \
     Curve";

/// The units of a valve's setting.
fn valve_setting_quantity(valve_type: ValveType) -> Quantity {
    match valve_type {
        ValveType::Prv | ValveType::Psv | ValveType::Pbv => Quantity::Pressure,
        ValveType::Fcv => Quantity::Flow,
        ValveType::Tcv | ValveType::Gpv | ValveType::Pcv => Quantity::Unitless,
    }
}

fn attribute_word(attribute: RuleAttribute) -> &'static str {
    match attribute {
        RuleAttribute::Demand => "DEMAND",
        RuleAttribute::Head => "HEAD",
        RuleAttribute::Grade => "GRADE",
        RuleAttribute::Level => "LEVEL",
        RuleAttribute::Pressure => "PRESSURE",
        RuleAttribute::Flow => "FLOW",
        RuleAttribute::Status => "STATUS",
        RuleAttribute::Setting => "SETTING",
        RuleAttribute::Power => "POWER",
        RuleAttribute::Time => "TIME",
        RuleAttribute::ClockTime => "CLOCKTIME",
        RuleAttribute::FillTime => "FILLTIME",
        RuleAttribute::DrainTime => "DRAINTIME",
    }
}

fn relation_word(relation: Relation, is_status: bool) -> &'static str {
    match (relation, is_status) {
        (Relation::Equal, true) => "IS",
        (Relation::NotEqual, true) => "NOT",
        (Relation::Equal, false) => "=",
        (Relation::NotEqual, false) => "<>",
        (Relation::Below, _) => "<",
        (Relation::Above, _) => ">",
        (Relation::BelowOrEqual, _) => "<=",
        (Relation::AboveOrEqual, _) => ">=",
    }
}

/// Appends `;comment` to an element's line.
fn push_comment(text: &mut String, comment: Option<&str>) {
    if let Some(comment) = comment {
        // A line break inside a comment would start a new data line.
        let comment = comment.replace(['\n', '\r'], " ");
        text.push_str(" ;");
        text.push_str(&comment);
    }
}

/// A token in double quotes when it holds white space or is empty, as EPANET 2.3 reads it.
fn quoted(text: &str) -> String {
    if text.is_empty() || text.contains(char::is_whitespace) || text.contains(';') {
        format!("\"{text}\"")
    } else {
        text.to_string()
    }
}

/// Seconds as `h:mm:ss`, which EPANET reads back to the same whole second.
fn clock_text(seconds: u64) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        (seconds % 3600) / 60,
        seconds % 60
    )
}

/// A control time as decimal hours `h` whose `3600 h` lies in `[seconds, seconds + 0.5)`,
/// so that it reads back as the same whole second whether the reader rounds (EPANET) or
/// truncates; the shortest such text near `seconds / 3600`.
fn control_hours(seconds: u64) -> String {
    let target = seconds as f64;
    let fits = |hours: f64| {
        let back = 3600.0 * hours;
        back >= target && back < target + 0.5
    };
    let exact = target / 3600.0;
    for digits in 1..=17 {
        let text = format!("{exact:.*e}", digits - 1);
        if let Ok(hours) = text.parse::<f64>() {
            if fits(hours) && (hours - exact).abs() <= exact * 1e-9 {
                return number_text(hours);
            }
        }
    }
    // Step up from the quotient until 3600 h is no longer below the target.
    let mut hours = exact;
    for _ in 0..64 {
        if fits(hours) {
            break;
        }
        hours = crate::units::neighbour_by(hours, 1);
    }
    number_text(hours)
}

/// The shortest text that reads back as exactly `value`: plain decimals for ordinary
/// magnitudes, scientific notation (which EPANET's `strtod` reads) for very large or small.
pub(crate) fn number_text(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs();
    if (1e-5..1e16).contains(&magnitude) || !value.is_finite() {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// The shortest decimal text of a file value that `to_si` turns back into exactly `si`
/// (see [`crate::units::file_value`]; `guess` is `si` converted to file units).
fn exact_text(si: f64, guess: f64, to_si: impl Fn(f64) -> f64) -> String {
    number_text(crate::units::file_value(si, guess, to_si))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chemical_named_like_a_keyword_is_refused() {
        let mut network = Network::new();
        for (name, units, writable) in [
            ("Chlorine", "ug/L", true),
            ("Chemical", "mg/L", true),
            ("Chemical", "ug/L", false),
            ("Agent", "mg/L", false),
            ("tracer", "mg/L", false),
        ] {
            network.options.quality = QualityAnalysis::Chemical {
                name: name.to_string(),
                units: units.to_string(),
            };
            let written = write(&network);
            assert_eq!(written.is_ok(), writable, "{name} {units}: {written:?}");
        }
    }

    #[test]
    fn shortest_text_of_a_converted_value() {
        // 0.3 gpm converted to m³/s and back must print as 0.3.
        let factor = crate::units::FlowUnits::Gpm.per_cubic_metre_per_second();
        let si = 0.3 / factor;
        assert_eq!(exact_text(si, si * factor, |v| v / factor), "0.3");
        let si = 1234.5678 / factor;
        assert_eq!(exact_text(si, si * factor, |v| v / factor), "1234.5678");
    }

    #[test]
    fn every_written_value_converts_back_exactly() {
        let factor = 0.3048_f64.recip();
        let mut value = 1e-3;
        while value < 1e6 {
            let text = exact_text(value, value * factor, |v| v / factor);
            let parsed: f64 = text.parse().expect("written text is a number");
            // Either exact, or (when no double maps back) within a relative 1e-15.
            let back = parsed / factor;
            assert!(
                back == value || ((back - value) / value).abs() < 1e-15,
                "{value} {text}"
            );
            value *= 1.37;
        }
    }

    #[test]
    fn numbers_print_plainly_or_in_scientific_notation() {
        assert_eq!(number_text(0.0), "0");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(130.0), "130");
        assert_eq!(number_text(0.0001), "0.0001");
        assert_eq!(number_text(1e-7), "1e-7");
        assert_eq!(number_text(2.5e20), "2.5e20");
    }

    #[test]
    fn control_times_read_back_whether_rounded_or_truncated() {
        for seconds in (0..200_000)
            .step_by(7)
            .chain([1, 59, 60, 61, 3599, 3601, 86_399])
        {
            let text = control_hours(seconds);
            let hours: f64 = text.parse().expect("a number");
            assert_eq!((3600.0 * hours) as u64, seconds, "{text}");
            assert_eq!((3600.0 * hours + 0.5) as u64, seconds, "{text}");
        }
        assert_eq!(control_hours(5400), "1.5");
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock_text(0), "0:00:00");
        assert_eq!(clock_text(86_400), "24:00:00");
        assert_eq!(clock_text(3_661), "1:01:01");
    }

    #[test]
    fn neighbours_step_one_ulp() {
        assert!(crate::units::neighbour_by(1.0, 1) > 1.0);
        assert!(crate::units::neighbour_by(1.0, -1) < 1.0);
        assert!(crate::units::neighbour_by(-1.0, 1) > -1.0);
        assert!(crate::units::neighbour_by(0.0, 1) > 0.0);
        assert!(crate::units::neighbour_by(0.0, -1) < 0.0);
    }
}

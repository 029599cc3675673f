//! The report file (.rpt) in EPANET 2.3's layout: logo, input summary, hydraulic status
//! lines and warnings as the run goes, then the energy report and the node and link tables
//! of every reported period.
//!
//! As EPANET does, the tables are written at the end from the binary output file, so a
//! long run's results never sit in memory.

use super::{clock_time, FlowBalance, MassBalanceLines, Warning};
use crate::binary::{EnergySection, OutReader, PeriodResults};
use crate::error::OutputError;
use crate::units::ReportUnits;
use danjiang_network::{
    DemandModel, HeadlossFormula, InitialStatus, LinkKind, Network, NodeKind, QualityAnalysis,
    ReportSelection, Statistic, StatusReport,
};
use std::io::{Read, Seek, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Link fields in EPANET's order: length, diameter, flow, velocity, headloss, quality,
/// status, setting, reaction, friction factor.
const LINK_FIELDS: usize = 10;

/// How one report field is shown.
#[derive(Debug, Clone)]
struct Field {
    name: &'static str,
    units: String,
    enabled: bool,
    precision: usize,
    /// Values above this are not reported (EPANET's `BELOW` limit).
    below: Option<f64>,
    /// Values below this are not reported (EPANET's `ABOVE` limit).
    above: Option<f64>,
}

impl Field {
    fn new(name: &'static str, units: impl Into<String>, enabled: bool) -> Field {
        Field {
            name,
            units: units.into(),
            enabled,
            precision: 2,
            below: None,
            above: None,
        }
    }

    fn admits(&self, value: f64) -> bool {
        self.below.is_none_or(|limit| value <= limit)
            && self.above.is_none_or(|limit| value >= limit)
    }

    fn cell(&self, value: f64) -> String {
        if value.abs() > 1.0e6 {
            format!("{:>10}", c_exponent(value, 2))
        } else {
            format!("{:>10.*}", self.precision, value)
        }
    }
}

/// `%.*e` as C prints it (two-digit exponent with sign).
fn c_exponent(value: f64, precision: usize) -> String {
    let text = format!("{:.*e}", precision, value);
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

/// A change a control or rule made to a link, for the status report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusAction {
    /// A simple control on a tank's or reservoir's level (model indices).
    LevelControl {
        /// The link changed.
        link: usize,
        /// The controlling node.
        node: usize,
    },
    /// A simple control on the clock.
    TimerControl {
        /// The link changed.
        link: usize,
    },
    /// A rule-based control.
    Rule {
        /// The link changed.
        link: usize,
        /// Index of the rule in the network's rules.
        rule: usize,
    },
}

/// A line of the trials of one hydraulic time in EPANET's full status report (see
/// [`ReportWriter::trials`]). Links and nodes are indices in the network's order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrialLine {
    /// A trial's relative flow change.
    Trial {
        /// Trial number, from 1.
        number: u32,
        /// Sum of flow changes over sum of flows.
        relative_flow_change: f64,
    },
    /// A link's status changed during the trials (EPANET status codes, 0 to 7).
    StatusChange {
        /// The link.
        link: usize,
        /// Code before.
        from: u8,
        /// Code after.
        to: u8,
    },
    /// A link's setting changed (SI: m of head for PRV/PSV/PBV, m³/s for FCV).
    SettingChange {
        /// The link.
        link: usize,
        /// The new setting.
        setting: f64,
    },
    /// A control valve made the equations ill-conditioned.
    IllConditionedValve {
        /// The valve.
        link: usize,
    },
    /// The largest flow change (m³/s) and head error (m) once a trial met the accuracy.
    Balance {
        /// Largest flow change, m³/s.
        max_flow_change: f64,
        /// Where it happened.
        flow_change_at: TrialSite,
        /// Largest head loss error, m.
        max_head_error: f64,
        /// The link of that error.
        head_error_link: usize,
    },
}

/// Where a trial's largest flow change happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrialSite {
    /// In a link.
    Link(usize),
    /// At a node (emitter, pressure-driven demand or leakage).
    Node(usize),
}

/// Writes a report file; see the module documentation for the order of its parts.
pub struct ReportWriter<W: Write> {
    out: W,
    page_size: u32,
    line_number: u32,
    page_number: u32,
    first_title: String,
    status: StatusReport,
    messages: bool,
    energy: bool,
    statistic: Statistic,
    duration: u64,
    units: ReportUnits,
    node_fields: Vec<Field>,
    link_fields: Vec<Field>,
    node_ids: Vec<String>,
    node_kind_text: Vec<Option<&'static str>>,
    node_elevation: Vec<f64>,
    node_reported: Vec<bool>,
    link_ids: Vec<String>,
    link_type_text: Vec<&'static str>,
    link_length: Vec<f64>,
    link_diameter: Vec<f64>,
    link_reported: Vec<bool>,
    tank_max_head: Vec<Option<f64>>,
    tanks: Vec<usize>,
    old_tank_status: Vec<u8>,
    old_link_status: Vec<u8>,
    quality_name: String,
    quality_units: String,
    first_status: bool,
    rule_ids: Vec<String>,
    /// Words for the mass unit of the quality mass balance (EPANET's " (mg)", " (hrs)").
    mass_units: &'static str,
    /// The network's demand charge per peak kW: EPANET's report applies it a second time.
    demand_charge_rate: f64,
}

impl<W: Write> ReportWriter<W> {
    /// Starts a report: writes the logo and, unless `[REPORT] SUMMARY NO`, the input
    /// summary, then the line that the analysis has begun.
    pub fn new(out: W, network: &Network, input_file: &str) -> Result<Self, OutputError> {
        let units = ReportUnits::of(network);
        let report = &network.report;
        let (quality_name, quality_units) = match &network.options.quality {
            QualityAnalysis::None => ("Quality".to_string(), String::new()),
            QualityAnalysis::Chemical { name, units } => (name.clone(), units.clone()),
            QualityAnalysis::Age => ("Age".to_string(), "hrs".to_string()),
            QualityAnalysis::Trace { node } => (
                "Trace".to_string(),
                network
                    .nodes
                    .get(node.index())
                    .map(|n| format!("% from {}", n.id))
                    .unwrap_or_default(),
            ),
        };
        let mut node_fields = vec![
            Field::new("Elevation", units.length_label(), false),
            Field::new("Demand", units.flow_label(), true),
            Field::new("Head", units.length_label(), true),
            Field::new("Pressure", units.pressure_units.keyword(), true),
            Field::new("Quality", quality_units.clone(), true),
        ];
        let mut link_fields = vec![
            Field::new("Length", units.length_label(), false),
            Field::new("Diameter", units.diameter_label(), false),
            Field::new("Flow", units.flow_label(), true),
            Field::new("Velocity", units.velocity_label(), true),
            Field::new("Headloss", units.headloss_label(), true),
            Field::new("Quality", quality_units.clone(), false),
            Field::new("Status", "", false),
            Field::new("Setting", "", false),
            Field::new("Reaction", format!("{quality_units}/d"), false),
            Field::new("F-Factor", "", false),
        ];
        link_fields[LINK_FIELDS - 1].precision = 3;
        for setting in &report.fields {
            let targets: Vec<(bool, usize)> = match setting.name.to_ascii_uppercase().as_str() {
                "ELEVATION" => vec![(true, 0)],
                "DEMAND" => vec![(true, 1)],
                "HEAD" => vec![(true, 2)],
                "PRESSURE" => vec![(true, 3)],
                "QUALITY" => vec![(true, 4), (false, 5)],
                "LENGTH" => vec![(false, 0)],
                "DIAMETER" => vec![(false, 1)],
                "FLOW" => vec![(false, 2)],
                "VELOCITY" => vec![(false, 3)],
                "HEADLOSS" => vec![(false, 4)],
                "STATUS" | "STATE" => vec![(false, 6)],
                "SETTING" => vec![(false, 7)],
                "REACTION" => vec![(false, 8)],
                "F-FACTOR" => vec![(false, 9)],
                _ => Vec::new(),
            };
            for (is_node, index) in targets {
                let field = if is_node {
                    &mut node_fields[index]
                } else {
                    &mut link_fields[index]
                };
                if let Some(enabled) = setting.enabled {
                    field.enabled = enabled;
                }
                if let Some(precision) = setting.precision {
                    field.precision = precision.min(15) as usize;
                }
                field.below = setting.below.or(field.below);
                field.above = setting.above.or(field.above);
            }
        }
        if matches!(network.options.quality, QualityAnalysis::None) {
            node_fields[4].enabled = false;
            link_fields[5].enabled = false;
        }

        let selected = |selection: &ReportSelection, id: &str| match selection {
            ReportSelection::None => false,
            ReportSelection::All => true,
            ReportSelection::Some(ids) => ids.iter().any(|s| s.eq_ignore_ascii_case(id)),
        };
        let mut tanks = Vec::new();
        let mut tank_max_head = Vec::new();
        let node_kind_text = network
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| match &node.kind {
                NodeKind::Junction(_) => None,
                NodeKind::Reservoir(_) => {
                    tanks.push(i);
                    tank_max_head.push(None);
                    Some("Reservoir")
                }
                NodeKind::Tank(tank) => {
                    tanks.push(i);
                    tank_max_head.push(Some(node.elevation + tank.max_level));
                    Some("Tank")
                }
            })
            .collect();
        let old_link_status = network
            .links
            .iter()
            .map(|link| match (&link.kind, link.initial_status) {
                (_, InitialStatus::Closed) => 2,
                (LinkKind::Valve(_), InitialStatus::Default | InitialStatus::Active) => 4,
                _ => 3,
            })
            .collect();
        let mut writer = ReportWriter {
            out,
            page_size: report.page_size,
            line_number: 0,
            page_number: 1,
            first_title: network.title.first().cloned().unwrap_or_default(),
            status: report.status,
            messages: report.messages.unwrap_or(true),
            energy: report.energy.unwrap_or(false),
            statistic: network.times.statistic,
            duration: network.times.duration,
            node_fields,
            link_fields,
            node_ids: network.nodes.iter().map(|n| n.id.clone()).collect(),
            node_kind_text,
            node_elevation: network
                .nodes
                .iter()
                .map(|n| units.report_length(n.elevation))
                .collect(),
            node_reported: network
                .nodes
                .iter()
                .map(|n| selected(&report.nodes, &n.id))
                .collect(),
            link_ids: network.links.iter().map(|l| l.id.clone()).collect(),
            link_type_text: network
                .links
                .iter()
                .map(|l| match &l.kind {
                    LinkKind::Pipe(p) if p.check_valve => "CV",
                    LinkKind::Pipe(_) => "",
                    LinkKind::Pump(_) => "Pump",
                    LinkKind::Valve(v) => v.valve_type.keyword(),
                })
                .collect(),
            link_length: network
                .links
                .iter()
                .map(|l| match &l.kind {
                    LinkKind::Pipe(p) => units.report_length(p.length),
                    _ => 0.0,
                })
                .collect(),
            link_diameter: network
                .links
                .iter()
                .map(|l| match &l.kind {
                    LinkKind::Pipe(p) => ReportUnits::feet(p.diameter) * units.diameter,
                    LinkKind::Valve(v) => ReportUnits::feet(v.diameter) * units.diameter,
                    LinkKind::Pump(_) => 0.0,
                })
                .collect(),
            link_reported: network
                .links
                .iter()
                .map(|l| selected(&report.links, &l.id))
                .collect(),
            old_tank_status: vec![1; tanks.len()],
            tanks,
            tank_max_head,
            old_link_status,
            units,
            quality_name,
            quality_units,
            first_status: true,
            rule_ids: network.rules.iter().map(|r| r.id.clone()).collect(),
            mass_units: mass_units(&network.options.quality),
            demand_charge_rate: network.energy.demand_charge,
        };
        writer.logo()?;
        if report.summary.unwrap_or(true) {
            writer.summary(network, input_file)?;
        }
        writer.line(&format!("Analysis begun {}", date_stamp()))?;
        Ok(writer)
    }

    fn line(&mut self, text: &str) -> Result<(), OutputError> {
        if self.page_size > 0 && self.line_number == self.page_size {
            self.page_number += 1;
            let title: String = self.first_title.chars().take(60).collect();
            write!(
                self.out,
                "\n\x0c\n  Page {:<}    {:>60}\n",
                self.page_number, title
            )?;
            self.line_number = 3;
        }
        write!(self.out, "\n  {text}")?;
        self.line_number += 1;
        Ok(())
    }

    fn logo(&mut self) -> Result<(), OutputError> {
        write!(
            self.out,
            "  Page 1                                    {}",
            date_stamp()
        )?;
        self.line_number = 2;
        let stars = "******************************************************************";
        self.line(stars)?;
        self.line("*                           E P A N E T                          *")?;
        self.line("*                   Hydraulic and Water Quality                  *")?;
        self.line("*                   Analysis for Pipe Networks                   *")?;
        self.line("*                          Version 2.3.05                        *")?;
        self.line(stars)?;
        self.line("")
    }

    fn summary(&mut self, network: &Network, input_file: &str) -> Result<(), OutputError> {
        for title in network.title.iter().take(3).filter(|t| !t.is_empty()) {
            let shown: String = title.chars().take(70).collect();
            self.line(&shown)?;
        }
        self.line(" ")?;
        let counts = network.counts();
        let options = &network.options;
        let (time_factor, time_units) = if network.times.hydraulic_step < 1800 {
            (1.0 / 60.0, "min")
        } else {
            (1.0 / 3600.0, "hrs")
        };
        let mut lines = vec![
            format!("    Input Data File ................... {input_file}"),
            format!(
                "    Number of Junctions................ {}",
                counts.junctions
            ),
            format!(
                "    Number of Reservoirs............... {}",
                counts.reservoirs
            ),
            format!("    Number of Tanks ................... {}", counts.tanks),
            format!("    Number of Pipes ................... {}", counts.pipes),
            format!("    Number of Pumps ................... {}", counts.pumps),
            format!("    Number of Valves .................. {}", counts.valves),
            format!(
                "    Headloss Formula .................. {}",
                match options.headloss {
                    HeadlossFormula::HazenWilliams => "Hazen-Williams",
                    HeadlossFormula::DarcyWeisbach => "Darcy-Weisbach",
                    HeadlossFormula::ChezyManning => "Chezy-Manning",
                }
            ),
            format!(
                "    Nodal Demand Model ................ {}",
                match options.demand_model {
                    DemandModel::DemandDriven => "DDA",
                    DemandModel::PressureDriven => "PDA",
                }
            ),
            format!(
                "    Hydraulic Timestep ................ {:.2} {time_units}",
                network.times.hydraulic_step as f64 * time_factor
            ),
            format!(
                "    Hydraulic Accuracy ................ {:.6}",
                options.accuracy
            ),
        ];
        if options.head_error > 0.0 {
            lines.push(format!(
                "    Headloss Error Limit .............. {:.6} {}",
                self.units.report_length(options.head_error),
                self.units.length_label()
            ));
        }
        if options.flow_change > 0.0 {
            lines.push(format!(
                "    Flow Change Limit ................. {:.6} {}",
                self.units.report_flow(options.flow_change),
                self.units.flow_label()
            ));
        }
        lines.extend([
            format!(
                "    Status Check Frequency ............ {}",
                options.check_frequency
            ),
            format!(
                "    Maximum Trials Checked ............ {}",
                options.max_check
            ),
            format!(
                "    Damping Limit Threshold ........... {:.6}",
                options.damp_limit
            ),
            format!("    Maximum Trials .................... {}", options.trials),
        ]);
        let quality = match (&options.quality, network.times.duration) {
            (QualityAnalysis::None, _) | (_, 0) => "None".to_string(),
            (QualityAnalysis::Chemical { name, .. }, _) => name.clone(),
            (QualityAnalysis::Age, _) => "Age".to_string(),
            (QualityAnalysis::Trace { node }, _) => format!(
                "Trace From Node {}",
                network
                    .nodes
                    .get(node.index())
                    .map(|n| n.id.as_str())
                    .unwrap_or("")
            ),
        };
        lines.push(format!("    Quality Analysis .................. {quality}"));
        if !matches!(options.quality, QualityAnalysis::None) && network.times.duration > 0 {
            let step = network
                .times
                .quality_step
                .unwrap_or(network.times.hydraulic_step / 10);
            lines.push(format!(
                "    Water Quality Time Step ........... {:.2} min",
                step as f64 / 60.0
            ));
            lines.push(format!(
                "    Water Quality Tolerance ........... {:.2} {}",
                options.quality_tolerance, self.quality_units
            ));
        }
        lines.extend([
            format!(
                "    Specific Gravity .................. {:.2}",
                options.specific_gravity
            ),
            format!(
                "    Relative Kinematic Viscosity ...... {:.2}",
                options.viscosity
            ),
            format!(
                "    Relative Chemical Diffusivity ..... {:.2}",
                options.diffusivity
            ),
            format!(
                "    Demand Multiplier ................. {:.2}",
                options.demand_multiplier
            ),
            format!(
                "    Total Duration .................... {:.2} {time_units}",
                network.times.duration as f64 * time_factor
            ),
            "    Reporting Criteria:".to_string(),
        ]);
        lines.push(
            match &network.report.nodes {
                ReportSelection::None => "       No Nodes",
                ReportSelection::All => "       All Nodes",
                ReportSelection::Some(_) => "       Selected Nodes",
            }
            .to_string(),
        );
        lines.extend(limit_lines(&self.node_fields[1..]));
        lines.push(
            match &network.report.links {
                ReportSelection::None => "       No Links",
                ReportSelection::All => "       All Links",
                ReportSelection::Some(_) => "       Selected Links",
            }
            .to_string(),
        );
        lines.extend(limit_lines(&self.link_fields[1..5]));
        lines.push(" ".to_string());
        for line in lines {
            self.line(&line)?;
        }
        Ok(())
    }

    /// Writes the status lines of one hydraulic time (with `[REPORT] STATUS YES` or
    /// `FULL`): trials, tank and link status changes; and its warnings unless
    /// `[REPORT] MESSAGES NO`.
    #[allow(clippy::too_many_arguments)]
    pub fn hydraulic_time(
        &mut self,
        time: u64,
        trials: u32,
        relative_error: f64,
        converged: bool,
        node_head: &[f64],
        node_demand: &[f64],
        link_status: &[u8],
        warnings: &[Warning],
    ) -> Result<(), OutputError> {
        if self.status != StatusReport::No {
            self.status_header()?;
            let at = format!("{:>10}", clock_time(time));
            if converged {
                self.line(&format!("{at}: Balanced after {trials} trials"))?;
            } else {
                self.line(&format!(
                    "{at}: Unbalanced after {trials} trials (flow change = {relative_error:.6})"
                ))?;
            }
            for t in 0..self.tanks.len() {
                let n = self.tanks[t];
                let demand = self.units.report_flow(node_demand[n]) / self.units.flow;
                let status = if demand.abs() < 0.001 {
                    2
                } else if demand < 0.0 {
                    9
                } else if self.tank_max_head[t]
                    .is_some_and(|max| (ReportUnits::feet(node_head[n] - max)).abs() < 0.001)
                {
                    10
                } else {
                    8
                };
                if status != self.old_tank_status[t] {
                    let text = match status {
                        2 => "closed",
                        8 => "filling",
                        9 => "emptying",
                        _ => "overflowing",
                    };
                    let id = self.node_ids[n].clone();
                    let line = if self.tank_max_head[t].is_some() {
                        let level = self.units.report_length(node_head[n]) - self.node_elevation[n];
                        format!(
                            "{at}: Tank {id} is {text} at {level:.2} {}",
                            self.units.length_label()
                        )
                    } else {
                        format!("{at}: Reservoir {id} is {text}")
                    };
                    self.line(&line)?;
                    self.old_tank_status[t] = status;
                }
            }
            for (k, &new) in link_status
                .iter()
                .enumerate()
                .take(self.old_link_status.len())
            {
                let old = self.old_link_status[k];
                if old != new {
                    let kind = match self.link_type_text[k] {
                        "" => "Pipe",
                        text => text,
                    };
                    let id = self.link_ids[k].clone();
                    let line = if time == 0 {
                        format!("{at}: {kind} {id} {}", super::warnings::status_text(new))
                    } else {
                        format!(
                            "{at}: {kind} {id} changed from {} to {}",
                            super::warnings::status_text(old),
                            super::warnings::status_text(new)
                        )
                    };
                    self.line(&line)?;
                    self.old_link_status[k] = new;
                }
            }
        }
        if self.messages && !warnings.is_empty() {
            for warning in warnings {
                for line in warning.lines(time) {
                    self.line(&line)?;
                }
            }
            self.line(" ")?;
        } else if self.status != StatusReport::No {
            self.line(" ")?;
        }
        Ok(())
    }

    fn status_header(&mut self) -> Result<(), OutputError> {
        if self.first_status {
            self.line(" ")?;
            self.line("Hydraulic Status:")?;
            self.line(&"-".repeat(71))?;
            self.first_status = false;
        }
        Ok(())
    }

    fn link_words(&self, link: usize) -> (&'static str, String) {
        let kind = match self.link_type_text.get(link).copied() {
            Some("") | None => "Pipe",
            Some(text) => text,
        };
        (kind, self.link_ids.get(link).cloned().unwrap_or_default())
    }

    /// Writes the lines for links changed by controls and rules before the solution at
    /// `time` (with `[REPORT] STATUS YES` or `FULL`); call before
    /// [`hydraulic_time`](Self::hydraulic_time). Each action carries the time it was taken.
    pub fn actions(&mut self, actions: &[(u64, StatusAction)]) -> Result<(), OutputError> {
        if self.status == StatusReport::No || actions.is_empty() {
            return Ok(());
        }
        self.status_header()?;
        for (time, action) in actions {
            let at = format!("{:>10}", clock_time(*time));
            let line = match action {
                StatusAction::LevelControl { link, node } => {
                    let (kind, id) = self.link_words(*link);
                    let node_kind = self
                        .node_kind_text
                        .get(*node)
                        .copied()
                        .flatten()
                        .unwrap_or("Junction");
                    let node_id = self.node_ids.get(*node).cloned().unwrap_or_default();
                    format!("{at}: {kind} {id} changed by {node_kind} {node_id} control")
                }
                StatusAction::TimerControl { link } => {
                    let (kind, id) = self.link_words(*link);
                    format!("{at}: {kind} {id} changed by timer control")
                }
                StatusAction::Rule { link, rule } => {
                    let (kind, id) = self.link_words(*link);
                    let rule_id = self.rule_ids.get(*rule).cloned().unwrap_or_default();
                    format!("{at}: {kind} {id} changed by rule {rule_id}")
                }
            };
            self.line(&line)?;
        }
        Ok(())
    }

    /// Writes the trials of the hydraulic time `time` as EPANET's full status report does
    /// (`[REPORT] STATUS FULL`; nothing otherwise): a "Balancing the network" line, each
    /// trial's relative flow change, links switched during the trials and the largest flow
    /// change and head error once the trials meet the accuracy. Call before
    /// [`hydraulic_time`](Self::hydraulic_time).
    pub fn trials(&mut self, time: u64, lines: &[TrialLine]) -> Result<(), OutputError> {
        if self.status != StatusReport::Full {
            return Ok(());
        }
        self.status_header()?;
        // EPANET's line ends with a newline of its own: an empty line follows.
        self.line(&format!(
            "{:>10}: Balancing the network:\n",
            clock_time(time)
        ))?;
        let indent = " ".repeat(12);
        for line in lines {
            let text = match *line {
                TrialLine::Trial {
                    number,
                    relative_flow_change,
                } => format!(
                    "{indent}Trial {number:2}: relative flow change = {relative_flow_change:.6}"
                ),
                TrialLine::StatusChange { link, from, to } => {
                    // EPANET reports only a change between closed, open and active.
                    let class = |code: u8| match code {
                        4 => 4,
                        0..=2 => 2,
                        _ => 3,
                    };
                    let (from, to) = (class(from), class(to));
                    if from == to {
                        continue;
                    }
                    let (kind, id) = self.link_words(link);
                    format!(
                        "{indent}{kind} {id} switched from {} to {}",
                        super::warnings::status_text(from),
                        super::warnings::status_text(to)
                    )
                }
                TrialLine::SettingChange { link, setting } => {
                    let (kind, id) = self.link_words(link);
                    let setting = match kind {
                        "PRV" | "PSV" | "PBV" => self.units.report_pressure(setting),
                        "FCV" => self.units.report_flow(setting),
                        _ => setting,
                    };
                    format!("{indent}{kind} {id} setting changed to {setting:.2}")
                }
                TrialLine::IllConditionedValve { link } => {
                    let (_, id) = self.link_words(link);
                    format!(
                        "{:>10}: Valve {id} caused ill-conditioning",
                        clock_time(time)
                    )
                }
                TrialLine::Balance {
                    max_flow_change,
                    flow_change_at,
                    max_head_error,
                    head_error_link,
                } => {
                    let flow = self.units.report_flow(max_flow_change);
                    let site = match flow_change_at {
                        TrialSite::Link(k) => {
                            format!("Link {}", self.link_ids.get(k).cloned().unwrap_or_default())
                        }
                        TrialSite::Node(n) => {
                            format!("Node {}", self.node_ids.get(n).cloned().unwrap_or_default())
                        }
                    };
                    self.line(&format!(
                        "{indent}          maximum  flow change = {flow:.4} for {site}"
                    ))?;
                    let head = self.units.report_length(max_head_error);
                    let id = self
                        .link_ids
                        .get(head_error_link)
                        .cloned()
                        .unwrap_or_default();
                    format!("{indent}          maximum  head error  = {head:.4} for Link {id}\n")
                }
            };
            self.line(&text)?;
        }
        Ok(())
    }

    /// Writes EPANET 2.3's hydraulic flow balance (with `[REPORT] STATUS YES` or `FULL`),
    /// once the hydraulics are done; `balance` must be finished.
    pub fn flow_balance(&mut self, balance: &FlowBalance) -> Result<(), OutputError> {
        if self.status == StatusReport::No {
            return Ok(());
        }
        let flow = |v: f64| self.units.report_flow(v);
        let rows = [
            ("Total Inflow:      ", flow(balance.total_inflow)),
            ("Consumer Demand:   ", flow(balance.consumer_demand)),
            ("Demand Deficit:    ", flow(balance.demand_deficit)),
            ("Emitter Flow:      ", flow(balance.emitter_flow)),
            ("Leakage Flow:      ", flow(balance.leakage_flow)),
            ("Total Outflow:     ", flow(balance.total_outflow)),
            ("Storage Flow:      ", flow(balance.storage_flow)),
            ("Flow Ratio:        ", balance.ratio),
        ];
        let rule = "================================";
        self.line(&format!(
            "Hydraulic Flow Balance ({})",
            self.units.flow_label()
        ))?;
        self.line(rule)?;
        for (name, value) in rows {
            self.line(&format!("{name}{value:12.3}"))?;
        }
        self.line(&format!("{rule}\n"))
    }

    /// Writes the water-quality mass balance (with `[REPORT] STATUS YES` or `FULL`), once
    /// the quality run is done.
    pub fn mass_balance(&mut self, balance: &MassBalanceLines) -> Result<(), OutputError> {
        if self.status == StatusReport::No {
            return Ok(());
        }
        let rule = "================================";
        let mass = |v: f64| format!("{:>12}", c_exponent(v, 5));
        self.line(&format!("Water Quality Mass Balance{}", self.mass_units))?;
        self.line(rule)?;
        self.line(&format!("Initial Mass:      {}", mass(balance.initial)))?;
        self.line(&format!("Mass Inflow:       {}", mass(balance.inflow)))?;
        self.line(&format!("Mass Outflow:      {}", mass(balance.outflow)))?;
        self.line(&format!("Mass Reacted:      {}", mass(balance.reacted)))?;
        self.line(&format!("Final Mass:        {}", mass(balance.final_mass)))?;
        self.line(&format!("Mass Ratio:         {:.5}", balance.ratio))?;
        self.line(&format!("Total Segments:     {}", balance.segments))?;
        self.line(&format!("{rule}\n"))
    }

    /// Ends the report: the closing line of the analysis, then the energy report (with
    /// `[REPORT] ENERGY YES`) and the node and link tables of every period, read back from
    /// the output file.
    pub fn finish<R: Read + Seek>(
        mut self,
        energy: &EnergySection,
        results: Option<&mut OutReader<R>>,
    ) -> Result<W, OutputError> {
        // EPANET closes the analysis before it writes the results part of the report.
        self.line(&format!("Analysis ended {}", date_stamp()))?;
        if self.energy && !energy.pumps.is_empty() {
            self.energy_report(energy)?;
        }
        let any_node =
            self.node_reported.iter().any(|&r| r) && self.node_fields.iter().any(|f| f.enabled);
        let any_link =
            self.link_reported.iter().any(|&r| r) && self.link_fields.iter().any(|f| f.enabled);
        if let Some(reader) = results {
            if any_node || any_link {
                let mut period = PeriodResults::default();
                for p in 0..reader.period_count() {
                    let time = reader.period_time(p).max(0) as u64;
                    reader.read_period_into(p, &mut period)?;
                    if any_node {
                        self.node_table(time, &period)?;
                    }
                    if any_link {
                        self.link_table(time, &period)?;
                    }
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn energy_report(&mut self, energy: &EnergySection) -> Result<(), OutputError> {
        self.line(" ")?;
        self.table_break()?;
        let per_volume = match self.units.system {
            danjiang_network::UnitSystem::Si => "  /m3",
            danjiang_network::UnitSystem::Us => "/Mgal",
        };
        self.line("Energy Usage:")?;
        self.line(&"-".repeat(64))?;
        self.line("           Usage   Avg.     Kw-hr      Avg.      Peak      Cost")?;
        self.line(&format!(
            "Pump      Factor Effic.     {per_volume}        Kw        Kw      /day"
        ))?;
        self.line(&"-".repeat(64))?;
        let mut total = 0.0;
        for pump in &energy.pumps {
            total += pump.cost_per_day as f64;
            let id = usize::try_from(pump.link_index - 1)
                .ok()
                .and_then(|k| self.link_ids.get(k))
                .cloned()
                .unwrap_or_default();
            self.line(&format!(
                "{id:<8}  {:6.2} {:6.2} {:9.2} {:9.2} {:9.2} {:9.2}",
                pump.utilization,
                pump.average_efficiency,
                pump.kwh_per_volume,
                pump.average_kw,
                pump.peak_kw,
                pump.cost_per_day
            ))?;
        }
        self.line(&"-".repeat(64))?;
        // EPANET 2.3.5 stores the charge (rate x peak kW) in its peak variable when it writes
        // the binary output, then reports that variable times the rate again.
        let charge = energy.demand_charge as f64 * self.demand_charge_rate;
        self.line(&format!("{:38} Demand Charge: {charge:9.2}", ""))?;
        self.line(&format!("{:38} Total Cost:    {:9.2}", "", total + charge))?;
        self.line(" ")
    }

    /// EPANET moves to a new page when fewer than 11 lines are left, then skips a line.
    fn table_break(&mut self) -> Result<(), OutputError> {
        if self.page_size > 0 && self.line_number + 11 > self.page_size {
            while self.line_number < self.page_size {
                self.line(" ")?;
            }
        }
        self.line(" ")
    }

    fn table_title(&self, kind: &str, time: u64) -> String {
        match self.statistic {
            Statistic::Range => format!("DIFFERENTIAL {kind} Results:"),
            Statistic::Average => format!("AVERAGE {kind} Results:"),
            Statistic::Minimum => format!("MINIMUM {kind} Results:"),
            Statistic::Maximum => format!("MAXIMUM {kind} Results:"),
            Statistic::None if self.duration == 0 => format!("{kind} Results:"),
            Statistic::None => format!("{kind} Results at {} hrs:", clock_time(time)),
        }
    }

    fn table_header(&mut self, kind: &str, time: u64, nodes: bool) -> Result<(), OutputError> {
        self.table_break()?;
        let title = self.table_title(kind, time);
        self.line(&title)?;
        let fields = if nodes {
            &self.node_fields
        } else {
            &self.link_fields
        };
        let mut names = format!("{:15}", "");
        let mut units = format!("{kind:<15}");
        let mut width = 15;
        for (j, field) in fields.iter().enumerate().filter(|(_, f)| f.enabled) {
            width += 10;
            let name = if nodes && j == 4 {
                self.quality_name.as_str()
            } else {
                field.name
            };
            names.push_str(&format!("{name:>10}"));
            units.push_str(&format!("{:>10}", field.units));
        }
        let rule = "-".repeat(width + 1);
        self.line(&rule)?;
        self.line(&names)?;
        self.line(&units)?;
        self.line(&rule)
    }

    fn node_table(&mut self, time: u64, period: &PeriodResults) -> Result<(), OutputError> {
        self.table_header("Node", time, true)?;
        for i in 0..self.node_ids.len() {
            if !self.node_reported[i] {
                continue;
            }
            let values = [
                self.node_elevation[i],
                period.node_demand[i] as f64,
                period.node_head[i] as f64,
                period.node_pressure[i] as f64,
                period.node_quality[i] as f64,
            ];
            if !self
                .node_fields
                .iter()
                .zip(values)
                .all(|(f, v)| f.admits(v))
            {
                continue;
            }
            if self.page_size > 0 && self.line_number == self.page_size {
                self.table_header("Node", time, true)?;
            }
            let mut text = format!("{:<15}", self.node_ids[i]);
            for (field, value) in self.node_fields.iter().zip(values) {
                if field.enabled {
                    text.push_str(&field.cell(value));
                }
            }
            if let Some(kind) = self.node_kind_text[i] {
                text.push_str("  ");
                text.push_str(kind);
            }
            self.line(&text)?;
        }
        self.line(" ")
    }

    fn link_table(&mut self, time: u64, period: &PeriodResults) -> Result<(), OutputError> {
        self.table_header("Link", time, false)?;
        for k in 0..self.link_ids.len() {
            if !self.link_reported[k] {
                continue;
            }
            let values = [
                self.link_length[k],
                self.link_diameter[k],
                period.link_flow[k] as f64,
                period.link_velocity[k] as f64,
                period.link_headloss[k] as f64,
                period.link_quality[k] as f64,
                period.link_status[k] as f64,
                period.link_setting[k] as f64,
                period.link_reaction_rate[k] as f64,
                period.link_friction_factor[k] as f64,
            ];
            // As EPANET, limits apply from the diameter on.
            if !self.link_fields[1..]
                .iter()
                .zip(&values[1..])
                .all(|(f, &v)| f.admits(v))
            {
                continue;
            }
            if self.page_size > 0 && self.line_number == self.page_size {
                self.table_header("Link", time, false)?;
            }
            let mut text = format!("{:<15}", self.link_ids[k]);
            for (j, (field, value)) in self.link_fields.iter().zip(values).enumerate() {
                if !field.enabled {
                    continue;
                }
                if j == 6 {
                    let status = if value <= 2.0 {
                        "closed"
                    } else if value == 4.0 {
                        "active"
                    } else {
                        "open"
                    };
                    text.push_str(&format!("{status:>10}"));
                } else {
                    text.push_str(&field.cell(value));
                }
            }
            // As EPANET, pipes (with or without a check valve) carry no type word.
            if !matches!(self.link_type_text[k], "" | "CV") {
                text.push_str("  ");
                text.push_str(self.link_type_text[k]);
            }
            self.line(&text)?;
        }
        self.line(" ")
    }
}

/// EPANET's words for the unit of the quality mass balance: it names milligrams for a
/// trace too, and a chemical's unit only when it starts with mg or ug.
fn mass_units(quality: &QualityAnalysis) -> &'static str {
    match quality {
        QualityAnalysis::Trace { .. } => " (mg)",
        QualityAnalysis::Age => " (hrs)",
        QualityAnalysis::Chemical { units, .. } => {
            let units = units.trim_start().to_ascii_lowercase();
            if units.starts_with("mg") {
                " (mg)"
            } else if units.starts_with("ug") {
                " (ug)"
            } else {
                ""
            }
        }
        QualityAnalysis::None => "",
    }
}

/// The reporting limits of fields, as the summary lists them.
fn limit_lines(fields: &[Field]) -> Vec<String> {
    let mut lines = Vec::new();
    for field in fields {
        if let Some(below) = field.below {
            lines.push(format!(
                "       with {} below {below:.2} {}",
                field.name, field.units
            ));
        }
        if let Some(above) = field.above {
            lines.push(format!(
                "       with {} above {above:.2} {}",
                field.name, field.units
            ));
        }
    }
    lines
}

/// The date as C's `ctime` writes it (UTC), with its closing newline.
fn date_stamp() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (seconds / 86_400) as i64;
    let time_of_day = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday} {month_name} {day:>2} {:02}:{:02}:{:02} {year}\n",
        time_of_day / 3600,
        time_of_day / 60 % 60,
        time_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_print_as_in_c() {
        assert_eq!(c_exponent(-12_345_678.0, 2), "-1.23e+07");
        assert_eq!(c_exponent(2.5e-10, 2), "2.50e-10");
    }

    #[test]
    fn the_date_stamp_reads_like_ctime() {
        let stamp = date_stamp();
        assert!(stamp.ends_with('\n'));
        assert_eq!(stamp.len(), 25, "{stamp:?}");
    }
}

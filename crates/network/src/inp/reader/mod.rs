//! Reading an EPANET 2.3 input file into a [`Network`] in SI units.
//!
//! The file is split into tokenised lines in one pass and the lines are grouped by section.
//! The sections are then read in an order that lets every reference be resolved whatever
//! order the file has (options first for the units, then patterns and curves, nodes, links,
//! and the sections that refer to them). Every problem is recorded with its line; a line in
//! error does not stop the reading, so one run reports every error in the file.

mod controls;
mod finish;
mod links;
mod map;
mod nodes;
mod rules;
mod sections;
mod settings;
mod tables;
pub(crate) mod text;

use super::diagnostic::{Diagnostic, Severity};
use crate::model::{CurveIdx, CurveKind, LinkIdx, Network, NodeIdx, PatternIdx};
use crate::units::{FlowUnits, PressureUnits, UnitSystem, METRES_PER_FOOT, PSI_PER_FOOT};
use sections::Section;
use text::{Line, Lines};

/// What went wrong on one line, before it is tied to its place in the file.
#[derive(Debug)]
pub(crate) struct Problem {
    code: Option<u16>,
    message: String,
    severity: Severity,
}

impl Problem {
    /// An error with EPANET's code.
    fn error(code: u16, message: impl Into<String>) -> Problem {
        Problem {
            code: Some(code),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    /// A warning, with EPANET's code where one applies.
    fn warning(code: Option<u16>, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
            severity: Severity::Warning,
        }
    }
}

type LineResult = Result<(), Problem>;

/// One line being read: its place in the file and its tokens.
#[derive(Clone, Copy)]
pub(crate) struct Context<'l, 'a> {
    line: &'l Line<'a>,
    tokens: &'l [&'a str],
    /// Position of the line in [`Lines::lines`].
    index: usize,
    section: Section,
}

/// Where each element was defined (element index, line index), so that problems found
/// later point at the right line.
#[derive(Debug, Default)]
pub(crate) struct DefinitionLines {
    pub nodes: Vec<(usize, usize)>,
    pub links: Vec<(usize, usize)>,
    pub patterns: Vec<(usize, usize)>,
    pub curves: Vec<(usize, usize)>,
    /// Line index of each simple control.
    pub controls: Vec<usize>,
    /// Line index of the `RULE` line of each rule.
    pub rules: Vec<usize>,
}

/// Values of `[OPTIONS]` that are only meaningful once the whole file is read.
#[derive(Debug, Default)]
struct PendingOptions {
    /// `QUALITY TRACE node`: the node's ID and the line index.
    trace_node: Option<(String, usize)>,
    /// The chemical's name and units as EPANET carries them from one `QUALITY` line to the
    /// next (`None`: its defaults, Chemical in mg/L).
    chemical: Option<(String, String)>,
    /// `REQUIRED PRESSURE`, in file units, if given.
    required_pressure: Option<f64>,
    /// `MINIMUM PRESSURE`, in file units.
    minimum_pressure: f64,
}

/// Conversion of file values to SI, as EPANET 2.3 converts them.
#[derive(Debug, Clone, Copy)]
struct FileUnits {
    system: UnitSystem,
    /// Elevations, lengths, heads, levels: file units per metre.
    length: f64,
    /// Pipe and valve diameters: file units per metre.
    pipe_diameter: f64,
    /// Flows: file units per m³/s.
    flow: f64,
    /// Pressures: file units per metre of water head.
    pressure: f64,
    /// Pressure in emitter formulas: psi (US) or metres (SI) per metre of head.
    emitter_pressure: f64,
    /// Volumes: file units per m³.
    volume: f64,
    /// Power: file units per kW.
    power: f64,
}

impl FileUnits {
    fn new(flow: FlowUnits, pressure: PressureUnits, specific_gravity: f64) -> FileUnits {
        let system = flow.system();
        let length = match system {
            UnitSystem::Us => 1.0 / METRES_PER_FOOT,
            UnitSystem::Si => 1.0,
        };
        // EPANET 2.3 (initunits): psi, kPa and bar scale with specific gravity, metres and
        // feet of head do not; a bar is 0.068948 psi.
        let psi_per_metre = PSI_PER_FOOT / METRES_PER_FOOT * specific_gravity;
        let pressure = match pressure {
            PressureUnits::Psi => psi_per_metre,
            PressureUnits::Kpa => psi_per_metre * crate::units::KPA_PER_PSI,
            PressureUnits::Bar => psi_per_metre * 0.068948,
            PressureUnits::Meters => 1.0,
            PressureUnits::Feet => 1.0 / METRES_PER_FOOT,
        };
        let emitter_pressure = match system {
            UnitSystem::Us => psi_per_metre,
            UnitSystem::Si => 1.0,
        };
        match system {
            UnitSystem::Us => FileUnits {
                system,
                length,
                pipe_diameter: 12.0 / METRES_PER_FOOT,
                flow: flow.per_cubic_metre_per_second(),
                pressure,
                emitter_pressure,
                volume: 1.0 / crate::units::CUBIC_METRES_PER_CUBIC_FOOT,
                power: 1.0 / crate::units::KW_PER_HP,
            },
            UnitSystem::Si => FileUnits {
                system,
                length,
                pipe_diameter: 1000.0,
                flow: flow.per_cubic_metre_per_second(),
                pressure,
                emitter_pressure,
                volume: 1.0,
                power: 1.0,
            },
        }
    }
}

/// The state of one reading.
pub(crate) struct Reader {
    file: String,
    network: Network,
    units: FileUnits,
    diagnostics: Vec<Diagnostic>,
    definitions: DefinitionLines,
    pending: PendingOptions,
    /// Curve kinds named on the curve's own lines (EPANET 2.3 allows `C1 x y PUMP`).
    declared_curve_kinds: Vec<Option<CurveKind>>,
    /// Whether a junction's demands have been replaced by `[DEMANDS]` yet.
    demands_replaced: Vec<bool>,
    /// The section of each line of [`Lines::lines`].
    line_sections: Vec<Option<Section>>,
    /// Whether `[OPTIONS]` named the pressure units (otherwise the flow units decide).
    pressure_units_given: bool,
    /// Option values converted once the units are known.
    raw_options: settings::RawOptions,
}

/// The result of reading a file's text: the network as far as it could be read, every
/// problem found on its lines, and where each element was defined.
pub(crate) struct ReadText<'t> {
    pub network: Network,
    pub diagnostics: Vec<Diagnostic>,
    lines: Lines<'t>,
    definitions: DefinitionLines,
    line_sections: Vec<Option<Section>>,
}

/// The line that defined an element.
pub(crate) struct DefinedAt {
    pub number: usize,
    pub text: String,
    pub section: &'static str,
}

impl ReadText<'_> {
    /// The line that defined the subject of a finding, if it came from the file.
    pub fn definition_line(&self, subject: &crate::validate::Subject) -> Option<DefinedAt> {
        use crate::validate::Subject;
        let find = |list: &[(usize, usize)], element: usize| {
            // Elements are defined in order, so the list is sorted by element.
            list.binary_search_by_key(&element, |(e, _)| *e)
                .ok()
                .map(|at| list[at].1)
        };
        let definitions = &self.definitions;
        let index = match *subject {
            Subject::Network => None,
            Subject::Node(node) => find(&definitions.nodes, node.index()),
            Subject::Link(link) => find(&definitions.links, link.index()),
            Subject::Pattern(pattern) => find(&definitions.patterns, pattern.index()),
            Subject::Curve(curve) => find(&definitions.curves, curve.index()),
            Subject::Control(control) => definitions.controls.get(control).copied(),
            Subject::Rule(rule) => definitions.rules.get(rule).copied(),
        }?;
        let line = self.lines.lines.get(index)?;
        Some(DefinedAt {
            number: line.number,
            text: line.text.to_string(),
            section: self
                .line_sections
                .get(index)
                .copied()
                .flatten()
                .map_or("", Section::name),
        })
    }
}

/// Reads the text of an input file into a network (not yet validated as a whole).
pub(crate) fn read_text<'t>(text: &'t str, file: &str) -> ReadText<'t> {
    let lines = Lines::split(text);
    let mut reader = Reader {
        file: file.to_string(),
        network: Network::new(),
        units: FileUnits::new(FlowUnits::Gpm, PressureUnits::Psi, 1.0),
        diagnostics: Vec::new(),
        definitions: DefinitionLines::default(),
        pending: PendingOptions::default(),
        declared_curve_kinds: Vec::new(),
        demands_replaced: Vec::new(),
        line_sections: Vec::new(),
        pressure_units_given: false,
        raw_options: settings::RawOptions::default(),
    };
    reader.read(&lines);
    reader.finish(&lines);
    reader
        .diagnostics
        .sort_by_key(|d| (d.line.unwrap_or(usize::MAX), d.severity));
    ReadText {
        network: reader.network,
        diagnostics: reader.diagnostics,
        lines,
        definitions: reader.definitions,
        line_sections: reader.line_sections,
    }
}

impl Reader {
    fn read(&mut self, lines: &Lines<'_>) {
        let by_section = self.group_by_section(lines);
        let section_lines = |section: Section| by_section[section.index()].as_slice();

        // Options first: the units decide every conversion after them.
        self.read_section(lines, section_lines(Section::Options), Self::option_line);
        self.settle_units();
        self.read_section(lines, section_lines(Section::Times), Self::time_line);
        self.read_section(lines, section_lines(Section::Patterns), Self::pattern_line);
        self.read_section(lines, section_lines(Section::Curves), Self::curve_line);

        // Nodes: junctions first, then reservoirs and tanks in file order, as EPANET
        // numbers them.
        self.read_section(
            lines,
            section_lines(Section::Junctions),
            Self::junction_line,
        );
        let storage = merge_in_file_order(
            section_lines(Section::Reservoirs),
            section_lines(Section::Tanks),
            &[],
        );
        self.read_section(lines, &storage, Self::storage_line);
        self.demands_replaced = vec![false; self.network.nodes.len()];

        // Links in file order, whatever their kind.
        let links = merge_in_file_order(
            section_lines(Section::Pipes),
            section_lines(Section::Pumps),
            section_lines(Section::Valves),
        );
        self.read_section(lines, &links, Self::link_line);

        self.resolve_trace_node(lines);
        for (section, read) in [
            (Section::Demands, Self::demand_line as LineReader),
            (Section::Emitters, Self::emitter_line),
            (Section::Quality, Self::quality_line),
            (Section::Sources, Self::source_line),
            (Section::Mixing, Self::mixing_line),
            (Section::Status, Self::status_line),
            (Section::Leakage, Self::leakage_line),
            (Section::Reactions, Self::reaction_line),
            (Section::Energy, Self::energy_line),
            (Section::Controls, Self::control_line),
            (Section::Tags, Self::tag_line),
            (Section::Coordinates, Self::coordinate_line),
            (Section::Vertices, Self::vertex_line),
            (Section::Labels, Self::label_line),
            (Section::Backdrop, Self::backdrop_line),
            (Section::Report, Self::report_line),
            (Section::Title, Self::title_line),
        ] {
            self.read_section(lines, section_lines(section), read);
        }
        self.read_rules(lines, section_lines(Section::Rules));
    }

    /// Sorts the lines into their sections; reports unknown headings, lines outside any
    /// section and lines too long for EPANET.
    fn group_by_section(&mut self, lines: &Lines<'_>) -> Vec<Vec<usize>> {
        let mut by_section: Vec<Vec<usize>> = vec![Vec::new(); Section::ALL.len()];
        self.line_sections = vec![None; lines.lines.len()];
        let mut current: Option<Section> = None;
        let mut unknown_section = false;
        let mut warned_outside = false;
        for (index, line) in lines.lines.iter().enumerate() {
            let tokens = lines.tokens(line);
            if tokens[0].starts_with('[') {
                match Section::from_heading(tokens[0]) {
                    Some(Section::End) => break,
                    Some(section) => {
                        current = Some(section);
                        unknown_section = false;
                    }
                    None => {
                        current = None;
                        unknown_section = true;
                        self.push(
                            line,
                            None,
                            Problem::error(
                                299,
                                format!(
                                    "invalid section keyword {}: expected one of [TITLE], \
                                     [JUNCTIONS], [PIPES], ... [END]; its contents are ignored",
                                    tokens[0]
                                ),
                            ),
                        );
                    }
                }
                continue;
            }
            match current {
                Some(section) => {
                    by_section[section.index()].push(index);
                    self.line_sections[index] = Some(section);
                }
                None if !unknown_section && !warned_outside => {
                    warned_outside = true;
                    self.push(
                        line,
                        None,
                        Problem::warning(None, "text before the first section heading is ignored"),
                    );
                }
                None => {}
            }
        }
        for &number in &lines.overlong_lines {
            self.diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                file: self.file.clone(),
                line: Some(number),
                text: String::new(),
                section: String::new(),
                code: Some(214),
                message: format!(
                    "line longer than the {} characters EPANET reads at once",
                    text::MAX_LINE_LENGTH - 1
                ),
            });
        }
        by_section
    }

    fn read_section(&mut self, lines: &Lines<'_>, indices: &[usize], read: LineReader) {
        for &index in indices {
            let line = &lines.lines[index];
            let context = Context {
                line,
                tokens: lines.tokens(line),
                index,
                section: self.line_sections[index].unwrap_or(Section::Title),
            };
            if let Err(problem) = read(self, &context) {
                self.push(line, Some(context.section), problem);
            }
        }
    }

    /// Records a problem found on a line.
    fn push(&mut self, line: &Line<'_>, section: Option<Section>, problem: Problem) {
        self.diagnostics.push(Diagnostic {
            severity: problem.severity,
            file: self.file.clone(),
            line: Some(line.number),
            text: line.text.to_string(),
            section: section.map(|s| s.name().to_string()).unwrap_or_default(),
            code: problem.code,
            message: problem.message,
        });
    }

    /// Records a warning on the line being read, which is otherwise read normally.
    fn warn(&mut self, context: &Context<'_, '_>, code: Option<u16>, message: impl Into<String>) {
        self.push(
            context.line,
            Some(context.section),
            Problem::warning(code, message),
        );
    }

    fn settle_units(&mut self) {
        let options = &self.network.options;
        self.units = FileUnits::new(
            options.flow_units,
            options.pressure_units,
            options.specific_gravity,
        );
        self.convert_options();
    }

    // ---- lookups that report EPANET's codes ----

    fn find_node(&self, id: &str) -> Result<NodeIdx, Problem> {
        self.network
            .node_idx(id)
            .ok_or_else(|| Problem::error(203, format!("undefined node \"{id}\"")))
    }

    fn find_link(&self, id: &str) -> Result<LinkIdx, Problem> {
        self.network
            .link_idx(id)
            .ok_or_else(|| Problem::error(204, format!("undefined link \"{id}\"")))
    }

    fn find_pattern(&self, id: &str) -> Result<PatternIdx, Problem> {
        self.network
            .pattern_idx(id)
            .ok_or_else(|| Problem::error(205, format!("undefined time pattern \"{id}\"")))
    }

    fn find_curve(&self, id: &str) -> Result<CurveIdx, Problem> {
        self.network
            .curve_idx(id)
            .ok_or_else(|| Problem::error(206, format!("undefined curve \"{id}\"")))
    }

    /// A pattern reference where `*` or nothing means none.
    fn optional_pattern(&self, token: Option<&&str>) -> Result<Option<PatternIdx>, Problem> {
        match token {
            None => Ok(None),
            Some(id) if id.is_empty() || *id == "*" => Ok(None),
            Some(id) => self.find_pattern(id).map(Some),
        }
    }
}

type LineReader = fn(&mut Reader, &Context<'_, '_>) -> LineResult;

/// Merges up to three sorted lists of line indices into one in file order.
fn merge_in_file_order(a: &[usize], b: &[usize], c: &[usize]) -> Vec<usize> {
    let mut merged = Vec::with_capacity(a.len() + b.len() + c.len());
    merged.extend_from_slice(a);
    merged.extend_from_slice(b);
    merged.extend_from_slice(c);
    merged.sort_unstable();
    merged
}

/// A number token, or error 202 naming what it was for.
fn number(tokens: &[&str], index: usize, what: &str) -> Result<f64, Problem> {
    let token = tokens.get(index).copied().unwrap_or("");
    text::number(token).ok_or_else(|| {
        Problem::error(
            202,
            format!("illegal numeric value \"{token}\" for {what}: expected a number"),
        )
    })
}

/// A number token that must not be negative (error 202 or `code`).
fn non_negative(tokens: &[&str], index: usize, what: &str, code: u16) -> Result<f64, Problem> {
    let value = number(tokens, index, what)?;
    if value < 0.0 {
        return Err(Problem::error(
            code,
            format!("{what} is {value}: expected zero or more"),
        ));
    }
    Ok(value)
}

/// A number token that must be above zero (error 202 or `code`).
fn positive(tokens: &[&str], index: usize, what: &str, code: u16) -> Result<f64, Problem> {
    let value = number(tokens, index, what)?;
    if value <= 0.0 {
        return Err(Problem::error(
            code,
            format!("{what} is {value}: expected more than zero"),
        ));
    }
    Ok(value)
}

/// Error 201 for a line with too few fields.
fn too_few(expected: &str) -> Problem {
    Problem::error(
        201,
        format!("syntax error: too few fields, expected {expected}"),
    )
}

/// Error 213 for a keyword that is not one of those allowed.
fn bad_keyword(token: &str, expected: &str) -> Problem {
    Problem::error(
        213,
        format!("invalid option value \"{token}\": expected {expected}"),
    )
}

//! The SWMM 5 input format, open-channel subset: a canal drawn in SWMM's own GUI reads here.
//! Errors name the file, the line and what was expected there.

use crate::controls::{Action, Comparison, Join, Premise, Rule, Subject};
use crate::error::{CanalError, Result};
use crate::model::{
    CanalModel, Inflow, Link, LinkKind, Node, NodeKind, Options, OutfallBoundary, Pollutant,
    TimeSeries,
};
use crate::section::{Section, TransectTable};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Sections read and not needed by the canal engine (drawing, reporting, hydrology).
const IGNORED: &[&str] = &[
    "TITLE",
    "REPORT",
    "MAP",
    "TAGS",
    "SYMBOLS",
    "LABELS",
    "BACKDROP",
    "POLYGONS",
    "PROFILES",
    "EVAPORATION",
    "TREATMENT",
    "CURVES",
    "PATTERNS",
    "FILES",
];

/// Sections of the open-channel subset.
const KNOWN: &[&str] = &[
    "OPTIONS",
    "JUNCTIONS",
    "OUTFALLS",
    "STORAGE",
    "CONDUITS",
    "ORIFICES",
    "WEIRS",
    "OUTLETS",
    "XSECTIONS",
    "TRANSECTS",
    "LOSSES",
    "CONTROLS",
    "INFLOWS",
    "DWF",
    "TIMESERIES",
    "POLLUTANTS",
    "COORDINATES",
    "VERTICES",
];

/// Reads a canal from a SWMM 5 input file.
pub fn read_file(path: &Path) -> Result<CanalModel> {
    let text = std::fs::read_to_string(path).map_err(|source| CanalError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    read_str(&text, path)
}

/// Reads a canal from SWMM 5 input text; `file` names it in errors.
pub fn read_str(text: &str, file: &Path) -> Result<CanalModel> {
    let mut reader = Reader::new(file);
    reader.collect(text)?;
    reader.build()
}

type Line<'a> = (usize, Vec<&'a str>);

/// A transect being read: name, X1 line, (station, elevation) points, station factor, raise.
type OpenTransect = (String, usize, Vec<(f64, f64)>, f64, f64);

struct Reader<'a> {
    file: PathBuf,
    sections: HashMap<String, Vec<Line<'a>>>,
    model: CanalModel,
    transects: HashMap<String, (Section, f64)>,
    flow_factor: f64,
    elevation_offsets: bool,
}

impl<'a> Reader<'a> {
    fn new(file: &Path) -> Reader<'a> {
        Reader {
            file: file.to_path_buf(),
            sections: HashMap::new(),
            model: CanalModel {
                file: file.to_path_buf(),
                options: Options {
                    duration_s: 86_400.0,
                    routing_step_s: 30.0,
                    report_step_s: 900.0,
                    report_start_s: 0.0,
                    max_cell_m: 100.0,
                },
                nodes: Vec::new(),
                links: Vec::new(),
                time_series: Vec::new(),
                inflows: Vec::new(),
                rules: Vec::new(),
                pollutants: Vec::new(),
            },
            transects: HashMap::new(),
            flow_factor: 1.0,
            elevation_offsets: false,
        }
    }

    fn error(&self, line: usize, message: impl Into<String>) -> CanalError {
        CanalError::Input {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    fn collect(&mut self, text: &'a str) -> Result<()> {
        let mut current: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let content = raw.split(';').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            if content.starts_with('[') {
                let name = content
                    .trim_matches(|c| c == '[' || c == ']')
                    .to_ascii_uppercase();
                if !KNOWN.contains(&name.as_str()) && !IGNORED.contains(&name.as_str()) {
                    return Err(self.error(
                        number,
                        format!(
                            "section [{name}] is not in the open-channel subset (expected one of {})",
                            KNOWN.join(", ")
                        ),
                    ));
                }
                current = Some(name);
                continue;
            }
            let Some(section) = &current else {
                return Err(self.error(number, "expected a [SECTION] header before data"));
            };
            if section == "TITLE" {
                continue;
            }
            let tokens = tokenize(content);
            self.sections
                .entry(section.clone())
                .or_default()
                .push((number, tokens));
        }
        Ok(())
    }

    fn lines(&self, section: &str) -> Vec<Line<'a>> {
        self.sections.get(section).cloned().unwrap_or_default()
    }

    fn build(mut self) -> Result<CanalModel> {
        self.options()?;
        self.time_series()?;
        self.transects()?;
        self.nodes()?;
        self.links()?;
        self.cross_sections()?;
        self.losses()?;
        self.inflows()?;
        self.pollutants()?;
        self.controls()?;
        self.coordinates()?;
        self.check_links()?;
        Ok(self.model)
    }

    fn number(&self, line: usize, tokens: &[&str], index: usize, what: &str) -> Result<f64> {
        let Some(token) = tokens.get(index) else {
            return Err(self.error(line, format!("expected {what} (field {})", index + 1)));
        };
        match token.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ => Err(self.error(
                line,
                format!("expected a number for {what}, found '{token}'"),
            )),
        }
    }

    fn optional(
        &self,
        line: usize,
        tokens: &[&str],
        index: usize,
        what: &str,
        default: f64,
    ) -> Result<f64> {
        match tokens.get(index) {
            None => Ok(default),
            Some(t) if *t == "*" => Ok(default),
            Some(_) => self.number(line, tokens, index, what),
        }
    }

    fn node(&self, line: usize, id: &str) -> Result<usize> {
        self.model
            .node_index(id)
            .ok_or_else(|| self.error(line, format!("expected a node ID, '{id}' is not a node")))
    }

    fn link(&self, line: usize, id: &str) -> Result<usize> {
        self.model
            .link_index(id)
            .ok_or_else(|| self.error(line, format!("expected a link ID, '{id}' is not a link")))
    }

    fn options(&mut self) -> Result<()> {
        let mut dates: HashMap<String, (usize, String)> = HashMap::new();
        for (line, tokens) in self.lines("OPTIONS") {
            let key = tokens[0].to_ascii_uppercase();
            let value = tokens.get(1).copied().unwrap_or("");
            match key.as_str() {
                "FLOW_UNITS" => {
                    self.flow_factor = match value.to_ascii_uppercase().as_str() {
                        "CMS" => 1.0,
                        "LPS" => 1e-3,
                        "MLD" => 1e3 / 86_400.0,
                        _ => {
                            return Err(self.error(
                                line,
                                format!(
                                    "expected FLOW_UNITS CMS, LPS or MLD (SI), found '{value}'"
                                ),
                            ))
                        }
                    }
                }
                "FLOW_ROUTING" if !value.eq_ignore_ascii_case("DYNWAVE") => {
                    return Err(self.error(
                        line,
                        format!("expected FLOW_ROUTING DYNWAVE, found '{value}'"),
                    ));
                }
                "LINK_OFFSETS" => self.elevation_offsets = value.eq_ignore_ascii_case("ELEVATION"),
                "ROUTING_STEP" => {
                    let step = parse_clock(value)
                        .or_else(|| value.parse::<f64>().ok())
                        .filter(|s| *s > 0.0)
                        .ok_or_else(|| {
                            self.error(
                                line,
                                format!("expected ROUTING_STEP in seconds, found '{value}'"),
                            )
                        })?;
                    self.model.options.routing_step_s = step;
                }
                "REPORT_STEP" => {
                    let step = parse_clock(value).filter(|s| *s > 0.0).ok_or_else(|| {
                        self.error(
                            line,
                            format!("expected REPORT_STEP as HH:MM:SS, found '{value}'"),
                        )
                    })?;
                    self.model.options.report_step_s = step;
                }
                "START_DATE" | "START_TIME" | "END_DATE" | "END_TIME" | "REPORT_START_DATE"
                | "REPORT_START_TIME" => {
                    dates.insert(key, (line, value.to_string()));
                }
                _ => {}
            }
        }
        let start = self
            .moment(&dates, "START_DATE", "START_TIME")?
            .unwrap_or(0.0);
        if let Some(end) = self.moment(&dates, "END_DATE", "END_TIME")? {
            if end <= start {
                let line = dates
                    .get("END_DATE")
                    .or(dates.get("END_TIME"))
                    .map_or(0, |d| d.0);
                return Err(self.error(line, "expected the end after the start"));
            }
            self.model.options.duration_s = end - start;
        }
        if let Some(report) = self.moment(&dates, "REPORT_START_DATE", "REPORT_START_TIME")? {
            self.model.options.report_start_s = (report - start).max(0.0);
        }
        Ok(())
    }

    /// A date and time of day as seconds since 1 January 1900 (None when neither is given).
    fn moment(
        &self,
        dates: &HashMap<String, (usize, String)>,
        date: &str,
        time: &str,
    ) -> Result<Option<f64>> {
        let day = match dates.get(date) {
            Some((line, text)) => Some(parse_date(text).ok_or_else(|| {
                self.error(
                    *line,
                    format!("expected {date} as MM/DD/YYYY, found '{text}'"),
                )
            })?),
            None => None,
        };
        let clock = match dates.get(time) {
            Some((line, text)) => Some(parse_clock(text).ok_or_else(|| {
                self.error(
                    *line,
                    format!("expected {time} as HH:MM:SS, found '{text}'"),
                )
            })?),
            None => None,
        };
        if day.is_none() && clock.is_none() {
            return Ok(None);
        }
        Ok(Some(day.unwrap_or(0.0) * 86_400.0 + clock.unwrap_or(0.0)))
    }

    fn time_series(&mut self) -> Result<()> {
        let mut start_day = None;
        for (line, tokens) in self.lines("TIMESERIES") {
            let id = tokens[0];
            let mut rest = &tokens[1..];
            if rest.first().is_some_and(|t| t.eq_ignore_ascii_case("FILE")) {
                return Err(self.error(
                    line,
                    "expected time and value pairs (external FILE series are not supported)",
                ));
            }
            let mut day_offset = 0.0;
            if rest.first().is_some_and(|t| t.contains('/')) {
                let Some(day) = parse_date(rest[0]) else {
                    return Err(self.error(
                        line,
                        format!("expected a date MM/DD/YYYY, found '{}'", rest[0]),
                    ));
                };
                let first = *start_day.get_or_insert(day);
                day_offset = (day - first) * 86_400.0;
                rest = &rest[1..];
            }
            if rest.len() % 2 != 0 || rest.is_empty() {
                return Err(self.error(
                    line,
                    format!("expected time and value pairs after series '{id}'"),
                ));
            }
            let index = match self.model.time_series.iter().position(|s| s.id == id) {
                Some(index) => index,
                None => {
                    self.model.time_series.push(TimeSeries {
                        id: id.to_string(),
                        points: Vec::new(),
                    });
                    self.model.time_series.len() - 1
                }
            };
            for pair in rest.chunks(2) {
                let time = parse_clock(pair[0])
                    .or_else(|| pair[0].parse::<f64>().ok().map(|h| h * 3600.0))
                    .ok_or_else(|| {
                        self.error(
                            line,
                            format!("expected a time (hours or H:MM), found '{}'", pair[0]),
                        )
                    })?;
                let value = pair[1].parse::<f64>().map_err(|_| {
                    self.error(line, format!("expected a value, found '{}'", pair[1]))
                })?;
                let points = &mut self.model.time_series[index].points;
                let time = time + day_offset;
                if points.last().is_some_and(|p| p.0 > time) {
                    return Err(
                        self.error(line, format!("expected times in order in series '{id}'"))
                    );
                }
                points.push((time, value));
            }
        }
        Ok(())
    }

    fn transects(&mut self) -> Result<()> {
        let mut roughness = 0.0;
        let mut current: Option<OpenTransect> = None;
        for (line, tokens) in self.lines("TRANSECTS") {
            match tokens[0].to_ascii_uppercase().as_str() {
                "NC" => roughness = self.number(line, &tokens, 3, "the channel's Manning n")?,
                "X1" => {
                    self.finish_transect(current.take(), roughness)?;
                    let id = tokens.get(1).copied().unwrap_or("").to_string();
                    let stretch = self.optional(line, &tokens, 9, "the station factor", 0.0)?;
                    let raise = self.optional(line, &tokens, 10, "the elevation offset", 0.0)?;
                    current = Some((id, line, Vec::new(), stretch, raise));
                }
                "GR" => {
                    let Some(transect) = current.as_mut() else {
                        return Err(self.error(line, "expected an X1 line before GR data"));
                    };
                    let values = &tokens[1..];
                    if values.len() % 2 != 0 {
                        return Err(self.error(line, "expected elevation and station pairs"));
                    }
                    for pair in values.chunks(2) {
                        let elevation = pair[0].parse::<f64>();
                        let station = pair[1].parse::<f64>();
                        let (Ok(elevation), Ok(station)) = (elevation, station) else {
                            return Err(
                                self.error(line, "expected numbers for elevation and station")
                            );
                        };
                        transect.2.push((station, elevation));
                    }
                }
                other => {
                    return Err(self.error(line, format!("expected NC, X1 or GR, found '{other}'")))
                }
            }
        }
        self.finish_transect(current, roughness)
    }

    fn finish_transect(&mut self, transect: Option<OpenTransect>, roughness: f64) -> Result<()> {
        let Some((id, line, mut points, stretch, raise)) = transect else {
            return Ok(());
        };
        let factor = if stretch > 0.0 { stretch } else { 1.0 };
        for point in &mut points {
            point.0 *= factor;
            point.1 += raise;
        }
        if points.len() < 3 {
            return Err(self.error(
                line,
                format!("transect '{id}': expected at least 3 stations"),
            ));
        }
        if points.windows(2).any(|p| p[1].0 < p[0].0) {
            return Err(self.error(
                line,
                format!("transect '{id}': expected stations in increasing order"),
            ));
        }
        let lowest = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let (first, last) = (points[0].1, points[points.len() - 1].1);
        if first.min(last) <= lowest + 0.01 {
            return Err(self.error(
                line,
                format!("transect '{id}' does not close: expected both end stations to rise above its lowest point ({lowest} m)"),
            ));
        }
        if roughness <= 0.0 {
            return Err(self.error(
                line,
                format!("transect '{id}': expected a positive channel roughness on its NC line"),
            ));
        }
        let table = TransectTable::from_stations(&points, 101);
        self.transects
            .insert(id, (Section::Table(table), roughness));
        Ok(())
    }

    fn push_node(
        &mut self,
        line: usize,
        id: &str,
        kind: NodeKind,
        invert: f64,
        initial_depth: f64,
    ) -> Result<()> {
        if self.model.node_index(id).is_some() {
            return Err(self.error(
                line,
                format!("node '{id}' is declared twice: expected a new ID"),
            ));
        }
        self.model.nodes.push(Node {
            id: id.to_string(),
            kind,
            invert,
            initial_depth,
            position: None,
            line,
        });
        Ok(())
    }

    fn nodes(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("JUNCTIONS") {
            let invert = self.number(line, &tokens, 1, "the invert elevation")?;
            let initial = self.optional(line, &tokens, 3, "the initial depth", 0.0)?;
            self.push_node(
                line,
                tokens[0],
                NodeKind::Junction,
                invert,
                initial.max(0.0),
            )?;
        }
        for (line, tokens) in self.lines("OUTFALLS") {
            let invert = self.number(line, &tokens, 1, "the invert elevation")?;
            let kind = tokens
                .get(2)
                .map(|t| t.to_ascii_uppercase())
                .unwrap_or_default();
            let boundary = match kind.as_str() {
                "FREE" => OutfallBoundary::Free,
                "NORMAL" => OutfallBoundary::Normal,
                "FIXED" => {
                    OutfallBoundary::Fixed(self.number(line, &tokens, 3, "the fixed stage")?)
                }
                "TIMESERIES" => {
                    let name = tokens.get(3).copied().unwrap_or("");
                    let index = self
                        .model
                        .time_series
                        .iter()
                        .position(|s| s.id == name)
                        .ok_or_else(|| {
                            self.error(
                                line,
                                format!("expected a time series name, '{name}' is not one"),
                            )
                        })?;
                    OutfallBoundary::Series(index)
                }
                other => {
                    return Err(self.error(
                        line,
                        format!(
                        "expected outfall type FREE, NORMAL, FIXED or TIMESERIES, found '{other}'"
                    ),
                    ))
                }
            };
            self.push_node(line, tokens[0], NodeKind::Outfall(boundary), invert, 0.0)?;
        }
        for (line, tokens) in self.lines("STORAGE") {
            let invert = self.number(line, &tokens, 1, "the invert elevation")?;
            let initial = self.optional(line, &tokens, 3, "the initial depth", 0.0)?;
            let shape = tokens
                .get(4)
                .map(|t| t.to_ascii_uppercase())
                .unwrap_or_default();
            if shape != "FUNCTIONAL" {
                return Err(self.error(
                    line,
                    format!("expected storage shape FUNCTIONAL, found '{shape}'"),
                ));
            }
            let kind = NodeKind::Storage {
                coefficient: self.number(line, &tokens, 5, "the area coefficient")?,
                exponent: self.number(line, &tokens, 6, "the area exponent")?,
                constant: self.number(line, &tokens, 7, "the constant area")?,
            };
            self.push_node(line, tokens[0], kind, invert, initial.max(0.0))?;
        }
        Ok(())
    }

    fn offset(&self, line: usize, tokens: &[&str], index: usize, node: usize) -> Result<f64> {
        let value = self.optional(line, tokens, index, "the offset", 0.0)?;
        Ok(if self.elevation_offsets {
            value - self.model.nodes[node].invert
        } else {
            value
        })
    }

    fn push_link(
        &mut self,
        line: usize,
        tokens: &[&str],
        kind: LinkKind,
        offsets: (f64, f64),
    ) -> Result<()> {
        let id = tokens[0];
        if self.model.link_index(id).is_some() {
            return Err(self.error(
                line,
                format!("link '{id}' is declared twice: expected a new ID"),
            ));
        }
        let from = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
        let to = self.node(line, tokens.get(2).copied().unwrap_or(""))?;
        if from == to {
            return Err(self.error(
                line,
                format!("link '{id}' starts and ends at one node: expected two nodes"),
            ));
        }
        self.model.links.push(Link {
            id: id.to_string(),
            from,
            to,
            kind,
            from_offset: offsets.0,
            to_offset: offsets.1,
            initial_setting: 1.0,
            vertices: Vec::new(),
            line,
            section_line: None,
        });
        Ok(())
    }

    fn links(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("CONDUITS") {
            let from = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
            let to = self.node(line, tokens.get(2).copied().unwrap_or(""))?;
            let length = self.number(line, &tokens, 3, "the length")?;
            let roughness = self.number(line, &tokens, 4, "Manning's n")?;
            if length <= 0.0 || roughness <= 0.0 {
                return Err(self.error(
                    line,
                    "expected a positive length and a positive Manning's n",
                ));
            }
            let offsets = (
                self.offset(line, &tokens, 5, from)?,
                self.offset(line, &tokens, 6, to)?,
            );
            let initial_flow =
                self.optional(line, &tokens, 7, "the initial flow", 0.0)? * self.flow_factor;
            let kind = LinkKind::Conduit {
                length,
                roughness,
                initial_flow,
                losses: [0.0; 3],
                section: None,
            };
            self.push_link(line, &tokens, kind, offsets)?;
        }
        for (line, tokens) in self.lines("ORIFICES") {
            let from = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
            let side = match tokens.get(3).map(|t| t.to_ascii_uppercase()).as_deref() {
                Some("SIDE") => true,
                Some("BOTTOM") => false,
                other => {
                    return Err(self.error(
                        line,
                        format!(
                            "expected orifice type SIDE or BOTTOM, found '{}'",
                            other.unwrap_or("")
                        ),
                    ))
                }
            };
            let offset = self.offset(line, &tokens, 4, from)?;
            let discharge_coefficient =
                self.number(line, &tokens, 5, "the discharge coefficient")?;
            let flap = tokens.get(6).is_some_and(|t| t.eq_ignore_ascii_case("YES"));
            let hours = self.optional(line, &tokens, 7, "the open/close time (hours)", 0.0)?;
            let kind = LinkKind::Orifice {
                side,
                discharge_coefficient,
                flap,
                full_travel_s: hours * 3600.0,
                height: 0.0,
                width: 0.0,
            };
            self.push_link(line, &tokens, kind, (offset, offset))?;
        }
        for (line, tokens) in self.lines("WEIRS") {
            let from = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
            let kind = tokens
                .get(3)
                .map(|t| t.to_ascii_uppercase())
                .unwrap_or_default();
            if kind != "TRANSVERSE" {
                return Err(self.error(
                    line,
                    format!("expected weir type TRANSVERSE, found '{kind}'"),
                ));
            }
            let offset = self.offset(line, &tokens, 4, from)?;
            let kind = LinkKind::Weir {
                discharge_coefficient: self.number(line, &tokens, 5, "the weir coefficient")?,
                flap: tokens.get(6).is_some_and(|t| t.eq_ignore_ascii_case("YES")),
                end_contractions: self.optional(line, &tokens, 7, "the end contractions", 0.0)?,
                height: 0.0,
                length: 0.0,
            };
            self.push_link(line, &tokens, kind, (offset, offset))?;
        }
        for (line, tokens) in self.lines("OUTLETS") {
            let from = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
            let offset = self.offset(line, &tokens, 3, from)?;
            let across = match tokens.get(4).map(|t| t.to_ascii_uppercase()).as_deref() {
                Some("FUNCTIONAL/DEPTH") => false,
                Some("FUNCTIONAL/HEAD") => true,
                other => {
                    return Err(self.error(
                        line,
                        format!(
                            "expected outlet type FUNCTIONAL/DEPTH or FUNCTIONAL/HEAD, found '{}'",
                            other.unwrap_or("")
                        ),
                    ))
                }
            };
            let kind = LinkKind::Outlet {
                coefficient: self.number(line, &tokens, 5, "the outlet coefficient")?
                    * self.flow_factor,
                exponent: self.number(line, &tokens, 6, "the outlet exponent")?,
                across,
                flap: tokens.get(7).is_some_and(|t| t.eq_ignore_ascii_case("YES")),
            };
            self.push_link(line, &tokens, kind, (offset, offset))?;
        }
        Ok(())
    }

    fn cross_sections(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("XSECTIONS") {
            let link = self.link(line, tokens[0])?;
            let shape = tokens
                .get(1)
                .map(|t| t.to_ascii_uppercase())
                .unwrap_or_default();
            if shape == "IRREGULAR" {
                let name = tokens.get(2).copied().unwrap_or("");
                let (section, n) = self.transects.get(name).cloned().ok_or_else(|| {
                    self.error(
                        line,
                        format!("expected a transect name, '{name}' is not in [TRANSECTS]"),
                    )
                })?;
                let LinkKind::Conduit {
                    section: slot,
                    roughness,
                    ..
                } = &mut self.model.links[link].kind
                else {
                    return Err(self.error(line, "expected IRREGULAR only for a conduit"));
                };
                *slot = Some(section);
                *roughness = n;
                self.model.links[link].section_line = Some(line);
                continue;
            }
            let g: Vec<f64> = (2..6)
                .map(|i| self.optional(line, &tokens, i, "a geometry value", 0.0))
                .collect::<Result<_>>()?;
            if g[0] <= 0.0 {
                return Err(self.error(
                    line,
                    format!("expected a positive height (Geom1), found {}", g[0]),
                ));
            }
            if tokens.get(6).is_some_and(|b| {
                b.parse::<f64>().is_ok_and(|b| b != 1.0) || b.parse::<f64>().is_err()
            }) {
                return Err(self.error(line, "expected one barrel"));
            }
            let id = self.model.links[link].id.clone();
            let kind = &mut self.model.links[link].kind;
            let message = match (kind, shape.as_str()) {
                (LinkKind::Conduit { section, .. }, "TRAPEZOIDAL" | "RECT_OPEN") => {
                    let (left, right) = if shape == "RECT_OPEN" { (0.0, 0.0) } else { (g[2], g[3]) };
                    if g[1] <= 0.0 {
                        Some(format!("link '{id}': expected a positive bottom width (Geom2), found {}", g[1]))
                    } else if left < 0.0 || right < 0.0 {
                        Some(format!("link '{id}': expected side slopes of zero or more"))
                    } else {
                        *section = Some(Section::Trapezoid { bottom_width: g[1], left_slope: left, right_slope: right, full_depth: g[0] });
                        None
                    }
                }
                (LinkKind::Orifice { height, width, .. }, "RECT_CLOSED") if g[1] > 0.0 => {
                    (*height, *width) = (g[0], g[1]);
                    None
                }
                (LinkKind::Weir { height, length, .. }, "RECT_OPEN") if g[1] > 0.0 => {
                    (*height, *length) = (g[0], g[1]);
                    None
                }
                (LinkKind::Outlet { .. }, _) => None,
                (LinkKind::Conduit { .. }, _) => Some(format!("link '{id}': expected TRAPEZOIDAL, RECT_OPEN or IRREGULAR for a canal reach, found '{shape}'")),
                (LinkKind::Orifice { .. }, _) => Some(format!("link '{id}': expected RECT_CLOSED with a positive width for a gate, found '{shape}'")),
                (LinkKind::Weir { .. }, _) => Some(format!("link '{id}': expected RECT_OPEN with a positive length for a weir, found '{shape}'")),
            };
            if let Some(message) = message {
                return Err(self.error(line, message));
            }
            self.model.links[link].section_line = Some(line);
        }
        Ok(())
    }

    fn losses(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("LOSSES") {
            let link = self.link(line, tokens[0])?;
            let mut values = [0.0; 3];
            for (i, value) in values.iter_mut().enumerate() {
                *value = self.number(line, &tokens, i + 1, "a loss coefficient")?;
                if *value < 0.0 {
                    return Err(self.error(line, "expected loss coefficients of zero or more"));
                }
            }
            if let LinkKind::Conduit { losses, .. } = &mut self.model.links[link].kind {
                *losses = values;
            }
        }
        Ok(())
    }

    fn inflows(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("INFLOWS") {
            let node = self.node(line, tokens[0])?;
            if !tokens
                .get(1)
                .is_some_and(|t| t.eq_ignore_ascii_case("FLOW"))
            {
                continue; // pollutant inflows: the spill is given on the command line
            }
            let name = tokens.get(2).copied().unwrap_or("");
            let scale = self.optional(line, &tokens, 5, "the scale factor", 1.0)?;
            let baseline = self.optional(line, &tokens, 6, "the baseline", 0.0)?;
            let series = if name.is_empty() || name == "\"\"" {
                None
            } else {
                let index = self
                    .model
                    .time_series
                    .iter()
                    .position(|s| s.id == name)
                    .ok_or_else(|| {
                        self.error(
                            line,
                            format!("expected a time series name, '{name}' is not one"),
                        )
                    })?;
                Some((index, scale * self.flow_factor))
            };
            self.model.inflows.push(Inflow {
                node,
                baseline: baseline * self.flow_factor,
                series,
                line,
            });
        }
        for (line, tokens) in self.lines("DWF") {
            let node = self.node(line, tokens[0])?;
            if !tokens
                .get(1)
                .is_some_and(|t| t.eq_ignore_ascii_case("FLOW"))
            {
                continue;
            }
            if tokens.len() > 3 && tokens[3..].iter().any(|t| *t != "\"\"") {
                return Err(self.error(
                    line,
                    "expected a dry-weather baseline without time patterns",
                ));
            }
            let baseline = self.number(line, &tokens, 2, "the average value")? * self.flow_factor;
            self.model.inflows.push(Inflow {
                node,
                baseline,
                series: None,
                line,
            });
        }
        Ok(())
    }

    fn pollutants(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("POLLUTANTS") {
            let decay = self.optional(line, &tokens, 5, "the decay coefficient (1/days)", 0.0)?;
            if decay < 0.0 {
                return Err(self.error(line, "expected a decay coefficient of zero or more"));
            }
            self.model.pollutants.push(Pollutant {
                id: tokens[0].to_string(),
                decay_per_s: decay / 86_400.0,
            });
        }
        Ok(())
    }

    fn coordinates(&mut self) -> Result<()> {
        for (line, tokens) in self.lines("COORDINATES") {
            let node = self.node(line, tokens[0])?;
            let x = self.number(line, &tokens, 1, "X")?;
            let y = self.number(line, &tokens, 2, "Y")?;
            self.model.nodes[node].position = Some((x, y));
        }
        for (line, tokens) in self.lines("VERTICES") {
            let link = self.link(line, tokens[0])?;
            let x = self.number(line, &tokens, 1, "X")?;
            let y = self.number(line, &tokens, 2, "Y")?;
            self.model.links[link].vertices.push((x, y));
        }
        Ok(())
    }

    fn check_links(&self) -> Result<()> {
        for link in &self.model.links {
            let missing = match &link.kind {
                LinkKind::Conduit { section, .. } => section.is_none(),
                LinkKind::Orifice { width, .. } => *width <= 0.0,
                LinkKind::Weir { length, .. } => *length <= 0.0,
                LinkKind::Outlet { .. } => false,
            };
            if missing {
                return Err(self.error(
                    link.line,
                    format!(
                        "link '{}': expected a cross-section in [XSECTIONS]",
                        link.id
                    ),
                ));
            }
        }
        Ok(())
    }

    fn controls(&mut self) -> Result<()> {
        let lines = self.lines("CONTROLS");
        let mut rule: Option<Rule> = None;
        let mut in_actions = 0; // 0 premises, 1 THEN, 2 ELSE
        for (line, tokens) in lines {
            let keyword = tokens[0].to_ascii_uppercase();
            match keyword.as_str() {
                "RULE" => {
                    if let Some(done) = rule.take() {
                        self.model.rules.push(done);
                    }
                    let id = tokens.get(1).copied().unwrap_or("").to_string();
                    rule = Some(Rule {
                        id,
                        premises: Vec::new(),
                        then_actions: Vec::new(),
                        else_actions: Vec::new(),
                        priority: 0.0,
                        line,
                    });
                    in_actions = 0;
                }
                "IF" | "AND" | "OR" | "THEN" | "ELSE" | "PRIORITY" => {
                    let Some(current) = rule.as_mut() else {
                        return Err(self.error(line, "expected RULE before its clauses"));
                    };
                    match keyword.as_str() {
                        "PRIORITY" => {
                            current.priority = self.number(line, &tokens, 1, "the priority")?
                        }
                        "THEN" => in_actions = 1,
                        "ELSE" => in_actions = 2,
                        _ => {}
                    }
                    if keyword == "PRIORITY" {
                        continue;
                    }
                    let in_premise = in_actions == 0;
                    if in_premise {
                        let join = match keyword.as_str() {
                            "IF" => Join::If,
                            "AND" => Join::And,
                            "OR" => Join::Or,
                            _ => return Err(self.error(line, "expected IF, AND or OR before THEN")),
                        };
                        let premise = self.premise(line, &tokens[1..])?;
                        if let Some(current) = rule.as_mut() {
                            current.premises.push((join, premise));
                        }
                    } else {
                        if keyword != "THEN" && keyword != "ELSE" && keyword != "AND" {
                            return Err(
                                self.error(line, "expected AND, ELSE or PRIORITY after THEN")
                            );
                        }
                        let action = self.action(line, &tokens[1..])?;
                        if let Some(current) = rule.as_mut() {
                            if in_actions == 1 {
                                current.then_actions.push(action)
                            } else {
                                current.else_actions.push(action)
                            }
                        }
                    }
                }
                other => {
                    return Err(self.error(
                        line,
                        format!(
                            "expected RULE, IF, AND, OR, THEN, ELSE or PRIORITY, found '{other}'"
                        ),
                    ))
                }
            }
        }
        if let Some(done) = rule {
            self.model.rules.push(done);
        }
        Ok(())
    }

    fn premise(&self, line: usize, tokens: &[&str]) -> Result<Premise> {
        let upper: Vec<String> = tokens.iter().map(|t| t.to_ascii_uppercase()).collect();
        let (subject, rest) = match upper.first().map(String::as_str) {
            Some("SIMULATION") if upper.get(1).map(String::as_str) == Some("TIME") => {
                (Subject::Time, 2)
            }
            Some("NODE") | Some("JUNCTION") | Some("OUTFALL") | Some("STORAGE") => {
                let node = self.node(line, tokens.get(1).copied().unwrap_or(""))?;
                match upper.get(2).map(String::as_str) {
                    Some("DEPTH") => (Subject::NodeDepth(node), 3),
                    Some("HEAD") => (Subject::NodeHead(node), 3),
                    _ => return Err(self.error(line, "expected DEPTH or HEAD for a node")),
                }
            }
            Some("LINK") | Some("CONDUIT") | Some("ORIFICE") | Some("WEIR") | Some("OUTLET") => {
                let link = self.link(line, tokens.get(1).copied().unwrap_or(""))?;
                match upper.get(2).map(String::as_str) {
                    Some("FLOW") => (Subject::LinkFlow(link), 3),
                    Some("SETTING") => (Subject::LinkSetting(link), 3),
                    _ => return Err(self.error(line, "expected FLOW or SETTING for a link")),
                }
            }
            _ => {
                return Err(self.error(
                    line,
                    "expected SIMULATION TIME, NODE id DEPTH|HEAD or LINK id FLOW|SETTING",
                ))
            }
        };
        let comparison = match upper.get(rest).map(String::as_str) {
            Some("=") => Comparison::Equal,
            Some("<>") => Comparison::NotEqual,
            Some("<") => Comparison::Less,
            Some("<=") => Comparison::LessOrEqual,
            Some(">") => Comparison::Greater,
            Some(">=") => Comparison::GreaterOrEqual,
            _ => return Err(self.error(line, "expected a comparison (=, <>, <, <=, >, >=)")),
        };
        let text = tokens.get(rest + 1).copied().unwrap_or("");
        let value = match subject {
            Subject::Time => {
                parse_clock(text).or_else(|| text.parse::<f64>().ok().map(|h| h * 3600.0))
            }
            Subject::LinkFlow(_) => text.parse::<f64>().ok().map(|q| q * self.flow_factor),
            _ => text.parse::<f64>().ok(),
        }
        .ok_or_else(|| {
            self.error(
                line,
                format!("expected a value to compare with, found '{text}'"),
            )
        })?;
        Ok(Premise {
            subject,
            comparison,
            value,
        })
    }

    fn action(&self, line: usize, tokens: &[&str]) -> Result<Action> {
        let kind = tokens
            .first()
            .map(|t| t.to_ascii_uppercase())
            .unwrap_or_default();
        if !matches!(kind.as_str(), "ORIFICE" | "WEIR" | "OUTLET") {
            return Err(self.error(
                line,
                format!("expected ORIFICE, WEIR or OUTLET id SETTING = value, found '{kind}'"),
            ));
        }
        let link = self.link(line, tokens.get(1).copied().unwrap_or(""))?;
        let ok = tokens
            .get(2)
            .is_some_and(|t| t.eq_ignore_ascii_case("SETTING"))
            && tokens.get(3) == Some(&"=");
        let setting = tokens.get(4).and_then(|t| t.parse::<f64>().ok());
        match setting {
            Some(setting) if ok && (0.0..=1.0).contains(&setting) => Ok(Action { link, setting }),
            _ => Err(self.error(line, "expected SETTING = a value from 0 to 1")),
        }
    }
}

/// Splits a line into whitespace-separated tokens, keeping "quoted strings" whole.
fn tokenize(content: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = content.trim_start();
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped.find('"').map_or(rest.len(), |i| i + 2);
            tokens.push(&rest[..end]);
            rest = rest[end..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            tokens.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
    }
    tokens
}

/// "H:MM" or "H:MM:SS" as seconds.
pub fn parse_clock(text: &str) -> Option<f64> {
    if !text.contains(':') {
        return None;
    }
    let mut seconds = 0.0;
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    for (i, part) in parts.iter().enumerate() {
        let value: f64 = part.parse().ok()?;
        if value < 0.0 {
            return None;
        }
        seconds += value * [3600.0, 60.0, 1.0][i];
    }
    Some(seconds)
}

/// "MM/DD/YYYY" as a day number (days since 1 March of year 0, any fixed origin will do).
fn parse_date(text: &str) -> Option<f64> {
    let parts: Vec<i64> = text
        .split('/')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [month, day, year] = parts[..] else {
        return None;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1;
    Some(days as f64)
}

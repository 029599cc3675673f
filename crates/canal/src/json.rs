//! The canal's JSON form (`danjiang convert canal.inp canal.json`): the [`CanalModel`] as serde
//! writes it, inside `{"format": "danjiang-canal", "version": 1, "canal": {...}}`. SI units
//! throughout (m, m³/s, s, s/m^(1/3)); elements refer to each other by index into `nodes`,
//! `links` and `time_series`. Fields, by the model's doc comments:
//!
//! - `options`: `duration_s`, `routing_step_s`, `report_step_s`, `report_start_s`, `max_cell_m`.
//! - `nodes[]`: `id`, `kind` (`"Junction"`, `{"Storage": {coefficient, exponent, constant}}` or
//!   `{"Outfall": "Free" | "Normal" | {"Fixed": level_m} | {"Series": index}}`), `invert`,
//!   `initial_depth`, `position` ([x, y] or null), `line`.
//! - `links[]`: `id`, `from`, `to` (node indices), `kind` (`Conduit` {length, roughness,
//!   initial_flow, losses [entry, exit, average], section: `{"Trapezoid": {bottom_width,
//!   left_slope, right_slope, full_depth}}` or `{"Table": {depth_step, area[], top_width[],
//!   perimeter[]}}`}, `Orifice` {side, discharge_coefficient, flap, full_travel_s, height,
//!   width}, `Weir` {discharge_coefficient, flap, end_contractions, height, length}, `Outlet`
//!   {coefficient, exponent, across, flap}), `from_offset`, `to_offset`, `initial_setting`,
//!   `vertices`, `line`, `section_line`.
//! - `time_series[]`: `id`, `points` [[time_s, value], ...]; `inflows[]`: `node`, `baseline`,
//!   `series` ([index, scale] or null), `line`; `rules[]` ([CONTROLS]: `id`, `premises`
//!   [[join, {subject, comparison, value}]], `then_actions`/`else_actions` [{link, setting}],
//!   `priority`, `line`); `pollutants[]`: `id`, `decay_per_s`.
//!
//! `line` fields are where the element was declared in the .inp it came from; when a JSON file
//! is read they become the line of the element's `"id"` in it, so errors point into the JSON.

use crate::controls::{Action, Subject};
use crate::model::{CanalModel, LinkKind, NodeKind, OutfallBoundary};
use crate::section::Section;
use crate::{CanalError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The `format` tag of a canal JSON file.
pub const FORMAT: &str = "danjiang-canal";
/// The version written.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Document<M> {
    format: String,
    version: u32,
    canal: M,
}

/// The model as the documented JSON text.
pub fn to_string(model: &CanalModel) -> Result<String> {
    let document = Document {
        format: FORMAT.into(),
        version: VERSION,
        canal: model,
    };
    serde_json::to_string_pretty(&document).map_err(|e| CanalError::Input {
        file: model.file.clone(),
        line: 0,
        message: format!("cannot write the JSON form: {e}"),
    })
}

/// Whether `text` is a canal JSON document (its `format` tag).
pub fn is_canal(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Tag {
        format: String,
    }
    serde_json::from_str::<Tag>(text).is_ok_and(|t| t.format == FORMAT)
}

/// Reads and checks a canal JSON file.
pub fn read_file(path: &Path) -> Result<CanalModel> {
    let text = std::fs::read_to_string(path).map_err(|source| CanalError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    read_str(&text, path)
}

/// Reads and checks a canal JSON document; `file` names it in errors.
pub fn read_str(text: &str, file: &Path) -> Result<CanalModel> {
    let error = |line: usize, message: String| CanalError::Input {
        file: file.to_path_buf(),
        line,
        message,
    };
    let document: Document<CanalModel> =
        serde_json::from_str(text).map_err(|e| error(e.line(), format!("{e}")))?;
    if document.format != FORMAT || document.version != VERSION {
        return Err(error(
            1,
            format!(
                "expected format \"{FORMAT}\" version {VERSION}, found \"{}\" version {}",
                document.format, document.version
            ),
        ));
    }
    let mut model = document.canal;
    model.file = file.to_path_buf();
    relocate(&mut model, text);
    check(&model)?;
    Ok(model)
}

/// Sets each element's `line` to the line of its `"id"` in the JSON text.
fn relocate(model: &mut CanalModel, text: &str) {
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let section = |key: &str| text.find(&format!("\"{key}\"")).unwrap_or(0);
    let find = |from: usize, id: &str| {
        let needle = serde_json::to_string(id).map(|quoted| format!("\"id\": {quoted}"));
        needle
            .ok()
            .and_then(|n| text[from..].find(&n))
            .map(|at| line_of(from + at))
    };
    let (nodes, links, rules) = (section("nodes"), section("links"), section("rules"));
    for node in &mut model.nodes {
        node.line = find(nodes, &node.id).unwrap_or_else(|| line_of(nodes));
    }
    for link in &mut model.links {
        link.line = find(links, &link.id).unwrap_or_else(|| line_of(links));
        link.section_line = Some(link.line);
    }
    for rule in &mut model.rules {
        rule.line = find(rules, &rule.id).unwrap_or_else(|| line_of(rules));
    }
    let inflows = line_of(section("inflows"));
    for inflow in &mut model.inflows {
        inflow.line = inflows;
    }
}

/// What the .inp reader checks field by field, for a model that did not come through it:
/// indices in range, finite numbers, positive lengths, widths and steps.
fn check(model: &CanalModel) -> Result<()> {
    let fail = |line: usize, message: String| {
        Err(CanalError::Input {
            file: model.file.clone(),
            line,
            message,
        })
    };
    let options = &model.options;
    for (name, value) in [
        ("duration_s", options.duration_s),
        ("routing_step_s", options.routing_step_s),
        ("report_step_s", options.report_step_s),
        ("max_cell_m", options.max_cell_m),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return fail(
                1,
                format!("options.{name}: expected a positive number, found {value}"),
            );
        }
    }
    let (nodes, series) = (model.nodes.len(), model.time_series.len());
    for node in &model.nodes {
        if !(node.invert.is_finite() && node.initial_depth.is_finite() && node.initial_depth >= 0.0)
        {
            return fail(
                node.line,
                format!(
                    "node '{}': expected a finite invert and a depth of zero or more",
                    node.id
                ),
            );
        }
        if let NodeKind::Outfall(OutfallBoundary::Series(index)) = node.kind {
            if index >= series {
                return fail(
                    node.line,
                    format!("node '{}': no time series {index}", node.id),
                );
            }
        }
    }
    for link in &model.links {
        if link.from >= nodes || link.to >= nodes {
            return fail(
                link.line,
                format!("link '{}': expected node indices below {nodes}", link.id),
            );
        }
        if let Some(message) = link_fault(&link.kind) {
            return fail(link.line, format!("link '{}': {message}", link.id));
        }
    }
    for inflow in &model.inflows {
        if inflow.node >= nodes || inflow.series.is_some_and(|(s, _)| s >= series) {
            return fail(
                inflow.line,
                "inflow: expected a node and a series that exist".into(),
            );
        }
    }
    for rule in &model.rules {
        if !rule_indices_ok(
            model,
            &rule
                .premises
                .iter()
                .map(|p| &p.1.subject)
                .collect::<Vec<_>>(),
            &rule.then_actions,
            &rule.else_actions,
        ) {
            return fail(
                rule.line,
                format!(
                    "rule '{}': refers to a node or link that does not exist",
                    rule.id
                ),
            );
        }
    }
    Ok(())
}

fn rule_indices_ok(
    model: &CanalModel,
    subjects: &[&Subject],
    then: &[Action],
    otherwise: &[Action],
) -> bool {
    let (nodes, links) = (model.nodes.len(), model.links.len());
    let subjects_ok = subjects.iter().all(|subject| match subject {
        Subject::NodeDepth(n) | Subject::NodeHead(n) => *n < nodes,
        Subject::LinkFlow(l) | Subject::LinkSetting(l) => *l < links,
        Subject::Time => true,
    });
    subjects_ok && then.iter().chain(otherwise).all(|a| a.link < links)
}

/// What is wrong with a link's numbers, if anything.
fn link_fault(kind: &LinkKind) -> Option<String> {
    let positive = |value: f64| value.is_finite() && value > 0.0;
    let non_negative = |value: f64| value.is_finite() && value >= 0.0;
    match kind {
        LinkKind::Conduit {
            length,
            roughness,
            section,
            losses,
            ..
        } => {
            if !positive(*length) || !positive(*roughness) {
                return Some("expected a positive length and roughness".into());
            }
            if !losses.iter().all(|l| non_negative(*l)) {
                return Some("expected loss coefficients of zero or more".into());
            }
            match section {
                Some(Section::Trapezoid {
                    bottom_width,
                    left_slope,
                    right_slope,
                    full_depth,
                }) => {
                    if !positive(*bottom_width) || !positive(*full_depth) {
                        return Some(format!("expected a positive bottom width and depth, found {bottom_width} and {full_depth}"));
                    }
                    if !non_negative(*left_slope) || !non_negative(*right_slope) {
                        return Some("expected side slopes of zero or more".into());
                    }
                    None
                }
                Some(Section::Table(table)) => {
                    let rows = table.area.len();
                    let sound = rows >= 2
                        && table.top_width.len() == rows
                        && table.perimeter.len() == rows
                        && positive(table.depth_step)
                        && table
                            .top_width
                            .iter()
                            .chain(&table.perimeter)
                            .chain(&table.area)
                            .all(|v| non_negative(*v));
                    (!sound).then(|| "expected a transect table of two rows or more, equal lengths, a positive depth step".into())
                }
                None => Some("expected a cross-section".into()),
            }
        }
        LinkKind::Orifice {
            height,
            width,
            discharge_coefficient,
            full_travel_s,
            ..
        } => (!(positive(*height)
            && positive(*width)
            && positive(*discharge_coefficient)
            && non_negative(*full_travel_s)))
        .then(|| "expected a positive opening height, width and discharge coefficient".into()),
        LinkKind::Weir {
            discharge_coefficient,
            height,
            length,
            end_contractions,
            ..
        } => (!(positive(*discharge_coefficient)
            && positive(*height)
            && positive(*length)
            && non_negative(*end_contractions)))
        .then(|| "expected a positive weir coefficient, height and crest length".into()),
        LinkKind::Outlet {
            coefficient,
            exponent,
            ..
        } => (!(non_negative(*coefficient) && exponent.is_finite()))
            .then(|| "expected an outlet coefficient of zero or more and a finite exponent".into()),
    }
}

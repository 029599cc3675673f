//! `[OPTIONS]`, `[TIMES]`, `[REPORT]`, `[ENERGY]` and `[REACTIONS]`.

use super::text::{find_keyword, hours, leading_integer, matches, seconds};
use super::{bad_keyword, number, too_few, Context, LineResult, Problem, Reader};
use crate::model::{
    DemandModel, HeadlossFormula, HydraulicsFileMode, LinkKind, NodeKind, QualityAnalysis,
    ReportField, ReportSelection, Statistic, StatusReport, Unbalanced,
};
use crate::units::{FlowUnits, PressureUnits, UnitSystem, METRES_PER_FOOT};

/// EPANET's smallest gap between the minimum and required pressures of a pressure-driven
/// analysis, in the file's pressure units.
const MINIMUM_PRESSURE_GAP: f64 = 0.1;
/// Kinematic viscosity of water at 20 °C, ft²/s, as EPANET takes it.
const WATER_VISCOSITY_FT2_PER_S: f64 = 1.1e-5;
/// Molecular diffusivity of chlorine in water at 20 °C, ft²/s, as EPANET takes it.
const CHLORINE_DIFFUSIVITY_FT2_PER_S: f64 = 1.3e-8;

/// The report fields EPANET 2.3 knows, in its order, as the file spells them.
const REPORT_FIELDS: [&str; 15] = [
    "ELEVATION",
    "DEMAND",
    "HEAD",
    "PRESSURE",
    "QUALITY",
    "LENGTH",
    "DIAMETER",
    "FLOW",
    "VELOCITY",
    "HEADLOSS",
    "QUALITY",
    "STATE",
    "SETTING",
    "REACTION",
    "F-FACTOR",
];

/// Raw option values converted once the units are known.
#[derive(Debug, Default)]
pub(super) struct RawOptions {
    viscosity: Option<f64>,
    diffusivity: Option<f64>,
    head_error: f64,
    flow_change: f64,
}

impl Reader {
    pub(super) fn option_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        if self.option_choice(context)? {
            return Ok(());
        }
        self.option_value(context)
    }

    /// Options whose value is a keyword or a name. Returns false when the line is not one.
    fn option_choice(&mut self, context: &Context<'_, '_>) -> Result<bool, Problem> {
        let tokens = context.tokens;
        let n = tokens.len() - 1;
        let keyword = tokens[0];
        let options = &mut self.network.options;
        if matches(keyword, "UNIT") {
            if n < 1 {
                return Ok(true);
            }
            let units = tokens[1];
            options.flow_units = if matches(units, "SI") && !matches(units, "SIX") {
                FlowUnits::Lps
            } else {
                // EPANET tests AFD before MGD and IMGD, and every unit by prefix.
                const ORDER: [FlowUnits; 11] = [
                    FlowUnits::Cfs,
                    FlowUnits::Gpm,
                    FlowUnits::Afd,
                    FlowUnits::Mgd,
                    FlowUnits::Imgd,
                    FlowUnits::Lps,
                    FlowUnits::Lpm,
                    FlowUnits::Cmh,
                    FlowUnits::Cmd,
                    FlowUnits::Mld,
                    FlowUnits::Cms,
                ];
                ORDER
                    .into_iter()
                    .find(|unit| matches(units, unit.keyword()))
                    .ok_or_else(|| {
                        bad_keyword(
                            units,
                            "flow units CFS, GPM, MGD, IMGD, AFD, LPS, LPM, MLD, CMH, CMD or CMS",
                        )
                    })?
            };
            if !self.pressure_units_given {
                options.pressure_units = PressureUnits::default_for(options.flow_units.system());
            }
        } else if matches(keyword, "PRESSURE") {
            if n < 1 {
                return Ok(true);
            }
            if matches(tokens[1], "EXP") {
                return Ok(false);
            }
            let units = [
                PressureUnits::Psi,
                PressureUnits::Kpa,
                PressureUnits::Meters,
                PressureUnits::Bar,
                PressureUnits::Feet,
            ]
            .into_iter()
            .find(|unit| matches(tokens[1], unit.keyword()))
            .ok_or_else(|| {
                bad_keyword(tokens[1], "pressure units PSI, KPA, METERS, BAR or FEET")
            })?;
            options.pressure_units = units;
            self.pressure_units_given = true;
        } else if matches(keyword, "HEADL") {
            if n < 1 {
                return Ok(true);
            }
            options.headloss = match find_keyword(tokens[1], &["H-W", "D-W", "C-M"]) {
                Some(0) => HeadlossFormula::HazenWilliams,
                Some(1) => HeadlossFormula::DarcyWeisbach,
                Some(_) => HeadlossFormula::ChezyManning,
                None => return Err(bad_keyword(tokens[1], "headloss formula H-W, D-W or C-M")),
            };
        } else if matches(keyword, "HYDR") {
            if n < 2 {
                return Ok(true);
            }
            let mode = if matches(tokens[1], "USE") {
                HydraulicsFileMode::Use
            } else if matches(tokens[1], "SAVE") {
                HydraulicsFileMode::Save
            } else {
                return Err(bad_keyword(tokens[1], "USE or SAVE"));
            };
            options.hydraulics_file = Some((mode, tokens[2].to_string()));
        } else if matches(keyword, "QUAL") {
            if n < 1 {
                return Ok(true);
            }
            let kind = tokens[1];
            // EPANET keeps one chemical name and unit across QUALITY lines: CHEMICAL reuses
            // them (a unit after the keyword is ignored), a named chemical sets them, AGE and
            // TRACE overwrite them. Only the last line's analysis counts.
            let (name, units) = self
                .pending
                .chemical
                .clone()
                .unwrap_or_else(|| ("Chemical".to_string(), "mg/L".to_string()));
            if !matches(kind, "TRACE") {
                self.pending.trace_node = None;
            }
            if matches(kind, "NONE") {
                options.quality = QualityAnalysis::None;
            } else if matches(kind, "CHEM") {
                options.quality = QualityAnalysis::Chemical { name, units };
            } else if matches(kind, "AGE") {
                options.quality = QualityAnalysis::Age;
                self.pending.chemical = Some(("AGE".to_string(), "hrs".to_string()));
            } else if matches(kind, "TRACE") {
                if n < 2 {
                    return Err(too_few("QUALITY TRACE and the ID of the node traced"));
                }
                self.pending.trace_node = Some((tokens[2].to_string(), context.index));
                self.pending.chemical = Some(("%".to_string(), tokens[2].to_string()));
            } else {
                let units = tokens.get(2).map_or(units, |u| u.to_string());
                options.quality = QualityAnalysis::Chemical {
                    name: kind.to_string(),
                    units: units.clone(),
                };
                self.pending.chemical = Some((kind.to_string(), units));
            }
        } else if matches(keyword, "MAP") {
            if n >= 1 {
                options.map_file = Some(tokens[1].to_string());
            }
        } else if matches(keyword, "VERI") {
            // The old VERIFY option is accepted and ignored, as EPANET does.
        } else if matches(keyword, "UNBA") {
            if n < 1 {
                return Ok(true);
            }
            options.unbalanced = if matches(tokens[1], "STOP") {
                Unbalanced::Stop
            } else if matches(tokens[1], "CONT") {
                let trials = tokens.get(2).map_or(0, |t| leading_integer(t));
                Unbalanced::Continue(trials.clamp(0, i64::from(u32::MAX)) as u32)
            } else {
                return Err(bad_keyword(tokens[1], "STOP or CONTINUE"));
            };
        } else if matches(keyword, "PATT") {
            if n >= 1 {
                options.default_pattern = Some(tokens[1].to_string());
            }
        } else if matches(keyword, "DEMAND") {
            if n < 2 {
                return Ok(true);
            }
            if !matches(tokens[1], "MODEL") {
                return Ok(false);
            }
            options.demand_model = match find_keyword(tokens[2], &["DDA", "PDA"]) {
                Some(0) => DemandModel::DemandDriven,
                Some(_) => DemandModel::PressureDriven,
                None => return Err(bad_keyword(tokens[2], "demand model DDA or PDA")),
            };
        } else if matches(keyword, "BACK") {
            if n < 2 {
                return Ok(true);
            }
            if !matches(tokens[1], "ALLOW") {
                return Ok(false);
            }
            options.emitter_backflow = match find_keyword(tokens[2], &["NO", "YES"]) {
                Some(0) => false,
                Some(_) => true,
                None => return Err(bad_keyword(tokens[2], "YES or NO")),
            };
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Options whose value is a number.
    fn option_value(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len() - 1;
        let keyword = tokens[0];
        if matches(keyword, "SEGM") {
            return Ok(());
        }
        // Two-word options have their value in the third field.
        let at = if ["SPEC", "EMIT", "DEMAND", "MINI", "REQ", "PRESSURE", "PREC"]
            .iter()
            .any(|k| matches(keyword, k))
        {
            2
        } else {
            1
        };
        if n < at {
            return Ok(());
        }
        let what = format!("option {}", tokens[..at].join(" "));
        let value = number(tokens, at, &what)?;
        let must_be = |ok: bool, expected: &str| {
            if ok {
                Ok(())
            } else {
                Err(Problem::error(
                    213,
                    format!("invalid option value {value} for {what}: expected {expected}"),
                ))
            }
        };
        let options = &mut self.network.options;
        if matches(keyword, "TOLER") {
            must_be(value >= 0.0, "zero or more")?;
            options.quality_tolerance = value;
        } else if matches(keyword, "DIFF") {
            must_be(value >= 0.0, "zero or more")?;
            self.raw_options.diffusivity = Some(value);
        } else if matches(keyword, "DAMPLIMIT") {
            options.damp_limit = value;
        } else if matches(keyword, "FLOWCHANGE") {
            must_be(value >= 0.0, "zero or more")?;
            self.raw_options.flow_change = value;
        } else if matches(keyword, "HEADERROR") {
            must_be(value >= 0.0, "zero or more")?;
            self.raw_options.head_error = value;
        } else if matches(keyword, "MINI") {
            must_be(value >= 0.0, "zero or more")?;
            match self.pending.required_pressure {
                None => self.pending.required_pressure = Some(value + MINIMUM_PRESSURE_GAP),
                Some(required) if required - value < MINIMUM_PRESSURE_GAP => {
                    return Err(Problem::error(
                        208,
                        format!(
                            "illegal PDA pressure limits: minimum pressure {value} is not at \
                             least {MINIMUM_PRESSURE_GAP} below the required pressure {required}"
                        ),
                    ))
                }
                Some(_) => {}
            }
            self.pending.minimum_pressure = value;
        } else if matches(keyword, "REQ") {
            must_be(value >= 0.0, "zero or more")?;
            if value - self.pending.minimum_pressure < MINIMUM_PRESSURE_GAP {
                return Err(Problem::error(
                    208,
                    format!(
                        "illegal PDA pressure limits: required pressure {value} is not at least \
                         {MINIMUM_PRESSURE_GAP} above the minimum pressure {}",
                        self.pending.minimum_pressure
                    ),
                ));
            }
            self.pending.required_pressure = Some(value);
        } else if matches(keyword, "PRESSURE") {
            must_be(value >= 0.0, "zero or more")?;
            options.pressure_exponent = value;
        } else {
            must_be(value > 0.0, "more than zero")?;
            if matches(keyword, "VISC") {
                self.raw_options.viscosity = Some(value);
            } else if matches(keyword, "SPEC") {
                options.specific_gravity = value;
            } else if matches(keyword, "TRIAL") {
                options.trials = value as u32;
            } else if matches(keyword, "ACCU") {
                options.accuracy = value.clamp(1e-5, 1e-1);
            } else if matches(keyword, "HTOL")
                || matches(keyword, "QTOL")
                || matches(keyword, "RQTOL")
            {
                // Legacy tolerances EPANET 2.3 reads but the model does not keep.
                if matches(keyword, "RQTOL") && value >= 1.0 {
                    must_be(false, "less than 1")?;
                }
            } else if matches(keyword, "CHECKFREQ") {
                options.check_frequency = value as u32;
            } else if matches(keyword, "MAXCHECK") {
                options.max_check = value as u32;
            } else if matches(keyword, "EMIT") {
                options.emitter_exponent = value;
            } else if matches(keyword, "DEMAND") {
                options.demand_multiplier = value;
            } else {
                return Err(Problem::error(
                    201,
                    format!("syntax error: unknown option \"{keyword}\""),
                ));
            }
        }
        Ok(())
    }

    /// Converts the options that depend on the units, once all of `[OPTIONS]` is read.
    pub(super) fn convert_options(&mut self) {
        let units = self.units;
        let raw = &self.raw_options;
        let options = &mut self.network.options;
        let square_feet_per_unit = match units.system {
            UnitSystem::Us => 1.0,
            UnitSystem::Si => 1.0 / (METRES_PER_FOOT * METRES_PER_FOOT),
        };
        // EPANET takes a value above a threshold as a multiple of water's, below it as
        // the value itself in ft²/s or m²/s.
        if let Some(viscosity) = raw.viscosity {
            options.viscosity = if viscosity > 1e-3 {
                viscosity
            } else {
                viscosity * square_feet_per_unit / WATER_VISCOSITY_FT2_PER_S
            };
        }
        if let Some(diffusivity) = raw.diffusivity {
            options.diffusivity = if diffusivity > 1e-4 {
                diffusivity
            } else {
                diffusivity * square_feet_per_unit / CHLORINE_DIFFUSIVITY_FT2_PER_S
            };
        }
        options.head_error = raw.head_error / units.length;
        options.flow_change = raw.flow_change / units.flow;
        options.minimum_pressure = self.pending.minimum_pressure / units.pressure;
        options.required_pressure = self
            .pending
            .required_pressure
            .unwrap_or(MINIMUM_PRESSURE_GAP)
            / units.pressure;
    }

    pub(super) fn time_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len() - 1;
        if n < 1 {
            return Err(too_few("a time option and its value"));
        }
        let times = &mut self.network.times;
        if matches(tokens[0], "STAT") {
            let choice = tokens[n];
            times.statistic = if matches(choice, "NONE") || matches(choice, "NO") {
                Statistic::None
            } else if matches(choice, "AVERAGE") {
                Statistic::Average
            } else if matches(choice, "MINIMUM") {
                Statistic::Minimum
            } else if matches(choice, "MAXIMUM") {
                Statistic::Maximum
            } else if matches(choice, "RANGE") {
                Statistic::Range
            } else {
                return Err(bad_keyword(
                    choice,
                    "NONE, AVERAGE, MINIMUM, MAXIMUM or RANGE",
                ));
            };
            return Ok(());
        }
        // The value is the last field, alone (`24`, `1:30`) or after a number (`1.5 HOURS`,
        // `12 AM`).
        let value = super::text::number(tokens[n])
            .or_else(|| hours(tokens[n], ""))
            .or_else(|| hours(tokens[n - 1], tokens[n]))
            .ok_or_else(|| {
                Problem::error(
                    213,
                    format!(
                        "invalid time \"{}\": expected hours, hh:mm[:ss], a number with \
                         SEC, MIN, HOURS or DAYS, or a clock time with AM or PM",
                        tokens[n - 1..=n].join(" ")
                    ),
                )
            })?;
        let seconds = seconds(value).ok_or_else(|| {
            Problem::error(
                213,
                format!("invalid time {value} hours: expected zero or more"),
            )
        })?;
        let keyword = tokens[0];
        if matches(keyword, "DURA") {
            times.duration = seconds;
        } else if matches(keyword, "HYDR") {
            times.hydraulic_step = seconds;
        } else if matches(keyword, "QUAL") {
            times.quality_step = Some(seconds);
        } else if matches(keyword, "RULE") {
            times.rule_step = Some(seconds);
        } else if matches(keyword, "MINI") {
            // MINIMUM TRAVELTIME is no longer used.
        } else if matches(keyword, "PATT") {
            if matches(tokens[1], "TIME") {
                times.pattern_step = seconds;
            } else if matches(tokens[1], "STAR") {
                times.pattern_start = seconds;
            } else {
                return Err(bad_keyword(tokens[1], "PATTERN TIMESTEP or PATTERN START"));
            }
        } else if matches(keyword, "REPO") {
            if matches(tokens[1], "TIME") {
                times.report_step = seconds;
            } else if matches(tokens[1], "STAR") {
                times.report_start = seconds;
            } else {
                return Err(bad_keyword(tokens[1], "REPORT TIMESTEP or REPORT START"));
            }
        } else if matches(keyword, "STAR") {
            times.start_clocktime = seconds % 86_400;
        } else {
            return Err(bad_keyword(
                keyword,
                "DURATION, HYDRAULIC TIMESTEP, QUALITY TIMESTEP, RULE TIMESTEP, PATTERN \
                 TIMESTEP, PATTERN START, REPORT TIMESTEP, REPORT START, START CLOCKTIME or \
                 STATISTIC",
            ));
        }
        Ok(())
    }

    pub(super) fn report_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len() - 1;
        if n < 1 {
            return Err(too_few("a report option and its value"));
        }
        let keyword = tokens[0];
        let last = tokens[n];
        let yes_no = |current: Option<bool>| {
            if matches(last, "NO") {
                Some(false)
            } else if matches(last, "YES") {
                Some(true)
            } else {
                current
            }
        };
        if matches(keyword, "PAGE") {
            let size = number(tokens, n, "PAGESIZE")?;
            if !(0.0..=255.0).contains(&size) {
                return Err(bad_keyword(last, "a page size from 0 to 255"));
            }
            self.network.report.page_size = size as u32;
        } else if matches(keyword, "STATUS") {
            let report = &mut self.network.report;
            if matches(last, "NO") {
                report.status = StatusReport::No;
            } else if matches(last, "YES") {
                report.status = StatusReport::Yes;
            } else if matches(last, "FULL") {
                report.status = StatusReport::Full;
            }
        } else if matches(keyword, "SUMM") {
            self.network.report.summary = yes_no(self.network.report.summary);
        } else if matches(keyword, "MESS") {
            self.network.report.messages = yes_no(self.network.report.messages);
        } else if matches(keyword, "ENER") {
            self.network.report.energy = yes_no(self.network.report.energy);
        } else if matches(keyword, "NODE") || matches(keyword, "LINK") {
            let nodes = matches(keyword, "NODE");
            let selection = if matches(last, "NONE") {
                ReportSelection::None
            } else if matches(last, "ALL") {
                ReportSelection::All
            } else {
                let mut ids = match if nodes {
                    &mut self.network.report.nodes
                } else {
                    &mut self.network.report.links
                } {
                    ReportSelection::Some(ids) => std::mem::take(ids),
                    _ => Vec::new(),
                };
                let mut missing = None;
                for id in &tokens[1..] {
                    let found = if nodes {
                        self.network.node_idx(id).is_some()
                    } else {
                        self.network.link_idx(id).is_some()
                    };
                    if found {
                        ids.push(id.to_string());
                    } else if missing.is_none() {
                        missing = Some(if nodes {
                            Problem::error(203, format!("undefined node \"{id}\""))
                        } else {
                            Problem::error(204, format!("undefined link \"{id}\""))
                        });
                    }
                }
                let selection = ReportSelection::Some(ids);
                if nodes {
                    self.network.report.nodes = selection;
                } else {
                    self.network.report.links = selection;
                }
                return missing.map_or(Ok(()), Err);
            };
            if nodes {
                self.network.report.nodes = selection;
            } else {
                self.network.report.links = selection;
            }
        } else if let Some(field) = report_field(keyword) {
            self.report_field_line(tokens, field)?;
        } else if matches(keyword, "FILE") {
            self.network.report.file = Some(tokens[1].to_string());
        } else {
            return Err(Problem::error(
                201,
                format!("syntax error: unknown report option \"{keyword}\""),
            ));
        }
        Ok(())
    }

    fn report_field_line(&mut self, tokens: &[&str], field: &str) -> LineResult {
        let fields = &mut self.network.report.fields;
        let position = match fields.iter().position(|f| f.name == field) {
            Some(position) => position,
            None => {
                fields.push(ReportField {
                    name: field.to_string(),
                    enabled: None,
                    precision: None,
                    below: None,
                    above: None,
                });
                fields.len() - 1
            }
        };
        if tokens.len() == 1 || matches(tokens[1], "YES") {
            fields[position].enabled = Some(true);
            return Ok(());
        }
        if matches(tokens[1], "NO") {
            fields[position].enabled = Some(false);
            return Ok(());
        }
        if tokens.len() < 3 {
            return Err(too_few(
                "a report field, BELOW, ABOVE or PRECISION, and a value",
            ));
        }
        let value = number(tokens, 2, &format!("report field {field}"))?;
        let entry = &mut fields[position];
        if matches(tokens[1], "BELOW") {
            entry.below = Some(value);
        } else if matches(tokens[1], "ABOVE") {
            entry.above = Some(value);
        } else if matches(tokens[1], "PREC") {
            entry.enabled = Some(true);
            entry.precision = Some(value.round().clamp(0.0, 255.0) as u32);
        } else {
            return Err(bad_keyword(tokens[1], "YES, NO, BELOW, ABOVE or PRECISION"));
        }
        Ok(())
    }

    pub(super) fn energy_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        if n < 3 {
            return Err(too_few("GLOBAL or PUMP, a keyword and a value"));
        }
        if matches(tokens[0], "DEMAN") {
            let charge = number(tokens, 2, "DEMAND CHARGE")?;
            if charge < 0.0 {
                return Err(bad_keyword(tokens[2], "a demand charge of zero or more"));
            }
            self.network.energy.demand_charge = charge;
            return Ok(());
        }
        let pump = if matches(tokens[0], "GLOB") {
            None
        } else if matches(tokens[0], "PUMP") {
            if n < 4 {
                return Err(too_few("PUMP, its ID, a keyword and a value"));
            }
            let undefined = || {
                Problem::error(
                    216,
                    format!("reference to undefined pump \"{}\"", tokens[1]),
                )
            };
            let link = self.network.link_idx(tokens[1]).ok_or_else(undefined)?;
            if !matches!(self.network.links[link.index()].kind, LinkKind::Pump(_)) {
                return Err(undefined());
            }
            Some(link)
        } else {
            return Err(bad_keyword(tokens[0], "GLOBAL, PUMP or DEMAND CHARGE"));
        };
        let keyword = tokens[n - 2];
        let value = tokens[n - 1];
        let invalid = |what: &str| {
            Problem::error(
                217,
                format!("invalid pump energy data: {what} is {value}, expected more than zero"),
            )
        };
        if matches(keyword, "PRICE") {
            let price = number(tokens, n - 1, "energy price")?;
            if price < 0.0 {
                return Err(invalid("price"));
            }
            match pump {
                None => self.network.energy.global_price = price,
                Some(link) => {
                    if let LinkKind::Pump(pump) = &mut self.network.links[link.index()].kind {
                        pump.energy_price = Some(price);
                    }
                }
            }
        } else if matches(keyword, "PATT") {
            let pattern = self.find_pattern(value)?;
            match pump {
                None => self.network.energy.global_pattern = Some(value.to_string()),
                Some(link) => {
                    if let LinkKind::Pump(pump) = &mut self.network.links[link.index()].kind {
                        pump.price_pattern = Some(pattern);
                    }
                }
            }
        } else if matches(keyword, "EFFI") {
            match pump {
                None => {
                    let efficiency = number(tokens, n - 1, "global efficiency")?;
                    if efficiency <= 0.0 {
                        return Err(invalid("efficiency"));
                    }
                    self.network.energy.global_efficiency = efficiency;
                }
                Some(link) => {
                    let curve = self.find_curve(value)?;
                    if let LinkKind::Pump(pump) = &mut self.network.links[link.index()].kind {
                        pump.efficiency_curve = Some(curve);
                    }
                }
            }
        } else {
            return Err(Problem::error(
                201,
                format!("syntax error: expected PRICE, PATTERN or EFFICIENCY, found \"{keyword}\""),
            ));
        }
        Ok(())
    }

    pub(super) fn reaction_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        if n < 3 {
            return Ok(());
        }
        let keyword = tokens[0];
        let value = number(tokens, n - 1, "reaction coefficient")?;
        let reactions = &mut self.network.reactions;
        if matches(keyword, "ORDER") {
            if matches(tokens[1], "BULK") {
                reactions.bulk_order = value;
            } else if matches(tokens[1], "TANK") {
                reactions.tank_order = value;
            } else if matches(tokens[1], "WALL") {
                if value != 0.0 && value != 1.0 {
                    return Err(bad_keyword(tokens[n - 1], "a wall order of 0 or 1"));
                }
                reactions.wall_order = value;
            } else {
                return Err(bad_keyword(
                    tokens[1],
                    "ORDER BULK, ORDER WALL or ORDER TANK",
                ));
            }
            return Ok(());
        }
        if matches(keyword, "ROUG") {
            reactions.roughness_correlation = value;
            return Ok(());
        }
        if matches(keyword, "LIMIT") {
            reactions.limiting_potential = value;
            return Ok(());
        }
        if matches(keyword, "GLOB") {
            if matches(tokens[1], "BULK") {
                reactions.global_bulk = value;
            } else if matches(tokens[1], "WALL") {
                reactions.global_wall = value;
            } else {
                return Err(bad_keyword(tokens[1], "GLOBAL BULK or GLOBAL WALL"));
            }
            return Ok(());
        }
        enum Target {
            Bulk,
            Wall,
            Tank,
        }
        let target = if matches(keyword, "BULK") {
            Target::Bulk
        } else if matches(keyword, "WALL") {
            Target::Wall
        } else if matches(keyword, "TANK") {
            Target::Tank
        } else {
            return Err(bad_keyword(
                keyword,
                "ORDER, GLOBAL, BULK, WALL, TANK, LIMITING POTENTIAL or ROUGHNESS CORRELATION",
            ));
        };
        match target {
            Target::Tank => {
                let nodes: Vec<usize> = if n == 3 {
                    self.network
                        .node_idx(tokens[1])
                        .map(|i| i.index())
                        .into_iter()
                        .collect()
                } else {
                    id_range(
                        self.network.nodes.iter().map(|node| node.id.as_str()),
                        tokens[1],
                        tokens[2],
                    )
                };
                for index in nodes {
                    if let NodeKind::Tank(tank) = &mut self.network.nodes[index].kind {
                        tank.bulk_coefficient = Some(value);
                    }
                }
            }
            Target::Bulk | Target::Wall => {
                let links: Vec<usize> = if n == 3 {
                    self.network
                        .link_idx(tokens[1])
                        .map(|i| i.index())
                        .into_iter()
                        .collect()
                } else {
                    id_range(
                        self.network.links.iter().map(|link| link.id.as_str()),
                        tokens[1],
                        tokens[2],
                    )
                };
                for index in links {
                    if let LinkKind::Pipe(pipe) = &mut self.network.links[index].kind {
                        match target {
                            Target::Bulk => pipe.bulk_coefficient = Some(value),
                            _ => pipe.wall_coefficient = Some(value),
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The canonical name of a report field keyword. As in EPANET the keyword must start with
/// the field's whole name (`ELEVATION`, not `ELEV`).
fn report_field(keyword: &str) -> Option<&'static str> {
    // `HEADLOSS` starts with `HEAD`, so it is told apart first.
    if keyword.eq_ignore_ascii_case("HEADLOSS") {
        return Some("HEADLOSS");
    }
    REPORT_FIELDS
        .iter()
        .find(|field| matches(keyword, field))
        .copied()
}

/// The positions of the IDs that lie in a range, as EPANET selects them: by number when both
/// ends start with a positive integer, otherwise by text order.
pub(super) fn id_range<'a>(
    ids: impl Iterator<Item = &'a str>,
    first: &str,
    last: &str,
) -> Vec<usize> {
    let low = leading_integer(first);
    let high = leading_integer(last);
    if low > 0 && high > 0 {
        ids.enumerate()
            .filter(|(_, id)| (low..=high).contains(&leading_integer(id)))
            .map(|(i, _)| i)
            .collect()
    } else {
        ids.enumerate()
            .filter(|(_, id)| first <= *id && *id <= last)
            .map(|(i, _)| i)
            .collect()
    }
}

//! Writing an EPANET binary output file period by period, as a run goes.
//!
//! The energy section comes before the results in the file but is known only at the end of
//! a run, so the writer leaves room for it and fills it in when the run is finished. With a
//! time statistic (AVERAGE, MINIMUM, MAXIMUM, RANGE) periods are folded into running
//! statistics instead of being written, and one period of statistics is written at the end,
//! computed in single precision as EPANET computes it.

use super::{
    energy_bytes, EnergySection, Epilog, PeriodResults, Prolog, FILE_NAME_BYTES, ID_BYTES,
    MAGIC_NUMBER, TITLE_BYTES,
};
use crate::error::OutputError;
use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// EPANET's status code for a closed link.
const CLOSED: f32 = 2.0;
/// EPANET's status code for an open link.
const OPEN: f32 = 3.0;
/// EPANET's "missing value" (its statistics start from plus and minus this).
const MISSING: f32 = -1.0e10;

/// Statistic codes of the prolog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statistic {
    Average,
    Minimum,
    Maximum,
    Range,
}

/// Writes an output file as periods arrive; call [`OutWriter::finish`] at the end.
pub struct OutWriter<W: Write + Seek> {
    out: W,
    node_count: usize,
    link_count: usize,
    pump_count: usize,
    energy_offset: u64,
    periods_written: usize,
    statistic: Option<RunningStatistics>,
    buffer: Vec<u8>,
}

impl OutWriter<BufWriter<File>> {
    /// Creates (or truncates) the file and writes its prolog.
    pub fn create(path: impl AsRef<Path>, prolog: &Prolog) -> Result<Self, OutputError> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|e| OutputError::io(path, e))?;
        OutWriter::new(BufWriter::with_capacity(1 << 16, file), prolog)
    }
}

impl<W: Write + Seek> OutWriter<W> {
    /// Writes the prolog and leaves room for the energy section.
    pub fn new(mut out: W, prolog: &Prolog) -> Result<Self, OutputError> {
        check_prolog(prolog)?;
        let mut bytes = Vec::with_capacity(prolog.byte_len() as usize);
        let counts = [
            MAGIC_NUMBER,
            prolog.version,
            count(prolog.node_count)?,
            count(prolog.tank_count)?,
            count(prolog.link_count)?,
            count(prolog.pump_count)?,
            count(prolog.valve_count)?,
            prolog.quality_code,
            prolog.trace_node,
            prolog.flow_units_code,
            prolog.pressure_units_code,
            prolog.statistic_code,
            prolog.report_start,
            prolog.report_step,
            prolog.duration,
        ];
        for word in counts {
            bytes.extend_from_slice(&word.to_le_bytes());
        }
        for line in &prolog.title {
            push_text(&mut bytes, line, TITLE_BYTES);
        }
        push_text(&mut bytes, &prolog.input_file, FILE_NAME_BYTES);
        push_text(&mut bytes, &prolog.report_file, FILE_NAME_BYTES);
        push_text(&mut bytes, &prolog.chemical_name, ID_BYTES);
        push_text(&mut bytes, &prolog.quality_units, ID_BYTES);
        for id in prolog.node_ids.iter().chain(&prolog.link_ids) {
            push_text(&mut bytes, id, ID_BYTES);
        }
        for ints in [
            &prolog.link_from,
            &prolog.link_to,
            &prolog.link_type,
            &prolog.tank_node,
        ] {
            for value in ints {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        for floats in [
            &prolog.tank_area,
            &prolog.node_elevation,
            &prolog.link_length,
            &prolog.link_diameter,
        ] {
            push_floats(&mut bytes, floats);
        }
        debug_assert_eq!(bytes.len() as u64, prolog.byte_len());
        let energy_offset = bytes.len() as u64;
        // Room for the energy section, filled in by `finish`.
        bytes.resize(bytes.len() + energy_bytes(prolog.pump_count) as usize, 0);
        out.write_all(&bytes)?;

        let statistic = match prolog.statistic_code {
            0 => None,
            1 => Some(Statistic::Average),
            2 => Some(Statistic::Minimum),
            3 => Some(Statistic::Maximum),
            4 => Some(Statistic::Range),
            other => {
                return Err(OutputError::Mismatch(format!(
                    "statistic code {other} is not one of 0 (none) to 4 (range)"
                )))
            }
        }
        .map(|s| RunningStatistics::new(s, prolog.node_count, prolog.link_count));
        Ok(OutWriter {
            out,
            node_count: prolog.node_count,
            link_count: prolog.link_count,
            pump_count: prolog.pump_count,
            energy_offset,
            periods_written: 0,
            statistic,
            buffer: Vec::new(),
        })
    }

    /// Periods handed over so far.
    pub fn periods(&self) -> usize {
        self.periods_written
    }

    /// Writes one reported period (or folds it into the statistic).
    pub fn write_period(&mut self, results: &PeriodResults) -> Result<(), OutputError> {
        self.check_period(results)?;
        self.periods_written += 1;
        match &mut self.statistic {
            Some(running) => running.add(results),
            None => {
                self.buffer.clear();
                for array in results.node_arrays() {
                    push_floats(&mut self.buffer, array);
                }
                for array in results.link_arrays() {
                    push_floats(&mut self.buffer, array);
                }
                self.out.write_all(&self.buffer)?;
            }
        }
        Ok(())
    }

    /// Writes the statistic period (if any), the epilog and the energy section, and hands
    /// back the stream. The epilog's period count is the number of periods written.
    pub fn finish(mut self, energy: &EnergySection, epilog: &Epilog) -> Result<W, OutputError> {
        if energy.pumps.len() != self.pump_count {
            return Err(OutputError::Mismatch(format!(
                "{} pump energy records for {} pumps",
                energy.pumps.len(),
                self.pump_count
            )));
        }
        let mut period_count = self.periods_written;
        if let Some(running) = self.statistic.take() {
            let results = running.result(self.periods_written);
            self.statistic = None;
            self.periods_written = 0;
            self.write_period(&results)?;
            period_count = 1;
        }
        let mut bytes = Vec::with_capacity(28);
        push_floats(
            &mut bytes,
            &[
                epilog.bulk_reaction_rate,
                epilog.wall_reaction_rate,
                epilog.tank_reaction_rate,
                epilog.source_inflow_rate,
            ],
        );
        for word in [count(period_count)?, epilog.warning_flag, MAGIC_NUMBER] {
            bytes.extend_from_slice(&word.to_le_bytes());
        }
        self.out.write_all(&bytes)?;

        bytes.clear();
        for pump in &energy.pumps {
            bytes.extend_from_slice(&pump.link_index.to_le_bytes());
            push_floats(
                &mut bytes,
                &[
                    pump.utilization,
                    pump.average_efficiency,
                    pump.kwh_per_volume,
                    pump.average_kw,
                    pump.peak_kw,
                    pump.cost_per_day,
                ],
            );
        }
        push_floats(&mut bytes, &[energy.demand_charge]);
        let end = self.out.stream_position()?;
        self.out.seek(SeekFrom::Start(self.energy_offset))?;
        self.out.write_all(&bytes)?;
        self.out.seek(SeekFrom::Start(end))?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn check_period(&self, results: &PeriodResults) -> Result<(), OutputError> {
        for (k, array) in results.node_arrays().iter().enumerate() {
            if array.len() != self.node_count {
                return Err(OutputError::Mismatch(format!(
                    "node quantity {} has {} values for {} nodes",
                    super::NODE_QUANTITY_NAMES[k],
                    array.len(),
                    self.node_count
                )));
            }
        }
        for (k, array) in results.link_arrays().iter().enumerate() {
            if array.len() != self.link_count {
                return Err(OutputError::Mismatch(format!(
                    "link quantity {} has {} values for {} links",
                    super::LINK_QUANTITY_NAMES[k],
                    array.len(),
                    self.link_count
                )));
            }
        }
        Ok(())
    }
}

fn count(n: usize) -> Result<i32, OutputError> {
    i32::try_from(n)
        .map_err(|_| OutputError::Mismatch(format!("{n} does not fit the file's 32-bit counts")))
}

fn check_prolog(prolog: &Prolog) -> Result<(), OutputError> {
    let lengths = [
        ("node IDs", prolog.node_ids.len(), prolog.node_count),
        (
            "node elevations",
            prolog.node_elevation.len(),
            prolog.node_count,
        ),
        ("link IDs", prolog.link_ids.len(), prolog.link_count),
        (
            "link start nodes",
            prolog.link_from.len(),
            prolog.link_count,
        ),
        ("link end nodes", prolog.link_to.len(), prolog.link_count),
        ("link types", prolog.link_type.len(), prolog.link_count),
        ("link lengths", prolog.link_length.len(), prolog.link_count),
        (
            "link diameters",
            prolog.link_diameter.len(),
            prolog.link_count,
        ),
        ("tank nodes", prolog.tank_node.len(), prolog.tank_count),
        ("tank areas", prolog.tank_area.len(), prolog.tank_count),
    ];
    for (what, have, want) in lengths {
        if have != want {
            return Err(OutputError::Mismatch(format!(
                "{have} {what} for a count of {want}"
            )));
        }
    }
    Ok(())
}

/// Appends text NUL-padded (and cut if need be) to a field of `width` bytes, keeping at
/// least one NUL as EPANET's C strings do.
fn push_text(bytes: &mut Vec<u8>, text: &str, width: usize) {
    let mut end = text.len().min(width - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    bytes.extend_from_slice(&text.as_bytes()[..end]);
    bytes.resize(bytes.len() + width - end, 0);
}

fn push_floats(bytes: &mut Vec<u8>, values: &[f32]) {
    let start = bytes.len();
    // Sized once and filled in fixed-width chunks, which the compiler turns into plain
    // copies (pushing four bytes at a time checks the capacity for every value).
    bytes.resize(start + 4 * values.len(), 0);
    for (chunk, value) in bytes[start..].chunks_exact_mut(4).zip(values) {
        chunk.copy_from_slice(&value.to_le_bytes());
    }
}

/// Running minimum and maximum (or sum) of every quantity of every element.
struct RunningStatistics {
    /// Sum (average) or minimum, per quantity then element, nodes first.
    first: Vec<Vec<f32>>,
    /// Maximum (unused for the average).
    second: Vec<Vec<f32>>,
    statistic: Statistic,
}

impl RunningStatistics {
    fn new(statistic: Statistic, nodes: usize, links: usize) -> Self {
        let sizes = (0..super::NODE_QUANTITIES)
            .map(|_| nodes)
            .chain((0..super::LINK_QUANTITIES).map(|_| links));
        let (start_first, start_second) = match statistic {
            Statistic::Average => (0.0, 0.0),
            _ => (-MISSING, MISSING),
        };
        let sizes: Vec<usize> = sizes.collect();
        RunningStatistics {
            first: sizes.iter().map(|&n| vec![start_first; n]).collect(),
            second: sizes.iter().map(|&n| vec![start_second; n]).collect(),
            statistic,
        }
    }

    fn add(&mut self, results: &PeriodResults) {
        let arrays = results
            .node_arrays()
            .into_iter()
            .chain(results.link_arrays());
        let average = self.statistic == Statistic::Average;
        for (q, values) in arrays.enumerate() {
            let is_link = q >= super::NODE_QUANTITIES;
            let link_q = q.wrapping_sub(super::NODE_QUANTITIES);
            for (i, &value) in values.iter().enumerate() {
                // As EPANET: flows by magnitude, statuses as open (1) or not (0).
                let x = if is_link && link_q == 0 {
                    value.abs()
                } else if is_link && link_q == 4 {
                    if value >= OPEN {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    value
                };
                if average {
                    self.first[q][i] += x;
                } else {
                    // EPANET's MIN and MAX macros keep the old value only when the
                    // comparison holds, so a NaN replaces it; `partial_cmp` keeps that.
                    let low = &mut self.first[q][i];
                    if !matches!(
                        (*low).partial_cmp(&x),
                        Some(Ordering::Less | Ordering::Equal)
                    ) {
                        *low = x;
                    }
                    let high = &mut self.second[q][i];
                    if !matches!(
                        (*high).partial_cmp(&x),
                        Some(Ordering::Greater | Ordering::Equal)
                    ) {
                        *high = x;
                    }
                }
            }
        }
    }

    fn result(self, periods: usize) -> PeriodResults {
        let statistic = self.statistic;
        let divisor = periods.max(1) as f32;
        let mut arrays = Vec::with_capacity(self.first.len());
        for (q, (first, second)) in self.first.iter().zip(&self.second).enumerate() {
            let mut target: Vec<f32> = match statistic {
                Statistic::Average => first.iter().map(|&s| s / divisor).collect(),
                Statistic::Minimum => first.clone(),
                Statistic::Maximum => second.clone(),
                Statistic::Range => first.iter().zip(second).map(|(&lo, &hi)| hi - lo).collect(),
            };
            if q == super::NODE_QUANTITIES + 4 {
                for value in target.iter_mut() {
                    *value = if *value < 0.5 { CLOSED } else { OPEN };
                }
            }
            arrays.push(target);
        }
        PeriodResults::from_arrays(arrays)
    }
}

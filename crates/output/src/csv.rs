//! Results as a CSV table, written period by period: one row per element and period, node
//! and link quantities in their own columns (empty for the other kind of element).

use crate::binary::{PeriodResults, Prolog};
use crate::error::OutputError;
use crate::report::clock_time;
use crate::units::ReportUnits;
use std::io::Write;

/// Writes a CSV results table as periods arrive.
pub struct CsvWriter<W: Write> {
    out: W,
    node_ids: Vec<String>,
    link_ids: Vec<String>,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header row, with each column's unit.
    pub fn new(mut out: W, prolog: &Prolog, units: &ReportUnits) -> Result<Self, OutputError> {
        let quality = if prolog.quality_units.is_empty() {
            String::new()
        } else {
            format!(" ({})", prolog.quality_units)
        };
        writeln!(
            out,
            "time_s,clock,element,id,demand ({flow}),head ({length}),pressure ({pressure}),\
             quality{quality},flow ({flow}),velocity ({velocity}),headloss ({headloss}),\
             link_quality{quality},status,setting,reaction_rate,friction_factor",
            flow = units.flow_label(),
            length = units.length_label(),
            pressure = units.pressure_label(),
            velocity = units.velocity_label(),
            headloss = units.headloss_label(),
        )?;
        Ok(CsvWriter {
            out,
            node_ids: prolog.node_ids.iter().map(|id| quote(id)).collect(),
            link_ids: prolog.link_ids.iter().map(|id| quote(id)).collect(),
        })
    }

    /// Appends the rows of one period.
    pub fn write_period(&mut self, time: i64, results: &PeriodResults) -> Result<(), OutputError> {
        let clock = clock_time(time.max(0) as u64);
        for (i, id) in self.node_ids.iter().enumerate() {
            writeln!(
                self.out,
                "{time},{clock},node,{id},{},{},{},{},,,,,,,,",
                results.node_demand[i],
                results.node_head[i],
                results.node_pressure[i],
                results.node_quality[i],
            )?;
        }
        for (k, id) in self.link_ids.iter().enumerate() {
            writeln!(
                self.out,
                "{time},{clock},link,{id},,,,,{},{},{},{},{},{},{},{}",
                results.link_flow[k],
                results.link_velocity[k],
                results.link_headloss[k],
                results.link_quality[k],
                results.link_status[k],
                results.link_setting[k],
                results.link_reaction_rate[k],
                results.link_friction_factor[k],
            )?;
        }
        Ok(())
    }

    /// Flushes and hands back the stream.
    pub fn finish(mut self) -> Result<W, OutputError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// An ID as a CSV field: quoted when it holds a comma, quote or line break.
fn quote(id: &str) -> String {
    if id.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", id.replace('"', "\"\""))
    } else {
        id.to_string()
    }
}

//! Results as a JSON document, written period by period.
//!
//! ```json
//! { "title": [...], "units": {"flow": "gpm", ...}, "node_ids": [...], "link_ids": [...],
//!   "periods": [ {"time": 0, "nodes": {"demand": [...], ...}, "links": {"flow": [...], ...}} ],
//!   "energy": {...}, "warning_flag": 0 }
//! ```
//!
//! Values are in the network's report units, as in the binary output file; link status is
//! EPANET's status code.

use crate::binary::{
    EnergySection, PeriodResults, Prolog, LINK_QUANTITY_NAMES, NODE_QUANTITY_NAMES,
};
use crate::error::OutputError;
use crate::units::ReportUnits;
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

/// Writes a JSON results document as periods arrive; call [`JsonWriter::finish`] at the end.
pub struct JsonWriter<W: Write> {
    out: W,
    periods: usize,
}

impl<W: Write> JsonWriter<W> {
    /// Writes the opening of the document: titles, units and element IDs.
    pub fn new(mut out: W, prolog: &Prolog, units: &ReportUnits) -> Result<Self, OutputError> {
        let header = json!({
            "title": prolog.title.iter().filter(|t| !t.is_empty()).collect::<Vec<_>>(),
            "input_file": prolog.input_file,
            "units": {
                "flow": units.flow_label(),
                "length": units.length_label(),
                "pressure": units.pressure_label(),
                "velocity": units.velocity_label(),
                "headloss": units.headloss_label(),
                "quality": prolog.quality_units,
            },
            "report_start": prolog.report_start,
            "report_step": prolog.report_step,
            "duration": prolog.duration,
            "node_ids": prolog.node_ids,
            "link_ids": prolog.link_ids,
        });
        let text = serde_json::to_string(&header)?;
        // Reopen the object to append the periods array.
        let open = text.strip_suffix('}').unwrap_or(&text); // ok: an object always ends in }
        write!(out, "{open},\"periods\":[")?;
        Ok(JsonWriter { out, periods: 0 })
    }

    /// Appends one period.
    pub fn write_period(&mut self, time: i64, results: &PeriodResults) -> Result<(), OutputError> {
        let nodes: serde_json::Map<String, Value> = NODE_QUANTITY_NAMES
            .iter()
            .zip(results.node_arrays())
            .map(|(name, values)| Ok((name.to_string(), serde_json::to_value(values)?)))
            .collect::<Result<_, serde_json::Error>>()?;
        let links: serde_json::Map<String, Value> = LINK_QUANTITY_NAMES
            .iter()
            .zip(results.link_arrays())
            .map(|(name, values)| Ok((name.to_string(), serde_json::to_value(values)?)))
            .collect::<Result<_, serde_json::Error>>()?;
        if self.periods > 0 {
            self.out.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut self.out,
            &json!({"time": time, "nodes": nodes, "links": links}),
        )?;
        self.periods += 1;
        Ok(())
    }

    /// Closes the document with the energy section and warnings.
    pub fn finish<T: Serialize>(
        mut self,
        energy: &EnergySection,
        warning_flag: i32,
        warnings: &[T],
    ) -> Result<W, OutputError> {
        write!(self.out, "],\"energy\":")?;
        serde_json::to_writer(&mut self.out, energy)?;
        write!(self.out, ",\"warning_flag\":{warning_flag},\"warnings\":")?;
        serde_json::to_writer(&mut self.out, warnings)?;
        writeln!(self.out, "}}")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

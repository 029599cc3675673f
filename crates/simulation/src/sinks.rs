//! The sinks for EPANET's files and the time-series files: the binary output file (.out), the
//! report (.rpt), JSON and CSV.

use std::io::Write;
use std::path::PathBuf;

use danjiang_network::Network;
use danjiang_output::binary::{OutReader, OutWriter, PeriodResults};
use danjiang_output::csv::CsvWriter;
use danjiang_output::json::JsonWriter;
use danjiang_output::report::{
    FlowBalance, MassBalanceLines, ReportWriter, StatusAction, TrialLine,
};
use std::io::Seek;

use crate::driver::{RunEnd, Sink, Step};
use crate::error::RunError;
use crate::mapping::{status_actions, trial_line};

/// The binary output file (.out), as EPANET writes it.
pub struct OutSink<W: Write + Seek> {
    writer: Option<OutWriter<W>>,
}

impl<W: Write + Seek> OutSink<W> {
    /// A sink writing through `writer` (its prolog already written).
    pub fn new(writer: OutWriter<W>) -> Self {
        OutSink {
            writer: Some(writer),
        }
    }
}

impl<W: Write + Seek> Sink for OutSink<W> {
    fn period(&mut self, _time: u64, results: &PeriodResults) -> Result<(), RunError> {
        if let Some(writer) = self.writer.as_mut() {
            writer.write_period(results)?;
        }
        Ok(())
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<(), RunError> {
        if let Some(writer) = self.writer.take() {
            writer.finish(end.energy, end.epilog)?;
        }
        Ok(())
    }
}

/// The report file (.rpt): status lines and trials as the hydraulics go, the flow and mass
/// balances, then the node and link tables read back from the binary output file, which must
/// be finished first (give its sink before this one).
pub struct ReportSink<W: Write> {
    writer: Option<ReportWriter<W>>,
    results_file: Option<PathBuf>,
    flow_balance: FlowBalance,
    actions: Vec<(u64, StatusAction)>,
    trials: Vec<TrialLine>,
}

impl<W: Write> ReportSink<W> {
    /// A sink writing through `writer`; the tables come from `results_file` (.out) when given.
    pub fn new(writer: ReportWriter<W>, network: &Network, results_file: Option<PathBuf>) -> Self {
        ReportSink {
            writer: Some(writer),
            results_file,
            flow_balance: FlowBalance::new(network),
            actions: Vec::new(),
            trials: Vec::new(),
        }
    }
}

impl<W: Write> Sink for ReportSink<W> {
    fn hydraulic_step(&mut self, step: &Step<'_>) -> Result<(), RunError> {
        let state = step.state;
        self.flow_balance.add(
            state.time,
            state.step_length,
            &state.node_demand,
            &state.emitter_flow,
            &state.leakage_flow,
            &state.node_full_demand,
        );
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        status_actions(&state.actions, &mut self.actions);
        writer.actions(&self.actions)?;
        if !state.trials.is_empty() {
            self.trials.clear();
            self.trials.extend(state.trials.iter().map(trial_line));
            writer.trials(state.time, &self.trials)?;
        }
        writer.hydraulic_time(
            state.time,
            state.iterations,
            state.relative_error,
            state.converged,
            &state.node_head,
            &state.node_demand,
            step.link_status,
            step.warnings,
        )?;
        Ok(())
    }

    fn period(&mut self, _time: u64, _results: &PeriodResults) -> Result<(), RunError> {
        // The tables are read back from the binary file at the end, as EPANET does.
        Ok(())
    }

    fn hydraulics_finished(&mut self) -> Result<(), RunError> {
        self.flow_balance.finish();
        if let Some(writer) = self.writer.as_mut() {
            writer.flow_balance(&self.flow_balance)?;
        }
        Ok(())
    }

    fn quality_finished(&mut self, balance: &MassBalanceLines) -> Result<(), RunError> {
        if let Some(writer) = self.writer.as_mut() {
            writer.mass_balance(balance)?;
        }
        Ok(())
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<(), RunError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let mut reader = match &self.results_file {
            Some(path) => Some(OutReader::open(path)?),
            None => None,
        };
        writer.finish(end.energy, reader.as_mut())?;
        Ok(())
    }
}

/// The results as one JSON document: every period, the energy, the warnings.
pub struct JsonSink<W: Write> {
    writer: Option<JsonWriter<W>>,
    warnings: Vec<serde_json::Value>,
}

impl<W: Write> JsonSink<W> {
    /// A sink writing through `writer`.
    pub fn new(writer: JsonWriter<W>) -> Self {
        JsonSink {
            writer: Some(writer),
            warnings: Vec::new(),
        }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn hydraulic_step(&mut self, step: &Step<'_>) -> Result<(), RunError> {
        let time = step.state.time;
        for warning in step.warnings {
            for line in warning.lines(time) {
                self.warnings
                    .push(serde_json::json!({"time": time, "message": line}));
            }
        }
        Ok(())
    }

    fn period(&mut self, time: u64, results: &PeriodResults) -> Result<(), RunError> {
        if let Some(writer) = self.writer.as_mut() {
            writer.write_period(time as i64, results)?;
        }
        Ok(())
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<(), RunError> {
        if let Some(writer) = self.writer.take() {
            writer.finish(end.energy, end.epilog.warning_flag, &self.warnings)?;
        }
        Ok(())
    }
}

/// The results as CSV: one row per element and period.
pub struct CsvSink<W: Write> {
    writer: Option<CsvWriter<W>>,
}

impl<W: Write> CsvSink<W> {
    /// A sink writing through `writer`.
    pub fn new(writer: CsvWriter<W>) -> Self {
        CsvSink {
            writer: Some(writer),
        }
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn period(&mut self, time: u64, results: &PeriodResults) -> Result<(), RunError> {
        if let Some(writer) = self.writer.as_mut() {
            writer.write_period(time as i64, results)?;
        }
        Ok(())
    }

    fn finish(&mut self, _end: &RunEnd<'_>) -> Result<(), RunError> {
        if let Some(writer) = self.writer.take() {
            writer.finish()?;
        }
        Ok(())
    }
}

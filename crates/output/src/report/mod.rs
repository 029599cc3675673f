//! EPANET's report file (.rpt) and its warning messages.

mod balance;
mod warnings;
mod writer;

pub use balance::{FlowBalance, MassBalanceLines};
pub use warnings::{warning_flag, Warning};
pub use writer::{ReportWriter, StatusAction, TrialLine, TrialSite};

/// Elapsed time as EPANET prints it: hours, minutes and seconds, `h:mm:ss`.
pub fn clock_time(seconds: u64) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

//! The `danjiang` command line: the one binary over the engine and the operations system.
//! Each subcommand lives in its own module under `commands/`.

mod commands;

use clap::Parser;
use std::process::ExitCode;

/// Danjiang: EPANET-compatible simulation and operations for water-transfer supply systems.
#[derive(Parser)]
#[command(name = "danjiang", version, about, long_about = None)]
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    Assess(commands::assess::AssessArgs),
    Siting(commands::siting::SitingArgs),
    Check(commands::check::CheckArgs),
    Run(commands::run::RunArgs),
    Compare(commands::compare::CompareArgs),
    Convert(commands::convert::ConvertArgs),
    Generate(commands::generate::GenerateArgs),
    Sensors(commands::sensors::SensorsArgs),
    Sweep(commands::sweep::SweepArgs),
    Import(commands::import::ImportArgs),
    Ledger(commands::ledger::LedgerArgs),
    Demo(commands::demo::DemoArgs),
    Serve(commands::serve::ServeArgs),
    Samples(commands::samples::SamplesArgs),
    Patrol(commands::patrol::PatrolArgs),
    Telemetry(commands::telemetry::TelemetryArgs),
    Canal(commands::canal::CanalArgs),
}

fn main() -> ExitCode {
    let command = Command::parse();
    log_to_stderr();
    let result = match command {
        Command::Assess(args) => commands::assess::run(&args),
        Command::Siting(args) => commands::siting::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::Run(args) => commands::run::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Sensors(args) => commands::sensors::run(&args),
        Command::Sweep(args) => commands::sweep::run(&args),
        Command::Import(args) => commands::import::run(&args),
        Command::Ledger(args) => commands::ledger::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Samples(args) => commands::samples::run(&args),
        Command::Patrol(args) => commands::patrol::run(&args),
        Command::Telemetry(args) => commands::telemetry::run(&args),
        Command::Canal(args) => commands::canal::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("danjiang: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs warnings and errors (the web app's failed requests with their cause, a busy store) to
/// standard error; `RUST_LOG` chooses more or less, e.g. `RUST_LOG=info`.
fn log_to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

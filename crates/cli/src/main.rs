//! The `danjiang` command line: the one binary over the engine and the operations system.
//! Each subcommand lives in its own module under `commands/`.

use clap::Parser;

/// Danjiang: EPANET-compatible simulation and operations for water-transfer supply systems.
#[derive(Parser)]
#[command(name = "danjiang", version, about, long_about = None)]
enum Command {}

fn main() -> anyhow::Result<()> {
    let _command = Command::parse();
    Ok(())
}

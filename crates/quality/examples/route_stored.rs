//! Routes a network's quality over an EPANET hydraulics file and times it:
//! `cargo run --release -p danjiang-quality --example route_stored -- net.inp net.hyd`.

use danjiang_quality::{run_over_stored, StoredHydraulics};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(inp), Some(hyd)) = (args.next(), args.next()) else {
        return Err("usage: route_stored <network.inp> <epanet.hyd>".into());
    };
    let network = danjiang_network::inp::read_file(&inp)?.network;
    let hydraulics = StoredHydraulics::read_epanet_file(std::path::Path::new(&hyd))?;
    let start = Instant::now();
    let results = run_over_stored(&network, &hydraulics)?;
    let elapsed = start.elapsed();
    println!(
        "{} snapshots, {} periods routed in {:.3} s; mass balance ratio {:.5}",
        hydraulics.snapshots().len(),
        results.periods.len(),
        elapsed.as_secs_f64(),
        results.mass_balance.ratio
    );
    Ok(())
}

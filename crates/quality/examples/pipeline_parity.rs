//! Our hydraulics and our quality together against EPANET's quality references, the whole
//! pipeline `danjiang run` uses: `cargo run --release -p danjiang-quality --features
//! hydraulics --example pipeline_parity`. Prints per case the values outside the parity
//! tolerance (differences come from hydraulics, since quality alone matches: tests/parity.rs).

use danjiang_quality::{run_over_stored, StoredHydraulics};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/quality");
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    let mut matched = 0;
    for case in &names {
        let facts: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{case}.json")))?)?;
        let network = danjiang_network::inp::read_file(dir.join(format!("{case}.inp")))?.network;
        let mut simulation = match danjiang_hydraulics::HydraulicSimulation::new(&network) {
            Ok(simulation) => simulation,
            Err(e) => {
                println!("{case:32} hydraulics refused the network: {e}");
                continue;
            }
        };
        let hydraulics = match StoredHydraulics::from_simulation(&mut simulation, &network) {
            Ok(hydraulics) => hydraulics,
            Err(e) => {
                println!("{case:32} hydraulics failed: {e}");
                continue;
            }
        };
        let results = run_over_stored(&network, &hydraulics)?;
        let nodes = network.nodes.len();
        let links = network.links.len();
        let blob = std::fs::read(dir.join(format!("{case}.qual.bin")))?;
        let expected: Vec<f64> = blob
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect();
        let (mut values, mut outside, mut worst) = (0usize, 0usize, 0.0f64);
        for (p, period) in results.periods.iter().enumerate() {
            let base = p * (nodes + 2 * links);
            if base + nodes + links > expected.len() {
                break;
            }
            let ours = period.node_quality.iter().chain(&period.link_quality);
            for (value, theirs) in ours.zip(&expected[base..base + nodes + links]) {
                let excess = (value - theirs).abs() / (0.001 * theirs.abs()).max(0.01);
                values += 1;
                if excess > 1.0 {
                    outside += 1;
                }
                worst = worst.max(excess);
            }
        }
        let periods_ok = results.periods.len() as u64 == facts["periods"].as_u64().unwrap_or(0);
        if outside == 0 && periods_ok {
            matched += 1;
        }
        println!(
            "{case:32} periods {:4} (EPANET {:4})  values {values:7}  outside tolerance {outside:6}  worst {worst:9.3}  mass ratio {:.5} (EPANET {})",
            results.periods.len(),
            facts["periods"],
            results.mass_balance.ratio,
            facts["mass_balance"]["ratio"]
        );
    }
    println!(
        "{matched} of {} cases match EPANET at every period",
        names.len()
    );
    Ok(())
}

//! Prints our quality beside EPANET's for one reference case, period by period:
//! `cargo run -p danjiang-quality --example compare_case -- net1_chlorine`
//! (`--summary` prints only the largest differences).

use danjiang_quality::{run_over_stored, StoredHydraulics};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let case = std::env::args()
        .nth(1)
        .ok_or("usage: compare_case <case> [--summary]")?;
    let summary = std::env::args().any(|a| a == "--summary");
    // DANJIANG_QUALITY_OUT names another folder of cases, as for scripts/quality-reference.py.
    let dir = match std::env::var_os("DANJIANG_QUALITY_OUT") {
        Some(dir) => dir.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/quality"),
    };
    let facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{case}.json")))?)?;
    let network = danjiang_network::inp::read_file(dir.join(format!("{case}.inp")))?.network;
    let hydraulics = StoredHydraulics::read_epanet_file(
        &dir.join(facts["hydraulics"].as_str().ok_or("no hydraulics")?),
    )?;
    let results = run_over_stored(&network, &hydraulics)?;
    let nodes = network.nodes.len();
    let links = network.links.len();
    let blob = std::fs::read(dir.join(format!("{case}.qual.bin")))?;
    let expected: Vec<f32> = blob
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    for (p, period) in results.periods.iter().enumerate() {
        let base = p * (nodes + 2 * links);
        if summary {
            let ours = period.node_quality.iter().chain(&period.link_quality);
            let (worst, at) = ours
                .zip(&expected[base..base + nodes + links])
                .enumerate()
                .map(|(i, (a, &b))| {
                    (
                        (a - b as f64).abs() / (0.001 * (b as f64).abs()).max(0.01),
                        i,
                    )
                })
                .fold((0.0, 0), |w, x| if x.0 > w.0 { x } else { w });
            println!(
                "{:>7} worst difference {worst:.3} of tolerance at value {at}",
                period.time
            );
            continue;
        }
        let mut line = format!("{:>7}", period.time);
        for n in 0..nodes {
            line += &format!(
                " {}:{:.3}/{:.3}",
                network.nodes[n].id,
                period.node_quality[n],
                expected[base + n]
            );
        }
        for k in 0..links {
            line += &format!(
                " {}:{:.3}/{:.3}",
                network.links[k].id,
                period.link_quality[k],
                expected[base + nodes + k]
            );
        }
        println!("{line}");
    }
    println!("mass balance {:?}", results.mass_balance);
    println!("EPANET       {}", facts["mass_balance"]);
    println!("reactions {:?}", results.reactions);
    println!("EPANET    {}", facts["reaction_rates"]);
    Ok(())
}

//! Where our hydraulics and EPANET's differ for a quality case, to explain a quality
//! difference: `cargo run -p danjiang-quality --features hydraulics --example hydraulics_gap
//! -- CASE...` (cases of tests/networks/quality). Prints the hydraulic times each side has,
//! the first time they part, and the largest flow difference with the links whose flow
//! direction differs.

use danjiang_quality::StoredHydraulics;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/quality");
    for case in std::env::args().skip(1) {
        let facts: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{case}.json")))?)?;
        let network = danjiang_network::inp::read_file(dir.join(format!("{case}.inp")))?.network;
        let theirs = StoredHydraulics::read_epanet_file(
            &dir.join(facts["hydraulics"].as_str().ok_or("no hydraulics file")?),
        )?;
        let mut simulation = danjiang_hydraulics::HydraulicSimulation::new(&network)?;
        let ours = StoredHydraulics::from_simulation(&mut simulation, &network)?;
        let (a, b) = (ours.snapshots(), theirs.snapshots());
        println!(
            "{case}: {} hydraulic times ours, {} EPANET's",
            a.len(),
            b.len()
        );
        for (x, y) in a.iter().zip(b) {
            if x.time != y.time || x.step_length != y.step_length {
                println!(
                    "  first different time: ours {} s (+{} s), EPANET {} s (+{} s)",
                    x.time, x.step_length, y.time, y.step_length
                );
                break;
            }
        }
        let mut worst = (0.0f64, 0usize, 0u64);
        let mut reversed = Vec::new();
        for (x, y) in a.iter().zip(b).filter(|(x, y)| x.time == y.time) {
            for (k, (&q1, &q2)) in x.link_flow.iter().zip(&y.link_flow).enumerate() {
                let d = (q1 - q2).abs();
                if d > worst.0 {
                    worst = (d, k, x.time);
                }
                if q1 * q2 < 0.0 && reversed.len() < 3 {
                    reversed.push(format!(
                        "{} at {} s: ours {q1:.3e}, EPANET {q2:.3e} m3/s",
                        network.links[k].id, x.time
                    ));
                }
            }
        }
        println!(
            "  largest flow difference {:.3e} m3/s in link {} at {} s",
            worst.0,
            network
                .links
                .get(worst.1)
                .map(|l| l.id.as_str())
                .unwrap_or("-"),
            worst.2
        );
        for r in reversed {
            println!("  flow reversed: {r}");
        }
    }
    Ok(())
}

//! Times whole hydraulic runs of .inp files (read, set-up, every step), without any output:
//! the engine's share of a `danjiang run`, for profiling.
//!
//! `cargo bench -p danjiang-hydraulics --bench whole_run -- NET.inp [MORE.inp ...]`
//! (the `--bench` flag cargo passes is ignored). `DANJIANG_BENCH_RUNS=n` repeats each run.

use danjiang_hydraulics::HydraulicSimulation;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::var("DANJIANG_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let paths: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if paths.is_empty() {
        eprintln!("usage: whole_run NET.inp [MORE.inp ...]");
        return;
    }
    println!("network\tread s\tset-up s\tsteps\ttrials\tsolve s");
    for path in &paths {
        for _ in 0..runs {
            let started = Instant::now();
            let network = match danjiang_network::inp::read_file(path) {
                Ok(outcome) => outcome.network,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    break;
                }
            };
            let read = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let mut simulation = match HydraulicSimulation::new(&network) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    break;
                }
            };
            let setup = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let (mut steps, mut trials) = (0u64, 0u64);
            loop {
                match simulation.step() {
                    Ok(Some(state)) => {
                        steps += 1;
                        trials += u64::from(state.iterations);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        break;
                    }
                }
            }
            let solve = started.elapsed().as_secs_f64();
            println!("{path}\t{read:.3}\t{setup:.3}\t{steps}\t{trials}\t{solve:.3}");
        }
    }
}

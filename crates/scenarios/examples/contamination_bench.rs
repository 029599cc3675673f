//! Times a contamination sweep for scripts/bench-sweep.sh: every `k`-th junction or tank of a
//! network injected for one hour, receptors every tank, sampled every quality step.
//!
//! usage: contamination_bench NETWORK.inp HOURS QUALITY_STEP_S STRENGTH EVERY_KTH THREADS
//! Prints one JSON object with the timings.

use danjiang_network::inp::read_file;
use danjiang_network::SourceKind;
use danjiang_scenarios::contamination::{
    every_node, population_by_demand, ContaminationSweep, InjectionDefaults, Receptors,
    SweepOptions,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        return Err("usage: contamination_bench NETWORK.inp HOURS QUALITY_STEP_S STRENGTH EVERY_KTH THREADS".into());
    }
    let network = read_file(&args[1])?.network;
    let hours: f64 = args[2].parse()?;
    let quality_step: u64 = args[3].parse()?;
    let strength: f64 = args[4].parse()?;
    let every: usize = args[5].parse()?;
    let threads: usize = args[6].parse()?;
    let population = population_by_demand(&network, 8.76157e-6);
    let receptors = Receptors::new(&network, None, Vec::new(), false, population);
    let options = SweepOptions {
        threshold: 0.001,
        quality_step: Some(quality_step),
        duration: Some((hours * 3600.0) as u64),
    };
    let started = Instant::now();
    let sweep = ContaminationSweep::new(&network, receptors, &options)?;
    let hydraulic_seconds = started.elapsed().as_secs_f64();
    let defaults = InjectionDefaults {
        start: 0,
        duration: 3600,
        kind: SourceKind::Mass,
        strength,
        decay: 0.0,
    };
    let all = every_node(&network, &defaults);
    // Every k-th scenario, spread over the whole network as the reference samples it.
    let chosen: Vec<_> = all.iter().step_by(every.max(1)).cloned().collect();
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let outcomes = sweep.run(&chosen, 1, threads, &|| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_started)
        .map(|(end, start)| end - start);
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let rate = chosen.len() as f64 / seconds;
    println!(
        "{{\"scenarios_timed\": {}, \"scenarios_in_full_sweep\": {}, \"seconds\": {seconds}, \"cpu_seconds\": {}, \"hydraulics_seconds\": {hydraulic_seconds}, \"scenarios_per_second\": {rate}, \"full_sweep_seconds_extrapolated\": {}, \"failed\": {failed}, \"threads\": {threads}, \"quality_step_s\": {}}}",
        chosen.len(),
        all.len(),
        cpu.map_or("null".to_string(), |c| c.to_string()),
        hydraulic_seconds + all.len() as f64 / rate,
        sweep.quality_step()
    );
    Ok(())
}

/// CPU time of this process so far (all threads, user and system), s; Linux only.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks of 1/100 s, as Linux reports them to user space.
    Some((user + system) / 100.0)
}

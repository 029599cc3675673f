//! Budgets: a run too large is refused before it starts with the figure and the option, the
//! estimate of the binary file's size is the size EPANET's format gives the file written, and a
//! run over its time limit stops.

use std::path::{Path, PathBuf};

use danjiang_network::Network;
use danjiang_output::binary::{OutWriter, Prolog};
use danjiang_simulation::{simulate, Budget, Estimate, Limit, OutSink, RunError};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn read(text: &str) -> Network {
    danjiang_network::inp::read_str(text, "tiny.inp")
        .map(|outcome| outcome.network)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A reservoir feeding one junction: about 300 bytes of input.
fn tiny(times: &str) -> Network {
    read(&format!(
        "[JUNCTIONS]\nJ1 10 1\n[RESERVOIRS]\nR1 50\n[PIPES]\nP1 R1 J1 1000 300 100\n\
         [TIMES]\n{times}\n[OPTIONS]\nUnits LPS\n[END]\n"
    ))
}

fn budget(output_bytes: u64) -> Budget {
    Budget {
        max_periods: None,
        max_output_bytes: Some(output_bytes),
        max_memory_bytes: None,
        max_seconds: None,
        option_name: |limit| match limit {
            Limit::OutputBytes => "--max-output",
            _ => "--other",
        },
    }
}

#[test]
fn ten_years_at_one_second_is_refused_with_the_figure_and_the_option() {
    let network = tiny("Duration 87600:00\nHydraulic Timestep 0:00:01\nReport Timestep 0:00:01");
    let estimate = Estimate::of(&network, true, 0);
    // Ten years of seconds and the start.
    assert_eq!(estimate.reporting_periods, 87_600 * 3600 + 1);
    let error = budget(1_000_000_000).check(&estimate).unwrap_err();
    assert_eq!(error.limit, Limit::OutputBytes);
    assert!(error.needed > 1e10, "{error}");
    let text = error.to_string();
    assert!(text.contains("--max-output"), "{text}");
    assert!(text.contains("GB"), "{text}");
    assert!(text.contains("REPORT TIMESTEP"), "{text}");
}

#[test]
fn the_estimate_is_the_size_of_the_file_written() {
    let dir = root().join("target/tmp/simulation-budget");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["net1", "anytown-exeter", "richmond_standard", "net3"] {
        let input = root().join(format!("tests/networks/public/{name}.inp"));
        if !input.exists() {
            continue;
        }
        let network = danjiang_network::inp::read_file(&input).unwrap().network;
        let path = dir.join(format!("{name}.out"));
        let writer = OutWriter::create(&path, &Prolog::for_network(&network, name)).unwrap();
        let mut sink = OutSink::new(writer);
        let summary = simulate(
            &network,
            name,
            &Budget::unlimited(),
            &mut [&mut sink],
            &mut |_| {},
        )
        .unwrap();
        let written = std::fs::metadata(&path).unwrap().len();
        let estimate = Estimate::of(&network, true, 0);
        if summary.halted {
            // A run that stops early writes fewer periods than its times promise.
            assert!(written < estimate.output_bytes, "{name}: {summary:?}");
            continue;
        }
        assert_eq!(
            estimate.reporting_periods, summary.reported_periods as u64,
            "{name}"
        );
        assert_eq!(estimate.output_bytes, written, "{name}");
        // Just under the size refuses, at it runs.
        assert!(budget(written - 1).check(&estimate).is_err(), "{name}");
        assert!(budget(written).check(&estimate).is_ok(), "{name}");
    }
}

#[test]
fn a_run_over_its_time_limit_stops() {
    let network = tiny("Duration 2400:00\nHydraulic Timestep 0:01");
    let mut budget = Budget::unlimited();
    budget.max_seconds = Some(0.0);
    budget.option_name = |_| "--max-hours";
    let mut steps = 0;
    let error = simulate(&network, "tiny", &budget, &mut [], &mut |_| steps += 1).unwrap_err();
    let RunError::OverBudget(over) = &error else {
        panic!("{error}")
    };
    assert_eq!(over.limit, Limit::Seconds);
    assert!(error.to_string().contains("--max-hours"), "{error}");
    assert!(steps < 144_001, "stopped early: {steps} steps");
}

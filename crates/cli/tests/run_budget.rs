//! `danjiang run` refuses a run whose results would exceed its budget before writing anything,
//! naming the figure and the option that raises the limit; the option raises it.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run-budget");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A 300-byte network: ten years at a one-second report step.
const TEN_YEARS: &str = "[JUNCTIONS]\nJ1 10 1\n[RESERVOIRS]\nR1 50\n\
    [PIPES]\nP1 R1 J1 1000 300 100\n[TIMES]\nDuration 87600:00\n\
    Hydraulic Timestep 0:00:01\nReport Timestep 0:00:01\n[OPTIONS]\nUnits LPS\n[END]\n";

#[test]
fn a_run_over_the_output_budget_is_refused_before_it_writes() {
    let input = scratch("ten-years.inp");
    std::fs::write(&input, TEN_YEARS).unwrap();
    let report = scratch("ten-years.rpt");
    let output = scratch("ten-years.out");
    let _ = std::fs::remove_file(&report);
    let _ = std::fs::remove_file(&output);
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        // Periods allowed, so that the size of the results is what refuses it.
        .args(["run", "--quiet", "--max-periods", "1000000000"])
        .arg(&input)
        .arg(&report)
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(100), "{stderr}");
    assert!(stderr.contains("--max-output-gb"), "{stderr}");
    assert!(
        stderr.contains("GB of results") || stderr.contains("bytes of results"),
        "{stderr}"
    );
    assert!(!output.exists() && !report.exists(), "nothing written");
    assert!(started.elapsed().as_secs() < 10, "refused up front");
}

#[test]
fn the_periods_limit_is_named_and_can_be_raised() {
    let input = scratch("day.inp");
    std::fs::write(
        &input,
        TEN_YEARS
            .replace("87600:00", "24:00")
            .replace("Report Timestep 0:00:01", "Report Timestep 1:00")
            .replace("Hydraulic Timestep 0:00:01", "Hydraulic Timestep 1:00"),
    )
    .unwrap();
    let run = |limit: &str| {
        Command::new(env!("CARGO_BIN_EXE_danjiang"))
            .args(["run", "--quiet", "--max-periods", limit])
            .arg(&input)
            .output()
            .unwrap()
    };
    // 25 hourly periods in a day, counting the start.
    let refused = run("24");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(100), "{stderr}");
    assert!(stderr.contains("--max-periods"), "{stderr}");
    let allowed = run("25");
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
}

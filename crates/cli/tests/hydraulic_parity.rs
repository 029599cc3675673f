//! Hydraulic parity with EPANET 2.3.5: every network of tests/networks with a committed
//! reference output is solved by danjiang-hydraulics and compared at every reported period,
//! node and link (the harness and its tolerances: crates/hydraulics/tests/parity/mod.rs).
//!
//! Networks known to differ, each with its cause, are listed in
//! tests/networks/reference/known-differences.txt. The test fails if any other network
//! differs, and also if a listed network matches (so the list stays true: remove its line).
//!
//! Set `DANJIANG_PARITY_FILTER=name1,name2` to compare only some networks.

#[path = "../../hydraulics/tests/parity/mod.rs"]
mod parity;

#[test]
fn hydraulics_match_epanet() {
    let root = parity::workspace_root(env!("CARGO_MANIFEST_DIR"));
    let summary = match parity::run_references(&root) {
        Ok(summary) => summary,
        Err(message) => panic!("{message}"),
    };
    assert!(summary.compared > 0, "no reference network was compared");
    assert!(
        summary.failures.is_empty(),
        "networks failing parity with EPANET 2.3.5 (not in {}): {:?}",
        parity::KNOWN_DIFFERENCES,
        summary.failures
    );
    assert!(
        summary.unexpected_passes.is_empty(),
        "networks listed in {} now match EPANET 2.3.5; remove their lines: {:?}",
        parity::KNOWN_DIFFERENCES,
        summary.unexpected_passes
    );
}

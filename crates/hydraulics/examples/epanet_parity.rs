//! Parity table against EPANET 2.3.5 references: the harness of
//! crates/cli/tests/hydraulic_parity.rs without building the command line.
//!
//! `cargo run -p danjiang-hydraulics --example epanet_parity`; set
//! `DANJIANG_PARITY_FILTER=name1,name2` for some networks only, `DANJIANG_PARITY_DETAIL=1`
//! for every difference, `DANJIANG_TRACE_STEPS=1` for every hydraulic step.

#[path = "../tests/parity/mod.rs"]
mod parity;

fn main() {
    let root = parity::workspace_root(env!("CARGO_MANIFEST_DIR"));
    match parity::run_references(&root) {
        Ok(summary) => {
            if !summary.failures.is_empty() || !summary.unexpected_passes.is_empty() {
                std::process::exit(1);
            }
        }
        Err(message) => {
            eprintln!("epanet_parity: {message}");
            std::process::exit(2);
        }
    }
}

//! Fuzz target for the EPANET input reader: any bytes, read and validated, must give a
//! network or diagnostics, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = danjiang_network::inp::decode(data);
    let (_network, diagnostics) = danjiang_network::inp::check_str(&text, "fuzz.inp");
    for diagnostic in &diagnostics {
        // Every problem found on a line names a line that exists.
        if let Some(line) = diagnostic.line {
            assert!(line >= 1 && line <= text.split('\n').count());
        }
    }
});

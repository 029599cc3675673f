//! Bad water-quality input is refused with a clear error naming its line, with the code
//! EPANET 2.3.5 gives the same input (checked with runepanet), never a panic or a hang.
//! Inputs EPANET itself mishandles (a `[SOURCES]` line without its strength crashes it, a
//! negative quality time step makes it loop) get an error here too.

use danjiang_network::inp;

/// A small network with a tank, every quality section empty; `{options}` and `{extra}` are
/// filled in by each case.
const BASE: &str = "[TITLE]
Quality input checks

[JUNCTIONS]
J1   100   10
J2   90    20   PAT1

[RESERVOIRS]
R1   150

[TANKS]
T1   120   5     0    10   20

[PIPES]
P1   R1     J1     1000    12    100
P2   J1     J2     1000    10    100
P3   J2     T1     1000    8     100

[PATTERNS]
PAT1  1.0  1.2  0.8

[TIMES]
DURATION  24:00

[OPTIONS]
UNITS  GPM
";

/// Builds an input: the base, one `[OPTIONS]` line, then extra lines; returns the text and
/// the line number of the line that is at fault (the last one).
fn input(option: &str, extra: &str) -> (String, usize) {
    let mut text = format!("{BASE}{option}\n");
    if !extra.is_empty() {
        text.push_str(extra);
        text.push('\n');
    }
    let line = text.lines().count();
    (text, line)
}

/// Case name, `[OPTIONS]` QUALITY line, extra lines (the last is the bad one), EPANET's code.
const CASES: &[(&str, &str, &str, u16)] = &[
    ("unknown trace node", "QUALITY TRACE N9", "", 212),
    ("trace without a node", "QUALITY TRACE", "", 201),
    (
        "negative tolerance",
        "QUALITY CHEMICAL mg/L\nTOLERANCE -1",
        "",
        213,
    ),
    (
        "negative diffusivity",
        "QUALITY CHEMICAL mg/L\nDIFFUSIVITY -1",
        "",
        213,
    ),
    (
        "wall order 2",
        "QUALITY CHEMICAL mg/L",
        "[REACTIONS]\nORDER WALL 2",
        213,
    ),
    (
        "coefficient not a number",
        "QUALITY CHEMICAL mg/L",
        "[REACTIONS]\nGLOBAL BULK x",
        202,
    ),
    (
        "roughness correlation not a number",
        "QUALITY CHEMICAL mg/L",
        "[REACTIONS]\nROUGHNESS CORRELATION x",
        202,
    ),
    (
        "source at an unknown node",
        "QUALITY CHEMICAL mg/L",
        "[SOURCES]\nN9 CONCEN 1.0",
        203,
    ),
    (
        "unknown source type",
        "QUALITY CHEMICAL mg/L",
        "[SOURCES]\nJ1 BOGUS 1.0",
        213,
    ),
    (
        "source strength not a number",
        "QUALITY CHEMICAL mg/L",
        "[SOURCES]\nJ1 CONCEN abc",
        202,
    ),
    (
        "source pattern undefined",
        "QUALITY CHEMICAL mg/L",
        "[SOURCES]\nJ1 CONCEN 1.0 NOPAT",
        205,
    ),
    (
        "initial quality at an unknown node",
        "QUALITY CHEMICAL mg/L",
        "[QUALITY]\nN9 1.0",
        203,
    ),
    (
        "negative initial quality",
        "QUALITY CHEMICAL mg/L",
        "[QUALITY]\nJ1 -1.0",
        209,
    ),
    (
        "initial quality not a number",
        "QUALITY CHEMICAL mg/L",
        "[QUALITY]\nJ1 abc",
        202,
    ),
    (
        "unknown mixing model",
        "QUALITY CHEMICAL mg/L",
        "[MIXING]\nT1 BOGUS",
        213,
    ),
    (
        "mixing of an unknown tank",
        "QUALITY CHEMICAL mg/L",
        "[MIXING]\nT9 FIFO",
        203,
    ),
];

#[test]
fn bad_quality_input_is_refused_on_its_line_with_epanets_code() {
    let mut failures = Vec::new();
    for (name, option, extra, code) in CASES {
        let (text, line) = input(option, extra);
        match inp::read_str(&text, "quality.inp") {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(error) => {
                let found: Vec<(Option<usize>, Option<u16>)> =
                    error.errors().iter().map(|e| (e.line, e.code)).collect();
                if !found.contains(&(Some(line), Some(*code))) {
                    failures.push(format!(
                        "{name}: expected error {code} on line {line}, found {found:?}\n{error}"
                    ));
                }
                for diagnostic in error.errors() {
                    let shown = diagnostic.to_string();
                    if !shown.contains("quality.inp") || diagnostic.message.is_empty() {
                        failures.push(format!("{name}: the error lacks file or message: {shown}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs EPANET 2.3.5 crashes or hangs on: they must end in an error on their line.
#[test]
fn inputs_epanet_cannot_survive_are_refused() {
    let cases = [
        // runepanet ends with a segmentation fault.
        (
            "source without its strength",
            "QUALITY CHEMICAL mg/L",
            "[SOURCES]\nJ1 CONCEN",
        ),
        // runepanet never ends.
        (
            "negative quality time step",
            "QUALITY CHEMICAL mg/L",
            "[TIMES]\nQUALITY TIMESTEP -5",
        ),
    ];
    let mut failures = Vec::new();
    for (name, option, extra) in cases {
        let (text, line) = input(option, extra);
        match inp::read_str(&text, "quality.inp") {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(error) => {
                if !error.errors().iter().any(|e| e.line == Some(line)) {
                    failures.push(format!("{name}: no error on line {line}:\n{error}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Quality input EPANET accepts is accepted, and the quality engine sets up from it.
#[test]
fn quality_input_epanet_accepts_sets_up() {
    let cases = [
        // A negative bulk order is Michaelis-Menten kinetics in EPANET.
        (
            "QUALITY CHEMICAL mg/L",
            "[REACTIONS]\nORDER BULK -1\nGLOBAL BULK -0.5",
        ),
        ("QUALITY CHEMICAL mg/L", "[SOURCES]\nJ1 CONCEN -1.0"),
        ("QUALITY CHEMICAL mg/L", "[MIXING]\nT1 2COMP 0.5"),
        ("QUALITY CHEMICAL mg/L", "[REACTIONS]\nLIMITING POTENTIAL 2"),
        ("QUALITY AGE", ""),
        ("QUALITY TRACE R1", ""),
    ];
    for (option, extra) in cases {
        let (text, _) = input(option, extra);
        let network = inp::read_str(&text, "quality.inp")
            .unwrap_or_else(|e| panic!("{option} {extra}: {e}"))
            .network;
        danjiang_quality::QualitySimulation::new(&network)
            .unwrap_or_else(|e| panic!("{option} {extra}: {e}"));
    }
}

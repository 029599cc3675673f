//! The report file `danjiang run` writes has EPANET 2.3.5's text layout and numbers: for a
//! handful of networks (Net1, Net2, Net3, STATUS FULL networks, one with an energy report)
//! the report is compared line by line with EPANET's (tests/networks/reference/NAME.rpt.gz):
//! the status lines with control and rule actions, the hydraulic flow balance, the quality
//! mass balance, the energy report and the node and link tables. Words must be equal;
//! numbers equal within one unit of their last printed digit or 0.1 %, whichever is larger.
//!
//! Left out of the comparison: the date stamps and the input file's path.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Networks compared, each with why it is here.
const NETWORKS: &[(&str, &str)] = &[
    (
        "net1",
        "STATUS YES: tank controls, flow and mass balance (chlorine)",
    ),
    (
        "net2",
        "tables of every node and link, fluoride with a source",
    ),
    ("net3", "STATUS YES: timer controls, a trace from the lake"),
    ("ky2", "STATUS FULL with water age"),
    (
        "ky16",
        "STATUS FULL over a day: trials, status changes and tank controls",
    ),
    ("01-uk-style", "STATUS FULL with pump controls, SI units"),
    (
        "van_zyl",
        "STATUS FULL with pumps switching during the trials",
    ),
    ("corpus_constant_power", "ENERGY YES"),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the cli crate sits two levels below the workspace root") // ok: fixed layout
        .to_path_buf()
}

fn network_path(root: &Path, name: &str) -> PathBuf {
    let public = root.join(format!("tests/networks/public/{name}.inp"));
    if public.exists() {
        public
    } else {
        root.join(format!("tests/networks/features/{name}.inp"))
    }
}

/// The lines of a report that are compared: without date stamps or the input file's path.
fn comparable(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| {
            !(l.contains("Page 1 ")
                || l.contains("Analysis begun")
                || l.contains("Analysis ended")
                || l.contains("Input Data File"))
        })
        .collect()
}

/// Whether two numbers as printed agree: within one unit of the last digit printed, or
/// 0.1 % of the value.
fn numbers_agree(ours: &str, theirs: &str) -> bool {
    let (Ok(a), Ok(b)) = (ours.parse::<f64>(), theirs.parse::<f64>()) else {
        return false;
    };
    let (mantissa, exponent) = match theirs.to_ascii_lowercase().split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (theirs.to_string(), 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let unit = 10f64.powi(exponent - decimals);
    (a - b).abs() <= unit * 1.000_001 || (a - b).abs() <= 1e-3 * b.abs()
}

/// The first difference between two reports, if any.
fn first_difference(ours: &[String], theirs: &[String]) -> Option<String> {
    for (n, (a, b)) in ours.iter().zip(theirs).enumerate() {
        if a == b {
            continue;
        }
        let (wa, wb): (Vec<&str>, Vec<&str>) = (
            a.split_whitespace().collect(),
            b.split_whitespace().collect(),
        );
        let same = wa.len() == wb.len()
            && wa
                .iter()
                .zip(&wb)
                .all(|(x, y)| x == y || numbers_agree(x, y));
        // Tables align numbers in columns: equal words must also sit where EPANET puts them.
        if !same || a.len() != b.len() {
            return Some(format!(
                "compared line {}:\n  ours:  {a:?}\n  EPANET: {b:?}",
                n + 1
            ));
        }
    }
    if ours.len() != theirs.len() {
        let n = ours.len().min(theirs.len());
        return Some(format!(
            "{} compared lines, EPANET has {}; next line ours {:?}, EPANET {:?}",
            ours.len(),
            theirs.len(),
            ours.get(n),
            theirs.get(n)
        ));
    }
    None
}

#[test]
fn reports_match_epanet_line_by_line() {
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("danjiang-report-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch directory");
    let mut failures = Vec::new();
    for (name, why) in NETWORKS {
        let mut reference = String::new();
        let file =
            std::fs::File::open(root.join(format!("tests/networks/reference/{name}.rpt.gz")))
                .unwrap_or_else(|e| panic!("{name}: reference report: {e}"));
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut reference)
            .unwrap_or_else(|e| panic!("{name}: reference report: {e}"));
        let report = scratch.join(format!("{name}.rpt"));
        let status = Command::new(env!("CARGO_BIN_EXE_danjiang"))
            .args(["run", "--quiet"])
            .arg(network_path(&root, name))
            .arg(&report)
            .status()
            .expect("danjiang starts");
        assert!(status.success(), "{name}: danjiang run failed");
        let ours = std::fs::read_to_string(&report).expect("our report");
        if let Some(difference) = first_difference(&comparable(&ours), &comparable(&reference)) {
            failures.push(format!("{name} ({why}): {difference}"));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn printed_numbers_are_compared_to_their_last_digit() {
    assert!(numbers_agree("1052.160", "1052.159"));
    // Three units of the last digit, but within 0.1 % of the value.
    assert!(numbers_agree("1052.162", "1052.159"));
    // Two units of the last digit and 0.19 % of the value.
    assert!(!numbers_agree("10.52", "10.50"));
    assert!(numbers_agree("7.47583e+06", "7.47582e+06"));
    assert!(!numbers_agree("7.48582e+06", "7.47582e+06"));
    assert!(!numbers_agree("open", "1.0"));
}

//! The binary output file against EPANET 2.3.5's own: read, written back byte for byte,
//! time statistics computed as EPANET computes them, damaged files refused.

use danjiang_output::binary::{self, OutReader, OutWriter, Prolog};
use danjiang_output::OutputError;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn raw_bytes(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        plain
    } else {
        bytes
    }
}

/// Every EPANET reference output: our fixtures and the workspace's reference corpus.
fn reference_outputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["net1.out", "net3.out.gz", "net1-report-start.out"]
        .iter()
        .map(|name| data(name))
        .collect();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/reference");
    let mut stack = vec![corpus];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.to_string_lossy();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".out") || name.ends_with(".out.gz") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn write_back(file: &binary::OutFile) -> Vec<u8> {
    let mut writer = OutWriter::new(Cursor::new(Vec::new()), &file.prolog).unwrap();
    for period in &file.periods {
        writer.write_period(period).unwrap();
    }
    writer
        .finish(&file.energy, &file.epilog)
        .unwrap()
        .into_inner()
}

#[test]
fn net1_is_read_as_epanet_wrote_it() {
    let file = binary::read(data("net1.out")).unwrap();
    let prolog = &file.prolog;
    assert_eq!(
        (prolog.node_count, prolog.tank_count, prolog.link_count),
        (11, 2, 13)
    );
    assert_eq!((prolog.pump_count, prolog.valve_count), (1, 0));
    assert_eq!(prolog.flow_units_code, 1, "Net1 is in GPM");
    assert_eq!(prolog.quality_code, 1, "Net1 traces chlorine");
    assert_eq!(prolog.chemical_name, "Chlorine");
    assert_eq!(prolog.quality_units, "mg/L");
    assert_eq!(prolog.input_file, "Net1.inp");
    assert_eq!(prolog.node_ids.first().map(String::as_str), Some("10"));
    assert_eq!(prolog.node_ids.last().map(String::as_str), Some("2"));
    assert_eq!(prolog.link_ids.last().map(String::as_str), Some("9"));
    assert_eq!(prolog.link_type.last(), Some(&binary::link_type::PUMP));
    assert_eq!(prolog.report_step, 3600);
    assert_eq!(prolog.duration, 86400);
    assert_eq!(file.epilog.period_count, 25);
    assert_eq!(file.periods.len(), 25);
    assert_eq!(file.energy.pumps.len(), 1);
    assert_eq!(file.energy.pumps[0].link_index, 13);
    // Junction 10 has elevation 710 ft; reservoir 9 sits at 800 ft.
    assert_eq!(prolog.node_elevation[0], 710.0);
    assert_eq!(prolog.node_elevation[9], 800.0);
    // The reservoir's head is its elevation in every period; pressure is head minus elevation.
    for period in &file.periods {
        assert_eq!(period.node_head[9], 800.0);
        let pressure_psi = (period.node_head[0] - 710.0) * 0.4333;
        assert!((period.node_pressure[0] - pressure_psi).abs() < 1e-3);
    }
    assert_eq!(file.period_time(24), 86400);
}

#[test]
fn reference_outputs_are_written_back_byte_for_byte() {
    let files = reference_outputs();
    assert!(files.len() >= 3);
    for path in files {
        let file = binary::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let original = raw_bytes(&path);
        let written = write_back(&file);
        assert_eq!(written.len(), original.len(), "{}", path.display());
        if let Some(at) = written.iter().zip(&original).position(|(a, b)| a != b) {
            panic!("{}: first difference at byte {at}", path.display());
        }
    }
}

#[test]
fn periods_are_read_one_at_a_time() {
    let mut reader = OutReader::open(data("net3.out.gz")).unwrap();
    let whole = binary::read(data("net3.out.gz")).unwrap();
    assert_eq!(reader.period_count(), whole.periods.len());
    let last = reader.period_count() - 1;
    assert_eq!(reader.read_period(last).unwrap(), whole.periods[last]);
    assert_eq!(reader.read_period(3).unwrap(), whole.periods[3]);
    assert!(matches!(
        reader.read_period(last + 1),
        Err(OutputError::Malformed { .. })
    ));
}

/// EPANET's statistic files hold one period made from the series; ours, fed the series,
/// must be the same bytes.
#[test]
fn time_statistics_match_epanet() {
    let series = binary::read(data("net1-report-start.out")).unwrap();
    assert_eq!(series.prolog.report_start, 7200);
    assert_eq!(series.periods.len(), 23);
    for name in ["average", "minimum", "maximum", "range"] {
        let path = data(&format!("net1-{name}.out"));
        let reference = binary::read(&path).unwrap();
        assert_eq!(reference.periods.len(), 1);
        assert_ne!(reference.prolog.statistic_code, 0);
        let prolog: Prolog = reference.prolog.clone();
        let mut writer = OutWriter::new(Cursor::new(Vec::new()), &prolog).unwrap();
        for period in &series.periods {
            writer.write_period(period).unwrap();
        }
        let written = writer
            .finish(&reference.energy, &reference.epilog)
            .unwrap()
            .into_inner();
        let original = raw_bytes(&path);
        assert_eq!(written.len(), original.len(), "{name}");
        if let Some(at) = written.iter().zip(&original).position(|(a, b)| a != b) {
            let ours = binary::read_from(Cursor::new(written.clone()), "ours").unwrap();
            panic!(
                "{name}: first difference at byte {at}\nours: {:?}\nEPANET: {:?}",
                ours.periods[0], reference.periods[0]
            );
        }
    }
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let good = raw_bytes(&data("net1.out"));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("short", good[..40].to_vec()),
        ("truncated", good[..good.len() - 100].to_vec()),
        ("no closing magic", good[..good.len() - 4].to_vec()),
        ("one period short", {
            let mut bytes = good.clone();
            let n = bytes.len();
            bytes[n - 12..n - 8].copy_from_slice(&24i32.to_le_bytes());
            bytes
        }),
        ("huge counts", {
            let mut bytes = good.clone();
            bytes[8..12].copy_from_slice(&i32::MAX.to_le_bytes());
            bytes
        }),
        ("negative counts", {
            let mut bytes = good.clone();
            bytes[16..20].copy_from_slice(&(-5i32).to_le_bytes());
            bytes
        }),
        ("wrong magic", {
            let mut bytes = good.clone();
            bytes[0] ^= 0xff;
            bytes
        }),
    ];
    for (name, bytes) in cases {
        match binary::read_from(Cursor::new(bytes), name) {
            Err(OutputError::Malformed { reason, .. }) => assert!(!reason.is_empty()),
            Err(OutputError::Io { .. }) if name == "empty" => {}
            other => panic!("{name}: expected a malformed-file error, got {other:?}"),
        }
    }
}

#[test]
fn a_missing_file_names_itself() {
    let err = binary::read("/no/such/dir/run.out").unwrap_err();
    assert!(err.to_string().contains("/no/such/dir/run.out"));
}

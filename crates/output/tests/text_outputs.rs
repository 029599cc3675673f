//! The report (.rpt), JSON and CSV writers, fed EPANET's own results for Net1.

use danjiang_output::binary::{self, OutReader};
use danjiang_output::csv::CsvWriter;
use danjiang_output::json::JsonWriter;
use danjiang_output::report::ReportWriter;
use danjiang_output::units::ReportUnits;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The lines after "Analysis ended": energy report and results tables.
fn results_part(text: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.contains("Analysis ended"));
    lines.next();
    lines.map(|l| l.trim_end().to_string()).collect()
}

#[test]
fn report_tables_match_epanet() {
    let network = danjiang_network::inp::read_file(data("net1-full-report.inp"))
        .unwrap()
        .network;
    let reference = binary::read(data("net1-full-report.out")).unwrap();
    let writer = ReportWriter::new(Vec::new(), &network, "net1-full-report.inp").unwrap();
    let mut reader = OutReader::open(data("net1-full-report.out")).unwrap();
    let bytes = writer.finish(&reference.energy, Some(&mut reader)).unwrap();
    let ours = String::from_utf8(bytes).unwrap();
    let theirs = std::fs::read_to_string(data("net1-full-report.rpt")).unwrap();
    let (ours, theirs) = (results_part(&ours), results_part(&theirs));
    assert!(theirs.len() > 600, "EPANET's report has its tables");
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "line {n} after 'Analysis ended'");
    }
    assert_eq!(ours.len(), theirs.len());
}

#[test]
fn report_summary_matches_epanet() {
    let network = danjiang_network::inp::read_file(data("net1-full-report.inp"))
        .unwrap()
        .network;
    let bytes = ReportWriter::new(Vec::new(), &network, "net1_full.inp")
        .unwrap()
        .finish::<std::fs::File>(&Default::default(), None)
        .unwrap();
    let ours = String::from_utf8(bytes).unwrap();
    let theirs = std::fs::read_to_string(data("net1-full-report.rpt")).unwrap();
    let summary = |text: &str| -> Vec<String> {
        text.lines()
            .skip_while(|l| !l.contains("Input Data File"))
            .take_while(|l| !l.contains("Analysis begun"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert!(summary(&theirs).len() > 20);
    assert_eq!(summary(&ours), summary(&theirs));
}

#[test]
fn json_holds_every_period() {
    let file = binary::read(data("net1.out")).unwrap();
    let units =
        ReportUnits::from_codes(file.prolog.flow_units_code, file.prolog.pressure_units_code)
            .unwrap();
    let mut writer = JsonWriter::new(Vec::new(), &file.prolog, &units).unwrap();
    for (p, period) in file.periods.iter().enumerate() {
        writer.write_period(file.period_time(p), period).unwrap();
    }
    let bytes = writer.finish::<String>(&file.energy, 0, &[]).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let periods = value["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 25);
    assert_eq!(value["units"]["flow"], "gpm");
    assert_eq!(value["node_ids"][0], "10");
    let head = periods[7]["nodes"]["head"][3].as_f64().unwrap();
    assert_eq!(head as f32, file.periods[7].node_head[3]);
    assert_eq!(periods[24]["time"], 86_400);
    assert_eq!(value["energy"]["pumps"][0]["link_index"], 13);
}

#[test]
fn csv_has_a_row_per_element_and_period() {
    let file = binary::read(data("net1.out")).unwrap();
    let units =
        ReportUnits::from_codes(file.prolog.flow_units_code, file.prolog.pressure_units_code)
            .unwrap();
    let mut writer = CsvWriter::new(Vec::new(), &file.prolog, &units).unwrap();
    for (p, period) in file.periods.iter().enumerate() {
        writer.write_period(file.period_time(p), period).unwrap();
    }
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 25 * (11 + 13));
    assert!(lines[0].contains("head (ft)"));
    // Period 1, link 10 (the first link): its flow is the ninth column.
    let row = lines[1 + 24 + 11];
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(&cells[..4], &["3600", "1:00:00", "link", "10"]);
    assert_eq!(
        cells[8].parse::<f32>().unwrap(),
        file.periods[1].link_flow[0]
    );
    assert_eq!(cells.len(), 16);
}

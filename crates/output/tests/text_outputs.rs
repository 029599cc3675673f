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

/// Control and rule actions, the flow balance and the mass balance are written as EPANET
/// 2.3.5 writes them (its FMT54, FMT55, FMT63 and `writeflowbalance`/`writemassbalance`).
#[test]
fn status_report_lines_read_as_epanets() {
    use danjiang_output::report::{FlowBalance, MassBalanceLines, StatusAction};
    let text = "[JUNCTIONS]\nJ1 100 10\n[RESERVOIRS]\nR1 150\n[TANKS]\nT1 120 5 0 10 20\n\
        [PIPES]\nP1 R1 J1 1000 12 100\nP2 J1 T1 1000 8 100 0 CV\n[PUMPS]\nPU1 R1 T1 POWER 10\n\
        [RULES]\nRULE R-1\nIF TANK T1 LEVEL ABOVE 8\nTHEN PUMP PU1 STATUS IS CLOSED\n\
        [REPORT]\nSTATUS YES\n[OPTIONS]\nUNITS GPM\nQUALITY CHLORINE mg/L\n[TIMES]\nDURATION 2:00\n";
    let network = danjiang_network::inp::read_str(text, "status.inp")
        .unwrap()
        .network;
    let node = |id: &str| network.nodes.iter().position(|n| n.id == id).unwrap();
    let link = |id: &str| network.links.iter().position(|l| l.id == id).unwrap();
    let mut writer = ReportWriter::new(Vec::new(), &network, "status.inp").unwrap();
    writer
        .actions(&[
            (
                45_154,
                StatusAction::LevelControl {
                    link: link("PU1"),
                    node: node("T1"),
                },
            ),
            (3_600, StatusAction::TimerControl { link: link("P2") }),
            (
                5_400,
                StatusAction::Rule {
                    link: link("PU1"),
                    rule: 0,
                },
            ),
        ])
        .unwrap();
    // One hour at 2 cfs from the reservoir: 1 cfs to the junction and 1 cfs into the tank.
    let mut balance = FlowBalance::new(&network);
    let cfs = danjiang_network::units::CUBIC_METRES_PER_CUBIC_FOOT;
    let mut demand = vec![0.0; network.nodes.len()];
    demand[node("J1")] = cfs;
    demand[node("R1")] = -2.0 * cfs;
    demand[node("T1")] = cfs;
    let zero = vec![0.0; network.nodes.len()];
    balance.add(0, 7_200, &demand, &zero, &zero, &demand);
    balance.add(7_200, 0, &demand, &zero, &zero, &demand);
    balance.finish();
    writer.flow_balance(&balance).unwrap();
    writer
        .mass_balance(&MassBalanceLines {
            initial: 7.475_824e6,
            inflow: 5.735_34e6,
            outflow: 3.226_93e6,
            reacted: 5.271_98e6,
            final_mass: 4.712_26e6,
            ratio: 1.0,
            segments: 145,
        })
        .unwrap();
    let bytes = writer
        .finish::<std::fs::File>(&Default::default(), None)
        .unwrap();
    let report = String::from_utf8(bytes).unwrap();
    let expected = "
  Hydraulic Status:
  -----------------------------------------------------------------------
    12:32:34: Pump PU1 changed by Tank T1 control
     1:00:00: CV P2 changed by timer control
     1:30:00: Pump PU1 changed by rule R-1
  Hydraulic Flow Balance (gpm)
  ================================
  Total Inflow:           897.662
  Consumer Demand:        448.831
  Demand Deficit:           0.000
  Emitter Flow:             0.000
  Leakage Flow:             0.000
  Total Outflow:          448.831
  Storage Flow:           448.831
  Flow Ratio:               1.000
  ================================

  Water Quality Mass Balance (mg)
  ================================
  Initial Mass:       7.47582e+06
  Mass Inflow:        5.73534e+06
  Mass Outflow:       3.22693e+06
  Mass Reacted:       5.27198e+06
  Final Mass:         4.71226e+06
  Mass Ratio:         1.00000
  Total Segments:     145
  ================================
";
    assert!(
        report.contains(expected),
        "status report lines:\n{report}\nexpected:\n{expected}"
    );
}

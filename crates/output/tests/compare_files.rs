//! Comparing output files: where the largest difference is, and tolerances.

use danjiang_output::binary::{self, OutReader};
use danjiang_output::compare::{compare, Tolerances};
use std::io::Cursor;
use std::path::Path;

fn net1_bytes() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/net1.out")).unwrap()
}

fn reader(bytes: Vec<u8>) -> OutReader<Cursor<Vec<u8>>> {
    OutReader::new(Cursor::new(bytes), "memory").unwrap()
}

/// Net1 with the head of node `node` in period `period` raised by `delta` ft.
fn with_head_changed(period: usize, node: usize, delta: f32) -> Vec<u8> {
    let mut bytes = net1_bytes();
    let prolog = binary::read_from(Cursor::new(bytes.clone()), "net1")
        .unwrap()
        .prolog;
    let offset = prolog.results_offset() as usize
        + period * prolog.period_bytes() as usize
        + 4 * prolog.node_count // past the demands
        + 4 * node;
    let head = f32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap());
    bytes[offset..offset + 4].copy_from_slice(&(head + delta).to_le_bytes());
    bytes
}

#[test]
fn a_file_equals_itself() {
    let comparison = compare(
        &mut reader(net1_bytes()),
        &mut reader(net1_bytes()),
        &Tolerances {
            head: Some(0.0),
            relative: Some(0.0),
            ..Tolerances::default()
        },
    )
    .unwrap();
    assert!(comparison.passed());
    assert_eq!(comparison.compared_periods, 25);
    assert!(comparison
        .quantities
        .iter()
        .all(|q| q.largest_absolute.is_none() && q.broken == 0));
}

#[test]
fn the_largest_difference_is_found_where_it_is() {
    let changed = with_head_changed(7, 3, 0.5);
    let tolerances = |head| Tolerances {
        head: Some(head),
        ..Tolerances::default()
    };
    let comparison = compare(
        &mut reader(net1_bytes()),
        &mut reader(changed.clone()),
        &tolerances(0.1),
    )
    .unwrap();
    let head = comparison
        .quantities
        .iter()
        .find(|q| q.element_kind == "node" && q.quantity == "head")
        .unwrap();
    let extreme = head.largest_absolute.as_ref().unwrap();
    assert_eq!(extreme.element, "13", "the fourth node of Net1");
    assert_eq!(extreme.time, 7 * 3600);
    assert!((extreme.difference - 0.5).abs() < 1e-3);
    assert_eq!(head.unit, "ft");
    assert_eq!(head.broken, 1);
    assert!(!comparison.passed());
    // Pressures were not touched.
    let pressure = &comparison.quantities[2];
    assert!(pressure.largest_absolute.is_none());

    let loose = compare(
        &mut reader(net1_bytes()),
        &mut reader(changed),
        &tolerances(1.0),
    )
    .unwrap();
    assert!(loose.passed());
    assert!(loose.table().contains("13"));
}

#[test]
fn without_tolerances_nothing_fails() {
    let comparison = compare(
        &mut reader(net1_bytes()),
        &mut reader(with_head_changed(0, 0, 100.0)),
        &Tolerances::default(),
    )
    .unwrap();
    assert!(comparison.passed());
    assert!(comparison.quantities.iter().all(|q| !q.checked));
}

#[test]
fn different_networks_are_refused() {
    let net3 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/net3.out.gz");
    let mut other = OutReader::open(net3).unwrap();
    let result = compare(
        &mut reader(net1_bytes()),
        &mut other,
        &Tolerances::default(),
    );
    assert!(result.is_err());
}

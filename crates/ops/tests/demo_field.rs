//! The Xuchang demo's field history loads into the demo register and looks as documented:
//! mostly Class II months with the listed excursions, two months of patrols, defects at every
//! stage. On SQLite and on PostgreSQL.

mod common;

use std::path::Path;

use danjiang_assessment::{Period, WaterClass};
use danjiang_ops::patrols::{self, DefectState};
use danjiang_ops::samples::{self, SampleQuery};
use danjiang_ops::{demo, import_bytes, ImportKind, Silent};

const COUNTIES: &str = include_str!("../../../examples/xuchang/counties.csv");
const ASSETS: &str = include_str!("../../../examples/xuchang/assets.csv");
const GEOMETRY: &str = include_str!("../../../examples/xuchang/geometry.geojson");

#[tokio::test]
async fn the_demo_field_history_is_believable() {
    for (url, store) in common::stores("demo_field").await {
        believable(&store).await;
        println!("{url}: ok");
        store.close().await;
    }
}

async fn believable(store: &danjiang_ops::Store) {
    let store = store.clone();
    for (kind, text) in [
        (ImportKind::Counties, COUNTIES),
        (ImportKind::Assets, ASSETS),
        (ImportKind::Geometry, GEOMETRY),
    ] {
        import_bytes(
            &store,
            kind,
            Path::new(kind.as_str()),
            text.as_bytes(),
            &Silent,
        )
        .await
        .unwrap();
    }
    let summary = demo::load_field_history(&store, demo::FIELD_SEED)
        .await
        .unwrap();
    assert_eq!(summary.sites, 12);
    assert!(summary.samples > 15_000, "{summary:?}");
    assert!(summary.patrol_records > 3_000, "{summary:?}");
    assert_eq!(summary.defects, 12);

    let months = samples::assess_samples(&store, &SampleQuery::default(), Period::Month)
        .await
        .unwrap();
    let class_ii = months
        .iter()
        .filter(|m| m.class == Some(WaterClass::II))
        .count();
    let worse: Vec<(&str, &str)> = months
        .iter()
        .filter(|m| m.class > Some(WaterClass::II))
        .map(|m| (m.site.as_str(), m.time.as_str()))
        .collect();
    assert!(
        class_ii * 10 > months.len() * 8,
        "{class_ii} of {}",
        months.len()
    );
    assert_eq!(worse.len(), 6, "{worse:?}");
    assert!(worse.contains(&("MS-OUT17", "2020-08")));
    let alerts = samples::sample_alerts(&store, &SampleQuery::default())
        .await
        .unwrap();
    assert_eq!(alerts.len(), 6, "{alerts:?}");

    let states: Vec<DefectState> = patrols::defects(&store, None, None)
        .await
        .unwrap()
        .iter()
        .map(|d| d.state)
        .collect();
    for state in [
        DefectState::Open,
        DefectState::Assigned,
        DefectState::Repaired,
        DefectState::Verified,
        DefectState::Closed,
    ] {
        assert!(states.contains(&state), "{state} missing from {states:?}");
    }
    let may = patrols::compliance(
        &store,
        chrono::NaiveDate::from_ymd_opt(2021, 5, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2021, 5, 31).unwrap(),
    )
    .await
    .unwrap();
    let planned: u32 = may.iter().map(|c| c.compliance.planned).sum();
    let done: u32 = may.iter().map(|c| c.compliance.done).sum();
    assert!(
        planned > 1_000 && done * 10 > planned * 8,
        "{done} of {planned}"
    );
    let route = patrols::route(
        &store,
        "L17",
        chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap(),
    )
    .await
    .unwrap();
    assert!(!route.is_empty());
    assert!(route
        .windows(2)
        .all(|w| w[0].chainage_km <= w[1].chainage_km));
}

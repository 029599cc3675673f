//! Asset geometry imports: every feature checked for a valid shape of the asset's kind, in
//! degrees, errors naming the feature, its line and field; a byte-order mark accepted; nothing
//! stored when any feature is wrong.

mod common;

use std::path::Path;

use danjiang_ops::import::{import_bytes, ImportKind, Silent};
use danjiang_ops::{OpsError, Store};
use sqlx::Row;

async fn import(store: &Store, kind: ImportKind, text: &str) -> Result<(), OpsError> {
    import_bytes(
        store,
        kind,
        Path::new("geometry.geojson"),
        text.as_bytes(),
        &Silent,
    )
    .await
    .map(|_| ())
}

async fn register(store: &Store) {
    import(
        store,
        ImportKind::Counties,
        "code,name,kind\nyuzhou,Yuzhou,county_city\n",
    )
    .await
    .unwrap();
    import(
        store,
        ImportKind::Assets,
        "code,kind,name,county,length_m,diameter_mm,zone_class,well_type\n\
         L1,pipeline,Trunk,yuzhou,1000,800,,\nZ1,zone,Zone one,yuzhou,,,first,\n\
         W1,well,Well one,yuzhou,,,,valve\n",
    )
    .await
    .unwrap();
}

fn collection(features: &[(&str, &str)]) -> String {
    let features: Vec<String> = features
        .iter()
        .map(|(code, geometry)| {
            format!("  {{\"type\":\"Feature\",\"properties\":{{\"code\":\"{code}\"}},\n   \"geometry\":{geometry}}}")
        })
        .collect();
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

const TRUNK: &str = r#"{"type":"LineString","coordinates":[[113.0,34.0],[113.1,34.0]]}"#;
const WELL: &str = r#"{"type":"Point","coordinates":[113.05,34.0]}"#;
const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.0],[113.1,34.1],[113.0,34.1],[113.0,34.0]]]}"#;

async fn stored(store: &Store, code: &str) -> Option<String> {
    sqlx::query("SELECT geometry FROM assets WHERE code = $1")
        .bind(code)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_shapes_are_refused_with_the_feature_line_and_field() {
    let cases = [
        (
            "Z1",
            r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.0],[113.1,34.1],[113.0,34.1]]]}"#,
            "closed",
        ),
        (
            "Z1",
            r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.0],[113.0,34.0]]]}"#,
            "at least 4 positions",
        ),
        (
            "Z1",
            r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.1],[113.1,34.0],[113.0,34.1],[113.0,34.0]]]}"#,
            "crosses itself",
        ),
        (
            "Z1",
            r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.0],[113.1,34.1],[113.0,34.1],[113.0,34.0]],[[113.5,34.5],[113.6,34.5],[113.6,34.6],[113.5,34.5]]]}"#,
            "outside its outer ring",
        ),
        (
            "Z1",
            r#"{"type":"Point","coordinates":[113.0,34.0]}"#,
            "a zone cannot be a Point",
        ),
        ("L1", SQUARE, "a pipeline cannot be a Polygon"),
        (
            "W1",
            r#"{"type":"Point","coordinates":[12579000.0,4028000.0]}"#,
            "in degrees",
        ),
    ];
    for (url, store) in common::stores("geometry_bad").await {
        register(&store).await;
        for (code, geometry, expected) in cases {
            // The bad feature second, so that its line is not the first.
            let good = if code == "L1" {
                ("W1", WELL)
            } else {
                ("L1", TRUNK)
            };
            let text = collection(&[good, (code, geometry)]);
            let error = import(&store, ImportKind::Geometry, &text)
                .await
                .unwrap_err();
            let OpsError::Rejected { errors, .. } = &error else {
                panic!("{url}: {error}")
            };
            assert_eq!(errors.len(), 1, "{url}: {error}");
            assert_eq!(
                errors[0].line, 4,
                "{url}: the second feature's line: {error}"
            );
            let message = errors[0].to_string();
            assert!(message.contains("features[1].geometry"), "{url}: {message}");
            assert!(message.contains(expected), "{url}: {expected}: {message}");
            assert_eq!(stored(&store, good.0).await, None, "{url}: nothing stored");
        }
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_a_byte_order_mark_is_read_and_shells_stored_anticlockwise() {
    for (url, store) in common::stores("geometry_bom").await {
        register(&store).await;
        // The square above runs anticlockwise; given clockwise, it is stored turned round.
        let clockwise = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.0,34.1],[113.1,34.1],[113.1,34.0],[113.0,34.0]]]}"#;
        let text = format!(
            "\u{feff}{}",
            collection(&[("L1", TRUNK), ("Z1", clockwise)])
        );
        import(&store, ImportKind::Geometry, &text)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let zone: serde_json::Value =
            serde_json::from_str(&stored(&store, "Z1").await.unwrap()).unwrap();
        let ring: Vec<(f64, f64)> = zone["coordinates"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let twice_area: f64 = ring
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(twice_area > 0.0, "{url}: anticlockwise shell: {zone}");
        assert!(stored(&store, "L1").await.is_some(), "{url}");
        store.close().await;
    }
}

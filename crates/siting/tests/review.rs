//! Acceptance tests of the siting review on the example zones along the Xuchang canal
//! (examples/siting/), with distances checked against independent geodesic computations
//! (scripts/siting-reference.py wrote examples/siting/expected.json with geographiclib).

use danjiang_siting::{
    review, Application, Decision, Review, RuleSet, SitingError, ZoneKind, ZoneMap,
};
use serde_json::Value;

const ZONES: &str = include_str!("../../../examples/siting/zones.geojson");
const EXPECTED: &str = include_str!("../../../examples/siting/expected.json");

fn rules() -> RuleSet {
    RuleSet::henan_canal_2018().expect("embedded rule set loads")
}

fn example(name: &str) -> String {
    let path = format!(
        "{}/../../examples/siting/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn review_example(name: &str) -> Review {
    let rules = rules();
    let zones = ZoneMap::from_geojson("zones.geojson", ZONES, &rules).unwrap();
    let application = Application::from_json(name, &example(name), &rules).unwrap();
    review(&application, &zones, &rules)
}

fn rule_ids(r: &Review) -> Vec<&str> {
    r.rules.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn a_chemical_plant_30_m_from_the_canal_is_rejected_by_the_first_class_zone_rule() {
    let r = review_example("chemical-plant-30m.json");
    assert_eq!(r.decision, Decision::Reject);
    assert_eq!(r.zone, Some(ZoneKind::FirstClass));
    let rule = r
        .rules
        .iter()
        .find(|x| x.id == "WPL-65-first-class-zone")
        .expect("first-class rule fired");
    assert!(rule
        .source
        .contains("Water Pollution Prevention and Control Law"));
    assert!(rule.text.contains("first-class zone"));
    assert!((r.distance_to_canal_m.unwrap() - 30.0).abs() < 0.5);
    assert_eq!(r.rule_set.version, "2018.1");
}

#[test]
fn an_outfall_anywhere_in_a_zone_is_rejected() {
    let r = review_example("outfall-second-class.json");
    assert_eq!(r.decision, Decision::Reject);
    assert_eq!(r.zone, Some(ZoneKind::SecondClass));
    assert!(
        rule_ids(&r).contains(&"WPL-64-outfall-in-source-zone"),
        "{:?}",
        rule_ids(&r)
    );
    let r = review_example("outfall-works-range.json");
    assert_eq!(r.decision, Decision::Reject);
    assert_eq!(r.zone, Some(ZoneKind::WorksProtection));
    assert!(rule_ids(&r).contains(&"WPL-64-outfall-in-source-zone"));
    assert!(rule_ids(&r).contains(&"SNWD-2014-outfall-into-canal"));
}

#[test]
fn a_road_bridge_across_the_canal_is_referred() {
    let r = review_example("road-bridge.json");
    assert_eq!(r.decision, Decision::Refer, "{:?}", rule_ids(&r));
    assert!(r.footprint_crosses_canal);
    assert_eq!(r.distance_to_canal_m, Some(0.0));
    assert_eq!(rule_ids(&r), vec!["SNWD-2014-crossing"]);
    // The general first-class ban is reported as set aside by the crossing provision.
    let set_aside = r
        .overridden
        .iter()
        .find(|o| o.id == "WPL-65-first-class-zone")
        .unwrap();
    assert_eq!(
        set_aside.overridden_by.as_deref(),
        Some("SNWD-2014-crossing")
    );
}

#[test]
fn a_shop_5_km_away_passes() {
    let r = review_example("shop-5km.json");
    assert_eq!(r.decision, Decision::Pass);
    assert_eq!(r.zone, None);
    assert_eq!(rule_ids(&r), vec!["outside-protection-zones"]);
    assert!(r.distance_to_canal_m.unwrap() > 4900.0);
}

#[test]
fn other_examples_get_the_decisions_the_rules_give() {
    let r = review_example("farmland-second-class.json");
    assert_eq!(r.decision, Decision::Conditional);
    assert_eq!(rule_ids(&r), vec!["HN-second-class-other"]);
    let r = review_example("fuel-station-second-class.json");
    assert_eq!(r.decision, Decision::Reject);
    assert!(rule_ids(&r).contains(&"HN-second-class-listed-industry"));
    assert!(rule_ids(&r).contains(&"HN-source-zone-hazardous-goods"));
    let r = review_example("houses-works-range.json");
    assert_eq!(r.decision, Decision::Reject);
    assert!(rule_ids(&r).contains(&"SNWD-2014-works-range-forbidden"));
    let r = review_example("water-intake.json");
    assert_eq!(r.decision, Decision::Refer);
    assert!(rule_ids(&r).contains(&"WPL-65-first-class-water-supply"));
    assert!(rule_ids(&r).contains(&"SNWD-2014-works-range-other"));
}

#[test]
fn distances_agree_with_geographiclib_within_1_m() {
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    let applications = expected["applications"].as_object().unwrap();
    assert!(applications.len() >= 9);
    let mut worst: f64 = 0.0;
    for (name, want) in applications {
        let r = review_example(name);
        let canal = want["distance_to_canal_m"].as_f64().unwrap();
        let got = r.distance_to_canal_m.unwrap();
        assert!(
            (got - canal).abs() < 1.0,
            "{name}: canal {got} against {canal}"
        );
        worst = worst.max((got - canal).abs());
        for (feature, distance) in want["zones"].as_object().unwrap() {
            let feature: usize = feature.parse().unwrap();
            let d = r
                .distances
                .iter()
                .find(|d| d.feature == Some(feature))
                .unwrap();
            let want = distance.as_f64().unwrap();
            assert!(
                (d.distance_m - want).abs() < 1.0,
                "{name}: zone feature {feature}: {} against {want}",
                d.distance_m
            );
            worst = worst.max((d.distance_m - want).abs());
        }
    }
    // Both sides measure geodesics to the same vertices: agreement is far inside the 1 m bound.
    assert!(worst < 0.01, "largest difference {worst} m");
}

fn zones_error(text: &str) -> (String, String) {
    match ZoneMap::from_geojson("z.geojson", text, &rules()) {
        Err(SitingError::Field { field, message, .. }) => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn invalid_zones_name_the_field() {
    let wrap = |geometry: &str, props: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{geometry}}}]}}"#
        )
    };
    let zone = r#"{"zone":"first-class"}"#;
    let bowtie = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.1],[113.1,34.0],[113.0,34.1],[113.0,34.0]]]}"#;
    let (field, message) = zones_error(&wrap(bowtie, zone));
    assert_eq!(field, "features[0].geometry.coordinates");
    assert!(message.contains("invalid polygon"), "{message}");
    let open = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.1],[113.1,34.0],[113.0,34.05]]]}"#;
    assert_eq!(
        zones_error(&wrap(open, zone)).0,
        "features[0].geometry.coordinates[0]"
    );
    let short = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.1],[113.0,34.0]]]}"#;
    assert_eq!(
        zones_error(&wrap(short, zone)).0,
        "features[0].geometry.coordinates[0]"
    );
    let swapped = r#"{"type":"Polygon","coordinates":[[[34.0,113.0],[34.1,113.1],[34.1,113.0],[34.0,113.0]]]}"#;
    let (field, message) = zones_error(&wrap(swapped, zone));
    assert_eq!(field, "features[0].geometry.coordinates[0][0]");
    assert!(message.contains("latitude"), "{message}");
    let square = r#"{"type":"Polygon","coordinates":[[[113.0,34.0],[113.1,34.0],[113.1,34.1],[113.0,34.0]]]}"#;
    assert_eq!(
        zones_error(&wrap(square, r#"{"zone":"third-class"}"#)).0,
        "features[0].properties.zone"
    );
    assert_eq!(
        zones_error(&wrap(square, "{}")).0,
        "features[0].properties.zone"
    );
    assert_eq!(
        zones_error(&wrap(
            r#"{"type":"Point","coordinates":[113.0,34.0]}"#,
            zone
        ))
        .0,
        "features[0].geometry.type"
    );
    assert_eq!(zones_error(r#"{"type":"Feature"}"#).0, "type");
    assert!(matches!(
        ZoneMap::from_geojson(
            "z.geojson",
            "{\"type\": \"FeatureCollection\",\n \"features\": [",
            &rules()
        ),
        Err(SitingError::Json { .. })
    ));
}

fn application_error(text: &str) -> (String, String) {
    match Application::from_json("app.json", text, &rules()) {
        Err(SitingError::Field { field, message, .. }) => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn invalid_applications_name_the_field() {
    let point = r#"{"type":"Point","coordinates":[113.4,34.1]}"#;
    assert_eq!(
        application_error(&format!(r#"{{"name":"x","footprint":{point}}}"#)).0,
        "category"
    );
    let (field, message) = application_error(&format!(
        r#"{{"name":"x","category":"casino","footprint":{point}}}"#
    ));
    assert_eq!(field, "category");
    assert!(message.contains("chemical_plant"), "{message}");
    assert_eq!(
        application_error(r#"{"name":"x","category":"shop"}"#).0,
        "footprint"
    );
    assert_eq!(
        application_error(
            r#"{"name":"x","category":"shop","footprint":{"type":"Point","coordinates":[200,34]}}"#
        )
        .0,
        "footprint.coordinates"
    );
    assert_eq!(
        application_error(&format!(
            r#"{{"name":"x","category":"shop","footprint":{point},"radius_m":-5}}"#
        ))
        .0,
        "radius_m"
    );
    assert_eq!(
        application_error(&format!(
            r#"{{"name":"x","category":"shop","footprint":{point},"crosses_canal":"yes"}}"#
        ))
        .0,
        "crosses_canal"
    );
    assert_eq!(
        application_error(&format!(
            r#"{{"name":"x","category":"shop","footprint":{point},"discharge_pollutants":true}}"#
        ))
        .0,
        "discharge_pollutants"
    );
    match Application::from_json("app.json", "{\"name\": \"x\",\n \"category\": ", &rules()) {
        Err(SitingError::Json { message, .. }) => assert!(message.contains("line 2"), "{message}"),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn zones_are_generated_from_the_canal_and_widths_when_only_widths_are_known() {
    let rules = rules();
    // The canal alone, widths from properties (first class 50 m, second class 150 m beyond it,
    // works protection 100 m), split into two sections with different second-class widths.
    let canal_only = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"kind":"canal","sections":[
            {"from_m":0,"to_m":7000,"first_class_m":50,"second_class_m":150,"works_protection_m":100},
            {"from_m":7000,"to_m":100000,"first_class_m":50,"second_class_m":950,"works_protection_m":100}]},
        "geometry":{"type":"LineString","coordinates":[[113.312,34.051],[113.382,34.072],[113.407,34.155]]}}]}"#;
    let zones = ZoneMap::from_geojson("canal.geojson", canal_only, &rules).unwrap();
    assert_eq!(zones.zones.len(), 6);
    // Points at measured geodesic offsets from the first canal segment's middle, north-west side.
    let offset = |metres: f64| -> String {
        use geo::{Bearing, Destination, Geodesic, InterpolatePoint, Point};
        let a = Point::new(113.312, 34.051);
        let b = Point::new(113.382, 34.072);
        let mid = Geodesic.point_at_ratio_between(a, b, 0.5);
        let bearing = Geodesic.bearing(mid, b) - 90.0;
        let p = Geodesic.destination(mid, bearing, metres);
        format!(
            r#"{{"name":"p","category":"shop","footprint":{{"type":"Point","coordinates":[{},{}]}}}}"#,
            p.x(),
            p.y()
        )
    };
    let zone_at = |metres: f64| {
        let app = Application::from_json("p.json", &offset(metres), &rules).unwrap();
        let r = review(&app, &zones, &rules);
        assert!(
            (r.distance_to_canal_m.unwrap() - metres).abs() < 0.05,
            "{metres}: {:?}",
            r.distance_to_canal_m
        );
        r.zone
    };
    assert_eq!(zone_at(30.0), Some(ZoneKind::FirstClass));
    assert_eq!(zone_at(49.0), Some(ZoneKind::FirstClass));
    assert_eq!(zone_at(51.0), Some(ZoneKind::WorksProtection));
    assert_eq!(zone_at(99.0), Some(ZoneKind::WorksProtection));
    assert_eq!(zone_at(101.0), Some(ZoneKind::SecondClass));
    assert_eq!(zone_at(199.0), Some(ZoneKind::SecondClass));
    assert_eq!(zone_at(201.0), None);
}

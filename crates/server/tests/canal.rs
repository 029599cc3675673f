//! The canal feature: the demo canal's places and profile as JSON — every outlet and gate of
//! examples/xuchang/canal.inp at the chainage its conduit lengths give, the profile at every
//! computational point — and no answer without a session.

mod common;

use axum::http::StatusCode;
use common::{sqlite, TestApp};

const CANAL: &str = include_str!("../../../examples/xuchang/canal.inp");

/// The IDs declared in one section of the canal file.
fn declared(section: &str) -> Vec<String> {
    let start = CANAL.find(section).expect("section") + section.len();
    let end = CANAL[start..]
        .find("\n[")
        .map_or(CANAL.len(), |e| start + e);
    CANAL[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(';'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Chainage of each node: the sum of the conduit lengths from the upstream end (structures take
/// no length), walking [CONDUITS], [ORIFICES] and [WEIRS] from the file.
fn chainage_of(node: &str) -> f64 {
    let mut links: Vec<(String, String, f64)> = Vec::new();
    for (section, has_length) in [
        ("[CONDUITS]", true),
        ("[ORIFICES]", false),
        ("[WEIRS]", false),
    ] {
        let Some(start) = CANAL.find(section) else {
            continue;
        };
        let start = start + section.len();
        let end = CANAL[start..]
            .find("\n[")
            .map_or(CANAL.len(), |e| start + e);
        for line in CANAL[start..end].lines().map(str::trim) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if line.is_empty() || line.starts_with(';') || fields.len() < 4 {
                continue;
            }
            let length = if has_length {
                fields[3].parse().unwrap()
            } else {
                0.0
            };
            links.push((fields[1].to_string(), fields[2].to_string(), length));
        }
    }
    let (mut at, mut chainage) = (node.to_string(), 0.0);
    while let Some((from, _, length)) = links.iter().find(|l| l.1 == at) {
        chainage += length;
        at = from.clone();
    }
    chainage
}

#[tokio::test]
async fn the_canal_gives_its_places_and_profile() {
    let app = TestApp::demo(sqlite("canal").await).await;
    assert_eq!(
        app.get("/api/v1/canal", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let viewer = app.login("viewer", "danjiang-viewer").await;
    let reply = app.get("/api/v1/canal", Some(&viewer)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let canal = reply.json();
    let places = canal["places"].as_array().unwrap();
    for (section, kind) in [("[OUTLETS]", "outlet"), ("[ORIFICES]", "gate")] {
        for id in declared(section) {
            let place = places
                .iter()
                .find(|p| p["id"] == id.as_str())
                .unwrap_or_else(|| panic!("{id} missing: {places:?}"));
            assert_eq!(place["kind"], kind);
            // The link's upstream node, at the chainage of the conduits before it.
            let line = CANAL
                .lines()
                .find(|l| l.split_whitespace().next() == Some(id.as_str()))
                .unwrap();
            let from = line.split_whitespace().nth(1).unwrap();
            let expected = chainage_of(from);
            let chainage = place["chainage_m"].as_f64().unwrap();
            assert!(
                (chainage - expected).abs() < 1e-6,
                "{id}: {chainage} vs {expected}"
            );
        }
    }
    let points = canal["profile_chainage_m"].as_array().unwrap().len();
    assert!(points > 1);
    assert_eq!(canal["profile_bed_m"].as_array().unwrap().len(), points);
    assert_eq!(canal["profile_level_m"].as_array().unwrap().len(), points);
    let length = canal["length_m"].as_f64().unwrap();
    let last = canal["profile_chainage_m"][points - 1].as_f64().unwrap();
    assert!((length - last).abs() < 1e-6);
}

#[tokio::test]
async fn the_canal_page_draws_the_profile_and_marks_every_place() {
    let app = TestApp::demo(sqlite("canal-page").await).await;
    let viewer = app.login("viewer", "danjiang-viewer").await;
    let reply = app.get("/canal", Some(&viewer)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page = reply.text();
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("polyline class=\"bed\""), "{page}");
    assert!(page.contains("polyline class=\"level\""), "{page}");
    for id in declared("[OUTLETS]").iter().chain(&declared("[ORIFICES]")) {
        assert!(
            page.contains(&format!("<title>{id}</title>")),
            "{id} not marked"
        );
    }
}

#[tokio::test]
async fn the_profile_is_shown_at_each_report_step_and_refuses_one_beyond() {
    let app = TestApp::demo(sqlite("canal-frames").await).await;
    let viewer = app.login("viewer", "danjiang-viewer").await;
    // The slider's last step, and its time: that many REPORT_STEPs of the file.
    let first = app.get("/canal", Some(&viewer)).await.text();
    let max = first.split("max=\"").nth(1).unwrap();
    let frames: usize = max[..max.find('"').unwrap()].parse().unwrap();
    assert!(frames > 0);
    let line = CANAL
        .lines()
        .find(|l| l.trim_start().starts_with("REPORT_STEP"))
        .unwrap();
    let parts: Vec<f64> = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .split(':')
        .map(|p| p.parse().unwrap())
        .collect();
    let step = parts[0] * 3600.0 + parts[1] * 60.0 + parts.get(2).copied().unwrap_or(0.0);
    let last = app
        .get(&format!("/canal?frame={frames}"), Some(&viewer))
        .await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.text());
    let minutes = (frames as f64 * step / 60.0).round() as usize;
    let label = format!("<output>{}:{:02}</output>", minutes / 60, minutes % 60);
    assert!(last.text().contains(&label), "{label}");
    let beyond = app
        .get(&format!("/canal?frame={}", frames + 1), Some(&viewer))
        .await;
    assert_eq!(beyond.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_spill_form_gives_the_table_per_place_as_the_canal_crate_does() {
    let app = TestApp::demo(sqlite("canal-spill").await).await;
    let viewer = app.login("viewer", "danjiang-viewer").await;
    let form = app.get("/canal/spill", Some(&viewer)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.text().contains("<table"));
    let reply = app
        .get(
            "/canal/spill?km=23&mass_kg=1000&duration_min=0",
            Some(&viewer),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page = reply.text();
    // The same spill through the canal crate directly.
    let path = std::path::Path::new("examples/xuchang/canal.inp");
    let canal =
        danjiang_canal::Canal::new(danjiang_canal::inp::read_str(CANAL, path).unwrap()).unwrap();
    let spec = danjiang_canal::spill::SpillSpec {
        at: danjiang_canal::spill::SpillAt::Chainage(23_000.0),
        mass_kg: 1000.0,
        start_s: 0.0,
        duration_s: 0.0,
        dispersion: danjiang_canal::transport::Dispersion::Fischer,
        decay_per_s: 0.0,
        threshold_mg_l: 0.01,
        chainages: Vec::new(),
        closures: Vec::new(),
    };
    let results = danjiang_canal::spill::run_spill(&canal, &spec).unwrap();
    for place in &results.places {
        assert!(
            page.contains(&format!("<td>{}</td>", place.id)),
            "{}",
            place.id
        );
        assert!(
            page.contains(&format!("<td>{:.4}</td>", place.peak_mg_l)),
            "{}",
            place.id
        );
    }
    let outside = app
        .get("/canal/spill?km=99&mass_kg=1000", Some(&viewer))
        .await;
    assert_eq!(outside.status, StatusCode::BAD_REQUEST);
}

//! API and page tests of siting review: the zone map upload, reviews of the example applications
//! (decisions, rules with their sources, distances against an independent geodesic computation),
//! saved reviews; and the refusals (no session, viewer, missing or wrong CSRF token, malformed
//! bodies answered with a 4xx JSON error), on SQLite and, when configured, PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{stores, TestApp};
use serde_json::{json, Value};

const ZONES: &str = include_str!("../../../examples/siting/zones.geojson");
const EXPECTED: &str = include_str!("../../../examples/siting/expected.json");
const CHEMICAL_PLANT: &str = include_str!("../../../examples/siting/chemical-plant-30m.json");
const ROAD_BRIDGE: &str = include_str!("../../../examples/siting/road-bridge.json");
const SHOP: &str = include_str!("../../../examples/siting/shop-5km.json");
const OUTFALL: &str = include_str!("../../../examples/siting/outfall-second-class.json");

fn multipart(csrf: &str, file_name: &str, content: &str) -> (String, String) {
    let boundary = "dj-test-boundary-5a0e";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/geo+json\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn siting_endpoints_pages_and_refusals() {
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    for store in stores("siting").await {
        let app = TestApp::demo(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let operator = app.login("operator", "danjiang-operator").await;
        let zones: Value = serde_json::from_str(ZONES).unwrap();
        let plant: Value = serde_json::from_str(CHEMICAL_PLANT).unwrap();

        // Reading without a session is refused; a viewer reads.
        for path in [
            "/api/v1/siting/zones",
            "/api/v1/siting/rules",
            "/api/v1/siting/reviews",
            "/api/v1/siting/reviews/1",
        ] {
            app.get(path, None).await.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                path,
            );
        }
        let rules = app.get("/api/v1/siting/rules", Some(&viewer)).await.json();
        let categories: Vec<&str> = rules["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for category in ["chemical_plant", "road_bridge", "shop", "sewage_outfall"] {
            assert!(categories.contains(&category), "{category}");
        }
        let openapi = app.get("/api/openapi.json", Some(&viewer)).await.json();
        for path in [
            "/api/v1/siting/zones",
            "/api/v1/siting/rules",
            "/api/v1/siting/reviews",
            "/api/v1/siting/reviews/{id}",
        ] {
            assert!(openapi["paths"][path].is_object(), "OpenAPI lists {path}");
        }

        // Before any zone map: none to show, and a review cannot be made (409).
        app.get("/api/v1/siting/zones", Some(&viewer))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found", "no zone map yet");
        app.json(Method::POST, "/api/v1/siting/reviews", &operator, &plant)
            .await
            .assert_error(StatusCode::CONFLICT, "conflict", "review without zones");

        // Changing calls refused: no session, viewer, no or wrong token.
        for (method, path, body) in [
            (Method::PUT, "/api/v1/siting/zones", &zones),
            (Method::POST, "/api/v1/siting/reviews", &plant),
        ] {
            app.call(
                method.clone(),
                path,
                None,
                Some("x"),
                Some(("application/json", &body.to_string())),
            )
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", path);
            app.json(method.clone(), path, &viewer, body)
                .await
                .assert_error(StatusCode::FORBIDDEN, "forbidden", path);
            for csrf in [None, Some("wrong"), Some(viewer.csrf.as_str())] {
                app.call(
                    method.clone(),
                    path,
                    Some(&operator),
                    csrf,
                    Some(("application/json", &body.to_string())),
                )
                .await
                .assert_error(StatusCode::FORBIDDEN, "csrf", path);
            }
        }
        let reply = app
            .form(
                "/siting/reviews",
                Some(&viewer),
                &[
                    ("name", "x"),
                    ("category", "shop"),
                    ("longitude", "113.49"),
                    ("latitude", "34.23"),
                    ("csrf", viewer.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "viewer application form"
        );
        let (content_type, body) = multipart(&viewer.csrf, "zones.geojson", ZONES);
        let reply = app
            .call(
                Method::POST,
                "/siting/zones",
                Some(&viewer),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "viewer zone upload");

        // Malformed zone maps: 4xx JSON naming what is wrong; nothing stored.
        for (body, what) in [
            ("{".to_string(), "not JSON"),
            (json!({"type": "Feature"}).to_string(), "not a FeatureCollection"),
            (
                json!({"type": "FeatureCollection", "features": [{"type": "Feature",
                    "properties": {"zone": "third-class"},
                    "geometry": {"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.1, 34.1], [113.0, 34.0]]]}}]})
                .to_string(),
                "an unknown zone class",
            ),
            (
                json!({"type": "FeatureCollection", "features": [{"type": "Feature",
                    "properties": {"zone": "first-class"},
                    "geometry": {"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1]]]}}]})
                .to_string(),
                "a broken polygon",
            ),
            (json!({"type": "FeatureCollection", "features": []}).to_string(), "no zones"),
        ] {
            let reply = app
                .call(
                    Method::PUT,
                    "/api/v1/siting/zones",
                    Some(&operator),
                    Some(&operator.csrf),
                    Some(("application/json", &body)),
                )
                .await;
            reply.assert_error(StatusCode::BAD_REQUEST, "bad_request", what);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM siting_zone_maps").await, 0);

        // The operator uploads the zones (as GeoJSON through the API), audited.
        let reply = app
            .call(
                Method::PUT,
                "/api/v1/siting/zones?name=xuchang-zones.geojson",
                Some(&operator),
                Some(&operator.csrf),
                Some(("application/geo+json", ZONES)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let map = reply.json();
        assert_eq!(map["name"], "xuchang-zones.geojson");
        assert_eq!(map["has_canal"], true);
        assert_eq!(map["zones"].as_array().unwrap().len(), 3);
        let shown = app.get("/api/v1/siting/zones", Some(&viewer)).await.json();
        assert_eq!(shown["id"], map["id"]);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'zone_map'")
                .await,
            1
        );

        // Malformed applications: 4xx JSON naming the field; nothing stored.
        for (field, value) in [
            ("category", json!("spaceport")),
            (
                "footprint",
                json!({"type": "Polygon", "coordinates": [[[113.0, 34.0]]]}),
            ),
            ("footprint", Value::Null),
            ("radius_m", json!(-5)),
            ("discharges_pollutants", json!("yes")),
            ("colour", json!("red")),
        ] {
            let mut body = plant.clone();
            body[field] = value;
            let reply = app
                .json(Method::POST, "/api/v1/siting/reviews", &operator, &body)
                .await;
            reply.assert_error(StatusCode::BAD_REQUEST, "bad_request", field);
            assert!(
                reply.json()["message"].as_str().unwrap().contains(field),
                "{field}: {}",
                reply.text()
            );
        }
        app.call(
            Method::POST,
            "/api/v1/siting/reviews",
            Some(&operator),
            Some(&operator.csrf),
            Some(("application/json", "[1, 2")),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request", "not JSON");
        assert_eq!(app.count("SELECT COUNT(*) FROM siting_reviews").await, 0);

        // The acceptance cases: the chemical plant 30 m away is rejected citing the
        // first-class-zone rule, the outfall in a zone rejected, the bridge referred, the shop
        // 5 km away passes; distances within 1 m of the geographiclib reference.
        let mut ids = Vec::new();
        for (file, text, decision) in [
            ("chemical-plant-30m.json", CHEMICAL_PLANT, "REJECT"),
            ("outfall-second-class.json", OUTFALL, "REJECT"),
            ("road-bridge.json", ROAD_BRIDGE, "REFER"),
            ("shop-5km.json", SHOP, "PASS"),
        ] {
            let body: Value = serde_json::from_str(text).unwrap();
            let reply = app
                .json(Method::POST, "/api/v1/siting/reviews", &operator, &body)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{file}: {}",
                reply.text()
            );
            let saved = reply.json();
            let review = &saved["review"];
            assert_eq!(review["decision"], decision, "{file}: {review}");
            let reference = &expected["applications"][file];
            let distance = review["distance_to_canal_m"].as_f64().unwrap();
            let want = reference["distance_to_canal_m"].as_f64().unwrap();
            assert!(
                (distance - want).abs() < 1.0,
                "{file}: {distance} vs {want}"
            );
            for d in review["distances"].as_array().unwrap() {
                let feature = d["feature"].as_u64().unwrap().to_string();
                let want = reference["zones"][&feature].as_f64().unwrap();
                let got = d["distance_m"].as_f64().unwrap();
                assert!(
                    (got - want).abs() < 1.0,
                    "{file} zone {feature}: {got} vs {want}"
                );
            }
            assert!(review["rules"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| !r["source"].as_str().unwrap().is_empty()));
            ids.push(saved["id"].as_i64().unwrap());
        }
        let plant_review = app
            .get(&format!("/api/v1/siting/reviews/{}", ids[0]), Some(&viewer))
            .await
            .json();
        assert_eq!(plant_review["decision"], "REJECT");
        assert_eq!(plant_review["zone"], "first-class");
        assert_eq!(plant_review["reviewed_by"], "operator");
        assert!(
            plant_review["outcome"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["decision"] == "REJECT"
                    && r["text"]
                        .as_str()
                        .unwrap()
                        .to_lowercase()
                        .contains("first-class")),
            "{plant_review}"
        );
        assert_eq!(plant_review["application_json"]["name"], plant["name"]);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'siting_review'")
                .await,
            4
        );

        // The saved reviews, filtered and paged.
        let all = app
            .get("/api/v1/siting/reviews", Some(&viewer))
            .await
            .json();
        assert_eq!(all["total"], 4);
        assert_eq!(all["items"][0]["id"], ids[3], "newest first");
        let rejected = app
            .get(
                "/api/v1/siting/reviews?decision=reject&limit=1",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(rejected["total"], 2);
        assert_eq!(rejected["items"].as_array().unwrap().len(), 1);
        for (path, status, code) in [
            ("/api/v1/siting/reviews?decision=MAYBE", 400, "bad_request"),
            ("/api/v1/siting/reviews?limit=-1", 400, "bad_request"),
            ("/api/v1/siting/reviews/abc", 400, "bad_request"),
            ("/api/v1/siting/reviews/999999", 404, "not_found"),
        ] {
            app.get(path, Some(&viewer)).await.assert_error(
                StatusCode::from_u16(status).unwrap(),
                code,
                path,
            );
        }

        // The pages: the application form with a point and radius, a zone upload, each audited.
        let reply = app
            .form(
                "/siting/reviews",
                Some(&operator),
                &[
                    ("name", "Village shop"),
                    ("category", "shop"),
                    ("longitude", "113.4903805"),
                    ("latitude", "34.2329754"),
                    ("radius_m", "25"),
                    ("footprint", ""),
                    ("csrf", operator.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let location = reply.location();
        assert!(location.starts_with("/siting/reviews/"), "{location}");
        let page = app.get(&location, Some(&viewer)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("decision-PASS"), "{}", page.text());
        let reply = app
            .form(
                "/siting/reviews",
                Some(&operator),
                &[
                    ("name", "Nowhere"),
                    ("category", "shop"),
                    ("longitude", "east"),
                    ("latitude", "34.2"),
                    ("csrf", operator.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a bad longitude");
        let (content_type, body) = multipart(&operator.csrf, "zones-2.geojson", ZONES);
        let reply = app
            .call(
                Method::POST,
                "/siting/zones",
                Some(&operator),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let shown = app.get("/api/v1/siting/zones", Some(&viewer)).await.json();
        assert_eq!(shown["name"], "zones-2.geojson");
        let (content_type, body) = multipart(&operator.csrf, "bad.geojson", "{\"type\": 1}");
        let reply = app
            .call(
                Method::POST,
                "/siting/zones",
                Some(&operator),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a bad zone file");
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM audit_log WHERE entity IN ('siting_review', 'zone_map')"
            )
            .await,
            7
        );

        for page in [
            "/siting",
            "/siting?decision=REJECT",
            "/siting/new",
            "/siting/zones",
        ] {
            let reply = app.get(page, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.text());
            assert!(
                !reply.text().contains("method=\"post\" action=\"/siting"),
                "{page}"
            );
        }
        let detail = app
            .get(&format!("/siting/reviews/{}", ids[0]), Some(&viewer))
            .await
            .text();
        assert!(
            detail.contains("decision-REJECT") && detail.contains("30."),
            "detail page"
        );
        assert_eq!(
            app.get("/siting/reviews/999999", Some(&viewer))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let form = app.get("/siting/new", Some(&operator)).await.text();
        assert!(form.contains("chemical_plant"), "categories on the form");
    }
}

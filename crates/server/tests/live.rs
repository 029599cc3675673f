//! Live telemetry over HTTP on SQLite and, when configured, PostgreSQL: batches posted with an
//! ingestion token (401 without a good one), as JSON and as tall and wide CSV, duplicates
//! ignored and late points accepted; every bad input refused naming row and field with nothing
//! written; 413 over the limits, 429 over the rate; the tags with their latest points; series by
//! step; the live pages in both languages.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{stores, Reply, Session, TestApp};
use danjiang_ops::import::{import_bytes, ImportKind};
use danjiang_ops::{telemetry, Silent, Store};
use danjiang_server::web::rate::RateLimiter;
use danjiang_server::{demo, router, AppState};
use serde_json::{json, Value};

const TAGS: &str = "code,name,quantity,unit,interval_s\n\
    OUT17.FLOW,Outlet <i>17</i> flow,flow,m3/s,60\n\
    OUT17.TURB,Outlet 17 turbidity,turbidity,NTU,60\n\
    P1.LEVEL,Plant 1 clear-water level,level,m,300\n";

/// An application over `store` with the demo users and the tags above (no demo network: these
/// tests need none), and an ingestion token of source `scada-1`.
async fn app_with(store: Store, change: impl FnOnce(&mut AppState)) -> (TestApp, String) {
    demo::create_users(&store).await.expect("users");
    import_bytes(
        &store,
        ImportKind::Tags,
        Path::new("tags.csv"),
        TAGS.as_bytes(),
        &Silent,
    )
    .await
    .expect("the tag register");
    let (_, token) = telemetry::create_token(&store, "scada-1", "admin")
        .await
        .expect("a token");
    let mut state = AppState::new(store).expect("state");
    change(&mut state);
    let app = TestApp {
        router: router(state.clone()),
        state,
    };
    (app, token)
}

async fn app(store: Store) -> (TestApp, String) {
    app_with(store, |_| {}).await
}

/// Posts a batch with an `Authorization` header value (or none).
async fn post(app: &TestApp, authorization: Option<&str>, content_type: &str, body: &str) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/telemetry/points")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    app.send(request.body(Body::from(body.to_string())).unwrap())
        .await
}

async fn post_as(app: &TestApp, token: &str, content_type: &str, body: &str) -> Reply {
    post(app, Some(&format!("Bearer {token}")), content_type, body).await
}

async fn points(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM points").await
}

/// (received, accepted, duplicates) of a 200 answer.
fn counts(reply: &Reply) -> (u64, u64, u64) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let json = reply.json();
    let get = |name: &str| json[name].as_u64().unwrap_or_else(|| panic!("{json}"));
    (get("received"), get("accepted"), get("duplicates"))
}

#[tokio::test]
async fn a_batch_needs_a_valid_ingestion_token_not_a_session() {
    for store in stores("live_tokens").await {
        let (app, token) = app(store).await;
        let body = "tag,time,value\nOUT17.FLOW,2024-05-01 08:00,3.5\n";
        let admin = app.login("admin", "danjiang-admin").await;
        let (revoked, revoked_token) =
            telemetry::create_token(&app.state.store, "old-logger", "admin")
                .await
                .unwrap();
        telemetry::revoke_token(&app.state.store, revoked.id, "admin")
            .await
            .unwrap();
        let wrong = format!("{}0", &token[..token.len() - 1]);
        for authorization in [
            None,
            Some("Basic YWRtaW46ZGFuamlhbmctYWRtaW4="),
            Some("Bearer"),
            Some("Bearer not-a-token"),
            Some(&format!("Bearer {wrong}")),
            Some(&format!("Bearer {revoked_token}")),
        ] {
            let reply = post(&app, authorization, "text/csv", body).await;
            reply.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                &format!("{authorization:?}"),
            );
            let challenge = reply.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
        // A session with its CSRF token is not a token.
        let reply = app
            .call(
                Method::POST,
                "/api/v1/telemetry/points",
                Some(&admin),
                Some(&admin.csrf),
                Some(("text/csv", body)),
            )
            .await;
        reply.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", "a session");
        assert_eq!(points(&app).await, 0, "a refused batch wrote points");

        // The token works without any CSRF header, lower-case scheme too.
        let reply = post(&app, Some(&format!("bearer {token}")), "text/csv", body).await;
        assert_eq!(counts(&reply), (1, 1, 0));
        assert_eq!(points(&app).await, 1);
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn json_tall_and_wide_csv_are_stored_with_duplicates_ignored_and_late_points_taken() {
    for store in stores("live_forms").await {
        let (app, token) = app(store).await;
        let json = json!({"points": [
            {"tag": "OUT17.FLOW", "time": "2024-05-01 08:01", "value": 3.5},
            {"tag": "OUT17.FLOW", "time": "2024-05-01T00:02:00Z", "value": 3.6, "quality": "uncertain"},
            {"tag": "OUT17.TURB", "time": "2024-05-01 08:01:00", "value": 1.2, "unit": "NTU"},
        ]})
        .to_string();
        let reply = post_as(&app, &token, "application/json; charset=utf-8", &json).await;
        assert_eq!(counts(&reply), (3, 3, 0));
        // The same batch again changes nothing.
        let reply = post_as(&app, &token, "application/json", &json).await;
        assert_eq!(counts(&reply), (3, 0, 3));

        // Tall CSV: one point already stored, one new, one late (before all others).
        let tall = "tag,time,value,quality\n\
                    OUT17.FLOW,2024-05-01 08:01,3.5,good\n\
                    OUT17.FLOW,2024-05-01 08:03,3.7,good\n\
                    OUT17.FLOW,2024-05-01 07:00,2.9,bad\n";
        let reply = post_as(&app, &token, "text/csv", tall).await;
        assert_eq!(counts(&reply), (3, 2, 1));

        // Wide CSV: a time a line, a tag a column, an empty cell no point.
        let wide = "time,OUT17.FLOW,OUT17.TURB,P1.LEVEL\n\
                    2024-05-01 08:04,3.8,1.3,\n\
                    2024-05-01 08:05,,1.4,12.25\n";
        let reply = post_as(&app, &token, "text/csv", wide).await;
        assert_eq!(counts(&reply), (4, 4, 0));
        assert_eq!(points(&app).await, 9);
        let quality = app
            .count(
                "SELECT quality FROM points JOIN tags ON tags.id = points.tag_id \
                 WHERE code = 'OUT17.FLOW' AND at = (SELECT MIN(at) FROM points)",
            )
            .await;
        assert_eq!(quality, 2, "the late point kept its quality");

        // Neither JSON nor CSV.
        post_as(&app, &token, "text/plain", tall)
            .await
            .assert_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "text/plain",
            );
        // The token's use is audited once, not per batch or point.
        let audited = app
            .count(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'ingest_source' \
                 AND entity_id = 'scada-1' AND username = 'source:scada-1'",
            )
            .await;
        assert_eq!(audited, 1, "one audit entry for the source's first hour");
        app.state.store.close().await;
    }
}

/// The (line, field) of each fault of a 422 answer.
fn faults(reply: &Reply) -> Vec<(u64, String)> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let json = reply.json();
    assert_eq!(json["code"], "rejected", "{json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    json["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["field"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_bad_input_is_refused_naming_row_and_field_and_writes_nothing() {
    let good_csv = "OUT17.FLOW,2024-05-01 08:00,3.5\n";
    let good_json = r#"{"tag": "OUT17.FLOW", "time": "2024-05-01 08:00", "value": 1}"#;
    // (what, content type, body, the fault expected)
    let cases: Vec<(&str, &str, String, (u64, &str))> = vec![
        (
            "unknown tag",
            "text/csv",
            format!("tag,time,value\n{good_csv}NOPE,2024-05-01 08:00,3.5\n"),
            (3, "tag"),
        ),
        (
            "unreadable time",
            "text/csv",
            format!("tag,time,value\n{good_csv}OUT17.FLOW,yesterday noon,3.5\n"),
            (3, "time"),
        ),
        (
            "time in the future",
            "text/csv",
            format!("tag,time,value\n{good_csv}OUT17.FLOW,2999-01-01 00:00,3.5\n"),
            (3, "time"),
        ),
        (
            "NaN in CSV",
            "text/csv",
            format!("tag,time,value\n{good_csv}OUT17.FLOW,2024-05-01 08:01,NaN\n"),
            (3, "value"),
        ),
        (
            "NaN in JSON",
            "application/json",
            format!(
                "{{\"points\": [\n{good_json},\n{{\"tag\": \"OUT17.FLOW\", \"time\": \"2024-05-01 08:01\", \"value\": \"NaN\"}}\n]}}"
            ),
            (3, "points[1].value"),
        ),
        (
            "outside the quantity's plausible range",
            "text/csv",
            format!("tag,time,value\n{good_csv}OUT17.TURB,2024-05-01 08:00,-4\n"),
            (3, "value"),
        ),
        (
            "another unit",
            "text/csv",
            format!("tag,time,value,unit\n{}OUT17.FLOW,2024-05-01 08:01,3500,L/s\n", "OUT17.FLOW,2024-05-01 08:00,3.5,m3/s\n"),
            (3, "unit"),
        ),
        (
            "a wide file's bad cell",
            "text/csv",
            "time,OUT17.FLOW,OUT17.TURB\n2024-05-01 08:00,3.5,1\n2024-05-01 08:01,3.6,cloudy\n".into(),
            (3, "OUT17.TURB"),
        ),
        (
            "an unknown quality",
            "application/json",
            format!(
                "[{good_json},\n{{\"tag\": \"OUT17.FLOW\", \"time\": \"2024-05-01 08:02\", \"value\": 2, \"quality\": \"shaky\"}}]"
            ),
            (2, "points[1].quality"),
        ),
    ];
    for store in stores("live_bad").await {
        let (app, token) = app(store).await;
        for (what, content_type, body, (line, field)) in &cases {
            let reply = post_as(&app, &token, content_type, body).await;
            assert_eq!(
                faults(&reply),
                vec![(*line, field.to_string())],
                "{what}: {}",
                reply.text()
            );
            assert_eq!(points(&app).await, 0, "{what}: a point was written");
            assert_eq!(
                app.count("SELECT COUNT(*) FROM point_rollups").await,
                0,
                "{what}"
            );
        }
        // Not JSON at all, and an empty body.
        let reply = post_as(&app, &token, "application/json", "{\"points\": [").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        post_as(&app, &token, "text/csv", "").await.assert_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "empty body",
        );
        assert_eq!(points(&app).await, 0);
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn a_batch_over_the_limits_is_413_and_writes_nothing() {
    for store in stores("live_413").await {
        let (app, token) = app_with(store, |state| {
            state.ingest_limits.max_points = 10;
            state.ingest_limits.max_bytes = 2_000;
        })
        .await;
        let rows = |n: usize| -> String {
            let mut text = String::from("tag,time,value\n");
            for minute in 0..n {
                text.push_str(&format!("OUT17.FLOW,2024-05-01 08:{minute:02},3.5\n"));
            }
            text
        };
        assert_eq!(
            counts(&post_as(&app, &token, "text/csv", &rows(10)).await),
            (10, 10, 0)
        );
        post_as(&app, &token, "text/csv", &rows(11))
            .await
            .assert_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "11 points",
            );
        let mut long = rows(5);
        long.push_str(&"#".repeat(2_000));
        post_as(&app, &token, "text/csv", &long).await.assert_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "over 2,000 bytes",
        );
        assert_eq!(points(&app).await, 10, "a refused batch wrote points");
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn a_source_over_its_rate_is_429_with_retry_after_and_others_go_on() {
    for store in stores("live_429").await {
        // Four batches a minute: a burst of one, then one every 15 s.
        let (app, token) = app_with(store, |state| {
            state.ingest_rate = Arc::new(RateLimiter::new(4));
        })
        .await;
        let (_, other) = telemetry::create_token(&app.state.store, "analyser-2", "admin")
            .await
            .unwrap();
        let body = "tag,time,value\nOUT17.FLOW,2024-05-01 08:00,3.5\n";
        assert_eq!(counts(&post_as(&app, &token, "text/csv", body).await).1, 1);
        let refused = post_as(
            &app,
            &token,
            "text/csv",
            "tag,time,value\nOUT17.FLOW,2024-05-01 08:01,3.5\n",
        )
        .await;
        refused.assert_error(StatusCode::TOO_MANY_REQUESTS, "throttled", "second batch");
        let wait: u64 = refused.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=15).contains(&wait), "Retry-After {wait}");
        assert_eq!(points(&app).await, 1, "the refused batch wrote a point");
        assert_eq!(
            counts(&post_as(&app, &other, "text/csv", body).await),
            (1, 0, 1)
        );
        app.state.store.close().await;
    }
}

/// Station time (UTC+8) `seconds_ago` seconds ago, as `YYYY-MM-DD HH:MM:SS`.
fn station_time_ago(seconds_ago: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::seconds(seconds_ago))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn the_tags_list_gives_each_latest_point_its_age_and_staleness() {
    for store in stores("live_tags").await {
        let (app, token) = app(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let latest_time = station_time_ago(30);
        let body = format!(
            "tag,time,value,quality\n\
             OUT17.FLOW,{},3.25,good\n\
             OUT17.FLOW,{latest_time},3.5,uncertain\n\
             OUT17.TURB,{},0.8,good\n",
            station_time_ago(90),
            station_time_ago(3_600),
        );
        counts(&post_as(&app, &token, "text/csv", &body).await);
        app.get("/api/v1/tags", None).await.assert_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "no session",
        );
        let reply = app.get("/api/v1/tags", Some(&viewer)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let tags = reply.json();
        let tag = |code: &str| -> Value {
            tags.as_array()
                .unwrap()
                .iter()
                .find(|t| t["code"] == code)
                .cloned()
                .unwrap_or_else(|| panic!("{code} in {tags}"))
        };
        let flow = tag("OUT17.FLOW");
        assert_eq!(flow["latest"]["value"], 3.5, "{flow}");
        assert_eq!(flow["latest"]["quality"], "uncertain");
        assert_eq!(flow["latest"]["time"], latest_time.as_str());
        let age = flow["age_s"].as_i64().unwrap();
        assert!((30..=40).contains(&age), "age {age}");
        assert_eq!(flow["stale"], false);
        let turbidity = tag("OUT17.TURB");
        assert_eq!(
            turbidity["stale"], true,
            "an hour old at a minute's interval"
        );
        let level = tag("P1.LEVEL");
        assert!(
            level["latest"].is_null() && level["age_s"].is_null(),
            "{level}"
        );
        assert_eq!(level["stale"], true, "never a point");
        app.state.store.close().await;
    }
}

async fn series(app: &TestApp, session: &Session, query: &str) -> Reply {
    app.get(
        &format!("/api/v1/tags/OUT17.FLOW/points?{query}"),
        Some(session),
    )
    .await
}

#[tokio::test]
async fn a_series_is_read_raw_or_from_rollups_by_step() {
    for store in stores("live_series").await {
        let (app, token) = app(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        // Two hours of minute points, value = the minute of the day.
        let mut body = String::from("tag,time,value\n");
        for minute in 0..120 {
            body.push_str(&format!(
                "OUT17.FLOW,2024-05-01 {:02}:{:02},{minute}\n",
                minute / 60,
                minute % 60
            ));
        }
        counts(&post_as(&app, &token, "text/csv", &body).await);
        let range = "from=2024-05-01%2000:00&to=2024-05-01%2002:00";
        // (step asked, step read, points, count per point, first mean)
        for (step, read, length, count, first) in [
            ("&step=0", 0, 120, 1, 0.0),
            ("&step=60", 60, 120, 1, 0.0),
            ("&step=900", 900, 8, 15, 7.0),
            ("&step=3600", 3600, 2, 60, 29.5),
            ("", 0, 120, 1, 0.0),
        ] {
            let reply = series(&app, &viewer, &format!("{range}{step}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{step}: {}", reply.text());
            let json = reply.json();
            let points = json["points"].as_array().unwrap();
            assert_eq!(
                (json["step_s"].as_i64().unwrap(), points.len()),
                (read, length),
                "{step}"
            );
            assert!(points.iter().all(|p| p["count"] == count), "{step}: {json}");
            assert_eq!(points[0]["mean"], first, "{step}");
            assert_eq!(points[0]["time"], "2024-05-01 00:00:00", "{step}");
            assert_eq!(json["unit"], "m3/s");
        }
        let hour = series(&app, &viewer, &format!("{range}&step=3600"))
            .await
            .json();
        assert_eq!(
            (
                hour["points"][1]["min"].as_f64(),
                hour["points"][1]["max"].as_f64()
            ),
            (Some(60.0), Some(119.0))
        );
        for (query, status) in [
            (
                "from=2024-05-01%2002:00&to=2024-05-01%2000:00",
                StatusCode::BAD_REQUEST,
            ),
            ("from=yesterday", StatusCode::BAD_REQUEST),
            ("step=abc", StatusCode::BAD_REQUEST),
            (
                "from=2001-01-01&to=2024-01-01&step=60",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let reply = series(&app, &viewer, query).await;
            assert_eq!(reply.status, status, "{query}: {}", reply.text());
            assert!(reply.json()["code"].is_string());
        }
        app.get("/api/v1/tags/NOPE/points", Some(&viewer))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found", "unknown tag");
        app.state.store.close().await;
    }
}

/// A page as `session` in `language`.
async fn page(app: &TestApp, session: &Session, path: &str, language: &str) -> Reply {
    let request = Request::builder()
        .uri(path)
        .header(
            header::COOKIE,
            format!("{}; dj_lang={language}", session.cookie),
        )
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn the_live_pages_render_in_both_languages_escaped_and_linked() {
    for store in stores("live_pages").await {
        let (app, token) = app(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let mut body = String::from("tag,time,value\n");
        for minutes_ago in (1..=240).rev() {
            body.push_str(&format!(
                "OUT17.FLOW,{},{}\n",
                station_time_ago(minutes_ago * 60),
                3.0 + (minutes_ago as f64 / 20.0).sin()
            ));
        }
        counts(&post_as(&app, &token, "text/csv", &body).await);
        for (language, title, stale) in [("en", "Live tags", "stale"), ("zh", "实时测点", "过时")]
        {
            let reply = page(&app, &viewer, "/live", language).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let html = reply.text();
            assert!(html.contains(title), "{language}: {html}");
            assert!(html.contains(stale), "{language}");
            assert!(
                html.contains("href=\"/live/tags/OUT17.FLOW\""),
                "{language}"
            );
            assert!(
                html.contains("Outlet &lt;i&gt;17&lt;/i&gt; flow"),
                "escaped name"
            );
            assert!(!html.contains("<i>17</i>"), "a tag's name unescaped");
            assert!(html.contains("class=\"sparkline\"") && html.contains("<polyline"));
            assert!(
                html.contains("/static/live.js") && html.contains("data-refresh=\"/api/v1/tags\"")
            );
            assert!(html.contains("href=\"/live\""), "in the navigation");

            for range in ["1h", "6h", "24h", "7d", "30d", "1y", "all"] {
                let path = format!("/live/tags/OUT17.FLOW?range={range}");
                let reply = page(&app, &viewer, &path, language).await;
                assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
                let html = reply.text();
                assert!(
                    html.contains("<svg") && html.contains("tag-chart"),
                    "{path}"
                );
                assert!(html.contains("class=\"here\""), "{path}: the range marked");
                assert!(!html.contains("<i>17</i>"), "{path}: unescaped");
            }
        }
        let zh = page(&app, &viewer, "/live/tags/OUT17.FLOW?range=6h", "zh")
            .await
            .text();
        assert!(zh.contains("近 6 小时") && zh.contains("平均值"), "{zh}");
        let reply = page(&app, &viewer, "/live/tags/OUT17.FLOW?range=forever", "en").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let reply = page(&app, &viewer, "/live/tags/NOPE", "en").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let script = app.get("/static/live.js", None).await;
        assert_eq!(script.status, StatusCode::OK);
        assert!(script.text().contains("/api/v1/tags") || script.text().contains("refresh"));
        app.state.store.close().await;
    }
}

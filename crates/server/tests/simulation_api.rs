//! The map, runs and incident endpoints: refusals (no session, viewer, CSRF, malformed bodies),
//! a hydraulic run and an incident run of the demo from start to results, and their pages.

mod common;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::{scratch_folder, stores, Session, TestApp};
use danjiang_server::web::state::RunLimits;
use serde_json::{json, Value};

/// Result files of every test go to one scratch folder (names are random per run).
fn use_temporary_data_folder() {
    let folder = scratch_folder().join("runs");
    std::env::set_var("DANJIANG_DATA_DIR", folder);
}

async fn wait_until_done(app: &TestApp, session: &Session, id: i64) -> Value {
    let started = Instant::now();
    loop {
        let reply = app.get(&format!("/api/v1/runs/{id}"), Some(session)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let run = reply.json();
        let status = run["status"].as_str().unwrap_or_default().to_string();
        assert!(
            (0.0..=1.0).contains(&run["progress"].as_f64().unwrap_or(-1.0)),
            "progress between 0 and 1: {run}"
        );
        if status == "done" || status == "failed" {
            return run;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {id} still {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_of_the_simulation_endpoints() {
    use_temporary_data_folder();
    for store in stores("simulation_refusals").await {
        let app = TestApp::demo(store).await;
        // No session.
        for path in [
            "/api/v1/runs",
            "/api/v1/incidents",
            "/api/v1/network",
            "/api/v1/network/nodes/W001",
        ] {
            app.get(path, None).await.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                path,
            );
        }
        app.call(
            Method::POST,
            "/api/v1/runs",
            None,
            None,
            Some(("application/json", "{}")),
        )
        .await
        .assert_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "run without a session",
        );
        // A viewer reads but cannot start anything.
        let viewer = app.login("viewer", "danjiang-viewer").await;
        assert_eq!(
            app.get("/api/v1/runs", Some(&viewer)).await.status,
            StatusCode::OK
        );
        app.json(Method::POST, "/api/v1/runs", &viewer, &json!({}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden", "viewer starts a run");
        let incident =
            json!({"node": "W001", "kind": "mass", "strength": 100.0, "duration_s": 3600});
        app.json(Method::POST, "/api/v1/incidents", &viewer, &incident)
            .await
            .assert_error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "viewer starts an incident",
            );
        let reply = app
            .form(
                "/incidents",
                Some(&viewer),
                &[
                    ("csrf", &viewer.csrf),
                    ("node", "W001"),
                    ("kind", "mass"),
                    ("strength", "1"),
                    ("start_h", "0"),
                    ("duration_h", "1"),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "viewer posts the incident form"
        );
        // An operator without the CSRF token, or with a wrong one.
        let operator = app.login("operator", "danjiang-operator").await;
        app.call(
            Method::POST,
            "/api/v1/runs",
            Some(&operator),
            None,
            Some(("application/json", "{}")),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf", "no CSRF header");
        app.call(
            Method::POST,
            "/api/v1/incidents",
            Some(&operator),
            Some("wrong"),
            Some(("application/json", &incident.to_string())),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf", "wrong CSRF header");
        let reply = app
            .form("/runs", Some(&operator), &[("csrf", "wrong")])
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "run form with a wrong token"
        );
        // Malformed and impossible bodies.
        let bad_bodies = [
            ("/api/v1/incidents", "{"),
            ("/api/v1/incidents", "[]"),
            (
                "/api/v1/incidents",
                r#"{"node": "W001", "kind": "poison", "strength": 1, "duration_s": 60}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "W001", "kind": "mass", "strength": 1, "duration_s": 60, "extra": 1}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "NOPE", "kind": "mass", "strength": 1, "duration_s": 60}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "W001", "kind": "mass", "strength": -1, "duration_s": 60}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "W001", "kind": "mass", "strength": 1, "duration_s": 0}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "W001", "kind": "mass", "strength": 1, "duration_s": 60, "start_s": 999999}"#,
            ),
            (
                "/api/v1/incidents",
                r#"{"node": "R-OUT15", "kind": "mass", "strength": 1, "duration_s": 60}"#,
            ),
            (
                "/api/v1/runs",
                r#"{"inp": "[JUNCTIONS]\n J1 abc\n[END]\n"}"#,
            ),
            ("/api/v1/runs", r#"{"network": "other"}"#),
        ];
        for (path, body) in bad_bodies {
            let reply = app
                .call(
                    Method::POST,
                    path,
                    Some(&operator),
                    Some(&operator.csrf),
                    Some(("application/json", body)),
                )
                .await;
            reply.assert_error(StatusCode::BAD_REQUEST, "bad_request", body);
        }
        for path in [
            "/api/v1/runs/999999",
            "/api/v1/network/nodes/NOPE",
            "/api/v1/network/links/NOPE",
        ] {
            app.get(path, Some(&viewer)).await.assert_error(
                StatusCode::NOT_FOUND,
                "not_found",
                path,
            );
        }
        for path in [
            "/api/v1/runs/abc",
            "/api/v1/runs?kind=other",
            "/api/v1/runs?limit=0",
        ] {
            app.get(path, Some(&viewer)).await.assert_error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                path,
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM simulation_runs").await,
            0,
            "nothing refused was started"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hydraulic_run_of_the_demo_from_start_to_map() {
    use_temporary_data_folder();
    for store in stores("simulation_run").await {
        let app = TestApp::demo(store).await;
        let operator = app.login("operator", "danjiang-operator").await;
        let reply = app
            .json(Method::POST, "/api/v1/runs", &operator, &json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let id = reply.json()["id"].as_i64().expect("a run id");
        let run = wait_until_done(&app, &operator, id).await;
        assert_eq!(run["status"], "done", "{run}");
        assert_eq!(run["progress"].as_f64(), Some(1.0));
        // 24 hours reported hourly: 25 periods.
        assert_eq!(run["summary"]["periods"], 25, "{run}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'simulation_run' AND action = 'create'")
                .await,
            1,
            "the run is audited"
        );
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let list = app
            .get("/api/v1/runs?kind=hydraulic", Some(&viewer))
            .await
            .json();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["id"], id);

        let network = app.get("/api/v1/network", Some(&viewer)).await.json();
        let nodes = network["junctions"].as_u64().unwrap()
            + network["reservoirs"].as_u64().unwrap()
            + network["tanks"].as_u64().unwrap();
        let values = app
            .get(
                &format!("/api/v1/runs/{id}/values?quantity=pressure&period=8"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(values["periods"], 25);
        assert_eq!(values["time_s"], 8 * 3600);
        assert_eq!(values["unit"], "m");
        let pressures = values["values"].as_array().unwrap();
        assert_eq!(pressures.len() as u64, nodes);
        // The demo's README: no negative pressures anywhere.
        assert!(
            pressures
                .iter()
                // Reservoirs report head minus elevation in single precision: +-1e-5 m.
                .all(|p| p.as_f64().is_some_and(|p| p >= -1e-4)),
            "{values}"
        );
        let flows = app
            .get(
                &format!("/api/v1/runs/{id}/values?quantity=flow&period=0"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(
            flows["values"].as_array().unwrap().len() as u64,
            network["pipes"].as_u64().unwrap()
                + network["pumps"].as_u64().unwrap()
                + network["valves"].as_u64().unwrap()
        );
        app.get(
            &format!("/api/v1/runs/{id}/values?quantity=salinity"),
            Some(&viewer),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request", "unknown quantity");
        app.get(
            &format!("/api/v1/runs/{id}/values?period=25"),
            Some(&viewer),
        )
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "period past the end",
        );

        // A plant's data and series.
        let plant = app
            .get(
                &format!("/api/v1/network/nodes/P-ZHOUZHUANG?run={id}"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(plant["kind"], "junction");
        assert_eq!(plant["asset"]["code"], "P-ZHOUZHUANG");
        let pressure = plant["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["quantity"] == "pressure")
            .expect("a pressure series");
        assert_eq!(pressure["points"].as_array().unwrap().len(), 25);
        // The same pressure as the values endpoint at that period.
        let index = values["ids"]
            .as_array()
            .unwrap()
            .iter()
            .position(|i| i == "P-ZHOUZHUANG")
            .unwrap();
        assert_eq!(pressure["points"][8][1], values["values"][index]);
        let pipe = app
            .get(
                &format!("/api/v1/network/links/L15-01?run={id}"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(pipe["kind"], "pipe");
        assert!(pipe["series"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["quantity"] == "flow"));

        // The pages: the map coloured by the run, the map alone, an element's charts.
        let page = app
            .get(
                &format!("/map?run={id}&quantity=pressure&period=8"),
                Some(&viewer),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("class=\"dj-drawing dj-map\""),
            "the map is drawn"
        );
        assert!(html.contains("data-id=\"P-ZHOUZHUANG\""));
        assert!(html.contains("dj-c0"), "coloured by classes");
        // The classes span the junctions' pressures: the lowest class has junctions in it (a
        // reservoir's round-off pressure, -2.8e-6 m in EPANET's file too, once made a class
        // of its own that no junction fell in).
        for period in [0, 8] {
            let html = app
                .get(
                    &format!("/map?run={id}&quantity=pressure&period={period}"),
                    Some(&viewer),
                )
                .await
                .text();
            assert!(
                html.contains("class=\"dj-node dj-c0\""),
                "period {period}: no junction in the lowest pressure class"
            );
        }
        let svg = app
            .get(
                &format!("/map.svg?run={id}&quantity=flow&period=3"),
                Some(&viewer),
            )
            .await;
        assert_eq!(svg.status, StatusCode::OK);
        assert!(svg.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml"));
        assert!(svg.text().starts_with("<svg"));
        let charts = app
            .get(
                &format!("/map/charts?kind=node&id=P-ZHOUZHUANG&run={id}"),
                Some(&viewer),
            )
            .await;
        assert_eq!(charts.status, StatusCode::OK);
        assert!(charts.text().matches("<svg").count() >= 3);
        let openapi = app.get("/api/openapi.json", None).await.json();
        for path in [
            "/api/v1/runs",
            "/api/v1/runs/{id}/values",
            "/api/v1/incidents",
            "/api/v1/network/nodes/{id}",
        ] {
            assert!(openapi["paths"].get(path).is_some(), "{path} documented");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_reaches_plants_downstream_and_names_valves() {
    use_temporary_data_folder();
    for store in stores("simulation_incident").await {
        let app = TestApp::demo(store).await;
        let operator = app.login("operator", "danjiang-operator").await;
        // At the start of outlet No. 17's trunk, which feeds the urban plants.
        let reply = app
            .json(
                Method::POST,
                "/api/v1/incidents",
                &operator,
                &json!({"node": "X17", "kind": "mass", "strength": 50000.0, "start_s": 3600, "duration_s": 7200}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let id = reply.json()["id"].as_i64().unwrap();
        let run = wait_until_done(&app, &operator, id).await;
        assert_eq!(run["status"], "done", "{run}");
        let summary = &run["summary"];
        let plants = summary["plants"].as_array().unwrap();
        assert_eq!(plants.len(), 8, "every plant of the register: {summary}");
        let reached: Vec<&Value> = plants
            .iter()
            .filter(|p| !p["arrival_s"].is_null())
            .collect();
        assert!(!reached.is_empty(), "some plant is reached: {summary}");
        assert!(
            reached.len() < 8,
            "plants fed by other outlets are not: {summary}"
        );
        for plant in &reached {
            let arrival = plant["arrival_s"].as_u64().unwrap();
            assert!(
                arrival >= 3600,
                "nothing arrives before the injection starts: {plant}"
            );
            assert!(plant["peak_time_s"].as_u64().unwrap() >= arrival);
            assert!(plant["peak"].as_f64().unwrap() > summary["threshold"].as_f64().unwrap());
        }
        for plant in plants.iter().filter(|p| p["arrival_s"].is_null()) {
            assert!(plant["peak"].as_f64().unwrap() <= summary["threshold"].as_f64().unwrap());
        }
        assert!(summary["nodes_reached"].as_u64().unwrap() >= reached.len() as u64);
        assert!(
            !summary["valves"].as_array().unwrap().is_empty(),
            "valves to close: {summary}"
        );

        let viewer = app.login("viewer", "danjiang-viewer").await;
        let frames = summary["frame_times"].as_array().unwrap().len();
        let last = app
            .get(
                &format!("/api/v1/runs/{id}/values?period={}", frames - 1),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(last["quantity"], "quality");
        assert_eq!(last["unit"], "mg/L");
        app.get(
            &format!("/api/v1/runs/{id}/values?quantity=pressure"),
            Some(&viewer),
        )
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "pressure of an incident",
        );
        let page = app
            .get(&format!("/incidents/{id}?period=4"), Some(&viewer))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("plants-table") && html.contains("valves-table"),
            "tables"
        );
        assert!(html.contains("plant-concentration"), "the chart");
        assert!(html.contains("dj-mark-injection") && html.contains("dj-mark-isolating"));
        let list = app.get("/incidents", Some(&viewer)).await;
        assert!(list.text().contains(&format!("/incidents/{id}")));
        // The page form: operator with the token starts one and is sent to it.
        let reply = app
            .form(
                "/incidents",
                Some(&operator),
                &[
                    ("csrf", &operator.csrf),
                    ("node", "W001"),
                    ("kind", "concentration"),
                    ("strength", "5"),
                    ("start_h", "0.5"),
                    ("duration_h", "1"),
                    ("threshold", "0.01"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert!(reply.location().starts_with("/incidents/"));
        let bad = app
            .form(
                "/incidents",
                Some(&operator),
                &[
                    ("csrf", &operator.csrf),
                    ("node", "W001"),
                    ("kind", "mass"),
                    ("strength", "lots"),
                    ("start_h", "0"),
                    ("duration_h", "1"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_over_the_limits_is_refused_before_it_is_queued() {
    use_temporary_data_folder();
    for store in stores("simulation_limits").await {
        let demo = TestApp::demo(store).await;
        let operator = demo.login("operator", "danjiang-operator").await;
        for (limits, figure, option) in [
            (
                RunLimits {
                    max_periods: 3,
                    ..RunLimits::default()
                },
                "time steps",
                "--run-max-periods",
            ),
            (
                RunLimits {
                    max_output_gb: 1e-6,
                    ..RunLimits::default()
                },
                "bytes of results",
                "--run-max-output-gb",
            ),
        ] {
            let mut state = demo.state.clone();
            state.run_limits = limits;
            let app = TestApp {
                router: danjiang_server::router(state.clone()),
                state,
            };
            let before = app.count("SELECT COUNT(*) FROM simulation_runs").await;
            let reply = app
                .json(Method::POST, "/api/v1/runs", &operator, &json!({}))
                .await;
            reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "over_limit", option);
            let message = reply.json()["message"].as_str().unwrap().to_string();
            assert!(
                message.contains(figure) && message.contains(option),
                "{message}"
            );
            let after = app.count("SELECT COUNT(*) FROM simulation_runs").await;
            assert_eq!(after, before, "nothing queued: {message}");
        }
        // Within the limits the same run is queued.
        let reply = demo
            .json(Method::POST, "/api/v1/runs", &operator, &json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        wait_until_done(&demo, &operator, reply.json()["id"].as_i64().unwrap()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_a_stopped_server_left_unfinished_fail_when_it_starts() {
    use_temporary_data_folder();
    for store in stores("simulation_interrupted").await {
        let app = TestApp::demo(store).await;
        let operator = app.login("operator", "danjiang-operator").await;
        let done = app
            .json(Method::POST, "/api/v1/runs", &operator, &json!({}))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        wait_until_done(&app, &operator, done).await;
        // What a crash leaves: a run queued and one running, never to end.
        let mut left = Vec::new();
        for status in ["queued", "running"] {
            let record = danjiang_server::simulation::runs::create(
                &app.state.store,
                danjiang_server::simulation::runs::RunKind::Hydraulic,
                "demo",
                None,
                &json!({}),
                "operator",
            )
            .await
            .unwrap();
            sqlx::query("UPDATE simulation_runs SET status = $1 WHERE id = $2")
                .bind(status)
                .bind(record.id)
                .execute(app.state.store.pool())
                .await
                .unwrap();
            left.push(record.id);
        }
        let (ready, bound) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(danjiang_server::serve(
            app.state.clone(),
            "127.0.0.1:0".parse().unwrap(),
            move |address| {
                let _ = ready.send(address);
            },
        ));
        bound.await.expect("the server starts");
        server.abort();
        for id in left {
            let run = app
                .get(&format!("/api/v1/runs/{id}"), Some(&operator))
                .await
                .json();
            assert_eq!(run["status"], "failed", "{run}");
            assert!(
                run["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("interrupted by a server restart")),
                "{run}"
            );
            assert!(run["finished_at"].is_string(), "{run}");
            let audited = app
                .count(&format!(
                    "SELECT COUNT(*) FROM audit_log WHERE entity = 'simulation_run' \
                     AND entity_id = '{id}' AND username = 'system'"
                ))
                .await;
            assert_eq!(audited, 1, "run {id}");
        }
        let run = app
            .get(&format!("/api/v1/runs/{done}"), Some(&operator))
            .await
            .json();
        assert_eq!(run["status"], "done", "a finished run stays: {run}");
    }
}

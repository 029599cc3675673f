//! API tests of every endpoint, with the refusals: no session, wrong role (a viewer can change
//! nothing: every changing endpoint is tried), missing or wrong CSRF token, malformed requests
//! (always a 4xx JSON error). Run on SQLite and, when configured, PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{stores, Session, TestApp};
use danjiang_ops::{compute_ledger, Grouping, LedgerQuery, Period};
use serde_json::json;

/// Every changing API call: method, path, a valid body for an operator/admin.
fn changing_calls() -> Vec<(Method, &'static str, serde_json::Value)> {
    vec![
        (
            Method::PUT,
            "/api/v1/plans",
            json!({ "asset_code": "OUT17", "water_year": 2021, "month": 3, "volume_m3": 1234.0 }),
        ),
        (
            Method::POST,
            "/api/v1/users",
            json!({ "username": "newcomer", "password": "long enough", "role": "viewer" }),
        ),
        (
            Method::PATCH,
            "/api/v1/users/operator",
            json!({ "role": "viewer" }),
        ),
    ]
}

/// Every reading API call.
const READING_PATHS: [&str; 11] = [
    "/api/v1/overview",
    "/api/v1/ledger",
    "/api/v1/ledger.csv",
    "/api/v1/assets",
    "/api/v1/assets/OUT17",
    "/api/v1/outlets",
    "/api/v1/plants",
    "/api/v1/plans",
    "/api/v1/users",
    "/api/v1/audit",
    "/api/v1/session",
];

async fn snapshot(app: &TestApp) -> (i64, i64, f64) {
    use sqlx::Row;
    let plans: f64 = sqlx::query("SELECT COALESCE(SUM(volume_m3), 0) FROM plans")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    (
        app.count("SELECT COUNT(*) FROM users").await,
        app.count("SELECT COUNT(*) FROM users WHERE role = 'operator'")
            .await,
        plans,
    )
}

#[tokio::test]
async fn refusals_roles_csrf_and_audit() {
    for store in stores("refusals").await {
        let app = TestApp::demo(store).await;
        let before = snapshot(&app).await;

        // No session: every endpoint, reading or changing, is refused with a JSON 401.
        for path in READING_PATHS {
            app.get(path, None).await.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                path,
            );
        }
        for (method, path, body) in changing_calls() {
            let reply = app
                .call(
                    method,
                    path,
                    None,
                    Some("anything"),
                    Some(("application/json", &body.to_string())),
                )
                .await;
            reply.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", path);
        }
        // A forged cookie is no session.
        let forged = Session {
            cookie: "dj_session=00ff".into(),
            csrf: "00ff".into(),
        };
        app.get("/api/v1/overview", Some(&forged))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", "forged cookie");

        // Wrong password.
        app.call(
            Method::POST,
            "/api/v1/session",
            None,
            None,
            Some((
                "application/json",
                &json!({"username": "admin", "password": "wrong password"}).to_string(),
            )),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_login", "wrong password");

        // A viewer reads everything but users and audit, and changes nothing.
        let viewer = app.login("viewer", "danjiang-viewer").await;
        for path in READING_PATHS {
            let reply = app.get(path, Some(&viewer)).await;
            if path == "/api/v1/users" || path == "/api/v1/audit" {
                reply.assert_error(StatusCode::FORBIDDEN, "forbidden", path);
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "viewer {path}: {}",
                    reply.text()
                );
            }
        }
        for (method, path, body) in changing_calls() {
            app.json(method, path, &viewer, &body).await.assert_error(
                StatusCode::FORBIDDEN,
                "forbidden",
                path,
            );
        }
        // ... nor through the page forms.
        for (path, fields) in [
            (
                "/plans",
                vec![
                    ("asset_code", "OUT17"),
                    ("water_year", "2021"),
                    ("month", "3"),
                    ("volume_wan_m3", "1"),
                ],
            ),
            (
                "/admin/users",
                vec![
                    ("username", "sneaky"),
                    ("password", "long enough"),
                    ("role", "admin"),
                ],
            ),
            ("/admin/users/operator", vec![("role", "viewer")]),
        ] {
            let mut fields = fields.clone();
            fields.push(("csrf", viewer.csrf.as_str()));
            let reply = app.form(path, Some(&viewer), &fields).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "viewer form {path}: {}",
                reply.text()
            );
        }
        assert_eq!(snapshot(&app).await, before, "a viewer changed something");

        // An operator sets plans but not users; CSRF is required.
        let operator = app.login("operator", "danjiang-operator").await;
        let (_, _, plan_body) = &changing_calls()[0];
        for csrf in [None, Some("wrong"), Some("")] {
            app.call(
                Method::PUT,
                "/api/v1/plans",
                Some(&operator),
                csrf,
                Some(("application/json", &plan_body.to_string())),
            )
            .await
            .assert_error(
                StatusCode::FORBIDDEN,
                "csrf",
                "plan without the right token",
            );
        }
        // Another session's token is not this session's token.
        app.call(
            Method::PUT,
            "/api/v1/plans",
            Some(&operator),
            Some(&viewer.csrf),
            Some(("application/json", &plan_body.to_string())),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf", "another session's token");
        let form_reply = app
            .form(
                "/plans",
                Some(&operator),
                &[
                    ("asset_code", "OUT17"),
                    ("water_year", "2021"),
                    ("month", "3"),
                    ("volume_wan_m3", "1"),
                    ("csrf", "wrong"),
                ],
            )
            .await;
        assert_eq!(
            form_reply.status,
            StatusCode::FORBIDDEN,
            "plan form with a wrong token"
        );
        assert_eq!(
            snapshot(&app).await,
            before,
            "a refused call changed something"
        );

        for (method, path, body) in changing_calls().into_iter().skip(1) {
            app.json(method, path, &operator, &body).await.assert_error(
                StatusCode::FORBIDDEN,
                "forbidden",
                path,
            );
        }
        let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
        let reply = app
            .json(Method::PUT, "/api/v1/plans", &operator, plan_body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["volume_m3"], 1234.0);
        let plans = app
            .get("/api/v1/plans?water_year=2021", Some(&operator))
            .await
            .json();
        let stored = plans["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["asset_code"] == "OUT17" && p["month"] == 3)
            .cloned()
            .unwrap();
        assert_eq!(stored["volume_m3"], 1234.0);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log").await,
            audit_before + 1
        );

        // The page form sets a plan too (10⁴ m³), with an audit entry.
        let reply = app
            .form(
                "/plans",
                Some(&operator),
                &[
                    ("asset_code", "OUT17"),
                    ("water_year", "2021"),
                    ("month", "4"),
                    ("volume_wan_m3", "2.5"),
                    ("csrf", operator.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log").await,
            audit_before + 2
        );

        // An admin manages users; each change has its audit entry with before and after.
        let admin = app.login("admin", "danjiang-admin").await;
        let (method, path, body) = &changing_calls()[1];
        let reply = app.json(method.clone(), path, &admin, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        app.json(method.clone(), path, &admin, body)
            .await
            .assert_error(StatusCode::CONFLICT, "conflict", "a taken name");
        let (method, path, body) = &changing_calls()[2];
        let reply = app.json(method.clone(), path, &admin, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["role"], "viewer");
        // The operator's session now has viewer rights only.
        app.json(Method::PUT, "/api/v1/plans", &operator, plan_body)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden", "demoted operator");
        app.json(
            Method::PATCH,
            "/api/v1/users/admin",
            &admin,
            &json!({"role": "viewer"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request", "self-demotion");

        let audit = app.get("/api/v1/audit?limit=5", Some(&admin)).await.json();
        let entries = audit["items"].as_array().unwrap();
        let change = entries
            .iter()
            .find(|e| {
                e["entity"] == "user" && e["action"] == "update" && e["entity_id"] == "operator"
            })
            .expect("the role change is audited");
        assert_eq!(change["username"], "admin");
        assert_eq!(change["before"]["role"], "operator");
        assert_eq!(change["after"]["role"], "viewer");
        assert!(audit["total"].as_i64().unwrap() > 5);
        let plan_entry = app.get("/api/v1/audit?limit=50", Some(&admin)).await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entity"] == "plan" && e["entity_id"] == "OUT17/2021/3")
            .cloned()
            .expect("the plan change is audited");
        assert_eq!(plan_entry["username"], "operator");
        assert_eq!(plan_entry["after"]["volume_m3"], 1234.0);
        assert!(
            plan_entry["before"]["volume_m3"].is_number(),
            "{plan_entry}"
        );
        // No stored password hash leaks into the log.
        assert!(!app
            .get("/api/v1/audit?limit=1000", Some(&admin))
            .await
            .text()
            .contains("argon2"));

        // Logging out needs the token, ends the session, and is audited.
        app.call(Method::DELETE, "/api/v1/session", Some(&viewer), None, None)
            .await
            .assert_error(StatusCode::FORBIDDEN, "csrf", "logout without token");
        let reply = app
            .call(
                Method::DELETE,
                "/api/v1/session",
                Some(&viewer),
                Some(&viewer.csrf),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        app.get("/api/v1/session", Some(&viewer))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", "after logout");
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn malformed_requests_get_json_4xx() {
    for store in stores("malformed").await {
        let app = TestApp::demo(store).await;
        let operator = app.login("operator", "danjiang-operator").await;
        let admin = app.login("admin", "danjiang-admin").await;
        let cases: Vec<(Method, &str, Option<(&str, &str)>, &Session)> = vec![
            (Method::PUT, "/api/v1/plans", Some(("application/json", "{not json")), &operator),
            (Method::PUT, "/api/v1/plans", Some(("text/plain", "{}")), &operator),
            (Method::PUT, "/api/v1/plans", Some(("application/json", "{\"asset_code\": 5}")), &operator),
            (Method::PUT, "/api/v1/plans", Some(("application/json",
                "{\"asset_code\":\"OUT17\",\"water_year\":2021,\"month\":13,\"volume_m3\":1}")), &operator),
            (Method::PUT, "/api/v1/plans", Some(("application/json",
                "{\"asset_code\":\"OUT17\",\"water_year\":2021,\"month\":1,\"volume_m3\":-1}")), &operator),
            (Method::PUT, "/api/v1/plans", Some(("application/json",
                "{\"asset_code\":\"W001\",\"water_year\":2021,\"month\":1,\"volume_m3\":1,\"extra\":1}")), &operator),
            (Method::PUT, "/api/v1/plans", None, &operator),
            (Method::POST, "/api/v1/users", Some(("application/json",
                "{\"username\":\"Bad Name\",\"password\":\"long enough\",\"role\":\"viewer\"}")), &admin),
            (Method::POST, "/api/v1/users", Some(("application/json",
                "{\"username\":\"short\",\"password\":\"short\",\"role\":\"viewer\"}")), &admin),
            (Method::POST, "/api/v1/users", Some(("application/json",
                "{\"username\":\"someone\",\"password\":\"long enough\",\"role\":\"root\"}")), &admin),
            (Method::PATCH, "/api/v1/users/nobody", Some(("application/json", "{\"role\":\"viewer\"}")), &admin),
            (Method::GET, "/api/v1/ledger?by=river", None, &operator),
            (Method::GET, "/api/v1/ledger?period=week", None, &operator),
            (Method::GET, "/api/v1/ledger?from=2020-13-01", None, &operator),
            (Method::GET, "/api/v1/ledger?from=2021-02-01&to=2021-01-01", None, &operator),
            (Method::GET, "/api/v1/ledger?limit=0", None, &operator),
            (Method::GET, "/api/v1/ledger?limit=abc", None, &operator),
            (Method::GET, "/api/v1/ledger?offset=-1", None, &operator),
            (Method::GET, "/api/v1/assets?kind=castle", None, &operator),
            (Method::GET, "/api/v1/assets/NO-SUCH-ASSET", None, &operator),
            (Method::GET, "/api/v1/plans?water_year=next", None, &operator),
            (Method::GET, "/api/v1/no/such/endpoint", None, &operator),
            (Method::POST, "/api/v1/ledger", None, &operator),
            (Method::DELETE, "/api/v1/assets", None, &operator),
        ];
        for (method, path, body, session) in cases {
            let what = format!("{method} {path} {body:?}");
            let reply = app
                .call(method, path, Some(session), Some(&session.csrf), body)
                .await;
            assert!(
                reply.status.is_client_error(),
                "{what}: {} {}",
                reply.status,
                reply.text()
            );
            let json = reply.json();
            assert!(
                json["code"].is_string() && json["message"].is_string(),
                "{what}: {json}"
            );
        }
        // The body limit answers in JSON too.
        let huge = format!("{{\"username\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
        let reply = app
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                None,
                Some(("application/json", &huge)),
            )
            .await;
        assert!(
            reply.status.is_client_error(),
            "huge body: {}",
            reply.status
        );
        assert!(reply.json()["code"].is_string());
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn reports_pagination_health_metrics_and_openapi() {
    for store in stores("reports").await {
        let app = TestApp::demo(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;

        // The ledger API gives the library's ledger, a page at a time.
        let library = compute_ledger(
            &app.state.store,
            LedgerQuery {
                by: Grouping::Use,
                period: Period::All,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        let page = app
            .get("/api/v1/ledger?by=use&period=all", Some(&viewer))
            .await
            .json();
        assert_eq!(page["total"], library.rows.len());
        let sum: f64 = library.rows.iter().map(|r| r.volume_m3).sum();
        assert!((page["total_volume_m3"].as_f64().unwrap() - sum).abs() < 1e-6 * sum);
        // The demo reproduces the published 4.86亿 m³ domestic supply.
        let domestic = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["use"] == "domestic")
            .unwrap();
        assert!(
            (domestic["volume_yi_m3"].as_f64().unwrap() - 4.86).abs() < 0.01,
            "{domestic}"
        );

        let all = app
            .get(
                "/api/v1/ledger?by=outlet&period=month&limit=1000",
                Some(&viewer),
            )
            .await
            .json();
        let window = app
            .get(
                "/api/v1/ledger?by=outlet&period=month&limit=3&offset=2",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(window["total"], all["total"]);
        assert_eq!(window["rows"].as_array().unwrap().len(), 3);
        assert_eq!(window["rows"][0], all["rows"][2]);
        assert_eq!(window["paging"], json!({"limit": 3, "offset": 2}));
        let beyond = app
            .get(
                "/api/v1/ledger?by=outlet&period=month&offset=100000",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(beyond["rows"].as_array().unwrap().len(), 0);
        let dated = app
            .get(
                "/api/v1/ledger?by=plant&period=day&from=2021-05-01&to=2021-05-31&limit=1000",
                Some(&viewer),
            )
            .await
            .json();
        for row in dated["rows"].as_array().unwrap() {
            assert!(
                row["period"].as_str().unwrap().starts_with("2021-05"),
                "{row}"
            );
        }

        let csv = app
            .get("/api/v1/ledger.csv?by=county&period=year", Some(&viewer))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let text = csv.text();
        assert!(text.starts_with("county,name,period,"), "{text}");
        assert!(text.lines().count() > 2);

        // The overview: as of the last metered day, with completion = delivered / plan.
        let overview = app.get("/api/v1/overview", Some(&viewer)).await.json();
        let year = &overview["year"];
        let pct =
            100.0 * year["delivered_m3"].as_f64().unwrap() / year["plan_m3"].as_f64().unwrap();
        assert!(
            (year["completion_pct"].as_f64().unwrap() - pct).abs() < 1e-6,
            "{overview}"
        );
        assert!(overview["months"].as_array().unwrap().len() >= 1);
        let last_day = app.count("SELECT MAX(d.day) FROM daily_volumes d JOIN meters m ON m.code = d.meter_code WHERE m.point = 'outlet'").await;
        assert_eq!(
            overview["as_of"],
            danjiang_ops::calendar::format_day(last_day)
        );
        let shares: f64 = overview["uses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["share_pct"].as_f64().unwrap())
            .sum();
        assert!((shares - 100.0).abs() < 1e-6);

        // Assets, outlets and plants, paginated with totals.
        let assets = app
            .get("/api/v1/assets?limit=10&offset=5", Some(&viewer))
            .await
            .json();
        assert_eq!(assets["items"].as_array().unwrap().len(), 10);
        assert_eq!(
            assets["total"],
            app.count("SELECT COUNT(*) FROM assets").await
        );
        let wells = app
            .get("/api/v1/assets?kind=well&limit=1000", Some(&viewer))
            .await
            .json();
        assert_eq!(
            wells["total"],
            app.count("SELECT COUNT(*) FROM assets WHERE kind = 'well'")
                .await
        );
        assert!(wells["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "well"));
        let plants = app.get("/api/v1/plants", Some(&viewer)).await.json();
        assert_eq!(plants["total"], 8);
        assert!(plants["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["people_served"].is_number()));
        let outlets = app.get("/api/v1/outlets", Some(&viewer)).await.json();
        assert_eq!(outlets["total"], 4);
        let outlet = app.get("/api/v1/assets/OUT17", Some(&viewer)).await.json();
        assert_eq!(outlet["code"], "OUT17");
        assert_eq!(outlet["kind"], "outlet");

        let session = app.get("/api/v1/session", Some(&viewer)).await.json();
        assert_eq!(session["user"]["role"], "viewer");
        assert_eq!(session["csrf_token"], viewer.csrf);

        // Health and metrics.
        let health = app.get("/health", None).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(health.json()["status"], "ok");
        let metrics = app.get("/metrics", None).await.text();
        assert!(metrics.contains("danjiang_http_requests_total{method=\"GET\",route=\"/api/v1/ledger\",status=\"200\"}"), "{metrics}");
        assert!(metrics.contains("danjiang_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/overview\""));

        // The OpenAPI document lists every API route; the docs page draws it.
        let document = app.get("/api/openapi.json", None).await.json();
        for path in READING_PATHS
            .iter()
            .filter(|p| **p != "/api/v1/assets/OUT17")
        {
            assert!(
                document["paths"][path].is_object(),
                "{path} missing from OpenAPI"
            );
        }
        assert!(document["paths"]["/api/v1/assets/{code}"]["get"].is_object());
        assert!(document["paths"]["/api/v1/users/{username}"]["patch"].is_object());
        assert!(document["paths"]["/api/v1/plans"]["put"].is_object());
        let docs = app.get("/api/docs", Some(&viewer)).await;
        assert_eq!(docs.status, StatusCode::OK);
        assert!(docs.text().contains("/api/v1/ledger"));
        app.state.store.close().await;
    }
}

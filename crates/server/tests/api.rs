//! API tests of every endpoint, with the refusals: no session, wrong role (a viewer can change
//! nothing: every changing endpoint is tried), missing or wrong CSRF token, malformed requests
//! (always a 4xx JSON error). Run on SQLite and, when configured, PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{scratch_folder, stores, Session, TestApp};
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
        // The store keeps the session token's SHA-256, never the token itself.
        let token = viewer.cookie.trim_start_matches("dj_session=");
        assert_eq!(token.len(), 64, "{}", viewer.cookie);
        let stored = |value: &str| format!("SELECT COUNT(*) FROM sessions WHERE token = '{value}'");
        assert_eq!(
            app.count(&stored(token)).await,
            0,
            "the token is stored as it is"
        );
        let digest = danjiang_server::accounts::token_digest(token);
        assert_eq!(
            app.count(&stored(&digest)).await,
            1,
            "the token's digest is stored"
        );
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
        // The annual plan stays the sum of the months: it changed with month 3, and both
        // changes are audited.
        let annual_is_sum = |plans: &serde_json::Value| {
            let items = plans["items"].as_array().unwrap();
            let of_outlet = |m: u64| {
                items
                    .iter()
                    .filter(|p| p["asset_code"] == "OUT17" && p["month"] == m)
                    .map(|p| p["volume_m3"].as_f64().unwrap())
                    .next()
            };
            let months: f64 = (1..=12).filter_map(of_outlet).sum();
            let annual = of_outlet(0).expect("the demo has annual plans");
            (annual, months)
        };
        let (annual, months) = annual_is_sum(&plans);
        assert!(
            (annual - months).abs() < 1e-6,
            "annual {annual} months {months}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log").await,
            audit_before + 2
        );
        // An annual plan that is not the sum of the months is refused, the sum is accepted.
        let mut annual_body = plan_body.clone();
        annual_body["month"] = json!(0);
        annual_body["volume_m3"] = json!(annual + 1000.0);
        app.json(Method::PUT, "/api/v1/plans", &operator, &annual_body)
            .await
            .assert_error(
                StatusCode::CONFLICT,
                "conflict",
                "annual plan off the months' sum",
            );
        annual_body["volume_m3"] = json!(annual);
        let reply = app
            .json(Method::PUT, "/api/v1/plans", &operator, &annual_body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let audit_before = audit_before + 1;

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
            audit_before + 4
        );
        let plans = app
            .get("/api/v1/plans?water_year=2021", Some(&operator))
            .await
            .json();
        let (annual, months) = annual_is_sum(&plans);
        assert!(
            (annual - months).abs() < 1e-6,
            "annual {annual} months {months}"
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

/// A request to send: method, path, body (content type, text), who sends it.
type MalformedCase<'a> = (Method, &'a str, Option<(&'a str, &'a str)>, &'a Session);

#[tokio::test]
async fn malformed_requests_get_json_4xx() {
    for store in stores("malformed").await {
        let app = TestApp::demo(store).await;
        let operator = app.login("operator", "danjiang-operator").await;
        let admin = app.login("admin", "danjiang-admin").await;
        let cases: Vec<MalformedCase> = vec![
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
        assert!(!overview["months"].as_array().unwrap().is_empty());
        // A day has no plan of its own (plans are monthly and annual).
        assert!(overview["day"]["plan_m3"].is_null(), "{overview}");
        assert!(overview["day"]["delivered_m3"].as_f64().unwrap() > 0.0);
        let month = &overview["month"];
        assert!(
            month["plan_m3"].as_f64().unwrap() < year["plan_m3"].as_f64().unwrap(),
            "{overview}"
        );
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

/// The schema of a parameter or body, with a `$ref` to the document's components followed.
fn resolved<'a>(
    document: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix("#/")
            .map(|path| path.split('/').fold(document, |node, key| &node[key]))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The JSON types a schema allows (`"integer"` or `["integer", "null"]`).
fn types_of(schema: &serde_json::Value) -> Vec<String> {
    match &schema["type"] {
        serde_json::Value::String(one) => vec![one.clone()],
        serde_json::Value::Array(many) => many
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// A malformed text for a parameter of this schema, if the schema rules any text out.
fn malformed_value(
    document: &serde_json::Value,
    schema: &serde_json::Value,
) -> Option<&'static str> {
    let schema = resolved(document, schema);
    let types = types_of(schema);
    if types.iter().any(|t| t == "integer" || t == "number") {
        Some("abc")
    } else if types.iter().any(|t| t == "boolean") {
        Some("perhaps")
    } else if schema["enum"].is_array() || schema["oneOf"].is_array() {
        Some("no-such-choice")
    } else {
        // Free text: any text is well formed (what it names may still be missing).
        None
    }
}

/// Every operation of the OpenAPI document is sent malformed requests: each parameter in turn
/// given text its type rules out, and, for operations with a body, broken JSON, JSON of the
/// wrong shape and the wrong content type. Each answer must be a 4xx with a JSON `{code,
/// message}`, never a 5xx or a panic. Driven by the document, so endpoints added later are
/// covered as soon as they are documented.
#[tokio::test]
async fn every_documented_endpoint_refuses_malformed_requests_with_json_4xx() {
    for store in stores("every_endpoint").await {
        let app = TestApp::demo(store).await;
        let admin = app.login("admin", "danjiang-admin").await;
        let document = app.get("/api/openapi.json", None).await.json();
        let mut tried = 0;
        let mut operations = 0;
        let paths = document["paths"].as_object().expect("OpenAPI paths");
        for (template, item) in paths {
            for (method, operation) in item.as_object().expect("a path item") {
                let method: Method = method.to_uppercase().parse().expect("an HTTP method");
                operations += 1;
                let parameters: Vec<&serde_json::Value> = operation["parameters"]
                    .as_array()
                    .map(|p| p.iter().collect())
                    .unwrap_or_default();
                // A well-formed path: each path parameter given a plausible value.
                let fill = |except: Option<&str>, bad: &str| {
                    let mut path = template.clone();
                    for p in parameters.iter().filter(|p| p["in"] == "path") {
                        let name = p["name"].as_str().unwrap_or_default();
                        let numeric = types_of(resolved(&document, &p["schema"]))
                            .iter()
                            .any(|t| t == "integer" || t == "number");
                        let value = if except == Some(name) {
                            bad.to_string()
                        } else if numeric {
                            "1".to_string()
                        } else {
                            "OUT17".to_string()
                        };
                        path = path.replace(&format!("{{{name}}}"), &value);
                    }
                    path
                };
                let mut cases: Vec<(String, Option<(&str, &str)>)> = Vec::new();
                for p in &parameters {
                    let name = p["name"].as_str().unwrap_or_default();
                    let Some(bad) = malformed_value(&document, &p["schema"]) else {
                        continue;
                    };
                    match p["in"].as_str() {
                        Some("path") => cases.push((fill(Some(name), bad), None)),
                        Some("query") => {
                            cases.push((format!("{}?{name}={bad}", fill(None, "")), None))
                        }
                        _ => {}
                    }
                }
                if !operation["requestBody"].is_null() {
                    for body in [
                        ("application/json", "{not json"),
                        ("application/json", "[1, 2]"),
                        ("application/json", "\"text\""),
                        ("text/plain", "{}"),
                    ] {
                        cases.push((fill(None, ""), Some(body)));
                    }
                }
                for (path, body) in cases {
                    let what = format!("{method} {path} {body:?}");
                    let reply = app
                        .call(method.clone(), &path, Some(&admin), Some(&admin.csrf), body)
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
                    tried += 1;
                }
            }
        }
        // The document lists the reports, register, plans, accounts and simulation endpoints.
        assert!(operations >= 20, "only {operations} operations documented");
        assert!(tried >= 40, "only {tried} malformed requests built");
        app.state.store.close().await;
    }
}

/// One changing request: an API call (method, path, JSON body) or a page form (path, fields).
enum Change {
    Api(Method, &'static str, serde_json::Value),
    Form(&'static str, Vec<(&'static str, &'static str)>),
}

/// The audit entries a change writes: (entity, action).
type AuditEntries = Vec<(&'static str, &'static str)>;

/// Sends a change as `session` (a form carries the session's CSRF field).
async fn send_change(app: &TestApp, change: &Change, session: &Session) -> common::Reply {
    match change {
        Change::Api(method, path, body) => app.json(method.clone(), path, session, body).await,
        Change::Form(path, fields) => {
            let mut fields: Vec<(&str, &str)> = fields.clone();
            fields.push(("csrf", session.csrf.as_str()));
            app.form(path, Some(session), &fields).await
        }
    }
}

/// Every changing endpoint of the application, API and page form alike, with a valid request
/// and the role that may make it: a viewer is refused each one and nothing changes; the role
/// allowed makes it and exactly the audit entries named appear.
#[tokio::test]
async fn every_change_refuses_a_viewer_and_leaves_an_audit_entry() {
    let folder = scratch_folder().join("runs");
    std::env::set_var("DANJIANG_DATA_DIR", &folder);
    for store in stores("every_change").await {
        let app = TestApp::demo(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let operator = app.login("operator", "danjiang-operator").await;
        let admin = app.login("admin", "danjiang-admin").await;
        let incident =
            json!({"node": "X17", "kind": "mass", "strength": 100.0, "duration_s": 3600});
        // (change, allowed role's session, audit entries it writes: (entity, action))
        let changes: Vec<(Change, &Session, AuditEntries)> = vec![
            (
                Change::Api(
                    Method::PUT,
                    "/api/v1/plans",
                    json!({"asset_code": "OUT17", "water_year": 2021, "month": 5, "volume_m3": 7.0}),
                ),
                &operator,
                vec![("plan", "update"), ("plan", "update")],
            ),
            (
                Change::Form(
                    "/plans",
                    vec![
                        ("asset_code", "P-ZHOUZHUANG"),
                        ("water_year", "2021"),
                        ("month", "6"),
                        ("volume_wan_m3", "3"),
                    ],
                ),
                &operator,
                vec![("plan", "update"), ("plan", "update")],
            ),
            (
                Change::Api(
                    Method::POST,
                    "/api/v1/users",
                    json!({"username": "wang.fang", "password": "long enough", "role": "viewer"}),
                ),
                &admin,
                vec![("user", "create")],
            ),
            (
                Change::Form(
                    "/admin/users",
                    vec![
                        ("username", "zhao.lei"),
                        ("password", "long enough"),
                        ("role", "operator"),
                    ],
                ),
                &admin,
                vec![("user", "create")],
            ),
            (
                Change::Api(
                    Method::PATCH,
                    "/api/v1/users/wang.fang",
                    json!({"display_name": "王芳"}),
                ),
                &admin,
                vec![("user", "update")],
            ),
            (
                Change::Form(
                    "/admin/users/zhao.lei",
                    vec![("role", "viewer"), ("active", "on")],
                ),
                &admin,
                vec![("user", "update")],
            ),
            (
                Change::Api(Method::POST, "/api/v1/runs", json!({})),
                &operator,
                vec![("simulation_run", "create")],
            ),
            (
                Change::Form("/runs", vec![]),
                &operator,
                vec![("simulation_run", "create")],
            ),
            (
                Change::Api(Method::POST, "/api/v1/incidents", incident),
                &operator,
                vec![("simulation_run", "create")],
            ),
            (
                Change::Form(
                    "/incidents",
                    vec![
                        ("node", "X17"),
                        ("kind", "mass"),
                        ("strength", "100"),
                        ("start_h", "0"),
                        ("duration_h", "1"),
                    ],
                ),
                &operator,
                vec![("simulation_run", "create")],
            ),
        ];
        let audit_count = "SELECT COUNT(*) FROM audit_log";
        for (change, allowed, entries) in &changes {
            let what = match change {
                Change::Api(method, path, _) => format!("{method} {path}"),
                Change::Form(path, _) => format!("form {path}"),
            };
            let before = app.count(audit_count).await;
            let runs_before = app.count("SELECT COUNT(*) FROM simulation_runs").await;
            let refused = send_change(&app, change, &viewer).await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "viewer {what}: {}",
                refused.text()
            );
            assert_eq!(
                app.count(audit_count).await,
                before,
                "viewer {what} audited"
            );
            assert_eq!(
                app.count("SELECT COUNT(*) FROM simulation_runs").await,
                runs_before,
                "viewer {what} started a run"
            );
            let reply = send_change(&app, change, allowed).await;
            assert!(
                reply.status.is_success() || reply.status.is_redirection(),
                "{what}: {} {}",
                reply.status,
                reply.text()
            );
            assert_eq!(
                app.count(audit_count).await,
                before + entries.len() as i64,
                "{what}: audit entries"
            );
            for (entity, action) in entries {
                let sql = format!(
                    "SELECT COUNT(*) FROM audit_log WHERE id > (SELECT MAX(id) FROM audit_log) - {} \
                     AND entity = '{entity}' AND action = '{action}'",
                    entries.len()
                );
                assert!(
                    app.count(&sql).await >= 1,
                    "{what}: no {entity} {action} entry"
                );
            }
        }
        app.state.store.close().await;
    }
    let _ = std::fs::remove_dir_all(&folder);
}

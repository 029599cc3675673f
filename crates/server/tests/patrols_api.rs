//! API and page tests of patrols over the demo: due lists, records (checked against the plans),
//! defects and their life cycle (a skipped state refused), routes and compliance, each answer
//! checked against danjiang-ops; and the refusals (no session, viewer, missing or wrong CSRF
//! token, malformed bodies answered with a 4xx JSON error), on SQLite and, when configured,
//! PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{stores, TestApp};
use danjiang_ops::patrols;
use serde_json::{json, Value};

fn multipart(fields: &[(&str, &str)], photo: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "dj-test-boundary-31c9";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = photo {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{file_name}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_multipart(
    app: &TestApp,
    path: &str,
    session: &common::Session,
    fields: &[(&str, &str)],
    photo: Option<(&str, &[u8])>,
) -> common::Reply {
    let (content_type, body) = multipart(fields, photo);
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(axum::http::header::COOKIE, &session.cookie)
        .header(axum::http::header::CONTENT_TYPE, content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn patrol_endpoints_pages_and_refusals() {
    for store in stores("patrols").await {
        let app = TestApp::demo(store).await;
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let operator = app.login("operator", "danjiang-operator").await;
        let stored = patrols::plans(&app.state.store).await.unwrap();
        let plan = stored
            .plans
            .plans
            .iter()
            .find(|p| !p.checklist.is_empty())
            .expect("a plan with a checklist")
            .clone();
        let asset = patrols::plan_assets(&app.state.store, &plan.id)
            .await
            .unwrap()
            .first()
            .expect("an asset the plan covers")
            .id
            .clone();
        let open = patrols::defects(&app.state.store, Some(patrols::DefectState::Open), None)
            .await
            .unwrap();
        let open_id = open.first().expect("an open demo defect").defect.id.clone();
        let lines = patrols::route_lines(&app.state.store).await.unwrap();
        let line = lines.first().expect("a patrolled line").clone();
        let reading = [
            "/api/v1/patrols/plans".to_string(),
            "/api/v1/patrols/due".to_string(),
            "/api/v1/patrols/records".to_string(),
            "/api/v1/patrols/defects".to_string(),
            format!("/api/v1/patrols/defects/{open_id}"),
            format!("/api/v1/patrols/route?line={line}"),
            "/api/v1/patrols/lines".to_string(),
            "/api/v1/patrols/compliance".to_string(),
        ];
        for path in &reading {
            app.get(path, None).await.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                path,
            );
            let reply = app.get(path, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        }
        let openapi = app.get("/api/openapi.json", Some(&viewer)).await.json();
        for path in [
            "/api/v1/patrols/due",
            "/api/v1/patrols/records",
            "/api/v1/patrols/defects/{id}/steps",
            "/api/v1/patrols/route",
            "/api/v1/patrols/compliance",
            "/api/v1/patrols/photos/{hash}",
        ] {
            assert!(openapi["paths"][path].is_object(), "OpenAPI lists {path}");
        }

        // The due list is judged on the newest record's day by default and matches danjiang-ops.
        let due = app
            .get("/api/v1/patrols/due?limit=1000", Some(&viewer))
            .await
            .json();
        let newest = NaiveDate::parse_from_str(due["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let expected = patrols::due_tasks(&app.state.store, newest, None)
            .await
            .unwrap();
        assert_eq!(due["total"], expected.len() as i64);
        assert_eq!(
            due["overdue"],
            expected.iter().filter(|t| t.days_overdue > 0).count()
        );
        assert_eq!(due["items"][0]["asset"], expected[0].asset.as_str());
        let overdue_only = app
            .get(
                &format!("/api/v1/patrols/due?date={newest}&state=overdue&limit=1000"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(overdue_only["total"], due["overdue"]);
        assert!(overdue_only["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["state"] == "overdue"));
        // A year later everything is overdue.
        let later = app
            .get(
                "/api/v1/patrols/due?date=2022-06-01&state=overdue",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(later["total"], due["total"]);

        // Route by chainage, compliance per station: as danjiang-ops computes them.
        let route = app
            .get(
                &format!("/api/v1/patrols/route?line={line}&date={newest}"),
                Some(&viewer),
            )
            .await
            .json();
        let stops = patrols::route(&app.state.store, &line, newest)
            .await
            .unwrap();
        assert_eq!(route["stops"].as_array().unwrap().len(), stops.len());
        let chainages: Vec<f64> = route["stops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["chainage_km"].as_f64().unwrap())
            .collect();
        assert!(chainages.windows(2).all(|w| w[0] <= w[1]), "{chainages:?}");
        let month = app
            .get("/api/v1/patrols/compliance?month=2021-05", Some(&viewer))
            .await
            .json();
        assert_eq!(month["month"], "2021-05");
        let expected = patrols::compliance(
            &app.state.store,
            NaiveDate::from_ymd_opt(2021, 5, 1).unwrap(),
            NaiveDate::parse_from_str(month["as_of"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(month["stations"].as_array().unwrap().len(), expected.len());
        assert_eq!(
            month["stations"][0]["planned"],
            expected[0].compliance.planned
        );
        assert!(expected.iter().any(|s| s.compliance.planned > 0));

        // An offset past the end is an empty page, however far.
        for path in [
            "/api/v1/patrols/records?offset=9223372036854775807",
            "/api/v1/patrols/defects?offset=9223372036854775807",
            "/api/v1/patrols/due?offset=9223372036854775807",
        ] {
            let reply = app.get(path, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
            assert!(
                reply.json()["items"].as_array().unwrap().is_empty(),
                "{path}"
            );
        }
        let reply = app
            .get("/patrols/record?offset=9223372036854775807", Some(&viewer))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "a far page");

        // Malformed or impossible requests: 4xx JSON.
        for (path, status, code) in [
            ("/api/v1/patrols/due?date=31/05/2021", 400, "bad_request"),
            ("/api/v1/patrols/due?state=late", 400, "bad_request"),
            ("/api/v1/patrols/due?limit=5000", 400, "bad_request"),
            ("/api/v1/patrols/defects?state=fixed", 400, "bad_request"),
            ("/api/v1/patrols/defects/D-1999-0001", 404, "not_found"),
            ("/api/v1/patrols/route", 400, "bad_request"),
            (
                "/api/v1/patrols/route?line=NO-SUCH-LINE",
                400,
                "bad_request",
            ),
            ("/api/v1/patrols/compliance?month=May", 400, "bad_request"),
            ("/api/v1/patrols/photos/00ff", 404, "not_found"),
            ("/api/v1/patrols/records?offset=x", 400, "bad_request"),
        ] {
            app.get(path, Some(&viewer)).await.assert_error(
                StatusCode::from_u16(status).unwrap(),
                code,
                path,
            );
        }

        // Changing calls: refused without a session, for a viewer, without the token.
        let answers: serde_json::Map<String, Value> = plan
            .checklist
            .iter()
            .map(|q| (q.clone(), json!(true)))
            .collect();
        let record = json!({
            "plan": plan.id, "asset": asset, "time": "2021-06-01 09:15",
            "answers": answers, "findings": "cover cracked",
            "position": [113.5, 34.1],
            "defects": [{ "severity": "major", "description": "cracked well cover" }],
            "photos": [{ "file_name": "cover.jpg", "content_base64": "/9j/IG5vdCByZWFsbHkgYSBqcGVn" }]
        });
        let step = json!({ "state": "assigned", "note": "to the Changge crew" });
        let changing = [
            ("/api/v1/patrols/records".to_string(), record.clone()),
            (
                format!("/api/v1/patrols/defects/{open_id}/steps"),
                step.clone(),
            ),
        ];
        let records_before = app.count("SELECT COUNT(*) FROM patrol_records").await;
        let steps_before = app.count("SELECT COUNT(*) FROM defect_transitions").await;
        let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
        for (path, body) in &changing {
            app.call(
                Method::POST,
                path,
                None,
                Some("x"),
                Some(("application/json", &body.to_string())),
            )
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", path);
            app.json(Method::POST, path, &viewer, body)
                .await
                .assert_error(StatusCode::FORBIDDEN, "forbidden", path);
            for csrf in [None, Some("wrong"), Some(viewer.csrf.as_str())] {
                app.call(
                    Method::POST,
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
                &format!("/patrols/defects/{open_id}"),
                Some(&viewer),
                &[("state", "assigned"), ("csrf", viewer.csrf.as_str())],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "viewer step form");
        let reply = app
            .form(
                &format!("/patrols/defects/{open_id}"),
                Some(&operator),
                &[("state", "assigned"), ("csrf", "wrong")],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "step form, wrong token"
        );
        let fields = [
            ("csrf", viewer.csrf.as_str()),
            ("plan", plan.id.as_str()),
            ("asset", asset.as_str()),
            ("time", "2021-06-01T10:00"),
        ];
        let reply = send_multipart(&app, "/patrols/records", &viewer, &fields, None).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "viewer record form");
        let mut wrong = fields;
        wrong[0] = ("csrf", "wrong");
        let reply = send_multipart(&app, "/patrols/records", &operator, &wrong, None).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "record form, wrong token"
        );

        // Malformed or invalid bodies: 4xx JSON naming the field.
        let mut bad_records = Vec::new();
        for (field, value) in [
            ("plan", json!("no-such-plan")),
            ("asset", json!("NO-SUCH-ASSET")),
            ("time", json!("yesterday")),
            ("position", json!([500.0, 34.0])),
            ("answers", json!({"Is the moon out?": true})),
            (
                "defects",
                json!([{"severity": "catastrophic", "description": "x"}]),
            ),
            (
                "defects",
                json!([{"severity": "minor", "description": " "}]),
            ),
            ("colour", json!("red")),
            ("time", json!(12)),
            (
                "photos",
                json!([{"file_name": "a.jpg", "content_base64": "not base64!"}]),
            ),
            ("photos", json!([{"file_name": "a.jpg"}])),
        ] {
            let mut body = record.clone();
            body[field] = value;
            bad_records.push((field, body));
        }
        for (field, body) in &bad_records {
            let reply = app
                .json(Method::POST, "/api/v1/patrols/records", &operator, body)
                .await;
            reply.assert_error(StatusCode::BAD_REQUEST, "bad_request", field);
        }
        for (body, status, code) in [
            ("{", 400, "bad_request"),
            ("{\"state\": \"repaired\"}", 409, "conflict"),
            ("{\"state\": \"fixed\"}", 400, "bad_request"),
            (
                "{\"state\": \"assigned\", \"at\": \"noon\"}",
                400,
                "bad_request",
            ),
            (
                "{\"state\": \"assigned\", \"by\": \"someone else\"}",
                400,
                "bad_request",
            ),
        ] {
            app.call(
                Method::POST,
                &format!("/api/v1/patrols/defects/{open_id}/steps"),
                Some(&operator),
                Some(&operator.csrf),
                Some(("application/json", body)),
            )
            .await
            .assert_error(StatusCode::from_u16(status).unwrap(), code, body);
        }
        app.json(
            Method::POST,
            "/api/v1/patrols/defects/D-1999-0001/steps",
            &operator,
            &step,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", "unknown defect");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM patrol_records").await,
            records_before
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM defect_transitions").await,
            steps_before
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log").await,
            audit_before
        );

        // An operator records a patrol: stored once, with its defect opened, audited once.
        let reply = app
            .json(Method::POST, "/api/v1/patrols/records", &operator, &record)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let outcome = reply.json();
        assert_eq!(outcome["new"], true);
        let new_defect = outcome["defects"][0].as_str().unwrap().to_string();
        let again = app
            .json(Method::POST, "/api/v1/patrols/records", &operator, &record)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        assert_eq!(again.json()["new"], false);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM patrol_records").await,
            records_before + 1
        );
        let listed = app
            .get(
                &format!("/api/v1/patrols/records?asset={asset}&limit=1"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(listed["items"][0]["id"], outcome["id"]);
        assert_eq!(listed["items"][0]["inspector"], "operator");
        assert_eq!(listed["items"][0]["findings"], "cover cracked");
        let sent_photo = listed["items"][0]["photos"][0].as_str().unwrap();
        let image = app
            .get(
                &format!("/api/v1/patrols/photos/{sent_photo}"),
                Some(&viewer),
            )
            .await;
        assert_eq!(image.status, StatusCode::OK);
        assert_eq!(image.body, b"\xff\xd8\xff not really a jpeg");
        assert_eq!(image.headers["content-type"], "image/jpeg");
        // The task is done: not overdue on that day any more.
        let due_after = app
            .get(
                "/api/v1/patrols/due?date=2021-06-01&limit=1000",
                Some(&viewer),
            )
            .await
            .json();
        let task = due_after["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["plan"] == plan.id.as_str() && t["asset"] == asset.as_str())
            .expect("the task is listed");
        assert_eq!(task["last_done"], "2021-06-01");

        // The defect's life cycle: a skipped state refused (409), each step recorded with who.
        let defect = app
            .get(
                &format!("/api/v1/patrols/defects/{new_defect}"),
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(defect["state"], "open");
        assert_eq!(defect["severity"], "major");
        for skipped in ["repaired", "verified", "closed", "open"] {
            app.json(
                Method::POST,
                &format!("/api/v1/patrols/defects/{new_defect}/steps"),
                &operator,
                &json!({ "state": skipped }),
            )
            .await
            .assert_error(StatusCode::CONFLICT, "conflict", skipped);
        }
        for (next, at) in [
            ("assigned", "2021-06-01 12:00"),
            ("repaired", "2021-06-03 16:00"),
            ("verified", "2021-06-04 09:00"),
            ("closed", "2021-06-04 09:30"),
        ] {
            let reply = app
                .json(
                    Method::POST,
                    &format!("/api/v1/patrols/defects/{new_defect}/steps"),
                    &operator,
                    &json!({ "state": next, "at": at, "note": format!("now {next}") }),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{next}: {}", reply.text());
            assert_eq!(reply.json()["state"], next);
        }
        app.json(
            Method::POST,
            &format!("/api/v1/patrols/defects/{new_defect}/steps"),
            &operator,
            &json!({ "state": "assigned" }),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict", "after closing");
        let defect = app
            .get(
                &format!("/api/v1/patrols/defects/{new_defect}"),
                Some(&viewer),
            )
            .await
            .json();
        let history = defect["history"].as_array().unwrap();
        assert_eq!(history.len(), 5);
        assert!(history[1..].iter().all(|s| s["by"] == "operator"));
        assert_eq!(history[2]["at"], "2021-06-03T16:00:00");
        // A step back in time is refused too.
        let old = open_id.clone();
        app.json(
            Method::POST,
            &format!("/api/v1/patrols/defects/{old}/steps"),
            &operator,
            &json!({ "state": "assigned", "at": "1990-01-01 00:00" }),
        )
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "step before opening",
        );

        // The pages: a record with a photo and a defect step through the forms, each audited.
        let photo = b"\x89PNG\r\n\x1a\n not really a picture";
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), operator.csrf.clone()),
            ("plan".into(), plan.id.clone()),
            ("asset".into(), asset.clone()),
            ("time".into(), "2021-06-02T10:00".into()),
            ("findings".into(), "all in order".into()),
            ("defect_severity".into(), "minor".into()),
            ("defect_description".into(), "paint flaking".into()),
        ];
        fields.push(("answer-0".into(), "yes".into()));
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let reply = send_multipart(
            &app,
            "/patrols/records",
            &operator,
            &borrowed,
            Some(("cover.png", photo)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let listed = app
            .get(
                &format!("/api/v1/patrols/records?asset={asset}&limit=1"),
                Some(&viewer),
            )
            .await
            .json();
        let stored_record = &listed["items"][0];
        assert_eq!(stored_record["findings"], "all in order");
        let answers = stored_record["answers"].as_object().unwrap();
        assert_eq!(
            answers.len(),
            plan.checklist.len(),
            "every question answered"
        );
        assert_eq!(answers[&plan.checklist[0]], true);
        if plan.checklist.len() > 1 {
            assert_eq!(
                answers[&plan.checklist[1]], false,
                "an unticked box is a no"
            );
        }
        let hash = stored_record["photos"][0].as_str().unwrap();
        let image = app
            .get(&format!("/api/v1/patrols/photos/{hash}"), Some(&viewer))
            .await;
        assert_eq!(image.status, StatusCode::OK);
        assert_eq!(image.body, photo);
        assert_eq!(image.headers["content-type"], "image/png");
        let reply = app
            .form(
                &format!("/patrols/defects/{open_id}"),
                Some(&operator),
                &[
                    ("state", "assigned"),
                    ("note", "crew 2"),
                    ("csrf", operator.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let reply = app
            .form(
                &format!("/patrols/defects/{open_id}"),
                Some(&operator),
                &[("state", "closed"), ("csrf", operator.csrf.as_str())],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CONFLICT,
            "a skipped state through the form"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'patrol_record'")
                .await,
            2
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'defect'")
                .await,
            5
        );
        let admin = app.login("admin", "danjiang-admin").await;
        let audit = app.get("/api/v1/audit?limit=5", Some(&admin)).await.json();
        let step_entry = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entity"] == "defect")
            .expect("the form's step is audited");
        assert_eq!(step_entry["entity_id"], open_id.as_str());
        assert_eq!(step_entry["username"], "operator");
        assert_eq!(step_entry["before"]["state"], "open");
        assert_eq!(step_entry["after"]["state"], "assigned");

        // Every page draws for a viewer without a changing form; the operator sees the forms.
        for page in [
            "/patrols".to_string(),
            "/patrols?state=all&date=2021-05-15".to_string(),
            format!("/patrols/record?plan={}", plan.id),
            "/patrols/defects".to_string(),
            format!("/patrols/defects/{open_id}"),
            format!("/patrols/route?line={line}"),
            "/patrols/compliance?month=2021-05".to_string(),
        ] {
            let reply = app.get(&page, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.text());
            assert!(
                !reply.text().contains("method=\"post\" action=\"/patrols"),
                "{page}"
            );
        }
        let compliance = app
            .get("/patrols/compliance?month=2021-05", Some(&viewer))
            .await
            .text();
        assert!(compliance.contains("<svg"), "compliance chart");
        let form = app
            .get(
                &format!("/patrols/record?plan={}", plan.id),
                Some(&operator),
            )
            .await
            .text();
        assert!(form.contains(&plan.checklist[0]), "checklist on the form");
        assert_eq!(
            app.get("/patrols/record?plan=nonsense", Some(&viewer))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

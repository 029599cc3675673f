//! API and page tests of water quality over the demo: every endpoint's answer checked against
//! danjiang-ops and the demo's known excursions, and the refusals (no session, viewer, missing or
//! wrong CSRF token, malformed requests answered with a 4xx JSON error), on SQLite and, when
//! configured, PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{stores, TestApp};
use danjiang_assessment::Period;
use danjiang_ops::samples::{self, SampleQuery};
use serde_json::{json, Value};

const READING_PATHS: [&str; 7] = [
    "/api/v1/quality/sites",
    "/api/v1/quality/items",
    "/api/v1/quality/samples?site=MS-OUT17&month=2020-08",
    "/api/v1/quality/sites/MS-OUT17/classes?year=2020",
    "/api/v1/quality/alerts",
    "/api/v1/quality/trend?site=MS-OUT17&item=TP",
    "/api/openapi.json",
];

const PAGES: [&str; 4] = [
    "/quality",
    "/quality/classes?site=MS-OUT17&year=2020",
    "/quality/alerts",
    "/quality/trend?site=MS-OUT17&item=TP&period=month",
];

fn entry() -> Value {
    json!({ "site": "MS-OUT17", "time": "2021-06-02 09:30", "item": "TP",
            "value": "0.35", "unit": "mg/L", "method": "GB 11893-89" })
}

fn multipart(csrf: &str, file_name: &str, content: &str) -> (String, String) {
    let boundary = "dj-test-boundary-7d1f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn quality_endpoints_pages_and_refusals() {
    for store in stores("quality").await {
        let app = TestApp::demo(store).await;
        let samples_before = app.count("SELECT COUNT(*) FROM samples").await;
        let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;

        // No session: refused with a JSON 401 (pages redirect to the login).
        for path in READING_PATHS.iter().take(6) {
            app.get(path, None).await.assert_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                path,
            );
        }
        for (path, content_type, body) in [
            (
                "/api/v1/quality/samples",
                "application/json",
                entry().to_string(),
            ),
            (
                "/api/v1/quality/samples/import",
                "text/csv",
                "site,time,item,value,unit\n".to_string(),
            ),
        ] {
            app.call(
                Method::POST,
                path,
                None,
                Some("x"),
                Some((content_type, &body)),
            )
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated", path);
        }
        for page in PAGES {
            let reply = app.get(page, None).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{page}");
            assert!(reply.location().starts_with("/login?next="), "{page}");
        }

        // A viewer reads everything.
        let viewer = app.login("viewer", "danjiang-viewer").await;
        for path in READING_PATHS {
            let reply = app.get(path, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        }
        let openapi = app.get("/api/openapi.json", Some(&viewer)).await.json();
        for path in [
            "/api/v1/quality/sites",
            "/api/v1/quality/items",
            "/api/v1/quality/samples",
            "/api/v1/quality/samples/import",
            "/api/v1/quality/sites/{code}/classes",
            "/api/v1/quality/alerts",
            "/api/v1/quality/trend",
        ] {
            assert!(openapi["paths"][path].is_object(), "OpenAPI lists {path}");
        }

        let docs = app.get("/api/docs", Some(&viewer)).await.text();
        for path in [
            "/api/v1/quality/samples",
            "/api/v1/patrols/defects/{id}/steps",
            "/api/v1/siting/reviews",
        ] {
            assert!(docs.contains(path), "the API page lists {path}");
        }

        // Sites and items.
        let sites = app.get("/api/v1/quality/sites", Some(&viewer)).await.json();
        let stored_sites = samples::sites(&app.state.store).await.unwrap();
        assert_eq!(sites["total"], stored_sites.len() as i64);
        assert_eq!(sites["items"][0]["code"], stored_sites[0].code.as_str());
        assert_eq!(sites["items"][0]["target_class"], "II");
        let paged = app
            .get("/api/v1/quality/sites?limit=2&offset=1", Some(&viewer))
            .await
            .json();
        assert_eq!(paged["items"].as_array().unwrap().len(), 2);
        assert_eq!(paged["items"][0]["code"], stored_sites[1].code.as_str());
        let items = app.get("/api/v1/quality/items", Some(&viewer)).await.json();
        let tp = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "TP")
            .expect("TP is an item");
        assert_eq!(tp["unit"], "mg/L");

        // The register, filtered by site, item and month, a page at a time.
        let register = app
            .get(
                "/api/v1/quality/samples?site=MS-OUT17&item=TP&month=2020-08",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(register["total"], 1, "{register}");
        let tp_sample = &register["items"][0];
        assert_eq!(tp_sample["value"], 0.21);
        assert!(tp_sample["time"].as_str().unwrap().starts_with("2020-08-"));
        let month = app
            .get(
                "/api/v1/quality/samples?site=MS-OUT17&month=2020-08&limit=5",
                Some(&viewer),
            )
            .await
            .json();
        let month_all = samples::samples(
            &app.state.store,
            &SampleQuery {
                site: Some("MS-OUT17".into()),
                from: chrono::NaiveDate::from_ymd_opt(2020, 8, 1),
                to: chrono::NaiveDate::from_ymd_opt(2020, 8, 31),
            },
        )
        .await
        .unwrap();
        assert_eq!(month["total"], month_all.len() as i64);
        assert_eq!(month["items"].as_array().unwrap().len(), 5);
        // Micrograms were converted to the standard's milligrams on entry.
        let arsenic = app
            .get(
                "/api/v1/quality/samples?site=MS-OUT15&item=As&limit=1000",
                Some(&viewer),
            )
            .await
            .json();
        assert!(arsenic["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["unit"] == "mg/L" && s["reported_unit"] == "µg/L"));

        // Classes: August 2020 at the Mengpo outlet was Class IV, limited by TP.
        let classes = app
            .get(
                "/api/v1/quality/sites/MS-OUT17/classes?year=2020&period=month",
                Some(&viewer),
            )
            .await
            .json();
        let expected = samples::assess_samples(
            &app.state.store,
            &SampleQuery {
                site: Some("MS-OUT17".into()),
                from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
                to: chrono::NaiveDate::from_ymd_opt(2020, 12, 31),
            },
            Period::Month,
        )
        .await
        .unwrap();
        assert_eq!(classes["total"], expected.len() as i64);
        assert_eq!(classes["total"], 12);
        let august = classes["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["time"] == "2020-08")
            .expect("August 2020");
        assert_eq!(august["class"], "IV");
        assert_eq!(august["limiting"], json!(["TP"]));
        assert_eq!(august["meets_target"], false);
        assert!(august["exceedance_over_target"]["TP"].as_f64().unwrap() > 0.0);
        let year = app
            .get(
                "/api/v1/quality/sites/MS-OUT17/classes?year=2020&period=year",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(year["total"], 1);
        assert_eq!(year["items"][0]["time"], "2020");

        // Alerts: every result worse than Class II, newest first, the TP excursion among them.
        let alerts = app
            .get("/api/v1/quality/alerts?limit=1000", Some(&viewer))
            .await
            .json();
        let all_alerts = samples::sample_alerts(&app.state.store, &SampleQuery::default())
            .await
            .unwrap();
        assert_eq!(alerts["total"], all_alerts.len() as i64);
        let list = alerts["items"].as_array().unwrap();
        assert!(list
            .windows(2)
            .all(|w| w[0]["time"].as_str() >= w[1]["time"].as_str()));
        let tp_alert = list
            .iter()
            .find(|a| a["site"] == "MS-OUT17" && a["item"] == "TP")
            .expect("the TP excursion is an alert");
        assert_eq!(tp_alert["class"], "IV");
        assert_eq!(tp_alert["target"], "II");
        let one_site = app
            .get("/api/v1/quality/alerts?site=MS-OUT17", Some(&viewer))
            .await
            .json();
        assert!(one_site["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["site"] == "MS-OUT17"));

        // Trend: the series tested and the Mann-Kendall/Sen result of danjiang-ops.
        let trend = app
            .get(
                "/api/v1/quality/trend?site=MS-OUT17&item=CODMn&period=year",
                Some(&viewer),
            )
            .await
            .json();
        let expected = samples::sample_trend(
            &app.state.store,
            "MS-OUT17",
            "CODMn",
            Period::Year,
            &SampleQuery::default(),
        )
        .await
        .unwrap();
        assert_eq!(trend["trend"]["trend"]["n"], expected.trend.n as u64);
        assert_eq!(trend["series"].as_array().unwrap().len(), expected.trend.n);
        assert_eq!(trend["series"][0]["label"], "2015");
        assert_eq!(
            trend["trend"]["trend"]["sen"]["slope"].as_f64().unwrap(),
            expected.trend.sen.slope
        );

        // An offset past the end is an empty page, however far.
        for path in [
            "/api/v1/quality/samples?offset=9223372036854775807",
            "/api/v1/quality/alerts?offset=9223372036854775807",
        ] {
            let reply = app.get(path, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
            assert!(
                reply.json()["items"].as_array().unwrap().is_empty(),
                "{path}"
            );
        }
        let reply = app
            .get("/quality?offset=9223372036854775807", Some(&viewer))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "a far page");

        // Malformed or impossible requests: 4xx JSON, never a 500.
        for (path, status, code) in [
            ("/api/v1/quality/sites?limit=0", 400, "bad_request"),
            ("/api/v1/quality/sites?limit=abc", 400, "bad_request"),
            ("/api/v1/quality/samples?month=2020-13", 400, "bad_request"),
            ("/api/v1/quality/samples?from=yesterday", 400, "bad_request"),
            ("/api/v1/quality/samples?item=XYZ", 400, "bad_request"),
            ("/api/v1/quality/samples?site=NOWHERE", 404, "not_found"),
            ("/api/v1/quality/sites/NOWHERE/classes", 404, "not_found"),
            ("/api/v1/quality/sites/MS-OUT17/classes?period=weekly", 400, "bad_request"),
            ("/api/v1/quality/sites/MS-OUT17/classes?year=99999999", 400, "bad_request"),
            ("/api/v1/quality/alerts?offset=-1", 400, "bad_request"),
            ("/api/v1/quality/trend?site=MS-OUT17", 400, "bad_request"),
            ("/api/v1/quality/trend?site=MS-OUT17&item=XYZ", 400, "bad_request"),
            ("/api/v1/quality/trend?site=NOWHERE&item=TP", 404, "not_found"),
            // Three yearly values are needed; a single month has one.
            (
                "/api/v1/quality/trend?site=MS-OUT17&item=TP&period=year&from=2020-01-01&to=2020-12-31",
                400,
                "bad_request",
            ),
        ] {
            app.get(path, Some(&viewer)).await.assert_error(
                StatusCode::from_u16(status).unwrap(),
                code,
                path,
            );
        }

        // A viewer changes nothing, through the API or the page forms.
        app.json(Method::POST, "/api/v1/quality/samples", &viewer, &entry())
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden", "viewer enters a sample");
        app.call(
            Method::POST,
            "/api/v1/quality/samples/import",
            Some(&viewer),
            Some(&viewer.csrf),
            Some((
                "text/csv",
                "site,time,item,value,unit\nMS-OUT17,2021-06-02,TP,0.3,mg/L\n",
            )),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden", "viewer imports");
        let reply = app
            .form(
                "/quality/samples",
                Some(&viewer),
                &[
                    ("site", "MS-OUT17"),
                    ("time", "2021-06-02T09:30"),
                    ("item", "TP"),
                    ("value", "0.3"),
                    ("csrf", viewer.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "viewer entry form");
        let (content_type, body) = multipart(
            &viewer.csrf,
            "s.csv",
            "site,time,item,value,unit\nMS-OUT17,2021-06-02,TP,0.3,mg/L\n",
        );
        let reply = app
            .call(
                Method::POST,
                "/quality/import",
                Some(&viewer),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "viewer upload");

        // An operator needs the session's CSRF token.
        let operator = app.login("operator", "danjiang-operator").await;
        for csrf in [None, Some("wrong"), Some(viewer.csrf.as_str())] {
            app.call(
                Method::POST,
                "/api/v1/quality/samples",
                Some(&operator),
                csrf,
                Some(("application/json", &entry().to_string())),
            )
            .await
            .assert_error(StatusCode::FORBIDDEN, "csrf", "entry without the token");
        }
        let reply = app
            .form(
                "/quality/samples",
                Some(&operator),
                &[
                    ("site", "MS-OUT17"),
                    ("time", "2021-06-02T09:30"),
                    ("item", "TP"),
                    ("value", "0.3"),
                    ("csrf", "wrong"),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "entry form, wrong token"
        );
        let (content_type, body) = multipart(
            "wrong",
            "s.csv",
            "site,time,item,value,unit\nMS-OUT17,2021-06-02,TP,0.3,mg/L\n",
        );
        let reply = app
            .call(
                Method::POST,
                "/quality/import",
                Some(&operator),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "upload, wrong token");

        // Malformed bodies: 4xx JSON, nothing written.
        for (content_type, body, status, code) in [
            ("application/json", "{not json", 400, "bad_request"),
            ("application/json", "[]", 400, "bad_request"),
            ("text/plain", &entry().to_string(), 400, "bad_request"),
            (
                "application/json",
                &json!({"site": "MS-OUT17", "time": "2021-06-02", "item": "TP", "value": "1", "colour": "red"}).to_string(),
                400,
                "bad_request",
            ),
            (
                "application/json",
                &json!({"site": "MS-OUT17", "time": "2021-06-02", "item": "XYZ", "value": "1"}).to_string(),
                400,
                "bad_request",
            ),
            (
                "application/json",
                &json!({"site": "MS-OUT17", "time": "2021-06-02", "item": "TP", "value": "1", "unit": "furlongs"}).to_string(),
                400,
                "bad_request",
            ),
            (
                "application/json",
                &json!({"site": "NOWHERE", "time": "2021-06-02", "item": "TP", "value": "1"}).to_string(),
                400,
                "bad_request",
            ),
        ] {
            app.call(
                Method::POST,
                "/api/v1/quality/samples",
                Some(&operator),
                Some(&operator.csrf),
                Some((content_type, body)),
            )
            .await
            .assert_error(StatusCode::from_u16(status).unwrap(), code, body);
        }
        let reply = app
            .json(
                Method::POST,
                "/api/v1/quality/samples",
                &operator,
                &json!({"site": "MS-OUT17", "time": "2021-06-02", "item": "XYZ", "value": "1"}),
            )
            .await;
        let message = reply.json()["message"].as_str().unwrap().to_string();
        assert!(
            message.contains("field `item`") && !message.contains("line"),
            "{message}"
        );
        let bad_file = "site,time,item,value,unit\nMS-OUT17,2021-06-02,TP,0.3,mg/L\nMS-OUT17,2021-06-02,XYZ,1,mg/L\n";
        let reply = app
            .call(
                Method::POST,
                "/api/v1/quality/samples/import",
                Some(&operator),
                Some(&operator.csrf),
                Some(("text/csv", bad_file)),
            )
            .await;
        reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "rejected", "a bad file");
        assert!(
            reply.json()["message"].as_str().unwrap().contains("line 3"),
            "{}",
            reply.text()
        );
        for (content_type, body, status) in [
            ("application/json", "{}", 415),
            ("text/csv", "", 400),
            ("text/csv", "a,b\n1,2\n", 422),
        ] {
            let reply = app
                .call(
                    Method::POST,
                    "/api/v1/quality/samples/import",
                    Some(&operator),
                    Some(&operator.csrf),
                    Some((content_type, body)),
                )
                .await;
            assert_eq!(reply.status.as_u16(), status, "{body}: {}", reply.text());
            assert!(reply.json()["code"].is_string());
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM samples").await,
            samples_before,
            "a refused call wrote samples"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log").await,
            audit_before + 2,
            "only the two logins are audited so far"
        );

        // The operator enters a sample: stored converted, audited with its after; entering it
        // again with another value updates it, audited with before and after.
        let reply = app
            .json(Method::POST, "/api/v1/quality/samples", &operator, &entry())
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        assert_eq!(reply.json()["rows"], 1);
        let mut again = entry();
        again["value"] = json!("350");
        again["unit"] = json!("µg/L");
        let reply = app
            .json(Method::POST, "/api/v1/quality/samples", &operator, &again)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let june = app
            .get(
                "/api/v1/quality/samples?site=MS-OUT17&item=TP&month=2021-06",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(june["total"], 1);
        assert!((june["items"][0]["value"].as_f64().unwrap() - 0.35).abs() < 1e-12);
        assert_eq!(june["items"][0]["reported_unit"], "µg/L");
        let admin = app.login("admin", "danjiang-admin").await;
        let audit = app.get("/api/v1/audit?limit=10", Some(&admin)).await.json();
        let entries: Vec<&Value> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "sample")
            .collect();
        assert_eq!(entries.len(), 2, "{audit}");
        assert_eq!(entries[0]["action"], "update");
        assert_eq!(entries[0]["username"], "operator");
        assert_eq!(entries[0]["entity_id"], "MS-OUT17/2021-06-02T09:30:00/TP");
        assert_eq!(entries[0]["before"]["value"], 0.35);
        assert_eq!(entries[0]["after"]["reported_unit"], "µg/L");
        assert_eq!(entries[1]["action"], "create");
        assert!(entries[1]["before"].is_null());
        // The new sample breaks Class II: it is an alert now.
        let alerts = app
            .get(
                "/api/v1/quality/alerts?site=MS-OUT17&from=2021-06-01",
                Some(&viewer),
            )
            .await
            .json();
        assert_eq!(alerts["total"], 1, "{alerts}");

        // A CSV import through the API and through the page's upload, each audited.
        let good = "site,time,item,value,unit\nMS-OUT17,2021-06-02 09:30,DO,7.5,mg/L\nMS-OUT17,2021-06-02 09:30,NH3N,0.05,mg/L\n";
        let reply = app
            .call(
                Method::POST,
                "/api/v1/quality/samples/import",
                Some(&operator),
                Some(&operator.csrf),
                Some(("text/csv; charset=utf-8", good)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["rows"], 2);
        let (content_type, body) = multipart(
            &operator.csrf,
            "july.csv",
            "site,time,item,value,unit\nMS-OUT16,2021-07-05 10:00,TP,0.02,mg/L\n",
        );
        let reply = app
            .call(
                Method::POST,
                "/quality/import",
                Some(&operator),
                None,
                Some((&content_type, &body)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(reply.location(), "/quality?imported=1");
        let reply = app
            .form(
                "/quality/samples",
                Some(&operator),
                &[
                    ("site", "MS-OUT16"),
                    ("time", "2021-07-05T10:00"),
                    ("item", "DO"),
                    ("value", "8.1"),
                    ("unit", ""),
                    ("method", ""),
                    ("detection_limit", ""),
                    ("csrf", operator.csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(
            app.count("SELECT COUNT(*) FROM samples").await,
            samples_before + 5
        );
        let imports = app
            .count("SELECT COUNT(*) FROM audit_log WHERE entity = 'samples' AND action = 'import'")
            .await;
        assert_eq!(imports, 2);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'sample'")
                .await,
            3
        );

        // The pages draw real content for a viewer, and no forms.
        for page in PAGES {
            let reply = app.get(page, Some(&viewer)).await;
            assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.text());
            assert!(
                !reply.text().contains("method=\"post\" action=\"/quality"),
                "{page}"
            );
        }
        let classes = app.get(PAGES[1], Some(&viewer)).await.text();
        assert!(
            classes.contains("<svg") && classes.contains("class-IV"),
            "classes page"
        );
        let trend = app.get(PAGES[3], Some(&viewer)).await.text();
        assert!(
            trend.contains("<svg") && trend.contains("Mann-Kendall"),
            "trend page"
        );
        let register = app
            .get(
                "/quality?site=MS-OUT17&item=TP&month=2020-08",
                Some(&operator),
            )
            .await
            .text();
        assert!(register.contains("0.21") && register.contains("action=\"/quality/import\""));
        // The operators read Chinese: the pages follow the browser's language.
        for (page, words) in [
            ("/quality", "水质样品台账"),
            ("/patrols", "到期和逾期的巡检"),
            ("/siting", "选址审查记录"),
            ("/quality/classes?site=MS-OUT17&year=2020", "Ⅳ类"),
        ] {
            let request = axum::http::Request::builder()
                .uri(page)
                .header(axum::http::header::COOKIE, &viewer.cookie)
                .header(axum::http::header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
                .body(axum::body::Body::empty())
                .unwrap();
            let reply = app.send(request).await;
            assert_eq!(reply.status, StatusCode::OK, "{page}");
            assert!(reply.text().contains(words), "{page} in Chinese: {words}");
        }
        let reply = app.get("/quality?month=nonsense", Some(&viewer)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
}

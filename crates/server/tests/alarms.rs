//! Alarms through the server: the list API with each alarm's state and its filters, acknowledging
//! (operator, CSRF, audited), shelving, limits; the page in both languages with the acknowledge
//! form keeping the typed note when refused; the webhook reached within a second of the point
//! that raised the alarm (measured), retried after a failure, and never holding ingestion; alarm
//! mail to the people on duty through a local SMTP sink.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::{stores, TestApp};
use danjiang_ops::calendar::format_local_time;
use danjiang_ops::import::{import_bytes, ImportKind};
use danjiang_ops::telemetry::alarms::{self, Recipient};
use danjiang_ops::telemetry::BatchFormat;
use danjiang_ops::Silent;
use danjiang_server::web::notify::{ingest_points, Notifier, NotifyConfig};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const TAGS: &str = "code,name,quantity,unit,interval_s,low,high,high_high\n\
    POOL.LEVEL,Clear-water pool level,level,m,60,2,8,9\n\
    OUT16.TURB,Renpo turbidity,turbidity,NTU,60,,5,\n";

async fn register(app: &TestApp) {
    import_bytes(
        &app.state.store,
        ImportKind::Tags,
        Path::new("tags.csv"),
        TAGS.as_bytes(),
        &Silent,
    )
    .await
    .expect("register the tags");
}

/// One point of `tag`, `ago_s` seconds before now (station time), as a JSON batch.
fn point(tag: &str, ago_s: i64, value: f64) -> String {
    let time = format_local_time(alarms::station_now() - ago_s);
    json!({ "points": [{ "tag": tag, "time": time, "value": value }] }).to_string()
}

async fn send(app: &TestApp, notifier: &Notifier, tag: &str, ago_s: i64, value: f64) -> usize {
    let batch = point(tag, ago_s, value);
    ingest_points(
        &app.state.store,
        notifier,
        "test",
        BatchFormat::Json,
        batch.as_bytes(),
    )
    .await
    .expect("ingest")
    .alarms
    .len()
}

#[tokio::test]
async fn the_api_lists_acknowledges_shelves_and_sets_limits() {
    for store in stores("alarms_api").await {
        let app = TestApp::demo(store).await;
        register(&app).await;
        let quiet = Notifier::default();
        assert_eq!(
            send(&app, &quiet, "POOL.LEVEL", 300, 9.5).await,
            2,
            "high and high-high"
        );
        assert_eq!(send(&app, &quiet, "OUT16.TURB", 200, 7.0).await, 1);
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let operator = app.login("operator", "danjiang-operator").await;

        let list = app.get("/api/v1/alarms", Some(&viewer)).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text());
        let list = list.json();
        assert_eq!(list["total"], 3);
        assert_eq!(list["items"][0]["tag"], "OUT16.TURB", "newest first");
        assert!(list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["state"] == "active"));
        let urgent = app
            .get("/api/v1/alarms?priority=1&tag=POOL.LEVEL", Some(&viewer))
            .await
            .json();
        assert_eq!(urgent["total"], 1);
        assert_eq!(urgent["items"][0]["kind"], "high_high");
        let id = urgent["items"][0]["id"].as_i64().unwrap();
        app.get("/api/v1/alarms?state=nonsense", Some(&viewer))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request", "unknown state");
        app.get("/api/v1/alarms?from=yesterday", Some(&viewer))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request", "bad time");

        let path = format!("/api/v1/alarms/{id}/acknowledge");
        let note = json!({ "note": "level controller reset" });
        let reply = app.json(Method::POST, &path, &viewer, &note).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "a viewer may not acknowledge"
        );
        let no_csrf = app
            .call(
                Method::POST,
                &path,
                Some(&operator),
                None,
                Some(("application/json", &note.to_string())),
            )
            .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.text());
        let acked = app.json(Method::POST, &path, &operator, &note).await;
        assert_eq!(acked.status, StatusCode::OK, "{}", acked.text());
        assert_eq!(acked.json()["state"], "acknowledged");
        assert_eq!(acked.json()["acknowledged_by"], "operator");
        let again = app.json(Method::POST, &path, &operator, &note).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text());
        app.json(
            Method::POST,
            "/api/v1/alarms/99999/acknowledge",
            &operator,
            &note,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", "unknown alarm");
        let audited = app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'alarm' AND entity_id = '{id}' AND action = 'acknowledge' AND username = 'operator'"
        )).await;
        assert_eq!(audited, 1);

        let shelve = format!("/api/v1/alarms/{id}/shelve");
        let shelved = app
            .json(
                Method::POST,
                &shelve,
                &operator,
                &json!({ "duration_minutes": 60 }),
            )
            .await;
        assert_eq!(shelved.status, StatusCode::OK, "{}", shelved.text());
        assert_eq!(shelved.json()["shelved"], true);
        let too_long = app
            .json(
                Method::POST,
                &shelve,
                &operator,
                &json!({ "duration_minutes": 100000 }),
            )
            .await;
        assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
        let listed = app
            .get("/api/v1/alarms?state=shelved", Some(&viewer))
            .await
            .json();
        assert_eq!(listed["total"], 1);
        let unshelved = app
            .json(
                Method::POST,
                &format!("/api/v1/alarms/{id}/unshelve"),
                &operator,
                &json!({}),
            )
            .await;
        assert_eq!(unshelved.json()["shelved"], false, "{}", unshelved.text());

        let limits = app
            .get("/api/v1/tags/POOL.LEVEL/limits", Some(&viewer))
            .await
            .json();
        assert_eq!(
            (limits["high"].as_f64(), limits["stale_factor"].as_f64()),
            (Some(8.0), Some(3.0))
        );
        let new = json!({ "low": 2.0, "high": 8.5, "high_high": 9.0, "deadband": 0.2 });
        let viewer_put = app
            .json(Method::PUT, "/api/v1/tags/POOL.LEVEL/limits", &viewer, &new)
            .await;
        assert_eq!(viewer_put.status, StatusCode::FORBIDDEN);
        let put = app
            .json(
                Method::PUT,
                "/api/v1/tags/POOL.LEVEL/limits",
                &operator,
                &new,
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text());
        assert_eq!(put.json()["deadband"].as_f64(), Some(0.2));
        let falling = json!({ "low": 9.0, "high": 8.5 });
        app.json(
            Method::PUT,
            "/api/v1/tags/POOL.LEVEL/limits",
            &operator,
            &falling,
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request", "falling limits");
        app.json(Method::PUT, "/api/v1/tags/NOPE/limits", &operator, &new)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found", "unknown tag");
        app.state.store.close().await;
    }
}

#[tokio::test]
async fn the_page_lists_in_both_languages_and_keeps_a_refused_note() {
    for store in stores("alarms_page").await {
        let app = TestApp::demo(store).await;
        register(&app).await;
        send(&app, &Notifier::default(), "OUT16.TURB", 120, 7.0).await;
        let id = alarms::alarms(&app.state.store, &Default::default(), 10, 0)
            .await
            .unwrap()
            .items[0]
            .id;
        let operator = app.login("operator", "danjiang-operator").await;
        let page = app.get("/alarms", Some(&operator)).await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        assert!(
            text.contains("OUT16.TURB") && text.contains(r#"href="/alarms""#),
            "listed, in the navigation"
        );
        let in_language = |code: &str| {
            let request = axum::http::Request::get("/alarms")
                .header("cookie", format!("{}; dj_lang={code}", operator.cookie))
                .body(axum::body::Body::empty())
                .unwrap();
            app.send(request)
        };
        let chinese = in_language("zh").await.text();
        assert!(
            chinese.contains("报警列表") && chinese.contains("报警中") && chinese.contains("高限"),
            "Chinese"
        );
        let english = in_language("en").await.text();
        assert!(
            english.contains("Alarms")
                && english.contains(">active<")
                && english.contains("Acknowledge"),
            "English"
        );

        let form = |note: &'static str| {
            vec![
                ("csrf", operator.csrf.as_str()),
                ("back", "state=all"),
                ("note", note),
            ]
        };
        let blank = app
            .form(
                &format!("/alarms/{id}/acknowledge"),
                Some(&operator),
                &form("   "),
            )
            .await;
        assert_eq!(
            blank.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a note is required"
        );
        assert!(blank.text().contains("note: required"), "{}", blank.text());
        let done = app
            .form(
                &format!("/alarms/{id}/acknowledge"),
                Some(&operator),
                &form("flushed the analyser"),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        assert!(
            done.location()
                .starts_with("/alarms?state=all&done=acknowledged"),
            "{}",
            done.location()
        );
        // Acknowledging again is refused: the page comes back with the reason and the note as typed.
        let refused = app
            .form(
                &format!("/alarms/{id}/acknowledge"),
                Some(&operator),
                &form("typed twice by mistake"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.text();
        assert!(
            text.contains(r#"value="typed twice by mistake""#),
            "the note kept in its field"
        );
        assert!(text.contains("already acknowledged"), "the reason");
        let no_csrf = app
            .form(
                &format!("/alarms/{id}/acknowledge"),
                Some(&operator),
                &[("note", "x")],
            )
            .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        let viewer = app.login("viewer", "danjiang-viewer").await;
        let by_viewer = app
            .form(
                &format!("/alarms/{id}/shelve"),
                Some(&viewer),
                &[("csrf", viewer.csrf.as_str()), ("minutes", "60")],
            )
            .await;
        assert_eq!(by_viewer.status, StatusCode::FORBIDDEN);
        let shelved = app
            .form(
                &format!("/alarms/{id}/shelve"),
                Some(&operator),
                &[("csrf", operator.csrf.as_str()), ("minutes", "60")],
            )
            .await;
        assert_eq!(shelved.status, StatusCode::SEE_OTHER, "{}", shelved.text());
        app.state.store.close().await;
    }
}

/// A local HTTP sink: answers each request with the next status of `statuses` (then 200) and
/// sends the body and arrival time of each down the channel.
async fn http_sink(
    statuses: Vec<u16>,
    answer: bool,
) -> (String, mpsc::UnboundedReceiver<(Instant, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let mut reader = BufReader::new(socket);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body).await;
            let _ = sender.send((Instant::now(), String::from_utf8_lossy(&body).to_string()));
            if !answer {
                tokio::time::sleep(Duration::from_secs(60)).await;
                continue;
            }
            let status = statuses.next().unwrap_or(200);
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = reader.get_mut().write_all(reply.as_bytes()).await;
        }
    });
    (url, receiver)
}

#[tokio::test]
async fn an_alarm_reaches_the_webhook_within_a_second() {
    for store in stores("alarms_webhook").await {
        let app = TestApp::demo(store).await;
        register(&app).await;
        // The first answer is a failure: the notice is sent again.
        let (url, mut arrivals) = http_sink(vec![500], true).await;
        let config = NotifyConfig {
            webhook: Some(url),
            ..NotifyConfig::default()
        };
        let notifier = Notifier::start(&config, app.state.store.clone()).unwrap();
        let start = Instant::now();
        assert_eq!(send(&app, &notifier, "OUT16.TURB", 60, 9.0).await, 1);
        let (arrived, body) = tokio::time::timeout(Duration::from_secs(5), arrivals.recv())
            .await
            .unwrap()
            .unwrap();
        let latency = arrived - start;
        println!(
            "webhook latency: point ingested to webhook body received {:.1} ms",
            latency.as_secs_f64() * 1e3
        );
        assert!(latency < Duration::from_secs(1), "{latency:?}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["event"], "alarm_raised");
        assert_eq!(body["alarm"]["tag"], "OUT16.TURB");
        assert_eq!(body["alarm"]["kind"], "high");
        assert_eq!(body["alarm"]["state"], "active");
        let (_, retried) = tokio::time::timeout(Duration::from_secs(5), arrivals.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&retried).unwrap()["alarm"]["id"],
            body["alarm"]["id"],
            "sent again after the 500"
        );

        // A webhook that never answers holds no ingestion.
        let (url, _stuck) = http_sink(vec![], false).await;
        let config = NotifyConfig {
            webhook: Some(url),
            ..NotifyConfig::default()
        };
        let stuck = Notifier::start(&config, app.state.store.clone()).unwrap();
        let start = Instant::now();
        for i in 0..5 {
            send(
                &app,
                &stuck,
                "POOL.LEVEL",
                50 - i * 10,
                if i % 2 == 0 { 9.5 } else { 5.0 },
            )
            .await;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "ingestion waited: {:?}",
            start.elapsed()
        );
        app.state.store.close().await;
    }
}

/// A local SMTP sink speaking just enough SMTP: sends each message's recipients and text down the
/// channel.
async fn smtp_sink() -> (String, mpsc::UnboundedReceiver<(Vec<String>, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let _ =
                                sender.send((std::mem::take(&mut to), std::mem::take(&mut data)));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (url, receiver)
}

#[tokio::test]
async fn alarm_mail_goes_to_the_people_on_duty() {
    let store = common::sqlite("alarms_mail").await;
    let app = TestApp::demo(store).await;
    register(&app).await;
    for (username, on_duty) in [("operator", true), ("viewer", false)] {
        let recipient = Recipient {
            username: username.into(),
            email: format!("{username}@example.org"),
            on_duty,
        };
        alarms::set_recipient(&app.state.store, &recipient, "admin")
            .await
            .unwrap();
    }
    let (url, mut mail) = smtp_sink().await;
    let config = NotifyConfig {
        smtp: Some(url),
        smtp_from: Some("alarms@example.org".into()),
        ..NotifyConfig::default()
    };
    let notifier = Notifier::start(&config, app.state.store.clone()).unwrap();
    let start = Instant::now();
    send(&app, &notifier, "POOL.LEVEL", 60, 1.0).await;
    let (to, text) = tokio::time::timeout(Duration::from_secs(10), mail.recv())
        .await
        .expect("mail within 10 s")
        .unwrap();
    println!(
        "alarm mail reached the SMTP sink in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(to, ["operator@example.org"], "the on-duty user only");
    assert!(
        text.contains("POOL.LEVEL") && text.contains("low"),
        "{text}"
    );
    assert!(text.contains("alarms@example.org"), "the sender: {text}");
    app.state.store.close().await;
}

#[tokio::test]
async fn the_sweep_raises_stale_alarms_and_notifies_them() {
    let store = common::sqlite("alarms_sweep").await;
    let app = TestApp::demo(store).await;
    register(&app).await;
    let (url, mut arrivals) = http_sink(vec![], true).await;
    let config = NotifyConfig {
        webhook: Some(url),
        ..NotifyConfig::default()
    };
    let state = app.state.clone().with_notifications(&config).unwrap();
    // Interval 60 s × factor 3: ten minutes without a point is stale; one minute is not.
    send(&app, &Notifier::default(), "POOL.LEVEL", 600, 5.0).await;
    send(&app, &Notifier::default(), "OUT16.TURB", 60, 1.0).await;
    assert_eq!(
        danjiang_server::alarms::sweep::sweep_once(&state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        danjiang_server::alarms::sweep::sweep_once(&state)
            .await
            .unwrap(),
        0,
        "one standing"
    );
    let (_, body) = tokio::time::timeout(Duration::from_secs(5), arrivals.recv())
        .await
        .unwrap()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            body["alarm"]["tag"].as_str(),
            body["alarm"]["kind"].as_str()
        ),
        (Some("POOL.LEVEL"), Some("stale"))
    );
    app.state.store.close().await;
}

//! Hostile input and load (issue 18): redirects that leave the site, login guessing, oversized
//! and malformed bodies, made-up methods, and the headers every answer carries.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use common::{sqlite, stores, Reply, TestApp};
use danjiang_server::AppState;
use serde_json::json;

/// `next` values that would send the browser to another site, or that cannot be a header.
const HOSTILE_NEXT: [&str; 9] = [
    "/%09/evil.example",
    "/%0A/x",
    "/%0D%0ALocation:%20http://evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "/\\evil.example",
    "http://evil.example",
    "/%20/evil.example",
    "/%E4%B8%AD",
];

#[tokio::test]
async fn next_only_goes_to_a_path_on_this_site() {
    let app = TestApp::demo(sqlite("next").await).await;
    for next in HOSTILE_NEXT {
        let reply = app.get(&format!("/lang/en?next={next}"), None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "lang next={next}");
        assert_eq!(reply.location(), "/", "lang next={next}");
        let form = app.get(&format!("/login?next={next}"), None).await;
        assert_eq!(form.status, StatusCode::OK, "login next={next}");
        assert!(
            form.text()
                .contains("<input type=\"hidden\" name=\"next\" value=\"/\">"),
            "login next={next}: {}",
            form.text()
        );
    }
    // The form login with a hostile `next` lands on the overview.
    let form = app.get("/login", None).await;
    let cookie = form.cookie("dj_login_csrf").unwrap();
    let token = cookie.split_once('=').unwrap().1.to_string();
    for next in ["/\t/evil.example", "/\n/x", "//evil.example", "/\\x"] {
        let body = serde_urlencoded::to_string([
            ("username", "viewer"),
            ("password", "danjiang-viewer"),
            ("csrf", token.as_str()),
            ("next", next),
        ])
        .unwrap();
        let reply = app
            .send(
                Request::post("/login")
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "login post next={next:?}"
        );
        assert_eq!(reply.location(), "/", "login post next={next:?}");
    }
    // Paths of the site still come back.
    let reply = app.get("/lang/zh?next=%2Fledger%3Fby%3Duse", None).await;
    assert_eq!(reply.location(), "/ledger?by=use");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::demo(sqlite("headers").await).await;
    let viewer = app.login("viewer", "danjiang-viewer").await;
    for (path, session) in [
        ("/login", None),
        ("/", Some(&viewer)),
        ("/health", None),
        ("/static/style.css", None),
        ("/no/such/page", None),
        ("/api/v1/no/such/call", None),
        ("/api/v1/overview", Some(&viewer)),
        ("/admin/users", Some(&viewer)),
    ] {
        let reply = app.get(path, session).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"),
            "{path}: {policy:?}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
    }
}

#[tokio::test]
async fn made_up_methods_share_one_metrics_label() {
    let app = TestApp::demo(sqlite("methods").await).await;
    for n in 0..20 {
        let method = Method::from_bytes(format!("MADEUP{n}").as_bytes()).unwrap();
        for path in ["/metrics", "/health", "/api/v1/overview"] {
            let reply = app.call(method.clone(), path, None, None, None).await;
            assert!(reply.status.is_client_error(), "{method} {path}");
        }
    }
    let metrics = app.get("/metrics", None).await.text();
    assert!(!metrics.contains("MADEUP"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

#[tokio::test]
async fn bodies_over_the_limit_answer_413_and_messages_quote_excerpts() {
    let app = TestApp::demo(sqlite("limits").await).await;
    // A JSON body over the default limit (2 MB).
    let password = "x".repeat(3 * 1024 * 1024);
    let reply = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            None,
            Some((
                "application/json",
                &json!({ "username": "viewer", "password": password }).to_string(),
            )),
        )
        .await;
    reply.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "big login",
    );
    // A page form over the form limit (64 KiB).
    let admin = app.login("admin", "danjiang-admin").await;
    let name = "x".repeat(100 * 1024);
    let reply = app
        .form(
            "/admin/users",
            Some(&admin),
            &[("csrf", admin.csrf.as_str()), ("username", name.as_str())],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    // A 15 MB field in an upload is quoted by its first characters only.
    let operator = app.login("operator", "danjiang-operator").await;
    let value = "9".repeat(15 * 1024 * 1024) + "x";
    let csv = format!("site,time,item,value,unit\nMS-OUT17,2024-01-01 08:00,TP,{value},mg/L\n");
    let reply = app
        .call(
            Method::POST,
            "/api/v1/quality/samples/import",
            Some(&operator),
            Some(&operator.csrf),
            Some(("text/csv", &csv)),
        )
        .await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert!(
        reply.body.len() < 8 * 1024,
        "a {} byte answer to a bad 15 MB field",
        reply.body.len()
    );
    assert!(reply.text().contains("99999…"), "{}", reply.text());
    // The API's patrol record takes the form's 24 MiB, not the default 2 MB.
    let record = json!({ "plan": "no-such-plan", "asset": "OUT17", "time": "2024-01-01 08:00",
        "inspector": "x", "answers": {}, "photos": [{ "file_name": "a.jpg",
        "content_base64": "A".repeat(3 * 1024 * 1024) }] });
    let reply = app
        .json(Method::POST, "/api/v1/patrols/records", &operator, &record)
        .await;
    assert_ne!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    assert!(reply.status.is_client_error(), "{}", reply.text());
}

#[tokio::test]
async fn a_refused_body_closes_the_connection_explicitly() {
    let app = TestApp::demo(sqlite("refused").await).await;
    let viewer = app.login("viewer", "danjiang-viewer").await;
    let body = json!({ "username": "newuser", "password": "long enough", "role": "viewer" });
    for session in [None, Some(&viewer)] {
        let reply = app
            .call(
                Method::POST,
                "/api/v1/users",
                session,
                session.map(|s| s.csrf.as_str()),
                Some(("application/json", &body.to_string())),
            )
            .await;
        assert!(
            matches!(
                reply.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ),
            "{}",
            reply.status
        );
        assert_eq!(
            reply.headers.get("connection").map(|v| v.to_str().unwrap()),
            Some("close"),
            "{}",
            reply.status
        );
    }
    // Without a body nothing is left unread: the connection stays.
    let reply = app.get("/admin/users", Some(&viewer)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.headers.get("connection").is_none());
}

/// A login through the API from `address`.
async fn login_from(app: &TestApp, username: &str, password: &str, address: &str) -> Reply {
    let peer: SocketAddr = format!("{address}:40000").parse().unwrap();
    let body = json!({ "username": username, "password": password }).to_string();
    app.send(
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .extension(ConnectInfo(peer))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A login through the page form from `address`, in `language`.
async fn form_login_from(
    app: &TestApp,
    username: &str,
    password: &str,
    address: &str,
    language: &str,
) -> Reply {
    let form = app.get("/login", None).await;
    let cookie = form.cookie("dj_login_csrf").unwrap();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf", token.as_str()),
    ])
    .unwrap();
    let peer: SocketAddr = format!("{address}:40000").parse().unwrap();
    app.send(
        Request::post("/login")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT_LANGUAGE, language)
            .extension(ConnectInfo(peer))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn retry_after(reply: &Reply) -> i64 {
    reply
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After header: {:?}", reply.headers))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_lock_the_account_and_the_address_until_lifted() {
    for store in stores("throttle").await {
        let app = TestApp::demo(store.clone()).await;
        let admin = app.login("admin", "danjiang-admin").await;
        // Five failures lock the account, even for the right password, and from elsewhere.
        for _ in 0..5 {
            let reply = login_from(&app, "viewer", "wrong password", "10.0.0.1").await;
            reply.assert_error(StatusCode::UNAUTHORIZED, "bad_login", "a wrong password");
        }
        for address in ["10.0.0.1", "10.0.0.2"] {
            let reply = login_from(&app, "viewer", "danjiang-viewer", address).await;
            reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "throttled", "locked");
            assert!(
                (1..=900).contains(&retry_after(&reply)),
                "{:?}",
                reply.headers
            );
        }
        // Every failure is audited with the name tried and the address.
        let audited = app
            .count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' \
                 AND entity_id = 'viewer' AND after_json LIKE '%10.0.0.1%'",
            )
            .await;
        assert_eq!(audited, 5);
        // The page says so in both languages, with the status and the wait.
        for (language, text) in [("en", "Too many failed logins"), ("zh", "登录失败次数过多")]
        {
            let reply =
                form_login_from(&app, "viewer", "danjiang-viewer", "10.0.0.3", language).await;
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{language}");
            assert!(retry_after(&reply) >= 1);
            assert!(reply.text().contains(text), "{language}: {}", reply.text());
        }
        // Another account from the same address is not locked; a success resets its count.
        for _ in 0..4 {
            let reply = login_from(&app, "operator", "wrong password", "10.0.0.1").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
        let reply = login_from(&app, "operator", "danjiang-operator", "10.0.0.1").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        for _ in 0..4 {
            let reply = login_from(&app, "operator", "wrong password", "10.0.0.1").await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "counted again from 0"
            );
        }
        // Lifting is for admins, with the CSRF header, and audited.
        let operator = app.login("operator", "danjiang-operator").await;
        let lift = "/api/v1/lockouts?scope=account&subject=viewer";
        app.call(
            Method::DELETE,
            lift,
            Some(&operator),
            Some(&operator.csrf),
            None,
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden", "an operator lifts");
        app.call(Method::DELETE, lift, Some(&admin), None, None)
            .await
            .assert_error(StatusCode::FORBIDDEN, "csrf", "no CSRF header");
        let listed = app.get("/api/v1/lockouts", Some(&admin)).await.json();
        assert_eq!(listed[0]["subject"], "viewer", "{listed}");
        let reply = app
            .call(Method::DELETE, lift, Some(&admin), Some(&admin.csrf), None)
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'lift_lockout'")
                .await,
            1
        );
        let reply = login_from(&app, "viewer", "danjiang-viewer", "10.0.0.1").await;
        assert_eq!(reply.status, StatusCode::OK, "lifted: {}", reply.text());

        // Guesses sent at once are counted as exactly as guesses in a row.
        let app = std::sync::Arc::new(app);
        let guesses: Vec<_> = (0..12)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { login_from(&app, "ghost", "guess", "10.0.0.5").await })
            })
            .collect();
        let mut statuses = Vec::new();
        for guess in guesses {
            statuses.push(guess.await.unwrap().status);
        }
        let refused = |status| statuses.iter().filter(|s| **s == status).count();
        assert_eq!(refused(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
        assert_eq!(refused(StatusCode::TOO_MANY_REQUESTS), 7, "{statuses:?}");

        // Twenty failures from one address lock it, whatever the names tried.
        for n in 0..20 {
            let reply = login_from(&app, &format!("guess{n}"), "wrong password", "10.0.0.9").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "guess {n}");
        }
        let reply = login_from(&app, "admin", "danjiang-admin", "10.0.0.9").await;
        reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "throttled", "address locked");
        assert!(reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("address"));
        // A restart lifts nothing: the count is in the store.
        let restarted = TestApp {
            router: danjiang_server::router(AppState::new(store.clone()).unwrap()),
            state: AppState::new(store.clone()).unwrap(),
        };
        let reply = login_from(&restarted, "admin", "danjiang-admin", "10.0.0.9").await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "after a restart"
        );
        // The admin page lists it and lifts it (form, CSRF field).
        let page = app.get("/admin/users", Some(&admin)).await.text();
        assert!(page.contains("10.0.0.9"), "{page}");
        let reply = app
            .form(
                "/admin/lockouts",
                Some(&admin),
                &[("scope", "address"), ("subject", "10.0.0.9")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "no CSRF field");
        let reply = app
            .form(
                "/admin/lockouts",
                Some(&admin),
                &[
                    ("csrf", admin.csrf.as_str()),
                    ("scope", "address"),
                    ("subject", "10.0.0.9"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let reply = login_from(&app, "admin", "danjiang-admin", "10.0.0.9").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
}

#[tokio::test]
async fn a_new_login_keeps_other_sessions_up_to_a_bound() {
    for store in stores("sessions").await {
        let app = TestApp::demo(store).await;
        // Two clients of one account: both stay logged in, and logging one out ends only it.
        let first = app.login("viewer", "danjiang-viewer").await;
        let second = app.login("viewer", "danjiang-viewer").await;
        for session in [&first, &second] {
            assert_eq!(
                app.get("/api/v1/session", Some(session)).await.status,
                StatusCode::OK
            );
        }
        let reply = app
            .call(
                Method::DELETE,
                "/api/v1/session",
                Some(&second),
                Some(&second.csrf),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/session", Some(&first)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/api/v1/session", Some(&second)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Logins beyond the bound end the oldest sessions: the table does not grow.
        for _ in 0..40 {
            app.login("viewer", "danjiang-viewer").await;
        }
        let kept = app
            .count("SELECT COUNT(*) FROM sessions WHERE username = 'viewer'")
            .await;
        assert_eq!(kept, danjiang_server::web::session::MOST_SESSIONS_PER_USER);
        let latest = app.login("viewer", "danjiang-viewer").await;
        assert_eq!(
            app.get("/api/v1/session", Some(&latest)).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_answers_413() {
    let app = TestApp::demo(sqlite("upload").await).await;
    let operator = app.login("operator", "danjiang-operator").await;
    // 17 MiB of CSV to a form whose limit is 16 MiB.
    let boundary = "dj-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{}\r\n--{boundary}--\r\n",
        operator.csrf,
        "x".repeat(17 * 1024 * 1024)
    );
    let reply = app
        .call(
            Method::POST,
            "/quality/import",
            Some(&operator),
            None,
            Some((&format!("multipart/form-data; boundary={boundary}"), &body)),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn cookies_are_secure_when_asked_for() {
    let store = sqlite("cookies").await;
    let plain = TestApp::demo(store.clone()).await;
    let mut state = AppState::new(store).unwrap();
    state.secure_cookies = true;
    let secure = TestApp {
        router: danjiang_server::router(state.clone()),
        state,
    };
    for (app, expected) in [(&plain, false), (&secure, true)] {
        let login = json!({ "username": "viewer", "password": "danjiang-viewer" }).to_string();
        let reply = app
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                None,
                Some(("application/json", &login)),
            )
            .await;
        let form = app.get("/login", None).await;
        for (reply, name) in [(&reply, "dj_session="), (&form, "dj_login_csrf=")] {
            let cookie = reply
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with(name))
                .unwrap_or_else(|| panic!("{name} set"))
                .to_string();
            assert_eq!(cookie.contains("Secure"), expected, "{cookie}");
        }
    }
}

//! Page tests without a browser: the login flow (form token against its cookie), redirects,
//! both languages, every page with demo data, the forms' role and CSRF checks.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{sqlite, Session, TestApp};

async fn page_login(app: &TestApp, username: &str, password: &str) -> Session {
    let form = app.get("/login?next=%2Fledger", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let login_cookie = form.cookie("dj_login_csrf").expect("a login token cookie");
    let token = login_cookie.split_once('=').unwrap().1.to_string();
    assert!(form.text().contains(&format!("value=\"{token}\"")));

    // A wrong token, or no cookie, is refused before the password is looked at.
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf", "forged"),
        ("next", "/ledger"),
    ])
    .unwrap();
    let reply = app
        .send(
            Request::post("/login")
                .header(header::COOKIE, &login_cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf", token.as_str()),
        ("next", "/ledger"),
    ])
    .unwrap();
    let reply = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "no login cookie");

    // A wrong password shows the form again.
    let bad = serde_urlencoded::to_string([
        ("username", username),
        ("password", "not the password"),
        ("csrf", token.as_str()),
        ("next", "/ledger"),
    ])
    .unwrap();
    let reply = app
        .send(
            Request::post("/login")
                .header(header::COOKIE, &login_cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(bad))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.text().contains("Wrong user name or password"));

    let reply = app
        .send(
            Request::post("/login")
                .header(header::COOKIE, &login_cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    assert_eq!(reply.location(), "/ledger");
    let session_cookie = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("dj_session="))
        .unwrap()
        .to_string();
    assert!(
        session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"),
        "{session_cookie}"
    );
    let cookie = reply.cookie("dj_session").unwrap();
    let csrf = app
        .get(
            "/api/v1/session",
            Some(&Session {
                cookie: cookie.clone(),
                csrf: String::new(),
            }),
        )
        .await
        .json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    Session { cookie, csrf }
}

#[tokio::test]
async fn pages_login_languages_and_forms() {
    let app = TestApp::demo(sqlite("pages").await).await;

    // Pages send strangers to the login page, and back afterwards.
    let reply = app.get("/ledger?by=use", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=%2Fledger%3Fby%3Duse");
    // The way back never leaves the site.
    let form = app
        .get("/login?next=https://evil.example/", None)
        .await
        .text();
    assert!(form.contains("name=\"next\" value=\"/\""), "{form}");

    let viewer = page_login(&app, "viewer", "danjiang-viewer").await;
    let overview = app.get("/", Some(&viewer)).await;
    assert_eq!(overview.status, StatusCode::OK);
    let html = overview.text();
    assert!(html.contains("<h1>Overview</h1>"), "{html}");
    assert!(
        html.contains("id=\"overview-monthly\"") && html.contains("class=\"dj-bar\""),
        "monthly bars drawn"
    );
    let split = html
        .split("id=\"overview-split\"")
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
        .expect("the split by use drawn");
    assert_eq!(
        split.matches("dj-slice dj-series-").count(),
        2,
        "domestic and ecological: {split}"
    );
    assert!(
        split.contains("Domestic") && split.contains("Ecological"),
        "{split}"
    );
    assert!(
        !html.contains("href=\"/admin/users\""),
        "a viewer sees no admin links"
    );

    // Language: Accept-Language, then the switch's cookie.
    let zh = app
        .send(
            Request::get("/")
                .header(header::COOKIE, &viewer.cookie)
                .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .text();
    assert!(
        zh.contains("<h1>总览</h1>") && zh.contains("lang=\"zh\""),
        "{zh}"
    );
    // Only a path of this site is a place to go back to: tabs and newlines (dropped by
    // browsers, which would then follow `//evil.example`) and other sites go home instead.
    for next in [
        "/%09/evil.example",
        "/%0A/x",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
        "/%0D%0ASet-Cookie:x=1",
    ] {
        for route in ["/lang/en", "/login"] {
            let reply = app.get(&format!("{route}?next={next}"), None).await;
            if route == "/login" {
                assert_eq!(reply.status, StatusCode::OK, "{route}?next={next}");
                let page = reply.text();
                assert!(
                    page.contains("name=\"next\" value=\"/\""),
                    "{route}?next={next}: {page}"
                );
            } else {
                assert_eq!(reply.status, StatusCode::SEE_OTHER, "{route}?next={next}");
                assert_eq!(reply.location(), "/", "{route}?next={next}");
            }
        }
    }
    let switch = app.get("/lang/zh?next=%2Fledger", None).await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/ledger");
    let lang_cookie = switch.cookie("dj_lang").unwrap();
    let zh_ledger = app
        .send(
            Request::get("/ledger")
                .header(header::COOKIE, format!("{}; {lang_cookie}", viewer.cookie))
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .text();
    assert!(zh_ledger.contains("供水台账"));
    assert_eq!(
        app.get("/lang/fr", None).await.status,
        StatusCode::BAD_REQUEST
    );

    // Every page loads with the demo data.
    for (path, expect) in [
        ("/ledger?by=plant&period=year", "class=\"dj-bar\""),
        ("/ledger?by=use&period=all", "Domestic"),
        (
            "/ledger?by=outlet&period=day&from=2021-05-01&to=2021-05-31",
            "2021-05-31",
        ),
        ("/assets?kind=plant", "P-ZHOUZHUANG"),
        ("/assets/OUT17", "OUT17"),
        ("/plans", "OUT17"),
        ("/api/docs", "/api/v1/ledger"),
    ] {
        let reply = app.get(path, Some(&viewer)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.text().contains(expect), "{path} lacks {expect}");
    }
    let csv = app
        .get("/ledger.csv?by=use&period=all", Some(&viewer))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().starts_with("use,name,period"));
    assert_eq!(
        app.get("/ledger?period=fortnight", Some(&viewer))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/no-such-page", Some(&viewer)).await.status,
        StatusCode::NOT_FOUND
    );
    // A viewer does not get the admin pages, nor the plan form.
    assert_eq!(
        app.get("/admin/users", Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/admin/audit", Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!app
        .get("/plans", Some(&viewer))
        .await
        .text()
        .contains("method=\"post\" action=\"/plans\""));

    // Admin pages; creating a user through the form, audited.
    let admin = app.login("admin", "danjiang-admin").await;
    assert!(app
        .get("/admin/users", Some(&admin))
        .await
        .text()
        .contains("operator"));
    let reply = app
        .form(
            "/admin/users",
            Some(&admin),
            &[
                ("username", "li.ming"),
                ("display_name", "李明"),
                ("password", "long enough"),
                ("role", "operator"),
                ("csrf", admin.csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let audit = app.get("/admin/audit", Some(&admin)).await.text();
    assert!(audit.contains("li.ming") && audit.contains("create"));
    let reply = app
        .form(
            "/admin/users/li.ming",
            Some(&admin),
            &[("role", "viewer"), ("csrf", admin.csrf.as_str())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let user = app.get("/api/v1/users", Some(&admin)).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "li.ming")
        .cloned()
        .unwrap();
    assert_eq!(user["role"], "viewer");
    assert_eq!(user["active"], false, "an unticked box disables");

    // Logging out through the page needs the token.
    let reply = app
        .form("/logout", Some(&viewer), &[("csrf", "wrong")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app
        .form("/logout", Some(&viewer), &[("csrf", viewer.csrf.as_str())])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/", Some(&viewer)).await.status,
        StatusCode::SEE_OTHER
    );
    let _ = Method::GET;
}

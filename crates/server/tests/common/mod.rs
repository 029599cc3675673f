//! Test stores (SQLite always, PostgreSQL when `DANJIANG_TEST_POSTGRES_URL` is set, required when
//! `CI=true`), the demo loaded into them, and a small client that sends requests straight to the
//! router (no sockets) and keeps cookies and the CSRF token of a login.

#![allow(dead_code)]

pub mod browser;

use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use danjiang_ops::{Silent, Store};
use danjiang_server::{demo, router, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Executor;
use tower::ServiceExt;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// This test binary's own scratch folder in cargo's target folder (not the system's
/// temporary folder, which would keep the files of every run), emptied when the binary
/// first asks for it, so only the latest run's files are kept.
pub fn scratch_folder() -> std::path::PathBuf {
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FOLDER
        .get_or_init(|| {
            let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(concat!("scratch-", env!("CARGO_CRATE_NAME")));
            let _ = std::fs::remove_dir_all(&folder);
            std::fs::create_dir_all(&folder).expect("create the test's scratch folder");
            folder
        })
        .clone()
}

fn unique(name: &str) -> String {
    format!(
        "danjiang_server_{}_{}_{}",
        name,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A new, empty SQLite store in the temporary folder.
pub async fn sqlite(name: &str) -> Store {
    let path = scratch_folder().join(format!("{}.db", unique(name)));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Store::open(&format!("sqlite:{}", path.display()))
        .await
        .expect("open a SQLite store")
}

/// A new, empty PostgreSQL database, or `None` (loudly) when no server is configured outside CI.
pub async fn postgres(name: &str) -> Option<Store> {
    let base = match std::env::var("DANJIANG_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but DANJIANG_TEST_POSTGRES_URL is unset (scripts/postgres.sh)");
            }
            eprintln!("\n!!! SKIPPING the PostgreSQL half of `{name}`: DANJIANG_TEST_POSTGRES_URL is unset !!!\n");
            return None;
        }
    };
    sqlx::any::install_default_drivers();
    let database = unique(name).to_lowercase();
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to the PostgreSQL test server");
    admin
        .execute(format!("CREATE DATABASE {database}").as_str())
        .await
        .expect("create a test database");
    admin.close().await;
    let (prefix, _) = base.rsplit_once('/').expect("a URL ending in /DATABASE");
    Some(
        Store::open(&format!("{prefix}/{database}"))
            .await
            .expect("open a PostgreSQL store"),
    )
}

/// Every store the suite runs against: SQLite, and PostgreSQL when configured.
pub async fn stores(name: &str) -> Vec<Store> {
    let mut stores = vec![sqlite(name).await];
    if let Some(pg) = postgres(name).await {
        stores.push(pg);
    }
    stores
}

/// A store with the Xuchang demo and its users, and the application over it.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
}

impl TestApp {
    pub async fn demo(store: Store) -> TestApp {
        demo::load(&store, &Silent).await.expect("load the demo");
        demo::create_users(&store).await.expect("create demo users");
        let state = AppState::new(store).expect("state");
        TestApp {
            router: router(state.clone()),
            state,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A request with an optional session, CSRF header, and body with its content type.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        csrf: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(session) = session {
            builder = builder.header(header::COOKIE, &session.cookie);
        }
        if let Some(csrf) = csrf {
            builder = builder.header("x-csrf-token", csrf);
        }
        let body = match body {
            Some((content_type, text)) => {
                builder = builder.header(header::CONTENT_TYPE, content_type);
                Body::from(text.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("a request")).await
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        self.call(Method::GET, path, session, None, None).await
    }

    /// A JSON call with the session's own CSRF token.
    pub async fn json(&self, method: Method, path: &str, session: &Session, body: &Value) -> Reply {
        self.call(
            method,
            path,
            Some(session),
            Some(&session.csrf),
            Some(("application/json", &body.to_string())),
        )
        .await
    }

    /// A page form post with the session's cookie and `fields` (add `csrf` yourself).
    pub async fn form(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("encode a form");
        self.call(
            Method::POST,
            path,
            session,
            None,
            Some(("application/x-www-form-urlencoded", &body)),
        )
        .await
    }

    /// Logs in through the API.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                None,
                Some((
                    "application/json",
                    &serde_json::json!({ "username": username, "password": password }).to_string(),
                )),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {username}: {}",
            reply.text()
        );
        let cookie = reply.cookie("dj_session").expect("a session cookie");
        Session {
            cookie,
            csrf: reply.json()["csrf_token"]
                .as_str()
                .expect("a csrf token")
                .to_string(),
        }
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.state.store.pool())
            .await
            .expect("count")
            .try_get(0)
            .expect("a count")
    }
}

/// A logged-in client: its cookie header and CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected JSON ({e}), got {}: {}", self.status, self.text()))
    }

    /// `name=value` of a Set-Cookie header for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts a JSON error with this status and code.
    pub fn assert_error(&self, status: StatusCode, code: &str, what: &str) {
        assert_eq!(self.status, status, "{what}: {}", self.text());
        let json = self.json();
        assert_eq!(json["code"], code, "{what}: {json}");
        assert!(
            json["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a message"
        );
    }
}

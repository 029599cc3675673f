//! Fresh stores for tests: always a SQLite file, and a PostgreSQL database when
//! `DANJIANG_TEST_POSTGRES_URL` names a server (scripts/postgres.sh starts one). Under CI
//! (`CI=true`) a missing PostgreSQL URL is a failure, not a skip.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use danjiang_ops::Store;
use sqlx::Executor;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The folder of this test binary's SQLite files: in cargo's target folder (not the
/// system's temporary folder, which would keep them), emptied when the binary first needs
/// it, so only the latest run's files are kept.
fn store_folder() -> std::path::PathBuf {
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FOLDER
        .get_or_init(|| {
            let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(concat!("stores-", env!("CARGO_CRATE_NAME")));
            let _ = std::fs::remove_dir_all(&folder);
            std::fs::create_dir_all(&folder).expect("create the test stores' folder");
            folder
        })
        .clone()
}

fn unique(name: &str) -> String {
    format!(
        "danjiang_{}_{}_{}",
        name,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A new, empty SQLite store in the temporary folder; returns its URL too.
pub async fn sqlite(name: &str) -> (String, Store) {
    let path = store_folder().join(format!("{}.db", unique(name)));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite:{}", path.display());
    let store = Store::open(&url).await.expect("open a SQLite store");
    (url, store)
}

/// A new, empty PostgreSQL database on the test server, or `None` (with a loud message) when no
/// server is configured outside CI.
pub async fn postgres(name: &str) -> Option<(String, Store)> {
    let base = match std::env::var("DANJIANG_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but DANJIANG_TEST_POSTGRES_URL is unset: the PostgreSQL half of the ops tests must run (scripts/postgres.sh)");
            }
            eprintln!("\n!!! SKIPPING the PostgreSQL half of `{name}`: DANJIANG_TEST_POSTGRES_URL is unset (run scripts/postgres.sh) !!!\n");
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
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a PostgreSQL URL ends in /DATABASE");
    let url = format!("{prefix}/{database}");
    let store = Store::open(&url).await.expect("open a PostgreSQL store");
    Some((url, store))
}

/// Every store the suite runs against: SQLite, and PostgreSQL when configured.
pub async fn stores(name: &str) -> Vec<(String, Store)> {
    let mut stores = vec![sqlite(name).await];
    if let Some(pg) = postgres(name).await {
        stores.push(pg);
    }
    stores
}

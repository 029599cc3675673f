//! The store: one connection pool over SQLite (the default, a file) or PostgreSQL, with the
//! schema migrations embedded per backend.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::error::{OpsError, Result};

/// Which database engine is behind the store; the SQL differs in a few places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file (WAL journal, busy timeout, foreign keys on).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// How long a SQLite writer waits for another process's write to finish, ms.
const SQLITE_BUSY_TIMEOUT_MS: u64 = 60_000;

/// The operations store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Turns what a user typed (`sqlite:PATH`, `sqlite://PATH`, `postgres://...`, or a bare file path)
/// into a URL sqlx understands and the backend it names.
pub fn normalise_url(url: &str) -> Result<(String, Backend)> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), Backend::Postgres));
    }
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.contains("://") || url.is_empty() {
        return Err(OpsError::UnsupportedUrl(url.to_string()));
    } else {
        url
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok((format!("sqlite://{path}?{query}"), Backend::Sqlite))
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the store at `url`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(120))
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout makes a
                        // second writer wait instead of failing at once.
                        connection
                            .execute(
                                format!(
                                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                                     PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                     PRAGMA synchronous = NORMAL;"
                                )
                                .as_str(),
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine behind the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Empties every table (used by `demo` to start from a fresh store), in one transaction.
    pub async fn clear(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "siting_zone_maps",
            "siting_review_distances",
            "siting_review_rules",
            "siting_reviews",
            "defect_transitions",
            "defects",
            "patrol_record_photos",
            "photos",
            "patrol_records",
            "patrol_plans",
            "patrol_seasons",
            "patrol_plan_sets",
            "samples",
            "monitoring_sites",
            "daily_volumes",
            "readings",
            "meter_replacements",
            "meter_uses",
            "plans",
            "meters",
            "assets",
            "counties",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// True when a database error means "another writer holds the lock, try again".
pub(crate) fn is_busy(error: &OpsError) -> bool {
    match error {
        OpsError::Database(sqlx::Error::Database(db)) => {
            let message = db.message().to_ascii_lowercase();
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            message.contains("database is locked")
                || message.contains("busy")
                || code == "40001"
                || code == "40P01"
        }
        OpsError::Database(sqlx::Error::PoolTimedOut) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(
            normalise_url("danjiang.db").unwrap(),
            ("sqlite://danjiang.db?mode=rwc".to_string(), Backend::Sqlite)
        );
        assert_eq!(
            normalise_url("sqlite:/tmp/a.db").unwrap().1,
            Backend::Sqlite
        );
        assert_eq!(
            normalise_url("postgres://u@h/db").unwrap().1,
            Backend::Postgres
        );
        assert!(normalise_url("mysql://x").is_err());
    }
}

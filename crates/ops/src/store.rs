//! The store: one connection pool over SQLite (the default, a file) or PostgreSQL, with the
//! schema migrations embedded per backend.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// Connections in the pool. Readers are never starved by writers: at most
/// [`Backend::concurrent_writers`] of these are write transactions.
const POOL_CONNECTIONS: u32 = 16;

/// How long a request waits for a connection or a write turn before the store answers
/// [`OpsError::Busy`] (a 503 in the web app) instead of hanging.
const WAIT_LIMIT: Duration = Duration::from_secs(10);

impl Backend {
    /// How many write transactions may be open at once. SQLite has one writer at a time, so a
    /// second one would only hold a connection while it waits on the file lock; PostgreSQL
    /// writes side by side, and keeps the rest of the pool for readers.
    fn concurrent_writers(self) -> usize {
        match self {
            Backend::Sqlite => 1,
            Backend::Postgres => (POOL_CONNECTIONS / 2) as usize,
        }
    }
}

/// The operations store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Write turns: a writer takes one before it takes a connection, so writers waiting for
    /// their turn hold no connection and can never take the whole pool.
    writers: Arc<Semaphore>,
}

/// A write transaction of the store: every write that belongs together goes through one, and
/// nothing inside it may use the pool (the reads it needs go through the transaction, or are
/// made before it is opened). It derefs to the sqlx transaction; [`WriteTransaction::commit`]
/// ends it, and dropping it rolls back.
#[derive(Debug)]
pub struct WriteTransaction {
    transaction: Transaction<'static, Any>,
    _turn: OwnedSemaphorePermit,
}

impl WriteTransaction {
    /// Commits the transaction and hands the write turn on.
    pub async fn commit(self) -> Result<()> {
        self.transaction.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTransaction {
    type Target = Transaction<'static, Any>;
    fn deref(&self) -> &Self::Target {
        &self.transaction
    }
}

impl DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.transaction
    }
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
            .max_connections(POOL_CONNECTIONS)
            .acquire_timeout(WAIT_LIMIT)
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout makes a
                        // second writer wait instead of failing at once. A page cache of 64 MB and
                        // statement journals in memory keep a large batch from spilling pages to
                        // disk before it commits.
                        connection
                            .execute(
                                format!(
                                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                                     PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                     PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
                                     PRAGMA temp_store = MEMORY;"
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
        let store = Store {
            pool,
            backend,
            writers: Arc::new(Semaphore::new(backend.concurrent_writers())),
        };
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

    /// Opens a write transaction once it is this writer's turn. On SQLite it begins
    /// `IMMEDIATE`, taking the file's write lock at once: a deferred transaction that reads and
    /// then writes fails with "database is locked" when another writer went first, where an
    /// immediate one waits its turn. Waiting longer than [`WAIT_LIMIT`] is [`OpsError::Busy`].
    pub async fn begin_write(&self) -> Result<WriteTransaction> {
        let turn = tokio::time::timeout(WAIT_LIMIT, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| {
                OpsError::Busy(format!(
                    "no write turn within {} s: other writes are queued",
                    WAIT_LIMIT.as_secs()
                ))
            })?
            .map_err(|_| OpsError::Busy("the store is closing".into()))?;
        let transaction = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTransaction {
            transaction,
            _turn: turn,
        })
    }

    /// Empties every table (used by `demo` to start from a fresh store), in one transaction.
    pub async fn clear(&self) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for table in [
            "alarms",
            "ingest_tokens",
            "tag_latest",
            "point_rollups",
            "points",
            "tags",
            "siting_zone_maps",
            "siting_review_distances",
            "siting_review_rules",
            "siting_reviews",
            "defect_transitions",
            "defects",
            "defect_numbers",
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
                .execute(&mut **tx)
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

//! Login throttling: failures counted per account name tried and per address in the store's
//! `login_failures` table; too many in the window refuse further attempts until the window
//! passes or an admin lifts the lockout. Kept in the store so that a restart lifts nothing.
//! Attempts for one account name, or from one address, are checked one at a time (a
//! [`Turn`]), so guesses sent in parallel are counted as exactly as guesses sent in a row.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use danjiang_ops::Store;
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::web::error::{excerpt, Result, ServerError};

/// The window failures are counted over, seconds.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures of one account name in the window that lock it.
pub const ACCOUNT_FAILURES: i64 = 5;
/// Failures from one address in the window that lock it (a few users behind one address may
/// mistype; one guesser trying many accounts may not).
pub const ADDRESS_FAILURES: i64 = 20;

/// What is counted and locked: an account name tried or an address.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// An account name tried (whether or not such an account exists).
    Account,
    /// A client's address.
    Address,
}

impl Scope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }

    fn of_name(name: &str) -> Option<Scope> {
        match name {
            "account" => Some(Scope::Account),
            "address" => Some(Scope::Address),
            _ => None,
        }
    }

    /// Failures in the window that lock.
    pub fn limit(self) -> i64 {
        match self {
            Scope::Account => ACCOUNT_FAILURES,
            Scope::Address => ADDRESS_FAILURES,
        }
    }

    fn which(self) -> &'static str {
        match self {
            Scope::Account => "for this account",
            Scope::Address => "from this address",
        }
    }
}

/// An account name as counted: an excerpt, so that a name of megabytes is not stored whole.
pub fn subject_of_name(username: &str) -> String {
    excerpt(username.trim())
}

/// A lockout in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lockout {
    /// `account` or `address`.
    pub scope: Scope,
    /// The account name tried, or the address.
    pub subject: String,
    /// Failures in the window.
    pub failures: i64,
    /// Seconds until the lockout ends by itself.
    pub retry_after_seconds: i64,
}

/// Seconds until `subject` may try again, if it is locked at `at`: locked while the window
/// holds `limit` failures, until the oldest of the newest `limit` leaves it.
async fn wait_of(store: &Store, scope: Scope, subject: &str, at: i64) -> Result<Option<i64>> {
    let rows = sqlx::query(
        "SELECT at FROM login_failures WHERE scope = $1 AND subject = $2 AND at > $3 \
         ORDER BY at DESC LIMIT $4",
    )
    .bind(scope.as_str())
    .bind(subject)
    .bind(at - WINDOW_SECONDS)
    .bind(scope.limit())
    .fetch_all(store.pool())
    .await?;
    if (rows.len() as i64) < scope.limit() {
        return Ok(None);
    }
    let oldest: i64 = rows.last().map_or(Ok(at), |row| row.try_get("at"))?;
    Ok(Some((oldest + WINDOW_SECONDS - at).max(1)))
}

type TurnLocks = Mutex<HashMap<(Scope, String), Arc<tokio::sync::Mutex<()>>>>;

/// The turn of each account name and address whose login is being checked (process-wide: one
/// server serves one store; an entry lives while an attempt holds or awaits it).
static TURNS: LazyLock<TurnLocks> = LazyLock::new(Default::default);

/// The turn to check a login for an account name from an address: while it is held, no other
/// attempt for that name or from that address is checked.
pub struct Turn {
    guards: Vec<tokio::sync::OwnedMutexGuard<()>>,
}

/// Waits for the turn of `username` and `address` (always the account's first, so that two
/// attempts never wait for each other's).
pub async fn turn(username: &str, address: Option<&str>) -> Turn {
    let account = subject_of_name(username);
    let keys = [
        (Scope::Account, Some(account)),
        (Scope::Address, address.map(String::from)),
    ];
    let mut guards = Vec::with_capacity(2);
    for (scope, subject) in keys {
        let Some(subject) = subject else { continue };
        let lock = TURNS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((scope, subject))
            .or_default()
            .clone();
        guards.push(lock.lock_owned().await);
    }
    Turn { guards }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.guards.clear();
        // Turns no attempt holds or awaits are forgotten, so the map does not grow.
        TURNS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}

/// Refuses an attempt for a locked account name or address (`Throttled`, with the wait).
pub async fn check(store: &Store, username: &str, address: Option<&str>, at: i64) -> Result<()> {
    let account = subject_of_name(username);
    let subjects = [
        (Scope::Account, Some(account.as_str())),
        (Scope::Address, address),
    ];
    for (scope, subject) in subjects {
        let Some(subject) = subject else { continue };
        if let Some(wait) = wait_of(store, scope, subject, at).await? {
            return Err(ServerError::Throttled {
                which: scope.which(),
                retry_after_seconds: wait,
            });
        }
    }
    Ok(())
}

/// Counts a failed login of `username` from `address` inside `tx`.
pub async fn record_failure(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    address: Option<&str>,
    at: i64,
) -> Result<()> {
    // Failures older than the window count no more: cleared as new ones come.
    sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(at - WINDOW_SECONDS)
        .execute(&mut **tx)
        .await?;
    let account = subject_of_name(username);
    let subjects = [
        (Scope::Account, Some(account.as_str())),
        (Scope::Address, address),
    ];
    for (scope, subject) in subjects {
        let Some(subject) = subject else { continue };
        sqlx::query("INSERT INTO login_failures (scope, subject, at) VALUES ($1, $2, $3)")
            .bind(scope.as_str())
            .bind(subject)
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// After a successful login the account's count starts again (the address's does not, so that
/// one good login does not let an address guess on).
pub async fn forget_account(tx: &mut Transaction<'static, Any>, username: &str) -> Result<()> {
    lift(tx, Scope::Account, &subject_of_name(username)).await?;
    Ok(())
}

/// Forgets the failures of an account name or an address (an admin lifting a lockout); returns
/// how many there were.
pub async fn lift(tx: &mut Transaction<'static, Any>, scope: Scope, subject: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND subject = $2")
        .bind(scope.as_str())
        .bind(subject)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// The lockouts in force at `at`, accounts then addresses, by name.
pub async fn lockouts(store: &Store, at: i64) -> Result<Vec<Lockout>> {
    let rows = sqlx::query(
        "SELECT scope, subject, at FROM login_failures WHERE at > $1 ORDER BY scope, subject, at",
    )
    .bind(at - WINDOW_SECONDS)
    .fetch_all(store.pool())
    .await?;
    let mut times: BTreeMap<(Scope, String), Vec<i64>> = BTreeMap::new();
    for row in &rows {
        let scope: String = row.try_get("scope")?;
        let Some(scope) = Scope::of_name(&scope) else {
            continue;
        };
        times
            .entry((scope, row.try_get("subject")?))
            .or_default()
            .push(row.try_get("at")?);
    }
    Ok(times
        .into_iter()
        .filter_map(|((scope, subject), mut times)| {
            let failures = times.len() as i64;
            if failures < scope.limit() {
                return None;
            }
            times.sort_unstable_by(|a, b| b.cmp(a));
            let oldest = times.get(scope.limit() as usize - 1).copied().unwrap_or(at);
            Some(Lockout {
                scope,
                subject,
                failures,
                retry_after_seconds: (oldest + WINDOW_SECONDS - at).max(1),
            })
        })
        .collect())
}

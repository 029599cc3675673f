//! Ingestion tokens: the credentials a machine (a SCADA gateway, an analyser's logger) posts
//! points with, one or more per source. A token is 32 random bytes shown once when created; only
//! its SHA-256 digest is stored, so a copy of the database gives no working token. Creating and
//! revoking a token are audited in the transaction that makes the change.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{OpsError, Result};
use crate::store::Store;

/// The prefix of every ingestion token, so one found in a log or a file is recognised as ours.
const TOKEN_PREFIX: &str = "djt_";
/// Longest source name, characters.
const SOURCE_MAX: usize = 64;

/// An ingestion token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IngestToken {
    /// The token's number.
    pub id: i64,
    /// The source it posts for.
    pub source: String,
    /// When it was created, UTC s.
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
    /// When it was revoked, UTC s; `None` while it is valid.
    pub revoked_at: Option<i64>,
}

/// The stored digest of a token: SHA-256 as lowercase hex.
fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new token: the prefix and 32 bytes from the operating system's generator as hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{hex}")
}

/// Checks a source name: 1 to 64 letters, digits, `.`, `_` or `-` (it appears in logs and URLs).
fn check_source(source: &str) -> Result<()> {
    let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if source.is_empty() || source.chars().count() > SOURCE_MAX || !source.chars().all(fine) {
        return Err(OpsError::Invalid(format!(
            "source `{}`: expected 1 to {SOURCE_MAX} letters, digits, `.`, `_` or `-`",
            source.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

fn now_utc() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Writes an audit entry for a token in the transaction that changes it.
async fn audit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &str,
    action: &str,
    token: &IngestToken,
    before: Option<&IngestToken>,
) -> Result<()> {
    let json = |t: &IngestToken| serde_json::to_string(t).unwrap_or_default();
    sqlx::query(
        "INSERT INTO audit_log (at, username, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, 'ingest_token', $4, $5, $6)",
    )
    .bind(now_utc())
    .bind(by)
    .bind(action)
    .bind(token.id.to_string())
    .bind(before.map(json))
    .bind(json(token))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates a token for `source` (audited as `by`); returns it as stored and the token itself,
/// which is not kept and cannot be shown again.
pub async fn create_token(store: &Store, source: &str, by: &str) -> Result<(IngestToken, String)> {
    check_source(source)?;
    let token = new_token();
    let created_at = now_utc();
    let mut tx = store.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO ingest_tokens (source, token_digest, created_at, created_by) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(source)
    .bind(digest(&token))
    .bind(created_at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let stored = IngestToken {
        id,
        source: source.to_string(),
        created_at,
        created_by: by.to_string(),
        revoked_at: None,
    };
    audit(&mut tx, by, "create", &stored, None).await?;
    tx.commit().await?;
    Ok((stored, token))
}

fn token_of(row: &sqlx::any::AnyRow) -> Result<IngestToken> {
    Ok(IngestToken {
        id: row.try_get(0)?,
        source: row.try_get(1)?,
        created_at: row.try_get(2)?,
        created_by: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
    })
}

const TOKEN_COLUMNS: &str = "id, source, created_at, created_by, revoked_at";

/// Every token, revoked ones too, by source then number.
pub async fn list_tokens(store: &Store) -> Result<Vec<IngestToken>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM ingest_tokens ORDER BY source, id");
    let rows = sqlx::query(&sql).fetch_all(store.pool()).await?;
    rows.iter().map(token_of).collect()
}

/// Revokes token `id` (audited as `by`): from now on it is refused.
pub async fn revoke_token(store: &Store, id: i64, by: &str) -> Result<IngestToken> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM ingest_tokens WHERE id = $1");
    let mut tx = store.begin_write().await?;
    let before = match sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await? {
        Some(row) => token_of(&row)?,
        None => return Err(OpsError::NotFound(format!("ingestion token {id}"))),
    };
    if before.revoked_at.is_some() {
        return Err(OpsError::Invalid(format!(
            "ingestion token {id} is already revoked"
        )));
    }
    let revoked_at = now_utc();
    sqlx::query("UPDATE ingest_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(revoked_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let after = IngestToken {
        revoked_at: Some(revoked_at),
        ..before.clone()
    };
    audit(&mut tx, by, "revoke", &after, Some(&before)).await?;
    tx.commit().await?;
    Ok(after)
}

/// The source a token posts for, or `None` when it is unknown or revoked.
pub async fn token_source(store: &Store, token: &str) -> Result<Option<String>> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT source FROM ingest_tokens WHERE token_digest = $1 AND revoked_at IS NULL",
    )
    .bind(digest(token))
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

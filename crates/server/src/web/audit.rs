//! The audit log: who changed what, when, with the thing before and after as JSON. Every entry is
//! written in the transaction of the change it records, so neither exists without the other.

use danjiang_ops::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::web::dates::format_time;
use crate::web::error::Result;

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Entry number, increasing.
    pub id: i64,
    /// When, UTC `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    /// Who (a user name, or `system` for the demo loader and the command line).
    pub username: String,
    /// What was done: `create`, `update`, `login`, `logout`.
    pub action: String,
    /// The kind of thing changed: `user`, `plan`, `session`.
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// The thing before the change (absent when created).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The thing after the change (absent when removed).
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

/// Records a change inside the transaction that makes it.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<()> {
    danjiang_ops::audit::record_in(
        tx,
        danjiang_ops::audit::Change {
            username,
            action,
            entity,
            entity_id,
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

fn parse_json(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// One page of the log, newest first, and how many entries there are.
pub async fn list(store: &Store, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, i64)> {
    let rows = sqlx::query(
        "SELECT id, at, username, action, entity, entity_id, before_json, after_json \
         FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    let entries = rows
        .into_iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get(0)?,
                at: format_time(row.try_get(1)?),
                username: row.try_get(2)?,
                action: row.try_get(3)?,
                entity: row.try_get(4)?,
                entity_id: row.try_get(5)?,
                before: parse_json(row.try_get(6)?),
                after: parse_json(row.try_get(7)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((entries, total))
}

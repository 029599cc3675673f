//! The audit log's writer: who changed what, with the thing before and after as JSON, written in
//! the transaction of the change it records so that neither exists without the other. The web
//! application's `web::audit` writes through it; the store's own audited changes (alarm
//! acknowledgements and shelving, alarm limits) call it directly.

use serde_json::Value;
use sqlx::{Any, Transaction};

use crate::error::Result;

/// One change to record.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Who made it (a user name, or `system`).
    pub username: &'a str,
    /// What was done: `create`, `update`, `acknowledge`, `shelve`, ...
    pub action: &'a str,
    /// The kind of thing changed: `alarm`, `tag_limits`, `user`, ...
    pub entity: &'a str,
    /// Which one.
    pub entity_id: &'a str,
    /// The thing before the change (absent when created).
    pub before: Option<&'a Value>,
    /// The thing after the change (absent when removed).
    pub after: Option<&'a Value>,
}

/// Records `change` inside `tx`, stamped with the UTC clock now (s since 1970).
pub async fn record_in(tx: &mut Transaction<'static, Any>, change: Change<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, username, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(chrono::Utc::now().timestamp())
    .bind(change.username)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before.map(Value::to_string))
    .bind(change.after.map(Value::to_string))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

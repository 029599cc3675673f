//! What people do with alarms, each audited in its own transaction: acknowledge with a note,
//! shelve for a while and unshelve; a tag's limits; who is told of new alarms.

use serde_json::Value;
use sqlx::{Any, Row, Transaction};

use super::list::alarm_of;
use super::{Alarm, AlarmState};
use crate::audit::{record_in, Change};
use crate::error::{OpsError, Result};
use crate::store::Store;

/// The longest an alarm may be shelved, s (a week): shelving is always for a time.
pub const MAX_SHELVE_S: i64 = 7 * 86_400;
/// The shortest shelving, s.
const MIN_SHELVE_S: i64 = 60;
/// The longest acknowledgement note, characters.
const MAX_NOTE_CHARS: usize = 2_000;

fn as_json<T: serde::Serialize>(thing: &T) -> Value {
    serde_json::to_value(thing).unwrap_or(Value::Null)
}

async fn alarm_in(tx: &mut Transaction<'static, Any>, id: i64) -> Result<Alarm> {
    let row = sqlx::query(&format!("SELECT {} WHERE a.id = $1", super::list::COLUMNS))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| OpsError::NotFound(format!("alarm {id}")))?;
    alarm_of(&row)
}

/// Acknowledges alarm `id` at `at` (s station time) by `username` with `note` (required):
/// active → acknowledged, cleared-unacknowledged → closed; audited. An alarm already
/// acknowledged is refused, as is an unknown one.
pub async fn acknowledge(
    store: &Store,
    id: i64,
    username: &str,
    note: &str,
    at: i64,
) -> Result<Alarm> {
    let note = note.trim();
    if note.is_empty() {
        return Err(OpsError::Invalid(
            "note: required; say what was seen or done".into(),
        ));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(OpsError::Invalid(format!(
            "note: at most {MAX_NOTE_CHARS} characters"
        )));
    }
    let mut tx = store.begin_write().await?;
    let before = alarm_in(&mut tx, id).await?;
    let state = match before.state {
        AlarmState::Active => AlarmState::Acknowledged,
        AlarmState::ClearedUnacknowledged => AlarmState::Closed,
        AlarmState::Acknowledged | AlarmState::Closed => {
            return Err(OpsError::Invalid(format!(
                "alarm {id} was already acknowledged by {}",
                before.acknowledged_by.as_deref().unwrap_or("someone")
            )))
        }
    };
    sqlx::query(
        "UPDATE alarms SET state = $1, acknowledged_at = $2, acknowledged_by = $3, note = $4 \
         WHERE id = $5",
    )
    .bind(state.as_str())
    .bind(at)
    .bind(username)
    .bind(note)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let after = alarm_in(&mut tx, id).await?;
    audit(&mut tx, username, "acknowledge", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

async fn audit(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    action: &str,
    before: &Alarm,
    after: &Alarm,
) -> Result<()> {
    let id = before.id.to_string();
    record_in(
        tx,
        Change {
            username,
            action,
            entity: "alarm",
            entity_id: &id,
            before: Some(&as_json(before)),
            after: Some(&as_json(after)),
        },
    )
    .await
}

/// Shelves alarm `id` (not closed) from `at` for `duration_s` (60 s to [`MAX_SHELVE_S`]);
/// a new occurrence of the same tag and condition while shelved is shelved too. Audited.
pub async fn shelve(
    store: &Store,
    id: i64,
    username: &str,
    duration_s: i64,
    at: i64,
) -> Result<Alarm> {
    if !(MIN_SHELVE_S..=MAX_SHELVE_S).contains(&duration_s) {
        return Err(OpsError::Invalid(format!(
            "duration: {duration_s} s; expected {MIN_SHELVE_S} to {MAX_SHELVE_S} s (a week)"
        )));
    }
    let mut tx = store.begin_write().await?;
    let before = alarm_in(&mut tx, id).await?;
    if before.state == AlarmState::Closed {
        return Err(OpsError::Invalid(format!(
            "alarm {id} is closed; there is nothing to shelve"
        )));
    }
    sqlx::query("UPDATE alarms SET shelved_until = $1, shelved_by = $2 WHERE id = $3")
        .bind(at + duration_s)
        .bind(username)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let after = alarm_in(&mut tx, id).await?;
    audit(&mut tx, username, "shelve", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Ends the shelving of alarm `id` and of its tag's condition. Audited.
pub async fn unshelve(store: &Store, id: i64, username: &str) -> Result<Alarm> {
    let mut tx = store.begin_write().await?;
    let before = alarm_in(&mut tx, id).await?;
    sqlx::query(
        "UPDATE alarms SET shelved_until = NULL, shelved_by = NULL WHERE kind = $1 \
         AND tag_id = (SELECT tag_id FROM alarms WHERE id = $2) AND shelved_until IS NOT NULL",
    )
    .bind(before.kind.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let after = alarm_in(&mut tx, id).await?;
    audit(&mut tx, username, "unshelve", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// A tag's alarm settings, in the tag's unit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlarmLimits {
    /// Low-low limit.
    pub low_low: Option<f64>,
    /// Low limit.
    pub low: Option<f64>,
    /// High limit.
    pub high: Option<f64>,
    /// High-high limit.
    pub high_high: Option<f64>,
    /// Largest change per minute, in the tag's unit per minute.
    pub rate_limit_per_minute: Option<f64>,
    /// How far back inside a limit a value must come before its alarm clears, in the tag's unit.
    pub deadband: f64,
    /// Stale after the tag's expected interval × this (1 or more).
    pub stale_factor: f64,
}

impl AlarmLimits {
    /// Why these settings are refused, naming the field, or `None`.
    pub fn refusal(&self) -> Option<String> {
        let levels = [
            ("low_low", self.low_low),
            ("low", self.low),
            ("high", self.high),
            ("high_high", self.high_high),
        ];
        let rate = [("rate_limit_per_minute", self.rate_limit_per_minute)];
        for (name, value) in levels.iter().chain(rate.iter()) {
            if value.is_some_and(|v| !v.is_finite()) {
                return Some(format!("{name}: expected a finite number"));
            }
        }
        let given: Vec<(&str, f64)> = levels
            .iter()
            .filter_map(|(name, v)| v.map(|v| (*name, v)))
            .collect();
        for pair in given.windows(2) {
            if pair[0].1 >= pair[1].1 {
                return Some(format!(
                    "{}: {} is not above {} ({}); limits rise from low_low to high_high",
                    pair[1].0, pair[1].1, pair[0].0, pair[0].1
                ));
            }
        }
        if self.rate_limit_per_minute.is_some_and(|r| r <= 0.0) {
            return Some("rate_limit_per_minute: expected a number above zero".into());
        }
        if !(self.deadband.is_finite() && self.deadband >= 0.0) {
            return Some("deadband: expected zero or more".into());
        }
        if !(self.stale_factor.is_finite() && self.stale_factor >= 1.0) {
            return Some("stale_factor: expected 1 or more".into());
        }
        None
    }
}

const LIMIT_COLUMNS: &str =
    "low_low, low, high, high_high, rate_limit_per_minute, deadband, stale_factor";

/// The alarm settings of the tag `code`.
pub async fn limits(store: &Store, code: &str) -> Result<AlarmLimits> {
    let row = sqlx::query(&format!("SELECT {LIMIT_COLUMNS} FROM tags WHERE code = $1"))
        .bind(code)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| OpsError::NotFound(format!("tag `{code}`")))?;
    Ok(AlarmLimits {
        low_low: row.try_get(0)?,
        low: row.try_get(1)?,
        high: row.try_get(2)?,
        high_high: row.try_get(3)?,
        rate_limit_per_minute: row.try_get(4)?,
        deadband: row.try_get(5)?,
        stale_factor: row.try_get(6)?,
    })
}

/// Sets the alarm settings of the tag `code` (checked first); audited. Standing alarms clear
/// against the new limits at the tag's next point.
pub async fn set_limits(
    store: &Store,
    code: &str,
    new: &AlarmLimits,
    username: &str,
) -> Result<AlarmLimits> {
    if let Some(refusal) = new.refusal() {
        return Err(OpsError::Invalid(refusal));
    }
    let before = limits(store, code).await?;
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE tags SET low_low = $1, low = $2, high = $3, high_high = $4, \
         rate_limit_per_minute = $5, deadband = $6, stale_factor = $7 WHERE code = $8",
    )
    .bind(new.low_low)
    .bind(new.low)
    .bind(new.high)
    .bind(new.high_high)
    .bind(new.rate_limit_per_minute)
    .bind(new.deadband)
    .bind(new.stale_factor)
    .bind(code)
    .execute(&mut **tx)
    .await?;
    record_in(
        &mut tx,
        Change {
            username,
            action: "update",
            entity: "tag_limits",
            entity_id: code,
            before: Some(&as_json(&before)),
            after: Some(&as_json(new)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(*new)
}

/// Someone told of new alarms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    /// The user.
    pub username: String,
    /// Where mail goes.
    pub email: String,
    /// Whether the user is on duty now (only they are told).
    pub on_duty: bool,
}

/// Adds or changes a user's alarm mail address and duty (by `by`; audited). An unknown user is
/// not found.
pub async fn set_recipient(store: &Store, recipient: &Recipient, by: &str) -> Result<()> {
    let email = recipient.email.trim();
    let plausible = email.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !email.contains(char::is_whitespace)
    });
    if !plausible {
        return Err(OpsError::Invalid(format!(
            "email: `{email}` is not a mail address"
        )));
    }
    let known = sqlx::query("SELECT 1 FROM users WHERE username = $1")
        .bind(&recipient.username)
        .fetch_optional(store.pool())
        .await?;
    if known.is_none() {
        return Err(OpsError::NotFound(format!("user `{}`", recipient.username)));
    }
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO alarm_recipients (username, email, on_duty) VALUES ($1, $2, $3) \
         ON CONFLICT (username) DO UPDATE SET email = excluded.email, on_duty = excluded.on_duty",
    )
    .bind(&recipient.username)
    .bind(email)
    .bind(i64::from(recipient.on_duty))
    .execute(&mut **tx)
    .await?;
    record_in(
        &mut tx,
        Change {
            username: by,
            action: "update",
            entity: "alarm_recipient",
            entity_id: &recipient.username,
            before: None,
            after: Some(&as_json(recipient)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The people on duty (active users marked on duty), by user name.
pub async fn on_duty_recipients(store: &Store) -> Result<Vec<Recipient>> {
    let rows = sqlx::query(
        "SELECT r.username, r.email FROM alarm_recipients r JOIN users u ON u.username = r.username \
         WHERE r.on_duty = 1 AND u.active = 1 ORDER BY r.username",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Recipient {
                username: row.try_get(0)?,
                email: row.try_get(1)?,
                on_duty: true,
            })
        })
        .collect()
}

/// Everyone with an alarm mail address, on duty or not, by user name.
pub async fn recipients(store: &Store) -> Result<Vec<Recipient>> {
    let rows =
        sqlx::query("SELECT username, email, on_duty FROM alarm_recipients ORDER BY username")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|row| {
            Ok(Recipient {
                username: row.try_get(0)?,
                email: row.try_get(1)?,
                on_duty: row.try_get::<i64, _>(2)? == 1,
            })
        })
        .collect()
}

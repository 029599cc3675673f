//! Raising and clearing alarms: limits and rate on each stored batch, inside its transaction;
//! stale by a periodic sweep.

use std::collections::HashMap;

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::{Alarm, AlarmKind, AlarmState};
use crate::error::Result;
use crate::store::{Backend, Store};
use crate::telemetry::ingest::StoredPoint;
use crate::telemetry::Quality;

/// Tags read per statement (one bound number each).
const TAGS_PER_STATEMENT: usize = 500;

/// A tag's limits and its latest point before the batch.
#[derive(Debug, Clone)]
struct Watched {
    id: i64,
    code: String,
    name: String,
    unit: String,
    /// Limits by kind, in the tag's unit: high-high, high, low, low-low.
    levels: [(AlarmKind, Option<f64>); 4],
    /// Largest change per minute, in the tag's unit.
    rate_limit_per_minute: Option<f64>,
    /// How far back inside a limit a value must come to clear, in the tag's unit.
    deadband: f64,
    /// The latest stored point before the batch: time s, value, quality.
    previous: Option<(i64, f64, Quality)>,
}

/// A standing alarm: stored before the batch, or raised in it (its place in `raised`).
#[derive(Debug, Clone, Copy)]
enum Standing {
    Stored { id: i64, state: AlarmState },
    Raised(usize),
}

/// What the batch changes, worked out in memory and then written.
#[derive(Debug, Default)]
struct Changes {
    standing: HashMap<(i64, AlarmKind), Standing>,
    /// Shelving that a new occurrence inherits: until s, by whom.
    shelves: HashMap<(i64, AlarmKind), (i64, String)>,
    raised: Vec<Alarm>,
    /// The tag number of each alarm of `raised`.
    raised_tags: Vec<i64>,
    /// Stored alarms cleared: id, state after, time s.
    cleared: Vec<(i64, AlarmState, i64)>,
}

impl Changes {
    fn raise(&mut self, tag: &Watched, kind: AlarmKind, at: i64, value: f64, limit: f64) {
        let shelf = self
            .shelves
            .get(&(tag.id, kind))
            .filter(|(until, _)| *until > at);
        self.raised.push(Alarm {
            id: 0,
            tag: tag.code.clone(),
            tag_name: tag.name.clone(),
            unit: tag.unit.clone(),
            kind,
            priority: kind.priority(),
            state: AlarmState::Active,
            raised_at: at,
            value: Some(value),
            limit: Some(limit),
            cleared_at: None,
            acknowledged_at: None,
            acknowledged_by: None,
            note: None,
            shelved_until: shelf.map(|(until, _)| *until),
            shelved_by: shelf.map(|(_, by)| by.clone()),
        });
        self.raised_tags.push(tag.id);
        self.standing
            .insert((tag.id, kind), Standing::Raised(self.raised.len() - 1));
    }

    fn clear(&mut self, tag: i64, kind: AlarmKind, at: i64) {
        match self.standing.remove(&(tag, kind)) {
            Some(Standing::Stored { id, state }) => self.cleared.push((id, state.cleared(), at)),
            Some(Standing::Raised(index)) => {
                let alarm = &mut self.raised[index];
                alarm.state = alarm.state.cleared();
                alarm.cleared_at = Some(at);
            }
            None => {}
        }
    }

    fn is_standing(&self, tag: i64, kind: AlarmKind) -> bool {
        self.standing.contains_key(&(tag, kind))
    }
}

/// Whether `value` passes `limit` of a level `kind`.
fn beyond(kind: AlarmKind, value: f64, limit: f64) -> bool {
    match kind {
        AlarmKind::HighHigh | AlarmKind::High => value > limit,
        _ => value < limit,
    }
}

/// Whether `value` is back inside `limit` of a level `kind` by at least `deadband`.
fn back_inside(kind: AlarmKind, value: f64, limit: f64, deadband: f64) -> bool {
    match kind {
        AlarmKind::HighHigh | AlarmKind::High => value <= limit - deadband,
        _ => value >= limit + deadband,
    }
}

/// Raises and clears the alarms of the points of a batch just stored, inside its transaction
/// (before the tags' latest points are moved on). Points are followed per tag in time order;
/// late points (not after the tag's latest stored point) and bad ones change no level or rate
/// alarm, but any new point clears stale. Returns the alarms raised, for notification.
pub async fn evaluate_in(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    stored: &[StoredPoint],
) -> Result<Vec<Alarm>> {
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_tag: HashMap<i64, Vec<(i64, f64, Quality)>> = HashMap::new();
    for (tag, at, value, quality) in stored {
        by_tag
            .entry(*tag)
            .or_default()
            .push((*at, *value, *quality));
    }
    let ids: Vec<i64> = by_tag.keys().copied().collect();
    let watched = watched_tags(backend, tx, &ids).await?;
    let mut changes = Changes::default();
    load_standing(backend, tx, &ids, &mut changes).await?;
    for tag in &watched {
        let Some(points) = by_tag.get_mut(&tag.id) else {
            continue;
        };
        points.sort_by_key(|p| p.0);
        follow(tag, points, &mut changes);
    }
    write(tx, &mut changes).await?;
    Ok(changes.raised)
}

/// Follows one tag's new points in time order.
fn follow(tag: &Watched, points: &[(i64, f64, Quality)], changes: &mut Changes) {
    let after = tag.previous.map_or(i64::MIN, |p| p.0);
    if let Some(first) = points.iter().find(|p| p.0 > after) {
        changes.clear(tag.id, AlarmKind::Stale, first.0);
    }
    let mut previous = tag
        .previous
        .filter(|p| p.2 != Quality::Bad)
        .map(|p| (p.0, p.1));
    for &(at, value, quality) in points.iter().filter(|p| p.0 > after) {
        if quality == Quality::Bad {
            continue;
        }
        for (kind, limit) in tag.levels {
            let standing = changes.is_standing(tag.id, kind);
            match limit {
                Some(limit) if !standing && beyond(kind, value, limit) => {
                    changes.raise(tag, kind, at, value, limit)
                }
                Some(limit) if standing && back_inside(kind, value, limit, tag.deadband) => {
                    changes.clear(tag.id, kind, at)
                }
                None if standing => changes.clear(tag.id, kind, at),
                _ => {}
            }
        }
        let rate =
            previous.map(|(then, before)| (value - before).abs() * 60.0 / (at - then) as f64);
        let standing = changes.is_standing(tag.id, AlarmKind::Rate);
        match (tag.rate_limit_per_minute, rate) {
            (Some(limit), Some(rate)) if !standing && rate > limit => {
                changes.raise(tag, AlarmKind::Rate, at, rate, limit)
            }
            (Some(limit), Some(rate)) if standing && rate <= limit => {
                changes.clear(tag.id, AlarmKind::Rate, at)
            }
            (None, _) if standing => changes.clear(tag.id, AlarmKind::Rate, at),
            _ => {}
        }
        previous = Some((at, value));
    }
}

/// `$first, $first+1, ...` (PostgreSQL) or `?, ?, ...` (SQLite): `count` bound values.
fn list(backend: Backend, first: usize, count: usize) -> String {
    (0..count)
        .map(|i| match backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${}", first + i),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn watched_tags(
    backend: Backend,
    connection: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<Watched>> {
    let mut watched = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(TAGS_PER_STATEMENT) {
        let sql = format!(
            "SELECT t.id, t.code, t.name, t.unit, t.high_high, t.high, t.low, t.low_low, \
             t.rate_limit_per_minute, t.deadband, l.at, l.value, l.quality \
             FROM tags t LEFT JOIN tag_latest l ON l.tag_id = t.id WHERE t.id IN ({})",
            list(backend, 1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *connection).await? {
            let at: Option<i64> = row.try_get(10)?;
            let value: Option<f64> = row.try_get(11)?;
            let quality: Option<i64> = row.try_get(12)?;
            watched.push(Watched {
                id: row.try_get(0)?,
                code: row.try_get(1)?,
                name: row.try_get(2)?,
                unit: row.try_get(3)?,
                levels: [
                    (AlarmKind::HighHigh, row.try_get(4)?),
                    (AlarmKind::High, row.try_get(5)?),
                    (AlarmKind::Low, row.try_get(6)?),
                    (AlarmKind::LowLow, row.try_get(7)?),
                ],
                rate_limit_per_minute: row.try_get(8)?,
                deadband: row.try_get(9)?,
                previous: match (at, value, quality) {
                    (Some(at), Some(value), Some(q)) => Some((at, value, Quality::of_code(q))),
                    _ => None,
                },
            });
        }
    }
    Ok(watched)
}

/// The standing alarms of `ids` and the shelving a new occurrence would inherit.
async fn load_standing(
    backend: Backend,
    connection: &mut AnyConnection,
    ids: &[i64],
    changes: &mut Changes,
) -> Result<()> {
    for chunk in ids.chunks(TAGS_PER_STATEMENT) {
        let sql = format!(
            "SELECT id, tag_id, kind, state, cleared_at, shelved_until, shelved_by FROM alarms \
             WHERE (cleared_at IS NULL OR shelved_until IS NOT NULL) AND tag_id IN ({})",
            list(backend, 1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *connection).await? {
            let tag: i64 = row.try_get(1)?;
            let Some(kind) = AlarmKind::parse(&row.try_get::<String, _>(2)?) else {
                continue;
            };
            let state =
                AlarmState::parse(&row.try_get::<String, _>(3)?).unwrap_or(AlarmState::Active);
            if row.try_get::<Option<i64>, _>(4)?.is_none() {
                let id = row.try_get(0)?;
                changes
                    .standing
                    .insert((tag, kind), Standing::Stored { id, state });
            }
            if let (Some(until), Some(by)) = (
                row.try_get::<Option<i64>, _>(5)?,
                row.try_get::<Option<String>, _>(6)?,
            ) {
                let shelf = changes
                    .shelves
                    .entry((tag, kind))
                    .or_insert((until, by.clone()));
                if until > shelf.0 {
                    *shelf = (until, by);
                }
            }
        }
    }
    Ok(())
}

async fn write(tx: &mut Transaction<'static, Any>, changes: &mut Changes) -> Result<()> {
    for (id, state, at) in &changes.cleared {
        sqlx::query("UPDATE alarms SET cleared_at = $1, state = $2 WHERE id = $3")
            .bind(*at)
            .bind(state.as_str())
            .bind(*id)
            .execute(&mut **tx)
            .await?;
    }
    for (alarm, tag) in changes.raised.iter_mut().zip(&changes.raised_tags) {
        alarm.id = insert(tx, *tag, alarm).await?;
    }
    Ok(())
}

async fn insert(tx: &mut Transaction<'static, Any>, tag: i64, alarm: &Alarm) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO alarms (tag_id, kind, priority, state, raised_at, value, limit_value, \
         cleared_at, shelved_until, shelved_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id",
    )
    .bind(tag)
    .bind(alarm.kind.as_str())
    .bind(alarm.priority)
    .bind(alarm.state.as_str())
    .bind(alarm.raised_at)
    .bind(alarm.value)
    .bind(alarm.limit)
    .bind(alarm.cleared_at)
    .bind(alarm.shelved_until)
    .bind(alarm.shelved_by.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// The periodic sweep: raises a stale alarm (at `now`, s station time) for each tag whose latest
/// point is older than its expected interval × stale factor and that has none standing. Tags
/// that never had a point are not swept. Returns the alarms raised.
pub async fn check_stale(store: &Store, now: i64) -> Result<Vec<Alarm>> {
    let mut tx = store.begin_write().await?;
    let rows = sqlx::query(
        "SELECT t.id, t.code, t.name, t.unit, t.interval_s * t.stale_factor, l.value FROM tags t \
         JOIN tag_latest l ON l.tag_id = t.id WHERE l.at + t.interval_s * t.stale_factor < $1 \
         AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.tag_id = t.id AND a.kind = 'stale' \
         AND a.cleared_at IS NULL) ORDER BY t.code",
    )
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut changes = Changes::default();
    let mut watched = Vec::with_capacity(rows.len());
    for row in &rows {
        let tag = Watched {
            id: row.try_get(0)?,
            code: row.try_get(1)?,
            name: row.try_get(2)?,
            unit: row.try_get(3)?,
            levels: [(AlarmKind::HighHigh, None); 4],
            rate_limit_per_minute: None,
            deadband: 0.0,
            previous: None,
        };
        watched.push((tag, row.try_get::<f64, _>(4)?, row.try_get::<f64, _>(5)?));
    }
    let ids: Vec<i64> = watched.iter().map(|(tag, _, _)| tag.id).collect();
    load_standing(store.backend(), &mut tx, &ids, &mut changes).await?;
    for (tag, allowed_s, value) in &watched {
        changes.raise(tag, AlarmKind::Stale, now, *value, *allowed_s);
    }
    write(&mut tx, &mut changes).await?;
    tx.commit().await?;
    Ok(changes.raised)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag() -> Watched {
        Watched {
            id: 1,
            code: "T".into(),
            name: "T".into(),
            unit: "m".into(),
            levels: [
                (AlarmKind::HighHigh, Some(9.0)),
                (AlarmKind::High, Some(8.0)),
                (AlarmKind::Low, None),
                (AlarmKind::LowLow, None),
            ],
            rate_limit_per_minute: Some(2.0),
            deadband: 0.5,
            previous: Some((0, 5.0, Quality::Good)),
        }
    }

    #[test]
    fn levels_pass_their_limit_and_come_back_by_the_deadband() {
        assert!(beyond(AlarmKind::High, 8.01, 8.0) && !beyond(AlarmKind::High, 8.0, 8.0));
        assert!(beyond(AlarmKind::LowLow, 0.99, 1.0) && !beyond(AlarmKind::Low, 1.0, 1.0));
        assert!(!back_inside(AlarmKind::High, 7.6, 8.0, 0.5));
        assert!(back_inside(AlarmKind::High, 7.5, 8.0, 0.5));
        assert!(!back_inside(AlarmKind::Low, 2.4, 2.0, 0.5));
        assert!(back_inside(AlarmKind::Low, 2.5, 2.0, 0.5));
    }

    #[test]
    fn a_batch_is_followed_in_time_order_from_the_latest_point() {
        let mut changes = Changes::default();
        // Late (t = 0, not after the latest), then 5 → 8.5 over 2 min (1.75/min, within the
        // rate), 8.5 → 12 over 1 min (rate and high-high), back to 7 (rate 5/min still high).
        let points = [
            (0, 50.0, Quality::Good),
            (120, 8.5, Quality::Good),
            (180, 12.0, Quality::Good),
            (240, 12.5, Quality::Bad),
            (300, 7.0, Quality::Good),
        ];
        follow(&tag(), &points, &mut changes);
        let raised: Vec<(AlarmKind, i64, Option<i64>)> = changes
            .raised
            .iter()
            .map(|a| (a.kind, a.raised_at, a.cleared_at))
            .collect();
        assert_eq!(
            raised,
            [
                (AlarmKind::High, 120, Some(300)),
                (AlarmKind::HighHigh, 180, Some(300)),
                (AlarmKind::Rate, 180, None),
            ]
        );
        assert_eq!(changes.raised[2].value, Some(3.5));
    }

    #[test]
    fn clearing_follows_the_life_cycle() {
        assert_eq!(
            AlarmState::Active.cleared(),
            AlarmState::ClearedUnacknowledged
        );
        assert_eq!(AlarmState::Acknowledged.cleared(), AlarmState::Closed);
    }
}

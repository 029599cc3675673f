//! The alarm list: filtered by state, tag, priority and the time raised, newest first, a page at
//! a time.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Alarm, AlarmKind, AlarmState};
use crate::error::{OpsError, Result};
use crate::store::Store;

/// Which alarms by their state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Every alarm not closed (the operator's alarm list), shelved ones included.
    #[default]
    Open,
    /// Every alarm.
    All,
    /// Those in one state.
    State(AlarmState),
    /// Those shelved now (and not closed).
    Shelved,
}

impl StateFilter {
    /// Reads `open`, `all`, `shelved` or a state's name.
    pub fn parse(text: &str) -> Option<StateFilter> {
        match text.trim() {
            "" | "open" => Some(StateFilter::Open),
            "all" => Some(StateFilter::All),
            "shelved" => Some(StateFilter::Shelved),
            other => AlarmState::parse(other).map(StateFilter::State),
        }
    }
}

/// The alarm list's filters.
#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    /// By state (default: not closed).
    pub state: StateFilter,
    /// One tag's code.
    pub tag: Option<String>,
    /// One priority, 1 to 3.
    pub priority: Option<i64>,
    /// Raised at or after, s station time.
    pub from: Option<i64>,
    /// Raised at or before, s station time.
    pub to: Option<i64>,
    /// The time shelving is judged at, s station time.
    pub now: i64,
}

/// A page of the alarm list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlarmPage {
    /// Alarms matching the filters.
    pub total: i64,
    /// The page, newest first.
    pub items: Vec<Alarm>,
}

pub(super) const COLUMNS: &str =
    "a.id, t.code, t.name, t.unit, a.kind, a.priority, a.state, a.raised_at, \
    a.value, a.limit_value, a.cleared_at, a.acknowledged_at, a.acknowledged_by, a.note, \
    a.shelved_until, a.shelved_by FROM alarms a JOIN tags t ON t.id = a.tag_id";

pub(super) fn alarm_of(row: &AnyRow) -> Result<Alarm> {
    let kind: String = row.try_get(4)?;
    let state: String = row.try_get(6)?;
    Ok(Alarm {
        id: row.try_get(0)?,
        tag: row.try_get(1)?,
        tag_name: row.try_get(2)?,
        unit: row.try_get(3)?,
        kind: AlarmKind::parse(&kind)
            .ok_or_else(|| OpsError::Invalid(format!("stored alarm kind `{kind}`")))?,
        priority: row.try_get(5)?,
        state: AlarmState::parse(&state)
            .ok_or_else(|| OpsError::Invalid(format!("stored alarm state `{state}`")))?,
        raised_at: row.try_get(7)?,
        value: row.try_get(8)?,
        limit: row.try_get(9)?,
        cleared_at: row.try_get(10)?,
        acknowledged_at: row.try_get(11)?,
        acknowledged_by: row.try_get(12)?,
        note: row.try_get(13)?,
        shelved_until: row.try_get(14)?,
        shelved_by: row.try_get(15)?,
    })
}

/// One alarm by its number.
pub async fn alarm(store: &Store, id: i64) -> Result<Alarm> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| OpsError::NotFound(format!("alarm {id}")))?;
    alarm_of(&row)
}

/// A bound value of the filter.
enum Bound {
    Int(i64),
    Text(String),
}

/// The filter's WHERE clause and its values.
fn condition(filter: &AlarmFilter) -> (String, Vec<Bound>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut values = Vec::new();
    let mut add = |clause: &str, value: Bound, values: &mut Vec<Bound>| {
        values.push(value);
        clauses.push(clause.replace('?', &format!("${}", values.len())));
    };
    match filter.state {
        StateFilter::Open => add("a.state <> ?", Bound::Text("closed".into()), &mut values),
        StateFilter::All => {}
        StateFilter::State(state) => add(
            "a.state = ?",
            Bound::Text(state.as_str().into()),
            &mut values,
        ),
        StateFilter::Shelved => {
            add("a.shelved_until > ?", Bound::Int(filter.now), &mut values);
            add("a.state <> ?", Bound::Text("closed".into()), &mut values);
        }
    }
    if let Some(tag) = &filter.tag {
        add("t.code = ?", Bound::Text(tag.clone()), &mut values);
    }
    if let Some(priority) = filter.priority {
        add("a.priority = ?", Bound::Int(priority), &mut values);
    }
    if let Some(from) = filter.from {
        add("a.raised_at >= ?", Bound::Int(from), &mut values);
    }
    if let Some(to) = filter.to {
        add("a.raised_at <= ?", Bound::Int(to), &mut values);
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (clause, values)
}

fn bind<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &'q [Bound],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Bound::Int(number) => query.bind(*number),
            Bound::Text(text) => query.bind(text.as_str()),
        };
    }
    query
}

/// The alarms matching `filter`, newest raised first: `limit` of them after `offset`.
pub async fn alarms(
    store: &Store,
    filter: &AlarmFilter,
    limit: i64,
    offset: i64,
) -> Result<AlarmPage> {
    let (clause, values) = condition(filter);
    let count_sql = format!("SELECT COUNT(*) FROM alarms a JOIN tags t ON t.id = a.tag_id{clause}");
    let total: i64 = bind(sqlx::query(&count_sql), &values)
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    let n = values.len();
    let sql = format!(
        "SELECT {COLUMNS}{clause} ORDER BY a.raised_at DESC, a.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let rows = bind(sqlx::query(&sql), &values)
        .bind(limit)
        .bind(offset)
        .fetch_all(store.pool())
        .await?;
    let items = rows.iter().map(alarm_of).collect::<Result<Vec<_>>>()?;
    Ok(AlarmPage { total, items })
}

//! Alarms of telemetry tags, after ISA-18.2: per tag high-high, high, low and low-low limits with a
//! deadband, a rate of change per minute, and stale (no point for longer than the tag's expected
//! interval × its stale factor).
//!
//! Life cycle: a condition raises an alarm `active`; an operator acknowledges it with a note
//! (`acknowledged`); when the condition returns to normal it clears: an acknowledged alarm is then
//! `closed`, an unacknowledged one stays listed as `cleared_unacknowledged` until someone
//! acknowledges it (then `closed`). Shelving hides a tag's condition from notification for a while
//! (a new occurrence of it while shelved is shelved too). Acknowledging, shelving and limit
//! changes are audited in the transaction that makes them.
//!
//! Limits and rate are evaluated on every stored batch inside the ingest transaction
//! ([`evaluate_in`], called by [`super::store_points_in`]); stale is swept by [`check_stale`].
//! Invariant: at most one standing (not cleared) alarm per tag and condition, kept by the schema.

mod actions;
mod evaluate;
mod list;

pub use actions::{
    acknowledge, limits, on_duty_recipients, recipients, set_limits, set_recipient, shelve,
    unshelve, AlarmLimits, Recipient, MAX_SHELVE_S,
};
pub use evaluate::{check_stale, evaluate_in};
pub use list::{alarm, alarms, AlarmFilter, AlarmPage, StateFilter};

/// The condition an alarm is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// Above the high-high limit.
    HighHigh,
    /// Above the high limit.
    High,
    /// Below the low limit.
    Low,
    /// Below the low-low limit.
    LowLow,
    /// Changing faster than the rate limit per minute.
    Rate,
    /// No point for longer than the expected interval × the stale factor.
    Stale,
}

impl AlarmKind {
    /// Every kind, in the order they are listed.
    pub const ALL: [AlarmKind; 6] = [
        AlarmKind::HighHigh,
        AlarmKind::High,
        AlarmKind::Low,
        AlarmKind::LowLow,
        AlarmKind::Rate,
        AlarmKind::Stale,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmKind::HighHigh => "high_high",
            AlarmKind::High => "high",
            AlarmKind::Low => "low",
            AlarmKind::LowLow => "low_low",
            AlarmKind::Rate => "rate",
            AlarmKind::Stale => "stale",
        }
    }

    /// The kind of a stored name.
    pub fn parse(text: &str) -> Option<AlarmKind> {
        AlarmKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Its priority: 1 (urgent: high-high, low-low), 2 (high, low, rate), 3 (stale).
    pub fn priority(self) -> i64 {
        match self {
            AlarmKind::HighHigh | AlarmKind::LowLow => 1,
            AlarmKind::High | AlarmKind::Low | AlarmKind::Rate => 2,
            AlarmKind::Stale => 3,
        }
    }
}

/// Where an alarm is in its life cycle (ISA-18.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// The condition holds and nobody has acknowledged it.
    Active,
    /// The condition holds and someone has acknowledged it.
    Acknowledged,
    /// The condition has returned to normal, but nobody has acknowledged the alarm.
    ClearedUnacknowledged,
    /// Acknowledged and cleared: over.
    Closed,
}

impl AlarmState {
    /// Every state.
    pub const ALL: [AlarmState; 4] = [
        AlarmState::Active,
        AlarmState::Acknowledged,
        AlarmState::ClearedUnacknowledged,
        AlarmState::Closed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Active => "active",
            AlarmState::Acknowledged => "acknowledged",
            AlarmState::ClearedUnacknowledged => "cleared_unacknowledged",
            AlarmState::Closed => "closed",
        }
    }

    /// The state of a stored name.
    pub fn parse(text: &str) -> Option<AlarmState> {
        AlarmState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The state after the condition clears.
    pub fn cleared(self) -> AlarmState {
        match self {
            AlarmState::Active | AlarmState::ClearedUnacknowledged => {
                AlarmState::ClearedUnacknowledged
            }
            AlarmState::Acknowledged | AlarmState::Closed => AlarmState::Closed,
        }
    }
}

/// One alarm as stored. Times are seconds of local station time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alarm {
    /// The alarm's number.
    pub id: i64,
    /// The tag's code.
    pub tag: String,
    /// The tag's name.
    pub tag_name: String,
    /// The tag's unit (of `value` and `limit`; the rate's limit is this unit per minute).
    pub unit: String,
    /// The condition.
    pub kind: AlarmKind,
    /// 1 (most urgent) to 3.
    pub priority: i64,
    /// Where it is in its life cycle.
    pub state: AlarmState,
    /// When the condition began, s station time (the point's time; for stale, the sweep's).
    pub raised_at: i64,
    /// The value that raised it, in the tag's unit (the rate per minute for a rate alarm; the
    /// last value for stale).
    pub value: Option<f64>,
    /// The limit passed, in the tag's unit (per minute for rate; seconds without a point for stale).
    pub limit: Option<f64>,
    /// When the condition returned to normal, s station time.
    pub cleared_at: Option<i64>,
    /// When it was acknowledged, s station time.
    pub acknowledged_at: Option<i64>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// The acknowledgement's note.
    pub note: Option<String>,
    /// Shelved until then, s station time.
    pub shelved_until: Option<i64>,
    /// Who shelved it.
    pub shelved_by: Option<String>,
}

impl Alarm {
    /// Whether it is shelved at `now` (s station time).
    pub fn shelved_at(&self, now: i64) -> bool {
        self.state != AlarmState::Closed && self.shelved_until.is_some_and(|until| until > now)
    }
}

/// Station time now, s since 1970 local.
pub fn station_now() -> i64 {
    chrono::Utc::now().timestamp() + crate::calendar::STATION_OFFSET_S
}

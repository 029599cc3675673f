//! Patrol and maintenance of lines, stations and wells: plans with seasonal rules, due and
//! overdue lists, visit records with photos by content hash, defect life cycles, routes, compliance.

pub mod defect;
pub mod plan;
pub mod record;
pub mod schedule;

pub use defect::{Defect, DefectState, Severity, Transition};
pub use plan::{Frequency, MonthDay, Plan, PlanSet, Season};
pub use record::{photo_hash, PatrolRecord};
pub use schedule::{
    due_list, monthly_compliance, route_for_day, Asset, Compliance, DueState, DueTask, Visit,
};

/// What can go wrong with patrol data.
#[derive(Debug, thiserror::Error)]
pub enum PatrolError {
    /// A field holds a value that is not allowed.
    #[error("{field}: {message}")]
    Invalid {
        /// Which field.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A defect was moved to a state its life cycle does not allow next.
    #[error("defect {defect}: cannot go from {from} to {to}; next allowed: {allowed}")]
    Transition {
        /// Defect ID.
        defect: String,
        /// Current state.
        from: DefectState,
        /// State asked for.
        to: DefectState,
        /// States allowed next.
        allowed: String,
    },
}

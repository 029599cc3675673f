//! Defects and their life cycle: open, assigned, repaired, verified, closed, each step with
//! who and when. A defect cannot skip a state.

use crate::PatrolError;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a defect is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Can wait for routine maintenance.
    Minor,
    /// Needs repair this maintenance cycle.
    Major,
    /// Threatens supply or safety: repair now.
    Critical,
}

/// States of a defect's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectState {
    /// Reported.
    Open,
    /// Given to someone to repair.
    Assigned,
    /// Reported repaired.
    Repaired,
    /// Repair checked and accepted.
    Verified,
    /// Done.
    Closed,
}

impl DefectState {
    /// The states a defect may go to from this one. A repair that fails verification goes
    /// back to `Assigned`.
    pub fn next_allowed(self) -> &'static [DefectState] {
        match self {
            DefectState::Open => &[DefectState::Assigned],
            DefectState::Assigned => &[DefectState::Repaired],
            DefectState::Repaired => &[DefectState::Verified, DefectState::Assigned],
            DefectState::Verified => &[DefectState::Closed],
            DefectState::Closed => &[],
        }
    }
}

impl fmt::Display for DefectState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self {
            DefectState::Open => "open",
            DefectState::Assigned => "assigned",
            DefectState::Repaired => "repaired",
            DefectState::Verified => "verified",
            DefectState::Closed => "closed",
        };
        f.write_str(word)
    }
}

/// One step of a defect's life, with who took it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// State entered.
    pub state: DefectState,
    /// Who.
    pub by: String,
    /// When.
    pub at: NaiveDateTime,
    /// Why, or what was done.
    #[serde(default)]
    pub note: String,
}

/// A defect found on an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// Defect ID.
    pub id: String,
    /// Asset it is on.
    pub asset: String,
    /// How serious.
    pub severity: Severity,
    /// What is wrong.
    pub description: String,
    /// Every step so far, the first being `Open`.
    pub history: Vec<Transition>,
}

impl Defect {
    /// A newly reported defect.
    pub fn report(
        id: impl Into<String>,
        asset: impl Into<String>,
        severity: Severity,
        description: impl Into<String>,
        by: impl Into<String>,
        at: NaiveDateTime,
    ) -> Defect {
        Defect {
            id: id.into(),
            asset: asset.into(),
            severity,
            description: description.into(),
            history: vec![Transition {
                state: DefectState::Open,
                by: by.into(),
                at,
                note: String::new(),
            }],
        }
    }

    /// The current state.
    pub fn state(&self) -> DefectState {
        self.history
            .last()
            .map(|t| t.state)
            .unwrap_or(DefectState::Open)
    }

    /// Moves the defect to its next state; refuses a skipped state, a step back in time, or
    /// any step after `Closed`.
    pub fn advance(&mut self, step: Transition) -> Result<(), PatrolError> {
        let from = self.state();
        if !from.next_allowed().contains(&step.state) {
            let allowed: Vec<String> = from.next_allowed().iter().map(|s| s.to_string()).collect();
            return Err(PatrolError::Transition {
                defect: self.id.clone(),
                from,
                to: step.state,
                allowed: if allowed.is_empty() {
                    "none (closed)".into()
                } else {
                    allowed.join(", ")
                },
            });
        }
        if let Some(last) = self.history.last() {
            if step.at < last.at {
                return Err(PatrolError::Invalid {
                    field: format!("defect {} transition time", self.id),
                    message: format!("{} is before the previous step at {}", step.at, last.at),
                });
            }
        }
        if step.by.trim().is_empty() {
            return Err(PatrolError::Invalid {
                field: format!("defect {} transition by", self.id),
                message: "who took the step must be recorded".into(),
            });
        }
        self.history.push(step);
        Ok(())
    }
}

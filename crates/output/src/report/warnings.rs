//! The warnings EPANET gives after a hydraulic solution, worded as it words them.

use super::clock_time;

/// One warning at one hydraulic time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// No convergence within the trials; `halted` when `UNBALANCED STOP` ends the run.
    Unbalanced {
        /// Whether the run stops here.
        halted: bool,
    },
    /// Converged only after the trials ran out: status may be cycling.
    Unstable,
    /// Junctions with demand cut off from every source.
    Disconnected {
        /// IDs of the nodes cut off (EPANET lists the first ten).
        nodes: Vec<String>,
    },
    /// A pump outside its curve.
    Pump {
        /// The pump's ID.
        id: String,
        /// EPANET status code: 0 cannot deliver head, 5 exceeds maximum flow.
        status: u8,
    },
    /// A control valve that cannot do its job.
    Valve {
        /// Valve type keyword (`PRV`, `FCV`, ...).
        kind: String,
        /// The valve's ID.
        id: String,
        /// EPANET status code: 6 cannot deliver flow, 7 cannot deliver pressure.
        status: u8,
    },
    /// Junctions with demand below their elevation (demand-driven analysis).
    NegativePressures,
}

/// EPANET's words for a status code.
pub fn status_text(code: u8) -> &'static str {
    match code {
        0 => "closed because cannot deliver head",
        1 => "temporarily closed",
        2 => "closed",
        3 => "open",
        4 => "active",
        5 => "open but exceeds maximum flow",
        6 => "open but cannot deliver flow",
        7 => "open but cannot deliver pressure",
        8 => "filling",
        9 => "emptying",
        10 => "overflowing",
        _ => "unknown",
    }
}

/// Nodes EPANET names one by one before it only counts the rest.
const LISTED_DISCONNECTED: usize = 10;

impl Warning {
    /// EPANET's code of this warning (the report's warning flag).
    pub fn code(&self) -> i32 {
        match self {
            Warning::Unbalanced { .. } => 1,
            Warning::Unstable => 2,
            Warning::Disconnected { .. } => 3,
            Warning::Pump { .. } => 4,
            Warning::Valve { .. } => 5,
            Warning::NegativePressures => 6,
        }
    }

    /// The message lines EPANET writes for this warning at `time` (s).
    pub fn lines(&self, time: u64) -> Vec<String> {
        let at = clock_time(time);
        match self {
            Warning::Unbalanced { halted } => vec![format!(
                "WARNING: System unbalanced at {at} hrs.{}",
                if *halted { " EXECUTION HALTED." } else { "" }
            )],
            Warning::Unstable => vec![format!(
                "WARNING: Maximum trials exceeded at {at} hrs. System may be unstable."
            )],
            Warning::Disconnected { nodes } => {
                let mut lines: Vec<String> = nodes
                    .iter()
                    .take(LISTED_DISCONNECTED)
                    .map(|id| format!("WARNING: Node {id} disconnected at {at} hrs"))
                    .collect();
                if nodes.len() > LISTED_DISCONNECTED {
                    lines.push(format!(
                        "WARNING: {} additional nodes disconnected at {at} hrs",
                        nodes.len() - LISTED_DISCONNECTED
                    ));
                }
                if nodes.is_empty() {
                    lines.push(format!("WARNING: System disconnected at {at} hrs."));
                }
                lines
            }
            Warning::Pump { id, status } => {
                vec![format!(
                    "WARNING: Pump {id} {} at {at} hrs.",
                    status_text(*status)
                )]
            }
            Warning::Valve { kind, id, status } => {
                vec![format!(
                    "WARNING: {kind} {id} {} at {at} hrs.",
                    status_text(*status)
                )]
            }
            Warning::NegativePressures => vec![format!("WARNING: Negative pressures at {at} hrs.")],
        }
    }
}

/// The warning flag EPANET keeps for one hydraulic time: it checks instability, negative
/// pressures, valves, pumps and imbalance in that order and keeps the last one found.
/// Zero when there is none (disconnection alone does not set it).
pub fn warning_flag(warnings: &[Warning]) -> i32 {
    const ORDER: [i32; 5] = [2, 6, 5, 4, 1];
    ORDER
        .iter()
        .rev()
        .copied()
        .find(|code| warnings.iter().any(|w| w.code() == *code))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_epanet_writes_them() {
        let pump = Warning::Pump {
            id: "10".into(),
            status: 0,
        };
        assert_eq!(
            pump.lines(3600),
            ["WARNING: Pump 10 closed because cannot deliver head at 1:00:00 hrs."]
        );
        let halted = Warning::Unbalanced { halted: true };
        assert_eq!(
            halted.lines(97_200),
            ["WARNING: System unbalanced at 27:00:00 hrs. EXECUTION HALTED."]
        );
        let nodes = (0..12).map(|i| format!("J{i}")).collect();
        let lines = Warning::Disconnected { nodes }.lines(0);
        assert_eq!(lines.len(), 11);
        assert_eq!(
            lines[10],
            "WARNING: 2 additional nodes disconnected at 0:00:00 hrs"
        );
    }

    #[test]
    fn the_flag_is_the_last_warning_epanet_checks() {
        assert_eq!(warning_flag(&[]), 0);
        let pressures = Warning::NegativePressures;
        let pump = Warning::Pump {
            id: "p".into(),
            status: 5,
        };
        assert_eq!(warning_flag(std::slice::from_ref(&pressures)), 6);
        assert_eq!(warning_flag(&[pump.clone(), pressures.clone()]), 4);
        assert_eq!(
            warning_flag(&[pressures, Warning::Unbalanced { halted: false }, pump]),
            1
        );
        assert_eq!(warning_flag(&[Warning::Disconnected { nodes: vec![] }]), 0);
    }
}

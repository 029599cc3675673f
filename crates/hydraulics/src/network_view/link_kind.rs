//! A link's kind as the solver treats it, and the row each link adds to the link tables.

use crate::state::LinkStatus;

/// The kind of a link as the solver treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkType {
    CheckValvePipe,
    Pipe,
    Pump,
    Prv,
    Psv,
    Pbv,
    Fcv,
    Tcv,
    Gpv,
    Pcv,
}

impl LinkType {
    pub(crate) fn is_pipe(self) -> bool {
        matches!(self, LinkType::Pipe | LinkType::CheckValvePipe)
    }
    pub(crate) fn is_valve(self) -> bool {
        !matches!(
            self,
            LinkType::Pipe | LinkType::CheckValvePipe | LinkType::Pump
        )
    }
}

/// One link's row of the tables.
pub(super) struct LinkRow {
    pub kind: LinkType,
    pub length: f64,
    pub diameter: f64,
    pub roughness: f64,
    pub minor_loss: f64,
    pub status: LinkStatus,
    pub setting: f64,
}

/// EPANET's minor loss coefficient on a flow basis from the dimensionless one and the
/// diameter in ft, grouped as EPANET groups it.
pub(super) fn minor_loss_coefficient(minor_loss: f64, d: f64) -> f64 {
    0.02517 * minor_loss / (d * d) / (d * d)
}

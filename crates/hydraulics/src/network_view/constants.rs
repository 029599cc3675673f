//! EPANET's constants, in its internal units.

/// A value EPANET uses to mark "no setting" (a valve fixed open or closed).
pub(crate) const MISSING: f64 = -1.0e10;
/// Large resistance used for closed links.
pub(crate) const CBIG: f64 = 1.0e8;
/// Small resistance used for open valves and links without loss.
pub(crate) const CSMALL: f64 = 1.0e-6;
/// A flow EPANET treats as zero, ft³/s.
pub(crate) const QZERO: f64 = 1.0e-6;
/// EPANET's small number.
pub(crate) const TINY: f64 = 1.0e-6;
/// EPANET's large number.
pub(crate) const BIG: f64 = 1.0e10;
/// Smallest pressure range of the pressure-driven demand function (psi or m, EPANET's unit).
pub(crate) const MINIMUM_PRESSURE_RANGE: f64 = 0.1;

//! Water parcels: volumes of uniform quality queued along a link or stacked in a tank.

use std::collections::VecDeque;

/// A volume of water of one quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parcel {
    /// Volume, m³.
    pub volume: f64,
    /// Quality, in the analysis' unit.
    pub quality: f64,
}

/// The parcels of one link or tank. For a link the front is the downstream end (the next
/// water to leave) and the back the upstream end (the latest to enter). A tank keeps its
/// oldest water at the front.
pub(crate) type ParcelQueue = VecDeque<Parcel>;

/// Reverses a queue's order, as when the flow in its link reverses.
pub(crate) fn reverse(queue: &mut ParcelQueue) {
    queue.make_contiguous().reverse();
}

/// Volume and mass (quality × volume) held in a queue.
pub(crate) fn volume_and_mass(queue: &ParcelQueue) -> (f64, f64) {
    queue.iter().fold((0.0, 0.0), |(v, m), p| {
        (v + p.volume, m + p.quality * p.volume)
    })
}

/// Whether taking `taken` from a parcel of `volume` empties it. EPANET compares the two
/// exactly; our volumes carry different rounding (SI against its cubic feet), so a parcel
/// EPANET empties can keep a few ulps here. Such a sliver would still count in the mean of a
/// stagnant junction's neighbours, so a shortfall within 1e-12 of the volume empties it too.
#[inline]
pub(crate) fn emptied_by(taken: f64, volume: f64) -> bool {
    taken >= volume * (1.0 - 1e-12)
}

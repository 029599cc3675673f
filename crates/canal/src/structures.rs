//! Flow through structures: check gates (SWMM ORIFICE: undershot sluice, free or submerged, and
//! weir flow once the gate is raised clear of the water), spillways (transverse weirs) and
//! withdrawal outlets (Q = c·head^e). Heads are water levels in m, flows in m³/s, signed
//! positive downstream.

use crate::model::LinkKind;

/// g, m/s².
pub const GRAVITY: f64 = 9.81;

/// Heads this small count as none, m.
const NEGLIGIBLE: f64 = 1e-6;

/// A structure as the solver sees it: its kind and crest elevation.
#[derive(Debug, Clone)]
pub struct Structure {
    /// The link's kind and dimensions.
    pub kind: LinkKind,
    /// Crest (sill) elevation, m.
    pub crest: f64,
    /// Invert of the upstream node, m.
    pub upstream_invert: f64,
}

impl Structure {
    /// Flow for setting `setting` (fraction open) between levels `upstream` and `downstream`.
    pub fn flow(&self, setting: f64, upstream: f64, downstream: f64) -> f64 {
        let (high, low, sign) = if upstream >= downstream {
            (upstream, downstream, 1.0)
        } else {
            (downstream, upstream, -1.0)
        };
        let flap = match self.kind {
            LinkKind::Orifice { flap, .. }
            | LinkKind::Weir { flap, .. }
            | LinkKind::Outlet { flap, .. } => flap,
            LinkKind::Conduit { .. } => false,
        };
        if sign < 0.0 && flap {
            return 0.0;
        }
        let q = match &self.kind {
            LinkKind::Orifice {
                side,
                discharge_coefficient,
                height,
                width,
                ..
            } => {
                let opening = setting * height;
                if *side {
                    side_orifice(
                        self.crest,
                        opening,
                        *width,
                        *discharge_coefficient,
                        high,
                        low,
                    )
                } else {
                    bottom_orifice(
                        self.crest,
                        opening,
                        *width,
                        *discharge_coefficient,
                        high,
                        low,
                    )
                }
            }
            LinkKind::Weir {
                discharge_coefficient,
                end_contractions,
                height,
                length,
                ..
            } => {
                let crest = self.crest + (1.0 - setting) * height;
                transverse_weir(
                    crest,
                    *length,
                    *end_contractions,
                    *discharge_coefficient,
                    high,
                    low,
                )
            }
            LinkKind::Outlet {
                coefficient,
                exponent,
                across,
                ..
            } => {
                let head = if *across {
                    high - low.max(self.crest)
                } else {
                    high - self.crest
                };
                if head <= NEGLIGIBLE || sign < 0.0 && !*across {
                    0.0
                } else {
                    setting * coefficient * head.powf(*exponent)
                }
            }
            LinkKind::Conduit { .. } => 0.0,
        };
        sign * q
    }

    /// dQ/d(upstream), dQ/d(downstream) by central differences.
    pub fn flow_slopes(&self, setting: f64, upstream: f64, downstream: f64) -> (f64, f64) {
        let delta = 1e-5;
        let du = (self.flow(setting, upstream + delta, downstream)
            - self.flow(setting, upstream - delta, downstream))
            / (2.0 * delta);
        let dd = (self.flow(setting, upstream, downstream + delta)
            - self.flow(setting, upstream, downstream - delta))
            / (2.0 * delta);
        (du, dd)
    }
}

/// A vertical sluice gate of opening `opening` (m) above crest `crest`: orifice flow under the
/// gate when the upstream level is above its lip (free, to the opening's mid-height, or
/// submerged, to the downstream level); weir flow over the sill when the water is below the lip,
/// with Villemonte's correction when the downstream side is above the sill.
fn side_orifice(crest: f64, opening: f64, width: f64, cd: f64, high: f64, low: f64) -> f64 {
    if opening <= 0.0 || high - crest <= NEGLIGIBLE {
        return 0.0;
    }
    let lip = crest + opening;
    let area = width * opening;
    let fill = if high < lip {
        (high - crest) / opening
    } else {
        1.0
    };
    let middle = crest + 0.5 * opening;
    let head = if fill < 1.0 {
        high - crest
    } else if low < middle {
        high - middle
    } else {
        high - low
    };
    if head <= NEGLIGIBLE {
        return 0.0;
    }
    let orifice = cd * area * (2.0 * GRAVITY).sqrt();
    let mut q = if fill < 1.0 {
        // Weir flow: the orifice flow at the lip, scaled by fill^1.5.
        orifice * (0.5 * opening).sqrt() * fill.powf(1.5)
    } else {
        orifice * head.sqrt()
    };
    if fill < 1.0 && low > crest {
        let ratio = (low - crest) / (high - crest);
        q *= (1.0 - ratio.powf(1.5)).max(0.0).powf(0.385);
    }
    q
}

/// A horizontal (bottom) gate opening: orifice flow, weir flow while the head is below the depth
/// at which the two meet (sharp-crested weir coefficient 0.414·sqrt(2g) around its perimeter).
fn bottom_orifice(crest: f64, opening: f64, width: f64, cd: f64, high: f64, low: f64) -> f64 {
    if opening <= 0.0 || high <= crest {
        return 0.0;
    }
    let head = if low > crest {
        high - low
    } else {
        high - crest
    };
    if head <= NEGLIGIBLE {
        return 0.0;
    }
    let area_over_perimeter = opening * width / (2.0 * (opening + width));
    let critical = cd / 0.414 * area_over_perimeter;
    let orifice = cd * opening * width * (2.0 * GRAVITY).sqrt();
    let fill = (head / critical).min(1.0);
    if fill < 1.0 {
        orifice * (critical).sqrt() * fill.powf(1.5)
    } else {
        orifice * head.sqrt()
    }
}

/// A transverse weir: Q = Cw·(L − 0.1·n·H)·H^1.5, Villemonte-corrected when submerged.
fn transverse_weir(
    crest: f64,
    length: f64,
    contractions: f64,
    cw: f64,
    high: f64,
    low: f64,
) -> f64 {
    let head = high - crest;
    if head <= NEGLIGIBLE {
        return 0.0;
    }
    let effective = (length - 0.1 * contractions * head).max(0.0);
    let mut q = cw * effective * head.powf(1.5);
    if low > crest {
        let ratio = (low - crest) / head;
        q *= (1.0 - ratio.powf(1.5)).max(0.0).powf(0.385);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Structure {
        Structure {
            kind: LinkKind::Orifice {
                side: true,
                discharge_coefficient: 0.6,
                flap: false,
                full_travel_s: 0.0,
                height: 5.0,
                width: 10.0,
            },
            crest: 100.0,
            upstream_invert: 100.0,
        }
    }

    #[test]
    fn a_submerged_sluice_follows_the_orifice_law() {
        let q = gate().flow(0.4, 106.0, 104.0);
        let expected = 0.6 * 10.0 * 2.0 * (2.0 * GRAVITY * 2.0_f64).sqrt();
        assert!((q - expected).abs() < 1e-9);
        assert!(
            (gate().flow(0.4, 104.0, 106.0) + expected).abs() < 1e-9,
            "reverse flow"
        );
    }

    #[test]
    fn a_free_sluice_measures_its_head_to_the_opening_centre() {
        let q = gate().flow(0.4, 106.0, 100.5);
        let expected = 0.6 * 10.0 * 2.0 * (2.0 * GRAVITY * 5.0_f64).sqrt();
        assert!((q - expected).abs() < 1e-9);
    }

    #[test]
    fn flow_is_continuous_where_the_gate_lip_meets_the_water() {
        let below = gate().flow(0.4, 102.0 - 1e-9, 100.0);
        let above = gate().flow(0.4, 102.0 + 1e-9, 100.0);
        assert!((below - above).abs() < 1e-6 * above, "{below} vs {above}");
    }
}

//! Head loss in pipes (Hazen-Williams, Darcy-Weisbach, Chezy-Manning) and its linearised
//! coefficients: `p` is the inverse of the head loss gradient and `y` the flow correction
//! (head loss over gradient), as in EPANET's `hydcoeffs.c`.

use crate::network_view::{LinkType, NetworkView, CBIG, CSMALL};
use danjiang_network::HeadlossFormula;
use std::f64::consts::PI;

// Constants of the Swamee-Jain and transition-zone friction factor, as EPANET uses them.
const A1: f64 = 3141.5926535897934; // 1000 pi
const A2: f64 = 1570.7963267948967; // 500 pi
const A8: f64 = 4.618413198590667; // 5.74 (pi/4)^0.9
const A9: f64 = -0.8685889638065036; // -2 / ln 10
const AB: f64 = 0.0032889547634539907; // 5.74 / 4000^0.9
const AC: f64 = -0.005142149657990939; // AA * AB

/// The resistance coefficient of a link for the network's formula (EPANET's `R`).
pub(crate) fn resistance(view: &NetworkView, k: usize) -> f64 {
    match view.links.kind[k] {
        LinkType::Pipe | LinkType::CheckValvePipe => {
            let e = view.links.roughness[k];
            let d = view.links.diameter[k];
            let length = view.links.length[k];
            match view.options.formula {
                HeadlossFormula::HazenWilliams => {
                    4.727 * length / e.powf(view.options.headloss_exponent) / d.powf(4.871)
                }
                HeadlossFormula::DarcyWeisbach => {
                    // Grouped as EPANET's SQR(d) groups it, so the roundoff is the same.
                    let area = PI * (d * d) / 4.0;
                    length / 2.0 / 32.2 / d / (area * area)
                }
                HeadlossFormula::ChezyManning => {
                    let a = 4.0 * e / (1.49 * PI * (d * d));
                    a * a * (d / 4.0).powf(-1.333) * length
                }
            }
        }
        LinkType::Pump => CBIG,
        _ => CSMALL,
    }
}

/// What a pipe's coefficients depend on besides the pipe itself: the network's head loss
/// formula and solver options, copied out once per trial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PipeLossModel {
    formula: HeadlossFormula,
    /// Head loss exponent of Hazen-Williams (1.852) or Chezy-Manning (2).
    hexp: f64,
    /// Smallest head loss gradient, ft per ft³/s (EPANET's RQTOL).
    rqtol: f64,
    /// Kinematic viscosity, ft²/s.
    viscosity: f64,
}

impl PipeLossModel {
    pub(crate) fn new(view: &NetworkView) -> PipeLossModel {
        PipeLossModel {
            formula: view.options.formula,
            hexp: view.options.headloss_exponent,
            rqtol: view.options.relative_flow_tolerance,
            viscosity: view.options.viscosity,
        }
    }

    /// The coefficients `(p, y)` of a pipe carrying `flow` (ft³/s) with resistance `r`,
    /// flow-basis minor loss coefficient `minor`, `diameter` and `roughness` (ft for
    /// Darcy-Weisbach); a closed pipe gets a tiny conductance.
    #[inline]
    pub(crate) fn coefficients(
        &self,
        flow: f64,
        closed: bool,
        r: f64,
        minor: f64,
        diameter: f64,
        roughness: f64,
    ) -> (f64, f64) {
        if closed {
            return (1.0 / CBIG, flow);
        }
        if self.formula == HeadlossFormula::DarcyWeisbach {
            return self.darcy_weisbach(flow, r, minor, diameter, roughness);
        }
        let q = flow.abs();
        let hexp = self.hexp;
        let rqtol = self.rqtol;
        let mut gradient = hexp * r * q.powf(hexp - 1.0);
        let mut loss;
        if gradient < rqtol {
            // Below this gradient the loss is taken as linear in flow.
            gradient = rqtol / hexp;
            loss = gradient * q;
        } else {
            loss = gradient * q / hexp;
        }
        if minor > 0.0 {
            loss += minor * q * q;
            gradient += 2.0 * minor * q;
        }
        if flow < 0.0 {
            loss = -loss;
        }
        (1.0 / gradient, loss / gradient)
    }

    fn darcy_weisbach(&self, flow: f64, r: f64, minor: f64, d: f64, roughness: f64) -> (f64, f64) {
        let q = flow.abs();
        let relative_roughness = roughness / d;
        let s = self.viscosity * d;
        let (loss, gradient);
        if q <= A2 * s {
            // Laminar flow: Hagen-Poiseuille, f = 64 / Re.
            let laminar = 16.0 * PI * s * r;
            loss = flow * (laminar + minor * q);
            gradient = laminar + 2.0 * minor * q;
        } else {
            let (f, dfdq) = friction_factor(q, relative_roughness, s);
            let r1 = f * r + minor;
            loss = r1 * q * flow;
            gradient = 2.0 * r1 * q + dfdq * r * q * q;
        }
        (1.0 / gradient, loss / gradient)
    }
}

/// Darcy-Weisbach friction factor and its derivative with respect to flow: Swamee-Jain
/// above Re = 4000, EPANET's cubic interpolation (Dunlop) between 2000 and 4000.
fn friction_factor(q: f64, e: f64, s: f64) -> (f64, f64) {
    let w = q / s; // Re * pi / 4
    if w >= A1 {
        let y1 = A8 / w.powf(0.9);
        let y2 = e / 3.7 + y1;
        let y3 = A9 * y2.ln();
        let f = 1.0 / (y3 * y3);
        let dfdq = 1.8 * f * y1 * A9 / y2 / y3 / q;
        (f, dfdq)
    } else {
        let y2 = e / 3.7 + AB;
        let y3 = A9 * y2.ln();
        let fa = 1.0 / (y3 * y3);
        let fb = (2.0 + AC / (y2 * y3)) * fa;
        let r = w / A2;
        let x1 = 7.0 * fa - fb;
        let x2 = 0.128 - 17.0 * fa + 2.5 * fb;
        let x3 = -0.128 + 13.0 * fa - (fb + fb);
        let x4 = 0.032 - 3.0 * fa + 0.5 * fb;
        let f = x1 + r * (x2 + r * (x3 + r * x4));
        let dfdq = (x2 + r * (2.0 * x3 + r * 3.0 * x4)) / s / A2;
        (f, dfdq)
    }
}

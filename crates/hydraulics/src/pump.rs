//! Pump head gain and its linearised coefficients (EPANET's `pumpcoeff`), for constant
//! power, power-function (one- and three-point) and multi-point curves with speed.

use crate::network_view::{NetworkView, PumpCurveKind, CBIG, CSMALL, TINY};
use crate::solver::state::SolverState;

/// Intercept (ft) and slope (ft per ft³/s) of the segment of a head curve that holds
/// flow `q` (ft³/s), the first or last segment beyond the ends. The curve is in the file's
/// units, `flow_units` per ft³/s and `head_units` per ft, as EPANET keeps it
/// (`curvecoeff`).
pub(crate) fn curve_segment(
    points: &[(f64, f64)],
    q: f64,
    flow_units: f64,
    head_units: f64,
) -> (f64, f64) {
    let n = points.len();
    if n < 2 {
        return (points.first().map_or(0.0, |p| p.1 / head_units), 0.0);
    }
    let q = q * flow_units;
    let mut k2 = 0;
    while k2 < n && points[k2].0 < q {
        k2 += 1;
    }
    if k2 == 0 {
        k2 = 1;
    } else if k2 == n {
        k2 = n - 1;
    }
    let k1 = k2 - 1;
    let slope = (points[k2].1 - points[k1].1) / (points[k2].0 - points[k1].0);
    let intercept = points[k1].1 - slope * points[k1].0;
    (intercept / head_units, slope * flow_units / head_units)
}

/// Sets the coefficients of pump link `k`.
pub(crate) fn pump_coefficients(view: &NetworkView, state: &mut SolverState, k: usize) {
    let setting = state.setting[k];
    let flow = state.flow[k];
    if state.status[k].is_closed() || setting == 0.0 {
        state.inverse_gradient[k] = 1.0 / CBIG;
        state.flow_correction[k] = flow;
        return;
    }
    let Some(pump_index) = view.links.pump_of_link[k] else {
        state.inverse_gradient[k] = 1.0 / CSMALL;
        state.flow_correction[k] = flow;
        return;
    };
    let pump = &view.pumps[pump_index];
    let q = flow.abs();
    let rqtol = view.options.relative_flow_tolerance;
    let (loss, gradient);
    match pump.curve_kind {
        PumpCurveKind::Custom => {
            let (h0, r) = curve_segment(&pump.curve, q / setting, view.units.flow, view.units.head);
            let h0 = -h0;
            let r = -r;
            gradient = r * setting;
            // H0 SQR(speed), grouped as EPANET groups it.
            loss = h0 * (setting * setting) + gradient * flow;
        }
        PumpCurveKind::ConstantPower | PumpCurveKind::PowerFunction => {
            let h0 = setting * setting * pump.head_at_zero_flow;
            let mut n = pump.flow_exponent;
            if (n - 1.0).abs() < TINY {
                n = 1.0;
            }
            let r = pump.flow_coefficient * setting.powf(2.0 - n);
            if pump.curve_kind == PumpCurveKind::ConstantPower {
                let g = -r / q / q;
                if g > CBIG {
                    state.inverse_gradient[k] = 1.0 / CBIG;
                    state.flow_correction[k] = flow;
                    return;
                } else if g < CSMALL {
                    state.inverse_gradient[k] = 1.0 / CSMALL;
                    state.flow_correction[k] = flow;
                    return;
                }
                gradient = g;
                loss = r / flow;
            } else if n != 1.0 {
                let g = n * r * q.powf(n - 1.0);
                if g < rqtol {
                    gradient = rqtol;
                    loss = h0 + gradient * flow;
                } else {
                    gradient = g;
                    loss = h0 + gradient * flow / n;
                }
            } else {
                gradient = r;
                loss = h0 + gradient * flow;
            }
        }
    }
    state.inverse_gradient[k] = 1.0 / gradient;
    state.flow_correction[k] = loss / gradient;
}

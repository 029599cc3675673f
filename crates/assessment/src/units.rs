//! Units of sample values and their conversion to the unit of the standard's limits.

/// A unit as a dimension and a scale to that dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Mass per volume; `per_mg_l` is how many of this unit make one mg/L (1000 for µg/L).
    MassConcentration {
        /// Count of this unit in one mg/L.
        per_mg_l: f64,
        /// Count of mg/L in one of this unit (for units larger than mg/L).
        mg_l_per: f64,
    },
    /// Organisms per volume; `litres` is the volume the count refers to (0.1 for per 100 mL).
    CountPerVolume {
        /// Volume in litres that the count refers to.
        litres: f64,
    },
    /// pH, dimensionless.
    Ph,
    /// Degrees Celsius.
    Celsius,
}

/// Parses a unit as written in lab results (`mg/L`, `µg/L`, `ug/l`, `MPN/100mL`, `个/L`, `℃`).
/// Returns `None` for a unit this crate does not know.
pub fn parse_unit(text: &str) -> Option<Unit> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'µ' | 'μ' => 'u',
            '／' => '/',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let mass = |per_mg_l: f64, mg_l_per: f64| Unit::MassConcentration { per_mg_l, mg_l_per };
    Some(match compact.as_str() {
        "mg/l" | "mg/dm3" | "ppm" => mass(1.0, 1.0),
        "ug/l" | "ppb" => mass(1000.0, 1.0),
        "ng/l" => mass(1_000_000.0, 1.0),
        "g/l" => mass(1.0, 1000.0),
        "ph" | "-" | "1" | "dimensionless" | "无量纲" | "ph单位" => Unit::Ph,
        "°c" | "℃" | "c" | "degc" | "degreesc" | "celsius" => Unit::Celsius,
        _ => {
            // Counts: an optional organism word, a slash, a volume.
            let (_, volume) = compact.split_once('/')?;
            let litres = match volume {
                "l" => 1.0,
                "100ml" => 0.1,
                "ml" => 0.001,
                "dl" => 0.1,
                _ => return None,
            };
            let prefix = compact.split('/').next().unwrap_or(""); // ok: split yields at least one part
            if !matches!(
                prefix,
                "" | "1" | "mpn" | "cfu" | "个" | "count" | "counts" | "organisms"
            ) {
                return None;
            }
            Unit::CountPerVolume { litres }
        }
    })
}

/// Converts `value` from unit `from` to unit `to`; `None` when the dimensions differ.
/// Scales are applied by exact integer multiplication or division so that a limit value written
/// in another unit (500 µg/L) lands exactly on the limit (0.5 mg/L).
pub fn convert(value: f64, from: Unit, to: Unit) -> Option<f64> {
    match (from, to) {
        (
            Unit::MassConcentration {
                per_mg_l: fp,
                mg_l_per: fm,
            },
            Unit::MassConcentration {
                per_mg_l: tp,
                mg_l_per: tm,
            },
        ) => Some(value * fm * tp / fp / tm),
        (Unit::CountPerVolume { litres: fl }, Unit::CountPerVolume { litres: tl }) => {
            // Counts per fl litres to counts per tl litres: multiply by tl / fl, computed as a
            // ratio of whole numbers of millilitres.
            let from_ml = (fl * 1000.0).round();
            let to_ml = (tl * 1000.0).round();
            Some(value * to_ml / from_ml)
        }
        (Unit::Ph, Unit::Ph) | (Unit::Celsius, Unit::Celsius) => Some(value),
        _ => None,
    }
}

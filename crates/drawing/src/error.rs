//! Why a drawing could not be made.

/// An error of this crate: the data given cannot be drawn as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawingError {
    /// A width or height that is not a positive finite number.
    #[error("drawing size {width} x {height} is not positive")]
    BadSize {
        /// The width asked for, in SVG user units.
        width: f64,
        /// The height asked for, in SVG user units.
        height: f64,
    },
    /// A series, layer or category list whose length does not match what it belongs to.
    #[error("{what} has {found} values, expected {expected}")]
    LengthMismatch {
        /// Which input (for example `series "Plan"`).
        what: String,
        /// How many values it should have.
        expected: usize,
        /// How many it has.
        found: usize,
    },
    /// The network has no node with coordinates, so there is nothing to place on a map.
    #[error("the network has no node with coordinates: nothing to draw on a map")]
    NoCoordinates,
    /// Colour-class breaks that are not finite and strictly increasing.
    #[error("colour breaks must be finite and strictly increasing, got {0:?}")]
    BadBreaks(Vec<f64>),
    /// A value that must be a finite number is not.
    #[error("{what} must be a finite number, got {value}")]
    NotFinite {
        /// Which input.
        what: String,
        /// The value given.
        value: f64,
    },
}

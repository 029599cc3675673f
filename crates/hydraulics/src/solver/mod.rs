//! The global gradient algorithm (Todini and Pilati) as EPANET 2.3 applies it.

pub(crate) mod cholesky;
pub(crate) mod gradient;
pub(crate) mod matrix;
pub(crate) mod ordering;
pub(crate) mod state;

//! The global gradient algorithm (Todini and Pilati) as EPANET 2.3 applies it.

pub(crate) mod gradient;
pub(crate) mod matrix;

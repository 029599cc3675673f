//! The sparse symmetric system of the gradient method, ordered and factorised as EPANET 2.3
//! does it.
//!
//! The junction ordering (multiple minimum degree, [`super::ordering`]) and the pattern of
//! the factor ([`super::cholesky`]) are computed once per network; each trial refills the
//! values and refactorises numerically. Because the ordering, the pattern and the order of
//! every sum are EPANET's, the heads agree with EPANET's to the last bit for the same
//! matrix, which matters where a result is all roundoff (stagnant pipes, zones isolated
//! by closed links).

use crate::error::HydraulicError;
use crate::solver::cholesky::Cholesky;
use crate::solver::ordering::{junction_neighbours, minimum_degree_order};

/// The matrix of the linearised network equations and its factorisation.
pub(crate) struct SystemMatrix {
    /// Number of unknowns (junctions).
    size: usize,
    /// The diagonal by elimination position (`size` values), then the below-diagonal
    /// entries of the factor's pattern. Fill-in entries start each trial at zero.
    pub values: Vec<f64>,
    /// Position of each junction's diagonal in `values`.
    pub diagonal: Vec<usize>,
    /// Position of each link's off-diagonal in `values` (None when an end is not a
    /// junction). Parallel links share one entry.
    pub off_diagonal: Vec<Option<usize>>,
    /// Right-hand side, then solution, by junction.
    pub rhs: Vec<f64>,
    /// Junction eliminated at each position.
    order: Vec<usize>,
    /// Right-hand side in elimination order, during a solve.
    permuted: Vec<f64>,
    cholesky: Cholesky,
}

impl SystemMatrix {
    /// Orders the junctions and finds the factor's pattern for links joining `from[k]` to
    /// `to[k]`; nodes at or above `junctions` are fixed-head and have no row.
    pub(crate) fn new(
        junctions: usize,
        from: &[usize],
        to: &[usize],
    ) -> Result<SystemMatrix, HydraulicError> {
        if from.len() != to.len() {
            return Err(HydraulicError::Solver(
                "links' start and end node lists differ in length".into(),
            ));
        }
        let (start, neighbours) = junction_neighbours(junctions, from, to);
        let order = minimum_degree_order(junctions, &start, &neighbours);
        let mut position = vec![usize::MAX; junctions];
        for (p, &junction) in order.iter().enumerate() {
            position[junction] = p;
        }
        if position.contains(&usize::MAX) {
            return Err(HydraulicError::Solver(
                "node ordering left a junction out".into(),
            ));
        }
        let pairs: Vec<(usize, usize)> = from
            .iter()
            .zip(to)
            .filter(|&(&a, &b)| a < junctions && b < junctions && a != b)
            .map(|(&a, &b)| (position[a], position[b]))
            .collect();
        let cholesky = Cholesky::new(junctions, &pairs).ok_or_else(|| {
            HydraulicError::Solver("the network is too large for the sparse solver".into())
        })?;
        let mut off_diagonal = Vec::with_capacity(from.len());
        for (&a, &b) in from.iter().zip(to) {
            if a < junctions && b < junctions && a != b {
                let (pa, pb) = (position[a], position[b]);
                let entry = cholesky.entry(pa.min(pb), pa.max(pb)).ok_or_else(|| {
                    HydraulicError::Solver("factor pattern lost a link's entry".into())
                })?;
                off_diagonal.push(Some(junctions + entry));
            } else {
                off_diagonal.push(None);
            }
        }
        Ok(SystemMatrix {
            size: junctions,
            values: vec![0.0; junctions + cholesky.len()],
            diagonal: position,
            off_diagonal,
            rhs: vec![0.0; junctions],
            order,
            permuted: vec![0.0; junctions],
            cholesky,
        })
    }

    /// Clears values and right-hand side.
    pub(crate) fn clear(&mut self) {
        self.values.fill(0.0);
        self.rhs.fill(0.0);
    }

    /// Factorises and solves in place; on a non-positive pivot returns the junction whose
    /// equation failed.
    pub(crate) fn solve(&mut self) -> Result<(), SolveFailure> {
        for (slot, &junction) in self.permuted.iter_mut().zip(&self.order) {
            *slot = self.rhs[junction];
        }
        let (diagonal, lower) = self.values.split_at_mut(self.size);
        self.cholesky
            .factorise_and_solve(diagonal, lower, &mut self.permuted)
            .map_err(|p| SolveFailure::Pivot(self.order[p]))?;
        for (&value, &junction) in self.permuted.iter().zip(&self.order) {
            self.rhs[junction] = value;
        }
        if self.rhs.iter().any(|v| !v.is_finite()) {
            return Err(SolveFailure::Pivot(0));
        }
        Ok(())
    }
}

/// Why a linear solve failed.
#[derive(Debug, Clone)]
pub(crate) enum SolveFailure {
    /// A non-positive pivot at this junction.
    Pivot(usize),
}

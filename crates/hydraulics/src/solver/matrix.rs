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

/// Marks a link with no off-diagonal entry (an end is not a junction).
const NO_ENTRY: u32 = u32::MAX;

/// The matrix of the linearised network equations and its factorisation.
///
/// Values are added by junction and link; inside, everything is kept in elimination
/// order, as EPANET keeps it, so a solve needs no permutation on the way in.
pub(crate) struct SystemMatrix {
    /// Number of unknowns (junctions).
    size: usize,
    /// The diagonal by elimination position (`size` values), then the below-diagonal
    /// entries of the factor's pattern. Fill-in entries start each trial at zero.
    values: Vec<f64>,
    /// Elimination position of each junction: its diagonal in `values` and its row of
    /// `rhs`.
    position: Vec<u32>,
    /// Position of each link's off-diagonal in `values` (NO_ENTRY when an end is not a
    /// junction). Parallel links share one entry.
    off_diagonal: Vec<u32>,
    /// Right-hand side, then solution, by elimination position.
    rhs: Vec<f64>,
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
        let too_large =
            || HydraulicError::Solver("the network is too large for the sparse solver".into());
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
        let cholesky = Cholesky::new(junctions, &pairs).ok_or_else(too_large)?;
        let mut off_diagonal = Vec::with_capacity(from.len());
        for (&a, &b) in from.iter().zip(to) {
            if a < junctions && b < junctions && a != b {
                let (pa, pb) = (position[a], position[b]);
                let entry = cholesky.entry(pa.min(pb), pa.max(pb)).ok_or_else(|| {
                    HydraulicError::Solver("factor pattern lost a link's entry".into())
                })?;
                let index = u32::try_from(junctions + entry)
                    .ok()
                    .filter(|&i| i != NO_ENTRY)
                    .ok_or_else(too_large)?;
                off_diagonal.push(index);
            } else {
                off_diagonal.push(NO_ENTRY);
            }
        }
        Ok(SystemMatrix {
            size: junctions,
            values: vec![0.0; junctions + cholesky.len()],
            // Positions are below `junctions`, which the factor's 32-bit rows hold.
            position: position.iter().map(|&p| p as u32).collect(),
            off_diagonal,
            rhs: vec![0.0; junctions],
            cholesky,
        })
    }

    /// Clears values and right-hand side.
    pub(crate) fn clear(&mut self) {
        self.values.fill(0.0);
        self.rhs.fill(0.0);
    }

    /// The matrix's arrays as slices, for filling it in a loop: unlike the vectors behind
    /// `&mut self`, slices need not be reloaded after every store.
    #[inline]
    pub(crate) fn assembly(&mut self) -> Assembly<'_> {
        Assembly {
            values: &mut self.values,
            rhs: &mut self.rhs,
            position: &self.position,
            off_diagonal: &self.off_diagonal,
        }
    }

    /// Adds `value` to the diagonal of `junction`'s equation.
    #[inline]
    pub(crate) fn add_to_diagonal(&mut self, junction: usize, value: f64) {
        self.assembly().add_to_diagonal(junction, value);
    }

    /// Adds `value` to the right-hand side of `junction`'s equation.
    #[inline]
    pub(crate) fn add_to_rhs(&mut self, junction: usize, value: f64) {
        self.assembly().add_to_rhs(junction, value);
    }

    /// Adds `value` to the off-diagonal entry joining link `link`'s two ends, if both are
    /// junctions.
    #[inline]
    pub(crate) fn add_to_off_diagonal(&mut self, link: usize, value: f64) {
        self.assembly().add_to_off_diagonal(link, value);
    }

    /// Factorises and solves in place; on a non-positive pivot returns the junction whose
    /// equation failed.
    pub(crate) fn solve(&mut self) -> Result<(), SolveFailure> {
        let (diagonal, lower) = self.values.split_at_mut(self.size);
        self.cholesky
            .factorise_and_solve(diagonal, lower, &mut self.rhs)
            .map_err(|failed| {
                let junction = self.position.iter().position(|&p| p as usize == failed);
                SolveFailure::Pivot(junction.unwrap_or(0))
            })?;
        if self.rhs.iter().any(|v| !v.is_finite()) {
            return Err(SolveFailure::Pivot(0));
        }
        Ok(())
    }

    /// Writes the solution of the last solve into `heads`, by junction.
    pub(crate) fn copy_solution(&self, heads: &mut [f64]) {
        for (head, &p) in heads.iter_mut().zip(&self.position) {
            *head = self.rhs[p as usize];
        }
    }
}

/// The arrays of a [`SystemMatrix`] borrowed for filling.
pub(crate) struct Assembly<'a> {
    values: &'a mut [f64],
    rhs: &'a mut [f64],
    position: &'a [u32],
    off_diagonal: &'a [u32],
}

impl Assembly<'_> {
    /// Adds `value` to the diagonal of `junction`'s equation.
    #[inline]
    pub(crate) fn add_to_diagonal(&mut self, junction: usize, value: f64) {
        self.values[self.position[junction] as usize] += value;
    }

    /// Adds `value` to the right-hand side of `junction`'s equation.
    #[inline]
    pub(crate) fn add_to_rhs(&mut self, junction: usize, value: f64) {
        self.rhs[self.position[junction] as usize] += value;
    }

    /// Adds `value` to the off-diagonal entry joining link `link`'s two ends, if both are
    /// junctions.
    #[inline]
    pub(crate) fn add_to_off_diagonal(&mut self, link: usize, value: f64) {
        let index = self.off_diagonal[link];
        if index != NO_ENTRY {
            self.values[index as usize] += value;
        }
    }
}

/// Why a linear solve failed.
#[derive(Debug, Clone)]
pub(crate) enum SolveFailure {
    /// A non-positive pivot at this junction.
    Pivot(usize),
}

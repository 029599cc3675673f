//! The sparse symmetric system of the gradient method, factorised with faer.
//!
//! The pattern (one row per junction, one off-diagonal per pair of joined junctions) and
//! its fill-reducing ordering (faer's AMD) are computed once per network; each trial only
//! refills the values and refactorises numerically.

use crate::error::HydraulicError;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::LltError;
use faer::linalg::cholesky::llt::factor::LltRegularization;
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, SymbolicCholesky, SymmetricOrdering,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Conj, MatMut, Par, Side, Spec};

/// The matrix of the linearised network equations and its factorisation.
pub(crate) struct SystemMatrix {
    /// Number of unknowns (junctions).
    size: usize,
    /// Lower-triangle pattern, column by column.
    pattern: SymbolicSparseColMat<usize>,
    /// Values in pattern order.
    pub values: Vec<f64>,
    /// Position of each junction's diagonal in `values`.
    pub diagonal: Vec<usize>,
    /// Position of each link's off-diagonal in `values` (None when an end is not a junction).
    pub off_diagonal: Vec<Option<usize>>,
    /// Right-hand side, then solution.
    pub rhs: Vec<f64>,
    symbolic: Option<SymbolicCholesky<usize>>,
    factor_values: Vec<f64>,
    workspace: MemBuffer,
}

impl SystemMatrix {
    /// Builds the pattern for links joining `from[k]` to `to[k]`; nodes at or above
    /// `junctions` are fixed-head and have no row.
    pub(crate) fn new(
        junctions: usize,
        from: &[usize],
        to: &[usize],
    ) -> Result<SystemMatrix, HydraulicError> {
        // Entries (row >= column) in a set, one per junction pair.
        let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(junctions + from.len());
        for j in 0..junctions {
            pairs.push((j, j));
        }
        for (&a, &b) in from.iter().zip(to) {
            if a < junctions && b < junctions && a != b {
                pairs.push((a.min(b), a.max(b)));
            }
        }
        // Sort by column then row.
        pairs.sort_unstable();
        pairs.dedup();
        let mut col_ptr = vec![0usize; junctions + 1];
        let mut row_idx = Vec::with_capacity(pairs.len());
        for &(col, row) in &pairs {
            col_ptr[col + 1] += 1;
            row_idx.push(row);
        }
        for c in 0..junctions {
            col_ptr[c + 1] += col_ptr[c];
        }
        let find = |col: usize, row: usize| -> Option<usize> {
            let slice = &row_idx[col_ptr[col]..col_ptr[col + 1]];
            slice.binary_search(&row).ok().map(|p| col_ptr[col] + p)
        };
        let mut diagonal = Vec::with_capacity(junctions);
        for j in 0..junctions {
            diagonal.push(
                find(j, j).ok_or_else(|| {
                    HydraulicError::Solver("matrix pattern lost a diagonal".into())
                })?,
            );
        }
        let mut off_diagonal = Vec::with_capacity(from.len());
        for (&a, &b) in from.iter().zip(to) {
            if a < junctions && b < junctions && a != b {
                off_diagonal.push(find(a.min(b), a.max(b)));
            } else {
                off_diagonal.push(None);
            }
        }
        let nnz = row_idx.len();
        let pattern =
            SymbolicSparseColMat::new_checked(junctions, junctions, col_ptr, None, row_idx);
        let (symbolic, factor_values, workspace) = if junctions > 0 {
            let symbolic = factorize_symbolic_cholesky(
                pattern.as_ref(),
                Side::Lower,
                SymmetricOrdering::Amd,
                CholeskySymbolicParams::default(),
            )
            .map_err(|e| HydraulicError::Solver(format!("{e:?}")))?;
            let req = symbolic
                .factorize_numeric_llt_scratch::<f64>(Par::Seq, Spec::default())
                .or(symbolic.solve_in_place_scratch::<f64>(1, Par::Seq));
            let workspace = MemBuffer::try_new(req)
                .map_err(|_| HydraulicError::Solver("out of memory".into()))?;
            let len = symbolic.len_val();
            (Some(symbolic), vec![0.0; len], workspace)
        } else {
            (
                None,
                Vec::new(),
                MemBuffer::new(faer::dyn_stack::StackReq::empty()),
            )
        };
        Ok(SystemMatrix {
            size: junctions,
            pattern,
            values: vec![0.0; nnz],
            diagonal,
            off_diagonal,
            rhs: vec![0.0; junctions],
            symbolic,
            factor_values,
            workspace,
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
        let Some(symbolic) = self.symbolic.as_ref() else {
            return Ok(());
        };
        let matrix = SparseColMatRef::new(self.pattern.as_ref(), &self.values);
        let stack = MemStack::new(&mut self.workspace);
        let llt = symbolic.factorize_numeric_llt::<f64>(
            &mut self.factor_values,
            matrix,
            Side::Lower,
            LltRegularization::default(),
            Par::Seq,
            stack,
            Spec::default(),
        );
        let llt = match llt {
            Ok(llt) => llt,
            Err(LltError::NonPositivePivot { index }) => {
                // The pivot index is in the permuted order; map it back to a junction.
                let junction = match symbolic.perm() {
                    Some(perm) => {
                        let (forward, _) = perm.arrays();
                        forward.get(index).copied().unwrap_or(0)
                    }
                    None => index,
                };
                return Err(SolveFailure::Pivot(junction));
            }
        };
        let stack = MemStack::new(&mut self.workspace);
        let rhs = MatMut::from_column_major_slice_mut(&mut self.rhs, self.size, 1);
        llt.solve_in_place_with_conj(Conj::No, rhs, Par::Seq, stack);
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

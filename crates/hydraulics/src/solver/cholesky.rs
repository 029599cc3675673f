//! Sparse Cholesky factorisation of the gradient method's symmetric positive definite
//! matrix, with the same operations in the same order as EPANET 2.3 so results agree to
//! the last bit.
//!
//! The symbolic part (done once per network) finds the nonzero pattern of the factor L for
//! a given elimination order, each column's rows sorted ascending. The numeric part is the
//! left-looking column Cholesky of George and Liu (*Computer Solution of Large Sparse
//! Positive Definite Systems*, 1981): column j is formed from the earlier columns that
//! reach row j, visited through linked lists, their updates gathered in a dense work
//! vector; then a forward and a backward substitution.

/// Sentinel for the end of a column list.
const NONE: usize = usize::MAX;

/// The pattern of L and the work space of its numeric factorisation.
#[derive(Debug, Clone)]
pub(crate) struct Cholesky {
    /// Number of rows and columns.
    size: usize,
    /// Start of each column's below-diagonal entries in `rows` (size + 1 entries).
    column_start: Vec<usize>,
    /// Row (elimination position) of each below-diagonal entry, ascending within a column.
    rows: Vec<usize>,
    /// Accumulated updates to the column being formed, by row.
    update: Vec<f64>,
    /// For each column k, the next column in the list of columns waiting on the same row.
    waiting: Vec<usize>,
    /// For each column k, the entry of k to be used next.
    next_entry: Vec<usize>,
}

impl Cholesky {
    /// Finds the pattern of L for the matrix whose off-diagonal pairs are given as
    /// (column, row) elimination positions, in any order, with repeats allowed.
    pub(crate) fn new(size: usize, pairs: &[(usize, usize)]) -> Cholesky {
        // Lower neighbours of each position (rows below the diagonal in A).
        let mut lower_count = vec![0usize; size + 1];
        for &(a, b) in pairs {
            if a != b {
                lower_count[a.min(b) + 1] += 1;
            }
        }
        for j in 0..size {
            lower_count[j + 1] += lower_count[j];
        }
        let mut fill = lower_count.clone();
        let mut lower = vec![0usize; lower_count[size]];
        for &(a, b) in pairs {
            if a != b {
                let column = a.min(b);
                lower[fill[column]] = a.max(b);
                fill[column] += 1;
            }
        }
        // Column j of L holds A's lower rows in column j plus the rows of each child
        // column in the elimination tree (other than j itself).
        let mut column_start = Vec::with_capacity(size + 1);
        column_start.push(0);
        let mut rows: Vec<usize> = Vec::with_capacity(lower.len() * 2);
        let mut first_child = vec![NONE; size];
        let mut next_sibling = vec![NONE; size];
        let mut mark = vec![NONE; size];
        for j in 0..size {
            let begin = rows.len();
            mark[j] = j;
            for &r in &lower[lower_count[j]..lower_count[j + 1]] {
                if mark[r] != j {
                    mark[r] = j;
                    rows.push(r);
                }
            }
            let mut child = first_child[j];
            while child != NONE {
                for i in column_start[child]..column_start[child + 1] {
                    let r = rows[i];
                    if mark[r] != j {
                        mark[r] = j;
                        rows.push(r);
                    }
                }
                child = next_sibling[child];
            }
            rows[begin..].sort_unstable();
            if let Some(&parent) = rows.get(begin) {
                next_sibling[j] = first_child[parent];
                first_child[parent] = j;
            }
            column_start.push(rows.len());
        }
        Cholesky {
            size,
            column_start,
            rows,
            update: vec![0.0; size],
            waiting: vec![NONE; size],
            next_entry: vec![0; size],
        }
    }

    /// Number of below-diagonal entries of L.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Index in the below-diagonal values of the entry at (`row`, `column`), row > column.
    pub(crate) fn entry(&self, column: usize, row: usize) -> Option<usize> {
        let begin = self.column_start[column];
        let slice = &self.rows[begin..self.column_start[column + 1]];
        slice.binary_search(&row).ok().map(|p| begin + p)
    }

    /// Factorises in place (`diagonal` and below-diagonal `lower` values of A become those of
    /// L), then solves L Lᵀ x = b with `rhs` holding b and then x, all in elimination
    /// order. On a pivot that is not positive returns its position.
    pub(crate) fn factorise_and_solve(
        &mut self,
        diagonal: &mut [f64],
        lower: &mut [f64],
        rhs: &mut [f64],
    ) -> Result<(), usize> {
        self.factorise(diagonal, lower)?;
        self.solve(diagonal, lower, rhs);
        Ok(())
    }

    fn factorise(&mut self, diagonal: &mut [f64], lower: &mut [f64]) -> Result<(), usize> {
        let Cholesky {
            size,
            column_start,
            rows,
            update,
            waiting,
            next_entry,
        } = self;
        update.fill(0.0);
        waiting.fill(NONE);
        next_entry.fill(0);
        for j in 0..*size {
            // Gather the updates of every earlier column k with an entry in row j.
            let mut squares = 0.0;
            let mut k = waiting[j];
            while k != NONE {
                let following = waiting[k];
                let first = next_entry[k];
                let l_jk = lower[first];
                squares += l_jk * l_jk;
                let begin = first + 1;
                let end = column_start[k + 1];
                if begin < end {
                    // Column k next affects the row of its following entry.
                    next_entry[k] = begin;
                    let row = rows[begin];
                    waiting[k] = waiting[row];
                    waiting[row] = k;
                    for (&r, &l_ik) in rows[begin..end].iter().zip(&lower[begin..end]) {
                        update[r] += l_ik * l_jk;
                    }
                }
                k = following;
            }
            let pivot = diagonal[j] - squares;
            if pivot <= 0.0 {
                return Err(j);
            }
            let pivot = pivot.sqrt();
            diagonal[j] = pivot;
            let begin = column_start[j];
            let end = column_start[j + 1];
            if begin < end {
                next_entry[j] = begin;
                let row = rows[begin];
                waiting[j] = waiting[row];
                waiting[row] = j;
                for (&r, l_rj) in rows[begin..end].iter().zip(&mut lower[begin..end]) {
                    *l_rj = (*l_rj - update[r]) / pivot;
                    update[r] = 0.0;
                }
            }
        }
        Ok(())
    }

    fn solve(&self, diagonal: &[f64], lower: &[f64], rhs: &mut [f64]) {
        // L y = b.
        for j in 0..self.size {
            let y = rhs[j] / diagonal[j];
            rhs[j] = y;
            let column = self.column_start[j]..self.column_start[j + 1];
            for (&r, &l_rj) in self.rows[column.clone()].iter().zip(&lower[column]) {
                rhs[r] -= l_rj * y;
            }
        }
        // Lᵀ x = y.
        for j in (0..self.size).rev() {
            let mut x = rhs[j];
            let column = self.column_start[j]..self.column_start[j + 1];
            for (&r, &l_rj) in self.rows[column.clone()].iter().zip(&lower[column]) {
                x -= l_rj * rhs[r];
            }
            rhs[j] = x / diagonal[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense A x for a symmetric matrix given by diagonal and (column, row, value) pairs.
    fn multiply(diagonal: &[f64], pairs: &[(usize, usize, f64)], x: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = diagonal.iter().zip(x).map(|(d, v)| d * v).collect();
        for &(c, r, v) in pairs {
            out[r] += v * x[c];
            out[c] += v * x[r];
        }
        out
    }

    #[test]
    fn solves_a_grid_with_fill() {
        // A 4 x 4 grid Laplacian plus a positive shift, in natural order (lots of fill).
        let side = 4;
        let n = side * side;
        let mut pairs = Vec::new();
        for r in 0..side {
            for c in 0..side {
                let i = r * side + c;
                if c + 1 < side {
                    pairs.push((i, i + 1, -1.0));
                }
                if r + 1 < side {
                    pairs.push((i, i + side, -1.0));
                }
            }
        }
        let structure: Vec<(usize, usize)> = pairs.iter().map(|&(a, b, _)| (a, b)).collect();
        let mut cholesky = Cholesky::new(n, &structure);
        // Natural-order fill of a grid: the band between i and i + side fills in.
        assert!(cholesky.len() > pairs.len());
        let diagonal: Vec<f64> = (0..n).map(|i| 4.5 + i as f64 * 0.01).collect();
        let expected: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let b = multiply(&diagonal, &pairs, &expected);
        let mut lower = vec![0.0; cholesky.len()];
        for &(a, b, v) in &pairs {
            let p = cholesky
                .entry(a.min(b), a.max(b))
                .expect("entry in pattern");
            lower[p] += v;
        }
        let mut d = diagonal.clone();
        let mut x = b.clone();
        cholesky
            .factorise_and_solve(&mut d, &mut lower, &mut x)
            .expect("positive definite");
        for (got, want) in x.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    #[test]
    fn reports_a_non_positive_pivot() {
        // [[1, 2], [2, 1]] is indefinite: the second pivot is 1 - 4 < 0.
        let mut cholesky = Cholesky::new(2, &[(0, 1)]);
        let mut d = vec![1.0, 1.0];
        let mut lower = vec![2.0];
        let mut x = vec![1.0, 1.0];
        assert_eq!(
            cholesky.factorise_and_solve(&mut d, &mut lower, &mut x),
            Err(1)
        );
    }
}

//! Sparse Cholesky factorisation of the gradient method's symmetric positive definite
//! matrix, with the same operations in the same order as EPANET 2.3 so results agree to
//! the last bit.
//!
//! The symbolic part (done once per network) finds the nonzero pattern of the factor L for
//! a given elimination order, each column's rows sorted ascending. The numeric part is the
//! left-looking column Cholesky of George and Liu (*Computer Solution of Large Sparse
//! Positive Definite Systems*, 1981): column j is formed from the earlier columns that
//! reach row j, their updates gathered in a dense work vector; then a forward and a
//! backward substitution.
//!
//! George and Liu (and EPANET) find the columns that reach row j through linked lists
//! rebuilt on every factorisation. Which columns, and in which order, depends only on the
//! pattern, so here the lists are walked once in the symbolic part and the visits recorded
//! as a schedule; the numeric part replays it. The sums are taken in the same order, so
//! the roundoff is the same, without the list bookkeeping on every trial.

/// Sentinel for the end of a column list.
const NONE: u32 = u32::MAX;

/// One use of an earlier column k while forming column j: `lower[first]` is L(j, k), and
/// `lower[first + 1..end]` are the entries of column k below row j.
#[derive(Debug, Clone, Copy)]
struct ColumnUpdate {
    first: u32,
    end: u32,
}

/// The pattern of L and the work space of its numeric factorisation.
#[derive(Debug, Clone)]
pub(crate) struct Cholesky {
    /// Number of rows and columns.
    size: usize,
    /// Start of each column's below-diagonal entries in `rows` (size + 1 entries).
    column_start: Vec<u32>,
    /// Row (elimination position) of each below-diagonal entry, ascending within a column.
    rows: Vec<u32>,
    /// Start of each column's updates in `updates` (size + 1 entries).
    update_start: Vec<u32>,
    /// The earlier columns each column is formed from, in EPANET's order.
    updates: Vec<ColumnUpdate>,
    /// Accumulated updates to the column being formed, by row; all zero between columns.
    work: Vec<f64>,
}

impl Cholesky {
    /// Finds the pattern of L for the matrix whose off-diagonal pairs are given as
    /// (column, row) elimination positions, in any order, with repeats allowed. None when
    /// a position is not below `size` or the factor is too large to index with 32 bits.
    pub(crate) fn new(size: usize, pairs: &[(usize, usize)]) -> Option<Cholesky> {
        // The numeric phase relies on every position being below `size` to index without
        // checks.
        if size >= NONE as usize || pairs.iter().any(|&(a, b)| a >= size || b >= size) {
            return None;
        }
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
        let mut lower = vec![0u32; lower_count[size]];
        for &(a, b) in pairs {
            if a != b {
                let column = a.min(b);
                lower[fill[column]] = a.max(b) as u32;
                fill[column] += 1;
            }
        }
        // Column j of L holds A's lower rows in column j plus the rows of each child
        // column in the elimination tree (other than j itself).
        let mut column_start: Vec<usize> = Vec::with_capacity(size + 1);
        column_start.push(0);
        let mut rows: Vec<u32> = Vec::with_capacity(lower.len() * 2);
        let mut first_child = vec![NONE; size];
        let mut next_sibling = vec![NONE; size];
        let mut mark = vec![NONE; size];
        for j in 0..size {
            let begin = rows.len();
            let tag = j as u32;
            mark[j] = tag;
            for &r in &lower[lower_count[j]..lower_count[j + 1]] {
                if mark[r as usize] != tag {
                    mark[r as usize] = tag;
                    rows.push(r);
                }
            }
            let mut child = first_child[j];
            while child != NONE {
                let child_columns = column_start[child as usize]..column_start[child as usize + 1];
                for i in child_columns {
                    let r = rows[i];
                    if mark[r as usize] != tag {
                        mark[r as usize] = tag;
                        rows.push(r);
                    }
                }
                child = next_sibling[child as usize];
            }
            rows[begin..].sort_unstable();
            if let Some(&parent) = rows.get(begin) {
                next_sibling[j] = first_child[parent as usize];
                first_child[parent as usize] = tag;
            }
            column_start.push(rows.len());
        }
        if rows.len() >= NONE as usize {
            return None;
        }
        let (update_start, updates) = schedule(size, &column_start, &rows);
        // The numeric phase indexes the scheduled ranges without checks.
        if updates
            .iter()
            .any(|u| u.first >= u.end || u.end as usize > rows.len())
        {
            return None;
        }
        Some(Cholesky {
            size,
            column_start: column_start.iter().map(|&c| c as u32).collect(),
            rows,
            update_start,
            updates,
            work: vec![0.0; size],
        })
    }

    /// Number of below-diagonal entries of L.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Index in the below-diagonal values of the entry at (`row`, `column`), row > column.
    pub(crate) fn entry(&self, column: usize, row: usize) -> Option<usize> {
        let begin = *self.column_start.get(column)? as usize;
        let end = *self.column_start.get(column + 1)? as usize;
        let row = u32::try_from(row).ok()?;
        self.rows[begin..end]
            .binary_search(&row)
            .ok()
            .map(|p| begin + p)
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
        let size = self.size;
        let rows = &self.rows[..];
        let work = &mut self.work[..];
        assert!(diagonal.len() == size && lower.len() == rows.len() && work.len() == size);
        for (j, diagonal_j) in diagonal.iter_mut().enumerate() {
            // Gather the updates of every earlier column k with an entry in row j.
            let mut squares = 0.0;
            let scheduled = self.update_start[j] as usize..self.update_start[j + 1] as usize;
            for update in &self.updates[scheduled] {
                let first = update.first as usize;
                let below = first + 1..update.end as usize;
                let l_jk = lower[first];
                squares += l_jk * l_jk;
                // Columns are short (a few entries in a water network), so plain index
                // loops beat zipped iterators, whose set-up costs more than the work.
                for i in below {
                    // SAFETY: `new` checked that every scheduled range lies within `rows`
                    // (as long as `lower`, asserted above) and that every row is below
                    // `size` (as long as `work`). This is the hottest loop of a trial.
                    unsafe {
                        let r = *rows.get_unchecked(i) as usize;
                        *work.get_unchecked_mut(r) += *lower.get_unchecked(i) * l_jk;
                    }
                }
            }
            let pivot = *diagonal_j - squares;
            if pivot <= 0.0 {
                work.fill(0.0);
                return Err(j);
            }
            let pivot = pivot.sqrt();
            *diagonal_j = pivot;
            // Column j's own rows hold every row its updates reached (a property of the
            // elimination tree), so clearing them leaves `work` all zero again.
            let column = self.column_start[j] as usize..self.column_start[j + 1] as usize;
            for i in column {
                // SAFETY: as above.
                let accumulated = unsafe { work.get_unchecked_mut(rows[i] as usize) };
                lower[i] = (lower[i] - *accumulated) / pivot;
                *accumulated = 0.0;
            }
        }
        Ok(())
    }

    fn solve(&self, diagonal: &[f64], lower: &[f64], rhs: &mut [f64]) {
        let size = self.size;
        let rows = &self.rows[..];
        assert!(diagonal.len() == size && rhs.len() == size && lower.len() == rows.len());
        // L y = b.
        for j in 0..size {
            let y = rhs[j] / diagonal[j];
            rhs[j] = y;
            let column = self.column_start[j] as usize..self.column_start[j + 1] as usize;
            for i in column {
                // SAFETY: every row of the pattern is below `size` = rhs.len().
                unsafe { *rhs.get_unchecked_mut(rows[i] as usize) -= lower[i] * y };
            }
        }
        // Lᵀ x = y.
        for j in (0..size).rev() {
            let mut x = rhs[j];
            let column = self.column_start[j] as usize..self.column_start[j + 1] as usize;
            for i in column {
                // SAFETY: as above.
                x -= lower[i] * unsafe { *rhs.get_unchecked(rows[i] as usize) };
            }
            rhs[j] = x / diagonal[j];
        }
    }
}

/// Walks George and Liu's column lists once, as the numeric factorisation would, and
/// records for each column j the earlier columns it is formed from, in list order.
///
/// Column k waits in the list of the row of its next unused entry; when row j is reached
/// each waiting column contributes and moves on to the list of its following entry's row.
/// Lists are pushed and popped at the front, as EPANET's are.
fn schedule(size: usize, column_start: &[usize], rows: &[u32]) -> (Vec<u32>, Vec<ColumnUpdate>) {
    // `waiting[j]` heads row j's list while j is ahead, and is column j's link once done.
    let mut waiting = vec![NONE; size];
    let mut next_entry = vec![0usize; size];
    let mut update_start = Vec::with_capacity(size + 1);
    let mut updates = Vec::with_capacity(rows.len());
    update_start.push(0u32);
    for j in 0..size {
        let mut k = waiting[j];
        while k != NONE {
            let column = k as usize;
            let following = waiting[column];
            let first = next_entry[column];
            let end = column_start[column + 1];
            updates.push(ColumnUpdate {
                first: first as u32,
                end: end as u32,
            });
            if first + 1 < end {
                next_entry[column] = first + 1;
                let row = rows[first + 1] as usize;
                waiting[column] = waiting[row];
                waiting[row] = k;
            }
            k = following;
        }
        update_start.push(updates.len() as u32);
        let begin = column_start[j];
        if begin < column_start[j + 1] {
            next_entry[j] = begin;
            let row = rows[begin] as usize;
            waiting[j] = waiting[row];
            waiting[row] = j as u32;
        }
    }
    (update_start, updates)
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
        let mut cholesky = Cholesky::new(n, &structure).expect("positions below n");
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
        let mut cholesky = Cholesky::new(2, &[(0, 1)]).expect("positions below 2");
        let mut d = vec![1.0, 1.0];
        let mut lower = vec![2.0];
        let mut x = vec![1.0, 1.0];
        assert_eq!(
            cholesky.factorise_and_solve(&mut d, &mut lower, &mut x),
            Err(1)
        );
    }
}

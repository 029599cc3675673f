//! A banded linear solver (Gaussian elimination with partial pivoting) for the Preissmann
//! system: two unknowns per point, two equations per segment, two lower and two upper diagonals.

/// A square band matrix with `lower` sub- and `upper` super-diagonals, room for pivoting fill-in.
#[derive(Debug, Clone)]
pub struct Band {
    size: usize,
    lower: usize,
    width: usize,
    values: Vec<f64>,
}

impl Band {
    /// A zero matrix of `size` rows.
    pub fn new(size: usize, lower: usize, upper: usize) -> Band {
        let width = 2 * lower + upper + 1;
        Band {
            size,
            lower,
            width,
            values: vec![0.0; size * width],
        }
    }

    /// Sets every entry to zero.
    pub fn clear(&mut self) {
        self.values.iter_mut().for_each(|v| *v = 0.0);
    }

    #[inline]
    fn slot(&self, row: usize, column: usize) -> usize {
        row * self.width + column + self.lower - row
    }

    /// Sets entry (row, column); it must lie within the band.
    #[inline]
    pub fn set(&mut self, row: usize, column: usize, value: f64) {
        let slot = self.slot(row, column);
        self.values[slot] = value;
    }

    /// Solves A·x = b in place (b becomes x). Returns false on a zero pivot.
    pub fn solve(&mut self, rhs: &mut [f64]) -> bool {
        let n = self.size;
        let reach = self.width - 1 - self.lower; // columns right of the diagonal after fill-in
        for k in 0..n {
            let last_row = (k + self.lower).min(n - 1);
            let mut pivot = k;
            let mut largest = self.values[self.slot(k, k)].abs();
            for row in k + 1..=last_row {
                let value = self.values[self.slot(row, k)].abs();
                if value > largest {
                    largest = value;
                    pivot = row;
                }
            }
            if largest < 1e-300 || !largest.is_finite() {
                return false;
            }
            let last_column = (k + reach).min(n - 1);
            if pivot != k {
                for column in k..=last_column {
                    let (a, b) = (self.slot(k, column), self.slot(pivot, column));
                    self.values.swap(a, b);
                }
                rhs.swap(k, pivot);
            }
            let diagonal = self.values[self.slot(k, k)];
            for row in k + 1..=last_row {
                let factor = self.values[self.slot(row, k)] / diagonal;
                if factor == 0.0 {
                    continue;
                }
                let row_base = self.slot(row, k);
                let k_base = self.slot(k, k);
                for offset in 0..=(last_column - k) {
                    self.values[row_base + offset] -= factor * self.values[k_base + offset];
                }
                rhs[row] -= factor * rhs[k];
            }
        }
        for k in (0..n).rev() {
            let last_column = (k + reach).min(n - 1);
            let base = self.slot(k, k);
            let mut sum = rhs[k];
            for offset in 1..=(last_column - k) {
                sum -= self.values[base + offset] * rhs[k + offset];
            }
            rhs[k] = sum / self.values[base];
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        // Rows as the Preissmann system has them: the first equation has no diagonal entry.
        let dense = [
            [0.0, 1.0, 0.0, 0.0, 0.0],
            [1.0, 2.0, 3.0, 0.0, 0.0],
            [4.0, 1.0, 0.0, 2.0, 0.0],
            [0.0, 1.0, 5.0, 1.0, 1.0],
            [0.0, 0.0, 2.0, 1.0, 3.0],
        ];
        let x = [1.0, -2.0, 0.5, 3.0, -1.0];
        let mut band = Band::new(5, 2, 2);
        let mut rhs = vec![0.0; 5];
        for (r, row) in dense.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if *value != 0.0 {
                    band.set(r, c, *value);
                }
                rhs[r] += value * x[c];
            }
        }
        assert!(band.solve(&mut rhs));
        for (got, want) in rhs.iter().zip(x) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }
}

//! Shards: a sweep split into `n` contiguous parts, so that processes or machines can share it
//! and the parts, joined in order, give exactly the rows of one unsharded run.

use crate::ScenarioError;
use std::ops::Range;

/// Part `index` (from 1) of `count` parts of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1 to `count`.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl Shard {
    /// The whole sweep as one part.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `k/n` (1 <= k <= n).
    pub fn parse(text: &str) -> Result<Shard, ScenarioError> {
        let bad = || {
            ScenarioError::BadOption(format!(
                "shard {text:?}: expected k/n with 1 <= k <= n, e.g. 2/8"
            ))
        };
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The positions, among `total` scenarios, that belong to this part: contiguous blocks
    /// whose sizes differ by at most one, in order, so joined in shard order they cover
    /// `0..total` once.
    pub fn range(&self, total: usize) -> Range<usize> {
        let start = total * (self.index - 1) / self.count;
        let end = total * self.index / self.count;
        start..end
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_scenario_once_in_order() {
        for total in [0, 1, 5, 17, 100] {
            for count in 1..=7 {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard { index, count }.range(total);
                    assert_eq!(range.start, next);
                    next = range.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn bad_shards_are_refused() {
        for text in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(Shard::parse(text).is_err(), "{text}");
        }
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
    }
}

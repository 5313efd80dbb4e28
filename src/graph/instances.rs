//! The rule-instance table: a list that grows in fixed-size chunks. A large estate has millions of
//! instances (nearly a gigabyte at 100,000 users); a single vector would copy all of them, and fault in a
//! fresh block twice their size, each time it outgrew its capacity. Chunks are never moved.

use std::ops::Index;

use super::rule::RuleInstance;

/// Instances per chunk (about 2.4 MB each): small enough that a tiny model wastes little, large
/// enough that the list of chunks stays short.
const CHUNK: usize = 1 << 14;

/// Rule instances by index, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instances {
    chunks: Vec<Vec<RuleInstance>>,
    len: usize,
}

impl Instances {
    /// An empty table.
    pub fn new() -> Self {
        Instances::default()
    }

    /// Adds an instance at the end.
    pub fn push(&mut self, instance: RuleInstance) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(instance),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(instance);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    /// The instance at `i`.
    pub fn get(&self, i: usize) -> Option<&RuleInstance> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// How many instances there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every instance, in order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleInstance> + Clone {
        self.chunks.iter().flatten()
    }
}

impl Index<usize> for Instances {
    type Output = RuleInstance;

    /// The instance at `i`; panics when out of range, as a slice does.
    #[expect(
        clippy::indexing_slicing,
        reason = "Index's contract: out of range panics, as for a slice"
    )]
    fn index(&self, i: usize) -> &RuleInstance {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<'a> IntoIterator for &'a Instances {
    type Item = &'a RuleInstance;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<RuleInstance>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::graph::FactId;
    use crate::graph::rule::{Evidence, RuleId};
    use crate::model::PrincipalId;

    fn instance(n: u32) -> RuleInstance {
        RuleInstance {
            rule: RuleId::Membership,
            channel: Channel::Membership,
            premises: Box::new([FactId(n)]),
            conclusion: FactId(n + 1),
            evidence: Evidence::Membership {
                member: PrincipalId(n),
                group: PrincipalId(n + 1),
            },
            names: Box::new([]),
            tags: Box::new([]),
        }
    }

    #[test]
    fn instances_keep_their_index_across_chunks() {
        let mut table = Instances::new();
        let n = u32::try_from(2 * CHUNK + 3).unwrap();
        for i in 0..n {
            table.push(instance(i));
        }
        assert_eq!(table.len(), 2 * CHUNK + 3);
        for i in [0, CHUNK - 1, CHUNK, 2 * CHUNK + 2] {
            assert_eq!(table.get(i), Some(&instance(u32::try_from(i).unwrap())));
            assert_eq!(table[i], instance(u32::try_from(i).unwrap()));
        }
        assert_eq!(table.get(2 * CHUNK + 3), None);
        let conclusions: Vec<u32> = table.iter().map(|r| r.conclusion.0).collect();
        assert_eq!(conclusions, (1..=n).collect::<Vec<_>>());
    }
}

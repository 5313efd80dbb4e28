//! Where a search keeps what it records while it runs: each fact's mark, whether it left the queue,
//! the rule instances waiting on it, and whether its endpoint was pulled.
//!
//! A search confined to a backward cone knows every fact it can touch in advance (the cone numbers
//! them densely), so it keeps them in arrays reused by every search of the same thread
//! ([`ConeStore`]): a question about many actors runs many small searches over the same cone, and hash
//! look-ups were most of their cost. A search without a cone may touch any part of the graph and
//! keeps hash maps of what it touched ([`HashStore`]). Both give the same closure.

use std::cell::RefCell;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Mark;
use crate::graph::{FactId, RuleIdx};

/// What a search records about facts while it runs.
pub(super) trait Store {
    /// The mark of `f`, if it was derived.
    fn mark(&self, f: FactId) -> Option<Mark>;
    /// Records the mark of `f`.
    fn set_mark(&mut self, f: FactId, mark: Mark);
    /// True when `f` left the queue (its depth is final).
    fn is_done(&self, f: FactId) -> bool;
    /// Records that `f` left the queue; false when it already had.
    fn finish(&mut self, f: FactId) -> bool;
    /// Moves the rule instances waiting on `f` into `into`.
    fn take_waiting(&mut self, f: FactId, into: &mut Vec<RuleIdx>);
    /// Lets `r` wait on `f`.
    fn wait(&mut self, f: FactId, r: RuleIdx);
    /// Records that the endpoint `f` was pulled; false when it already was.
    fn pull_once(&mut self, f: FactId) -> bool;
    /// Every mark recorded, leaving the store without them.
    fn take_marks(&mut self) -> FxHashMap<FactId, Mark>;
}

/// Hash maps of the facts a search touched.
#[derive(Default)]
pub(super) struct HashStore {
    marks: FxHashMap<FactId, Mark>,
    done: FxHashSet<FactId>,
    waiting: FxHashMap<FactId, Vec<RuleIdx>>,
    pulled: FxHashSet<FactId>,
}

impl Store for HashStore {
    fn mark(&self, f: FactId) -> Option<Mark> {
        self.marks.get(&f).copied()
    }

    fn set_mark(&mut self, f: FactId, mark: Mark) {
        self.marks.insert(f, mark);
    }

    fn is_done(&self, f: FactId) -> bool {
        self.done.contains(&f)
    }

    fn finish(&mut self, f: FactId) -> bool {
        self.done.insert(f)
    }

    fn take_waiting(&mut self, f: FactId, into: &mut Vec<RuleIdx>) {
        if let Some(rules) = self.waiting.remove(&f) {
            into.extend(rules);
        }
    }

    fn wait(&mut self, f: FactId, r: RuleIdx) {
        self.waiting.entry(f).or_default().push(r);
    }

    fn pull_once(&mut self, f: FactId) -> bool {
        self.pulled.insert(f)
    }

    fn take_marks(&mut self) -> FxHashMap<FactId, Mark> {
        std::mem::take(&mut self.marks)
    }
}

/// No entry of the waiting list.
const NONE: u32 = u32::MAX;

/// One cone fact in a thread's scratch arrays. Valid only when `stamp` is the current search's.
#[derive(Debug, Clone, Copy)]
struct Slot {
    stamp: u32,
    done: bool,
    pulled: bool,
    mark: Option<Mark>,
    /// The first rule instance waiting on the fact, in [`Scratch::waiting`].
    waiting: u32,
}

const EMPTY: Slot = Slot {
    stamp: 0,
    done: false,
    pulled: false,
    mark: None,
    waiting: NONE,
};

/// A thread's arrays for cone searches, reused by every search: a new search only moves the stamp
/// on, so it costs what it touches, not the size of the cone.
#[derive(Default)]
struct Scratch {
    stamp: u32,
    slots: Vec<Slot>,
    /// Waiting lists, linked: (instance, next).
    waiting: Vec<(RuleIdx, u32)>,
    /// The facts marked by the current search, for handing its marks out.
    marked: Vec<FactId>,
}

impl Scratch {
    /// Ready for a new search over a cone of `size` facts.
    fn begin(&mut self, size: usize) {
        if self.stamp == u32::MAX {
            self.slots.fill(EMPTY);
            self.stamp = 0;
        }
        self.stamp += 1;
        if self.slots.len() < size {
            self.slots.resize(size, EMPTY);
        }
        self.waiting.clear();
        self.marked.clear();
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A cone search's store: the thread's scratch arrays, indexed by the cone's numbering. A fact
/// outside the cone (which a cone search does not reach, but nothing relies on that) is kept in hash
/// maps.
pub(super) struct ConeStore<'a> {
    index: &'a [u32],
    scratch: &'a mut Scratch,
    outside: HashStore,
}

impl ConeStore<'_> {
    /// Runs `search` with a store over the cone numbered by `index` (fact id to position, `u32::MAX`
    /// outside) of `size` facts, in this thread's scratch arrays; none when they are in use (a search
    /// within a search), and the caller then keeps hash maps.
    pub(super) fn with<T>(index: &[u32], size: usize, search: impl FnOnce(&mut ConeStore<'_>) -> T) -> Option<T> {
        SCRATCH.with(|cell| {
            let mut scratch = cell.try_borrow_mut().ok()?;
            scratch.begin(size);
            let mut store = ConeStore {
                index,
                scratch: &mut scratch,
                outside: HashStore::default(),
            };
            Some(search(&mut store))
        })
    }

    /// The position of a cone fact in the scratch arrays; none outside the cone (whose facts the
    /// hash maps keep).
    fn local(&self, f: FactId) -> Option<usize> {
        let i = *self.index.get(f.0 as usize)? as usize;
        (i < self.scratch.slots.len()).then_some(i)
    }

    /// What this search recorded about the cone fact at `i`.
    fn slot(&self, i: usize) -> Slot {
        match self.scratch.slots.get(i) {
            Some(slot) if slot.stamp == self.scratch.stamp => *slot,
            _ => EMPTY,
        }
    }

    /// The slot of the cone fact at `i`, claimed for this search.
    fn slot_mut(&mut self, i: usize) -> Option<&mut Slot> {
        let stamp = self.scratch.stamp;
        let slot = self.scratch.slots.get_mut(i)?;
        if slot.stamp != stamp {
            *slot = Slot { stamp, ..EMPTY };
        }
        Some(slot)
    }
}

impl Store for ConeStore<'_> {
    fn mark(&self, f: FactId) -> Option<Mark> {
        match self.local(f) {
            Some(i) => self.slot(i).mark,
            None => self.outside.mark(f),
        }
    }

    fn set_mark(&mut self, f: FactId, mark: Mark) {
        let Some(i) = self.local(f) else {
            return self.outside.set_mark(f, mark);
        };
        if let Some(slot) = self.slot_mut(i)
            && slot.mark.replace(mark).is_none()
        {
            self.scratch.marked.push(f);
        }
    }

    fn is_done(&self, f: FactId) -> bool {
        match self.local(f) {
            Some(i) => self.slot(i).done,
            None => self.outside.is_done(f),
        }
    }

    fn finish(&mut self, f: FactId) -> bool {
        match self.local(f) {
            Some(i) => self
                .slot_mut(i)
                .is_some_and(|slot| !std::mem::replace(&mut slot.done, true)),
            None => self.outside.finish(f),
        }
    }

    fn take_waiting(&mut self, f: FactId, into: &mut Vec<RuleIdx>) {
        let Some(i) = self.local(f) else {
            return self.outside.take_waiting(f, into);
        };
        let mut next = self
            .slot_mut(i)
            .map_or(NONE, |slot| std::mem::replace(&mut slot.waiting, NONE));
        while let Some((r, after)) = self.scratch.waiting.get(next as usize) {
            into.push(*r);
            next = *after;
        }
    }

    fn wait(&mut self, f: FactId, r: RuleIdx) {
        let Some(i) = self.local(f) else {
            return self.outside.wait(f, r);
        };
        let entry = u32::try_from(self.scratch.waiting.len()).unwrap_or(NONE);
        if let Some(slot) = self.slot_mut(i) {
            let after = std::mem::replace(&mut slot.waiting, entry);
            self.scratch.waiting.push((r, after));
        }
    }

    fn pull_once(&mut self, f: FactId) -> bool {
        match self.local(f) {
            Some(i) => self
                .slot_mut(i)
                .is_some_and(|slot| !std::mem::replace(&mut slot.pulled, true)),
            None => self.outside.pull_once(f),
        }
    }

    fn take_marks(&mut self) -> FxHashMap<FactId, Mark> {
        let mut marks = self.outside.take_marks();
        marks.reserve(self.scratch.marked.len());
        for &f in &self.scratch.marked {
            if let Some(mark) = self.local(f).and_then(|i| self.slot(i).mark) {
                marks.insert(f, mark);
            }
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Mark(u32, u32),
        Finish(u32),
        Wait(u32, u32),
        Take(u32),
        Pull(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..12u32, 0..5u32).prop_map(|(f, d)| Op::Mark(f, d)),
            (0..12u32).prop_map(Op::Finish),
            (0..12u32, 0..40u32).prop_map(|(f, r)| Op::Wait(f, r)),
            (0..12u32).prop_map(Op::Take),
            (0..12u32).prop_map(Op::Pull),
        ]
    }

    /// What the store answers after each operation: the same from both stores.
    fn apply(store: &mut impl Store, ops: &[Op]) -> (Vec<String>, Vec<(FactId, u32)>) {
        let mut seen = Vec::new();
        for op in ops {
            match *op {
                Op::Mark(f, depth) => store.set_mark(
                    FactId(f),
                    Mark {
                        depth,
                        steps: depth,
                        via: Some(RuleIdx(f)),
                    },
                ),
                Op::Finish(f) => seen.push(format!("finish {f} {}", store.finish(FactId(f)))),
                Op::Wait(f, r) => store.wait(FactId(f), RuleIdx(r)),
                Op::Take(f) => {
                    let mut rules = Vec::new();
                    store.take_waiting(FactId(f), &mut rules);
                    rules.sort_unstable();
                    seen.push(format!("take {f} {rules:?}"));
                }
                Op::Pull(f) => seen.push(format!("pull {f} {}", store.pull_once(FactId(f)))),
            }
            for f in 0..12 {
                let f = FactId(f);
                seen.push(format!("{f:?} {:?} {}", store.mark(f), store.is_done(f)));
            }
        }
        let mut marks: Vec<(FactId, u32)> = store.take_marks().into_iter().map(|(f, m)| (f, m.depth)).collect();
        marks.sort_unstable();
        (seen, marks)
    }

    proptest! {
        /// Cone stores on the same thread, one search after another (facts 0..12, some outside the
        /// cone), answer what hash stores answer: nothing a search recorded shows in the next.
        #[test]
        fn cone_stores_answer_as_hash_stores(
            searches in prop::collection::vec(
                (prop::collection::vec(prop::option::of(0..12u32), 12), prop::collection::vec(op(), 0..40)),
                1..5,
            )
        ) {
            for (numbering, ops) in searches {
                // A numbering: each fact's position, distinct, or outside the cone.
                let mut index: Vec<u32> = Vec::new();
                let mut used = Vec::new();
                for n in numbering {
                    match n.filter(|n| !used.contains(n)) {
                        Some(n) => {
                            used.push(n);
                            index.push(n);
                        }
                        None => index.push(NONE),
                    }
                }
                let expected = apply(&mut HashStore::default(), &ops);
                let got = ConeStore::with(&index, 12, |store| apply(store, &ops));
                prop_assert_eq!(got, Some(expected));
            }
        }
    }

    #[test]
    fn a_search_within_a_search_keeps_hash_maps() {
        let index = [0, 1];
        let inner = ConeStore::with(&index, 2, |_| ConeStore::with(&index, 2, |_| ()));
        assert_eq!(inner, Some(None));
    }
}

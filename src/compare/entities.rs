//! The entities two models share, by what reports call them: principals by name and kind, credentials,
//! locations and NSGs by name, resources by key, name, type and parent. A change that adds or removes
//! an entity moves the ids of those after it; matching by name keeps the others comparable.

use rustc_hash::FxHashMap;

use crate::graph::{Endpoint, Fact, Place};
use crate::model::{CredentialId, LocationId, Model, NsgId, PrincipalId, ResourceId};

/// For each entity of the old model, the entity of the new one that reads the same, if exactly one
/// does.
pub(super) struct EntityMap {
    principals: Vec<Option<usize>>,
    credentials: Vec<Option<usize>>,
    locations: Vec<Option<usize>>,
    resources: Vec<Option<usize>>,
    nsgs: Vec<Option<usize>>,
}

impl EntityMap {
    pub(super) fn new(old: &Model, new: &Model) -> EntityMap {
        let mut resources = map_by(
            &old.resources,
            &new.resources,
            |r| r.key.as_str(),
            |r, s| (&r.name, &r.arm_type, r.kind, r.prospective) == (&s.name, &s.arm_type, s.kind, s.prospective),
        );
        // A resource is written with its parent's name, so the parents must match as well.
        let parents: Vec<bool> = old
            .resources
            .iter()
            .zip(&resources)
            .map(|(r, to)| {
                let theirs = to.and_then(|t| new.resources.get(t)).and_then(|s| s.parent);
                match (r.parent, theirs) {
                    (None, None) => true,
                    (Some(p), Some(q)) => resources.get(p.index()).copied().flatten() == Some(q.index()),
                    _ => false,
                }
            })
            .collect();
        for (to, same_parent) in resources.iter_mut().zip(parents) {
            if !same_parent {
                *to = None;
            }
        }
        EntityMap {
            principals: map_by(
                &old.principals,
                &new.principals,
                |p| p.name.as_str(),
                |p, q| p.kind == q.kind,
            ),
            credentials: map_by(&old.credentials, &new.credentials, |c| c.name.as_str(), |_, _| true),
            locations: map_by(&old.locations, &new.locations, |l| l.name.as_str(), |_, _| true),
            resources,
            nsgs: map_by(&old.network.nsgs, &new.network.nsgs, |n| n.name.as_str(), |_, _| true),
        }
    }

    fn principal(&self, p: PrincipalId) -> Option<PrincipalId> {
        lookup(&self.principals, p.index()).map(PrincipalId::from_index)
    }

    fn resource(&self, r: ResourceId) -> Option<ResourceId> {
        lookup(&self.resources, r.index()).map(ResourceId::from_index)
    }

    fn place(&self, place: Place) -> Option<Place> {
        Some(match place {
            Place::Location(l) => Place::Location(LocationId::from_index(lookup(&self.locations, l.index())?)),
            Place::Resource(r) => Place::Resource(self.resource(r)?),
        })
    }

    fn endpoint(&self, e: Endpoint) -> Option<Endpoint> {
        Some(match e {
            Endpoint::Blob(r) => Endpoint::Blob(self.resource(r)?),
            Endpoint::Vault(r) => Endpoint::Vault(self.resource(r)?),
            Endpoint::Registry(r) => Endpoint::Registry(self.resource(r)?),
            Endpoint::Workspace(r) => Endpoint::Workspace(self.resource(r)?),
            Endpoint::Scoring(r) => Endpoint::Scoring(self.resource(r)?),
            Endpoint::Ssh(r) => Endpoint::Ssh(self.resource(r)?),
        })
    }

    /// The fact of the new model that says what `f` of the old one says, with the old graph's scope
    /// `s` read as `scope(s)` of the new graph.
    pub(super) fn fact(&self, f: Fact, scope: impl Fn(u32) -> Option<u32>) -> Option<Fact> {
        let r = |x: ResourceId| self.resource(x);
        Some(match f {
            Fact::As(p) => Fact::As(self.principal(p)?),
            Fact::Holds(c) => Fact::Holds(CredentialId::from_index(lookup(&self.credentials, c.index())?)),
            Fact::At(place) => Fact::At(self.place(place)?),
            Fact::Reach(e) => Fact::Reach(self.endpoint(e)?),
            Fact::Online => Fact::Online,
            Fact::Host => Fact::Host,
            Fact::Can(op, s) => Fact::Can(op, scope(s)?),
            Fact::Assign(s) => Fact::Assign(scope(s)?),
            Fact::AssignSome(s, p) => Fact::AssignSome(scope(s)?, self.principal(PrincipalId(p))?.0),
            Fact::Key(x) => Fact::Key(r(x)?),
            Fact::SharedKeyOn(x) => Fact::SharedKeyOn(r(x)?),
            Fact::DatastoreSecret(x) => Fact::DatastoreSecret(r(x)?),
            Fact::AcrAdmin(x) => Fact::AcrAdmin(r(x)?),
            Fact::VaultPolicy(x) => Fact::VaultPolicy(r(x)?),
            Fact::EndpointSecret(x) => Fact::EndpointSecret(r(x)?),
            Fact::Created(x) => Fact::Created(r(x)?),
            Fact::Exec(x) => Fact::Exec(r(x)?),
            Fact::NsgOpen(n) => Fact::NsgOpen(NsgId::from_index(lookup(&self.nsgs, n.index())?)),
            Fact::EgressOpen(x) => Fact::EgressOpen(r(x)?),
            Fact::DataRead(x) => Fact::DataRead(r(x)?),
            Fact::DataWrite(x) => Fact::DataWrite(r(x)?),
            Fact::Secrets(x) => Fact::Secrets(r(x)?),
            Fact::Invoke(x) => Fact::Invoke(r(x)?),
            Fact::Push(x) => Fact::Push(r(x)?),
            Fact::Use(x) => Fact::Use(r(x)?),
            Fact::Unmodelled(x) => Fact::Unmodelled(r(x)?),
        })
    }
}

fn lookup(map: &[Option<usize>], i: usize) -> Option<usize> {
    map.get(i).copied().flatten()
}

/// For each entry of `old`, the entry of `new` with the same key, where each table has exactly one
/// entry with that key and `same` holds of the two.
fn map_by<T>(
    old: &[T],
    new: &[T],
    key: impl for<'a> Fn(&'a T) -> &'a str,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<Option<usize>> {
    // A key held twice in either table matches nothing.
    fn unique<'t, T>(table: &'t [T], key: &impl for<'a> Fn(&'a T) -> &'a str) -> FxHashMap<&'t str, Option<usize>> {
        let mut by_key: FxHashMap<&str, Option<usize>> = FxHashMap::default();
        for (i, t) in table.iter().enumerate() {
            by_key.entry(key(t)).and_modify(|e| *e = None).or_insert(Some(i));
        }
        by_key
    }
    let (in_old, in_new) = (unique(old, &key), unique(new, &key));
    old.iter()
        .enumerate()
        .map(|(i, t)| {
            let k = key(t);
            let only_here = in_old.get(k).copied().flatten() == Some(i);
            let theirs = in_new.get(k).copied().flatten()?;
            (only_here && new.get(theirs).is_some_and(|u| same(t, u))).then_some(theirs)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_match_by_key_where_each_table_has_one() {
        let old = ["a", "b", "c", "c", "d"];
        let new = ["d", "x", "a", "c", "b", "b"];
        let map = map_by(&old, &new, |s: &&str| *s, |_, _| true);
        // `a` and `d` moved; `b` is twice in the new table and `c` twice in the old one.
        assert_eq!(map, vec![Some(2), None, None, None, Some(0)]);
        let picky = map_by(&old, &new, |s: &&str| *s, |x, _| *x != "d");
        assert_eq!(picky, vec![Some(2), None, None, None, None]);
    }
}

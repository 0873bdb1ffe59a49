//! What became of an ATT&CK object in a later release: still active, revoked into a replacement
//! (following revoked-by chains), split into several objects, revoked into an object of another
//! kind, or deprecated.
//!
//! The knowledge base keeps one `revoked-by` target per object; a split shows as several
//! `revoked-by` relationships from one object, so those are read from the bundle itself
//! ([`Revocations::from_bundle`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde::Deserialize;

use crate::attack::{KnowledgeBase, ObjectRef};

/// Every `revoked-by` relationship of a bundle: STIX id to the STIX ids revoking it.
#[derive(Debug, Clone, Default)]
pub struct Revocations {
    targets: BTreeMap<String, BTreeSet<String>>,
}

/// Why a bundle's `revoked-by` relationships cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RevocationsError {
    /// The bytes are not JSON shaped like a STIX bundle (an object with a list of objects).
    #[error(transparent)]
    NotABundle(#[from] serde_json::Error),
}

#[derive(Deserialize)]
struct Bundle<'a> {
    #[serde(borrow, default)]
    objects: Vec<Relationship<'a>>,
}

/// Only the fields a `revoked-by` relationship needs; everything else is skipped unread.
#[derive(Deserialize)]
struct Relationship<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    relationship_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    target_ref: Option<Cow<'a, str>>,
    #[serde(default)]
    revoked: Option<bool>,
    #[serde(default)]
    x_mitre_deprecated: Option<bool>,
}

impl Revocations {
    /// Reads the `revoked-by` relationships of a STIX bundle.
    pub fn from_bundle(bytes: &[u8]) -> Result<Revocations, RevocationsError> {
        let bundle: Bundle = serde_json::from_slice(bytes)?;
        let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in bundle.objects {
            if r.kind != "relationship"
                || r.relationship_type.as_deref() != Some("revoked-by")
                || r.revoked.unwrap_or(false)
                || r.x_mitre_deprecated.unwrap_or(false)
            {
                continue;
            }
            if let (Some(s), Some(t)) = (r.source_ref, r.target_ref) {
                targets
                    .entry(s.into_owned())
                    .or_default()
                    .insert(t.into_owned());
            }
        }
        Ok(Revocations { targets })
    }

    /// The objects directly revoking `object`: every `revoked-by` target found in the bundle,
    /// else the one the knowledge base kept.
    pub fn direct(&self, kb: &KnowledgeBase, object: ObjectRef) -> Vec<ObjectRef> {
        let meta = kb.meta(object);
        let mut out: Vec<ObjectRef> = self
            .targets
            .get(&meta.stix_id)
            .map(|t| t.iter().filter_map(|s| kb.by_stix_id(s)).collect())
            .unwrap_or_default();
        if out.is_empty()
            && let Some(by) = meta.revoked_by
        {
            out.push(by);
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The fate of one object in a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Neither revoked nor deprecated.
    Active,
    /// Deprecated: ATT&CK no longer maintains it and names nothing instead.
    Deprecated,
    /// Revoked with no `revoked-by` target.
    RevokedWithoutReplacement,
    /// Revoked into one object, through `chain` (the objects passed on the way, the last being
    /// the replacement). The replacement may be of another kind, or itself deprecated.
    Replaced { chain: Vec<ObjectRef> },
    /// Revoked into several objects somewhere along the chain: the final objects each branch
    /// leads to.
    Split { into: Vec<ObjectRef> },
}

impl Fate {
    /// The replacement, when there is exactly one.
    pub fn replacement(&self) -> Option<ObjectRef> {
        match self {
            Fate::Replaced { chain } => chain.last().copied(),
            _ => None,
        }
    }
}

/// Follows `revoked-by` from `object` in `kb` (at most 32 steps; cycles stop the walk).
///
/// One object's fate; to ask about many objects of one release, [`Fates`] remembers what it
/// has walked.
#[cfg(test)]
pub fn fate(kb: &KnowledgeBase, revocations: &Revocations, object: ObjectRef) -> Fate {
    Fates::new(kb, revocations).fate(object)
}

/// The fates of a release's objects, each worked out once.
///
/// A walk follows single `revoked-by` links (at most 32 steps; an object met again ends it,
/// so cycles stop) until an object that is not revoked, or one revoked into several objects.
/// There the fate is a split, and each of those objects is listed as what its own walk ends
/// in when that is a replacement, else as itself (a branch that splits again, or is active,
/// deprecated or revoked without replacement). Walks never recurse into a split's branches'
/// splits, and each object's links, each branch's end and each split's objects are kept:
/// asking for every object of a release is linear in its objects and `revoked-by`
/// relationships, however the splits fan out and re-join.
pub struct Fates<'a> {
    kb: &'a KnowledgeBase,
    revocations: &'a Revocations,
    /// Each object's direct `revoked-by` targets ([`Revocations::direct`]).
    links: RefCell<HashMap<ObjectRef, Rc<[ObjectRef]>>>,
    /// What a split lists for each branch object.
    branches: RefCell<HashMap<ObjectRef, ObjectRef>>,
    /// What each object revoked into several lists, sorted and deduplicated.
    splits: RefCell<HashMap<ObjectRef, Rc<[ObjectRef]>>>,
    fates: RefCell<HashMap<ObjectRef, Fate>>,
}

/// Where one walk along single `revoked-by` links stopped.
enum Walk {
    /// At an object not revoked, or with no link, or met before, or after 32 steps: the
    /// objects passed (not the start).
    Chain(Vec<ObjectRef>),
    /// At `at`, revoked into several objects.
    Split { at: ObjectRef },
}

impl<'a> Fates<'a> {
    pub fn new(kb: &'a KnowledgeBase, revocations: &'a Revocations) -> Fates<'a> {
        Fates {
            kb,
            revocations,
            links: RefCell::default(),
            branches: RefCell::default(),
            splits: RefCell::default(),
            fates: RefCell::default(),
        }
    }

    /// The fate of `object` (see [`fate`]).
    pub fn fate(&self, object: ObjectRef) -> Fate {
        if let Some(known) = self.fates.borrow().get(&object) {
            return known.clone();
        }
        let meta = self.kb.meta(object);
        let fate = if !meta.revoked {
            if meta.deprecated {
                Fate::Deprecated
            } else {
                Fate::Active
            }
        } else {
            match self.walk(object) {
                Walk::Chain(chain) if chain.is_empty() => Fate::RevokedWithoutReplacement,
                Walk::Chain(chain) => Fate::Replaced { chain },
                Walk::Split { at } => Fate::Split {
                    into: self.split(at, object),
                },
            }
        };
        self.fates.borrow_mut().insert(object, fate.clone());
        fate
    }

    /// The direct `revoked-by` targets of `object`, sorted.
    fn links(&self, object: ObjectRef) -> Rc<[ObjectRef]> {
        if let Some(known) = self.links.borrow().get(&object) {
            return Rc::clone(known);
        }
        let links: Rc<[ObjectRef]> = self.revocations.direct(self.kb, object).into();
        self.links.borrow_mut().insert(object, Rc::clone(&links));
        links
    }

    /// Follows single links from `object` (revoked) until the chain ends or splits.
    fn walk(&self, object: ObjectRef) -> Walk {
        let mut chain: Vec<ObjectRef> = Vec::new();
        let mut current = object;
        loop {
            match *self.links(current) {
                [] => break,
                [n] => {
                    // `chain` holds at most 32 objects: a scan is as quick as a set.
                    if n == object || chain.contains(&n) || chain.len() >= 32 {
                        break;
                    }
                    chain.push(n);
                    if !self.kb.meta(n).revoked {
                        break;
                    }
                    current = n;
                }
                _ => return Walk::Split { at: current },
            }
        }
        Walk::Chain(chain)
    }

    /// What a split lists for its branch `n`: the replacement `n`'s walk ends in, else `n`.
    fn branch(&self, n: ObjectRef) -> ObjectRef {
        if let Some(&known) = self.branches.borrow().get(&n) {
            return known;
        }
        let listed = if !self.kb.meta(n).revoked {
            n
        } else {
            match self.walk(n) {
                Walk::Chain(chain) => chain.last().copied().unwrap_or(n),
                Walk::Split { .. } => n,
            }
        };
        self.branches.borrow_mut().insert(n, listed);
        listed
    }

    /// What `at`, revoked into several objects, splits into as seen from `object`, whose
    /// walk led there: every branch but `object` itself.
    fn split(&self, at: ObjectRef, object: ObjectRef) -> Vec<ObjectRef> {
        let links = self.links(at);
        let list = |skip: Option<ObjectRef>| -> Vec<ObjectRef> {
            let mut into: Vec<ObjectRef> = links
                .iter()
                .filter(|&&n| Some(n) != skip)
                .map(|&n| self.branch(n))
                .collect();
            into.sort();
            into.dedup();
            into
        };
        // Only a walk that came round a cycle back to its start sees a list without itself.
        if links.binary_search(&object).is_ok() {
            return list(Some(object));
        }
        if let Some(known) = self.splits.borrow().get(&at) {
            return known.to_vec();
        }
        let into = list(None);
        self.splits.borrow_mut().insert(at, into.as_slice().into());
        into
    }
}

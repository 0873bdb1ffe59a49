//! What changed between two releases of one ATT&CK domain, object by object. Objects are
//! matched by STIX id, which stays with an object for its whole life; ATT&CK IDs do not (a
//! sub-technique that moves to another parent gets a new one).

use std::collections::BTreeSet;

use serde::Serialize;

use super::fate::{Fate, Fates, Revocations};
use crate::attack::lookup::ALL_KINDS;
use crate::attack::{Kind, KnowledgeBase, ObjectRef};

/// Writes an ATT&CK kind as its label (`data-component`), as every upgrade report names kinds.
pub(super) fn kind_label<S: serde::Serializer>(
    kind: &Kind,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.label())
}

/// An object named with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Typed {
    /// The object's kind; JSON writes its label (`technique`, `data-component`).
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Its ATT&CK ID; empty when it has none.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An object of `kb` named with its kind, ATT&CK ID and name.
pub fn typed(kb: &KnowledgeBase, o: ObjectRef) -> Typed {
    let m = kb.meta(o);
    Typed {
        kind: o.kind,
        id: m.attack_id.clone(),
        name: m.name.clone(),
    }
}

/// Per kind: active objects on each side and what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    /// The kind counted; JSON writes its label (`detection-strategy`).
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Active (neither revoked nor deprecated) objects in the earlier release.
    pub active_from: usize,
    /// Active objects in the later release.
    pub active_to: usize,
    /// Objects whose STIX id the earlier release does not have.
    pub added: usize,
    /// Objects of the earlier release whose STIX id the later one does not have.
    pub removed: usize,
    /// Newly revoked (not revoked in the earlier release).
    pub revoked: usize,
    /// Newly deprecated (and not revoked).
    pub deprecated: usize,
    /// Revoked or deprecated before, active again.
    pub reinstated: usize,
    /// Objects whose name changed.
    pub renamed: usize,
    /// Same object, new ATT&CK ID.
    pub renumbered: usize,
    /// Techniques only: moved between parent and sub-technique (or to another parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<usize>,
    /// Techniques only: tactics changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retacticed: Option<usize>,
    /// Techniques only: platforms changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms_changed: Option<usize>,
}

/// An object added, removed, newly deprecated or reinstated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its kind; JSON writes its label.
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Its ATT&CK ID: the earlier release's for a removed object, else the later's.
    pub id: String,
    /// Its name, from the same release as `id`.
    pub name: String,
    /// Its STIX id, by which objects are matched across releases.
    pub stix_id: String,
}

/// An object the later release revoked and the earlier did not, with what
/// replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevokedEntry {
    /// Its kind; JSON writes its label.
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Its ATT&CK ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its STIX id.
    pub stix_id: String,
    /// How the revocation ends: one replacement, a split, another kind, or nothing.
    pub outcome: Outcome,
    /// The end of the revoked-by chain (several for a split).
    pub replaced_by: Vec<Typed>,
}

/// An object whose name changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// Its kind; JSON writes its label.
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Its ATT&CK ID in the later release.
    pub id: String,
    /// Its STIX id.
    pub stix_id: String,
    /// Its name in the earlier release.
    pub from: String,
    /// Its name in the later release.
    pub to: String,
}

/// An object that kept its STIX id and got another ATT&CK ID (a
/// sub-technique moved to another parent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    /// Its kind; JSON writes its label.
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    /// Its name in the later release.
    pub name: String,
    /// Its STIX id.
    pub stix_id: String,
    /// Its ATT&CK ID in the earlier release.
    pub from: String,
    /// Its ATT&CK ID in the later release.
    pub to: String,
}

/// An active technique that became a sub-technique, a top-level technique, or a
/// sub-technique of another parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// Its ATT&CK ID in the later release.
    pub id: String,
    /// Its name in the later release.
    pub name: String,
    /// The parent's ID in each release; `null` for a top-level technique.
    pub from_parent: Option<String>,
    /// The parent's ID in the later release; `null` for a top-level technique.
    pub to_parent: Option<String>,
}

/// An active technique whose tactics changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retacticed {
    /// Its ATT&CK ID in the later release.
    pub id: String,
    /// Its name in the later release.
    pub name: String,
    /// Its tactic shortnames in the earlier release, in matrix order.
    pub from: Vec<String>,
    /// Its tactic shortnames in the later release, in matrix order.
    pub to: Vec<String>,
}

/// An active technique whose platforms changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformChange {
    /// Its ATT&CK ID in the later release.
    pub id: String,
    /// Its name in the later release.
    pub name: String,
    /// Platforms it gained, sorted.
    pub added: Vec<String>,
    /// Platforms it lost, sorted.
    pub removed: Vec<String>,
}

/// Every changed object, by kind of change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseLists {
    /// Objects new in the later release, by kind then ID.
    pub added: Vec<Entry>,
    /// Objects the later release no longer has, by kind then ID.
    pub removed: Vec<Entry>,
    /// Objects newly revoked, with their replacements, by kind then ID.
    pub revoked: Vec<RevokedEntry>,
    /// Objects newly deprecated (and not revoked), by kind then ID.
    pub deprecated: Vec<Entry>,
    /// Objects revoked or deprecated before and active now, by kind then ID.
    pub reinstated: Vec<Entry>,
    /// Objects whose name changed, by kind then ID.
    pub renamed: Vec<Renamed>,
    /// Objects whose ATT&CK ID changed, by kind then new ID.
    pub renumbered: Vec<Renumbered>,
    /// Active techniques moved between parent and sub-technique, by ID.
    pub moved: Vec<Moved>,
    /// Active techniques whose tactics changed, by ID.
    pub retacticed: Vec<Retacticed>,
    /// Active techniques whose platforms changed, by ID.
    pub platforms: Vec<PlatformChange>,
}

/// The release-wide diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseDiff {
    /// Counts per kind, in [`ALL_KINDS`] order; ATT&CK's own objects only, companions left
    /// out.
    pub summary: Vec<KindCounts>,
    /// Every changed object, when asked for (`atkmap diff` without a model), flattened into
    /// this object in JSON; `None` (left out) otherwise.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub lists: Option<ReleaseLists>,
}

impl KindCounts {
    /// Nothing counted yet; the technique-only counts start at 0 for techniques.
    fn new(kind: Kind) -> KindCounts {
        let technique = (kind == Kind::Technique).then_some(0);
        KindCounts {
            kind,
            active_from: 0,
            active_to: 0,
            added: 0,
            removed: 0,
            revoked: 0,
            deprecated: 0,
            reinstated: 0,
            renamed: 0,
            renumbered: 0,
            moved: technique,
            retacticed: technique,
            platforms_changed: technique,
        }
    }
}

fn entry(kb: &KnowledgeBase, o: ObjectRef) -> Entry {
    let m = kb.meta(o);
    Entry {
        kind: o.kind,
        id: m.attack_id.clone(),
        name: m.name.clone(),
        stix_id: m.stix_id.clone(),
    }
}

/// How a revocation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Revoked into one object of the same kind.
    Replaced,
    /// Revoked into several objects.
    Split,
    /// Revoked into one object of another kind.
    KindChanged,
    /// Revoked with nothing named instead.
    NoReplacement,
}

impl Outcome {
    /// The name JSON and text use (`kind-changed`).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Replaced => "replaced",
            Outcome::Split => "split",
            Outcome::KindChanged => "kind-changed",
            Outcome::NoReplacement => "no-replacement",
        }
    }
}

/// How a revocation ends, for reports.
pub fn outcome(kb: &KnowledgeBase, o: ObjectRef, f: &Fate) -> (Outcome, Vec<Typed>) {
    match f {
        Fate::Replaced { chain } => match chain.last() {
            Some(&by) if by.kind == o.kind => (Outcome::Replaced, vec![typed(kb, by)]),
            Some(&by) => (Outcome::KindChanged, vec![typed(kb, by)]),
            None => (Outcome::NoReplacement, Vec::new()),
        },
        Fate::Split { into } => (Outcome::Split, into.iter().map(|&x| typed(kb, x)).collect()),
        _ => (Outcome::NoReplacement, Vec::new()),
    }
}

/// The parent technique's ID, if any.
pub fn parent_id(kb: &KnowledgeBase, technique: u32) -> Option<String> {
    kb.techniques[technique as usize]
        .parent
        .map(|p| kb.techniques[p as usize].meta.attack_id.clone())
}

fn parent_stix(kb: &KnowledgeBase, technique: u32) -> Option<&str> {
    kb.techniques[technique as usize]
        .parent
        .map(|p| kb.techniques[p as usize].meta.stix_id.as_str())
}

fn sorted_set(values: &[String]) -> BTreeSet<&str> {
    values.iter().map(String::as_str).collect()
}

/// Compares two releases; with `lists`, every changed object is listed too.
pub fn diff(
    from: &KnowledgeBase,
    to: &KnowledgeBase,
    revocations: &Revocations,
    with_lists: bool,
) -> ReleaseDiff {
    let mut summary = Vec::new();
    let mut lists = ReleaseLists::default();
    let fates = Fates::new(to, revocations);
    for kind in ALL_KINDS {
        let mut counts = KindCounts::new(kind);
        // ATT&CK's objects only: companions (F3, ATLAS) loaded for the models are the same
        // files on both sides.
        let ours = |kb: &KnowledgeBase, o: ObjectRef| kb.meta(o).framework.is_attack();
        counts.active_from = from
            .all_of(kind)
            .filter(|&o| ours(from, o) && from.meta(o).is_active())
            .count();
        counts.active_to = to
            .all_of(kind)
            .filter(|&o| ours(to, o) && to.meta(o).is_active())
            .count();
        for o in from.all_of(kind).filter(|&o| ours(from, o)) {
            if to.by_stix_id(&from.meta(o).stix_id).is_none() {
                counts.removed += 1;
                lists.removed.push(entry(from, o));
            }
        }
        for n in to.all_of(kind).filter(|&n| ours(to, n)) {
            let new = to.meta(n);
            let Some(o) = from.by_stix_id(&new.stix_id) else {
                counts.added += 1;
                lists.added.push(entry(to, n));
                continue;
            };
            let old = from.meta(o);
            if new.revoked && !old.revoked {
                counts.revoked += 1;
                let (outcome, replaced_by) = outcome(to, n, &fates.fate(n));
                lists.revoked.push(RevokedEntry {
                    kind,
                    id: new.attack_id.clone(),
                    name: new.name.clone(),
                    stix_id: new.stix_id.clone(),
                    outcome,
                    replaced_by,
                });
            } else if new.deprecated && !new.revoked && !old.deprecated {
                counts.deprecated += 1;
                lists.deprecated.push(entry(to, n));
            } else if new.is_active() && !old.is_active() {
                counts.reinstated += 1;
                lists.reinstated.push(entry(to, n));
            }
            if new.name != old.name {
                counts.renamed += 1;
                lists.renamed.push(Renamed {
                    kind,
                    id: new.attack_id.clone(),
                    stix_id: new.stix_id.clone(),
                    from: old.name.clone(),
                    to: new.name.clone(),
                });
            }
            if new.attack_id != old.attack_id {
                counts.renumbered += 1;
                lists.renumbered.push(Renumbered {
                    kind,
                    name: new.name.clone(),
                    stix_id: new.stix_id.clone(),
                    from: old.attack_id.clone(),
                    to: new.attack_id.clone(),
                });
            }
            if kind == Kind::Technique && new.is_active() {
                technique_changes(from, to, o.index, n.index, &mut counts, &mut lists);
            }
        }
        summary.push(counts);
    }
    let rank = |kind: Kind| ALL_KINDS.iter().position(|&k| k == kind);
    for list in [
        &mut lists.added,
        &mut lists.removed,
        &mut lists.deprecated,
        &mut lists.reinstated,
    ] {
        list.sort_by(|a, b| (rank(a.kind), &a.id).cmp(&(rank(b.kind), &b.id)));
    }
    lists
        .revoked
        .sort_by(|a, b| (rank(a.kind), &a.id).cmp(&(rank(b.kind), &b.id)));
    lists
        .renamed
        .sort_by(|a, b| (rank(a.kind), &a.id).cmp(&(rank(b.kind), &b.id)));
    lists
        .renumbered
        .sort_by(|a, b| (rank(a.kind), &a.to).cmp(&(rank(b.kind), &b.to)));
    lists.moved.sort_by(|a, b| a.id.cmp(&b.id));
    lists.retacticed.sort_by(|a, b| a.id.cmp(&b.id));
    lists.platforms.sort_by(|a, b| a.id.cmp(&b.id));
    ReleaseDiff {
        summary,
        lists: with_lists.then_some(lists),
    }
}

fn technique_changes(
    from: &KnowledgeBase,
    to: &KnowledgeBase,
    o: u32,
    n: u32,
    counts: &mut KindCounts,
    lists: &mut ReleaseLists,
) {
    let (old, new) = (&from.techniques[o as usize], &to.techniques[n as usize]);
    if parent_stix(from, o) != parent_stix(to, n) {
        counts.moved = counts.moved.map(|c| c + 1);
        lists.moved.push(Moved {
            id: new.meta.attack_id.clone(),
            name: new.meta.name.clone(),
            from_parent: parent_id(from, o),
            to_parent: parent_id(to, n),
        });
    }
    if sorted_set(&old.tactics) != sorted_set(&new.tactics) {
        counts.retacticed = counts.retacticed.map(|c| c + 1);
        lists.retacticed.push(Retacticed {
            id: new.meta.attack_id.clone(),
            name: new.meta.name.clone(),
            from: old.tactics.clone(),
            to: new.tactics.clone(),
        });
    }
    let (po, pn) = (sorted_set(&old.platforms), sorted_set(&new.platforms));
    if po != pn {
        counts.platforms_changed = counts.platforms_changed.map(|c| c + 1);
        lists.platforms.push(PlatformChange {
            id: new.meta.attack_id.clone(),
            name: new.meta.name.clone(),
            added: pn.difference(&po).map(|s| s.to_string()).collect(),
            removed: po.difference(&pn).map(|s| s.to_string()).collect(),
        });
    }
}

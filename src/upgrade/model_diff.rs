//! What a release change means for one model: its references, its actors' groups, the
//! techniques that newly apply to its systems, and its exposures recomputed on both releases.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use super::exposure_diff::{
    ExposureChange, ExposureChangeKind, ExposureDiff, Releases, SideSummary, StatusCounts,
};
use super::exposure_diff::{exposure_diff, side};

use super::fate::Fates;
use super::references::{Place, Resolved, match_across, references};
use super::release_diff::{Outcome, Typed, outcome, parent_id, typed};
use crate::analysis::actors::is_preparation;
use crate::analysis::findings::Exposure;
use crate::attack::view::Named;
use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::model::format::ModelFile;

/// What changed for one ATT&CK ID the model names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceChange {
    /// The kind the model's field takes (an `actors[].groups` entry is a group); JSON writes
    /// its label.
    #[serde(serialize_with = "super::release_diff::kind_label")]
    pub kind: Kind,
    /// The ID as the model writes it.
    pub id: String,
    /// The object's name in the later release (else the earlier).
    pub name: String,
    /// Every place the model names it.
    pub places: Vec<Place>,
    /// What changed: presence and kind on each side, then revoked, deprecated or reinstated,
    /// then renamed and renumbered, and for a technique retacticed, moved and platforms.
    pub changes: Vec<Change>,
}

/// One change of a referenced object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// The earlier release has no object of this kind with the ID.
    NotInFrom,
    /// In the earlier release the ID names an object of another kind.
    WrongKindInFrom {
        /// The object the ID names in the earlier release.
        is: Typed,
    },
    /// The later release no longer has the object.
    NotInTo,
    /// In the later release the ID names an object of another kind.
    WrongKindInTo {
        /// The object the ID names in the later release.
        is: Typed,
    },
    /// Revoked in the later release. `newly` is false when it was revoked already.
    Revoked {
        /// False when the earlier release had revoked it already.
        newly: bool,
        /// How the revocation ends: one replacement, a split, another kind, or nothing.
        outcome: Outcome,
        /// The end of the revoked-by chain: one object, or the parts of a split; empty when
        /// nothing replaces it.
        replaced_by: Vec<Typed>,
    },
    /// Deprecated in the later release.
    Deprecated {
        /// False when the earlier release had deprecated it already.
        newly: bool,
    },
    /// Revoked or deprecated before, active in the later release.
    Reinstated,
    /// The object's name changed.
    Renamed {
        /// Its name in the earlier release.
        from: String,
        /// Its name in the later release.
        to: String,
    },
    /// The same object (same STIX id) has a new ATT&CK ID.
    Renumbered {
        /// Its ATT&CK ID in the earlier release.
        from: String,
        /// Its ATT&CK ID in the later release.
        to: String,
    },
    /// A technique's tactics changed.
    Retacticed {
        /// Its tactic shortnames in the earlier release, in matrix order.
        from: Vec<String>,
        /// Its tactic shortnames in the later release, in matrix order.
        to: Vec<String>,
    },
    /// Moved between parent and sub-technique, or to another parent.
    Moved {
        /// The parent's ATT&CK ID in the earlier release; `null` for a top-level technique.
        from_parent: Option<String>,
        /// The parent's ATT&CK ID in the later release; `null` for a top-level technique.
        to_parent: Option<String>,
    },
    /// A technique's platforms changed.
    Platforms {
        /// Platforms it gained, sorted.
        added: Vec<String>,
        /// Platforms it lost, sorted.
        removed: Vec<String>,
    },
}

impl Change {
    /// The kebab-case label of the change.
    pub fn label(&self) -> &'static str {
        match self {
            Change::NotInFrom => "not-in-from",
            Change::WrongKindInFrom { .. } => "wrong-kind-in-from",
            Change::NotInTo => "not-in-to",
            Change::WrongKindInTo { .. } => "wrong-kind-in-to",
            Change::Revoked { .. } => "revoked",
            Change::Deprecated { .. } => "deprecated",
            Change::Reinstated => "reinstated",
            Change::Renamed { .. } => "renamed",
            Change::Renumbered { .. } => "renumbered",
            Change::Retacticed { .. } => "retacticed",
            Change::Moved { .. } => "moved",
            Change::Platforms { .. } => "platforms",
        }
    }
}

/// The techniques an actor's ATT&CK group gained and lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupChange {
    /// The group's ATT&CK ID, upper-cased (`G1004`).
    pub id: String,
    /// The group's name in the later release, else in the earlier.
    pub name: String,
    /// Actors linking the group.
    pub actors: Vec<String>,
    /// How many active techniques the group uses in the earlier release,
    /// directly or through its campaigns.
    pub techniques_from: usize,
    /// The same count in the later release.
    pub techniques_to: usize,
    /// Techniques it uses in the later release and not in the earlier (matched by STIX id).
    pub gained: Vec<Named>,
    /// Techniques it used in the earlier release and not in the later.
    pub lost: Vec<Named>,
}

/// A technique that applies to some of the model's systems in the later release and did not
/// in the earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTechnique {
    /// The technique's ATT&CK ID in the later release.
    pub id: String,
    /// The technique's name in the later release.
    pub name: String,
    /// Why it newly applies.
    pub reason: NewReason,
    /// For `new-platforms`: the added platforms that the systems have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// Ids of the model's systems it newly applies to (sharing a platform with it).
    pub systems: Vec<String>,
    /// Exposures of the model on this technique in the later release (an actor brings it).
    pub exposures: usize,
}

/// Why a technique newly applies to the model's systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewReason {
    /// The earlier release does not have it.
    NewTechnique,
    /// It gained platforms the systems have.
    NewPlatforms,
    /// Revoked or deprecated in the earlier release, active in the later one.
    Reinstated,
}

impl NewReason {
    /// The name JSON uses (`new-platforms`).
    pub fn label(self) -> &'static str {
        match self {
            NewReason::NewTechnique => "new-technique",
            NewReason::NewPlatforms => "new-platforms",
            NewReason::Reinstated => "reinstated",
        }
    }
}

/// The diff of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelDiff {
    /// The model's path, as given.
    pub file: String,
    /// The model's `name`.
    pub name: String,
    /// The release the file pins (`18.1`).
    pub pinned: String,
    /// References with at least one change.
    pub references: Vec<ReferenceChange>,
    /// How many distinct references did not change.
    pub unchanged_references: usize,
    /// The ATT&CK groups the model's actors link, with the techniques each gained and
    /// lost, by group ID.
    pub groups: Vec<GroupChange>,
    /// Techniques that apply to the model's systems in the later release and did
    /// not in the earlier (preparation-only ones left out), by ATT&CK ID.
    pub new_techniques: Vec<NewTechnique>,
    /// The model's exposures on both releases, compared.
    pub exposures: ExposureDiff,
}

/// Diffs one model between the two releases.
pub fn diff(text: &str, path: &str, file: &ModelFile, releases: &Releases) -> ModelDiff {
    let (references, unchanged_references) = reference_changes(file, releases);
    let before = side(text, path, releases.from, releases.today);
    // On the later release the model is evaluated as `migrate` would rewrite it: revoked IDs
    // replaced, renumbered IDs updated. What migration cannot decide is left out there.
    let migration = super::migrate::migrate(&super::migrate::Input {
        text,
        path,
        file,
        source: Some(releases.from),
        target: releases.to,
        revocations: releases.revocations,
        today: releases.today,
    })
    .ok();
    let (to_text, mut replaced): (&str, Vec<String>) = match &migration {
        Some(m) => (
            m.new_text.as_str(),
            m.replacements
                .iter()
                .map(|r| format!("{} -> {}", r.from, r.to))
                .collect(),
        ),
        None => (text, Vec::new()),
    };
    replaced.sort();
    replaced.dedup();
    let after = side(to_text, path, releases.to, releases.today);
    let new_techniques = new_techniques(file, releases, &after.0);
    let mut exposures = exposure_diff(releases, before, after);
    exposures.replaced_to = replaced;
    ModelDiff {
        file: path.to_string(),
        name: file.name.value.clone(),
        pinned: file.attack.version.value.clone(),
        references,
        unchanged_references,
        groups: group_changes(file, releases),
        new_techniques,
        exposures,
    }
}

fn reference_changes(file: &ModelFile, releases: &Releases) -> (Vec<ReferenceChange>, usize) {
    let (from, to) = (releases.from, releases.to);
    let fates = Fates::new(to, releases.revocations);
    // One entry per (kind, ID), with every place the model names it.
    let mut grouped: BTreeMap<(Kind, String), (String, Vec<Place>)> = BTreeMap::new();
    let mut order = Vec::new();
    for r in references(file) {
        let key = (r.kind, r.id.to_ascii_uppercase());
        let entry = grouped.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            (r.id.clone(), Vec::new())
        });
        entry.1.push(r.place());
    }
    let mut out = Vec::new();
    let mut unchanged = 0;
    for key in order {
        let Some((id, places)) = grouped.remove(&key) else {
            continue;
        };
        let kind = key.0;
        let matched = match_across(Some(from), to, &id, kind);
        let mut changes = Vec::new();
        let mut name = String::new();
        match matched.before {
            Resolved::Found(o) => name = from.meta(o).name.clone(),
            Resolved::WrongKind(o) => changes.push(Change::WrongKindInFrom { is: typed(from, o) }),
            Resolved::Missing => changes.push(Change::NotInFrom),
        }
        match matched.after {
            Resolved::Found(n) => {
                name = to.meta(n).name.clone();
                changes.extend(object_changes(releases, &fates, matched.before.found(), n));
            }
            Resolved::WrongKind(o) => changes.push(Change::WrongKindInTo { is: typed(to, o) }),
            Resolved::Missing => changes.push(Change::NotInTo),
        }
        if changes.is_empty() {
            unchanged += 1;
            continue;
        }
        out.push(ReferenceChange {
            kind,
            id,
            name,
            places,
            changes,
        });
    }
    (out, unchanged)
}

/// Changes of one object from its state in `from` (if it was there) to `to`.
fn object_changes(
    releases: &Releases,
    fates: &Fates,
    old: Option<ObjectRef>,
    new: ObjectRef,
) -> Vec<Change> {
    let (from, to) = (releases.from, releases.to);
    let mut changes = Vec::new();
    let n = to.meta(new);
    let o = old.map(|o| from.meta(o));
    if n.revoked {
        let f = fates.fate(new);
        let (outcome, replaced_by) = outcome(to, new, &f);
        changes.push(Change::Revoked {
            newly: !o.is_some_and(|o| o.revoked),
            outcome,
            replaced_by,
        });
    } else if n.deprecated {
        changes.push(Change::Deprecated {
            newly: !o.is_some_and(|o| o.deprecated),
        });
    } else if o.is_some_and(|o| !o.is_active()) {
        changes.push(Change::Reinstated);
    }
    let (Some(old), Some(o)) = (old, o) else {
        return changes;
    };
    if o.name != n.name {
        changes.push(Change::Renamed {
            from: o.name.clone(),
            to: n.name.clone(),
        });
    }
    if o.attack_id != n.attack_id && !o.attack_id.is_empty() {
        changes.push(Change::Renumbered {
            from: o.attack_id.clone(),
            to: n.attack_id.clone(),
        });
    }
    if new.kind == Kind::Technique {
        let (a, b) = (
            &from.techniques[old.index as usize],
            &to.techniques[new.index as usize],
        );
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
        if set(&a.tactics) != set(&b.tactics) {
            changes.push(Change::Retacticed {
                from: a.tactics.clone(),
                to: b.tactics.clone(),
            });
        }
        let parent_stix = |kb: &KnowledgeBase, p: Option<u32>| {
            p.map(|p| kb.techniques[p as usize].meta.stix_id.clone())
        };
        if parent_stix(from, a.parent) != parent_stix(to, b.parent) {
            changes.push(Change::Moved {
                from_parent: parent_id(from, old.index),
                to_parent: parent_id(to, new.index),
            });
        }
        let (pa, pb) = (set(&a.platforms), set(&b.platforms));
        if pa != pb {
            changes.push(Change::Platforms {
                added: pb.difference(&pa).cloned().collect(),
                removed: pa.difference(&pb).cloned().collect(),
            });
        }
    }
    changes
}

fn group_changes(file: &ModelFile, releases: &Releases) -> Vec<GroupChange> {
    let (from, to) = (releases.from, releases.to);
    // Per group: the object in each release and the actors linking it.
    type Linked = (Option<ObjectRef>, Option<ObjectRef>, Vec<String>);
    let mut by_group: BTreeMap<String, Linked> = BTreeMap::new();
    for actor in &file.actors {
        for g in &actor.groups {
            let matched = match_across(Some(from), to, &g.value, Kind::Group);
            let entry = by_group.entry(g.value.to_ascii_uppercase()).or_insert((
                matched.before.found(),
                matched.after.found(),
                Vec::new(),
            ));
            entry.2.push(actor.id.value.clone());
        }
    }
    let mut out = Vec::new();
    for (id, (old, new, mut actors)) in by_group {
        if old.is_none() && new.is_none() {
            continue;
        }
        actors.dedup();
        let techniques = |kb: &KnowledgeBase, g: Option<ObjectRef>| -> BTreeMap<String, Named> {
            g.map(|g| {
                kb.group_techniques(g.index)
                    .into_iter()
                    .map(|t| {
                        let o = ObjectRef {
                            kind: Kind::Technique,
                            index: t,
                        };
                        (kb.meta(o).stix_id.clone(), kb.named_one(o))
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        let (before, after) = (techniques(from, old), techniques(to, new));
        let mut gained: Vec<Named> = after
            .iter()
            .filter(|(s, _)| !before.contains_key(*s))
            .map(|(_, n)| n.clone())
            .collect();
        let mut lost: Vec<Named> = before
            .iter()
            .filter(|(s, _)| !after.contains_key(*s))
            .map(|(_, n)| n.clone())
            .collect();
        gained.sort();
        lost.sort();
        let name = new
            .map(|g| to.meta(g).name.clone())
            .or_else(|| old.map(|g| from.meta(g).name.clone()))
            .unwrap_or_default();
        out.push(GroupChange {
            id,
            name,
            actors,
            techniques_from: before.len(),
            techniques_to: after.len(),
            gained,
            lost,
        });
    }
    out
}

fn new_techniques(
    file: &ModelFile,
    releases: &Releases,
    to_exposures: &Option<Vec<Exposure>>,
) -> Vec<NewTechnique> {
    let (from, to) = (releases.from, releases.to);
    let systems: Vec<(&str, BTreeSet<&str>)> = file
        .systems
        .iter()
        .map(|s| {
            (
                s.id.value.as_str(),
                s.platforms.iter().map(|p| p.value.as_str()).collect(),
            )
        })
        .collect();
    let applies = |platforms: &[String]| -> BTreeSet<&str> {
        systems
            .iter()
            .filter(|(_, ps)| platforms.iter().any(|p| ps.contains(p.as_str())))
            .map(|(id, _)| *id)
            .collect()
    };
    let mut out = Vec::new();
    for (i, t) in to.techniques.iter().enumerate() {
        if !t.meta.is_active() || is_preparation(to, i as u32) {
            continue;
        }
        let now = applies(&t.platforms);
        if now.is_empty() {
            continue;
        }
        let old = from
            .by_stix_id(&t.meta.stix_id)
            .filter(|o| o.kind == Kind::Technique)
            .map(|o| &from.techniques[o.index as usize]);
        let (reason, before, platforms) = match old {
            None => (NewReason::NewTechnique, BTreeSet::new(), Vec::new()),
            Some(o) if !o.meta.is_active() => (NewReason::Reinstated, BTreeSet::new(), Vec::new()),
            Some(o) => {
                let added: Vec<String> = t
                    .platforms
                    .iter()
                    .filter(|p| !o.platforms.contains(p))
                    .filter(|p| systems.iter().any(|(_, ps)| ps.contains(p.as_str())))
                    .cloned()
                    .collect();
                (NewReason::NewPlatforms, applies(&o.platforms), added)
            }
        };
        let newly: Vec<String> = now.difference(&before).map(|s| s.to_string()).collect();
        if newly.is_empty() {
            continue;
        }
        let exposures = to_exposures.as_ref().map_or(0, |list| {
            list.iter()
                .filter(|e| e.technique == t.meta.attack_id)
                .count()
        });
        out.push(NewTechnique {
            id: t.meta.attack_id.clone(),
            name: t.meta.name.clone(),
            reason,
            platforms,
            systems: newly,
            exposures,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

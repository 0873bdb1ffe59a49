//! Which (actor, technique, system) are in scope, and why. The four rules:
//!
//! 1. every explicit threat;
//! 2. each actor's techniques (its own plus the active ones its ATT&CK groups use, directly or
//!    through attributed campaigns) on each system it reaches from its entry systems along
//!    flows, where the technique's platforms meet the system's; PRE-only techniques target no
//!    system and become the actor's preparation instead;
//! 3. re-dissemination: an actor holding leaked data of kind K gets `reuse_techniques` on every
//!    system that verifies K, reachable or not;
//! 4. trusted relationships: for a flow that crosses a trust boundary, an actor reaching it gets
//!    `trust_techniques` on each end of it that is not one of its entry systems.
//!
//! One exposure per (actor, technique, system), keeping every reason.

use std::collections::{BTreeMap, BTreeSet};

use super::findings::Reason;
use crate::attack::{Kind, KnowledgeBase};
use crate::diag::Position;
use crate::graph::SupplyChain;
use crate::model::Model;
use crate::model::resolved::{ActorId, SystemId};

/// An exposure before coverage: indices into the model and the knowledge base.
#[derive(Debug, Clone)]
pub struct Scoped {
    pub actor: ActorId,
    pub technique: u32,
    pub system: SystemId,
    pub reasons: Vec<Reason>,
    /// The model position that brought it in (the most specific reason's).
    pub position: Option<Position>,
    /// Rank of the reason that set `position` (lower is more specific).
    position_rank: u8,
}

/// What scoping produces: exposures and each actor's PRE techniques.
pub struct Scope {
    pub exposures: Vec<Scoped>,
    /// Per actor: PRE-only technique indices, sorted by ID.
    pub preparation: Vec<Vec<u32>>,
    /// Per actor: every technique it brings (IDs), for the graph.
    pub actor_techniques: Vec<Vec<String>>,
}

/// A technique that targets no system: its only platform is PRE.
pub fn is_preparation(kb: &KnowledgeBase, technique: u32) -> bool {
    let t = &kb.techniques[technique as usize];
    !t.platforms.is_empty() && t.platforms.iter().all(|p| p == "PRE")
}

struct Collector {
    by_key: BTreeMap<(ActorId, String, SystemId), Scoped>,
}

impl Collector {
    fn add(
        &mut self,
        kb: &KnowledgeBase,
        key: (ActorId, u32, SystemId),
        reason: Reason,
        position: Option<Position>,
        rank: u8,
    ) {
        let (actor, technique, system) = key;
        let id = kb.techniques[technique as usize].meta.attack_id.clone();
        let entry = self
            .by_key
            .entry((actor, id, system))
            .or_insert_with(|| Scoped {
                actor,
                technique,
                system,
                reasons: Vec::new(),
                position: None,
                position_rank: u8::MAX,
            });
        if let Some(existing) = entry.reasons.iter_mut().find(|r| same_kind(r, &reason)) {
            merge(existing, reason);
        } else {
            entry.reasons.push(reason);
        }
        entry.reasons.sort();
        if rank < entry.position_rank && position.is_some() {
            entry.position = position;
            entry.position_rank = rank;
        }
    }
}

fn same_kind(a: &Reason, b: &Reason) -> bool {
    match (a, b) {
        (Reason::GroupTechnique { .. }, Reason::GroupTechnique { .. }) => true,
        _ => a == b,
    }
}

fn merge(existing: &mut Reason, new: Reason) {
    if let (Reason::GroupTechnique { groups }, Reason::GroupTechnique { groups: more }) =
        (existing, new)
    {
        groups.extend(more);
        groups.sort();
        groups.dedup();
    }
}

/// A reason a technique comes with an actor, the model position naming it, and its rank.
type Brought = (Reason, Option<Position>, u8);

/// The techniques an actor brings: its own and its groups', each with every reason and the
/// position of the model line naming it.
fn actor_techniques(
    model: &Model,
    kb: &KnowledgeBase,
    actor: ActorId,
) -> BTreeMap<u32, Vec<Brought>> {
    let a = &model.actors[actor];
    let mut out: BTreeMap<u32, Vec<Brought>> = BTreeMap::new();
    for group in &a.groups {
        let Some(g) = kb.lookup(&group.value, Some(Kind::Group)) else {
            continue;
        };
        let group_id = kb.groups[g.index as usize].meta.attack_id.clone();
        for t in kb.group_techniques(g.index) {
            let reasons = out.entry(t).or_default();
            match reasons
                .iter_mut()
                .find(|(r, _, _)| matches!(r, Reason::GroupTechnique { .. }))
            {
                Some((Reason::GroupTechnique { groups }, _, _)) => groups.push(group_id.clone()),
                _ => reasons.push((
                    Reason::GroupTechnique {
                        groups: vec![group_id.clone()],
                    },
                    group.position,
                    2,
                )),
            }
        }
    }
    for technique in &a.techniques {
        if let Some(t) = kb.technique_index(&technique.value) {
            out.entry(t)
                .or_default()
                .push((Reason::ActorTechnique, technique.position, 1));
        }
    }
    out
}

/// Applies the four rules.
pub fn scope(model: &Model, kb: &KnowledgeBase, chain: &SupplyChain) -> Scope {
    let mut collector = Collector {
        by_key: BTreeMap::new(),
    };
    let mut preparation = vec![Vec::new(); model.actors.len()];
    let mut brought = vec![Vec::new(); model.actors.len()];

    // Rule 1: explicit threats.
    for threat in &model.threats {
        if let Some(t) = kb.technique_index(&threat.technique.value) {
            collector.add(
                kb,
                (threat.actor, t, threat.target),
                Reason::Explicit {
                    threat: threat.id.clone(),
                },
                threat.position,
                0,
            );
        }
    }

    for (actor, a) in model.actors.iter().enumerate() {
        let reachable = chain.reachable_systems(actor);
        let techniques = actor_techniques(model, kb, actor);
        // Rule 2: techniques on reachable systems with matching platforms.
        for (&t, reasons) in &techniques {
            brought[actor].push(kb.techniques[t as usize].meta.attack_id.clone());
            if is_preparation(kb, t) {
                preparation[actor].push(t);
                continue;
            }
            let platforms = &kb.techniques[t as usize].platforms;
            for &s in &reachable {
                if model.systems[s]
                    .platforms
                    .iter()
                    .any(|p| platforms.contains(p))
                {
                    for (reason, position, rank) in reasons {
                        collector.add(kb, (actor, t, s), reason.clone(), *position, *rank);
                    }
                }
            }
        }
        // Rule 3: reuse of leaked data on every system accepting its kind.
        for &d in &a.holds {
            let data = &model.data[d];
            for (s, system) in model.systems.iter().enumerate() {
                if !system.verifies.contains(&data.kind) {
                    continue;
                }
                for technique in &model.reuse_techniques {
                    if let Some(t) = kb.technique_index(&technique.value) {
                        collector.add(
                            kb,
                            (actor, t, s),
                            Reason::Reuse {
                                data: data.id.value.clone(),
                            },
                            data.id.position,
                            4,
                        );
                    }
                }
            }
        }
        // Rule 4: trusted relationships across trust boundaries.
        for flow in model.flows.iter().filter(|f| f.crosses_trust_boundary) {
            if !reachable.contains(&flow.from) && !reachable.contains(&flow.to) {
                continue;
            }
            let ends: BTreeSet<SystemId> = [flow.from, flow.to].into_iter().collect();
            for end in ends {
                if a.entry.contains(&end) {
                    continue;
                }
                for technique in &model.trust_techniques {
                    if let Some(t) = kb.technique_index(&technique.value) {
                        collector.add(
                            kb,
                            (actor, t, end),
                            Reason::TrustedRelationship {
                                flow: flow.label.clone(),
                            },
                            flow.position,
                            3,
                        );
                    }
                }
            }
        }
    }
    for list in &mut preparation {
        list.sort_by(|a, b| {
            kb.techniques[*a as usize]
                .meta
                .attack_id
                .cmp(&kb.techniques[*b as usize].meta.attack_id)
        });
        list.dedup();
    }
    for list in &mut brought {
        list.sort();
        list.dedup();
    }
    Scope {
        exposures: collector.by_key.into_values().collect(),
        preparation,
        actor_techniques: brought,
    }
}

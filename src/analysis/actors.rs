//! What each actor brings: its own techniques and the active techniques its ATT&CK groups use
//! (directly or through attributed campaigns), less what it `exclude`s. Techniques whose only
//! platform is PRE target no system: they are the actor's preparation, and so are F3 and ATLAS
//! techniques whose only tactics are reconnaissance and resource development.
//!
//! `exclude` takes technique IDs (an ID also removes its sub-techniques) and tactic shortnames
//! (a technique goes when *all* its tactics are excluded, so `exclude: [discovery]` drops T1082
//! but keeps T1078). It narrows own and group techniques, never explicit threats, reuse or the
//! trust rule.

use std::collections::BTreeMap;

use super::findings::Reason;
use crate::attack::{Kind, KnowledgeBase};
use crate::diag::Position;
use crate::model::Model;
use crate::model::resolved::ActorId;

/// A reason a technique comes with an actor, the model position naming it, and how specific
/// that position is (lower is more specific).
pub type Brought = (Reason, Option<Position>, u8);

/// Location ranks: the most specific reason names an exposure's model line. A group's line
/// comes last: one `groups: [G0125]` line brings a hundred techniques, so it says the least
/// about any one of them.
pub const RANK_THREAT: u8 = 0;
pub const RANK_OWN: u8 = 1;
pub const RANK_REUSE: u8 = 2;
pub const RANK_TRUST: u8 = 3;
pub const RANK_GROUP: u8 = 4;

/// One technique an actor brings, with every reason.
#[derive(Debug, Clone)]
pub struct BroughtTechnique {
    pub technique: u32,
    pub reasons: Vec<Brought>,
}

/// What an actor brings, computed once per analysis.
#[derive(Debug, Clone, Default)]
pub struct ActorProfile {
    /// Techniques that target systems, by technique index.
    pub techniques: Vec<BroughtTechnique>,
    /// PRE-only technique indices, sorted by ID.
    pub preparation: Vec<u32>,
    /// Every technique brought (IDs, sorted), for the graph.
    pub ids: Vec<String>,
}

/// A technique that targets no system: its only platform is PRE, or (F3 and ATLAS, whose
/// techniques carry no real platform) its only tactics are reconnaissance and resource
/// development.
pub fn is_preparation(kb: &KnowledgeBase, technique: u32) -> bool {
    let t = &kb.techniques[technique as usize];
    if t.meta.framework.is_companion() {
        return !t.tactics.is_empty()
            && t.tactics
                .iter()
                .all(|tactic| crate::attack::framework::is_preparation_tactic(tactic));
    }
    !t.platforms.is_empty() && t.platforms.iter().all(|p| p == "PRE")
}

/// Whether an actor's `exclude` list removes a technique.
pub fn excluded(kb: &KnowledgeBase, technique: u32, exclude: &[String]) -> bool {
    if exclude.is_empty() {
        return false;
    }
    let t = &kb.techniques[technique as usize];
    let named = |id: &str| exclude.iter().any(|e| e.eq_ignore_ascii_case(id));
    if named(&t.meta.attack_id)
        || t.parent
            .is_some_and(|p| named(&kb.techniques[p as usize].meta.attack_id))
    {
        return true;
    }
    !t.tactics.is_empty() && t.tactics.iter().all(|tactic| named(tactic))
}

/// The techniques an actor brings, with every reason and the model line naming it.
pub fn profile(model: &Model, kb: &KnowledgeBase, actor: ActorId) -> ActorProfile {
    let a = &model.actors[actor];
    let exclude: Vec<String> = a.exclude.iter().map(|e| e.value.clone()).collect();
    let mut by_technique: BTreeMap<u32, Vec<Brought>> = BTreeMap::new();
    for group in &a.groups {
        let Some(g) = kb.lookup(&group.value, Some(Kind::Group)) else {
            continue;
        };
        let group_id = kb.groups[g.index as usize].meta.attack_id.clone();
        for t in kb.group_techniques(g.index) {
            let reasons = by_technique.entry(t).or_default();
            match reasons
                .iter_mut()
                .find(|(r, _, _)| matches!(r, Reason::GroupTechnique { .. }))
            {
                Some((Reason::GroupTechnique { groups }, _, _)) => {
                    if !groups.contains(&group_id) {
                        groups.push(group_id.clone());
                        groups.sort();
                    }
                }
                _ => reasons.push((
                    Reason::GroupTechnique {
                        groups: vec![group_id.clone()],
                    },
                    group.position,
                    RANK_GROUP,
                )),
            }
        }
    }
    for technique in &a.techniques {
        if let Some(t) = kb.technique_index(&technique.value) {
            by_technique.entry(t).or_default().push((
                Reason::ActorTechnique,
                technique.position,
                RANK_OWN,
            ));
        }
    }
    let mut out = ActorProfile::default();
    for (t, reasons) in by_technique {
        if excluded(kb, t, &exclude) {
            continue;
        }
        out.ids
            .push(kb.techniques[t as usize].meta.attack_id.clone());
        if is_preparation(kb, t) {
            out.preparation.push(t);
        } else {
            out.techniques.push(BroughtTechnique {
                technique: t,
                reasons,
            });
        }
    }
    let id = |t: &u32| kb.techniques[*t as usize].meta.attack_id.clone();
    out.preparation.sort_by_key(id);
    out.ids.sort();
    out
}

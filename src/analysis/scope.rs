//! Which (actor, technique, system) are in scope, and why. Given where the actor gets
//! ([`super::reach`]), its exposures are:
//!
//! 1. every explicit threat of the actor, reached or not;
//! 2. all its techniques (own and groups', platform-matched, less `exclude`) on the systems it
//!    reaches;
//! 3. its initial-access and lateral-movement techniques on its frontier: the attempts to get in;
//! 4. re-dissemination: holding leaked data of kind K, `reuse_techniques` (default T1656, T1078,
//!    and F1031 with F3; F1006.002 too for credentials) on every system that verifies K, reached
//!    or not; with ATLAS, holding a leaked image of a person, AML.T0088 and AML.T0015 on every
//!    system that judges evidence with AI (`ai_checks`, or verifies `selfie`);
//! 5. trusted relationships: `trust_techniques` (default T1199) on the ends, other than its
//!    entry systems, of trust-boundary flows that touch a system it reaches.
//!
//! One exposure per (actor, technique, system), keeping every reason; its location is the
//! model line of the most specific reason.

use std::collections::BTreeMap;

use super::actors::{RANK_GROUP, RANK_OWN, RANK_REUSE, RANK_THREAT, RANK_TRUST};
use super::context::Context;
use super::findings::Reason;
use super::reach::Reach;
use super::why::Why;
use crate::diag::Position;
use crate::model::resolved::{ActorId, SystemId};

/// The reason as reports name it; `technique` finds the groups that bring it.
pub fn reason(why: Why, ctx: &Context, actor: ActorId, technique: u32) -> Reason {
    let model = ctx.model;
    match why {
        Why::Explicit(t) => Reason::Explicit {
            threat: model.threats[t].id.clone(),
        },
        Why::Own => Reason::ActorTechnique,
        Why::Groups => Reason::GroupTechnique {
            groups: ctx.profiles[actor]
                .techniques
                .iter()
                .find(|b| b.technique == technique)
                .into_iter()
                .flat_map(|b| &b.reasons)
                .flat_map(|(r, _, _)| match r {
                    Reason::GroupTechnique { groups } => groups.clone(),
                    _ => Vec::new(),
                })
                .collect(),
        },
        Why::Reuse(d) => Reason::Reuse {
            data: model.data[d].id.value.clone(),
        },
        Why::Trust(f) => Reason::TrustedRelationship {
            flow: model.flows[f].label.clone(),
        },
    }
}

/// An exposure before coverage and risk.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Sorted, each once.
    pub why: Vec<Why>,
    /// The model position of the most specific reason.
    pub position: Option<Position>,
    position_rank: u8,
}

/// An actor's drafts by (technique index, system).
pub type Drafts = BTreeMap<(u32, SystemId), Draft>;

fn add(
    drafts: &mut Drafts,
    technique: u32,
    system: SystemId,
    why: Why,
    position: Option<Position>,
    rank: u8,
) {
    let entry = drafts.entry((technique, system)).or_insert_with(|| Draft {
        why: Vec::new(),
        position: None,
        position_rank: u8::MAX,
    });
    if let Err(i) = entry.why.binary_search(&why) {
        entry.why.insert(i, why);
    }
    if rank < entry.position_rank && position.is_some() {
        entry.position = position;
        entry.position_rank = rank;
    }
}

/// Adds a technique the actor brings, with each of its reasons.
fn add_brought(drafts: &mut Drafts, brought: &super::actors::BroughtTechnique, system: SystemId) {
    for (reason, position, rank) in &brought.reasons {
        let why = match reason {
            Reason::GroupTechnique { .. } => Why::Groups,
            _ => Why::Own,
        };
        debug_assert!(matches!(*rank, RANK_OWN | RANK_GROUP));
        add(drafts, brought.technique, system, why, *position, *rank);
    }
}

/// Applies the five rules for one actor.
pub fn scope(ctx: &Context, actor: ActorId, reach: &Reach) -> Drafts {
    let model = ctx.model;
    let a = &model.actors[actor];
    let profile = &ctx.profiles[actor];
    let mut drafts = Drafts::new();

    // 1. Explicit threats.
    for t in &ctx.threats[actor] {
        let position = model.threats[t.threat].position;
        let why = Why::Explicit(t.threat);
        add(
            &mut drafts,
            t.technique,
            t.target,
            why,
            position,
            RANK_THREAT,
        );
    }
    // 2. Everything it brings, on the systems it reaches.
    for s in reach.reached_systems() {
        for &i in &ctx.matched_at(actor, s).all {
            add_brought(&mut drafts, &profile.techniques[i], s);
        }
    }
    // 3. Attempts to get in on the frontier.
    for &s in &reach.frontier {
        let matched = ctx.matched_at(actor, s);
        for &i in &matched.all {
            let brought = &profile.techniques[i];
            if matched.steps.contains(&brought.technique) {
                add_brought(&mut drafts, brought, s);
            }
        }
    }
    // 4. Reuse of leaked data on every system accepting its kind (and, with ATLAS, deepfakes
    //    made from leaked images against every system judging evidence with AI).
    for &d in &a.holds {
        let data = &model.data[d];
        for s in model.system_ids() {
            for t in ctx.reuse_at(d, s) {
                add(
                    &mut drafts,
                    t,
                    s,
                    Why::Reuse(d),
                    data.id.position,
                    RANK_REUSE,
                );
            }
        }
    }
    // 5. Trusted relationships across trust boundaries touching what it reaches.
    for (f, flow) in model.flows.iter().enumerate() {
        if !flow.crosses_trust_boundary || (!reach.reached[flow.from] && !reach.reached[flow.to]) {
            continue;
        }
        let mut ends = vec![flow.from, flow.to];
        ends.dedup();
        for end in ends {
            if ctx.is_entry(actor, end) {
                continue;
            }
            for &t in &ctx.trust_techniques {
                add(
                    &mut drafts,
                    t,
                    end,
                    Why::Trust(f),
                    flow.position,
                    RANK_TRUST,
                );
            }
        }
    }
    drafts
}

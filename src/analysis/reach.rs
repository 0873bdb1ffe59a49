//! Reach is an attack graph, not connectivity: where an actor can actually get.
//!
//! A step on system s by technique t is *walkable* when nothing implemented prevents it
//! ([`super::coverage::CoverageState::prevents`]); detection and acceptances do not stop an
//! attacker, and a `partial` control prevents nothing.
//!
//! - **Footholds.** An explicit `entry` system: the actor already operates there. With the
//!   default entry (every `internet` system), a foothold on such a system needs a walkable
//!   initial-access technique there (its own or its groups', platform-matched, or an explicit
//!   threat). Leaked data it holds gives a foothold on every system that verifies its kind where
//!   a reuse technique is walkable and the actor can present the evidence: an `internet` system,
//!   or one of its explicit entries (a phone line into a call centre). A partner- or
//!   internal-only verifier keeps its reuse exposures but is no way in by itself.
//! - **Movement.** From a reached system, across a flow in either direction, the actor reaches
//!   the other end n through a walkable technique at n of the initial-access or
//!   lateral-movement tactic (its own or its groups', platform-matched, or an explicit threat on
//!   n), or through a trust technique (T1199) when the flow crosses a trust boundary and n is
//!   not one of its entry systems. Breadth-first, to a fixed point.
//! - **Frontier**: systems one flow away from a reached one, and default entry systems, that
//!   the actor does not reach: where it tries to get in.

use std::collections::{BTreeMap, VecDeque};

use super::context::{Context, Defended, has_tactic};
use super::coverage::state;
use super::risk::STEP_TACTICS;
use crate::model::resolved::{ActorId, DataId, SystemId};

/// How an actor gets its foothold on a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Start {
    /// It already operates there (explicit `entry`).
    Entry,
    /// Leaked data it holds, of a kind the system verifies.
    Reuse(DataId),
    /// A walkable initial-access technique on a default entry system.
    InitialAccess,
}

impl Start {
    pub fn label(self) -> &'static str {
        match self {
            Start::Entry => "entry",
            Start::Reuse(_) => "reuse",
            Start::InitialAccess => "initial-access",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foothold {
    pub system: SystemId,
    pub start: Start,
    /// The walkable techniques that give it (none on an explicit entry system).
    pub techniques: Vec<u32>,
}

/// A walkable step from one reached system to another, and the techniques that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub from: SystemId,
    pub to: SystemId,
    pub techniques: Vec<u32>,
}

/// Where one actor gets.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Per system.
    pub reached: Vec<bool>,
    /// Sorted by system.
    pub footholds: Vec<Foothold>,
    /// Every walkable step out of a reached system, sorted by (from, to).
    pub steps: Vec<Step>,
    /// Systems tried but not reached, sorted.
    pub frontier: Vec<SystemId>,
}

impl Reach {
    pub fn reached_systems(&self) -> impl Iterator<Item = SystemId> + '_ {
        self.reached
            .iter()
            .enumerate()
            .filter_map(|(s, &r)| r.then_some(SystemId::new(s)))
    }
}

/// Whether technique t is walkable on system s.
pub fn walkable(ctx: &Context, defended: Defended, technique: u32, system: SystemId) -> bool {
    !state(ctx.kb, defended.at(system), technique).prevents()
}

/// The walkable techniques that carry the actor into `system` across flow `flow`.
fn step_into(
    ctx: &Context,
    defended: Defended,
    actor: ActorId,
    system: SystemId,
    flow: usize,
) -> Vec<u32> {
    let mut out: Vec<u32> = ctx.matched_at(actor, system).steps.clone();
    out.extend(
        ctx.threats[actor]
            .iter()
            .filter(|t| t.target == system && has_tactic(ctx.kb, t.technique, &STEP_TACTICS))
            .map(|t| t.technique),
    );
    if ctx.model.flows[flow].crosses_trust_boundary && !ctx.is_entry(actor, system) {
        out.extend(&ctx.trust_techniques);
    }
    out.retain(|&t| walkable(ctx, defended, t, system));
    out.sort_unstable();
    out.dedup();
    out
}

/// The actor's footholds.
fn footholds(ctx: &Context, defended: Defended, actor: ActorId) -> Vec<Foothold> {
    let a = &ctx.model.actors[actor];
    let mut out: BTreeMap<SystemId, Foothold> = BTreeMap::new();
    if !a.entry_is_default {
        for &s in &ctx.entry[actor] {
            out.insert(
                s,
                Foothold {
                    system: s,
                    start: Start::Entry,
                    techniques: Vec::new(),
                },
            );
        }
    } else {
        for &s in &ctx.entry[actor] {
            let mut techniques: Vec<u32> = ctx.matched_at(actor, s).initial.clone();
            techniques.extend(
                ctx.threats[actor]
                    .iter()
                    .filter(|t| {
                        t.target == s && has_tactic(ctx.kb, t.technique, &["initial-access"])
                    })
                    .map(|t| t.technique),
            );
            techniques.retain(|&t| walkable(ctx, defended, t, s));
            techniques.sort_unstable();
            techniques.dedup();
            if !techniques.is_empty() {
                out.insert(
                    s,
                    Foothold {
                        system: s,
                        start: Start::InitialAccess,
                        techniques,
                    },
                );
            }
        }
    }
    for &d in &a.holds {
        for (s, system) in ctx.model.system_ids().zip(&ctx.model.systems) {
            // The actor must be able to present the evidence there: an internet-facing
            // verifier, or one it already operates on. A partner- or internal-only verifier
            // keeps its reuse exposures but is no way in.
            let presentable = system.exposure == crate::model::format::Reachability::Internet
                || (!a.entry_is_default && ctx.is_entry(actor, s));
            if !presentable {
                continue;
            }
            let techniques: Vec<u32> = ctx
                .reuse_at(d, s)
                .into_iter()
                .filter(|&t| walkable(ctx, defended, t, s))
                .collect();
            if techniques.is_empty() {
                continue;
            }
            match out.get_mut(&s) {
                // An explicit entry needs no technique; the first leaked asset names the reuse.
                Some(f) if f.start == Start::Entry => {}
                Some(f) => {
                    if f.start == Start::InitialAccess {
                        f.start = Start::Reuse(d);
                    }
                    f.techniques.extend(&techniques);
                    f.techniques.sort_unstable();
                    f.techniques.dedup();
                }
                None => {
                    out.insert(
                        s,
                        Foothold {
                            system: s,
                            start: Start::Reuse(d),
                            techniques,
                        },
                    );
                }
            }
        }
    }
    out.into_values().collect()
}

/// Footholds, then the breadth-first closure along walkable steps.
pub fn reach(ctx: &Context, defended: Defended, actor: ActorId) -> Reach {
    let n = ctx.model.systems.len();
    let footholds = footholds(ctx, defended, actor);
    let mut reached = vec![false; n];
    let mut queue: VecDeque<SystemId> = VecDeque::new();
    for f in &footholds {
        reached[f.system] = true;
        queue.push_back(f.system);
    }
    let mut steps: BTreeMap<(SystemId, SystemId), Vec<u32>> = BTreeMap::new();
    while let Some(r) = queue.pop_front() {
        for &(next, flow) in &ctx.neighbours[r] {
            if next == r {
                continue;
            }
            let techniques = step_into(ctx, defended, actor, next, flow);
            if techniques.is_empty() {
                continue;
            }
            steps.entry((r, next)).or_default().extend(techniques);
            if !reached[next] {
                reached[next] = true;
                queue.push_back(next);
            }
        }
    }
    let mut frontier: Vec<SystemId> = Vec::new();
    for s in ctx.model.system_ids() {
        if reached[s] {
            continue;
        }
        let next_to_reached = ctx.neighbours[s].iter().any(|&(o, _)| reached[o]);
        let default_entry = ctx.model.actors[actor].entry_is_default && ctx.is_entry(actor, s);
        if next_to_reached || default_entry {
            frontier.push(s);
        }
    }
    Reach {
        reached,
        footholds,
        steps: steps
            .into_iter()
            .map(|((from, to), mut techniques)| {
                techniques.sort_unstable();
                techniques.dedup();
                Step {
                    from,
                    to,
                    techniques,
                }
            })
            .collect(),
        frontier,
    }
}

//! Attack paths an attacker could walk: from a foothold, through systems each entered by a
//! walkable step, to a system that holds or carries confidential or restricted data (not itself
//! leaked) where the actor has a walkable exposure that *takes*.
//!
//! Up to `per_pair` paths per (actor, data asset), fewest hops first, then highest risk (Yen's
//! k shortest simple paths, each hop costing `HOP - risk of the step`, so that hop count
//! dominates and risk breaks ties). A path's risk is the sum over its hops of the highest risk
//! among the exposures making each step, plus the highest risk among those taking the data.
//! Only prevention breaks a step, so a fix can cut paths; detection cannot.
//!
//! Bounded: one search per (actor, data asset) that has a target, and a budget of searches per
//! analysis.

use std::collections::BTreeMap;

use pathfinding::directed::yen::yen;

use super::context::Context;
use super::evaluate::Scoped;
use super::findings::Role;
use super::reach::{Reach, Start};
use crate::model::resolved::{DataId, SystemId};

/// Most path searches (one per actor and data asset) in one analysis.
pub const PATH_SEARCH_BUDGET: usize = 20_000;

/// The cost of one hop before its risk is taken off: larger than any risk (108).
const HOP: u32 = 1_000;

/// Where paths of one actor can go: what a fix must change to change its paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathGraph {
    pub footholds: Vec<SystemId>,
    pub steps: Vec<(SystemId, SystemId)>,
    /// Per data asset worth a path: the reached systems holding it where the actor takes.
    pub targets: Vec<(DataId, Vec<SystemId>)>,
}

/// One path found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPath {
    pub data: DataId,
    pub systems: Vec<SystemId>,
    pub start: Start,
    /// Per hop, the techniques making the step.
    pub hops: Vec<Vec<u32>>,
    /// The techniques taking the data on the last hop.
    pub takes: Vec<u32>,
    pub risk: u32,
}

/// The risk of an actor's exposure (technique, system), looked up in its sorted exposures.
fn risk_of(exposures: &[Scoped], technique: u32, system: SystemId) -> u32 {
    exposures
        .binary_search_by(|e| (e.technique, e.system).cmp(&(technique, system)))
        .map_or(0, |i| exposures[i].risk())
}

fn highest_risk(exposures: &[Scoped], techniques: &[u32], system: SystemId) -> u32 {
    techniques
        .iter()
        .map(|&t| risk_of(exposures, t, system))
        .max()
        .unwrap_or(0)
}

/// The walkable exposures that take something, per system.
pub fn takers(exposures: &[Scoped]) -> BTreeMap<SystemId, Vec<u32>> {
    let mut out: BTreeMap<SystemId, Vec<u32>> = BTreeMap::new();
    for e in exposures {
        if e.role == Role::Takes && e.walkable() {
            out.entry(e.system).or_default().push(e.technique);
        }
    }
    out
}

/// The graph paths are searched in.
pub fn path_graph(ctx: &Context, reach: &Reach, exposures: &[Scoped]) -> PathGraph {
    graph_of(ctx, reach, &takers(exposures))
}

/// The graph paths are searched in, from the systems where the actor takes.
pub fn graph_of(ctx: &Context, reach: &Reach, takers: &BTreeMap<SystemId, Vec<u32>>) -> PathGraph {
    PathGraph {
        footholds: reach.footholds.iter().map(|f| f.system).collect(),
        steps: reach.steps.iter().map(|s| (s.from, s.to)).collect(),
        targets: targets(ctx, &reach.reached, takers),
    }
}

/// Per data asset worth a path, the reached systems holding it where the actor takes.
pub fn targets(
    ctx: &Context,
    reached: &[bool],
    takers: &BTreeMap<SystemId, Vec<u32>>,
) -> Vec<(DataId, Vec<SystemId>)> {
    ctx.path_targets()
        .filter_map(|d| {
            let systems: Vec<SystemId> = ctx.holders[d]
                .iter()
                .copied()
                .filter(|&s| reached[s] && takers.contains_key(&s))
                .collect();
            (!systems.is_empty()).then_some((d, systems))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Source,
    System(SystemId),
    Sink,
}

/// What one actor's searches found, and whether the budget stopped them.
pub struct Searched {
    pub paths: Vec<FoundPath>,
    pub searches: usize,
    pub truncated: bool,
}

/// Up to `per_pair` paths per data asset for one actor, spending at most `budget` searches.
pub fn search(
    reach: &Reach,
    exposures: &[Scoped],
    graph: &PathGraph,
    per_pair: usize,
    budget: usize,
) -> Searched {
    let mut out = Searched {
        paths: Vec::new(),
        searches: 0,
        truncated: false,
    };
    if per_pair == 0 || graph.targets.is_empty() {
        return out;
    }
    let takers = takers(exposures);
    let foothold_cost: Vec<(Node, u32)> = reach
        .footholds
        .iter()
        .map(|f| {
            let risk = highest_risk(exposures, &f.techniques, f.system);
            (Node::System(f.system), HOP - risk)
        })
        .collect();
    let mut out_steps: BTreeMap<SystemId, Vec<(Node, u32)>> = BTreeMap::new();
    for step in &reach.steps {
        let risk = highest_risk(exposures, &step.techniques, step.to);
        out_steps
            .entry(step.from)
            .or_default()
            .push((Node::System(step.to), HOP - risk));
    }
    for (data, targets) in &graph.targets {
        if out.searches >= budget {
            out.truncated = true;
            break;
        }
        out.searches += 1;
        let found = yen(
            &Node::Source,
            |node| -> Vec<(Node, u32)> {
                match node {
                    Node::Source => foothold_cost.clone(),
                    Node::System(s) if targets.binary_search(s).is_ok() => {
                        let takes = takers.get(s).map_or(&[][..], Vec::as_slice);
                        vec![(Node::Sink, HOP - highest_risk(exposures, takes, *s))]
                    }
                    Node::System(s) => out_steps.get(s).cloned().unwrap_or_default(),
                    Node::Sink => Vec::new(),
                }
            },
            |node| *node == Node::Sink,
            per_pair,
        );
        for (nodes, _) in found {
            let systems: Vec<SystemId> = nodes
                .iter()
                .filter_map(|n| match n {
                    Node::System(s) => Some(*s),
                    _ => None,
                })
                .collect();
            if let Some(path) = describe(reach, exposures, &takers, *data, systems) {
                out.paths.push(path);
            }
        }
    }
    out
}

/// How many paths [`search`] finds in a graph: at most `per_pair` per data asset. The costs do
/// not matter for the count (Yen's algorithm finds every simple path when there are fewer than
/// `per_pair`), so every hop costs one.
pub fn count(graph: &PathGraph, per_pair: usize) -> usize {
    if per_pair == 0 {
        return 0;
    }
    let mut out_steps: BTreeMap<SystemId, Vec<(Node, u32)>> = BTreeMap::new();
    for &(from, to) in &graph.steps {
        out_steps
            .entry(from)
            .or_default()
            .push((Node::System(to), 1));
    }
    let footholds: Vec<(Node, u32)> = graph
        .footholds
        .iter()
        .map(|&s| (Node::System(s), 1))
        .collect();
    graph
        .targets
        .iter()
        .map(|(_, targets)| {
            yen(
                &Node::Source,
                |node| -> Vec<(Node, u32)> {
                    match node {
                        Node::Source => footholds.clone(),
                        Node::System(s) if targets.binary_search(s).is_ok() => {
                            vec![(Node::Sink, 1)]
                        }
                        Node::System(s) => out_steps.get(s).cloned().unwrap_or_default(),
                        Node::Sink => Vec::new(),
                    }
                },
                |node| *node == Node::Sink,
                per_pair,
            )
            .len()
        })
        .sum()
}

/// The hops of a path found, with the techniques of each step and its risk.
fn describe(
    reach: &Reach,
    exposures: &[Scoped],
    takers: &BTreeMap<SystemId, Vec<u32>>,
    data: DataId,
    systems: Vec<SystemId>,
) -> Option<FoundPath> {
    let first = *systems.first()?;
    let last = *systems.last()?;
    let foothold = reach.footholds.iter().find(|f| f.system == first)?;
    let mut hops = vec![foothold.techniques.clone()];
    let mut risk = highest_risk(exposures, &foothold.techniques, first);
    for pair in systems.windows(2) {
        let i = reach
            .steps
            .binary_search_by(|s| (s.from, s.to).cmp(&(pair[0], pair[1])))
            .ok()?;
        let step = &reach.steps[i];
        risk += highest_risk(exposures, &step.techniques, step.to);
        hops.push(step.techniques.clone());
    }
    let takes = takers.get(&last).cloned().unwrap_or_default();
    risk += highest_risk(exposures, &takes, last);
    Some(FoundPath {
        data,
        systems,
        start: foothold.start,
        hops,
        takes,
        risk,
    })
}

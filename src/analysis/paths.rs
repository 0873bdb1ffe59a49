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
//! Bounded: one search per (actor, data asset) that has a target, and a budget of search work
//! per analysis (nodes expanded, over all searches): a search of a long chain of systems is
//! quadratic in Yen's algorithm (a shortest-path search per spur node), so the work is what
//! is bounded, not the number of searches.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use pathfinding::directed::yen::yen;

use super::context::Context;
use super::findings::Role;
use super::reach::{Reach, Start};
use super::scoped::Scoped;
use crate::model::resolved::{DataId, SystemId};

/// Most search work (nodes expanded) of all path searches of one analysis: the examples and
/// the 10,000-system synthetic model stay under it (no path is left out); a 10,000-system
/// ladder stops here (its whole report: 2.9 s, 258 MiB, release build).
pub const PATH_SEARCH_BUDGET: usize = 500_000;

/// Most search work of one count of paths for the fix plan (the plan has its own budget of
/// how many counts it makes).
const COUNT_WORK: usize = 200_000;

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

/// What one actor's searches found, the work they took, and whether the budget stopped them.
pub struct Searched {
    pub paths: Vec<FoundPath>,
    pub searches: usize,
    pub truncated: bool,
}

/// Search work left: every node expansion spends one; at zero, nodes have no successors.
struct Work {
    left: Cell<usize>,
    exhausted: Cell<bool>,
}

impl Work {
    fn new(limit: usize) -> Work {
        Work {
            left: Cell::new(limit),
            exhausted: Cell::new(false),
        }
    }

    /// Spends one unit; `false` when none is left.
    fn spend(&self) -> bool {
        match self.left.get() {
            0 => {
                self.exhausted.set(true);
                false
            }
            n => {
                self.left.set(n - 1);
                true
            }
        }
    }
}

/// The k shortest simple paths of one actor's graph, searched backwards from the data: the
/// footholds are many (every verifier where leaked evidence works) and the holders of one asset
/// few, so a search from the targets ends as soon as it meets a foothold, where a search from
/// the footholds would first visit every one of them.
struct Walker {
    /// Foothold -> the cost of taking it.
    footholds: BTreeMap<SystemId, u32>,
    /// System -> (system stepped from, the cost of the step into it).
    preds: BTreeMap<SystemId, Vec<(SystemId, u32)>>,
}

impl Walker {
    /// Up to `k` paths from a foothold to one of `targets` (sorted), with what taking the data
    /// at each target costs; each path as its systems, foothold first.
    fn k_shortest(
        &self,
        targets: &[SystemId],
        take_cost: impl Fn(SystemId) -> u32,
        k: usize,
        work: &Work,
    ) -> Vec<Vec<SystemId>> {
        let found = yen(
            &Node::Sink,
            |node| -> Vec<(Node, u32)> {
                if !work.spend() {
                    return Vec::new();
                }
                match node {
                    Node::Sink => targets
                        .iter()
                        .map(|&t| (Node::System(t), take_cost(t)))
                        .collect(),
                    Node::System(n) => {
                        // A path may pass through another holder: forbidding it would let a
                        // control that stops the taking there open new paths through it.
                        let mut out: Vec<(Node, u32)> = self
                            .preds
                            .get(n)
                            .into_iter()
                            .flatten()
                            .map(|&(p, cost)| (Node::System(p), cost))
                            .collect();
                        if let Some(&cost) = self.footholds.get(n) {
                            out.push((Node::Source, cost));
                        }
                        out
                    }
                    Node::Source => Vec::new(),
                }
            },
            |node| *node == Node::Source,
            k,
        );
        found
            .into_iter()
            .map(|(nodes, _)| {
                nodes
                    .iter()
                    .rev()
                    .filter_map(|n| match n {
                        Node::System(s) => Some(*s),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }
}

/// Up to `per_pair` paths per data asset for one actor, spending at most `budget` units of
/// search work (`searches` in the result: the work spent).
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
    let mut walker = Walker {
        footholds: reach
            .footholds
            .iter()
            .map(|f| {
                (
                    f.system,
                    HOP - highest_risk(exposures, &f.techniques, f.system),
                )
            })
            .collect(),
        preds: BTreeMap::new(),
    };
    for step in &reach.steps {
        let risk = highest_risk(exposures, &step.techniques, step.to);
        walker
            .preds
            .entry(step.to)
            .or_default()
            .push((step.from, HOP - risk));
    }
    let take_cost = |s: SystemId| {
        let takes = takers.get(&s).map_or(&[][..], Vec::as_slice);
        HOP - highest_risk(exposures, takes, s)
    };
    let work = Work::new(budget);
    for (data, targets) in &graph.targets {
        let found = walker.k_shortest(targets, take_cost, per_pair, &work);
        if work.exhausted.get() {
            // What this search found may not be the shortest: list none of it.
            out.truncated = true;
            break;
        }
        for systems in found {
            if let Some(path) = describe(reach, exposures, &takers, *data, systems) {
                out.paths.push(path);
            }
        }
    }
    out.searches = budget - work.left.get();
    out
}

/// How many paths [`search`] finds in a graph for the data assets `only` names: at most
/// `per_pair` each. The costs do not matter for the count (Yen's algorithm finds every simple
/// path when there are fewer than `per_pair`), so every hop costs one.
pub fn count(graph: &PathGraph, per_pair: usize, only: &BTreeSet<DataId>) -> usize {
    if per_pair == 0 || only.is_empty() {
        return 0;
    }
    let mut walker = Walker {
        footholds: graph.footholds.iter().map(|&s| (s, 1)).collect(),
        preds: BTreeMap::new(),
    };
    for &(from, to) in &graph.steps {
        walker.preds.entry(to).or_default().push((from, 1));
    }
    graph
        .targets
        .iter()
        .filter(|(data, _)| only.contains(data))
        .map(|(_, targets)| {
            let work = Work::new(COUNT_WORK);
            walker.k_shortest(targets, |_| 1, per_pair, &work).len()
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

//! Attack paths: from each actor to each confidential or restricted data asset, the shortest
//! ways (Yen's k shortest paths) through systems on which the actor has at least one `gap`,
//! starting at an entry system or at a system its leaked data opens (the reuse edge), and
//! ending at a system that stores or carries the data.
//!
//! Bounded: only the gap subgraph is searched, targets unreachable in it are skipped after one
//! breadth-first search, and the number of path searches per run has a budget.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pathfinding::directed::yen::yen;

use super::findings::{AttackPath, Hop};
use crate::graph::SupplyChain;
use crate::model::Model;
use crate::model::format::Sensitivity;
use crate::model::resolved::{ActorId, DataId, SystemId};

/// Most path searches (one per actor and data asset) in one analysis.
pub const PATH_SEARCH_BUDGET: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Step {
    Source,
    System(SystemId),
}

/// Inputs for one actor: its gap techniques per system.
pub struct ActorGaps {
    pub actor: ActorId,
    pub gaps: BTreeMap<SystemId, Vec<String>>,
}

/// What the path search produced, and whether the budget cut it short.
pub struct PathSearch {
    pub paths: Vec<AttackPath>,
    pub truncated: bool,
}

pub fn attack_paths(
    model: &Model,
    chain: &SupplyChain,
    actors: &[ActorGaps],
    per_pair: usize,
    budget: usize,
) -> PathSearch {
    let mut paths = Vec::new();
    let mut searches = 0;
    let mut truncated = false;
    // Where each data asset lives, and which sensitive assets each system holds, computed
    // once: they do not depend on the actor.
    let holders = holders(model);
    let mut sensitive_held: Vec<Vec<DataId>> = vec![Vec::new(); model.systems.len()];
    for (d, systems) in holders.iter().enumerate() {
        if model.data[d].sensitivity >= Sensitivity::Confidential {
            for &s in systems {
                sensitive_held[s].push(d);
            }
        }
    }
    for gaps in actors {
        if per_pair == 0 || gaps.gaps.is_empty() {
            continue;
        }
        let actor = &model.actors[gaps.actor];
        let open = |s: &SystemId| gaps.gaps.contains_key(s);
        // Start systems: entry first, then those the actor's leaked data opens.
        let mut starts: BTreeMap<SystemId, Option<DataId>> = BTreeMap::new();
        for &d in &actor.holds {
            for (s, system) in model.systems.iter().enumerate() {
                if system.verifies.contains(&model.data[d].kind) && open(&s) {
                    starts.entry(s).or_insert(Some(d));
                }
            }
        }
        for &s in actor.entry.iter().filter(|s| open(s)) {
            starts.insert(s, None);
        }
        if starts.is_empty() {
            continue;
        }
        let reached = reachable(chain, &starts, &gaps.gaps);
        // Only assets held somewhere the actor reaches, in data order.
        let within_reach: BTreeSet<DataId> = reached
            .iter()
            .flat_map(|&s| sensitive_held[s].iter().copied())
            .collect();
        for d in within_reach {
            let targets: BTreeSet<SystemId> = holders[d]
                .iter()
                .copied()
                .filter(|s| reached.contains(s))
                .collect();
            if targets.is_empty() {
                continue;
            }
            if searches >= budget {
                truncated = true;
                break;
            }
            searches += 1;
            let found = yen(
                &Step::Source,
                |step| -> Vec<(Step, u32)> {
                    match step {
                        Step::Source => starts.keys().map(|&s| (Step::System(s), 1)).collect(),
                        Step::System(s) => chain
                            .flow_neighbours(*s)
                            .into_iter()
                            .filter(|n| gaps.gaps.contains_key(n))
                            .map(|n| (Step::System(n), 1))
                            .collect(),
                    }
                },
                |step| matches!(step, Step::System(s) if targets.contains(s)),
                per_pair,
            );
            for (steps, _) in found {
                let systems: Vec<SystemId> = steps
                    .iter()
                    .filter_map(|s| match s {
                        Step::System(s) => Some(*s),
                        Step::Source => None,
                    })
                    .collect();
                let Some(first) = systems.first() else {
                    continue;
                };
                let via = starts.get(first).copied().flatten();
                paths.push(AttackPath {
                    model: model.file.clone(),
                    actor: actor.id.value.clone(),
                    data: model.data[d].id.value.clone(),
                    start: if via.is_some() { "reuse" } else { "entry" },
                    via_data: via.map(|v| model.data[v].id.value.clone()),
                    hops: systems
                        .iter()
                        .map(|s| Hop {
                            system: model.systems[*s].id.value.clone(),
                            techniques: gaps.gaps.get(s).cloned().unwrap_or_default(),
                        })
                        .collect(),
                });
            }
        }
    }
    PathSearch { paths, truncated }
}

/// For every data asset, the systems that store it or are an end of a flow carrying it.
fn holders(model: &Model) -> Vec<BTreeSet<SystemId>> {
    let mut out: Vec<BTreeSet<SystemId>> = model
        .data
        .iter()
        .map(|d| d.stored_in.iter().copied().collect())
        .collect();
    for f in &model.flows {
        for &d in &f.carries {
            out[d].insert(f.from);
            out[d].insert(f.to);
        }
    }
    out
}

/// Systems reachable from the starts through gap systems only.
fn reachable(
    chain: &SupplyChain,
    starts: &BTreeMap<SystemId, Option<DataId>>,
    gaps: &BTreeMap<SystemId, Vec<String>>,
) -> BTreeSet<SystemId> {
    let mut seen: BTreeSet<SystemId> = starts.keys().copied().collect();
    let mut queue: VecDeque<SystemId> = seen.iter().copied().collect();
    while let Some(s) = queue.pop_front() {
        for n in chain.flow_neighbours(s) {
            if gaps.contains_key(&n) && seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen
}

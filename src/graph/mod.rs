//! The supply chain as a graph (petgraph): actors, systems, data assets and the techniques in
//! play, with the edges that make one reachable from another.
//!
//! Edges: actor -> entry system; system <-> system for each flow (reachability follows flows
//! both ways: a vendor trusted by a bank is a way into the bank, and the bank a way into the
//! data it sends the vendor); system -> data it stores or that its flows carry; actor -> data it
//! holds; leaked data -> systems that accept its kind (`verifies`), the edge leaked data creates;
//! actor -> technique it brings.

pub mod export;
pub mod palette;

use std::collections::{BTreeSet, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::Model;
use crate::model::resolved::{ActorId, DataId, SystemId};

/// A node of the supply-chain graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An actor, by index in [`Model::actors`].
    Actor(ActorId),
    /// A system, by index in [`Model::systems`].
    System(SystemId),
    /// A data asset, by index in [`Model::data`].
    Data(DataId),
    /// A technique by ATT&CK ID.
    Technique(String),
}

/// What an edge of the supply-chain graph stands for; the JSON graph's `kind` names it
/// (`entry`, `flow`, `stores`, `carries`, `holds`, `reuse`, `uses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Actor to a system it starts from: its explicit `entry`, or every internet system when
    /// the model gives none.
    Entry,
    /// A flow, by index in [`Model::flows`]; present in both directions.
    Flow(usize),
    /// System to a data asset it stores.
    Stores,
    /// System to a data asset carried by a flow the system is an end of (either end), by the
    /// flow's index in [`Model::flows`].
    Carries(usize),
    /// Actor to a data asset in its hands (`holds`).
    Holds,
    /// Leaked data of a kind a system accepts.
    Reuse,
    /// Actor to a technique it brings (its own and its groups', less `exclude`), from the
    /// analysis.
    Uses,
}

/// The graph and the node of every model element.
pub struct SupplyChain<'m> {
    /// The model the graph is drawn from.
    pub model: &'m Model,
    /// The graph; [`Edge::Flow`] edges are present in both directions.
    pub graph: DiGraph<Node, Edge>,
    /// The node of each actor, by actor index.
    pub actors: Vec<NodeIndex>,
    /// The node of each system, by system index.
    pub systems: Vec<NodeIndex>,
    /// The node of each data asset, by data index.
    pub data: Vec<NodeIndex>,
}

impl<'m> SupplyChain<'m> {
    /// Builds the graph; `techniques` lists each actor's technique IDs (from the analysis).
    pub fn build(model: &'m Model, techniques: &[Vec<String>]) -> SupplyChain<'m> {
        let mut graph = DiGraph::new();
        let actors: Vec<NodeIndex> = model
            .actor_ids()
            .map(|a| graph.add_node(Node::Actor(a)))
            .collect();
        let systems: Vec<NodeIndex> = model
            .system_ids()
            .map(|s| graph.add_node(Node::System(s)))
            .collect();
        let data: Vec<NodeIndex> = model
            .data_ids()
            .map(|d| graph.add_node(Node::Data(d)))
            .collect();
        for (a, actor) in model.actors.iter().enumerate() {
            for &s in &actor.entry {
                graph.add_edge(actors[a], systems[s], Edge::Entry);
            }
            for &d in &actor.holds {
                graph.add_edge(actors[a], data[d], Edge::Holds);
            }
        }
        for (f, flow) in model.flows.iter().enumerate() {
            graph.add_edge(systems[flow.from], systems[flow.to], Edge::Flow(f));
            graph.add_edge(systems[flow.to], systems[flow.from], Edge::Flow(f));
            for &d in &flow.carries {
                for end in [flow.from, flow.to] {
                    graph.add_edge(systems[end], data[d], Edge::Carries(f));
                }
            }
        }
        for (d, asset) in model.data.iter().enumerate() {
            for &s in &asset.stored_in {
                graph.add_edge(systems[s], data[d], Edge::Stores);
            }
            // The reuse edge is what leaked data creates: whoever holds it can present it.
            for (s, system) in model.systems.iter().enumerate() {
                if asset.leaked.is_some() && system.verifies.contains(&asset.kind) {
                    graph.add_edge(data[d], systems[s], Edge::Reuse);
                }
            }
        }
        let mut technique_nodes: std::collections::BTreeMap<&str, NodeIndex> = Default::default();
        for (a, list) in techniques.iter().enumerate() {
            for t in list {
                let node = *technique_nodes
                    .entry(t.as_str())
                    .or_insert_with(|| graph.add_node(Node::Technique(t.clone())));
                if let Some(&actor) = actors.get(a) {
                    graph.add_edge(actor, node, Edge::Uses);
                }
            }
        }
        SupplyChain {
            model,
            graph,
            actors,
            systems,
            data,
        }
    }

    /// Systems an actor reaches from its entry systems along flows (both ways), entry included.
    pub fn reachable_systems(&self, actor: ActorId) -> BTreeSet<SystemId> {
        let mut seen: BTreeSet<SystemId> = self.model.actors[actor].entry.iter().copied().collect();
        let mut queue: VecDeque<SystemId> = seen.iter().copied().collect();
        while let Some(s) = queue.pop_front() {
            for edge in self.graph.edges(self.systems[s]) {
                if let (Edge::Flow(_), Node::System(next)) = (
                    edge.weight(),
                    &self.graph[petgraph::visit::EdgeRef::target(&edge)],
                ) && seen.insert(*next)
                {
                    queue.push_back(*next);
                }
            }
        }
        seen
    }

    /// Systems a system shares a flow with, each once, in index order.
    pub fn flow_neighbours(&self, system: SystemId) -> Vec<SystemId> {
        let mut out: Vec<SystemId> = self
            .graph
            .edges(self.systems[system])
            .filter_map(|edge| {
                match (
                    edge.weight(),
                    &self.graph[petgraph::visit::EdgeRef::target(&edge)],
                ) {
                    (Edge::Flow(_), Node::System(next)) => Some(*next),
                    _ => None,
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kb, model};

    #[test]
    fn reachability_follows_flows_both_ways() {
        // a (internet) -> b <- c, and d alone.
        let kb = kb();
        let model = model(
            "systems:
  - {id: a, name: A, platforms: [SaaS], exposure: internet}
  - {id: b, name: B, platforms: [SaaS], exposure: internal}
  - {id: c, name: C, platforms: [SaaS], exposure: internal}
  - {id: d, name: D, platforms: [SaaS], exposure: internal}
flows:
  - {from: a, to: b}
  - {from: c, to: b}
actors:
  - {id: x, name: X, entry: [a]}
controls:
  - {id: k, name: K, applies_to: [d], status: planned}
",
            &kb,
        );
        let chain = SupplyChain::build(&model, &[]);
        let reached: Vec<usize> = chain
            .reachable_systems(ActorId::new(0))
            .into_iter()
            .map(SystemId::index)
            .collect();
        assert_eq!(reached, vec![0, 1, 2]);
        let neighbours: Vec<usize> = chain
            .flow_neighbours(SystemId::new(1))
            .into_iter()
            .map(SystemId::index)
            .collect();
        assert_eq!(neighbours, vec![0, 2]);
    }
}

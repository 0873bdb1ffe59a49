//! The supply-chain graph as Mermaid, Graphviz DOT and JSON, for `atkmap graph` and reports.
//!
//! Systems are grouped by owner (one trust domain per cluster), data assets are drawn as
//! stores, actors as hexagons; systems with gaps can be highlighted by severity, in the HTML
//! report's colours ([`super::palette`]): the fill of its severity badge, the severity's colour
//! as the border. Data in transit is named on the flows that carry it; a data asset gets a node
//! only when something stores it, holds it or reuses it (or nothing refers to it at all).
//!
//! The Mermaid flowchart also carries a legend of the severity colours, and runs top to bottom
//! when the graph is deeper than it is broad (a chain of systems) and left to right otherwise,
//! so that it stays narrow in an editor's preview or a pull-request comment.

use std::collections::BTreeMap;

use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Edge, Node, SupplyChain, palette};
use crate::model::resolved::{DataId, SystemId};

/// How to mark a system, by its index in [`crate::model::Model::systems`]: its worst gap
/// severity (`critical`, `high`, ...), if any.
pub type Highlights = BTreeMap<usize, String>;

fn mermaid_id(prefix: &str, id: &str) -> String {
    format!("{prefix}_{}", id.replace('-', "_"))
}

/// Escapes a label for Mermaid's quoted-label syntax.
pub fn mermaid_label(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => "#quot;".to_string(),
            '<' => "#lt;".to_string(),
            '>' => "#gt;".to_string(),
            '&' => "#amp;".to_string(),
            '#' => "#35;".to_string(),
            '`' => "#96;".to_string(),
            '\n' | '\r' => " ".to_string(),
            c => crate::diag::render::visible(c.encode_utf8(&mut [0; 4])).into_owned(),
        })
        .collect()
}

/// Which way a Mermaid flowchart runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `LR`: ranks side by side, the nodes of a rank stacked.
    LeftRight,
    /// `TB`: ranks stacked, the nodes of a rank side by side.
    TopBottom,
}

impl Direction {
    /// The direction keyword of Mermaid's `flowchart` header: `LR` or `TB`.
    pub fn mermaid(self) -> &'static str {
        match self {
            Direction::LeftRight => "LR",
            Direction::TopBottom => "TB",
        }
    }
}

/// How a layered drawing of the graph lays out, along and across its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Ranks: the nodes on the longest chain of edges.
    pub depth: usize,
    /// The most room one rank takes across, in half nodes: two for each of its nodes, two for
    /// each data label on an edge leaving it (a label is about as wide as a node), one for
    /// each edge passing through it.
    pub breadth_halves: usize,
}

impl SupplyChain<'_> {
    /// Whether a data asset gets a node of its own: not when flows only carry it (its name is
    /// on their edges then).
    fn draws_data(&self, d: DataId) -> bool {
        let mut carried = false;
        for edge in self
            .graph
            .edges_directed(self.data[d], petgraph::Direction::Incoming)
        {
            match edge.weight() {
                Edge::Carries(_) => carried = true,
                Edge::Stores | Edge::Holds => return true,
                _ => {}
            }
        }
        let reused = self
            .graph
            .edges(self.data[d])
            .any(|e| matches!(e.weight(), Edge::Reuse));
        reused || !carried
    }

    /// The names of the data a flow carries, for its edge's label.
    fn carried(&self, flow: usize) -> Option<String> {
        let m = self.model;
        let names: Vec<&str> = m.flows[flow]
            .carries
            .iter()
            .map(|&d| m.data[d].name.as_deref().unwrap_or(&m.data[d].id.value))
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    }

    /// The edges the diagrams draw, from node to node, each once: entries, flows (in their own
    /// direction), stores, holds and reuse; not carries (labels) or uses (techniques).
    fn drawn_edges(&self) -> impl Iterator<Item = petgraph::graph::EdgeReference<'_, Edge>> {
        self.graph
            .edge_references()
            .filter(|edge| match edge.weight() {
                Edge::Flow(f) => self.systems[self.model.flows[*f].from] == edge.source(),
                Edge::Carries(_) | Edge::Uses => false,
                _ => true,
            })
    }

    /// The ranks of the drawing: each node one rank below its deepest predecessor, at the end
    /// of the longest path from a node nothing points to (as a layered layout puts them; an
    /// edge that closes a cycle is left out, as the layout reverses it).
    pub fn shape(&self) -> Shape {
        let drawn: Vec<petgraph::graph::NodeIndex> = self
            .actors
            .iter()
            .chain(&self.systems)
            .copied()
            .chain(
                self.model
                    .data_ids()
                    .filter(|&d| self.draws_data(d))
                    .map(|d| self.data[d]),
            )
            .collect();
        if drawn.is_empty() {
            return Shape {
                depth: 0,
                breadth_halves: 0,
            };
        }
        let mut next: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for edge in self.drawn_edges() {
            next.entry(edge.source().index())
                .or_default()
                .push(edge.target().index());
        }
        // Depth-first from every node in drawing order; edges to a node still on the stack
        // close a cycle and are dropped. What is left is acyclic: rank it in finishing order.
        let mut state: BTreeMap<usize, bool> = BTreeMap::new(); // false: on the stack
        let mut order: Vec<usize> = Vec::new();
        let mut kept: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for start in drawn.iter().map(|n| n.index()) {
            if state.contains_key(&start) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state.insert(start, false);
            while let Some(&mut (node, ref mut i)) = stack.last_mut() {
                let targets = next.get(&node).map_or(&[][..], Vec::as_slice);
                if let Some(&target) = targets.get(*i) {
                    *i += 1;
                    match state.get(&target) {
                        Some(false) => {}
                        Some(true) => kept.entry(node).or_default().push(target),
                        None => {
                            kept.entry(node).or_default().push(target);
                            state.insert(target, false);
                            stack.push((target, 0));
                        }
                    }
                } else {
                    state.insert(node, true);
                    order.push(node);
                    stack.pop();
                }
            }
        }
        let mut rank: BTreeMap<usize, usize> = BTreeMap::new();
        for &node in order.iter().rev() {
            let r = *rank.entry(node).or_insert(0);
            for &target in kept.get(&node).into_iter().flatten() {
                let t = rank.entry(target).or_insert(0);
                *t = (*t).max(r + 1);
            }
        }
        let depth = rank.values().max().map_or(0, |r| r + 1);
        let mut halves = vec![0usize; depth];
        for r in rank.values() {
            halves[*r] += 2;
        }
        for edge in self.drawn_edges() {
            let (Some(&a), Some(&b)) = (
                rank.get(&edge.source().index()),
                rank.get(&edge.target().index()),
            ) else {
                continue;
            };
            let (low, high) = (a.min(b), a.max(b));
            for passed in &mut halves[(low + 1).min(high)..high] {
                *passed += 1;
            }
            if let Edge::Flow(f) = edge.weight()
                && low < high
                && self.carried(*f).is_some()
            {
                halves[low] += 2;
            }
        }
        Shape {
            depth,
            breadth_halves: halves.into_iter().max().unwrap_or(0),
        }
    }

    /// The direction that keeps the flowchart narrow. Laid left to right, the ranks stand side
    /// by side and the width grows with the depth; top to bottom, what shares a rank does, and
    /// it grows with the breadth. Top to bottom only when the depth is more than a quarter
    /// over the breadth, as it also puts the owners' clusters side by side: a chain of ten
    /// systems runs down the page, a hub with ten spokes across it, and a dense graph (the
    /// examples) left to right. Measured against Mermaid 11.17's own layout of 13 graphs, this
    /// picks the narrower direction for all but one, where the two are within 7%.
    pub fn mermaid_direction(&self) -> Direction {
        let shape = self.shape();
        // depth > 1.25 * breadth, with breadth = breadth_halves / 2.
        if shape.depth * 8 > shape.breadth_halves * 5 {
            Direction::TopBottom
        } else {
            Direction::LeftRight
        }
    }

    fn node_key(&self, node: &Node) -> (String, String) {
        let m = self.model;
        match node {
            Node::Actor(a) => ("actor".into(), m.actors[*a].id.value.clone()),
            Node::System(s) => ("system".into(), m.systems[*s].id.value.clone()),
            Node::Data(d) => ("data".into(), m.data[*d].id.value.clone()),
            Node::Technique(t) => ("technique".into(), t.clone()),
        }
    }

    /// Systems grouped by owner, owners sorted, unowned last.
    fn by_owner(&self) -> Vec<(Option<&str>, Vec<SystemId>)> {
        let mut groups: BTreeMap<Option<&str>, Vec<SystemId>> = BTreeMap::new();
        for (i, s) in self.model.system_ids().zip(&self.model.systems) {
            groups.entry(s.owner.as_deref()).or_default().push(i);
        }
        let mut out: Vec<(Option<&str>, Vec<SystemId>)> = groups.into_iter().collect();
        out.sort_by_key(|(owner, _)| (owner.is_none(), *owner));
        out
    }

    /// A Mermaid flowchart (without the code fence).
    pub fn to_mermaid(&self, highlights: &Highlights) -> String {
        let m = self.model;
        let direction = self.mermaid_direction();
        let mut out = format!("flowchart {}\n", direction.mermaid());
        if !highlights.is_empty() {
            // The legend: the severity colours, one node each, in a column (a left-to-right
            // cluster stacks its unlinked nodes; without a direction Mermaid lays them in a
            // row), so that it adds little width either way.
            out.push_str("  subgraph legend[\"worst open severity\"]\n    direction LR\n");
            for severity in palette::SEVERITIES {
                out.push_str(&format!("    legend_{0}[\"{0}\"]:::{0}\n", severity.label));
            }
            if highlights.len() < m.systems.len() {
                out.push_str("    legend_none[\"none open\"]\n");
            }
            out.push_str("  end\n");
        }
        for actor in &m.actors {
            out.push_str(&format!(
                "  {}{{{{\"{}\"}}}}\n",
                mermaid_id("a", &actor.id.value),
                mermaid_label(&actor.name)
            ));
        }
        for (n, (owner, systems)) in self.by_owner().iter().enumerate() {
            let indent = if owner.is_some() { "    " } else { "  " };
            if let Some(owner) = owner {
                out.push_str(&format!(
                    "  subgraph owner{n}[\"{}\"]\n",
                    mermaid_label(owner)
                ));
            }
            for &s in systems {
                let system = &m.systems[s];
                out.push_str(&format!(
                    "{indent}{}[\"{}\"]\n",
                    mermaid_id("s", &system.id.value),
                    mermaid_label(&system.name)
                ));
            }
            if owner.is_some() {
                out.push_str("  end\n");
            }
        }
        for (i, d) in m.data_ids().zip(&m.data) {
            if !self.draws_data(i) {
                continue;
            }
            let label = d.name.as_deref().unwrap_or(&d.id.value);
            out.push_str(&format!(
                "  {}[(\"{}\")]\n",
                mermaid_id("d", &d.id.value),
                mermaid_label(label)
            ));
        }
        for edge in self.drawn_edges() {
            let (from, to) = (&self.graph[edge.source()], &self.graph[edge.target()]);
            let id = |n: &Node| match n {
                Node::Actor(a) => mermaid_id("a", &m.actors[*a].id.value),
                Node::System(s) => mermaid_id("s", &m.systems[*s].id.value),
                Node::Data(d) => mermaid_id("d", &m.data[*d].id.value),
                Node::Technique(t) => mermaid_id("t", &t.to_lowercase().replace('.', "_")),
            };
            let line = match edge.weight() {
                Edge::Entry => format!("  {} --> {}\n", id(from), id(to)),
                Edge::Flow(f) => {
                    let arrow = if m.flows[*f].crosses_trust_boundary {
                        "-.->"
                    } else {
                        "-->"
                    };
                    // The data in transit, on the flow's edge.
                    let label = self
                        .carried(*f)
                        .map(|names| format!("|\"{}\"|", mermaid_label(&names)))
                        .unwrap_or_default();
                    format!("  {} {arrow}{label} {}\n", id(from), id(to))
                }
                Edge::Stores => format!("  {} --- {}\n", id(from), id(to)),
                Edge::Holds => format!("  {} -.- {}\n", id(from), id(to)),
                Edge::Reuse => format!("  {} -. reuse .-> {}\n", id(from), id(to)),
                Edge::Carries(_) | Edge::Uses => continue,
            };
            out.push_str(&line);
        }
        for severity in palette::SEVERITIES {
            out.push_str(&format!(
                "  classDef {} fill:{},stroke:{},stroke-width:2px,color:{}\n",
                severity.label,
                severity.background,
                severity.colour,
                palette::INK
            ));
        }
        out.push_str("  classDef actor fill:#37474f,color:#fff\n");
        for (s, severity) in highlights {
            out.push_str(&format!(
                "  class {} {severity}\n",
                mermaid_id("s", &m.systems[*s].id.value)
            ));
        }
        if !m.actors.is_empty() {
            let actors: Vec<String> = m
                .actors
                .iter()
                .map(|a| mermaid_id("a", &a.id.value))
                .collect();
            out.push_str(&format!("  class {} actor\n", actors.join(",")));
        }
        out
    }

    /// A Graphviz digraph, one cluster per owner.
    pub fn to_dot(&self, highlights: &Highlights) -> String {
        let m = self.model;
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let mut out = String::from(
            "digraph supply_chain {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n",
        );
        for a in &m.actors {
            out.push_str(&format!(
                "  {} [label={}, shape=hexagon, style=filled, fillcolor=\"#37474f\", fontcolor=white];\n",
                quote(&format!("actor:{}", a.id.value)),
                quote(&a.name)
            ));
        }
        for (n, (owner, systems)) in self.by_owner().iter().enumerate() {
            if let Some(owner) = owner {
                out.push_str(&format!(
                    "  subgraph cluster_{n} {{\n    label={};\n",
                    quote(owner)
                ));
            }
            for &s in systems {
                let system = &m.systems[s];
                let fill = highlights
                    .get(&s.index())
                    .and_then(|label| palette::severity(label))
                    .map(|c| {
                        format!(
                            ", style=filled, fillcolor=\"{}\", color=\"{}\", penwidth=2, \
                             fontcolor=\"{}\"",
                            c.background,
                            c.colour,
                            palette::INK
                        )
                    })
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {} [label={}, shape=box{fill}];\n",
                    quote(&format!("system:{}", system.id.value)),
                    quote(&system.name)
                ));
            }
            if owner.is_some() {
                out.push_str("  }\n");
            }
        }
        for (i, d) in m.data_ids().zip(&m.data) {
            if !self.draws_data(i) {
                continue;
            }
            out.push_str(&format!(
                "  {} [label={}, shape=cylinder];\n",
                quote(&format!("data:{}", d.id.value)),
                quote(d.name.as_deref().unwrap_or(&d.id.value))
            ));
        }
        for edge in self.drawn_edges() {
            let (from, to) = (&self.graph[edge.source()], &self.graph[edge.target()]);
            let key = |n: &Node| {
                let (kind, id) = self.node_key(n);
                quote(&format!("{kind}:{id}"))
            };
            let style = match edge.weight() {
                Edge::Entry => String::new(),
                Edge::Flow(f) => {
                    // The data in transit, on the flow's edge, and whether it crosses a trust
                    // boundary.
                    let flow = &m.flows[*f];
                    let carried = self.carried(*f);
                    match (flow.crosses_trust_boundary, carried) {
                        (true, Some(names)) => format!(
                            " [style=dashed, label={}]",
                            quote(&format!("trust boundary: {names}"))
                        ),
                        (true, None) => " [style=dashed, label=\"trust boundary\"]".to_string(),
                        (false, Some(names)) => format!(" [label={}]", quote(&names)),
                        (false, None) => String::new(),
                    }
                }
                Edge::Stores => " [arrowhead=none]".to_string(),
                Edge::Holds => " [style=dotted, arrowhead=none]".to_string(),
                Edge::Reuse => " [style=dotted, label=\"reuse\"]".to_string(),
                Edge::Carries(_) | Edge::Uses => continue,
            };
            out.push_str(&format!("  {} -> {}{style};\n", key(from), key(to)));
        }
        out.push_str("}\n");
        out
    }

    /// Nodes and edges as plain data.
    pub fn to_json(&self) -> GraphJson {
        let m = self.model;
        let nodes = self
            .graph
            .node_indices()
            .map(|n| {
                let node = &self.graph[n];
                let (kind, id) = self.node_key(node);
                let (name, owner) = match node {
                    Node::Actor(a) => (m.actors[*a].name.clone(), None),
                    Node::System(s) => (m.systems[*s].name.clone(), m.systems[*s].owner.clone()),
                    Node::Data(d) => (m.data[*d].name.clone().unwrap_or_default(), None),
                    Node::Technique(_) => (String::new(), None),
                };
                GraphNode {
                    id,
                    kind,
                    name,
                    owner,
                }
            })
            .collect();
        let mut edges: Vec<GraphEdge> = self
            .graph
            .edge_references()
            .map(|e| {
                let (_, from) = self.node_key(&self.graph[e.source()]);
                let (_, to) = self.node_key(&self.graph[e.target()]);
                let (kind, flow) = match e.weight() {
                    Edge::Entry => ("entry", None),
                    Edge::Flow(f) => ("flow", Some(m.flows[*f].label.clone())),
                    Edge::Stores => ("stores", None),
                    Edge::Carries(f) => ("carries", Some(m.flows[*f].label.clone())),
                    Edge::Holds => ("holds", None),
                    Edge::Reuse => ("reuse", None),
                    Edge::Uses => ("uses", None),
                };
                GraphEdge {
                    from,
                    to,
                    kind,
                    flow,
                }
            })
            .collect();
        edges.sort();
        edges.dedup();
        GraphJson { nodes, edges }
    }
}

/// The graph as `atkmap graph --format json` prints it.
#[derive(Debug, Serialize)]
pub struct GraphJson {
    /// Every actor, system, data asset and technique, in that order.
    pub nodes: Vec<GraphNode>,
    /// Every edge, once each, sorted.
    pub edges: Vec<GraphEdge>,
}

/// A node of the JSON graph.
#[derive(Debug, Serialize)]
pub struct GraphNode {
    /// The model id of the actor, system or data asset, or the technique's ID; unique only
    /// together with `kind`.
    pub id: String,
    /// `actor`, `system`, `data` or `technique`.
    pub kind: String,
    /// The display name; empty for techniques and for data assets without a `name`.
    pub name: String,
    /// Who runs the system; absent for other nodes and for systems without an `owner`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// An edge of the JSON graph, between the `id`s of two nodes.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    /// The `id` of the node it leaves.
    pub from: String,
    /// The `id` of the node it enters.
    pub to: String,
    /// `entry`, `flow` (once each way), `stores`, `carries`, `holds`, `reuse` (leaked data to a
    /// system that verifies its kind) or `uses`; see [`Edge`].
    pub kind: &'static str,
    /// The flow's id (or `from->to`) on `flow` and `carries` edges; absent on the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kb, model};

    /// Ten systems, `flows` between them (`sN -> sM`), one actor entering at s0 and one data
    /// asset stored in s9 that every flow carries; with `captures`, one more only in transit.
    fn ten_systems(flows: &[(usize, usize)], captures: bool) -> String {
        let mut yaml = String::from("systems:\n");
        for i in 0..10 {
            let exposure = if i == 0 { "internet" } else { "internal" };
            let owner = i / 4;
            yaml.push_str(&format!(
                "  - {{id: s{i}, name: System {i}, owner: Org {owner}, platforms: [SaaS], \
                 exposure: {exposure}}}\n"
            ));
        }
        yaml.push_str("data:\n  - {id: records, name: Customer records, kind: records, ");
        yaml.push_str("sensitivity: restricted, stored_in: [s9]}\n");
        if captures {
            yaml.push_str("  - {id: captures, name: Selfie captures, kind: selfie, ");
            yaml.push_str("sensitivity: restricted}\n");
        }
        yaml.push_str("flows:\n");
        for (a, b) in flows {
            let carries = if captures {
                "[records, captures]"
            } else {
                "[records]"
            };
            yaml.push_str(&format!(
                "  - {{from: s{a}, to: s{b}, carries: {carries}}}\n"
            ));
        }
        yaml.push_str("actors:\n  - {id: x, name: X, entry: [s0]}\n");
        yaml
    }

    fn first_line(text: &str) -> &str {
        text.lines().next().unwrap_or_default()
    }

    #[test]
    fn a_chain_runs_down_the_page_and_a_hub_across_it() {
        let kb = kb();
        let chain: Vec<(usize, usize)> = (0..9).map(|i| (i, i + 1)).collect();
        let m = model(&ten_systems(&chain, false), &kb);
        let graph = SupplyChain::build(&m, &[]);
        // Actor, ten systems, the stored records.
        assert_eq!(graph.shape().depth, 12);
        assert_eq!(graph.mermaid_direction(), Direction::TopBottom);
        assert_eq!(
            first_line(&graph.to_mermaid(&Highlights::new())),
            "flowchart TB"
        );

        let hub: Vec<(usize, usize)> = (1..10).map(|i| (0, i)).collect();
        let m = model(&ten_systems(&hub, false), &kb);
        let graph = SupplyChain::build(&m, &[]);
        assert_eq!(graph.shape().depth, 4);
        assert_eq!(graph.mermaid_direction(), Direction::LeftRight);
        assert_eq!(
            first_line(&graph.to_mermaid(&Highlights::new())),
            "flowchart LR"
        );

        // A cycle does not make the chain endless.
        let mut ring = chain.clone();
        ring.push((9, 0));
        let m = model(&ten_systems(&ring, false), &kb);
        let graph = SupplyChain::build(&m, &[]);
        assert_eq!(graph.mermaid_direction(), Direction::TopBottom);
    }

    #[test]
    fn data_in_transit_is_named_on_its_flows_not_drawn_alone() {
        let kb = kb();
        let m = model(&ten_systems(&[(0, 1), (1, 9)], true), &kb);
        let graph = SupplyChain::build(&m, &[]);
        let text = graph.to_mermaid(&Highlights::new());
        // Only carried: no node; stored: a node linked to its store.
        assert!(!text.contains("d_captures"), "{text}");
        assert!(
            text.contains("  d_records[(\"Customer records\")]\n"),
            "{text}"
        );
        assert!(text.contains("  s_s9 --- d_records\n"), "{text}");
        for flow in ["s_s0 -->", "s_s1 -->"] {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(flow))
                .unwrap_or_else(|| panic!("{flow} in {text}"));
            assert!(
                line.contains("|\"Customer records, Selfie captures\"|"),
                "{line}"
            );
        }
        let dot = graph.to_dot(&Highlights::new());
        assert!(!dot.contains("data:captures"), "{dot}");
        assert!(
            dot.contains("label=\"Customer records, Selfie captures\""),
            "{dot}"
        );
    }

    #[test]
    fn the_legend_lists_the_severity_colours() {
        let kb = kb();
        let m = model(&ten_systems(&[(0, 1)], false), &kb);
        let graph = SupplyChain::build(&m, &[]);
        // Nothing highlighted: no legend.
        assert!(!graph.to_mermaid(&Highlights::new()).contains("legend"));
        let highlights = Highlights::from([(0, "critical".to_string()), (1, "low".to_string())]);
        let text = graph.to_mermaid(&highlights);
        assert!(text.contains("  subgraph legend[\"worst open severity\"]\n    direction LR\n"));
        for severity in palette::SEVERITIES {
            let label = severity.label;
            assert!(
                text.contains(&format!("    legend_{label}[\"{label}\"]:::{label}\n")),
                "{text}"
            );
            assert!(
                text.contains(&format!(
                    "  classDef {label} fill:{},stroke:{},",
                    severity.background, severity.colour
                )),
                "{text}"
            );
        }
        // Some systems have nothing open.
        assert!(text.contains("    legend_none[\"none open\"]\n"));
        assert!(text.contains("  class s_s0 critical\n"));
        assert!(text.contains("  class s_s1 low\n"));
    }
}

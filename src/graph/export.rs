//! The supply-chain graph as Mermaid, Graphviz DOT and JSON, for `atkmap graph` and reports.
//!
//! Systems are grouped by owner (one trust domain per cluster), data assets are drawn as
//! stores, actors as hexagons; systems with gaps can be highlighted by severity.

use std::collections::BTreeMap;

use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Edge, Node, SupplyChain};
use crate::model::resolved::SystemId;

/// How to mark a system: its worst gap severity (`critical`, `high`, ...), if any.
pub type Highlights = BTreeMap<SystemId, String>;

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

impl SupplyChain<'_> {
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
        for (i, s) in self.model.systems.iter().enumerate() {
            groups.entry(s.owner.as_deref()).or_default().push(i);
        }
        let mut out: Vec<(Option<&str>, Vec<SystemId>)> = groups.into_iter().collect();
        out.sort_by_key(|(owner, _)| (owner.is_none(), *owner));
        out
    }

    /// A Mermaid flowchart (without the code fence).
    pub fn to_mermaid(&self, highlights: &Highlights) -> String {
        let m = self.model;
        let mut out = String::from("flowchart LR\n");
        for (a, actor) in m.actors.iter().enumerate() {
            let _ = a;
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
        for d in &m.data {
            let label = d.name.as_deref().unwrap_or(&d.id.value);
            out.push_str(&format!(
                "  {}[(\"{}\")]\n",
                mermaid_id("d", &d.id.value),
                mermaid_label(label)
            ));
        }
        for edge in self.graph.edge_references() {
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
                    let flow = &m.flows[*f];
                    // One line per flow, drawn in the flow's own direction.
                    if self.systems[flow.from] != edge.source() {
                        continue;
                    }
                    let arrow = if flow.crosses_trust_boundary {
                        "-.->"
                    } else {
                        "-->"
                    };
                    format!("  {} {arrow} {}\n", id(from), id(to))
                }
                Edge::Stores => format!("  {} --- {}\n", id(from), id(to)),
                Edge::Holds => format!("  {} -.- {}\n", id(from), id(to)),
                Edge::Reuse => format!("  {} -. reuse .-> {}\n", id(from), id(to)),
                Edge::Carries(_) | Edge::Uses => continue,
            };
            out.push_str(&line);
        }
        out.push_str("  classDef critical fill:#b71c1c,color:#fff,stroke:#7f0000\n");
        out.push_str("  classDef high fill:#e65100,color:#fff,stroke:#ac1900\n");
        out.push_str("  classDef medium fill:#f9a825,color:#000,stroke:#c17900\n");
        out.push_str("  classDef low fill:#fff59d,color:#000,stroke:#cbc26d\n");
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
                let fill = match highlights.get(&s).map(String::as_str) {
                    Some("critical") => ", style=filled, fillcolor=\"#b71c1c\", fontcolor=white",
                    Some("high") => ", style=filled, fillcolor=\"#e65100\", fontcolor=white",
                    Some("medium") => ", style=filled, fillcolor=\"#f9a825\"",
                    Some("low") => ", style=filled, fillcolor=\"#fff59d\"",
                    _ => "",
                };
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
        for d in &m.data {
            out.push_str(&format!(
                "  {} [label={}, shape=cylinder];\n",
                quote(&format!("data:{}", d.id.value)),
                quote(d.name.as_deref().unwrap_or(&d.id.value))
            ));
        }
        for edge in self.graph.edge_references() {
            let (from, to) = (&self.graph[edge.source()], &self.graph[edge.target()]);
            let key = |n: &Node| {
                let (kind, id) = self.node_key(n);
                quote(&format!("{kind}:{id}"))
            };
            let style = match edge.weight() {
                Edge::Entry => "",
                Edge::Flow(f) => {
                    let flow = &m.flows[*f];
                    if self.systems[flow.from] != edge.source() {
                        continue;
                    }
                    if flow.crosses_trust_boundary {
                        " [style=dashed, label=\"trust boundary\"]"
                    } else {
                        ""
                    }
                }
                Edge::Stores => " [arrowhead=none]",
                Edge::Holds => " [style=dotted, arrowhead=none]",
                Edge::Reuse => " [style=dotted, label=\"reuse\"]",
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

#[derive(Debug, Serialize)]
pub struct GraphJson {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Serialize)]
pub struct GraphNode {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

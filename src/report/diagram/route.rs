//! The lines between the boxes the layout placed: held data to the actors that hold it, actors
//! to the systems they enter, and the flows. Each line leaves and enters a box by its left or
//! right side, and the ends on one side are spread along it, ordered by where the other end
//! is, so that lines neither share a point nor cross right at a box.

use std::collections::BTreeMap;

use super::geometry::{Links, STORE_RY};
use super::layout::{Layout, Rect};
use super::text::system_name;
use crate::report::{FlowSummary, ModelSummary};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Side {
    Left,
    Right,
}

/// A box a line ends at.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Node {
    System(usize),
    Actor(usize),
    /// By position in [`Layout::leaked`].
    Leaked(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    Flow { crossing: bool },
    Entry,
    Holds,
}

/// A line between two boxes, its ends placed on the box sides.
pub(super) struct Line {
    pub(super) kind: LineKind,
    pub(super) from: (Node, Side),
    pub(super) to: (Node, Side),
    /// The tooltip.
    pub(super) title: String,
    pub(super) start: (f64, f64),
    pub(super) end: (f64, f64),
}

/// One end of a line on a box side, and the y of the other end (to order the ends).
struct Port {
    line: usize,
    start: bool,
    other_y: f64,
}

/// Every line of the diagram, in drawing order within each kind: held data, entries, flows.
pub(super) fn lines(model: &ModelSummary, links: &Links, layout: &Layout) -> Vec<Line> {
    let mut lines = holds(model, layout);
    lines.extend(entries(model, links));
    lines.extend(flows(model, links, layout));
    spread_ends(&mut lines, layout);
    lines
}

/// A line whose ends are not placed yet.
fn line(kind: LineKind, from: (Node, Side), to: (Node, Side), title: String) -> Line {
    Line {
        kind,
        from,
        to,
        title,
        start: (0.0, 0.0),
        end: (0.0, 0.0),
    }
}

/// A data asset's name, by id; the id when it has none, or is not in the model.
fn data_name(model: &ModelSummary, id: &str) -> String {
    model
        .data
        .iter()
        .find(|d| d.id == id)
        .and_then(|d| d.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// From each leaked (or held) data asset drawn on the left to each actor that holds it.
fn holds(model: &ModelSummary, layout: &Layout) -> Vec<Line> {
    let mut lines = Vec::new();
    for (l, &(d, _)) in layout.leaked.iter().enumerate() {
        let data = &model.data[d];
        for (a, actor) in model.actors.iter().enumerate() {
            if actor.holds.contains(&data.id) {
                lines.push(line(
                    LineKind::Holds,
                    (Node::Leaked(l), Side::Right),
                    (Node::Actor(a), Side::Left),
                    format!("{} holds {}", actor.name, data_name(model, &data.id)),
                ));
            }
        }
    }
    lines
}

/// From each actor to each system it enters.
fn entries(model: &ModelSummary, links: &Links) -> Vec<Line> {
    let mut lines = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        for s in actor.entry.iter().filter_map(|entry| links.system(entry)) {
            lines.push(line(
                LineKind::Entry,
                (Node::Actor(a), Side::Right),
                (Node::System(s), Side::Left),
                format!(
                    "{} can reach {}",
                    actor.name,
                    system_name(&model.systems[s])
                ),
            ));
        }
    }
    lines
}

/// One per flow between two systems: from the side facing the other system's column, or,
/// within a column, out of the right side and back in.
fn flows(model: &ModelSummary, links: &Links, layout: &Layout) -> Vec<Line> {
    let mut lines = Vec::new();
    for (flow, &ends) in model.flows.iter().zip(&links.flows) {
        let Some((a, b)) = ends else {
            continue;
        };
        let (ca, cb) = (layout.column_of[a], layout.column_of[b]);
        let (sa, sb) = if cb > ca {
            (Side::Right, Side::Left)
        } else if cb < ca {
            (Side::Left, Side::Right)
        } else {
            (Side::Right, Side::Right)
        };
        lines.push(line(
            LineKind::Flow {
                crossing: flow.crosses_trust_boundary,
            },
            (Node::System(a), sa),
            (Node::System(b), sb),
            flow_title(model, flow, a, b),
        ));
    }
    lines
}

/// A flow's tooltip: its label, ends, what it carries, and whether it crosses a trust boundary.
fn flow_title(model: &ModelSummary, flow: &FlowSummary, a: usize, b: usize) -> String {
    let mut title = format!(
        "{}: {} → {}",
        flow.label,
        system_name(&model.systems[a]),
        system_name(&model.systems[b])
    );
    if !flow.carries.is_empty() {
        let carried: Vec<String> = flow.carries.iter().map(|d| data_name(model, d)).collect();
        title.push_str(&format!("; carries {}", carried.join(", ")));
    }
    if flow.crosses_trust_boundary {
        title.push_str("; crosses a trust boundary");
    }
    title
}

fn rect_of(layout: &Layout, node: Node) -> Rect {
    match node {
        Node::System(s) => layout.systems[s],
        Node::Actor(a) => layout.actors[a],
        Node::Leaked(l) => layout.leaked[l].1,
    }
}

/// Spreads the ends on each box side, ordered by where the other end is.
fn spread_ends(lines: &mut [Line], layout: &Layout) {
    let mut ports: BTreeMap<(Node, Side), Vec<Port>> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        ports.entry(line.from).or_default().push(Port {
            line: i,
            start: true,
            other_y: rect_of(layout, line.to.0).mid_y(),
        });
        ports.entry(line.to).or_default().push(Port {
            line: i,
            start: false,
            other_y: rect_of(layout, line.from.0).mid_y(),
        });
    }
    for ((node, side), mut list) in ports {
        list.sort_by(|a, b| a.other_y.total_cmp(&b.other_y).then(a.line.cmp(&b.line)));
        let rect = rect_of(layout, node);
        // Cylinders: keep the ends on the straight part.
        let (top, height) = match node {
            Node::Leaked(_) => (rect.y + STORE_RY * 2.0, rect.h - STORE_RY * 3.0),
            _ => (rect.y + 4.0, rect.h - 8.0),
        };
        let count = list.len() as f64;
        for (k, port) in list.iter().enumerate() {
            let y = top + height * (k as f64 + 1.0) / (count + 1.0);
            let x = match side {
                Side::Left => rect.x,
                Side::Right => rect.right(),
            };
            let line = &mut lines[port.line];
            if port.start {
                line.start = (x, y);
            } else {
                line.end = (x, y);
            }
        }
    }
}

//! The supply-chain diagram of a model as inline SVG, laid out by atkmap itself.
//!
//! The layout is layered and deterministic:
//!
//! * **Columns** are the distance, in flows, from the internet-facing systems (breadth-first
//!   along the flows' direction; a system that only flows into that part sits one column
//!   left of where it flows to; one no flow reaches sits in the column of its exposure:
//!   internet 0, partner 1, internal 2).
//! * **Trust domains** are horizontal bands stacked top to bottom, one per owner in the order
//!   the model first names them (systems without an owner last), each a rounded rectangle
//!   labelled with the owner's name. Inside a band, each column stacks its systems, ordered by
//!   the mean position of the systems that flow into them (fewer crossings), then model order.
//! * **Data stores** are cylinders right under each system that stores them. Leaked data that
//!   nobody in the model stores sits in its own column on the far left, feeding the actors
//!   that hold it; **actors** are a column between the leaked data and the systems, with
//!   dotted lines to the systems they can reach.
//! * **Flows** are arrows (dashed when they cross a trust boundary), attached to the sides of
//!   the boxes they join and spread along them; hover shows their label and what they carry.
//!
//! Every piece of model text is XML-escaped and wrapped to its box (a long name is cut with an
//! ellipsis and shown whole in the box's tooltip).
//!
//! The work is done in steps, one module each: [`layout`] places every box, [`route`] joins
//! the boxes with lines and spreads the line ends along the box sides, [`draw`] writes the SVG
//! (and [`legend`] its legend); [`text`] fits model text to the boxes for all of them.
//!
//! The diagram is drawn from the report's [`ModelSummary`], the contract every rendering is
//! made from, so the model and its graph ([`crate::graph::SupplyChain`]) are not at hand here:
//! the summary names systems by id, and [`Links`] resolves its flows to system indices once,
//! for the layout and the routing both.

mod draw;
mod layout;
mod legend;
mod route;
mod text;

use std::collections::BTreeMap;

use super::ModelSummary;

const MARGIN: f64 = 20.0;
const HEADER_H: f64 = 30.0;
const SYS_W: f64 = 188.0;
const COL_GAP: f64 = 86.0;
const BAND_PAD_X: f64 = 16.0;
const BAND_PAD_BOTTOM: f64 = 16.0;
const BAND_GAP: f64 = 22.0;
const STACK_GAP: f64 = 18.0;
const STORE_INDENT: f64 = 12.0;
const STORE_W: f64 = SYS_W - 2.0 * STORE_INDENT;
const STORE_RY: f64 = 6.0;
const ACTOR_W: f64 = 168.0;
const LEAK_W: f64 = 160.0;
const LEAK_GAP: f64 = 44.0;
const ACTOR_GAP: f64 = 96.0;
const NAME_LINE: f64 = 15.0;
const META_LINE: f64 = 13.0;
/// Average glyph widths used to wrap text (system fonts at 12px and 10px).
const NAME_CHAR: f64 = 7.2;
const META_CHAR: f64 = 5.3;
const LABEL_CHAR: f64 = 7.6;

/// Renders the diagram of `model`. `prefix` makes the SVG's element ids unique in the page.
pub fn supply_chain(model: &ModelSummary, prefix: &str) -> String {
    let links = Links::new(model);
    let layout = layout::layout(model, &links);
    let lines = route::lines(model, &links, &layout);
    draw::svg(model, &layout, &lines, prefix)
}

/// The model's systems by id and its flows between them, resolved once.
struct Links<'m> {
    /// Each system's index by id.
    index: BTreeMap<&'m str, usize>,
    /// The systems each flow joins (from, to), in model order; `None` when an end is not a
    /// system of the model, or both ends are the same system.
    flows: Vec<Option<(usize, usize)>>,
    /// For each system, the systems it flows into, once per flow, in model order.
    forward: Vec<Vec<usize>>,
    /// For each system, the systems that flow into it, once per flow, in model order.
    backward: Vec<Vec<usize>>,
}

impl<'m> Links<'m> {
    fn new(model: &'m ModelSummary) -> Links<'m> {
        let index: BTreeMap<&str, usize> = model
            .systems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let flows: Vec<Option<(usize, usize)>> = model
            .flows
            .iter()
            .map(|flow| {
                let a = *index.get(flow.from.as_str())?;
                let b = *index.get(flow.to.as_str())?;
                (a != b).then_some((a, b))
            })
            .collect();
        let mut forward: Vec<Vec<usize>> = vec![Vec::new(); model.systems.len()];
        let mut backward: Vec<Vec<usize>> = vec![Vec::new(); model.systems.len()];
        for &(a, b) in flows.iter().flatten() {
            forward[a].push(b);
            backward[b].push(a);
        }
        Links {
            index,
            flows,
            forward,
            backward,
        }
    }

    /// The index of the system with this id.
    fn system(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

/// Small models for the tests of every step.
#[cfg(test)]
mod fixtures {
    use crate::analysis::findings::Severity;
    use crate::report::{ActorSummary, DataSummary, FlowSummary, ModelSummary, SystemSummary};

    pub fn system(id: &str, owner: Option<&str>, exposure: &'static str) -> SystemSummary {
        SystemSummary {
            id: id.to_string(),
            name: format!("System {id} with a fairly long descriptive name"),
            owner: owner.map(str::to_string),
            platforms: vec!["Linux".to_string()],
            exposure,
            verifies: Vec::new(),
            telemetry: Vec::new(),
            worst_open: Some(Severity::High),
            location: Default::default(),
        }
    }

    pub fn flow(from: &str, to: &str, crossing: bool) -> FlowSummary {
        FlowSummary {
            label: format!("{from}->{to}"),
            from: from.to_string(),
            to: to.to_string(),
            carries: Vec::new(),
            crosses_trust_boundary: crossing,
        }
    }

    pub fn model(systems: Vec<SystemSummary>, flows: Vec<FlowSummary>) -> ModelSummary {
        ModelSummary {
            file: "m.yaml".to_string(),
            name: "m".to_string(),
            description: None,
            actors: vec![ActorSummary {
                id: "a".to_string(),
                name: "Actor".to_string(),
                groups: Vec::new(),
                techniques: Vec::new(),
                exclude: Vec::new(),
                holds: vec!["leak".to_string()],
                entry: vec!["s0".to_string()],
                reaches: vec!["s0".to_string()],
                reaches_data: Vec::new(),
            }],
            systems,
            data: vec![
                DataSummary {
                    id: "leak".to_string(),
                    name: Some("Leaked images".to_string()),
                    kind: "id-card-image".to_string(),
                    sensitivity: "restricted",
                    records: Some(6_500_000),
                    stored_in: Vec::new(),
                    leaked_year: Some(2015),
                    leak_source: None,
                },
                DataSummary {
                    id: "db".to_string(),
                    name: None,
                    kind: "personal-data".to_string(),
                    sensitivity: "confidential",
                    records: Some(1),
                    stored_in: vec!["s1".to_string()],
                    leaked_year: None,
                    leak_source: None,
                },
            ],
            flows,
            controls: Vec::new(),
            accepted: Vec::new(),
        }
    }

    /// 50 systems over 6 owners in a chain with branches.
    pub fn large() -> ModelSummary {
        let owners = ["Bank", "Shop", "Vendor", "Registry", "Telco", "BPO"];
        let systems = (0..50)
            .map(|i| {
                system(
                    &format!("s{i}"),
                    if i % 13 == 12 {
                        None
                    } else {
                        Some(owners[i % owners.len()])
                    },
                    if i % 7 == 0 { "internet" } else { "internal" },
                )
            })
            .collect();
        let flows = (1..50)
            .map(|i| flow(&format!("s{}", (i - 1) / 2), &format!("s{i}"), i % 3 == 0))
            .collect();
        model(systems, flows)
    }
}

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
//! the summary names systems by id, and [`geometry::Links`] resolves its flows to system indices once,
//! for the layout and the routing both.

mod draw;
mod geometry;
mod layout;
mod legend;
mod route;
mod shapes;
mod text;

use super::ModelSummary;
use geometry::Links;

/// Renders the diagram of `model`. `prefix` makes the SVG's element ids unique in the page.
pub fn supply_chain(model: &ModelSummary, prefix: &str) -> String {
    let links = Links::new(model);
    let layout = layout::layout(model, &links);
    let lines = route::lines(model, &links, &layout);
    draw::svg(model, &layout, &lines, prefix)
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

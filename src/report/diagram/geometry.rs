//! The diagram's measures (box sizes, gaps, line heights, glyph widths) and its systems'
//! links, resolved once for the layout and the routing.

use std::collections::BTreeMap;

use crate::report::ModelSummary;

pub(super) const MARGIN: f64 = 20.0;
pub(super) const HEADER_H: f64 = 30.0;
pub(super) const SYS_W: f64 = 188.0;
pub(super) const COL_GAP: f64 = 86.0;
pub(super) const BAND_PAD_X: f64 = 16.0;
pub(super) const BAND_PAD_BOTTOM: f64 = 16.0;
pub(super) const BAND_GAP: f64 = 22.0;
pub(super) const STACK_GAP: f64 = 18.0;
pub(super) const STORE_INDENT: f64 = 12.0;
pub(super) const STORE_W: f64 = SYS_W - 2.0 * STORE_INDENT;
pub(super) const STORE_RY: f64 = 6.0;
pub(super) const ACTOR_W: f64 = 168.0;
pub(super) const LEAK_W: f64 = 160.0;
pub(super) const LEAK_GAP: f64 = 44.0;
pub(super) const ACTOR_GAP: f64 = 96.0;
pub(super) const NAME_LINE: f64 = 15.0;
pub(super) const META_LINE: f64 = 13.0;
/// Average glyph widths used to wrap text (system fonts at 12px and 10px).
pub(super) const NAME_CHAR: f64 = 7.2;
pub(super) const META_CHAR: f64 = 5.3;
pub(super) const LABEL_CHAR: f64 = 7.6;

/// The model's systems by id and its flows between them, resolved once.
pub(super) struct Links<'m> {
    /// Each system's index by id.
    pub(super) index: BTreeMap<&'m str, usize>,
    /// The systems each flow joins (from, to), in model order; `None` when an end is not a
    /// system of the model, or both ends are the same system.
    pub(super) flows: Vec<Option<(usize, usize)>>,
    /// For each system, the systems it flows into, once per flow, in model order.
    pub(super) forward: Vec<Vec<usize>>,
    /// For each system, the systems that flow into it, once per flow, in model order.
    pub(super) backward: Vec<Vec<usize>>,
}

impl<'m> Links<'m> {
    pub(super) fn new(model: &'m ModelSummary) -> Links<'m> {
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
    pub(super) fn system(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

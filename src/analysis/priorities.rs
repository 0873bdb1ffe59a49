//! Ranking the fixes: for each missing mitigation and detection strategy on each system, the
//! severity-weighted number of gap/partial exposures it would improve, so a report can lead
//! with "do these three things first".

use std::collections::HashMap;

use super::findings::{Exposure, Priority};

/// (model, kind, id, system): one fix on one system, borrowed from the exposures.
type FixKey<'e> = (&'e str, &'static str, &'e str, &'e str);
/// (name, score, exposures, techniques): what the fix would improve.
type FixGain<'e> = (&'e str, u32, usize, Vec<&'e str>);

pub fn priorities(exposures: &[Exposure]) -> Vec<Priority> {
    // Keys borrow from the exposures: a large model has hundreds of thousands of
    // (exposure, fix) pairs, and owned keys cost four allocations each.
    // A hash map: the output is sorted below on a total order, so the table's order is free.
    let mut table: HashMap<FixKey, FixGain, foldhash::fast::RandomState> = HashMap::default();
    for e in exposures.iter().filter(|e| e.is_open()) {
        let weight = e.severity.weight();
        let mitigations = e.mitigations.missing.iter().map(|m| ("mitigation", m));
        let strategies = e
            .detection
            .strategies
            .iter()
            .filter(|s| !e.detection.implemented.contains(&s.id))
            .map(|s| ("detection-strategy", s));
        for (kind, named) in mitigations.chain(strategies) {
            let entry = table
                .entry((&e.model, kind, &named.id, &e.system))
                .or_insert_with(|| (&named.name, 0, 0, Vec::new()));
            entry.1 += weight;
            entry.2 += 1;
            entry.3.push(&e.technique);
        }
    }
    let mut out: Vec<Priority> = table
        .into_iter()
        .map(
            |((model, kind, id, system), (name, score, exposures, mut techniques))| {
                techniques.sort_unstable();
                techniques.dedup();
                Priority {
                    model: model.to_string(),
                    kind,
                    id: id.to_string(),
                    name: name.to_string(),
                    system: system.to_string(),
                    score,
                    exposures,
                    techniques: techniques.into_iter().map(str::to_string).collect(),
                }
            },
        )
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.kind.cmp(b.kind))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.system.cmp(&b.system))
            .then_with(|| a.model.cmp(&b.model))
    });
    out
}

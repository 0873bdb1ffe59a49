//! Ranking the fixes: for each missing mitigation and detection strategy on each system, the
//! severity-weighted number of gap/partial exposures it would improve, so a report can lead
//! with "do these three things first".

use std::collections::BTreeMap;

use super::findings::{Exposure, Priority};

/// (model, kind, id, system): one fix on one system.
type FixKey = (String, &'static str, String, String);
/// (name, score, exposures, techniques): what the fix would improve.
type FixGain = (String, u32, usize, Vec<String>);

pub fn priorities(exposures: &[Exposure]) -> Vec<Priority> {
    let mut table: BTreeMap<FixKey, FixGain> = BTreeMap::new();
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
                .entry((e.model.clone(), kind, named.id.clone(), e.system.clone()))
                .or_insert_with(|| (named.name.clone(), 0, 0, Vec::new()));
            entry.1 += weight;
            entry.2 += 1;
            entry.3.push(e.technique.clone());
        }
    }
    let mut out: Vec<Priority> = table
        .into_iter()
        .map(
            |((model, kind, id, system), (name, score, exposures, mut techniques))| {
                techniques.sort();
                techniques.dedup();
                Priority {
                    model,
                    kind,
                    id,
                    name,
                    system,
                    score,
                    exposures,
                    techniques,
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

//! Findings: exposures grouped by (model, system, technique), what a person reads first. A
//! finding's risk is the sum over its open exposures, so a technique several actors converge on
//! rises; its severity is the highest among its open exposures. Ordered by risk, then on-path,
//! then ids.

use std::cmp::Reverse;
use std::collections::HashMap;

use super::findings::{Exposure, Finding};
use super::plan::status_rank;

pub fn findings(exposures: &[Exposure]) -> Vec<Finding> {
    // Hashed, not ordered: the findings are sorted on a total order below.
    let mut groups: HashMap<(&str, &str, &str), Vec<&Exposure>, foldhash::fast::RandomState> =
        HashMap::default();
    for e in exposures {
        groups
            .entry((&e.model, &e.system, &e.technique))
            .or_default()
            .push(e);
    }
    let mut out: Vec<Finding> = groups
        .into_values()
        .filter_map(|members| finding(&members))
        .collect();
    out.sort_by(|a, b| {
        (
            Reverse(a.risk),
            Reverse(a.on_path),
            &a.model,
            &a.system,
            &a.technique,
        )
            .cmp(&(
                Reverse(b.risk),
                Reverse(b.on_path),
                &b.model,
                &b.system,
                &b.technique,
            ))
    });
    out
}

fn finding(members: &[&Exposure]) -> Option<Finding> {
    let first = members.first()?;
    let open: Vec<&&Exposure> = members.iter().filter(|e| e.is_open()).collect();
    let worst = members
        .iter()
        .max_by_key(|e| status_rank(e.status))
        .map_or(first.status, |e| e.status);
    // The location of the strongest reason among the members.
    let located = members
        .iter()
        .max_by_key(|e| (e.evidence, Reverse(&e.location)))
        .unwrap_or(first);
    let mut actors: Vec<String> = members.iter().map(|e| e.actor.clone()).collect();
    actors.sort();
    actors.dedup();
    Some(Finding {
        model: first.model.clone(),
        system: first.system.clone(),
        technique: first.technique.clone(),
        technique_name: first.technique_name.clone(),
        framework: first.framework,
        tactics: first.tactics.clone(),
        status: worst,
        severity: open.iter().map(|e| e.severity).max(),
        risk: open.iter().map(|e| open_risk(e)).sum(),
        on_path: members.iter().any(|e| e.on_path),
        role: members.iter().map(|e| e.role).max().unwrap_or(first.role),
        evidence: members
            .iter()
            .map(|e| e.evidence)
            .max()
            .unwrap_or(first.evidence),
        visible: members.iter().any(|e| e.visible),
        actors,
        open: open.len(),
        recommended: first.recommended.clone(),
        location: located.location.clone(),
    })
}

/// The open risk of an exposure as the report shows it.
fn open_risk(e: &Exposure) -> u32 {
    if e.is_open() { e.risk } else { 0 }
}

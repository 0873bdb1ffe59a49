//! The gap engine: from a validated model and its ATT&CK release, which techniques reach which
//! systems ([`scope`]), how well each is mitigated and detected ([`coverage`]), how bad each gap
//! is ([`severity`]), what to fix first ([`priorities`]), which paths lead to sensitive data
//! ([`paths`]) and what the actors do before touching anything ([`preparation`]).
//!
//! Everything here is plain data out; renderers turn it into reports.

pub mod coverage;
pub mod findings;
pub mod paths;
pub mod preparation;
pub mod priorities;
pub mod scope;
pub mod severity;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::attack::{Kind, KnowledgeBase};
use crate::diag::Position;
use crate::graph::SupplyChain;
use crate::model::Model;
use crate::model::date::Date;
use crate::model::format::ControlStatus;
use crate::model::located::Located;
use findings::*;

/// Knobs of one analysis.
#[derive(Debug, Clone)]
pub struct Options {
    /// Paths per (actor, data asset) pair (`--paths`).
    pub paths_per_pair: usize,
    /// Controls whose status is assumed (`--assume CONTROL=implemented`).
    pub assume: Vec<(String, ControlStatus)>,
    /// The day acceptances are judged on.
    pub today: Date,
    /// Most path searches in one analysis.
    pub path_budget: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            paths_per_pair: 3,
            assume: Vec::new(),
            today: Date::today(),
            path_budget: paths::PATH_SEARCH_BUDGET,
        }
    }
}

/// What the engine found in one model.
#[derive(Debug, Clone, Default)]
pub struct ModelAnalysis {
    pub exposures: Vec<Exposure>,
    pub preparation: Vec<Preparation>,
    pub priorities: Vec<Priority>,
    pub paths: Vec<AttackPath>,
    pub drift: Vec<Drift>,
    pub warnings: Vec<String>,
    pub what_if: Vec<WhatIfChange>,
    /// Per actor, every technique it brings (for graphs).
    pub actor_techniques: Vec<Vec<String>>,
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("--assume names `{0}`, which is not a control of {1}")]
    UnknownControl(String, String),
}

/// Analyses a model; with assumptions, also says what they change.
pub fn analyze(
    model: &Model,
    kb: &KnowledgeBase,
    options: &Options,
) -> Result<ModelAnalysis, AnalysisError> {
    if options.assume.is_empty() {
        return Ok(run(model, kb, options));
    }
    let mut assumed = model.clone();
    for (control, status) in &options.assume {
        match assumed.controls.iter_mut().find(|c| &c.id.value == control) {
            Some(c) => c.status = *status,
            None => {
                return Err(AnalysisError::UnknownControl(
                    control.clone(),
                    model.file.clone(),
                ));
            }
        }
    }
    let before = run(model, kb, options);
    let mut after = run(&assumed, kb, options);
    after.what_if = what_if(&before.exposures, &after.exposures);
    Ok(after)
}

fn run(model: &Model, kb: &KnowledgeBase, options: &Options) -> ModelAnalysis {
    let chain = SupplyChain::build(model, &[]);
    let scope = scope::scope(model, kb, &chain);
    let defences: Vec<coverage::SystemDefences> = (0..model.systems.len())
        .map(|s| coverage::SystemDefences::of(model, kb, s))
        .collect();
    let impacts = severity::impacts(model);
    let mut used_acceptances = BTreeSet::new();
    let mut exposures: Vec<Exposure> = scope
        .exposures
        .iter()
        .map(|scoped| {
            exposure(
                model,
                kb,
                options.today,
                &defences,
                &impacts,
                scoped,
                &mut used_acceptances,
            )
        })
        .collect();
    exposures.sort_by(|a, b| exposure_order(a).cmp(&exposure_order(b)));

    let supplied = coverage::Telemetry::union(defences.iter().map(|d| &d.telemetry));
    let preparation = scope
        .preparation
        .iter()
        .enumerate()
        .flat_map(|(a, list)| {
            let actor = model.actors[a].id.value.clone();
            let supplied = &supplied;
            list.iter()
                .map(move |&t| preparation::preparation(kb, &model.file, &actor, t, supplied))
        })
        .collect();

    // Each actor's gap techniques per system, in one pass over the exposures.
    let system_of: HashMap<&str, usize> = model
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.value.as_str(), i))
        .collect();
    let actor_of: HashMap<&str, usize> = model
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.value.as_str(), i))
        .collect();
    let mut gaps_by_actor: Vec<BTreeMap<usize, Vec<String>>> =
        vec![BTreeMap::new(); model.actors.len()];
    for e in exposures.iter().filter(|e| e.status == Status::Gap) {
        if let (Some(&a), Some(&s)) = (
            actor_of.get(e.actor.as_str()),
            system_of.get(e.system.as_str()),
        ) {
            gaps_by_actor[a]
                .entry(s)
                .or_default()
                .push(e.technique.clone());
        }
    }
    let actor_gaps: Vec<paths::ActorGaps> = gaps_by_actor
        .into_iter()
        .enumerate()
        .map(|(a, mut gaps)| {
            for list in gaps.values_mut() {
                list.sort();
                list.dedup();
            }
            paths::ActorGaps { actor: a, gaps }
        })
        .collect();
    let search = paths::attack_paths(
        model,
        &chain,
        &actor_gaps,
        options.paths_per_pair,
        options.path_budget,
    );

    let mut warnings = Vec::new();
    if search.truncated {
        warnings.push(format!(
            "{}: attack-path search stopped after {} searches (the path search budget); some paths are not listed",
            model.file, options.path_budget
        ));
    }
    for (i, a) in model.accepted.iter().enumerate() {
        if a.expires < options.today {
            warnings.push(format!(
                "{}:{}: the acceptance of {} expired on {}; the exposure counts again ({} should review it)",
                model.file,
                a.position.map_or(0, |p| p.line),
                a.technique,
                a.expires,
                a.owner
            ));
        } else if !used_acceptances.contains(&i) {
            warnings.push(format!(
                "{}:{}: the acceptance of {} matches no exposure",
                model.file,
                a.position.map_or(0, |p| p.line),
                a.technique
            ));
        }
    }
    ModelAnalysis {
        priorities: priorities::priorities(&exposures),
        exposures,
        preparation,
        paths: search.paths,
        drift: drift(model, kb),
        warnings,
        what_if: Vec::new(),
        actor_techniques: scope.actor_techniques,
    }
}

/// Open findings first, worst first; then a stable order by ids.
fn exposure_order(e: &Exposure) -> (Reverse<Severity>, u8, &str, &str, &str, &str) {
    let status = match e.status {
        Status::Gap => 0,
        Status::Partial => 1,
        Status::Accepted => 2,
        Status::Covered => 3,
    };
    (
        Reverse(e.severity),
        status,
        &e.model,
        &e.actor,
        &e.technique,
        &e.system,
    )
}

fn exposure(
    model: &Model,
    kb: &KnowledgeBase,
    today: Date,
    defences: &[coverage::SystemDefences],
    impacts: &[u8],
    scoped: &scope::Scoped,
    used_acceptances: &mut BTreeSet<usize>,
) -> Exposure {
    let system = &model.systems[scoped.system];
    let technique = &kb.techniques[scoped.technique as usize];
    let assessment = coverage::assess(
        kb,
        &system.platforms,
        &defences[scoped.system],
        scoped.technique,
    );
    let parent_id = technique
        .parent
        .map(|p| kb.techniques[p as usize].meta.attack_id.as_str());
    let acceptance = model.accepted.iter().enumerate().find(|(_, a)| {
        (a.technique == technique.meta.attack_id || Some(a.technique.as_str()) == parent_id)
            && a.system.is_none_or(|s| s == scoped.system)
            && a.actor.is_none_or(|x| x == scoped.actor)
            && a.expires >= today
    });
    let impact = impacts[scoped.system];
    let likelihood = severity::likelihood(model, scoped.system);
    let score = impact * likelihood;
    let computed = severity::severity(score, assessment.status);
    let status = if acceptance.is_some() {
        Status::Accepted
    } else {
        assessment.status
    };
    if let Some((i, _)) = acceptance {
        used_acceptances.insert(i);
    }
    Exposure {
        model: model.file.clone(),
        actor: model.actors[scoped.actor].id.value.clone(),
        technique: technique.meta.attack_id.clone(),
        technique_name: technique.meta.name.clone(),
        tactics: technique.tactics.clone(),
        system: system.id.value.clone(),
        status,
        severity: computed,
        score,
        impact,
        likelihood,
        reasons: scoped.reasons.clone(),
        mitigations: assessment.mitigations,
        detection: assessment.detection,
        controls: assessment.controls,
        acceptance: acceptance.map(|(_, a)| AcceptanceNote {
            owner: a.owner.clone(),
            reason: a.reason.clone(),
            expires: a.expires.to_string(),
        }),
        location: location(&model.file, scoped.position),
        trend: None,
    }
}

pub fn location(file: &str, position: Option<Position>) -> SourceLocation {
    SourceLocation {
        file: file.to_string(),
        line: position.map_or(1, |p| p.line),
        column: position.map_or(1, |p| p.column),
    }
}

/// Every ATT&CK reference of a model with the kind it must have.
pub fn attack_references(model: &Model) -> Vec<(&Located<String>, Kind)> {
    let mut out = Vec::new();
    for a in &model.actors {
        out.extend(a.groups.iter().map(|g| (g, Kind::Group)));
        out.extend(a.techniques.iter().map(|t| (t, Kind::Technique)));
        out.extend(
            a.exclude
                .iter()
                .filter(|t| Kind::from_attack_id(&t.value).is_some())
                .map(|t| (t, Kind::Technique)),
        );
    }
    for c in &model.controls {
        out.extend(c.mitigations.iter().map(|m| (m, Kind::Mitigation)));
        out.extend(c.detections.iter().map(|d| (d, Kind::DetectionStrategy)));
        out.extend(c.counters.iter().map(|t| (t, Kind::Technique)));
        out.extend(c.detects.iter().map(|t| (t, Kind::Technique)));
    }
    for t in &model.threats {
        out.push((&t.technique, Kind::Technique));
    }
    out.extend(model.reuse_techniques.iter().map(|t| (t, Kind::Technique)));
    out.extend(model.trust_techniques.iter().map(|t| (t, Kind::Technique)));
    out
}

/// References to deprecated or revoked ATT&CK objects, with ATT&CK's replacement.
fn drift(model: &Model, kb: &KnowledgeBase) -> Vec<Drift> {
    let mut out = Vec::new();
    for (reference, kind) in attack_references(model) {
        let Some(object) = kb.lookup(&reference.value, Some(kind)) else {
            continue;
        };
        let meta = kb.meta(object);
        if meta.is_active() {
            continue;
        }
        out.push(Drift {
            model: model.file.clone(),
            id: meta.attack_id.clone(),
            name: meta.name.clone(),
            state: if meta.revoked {
                "revoked"
            } else {
                "deprecated"
            },
            replaced_by: kb.final_replacement(object).map(|o| kb.named_one(o)),
            location: location(&model.file, reference.position),
        });
    }
    out
}

fn what_if(before: &[Exposure], after: &[Exposure]) -> Vec<WhatIfChange> {
    let key = |e: &Exposure| {
        (
            e.model.clone(),
            e.actor.clone(),
            e.technique.clone(),
            e.system.clone(),
        )
    };
    let old: BTreeMap<_, StatusSeverity> = before
        .iter()
        .map(|e| {
            (
                key(e),
                StatusSeverity {
                    status: e.status,
                    severity: e.severity,
                },
            )
        })
        .collect();
    let mut out: Vec<WhatIfChange> = after
        .iter()
        .filter_map(|e| {
            let now = StatusSeverity {
                status: e.status,
                severity: e.severity,
            };
            let was = *old.get(&key(e))?;
            (was != now).then(|| WhatIfChange {
                model: e.model.clone(),
                actor: e.actor.clone(),
                technique: e.technique.clone(),
                system: e.system.clone(),
                before: was,
                after: now,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.model, &a.actor, &a.technique, &a.system).cmp(&(
            &b.model,
            &b.actor,
            &b.technique,
            &b.system,
        ))
    });
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;

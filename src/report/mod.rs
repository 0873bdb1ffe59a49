//! Reports: the analysis of one or more models as one document, and its renderings.
//!
//! [`Report`] is the stable JSON contract (`atkmap report --format json`); every other format
//! is rendered from it.

use crate::attack::Framework;
use std::collections::{BTreeMap, BTreeSet};

pub mod baseline;
pub mod build;
pub(crate) mod diagram;
pub(crate) mod for_templates;
pub mod html;
mod html_views;
pub mod markdown;
pub mod navigator;
pub mod render;
pub mod sarif;
pub mod templates;

use serde::Serialize;

use crate::analysis::ModelAnalysis;
use crate::analysis::findings::*;
use crate::attack::KnowledgeBase;
use crate::model::Model;
use crate::model::format::{ControlStatus, Reachability, Sensitivity};

/// A baseline exposure that is no longer in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoneExposure {
    pub actor: String,
    pub technique: String,
    pub system: String,
    pub status: String,
    pub severity: String,
}

/// The comparison at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The baseline report file.
    pub file: String,
    pub new: usize,
    pub worse: usize,
    pub unchanged: usize,
    pub better: usize,
    pub gone: usize,
    /// Open exposures (gap or partial) that are new, or were not open before.
    pub new_open: usize,
    /// Baseline open exposures that are gone or no longer open.
    pub closed: usize,
}

/// The ATT&CK data a report was computed on.
#[derive(Debug, Clone, Serialize)]
pub struct AttackSource {
    pub domain: String,
    pub version: String,
    /// The bundle file as located (path given or found).
    pub file: String,
    pub sha256: String,
    /// The release's tactics in matrix order.
    pub tactics: Vec<TacticRef>,
    /// Every technique the report mentions, and their parents, sorted by ID.
    pub techniques: Vec<TechniqueRef>,
    /// The companion knowledge bases (F3, ATLAS) evaluated with the release.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<CompanionSource>,
    /// The bundle is MITRE's file for the release (its SHA-256 is one atkmap ships); written
    /// only when it is not (`false`), with a warning saying why.
    #[serde(skip_serializing_if = "is_true")]
    pub official: bool,
}

fn is_true(value: &bool) -> bool {
    *value
}

/// A companion knowledge base a report was computed with, and its matrix.
#[derive(Debug, Clone, Serialize)]
pub struct CompanionSource {
    /// `f3`, `atlas`.
    pub id: &'static str,
    /// `F3`, `ATLAS`.
    pub name: &'static str,
    pub version: String,
    /// The file as located, and its SHA-256 (set by whoever loaded it).
    pub file: String,
    pub sha256: String,
    /// The file is byte for byte one MITRE published.
    pub official: bool,
    pub site: &'static str,
    /// The companion's tactics in its matrix order.
    pub tactics: Vec<TacticRef>,
    /// The techniques the report mentions that the companion's matrix holds (its own, and the
    /// ATT&CK techniques it re-uses), with the tactics it gives them, sorted by ID.
    pub techniques: Vec<TechniqueRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TacticRef {
    pub id: String,
    pub shortname: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TechniqueRef {
    pub id: String,
    pub name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    pub tactics: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// What a report says about each model: enough for reviewers to check the model itself
/// (flows table, data dictionary) and for renderers to draw it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub actors: Vec<ActorSummary>,
    pub systems: Vec<SystemSummary>,
    pub data: Vec<DataSummary>,
    pub flows: Vec<FlowSummary>,
    pub controls: Vec<ControlSummary>,
    pub accepted: Vec<AcceptanceSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorSummary {
    pub id: String,
    pub name: String,
    pub groups: Vec<String>,
    pub techniques: Vec<String>,
    pub exclude: Vec<String>,
    pub holds: Vec<String>,
    pub entry: Vec<String>,
    /// The systems it can get to: footholds and walkable steps (rules 2).
    pub reaches: Vec<String>,
    /// The data assets on or flowing through the systems it reaches.
    pub reaches_data: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub platforms: Vec<String>,
    pub exposure: &'static str,
    pub verifies: Vec<String>,
    pub telemetry: Vec<String>,
    /// The worst severity among the system's open exposures, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_open: Option<Severity>,
    /// Where the model declares it (SARIF places group-inferred findings there).
    #[serde(skip)]
    pub location: SourceLocation,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataSummary {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: String,
    pub sensitivity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    pub stored_in: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaked_year: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leak_source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowSummary {
    pub label: String,
    pub from: String,
    pub to: String,
    pub carries: Vec<String>,
    pub crosses_trust_boundary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlSummary {
    pub id: String,
    pub name: String,
    pub status: ControlStatus,
    pub mitigations: Vec<String>,
    pub detections: Vec<String>,
    pub counters: Vec<String>,
    pub detects: Vec<String>,
    pub applies_to: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceSummary {
    pub technique: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub owner: String,
    pub reason: String,
    pub expires: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub exposures: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    /// Severity of every exposure.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Severity of the open ones (gap or partial, not accepted): what the CI gate looks at.
    pub open_by_severity: BTreeMap<&'static str, usize>,
    /// Covered exposures as a share of those not accepted, 0-100, one decimal.
    pub coverage_percent: f64,
    pub paths: usize,
    /// The sum of the risk of the open exposures: what the fix plan lowers.
    pub open_risk: u64,
    /// Findings (exposures grouped by system and technique).
    pub findings: usize,
    /// Findings with at least one open exposure.
    pub open_findings: usize,
    /// Open findings by their severity.
    pub open_findings_by_severity: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    pub control: String,
    pub status: ControlStatus,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub generator: Generator,
    pub attack: AttackSource,
    pub models: Vec<ModelSummary>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
    /// Exposures grouped by (system, technique), most open risk first: what to read first.
    pub findings: Vec<Finding>,
    /// The fix plan: the few fixes that cut the most attack paths, then the most open risk.
    pub plan: Vec<PlanStep>,
    pub exposures: Vec<Exposure>,
    pub preparation: Vec<Preparation>,
    pub priorities: Vec<Priority>,
    pub paths: Vec<AttackPath>,
    pub drift: Vec<Drift>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfChange>,
    /// The comparison with a baseline report (`--baseline`), when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// Baseline exposures no longer in scope.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<GoneExposure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
    /// The version of the gap engine's rules (README, "How the gap engine decides").
    pub rules: u32,
}

impl Report {
    /// Assembles a report from the analyses of several models (all on one release).
    pub fn assemble(
        kb: &KnowledgeBase,
        bundle_file: &str,
        sha256: &str,
        analysed: Vec<(&Model, ModelAnalysis)>,
        assumptions: Vec<Assumption>,
        mut warnings: Vec<String>,
    ) -> Report {
        let mut report = Report {
            generator: Generator {
                name: "atkmap",
                version: env!("CARGO_PKG_VERSION"),
                rules: crate::analysis::RULES_VERSION,
            },
            attack: AttackSource {
                domain: kb.release.domain.clone(),
                version: kb.release.version.clone(),
                file: bundle_file.to_string(),
                sha256: sha256.to_string(),
                tactics: kb
                    .tactics
                    .iter()
                    .filter(|t| t.meta.is_active() && t.meta.framework.is_attack())
                    .map(|t| TacticRef {
                        id: t.meta.attack_id.clone(),
                        shortname: t.shortname.clone(),
                        name: t.meta.name.clone(),
                    })
                    .collect(),
                techniques: Vec::new(),
                frameworks: Vec::new(),
                official: true,
            },
            models: Vec::new(),
            summary: Summary::default(),
            assumptions,
            findings: Vec::new(),
            plan: Vec::new(),
            exposures: Vec::new(),
            preparation: Vec::new(),
            priorities: Vec::new(),
            paths: Vec::new(),
            drift: Vec::new(),
            warnings: Vec::new(),
            what_if: Vec::new(),
            baseline: None,
            gone: Vec::new(),
        };
        // The companions the report's models pin (the release may carry others).
        let pinned: Vec<Framework> = analysed
            .iter()
            .flat_map(|(m, _)| m.frameworks.iter().copied())
            .collect();
        for (model, analysis) in analysed {
            report.models.push(summarize_model(model, &analysis));
            report.findings.extend(analysis.findings);
            report.plan.extend(analysis.plan);
            report.summary.open_risk += analysis.open_risk;
            report.exposures.extend(analysis.exposures);
            report.preparation.extend(analysis.preparation);
            report.priorities.extend(analysis.priorities);
            report.paths.extend(analysis.paths);
            report.drift.extend(analysis.drift);
            warnings.extend(analysis.warnings);
            report.what_if.extend(analysis.what_if);
        }
        report.priorities.sort_by(|a, b| {
            b.removes_risk.cmp(&a.removes_risk).then_with(|| {
                (&a.model, a.kind, &a.id, &a.system).cmp(&(&b.model, b.kind, &b.id, &b.system))
            })
        });
        report.findings.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.risk),
                std::cmp::Reverse(a.on_path),
                &a.model,
                &a.system,
                &a.technique,
            )
                .cmp(&(
                    std::cmp::Reverse(b.risk),
                    std::cmp::Reverse(b.on_path),
                    &b.model,
                    &b.system,
                    &b.technique,
                ))
        });
        report.warnings = warnings;
        report.attack.techniques = technique_catalog(kb, &report);
        report.attack.frameworks = kb
            .companions
            .iter()
            .filter(|c| pinned.contains(&c.framework))
            .map(|c| companion_source(kb, c, &report.attack.techniques))
            .collect();
        let open_risk = report.summary.open_risk;
        report.summary = summarize(&report.exposures, &report.findings, report.paths.len());
        report.summary.open_risk = open_risk;
        report
    }

    /// The exposures that fail a gate at `threshold`: open, and at or above it; with
    /// `only_regressions`, also new or worse than in the baseline.
    pub fn failing(
        &self,
        threshold: Severity,
        only_regressions: bool,
    ) -> impl Iterator<Item = &Exposure> {
        self.exposures.iter().filter(move |e| {
            e.is_open()
                && e.severity >= threshold
                && (!only_regressions || e.trend.is_none_or(Trend::is_regression))
        })
    }
}

/// A finding that fails the gate: the failing exposures of one (model, system, technique).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingFinding {
    pub severity: Severity,
    pub risk: u32,
    pub technique: String,
    pub technique_name: String,
    pub system: String,
    pub actors: Vec<String>,
    /// Where the most severe of its failing exposures comes from in the model.
    pub location: SourceLocation,
}

impl Report {
    /// The findings that fail a gate, worst first (severity, then risk, then ids).
    pub fn failing_findings(
        &self,
        threshold: Severity,
        only_regressions: bool,
    ) -> Vec<FailingFinding> {
        let mut by_key: BTreeMap<(&str, &str, &str), FailingFinding> = BTreeMap::new();
        for e in self.failing(threshold, only_regressions) {
            let entry = by_key
                .entry((&e.model, &e.system, &e.technique))
                .or_insert_with(|| FailingFinding {
                    severity: e.severity,
                    risk: 0,
                    technique: e.technique.clone(),
                    technique_name: e.technique_name.clone(),
                    system: e.system.clone(),
                    actors: Vec::new(),
                    location: e.location.clone(),
                });
            if e.severity > entry.severity {
                entry.severity = e.severity;
                entry.location = e.location.clone();
            }
            entry.risk += e.risk;
            if !entry.actors.contains(&e.actor) {
                entry.actors.push(e.actor.clone());
                entry.actors.sort();
            }
        }
        let mut out: Vec<FailingFinding> = by_key.into_values().collect();
        out.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.severity),
                std::cmp::Reverse(a.risk),
                &a.location,
                &a.technique,
            )
                .cmp(&(
                    std::cmp::Reverse(b.severity),
                    std::cmp::Reverse(b.risk),
                    &b.location,
                    &b.technique,
                ))
        });
        out
    }
}

/// The techniques a report mentions (exposures, preparation) with their parents.
fn technique_catalog(kb: &KnowledgeBase, report: &Report) -> Vec<TechniqueRef> {
    let mut ids: BTreeSet<&str> = report
        .exposures
        .iter()
        .map(|e| e.technique.as_str())
        .collect();
    ids.extend(report.preparation.iter().map(|p| p.technique.as_str()));
    let mut out: BTreeMap<String, TechniqueRef> = BTreeMap::new();
    for id in ids {
        let Some(t) = kb.technique_index(id) else {
            continue;
        };
        let technique = &kb.techniques[t as usize];
        let parent = technique.parent.map(|p| &kb.techniques[p as usize]);
        for entry in std::iter::once(technique).chain(parent) {
            out.entry(entry.meta.attack_id.clone())
                .or_insert_with(|| TechniqueRef {
                    id: entry.meta.attack_id.clone(),
                    name: entry.meta.name.clone(),
                    framework: entry.meta.framework,
                    tactics: entry.tactics.clone(),
                    parent: entry
                        .parent
                        .map(|p| kb.techniques[p as usize].meta.attack_id.clone()),
                });
        }
    }
    out.into_values().collect()
}

/// A companion's part of a report: its tactics, and the mentioned techniques in its matrix.
fn companion_source(
    kb: &KnowledgeBase,
    companion: &crate::attack::Companion,
    mentioned: &[TechniqueRef],
) -> CompanionSource {
    let framework = companion.framework;
    let techniques = mentioned
        .iter()
        .filter_map(|m| {
            let index = kb.technique_index(&m.id)?;
            let (_, tactics) = companion.techniques.iter().find(|(t, _)| *t == index)?;
            Some(TechniqueRef {
                tactics: tactics.clone(),
                ..m.clone()
            })
        })
        .collect();
    CompanionSource {
        id: framework.label(),
        name: framework.title(),
        version: companion.release.version.clone(),
        file: String::new(),
        sha256: String::new(),
        official: false,
        site: framework.site(),
        tactics: companion
            .tactics
            .iter()
            .map(|&t| &kb.tactics[t as usize])
            .filter(|t| t.meta.is_active())
            .map(|t| TacticRef {
                id: t.meta.attack_id.clone(),
                shortname: t.shortname.clone(),
                name: t.meta.name.clone(),
            })
            .collect(),
        techniques,
    }
}

/// Each system's worst open severity, by system id.
pub fn worst_open_by_system(
    analysis: &ModelAnalysis,
) -> std::collections::BTreeMap<&str, Severity> {
    let mut worst = std::collections::BTreeMap::new();
    for e in analysis.exposures.iter().filter(|e| e.is_open()) {
        let w = worst.entry(e.system.as_str()).or_insert(e.severity);
        *w = (*w).max(e.severity);
    }
    worst
}

fn summarize_model(model: &Model, analysis: &ModelAnalysis) -> ModelSummary {
    let worst_open = worst_open_by_system(analysis);
    let systems = |ids: &[usize]| -> Vec<String> {
        ids.iter()
            .map(|&s| model.systems[s].id.value.clone())
            .collect()
    };
    let data = |ids: &[usize]| -> Vec<String> {
        ids.iter()
            .map(|&d| model.data[d].id.value.clone())
            .collect()
    };
    let reach = &analysis.reach;
    let strings = |list: &[crate::model::located::Located<String>]| -> Vec<String> {
        list.iter().map(|l| l.value.clone()).collect()
    };
    ModelSummary {
        file: model.file.clone(),
        name: model.name.clone(),
        description: model.description.clone(),
        actors: model
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| ActorSummary {
                id: a.id.value.clone(),
                name: a.name.clone(),
                groups: strings(&a.groups),
                techniques: strings(&a.techniques),
                exclude: strings(&a.exclude),
                holds: data(&a.holds),
                entry: systems(&a.entry),
                reaches: reach.get(i).map(|r| r.systems.clone()).unwrap_or_default(),
                reaches_data: reach.get(i).map(|r| r.data.clone()).unwrap_or_default(),
            })
            .collect(),
        systems: model
            .systems
            .iter()
            .map(|s| SystemSummary {
                id: s.id.value.clone(),
                name: s.name.clone(),
                owner: s.owner.clone(),
                platforms: s.platforms.clone(),
                exposure: match s.exposure {
                    Reachability::Internet => "internet",
                    Reachability::Partner => "partner",
                    Reachability::Internal => "internal",
                },
                verifies: s.verifies.clone(),
                telemetry: strings(&s.telemetry),
                worst_open: worst_open.get(s.id.value.as_str()).copied(),
                location: crate::analysis::location(&model.file, s.id.position),
            })
            .collect(),
        data: model
            .data
            .iter()
            .map(|d| DataSummary {
                id: d.id.value.clone(),
                name: d.name.clone(),
                kind: d.kind.clone(),
                sensitivity: match d.sensitivity {
                    Sensitivity::Public => "public",
                    Sensitivity::Internal => "internal",
                    Sensitivity::Confidential => "confidential",
                    Sensitivity::Restricted => "restricted",
                },
                records: d.records,
                stored_in: systems(&d.stored_in),
                leaked_year: d.leaked.as_ref().map(|l| l.year),
                leak_source: d.leaked.as_ref().and_then(|l| l.source.clone()),
            })
            .collect(),
        flows: model
            .flows
            .iter()
            .map(|f| FlowSummary {
                label: f.label.clone(),
                from: model.systems[f.from].id.value.clone(),
                to: model.systems[f.to].id.value.clone(),
                carries: data(&f.carries),
                crosses_trust_boundary: f.crosses_trust_boundary,
            })
            .collect(),
        controls: model
            .controls
            .iter()
            .map(|c| ControlSummary {
                id: c.id.value.clone(),
                name: c.name.clone(),
                status: c.status,
                mitigations: strings(&c.mitigations),
                detections: strings(&c.detections),
                counters: strings(&c.counters),
                detects: strings(&c.detects),
                applies_to: systems(&c.applies_to),
            })
            .collect(),
        accepted: model
            .accepted
            .iter()
            .map(|a| AcceptanceSummary {
                technique: a.technique.clone(),
                system: a.system.map(|s| model.systems[s].id.value.clone()),
                actor: a.actor.map(|x| model.actors[x].id.value.clone()),
                owner: a.owner.clone(),
                reason: a.reason.clone(),
                expires: a.expires.to_string(),
            })
            .collect(),
    }
}

fn summarize(exposures: &[Exposure], findings: &[Finding], paths: usize) -> Summary {
    let mut summary = Summary {
        exposures: exposures.len(),
        paths,
        findings: findings.len(),
        open_findings: findings.iter().filter(|f| f.is_open()).count(),
        ..Summary::default()
    };
    for severity in Severity::ALL {
        summary
            .open_findings_by_severity
            .insert(severity.label(), 0);
    }
    for f in findings {
        if let Some(severity) = f.severity {
            *summary
                .open_findings_by_severity
                .entry(severity.label())
                .or_default() += 1;
        }
    }
    for status in [
        Status::Covered,
        Status::Partial,
        Status::Gap,
        Status::Accepted,
    ] {
        summary.by_status.insert(status.label(), 0);
    }
    for severity in Severity::ALL {
        summary.by_severity.insert(severity.label(), 0);
        summary.open_by_severity.insert(severity.label(), 0);
    }
    for e in exposures {
        *summary.by_status.entry(e.status.label()).or_default() += 1;
        *summary.by_severity.entry(e.severity.label()).or_default() += 1;
        if e.is_open() {
            *summary
                .open_by_severity
                .entry(e.severity.label())
                .or_default() += 1;
        }
    }
    let assessed = exposures
        .iter()
        .filter(|e| e.status != Status::Accepted)
        .count();
    let covered = exposures
        .iter()
        .filter(|e| e.status == Status::Covered)
        .count();
    summary.coverage_percent = if assessed == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / assessed as f64).round() / 10.0
    };
    summary
}

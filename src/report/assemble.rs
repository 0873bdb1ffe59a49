//! Assembling the report document from analyses: the models' summaries, the techniques the
//! report mentions (with each companion's part), totals, and the gate's view of what fails.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::analysis::ModelAnalysis;
use crate::attack::{Framework, KnowledgeBase};
use crate::model::Model;
use crate::model::format::{Reachability, Sensitivity};
use crate::model::resolved::{DataId, SystemId};

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
    let systems = |ids: &[SystemId]| -> Vec<String> {
        ids.iter()
            .map(|&s| model.systems[s].id.value.clone())
            .collect()
    };
    let data = |ids: &[DataId]| -> Vec<String> {
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
    summary.coverage_percent = coverage_percent(exposures);
    summary
}

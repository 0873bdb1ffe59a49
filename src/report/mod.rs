//! Reports: the analysis of one or more models as one document, and its renderings.
//!
//! [`Report`] is the stable JSON contract (`atkmap report --format json`); every other format
//! is rendered from it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::ModelAnalysis;
use crate::analysis::findings::*;
use crate::attack::Release;
use crate::model::Model;
use crate::model::format::ControlStatus;

/// The ATT&CK data a report was computed on.
#[derive(Debug, Clone, Serialize)]
pub struct AttackSource {
    pub domain: String,
    pub version: String,
    /// The bundle file as located (path given or found).
    pub file: String,
    pub sha256: String,
}

/// What a report says about each model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub actors: usize,
    pub systems: usize,
    pub data: usize,
    pub flows: usize,
    pub controls: usize,
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
    pub exposures: Vec<Exposure>,
    pub preparation: Vec<Preparation>,
    pub priorities: Vec<Priority>,
    pub paths: Vec<AttackPath>,
    pub drift: Vec<Drift>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

impl Report {
    /// Assembles a report from the analyses of several models (all on one release).
    pub fn assemble(
        release: &Release,
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
            },
            attack: AttackSource {
                domain: release.domain.clone(),
                version: release.version.clone(),
                file: bundle_file.to_string(),
                sha256: sha256.to_string(),
            },
            models: Vec::new(),
            summary: Summary::default(),
            assumptions,
            exposures: Vec::new(),
            preparation: Vec::new(),
            priorities: Vec::new(),
            paths: Vec::new(),
            drift: Vec::new(),
            warnings: Vec::new(),
            what_if: Vec::new(),
        };
        for (model, analysis) in analysed {
            report.models.push(ModelSummary {
                file: model.file.clone(),
                name: model.name.clone(),
                description: model.description.clone(),
                actors: model.actors.len(),
                systems: model.systems.len(),
                data: model.data.len(),
                flows: model.flows.len(),
                controls: model.controls.len(),
            });
            report.exposures.extend(analysis.exposures);
            report.preparation.extend(analysis.preparation);
            report.priorities.extend(analysis.priorities);
            report.paths.extend(analysis.paths);
            report.drift.extend(analysis.drift);
            warnings.extend(analysis.warnings);
            report.what_if.extend(analysis.what_if);
        }
        report.priorities.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                (&a.model, a.kind, &a.id, &a.system).cmp(&(&b.model, b.kind, &b.id, &b.system))
            })
        });
        report.warnings = warnings;
        report.summary = summarize(&report.exposures, report.paths.len());
        report
    }

    /// The exposures that fail a gate at `threshold`: open, and at or above it.
    pub fn failing(&self, threshold: Severity) -> impl Iterator<Item = &Exposure> {
        self.exposures
            .iter()
            .filter(move |e| e.is_open() && e.severity >= threshold)
    }
}

fn summarize(exposures: &[Exposure], paths: usize) -> Summary {
    let mut summary = Summary {
        exposures: exposures.len(),
        paths,
        ..Summary::default()
    };
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

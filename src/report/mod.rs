//! Reports: the analysis of one or more models as one document, and its renderings.
//!
//! [`Report`] is the stable JSON contract (`atkmap report --format json`); every other format
//! is rendered from it.

use crate::attack::Framework;
use std::collections::BTreeMap;

pub(crate) mod assemble;
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

use crate::analysis::findings::*;
use crate::model::format::ControlStatus;

/// A baseline exposure that is no longer in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoneExposure {
    /// The actor's id, as the baseline names it.
    pub actor: String,
    /// The technique's ID.
    pub technique: String,
    /// The system's id.
    pub system: String,
    /// Its status in the baseline, as written there.
    pub status: String,
    /// Its severity in the baseline, as written there.
    pub severity: String,
}

/// The comparison at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The baseline report file.
    pub file: String,
    /// Exposures no baseline exposure matches on (actor, technique, system).
    pub new: usize,
    /// Exposures more open than in the baseline, or as open and more severe.
    pub worse: usize,
    /// Exposures as open as in the baseline, with the same severity if open.
    pub unchanged: usize,
    /// Exposures less open than in the baseline, or as open and less severe.
    pub better: usize,
    /// Baseline exposures no longer in scope (listed in the report's `gone`).
    pub gone: usize,
    /// Open exposures (gap or partial) that are new, or were not open before.
    pub new_open: usize,
    /// Baseline open exposures that are gone or no longer open.
    pub closed: usize,
}

/// The ATT&CK data a report was computed on.
#[derive(Debug, Clone, Serialize)]
pub struct AttackSource {
    /// `enterprise`, `mobile` or `ics`.
    pub domain: String,
    /// The release (`18.1`); empty when the bundle does not say.
    pub version: String,
    /// The bundle file as located (path given or found).
    pub file: String,
    /// The bundle file's SHA-256, lower-case hex.
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
    /// The companion's release (`1.1`, `5.6.0`).
    pub version: String,
    /// The file as located, and its SHA-256 (set by whoever loaded it).
    pub file: String,
    /// The file's SHA-256, lower-case hex.
    pub sha256: String,
    /// The file is byte for byte one MITRE published.
    pub official: bool,
    /// The framework's site, where reports link its objects (`https://atlas.mitre.org/`).
    pub site: &'static str,
    /// The companion's tactics in its matrix order.
    pub tactics: Vec<TacticRef>,
    /// The techniques the report mentions that the companion's matrix holds (its own, and the
    /// ATT&CK techniques it re-uses), with the tactics it gives them, sorted by ID.
    pub techniques: Vec<TechniqueRef>,
}

/// A tactic, as a report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TacticRef {
    /// The tactic's ID (TA0001); companions' tactics re-use ATT&CK's IDs with other meanings
    /// (F3's TA0005 is Stealth).
    pub id: String,
    /// Its shortname, as techniques' `tactics` name it (`initial-access`).
    pub shortname: String,
    /// Its name (Initial Access).
    pub name: String,
}

/// A technique a report mentions, as its catalogue (`attack.techniques`) lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueRef {
    /// The technique's ID: ATT&CK, F3 or ATLAS.
    pub id: String,
    /// Its name in its knowledge base.
    pub name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    /// Its tactics by shortname: its own framework's, or in a companion's list the tactics the
    /// companion gives it.
    pub tactics: Vec<String>,
    /// The parent technique's ID, for a sub-technique; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// What a report says about each model: enough for reviewers to check the model itself
/// (flows table, data dictionary) and for renderers to draw it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    /// The model file, as given on the command line: what the `model` of exposures names.
    pub file: String,
    /// The supply chain's name (the model's `name`).
    pub name: String,
    /// The model's free-text description; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The actors, in model order, with where each can get.
    pub actors: Vec<ActorSummary>,
    /// The systems, in model order, with their worst open severity.
    pub systems: Vec<SystemSummary>,
    /// The data assets, in model order.
    pub data: Vec<DataSummary>,
    /// The data flows, in model order.
    pub flows: Vec<FlowSummary>,
    /// The controls, in model order, with their status as the model gives it.
    pub controls: Vec<ControlSummary>,
    /// The accepted risks, in model order, expired ones included.
    pub accepted: Vec<AcceptanceSummary>,
}

/// An actor of a model, and where it can get.
#[derive(Debug, Clone, Serialize)]
pub struct ActorSummary {
    /// The actor's id in the model.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// ATT&CK group IDs (G1015) whose techniques it brings.
    pub groups: Vec<String>,
    /// Technique IDs it lists itself.
    pub techniques: Vec<String>,
    /// Technique IDs and tactic shortnames it does not bring.
    pub exclude: Vec<String>,
    /// Ids of the data assets in its hands.
    pub holds: Vec<String>,
    /// Ids of the systems it starts from: its explicit `entry`, or every internet system when
    /// the model gives none.
    pub entry: Vec<String>,
    /// The systems it can get to: footholds and walkable steps (rules 2).
    pub reaches: Vec<String>,
    /// The data assets on or flowing through the systems it reaches.
    pub reaches_data: Vec<String>,
}

/// A system of a model.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    /// The system's id in the model.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Who runs it; absent when the model does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// ATT&CK platform names (SaaS, Identity Provider, ...).
    pub platforms: Vec<String>,
    /// Where it can be reached from: `internet`, `partner` or `internal`.
    pub exposure: &'static str,
    /// Kinds of identity evidence it accepts, matched against data assets' `kind`.
    pub verifies: Vec<String>,
    /// Data component IDs and log-source names it collects, as the model writes them.
    pub telemetry: Vec<String>,
    /// The worst severity among the system's open exposures, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_open: Option<Severity>,
    /// Where the model declares it (SARIF places group-inferred findings there).
    #[serde(skip)]
    pub location: SourceLocation,
}

/// A data asset of a model.
#[derive(Debug, Clone, Serialize)]
pub struct DataSummary {
    /// The data asset's id in the model.
    pub id: String,
    /// Its display name; absent when the model gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its free-form kind (`id-card-image`), matched against systems' `verifies`.
    pub kind: String,
    /// `public`, `internal` (the default), `confidential` or `restricted`.
    pub sensitivity: &'static str,
    /// Number of records; absent when the model does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    /// Ids of the systems that store it.
    pub stored_in: Vec<String>,
    /// The year it leaked; absent when it has not leaked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaked_year: Option<u64>,
    /// Where the leak came from or still circulates; absent when not said or not leaked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leak_source: Option<String>,
}

/// A data flow of a model, between two systems.
#[derive(Debug, Clone, Serialize)]
pub struct FlowSummary {
    /// The flow's id, or `from->to` when it has none.
    pub label: String,
    /// The id of the system that initiates it.
    pub from: String,
    /// The id of the system that receives it.
    pub to: String,
    /// Ids of the data assets it carries.
    pub carries: Vec<String>,
    /// Whether it leaves one organisation's trust for another's (the trust rule applies to its
    /// ends).
    pub crosses_trust_boundary: bool,
}

/// A security control of a model.
#[derive(Debug, Clone, Serialize)]
pub struct ControlSummary {
    /// The control's id in the model.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// `implemented`, `partial` or `planned`, as the model says (before any `--assume`).
    pub status: ControlStatus,
    /// ATT&CK mitigation IDs (M1032) it implements.
    pub mitigations: Vec<String>,
    /// ATT&CK detection strategy IDs (DET0103) it implements.
    pub detections: Vec<String>,
    /// Technique IDs it prevents directly (a parent covers its sub-techniques).
    pub counters: Vec<String>,
    /// Technique IDs it detects directly (a parent covers its sub-techniques).
    pub detects: Vec<String>,
    /// Ids of the systems it is in place on.
    pub applies_to: Vec<String>,
}

/// An accepted risk of a model, as written, expired or not.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceSummary {
    /// The technique ID accepted; a parent also covers its sub-techniques.
    pub technique: String,
    /// The id of the system it is accepted on; absent means every system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The id of the only actor it is accepted for; absent means every actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Who accepted it.
    pub owner: String,
    /// Why, with the compensating measures.
    pub reason: String,
    /// The last day it holds, `YYYY-MM-DD`; after it the exposures count again.
    pub expires: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Exposures in scope, of every status.
    pub exposures: usize,
    /// Exposures per status; every key (`covered`, `partial`, `gap`, `accepted`) present,
    /// 0 included.
    pub by_status: BTreeMap<&'static str, usize>,
    /// Severity of every exposure.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Severity of the open ones (gap or partial, not accepted): what the CI gate looks at.
    pub open_by_severity: BTreeMap<&'static str, usize>,
    /// Covered exposures as a share of those not accepted, 0-100, one decimal.
    pub coverage_percent: f64,
    /// Attack paths found, over all models.
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

/// A status assumed on the command line: `--assume CONTROL=STATUS`, or an `--assume-fix`
/// (as implemented).
#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    /// The control id, or the fix in `--assume-fix` syntax (`M1032@vendor-idp`).
    pub control: String,
    /// The status assumed: `implemented` for every `--assume-fix`.
    pub status: ControlStatus,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What made the report, with the version of the rules.
    pub generator: Generator,
    /// The ATT&CK release the report was computed on, its companions and catalogue.
    pub attack: AttackSource,
    /// Each model reported on, with its actors' reach and its systems' worst open severity.
    pub models: Vec<ModelSummary>,
    /// Counts over all models, for the summary line and dashboards.
    pub summary: Summary,
    /// The `--assume` and `--assume-fix` values in effect; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
    /// Exposures grouped by (system, technique), most open risk first: what to read first.
    pub findings: Vec<Finding>,
    /// The fix plan: the few fixes that cut the most attack paths, then the most open risk.
    pub plan: Vec<PlanStep>,
    /// Every (actor, technique, system) in scope, model by model; within a model, open risk
    /// first, then on-path, then risk, then ids.
    pub exposures: Vec<Exposure>,
    /// Each actor's preparation: techniques that target no system.
    pub preparation: Vec<Preparation>,
    /// Missing mitigations and detection strategies per system, most open risk removed
    /// first (at most 100 per model).
    pub priorities: Vec<Priority>,
    /// Attack paths to confidential or restricted data, model by model, fewest hops first.
    pub paths: Vec<AttackPath>,
    /// The models' references to deprecated or revoked ATT&CK objects.
    pub drift: Vec<Drift>,
    /// Plain-text warnings: the bundle's provenance and dangling references, the models'
    /// diagnostics, then each analysis's (budgets, acceptances).
    pub warnings: Vec<String>,
    /// With `--assume` or `--assume-fix`: every exposure whose status or severity they
    /// change; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfChange>,
    /// The comparison with a baseline report (`--baseline`), when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// Baseline exposures no longer in scope.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<GoneExposure>,
}

/// What made a report.
#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    /// Always `atkmap`.
    pub name: &'static str,
    /// The atkmap version that made it.
    pub version: &'static str,
    /// The version of the gap engine's rules (README, "How the gap engine decides").
    pub rules: u32,
}

/// A finding that fails the gate: the failing exposures of one (model, system, technique).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingFinding {
    /// The highest severity among its failing exposures.
    pub severity: Severity,
    /// The sum of the risk of its failing exposures.
    pub risk: u32,
    /// The technique's ID.
    pub technique: String,
    /// The technique's name.
    pub technique_name: String,
    /// The system's id.
    pub system: String,
    /// The ids of the actors of its failing exposures, sorted.
    pub actors: Vec<String>,
    /// Where the most severe of its failing exposures comes from in the model.
    pub location: SourceLocation,
}

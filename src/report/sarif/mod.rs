//! SARIF 2.1.0 rendering, for code scanning (GitHub, GitLab, sarif-tools): one result per
//! finding (system x technique), located at the model line that brought it into scope most
//! specifically, so a pull request that adds an actor, a leaked data asset or a flow gets its
//! gaps annotated where it made them.
//!
//! # Results
//!
//! - A finding with open exposures (gap or partial) is a result; one whose exposures are all
//!   accepted is a result with `suppressions` (kind `external`, the acceptance's reason as the
//!   justification, its owner and expiry as properties); covered findings give none.
//! - The primary location is the line of the finding's strongest reason (the threat, the
//!   leaked data asset, the trust-boundary flow, the actor's technique), and the system's own
//!   line for findings only ATT&CK groups bring; every other line that brings it into scope
//!   is a `relatedLocations` entry saying who and why. Regions span the located text.
//! - `partialFingerprints.primaryLocationLineHash` (what GitHub keys alerts on) and
//!   `atkmapFinding/v1` are the SHA-256 (hex) of `model-uri|system|technique`: moving lines
//!   keeps a finding the same alert; two findings never share one. `correlationGuid` is the
//!   same hash in GUID form. The output is deterministic (no result `guid`s).
//!
//! # Rules
//!
//! One rule per (origin, severity), see `rules`: GitHub reads `security-severity` and
//! `precision` from the rule, so each rule has one severity.
//!
//! # Paths and categories
//!
//! Model URIs are relative to the repository's root (`%SRCROOT%`), as the caller works it out
//! ([`SarifOptions::root_relative`]: the git root, or `--sarif-root`); a model outside it is a
//! `file://` URI. `automationDetails.id` is only written when a category is asked for
//! (`--sarif-category`): on GitHub it would override the workflow's `category`.

mod results;
pub(crate) mod rules;
mod uri;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Report;
use crate::attack::framework::page_url;
use crate::attack::release_name::collection_name;
pub use uri::artifact_uri;
use uri::{SRCROOT, TAXONOMY};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/atkmap/atkmap";

/// What the SARIF log needs from outside the report.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions {
    /// Each model file, as the report names it, to its path relative to the repository root
    /// (with `/`). A model missing here is given as the report names it.
    pub root_relative: BTreeMap<String, String>,
    /// `automationDetails.id`, when asked for.
    pub category: Option<String>,
}

impl SarifOptions {
    fn uri(&self, file: &str) -> (String, bool) {
        artifact_uri(self.root_relative.get(file).map_or(file, String::as_str))
    }
}

/// Why the SARIF log could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot serialise the SARIF log: {0}")]
pub struct SarifError(#[from] serde_json::Error);

/// Renders the report as one SARIF 2.1.0 log (pretty-printed, ending with a newline).
pub fn render(report: &Report, options: &SarifOptions) -> Result<String, SarifError> {
    let members = results::members(&report.findings, &report.exposures);
    let taxa = taxa(report, &members);
    let taxon_index: BTreeMap<&str, usize> = taxa
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let systems: BTreeMap<(&str, &str), &super::SystemSummary> = report
        .models
        .iter()
        .flat_map(|m| {
            m.systems
                .iter()
                .map(|s| ((m.file.as_str(), s.id.as_str()), s))
        })
        .collect();
    let results: Vec<Value> = members
        .iter()
        .map(|m| {
            let f = m.finding;
            let place = results::Place {
                uri: options.uri(&f.model),
                system: systems.get(&(f.model.as_str(), f.system.as_str())).copied(),
                taxon: taxon_index.get(f.technique.as_str()).copied(),
            };
            results::result(m, &place)
        })
        .collect();

    let mut run = json!({
        "tool": {
            "driver": {
                "name": report.generator.name,
                "version": report.generator.version,
                "semanticVersion": report.generator.version,
                "informationUri": INFORMATION_URI,
                "rules": rules::all(),
                "supportedTaxonomies": [{ "name": TAXONOMY, "index": 0 }],
            }
        },
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": "The repository's root: model paths are relative to it."
                }
            }
        },
        "taxonomies": [taxonomy(report, &taxa)],
        "invocations": [invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": run_properties(report, options),
    });
    if let Some(category) = &options.category {
        run["automationDetails"] = json!({ "id": category });
    }
    let log = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

fn domain(report: &Report) -> String {
    collection_name(&report.attack.domain)
        .map(str::to_string)
        .unwrap_or_else(|| report.attack.domain.clone())
}

fn invocation(report: &Report) -> Value {
    let mut invocation = json!({ "executionSuccessful": true });
    if !report.warnings.is_empty() {
        invocation["toolExecutionNotifications"] = report
            .warnings
            .iter()
            .map(|w| json!({ "level": "warning", "message": { "text": w } }))
            .collect();
    }
    invocation
}

fn taxonomy(report: &Report, taxa: &[(String, String)]) -> Value {
    json!({
        "name": TAXONOMY,
        "version": report.attack.version,
        "organization": "The MITRE Corporation",
        "informationUri": "https://attack.mitre.org/",
        "shortDescription": {
            "text": format!("ATT&CK {} {}", domain(report), report.attack.version)
        },
        "isComprehensive": false,
        "taxa": taxa.iter().map(|(id, name)| json!({
            "id": id,
            "name": name,
            "helpUri": page_url(id),
        })).collect::<Vec<_>>(),
    })
}

fn run_properties(report: &Report, options: &SarifOptions) -> Value {
    json!({
        "attack": {
            "domain": domain(report),
            "version": report.attack.version,
            "bundle": uri::file_name(&report.attack.file),
            "sha256": report.attack.sha256,
        },
        "models": report.models.iter().map(|m| json!({
            "file": m.file,
            "uri": options.uri(&m.file).0,
            "name": m.name,
        })).collect::<Vec<_>>(),
        "summary": {
            "exposures": report.summary.exposures,
            "findings": report.summary.findings,
            "byStatus": report.summary.by_status,
            "openBySeverity": report.summary.open_by_severity,
            "coveragePercent": report.summary.coverage_percent,
            "paths": report.summary.paths,
        },
    })
}

/// The techniques of the results, sorted by ID, with their names.
fn taxa(report: &Report, members: &[results::Members]) -> Vec<(String, String)> {
    let names: BTreeMap<&str, &str> = report
        .attack
        .techniques
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for m in members {
        let f = m.finding;
        let name = names
            .get(f.technique.as_str())
            .copied()
            .unwrap_or(f.technique_name.as_str());
        out.entry(f.technique.clone())
            .or_insert_with(|| name.to_string());
    }
    out.into_iter().collect()
}

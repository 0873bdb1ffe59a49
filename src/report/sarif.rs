//! SARIF 2.1.0 rendering, for code scanning: every open exposure becomes a result located at
//! the line of the model file that brought it into scope, so a pull request that adds an
//! actor, a leaked data asset or a flow gets its gaps annotated where it made them.
//!
//! # Rules
//!
//! A result's rule says how well the exposure is covered (its status) and why it is in scope.
//! The reasons an exposure can have are ranked, and the first that applies picks the rule:
//! reuse of leaked data first (a leak cannot be undone, so the fix is always at the verifier),
//! then a trust-boundary flow (the fix is at the partner connection), then everything else
//! (an explicit threat, a technique the actor lists, a technique of its ATT&CK groups).
//!
//! | Rule | Name | Status | In scope through |
//! |---|---|---|---|
//! | `ATKMAP001` | `UncoveredExposure` | `gap` | a threat, or a technique of the actor or its groups |
//! | `ATKMAP002` | `PartiallyCoveredExposure` | `partial` | the same |
//! | `ATKMAP003` | `UncoveredLeakedDataReuse` | `gap` | leaked data the actor holds |
//! | `ATKMAP004` | `PartiallyCoveredLeakedDataReuse` | `partial` | the same |
//! | `ATKMAP005` | `UncoveredTrustedRelationship` | `gap` | a flow across a trust boundary |
//! | `ATKMAP006` | `PartiallyCoveredTrustedRelationship` | `partial` | the same |
//!
//! `covered` and `accepted` exposures give no result. The rules' default level is `error` for
//! gaps and `warning` for partial coverage; each result's own level follows its severity
//! (critical and high: `error`, medium: `warning`, low: `note`), and its `security-severity`
//! property carries 9.5, 8.0, 5.5 or 3.0.
//!
//! # Tracking results across commits
//!
//! `partialFingerprints["atkmapExposure/v1"]` is the SHA-256 (hex) of
//! `model-uri|actor|technique|system`, where `model-uri` is the model file as the result's
//! `artifactLocation.uri` gives it. The line is deliberately left out: editing a model moves
//! its lines, and the exposure must stay the same alert. `correlationGuid` is the same hash in
//! GUID form. Result `guid`s are not emitted: they would have to differ on every run, and the
//! output is deterministic (the same report gives byte-identical SARIF).
//!
//! Relative model paths are given with `uriBaseId` `%SRCROOT%` (the directory the report ran
//! in); absolute ones as `file://` URIs. Columns count Unicode code points.
//!
//! ATT&CK itself is a `taxonomies` entry; each result points at its technique there.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Report;
use crate::analysis::findings::{Exposure, Reason, Severity, Status, Trend};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/atkmap/atkmap";
const HELP_URI: &str = "https://github.com/atkmap/atkmap/blob/main/models/FORMAT.md#coverage";
const FINGERPRINT: &str = "atkmapExposure/v1";
const TAXONOMY: &str = "MITRE ATT&CK";
const SRCROOT: &str = "%SRCROOT%";

/// Why an exposure is in scope, as far as the choice of rule goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Technique,
    Reuse,
    TrustedRelationship,
}

struct Rule {
    id: &'static str,
    name: &'static str,
    status: Status,
    origin: Origin,
    short: &'static str,
    full: &'static str,
    /// How to fix it, as Markdown paragraphs; the text form strips the emphasis.
    fix: &'static str,
}

const COMMON_FIX: &str = "\
Each result lists ATT&CK's mitigations of the technique that no implemented control on the \
system provides, and the data components the system would have to collect to detect it. \
Implement one of the mitigations and record it as a control (`mitigations: [Mxxxx]`, \
`applies_to: [system]`, `status: implemented`); collect the data components and add them to \
the system's `telemetry` (or name one of the technique's detection strategies in a control's \
`detections`). An exposure is covered when it is both mitigated and detected.\n\n\
If the risk is acceptable, add an `accepted` entry naming the technique, the system and the \
actor, with an owner, a reason and an expiry date. `atkmap report --assume CONTROL=implemented` \
shows what a planned control would change before it ships.";

const RULES: [Rule; 6] = [
    Rule {
        id: "ATKMAP001",
        name: "UncoveredExposure",
        status: Status::Gap,
        origin: Origin::Technique,
        short: "An ATT&CK technique reaches a system that nothing mitigates or detects",
        full: "An actor of the threat model can use this ATT&CK technique against this system \
               (an explicit threat, a technique the actor lists, or a technique of the ATT&CK \
               groups it is linked to, on a system it reaches whose platforms the technique \
               targets), and the exposure is a gap: no implemented or partial control on the \
               system maps to one of ATT&CK's mitigations of the technique, and nothing detects \
               it.",
        fix: "Neither a mitigation nor a detection is in place: the actor can use the technique \
              on this system unhindered and unseen.",
    },
    Rule {
        id: "ATKMAP002",
        name: "PartiallyCoveredExposure",
        status: Status::Partial,
        origin: Origin::Technique,
        short: "An ATT&CK technique reaches a system that is only partly defended against it",
        full: "An actor of the threat model can use this ATT&CK technique against this system \
               (an explicit threat, a technique the actor lists, or a technique of its ATT&CK \
               groups), and the exposure is only partially covered: it is mitigated but not \
               detected, detected but not mitigated, or only `partial` controls cover it. Its \
               severity is one level below that of a gap.",
        fix: "Something is in place, but not both a mitigation and a detection by implemented \
              controls. The result says which half is missing.",
    },
    Rule {
        id: "ATKMAP003",
        name: "UncoveredLeakedDataReuse",
        status: Status::Gap,
        origin: Origin::Reuse,
        short: "Leaked identity data can be reused at a system that nothing defends against it",
        full: "An actor holds leaked data of a kind this system accepts as evidence, so it can \
               present it here (the model's reuse techniques, by default Impersonation T1656 and \
               Valid Accounts T1078) whether or not it reaches the system any other way, and \
               the exposure is a gap: no control mitigates or detects the technique here.",
        fix: "Leaked data cannot be recalled: whoever holds it can present it at every system \
              that accepts the same evidence, for years. The fix is at this verifier, not at \
              the source of the leak.",
    },
    Rule {
        id: "ATKMAP004",
        name: "PartiallyCoveredLeakedDataReuse",
        status: Status::Partial,
        origin: Origin::Reuse,
        short: "Leaked identity data can be reused at a system that is only partly defended",
        full: "An actor holds leaked data of a kind this system accepts as evidence, so it can \
               present it here (the model's reuse techniques, by default Impersonation T1656 and \
               Valid Accounts T1078), and the exposure is only partially covered: mitigated or \
               detected but not both, or only by `partial` controls.",
        fix: "Leaked data cannot be recalled, so the verifier has to both resist and notice its \
              reuse. The result says which half is missing.",
    },
    Rule {
        id: "ATKMAP005",
        name: "UncoveredTrustedRelationship",
        status: Status::Gap,
        origin: Origin::TrustedRelationship,
        short: "A partner across a trust boundary can reach a system that nothing defends",
        full: "A flow that crosses a trust boundary connects this system to one the actor \
               reaches, so having that side the actor can come in at this one through the \
               relationship (the model's trust techniques, by default Trusted Relationship \
               T1199), and the exposure is a gap: no control mitigates or detects it here.",
        fix: "The system trusts a connection from the other side of a trust boundary without \
              a control that limits or watches what comes through it.",
    },
    Rule {
        id: "ATKMAP006",
        name: "PartiallyCoveredTrustedRelationship",
        status: Status::Partial,
        origin: Origin::TrustedRelationship,
        short: "A partner across a trust boundary can reach a system that is only partly defended",
        full: "A flow that crosses a trust boundary connects this system to one the actor \
               reaches (the model's trust techniques, by default Trusted Relationship T1199), \
               and the exposure is only partially covered: mitigated or detected but not both, \
               or only by `partial` controls.",
        fix: "Something limits or watches the connection across the trust boundary, but not \
              both by implemented controls. The result says which half is missing.",
    },
];

/// Renders the report's open exposures as one SARIF 2.1.0 log (pretty-printed, ending with a
/// newline).
pub fn render(report: &Report) -> Result<String, String> {
    let results: Vec<&Exposure> = report
        .exposures
        .iter()
        .filter(|e| matches!(e.status, Status::Gap | Status::Partial))
        .collect();
    let taxa = taxa(report, &results);
    let taxon_index: BTreeMap<&str, usize> = taxa
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();

    let domain = super::navigator::layer_domain(&report.attack.domain)
        .map(str::to_string)
        .unwrap_or_else(|| report.attack.domain.clone());
    let notifications: Vec<Value> = report
        .warnings
        .iter()
        .map(|w| json!({ "level": "warning", "message": { "text": w } }))
        .collect();
    let mut invocation = json!({ "executionSuccessful": true });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.generator.name,
                    "version": report.generator.version,
                    "semanticVersion": report.generator.version,
                    "informationUri": INFORMATION_URI,
                    "rules": RULES.iter().map(rule).collect::<Vec<_>>(),
                    "supportedTaxonomies": [{ "name": TAXONOMY, "index": 0 }],
                }
            },
            "automationDetails": {
                // GitHub takes everything up to the last `/` as the analysis category: the
                // release goes after it, so upgrading ATT&CK does not start a new category.
                "id": format!("atkmap/{domain}/{}", report.attack.version),
                "description": {
                    "text": format!(
                        "atkmap gap analysis against ATT&CK {domain} {}",
                        report.attack.version
                    )
                },
            },
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The directory atkmap report ran in; relative model paths \
                                 are relative to it."
                    }
                }
            },
            "taxonomies": [{
                "name": TAXONOMY,
                "version": report.attack.version,
                "organization": "The MITRE Corporation",
                "informationUri": "https://attack.mitre.org/",
                "shortDescription": {
                    "text": format!("ATT&CK {domain} {}", report.attack.version)
                },
                "isComprehensive": false,
                "taxa": taxa.iter().map(|(id, name)| json!({
                    "id": id,
                    "name": name,
                    "helpUri": technique_url(id),
                })).collect::<Vec<_>>(),
            }],
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results
                .iter()
                .map(|e| result(e, &taxon_index))
                .collect::<Vec<_>>(),
            "properties": {
                "attack": {
                    "domain": domain,
                    "version": report.attack.version,
                    "bundle": file_name(&report.attack.file),
                    "sha256": report.attack.sha256,
                },
                "models": report.models.iter().map(|m| json!({
                    "file": m.file,
                    "uri": artifact_uri(&m.file).0,
                    "name": m.name,
                })).collect::<Vec<_>>(),
                "summary": {
                    "exposures": report.summary.exposures,
                    "byStatus": report.summary.by_status,
                    "openBySeverity": report.summary.open_by_severity,
                    "coveragePercent": report.summary.coverage_percent,
                    "paths": report.summary.paths,
                },
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)
        .map_err(|e| format!("cannot serialise the SARIF log: {e}"))?;
    text.push('\n');
    Ok(text)
}

fn rule(rule: &Rule) -> Value {
    let (status_tag, level, what) = match rule.status {
        Status::Gap => ("gap", "error", "a gap"),
        _ => ("partial", "warning", "partially covered"),
    };
    let origin_tag = match rule.origin {
        Origin::Technique => "actor-technique",
        Origin::Reuse => "leaked-data-reuse",
        Origin::TrustedRelationship => "trusted-relationship",
    };
    let markdown = format!(
        "**{}** ({}): {}\n\n{}\n\n{}\n\nSee [how atkmap evaluates coverage]({HELP_URI}).",
        rule.name, rule.id, rule.full, rule.fix, COMMON_FIX
    );
    let text = format!(
        "{} ({}): {}\n\n{}\n\n{}",
        rule.name,
        rule.id,
        rule.full,
        rule.fix,
        COMMON_FIX.replace('`', "")
    );
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.short },
        "fullDescription": { "text": rule.full },
        "helpUri": HELP_URI,
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level },
        "properties": {
            "tags": ["security", "attack", "threat-model", status_tag, origin_tag],
            "status": status_tag,
            "description": format!("Exposures that are {what}."),
        },
    })
}

/// The rule of an open exposure: by status, then by the first reason in rank order.
fn rule_index(exposure: &Exposure) -> usize {
    let origin = if exposure
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Reuse { .. }))
    {
        Origin::Reuse
    } else if exposure
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::TrustedRelationship { .. }))
    {
        Origin::TrustedRelationship
    } else {
        Origin::Technique
    };
    let status = if exposure.status == Status::Gap {
        Status::Gap
    } else {
        Status::Partial
    };
    RULES
        .iter()
        .position(|r| r.status == status && r.origin == origin)
        .unwrap_or(0)
}

fn result(exposure: &Exposure, taxon_index: &BTreeMap<&str, usize>) -> Value {
    let index = rule_index(exposure);
    let (uri, base) = artifact_uri(&exposure.location.file);
    let hash = fingerprint(&uri, exposure);

    let mut artifact = json!({ "uri": uri });
    if base {
        artifact["uriBaseId"] = json!(SRCROOT);
    }
    let mut physical = json!({ "artifactLocation": artifact });
    if exposure.location.line > 0 {
        let mut region = json!({ "startLine": exposure.location.line });
        if exposure.location.column > 0 {
            region["startColumn"] = json!(exposure.location.column);
        }
        physical["region"] = region;
    }

    let mut taxon = json!({
        "id": exposure.technique,
        "toolComponent": { "name": TAXONOMY, "index": 0 },
    });
    if let Some(&i) = taxon_index.get(exposure.technique.as_str()) {
        taxon["index"] = json!(i);
    }

    let mut result = json!({
        "ruleId": RULES[index].id,
        "ruleIndex": index,
        "level": level(exposure.severity),
        "message": { "text": message(exposure) },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{
                "name": exposure.system,
                "fullyQualifiedName": format!("systems/{}", exposure.system),
                "kind": "resource",
            }],
        }],
        "partialFingerprints": { FINGERPRINT: hash },
        "correlationGuid": guid(&hash),
        "taxa": [taxon],
        "properties": {
            "security-severity": security_severity(exposure.severity),
            "severity": exposure.severity.label(),
            "risk": exposure.risk,
            "evidence": exposure.evidence,
            "role": exposure.role,
            "onPath": exposure.on_path,
            "impact": exposure.impact,
            "likelihood": exposure.likelihood,
            "status": exposure.status.label(),
            "actor": exposure.actor,
            "technique": exposure.technique,
            "techniqueName": exposure.technique_name,
            "tactics": exposure.tactics,
            "system": exposure.system,
            "model": exposure.model,
            "reasons": exposure.reasons,
            "missingMitigations": exposure
                .mitigations
                .missing
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>(),
            "missingDataComponents": exposure
                .detection
                .missing_data_components
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>(),
            "controls": exposure.controls,
            "tags": ["security", "attack", exposure.technique.as_str()],
        },
    });
    // SARIF's own field for the comparison with a baseline (`report --baseline`).
    if let Some(trend) = exposure.trend {
        result["baselineState"] = json!(match trend {
            Trend::New => "new",
            Trend::Unchanged => "unchanged",
            Trend::Worse | Trend::Better => "updated",
        });
    }
    result
}

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// The `security-severity` GitHub code scanning sorts by (a CVSS-like score, as a string).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// The line-independent identity of an exposure: SHA-256 of `model-uri|actor|technique|system`.
pub fn fingerprint(model_uri: &str, exposure: &Exposure) -> String {
    let key = format!(
        "{model_uri}|{}|{}|{}",
        exposure.actor, exposure.technique, exposure.system
    );
    hex(&Sha256::digest(key.as_bytes()))
}

/// A fingerprint in GUID form (its first 128 bits, marked as a name-based version 5 GUID so it
/// fits SARIF's GUID pattern).
fn guid(fingerprint: &str) -> String {
    let mut digits: Vec<char> = fingerprint.chars().take(32).collect();
    digits.resize(32, '0');
    digits[12] = '5';
    let variant = digits[16].to_digit(16).unwrap_or(0);
    digits[16] = char::from_digit(8 | (variant & 3), 16).unwrap_or('8');
    let text: String = digits.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &text[0..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..32]
    )
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A model path as a SARIF URI, and whether it is relative to `%SRCROOT%`: forward slashes, no
/// leading `./`, percent-encoded; absolute paths become `file://` URIs.
pub fn artifact_uri(path: &str) -> (String, bool) {
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if path.starts_with('/') || drive {
        let path = if drive { format!("/{path}") } else { path };
        // Keep the drive's `:` (legal in a path segment of an absolute URI).
        (format!("file://{}", encode(&path, true)), false)
    } else {
        (encode(&path, false), true)
    }
}

/// Percent-encodes what may not appear in a URI path; `:` only where `colon` allows it (in a
/// relative reference a `:` in the first segment would read as a scheme).
fn encode(path: &str, colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (colon && b == b':');
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The ATT&CK page of a technique or sub-technique.
pub fn technique_url(id: &str) -> String {
    match id.split_once('.') {
        Some((parent, sub)) => format!("https://attack.mitre.org/techniques/{parent}/{sub}/"),
        None => format!("https://attack.mitre.org/techniques/{id}/"),
    }
}

/// The techniques of the results, sorted by ID, with their names.
fn taxa(report: &Report, results: &[&Exposure]) -> Vec<(String, String)> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for e in results {
        let name = report
            .attack
            .techniques
            .iter()
            .find(|t| t.id == e.technique)
            .map_or(e.technique_name.as_str(), |t| t.name.as_str());
        out.entry(e.technique.clone())
            .or_insert_with(|| name.to_string());
    }
    out.into_iter().collect()
}

fn message(e: &Exposure) -> String {
    let mut text = format!(
        "{} can use {} {} against {}: {} ({}), ",
        e.actor,
        e.technique,
        e.technique_name,
        e.system,
        e.status.label(),
        e.severity.label()
    );
    if e.status == Status::Gap {
        text.push_str("neither mitigated nor detected.");
    } else {
        text.push_str(&coverage(e));
        text.push('.');
    }
    let reasons = reasons(&e.reasons);
    if !reasons.is_empty() {
        let _ = write!(text, " In scope through {reasons}.");
    }
    if !e.mitigations.missing.is_empty() {
        let missing: Vec<String> = e
            .mitigations
            .missing
            .iter()
            .map(|m| {
                let under_way = if e.mitigations.partial.contains(&m.id) {
                    " (partial)"
                } else if e.mitigations.planned.contains(&m.id) {
                    " (planned)"
                } else {
                    ""
                };
                format!("{} {}{under_way}", m.id, m.name)
            })
            .collect();
        let _ = write!(text, " Missing mitigations: {}.", missing.join(", "));
    }
    if !e.detection.planned.is_empty() {
        let _ = write!(
            text,
            " Planned detection strategies: {}.",
            e.detection.planned.join(", ")
        );
    }
    if !e.detection.missing_data_components.is_empty() {
        let missing: Vec<String> = e
            .detection
            .missing_data_components
            .iter()
            .map(|d| format!("{} {}", d.id, d.name))
            .collect();
        let _ = write!(text, " Data components to collect: {}.", missing.join(", "));
    }
    text
}

/// What is in place for a partial exposure.
fn coverage(e: &Exposure) -> String {
    let half = |implemented: &[String], partial: &[String], done: &str| -> String {
        if !implemented.is_empty() {
            format!("{done} ({})", implemented.join(", "))
        } else if !partial.is_empty() {
            format!("partially {done} ({})", partial.join(", "))
        } else {
            format!("not {done}")
        }
    };
    format!(
        "{}, {}",
        half(
            &e.mitigations.implemented,
            &e.mitigations.partial,
            "mitigated"
        ),
        half(&e.detection.implemented, &e.detection.partial, "detected")
    )
}

/// The reasons, grouped by kind in the order they first appear.
fn reasons(reasons: &[Reason]) -> String {
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut add = |label: &'static str, item: Option<String>| {
        let group = match groups.iter_mut().position(|(l, _)| *l == label) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((label, Vec::new()));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        if let Some(item) = item
            && !group.contains(&item)
        {
            group.push(item);
        }
    };
    for reason in reasons {
        match reason {
            Reason::Explicit { threat } => add("an explicit threat", threat.clone()),
            Reason::ActorTechnique => add("a technique the actor lists", None),
            Reason::GroupTechnique { groups } => {
                for g in groups {
                    add("the techniques of ATT&CK groups", Some(g.clone()));
                }
            }
            Reason::Reuse { data } => add("reuse of leaked data", Some(data.clone())),
            Reason::TrustedRelationship { flow } => add("trust-boundary flows", Some(flow.clone())),
        }
    }
    groups
        .into_iter()
        .map(|(label, items)| {
            if items.is_empty() {
                label.to_string()
            } else {
                format!("{label} {}", items.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

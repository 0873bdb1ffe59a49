//! One SARIF result per finding (system x technique): located at the model line that brought
//! the finding into scope most specifically, the other reasons as related locations, and
//! accepted findings as suppressed results.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::rules::{self, Origin};
use super::uri::{FINGERPRINT, SRCROOT, TAXONOMY, fingerprint, guid};
use crate::analysis::findings::{
    AcceptanceNote, Exposure, Finding, Reason, Severity, SourceLocation, Status, Trend,
};
use crate::report::SystemSummary;

/// How many related locations a result lists at most.
const MAX_RELATED: usize = 20;

/// A finding and the exposures it groups.
pub struct Members<'a> {
    pub finding: &'a Finding,
    pub exposures: Vec<&'a Exposure>,
}

impl<'a> Members<'a> {
    fn open(&self) -> impl Iterator<Item = &'a Exposure> + '_ {
        self.exposures.iter().copied().filter(|e| e.is_open())
    }

    fn accepted(&self) -> impl Iterator<Item = &'a Exposure> + '_ {
        self.exposures
            .iter()
            .copied()
            .filter(|e| e.status == Status::Accepted)
    }

    /// The severity of the result: the finding's open severity, or for a finding only
    /// acceptances keep open, the highest severity among them.
    pub fn severity(&self) -> Option<Severity> {
        self.finding
            .severity
            .or_else(|| self.accepted().map(|e| e.severity).max())
    }

    /// Whether the result is suppressed: nothing open, something accepted.
    fn suppressed(&self) -> bool {
        self.open().next().is_none()
    }

    /// The exposures the result speaks for: the open ones, else the accepted ones.
    fn speaking(&self) -> Vec<&'a Exposure> {
        let open: Vec<&Exposure> = self.open().collect();
        if open.is_empty() {
            self.accepted().collect()
        } else {
            open
        }
    }
}

/// Groups the report's exposures under its findings, in finding order; findings with nothing
/// open or accepted (all covered) give none.
pub fn members<'a>(findings: &'a [Finding], exposures: &'a [Exposure]) -> Vec<Members<'a>> {
    let mut by_key: BTreeMap<(&str, &str, &str), Vec<&Exposure>> = BTreeMap::new();
    for e in exposures {
        by_key
            .entry((e.model.as_str(), e.system.as_str(), e.technique.as_str()))
            .or_default()
            .push(e);
    }
    findings
        .iter()
        .filter_map(|f| {
            let key = (f.model.as_str(), f.system.as_str(), f.technique.as_str());
            let exposures = by_key.remove(&key)?;
            let m = Members {
                finding: f,
                exposures,
            };
            m.severity().is_some().then_some(m)
        })
        .collect()
}

/// What a result needs from around the finding.
pub struct Place<'a> {
    /// The model file's URI and whether it is relative to `%SRCROOT%`.
    pub uri: (String, bool),
    pub system: Option<&'a SystemSummary>,
    pub taxon: Option<usize>,
}

pub fn result(m: &Members, place: &Place) -> Value {
    let f = m.finding;
    let speaking = m.speaking();
    let origin = Origin::of(speaking.iter().copied());
    let severity = m.severity().unwrap_or(Severity::Low);
    let rule = rules::index(origin, severity);
    let primary = primary_location(&speaking, origin, place.system);
    let hash = fingerprint(&place.uri.0, &f.system, &f.technique);

    let mut taxon = json!({
        "id": f.technique,
        "toolComponent": { "name": TAXONOMY, "index": 0 },
    });
    if let Some(i) = place.taxon {
        taxon["index"] = json!(i);
    }
    let mut result = json!({
        "ruleId": rules::id(origin, severity),
        "ruleIndex": rule,
        "level": rules::level(severity),
        "message": { "text": message(m, severity) },
        "locations": [{
            "physicalLocation": physical(&place.uri, &primary),
            "logicalLocations": [{
                "name": f.system,
                "fullyQualifiedName": format!("systems/{}", f.system),
                "kind": "resource",
            }],
        }],
        "partialFingerprints": {
            // GitHub keys alerts on this one; atkmap sets it so that editing a model (moving
            // its lines) keeps each finding the same alert, and two findings on one line apart.
            "primaryLocationLineHash": hash,
            FINGERPRINT: hash,
        },
        "correlationGuid": guid(&hash),
        "taxa": [taxon],
        "properties": properties(m, severity, origin),
    });
    let related = related_locations(m, &primary, place);
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    if m.suppressed() {
        result["suppressions"] = Value::Array(suppressions(m));
    }
    if let Some(state) = baseline_state(&speaking) {
        result["baselineState"] = json!(state);
    }
    result
}

/// The most specific line: the exposure of the finding's origin (its location is its most
/// specific reason's line), or the system's own line for findings only groups bring.
fn primary_location(
    speaking: &[&Exposure],
    origin: Origin,
    system: Option<&SystemSummary>,
) -> SourceLocation {
    if origin == Origin::GroupTechnique
        && let Some(s) = system
    {
        return s.location.clone();
    }
    speaking
        .iter()
        .filter(|e| Origin::of([**e]) == origin)
        .map(|e| e.location.clone())
        .min()
        .unwrap_or_else(|| {
            speaking
                .first()
                .map_or_else(Default::default, |e| e.location.clone())
        })
}

fn physical(uri: &(String, bool), at: &SourceLocation) -> Value {
    let mut artifact = json!({ "uri": uri.0 });
    if uri.1 {
        artifact["uriBaseId"] = json!(SRCROOT);
    }
    let mut physical = json!({ "artifactLocation": artifact });
    if at.line > 0 {
        let column = at.column.max(1);
        let mut region = json!({
            "startLine": at.line,
            "startColumn": column,
            "endLine": at.line,
        });
        if at.width > 0 {
            region["endColumn"] = json!(column + at.width);
        }
        physical["region"] = region;
    }
    physical
}

/// The other lines that bring the finding into scope (one per distinct line, with who and
/// why), and the system's declaration.
fn related_locations(m: &Members, primary: &SourceLocation, place: &Place) -> Vec<Value> {
    let mut by_line: BTreeMap<&SourceLocation, Vec<&Exposure>> = BTreeMap::new();
    for e in &m.exposures {
        if e.status != Status::Covered && &e.location != primary {
            by_line.entry(&e.location).or_default().push(e);
        }
    }
    let mut out: Vec<(String, &SourceLocation)> = by_line
        .into_iter()
        .map(|(at, exposures)| {
            let actors: Vec<&str> = exposures.iter().map(|e| e.actor.as_str()).collect();
            let reasons: Vec<Reason> = exposures
                .iter()
                .flat_map(|e| e.reasons.iter().cloned())
                .collect();
            (
                format!("{}: {}", actors.join(", "), describe_reasons(&reasons)),
                at,
            )
        })
        .collect();
    if let Some(s) = place.system
        && &s.location != primary
    {
        out.push((format!("the system {}", s.id), &s.location));
    }
    out.into_iter()
        .take(MAX_RELATED)
        .enumerate()
        .map(|(i, (text, at))| {
            json!({
                "id": i + 1,
                "physicalLocation": physical(&place.uri, at),
                "message": { "text": text },
            })
        })
        .collect()
}

/// One suppression per distinct acceptance among the accepted exposures.
fn suppressions(m: &Members) -> Vec<Value> {
    let mut notes: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for e in m.accepted() {
        if let Some(AcceptanceNote {
            owner,
            reason,
            expires,
        }) = &e.acceptance
        {
            notes
                .entry((reason.as_str(), owner.as_str(), expires.as_str()))
                .or_default()
                .push(e.actor.as_str());
        }
    }
    if notes.is_empty() {
        return vec![json!({ "kind": "external", "status": "accepted" })];
    }
    notes
        .into_iter()
        .map(|((reason, owner, expires), actors)| {
            json!({
                "kind": "external",
                "status": "accepted",
                "justification": reason,
                "properties": { "owner": owner, "expires": expires, "actors": actors },
            })
        })
        .collect()
}

/// SARIF's comparison with a baseline, from the trends of the exposures the result speaks for.
fn baseline_state(speaking: &[&Exposure]) -> Option<&'static str> {
    let trends: Vec<Trend> = speaking.iter().filter_map(|e| e.trend).collect();
    if trends.is_empty() {
        return None;
    }
    Some(if trends.iter().all(|t| *t == Trend::New) {
        "new"
    } else if trends.iter().all(|t| *t == Trend::Unchanged) {
        "unchanged"
    } else {
        "updated"
    })
}

fn properties(m: &Members, severity: Severity, origin: Origin) -> Value {
    let f = m.finding;
    let speaking = m.speaking();
    let worst = speaking.iter().max_by_key(|e| e.risk).copied();
    json!({
        "severity": severity.label(),
        "status": f.status.label(),
        "risk": f.risk,
        "onPath": f.on_path,
        "evidence": f.evidence,
        "role": f.role,
        "origin": format!("{origin:?}"),
        "model": f.model,
        "system": f.system,
        "technique": f.technique,
        "techniqueName": f.technique_name,
        "tactics": f.tactics,
        "actors": speaking.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
        "acceptedActors": m.accepted().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
        "fixes": f.recommended.iter().map(|r| r.fix.as_str()).collect::<Vec<_>>(),
        "missingMitigations": worst.map_or(Vec::new(), |e| {
            e.mitigations.missing.iter().map(|m| m.id.as_str()).collect()
        }),
        "missingDataComponents": worst.map_or(Vec::new(), |e| {
            e.detection.missing_data_components.iter().map(|d| d.id.as_str()).collect()
        }),
        "tags": ["security", "external/mitre-attack", f.technique.as_str()],
    })
}

fn message(m: &Members, severity: Severity) -> String {
    let f = m.finding;
    let speaking = m.speaking();
    let actors: Vec<&str> = speaking.iter().map(|e| e.actor.as_str()).collect();
    let mut text = format!(
        "{} {} on {}: {} ({}, risk {}{}) for {}.",
        f.technique,
        f.technique_name,
        f.system,
        if m.suppressed() {
            "accepted"
        } else {
            f.status.label()
        },
        severity.label(),
        f.risk,
        if f.on_path { ", on an attack path" } else { "" },
        actors.join(", "),
    );
    if let Some(e) = speaking.iter().max_by_key(|e| e.risk) {
        if e.status == Status::Gap {
            text.push_str(" Neither prevented nor detected.");
        } else if e.status == Status::Partial {
            let _ = write!(text, " {}.", capitalised(&coverage(e)));
        }
    }
    let reasons: Vec<Reason> = speaking
        .iter()
        .flat_map(|e| e.reasons.iter().cloned())
        .collect();
    let _ = write!(text, " In scope through {}.", describe_reasons(&reasons));
    let accepted: Vec<&str> = m.accepted().map(|e| e.actor.as_str()).collect();
    if !m.suppressed() && !accepted.is_empty() {
        let _ = write!(text, " Accepted for {}.", accepted.join(", "));
    }
    let fixes: Vec<String> = f
        .recommended
        .iter()
        .filter(|r| r.removes_risk > 0)
        .take(3)
        .map(|r| format!("{} {} (`{}`)", r.id, r.name, r.fix))
        .collect();
    if !fixes.is_empty() {
        let _ = write!(text, " Fix first: {}.", fixes.join("; "));
    }
    if let Some(e) = speaking.first()
        && !e.detection.missing_data_components.is_empty()
    {
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

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
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
    let prevented = if e.prevented_by.is_empty() {
        half(
            &e.mitigations.implemented,
            &e.mitigations.partial,
            "mitigated",
        )
    } else {
        format!("prevented ({})", e.prevented_by.join(", "))
    };
    let detected = if e.detected_by.is_empty() {
        half(&e.detection.implemented, &e.detection.partial, "detected")
    } else {
        format!("detected ({})", e.detected_by.join(", "))
    };
    format!("{prevented}, {detected}")
}

/// The reasons, grouped by kind in the order they first appear.
fn describe_reasons(reasons: &[Reason]) -> String {
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for reason in reasons {
        let (label, items): (&'static str, Vec<String>) = match reason {
            Reason::Explicit { threat } => ("an explicit threat", threat.iter().cloned().collect()),
            Reason::ActorTechnique => ("a technique the actor lists", Vec::new()),
            Reason::GroupTechnique { groups } => {
                ("the techniques of ATT&CK groups", groups.clone())
            }
            Reason::Reuse { data } => ("reuse of leaked data", vec![data.clone()]),
            Reason::TrustedRelationship { flow } => ("trust-boundary flows", vec![flow.clone()]),
        };
        let at = match groups.iter().position(|(l, _)| *l == label) {
            Some(i) => i,
            None => {
                groups.push((label, Vec::new()));
                groups.len() - 1
            }
        };
        for item in items {
            if !groups[at].1.contains(&item) {
                groups[at].1.push(item);
            }
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

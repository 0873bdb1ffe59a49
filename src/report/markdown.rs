//! GitHub-flavoured Markdown for pull-request comments, from `templates/report.md`.
//!
//! The template gets the whole [`Report`] plus a few views computed here (the plan grouped by
//! owner, the top findings and the folded tail, reuse exposures, Mermaid diagrams), and filters
//! that link ATT&CK IDs to attack.mitre.org.

use minijinja::value::Value;
use serde::Serialize;

use super::Report;
use super::templates::{TemplateError, Templates};
use crate::analysis::findings::{Exposure, Finding, PlanStep, Reason};

/// How many open findings the report lists before folding the rest.
pub const TOP_FINDINGS: usize = 10;

/// A model's supply-chain diagram in Mermaid.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    pub file: String,
    pub mermaid: String,
}

/// The plan steps one owner is asked to do, in plan order.
#[derive(Serialize)]
struct Asks<'a> {
    owner: String,
    steps: Vec<&'a PlanStep>,
}

#[derive(Serialize)]
struct Views<'a> {
    top_findings: Vec<&'a Finding>,
    other_findings: Vec<&'a Finding>,
    asks: Vec<Asks<'a>>,
    reuse: Vec<&'a Exposure>,
    accepted: Vec<&'a Exposure>,
    covered: Vec<&'a Exposure>,
    open_total: usize,
}

pub fn render(
    report: &Report,
    templates: &Templates,
    diagrams: &[Diagram],
) -> Result<String, TemplateError> {
    let open: Vec<&Exposure> = report.exposures.iter().filter(|e| e.is_open()).collect();
    let open_findings: Vec<&Finding> = report.findings.iter().filter(|f| f.is_open()).collect();
    let views = Views {
        top_findings: open_findings.iter().take(TOP_FINDINGS).copied().collect(),
        other_findings: open_findings.iter().skip(TOP_FINDINGS).copied().collect(),
        asks: asks(&report.plan),
        reuse: report
            .exposures
            .iter()
            .filter(|e| e.reasons.iter().any(|r| matches!(r, Reason::Reuse { .. })))
            .collect(),
        accepted: report
            .exposures
            .iter()
            .filter(|e| e.status == crate::analysis::findings::Status::Accepted)
            .collect(),
        covered: report
            .exposures
            .iter()
            .filter(|e| e.status == crate::analysis::findings::Status::Covered)
            .collect(),
        open_total: open.len(),
    };
    let context = minijinja::context! {
        report => Value::from(minijinja::value::Serde(report)),
        views => Value::from(minijinja::value::Serde(&views)),
        diagrams => Value::from(minijinja::value::Serde(diagrams)),
    };
    templates.render("report.md", context)
}

/// The plan grouped by who is asked to do each step, owners in the order of their first step.
fn asks(plan: &[PlanStep]) -> Vec<Asks<'_>> {
    let mut out: Vec<Asks> = Vec::new();
    for step in plan {
        let owner = if step.owners.is_empty() {
            "whoever runs the systems the model gives no owner".to_string()
        } else {
            step.owners.join(", ")
        };
        match out.iter_mut().find(|a| a.owner == owner) {
            Some(asks) => asks.steps.push(step),
            None => out.push(Asks {
                owner,
                steps: vec![step],
            }),
        }
    }
    out
}

/// The attack.mitre.org page of an ATT&CK ID.
pub fn attack_url(id: &str) -> Option<String> {
    let id = id.trim().to_ascii_uppercase();
    let (prefix, path) = if let Some(rest) = id.strip_prefix("DET") {
        ("detectionstrategies", format!("DET{rest}"))
    } else if id.starts_with("DC") {
        ("datacomponents", id.clone())
    } else if id.starts_with("DS") {
        ("datasources", id.clone())
    } else if id.starts_with("TA") {
        ("tactics", id.clone())
    } else if id.starts_with('T') {
        ("techniques", id.replace('.', "/"))
    } else if id.starts_with('M') {
        ("mitigations", id.clone())
    } else if id.starts_with('G') {
        ("groups", id.clone())
    } else if id.starts_with('S') {
        ("software", id.clone())
    } else if id.starts_with('C') {
        ("campaigns", id.clone())
    } else {
        return None;
    };
    if !path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/') {
        return None;
    }
    Some(format!("https://attack.mitre.org/{prefix}/{path}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_every_kind() {
        assert_eq!(
            attack_url("T1078.004").as_deref(),
            Some("https://attack.mitre.org/techniques/T1078/004/")
        );
        assert_eq!(
            attack_url("DET0488").as_deref(),
            Some("https://attack.mitre.org/detectionstrategies/DET0488/")
        );
        assert_eq!(
            attack_url("M1032").as_deref(),
            Some("https://attack.mitre.org/mitigations/M1032/")
        );
        assert_eq!(attack_url("x<y"), None);
    }
}

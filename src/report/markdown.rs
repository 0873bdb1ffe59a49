//! GitHub-flavoured Markdown for pull-request comments, from `templates/report.md`.
//!
//! The template gets the whole [`Report`] plus a few views computed here (top gaps, reuse
//! exposures, Mermaid diagrams), and filters that link ATT&CK IDs to attack.mitre.org.

use minijinja::value::Value;
use serde::Serialize;

use super::Report;
use super::templates::{TemplateError, Templates};
use crate::analysis::findings::{Exposure, Reason};

/// How many open exposures the "top gaps" section lists before folding the rest.
pub const TOP_GAPS: usize = 10;

/// A model's supply-chain diagram in Mermaid.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    pub file: String,
    pub mermaid: String,
}

#[derive(Serialize)]
struct Views<'a> {
    top_gaps: Vec<&'a Exposure>,
    other_open: Vec<&'a Exposure>,
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
    let views = Views {
        top_gaps: open.iter().take(TOP_GAPS).copied().collect(),
        other_open: open.iter().skip(TOP_GAPS).copied().collect(),
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

//! GitHub-flavoured Markdown for pull-request comments, from `templates/report.md`.
//!
//! The template gets the [`Report`] (its long lists cut, see `report::for_templates`) plus a
//! few views computed here (the plan grouped by owner, the top findings and the folded tail,
//! reuse exposures, regressions, Mermaid diagrams), and filters
//! that link ATT&CK IDs to attack.mitre.org.
//!
//! A pull-request comment has a size limit (GitHub refuses more than 65,536 characters), so the
//! Markdown has a budget (`--md-max-chars`, default [`DEFAULT_MAX_CHARS`]): when the whole
//! report does not fit, it is rendered again with fewer rows of its long tables, level by level
//! (`Budget::LEVELS`), until it does; what was left out is counted at the end, with where to
//! find it (the HTML report, the JSON). The summary, the plan and the first findings always
//! stay; a template that ignores the budget is cut at a line as a last resort.

use minijinja::value::Value;
use serde::Serialize;

use super::Report;
use super::templates::{TemplateError, Templates};
use crate::analysis::findings::{Exposure, Finding, PlanStep, Reason};

/// How many open findings the report lists before folding the rest.
pub const TOP_FINDINGS: usize = 10;

/// How many findings and exposures `report.findings` and `report.exposures` hold for the
/// template (`findings_total`, `exposures_total` count them all): more than any budget shows.
pub const TEMPLATE_ROWS: usize = 1_000;

/// How many regressions against the baseline the report lists.
pub const TOP_REGRESSIONS: usize = 25;

/// The default size limit of the Markdown report, in characters: under GitHub's 65,536 for a
/// comment, with room for a workflow's own header.
pub const DEFAULT_MAX_CHARS: usize = 60_000;

/// How many rows of each long section a rendering keeps (`usize::MAX`: all).
#[derive(Debug, Clone, Copy, Serialize)]
struct Budget {
    findings: usize,
    other_findings: usize,
    paths: usize,
    reuse: usize,
    preparation: usize,
    plan_changes: usize,
    /// The Mermaid diagrams and the flows and data tables.
    model_details: bool,
}

impl Budget {
    const ALL: usize = usize::MAX;

    /// From everything to the least that still leads with what to do.
    const LEVELS: [Budget; 7] = [
        Budget::level(TOP_FINDINGS, Self::ALL, 15, Self::ALL, Self::ALL, 2, true),
        Budget::level(TOP_FINDINGS, 200, 15, 50, 30, 2, true),
        Budget::level(TOP_FINDINGS, 100, 10, 20, 10, 2, false),
        Budget::level(TOP_FINDINGS, 50, 10, 0, 0, 1, false),
        Budget::level(TOP_FINDINGS, 20, 5, 0, 0, 1, false),
        Budget::level(TOP_FINDINGS, 0, 3, 0, 0, 0, false),
        Budget::level(5, 0, 1, 0, 0, 0, false),
    ];

    /// A lower bound of the characters the rows this budget keeps take (every table row has
    /// more than [`Budget::MIN_ROW_CHARS`]): a level that cannot fit is not rendered at all,
    /// which spares converting tens of thousands of rows only to throw the text away.
    fn least_chars(&self, report: &Report, (open, reuse): (usize, usize)) -> usize {
        let rows = open.min(self.findings.saturating_add(self.other_findings))
            + reuse.min(self.reuse)
            + report.preparation.len().min(self.preparation)
            + report.paths.len().min(self.paths);
        rows.saturating_mul(Self::MIN_ROW_CHARS)
    }

    const MIN_ROW_CHARS: usize = 20;

    const fn level(
        findings: usize,
        other_findings: usize,
        paths: usize,
        reuse: usize,
        preparation: usize,
        plan_changes: usize,
        model_details: bool,
    ) -> Budget {
        Budget {
            findings,
            other_findings,
            paths,
            reuse,
            preparation,
            plan_changes,
            model_details,
        }
    }
}

/// What a budget left out, for the note at the end.
#[derive(Debug, Clone, Default, Serialize)]
struct Omitted {
    findings: usize,
    paths: usize,
    reuse: usize,
    preparation: usize,
    model_details: bool,
    /// Whether the budget shrank the report (the note at the end says what went).
    any: bool,
}

/// A model's supply-chain diagram in Mermaid.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    /// The model file, as the report's `models[].file` names it.
    pub file: String,
    /// The Mermaid flowchart, its systems coloured by their worst open severity.
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
    paths: &'a [crate::analysis::findings::AttackPath],
    reuse: Vec<&'a Exposure>,
    preparation: &'a [crate::analysis::findings::Preparation],
    accepted: Vec<&'a Exposure>,
    covered: Vec<&'a Exposure>,
    /// Open exposures new or worse since the baseline (the first [`TOP_REGRESSIONS`]).
    regressions: Vec<&'a Exposure>,
    regressions_total: usize,
    open_total: usize,
    budget: Budget,
    omitted: Omitted,
    max_chars: usize,
}

/// Renders the report within `max_chars` characters (`None`: no limit).
pub fn render(
    report: &Report,
    templates: &Templates,
    diagrams: &[Diagram],
    max_chars: Option<usize>,
) -> Result<String, TemplateError> {
    let limit = max_chars.unwrap_or(usize::MAX);
    // The report becomes a template value once, cut to what a comment can show (converting
    // 80,000 exposures took seconds), not once per budget level.
    let whole = Value::from(minijinja::value::Serde(
        report.for_templates(TEMPLATE_ROWS, TEMPLATE_ROWS),
    ));
    let mut text = String::new();
    let last = Budget::LEVELS.len() - 1;
    let rows = (
        report.findings.iter().filter(|f| f.is_open()).count(),
        report.exposures.iter().filter(|e| is_reuse(e)).count(),
    );
    for (level, budget) in Budget::LEVELS.into_iter().enumerate() {
        if level < last && budget.least_chars(report, rows) > limit {
            continue;
        }
        text = render_with(
            report,
            &whole,
            templates,
            diagrams,
            budget,
            limit,
            level > 0,
        )?;
        if text.chars().count() <= limit {
            return Ok(text);
        }
    }
    Ok(cut(&text, limit))
}

/// The last resort when even the smallest budget does not fit (a template that ignores it):
/// whole lines up to the limit, and a line saying so.
fn cut(text: &str, limit: usize) -> String {
    const NOTE: &str = "\n… cut to fit the size limit of a pull-request comment; the HTML and JSON reports have everything.\n";
    let room = limit.saturating_sub(NOTE.chars().count());
    let mut out = String::new();
    let mut used = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        if used + n > room {
            break;
        }
        out.push_str(line);
        used += n;
    }
    if NOTE.chars().count() <= limit {
        out.push_str(NOTE);
    }
    out
}

fn render_with(
    report: &Report,
    whole: &Value,
    templates: &Templates,
    diagrams: &[Diagram],
    budget: Budget,
    limit: usize,
    shrunk: bool,
) -> Result<String, TemplateError> {
    let open: Vec<&Exposure> = report.exposures.iter().filter(|e| e.is_open()).collect();
    let open_findings: Vec<&Finding> = report.findings.iter().filter(|f| f.is_open()).collect();
    let reuse: Vec<&Exposure> = report.exposures.iter().filter(|e| is_reuse(e)).collect();
    let regressions: Vec<&Exposure> = open
        .iter()
        .copied()
        .filter(|e| e.trend.is_some_and(|t| t.is_regression()))
        .collect();
    let top = open_findings.len().min(budget.findings);
    let other = (open_findings.len() - top).min(budget.other_findings);
    let paths = report.paths.len().min(budget.paths);
    let kept_reuse = reuse.len().min(budget.reuse);
    let preparation = report.preparation.len().min(budget.preparation);
    let omitted = Omitted {
        findings: open_findings.len() - top - other,
        paths: report.paths.len() - paths,
        reuse: reuse.len() - kept_reuse,
        preparation: report.preparation.len() - preparation,
        model_details: !budget.model_details,
        // The full report lists 15 paths by design; only a shrunk one says what it left out.
        any: shrunk,
    };
    let views = Views {
        top_findings: open_findings[..top].to_vec(),
        other_findings: open_findings[top..top + other].to_vec(),
        asks: asks(&report.plan),
        paths: &report.paths[..paths],
        reuse: reuse[..kept_reuse].to_vec(),
        preparation: &report.preparation[..preparation],
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
        regressions_total: regressions.len(),
        regressions: regressions.into_iter().take(TOP_REGRESSIONS).collect(),
        budget,
        omitted,
        max_chars: limit,
    };
    let diagrams: &[Diagram] = if budget.model_details { diagrams } else { &[] };
    let context = minijinja::context! {
        report => whole.clone(),
        views => Value::from(minijinja::value::Serde(&views)),
        diagrams => Value::from(minijinja::value::Serde(diagrams)),
    };
    templates.render("report.md", context)
}

/// Whether leaked data brings the exposure into scope.
fn is_reuse(e: &Exposure) -> bool {
    e.reasons.iter().any(|r| matches!(r, Reason::Reuse { .. }))
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

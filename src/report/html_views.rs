//! The views of the HTML page: what the page shows besides the report itself, selected from it.
//!
//! The page reads as a decision aid: the summary and the first fix, the fix plan grouped by
//! whose fix each step is, the attack paths, the findings by risk (the long tail folded), and
//! only then the diagram, the ATT&CK matrix and every exposure. The views computed here only
//! select, split, group and count what the engine put in the [`Report`]; no risk or path
//! number is recomputed.
//!
//! They live apart from the rendering (`html`, which hands them to the template and builds the
//! Content-Security-Policy) so that what the page shows can be read and tested on its own.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ModelSummary, Report, TacticRef};
use crate::analysis::findings::{AttackPath, Exposure, Finding, PlanStep, Status};

/// How many findings the "findings by risk" table shows before folding the rest.
pub const TOP_FINDINGS: usize = 25;

pub(super) fn title(report: &Report) -> String {
    match report.models.as_slice() {
        [one] => one.name.clone(),
        [] => "no model".to_string(),
        many => format!("{} models", many.len()),
    }
}

/// Worst first: gap, partial, accepted, covered.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Gap => 4,
        Status::Partial => 3,
        Status::Accepted => 2,
        Status::Covered => 1,
    }
}

/// The findings by risk as the page shows them: the first few with open risk, and the long
/// tail (lower risk, or none open) folded away.
#[derive(Debug, Serialize)]
pub(super) struct FindingsByRisk<'a> {
    top: Vec<&'a Finding>,
    tail: Vec<&'a Finding>,
    /// Findings in the tail with no open risk (covered or accepted).
    tail_without_risk: usize,
    /// Findings past [`MAX_FINDING_ROWS`], left to the JSON report.
    left_out: usize,
}

/// How many findings the page lists at most (the first rows and the folded tail together).
pub const MAX_FINDING_ROWS: usize = 2_000;

/// Splits `report.findings` (engine order: risk, then on-path) into the rows shown first and
/// the folded tail; a finding without open risk is never shown first.
pub(super) fn findings_by_risk(findings: &[Finding]) -> FindingsByRisk<'_> {
    let shown = findings
        .iter()
        .take(TOP_FINDINGS)
        .take_while(|f| f.risk > 0)
        .count();
    let listed = findings.len().min(MAX_FINDING_ROWS.max(shown));
    let (top, tail) = findings[..listed].split_at(shown);
    FindingsByRisk {
        top: top.iter().collect(),
        tail: tail.iter().collect(),
        tail_without_risk: tail.iter().filter(|f| f.risk == 0).count(),
        left_out: findings.len() - listed,
    }
}

/// The plan steps asked of one set of owners (the owners of the systems a step changes), in
/// plan order.
#[derive(Debug, Serialize)]
pub(super) struct Asks<'a> {
    model: &'a str,
    owners: &'a [String],
    steps: Vec<&'a PlanStep>,
}

/// The fix plan grouped by whose fix each step is, owners in the order of their first step.
pub(super) fn asks(plan: &[PlanStep]) -> Vec<Asks<'_>> {
    let mut out: Vec<Asks> = Vec::new();
    for step in plan {
        let same = |a: &&mut Asks| a.model == step.model && a.owners == step.owners.as_slice();
        match out.iter_mut().find(same) {
            Some(asks) => asks.steps.push(step),
            None => out.push(Asks {
                model: &step.model,
                owners: &step.owners,
                steps: vec![step],
            }),
        }
    }
    out
}

/// One actor's attack paths, in engine order (fewest hops, then highest risk).
#[derive(Debug, Serialize)]
pub(super) struct ActorPaths<'a> {
    model: &'a str,
    actor: &'a str,
    paths: Vec<&'a AttackPath>,
}

/// The attack paths grouped by model and actor, actors in the order of their first path.
pub(super) fn actor_paths(paths: &[AttackPath]) -> Vec<ActorPaths<'_>> {
    let mut out: Vec<ActorPaths> = Vec::new();
    for path in paths {
        let same = |g: &&mut ActorPaths| g.model == path.model && g.actor == path.actor;
        match out.iter_mut().find(same) {
            Some(group) => group.paths.push(path),
            None => out.push(ActorPaths {
                model: &path.model,
                actor: &path.actor,
                paths: vec![path],
            }),
        }
    }
    out
}

/// Where one model's whole plan starts and ends: the first step's "before" and the last
/// step's "after", as the engine computed them.
#[derive(Debug, Serialize)]
pub(super) struct PlanOutcome<'a> {
    model: &'a str,
    steps: usize,
    first: &'a PlanStep,
    paths_before: usize,
    paths_after: usize,
    risk_before: u32,
    risk_after: u32,
}

/// Each model's plan outcome, in report order (models without a plan left out).
pub(super) fn plan_outcomes<'a>(
    models: &'a [ModelSummary],
    plan: &'a [PlanStep],
) -> Vec<PlanOutcome<'a>> {
    models
        .iter()
        .filter_map(|m| {
            let steps: Vec<&PlanStep> = plan.iter().filter(|p| p.model == m.file).collect();
            let (first, last) = (steps.first()?, steps.last()?);
            Some(PlanOutcome {
                model: &m.file,
                steps: steps.len(),
                first,
                paths_before: first.paths_before,
                paths_after: last.paths_after,
                risk_before: first.risk_before,
                risk_after: last.risk_after,
            })
        })
        .collect()
}

/// Display names of each model's actors, systems and data, by model file then id.
pub(super) fn names(report: &Report) -> BTreeMap<&str, BTreeMap<&str, &str>> {
    report
        .models
        .iter()
        .map(|m| {
            let mut map = BTreeMap::new();
            for a in &m.actors {
                map.insert(a.id.as_str(), a.name.as_str());
            }
            for s in &m.systems {
                map.insert(s.id.as_str(), s.name.as_str());
            }
            for d in &m.data {
                map.insert(d.id.as_str(), d.name.as_deref().unwrap_or(&d.id));
            }
            (m.file.as_str(), map)
        })
        .collect()
}

/// The summary's coverage in percent; `None` (shown as "n/a") when no exposure is assessed (none
/// in scope, or every one accepted), where the engine's 100 would read as everything covered.
pub(super) fn coverage(report: &Report) -> Option<f64> {
    let accepted = report
        .summary
        .by_status
        .get(Status::Accepted.label())
        .copied()
        .unwrap_or(0);
    (report.summary.exposures > accepted).then_some(report.summary.coverage_percent)
}

#[derive(Debug, Serialize)]
pub(super) struct BarSegment {
    status: &'static str,
    count: usize,
    /// Position and width in percent of the bar.
    x: f64,
    width: f64,
}

/// The summary's status bar, worst first.
pub(super) fn status_bar(report: &Report) -> Vec<BarSegment> {
    let total = report.summary.exposures.max(1) as f64;
    let mut x = 0.0;
    let mut out = Vec::new();
    for status in [
        Status::Gap,
        Status::Partial,
        Status::Accepted,
        Status::Covered,
    ] {
        let count = report
            .summary
            .by_status
            .get(status.label())
            .copied()
            .unwrap_or(0);
        if count == 0 {
            continue;
        }
        let width = (count as f64 * 1000.0 / total).round() / 10.0;
        out.push(BarSegment {
            status: status.label(),
            count,
            x: (x * 10.0_f64).round() / 10.0,
            width,
        });
        x += width;
    }
    out
}

#[derive(Debug, Serialize)]
pub(super) struct HeatColumn {
    id: String,
    name: String,
    shortname: String,
    /// Techniques in scope under this tactic (parents shown for context not counted).
    techniques: usize,
    /// Of which with an open (gap or partial) exposure.
    open: usize,
    cells: Vec<HeatCell>,
}

#[derive(Debug, Clone, Serialize)]
struct HeatCell {
    id: String,
    name: String,
    /// gap, partial, accepted, covered, preparation (PRE technique without exposures) or
    /// context (a parent shown for its sub-techniques).
    status: &'static str,
    sub: bool,
    exposures: usize,
    tip: String,
    /// The section that lists the technique: `findings`, or `preparation` for a preparation
    /// technique (and a parent shown only for preparation sub-techniques).
    target: &'static str,
    /// What selecting the cell filters on: the technique's ID (matched exactly by the page's
    /// script), or for a parent shown for its sub-techniques `ID.`, the sub-techniques' prefix.
    filter: String,
}

#[derive(Default, Clone)]
struct Tally {
    by_status: [usize; 4],
    preparation: usize,
}

impl Tally {
    fn worst(&self) -> Option<&'static str> {
        // Indexed by status_rank - 1: covered, accepted, partial, gap.
        let labels = ["covered", "accepted", "partial", "gap"];
        (0..4)
            .rev()
            .find(|&i| self.by_status[i] > 0)
            .map(|i| labels[i])
            .or((self.preparation > 0).then_some("preparation"))
    }

    fn total(&self) -> usize {
        self.by_status.iter().sum()
    }
}

fn cell_rank(status: &str) -> u8 {
    match status {
        "gap" => 0,
        "partial" => 1,
        "accepted" => 2,
        "covered" => 3,
        "preparation" => 4,
        _ => 5,
    }
}

/// A technique as a matrix places it.
struct Known {
    name: String,
    tactics: Vec<String>,
    parent: Option<String>,
}

/// One companion's matrix (F3, ATLAS) of the techniques in scope.
#[derive(Debug, Serialize)]
pub(super) struct CompanionHeatmap {
    id: &'static str,
    name: &'static str,
    version: String,
    site: &'static str,
    columns: Vec<HeatColumn>,
}

/// The companions' matrices: their own techniques, and the ATT&CK techniques they re-use
/// under the companion's tactics.
pub(super) fn companion_heatmaps(report: &Report) -> Vec<CompanionHeatmap> {
    report
        .attack
        .frameworks
        .iter()
        .map(|c| CompanionHeatmap {
            id: c.id,
            name: c.name,
            version: c.version.clone(),
            site: c.site,
            columns: matrix(report, &c.tactics, placed(c.techniques.iter()), |_| true),
        })
        .collect()
}

/// Techniques as a matrix places them, by ID.
fn placed<'r>(
    techniques: impl Iterator<Item = &'r super::TechniqueRef>,
) -> BTreeMap<String, Known> {
    techniques
        .map(|t| {
            (
                t.id.clone(),
                Known {
                    name: t.name.clone(),
                    tactics: t.tactics.clone(),
                    parent: t.parent.clone(),
                },
            )
        })
        .collect()
}

/// The ATT&CK matrix of the techniques in scope, tactics in matrix order.
pub(super) fn heatmap(report: &Report) -> Vec<HeatColumn> {
    let attack = report
        .attack
        .techniques
        .iter()
        .filter(|t| t.framework.is_attack());
    matrix(report, &report.attack.tactics, placed(attack), |e| {
        e.framework.is_attack()
    })
}

/// The columns of one matrix: `catalogue` places techniques; exposures that `ours` keeps and
/// that the catalogue lacks are placed by their own tactics.
fn matrix(
    report: &Report,
    tactics: &[TacticRef],
    mut catalogue: BTreeMap<String, Known>,
    ours: impl Fn(&Exposure) -> bool,
) -> Vec<HeatColumn> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for e in report.exposures.iter().filter(|e| ours(e)) {
        tallies.entry(e.technique.clone()).or_default().by_status
            [usize::from(status_rank(e.status) - 1)] += 1;
        catalogue
            .entry(e.technique.clone())
            .or_insert_with(|| Known {
                name: e.technique_name.clone(),
                tactics: e.tactics.clone(),
                parent: crate::attack::framework::parent_id(&e.technique).map(str::to_string),
            });
    }
    for p in &report.preparation {
        tallies.entry(p.technique.clone()).or_default().preparation += 1;
    }

    let mut columns = Vec::new();
    for tactic in tactics {
        // Parent id -> its cell (if in scope) and in-scope sub-techniques.
        let mut groups: BTreeMap<String, (Option<HeatCell>, Vec<HeatCell>)> = BTreeMap::new();
        let mut techniques = 0;
        let mut open = 0;
        for (id, tally) in &tallies {
            let Some(known) = catalogue.get(id) else {
                continue;
            };
            if !known.tactics.contains(&tactic.shortname) {
                continue;
            }
            let Some(status) = tally.worst() else {
                continue;
            };
            techniques += 1;
            if tally.by_status[3] + tally.by_status[2] > 0 {
                open += 1;
            }
            let cell = HeatCell {
                id: id.clone(),
                name: known.name.clone(),
                status,
                sub: known.parent.is_some(),
                exposures: tally.total(),
                tip: tip(id, &known.name, tally),
                target: if tally.total() == 0 && tally.preparation > 0 {
                    "preparation"
                } else {
                    "findings"
                },
                filter: id.clone(),
            };
            match &known.parent {
                Some(parent) => groups.entry(parent.clone()).or_default().1.push(cell),
                None => groups.entry(id.clone()).or_default().0 = Some(cell),
            }
        }
        let mut ordered: Vec<(u8, String, Vec<HeatCell>)> = Vec::new();
        for (parent_id, (parent, mut subs)) in groups {
            let parent = parent.unwrap_or_else(|| {
                let name = catalogue
                    .get(&parent_id)
                    .map_or_else(|| parent_id.clone(), |k| k.name.clone());
                HeatCell {
                    tip: format!(
                        "{parent_id} {name}: not in scope itself; shown for its sub-techniques"
                    ),
                    filter: format!("{parent_id}."),
                    target: if subs.iter().all(|s| s.target == "preparation") {
                        "preparation"
                    } else {
                        "findings"
                    },
                    id: parent_id.clone(),
                    name,
                    status: "context",
                    sub: false,
                    exposures: 0,
                }
            });
            subs.sort_by(|a, b| {
                cell_rank(a.status)
                    .cmp(&cell_rank(b.status))
                    .then(a.id.cmp(&b.id))
            });
            let worst = std::iter::once(&parent)
                .chain(subs.iter())
                .map(|c| cell_rank(c.status))
                .min()
                .unwrap_or(5);
            let name = parent.name.clone();
            let mut cells = vec![parent];
            cells.extend(subs);
            ordered.push((worst, name, cells));
        }
        ordered.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        columns.push(HeatColumn {
            id: tactic.id.clone(),
            name: tactic.name.clone(),
            shortname: tactic.shortname.clone(),
            techniques,
            open,
            cells: ordered
                .into_iter()
                .flat_map(|(_, _, cells)| cells)
                .collect(),
        });
    }
    columns
}

fn tip(id: &str, name: &str, tally: &Tally) -> String {
    let mut parts = Vec::new();
    for (i, label) in ["covered", "accepted", "partial", "gap"]
        .iter()
        .enumerate()
        .rev()
    {
        if tally.by_status[i] > 0 {
            parts.push(format!("{} {label}", tally.by_status[i]));
        }
    }
    let total = tally.total();
    let mut text = format!(
        "{id} {name}: {total} exposure{}",
        if total == 1 { "" } else { "s" }
    );
    if !parts.is_empty() {
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    if tally.preparation > 0 {
        text.push_str(&format!(
            "; preparation by {} actor{}",
            tally.preparation,
            if tally.preparation == 1 { "" } else { "s" }
        ));
    }
    text
}

/// No matrix has a cell: neither the ATT&CK matrix nor any companion's.
pub(super) fn matrices_empty(heatmap: &[HeatColumn], companions: &[CompanionHeatmap]) -> bool {
    heatmap.iter().all(|c| c.cells.is_empty())
        && companions
            .iter()
            .all(|m| m.columns.iter().all(|c| c.cells.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::{Evidence, Hop, Role, Severity, SourceLocation};

    fn step(model: &str, step: usize, owners: &[&str], paths: (usize, usize)) -> PlanStep {
        PlanStep {
            model: model.to_string(),
            step,
            fix: format!("M1032@s{step}"),
            kind: "mitigation",
            id: "M1032".to_string(),
            name: "Multi-factor Authentication".to_string(),
            systems: vec![format!("s{step}")],
            owners: owners.iter().map(|o| o.to_string()).collect(),
            paths_before: paths.0,
            paths_after: paths.1,
            risk_before: 100 - step as u32,
            risk_after: 99 - step as u32,
            alternatives: Vec::new(),
            changes: Vec::new(),
        }
    }

    fn finding(technique: &str, risk: u32) -> Finding {
        Finding {
            model: "m.yaml".to_string(),
            system: "s".to_string(),
            technique: technique.to_string(),
            technique_name: technique.to_string(),
            framework: Default::default(),
            tactics: Vec::new(),
            status: if risk > 0 {
                Status::Gap
            } else {
                Status::Covered
            },
            severity: (risk > 0).then_some(Severity::High),
            risk,
            on_path: false,
            role: Role::Takes,
            evidence: Evidence::Modelled,
            visible: false,
            actors: vec!["a".to_string()],
            open: usize::from(risk > 0),
            recommended: Vec::new(),
            location: SourceLocation {
                file: "m.yaml".to_string(),
                line: 1,
                column: 1,
                width: 0,
            },
        }
    }

    fn path(actor: &str, data: &str) -> AttackPath {
        AttackPath {
            model: "m.yaml".to_string(),
            actor: actor.to_string(),
            data: data.to_string(),
            start: "entry",
            via_data: None,
            hops: vec![Hop {
                system: "s".to_string(),
                techniques: Vec::new(),
            }],
            takes: Vec::new(),
            risk: 1,
        }
    }

    #[test]
    fn asks_group_steps_by_owners_in_the_order_of_their_first_step() {
        let plan = [
            step("m.yaml", 1, &["Vendor"], (9, 6)),
            step("m.yaml", 2, &["Bank"], (6, 5)),
            step("m.yaml", 3, &["Vendor"], (5, 4)),
            step("m.yaml", 4, &["Bank", "Vendor"], (4, 3)),
            step("other.yaml", 1, &["Vendor"], (2, 1)),
        ];
        let grouped: Vec<(&str, Vec<&str>, Vec<usize>)> = asks(&plan)
            .iter()
            .map(|a| {
                (
                    a.model,
                    a.owners.iter().map(String::as_str).collect(),
                    a.steps.iter().map(|s| s.step).collect(),
                )
            })
            .collect();
        assert_eq!(
            grouped,
            vec![
                ("m.yaml", vec!["Vendor"], vec![1, 3]),
                ("m.yaml", vec!["Bank"], vec![2]),
                ("m.yaml", vec!["Bank", "Vendor"], vec![4]),
                ("other.yaml", vec!["Vendor"], vec![1]),
            ]
        );
    }

    #[test]
    fn the_fold_takes_the_tail_and_every_finding_without_open_risk() {
        let many: Vec<Finding> = (0..30)
            .map(|i| finding(&format!("T{i}"), 100 - i))
            .collect();
        let split = findings_by_risk(&many);
        assert_eq!(split.top.len(), TOP_FINDINGS);
        assert_eq!(split.tail.len(), 30 - TOP_FINDINGS);
        assert_eq!(split.tail_without_risk, 0);

        let few = [finding("T1", 8), finding("T2", 0), finding("T3", 0)];
        let split = findings_by_risk(&few);
        assert_eq!(split.top.len(), 1);
        assert_eq!(split.tail.len(), 2);
        assert_eq!(split.tail_without_risk, 2);
    }

    #[test]
    fn a_plan_outcome_runs_from_the_first_step_to_the_last() {
        let plan = [
            step("m.yaml", 1, &["Vendor"], (9, 6)),
            step("m.yaml", 2, &["Bank"], (6, 5)),
        ];
        let models: Vec<ModelSummary> = ["m.yaml", "none.yaml"]
            .iter()
            .map(|file| ModelSummary {
                file: file.to_string(),
                name: file.to_string(),
                description: None,
                actors: Vec::new(),
                systems: Vec::new(),
                data: Vec::new(),
                flows: Vec::new(),
                controls: Vec::new(),
                accepted: Vec::new(),
            })
            .collect();
        let outcomes = plan_outcomes(&models, &plan);
        assert_eq!(outcomes.len(), 1, "a model without a plan has no outcome");
        let o = &outcomes[0];
        assert_eq!((o.model, o.steps, o.first.step), ("m.yaml", 2, 1));
        assert_eq!((o.paths_before, o.paths_after), (9, 5));
        assert_eq!((o.risk_before, o.risk_after), (99, 97));
    }

    #[test]
    fn paths_are_grouped_by_actor_in_the_order_of_their_first_path() {
        let paths = [
            path("broker", "images"),
            path("insider", "rows"),
            path("broker", "rows"),
        ];
        let grouped: Vec<(&str, usize)> = actor_paths(&paths)
            .iter()
            .map(|g| (g.actor, g.paths.len()))
            .collect();
        assert_eq!(grouped, vec![("broker", 2), ("insider", 1)]);
    }
}

//! A model's exposures on two releases, compared: each side computed as `atkmap report` would
//! (the later one on the model as `migrate` rewrites it), counted, and matched exposure by
//! exposure into new, gone and changed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::fate::{Fates, Revocations};
use super::lenient::{self, Dropped};
use crate::analysis::findings::{Exposure, Severity, Status, StatusSeverity, coverage_percent};
use crate::analysis::{self, Options};
use crate::attack::{Kind, KnowledgeBase};
use crate::model::date::Date;

/// The two releases compared.
pub struct Releases<'a> {
    /// The earlier release (`--from`).
    pub from: &'a KnowledgeBase,
    /// The later release (`--to`).
    pub to: &'a KnowledgeBase,
    /// The later bundle's `revoked-by` relationships.
    pub revocations: &'a Revocations,
    /// The day acceptances are judged on when exposures are recomputed.
    pub today: Date,
}

/// Exposures per status (JSON lists the statuses alphabetically, as it always has).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Exposures an unexpired acceptance matches.
    pub accepted: usize,
    /// Exposures both mitigated and detected.
    pub covered: usize,
    /// Exposures with nothing in place.
    pub gap: usize,
    /// Exposures only mitigated or only detected, or covered only by `partial` controls.
    pub partial: usize,
}

impl StatusCounts {
    fn add(&mut self, status: Status) {
        let count = match status {
            Status::Accepted => &mut self.accepted,
            Status::Covered => &mut self.covered,
            Status::Gap => &mut self.gap,
            Status::Partial => &mut self.partial,
        };
        *count += 1;
    }
}

/// Exposure counts on one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideSummary {
    /// Every exposure of the model on this release.
    pub exposures: usize,
    /// Exposures per status.
    pub by_status: StatusCounts,
    /// Gap or partial.
    pub open: usize,
    /// Covered exposures as a percentage of those not accepted, to one decimal;
    /// 100 when there are none.
    pub coverage_percent: f64,
}

/// How an exposure differs between the releases, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureChangeKind {
    /// A gap now, not before.
    NewGap,
    /// A gap before, in scope and not a gap now.
    ClosedGap,
    /// Another change of status.
    Status,
    /// The same status, another severity.
    Severity,
    /// In scope in the later release only.
    Added,
    /// In scope in the earlier release only.
    Removed,
}

impl ExposureChangeKind {
    /// The name JSON and text use (`new-gap`).
    pub fn label(self) -> &'static str {
        match self {
            ExposureChangeKind::NewGap => "new-gap",
            ExposureChangeKind::ClosedGap => "closed-gap",
            ExposureChangeKind::Status => "status",
            ExposureChangeKind::Severity => "severity",
            ExposureChangeKind::Added => "added",
            ExposureChangeKind::Removed => "removed",
        }
    }
}

/// One exposure whose status or severity differs, or that exists on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposureChange {
    /// How the exposure differs.
    pub change: ExposureChangeKind,
    /// The actor's id in the model.
    pub actor: String,
    /// The technique's ATT&CK ID (the later release's when the exposure is on both
    /// sides).
    pub technique: String,
    /// The technique's name.
    pub technique_name: String,
    /// The system's id in the model.
    pub system: String,
    /// Status and severity in the earlier release; `null` when not in scope there.
    pub before: Option<StatusSeverity>,
    /// Status and severity in the later release; `null` when not in scope there.
    pub after: Option<StatusSeverity>,
}

/// Exposures and coverage recomputed on each release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureDiff {
    /// Whether both sides could be computed.
    pub compared: bool,
    /// Why the model does not validate on a release even with the references it does not
    /// know left out (each error with its line); absent when it validates on both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Exposure counts on the earlier release; `null` when they could not be computed.
    pub from: Option<SideSummary>,
    /// Exposure counts on the later release; `null` when they could not be computed.
    pub to: Option<SideSummary>,
    /// References left out to validate the model on the earlier release.
    pub dropped_from: Vec<Dropped>,
    /// References left out on the later release.
    pub dropped_to: Vec<Dropped>,
    /// IDs replaced (as `migrate` would) to evaluate the model on the later release:
    /// `T1192 -> T1566.002`.
    pub replaced_to: Vec<String>,
    /// Gap in the later release, and absent or not a gap before.
    pub new_gaps: usize,
    /// Gap in the earlier release, and in scope but not a gap in the later one (covered,
    /// partial or accepted). Gaps that leave scope are listed as `removed`.
    pub closed_gaps: usize,
    /// In both, with another severity.
    pub severity_changes: usize,
    /// Every exposure whose status or severity differs or that is in scope on one side
    /// only, ordered by kind of change, worst severity, actor, technique and system.
    pub changes: Vec<ExposureChange>,
}

/// Exposures of the model on one release, what was dropped to compute them, and why they
/// could not be computed.
pub(super) type Side = (Option<Vec<Exposure>>, Vec<Dropped>, Option<String>);

pub(super) fn side(text: &str, path: &str, kb: &KnowledgeBase, today: Date) -> Side {
    let lenient = lenient::validate(text, path, kb, today);
    let note = (!lenient.errors.is_empty()).then(|| {
        format!(
            "the model does not validate on ATT&CK {} {}: {}",
            kb.release.domain,
            kb.release.version,
            lenient
                .errors
                .iter()
                .map(|d| match d.position {
                    Some(p) => format!("line {}: {}", p.line, d.message),
                    None => d.message.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        )
    });
    let exposures = lenient.model.and_then(|model| {
        // Paths are computed: whether an exposure lies on one decides whether it can be
        // critical. The plan is not needed.
        let options = Options {
            plan_steps: 0,
            ..Options::new(today)
        };
        analysis::analyze(&model, kb, &options)
            .ok()
            .map(|a| a.exposures)
    });
    (exposures, lenient.dropped, note)
}

fn summarize(exposures: &[Exposure]) -> SideSummary {
    let mut by_status = StatusCounts::default();
    for e in exposures {
        by_status.add(e.status);
    }
    SideSummary {
        exposures: exposures.len(),
        by_status,
        open: exposures.iter().filter(|e| e.is_open()).count(),
        coverage_percent: coverage_percent(exposures),
    }
}

pub(super) fn exposure_diff(releases: &Releases, before: Side, after: Side) -> ExposureDiff {
    let (before, dropped_from, note_from) = before;
    let (after, dropped_to, note_to) = after;
    let notes: Vec<String> = [note_from, note_to].into_iter().flatten().collect();
    let mut diff = ExposureDiff {
        compared: before.is_some() && after.is_some(),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        from: before.as_deref().map(summarize),
        to: after.as_deref().map(summarize),
        dropped_from,
        dropped_to,
        replaced_to: Vec::new(),
        new_gaps: 0,
        closed_gaps: 0,
        severity_changes: 0,
        changes: Vec::new(),
    };
    let (Some(before), Some(after)) = (before, after) else {
        return diff;
    };
    // Exposures are matched by (actor, technique STIX id, system).
    // A technique the later release revoked into one other technique is matched with its
    // replacement, as the migrated model names it.
    type Key = (String, String, String);
    let to = releases.to;
    let fates = Fates::new(to, releases.revocations);
    let successor = |stix: String| -> String {
        let Some(o) = to.by_stix_id(&stix) else {
            return stix;
        };
        match fates.fate(o).replacement() {
            Some(r) if r.kind == Kind::Technique => to.meta(r).stix_id.clone(),
            _ => stix,
        }
    };
    let keyed =
        |kb: &KnowledgeBase, list: Vec<Exposure>, forward: bool| -> BTreeMap<Key, Exposure> {
            list.into_iter()
                .map(|e| {
                    let mut stix = kb
                        .technique_index(&e.technique)
                        .map_or(e.technique.clone(), |t| {
                            kb.techniques[t as usize].meta.stix_id.clone()
                        });
                    if forward {
                        stix = successor(stix);
                    }
                    ((e.actor.clone(), stix, e.system.clone()), e)
                })
                .collect()
        };
    let old = keyed(releases.from, before, true);
    let new = keyed(releases.to, after, false);
    let keys: BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    let state = |e: &Exposure| StatusSeverity {
        status: e.status,
        severity: e.severity,
    };
    for key in keys {
        let (a, b) = (old.get(key), new.get(key));
        let was = a.map(state);
        let now = b.map(state);
        if was == now {
            continue;
        }
        let gap_before = was.is_some_and(|s| s.status == Status::Gap);
        let gap_after = now.is_some_and(|s| s.status == Status::Gap);
        let severity_changed = matches!((was, now), (Some(x), Some(y)) if x.severity != y.severity);
        let change = if gap_after && !gap_before {
            diff.new_gaps += 1;
            ExposureChangeKind::NewGap
        } else if gap_before && now.is_some() && !gap_after {
            diff.closed_gaps += 1;
            ExposureChangeKind::ClosedGap
        } else if was.is_none() {
            ExposureChangeKind::Added
        } else if now.is_none() {
            ExposureChangeKind::Removed
        } else if was.map(|s| s.status) != now.map(|s| s.status) {
            ExposureChangeKind::Status
        } else {
            ExposureChangeKind::Severity
        };
        if severity_changed {
            diff.severity_changes += 1;
        }
        let Some(e) = b.or(a) else {
            continue;
        };
        diff.changes.push(ExposureChange {
            change,
            actor: e.actor.clone(),
            technique: e.technique.clone(),
            technique_name: e.technique_name.clone(),
            system: e.system.clone(),
            before: was,
            after: now,
        });
    }
    diff.changes.sort_by(|x, y| {
        let worst = |c: &ExposureChange| {
            std::cmp::Reverse(
                c.after
                    .map(|s| s.severity)
                    .max(c.before.map(|s| s.severity))
                    .unwrap_or(Severity::Low),
            )
        };
        (x.change, worst(x), &x.actor, &x.technique, &x.system).cmp(&(
            y.change,
            worst(y),
            &y.actor,
            &y.technique,
            &y.system,
        ))
    });
    diff
}

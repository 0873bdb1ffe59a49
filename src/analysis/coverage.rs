//! Coverage of an exposure (technique t on system s): is it mitigated, is it detected?
//!
//! - Relevant mitigations: the active mitigations of t, plus those of t's parent.
//! - Mitigated: an `implemented` control on s lists one; `partial` controls make it partially
//!   mitigated; `planned` ones count for nothing but are shown.
//! - Detected: an `implemented` control on s lists a detection strategy of t (or its parent),
//!   or s's telemetry supplies, for at least one analytic of such a strategy whose platforms
//!   meet s's, every data component that analytic needs. Before v18, the data components that
//!   detect t directly stand in for strategies.
//!
//! What telemetry supplies is matched per log-source reference of the analytic: a reference
//! (data component C, log source L) is met when the system lists C's ID, or lists L itself.
//! A log-source name does not stand for every component that mentions it: `AWS:CloudTrail`
//! appears under 44 data components in 18.1, and collecting CloudTrail does not make a system
//! observe an analytic that reads a SaaS audit log. (For releases before v18, whose analytics
//! name no log sources, a log-source name supplies the data components that list it.)

use std::collections::{BTreeMap, BTreeSet};

use super::findings::{DetectionCoverage, MitigationCoverage, Status};
use crate::attack::view::Named;
use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::model::Model;
use crate::model::format::ControlStatus;
use crate::model::resolved::SystemId;

/// What is in place on one system, computed once per system.
#[derive(Debug, Default)]
pub struct SystemDefences {
    /// Mitigation ID -> the best status of a control listing it, and those controls.
    pub mitigations: BTreeMap<String, (ControlStatus, Vec<String>)>,
    /// Detection strategy ID -> the best status of a control listing it, and those controls.
    pub detections: BTreeMap<String, (ControlStatus, Vec<String>)>,
    pub telemetry: Telemetry,
}

/// What a system collects: data components by ID, and log sources by name.
#[derive(Debug, Default, Clone)]
pub struct Telemetry {
    /// Data components named by ID.
    pub components: BTreeSet<u32>,
    /// Log-source names, lower-cased.
    pub log_sources: BTreeSet<String>,
    /// Components named by ID or whose log sources are named (for releases before v18).
    pub broad_components: BTreeSet<u32>,
}

impl Telemetry {
    /// The data components of an analytic's log-source references that this telemetry does
    /// not meet; empty when the analytic can run.
    pub fn unmet(&self, analytic: &crate::attack::knowledge::Analytic) -> Vec<u32> {
        let mut out: Vec<u32> = analytic
            .log_sources
            .iter()
            .filter(|l| {
                !l.data_component
                    .is_some_and(|c| self.components.contains(&c))
                    && !self.log_sources.contains(&l.name.to_ascii_lowercase())
            })
            .filter_map(|l| l.data_component)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether an analytic names any log source at all.
    pub fn observable_at_all(analytic: &crate::attack::knowledge::Analytic) -> bool {
        !analytic.log_sources.is_empty()
    }

    /// Everything any of several systems collects.
    pub fn union<'a>(all: impl IntoIterator<Item = &'a Telemetry>) -> Telemetry {
        let mut out = Telemetry::default();
        for t in all {
            out.components.extend(&t.components);
            out.log_sources.extend(t.log_sources.iter().cloned());
            out.broad_components.extend(&t.broad_components);
        }
        out
    }
}

impl SystemDefences {
    pub fn of(model: &Model, kb: &KnowledgeBase, system: SystemId) -> SystemDefences {
        let mut out = SystemDefences::default();
        for control in model
            .controls
            .iter()
            .filter(|c| c.applies_to.contains(&system))
        {
            for (ids, target) in [
                (&control.mitigations, &mut out.mitigations),
                (&control.detections, &mut out.detections),
            ] {
                for id in ids {
                    let key = id.value.to_ascii_uppercase();
                    let entry = target.entry(key).or_insert((control.status, Vec::new()));
                    entry.0 = entry.0.max(control.status);
                    entry.1.push(control.id.value.clone());
                }
            }
        }
        let telemetry = &mut out.telemetry;
        for entry in &model.systems[system].telemetry {
            match kb.lookup(&entry.value, Some(Kind::DataComponent)) {
                Some(o) if o.kind == Kind::DataComponent => {
                    telemetry.components.insert(o.index);
                    telemetry.broad_components.insert(o.index);
                }
                _ => {
                    telemetry
                        .log_sources
                        .insert(entry.value.to_ascii_lowercase());
                    telemetry
                        .broad_components
                        .extend(kb.components_with_log_source(&entry.value));
                }
            }
        }
        out
    }
}

/// A technique's own objects and its parent's, for a relation (mitigations, strategies, ...).
fn with_parent(
    kb: &KnowledgeBase,
    technique: u32,
    pick: impl Fn(&crate::attack::knowledge::Technique) -> &Vec<u32>,
) -> Vec<u32> {
    let t = &kb.techniques[technique as usize];
    let mut out = pick(t).clone();
    if let Some(parent) = t.parent {
        out.extend(pick(&kb.techniques[parent as usize]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The coverage of one technique on one system.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub mitigations: MitigationCoverage,
    pub detection: DetectionCoverage,
    pub controls: Vec<String>,
    /// Status before acceptances: covered, partial or gap.
    pub status: Status,
}

pub fn assess(
    kb: &KnowledgeBase,
    platforms: &[String],
    defences: &SystemDefences,
    technique: u32,
) -> Assessment {
    let mut controls: BTreeSet<String> = BTreeSet::new();

    // Mitigations.
    let relevant = with_parent(kb, technique, |t| &t.mitigations);
    let relevant = kb.named(Kind::Mitigation, &relevant);
    let mut mitigations = MitigationCoverage {
        relevant: relevant.clone(),
        ..MitigationCoverage::default()
    };
    for m in &relevant {
        match defences.mitigations.get(&m.id) {
            Some((status, by)) => {
                controls.extend(by.iter().cloned());
                match status {
                    ControlStatus::Implemented => mitigations.implemented.push(m.id.clone()),
                    ControlStatus::Partial => mitigations.partial.push(m.id.clone()),
                    ControlStatus::Planned => mitigations.planned.push(m.id.clone()),
                }
                if *status != ControlStatus::Implemented {
                    mitigations.missing.push(m.clone());
                }
            }
            None => mitigations.missing.push(m.clone()),
        }
    }

    // Detection.
    let strategies = with_parent(kb, technique, |t| &t.detection_strategies);
    let mut detection = DetectionCoverage {
        strategies: kb.named(Kind::DetectionStrategy, &strategies),
        ..DetectionCoverage::default()
    };
    let mut cheapest: Option<Vec<u32>> = None;
    for &s in &strategies {
        let strategy = &kb.detection_strategies[s as usize];
        if !strategy.meta.is_active() {
            continue;
        }
        let id = strategy.meta.attack_id.clone();
        let by_control = defences.detections.get(&id);
        if let Some((_, by)) = by_control {
            controls.extend(by.iter().cloned());
        }
        let mut observed = false;
        for &a in &strategy.analytics {
            let analytic = &kb.analytics[a as usize];
            if !analytic.meta.is_active()
                || !analytic.platforms.iter().any(|p| platforms.contains(p))
            {
                continue;
            }
            if !Telemetry::observable_at_all(analytic) {
                continue;
            }
            let missing = defences.telemetry.unmet(analytic);
            if missing.is_empty() {
                observed = true;
            } else if cheapest.as_ref().is_none_or(|c| missing.len() < c.len()) {
                cheapest = Some(missing);
            }
        }
        match (by_control.map(|b| b.0), observed) {
            (Some(ControlStatus::Implemented), _) | (_, true) => detection.implemented.push(id),
            (Some(ControlStatus::Partial), false) => detection.partial.push(id),
            (Some(ControlStatus::Planned), false) => detection.planned.push(id),
            (None, false) => {}
        }
    }
    // Before v18: data components that detect the technique directly.
    let direct = with_parent(kb, technique, |t| &t.data_components);
    detection.data_components = kb.named(Kind::DataComponent, &direct);
    let direct_observed = direct
        .iter()
        .any(|c| defences.telemetry.broad_components.contains(c));
    let detected = !detection.implemented.is_empty() || direct_observed;
    if !detected {
        let missing: Vec<u32> = match cheapest {
            Some(c) => c,
            None => direct.clone(),
        };
        detection.missing_data_components = kb.named(Kind::DataComponent, &missing);
    }

    let mitigated = !mitigations.implemented.is_empty();
    let partly = !mitigations.partial.is_empty() || !detection.partial.is_empty();
    let status = match (mitigated, detected) {
        (true, true) => Status::Covered,
        (false, false) if !partly => Status::Gap,
        _ => Status::Partial,
    };
    Assessment {
        mitigations,
        detection,
        controls: controls.into_iter().collect(),
        status,
    }
}

/// Named reference helper for other analysis modules.
pub fn named(kb: &KnowledgeBase, kind: Kind, index: u32) -> Named {
    kb.named_one(ObjectRef { kind, index })
}

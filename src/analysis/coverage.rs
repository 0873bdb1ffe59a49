//! Coverage of technique t on system s: is it prevented, detected, visible?
//!
//! - **Mitigated** (which is what *prevents* a step of an attack): an `implemented` control on s
//!   names an active ATT&CK mitigation of t or of t's parent, or `counters` t or its parent.
//! - **Detected**: an `implemented` control on s names an active detection strategy of t (or its
//!   parent), or `detects` t or its parent.
//! - `partial` controls that would do either leave the exposure partially covered; `planned`
//!   ones count for nothing but are shown.
//! - **Visible**: s's telemetry meets an analytic of such a strategy whose platforms meet s's.
//!   Having the logs is not detecting: visibility never changes the status, it is reported as
//!   "detectable with data you already have". A log-source reference of an analytic (data
//!   component C read through log source L) is met when s lists C, or L, or any log-source name
//!   the release lists for C (an AWS-only shop listing `AWS:CloudTrail` meets an IaaS analytic
//!   that names `gcp:audit`). Before v18, a data component that detects t directly and that s
//!   collects makes t visible.
//!
//! Status: `covered` (mitigated and detected), `partial` (one of the two, or only partial
//! controls), `gap` (neither). Coverage does not depend on who attacks: it is computed per
//! (technique, system), before reach.

use std::collections::{BTreeMap, BTreeSet};

use super::findings::{DetectionCoverage, MitigationCoverage, Status};
use crate::attack::knowledge::Analytic;
use crate::attack::view::Named;
use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::model::Model;
use crate::model::format::ControlStatus;
use crate::model::resolved::Telemetry;

/// The best status of the controls on one system that name one object, and those controls.
#[derive(Debug, Clone)]
pub struct Listing {
    pub status: ControlStatus,
    pub controls: Vec<String>,
}

impl Listing {
    fn add(&mut self, status: ControlStatus, control: &str) {
        self.status = self.status.max(status);
        if !self.controls.iter().any(|c| c == control) {
            self.controls.push(control.to_string());
        }
    }
}

/// What is in place on one system, keyed by knowledge-base index.
#[derive(Debug, Default, Clone)]
pub struct SystemDefences {
    /// Mitigation index -> the controls naming it.
    pub mitigations: BTreeMap<u32, Listing>,
    /// Detection strategy index -> the controls naming it.
    pub detections: BTreeMap<u32, Listing>,
    /// Technique index -> the controls that counter it directly.
    pub counters: BTreeMap<u32, Listing>,
    /// Technique index -> the controls that detect it directly.
    pub detects: BTreeMap<u32, Listing>,
    pub telemetry: Collected,
}

/// Which of a system's defence lists an entry goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefenceKind {
    Mitigation,
    Detection,
    Counter,
    Detect,
}

impl SystemDefences {
    /// Records that `control` (with `status`) names object `index` of `kind` on this system.
    pub fn add(&mut self, kind: DefenceKind, index: u32, status: ControlStatus, control: &str) {
        let map = match kind {
            DefenceKind::Mitigation => &mut self.mitigations,
            DefenceKind::Detection => &mut self.detections,
            DefenceKind::Counter => &mut self.counters,
            DefenceKind::Detect => &mut self.detects,
        };
        map.entry(index)
            .or_insert_with(|| Listing {
                status,
                controls: Vec::new(),
            })
            .add(status, control);
    }
}

/// Every system's defences, in one pass over the controls.
pub fn defences(model: &Model, kb: &KnowledgeBase) -> Vec<SystemDefences> {
    let mut out: Vec<SystemDefences> = model
        .systems
        .iter()
        .map(|s| SystemDefences {
            telemetry: Collected::of(kb, &s.collects),
            ..SystemDefences::default()
        })
        .collect();
    for control in &model.controls {
        let status = control.status;
        for (kind, expected, ids) in control_entries(control) {
            for id in ids {
                let Some(o) = kb.lookup(&id.value, Some(expected)) else {
                    continue;
                };
                if o.kind != expected {
                    continue;
                }
                for &s in &control.applies_to {
                    out[s].add(kind, o.index, status, &control.id.value);
                }
            }
        }
    }
    out
}

/// A control's four lists with the defence kind and ATT&CK kind of each.
pub fn control_entries(
    control: &crate::model::resolved::ControlDef,
) -> [(
    DefenceKind,
    Kind,
    &Vec<crate::model::located::Located<String>>,
); 4] {
    [
        (
            DefenceKind::Mitigation,
            Kind::Mitigation,
            &control.mitigations,
        ),
        (
            DefenceKind::Detection,
            Kind::DetectionStrategy,
            &control.detections,
        ),
        (DefenceKind::Counter, Kind::Technique, &control.counters),
        (DefenceKind::Detect, Kind::Technique, &control.detects),
    ]
}

/// What a system collects: data components (named by ID, or standing behind a log-source name
/// it lists) and log-source names.
#[derive(Debug, Default, Clone)]
pub struct Collected {
    pub components: BTreeSet<u32>,
    /// Log-source names, lower-cased.
    pub log_sources: BTreeSet<String>,
}

impl Collected {
    /// What a system's resolved `telemetry` collects.
    pub fn of(kb: &KnowledgeBase, entries: &[Telemetry]) -> Collected {
        let mut out = Collected::default();
        for entry in entries {
            match entry {
                Telemetry::Component(index) => {
                    out.components.insert(*index);
                }
                Telemetry::LogSource(name) => {
                    out.log_sources.insert(name.to_ascii_lowercase());
                    out.components.extend(kb.components_with_log_source(name));
                }
            }
        }
        out
    }

    /// The data components of an analytic's log-source references that this telemetry does
    /// not meet; empty when the analytic can run.
    pub fn unmet(&self, analytic: &Analytic) -> Vec<u32> {
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
    pub fn observable_at_all(analytic: &Analytic) -> bool {
        !analytic.log_sources.is_empty()
    }

    /// Everything any of several systems collects.
    pub fn union<'a>(all: impl IntoIterator<Item = &'a Collected>) -> Collected {
        let mut out = Collected::default();
        for t in all {
            out.components.extend(&t.components);
            out.log_sources.extend(t.log_sources.iter().cloned());
        }
        out
    }
}

/// The facts the rules need about technique t on system s: cheap enough to ask for every step
/// of every actor, and the one place that decides them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoverageState {
    /// An implemented control names a mitigation of t (or its parent) or counters it.
    pub mitigated: bool,
    /// An implemented control names a detection strategy of t (or its parent) or detects it.
    pub detected: bool,
    /// A `partial` control would mitigate or detect it.
    pub partly: bool,
}

impl CoverageState {
    /// Whether the step is prevented: only mitigation stops an attacker.
    pub fn prevents(self) -> bool {
        self.mitigated
    }

    /// The status before acceptances.
    pub fn status(self) -> Status {
        match (self.mitigated, self.detected) {
            (true, true) => Status::Covered,
            (false, false) if !self.partly => Status::Gap,
            _ => Status::Partial,
        }
    }
}

/// t itself, then its parent when of the same framework (an F3 sub-technique under an ATT&CK
/// technique, F3's T1586.004, is covered only by controls that name it).
fn self_and_parent(kb: &KnowledgeBase, technique: u32) -> impl Iterator<Item = u32> {
    let t = &kb.techniques[technique as usize];
    let parent = t
        .parent
        .filter(|&p| kb.techniques[p as usize].meta.framework == t.meta.framework);
    std::iter::once(technique).chain(parent)
}

fn mark(status: ControlStatus, flag: &mut bool, partly: &mut bool) {
    match status {
        ControlStatus::Implemented => *flag = true,
        ControlStatus::Partial => *partly = true,
        ControlStatus::Planned => {}
    }
}

/// The coverage facts of technique t on a system with these defences.
pub fn state(kb: &KnowledgeBase, defences: &SystemDefences, technique: u32) -> CoverageState {
    let mut out = CoverageState::default();
    for t in self_and_parent(kb, technique) {
        let t_obj = &kb.techniques[t as usize];
        for m in &t_obj.mitigations {
            if let Some(l) = defences.mitigations.get(m)
                && kb.mitigations[*m as usize].meta.is_active()
            {
                mark(l.status, &mut out.mitigated, &mut out.partly);
            }
        }
        if let Some(l) = defences.counters.get(&t) {
            mark(l.status, &mut out.mitigated, &mut out.partly);
        }
        for d in &t_obj.detection_strategies {
            if let Some(l) = defences.detections.get(d)
                && kb.detection_strategies[*d as usize].meta.is_active()
            {
                mark(l.status, &mut out.detected, &mut out.partly);
            }
        }
        if let Some(l) = defences.detects.get(&t) {
            mark(l.status, &mut out.detected, &mut out.partly);
        }
    }
    out
}

/// A technique's own objects and its parent's, for a relation (mitigations, strategies, ...).
fn with_parent(
    kb: &KnowledgeBase,
    technique: u32,
    pick: impl Fn(&crate::attack::knowledge::Technique) -> &Vec<u32>,
) -> Vec<u32> {
    let mut out: Vec<u32> = self_and_parent(kb, technique)
        .flat_map(|t| pick(&kb.techniques[t as usize]).iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The active objects of one kind related to t and to its parent, in ATT&CK ID order.
fn relevant(
    kb: &KnowledgeBase,
    technique: u32,
    kind: Kind,
    pick: impl Fn(&crate::attack::knowledge::Technique) -> &Vec<u32>,
) -> Vec<u32> {
    let meta = |i: u32| kb.meta(ObjectRef { kind, index: i });
    let mut out: Vec<u32> = with_parent(kb, technique, pick)
        .into_iter()
        .filter(|&i| meta(i).is_active())
        .collect();
    out.sort_by(|a, b| meta(*a).attack_id.cmp(&meta(*b).attack_id));
    out
}

/// The active mitigations of t and of its parent, in ATT&CK ID order.
pub fn relevant_mitigations(kb: &KnowledgeBase, technique: u32) -> Vec<u32> {
    relevant(kb, technique, Kind::Mitigation, |t| &t.mitigations)
}

/// The active detection strategies of t and of its parent, in ATT&CK ID order.
pub fn relevant_strategies(kb: &KnowledgeBase, technique: u32) -> Vec<u32> {
    relevant(kb, technique, Kind::DetectionStrategy, |t| {
        &t.detection_strategies
    })
}

/// The coverage of one technique on one system, named for reports.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub mitigations: MitigationCoverage,
    pub detection: DetectionCoverage,
    /// Controls on the system that name a relevant mitigation or strategy or the technique,
    /// any status.
    pub controls: Vec<String>,
    /// Implemented controls that prevent it.
    pub prevented_by: Vec<String>,
    /// Implemented controls that detect it.
    pub detected_by: Vec<String>,
}

/// Sorts a listing's controls into the assessment's lists.
fn note(listing: &Listing, controls: &mut BTreeSet<String>, implemented_by: &mut BTreeSet<String>) {
    controls.extend(listing.controls.iter().cloned());
    if listing.status == ControlStatus::Implemented {
        implemented_by.extend(listing.controls.iter().cloned());
    }
}

pub fn assess(
    kb: &KnowledgeBase,
    platforms: &[String],
    defences: &SystemDefences,
    technique: u32,
) -> Assessment {
    let mut controls = BTreeSet::new();
    let mut prevented_by = BTreeSet::new();
    let mut detected_by = BTreeSet::new();

    let relevant = relevant_mitigations(kb, technique);
    let mut mitigations = MitigationCoverage::default();
    for &m in &relevant {
        let named = named(kb, Kind::Mitigation, m);
        mitigations.relevant.push(named.clone());
        match defences.mitigations.get(&m) {
            Some(listing) => {
                note(listing, &mut controls, &mut prevented_by);
                match listing.status {
                    ControlStatus::Implemented => mitigations.implemented.push(named.id.clone()),
                    ControlStatus::Partial => mitigations.partial.push(named.id.clone()),
                    ControlStatus::Planned => mitigations.planned.push(named.id.clone()),
                }
                if listing.status != ControlStatus::Implemented {
                    mitigations.missing.push(named);
                }
            }
            None => mitigations.missing.push(named),
        }
    }
    for t in self_and_parent(kb, technique) {
        if let Some(listing) = defences.counters.get(&t) {
            note(listing, &mut controls, &mut prevented_by);
        }
        if let Some(listing) = defences.detects.get(&t) {
            note(listing, &mut controls, &mut detected_by);
        }
    }

    let strategies = relevant_strategies(kb, technique);
    let mut detection = DetectionCoverage {
        strategies: kb.named(Kind::DetectionStrategy, &strategies),
        ..DetectionCoverage::default()
    };
    let mut cheapest: Option<Vec<u32>> = None;
    let mut visible_analytics = BTreeSet::new();
    for &s in &strategies {
        let strategy = &kb.detection_strategies[s as usize];
        let id = strategy.meta.attack_id.clone();
        if let Some(listing) = defences.detections.get(&s) {
            note(listing, &mut controls, &mut detected_by);
            match listing.status {
                ControlStatus::Implemented => detection.implemented.push(id.clone()),
                ControlStatus::Partial => detection.partial.push(id.clone()),
                ControlStatus::Planned => detection.planned.push(id.clone()),
            }
        }
        for &a in &strategy.analytics {
            let analytic = &kb.analytics[a as usize];
            if !analytic.meta.is_active()
                || !analytic.platforms.iter().any(|p| platforms.contains(p))
                || !Collected::observable_at_all(analytic)
            {
                continue;
            }
            let missing = defences.telemetry.unmet(analytic);
            if missing.is_empty() {
                visible_analytics.insert(analytic.meta.attack_id.clone());
            } else if cheapest.as_ref().is_none_or(|c| missing.len() < c.len()) {
                cheapest = Some(missing);
            }
        }
    }
    // Before v18: data components that detect the technique directly.
    let direct = with_parent(kb, technique, |t| &t.data_components);
    detection.data_components = kb.named(Kind::DataComponent, &direct);
    let direct_visible = direct
        .iter()
        .any(|c| defences.telemetry.components.contains(c));
    detection.visible_analytics = visible_analytics.into_iter().collect();
    detection.visible = !detection.visible_analytics.is_empty() || direct_visible;
    if !detection.visible {
        let missing = cheapest.unwrap_or(direct);
        detection.missing_data_components = kb.named(Kind::DataComponent, &missing);
    }
    Assessment {
        mitigations,
        detection,
        controls: controls.into_iter().collect(),
        prevented_by: prevented_by.into_iter().collect(),
        detected_by: detected_by.into_iter().collect(),
    }
}

/// Named reference helper for other analysis modules.
pub fn named(kb: &KnowledgeBase, kind: Kind, index: u32) -> Named {
    kb.named_one(ObjectRef { kind, index })
}

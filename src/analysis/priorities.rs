//! What each missing mitigation and detection strategy would remove on its system: the open
//! risk of the exposures there whose status it would improve (a gap becomes partial and its
//! risk halves; a partial becomes covered and leaves the open risk). Reach is held fixed here;
//! the fix plan ([`super::plan`]) is where cutting attack paths is weighed.
//!
//! These gains rank the per-exposure recommendations (which also name the listed controls that
//! would help once implemented) and the `priorities` table.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::context::{Context, Defended};
use super::coverage::{CoverageState, relevant_mitigations, relevant_strategies};
use super::evaluate::ActorOutcome;
use super::findings::{Priority, Recommendation};
use super::fix::Fix;
use super::risk;
use super::scoped::Scoped;
use crate::attack::Kind;
use crate::model::format::ControlStatus;
use crate::model::resolved::SystemId;

/// A mitigation or a detection strategy; mitigations first in ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixKind {
    Mitigation,
    Detection,
}

impl FixKind {
    pub fn label(self) -> &'static str {
        match self {
            FixKind::Mitigation => "mitigation",
            FixKind::Detection => "detection-strategy",
        }
    }

    pub fn attack_kind(self) -> Kind {
        match self {
            FixKind::Mitigation => Kind::Mitigation,
            FixKind::Detection => Kind::DetectionStrategy,
        }
    }
}

/// One ATT&CK object put in place on one system.
pub type FixKey = (SystemId, FixKind, u32);

/// One listed control raised to implemented, seen on one of its systems: (system, control).
pub type ControlKey = (SystemId, usize);

/// What a fix would improve on its system.
#[derive(Debug, Clone, Default)]
pub struct Gain {
    pub removes: u32,
    pub exposures: usize,
    pub techniques: BTreeSet<u32>,
}

/// The open risk an exposure would have in another coverage state.
fn open_risk_in(e: &Scoped, state: CoverageState) -> u32 {
    risk::open_risk(e.base_risk, state.status(), e.acceptance.is_some())
}

/// The relevant mitigations and strategies of techniques, computed once each.
#[derive(Default)]
pub struct Relevant(HashMap<u32, (Vec<u32>, Vec<u32>)>);

impl Relevant {
    pub fn of(&mut self, ctx: &Context, technique: u32) -> &(Vec<u32>, Vec<u32>) {
        self.0.entry(technique).or_insert_with(|| {
            (
                relevant_mitigations(ctx.kb, technique),
                relevant_strategies(ctx.kb, technique),
            )
        })
    }
}

/// Every missing mitigation and strategy that would improve an open exposure, with its gain.
pub fn local_gains(
    ctx: &Context,
    defended: Defended,
    outcomes: &[ActorOutcome],
    relevant: &mut Relevant,
) -> BTreeMap<FixKey, Gain> {
    let mut out: BTreeMap<FixKey, Gain> = BTreeMap::new();
    for e in outcomes.iter().flat_map(|o| &o.exposures) {
        if !e.is_open() {
            continue;
        }
        let defences = defended.at(e.system);
        let before = e.open_risk();
        let (mitigations, strategies) = relevant.of(ctx, e.technique);
        let options = [
            (FixKind::Mitigation, mitigations, &defences.mitigations),
            (FixKind::Detection, strategies, &defences.detections),
        ];
        for (kind, objects, listed) in options {
            let after_state = match kind {
                FixKind::Mitigation => CoverageState {
                    mitigated: true,
                    ..e.state
                },
                FixKind::Detection => CoverageState {
                    detected: true,
                    ..e.state
                },
            };
            if after_state.status() == e.state.status() {
                continue;
            }
            let removes = before - open_risk_in(e, after_state);
            for &x in objects {
                if listed
                    .get(&x)
                    .is_some_and(|l| l.status == ControlStatus::Implemented)
                {
                    continue;
                }
                let gain = out.entry((e.system, kind, x)).or_default();
                gain.removes += removes;
                gain.exposures += 1;
                gain.techniques.insert(e.technique);
            }
        }
    }
    out
}

/// What raising each listed `partial` or `planned` control to implemented would improve on
/// each of its systems, by (system, control index).
pub fn control_gains(
    ctx: &Context,
    outcomes: &[ActorOutcome],
) -> BTreeMap<(SystemId, usize), Gain> {
    let mut out: BTreeMap<ControlKey, Gain> = BTreeMap::new();
    let pending: Vec<(usize, &crate::model::resolved::ControlDef)> = ctx
        .model
        .controls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status != ControlStatus::Implemented)
        .collect();
    if pending.is_empty() {
        return out;
    }
    for e in outcomes.iter().flat_map(|o| &o.exposures) {
        if !e.is_open() {
            continue;
        }
        for &(c, control) in &pending {
            if !control.applies_to.contains(&e.system) {
                continue;
            }
            let fix = Fix::Control(c);
            let after_state = CoverageState {
                mitigated: e.state.mitigated || fix.prevents(ctx, e.technique),
                detected: e.state.detected || fix.detects(ctx, e.technique),
                ..e.state
            };
            if after_state == e.state {
                continue;
            }
            let gain = out.entry((e.system, c)).or_default();
            gain.removes += e.open_risk() - open_risk_in(e, after_state);
            gain.exposures += 1;
            gain.techniques.insert(e.technique);
        }
    }
    out
}

/// Most rows of a model's `priorities` table: the plan and each exposure's recommendations
/// carry the rest (a 10,000-system model has ~200,000 fixes with some gain).
pub const MAX_PRIORITIES: usize = 100;

/// The `priorities` table of a model: the [`MAX_PRIORITIES`] fixes that remove the most open
/// risk on their system.
pub fn priorities(ctx: &Context, gains: &BTreeMap<FixKey, Gain>) -> Vec<Priority> {
    let kb = ctx.kb;
    // Choose on the numbers first: naming 200,000 rows to keep 100 would cost more than the
    // rest. Every fix tied with the last one kept is named, and the final order decides.
    let mut ranked: Vec<(&FixKey, &Gain)> = gains.iter().collect();
    ranked.sort_by_key(|(_, g)| std::cmp::Reverse(g.removes));
    if let Some(&(_, last)) = ranked.get(MAX_PRIORITIES - 1) {
        let cut = last.removes;
        ranked.retain(|(_, g)| g.removes >= cut);
    }
    let mut out: Vec<Priority> = ranked
        .into_iter()
        .map(|(&(system, kind, x), gain)| {
            let meta = kb.meta(crate::attack::ObjectRef {
                kind: kind.attack_kind(),
                index: x,
            });
            let mut techniques: Vec<String> = gain
                .techniques
                .iter()
                .map(|&t| kb.techniques[t as usize].meta.attack_id.clone())
                .collect();
            techniques.sort();
            Priority {
                model: ctx.model.file.clone(),
                kind: kind.label(),
                id: meta.attack_id.clone(),
                name: meta.name.clone(),
                system: ctx.model.systems[system].id.value.clone(),
                removes_risk: gain.removes,
                exposures: gain.exposures,
                techniques,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.removes_risk
            .cmp(&a.removes_risk)
            .then_with(|| a.kind.cmp(b.kind))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.system.cmp(&b.system))
    });
    out.truncate(MAX_PRIORITIES);
    out
}

/// Up to `limit` fixes for technique t on system s: its mitigations and detection strategies
/// not implemented there, and the listed controls that would prevent or detect it once
/// implemented, the most open risk removed on the system first (a fix that changes no status on
/// its own removes 0 and comes last); ties: controls, then mitigations, then strategies, by id.
#[allow(clippy::too_many_arguments)]
pub fn recommend(
    ctx: &Context,
    defended: Defended,
    gains: &BTreeMap<FixKey, Gain>,
    controls: &BTreeMap<ControlKey, Gain>,
    relevant: &mut Relevant,
    technique: u32,
    system: SystemId,
    limit: usize,
) -> Vec<Recommendation> {
    let kb = ctx.kb;
    let defences = defended.at(system);
    let (mitigations, strategies) = relevant.of(ctx, technique);
    let system_id = &ctx.model.systems[system].id.value;
    // (removes, order among equals, recommendation)
    let mut options: Vec<(u32, u8, Recommendation)> = Vec::new();
    for (&(s, c), gain) in controls.range((system, 0)..=(system, usize::MAX)) {
        if s == system && gain.techniques.contains(&technique) {
            let control = &ctx.model.controls[c];
            options.push((
                gain.removes,
                0,
                Recommendation {
                    kind: "control",
                    id: control.id.value.clone(),
                    name: control.name.clone(),
                    fix: control.id.value.clone(),
                    removes_risk: gain.removes,
                },
            ));
        }
    }
    for (rank, kind, objects, listed) in [
        (1, FixKind::Mitigation, mitigations, &defences.mitigations),
        (2, FixKind::Detection, strategies, &defences.detections),
    ] {
        for &x in objects {
            if listed
                .get(&x)
                .is_some_and(|l| l.status == ControlStatus::Implemented)
            {
                continue;
            }
            let removes = gains
                .get(&(system, kind, x))
                .filter(|g| g.techniques.contains(&technique))
                .map_or(0, |g| g.removes);
            let meta = kb.meta(crate::attack::ObjectRef {
                kind: kind.attack_kind(),
                index: x,
            });
            options.push((
                removes,
                rank,
                Recommendation {
                    kind: kind.label(),
                    id: meta.attack_id.clone(),
                    name: meta.name.clone(),
                    fix: format!("{}@{system_id}", meta.attack_id),
                    removes_risk: removes,
                },
            ));
        }
    }
    options.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| a.2.id.cmp(&b.2.id))
    });
    options.into_iter().take(limit).map(|(_, _, r)| r).collect()
}

/// The order to show a technique's missing mitigations on a system: most risk removed first.
pub fn mitigation_rank(gains: &BTreeMap<FixKey, Gain>, system: SystemId, mitigation: u32) -> u32 {
    gains
        .get(&(system, FixKind::Mitigation, mitigation))
        .map_or(0, |g| g.removes)
}

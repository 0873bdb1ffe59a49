//! The gap engine (rules 2): from a validated model and its ATT&CK release, how well each
//! technique is prevented and detected on each system (`coverage`), where each actor can
//! actually get (`reach`), which (actor, technique, system) are in scope (`scope`), how
//! risky each is (`risk`), which attack paths lead to sensitive data (`paths`), what to fix
//! first ([`plan`], `priorities`) and what the actors do before touching anything
//! (`preparation`). Coverage comes first and does not depend on reach; reach is a
//! breadth-first closure per actor over the steps nothing prevents.
//!
//! Everything here is plain data out; renderers turn it into reports.

pub(crate) mod actors;
pub(crate) mod context;
pub(crate) mod coverage;
pub(crate) mod evaluate;
pub mod findings;
pub(crate) mod fix;
pub(crate) mod grouped;
pub(crate) mod paths;
pub mod plan;
pub(crate) mod preparation;
pub(crate) mod priorities;
pub(crate) mod reach;
pub(crate) mod risk;
pub(crate) mod scope;
pub(crate) mod scoped;
pub(crate) mod why;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::attack::{Kind, KnowledgeBase};
use crate::diag::Position;
use crate::model::Model;
use crate::model::date::Date;
use crate::model::format::ControlStatus;
use crate::model::located::Located;
use crate::model::resolved::{ActorId, SystemId};
use context::{Context, Defended};
use evaluate::ActorOutcome;
use findings::*;
use fix::{Fix, FixError};
use priorities::{ControlKey, FixKey, Gain, Relevant};
use scoped::Scoped;

/// The version of the rules reports are computed with (`generator.rules`).
pub const RULES_VERSION: u32 = 2;

/// Knobs of one analysis.
#[derive(Debug, Clone)]
pub struct Options {
    /// Paths per (actor, data asset) pair (`--paths-per-pair`).
    pub paths_per_pair: usize,
    /// Controls whose status is assumed (`--assume CONTROL=STATUS`).
    pub assume: Vec<(String, ControlStatus)>,
    /// Fixes assumed in place (`--assume-fix M1032@system`, a control id).
    pub fixes: Vec<String>,
    /// The day acceptances are judged on.
    pub today: Date,
    /// Most path-search work (nodes expanded) in one analysis.
    pub path_budget: usize,
    /// Most steps of the fix plan (`--plan-steps`); 0 computes no plan.
    pub plan_steps: usize,
    /// Most exposures in scope (an `input-limit` error above): [`MAX_EXPOSURES`].
    pub max_exposures: usize,
}

impl Options {
    /// The defaults, judging acceptances on `today` (the caller's clock: the library reads
    /// none).
    pub fn new(today: Date) -> Options {
        Options {
            paths_per_pair: 3,
            assume: Vec::new(),
            fixes: Vec::new(),
            today,
            path_budget: paths::PATH_SEARCH_BUDGET,
            plan_steps: plan::MAX_STEPS,
            max_exposures: MAX_EXPOSURES,
        }
    }
}

/// Where one actor gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorReach {
    /// System ids, in model order.
    pub systems: Vec<String>,
    /// Data asset ids it reaches: stored on a reached system or carried by a flow with a
    /// reached end.
    pub data: Vec<String>,
}

/// What the engine found in one model.
#[derive(Debug, Clone, Default)]
pub struct ModelAnalysis {
    /// Every (actor, technique, system) in scope: open risk first, then on-path, then risk,
    /// then ids.
    pub exposures: Vec<Exposure>,
    /// The exposures grouped by (system, technique), most open risk first.
    pub findings: Vec<Finding>,
    /// The fix plan's steps; empty with `--plan-steps 0`, or when the attack-path search ran
    /// out of budget (a warning says so).
    pub plan: Vec<PlanStep>,
    /// Each actor's preparation: techniques that target no system (ATT&CK's PRE platform
    /// only; F3's and ATLAS's reconnaissance and resource development only).
    pub preparation: Vec<Preparation>,
    /// Missing mitigations and detection strategies per system, by the open risk each would
    /// remove there (at most 100).
    pub priorities: Vec<Priority>,
    /// Attack paths from a foothold to confidential or restricted data, fewest hops first,
    /// then highest risk.
    pub paths: Vec<AttackPath>,
    /// The model's references to deprecated or revoked ATT&CK objects.
    pub drift: Vec<Drift>,
    /// Plain-text warnings: a path search or fix plan cut short by its budget, expired
    /// acceptances, and acceptances that match no exposure.
    pub warnings: Vec<String>,
    /// With `--assume` or `--assume-fix`: every exposure whose status or severity they
    /// change; otherwise empty.
    pub what_if: Vec<WhatIfChange>,
    /// Per actor, every technique it brings (for graphs).
    pub actor_techniques: Vec<Vec<String>>,
    /// Per actor, where it gets.
    pub reach: Vec<ActorReach>,
    /// The sum of the risk of the open exposures.
    pub open_risk: u64,
    /// `--assume` controls and `--assume-fix` fixes this model does not have.
    pub unmatched: Vec<String>,
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// An `--assume-fix` value that is malformed, or names no active mitigation or detection
    /// strategy of the release.
    #[error("--assume-fix {0}")]
    Fix(#[from] FixError),
    /// The model puts more exposures in scope than [`Options::max_exposures`] allows (an
    /// `input-limit` error): no report is made.
    #[error(
        "{file}: the model puts {count} exposures in scope; atkmap analyses at most {limit} per \
         model (input-limit)\n  hint: narrow what actors bring: `exclude` tactics or techniques \
         of their groups, link fewer `groups`, give insiders an explicit `entry`; or split the \
         model"
    )]
    TooManyExposures {
        /// The model file, as given.
        file: String,
        /// Exposures counted when the limit was crossed (actors after that one are not
        /// counted, so the model may have more).
        count: usize,
        /// The most allowed ([`Options::max_exposures`]).
        limit: usize,
    },
}

/// The most exposures one model may put in scope (the 10,000-system synthetic model has
/// 82,000): a model from a pull request that links every actor to several groups on a
/// thousand internet systems stops here, before the exposures are built, with a message.
pub const MAX_EXPOSURES: usize = 250_000;

/// Analyses a model; with assumptions or fixes, also says what they change.
pub fn analyze(
    model: &Model,
    kb: &KnowledgeBase,
    options: &Options,
) -> Result<ModelAnalysis, AnalysisError> {
    let mut unmatched = Vec::new();
    let mut fixes = Vec::new();
    for text in &options.fixes {
        match Fix::parse(text, model, kb)? {
            Some(fix) => fixes.push(fix),
            None => unmatched.push(text.clone()),
        }
    }
    if options.assume.is_empty() && fixes.is_empty() {
        let mut out = run(model, kb, options, &[])?;
        out.unmatched = unmatched;
        return Ok(out);
    }
    let mut assumed = model.clone();
    for (control, status) in &options.assume {
        match assumed.controls.iter_mut().find(|c| &c.id.value == control) {
            Some(c) => c.status = *status,
            None => unmatched.push(control.clone()),
        }
    }
    let before = run(
        model,
        kb,
        &Options {
            plan_steps: 0,
            ..options.clone()
        },
        &[],
    )?;
    let mut after = run(&assumed, kb, options, &fixes)?;
    after.what_if = what_if(&before.exposures, &after.exposures);
    after.unmatched = unmatched;
    Ok(after)
}

fn run(
    model: &Model,
    kb: &KnowledgeBase,
    options: &Options,
    fixes: &[Fix],
) -> Result<ModelAnalysis, AnalysisError> {
    let ctx = Context::new(model, kb, options.today);
    let mut defences = coverage::defences(model, kb);
    for fix in fixes {
        fix.apply(model, kb, &mut defences);
    }
    let defended = Defended::new(&defences);
    let outcomes = evaluate::evaluate_all(
        &ctx,
        defended,
        options.paths_per_pair,
        options.path_budget,
        options.max_exposures,
    );
    let count: usize = outcomes.iter().map(|o| o.exposures.len()).sum();
    if count > options.max_exposures {
        return Err(AnalysisError::TooManyExposures {
            file: model.file.clone(),
            count,
            limit: options.max_exposures,
        });
    }
    let truncated = outcomes.iter().any(|o| o.truncated);
    let mut relevant = Relevant::default();
    let gains = priorities::local_gains(&ctx, defended, &outcomes, &mut relevant);
    let control_gains = priorities::control_gains(&ctx, &outcomes);
    let exposures = exposures(
        &ctx,
        &defences,
        &outcomes,
        (&gains, &control_gains),
        &mut relevant,
    );

    let mut warnings = Vec::new();
    if truncated {
        warnings.push(format!(
            "{}: attack-path search stopped after {} nodes expanded (the path search budget); some paths are not listed and no fix plan is computed",
            model.file, options.path_budget
        ));
    }
    let plan = if options.plan_steps > 0 && !truncated {
        let (steps, plan_warnings) = plan::plan(
            &ctx,
            &defences,
            &outcomes,
            options.paths_per_pair,
            options.plan_steps,
        );
        warnings.extend(plan_warnings);
        steps
    } else {
        Vec::new()
    };
    warnings.extend(acceptance_warnings(model, options.today, &outcomes));
    Ok(ModelAnalysis {
        plan,
        findings: grouped::findings(&exposures),
        priorities: priorities::priorities(&ctx, &gains),
        preparation: preparation(&ctx, &defences),
        paths: attack_paths(&ctx, &outcomes),
        drift: drift(model, kb),
        warnings,
        what_if: Vec::new(),
        actor_techniques: ctx.profiles.iter().map(|p| p.ids.clone()).collect(),
        reach: outcomes.iter().map(|o| actor_reach(&ctx, o)).collect(),
        open_risk: evaluate::totals(&outcomes).1,
        unmatched: Vec::new(),
        exposures,
    })
}

/// Every exposure of every actor, named, with its severity; open risk first.
fn exposures(
    ctx: &Context,
    defences: &[coverage::SystemDefences],
    outcomes: &[ActorOutcome],
    (gains, control_gains): (&BTreeMap<FixKey, Gain>, &BTreeMap<ControlKey, Gain>),
    relevant: &mut Relevant,
) -> Vec<Exposure> {
    let mut assessed: HashMap<(u32, SystemId), coverage::Assessment> = HashMap::new();
    let mut recommended: HashMap<(u32, SystemId), Vec<Recommendation>> = HashMap::new();
    let mut out = Vec::new();
    for (actor, outcome) in ctx.model.actor_ids().zip(outcomes) {
        let on_path: BTreeSet<SystemId> = outcome
            .paths
            .iter()
            .flat_map(|p| p.systems.iter().copied())
            .collect();
        for e in &outcome.exposures {
            let key = (e.technique, e.system);
            let assessment = assessed.entry(key).or_insert_with(|| {
                let mut a = coverage::assess(
                    ctx.kb,
                    &ctx.model.systems[e.system].platforms,
                    &defences[e.system],
                    e.technique,
                );
                // Missing mitigations in the order to implement them.
                a.mitigations.missing.sort_by_key(|m| {
                    let index = ctx
                        .kb
                        .lookup(&m.id, Some(Kind::Mitigation))
                        .map_or(u32::MAX, |o| o.index);
                    Reverse(priorities::mitigation_rank(gains, e.system, index))
                });
                a
            });
            let recommended = recommended.entry(key).or_insert_with(|| {
                priorities::recommend(
                    ctx,
                    Defended::new(defences),
                    gains,
                    control_gains,
                    relevant,
                    e.technique,
                    e.system,
                    3,
                )
            });
            out.push(exposure(
                ctx,
                actor,
                e,
                on_path.contains(&e.system),
                assessment,
                recommended,
            ));
        }
    }
    out.sort_by(|a, b| exposure_order(a).cmp(&exposure_order(b)));
    out
}

/// Open risk first, then on-path, then risk, then a stable order by ids.
#[allow(clippy::type_complexity)]
fn exposure_order(
    e: &Exposure,
) -> (
    Reverse<u32>,
    Reverse<bool>,
    Reverse<u32>,
    &str,
    &str,
    &str,
    &str,
) {
    let open = if e.is_open() { e.risk } else { 0 };
    (
        Reverse(open),
        Reverse(e.on_path),
        Reverse(e.risk),
        &e.model,
        &e.actor,
        &e.technique,
        &e.system,
    )
}

fn exposure(
    ctx: &Context,
    actor: ActorId,
    e: &Scoped,
    on_path: bool,
    assessment: &coverage::Assessment,
    recommended: &[Recommendation],
) -> Exposure {
    let model = ctx.model;
    let technique = &ctx.kb.techniques[e.technique as usize];
    let risk = e.risk();
    Exposure {
        model: model.file.clone(),
        actor: model.actors[actor].id.value.clone(),
        technique: technique.meta.attack_id.clone(),
        technique_name: technique.meta.name.clone(),
        framework: technique.meta.framework,
        tactics: technique.tactics.clone(),
        system: model.systems[e.system].id.value.clone(),
        status: e.status(),
        severity: risk::severity(risk, on_path || e.evidence == Evidence::Explicit),
        risk,
        impact: ctx.impacts[e.system],
        likelihood: risk::likelihood(model, e.system),
        evidence: e.evidence,
        role: e.role,
        on_path,
        walkable: e.walkable(),
        visible: assessment.detection.visible,
        reasons: {
            let mut reasons: Vec<Reason> = e
                .why
                .iter()
                .map(|w| scope::reason(*w, ctx, actor, e.technique))
                .collect();
            reasons.sort();
            reasons
        },
        mitigations: assessment.mitigations.clone(),
        detection: assessment.detection.clone(),
        controls: assessment.controls.clone(),
        prevented_by: assessment.prevented_by.clone(),
        detected_by: assessment.detected_by.clone(),
        recommended: recommended.to_vec(),
        acceptance: e.acceptance.map(|i| {
            let a = &model.accepted[i];
            AcceptanceNote {
                owner: a.owner.clone(),
                reason: a.reason.clone(),
                expires: a.expires.to_string(),
            }
        }),
        location: location(&model.file, e.position),
        trend: None,
    }
}

/// The attack paths of every actor, as the report shows them: fewest hops, then highest risk.
fn attack_paths(ctx: &Context, outcomes: &[ActorOutcome]) -> Vec<AttackPath> {
    let model = ctx.model;
    let ids = |list: &[u32]| -> Vec<String> {
        list.iter()
            .map(|&t| ctx.kb.techniques[t as usize].meta.attack_id.clone())
            .collect()
    };
    let mut out: Vec<AttackPath> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(actor, o)| {
            o.paths.iter().map(move |p| AttackPath {
                model: model.file.clone(),
                actor: model.actors[actor].id.value.clone(),
                data: model.data[p.data].id.value.clone(),
                start: p.start.label(),
                via_data: match p.start {
                    reach::Start::Reuse(d) => Some(model.data[d].id.value.clone()),
                    _ => None,
                },
                hops: p
                    .systems
                    .iter()
                    .zip(&p.hops)
                    .map(|(&s, techniques)| Hop {
                        system: model.systems[s].id.value.clone(),
                        techniques: ids(techniques),
                    })
                    .collect(),
                takes: ids(&p.takes),
                risk: p.risk,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.hops.len(), Reverse(a.risk), &a.actor, &a.data).cmp(&(
            b.hops.len(),
            Reverse(b.risk),
            &b.actor,
            &b.data,
        ))
    });
    out
}

fn actor_reach(ctx: &Context, outcome: &ActorOutcome) -> ActorReach {
    let model = ctx.model;
    let reached = &outcome.reach.reached;
    let data = model
        .data
        .iter()
        .enumerate()
        .filter(|(d, _)| ctx.holders[*d].iter().any(|&s| reached[s]))
        .map(|(_, d)| d.id.value.clone())
        .collect();
    ActorReach {
        systems: outcome
            .reach
            .reached_systems()
            .map(|s| model.systems[s].id.value.clone())
            .collect(),
        data,
    }
}

/// Each actor's PRE techniques, with what the organisation could observe of them.
fn preparation(ctx: &Context, defences: &[coverage::SystemDefences]) -> Vec<Preparation> {
    let supplied = coverage::Collected::union(defences.iter().map(|d| &d.telemetry));
    ctx.profiles
        .iter()
        .enumerate()
        .flat_map(|(a, profile)| {
            let actor = &ctx.model.actors[a].id.value;
            let supplied = &supplied;
            profile.preparation.iter().map(move |&t| {
                preparation::preparation(ctx.kb, &ctx.model.file, actor, t, supplied)
            })
        })
        .collect()
}

/// Expired acceptances, and unexpired ones that match nothing.
fn acceptance_warnings(model: &Model, today: Date, outcomes: &[ActorOutcome]) -> Vec<String> {
    let used: BTreeSet<usize> = outcomes
        .iter()
        .flat_map(|o| o.exposures.iter().filter_map(|e| e.acceptance))
        .collect();
    let mut warnings = Vec::new();
    for (i, a) in model.accepted.iter().enumerate() {
        if a.expires < today {
            warnings.push(format!(
                "{}:{}: the acceptance of {} expired on {}; the exposure counts again ({} should review it)",
                model.file,
                a.position.map_or(0, |p| p.line),
                a.technique,
                a.expires,
                a.owner
            ));
        } else if !used.contains(&i) {
            warnings.push(format!(
                "{}:{}: the acceptance of {} matches no exposure",
                model.file,
                a.position.map_or(0, |p| p.line),
                a.technique
            ));
        }
    }
    warnings
}

/// Where a model position lies in `file`, as reports locate exposures: line and column
/// 1-based; an unknown position gives line 1, column 1 and width 0.
pub fn location(file: &str, position: Option<Position>) -> SourceLocation {
    SourceLocation {
        file: file.to_string(),
        line: position.map_or(1, |p| p.line),
        column: position.map_or(1, |p| p.column),
        width: position.map_or(0, |p| p.width),
    }
}

/// Every ATT&CK reference of a model with the kind it must have.
pub fn attack_references(model: &Model) -> Vec<(&Located<String>, Kind)> {
    let mut out = Vec::new();
    for a in &model.actors {
        out.extend(a.groups.iter().map(|g| (g, Kind::Group)));
        out.extend(a.techniques.iter().map(|t| (t, Kind::Technique)));
        out.extend(
            a.exclude
                .iter()
                .filter(|t| Kind::from_attack_id(&t.value).is_some())
                .map(|t| (t, Kind::Technique)),
        );
    }
    for c in &model.controls {
        out.extend(c.mitigations.iter().map(|m| (m, Kind::Mitigation)));
        out.extend(c.detections.iter().map(|d| (d, Kind::DetectionStrategy)));
        out.extend(c.counters.iter().map(|t| (t, Kind::Technique)));
        out.extend(c.detects.iter().map(|t| (t, Kind::Technique)));
    }
    for t in &model.threats {
        out.push((&t.technique, Kind::Technique));
    }
    out.extend(model.reuse_techniques.iter().map(|t| (t, Kind::Technique)));
    out.extend(model.trust_techniques.iter().map(|t| (t, Kind::Technique)));
    out
}

/// References to deprecated or revoked ATT&CK objects, with ATT&CK's replacement.
fn drift(model: &Model, kb: &KnowledgeBase) -> Vec<Drift> {
    let mut out = Vec::new();
    for (reference, kind) in attack_references(model) {
        let Some(object) = kb.lookup(&reference.value, Some(kind)) else {
            continue;
        };
        let meta = kb.meta(object);
        if meta.is_active() {
            continue;
        }
        out.push(Drift {
            model: model.file.clone(),
            id: meta.attack_id.clone(),
            name: meta.name.clone(),
            state: if meta.revoked {
                "revoked"
            } else {
                "deprecated"
            },
            replaced_by: kb.final_replacement(object).map(|o| kb.named_one(o)),
            location: location(&model.file, reference.position),
        });
    }
    out
}

fn what_if(before: &[Exposure], after: &[Exposure]) -> Vec<WhatIfChange> {
    let key = |e: &Exposure| {
        (
            e.model.clone(),
            e.actor.clone(),
            e.technique.clone(),
            e.system.clone(),
        )
    };
    let old: BTreeMap<_, StatusSeverity> = before
        .iter()
        .map(|e| {
            (
                key(e),
                StatusSeverity {
                    status: e.status,
                    severity: e.severity,
                },
            )
        })
        .collect();
    let mut out: Vec<WhatIfChange> = after
        .iter()
        .filter_map(|e| {
            let now = StatusSeverity {
                status: e.status,
                severity: e.severity,
            };
            let was = *old.get(&key(e))?;
            (was != now).then(|| WhatIfChange {
                model: e.model.clone(),
                actor: e.actor.clone(),
                technique: e.technique.clone(),
                system: e.system.clone(),
                before: was,
                after: now,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.model, &a.actor, &a.technique, &a.system).cmp(&(
            &b.model,
            &b.actor,
            &b.technique,
            &b.system,
        ))
    });
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;

//! The fix plan: the few fixes that cut the most attack paths, as BloodHound ranks choke points.
//!
//! Greedy, up to `--plan-steps` steps (default [`MAX_STEPS`]). A candidate is an ATT&CK mitigation or detection strategy
//! missing on a system where an open exposure lies on an attack path (on any system with an
//! open exposure once no path is left), or a listed `partial` or `planned` control raised to
//! implemented. Each step takes the candidate that leaves the fewest attack paths, then the
//! least open risk (ties: a listed control first, then mitigations, then detection strategies, by ID and
//! system), recomputed on top of the steps before it exactly as `report --assume-fix` would; the
//! plan stops when no candidate improves either number.
//!
//! Fixes that would change exactly the same exposures (two mitigations ATT&CK relates to the
//! same techniques there) are tried once and listed as alternatives; the one proposed is one
//! the model's controls already name on some system, else the lowest ID.
//! Each step is bounded: at most [`MAX_CANDIDATES`] candidates are tried, those touching the
//! most open risk first; only actors with an exposure on a fixed system are re-evaluated, and
//! their paths searched again only when the fix changes where they can go.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::context::{Context, Defended};
use super::coverage::{SystemDefences, state};
use super::evaluate::{ActorOutcome, evaluate_actor, search_paths, totals};
use super::findings::Role;
use super::findings::{FindingChange, PlanStep, Status};
use super::fix::Fix;
use super::paths::{self, PathGraph};
use super::priorities::{FixKind, Relevant, local_gains};
use super::reach::{self, Start};
use super::risk;
use crate::model::format::ControlStatus;
use crate::model::resolved::{ActorId, DataId, SystemId};

/// Most steps in a plan by default.
pub const MAX_STEPS: usize = 10;
/// The plan's work budget, over all its steps: each fix tried costs the exposures of the actors
/// it could change (they are re-evaluated), and each step costs ten units per exposure weighed
/// and per candidate named. The example models use 2-5% of it; a 10,000-system organisation
/// whose brokers reach thousands of systems spends it in a step or two, and its plan stops
/// there with a warning.
pub const PLAN_WORK_BUDGET: usize = 2_000_000;

/// What a step costs per exposure weighed and per candidate named, in the budget's units.
const STEP_COST: usize = 10;

/// Most candidates tried per step.
pub const MAX_CANDIDATES: usize = 1_000;

/// A candidate, its equivalents, and how much open risk it touches (to try the best first).
struct Candidate {
    fix: Fix,
    /// The order among equally good candidates.
    tie: (u8, String),
    /// How many paths it could cut at most: those with a hop it could make unwalkable.
    cuts_at_most: usize,
    alternatives: Vec<Fix>,
    touches: u32,
}

/// What trying a fix gave.
struct Tried {
    paths: usize,
    risk: u64,
    changed: Vec<(ActorId, ActorOutcome)>,
}

/// The plan of one model, from the state the report shows.
pub fn plan(
    ctx: &Context,
    base: &[SystemDefences],
    outcomes: &[ActorOutcome],
    per_pair: usize,
    max_steps: usize,
) -> (Vec<PlanStep>, Vec<String>) {
    let mut defences = base.to_vec();
    let mut outcomes = outcomes.to_vec();
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    let mut raised: BTreeSet<usize> = BTreeSet::new();
    let mut relevant = Relevant::default();
    // Exposures re-evaluated so far, and whether the budget cut a step short.
    let mut work: usize = 0;
    let mut out_of_budget = false;
    while steps.len() < max_steps {
        let (paths, risk) = totals(&outcomes);
        // Finding the candidates weighs every exposure and names every fix: a step costs that
        // before it tries anything.
        work += STEP_COST
            * (outcomes.iter().map(|o| o.exposures.len()).sum::<usize>()
                + ctx.model.controls.len());
        if work >= PLAN_WORK_BUDGET {
            warnings.push(format!(
                "{}: the fix plan stopped after {} step{}: this model is too large for more within its budget ({PLAN_WORK_BUDGET} units); use the first steps, then report again with them assumed (--assume-fix)",
                ctx.model.file,
                steps.len(),
                if steps.len() == 1 { "" } else { "s" }
            ));
            break;
        }
        let mut candidates = candidates(ctx, &defences, &outcomes, &raised, &mut relevant);
        work += STEP_COST * candidates.len();
        // A fix can only cut the paths through its systems: try the most promising first and
        // stop once none left can leave fewer paths than the best so far.
        let hops = HopIndex::new(ctx, &outcomes);
        for c in &mut candidates {
            c.tie = tie_key(ctx, &c.fix);
            c.cuts_at_most = hops.cuts_at_most(ctx, &c.fix);
        }
        candidates
            .sort_by_cached_key(|c| (Reverse(c.cuts_at_most), Reverse(c.touches), c.tie.clone()));
        if candidates.len() > MAX_CANDIDATES {
            warnings.push(format!(
                "{}: plan step {} tried the {MAX_CANDIDATES} most promising of {} candidate fixes",
                ctx.model.file,
                steps.len() + 1,
                candidates.len()
            ));
            candidates.truncate(MAX_CANDIDATES);
        }
        let index = ExposureIndex::new(ctx, &outcomes);
        let mut best: Option<(&Candidate, Tried)> = None;
        for candidate in &candidates {
            if let Some((_, t)) = &best
                && paths.saturating_sub(candidate.cuts_at_most) > t.paths
            {
                break;
            }
            if work >= PLAN_WORK_BUDGET {
                out_of_budget = true;
                break;
            }
            work += index.work(ctx, &candidate.fix);
            let tried = try_fix(
                ctx,
                &defences,
                &outcomes,
                &index,
                &candidate.fix,
                per_pair,
                false,
            );
            let better = match &best {
                None => true,
                Some((b, t)) => {
                    (tried.paths, tried.risk, &candidate.tie) < (t.paths, t.risk, &b.tie)
                }
            };
            if better {
                best = Some((candidate, tried));
            }
        }
        let Some((chosen, tried)) = best else { break };
        if tried.paths >= paths && tried.risk >= risk {
            break;
        }
        if out_of_budget {
            warnings.push(format!(
                "{}: the fix plan stopped at step {}: trying fixes used up its budget ({PLAN_WORK_BUDGET} units); that step is the best of the fixes tried",
                ctx.model.file,
                steps.len() + 1
            ));
        }
        // Apply it for real: paths searched again for every actor it changes.
        let applied = try_fix(
            ctx,
            &defences,
            &outcomes,
            &index,
            &chosen.fix,
            per_pair,
            true,
        );
        let before = finding_states(&outcomes);
        chosen.fix.apply(ctx.model, ctx.kb, &mut defences);
        if let Fix::Control(c) = chosen.fix {
            raised.insert(c);
        }
        for (a, outcome) in applied.changed {
            outcomes[a] = outcome;
        }
        let after = finding_states(&outcomes);
        let (paths_after, risk_after) = totals(&outcomes);
        let number = steps.len() + 1;
        steps.push(step(
            ctx,
            chosen,
            number,
            (paths, risk),
            (paths_after, risk_after),
            changes(ctx, &before, &after),
        ));
        if out_of_budget {
            break;
        }
    }
    (steps, warnings)
}

/// Re-evaluates the actors a fix could change. Without `exact`, an actor where the fix makes no
/// step unwalkable keeps its reach and paths, and only the risk of its exposures on the fixed
/// systems changes; an actor whose path graph is unchanged keeps its paths (their number cannot
/// change). That is all a comparison of candidates needs.
fn try_fix(
    ctx: &Context,
    defences: &[SystemDefences],
    outcomes: &[ActorOutcome],
    index: &ExposureIndex,
    fix: &Fix,
    per_pair: usize,
    exact: bool,
) -> Tried {
    let patches = fix.patches(ctx.model, ctx.kb, Defended::new(defences));
    let defended = Defended {
        base: defences,
        patches: &patches,
    };
    let systems = fix.systems(ctx.model);
    let mut affected: Vec<ActorId> = systems
        .iter()
        .flat_map(|&s| index.actors_at[s].iter().copied())
        .collect();
    affected.sort_unstable();
    affected.dedup();
    let (mut paths, mut risk) = totals(outcomes);
    let mut changed = Vec::new();
    for a in affected {
        let old = &outcomes[a];
        if !exact {
            let trial = Trial {
                ctx,
                defended,
                fix,
                index,
                systems: &systems,
                per_pair,
            };
            let (count, delta) = estimate(&trial, a, old);
            if let Some(count) = count {
                paths = paths - old.paths.len() + count;
                risk = risk.saturating_add_signed(delta);
                continue;
            }
        }
        let mut new = evaluate_actor(ctx, defended, a, None);
        if exact {
            search_paths(ctx, a, &mut new, per_pair, usize::MAX);
            paths = paths - old.paths.len() + new.paths.len();
        } else if new.graph != old.graph {
            paths = recount(old, &new.graph, &systems, per_pair, paths);
        }
        risk = risk - old.open_risk + new.open_risk;
        changed.push((a, new));
    }
    Tried {
        paths,
        risk,
        changed,
    }
}

/// One fix being tried.
#[derive(Clone, Copy)]
struct Trial<'t> {
    ctx: &'t Context<'t>,
    defended: Defended<'t>,
    fix: &'t Fix,
    index: &'t ExposureIndex,
    systems: &'t [SystemId],
    per_pair: usize,
}

/// The paths and open-risk change a fix makes for one actor, without re-scoping it when the
/// fix leaves its reach as it was: then its exposures are the same and only their coverage on
/// the fixed systems changes. `None` when its reach changes (re-evaluate it).
fn estimate(trial: &Trial, actor: ActorId, old: &ActorOutcome) -> (Option<usize>, i64) {
    let Trial {
        ctx,
        defended,
        fix,
        index,
        systems,
        per_pair,
    } = *trial;
    let mut delta: i64 = 0;
    let mut newly_prevented = false;
    // The techniques still walkable on the fixed systems, and those that take there.
    let mut walkable_now: BTreeSet<(SystemId, u32)> = BTreeSet::new();
    let mut takers_here: BTreeMap<SystemId, Vec<u32>> = BTreeMap::new();
    for &i in systems.iter().flat_map(|&s| index.at(actor, s)) {
        let e = &old.exposures[i];
        let now = fix
            .effect(ctx.kb, e.technique, e.state)
            .unwrap_or_else(|| state(ctx.kb, defended.at(e.system), e.technique));
        newly_prevented |= e.walkable() && now.prevents();
        let after = risk::open_risk(e.base_risk, now.status(), e.acceptance.is_some());
        delta += i64::from(after) - i64::from(e.open_risk());
        if !now.prevents() {
            walkable_now.insert((e.system, e.technique));
            if e.role == Role::Takes {
                takers_here.entry(e.system).or_default().push(e.technique);
            }
        }
    }
    if !newly_prevented {
        return (Some(old.paths.len()), delta);
    }
    // Walkability changed only on the fixed systems: where each of them stays a foothold (or
    // was never reached), nothing else can be lost, and the graph only loses steps into them.
    let keeps_reach = systems.iter().all(|&s| {
        !old.reach.reached[s]
            || old.reach.footholds.iter().any(|f| {
                f.system == s
                    && (f.start == Start::Entry
                        || f.techniques.iter().any(|&t| walkable_now.contains(&(s, t))))
            })
    });
    let mut takers = paths::takers(&old.exposures);
    for s in systems {
        match takers_here.remove(s) {
            Some(list) => takers.insert(*s, list),
            None => takers.remove(s),
        };
    }
    let graph = if keeps_reach {
        // Steps into a fixed system survive while one of their techniques stays walkable.
        let mut reach_steps = old.reach.steps.iter();
        let steps = old
            .graph
            .steps
            .iter()
            .copied()
            .filter(|&(from, to)| {
                let step = reach_steps.find(|s| (s.from, s.to) == (from, to));
                !systems.contains(&to)
                    || step.is_some_and(|s| {
                        s.techniques
                            .iter()
                            .any(|&t| walkable_now.contains(&(to, t)))
                    })
            })
            .collect();
        PathGraph {
            footholds: old.graph.footholds.clone(),
            steps,
            targets: paths::targets(ctx, &old.reach.reached, &takers),
        }
    } else {
        let reach = reach::reach(ctx, defended, actor);
        if reach.reached != old.reach.reached {
            return (None, 0);
        }
        paths::graph_of(ctx, &reach, &takers)
    };
    let count = if graph == old.graph {
        old.paths.len()
    } else {
        recount(old, &graph, systems, per_pair, old.paths.len())
    };
    (Some(count), delta)
}

/// `total` with one actor's paths counted again in its new graph. A fix changes walkability
/// only on its systems, so a path that avoids them stays; and a data asset none of whose
/// paths touches them keeps its count (its paths stay, and there can be no new ones). Only
/// the others are counted again.
fn recount(
    old: &ActorOutcome,
    graph: &PathGraph,
    systems: &[SystemId],
    per_pair: usize,
    total: usize,
) -> usize {
    let touched: BTreeSet<DataId> = old
        .paths
        .iter()
        .filter(|p| p.systems.iter().any(|s| systems.contains(s)))
        .map(|p| p.data)
        .collect();
    let before = old
        .paths
        .iter()
        .filter(|p| touched.contains(&p.data))
        .count();
    total - before + paths::count(graph, per_pair, &touched)
}

/// Where each actor's exposures are, per system: what a fix there touches.
struct ExposureIndex {
    /// Per system, the actors with an exposure there.
    actors_at: Vec<Vec<ActorId>>,
    /// Per actor, (system, exposure index) sorted by system.
    by_system: Vec<Vec<(SystemId, usize)>>,
}

impl ExposureIndex {
    fn new(ctx: &Context, outcomes: &[ActorOutcome]) -> ExposureIndex {
        let mut actors_at = vec![Vec::new(); ctx.model.systems.len()];
        let mut by_system = Vec::with_capacity(outcomes.len());
        for (a, o) in (0..outcomes.len()).map(ActorId::new).zip(outcomes) {
            let mut list: Vec<(SystemId, usize)> = o
                .exposures
                .iter()
                .enumerate()
                .map(|(i, e)| (e.system, i))
                .collect();
            list.sort_unstable();
            for &(s, _) in &list {
                if actors_at[s].last() != Some(&a) {
                    actors_at[s].push(a);
                }
            }
            by_system.push(list);
        }
        ExposureIndex {
            actors_at,
            by_system,
        }
    }

    /// What trying a fix costs: the exposures of the actors it could change.
    fn work(&self, ctx: &Context, fix: &Fix) -> usize {
        let mut actors: Vec<ActorId> = fix
            .systems(ctx.model)
            .into_iter()
            .flat_map(|s| self.actors_at[s].iter().copied())
            .collect();
        actors.sort_unstable();
        actors.dedup();
        actors
            .iter()
            .map(|&a| self.by_system[a].len())
            .sum::<usize>()
            .max(1)
    }

    /// The indices of actor a's exposures on system s.
    fn at(&self, actor: ActorId, system: SystemId) -> impl Iterator<Item = &usize> {
        let list = &self.by_system[actor];
        let start = list.partition_point(|&(s, _)| s < system);
        list[start..]
            .iter()
            .take_while(move |&&(s, _)| s == system)
            .map(|(_, i)| i)
    }
}

/// The candidates of a step, equivalent fixes folded, most open risk touched first.
fn candidates(
    ctx: &Context,
    defences: &[SystemDefences],
    outcomes: &[ActorOutcome],
    raised: &BTreeSet<usize>,
    relevant: &mut Relevant,
) -> Vec<Candidate> {
    let on_path: BTreeSet<(ActorId, SystemId)> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(a, o)| {
            let a = ActorId::new(a);
            o.paths
                .iter()
                .flat_map(move |p| p.systems.iter().map(move |&s| (a, s)))
        })
        .collect();
    let any_path = !on_path.is_empty();
    let defended = Defended::new(defences);
    let gains = local_gains(ctx, defended, outcomes, relevant);
    // Systems where an open exposure lies on a path.
    let mut eligible: BTreeSet<SystemId> = BTreeSet::new();
    for (a, o) in (0..outcomes.len()).map(ActorId::new).zip(outcomes) {
        for e in o.exposures.iter().filter(|e| e.is_open()) {
            if !any_path || on_path.contains(&(a, e.system)) {
                eligible.insert(e.system);
            }
        }
    }
    // Fold fixes with the same effect: same system, same kind, same techniques improved. The
    // one to propose is one the model's controls already name somewhere (a fix its
    // organisations know, such as the leaked-image screening a bank lists as M1019), then the
    // lowest ID.
    let known: BTreeSet<(FixKind, u32)> = defences
        .iter()
        .flat_map(|d| {
            d.mitigations
                .keys()
                .map(|&m| (FixKind::Mitigation, m))
                .chain(d.detections.keys().map(|&x| (FixKind::Detection, x)))
        })
        .collect();
    let preference = |f: &Fix| {
        let known = match *f {
            Fix::Mitigation { mitigation, .. } => {
                known.contains(&(FixKind::Mitigation, mitigation))
            }
            Fix::Detection { strategy, .. } => known.contains(&(FixKind::Detection, strategy)),
            Fix::Control(_) => false,
        };
        (!known, f.label(ctx.model, ctx.kb))
    };
    let mut folded: BTreeMap<(SystemId, FixKind, Vec<u32>), Candidate> = BTreeMap::new();
    for (&(system, kind, x), gain) in &gains {
        if !eligible.contains(&system) {
            continue;
        }
        let fix = match kind {
            FixKind::Mitigation => Fix::Mitigation {
                mitigation: x,
                system,
            },
            FixKind::Detection => Fix::Detection {
                strategy: x,
                system,
            },
        };
        let key = (system, kind, gain.techniques.iter().copied().collect());
        match folded.get_mut(&key) {
            Some(c) => {
                if preference(&fix) < preference(&c.fix) {
                    let previous = std::mem::replace(&mut c.fix, fix);
                    c.alternatives.push(previous);
                } else {
                    c.alternatives.push(fix);
                }
            }
            None => {
                folded.insert(
                    key,
                    Candidate {
                        fix,
                        tie: (0, String::new()),
                        cuts_at_most: 0,
                        alternatives: Vec::new(),
                        touches: gain.removes,
                    },
                );
            }
        }
    }
    let mut out: Vec<Candidate> = folded.into_values().collect();
    // Walkable exposures that are not open (accepted) still carry paths: their missing
    // mitigations can cut them.
    let mut seen: BTreeSet<Fix> = out
        .iter()
        .flat_map(|c| std::iter::once(c.fix.clone()).chain(c.alternatives.iter().cloned()))
        .collect();
    for e in outcomes.iter().flat_map(|o| &o.exposures) {
        if e.is_open() || !e.walkable() || !eligible.contains(&e.system) {
            continue;
        }
        for &m in &relevant.of(ctx, e.technique).0 {
            let fix = Fix::Mitigation {
                mitigation: m,
                system: e.system,
            };
            let implemented = defences[e.system]
                .mitigations
                .get(&m)
                .is_some_and(|l| l.status == ControlStatus::Implemented);
            if !implemented && seen.insert(fix.clone()) {
                out.push(Candidate {
                    fix,
                    tie: (0, String::new()),
                    cuts_at_most: 0,
                    alternatives: Vec::new(),
                    touches: 0,
                });
            }
        }
    }
    for (c, control) in ctx.model.controls.iter().enumerate() {
        if control.status == ControlStatus::Implemented || raised.contains(&c) {
            continue;
        }
        let fix = Fix::Control(c);
        let systems = fix.systems(ctx.model);
        let touches = outcomes
            .iter()
            .flat_map(|o| &o.exposures)
            .filter(|e| systems.binary_search(&e.system).is_ok())
            .map(|e| e.open_risk())
            .sum();
        out.push(Candidate {
            fix,
            tie: (0, String::new()),
            cuts_at_most: 0,
            alternatives: Vec::new(),
            touches,
        });
    }
    out
}

/// One hop of a current path: (path, the step's techniques, the techniques taking the data
/// when it is the last hop).
type HopRef<'o> = (usize, &'o [u32], &'o [u32]);

/// Every hop of the current paths, by system.
struct HopIndex<'o> {
    at: Vec<Vec<HopRef<'o>>>,
}

impl<'o> HopIndex<'o> {
    fn new(ctx: &Context, outcomes: &'o [ActorOutcome]) -> HopIndex<'o> {
        let mut at: Vec<Vec<HopRef>> = vec![Vec::new(); ctx.model.systems.len()];
        for (i, p) in outcomes.iter().flat_map(|o| &o.paths).enumerate() {
            let last = p.systems.len().saturating_sub(1);
            for (h, (&s, step)) in p.systems.iter().zip(&p.hops).enumerate() {
                let takes: &[u32] = if h == last { &p.takes } else { &[] };
                at[s].push((i, step.as_slice(), takes));
            }
        }
        HopIndex { at }
    }

    /// An upper bound on the paths a fix cuts: a path goes only when the fix makes every
    /// technique of one of its steps (or everything that takes the data at its end)
    /// unwalkable. Detection never cuts a path.
    fn cuts_at_most(&self, ctx: &Context, fix: &Fix) -> usize {
        let mut cut: BTreeSet<usize> = BTreeSet::new();
        for s in fix.systems(ctx.model) {
            for &(path, step, takes) in &self.at[s] {
                let all_prevented =
                    |list: &[u32]| !list.is_empty() && list.iter().all(|&t| fix.prevents(ctx, t));
                if all_prevented(step) || all_prevented(takes) {
                    cut.insert(path);
                }
            }
        }
        cut.len()
    }
}

/// Ties between candidates: a control the model already lists (finish what was started), then
/// mitigations, then detection strategies, by label.
fn tie_key(ctx: &Context, fix: &Fix) -> (u8, String) {
    let rank = match fix {
        Fix::Control(_) => 0,
        Fix::Mitigation { .. } => 1,
        Fix::Detection { .. } => 2,
    };
    (rank, fix.label(ctx.model, ctx.kb))
}

/// What a finding (system, technique) is, over all actors: the worst status, the open risk,
/// and whether some actor can still take that step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FindingState {
    status: Status,
    risk: u32,
    walkable: bool,
}

fn finding_states(outcomes: &[ActorOutcome]) -> BTreeMap<(SystemId, u32), FindingState> {
    let mut out: BTreeMap<(SystemId, u32), FindingState> = BTreeMap::new();
    for e in outcomes.iter().flat_map(|o| &o.exposures) {
        let entry = out.entry((e.system, e.technique)).or_insert(FindingState {
            status: e.status(),
            risk: 0,
            walkable: false,
        });
        if status_rank(e.status()) > status_rank(entry.status) {
            entry.status = e.status();
        }
        entry.risk += e.open_risk();
        entry.walkable |= e.walkable();
    }
    out
}

/// How bad a status is for a finding: gap, partial, accepted, covered.
pub fn status_rank(status: Status) -> u8 {
    match status {
        Status::Covered => 0,
        Status::Accepted => 1,
        Status::Partial => 2,
        Status::Gap => 3,
    }
}

fn changes(
    ctx: &Context,
    before: &BTreeMap<(SystemId, u32), FindingState>,
    after: &BTreeMap<(SystemId, u32), FindingState>,
) -> Vec<FindingChange> {
    let mut out = Vec::new();
    for (&(system, technique), was) in before {
        let now = after.get(&(system, technique));
        if now == Some(was) {
            continue;
        }
        out.push(FindingChange {
            system: ctx.model.systems[system].id.value.clone(),
            technique: ctx.kb.techniques[technique as usize].meta.attack_id.clone(),
            before: was.status,
            after: now.map(|n| n.status),
            risk_before: was.risk,
            risk_after: now.map_or(0, |n| n.risk),
            prevented: was.walkable && now.is_none_or(|n| !n.walkable),
        });
    }
    out.sort_by(|a, b| {
        (b.risk_before - b.risk_after)
            .cmp(&(a.risk_before - a.risk_after))
            .then_with(|| (&a.system, &a.technique).cmp(&(&b.system, &b.technique)))
    });
    out
}

fn step(
    ctx: &Context,
    chosen: &Candidate,
    number: usize,
    before: (usize, u64),
    after: (usize, u64),
    changes: Vec<FindingChange>,
) -> PlanStep {
    let model = ctx.model;
    let kb = ctx.kb;
    let (id, name) = match &chosen.fix {
        Fix::Mitigation { mitigation, .. } => {
            let m = &kb.mitigations[*mitigation as usize].meta;
            (m.attack_id.clone(), m.name.clone())
        }
        Fix::Detection { strategy, .. } => {
            let d = &kb.detection_strategies[*strategy as usize].meta;
            (d.attack_id.clone(), d.name.clone())
        }
        Fix::Control(c) => (
            model.controls[*c].id.value.clone(),
            model.controls[*c].name.clone(),
        ),
    };
    let systems = chosen.fix.systems(model);
    let mut owners: Vec<String> = systems
        .iter()
        .filter_map(|&s| model.systems[s].owner.clone())
        .collect();
    owners.sort();
    owners.dedup();
    PlanStep {
        model: model.file.clone(),
        step: number,
        fix: chosen.fix.label(model, kb),
        kind: chosen.fix.kind(),
        id,
        name,
        systems: systems
            .iter()
            .map(|&s| model.systems[s].id.value.clone())
            .collect(),
        owners,
        paths_before: before.0,
        paths_after: after.0,
        risk_before: clamp(before.1),
        risk_after: clamp(after.1),
        alternatives: {
            let mut list: Vec<String> = chosen
                .alternatives
                .iter()
                .map(|f| f.label(model, kb))
                .collect();
            list.sort();
            list
        },
        changes,
    }
}

/// A risk total as a plan step reports it: saturated at `u32::MAX`.
pub fn clamp(risk: u64) -> u32 {
    u32::try_from(risk).unwrap_or(u32::MAX)
}

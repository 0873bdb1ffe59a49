//! One actor against one set of defences: reach, scope, coverage, risk and paths. The analysis
//! runs it once per actor; the fix plan runs it again for the actors a fix could change.

use super::context::{Context, Defended};
use super::coverage::state;
use super::paths::{self, FoundPath, PathGraph};
use super::reach::{self, Reach};
use super::risk;
use super::scope;
use super::scoped::Scoped;
use crate::model::resolved::{ActorId, SystemId};

/// Everything one actor's evaluation produced.
#[derive(Debug, Clone, Default)]
pub struct ActorOutcome {
    pub reach: Reach,
    /// Sorted by (technique index, system).
    pub exposures: Vec<Scoped>,
    pub open_risk: u64,
    pub graph: PathGraph,
    pub paths: Vec<FoundPath>,
    pub searches: usize,
    pub truncated: bool,
}

/// The acceptance that covers (actor, technique, system) today, if any.
fn acceptance(ctx: &Context, actor: ActorId, technique: u32, system: SystemId) -> Option<usize> {
    let t = &ctx.kb.techniques[technique as usize];
    let parent = t
        .parent
        .map(|p| ctx.kb.techniques[p as usize].meta.attack_id.as_str());
    ctx.model.accepted.iter().position(|a| {
        (a.technique == t.meta.attack_id || Some(a.technique.as_str()) == parent)
            && a.system.is_none_or(|s| s == system)
            && a.actor.is_none_or(|x| x == actor)
            && a.expires >= ctx.today
    })
}

/// Reach, scope, coverage and risk of one actor; paths only when `paths` says so.
pub fn evaluate_actor(
    ctx: &Context,
    defended: Defended,
    actor: ActorId,
    paths: Option<(usize, usize)>,
) -> ActorOutcome {
    let reach = reach::reach(ctx, defended, actor);
    let drafts = scope::scope(ctx, actor, &reach);
    let exposures: Vec<Scoped> = drafts
        .into_iter()
        .map(|((technique, system), draft)| {
            let t = &ctx.kb.techniques[technique as usize];
            let evidence = risk::evidence(&draft.why);
            let role = risk::role(t.meta.framework, &t.tactics, &draft.why);
            Scoped {
                technique,
                system,
                position: draft.position,
                evidence,
                role,
                state: state(ctx.kb, defended.at(system), technique),
                base_risk: risk::base_risk(
                    ctx.impacts[system],
                    risk::likelihood(ctx.model, system),
                    evidence,
                    role,
                ),
                acceptance: acceptance(ctx, actor, technique, system),
                why: draft.why,
            }
        })
        .collect();
    let open_risk = exposures.iter().map(|e| u64::from(e.open_risk())).sum();
    let graph = paths::path_graph(ctx, &reach, &exposures);
    let mut outcome = ActorOutcome {
        reach,
        exposures,
        open_risk,
        graph,
        ..ActorOutcome::default()
    };
    if let Some((per_pair, budget)) = paths {
        search_paths(ctx, actor, &mut outcome, per_pair, budget);
    }
    outcome
}

/// Fills an outcome's paths.
pub fn search_paths(
    ctx: &Context,
    actor: ActorId,
    outcome: &mut ActorOutcome,
    per_pair: usize,
    budget: usize,
) {
    let _ = (ctx, actor);
    let searched = paths::search(
        &outcome.reach,
        &outcome.exposures,
        &outcome.graph,
        per_pair,
        budget,
    );
    outcome.paths = searched.paths;
    outcome.searches = searched.searches;
    outcome.truncated = searched.truncated;
}

/// Every actor of a model, in order, sharing one path-search budget; stops after the actor
/// that takes the exposures in scope past `max_exposures`.
pub fn evaluate_all(
    ctx: &Context,
    defended: Defended,
    per_pair: usize,
    budget: usize,
    max_exposures: usize,
) -> Vec<ActorOutcome> {
    let mut left = budget;
    let mut in_scope = 0;
    let mut outcomes = Vec::with_capacity(ctx.model.actors.len());
    for a in ctx.model.actor_ids() {
        let outcome = evaluate_actor(ctx, defended, a, Some((per_pair, left)));
        left = left.saturating_sub(outcome.searches);
        in_scope += outcome.exposures.len();
        outcomes.push(outcome);
        // Past the limit the analysis stops anyway (`AnalysisError::TooManyExposures`).
        if in_scope > max_exposures {
            break;
        }
    }
    outcomes
}

/// Paths and open risk over all actors: what the plan minimises.
pub fn totals(outcomes: &[ActorOutcome]) -> (usize, u64) {
    (
        outcomes.iter().map(|o| o.paths.len()).sum(),
        outcomes.iter().map(|o| o.open_risk).sum(),
    )
}

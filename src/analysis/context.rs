//! What the rules need about a model that does not depend on its defences, computed once per
//! analysis: what each actor brings and on which platforms, who is next to whom along flows,
//! where each data asset lives, and the impact of each system. The fix plan re-evaluates actors
//! many times against changed defences; everything here is shared by those evaluations.

use std::collections::BTreeMap;

use super::actors::{self, ActorProfile};
use super::coverage::SystemDefences;
use super::risk::{self, STEP_TACTICS};
use crate::attack::KnowledgeBase;
use crate::model::Model;
use crate::model::date::Date;
use crate::model::resolved::{ActorId, DataId, SystemId};

/// An actor's techniques that apply on one platform list.
#[derive(Debug, Clone, Default)]
pub struct Matched {
    /// Indices into the actor's [`ActorProfile::techniques`].
    pub all: Vec<usize>,
    /// Technique indices with an initial-access or lateral-movement tactic: steps.
    pub steps: Vec<u32>,
    /// Technique indices with an initial-access tactic: footholds on default entry systems.
    pub initial: Vec<u32>,
}

/// An explicit threat, resolved.
#[derive(Debug, Clone, Copy)]
pub struct ThreatRef {
    /// Index in [`Model::threats`].
    pub threat: usize,
    pub technique: u32,
    pub target: SystemId,
}

pub struct Context<'a> {
    pub model: &'a Model,
    pub kb: &'a KnowledgeBase,
    pub today: Date,
    pub impacts: Vec<u8>,
    /// Per data asset: the systems that store it or are an end of a flow carrying it.
    pub holders: Vec<Vec<SystemId>>,
    /// Per system: (the other end, flow index) of every flow touching it, both directions.
    pub neighbours: Vec<Vec<(SystemId, usize)>>,
    /// Per system: the index of its platform list among the model's distinct ones.
    pub platform_class: Vec<usize>,
    pub profiles: Vec<ActorProfile>,
    /// Per actor, per platform class.
    pub matched: Vec<Vec<Matched>>,
    /// Per actor: its explicit threats.
    pub threats: Vec<Vec<ThreatRef>>,
    /// Per actor: its entry systems, sorted.
    pub entry: Vec<Vec<SystemId>>,
    pub reuse_techniques: Vec<u32>,
    /// Added to `reuse_techniques` for leaked identity evidence other than credentials.
    pub identity_reuse_techniques: Vec<u32>,
    /// Added to `reuse_techniques` for leaked credentials.
    pub credential_reuse_techniques: Vec<u32>,
    /// What leaked images of a person enable on systems that judge evidence with AI.
    pub ai_reuse_techniques: Vec<u32>,
    pub trust_techniques: Vec<u32>,
}

/// Whether a technique has one of these tactics.
pub fn has_tactic(kb: &KnowledgeBase, technique: u32, tactics: &[&str]) -> bool {
    kb.techniques[technique as usize]
        .tactics
        .iter()
        .any(|t| tactics.contains(&t.as_str()))
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, kb: &'a KnowledgeBase, today: Date) -> Context<'a> {
        let mut classes: BTreeMap<Vec<String>, usize> = BTreeMap::new();
        let platform_class: Vec<usize> = model
            .systems
            .iter()
            .map(|s| {
                let next = classes.len();
                *classes.entry(s.platforms.clone()).or_insert(next)
            })
            .collect();
        let mut class_platforms = vec![Vec::new(); classes.len()];
        for (platforms, i) in classes {
            class_platforms[i] = platforms;
        }
        let profiles: Vec<ActorProfile> = model
            .actor_ids()
            .map(|a| actors::profile(model, kb, a))
            .collect();
        let matched = profiles
            .iter()
            .map(|p| {
                class_platforms
                    .iter()
                    .map(|platforms| matched(kb, p, platforms))
                    .collect()
            })
            .collect();
        let mut threats = vec![Vec::new(); model.actors.len()];
        for (i, t) in model.threats.iter().enumerate() {
            if let Some(technique) = kb.technique_index(&t.technique.value) {
                threats[t.actor].push(ThreatRef {
                    threat: i,
                    technique,
                    target: t.target,
                });
            }
        }
        let resolve = |list: &[crate::model::located::Located<String>]| -> Vec<u32> {
            let mut out: Vec<u32> = list
                .iter()
                .filter_map(|t| kb.technique_index(&t.value))
                .collect();
            out.dedup();
            out
        };
        Context {
            model,
            kb,
            today,
            impacts: risk::impacts(model),
            holders: holders(model),
            neighbours: neighbours(model),
            platform_class,
            profiles,
            matched,
            threats,
            entry: model
                .actors
                .iter()
                .map(|a| {
                    let mut e = a.entry.clone();
                    e.sort_unstable();
                    e.dedup();
                    e
                })
                .collect(),
            reuse_techniques: resolve(&model.reuse_techniques),
            identity_reuse_techniques: resolve(&model.identity_reuse_techniques),
            credential_reuse_techniques: resolve(&model.credential_reuse_techniques),
            ai_reuse_techniques: resolve(&model.ai_reuse_techniques),
            trust_techniques: resolve(&model.trust_techniques),
        }
    }

    /// The techniques holding leaked data asset `data` enables on `system`: the reuse
    /// techniques where the system verifies the data's kind (with the credential ones for
    /// credentials, the identity ones for other evidence), and the AI ones where the data is an image of a person and the system
    /// judges evidence with an AI model. In the model's order, each once.
    pub fn reuse_at(&self, data: DataId, system: SystemId) -> Vec<u32> {
        let kind = &self.model.data[data].kind;
        let s = &self.model.systems[system];
        let mut out = Vec::new();
        if s.verifies.contains(kind) {
            out.extend(&self.reuse_techniques);
            if crate::model::resolved::is_credential(kind) {
                out.extend(&self.credential_reuse_techniques);
            } else {
                out.extend(&self.identity_reuse_techniques);
            }
        }
        if !s.ai_checks.is_empty() && crate::model::resolved::is_person_image(kind) {
            out.extend(&self.ai_reuse_techniques);
        }
        // In the model's order (reports list them so), each once.
        let mut seen = Vec::with_capacity(out.len());
        out.retain(|t| {
            let first = !seen.contains(t);
            seen.push(*t);
            first
        });
        out
    }

    /// Whether `system` is one of the actor's entry systems.
    pub fn is_entry(&self, actor: ActorId, system: SystemId) -> bool {
        self.entry[actor].binary_search(&system).is_ok()
    }

    /// The actor's techniques applying on a system's platforms.
    pub fn matched_at(&self, actor: ActorId, system: SystemId) -> &Matched {
        &self.matched[actor][self.platform_class[system]]
    }

    /// Data assets worth a path: confidential or restricted, and not themselves leaked.
    pub fn path_targets(&self) -> impl Iterator<Item = DataId> + '_ {
        self.model.data.iter().enumerate().filter_map(|(d, data)| {
            (data.sensitivity >= crate::model::format::Sensitivity::Confidential
                && data.leaked.is_none())
            .then_some(DataId::new(d))
        })
    }
}

fn matched(kb: &KnowledgeBase, profile: &ActorProfile, platforms: &[String]) -> Matched {
    let mut out = Matched::default();
    for (i, brought) in profile.techniques.iter().enumerate() {
        let t = brought.technique;
        let technique = &kb.techniques[t as usize];
        // F3 and ATLAS techniques carry no real platform: they apply on every system.
        if !technique.meta.framework.is_companion()
            && !technique.platforms.iter().any(|p| platforms.contains(p))
        {
            continue;
        }
        out.all.push(i);
        if has_tactic(kb, t, &STEP_TACTICS) {
            out.steps.push(t);
        }
        if has_tactic(kb, t, &["initial-access"]) {
            out.initial.push(t);
        }
    }
    out
}

/// For every data asset, the systems that store it or are an end of a flow carrying it.
fn holders(model: &Model) -> Vec<Vec<SystemId>> {
    let mut out: Vec<Vec<SystemId>> = model.data.iter().map(|d| d.stored_in.clone()).collect();
    for f in &model.flows {
        for &d in &f.carries {
            out[d].push(f.from);
            out[d].push(f.to);
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

fn neighbours(model: &Model) -> Vec<Vec<(SystemId, usize)>> {
    let mut out = vec![Vec::new(); model.systems.len()];
    for (i, f) in model.flows.iter().enumerate() {
        out[f.from].push((f.to, i));
        if f.to != f.from {
            out[f.to].push((f.from, i));
        }
    }
    for list in &mut out {
        list.sort_unstable();
    }
    out
}

/// The defences the rules see: a base, with some systems patched (a fix being tried).
#[derive(Clone, Copy)]
pub struct Defended<'d> {
    pub base: &'d [SystemDefences],
    pub patches: &'d [(SystemId, SystemDefences)],
}

impl<'d> Defended<'d> {
    pub fn new(base: &'d [SystemDefences]) -> Defended<'d> {
        Defended { base, patches: &[] }
    }

    pub fn at(&self, system: SystemId) -> &'d SystemDefences {
        self.patches
            .iter()
            .find(|(s, _)| *s == system)
            .map_or(&self.base[system], |(_, d)| d)
    }
}

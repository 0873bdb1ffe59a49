//! Fixes a user can assume (`report --assume-fix`) and the plan proposes: an ATT&CK mitigation
//! or detection strategy put in place on one system (`M1032@vendor-idp`, `DET0123@bank-app`),
//! or a listed control raised to `implemented` (its id).
//!
//! A fix names systems and controls by id, so one fix applies to every model of a report that
//! has them; it is an error only when none has.

use super::context::Defended;
use super::coverage::{CoverageState, DefenceKind, SystemDefences, control_entries};
use crate::attack::{Kind, KnowledgeBase};
use crate::model::Model;
use crate::model::format::ControlStatus;
use crate::model::located::Located;
use crate::model::resolved::SystemId;

/// One fix, resolved against a model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fix {
    Mitigation {
        mitigation: u32,
        system: SystemId,
    },
    Detection {
        strategy: u32,
        system: SystemId,
    },
    /// A control of the model (index), raised to implemented.
    Control(usize),
}

/// Why a fix cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    #[error("`{fix}`: {id} is not an active mitigation or detection strategy of ATT&CK {release}")]
    UnknownObject {
        fix: String,
        id: String,
        release: String,
        suggestions: Vec<String>,
    },
    #[error(
        "`{0}` is empty on one side of `@`: write MITIGATION@SYSTEM, STRATEGY@SYSTEM or a control id"
    )]
    Malformed(String),
}

impl Fix {
    /// Resolves `text` against a model: `Ok(None)` when the model has no such system or control.
    pub fn parse(text: &str, model: &Model, kb: &KnowledgeBase) -> Result<Option<Fix>, FixError> {
        let Some((object, system)) = text.split_once('@') else {
            return Ok(model
                .controls
                .iter()
                .position(|c| c.id.value == text)
                .map(Fix::Control));
        };
        if object.is_empty() || system.is_empty() {
            return Err(FixError::Malformed(text.to_string()));
        }
        let found = [Kind::Mitigation, Kind::DetectionStrategy]
            .into_iter()
            .filter_map(|kind| kb.lookup(object, Some(kind)).filter(|o| o.kind == kind))
            .find(|o| kb.meta(*o).is_active());
        let Some(found) = found else {
            let mut suggestions = kb.similar_ids(object, Some(Kind::Mitigation), 2);
            suggestions.extend(kb.similar_ids(object, Some(Kind::DetectionStrategy), 2));
            return Err(FixError::UnknownObject {
                fix: text.to_string(),
                id: object.to_string(),
                release: format!("{} {}", kb.release.domain, kb.release.version),
                suggestions,
            });
        };
        let Some(system) = model.system_index(system) else {
            return Ok(None);
        };
        Ok(Some(match found.kind {
            Kind::Mitigation => Fix::Mitigation {
                mitigation: found.index,
                system,
            },
            _ => Fix::Detection {
                strategy: found.index,
                system,
            },
        }))
    }

    /// The fix in `--assume-fix` syntax.
    pub fn label(&self, model: &Model, kb: &KnowledgeBase) -> String {
        match self {
            Fix::Mitigation { mitigation, system } => format!(
                "{}@{}",
                kb.mitigations[*mitigation as usize].meta.attack_id,
                model.systems[*system].id.value
            ),
            Fix::Detection { strategy, system } => format!(
                "{}@{}",
                kb.detection_strategies[*strategy as usize].meta.attack_id,
                model.systems[*system].id.value
            ),
            Fix::Control(c) => model.controls[*c].id.value.clone(),
        }
    }

    /// `mitigation`, `detection-strategy` or `control`.
    pub fn kind(&self) -> &'static str {
        match self {
            Fix::Mitigation { .. } => "mitigation",
            Fix::Detection { .. } => "detection-strategy",
            Fix::Control(_) => "control",
        }
    }

    /// The coverage of technique t on a fixed system, from its coverage before, when the fix
    /// can tell without looking at the system's defences (a mitigation or a strategy: it sets
    /// one flag for the techniques ATT&CK relates it to, or their sub-techniques). `None` for a
    /// control: ask [`super::coverage::state`].
    pub fn effect(
        &self,
        kb: &KnowledgeBase,
        technique: u32,
        before: CoverageState,
    ) -> Option<CoverageState> {
        let t = &kb.techniques[technique as usize];
        let lists = |pick: fn(&crate::attack::knowledge::Technique) -> &Vec<u32>, x: u32| {
            pick(t).contains(&x)
                || t.parent
                    .is_some_and(|p| pick(&kb.techniques[p as usize]).contains(&x))
        };
        match *self {
            Fix::Mitigation { mitigation, .. } => Some(CoverageState {
                mitigated: before.mitigated
                    || (lists(|t| &t.mitigations, mitigation)
                        && kb.mitigations[mitigation as usize].meta.is_active()),
                ..before
            }),
            Fix::Detection { strategy, .. } => Some(CoverageState {
                detected: before.detected
                    || (lists(|t| &t.detection_strategies, strategy)
                        && kb.detection_strategies[strategy as usize].meta.is_active()),
                ..before
            }),
            Fix::Control(_) => None,
        }
    }

    /// Whether the fix would make technique t mitigated (and so its step unwalkable) on the
    /// systems it acts on.
    pub fn prevents(&self, ctx: &super::context::Context, technique: u32) -> bool {
        match self {
            Fix::Mitigation { .. } => self
                .effect(ctx.kb, technique, CoverageState::default())
                .is_some_and(|s| s.mitigated),
            Fix::Detection { .. } => false,
            Fix::Control(c) => {
                let control = &ctx.model.controls[*c];
                let named = |index| Fix::Mitigation {
                    mitigation: index,
                    system: SystemId::new(0),
                };
                names_family(ctx, &control.counters, technique)
                    || control_names(ctx, &control.mitigations, Kind::Mitigation, |i| {
                        named(i).prevents(ctx, technique)
                    })
            }
        }
    }

    /// Whether the fix would make technique t detected on the systems it acts on.
    pub fn detects(&self, ctx: &super::context::Context, technique: u32) -> bool {
        match self {
            Fix::Mitigation { .. } => false,
            Fix::Detection { .. } => self
                .effect(ctx.kb, technique, CoverageState::default())
                .is_some_and(|s| s.detected),
            Fix::Control(c) => {
                let control = &ctx.model.controls[*c];
                let named = |index| Fix::Detection {
                    strategy: index,
                    system: SystemId::new(0),
                };
                names_family(ctx, &control.detects, technique)
                    || control_names(ctx, &control.detections, Kind::DetectionStrategy, |i| {
                        named(i).detects(ctx, technique)
                    })
            }
        }
    }

    /// The systems it acts on.
    pub fn systems(&self, model: &Model) -> Vec<SystemId> {
        match self {
            Fix::Mitigation { system, .. } | Fix::Detection { system, .. } => vec![*system],
            Fix::Control(c) => {
                let mut out = model.controls[*c].applies_to.clone();
                out.sort_unstable();
                out.dedup();
                out
            }
        }
    }

    /// Puts the fix in place on `defences` (one system's, `system`).
    fn apply_on(
        &self,
        model: &Model,
        kb: &KnowledgeBase,
        system: SystemId,
        defences: &mut SystemDefences,
    ) {
        let label = self.label(model, kb);
        match self {
            Fix::Mitigation { mitigation, .. } => defences.add(
                DefenceKind::Mitigation,
                *mitigation,
                ControlStatus::Implemented,
                &label,
            ),
            Fix::Detection { strategy, .. } => defences.add(
                DefenceKind::Detection,
                *strategy,
                ControlStatus::Implemented,
                &label,
            ),
            Fix::Control(c) => {
                let control = &model.controls[*c];
                if !control.applies_to.contains(&system) {
                    return;
                }
                for (kind, expected, ids) in control_entries(control) {
                    for id in ids {
                        if let Some(o) = kb.lookup(&id.value, Some(expected))
                            && o.kind == expected
                        {
                            defences.add(kind, o.index, ControlStatus::Implemented, &label);
                        }
                    }
                }
            }
        }
    }

    /// Puts the fix in place on every system it acts on.
    pub fn apply(&self, model: &Model, kb: &KnowledgeBase, defences: &mut [SystemDefences]) {
        for s in self.systems(model) {
            self.apply_on(model, kb, s, &mut defences[s]);
        }
    }

    /// The defences of the systems it acts on, patched: to try it without copying the rest.
    pub fn patches(
        &self,
        model: &Model,
        kb: &KnowledgeBase,
        defended: Defended,
    ) -> Vec<(SystemId, SystemDefences)> {
        self.systems(model)
            .into_iter()
            .map(|s| {
                let mut d = defended.at(s).clone();
                self.apply_on(model, kb, s, &mut d);
                (s, d)
            })
            .collect()
    }
}

/// Whether a list of technique IDs (`counters`, `detects`) names t or its parent.
fn names_family(ctx: &super::context::Context, list: &[Located<String>], technique: u32) -> bool {
    let kb = ctx.kb;
    let t = &kb.techniques[technique as usize];
    let family = std::iter::once(t.meta.attack_id.as_str()).chain(
        t.parent
            .map(|p| kb.techniques[p as usize].meta.attack_id.as_str()),
    );
    family
        .into_iter()
        .any(|f| list.iter().any(|x| f.eq_ignore_ascii_case(&x.value)))
}

/// Whether a list of ATT&CK IDs of one kind names an object for which `test` holds.
fn control_names(
    ctx: &super::context::Context,
    list: &[Located<String>],
    kind: Kind,
    test: impl Fn(u32) -> bool,
) -> bool {
    list.iter().any(|id| {
        ctx.kb
            .lookup(&id.value, Some(kind))
            .filter(|o| o.kind == kind)
            .is_some_and(|o| test(o.index))
    })
}

//! Validating a model against a release it was not written for, leaving out what that release
//! does not know, so that exposures can still be compared on both sides of a diff.
//!
//! A model pinned to 18.1 names detection strategies (`DET0488`) and data components
//! (`DC0067`) that 17.1 does not have. To recompute its exposures on 17.1, those references are
//! dropped (list entries removed; a threat or an acceptance naming an unknown technique removed
//! whole) and the model validated again. Every dropped reference is reported.

use serde::Serialize;

use super::references::{Resolved, resolve};
use crate::attack::{Kind, KnowledgeBase};
use crate::diag::{Code, Diagnostic, Position};
use crate::model::date::Date;
use crate::model::format::ModelFile;
use crate::model::located::Located;
use crate::model::validate::{DEFAULT_REUSE_TECHNIQUES, DEFAULT_TRUST_TECHNIQUES};
use crate::model::{self, Model, Parsed};

/// A reference left out to validate a model against a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// 0 for a default the file does not spell out.
    pub line: u32,
    pub column: u32,
    /// The value left out.
    pub value: String,
    /// The diagnostic that made it leave (`unknown-attack-id`).
    pub code: Code,
    pub message: String,
}

/// The outcome of a lenient validation.
pub struct Lenient {
    pub model: Option<Model>,
    pub dropped: Vec<Dropped>,
    /// Errors that dropping references cannot cure (the model is broken in itself).
    pub errors: Vec<Diagnostic>,
}

/// Errors that name one reference the release does not accept.
fn droppable(code: Code) -> bool {
    matches!(
        code,
        Code::UnknownAttackId
            | Code::AttackIdWrongKind
            | Code::RevokedAttackId
            | Code::UnknownPlatform
            | Code::UnknownTelemetry
    )
}

/// Validates `text` against `kb` as if it pinned that release, dropping the references the
/// release does not accept.
pub fn validate(text: &str, path: &str, kb: &KnowledgeBase, today: Date) -> Lenient {
    let mut file = match model::parse(text, path) {
        Parsed::File(file) => file,
        Parsed::Broken(errors) => {
            return Lenient {
                model: None,
                dropped: Vec::new(),
                errors,
            };
        }
    };
    file.attack.version.value = kb.release.version.clone();
    let mut dropped = Vec::new();
    for (list, defaults, key) in [
        (
            &mut file.reuse_techniques,
            &DEFAULT_REUSE_TECHNIQUES[..],
            "reuse_techniques",
        ),
        (
            &mut file.trust_techniques,
            &DEFAULT_TRUST_TECHNIQUES[..],
            "trust_techniques",
        ),
    ] {
        if list.is_some() {
            continue;
        }
        let mut kept = Vec::new();
        for id in defaults {
            let active = matches!(resolve(kb, id, Kind::Technique), Resolved::Found(o) if kb.meta(o).is_active());
            if active {
                kept.push(Located::unplaced(id.to_string()));
            } else {
                dropped.push(Dropped {
                    line: 0,
                    column: 0,
                    value: id.to_string(),
                    code: Code::UnknownAttackId,
                    message: format!(
                        "the default {key} technique {id} is not an active technique of ATT&CK {} {}",
                        kb.release.domain, kb.release.version
                    ),
                });
            }
        }
        *list = Some(kept);
    }
    for _ in 0..4 {
        let (model, diagnostics) = model::check(&file, kb, path, today);
        if model.is_some() {
            return Lenient {
                model,
                dropped,
                errors: Vec::new(),
            };
        }
        let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
        if errors
            .iter()
            .any(|d| !droppable(d.code) || d.position.is_none())
        {
            return Lenient {
                model: None,
                dropped,
                errors: errors
                    .into_iter()
                    .filter(|d| !droppable(d.code) || d.position.is_none())
                    .collect(),
            };
        }
        let before = dropped.len();
        for d in &errors {
            if let Some(p) = d.position
                && let Some(value) = remove_at(&mut file, p)
            {
                dropped.push(Dropped {
                    line: p.line,
                    column: p.column,
                    value,
                    code: d.code,
                    message: d.message.clone(),
                });
            }
        }
        if dropped.len() == before {
            return Lenient {
                model: None,
                dropped,
                errors,
            };
        }
    }
    Lenient {
        model: None,
        dropped,
        errors: Vec::new(),
    }
}

fn same_place(a: Option<Position>, b: Position) -> bool {
    a.is_some_and(|a| (a.line, a.column) == (b.line, b.column))
}

/// Removes the list entry (or the threat or acceptance) at `p`; returns the value removed.
fn remove_at(file: &mut ModelFile, p: Position) -> Option<String> {
    fn take(list: &mut Vec<Located<String>>, p: Position) -> Option<String> {
        let i = list.iter().position(|x| same_place(x.position, p))?;
        Some(list.remove(i).value)
    }
    let mut lists: Vec<&mut Vec<Located<String>>> = Vec::new();
    if let Some(l) = file.reuse_techniques.as_mut() {
        lists.push(l);
    }
    if let Some(l) = file.trust_techniques.as_mut() {
        lists.push(l);
    }
    for a in &mut file.actors {
        lists.push(&mut a.groups);
        lists.push(&mut a.techniques);
        lists.push(&mut a.exclude);
    }
    for s in &mut file.systems {
        lists.push(&mut s.platforms);
        lists.push(&mut s.telemetry);
    }
    for c in &mut file.controls {
        lists.push(&mut c.mitigations);
        lists.push(&mut c.detections);
        lists.push(&mut c.counters);
        lists.push(&mut c.detects);
    }
    for list in lists {
        if let Some(v) = take(list, p) {
            return Some(v);
        }
    }
    if let Some(i) = file
        .threats
        .iter()
        .position(|t| same_place(t.technique.position, p))
    {
        return Some(file.threats.remove(i).technique.value);
    }
    if let Some(i) = file
        .accepted
        .iter()
        .position(|a| same_place(a.technique.position, p))
    {
        return Some(file.accepted.remove(i).technique.value);
    }
    None
}

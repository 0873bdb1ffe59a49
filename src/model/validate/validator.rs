//! The state every semantic check shares: the diagnostics found so far, the ids the model
//! defines, how often each is referenced, and the companions the model pins.
//!
//! It lives apart from the checks so that each file of checks (`references`, `attack_ids`,
//! `release_names`, `assemble`) adds its own `impl Validator` block and imports only this
//! file, never one another.

use std::collections::HashMap;

use crate::attack::{Framework, KnowledgeBase};
use crate::diag::{Code, Diagnostic, Position};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Actor,
    System,
    Data,
    Control,
    Flow,
    Threat,
}

impl Section {
    /// The section a top-level key lists (`systems`); `accepted` defines no ids.
    pub(super) fn of_key(key: &str) -> Option<Section> {
        Some(match key {
            "actors" => Section::Actor,
            "systems" => Section::System,
            "data" => Section::Data,
            "controls" => Section::Control,
            "flows" => Section::Flow,
            "threats" => Section::Threat,
            _ => return None,
        })
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            Section::Actor => "an actor",
            Section::System => "a system",
            Section::Data => "a data asset",
            Section::Control => "a control",
            Section::Flow => "a flow",
            Section::Threat => "a threat",
        }
    }
}

pub(super) struct Validator<'a> {
    pub(super) kb: &'a KnowledgeBase,
    pub(super) path: &'a str,
    pub(super) out: Vec<Diagnostic>,
    /// Every defined id: its section, index and position.
    pub(super) ids: HashMap<String, (Section, usize, Option<Position>)>,
    /// Ids defined by items a salvaged model left out, and their sections.
    pub(super) left_out: HashMap<String, Section>,
    /// How often each id is referenced.
    pub(super) used: HashMap<String, usize>,
    /// The companions the model pins that are loaded: only their IDs resolve.
    pub(super) pinned: Vec<Framework>,
}

impl<'a> Validator<'a> {
    pub(super) fn new(kb: &'a KnowledgeBase, path: &'a str) -> Validator<'a> {
        Validator {
            kb,
            path,
            out: Vec::new(),
            ids: HashMap::new(),
            left_out: HashMap::new(),
            used: HashMap::new(),
            pinned: Vec::new(),
        }
    }

    pub(super) fn push(
        &mut self,
        code: Code,
        at: Option<Position>,
        message: String,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic::new(code, self.path, at, message));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

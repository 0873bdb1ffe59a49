//! The typed knowledge base of one ATT&CK release.
//!
//! Objects live in one vector per kind; relationships are resolved once, at load time, into index
//! lists on both ends, so every later question ("which mitigations mitigate T1199?", "which
//! techniques does G1015 use?") is a slice walk, not a scan of 20 000 relationships.

use std::collections::HashMap;

/// A map keyed by identifiers from the bundle. foldhash instead of the standard SipHash: the
/// load makes ~50,000 lookups of 45-byte STIX ids, and foldhash is still seeded per process.
pub(crate) type IdMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

use serde::{Deserialize, Serialize};

use super::framework::Framework;

/// What kind of ATT&CK object a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Tactic,
    Technique,
    Mitigation,
    Group,
    Software,
    Campaign,
    DataSource,
    DataComponent,
    DetectionStrategy,
    Analytic,
}

impl Kind {
    /// The name used in JSON output and messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Tactic => "tactic",
            Kind::Technique => "technique",
            Kind::Mitigation => "mitigation",
            Kind::Group => "group",
            Kind::Software => "software",
            Kind::Campaign => "campaign",
            Kind::DataSource => "data-source",
            Kind::DataComponent => "data-component",
            Kind::DetectionStrategy => "detection-strategy",
            Kind::Analytic => "analytic",
        }
    }

    /// The kind an ATT&CK ID's prefix promises (`T1199` a technique, `DET0103` a detection
    /// strategy). Old deprecated mitigations reuse technique IDs, so lookups use this to prefer
    /// the object the user means.
    pub fn from_attack_id(id: &str) -> Option<Kind> {
        // Companion IDs: ATLAS's `AML.T0088`, `AML.M0015`, `AML.TA0000`; F3's `F1031`, `FA0001`.
        let id = super::framework::without_atlas_prefix(id);
        let prefix: String = id.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let digits = &id[prefix.len()..];
        if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Some(match prefix.to_ascii_uppercase().as_str() {
            "TA" | "FA" => Kind::Tactic,
            "T" | "F" => Kind::Technique,
            "M" => Kind::Mitigation,
            "G" => Kind::Group,
            "S" => Kind::Software,
            "C" => Kind::Campaign,
            "DS" => Kind::DataSource,
            "DC" => Kind::DataComponent,
            "DET" => Kind::DetectionStrategy,
            "AN" => Kind::Analytic,
            _ => return None,
        })
    }
}

/// A typed pointer into the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: Kind,
    pub index: u32,
}

/// What every ATT&CK object has.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    pub stix_id: String,
    /// The ATT&CK ID (`T1199`); empty for objects without one.
    pub attack_id: String,
    pub name: String,
    pub revoked: bool,
    pub deprecated: bool,
    /// The direct target of this object's `revoked-by` relationship.
    pub revoked_by: Option<ObjectRef>,
    /// The knowledge base the object comes from: ATT&CK or a companion.
    pub framework: Framework,
}

impl Meta {
    /// Neither revoked nor deprecated: what counts and what is listed.
    pub fn is_active(&self) -> bool {
        !self.revoked && !self.deprecated
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tactic {
    pub meta: Meta,
    pub shortname: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Technique {
    pub meta: Meta,
    /// Tactic shortnames from the kill-chain phases, in the bundle's order.
    pub tactics: Vec<String>,
    pub platforms: Vec<String>,
    pub is_subtechnique: bool,
    pub parent: Option<u32>,
    pub subtechniques: Vec<u32>,
    pub mitigations: Vec<u32>,
    pub detection_strategies: Vec<u32>,
    /// Data components that detect this technique directly (releases before v18).
    pub data_components: Vec<u32>,
    pub groups: Vec<u32>,
    pub software: Vec<u32>,
    pub campaigns: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Mitigation {
    pub meta: Meta,
    pub techniques: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Group {
    pub meta: Meta,
    pub aliases: Vec<String>,
    pub techniques: Vec<u32>,
    pub software: Vec<u32>,
    /// Campaigns attributed to this group.
    pub campaigns: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoftwareKind {
    Malware,
    Tool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Software {
    pub meta: Meta,
    pub kind: SoftwareKind,
    pub aliases: Vec<String>,
    pub platforms: Vec<String>,
    pub techniques: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Campaign {
    pub meta: Meta,
    pub aliases: Vec<String>,
    pub techniques: Vec<u32>,
    pub software: Vec<u32>,
    /// Groups this campaign is attributed to.
    pub groups: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataSource {
    pub meta: Meta,
    pub platforms: Vec<String>,
    pub components: Vec<u32>,
}

/// A log source a data component lists (v18: `x_mitre_log_sources`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSource {
    pub name: String,
    pub channel: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataComponent {
    pub meta: Meta,
    pub data_source: Option<u32>,
    pub log_sources: Vec<LogSource>,
    /// Techniques this component detects directly (releases before v18).
    pub techniques: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DetectionStrategy {
    pub meta: Meta,
    pub analytics: Vec<u32>,
    pub techniques: Vec<u32>,
}

/// One log source an analytic reads, and the data component it stands for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnalyticLogSource {
    pub data_component: Option<u32>,
    pub name: String,
    pub channel: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analytic {
    pub meta: Meta,
    pub platforms: Vec<String>,
    pub log_sources: Vec<AnalyticLogSource>,
    pub strategies: Vec<u32>,
}

/// Which release a knowledge base holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// `enterprise`, `mobile` or `ics`.
    pub domain: String,
    /// `18.1`; empty when the bundle does not say.
    pub version: String,
    /// The collection's name, `Enterprise ATT&CK`.
    pub name: String,
}

/// A whole ATT&CK release, typed and indexed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KnowledgeBase {
    pub release: Release,
    /// Tactics in matrix order.
    pub tactics: Vec<Tactic>,
    pub techniques: Vec<Technique>,
    pub mitigations: Vec<Mitigation>,
    pub groups: Vec<Group>,
    pub software: Vec<Software>,
    pub campaigns: Vec<Campaign>,
    pub data_sources: Vec<DataSource>,
    pub data_components: Vec<DataComponent>,
    pub detection_strategies: Vec<DetectionStrategy>,
    pub analytics: Vec<Analytic>,
    pub(crate) by_stix_id: IdMap<ObjectRef>,
    /// Upper-cased ATT&CK ID to every object carrying it.
    pub(crate) by_attack_id: IdMap<Vec<ObjectRef>>,
    /// Problems found while loading that did not stop the load (dangling references).
    pub warnings: Vec<String>,
    /// Lower-cased log-source name to the data components it stands for.
    pub(crate) log_sources: IdMap<Vec<u32>>,
    /// Companion knowledge bases merged into this one (F3, ATLAS), in the order loaded.
    pub companions: Vec<Companion>,
}

/// A companion knowledge base merged into an ATT&CK release: its release and its own view
/// of the matrix. Its objects live in the release's vectors, marked with their framework.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Companion {
    pub framework: Framework,
    /// `domain` is the framework's label; `version` as the file or its official hash says.
    pub release: Release,
    /// The companion's tactics, in its matrix's order (indices into `tactics`).
    pub tactics: Vec<u32>,
    /// Every technique of the companion's matrix with the tactics it has there: its own
    /// techniques, and the ATT&CK techniques it re-uses (by ATT&CK ID) with its own tactics.
    pub techniques: Vec<(u32, Vec<String>)>,
    /// ATT&CK techniques the companion re-uses, by the companion's own STIX id: shown in the
    /// companion's matrix, but the ATT&CK technique in the engine.
    pub reused: Vec<u32>,
}

impl KnowledgeBase {
    /// The common fields of any object.
    pub fn meta(&self, object: ObjectRef) -> &Meta {
        let i = object.index as usize;
        match object.kind {
            Kind::Tactic => &self.tactics[i].meta,
            Kind::Technique => &self.techniques[i].meta,
            Kind::Mitigation => &self.mitigations[i].meta,
            Kind::Group => &self.groups[i].meta,
            Kind::Software => &self.software[i].meta,
            Kind::Campaign => &self.campaigns[i].meta,
            Kind::DataSource => &self.data_sources[i].meta,
            Kind::DataComponent => &self.data_components[i].meta,
            Kind::DetectionStrategy => &self.detection_strategies[i].meta,
            Kind::Analytic => &self.analytics[i].meta,
        }
    }

    pub(crate) fn meta_mut(&mut self, object: ObjectRef) -> &mut Meta {
        let i = object.index as usize;
        match object.kind {
            Kind::Tactic => &mut self.tactics[i].meta,
            Kind::Technique => &mut self.techniques[i].meta,
            Kind::Mitigation => &mut self.mitigations[i].meta,
            Kind::Group => &mut self.groups[i].meta,
            Kind::Software => &mut self.software[i].meta,
            Kind::Campaign => &mut self.campaigns[i].meta,
            Kind::DataSource => &mut self.data_sources[i].meta,
            Kind::DataComponent => &mut self.data_components[i].meta,
            Kind::DetectionStrategy => &mut self.detection_strategies[i].meta,
            Kind::Analytic => &mut self.analytics[i].meta,
        }
    }

    /// How many objects of a kind there are, active or not.
    pub fn len_of(&self, kind: Kind) -> usize {
        match kind {
            Kind::Tactic => self.tactics.len(),
            Kind::Technique => self.techniques.len(),
            Kind::Mitigation => self.mitigations.len(),
            Kind::Group => self.groups.len(),
            Kind::Software => self.software.len(),
            Kind::Campaign => self.campaigns.len(),
            Kind::DataSource => self.data_sources.len(),
            Kind::DataComponent => self.data_components.len(),
            Kind::DetectionStrategy => self.detection_strategies.len(),
            Kind::Analytic => self.analytics.len(),
        }
    }

    /// Every object of a kind, in load order.
    pub fn all_of(&self, kind: Kind) -> impl Iterator<Item = ObjectRef> + '_ {
        (0..self.len_of(kind) as u32).map(move |index| ObjectRef { kind, index })
    }

    /// The object with this STIX id.
    pub fn by_stix_id(&self, stix_id: &str) -> Option<ObjectRef> {
        self.by_stix_id.get(stix_id).copied()
    }

    /// Every object whose ATT&CK ID is `id` (case-insensitive), of any kind and state.
    pub fn all_with_attack_id(&self, id: &str) -> &[ObjectRef] {
        self.by_attack_id
            .get(&id.to_ascii_uppercase())
            .map_or(&[], Vec::as_slice)
    }

    /// All ATT&CK IDs known, for "did you mean" suggestions.
    pub fn attack_ids(&self) -> impl Iterator<Item = &str> {
        self.by_attack_id.keys().map(String::as_str)
    }

    /// The technique index of an active technique with this ID, if any.
    pub fn technique_index(&self, id: &str) -> Option<u32> {
        match self.lookup(id, Some(Kind::Technique)) {
            Some(o) if o.kind == Kind::Technique => Some(o.index),
            _ => None,
        }
    }

    /// Follows `revoked-by` links until an object that is not revoked (or a cycle).
    pub fn final_replacement(&self, object: ObjectRef) -> Option<ObjectRef> {
        let mut current = self.meta(object).revoked_by?;
        let mut steps = 0;
        while let Some(next) = self.meta(current).revoked_by {
            steps += 1;
            if steps > 32 || next == object {
                break;
            }
            current = next;
        }
        Some(current)
    }

    /// The active techniques a group uses, directly or through campaigns attributed to it.
    pub fn group_techniques(&self, group: u32) -> Vec<u32> {
        let g = &self.groups[group as usize];
        let mut out: Vec<u32> = g.techniques.clone();
        for &c in &g.campaigns {
            out.extend(&self.campaigns[c as usize].techniques);
        }
        out.retain(|&t| self.techniques[t as usize].meta.is_active());
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The active groups that use a technique, directly or through an attributed campaign.
    pub fn technique_groups(&self, technique: u32) -> Vec<u32> {
        let t = &self.techniques[technique as usize];
        let mut out: Vec<u32> = t.groups.clone();
        for &c in &t.campaigns {
            out.extend(&self.campaigns[c as usize].groups);
        }
        out.retain(|&g| self.groups[g as usize].meta.is_active());
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The active data components a log-source name (`WinEventLog:Security`) stands for,
    /// case-insensitively.
    pub fn components_with_log_source(&self, log_source: &str) -> Vec<u32> {
        self.log_sources
            .get(&log_source.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// Builds the log-source index: every name a data component or an analytic's reference
    /// lists, lower-cased, to the active components it stands for.
    pub(crate) fn index_log_sources(&mut self) {
        let mut index: IdMap<Vec<u32>> = IdMap::default();
        for (i, component) in self.data_components.iter().enumerate() {
            if component.meta.is_active() {
                for l in &component.log_sources {
                    index
                        .entry(l.name.to_ascii_lowercase())
                        .or_default()
                        .push(i as u32);
                }
            }
        }
        for analytic in &self.analytics {
            for source in &analytic.log_sources {
                if let Some(c) = source.data_component {
                    index
                        .entry(source.name.to_ascii_lowercase())
                        .or_default()
                        .push(c);
                }
            }
        }
        for list in index.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        self.log_sources = index;
    }

    /// Every platform name some active ATT&CK technique lists (a companion's `F3` or `ATLAS`
    /// is no system's platform).
    pub fn platforms(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .techniques
            .iter()
            .filter(|t| t.meta.is_active() && !t.meta.framework.is_companion())
            .flat_map(|t| t.platforms.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

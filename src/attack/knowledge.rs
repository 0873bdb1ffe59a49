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
    /// A tactic (`x-mitre-tactic`, `TA0001`): an adversary's goal, one column of a matrix.
    Tactic,
    /// A technique or sub-technique (`attack-pattern`, `T1199`, `T1078.004`; F3's `F1031`,
    /// ATLAS's `AML.T0088`): how an adversary reaches a tactic's goal.
    Technique,
    /// A mitigation (`course-of-action`, `M1032`; ATLAS's `AML.M0015`): a defence that
    /// prevents techniques.
    Mitigation,
    /// A group (`intrusion-set`, `G1015`): a named adversary ATT&CK tracks.
    Group,
    /// A piece of software (`malware` or `tool`, `S0002`) adversaries use.
    Software,
    /// A campaign (`campaign`, `C0027`): intrusion activity over a period, attributed to
    /// groups or not.
    Campaign,
    /// A data source (`x-mitre-data-source`, `DS0015`): a family of data components;
    /// every one is deprecated from v18 on.
    DataSource,
    /// A data component (`x-mitre-data-component`): one kind of telemetry (logon
    /// sessions, process creation). ATT&CK IDs (`DC0002`) from v18 on; none before.
    DataComponent,
    /// A detection strategy (`x-mitre-detection-strategy`, `DET0103`, v18 on): how
    /// to detect a technique, through analytics.
    DetectionStrategy,
    /// An analytic (`x-mitre-analytic`, `AN0110`, v18 on): a detection strategy's logic on
    /// some platforms, and the log sources it reads.
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
    /// Which of the knowledge base's vectors the object is in.
    pub kind: Kind,
    /// The object's position in its kind's vector (`techniques[index]` for a technique); only
    /// meaningful for the knowledge base it came from.
    pub index: u32,
}

/// What every ATT&CK object has.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The STIX id (`attack-pattern--0a3ead4e-...`), which stays with the object for its whole
    /// life across releases, unlike its ATT&CK ID.
    pub stix_id: String,
    /// The ATT&CK ID (`T1199`); empty for objects without one.
    pub attack_id: String,
    /// The object's name (`Trusted Relationship`); empty when the bundle gives none.
    pub name: String,
    /// STIX `revoked`: ATT&CK replaced the object by another (see `revoked_by`); no longer to
    /// be used.
    pub revoked: bool,
    /// `x_mitre_deprecated`: ATT&CK withdrew the object, usually without a replacement;
    /// kept in the bundle, no longer maintained.
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

/// A tactic: an adversary's goal, one column of a matrix (`TA0001` Initial Access).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tactic {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// `x_mitre_shortname` (`initial-access`): the name techniques' kill-chain phases use
    /// for it; empty when the bundle gives none.
    pub shortname: String,
}

/// A technique or sub-technique (`attack-pattern`): how an adversary reaches
/// a tactic's goal.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Technique {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// Tactic shortnames from the kill-chain phases, in the matrix's column order (unknown
    /// ones last).
    pub tactics: Vec<String>,
    /// `x_mitre_platforms` (`Windows`, `IaaS`, `Identity Provider`); a companion's own
    /// techniques list its pseudo-platform, `F3` or `ATLAS`.
    pub platforms: Vec<String>,
    /// Whether it is a sub-technique: `x_mitre_is_subtechnique`, or an ID with a dot
    /// (`T1078.004`).
    pub is_subtechnique: bool,
    /// A sub-technique's parent (index into `techniques`, from `subtechnique-of`); `None` for
    /// a technique.
    pub parent: Option<u32>,
    /// Its sub-techniques (indices into `techniques`), sorted by ATT&CK ID; inactive
    /// ones included (see [`Meta::is_active`]).
    pub subtechniques: Vec<u32>,
    /// Mitigations that mitigate it (`mitigates`; indices into `mitigations`), sorted by
    /// ATT&CK ID; not its parent's.
    pub mitigations: Vec<u32>,
    /// Detection strategies that detect it (`detects`, v18 on; indices into
    /// `detection_strategies`), sorted by ATT&CK ID.
    pub detection_strategies: Vec<u32>,
    /// Data components that detect this technique directly (releases before v18).
    pub data_components: Vec<u32>,
    /// Groups that use it directly (`uses`; indices into `groups`), sorted by ATT&CK ID;
    /// [`KnowledgeBase::technique_groups`] adds those using it through a campaign.
    pub groups: Vec<u32>,
    /// Software that uses it (`uses`; indices into `software`), sorted by ATT&CK ID.
    pub software: Vec<u32>,
    /// Campaigns that use it (`uses`; indices into `campaigns`), sorted by ATT&CK ID.
    pub campaigns: Vec<u32>,
}

/// A mitigation (`course-of-action`, `M1032`): a defence that prevents
/// techniques.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Mitigation {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// Techniques it mitigates (`mitigates`; indices into `techniques`), sorted by ATT&CK
    /// ID.
    pub techniques: Vec<u32>,
}

/// A group (`intrusion-set`, `G1015`): a named adversary ATT&CK tracks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Group {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// STIX `aliases`; ATT&CK lists the group's own name among them.
    pub aliases: Vec<String>,
    /// Techniques it uses directly (`uses`; indices into `techniques`), sorted by ATT&CK
    /// ID; [`KnowledgeBase::group_techniques`] adds its campaigns'.
    pub techniques: Vec<u32>,
    /// Software it uses (`uses`; indices into `software`), in the bundle's order.
    pub software: Vec<u32>,
    /// Campaigns attributed to this group.
    pub campaigns: Vec<u32>,
}

/// Which STIX type a piece of software is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoftwareKind {
    /// `malware`: malicious code the adversary brings.
    Malware,
    /// `tool`: legitimate or dual-use software adversaries use (PsExec, Mimikatz).
    Tool,
}

/// A piece of software (`malware` or `tool`, `S0002`) adversaries use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Software {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// Malware or tool.
    pub kind: SoftwareKind,
    /// `x_mitre_aliases`, usually starting with the software's own name.
    pub aliases: Vec<String>,
    /// `x_mitre_platforms`: where it runs.
    pub platforms: Vec<String>,
    /// Techniques it uses (`uses`; indices into `techniques`), in the bundle's order.
    pub techniques: Vec<u32>,
}

/// A campaign (`campaign`, `C0027`): intrusion activity over a period,
/// attributed to groups or not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Campaign {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// STIX `aliases`.
    pub aliases: Vec<String>,
    /// Techniques used in it (`uses`; indices into `techniques`), in the bundle's order.
    pub techniques: Vec<u32>,
    /// Software used in it (`uses`; indices into `software`), in the bundle's order.
    pub software: Vec<u32>,
    /// Groups this campaign is attributed to.
    pub groups: Vec<u32>,
}

/// A data source (`x-mitre-data-source`, `DS0015`): a family of data
/// components; every one is deprecated from v18 on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataSource {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// `x_mitre_platforms`: where its data can be collected.
    pub platforms: Vec<String>,
    /// Its data components (those whose `x_mitre_data_source_ref` names it; indices into
    /// `data_components`).
    pub components: Vec<u32>,
}

/// A log source a data component lists (v18: `x_mitre_log_sources`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSource {
    /// The log source's name as ATT&CK spells it (`WinEventLog:Security`, `AWS:CloudTrail`):
    /// what a system's `telemetry` may name.
    pub name: String,
    /// The channel or event within it (`EventCode=4624`); empty when ATT&CK gives none.
    pub channel: String,
}

/// A data component (`x-mitre-data-component`): one kind of telemetry
/// (logon sessions, process creation). ATT&CK IDs (`DC0002`) from v18 on; none before.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataComponent {
    /// ID (empty before v18), name, state and framework.
    pub meta: Meta,
    /// The data source it belongs to (`x_mitre_data_source_ref`; index into
    /// `data_sources`); `None` when it names none, as v18's components do.
    pub data_source: Option<u32>,
    /// `x_mitre_log_sources` (v18 on): the log sources that carry it; empty before v18.
    pub log_sources: Vec<LogSource>,
    /// Techniques this component detects directly (releases before v18).
    pub techniques: Vec<u32>,
}

/// A detection strategy (`x-mitre-detection-strategy`, `DET0103`, v18
/// on): how to detect a technique, through analytics per platform.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DetectionStrategy {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// Its analytics (`x_mitre_analytic_refs`; indices into `analytics`), in the bundle's
    /// order.
    pub analytics: Vec<u32>,
    /// Techniques it detects (`detects`; indices into `techniques`), in the bundle's
    /// order.
    pub techniques: Vec<u32>,
}

/// One log source an analytic reads, and the data component it stands for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnalyticLogSource {
    /// The data component it stands for (`x_mitre_data_component_ref`; index into
    /// `data_components`); `None` when that is not in the bundle.
    pub data_component: Option<u32>,
    /// The log source's name (`WinEventLog:Security`).
    pub name: String,
    /// The channel or event the analytic reads there (`EventCode=4624`); empty when none.
    pub channel: String,
}

/// An analytic (`x-mitre-analytic`, `AN0110`, v18 on): a detection strategy's
/// logic on some platforms, and the log sources it reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analytic {
    /// ID, name, state and framework.
    pub meta: Meta,
    /// `x_mitre_platforms`: the platforms its logic is for; coverage's *visible* test
    /// matches them with a system's.
    pub platforms: Vec<String>,
    /// `x_mitre_log_source_references`: what it reads, in the bundle's order.
    pub log_sources: Vec<AnalyticLogSource>,
    /// The detection strategies that list it (indices into `detection_strategies`).
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
    /// The ATT&CK release loaded (domain, version, name); a companion's is in `companions`.
    pub release: Release,
    /// Tactics in matrix order.
    pub tactics: Vec<Tactic>,
    /// Every technique and sub-technique, of every state, in load order; a companion's own
    /// techniques follow ATT&CK's.
    pub techniques: Vec<Technique>,
    /// Every mitigation, of every state, in load order; a companion's (ATLAS's) follow
    /// ATT&CK's.
    pub mitigations: Vec<Mitigation>,
    /// Every group, of every state, in load order.
    pub groups: Vec<Group>,
    /// Every piece of software, of every state, in load order.
    pub software: Vec<Software>,
    /// Every campaign, of every state, in load order.
    pub campaigns: Vec<Campaign>,
    /// Every data source, of every state, in load order.
    pub data_sources: Vec<DataSource>,
    /// Every data component, of every state, in load order.
    pub data_components: Vec<DataComponent>,
    /// Every detection strategy, of every state, in load order; empty before
    /// v18.
    pub detection_strategies: Vec<DetectionStrategy>,
    /// Every analytic, of every state, in load order; empty before v18.
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
    /// Which companion this is (never [`Framework::Attack`]).
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

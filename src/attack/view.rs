//! The JSON contract of `atkmap attack show` and `atkmap attack stats`.
//!
//! CI scripts and later features read these shapes, so they are plain structs with a fixed field
//! order, documented in the README. Lists are sorted by ATT&CK ID; related objects are the
//! active ones only.

use serde::Serialize;

use super::framework::{COMPANIONS, Framework};
use super::knowledge::{Kind, KnowledgeBase, ObjectRef, SoftwareKind};

/// An ATT&CK object named in a list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Named {
    /// The ATT&CK ID (`M1032`); empty for an object without one (a data component before v18).
    pub id: String,
    /// The object's name.
    pub name: String,
}

/// `attack show` of any object: the fields every kind has, then the kind's own.
#[derive(Debug, Serialize)]
pub struct ObjectView {
    /// The ATT&CK ID (`T1078.004`); empty when the object has none (a data component before
    /// v18: show it by STIX id).
    pub id: String,
    /// The object's name.
    pub name: String,
    /// The kind's label (`technique`, `detection-strategy`). JSON key `type`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The STIX id, which stays with the object across releases.
    pub stix_id: String,
    /// Whether ATT&CK revoked the object in favour of another (see `revoked_by`).
    pub revoked: bool,
    /// Whether ATT&CK deprecated the object: still in the bundle, no longer maintained.
    pub deprecated: bool,
    /// The active object this one was (finally) replaced by.
    pub revoked_by: Option<Named>,
    /// The companion the object comes from (`f3`, `atlas`); absent for ATT&CK's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<&'static str>,
    /// Where the object's page is (attack.mitre.org, ctid.mitre.org/fraud, atlas.mitre.org).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The kind's own fields, flattened into the object in JSON.
    #[serde(flatten)]
    pub details: Details,
    /// Companions that re-use this ATT&CK technique, with the tactics they give it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub companion_tactics: Vec<CompanionTactics>,
}

/// A companion's tactics for an ATT&CK technique it re-uses (F3 puts T1110 under its own
/// initial access).
#[derive(Debug, Serialize)]
pub struct CompanionTactics {
    /// The companion's label: `f3` or `atlas`.
    pub framework: &'static str,
    /// The tactic shortnames the companion's matrix puts the technique under.
    pub tactics: Vec<String>,
}

/// The part of a view that depends on the kind.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Details {
    /// A technique or sub-technique.
    Technique {
        /// Its tactic shortnames (`initial-access`), in matrix order.
        tactics: Vec<String>,
        /// The platforms it applies to (`Windows`, `IaaS`).
        platforms: Vec<String>,
        /// Whether it is a sub-technique.
        is_subtechnique: bool,
        /// A sub-technique's parent's ATT&CK ID (`T1078`); `null` for a technique.
        parent: Option<String>,
        /// The ATT&CK IDs of its active sub-techniques.
        subtechniques: Vec<String>,
        /// The active mitigations of this technique itself (its parent's are not listed).
        mitigations: Vec<Named>,
        /// The active detection strategies that detect it (v18 on).
        detection_strategies: Vec<Named>,
        /// Data components that detect the technique directly (releases before v18).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        data_components: Vec<Named>,
        /// The active groups that use it, directly or through a campaign attributed to them.
        groups: Vec<Named>,
    },
    /// A mitigation.
    Mitigation {
        /// The active techniques it mitigates.
        techniques: Vec<Named>,
    },
    /// A group.
    Group {
        /// Its aliases; ATT&CK lists the group's own name among them.
        aliases: Vec<String>,
        /// The active techniques it uses, directly or through its campaigns.
        techniques: Vec<Named>,
        /// The active software it uses.
        software: Vec<Named>,
        /// The active campaigns attributed to it.
        campaigns: Vec<Named>,
    },
    /// A piece of software.
    Software {
        /// `malware` or `tool`.
        software_type: &'static str,
        /// Its aliases.
        aliases: Vec<String>,
        /// The platforms it runs on.
        platforms: Vec<String>,
        /// The active techniques it uses.
        techniques: Vec<Named>,
    },
    /// A campaign.
    Campaign {
        /// Its aliases.
        aliases: Vec<String>,
        /// The active groups it is attributed to.
        groups: Vec<Named>,
        /// The active techniques used in it.
        techniques: Vec<Named>,
    },
    /// A tactic.
    Tactic {
        /// The name techniques refer to it by (`initial-access`).
        shortname: String,
        /// The active techniques under it, sub-techniques left out; for a companion's tactic,
        /// those its own matrix puts there.
        techniques: Vec<Named>,
    },
    /// A data source.
    DataSource {
        /// The platforms its data can be collected on.
        platforms: Vec<String>,
        /// Its active data components.
        data_components: Vec<Named>,
    },
    /// A data component.
    DataComponent {
        /// The data source it belongs to; `null` when it names none (v18's components).
        data_source: Option<Named>,
        /// The log sources that carry it (v18 on), without `data_component`.
        log_sources: Vec<LogSourceView>,
        /// The active detection strategies with an analytic that reads it.
        detection_strategies: Vec<Named>,
    },
    /// A detection strategy.
    DetectionStrategy {
        /// The active techniques it detects.
        techniques: Vec<Named>,
        /// Its active analytics.
        analytics: Vec<Named>,
    },
    /// An analytic.
    Analytic {
        /// The platforms its logic is for.
        platforms: Vec<String>,
        /// The active detection strategies it belongs to.
        detection_strategies: Vec<Named>,
        /// The log sources it reads, each with the data component it stands for.
        log_sources: Vec<LogSourceView>,
    },
}

/// A log source as `attack show` lists it: one a data component names, or
/// one an analytic reads.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogSourceView {
    /// For an analytic's log source, the ATT&CK ID of the data component it stands
    /// for (`DC0067`); left out of the JSON for a data component's own, or when the component is
    /// not in the bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_component: Option<String>,
    /// The log source's name (`AWS:CloudTrail`).
    pub name: String,
    /// The channel or event within it (`EventCode=4624`); empty when ATT&CK gives none.
    pub channel: String,
}

/// `attack stats`: active objects only; `techniques` excludes sub-techniques.
#[derive(Debug, Serialize)]
pub struct StatsView {
    /// The release's domain (`enterprise`); a companion's label (`f3`) for its counts.
    pub domain: String,
    /// The release version (`18.1`); empty when the bundle does not say.
    pub version: String,
    /// Active tactics.
    pub tactics: usize,
    /// Active techniques, sub-techniques excluded.
    pub techniques: usize,
    /// Active sub-techniques.
    pub subtechniques: usize,
    /// Active mitigations.
    pub mitigations: usize,
    /// Active groups.
    pub groups: usize,
    /// Active software (malware and tools).
    pub software: usize,
    /// Active campaigns.
    pub campaigns: usize,
    /// Active data sources (none from v18 on: all are deprecated).
    pub data_sources: usize,
    /// Active data components.
    pub data_components: usize,
    /// Active detection strategies (v18 on).
    pub detection_strategies: usize,
    /// Active analytics (v18 on).
    pub analytics: usize,
    /// Objects kept but not counted above.
    pub revoked: usize,
    /// Deprecated objects (not revoked), left out of the counts above.
    pub deprecated: usize,
    /// References in the bundle to objects it does not contain (ignored at load).
    pub dangling_references: usize,
}

impl KnowledgeBase {
    /// Named references to the active objects among `indices`, sorted by ID.
    pub fn named(&self, kind: Kind, indices: &[u32]) -> Vec<Named> {
        let mut out: Vec<Named> = indices
            .iter()
            .map(|&index| ObjectRef { kind, index })
            .filter(|&o| self.meta(o).is_active())
            .map(|o| self.named_one(o))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The ATT&CK ID and name of one object, whatever its state.
    pub fn named_one(&self, object: ObjectRef) -> Named {
        let meta = self.meta(object);
        Named {
            id: meta.attack_id.clone(),
            name: meta.name.clone(),
        }
    }

    /// The `attack show` view of one object.
    pub fn view(&self, object: ObjectRef) -> ObjectView {
        let meta = self.meta(object);
        let revoked_by = if meta.revoked {
            self.final_replacement(object).map(|o| self.named_one(o))
        } else {
            None
        };
        let companion_tactics = match object.kind {
            Kind::Technique if !meta.framework.is_companion() => self
                .companions
                .iter()
                .filter(|c| c.reused.contains(&object.index))
                .filter_map(|c| {
                    let (_, tactics) = c.techniques.iter().find(|(t, _)| *t == object.index)?;
                    Some(CompanionTactics {
                        framework: c.framework.label(),
                        tactics: tactics.clone(),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        ObjectView {
            id: meta.attack_id.clone(),
            name: meta.name.clone(),
            kind: object.kind.label(),
            stix_id: meta.stix_id.clone(),
            revoked: meta.revoked,
            deprecated: meta.deprecated,
            revoked_by,
            framework: meta
                .framework
                .is_companion()
                .then(|| meta.framework.label()),
            url: meta
                .framework
                .is_companion()
                .then(|| super::framework::object_url_in(meta.framework, &meta.attack_id))
                .flatten(),
            details: self.details(object),
            companion_tactics,
        }
    }

    fn details(&self, object: ObjectRef) -> Details {
        let i = object.index as usize;
        match object.kind {
            Kind::Technique => {
                let t = &self.techniques[i];
                Details::Technique {
                    tactics: t.tactics.clone(),
                    platforms: t.platforms.clone(),
                    is_subtechnique: t.is_subtechnique,
                    parent: t
                        .parent
                        .map(|p| self.techniques[p as usize].meta.attack_id.clone()),
                    subtechniques: self
                        .named(Kind::Technique, &t.subtechniques)
                        .into_iter()
                        .map(|n| n.id)
                        .collect(),
                    mitigations: self.named(Kind::Mitigation, &t.mitigations),
                    detection_strategies: self
                        .named(Kind::DetectionStrategy, &t.detection_strategies),
                    data_components: self.named(Kind::DataComponent, &t.data_components),
                    groups: self.named(Kind::Group, &self.technique_groups(object.index)),
                }
            }
            Kind::Mitigation => Details::Mitigation {
                techniques: self.named(Kind::Technique, &self.mitigations[i].techniques),
            },
            Kind::Group => {
                let g = &self.groups[i];
                Details::Group {
                    aliases: g.aliases.clone(),
                    techniques: self.named(Kind::Technique, &self.group_techniques(object.index)),
                    software: self.named(Kind::Software, &g.software),
                    campaigns: self.named(Kind::Campaign, &g.campaigns),
                }
            }
            Kind::Software => {
                let s = &self.software[i];
                Details::Software {
                    software_type: match s.kind {
                        SoftwareKind::Malware => "malware",
                        SoftwareKind::Tool => "tool",
                    },
                    aliases: s.aliases.clone(),
                    platforms: s.platforms.clone(),
                    techniques: self.named(Kind::Technique, &s.techniques),
                }
            }
            Kind::Campaign => {
                let c = &self.campaigns[i];
                Details::Campaign {
                    aliases: c.aliases.clone(),
                    groups: self.named(Kind::Group, &c.groups),
                    techniques: self.named(Kind::Technique, &c.techniques),
                }
            }
            Kind::Tactic => {
                let tactic = &self.tactics[i];
                let in_tactic: Vec<u32> = match self.companion(tactic.meta.framework) {
                    // A companion's tactic holds what its own matrix puts there.
                    Some(c) => c
                        .techniques
                        .iter()
                        .filter(|(t, tactics)| {
                            !self.techniques[*t as usize].is_subtechnique
                                && tactics.contains(&tactic.shortname)
                        })
                        .map(|(t, _)| *t)
                        .collect(),
                    None => (0..self.techniques.len() as u32)
                        .filter(|&t| {
                            let technique = &self.techniques[t as usize];
                            !technique.is_subtechnique
                                && !technique.meta.framework.is_companion()
                                && technique.tactics.contains(&tactic.shortname)
                        })
                        .collect(),
                };
                Details::Tactic {
                    shortname: tactic.shortname.clone(),
                    techniques: self.named(Kind::Technique, &in_tactic),
                }
            }
            Kind::DataSource => {
                let s = &self.data_sources[i];
                Details::DataSource {
                    platforms: s.platforms.clone(),
                    data_components: self.named(Kind::DataComponent, &s.components),
                }
            }
            Kind::DataComponent => {
                let c = &self.data_components[i];
                let strategies: Vec<u32> = self
                    .analytics
                    .iter()
                    .filter(|a| {
                        a.log_sources
                            .iter()
                            .any(|l| l.data_component == Some(object.index))
                    })
                    .flat_map(|a| a.strategies.iter().copied())
                    .collect();
                Details::DataComponent {
                    data_source: c.data_source.map(|s| {
                        self.named_one(ObjectRef {
                            kind: Kind::DataSource,
                            index: s,
                        })
                    }),
                    log_sources: c
                        .log_sources
                        .iter()
                        .map(|l| LogSourceView {
                            data_component: None,
                            name: l.name.clone(),
                            channel: l.channel.clone(),
                        })
                        .collect(),
                    detection_strategies: self.named(Kind::DetectionStrategy, &strategies),
                }
            }
            Kind::DetectionStrategy => {
                let s = &self.detection_strategies[i];
                Details::DetectionStrategy {
                    techniques: self.named(Kind::Technique, &s.techniques),
                    analytics: self.named(Kind::Analytic, &s.analytics),
                }
            }
            Kind::Analytic => {
                let a = &self.analytics[i];
                Details::Analytic {
                    platforms: a.platforms.clone(),
                    detection_strategies: self.named(Kind::DetectionStrategy, &a.strategies),
                    log_sources: a
                        .log_sources
                        .iter()
                        .map(|l| LogSourceView {
                            data_component: l
                                .data_component
                                .map(|c| self.data_components[c as usize].meta.attack_id.clone()),
                            name: l.name.clone(),
                            channel: l.channel.clone(),
                        })
                        .collect(),
                }
            }
        }
    }

    /// Counts of ATT&CK's active objects.
    pub fn stats(&self) -> StatsView {
        self.stats_of(Framework::Attack)
    }

    /// Counts of one framework's active objects. A companion's techniques are those of its
    /// matrix, the ATT&CK techniques it re-uses included: what its own file holds.
    pub fn stats_of(&self, framework: Framework) -> StatsView {
        let ours = |o: ObjectRef| self.meta(o).framework == framework;
        let active = |kind: Kind| {
            self.all_of(kind)
                .filter(|&o| ours(o) && self.meta(o).is_active())
                .count()
        };
        let companion = self.companion(framework);
        let in_matrix: Vec<&super::knowledge::Technique> = match companion {
            Some(c) => c
                .techniques
                .iter()
                .map(|(t, _)| &self.techniques[*t as usize])
                .collect(),
            None => self
                .techniques
                .iter()
                .filter(|t| t.meta.framework == framework)
                .collect(),
        };
        let active_techniques = in_matrix.into_iter().filter(|t| t.meta.is_active());
        let subtechniques = active_techniques
            .clone()
            .filter(|t| t.is_subtechnique)
            .count();
        let mut revoked = 0;
        let mut deprecated = 0;
        for kind in super::lookup::ALL_KINDS {
            for o in self.all_of(kind).filter(|&o| ours(o)) {
                let m = self.meta(o);
                if m.revoked {
                    revoked += 1;
                } else if m.deprecated {
                    deprecated += 1;
                }
            }
        }
        let release = companion.map_or(&self.release, |c| &c.release);
        let prefix = format!("{}: ", framework.title());
        let dangling_references = self
            .warnings
            .iter()
            .filter(|w| match companion {
                Some(_) => w.starts_with(&prefix),
                None => !COMPANIONS
                    .iter()
                    .any(|f| w.starts_with(&format!("{}: ", f.title()))),
            })
            .count();
        StatsView {
            domain: release.domain.clone(),
            version: release.version.clone(),
            tactics: active(Kind::Tactic),
            techniques: active_techniques.count() - subtechniques,
            subtechniques,
            mitigations: active(Kind::Mitigation),
            groups: active(Kind::Group),
            software: active(Kind::Software),
            campaigns: active(Kind::Campaign),
            data_sources: active(Kind::DataSource),
            data_components: active(Kind::DataComponent),
            detection_strategies: active(Kind::DetectionStrategy),
            analytics: active(Kind::Analytic),
            revoked,
            deprecated,
            dangling_references,
        }
    }
}

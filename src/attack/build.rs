//! Indexing decoded STIX objects into a [`KnowledgeBase`].
//!
//! Objects arrive one at a time in bundle order. Typed objects are created and indexed by STIX
//! id as they arrive; cross references carried on objects (data sources, analytics, log
//! sources) and relationships are resolved once every object is known. A relationship that
//! points at nothing is a load warning, not an error: MITRE's own bundles have carried a few
//! over the years and a gap report must not die on them.

use std::borrow::Cow;
use std::collections::HashMap;

use super::knowledge::*;
use super::stix::RawObject;

/// Receives a bundle's objects in order and builds the knowledge base from them.
#[derive(Default)]
pub struct Builder<'a> {
    kb: KnowledgeBase,
    /// Objects whose cross references are resolved once every object is indexed.
    linked: Vec<RawObject<'a>>,
    relationships: Vec<Relationship<'a>>,
}

/// A relationship, kept (borrowing from the bundle) until both its ends are indexed.
struct Relationship<'a> {
    id: Cow<'a, str>,
    kind: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    target: Option<Cow<'a, str>>,
}

fn meta_of(object: &RawObject) -> Meta {
    Meta {
        stix_id: object.id.to_string(),
        attack_id: object.attack_id.as_deref().unwrap_or_default().to_string(),
        name: object.name.as_deref().unwrap_or_default().to_string(),
        revoked: object.revoked.unwrap_or(false),
        deprecated: object.x_mitre_deprecated.unwrap_or(false),
        revoked_by: None,
        framework: super::framework::Framework::Attack,
    }
}

/// `T1078.004` and `AML.T0043.000` are sub-technique IDs; `AML.T0088` is not.
fn is_subtechnique_id(id: &str) -> bool {
    super::framework::without_atlas_prefix(id).contains('.')
}

fn strings(values: &[std::borrow::Cow<str>]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn domain_of(matrix_or_collection: &str) -> String {
    let lower = matrix_or_collection.to_ascii_lowercase();
    for domain in ["enterprise", "mobile", "ics"] {
        if lower.contains(domain) {
            return domain.to_string();
        }
    }
    lower
}

impl<'a> Builder<'a> {
    /// Takes the next object of the bundle. Objects of types atkmap does not model are dropped.
    pub fn accept(&mut self, object: RawObject<'a>) {
        match object.kind.as_ref() {
            "relationship" => {
                if object.revoked.unwrap_or(false) || object.x_mitre_deprecated.unwrap_or(false) {
                    return;
                }
                self.relationships.push(Relationship {
                    id: object.id,
                    kind: object.relationship_type,
                    source: object.source_ref,
                    target: object.target_ref,
                });
            }
            "x-mitre-matrix"
            | "x-mitre-data-component"
            | "x-mitre-detection-strategy"
            | "x-mitre-analytic" => {
                self.add_object(&object);
                self.linked.push(object);
            }
            _ => self.add_object(&object),
        }
    }

    /// Resolves every cross reference and relationship; call after the last object.
    pub fn finish(mut self) -> KnowledgeBase {
        let linked = std::mem::take(&mut self.linked);
        self.order_tactics(&linked);
        for object in &linked {
            self.link_object(object);
        }
        let relationships = std::mem::take(&mut self.relationships);
        for relationship in &relationships {
            self.add_relationship(relationship);
        }
        self.sort_indexes()
    }

    fn add_object(&mut self, o: &RawObject) {
        let kb = &mut self.kb;
        let meta = meta_of(o);
        let (kind, index) = match o.kind.as_ref() {
            "x-mitre-tactic" => {
                kb.tactics.push(Tactic {
                    meta,
                    shortname: o.x_mitre_shortname.as_deref().unwrap_or("").to_string(),
                });
                return;
            }
            "attack-pattern" => {
                let tactics = o
                    .kill_chain_phases
                    .iter()
                    .filter(|p| p.kill_chain_name.starts_with("mitre-"))
                    .map(|p| p.phase_name.to_string())
                    .collect();
                kb.techniques.push(Technique {
                    is_subtechnique: o.x_mitre_is_subtechnique.unwrap_or(false)
                        || is_subtechnique_id(&meta.attack_id),
                    meta,
                    tactics,
                    platforms: strings(&o.x_mitre_platforms),
                    ..Technique::default()
                });
                (Kind::Technique, kb.techniques.len())
            }
            "course-of-action" => {
                kb.mitigations.push(Mitigation {
                    meta,
                    ..Mitigation::default()
                });
                (Kind::Mitigation, kb.mitigations.len())
            }
            "intrusion-set" => {
                kb.groups.push(Group {
                    aliases: strings(&o.aliases),
                    meta,
                    ..Group::default()
                });
                (Kind::Group, kb.groups.len())
            }
            "malware" | "tool" => {
                kb.software.push(Software {
                    meta,
                    kind: if o.kind == "tool" {
                        SoftwareKind::Tool
                    } else {
                        SoftwareKind::Malware
                    },
                    aliases: strings(&o.x_mitre_aliases),
                    platforms: strings(&o.x_mitre_platforms),
                    techniques: Vec::new(),
                });
                (Kind::Software, kb.software.len())
            }
            "campaign" => {
                kb.campaigns.push(Campaign {
                    aliases: strings(&o.aliases),
                    meta,
                    ..Campaign::default()
                });
                (Kind::Campaign, kb.campaigns.len())
            }
            "x-mitre-data-source" => {
                kb.data_sources.push(DataSource {
                    meta,
                    platforms: strings(&o.x_mitre_platforms),
                    components: Vec::new(),
                });
                (Kind::DataSource, kb.data_sources.len())
            }
            "x-mitre-data-component" => {
                let log_sources = o
                    .x_mitre_log_sources
                    .iter()
                    .map(|l| LogSource {
                        name: l.name.to_string(),
                        channel: l.channel.as_deref().unwrap_or("").to_string(),
                    })
                    .collect();
                kb.data_components.push(DataComponent {
                    meta,
                    log_sources,
                    ..DataComponent::default()
                });
                (Kind::DataComponent, kb.data_components.len())
            }
            "x-mitre-detection-strategy" => {
                kb.detection_strategies.push(DetectionStrategy {
                    meta,
                    ..DetectionStrategy::default()
                });
                (Kind::DetectionStrategy, kb.detection_strategies.len())
            }
            "x-mitre-analytic" => {
                kb.analytics.push(Analytic {
                    meta,
                    platforms: strings(&o.x_mitre_platforms),
                    ..Analytic::default()
                });
                (Kind::Analytic, kb.analytics.len())
            }
            "x-mitre-collection" => {
                kb.release.version = o.x_mitre_version.as_deref().unwrap_or("").to_string();
                kb.release.name = o.name.as_deref().unwrap_or("").to_string();
                if kb.release.domain.is_empty() {
                    kb.release.domain = domain_of(&kb.release.name);
                }
                return;
            }
            "x-mitre-matrix" => {
                // The matrix's external ID names the domain (`enterprise-attack`).
                if let Some(id) = o.attack_id.as_deref() {
                    kb.release.domain = domain_of(id);
                }
                return;
            }
            _ => return,
        };
        let object = ObjectRef {
            kind,
            index: (index - 1) as u32,
        };
        let attack = self.kb.meta(object).attack_id.to_ascii_uppercase();
        if !attack.is_empty() {
            self.kb.by_attack_id.entry(attack).or_default().push(object);
        }
        self.kb.by_stix_id.insert(o.id.to_string(), object);
    }

    /// Puts tactics in the matrix's order (`tactic_refs`; tactics the matrix omits go last),
    /// then indexes them. Tactics are indexed here, not in `add_object`, because sorting moves
    /// them.
    fn order_tactics(&mut self, objects: &[RawObject]) {
        let position: HashMap<&str, usize> = objects
            .iter()
            .find(|o| o.kind == "x-mitre-matrix")
            .map(|m| {
                m.tactic_refs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.as_ref(), i))
                    .collect()
            })
            .unwrap_or_default();
        let kb = &mut self.kb;
        kb.tactics.sort_by_key(|t| {
            position
                .get(t.meta.stix_id.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        });
        for (i, t) in kb.tactics.iter().enumerate() {
            let object = ObjectRef {
                kind: Kind::Tactic,
                index: i as u32,
            };
            kb.by_stix_id.insert(t.meta.stix_id.clone(), object);
            if !t.meta.attack_id.is_empty() {
                kb.by_attack_id
                    .entry(t.meta.attack_id.to_ascii_uppercase())
                    .or_default()
                    .push(object);
            }
        }
    }

    /// Cross references carried on objects rather than in relationships.
    fn link_object(&mut self, o: &RawObject) {
        match o.kind.as_ref() {
            "x-mitre-data-component" => {
                let Some(component) = self.kb.by_stix_id(&o.id) else {
                    return;
                };
                let Some(source_ref) = o.x_mitre_data_source_ref.as_deref() else {
                    return;
                };
                if source_ref.is_empty() {
                    return;
                }
                match self.kb.by_stix_id(source_ref) {
                    Some(s) if s.kind == Kind::DataSource => {
                        self.kb.data_components[component.index as usize].data_source =
                            Some(s.index);
                        self.kb.data_sources[s.index as usize]
                            .components
                            .push(component.index);
                    }
                    _ => self.dangling(&o.id, source_ref),
                }
            }
            "x-mitre-detection-strategy" => {
                let Some(strategy) = self.kb.by_stix_id(&o.id) else {
                    return;
                };
                for analytic_ref in &o.x_mitre_analytic_refs {
                    match self.kb.by_stix_id(analytic_ref) {
                        Some(a) if a.kind == Kind::Analytic => {
                            self.kb.detection_strategies[strategy.index as usize]
                                .analytics
                                .push(a.index);
                            self.kb.analytics[a.index as usize]
                                .strategies
                                .push(strategy.index);
                        }
                        _ => self.dangling(&o.id, analytic_ref),
                    }
                }
            }
            "x-mitre-analytic" => {
                let Some(analytic) = self.kb.by_stix_id(&o.id) else {
                    return;
                };
                let mut sources = Vec::new();
                for r in &o.x_mitre_log_source_references {
                    let component = match self.kb.by_stix_id(&r.x_mitre_data_component_ref) {
                        Some(c) if c.kind == Kind::DataComponent => Some(c.index),
                        _ => {
                            self.dangling(&o.id, &r.x_mitre_data_component_ref);
                            None
                        }
                    };
                    sources.push(AnalyticLogSource {
                        data_component: component,
                        name: r.name.to_string(),
                        channel: r.channel.as_deref().unwrap_or("").to_string(),
                    });
                }
                self.kb.analytics[analytic.index as usize].log_sources = sources;
            }
            _ => {}
        }
    }

    fn dangling(&mut self, from: &str, to: &str) {
        self.kb
            .warnings
            .push(format!("{from} refers to {to}, which is not in the bundle"));
    }

    fn add_relationship(&mut self, r: &Relationship) {
        let (Some(kind), Some(source), Some(target)) =
            (r.kind.as_deref(), r.source.as_deref(), r.target.as_deref())
        else {
            self.kb.warnings.push(format!(
                "relationship {} lacks relationship_type, source_ref or target_ref",
                r.id
            ));
            return;
        };
        let (Some(s), Some(t)) = (self.kb.by_stix_id(source), self.kb.by_stix_id(target)) else {
            let missing = if self.kb.by_stix_id(source).is_none() {
                source
            } else {
                target
            };
            // Relationships to object types atkmap does not model (ICS assets) are expected.
            if !missing.starts_with("x-mitre-asset--") {
                self.dangling(&r.id, missing);
            }
            return;
        };
        use Kind::*;
        let kb = &mut self.kb;
        let (si, ti) = (s.index, t.index);
        match (kind, s.kind, t.kind) {
            ("uses", Group, Technique) => {
                kb.groups[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].groups.push(si);
            }
            ("uses", Software, Technique) => {
                kb.software[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].software.push(si);
            }
            ("uses", Campaign, Technique) => {
                kb.campaigns[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].campaigns.push(si);
            }
            ("uses", Group, Software) => kb.groups[si as usize].software.push(ti),
            ("uses", Campaign, Software) => kb.campaigns[si as usize].software.push(ti),
            ("mitigates", Mitigation, Technique) => {
                kb.mitigations[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].mitigations.push(si);
            }
            ("subtechnique-of", Technique, Technique) => {
                kb.techniques[si as usize].parent = Some(ti);
                kb.techniques[ti as usize].subtechniques.push(si);
            }
            ("detects", DetectionStrategy, Technique) => {
                kb.detection_strategies[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].detection_strategies.push(si);
            }
            ("detects", DataComponent, Technique) => {
                kb.data_components[si as usize].techniques.push(ti);
                kb.techniques[ti as usize].data_components.push(si);
            }
            ("attributed-to", Campaign, Group) => {
                kb.campaigns[si as usize].groups.push(ti);
                kb.groups[ti as usize].campaigns.push(si);
            }
            ("revoked-by", _, _) => kb.meta_mut(s).revoked_by = Some(t),
            _ => {}
        }
    }

    fn sort_indexes(mut self) -> KnowledgeBase {
        let kb = &mut self.kb;
        let by_attack_id = |kb: &KnowledgeBase, kind: Kind, list: &mut Vec<u32>| {
            list.sort_by(|a, b| {
                let ma = kb.meta(ObjectRef { kind, index: *a });
                let mb = kb.meta(ObjectRef { kind, index: *b });
                ma.attack_id.cmp(&mb.attack_id)
            });
            list.dedup();
        };
        // Deterministic orders: every index list sorted by the ATT&CK ID it points at.
        for i in 0..kb.techniques.len() {
            let mut t = std::mem::take(&mut kb.techniques[i]);
            by_attack_id(kb, Kind::Technique, &mut t.subtechniques);
            by_attack_id(kb, Kind::Mitigation, &mut t.mitigations);
            by_attack_id(kb, Kind::DetectionStrategy, &mut t.detection_strategies);
            by_attack_id(kb, Kind::DataComponent, &mut t.data_components);
            by_attack_id(kb, Kind::Group, &mut t.groups);
            by_attack_id(kb, Kind::Software, &mut t.software);
            by_attack_id(kb, Kind::Campaign, &mut t.campaigns);
            kb.techniques[i] = t;
        }
        for i in 0..kb.groups.len() {
            let mut g = std::mem::take(&mut kb.groups[i]);
            by_attack_id(kb, Kind::Technique, &mut g.techniques);
            by_attack_id(kb, Kind::Campaign, &mut g.campaigns);
            kb.groups[i] = g;
        }
        for i in 0..kb.mitigations.len() {
            let mut m = std::mem::take(&mut kb.mitigations[i]);
            by_attack_id(kb, Kind::Technique, &mut m.techniques);
            kb.mitigations[i] = m;
        }
        // A technique's tactics follow the matrix's column order.
        let column: HashMap<String, usize> = kb
            .tactics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.shortname.clone(), i))
            .collect();
        for t in &mut kb.techniques {
            t.tactics
                .sort_by_key(|s| column.get(s).copied().unwrap_or(usize::MAX));
        }
        if kb.release.domain.is_empty() {
            kb.release.domain = "enterprise".to_string();
        }
        kb.index_log_sources();
        self.kb
    }
}

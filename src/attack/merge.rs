//! Merging a companion knowledge base (F3, ATLAS) into an ATT&CK release.
//!
//! The companion is parsed like any bundle, then its tactics, techniques and mitigations are
//! appended to the release's vectors, marked with their framework, with every index list
//! renumbered. One namespace, no silent clashes:
//!
//! - `F`/`FA` and `AML.` IDs are the companion's own.
//! - F3 re-uses ATT&CK technique IDs (T1110, T1539, ...) under its own STIX objects and with
//!   fraud tactics. Where the release has an active technique with that ID, the ID means the
//!   ATT&CK technique (its platforms, tactics, mitigations and detections); F3's tactics for it
//!   are kept as F3's view of its matrix. Where the release has none (T1451 SIM Card Swap is a
//!   Mobile technique, absent from Enterprise), the technique is F3's own.
//! - F3's tactics re-use ATT&CK tactic IDs with other meanings (its TA0005 is Stealth, ATT&CK
//!   18's is Defense Evasion), so tactics are never shared: a lookup of `TA0005` prefers the
//!   release's tactic, and the companion's is reached through its framework.
//! - A companion object with the STIX id of an object already loaded is an error.

use super::framework::Framework;
use super::knowledge::*;

/// Why a companion could not be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("{0} is already loaded")]
    Twice(&'static str),
    #[error("the bundle holds no {0} techniques: is this the {0} STIX bundle?")]
    NotThisFramework(&'static str),
    #[error("{framework} object {stix_id} has the STIX id of an object already loaded")]
    StixClash {
        framework: &'static str,
        stix_id: String,
    },
}

/// Where each companion object went in the merged knowledge base.
#[derive(Default)]
struct Renumbering {
    tactics: Vec<u32>,
    techniques: Vec<u32>,
    mitigations: Vec<u32>,
}

impl Renumbering {
    fn of(&self, object: ObjectRef) -> Option<ObjectRef> {
        let list = match object.kind {
            Kind::Tactic => &self.tactics,
            Kind::Technique => &self.techniques,
            Kind::Mitigation => &self.mitigations,
            _ => return None,
        };
        list.get(object.index as usize).map(|&index| ObjectRef {
            kind: object.kind,
            index,
        })
    }
}

impl KnowledgeBase {
    /// Merges a companion, parsed from its own bundle, into this release. `version` is the
    /// companion's data version (ATLAS's bundle does not carry it).
    pub fn add_companion(
        &mut self,
        companion: KnowledgeBase,
        framework: Framework,
        version: &str,
    ) -> Result<(), MergeError> {
        let label = framework.title();
        if self.companions.iter().any(|c| c.framework == framework) {
            return Err(MergeError::Twice(label));
        }
        let platform = framework.platform().unwrap_or_default();
        let own = |t: &Technique| t.platforms.iter().any(|p| p == platform);
        if framework == Framework::Attack || !companion.techniques.iter().any(own) {
            return Err(MergeError::NotThisFramework(label));
        }
        for object in companion.by_stix_id.keys() {
            if self.by_stix_id.contains_key(object) {
                return Err(MergeError::StixClash {
                    framework: label,
                    stix_id: object.clone(),
                });
            }
        }
        let mut record = Companion {
            framework,
            release: Release {
                domain: framework.label().to_string(),
                version: version.to_string(),
                name: companion.release.name.clone(),
            },
            ..Companion::default()
        };
        let map = self.append(&companion, framework, &mut record);
        self.renumber(&companion, &map);
        self.warnings.extend(
            companion
                .warnings
                .iter()
                .map(|w| format!("{}: {w}", framework.title())),
        );
        record.techniques.sort_by(|a, b| {
            self.techniques[a.0 as usize]
                .meta
                .attack_id
                .cmp(&self.techniques[b.0 as usize].meta.attack_id)
        });
        self.companions.push(record);
        Ok(())
    }

    /// Appends the companion's objects (or, for re-used ATT&CK techniques, points at the
    /// release's) and indexes them.
    fn append(
        &mut self,
        companion: &KnowledgeBase,
        framework: Framework,
        record: &mut Companion,
    ) -> Renumbering {
        let mut map = Renumbering::default();
        let mark = |meta: &Meta| Meta {
            framework,
            revoked_by: None,
            ..meta.clone()
        };
        for tactic in &companion.tactics {
            let index = self.tactics.len() as u32;
            self.tactics.push(Tactic {
                meta: mark(&tactic.meta),
                shortname: tactic.shortname.clone(),
            });
            map.tactics.push(index);
            record.tactics.push(index);
            self.index(ObjectRef {
                kind: Kind::Tactic,
                index,
            });
        }
        for technique in &companion.techniques {
            let reused = (Framework::of_id(&technique.meta.attack_id) == Framework::Attack)
                .then(|| self.technique_index(&technique.meta.attack_id))
                .flatten()
                .filter(|&t| self.techniques[t as usize].meta.framework == Framework::Attack);
            let index = match reused {
                Some(t) => {
                    record.reused.push(t);
                    self.by_stix_id.insert(
                        technique.meta.stix_id.clone(),
                        ObjectRef {
                            kind: Kind::Technique,
                            index: t,
                        },
                    );
                    t
                }
                None => {
                    let index = self.techniques.len() as u32;
                    self.techniques.push(Technique {
                        meta: mark(&technique.meta),
                        tactics: technique.tactics.clone(),
                        platforms: technique.platforms.clone(),
                        is_subtechnique: technique.is_subtechnique,
                        // Renumbered once every technique has its place.
                        parent: technique.parent,
                        subtechniques: technique.subtechniques.clone(),
                        mitigations: technique.mitigations.clone(),
                        ..Technique::default()
                    });
                    self.index(ObjectRef {
                        kind: Kind::Technique,
                        index,
                    });
                    index
                }
            };
            map.techniques.push(index);
            record.techniques.push((index, technique.tactics.clone()));
        }
        for mitigation in &companion.mitigations {
            let index = self.mitigations.len() as u32;
            self.mitigations.push(Mitigation {
                meta: mark(&mitigation.meta),
                techniques: mitigation.techniques.clone(),
            });
            map.mitigations.push(index);
            self.index(ObjectRef {
                kind: Kind::Mitigation,
                index,
            });
        }
        map
    }

    fn index(&mut self, object: ObjectRef) {
        let meta = self.meta(object);
        let (stix_id, attack_id) = (meta.stix_id.clone(), meta.attack_id.to_ascii_uppercase());
        self.by_stix_id.insert(stix_id, object);
        if !attack_id.is_empty() {
            self.by_attack_id.entry(attack_id).or_default().push(object);
        }
    }

    /// Rewrites the appended objects' index lists from the companion's numbering to the
    /// merged one, and links re-used ATT&CK techniques to the companion's mitigations.
    fn renumber(&mut self, companion: &KnowledgeBase, map: &Renumbering) {
        let technique = |i: u32| map.techniques[i as usize];
        let mitigation = |i: u32| map.mitigations[i as usize];
        for (old, &new) in map.techniques.iter().enumerate() {
            let source = &companion.techniques[old];
            if self.techniques[new as usize].meta.framework == Framework::Attack {
                // A re-used ATT&CK technique: only the companion's mitigations are added.
                let added: Vec<u32> = source.mitigations.iter().map(|&m| mitigation(m)).collect();
                self.techniques[new as usize].mitigations.extend(added);
                continue;
            }
            let parent = source.parent.map(technique);
            let subtechniques: Vec<u32> =
                source.subtechniques.iter().map(|&s| technique(s)).collect();
            let mitigations: Vec<u32> = source.mitigations.iter().map(|&m| mitigation(m)).collect();
            let t = &mut self.techniques[new as usize];
            t.parent = parent;
            t.subtechniques = subtechniques;
            t.mitigations = mitigations;
            // A companion sub-technique of a re-used ATT&CK technique (F3's T1586.004 under
            // T1586) is listed under it.
            if let Some(p) = parent
                && self.techniques[p as usize].meta.framework == Framework::Attack
            {
                self.techniques[p as usize].subtechniques.push(new);
            }
        }
        for (old, &new) in map.mitigations.iter().enumerate() {
            self.mitigations[new as usize].techniques = companion.mitigations[old]
                .techniques
                .iter()
                .map(|&t| technique(t))
                .collect();
        }
        for kind in [Kind::Tactic, Kind::Technique, Kind::Mitigation] {
            for object in companion.all_of(kind) {
                let (Some(new), Some(target)) = (
                    map.of(object),
                    companion.meta(object).revoked_by.and_then(|r| map.of(r)),
                ) else {
                    continue;
                };
                if self.meta(new).framework != Framework::Attack {
                    self.meta_mut(new).revoked_by = Some(target);
                }
            }
        }
        self.sort_lists_by_id();
    }

    /// Every technique and mitigation index list in ID order, each once.
    fn sort_lists_by_id(&mut self) {
        let ids: Vec<String> = self
            .techniques
            .iter()
            .map(|t| t.meta.attack_id.clone())
            .collect();
        let mitigation_ids: Vec<String> = self
            .mitigations
            .iter()
            .map(|m| m.meta.attack_id.clone())
            .collect();
        for t in &mut self.techniques {
            t.subtechniques
                .sort_by(|a, b| ids[*a as usize].cmp(&ids[*b as usize]));
            t.subtechniques.dedup();
            t.mitigations
                .sort_by(|a, b| mitigation_ids[*a as usize].cmp(&mitigation_ids[*b as usize]));
            t.mitigations.dedup();
        }
        for m in &mut self.mitigations {
            m.techniques
                .sort_by(|a, b| ids[*a as usize].cmp(&ids[*b as usize]));
            m.techniques.dedup();
        }
    }

    /// The companion loaded for a framework, if any.
    pub fn companion(&self, framework: Framework) -> Option<&Companion> {
        self.companions.iter().find(|c| c.framework == framework)
    }

    /// The framework of a technique, ATT&CK for the techniques a companion re-uses.
    pub fn framework_of(&self, technique: u32) -> Framework {
        self.techniques[technique as usize].meta.framework
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::load_bundle;
    use crate::testing::{bundle_json, companion_json};

    fn merged() -> KnowledgeBase {
        let mut kb = load_bundle(bundle_json().as_bytes()).expect("release");
        let f3 = load_bundle(companion_json(Framework::F3).as_bytes()).expect("f3");
        let atlas = load_bundle(companion_json(Framework::Atlas).as_bytes()).expect("atlas");
        kb.add_companion(f3, Framework::F3, "1.1")
            .expect("f3 merges");
        kb.add_companion(atlas, Framework::Atlas, "5.6.0")
            .expect("atlas merges");
        kb
    }

    #[test]
    fn companion_ids_resolve_in_their_framework() {
        let kb = merged();
        let f1031 = kb.lookup("F1031", None).expect("F1031");
        assert_eq!(f1031.kind, Kind::Technique);
        assert_eq!(kb.meta(f1031).framework, Framework::F3);
        let deepfakes = kb.lookup("aml.t0088", None).expect("AML.T0088");
        assert_eq!(kb.meta(deepfakes).framework, Framework::Atlas);
        let m = kb.lookup("AML.M0015", None).expect("AML.M0015");
        assert_eq!(m.kind, Kind::Mitigation);
        let evade = kb.technique_index("AML.T0015").expect("AML.T0015");
        assert!(kb.techniques[evade as usize].mitigations.contains(&m.index));
        assert!(kb.mitigations[m.index as usize].techniques.contains(&evade));
    }

    #[test]
    fn reused_attack_ids_mean_the_attack_technique_with_f3s_tactics_as_a_view() {
        let kb = merged();
        let t1078 = kb.technique_index("T1078").expect("T1078");
        assert_eq!(kb.framework_of(t1078), Framework::Attack);
        assert_eq!(kb.techniques[t1078 as usize].tactics, ["initial-access"]);
        let f3 = kb.companion(Framework::F3).expect("f3 loaded");
        assert!(f3.reused.contains(&t1078));
        let view = f3
            .techniques
            .iter()
            .find(|(t, _)| *t == t1078)
            .expect("in F3's matrix");
        assert_eq!(view.1, ["positioning"]);
        // An ID the release lacks is F3's own technique.
        let swap = kb.technique_index("T1451").expect("T1451");
        assert_eq!(kb.framework_of(swap), Framework::F3);
    }

    #[test]
    fn f3_tactics_never_replace_attacks() {
        let kb = merged();
        let ta0001 = kb.lookup("TA0001", None).expect("TA0001");
        assert_eq!(kb.meta(ta0001).framework, Framework::Attack);
        assert_eq!(kb.all_with_attack_id("TA0001").len(), 2);
        let f3 = kb.companion(Framework::F3).expect("f3");
        let names: Vec<&str> = f3
            .tactics
            .iter()
            .map(|&t| kb.tactics[t as usize].shortname.as_str())
            .collect();
        assert_eq!(
            names,
            ["initial-access", "positioning", "execution", "monetization"]
        );
    }

    #[test]
    fn clashes_and_repeats_are_errors() {
        let mut kb = merged();
        let again = load_bundle(companion_json(Framework::F3).as_bytes()).expect("f3");
        assert_eq!(
            kb.add_companion(again, Framework::F3, "1.1"),
            Err(MergeError::Twice("F3"))
        );
        let mut kb = load_bundle(bundle_json().as_bytes()).expect("release");
        let attack_as_f3 = load_bundle(bundle_json().as_bytes()).expect("release");
        assert_eq!(
            kb.add_companion(attack_as_f3, Framework::F3, "1.1"),
            Err(MergeError::NotThisFramework("F3"))
        );
        let atlas = companion_json(Framework::Atlas)
            .replace("attack-pattern--aml-t0088", "attack-pattern--t1199");
        let atlas = load_bundle(atlas.as_bytes()).expect("atlas");
        assert!(matches!(
            kb.add_companion(atlas, Framework::Atlas, "5.6.0"),
            Err(MergeError::StixClash { .. })
        ));
    }
}

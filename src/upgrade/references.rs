//! Every ATT&CK ID a model file names, where, and of which kind it must be; and resolving such
//! an ID in a release the way `atkmap check` does.

use serde::Serialize;

use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::diag::Position;
use crate::model::format::ModelFile;
use crate::model::located::Located;
use crate::model::validate::{DEFAULT_REUSE_TECHNIQUES, DEFAULT_TRUST_TECHNIQUES};

/// One ATT&CK ID in a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: Kind,
    /// The ID as written.
    pub id: String,
    /// Where the ID is written; `None` for defaults the file does not spell out.
    pub position: Option<Position>,
    /// The key holding it: `actors[broker].techniques`, `controls[mfa].detections`.
    pub field: String,
}

/// Where a reference is, for reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// 0 for defaults the file does not spell out.
    pub line: u32,
    pub column: u32,
    pub field: String,
}

impl Reference {
    pub fn place(&self) -> Place {
        Place {
            line: self.position.map_or(0, |p| p.line),
            column: self.position.map_or(0, |p| p.column),
            field: self.field.clone(),
        }
    }
}

fn push(out: &mut Vec<Reference>, kind: Kind, value: &Located<String>, field: String) {
    out.push(Reference {
        kind,
        id: value.value.clone(),
        position: value.position,
        field,
    });
}

/// Every ATT&CK reference of a file in file order (section by section). Telemetry entries count
/// when they look like ATT&CK IDs (data components, `DC0067`); log-source names do not. Default
/// `reuse_techniques` and `trust_techniques` are included without a position.
pub fn references(file: &ModelFile) -> Vec<Reference> {
    let mut out = Vec::new();
    let listed = |out: &mut Vec<Reference>,
                  list: &Option<Vec<Located<String>>>,
                  defaults: &[&str],
                  key: &str| match list {
        Some(list) => {
            for t in list {
                push(out, Kind::Technique, t, key.to_string());
            }
        }
        None => {
            for id in defaults {
                out.push(Reference {
                    kind: Kind::Technique,
                    id: id.to_string(),
                    position: None,
                    field: format!("{key} (default)"),
                });
            }
        }
    };
    listed(
        &mut out,
        &file.reuse_techniques,
        &DEFAULT_REUSE_TECHNIQUES,
        "reuse_techniques",
    );
    listed(
        &mut out,
        &file.trust_techniques,
        &DEFAULT_TRUST_TECHNIQUES,
        "trust_techniques",
    );
    for a in &file.actors {
        for g in &a.groups {
            push(&mut out, Kind::Group, g, format!("actors[{}].groups", a.id));
        }
        for t in &a.techniques {
            push(
                &mut out,
                Kind::Technique,
                t,
                format!("actors[{}].techniques", a.id),
            );
        }
        for t in a
            .exclude
            .iter()
            .filter(|t| Kind::from_attack_id(&t.value).is_some())
        {
            push(
                &mut out,
                Kind::Technique,
                t,
                format!("actors[{}].exclude", a.id),
            );
        }
    }
    for s in &file.systems {
        for t in &s.telemetry {
            if Kind::from_attack_id(&t.value).is_some() {
                push(
                    &mut out,
                    Kind::DataComponent,
                    t,
                    format!("systems[{}].telemetry", s.id),
                );
            }
        }
    }
    for c in &file.controls {
        for m in &c.mitigations {
            push(
                &mut out,
                Kind::Mitigation,
                m,
                format!("controls[{}].mitigations", c.id),
            );
        }
        for d in &c.detections {
            push(
                &mut out,
                Kind::DetectionStrategy,
                d,
                format!("controls[{}].detections", c.id),
            );
        }
        for (key, list) in [("counters", &c.counters), ("detects", &c.detects)] {
            for t in list {
                push(
                    &mut out,
                    Kind::Technique,
                    t,
                    format!("controls[{}].{key}", c.id),
                );
            }
        }
    }
    for (i, t) in file.threats.iter().enumerate() {
        let label = t.id.as_ref().map_or(i.to_string(), |id| id.value.clone());
        push(
            &mut out,
            Kind::Technique,
            &t.technique,
            format!("threats[{label}].technique"),
        );
    }
    for (i, a) in file.accepted.iter().enumerate() {
        push(
            &mut out,
            Kind::Technique,
            &a.technique,
            format!("accepted[{i}].technique"),
        );
    }
    out
}

/// What an ID names in one release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// An object of the expected kind (active, revoked or deprecated).
    Found(ObjectRef),
    /// Only an object of another kind carries the ID.
    WrongKind(ObjectRef),
    /// Nothing carries the ID.
    Missing,
}

impl Resolved {
    pub fn found(self) -> Option<ObjectRef> {
        match self {
            Resolved::Found(o) => Some(o),
            _ => None,
        }
    }
}

/// Resolves an ID of `kind` exactly as validation does: the object of that kind, preferring an
/// active one; an ID whose prefix promises another kind only matches an active object (old
/// deprecated mitigations reuse technique IDs).
pub fn resolve(kb: &KnowledgeBase, id: &str, kind: Kind) -> Resolved {
    let promised = Kind::from_attack_id(id);
    let found = match kb.lookup(id, Some(kind)) {
        Some(o) if promised.is_some_and(|p| p != kind) && !kb.meta(o).is_active() => None,
        other => other,
    };
    match found {
        Some(o) => Resolved::Found(o),
        None => match kb.lookup(id, None) {
            Some(o) => Resolved::WrongKind(o),
            None => Resolved::Missing,
        },
    }
}

/// A reference resolved in two releases, matched by STIX id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    /// What the ID names in the earlier release (`Missing` when that release is not given).
    pub before: Resolved,
    /// The same object in the later release, found by its STIX id; when the ID names nothing of
    /// the right kind in the earlier release, whatever the ID names in the later one.
    pub after: Resolved,
}

/// Resolves `id` in `before`, then finds that object in `after` by STIX id (stable across
/// releases, unlike ATT&CK IDs, which change when a sub-technique moves).
pub fn match_across(
    before: Option<&KnowledgeBase>,
    after: &KnowledgeBase,
    id: &str,
    kind: Kind,
) -> Matched {
    let old = before.map_or(Resolved::Missing, |kb| resolve(kb, id, kind));
    let new = match (old, before) {
        (Resolved::Found(o), Some(kb)) => match after.by_stix_id(&kb.meta(o).stix_id) {
            Some(n) => Resolved::Found(n),
            None => Resolved::Missing,
        },
        _ => resolve(after, id, kind),
    };
    Matched {
        before: old,
        after: new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Parsed, parse};

    #[test]
    fn references_are_listed_with_fields_and_positions() {
        let text = format!(
            "{}actors:\n  - id: a\n    name: A\n    groups: [G0001]\n    techniques: [T1199]\nsystems:\n  - id: s\n    name: S\n    platforms: [Linux]\n    exposure: internet\n    telemetry: [DC0001, \"auth:log\"]\ncontrols:\n  - id: c\n    name: C\n    mitigations: [M1032]\n    detections: [DET0001]\n    applies_to: [s]\n    status: implemented\nthreats:\n  - actor: a\n    technique: T1078\n    target: s\n",
            crate::testing::HEADER
        );
        let Parsed::File(file) = parse(&text, "t.yaml") else {
            panic!("parses")
        };
        let refs = references(&file);
        let summary: Vec<(Kind, &str, &str, u32)> = refs
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.id.as_str(),
                    r.field.as_str(),
                    r.position.map_or(0, |p| p.line),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (Kind::Technique, "T1656", "reuse_techniques (default)", 0),
                (Kind::Technique, "T1078", "reuse_techniques (default)", 0),
                (Kind::Technique, "T1199", "trust_techniques (default)", 0),
                (Kind::Group, "G0001", "actors[a].groups", 7),
                (Kind::Technique, "T1199", "actors[a].techniques", 8),
                (Kind::DataComponent, "DC0001", "systems[s].telemetry", 14),
                (Kind::Mitigation, "M1032", "controls[c].mitigations", 18),
                (
                    Kind::DetectionStrategy,
                    "DET0001",
                    "controls[c].detections",
                    19
                ),
                (Kind::Technique, "T1078", "threats[0].technique", 24),
            ]
        );
    }

    #[test]
    fn resolution_follows_validation() {
        let kb = crate::testing::kb();
        assert!(matches!(
            resolve(&kb, "T1199", Kind::Technique),
            Resolved::Found(_)
        ));
        assert!(matches!(
            resolve(&kb, "T1199", Kind::Mitigation),
            Resolved::WrongKind(_)
        ));
        assert_eq!(resolve(&kb, "T4242", Kind::Technique), Resolved::Missing);
    }
}

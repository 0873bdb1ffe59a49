//! The semantic check as a whole: the entry points, the order the checks run in, and the walk
//! over the file's sections that checks each item and builds the resolved [`Model`] from what
//! resolved, with the default technique lists and the acceptances (whose dates are checked
//! here).

use super::validator::{Section, Validator};
use crate::attack::{Framework, Kind, KnowledgeBase};
use crate::diag::{Code, Diagnostic};
use crate::model::date::Date;
use crate::model::format::{self, ModelFile, Sensitivity};
use crate::model::located::Located;
use crate::model::resolved::*;
use crate::model::salvage::Salvaged;

/// The default `reuse_techniques`: Impersonation and Valid Accounts.
pub const DEFAULT_REUSE_TECHNIQUES: [&str; 2] = ["T1656", "T1078"];
/// Added to the default `reuse_techniques` for leaked identity evidence (not credentials) when F3
/// is loaded: Impersonate Account Holder.
pub const F3_REUSE_TECHNIQUES: [&str; 1] = ["F1031"];
/// Added for leaked credentials when F3 is loaded: Account Takeover: Exposed Login Credential.
pub const F3_CREDENTIAL_REUSE_TECHNIQUES: [&str; 1] = ["F1006.002"];
/// What leaked images of a person enable against AI checks when ATLAS is loaded: Generate
/// Deepfakes, Evade AI Model.
pub const ATLAS_AI_REUSE_TECHNIQUES: [&str; 2] = ["AML.T0088", "AML.T0015"];

/// The kinds a system judges with an AI model: its `ai_checks`, and `selfie` when it verifies
/// one; sorted, each once.
fn ai_checked_kinds(s: &format::System) -> Vec<String> {
    let mut out: Vec<String> = s.ai_checks.iter().map(|k| k.value.clone()).collect();
    if s.verifies.iter().any(|v| v.value == "selfie") {
        out.push("selfie".to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// The default `trust_techniques`: Trusted Relationship.
pub const DEFAULT_TRUST_TECHNIQUES: [&str; 1] = ["T1199"];

/// Validates a parsed model against the knowledge base of its pinned release.
pub fn validate(
    file: &ModelFile,
    kb: &KnowledgeBase,
    path: &str,
    today: Date,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut v = Validator::new(kb, path);
    let model = v.run(file, today);
    v.unused_definitions(&model);
    let failed = v.out.iter().any(Diagnostic::is_error);
    (if failed { None } else { Some(model) }, v.out)
}

/// Validates what [`crate::model::salvage::salvage`] kept of a structurally broken model: its references and
/// ATT&CK IDs. References to the items left out are not reported, and neither are unused
/// definitions, since the left-out items may be what uses them.
pub fn validate_salvaged(
    salvaged: &Salvaged,
    kb: &KnowledgeBase,
    path: &str,
    today: Date,
) -> Vec<Diagnostic> {
    let mut v = Validator::new(kb, path);
    v.left_out = salvaged
        .left_out
        .iter()
        .filter_map(|l| Some((l.id.clone(), Section::of_key(&l.section)?)))
        .collect();
    v.run(&salvaged.file, today);
    v.out
}

impl Validator<'_> {
    /// Every check but unused definitions; the model built from what resolved.
    fn run(&mut self, file: &ModelFile, today: Date) -> Model {
        self.release(file);
        self.collect_ids(file);
        let model = self.build(file, today);
        self.held_data_not_leaked(file, &model);
        model
    }

    fn build(&mut self, file: &ModelFile, today: Date) -> Model {
        let known_platforms = self.kb.platforms();
        let systems: Vec<SystemDef> = file
            .systems
            .iter()
            .map(|s| {
                self.platforms(&s.platforms, &known_platforms);
                let collects = self.telemetry(&s.telemetry);
                SystemDef {
                    id: s.id.clone(),
                    name: s.name.value.clone(),
                    owner: s.owner.as_ref().map(|o| o.value.clone()),
                    platforms: s.platforms.iter().map(|p| p.value.clone()).collect(),
                    exposure: s.exposure.value,
                    verifies: s.verifies.iter().map(|v| v.value.clone()).collect(),
                    ai_checks: ai_checked_kinds(s),
                    telemetry: s.telemetry.clone(),
                    collects,
                }
            })
            .collect();
        let data: Vec<DataDef> = file
            .data
            .iter()
            .map(|d| DataDef {
                id: d.id.clone(),
                name: d.name.as_ref().map(|n| n.value.clone()),
                kind: d.kind.value.clone(),
                sensitivity: d
                    .sensitivity
                    .as_ref()
                    .map_or(Sensitivity::Internal, |s| s.value),
                records: d.records.as_ref().map(|r| r.value),
                stored_in: self.references(
                    &d.stored_in,
                    Section::System,
                    "stored_in",
                    SystemId::new,
                ),
                leaked: d.leaked.as_ref().map(|l| LeakDef {
                    year: l.year.value,
                    source: l.source.clone(),
                }),
            })
            .collect();
        let actors: Vec<ActorDef> = file
            .actors
            .iter()
            .map(|a| {
                self.attack_refs(&a.groups, Kind::Group, "groups");
                self.attack_refs(&a.techniques, Kind::Technique, "techniques");
                self.exclusions(&a.exclude);
                let (entry, entry_is_default) = match &a.entry {
                    Some(list) => (
                        self.references(list, Section::System, "entry", SystemId::new),
                        false,
                    ),
                    None => (
                        systems
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.exposure == format::Reachability::Internet)
                            .map(|(i, _)| SystemId::new(i))
                            .collect(),
                        true,
                    ),
                };
                ActorDef {
                    id: a.id.clone(),
                    name: a.name.value.clone(),
                    groups: a.groups.clone(),
                    techniques: a.techniques.clone(),
                    holds: self.references(&a.holds, Section::Data, "holds", DataId::new),
                    entry,
                    entry_is_default,
                    exclude: a.exclude.clone(),
                }
            })
            .collect();
        let flows: Vec<FlowDef> = file
            .flows
            .iter()
            .filter_map(|f| {
                let from = self.reference(&f.from, Section::System, "from", SystemId::new);
                let to = self.reference(&f.to, Section::System, "to", SystemId::new);
                let carries = self.references(&f.carries, Section::Data, "carries", DataId::new);
                Some(FlowDef {
                    label: f.id.as_ref().map_or_else(
                        || format!("{}->{}", f.from.value, f.to.value),
                        |i| i.value.clone(),
                    ),
                    position: f.from.position,
                    from: from?,
                    to: to?,
                    carries,
                    crosses_trust_boundary: f
                        .crosses_trust_boundary
                        .as_ref()
                        .is_some_and(|b| b.value),
                })
            })
            .collect();
        let controls: Vec<ControlDef> = file
            .controls
            .iter()
            .map(|c| {
                self.attack_refs(&c.mitigations, Kind::Mitigation, "mitigations");
                self.attack_refs(&c.detections, Kind::DetectionStrategy, "detections");
                self.attack_refs(&c.counters, Kind::Technique, "counters");
                self.attack_refs(&c.detects, Kind::Technique, "detects");
                ControlDef {
                    id: c.id.clone(),
                    name: c.name.value.clone(),
                    mitigations: c.mitigations.clone(),
                    detections: c.detections.clone(),
                    counters: c.counters.clone(),
                    detects: c.detects.clone(),
                    applies_to: self.references(
                        &c.applies_to,
                        Section::System,
                        "applies_to",
                        SystemId::new,
                    ),
                    status: c.status.value,
                }
            })
            .collect();
        let threats: Vec<ThreatDef> = file
            .threats
            .iter()
            .filter_map(|t| {
                self.attack_ref(&t.technique, Kind::Technique, "technique");
                let actor = self.reference(&t.actor, Section::Actor, "actor", ActorId::new);
                let target = self.reference(&t.target, Section::System, "target", SystemId::new);
                Some(ThreatDef {
                    id: t.id.as_ref().map(|i| i.value.clone()),
                    position: t.technique.position,
                    actor: actor?,
                    technique: t.technique.clone(),
                    target: target?,
                })
            })
            .collect();
        let accepted = self.acceptances(file, today);
        let default_list = |ids: &[&str]| {
            ids.iter()
                .map(|s| Located::unplaced(s.to_string()))
                .collect()
        };
        let f3 = self.pinned.contains(&Framework::F3);
        let atlas = self.pinned.contains(&Framework::Atlas);
        let reuse_techniques = file
            .reuse_techniques
            .clone()
            .unwrap_or_else(|| default_list(&DEFAULT_REUSE_TECHNIQUES));
        let f3_defaults = f3 && file.reuse_techniques.is_none();
        let pick = |on: bool, ids: &[&str]| if on { default_list(ids) } else { Vec::new() };
        let identity_reuse_techniques = pick(f3_defaults, &F3_REUSE_TECHNIQUES);
        let credential_reuse_techniques = pick(f3_defaults, &F3_CREDENTIAL_REUSE_TECHNIQUES);
        let ai_reuse_techniques = pick(atlas, &ATLAS_AI_REUSE_TECHNIQUES);
        let trust_techniques = file
            .trust_techniques
            .clone()
            .unwrap_or_else(|| default_list(&DEFAULT_TRUST_TECHNIQUES));
        self.attack_refs(&reuse_techniques, Kind::Technique, "reuse_techniques");
        self.attack_refs(&trust_techniques, Kind::Technique, "trust_techniques");
        self.attack_refs(
            &identity_reuse_techniques,
            Kind::Technique,
            "reuse_techniques",
        );
        self.attack_refs(
            &credential_reuse_techniques,
            Kind::Technique,
            "reuse_techniques",
        );
        self.attack_refs(&ai_reuse_techniques, Kind::Technique, "reuse_techniques");
        Model {
            file: self.path.to_string(),
            name: file.name.value.clone(),
            description: file.description.clone(),
            domain: file.attack.domain.value.name().to_string(),
            version: file.attack.version.value.clone(),
            frameworks: self.pinned.clone(),
            reuse_techniques,
            identity_reuse_techniques,
            credential_reuse_techniques,
            ai_reuse_techniques,
            trust_techniques,
            actors,
            systems,
            data,
            flows,
            controls,
            threats,
            accepted,
        }
    }

    fn acceptances(&mut self, file: &ModelFile, today: Date) -> Vec<AcceptanceDef> {
        let mut out = Vec::new();
        for a in &file.accepted {
            self.attack_ref(&a.technique, Kind::Technique, "technique");
            let system = a
                .system
                .as_ref()
                .map(|s| self.reference(s, Section::System, "system", SystemId::new));
            let actor = a
                .actor
                .as_ref()
                .map(|s| self.reference(s, Section::Actor, "actor", ActorId::new));
            let Some(expires) = Date::parse(&a.expires.value) else {
                self.push(
                    Code::InvalidValue,
                    a.expires.position,
                    format!(
                        "`expires` must be a date YYYY-MM-DD, found `{}`",
                        a.expires.value
                    ),
                )
                .hint = Some("for example `expires: 2027-06-30`".to_string());
                continue;
            };
            if expires < today {
                let on = a
                    .system
                    .as_ref()
                    .map_or("every system".to_string(), |s| format!("`{}`", s.value));
                self.push(
                    Code::ExpiredAcceptance,
                    a.expires.position,
                    format!(
                        "the acceptance of {} on {on} expired on {expires}; the exposure counts again",
                        a.technique.value
                    ),
                )
                .hint = Some(format!(
                    "{} should review it: renew `expires` or fix the gap",
                    a.owner.value
                ));
            }
            // An unresolved system or actor was reported above; skip the acceptance.
            let system = match system {
                Some(Some(s)) => Some(s),
                Some(None) => continue,
                None => None,
            };
            let actor = match actor {
                Some(Some(s)) => Some(s),
                Some(None) => continue,
                None => None,
            };
            out.push(AcceptanceDef {
                position: a.technique.position,
                technique: a.technique.value.clone(),
                system,
                actor,
                reason: a.reason.value.clone(),
                owner: a.owner.value.clone(),
                expires,
            });
        }
        out
    }
}

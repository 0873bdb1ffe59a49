//! The semantic check: ids, references, and every ATT&CK ID against the pinned release.
//!
//! Validation never stops at the first problem: each check pushes diagnostics and goes on with
//! what it can resolve. A [`Model`] comes out only when no error was found.

use std::collections::HashMap;

use super::date::Date;
use super::format::{self, ModelFile, Sensitivity};
use super::hints;
use super::located::Located;
use super::resolved::*;
use super::salvage::Salvaged;
use crate::attack::framework::parse_pin;
use crate::attack::release_name::same_version;
use crate::attack::{Framework, Kind, KnowledgeBase};
use crate::diag::suggest::closest;
use crate::diag::{Code, Diagnostic, Position};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Actor,
    System,
    Data,
    Control,
    Flow,
    Threat,
}

impl Section {
    /// The section a top-level key lists (`systems`); `accepted` defines no ids.
    fn of_key(key: &str) -> Option<Section> {
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

    fn noun(self) -> &'static str {
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

/// Validates what [`super::salvage::salvage`] kept of a structurally broken model: its references and
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

struct Validator<'a> {
    kb: &'a KnowledgeBase,
    path: &'a str,
    out: Vec<Diagnostic>,
    /// Every defined id: its section, index and position.
    ids: HashMap<String, (Section, usize, Option<Position>)>,
    /// Ids defined by items a salvaged model left out, and their sections.
    left_out: HashMap<String, Section>,
    /// How often each id is referenced.
    used: HashMap<String, usize>,
    /// The companions the model pins that are loaded: only their IDs resolve.
    pinned: Vec<Framework>,
}

impl<'a> Validator<'a> {
    fn new(kb: &'a KnowledgeBase, path: &'a str) -> Validator<'a> {
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

    /// Every check but unused definitions; the model built from what resolved.
    fn run(&mut self, file: &ModelFile, today: Date) -> Model {
        self.release(file);
        self.collect_ids(file);
        let model = self.build(file, today);
        self.held_data_not_leaked(file, &model);
        model
    }

    fn push(&mut self, code: Code, at: Option<Position>, message: String) -> &mut Diagnostic {
        self.out.push(Diagnostic::new(code, self.path, at, message));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    fn release(&mut self, file: &ModelFile) {
        self.frameworks(file);
        let release = &self.kb.release;
        let domain = file.attack.domain.value.name();
        let version = &file.attack.version;
        let version_ok =
            release.version.is_empty() || same_version(&release.version, &version.value);
        if release.domain != domain || !version_ok {
            self.push(
                Code::ReleaseMismatch,
                version.position,
                format!(
                    "the model pins ATT&CK {domain} {}, but the data loaded is {} {}",
                    version.value, release.domain, release.version
                ),
            )
            .hint = Some("drop --attack, or pass the bundle of the pinned release".to_string());
        }
    }

    /// Whether the model pins a companion and it is loaded: its rules apply to the model only
    /// then (a report may load a companion for another model).
    fn pins(&self, file: &ModelFile, framework: Framework) -> bool {
        self.kb.companion(framework).is_some()
            && file
                .attack
                .frameworks
                .iter()
                .any(|f| parse_pin(&f.value).is_ok_and(|(pinned, _)| pinned == framework))
    }

    /// `attack.frameworks`: known companions, each once, and the ones loaded.
    fn frameworks(&mut self, file: &ModelFile) {
        self.pinned = [Framework::F3, Framework::Atlas]
            .into_iter()
            .filter(|&f| self.pins(file, f))
            .collect();
        let mut seen: Vec<Framework> = Vec::new();
        for entry in &file.attack.frameworks {
            match parse_pin(&entry.value) {
                Err(message) => {
                    self.push(Code::InvalidValue, entry.position, message).hint = Some(
                        "companions: f3 (MITRE Fight Fraud Framework), atlas (MITRE ATLAS)"
                            .to_string(),
                    );
                }
                Ok((framework, _)) if seen.contains(&framework) => {
                    self.push(
                        Code::InvalidValue,
                        entry.position,
                        format!("{} is listed twice in `frameworks`", framework.title()),
                    )
                    .hint = Some("list each companion once".to_string());
                }
                Ok((framework, version)) => {
                    seen.push(framework);
                    let loaded = self.kb.companion(framework);
                    let mismatch = match (loaded, &version) {
                        (None, _) => Some("is not loaded".to_string()),
                        (Some(c), Some(v)) if !same_version(&c.release.version, v) => {
                            Some(format!(
                                "is pinned, but the data loaded is {} {}",
                                framework.title(),
                                if c.release.version.is_empty() {
                                    "of no stated version"
                                } else {
                                    &c.release.version
                                }
                            ))
                        }
                        _ => None,
                    };
                    if let Some(why) = mismatch {
                        self.push(
                            Code::ReleaseMismatch,
                            entry.position,
                            format!("{} {why}", entry.value),
                        )
                        .hint = Some(format!(
                            "pass the {} bundle with --framework FILE or put it in a data directory",
                            framework.title()
                        ));
                    }
                }
            }
        }
    }

    fn define(&mut self, id: &Located<String>, section: Section, index: usize) {
        if !is_valid_id(&id.value) {
            self.push(
                Code::InvalidValue,
                id.position,
                format!("`{}` is not a valid id", id.value),
            )
            .hint = Some(format!(
                "ids use lowercase letters, digits and single '-' between them ({}), for example `{}`",
                format::ID_PATTERN,
                suggest_id(&id.value)
            ));
        }
        if let Some((first, _, first_at)) = self.ids.get(&id.value).copied() {
            let line = first_at.map_or(String::new(), |p| format!(" at line {}", p.line));
            self.push(
                Code::DuplicateId,
                id.position,
                format!(
                    "the id `{}` is already used by {}{line}",
                    id.value,
                    first.noun()
                ),
            )
            .hint = Some("ids are unique across all sections of a model".to_string());
            return;
        }
        self.ids
            .insert(id.value.clone(), (section, index, id.position));
    }

    /// Defines every id in file order, so a duplicate is reported where it repeats.
    fn collect_ids(&mut self, file: &ModelFile) {
        let mut all: Vec<(&Located<String>, Section, usize)> = Vec::new();
        all.extend(
            file.actors
                .iter()
                .enumerate()
                .map(|(i, a)| (&a.id, Section::Actor, i)),
        );
        all.extend(
            file.systems
                .iter()
                .enumerate()
                .map(|(i, s)| (&s.id, Section::System, i)),
        );
        all.extend(
            file.data
                .iter()
                .enumerate()
                .map(|(i, d)| (&d.id, Section::Data, i)),
        );
        all.extend(
            file.controls
                .iter()
                .enumerate()
                .map(|(i, c)| (&c.id, Section::Control, i)),
        );
        all.extend(
            file.flows
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.id.as_ref().map(|id| (id, Section::Flow, i))),
        );
        all.extend(
            file.threats
                .iter()
                .enumerate()
                .filter_map(|(i, t)| t.id.as_ref().map(|id| (id, Section::Threat, i))),
        );
        all.sort_by_key(|(id, _, _)| id.position);
        for (id, section, index) in all {
            self.define(id, section, index);
        }
    }

    /// Resolves a reference to a definition of `section`.
    fn reference(&mut self, r: &Located<String>, section: Section, key: &str) -> Option<usize> {
        *self.used.entry(r.value.clone()).or_default() += 1;
        let defined = self
            .ids
            .get(&r.value)
            .map(|&(s, index, _)| (s, Some(index)));
        // An item left out of a salvaged model: its own problems are reported already.
        let left_out = || self.left_out.get(&r.value).map(|&s| (s, None));
        match defined.or_else(left_out) {
            Some((s, index)) if s == section => index,
            Some((other, _)) => {
                self.push(
                    Code::UnknownReference,
                    r.position,
                    format!(
                        "`{key}` must name {}, but `{}` is {}",
                        section.noun(),
                        r.value,
                        other.noun()
                    ),
                );
                None
            }
            None => {
                let defined = self.ids.iter().map(|(id, &(s, _, _))| (id, s));
                let left_out = self.left_out.iter().map(|(id, &s)| (id, s));
                let candidates: Vec<&str> = defined
                    .chain(left_out)
                    .filter(|&(_, s)| s == section)
                    .map(|(id, _)| id.as_str())
                    .collect();
                let hint = closest(&r.value, &candidates).map(|c| format!("did you mean `{c}`?"));
                let d = self.push(
                    Code::UnknownReference,
                    r.position,
                    format!(
                        "`{key}` names `{}`, which is not {} defined in this model",
                        r.value,
                        section.noun()
                    ),
                );
                d.hint = hint;
                None
            }
        }
    }

    fn references(&mut self, refs: &[Located<String>], section: Section, key: &str) -> Vec<usize> {
        let mut out: Vec<usize> = refs
            .iter()
            .filter_map(|r| self.reference(r, section, key))
            .collect();
        out.dedup();
        out
    }

    /// Checks an ATT&CK ID names an active object of `kind` in the pinned release.
    fn attack_ref(&mut self, r: &Located<String>, kind: Kind, key: &str) {
        let kb = self.kb;
        let release = match kb.companion(Framework::of_id(&r.value)) {
            Some(c) => format!("{} {}", c.framework.title(), c.release.version),
            None => format!("ATT&CK {} {}", kb.release.domain, kb.release.version),
        };
        let promised = Kind::from_attack_id(&r.value);
        // Objects of a companion the model does not pin are not there for it.
        let found = kb.lookup(&r.value, Some(kind)).filter(|&o| {
            let f = kb.meta(o).framework;
            !f.is_companion() || self.pinned.contains(&f)
        });
        // Old deprecated mitigations carry technique IDs (T1078 "Valid Accounts Mitigation"):
        // an ID whose prefix promises another kind means the author wrote the wrong kind.
        let found = match found {
            Some(o) if promised.is_some_and(|p| p != kind) && !kb.meta(o).is_active() => None,
            other => other,
        };
        match found {
            Some(object) => {
                let meta = kb.meta(object);
                if meta.revoked {
                    let hint = match kb.final_replacement(object) {
                        Some(by) => {
                            let by = kb.meta(by);
                            format!("replace it with {} ({})", by.attack_id, by.name)
                        }
                        None => "ATT&CK names no replacement; remove it".to_string(),
                    };
                    self.push(
                        Code::RevokedAttackId,
                        r.position,
                        format!("{} ({}) is revoked in {release}", r.value, meta.name),
                    )
                    .hint = Some(hint);
                } else if meta.deprecated {
                    self.push(
                        Code::DeprecatedAttackId,
                        r.position,
                        format!("{} ({}) is deprecated in {release}", r.value, meta.name),
                    )
                    .hint =
                        Some("ATT&CK no longer maintains it; choose a current object".to_string());
                }
            }
            None => {
                let framework = match kb.lookup(&r.value, None) {
                    Some(o) => kb.meta(o).framework,
                    None => Framework::of_id(&r.value),
                };
                if framework.is_companion() && !self.pinned.contains(&framework) {
                    self.push(
                        Code::UnknownAttackId,
                        r.position,
                        format!(
                            "{} is a MITRE {} ID, and the model does not load {}",
                            r.value,
                            framework.title(),
                            framework.title()
                        ),
                    )
                    .hint = Some(format!(
                        "add `frameworks: [{}]` under `attack:` (or pass --framework {})",
                        framework.label(),
                        framework.label()
                    ));
                    return;
                }
                if let Some(other) = kb.lookup(&r.value, None) {
                    self.push(
                        Code::AttackIdWrongKind,
                        r.position,
                        format!(
                            "`{key}` takes {} IDs, but {} is {} ({})",
                            kind.label(),
                            r.value,
                            with_article(other.kind.label()),
                            kb.meta(other).name
                        ),
                    )
                    .hint = hints::wrong_kind(kb, key, other);
                    return;
                }
                self.push(
                    Code::UnknownAttackId,
                    r.position,
                    format!("{} is not a {} in {release}", r.value, kind.label()),
                )
                .hint = Some(hints::unknown_attack_id(kb, &r.value, kind));
            }
        }
    }

    fn attack_refs(&mut self, refs: &[Located<String>], kind: Kind, key: &str) {
        for r in refs {
            self.attack_ref(r, kind, key);
        }
    }

    /// An actor's `exclude`: technique IDs, or tactic shortnames of the release.
    fn exclusions(&mut self, entries: &[Located<String>]) {
        let kb = self.kb;
        for e in entries {
            if Kind::from_attack_id(&e.value).is_some() {
                self.attack_ref(e, Kind::Technique, "exclude");
                continue;
            }
            let mut shortnames: Vec<&str> = kb
                .tactics
                .iter()
                .filter(|t| t.meta.is_active())
                .map(|t| t.shortname.as_str())
                .collect();
            shortnames.sort_unstable();
            shortnames.dedup();
            if shortnames.contains(&e.value.as_str()) {
                continue;
            }
            let hint = match closest(&e.value, &shortnames) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("tactic shortnames: {}", shortnames.join(", ")),
            };
            self.push(
                Code::InvalidValue,
                e.position,
                format!(
                    "`{}` in `exclude` is neither a technique ID nor a tactic shortname of ATT&CK {} {}",
                    e.value, kb.release.domain, kb.release.version
                ),
            )
            .hint = Some(hint);
        }
    }

    fn platforms(&mut self, platforms: &[Located<String>], known: &[String]) {
        for p in platforms {
            if known.contains(&p.value) {
                continue;
            }
            self.push(
                Code::UnknownPlatform,
                p.position,
                format!("`{}` is not an ATT&CK platform", p.value),
            )
            .hint = Some(hints::platform(&p.value, known));
        }
    }

    fn telemetry(&mut self, entries: &[Located<String>]) {
        let kb = self.kb;
        for t in entries {
            let is_component = kb
                .lookup(&t.value, Some(Kind::DataComponent))
                .is_some_and(|o| kb.meta(o).is_active());
            if is_component {
                continue;
            }
            if Kind::from_attack_id(&t.value).is_some() {
                self.attack_ref(t, Kind::DataComponent, "telemetry");
                continue;
            }
            if !kb.components_with_log_source(&t.value).is_empty() {
                continue;
            }
            let hint = hints::telemetry(kb, &t.value);
            self.push(
                Code::UnknownTelemetry,
                t.position,
                format!(
                    "`{}` is neither a data component ID nor a log-source name of ATT&CK {} {}",
                    t.value, kb.release.domain, kb.release.version
                ),
            )
            .hint = Some(hint);
        }
    }

    fn build(&mut self, file: &ModelFile, today: Date) -> Model {
        let known_platforms = self.kb.platforms();
        let systems: Vec<SystemDef> = file
            .systems
            .iter()
            .map(|s| {
                self.platforms(&s.platforms, &known_platforms);
                self.telemetry(&s.telemetry);
                SystemDef {
                    id: s.id.clone(),
                    name: s.name.value.clone(),
                    owner: s.owner.as_ref().map(|o| o.value.clone()),
                    platforms: s.platforms.iter().map(|p| p.value.clone()).collect(),
                    exposure: s.exposure.value,
                    verifies: s.verifies.iter().map(|v| v.value.clone()).collect(),
                    ai_checks: ai_checked_kinds(s),
                    telemetry: s.telemetry.clone(),
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
                stored_in: self.references(&d.stored_in, Section::System, "stored_in"),
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
                    Some(list) => (self.references(list, Section::System, "entry"), false),
                    None => (
                        systems
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.exposure == format::Exposure::Internet)
                            .map(|(i, _)| i)
                            .collect(),
                        true,
                    ),
                };
                ActorDef {
                    id: a.id.clone(),
                    name: a.name.value.clone(),
                    groups: a.groups.clone(),
                    techniques: a.techniques.clone(),
                    holds: self.references(&a.holds, Section::Data, "holds"),
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
                let from = self.reference(&f.from, Section::System, "from");
                let to = self.reference(&f.to, Section::System, "to");
                let carries = self.references(&f.carries, Section::Data, "carries");
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
                    applies_to: self.references(&c.applies_to, Section::System, "applies_to"),
                    status: c.status.value,
                }
            })
            .collect();
        let threats: Vec<ThreatDef> = file
            .threats
            .iter()
            .filter_map(|t| {
                self.attack_ref(&t.technique, Kind::Technique, "technique");
                let actor = self.reference(&t.actor, Section::Actor, "actor");
                let target = self.reference(&t.target, Section::System, "target");
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
                .map(|s| self.reference(s, Section::System, "system"));
            let actor = a
                .actor
                .as_ref()
                .map(|s| self.reference(s, Section::Actor, "actor"));
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

    /// Warnings for held data with no leak record.
    fn held_data_not_leaked(&mut self, file: &ModelFile, model: &Model) {
        for actor in &file.actors {
            for held in &actor.holds {
                if let Some(d) = model.data.iter().find(|d| d.id.value == held.value)
                    && d.leaked.is_none()
                {
                    self.push(
                        Code::HeldDataNotLeaked,
                        held.position,
                        format!(
                            "actor `{}` holds `{}`, which has no `leaked` record",
                            actor.id.value, held.value
                        ),
                    )
                    .hint = Some(
                        "add `leaked: { year: ..., source: ... }` to the data asset".to_string(),
                    );
                }
            }
        }
    }

    /// Warnings for systems and data assets nothing uses.
    fn unused_definitions(&mut self, model: &Model) {
        let entered: Vec<usize> = model
            .actors
            .iter()
            .flat_map(|a| a.entry.iter().copied())
            .collect();
        for (i, s) in model.systems.iter().enumerate() {
            if self.used.get(&s.id.value).copied().unwrap_or(0) == 0 && !entered.contains(&i) {
                self.push(
                    Code::UnusedDefinition,
                    s.id.position,
                    format!(
                        "system `{}` is connected to nothing: no flow, data, control, threat or actor refers to it",
                        s.id.value
                    ),
                )
                .hint = Some("connect it with a flow, or remove it".to_string());
            }
        }
        for d in &model.data {
            if self.used.get(&d.id.value).copied().unwrap_or(0) == 0 && d.stored_in.is_empty() {
                self.push(
                    Code::UnusedDefinition,
                    d.id.position,
                    format!(
                        "data asset `{}` is not stored, carried or held anywhere",
                        d.id.value
                    ),
                )
                .hint = Some(
                    "add `stored_in`, a flow that `carries` it, or an actor that `holds` it"
                        .to_string(),
                );
            }
        }
    }
}

/// Whether an id follows the id rule: lowercase letters and digits, single '-' between.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `a technique`, `an analytic`.
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// A valid id close to an invalid one (`Vendor_Portal` -> `vendor-portal`).
fn suggest_id(id: &str) -> String {
    let mapped: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = mapped.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "my-system".to_string()
    } else {
        parts.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_checked_against_another_release_is_a_release_mismatch() {
        let kb = crate::testing::kb();
        let text = "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"17.1\"}\n";
        let crate::model::Parsed::File(file) = crate::model::parse(text, "m.yaml") else {
            panic!("parses")
        };
        let (model, diagnostics) = validate(&file, &kb, "m.yaml", crate::testing::TODAY);
        assert!(model.is_none());
        assert_eq!(diagnostics[0].code, Code::ReleaseMismatch);
        assert_eq!(diagnostics[0].position.map(|p| p.line), Some(3));
    }

    #[test]
    fn a_salvaged_model_reports_its_references_but_not_those_to_what_was_left_out() {
        let kb = crate::testing::kb();
        let text = format!(
            "{}systems:\n  - id: portal\n    name: Portal\n    platforms: [SaaS]\n    exposure: internet\n  - id: vendor\n    nmae: Vendor\n    platforms: [SaaS]\n    exposure: partner\ncontrols:\n  - id: mfa\n    name: MFA\n    mitigations: [M1032]\n    applies_to: [portal, vendor, portl, vendr]\n    status: implemented\n",
            crate::testing::HEADER
        );
        let (_, salvaged) = crate::model::parse_and_salvage(&text, "m.yaml");
        let salvaged = salvaged.expect("salvaged");
        let found: Vec<(Code, String, Option<String>)> =
            validate_salvaged(&salvaged, &kb, "m.yaml", crate::testing::TODAY)
                .into_iter()
                .map(|d| (d.code, d.message, d.hint))
                .collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.0 == Code::UnknownReference));
        assert_eq!(found[0].2.as_deref(), Some("did you mean `portal`?"));
        // The left-out system is still what a misspelling most likely meant.
        assert_eq!(found[1].2.as_deref(), Some("did you mean `vendor`?"));
    }

    #[test]
    fn wrong_kinds_say_where_the_id_belongs() {
        let kb = crate::testing::kb();
        let text = format!(
            "{}systems:\n  - {{id: portal, name: Portal, platforms: [SaaS], exposure: internet}}\ncontrols:\n  - {{id: c, name: C, mitigations: [DET0001, T1656], detections: [M1032], applies_to: [portal], status: implemented}}\n",
            crate::testing::HEADER
        );
        let crate::model::Parsed::File(file) = crate::model::parse(&text, "m.yaml") else {
            panic!("parses")
        };
        let (_, diagnostics) = validate(&file, &kb, "m.yaml", crate::testing::TODAY);
        let hints: Vec<&str> = diagnostics
            .iter()
            .filter(|d| d.code == Code::AttackIdWrongKind)
            .filter_map(|d| d.hint.as_deref())
            .collect();
        assert_eq!(hints.len(), 3, "{diagnostics:#?}");
        assert!(hints[0].starts_with("move it to `detections`"), "{hints:?}");
        assert!(hints[1].contains("move T1656 to `counters`"), "{hints:?}");
        assert!(hints[1].contains("to `detects`"), "{hints:?}");
        assert!(
            hints[2].starts_with("move it to `mitigations`"),
            "{hints:?}"
        );
    }

    #[test]
    fn id_rule() {
        assert!(is_valid_id("ekyc-vendor-portal"));
        assert!(is_valid_id("a1"));
        assert!(!is_valid_id("Vendor"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("a_b"));
        assert_eq!(suggest_id("Vendor_Portal "), "vendor-portal");
    }
}

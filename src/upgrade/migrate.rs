//! `migrate`: rewrites a model to a newer ATT&CK release by editing its text in place.
//!
//! Only two things change: the pinned version, and IDs of objects the target release revoked
//! (replaced by the end of their revoked-by chain) or renumbered (a sub-technique that moved
//! keeps its STIX id and gets a new ATT&CK ID). Each edit replaces the characters of one scalar
//! at the position the parser reported; the rest of the file is not touched. What cannot be
//! decided mechanically is listed for a human and left as it is.

use serde::{Serialize, Serializer};

use super::fate::{Fate, Fates, Revocations};
use super::references::{Matched, Reference, Resolved, match_across, references};
use super::text::{Edit, apply, line_starts, scalar_span};
use crate::attack::release_name::same_version;
use crate::attack::view::Named;
use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::diag::Position;
use crate::model::date::Date;
use crate::model::format::ModelFile;
use crate::model::{self, Parsed};

/// What a migration needs to know.
pub struct Input<'a> {
    /// The file's text and name.
    pub text: &'a str,
    /// The file's path, as messages and the result name it.
    pub path: &'a str,
    /// The file, parsed from `text`.
    pub file: &'a ModelFile,
    /// The release the file pins, when it could be loaded: references are matched through it
    /// by STIX id. Without it they are matched by ATT&CK ID in the target.
    pub source: Option<&'a KnowledgeBase>,
    /// The release to migrate to; its domain must be the one the file pins.
    pub target: &'a KnowledgeBase,
    /// The target bundle's `revoked-by` relationships (for splits).
    pub revocations: &'a Revocations,
    /// Judges acceptances when the result is validated.
    pub today: Date,
}

/// One ID replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// 1-based line of the ID in the file.
    pub line: u32,
    /// 1-based column of the ID, in characters (its opening quote when quoted).
    pub column: u32,
    /// Where the model names it (`actors[broker].groups`, `controls[mfa].mitigations`).
    pub field: String,
    /// The kind the field takes; JSON writes its label.
    #[serde(serialize_with = "super::release_diff::kind_label")]
    pub kind: Kind,
    /// The ID as the file wrote it.
    pub from: String,
    /// The ID written in its place.
    pub to: String,
    /// The name of the object `to` names, in the target release.
    pub name: String,
    /// Why it is replaced.
    pub reason: Reason,
    /// For revoked-by chains longer than one step: every ID on the way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// Why an ID is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Replaced by what revoked it (the end of the revoked-by chain).
    Revoked,
    /// The same object under a new ID.
    Renumbered,
}

impl Reason {
    /// The name JSON and text use.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Revoked => "revoked",
            Reason::Renumbered => "renumbered",
        }
    }
}

/// What a human must decide about a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// Deprecated, and ATT&CK names no replacement.
    Deprecated,
    /// Revoked, and ATT&CK names no replacement.
    RevokedWithoutReplacement,
    /// Revoked into several objects.
    Split,
    /// Revoked into an object the field cannot hold.
    KindChanged,
    /// Replaced by an object that is itself deprecated (the ID is still replaced).
    ReplacementDeprecated,
    /// The target release does not have it.
    NotInTarget,
    /// In the target release the ID names an object of another kind.
    WrongKind,
    /// It should be replaced, but the text cannot be edited safely (a default the file does
    /// not spell out, or a value written with escapes or folded).
    NotEditable,
    /// Another error `atkmap check` finds once migrated.
    InvalidInTarget,
}

impl Problem {
    /// The name JSON and text use (`[kind-changed]`).
    pub fn label(self) -> &'static str {
        match self {
            Problem::Deprecated => "deprecated",
            Problem::RevokedWithoutReplacement => "revoked-without-replacement",
            Problem::Split => "split",
            Problem::KindChanged => "kind-changed",
            Problem::ReplacementDeprecated => "replacement-deprecated",
            Problem::NotInTarget => "not-in-target",
            Problem::WrongKind => "wrong-kind",
            Problem::NotEditable => "not-editable",
            Problem::InvalidInTarget => "invalid-in-target",
        }
    }
}

/// What a reference needing a human names: an ATT&CK object of a kind, or, for what `atkmap
/// check` finds once migrated, a platform, a telemetry entry or something else of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An ATT&CK reference of this kind.
    Object(Kind),
    /// A `platforms` entry the target release does not know.
    Platform,
    /// A `telemetry` entry (data component or log source) the target release does not
    /// know.
    Telemetry,
    /// Anything else `atkmap check` reports on the migrated file.
    Model,
}

impl Subject {
    /// The name JSON uses: the ATT&CK kind's label, else `platform`, `telemetry` or `model`.
    pub fn label(self) -> &'static str {
        match self {
            Subject::Object(kind) => kind.label(),
            Subject::Platform => "platform",
            Subject::Telemetry => "telemetry",
            Subject::Model => "model",
        }
    }
}

/// A plain string, the label: the kinds of objects and the model's own entries share one field.
impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

/// Something a human must decide; the file keeps the reference as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedsHuman {
    /// 0 when the reference is a default the file does not spell out.
    pub line: u32,
    /// Its 1-based column, in characters; 0 likewise.
    pub column: u32,
    /// Where the model names it (`actors[broker].groups`, `reuse_techniques (default)`), or
    /// `check: CODE` for an error `atkmap check` finds once migrated.
    pub field: String,
    /// What the reference names; JSON writes its label.
    pub kind: Subject,
    /// The value as the file writes it: the ATT&CK ID, or for a `check` error the scalar at
    /// its position (empty when there is none).
    pub id: String,
    /// What must be decided.
    pub problem: Problem,
    /// What is wrong and what to do, in words.
    pub message: String,
    /// The objects to choose from (a split's parts, the replacement of another kind).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Named>,
}

/// The outcome of migrating one file.
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// The model's path, as given.
    pub file: String,
    /// The ATT&CK domain the file pins.
    pub domain: String,
    /// The release version the file pinned (`17.1`).
    pub from: String,
    /// The target release's version (`18.1`), which the file pins afterwards.
    pub to: String,
    /// Whether the text changes at all.
    pub changed: bool,
    /// Every ID replaced, by position.
    pub replacements: Vec<Replacement>,
    /// What a human must decide, by position; the file keeps those references as
    /// they were.
    pub needs_human: Vec<NeedsHuman>,
    /// The migrated text (the original text when nothing changes); not in the JSON.
    #[serde(skip)]
    pub new_text: String,
}

/// Why a file cannot be migrated at all; nothing of it is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// The file pins another ATT&CK domain than the target release's.
    #[error(
        "{path} pins the ATT&CK {domain} domain, but the target release is {target_domain} {target_version}"
    )]
    OtherDomain {
        /// The model's path.
        path: String,
        /// The domain the file pins.
        domain: String,
        /// The target release's domain.
        target_domain: String,
        /// The target release's version.
        target_version: String,
    },
    /// The file pins a newer release than the target: migrate only moves forward.
    #[error("{path} pins ATT&CK {pinned}, newer than {target}: migrate only moves models forward")]
    Backwards {
        /// The model's path.
        path: String,
        /// The version the file pins.
        pinned: String,
        /// The target release's version.
        target: String,
    },
    /// The pinned version is not written where the parser says, as a plain or simply quoted
    /// value, so it cannot be rewritten.
    #[error("{path}: cannot find the pinned version `{version}` in the text to rewrite it")]
    PinNotInText {
        /// The model's path.
        path: String,
        /// The pinned version as the parser read it.
        version: String,
    },
    /// Two planned edits touch the same characters.
    #[error("{path}: the planned edits overlap; nothing was changed")]
    OverlappingEdits {
        /// The model's path.
        path: String,
    },
    /// After the edits the file pins something else than the target.
    #[error("{path}: after the edits the file pins `{pinned}`, not {target}; nothing was changed")]
    WrongPinAfterEdits {
        /// The model's path.
        path: String,
        /// What the edited file would pin.
        pinned: String,
        /// The target release's version.
        target: String,
    },
    /// The edited text would not parse.
    #[error("{path}: the edited file would not parse ({problem}); nothing was changed")]
    EditedFileBroken {
        /// The model's path.
        path: String,
        /// The first problem the parser reports on the edited text.
        problem: String,
    },
}

/// Plans and applies the migration of one parsed file to `input.target`.
pub fn migrate(input: &Input) -> Result<Migration, MigrateError> {
    let target = input.target;
    let file = input.file;
    let domain = file.attack.domain.value.name();
    if target.release.domain != domain {
        return Err(MigrateError::OtherDomain {
            path: input.path.to_string(),
            domain: domain.to_string(),
            target_domain: target.release.domain.clone(),
            target_version: target.release.version.clone(),
        });
    }
    let from = file.attack.version.value.clone();
    let to = target.release.version.clone();
    if crate::attack::release_name::compare_versions(&to, &from).is_lt() {
        return Err(MigrateError::Backwards {
            path: input.path.to_string(),
            pinned: from,
            target: to,
        });
    }
    let starts = line_starts(input.text);
    let mut edits = Vec::new();
    let mut replacements = Vec::new();
    let mut needs_human = Vec::new();

    if !same_version(&from, &to) {
        let version = &file.attack.version;
        let span = version
            .position
            .and_then(|p| scalar_span(input.text, &starts, p, &version.value))
            .ok_or_else(|| MigrateError::PinNotInText {
                path: input.path.to_string(),
                version: version.value.clone(),
            })?;
        edits.push(Edit {
            range: span.content,
            replacement: to.clone(),
        });
    }

    let fates = Fates::new(target, input.revocations);
    for reference in references(file) {
        let matched = match_across(input.source, target, &reference.id, reference.kind);
        match plan(input, &fates, &reference, matched) {
            Plan::Keep => {}
            Plan::Human(item) => needs_human.push(item),
            Plan::Replace(replacement, also) => {
                let span = reference
                    .position
                    .and_then(|p| scalar_span(input.text, &starts, p, &reference.id));
                match span {
                    Some(span) => {
                        edits.push(Edit {
                            range: span.content,
                            replacement: replacement.to.clone(),
                        });
                        replacements.push(replacement);
                        needs_human.extend(also);
                    }
                    None => needs_human.push(human(
                        &reference,
                        Problem::NotEditable,
                        match reference.position {
                            None => format!(
                                "{} is a default this file does not spell out; write `{}` with {} explicitly",
                                reference.id,
                                reference.field.trim_end_matches(" (default)"),
                                replacement.to
                            ),
                            Some(_) => format!(
                                "{} should become {} ({}), but it is not written as a plain or simply quoted value",
                                reference.id, replacement.to, replacement.name
                            ),
                        },
                        Vec::new(),
                    )),
                }
            }
        }
    }

    let new_text = apply(input.text, &edits).ok_or_else(|| MigrateError::OverlappingEdits {
        path: input.path.to_string(),
    })?;
    verify(input, &new_text, &to)?;
    let changed = new_text != input.text;
    needs_human.extend(validation_problems(input, &new_text, &needs_human));
    needs_human.sort_by(|a, b| (a.line, a.column, &a.id).cmp(&(b.line, b.column, &b.id)));
    replacements.sort_by_key(|r| (r.line, r.column));
    needs_human.dedup();
    Ok(Migration {
        file: input.path.to_string(),
        domain: domain.to_string(),
        from,
        to,
        changed,
        replacements,
        needs_human,
        new_text,
    })
}

enum Plan {
    Keep,
    Replace(Replacement, Option<NeedsHuman>),
    Human(NeedsHuman),
}

fn human(r: &Reference, problem: Problem, message: String, candidates: Vec<Named>) -> NeedsHuman {
    NeedsHuman {
        line: r.position.map_or(0, |p| p.line),
        column: r.position.map_or(0, |p| p.column),
        field: r.field.clone(),
        kind: Subject::Object(r.kind),
        id: r.id.clone(),
        problem,
        message,
        candidates,
    }
}

fn describe(kb: &KnowledgeBase, o: ObjectRef) -> String {
    let m = kb.meta(o);
    format!("{} ({}, a {})", m.attack_id, m.name, o.kind.label())
}

fn plan(input: &Input, fates: &Fates, r: &Reference, matched: Matched) -> Plan {
    let target = input.target;
    let release = format!(
        "ATT&CK {} {}",
        target.release.domain, target.release.version
    );
    let object = match matched.after {
        Resolved::Found(o) => o,
        Resolved::WrongKind(o) => {
            return Plan::Human(human(
                r,
                Problem::WrongKind,
                format!(
                    "`{}` takes {} IDs, but {} is {} in {release}",
                    r.field,
                    r.kind.label(),
                    r.id,
                    describe(target, o)
                ),
                Vec::new(),
            ));
        }
        Resolved::Missing => {
            let message = match (matched.before, input.source) {
                (Resolved::Found(o), Some(kb)) => {
                    format!("{} ({}) is not in {release}", r.id, kb.meta(o).name)
                }
                _ => format!("{} is not a {} in {release}", r.id, r.kind.label()),
            };
            return Plan::Human(human(r, Problem::NotInTarget, message, Vec::new()));
        }
    };
    let meta = target.meta(object);
    let replace = |to: ObjectRef, reason: Reason, via: Vec<String>| {
        let m = target.meta(to);
        Replacement {
            line: r.position.map_or(0, |p| p.line),
            column: r.position.map_or(0, |p| p.column),
            field: r.field.clone(),
            kind: r.kind,
            from: r.id.clone(),
            to: m.attack_id.clone(),
            name: m.name.clone(),
            reason,
            via,
        }
    };
    match fates.fate(object) {
        Fate::Active => {
            if meta.attack_id.eq_ignore_ascii_case(&r.id) || meta.attack_id.is_empty() {
                Plan::Keep
            } else {
                Plan::Replace(replace(object, Reason::Renumbered, Vec::new()), None)
            }
        }
        Fate::Deprecated => Plan::Human(human(
            r,
            Problem::Deprecated,
            format!(
                "{} ({}) is deprecated in {release} and ATT&CK names no replacement: choose a current object or remove it",
                r.id, meta.name
            ),
            Vec::new(),
        )),
        Fate::RevokedWithoutReplacement => Plan::Human(human(
            r,
            Problem::RevokedWithoutReplacement,
            format!(
                "{} ({}) is revoked in {release} and ATT&CK names no replacement: remove it",
                r.id, meta.name
            ),
            Vec::new(),
        )),
        Fate::Split { into } => Plan::Human(human(
            r,
            Problem::Split,
            format!(
                "{} ({}) was split in {release} into {}: choose which apply",
                r.id,
                meta.name,
                into.iter()
                    .map(|&o| describe(target, o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            into.iter().map(|&o| target.named_one(o)).collect(),
        )),
        Fate::Replaced { chain } => {
            let Some(&by) = chain.last() else {
                return Plan::Keep;
            };
            if by.kind != r.kind {
                return Plan::Human(human(
                    r,
                    Problem::KindChanged,
                    format!(
                        "{} ({}) is revoked in {release} by {}, which `{}` cannot hold",
                        r.id,
                        meta.name,
                        describe(target, by),
                        r.field
                    ),
                    vec![target.named_one(by)],
                ));
            }
            let via: Vec<String> = if chain.len() > 1 {
                chain[..chain.len() - 1]
                    .iter()
                    .map(|&o| target.meta(o).attack_id.clone())
                    .collect()
            } else {
                Vec::new()
            };
            let replacement = replace(by, Reason::Revoked, via);
            let also = target.meta(by).deprecated.then(|| {
                human(
                    r,
                    Problem::ReplacementDeprecated,
                    format!(
                        "{} is replaced by {} ({}), which is itself deprecated in {release}",
                        r.id, replacement.to, replacement.name
                    ),
                    Vec::new(),
                )
            });
            Plan::Replace(replacement, also)
        }
    }
}

/// Checks the new text still parses and pins the target release.
fn verify(input: &Input, new_text: &str, to: &str) -> Result<(), MigrateError> {
    match model::parse(new_text, input.path) {
        Parsed::File(file) if same_version(&file.attack.version.value, to) => Ok(()),
        Parsed::File(file) => Err(MigrateError::WrongPinAfterEdits {
            path: input.path.to_string(),
            pinned: file.attack.version.value.clone(),
            target: to.to_string(),
        }),
        Parsed::Broken(problems) => Err(MigrateError::EditedFileBroken {
            path: input.path.to_string(),
            problem: problems
                .first()
                .map_or("unknown problem", |d| d.message.as_str())
                .to_string(),
        }),
    }
}

/// Errors `atkmap check` would still report on the migrated text, other than those at the
/// positions already listed.
fn validation_problems(input: &Input, new_text: &str, listed: &[NeedsHuman]) -> Vec<NeedsHuman> {
    let Parsed::File(file) = model::parse(new_text, input.path) else {
        return Vec::new();
    };
    let (_, diagnostics) = model::check(&file, input.target, input.path, input.today);
    let at = |p: Option<Position>| p.map_or((0, 0), |p| (p.line, p.column));
    diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .filter(|d| {
            !listed
                .iter()
                .any(|h| (h.line, h.column) == at(d.position) && h.line != 0)
        })
        .map(|d| {
            let id = d
                .position
                .and_then(|p| token_at(new_text, p))
                .unwrap_or_default();
            NeedsHuman {
                line: at(d.position).0,
                column: at(d.position).1,
                field: format!("check: {}", d.code.name()),
                kind: match d.code {
                    crate::diag::Code::UnknownPlatform => Subject::Platform,
                    crate::diag::Code::UnknownTelemetry => Subject::Telemetry,
                    _ => Subject::Model,
                },
                id,
                problem: Problem::InvalidInTarget,
                message: d.message,
                candidates: Vec::new(),
            }
        })
        .collect()
}

/// The scalar starting at a position, for naming what a diagnostic points at.
fn token_at(text: &str, position: Position) -> Option<String> {
    let starts = line_starts(text);
    let at = super::text::byte_offset(text, &starts, position)?;
    let rest = text[at..].trim_start_matches(['"', '\'']);
    let token: String = rest
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ',' | ']' | '}' | '\n' | '\r' | '#'))
        .collect();
    Some(token.trim_end().to_string())
}

//! The SARIF rules: one per (origin, severity) of a finding.
//!
//! GitHub code scanning reads a result's severity from its *rule*
//! (`properties.security-severity`) and its confidence from the rule's `precision`, so a rule
//! stands for one origin of findings at one severity. The origin is how the finding came into
//! scope, the strongest way first: an explicit threat of the model, reuse of leaked data, a
//! trust-boundary flow, a technique the actor lists, a technique of its ATT&CK groups.
//!
//! Rule ids read `ATKMAP-<ORIGIN>-<SEVERITY>` (`ATKMAP-REUSE-CRITICAL`).

use serde_json::{Value, json};

use crate::analysis::findings::{Exposure, Reason, Severity};

const HELP_URI: &str =
    "https://github.com/atkmap/atkmap/blob/main/README.md#how-the-gap-engine-decides";

/// How a finding came into scope, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Threat,
    Reuse,
    Trust,
    ActorTechnique,
    GroupTechnique,
}

impl Origin {
    pub const ALL: [Origin; 5] = [
        Origin::Threat,
        Origin::Reuse,
        Origin::Trust,
        Origin::ActorTechnique,
        Origin::GroupTechnique,
    ];

    /// The strongest origin among the reasons of a finding's exposures.
    pub fn of<'a>(exposures: impl IntoIterator<Item = &'a Exposure>) -> Origin {
        exposures
            .into_iter()
            .flat_map(|e| e.reasons.iter())
            .map(|r| match r {
                Reason::Explicit { .. } => Origin::Threat,
                Reason::Reuse { .. } => Origin::Reuse,
                Reason::TrustedRelationship { .. } => Origin::Trust,
                Reason::ActorTechnique => Origin::ActorTechnique,
                Reason::GroupTechnique { .. } => Origin::GroupTechnique,
            })
            .min()
            .unwrap_or(Origin::GroupTechnique)
    }

    fn key(self) -> &'static str {
        match self {
            Origin::Threat => "THREAT",
            Origin::Reuse => "REUSE",
            Origin::Trust => "TRUST",
            Origin::ActorTechnique => "ACTOR",
            Origin::GroupTechnique => "GROUP",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Origin::Threat => "ModelledThreat",
            Origin::Reuse => "LeakedDataReuse",
            Origin::Trust => "TrustedRelationship",
            Origin::ActorTechnique => "ActorTechnique",
            Origin::GroupTechnique => "GroupTechnique",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Origin::Threat => "explicit-threat",
            Origin::Reuse => "leaked-data-reuse",
            Origin::Trust => "trusted-relationship",
            Origin::ActorTechnique => "actor-technique",
            Origin::GroupTechnique => "group-technique",
        }
    }

    /// How sure the finding is: the model says it, or ATT&CK's group profiles suggest it.
    fn precision(self) -> &'static str {
        match self {
            Origin::Threat => "very-high",
            Origin::Reuse | Origin::Trust | Origin::ActorTechnique => "high",
            Origin::GroupTechnique => "medium",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Origin::Threat => "A threat the model names is not stopped or seen at this system",
            Origin::Reuse => "Leaked identity data can be reused at this verifier",
            Origin::Trust => "A partner across a trust boundary can come in at this system",
            Origin::ActorTechnique => "A technique an actor uses reaches this system",
            Origin::GroupTechnique => "A technique of an actor's ATT&CK groups reaches this system",
        }
    }

    fn full(self) -> &'static str {
        match self {
            Origin::Threat => {
                "The threat model names this technique against this system (a `threats` \
                 entry), and no implemented control both prevents and detects it."
            }
            Origin::Reuse => {
                "An actor holds leaked data of a kind this system accepts as evidence, so it \
                 can present it here (by default Impersonation T1656 and Valid Accounts T1078) \
                 whether or not it reaches the system any other way. Leaked data cannot be \
                 recalled: the fix is at this verifier, not at the source of the leak."
            }
            Origin::Trust => {
                "A flow that crosses a trust boundary connects this system to one an actor \
                 reaches, so the actor can come in here through the relationship (by default \
                 Trusted Relationship T1199), and nothing both limits and watches it."
            }
            Origin::ActorTechnique => {
                "An actor of the model lists this technique, reaches this system (or can try \
                 to get in at it), and the system runs a platform the technique targets; no \
                 implemented control both prevents and detects it."
            }
            Origin::GroupTechnique => {
                "A technique of the ATT&CK groups an actor is linked to, on a system the actor \
                 reaches whose platforms it targets: inferred from the group's profile, so \
                 check that it applies (narrow it with the actor's `exclude`)."
            }
        }
    }
}

const FIX: &str = "\
The message lists the fixes that remove the most open risk on the system. Record what you \
implement as a control (`mitigations: [Mxxxx]`, `detections: [DETxxxx]`, or the technique \
itself under `counters` / `detects`), `applies_to: [system]`, `status: implemented`. A \
finding is covered when it is both prevented and detected. `atkmap report --assume-fix \
FIX` shows what a fix changes before it ships.\n\n\
If the risk is acceptable, add an `accepted` entry (technique, system, actor, owner, reason, \
expiry): the result is then suppressed, with the reason as its justification.";

pub const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// The position of the rule of (origin, severity) in [`all`].
pub fn index(origin: Origin, severity: Severity) -> usize {
    let o = Origin::ALL.iter().position(|x| *x == origin).unwrap_or(0);
    let s = SEVERITIES.iter().position(|x| *x == severity).unwrap_or(0);
    o * SEVERITIES.len() + s
}

/// The id of the rule of (origin, severity).
pub fn id(origin: Origin, severity: Severity) -> String {
    format!(
        "ATKMAP-{}-{}",
        origin.key(),
        severity.label().to_ascii_uppercase()
    )
}

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// The `security-severity` GitHub code scanning reads from a rule (a CVSS-like score, as a
/// string): critical above 9.0, high 7.0 to 8.9, medium 4.0 to 6.9, low below.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// Every rule, in [`index`] order.
pub fn all() -> Vec<Value> {
    Origin::ALL
        .iter()
        .flat_map(|o| SEVERITIES.iter().map(move |s| rule(*o, *s)))
        .collect()
}

fn rule(origin: Origin, severity: Severity) -> Value {
    let label = severity.label();
    let capital = format!("{}{}", label[..1].to_ascii_uppercase(), &label[1..]);
    let text = format!("{}\n\n{}", origin.full(), FIX.replace('`', ""));
    let markdown = format!(
        "**{} ({label})**: {}\n\n{}\n\nSee [how atkmap decides]({HELP_URI}).",
        origin.name(),
        origin.full(),
        FIX
    );
    json!({
        "id": id(origin, severity),
        "name": format!("{capital}{}", origin.name()),
        "shortDescription": { "text": format!("{} ({label})", origin.short()) },
        "fullDescription": { "text": origin.full().replace('`', "") },
        "helpUri": HELP_URI,
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "security-severity": security_severity(severity),
            "precision": origin.precision(),
            "problem.severity": if level(severity) == "note" { "recommendation" } else { level(severity) },
            "tags": ["security", "external/mitre-attack", "threat-model", origin.tag(), label],
        },
    })
}

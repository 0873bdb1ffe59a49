//! What the gap engine finds, as plain serialisable data with ATT&CK IDs and model ids as
//! strings. Renderers (JSON, Markdown, HTML, SARIF, Navigator) read only these types.

use serde::Serialize;

use crate::attack::view::Named;

/// How well an exposure is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Mitigated and detected.
    Covered,
    /// Only one of the two, or only by `partial` controls.
    Partial,
    /// Neither mitigated nor detected.
    Gap,
    /// An unexpired acceptance names it.
    Accepted,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Partial => "partial",
            Status::Gap => "gap",
            Status::Accepted => "accepted",
        }
    }
}

/// How bad an exposure is; ordered from `Low` to `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The weight of one exposure of this severity in fix priorities.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 8,
            Severity::High => 4,
            Severity::Medium => 2,
            Severity::Low => 1,
        }
    }

    /// One level lower (a `partial` exposure), `Low` staying `Low`.
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium | Severity::Low => Severity::Low,
        }
    }

    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];
}

/// Why an exposure is in scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// An explicit threat of the model.
    Explicit {
        #[serde(skip_serializing_if = "Option::is_none")]
        threat: Option<String>,
    },
    /// A technique the actor lists itself, on a reachable system whose platforms match.
    ActorTechnique,
    /// A technique of the actor's ATT&CK groups (directly or through their campaigns).
    GroupTechnique { groups: Vec<String> },
    /// Leaked data the actor holds, of a kind the system accepts.
    Reuse { data: String },
    /// The far end of a flow that crosses a trust boundary.
    TrustedRelationship { flow: String },
}

/// Where in a model file an exposure comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MitigationCoverage {
    /// ATT&CK's mitigations of the technique (and of its parent, for a sub-technique).
    pub relevant: Vec<Named>,
    /// Relevant mitigations an `implemented` control on the system lists.
    pub implemented: Vec<String>,
    /// Relevant mitigations only `partial` controls list.
    pub partial: Vec<String>,
    /// Relevant mitigations only `planned` controls list.
    pub planned: Vec<String>,
    /// Relevant mitigations not implemented on the system: the recommended actions.
    pub missing: Vec<Named>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DetectionCoverage {
    /// ATT&CK's detection strategies of the technique (and its parent).
    pub strategies: Vec<Named>,
    /// Strategies in place: an `implemented` control lists them, or the system's telemetry
    /// supplies every data component one of their analytics needs on its platforms.
    pub implemented: Vec<String>,
    /// Strategies only `partial` controls list.
    pub partial: Vec<String>,
    /// Strategies only `planned` controls list.
    pub planned: Vec<String>,
    /// The data components the system would need to collect to observe the technique with
    /// the cheapest analytic (empty when already detected).
    pub missing_data_components: Vec<Named>,
    /// Releases before v18: data components that detect the technique directly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_components: Vec<Named>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptanceNote {
    pub owner: String,
    pub reason: String,
    pub expires: String,
}

/// One (actor, technique, system) in scope, with its coverage and severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub model: String,
    pub actor: String,
    pub technique: String,
    pub technique_name: String,
    pub tactics: Vec<String>,
    pub system: String,
    pub status: Status,
    pub severity: Severity,
    /// impact x likelihood, before a `partial` status lowers the severity.
    pub score: u8,
    pub impact: u8,
    pub likelihood: u8,
    pub reasons: Vec<Reason>,
    pub mitigations: MitigationCoverage,
    pub detection: DetectionCoverage,
    /// Controls on the system that list a relevant mitigation or strategy, any status.
    pub controls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<AcceptanceNote>,
    pub location: SourceLocation,
    /// How it compares with a baseline report (`report --baseline`), when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
}

/// How an exposure compares with a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    New,
    Worse,
    Unchanged,
    Better,
}

impl Trend {
    /// Whether the exposure counts against `--fail-on-new`.
    pub fn is_regression(self) -> bool {
        matches!(self, Trend::New | Trend::Worse)
    }
}

impl Exposure {
    /// Whether the exposure counts against the CI gate: a gap or partial that nobody accepted.
    pub fn is_open(&self) -> bool {
        matches!(self.status, Status::Gap | Status::Partial)
    }
}

/// How far a preparation technique can be seen with the organisation's own telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Observability {
    /// Some analytic's data components are all collected somewhere in the model.
    Observable,
    /// Analytics exist, but they need data components nobody in the model collects.
    NotWithYourTelemetry,
    /// ATT&CK's analytics for it name no log source at all: not observable with your own
    /// telemetry, whatever you collect.
    NoLogSource,
}

/// A PRE technique an actor uses before touching any system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preparation {
    pub model: String,
    pub actor: String,
    pub technique: String,
    pub technique_name: String,
    pub mitigations: Vec<Named>,
    pub detection_strategies: Vec<Named>,
    pub observability: Observability,
    pub note: String,
}

/// A fix and what it would improve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    pub model: String,
    /// `mitigation` or `detection-strategy`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub system: String,
    /// Severity-weighted count of gap/partial exposures it would improve (critical 8, high 4,
    /// medium 2, low 1).
    pub score: u32,
    pub exposures: usize,
    pub techniques: Vec<String>,
}

/// One system on an attack path, and the actor's gap techniques there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub system: String,
    pub techniques: Vec<String>,
}

/// A way from an actor to sensitive data through systems with gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    pub model: String,
    pub actor: String,
    pub data: String,
    /// `entry` (the actor's entry system) or `reuse` (leaked data it holds).
    pub start: &'static str,
    /// The leaked data asset that opens the path when `start` is `reuse`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_data: Option<String>,
    pub hops: Vec<Hop>,
}

/// A reference to a deprecated (or revoked) ATT&CK object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub model: String,
    pub id: String,
    pub name: String,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<Named>,
    pub location: SourceLocation,
}

/// A change `--assume` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIfChange {
    pub model: String,
    pub actor: String,
    pub technique: String,
    pub system: String,
    pub before: StatusSeverity,
    pub after: StatusSeverity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusSeverity {
    pub status: Status,
    pub severity: Severity,
}

//! What the gap engine finds, as plain serialisable data with ATT&CK IDs and model ids as
//! strings. Renderers (JSON, Markdown, HTML, SARIF, Navigator) read only these types.

use serde::Serialize;

use crate::attack::Framework;
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
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Characters the located text spans on its line (0: unknown); for SARIF's `endColumn`.
    #[serde(skip)]
    pub width: u32,
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
    /// Strategies an `implemented` control on the system lists.
    pub implemented: Vec<String>,
    /// Strategies only `partial` controls list.
    pub partial: Vec<String>,
    /// Strategies only `planned` controls list.
    pub planned: Vec<String>,
    /// The system's telemetry already meets an analytic of a strategy: detectable with data
    /// the organisation has. Visibility is not detection and never changes the status.
    pub visible: bool,
    /// The analytics (AN IDs) the telemetry meets.
    pub visible_analytics: Vec<String>,
    /// The data components the system would need to collect to run the cheapest analytic
    /// (empty when already visible).
    pub missing_data_components: Vec<Named>,
    /// Releases before v18: data components that detect the technique directly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_components: Vec<Named>,
}

/// How strongly the model says an exposure is real; the strongest reason wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Only through a linked ATT&CK group.
    Inferred,
    /// The actor's own technique, leaked-data reuse, or the trust rule.
    Modelled,
    /// An explicit threat.
    Explicit,
}

impl Evidence {
    /// Its factor in risk: explicit 3, modelled 2, inferred 1.
    pub fn weight(self) -> u32 {
        match self {
            Evidence::Inferred => 1,
            Evidence::Modelled => 2,
            Evidence::Explicit => 3,
        }
    }
}

/// What a technique does for the attacker on that system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Anything else: discovery, execution, defense evasion, command and control, ...
    Supports,
    /// Gets the attacker in or further: initial access, lateral movement, credential access,
    /// privilege escalation, persistence, and every trust-rule exposure.
    Moves,
    /// The objective: collection, exfiltration, impact, and every reuse of stolen identity.
    Takes,
}

impl Role {
    /// Its factor in risk: takes 3, moves 2, supports 1.
    pub fn weight(self) -> u32 {
        match self {
            Role::Supports => 1,
            Role::Moves => 2,
            Role::Takes => 3,
        }
    }
}

/// A fix that would lower the open risk of an exposure, and how much on its system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// `mitigation` or `detection-strategy`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    /// The fix in `--assume-fix` syntax (`M1032@vendor-idp`).
    pub fix: String,
    /// Open risk on the system it would remove (status changes only, reach unchanged).
    pub removes_risk: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptanceNote {
    pub owner: String,
    pub reason: String,
    pub expires: String,
}

/// One (actor, technique, system) in scope, with its coverage, risk and severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub model: String,
    pub actor: String,
    pub technique: String,
    pub technique_name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    pub tactics: Vec<String>,
    pub system: String,
    pub status: Status,
    pub severity: Severity,
    /// impact x likelihood x evidence x role (1..108), halved (rounded down) when `partial`,
    /// 0 when `covered`; an accepted exposure keeps the risk of its coverage.
    pub risk: u32,
    pub impact: u8,
    pub likelihood: u8,
    pub evidence: Evidence,
    pub role: Role,
    /// Its (actor, system) is a hop of one of the actor's attack paths.
    pub on_path: bool,
    /// Nothing implemented prevents it: the attacker can take this step.
    pub walkable: bool,
    /// The system's telemetry already meets an analytic of it (see `detection`).
    pub visible: bool,
    pub reasons: Vec<Reason>,
    pub mitigations: MitigationCoverage,
    pub detection: DetectionCoverage,
    /// Controls on the system that name a relevant mitigation or strategy or the technique
    /// itself, any status.
    pub controls: Vec<String>,
    /// Implemented controls that prevent it.
    pub prevented_by: Vec<String>,
    /// Implemented controls that detect it.
    pub detected_by: Vec<String>,
    /// Up to three fixes, the most open risk removed on the system first (ties: ATT&CK ID).
    pub recommended: Vec<Recommendation>,
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

/// A fix and what it would improve on one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    pub model: String,
    /// `mitigation` or `detection-strategy`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub system: String,
    /// Open risk it would remove on the system (status changes only).
    pub removes_risk: u32,
    /// Open exposures it would improve.
    pub exposures: usize,
    pub techniques: Vec<String>,
}

/// One system on an attack path, and the techniques that take the attacker there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub system: String,
    /// The walkable techniques that make this step (empty on an explicit entry system).
    pub techniques: Vec<String>,
}

/// A way an actor could walk from a foothold to sensitive data: every step walkable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    pub model: String,
    pub actor: String,
    pub data: String,
    /// How the actor gets its foothold: `entry` (it already operates there), `initial-access`
    /// (a walkable initial-access technique on an internet system) or `reuse` (leaked data it
    /// holds, at a system that verifies its kind).
    pub start: &'static str,
    /// The leaked data asset that opens the path when `start` is `reuse`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_data: Option<String>,
    pub hops: Vec<Hop>,
    /// The walkable techniques that take the data on the last hop.
    pub takes: Vec<String>,
    /// The sum over hops of the highest risk among the exposures making each step, plus the
    /// highest risk among those taking the data.
    pub risk: u32,
}

/// Exposures grouped by (system, technique): what a person reads first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub model: String,
    pub system: String,
    pub technique: String,
    pub technique_name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    pub tactics: Vec<String>,
    /// The worst status among its exposures (gap, partial, accepted, covered).
    pub status: Status,
    /// The highest severity among its open exposures; absent when none is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The sum of the risk of its open exposures: techniques where actors converge rise.
    pub risk: u32,
    pub on_path: bool,
    pub role: Role,
    /// The strongest evidence among its exposures.
    pub evidence: Evidence,
    pub visible: bool,
    pub actors: Vec<String>,
    /// Open exposures among `actors`.
    pub open: usize,
    pub recommended: Vec<Recommendation>,
    pub location: SourceLocation,
}

impl Finding {
    pub fn is_open(&self) -> bool {
        self.open > 0
    }
}

/// One step of the fix plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub model: String,
    /// 1-based, in the order to do them.
    pub step: usize,
    /// The fix in `--assume-fix` syntax: `M1032@vendor-idp`, `DET0123@bank-app` or a control id.
    pub fix: String,
    /// `mitigation`, `detection-strategy` or `control`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    /// The systems it acts on.
    pub systems: Vec<String>,
    /// Who would do it: the owners of those systems (empty when the model names none).
    pub owners: Vec<String>,
    pub paths_before: usize,
    pub paths_after: usize,
    pub risk_before: u32,
    pub risk_after: u32,
    /// Equivalent fixes: ATT&CK objects that would change exactly the same exposures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// The findings (system, technique) whose status, risk, walkability or presence it changes.
    pub changes: Vec<FindingChange>,
}

/// How a plan step changes one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingChange {
    pub system: String,
    pub technique: String,
    /// The finding's status before, and after (absent when the finding leaves scope).
    pub before: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Status>,
    pub risk_before: u32,
    pub risk_after: u32,
    /// Some actor could take this step before, and none can after.
    pub prevented: bool,
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

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
    /// The status as reports write it, its JSON value: `covered`, `partial`, `gap` or `accepted`.
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
    /// Risk below 8.
    Low,
    /// Risk 8 to 23.
    Medium,
    /// Risk 24 to 53; or 54 or more, neither on an attack path nor explicit.
    High,
    /// Risk 54 or more, on an attack path or from an explicit threat.
    Critical,
}

impl Severity {
    /// The severity as reports and `--fail-on` write it, its JSON value: `low`, `medium`,
    /// `high` or `critical`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Every severity, highest first: the order reports list them in.
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
        /// The threat's `id` in the model; absent when the threat has none.
        #[serde(skip_serializing_if = "Option::is_none")]
        threat: Option<String>,
    },
    /// A technique the actor lists itself, on a reachable system whose platforms match.
    ActorTechnique,
    /// A technique of the actor's ATT&CK groups (directly or through their campaigns).
    GroupTechnique {
        /// The IDs of the actor's ATT&CK groups (G1015) that use the technique.
        groups: Vec<String>,
    },
    /// Leaked data the actor holds, of a kind the system accepts.
    Reuse {
        /// The id of the leaked data asset the actor holds.
        data: String,
    },
    /// The far end of a flow that crosses a trust boundary.
    TrustedRelationship {
        /// The flow's id, or `from->to` when it has none.
        flow: String,
    },
}

/// Where in a model file an exposure comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    /// The model file, as given on the command line.
    pub file: String,
    /// 1-based line; 1 when the position is unknown.
    pub line: u32,
    /// 1-based column; 1 when the position is unknown.
    pub column: u32,
    /// Characters the located text spans on its line (0: unknown); for SARIF's `endColumn`.
    #[serde(skip)]
    pub width: u32,
}

/// Which of a technique's mitigations (ATT&CK's, or ATLAS's) are in place on a system: an
/// exposure's `mitigations`.
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

/// Which of a technique's detection strategies are in place on a system, and what its
/// telemetry could already see (an exposure's `detection`).
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
    /// `mitigation`, `detection-strategy`, or `control` (one of the model's controls:
    /// implementing it fully is the fix, and its id is both `id` and `fix`).
    pub kind: &'static str,
    /// The mitigation's or strategy's ID (M1032, DET0123), or the model control's id.
    pub id: String,
    /// Its name in ATT&CK, or the control's name.
    pub name: String,
    /// The fix in `--assume-fix` syntax (`M1032@vendor-idp`).
    pub fix: String,
    /// Open risk on the system it would remove (status changes only, reach unchanged).
    pub removes_risk: u32,
}

/// The accepted risk that makes an exposure `accepted` (its `acceptance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptanceNote {
    /// Who accepted it.
    pub owner: String,
    /// Why, with the compensating measures, as the model words it.
    pub reason: String,
    /// The last day it holds, `YYYY-MM-DD`; after it the exposure counts again.
    pub expires: String,
}

/// One (actor, technique, system) in scope, with its coverage, risk and severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The actor's id in the model.
    pub actor: String,
    /// The technique's ID: ATT&CK (T1078.004), F3 (F1031) or ATLAS (AML.T0015).
    pub technique: String,
    /// The technique's name in its knowledge base.
    pub technique_name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    /// The technique's tactics, by shortname in its framework (`initial-access`).
    pub tactics: Vec<String>,
    /// The system's id in the model.
    pub system: String,
    /// `gap`, `partial` or `covered` from the system's controls; `accepted` when an unexpired
    /// acceptance names it, whatever its coverage.
    pub status: Status,
    /// The band of `risk`: critical at 54 or more on an attack path or explicit (else high),
    /// high at 24, medium at 8, low below. Always present, also when the exposure is not open
    /// (the CI gate looks only at open ones).
    pub severity: Severity,
    /// impact x likelihood x evidence x role (1..108), halved (rounded down) when `partial`,
    /// 0 when `covered`; an accepted exposure keeps the risk of its coverage.
    pub risk: u32,
    /// The highest sensitivity of data the system stores or passes on: restricted 4,
    /// confidential 3, internal 2, public or none 1.
    pub impact: u8,
    /// How exposed the system is: internet 3, partner 2, internal 1.
    pub likelihood: u8,
    /// How strongly the model says it is real: the strongest of its reasons.
    pub evidence: Evidence,
    /// What the technique does for the attacker on this system.
    pub role: Role,
    /// Its (actor, system) is a hop of one of the actor's attack paths.
    pub on_path: bool,
    /// Nothing implemented prevents it: the attacker can take this step.
    pub walkable: bool,
    /// The system's telemetry already meets an analytic of it (see `detection`).
    pub visible: bool,
    /// Every reason it is in scope, sorted; each an object tagged by `kind`.
    pub reasons: Vec<Reason>,
    /// The technique's mitigations, and which of them are in place on the system.
    pub mitigations: MitigationCoverage,
    /// The technique's detection strategies, which of them are in place, and what the system's
    /// telemetry could already see.
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
    /// The acceptance that names it; present exactly when `status` is `accepted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<AcceptanceNote>,
    /// The model line of its most specific reason: an explicit threat first, the actor's
    /// `groups` entry last.
    pub location: SourceLocation,
    /// How it compares with a baseline report (`report --baseline`), when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
}

/// How an exposure compares with a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// No baseline exposure has its (actor, technique, system).
    New,
    /// More open than in the baseline (covered or accepted, then partial, then gap), or as open
    /// with a higher severity.
    Worse,
    /// As open as in the baseline, and with the same severity if open.
    Unchanged,
    /// Less open than in the baseline, or as open with a lower severity.
    Better,
}

impl Trend {
    /// Whether the exposure counts against `--fail-on-new`.
    pub fn is_regression(self) -> bool {
        matches!(self, Trend::New | Trend::Worse)
    }
}

/// The share of assessed exposures (all but accepted ones) that are covered, in percent with
/// one decimal; 100 when none is assessed.
pub fn coverage_percent(exposures: &[Exposure]) -> f64 {
    let assessed = exposures
        .iter()
        .filter(|e| e.status != Status::Accepted)
        .count();
    let covered = exposures
        .iter()
        .filter(|e| e.status == Status::Covered)
        .count();
    if assessed == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / assessed as f64).round() / 10.0
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
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The actor's id in the model.
    pub actor: String,
    /// The technique's ID: one that targets no system (ATT&CK's PRE platform only; F3's and
    /// ATLAS's reconnaissance and resource development only).
    pub technique: String,
    /// The technique's name in its knowledge base.
    pub technique_name: String,
    /// The technique's mitigations (and its parent's, in the same framework).
    pub mitigations: Vec<Named>,
    /// The technique's detection strategies (and its parent's).
    pub detection_strategies: Vec<Named>,
    /// Whether the organisation could see it with what its systems collect: `observable`,
    /// `not-with-your-telemetry` or `no-log-source`.
    pub observability: Observability,
    /// The same in one sentence for people, with what to rely on instead.
    pub note: String,
}

/// A fix and what it would improve on one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// `mitigation` or `detection-strategy`.
    pub kind: &'static str,
    /// The mitigation's or detection strategy's ID (M1032, DET0123).
    pub id: String,
    /// Its name in ATT&CK.
    pub name: String,
    /// The id of the system it is missing on.
    pub system: String,
    /// Open risk it would remove on the system (status changes only).
    pub removes_risk: u32,
    /// Open exposures it would improve.
    pub exposures: usize,
    /// The IDs of the techniques of those exposures, sorted.
    pub techniques: Vec<String>,
}

/// One system on an attack path, and the techniques that take the attacker there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The system's id in the model.
    pub system: String,
    /// The walkable techniques that make this step (empty on an explicit entry system).
    pub techniques: Vec<String>,
}

/// A way an actor could walk from a foothold to sensitive data: every step walkable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The actor's id in the model.
    pub actor: String,
    /// The id of the data asset it ends at: confidential or restricted, stored or carried by
    /// the last hop's system, and not itself leaked.
    pub data: String,
    /// How the actor gets its foothold: `entry` (it already operates there), `initial-access`
    /// (a walkable initial-access technique on an internet system) or `reuse` (leaked data it
    /// holds, at a system that verifies its kind).
    pub start: &'static str,
    /// The leaked data asset that opens the path when `start` is `reuse`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_data: Option<String>,
    /// The systems in walking order: the foothold first, the system with the data last.
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
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The system's id in the model.
    pub system: String,
    /// The technique's ID: ATT&CK, F3 or ATLAS.
    pub technique: String,
    /// The technique's name in its knowledge base.
    pub technique_name: String,
    /// The knowledge base the technique comes from; absent for ATT&CK.
    #[serde(skip_serializing_if = "Framework::is_attack")]
    pub framework: Framework,
    /// The technique's tactics, by shortname in its framework.
    pub tactics: Vec<String>,
    /// The worst status among its exposures (gap, partial, accepted, covered).
    pub status: Status,
    /// The highest severity among its open exposures; absent when none is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The sum of the risk of its open exposures: techniques where actors converge rise.
    pub risk: u32,
    /// Some exposure of it lies on an attack path.
    pub on_path: bool,
    /// The highest role among its exposures.
    pub role: Role,
    /// The strongest evidence among its exposures.
    pub evidence: Evidence,
    /// The system's telemetry already meets an analytic of the technique (not detection).
    pub visible: bool,
    /// The ids of every actor exposed, open or not, sorted.
    pub actors: Vec<String>,
    /// Open exposures among `actors`.
    pub open: usize,
    /// Up to three fixes for the technique on the system, the same as its exposures'.
    pub recommended: Vec<Recommendation>,
    /// The location of its exposure with the strongest evidence (ties: the earliest line).
    pub location: SourceLocation,
}

impl Finding {
    /// Whether any of its exposures is open (gap or partial, not accepted).
    pub fn is_open(&self) -> bool {
        self.open > 0
    }
}

/// One step of the fix plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// 1-based, in the order to do them.
    pub step: usize,
    /// The fix in `--assume-fix` syntax: `M1032@vendor-idp`, `DET0123@bank-app` or a control id.
    pub fix: String,
    /// `mitigation`, `detection-strategy` or `control`.
    pub kind: &'static str,
    /// The mitigation's or strategy's ATT&CK ID, or the control's id.
    pub id: String,
    /// Its name in ATT&CK, or the control's name.
    pub name: String,
    /// The systems it acts on.
    pub systems: Vec<String>,
    /// Who would do it: the owners of those systems (empty when the model names none).
    pub owners: Vec<String>,
    /// Attack paths in the model with the steps before this one in place.
    pub paths_before: usize,
    /// Attack paths left with this step in place too.
    pub paths_after: usize,
    /// The model's open risk with the steps before this one in place.
    pub risk_before: u32,
    /// The open risk left with this step in place too.
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
    /// The system's id in the model.
    pub system: String,
    /// The technique's ID.
    pub technique: String,
    /// The finding's status before, and after (absent when the finding leaves scope).
    pub before: Status,
    /// The finding's status after the step; absent when it leaves scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Status>,
    /// The finding's open risk before the step.
    pub risk_before: u32,
    /// Its open risk after (0 when it leaves scope).
    pub risk_after: u32,
    /// Some actor could take this step before, and none can after.
    pub prevented: bool,
}

/// A reference to a deprecated (or revoked) ATT&CK object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The referenced object's ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `deprecated` or `revoked`.
    pub state: &'static str,
    /// For a revoked object, the object at the end of its revoked-by chain; absent when
    /// there is none (a deprecated object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<Named>,
    /// Where the model refers to it.
    pub location: SourceLocation,
}

/// A change `--assume` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIfChange {
    /// The model file, as given on the command line (as `models[].file` names it).
    pub model: String,
    /// The actor's id in the model.
    pub actor: String,
    /// The technique's ID.
    pub technique: String,
    /// The system's id in the model.
    pub system: String,
    /// Its status and severity without the assumptions.
    pub before: StatusSeverity,
    /// Its status and severity with them.
    pub after: StatusSeverity,
}

/// An exposure's status and severity, as `what_if` compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusSeverity {
    /// The exposure's status.
    pub status: Status,
    /// The exposure's severity.
    pub severity: Severity,
}

//! Format v1 of the threat model, exactly as a user writes it in YAML.
//!
//! These types are the single source of truth for the file format: the parser reads them, the
//! JSON Schema (`atkmap schema`) is generated from them, and the structural checker validates
//! a file against that schema before they are read. Doc comments become the schema's
//! descriptions, which editors show on hover. References are plain ids here; `validate` checks
//! them and builds the resolved [`super::Model`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::located::{Located, ScalarWidth};

/// The format versions this atkmap reads.
pub const KNOWN_FORMAT_VERSIONS: [u64; 1] = [1];

/// The pattern every model id follows.
pub const ID_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// An atkmap threat model: an identity-verification supply chain described for ATT&CK.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "atkmap threat model (format v1)")]
pub struct ModelFile {
    /// Format version of this file. Only `1` exists.
    pub atkmap: Located<u64>,
    /// Name of the supply chain this model describes.
    pub name: Located<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The ATT&CK release the model is written against.
    pub attack: AttackPin,
    /// Techniques that leaked identity data enables on every system accepting its kind.
    /// Default: [T1656, T1078] (Impersonation, Valid Accounts).
    #[serde(default)]
    pub reuse_techniques: Option<Vec<Located<String>>>,
    /// Techniques an actor gets on the far end of a flow that crosses a trust boundary.
    /// Default: [T1199] (Trusted Relationship).
    #[serde(default)]
    pub trust_techniques: Option<Vec<Located<String>>>,
    /// Adversaries: who attacks, with what, from where.
    #[serde(default)]
    pub actors: Vec<Actor>,
    /// The systems of the supply chain.
    #[serde(default)]
    pub systems: Vec<System>,
    /// Data assets: identity evidence and personal data, stored, flowing or leaked.
    #[serde(default)]
    pub data: Vec<DataAsset>,
    /// Data flows between systems.
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// Security controls and the ATT&CK mitigations and detection strategies they implement.
    #[serde(default)]
    pub controls: Vec<Control>,
    /// Explicit threat scenarios, in addition to what atkmap derives.
    #[serde(default)]
    pub threats: Vec<Threat>,
    /// Accepted risks: exposures the organisation has decided to live with, until a date.
    #[serde(default)]
    pub accepted: Vec<Acceptance>,
}

/// The ATT&CK release a model pins.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttackPin {
    /// ATT&CK domain.
    pub domain: Located<Domain>,
    /// Release version, quoted: "18.1".
    pub version: Located<String>,
    /// Companion knowledge bases evaluated with ATT&CK: `f3` (MITRE Fight Fraud Framework),
    /// `atlas` (MITRE ATLAS), optionally with a version (`atlas@5.6.0`).
    #[serde(default)]
    #[schemars(inner(pattern("^(f3|atlas|F3|ATLAS)(@[0-9]+(\\.[0-9]+)*)?$")))]
    pub frameworks: Vec<Located<String>>,
}

/// An ATT&CK domain, as `attack.domain` names it: `enterprise` (Windows, Linux, macOS,
/// cloud, SaaS, identity providers...), `mobile` (Android and iOS) or `ics` (industrial control
/// systems).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(
    missing_docs,
    reason = "the enum's doc names each value; variant docs would turn the schema's enum into a oneOf, which loses check's did-you-mean"
)]
pub enum Domain {
    Enterprise,
    Mobile,
    Ics,
}

impl Domain {
    /// The domain's name as models, release files and reports write it (`enterprise`).
    pub fn name(self) -> &'static str {
        match self {
            Domain::Enterprise => "enterprise",
            Domain::Mobile => "mobile",
            Domain::Ics => "ics",
        }
    }
}

/// An adversary.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Unique id: lowercase letters, digits and '-'.
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Located<String>,
    /// Display name.
    pub name: Located<String>,
    /// Free text: who this is and why it is modelled.
    #[serde(default)]
    pub description: Option<String>,
    /// ATT&CK groups (G1015) whose known techniques this actor brings.
    #[serde(default)]
    pub groups: Vec<Located<String>>,
    /// Further ATT&CK techniques (T1597.002) this actor uses.
    #[serde(default)]
    pub techniques: Vec<Located<String>>,
    /// Leaked data assets in this actor's hands.
    #[serde(default)]
    pub holds: Vec<Located<String>>,
    /// Systems the actor already operates on (an insider's desk, a phone line into a call
    /// centre). Default: every system with exposure `internet`, where the actor still has to get
    /// in through an initial-access technique that no implemented control prevents.
    #[serde(default)]
    pub entry: Option<Vec<Located<String>>>,
    /// What this actor does not bring from its own and its groups' techniques: technique IDs
    /// (T1059; an ID also removes its sub-techniques) and tactic shortnames (discovery: a
    /// technique goes when all its tactics are excluded). Explicit threats are never excluded.
    #[serde(default)]
    pub exclude: Vec<Located<String>>,
}

/// A system of the supply chain.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Unique id: lowercase letters, digits and '-'.
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Located<String>,
    /// Display name.
    pub name: Located<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Who runs it; systems with the same owner form one trust domain in diagrams.
    #[serde(default)]
    pub owner: Option<Located<String>>,
    /// ATT&CK platform names (Windows, Linux, SaaS, IaaS, Identity Provider, ...).
    pub platforms: Vec<Located<String>>,
    /// Where it can be reached from.
    pub exposure: Located<Reachability>,
    /// Kinds of identity evidence this system accepts (matched against data `kind`).
    #[serde(default)]
    pub verifies: Vec<Located<String>>,
    /// Kinds of evidence this system judges with an AI model (liveness on `selfie`, document
    /// authenticity on `id-card-image`). A system that verifies `selfie` checks it with AI
    /// without saying so. With MITRE ATLAS loaded, such a system is exposed to deepfakes
    /// (AML.T0088, AML.T0015) from actors holding leaked images of a person.
    #[serde(default)]
    pub ai_checks: Vec<Located<String>>,
    /// Data component IDs (DC0067) or ATT&CK log-source names (WinEventLog:Security) collected.
    #[serde(default)]
    pub telemetry: Vec<Located<String>>,
}

/// Who can open a connection to a system (`systems[].exposure`), from least to
/// most exposed: `internal` (only the owner's own systems; likelihood 1), `partner` (named third
/// parties; 2) or `internet` (anyone; 3, and the actors' default `entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(
    missing_docs,
    reason = "the enum's doc names each value; variant docs would turn the schema's enum into a oneOf, which loses check's did-you-mean"
)]
pub enum Reachability {
    Internal,
    Partner,
    Internet,
}

/// A data asset.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    /// Unique id: lowercase letters, digits and '-'.
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Located<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<Located<String>>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Free-form kind (id-card-image, selfie), matched against systems' `verifies`.
    pub kind: Located<String>,
    /// Default: internal.
    #[serde(default)]
    pub sensitivity: Option<Located<Sensitivity>>,
    /// Number of records.
    #[serde(default)]
    pub records: Option<Located<u64>>,
    /// Systems that store this data.
    #[serde(default)]
    pub stored_in: Vec<Located<String>>,
    /// When and how the data leaked; leaked data in an actor's `holds` enables reuse.
    #[serde(default)]
    pub leaked: Option<Leak>,
}

/// How sensitive a data asset is (`data[].sensitivity`, default `internal`),
/// ordered `public < internal < confidential < restricted`. It sets the impact of exposures
/// where the data rests or flows (1 to 4); attack paths end at `confidential` or `restricted`
/// data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(
    missing_docs,
    reason = "the enum's doc names each value; variant docs would turn the schema's enum into a oneOf, which loses check's did-you-mean"
)]
pub enum Sensitivity {
    Public,
    Internal,
    Confidential,
    Restricted,
}

/// A leak of a data asset.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Leak {
    /// Year of the breach (2017).
    pub year: Located<u64>,
    /// Where it came from or how it still circulates; reports quote it.
    #[serde(default)]
    pub source: Option<String>,
}

/// A flow of data between two systems.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Optional unique id.
    #[serde(default)]
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Option<Located<String>>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The system that initiates the flow (a system id).
    pub from: Located<String>,
    /// The system that receives it (a system id).
    pub to: Located<String>,
    /// Data assets this flow carries.
    #[serde(default)]
    pub carries: Vec<Located<String>>,
    /// Whether the flow leaves one organisation's trust for another's.
    #[serde(default)]
    pub crosses_trust_boundary: Option<Located<bool>>,
}

/// A security control.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Unique id: lowercase letters, digits and '-'.
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Located<String>,
    /// Display name.
    pub name: Located<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// ATT&CK mitigations (M1032) this control implements.
    #[serde(default)]
    pub mitigations: Vec<Located<String>>,
    /// ATT&CK detection strategies (DET0103) this control implements.
    #[serde(default)]
    pub detections: Vec<Located<String>>,
    /// Techniques (T1656) this control prevents directly on its systems, in the defender's own
    /// terms (liveness detection counters Impersonation); a parent covers its sub-techniques.
    #[serde(default)]
    pub counters: Vec<Located<String>>,
    /// Techniques (T1656) this control detects directly on its systems; a parent covers its
    /// sub-techniques.
    #[serde(default)]
    pub detects: Vec<Located<String>>,
    /// Systems the control is in place on.
    pub applies_to: Vec<Located<String>>,
    /// implemented (mitigates and prevents, or detects), partial (partly covers, prevents
    /// nothing) or planned (counts for nothing, shown next to the gap).
    pub status: Located<ControlStatus>,
}

/// How far a control is in place (`controls[].status`): `implemented`
/// counts fully (it mitigates, and so prevents, or detects), `partial` makes an exposure partially
/// covered and prevents nothing, `planned` counts for nothing but is shown next to the gap.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[allow(
    missing_docs,
    reason = "the enum's doc names each value; variant docs would turn the schema's enum into a oneOf, which loses check's did-you-mean"
)]
pub enum ControlStatus {
    Planned,
    Partial,
    Implemented,
}

/// An explicit threat scenario.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Optional unique id.
    #[serde(default)]
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Option<Located<String>>,
    /// The scenario in words.
    #[serde(default)]
    pub description: Option<String>,
    /// Who (an actor id).
    pub actor: Located<String>,
    /// ATT&CK technique (T1199).
    pub technique: Located<String>,
    /// The system attacked.
    pub target: Located<String>,
}

/// An accepted risk.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// ATT&CK technique accepted.
    pub technique: Located<String>,
    /// The system it is accepted on; omitted means every system.
    #[serde(default)]
    pub system: Option<Located<String>>,
    /// Only for this actor; omitted means every actor.
    #[serde(default)]
    pub actor: Option<Located<String>>,
    /// Why the risk is accepted, with the compensating measures.
    pub reason: Located<String>,
    /// Who accepted it.
    pub owner: Located<String>,
    /// Expiry date, YYYY-MM-DD; after it the exposure counts again.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Located<String>,
}

impl ScalarWidth for Domain {}
impl ScalarWidth for Reachability {}
impl ScalarWidth for Sensitivity {}
impl ScalarWidth for ControlStatus {}

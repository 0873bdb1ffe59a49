//! The validated threat model: every reference resolved to an index, every ATT&CK ID known to
//! exist in the pinned release. The analysis works only on this.

use super::date::Date;
use super::format::{ControlStatus, Reachability, Sensitivity};
use super::located::Located;
use crate::diag::Position;

/// Declares an index newtype, and lets it index the `Vec`s and slices of per-entry tables.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl $name {
            /// The id of the entry at this position.
            pub const fn new(index: usize) -> Self {
                Self(index)
            }

            /// The entry's position.
            pub const fn index(self) -> usize {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<T> std::ops::Index<$name> for [T] {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for [T] {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }

        impl<T> std::ops::Index<$name> for Vec<T> {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for Vec<T> {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }
    };
}

index_type!(
    /// Index of a system in [`Model::systems`].
    SystemId
);
index_type!(
    /// Index of a data asset in [`Model::data`].
    DataId
);
index_type!(
    /// Index of an actor in [`Model::actors`].
    ActorId
);

/// A validated threat model: every reference resolved to an index, every ATT&CK ID
/// known to be in the pinned release, defaults filled in. What the analysis works on.
#[derive(Debug, Clone)]
pub struct Model {
    /// The file the model was read from, as given on the command line.
    pub file: String,
    /// The model's `name`: the report's title.
    pub name: String,
    /// The model's `description`; `None` when it has none.
    pub description: Option<String>,
    /// The pinned ATT&CK domain (`attack.domain`): `enterprise`, `mobile` or `ics`.
    pub domain: String,
    /// The pinned ATT&CK release (`attack.version`), as written (`18.1`).
    pub version: String,
    /// The companions (F3, ATLAS) the model pins and that are loaded.
    pub frameworks: Vec<crate::attack::Framework>,
    /// Techniques that leaked evidence enables on every system verifying its
    /// kind: the model's `reuse_techniques`, else T1656 and T1078 (without a position).
    pub reuse_techniques: Vec<Located<String>>,
    /// Added to `reuse_techniques` for leaked identity evidence other than credentials (F3's
    /// F1031 when F3 is loaded and the model keeps the default reuse techniques).
    pub identity_reuse_techniques: Vec<Located<String>>,
    /// Added to `reuse_techniques` for leaked credentials (F3's F1006.002, likewise).
    pub credential_reuse_techniques: Vec<Located<String>>,
    /// What leaked images of a person enable on a system that judges evidence with AI (ATLAS's
    /// AML.T0088 Generate Deepfakes and AML.T0015 Evade AI Model when ATLAS is loaded).
    pub ai_reuse_techniques: Vec<Located<String>>,
    /// Techniques derived at the ends of flows that cross a trust boundary: the
    /// model's `trust_techniques`, else T1199 (without a position).
    pub trust_techniques: Vec<Located<String>>,
    /// The actors, in file order; an `ActorId` indexes them.
    pub actors: Vec<ActorDef>,
    /// The systems, in file order; a `SystemId` indexes them.
    pub systems: Vec<SystemDef>,
    /// The data assets, in file order; a `DataId` indexes them.
    pub data: Vec<DataDef>,
    /// The flows, in file order.
    pub flows: Vec<FlowDef>,
    /// The controls, in file order.
    pub controls: Vec<ControlDef>,
    /// The explicit threats, in file order.
    pub threats: Vec<ThreatDef>,
    /// The acceptances, in file order, expired ones included (those match no exposure).
    pub accepted: Vec<AcceptanceDef>,
}

impl Model {
    /// The ids of every system, in file order.
    pub fn system_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = SystemId> + ExactSizeIterator + use<> {
        (0..self.systems.len()).map(SystemId)
    }

    /// The ids of every data asset, in file order.
    pub fn data_ids(&self) -> impl DoubleEndedIterator<Item = DataId> + ExactSizeIterator + use<> {
        (0..self.data.len()).map(DataId)
    }

    /// The ids of every actor, in file order.
    pub fn actor_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = ActorId> + ExactSizeIterator + use<> {
        (0..self.actors.len()).map(ActorId)
    }
}

#[derive(Debug, Clone)]
pub struct ActorDef {
    pub id: Located<String>,
    pub name: String,
    pub groups: Vec<Located<String>>,
    pub techniques: Vec<Located<String>>,
    pub holds: Vec<DataId>,
    /// Explicit entry systems, or every internet-exposed system when the model gives none.
    pub entry: Vec<SystemId>,
    pub entry_is_default: bool,
    /// Technique IDs and tactic shortnames the actor does not bring.
    pub exclude: Vec<Located<String>>,
}

#[derive(Debug, Clone)]
pub struct SystemDef {
    pub id: Located<String>,
    pub name: String,
    pub owner: Option<String>,
    pub platforms: Vec<String>,
    pub exposure: Reachability,
    pub verifies: Vec<String>,
    /// Kinds judged with an AI model: `ai_checks`, and `selfie` when verified.
    pub ai_checks: Vec<String>,
    pub telemetry: Vec<Located<String>>,
    /// The `telemetry` entries as validation resolved them against the release, in order.
    pub collects: Vec<Telemetry>,
}

/// One entry of a system's `telemetry`, decided once, by validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Telemetry {
    /// A data component named by its ID (its index among the knowledge base's data components).
    Component(u32),
    /// A log-source name as written (`AWS:CloudTrail`), standing for every data component
    /// with a log source of that name.
    LogSource(String),
}

/// The words of a data kind (`national-id-image` -> national, id, image), lower-cased.
fn kind_words(kind: &str) -> impl Iterator<Item = String> + '_ {
    kind.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
}

/// Whether a data kind is an image of a person, what a deepfake is made from: one of its words
/// is image(s), photo(s), selfie(s), face(s), portrait(s), video(s), biometric(s) or liveness.
pub fn is_person_image(kind: &str) -> bool {
    const WORDS: [&str; 8] = [
        "image",
        "photo",
        "selfie",
        "face",
        "portrait",
        "video",
        "biometric",
        "liveness",
    ];
    kind_words(kind).any(|w| WORDS.iter().any(|k| w == *k || w == format!("{k}s")))
}

/// Whether a data kind is login credentials: one of its words is credential(s), password(s)
/// or login(s).
pub fn is_credential(kind: &str) -> bool {
    const WORDS: [&str; 3] = ["credential", "password", "login"];
    kind_words(kind).any(|w| WORDS.iter().any(|k| w == *k || w == format!("{k}s")))
}

#[derive(Debug, Clone)]
pub struct DataDef {
    pub id: Located<String>,
    pub name: Option<String>,
    pub kind: String,
    pub sensitivity: Sensitivity,
    pub records: Option<u64>,
    pub stored_in: Vec<SystemId>,
    pub leaked: Option<LeakDef>,
}

#[derive(Debug, Clone)]
pub struct LeakDef {
    pub year: u64,
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FlowDef {
    /// The flow's own id, or `from->to` when it has none.
    pub label: String,
    pub position: Option<Position>,
    pub from: SystemId,
    pub to: SystemId,
    pub carries: Vec<DataId>,
    pub crosses_trust_boundary: bool,
}

#[derive(Debug, Clone)]
pub struct ControlDef {
    pub id: Located<String>,
    pub name: String,
    pub mitigations: Vec<Located<String>>,
    pub detections: Vec<Located<String>>,
    /// Techniques the control prevents directly.
    pub counters: Vec<Located<String>>,
    /// Techniques the control detects directly.
    pub detects: Vec<Located<String>>,
    pub applies_to: Vec<SystemId>,
    pub status: ControlStatus,
}

#[derive(Debug, Clone)]
pub struct ThreatDef {
    pub id: Option<String>,
    pub position: Option<Position>,
    pub actor: ActorId,
    pub technique: Located<String>,
    pub target: SystemId,
}

#[derive(Debug, Clone)]
pub struct AcceptanceDef {
    pub position: Option<Position>,
    pub technique: String,
    pub system: Option<SystemId>,
    pub actor: Option<ActorId>,
    pub reason: String,
    pub owner: String,
    pub expires: Date,
}

impl Model {
    /// The index of the system with this id, if the model has one.
    pub fn system_index(&self, id: &str) -> Option<SystemId> {
        self.systems
            .iter()
            .position(|s| s.id.value == id)
            .map(SystemId)
    }

    /// The index of the data asset with this id, if the model has one.
    pub fn data_index(&self, id: &str) -> Option<DataId> {
        self.data.iter().position(|d| d.id.value == id).map(DataId)
    }

    /// The index of the actor with this id, if the model has one.
    pub fn actor_index(&self, id: &str) -> Option<ActorId> {
        self.actors
            .iter()
            .position(|a| a.id.value == id)
            .map(ActorId)
    }
}

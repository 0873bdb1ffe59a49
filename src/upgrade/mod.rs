//! Moving between ATT&CK releases: what changed ([`release_diff`], [`model_diff`]) and
//! rewriting a model to a newer release ([`migrate`](mod@migrate)).
//!
//! Objects are matched across releases by STIX id, never by ATT&CK ID. Revoked objects are
//! followed along their revoked-by chain ([`fate`]), reading the bundle's relationships to see
//! splits the knowledge base folds away. Migration edits the model's text at the positions the
//! parser reports ([`text`]); it never re-serialises YAML.

pub(crate) mod exposure_diff;
pub(crate) mod fate;
pub(crate) mod lenient;
pub mod migrate;
pub mod model_diff;
pub(crate) mod references;
pub mod release_diff;
pub mod render;
pub mod text;

use serde::Serialize;

pub use fate::Revocations;
pub use migrate::{Migration, migrate};
pub use model_diff::{ModelDiff, Releases};
pub use release_diff::ReleaseDiff;

/// Everything `atkmap diff` reports: the release-wide diff (with every changed object listed
/// when no model is given, else only the counts) and one diff per model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffDocument {
    /// The ATT&CK domain both releases are of (`enterprise`).
    pub domain: String,
    /// The earlier release's version (`17.1`).
    pub from: String,
    /// The later release's version (`18.1`).
    pub to: String,
    /// What changed in the release as a whole.
    pub release: ReleaseDiff,
    /// One diff per model given, in the order given; empty without models.
    pub models: Vec<ModelDiff>,
}

#[cfg(test)]
mod fate_tests;
#[cfg(test)]
mod tests;

//! The semantic check: ids, references, and every ATT&CK ID against the pinned release.
//!
//! Validation never stops at the first problem: each check pushes diagnostics and goes on with
//! what it can resolve. A [`Model`](super::Model) comes out only when no error was found.
//!
//! The checks share one `Validator` (`validator`) and are grouped by what they check: the
//! model's own ids and references (`references`), the ATT&CK IDs and the release pin
//! (`attack_ids`), the other names taken from the release, such as platforms and telemetry
//! (`release_names`), and the walk that runs them over the file and builds the model
//! (`assemble`). This file only declares them and re-exports the public items.

mod assemble;
mod attack_ids;
mod references;
mod release_names;
mod validator;

pub use assemble::{
    DEFAULT_REUSE_TECHNIQUES, DEFAULT_TRUST_TECHNIQUES, validate, validate_salvaged,
};

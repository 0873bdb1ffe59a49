//! The YAML threat model: format v1, its structural and semantic checks, and the validated
//! model the analysis works on.

pub mod format;
pub mod located;
pub mod yaml;

//! The YAML threat model: format v1, its structural and semantic checks, and the validated
//! model the analysis works on.
//!
//! Reading a model goes: text -> positioned tree ([`yaml`]) -> structural check against the
//! schema ([`structure`]) -> typed file ([`format`]) -> semantic check against the ATT&CK
//! release ([`validate`]) -> [`Model`]. Each step reports every problem it finds.

pub mod date;
pub mod format;
pub mod located;
pub mod resolved;
pub mod schema;
pub mod structure;
pub mod validate;
pub mod yaml;

pub use resolved::Model;

use crate::attack::KnowledgeBase;
use crate::diag::{Code, Diagnostic};
use date::Date;
use format::ModelFile;

/// A model file read as far as it could be before the ATT&CK checks.
pub enum Parsed {
    /// The file is well-formed; its pinned release is known.
    File(Box<ModelFile>),
    /// The file could not be read into the typed format; the diagnostics say why.
    Broken(Vec<Diagnostic>),
}

/// Reads a model file's text up to the typed format, reporting every structural problem.
pub fn parse(text: &str, path: &str) -> Parsed {
    let tree = match yaml::parse_tree(text) {
        Ok(tree) => tree,
        Err(e) => {
            let mut d = Diagnostic::new(e.code, path, e.position, e.message);
            d.hint = e.hint;
            return Parsed::Broken(vec![d]);
        }
    };
    let problems = structure::check_structure(&tree, &schema::model_schema(), path);
    if !problems.is_empty() {
        return Parsed::Broken(problems);
    }
    match yaml::parse_model(text) {
        Ok(file) => Parsed::File(Box::new(file)),
        Err(e) => {
            // The schema check passed, so this is a rule the schema cannot express.
            let code = if e.code == Code::YamlSyntax {
                Code::InvalidValue
            } else {
                e.code
            };
            let mut d = Diagnostic::new(code, path, e.position, e.message);
            d.hint = e.hint;
            Parsed::Broken(vec![d])
        }
    }
}

/// Validates a parsed file against its release; a model comes out when there are no errors.
pub fn check(
    file: &ModelFile,
    kb: &KnowledgeBase,
    path: &str,
    today: Date,
) -> (Option<Model>, Vec<Diagnostic>) {
    validate::validate(file, kb, path, today)
}

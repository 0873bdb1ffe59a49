//! The YAML threat model: format v1, its structural and semantic checks, and the validated
//! model the analysis works on.
//!
//! Reading a model goes: text -> positioned tree ([`yaml`]) -> structural check against the
//! schema ([`structure`]) -> typed file ([`format`](mod@format)) -> semantic check against
//! the ATT&CK release ([`validate`]) -> [`Model`]. Each step reports every problem it finds.
//! When the structural check fails only inside some items of the section lists, [`salvage`]
//! reads the rest, so that `check` still reports the reference errors of the intact items.

mod alias_count;
pub mod date;
pub mod format;
pub(crate) mod hints;
pub(crate) mod located;
pub(crate) mod resolved;
pub(crate) mod salvage;
pub mod schema;
pub(crate) mod structure;
pub(crate) mod validate;
pub mod yaml;

pub use resolved::Model;
pub use salvage::Salvaged;

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
    parse_and_salvage_if(text, path, false).0
}

/// Like [`parse`]; when the file is broken only inside items of its section lists, also what
/// [`salvage`](salvage::salvage) keeps of it, so that `check` can validate the intact items.
pub fn parse_and_salvage(text: &str, path: &str) -> (Parsed, Option<Salvaged>) {
    parse_and_salvage_if(text, path, true)
}

fn parse_and_salvage_if(text: &str, path: &str, salvaging: bool) -> (Parsed, Option<Salvaged>) {
    let tree = match yaml::parse_tree(text) {
        Ok(tree) => tree,
        Err(e) => {
            let mut d = Diagnostic::new(e.code, path, e.position, e.message);
            d.hint = e.hint;
            return (Parsed::Broken(vec![d]), None);
        }
    };
    let problems = structure::structural_problems(&tree, &schema::model_schema(), path);
    if !problems.is_empty() {
        let salvaged = if salvaging {
            salvage::salvage(text, &tree, &problems)
        } else {
            None
        };
        let diagnostics = problems.into_iter().map(|p| p.diagnostic).collect();
        return (Parsed::Broken(diagnostics), salvaged);
    }
    let parsed = match yaml::parse_model(text) {
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
    };
    (parsed, None)
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

/// Validates the intact part of a structurally broken file (see [`parse_and_salvage`]); the diagnostics
/// add to its structural ones, and no model comes out.
pub fn check_salvaged(
    salvaged: &Salvaged,
    kb: &KnowledgeBase,
    path: &str,
    today: Date,
) -> Vec<Diagnostic> {
    validate::validate_salvaged(salvaged, kb, path, today)
}

//! `atkmap schema` and `atkmap init`: what editors and new users start from.

use std::path::PathBuf;

use crate::model::schema::model_schema_text;

use super::failure::{CliResult, Failure, Outcome};
use super::output::{print_stderr, print_stdout, write_atomically};

/// The commented starter model `atkmap init` writes; it passes `atkmap check` on Enterprise 18.1.
pub const STARTER_MODEL: &str = include_str!("../../templates/starter-model.yaml");

/// Prints the JSON Schema of model format v1.
pub fn schema() -> CliResult {
    print_stdout(&model_schema_text())?;
    Ok(Outcome::Clean)
}

/// Writes the starter model to `path` (default `atkmap-model.yaml`), never over a file unless
/// `force`.
pub fn init(path: Option<PathBuf>, force: bool) -> CliResult {
    let path = path.unwrap_or_else(|| PathBuf::from("atkmap-model.yaml"));
    if path.exists() && !force {
        return Err(Failure::new(format!("{} already exists", path.display()))
            .hint("pass --force to overwrite it, or name another file"));
    }
    write_atomically(&path, STARTER_MODEL.as_bytes())?;
    print_stderr(&format!(
        "wrote {}; check it with `atkmap check {}`\n",
        path.display(),
        path.display()
    ));
    Ok(Outcome::Clean)
}

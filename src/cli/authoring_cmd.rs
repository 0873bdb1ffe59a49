//! `atkmap schema` and `atkmap init`: what editors and new users start from.

use std::path::PathBuf;

use atkmap::model::schema::model_schema_text;

use super::failure::{CliResult, Failure, Outcome};
use super::output::{print_stderr, print_stdout, write_atomically};

/// The commented starter model `atkmap init` writes; it passes `atkmap check` on Enterprise 18.1.
pub const STARTER_MODEL: &str = include_str!("../../templates/starter-model.yaml");

/// Prints the JSON Schema of model format v1.
pub fn schema() -> CliResult {
    print_stdout(&model_schema_text())?;
    Ok(Outcome::Clean)
}

/// The schema's file name beside a starter model; its first line (a yaml-language-server
/// modeline) points there, so completion and hover work offline.
pub const SCHEMA_FILE: &str = "atkmap-model.schema.json";

/// Writes the starter model to `path` (default `atkmap-model.yaml`), never over a file unless
/// `force`, and the JSON Schema beside it (unless one is there already) for its modeline.
pub fn init(path: Option<PathBuf>, force: bool) -> CliResult {
    let path = path.unwrap_or_else(|| PathBuf::from("atkmap-model.yaml"));
    if path.exists() && !force {
        return Err(Failure::new(format!("{} already exists", path.display()))
            .hint("pass --force to overwrite it, or name another file"));
    }
    write_atomically(&path, STARTER_MODEL.as_bytes())?;
    let schema = path
        .parent()
        .map_or_else(|| PathBuf::from(SCHEMA_FILE), |dir| dir.join(SCHEMA_FILE));
    let schema_note = if schema.exists() && !force {
        format!("kept the existing {}", schema.display())
    } else {
        write_atomically(&schema, model_schema_text().as_bytes())?;
        format!("its schema {} (for editors, offline)", schema.display())
    };
    print_stderr(&format!(
        "wrote {} and {schema_note}; check it with `atkmap check {}`\n",
        path.display(),
        path.display()
    ));
    Ok(Outcome::Clean)
}

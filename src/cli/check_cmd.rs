//! `atkmap check`: validate model files and report every problem with its location.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use atkmap::diag::render::{Styles, render};
use atkmap::diag::{Code, Diagnostic};

use super::data_source::DataOptions;
use super::failure::{CliResult, Failure, Outcome};
use super::model_files::{CheckedModels, check_files};
use super::output::{paint, print_stderr, print_stdout, styles};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Model files, or directories to search for *.yaml / *.yml (default: models/ if present, else .)
    pub paths: Vec<PathBuf>,
    /// Output format: text (to stderr, with source lines) or json (to stdout)
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
    /// List the diagnostic codes and what they mean, then exit
    #[arg(long)]
    pub explain_codes: bool,
}

/// The terminal styles diagnostics use.
pub fn terminal_styles() -> Styles {
    Styles {
        error: styles::ERROR,
        warning: styles::WARNING,
        note: styles::NOTE,
        emphasis: styles::EMPHASIS,
    }
}

/// The paths to check when none are given.
pub fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths;
    }
    let models = PathBuf::from("models");
    vec![if models.is_dir() {
        models
    } else {
        PathBuf::from(".")
    }]
}

pub fn run(args: CheckArgs, data: &DataOptions) -> CliResult {
    if args.explain_codes {
        print_stdout(&explain_codes())?;
        return Ok(Outcome::Clean);
    }
    let checked = check_files(&default_paths(args.paths), data, super::clock::today())?;
    match args.format {
        CheckFormat::Json => print_stdout(&json_report(&checked)?)?,
        CheckFormat::Text => print_diagnostics(&checked),
    }
    let failed = checked.errors() > 0 || (args.deny_warnings && checked.warnings() > 0);
    Ok(if failed {
        Outcome::Invalid
    } else {
        Outcome::Clean
    })
}

/// Prints diagnostics and a summary line to stderr.
/// How many diagnostics of one file the terminal shows; the count of the rest follows.
const MAX_SHOWN_PER_FILE: usize = 100;

pub fn print_diagnostics(checked: &CheckedModels) {
    let styles = terminal_styles();
    let mut text = String::new();
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &checked.diagnostics {
        let shown = per_file.entry(d.file.as_str()).or_default();
        *shown += 1;
        if *shown <= MAX_SHOWN_PER_FILE {
            text.push_str(&render(d, checked.source_of(&d.file), &styles));
            text.push('\n');
        }
    }
    for (file, count) in per_file {
        if count > MAX_SHOWN_PER_FILE {
            text.push_str(&format!(
                "{file}: {} more diagnostics not shown (the first {MAX_SHOWN_PER_FILE} are \
                 above; `atkmap check --format json` lists all)\n\n",
                count - MAX_SHOWN_PER_FILE
            ));
        }
    }
    let (errors, warnings) = (checked.errors(), checked.warnings());
    let summary = format!(
        "checked {} file{}: {errors} error{}, {warnings} warning{}\n",
        checked.files.len(),
        plural(checked.files.len()),
        plural(errors),
        plural(warnings)
    );
    let style = if errors > 0 {
        styles::ERROR
    } else if warnings > 0 {
        styles::WARNING
    } else {
        styles::EMPHASIS
    };
    text.push_str(&paint(style, &summary));
    print_stderr(&text);
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    files: Vec<String>,
    errors: usize,
    warnings: usize,
    diagnostics: &'a [Diagnostic],
}

fn json_report(checked: &CheckedModels) -> Result<String, Failure> {
    let report = JsonReport {
        files: checked
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect(),
        errors: checked.errors(),
        warnings: checked.warnings(),
        diagnostics: &checked.diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .map_err(|e| Failure::new(format!("cannot serialise JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

fn explain_codes() -> String {
    let mut out = String::new();
    for code in atkmap::diag::codes::ALL_CODES {
        out.push_str(&format!(
            "{:<24} {:<8} {}\n",
            code.name(),
            code.level().label(),
            Code::description(code)
        ));
    }
    out
}

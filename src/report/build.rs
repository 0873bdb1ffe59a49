//! Building a report from validated models and the release they were checked against: one
//! analysis per model (in parallel), the assumptions, and the warnings a report carries.
//! Everything arrives as values; where the files lie and how their paths are shown is the
//! caller's business.

use rayon::prelude::*;

use crate::analysis::{self, AnalysisError, ModelAnalysis, Options};
use crate::attack::{Framework, KnowledgeBase};
use crate::diag::Diagnostic;
use crate::model::Model;
use crate::model::format::ControlStatus;

use super::{Assumption, Report};

/// The ATT&CK release a report is computed on, and its companions, as the report shows them.
pub struct DataSource<'a> {
    /// The release, with its companions merged, that the models were validated against.
    pub kb: &'a KnowledgeBase,
    /// The bundle's path as the report shows it.
    pub file: String,
    /// The bundle file's SHA-256, lower-case hex.
    pub sha256: String,
    /// The bundle is byte for byte MITRE's file for its release.
    pub official: bool,
    /// Said first among the warnings (a bundle that is not verifiably MITRE's).
    pub provenance_warning: Option<String>,
    /// The companion files merged into `kb`, as `attack.frameworks` names them.
    pub companions: Vec<CompanionFile>,
}

/// A companion file merged into the release.
pub struct CompanionFile {
    /// Which companion it is (F3 or ATLAS).
    pub framework: Framework,
    /// Its path as the report shows it.
    pub file: String,
    /// The file's SHA-256, lower-case hex.
    pub sha256: String,
    /// The file is byte for byte one MITRE published.
    pub official: bool,
}

/// Why no report could be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A model could not be analysed (too many exposures, an unreadable `--assume-fix`).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// `--assume` or `--assume-fix` names something no model has.
    #[error("{flag} {name}: {what}")]
    UnmatchedAssumption {
        /// `--assume` or `--assume-fix`.
        flag: &'static str,
        /// The value given: a control id, or a fix.
        name: String,
        /// What no model has, in words (the control, or the system after `@`).
        what: String,
    },
    /// No model was given.
    #[error("no model to report on")]
    NoModels,
}

impl BuildError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            BuildError::UnmatchedAssumption { .. } => Some(
                "name a control id, or a fix as MITIGATION@SYSTEM or STRATEGY@SYSTEM with a \
                 system id of the model",
            ),
            _ => None,
        }
    }
}

/// Dangling references of the bundle listed one by one in a report; the rest are counted.
const LISTED_BUNDLE_WARNINGS: usize = 20;

/// Analyses every model against the release and assembles the report. `diagnostics` are the
/// models' warnings, listed in the report.
pub fn build(
    source: &DataSource,
    models: &[&Model],
    diagnostics: &[Diagnostic],
    options: &Options,
) -> Result<Report, BuildError> {
    // Models are independent: analyse them on every core.
    let analyses: Vec<Result<ModelAnalysis, AnalysisError>> = models
        .par_iter()
        .map(|model| analysis::analyze(model, source.kb, options))
        .collect();
    let mut analysed: Vec<(&Model, ModelAnalysis)> = Vec::new();
    for (model, analysis) in models.iter().zip(analyses) {
        analysed.push((model, analysis?));
    }
    unmatched_assumptions(&analysed, options)?;
    if analysed.is_empty() {
        return Err(BuildError::NoModels);
    }
    let mut report = Report::assemble(
        source.kb,
        &source.file,
        &source.sha256,
        analysed,
        assumptions(options),
        warnings(source, diagnostics),
    );
    report.attack.official = source.official;
    for companion in &mut report.attack.frameworks {
        if let Some(file) = source
            .companions
            .iter()
            .find(|c| c.framework.label() == companion.id)
        {
            companion.file = file.file.clone();
            companion.sha256 = file.sha256.clone();
            companion.official = file.official;
        }
    }
    Ok(report)
}

/// The bundle's provenance, its dangling references, then the models' warnings.
fn warnings(source: &DataSource, diagnostics: &[Diagnostic]) -> Vec<String> {
    let bundle = &source.kb.warnings;
    let mut warnings: Vec<String> = source.provenance_warning.iter().cloned().collect();
    warnings.extend(
        bundle
            .iter()
            .take(LISTED_BUNDLE_WARNINGS)
            .map(|w| format!("{}: {w} (ignored)", source.file)),
    );
    if bundle.len() > LISTED_BUNDLE_WARNINGS {
        warnings.push(format!(
            "{}: {} more dangling references",
            source.file,
            bundle.len() - LISTED_BUNDLE_WARNINGS
        ));
    }
    warnings.extend(diagnostics.iter().map(Diagnostic::one_line));
    warnings
}

/// The statuses assumed on the command line, then the fixes assumed in place.
fn assumptions(options: &Options) -> Vec<Assumption> {
    options
        .assume
        .iter()
        .map(|(control, status)| Assumption {
            control: control.clone(),
            status: *status,
        })
        .chain(options.fixes.iter().map(|fix| Assumption {
            control: fix.clone(),
            status: ControlStatus::Implemented,
        }))
        .collect()
}

/// `--assume` and `--assume-fix` apply to every model that has the control or system; naming
/// something no model has is an error.
fn unmatched_assumptions(
    analysed: &[(&Model, ModelAnalysis)],
    options: &Options,
) -> Result<(), BuildError> {
    let named = options
        .assume
        .iter()
        .map(|(c, _)| ("--assume", c))
        .chain(options.fixes.iter().map(|f| ("--assume-fix", f)));
    for (flag, name) in named {
        if !analysed.is_empty() && analysed.iter().all(|(_, a)| a.unmatched.contains(name)) {
            let what = match name.split_once('@') {
                Some((_, system)) => format!("no model has a system `{system}`"),
                None => format!("no model has a control `{name}`"),
            };
            return Err(BuildError::UnmatchedAssumption {
                flag,
                name: name.clone(),
                what,
            });
        }
    }
    Ok(())
}

//! The report formats, and the one dispatch from a format to its renderer.

use crate::analysis::ModelAnalysis;
use crate::graph::SupplyChain;
use crate::graph::export::Highlights;
use crate::model::Model;

use super::markdown::{self, Diagram};
use super::navigator::NavigatorError;
use super::sarif::{SarifError, SarifOptions};
use super::templates::{TemplateError, Templates};
use super::{ModelSummary, Report};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The stable JSON document (the contract CI scripts read).
    Json,
    /// GitHub-flavoured Markdown for pull-request comments.
    Md,
    /// One self-contained HTML file.
    Html,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// ATT&CK Navigator layer (format 4.5).
    Navigator,
}

impl Format {
    /// The file name used in `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "atkmap-report.json",
            Format::Md => "atkmap-report.md",
            Format::Html => "atkmap-report.html",
            Format::Sarif => "atkmap-report.sarif",
            Format::Navigator => "atkmap-layer.json",
        }
    }
}

/// What the renderers need besides the report.
pub struct RenderInputs<'a> {
    /// The templates of the Markdown and HTML reports.
    pub templates: &'a Templates,
    /// Each model's supply-chain diagram, for the Markdown report.
    pub diagrams: &'a [Diagram],
    /// Most characters of the Markdown report (`None`: no limit).
    pub md_max_chars: Option<usize>,
    /// Where the SARIF log's paths are relative to, and its category.
    pub sarif: SarifOptions,
}

/// Why a format could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A Markdown template failed (the built-in one or the user's override).
    #[error("template error in {0}")]
    Template(#[from] TemplateError),
    /// The JSON document could not be serialised.
    #[error("cannot render the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    /// The HTML template failed.
    #[error("cannot render the HTML report: template error in {0}")]
    Html(TemplateError),
    /// The SARIF log could not be serialised.
    #[error("cannot render the SARIF report: {0}")]
    Sarif(#[from] SarifError),
    /// A Navigator layer could not be written.
    #[error("cannot render the Navigator report: {0}")]
    Navigator(#[from] NavigatorError),
}

/// Renders one format.
pub fn render(
    format: Format,
    report: &Report,
    inputs: &RenderInputs,
) -> Result<String, RenderError> {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(report)?;
            text.push('\n');
            Ok(text)
        }
        Format::Md => Ok(markdown::render(
            report,
            inputs.templates,
            inputs.diagrams,
            inputs.md_max_chars,
        )?),
        Format::Html => super::html::render(report, inputs.templates).map_err(RenderError::Html),
        Format::Sarif => Ok(super::sarif::render(report, &inputs.sarif)?),
        Format::Navigator => Ok(super::navigator::render(report)?),
    }
}

/// The companions' Navigator layers (F3, ATLAS), each with the framework's id (`f3`, `atlas`).
pub fn companion_layers(report: &Report) -> Result<Vec<(&'static str, String)>, RenderError> {
    Ok(super::navigator::render_companions(report)?)
}

/// Each model's supply-chain diagram in Mermaid, its systems marked with their worst open
/// severity in the report.
pub fn diagrams(models: &[&Model], report: &Report) -> Vec<Diagram> {
    models
        .iter()
        .map(|model| {
            let chain = SupplyChain::build(model, &[]);
            let highlights = report
                .models
                .iter()
                .find(|m| m.file == model.file)
                .map(summary_highlights)
                .unwrap_or_default();
            Diagram {
                file: model.file.clone(),
                mermaid: chain.to_mermaid(&highlights),
            }
        })
        .collect()
}

/// Each system's worst open severity as a report's model summary holds it, by system index.
pub fn summary_highlights(summary: &ModelSummary) -> Highlights {
    summary
        .systems
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.worst_open?.label().to_string())))
        .collect()
}

/// Each system's worst open severity, by system index, for highlighting a diagram when no
/// report is built (`atkmap graph`, `atkmap paths`).
pub fn highlights(model: &Model, analysis: &ModelAnalysis) -> Highlights {
    let worst = super::assemble::worst_open_by_system(analysis);
    model
        .systems
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, worst.get(s.id.value.as_str())?.label().to_string())))
        .collect()
}

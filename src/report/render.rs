//! The report formats, and the one dispatch from a format to its renderer.

use crate::analysis::ModelAnalysis;
use crate::graph::SupplyChain;
use crate::graph::export::Highlights;
use crate::model::Model;

use super::Report;
use super::markdown::{self, Diagram};
use super::sarif::SarifOptions;
use super::templates::Templates;

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
    /// A template failed; its file and line are in the message.
    #[error("template error in {0}")]
    Template(#[from] super::templates::TemplateError),
    /// A format's renderer failed.
    #[error("cannot render the {format} report: {message}")]
    Format {
        /// The format's name: `JSON`, `HTML`, `SARIF` or `Navigator`.
        format: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// Renders one format.
pub fn render(
    format: Format,
    report: &Report,
    inputs: &RenderInputs,
) -> Result<String, RenderError> {
    let failed =
        |format: &'static str| move |message: String| RenderError::Format { format, message };
    match format {
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(report).map_err(|e| failed("JSON")(e.to_string()))?;
            text.push('\n');
            Ok(text)
        }
        Format::Md => Ok(markdown::render(
            report,
            inputs.templates,
            inputs.diagrams,
            inputs.md_max_chars,
        )?),
        Format::Html => super::html::render(report, inputs.templates).map_err(failed("HTML")),
        Format::Sarif => super::sarif::render(report, &inputs.sarif).map_err(failed("SARIF")),
        Format::Navigator => super::navigator::render(report).map_err(failed("Navigator")),
    }
}

/// The companions' Navigator layers (F3, ATLAS), each with the framework's id (`f3`, `atlas`).
pub fn companion_layers(report: &Report) -> Result<Vec<(&'static str, String)>, RenderError> {
    super::navigator::render_companions(report).map_err(|message| RenderError::Format {
        format: "Navigator",
        message,
    })
}

/// Each model's supply-chain diagram in Mermaid, its systems marked with their worst open
/// severity in the report.
pub fn diagrams(models: &[&Model], report: &Report) -> Vec<Diagram> {
    models
        .iter()
        .map(|model| {
            let chain = SupplyChain::build(model, &[]);
            let mut highlights = Highlights::new();
            if let Some(summary) = report.models.iter().find(|m| m.file == model.file) {
                for (i, system) in summary.systems.iter().enumerate() {
                    if let Some(worst) = system.worst_open {
                        highlights.insert(i, worst.label().to_string());
                    }
                }
            }
            Diagram {
                file: model.file.clone(),
                mermaid: chain.to_mermaid(&highlights),
            }
        })
        .collect()
}

/// Each system's worst open severity, by system index, for highlighting a diagram.
pub fn highlights(model: &Model, analysis: &ModelAnalysis) -> Highlights {
    let worst = super::worst_open_by_system(analysis);
    model
        .systems
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, worst.get(s.id.value.as_str())?.label().to_string())))
        .collect()
}

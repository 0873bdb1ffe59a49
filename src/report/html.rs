//! Self-contained HTML rendering (being written).

use super::Report;
use super::templates::Templates;

pub fn render(_report: &Report, _templates: &Templates) -> Result<String, String> {
    Err("HTML output is not available yet".to_string())
}

//! ATT&CK Navigator layer rendering (being written).

use super::Report;

pub fn render(_report: &Report) -> Result<String, String> {
    Err("Navigator output is not available yet".to_string())
}

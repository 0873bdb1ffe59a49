//! The JSON Schema of format v1, generated from the types the parser reads.

use serde_json::Value;

use super::format::ModelFile;

/// The `$id` under which the schema is published.
pub const SCHEMA_ID: &str = "https://atkmap.dev/schema/model-v1.json";

/// The schema as JSON, with its `$id`.
pub fn model_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(ModelFile)).unwrap_or_default();
    if let Some(map) = schema.as_object_mut() {
        map.insert("$id".to_string(), Value::String(SCHEMA_ID.to_string()));
    }
    schema
}

/// The schema as the pretty-printed text `atkmap schema` prints and the repository commits.
pub fn model_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&model_schema()).unwrap_or_default();
    text.push('\n');
    text
}

//! The JSON Schema of format v1, generated from the types the parser reads.

use serde_json::Value;

use super::format::ModelFile;

/// The `$id` under which the schema is published.
pub const SCHEMA_ID: &str = "https://atkmap.dev/schema/model-v1.json";

/// The schema as JSON, with its `$id`: draft-07 (what SchemaStore and most YAML language
/// servers expect), tidied for editors and strict validators (see [`tidy`]).
pub fn model_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema =
        serde_json::to_value(generator.into_root_schema_for::<ModelFile>()).unwrap_or_default();
    tidy(&mut schema);
    if let Some(map) = schema.as_object_mut() {
        map.insert("$id".to_string(), Value::String(SCHEMA_ID.to_string()));
        // Only `1` exists: say so, so that an editor offers it and a validator checks it.
        if let Some(version) = map
            .get_mut("properties")
            .and_then(|p| p.get_mut("atkmap"))
            .and_then(Value::as_object_mut)
        {
            version.insert("const".to_string(), Value::from(1));
        }
    }
    schema
}

/// What editors and strict validators trip on, removed: `"default": null` on optional
/// properties (yaml-language-server 1.25 throws on it and then offers no top-level keys), and
/// Rust's integer formats (`uint64`), which are not JSON Schema formats (Ajv's strict mode
/// rejects them; `minimum: 0` says the same).
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"))
            {
                map.remove("format");
            }
            for v in map.values_mut() {
                tidy(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The schema as the pretty-printed text `atkmap schema` prints and the repository commits.
pub fn model_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&model_schema()).unwrap_or_default();
    text.push('\n');
    text
}

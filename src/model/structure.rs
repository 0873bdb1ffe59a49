//! The structural check: a model file's tree against the JSON Schema of format v1.
//!
//! serde stops at the first problem; an architect fixing a model wants all of them. This walk
//! over the positioned YAML tree reports every unknown key (with "did you mean"), missing key,
//! wrong type and bad enum value, using the same schema `atkmap schema` publishes, so the
//! editor and the checker can never disagree. It understands the subset schemars emits:
//! `$ref` (also as the one member of an `allOf`), `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`,
//! `anyOf`/`oneOf` (for optional values) and `minimum`.

use serde_json::Value;

use super::format::KNOWN_FORMAT_VERSIONS;
use super::located::Located;
use super::yaml::Node;
use crate::diag::{Code, Diagnostic, Position};

/// Checks a whole model tree; returns every problem found.
pub fn check_structure(tree: &Located<Node>, schema: &Value, file: &str) -> Vec<Diagnostic> {
    let mut walk = Walk {
        root: schema,
        file,
        out: Vec::new(),
    };
    if let Node::Mapping(entries) = &tree.value
        && !walk.format_version_known(entries, tree.position)
    {
        return walk.out;
    }
    walk.node(tree, schema, "");
    walk.out
}

struct Walk<'a> {
    root: &'a Value,
    file: &'a str,
    out: Vec<Diagnostic>,
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "the model".to_string()
    } else {
        format!("`{path}`")
    }
}

impl<'a> Walk<'a> {
    fn push(
        &mut self,
        code: Code,
        position: Option<Position>,
        message: String,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::new(code, self.file, position, message);
        d.hint = hint;
        self.out.push(d);
    }

    /// `atkmap:` first: a file of another format version is not checked against v1's rules.
    fn format_version_known(
        &mut self,
        entries: &[(Located<Node>, Located<Node>)],
        map_position: Option<Position>,
    ) -> bool {
        let known: Vec<String> = KNOWN_FORMAT_VERSIONS.iter().map(u64::to_string).collect();
        let Some((_, value)) = entries
            .iter()
            .find(|(k, _)| k.value == Node::String("atkmap".into()))
        else {
            self.push(
                Code::MissingKey,
                map_position,
                "the model has no `atkmap:` format version".to_string(),
                Some(format!(
                    "start the file with `atkmap: {}`",
                    known.join(" or ")
                )),
            );
            return true;
        };
        let ok = matches!(value.value, Node::Integer(v) if KNOWN_FORMAT_VERSIONS.iter().any(|&k| i128::from(k) == v));
        if !ok {
            let found = match &value.value {
                Node::Integer(v) => v.to_string(),
                Node::Float(v) => v.to_string(),
                Node::String(s) => format!("{s:?}"),
                other => other.type_name().to_string(),
            };
            self.push(
                Code::UnknownFormatVersion,
                value.position,
                format!("unknown format version {found}"),
                Some(format!(
                    "this atkmap reads format version {}; write `atkmap: {}`",
                    known.join(", "),
                    known.last().map_or("1", String::as_str)
                )),
            );
        }
        ok
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..16 {
            // Draft 7 ignores keywords beside `$ref`, so a described reference is written
            // `{"description": ..., "allOf": [{"$ref": ...}]}`: look through it.
            if let Some([only]) = current
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                current = only;
                continue;
            }
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                break;
            };
            match self.root.pointer(pointer) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    fn node(&mut self, node: &Located<Node>, schema: &'a Value, path: &str) {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
        {
            return self.alternatives(node, alternatives, path);
        }
        if !self.type_matches(node, schema, path) {
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            self.enumeration(node, allowed, path);
        }
        if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
            && let Node::Integer(v) = node.value
            && (v as f64) < minimum
        {
            self.push(
                Code::InvalidValue,
                node.position,
                format!(
                    "{} must be at least {minimum}, found {v}",
                    display_path(path)
                ),
                None,
            );
        }
        match &node.value {
            Node::Mapping(entries) => self.mapping(node.position, entries, schema, path),
            Node::Sequence(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.node(item, item_schema, &format!("{path}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Optional values are `anyOf: [T, null]`: null passes, anything else is checked as T.
    fn alternatives(&mut self, node: &Located<Node>, alternatives: &'a [Value], path: &str) {
        let non_null: Vec<&Value> = alternatives
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if node.value == Node::Null && non_null.len() < alternatives.len() {
            return;
        }
        if let [only] = non_null.as_slice() {
            return self.node(node, only, path);
        }
        // Several real alternatives: accept the first that reports nothing.
        for alternative in &non_null {
            let mut trial = Walk {
                root: self.root,
                file: self.file,
                out: Vec::new(),
            };
            trial.node(node, alternative, path);
            if trial.out.is_empty() {
                return;
            }
        }
        if let Some(first) = non_null.first() {
            self.node(node, first, path);
        }
    }

    fn type_matches(&mut self, node: &Located<Node>, schema: &Value, path: &str) -> bool {
        let expected: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        let found = node.value.type_name();
        let ok = expected
            .iter()
            .any(|&t| t == found || (t == "number" && found == "integer"));
        if ok {
            return true;
        }
        let wanted: Vec<&str> = expected.iter().copied().filter(|t| *t != "null").collect();
        let article = |t: &str| match t {
            "array" => "a list".to_string(),
            "object" => "a mapping".to_string(),
            "integer" => "an integer".to_string(),
            other => format!("a {other}"),
        };
        let wanted_text: Vec<String> = wanted.iter().map(|t| article(t)).collect();
        let hint = match (wanted.first().copied(), found) {
            (Some("string"), "number" | "integer" | "boolean") => {
                Some("quote the value to make it a string, for example \"18.1\"".to_string())
            }
            (Some("array"), "string") => {
                Some("write a list: [value] or one `- value` per line".to_string())
            }
            (Some("integer"), "string") => Some("write the number without quotes".to_string()),
            (Some("object"), "null") => Some(
                "the key is there but its value is empty; indent its content under it".to_string(),
            ),
            _ => None,
        };
        self.push(
            Code::WrongType,
            node.position,
            format!(
                "{} must be {}, found {}",
                display_path(path),
                wanted_text.join(" or "),
                article(found)
            ),
            hint,
        );
        false
    }

    fn enumeration(&mut self, node: &Located<Node>, allowed: &[Value], path: &str) {
        let allowed: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
        let Node::String(value) = &node.value else {
            return;
        };
        if allowed.contains(&value.as_str()) {
            return;
        }
        let hint = closest(value, &allowed).map(|c| format!("did you mean `{c}`?"));
        self.push(
            Code::InvalidValue,
            node.position,
            format!(
                "{} must be one of {}; found `{value}`",
                display_path(path),
                allowed.join(", ")
            ),
            hint,
        );
    }

    fn mapping(
        &mut self,
        position: Option<Position>,
        entries: &[(Located<Node>, Located<Node>)],
        schema: &'a Value,
        path: &str,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        let known: Vec<&str> = properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut present: Vec<&str> = Vec::new();
        for (key, value) in entries {
            let Node::String(name) = &key.value else {
                self.push(
                    Code::WrongType,
                    key.position,
                    format!("keys must be strings; found {}", key.value.type_name()),
                    None,
                );
                continue;
            };
            present.push(name);
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.node(value, property, &child),
                None if closed => {
                    let hint = match closest(name, &known) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => format!("known keys here: {}", known.join(", ")),
                    };
                    self.push(
                        Code::UnknownKey,
                        key.position,
                        format!("unknown key `{name}` in {}", display_path(path)),
                        Some(hint),
                    );
                }
                None => {}
            }
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for name in required {
            if !present.contains(&name) {
                let position = entries.first().and_then(|(k, _)| k.position).or(position);
                self.push(
                    Code::MissingKey,
                    position,
                    format!(
                        "{} is missing the required key `{name}`",
                        display_path(path)
                    ),
                    None,
                );
            }
        }
    }
}

/// The candidate nearest to a misspelling, if it is near enough to be what was meant.
pub fn closest<'c>(value: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = value.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1) || c.to_lowercase() == lower)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::schema::model_schema;
    use super::super::yaml::parse_tree;
    use super::*;

    fn check(text: &str) -> Vec<(Code, u32, String)> {
        let tree = parse_tree(text).expect("valid YAML");
        check_structure(&tree, &model_schema(), "m.yaml")
            .into_iter()
            .map(|d| (d.code, d.position.map_or(0, |p| p.line), d.message))
            .collect()
    }

    const MINIMAL: &str = "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"18.1\"}\n";

    #[test]
    fn minimal_model_passes() {
        assert_eq!(check(MINIMAL), vec![]);
    }

    #[test]
    fn reports_every_problem() {
        let text = format!(
            "{MINIMAL}systems:\n  - id: a\n    nmae: A\n    platforms: SaaS\n    exposure: interne\n"
        );
        let found = check(&text);
        let codes: Vec<Code> = found.iter().map(|f| f.0).collect();
        assert!(codes.contains(&Code::UnknownKey), "{found:?}");
        assert!(codes.contains(&Code::WrongType), "{found:?}");
        assert!(codes.contains(&Code::InvalidValue), "{found:?}");
        assert!(codes.contains(&Code::MissingKey), "{found:?}");
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn unknown_format_version_stops_the_check() {
        let found = check("atkmap: 2\nwhatever: 1\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Code::UnknownFormatVersion);
    }

    #[test]
    fn unquoted_version_is_a_wrong_type() {
        let found = check("atkmap: 1\nname: x\nattack: {domain: enterprise, version: 18.1}\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Code::WrongType);
        assert_eq!(found[0].1, 3);
    }

    #[test]
    fn suggestions_are_close() {
        assert_eq!(closest("nmae", &["name", "id"]), Some("name"));
        assert_eq!(closest("zzzzzz", &["name", "id"]), None);
        assert_eq!(
            closest("Interne", &["internet", "partner"]),
            Some("internet")
        );
    }
}

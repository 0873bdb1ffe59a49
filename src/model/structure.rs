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
use super::hints::without_thousands_separators;
use super::located::Located;
use super::yaml::Node;
use crate::diag::suggest::closest;
use crate::diag::{Code, Diagnostic, Position};

/// Checks a whole model tree; returns every problem found.
#[cfg(test)]
fn check_structure(tree: &Located<Node>, schema: &Value, file: &str) -> Vec<Diagnostic> {
    structural_problems(tree, schema, file)
        .into_iter()
        .map(|p| p.diagnostic)
        .collect()
}

/// A structural problem and the path of the value it was found in (`systems[2]`, `attack`;
/// empty for the top level), so callers can tell which item of a section is broken.
#[derive(Debug, Clone)]
pub struct Problem {
    pub path: String,
    pub diagnostic: Diagnostic,
}

/// Checks a whole model tree; returns every problem found, with where in the model it is.
pub fn structural_problems(tree: &Located<Node>, schema: &Value, file: &str) -> Vec<Problem> {
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
    out: Vec<Problem>,
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
        path: &str,
        code: Code,
        position: Option<Position>,
        message: String,
        hint: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::new(code, self.file, position, message);
        diagnostic.hint = hint;
        self.out.push(Problem {
            path: path.to_string(),
            diagnostic,
        });
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
                "",
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
                "",
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
                path,
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
            (Some("integer"), "string") => Some(integer_hint(&node.value)),
            (Some("object"), "null") => Some(
                "the key is there but its value is empty; indent its content under it".to_string(),
            ),
            _ => None,
        };
        self.push(
            path,
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

    /// `{records: 2,500,000}`: one problem for the number, not one per stray key.
    fn split_number(&mut self, split: &SplitNumber, path: &str) {
        let key = if path.is_empty() {
            split.key.to_string()
        } else {
            format!("{path}.{}", split.key)
        };
        self.push(
            path,
            Code::WrongType,
            split.position,
            format!(
                "{} is written with thousands separators; inside `{{...}}` each comma starts a new entry",
                display_path(&key)
            ),
            Some(format!(
                "write {} without the thousands separators",
                split.digits
            )),
        );
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
            path,
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
        for (i, (key, value)) in entries.iter().enumerate() {
            let Node::String(name) = &key.value else {
                match split_number(entries, i) {
                    Some(split) if split.first_group == i => self.split_number(&split, path),
                    // Reported with the first stray group of the same number.
                    Some(_) => {}
                    None => self.push(
                        path,
                        Code::WrongType,
                        key.position,
                        format!("keys must be strings; found {}", key.value.type_name()),
                        None,
                    ),
                }
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
                        path,
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
                    path,
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

/// A number written with thousands separators in a flow mapping: `{records: 2,500,000}` reads
/// as `records: 2` followed by the stray keys `500` and `000`.
struct SplitNumber<'n> {
    /// The key the number was meant for (`records`).
    key: &'n str,
    /// Where the number starts.
    position: Option<Position>,
    /// The number as meant, `2500000`.
    digits: String,
    /// The entry index of the first stray group.
    first_group: usize,
}

/// The split number entry `i` of a mapping is a stray group of, if it is one.
fn split_number(entries: &[(Located<Node>, Located<Node>)], i: usize) -> Option<SplitNumber<'_>> {
    let group_at = |j: usize| entries.get(j).and_then(|(k, v)| thousands_group(k, v));
    group_at(i)?;
    let mut first_group = i;
    while first_group > 0 && group_at(first_group - 1).is_some() {
        first_group -= 1;
    }
    let (key, value) = entries.get(first_group.checked_sub(1)?)?;
    let (Node::String(key), Node::Integer(leading)) = (&key.value, &value.value) else {
        return None;
    };
    if !(0..1000).contains(leading) {
        return None;
    }
    let mut digits = leading.to_string();
    let mut j = first_group;
    while let Some(group) = group_at(j) {
        digits.push_str(&format!("{group:03}"));
        j += 1;
    }
    Some(SplitNumber {
        key,
        position: value.position,
        digits,
        first_group,
    })
}

/// A key such as `500` (or `000`, which YAML reads as a number) with no value: three digits
/// after a thousands separator.
fn thousands_group(key: &Located<Node>, value: &Located<Node>) -> Option<u16> {
    if value.value != Node::Null {
        return None;
    }
    match key.value {
        Node::Integer(n) if (0..1000).contains(&n) => u16::try_from(n).ok(),
        Node::Float(f) if f.fract() == 0.0 && (0.0..1000.0).contains(&f) => Some(f as u16),
        _ => None,
    }
}

/// What to do about a string where an integer belongs (`"2500000"`, `2,500,000`).
fn integer_hint(value: &Node) -> String {
    let Node::String(text) = value else {
        return "write a whole number".to_string();
    };
    if let Some(digits) = without_thousands_separators(text) {
        return format!(
            "write {digits} without the thousands separators (with them, YAML reads the value as text)"
        );
    }
    if text.trim().parse::<i64>().is_ok() {
        "write the number without quotes".to_string()
    } else {
        "write a whole number in plain digits".to_string()
    }
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

    fn hints(text: &str) -> Vec<(String, Option<String>)> {
        let tree = parse_tree(text).expect("valid YAML");
        check_structure(&tree, &model_schema(), "m.yaml")
            .into_iter()
            .map(|d| (d.message, d.hint))
            .collect()
    }

    #[test]
    fn thousands_separators_are_named_as_the_problem() {
        let found = hints(&format!(
            "{MINIMAL}data:\n  - id: a\n    kind: x\n    records: 2,500,000\n"
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].1.as_deref(),
            Some(
                "write 2500000 without the thousands separators (with them, YAML reads the value as text)"
            )
        );
        let quoted = hints(&format!(
            "{MINIMAL}data:\n  - {{id: a, kind: x, records: \"2500000\"}}\n"
        ));
        assert_eq!(
            quoted[0].1.as_deref(),
            Some("write the number without quotes")
        );
        let words = hints(&format!(
            "{MINIMAL}data:\n  - {{id: a, kind: x, records: many}}\n"
        ));
        assert_eq!(
            words[0].1.as_deref(),
            Some("write a whole number in plain digits")
        );
    }

    #[test]
    fn a_number_split_by_its_commas_in_a_flow_mapping_is_one_problem() {
        let found = hints(&format!(
            "{MINIMAL}data:\n  - {{id: a, kind: x, records: 12,500,000, stored_in: []}}\n"
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("`data[0].records` is written with thousands separators"),
            "{found:?}"
        );
        assert_eq!(
            found[0].1.as_deref(),
            Some("write 12500000 without the thousands separators")
        );
        // A stray number key with no number before it is still just a wrong key.
        let stray = hints(&format!("{MINIMAL}data:\n  - {{id: a, kind: x, 500}}\n"));
        assert_eq!(
            stray[0].0, "keys must be strings; found integer",
            "{stray:?}"
        );
    }

    #[test]
    fn problems_carry_their_path() {
        let tree = parse_tree(&format!(
            "{MINIMAL}systems:\n  - id: a\n    nmae: A\n    platforms: [1]\n"
        ))
        .expect("valid YAML");
        let mut paths: Vec<String> = structural_problems(&tree, &model_schema(), "m.yaml")
            .into_iter()
            .map(|p| p.path)
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            vec![
                "systems[0]",
                "systems[0]",
                "systems[0]",
                "systems[0].platforms[0]"
            ]
        );
    }
}

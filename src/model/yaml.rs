//! The one place atkmap talks to its YAML library (serde-saphyr).
//!
//! Two readings of a model file: a generic tree with a position on every node, which the
//! structural checker walks to report every problem at once, and the typed [`ModelFile`],
//! read once the tree passed. The budget bounds hostile input (alias bombs, deep nesting,
//! node floods) before any of it reaches memory.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::format::ModelFile;
use super::hints::without_thousands_separators;
use super::located::{Located, ScalarWidth, position_of};
use crate::diag::{Code, Position};

/// Largest model file atkmap reads (16 MiB): far above any real model, far below harm.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of collections accepted (real models need about 5).
pub const MAX_DEPTH: usize = 64;
/// Most YAML nodes in one file, aliases expanded (a 10 000-system model needs about 400 000).
pub const MAX_NODES: usize = 1_000_000;
/// Most aliases (`*name`) in one file.
pub const MAX_ALIASES: usize = 10_000;

/// A YAML value with positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer (`17000000`).
    Integer(i128),
    /// A floating-point number (`18.1` written unquoted).
    Float(f64),
    /// A string, plain or quoted.
    String(String),
    /// A list, each item with its position.
    Sequence(Vec<Located<Node>>),
    /// A mapping's entries in file order, keys and values with their positions.
    Mapping(Vec<(Located<Node>, Located<Node>)>),
}

impl Node {
    /// The JSON Schema type name of this node, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "boolean",
            Node::Integer(_) => "integer",
            Node::Float(_) => "number",
            Node::String(_) => "string",
            Node::Sequence(_) => "array",
            Node::Mapping(_) => "object",
        }
    }
}

impl ScalarWidth for Node {
    fn width(&self) -> usize {
        match self {
            Node::String(s) => s.chars().count().max(1),
            Node::Integer(i) => i.to_string().len(),
            Node::Float(f) => f.to_string().len(),
            Node::Bool(b) => b.to_string().len(),
            _ => 1,
        }
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Integer(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Integer(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Integer(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        i128::try_from(v)
            .map(Node::Integer)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Located<Node>>()? {
            items.push(item);
        }
        Ok(Node::Sequence(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Located<Node>>()? {
            let value = map.next_value::<Located<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Mapping(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// Why a file could not be read as YAML at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The diagnostic code: `yaml-syntax`, `duplicate-key`, `input-limit` or `read-error`.
    pub code: Code,
    /// What is wrong, in words, without the position.
    pub message: String,
    /// Where, when the parser says; `None` for a problem of the whole file (its size).
    pub position: Option<Position>,
    /// What to do about it, when atkmap knows (`remove or rename one of the keys`).
    pub hint: Option<String>,
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_aliases = MAX_ALIASES;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Reads a file into the positioned tree.
pub fn parse_tree(text: &str) -> Result<Located<Node>, YamlError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            code: Code::InputLimit,
            message: format!(
                "the file is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
                text.len()
            ),
            position: None,
            hint: Some("split the model into several files".to_string()),
        });
    }
    if let Some((line, column, reached)) = super::alias_count::exceeds(text, MAX_NODES as u64) {
        return Err(YamlError {
            code: Code::InputLimit,
            message: format!(
                "too many YAML nodes: the aliases up to here expand to {reached} nodes; the limit \
                 is {MAX_NODES}, aliases expanded (an alias bomb?)"
            ),
            position: Some(Position {
                line,
                column,
                width: 0,
            }),
            hint: Some(format!(
                "atkmap limits model files to {MAX_FILE_BYTES} bytes, nesting depth {MAX_DEPTH}, \
                 {MAX_NODES} nodes and {MAX_ALIASES} aliases"
            )),
        });
    }
    with_deep_stack(|| {
        serde_saphyr::from_str_with_options::<Located<Node>>(text, options())
            .map_err(|e| explain_split_number(convert(e), text))
    })
}

/// `{records: 17,000,000}` reads as `records: 17` and the key `000` twice: when a duplicate key
/// is the group of a number written with thousands separators, the hint says so.
fn explain_split_number(mut error: YamlError, text: &str) -> YamlError {
    if error.code != Code::DuplicateKey {
        return error;
    }
    let digits = error.position.and_then(|p| {
        let line = text.lines().nth(p.line.checked_sub(1)? as usize)?;
        number_around(line, p.column as usize)
    });
    if let Some(digits) = digits {
        error.hint = Some(format!(
            "write {digits} without the thousands separators: inside `{{...}}` each comma \
             starts a new entry"
        ));
    }
    error
}

/// The number, written with thousands separators, that the digit at `column` (1-based) of
/// `line` belongs to; as plain digits.
fn number_around(line: &str, column: usize) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let at = column.checked_sub(1)?;
    if !chars.get(at)?.is_ascii_digit() {
        return None;
    }
    let part = |c: &char| c.is_ascii_digit() || *c == ',';
    let start = chars
        .get(..at)?
        .iter()
        .rposition(|c| !part(c))
        .map_or(0, |i| i + 1);
    let end = chars
        .get(at..)?
        .iter()
        .position(|c| !part(c))
        .map_or(chars.len(), |i| at + i);
    let written: String = chars.get(start..end)?.iter().collect();
    without_thousands_separators(written.trim_matches(','))
}

/// Reads the typed model; call after the tree passed the structural check.
pub fn parse_model(text: &str) -> Result<ModelFile, YamlError> {
    with_deep_stack(|| {
        serde_saphyr::from_str_with_options::<ModelFile>(text, options()).map_err(convert)
    })
}

/// Runs a parse on a thread with a stack deep enough for [`MAX_DEPTH`] levels of recursive
/// deserialisation even in debug builds, whatever thread the caller is on (test threads get
/// 2 MiB, where 64 levels of nested mappings would overflow).
#[allow(
    clippy::disallowed_methods,
    reason = "a thread is the only way to get a deeper stack; it is joined before returning"
)]
fn with_deep_stack<T: Send>(
    parse: impl FnOnce() -> Result<T, YamlError> + Send,
) -> Result<T, YamlError> {
    const STACK_BYTES: usize = 256 * 1024 * 1024;
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("atkmap-yaml".to_string())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, parse);
        match handle {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(e) => Err(YamlError {
                code: Code::ReadError,
                message: format!("cannot start the YAML parser thread: {e}"),
                position: None,
                hint: None,
            }),
        }
    })
}

fn convert(error: serde_saphyr::Error) -> YamlError {
    let position = error.location().and_then(|l| position_of(l, 1));
    let mut render = serde_saphyr::RenderOptions::default();
    render.snippets = serde_saphyr::SnippetMode::Off;
    let rendered = error.render_with_options(render);
    let message = describe_limit(&strip_location_suffix(rendered.trim()));
    let lower = message.to_lowercase();
    let (code, hint) = if lower.contains("limit") || lower.contains("too many") {
        (
            Code::InputLimit,
            Some(format!(
                "atkmap limits model files to {MAX_FILE_BYTES} bytes, nesting depth {MAX_DEPTH}, \
                 {MAX_NODES} nodes and {MAX_ALIASES} aliases"
            )),
        )
    } else if lower.contains("duplicate") {
        let message = message
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or_default();
        return YamlError {
            code: Code::DuplicateKey,
            message: message.to_string(),
            position,
            hint: Some("remove or rename one of the keys".to_string()),
        };
    } else {
        (Code::YamlSyntax, None)
    };
    YamlError {
        code,
        message,
        position,
        hint,
    }
}

/// Names the limit a budget message is about, in the user's terms.
fn describe_limit(message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.contains("recursion limit") || lower.contains("depth") {
        format!("nesting is deeper than the limit of {MAX_DEPTH} levels")
    } else if lower.contains("alias") {
        format!("too many aliases: the limit is {MAX_ALIASES} (an alias bomb?)")
    } else if lower.contains("nodes") || lower.contains("events") {
        format!("too many YAML nodes: the limit is {MAX_NODES}, aliases expanded")
    } else if lower.contains("budget breached") {
        format!("the file exceeds a parser limit ({message})")
    } else {
        message.to_string()
    }
}

/// serde-saphyr's plain messages end with " at line L, column C"; the position is reported
/// separately.
fn strip_location_suffix(message: &str) -> String {
    let first_line = message.lines().next().unwrap_or(message);
    match first_line.rfind(" at line ") {
        Some(cut) => first_line[..cut].to_string(),
        None => first_line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_has_positions() {
        let tree = parse_tree("a: 1\nb:\n  - x\n").expect("valid YAML");
        let Node::Mapping(entries) = &tree.value else {
            panic!("mapping expected")
        };
        assert_eq!(
            entries[1].0.position.map(|p| (p.line, p.column)),
            Some((2, 1))
        );
        let Node::Sequence(items) = &entries[1].1.value else {
            panic!("sequence expected")
        };
        assert_eq!(items[0].position.map(|p| (p.line, p.column)), Some((3, 5)));
    }

    #[test]
    fn syntax_error_is_located() {
        let e = parse_tree("a: [1, 2\nb: 3\n").expect_err("invalid YAML");
        assert_eq!(e.code, Code::YamlSyntax);
        assert!(e.position.is_some());
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let e = parse_tree("a: 1\na: 2\n").expect_err("duplicate key");
        assert_eq!(e.code, Code::DuplicateKey, "{e:?}");
    }

    #[test]
    fn a_duplicate_key_from_thousands_separators_says_so() {
        let e = parse_tree("data:\n  - {id: a, records: 17,000,000, kind: x}\n")
            .expect_err("duplicate key 000");
        assert_eq!(e.code, Code::DuplicateKey, "{e:?}");
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "write 17000000 without the thousands separators: inside `{...}` each comma \
                 starts a new entry"
            )
        );
        let e = parse_tree("a: 1\na: 2\n").expect_err("duplicate key");
        assert_eq!(e.hint.as_deref(), Some("remove or rename one of the keys"));
        assert_eq!(
            number_around("  - {records: 17,000,000, x: 1}", 22),
            Some("17000000".into())
        );
        assert_eq!(number_around("  - {records: 17,000,000, x: 1}", 3), None);
        assert_eq!(number_around("", 40), None);
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
            let name = ["b", "c", "d", "e", "f", "g", "h", "i"][i];
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = parse_tree(&text).expect_err("alias bomb");
        assert_eq!(e.code, Code::InputLimit, "{e:?}");
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse_tree(&text).expect_err("too deep");
        assert_eq!(e.code, Code::InputLimit, "{e:?}");
    }
}

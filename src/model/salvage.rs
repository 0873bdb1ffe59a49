//! Salvaging a structurally broken model, so that a typo in one system does not hide a wrong
//! reference in another.
//!
//! The typed format cannot be read while any item is broken. The items of `actors`, `systems`,
//! ... that failed the structural check are therefore blanked out of the text, line for line so
//! that every other position stays where it was, and the rest is read and validated as usual.
//! Only block-style section lists (each item a `- ` line of its own) are salvaged; a problem
//! anywhere else (the top level, `attack`, a flow-style list) leaves the file to its structural
//! diagnostics, as before.

use std::collections::{BTreeMap, BTreeSet};

use super::format::ModelFile;
use super::located::Located;
use super::structure::Problem;
use super::yaml::{self, Node};

/// The top-level keys whose values are lists of items.
const ITEM_SECTIONS: [&str; 7] = [
    "actors", "systems", "data", "flows", "controls", "threats", "accepted",
];

/// The intact part of a structurally broken model.
pub struct Salvaged {
    /// The model without its broken items; positions are those of the original file.
    pub file: Box<ModelFile>,
    /// The ids the left-out items define, with their section key (`systems`): references
    /// to them are not reported as unknown.
    pub left_out: Vec<LeftOut>,
}

/// An id defined by an item left out of a salvaged model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub section: String,
    pub id: String,
}

/// The intact part of `text` (read into `tree`, where the structural check found `problems`),
/// when the problems all lie inside items of block-style section lists and the rest reads as
/// a model; `None` otherwise.
pub fn salvage(text: &str, tree: &Located<Node>, problems: &[Problem]) -> Option<Salvaged> {
    let broken = broken_items(problems)?;
    let Node::Mapping(root) = &tree.value else {
        return None;
    };
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut left_out = Vec::new();
    for (section, indices) in &broken {
        let (key, value) = root
            .iter()
            .find(|(k, _)| matches!(&k.value, Node::String(s) if s == section))?;
        let Node::Sequence(items) = &value.value else {
            return None;
        };
        let key_line = key.position?.line as usize;
        let end = section_end(root, key_line, &lines);
        let spans = item_spans(items, &lines, key_line, end)?;
        blank_items(&mut lines, &spans, indices);
        left_out.extend(defined_ids(items, indices, section));
    }
    // The items kept passed the structural check already, and blanking whole lines leaves
    // them as they were: reading the typed format is the only check left.
    let file = yaml::parse_model(&lines.concat()).ok()?;
    Some(Salvaged {
        file: Box::new(file),
        left_out,
    })
}

/// The broken items, by section: every problem must lie inside one (`systems[2].platforms`).
fn broken_items(problems: &[Problem]) -> Option<BTreeMap<String, BTreeSet<usize>>> {
    if problems.is_empty() {
        return None;
    }
    let mut out: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for problem in problems {
        let (section, index) = item_of(&problem.path)?;
        out.entry(section.to_string()).or_default().insert(index);
    }
    Some(out)
}

/// `systems[2].platforms[0]` -> (`systems`, 2).
fn item_of(path: &str) -> Option<(&str, usize)> {
    let (section, rest) = path.split_once('[')?;
    let (index, _) = rest.split_once(']')?;
    if !ITEM_SECTIONS.contains(&section) {
        return None;
    }
    Some((section, index.parse().ok()?))
}

/// Where an item of a block list lies: its lines (1-based, inclusive) and its dash's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    first: usize,
    last: usize,
    dash: usize,
}

/// The last line of the section whose key is on `key_line`: the line before the next
/// top-level key, or the end of the file.
fn section_end(
    root: &[(Located<Node>, Located<Node>)],
    key_line: usize,
    lines: &[String],
) -> usize {
    root.iter()
        .filter_map(|(k, _)| k.position.map(|p| p.line as usize))
        .filter(|&line| line > key_line)
        .min()
        .map_or(lines.len(), |next| next - 1)
}

/// The span of every item, if the list is in block style: each item starts on a line of its
/// own after the key, with only its `-` before it, and each after the one before.
fn item_spans(
    items: &[Located<Node>],
    lines: &[String],
    key_line: usize,
    end: usize,
) -> Option<Vec<Span>> {
    let mut starts = Vec::with_capacity(items.len());
    for item in items {
        let p = item.position?;
        let line = p.line as usize;
        let dash = dash_before(lines.get(line.checked_sub(1)?)?, p.column as usize)?;
        let after_previous = starts.last().is_none_or(|&(previous, _)| line > previous);
        if line <= key_line || line > end || !after_previous {
            return None;
        }
        starts.push((line, dash));
    }
    let spans = starts
        .iter()
        .enumerate()
        .map(|(i, &(first, dash))| {
            let last = starts.get(i + 1).map_or(end, |&(next, _)| next - 1);
            Span { first, last, dash }
        })
        .collect();
    Some(spans)
}

/// The column (0-based, in characters) of the `-` that opens a block item starting at
/// `column` (1-based) of `line`, when only spaces and that dash come before it.
fn dash_before(line: &str, column: usize) -> Option<usize> {
    let before: String = line.chars().take(column.checked_sub(1)?).collect();
    let dash = before.find('-')?;
    let only_spaces = |s: &str| s.chars().all(|c| c == ' ');
    let (indent, rest) = (before.get(..dash)?, before.get(dash + 1..)?);
    (only_spaces(indent) && only_spaces(rest)).then(|| indent.chars().count())
}

/// Blanks the broken items' lines. When none of the list is left, its first line becomes an
/// empty flow list (`[]`, indented under the key) so the section still reads as a list.
fn blank_items(lines: &mut [String], spans: &[Span], broken: &BTreeSet<usize>) {
    for (i, span) in spans.iter().enumerate() {
        if !broken.contains(&i) {
            continue;
        }
        for number in span.first..=span.last {
            if let Some(line) = lines.get_mut(number - 1) {
                *line = line_ending(line).to_string();
            }
        }
    }
    let all_broken = (0..spans.len()).all(|i| broken.contains(&i));
    if let (true, Some(first)) = (all_broken, spans.first())
        && let Some(line) = lines.get_mut(first.first - 1)
    {
        *line = format!("{}[]{}", " ".repeat(first.dash + 1), line_ending(line));
    }
}

/// `\r\n`, `\n`, or nothing for a last line without one.
fn line_ending(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

/// The ids the broken items define (`id: portal`).
fn defined_ids(items: &[Located<Node>], broken: &BTreeSet<usize>, section: &str) -> Vec<LeftOut> {
    broken
        .iter()
        .filter_map(|&i| items.get(i))
        .filter_map(|item| match &item.value {
            Node::Mapping(entries) => {
                entries
                    .iter()
                    .find_map(|(k, v)| match (&k.value, &v.value) {
                        (Node::String(key), Node::String(id)) if key == "id" => Some(id.clone()),
                        _ => None,
                    })
            }
            _ => None,
        })
        .map(|id| LeftOut {
            section: section.to_string(),
            id,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"18.1\"}\n";

    fn salvaged(body: &str) -> Option<Salvaged> {
        crate::model::parse_and_salvage(&format!("{HEADER}{body}"), "m.yaml").1
    }

    #[test]
    fn broken_items_are_left_out_and_positions_kept() {
        let s = salvaged(
            "systems:\n  - id: a\n    nmae: A\n    platforms: [SaaS]\n    exposure: internet\n  - id: b\n    name: B\n    platforms: [SaaS]\n    exposure: internet\ndata:\n  - {id: d, kind: x, stored_in: [a, b]}\n",
        )
        .expect("salvaged");
        assert_eq!(s.file.systems.len(), 1);
        assert_eq!(s.file.systems[0].id.value, "b");
        assert_eq!(s.file.systems[0].id.position.map(|p| p.line), Some(9));
        assert_eq!(
            s.file.data[0].stored_in[1].position.map(|p| p.line),
            Some(14)
        );
        assert_eq!(
            s.left_out,
            vec![LeftOut {
                section: "systems".into(),
                id: "a".into()
            }]
        );
    }

    #[test]
    fn a_section_with_every_item_broken_reads_as_empty() {
        for body in [
            "systems:\n  - id: a\n    nmae: A\nactors:\n  - {id: x, name: X}\n",
            "systems:\n- id: a\n  nmae: A\n",
            "systems:\r\n  - id: a\r\n    nmae: A\r\n",
        ] {
            let s = salvaged(body).unwrap_or_else(|| panic!("salvaged: {body:?}"));
            assert!(s.file.systems.is_empty(), "{body:?}");
        }
    }

    #[test]
    fn problems_outside_items_or_flow_lists_are_not_salvaged() {
        assert!(salvaged("systms: []\n").is_none());
        assert!(salvaged("systems: [{id: a, nmae: A}]\n").is_none());
        assert!(salvaged("systems:\n  - &x\n    id: a\n    nmae: A\n").is_none());
        assert!(
            salvaged(
                "systems:\n  - id: a\n    name: A\n    platforms: [SaaS]\n    exposure: internet\n"
            )
            .is_none()
        );
    }

    #[test]
    fn item_paths() {
        assert_eq!(item_of("systems[2].platforms[0]"), Some(("systems", 2)));
        assert_eq!(item_of("accepted[10]"), Some(("accepted", 10)));
        assert_eq!(item_of("attack.version"), None);
        assert_eq!(item_of(""), None);
        assert_eq!(item_of("reuse_techniques[0]"), None);
    }

    #[test]
    fn dashes() {
        assert_eq!(dash_before("  - id: a", 5), Some(2));
        assert_eq!(dash_before("- id: a", 3), Some(0));
        assert_eq!(dash_before("    id: a", 5), None);
        assert_eq!(dash_before("x - id: a", 5), None);
    }
}

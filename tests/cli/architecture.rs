//! The architecture the README's "Repository layout" describes, checked: the library builds
//! without the binary's dependencies, no two files under `src/` import each other (directly
//! or in a loop), and every file is small enough to read in one sitting.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The largest a source file may be, in lines.
const MAX_LINES: usize = 800;

/// Every `.rs` file under `src/`, by path relative to the repository, with its text.
fn sources() -> BTreeMap<PathBuf, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                let relative = path.strip_prefix(common::repo()).expect("under the repo");
                out.insert(relative.to_path_buf(), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&common::repo().join("src"), &mut out);
    out
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| text.lines().count() > MAX_LINES)
        .map(|(path, text)| format!("{} ({} lines)", path.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// `cargo tree` of the library without the `cli` feature: none of the binary's crates.
#[test]
fn the_library_does_not_depend_on_the_binarys_crates() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(common::repo())
        .args([
            "tree",
            "--locked",
            "--offline",
            "--edges",
            "normal",
            "--no-default-features",
            "--package",
            "atkmap",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let crates: BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains("serde"), "{tree}");
    for binary_only in [
        "clap",
        "ureq",
        "indicatif",
        "memmap2",
        "anstream",
        "dirs",
        "tempfile",
    ] {
        assert!(
            !crates.contains(binary_only),
            "the library depends on {binary_only}"
        );
    }
}

/// A module path (`["report", "sarif"]`) for each file; the binary's root is `main.rs`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix("src").expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The text without comments and without `#[cfg(test)]` items: tests may reach anywhere.
fn code_of(text: &str) -> String {
    let uncommented: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    let mut rest = uncommented.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let (semi, brace) = (after.find(';'), after.find('{'));
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => matching_brace(after, b) + 1,
            (None, None) => after.len(),
        };
        rest = &after[end.min(after.len())..];
    }
    out.push_str(rest);
    out
}

fn matching_brace(text: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Every path a `use` tree names: `a::{b, c::{d}}` -> `a::b`, `a::c::d`.
fn use_paths(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![segments(path)];
    };
    let head = segments(&tree[..open]);
    let close = matching_brace(tree, open);
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(use_paths)
        .map(|tail| head.iter().cloned().chain(tail).collect())
        .collect()
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Paths written in code: `use` trees, and `crate::`/`super::`/`self::`/`atkmap::` inline.
fn referenced_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let tail = &rest[at + 4..];
        if before.is_none_or(|c| !c.is_alphanumeric() && c != '_')
            && let Some(end) = tail.find(';')
        {
            out.extend(use_paths(&tail[..end]));
        }
        rest = tail;
    }
    // Inline paths (`crate::report::Report`, `super::risk::role`, `render::diagrams`): every
    // maximal `a::b::c` run; which of them name modules is decided when resolving.
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = None;
    for (i, c) in code.char_indices().chain([(code.len(), ' ')]) {
        if is_word(c) || c == ':' {
            if start.is_none() {
                let after_colon = code[..i].ends_with(':');
                start = (!after_colon && c != ':').then_some(i);
            }
            continue;
        }
        if let Some(from) = start.take()
            && code[from..i].contains("::")
        {
            out.push(segments(&code[from..i]));
        }
    }
    out
}

/// File -> the files it imports from (other than itself).
fn import_graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files = sources();
    let test_only: BTreeSet<PathBuf> = files
        .iter()
        .flat_map(|(path, text)| {
            let dir = if path.ends_with("mod.rs") || path.ends_with("lib.rs") {
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                path.with_extension("")
            };
            text.split("#[cfg(test)]")
                .skip(1)
                .filter_map(|after| {
                    let item = after.trim_start();
                    let item = item.strip_prefix("pub(crate) ").unwrap_or(item);
                    let name = item.strip_prefix("mod ")?.split(';').next()?;
                    (!name.contains('{')).then(|| name.trim().to_string())
                })
                .flat_map(|name| {
                    [
                        dir.join(format!("{name}.rs")),
                        dir.join(&name).join("mod.rs"),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .keys()
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| (module_of(p), p.clone()))
        .collect();
    let resolve = |segments: &[String]| -> Option<&PathBuf> {
        (0..=segments.len())
            .rev()
            .find_map(|k| modules.get(&segments[..k]))
    };
    let mut graph = BTreeMap::new();
    for (path, text) in &files {
        if test_only.contains(path) {
            continue;
        }
        let me = module_of(path);
        let in_binary = path.starts_with("src/cli") || path.ends_with("main.rs");
        let mut targets = BTreeSet::new();
        for reference in referenced_paths(&code_of(text)) {
            let Some(first) = reference.first() else {
                continue;
            };
            let absolute: Vec<String> = match first.as_str() {
                "crate" if in_binary => reference[1..].to_vec(),
                "crate" | "atkmap" => reference[1..].to_vec(),
                "self" => me.iter().chain(&reference[1..]).cloned().collect(),
                "super" => {
                    let ups = reference.iter().take_while(|s| *s == "super").count();
                    let base = &me[..me.len().saturating_sub(ups)];
                    base.iter().chain(&reference[ups..]).cloned().collect()
                }
                _ => {
                    // A child module named without a prefix (`use codes::Code` in diag/mod.rs).
                    let child: Vec<String> = me.iter().chain(&reference[..1]).cloned().collect();
                    if !modules.contains_key(&child) {
                        continue;
                    }
                    me.iter().chain(&reference).cloned().collect()
                }
            };
            if let Some(target) = resolve(&absolute)
                && target != path
            {
                targets.insert(target.clone());
            }
        }
        graph.insert(path.clone(), targets);
    }
    graph
}

/// Strongly connected components of more than one file (Tarjan's algorithm, iteratively).
fn cycles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    let nodes: Vec<&PathBuf> = graph.keys().collect();
    let index_of: BTreeMap<&PathBuf, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            graph[*n]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let petgraph_edges = edges
        .iter()
        .enumerate()
        .flat_map(|(a, ts)| ts.iter().map(move |&b| (a as u32, b as u32)));
    let g = petgraph::graph::DiGraph::<(), ()>::from_edges(petgraph_edges);
    petgraph::algo::tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| c.iter().map(|i| nodes[i.index()].clone()).collect())
        .collect()
}

#[test]
fn no_two_source_files_import_each_other() {
    let graph = import_graph();
    // The checker sees real imports: the binary imports its commands, report its renderers.
    assert!(graph[Path::new("src/cli/mod.rs")].contains(Path::new("src/cli/report_cmd.rs")));
    assert!(graph[Path::new("src/report/render.rs")].contains(Path::new("src/report/html.rs")));
    assert!(graph[Path::new("src/diag/mod.rs")].contains(Path::new("src/diag/codes.rs")));
    let found = cycles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|files| {
            let inside: BTreeSet<&PathBuf> = files.iter().collect();
            files
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| inside.contains(b))
                        .map(move |b| format!("{} -> {}", a.display(), b.display()))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    assert!(described.is_empty(), "import cycles: {described:#?}");
}

#[test]
fn the_cycle_checker_finds_a_cycle() {
    let graph: BTreeMap<PathBuf, BTreeSet<PathBuf>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(a, bs)| {
        (
            PathBuf::from(a),
            bs.into_iter().map(PathBuf::from).collect(),
        )
    })
    .collect();
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), 3);
    assert_eq!(
        use_paths("super::{a, b::{c, d as e}}"),
        vec![
            vec!["super", "a"],
            vec!["super", "b", "c"],
            vec!["super", "b", "d"]
        ]
    );
}

//! Where a SARIF log's paths are relative to: the repository root.
//!
//! Code scanning resolves a result's `%SRCROOT%`-relative URI against the repository's root,
//! wherever atkmap ran (a workflow may `cd models` first). The root is `--sarif-root` when
//! given, else the nearest directory upwards from the working directory holding `.git` (a
//! directory, or a file in a worktree or submodule), else the working directory.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The root `--sarif-root` names, or the git root around the working directory.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if let Some(dir) = explicit {
        return Some(normalised(&cwd.join(dir)));
    }
    cwd.ancestors()
        .find(|dir| dir.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
        .or(Some(cwd))
}

/// Each model file (as the report names it) under `root`, to its path relative to the root
/// with `/` separators. Files outside the root are left out (they keep their own path).
pub fn relative_paths<'a>(
    root: &Path,
    files: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, String> {
    let Ok(cwd) = std::env::current_dir() else {
        return BTreeMap::new();
    };
    let root = normalised(root);
    files
        .into_iter()
        .filter_map(|file| {
            let absolute = normalised(&cwd.join(file));
            let relative = absolute.strip_prefix(&root).ok()?;
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some((file.to_string(), parts.join("/")))
        })
        .collect()
}

/// A path with `.` and `..` resolved lexically (a model path is reported as given, so the
/// same lexical view keeps the two consistent).
fn normalised(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_root_lexically() {
        assert_eq!(
            normalised(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        let cwd = std::env::current_dir().expect("cwd");
        let root = cwd.parent().expect("a parent").to_path_buf();
        let here = cwd
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let map = relative_paths(
            &root,
            ["models/m.yaml", "./x/../n.yaml", "/elsewhere/o.yaml"],
        );
        assert_eq!(map["models/m.yaml"], format!("{here}/models/m.yaml"));
        assert_eq!(map["./x/../n.yaml"], format!("{here}/n.yaml"));
        assert!(!map.contains_key("/elsewhere/o.yaml"));
    }
}

//! Reading model files from disk: expanding directories, enforcing the size limit, loading each
//! pinned ATT&CK release once, and running the model checks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::diag::{Code, Diagnostic};
use crate::model::date::Date;
use crate::model::yaml::MAX_FILE_BYTES;
use crate::model::{self, Model, Parsed};

use super::data_source::{DataOptions, LoadedRelease};
use super::failure::Failure;

/// One model file after checking.
pub struct CheckedFile {
    pub path: PathBuf,
    /// The file's text, for rendering diagnostics; empty when unreadable.
    pub source: String,
    /// The validated model, when the file has no errors.
    pub model: Option<Model>,
    /// The release the model pins, when it could be loaded.
    pub release: Option<Rc<LoadedRelease>>,
}

/// Everything a run learned about its model files.
pub struct CheckedModels {
    pub files: Vec<CheckedFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckedModels {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The source text of a file, by its display name.
    pub fn source_of(&self, file: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path.display().to_string() == file)
            .map(|f| f.source.as_str())
    }
}

/// The model files named by `paths`: files as given, directories searched for `*.yaml` and
/// `*.yml` (hidden directories and `target/` skipped), sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Failure::io("read", path, &e))?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, &mut out, 0)?;
            if out.len() == before {
                return Err(Failure::new(format!(
                    "{} holds no model files (*.yaml, *.yml)",
                    path.display()
                ))
                .hint("`atkmap init model.yaml` writes a starter model"));
            }
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), Failure> {
    if depth > 32 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::io("read directory", dir, &e))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, out, depth + 1)?;
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads, parses and validates every file; loads each pinned release once.
pub fn check_files(
    paths: &[PathBuf],
    data: &DataOptions,
    today: Date,
    hash: bool,
) -> Result<CheckedModels, Failure> {
    let mut releases: BTreeMap<(String, String), Rc<LoadedRelease>> = BTreeMap::new();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for path in expand(paths)? {
        let name = path.display().to_string();
        let source = match read_model(&path) {
            Ok(text) => text,
            Err(d) => {
                diagnostics.push(d);
                files.push(CheckedFile {
                    path,
                    source: String::new(),
                    model: None,
                    release: None,
                });
                continue;
            }
        };
        let (model, release) = match model::parse(&source, &name) {
            Parsed::Broken(problems) => {
                diagnostics.extend(problems);
                (None, None)
            }
            Parsed::File(file) => {
                let key = (
                    file.attack.domain.value.name().to_string(),
                    file.attack.version.value.clone(),
                );
                let release = match releases.get(&key) {
                    Some(r) => Rc::clone(r),
                    None => {
                        let loaded = Rc::new(data.load(Some((&key.0, &key.1)), hash)?);
                        releases.insert(key, Rc::clone(&loaded));
                        loaded
                    }
                };
                let (model, problems) = model::check(&file, &release.kb, &name, today);
                diagnostics.extend(problems);
                (model, Some(release))
            }
        };
        files.push(CheckedFile {
            path,
            source,
            model,
            release,
        });
    }
    crate::diag::sort(&mut diagnostics);
    Ok(CheckedModels { files, diagnostics })
}

/// Reads a model file within the size limit; problems become diagnostics of that file.
fn read_model(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let unreadable = |message: String| Diagnostic::new(Code::ReadError, &name, None, message);
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(format!("cannot read the file: {e}")))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(Diagnostic::new(
            Code::InputLimit,
            &name,
            None,
            format!("the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"),
        )
        .with_hint("split the model into several files"));
    }
    let bytes =
        std::fs::read(path).map_err(|e| unreadable(format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        unreadable(format!(
            "the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .with_hint("save the model as UTF-8")
    })
}

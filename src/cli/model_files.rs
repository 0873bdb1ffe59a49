//! Reading model files from disk: expanding directories, enforcing the size limit, loading each
//! pinned ATT&CK release once, and running the model checks.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use atkmap::diag::{Code, Diagnostic};
use atkmap::model::date::Date;
use atkmap::model::format::ModelFile;
use atkmap::model::yaml::MAX_FILE_BYTES;
use atkmap::model::{self, Model, Parsed, Salvaged};

use super::companions::Wanted;
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
    pub release: Option<Arc<LoadedRelease>>,
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
            let root = std::fs::canonicalize(path).map_err(|e| Failure::io("read", path, &e))?;
            walk(path, &root, &mut out, 0)?;
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

/// Collects the model files under `dir`. A symbolic link is followed only to a regular file
/// inside `root` (the directory the user named): a pull request can commit a link to
/// `/proc/self/environ` or `/dev/zero` under `models/`, and atkmap must not read it as a model
/// (a file named explicitly on the command line is the user's choice and is read).
fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), Failure> {
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
        let is_model = name.ends_with(".yaml") || name.ends_with(".yml");
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, root, out, depth + 1)?;
            }
        } else if kind.is_symlink() && is_model {
            let inside = std::fs::canonicalize(&path)
                .is_ok_and(|target| target.starts_with(root) && target.is_file());
            if inside {
                out.push(path);
            } else {
                super::output::print_stderr(&format!(
                    "warning: not reading {}: a symbolic link to something other than a file \
                     inside {} (name the file on the command line to read it)\n",
                    path.display(),
                    root.display()
                ));
            }
        } else if is_model {
            // A FIFO or device named *.yaml is listed too: reading refuses it with a message.
            out.push(path);
        }
    }
    Ok(())
}

/// A file read and parsed as far as the typed format, before the ATT&CK checks.
struct ParsedFile {
    path: PathBuf,
    source: String,
    parsed: Result<Box<ModelFile>, Vec<Diagnostic>>,
    /// The intact items of a structurally broken file, whose references are still checked.
    salvaged: Option<Salvaged>,
}

impl ParsedFile {
    fn read(path: &Path) -> ParsedFile {
        let name = path.display().to_string();
        let source = match read_model(path) {
            Ok(source) => source,
            Err(d) => {
                return ParsedFile {
                    path: path.to_path_buf(),
                    source: String::new(),
                    parsed: Err(vec![d]),
                    salvaged: None,
                };
            }
        };
        let (parsed, salvaged) = match model::parse_and_salvage(&source, &name) {
            (Parsed::File(file), _) => (Ok(file), None),
            (Parsed::Broken(problems), salvaged) => (Err(problems), salvaged),
        };
        ParsedFile {
            path: path.to_path_buf(),
            source,
            parsed,
            salvaged,
        }
    }
}

/// The releases the files pin, each loaded once with every companion any of its files pins
/// (a model's rules follow its own pins, so one release serves models with and without
/// companions). A valid file's release must load; a broken file's is loaded only if it is on
/// disk (never downloaded), to check what could be salvaged of it.
fn load_releases(parsed: &[ParsedFile], data: &DataOptions) -> Result<Releases, Failure> {
    let mut companions: BTreeMap<(String, String), Vec<Wanted>> = BTreeMap::new();
    let files = parsed.iter().filter_map(|f| f.parsed.as_ref().ok()).chain(
        parsed
            .iter()
            .filter_map(|f| f.salvaged.as_ref().map(|s| &s.file)),
    );
    for file in files {
        let list = companions.entry(pin(file)).or_default();
        list.extend(pinned_companions(file));
        list.sort();
        list.dedup();
    }
    let mut releases = Releases::new();
    for file in parsed {
        if let Ok(model_file) = &file.parsed
            && let Entry::Vacant(slot) = releases.entry(pin(model_file))
        {
            let (domain, version) = slot.key().clone();
            let wanted = &companions[&(domain.clone(), version.clone())];
            slot.insert(Some(Arc::new(
                data.load(Some((&domain, &version)), wanted)?,
            )));
        }
    }
    let on_disk = DataOptions {
        offline: true,
        ..data.clone()
    };
    for salvaged in parsed.iter().filter_map(|f| f.salvaged.as_ref()) {
        if let Entry::Vacant(slot) = releases.entry(pin(&salvaged.file)) {
            let (domain, version) = slot.key().clone();
            let wanted = &companions[&(domain.clone(), version.clone())];
            let loaded = on_disk.load(Some((&domain, &version)), wanted).ok();
            slot.insert(loaded.map(Arc::new));
        }
    }
    Ok(releases)
}

/// Releases by (domain, version); `None` for one a broken file pins that could not be loaded.
type Releases = BTreeMap<(String, String), Option<Arc<LoadedRelease>>>;

/// Reads, parses and validates every file (in parallel); loads each pinned release once.
pub fn check_files(
    paths: &[PathBuf],
    data: &DataOptions,
    today: Date,
) -> Result<CheckedModels, Failure> {
    let parsed: Vec<ParsedFile> = expand(paths)?
        .par_iter()
        .map(|path| ParsedFile::read(path))
        .collect();
    let releases = load_releases(&parsed, data)?;
    let release_of = |file: &ModelFile| releases.get(&pin(file)).cloned().flatten();
    let checked: Vec<(CheckedFile, Vec<Diagnostic>)> = parsed
        .par_iter()
        .map(|file| {
            let name = file.path.display().to_string();
            let (model, release, problems) = match (&file.parsed, &file.salvaged) {
                (Err(problems), None) => (None, None, problems.clone()),
                (Err(problems), Some(salvaged)) => {
                    let mut problems = problems.clone();
                    if let Some(r) = release_of(&salvaged.file) {
                        problems.extend(model::check_salvaged(salvaged, &r.kb, &name, today));
                    }
                    (None, None, problems)
                }
                (Ok(model_file), _) => match release_of(model_file) {
                    Some(r) => {
                        let (model, problems) = model::check(model_file, &r.kb, &name, today);
                        (model, Some(r), problems)
                    }
                    None => (None, None, Vec::new()),
                },
            };
            let checked = CheckedFile {
                path: file.path.clone(),
                source: file.source.clone(),
                model,
                release,
            };
            (checked, problems)
        })
        .collect();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for (file, problems) in checked {
        files.push(file);
        diagnostics.extend(problems);
    }
    atkmap::diag::sort(&mut diagnostics);
    Ok(CheckedModels { files, diagnostics })
}

/// The (domain, version) a model pins.
fn pin(file: &ModelFile) -> (String, String) {
    (
        file.attack.domain.value.name().to_string(),
        file.attack.version.value.clone(),
    )
}

/// The companions a model pins under `attack.frameworks`, in order, each once; names that do
/// not parse are left to validation to report.
pub fn pinned_companions(file: &ModelFile) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = file
        .attack
        .frameworks
        .iter()
        .filter_map(|f| Wanted::parse(&f.value).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reads a model file within the size limit; problems become diagnostics of that file.
pub fn read_model(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let unreadable = |message: String| Diagnostic::new(Code::ReadError, &name, None, message);
    let bytes = super::bulk_read::read_regular(path, MAX_FILE_BYTES as u64).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            Diagnostic::new(
                Code::InputLimit,
                &name,
                None,
                format!("the file is larger than the limit of {MAX_FILE_BYTES} bytes"),
            )
            .with_hint("split the model into several files")
        } else {
            unreadable(format!("cannot read the file: {e}"))
        }
    })?;
    String::from_utf8(bytes).map_err(|e| {
        unreadable(format!(
            "the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .with_hint("save the model as UTF-8")
    })
}

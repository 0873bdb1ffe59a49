//! What `atkmap report` computes, through the library, for tests that look at the `Report`
//! itself: model files read and checked against MITRE's bundles from the data directories
//! (each with every companion the models pin), and reports built from them.

use std::path::{Path, PathBuf};

use atkmap::analysis::Options;
use atkmap::attack::KnowledgeBase;
use atkmap::attack::framework::{Framework, OFFICIAL_FILES, parse_pin};
use atkmap::diag::Diagnostic;
use atkmap::model::date::Date;
use atkmap::model::{self, Model, Parsed};
use atkmap::report::Report;
use atkmap::report::build::{self, CompanionFile, DataSource};
use sha2::{Digest, Sha256};

/// Checked model files and the release they pin.
pub struct Checked {
    pub kb: KnowledgeBase,
    pub bundle: PathBuf,
    pub sha256: String,
    pub companions: Vec<CompanionFile>,
    /// The valid models, in the order of the paths.
    pub models: Vec<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// The model read from `path` (as given to [`check`]).
    pub fn model(&self, path: &Path) -> &Model {
        let name = path.display().to_string();
        self.models
            .iter()
            .find(|m| m.file == name)
            .unwrap_or_else(|| panic!("{name} was not checked or is invalid"))
    }

    /// The report on the models at `paths`, with their warnings, as `atkmap report` builds it.
    pub fn report(&self, paths: &[&Path], options: &Options) -> Report {
        let models: Vec<&Model> = paths.iter().map(|p| self.model(p)).collect();
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| names.contains(&d.file))
            .cloned()
            .collect();
        let source = DataSource {
            kb: &self.kb,
            file: self.bundle.display().to_string(),
            sha256: self.sha256.clone(),
            official: true,
            provenance_warning: None,
            companions: self
                .companions
                .iter()
                .map(|c| CompanionFile {
                    framework: c.framework,
                    file: c.file.clone(),
                    sha256: c.sha256.clone(),
                    official: c.official,
                })
                .collect(),
        };
        build::build(&source, &models, &diagnostics, options).expect("a report")
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads and checks the model files (all must pin one Enterprise release); `None` only when
/// the data is missing and `ATKMAP_SKIP_DATA` says to skip.
pub fn check(paths: &[PathBuf], today: Date) -> Option<Checked> {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        match model::parse_and_salvage(&text, &name).0 {
            Parsed::File(file) => files.push((name, file)),
            Parsed::Broken(problems) => diagnostics.extend(problems),
        }
    }
    let version = files.first().map_or_else(
        || "18.1".to_string(),
        |(_, f)| f.attack.version.value.clone(),
    );
    let bundle = super::bundle(&format!("enterprise-attack-{version}.json"))?;
    let bytes = std::fs::read(&bundle).expect("the bundle is readable");
    let mut kb = atkmap::attack::load_bundle(&bytes).expect("MITRE's bundle loads");
    let mut pinned: Vec<Framework> = files
        .iter()
        .flat_map(|(_, f)| &f.attack.frameworks)
        .filter_map(|f| parse_pin(&f.value).ok().map(|(framework, _)| framework))
        .collect();
    pinned.sort();
    pinned.dedup();
    let mut companions = Vec::new();
    for framework in pinned {
        let official = OFFICIAL_FILES
            .iter()
            .find(|o| o.framework == framework)
            .expect("an official file");
        let path = super::companion_dir()?.join(official.file_name);
        let bytes = std::fs::read(&path).expect("the companion file is readable");
        let companion = atkmap::attack::load_bundle(&bytes).expect("the companion loads");
        kb.add_companion(companion, framework, official.version)
            .expect("the companion merges");
        let sha256 = sha256_hex(&bytes);
        companions.push(CompanionFile {
            framework,
            file: path.display().to_string(),
            official: sha256 == official.sha256,
            sha256,
        });
    }
    let mut models = Vec::new();
    for (name, file) in &files {
        let (checked, problems) = model::check(file, &kb, name, today);
        models.extend(checked);
        diagnostics.extend(problems);
    }
    atkmap::diag::sort(&mut diagnostics);
    Some(Checked {
        kb,
        sha256: sha256_hex(&bytes),
        bundle,
        companions,
        models,
        diagnostics,
    })
}

//! Finding, loading and merging the companion knowledge bases (MITRE F3, MITRE ATLAS) a model
//! pins (`attack: {frameworks: [f3, atlas]}`) or the command line names (`--framework`).
//!
//! A companion is found like an ATT&CK release: `--framework FILE`; then the data directories
//! (`--data-dir` / `ATKMAP_DATA_DIR`, `./attack-data`, the user cache) by MITRE's file names
//! (`f3-stix-v1.1.json`, `stix-atlas-5.6.0.json`, `stix-atlas.json`); then, unless offline, a
//! download of the official file, saved only when its SHA-256 is the published one. A file's
//! version is the official file's when its SHA-256 is known, else what its name says, else
//! what its collection says (F3 states it; ATLAS's bundle does not). Every file passes through
//! the parsed-release cache like a release.

use std::path::{Path, PathBuf};

use atkmap::attack::KnowledgeBase;
use atkmap::attack::framework::{self, COMPANIONS, Framework, OFFICIAL_FILES, OfficialFile};
use atkmap::attack::release_name::{compare_versions, same_version};

use super::data_source::{DataOptions, LoadedCompanion, LoadedRelease};
use super::failure::Failure;

/// A companion asked for: by a model's pin or by `--framework NAME`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wanted {
    pub framework: Framework,
    pub version: Option<String>,
}

impl Wanted {
    /// Reads `f3`, `atlas` or `atlas@5.6.0`.
    pub fn parse(text: &str) -> Result<Wanted, framework::PinError> {
        framework::parse_pin(text).map(|(framework, version)| Wanted { framework, version })
    }

    fn describe(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.framework.title()),
            None => format!("any {} release", self.framework.title()),
        }
    }
}

/// A companion file found on disk by its name.
#[derive(Debug, Clone)]
pub struct FoundCompanion {
    pub framework: Framework,
    pub version: Option<String>,
    pub path: PathBuf,
}

/// Companion files in a directory, by MITRE's naming.
pub fn list_companions(dir: &Path) -> Vec<FoundCompanion> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<FoundCompanion> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let (framework, version) = framework::parse_file_name(e.file_name().to_str()?)?;
            Some(FoundCompanion {
                framework,
                version,
                path: e.path(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

impl DataOptions {
    /// Loads the release the options name: `--attack`, or the pinned `domain`/`version` (a
    /// model's pin) overridden by `--domain`/`--attack-version` when those are given.
    ///
    /// Companions (`companions`, and `--framework`) are merged into it.
    pub fn load(
        &self,
        pinned: Option<(&str, &str)>,
        companions: &[Wanted],
    ) -> Result<LoadedRelease, Failure> {
        let mut loaded = self.load_attack(pinned)?;
        loaded.companions = self.add_companions(&mut loaded.kb, companions)?;
        Ok(loaded)
    }

    /// Merges into `kb` every companion the pins and `--framework` ask for.
    pub fn add_companions(
        &self,
        kb: &mut KnowledgeBase,
        pinned: &[Wanted],
    ) -> Result<Vec<LoadedCompanion>, Failure> {
        let (named, files) = self.framework_args()?;
        let mut wanted: Vec<Wanted> = Vec::new();
        for w in pinned.iter().chain(&named) {
            match wanted.iter().find(|o| o.framework == w.framework) {
                Some(other) if other.version.is_some() && w.version.is_some() && other != w => {
                    return Err(Failure::new(format!(
                        "{} and {} are both asked for; one release of a framework at a time",
                        other.describe(),
                        w.describe()
                    )));
                }
                Some(_) => {
                    if w.version.is_some() {
                        wanted.retain(|o| o.framework != w.framework);
                        wanted.push(w.clone());
                    }
                }
                None => wanted.push(w.clone()),
            }
        }
        let mut loaded = Vec::new();
        for file in files {
            let companion = self.merge_file(kb, &file, None, &wanted)?;
            wanted.retain(|w| w.framework != companion.framework);
            loaded.push(companion);
        }
        wanted.sort();
        for w in wanted {
            let path = match self.find_companion(&w) {
                Some(path) => path,
                None => self.fetch_companion(&w)?,
            };
            loaded.push(self.merge_file(kb, &path, Some(w.framework), &[w])?);
        }
        loaded.sort_by_key(|c| c.framework);
        Ok(loaded)
    }

    /// `--framework` values: names (`f3`, `atlas@5.6.0`) and files.
    fn framework_args(&self) -> Result<(Vec<Wanted>, Vec<PathBuf>), Failure> {
        let mut names = Vec::new();
        let mut files = Vec::new();
        for value in &self.frameworks {
            let looks_like_name = !value.contains(['/', '\\']) && !value.ends_with(".json");
            if looks_like_name {
                names.push(Wanted::parse(value).map_err(|e| {
                    Failure::new(format!("--framework {e}"))
                        .hint("or name a companion STIX file: --framework ./f3-stix-v1.1.json")
                })?);
            } else {
                files.push(PathBuf::from(value));
            }
        }
        Ok((names, files))
    }

    /// The best local file for a companion and optional version.
    pub fn find_companion(&self, wanted: &Wanted) -> Option<PathBuf> {
        let mut candidates: Vec<FoundCompanion> = self
            .search_dirs()
            .iter()
            .flat_map(|d| list_companions(d))
            .filter(|c| c.framework == wanted.framework)
            .collect();
        match &wanted.version {
            Some(v) => candidates
                .iter()
                .find(|c| c.version.as_deref().is_some_and(|cv| same_version(cv, v)))
                // An unversioned file (ATLAS publishes `stix-atlas.json`) may be the one asked
                // for: its hash decides once loaded.
                .or_else(|| candidates.iter().find(|c| c.version.is_none()))
                .map(|c| c.path.clone()),
            None => {
                candidates.sort_by(|a, b| match (&a.version, &b.version) {
                    (Some(x), Some(y)) => compare_versions(y, x),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                });
                candidates.into_iter().next().map(|c| c.path)
            }
        }
    }

    fn fetch_companion(&self, wanted: &Wanted) -> Result<PathBuf, Failure> {
        let official = official_file(wanted)?;
        if self.offline {
            let searched: Vec<String> = self
                .search_dirs()
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            return Err(Failure::new(format!(
                "{} is not available locally and --offline forbids downloading it",
                wanted.describe()
            ))
            .hint(format!("searched: {}", searched.join(", ")))
            .hint(manual_hint(official)));
        }
        fetch_companion(wanted)
    }

    /// Loads one companion file and merges it; `expected` is the framework its name or the
    /// pin promises, `wanted` the versions asked for.
    fn merge_file(
        &self,
        kb: &mut KnowledgeBase,
        path: &Path,
        expected: Option<Framework>,
        wanted: &[Wanted],
    ) -> Result<LoadedCompanion, Failure> {
        let (companion, sha256) = self.load_release_file(path)?;
        let Some(framework) = expected.or_else(|| framework_of(&companion)) else {
            return Err(Failure::new(format!(
                "{} is neither MITRE F3 nor MITRE ATLAS: its techniques carry neither the F3 \
                 nor the ATLAS platform",
                path.display()
            ))
            .hint("--framework takes f3, atlas, or a companion STIX file (f3-stix-v1.1.json)"));
        };
        let official = framework::official_by_sha256(&sha256).filter(|o| o.framework == framework);
        let version = official
            .map(|o| o.version.to_string())
            .or_else(|| {
                let name = path.file_name()?.to_str()?;
                framework::parse_file_name(name).and_then(|(_, v)| v)
            })
            .or_else(|| {
                (framework == Framework::F3 && !companion.release.version.is_empty())
                    .then(|| companion.release.version.clone())
            })
            .unwrap_or_default();
        if let Some(asked) = wanted
            .iter()
            .find(|w| w.framework == framework)
            .and_then(|w| w.version.as_deref())
            && !same_version(&version, asked)
        {
            let holds = if version.is_empty() {
                format!("{} of no stated version", framework.title())
            } else {
                format!("{} {version}", framework.title())
            };
            let mut failure = Failure::new(format!(
                "{} holds {holds}, but {} {asked} was asked for",
                path.display(),
                framework.title()
            ));
            if let Ok(official) = official_file(&Wanted {
                framework,
                version: Some(asked.to_string()),
            }) {
                failure = failure.hint(manual_hint(official));
            }
            return Err(failure);
        }
        kb.add_companion(companion, framework, &version)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        Ok(LoadedCompanion {
            framework,
            path: path.to_path_buf(),
            sha256,
            official: official.is_some(),
        })
    }
}

/// Downloads the official file of a companion (the version asked for, or the newest atkmap can
/// verify) into the user cache.
pub fn fetch_companion(wanted: &Wanted) -> Result<PathBuf, Failure> {
    super::fetch::fetch_companion(official_file(wanted)?)
}

/// The framework a companion bundle is, by the platform its techniques carry.
fn framework_of(companion: &KnowledgeBase) -> Option<Framework> {
    COMPANIONS.into_iter().find(|f| {
        let platform = f.platform().unwrap_or_default();
        companion
            .techniques
            .iter()
            .any(|t| t.platforms.iter().any(|p| p == platform))
    })
}

/// The official file for a wanted companion: the version asked for, or the newest known.
fn official_file(wanted: &Wanted) -> Result<&'static OfficialFile, Failure> {
    let mut known: Vec<&OfficialFile> = OFFICIAL_FILES
        .iter()
        .filter(|o| o.framework == wanted.framework)
        .collect();
    known.sort_by(|a, b| compare_versions(b.version, a.version));
    let found = match &wanted.version {
        Some(v) => known.iter().find(|o| same_version(o.version, v)).copied(),
        None => known.first().copied(),
    };
    found.ok_or_else(|| {
        let versions: Vec<&str> = known.iter().map(|o| o.version).collect();
        Failure::new(format!(
            "{} is not available locally, and atkmap downloads only the official files it can \
             verify ({} {})",
            wanted.describe(),
            wanted.framework.title(),
            versions.join(", ")
        ))
        .hint(format!(
            "download it from {} and pass it with --framework FILE, or put it in a data directory",
            wanted.framework.site()
        ))
    })
}

/// How to put an official companion file in place by hand.
pub fn manual_hint(official: &OfficialFile) -> String {
    format!(
        "download {} ({}) and pass it with --framework FILE, or put it in a directory named by \
         --data-dir or ATKMAP_DATA_DIR",
        official.url, official.file_name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_framework_names_with_optional_versions() {
        assert_eq!(
            Wanted::parse("atlas@5.6.0"),
            Ok(Wanted {
                framework: Framework::Atlas,
                version: Some("5.6.0".into())
            })
        );
        assert_eq!(
            Wanted::parse("F3"),
            Ok(Wanted {
                framework: Framework::F3,
                version: None
            })
        );
        assert!(Wanted::parse("attack").is_err());
        assert!(Wanted::parse("d3fend").is_err());
    }

    #[test]
    fn only_verifiable_files_are_downloaded() {
        let f3 = Wanted::parse("f3").expect("f3");
        assert_eq!(official_file(&f3).map(|o| o.version).ok(), Some("1.1"));
        let old = Wanted::parse("atlas@4.0").expect("atlas");
        assert!(official_file(&old).is_err());
    }
}

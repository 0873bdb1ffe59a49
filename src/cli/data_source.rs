//! Finding the ATT&CK bundle a command needs, and loading it.
//!
//! Search order: `--attack FILE`; then `--data-dir` / `ATKMAP_DATA_DIR` (a list of directories,
//! separated like `PATH`); the user cache; the project-local `attack-data/`. A bundle found by
//! name must be MITRE's file for the release it holds when atkmap knows that file's SHA-256
//! ([`atkmap::attack::official`]); one passed with `--attack` is the user's choice, and reports
//! say when it is not MITRE's. Without a version the newest release present is used. When
//! nothing matches, the release is downloaded into the cache unless the user said `--offline`.

use std::path::{Path, PathBuf};

use atkmap::attack::KnowledgeBase;
use atkmap::attack::official::{Provenance, provenance};
use atkmap::attack::release_name::{ReleaseName, compare_versions, same_version};

use atkmap::attack::Framework;

use super::bundle_file::{cache_dir, cached_releases_dir, load_file_hashed, manual_supply_hint};
use super::failure::Failure;
use super::fetch;
use super::output::print_stderr;

/// Where ATT&CK data may come from, as the global options say.
#[derive(Debug, Clone, Default)]
pub struct DataOptions {
    pub attack_file: Option<PathBuf>,
    pub data_dirs: Vec<PathBuf>,
    pub domain: Option<String>,
    pub version: Option<String>,
    pub offline: bool,
    /// Neither read nor write the parsed-release cache.
    pub no_cache: bool,
    /// `--framework` values: companion names (`f3`, `atlas@5.6.0`) or files.
    pub frameworks: Vec<String>,
}

/// A companion merged into a release, and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedCompanion {
    pub framework: Framework,
    pub path: PathBuf,
    pub sha256: String,
    /// The file is byte for byte one MITRE published (its SHA-256 is known).
    pub official: bool,
}

/// A release file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRelease {
    pub path: PathBuf,
    pub name: ReleaseName,
}

/// A loaded release and where it came from.
#[derive(Debug)]
pub struct LoadedRelease {
    pub kb: KnowledgeBase,
    pub path: PathBuf,
    /// SHA-256 of the bundle file, hex; computed only when asked for (reports).
    pub sha256: String,
    /// The companions (F3, ATLAS) merged into `kb`.
    pub companions: Vec<LoadedCompanion>,
    /// Whether the bundle is MITRE's file for the release it holds.
    pub provenance: Provenance,
}

impl LoadedRelease {
    /// What a report says when the bundle is not verifiably MITRE's.
    pub fn provenance_warning(&self) -> Option<String> {
        let release = &self.kb.release;
        match &self.provenance {
            Provenance::Official => None,
            Provenance::Altered { expected } => Some(format!(
                "the ATT&CK data ({}) is not MITRE's file for {} {}: its SHA-256 is {}, MITRE's \
                 is {expected}",
                self.path.display(),
                release.domain,
                release.version,
                self.sha256
            )),
            Provenance::Unverified => Some(format!(
                "the ATT&CK data ({}) could not be verified: atkmap knows no SHA-256 for {} {}",
                self.path.display(),
                release.domain,
                if release.version.is_empty() {
                    "without a version"
                } else {
                    &release.version
                }
            )),
        }
    }
}

/// The provenance of a loaded bundle from its SHA-256.
fn provenance_of(kb: &KnowledgeBase, sha256: &str) -> Provenance {
    provenance(&kb.release.domain, &kb.release.version, sha256)
}

impl DataOptions {
    /// The directories searched for release files, in order.
    pub fn search_dirs(&self) -> Vec<PathBuf> {
        // The user cache before the project's `attack-data/`: a pull request can add files to
        // the project, not to the cache (and a bundle found by name must be MITRE's anyway).
        let mut dirs = self.data_dirs.clone();
        if let Some(d) = cached_releases_dir() {
            dirs.push(d);
        }
        dirs.push(PathBuf::from("attack-data"));
        dirs
    }

    /// The domain asked for, `enterprise` by default.
    pub fn domain(&self) -> &str {
        self.domain.as_deref().unwrap_or("enterprise")
    }

    /// The bundle's SHA-256 is always computed (beside the parse, or known from the cache):
    /// a bundle found by name must be MITRE's file for the release it says it holds.
    pub(super) fn load_attack(
        &self,
        pinned: Option<(&str, &str)>,
    ) -> Result<LoadedRelease, Failure> {
        if let Some(file) = &self.attack_file {
            let (kb, sha256) = self.load_release_file(file)?;
            if let Some((domain, version)) = pinned {
                check_release(&kb, file, domain, Some(version))?;
            }
            // --domain and --attack-version name what the user expects the file to hold.
            if self.domain.is_some() || self.version.is_some() {
                check_release(
                    &kb,
                    file,
                    self.domain.as_deref().unwrap_or(&kb.release.domain),
                    self.version.as_deref(),
                )?;
            }
            // Passed explicitly: the user's choice, marked when it is not MITRE's file.
            let provenance = provenance_of(&kb, &sha256);
            return Ok(LoadedRelease {
                kb,
                path: file.clone(),
                sha256,
                companions: Vec::new(),
                provenance,
            });
        }
        let domain = self
            .domain
            .as_deref()
            .or(pinned.map(|p| p.0))
            .unwrap_or("enterprise");
        let version = self.version.as_deref().or(pinned.map(|p| p.1));
        let path = match self.find(domain, version) {
            Some(found) => found.path,
            None => self.fetch_missing(domain, version)?,
        };
        let (kb, sha256) = self.load_release_file(&path)?;
        check_release(&kb, &path, domain, version)?;
        let provenance = provenance_of(&kb, &sha256);
        if let Provenance::Altered { expected } = provenance {
            return Err(Failure::new(format!(
                "{} says it is ATT&CK {} {}, but it is not MITRE's file: its SHA-256 is {}, \
                 MITRE's is {expected}",
                path.display(),
                kb.release.domain,
                kb.release.version,
                sha256
            ))
            .hint(format!(
                "delete it (atkmap then downloads the release and checks it), or pass a file \
                 you trust explicitly with --attack FILE; data is searched in: {}",
                self.search_dirs()
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(LoadedRelease {
            kb,
            path,
            sha256,
            companions: Vec::new(),
            provenance,
        })
    }

    /// The best local file for a domain and optional version.
    pub fn find(&self, domain: &str, version: Option<&str>) -> Option<FoundRelease> {
        let mut candidates: Vec<FoundRelease> = self
            .search_dirs()
            .iter()
            .flat_map(|d| list_releases(d))
            .filter(|r| r.name.domain == domain)
            .collect();
        match version {
            Some(v) => candidates.into_iter().find(|r| {
                r.name
                    .version
                    .as_deref()
                    .is_some_and(|rv| same_version(rv, v))
            }),
            None => {
                // Newest versioned file wins; the unversioned "latest" file only when alone.
                // A stable sort keeps search order among equals, so take the first maximum.
                candidates.sort_by(|a, b| match (&a.name.version, &b.name.version) {
                    (Some(x), Some(y)) => compare_versions(y, x),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                });
                candidates.into_iter().next()
            }
        }
    }

    /// Loads a bundle file through the parsed-release cache unless `--no-cache`.
    pub fn load_release_file(&self, path: &Path) -> Result<(KnowledgeBase, String), Failure> {
        match (self.no_cache, cache_dir()) {
            (false, Some(dir)) => super::release_cache::load(path, &dir.join("index")),
            _ => load_file_hashed(path),
        }
    }

    fn fetch_missing(&self, domain: &str, version: Option<&str>) -> Result<PathBuf, Failure> {
        let wanted = match version {
            Some(v) => format!("ATT&CK {domain} {v}"),
            None => format!("any ATT&CK {domain} release"),
        };
        let searched: Vec<String> = self
            .search_dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        if self.offline {
            return Err(Failure::new(format!(
                "{wanted} is not available locally and --offline forbids downloading it"
            ))
            .hint(format!("searched: {}", searched.join(", ")))
            .hint(manual_supply_hint(domain, version)));
        }
        print_stderr(&format!(
            "note: {wanted} not found locally (searched {}); downloading it\n",
            searched.join(", ")
        ));
        fetch::fetch_release(domain, version)
    }
}

/// Release files in a directory, by MITRE's naming; a missing directory has none.
pub fn list_releases(dir: &Path) -> Vec<FoundRelease> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<FoundRelease> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = ReleaseName::parse(e.file_name().to_str()?)?;
            Some(FoundRelease {
                path: e.path(),
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Refuses a bundle that is not the release asked for: a gap report is never computed on the
/// wrong data.
fn check_release(
    kb: &KnowledgeBase,
    path: &Path,
    domain: &str,
    version: Option<&str>,
) -> Result<(), Failure> {
    let release = &kb.release;
    if release.domain != domain {
        return Err(Failure::new(format!(
            "{} holds the ATT&CK {} domain, but {domain} was asked for",
            path.display(),
            release.domain
        )));
    }
    if let Some(v) = version
        && !release.version.is_empty()
        && !same_version(&release.version, v)
    {
        return Err(Failure::new(format!(
            "{} holds ATT&CK {domain} {}, but {v} was asked for",
            path.display(),
            release.version
        ))
        .hint(manual_supply_hint(domain, Some(v))));
    }
    Ok(())
}

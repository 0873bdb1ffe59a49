//! What atkmap downloads, and where it keeps it: official ATT&CK releases and companion files,
//! saved into the user cache.
//!
//! MITRE publishes releases in its attack-stix-data repository, laid out as
//! `{BASE}/{domain}-attack/{domain}-attack-{version}.json`, with an index of every release at
//! `{BASE}/index.json`. A download is read into memory under a size limit, parsed, and checked
//! to be the release that was asked for; only then is it written, atomically, into the cache
//! under MITRE's file name (`enterprise-attack-18.1.json`). A failed, truncated, oversized or
//! wrong download therefore leaves nothing behind. A companion file (F3, ATLAS) is saved only
//! when its SHA-256 is the one MITRE published.
//!
//! How one download is made (size limit, deadline, redirects, proxies, and their
//! `ATKMAP_DOWNLOAD_LIMIT` and `ATKMAP_DOWNLOAD_TIMEOUT` variables) is [`super::download`]'s
//! business; this module decides what to download and checks what arrived.
//!
//! Environment:
//!
//! - `ATKMAP_ATTACK_BASE_URL` replaces BASE (default [`DEFAULT_BASE_URL`]), for a mirror or a
//!   test server. The mirror must keep MITRE's layout: release URLs are always built from BASE
//!   and the version, never taken from the index, so a verbatim copy of MITRE's `index.json`
//!   (whose URLs point at GitHub) still downloads from the mirror.
//! - `ATKMAP_COMPANION_BASE_URL` replaces the directory official companion files are downloaded
//!   from (see [`COMPANION_BASE_URL_ENV`]).

use std::io::IsTerminal;
use std::path::PathBuf;

use serde::Deserialize;

use atkmap::attack::framework::OfficialFile;
use atkmap::attack::load_bundle;
use atkmap::attack::release_name::{
    DOMAINS, ReleaseName, compare_versions, is_version, same_version,
};

use super::bundle_file::{cached_releases_dir, manual_supply_hint};
use super::download::{Download, Failed, Fetched, Source, place};
use super::failure::Failure;
use super::output::{print_stderr, write_atomically};

/// Where MITRE publishes ATT&CK releases.
pub const DEFAULT_BASE_URL: &str =
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master";
/// Environment variable replacing [`DEFAULT_BASE_URL`] (a mirror with MITRE's layout).
pub const BASE_URL_ENV: &str = "ATKMAP_ATTACK_BASE_URL";

/// Downloads a release (the newest when `version` is `None`) and returns the cached file.
///
/// Progress and the file's destination are reported on stderr; nothing goes to stdout.
pub fn fetch_release(domain: &str, version: Option<&str>) -> Result<PathBuf, Failure> {
    if !DOMAINS.contains(&domain) {
        return Err(Failure::new(format!(
            "{domain:?} is not an ATT&CK domain (expected one of {})",
            DOMAINS.join(", ")
        )));
    }
    if let Some(v) = version
        && !is_version(v)
    {
        return Err(Failure::new(format!(
            "{v:?} is not an ATT&CK release version (like 18.1)"
        )));
    }
    let dir = cached_releases_dir().ok_or_else(|| {
        Failure::new("cannot download ATT&CK data: this system has no user cache directory")
            .hint("set ATKMAP_CACHE_DIR to a directory atkmap may write to")
            .hint(manual_supply_hint(domain, version))
    })?;
    let releases = Releases::from_env()?;

    let (version, fetched) = match version {
        None => {
            let index = releases.index(domain)?;
            let newest = releases.newest(&index, domain)?;
            let url = releases.release_url(domain, &newest);
            let fetched = releases
                .download_release(domain, &newest, &url)
                .map_err(|e| releases.failure(e, domain, &newest, &url))?;
            (newest, fetched)
        }
        Some(asked) => {
            let url = releases.release_url(domain, asked);
            match releases.download_release(domain, asked, &url) {
                Ok(fetched) => (asked.to_string(), fetched),
                Err(Failed {
                    why: Download::Status(404),
                    at,
                }) => releases.retry_from_index(domain, asked, &url, &at)?,
                Err(e) => return Err(releases.failure(e, domain, asked, &url)),
            }
        }
    };

    // The URL the bytes came from, after any redirect.
    let Fetched { bytes, url } = fetched;
    verify(&bytes, domain, &version, &url)?;
    let name = ReleaseName {
        domain: domain.to_string(),
        version: Some(version.clone()),
    };
    let path = dir.join(name.file_name());
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::io("create the cache directory", &dir, &e)
            .hint(manual_supply_hint(domain, Some(&version)))
    })?;
    write_atomically(&path, &bytes)?;
    print_stderr(&format!(
        "note: saved ATT&CK {domain} {version} to {}\n",
        path.display()
    ));
    Ok(path)
}

/// Environment variable replacing the directory official companion files are downloaded from
/// (a mirror or test server holding them under their file names: `f3-stix-v1.1.json`).
pub const COMPANION_BASE_URL_ENV: &str = "ATKMAP_COMPANION_BASE_URL";

/// Downloads an official companion file (F3, ATLAS) into the user cache; it is saved only if
/// its SHA-256 is the one MITRE published, so nothing else can land under its name.
pub fn fetch_companion(official: &OfficialFile) -> Result<PathBuf, Failure> {
    let what = format!("{} {}", official.framework.title(), official.version);
    let manual = || {
        format!(
            "download {} from {} and pass it with --framework FILE, or put it in a directory \
             named by --data-dir or ATKMAP_DATA_DIR",
            official.file_name, official.url
        )
    };
    let dir = cached_releases_dir().ok_or_else(|| {
        Failure::new(format!(
            "cannot download {what}: this system has no user cache directory"
        ))
        .hint("set ATKMAP_CACHE_DIR to a directory atkmap may write to")
        .hint(manual())
    })?;
    let source = Source::from_env()?;
    let url = match std::env::var(COMPANION_BASE_URL_ENV) {
        Ok(base) if !base.trim().is_empty() => {
            format!(
                "{}/{}",
                base.trim().trim_end_matches('/'),
                official.file_name
            )
        }
        _ => official.url.to_string(),
    };
    print_stderr(&format!("note: downloading {what} from {url}\n"));
    let fetched = source
        .get(&url, std::io::stderr().is_terminal())
        .map_err(|e| source.describe(e, &what, &url).hint(manual()))?;
    let bytes = fetched.bytes;
    let sha256 = super::bundle_file::sha256_hex(&bytes);
    if sha256 != official.sha256 {
        return Err(Failure::new(format!(
            "the file downloaded from {} is not the official {what} (SHA-256 {sha256}, \
             expected {}); nothing was saved",
            fetched.url, official.sha256
        ))
        .hint(manual()));
    }
    let path = dir.join(official.file_name);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::io("create the cache directory", &dir, &e).hint(manual()))?;
    write_atomically(&path, &bytes)?;
    print_stderr(&format!("note: saved {what} to {}\n", path.display()));
    Ok(path)
}

/// MITRE's index of releases (`index.json`), as much of it as atkmap reads.
#[derive(Debug, Deserialize)]
struct Index {
    collections: Vec<IndexCollection>,
}

#[derive(Debug, Deserialize)]
struct IndexCollection {
    name: String,
    #[serde(default)]
    versions: Vec<IndexVersion>,
}

#[derive(Debug, Deserialize)]
struct IndexVersion {
    version: String,
}

/// The versions the index lists for a domain, newest first; `None` when the domain is absent.
fn index_versions(index: &Index, domain: &str) -> Option<Vec<String>> {
    // "Enterprise ATT&CK", "Mobile ATT&CK", "ICS ATT&CK".
    let wanted = format!("{domain} ATT&CK");
    let collection = index
        .collections
        .iter()
        .find(|c| c.name.trim().eq_ignore_ascii_case(&wanted))?;
    let mut versions: Vec<String> = collection
        .versions
        .iter()
        .map(|v| v.version.trim().to_string())
        .filter(|v| is_version(v))
        .collect();
    versions.sort_by(|a, b| compare_versions(b, a));
    versions.dedup_by(|a, b| same_version(a, b));
    Some(versions)
}

/// Where releases come from: MITRE's layout under a base URL, fetched by a [`Source`].
struct Releases {
    base: String,
    source: Source,
}

impl Releases {
    fn from_env() -> Result<Releases, Failure> {
        let base = match std::env::var(BASE_URL_ENV) {
            Ok(v) if !v.trim().is_empty() => v.trim().trim_end_matches('/').to_string(),
            _ => DEFAULT_BASE_URL.to_string(),
        };
        Ok(Releases {
            base,
            source: Source::from_env()?,
        })
    }

    fn index_url(&self) -> String {
        format!("{}/index.json", self.base)
    }

    fn release_url(&self, domain: &str, version: &str) -> String {
        format!(
            "{}/{domain}-attack/{domain}-attack-{version}.json",
            self.base
        )
    }

    /// Downloads and parses MITRE's index of releases.
    fn index(&self, domain: &str) -> Result<Index, Failure> {
        let url = self.index_url();
        let fetched = self.source.get(&url, false).map_err(|e| {
            self.source.describe(e, "the list of ATT&CK releases", &url)
                .hint("name the release (--attack-version, or `data fetch --version`) to download it without the list")
                .hint(manual_supply_hint(domain, None))
        })?;
        serde_json::from_slice(&fetched.bytes).map_err(|e| {
            let failure = Failure::new(format!(
                "the list of ATT&CK releases at {} is not MITRE's index.json: {e}",
                fetched.url
            ));
            let failure = if self.base == DEFAULT_BASE_URL {
                failure
            } else {
                failure.hint(format!(
                    "{BASE_URL_ENV} must name a mirror laid out as {DEFAULT_BASE_URL}"
                ))
            };
            failure.hint(manual_supply_hint(domain, None))
        })
    }

    /// The newest version the index lists for a domain.
    fn newest(&self, index: &Index, domain: &str) -> Result<String, Failure> {
        index_versions(index, domain)
            .and_then(|v| v.into_iter().next())
            .ok_or_else(|| {
                Failure::new(format!(
                    "the list of ATT&CK releases at {} names no {domain} release",
                    self.index_url()
                ))
                .hint(manual_supply_hint(domain, None))
            })
    }

    fn download_release(&self, domain: &str, version: &str, url: &str) -> Result<Fetched, Failed> {
        print_stderr(&format!(
            "note: downloading ATT&CK {domain} {version} from {url}\n"
        ));
        self.source.get(url, std::io::stderr().is_terminal())
    }

    /// After a 404 for an asked version (at `url`, or at `at` it redirected to): the index may
    /// spell it differently (`18` for `18.0`); otherwise the version is unknown and the error
    /// lists the known ones.
    fn retry_from_index(
        &self,
        domain: &str,
        asked: &str,
        url: &str,
        at: &str,
    ) -> Result<(String, Fetched), Failure> {
        let not_published = || {
            Failure::new(format!(
                "ATT&CK {domain} {asked} is not published: the server answered HTTP 404 for {}",
                place(url, at)
            ))
        };
        let Ok(index) = self.index(domain) else {
            return Err(not_published()
                .hint(format!(
                    "the list of releases ({}) could not be read either",
                    self.index_url()
                ))
                .hint(manual_supply_hint(domain, Some(asked))));
        };
        let versions = index_versions(&index, domain).unwrap_or_default();
        if let Some(known) = versions
            .iter()
            .find(|v| same_version(v, asked) && v.as_str() != asked)
        {
            let url = self.release_url(domain, known);
            return match self.download_release(domain, known, &url) {
                Ok(fetched) => Ok((known.clone(), fetched)),
                Err(e) => Err(self.failure(e, domain, known, &url)),
            };
        }
        let failure = not_published();
        Err(if versions.is_empty() {
            failure.hint(format!(
                "MITRE's list of releases names no {domain} release"
            ))
        } else {
            failure.hint(format!(
                "versions MITRE lists for {domain}: {}",
                versions.join(", ")
            ))
        })
    }

    /// The failure for a release download.
    fn failure(&self, e: Failed, domain: &str, version: &str, url: &str) -> Failure {
        self.source
            .describe(e, &format!("ATT&CK {domain} {version}"), url)
            .hint(manual_supply_hint(domain, Some(version)))
    }
}

/// Refuses a download that is not a loadable bundle of the release asked for.
fn verify(bytes: &[u8], domain: &str, version: &str, url: &str) -> Result<(), Failure> {
    let kb = load_bundle(bytes).map_err(|e| {
        Failure::new(format!(
            "the file downloaded from {url} is not a usable ATT&CK bundle ({e}); nothing was saved"
        ))
        .hint(manual_supply_hint(domain, Some(version)))
    })?;
    let release = &kb.release;
    let found = if release.version.is_empty() {
        format!("ATT&CK {} of no stated version", release.domain)
    } else {
        format!("ATT&CK {} {}", release.domain, release.version)
    };
    if release.domain != domain
        || release.version.is_empty()
        || !same_version(&release.version, version)
    {
        return Err(Failure::new(format!(
            "the file downloaded from {url} holds {found}, not ATT&CK {domain} {version}; \
             nothing was saved"
        ))
        .hint(manual_supply_hint(domain, Some(version))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(json: &str) -> Index {
        serde_json::from_str(json).expect("test index parses")
    }

    #[test]
    fn picks_the_domain_collection_newest_first() {
        let index = index(
            r#"{"collections": [
                {"name": "Mobile ATT&CK", "versions": [{"version": "30.0", "url": "x"}]},
                {"name": "Enterprise ATT&CK", "versions": [
                    {"version": "9.0", "url": "x"},
                    {"version": "18.1", "url": "x"},
                    {"version": "18.0", "url": "x"},
                    {"version": "not-a-version", "url": "x"}
                ]}
            ]}"#,
        );
        assert_eq!(
            index_versions(&index, "enterprise"),
            Some(vec!["18.1".into(), "18.0".into(), "9.0".into()])
        );
        assert_eq!(index_versions(&index, "ics"), None);
    }
}

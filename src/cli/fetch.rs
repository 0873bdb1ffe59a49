//! Downloading official ATT&CK releases into the user cache.
//!
//! MITRE publishes releases in its attack-stix-data repository, laid out as
//! `{BASE}/{domain}-attack/{domain}-attack-{version}.json`, with an index of every release at
//! `{BASE}/index.json`. A download is read into memory under a size limit, parsed, and checked
//! to be the release that was asked for; only then is it written, atomically, into the cache
//! under MITRE's file name (`enterprise-attack-18.1.json`). A failed, truncated, oversized or
//! wrong download therefore leaves nothing behind.
//!
//! Environment:
//!
//! - `ATKMAP_ATTACK_BASE_URL` replaces BASE (default [`DEFAULT_BASE_URL`]), for a mirror or a
//!   test server. The mirror must keep MITRE's layout: release URLs are always built from BASE
//!   and the version, never taken from the index, so a verbatim copy of MITRE's `index.json`
//!   (whose URLs point at GitHub) still downloads from the mirror.
//! - `ATKMAP_DOWNLOAD_LIMIT` caps the size of one download, in bytes (default
//!   [`DEFAULT_DOWNLOAD_LIMIT`], 512 MiB; a release is about 50 MB).
//!
//! Proxies are taken from the usual `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` variables.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;

use crate::attack::framework::OfficialFile;
use crate::attack::load_bundle;
use crate::attack::release_name::{
    DOMAINS, ReleaseName, compare_versions, is_version, same_version,
};

use super::data_source::{cached_releases_dir, manual_supply_hint};
use super::failure::Failure;
use super::output::{print_stderr, write_atomically};

/// Where MITRE publishes ATT&CK releases.
pub const DEFAULT_BASE_URL: &str =
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master";
/// Environment variable replacing [`DEFAULT_BASE_URL`] (a mirror with MITRE's layout).
pub const BASE_URL_ENV: &str = "ATKMAP_ATTACK_BASE_URL";
/// Environment variable setting the download size limit, in bytes.
pub const DOWNLOAD_LIMIT_ENV: &str = "ATKMAP_DOWNLOAD_LIMIT";
/// The largest download accepted unless `ATKMAP_DOWNLOAD_LIMIT` says otherwise.
pub const DEFAULT_DOWNLOAD_LIMIT: u64 = 512 * 1024 * 1024;

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
    let source = Source::from_env()?;

    let (version, url, bytes) = match version {
        None => {
            let index = source.index(domain)?;
            let newest = source.newest(&index, domain)?;
            let url = source.release_url(domain, &newest);
            let bytes = source
                .download_release(domain, &newest, &url)
                .map_err(|e| source.failure(e, domain, &newest, &url))?;
            (newest, url, bytes)
        }
        Some(asked) => {
            let url = source.release_url(domain, asked);
            match source.download_release(domain, asked, &url) {
                Ok(bytes) => (asked.to_string(), url, bytes),
                Err(Download::Status(404)) => source.retry_from_index(domain, asked, &url)?,
                Err(e) => return Err(source.failure(e, domain, asked, &url)),
            }
        }
    };

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
    let bytes = source
        .get(&url, std::io::stderr().is_terminal())
        .map_err(|e| source.describe(e, &what, &url).hint(manual()))?;
    let sha256 = super::data_source::sha256_hex(&bytes);
    if sha256 != official.sha256 {
        return Err(Failure::new(format!(
            "the file downloaded from {url} is not the official {what} (SHA-256 {sha256}, \
             expected {}); nothing was saved",
            official.sha256
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

/// Why a download did not produce bytes.
#[derive(Debug)]
enum Download {
    /// The server answered with an error status.
    Status(u16),
    /// No connection: refused, unreachable, unresolvable, timed out.
    Unreachable(String),
    /// The body is larger than the limit.
    TooLarge,
    /// Anything else (TLS, protocol, a connection cut mid-transfer).
    Other(String),
}

impl Download {
    /// Before a response arrives, any I/O failure means the server could not be reached: name
    /// resolution fails with an uncategorised error, for one.
    fn connecting(e: ureq::Error) -> Download {
        match e {
            ureq::Error::Io(io) => Download::Unreachable(io.to_string()),
            other => Download::from(other),
        }
    }
}

impl From<ureq::Error> for Download {
    fn from(e: ureq::Error) -> Download {
        use std::io::ErrorKind as K;
        match e {
            ureq::Error::StatusCode(code) => Download::Status(code),
            ureq::Error::BodyExceedsLimit(_) => Download::TooLarge,
            ureq::Error::HostNotFound => {
                Download::Unreachable("the host name could not be resolved".into())
            }
            ureq::Error::ConnectionFailed => Download::Unreachable("connection failed".into()),
            ureq::Error::Timeout(t) => Download::Unreachable(format!("timed out: {t}")),
            ureq::Error::Io(io) => match io.kind() {
                K::ConnectionRefused
                | K::ConnectionReset
                | K::ConnectionAborted
                | K::NotConnected
                | K::NetworkUnreachable
                | K::HostUnreachable
                | K::NetworkDown
                | K::AddrNotAvailable
                | K::TimedOut => Download::Unreachable(io.to_string()),
                K::UnexpectedEof => {
                    Download::Other("the connection closed before the download was complete".into())
                }
                _ => Download::Other(io.to_string()),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
                Download::Other(format!("the secure connection failed: {e}"))
            }
            other => Download::Other(other.to_string()),
        }
    }
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

/// Where releases come from and how they are fetched.
struct Source {
    base: String,
    limit: u64,
    agent: ureq::Agent,
}

impl Source {
    fn from_env() -> Result<Source, Failure> {
        let base = match std::env::var(BASE_URL_ENV) {
            Ok(v) if !v.trim().is_empty() => v.trim().trim_end_matches('/').to_string(),
            _ => DEFAULT_BASE_URL.to_string(),
        };
        let limit = match std::env::var(DOWNLOAD_LIMIT_ENV) {
            Ok(v) if !v.trim().is_empty() => v.trim().parse::<u64>().map_err(|_| {
                Failure::new(format!(
                    "{DOWNLOAD_LIMIT_ENV}={v:?} is not a number of bytes"
                ))
                .hint(format!(
                    "unset it for the default of {DEFAULT_DOWNLOAD_LIMIT} bytes (512 MiB)"
                ))
            })?,
            _ => DEFAULT_DOWNLOAD_LIMIT,
        };
        let agent = ureq::Agent::config_builder()
            .user_agent(format!("atkmap/{}", env!("CARGO_PKG_VERSION")))
            .timeout_resolve(Some(Duration::from_secs(30)))
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_send_request(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            // A stalled transfer fails; a slow but moving one may take its time.
            .timeout_per_read(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Ok(Source { base, limit, agent })
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

    /// GETs a URL into memory under the size limit, with a progress bar when `progress`.
    fn get(&self, url: &str, progress: bool) -> Result<Vec<u8>, Download> {
        let response = self.agent.get(url).call().map_err(Download::connecting)?;
        let body = response.into_body();
        // `None` when unknown or when the body is decompressed on the fly.
        let total = body.content_length();
        if total.is_some_and(|len| len > self.limit) {
            return Err(Download::TooLarge);
        }
        let bar = progress_bar(total, progress);
        let reader = body.into_with_config().limit(self.limit).reader();
        let mut bytes =
            Vec::with_capacity(total.and_then(|len| usize::try_from(len).ok()).unwrap_or(0));
        let result = bar.wrap_read(reader).read_to_end(&mut bytes);
        bar.finish_and_clear();
        result.map_err(ureq::Error::from)?;
        Ok(bytes)
    }

    /// Downloads and parses MITRE's index of releases.
    fn index(&self, domain: &str) -> Result<Index, Failure> {
        let url = self.index_url();
        let bytes = self.get(&url, false).map_err(|e| {
            self.describe(e, "the list of ATT&CK releases", &url)
                .hint("name the release (--attack-version, or `data fetch --version`) to download it without the list")
                .hint(manual_supply_hint(domain, None))
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            let failure = Failure::new(format!(
                "the list of ATT&CK releases at {url} is not MITRE's index.json: {e}"
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

    fn download_release(
        &self,
        domain: &str,
        version: &str,
        url: &str,
    ) -> Result<Vec<u8>, Download> {
        print_stderr(&format!(
            "note: downloading ATT&CK {domain} {version} from {url}\n"
        ));
        self.get(url, std::io::stderr().is_terminal())
    }

    /// After a 404 for an asked version: the index may spell it differently (`18` for `18.0`);
    /// otherwise the version is unknown and the error lists the known ones.
    fn retry_from_index(
        &self,
        domain: &str,
        asked: &str,
        url: &str,
    ) -> Result<(String, String, Vec<u8>), Failure> {
        let not_published = || {
            Failure::new(format!(
                "ATT&CK {domain} {asked} is not published: the server answered HTTP 404 for {url}"
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
                Ok(bytes) => Ok((known.clone(), url, bytes)),
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
    fn failure(&self, e: Download, domain: &str, version: &str, url: &str) -> Failure {
        self.describe(e, &format!("ATT&CK {domain} {version}"), url)
            .hint(manual_supply_hint(domain, Some(version)))
    }

    /// Says why downloading `what` from `url` failed.
    fn describe(&self, e: Download, what: &str, url: &str) -> Failure {
        match e {
            Download::Status(code) => Failure::new(format!(
                "cannot download {what}: the server answered HTTP {code} for {url}"
            )),
            Download::Unreachable(detail) => Failure::new(format!(
                "cannot download {what} from {url}: the network is unreachable ({detail})"
            ))
            .hint("check the network connection (and HTTPS_PROXY, if a proxy is needed)"),
            Download::TooLarge => Failure::new(format!(
                "cannot download {what} from {url}: it is larger than the download limit of {} bytes",
                self.limit
            ))
            .hint(format!(
                "raise the limit with {DOWNLOAD_LIMIT_ENV}=BYTES if the file is genuine"
            )),
            Download::Other(detail) => {
                Failure::new(format!("cannot download {what} from {url}: {detail}"))
            }
        }
    }
}

/// A progress bar on stderr, or a hidden one when stderr is not a terminal (or not wanted), so
/// logs and pipes never receive control sequences.
fn progress_bar(total: Option<u64>, show: bool) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    let template = if total.is_some() {
        "  {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}"
    } else {
        "  {spinner} {bytes} {binary_bytes_per_sec}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
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

    #[test]
    fn classifies_connection_errors_as_unreachable() {
        let refused = ureq::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert!(matches!(Download::from(refused), Download::Unreachable(_)));
        assert!(matches!(
            Download::from(ureq::Error::HostNotFound),
            Download::Unreachable(_)
        ));
        assert!(matches!(
            Download::from(ureq::Error::StatusCode(404)),
            Download::Status(404)
        ));
        assert!(matches!(
            Download::from(ureq::Error::BodyExceedsLimit(3)),
            Download::TooLarge
        ));
    }
}

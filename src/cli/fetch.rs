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
//! - `ATKMAP_DOWNLOAD_TIMEOUT` is the deadline of one download, in seconds, from the first
//!   connection (redirects included) to the last byte (default
//!   [`DEFAULT_DOWNLOAD_TIMEOUT_SECS`], 120 s). A server dripping a byte now and then, which the
//!   per-read timeout alone never stops, fails at the deadline.
//!
//! Redirects are followed by hand, at most [`MAX_REDIRECTS`] of them, and only to the host
//! that was asked or to one of [`MITRE_HOSTS`] (never from HTTPS to plain HTTP): a mirror or a
//! hijacked name cannot send atkmap elsewhere. Messages name the URL actually contacted last.
//!
//! Proxies are taken from the usual `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` variables.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;

use atkmap::attack::framework::OfficialFile;
use atkmap::attack::load_bundle;
use atkmap::attack::release_name::{
    DOMAINS, ReleaseName, compare_versions, is_version, same_version,
};

use super::bundle_file::{cached_releases_dir, manual_supply_hint};
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
/// Environment variable setting the deadline of one download, in seconds.
pub const DOWNLOAD_TIMEOUT_ENV: &str = "ATKMAP_DOWNLOAD_TIMEOUT";
/// The deadline of one download unless `ATKMAP_DOWNLOAD_TIMEOUT` says otherwise (a 50 MB
/// release needs about 3.5 Mbit/s to arrive in time).
pub const DEFAULT_DOWNLOAD_TIMEOUT_SECS: u64 = 120;
/// The longest deadline `ATKMAP_DOWNLOAD_TIMEOUT` may set: a day.
const MAX_DOWNLOAD_TIMEOUT_SECS: u64 = 24 * 60 * 60;
/// How long a transfer may stall (no byte arriving) before it fails, whatever the deadline.
const PER_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The most redirects one download follows.
pub const MAX_REDIRECTS: usize = 5;
/// The hosts MITRE's files are served from: GitHub's raw files, its release pages and the
/// hosts it redirects release assets to. A redirect may lead to one of them, or stay on the
/// host that was asked; anywhere else is refused.
pub const MITRE_HOSTS: [&str; 4] = [
    "raw.githubusercontent.com",
    "github.com",
    "objects.githubusercontent.com",
    "release-assets.githubusercontent.com",
];

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

    let (version, fetched) = match version {
        None => {
            let index = source.index(domain)?;
            let newest = source.newest(&index, domain)?;
            let url = source.release_url(domain, &newest);
            let fetched = source
                .download_release(domain, &newest, &url)
                .map_err(|e| source.failure(e, domain, &newest, &url))?;
            (newest, fetched)
        }
        Some(asked) => {
            let url = source.release_url(domain, asked);
            match source.download_release(domain, asked, &url) {
                Ok(fetched) => (asked.to_string(), fetched),
                Err(Failed {
                    why: Download::Status(404),
                    at,
                }) => source.retry_from_index(domain, asked, &url, &at)?,
                Err(e) => return Err(source.failure(e, domain, asked, &url)),
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

/// A finished download: its bytes and the URL they came from (the last one, after redirects).
#[derive(Debug)]
struct Fetched {
    bytes: Vec<u8>,
    url: String,
}

/// A failed download: why, and the URL contacted last (the one asked unless redirected).
#[derive(Debug)]
struct Failed {
    why: Download,
    at: String,
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
    /// The download did not finish before its deadline (`ATKMAP_DOWNLOAD_TIMEOUT`).
    Deadline,
    /// A redirect atkmap does not follow: why, naming where it led.
    Redirect(String),
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
            ureq::Error::Timeout(ureq::Timeout::Global) => Download::Deadline,
            ureq::Error::Timeout(ureq::Timeout::PerRead) => Download::Other(format!(
                "the transfer stalled: nothing arrived for {} s",
                PER_READ_TIMEOUT.as_secs()
            )),
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
    /// The deadline of one download, redirects included.
    timeout: Duration,
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
        let timeout = match std::env::var(DOWNLOAD_TIMEOUT_ENV) {
            Ok(v) if !v.trim().is_empty() => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|secs| (1..=MAX_DOWNLOAD_TIMEOUT_SECS).contains(secs))
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    Failure::new(format!(
                        "{DOWNLOAD_TIMEOUT_ENV}={v:?} is not a number of seconds from 1 to \
                         {MAX_DOWNLOAD_TIMEOUT_SECS}"
                    ))
                    .hint(format!(
                        "unset it for the default deadline of {DEFAULT_DOWNLOAD_TIMEOUT_SECS} s \
                         per download"
                    ))
                })?,
            _ => Duration::from_secs(DEFAULT_DOWNLOAD_TIMEOUT_SECS),
        };
        let agent = ureq::Agent::config_builder()
            .user_agent(format!("atkmap/{}", env!("CARGO_PKG_VERSION")))
            .timeout_resolve(Some(Duration::from_secs(30)))
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_send_request(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            // A stalled transfer fails; a slow but moving one may take its time, up to the
            // deadline (set per request in `get`, since it spans redirects).
            .timeout_per_read(Some(PER_READ_TIMEOUT))
            // Redirects are followed in `get`, where their target is checked.
            .max_redirects(0)
            .build()
            .new_agent();
        Ok(Source {
            base,
            limit,
            timeout,
            agent,
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

    /// GETs a URL into memory under the size limit and before the deadline, following
    /// redirects that stay on its host or lead to MITRE's, with a progress bar when `progress`.
    fn get(&self, url: &str, progress: bool) -> Result<Fetched, Failed> {
        let deadline = Instant::now() + self.timeout;
        let origin = host_of(url);
        let mut at = url.to_string();
        let mut redirects = 0;
        loop {
            let fail = |why: Download, at: &str| Failed {
                why,
                at: at.to_string(),
            };
            // What is left of the deadline; ureq enforces it on every read and write.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(fail(Download::Deadline, &at));
            }
            let response = self
                .agent
                .get(&at)
                .config()
                .timeout_global(Some(left))
                .build()
                .call()
                .map_err(|e| fail(Download::connecting(e), &at))?;
            let status = response.status();
            if status.is_redirection() {
                if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
                    return Err(fail(Download::Status(status.as_u16()), &at));
                }
                let location = response
                    .headers()
                    .get(ureq::http::header::LOCATION)
                    .map(|v| {
                        v.to_str()
                            .map_err(|_| String::from_utf8_lossy(v.as_bytes()))
                    });
                let next = match location {
                    None => Err(Download::Other(format!(
                        "the server answered HTTP {} (a redirect) without saying where to",
                        status.as_u16()
                    ))),
                    Some(Err(raw)) => Err(Download::Other(format!(
                        "the server redirected to {:?}, which is not a URL",
                        shorten(&raw)
                    ))),
                    Some(Ok(location)) => redirect_target(&at, location, origin.as_deref()),
                }
                .map_err(|why| fail(why, &at))?;
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(fail(
                        Download::Other(format!(
                            "the server redirected more than {MAX_REDIRECTS} times (the last \
                             time to {next})"
                        )),
                        &at,
                    ));
                }
                print_stderr(&format!("note: {at} redirects to {next}\n"));
                // Unread, the redirect's body is dropped with its connection.
                drop(response);
                at = next;
                continue;
            }
            let body = response.into_body();
            // `None` when unknown or when the body is decompressed on the fly.
            let total = body.content_length();
            if total.is_some_and(|len| len > self.limit) {
                return Err(fail(Download::TooLarge, &at));
            }
            let bar = progress_bar(total, progress);
            let reader = body.into_with_config().limit(self.limit).reader();
            let mut bytes =
                Vec::with_capacity(total.and_then(|len| usize::try_from(len).ok()).unwrap_or(0));
            let result = bar.wrap_read(reader).read_to_end(&mut bytes);
            bar.finish_and_clear();
            result.map_err(|e| fail(Download::from(ureq::Error::from(e)), &at))?;
            return Ok(Fetched { bytes, url: at });
        }
    }

    /// Downloads and parses MITRE's index of releases.
    fn index(&self, domain: &str) -> Result<Index, Failure> {
        let url = self.index_url();
        let fetched = self.get(&url, false).map_err(|e| {
            self.describe(e, "the list of ATT&CK releases", &url)
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
        self.get(url, std::io::stderr().is_terminal())
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
        self.describe(e, &format!("ATT&CK {domain} {version}"), url)
            .hint(manual_supply_hint(domain, Some(version)))
    }

    /// Says why downloading `what` from `url` failed, naming the URL contacted last.
    fn describe(&self, e: Failed, what: &str, url: &str) -> Failure {
        let url = place(url, &e.at);
        match e.why {
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
            Download::Deadline => Failure::new(format!(
                "cannot download {what} from {url}: it did not finish within the deadline of {} s \
                 for one download; nothing was saved",
                self.timeout.as_secs()
            ))
            .hint(format!(
                "on a slow connection, raise the deadline with {DOWNLOAD_TIMEOUT_ENV}=SECONDS \
                 (default {DEFAULT_DOWNLOAD_TIMEOUT_SECS})"
            )),
            Download::Redirect(detail) => Failure::new(format!(
                "cannot download {what} from {url}: {detail}; nothing was saved"
            ))
            .hint(format!(
                "atkmap follows a redirect only to the host asked or to MITRE's hosts ({}); \
                 if the new place is trustworthy, download the file from it yourself",
                MITRE_HOSTS.join(", ")
            )),
            Download::Other(detail) => {
                Failure::new(format!("cannot download {what} from {url}: {detail}"))
            }
        }
    }
}

/// `at`, the URL contacted last, naming `url` too when a redirect led away from it.
fn place(url: &str, at: &str) -> String {
    if url == at {
        url.to_string()
    } else {
        format!("{at} (redirected from {url})")
    }
}

/// The host of a URL, lower case, without a trailing dot; `None` when it has none.
fn host_of(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let host = uri.host()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// At most 200 characters of text from a server, for a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// Where a redirect from `from` to `location` leads, if atkmap follows it there: over HTTP(S),
/// not from HTTPS down to HTTP, and to `origin` (the host of the URL asked) or one of
/// [`MITRE_HOSTS`]. A refusal names the host the redirect led to.
fn redirect_target(from: &str, location: &str, origin: Option<&str>) -> Result<String, Download> {
    let location = location.trim();
    let not_a_url = || {
        Download::Other(format!(
            "the server redirected to {:?}, which is not a URL",
            shorten(location)
        ))
    };
    let base: ureq::http::Uri = from.parse().map_err(|_| not_a_url())?;
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or("");
    // `scheme:` before any `/`, `?` or `#` makes the location absolute.
    let location_scheme = location
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty() && !s.contains(['/', '?', '#']));
    if let Some(s) = location_scheme
        && !s.eq_ignore_ascii_case("http")
        && !s.eq_ignore_ascii_case("https")
    {
        return Err(Download::Redirect(format!(
            "the server redirected to {:?}, which is not an HTTP(S) URL",
            shorten(location)
        )));
    }
    let joined = if location_scheme.is_some() {
        location.to_string()
    } else if location.starts_with("//") {
        format!("{scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else if location.starts_with('?') {
        format!("{scheme}://{authority}{}{location}", base.path())
    } else {
        // Relative to the directory of the current path.
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{scheme}://{authority}{dir}{location}")
    };
    let target: ureq::http::Uri = joined.parse().map_err(|_| not_a_url())?;
    let target_scheme = target.scheme_str().unwrap_or("").to_ascii_lowercase();
    let Some(host) = host_of(&joined) else {
        return Err(not_a_url());
    };
    if scheme.eq_ignore_ascii_case("https") && target_scheme == "http" {
        return Err(Download::Redirect(format!(
            "the server redirected from HTTPS to plain HTTP ({host}), which atkmap refuses"
        )));
    }
    if origin != Some(host.as_str()) && !MITRE_HOSTS.contains(&host.as_str()) {
        return Err(Download::Redirect(format!(
            "the server redirected to another host, {host} ({}), which atkmap does not download \
             from",
            shorten(&joined)
        )));
    }
    Ok(joined)
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
        assert!(matches!(
            Download::from(ureq::Error::Timeout(ureq::Timeout::Global)),
            Download::Deadline
        ));
        // A timeout inside a read, as the body reader reports it.
        let wrapped = ureq::Error::Timeout(ureq::Timeout::Global).into_io();
        assert!(matches!(
            Download::from(ureq::Error::from(wrapped)),
            Download::Deadline
        ));
    }

    #[test]
    fn follows_redirects_only_on_the_host_asked_or_to_mitre() {
        let from = "http://127.0.0.1:8080/enterprise-attack/enterprise-attack-18.1.json";
        let origin = Some("127.0.0.1");
        let ok = |location: &str| redirect_target(from, location, origin).ok();
        assert_eq!(
            ok("/mirror/a.json").as_deref(),
            Some("http://127.0.0.1:8080/mirror/a.json")
        );
        assert_eq!(
            ok("b.json").as_deref(),
            Some("http://127.0.0.1:8080/enterprise-attack/b.json")
        );
        assert_eq!(
            ok("http://127.0.0.1:9/c.json").as_deref(),
            Some("http://127.0.0.1:9/c.json")
        );
        assert_eq!(
            ok("//raw.githubusercontent.com/x.json").as_deref(),
            Some("http://raw.githubusercontent.com/x.json")
        );
        assert_eq!(
            ok("https://Release-Assets.GitHubUserContent.com./x").as_deref(),
            Some("https://Release-Assets.GitHubUserContent.com./x")
        );
        for refused in [
            "http://localhost:8080/x.json",
            "//evil.example/x.json",
            "http://127.0.0.1:8080@evil.example/x.json",
            "http://raw.githubusercontent.com.evil.example/x.json",
            "ftp://127.0.0.1/x.json",
            "file:///etc/passwd",
        ] {
            match redirect_target(from, refused, origin) {
                Err(Download::Redirect(why)) => {
                    assert!(!why.is_empty(), "{refused}");
                }
                other => panic!("{refused}: {other:?}"),
            }
        }
        match redirect_target(from, "http://localhost:8080/x.json", origin) {
            Err(Download::Redirect(why)) => assert!(why.contains("localhost"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Never from HTTPS down to HTTP, even on the same host.
        let secure = "https://raw.githubusercontent.com/a/b.json";
        assert!(matches!(
            redirect_target(secure, "http://raw.githubusercontent.com/a/b.json", None),
            Err(Download::Redirect(_))
        ));
        assert!(matches!(
            redirect_target(from, "http://exa mple/\u{1b}[2J", origin),
            Err(Download::Other(_))
        ));
    }

    #[test]
    fn messages_name_the_url_contacted_last() {
        assert_eq!(place("http://a/x", "http://a/x"), "http://a/x");
        assert_eq!(
            place("http://a/x", "https://github.com/y"),
            "https://github.com/y (redirected from http://a/x)"
        );
        assert_eq!(
            host_of("https://GitHub.com./x").as_deref(),
            Some("github.com")
        );
        assert_eq!(shorten(&"x".repeat(300)).len(), 203);
    }
}

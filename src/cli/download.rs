//! One download over HTTP(S), made safe against a broken or hostile server.
//!
//! Everything atkmap downloads (a release, MITRE's index of releases, a companion file) goes
//! through [`Source::get`], which reads the body into memory under a size limit and before a
//! deadline, follows only the redirects it may, and shows a progress bar on a terminal. What
//! to download and where to keep it is decided elsewhere (`fetch`); this module knows nothing
//! of ATT&CK, only of URLs and bytes, and says in [`Source::describe`] why a download failed.
//!
//! Environment:
//!
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
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::failure::Failure;
use super::output::print_stderr;

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

/// A finished download: its bytes and the URL they came from (the last one, after redirects).
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub url: String,
}

/// A failed download: why, and the URL contacted last (the one asked unless redirected).
#[derive(Debug)]
pub struct Failed {
    pub why: Download,
    pub at: String,
}

/// Why a download did not produce bytes.
#[derive(Debug)]
pub enum Download {
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

/// How files are fetched: the size limit, the deadline and the HTTP agent.
pub struct Source {
    limit: u64,
    /// The deadline of one download, redirects included.
    timeout: Duration,
    agent: ureq::Agent,
}

impl Source {
    /// The limit and the deadline from the environment (a failure when either is not a valid
    /// number), and an agent that follows no redirect by itself.
    pub fn from_env() -> Result<Source, Failure> {
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
            limit,
            timeout,
            agent,
        })
    }

    /// GETs a URL into memory under the size limit and before the deadline, following
    /// redirects that stay on its host or lead to MITRE's, with a progress bar when `progress`.
    pub fn get(&self, url: &str, progress: bool) -> Result<Fetched, Failed> {
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

    /// Says why downloading `what` from `url` failed, naming the URL contacted last.
    pub fn describe(&self, e: Failed, what: &str, url: &str) -> Failure {
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
pub fn place(url: &str, at: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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

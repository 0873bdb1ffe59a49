//! `atkmap data fetch` and the automatic download of a missing release, against a tiny HTTP
//! server on 127.0.0.1 that serves canned responses. Nothing here touches the internet: every
//! run points `ATKMAP_ATTACK_BASE_URL` at a local port (a dead one when no server is wanted).

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

const EXIT_FAILURE: i32 = 2;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fetch")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The synthetic enterprise bundle, relabelled as another version.
fn bundle(version: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture("enterprise-attack-99.1.json")).expect("UTF-8 fixture");
    let from = r#""x_mitre_version": "99.1""#;
    assert!(text.contains(from), "the fixture states its version");
    text.replace(from, &format!(r#""x_mitre_version": "{version}""#))
        .into_bytes()
}

/// A canned answer.
#[derive(Clone)]
enum Reply {
    /// 200 with a Content-Length.
    Body(Vec<u8>),
    /// 200 without a Content-Length: the body ends when the connection closes.
    Unsized(Vec<u8>),
    /// An error status with a short text body.
    Status(u16),
    /// 200 with a Content-Length of `length`, then one byte every `every` (never all of them
    /// before the client gives up, for any sane `length`): a server dripping its answer.
    Drip { length: usize, every: Duration },
    /// A redirect with this status to this location; `{port}` in it becomes the server's port.
    Redirect(u16, String),
}

/// A bounded HTTP/1.1 server: answers at most `max_requests` requests (unknown paths get 404),
/// and stops when told to or after a deadline, so a test can never hang on it.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: Vec<(&str, Reply)>, max_requests: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let address = listener.local_addr().expect("listener address");
        let base = format!("http://{address}");
        let port = address.port().to_string();
        let routes: Vec<(String, Reply)> = routes
            .into_iter()
            .map(|(p, r)| {
                let r = match r {
                    Reply::Redirect(code, to) => Reply::Redirect(code, to.replace("{port}", &port)),
                    other => other,
                };
                (p.to_string(), r)
            })
            .collect();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut served = 0;
                while served < max_requests && !stop.load(Ordering::SeqCst) {
                    if Instant::now() > deadline {
                        break;
                    }
                    match listener.accept() {
                        Ok((stream, _)) => {
                            served += 1;
                            if let Some(path) = answer(stream, &routes, &stop) {
                                requests.lock().expect("request log").push(path);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        Server {
            base,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the server and returns the paths requested, in order.
    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("server thread");
        }
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request head and writes the canned reply; returns the requested path.
fn answer(stream: TcpStream, routes: &[(String, Reply)], stop: &AtomicBool) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1)?.to_string();
    let reply = routes
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, r)| r.clone())
        .unwrap_or(Reply::Status(404));
    let mut stream = stream;
    let (head, body) = match reply {
        Reply::Body(body) => (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            ),
            body,
        ),
        Reply::Unsized(body) => (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                .to_string(),
            body,
        ),
        Reply::Drip { length, every } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\
                 Connection: close\r\n\r\n"
            );
            if stream
                .write_all(head.as_bytes())
                .and_then(|_| stream.flush())
                .is_ok()
            {
                // Until the client hangs up (a write fails) or the server is stopped.
                'drip: for _ in 0..length {
                    let next = Instant::now() + every;
                    while Instant::now() < next {
                        if stop.load(Ordering::SeqCst) {
                            break 'drip;
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    if stream.write_all(b" ").and_then(|_| stream.flush()).is_err() {
                        break;
                    }
                }
            }
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Some(path);
        }
        Reply::Redirect(code, location) => (
            format!(
                "HTTP/1.1 {code} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            ),
            Vec::new(),
        ),
        Reply::Status(code) => {
            let body = format!("{code}: canned error\n").into_bytes();
            (
                format!(
                    "HTTP/1.1 {code} Canned\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n",
                    body.len()
                ),
                body,
            )
        }
    };
    // The client may hang up early (a refused oversized body): write errors are expected.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body))
        .and_then(|_| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Some(path)
}

/// A base URL where nothing listens: bind a port, then let it go.
fn dead_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let address = listener.local_addr().expect("listener address");
    drop(listener);
    format!("http://{address}")
}

/// A sandbox: an empty cache, an empty data directory and an empty working directory.
struct Sandbox {
    root: TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().expect("temporary directory");
        for dir in ["cache", "data", "work"] {
            std::fs::create_dir(root.path().join(dir)).expect("sandbox directory");
        }
        Sandbox { root }
    }

    fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    fn releases(&self) -> PathBuf {
        self.cache().join("attack-data")
    }

    /// `atkmap` with the sandbox's directories and `base` as MITRE's location.
    fn atkmap(&self, base: &str) -> Command {
        let mut cmd = Command::cargo_bin("atkmap").expect("the atkmap binary");
        cmd.current_dir(self.root.path().join("work"))
            .env("ATKMAP_CACHE_DIR", self.cache())
            .env("ATKMAP_DATA_DIR", self.root.path().join("data"))
            .env("ATKMAP_ATTACK_BASE_URL", base)
            .env("NO_COLOR", "1")
            .env_remove("ATKMAP_OFFLINE")
            .env_remove("ATKMAP_DOWNLOAD_LIMIT")
            .env_remove("ATKMAP_DOWNLOAD_TIMEOUT")
            .env_remove("ATKMAP_COMPANION_BASE_URL");
        for proxy in [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            cmd.env_remove(proxy);
        }
        cmd
    }

    /// Every file under the cache, relative to it, the parsed-release index left out.
    fn cache_files(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    let relative = path.strip_prefix(root).expect("under the root");
                    out.push(relative.display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.cache(), &self.cache(), &mut out);
        out.sort();
        // The parsed-release index (index/) is the cache doing its job; a temporary file
        // left anywhere is not.
        out.retain(|p| !p.starts_with("index/") || p.contains(".atkmap-"));
        out
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `run`, and how long it took.
fn timed_run(cmd: &mut Command, args: &[&str]) -> (Run, Duration) {
    let start = Instant::now();
    let run = run(cmd, args);
    (run, start.elapsed())
}

fn run(cmd: &mut Command, args: &[&str]) -> Run {
    let output = cmd.args(args).output().expect("atkmap runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const RELEASE_991: &str = "/enterprise-attack/enterprise-attack-99.1.json";
const RELEASE_992: &str = "/enterprise-attack/enterprise-attack-99.2.json";

#[test]
fn fetch_with_version_saves_the_release_in_the_cache() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![(
            RELEASE_991,
            Reply::Body(fixture("enterprise-attack-99.1.json")),
        )],
        1,
    );
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let saved = sandbox.releases().join("enterprise-attack-99.1.json");
    assert_eq!(run.stdout, format!("{}\n", saved.display()));
    assert_eq!(
        std::fs::read(&saved).expect("the saved release"),
        fixture("enterprise-attack-99.1.json")
    );
    // One line says what is downloaded, one where it went; no progress bar off a terminal.
    assert!(
        run.stderr
            .contains("downloading ATT&CK enterprise 99.1 from")
    );
    assert!(run.stderr.contains(&server.base));
    assert!(run.stderr.contains(&format!(
        "saved ATT&CK enterprise 99.1 to {}",
        saved.display()
    )));
    assert_eq!(run.stderr.lines().count(), 2, "stderr: {}", run.stderr);
    assert!(
        !run.stderr.contains('\x1b'),
        "no escape sequences off a terminal"
    );
    assert_eq!(server.finish(), vec![RELEASE_991]);
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.1.json"]
    );
}

#[test]
fn fetch_without_version_takes_the_newest_release_the_index_lists() {
    let sandbox = Sandbox::new();
    // The index lists 99.1, 99.2 and 9.10 out of order; its URLs point at a dead port, which
    // also shows that release URLs are built from the base URL, not taken from the index.
    let server = Server::start(
        vec![
            ("/index.json", Reply::Body(fixture("index.json"))),
            (RELEASE_992, Reply::Unsized(bundle("99.2"))),
        ],
        2,
    );
    let run = run(&mut sandbox.atkmap(&server.base), &["data", "fetch"]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let saved = sandbox.releases().join("enterprise-attack-99.2.json");
    assert_eq!(run.stdout, format!("{}\n", saved.display()));
    assert!(run.stderr.contains("downloading ATT&CK enterprise 99.2"));
    assert_eq!(server.finish(), vec!["/index.json", RELEASE_992]);
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.2.json"]
    );
}

#[test]
fn a_command_without_local_data_downloads_once_then_uses_the_cache() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![
            ("/index.json", Reply::Body(fixture("index.json"))),
            (RELEASE_992, Reply::Body(bundle("99.2"))),
        ],
        2,
    );
    let first = run(&mut sandbox.atkmap(&server.base), &["attack", "stats"]);
    assert_eq!(first.code, Some(0), "stderr: {}", first.stderr);
    assert!(
        first.stderr.contains("not found locally"),
        "{}",
        first.stderr
    );
    assert!(first.stderr.contains("downloading ATT&CK enterprise 99.2"));
    assert!(first.stdout.contains("version: 99.2"), "{}", first.stdout);
    assert!(first.stdout.contains("techniques: 2"), "{}", first.stdout);
    assert_eq!(server.finish(), vec!["/index.json", RELEASE_992]);

    // Nothing listens any more: the second run must not need the network.
    let second = run(&mut sandbox.atkmap(&dead_base_url()), &["attack", "stats"]);
    assert_eq!(second.code, Some(0), "stderr: {}", second.stderr);
    assert_eq!(second.stderr, "");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.2.json"]
    );
}

#[test]
fn a_pinned_version_missing_locally_is_downloaded_directly() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![(
            RELEASE_991,
            Reply::Body(fixture("enterprise-attack-99.1.json")),
        )],
        1,
    );
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["attack", "show", "T0002", "--attack-version", "99.1"],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains("Synthetic Valid Accounts"),
        "{}",
        run.stdout
    );
    assert_eq!(server.finish(), vec![RELEASE_991]);
}

#[test]
fn offline_without_local_data_fails_with_the_manual_hint() {
    let sandbox = Sandbox::new();
    let base = dead_base_url();
    let by_flag = run(
        &mut sandbox.atkmap(&base),
        &["attack", "stats", "--offline"],
    );
    let by_env = run(
        sandbox.atkmap(&base).env("ATKMAP_OFFLINE", "1"),
        &["attack", "stats"],
    );
    for run in [by_flag, by_env] {
        assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
        assert!(run.stderr.contains("--offline"), "{}", run.stderr);
        assert!(
            run.stderr.contains("enterprise-attack.json"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("--attack FILE"), "{}", run.stderr);
        assert!(!run.stderr.contains("note: downloading"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn an_unknown_version_lists_the_versions_mitre_publishes() {
    let sandbox = Sandbox::new();
    let server = Server::start(vec![("/index.json", Reply::Body(fixture("index.json")))], 2);
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.7"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .contains("ATT&CK enterprise 99.7 is not published"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert!(run.stderr.contains("99.2, 99.1, 9.10"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        server.finish(),
        vec![
            "/enterprise-attack/enterprise-attack-99.7.json",
            "/index.json"
        ]
    );
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_404_without_an_index_is_still_a_clear_failure() {
    let sandbox = Sandbox::new();
    let server = Server::start(vec![], 2);
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("enterprise-attack-99.1.json from MITRE"),
        "{}",
        run.stderr
    );
    server.finish();
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_server_error_reports_the_status() {
    let sandbox = Sandbox::new();
    let server = Server::start(vec![(RELEASE_991, Reply::Status(503))], 1);
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("HTTP 503"), "{}", run.stderr);
    assert!(run.stderr.contains("--attack FILE"), "{}", run.stderr);
    server.finish();
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_file_that_is_not_the_asked_release_is_not_kept() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![
            (
                RELEASE_992,
                Reply::Body(fixture("enterprise-attack-99.1.json")),
            ),
            (
                RELEASE_991,
                Reply::Body(b"{\"type\": \"bundle\", \"objects\": [".to_vec()),
            ),
        ],
        2,
    );
    let wrong = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.2"],
    );
    assert_eq!(wrong.code, Some(EXIT_FAILURE), "stderr: {}", wrong.stderr);
    assert!(
        wrong
            .stderr
            .contains("holds ATT&CK enterprise 99.1, not ATT&CK enterprise 99.2"),
        "{}",
        wrong.stderr
    );
    assert!(
        wrong.stderr.contains("nothing was saved"),
        "{}",
        wrong.stderr
    );

    let broken = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(broken.code, Some(EXIT_FAILURE), "stderr: {}", broken.stderr);
    assert!(
        broken.stderr.contains("not a usable ATT&CK bundle"),
        "{}",
        broken.stderr
    );
    assert_eq!(server.finish().len(), 2);
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_server_that_is_down_is_a_network_failure() {
    let sandbox = Sandbox::new();
    let base = dead_base_url();
    for args in [
        &["data", "fetch", "--version", "99.1"][..],
        &["data", "fetch"][..],
        &["attack", "stats"][..],
    ] {
        let run = run(&mut sandbox.atkmap(&base), args);
        assert_eq!(run.code, Some(EXIT_FAILURE), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("the network is unreachable"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("--attack FILE"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_download_over_the_limit_is_refused() {
    let sandbox = Sandbox::new();
    let big = bundle("99.1");
    let limit = (big.len() - 1).to_string();
    // With a Content-Length the size is refused up front; without, while reading.
    let server = Server::start(
        vec![
            (RELEASE_991, Reply::Body(big.clone())),
            (RELEASE_992, Reply::Unsized(bundle("99.2"))),
        ],
        2,
    );
    for version in ["99.1", "99.2"] {
        let run = run(
            sandbox
                .atkmap(&server.base)
                .env("ATKMAP_DOWNLOAD_LIMIT", &limit),
            &["data", "fetch", "--version", version],
        );
        assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("larger than the download limit of {limit} bytes")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("ATKMAP_DOWNLOAD_LIMIT"),
            "{}",
            run.stderr
        );
    }
    server.finish();
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());

    // A body exactly at the limit is accepted.
    let server = Server::start(vec![(RELEASE_991, Reply::Unsized(big.clone()))], 1);
    let run = run(
        sandbox
            .atkmap(&server.base)
            .env("ATKMAP_DOWNLOAD_LIMIT", big.len().to_string()),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    server.finish();
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.1.json"]
    );
}

#[test]
fn a_bad_download_limit_is_a_usage_failure() {
    let sandbox = Sandbox::new();
    let run = run(
        sandbox
            .atkmap(&dead_base_url())
            .env("ATKMAP_DOWNLOAD_LIMIT", "lots"),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("ATKMAP_DOWNLOAD_LIMIT"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_version_spelled_differently_from_the_index_is_found_through_it() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![
            ("/index.json", Reply::Body(fixture("index.json"))),
            (
                "/enterprise-attack/enterprise-attack-9.10.json",
                Reply::Body(bundle("9.10")),
            ),
        ],
        3,
    );
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "9.10.0"],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let saved = sandbox.releases().join("enterprise-attack-9.10.json");
    assert_eq!(run.stdout, format!("{}\n", saved.display()));
    assert_eq!(
        server.finish(),
        vec![
            "/enterprise-attack/enterprise-attack-9.10.0.json",
            "/index.json",
            "/enterprise-attack/enterprise-attack-9.10.json"
        ]
    );
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-9.10.json"]
    );
}

#[test]
fn a_dripping_server_fails_at_the_download_deadline() {
    let sandbox = Sandbox::new();
    // A byte a second: the per-read timeout (60 s) never fires, the deadline must.
    let drip = Reply::Drip {
        length: 1000,
        every: Duration::from_secs(1),
    };
    let server = Server::start(vec![(RELEASE_991, drip)], 1);
    let (run, elapsed) = timed_run(
        sandbox
            .atkmap(&server.base)
            .env("ATKMAP_DOWNLOAD_TIMEOUT", "2"),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(5),
        "failed after {elapsed:?}, not at the 2 s deadline"
    );
    assert!(
        run.stderr.contains(&format!(
            "cannot download ATT&CK enterprise 99.1 from {}{RELEASE_991}: it did not finish \
             within the deadline of 2 s",
            server.base
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("ATKMAP_DOWNLOAD_TIMEOUT=SECONDS"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--attack FILE"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(server.finish(), vec![RELEASE_991]);
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_bad_download_timeout_is_a_usage_failure() {
    let sandbox = Sandbox::new();
    for value in ["soon", "0", "-5", "1.5", "86401"] {
        let run = run(
            sandbox
                .atkmap(&dead_base_url())
                .env("ATKMAP_DOWNLOAD_TIMEOUT", value),
            &["data", "fetch", "--version", "99.1"],
        );
        assert_eq!(run.code, Some(EXIT_FAILURE), "{value}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "ATKMAP_DOWNLOAD_TIMEOUT={value:?} is not a number of seconds"
            )),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("default deadline of 120 s"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("note: downloading"), "{}", run.stderr);
    }
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_redirect_to_another_host_is_refused() {
    let sandbox = Sandbox::new();
    // The same server under another name: only the host string differs, and that is enough.
    let server = Server::start(
        vec![
            (
                RELEASE_991,
                Reply::Redirect(302, format!("http://localhost:{{port}}{RELEASE_992}")),
            ),
            (RELEASE_992, Reply::Body(bundle("99.1"))),
        ],
        2,
    );
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .contains("redirected to another host, localhost (http://localhost:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was saved"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "only to the host asked or to MITRE's hosts (raw.githubusercontent.com, github.com, \
             objects.githubusercontent.com, release-assets.githubusercontent.com)"
        ),
        "the hint names the hosts allowed: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("redirects to"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // The target was never contacted.
    assert_eq!(server.finish(), vec![RELEASE_991]);
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn a_redirect_on_the_same_host_is_followed() {
    let sandbox = Sandbox::new();
    // An absolute redirect, then a relative one.
    let server = Server::start(
        vec![
            (
                RELEASE_991,
                Reply::Redirect(301, "http://127.0.0.1:{port}/moved/step".to_string()),
            ),
            (
                "/moved/step",
                Reply::Redirect(307, "final.json".to_string()),
            ),
            (
                "/moved/final.json",
                Reply::Body(fixture("enterprise-attack-99.1.json")),
            ),
        ],
        3,
    );
    let followed = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(followed.code, Some(0), "stderr: {}", followed.stderr);
    let saved = sandbox.releases().join("enterprise-attack-99.1.json");
    assert_eq!(followed.stdout, format!("{}\n", saved.display()));
    assert_eq!(
        std::fs::read(&saved).expect("the saved release"),
        fixture("enterprise-attack-99.1.json")
    );
    // Each hop is announced, so the last line before the result names the host contacted.
    let base = &server.base;
    assert!(
        followed.stderr.contains(&format!(
            "note: {base}{RELEASE_991} redirects to {base}/moved/step\n\
             note: {base}/moved/step redirects to {base}/moved/final.json\n"
        )),
        "{}",
        followed.stderr
    );
    assert_eq!(
        server.finish(),
        vec![RELEASE_991, "/moved/step", "/moved/final.json"]
    );
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.1.json"]
    );

    // A failure after a redirect names where it happened, and where the download began.
    let server = Server::start(
        vec![
            (RELEASE_992, Reply::Redirect(302, "/gone".to_string())),
            ("/gone", Reply::Status(503)),
        ],
        2,
    );
    let failed = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.2"],
    );
    assert_eq!(failed.code, Some(EXIT_FAILURE), "stderr: {}", failed.stderr);
    let base = &server.base;
    assert!(
        failed.stderr.contains(&format!(
            "HTTP 503 for {base}/gone (redirected from {base}{RELEASE_992})"
        )),
        "{}",
        failed.stderr
    );
    assert_eq!(server.finish(), vec![RELEASE_992, "/gone"]);
    assert_eq!(
        sandbox.cache_files(),
        vec!["attack-data/enterprise-attack-99.1.json"]
    );
}

#[test]
fn a_redirect_loop_stops_after_five() {
    let sandbox = Sandbox::new();
    let server = Server::start(
        vec![(RELEASE_991, Reply::Redirect(302, RELEASE_991.to_string()))],
        10,
    );
    let run = run(
        &mut sandbox.atkmap(&server.base),
        &["data", "fetch", "--version", "99.1"],
    );
    assert_eq!(run.code, Some(EXIT_FAILURE), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("redirected more than 5 times"),
        "{}",
        run.stderr
    );
    assert_eq!(server.finish().len(), 6);
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

#[test]
fn companion_downloads_have_the_same_bounds() {
    let sandbox = Sandbox::new();
    let file = "/f3-stix-v1.1.json";
    let drip = Reply::Drip {
        length: 1000,
        every: Duration::from_secs(1),
    };
    let server = Server::start(vec![(file, drip)], 1);
    let (late, elapsed) = timed_run(
        sandbox
            .atkmap(&dead_base_url())
            .env("ATKMAP_COMPANION_BASE_URL", &server.base)
            .env("ATKMAP_DOWNLOAD_TIMEOUT", "2"),
        &["data", "fetch", "--framework", "f3"],
    );
    assert_eq!(late.code, Some(EXIT_FAILURE), "stderr: {}", late.stderr);
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(5),
        "failed after {elapsed:?}, not at the 2 s deadline"
    );
    assert!(
        late.stderr.contains(&format!(
            "cannot download F3 1.1 from {}{file}: it did not finish within the deadline of 2 s",
            server.base
        )),
        "{}",
        late.stderr
    );
    assert!(
        late.stderr.contains("ATKMAP_DOWNLOAD_TIMEOUT"),
        "{}",
        late.stderr
    );
    assert_eq!(server.finish(), vec![file]);

    let server = Server::start(
        vec![(
            file,
            Reply::Redirect(302, "http://evil.example/f3-stix-v1.1.json".to_string()),
        )],
        1,
    );
    let refused = run(
        sandbox
            .atkmap(&dead_base_url())
            .env("ATKMAP_COMPANION_BASE_URL", &server.base),
        &["data", "fetch", "--framework", "f3"],
    );
    assert_eq!(
        refused.code,
        Some(EXIT_FAILURE),
        "stderr: {}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("redirected to another host, evil.example"),
        "{}",
        refused.stderr
    );
    assert_eq!(server.finish(), vec![file]);
    assert_eq!(sandbox.cache_files(), Vec::<String>::new());
}

/// `data fetch --framework f3` saves MITRE's F3 file only when its SHA-256 is the published one:
/// the real file (read from the companion data directory, never committed) is saved under its
/// name; the same file with one byte changed is refused and nothing is saved.
#[test]
fn a_companion_file_is_saved_only_when_its_hash_is_mitres() {
    let Some(dir) = common::companion_dir() else {
        return;
    };
    let file = "/f3-stix-v1.1.json";
    let official = std::fs::read(dir.join("f3-stix-v1.1.json")).expect("F3 file");
    let mut altered = official.clone();
    altered.push(b'\n');
    let sandbox = Sandbox::new();
    let server = Server::start(vec![(file, Reply::Body(altered))], 1);
    let refused = run(
        sandbox
            .atkmap(&dead_base_url())
            .env("ATKMAP_COMPANION_BASE_URL", &server.base),
        &["data", "fetch", "--framework", "f3"],
    );
    assert_eq!(refused.code, Some(EXIT_FAILURE), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("is not the official F3 1.1")
            && refused
                .stderr
                .contains("e380161dfed59f4b7ddb49c873a15b4d07fa74a553edcbb9fb0b27d47e435980"),
        "{}",
        refused.stderr
    );
    assert!(!sandbox.releases().join("f3-stix-v1.1.json").exists());
    server.finish();

    let server = Server::start(vec![(file, Reply::Body(official.clone()))], 1);
    let saved = run(
        sandbox
            .atkmap(&dead_base_url())
            .env("ATKMAP_COMPANION_BASE_URL", &server.base),
        &["data", "fetch", "--framework", "f3"],
    );
    assert_eq!(saved.code, Some(0), "{}", saved.stderr);
    let path = sandbox.releases().join("f3-stix-v1.1.json");
    assert_eq!(saved.stdout.trim(), path.display().to_string());
    assert_eq!(std::fs::read(&path).expect("saved"), official);
    // `data list` names it.
    let listed = run(&mut sandbox.atkmap(&dead_base_url()), &["data", "list"]);
    assert!(
        listed.stdout.contains("f3") && listed.stdout.contains("1.1"),
        "{}",
        listed.stdout
    );
    server.finish();
}

//! The HTML report: rendered from real reports (the example models, a 50-system model and a
//! hostile model) against MITRE's Enterprise 18.1 bundle, checked statically (one file, no
//! external resource, a Content-Security-Policy whose hashes match the inline blocks, every
//! model string escaped) and in a real headless browser (the script runs, the policy blocks
//! nothing of ours, the hostile model's payloads do not run).
//!
//! The browser is Debian's `chromium` (or `ATKMAP_CHROMIUM`). Without it the browser tests are
//! skipped with a message, unless `ATKMAP_REQUIRE_DATA` is set (CI), where they fail.
//! `ATKMAP_HTML_KEEP=DIR` keeps the rendered pages and screenshots there for a look.

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use atkmap::analysis::Options;
use atkmap::analysis::findings::Reason;
use atkmap::cli::data_source::DataOptions;
use atkmap::cli::model_files::check_files;
use atkmap::cli::report_cmd::build_report;
use atkmap::model::date::Date;
use atkmap::report::templates::Templates;
use atkmap::report::{Report, html};
use sha2::{Digest, Sha256};

const EKYC: &str = "models/ekyc-national-id.yaml";
const TELCO: &str = "models/telco-sim-registration.yaml";
const HOSTILE: &str = "tests/fixtures/html/hostile.yaml";
const LARGE: &str = "tests/fixtures/html/large.yaml";

struct Page {
    report: Report,
    html: String,
}

struct Pages {
    ekyc: Page,
    telco: Page,
    hostile: Page,
    large: Page,
}

static PAGES: OnceLock<Option<Pages>> = OnceLock::new();

/// The pages, built once per test binary (loading the bundle is the slow part).
fn pages() -> Option<&'static Pages> {
    PAGES.get_or_init(build_pages).as_ref()
}

fn build_pages() -> Option<Pages> {
    let data_dir = common::data_dir()?;
    assert_eq!(
        std::env::current_dir().expect("current directory"),
        common::repo(),
        "integration tests run in the package root"
    );
    let data = DataOptions {
        data_dir: Some(data_dir),
        offline: true,
        ..Default::default()
    };
    let date = Date::parse("2026-11-25").expect("a valid date");
    let page = |model: &str| {
        let checked = check_files(&[PathBuf::from(model)], &data, date, true)
            .unwrap_or_else(|e| panic!("{model} cannot be checked: {e:?}"));
        assert_eq!(checked.errors(), 0, "{model}: {:#?}", checked.diagnostics);
        let report = build_report(
            &checked,
            &Options {
                today: date,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{model} cannot be reported on: {e:?}"));
        let html = html::render(&report, &Templates::builtin())
            .unwrap_or_else(|e| panic!("{model} does not render: {e}"));
        Page { report, html }
    };
    Some(Pages {
        ekyc: page(EKYC),
        telco: page(TELCO),
        hostile: page(HOSTILE),
        large: page(LARGE),
    })
}

// ---------------------------------------------------------------------------------------------
// A small HTML tokenizer: enough to list every tag with its attributes and the raw text of
// <script> and <style>. Model text is escaped, so every `<` in the page starts markup.
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
    /// Byte offset of the `<`.
    at: usize,
    /// For <script> and <style>: the raw text up to the end tag.
    raw: Option<String>,
}

impl Tag {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn tokenize(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let at = i + offset;
        let rest = &html[at..];
        if rest.starts_with("<!--") {
            i = at + rest.find("-->").expect("a closed comment") + 3;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") {
            i = at + rest.find('>').expect("a closed tag") + 1;
            continue;
        }
        let mut j = at + 1;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let name = html[at + 1..j].to_ascii_lowercase();
        assert!(
            !name.is_empty(),
            "a bare `<` at byte {at}: {}",
            &html[at..(at + 60).min(html.len())]
        );
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            assert!(j < bytes.len(), "unterminated <{name}>");
            if bytes[j] == b'>' {
                j += 1;
                break;
            }
            if bytes[j] == b'/' {
                j += 1;
                continue;
            }
            let start = j;
            while j < bytes.len()
                && !matches!(bytes[j], b'=' | b'>' | b'/')
                && !bytes[j].is_ascii_whitespace()
            {
                j += 1;
            }
            let attribute = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if bytes[j] == b'"' || bytes[j] == b'\'' {
                    let quote = bytes[j];
                    let end = j
                        + 1
                        + bytes[j + 1..]
                            .iter()
                            .position(|&b| b == quote)
                            .expect("a closed attribute");
                    value = decode_entities(&html[j + 1..end]);
                    j = end + 1;
                } else {
                    let start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[start..j]);
                }
            }
            attributes.push((attribute, value));
        }
        let mut raw = None;
        if name == "script" || name == "style" {
            let end = j + lower[j..]
                .find(&format!("</{name}"))
                .expect("a closed raw-text element");
            raw = Some(html[j..end].to_string());
            j = end;
        }
        tags.push(Tag {
            name,
            attributes,
            at,
            raw,
        });
        i = j;
    }
    tags
}

/// The text of the first `<name>` element (no markup inside), decoded.
fn element_text(html: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = html.find(&open).unwrap_or_else(|| panic!("no <{name}>")) + open.len();
    let end = start + html[start..].find('<').expect("an end tag");
    decode_entities(&html[start..end])
}

fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        html::base64(&Sha256::digest(text.as_bytes()))
    )
}

/// Elements a report may contain: the template's and the SVG builder's, nothing else.
const ALLOWED_TAGS: &[&str] = &[
    "html", "head", "meta", "link", "title", "style", "body", "header", "nav", "main", "section",
    "footer", "div", "span", "a", "p", "h1", "h2", "h3", "dl", "dt", "dd", "ul", "li", "table",
    "thead", "tbody", "tr", "th", "td", "details", "summary", "strong", "small", "code", "input",
    "select", "option", "button", "output", "script", "svg", "defs", "marker", "g", "rect", "path",
    "text", "tspan",
];

/// The structural checks every page passes; returns its tags.
fn check_structure(html: &str) -> Vec<Tag> {
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    let tags = tokenize(html);

    // Nothing but the report's own elements.
    let unexpected: BTreeSet<&str> = tags
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !ALLOWED_TAGS.contains(n))
        .collect();
    assert!(unexpected.is_empty(), "unexpected elements {unexpected:?}");

    // No event handler attributes, and no URL to anything but attack.mitre.org pages (links),
    // fragments and data: URLs.
    for tag in &tags {
        for (name, value) in &tag.attributes {
            assert!(
                !name.starts_with("on"),
                "<{}> has a handler {name}={value:?}",
                tag.name
            );
            let lowered = value.trim().to_ascii_lowercase();
            assert!(
                !lowered.starts_with("javascript:"),
                "<{}> {name}={value:?}",
                tag.name
            );
            if matches!(
                name.as_str(),
                "src"
                    | "href"
                    | "xlink:href"
                    | "action"
                    | "formaction"
                    | "data"
                    | "poster"
                    | "srcset"
            ) {
                let ok = value.starts_with('#')
                    || value.starts_with("data:")
                    || (tag.name == "a"
                        && name == "href"
                        && value.starts_with("https://attack.mitre.org/"));
                assert!(ok, "<{}> loads or links {name}={value:?}", tag.name);
            }
            if value.contains("://") {
                let ok = (name == "xmlns" && value == "http://www.w3.org/2000/svg")
                    || (tag.name == "a"
                        && name == "href"
                        && value.starts_with("https://attack.mitre.org/"))
                    || (tag.name == "meta" && name == "content");
                assert!(ok, "<{}> {name}={value:?} names a URL", tag.name);
            }
        }
        if tag.name == "script" {
            assert!(tag.attribute("src").is_none(), "external script");
        }
        if tag.name == "link" {
            assert_eq!(
                tag.attribute("rel"),
                Some("icon"),
                "only the empty favicon is linked"
            );
            assert_eq!(tag.attribute("href"), Some("data:,"));
        }
    }

    // The policy: first in <head>, before any inline block, allowing exactly the inline blocks.
    let policies: Vec<&Tag> = tags
        .iter()
        .filter(|t| {
            t.name == "meta"
                && t.attribute("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
        })
        .collect();
    assert_eq!(policies.len(), 1, "one Content-Security-Policy");
    let policy = policies[0].attribute("content").expect("a policy");
    let directives: Vec<(&str, Vec<&str>)> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace();
            (words.next().expect("a directive name"), words.collect())
        })
        .collect();
    let directive = |name: &str| -> Vec<&str> {
        directives
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no {name} in {policy}"))
            .1
            .clone()
    };
    assert_eq!(directive("default-src"), vec!["'none'"]);
    assert_eq!(directive("img-src"), vec!["data:"]);
    assert_eq!(directive("base-uri"), vec!["'none'"]);
    assert!(!policy.contains("unsafe"), "{policy}");
    let blocks =
        |element: &str| -> Vec<&Tag> { tags.iter().filter(|t| t.name == element).collect() };
    let styles = blocks("style");
    let scripts = blocks("script");
    assert_eq!(styles.len(), 1, "one inline stylesheet");
    assert_eq!(scripts.len(), 1, "one inline script");
    for block in styles.iter().chain(scripts.iter()) {
        assert!(
            block.at > policies[0].at,
            "the policy comes before <{}>",
            block.name
        );
    }
    let hashes = |list: &[&Tag]| -> Vec<String> {
        list.iter()
            .map(|t| csp_hash(t.raw.as_deref().expect("raw text")))
            .collect()
    };
    assert_eq!(
        directive("style-src"),
        hashes(&styles),
        "style-src hashes the <style> blocks"
    );
    assert_eq!(
        directive("script-src"),
        hashes(&scripts),
        "script-src hashes the <script> blocks"
    );

    // The stylesheet loads nothing either.
    let css = styles[0].raw.as_deref().expect("css");
    assert!(
        !css.contains("@import") && !css.contains("url("),
        "the stylesheet loads nothing"
    );
    tags
}

#[test]
fn example_reports_are_self_contained_with_a_matching_policy() {
    let Some(pages) = pages() else { return };
    for (model, page) in [
        (EKYC, &pages.ekyc),
        (TELCO, &pages.telco),
        (LARGE, &pages.large),
    ] {
        let tags = check_structure(&page.html);
        let report = &page.report;

        // The summary, the release and the data hash.
        assert!(
            page.html.contains(&report.attack.sha256),
            "{model}: the data hash"
        );
        assert!(
            page.html
                .contains(&format!("ATT&amp;CK v{}", report.attack.version))
        );
        assert!(
            page.html
                .contains(&format!(">{}</div>", report.summary.exposures))
        );
        assert!(
            page.html.contains(&model.replace('/', "&#x2f;")),
            "{model}: the model file"
        );

        // Matrix: one column per tactic, in matrix order.
        let columns: Vec<usize> = report
            .attack
            .tactics
            .iter()
            .map(|t| {
                page.html
                    .find(&format!("https://attack.mitre.org/tactics/{}/", t.id))
                    .unwrap_or_else(|| panic!("{model}: no column for {}", t.id))
            })
            .collect();
        assert!(
            columns.windows(2).all(|w| w[0] < w[1]),
            "{model}: tactics in matrix order"
        );

        // Findings: one row per exposure, technique linked.
        let rows = tags
            .iter()
            .filter(|t| t.name == "tr" && t.attribute("data-status").is_some())
            .count();
        assert_eq!(
            rows,
            report.exposures.len(),
            "{model}: one row per exposure"
        );
        for e in &report.exposures {
            let url = match e.technique.split_once('.') {
                Some((parent, sub)) => {
                    format!("https://attack.mitre.org/techniques/{parent}/{sub}/")
                }
                None => format!("https://attack.mitre.org/techniques/{}/", e.technique),
            };
            assert!(
                page.html
                    .contains(&format!("<a href=\"{url}\">{}</a>", e.technique))
            );
        }

        // One diagram, one box per system, one band per owner.
        let model_summary = &report.models[0];
        assert_eq!(
            tags.iter()
                .filter(|t| t.name == "a" && t.attribute("class") == Some("system"))
                .count(),
            model_summary.systems.len()
        );
        let owners: BTreeSet<&str> = model_summary
            .systems
            .iter()
            .filter_map(|s| s.owner.as_deref())
            .collect();
        assert_eq!(
            tags.iter()
                .filter(|t| t.name == "g" && t.attribute("class") == Some("trust-domain"))
                .count(),
            owners.len() + usize::from(model_summary.systems.iter().any(|s| s.owner.is_none()))
        );

        // Deterministic: no timestamps, same bytes every time.
        assert_eq!(
            html::render(report, &Templates::builtin()).expect("renders again"),
            page.html
        );
        assert!(
            page.html.len() < 1_500_000,
            "{model}: {} bytes",
            page.html.len()
        );
    }
}

#[test]
fn hostile_model_strings_render_as_text() {
    let Some(pages) = pages() else { return };
    let html = &pages.hostile.html;
    let tags = check_structure(html);
    // Only our two SVGs (the status bar and the diagram): `</svg>` in names closed nothing.
    assert_eq!(tags.iter().filter(|t| t.name == "svg").count(), 2);
    assert_eq!(html.matches("</svg>").count(), 2);
    for payload in [
        "<script>document",
        "<img",
        "<iframe",
        "<object",
        "<svg onload",
        "<b onmouseover",
        "<a href=\"javascript",
    ] {
        assert!(
            !html.contains(payload),
            "{payload} reached the page as markup"
        );
    }
    // The strings are there, as text: in the template's escaping and in the SVG's.
    for escaped in [
        "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;&#x2f;script&gt;",
        "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;",
        "&lt;img src=x onerror=&quot;document.body.setAttribute(",
        "&quot; onmouseover=&quot;document.body.setAttribute(",
        "&lt;&#x2f;svg&gt;&lt;script&gt;document.body.setAttribute(",
        "&lt;/svg&gt;&lt;script&gt;document.body.setAttribute(",
        "&lt;iframe src=&quot;https:&#x2f;&#x2f;evil.example&#x2f;frame&quot;&gt;",
        "&lt;link rel=stylesheet href=&quot;https:&#x2f;&#x2f;evil.example&#x2f;x.css&quot;&gt;",
        "{{ 7*7 }}",
    ] {
        assert!(html.contains(escaped), "missing {escaped}");
    }
    assert!(
        !html.contains(">49<"),
        "model text is not evaluated as a template"
    );
    // Decoded, the text is exactly what the model says.
    assert_eq!(
        element_text(html, "title"),
        "ATT&CK gap report: <script>document.title='PWNED'</script> Hostile \"quoted\" & 'single' model"
    );
    assert_eq!(
        element_text(html, "h1"),
        "<script>document.title='PWNED'</script> Hostile \"quoted\" & 'single' model"
    );
    // Attribute values decode to the model's text too, quotes included.
    let filters: BTreeSet<&str> = tags
        .iter()
        .filter_map(|t| t.attribute("data-filter"))
        .collect();
    assert!(filters.contains("onboarding") && filters.contains("broker"));
}

// ---------------------------------------------------------------------------------------------
// The browser.
// ---------------------------------------------------------------------------------------------

/// The headless browser, or `None` (after saying why) when it is not installed and not required.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("ATKMAP_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .collect();
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    if std::env::var_os("ATKMAP_REQUIRE_DATA").is_some() {
        panic!(
            "ATKMAP_REQUIRE_DATA is set but no headless browser was found ({candidates:?}): \
             install Debian's `chromium` or set ATKMAP_CHROMIUM"
        );
    }
    eprintln!(
        "skipping: no chromium to test the HTML report in (install `chromium` or set ATKMAP_CHROMIUM)"
    );
    None
}

struct Browser {
    binary: PathBuf,
    dir: tempfile::TempDir,
}

struct Run {
    stdout: String,
    stderr: String,
}

impl Browser {
    fn new() -> Option<Browser> {
        Some(Browser {
            binary: chromium()?,
            dir: tempfile::tempdir().expect("a temporary directory"),
        })
    }

    /// Writes a page and returns its file: URL.
    fn page(&self, name: &str, html: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, html).expect("write the page");
        keep(&path);
        format!("file://{}", path.display())
    }

    /// Runs chromium on `url` with `action` (`--dump-dom`, `--screenshot=…`), a fresh profile,
    /// no network services, and console messages logged to stderr.
    fn run(&self, action: &[String], url: &str) -> Run {
        let profile = tempfile::tempdir().expect("a profile directory");
        let stdout_path = self.dir.path().join("stdout");
        let stderr_path = self.dir.path().join("stderr");
        let mut command = Command::new(&self.binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(action)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path).expect("stdout file"))
            .stderr(File::create(&stderr_path).expect("stderr file"));
        let mut child = command.spawn().expect("chromium starts");
        let deadline = Instant::now() + Duration::from_secs(180);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for chromium") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 180 s on {url}");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let run = Run {
            stdout: std::fs::read_to_string(&stdout_path).expect("stdout"),
            stderr: std::fs::read_to_string(&stderr_path).expect("stderr"),
        };
        assert!(
            status.success(),
            "chromium failed ({status}) on {url}:\n{}",
            run.stderr
        );
        run
    }

    fn dump_dom(&self, url: &str) -> Run {
        let run = self.run(&["--dump-dom".to_string()], url);
        // Console messages are logged as `...:INFO:CONSOLE:<line>] "<message>", source: ...`:
        // script errors, and every Content-Security-Policy violation ("... violates the
        // following Content Security Policy directive ..."). The report logs nothing.
        let console: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .collect();
        assert!(
            console.is_empty(),
            "console messages on {url}:\n{}",
            console.join("\n")
        );
        assert!(
            !run.stderr.contains("Content Security Policy"),
            "{}",
            run.stderr
        );
        assert!(
            run.stdout.contains("</html>"),
            "no DOM from {url}:\n{}",
            run.stderr
        );
        run
    }
}

/// Copies a file to `ATKMAP_HTML_KEEP` when set.
fn keep(path: &Path) {
    if let Some(dir) = std::env::var_os("ATKMAP_HTML_KEEP") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create ATKMAP_HTML_KEEP");
        std::fs::copy(path, dir.join(path.file_name().expect("a file name"))).expect("keep a copy");
    }
}

/// The `<html>` start tag of a dumped DOM.
fn html_tag(dom: &str) -> &str {
    let start = dom.find("<html").expect("an <html> tag");
    &dom[start..start + dom[start..].find('>').expect("a closed tag") + 1]
}

#[test]
fn browser_runs_the_script_and_the_policy_blocks_nothing_of_ours() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    for (name, page) in [("ekyc.html", &pages.ekyc), ("large.html", &pages.large)] {
        let url = browser.page(name, &page.html);
        let dom = browser.dump_dom(&url).stdout;
        assert_eq!(
            html_tag(&dom),
            format!(
                "<html lang=\"en\" data-atkmap-ready=\"{}\">",
                page.report.exposures.len()
            ),
            "{name}: the script initialised"
        );
        // The filter controls are shown once the script runs.
        assert!(
            dom.contains("<div class=\"controls\" id=\"findings-controls\" role=\"search\">"),
            "{name}"
        );
    }

    // The filter, driven through the URL: only the rows of one system stay visible.
    let url = browser.page("ekyc.html", &pages.ekyc.html);
    let dom = browser.dump_dom(&format!("{url}#q=bank-core")).stdout;
    let rows: Vec<&str> = dom.split("<tr data-status=").skip(1).collect();
    assert_eq!(rows.len(), pages.ekyc.report.exposures.len());
    let expected = pages
        .ekyc
        .report
        .exposures
        .iter()
        .filter(|e| {
            e.system == "bank-core"
                || e.reasons.iter().any(
                    |r| matches!(r, Reason::TrustedRelationship { flow } if flow.contains("bank-core")),
                )
        })
        .count();
    assert!(expected > 0);
    let visible: Vec<&&str> = rows
        .iter()
        .filter(|r| !r[..r.find('>').unwrap_or(0)].contains("hidden"))
        .collect();
    assert_eq!(visible.len(), expected, "rows left by the filter");
    assert!(visible.iter().all(|r| r.contains("bank-core")));
    assert!(dom.contains(&format!(
        "{expected} of {} findings shown",
        pages.ekyc.report.exposures.len()
    )));
}

#[test]
fn browser_runs_none_of_the_hostile_payloads() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let url = browser.page("hostile.html", &pages.hostile.html);
    let dom = browser.dump_dom(&url).stdout;
    // Our script ran; none of the payloads did (each would leave one of these marks).
    assert_eq!(
        html_tag(&dom),
        format!(
            "<html lang=\"en\" data-atkmap-ready=\"{}\">",
            pages.hostile.report.exposures.len()
        )
    );
    assert!(
        dom.contains("\n<body>\n"),
        "the body gained attributes: {}",
        &dom[dom.find("<body").expect("body")..][..200]
    );
    assert!(!dom.contains("data-pwned=\""), "a payload set an attribute");
    assert!(!dom.contains("<pwned-marker"), "a payload added an element");
    assert!(
        !dom.contains("<title>PWNED</title>"),
        "a payload set the title"
    );
    for element in ["<img", "<iframe", "<object", "<script>document"] {
        assert!(!dom.contains(element), "{element} in the DOM");
    }
    assert!(dom.contains(
        "<h1>&lt;script&gt;document.title='PWNED'&lt;/script&gt; Hostile \"quoted\" &amp; 'single' model</h1>"
    ));
}

#[test]
fn browser_screenshot_renders() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let url = browser.page("ekyc.html", &pages.ekyc.html);
    let png = browser.dir.path().join("ekyc.png");
    let run = browser.run(
        &[
            "--hide-scrollbars".to_string(),
            "--window-size=1400,1000".to_string(),
            format!("--screenshot={}", png.display()),
        ],
        &url,
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{}", run.stderr));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // 1400 x 1000 (IHDR width and height, big-endian).
    assert_eq!(&bytes[16..24], &[0, 0, 0x05, 0x78, 0, 0, 0x03, 0xe8]);
    // A styled page compresses far less than a blank one.
    assert!(
        bytes.len() > 50_000,
        "{} bytes: is the page blank?",
        bytes.len()
    );
    keep(&png);
}

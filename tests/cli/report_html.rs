//! The HTML report: rendered from real reports (the example models, a 50-system model and a
//! hostile model) against MITRE's Enterprise 18.1 bundle, checked statically (one file, no
//! external resource, a Content-Security-Policy whose hashes match the inline blocks, every
//! model string escaped, the sections in reading order) and in a real headless browser (the
//! script runs, the policy blocks nothing of ours, the hostile model's payloads do not run).
//!
//! On what the browser parsed, the decision-aid sections are read back against the JSON: the
//! fix plan grouped by owner with each step's paths and open risk before and after, the
//! findings by risk with the long tail folded, the filter acting on findings and exposures
//! alike, and the page with its script blocked (everything shown, no dead controls).
//!
//! Small models written for the tests check what a reader does and sees, through probes (scripts
//! the test adds to the page, allowed by its policy through their hash, that click and measure):
//! every matrix cell filters to exactly its technique (a preparation technique to its entries in
//! the preparation table), 120-character names wrap inside their cells and the window, model
//! text is isolated from the text after it, and an empty model clips no heading and claims no
//! coverage.
//!
//! The browser is Debian's `chromium` (or `ATKMAP_CHROMIUM`). Without it the browser tests
//! fail, unless `ATKMAP_SKIP_BROWSER=1` says to skip them knowingly.
//! `ATKMAP_HTML_KEEP=DIR` keeps the rendered pages and screenshots there for a look.

use crate::common;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use atkmap::analysis::Options;
use atkmap::analysis::findings::{Finding, PlanStep, Reason};
use atkmap::attack::Framework;
use atkmap::model::date::Date;
use atkmap::report::templates::Templates;
use atkmap::report::{ModelSummary, Report, html};
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
    small: SmallPages,
}

/// Pages of small models written for the tests below (see [`small_models`]).
struct SmallPages {
    /// Preparation techniques (T1589, T1597.002, F3's F1020.001), T1078 next to its
    /// sub-technique T1078.004, and F3 and ATLAS techniques (F1031, AML.T0015).
    matrix: Page,
    /// 120-character names without a space, in every field a name can be in.
    long: Page,
    /// A U+202E and Hebrew in every name, description, owner and the file name.
    bidi: Page,
    /// No system and no actor.
    empty: Page,
    /// Systems but no actor: no exposure.
    quiet: Page,
    /// Every exposure accepted.
    accepted: Page,
}

static PAGES: OnceLock<Option<Pages>> = OnceLock::new();

/// The pages, built once per test binary (loading the bundle is the slow part).
fn pages() -> Option<&'static Pages> {
    PAGES.get_or_init(build_pages).as_ref()
}

fn build_pages() -> Option<Pages> {
    common::data_dir()?;
    assert_eq!(
        std::env::current_dir().expect("current directory"),
        common::repo(),
        "integration tests run in the package root"
    );
    let date = Date::parse("2026-11-25").expect("a valid date");
    let page = |model: &str| {
        let checked = common::checked::check(&[PathBuf::from(model)], date).expect("the data");
        assert!(
            checked.diagnostics.iter().all(|d| !d.is_error()),
            "{model}: {:#?}",
            checked.diagnostics
        );
        render_page(&checked, date, Path::new(model))
    };
    Some(Pages {
        ekyc: page(EKYC),
        telco: page(TELCO),
        hostile: page(HOSTILE),
        large: page(LARGE),
        small: build_small_pages(date),
    })
}

fn render_page(checked: &common::checked::Checked, date: Date, model: &Path) -> Page {
    let report = checked.report(&[model], &Options::new(date));
    let html = html::render(&report, &Templates::builtin())
        .unwrap_or_else(|e| panic!("{} does not render: {e}", model.display()));
    Page { report, html }
}

/// Writes the [`small_models`] to a temporary directory, checks them in one run (the bundles
/// load once) and reports on each alone.
fn build_small_pages(date: Date) -> SmallPages {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let paths: Vec<PathBuf> = small_models()
        .iter()
        .map(|(file, yaml)| {
            let path = dir.path().join(file);
            std::fs::write(&path, yaml).expect("write a model");
            path
        })
        .collect();
    let checked = common::checked::check(&paths, date).expect("the data");
    assert!(
        checked.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        checked.diagnostics
    );
    let mut pages = paths.iter().map(|path| render_page(&checked, date, path));
    let mut next = || pages.next().expect("a page per model");
    SmallPages {
        matrix: next(),
        long: next(),
        bidi: next(),
        empty: next(),
        quiet: next(),
        accepted: next(),
    }
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
            "nbsp" => Some('\u{a0}'),
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

/// Reads the start tag at `at` (`<name attr=value ...>`): its name, attributes and the byte
/// offset just past it.
fn start_tag(html: &str, at: usize) -> (String, Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
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
    (name, attributes, j)
}

/// The offset of the end tag `</name` closing a raw-text element whose text starts at `from`.
fn raw_text_end(html: &str, name: &str, from: usize) -> usize {
    from + html[from..]
        .to_ascii_lowercase()
        .find(&format!("</{name}"))
        .expect("a closed raw-text element")
}

fn tokenize(html: &str) -> Vec<Tag> {
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
        let (name, attributes, mut j) = start_tag(html, at);
        let mut raw = None;
        if name == "script" || name == "style" {
            let end = raw_text_end(html, &name, j);
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

// ---------------------------------------------------------------------------------------------
// The DOM a browser dumps (`--dump-dom`), as a tree: Chromium serialises every element but the
// void ones with an end tag, so a stack is enough to rebuild what the browser parsed.
// ---------------------------------------------------------------------------------------------

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

#[derive(Debug)]
enum Child {
    Element(usize),
    Text(String),
}

#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Child>,
}

/// A parsed DOM; element 0 is the document.
struct Dom {
    elements: Vec<Element>,
}

/// One element of a [`Dom`].
#[derive(Clone, Copy)]
struct Node<'a> {
    dom: &'a Dom,
    index: usize,
}

impl Dom {
    fn parse(html: &str) -> Dom {
        let mut elements = vec![Element {
            name: "#document".to_string(),
            attributes: Vec::new(),
            children: Vec::new(),
        }];
        let mut open = vec![0usize];
        let mut i = 0;
        let text = |elements: &mut Vec<Element>, parent: usize, raw: &str, decode: bool| {
            if !raw.is_empty() {
                let value = if decode {
                    decode_entities(raw)
                } else {
                    raw.to_string()
                };
                elements[parent].children.push(Child::Text(value));
            }
        };
        while i < html.len() {
            let parent = *open.last().expect("the document stays open");
            let Some(offset) = html[i..].find('<') else {
                text(&mut elements, parent, &html[i..], true);
                break;
            };
            let at = i + offset;
            text(&mut elements, parent, &html[i..at], true);
            let rest = &html[at..];
            if rest.starts_with("<!--") {
                i = at + rest.find("-->").expect("a closed comment") + 3;
            } else if rest.starts_with("<!") {
                i = at + rest.find('>').expect("a closed doctype") + 1;
            } else if let Some(end_tag) = rest.strip_prefix("</") {
                let close = end_tag.find('>').expect("a closed end tag");
                let name = end_tag[..close].trim().to_ascii_lowercase();
                let depth = open
                    .iter()
                    .rposition(|&e| elements[e].name == name)
                    .unwrap_or_else(|| panic!("</{name}> closes nothing at byte {at}"));
                assert!(depth > 0, "</{name}> closes the document");
                open.truncate(depth);
                i = at + 2 + close + 1;
            } else {
                let (name, attributes, mut j) = start_tag(html, at);
                let index = elements.len();
                elements[parent].children.push(Child::Element(index));
                let raw_text = name == "script" || name == "style";
                let void = VOID_ELEMENTS.contains(&name.as_str()) || html[..j].ends_with("/>");
                elements.push(Element {
                    name: name.clone(),
                    attributes,
                    children: Vec::new(),
                });
                if raw_text {
                    let end = raw_text_end(html, &name, j);
                    text(&mut elements, index, &html[j..end], false);
                    j = end;
                }
                if !void {
                    open.push(index);
                }
                i = j;
            }
        }
        Dom { elements }
    }

    fn root(&self) -> Node<'_> {
        Node {
            dom: self,
            index: 0,
        }
    }

    /// The element with this id; there must be exactly one.
    fn by_id(&self, id: &str) -> Node<'_> {
        let found = self.root().find(|n| n.attribute("id") == Some(id));
        assert_eq!(found.len(), 1, "elements with id {id}");
        found[0]
    }
}

impl<'a> Node<'a> {
    fn element(&self) -> &'a Element {
        &self.dom.elements[self.index]
    }

    fn name(&self) -> &'a str {
        &self.element().name
    }

    fn attribute(&self, name: &str) -> Option<&'a str> {
        self.element()
            .attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|w| w == class))
    }

    fn children(&self) -> Vec<Node<'a>> {
        self.element()
            .children
            .iter()
            .filter_map(|c| match c {
                Child::Element(index) => Some(Node {
                    dom: self.dom,
                    index: *index,
                }),
                Child::Text(_) => None,
            })
            .collect()
    }

    /// Descendants matching `test`, in document order.
    fn find(&self, test: impl Fn(&Node) -> bool + Copy) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        for child in self.children() {
            if test(&child) {
                out.push(child);
            }
            out.extend(child.find(test));
        }
        out
    }

    /// Descendants named `name` that carry `class` (any class when empty).
    fn all(&self, name: &str, class: &str) -> Vec<Node<'a>> {
        self.find(|n| n.name() == name && (class.is_empty() || n.has_class(class)))
    }

    /// The only descendant named `name` with `class`.
    fn one(&self, name: &str, class: &str) -> Node<'a> {
        let found = self.all(name, class);
        assert_eq!(found.len(), 1, "<{name} class={class:?}> elements");
        found[0]
    }

    /// The text content, whitespace collapsed.
    fn text(&self) -> String {
        fn collect(node: &Node, out: &mut String) {
            for child in &node.element().children {
                match child {
                    Child::Text(t) => out.push_str(t),
                    Child::Element(index) => collect(
                        &Node {
                            dom: node.dom,
                            index: *index,
                        },
                        out,
                    ),
                }
            }
        }
        let mut out = String::new();
        collect(self, &mut out);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The rows of a table's bodies.
    fn body_rows(&self) -> Vec<Node<'a>> {
        self.all("tbody", "")
            .into_iter()
            .flat_map(|b| b.children())
            .filter(|r| r.name() == "tr")
            .collect()
    }
}

/// The text after the first `open` (start tags, no attributes) up to the next tag, decoded.
fn element_text(html: &str, open: &str) -> String {
    let start = html.find(open).unwrap_or_else(|| panic!("no {open}")) + open.len();
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
    "footer", "div", "span", "a", "p", "h1", "h2", "h3", "dl", "dt", "dd", "ul", "ol", "li", "bdi",
    "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "strong", "small", "code",
    "input", "select", "option", "button", "output", "script", "svg", "defs", "marker", "g",
    "rect", "path", "text", "tspan",
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
                    || (tag.name == "a" && name == "href" && is_mitre_page(value));
                assert!(ok, "<{}> loads or links {name}={value:?}", tag.name);
            }
            if value.contains("://") {
                let ok = (name == "xmlns" && value == "http://www.w3.org/2000/svg")
                    || (tag.name == "a" && name == "href" && is_mitre_page(value))
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

/// The page's sections, in the order a reader meets them.
const SECTIONS: &[&str] = &[
    "summary",
    "plan",
    "paths",
    "findings",
    "supply-chain",
    "matrix",
    "exposures",
    "preparation",
    "accepted",
    "drift",
    "warnings",
    "models",
];

fn check_sections(html: &str, page: &str) {
    let at: Vec<usize> = SECTIONS
        .iter()
        .map(|id| {
            html.find(&format!("<section id=\"{id}\">"))
                .unwrap_or_else(|| panic!("{page}: no section {id}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{page}: sections in the order {SECTIONS:?}"
    );
}

/// "A", "A and B", "A, B and C": owners as a heading names them.
fn owner_phrase(owners: &[String]) -> String {
    match owners {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Text with its whitespace collapsed, as [`Node::text`] gives it.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The fix plan: every step once, grouped by its owners in the order of their first step, with
/// the fix, the paths and open risk before and after, the alternatives and the changed
/// findings (folded) exactly as the JSON gives them; the summary starts with the first step.
fn check_plan(dom: &Dom, report: &Report, page: &str) {
    assert_eq!(report.models.len(), 1, "{page}: one model per page here");
    let groups = dom.by_id("plan").all("div", "asks");
    assert_eq!(groups.is_empty(), report.plan.is_empty(), "{page}");
    let mut seen = Vec::new();
    let mut headings = BTreeSet::new();
    let mut first_steps = Vec::new();
    for group in &groups {
        let (heading, steps) = check_owner_group(group, report, page);
        assert!(headings.insert(heading.clone()), "{page}: {heading} twice");
        first_steps.push(steps[0]);
        seen.extend(steps);
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        report.plan.iter().map(|p| p.step).collect::<Vec<_>>(),
        "{page}: every step once"
    );
    assert!(
        first_steps.windows(2).all(|w| w[0] < w[1]),
        "{page}: owners in the order of their first step"
    );
    check_plan_outcome(dom, report, page);
}

/// One owner's asks: a heading naming the owners of its first step, then steps of the same
/// owners. Returns the heading and the step numbers.
fn check_owner_group(group: &Node, report: &Report, page: &str) -> (String, Vec<usize>) {
    let heading = group.one("h3", "").text();
    let items = group.all("li", "plan-step");
    assert!(!items.is_empty(), "{page}: {heading} asks nothing");
    let mut numbers = Vec::new();
    let mut owners: Option<&Vec<String>> = None;
    for item in &items {
        let number: usize = item
            .attribute("data-step")
            .and_then(|n| n.parse().ok())
            .expect("a step number");
        let step = report
            .plan
            .iter()
            .find(|p| p.step == number)
            .unwrap_or_else(|| panic!("{page}: step {number} is not in the JSON"));
        let group_owners = *owners.get_or_insert(&step.owners);
        assert_eq!(
            group_owners, &step.owners,
            "{page}: step {number} is grouped with steps of other owners"
        );
        check_plan_step(item, step, page);
        numbers.push(number);
    }
    let owners = owners.expect("a step");
    let asked = if owners.is_empty() {
        "Asks of whoever runs the systems the model gives no owner".to_string()
    } else {
        format!("Asks of {}", collapse(&owner_phrase(owners)))
    };
    assert_eq!(
        heading,
        format!("{asked} {}", plural(items.len(), "step")),
        "{page}: the heading over step {}",
        numbers[0]
    );
    (heading, numbers)
}

/// The summary starts with the plan's first step, and says where the whole plan leads.
fn check_plan_outcome(dom: &Dom, report: &Report, page: &str) {
    let (Some(first), Some(last)) = (report.plan.first(), report.plan.last()) else {
        return;
    };
    let start = dom.root().one("p", "start-here").text();
    assert!(start.contains(&first.fix), "{page}: {start}");
    assert!(
        start.contains(&format!(
            "attack paths {} → {}, open risk {} → {}",
            first.paths_before, first.paths_after, first.risk_before, first.risk_after
        )),
        "{page}: {start}"
    );
    let outcome = dom.by_id("plan").one("p", "outcome").text();
    assert!(
        outcome.contains(&format!(
            "attack paths from {} to {} and open risk from {} to {}",
            first.paths_before, last.paths_after, first.risk_before, last.risk_after
        )),
        "{page}: {outcome}"
    );
    let risk_card = dom.by_id("open-risk").text();
    assert!(
        risk_card.contains(&format!("{} → {}", first.risk_before, last.risk_after)),
        "{page}: {risk_card}"
    );
}

fn check_plan_step(item: &Node, step: &PlanStep, page: &str) {
    let n = step.step;
    assert_eq!(item.one("span", "fix").text(), step.fix, "{page}: step {n}");
    let what = item.one("div", "what").text();
    assert!(
        what.contains(&collapse(&step.name)),
        "{page}: step {n} says {what}"
    );
    let on = item.one("div", "on");
    assert_eq!(
        on.all("bdi", "").len(),
        step.systems.len(),
        "{page}: step {n} names its systems: {}",
        on.text()
    );
    let deltas = item.one("div", "deltas").text();
    assert_eq!(
        deltas,
        format!(
            "attack paths {} → {} open risk {} → {}",
            step.paths_before, step.paths_after, step.risk_before, step.risk_after
        ),
        "{page}: step {n}"
    );
    let alternatives = item.all("div", "alts");
    assert_eq!(
        alternatives.len(),
        usize::from(!step.alternatives.is_empty())
    );
    for x in &step.alternatives {
        assert!(
            alternatives[0].text().contains(x.as_str()),
            "{page}: step {n} alternative {x}"
        );
    }
    let changes = item.one("details", "changes");
    assert!(
        !changes.has_attribute("open"),
        "{page}: step {n}'s changes are folded"
    );
    assert_eq!(
        changes.one("summary", "").text(),
        format!("Changes {}", plural(step.changes.len(), "finding"))
    );
    let rows = changes.body_rows();
    assert_eq!(rows.len(), step.changes.len(), "{page}: step {n}");
    for (row, change) in rows.iter().zip(&step.changes) {
        let text = row.text();
        let after = change.after.map_or("out of reach", |s| s.label());
        for part in [
            change.technique.clone(),
            format!("{} → {after}", change.before.label()),
            format!("{} → {}", change.risk_before, change.risk_after),
        ] {
            assert!(
                text.contains(&part),
                "{page}: step {n}: {part} not in {text}"
            );
        }
    }
}

/// The findings by risk: one row per finding in the JSON's order (risk first), the first few
/// with open risk in the table and the rest folded in a closed <details>; each row says what
/// the JSON says.
fn check_findings(dom: &Dom, report: &Report, page: &str) {
    let rows = finding_rows(dom, report, page);
    assert_eq!(
        rows.len(),
        report.findings.len(),
        "{page}: one row per finding"
    );
    let risks: Vec<u32> = rows
        .iter()
        .map(|r| {
            r.attribute("data-risk")
                .and_then(|v| v.parse().ok())
                .expect("a risk")
        })
        .collect();
    assert!(
        risks.windows(2).all(|w| w[0] >= w[1]),
        "{page}: findings by risk, highest first"
    );
    for (row, f) in rows.iter().zip(&report.findings) {
        check_finding_row(row, f, page);
    }
    if let (Some(row), Some(f)) = (rows.first(), report.findings.first()) {
        check_first_finding(row, f, &report.models[0]);
    }
}

/// The rows of the findings table, then those of the fold (checked to start closed): only
/// findings with open risk come before it, at most 25.
fn finding_rows<'a>(dom: &'a Dom, report: &Report, page: &str) -> Vec<Node<'a>> {
    let shown = report
        .findings
        .iter()
        .take(html::TOP_FINDINGS)
        .take_while(|f| f.risk > 0)
        .count();
    let mut rows = if shown > 0 {
        dom.by_id("findings-table").body_rows()
    } else {
        Vec::new()
    };
    assert_eq!(rows.len(), shown, "{page}: findings shown before the fold");
    if report.findings.len() > shown {
        let fold = dom.by_id("findings-tail");
        assert_eq!(fold.name(), "details", "{page}");
        assert!(
            !fold.has_attribute("open"),
            "{page}: the tail starts folded"
        );
        rows.extend(fold.one("table", "rows").body_rows());
    }
    rows
}

/// A finding's row carries its risk, status and severity, and marks what the JSON marks.
fn check_finding_row(row: &Node, f: &Finding, page: &str) {
    let key = format!("{page}: {} on {}", f.technique, f.system);
    assert_eq!(
        row.attribute("data-risk"),
        Some(f.risk.to_string().as_str()),
        "{key}"
    );
    assert_eq!(
        row.attribute("data-status"),
        Some(f.status.label()),
        "{key}"
    );
    assert_eq!(
        row.attribute("data-severity"),
        Some(f.severity.map_or("", |s| s.label())),
        "{key}"
    );
    let cells = row.children();
    assert_eq!(cells.len(), 8, "{key}: the row's cells");
    assert_eq!(
        cells[2].all("span", "on-path").len(),
        usize::from(f.on_path),
        "{key}: on-path marker"
    );
    assert_eq!(
        cells[3].all("span", "visible").len(),
        usize::from(f.visible),
        "{key}: visible marker"
    );
    assert!(cells[4].text().ends_with(&f.system), "{key}");
}

/// The first row reads as `report.findings[0]`: severity, status, risk, the linked technique,
/// the system, the actors and the fix that removes the most risk.
fn check_first_finding(row: &Node, f: &Finding, model: &ModelSummary) {
    let cells: Vec<String> = row.children().iter().map(Node::text).collect();
    let actor_name = |id: &String| -> String {
        model
            .actors
            .iter()
            .find(|a| &a.id == id)
            .map_or_else(|| id.clone(), |a| a.name.clone())
    };
    let system = model
        .systems
        .iter()
        .find(|s| s.id == f.system)
        .expect("the finding's system");
    assert_eq!(cells[0], f.severity.map_or("none open", |s| s.label()));
    assert_eq!(cells[1], format!("{} {} open", f.status.label(), f.open));
    assert!(cells[2].starts_with(&f.risk.to_string()), "{}", cells[2]);
    assert!(
        cells[3].starts_with(&format!("{} {}", f.technique, f.technique_name)),
        "{}",
        cells[3]
    );
    let link = row.children()[3].one("a", "");
    assert_eq!(link.text(), f.technique);
    // Each framework's technique links to its own site.
    let site = match f.technique.split_once('.') {
        Some(("AML", _)) => "https://atlas.mitre.org/techniques/",
        _ if f.technique.starts_with('F') => "https://ctid.mitre.org/fraud/techniques/",
        _ => "https://attack.mitre.org/techniques/",
    };
    assert!(
        link.attribute("href").is_some_and(|h| h.starts_with(site)),
        "{:?}",
        link.attribute("href")
    );
    assert_eq!(
        cells[4],
        collapse(&format!("{} {}", system.name, system.id))
    );
    let actors: Vec<String> = f.actors.iter().map(actor_name).collect();
    assert_eq!(cells[5], collapse(&actors.join(", ")));
    if let Some(best) = f.recommended.iter().find(|r| r.removes_risk > 0) {
        assert!(
            cells[7].starts_with(&collapse(&format!(
                "{} {} removes {} on the system",
                best.id, best.name, best.removes_risk
            ))),
            "{}",
            cells[7]
        );
    }
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

        // The sections in reading order: what to do before what was found.
        check_sections(&page.html, model);

        // The plan, the findings by risk and the exposures, as the page is written (the
        // browser tests check the same on what the browser parsed).
        let dom = Dom::parse(&page.html);
        check_plan(&dom, report, model);
        check_findings(&dom, report, model);

        // Exposures: one row per exposure, technique linked.
        let rows = tags
            .iter()
            .filter(|t| t.name == "tr" && t.attribute("class") == Some("exposure"))
            .count();
        assert_eq!(
            rows,
            report.exposures.len(),
            "{model}: one row per exposure"
        );
        for e in &report.exposures {
            let url = match (e.framework, e.technique.split_once('.')) {
                (Framework::Atlas, _) => {
                    format!("https://atlas.mitre.org/techniques/{}", e.technique)
                }
                (Framework::F3, _) => {
                    format!("https://ctid.mitre.org/fraud/techniques/{}", e.technique)
                }
                (_, Some((parent, sub))) => {
                    format!("https://attack.mitre.org/techniques/{parent}/{sub}/")
                }
                (_, None) => format!("https://attack.mitre.org/techniques/{}/", e.technique),
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
        element_text(html, "<title>"),
        "ATT&CK gap report: <script>document.title='PWNED'</script> Hostile \"quoted\" & 'single' model"
    );
    assert_eq!(
        element_text(html, "<h1><bdi>"),
        "<script>document.title='PWNED'</script> Hostile \"quoted\" & 'single' model"
    );
    // The plan and the findings hold the hostile names as text, where the JSON puts them.
    let dom = Dom::parse(html);
    check_plan(&dom, &pages.hostile.report, HOSTILE);
    check_findings(&dom, &pages.hostile.report, HOSTILE);
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

/// The headless browser; `None` (after saying why) only under `ATKMAP_SKIP_BROWSER`.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("ATKMAP_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .collect();
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    if std::env::var_os("ATKMAP_SKIP_BROWSER").is_none() {
        panic!(
            "no headless browser to test the HTML report in ({candidates:?}): install Debian's \
             `chromium`, set ATKMAP_CHROMIUM, or set ATKMAP_SKIP_BROWSER=1 to skip knowingly"
        );
    }
    eprintln!("skipping (ATKMAP_SKIP_BROWSER): no chromium to test the HTML report in");
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
        // The filter controls are shown and the column headings sort once the script runs.
        let dom = Dom::parse(&dom);
        let mut bars = vec!["findings-controls", "exposures-controls"];
        if !page.report.preparation.is_empty() {
            bars.push("preparation-controls");
        }
        for controls in bars {
            assert_eq!(
                dom.by_id(controls).attribute("class"),
                Some("controls"),
                "{name}: {controls}"
            );
        }
        let buttons = dom
            .by_id("exposures-table")
            .one("thead", "")
            .all("button", "");
        assert_eq!(buttons.len(), 8, "{name}");
        assert!(
            buttons.iter().all(|b| !b.has_attribute("disabled")),
            "{name}: the sort buttons are enabled"
        );
        assert_eq!(
            dom.by_id("findings-count").text(),
            plural(page.report.findings.len(), "finding")
        );
        assert_eq!(
            dom.by_id("exposures-count").text(),
            plural(page.report.exposures.len(), "exposure")
        );
    }
}

#[test]
fn browser_shows_the_plan_by_owner_and_the_findings_by_risk() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    for (name, page) in [
        ("ekyc.html", &pages.ekyc),
        ("telco.html", &pages.telco),
        ("large.html", &pages.large),
    ] {
        let url = browser.page(name, &page.html);
        let dom = Dom::parse(&browser.dump_dom(&url).stdout);
        check_plan(&dom, &page.report, name);
        check_findings(&dom, &page.report, name);
        assert_eq!(
            dom.by_id("exposures-table").body_rows().len(),
            page.report.exposures.len(),
            "{name}: one row per exposure"
        );
        // Nothing hidden until a filter asks.
        assert!(
            dom.root()
                .all("tr", "")
                .iter()
                .all(|r| !r.has_attribute("hidden")),
            "{name}"
        );
    }
    // The example's plan asks something of the eKYC vendor: the field's point.
    let dom = Dom::parse(
        &browser
            .dump_dom(&browser.page("ekyc.html", &pages.ekyc.html))
            .stdout,
    );
    let headings: Vec<String> = dom
        .by_id("plan")
        .all("div", "asks")
        .iter()
        .map(|g| g.one("h3", "").text())
        .collect();
    assert!(
        headings
            .iter()
            .any(|h| h.starts_with("Asks of Acme eKYC Sdn Bhd ")),
        "{headings:?}"
    );
}

#[test]
fn browser_filters_findings_and_exposures_alike() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    // The filter, driven through the URL: only the rows of one system stay visible.
    let report = &pages.ekyc.report;
    let url = browser.page("ekyc.html", &pages.ekyc.html);
    let dom = Dom::parse(&browser.dump_dom(&format!("{url}#q=bank-core")).stdout);

    let rows = dom.by_id("exposures-table").body_rows();
    assert_eq!(rows.len(), report.exposures.len());
    let expected = report
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
    let visible: Vec<&Node> = rows.iter().filter(|r| !r.has_attribute("hidden")).collect();
    assert_eq!(visible.len(), expected, "exposure rows left by the filter");
    assert!(visible.iter().all(|r| r.text().contains("bank-core")));
    assert_eq!(
        dom.by_id("exposures-count").text(),
        format!("{expected} of {} exposures shown", report.exposures.len())
    );

    // The findings follow the same filter; the fold opens when it holds rows the filter shows.
    let fold = dom.by_id("findings-tail");
    let mut rows = dom.by_id("findings-table").body_rows();
    let folded = fold.one("table", "rows").body_rows();
    rows.extend(folded.iter().copied());
    let expected = report
        .findings
        .iter()
        .filter(|f| f.system == "bank-core")
        .count();
    assert!(expected > 0);
    let visible: Vec<&Node> = rows.iter().filter(|r| !r.has_attribute("hidden")).collect();
    assert_eq!(visible.len(), expected, "finding rows left by the filter");
    assert!(visible.iter().all(|r| r.text().contains("bank-core")));
    assert_eq!(
        dom.by_id("findings-count").text(),
        format!("{expected} of {} findings shown", report.findings.len())
    );
    let folded_visible = folded.iter().any(|r| !r.has_attribute("hidden"));
    assert_eq!(
        fold.has_attribute("open"),
        folded_visible,
        "the fold opens for the rows it holds"
    );
}

/// The page with its script blocked by its own policy: what a reader without JavaScript gets.
fn without_script(html: &str) -> String {
    let start = html.find("script-src ").expect("a script-src directive");
    let end = start + html[start..].find(';').expect("the directive ends");
    format!("{}script-src 'none'{}", &html[..start], &html[end..])
}

#[test]
fn browser_without_javascript_shows_everything_and_offers_no_dead_controls() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let page = &pages.ekyc;
    let url = browser.page("ekyc-nojs.html", &without_script(&page.html));
    let run = browser.run(&["--dump-dom".to_string()], &url);
    // The only thing the browser refused is the script.
    let console: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .collect();
    assert!(!console.is_empty(), "the script was not blocked");
    assert!(
        console
            .iter()
            .all(|l| l.contains("Content Security Policy") && l.contains("script")),
        "{}",
        console.join("\n")
    );
    assert_eq!(
        html_tag(&run.stdout),
        "<html lang=\"en\">",
        "the script did not run"
    );

    let dom = Dom::parse(&run.stdout);
    // The controls stay hidden and the headings do not pretend to sort: they are plain text,
    // the script turns them into buttons.
    assert!(!page.report.preparation.is_empty());
    for controls in [
        "findings-controls",
        "exposures-controls",
        "preparation-controls",
    ] {
        assert!(dom.by_id(controls).has_class("nojs-hide"), "{controls}");
    }
    let head = dom.by_id("exposures-table").one("thead", "");
    assert!(
        head.all("button", "").is_empty(),
        "no sort button without the script"
    );
    assert_eq!(
        head.all("th", "")
            .iter()
            .map(Node::text)
            .collect::<Vec<_>>(),
        [
            "Severity",
            "Status",
            "Risk",
            "Actor",
            "Technique",
            "System",
            "Missing mitigations",
            "Detection"
        ]
    );
    // Rendered, the page shows no control at all: no button, field, list or counter.
    for (name, page) in [("ekyc", page), ("matrix", &pages.small.matrix)] {
        let visible = browser.probe(
            &format!("{name}-nojs-probe.html"),
            &page.html,
            (VISIBLE_CONTROLS, &serde_json::Value::Null),
            (1280, 900),
            false,
        );
        assert_eq!(
            visible,
            serde_json::json!([]),
            "{name}: controls shown without the script"
        );
    }
    // Everything is there: the plan, every finding (the tail folded), every exposure.
    check_plan(&dom, &page.report, "ekyc without JavaScript");
    check_findings(&dom, &page.report, "ekyc without JavaScript");
    assert_eq!(
        dom.by_id("exposures-table").body_rows().len(),
        page.report.exposures.len()
    );
    assert!(
        dom.root()
            .all("tr", "")
            .iter()
            .all(|r| !r.has_attribute("hidden"))
    );
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
        "<h1><bdi>&lt;script&gt;document.title='PWNED'&lt;/script&gt; Hostile \"quoted\" &amp; 'single' model</bdi></h1>"
    ));
    // What the browser parsed: the owner's markup is the heading's text, and the plan and the
    // findings read as the JSON says.
    let parsed = Dom::parse(&dom);
    let owner = &pages.hostile.report.plan[0].owners[0];
    assert!(owner.contains("<script>"), "the fixture's owner is hostile");
    let heading = parsed.by_id("plan").all("div", "asks")[0]
        .one("h3", "")
        .text();
    assert!(
        heading.starts_with(&format!("Asks of {}", collapse(owner))),
        "{heading}"
    );
    check_plan(&parsed, &pages.hostile.report, "hostile.html");
    check_findings(&parsed, &pages.hostile.report, "hostile.html");
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

/// A page of MITRE's knowledge bases: ATT&CK, F3, ATLAS (the only links a report carries).
fn is_mitre_page(url: &str) -> bool {
    [
        "https://attack.mitre.org/",
        "https://ctid.mitre.org/fraud/",
        "https://atlas.mitre.org/",
    ]
    .iter()
    .any(|site| url.starts_with(site))
}

// ---------------------------------------------------------------------------------------------
// Small models for the tests below, and probes: scripts run in the browser on a page, allowed
// by the page's own policy through their hash, that click, measure and report back as JSON.
// ---------------------------------------------------------------------------------------------

/// A name of `length` characters with no space, hyphen or other break opportunity.
fn unbroken(prefix: &str, length: usize) -> String {
    let mut name = prefix.to_string();
    while name.chars().count() < length {
        name.push_str("IdentityVerificationGateway");
    }
    name.chars().take(length).collect()
}

/// Model text that reverses what follows it if nothing isolates it: a U+202E (RIGHT-TO-LEFT
/// OVERRIDE) and right-to-left script ending in a number.
fn bidi(word: &str) -> String {
    format!(
        "{word} \u{202e}{} שם 7",
        word.chars().rev().collect::<String>()
    )
}

/// The file name of the bidirectional model.
fn bidi_file() -> String {
    format!("{}.yaml", bidi("model"))
}

/// The strings of the bidirectional model that the page shows, in the model's order.
fn bidi_strings() -> Vec<String> {
    NAMED.iter().map(|w| bidi(w)).collect()
}

/// What [`supply_chain`] names, in its order: the model, its description, the actor, the two
/// systems and their owners, the two data assets, the leak's source, the control, and the
/// accepted risk's owner and reason.
const NAMED: [&str; 13] = [
    "Model",
    "Description",
    "Actor",
    "System",
    "Owner",
    "Store",
    "Other",
    "Data",
    "Leaked",
    "Source",
    "Control",
    "Accepter",
    "Reason",
];

/// One system verifying ID-card images that an actor holding leaked ones reaches (its
/// exposures: T1078 and T1078.004, F3's F1031, ATLAS's AML.T0015...), a second it reaches over
/// a flow, a planned control and an accepted risk; `text` names everything.
fn supply_chain(text: &dyn Fn(&str) -> String) -> String {
    let [
        model,
        description,
        actor,
        system,
        owner,
        store,
        other,
        data,
        leaked,
        source,
        control,
        accepter,
        reason,
    ] = NAMED.map(|w| serde_json::to_string(&text(w)).expect("a JSON string"));
    format!(
        r#"atkmap: 1
name: {model}
description: {description}
attack: {{ domain: enterprise, version: "18.1", frameworks: ["f3@1.1", "atlas@5.6.0"] }}
actors:
  - id: broker
    name: {actor}
    techniques: [T1589, T1589.001, T1597.002, T1078, T1078.004, F1020.001]
    holds: [leaked-images]
systems:
  - id: portal
    name: {system}
    owner: {owner}
    platforms: [SaaS, IaaS, Identity Provider]
    exposure: internet
    verifies: [id-card-image, selfie]
    ai_checks: [id-card-image]
    telemetry: [DC0002]
  - id: store
    name: {store}
    owner: {other}
    platforms: [IaaS]
    exposure: partner
data:
  - id: images
    name: {data}
    kind: id-card-image
    sensitivity: restricted
    records: 1000
    stored_in: [store]
  - id: leaked-images
    name: {leaked}
    kind: id-card-image
    sensitivity: restricted
    leaked: {{ year: 2017, source: {source} }}
flows:
  - from: portal
    to: store
    carries: [images]
    crosses_trust_boundary: true
controls:
  - id: mfa
    name: {control}
    mitigations: [M1032]
    applies_to: [portal]
    status: planned
accepted:
  - technique: T1656
    system: portal
    owner: {accepter}
    reason: {reason}
    expires: 2099-06-30
"#
    )
}

/// The models of [`SmallPages`], in its order: file name and text.
fn small_models() -> Vec<(String, String)> {
    vec![
        (
            "matrix.yaml".to_string(),
            supply_chain(&|w| format!("{w} name")),
        ),
        ("long.yaml".to_string(), supply_chain(&|w| unbroken(w, 120))),
        (bidi_file(), supply_chain(&bidi)),
        (
            "empty.yaml".to_string(),
            "atkmap: 1\nname: Empty\nattack: { domain: enterprise, version: \"18.1\" }\n"
                .to_string(),
        ),
        (
            "quiet.yaml".to_string(),
            r#"atkmap: 1
name: Systems and nobody after them
attack: { domain: enterprise, version: "18.1" }
systems:
  - id: web
    name: Web front end
    platforms: [Linux]
    exposure: internet
  - id: db
    name: Customer database
    platforms: [Linux]
    exposure: internal
flows:
  - from: web
    to: db
"#
            .to_string(),
        ),
        (
            "accepted.yaml".to_string(),
            r#"atkmap: 1
name: Everything accepted
attack: { domain: enterprise, version: "18.1" }
actors:
  - id: intruder
    name: Intruder
    techniques: [T1190]
systems:
  - id: web
    name: Web front end
    platforms: [Linux]
    exposure: internet
accepted:
  - technique: T1190
    owner: Risk committee
    reason: Behind a firewall the host manages
    expires: 2099-06-30
"#
            .to_string(),
        ),
    ]
}

/// What every probe is wrapped in: `DATA` is the test's input, the body returns the result.
const PROBE_FRAME: &str = r##"(function () {
  "use strict";
  var DATA = %DATA%;
  function list(nodes) {
    return Array.prototype.slice.call(nodes);
  }
  function describe(e) {
    var name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "");
    if (typeof e.className === "string" && e.className) {
      name += "." + e.className.trim().split(/\s+/).join(".");
    }
    return name + " " + JSON.stringify((e.textContent || "").trim().slice(0, 60));
  }
  var result = (function () {
%BODY%
  })();
  var out = document.createElement("pre");
  out.id = "atkmap-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
"##;

impl Browser {
    /// Runs the probe `body` (with `data` as `DATA`) in the page, after the report's own
    /// script, in a window of `size`; `report_script: false` blocks the report's script as a
    /// browser without JavaScript would. The page's policy allows the probe by its hash and
    /// nothing else reaches the console (but the blocked script). Returns the probe's result.
    fn probe(
        &self,
        name: &str,
        html: &str,
        (body, data): (&str, &serde_json::Value),
        (width, height): (u32, u32),
        report_script: bool,
    ) -> serde_json::Value {
        let script = PROBE_FRAME
            .replace("%DATA%", &data.to_string())
            .replace("%BODY%", body);
        assert!(!script.contains("</"), "the probe cannot close its element");
        let start = html.find("script-src ").expect("a script-src directive") + 11;
        let end = start + html[start..].find(';').expect("the directive ends");
        let sources = if report_script {
            format!("{} {}", csp_hash(&script), &html[start..end])
        } else {
            csp_hash(&script)
        };
        let body_end = html.rfind("</body>").expect("a </body>");
        let page = format!(
            "{}{sources}{}<script>{script}</script>{}",
            &html[..start],
            &html[end..body_end],
            &html[body_end..]
        );
        let url = self.page(name, &page);
        let run = self.run(
            &[
                format!("--window-size={width},{height}"),
                "--hide-scrollbars".to_string(),
                "--dump-dom".to_string(),
            ],
            &url,
        );
        let console: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .filter(|l| {
                report_script || !(l.contains("Content Security Policy") && l.contains("script"))
            })
            .collect();
        assert!(
            console.is_empty(),
            "console messages on {url}:\n{}",
            console.join("\n")
        );
        let open = "<pre id=\"atkmap-probe\">";
        let from = run
            .stdout
            .find(open)
            .unwrap_or_else(|| panic!("the probe left nothing on {url}:\n{}", run.stderr))
            + open.len();
        let to = from
            + run.stdout[from..]
                .find("</pre>")
                .expect("the probe's </pre>");
        serde_json::from_str(&decode_entities(&run.stdout[from..to]))
            .unwrap_or_else(|e| panic!("the probe's result on {url}: {e}"))
    }
}

/// Clicks every technique of every matrix (ATT&CK, F3, ATLAS) in turn and reads what the page
/// then shows: where the link went and which rows each filter left.
const CLICK_EVERY_CELL: &str = r##"
  function shown(name) {
    return list(document.querySelectorAll("table[data-rows='" + name + "'] tbody tr"))
      .filter(function (row) { return !row.hidden; })
      .map(function (row) { return row.getAttribute("data-technique"); });
  }
  function count(name) {
    var counter = document.getElementById(name + "-count");
    return counter ? counter.textContent : "";
  }
  return list(document.querySelectorAll("#matrix li.cell a[data-filter]")).map(function (a) {
    a.click();
    var target = document.getElementById(location.hash.slice(1));
    return {
      id: a.querySelector(".tid").textContent,
      status: a.parentNode.className,
      filter: a.getAttribute("data-filter"),
      hash: location.hash,
      top: target ? target.getBoundingClientRect().top : -1e9,
      height: window.innerHeight,
      findings: shown("findings"),
      exposures: shown("exposures"),
      preparation: shown("preparation"),
      counts: [count("findings"), count("exposures"), count("preparation")]
    };
  });
"##;

#[derive(Debug, serde::Deserialize)]
struct Clicked {
    id: String,
    status: String,
    filter: String,
    hash: String,
    top: f64,
    height: f64,
    findings: Vec<String>,
    exposures: Vec<String>,
    preparation: Vec<String>,
    counts: [String; 3],
}

impl Clicked {
    /// A parent shown only for its sub-techniques.
    fn is_context(&self) -> bool {
        self.status.split_whitespace().any(|c| c == "context")
    }

    /// Whether the cell's technique is `technique`: exactly, or for a parent shown for its
    /// sub-techniques, one of them.
    fn covers(&self, technique: &str) -> bool {
        if self.is_context() {
            technique
                .strip_prefix(&self.id)
                .is_some_and(|rest| rest.starts_with('.'))
        } else {
            technique == self.id
        }
    }
}

fn click_every_cell(browser: &Browser, name: &str, page: &Page) -> Vec<Clicked> {
    let clicked = browser.probe(
        name,
        &page.html,
        (CLICK_EVERY_CELL, &serde_json::Value::Null),
        (1280, 900),
        true,
    );
    let clicked: Vec<Clicked> = serde_json::from_value(clicked).expect("clicks");
    assert!(!clicked.is_empty(), "{name}: no matrix cell");
    clicked
}

/// "N of M things shown", or "M things" when the filter shows every row.
fn count_text(shown: usize, total: usize, singular: &str, plural: &str) -> String {
    let noun = if total == 1 { singular } else { plural };
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun} shown")
    }
}

/// After a click on a cell: the findings, exposures and preparation entries of exactly its
/// technique are shown, nothing else, and the link went to where they are.
fn check_click(c: &Clicked, report: &Report, page: &str) {
    let key = format!("{page}: {} ({})", c.id, c.status);
    assert_eq!(
        c.filter,
        if c.is_context() {
            format!("{}.", c.id)
        } else {
            c.id.clone()
        },
        "{key}"
    );
    let findings: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.technique.as_str())
        .filter(|t| c.covers(t))
        .collect();
    let exposures: Vec<&str> = report
        .exposures
        .iter()
        .map(|e| e.technique.as_str())
        .filter(|t| c.covers(t))
        .collect();
    let preparation: Vec<&str> = report
        .preparation
        .iter()
        .map(|p| p.technique.as_str())
        .filter(|t| c.covers(t))
        .collect();
    assert_eq!(c.findings, findings, "{key}: the findings shown");
    assert_eq!(c.exposures, exposures, "{key}: the exposures shown");
    assert_eq!(c.preparation, preparation, "{key}: the preparation shown");
    assert_eq!(
        c.counts,
        [
            count_text(findings.len(), report.findings.len(), "finding", "findings"),
            count_text(
                exposures.len(),
                report.exposures.len(),
                "exposure",
                "exposures"
            ),
            if report.preparation.is_empty() {
                String::new()
            } else {
                count_text(
                    preparation.len(),
                    report.preparation.len(),
                    "preparation entry",
                    "preparation entries",
                )
            },
        ],
        "{key}: the counters"
    );
    // The link goes where the technique is listed, and that is on screen.
    let target = if findings.is_empty() {
        assert!(!preparation.is_empty(), "{key}: a cell that lists nothing");
        "#preparation"
    } else {
        "#findings"
    };
    assert_eq!(c.hash, target, "{key}: where the link goes");
    assert!(
        (-1.0..c.height / 2.0).contains(&c.top),
        "{key}: {target} is {} px from the top of the window",
        c.top
    );
}

#[test]
fn browser_preparation_cells_list_their_preparation_entries() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let page = &pages.small.matrix;
    check_structure(&page.html);
    let clicked = click_every_cell(&browser, "matrix.html", page);
    // Reconnaissance (T1589, its sub-technique, T1597.002 under a parent out of scope) and F3's
    // resource development (F1020.001, under F1020): preparation, listed per actor.
    for id in [
        "T1589",
        "T1589.001",
        "T1597",
        "T1597.002",
        "F1020",
        "F1020.001",
    ] {
        let cells: Vec<&Clicked> = clicked.iter().filter(|c| c.id == id).collect();
        assert!(!cells.is_empty(), "no cell for {id}");
        for c in cells {
            assert!(
                c.status.contains("preparation") || c.is_context(),
                "{id}: {}",
                c.status
            );
            assert_eq!(
                c.hash, "#preparation",
                "{id}: the link goes to the preparation"
            );
            assert!(
                !c.preparation.is_empty() && c.findings.is_empty(),
                "{id}: {c:?}"
            );
            assert!(
                c.counts[2].starts_with(&format!(
                    "{} of {} preparation entries",
                    c.preparation.len(),
                    page.report.preparation.len()
                )),
                "{id}: {:?}",
                c.counts
            );
            check_click(c, &page.report, "matrix.html");
        }
    }
    // Without the script too, the link goes to the preparation table.
    let dom = Dom::parse(&page.html);
    for a in dom.by_id("matrix").all("a", "") {
        if let Some(filter) = a.attribute("data-filter")
            && filter.starts_with("T1589")
        {
            assert_eq!(a.attribute("href"), Some("#preparation"), "{filter}");
        }
    }
    assert_eq!(
        dom.by_id("preparation-table").body_rows().len(),
        page.report.preparation.len()
    );
}

#[test]
fn browser_technique_filter_matches_exactly() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    for (name, page) in [
        ("matrix.html", &pages.small.matrix),
        ("ekyc.html", &pages.ekyc),
    ] {
        let clicked = click_every_cell(&browser, name, page);
        for c in &clicked {
            check_click(c, &page.report, name);
        }
        // Each framework's techniques: ATT&CK's with a sub-technique, F3's and ATLAS's.
        for id in ["T1078", "T1078.004", "F1031", "AML.T0015"] {
            assert!(
                clicked.iter().any(|c| c.id == id && !c.is_context()),
                "{name}: no cell for {id}"
            );
        }
        // T1078 lists T1078 alone, not T1078.004 beside it.
        assert!(
            page.report
                .findings
                .iter()
                .any(|f| f.technique == "T1078.004")
        );
        for parent in clicked.iter().filter(|c| c.id == "T1078") {
            assert!(!parent.findings.is_empty() && !parent.exposures.is_empty());
            assert!(
                parent
                    .findings
                    .iter()
                    .chain(&parent.exposures)
                    .all(|t| t == "T1078"),
                "{name}: {parent:?}"
            );
        }
    }
    let report = &pages.small.matrix.report;

    // The same through the address: report.html#q=T1078.
    let url = browser.page("matrix.html", &pages.small.matrix.html);
    let dom = Dom::parse(&browser.dump_dom(&format!("{url}#q=T1078")).stdout);
    let shown: Vec<String> = dom
        .by_id("exposures-table")
        .body_rows()
        .iter()
        .filter(|r| !r.has_attribute("hidden"))
        .map(|r| {
            r.attribute("data-technique")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let expected = report
        .exposures
        .iter()
        .filter(|e| e.technique == "T1078")
        .count();
    assert_eq!(shown, vec!["T1078".to_string(); expected]);
}

/// Measures the page with every fold open: what reaches past the window, scrolls sideways or
/// overflows its table cell (the matrix and the diagram scroll sideways by design), and the
/// boxes of the text holding `DATA` (the long names).
const MEASURE_WIDTHS: &str = r##"
  list(document.querySelectorAll("details")).forEach(function (d) { d.open = true; });
  var root = document.documentElement;
  var width = root.clientWidth;
  var problems = [];
  if (root.scrollWidth > width) {
    problems.push("the page scrolls sideways: " + root.scrollWidth + " > " + width);
  }
  function scrolls(e) {
    var x = getComputedStyle(e).overflowX;
    return x === "auto" || x === "scroll";
  }
  list(document.body.querySelectorAll("*")).forEach(function (e) {
    if (e.closest(".matrix, .diagram") || e.id === "atkmap-probe") {
      return;
    }
    var r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) {
      return;
    }
    if (scrolls(e) && !e.querySelector(".matrix") && e.scrollWidth > e.clientWidth + 1) {
      problems.push(describe(e) + " scrolls sideways: " + e.scrollWidth + " > " + e.clientWidth);
    }
    if (r.left < -1 || r.right > width + 1) {
      problems.push(describe(e) + " reaches past the window: " + r.left + " to " + r.right + " of " + width);
    }
    if ((e.tagName === "TD" || e.tagName === "TH") && e.scrollWidth > e.clientWidth + 1) {
      problems.push(describe(e) + " overflows its cell: " + e.scrollWidth + " > " + e.clientWidth);
    }
  });
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var found = 0;
  while (walker.nextNode()) {
    var text = walker.currentNode;
    if (text.data.indexOf(DATA) === -1 || text.parentElement.closest("svg, script, #atkmap-probe")) {
      continue;
    }
    var range = document.createRange();
    range.selectNodeContents(text);
    var box = range.getBoundingClientRect();
    if (box.width === 0) {
      continue;
    }
    found++;
    var cell = text.parentElement.closest("td, th");
    var limit = cell ? cell.getBoundingClientRect() : { left: 0, right: width };
    if (box.left < limit.left - 1 || box.right > limit.right + 1) {
      problems.push(describe(text.parentElement) + " spans " + box.left + " to " + box.right + " in " + limit.left + " to " + limit.right);
    }
  }
  return { width: width, found: found, problems: problems };
"##;

#[test]
fn browser_long_names_wrap_inside_their_cells_and_the_page() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let page = &pages.small.long;
    check_structure(&page.html);
    // Every system, actor, data, owner and control name is 120 characters without a break.
    let system = unbroken("System", 120);
    let control = unbroken("Control", 120);
    assert!(
        page.report.models[0]
            .systems
            .iter()
            .any(|s| s.name == system)
    );
    assert!(
        page.report.models[0]
            .controls
            .iter()
            .any(|c| c.name == control)
    );
    // The repeated part of every long name.
    let token = "IdentityVerificationGatewayIdentityVerificationGateway";
    for (width, height) in [(1280, 900), (1024, 768)] {
        let measured = browser.probe(
            &format!("long-{width}.html"),
            &page.html,
            (MEASURE_WIDTHS, &serde_json::Value::from(token)),
            (width, height),
            true,
        );
        let problems = measured["problems"].as_array().expect("problems");
        assert!(
            problems.is_empty(),
            "at {width} px:\n{}",
            problems
                .iter()
                .map(|p| p.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        );
        // The names were there to measure: in the header, the plan, the paths, the findings,
        // the exposures, the accepted risks and the model's tables.
        let found = measured["found"].as_u64().expect("a count");
        assert!(found >= 20, "at {width} px: {found} long names measured");
    }
}

/// Where the model's strings (`DATA`) sit: each must be the whole text of its node (no engine
/// text glued to it), with no text after it in the same bidirectional paragraph unless an
/// isolate (<bdi>) holds it; and the text after each <bdi> on the same line starts to its
/// right. SVG text elements and tooltips (<title>) are their own paragraphs.
const FIND_BIDI_LEAKS: &str = r##"
  var SVG = "http://www.w3.org/2000/svg";
  var strings = DATA;
  function own(e) {
    // A box whose text is a bidirectional paragraph or isolate of its own.
    if (e.namespaceURI === SVG) {
      return e.localName === "text" || e.localName === "svg";
    }
    var style = getComputedStyle(e);
    return style.display !== "inline" || /isolate|plaintext/.test(style.unicodeBidi);
  }
  function blockLevel(e) {
    return e.namespaceURI !== SVG && !/^inline/.test(getComputedStyle(e).display);
  }
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var texts = [];
  while (walker.nextNode()) {
    if (!walker.currentNode.parentElement.closest("script, style, title, #atkmap-probe")) {
      texts.push(walker.currentNode);
    }
  }
  var problems = [];
  var seen = strings.map(function () { return 0; });
  texts.forEach(function (text, i) {
    var which = -1;
    strings.forEach(function (s, k) {
      if (text.data.indexOf(s) !== -1) {
        which = k;
      }
    });
    if (which === -1) {
      return;
    }
    seen[which]++;
    var parent = text.parentElement;
    if (parent.namespaceURI !== SVG && text.data.trim() !== strings[which]) {
      problems.push("glued to other text in " + describe(parent) + ": " + JSON.stringify(text.data));
    }
    var box = parent;
    while (!own(box)) {
      box = box.parentElement;
    }
    var after = "";
    for (var j = i + 1; j < texts.length && box.contains(texts[j]); j++) {
      var isolated = false;
      var block = false;
      for (var a = texts[j].parentElement; a !== box; a = a.parentElement) {
        block = block || blockLevel(a);
        isolated = isolated || own(a);
      }
      if (block) {
        break;
      }
      if (!isolated) {
        after += texts[j].data;
      }
    }
    if (after.trim()) {
      problems.push("not isolated in " + describe(box) + ": " + JSON.stringify(text.data) + " then " + JSON.stringify(after.slice(0, 40)));
    }
  });
  var checked = 0;
  list(document.querySelectorAll("bdi")).forEach(function (bdi) {
    // Its last line box: where the text after it goes on.
    var lines = bdi.getClientRects();
    if (lines.length === 0 || lines[lines.length - 1].width === 0) {
      return;
    }
    var r = lines[lines.length - 1];
    var next = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    next.currentNode = bdi.lastChild || bdi;
    while (next.nextNode()) {
      var t = next.currentNode;
      var at = t.data.search(/\S/);
      if (at === -1) {
        continue;
      }
      var range = document.createRange();
      range.setStart(t, at);
      range.setEnd(t, at + 1);
      var c = range.getBoundingClientRect();
      if (c.width > 0 && c.top < r.bottom - 2 && c.bottom > r.top + 2) {
        checked++;
        if (c.left < r.right - 1) {
          problems.push("text after " + describe(bdi) + " is drawn before it: " + JSON.stringify(t.data.slice(at, at + 20)));
        }
      }
      break;
    }
  });
  return { seen: seen, checked: checked, problems: problems };
"##;

#[test]
fn browser_isolates_bidirectional_model_text() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let page = &pages.small.bidi;
    let model = &page.report.models[0];
    assert!(
        model.systems[0].name.contains('\u{202e}'),
        "the model is hostile"
    );
    check_structure(&page.html);
    // The overrides themselves never reach the page: they show as escapes.
    assert!(
        !page
            .html
            .chars()
            .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "a bidirectional control in the page"
    );
    let mut shown: Vec<String> = bidi_strings()
        .iter()
        .map(|s| atkmap::diag::render::visible(s).into_owned())
        .collect();
    shown.push(atkmap::diag::render::visible(&model.file).into_owned());
    for s in &shown {
        assert!(s.contains("\\u{202e}"), "{s}");
    }
    let probed = browser.probe(
        "bidi.html",
        &page.html,
        (FIND_BIDI_LEAKS, &serde_json::Value::from(shown.clone())),
        (1280, 900),
        true,
    );
    let problems = probed["problems"].as_array().expect("problems");
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(|p| p.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let seen: Vec<u64> = serde_json::from_value(probed["seen"].clone()).expect("counts");
    for (s, n) in shown.iter().zip(&seen) {
        assert!(*n > 0, "{s} is not on the page");
    }
    let checked = probed["checked"].as_u64().expect("a count");
    assert!(
        checked >= 10,
        "{checked} names followed by text on their line"
    );
}

/// With the report's script blocked: the controls a reader could see, which would do nothing.
const VISIBLE_CONTROLS: &str = r##"
  return list(document.querySelectorAll("button, input, select, output"))
    .filter(function (e) { return e.getClientRects().length > 0; })
    .map(describe);
"##;

/// Headings, labels and values cut off: overflowing their own box, or outside a box that
/// clips (an overflow other than visible), with every fold open.
const CLIPPED_HEADINGS: &str = r##"
  list(document.querySelectorAll("details")).forEach(function (d) { d.open = true; });
  var root = document.documentElement;
  var problems = [];
  if (root.scrollWidth > root.clientWidth) {
    problems.push("the page scrolls sideways: " + root.scrollWidth + " > " + root.clientWidth);
  }
  var checked = 0;
  list(document.querySelectorAll("h1, h2, h3, th, summary, dt, dd, .label, .value, .count")).forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) {
      return;
    }
    checked++;
    if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) {
      problems.push(describe(e) + " overflows its box");
    }
    if (r.left < -1 || r.right > root.clientWidth + 1) {
      problems.push(describe(e) + " reaches past the window");
    }
    for (var a = e.parentElement; a; a = a.parentElement) {
      var style = getComputedStyle(a);
      if (style.overflowX === "visible" && style.overflowY === "visible") {
        continue;
      }
      var b = a.getBoundingClientRect();
      if (a !== root && a !== document.body && (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)) {
        problems.push(describe(e) + " is cut off by " + describe(a));
      }
    }
  });
  return { checked: checked, problems: problems };
"##;

#[test]
fn browser_empty_models_clip_no_heading_and_claim_no_coverage() {
    let Some(pages) = pages() else { return };
    let Some(browser) = Browser::new() else {
        return;
    };
    let small = &pages.small;
    for (name, page) in [
        ("empty.html", &small.empty),
        ("quiet.html", &small.quiet),
        ("accepted.html", &small.accepted),
    ] {
        check_structure(&page.html);
        let summary = &page.report.summary;
        assert_eq!(
            summary.exposures,
            summary.by_status.get("accepted").copied().unwrap_or(0),
            "{name}: no exposure to assess"
        );
        // The engine's 100% would read as everything covered.
        let url = browser.page(name, &page.html);
        let dom = Dom::parse(&browser.dump_dom(&url).stdout);
        let card = dom.by_id("coverage");
        assert_eq!(card.one("div", "value").text(), "n/a", "{name}");
        assert!(!card.text().contains('%'), "{name}: {}", card.text());
    }
    for (name, page) in [("empty.html", &small.empty), ("quiet.html", &small.quiet)] {
        assert!(page.report.exposures.is_empty() && page.report.preparation.is_empty());
        // No matrix of empty columns wider than the page: a sentence says so.
        let dom = Dom::parse(&page.html);
        let matrix = dom.by_id("matrix");
        assert!(matrix.all("div", "tactic").is_empty(), "{name}");
        assert!(
            matrix.text().contains("No techniques in scope"),
            "{name}: {}",
            matrix.text()
        );
        for (width, height) in [(1280, 900), (800, 900)] {
            let measured = browser.probe(
                name,
                &page.html,
                (CLIPPED_HEADINGS, &serde_json::Value::Null),
                (width, height),
                true,
            );
            let problems = measured["problems"].as_array().expect("problems");
            assert!(
                problems.is_empty(),
                "{name} at {width} px:\n{}",
                problems
                    .iter()
                    .map(|p| p.as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            assert!(
                measured["checked"].as_u64().expect("a count") > 20,
                "{name}"
            );
        }
    }
    // A model with exposures to assess shows the engine's percentage.
    let dom = Dom::parse(&pages.ekyc.html);
    let value = dom.by_id("coverage").one("div", "value").text();
    let percent: f64 = value
        .strip_suffix('%')
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("coverage {value}"));
    assert_eq!(percent, pages.ekyc.report.summary.coverage_percent);
}

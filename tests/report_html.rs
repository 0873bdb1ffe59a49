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
//! The browser is Debian's `chromium` (or `ATKMAP_CHROMIUM`). Without it the browser tests
//! fail, unless `ATKMAP_SKIP_BROWSER=1` says to skip them knowingly.
//! `ATKMAP_HTML_KEEP=DIR` keeps the rendered pages and screenshots there for a look.

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use atkmap::analysis::Options;
use atkmap::analysis::findings::{Finding, PlanStep, Reason};
use atkmap::attack::Framework;
use atkmap::cli::data_source::DataOptions;
use atkmap::cli::model_files::check_files;
use atkmap::cli::report_cmd::build_report;
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
        data_dirs: vec![data_dir, common::companion_dir().expect("companion data")],
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
        element_text(html, "title"),
        "ATT&CK gap report: <script>document.title='PWNED'</script> Hostile \"quoted\" & 'single' model"
    );
    assert_eq!(
        element_text(html, "h1"),
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
        for controls in ["findings-controls", "exposures-controls"] {
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
    // The controls stay hidden and the headings do not pretend to sort.
    for controls in ["findings-controls", "exposures-controls"] {
        assert!(dom.by_id(controls).has_class("nojs-hide"), "{controls}");
    }
    let buttons = dom
        .by_id("exposures-table")
        .one("thead", "")
        .all("button", "");
    assert!(
        !buttons.is_empty() && buttons.iter().all(|b| b.has_attribute("disabled")),
        "sort buttons are disabled without the script"
    );
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
        "<h1>&lt;script&gt;document.title='PWNED'&lt;/script&gt; Hostile \"quoted\" &amp; 'single' model</h1>"
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

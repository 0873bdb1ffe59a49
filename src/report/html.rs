//! The self-contained HTML report, from `templates/report.html`.
//!
//! One file with no external resource: the styles and the script are inline, the supply-chain
//! diagrams are inline SVG drawn by [`super::svg`], and the page declares a strict
//! Content-Security-Policy (`default-src 'none'`) that allows exactly its own inline blocks by
//! their SHA-256 hashes, so nothing else can run or load even if escaping failed somewhere.
//!
//! The template writes its inline blocks through two functions, `inline_style(css)` and
//! `inline_script(js)`, which record the hash of what they return; `csp()` marks where the
//! policy goes, and it is filled in once the page is rendered. Model text can never reach
//! those functions, so the policy only ever allows what the template itself contains.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::Value;
use minijinja::{Error, ErrorKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::templates::Templates;
use super::{Report, svg};
use crate::analysis::findings::{Exposure, Status};

/// What `csp()` writes: text model strings cannot produce (auto-escaping turns `<` into
/// `&lt;`), replaced by the policy once the page is rendered.
const CSP_PLACEHOLDER: &str = "<!--atkmap:content-security-policy-->";

/// How many fixes the "top fixes" table lists.
pub const TOP_FIXES: usize = 15;

pub fn render(report: &Report, templates: &Templates) -> Result<String, String> {
    let styles: Arc<Mutex<Vec<String>>> = Arc::default();
    let scripts: Arc<Mutex<Vec<String>>> = Arc::default();

    let diagrams: Vec<Value> = report
        .models
        .iter()
        .enumerate()
        .map(|(i, model)| {
            minijinja::context! {
                file => model.file.clone(),
                name => model.name.clone(),
                svg => Value::from_safe_string(svg::supply_chain(model, &format!("sc{}", i + 1))),
            }
        })
        .collect();

    let context = minijinja::context! {
        report => serde_value(report),
        title => title(report),
        heatmap => serde_value(heatmap(report)),
        status_bar => serde_value(status_bar(report)),
        findings => serde_value(findings(report)),
        names => serde_value(names(report)),
        technique_names => serde_value(
            report
                .attack
                .techniques
                .iter()
                .map(|t| (t.id.as_str(), t.name.as_str()))
                .collect::<BTreeMap<_, _>>(),
        ),
        top_fixes => TOP_FIXES,
        diagrams => Value::from(diagrams),
        csp => Value::from_function(|| Value::from_safe_string(CSP_PLACEHOLDER.to_string())),
        inline_style => inline_block("style", styles.clone()),
        inline_script => inline_block("script", scripts.clone()),
        url => Value::from_function(|id: String| {
            Value::from_safe_string(super::markdown::attack_url(&id).unwrap_or_default())
        }),
    };
    let page = templates
        .render("report.html", context)
        .map_err(|e| format!("template error in {e}"))?;
    let policy = policy(&taken(&styles), &taken(&scripts));
    Ok(page.replacen(CSP_PLACEHOLDER, &policy, 1))
}

fn serde_value<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The page's Content-Security-Policy, allowing the inline blocks with these hashes.
pub fn policy(style_hashes: &[String], script_hashes: &[String]) -> String {
    let sources = |hashes: &[String]| {
        if hashes.is_empty() {
            "'none'".to_string()
        } else {
            hashes
                .iter()
                .map(|h| format!("'{h}'"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; \
         form-action 'none'",
        sources(style_hashes),
        sources(script_hashes)
    )
}

fn taken(list: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    let mut hashes = list.lock().unwrap_or_else(PoisonError::into_inner).clone();
    hashes.dedup();
    hashes
}

/// A template function returning `content` as markup and recording its CSP hash.
fn inline_block(element: &'static str, hashes: Arc<Mutex<Vec<String>>>) -> Value {
    Value::from_function(move |content: String| -> Result<Value, Error> {
        // Browsers hash the element's text after newline normalisation.
        let content = content.replace("\r\n", "\n").replace('\r', "\n");
        if content
            .to_ascii_lowercase()
            .contains(&format!("</{element}"))
        {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("an inline {element} cannot contain `</{element}`"),
            ));
        }
        let hash = csp_hash(&content);
        let mut list = hashes.lock().unwrap_or_else(PoisonError::into_inner);
        if !list.contains(&hash) {
            list.push(hash);
        }
        Ok(Value::from_safe_string(content))
    })
}

/// `sha256-<base64>` of `text`, as a CSP source expression names it.
pub fn csp_hash(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 section 4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn title(report: &Report) -> String {
    match report.models.as_slice() {
        [one] => one.name.clone(),
        [] => "no model".to_string(),
        many => format!("{} models", many.len()),
    }
}

/// Worst first: gap, partial, accepted, covered.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Gap => 4,
        Status::Partial => 3,
        Status::Accepted => 2,
        Status::Covered => 1,
    }
}

/// The exposures in table order: as the engine listed them (open risk, on-path, risk, ids).
fn findings(report: &Report) -> Vec<&Exposure> {
    report.exposures.iter().collect()
}

/// Display names of each model's actors, systems and data, by model file then id.
fn names(report: &Report) -> BTreeMap<&str, BTreeMap<&str, &str>> {
    report
        .models
        .iter()
        .map(|m| {
            let mut map = BTreeMap::new();
            for a in &m.actors {
                map.insert(a.id.as_str(), a.name.as_str());
            }
            for s in &m.systems {
                map.insert(s.id.as_str(), s.name.as_str());
            }
            for d in &m.data {
                map.insert(d.id.as_str(), d.name.as_deref().unwrap_or(&d.id));
            }
            (m.file.as_str(), map)
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct BarSegment {
    status: &'static str,
    count: usize,
    /// Position and width in percent of the bar.
    x: f64,
    width: f64,
}

/// The summary's status bar, worst first.
fn status_bar(report: &Report) -> Vec<BarSegment> {
    let total = report.summary.exposures.max(1) as f64;
    let mut x = 0.0;
    let mut out = Vec::new();
    for status in [
        Status::Gap,
        Status::Partial,
        Status::Accepted,
        Status::Covered,
    ] {
        let count = report
            .summary
            .by_status
            .get(status.label())
            .copied()
            .unwrap_or(0);
        if count == 0 {
            continue;
        }
        let width = (count as f64 * 1000.0 / total).round() / 10.0;
        out.push(BarSegment {
            status: status.label(),
            count,
            x: (x * 10.0_f64).round() / 10.0,
            width,
        });
        x += width;
    }
    out
}

#[derive(Debug, Serialize)]
struct HeatColumn {
    id: String,
    name: String,
    shortname: String,
    /// Techniques in scope under this tactic (parents shown for context not counted).
    techniques: usize,
    /// Of which with an open (gap or partial) exposure.
    open: usize,
    cells: Vec<HeatCell>,
}

#[derive(Debug, Clone, Serialize)]
struct HeatCell {
    id: String,
    name: String,
    /// gap, partial, accepted, covered, preparation (PRE technique without exposures) or
    /// context (a parent shown for its sub-techniques).
    status: &'static str,
    sub: bool,
    exposures: usize,
    tip: String,
}

#[derive(Default, Clone)]
struct Tally {
    by_status: [usize; 4],
    preparation: usize,
}

impl Tally {
    fn worst(&self) -> Option<&'static str> {
        // Indexed by status_rank - 1: covered, accepted, partial, gap.
        let labels = ["covered", "accepted", "partial", "gap"];
        (0..4)
            .rev()
            .find(|&i| self.by_status[i] > 0)
            .map(|i| labels[i])
            .or((self.preparation > 0).then_some("preparation"))
    }

    fn total(&self) -> usize {
        self.by_status.iter().sum()
    }
}

fn cell_rank(status: &str) -> u8 {
    match status {
        "gap" => 0,
        "partial" => 1,
        "accepted" => 2,
        "covered" => 3,
        "preparation" => 4,
        _ => 5,
    }
}

/// The ATT&CK matrix of the techniques in scope, tactics in matrix order.
fn heatmap(report: &Report) -> Vec<HeatColumn> {
    struct Known {
        name: String,
        tactics: Vec<String>,
        parent: Option<String>,
    }
    let mut catalogue: BTreeMap<String, Known> = report
        .attack
        .techniques
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                Known {
                    name: t.name.clone(),
                    tactics: t.tactics.clone(),
                    parent: t.parent.clone(),
                },
            )
        })
        .collect();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for e in &report.exposures {
        tallies.entry(e.technique.clone()).or_default().by_status
            [usize::from(status_rank(e.status) - 1)] += 1;
        catalogue
            .entry(e.technique.clone())
            .or_insert_with(|| Known {
                name: e.technique_name.clone(),
                tactics: e.tactics.clone(),
                parent: e.technique.split_once('.').map(|(p, _)| p.to_string()),
            });
    }
    for p in &report.preparation {
        tallies.entry(p.technique.clone()).or_default().preparation += 1;
    }

    let mut columns = Vec::new();
    for tactic in &report.attack.tactics {
        // Parent id -> its cell (if in scope) and in-scope sub-techniques.
        let mut groups: BTreeMap<String, (Option<HeatCell>, Vec<HeatCell>)> = BTreeMap::new();
        let mut techniques = 0;
        let mut open = 0;
        for (id, tally) in &tallies {
            let Some(known) = catalogue.get(id) else {
                continue;
            };
            if !known.tactics.contains(&tactic.shortname) {
                continue;
            }
            let Some(status) = tally.worst() else {
                continue;
            };
            techniques += 1;
            if tally.by_status[3] + tally.by_status[2] > 0 {
                open += 1;
            }
            let cell = HeatCell {
                id: id.clone(),
                name: known.name.clone(),
                status,
                sub: known.parent.is_some(),
                exposures: tally.total(),
                tip: tip(id, &known.name, tally),
            };
            match &known.parent {
                Some(parent) => groups.entry(parent.clone()).or_default().1.push(cell),
                None => groups.entry(id.clone()).or_default().0 = Some(cell),
            }
        }
        let mut ordered: Vec<(u8, String, Vec<HeatCell>)> = Vec::new();
        for (parent_id, (parent, mut subs)) in groups {
            let parent = parent.unwrap_or_else(|| {
                let name = catalogue
                    .get(&parent_id)
                    .map_or_else(|| parent_id.clone(), |k| k.name.clone());
                HeatCell {
                    tip: format!(
                        "{parent_id} {name}: not in scope itself; shown for its sub-techniques"
                    ),
                    id: parent_id.clone(),
                    name,
                    status: "context",
                    sub: false,
                    exposures: 0,
                }
            });
            subs.sort_by(|a, b| {
                cell_rank(a.status)
                    .cmp(&cell_rank(b.status))
                    .then(a.id.cmp(&b.id))
            });
            let worst = std::iter::once(&parent)
                .chain(subs.iter())
                .map(|c| cell_rank(c.status))
                .min()
                .unwrap_or(5);
            let name = parent.name.clone();
            let mut cells = vec![parent];
            cells.extend(subs);
            ordered.push((worst, name, cells));
        }
        ordered.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        columns.push(HeatColumn {
            id: tactic.id.clone(),
            name: tactic.name.clone(),
            shortname: tactic.shortname.clone(),
            techniques,
            open,
            cells: ordered
                .into_iter()
                .flat_map(|(_, _, cells)| cells)
                .collect(),
        });
    }
    columns
}

fn tip(id: &str, name: &str, tally: &Tally) -> String {
    let mut parts = Vec::new();
    for (i, label) in ["covered", "accepted", "partial", "gap"]
        .iter()
        .enumerate()
        .rev()
    {
        if tally.by_status[i] > 0 {
            parts.push(format!("{} {label}", tally.by_status[i]));
        }
    }
    let total = tally.total();
    let mut text = format!(
        "{id} {name}: {total} exposure{}",
        if total == 1 { "" } else { "s" }
    );
    if !parts.is_empty() {
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    if tally.preparation > 0 {
        text.push_str(&format!(
            "; preparation by {} actor{}",
            tally.preparation,
            if tally.preparation == 1 { "" } else { "s" }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn csp_hash_of_known_text() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn policy_without_blocks_allows_nothing() {
        assert_eq!(
            policy(&[], &[]),
            "default-src 'none'; style-src 'none'; script-src 'none'; img-src data:; \
             base-uri 'none'; form-action 'none'"
        );
    }
}

//! The self-contained HTML report, from `templates/report.html`.
//!
//! One file with no external resource: the styles and the script are inline, the supply-chain
//! diagrams are inline SVG drawn by `report::diagram`, and the page declares a strict
//! Content-Security-Policy (`default-src 'none'`) that allows exactly its own inline blocks by
//! their SHA-256 hashes, so nothing else can run or load even if escaping failed somewhere.
//!
//! The template writes its inline blocks through two functions, `inline_style(css)` and
//! `inline_script(js)`, which record the hash of what they return; `csp()` marks where the
//! policy goes, and it is filled in once the page is rendered. Model text can never reach
//! those functions, so the policy only ever allows what the template itself contains.
//!
//! What the page shows beside the report (the findings by risk, the fix plan by owner, the
//! attack paths by actor, the matrices) is selected in the report's private `html_views`
//! module; this module hands it to the template and secures the page.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use minijinja::value::Value;
use minijinja::{Error, ErrorKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Report;
use super::diagram::supply_chain;
pub use super::html_views::{MAX_FINDING_ROWS, TOP_FINDINGS};
use super::html_views::{
    actor_paths, asks, companion_heatmaps, coverage, findings_by_risk, heatmap, matrices_empty,
    names, plan_outcomes, status_bar, title,
};
use super::templates::{TemplateError, Templates};
use crate::attack::Framework;
use crate::attack::framework::{object_url, object_url_in};

/// What `csp()` writes: text model strings cannot produce (auto-escaping turns `<` into
/// `&lt;`), replaced by the policy once the page is rendered.
const CSP_PLACEHOLDER: &str = "<!--atkmap:content-security-policy-->";

/// How many fixes the "more fixes" table (by open risk removed on one system) lists.
pub const TOP_FIXES: usize = 15;

/// How many attack paths of one actor are shown before folding the rest.
pub const TOP_PATHS: usize = 3;

/// How many exposures the page lists at most. A browser stays responsive with a few thousand
/// rows of a sortable table, not with the 80,000 of a 10,000-system model; the findings (one
/// row per system and technique) and the JSON report still cover every exposure.
pub const MAX_EXPOSURE_ROWS: usize = 5_000;

/// Renders the self-contained HTML report with `templates` (`report.html`, built in or the
/// user's); the error says which template and line failed.
pub fn render(report: &Report, templates: &Templates) -> Result<String, TemplateError> {
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
                svg => Value::from_safe_string(supply_chain(model, &format!("sc{}", i + 1))),
            }
        })
        .collect();

    let heatmap = heatmap(report);
    let companions = companion_heatmaps(report);
    let whole = serde_value(report.for_templates(MAX_FINDING_ROWS, MAX_EXPOSURE_ROWS));
    let context = minijinja::context! {
        exposures => whole.get_attr("exposures").unwrap_or_default(),
        report => whole,
        title => title(report),
        matrix_empty => matrices_empty(&heatmap, &companions),
        heatmap => serde_value(heatmap),
        companion_heatmaps => serde_value(companions),
        status_bar => serde_value(status_bar(report)),
        coverage => coverage(report),
        findings => serde_value(findings_by_risk(&report.findings)),
        asks => serde_value(asks(&report.plan)),
        plan_outcomes => serde_value(plan_outcomes(&report.models, &report.plan)),
        actor_paths => serde_value(actor_paths(&report.paths)),
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
        top_paths => TOP_PATHS,
        diagrams => Value::from(diagrams),
        csp => Value::from_function(|| Value::from_safe_string(CSP_PLACEHOLDER.to_string())),
        inline_style => inline_block("style", styles.clone()),
        inline_script => inline_block("script", scripts.clone()),
        url => Value::from_function(|id: String, framework: Option<String>| {
            let url = match framework.as_deref().and_then(Framework::from_label) {
                Some(f) => object_url_in(f, &id),
                None => object_url(&id),
            };
            Value::from_safe_string(url.unwrap_or_default())
        }),
    };
    let page = templates.render("report.html", context)?;
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
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
        // The standard alphabet's last two characters, not the URL-safe `-` and `_`.
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert_eq!(base64(&[0xff, 0xff]), "//8=");
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

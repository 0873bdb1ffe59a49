//! `atkmap attack show|search|stats`: looking things up in a release.

use clap::Subcommand;
use serde::Serialize;

use atkmap::attack::lookup::{Descriptions, SearchHit};
use atkmap::attack::view::ObjectView;
use atkmap::attack::{Framework, Kind, KnowledgeBase};

use super::bulk_read::read_regular;
use super::bundle_file::MAX_BUNDLE_BYTES;
use super::data_source::{DataOptions, LoadedRelease};
use super::failure::{CliResult, Failure, Outcome};
use super::output::{paint, print_stdout, styles};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LookupFormat {
    #[default]
    Text,
    Json,
}

/// The kinds `attack search --kind` accepts, as `attack show` names them.
const KIND_NAMES: [&str; 10] = [
    "tactic",
    "technique",
    "mitigation",
    "group",
    "software",
    "campaign",
    "data-source",
    "data-component",
    "detection-strategy",
    "analytic",
];

#[derive(Debug, Subcommand)]
pub enum AttackCommand {
    /// Show one object by ATT&CK ID (T1199, M1032, G1015, DET0103, ...) or STIX id
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: LookupFormat,
    },
    /// Find active objects whose ID, name, alias or log-source name contains TEXT; each hit
    /// says which field matched
    Search {
        text: String,
        #[arg(long, value_enum, default_value_t)]
        format: LookupFormat,
        /// Only objects of this kind
        #[arg(long, value_parser = KIND_NAMES)]
        kind: Option<String>,
        /// Search descriptions too (reads the bundle again: about 0.2 s more)
        #[arg(long)]
        descriptions: bool,
    },
    /// Count the active objects of a release
    Stats {
        #[arg(long, value_enum, default_value_t)]
        format: LookupFormat,
    },
}

pub fn run(command: AttackCommand, data: &DataOptions) -> CliResult {
    let release = data.load(None, &[])?;
    let kb = &release.kb;
    // `--framework` names what to look in: those companions (ATT&CK's objects stay reachable
    // by show, which prefers the companions').
    let frameworks: Vec<Framework> = release.companions.iter().map(|c| c.framework).collect();
    let text = match command {
        AttackCommand::Show { id, format } => {
            let object = kb
                .lookup_preferring(&id, None, &frameworks)
                .ok_or_else(|| unknown_id(kb, &id))?;
            let view = kb.view(object);
            match format {
                LookupFormat::Json => to_json(&view)?,
                LookupFormat::Text => show_text(&view)?,
            }
        }
        AttackCommand::Search {
            text,
            format,
            kind,
            descriptions,
        } => {
            let descriptions = descriptions.then(|| read_descriptions(&release));
            let hits: Vec<SearchHit> = kb
                .search_in(&text, true, descriptions.as_ref())
                .into_iter()
                .filter(|hit| kind.as_deref().is_none_or(|k| hit.object.kind.label() == k))
                .filter(|hit| {
                    let framework = kb.meta(hit.object).framework;
                    match frameworks.as_slice() {
                        [] => !framework.is_companion(),
                        named => named.contains(&framework),
                    }
                })
                .collect();
            match format {
                LookupFormat::Json => to_json(&search_json(kb, &hits))?,
                LookupFormat::Text => {
                    if hits.is_empty() {
                        let mut note = format!(
                            "nothing in ATT&CK {} {} matches {text:?}",
                            kb.release.domain, kb.release.version
                        );
                        if descriptions.is_none() {
                            note.push_str(" (add --descriptions to search descriptions too)");
                        }
                        super::output::print_stderr(&format!("{note}\n"));
                    }
                    search_text(kb, &hits)
                }
            }
        }
        AttackCommand::Stats { format } => {
            let stats: Vec<_> = match frameworks.as_slice() {
                [] => vec![kb.stats()],
                named => named.iter().map(|&f| kb.stats_of(f)).collect(),
            };
            match (format, stats.as_slice()) {
                (LookupFormat::Json, [one]) => to_json(one)?,
                (LookupFormat::Json, all) => to_json(&all)?,
                (LookupFormat::Text, all) => {
                    let texts: Result<Vec<String>, Failure> = all
                        .iter()
                        .map(|s| Ok(value_text(&serde_json::to_value(s).map_err(json)?)))
                        .collect();
                    texts?.join("\n")
                }
            }
        }
    };
    print_stdout(&text)?;
    Ok(Outcome::Clean)
}

/// The descriptions of the release's bundle and its companions', read again from their files:
/// the knowledge base does not keep them. A file that cannot be read is said on stderr and
/// searched without descriptions.
fn read_descriptions(release: &LoadedRelease) -> Descriptions {
    let mut all = Descriptions::default();
    let files = std::iter::once(release.path.as_path())
        .chain(release.companions.iter().map(|c| c.path.as_path()));
    for path in files {
        let read = read_regular(path, MAX_BUNDLE_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| Descriptions::from_bundle(&bytes).map_err(|e| e.to_string()));
        match read {
            Ok(descriptions) => all.extend(descriptions),
            Err(e) => super::output::print_stderr(&format!(
                "{}: cannot read descriptions from {}: {e}; searching without them\n",
                paint(styles::WARNING, "warning"),
                path.display()
            )),
        }
    }
    all
}

/// `attack search --format json`: `[{id, name, type, matched, excerpt?}]`.
fn search_json<'a>(kb: &'a KnowledgeBase, hits: &'a [SearchHit]) -> Vec<JsonHit<'a>> {
    hits.iter()
        .map(|hit| {
            let meta = kb.meta(hit.object);
            JsonHit {
                id: &meta.attack_id,
                name: &meta.name,
                kind: hit.object.kind.label(),
                matched: hit.matched.iter().map(|f| f.label()).collect(),
                excerpt: hit.excerpt.as_deref(),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    /// The fields that matched: `id`, `name`, `alias`, `log-source`, `description`.
    matched: Vec<&'static str>,
    /// The aliases or log-source names that matched, or the description around the match;
    /// absent when the ID or the name matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<&'a str>,
}

/// `attack search` as text: ID, kind, name, and in brackets the fields that matched, the first
/// with what matched in it when that is not the ID or the name.
fn search_text(kb: &KnowledgeBase, hits: &[SearchHit]) -> String {
    let widest = |field: fn(&atkmap::attack::knowledge::Meta) -> &str| {
        hits.iter()
            .map(|hit| field(kb.meta(hit.object)).chars().count())
            .max()
            .unwrap_or(0)
    };
    // ATLAS's IDs (`AML.T0052.001`) are longer than ATT&CK's.
    let id_width = widest(|m| &m.attack_id).max(10);
    let width = widest(|m| &m.name).min(40);
    let mut out = String::new();
    for hit in hits {
        let meta = kb.meta(hit.object);
        let mut fields: Vec<String> = hit
            .matched
            .iter()
            .map(|f| f.label().replace('-', " "))
            .collect();
        if let (Some(excerpt), Some(first)) = (&hit.excerpt, fields.first_mut()) {
            first.push_str(": ");
            first.push_str(excerpt);
        }
        out.push_str(&format!(
            "{:<id_width$} {:<19} {:<width$}  [{}]\n",
            meta.attack_id,
            hit.object.kind.label(),
            meta.name,
            fields.join("; ")
        ));
    }
    out
}

fn json(e: serde_json::Error) -> Failure {
    Failure::new(format!("cannot serialise JSON: {e}"))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value).map_err(json)?;
    text.push('\n');
    Ok(text)
}

fn unknown_id(kb: &KnowledgeBase, id: &str) -> Failure {
    let release = &kb.release;
    let framework = Framework::of_id(id);
    let mut failure = match kb.companion(framework) {
        Some(c) => Failure::new(format!(
            "{id} is not in {} {}",
            framework.title(),
            c.release.version
        )),
        None if framework.is_companion() => Failure::new(format!(
            "{id} is a MITRE {} ID, and {} is not loaded",
            framework.title(),
            framework.title()
        ))
        .hint(format!("add --framework {}", framework.label())),
        None => Failure::new(format!(
            "{id} is not in ATT&CK {} {}",
            release.domain, release.version
        )),
    };
    let unloaded = framework.is_companion() && kb.companion(framework).is_none();
    if !unloaded && let Some(suggestion) = kb.suggest(id) {
        failure = failure.hint(suggestion);
    }
    if Kind::from_attack_id(id).is_none() && !id.contains("--") {
        failure = failure.hint(
            "ATT&CK IDs look like T1199, T1078.004, M1032, G1015, S0002, C0027, DS0015, DC0002, \
             DET0103, AN0110 or TA0001 (F3: F1031, FA0001 with --framework f3; ATLAS: AML.T0088, \
             AML.M0015 with --framework atlas); use `atkmap attack search TEXT` to search names",
        );
    }
    failure
}

/// The text form of `attack show`: a header line, then one line per field.
fn show_text(view: &ObjectView) -> Result<String, Failure> {
    let mut out = format!(
        "{}  {}  ({})\n",
        paint(styles::EMPHASIS, &view.id),
        view.name,
        view.kind
    );
    if view.revoked {
        let by = view
            .revoked_by
            .as_ref()
            .map_or("no replacement named".to_string(), |n| {
                format!("revoked by {} {}", n.id, n.name)
            });
        out.push_str(&format!("{}: {by}\n", paint(styles::WARNING, "revoked")));
    }
    if view.deprecated {
        out.push_str(&format!("{}\n", paint(styles::WARNING, "deprecated")));
    }
    let mut value = serde_json::to_value(view).map_err(json)?;
    if let Some(map) = value.as_object_mut() {
        for key in ["id", "name", "type", "revoked", "deprecated", "revoked_by"] {
            map.shift_remove(key);
        }
    }
    out.push_str(&value_text(&value));
    Ok(out)
}

/// Renders a flat JSON object as aligned `key: value` lines; lists of `{id, name}` become
/// indented lines.
fn value_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let mut out = String::new();
    let Some(map) = value.as_object() else {
        return out;
    };
    for (key, v) in map {
        let label = key.replace('_', " ");
        match v {
            Value::Array(items) if items.iter().any(Value::is_object) => {
                out.push_str(&format!("{label} ({}):\n", items.len()));
                for item in items {
                    let fields: Vec<String> = item
                        .as_object()
                        .map(|o| o.values().map(plain).collect())
                        .unwrap_or_default();
                    out.push_str(&format!("  {}\n", fields.join("  ")));
                }
            }
            Value::Array(items) if items.is_empty() => out.push_str(&format!("{label}: none\n")),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(plain).collect();
                out.push_str(&format!("{label}: {}\n", items.join(", ")));
            }
            Value::Object(_) => {
                let fields: Vec<String> = v
                    .as_object()
                    .map(|o| o.values().map(plain).collect())
                    .unwrap_or_default();
                out.push_str(&format!("{label}: {}\n", fields.join("  ")));
            }
            other => out.push_str(&format!("{label}: {}\n", plain(other))),
        }
    }
    out
}

fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

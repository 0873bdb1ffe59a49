//! ATT&CK Navigator layer rendering (layer format 4.5), for threat-intel and detection teams
//! who look at coverage on the matrix they know.
//!
//! One layer for the report's domain. Every technique in scope gets one entry per tactic it
//! sits in, coloured and scored by the worst status of its exposures across all systems and
//! actors. Techniques out of scope are absent from the layer (unscored, no colour), so a
//! technique that is in scope and covered stays distinguishable from one nobody can use:
//!
//! | Status | Score | Colour | Meaning |
//! |---|---|---|---|
//! | gap | 4 | red `#fecaca` | some exposure is neither mitigated nor detected |
//! | partial | 3 | amber `#fde68a` | the worst exposure is only partially covered |
//! | preparation | 2 | slate `#e2e8f0` | a PRE technique an actor uses before touching any system |
//! | accepted | 1 | purple `#e9d5ff` | the worst exposure is an accepted risk |
//! | covered | 0 | green `#bbf7d0` | every exposure is mitigated and detected |
//!
//! The colours are the HTML report's matrix cells ([`crate::graph::palette`]), so a technique
//! looks the same in both. A technique with both exposures and preparation takes its
//! exposures' status. The gradient runs through the same colours at the same scores, so the
//! layer reads the same if a user clears the explicit colours. The legend names the statuses in
//! a word each; what each means is in the layer's description and metadata.
//!
//! Navigator shows a technique's `comment` on one line of its tooltip, so the comment is a
//! summary (`gap · critical · 4 exposures on 3 systems by 2 actors`) and the lists (systems and
//! their actors by status, missing mitigations and data components, preparation) are
//! `metadata` entries, one row each. A parent technique that is not in scope itself but has
//! sub-techniques that are gets an unscored entry with `showSubtechniques`, so the matrix opens
//! on them. Entries are sorted by technique ID, then tactic in matrix order; the output is
//! deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Report;
use crate::analysis::findings::{Exposure, Observability, Preparation, Severity, Status};
use crate::attack::framework::page_url;
use crate::attack::release_name::collection_name;
use crate::graph::palette;

/// The Navigator version the layer is written for, and the layer format version.
const NAVIGATOR_VERSION: &str = "5.1.0";
const LAYER_VERSION: &str = "4.5";

/// How a technique shows on the layer, from least to most worrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Covered,
    Accepted,
    Preparation,
    Partial,
    Gap,
}

impl Mark {
    const ALL: [Mark; 5] = [
        Mark::Covered,
        Mark::Accepted,
        Mark::Preparation,
        Mark::Partial,
        Mark::Gap,
    ];

    fn of(status: Status) -> Mark {
        match status {
            Status::Covered => Mark::Covered,
            Status::Partial => Mark::Partial,
            Status::Gap => Mark::Gap,
            Status::Accepted => Mark::Accepted,
        }
    }

    fn score(self) -> u8 {
        match self {
            Mark::Covered => 0,
            Mark::Accepted => 1,
            Mark::Preparation => 2,
            Mark::Partial => 3,
            Mark::Gap => 4,
        }
    }

    /// The HTML report's colours of the status.
    fn colours(self) -> palette::Status {
        match self {
            Mark::Covered => palette::COVERED,
            Mark::Accepted => palette::ACCEPTED,
            Mark::Preparation => palette::PREPARATION,
            Mark::Partial => palette::PARTIAL,
            Mark::Gap => palette::GAP,
        }
    }

    /// The cell's colour: the fill of the HTML report's matrix cell.
    fn color(self) -> &'static str {
        self.colours().fill
    }

    /// The status in a word, also the legend's label.
    fn label(self) -> &'static str {
        self.colours().label
    }

    fn meaning(self) -> &'static str {
        match self {
            Mark::Covered => "every exposure mitigated and detected",
            Mark::Accepted => "the worst exposure is an accepted risk",
            Mark::Preparation => "a PRE technique, before any system is touched",
            Mark::Partial => "the worst exposure mitigated or detected, not both",
            Mark::Gap => "some exposure neither mitigated nor detected",
        }
    }
}

/// What the report says about one technique.
#[derive(Default)]
struct Annotation<'r> {
    exposures: Vec<&'r Exposure>,
    preparation: Vec<&'r Preparation>,
}

impl Annotation<'_> {
    fn mark(&self) -> Option<Mark> {
        match self.exposures.iter().map(|e| Mark::of(e.status)).max() {
            Some(mark) => Some(mark),
            None => (!self.preparation.is_empty()).then_some(Mark::Preparation),
        }
    }
}

/// What one layer covers: ATT&CK's techniques, or one companion's matrix.
struct Scope<'r> {
    /// The Navigator domain.
    domain: &'static str,
    /// ATT&CK, F3, ATLAS.
    title: &'static str,
    version: &'r str,
    /// The techniques the layer places, with their tactics in this framework.
    techniques: &'r [super::TechniqueRef],
    /// Exposures of techniques the catalogue lacks are placed by their own tactics (ATT&CK).
    keep_uncatalogued: bool,
    tactics: &'r [super::TacticRef],
    /// Where the Navigator loads a companion's STIX from.
    custom_data_url: Option<&'static str>,
}

/// Why a Navigator layer could not be written.
#[derive(Debug, thiserror::Error)]
pub enum NavigatorError {
    /// The report's ATT&CK domain is none the Navigator knows.
    #[error("ATT&CK Navigator has no domain for `{0}`: it knows enterprise, mobile and ics")]
    UnknownDomain(String),
    /// The layer could not be serialised.
    #[error("cannot serialise the Navigator layer: {0}")]
    Serialise(#[from] serde_json::Error),
}

/// Renders the report as one Navigator layer (pretty-printed JSON ending with a newline): the
/// ATT&CK techniques in scope.
pub fn render(report: &Report) -> Result<String, NavigatorError> {
    let domain = collection_name(&report.attack.domain)
        .ok_or_else(|| NavigatorError::UnknownDomain(report.attack.domain.clone()))?;
    render_scope(
        report,
        &Scope {
            domain,
            title: "ATT&CK",
            version: &report.attack.version,
            techniques: &report.attack.techniques,
            keep_uncatalogued: true,
            tactics: &report.attack.tactics,
            custom_data_url: None,
        },
    )
}

/// The layers of the report's companions (F3, ATLAS), by companion id (`f3`, `atlas`): each
/// for the Navigator domain the companion publishes, with its STIX as the custom data.
pub fn render_companions(report: &Report) -> Result<Vec<(&'static str, String)>, NavigatorError> {
    report
        .attack
        .frameworks
        .iter()
        .filter_map(|c| {
            let framework = crate::attack::Framework::from_label(c.id)?;
            let domain = framework.navigator_domain()?;
            let data = crate::attack::framework::OFFICIAL_FILES
                .iter()
                .find(|o| o.framework == framework)
                .map(|o| o.url);
            Some((c, domain, data))
        })
        .map(|(c, domain, data)| {
            let layer = render_scope(
                report,
                &Scope {
                    domain,
                    title: c.name,
                    version: &c.version,
                    techniques: &c.techniques,
                    keep_uncatalogued: false,
                    tactics: &c.tactics,
                    custom_data_url: data,
                },
            )?;
            Ok((c.id, layer))
        })
        .collect()
}

fn render_scope(report: &Report, scope: &Scope) -> Result<String, NavigatorError> {
    let domain = scope.domain;
    let several_models = report.models.len() > 1;
    let catalogue: BTreeMap<&str, &super::TechniqueRef> = scope
        .techniques
        .iter()
        .filter(|t| !scope.keep_uncatalogued || t.framework.is_attack())
        .map(|t| (t.id.as_str(), t))
        .collect();
    let ours = |id: &str, framework: Option<crate::attack::Framework>| {
        catalogue.contains_key(id)
            || (scope.keep_uncatalogued && framework.is_some_and(|f| f.is_attack()))
    };

    let mut annotations: BTreeMap<&str, Annotation> = BTreeMap::new();
    for e in report
        .exposures
        .iter()
        .filter(|e| ours(&e.technique, Some(e.framework)))
    {
        annotations
            .entry(e.technique.as_str())
            .or_default()
            .exposures
            .push(e);
    }
    for p in report
        .preparation
        .iter()
        .filter(|p| ours(&p.technique, None))
    {
        annotations
            .entry(p.technique.as_str())
            .or_default()
            .preparation
            .push(p);
    }

    let tactic_order: BTreeMap<&str, usize> = scope
        .tactics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.shortname.as_str(), i))
        .collect();
    let tactics_of = |id: &str, fallback: &[String]| -> Vec<String> {
        let mut tactics = catalogue
            .get(id)
            .map_or_else(|| fallback.to_vec(), |t| t.tactics.clone());
        tactics.sort_by_key(|t| (tactic_order.get(t.as_str()).copied(), t.clone()));
        tactics.dedup();
        tactics
    };
    let parent_of = |id: &str| -> Option<String> {
        catalogue
            .get(id)
            .and_then(|t| t.parent.clone())
            .or_else(|| crate::attack::framework::parent_id(id).map(str::to_string))
    };

    // Parents whose sub-techniques are in scope.
    let mut scored_children: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &id in annotations.keys() {
        if let Some(parent) = parent_of(id) {
            scored_children.entry(parent).or_default().push(id);
        }
    }

    let mut ids: BTreeSet<&str> = annotations.keys().copied().collect();
    ids.extend(scored_children.keys().map(String::as_str));

    let mut techniques = Vec::new();
    for id in ids {
        let annotation = annotations.get(id);
        let mark = annotation.and_then(Annotation::mark);
        let children = scored_children.get(id);
        let fallback: Vec<String> = annotation
            .and_then(|a| a.exposures.first())
            .map(|e| e.tactics.clone())
            .unwrap_or_default();
        let mut entry = json!({ "techniqueID": id });
        if let (Some(annotation), Some(mark)) = (annotation, mark) {
            entry["score"] = json!(mark.score());
            entry["color"] = json!(mark.color());
            entry["comment"] = json!(comment(annotation, mark, several_models));
            entry["enabled"] = json!(true);
            entry["metadata"] = Value::Array(technique_metadata(annotation, mark, several_models));
        } else {
            let subs: Vec<String> = children
                .map(|c| {
                    c.iter()
                        .map(|s| {
                            let label = annotations
                                .get(s)
                                .and_then(Annotation::mark)
                                .map_or("", Mark::label);
                            format!("{s} ({label})")
                        })
                        .collect()
                })
                .unwrap_or_default();
            entry["comment"] = json!(format!(
                "not in scope · {} in scope",
                plural(subs.len(), "sub-technique")
            ));
            entry["enabled"] = json!(true);
            entry["metadata"] =
                json!([{ "name": "sub-techniques in scope", "value": subs.join(", ") }]);
        }
        entry["links"] = json!([{
            "label": format!("{} {id}", scope.title),
            "url": page_url(id),
        }]);
        if children.is_some() {
            entry["showSubtechniques"] = json!(true);
        }
        let tactics = tactics_of(id, &fallback);
        if tactics.is_empty() {
            techniques.push(entry);
            continue;
        }
        for tactic in tactics {
            let mut e = json!({ "techniqueID": id, "tactic": tactic });
            if let (Value::Object(target), Value::Object(source)) = (&mut e, &entry) {
                for (k, v) in source.iter().filter(|(k, _)| *k != "techniqueID") {
                    target.insert(k.clone(), v.clone());
                }
            }
            techniques.push(e);
        }
    }

    let names: Vec<&str> = report.models.iter().map(|m| m.name.as_str()).collect();
    let files: Vec<&str> = report.models.iter().map(|m| m.file.as_str()).collect();
    let name = if scope.custom_data_url.is_some() {
        format!("{} - atkmap coverage ({})", names.join(" + "), scope.title)
    } else {
        format!("{} - atkmap coverage", names.join(" + "))
    };
    let mut layer = json!({
        "name": name,
        "versions": {
            "attack": scope.version,
            "navigator": NAVIGATOR_VERSION,
            "layer": LAYER_VERSION,
        },
        "domain": domain,
        "description": format!(
            "{} techniques in scope of {} ({domain} {}), coloured by the worst coverage \
             status of their exposures: gap, partial, accepted or covered; PRE techniques that \
             target no system show as preparation. Techniques out of scope are absent. \
             Generated by {} {}.",
            scope.title,
            files.join(", "),
            scope.version,
            report.generator.name,
            report.generator.version
        ),
        "sorting": 3,
        "layout": {
            "layout": "side",
            "showID": true,
            "showName": true,
            "showAggregateScores": true,
            "countUnscored": false,
            "aggregateFunction": "max",
            "expandedSubtechniques": "annotated",
        },
        "hideDisabled": false,
        "techniques": techniques,
        "gradient": {
            "colors": Mark::ALL.iter().map(|m| m.color()).collect::<Vec<_>>(),
            "minValue": Mark::Covered.score(),
            "maxValue": Mark::Gap.score(),
        },
        "legendItems": Mark::ALL
            .iter()
            .rev()
            .map(|m| json!({ "label": m.label(), "color": m.color() }))
            .collect::<Vec<_>>(),
        "showTacticRowBackground": false,
        "selectTechniquesAcrossTactics": true,
        "selectSubtechniquesWithParent": false,
        "selectVisibleTechniques": false,
        "metadata": layer_metadata(report, domain, annotations.len()),
    });
    if let Some(url) = scope.custom_data_url {
        layer["customDataURL"] = json!(url);
    }
    let mut text = serde_json::to_string_pretty(&layer)?;
    text.push('\n');
    Ok(text)
}

fn layer_metadata(report: &Report, domain: &str, in_scope: usize) -> Vec<Value> {
    let mut out = vec![
        json!({ "name": "generator", "value": format!("{} {}", report.generator.name, report.generator.version) }),
        json!({ "name": "ATT&CK release", "value": format!("{domain} {}", report.attack.version) }),
        json!({ "name": "bundle sha256", "value": report.attack.sha256 }),
    ];
    for m in &report.models {
        out.push(json!({ "name": "model", "value": format!("{} ({})", m.file, m.name) }));
    }
    out.push(json!({ "divider": true }));
    let counts: Vec<String> = ["gap", "partial", "accepted", "covered"]
        .iter()
        .map(|s| {
            format!(
                "{} {s}",
                report.summary.by_status.get(s).copied().unwrap_or(0)
            )
        })
        .collect();
    out.push(json!({
        "name": "exposures",
        "value": format!("{} ({})", report.summary.exposures, counts.join(", ")),
    }));
    out.push(json!({
        "name": "coverage",
        "value": format!("{}%", report.summary.coverage_percent),
    }));
    out.push(json!({ "name": "techniques in scope", "value": in_scope.to_string() }));
    // What the legend's colours mean, one row each.
    out.push(json!({ "divider": true }));
    for m in Mark::ALL.iter().rev() {
        out.push(json!({ "name": m.label(), "value": m.meaning() }));
    }
    out
}

/// One line for the tooltip: the status, the worst open severity and how many exposures,
/// systems and actors (`gap · critical · 4 exposures on 3 systems by 2 actors`); the lists are
/// in [`technique_metadata`].
fn comment(annotation: &Annotation, mark: Mark, several_models: bool) -> String {
    let mut parts = vec![mark.label().to_string()];
    if let Some(worst) = worst_open(annotation) {
        parts.push(worst.label().to_string());
    }
    if !annotation.exposures.is_empty() {
        let systems: BTreeSet<String> = annotation
            .exposures
            .iter()
            .map(|e| system_label(e, several_models))
            .collect();
        let actors: BTreeSet<&str> = annotation
            .exposures
            .iter()
            .map(|e| e.actor.as_str())
            .collect();
        parts.push(format!(
            "{} on {} by {}",
            plural(annotation.exposures.len(), "exposure"),
            plural(systems.len(), "system"),
            plural(actors.len(), "actor")
        ));
    }
    if !annotation.preparation.is_empty() {
        let actors: BTreeSet<&str> = annotation
            .preparation
            .iter()
            .map(|p| p.actor.as_str())
            .collect();
        let preparation = format!("preparation by {}", plural(actors.len(), "actor"));
        if mark == Mark::Preparation {
            // No exposures: the status is the preparation.
            parts[0] = preparation;
        } else {
            parts.push(preparation);
        }
    }
    parts.join(" · ")
}

/// The highest severity among open (gap, partial) exposures.
fn worst_open(annotation: &Annotation) -> Option<Severity> {
    annotation
        .exposures
        .iter()
        .filter(|e| matches!(e.status, Status::Gap | Status::Partial))
        .map(|e| e.severity)
        .max()
}

/// `1 system`, `3 systems`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The technique's rows in the tooltip: the summary, then the lists (each system and its
/// actors by status, what is missing, who prepares it).
fn technique_metadata(annotation: &Annotation, mark: Mark, several_models: bool) -> Vec<Value> {
    let mut out = vec![json!({ "name": "status", "value": mark.label() })];
    let open: Vec<&&Exposure> = annotation
        .exposures
        .iter()
        .filter(|e| matches!(e.status, Status::Gap | Status::Partial))
        .collect();
    if let Some(worst) = worst_open(annotation) {
        out.push(json!({ "name": "worst open severity", "value": worst.label() }));
    }
    if !annotation.exposures.is_empty() {
        let worst: Option<Severity> = annotation.exposures.iter().map(|e| e.severity).max();
        if let Some(worst) = worst {
            out.push(json!({ "name": "worst severity", "value": worst.label() }));
        }
        out.push(json!({ "name": "exposures", "value": counts(&annotation.exposures) }));
        let systems: BTreeSet<String> = annotation
            .exposures
            .iter()
            .map(|e| system_label(e, several_models))
            .collect();
        let systems: Vec<String> = systems.into_iter().collect();
        out.push(json!({ "name": "systems", "value": systems.join(", ") }));
        let actors: BTreeSet<&str> = annotation
            .exposures
            .iter()
            .map(|e| e.actor.as_str())
            .collect();
        out.push(json!({ "name": "actors", "value": join(actors) }));
        out.push(json!({ "divider": true }));
    }
    // Each system and the actors exposed on it, by status: `gap on` = `a (x, y); b (x)`.
    for status in [
        Status::Gap,
        Status::Partial,
        Status::Accepted,
        Status::Covered,
    ] {
        let mut by_system: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for e in annotation.exposures.iter().filter(|e| e.status == status) {
            by_system
                .entry(system_label(e, several_models))
                .or_default()
                .insert(e.actor.as_str());
        }
        if by_system.is_empty() {
            continue;
        }
        let systems: Vec<String> = by_system
            .iter()
            .map(|(s, actors)| format!("{s} ({})", join(actors.clone())))
            .collect();
        out.push(json!({
            "name": format!("{} on", status.label()),
            "value": systems.join("; "),
        }));
    }
    let missing: BTreeSet<&str> = open
        .iter()
        .flat_map(|e| e.mitigations.missing.iter().map(|m| m.id.as_str()))
        .collect();
    if !missing.is_empty() {
        out.push(json!({ "name": "missing mitigations", "value": join(missing) }));
    }
    let components: BTreeSet<&str> = open
        .iter()
        .flat_map(|e| {
            e.detection
                .missing_data_components
                .iter()
                .map(|d| d.id.as_str())
        })
        .collect();
    if !components.is_empty() {
        out.push(json!({ "name": "missing data components", "value": join(components) }));
    }
    if !annotation.preparation.is_empty() {
        let mut actors: BTreeMap<&str, &'static str> = BTreeMap::new();
        for p in &annotation.preparation {
            actors.insert(p.actor.as_str(), observability(p.observability));
        }
        let actors: Vec<String> = actors.iter().map(|(a, o)| format!("{a} ({o})")).collect();
        out.push(json!({ "name": "preparation by", "value": actors.join(", ") }));
    }
    out
}

fn counts(exposures: &[&Exposure]) -> String {
    [
        Status::Gap,
        Status::Partial,
        Status::Accepted,
        Status::Covered,
    ]
    .iter()
    .filter_map(|&s| {
        let n = exposures.iter().filter(|e| e.status == s).count();
        (n > 0).then(|| format!("{n} {}", s.label()))
    })
    .collect::<Vec<_>>()
    .join(", ")
}

fn system_label(e: &Exposure, several_models: bool) -> String {
    if several_models {
        format!("{} [{}]", e.system, e.model)
    } else {
        e.system.clone()
    }
}

fn observability(o: Observability) -> &'static str {
    match o {
        Observability::Observable => "observable",
        Observability::NotWithYourTelemetry => "not with your telemetry",
        Observability::NoLogSource => "no log source",
    }
}

fn join(items: BTreeSet<&str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

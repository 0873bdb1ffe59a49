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
//! | gap | 4 | red `#e53935` | some exposure is neither mitigated nor detected |
//! | partial | 3 | orange `#fb8c00` | the worst exposure is only partially covered |
//! | preparation | 2 | purple `#8e24aa` | a PRE technique an actor uses before touching any system |
//! | accepted | 1 | indigo `#5c6bc0` | the worst exposure is an accepted risk |
//! | covered | 0 | green `#43a047` | every exposure is mitigated and detected |
//!
//! A technique with both exposures and preparation takes its exposures' status. The gradient
//! runs through the same colours at the same scores, so the layer reads the same if a user
//! clears the explicit colours. A parent technique that is not in scope itself but has
//! sub-techniques that are gets an unscored entry with `showSubtechniques`, so the matrix opens
//! on them. Entries are sorted by technique ID, then tactic in matrix order; the output is
//! deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Report;
use crate::analysis::findings::{Exposure, Observability, Preparation, Severity, Status};

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

    fn color(self) -> &'static str {
        match self {
            Mark::Covered => "#43a047",
            Mark::Accepted => "#5c6bc0",
            Mark::Preparation => "#8e24aa",
            Mark::Partial => "#fb8c00",
            Mark::Gap => "#e53935",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mark::Covered => "covered",
            Mark::Accepted => "accepted",
            Mark::Preparation => "preparation",
            Mark::Partial => "partial",
            Mark::Gap => "gap",
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Mark::Covered => "covered: mitigated and detected on every system",
            Mark::Accepted => "accepted: worst exposure is an accepted risk",
            Mark::Preparation => "preparation: PRE technique, before any system is touched",
            Mark::Partial => "partial: worst exposure mitigated or detected, not both",
            Mark::Gap => "gap: some exposure neither mitigated nor detected",
        }
    }
}

/// The Navigator domain of a report's ATT&CK domain (`enterprise` -> `enterprise-attack`).
pub fn layer_domain(domain: &str) -> Option<&'static str> {
    match domain.strip_suffix("-attack").unwrap_or(domain) {
        "enterprise" => Some("enterprise-attack"),
        "mobile" => Some("mobile-attack"),
        "ics" => Some("ics-attack"),
        _ => None,
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

/// Renders the report as one Navigator layer (pretty-printed JSON ending with a newline): the
/// ATT&CK techniques in scope.
pub fn render(report: &Report) -> Result<String, String> {
    let domain = layer_domain(&report.attack.domain).ok_or_else(|| {
        format!(
            "ATT&CK Navigator has no domain for `{}`: it knows enterprise, mobile and ics",
            report.attack.domain
        )
    })?;
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
pub fn render_companions(report: &Report) -> Result<Vec<(&'static str, String)>, String> {
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

fn render_scope(report: &Report, scope: &Scope) -> Result<String, String> {
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
            entry["metadata"] = Value::Array(technique_metadata(annotation, mark));
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
                "Not in scope itself; sub-techniques in scope: {}.",
                subs.join(", ")
            ));
            entry["enabled"] = json!(true);
        }
        entry["links"] = json!([{
            "label": format!("{} {id}", scope.title),
            "url": super::sarif::technique_url(id),
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
            .map(|m| json!({ "label": m.legend(), "color": m.color() }))
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
    let mut text = serde_json::to_string_pretty(&layer)
        .map_err(|e| format!("cannot serialise the Navigator layer: {e}"))?;
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
    out
}

/// Systems and actors of a technique, by status.
fn comment(annotation: &Annotation, mark: Mark, several_models: bool) -> String {
    let mut parts = Vec::new();
    if !annotation.exposures.is_empty() {
        parts.push(format!(
            "Worst: {}. Exposures: {}.",
            mark.label(),
            counts(&annotation.exposures)
        ));
    }
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
            .map(|(s, actors)| {
                format!(
                    "{s} ({})",
                    actors.iter().copied().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let label = status.label();
        let capital = label[..1].to_ascii_uppercase() + &label[1..];
        parts.push(format!("{capital} on {}.", systems.join(", ")));
    }
    if !annotation.preparation.is_empty() {
        let mut actors: BTreeMap<&str, &'static str> = BTreeMap::new();
        for p in &annotation.preparation {
            actors.insert(p.actor.as_str(), observability(p.observability));
        }
        let actors: Vec<String> = actors.iter().map(|(a, o)| format!("{a} ({o})")).collect();
        parts.push(format!("Preparation by {}.", actors.join(", ")));
    }
    parts.join(" ")
}

fn technique_metadata(annotation: &Annotation, mark: Mark) -> Vec<Value> {
    let mut out = vec![json!({ "name": "status", "value": mark.label() })];
    let open: Vec<&&Exposure> = annotation
        .exposures
        .iter()
        .filter(|e| matches!(e.status, Status::Gap | Status::Partial))
        .collect();
    if let Some(worst) = open.iter().map(|e| e.severity).max() {
        out.push(json!({ "name": "worst open severity", "value": worst.label() }));
    }
    if !annotation.exposures.is_empty() {
        let worst: Option<Severity> = annotation.exposures.iter().map(|e| e.severity).max();
        if let Some(worst) = worst {
            out.push(json!({ "name": "worst severity", "value": worst.label() }));
        }
        out.push(json!({ "name": "exposures", "value": counts(&annotation.exposures) }));
        let systems: BTreeSet<&str> = annotation
            .exposures
            .iter()
            .map(|e| e.system.as_str())
            .collect();
        out.push(json!({ "name": "systems", "value": join(systems) }));
        let actors: BTreeSet<&str> = annotation
            .exposures
            .iter()
            .map(|e| e.actor.as_str())
            .collect();
        out.push(json!({ "name": "actors", "value": join(actors) }));
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
        let actors: BTreeSet<&str> = annotation
            .preparation
            .iter()
            .map(|p| p.actor.as_str())
            .collect();
        out.push(json!({ "name": "preparation by", "value": join(actors) }));
        let seen: BTreeSet<&str> = annotation
            .preparation
            .iter()
            .map(|p| observability(p.observability))
            .collect();
        out.push(json!({ "name": "observability", "value": join(seen) }));
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

//! SARIF and ATT&CK Navigator renderings of real reports: the example models analysed against
//! MITRE's Enterprise 18.1 bundle, validated against the official SARIF 2.1.0 schema and the
//! Navigator layer format 4.5.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use atkmap::analysis::Options;
use atkmap::analysis::findings::{Exposure, Reason, Severity, Status};
use atkmap::model::date::Date;
use atkmap::report::sarif::{self, SarifOptions};
use atkmap::report::{Report, navigator};
use serde_json::Value;
use sha2::{Digest, Sha256};

const EKYC: &str = "models/ekyc-national-id.yaml";
const TELCO: &str = "models/telco-sim-registration.yaml";
/// Comment lines put in front of the shifted copy of the eKYC model.
const SHIFT: u32 = 7;

struct Reports {
    data_dir: PathBuf,
    ekyc: Report,
    telco: Report,
    /// Both example models in one report.
    both: Report,
    /// The eKYC model from a copy with `SHIFT` more lines at the top, at an absolute path.
    shifted: Report,
}

static REPORTS: OnceLock<Option<Reports>> = OnceLock::new();

/// The reports, built once per test binary (loading the bundle is the slow part).
fn reports() -> Option<&'static Reports> {
    REPORTS.get_or_init(build_reports).as_ref()
}

fn build_reports() -> Option<Reports> {
    let data_dir = common::data_dir()?;
    let repo = common::repo();
    let source = std::fs::read_to_string(repo.join(EKYC)).expect("the eKYC example model");
    let temp = tempfile::tempdir().expect("a temporary directory");
    let shifted_path = temp.path().join("ekyc-national-id.yaml");
    let padding = "# a comment that moves every line down\n".repeat(SHIFT as usize);
    std::fs::write(&shifted_path, format!("{padding}{source}")).expect("write the shifted copy");

    // The relative paths are what users pass and what SARIF reports: run from the repository.
    assert_eq!(
        std::env::current_dir().expect("current directory"),
        repo,
        "integration tests run in the package root"
    );
    let today = today();
    let paths = [
        PathBuf::from(EKYC),
        PathBuf::from(TELCO),
        shifted_path.clone(),
    ];
    let checked = common::checked::check(&paths, today)?;
    assert!(
        checked.diagnostics.iter().all(|d| !d.is_error()),
        "the example models are valid: {:#?}",
        checked.diagnostics
    );
    let options = Options::new(today);
    let report_of = |paths: &[&Path]| checked.report(paths, &options);
    let ekyc = report_of(&[Path::new(EKYC)]);
    let telco = report_of(&[Path::new(TELCO)]);
    let both = report_of(&[Path::new(EKYC), Path::new(TELCO)]);
    let shifted = report_of(&[shifted_path.as_path()]);
    Some(Reports {
        data_dir,
        ekyc,
        telco,
        both,
        shifted,
    })
}

fn today() -> Date {
    Date::parse("2026-11-25").expect("a valid date")
}

fn parse(text: &str) -> Value {
    assert!(text.ends_with('\n'), "output ends with a newline");
    serde_json::from_str(text).expect("the output is JSON")
}

fn sarif_of(report: &Report) -> Value {
    sarif_with(report, &SarifOptions::default())
}

fn sarif_with(report: &Report, options: &SarifOptions) -> Value {
    parse(&sarif::render(report, options).expect("SARIF renders"))
}

fn layer_of(report: &Report) -> Value {
    parse(&navigator::render(report).expect("the layer renders"))
}

fn is_open(e: &Exposure) -> bool {
    matches!(e.status, Status::Gap | Status::Partial)
}

/// The fingerprint the module documents, computed independently: a finding's identity.
fn expected_fingerprint(file: &str, system: &str, technique: &str) -> String {
    Sha256::digest(format!("{file}|{system}|{technique}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("runs[0].results")
}

fn fingerprint_of(result: &Value) -> &str {
    result["partialFingerprints"]["atkmapFinding/v1"]
        .as_str()
        .expect("an atkmapFinding/v1 fingerprint")
}

/// The exposures of each finding, by the finding's fingerprint.
fn exposures_by_finding(report: &Report) -> BTreeMap<String, Vec<&Exposure>> {
    let mut out: BTreeMap<String, Vec<&Exposure>> = BTreeMap::new();
    for e in &report.exposures {
        out.entry(expected_fingerprint(&e.model, &e.system, &e.technique))
            .or_default()
            .push(e);
    }
    out
}

/// The text a result's primary region spans in its model file.
fn region_text(result: &Value) -> String {
    let physical = &result["locations"][0]["physicalLocation"];
    let uri = physical["artifactLocation"]["uri"].as_str().expect("a uri");
    let text = std::fs::read_to_string(uri).expect("the model file");
    let region = &physical["region"];
    let line = region["startLine"].as_u64().expect("startLine") as usize;
    let start = region["startColumn"].as_u64().expect("startColumn") as usize;
    let end = region["endColumn"].as_u64().expect("endColumn") as usize;
    assert_eq!(region["endLine"], region["startLine"]);
    let chars: Vec<char> = text
        .lines()
        .nth(line - 1)
        .expect("the line")
        .chars()
        .collect();
    chars[start - 1..end - 1].iter().collect()
}

/// Reads a JSON file of the shared data (missing: a failure unless `ATKMAP_SKIP_DATA` is set).
fn shared_json(path: &Path) -> Option<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the schema is JSON")),
        Err(e) => {
            if std::env::var_os("ATKMAP_SKIP_DATA").is_none() {
                panic!(
                    "{} cannot be read: {e} (set ATKMAP_SKIP_DATA=1 to skip knowingly)",
                    path.display()
                );
            }
            eprintln!(
                "skipping (ATKMAP_SKIP_DATA): {} cannot be read: {e}",
                path.display()
            );
            None
        }
    }
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(r) = reports() else { return };
    let path = r.data_dir.join("../schemas/sarif-schema-2.1.0.json");
    let Some(schema) = shared_json(&path) else {
        return;
    };
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "the official SARIF schema is draft 4"
    );
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let categorised = SarifOptions {
        category: Some("atkmap/models".to_string()),
        ..SarifOptions::default()
    };
    for (name, log) in [
        ("ekyc", sarif_of(&r.ekyc)),
        ("telco", sarif_of(&r.telco)),
        ("both", sarif_of(&r.both)),
        ("shifted (absolute path)", sarif_of(&r.shifted)),
        ("with a category", sarif_with(&r.ekyc, &categorised)),
    ] {
        let errors = schema_errors(&validator, &log);
        assert!(
            errors.is_empty(),
            "{name}: SARIF invalid:\n{}",
            errors.join("\n")
        );
    }
    // The validator does reject what the schema forbids.
    let mut broken = sarif_of(&r.ekyc);
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    broken["runs"][0]["tool"]["driver"]["unknownKey"] = Value::from(true);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_one_result_per_finding_and_suppresses_accepted_ones() {
    let Some(r) = reports() else { return };
    for report in [&r.ekyc, &r.telco, &r.both] {
        let log = sarif_of(report);
        let results = results(&log);
        let by_finding = exposures_by_finding(report);
        let found: BTreeSet<&str> = results.iter().map(fingerprint_of).collect();
        assert_eq!(found.len(), results.len(), "one result per finding");
        for (fingerprint, exposures) in &by_finding {
            let open = exposures.iter().any(|e| is_open(e));
            let accepted = exposures.iter().any(|e| e.status == Status::Accepted);
            assert_eq!(
                found.contains(fingerprint.as_str()),
                open || accepted,
                "{} {}: a result exactly when something is open or accepted",
                exposures[0].technique,
                exposures[0].system
            );
        }
        let findings_with_results = report
            .findings
            .iter()
            .filter(|f| {
                by_finding[&expected_fingerprint(&f.model, &f.system, &f.technique)]
                    .iter()
                    .any(|e| e.status != Status::Covered)
            })
            .count();
        assert_eq!(results.len(), findings_with_results);
        // GitHub keys alerts on primaryLocationLineHash: one per finding, never shared.
        let line_hashes: BTreeSet<&str> = results
            .iter()
            .map(|x| {
                x["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .expect("a primaryLocationLineHash")
            })
            .collect();
        assert_eq!(line_hashes.len(), results.len());

        for result in results {
            let exposures = &by_finding[fingerprint_of(result)];
            let open = exposures.iter().any(|e| is_open(e));
            match result.get("suppressions") {
                None => assert!(open, "an unsuppressed result has open exposures"),
                Some(suppressions) => {
                    assert!(!open, "a suppressed result has nothing open");
                    let notes: BTreeSet<(&str, &str, &str)> = exposures
                        .iter()
                        .filter_map(|e| e.acceptance.as_ref())
                        .map(|a| (a.reason.as_str(), a.owner.as_str(), a.expires.as_str()))
                        .collect();
                    let suppressions = suppressions.as_array().expect("suppressions");
                    assert_eq!(suppressions.len(), notes.len());
                    for s in suppressions {
                        assert_eq!(s["kind"], "external");
                        assert_eq!(s["status"], "accepted");
                        let note = (
                            s["justification"].as_str().expect("a justification"),
                            s["properties"]["owner"].as_str().expect("an owner"),
                            s["properties"]["expires"].as_str().expect("an expiry"),
                        );
                        assert!(notes.contains(&note), "{note:?}");
                    }
                }
            }
        }
    }
    let suppressed = results(&sarif_of(&r.ekyc))
        .iter()
        .filter(|x| x.get("suppressions").is_some())
        .count();
    assert!(suppressed > 0, "the eKYC example accepts a risk");
}

#[test]
fn sarif_results_carry_location_level_severity_and_advice() {
    let Some(r) = reports() else { return };
    let mut severities = BTreeSet::new();
    for report in [&r.ekyc, &r.telco] {
        let log = sarif_of(report);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        let findings: BTreeMap<String, &atkmap::analysis::findings::Finding> = report
            .findings
            .iter()
            .map(|f| (expected_fingerprint(&f.model, &f.system, &f.technique), f))
            .collect();
        let by_finding = exposures_by_finding(report);
        for result in results(&log) {
            let f = findings[fingerprint_of(result)];
            let exposures = &by_finding[fingerprint_of(result)];
            let severity = f.severity.unwrap_or_else(|| {
                exposures
                    .iter()
                    .filter(|e| e.status == Status::Accepted)
                    .map(|e| e.severity)
                    .max()
                    .expect("an accepted exposure")
            });
            severities.insert(severity);
            let (level, security) = match severity {
                Severity::Critical => ("error", "9.5"),
                Severity::High => ("error", "8.0"),
                Severity::Medium => ("warning", "5.5"),
                Severity::Low => ("note", "3.0"),
            };
            assert_eq!(result["level"], level);
            // GitHub reads the severity from the rule.
            let rule = &rules[result["ruleIndex"].as_u64().expect("ruleIndex") as usize];
            assert_eq!(result["ruleId"], rule["id"]);
            assert_eq!(rule["properties"]["security-severity"], security);
            let properties = &result["properties"];
            assert_eq!(properties["severity"], severity.label());
            assert_eq!(properties["risk"], f.risk);
            assert_eq!(properties["technique"], f.technique.as_str());
            assert_eq!(properties["system"], f.system.as_str());
            assert_eq!(properties["tactics"], serde_json::json!(f.tactics));

            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], f.model.as_str());
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");

            // The region spans what brought the finding into scope, by the rule's origin.
            let spanned = region_text(result);
            let origin = rule["id"]
                .as_str()
                .expect("id")
                .split('-')
                .nth(1)
                .expect("origin");
            match origin {
                "GROUP" => assert_eq!(
                    spanned, f.system,
                    "a group-inferred finding sits on its system"
                ),
                "ACTOR" | "THREAT" => assert_eq!(spanned, f.technique),
                "REUSE" => assert!(
                    exposures.iter().any(|e| e
                        .reasons
                        .iter()
                        .any(|x| matches!(x, Reason::Reuse { data } if *data == spanned))),
                    "a reuse finding sits on the leaked data asset, not `{spanned}`"
                ),
                _ => assert!(!spanned.trim().is_empty()),
            }

            let text = result["message"]["text"].as_str().expect("a message");
            for part in [
                f.technique.as_str(),
                f.technique_name.as_str(),
                f.system.as_str(),
                severity.label(),
            ] {
                assert!(text.contains(part), "`{text}` does not name `{part}`");
            }
            for fix in f.recommended.iter().filter(|x| x.removes_risk > 0).take(3) {
                assert!(text.contains(&format!("`{}`", fix.fix)), "{text}");
            }
            assert_eq!(result["taxa"][0]["id"], f.technique.as_str());
            let guid = result["correlationGuid"]
                .as_str()
                .expect("a correlationGuid");
            assert_eq!(
                guid.replace('-', "")[..12],
                fingerprint_of(result)[..12],
                "the correlation GUID comes from the fingerprint"
            );
        }
    }
    assert!(
        severities.len() >= 3,
        "the examples exercise severities: {severities:?}"
    );
}

#[test]
fn sarif_related_locations_name_every_other_reason() {
    let Some(r) = reports() else { return };
    let log = sarif_of(&r.both);
    let by_finding = exposures_by_finding(&r.both);
    let mut with_related = 0;
    for result in results(&log) {
        let exposures = &by_finding[fingerprint_of(result)];
        let primary = result["locations"][0]["physicalLocation"]["region"]["startLine"].clone();
        let lines: BTreeSet<u32> = exposures
            .iter()
            .filter(|e| e.status != Status::Covered)
            .map(|e| e.location.line)
            .filter(|l| primary.as_u64() != Some(u64::from(*l)))
            .collect();
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let related_lines: BTreeSet<u64> = related
            .iter()
            .map(|x| {
                x["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .expect("a line")
            })
            .collect();
        for line in &lines {
            assert!(
                related_lines.contains(&u64::from(*line)),
                "line {line} is related"
            );
        }
        let ids: BTreeSet<u64> = related
            .iter()
            .map(|x| x["id"].as_u64().expect("id"))
            .collect();
        assert_eq!(ids.len(), related.len(), "related location ids are unique");
        for x in &related {
            assert!(x["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
        with_related += usize::from(!related.is_empty());
    }
    assert!(
        with_related > 10,
        "{with_related} results have related locations"
    );
}

#[test]
fn sarif_rules_are_one_per_origin_and_severity() {
    let Some(r) = reports() else { return };
    let log = sarif_of(&r.both);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), 20);
    let mut ids = BTreeSet::new();
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        assert!(ids.insert(id), "{id} is unique");
        let severity = id
            .rsplit('-')
            .next()
            .expect("a severity")
            .to_ascii_lowercase();
        let security = match severity.as_str() {
            "critical" => "9.5",
            "high" => "8.0",
            "medium" => "5.5",
            "low" => "3.0",
            other => panic!("{other}"),
        };
        assert_eq!(rule["properties"]["security-severity"], security, "{id}");
        let precision = rule["properties"]["precision"].as_str().expect("precision");
        assert!(["very-high", "high", "medium", "low"].contains(&precision));
        for field in [
            &rule["name"],
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
            &rule["help"]["text"],
            &rule["help"]["markdown"],
        ] {
            assert!(field.as_str().is_some_and(|s| !s.is_empty()), "{rule}");
        }
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&Value::from("security")));
    }
    let used: BTreeSet<&str> = results(&log)
        .iter()
        .map(|x| x["ruleId"].as_str().expect("ruleId"))
        .collect();
    for origin in ["THREAT", "REUSE", "TRUST", "ACTOR", "GROUP"] {
        assert!(
            used.iter().any(|id| id.contains(origin)),
            "the examples exercise {origin}: {used:?}"
        );
    }
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let Some(r) = reports() else { return };
    // The same model with every line moved down: only the regions may change.
    let mut moved = r.shifted.clone();
    let shifted_file = moved.models[0].file.clone();
    for e in &mut moved.exposures {
        assert!(Path::new(&e.location.file).is_absolute());
        e.model = EKYC.to_string();
        e.location.file = EKYC.to_string();
    }
    for f in &mut moved.findings {
        f.model = EKYC.to_string();
        f.location.file = EKYC.to_string();
    }
    for m in &mut moved.models {
        m.file = EKYC.to_string();
    }
    assert!(Path::new(&shifted_file).is_absolute());
    assert_eq!(moved.exposures.len(), r.ekyc.exposures.len());
    for (a, b) in r.ekyc.exposures.iter().zip(&moved.exposures) {
        assert_eq!(b.location.line, a.location.line + SHIFT);
    }
    let strip_regions = |mut log: Value| -> Value {
        for result in log["runs"][0]["results"].as_array_mut().expect("results") {
            let object = result.as_object_mut().expect("a result");
            object.remove("relatedLocations");
            let physical = &mut result["locations"][0]["physicalLocation"];
            assert!(physical["region"]["startLine"].is_u64());
            physical
                .as_object_mut()
                .expect("a physical location")
                .remove("region");
        }
        log
    };
    let before = sarif_of(&r.ekyc);
    let after = sarif_of(&moved);
    let fingerprints = |log: &Value| -> Vec<String> {
        results(log)
            .iter()
            .map(|r| fingerprint_of(r).to_string())
            .collect()
    };
    assert_eq!(fingerprints(&before), fingerprints(&after));
    assert_ne!(before, after, "the regions did move");
    assert_eq!(strip_regions(before), strip_regions(after));
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    let Some(r) = reports() else { return };
    // An absolute path outside the root is a file:// URI.
    let log = sarif_of(&r.shifted);
    for result in results(&log) {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().expect("a uri");
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(uri.ends_with("/ekyc-national-id.yaml"), "{uri}");
        assert!(artifact.get("uriBaseId").is_none());
    }
    // The same file under a known root: relative to it, whatever path the report used.
    let file = r.shifted.models[0].file.clone();
    let rooted = SarifOptions {
        root_relative: [(file, "threat-models/ekyc.yaml".to_string())].into(),
        ..SarifOptions::default()
    };
    let log = sarif_with(&r.shifted, &rooted);
    for result in results(&log) {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], "threat-models/ekyc.yaml");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    assert!(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"].is_object());
}

#[test]
fn sarif_is_deterministic_and_names_the_release() {
    let Some(r) = reports() else { return };
    let options = SarifOptions::default();
    let first = sarif::render(&r.both, &options).expect("SARIF renders");
    assert_eq!(
        first,
        sarif::render(&r.both, &options).expect("SARIF renders")
    );
    let log = parse(&first);
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "atkmap");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], "https://github.com/atkmap/atkmap");
    assert_eq!(run["properties"]["attack"]["version"], "18.1");
    assert_eq!(run["properties"]["attack"]["domain"], "enterprise-attack");
    assert_eq!(
        run["properties"]["attack"]["sha256"],
        r.both.attack.sha256.as_str()
    );
    assert_eq!(r.both.attack.sha256.len(), 64);
    // No category unless asked for: on GitHub it would override the workflow's `category`.
    assert!(run.get("automationDetails").is_none());
    let asked = SarifOptions {
        category: Some("atkmap/enterprise".to_string()),
        ..SarifOptions::default()
    };
    assert_eq!(
        sarif_with(&r.both, &asked)["runs"][0]["automationDetails"]["id"],
        "atkmap/enterprise"
    );
    assert_eq!(run["taxonomies"][0]["version"], "18.1");
    // Every result's taxon is in the taxonomy, at the index it claims.
    let taxa = run["taxonomies"][0]["taxa"].as_array().expect("taxa");
    for result in results(&log) {
        let taxon = &result["taxa"][0];
        let index = taxon["index"].as_u64().expect("a taxon index") as usize;
        assert_eq!(taxa[index]["id"], taxon["id"]);
    }
    // Nothing machine-specific: the bundle is named, not located.
    assert!(!first.contains(&r.data_dir.display().to_string()));
}

// ---------------------------------------------------------------------------------------------
// ATT&CK Navigator

/// The worst status of each technique in scope, as the module documents: gap 4, partial 3,
/// preparation 2 (no exposures), accepted 1, covered 0.
/// The scores of the ATT&CK layer: ATT&CK's techniques in scope.
fn expected_scores(report: &Report) -> BTreeMap<String, u64> {
    let attack: BTreeSet<&str> = report
        .attack
        .techniques
        .iter()
        .filter(|t| t.framework.is_attack())
        .map(|t| t.id.as_str())
        .collect();
    expected_scores_of(report, |id| attack.contains(id))
}

/// The scores of the techniques `ours` keeps: worst status, 2 for preparation only.
fn expected_scores_of(report: &Report, ours: impl Fn(&str) -> bool) -> BTreeMap<String, u64> {
    let rank = |s: Status| match s {
        Status::Covered => 0,
        Status::Accepted => 1,
        Status::Partial => 3,
        Status::Gap => 4,
    };
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    for e in report.exposures.iter().filter(|e| ours(&e.technique)) {
        let score = out.entry(e.technique.clone()).or_insert(0);
        *score = (*score).max(rank(e.status));
    }
    for p in report.preparation.iter().filter(|p| ours(&p.technique)) {
        out.entry(p.technique.clone()).or_insert(2);
    }
    out
}

/// F3's and ATLAS's layers: their Navigator domains and official data, every technique under a
/// tactic the companion's own STIX gives it, scored exactly as the findings say.
#[test]
fn companion_layers_place_their_techniques_as_their_stix_does() {
    let Some(r) = reports() else { return };
    let Some(dir) = common::companion_dir() else {
        return;
    };
    let layers = navigator::render_companions(&r.ekyc).expect("the layers render");
    let ids: Vec<&str> = layers.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, ["f3", "atlas"]);
    for (id, text) in &layers {
        let layer = parse(text);
        let (file, domain) = match *id {
            "f3" => ("f3-stix-v1.1.json", "f3-financial"),
            _ => ("stix-atlas-5.6.0.json", "atlas-atlas"),
        };
        assert_eq!(layer["domain"], domain);
        assert!(
            layer["customDataURL"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://raw.githubusercontent.com/")),
            "{id}"
        );
        // What the companion's STIX says, read here without atkmap: ID -> tactics.
        let stix: Value =
            serde_json::from_slice(&std::fs::read(dir.join(file)).expect("companion file"))
                .expect("JSON");
        let mut tactics: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for o in stix["objects"].as_array().expect("objects") {
            if o["type"] != "attack-pattern" {
                continue;
            }
            let Some(external) = o["external_references"][0]["external_id"].as_str() else {
                continue;
            };
            for phase in o["kill_chain_phases"].as_array().into_iter().flatten() {
                tactics
                    .entry(external.to_string())
                    .or_default()
                    .insert(phase["phase_name"].as_str().expect("phase").to_string());
            }
        }
        let mut scored: BTreeMap<String, u64> = BTreeMap::new();
        for entry in entries(&layer) {
            let technique = entry["techniqueID"].as_str().expect("id");
            let tactic = entry["tactic"].as_str().expect("a tactic");
            assert!(
                tactics.get(technique).is_some_and(|t| t.contains(tactic)),
                "{id}: {technique} is not under {tactic} in {file}"
            );
            if let Some(score) = entry["score"].as_u64() {
                scored.insert(technique.to_string(), score);
            }
        }
        let expected = expected_scores_of(&r.ekyc, |t| tactics.contains_key(t));
        assert_eq!(scored, expected, "{id}");
        assert!(!scored.is_empty(), "{id}: the example uses {id}");
    }
    // A report without companions has none.
    assert!(
        navigator::render_companions(&r.telco)
            .expect("renders")
            .is_empty()
    );
}

fn entries(layer: &Value) -> &Vec<Value> {
    layer["techniques"].as_array().expect("techniques")
}

/// The value of a technique's metadata entry.
fn metadata_value<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["metadata"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == name)
        .and_then(|m| m["value"].as_str())
}

/// A technique's `<status> on` metadata (`a (x, y); b (x)`) as system -> actors.
fn exposed_on(entry: &Value, status: &str) -> BTreeMap<String, Vec<String>> {
    let Some(value) = metadata_value(entry, &format!("{status} on")) else {
        return BTreeMap::new();
    };
    value
        .split("; ")
        .map(|item| {
            let (system, actors) = item
                .strip_suffix(')')
                .and_then(|i| i.rsplit_once(" ("))
                .unwrap_or_else(|| panic!("`system (actors)`: {item}"));
            (
                system.to_string(),
                actors.split(", ").map(str::to_string).collect(),
            )
        })
        .collect()
}

#[test]
fn navigator_layer_follows_the_layer_format() {
    let Some(r) = reports() else { return };
    let schema_text = std::fs::read_to_string(
        common::repo().join("tests/fixtures/report/navigator-layer-4.5.schema.json"),
    )
    .expect("the layer schema fixture");
    let schema: Value = serde_json::from_str(&schema_text).expect("the layer schema is JSON");
    let validator = jsonschema::draft7::new(&schema).expect("the layer schema compiles");
    for report in [&r.ekyc, &r.telco, &r.both] {
        let layer = layer_of(report);
        let errors = schema_errors(&validator, &layer);
        assert!(errors.is_empty(), "layer invalid:\n{}", errors.join("\n"));

        assert_eq!(layer["versions"]["layer"], "4.5");
        assert_eq!(layer["versions"]["attack"], report.attack.version.as_str());
        assert_eq!(layer["versions"]["attack"], "18.1", "the models pin 18.1");
        let navigator: Vec<u64> = layer["versions"]["navigator"]
            .as_str()
            .expect("versions.navigator")
            .split('.')
            .map(|p| p.parse().expect("a number"))
            .collect();
        assert!(
            navigator >= vec![4, 9, 0],
            "the format needs Navigator 4.9.0 or later"
        );
        assert_eq!(layer["domain"], "enterprise-attack");
        for model in &report.models {
            assert!(
                layer["name"]
                    .as_str()
                    .expect("a name")
                    .contains(&model.name)
            );
        }
        assert_eq!(layer["hideDisabled"], false);
        let gradient = &layer["gradient"];
        assert!(gradient["minValue"].as_f64() < gradient["maxValue"].as_f64());
        let metadata = layer["metadata"].as_array().expect("metadata");
        let value_of = |name: &str| {
            metadata
                .iter()
                .find(|m| m["name"] == name)
                .and_then(|m| m["value"].as_str())
        };
        assert_eq!(
            value_of("bundle sha256"),
            Some(report.attack.sha256.as_str())
        );
        assert_eq!(
            value_of("generator"),
            Some(format!("atkmap {}", env!("CARGO_PKG_VERSION")).as_str())
        );
        for model in &report.models {
            assert!(
                metadata.iter().any(|m| m["name"] == "model"
                    && m["value"].as_str().is_some_and(|v| v.contains(&model.file))),
                "{} is named in the metadata",
                model.file
            );
        }
    }
    // The validator catches what the format forbids.
    let mut broken = layer_of(&r.ekyc);
    broken["techniques"][0]["tactic"] = Value::from(3);
    broken["versions"]["layer"] = Value::from("4.4");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn navigator_techniques_exist_in_the_release_under_their_tactics() {
    let Some(r) = reports() else { return };
    let Some(bundle) = common::bundle("enterprise-attack-18.1.json") else {
        return;
    };
    let bytes = std::fs::read(&bundle).expect("the 18.1 bundle");
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha, r.ekyc.attack.sha256,
        "the report was made on this bundle"
    );
    let kb = atkmap::attack::load_bundle(&bytes).expect("the bundle loads");
    assert_eq!(kb.release.version, "18.1");

    for report in [&r.ekyc, &r.telco] {
        let catalogue: BTreeMap<&str, &atkmap::report::TechniqueRef> = report
            .attack
            .techniques
            .iter()
            .map(|t| (t.id.as_str(), t))
            .collect();
        let layer = layer_of(report);
        let mut per_technique: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for entry in entries(&layer) {
            let id = entry["techniqueID"].as_str().expect("a techniqueID");
            let tactic = entry["tactic"]
                .as_str()
                .expect("every entry names its tactic");
            let known = catalogue
                .get(id)
                .unwrap_or_else(|| panic!("{id} not in the catalogue"));
            assert!(known.tactics.iter().any(|t| t == tactic), "{id} {tactic}");
            let index = kb
                .technique_index(id)
                .unwrap_or_else(|| panic!("{id} is not a technique of ATT&CK 18.1"));
            let technique = &kb.techniques[index as usize];
            assert!(technique.meta.is_active(), "{id} is active");
            assert!(
                technique.tactics.iter().any(|t| t == tactic),
                "{id} {tactic}"
            );
            per_technique.entry(id).or_default().push(tactic);
        }
        // One entry per technique and tactic, tactics in matrix order.
        let order: Vec<&str> = report
            .attack
            .tactics
            .iter()
            .map(|t| t.shortname.as_str())
            .collect();
        for (id, tactics) in &per_technique {
            let known = &catalogue[id].tactics;
            assert_eq!(tactics.len(), known.len(), "{id}");
            let positions: Vec<usize> = tactics
                .iter()
                .map(|t| order.iter().position(|o| o == t).expect("a known tactic"))
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "{id} {tactics:?}"
            );
        }
        assert!(
            per_technique.values().any(|t| t.len() > 1),
            "some technique sits in several tactics"
        );
        // Sorted by technique ID.
        let ids: Vec<&str> = entries(&layer)
            .iter()
            .map(|e| e["techniqueID"].as_str().expect("id"))
            .collect();
        assert!(ids.windows(2).all(|w| w[0] <= w[1]));
    }
}

#[test]
fn navigator_scores_show_the_worst_status_and_covered_stays_visible() {
    let Some(r) = reports() else { return };
    // The examples cover no technique everywhere: cover one of the telco's techniques fully.
    let mut telco_covered = r.telco.clone();
    let technique = telco_covered.exposures[0].technique.clone();
    for e in &mut telco_covered.exposures {
        if e.technique == technique {
            e.status = Status::Covered;
        }
    }
    for report in [&r.ekyc, &r.telco, &r.both, &telco_covered] {
        let layer = layer_of(report);
        let expected = expected_scores(report);
        // The HTML report's matrix cells (`templates/report.html`; see
        // `colours_agree_across_html_navigator_and_mermaid`).
        let colors = BTreeMap::from([
            (0, "#bbf7d0"),
            (1, "#e9d5ff"),
            (2, "#e2e8f0"),
            (3, "#fde68a"),
            (4, "#fecaca"),
        ]);
        let mut scored: BTreeMap<&str, u64> = BTreeMap::new();
        let mut unscored: BTreeSet<&str> = BTreeSet::new();
        for entry in entries(&layer) {
            let id = entry["techniqueID"].as_str().expect("id");
            assert_eq!(entry["enabled"], true);
            match entry["score"].as_u64() {
                Some(score) => {
                    assert_eq!(entry["color"], colors[&score], "{id}");
                    if let Some(previous) = scored.insert(id, score) {
                        assert_eq!(previous, score, "{id}: same score under every tactic");
                    }
                    // Every exposure's system and actor, under its status, in the metadata.
                    let several = report.models.len() > 1;
                    for e in report.exposures.iter().filter(|e| e.technique == id) {
                        let on = exposed_on(entry, e.status.label());
                        let system = if several {
                            format!("{} [{}]", e.system, e.model)
                        } else {
                            e.system.clone()
                        };
                        assert!(
                            on.get(&system).is_some_and(|a| a.contains(&e.actor)),
                            "{id}: {} on {system} by {} in {on:?}",
                            e.status.label(),
                            e.actor
                        );
                        let value = metadata_value(entry, "systems").expect("systems");
                        assert!(value.contains(&system), "{id}: {value}");
                        let value = metadata_value(entry, "actors").expect("actors");
                        assert!(value.contains(&e.actor), "{id}: {value}");
                    }
                }
                None => {
                    assert!(entry.get("color").is_none(), "{id}");
                    unscored.insert(id);
                }
            }
        }
        let scored_ids: BTreeMap<String, u64> =
            scored.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(
            scored_ids, expected,
            "scored techniques are exactly those in scope"
        );

        // Covered techniques are scored and green; out-of-scope ones are absent.
        let covered: Vec<&String> = expected
            .iter()
            .filter(|(_, s)| **s == 0)
            .map(|(id, _)| id)
            .collect();
        if std::ptr::eq(report, &telco_covered) {
            assert!(
                !covered.is_empty(),
                "fully covered techniques are in the layer"
            );
        }
        let listed: BTreeSet<&str> = scored.keys().chain(&unscored).copied().collect();
        for id in ["T1486", "T1110.001", "T1055"] {
            assert!(
                report.attack.techniques.iter().all(|t| t.id != id),
                "{id} is out of scope of the examples"
            );
            assert!(!listed.contains(id), "{id} is absent");
        }
        // Preparation (PRE) techniques show as preparation; F3's and ATLAS's are in their own
        // layers.
        let attack_ids: BTreeSet<&str> = report
            .attack
            .techniques
            .iter()
            .filter(|t| t.framework.is_attack())
            .map(|t| t.id.as_str())
            .collect();
        for p in &report.preparation {
            if attack_ids.contains(p.technique.as_str())
                && report.exposures.iter().all(|e| e.technique != p.technique)
            {
                assert_eq!(scored[p.technique.as_str()], 2, "{}", p.technique);
            }
        }
        assert!(!report.preparation.is_empty());

        // Unscored entries are parents shown for their scored sub-techniques, and every parent
        // of a scored sub-technique opens on them.
        for id in &unscored {
            assert!(!id.contains('.'), "{id}");
            assert!(
                scored.keys().any(|s| s.starts_with(&format!("{id}."))),
                "{id}"
            );
        }
        for id in scored.keys().filter(|id| id.contains('.')) {
            let parent = id.split('.').next().expect("a parent");
            assert!(
                entries(&layer)
                    .iter()
                    .filter(|e| e["techniqueID"] == parent)
                    .all(|e| e["showSubtechniques"] == true),
                "{parent}"
            );
            assert!(listed.contains(parent), "{parent} listed for {id}");
        }

        // The legend explains every colour used.
        let legend: BTreeSet<&str> = layer["legendItems"]
            .as_array()
            .expect("legendItems")
            .iter()
            .map(|l| l["color"].as_str().expect("a colour"))
            .collect();
        for score in scored.values() {
            assert!(legend.contains(colors[score]));
        }
        let gradient: Vec<&str> = layer["gradient"]["colors"]
            .as_array()
            .expect("gradient colours")
            .iter()
            .map(|c| c.as_str().expect("a colour"))
            .collect();
        assert_eq!(gradient, colors.values().copied().collect::<Vec<_>>());
    }
}

#[test]
fn navigator_is_deterministic_and_maps_domains() {
    let Some(r) = reports() else { return };
    let first = navigator::render(&r.both).expect("the layer renders");
    assert_eq!(
        first,
        navigator::render(&r.both).expect("the layer renders")
    );
    // The shifted copy gives the same layer but for its file name.
    let mut moved = r.shifted.clone();
    for m in &mut moved.models {
        m.file = EKYC.to_string();
    }
    for e in &mut moved.exposures {
        e.model = EKYC.to_string();
    }
    assert_eq!(
        navigator::render(&moved).expect("the layer renders"),
        navigator::render(&r.ekyc).expect("the layer renders")
    );

    for (domain, layer_domain) in [
        ("enterprise", "enterprise-attack"),
        ("mobile", "mobile-attack"),
        ("ics", "ics-attack"),
        ("ics-attack", "ics-attack"),
    ] {
        let mut report = r.telco.clone();
        report.attack.domain = domain.to_string();
        assert_eq!(layer_of(&report)["domain"], layer_domain);
    }
    let mut report = r.telco.clone();
    report.attack.domain = "pre".to_string();
    assert!(navigator::render(&report).is_err());
}

/// `1 system`, `3 systems`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Navigator shows a technique's comment on one line of its tooltip and cuts it at about
/// 540 px: the comment is a summary, the lists are metadata rows, the legend is a word a colour.
#[test]
fn navigator_comments_fit_a_tooltip_line_and_the_lists_are_metadata() {
    let Some(r) = reports() else { return };
    let mut layers: Vec<(String, Value, &Report)> = [&r.ekyc, &r.telco, &r.both]
        .into_iter()
        .map(|report| ("attack".to_string(), layer_of(report), report))
        .collect();
    for (id, text) in navigator::render_companions(&r.ekyc).expect("the layers render") {
        layers.push((id.to_string(), parse(&text), &r.ekyc));
    }
    let mut longest = 0;
    for (name, layer, report) in &layers {
        let several = report.models.len() > 1;
        for entry in entries(layer) {
            let id = entry["techniqueID"].as_str().expect("id");
            let comment = entry["comment"]
                .as_str()
                .expect("every entry has a comment");
            longest = longest.max(comment.chars().count());
            // About 7 px a character in the tooltip's font: 540 px is some 75 characters.
            assert!(
                comment.chars().count() <= 75 && !comment.contains('\n'),
                "{name} {id}: {comment}"
            );
            if entry.get("score").is_none() {
                assert!(comment.starts_with("not in scope · "), "{comment}");
                let subs = metadata_value(entry, "sub-techniques in scope").expect("the list");
                assert!(subs.starts_with(&format!("{id}.")), "{subs}");
                continue;
            }
            let status = metadata_value(entry, "status").expect("status");
            assert!(comment.starts_with(status), "{id}: {comment}");
            if let Some(worst) = metadata_value(entry, "worst open severity") {
                assert!(
                    comment.starts_with(&format!("{status} · {worst}")),
                    "{id}: {comment}"
                );
            }
            let exposures: Vec<&Exposure> = report
                .exposures
                .iter()
                .filter(|e| e.technique == id)
                .collect();
            if !exposures.is_empty() {
                let systems: BTreeSet<String> = exposures
                    .iter()
                    .map(|e| {
                        if several {
                            format!("{} [{}]", e.system, e.model)
                        } else {
                            e.system.clone()
                        }
                    })
                    .collect();
                let actors: BTreeSet<&str> = exposures.iter().map(|e| e.actor.as_str()).collect();
                let counts = format!(
                    "{} on {} by {}",
                    plural(exposures.len(), "exposure"),
                    plural(systems.len(), "system"),
                    plural(actors.len(), "actor")
                );
                assert!(comment.contains(&counts), "{id}: {comment} ({counts})");
                // No list in the comment: it names neither systems nor actors.
                for s in &systems {
                    assert!(!comment.contains(s.as_str()), "{id}: {comment}");
                }
            }
            let preparing: BTreeSet<&str> = report
                .preparation
                .iter()
                .filter(|p| p.technique == id)
                .map(|p| p.actor.as_str())
                .collect();
            if !preparing.is_empty() {
                assert!(
                    comment.contains(&format!("by {}", plural(preparing.len(), "actor"))),
                    "{id}: {comment}"
                );
                let value = metadata_value(entry, "preparation by").expect("preparation by");
                for actor in &preparing {
                    assert!(value.contains(&format!("{actor} (")), "{id}: {value}");
                }
            }
        }
        // The legend: one word a colour; what each means is in the layer's metadata.
        let metadata = layer["metadata"].as_array().expect("metadata");
        for item in layer["legendItems"].as_array().expect("legendItems") {
            let label = item["label"].as_str().expect("a label");
            assert!(label.chars().count() < 15, "{label}");
            assert!(
                metadata.iter().any(
                    |m| m["name"] == label && m["value"].as_str().is_some_and(|v| v.len() > 10)
                ),
                "{name}: the meaning of {label}"
            );
        }
    }
    eprintln!("longest Navigator comment: {longest} characters");
}

/// The `:root` CSS variables of the HTML report's template: `gap` -> `#fecaca`, ...
fn css_variables() -> BTreeMap<String, String> {
    let html = std::fs::read_to_string(common::repo().join("templates/report.html"))
        .expect("the HTML template");
    let start = html.find(":root{").expect("a :root rule") + ":root{".len();
    let end = start + html[start..].find('}').expect("the rule ends");
    html[start..end]
        .split(';')
        .filter_map(|d| d.trim().strip_prefix("--")?.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A model's Mermaid and DOT diagrams, its systems marked as the Markdown report marks them
/// when `report` is given.
fn charts(path: &str, report: Option<&Report>) -> (String, String) {
    let checked = common::checked::check(&[PathBuf::from(path)], today()).expect("the data");
    let model = checked.model(Path::new(path));
    let chain = atkmap::graph::SupplyChain::build(model, &[]);
    let mut highlights = atkmap::graph::export::Highlights::new();
    for summary in report.iter().flat_map(|r| &r.models) {
        highlights.extend(atkmap::report::render::summary_highlights(summary));
    }
    (chain.to_mermaid(&highlights), chain.to_dot(&highlights))
}

/// The eKYC example's diagrams, as its Markdown report draws them.
fn ekyc_chart(r: &Reports) -> (String, String) {
    charts(EKYC, Some(&r.ekyc))
}

/// One colour scheme: the HTML report's CSS variables are the reference; the palette in Rust,
/// the Navigator layer's cells and legend, and the Mermaid and DOT diagrams' severity classes
/// all use them.
#[test]
fn colours_agree_across_html_navigator_and_mermaid() {
    use atkmap::graph::palette;
    let Some(r) = reports() else { return };
    let css = css_variables();
    let var = |name: &str| -> &str {
        css.get(name)
            .unwrap_or_else(|| panic!("--{name} in templates/report.html"))
    };
    // The palette is the template's.
    assert_eq!(palette::INK, var("ink"));
    for s in palette::STATUSES {
        assert_eq!(s.fill, var(s.css), "--{}", s.css);
        assert_eq!(s.ink, var(&format!("{}-ink", s.css)), "--{}-ink", s.css);
        assert_eq!(s.edge, var(&format!("{}-edge", s.css)), "--{}-edge", s.css);
    }
    for s in palette::SEVERITIES {
        assert_eq!(s.colour, var(s.label), "--{}", s.label);
        assert_eq!(
            s.background,
            var(&format!("{}-bg", s.label)),
            "--{}-bg",
            s.label
        );
    }
    let css_of = |status: &str| {
        palette::status(status)
            .unwrap_or_else(|| panic!("a status: {status}"))
            .css
    };

    // Navigator: a cell is the HTML matrix cell of its status, and so is its legend swatch.
    let mut seen = BTreeSet::new();
    for report in [&r.ekyc, &r.telco, &r.both] {
        let layer = layer_of(report);
        for entry in entries(&layer).iter().filter(|e| e.get("score").is_some()) {
            let status = metadata_value(entry, "status").expect("a status");
            assert_eq!(
                entry["color"],
                var(css_of(status)),
                "{}",
                entry["techniqueID"]
            );
            seen.insert(status.to_string());
        }
        for item in layer["legendItems"].as_array().expect("legend") {
            let label = item["label"].as_str().expect("a label");
            assert_eq!(item["color"], var(css_of(label)), "{label}");
        }
        let gradient: Vec<&str> = layer["gradient"]["colors"]
            .as_array()
            .expect("gradient")
            .iter()
            .map(|c| c.as_str().expect("a colour"))
            .collect();
        let by_score: Vec<&str> = ["covered", "accepted", "prep", "partial", "gap"]
            .iter()
            .map(|v| var(v))
            .collect();
        assert_eq!(gradient, by_score);
    }
    assert!(
        seen.contains("gap") && seen.contains("preparation"),
        "{seen:?}"
    );

    // Mermaid and DOT: a system of a severity is filled with the badge's background and
    // bordered in the severity's colour, with the page's ink as text, like the HTML diagram.
    let (mermaid, dot) = ekyc_chart(r);
    let mut defined = BTreeSet::new();
    for line in mermaid.lines() {
        let Some(rest) = line.trim().strip_prefix("classDef ") else {
            continue;
        };
        let (class, style) = rest.split_once(' ').expect("classDef NAME STYLE");
        if class == "actor" {
            continue;
        }
        let style: BTreeMap<&str, &str> =
            style.split(',').filter_map(|p| p.split_once(':')).collect();
        assert_eq!(style["fill"], var(&format!("{class}-bg")), "{line}");
        assert_eq!(style["stroke"], var(class), "{line}");
        assert_eq!(style["color"], var("ink"), "{line}");
        defined.insert(class.to_string());
    }
    assert_eq!(
        defined,
        ["critical", "high", "medium", "low"]
            .map(String::from)
            .into_iter()
            .collect::<BTreeSet<_>>()
    );
    for line in mermaid.lines().filter(|l| l.trim().starts_with("class ")) {
        let class = line.rsplit(' ').next().expect("a class");
        assert!(class == "actor" || defined.contains(class), "{line}");
    }
    for severity in ["critical", "high", "medium"] {
        assert!(
            dot.contains(&format!(
                "fillcolor=\"{}\", color=\"{}\"",
                var(&format!("{severity}-bg")),
                var(severity)
            )),
            "{severity} in the DOT graph"
        );
    }
}

/// The Markdown report's diagram: a legend of the severity colours, the data in transit on
/// the flows that carry it and no data drawn alone, left to right for the dense example.
#[test]
fn mermaid_has_a_legend_and_names_data_in_transit_on_its_flows() {
    let Some(r) = reports() else { return };
    let (mermaid, _) = ekyc_chart(r);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    let legend = mermaid
        .split("  subgraph legend[\"worst open severity\"]\n")
        .nth(1)
        .and_then(|rest| rest.split("  end\n").next())
        .expect("a legend");
    for severity in ["critical", "high", "medium", "low"] {
        assert!(
            legend.contains(&format!("legend_{severity}[\"{severity}\"]:::{severity}")),
            "{legend}"
        );
    }
    // The applicant's captures only travel: named on each flow carrying them, no node.
    let captures = "ID image and selfie of an applicant being onboarded";
    assert!(!mermaid.contains("d_applicant_captures"), "{mermaid}");
    let carrying: Vec<&str> = mermaid
        .lines()
        .filter(|l| l.contains(&format!("|\"{captures}\"|")))
        .collect();
    assert_eq!(carrying.len(), 3, "{carrying:?}");
    // Every data node is linked to something.
    for line in mermaid.lines().filter(|l| l.contains("[(\"")) {
        let id = line.trim().split('[').next().expect("an id");
        assert!(
            mermaid
                .lines()
                .any(|l| !l.contains("[(\"") && l.split_whitespace().any(|w| w == id)),
            "{id} is drawn alone"
        );
    }
}

/// Mermaid itself parses and lays out the diagrams, in Chromium, when `ATKMAP_MERMAID_JS`
/// names its browser bundle (`npm install mermaid`: `node_modules/mermaid/dist/mermaid.min.js`);
/// the direction atkmap picks is then no more than 10% wider than the other.
#[test]
fn mermaid_lays_out_the_diagrams_narrow() {
    let Some(r) = reports() else { return };
    let Some(script) = std::env::var_os("ATKMAP_MERMAID_JS").map(PathBuf::from) else {
        assert!(
            std::env::var_os("ATKMAP_REQUIRE_CLIENTS").is_none(),
            "ATKMAP_REQUIRE_CLIENTS is set but ATKMAP_MERMAID_JS names no mermaid.min.js"
        );
        eprintln!("skipping: set ATKMAP_MERMAID_JS to mermaid.min.js to lay the diagrams out");
        return;
    };
    assert!(script.is_file(), "ATKMAP_MERMAID_JS: {}", script.display());
    let chromium = std::env::var_os("ATKMAP_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    let dir = tempfile::tempdir().expect("a temporary directory");
    // The width Mermaid gives a flowchart, or its error.
    let width = |name: &str, chart: &str| -> f64 {
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(
            &page,
            format!(
                r##"<!doctype html><meta charset="utf-8"><script src="file://{}"></script>
<div id="out"></div><pre id="result"></pre><script>
const result = document.getElementById("result");
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
mermaid.render("chart", {}).then(({{svg}}) => {{
  document.getElementById("out").innerHTML = svg;
  const box = document.querySelector("#out svg").viewBox.baseVal;
  result.textContent = "width " + box.width;
}}, (e) => {{ result.textContent = "error " + e; }});
</script>"##,
                script.display(),
                serde_json::to_string(chart).expect("JSON")
            ),
        )
        .expect("write the page");
        let profile = tempfile::tempdir().expect("a profile directory");
        let out = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--allow-file-access-from-files",
                "--virtual-time-budget=20000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        let result = dom
            .split("<pre id=\"result\">")
            .nth(1)
            .and_then(|rest| rest.split("</pre>").next())
            .unwrap_or_default();
        result
            .strip_prefix("width ")
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("{name}: Mermaid says {result:?}\n{chart}"))
    };
    for (path, report) in [
        (EKYC, Some(&r.ekyc)),
        (TELCO, Some(&r.telco)),
        ("models/digital-bank.yaml", None),
        ("tests/fixtures/report/small.yaml", None),
    ] {
        let (chart, _) = charts(path, report);
        let (picked, other) = if chart.starts_with("flowchart LR\n") {
            ("LR", "TB")
        } else {
            ("TB", "LR")
        };
        let flipped = chart.replacen(
            &format!("flowchart {picked}"),
            &format!("flowchart {other}"),
            1,
        );
        let name = Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("chart");
        let w = width(name, &chart);
        let w_other = width(&format!("{name}-{other}"), &flipped);
        eprintln!("{path}: {picked} {w:.0} px, {other} {w_other:.0} px");
        assert!(
            w <= w_other * 1.1,
            "{path}: {picked} {w} px against {other} {w_other} px"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF in a real client: sarif-tools (PyPI), as GitLab and reviewers use it

/// The `sarif` command of sarif-tools: `ATKMAP_SARIF_TOOLS`, else `sarif` on the PATH. CI
/// installs it (`.ci/run`) and sets `ATKMAP_REQUIRE_CLIENTS`, which makes its absence a failure.
fn sarif_tools() -> Option<PathBuf> {
    let named = std::env::var_os("ATKMAP_SARIF_TOOLS").map(PathBuf::from);
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("sarif"))
            .find(|p| p.is_file())
    });
    let found = named.filter(|p| p.is_file()).or(on_path);
    if found.is_none() {
        assert!(
            std::env::var_os("ATKMAP_REQUIRE_CLIENTS").is_none(),
            "ATKMAP_REQUIRE_CLIENTS is set but sarif-tools is not installed (ATKMAP_SARIF_TOOLS)"
        );
        eprintln!("skipping: sarif-tools is not installed (pip install sarif-tools)");
    }
    found
}

#[test]
fn sarif_tools_reads_one_issue_per_finding_at_its_line() {
    let Some(r) = reports() else { return };
    let Some(tool) = sarif_tools() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let log_path = dir.path().join("atkmap.sarif");
    let log = sarif_of(&r.both);
    std::fs::write(&log_path, serde_json::to_string(&log).expect("JSON")).expect("write");
    let quality = dir.path().join("code-quality.json");
    let out = std::process::Command::new(&tool)
        .arg("codeclimate")
        .arg("-o")
        .arg(&quality)
        .arg(&log_path)
        .output()
        .expect("sarif-tools runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // GitLab's Code Quality report, as sarif-tools writes it from atkmap's log.
    let issues: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&quality).expect("the report"))
            .expect("JSON");
    let results = results(&log);
    assert_eq!(issues.len(), results.len());
    for (issue, result) in issues.iter().zip(results) {
        assert_eq!(issue["check_name"], result["ruleId"]);
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            issue["location"]["path"],
            physical["artifactLocation"]["uri"]
        );
        assert_eq!(
            issue["location"]["lines"]["begin"],
            physical["region"]["startLine"]
        );
    }
    let summary = std::process::Command::new(&tool)
        .arg("summary")
        .arg(&log_path)
        .output()
        .expect("sarif-tools runs");
    assert!(summary.status.success());
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(text.contains("ATKMAP-REUSE-CRITICAL"), "{text}");
}

//! Test support: a small synthetic ATT&CK release written by hand, and models parsed against it.
//!
//! The release is made up (IDs borrowed from ATT&CK for readability, relationships chosen to
//! exercise each rule): it is not an extract of MITRE's data.

use crate::attack::{KnowledgeBase, load_bundle};
use crate::model::date::Date;
use crate::model::{self, Model, Parsed};

fn ext(id: &str) -> String {
    format!(r#"[{{"source_name":"mitre-attack","external_id":"{id}"}}]"#)
}

fn technique(stix: &str, id: &str, name: &str, platforms: &[&str], tactic: &str) -> String {
    let platforms: Vec<String> = platforms.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        r#"{{"type":"attack-pattern","id":"attack-pattern--{stix}","name":"{name}","external_references":{},"x_mitre_platforms":[{}],"kill_chain_phases":[{{"kill_chain_name":"mitre-attack","phase_name":"{tactic}"}}],"x_mitre_is_subtechnique":{}}}"#,
        ext(id),
        platforms.join(","),
        id.contains('.')
    )
}

fn object(kind: &str, stix: &str, id: &str, name: &str) -> String {
    format!(
        r#"{{"type":"{kind}","id":"{kind}--{stix}","name":"{name}","external_references":{}}}"#,
        ext(id)
    )
}

fn relationship(n: usize, kind: &str, source: &str, target: &str) -> String {
    format!(
        r#"{{"type":"relationship","id":"relationship--{n}","relationship_type":"{kind}","source_ref":"{source}","target_ref":"{target}"}}"#
    )
}

/// The synthetic bundle, as JSON text.
pub fn bundle_json() -> String {
    let mut objects = vec![
        r#"{"type":"x-mitre-collection","id":"x-mitre-collection--1","name":"Enterprise ATT&CK","x_mitre_version":"18.1"}"#.to_string(),
        r#"{"type":"x-mitre-matrix","id":"x-mitre-matrix--1","name":"Enterprise ATT&CK","external_references":[{"source_name":"mitre-attack","external_id":"enterprise-attack"}],"tactic_refs":["x-mitre-tactic--recon","x-mitre-tactic--initial","x-mitre-tactic--evasion","x-mitre-tactic--discovery","x-mitre-tactic--lateral","x-mitre-tactic--collection"]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--initial","name":"Initial Access","x_mitre_shortname":"initial-access","external_references":[{"source_name":"mitre-attack","external_id":"TA0001"}]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--recon","name":"Reconnaissance","x_mitre_shortname":"reconnaissance","external_references":[{"source_name":"mitre-attack","external_id":"TA0043"}]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--evasion","name":"Defense Evasion","x_mitre_shortname":"defense-evasion","external_references":[{"source_name":"mitre-attack","external_id":"TA0005"}]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--discovery","name":"Discovery","x_mitre_shortname":"discovery","external_references":[{"source_name":"mitre-attack","external_id":"TA0007"}]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--lateral","name":"Lateral Movement","x_mitre_shortname":"lateral-movement","external_references":[{"source_name":"mitre-attack","external_id":"TA0008"}]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--collection","name":"Collection","x_mitre_shortname":"collection","external_references":[{"source_name":"mitre-attack","external_id":"TA0009"}]}"#.to_string(),
        technique("t1199", "T1199", "Trusted Relationship", &["SaaS", "IaaS", "Linux", "Identity Provider"], "initial-access"),
        technique("t1078", "T1078", "Valid Accounts", &["SaaS", "IaaS", "Linux", "Identity Provider"], "initial-access"),
        technique("t1078-004", "T1078.004", "Cloud Accounts", &["SaaS", "IaaS", "Identity Provider"], "initial-access"),
        technique("t1656", "T1656", "Impersonation", &["SaaS", "Linux"], "defense-evasion"),
        technique("t1021", "T1021", "Remote Services", &["Linux", "IaaS", "SaaS"], "lateral-movement"),
        technique("t1082", "T1082", "System Information Discovery", &["Linux", "IaaS", "SaaS"], "discovery"),
        technique("t1190", "T1190", "Exploit Public-Facing Application", &["Linux", "IaaS"], "initial-access"),
        technique("t1530", "T1530", "Data from Cloud Storage", &["IaaS", "SaaS"], "collection"),
        technique("t1597", "T1597", "Search Closed Sources", &["PRE"], "reconnaissance"),
        technique("t1597-002", "T1597.002", "Purchase Technical Data", &["PRE"], "reconnaissance"),
        technique("t1003", "T1003", "OS Credential Dumping", &["Windows"], "collection"),
        object("course-of-action", "m1032", "M1032", "Multi-factor Authentication"),
        object("course-of-action", "m1030", "M1030", "Network Segmentation"),
        object("course-of-action", "m1018", "M1018", "User Account Management"),
        object("course-of-action", "m1050", "M1050", "Exploit Protection"),
        object("course-of-action", "m1017", "M1017", "User Training"),
        object("course-of-action", "m1056", "M1056", "Pre-compromise"),
        object("course-of-action", "m1041", "M1041", "Encrypt Sensitive Information"),
        object("course-of-action", "m1042", "M1042", "Disable or Remove Feature or Program"),
        object("course-of-action", "m1019", "M1019", "Threat Intelligence Program"),
        object("intrusion-set", "g0001", "G0001", "Vendor Intruders"),
        object("campaign", "c0001", "C0001", "Storage Raid"),
        r#"{"type":"x-mitre-data-component","id":"x-mitre-data-component--dc1","name":"Logon Session Creation","external_references":[{"source_name":"mitre-attack","external_id":"DC0001"}],"x_mitre_log_sources":[{"name":"auth:log","channel":"login"}]}"#.to_string(),
        r#"{"type":"x-mitre-data-component","id":"x-mitre-data-component--dc2","name":"Cloud Storage Access","external_references":[{"source_name":"mitre-attack","external_id":"DC0002"}],"x_mitre_log_sources":[{"name":"cloud:audit","channel":"GetObject"}]}"#.to_string(),
        r#"{"type":"x-mitre-data-component","id":"x-mitre-data-component--dc3","name":"Application Log Content","external_references":[{"source_name":"mitre-attack","external_id":"DC0003"}],"x_mitre_log_sources":[{"name":"app:log","channel":"any"}]}"#.to_string(),
        r#"{"type":"x-mitre-analytic","id":"x-mitre-analytic--an1","name":"Analytic 1","external_references":[{"source_name":"mitre-attack","external_id":"AN0001"}],"x_mitre_platforms":["SaaS"],"x_mitre_log_source_references":[{"x_mitre_data_component_ref":"x-mitre-data-component--dc1","name":"auth:log","channel":"login"}]}"#.to_string(),
        r#"{"type":"x-mitre-analytic","id":"x-mitre-analytic--an2","name":"Analytic 2","external_references":[{"source_name":"mitre-attack","external_id":"AN0002"}],"x_mitre_platforms":["Linux"],"x_mitre_log_source_references":[{"x_mitre_data_component_ref":"x-mitre-data-component--dc1","name":"auth:log","channel":"login"},{"x_mitre_data_component_ref":"x-mitre-data-component--dc3","name":"app:log","channel":"any"}]}"#.to_string(),
        r#"{"type":"x-mitre-analytic","id":"x-mitre-analytic--an3","name":"Analytic 3","external_references":[{"source_name":"mitre-attack","external_id":"AN0003"}],"x_mitre_platforms":["IaaS"],"x_mitre_log_source_references":[{"x_mitre_data_component_ref":"x-mitre-data-component--dc2","name":"cloud:audit","channel":"GetObject"}]}"#.to_string(),
        r#"{"type":"x-mitre-analytic","id":"x-mitre-analytic--an5","name":"Analytic 5","external_references":[{"source_name":"mitre-attack","external_id":"AN0005"}],"x_mitre_platforms":["IaaS"],"x_mitre_log_source_references":[{"x_mitre_data_component_ref":"x-mitre-data-component--dc2","name":"other:audit","channel":"GetObject"}]}"#.to_string(),
        r#"{"type":"x-mitre-analytic","id":"x-mitre-analytic--an4","name":"Analytic 4","external_references":[{"source_name":"mitre-attack","external_id":"AN0004"}],"x_mitre_platforms":["PRE"],"x_mitre_log_source_references":[]}"#.to_string(),
        r#"{"type":"x-mitre-detection-strategy","id":"x-mitre-detection-strategy--det1","name":"Detect account misuse","external_references":[{"source_name":"mitre-attack","external_id":"DET0001"}],"x_mitre_analytic_refs":["x-mitre-analytic--an1","x-mitre-analytic--an2"]}"#.to_string(),
        r#"{"type":"x-mitre-detection-strategy","id":"x-mitre-detection-strategy--det2","name":"Detect storage reads","external_references":[{"source_name":"mitre-attack","external_id":"DET0002"}],"x_mitre_analytic_refs":["x-mitre-analytic--an3","x-mitre-analytic--an5"]}"#.to_string(),
        r#"{"type":"x-mitre-detection-strategy","id":"x-mitre-detection-strategy--det3","name":"Detect data purchases","external_references":[{"source_name":"mitre-attack","external_id":"DET0003"}],"x_mitre_analytic_refs":["x-mitre-analytic--an4"]}"#.to_string(),
    ];
    let relationships = [
        (
            "subtechnique-of",
            "attack-pattern--t1078-004",
            "attack-pattern--t1078",
        ),
        (
            "subtechnique-of",
            "attack-pattern--t1597-002",
            "attack-pattern--t1597",
        ),
        (
            "mitigates",
            "course-of-action--m1032",
            "attack-pattern--t1078",
        ),
        (
            "mitigates",
            "course-of-action--m1018",
            "attack-pattern--t1078",
        ),
        (
            "mitigates",
            "course-of-action--m1032",
            "attack-pattern--t1199",
        ),
        (
            "mitigates",
            "course-of-action--m1030",
            "attack-pattern--t1199",
        ),
        (
            "mitigates",
            "course-of-action--m1050",
            "attack-pattern--t1190",
        ),
        (
            "mitigates",
            "course-of-action--m1017",
            "attack-pattern--t1656",
        ),
        (
            "mitigates",
            "course-of-action--m1041",
            "attack-pattern--t1530",
        ),
        (
            "mitigates",
            "course-of-action--m1056",
            "attack-pattern--t1597",
        ),
        (
            "mitigates",
            "course-of-action--m1042",
            "attack-pattern--t1021",
        ),
        (
            "mitigates",
            "course-of-action--m1019",
            "attack-pattern--t1656",
        ),
        ("uses", "intrusion-set--g0001", "attack-pattern--t1190"),
        ("uses", "intrusion-set--g0001", "attack-pattern--t1082"),
        ("uses", "intrusion-set--g0001", "attack-pattern--t1021"),
        ("uses", "intrusion-set--g0001", "attack-pattern--t1003"),
        ("uses", "campaign--c0001", "attack-pattern--t1530"),
        ("attributed-to", "campaign--c0001", "intrusion-set--g0001"),
        (
            "detects",
            "x-mitre-detection-strategy--det1",
            "attack-pattern--t1078",
        ),
        (
            "detects",
            "x-mitre-detection-strategy--det2",
            "attack-pattern--t1530",
        ),
        (
            "detects",
            "x-mitre-detection-strategy--det3",
            "attack-pattern--t1597",
        ),
    ];
    for (n, (kind, source, target)) in relationships.iter().enumerate() {
        objects.push(relationship(n, kind, source, target));
    }
    format!(
        r#"{{"type":"bundle","id":"bundle--test","objects":[{}]}}"#,
        objects.join(",")
    )
}

/// The synthetic release.
pub fn kb() -> KnowledgeBase {
    load_bundle(bundle_json().as_bytes()).expect("the synthetic bundle loads")
}

/// The day tests run on.
pub const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 25,
};

/// The model header every test model starts with.
pub const HEADER: &str = "atkmap: 1\nname: test\nattack: {domain: enterprise, version: \"18.1\"}\n";

/// Parses and validates a model (the header is prepended); panics with the diagnostics when the
/// model is invalid, since a test's model is meant to be valid.
pub fn model(body: &str, kb: &KnowledgeBase) -> Model {
    let text = format!("{HEADER}{body}");
    let file = match model::parse(&text, "test.yaml") {
        Parsed::File(file) => file,
        Parsed::Broken(d) => panic!("test model is broken: {d:#?}"),
    };
    let (model, diagnostics) = model::check(&file, kb, "test.yaml", TODAY);
    match model {
        Some(m) => m,
        None => panic!("test model is invalid: {diagnostics:#?}"),
    }
}

/// A knowledge base as JSON with every map in key order, to compare two of them (its hash maps
/// serialise in a different order each run).
pub fn canonical_kb(kb: &KnowledgeBase) -> String {
    fn sorted(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    sorted(serde_json::to_value(kb).expect("encodes")).to_string()
}

/// A small report on the synthetic release: an internet front door to a back end holding
/// restricted data, one actor, a partial control (so it has findings, a path and a plan).
pub fn example_report() -> crate::report::Report {
    let kb = kb();
    let m = model(
        "
systems:
  - {id: front, name: Front, platforms: [Linux], exposure: internet}
  - {id: back, name: Back, platforms: [Linux], exposure: internal}
data:
  - {id: records, kind: pii, sensitivity: restricted, stored_in: [back]}
flows:
  - {from: front, to: back}
actors:
  - {id: x, name: X, techniques: [T1190, T1082]}
controls:
  - {id: waf, name: WAF, mitigations: [M1050], applies_to: [front], status: partial}
",
        &kb,
    );
    let options = crate::analysis::Options {
        today: TODAY,
        ..Default::default()
    };
    let analysis = crate::analysis::analyze(&m, &kb, &options).expect("analysis runs");
    crate::report::Report::assemble(&kb, "bundle.json", "", vec![(&m, analysis)], vec![], vec![])
}

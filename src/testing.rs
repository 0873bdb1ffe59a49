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

/// A synthetic companion bundle in F3's or ATLAS's shape (made up, like the release: a few
/// IDs borrowed for readability). F3: tactics that re-use ATT&CK IDs, a technique re-using
/// T1078 with F3's tactic, one re-using an ID the release lacks (T1451), F1031 and F1006 with
/// its sub-technique. ATLAS: AML.T0088 and AML.T0015, a preparation technique, AML.M0015
/// mitigating AML.T0015.
pub fn companion_json(framework: crate::attack::Framework) -> String {
    use crate::attack::Framework;
    let (source, platform, matrix) = match framework {
        Framework::F3 => ("mitre-f3", "F3", "Fight Financial Fraud Matrix"),
        _ => ("mitre-atlas", "ATLAS", "ATLAS Matrix"),
    };
    let ext = |id: &str| format!(r#"[{{"source_name":"{source}","external_id":"{id}"}}]"#);
    let tactic = |stix: &str, id: &str, name: &str, short: &str| {
        format!(
            r#"{{"type":"x-mitre-tactic","id":"x-mitre-tactic--{stix}","name":"{name}","x_mitre_shortname":"{short}","external_references":{}}}"#,
            ext(id)
        )
    };
    let technique = |stix: &str, id: &str, name: &str, tactics: &[&str]| {
        let phases: Vec<String> = tactics
            .iter()
            .map(|t| format!(r#"{{"kill_chain_name":"{source}","phase_name":"{t}"}}"#))
            .collect();
        format!(
            r#"{{"type":"attack-pattern","id":"attack-pattern--{stix}","name":"{name}","external_references":{},"x_mitre_platforms":["{platform}"],"kill_chain_phases":[{}],"x_mitre_is_subtechnique":{}}}"#,
            ext(id),
            phases.join(","),
            id.contains('.')
        )
    };
    let (tactics, techniques, mitigations, relationships) = match framework {
        Framework::F3 => (
            vec![
                ("f3-ia", "TA0001", "Initial Access", "initial-access"),
                ("f3-pos", "FA0001", "Positioning", "positioning"),
                ("f3-exe", "TA0002", "Execution", "execution"),
                ("f3-mon", "FA0002", "Monetization", "monetization"),
            ],
            vec![
                ("f3-t1078", "T1078", "Valid Accounts", vec!["positioning"]),
                ("f3-t1451", "T1451", "SIM Card Swap", vec!["initial-access"]),
                (
                    "f1031",
                    "F1031",
                    "Impersonate Account Holder",
                    vec!["initial-access"],
                ),
                ("f1006", "F1006", "Account Takeover", vec!["initial-access"]),
                (
                    "f1006-002",
                    "F1006.002",
                    "Account Takeover: Exposed Login Credential",
                    vec!["initial-access"],
                ),
                (
                    "f1025",
                    "F1025",
                    "Electronic Funds Transfer",
                    vec!["monetization"],
                ),
                (
                    "f1020",
                    "F1020",
                    "Fake Materials",
                    vec!["resource-development"],
                ),
            ],
            vec![],
            vec![(
                "subtechnique-of",
                "attack-pattern--f1006-002",
                "attack-pattern--f1006",
            )],
        ),
        _ => (
            vec![
                (
                    "aml-recon",
                    "AML.TA0002",
                    "Reconnaissance",
                    "reconnaissance",
                ),
                (
                    "aml-access",
                    "AML.TA0000",
                    "AI Model Access",
                    "ai-model-access",
                ),
                (
                    "aml-staging",
                    "AML.TA0001",
                    "AI Attack Staging",
                    "ai-attack-staging",
                ),
                (
                    "aml-evasion",
                    "AML.TA0007",
                    "Defense Evasion",
                    "defense-evasion",
                ),
                ("aml-impact", "AML.TA0011", "Impact", "impact"),
            ],
            vec![
                (
                    "aml-t0088",
                    "AML.T0088",
                    "Generate Deepfakes",
                    vec!["ai-attack-staging"],
                ),
                (
                    "aml-t0015",
                    "AML.T0015",
                    "Evade AI Model",
                    vec!["defense-evasion", "impact"],
                ),
                (
                    "aml-t0087",
                    "AML.T0087",
                    "Gather Victim Identity Information",
                    vec!["reconnaissance"],
                ),
            ],
            vec![("aml-m0015", "AML.M0015", "Adversarial Input Detection")],
            vec![(
                "mitigates",
                "course-of-action--aml-m0015",
                "attack-pattern--aml-t0015",
            )],
        ),
    };
    let mut objects = vec![
        format!(
            r#"{{"type":"x-mitre-collection","id":"x-mitre-collection--{source}","name":"{platform}","x_mitre_version":"{}"}}"#,
            if framework == Framework::F3 {
                "1.1"
            } else {
                "0.1"
            }
        ),
        format!(
            r#"{{"type":"x-mitre-matrix","id":"x-mitre-matrix--{source}","name":"{matrix}","external_references":{},"tactic_refs":[{}]}}"#,
            ext(source),
            tactics
                .iter()
                .map(|t| format!("\"x-mitre-tactic--{}\"", t.0))
                .collect::<Vec<_>>()
                .join(",")
        ),
    ];
    objects.extend(tactics.iter().map(|t| tactic(t.0, t.1, t.2, t.3)));
    objects.extend(techniques.iter().map(|t| technique(t.0, t.1, t.2, &t.3)));
    objects.extend(mitigations.iter().map(|m| {
        format!(
            r#"{{"type":"course-of-action","id":"course-of-action--{}","name":"{}","external_references":{}}}"#,
            m.0,
            m.2,
            ext(m.1)
        )
    }));
    objects.extend(
        relationships
            .iter()
            .enumerate()
            .map(|(n, (kind, source, target))| {
                format!(
                    r#"{{"type":"relationship","id":"relationship--{platform}-{n}","relationship_type":"{kind}","source_ref":"{source}","target_ref":"{target}"}}"#
                )
            }),
    );
    format!(
        r#"{{"type":"bundle","id":"bundle--{platform}","objects":[{}]}}"#,
        objects.join(",")
    )
}

/// The synthetic release with both synthetic companions merged.
pub fn kb_with_companions() -> KnowledgeBase {
    use crate::attack::Framework;
    let mut kb = kb();
    for (framework, version) in [(Framework::F3, "1.1"), (Framework::Atlas, "5.6.0")] {
        let companion = load_bundle(companion_json(framework).as_bytes()).expect("companion loads");
        kb.add_companion(companion, framework, version)
            .expect("companion merges");
    }
    kb
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
    let options = crate::analysis::Options::new(TODAY);
    let analysis = crate::analysis::analyze(&m, &kb, &options).expect("analysis runs");
    crate::report::Report::assemble(&kb, "bundle.json", "", vec![(&m, analysis)], vec![], vec![])
}

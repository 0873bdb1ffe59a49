//! The ATT&CK knowledge base through the real binary: `attack stats|show|search`, release
//! selection, malformed bundles, and the command line's manners (help, completions, man page,
//! colour, closed pipes, offline mode).
//!
//! Two sources of data:
//!
//! - MITRE's real bundles (Enterprise 18.1 and 17.1, ICS 18.1), found through
//!   `common::bundle` / `common::data_dir`. Tests needing them fail when the data is absent
//!   (unless `ATKMAP_SKIP_DATA=1` says to skip them). Run them with
//!   `ATKMAP_DATA_DIR=/path/to/attack-data cargo test --test cli attack_cli::`.
//! - Hand-written fixtures in `tests/fixtures/stix/`: a small synthetic release
//!   (`mini-enterprise.json`) that exercises the whole model, and malformed bundles.
//!
//! Every figure hard-coded below for the real bundles was computed independently from the raw
//! STIX JSON by `tests/verify_attack.py` (Python standard library only, no code shared with
//! atkmap) and found equal to atkmap's output. To reproduce them:
//!
//! ```text
//! python3 tests/verify_attack.py $ATKMAP_DATA_DIR/enterprise-attack-18.1.json          # stats
//! python3 tests/verify_attack.py $ATKMAP_DATA_DIR/enterprise-attack-18.1.json --show T1199
//! python3 tests/verify_attack.py $ATKMAP_DATA_DIR/enterprise-attack-18.1.json \
//!     --compare T1199 T1078 T1078.004 M1032 G1015 DET0488 AN0110 DC0067 TA0001 S0002 C0027
//! python3 tests/verify_attack.py $ATKMAP_DATA_DIR/enterprise-attack-18.1.json --compare-all
//! ```

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{Value, json};

const EXIT_FAILURE: i32 = 2;

const ENTERPRISE_18_1: &str = "enterprise-attack-18.1.json";
const ENTERPRISE_17_1: &str = "enterprise-attack-17.1.json";
const ICS_18_1: &str = "ics-attack-18.1.json";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/stix").join(name)
}

fn mini() -> PathBuf {
    fixture("mini-enterprise.json")
}

/// What one run of atkmap gave.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked"),
            "atkmap panicked:\n{}",
            self.stderr
        );
        self
    }

    fn assert_code(&self, code: i32) -> &Self {
        self.assert_no_panic();
        assert_eq!(
            self.code,
            Some(code),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        self.assert_code(0);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

fn run_cmd(mut cmd: assert_cmd::Command) -> Run {
    let output = cmd.output().expect("atkmap runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `atkmap --attack BUNDLE ARGS...`.
fn on(bundle: &Path, args: &[&str]) -> Run {
    let mut cmd = common::atkmap();
    cmd.arg("--attack").arg(bundle).args(args);
    run_cmd(cmd)
}

/// `atkmap --data-dir DIR ARGS...`, run from an empty directory so that a developer's
/// `./attack-data` cannot change which release is picked.
fn in_dir(dir: &Path, args: &[&str]) -> Run {
    let dir = absolute(dir);
    let cwd = tempfile::tempdir().expect("temporary directory");
    let mut cmd = common::atkmap();
    cmd.current_dir(cwd.path())
        .arg("--data-dir")
        .arg(&dir)
        .args(common::companion_args())
        .args(args);
    run_cmd(cmd)
}

/// `ATKMAP_DATA_DIR` may be relative to the package root; [`in_dir`] runs elsewhere.
fn absolute(dir: &Path) -> PathBuf {
    dir.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// `attack show ID --format json` on a bundle.
fn show(bundle: &Path, id: &str) -> Value {
    on(bundle, &["attack", "show", id, "--format", "json"]).json()
}

/// The IDs of a list of `{id, name}` objects.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_str()
                .unwrap_or_else(|| panic!("no id in {item}"))
                .to_string()
        })
        .collect()
}

/// The words of a space-separated list (`"T1078 T1199"`), to compare with [`ids`].
fn list(words: &str) -> Vec<&str> {
    words.split_whitespace().collect()
}

/// A list of strings.
fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| {
            item.as_str()
                .unwrap_or_else(|| panic!("not a string: {item}"))
                .to_string()
        })
        .collect()
}

fn keys(view: &Value) -> Vec<&str> {
    view.as_object()
        .unwrap_or_else(|| panic!("not an object: {view}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// Every list of `{id, ...}` objects in a view is sorted by ID, without duplicates; so is the
/// technique's list of sub-technique IDs.
fn assert_lists_sorted(view: &Value) {
    for (key, value) in view.as_object().expect("a view is an object") {
        let Some(items) = value.as_array() else {
            continue;
        };
        let list: Vec<String> = if key == "subtechniques" {
            strings(value)
        } else if items.first().is_some_and(|i| i.get("id").is_some()) {
            ids(value)
        } else {
            continue;
        };
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(list, sorted, "{key} is not sorted by ID in {}", view["id"]);
    }
}

/// The fields every `attack show` view starts with, in this order.
const COMMON_KEYS: [&str; 7] = [
    "id",
    "name",
    "type",
    "stix_id",
    "revoked",
    "deprecated",
    "revoked_by",
];

fn assert_view_keys(view: &Value, own: &[&str]) {
    let mut expected: Vec<&str> = COMMON_KEYS.to_vec();
    expected.extend_from_slice(own);
    assert_eq!(keys(view), expected, "field order of {}", view["id"]);
}

/// A technique's own fields; `data_components` only appears when non-empty (before v18).
fn technique_keys(with_components: bool) -> Vec<&'static str> {
    let mut k = vec![
        "tactics",
        "platforms",
        "is_subtechnique",
        "parent",
        "subtechniques",
        "mitigations",
        "detection_strategies",
    ];
    if with_components {
        k.push("data_components");
    }
    k.push("groups");
    k
}

fn active(view: &Value) {
    assert_eq!(view["revoked"], json!(false), "{}", view["id"]);
    assert_eq!(view["deprecated"], json!(false), "{}", view["id"]);
    assert_eq!(view["revoked_by"], Value::Null, "{}", view["id"]);
}

const STATS_KEYS: [&str; 16] = [
    "domain",
    "version",
    "tactics",
    "techniques",
    "subtechniques",
    "mitigations",
    "groups",
    "software",
    "campaigns",
    "data_sources",
    "data_components",
    "detection_strategies",
    "analytics",
    "revoked",
    "deprecated",
    "dangling_references",
];

// ---------------------------------------------------------------------------------------------
// Verified figures for MITRE's bundles (tests/verify_attack.py BUNDLE)
// ---------------------------------------------------------------------------------------------

fn enterprise_18_1_stats() -> Value {
    json!({
        "domain": "enterprise", "version": "18.1",
        "tactics": 14, "techniques": 216, "subtechniques": 475, "mitigations": 44,
        "groups": 172, "software": 784, "campaigns": 52, "data_sources": 0,
        "data_components": 106, "detection_strategies": 691, "analytics": 1739,
        "revoked": 140, "deprecated": 287, "dangling_references": 0
    })
}

fn enterprise_17_1_stats() -> Value {
    json!({
        "domain": "enterprise", "version": "17.1",
        "tactics": 14, "techniques": 211, "subtechniques": 468, "mitigations": 44,
        "groups": 166, "software": 755, "campaigns": 47, "data_sources": 37,
        "data_components": 106, "detection_strategies": 0, "analytics": 0,
        "revoked": 140, "deprecated": 250, "dangling_references": 0
    })
}

fn ics_18_1_stats() -> Value {
    json!({
        "domain": "ics", "version": "18.1",
        "tactics": 12, "techniques": 83, "subtechniques": 0, "mitigations": 52,
        "groups": 14, "software": 23, "campaigns": 7, "data_sources": 0,
        "data_components": 36, "detection_strategies": 83, "analytics": 82,
        "revoked": 2, "deprecated": 37, "dangling_references": 0
    })
}

// ---------------------------------------------------------------------------------------------
// attack stats on MITRE's bundles, and release selection
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_of_enterprise_18_1_match_the_verified_counts() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let stats = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(stats, enterprise_18_1_stats());
    assert_eq!(keys(&stats), STATS_KEYS);
}

#[test]
fn stats_of_enterprise_17_1_match_the_verified_counts() {
    let Some(bundle) = common::bundle(ENTERPRISE_17_1) else {
        return;
    };
    let stats = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(stats, enterprise_17_1_stats());
}

#[test]
fn stats_of_ics_18_1_match_the_verified_counts() {
    let Some(bundle) = common::bundle(ICS_18_1) else {
        return;
    };
    let stats = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(stats, ics_18_1_stats());
}

#[test]
fn a_data_directory_gives_the_newest_release_unless_a_version_is_named() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let newest = in_dir(&dir, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(
        newest,
        enterprise_18_1_stats(),
        "no version: the newest (18.1)"
    );

    let pinned = in_dir(
        &dir,
        &[
            "--attack-version",
            "17.1",
            "attack",
            "stats",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(pinned, enterprise_17_1_stats(), "--attack-version 17.1");

    let ics = in_dir(
        &dir,
        &["--domain", "ics", "attack", "stats", "--format", "json"],
    )
    .json();
    assert_eq!(ics, ics_18_1_stats(), "--domain ics");
}

#[test]
fn a_version_missing_from_the_data_directory_fails_offline() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let run = in_dir(&dir, &["--attack-version", "16.0", "attack", "stats"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stderr.contains("16.0"), "{}", run.stderr);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
}

#[test]
fn stats_text_lists_the_same_figures() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let run = on(&bundle, &["attack", "stats"]);
    run.assert_code(0);
    for line in [
        "domain: enterprise",
        "version: 18.1",
        "techniques: 216",
        "analytics: 1739",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line}:\n{}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------------------------------------
// attack show on Enterprise 18.1: the JSON contract of each kind
// ---------------------------------------------------------------------------------------------

#[test]
fn show_technique_t1199() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(&bundle, "T1199");
    assert_view_keys(&t, &technique_keys(false));
    assert_lists_sorted(&t);
    active(&t);
    assert_eq!(t["id"], "T1199");
    assert_eq!(t["name"], "Trusted Relationship");
    assert_eq!(t["type"], "technique");
    assert_eq!(
        t["stix_id"],
        "attack-pattern--9fa07bef-9c81-421e-a8e5-ad4366c5a925"
    );
    assert_eq!(t["tactics"], json!(["initial-access"]));
    assert_eq!(
        t["platforms"],
        json!([
            "Windows",
            "SaaS",
            "IaaS",
            "Linux",
            "macOS",
            "Identity Provider",
            "Office Suite"
        ])
    );
    assert_eq!(t["is_subtechnique"], json!(false));
    assert_eq!(t["parent"], Value::Null);
    assert_eq!(t["subtechniques"], json!([]));
    assert_eq!(
        t["mitigations"],
        json!([
            {"id": "M1018", "name": "User Account Management"},
            {"id": "M1030", "name": "Network Segmentation"},
            {"id": "M1032", "name": "Multi-factor Authentication"}
        ])
    );
    assert_eq!(
        t["detection_strategies"],
        json!([{
            "id": "DET0488",
            "name": "Detect abuse of Trusted Relationships (third-party and delegated admin access)"
        }])
    );
    assert_eq!(
        ids(&t["groups"]),
        list("G0007 G0016 G0027 G0034 G0045 G0115 G0125 G1004 G1005 G1039 G1041")
    );
}

#[test]
fn show_prefers_the_technique_over_the_deprecated_mitigation_with_its_id() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // MITRE's pre-2020 mitigations carry their technique's ID; T1199 has one.
    let old = show(
        &bundle,
        "course-of-action--797312d4-8a84-4daf-9c56-57da4133c322",
    );
    assert_eq!(old["id"], "T1199");
    assert_eq!(old["type"], "mitigation");
    assert_eq!(old["name"], "Trusted Relationship Mitigation");
    assert_eq!(old["deprecated"], json!(true));

    for id in ["T1199", "t1199"] {
        let t = show(&bundle, id);
        assert_eq!(t["type"], "technique", "{id}");
        assert_eq!(t["name"], "Trusted Relationship", "{id}");
    }
    // The deprecated mitigation is not among the technique's mitigations.
    let t = show(&bundle, "T1199");
    assert!(!ids(&t["mitigations"]).contains(&"T1199".to_string()));
}

#[test]
fn show_subtechnique_t1078_004_names_its_parent() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(&bundle, "T1078.004");
    assert_view_keys(&t, &technique_keys(false));
    assert_lists_sorted(&t);
    active(&t);
    assert_eq!(t["name"], "Cloud Accounts");
    assert_eq!(t["is_subtechnique"], json!(true));
    assert_eq!(t["parent"], "T1078");
    assert_eq!(t["subtechniques"], json!([]));
    // Matrix column order, not alphabetical.
    assert_eq!(
        t["tactics"],
        json!([
            "initial-access",
            "persistence",
            "privilege-escalation",
            "defense-evasion"
        ])
    );
    assert_eq!(
        t["platforms"],
        json!(["IaaS", "Identity Provider", "Office Suite", "SaaS"])
    );
    assert_eq!(
        ids(&t["mitigations"]),
        list("M1015 M1017 M1018 M1026 M1027 M1032 M1036")
    );
    assert_eq!(ids(&t["detection_strategies"]), ["DET0546"]);
    assert_eq!(
        ids(&t["groups"]),
        list("G0004 G0007 G0016 G0064 G0125 G1004 G1015 G1023 G1053")
    );
}

#[test]
fn show_techniques_with_subtechniques() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(&bundle, "T1078");
    assert_lists_sorted(&t);
    assert_eq!(t["name"], "Valid Accounts");
    assert_eq!(t["parent"], Value::Null);
    assert_eq!(
        t["subtechniques"],
        json!(list("T1078.001 T1078.002 T1078.003 T1078.004"))
    );
    assert_eq!(
        t["tactics"],
        json!([
            "initial-access",
            "persistence",
            "privilege-escalation",
            "defense-evasion"
        ])
    );

    let t = show(&bundle, "T1566");
    assert_lists_sorted(&t);
    assert_eq!(
        t["subtechniques"],
        json!(list("T1566.001 T1566.002 T1566.003 T1566.004"))
    );
    assert_eq!(
        ids(&t["mitigations"]),
        list("M1017 M1021 M1031 M1047 M1049 M1054")
    );
    assert_eq!(ids(&t["detection_strategies"]), ["DET0070"]);
    assert_eq!(
        ids(&t["groups"]),
        list("G0001 G0094 G0115 G1032 G1041 G1049")
    );

    let sub = show(&bundle, "T1566.001");
    assert_eq!(sub["parent"], "T1566");
    assert_eq!(sub["name"], "Spearphishing Attachment");
}

#[test]
fn show_mitigation_m1032() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let m = show(&bundle, "M1032");
    assert_view_keys(&m, &["techniques"]);
    assert_lists_sorted(&m);
    active(&m);
    assert_eq!(m["name"], "Multi-factor Authentication");
    assert_eq!(m["type"], "mitigation");
    let techniques = ids(&m["techniques"]);
    assert_eq!(techniques.len(), 48, "{techniques:?}");
    assert_eq!(
        techniques[..9],
        list("T1021 T1021.001 T1021.004 T1021.007 T1040 T1072 T1078 T1078.001 T1078.002")
    );
    for id in list("T1199 T1078.004 T1556 T1621") {
        assert!(
            techniques.contains(&id.to_string()),
            "{id} in {techniques:?}"
        );
    }
}

#[test]
fn show_group_includes_techniques_used_through_its_campaigns() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let g = show(&bundle, "G1015");
    assert_view_keys(&g, &["aliases", "techniques", "software", "campaigns"]);
    assert_lists_sorted(&g);
    active(&g);
    assert_eq!(g["name"], "Scattered Spider");
    assert_eq!(
        g["aliases"],
        json!([
            "Scattered Spider",
            "Roasted 0ktapus",
            "Octo Tempest",
            "Storm-0875",
            "UNC3944"
        ])
    );
    assert_eq!(g["campaigns"], json!([{"id": "C0027", "name": "C0027"}]));
    assert_eq!(
        ids(&g["software"]),
        list("S0002 S0183 S0349 S0508 S0591 S0670 S1040 S1068 S1148")
    );
    let techniques = ids(&g["techniques"]);
    assert_eq!(techniques.len(), 78);
    // Used by C0027 (attributed to G1015) and not by G1015 directly.
    for id in list(
        "T1003.006 T1046 T1047 T1069.003 T1087.003 T1087.004 T1098.001 T1098.005 T1102 \
         T1190 T1213.002 T1566.004 T1589.001 T1598.001",
    ) {
        assert!(techniques.contains(&id.to_string()), "{id} via C0027");
    }
    // And the other way: T1190 lists G1015 through the campaign.
    let t = show(&bundle, "T1190");
    assert!(ids(&t["groups"]).contains(&"G1015".to_string()));
}

#[test]
fn show_group_g1004() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let g = show(&bundle, "G1004");
    assert_lists_sorted(&g);
    assert_eq!(g["name"], "LAPSUS$");
    assert_eq!(g["campaigns"], json!([]));
    let techniques = ids(&g["techniques"]);
    for id in ["T1199", "T1078.004", "T1656"] {
        assert!(
            techniques.contains(&id.to_string()),
            "{id} in {techniques:?}"
        );
    }
}

#[test]
fn show_detection_strategy_det0488() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let d = show(&bundle, "DET0488");
    assert_view_keys(&d, &["techniques", "analytics"]);
    assert_lists_sorted(&d);
    active(&d);
    assert_eq!(d["type"], "detection-strategy");
    assert_eq!(
        d["techniques"],
        json!([{"id": "T1199", "name": "Trusted Relationship"}])
    );
    assert_eq!(
        ids(&d["analytics"]),
        list("AN1344 AN1345 AN1346 AN1347 AN1348 AN1349 AN1350")
    );
}

#[test]
fn show_analytic_an0110() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let a = show(&bundle, "AN0110");
    assert_view_keys(&a, &["platforms", "detection_strategies", "log_sources"]);
    active(&a);
    assert_eq!(a["type"], "analytic");
    assert_eq!(a["name"], "Analytic 0110");
    assert_eq!(a["platforms"], json!(["Linux"]));
    assert_eq!(ids(&a["detection_strategies"]), ["DET0039"]);
    assert_eq!(
        a["log_sources"],
        json!([
            {"data_component": "DC0078", "name": "auditd:SYSCALL", "channel": "socket/connect"},
            {
                "data_component": "DC0085",
                "name": "linux:syslog",
                "channel": "Query to suspicious domain with high entropy or low reputation"
            }
        ])
    );
}

#[test]
fn show_data_component_dc0067() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let c = show(&bundle, "DC0067");
    assert_view_keys(&c, &["data_source", "log_sources", "detection_strategies"]);
    assert_lists_sorted(&c);
    active(&c);
    assert_eq!(c["type"], "data-component");
    assert_eq!(c["name"], "Logon Session Creation");
    // v18 components no longer point at a data source.
    assert_eq!(c["data_source"], Value::Null);
    let sources = c["log_sources"].as_array().expect("log sources");
    assert_eq!(sources.len(), 67);
    assert_eq!(
        sources[..2],
        [
            json!({"name": "Logon Session", "channel": "None"}),
            json!({"name": "macos:unifiedlog", "channel": "UserLoggedIn"})
        ]
    );
    let strategies = ids(&c["detection_strategies"]);
    assert_eq!(strategies.len(), 56);
    assert_eq!(strategies[..3], ["DET0003", "DET0008", "DET0048"]);
}

#[test]
fn show_tactic_ta0001() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(&bundle, "TA0001");
    assert_view_keys(&t, &["shortname", "techniques"]);
    assert_lists_sorted(&t);
    active(&t);
    assert_eq!(t["type"], "tactic");
    assert_eq!(t["name"], "Initial Access");
    assert_eq!(t["shortname"], "initial-access");
    // Techniques only, no sub-techniques.
    assert_eq!(
        ids(&t["techniques"]),
        list("T1078 T1091 T1133 T1189 T1190 T1195 T1199 T1200 T1566 T1659 T1669")
    );
}

#[test]
fn show_software_s0002() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let s = show(&bundle, "S0002");
    assert_view_keys(&s, &["software_type", "aliases", "platforms", "techniques"]);
    assert_lists_sorted(&s);
    active(&s);
    assert_eq!(s["type"], "software");
    assert_eq!(s["name"], "Mimikatz");
    assert_eq!(s["software_type"], "tool");
    assert_eq!(s["aliases"], json!(["Mimikatz"]));
    assert_eq!(s["platforms"], json!(["Windows"]));
    assert_eq!(
        ids(&s["techniques"]),
        list(
            "T1003.001 T1003.002 T1003.004 T1003.006 T1098 T1134.005 T1207 T1547.005 T1550.002 \
             T1550.003 T1552.004 T1555 T1555.003 T1555.004 T1558.001 T1558.002 T1649"
        )
    );
}

#[test]
fn show_campaign_c0027() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let c = show(&bundle, "C0027");
    assert_view_keys(&c, &["aliases", "groups", "techniques"]);
    assert_lists_sorted(&c);
    active(&c);
    assert_eq!(c["type"], "campaign");
    assert_eq!(c["aliases"], json!(["C0027"]));
    assert_eq!(
        c["groups"],
        json!([{"id": "G1015", "name": "Scattered Spider"}])
    );
    let techniques = ids(&c["techniques"]);
    assert_eq!(techniques.len(), 28);
    assert_eq!(techniques[..3], ["T1003.006", "T1021.007", "T1046"]);
    assert_eq!(techniques[27], "T1656");
}

#[test]
fn show_by_stix_id() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(
        &bundle,
        "attack-pattern--9fa07bef-9c81-421e-a8e5-ad4366c5a925",
    );
    assert_eq!(t["id"], "T1199");
}

#[test]
fn show_text_of_a_technique() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let run = on(&bundle, &["attack", "show", "T1199"]);
    run.assert_code(0);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, "T1199  Trusted Relationship  (technique)");
    assert!(
        run.stdout.contains("tactics: initial-access"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("M1032  Multi-factor Authentication"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("revoked"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Revoked objects and revoked-by chains (Enterprise 18.1)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_revoked_technique_names_its_replacement() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let t = show(&bundle, "T1099");
    assert_eq!(t["type"], "technique");
    assert_eq!(t["name"], "Timestomp");
    assert_eq!(t["revoked"], json!(true));
    assert_eq!(
        t["revoked_by"],
        json!({"id": "T1070.006", "name": "Timestomp"})
    );

    let run = on(&bundle, &["attack", "show", "T1099"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("revoked: revoked by T1070.006 Timestomp"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_revoked_by_chain_ends_at_the_active_replacement() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // T1150 was revoked by T1547.011, itself revoked by T1647.
    let middle = show(&bundle, "T1547.011");
    assert_eq!(middle["revoked"], json!(true));
    assert_eq!(
        middle["revoked_by"],
        json!({"id": "T1647", "name": "Plist File Modification"})
    );
    let first = show(&bundle, "T1150");
    assert_eq!(first["revoked"], json!(true));
    assert_eq!(
        first["revoked_by"],
        json!({"id": "T1647", "name": "Plist File Modification"})
    );
    let end = show(&bundle, "T1647");
    active(&end);

    // T1073 -> T1574.002 (revoked) -> T1574.001.
    let first = show(&bundle, "T1073");
    assert_eq!(
        first["revoked_by"],
        json!({"id": "T1574.001", "name": "DLL"})
    );

    let run = on(&bundle, &["attack", "show", "T1150"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("revoked: revoked by T1647 Plist File Modification"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown IDs and search
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_id_fails_and_suggests_close_ids() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let run = on(&bundle, &["attack", "show", "T1999"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("T1999"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    assert!(run.stderr.contains("T1199"), "{}", run.stderr);

    let run = on(&bundle, &["attack", "show", "T1999", "--format", "json"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // Not an ATT&CK ID at all: the hint says what IDs look like.
    let run = on(&bundle, &["attack", "show", "trusted"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stderr.contains("T1199"), "{}", run.stderr);
}

#[test]
fn search_finds_trusted_relationship() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let run = on(&bundle, &["attack", "search", "trusted relationship"]);
    run.assert_code(0);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("T1199 "), "{}", run.stdout);
    assert!(first.contains("Trusted Relationship"), "{}", run.stdout);

    let hits = on(
        &bundle,
        &[
            "attack",
            "search",
            "trusted relationship",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(
        hits,
        json!([
            {"id": "T1199", "name": "Trusted Relationship", "type": "technique", "matched": ["name"]},
            {
                "id": "DET0488",
                "name": "Detect abuse of Trusted Relationships (third-party and delegated admin access)",
                "type": "detection-strategy",
                "matched": ["name"]
            }
        ])
    );

    let hits = on(
        &bundle,
        &[
            "attack",
            "search",
            "trusted relationship",
            "--kind",
            "technique",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(ids(&hits), ["T1199"]);
}

#[test]
fn search_without_hits_says_so_and_succeeds_like_json() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    let run = on(&bundle, &["attack", "search", "zzzz-no-such-thing"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("matches \"zzzz-no-such-thing\""),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Before v18: detection through data components (Enterprise 17.1)
// ---------------------------------------------------------------------------------------------

#[test]
fn before_v18_techniques_are_detected_by_data_components() {
    let Some(bundle) = common::bundle(ENTERPRISE_17_1) else {
        return;
    };
    let t = show(&bundle, "T1078");
    assert_view_keys(&t, &technique_keys(true));
    assert_eq!(t["detection_strategies"], json!([]));
    let components: Vec<&str> = t["data_components"]
        .as_array()
        .expect("data components")
        .iter()
        .map(|c| c["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(
        components,
        [
            "Logon Session Creation",
            "Logon Session Metadata",
            "User Account Authentication"
        ]
    );

    let t = show(&bundle, "T1199");
    assert_eq!(t["detection_strategies"], json!([]));
    assert!(
        !t["data_components"]
            .as_array()
            .expect("data components")
            .is_empty()
    );

    let search = on(
        &bundle,
        &[
            "attack",
            "search",
            "Detect",
            "--kind",
            "detection-strategy",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(search, json!([]), "17.1 has no detection strategies");
}

#[test]
fn ics_techniques_use_the_ics_matrix() {
    let Some(bundle) = common::bundle(ICS_18_1) else {
        return;
    };
    let t = show(&bundle, "T0817");
    assert_lists_sorted(&t);
    assert_eq!(t["name"], "Drive-by Compromise");
    assert_eq!(t["tactics"], json!(["initial-access"]));
    assert_eq!(t["platforms"], json!(["None"]));
}

// ---------------------------------------------------------------------------------------------
// The synthetic release: the whole model on data small enough to check by eye
// ---------------------------------------------------------------------------------------------

#[test]
fn mini_stats() {
    let stats = on(&mini(), &["attack", "stats", "--format", "json"]).json();
    assert_eq!(
        stats,
        json!({
            "domain": "enterprise", "version": "99.0",
            "tactics": 3, "techniques": 2, "subtechniques": 1, "mitigations": 1,
            "groups": 1, "software": 1, "campaigns": 1, "data_sources": 1,
            "data_components": 1, "detection_strategies": 1, "analytics": 1,
            // T9002, T9003; the deprecated mitigation "T9001" and technique T9004.
            "revoked": 2, "deprecated": 2, "dangling_references": 0
        })
    );
    assert_eq!(keys(&stats), STATS_KEYS);
}

#[test]
fn mini_technique_tactics_follow_the_matrix_columns() {
    // The matrix orders defense-evasion, initial-access, persistence; the bundle lists the
    // tactics TA0001, TA0003, TA0005 and the technique's kill chain says persistence,
    // initial-access, defense-evasion. The matrix wins.
    let t = show(&mini(), "T9001");
    assert_eq!(
        t["tactics"],
        json!(["defense-evasion", "initial-access", "persistence"])
    );
}

#[test]
fn mini_technique_view() {
    let t = show(&mini(), "T9001");
    assert_view_keys(&t, &technique_keys(false));
    active(&t);
    assert_eq!(
        t,
        json!({
            "id": "T9001",
            "name": "Synthetic Trusted Access",
            "type": "technique",
            "stix_id": "attack-pattern--00000000-0000-4000-8000-000000000101",
            "revoked": false,
            "deprecated": false,
            "revoked_by": null,
            "tactics": ["defense-evasion", "initial-access", "persistence"],
            "platforms": ["Linux", "Windows"],
            "is_subtechnique": false,
            "parent": null,
            "subtechniques": ["T9001.001"],
            // The deprecated course-of-action "T9001" also mitigates it: not listed.
            "mitigations": [{"id": "M9001", "name": "Synthetic Multi-factor Authentication"}],
            "detection_strategies": [{"id": "DET9001", "name": "Detect synthetic trusted access"}],
            "groups": [{"id": "G9001", "name": "Synthetic Spider"}]
        })
    );

    let sub = show(&mini(), "t9001.001");
    assert_eq!(sub["id"], "T9001.001");
    assert_eq!(sub["is_subtechnique"], json!(true));
    assert_eq!(sub["parent"], "T9001");
    assert_eq!(sub["tactics"], json!(["initial-access"]));
    assert_eq!(ids(&sub["mitigations"]), ["M9001"]);
    assert_eq!(sub["groups"], json!([]));
}

#[test]
fn mini_id_collision_prefers_the_technique() {
    let t = show(&mini(), "T9001");
    assert_eq!(t["type"], "technique");
    assert_eq!(t["name"], "Synthetic Trusted Access");

    let old = show(
        &mini(),
        "course-of-action--00000000-0000-4000-8000-000000000201",
    );
    assert_eq!(old["type"], "mitigation");
    assert_eq!(old["id"], "T9001");
    assert_eq!(old["deprecated"], json!(true));
    assert_eq!(old["name"], "Synthetic Trusted Access Mitigation");
    // Related objects are the active ones only; its technique is active.
    assert_eq!(ids(&old["techniques"]), ["T9001"]);

    let m = show(&mini(), "M9001");
    assert_eq!(
        m["techniques"],
        json!([
            {"id": "T9001", "name": "Synthetic Trusted Access"},
            {"id": "T9001.001", "name": "Synthetic Cloud Access"}
        ]),
        "the revoked relationship to T9005 is ignored"
    );
}

#[test]
fn mini_revoked_by_chain() {
    // T9002 --revoked-by--> T9003 (revoked) --revoked-by--> T9001.001 (active).
    for id in ["T9002", "T9003"] {
        let t = show(&mini(), id);
        assert_eq!(t["revoked"], json!(true), "{id}");
        assert_eq!(t["deprecated"], json!(false), "{id}");
        assert_eq!(
            t["revoked_by"],
            json!({"id": "T9001.001", "name": "Synthetic Cloud Access"}),
            "{id}"
        );
    }
    let run = on(&mini(), &["attack", "show", "T9002"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("revoked: revoked by T9001.001 Synthetic Cloud Access"),
        "{}",
        run.stdout
    );

    let deprecated = show(&mini(), "T9004");
    assert_eq!(deprecated["deprecated"], json!(true));
    assert_eq!(deprecated["revoked_by"], Value::Null);
    let run = on(&mini(), &["attack", "show", "T9004"]);
    assert!(
        run.stdout.lines().any(|l| l == "deprecated"),
        "{}",
        run.stdout
    );
}

#[test]
fn mini_group_techniques_include_its_campaigns() {
    let g = show(&mini(), "G9001");
    assert_eq!(
        g,
        json!({
            "id": "G9001",
            "name": "Synthetic Spider",
            "type": "group",
            "stix_id": "intrusion-set--00000000-0000-4000-8000-000000000301",
            "revoked": false,
            "deprecated": false,
            "revoked_by": null,
            "aliases": ["Synthetic Spider", "Octo Mini"],
            // T9001 directly, T9005 through C9001; the deprecated T9004 is left out.
            "techniques": [
                {"id": "T9001", "name": "Synthetic Trusted Access"},
                {"id": "T9005", "name": "Synthetic Phishing"}
            ],
            "software": [{"id": "S9001", "name": "SynthTool"}],
            "campaigns": [{"id": "C9001", "name": "Synthetic Campaign"}]
        })
    );
    let t = show(&mini(), "T9005");
    assert_eq!(
        t["groups"],
        json!([{"id": "G9001", "name": "Synthetic Spider"}])
    );
    assert_eq!(
        t["mitigations"],
        json!([]),
        "the revoked relationship is ignored"
    );

    let c = show(&mini(), "C9001");
    assert_eq!(
        c["groups"],
        json!([{"id": "G9001", "name": "Synthetic Spider"}])
    );
    assert_eq!(ids(&c["techniques"]), ["T9005"]);
}

#[test]
fn mini_detection_model() {
    let det = show(&mini(), "DET9001");
    assert_eq!(ids(&det["techniques"]), ["T9001"]);
    assert_eq!(ids(&det["analytics"]), ["AN9001"]);

    let an = show(&mini(), "AN9001");
    assert_eq!(an["platforms"], json!(["Linux"]));
    assert_eq!(ids(&an["detection_strategies"]), ["DET9001"]);
    assert_eq!(
        an["log_sources"],
        json!([{"data_component": "DC9001", "name": "auth:log", "channel": "sshd"}])
    );

    let dc = show(&mini(), "DC9001");
    assert_view_keys(&dc, &["data_source", "log_sources", "detection_strategies"]);
    assert_eq!(
        dc["data_source"],
        json!({"id": "DS9001", "name": "Synthetic Logon Source"})
    );
    assert_eq!(
        dc["log_sources"],
        json!([{"name": "auth:log", "channel": "sshd"}])
    );
    assert_eq!(ids(&dc["detection_strategies"]), ["DET9001"]);

    let ds = show(&mini(), "DS9001");
    assert_view_keys(&ds, &["platforms", "data_components"]);
    assert_eq!(ids(&ds["data_components"]), ["DC9001"]);
}

#[test]
fn mini_tactics_software_and_search() {
    let ta = show(&mini(), "TA0001");
    assert_eq!(ta["shortname"], "initial-access");
    // Not the sub-technique, nor the revoked T9002/T9003.
    assert_eq!(ids(&ta["techniques"]), ["T9001", "T9005"]);
    let ta = show(&mini(), "TA0003");
    assert_eq!(ids(&ta["techniques"]), ["T9001"], "T9004 is deprecated");

    let s = show(&mini(), "S9001");
    assert_eq!(s["software_type"], "tool");
    assert_eq!(s["aliases"], json!(["SynthTool", "ST"]));
    assert_eq!(ids(&s["techniques"]), ["T9001"]);

    // An exact name match comes first; revoked and deprecated objects are not found.
    let hits = on(
        &mini(),
        &["attack", "search", "synthetic phishing", "--format", "json"],
    )
    .json();
    assert_eq!(ids(&hits), ["T9005"]);
    let hits = on(
        &mini(),
        &["attack", "search", "synthetic", "--format", "json"],
    )
    .json();
    let found = ids(&hits);
    for gone in ["T9002", "T9003", "T9004"] {
        assert!(!found.contains(&gone.to_string()), "{gone} in {found:?}");
    }
    assert!(found.contains(&"G9001".to_string()), "{found:?}");
    // Aliases are searched too.
    let hits = on(
        &mini(),
        &["attack", "search", "octo mini", "--format", "json"],
    )
    .json();
    assert_eq!(ids(&hits), ["G9001"]);
}

#[test]
fn mini_unknown_id_suggests() {
    let run = on(&mini(), &["attack", "show", "T9006"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    assert!(
        run.stderr.contains("T9001") || run.stderr.contains("T9005"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed bundles: exit 2 with a located message, never a panic
// ---------------------------------------------------------------------------------------------

/// Runs `attack stats` on a fixture that must be refused; returns stderr.
fn refused(name: &str) -> String {
    let run = on(&fixture(name), &["attack", "stats"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    assert!(run.stderr.starts_with("error: "), "{name}: {}", run.stderr);
    assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
    run.stderr
}

#[test]
fn a_truncated_bundle_is_refused_with_its_position() {
    let err = refused("truncated.json");
    // The file stops inside a string on line 13, before its last line 14.
    assert!(
        err.contains("not valid STIX JSON at line 13")
            || err.contains("not valid STIX JSON at line 14"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_json_is_refused() {
    let err = refused("not-json.json");
    assert!(
        err.contains("not valid STIX JSON at line 1, column 1"),
        "{err}"
    );
}

#[test]
fn an_empty_file_is_refused() {
    let err = refused("empty.json");
    assert!(err.contains("not valid STIX JSON at line 1"), "{err}");
}

#[test]
fn a_stix_object_that_is_not_a_bundle_is_refused() {
    let err = refused("not-a-bundle.json");
    assert!(err.contains("not a STIX bundle"), "{err}");
    assert!(err.contains("\"identity\""), "{err}");
}

#[test]
fn a_field_of_the_wrong_type_is_refused_with_its_position() {
    let err = refused("wrong-field-types.json");
    assert!(err.contains("line 8, column"), "{err}");
    assert!(err.contains("expected a string"), "{err}");
}

#[test]
fn a_bundle_without_techniques_is_refused() {
    let err = refused("empty-objects.json");
    assert!(err.contains("no ATT&CK techniques"), "{err}");
    let err = refused("no-objects.json");
    assert!(err.contains("\"objects\""), "{err}");
}

#[test]
fn a_deeply_nested_array_is_refused_without_crashing() {
    // 100 000 `[`: the process must neither overflow its stack nor panic.
    let err = refused("deeply-nested.json");
    assert!(err.contains("line 1, column"), "{err}");
}

#[test]
fn deep_nesting_inside_a_bundle_does_not_crash() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let depth = 100_000;
    let head = r#"{"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "Deep",
         "external_references": [{"source_name": "mitre-attack", "external_id": "T9999"}]},
        {"type": "x-future", "id": "x-future--1", "x_deep": "#;

    // Unbalanced: refused at the end of the input, with its position.
    let open = dir.path().join("open.json");
    std::fs::write(&open, format!("{head}{}", "[".repeat(depth))).expect("write");
    let run = on(&open, &["attack", "stats"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stderr.contains("line 4, column"), "{}", run.stderr);

    // Balanced, in a field atkmap does not read: loads.
    let closed = dir.path().join("closed.json");
    std::fs::write(
        &closed,
        format!("{head}{}{}}}]}}", "[".repeat(depth), "]".repeat(depth)),
    )
    .expect("write");
    let run = on(&closed, &["attack", "show", "T9999", "--format", "json"]);
    assert_eq!(run.json()["name"], "Deep");

    // Deep objects under the bundle itself.
    let objects = dir.path().join("objects.json");
    std::fs::write(
        &objects,
        format!(r#"{{"type": "bundle", "x": {}"#, r#"{"a": "#.repeat(depth)),
    )
    .expect("write");
    on(&objects, &["attack", "stats"]).assert_code(EXIT_FAILURE);
}

#[test]
fn a_relationship_to_a_missing_object_is_ignored() {
    let bundle = fixture("dangling-relationship.json");
    let t = show(&bundle, "T9001");
    assert_eq!(t["mitigations"], json!([]));
    assert_eq!(t["groups"], json!([]));
    let m = show(&bundle, "M9001");
    assert_eq!(m["techniques"], json!([]));
    let stats = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(stats["techniques"], 1);
    assert_eq!(stats["mitigations"], 1);
}

#[test]
fn unknown_object_types_and_fields_are_tolerated() {
    let bundle = fixture("unknown-type.json");
    let t = show(&bundle, "T9001");
    assert_eq!(t["name"], "Synthetic Trusted Access");
    assert_eq!(t["tactics"], json!(["initial-access"]));
    let stats = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(stats["techniques"], 1);
    assert_eq!(stats["version"], "99.0");
    // The unknown object is not modelled, so its ID is unknown.
    on(&bundle, &["attack", "show", "X9001"]).assert_code(EXIT_FAILURE);
}

#[test]
fn unknown_object_types_may_reuse_field_names_with_other_types() {
    // stix.rs promises: "Unknown object types and unknown fields are ignored, so newer releases
    // still load". A future object type is free to give `aliases` another shape.
    let bundle = fixture("unknown-type-field-clash.json");
    let t = show(&bundle, "T9001");
    assert_eq!(t["name"], "Synthetic Trusted Access");
}

#[test]
fn a_missing_bundle_file_is_refused() {
    let run = on(&fixture("no-such-file.json"), &["attack", "stats"]);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stderr.contains("no-such-file.json"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// The command line's manners
// ---------------------------------------------------------------------------------------------

#[test]
fn help_shows_examples_and_exit_codes() {
    let mut cmd = common::atkmap();
    cmd.arg("--help");
    let run = run_cmd(cmd);
    run.assert_code(0);
    for text in [
        "Examples:",
        "atkmap attack show T1199",
        "Exit codes:",
        "  0  ",
        "  1  ",
        "  2  ",
        "--offline",
    ] {
        assert!(run.stdout.contains(text), "{text:?} in:\n{}", run.stdout);
    }
}

#[test]
fn completions_print_a_script() {
    let mut cmd = common::atkmap();
    cmd.args(["completions", "bash"]);
    let run = run_cmd(cmd);
    run.assert_code(0);
    assert!(run.stdout.contains("_atkmap()"), "{}", run.stdout);
    assert!(run.stdout.contains("complete "), "{}", run.stdout);
    assert!(run.stdout.contains("attack"), "{}", run.stdout);
}

#[test]
fn man_prints_roff() {
    let mut cmd = common::atkmap();
    cmd.arg("man");
    let run = run_cmd(cmd);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with(".TH") || run.stdout.starts_with(".ie"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(".TH atkmap"), "{}", run.stdout);
}

#[test]
fn no_color_means_no_escape_sequences() {
    // A revoked technique and an error: both are painted when colour is on.
    for args in [
        &["attack", "show", "T9002"][..],
        &["attack", "show", "T9"][..],
    ] {
        let mut cmd = common::atkmap();
        cmd.env("NO_COLOR", "1")
            .arg("--attack")
            .arg(mini())
            .args(["--color", "auto"])
            .args(args);
        let run = run_cmd(cmd);
        run.assert_no_panic();
        assert!(!run.stdout.contains("\x1b["), "{args:?}: {:?}", run.stdout);
        assert!(!run.stderr.contains("\x1b["), "{args:?}: {:?}", run.stderr);

        // The same command with colour forced does paint: the check above means something.
        let mut cmd = common::atkmap();
        cmd.env_remove("NO_COLOR")
            .arg("--attack")
            .arg(mini())
            .args(["--color", "always"])
            .args(args);
        let run = run_cmd(cmd);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("\x1b["), "{args:?}: {all:?}");
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // `attack search a` prints about 200 KB, far more than a pipe buffer holds.
    let exe = assert_cmd::cargo::cargo_bin("atkmap");
    let mut child = std::process::Command::new(exe)
        .env(
            "ATKMAP_CACHE_DIR",
            std::env::temp_dir().join("atkmap-tests-empty-cache"),
        )
        .env("ATKMAP_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .env_remove("ATKMAP_DATA_DIR")
        .arg("--attack")
        .arg(&bundle)
        .args(["attack", "search", "a"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("atkmap starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    assert!(
        first.starts_with(b"TA0001"),
        "{:?}",
        String::from_utf8_lossy(&first)
    );
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("atkmap ends");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{status:?}: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn data_list_names_each_release() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let run = in_dir(&dir, &["data", "list"]);
    run.assert_code(0);
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    for (domain, version, file) in [
        ("enterprise", "17.1", ENTERPRISE_17_1),
        ("enterprise", "18.1", ENTERPRISE_18_1),
        ("ics", "18.1", ICS_18_1),
    ] {
        let path = absolute(&dir).join(file).display().to_string();
        assert!(
            rows.iter().any(|r| r == &[domain, version, path.as_str()]),
            "{domain} {version} {path} in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn offline_without_any_data_fails_with_a_hint() {
    let empty_data = tempfile::tempdir().expect("temporary directory");
    let empty_cache = tempfile::tempdir().expect("temporary directory");
    let cwd = tempfile::tempdir().expect("temporary directory");
    let mut cmd = common::atkmap();
    cmd.current_dir(cwd.path())
        .env("ATKMAP_CACHE_DIR", empty_cache.path())
        .arg("--offline")
        .arg("--data-dir")
        .arg(empty_data.path())
        .args(["attack", "show", "T1199"]);
    let run = run_cmd(cmd);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert!(run.stderr.contains("--attack FILE"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&empty_data.path().display().to_string()),
        "the searched directories are named: {}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Companions: MITRE F3 and MITRE ATLAS next to ATT&CK
// ---------------------------------------------------------------------------------------------

/// Counts of active objects written down from `python3 tests/verify_companions.py FILE` (an
/// independent count of the official files, not atkmap's).
const F3_1_1: [(&str, u64); 4] = [
    ("tactics", 8),
    ("techniques", 74),
    ("subtechniques", 49),
    ("mitigations", 0),
];
const ATLAS_5_6_0: [(&str, u64); 4] = [
    ("tactics", 16),
    ("techniques", 101),
    ("subtechniques", 69),
    ("mitigations", 35),
];

#[test]
fn stats_of_each_companion_match_the_verified_counts() {
    let (Some(bundle), Some(_)) = (common::bundle(ENTERPRISE_18_1), common::companion_dir()) else {
        return;
    };
    for (framework, version, counts) in [("f3", "1.1", F3_1_1), ("atlas", "5.6.0", ATLAS_5_6_0)] {
        let stats = on(
            &bundle,
            &[
                "attack",
                "stats",
                "--framework",
                framework,
                "--format",
                "json",
            ],
        )
        .json();
        assert_eq!(stats["domain"], framework);
        assert_eq!(stats["version"], version, "{framework}: the version");
        for (key, count) in counts {
            assert_eq!(stats[key], count, "{framework}: {key}");
        }
        assert_eq!(stats["revoked"], 0);
        assert_eq!(stats["dangling_references"], 0);
    }
    // ATT&CK's counts do not change with companions loaded.
    let stats = on(
        &bundle,
        &[
            "--framework",
            "f3",
            "--framework",
            "atlas",
            "attack",
            "stats",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(
        stats.as_array().map(Vec::len),
        Some(2),
        "one object per framework named"
    );
    let attack = on(&bundle, &["attack", "stats", "--format", "json"]).json();
    assert_eq!(attack, enterprise_18_1_stats());
}

#[test]
fn companion_objects_show_in_their_framework_with_their_pages() {
    let (Some(bundle), Some(_)) = (common::bundle(ENTERPRISE_18_1), common::companion_dir()) else {
        return;
    };
    let show = |framework: &str, id: &str| {
        on(
            &bundle,
            &[
                "attack",
                "show",
                id,
                "--framework",
                framework,
                "--format",
                "json",
            ],
        )
        .json()
    };
    let f1031 = show("f3", "F1031");
    assert_eq!(f1031["name"], "Impersonate Account Holder");
    assert_eq!(f1031["framework"], "f3");
    assert_eq!(
        f1031["url"],
        "https://ctid.mitre.org/fraud/techniques/F1031"
    );
    assert_eq!(f1031["tactics"], json!(["initial-access", "stealth"]));
    let deepfakes = show("atlas", "AML.T0088");
    assert_eq!(deepfakes["name"], "Generate Deepfakes");
    assert_eq!(deepfakes["is_subtechnique"], false);
    assert_eq!(ids(&deepfakes["mitigations"]), ["AML.M0009", "AML.M0034"]);
    let m0015 = show("atlas", "aml.m0015");
    assert_eq!(m0015["type"], "mitigation");
    assert!(ids(&m0015["techniques"]).contains(&"AML.T0015".to_string()));
    // F3 re-uses ATT&CK's T1110: the ATT&CK technique, with F3's tactics as F3's view.
    let t1110 = show("f3", "T1110");
    assert!(t1110.get("framework").is_none(), "{t1110}");
    assert_eq!(t1110["tactics"], json!(["credential-access"]));
    assert_eq!(
        t1110["companion_tactics"],
        json!([{"framework": "f3", "tactics": ["initial-access"]}])
    );
    // F3's TA0005 is Stealth; ATT&CK 18.1's is Defense Evasion.
    assert_eq!(show("f3", "TA0005")["name"], "Stealth");
    assert_eq!(
        on(&bundle, &["attack", "show", "TA0005", "--format", "json"]).json()["name"],
        "Defense Evasion"
    );
    // An F3 ID without F3 loaded says what to add.
    let run = on(&bundle, &["attack", "show", "F1031"]);
    run.assert_code(2);
    assert!(run.stderr.contains("add --framework f3"), "{}", run.stderr);
    // Search stays in the frameworks named.
    let hits = on(
        &bundle,
        &[
            "attack",
            "search",
            "deepfake",
            "--framework",
            "atlas",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(ids(&hits), ["AML.T0052.001", "AML.T0088", "AML.M0034"]);
}

#[test]
fn a_companion_file_that_is_not_one_is_refused() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // ATT&CK's own bundle passed as a companion.
    let run = on(
        &bundle,
        &[
            "--framework",
            bundle.to_str().expect("utf-8 path"),
            "attack",
            "stats",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("neither MITRE F3 nor MITRE ATLAS"),
        "{}",
        run.stderr
    );
    // A name that is not a companion.
    let run = on(&bundle, &["--framework", "d3fend", "attack", "stats"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("not a companion framework"),
        "{}",
        run.stderr
    );
    // A version that is not on disk, offline.
    let run = on(&bundle, &["--framework", "atlas@4.9.0", "attack", "stats"]);
    run.assert_code(2);
    assert!(run.stderr.contains("ATLAS 4.9.0"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Man pages of every subcommand; search by log source and description
// ---------------------------------------------------------------------------------------------

/// `atkmap man ARGS...`, which must succeed: the roff.
fn man_page(args: &[&str]) -> String {
    let mut cmd = common::atkmap();
    cmd.arg("man").args(args);
    let run = run_cmd(cmd);
    run.assert_code(0);
    run.stdout
}

/// The lines of a roff page's section `name`, up to the next `.SH`.
fn roff_section<'a>(roff: &'a str, name: &str) -> Vec<&'a str> {
    let headings = [format!(".SH {name}"), format!(".SH \"{name}\"")];
    roff.lines()
        .skip_while(|l| !headings.iter().any(|h| l == h))
        .skip(1)
        .take_while(|l| !l.starts_with(".SH"))
        .collect()
}

/// The roff formatted by man(1) at 80 columns in the C locale (plain ASCII), or `None` when
/// man is not installed. troff's warnings fail the test.
fn formatted_by_man(roff: &str) -> Option<String> {
    use std::io::Write;
    let child = std::process::Command::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C")
        .env("MAN_DISABLE_SECCOMP", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("man is not installed: the pages are checked as roff only");
            return None;
        }
        Err(e) => panic!("cannot run man: {e}"),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(roff.as_bytes())
        .expect("man reads the page");
    let output = child.wait_with_output().expect("man runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "man failed: {stderr}");
    assert!(!stderr.contains("warning"), "troff warns: {stderr}\n{roff}");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn every_page_the_man_pages_refer_to_exists_and_renders() {
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let roff = man_page(&args);
        let title = std::iter::once("atkmap")
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join("-");
        assert!(
            roff.lines()
                .any(|l| l.starts_with(&format!(".TH {title} 1 "))),
            "{title}:\n{roff}"
        );
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS"] {
            assert!(
                !roff_section(&roff, section).is_empty(),
                "{title}: {section}"
            );
        }
        if !path.is_empty() {
            let see_also = roff_section(&roff, "SEE ALSO").join(" ");
            assert!(see_also.contains("atkmap(1)"), "{title}: {see_also}");
        }
        if let Some(text) = formatted_by_man(&roff) {
            assert!(text.contains(&title), "{title}:\n{text}");
            assert!(text.contains("SYNOPSIS"), "{title}:\n{text}");
        }
        // `atkmap\-attack\-show(1)` in the SUBCOMMANDS section: the page of `attack show`.
        let prefix = format!("{}\\-", title.replace('-', "\\-"));
        for line in roff_section(&roff, "SUBCOMMANDS") {
            if let Some(name) = line
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix("(1)"))
            {
                let mut sub = path.clone();
                sub.push(name.replace("\\-", "-"));
                pending.push(sub);
            }
        }
        seen.push(title);
    }
    for page in [
        "atkmap",
        "atkmap-report",
        "atkmap-check",
        "atkmap-man",
        "atkmap-attack",
        "atkmap-attack-show",
        "atkmap-attack-search",
        "atkmap-data-fetch",
    ] {
        assert!(seen.iter().any(|s| s == page), "{page} not in {seen:?}");
    }
    assert!(!seen.iter().any(|s| s.contains("help")), "{seen:?}");
    assert!(seen.len() >= 17, "{seen:?}");
}

#[test]
fn the_main_page_has_exit_status_and_every_environment_variable() {
    let roff = man_page(&[]);
    let exit_status = roff_section(&roff, "EXIT STATUS").join("\n");
    for code in ["0", "1", "2"] {
        assert!(
            exit_status.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "{code}: {exit_status}"
        );
    }
    assert!(exit_status.contains("gate"), "{exit_status}");
    assert!(exit_status.contains("usage error"), "{exit_status}");

    // Every ATKMAP_ variable the code names, found in the sources so that a new one without
    // a line in ENVIRONMENT fails here. ATKMAP_SKIP_DATA is the test suite's, not atkmap's.
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(&common::repo().join("src"), &mut files);
    let mut variables = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source readable");
        for (at, _) in text.match_indices("ATKMAP_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name.len() > "ATKMAP_".len() && name != "ATKMAP_SKIP_DATA" {
                variables.insert(name);
            }
        }
    }
    assert!(variables.len() >= 9, "{variables:?}");
    let environment = roff_section(&roff, "ENVIRONMENT").join("\n");
    for variable in variables.iter().map(String::as_str).chain(["NO_COLOR"]) {
        assert!(
            environment.contains(&format!("\\fB{variable}\\fR")),
            "{variable} is not in ENVIRONMENT:\n{environment}"
        );
    }
    if let Some(text) = formatted_by_man(&roff) {
        for heading in ["EXIT STATUS", "ENVIRONMENT", "EXAMPLES"] {
            assert!(text.lines().any(|l| l == heading), "{heading}:\n{text}");
        }
    }
}

#[test]
fn man_examples_are_the_help_examples_set_without_filling() {
    let mut cmd = common::atkmap();
    cmd.arg("--help");
    let help = run_cmd(cmd);
    help.assert_code(0);
    let commands: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| *l != "Examples:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().split("  ").next().unwrap_or_default().to_string())
        .collect();
    assert!(commands.len() > 10, "{commands:?}");

    let roff = man_page(&[]);
    let examples = roff_section(&roff, "EXAMPLES");
    // Each command is a text line between .nf and .fi: neither filled, justified nor hyphenated.
    let mut filling = true;
    let mut unfilled = Vec::new();
    for line in &examples {
        match *line {
            ".nf" => filling = false,
            ".fi" => filling = true,
            text if !filling && !text.starts_with('.') => {
                unfilled.push(text.replace("\\-", "-"));
            }
            _ => {}
        }
    }
    assert_eq!(unfilled, commands, "{}", examples.join("\n"));
    if let Some(text) = formatted_by_man(&roff) {
        for command in &commands {
            assert!(
                text.lines().any(|l| l.trim() == command),
                "{command:?} is not on a line of its own:\n{text}"
            );
        }
    }

    // A subcommand's page has the examples of that subcommand only.
    let roff = man_page(&["attack", "show"]);
    let examples: Vec<String> = roff_section(&roff, "EXAMPLES")
        .iter()
        .filter(|l| l.starts_with("atkmap"))
        .map(|l| l.replace("\\-", "-"))
        .collect();
    assert_eq!(
        examples,
        [
            "atkmap attack show T1199",
            "atkmap attack show T1078.004 --format json"
        ]
    );
    assert!(
        roff_section(&roff, "SEE ALSO")
            .join(" ")
            .contains("atkmap\\-attack(1), atkmap(1)"),
        "{roff}"
    );
}

#[test]
fn man_of_an_unknown_subcommand_fails_and_names_the_pages() {
    let mut cmd = common::atkmap();
    cmd.args(["man", "attack", "nope"]);
    let run = run_cmd(cmd);
    run.assert_code(EXIT_FAILURE);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("\"nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("show, search, stats"), "{}", run.stderr);
}

/// `attack search ARGS... --format json` on Enterprise 18.1: `(id, type, matched, excerpt)`.
fn search_hits(bundle: &Path, args: &[&str]) -> Vec<(String, String, Vec<String>, String)> {
    let mut all = vec!["attack", "search"];
    all.extend(args);
    all.extend(["--format", "json"]);
    on(bundle, &all)
        .json()
        .as_array()
        .expect("a list of hits")
        .iter()
        .map(|hit| {
            (
                hit["id"].as_str().expect("id").to_string(),
                hit["type"].as_str().expect("type").to_string(),
                strings(&hit["matched"]),
                hit["excerpt"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn search_finds_data_components_by_log_source() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // Computed from the raw STIX JSON with Python: the active data components that list a
    // log source whose name contains "cloudtrail" (any case), or that an analytic's
    // x_mitre_log_source_references reaches through such a name.
    let expected = list(
        "DC0002 DC0006 DC0007 DC0010 DC0013 DC0014 DC0015 DC0017 DC0019 DC0021 DC0022 DC0023 \
         DC0024 DC0025 DC0027 DC0034 DC0036 DC0038 DC0039 DC0043 DC0049 DC0051 DC0055 DC0057 \
         DC0058 DC0062 DC0064 DC0067 DC0069 DC0070 DC0073 DC0075 DC0076 DC0078 DC0080 DC0083 \
         DC0086 DC0087 DC0089 DC0090 DC0091 DC0092 DC0097 DC0098 DC0099",
    );
    let hits = search_hits(&bundle, &["CloudTrail"]);
    let found: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(found, expected);
    for (id, kind, matched, excerpt) in &hits {
        assert_eq!(kind, "data-component", "{id}");
        assert_eq!(matched, &["log-source"], "{id}");
        assert!(
            excerpt.to_lowercase().contains("cloudtrail"),
            "{id}: {excerpt}"
        );
    }
    let logon = hits.iter().find(|h| h.0 == "DC0067").expect("DC0067");
    assert_eq!(logon.3, "AWS:CloudTrail, CloudTrail:Signin");

    // Okta: seven data components, through saas:okta, Okta:SystemLog and Okta:authn.
    let hits = search_hits(&bundle, &["okta"]);
    let found: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        found,
        list("DC0002 DC0010 DC0013 DC0014 DC0038 DC0067 DC0088")
    );
    let authentication = hits.iter().find(|h| h.0 == "DC0002").expect("DC0002");
    for name in ["saas:okta", "Okta:SystemLog", "Okta:authn"] {
        assert!(authentication.3.contains(name), "{:?}", authentication);
    }

    // The text form says which field matched, and what in it.
    let run = on(&bundle, &["attack", "search", "okta"]);
    run.assert_code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("DC0067 "))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("Logon Session Creation"), "{line}");
    assert!(
        line.ends_with("[log source: saas:okta, Okta:SystemLog]"),
        "{line}"
    );
    // A name match says so too.
    let run = on(&bundle, &["attack", "search", "trusted relationship"]);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(first.ends_with("[name]"), "{}", run.stdout);
}

#[test]
fn search_finds_words_only_descriptions_hold_when_asked() {
    let Some(bundle) = common::bundle(ENTERPRISE_18_1) else {
        return;
    };
    // No technique's ID or name says "broker"; three descriptions do (checked against the
    // raw STIX JSON): T1071.005 (a message broker), T1546.008 (AtBroker.exe), T1650 (access
    // brokers).
    assert!(search_hits(&bundle, &["broker", "--kind", "technique"]).is_empty());
    let run = on(&bundle, &["attack", "search", "broker"]);
    run.assert_code(0);
    assert!(run.stderr.contains("--descriptions"), "{}", run.stderr);

    let hits = search_hits(
        &bundle,
        &["broker", "--descriptions", "--kind", "technique"],
    );
    let found: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(found, ["T1071.005", "T1546.008", "T1650"]);
    for (id, _, matched, excerpt) in &hits {
        assert_eq!(matched, &["description"], "{id}");
        assert!(excerpt.to_lowercase().contains("broker"), "{id}: {excerpt}");
        assert!(
            excerpt.len() < 120 && !excerpt.contains('\n'),
            "{id}: {excerpt}"
        );
    }
    // Groups and software too; name matches rank before description matches.
    let hits = search_hits(&bundle, &["broker", "--descriptions"]);
    assert!(hits.iter().any(|h| h.0 == "G1037"), "{hits:?}");
    let hits = search_hits(&bundle, &["phishing", "--descriptions"]);
    assert_eq!(hits[0].0, "T1566", "the exact name first");
    assert_eq!(hits[0].2, ["name", "description"]);
    assert!(
        hits[0].3.is_empty(),
        "no excerpt for a name match: {:?}",
        hits[0]
    );
    let hits = search_hits(&bundle, &["trusted relationship", "--descriptions"]);
    assert_eq!(hits[0].0, "T1199");
    assert_eq!(hits[1].0, "DET0488");
    let first_description_only = hits
        .iter()
        .position(|h| h.2 == ["description"])
        .expect("descriptions matched");
    assert!(
        hits[first_description_only..]
            .iter()
            .all(|h| h.2 == ["description"]),
        "{hits:?}"
    );
    // Citations and link targets are not searched: ATT&CK links every group's page.
    assert!(
        search_hits(&bundle, &["attack.mitre.org", "--descriptions"]).is_empty(),
        "link targets are not searched"
    );
}

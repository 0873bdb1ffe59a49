//! `atkmap diff` and `atkmap migrate`: Enterprise 17.1 -> 18.1 on the example models and on a
//! hand-made 17.1 model, and every kind of change on the synthetic releases 90.0 -> 91.0
//! (`tests/fixtures/upgrade/stix/`, made up for these tests).

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::Value;

const EKYC: &str = "models/ekyc-national-id.yaml";
const TELCO: &str = "models/telco-sim-registration.yaml";

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/upgrade").join(name)
}

/// `atkmap` from the repository root with `--data-dir`, on a fixed day.
fn atkmap(data: &Path) -> assert_cmd::Command {
    let mut cmd = common::atkmap();
    cmd.current_dir(common::repo())
        .arg("--data-dir")
        .arg(data)
        .args(common::companion_args())
        .env("ATKMAP_TODAY", "2026-11-25");
    cmd
}

/// A temporary data directory holding the synthetic releases under MITRE's file names.
fn synthetic_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for version in ["90.0", "91.0"] {
        std::fs::copy(
            fixture(&format!("stix/synthetic-{version}.json")),
            dir.path().join(format!("enterprise-attack-{version}.json")),
        )
        .expect("copy the synthetic bundle");
    }
    dir
}

/// Copies a file into a fresh temporary directory.
fn copy_to_temp(source: &Path, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::copy(source, &path).expect("copy the model");
    (dir, path)
}

fn run_json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().expect("atkmap runs");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("readable")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn reference<'a>(model: &'a Value, id: &str) -> &'a Value {
    model["references"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no changed reference {id} in {model:#}"))
}

fn changes<'a>(model: &'a Value, id: &str) -> Vec<&'a Value> {
    reference(model, id)["changes"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn change_labels(model: &Value, id: &str) -> Vec<String> {
    changes(model, id)
        .iter()
        .filter_map(|c| c["change"].as_str().map(String::from))
        .collect()
}

/// Applies (line, column, old, new) replacements to `text` independently of atkmap: columns
/// count characters, a quoted value's column is its opening quote.
fn expected_after(text: &str, edits: &[(usize, usize, &str, &str)]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    // Right to left, so that earlier columns stay valid.
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    for (line, column, old, new) in edits {
        let l = &mut lines[line - 1];
        let at: usize = l
            .char_indices()
            .nth(column - 1)
            .map(|(i, _)| i)
            .expect("column in range");
        let skip = usize::from(l[at..].starts_with(['"', '\'']));
        let start = at + skip;
        assert_eq!(&l[start..start + old.len()], old, "line {line}: {l}");
        l.replace_range(start..start + old.len(), new);
    }
    lines.concat()
}

// ---------------------------------------------------------------------------------------------
// Enterprise 17.1 -> 18.1, MITRE's data
// ---------------------------------------------------------------------------------------------

#[test]
fn release_wide_diff_17_1_to_18_1() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let doc = run_json(
        atkmap(&data).args(["diff", "--from", "17.1", "--to", "18.1", "--format", "json"]),
    );
    assert_eq!(
        (
            doc["domain"].as_str(),
            doc["from"].as_str(),
            doc["to"].as_str()
        ),
        (Some("enterprise"), Some("17.1"), Some("18.1"))
    );
    assert_eq!(doc["models"].as_array().map(Vec::len), Some(0));
    let row = |kind: &str| -> Value {
        doc["release"]["summary"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["kind"] == kind).cloned())
            .unwrap_or_else(|| panic!("no {kind} row"))
    };
    let t = row("technique");
    // Figures checked against the bundles with a separate script (by STIX id).
    assert_eq!(t["added"], 12);
    assert_eq!(t["removed"], 0);
    assert_eq!(t["revoked"], 0);
    assert_eq!(t["deprecated"], 0);
    assert_eq!(t["renamed"], 2);
    assert_eq!(t["moved"], 0);
    assert_eq!(t["retacticed"], 0);
    assert_eq!(t["platforms_changed"], 3);
    assert_eq!(
        (
            row("group")["added"].as_u64(),
            row("campaign")["added"].as_u64()
        ),
        (Some(6), Some(5))
    );
    assert_eq!(row("software")["added"], 29);
    assert_eq!(row("mitigation")["added"], 0);
    assert_eq!(row("data-source")["deprecated"], 37);
    assert_eq!(
        row("data-component")["renumbered"],
        109,
        "data components got DC IDs in v18"
    );
    assert_eq!(row("detection-strategy")["added"], 691);
    assert_eq!(row("detection-strategy")["active_from"], 0);

    let release = &doc["release"];
    let renamed: Vec<(String, String, String)> = release["renamed"]
        .as_array()
        .expect("renamed list")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("from"), s("to"))
        })
        .collect();
    assert_eq!(
        renamed,
        [
            (
                "T1497.003".into(),
                "Time Based Evasion".into(),
                "Time Based Checks".into()
            ),
            (
                "T1552.003".into(),
                "Bash History".into(),
                "Shell History".into()
            ),
        ]
    );
    let platforms: Vec<(String, Vec<String>)> = release["platforms"]
        .as_array()
        .expect("platform list")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or_default().to_string(),
                strings(&p["added"]),
            )
        })
        .collect();
    assert_eq!(
        platforms,
        [
            ("T1195".to_string(), vec!["SaaS".to_string()]),
            ("T1489".to_string(), vec!["IaaS".to_string()]),
            ("T1552.003".to_string(), vec!["Windows".to_string()]),
        ]
    );
    assert_eq!(release["revoked"].as_array().map(Vec::len), Some(0));
    let added_techniques: Vec<String> = release["added"]
        .as_array()
        .expect("added list")
        .iter()
        .filter(|e| e["kind"] == "technique")
        .filter_map(|e| e["id"].as_str().map(String::from))
        .collect();
    assert!(
        added_techniques.contains(&"T1677".to_string()),
        "{added_techniques:?}"
    );
    assert_eq!(added_techniques.len(), 12);

    // Text summarises: counts, then the first items of each list.
    let out = atkmap(&data)
        .args(["diff", "--from", "17.1", "--to", "18.1"])
        .output()
        .expect("atkmap runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ATT&CK enterprise 17.1 -> 18.1"), "{text}");
    assert!(text.contains("renamed (2):"), "{text}");
    assert!(
        text.contains("technique T1552.003: \"Bash History\" -> \"Shell History\""),
        "{text}"
    );
    assert!(
        text.contains("... and "),
        "long lists are cut short: {text}"
    );
    assert!(
        text.len() < 20_000,
        "the text summary stays short ({} bytes)",
        text.len()
    );
}

#[test]
fn example_models_diffed_from_17_1() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let doc = run_json(atkmap(&data).args([
        "diff", "--from", "17.1", "--to", "18.1", "--format", "json", EKYC, TELCO,
    ]));
    let models = doc["models"].as_array().expect("models");
    assert_eq!(models.len(), 2);
    // The release summary comes with the models; the full lists only without them. It counts
    // ATT&CK's objects, not those of the F3 and ATLAS files the eKYC model pins.
    assert!(doc["release"]["summary"].is_array());
    let techniques = doc["release"]["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .find(|k| k["kind"] == "technique")
        .expect("techniques counted");
    assert_eq!(
        (&techniques["active_from"], &techniques["active_to"]),
        (&679.into(), &691.into()),
        "{techniques}"
    );
    assert!(doc["release"].get("added").is_none());
    let new_in_18: [&str; 15] = [
        "T1036.012",
        "T1059.013",
        "T1204.005",
        "T1213.006",
        "T1518.002",
        "T1546.018",
        "T1562.013",
        "T1677",
        "T1678",
        "T1679",
        "T1680",
        "T1681",
        "T1195",
        "T1489",
        "T1552.003",
    ];
    for m in models {
        let file = m["file"].as_str().unwrap_or_default();
        assert_eq!(m["pinned"], "18.1", "{file}");
        // The models are written for 18.1: their detection strategies and data components do
        // not exist in 17.1 and are left out there, each named.
        for r in m["references"].as_array().expect("references") {
            let id = r["id"].as_str().unwrap_or_default();
            if id.starts_with("DET") || id.starts_with("DC") {
                assert_eq!(change_labels(m, id), ["not-in-from"], "{file} {id}");
                assert!(
                    m["exposures"]["dropped_from"]
                        .as_array()
                        .expect("dropped")
                        .iter()
                        .any(|d| d["value"] == id && d["line"].as_u64() > Some(0)),
                    "{file}: {id} is listed as left out on 17.1"
                );
            }
        }
        assert!(
            m["exposures"]["compared"].as_bool().unwrap_or(false),
            "{file}: {:#}",
            m["exposures"]
        );
        assert!(
            m["exposures"]["dropped_to"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "{file}"
        );
        let from = &m["exposures"]["from"];
        let to = &m["exposures"]["to"];
        assert!(from["exposures"].as_u64() > Some(0) && to["exposures"].as_u64() > Some(0));
        // The detection strategies (DET) the models' controls name exist from v18 on: on 18.1
        // they detect, on 17.1 they are dropped, so coverage rises and statuses improve.
        assert!(
            to["coverage_percent"].as_f64() > from["coverage_percent"].as_f64(),
            "{file}"
        );
        let improved = m["exposures"]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|c| matches!(c["change"].as_str(), Some("closed-gap" | "status")))
            .count();
        assert!(improved > 0, "{file}");
        // Only techniques new in 18.1, or that gained a platform, newly apply.
        for t in m["new_techniques"].as_array().expect("new techniques") {
            let id = t["id"].as_str().unwrap_or_default();
            assert!(
                new_in_18.contains(&id),
                "{file}: {id} did not change in 18.1"
            );
            assert!(matches!(
                t["reason"].as_str(),
                Some("new-technique" | "new-platforms")
            ));
        }
        let changes = m["exposures"]["changes"].as_array().expect("changes");
        let new_gaps = changes.iter().filter(|c| c["change"] == "new-gap").count();
        assert_eq!(m["exposures"]["new_gaps"].as_u64(), Some(new_gaps as u64));
    }
    // Service Stop gained IaaS in 18.1, so it newly applies to the telco model's IaaS image
    // stores; but the LAPSUS$ ring there excludes the impact tactic (it takes numbers over, it
    // does not stop services), so no exposure comes of it.
    let telco = &models[1];
    assert_eq!(telco["file"], TELCO);
    let t1489 = telco["new_techniques"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == "T1489"))
        .expect("T1489 newly applies");
    assert_eq!(t1489["reason"], "new-platforms");
    assert_eq!(strings(&t1489["platforms"]), ["IaaS"]);
    assert_eq!(t1489["exposures"], 0);
    assert!(
        telco["exposures"]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["technique"] != "T1489")
    );
    let g1004 = &telco["groups"][0];
    assert_eq!(g1004["id"], "G1004");
    assert_eq!(g1004["techniques_from"], g1004["techniques_to"]);

    // Text and Markdown carry the same content.
    for (format, marker) in [
        ("text", "exposures (recomputed on each release):"),
        ("md", "### Exposures, recomputed on each release"),
    ] {
        let out = atkmap(&data)
            .args([
                "diff", "--from", "17.1", "--to", "18.1", "--format", format, EKYC,
            ])
            .output()
            .expect("atkmap runs");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{format}: {text}");
        assert!(text.contains("DET0488"), "{format}");
        assert!(text.contains("does not exist in 17.1"), "{format}");
    }
}

#[test]
fn hand_made_17_1_model_diffed_to_18_1() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let legacy = fixture("legacy-17.1.yaml");
    let doc = run_json(
        atkmap(&data)
            .args(["diff", "--from", "17.1", "--to", "18.1", "--format", "json"])
            .arg(&legacy),
    );
    let m = &doc["models"][0];
    assert_eq!(m["pinned"], "17.1");
    // Revoked already in 17.1, still revoked: with the end of the revoked-by chain.
    let revoked = |id: &str| -> (bool, String, Vec<String>) {
        let c = changes(m, id)
            .into_iter()
            .find(|c| c["change"] == "revoked")
            .unwrap_or_else(|| panic!("{id} revoked"));
        (
            c["newly"].as_bool().unwrap_or(true),
            c["outcome"].as_str().unwrap_or_default().to_string(),
            ids(&c["replaced_by"]),
        )
    };
    assert_eq!(
        revoked("T1192"),
        (false, "replaced".into(), vec!["T1566.002".into()])
    );
    assert_eq!(
        revoked("T1073"),
        (false, "replaced".into(), vec!["T1574.001".into()])
    );
    assert_eq!(
        revoked("G0118"),
        (false, "replaced".into(), vec!["G0016".into()])
    );
    assert_eq!(
        revoked("T1077"),
        (false, "replaced".into(), vec!["T1021.002".into()])
    );
    let deprecated = changes(m, "G0014");
    assert_eq!(deprecated.len(), 1);
    assert_eq!(deprecated[0]["change"], "deprecated");
    assert_eq!(deprecated[0]["newly"], false);
    assert_eq!(change_labels(m, "T9999"), ["not-in-from", "not-in-to"]);
    assert_eq!(
        reference(m, "T1193")["places"].as_array().map(Vec::len),
        Some(2)
    );
    // 17.1 rejects the revoked IDs too: left out there; on 18.1 the model is evaluated as
    // migrated.
    let e = &m["exposures"];
    assert!(e["compared"].as_bool().unwrap_or(false), "{e:#}");
    let dropped_from: Vec<String> = e["dropped_from"]
        .as_array()
        .expect("dropped")
        .iter()
        .filter_map(|d| d["value"].as_str().map(String::from))
        .collect();
    for id in [
        "T1192", "T1193", "T1086", "T1073", "T1077", "G0118", "T9999",
    ] {
        assert!(
            dropped_from.contains(&id.to_string()),
            "{id} left out on 17.1: {dropped_from:?}"
        );
    }
    let replaced = strings(&e["replaced_to"]);
    assert!(
        replaced.contains(&"T1192 -> T1566.002".to_string()),
        "{replaced:?}"
    );
    assert!(
        replaced.contains(&"G0118 -> G0016".to_string()),
        "{replaced:?}"
    );
    // APT29 brings its techniques on 18.1 only (G0118 was revoked in 17.1 already).
    assert!(e["new_gaps"].as_u64() > Some(0));
}

#[test]
fn migrate_hand_made_17_1_model_to_18_1() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let (_dir, path) = copy_to_temp(&fixture("legacy-17.1.yaml"), "legacy.yaml");
    let before = read(&path);
    let out = atkmap(&data)
        .args(["migrate", "--to", "18.1"])
        .arg(&path)
        .output()
        .expect("atkmap runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = read(&path);
    // Every byte outside the edited values is the same: the whole file equals the original
    // with exactly these values replaced.
    let expected = expected_after(
        &before,
        &[
            (9, 40, "17.1", "18.1"),
            (19, 18, "T1192", "T1566.002"),
            (19, 25, "T1193", "T1566.001"),
            (19, 34, "T1086", "T1059.001"),
            (21, 9, "G0118", "G0016"),
            (27, 9, "T1073", "T1574.001"),
            (55, 98, "T1193", "T1566.001"),
            (58, 16, "T1077", "T1021.002"),
        ],
    );
    assert_eq!(after, expected);
    // Comments and quoting survive.
    assert!(after.contains(
        "attack: { domain: enterprise, version: \"18.1\" }   # before the v18 detection model\n"
    ));
    assert!(after.contains("    techniques: [T1566.002, \"T1566.001\", T1059.001]\n"));
    assert!(after.contains("      - 'G0014'      # Night Dragon: deprecated\n"));
    assert!(after.contains("  - technique: \"T1021.002\"   # Windows Admin Shares\n"));
    assert!(after.contains("description: \"Pièce jointe piégée — macro\", actor: phishing-crew, technique: T1566.001, target"));
    // The summary says what changed and what needs a human.
    assert!(
        stdout.contains("T1073 -> T1574.001 (DLL; revoked via T1574.002)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[deprecated] G0014 (Night Dragon)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[deprecated] T1064 (Scripting)"),
        "{stdout}"
    );
    assert!(stdout.contains("[not-in-target] T9999"), "{stdout}");
    assert!(
        stdout.contains("changed 1 of 1 file: 7 IDs replaced, 3 items need a human"),
        "{stdout}"
    );
    // The result pins 18.1 and checks clean but for the ID that never existed.
    let check = atkmap(&data)
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("check runs");
    let report: Value = serde_json::from_slice(&check.stdout).expect("check JSON");
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["level"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["code"], "unknown-attack-id");

    // Idempotent: a second run has nothing to do and leaves the file as it is.
    let out = atkmap(&data)
        .args(["migrate", "--to", "18.1"])
        .arg(&path)
        .output()
        .expect("atkmap runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to do"));
    assert_eq!(read(&path), after);
    // --strict: the deprecated objects still need a human, so exit 1.
    let out = atkmap(&data)
        .args(["migrate", "--to", "18.1", "--strict"])
        .arg(&path)
        .output()
        .expect("atkmap runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(&path), after);
}

#[test]
fn migrate_dry_run_prints_a_diff_and_writes_nothing() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let (dir, path) = copy_to_temp(&fixture("legacy-17.1.yaml"), "legacy.yaml");
    let before = read(&path);
    let out = atkmap(&data)
        .current_dir(dir.path())
        .args(["migrate", "--to", "18.1", "--dry-run", "legacy.yaml"])
        .output()
        .expect("atkmap runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(&path), before, "--dry-run writes nothing");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["legacy.yaml"], "no temporary file is left behind");
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/legacy.yaml\n+++ b/legacy.yaml\n@@ -6,7 +6,7 @@\n"),
        "{diff}"
    );
    assert!(diff.contains("\n-    techniques: [T1192, \"T1193\", T1086]\n+    techniques: [T1566.002, \"T1566.001\", T1059.001]\n"), "{diff}");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("would be migrated; 7 IDs replaced"),
        "{summary}"
    );

    // The diff's removed and added lines are exactly the lines a real run changes.
    let (_other, copy) = copy_to_temp(&fixture("legacy-17.1.yaml"), "legacy.yaml");
    atkmap(&data)
        .args(["migrate", "--to", "18.1"])
        .arg(&copy)
        .assert()
        .success();
    let migrated = read(&copy);
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(migrated.lines())
        .filter(|(a, b)| a != b)
        .collect();
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .map(|l| &l[1..])
        .collect();
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| &l[1..])
        .collect();
    assert_eq!(removed, changed.iter().map(|c| c.0).collect::<Vec<_>>());
    assert_eq!(added, changed.iter().map(|c| c.1).collect::<Vec<_>>());

    // JSON carries the diff too.
    let doc = run_json(atkmap(&data).current_dir(dir.path()).args([
        "migrate",
        "--to",
        "18.1",
        "--dry-run",
        "--format",
        "json",
        "legacy.yaml",
    ]));
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["files"][0]["changed"], true);
    assert_eq!(
        doc["files"][0]["replacements"].as_array().map(Vec::len),
        Some(7)
    );
    assert_eq!(doc["files"][0]["diff"].as_str(), Some(diff.as_ref()));
    assert_eq!(read(&path), before);
}

#[test]
fn example_models_need_no_migration_to_their_own_release() {
    let Some(data) = common::data_dir() else {
        return;
    };
    for model in [EKYC, TELCO] {
        let (_dir, path) = copy_to_temp(&common::repo().join(model), "model.yaml");
        let before = read(&path);
        let out = atkmap(&data)
            .args(["migrate", "--to", "18.1"])
            .arg(&path)
            .output()
            .expect("atkmap runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("nothing to do; 0 IDs replaced"), "{stdout}");
        assert_eq!(read(&path), before);
    }
}

#[test]
fn migrate_refuses_broken_models_and_writes_nothing() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.yaml");
    std::fs::copy(fixture("legacy-17.1.yaml"), &good).expect("copy");
    let broken = dir.path().join("broken.yaml");
    let broken_text = "atkmap: 1\nname: broken\nattack: { domain: enterprise, version: \"17.1\" }\nactors:\n  - id: a\n    name: A\n    techniques: [T1192\n";
    std::fs::write(&broken, broken_text).expect("write");
    let good_text = read(&good);
    let out = atkmap(&data)
        .args(["migrate", "--to", "18.1"])
        .arg(&good)
        .arg(&broken)
        .output()
        .expect("atkmap runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml:"), "{stderr}");
    assert!(stderr.contains("yaml-syntax"), "{stderr}");
    assert_eq!(
        read(&broken),
        broken_text,
        "the broken model is not modified"
    );
    assert_eq!(
        read(&good),
        good_text,
        "nothing is written when any model fails"
    );

    // A model pinned to a newer release than --to.
    let out = atkmap(&data)
        .args(["migrate", "--to", "17.1"])
        .arg(common::repo().join(EKYC))
        .output()
        .expect("atkmap runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only moves models forward"));
}

// ---------------------------------------------------------------------------------------------
// Synthetic releases 90.0 -> 91.0: each kind of change real data lacks
// ---------------------------------------------------------------------------------------------

#[test]
fn synthetic_diff_names_each_kind_of_change() {
    let data = synthetic_data();
    let doc = run_json(
        atkmap(data.path())
            .args(["diff", "--from", "90.0", "--to", "91.0", "--format", "json"])
            .arg(fixture("synthetic-90.yaml")),
    );
    let m = &doc["models"][0];
    let revoked = |id: &str| -> (String, Vec<String>) {
        let c = changes(m, id)
            .into_iter()
            .find(|c| c["change"] == "revoked")
            .unwrap_or_else(|| panic!("{id} revoked"));
        assert_eq!(c["newly"], true, "{id}");
        (
            c["outcome"].as_str().unwrap_or_default().to_string(),
            ids(&c["replaced_by"]),
        )
    };
    assert_eq!(revoked("T9100"), ("replaced".into(), vec!["T9101".into()]));
    assert_eq!(
        revoked("T9200"),
        ("replaced".into(), vec!["T9202".into()]),
        "revoked-by chain"
    );
    assert_eq!(
        revoked("T9300"),
        ("split".into(), vec!["T9301".into(), "T9302".into()])
    );
    assert_eq!(
        revoked("T9400"),
        ("kind-changed".into(), vec!["M9400".into()])
    );
    assert_eq!(revoked("M9001"), ("replaced".into(), vec!["M9002".into()]));
    assert_eq!(revoked("G9001"), ("replaced".into(), vec!["G9002".into()]));
    assert_eq!(
        revoked("DET9001"),
        ("replaced".into(), vec!["DET9002".into()])
    );
    assert_eq!(change_labels(m, "T9500"), ["deprecated"]);
    assert_eq!(change_labels(m, "T9600"), ["renamed", "retacticed"]);
    let t9600 = changes(m, "T9600");
    assert_eq!(
        (t9600[0]["from"].as_str(), t9600[0]["to"].as_str()),
        (Some("Renamed Technique"), Some("Renamed Technique v2"))
    );
    assert_eq!(
        (strings(&t9600[1]["from"]), strings(&t9600[1]["to"])),
        (
            vec!["initial-access".to_string()],
            vec!["execution".to_string()]
        )
    );
    // Matched by STIX id: the sub-technique that moved keeps its identity under a new ID.
    assert_eq!(change_labels(m, "T9700.001"), ["renumbered", "moved"]);
    let moved = changes(m, "T9700.001");
    assert_eq!(moved[0]["to"], "T9701.001");
    assert_eq!(
        (
            moved[1]["from_parent"].as_str(),
            moved[1]["to_parent"].as_str()
        ),
        (Some("T9700"), Some("T9701"))
    );
    let promoted = changes(m, "T9702.001");
    assert_eq!(promoted[0]["to"], "T9703");
    assert!(promoted[1]["to_parent"].is_null());
    assert_eq!(change_labels(m, "T9801"), ["platforms"]);
    assert_eq!(strings(&changes(m, "T9801")[0]["added"]), ["Linux"]);
    assert_eq!(m["unchanged_references"], 5);

    // Groups: G9003 gained T9800 and lost the deprecated T9500.
    let g9003 = m["groups"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g["id"] == "G9003"))
        .expect("G9003");
    assert_eq!(
        (ids(&g9003["gained"]), ids(&g9003["lost"])),
        (vec!["T9800".to_string()], vec!["T9500".to_string()])
    );
    // Techniques that newly apply to the Linux server.
    let new_techniques: Vec<(String, String)> = m["new_techniques"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_string(),
                t["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(new_techniques.contains(&("T9800".into(), "new-technique".into())));
    assert!(new_techniques.contains(&("T9801".into(), "new-platforms".into())));

    // Exposures: two new gaps (T9800 from the group, T9801 on its new platform), one closed
    // (T9600 gains the mitigation M9010, implemented: gap/high -> partial/medium, the risk
    // halved), and two severity
    // changes: T9600's, and T9202's, which the threat on T9201 migrates onto (explicit evidence
    // triples its risk: high -> critical).
    let e = &m["exposures"];
    assert_eq!(
        (
            e["new_gaps"].as_u64(),
            e["closed_gaps"].as_u64(),
            e["severity_changes"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
    let listed: Vec<(String, String)> = e["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap_or_default().to_string(),
                c["technique"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("new-gap".to_string(), "T9801".to_string()),
            ("new-gap".into(), "T9800".into()),
            ("closed-gap".into(), "T9600".into()),
            ("severity".into(), "T9202".into()),
            ("removed".into(), "T9300".into()),
            ("removed".into(), "T9400".into()),
        ]
    );
    let closed = &e["changes"][2];
    assert_eq!(
        (
            closed["before"]["status"].as_str(),
            closed["before"]["severity"].as_str()
        ),
        (Some("gap"), Some("high"))
    );
    assert_eq!(
        (
            closed["after"]["status"].as_str(),
            closed["after"]["severity"].as_str()
        ),
        (Some("partial"), Some("medium"))
    );
    // On 91.0 the model is evaluated as migrated; what migration cannot decide is left out.
    assert_eq!(
        e["dropped_to"].as_array().map(|d| d
            .iter()
            .filter_map(|x| x["value"].as_str())
            .collect::<Vec<_>>()),
        Some(vec!["T9300", "T9400"])
    );
    assert!(strings(&e["replaced_to"]).contains(&"T9700.001 -> T9701.001".to_string()));

    // The release-wide lists.
    let doc = run_json(
        atkmap(data.path()).args(["diff", "--from", "90.0", "--to", "91.0", "--format", "json"]),
    );
    let release = &doc["release"];
    assert_eq!(release["moved"].as_array().map(Vec::len), Some(2));
    assert_eq!(release["retacticed"][0]["id"], "T9600");
    assert_eq!(release["deprecated"][0]["id"], "T9500");
    assert_eq!(release["revoked"].as_array().map(Vec::len), Some(8));
    let renumbered: Vec<(String, String)> = release["renumbered"]
        .as_array()
        .expect("renumbered list")
        .iter()
        .map(|r| {
            (
                r["from"].as_str().unwrap_or_default().to_string(),
                r["to"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        renumbered,
        [
            ("T9700.001".to_string(), "T9701.001".to_string()),
            ("T9702.001".into(), "T9703".into())
        ]
    );

    // Text and Markdown.
    let out = atkmap(data.path())
        .args(["diff", "--from", "90.0", "--to", "91.0"])
        .arg(fixture("synthetic-90.yaml"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "T9300 (technique) Split Me: revoked in 91.0, split into T9301 Split Part One (technique), T9302 Split Part Two (technique)",
        "T9400 (technique) Becomes Mitigation: revoked in 91.0 by an object of another kind: M9400",
        "moved: sub-technique of T9702 -> top-level technique",
        "new gaps 2, closed gaps 1, severity changes 2",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let out = atkmap(data.path())
        .args(["diff", "--from", "90.0", "--to", "91.0", "--format", "md"])
        .arg(fixture("synthetic-90.yaml"))
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# ATT&CK enterprise 90.0 → 91.0"), "{md}");
    assert!(md.contains("| T9300 | technique | Split Me |"), "{md}");
}

#[test]
fn synthetic_model_pinned_to_the_later_release() {
    let data = synthetic_data();
    let doc = run_json(
        atkmap(data.path())
            .args(["diff", "--from", "90.0", "--to", "91.0", "--format", "json"])
            .arg(fixture("synthetic-91.yaml")),
    );
    let m = &doc["models"][0];
    for id in ["G9002", "T9800", "T9101", "M9002", "DET9002"] {
        assert_eq!(change_labels(m, id), ["not-in-from"], "{id}");
    }
    let e = &m["exposures"];
    assert_eq!(e["compared"], true);
    let dropped: Vec<String> = e["dropped_from"]
        .as_array()
        .expect("dropped")
        .iter()
        .filter_map(|d| d["value"].as_str().map(String::from))
        .collect();
    assert_eq!(dropped, ["G9002", "T9800", "T9101", "M9002", "DET9002"]);
    assert!(e["dropped_to"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn synthetic_migration_edits_in_place_and_lists_what_needs_a_human() {
    let data = synthetic_data();
    let (_dir, path) = copy_to_temp(&fixture("synthetic-90.yaml"), "model.yaml");
    let before = read(&path);
    let doc = run_json(
        atkmap(data.path())
            .args(["migrate", "--to", "91.0", "--format", "json"])
            .arg(&path),
    );
    let after = read(&path);
    let expected = expected_after(
        &before,
        &[
            (5, 39, "90.0", "91.0"),
            (7, 20, "T9100", "T9101"),
            (14, 14, "G9001", "G9002"),
            (16, 9, "T9100", "T9101"),
            (17, 9, "T9200", "T9202"),
            (22, 9, "T9700.001", "T9701.001"),
            (23, 9, "T9702.001", "T9703"),
            (43, 19, "M9001", "M9002"),
            (44, 18, "DET9001", "DET9002"),
            (55, 93, "T9201", "T9202"),
            (58, 16, "T9100", "T9101"),
        ],
    );
    assert_eq!(after, expected);
    let file = &doc["files"][0];
    let reasons: Vec<(String, String)> = file["replacements"]
        .as_array()
        .expect("replacements")
        .iter()
        .map(|r| {
            (
                r["from"].as_str().unwrap_or_default().to_string(),
                r["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(reasons.contains(&("T9700.001".into(), "renumbered".into())));
    assert!(reasons.contains(&("T9200".into(), "revoked".into())));
    let chain = file["replacements"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["from"] == "T9200"))
        .expect("T9200");
    assert_eq!(strings(&chain["via"]), ["T9201"]);
    let human: Vec<(String, String, Vec<String>)> = file["needs_human"]
        .as_array()
        .expect("needs_human")
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap_or_default().to_string(),
                h["problem"].as_str().unwrap_or_default().to_string(),
                ids(&h["candidates"]),
            )
        })
        .collect();
    assert_eq!(
        human,
        [
            (
                "T9300".to_string(),
                "split".to_string(),
                vec!["T9301".to_string(), "T9302".to_string()]
            ),
            ("T9400".into(), "kind-changed".into(), vec!["M9400".into()]),
            ("T9500".into(), "deprecated".into(), vec![]),
        ]
    );
    // Idempotent.
    let doc = run_json(
        atkmap(data.path())
            .args(["migrate", "--to", "91.0", "--format", "json"])
            .arg(&path),
    );
    assert_eq!(doc["files"][0]["changed"], false);
    assert_eq!(
        doc["files"][0]["replacements"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(read(&path), after);
}

#[test]
fn diff_usage_errors_exit_2() {
    let data = synthetic_data();
    let bundle = data.path().join("enterprise-attack-91.0.json");
    let out = atkmap(data.path())
        .arg("--attack")
        .arg(&bundle)
        .args(["diff", "--from", "90.0", "--to", "91.0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("diff compares two releases"));
    let out = atkmap(data.path())
        .args(["diff", "--from", "90.0", "--to", "95.0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a missing release");
    let out = atkmap(data.path())
        .args(["diff", "--from", "90.0", "--to", "91.0"])
        .arg(fixture("does-not-exist.yaml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// Model text reaches `diff --format md` (a pull-request comment) escaped like the reports':
/// it used to escape only `|`, so a model's name could carry HTML and Markdown into the comment.
#[test]
fn model_text_cannot_inject_markdown_into_the_diff() {
    let data = synthetic_data();
    let text = read(&fixture("synthetic-90.yaml"));
    let name_line = text
        .lines()
        .find(|l| l.starts_with("name:"))
        .expect("a name line")
        .to_string();
    let hostile = text.replace(
        &name_line,
        "name: \"Evil <img src=x onerror=alert(1)> **bold** [link](https://evil.example) | pipe\"",
    );
    let (_dir, model) = copy_to_temp(&fixture("synthetic-90.yaml"), "hostile.yaml");
    std::fs::write(&model, hostile).expect("write");
    let out = atkmap(data.path())
        .args(["diff", "--from", "90.0", "--to", "91.0", "--format", "md"])
        .arg(&model)
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("Evil &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\*"),
        "{md}"
    );
    assert!(
        md.contains("\\[link\\]\\(https://evil.example\\) \\| pipe"),
        "{md}"
    );
    assert!(!md.contains("<img"), "{md}");
}

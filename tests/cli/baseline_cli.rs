//! `atkmap report --baseline`: matching survives reordering and renamed files, an expiring
//! acceptance shows as worse, and `--fail-on-new` gates only on regressions.

use crate::common;

use std::path::Path;

use serde_json::Value;

const EKYC: &str = "models/ekyc-national-id.yaml";

fn atkmap(data: &Path, today: &str) -> assert_cmd::Command {
    let mut cmd = common::atkmap();
    cmd.current_dir(common::repo())
        .arg("--data-dir")
        .arg(data)
        .args(common::companion_args())
        .env("ATKMAP_TODAY", today);
    cmd
}

fn baseline(data: &Path, dir: &Path) -> std::path::PathBuf {
    let base = dir.join("base.json");
    atkmap(data, "2026-11-25")
        .args(["report", EKYC, "--fail-on", "none", "-o"])
        .arg(&base)
        .assert()
        .success();
    base
}

fn compared(data: &Path, today: &str, model: &Path, base: &Path) -> Value {
    let out = atkmap(data, today)
        .arg("report")
        .arg(model)
        .args(["--fail-on", "none", "--baseline"])
        .arg(base)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn reordered_and_renamed_models_match_their_baseline() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let base = baseline(&data, dir.path());
    // The same model under another name, with its top-level sections in reverse order and a
    // comment block added at the top (every line number moves).
    let text = std::fs::read_to_string(common::repo().join(EKYC)).expect("model");
    let mut sections: Vec<String> = Vec::new();
    for line in text.lines() {
        let starts_section = line.starts_with(|c: char| c.is_ascii_lowercase());
        if starts_section || sections.is_empty() {
            sections.push(String::new());
        }
        if let Some(last) = sections.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    assert!(
        sections.len() > 8,
        "the model has its sections at the top level"
    );
    sections.reverse();
    let moved = format!(
        "# moved and renamed\n# for the baseline test\n{}",
        sections.concat()
    );
    let renamed = dir.path().join("renamed-model.yaml");
    std::fs::write(&renamed, moved).expect("write");
    let r = compared(&data, "2026-11-25", &renamed, &base);
    let b = &r["baseline"];
    assert_eq!(b["new"], 0, "{b}");
    assert_eq!(b["gone"], 0, "{b}");
    assert_eq!(b["worse"], 0, "{b}");
    assert_eq!(b["better"], 0, "{b}");
    assert_eq!(b["unchanged"], r["summary"]["exposures"], "{b}");
    for e in r["exposures"].as_array().expect("exposures") {
        assert_eq!(e["trend"], "unchanged");
    }
}

#[test]
fn an_expired_acceptance_is_worse_and_fails_only_new_or_worse() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let base = baseline(&data, dir.path());
    let model = common::repo().join(EKYC);
    // On 2027-07-01 both of the model's acceptances (2027-03-31, 2027-06-30) have expired.
    let r = compared(&data, "2027-07-01", &model, &base);
    let worse: Vec<&Value> = r["exposures"]
        .as_array()
        .expect("exposures")
        .iter()
        .filter(|e| e["trend"] == "worse")
        .collect();
    assert!(!worse.is_empty());
    assert!(worse.iter().any(|e| e["actor"] == "mule-account-ring"
        && e["technique"] == "T1656"
        && e["system"] == "shop-onboarding"));
    for e in &worse {
        assert_ne!(e["status"], "accepted");
    }
    assert!(
        r["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("expired")))
    );

    // Unchanged gaps do not fail --fail-on-new; the expired acceptances do.
    atkmap(&data, "2026-11-25")
        .args([
            "report",
            EKYC,
            "--fail-on",
            "low",
            "--fail-on-new",
            "-o",
            "/dev/null",
            "--baseline",
        ])
        .arg(&base)
        .assert()
        .code(0);
    let out = atkmap(&data, "2027-07-01")
        .args([
            "report",
            EKYC,
            "--fail-on",
            "low",
            "--fail-on-new",
            "-o",
            "/dev/null",
            "--baseline",
        ])
        .arg(&base)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("new or worse"));
}

#[test]
fn removed_exposures_are_gone_and_counted_as_closed() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let base = baseline(&data, dir.path());
    // Without the mule-account ring, its exposures are gone.
    let text = std::fs::read_to_string(common::repo().join(EKYC)).expect("model");
    let start = text.find("  - id: mule-account-ring").expect("the ring");
    let end = text[start..]
        .find("\nsystems:")
        .map(|e| start + e + 1)
        .expect("systems");
    let without = format!("{}{}", &text[..start], &text[end..]);
    // Its explicit threat goes with it.
    let threat = without
        .find("  - id: deepfake-liveness-bypass")
        .expect("the ring's threat");
    let threat_end = threat + without[threat..].find("\n\n").expect("the threat's end") + 2;
    let without = format!("{}{}", &without[..threat], &without[threat_end..]);
    let model = dir.path().join("no-ring.yaml");
    std::fs::write(
        &model,
        without.replace("    actor: mule-account-ring\n", ""),
    )
    .expect("write");
    let out = atkmap(&data, "2026-11-25")
        .arg("report")
        .arg(&model)
        .args(["--fail-on", "none", "--format", "md", "--baseline"])
        .arg(&base)
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // The acceptance that names the ring must go too; the model is invalid otherwise.
        panic!("{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(md.contains(" closed** since the baseline"), "{md}");
    let out = atkmap(&data, "2026-11-25")
        .arg("report")
        .arg(&model)
        .args(["--fail-on", "none", "--baseline"])
        .arg(&base)
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        r["gone"]
            .as_array()
            .expect("gone")
            .iter()
            .all(|g| g["actor"] == "mule-account-ring")
    );
    assert!(r["baseline"]["closed"].as_u64() > Some(0));
}

#[test]
fn a_baseline_that_is_not_a_report_is_refused() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"runs\": []}").expect("write");
    let out = atkmap(&data, "2026-11-25")
        .args(["report", EKYC, "--baseline"])
        .arg(&bogus)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a usable baseline"));
    atkmap(&data, "2026-11-25")
        .args(["report", EKYC, "--fail-on-new"])
        .assert()
        .code(2);
}

/// The first pull request of a repository: the target branch has no models (or no baseline
/// file was made). Nothing is "new" then; the gate judges every open exposure on its own.
#[test]
fn a_missing_or_empty_baseline_gates_on_the_absolute_threshold() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"exposures": []}"#).expect("write");
    let missing = dir.path().join("missing.json");
    for (base, says) in [(&empty, "holds no model"), (&missing, "no baseline at")] {
        for threshold in ["critical", "none"] {
            let out = atkmap(&data, "2026-11-25")
                .args(["report", EKYC, "--fail-on", threshold, "--fail-on-new"])
                .arg("--baseline")
                .arg(base)
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(says), "{stderr}");
            // The eKYC example has critical findings: the absolute threshold decides.
            let expected = if threshold == "none" { 0 } else { 1 };
            assert_eq!(out.status.code(), Some(expected), "{threshold}: {stderr}");
            let report: Value = serde_json::from_slice(&out.stdout).expect("json");
            assert!(report.get("baseline").is_none(), "nothing was compared");
            assert!(report["exposures"][0].get("trend").is_none());
        }
    }
}

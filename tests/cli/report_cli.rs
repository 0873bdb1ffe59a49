//! `atkmap report`, `graph` and `paths` on the example models and Enterprise 18.1: findings
//! worked out by hand, the CI gate's exit codes, outputs, templates and determinism.

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::Value;

const EKYC: &str = "models/ekyc-national-id.yaml";
const TELCO: &str = "models/telco-sim-registration.yaml";

/// `atkmap` on the real data, from the repository root, on a fixed day.
fn atkmap(data: &Path) -> assert_cmd::Command {
    let mut cmd = common::atkmap();
    cmd.current_dir(common::repo())
        .arg("--data-dir")
        .arg(data)
        .args(common::companion_args())
        .env("ATKMAP_TODAY", "2026-11-25");
    cmd
}

fn report_json(data: &Path, model: &str) -> Value {
    let out = atkmap(data)
        .args(["report", model, "--format", "json", "--fail-on", "none"])
        .output()
        .expect("atkmap runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

fn exposure<'a>(
    report: &'a Value,
    actor: &str,
    technique: &str,
    system: &str,
) -> Option<&'a Value> {
    report["exposures"]
        .as_array()?
        .iter()
        .find(|e| e["actor"] == actor && e["technique"] == technique && e["system"] == system)
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

#[test]
fn ekyc_findings_worked_out_by_hand() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let r = report_json(&data, EKYC);
    assert_eq!(r["attack"]["version"], "18.1");
    assert_eq!(r["attack"]["sha256"].as_str().map(str::len), Some(64));

    assert_eq!(r["generator"]["rules"], 2);
    // The mule ring holds the 2017 ID images (kind id-card-image); the shop verifies
    // id-card-image: Impersonation there is a reuse exposure, which the model accepts for this
    // actor until 2027-06-30. The shop is internet-facing (3), its flows carry restricted
    // applicant captures (4), reuse is modelled (2) and takes (3): risk 72, and the walkable
    // reuse step is a foothold on a system carrying the captures, so it is on a path: critical.
    let e = exposure(&r, "mule-account-ring", "T1656", "shop-onboarding").expect("reuse exposure");
    assert_eq!(e["status"], "accepted");
    assert_eq!(e["acceptance"]["expires"], "2027-06-30");
    assert_eq!(
        (e["impact"].as_u64(), e["likelihood"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(
        (&e["evidence"], &e["role"]),
        (&"modelled".into(), &"takes".into())
    );
    assert_eq!(e["risk"], 72);
    assert_eq!(e["on_path"], true);
    assert_eq!(e["severity"], "critical");
    let reasons: Vec<&Value> = e["reasons"].as_array().expect("reasons").iter().collect();
    assert!(
        reasons
            .iter()
            .any(|x| x["kind"] == "reuse" && x["data"] == "leaked-id-images-2017")
    );
    // The ring's leaked personal data is not of a kind the shop verifies.
    assert!(
        !reasons
            .iter()
            .any(|x| x["data"] == "leaked-personal-data-2017")
    );
    // With no initial-access or lateral-movement technique of its own, the ring gets only as far
    // as its leaked images work: the verifiers where nothing prevents the replay.
    let ring = r["models"][0]["actors"]
        .as_array()
        .expect("actors")
        .iter()
        .find(|a| a["id"] == "mule-account-ring")
        .expect("the ring");
    // With ATLAS, a deepfake made from the leaked ID photo also beats the bank's selfie check,
    // which screens replayed ID images but detects no deepfakes.
    assert_eq!(
        strings(&ring["reaches"]),
        ["bank-onboarding-app", "shop-onboarding", "ekyc-vendor-api"]
    );

    // The bulk download from the vendor's image storage is an explicit threat: restricted (4) x
    // partner (2) x explicit (3) x takes (3) = 72, a gap, critical; the storage is where the
    // 17 million images rest, so it is among the first findings.
    let e = exposure(
        &r,
        "vendor-supply-chain-intruder",
        "T1530",
        "ekyc-vendor-storage",
    )
    .expect("the bulk download");
    assert_eq!(
        (e["status"].as_str(), e["risk"].as_u64()),
        (Some("gap"), Some(72))
    );
    assert_eq!(e["severity"], "critical");
    let rank = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .position(|f| f["system"] == "ekyc-vendor-storage" && f["technique"] == "T1530")
        .expect("a finding");
    // Only the replays of the leaked images at the onboarding front doors (a deepfake against the
    // bank's and the shop's selfie checks, the shop's impersonation and valid-account replays)
    // rank above it.
    assert!(rank < 5, "the image storage ranks #{}", rank + 1);

    // The registry accepts every actor's Trusted Relationship (a statute, per the model).
    for e in r["exposures"].as_array().expect("exposures") {
        if e["technique"] == "T1199" && e["system"] == "registry-verification-api" {
            assert_eq!(e["status"], "accepted", "{e}");
        }
    }

    // Purchase Technical Data is PRE-only: preparation, never an exposure.
    assert!(
        r["exposures"]
            .as_array()
            .expect("exposures")
            .iter()
            .all(|e| e["technique"] != "T1597.002")
    );
    let prep = r["preparation"]
        .as_array()
        .expect("preparation")
        .iter()
        .find(|p| p["actor"] == "id-data-broker" && p["technique"] == "T1597.002")
        .expect("the broker's preparation");
    assert_ne!(prep["observability"], "observable");

    // The intruder lists Supply Chain Compromise (Linux, Windows, macOS) itself; the vendor's
    // build pipeline runs on Linux and is one of its entry systems.
    let e = exposure(
        &r,
        "vendor-supply-chain-intruder",
        "T1195.002",
        "ekyc-vendor-ci",
    )
    .expect("T1195.002");
    assert!(
        e["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|x| x["kind"] == "actor-technique")
    );
    assert_eq!(e["location"]["file"], EKYC);
    // Application Access Token has no Linux platform: never on the (Linux) population register.
    assert!(
        exposure(
            &r,
            "vendor-supply-chain-intruder",
            "T1550.001",
            "registry-db"
        )
        .is_none()
    );

    // Every open exposure names what to do: missing mitigations or data components.
    for e in r["exposures"].as_array().expect("exposures") {
        if e["status"] == "gap" {
            let missing = e["mitigations"]["missing"].as_array().map_or(0, Vec::len)
                + e["detection"]["missing_data_components"]
                    .as_array()
                    .map_or(0, Vec::len);
            let known = e["mitigations"]["relevant"].as_array().map_or(0, Vec::len)
                + e["detection"]["strategies"].as_array().map_or(0, Vec::len);
            assert!(missing > 0 || known == 0, "{e}");
        }
    }
    // Paths lead from the broker to Acme's stored ID-card images.
    let paths = r["paths"].as_array().expect("paths");
    assert!(
        paths
            .iter()
            .any(|p| p["actor"] == "id-data-broker" && p["data"] == "ekyc-id-card-images")
    );
    for p in paths {
        // Every step is made by a walkable technique, except an explicit entry's foothold.
        for (i, hop) in p["hops"].as_array().expect("hops").iter().enumerate() {
            assert!(
                !strings(&hop["techniques"]).is_empty() || (i == 0 && p["start"] == "entry"),
                "every step has a technique: {p}"
            );
        }
        assert!(
            !strings(&p["takes"]).is_empty(),
            "a path ends where the actor takes: {p}"
        );
    }
    // Summary counts add up.
    let by_status = &r["summary"]["by_status"];
    let total: u64 = ["covered", "partial", "gap", "accepted"]
        .iter()
        .filter_map(|s| by_status[*s].as_u64())
        .sum();
    assert_eq!(Some(total), r["summary"]["exposures"].as_u64());
}

#[test]
fn the_gate_exit_codes() {
    let Some(data) = common::data_dir() else {
        return;
    };
    // Both models have unaccepted critical gaps.
    for (fail_on, code) in [("none", 0), ("critical", 1), ("high", 1), ("low", 1)] {
        atkmap(&data)
            .args(["report", EKYC, "--fail-on", fail_on, "-o", "/dev/null"])
            .assert()
            .code(code);
    }
    // `-o /dev/null` writes into the device; it must never replace it with a file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let meta = std::fs::metadata("/dev/null").expect("/dev/null");
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null was replaced by a file"
        );
    }
    // The default is high; the message says why.
    let out = atkmap(&data)
        .args(["report", TELCO, "-o", "/dev/null"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at or above high"), "{stderr}");
    // ... and names the worst failing findings, each with its model line, at most ten.
    let named: Vec<&str> = stderr.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(!named.is_empty() && named.len() <= 11, "{stderr}");
    assert!(
        named[0].trim_start().starts_with("critical") && named[0].contains(" on "),
        "{stderr}"
    );
    assert!(named[0].contains(&format!("{TELCO}:")), "{stderr}");
    // Invalid input: exit 2.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"18.1\"}\nactors: [{id: X, name: y}]\n")
        .expect("write");
    atkmap(&data).arg("report").arg(&bad).assert().code(2);
    // Usage errors: exit 2.
    atkmap(&data)
        .args(["report", EKYC, "--fail-on", "severe"])
        .assert()
        .code(2);
    atkmap(&data)
        .args([
            "report", EKYC, "--format", "json", "--format", "md", "-o", "x.json",
        ])
        .assert()
        .code(2);
}

#[test]
fn several_outputs_in_one_run_and_an_output_directory() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    let md = dir.path().join("r.md");
    atkmap(&data)
        .args([
            "report",
            EKYC,
            "--fail-on",
            "none",
            "--format",
            "json",
            "-o",
        ])
        .arg(&json)
        .args(["--format", "md", "-o"])
        .arg(&md)
        .assert()
        .success()
        .stdout("");
    let parsed: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    assert_eq!(parsed["models"][0]["file"], EKYC);
    assert!(
        std::fs::read_to_string(&md)
            .expect("md written")
            .starts_with("## atkmap:")
    );
    // Nothing but the outputs is left behind (atomic writes clean up their temporary files).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let out_dir = dir.path().join("out");
    atkmap(&data)
        .args([
            "report",
            EKYC,
            "--fail-on",
            "none",
            "--format",
            "md",
            "--format",
            "json",
            "--output-dir",
        ])
        .arg(&out_dir)
        .assert()
        .success();
    assert!(out_dir.join("atkmap-report.md").is_file());
    assert!(out_dir.join("atkmap-report.json").is_file());
}

#[test]
fn reports_are_deterministic() {
    let Some(data) = common::data_dir() else {
        return;
    };
    for format in ["json", "md"] {
        let run = || {
            atkmap(&data)
                .args([
                    "report",
                    EKYC,
                    TELCO,
                    "--fail-on",
                    "none",
                    "--format",
                    format,
                ])
                .output()
                .expect("runs")
                .stdout
        };
        assert_eq!(run(), run(), "{format} output differs between runs");
    }
}

#[test]
fn markdown_snapshots() {
    let Some(data) = common::data_dir() else {
        return;
    };
    for model in [EKYC, TELCO, "models/digital-bank.yaml"] {
        let out = atkmap(&data)
            .args(["report", model, "--fail-on", "none", "--format", "md"])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let name = Path::new(model)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("model");
        insta::assert_snapshot!(format!("markdown-{name}"), text);
    }
}

#[test]
fn templates_can_be_overridden_and_errors_name_the_file_and_line() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("report.md"),
        "# {{ report.models[0].name }}: {{ views.open_total }} open\n",
    )
    .expect("write");
    let out = atkmap(&data)
        .args([
            "report",
            EKYC,
            "--fail-on",
            "none",
            "--format",
            "md",
            "--template",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("# National-ID eKYC onboarding supply chain: ")
    );

    let broken = dir.path().join("report.md");
    std::fs::write(&broken, "fine\n{% for x in %}\n").expect("write");
    let out = atkmap(&data)
        .args([
            "report",
            EKYC,
            "--fail-on",
            "none",
            "--format",
            "md",
            "--template",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2", broken.display())),
        "{stderr}"
    );
}

#[test]
fn model_text_cannot_inject_markdown() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("hostile.yaml");
    std::fs::write(
        &model,
        r#"atkmap: 1
name: "Evil | [click](http://evil.example) <img src=x onerror=alert(1)>"
attack: {domain: enterprise, version: "18.1"}
systems:
  - {id: portal, name: "Portal ](http://evil.example)", owner: "<script>alert(1)</script>", platforms: [SaaS], exposure: internet}
actors:
  - {id: x, name: "X", techniques: [T1078]}
"#,
    )
    .expect("write");
    let out = atkmap(&data)
        .args(["report", "--fail-on", "none", "--format", "md"])
        .arg(&model)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("<img"), "{text}");
    assert!(!text.contains("[click](http://evil.example)"), "{text}");
    assert!(text.contains("\\[click\\]"), "{text}");
    assert!(!text.contains("<script>"), "{text}");
}

#[test]
fn what_if_says_what_a_control_would_change() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let r = report_json(&data, EKYC);
    let planned = r["models"][0]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["status"] == "planned")
        .and_then(|c| c["id"].as_str())
        .expect("the example model has a planned control")
        .to_string();
    let out = atkmap(&data)
        .args([
            "report",
            EKYC,
            "--fail-on",
            "none",
            "--assume",
            &format!("{planned}=implemented"),
        ])
        .output()
        .expect("runs");
    let assumed: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(assumed["assumptions"][0]["control"], planned.as_str());
    let changes = assumed["what_if"].as_array().expect("what_if");
    assert!(!changes.is_empty());
    for c in changes {
        assert_ne!(c["before"], c["after"]);
    }
    atkmap(&data)
        .args(["report", EKYC, "--assume", "no-such-control=implemented"])
        .assert()
        .code(2);
}

#[test]
fn graph_and_paths_commands() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let mermaid = atkmap(&data).args(["graph", EKYC]).output().expect("runs");
    let text = String::from_utf8_lossy(&mermaid.stdout);
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(text.contains("subgraph"));
    let dot = atkmap(&data)
        .args(["graph", EKYC, "--format", "dot"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&dot.stdout).starts_with("digraph supply_chain {"));
    let json = atkmap(&data)
        .args(["graph", EKYC, "--format", "json"])
        .output()
        .expect("runs");
    let graph: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(
        graph["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["kind"] == "reuse")
    );

    let paths = atkmap(&data)
        .args([
            "paths",
            EKYC,
            "--from",
            "id-data-broker",
            "--to",
            "ekyc-id-card-images",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&paths.stdout);
    assert!(
        text.contains("id-data-broker -> ekyc-id-card-images"),
        "{text}"
    );
    atkmap(&data)
        .args(["paths", EKYC, "--from", "nobody"])
        .assert()
        .code(2);
}

#[test]
fn models_pinned_to_different_releases_are_reported_separately() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let old: PathBuf = dir.path().join("old.yaml");
    std::fs::write(
        &old,
        "atkmap: 1\nname: old\nattack: {domain: enterprise, version: \"17.1\"}\nsystems:\n  - {id: a, name: A, platforms: [SaaS], exposure: internet}\nactors:\n  - {id: x, name: X, techniques: [T1078]}\n",
    )
    .expect("write");
    let out = atkmap(&data)
        .args(["report", EKYC])
        .arg(&old)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("report models pinned to different releases separately")
    );
    // Alone, the 17.1 model reports on 17.1.
    let out = atkmap(&data)
        .args(["report", "--fail-on", "none"])
        .arg(&old)
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["attack"]["version"], "17.1");
}

#[test]
fn every_format_of_a_small_model_is_snapshotted() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let bundle = data
        .join("enterprise-attack-18.1.json")
        .display()
        .to_string();
    // Reports show it relative to the working directory (the repository) when it is below it.
    let shown = Path::new(&bundle)
        .strip_prefix(common::repo())
        .map_or(bundle.clone(), |p| p.display().to_string());
    for format in ["json", "md", "html", "sarif", "navigator"] {
        let out = atkmap(&data)
            .args([
                "report",
                "tests/fixtures/report/small.yaml",
                "--fail-on",
                "none",
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The bundle's path differs between machines; everything else is reproducible.
        let mut text = String::from_utf8(out.stdout).expect("UTF-8");
        for path in [&bundle, &shown] {
            text = text
                .replace(
                    path.as_str(),
                    "[ATKMAP_DATA_DIR]/enterprise-attack-18.1.json",
                )
                .replace(
                    &path.replace('/', "&#x2f;"),
                    "[ATKMAP_DATA_DIR]&#x2f;enterprise-attack-18.1.json",
                );
        }
        insta::assert_snapshot!(format!("small-{format}"), text);
    }
}

#[path = "../bench/synthetic.rs"]
mod synthetic;

/// Characters, as GitHub counts a comment's length.
fn chars(text: &[u8]) -> usize {
    String::from_utf8_lossy(text).chars().count()
}

#[test]
fn markdown_fits_a_pull_request_comment() {
    let Some(data) = common::data_dir() else {
        return;
    };
    // All three examples in one report: ~150,000 characters in full.
    let out = atkmap(&data)
        .args(["report", "models/", "--fail-on", "none", "--format", "md"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        chars(&out.stdout) <= 60_000,
        "{} characters",
        chars(&out.stdout)
    );
    // It still leads with what to do, and says what it left out and where it is.
    let plan = text.find("### What to fix first").expect("the plan");
    let findings = text.find("### Findings by risk").expect("the findings");
    assert!(plan < findings);
    assert!(text.contains("> Left out to fit a pull-request comment (60000 characters)"));
    assert!(text.contains("The HTML report lists them"));
    assert!(text.contains("the JSON report (`findings`, `paths`, `exposures`) everything"));
    // Without a limit nothing is left out, and a tighter one is kept too.
    let full = atkmap(&data)
        .args(["report", "models/", "--fail-on", "none", "--format", "md"])
        .args(["--md-max-chars", "0"])
        .output()
        .expect("runs");
    assert!(chars(&full.stdout) > 60_000);
    assert!(!String::from_utf8_lossy(&full.stdout).contains("> Left out"));
    for limit in [20_000, 3_000, 300] {
        let out = atkmap(&data)
            .args([
                "report",
                "models/ekyc-national-id.yaml",
                "--fail-on",
                "none",
            ])
            .args(["--format", "md", "--md-max-chars", &limit.to_string()])
            .output()
            .expect("runs");
        assert!(
            chars(&out.stdout) <= limit,
            "{limit}: {}",
            chars(&out.stdout)
        );
    }
}

#[test]
fn markdown_of_a_large_organisation_fits_too() {
    let Some(data) = common::data_dir() else {
        return;
    };
    // 1,000 systems (the 10,000-system model is in the benchmark: a debug build takes minutes).
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("synthetic-1000.yaml");
    std::fs::write(&model, synthetic::model(1_000)).expect("write");
    let out = atkmap(&data)
        .arg("report")
        .arg(&model)
        .args(["--fail-on", "none", "--format", "md", "--plan-steps", "2"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(chars(&out.stdout) <= 60_000, "{}", chars(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("### What to fix first") && text.contains("> Left out"));

    // The HTML report of the same model renders too (a 10,000-system one once ran out of the
    // template's fuel) and lists the exposures a browser can take, saying where the rest are.
    let page = dir.path().join("report.html");
    let out = atkmap(&data)
        .arg("report")
        .arg(&model)
        .args([
            "--fail-on",
            "none",
            "--plan-steps",
            "2",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("the page");
    let note = "The 5000 exposures with the highest open risk of ";
    let at = html.find(note).expect("the note on the exposures left out") + note.len();
    let total: usize = html[at..]
        .split(';')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(total > 5_000, "{total} exposures");
    assert!(
        html.contains(&format!(">{total}</div>")),
        "the summary counts them all"
    );
    assert_eq!(html.matches("<tr class=\"exposure\"").count(), 5_000);
}

//! `atkmap check`: one fixture per diagnostic code, its rendered output snapshotted, and the
//! example models clean against Enterprise 18.1.

use crate::common;

use atkmap::diag::codes::ALL_CODES;

fn check(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    common::atkmap()
        .current_dir(common::repo().join("tests/fixtures/check"))
        .arg("--data-dir")
        .arg(data)
        .args(common::companion_args())
        .env("ATKMAP_TODAY", "2026-11-25")
        .arg("check")
        .args(args)
        .output()
        .expect("atkmap runs")
}

#[test]
fn every_diagnostic_code_has_a_fixture_and_a_reviewed_rendering() {
    let Some(data) = common::data_dir() else {
        return;
    };
    for code in ALL_CODES {
        let name = code.name();
        if name == "release-mismatch" {
            // The data loader refuses a release other than the pinned one before validation
            // runs; the code guards library callers and is unit-tested in src/model.
            continue;
        }
        let file = format!("{name}.yaml");
        assert!(
            common::repo()
                .join("tests/fixtures/check")
                .join(&file)
                .is_file(),
            "no fixture for {name}"
        );
        let out = check(&data, &[&file]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let level = code.level().label();
        assert!(
            stderr.contains(&format!("{level}[{name}]")),
            "{name}: {stderr}"
        );
        let expected = if code.level() == atkmap::diag::Level::Error {
            2
        } else {
            0
        };
        assert_eq!(out.status.code(), Some(expected), "{name}: {stderr}");
        insta::assert_snapshot!(format!("check-{name}"), stderr);
    }
}

/// The hints an author meets most, beyond one fixture per code (`tests/fixtures/check/hints`):
/// each names the real fix (what the hint must say, and must not) and has a reviewed rendering.
const HINT_FIXTURES: [(&str, &[&str], &[&str]); 8] = [
    (
        "companion-frameworks",
        &[
            "F1031 is a MITRE F3 ID, and the model does not load F3",
            "hint: add `frameworks: [f3]` under `attack:`",
            "\"atlass\" is not a companion framework",
            "AML.T9999 is not a technique in ATLAS 5.6.0",
            "`mitigations` takes mitigation IDs, but AML.T0015 is a technique",
        ],
        &["AML.T0088 is"],
    ),
    (
        "platform-vendor-names",
        &[
            "ATT&CK files AWS under the platform `IaaS`: write `IaaS`",
            "ATT&CK files Okta under the platform `Identity Provider`",
            "ATT&CK files Office 365 under the platform `Office Suite`",
            "ATT&CK files Google Workspace under `Office Suite` or `SaaS`",
        ],
        &[],
    ),
    (
        "telemetry-vendor-names",
        &[
            "log sources for CloudTrail: \"AWS:CloudTrail\"",
            "\"Okta:SystemLog\"",
            "\"m365:unified\"",
        ],
        &[],
    ),
    (
        "thousands-separators",
        &[
            "hint: write 2500000 without the thousands separators",
            "`data[1].records` is written with thousands separators",
            "hint: write 1250000 without the thousands separators",
        ],
        &["without quotes", "keys must be strings"],
    ),
    (
        "thousands-separators-repeated-group",
        &["hint: write 17000000 without the thousands separators"],
        &[],
    ),
    (
        "unknown-group",
        &[
            "hint: no group ID of this release is one typo away from it; find the group with `atkmap attack search NAME --kind group`",
            "hint: did you mean G1004 (LAPSUS$)?",
            "hint: did you mean G0125 (HAFNIUM)",
        ],
        &[],
    ),
    (
        "wrong-kind-moves",
        &[
            "DET0123 is a detection-strategy",
            "hint: move it to `detections`",
            "hint: a control names techniques directly: move T1656 to `counters` if the control prevents it, to `detects` if it detects it",
            "hint: move it to `mitigations`",
        ],
        &[],
    ),
    (
        "structure-and-references",
        &[
            "unknown key `nmae` in `systems[1]`",
            "`stored_in` names `portl`",
            "`applies_to` names `vendor-apl`",
            "hint: did you mean `vendor-api`?",
        ],
        // The broken system's own id is not reported again where it is referenced.
        &["names `vendor-api`", "unused-definition"],
    ),
];

#[test]
fn hint_fixtures_name_the_real_fix_and_have_reviewed_renderings() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = common::repo().join("tests/fixtures/check/hints");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("hint fixtures")
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(String::from)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = HINT_FIXTURES.iter().map(|f| f.0.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every hint fixture is listed in HINT_FIXTURES"
    );
    for (name, says, never) in HINT_FIXTURES {
        let out = check(&data, &[&format!("hints/{name}.yaml")]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        for text in says {
            assert!(
                stderr.contains(text),
                "{name} should say {text:?}:\n{stderr}"
            );
        }
        for text in never {
            assert!(
                !stderr.contains(text),
                "{name} should not say {text:?}:\n{stderr}"
            );
        }
        insta::assert_snapshot!(format!("check-hint-{name}"), stderr);
    }
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let Some(data) = common::data_dir() else {
        return;
    };
    assert_eq!(
        check(&data, &["unused-definition.yaml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        check(&data, &["--deny-warnings", "unused-definition.yaml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn every_problem_of_a_file_is_reported_as_json() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let out = check(
        &data,
        &[
            "--format",
            "json",
            "unknown-key.yaml",
            "unknown-platform.yaml",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["errors"], 2);
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "unknown-key");
    assert_eq!(first["file"], "unknown-key.yaml");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(first["hint"], "did you mean `name`?");
}

#[test]
fn the_example_models_and_the_starter_model_are_clean() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let out = common::atkmap()
        .current_dir(common::repo())
        .arg("--data-dir")
        .arg(&data)
        .args(common::companion_args())
        .env("ATKMAP_TODAY", "2026-11-25")
        .args([
            "check",
            "--deny-warnings",
            "models/",
            "templates/starter-model.yaml",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("checked 4 files: 0 errors, 0 warnings"),
        "{stderr}"
    );
}

#[test]
fn init_writes_a_model_that_passes_and_never_overwrites() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        common::atkmap()
            .current_dir(dir.path())
            .arg("--data-dir")
            .arg(&data)
            .args(common::companion_args())
            .args(args)
            .output()
            .expect("runs")
    };
    assert!(run(&["init"]).status.success());
    assert!(
        run(&["check", "--deny-warnings", "atkmap-model.yaml"])
            .status
            .success()
    );
    // The modeline points at the schema written beside the model: editors work offline.
    let model = std::fs::read_to_string(dir.path().join("atkmap-model.yaml")).expect("model");
    assert!(model.starts_with("# yaml-language-server: $schema=./atkmap-model.schema.json\n"));
    let schema = std::fs::read_to_string(dir.path().join("atkmap-model.schema.json"))
        .expect("the schema beside it");
    assert_eq!(schema.as_bytes(), run(&["schema"]).stdout.as_slice());
    assert_eq!(run(&["init"]).status.code(), Some(2));
    assert!(run(&["init", "--force"]).status.success());
}

#[test]
fn the_committed_schema_is_the_one_atkmap_prints() {
    let out = common::atkmap().arg("schema").output().expect("runs");
    let committed = std::fs::read_to_string(common::repo().join("models/atkmap-model.schema.json"))
        .expect("committed schema");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        committed,
        "run `atkmap schema > models/atkmap-model.schema.json` and review the change"
    );
}

#[test]
fn the_schema_is_ready_for_editors_and_schemastore() {
    let text = std::fs::read_to_string(common::repo().join("models/atkmap-model.schema.json"))
        .expect("committed schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["properties"]["atkmap"]["const"], 1);
    // yaml-language-server throws on `"default": null` and then offers no top-level key; Ajv's
    // strict mode rejects formats JSON Schema does not define (uint64).
    fn walk(node: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if map.get("default").is_some_and(serde_json::Value::is_null) {
                    problems.push(format!("{path}: default null"));
                }
                if let Some(format) = map.get("format").and_then(|f| f.as_str()) {
                    let standard = ["date", "date-time", "time", "email", "uri", "regex"];
                    if !standard.contains(&format) {
                        problems.push(format!("{path}: format {format}"));
                    }
                }
                if let Some(properties) = map.get("properties").and_then(|p| p.as_object()) {
                    for (name, property) in properties {
                        if property.get("description").is_none() {
                            problems.push(format!("{path}.{name}: no description"));
                        }
                    }
                }
                for (key, value) in map {
                    walk(value, &format!("{path}/{key}"), problems);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, path, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    walk(&schema, "", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
    // Every example and the starter model validate against it, as an editor would check them.
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    for file in [
        "models/ekyc-national-id.yaml",
        "models/telco-sim-registration.yaml",
        "models/digital-bank.yaml",
        "templates/starter-model.yaml",
    ] {
        let text = std::fs::read_to_string(common::repo().join(file)).expect("model");
        let model: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&model)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
    }
}

/// The real yaml-language-server (npm, pinned in `.ci/run`; `ATKMAP_YAML_LANGUAGE_SERVER` names
/// its server script), driven over LSP by `tests/lsp_completion.mjs` as an editor drives it,
/// with the modeline `atkmap init` writes and the schema beside the model: it offers every
/// top-level section, and finds nothing wrong in the example models.
#[test]
fn yaml_language_server_completes_and_validates_with_the_schema() {
    let server = std::env::var_os("ATKMAP_YAML_LANGUAGE_SERVER").map(std::path::PathBuf::from);
    let Some(server) = server.filter(|s| s.is_file()) else {
        assert!(
            std::env::var_os("ATKMAP_REQUIRE_CLIENTS").is_none(),
            "ATKMAP_REQUIRE_CLIENTS is set but ATKMAP_YAML_LANGUAGE_SERVER names no server script"
        );
        eprintln!("skipping: yaml-language-server is not installed (see .ci/run)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("atkmap-model.schema.json");
    std::fs::copy(
        common::repo().join("models/atkmap-model.schema.json"),
        &schema,
    )
    .expect("schema");
    let ask = |file: &std::path::Path, line: usize, character: usize| -> serde_json::Value {
        let out = std::process::Command::new("node")
            .arg(common::repo().join("tests/lsp_completion.mjs"))
            .arg(&server)
            .arg(&schema)
            .arg(file)
            .arg(line.to_string())
            .arg(character.to_string())
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the driver prints JSON")
    };
    // Completion of a new top-level key.
    let model = dir.path().join("new.yaml");
    std::fs::write(
        &model,
        "# yaml-language-server: $schema=./atkmap-model.schema.json\natkmap: 1\nname: x\n\n",
    )
    .expect("write");
    let answer = ask(&model, 3, 0);
    let labels: Vec<&str> = answer["completions"]
        .as_array()
        .expect("completions")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for section in [
        "attack", "actors", "systems", "data", "flows", "controls", "threats", "accepted",
    ] {
        assert!(
            labels.contains(&section),
            "{section} not offered: {labels:?}"
        );
    }
    // The example models, F3 and ATLAS keys included, are valid for the editor too.
    for name in [
        "ekyc-national-id.yaml",
        "telco-sim-registration.yaml",
        "digital-bank.yaml",
    ] {
        let copy = dir.path().join(name);
        std::fs::copy(common::repo().join("models").join(name), &copy).expect("model");
        let answer = ask(&copy, 0, 0);
        assert_eq!(answer["diagnostics"], serde_json::json!([]), "{name}");
    }
    // A wrong value is reported where it is.
    let wrong = dir.path().join("wrong.yaml");
    std::fs::write(
        &wrong,
        "# yaml-language-server: $schema=./atkmap-model.schema.json\natkmap: 1\nname: x\nattack: {domain: enterprise, version: \"18.1\", frameworks: [d3fend]}\n",
    )
    .expect("write");
    let answer = ask(&wrong, 0, 0);
    let lines: Vec<u64> = answer["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["line"].as_u64())
        .collect();
    assert!(lines.contains(&3), "{answer}");
}

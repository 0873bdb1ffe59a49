//! The files teams adopt atkmap with (pre-commit hooks, the GitHub Actions workflow) name
//! commands this atkmap really accepts.

use crate::common;

/// The real binary accepts the command line: with `--help` appended, clap parses every word
/// before it (an unknown flag or a bad value is exit 2) and then prints the help (exit 0)
/// instead of running.
fn parses(command_line: &str, files: &[&str]) {
    let mut words: Vec<String> = command_line.split_whitespace().map(String::from).collect();
    words.extend(files.iter().map(|f| f.to_string()));
    assert_eq!(
        words.first().map(String::as_str),
        Some("atkmap"),
        "{command_line}"
    );
    let output = common::atkmap()
        .args(&words[1..])
        .arg("--help")
        .output()
        .expect("atkmap runs");
    assert!(
        output.status.success(),
        "`{}` is not a valid atkmap command line: {}",
        words.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn pre_commit_hooks_run_valid_commands() {
    let text =
        std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).expect("hooks file");
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(&text).expect("valid YAML");
    assert!(hooks.len() >= 2);
    for hook in hooks {
        let entry = hook["entry"].as_str().expect("entry");
        assert_eq!(hook["language"], "rust");
        assert!(
            hook["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("atkmap-"))
        );
        parses(entry, &["models/a.yaml", "models/b.yaml"]);
    }
}

#[test]
fn the_workflow_example_runs_valid_commands() {
    let text = std::fs::read_to_string(common::repo().join("templates/github-workflow.yml"))
        .expect("workflow");
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let steps = workflow["jobs"]["threat-models"]["steps"]
        .as_array()
        .expect("steps");
    let mut checked = 0;
    for step in steps {
        if let Some(run) = step["run"].as_str()
            && run.trim_start().starts_with("atkmap ")
        {
            parses(run, &[]);
            checked += 1;
        }
    }
    assert_eq!(checked, 2, "the check and the report steps");

    // Hygiene: every action pinned by a full commit SHA, the token's permissions named,
    // code scanning's upload at its current major, fork pull requests not failing on a
    // read-only token, atkmap built from a pinned commit.
    for step in steps {
        if let Some(uses) = step["uses"].as_str() {
            let (_, version) = uses.split_once('@').expect("uses has a version");
            assert!(
                version.len() == 40 && version.bytes().all(|b| b.is_ascii_hexdigit()),
                "{uses} is not pinned by commit SHA"
            );
        }
    }
    let permissions = &workflow["permissions"];
    assert_eq!(permissions["actions"], "read");
    assert_eq!(permissions["security-events"], "write");
    let upload = text
        .lines()
        .find(|l| l.contains("codeql-action/upload-sarif@"))
        .expect("the SARIF upload");
    assert!(upload.contains("# v4."), "{upload}");
    for name in [
        "Upload SARIF to code scanning",
        "Comment the report on the pull request",
    ] {
        let step = steps.iter().find(|s| s["name"] == name).expect("the step");
        let condition = step["if"].as_str().expect("a condition");
        assert!(
            condition.contains("head.repo.full_name == github.repository"),
            "{name} is skipped for forks: {condition}"
        );
    }
    assert!(text.contains("GITHUB_STEP_SUMMARY"));
    assert!(text.contains("--rev \"$ATKMAP_REV\""));
}

/// The hooks' `files` pattern, read as pre-commit reads it (Python's `re.search`), takes model
/// files under `models/` and `*.atkmap.yaml` anywhere, nothing else.
#[test]
fn pre_commit_hooks_run_on_model_files_only() {
    let text =
        std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).expect("hooks file");
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(&text).expect("valid YAML");
    let script = "import re, sys\n\
                  pattern = sys.argv[1]\n\
                  for path in sys.argv[2:]:\n    print(path, bool(re.search(pattern, path)))\n";
    let paths = [
        ("models/bank.yaml", true),
        ("team/models/eu/bank.yml", true),
        ("infra/payments.atkmap.yaml", true),
        (".github/workflows/ci.yaml", false),
        ("docker-compose.yml", false),
        ("models/schema.json", false),
        ("mymodels/x.yaml", false),
    ];
    for hook in &hooks {
        let pattern = hook["files"].as_str().expect("files");
        let out = std::process::Command::new("python3")
            .args(["-c", script, pattern])
            .args(paths.iter().map(|(p, _)| p))
            .output()
            .expect("python3 runs (pre-commit is Python: its regex dialect is the one to test)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for ((path, expected), line) in paths.iter().zip(stdout.lines()) {
            assert_eq!(
                line,
                format!("{path} {}", if *expected { "True" } else { "False" })
            );
        }
    }
}

/// The gate hook reports an invalid model in one line: the check hook shows its diagnostics,
/// so a commit's log shows them once.
#[test]
fn the_gate_hook_does_not_repeat_the_checks_diagnostics() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("bad.atkmap.yaml");
    std::fs::write(
        &model,
        "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"18.1\"}\nsystems:\n  - {id: a, name: A, platforms: [Linuxx], exposure: internet}\n",
    )
    .expect("write");
    let text =
        std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).expect("hooks file");
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(&text).expect("valid YAML");
    let gate = hooks
        .iter()
        .find(|h| h["id"] == "atkmap-gate")
        .and_then(|h| h["entry"].as_str())
        .expect("the gate hook");
    let words: Vec<&str> = gate.split_whitespace().skip(1).collect();
    let out = common::atkmap()
        .arg("--data-dir")
        .arg(&data)
        .args(&words)
        .arg(&model)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("invalid (1 error)") && stderr.contains("atkmap check"),
        "{stderr}"
    );
    assert!(!stderr.contains("Linuxx"), "{stderr}");
}

/// The GitLab CI example runs commands this atkmap accepts, pins atkmap, reads ATT&CK data from
/// its cache, and its Code Quality report (sarif-tools' conversion of the SARIF log) has what
/// GitLab documents as required: description, check_name, fingerprint, severity, location.path
/// and location.lines.begin, one issue per finding.
#[test]
fn the_gitlab_example_runs_valid_commands_and_gives_a_code_quality_report() {
    let text = std::fs::read_to_string(common::repo().join("templates/gitlab-ci.yml"))
        .expect("GitLab example");
    let pipeline: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let job = &pipeline["atkmap"];
    assert_eq!(
        job["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    assert!(job["variables"]["ATKMAP_DATA_DIR"].is_string());
    let report_line = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(|s| s.as_str())
        .find(|s| s.starts_with("atkmap report"))
        .expect("the report step");
    parses(report_line, &[]);
    parses("atkmap check models/", &[]);

    let Some(data) = common::data_dir() else {
        return;
    };
    let tool = std::env::var_os("ATKMAP_SARIF_TOOLS").map(std::path::PathBuf::from);
    let Some(tool) = tool.filter(|t| t.is_file()) else {
        assert!(
            std::env::var_os("ATKMAP_REQUIRE_CLIENTS").is_none(),
            "ATKMAP_REQUIRE_CLIENTS is set but sarif-tools is not installed (ATKMAP_SARIF_TOOLS)"
        );
        eprintln!("skipping the Code Quality conversion: sarif-tools is not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("atkmap-report.sarif");
    let out = common::atkmap()
        .env("ATKMAP_TODAY", "2026-11-30")
        .current_dir(common::repo())
        .arg("--data-dir")
        .arg(&data)
        .args([
            "report",
            "models/digital-bank.yaml",
            "--format",
            "sarif",
            "--fail-on",
            "none",
            "-o",
        ])
        .arg(&sarif)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let quality = dir.path().join("gl-code-quality-report.json");
    let out = std::process::Command::new(&tool)
        .arg("codeclimate")
        .arg("--output")
        .arg(&quality)
        .arg(&sarif)
        .output()
        .expect("sarif-tools runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issues: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&quality).expect("written")).expect("JSON");
    let issues = issues.as_array().expect("a list of issues");
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("SARIF")).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results").len();
    assert_eq!(issues.len(), results, "one Code Quality issue per finding");
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in issues {
        assert!(
            issue["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{issue}"
        );
        assert!(
            issue["check_name"]
                .as_str()
                .is_some_and(|c| c.starts_with("ATKMAP-")),
            "{issue}"
        );
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap_or_default()),
            "{issue}"
        );
        assert_eq!(
            issue["location"]["path"], "models/digital-bank.yaml",
            "{issue}"
        );
        assert!(
            issue["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l > 0),
            "{issue}"
        );
        fingerprints.insert(
            issue["fingerprint"]
                .as_str()
                .expect("fingerprint")
                .to_string(),
        );
    }
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
}

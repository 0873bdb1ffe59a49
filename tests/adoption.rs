//! The files teams adopt atkmap with (pre-commit hooks, the GitHub Actions workflow) name
//! commands this atkmap really accepts.

mod common;

use clap::Parser;

fn parses(command_line: &str, files: &[&str]) {
    let mut words: Vec<String> = command_line.split_whitespace().map(String::from).collect();
    words.extend(files.iter().map(|f| f.to_string()));
    assert_eq!(
        words.first().map(String::as_str),
        Some("atkmap"),
        "{command_line}"
    );
    if let Err(e) = atkmap::cli::Cli::try_parse_from(&words) {
        panic!(
            "`{}` is not a valid atkmap command line: {e}",
            words.join(" ")
        );
    }
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

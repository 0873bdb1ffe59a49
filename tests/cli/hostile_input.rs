//! Hostile model files from pull requests: each limit gives a quick, clear error that names
//! it, with bounded memory, and never a panic.

use crate::common;

use std::time::{Duration, Instant};

/// The memory every hostile input must stay under (issue: < 512 MiB on the 2-core machine).
const LIMIT_MIB: u64 = 512;

fn check(text: &[u8]) -> (i32, String, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.yaml");
    std::fs::write(&file, text).expect("write");
    let peak = dir.path().join("peak");
    let start = Instant::now();
    let out = common::atkmap_measured(&peak)
        .arg("--attack")
        .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("atkmap runs");
    let took = common::time_taken(&peak, start.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    common::assert_peak_below(&peak, LIMIT_MIB);
    (out.status.code().unwrap_or(-1), stderr, took)
}

#[test]
fn an_alias_bomb_stops_at_the_alias_limit() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, name) = (w[0], w[1]);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let (code, stderr, took) = check(text.as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[input-limit]"), "{stderr}");
    assert!(stderr.contains("limit"), "{stderr}");
    // Counted from the event stream before anything is built: milliseconds, not the seconds
    // (release) or most of a minute (debug) of building a million nodes.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr.contains(":7:8:"),
        "the alias that crosses the limit: {stderr}"
    );
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    for text in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}{}", "{a: ".repeat(5_000), "}".repeat(5_000)),
        (0..200)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect::<String>(),
    ] {
        let (code, stderr, _) = check(text.as_bytes());
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("error[input-limit]") && stderr.contains("64 levels"),
            "{stderr}"
        );
    }
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let big = vec![b'#'; 17 * 1024 * 1024];
    let (code, stderr, _) = check(&big);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[input-limit]") && stderr.contains("16777216"),
        "{stderr}"
    );
}

#[test]
fn too_many_nodes_stop_at_the_node_limit() {
    let text = format!("atkmap: 1\nitems: [{}]\n", vec!["1"; 1_100_000].join(","));
    let (code, stderr, _) = check(text.as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[input-limit]"), "{stderr}");
}

#[test]
fn long_values_get_their_hints_quickly() {
    // Hints compare values with names and IDs of the release; a 256 KiB value must not
    // make that quadratic, also when a structural error elsewhere makes check salvage the rest.
    let long = "a".repeat(256 * 1024);
    let text = format!(
        "atkmap: 1\nname: x\nattack: {{domain: enterprise, version: \"99.0\"}}\n\
         systems:\n  - {{id: s, name: S, platforms: [\"{long}\"], exposure: internet, \
         telemetry: [\"{long}\", \"{long}:x\"]}}\n  - id: broken\n    nmae: x\n\
         actors:\n  - {{id: a, name: A, groups: [\"G{long}\"], techniques: [\"T1{long}\"], \
         entry: [\"{long}\"]}}\n"
    );
    let (code, stderr, took) = check(text.as_bytes());
    assert_eq!(code, 2, "{}", &stderr[..stderr.len().min(2000)]);
    for code in [
        "error[unknown-key]",
        "error[unknown-platform]",
        "error[unknown-telemetry]",
        "error[unknown-attack-id]",
        "error[unknown-reference]",
    ] {
        assert!(stderr.contains(code), "{code}");
    }
    // 2.3 s alone in a debug build; 22.6 s once in CI while the ladder, the 1.5-million-exposure
    // model and the 50 MB bundle parse ran beside it on two cores. The bound catches a
    // quadratic blow-up (minutes), not load.
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn binary_and_broken_text_is_a_clear_error() {
    for (bytes, code_name) in [
        (vec![0xff, 0xfe, 0x00, 0x41], "read-error"),
        (b"atkmap: 1\n\tname: x\n".to_vec(), "yaml-syntax"),
        (b"atkmap: 1\nname: x\nname: y\n".to_vec(), "duplicate-key"),
        (b"- just\n- a list\n".to_vec(), "wrong-type"),
        (b"".to_vec(), "wrong-type"),
    ] {
        let (code, stderr, _) = check(&bytes);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!("error[{code_name}]")),
            "{code_name}: {stderr}"
        );
    }
}

#[test]
fn an_oversized_bundle_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("enterprise-attack-99.0.json");
    let file = std::fs::File::create(&bundle).expect("create");
    // A sparse file: large on paper, no disk used.
    file.set_len(600 * 1024 * 1024).expect("set_len");
    let out = common::atkmap()
        .env("ATKMAP_NO_CACHE", "1")
        .arg("--attack")
        .arg(&bundle)
        .args(["attack", "stats"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the 536870912-byte limit"));
}

/// A report run on the synthetic release, from `dir`.
fn report_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    common::atkmap()
        .current_dir(dir)
        .arg("--attack")
        .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
        .arg("report")
        .args(args)
        .output()
        .expect("atkmap runs")
}

/// A small valid model of the synthetic release (`tests/fixtures/stix/mini-enterprise.json`).
const MINI: &str = "atkmap: 1\nname: mini\nattack: {domain: enterprise, version: \"99.0\"}\nreuse_techniques: []\ntrust_techniques: []\nsystems:\n  - {id: app, name: App, platforms: [Linux], exposure: internet}\ndata:\n  - {id: d, kind: k, stored_in: [app]}\n";

#[cfg(unix)]
#[test]
fn outputs_never_follow_a_link_or_replace_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), MINI).expect("write");
    // A pull request commits the report's name as a link to a file outside the workspace.
    let outside = tempfile::tempdir().expect("tempdir");
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    std::os::unix::fs::symlink(&victim, dir.path().join("atkmap-report.md")).expect("symlink");
    let out = report_in(
        dir.path(),
        &[
            "m.yaml",
            "--fail-on",
            "none",
            "--format",
            "md",
            "-o",
            "atkmap-report.md",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
    // The model itself as the output: refused, the model untouched.
    let out = report_in(
        dir.path(),
        &[
            "m.yaml",
            "--fail-on",
            "none",
            "--format",
            "md",
            "-o",
            "m.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("an input of this report"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.yaml")).expect("read"),
        MINI
    );
    // `-o -` is standard output, not a file named `-`.
    let out = report_in(
        dir.path(),
        &["m.yaml", "--fail-on", "none", "--format", "json", "-o", "-"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"generator\""));
    assert!(!dir.path().join("-").exists());
}

#[cfg(unix)]
#[test]
fn outputs_get_the_umask_mode_not_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), MINI).expect("write");
    let out = report_in(
        dir.path(),
        &["m.yaml", "--fail-on", "none", "--output-dir", "out"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What any new file gets in this process (the umask's mode).
    let reference = dir.path().join("reference");
    std::fs::File::create(&reference).expect("create");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    for name in [
        "atkmap-report.json",
        "atkmap-report.md",
        "atkmap-report.html",
    ] {
        assert_eq!(
            mode(&dir.path().join("out").join(name)),
            mode(&reference),
            "{name}"
        );
    }
}

/// Makes a FIFO at `path` (nothing ever writes to it: opening it to read would block).
#[cfg(unix)]
fn fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
}

/// A pull request commits the bundle or the baseline as a link to `/dev/zero` (endless) or as
/// a FIFO (a read that never returns): atkmap refuses both at once, naming what they are.
#[cfg(unix)]
#[test]
fn bundles_and_baselines_that_are_devices_or_fifos_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), MINI).expect("write");
    let zero = dir.path().join("enterprise-attack-18.1.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let pipe = dir.path().join("pipe.json");
    fifo(&pipe);
    for (bundle, says) in [(&zero, "a device"), (&pipe, "a FIFO")] {
        let start = Instant::now();
        let out = common::atkmap()
            .env("ATKMAP_NO_CACHE", "1")
            .arg("--attack")
            .arg(bundle)
            .args(["attack", "stats"])
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(says) && stderr.contains("not a regular file"),
            "{stderr}"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }
    for baseline in [&zero, &pipe] {
        let start = Instant::now();
        let out = common::atkmap()
            .current_dir(dir.path())
            .arg("--attack")
            .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
            .args(["report", "m.yaml", "--fail-on", "none", "--baseline"])
            .arg(baseline)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

/// A baseline is read for the five fields the comparison needs, not as a whole JSON tree: a
/// large one (40,000 exposures with long fields, ~50 MB) stays far below its size x 10.
#[test]
fn a_large_baseline_is_read_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), MINI).expect("write");
    let padding = "x".repeat(1_000);
    let exposure = format!(
        r#"{{"actor":"a","technique":"T1078","system":"s","status":"gap","severity":"high","note":"{padding}","more":[{{"k":"{padding}"}}]}}"#
    );
    let body = vec![exposure; 40_000].join(",");
    let baseline = dir.path().join("base.json");
    std::fs::write(
        &baseline,
        format!(r#"{{"models":[{{}}],"exposures":[{body}]}}"#),
    )
    .expect("write");
    let out = common::atkmap_measured(&dir.path().join("peak"))
        .current_dir(dir.path())
        .arg("--attack")
        .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
        .args([
            "report",
            "m.yaml",
            "--fail-on",
            "none",
            "--baseline",
            "base.json",
        ])
        .output()
        .expect("runs");
    common::assert_peak_below(&dir.path().join("peak"), LIMIT_MIB);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["baseline"]["gone"], 40_000);
}

/// 200-byte templates that would take gigabytes: one writes without end (the output has a
/// limit), one doubles a string in a loop (a few hundred steps, so fuel does not stop it; the
/// memory guard does). Both end with exit 2 and a message, quickly, and write nothing.
#[test]
fn template_bombs_stop_at_the_output_and_memory_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), MINI).expect("write");
    let bombs = [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
            "the output passed the limit",
        ),
        (
            "{% set ns = namespace(s=\"x\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "MiB of memory",
        ),
    ];
    for (i, (template, says)) in bombs.iter().enumerate() {
        let templates = dir.path().join(format!("t{i}"));
        std::fs::create_dir(&templates).expect("mkdir");
        std::fs::write(templates.join("report.md"), template).expect("write");
        let start = Instant::now();
        let out = common::atkmap_measured(&dir.path().join("peak"))
            .current_dir(dir.path())
            .arg("--attack")
            .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
            .args(["report", "m.yaml", "--fail-on", "none", "--format", "md"])
            .args(["--md-max-chars", "0", "-o", "out.md", "--template"])
            .arg(&templates)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        common::assert_peak_below(&dir.path().join("peak"), LIMIT_MIB);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!dir.path().join("out.md").exists(), "nothing written");
        let took = common::time_taken(&dir.path().join("peak"), start.elapsed());
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }
}

/// A 126 KB model whose one flow-style line has 10,000 unknown keys: each diagnostic used to
/// reprint the whole line (8.9 GB on stderr). Now a window of the line, and the first 100
/// diagnostics of a file with the count of the rest.
#[test]
fn ten_thousand_diagnostics_on_one_line_stay_small() {
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}: 1")).collect();
    let text = format!(
        "atkmap: 1\nname: x\nattack: {{domain: enterprise, version: \"99.0\"}}\nsystems: [{{id: a, name: A, platforms: [Linux], exposure: internet, {}}}]\n",
        keys.join(", ")
    );
    let (code, stderr, took) = check(text.as_bytes());
    assert_eq!(code, 2);
    assert!(stderr.len() < 100_000, "{} bytes on stderr", stderr.len());
    assert!(
        stderr.contains("9900 more diagnostics not shown"),
        "{stderr}"
    );
    assert!(stderr.contains("10000 errors"));
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

/// Model text with terminal escapes (a title change, clear screen, CR, the C1 CSI U+009B, a
/// bidi override) never reaches the terminal raw, nor the Markdown or HTML reports.
#[test]
fn control_characters_never_reach_the_terminal_or_the_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The same text in YAML's escapes.
    let model = MINI.replace(
        "name: App",
        "name: \"x\\e]0;pwned\\a\\e[2J\\r\\x9b31m\\u202Ey\"",
    );
    std::fs::write(dir.path().join("m.yaml"), &model).expect("write");
    let out = report_in(
        dir.path(),
        &[
            "m.yaml",
            "--fail-on",
            "low",
            "--format",
            "md",
            "-o",
            "r.md",
            "--format",
            "html",
            "-o",
            "r.html",
        ],
    );
    let raw = |text: &str| {
        text.chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!raw(&stderr), "{stderr:?}");
    for report in ["r.md", "r.html"] {
        let text = std::fs::read_to_string(dir.path().join(report)).expect("written");
        assert!(text.contains("pwned"), "{report} shows the name");
        assert!(!raw(&text), "{report}");
    }
    // A broken file's diagnostics too: the source line is shown with visible escapes.
    let (code, stderr, _) = check("atkmap: 1\nname: x\u{1b}[2J\u{9b}\nbogus: [\n".as_bytes());
    assert_eq!(code, 2);
    assert!(!raw(&stderr), "{stderr:?}");
}

/// Links committed under `models/`: to `/proc/self/environ` (the environment, GITHUB_TOKEN
/// included, would be printed as the "source line" of a YAML error), to `/dev/zero`, to a file
/// outside the tree; and a FIFO named like a model. None is read; each is named; the real
/// model beside them is checked.
#[cfg(unix)]
#[test]
fn links_and_fifos_under_a_model_directory_are_not_read() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        outside.path().join("elsewhere.yaml"),
        "secret: SECRET-OUTSIDE\n",
    )
    .expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let models = dir.path().join("models");
    std::fs::create_dir(&models).expect("mkdir");
    std::fs::write(models.join("real.yaml"), MINI).expect("write");
    std::fs::write(models.join("inside-target.txt"), MINI).expect("write");
    let link = |target: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(target, models.join(name)).expect("symlink");
    };
    link(std::path::Path::new("/proc/self/environ"), "environ.yaml");
    link(std::path::Path::new("/dev/zero"), "zero.yaml");
    link(&outside.path().join("elsewhere.yaml"), "outside.yaml");
    link(&models.join("inside-target.txt"), "inside.yaml");
    fifo(&models.join("pipe.yaml"));
    let start = Instant::now();
    let out = common::atkmap()
        .env("ATKMAP_CANARY", "CANARY-VALUE-1234")
        .arg("--attack")
        .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
        .arg("check")
        .arg(&models)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(start.elapsed() < Duration::from_secs(5), "{stderr}");
    assert!(
        !stderr.contains("CANARY-VALUE-1234"),
        "the environment leaked: {stderr}"
    );
    assert!(!stderr.contains("SECRET-OUTSIDE"), "{stderr}");
    for name in ["environ.yaml", "zero.yaml", "outside.yaml"] {
        assert!(
            stderr.contains(&format!("not reading {}", models.join(name).display())),
            "{name}: {stderr}"
        );
    }
    assert!(
        stderr.contains("pipe.yaml") && stderr.contains("a FIFO"),
        "{stderr}"
    );
    // The link to a file inside the tree is read, and so is the real model.
    assert!(stderr.contains("checked 3 files"), "{stderr}");
}

/// 10 actors linked to 9 ATT&CK groups each, on 1,000 internet systems (70 KB of YAML): 1.5
/// million exposures, which took more than 8 GB and a SIGABRT. atkmap stops before building
/// them, with the count and how to narrow the model.
#[test]
fn a_model_with_millions_of_exposures_stops_at_the_exposure_limit() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let groups = "[G0016, G0007, G0032, G0096, G1004, G0125, G1015, G0046, G0010]";
    let platforms = [
        "[Linux]",
        "[Windows]",
        "[SaaS]",
        "[IaaS]",
        "[Linux, Containers]",
    ];
    let mut model = String::from(
        "atkmap: 1\nname: wide\nattack: {domain: enterprise, version: \"18.1\"}\nactors:\n",
    );
    for a in 0..10 {
        model.push_str(&format!("  - {{id: a{a}, name: A{a}, groups: {groups}}}\n"));
    }
    model.push_str("systems:\n");
    for i in 0..1000 {
        model.push_str(&format!(
            "  - {{id: s{i}, name: S{i}, platforms: {}, exposure: internet}}\n",
            platforms[i % 5]
        ));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("wide.yaml"), model).expect("write");
    let start = Instant::now();
    let out = common::atkmap_measured(&dir.path().join("peak"))
        .current_dir(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .args(common::companion_args())
        .args(["report", "wide.yaml", "--format", "json", "-o", "r.json"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    common::assert_peak_below(&dir.path().join("peak"), LIMIT_MIB);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("exposures in scope") && stderr.contains("at most 250000"),
        "{stderr}"
    );
    assert!(stderr.contains("exclude"), "{stderr}");
    assert!(!dir.path().join("r.json").exists());
    let took = common::time_taken(&dir.path().join("peak"), start.elapsed());
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// A "ladder" of 4,000 systems (two rows, rungs between them), one actor, one data asset at
/// the far end: Yen's algorithm is quadratic in the length of such a chain (131 s, 3.4 GB).
/// The path search has a budget of work, not of searches: it stops, the report says so.
#[test]
fn a_ladder_graph_stops_at_the_path_search_work_budget() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let n = 2_000;
    let mut model = String::from(
        "atkmap: 1\nname: ladder\nattack: {domain: enterprise, version: \"18.1\"}\nactors:\n  - {id: x, name: X, techniques: [T1021, T1005], entry: [a0]}\nsystems:\n",
    );
    for i in 0..n {
        for row in ["a", "b"] {
            model.push_str(&format!(
                "  - {{id: {row}{i}, name: {row}{i}, platforms: [Linux], exposure: internal}}\n"
            ));
        }
    }
    model.push_str(&format!(
        "data:\n  - {{id: d, kind: k, sensitivity: restricted, stored_in: [b{}]}}\nflows:\n",
        n - 1
    ));
    for i in 0..n {
        model.push_str(&format!("  - {{from: a{i}, to: b{i}}}\n"));
        if i + 1 < n {
            model.push_str(&format!(
                "  - {{from: a{i}, to: a{}}}\n  - {{from: b{i}, to: b{}}}\n",
                i + 1,
                i + 1
            ));
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ladder.yaml"), model).expect("write");
    let start = Instant::now();
    let out = common::atkmap_measured(&dir.path().join("peak"))
        .current_dir(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .args(common::companion_args())
        .args([
            "report",
            "ladder.yaml",
            "--fail-on",
            "none",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    common::assert_peak_below(&dir.path().join("peak"), LIMIT_MIB);
    let took = common::time_taken(&dir.path().join("peak"), start.elapsed());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("path search budget"), "{warnings}");
    // A debug build; the README quotes the release build (3.2 s, 264 MiB).
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

/// `--paths-per-pair 1000000` on a dense graph never ended: the option is at most 100.
#[test]
fn paths_per_pair_is_bounded() {
    let out = common::atkmap()
        .args(["report", "--paths-per-pair", "1000000"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 100 paths"));
}

/// A pull request adds `attack-data/enterprise-attack-18.1.json`, MITRE's bundle altered (here:
/// one byte added, which still parses). Found by name, it is refused, naming both hashes; passed
/// explicitly with `--attack`, it is the user's choice and the report says it is not MITRE's.
#[test]
fn an_altered_release_found_by_name_is_refused() {
    let Some(bundle) = common::bundle("enterprise-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("attack-data");
    std::fs::create_dir(&data).expect("mkdir");
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    bytes.push(b'\n');
    let altered = data.join("enterprise-attack-18.1.json");
    std::fs::write(&altered, &bytes).expect("write");
    std::fs::copy(
        common::repo().join("models/digital-bank.yaml"),
        dir.path().join("m.yaml"),
    )
    .expect("model");
    let start = Instant::now();
    let out = common::atkmap_measured(&dir.path().join("peak"))
        .current_dir(dir.path())
        .env_remove("ATKMAP_DATA_DIR")
        .args(["report", "m.yaml", "--fail-on", "none"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is not MITRE's file")
            && stderr.contains("f551bbd1cf03fc8595ec324a73d5084889e5881f5911509bdfe6ae15a471eeb2"),
        "{stderr}"
    );
    // A debug build parses the 50 MB bundle beside the hash (about 3 s; a release build 0.2 s).
    let took = common::time_taken(&dir.path().join("peak"), start.elapsed());
    assert!(took < Duration::from_secs(20), "took {took:?}");
    // Explicitly passed: used, and marked.
    let out = common::atkmap()
        .current_dir(dir.path())
        .arg("--attack")
        .arg(&altered)
        .args(["report", "m.yaml", "--fail-on", "none"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["attack"]["official"], false);
    assert!(
        report["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("is not MITRE's file")),
        "{}",
        report["warnings"]
    );
    // MITRE's own file is official: the field is left out.
    let out = common::atkmap()
        .current_dir(dir.path())
        .arg("--attack")
        .arg(&bundle)
        .args(["report", "m.yaml", "--fail-on", "none"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert!(report["attack"].get("official").is_none());
}
